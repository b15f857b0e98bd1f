// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "memsize.h"
#include "options.h"
#include "settings.h"
#include "util.h"

void options_usage(FILE *f)
{
	fprintf(f,
		"Usage: vireo-vm --kernel FILE [--initrd FILE] [--append CMDLINE]\n"
		"                [--mem SIZE] [--cpus N] [--paravirt kvm|none]\n"
		"                [--disk FILE[,OPTION...]]... [--net tap=IFNAME|user[,...]]...\n"
		"                [--rng] [--vconsole]\n"
		"                [--device CLASS[,KEY=VALUE...]]... [--no-reboot]\n"
		"                [--no-vmmdev] [--no-seccomp]\n"
		"       vireo-vm --rom FILE [--mem SIZE] [--device ...]...\n"
		"       vireo-vm --config FILE [--control PATH] [--paravirt ...]\n"
		"                [--no-reboot] [--no-vmmdev]\n"
		"\n"
		"Run a VM on /dev/vireo (the vireo.ko module).  --kernel boots a Linux\n"
		"bzImage or a Multiboot v1 kernel directly, on a PC with ACPI tables and\n"
		"N vCPUs; --rom starts one vCPU at the x86 reset vector of a ROM.\n"
		"\n"
		"  -k, --kernel FILE     Linux bzImage (boot protocol 2.06 or later) or\n"
		"                        Multiboot v1 kernel, started in 32-bit mode\n"
		"  -i, --initrd FILE     initial ramdisk (Linux) or module (Multiboot)\n"
		"  -a, --append CMDLINE  kernel command line, e.g. \"console=ttyS0\"\n"
		"  -c, --cpus N          vCPUs, 1 to %u (default 1); vCPU 0 boots, the\n"
		"                        others wait for the guest's INIT and start-up IPIs\n"
		"  -r, --rom FILE        64 KiB BIOS-style ROM image, mapped read-only at\n"
		"                        0xF0000-0xFFFFF and 0xFFFF0000-0xFFFFFFFF;\n"
		"                        one vCPU only\n"
		"  -m, --mem SIZE        guest RAM: bytes, or with a K, M or G suffix, a\n"
		"                        multiple of 4K; with --kernel 1M to 16G (default\n"
		"                        256M; RAM past 3G is moved above 4G), with --rom\n"
		"                        1M to 3584M (default 16M)\n"
		"      --paravirt kvm|none  the paravirtual interface the guest finds in\n"
		"                        CPUID: kvm (the default) offers KVM's, whose\n"
		"                        clock (kvm-clock) Linux guests read without\n"
		"                        exits; none offers nothing (the guest then\n"
		"                        calibrates and uses the TSC or a PC timer)\n"
		"      --no-reboot       a guest reset (reboot) ends vireo-vm with status\n"
		"                        20; by default the machine starts again: devices\n"
		"                        reset, vCPUs and their APICs new, the kernel and\n"
		"                        initrd (or the ROM) loaded again\n"
		"      --no-vmmdev       leave VMMDev out: the guest additions' PCI\n"
		"                        device (80ee:cafe), in every VM otherwise, as\n"
		"                        in VirtualBox (docs/vmmdev.md)\n"
		"      --no-seccomp      run without the system call filter, which\n"
		"                        otherwise ends the VM process (status 24) at\n"
		"                        any system call it does not need once the VM\n"
		"                        runs; for debugging only\n"
		"      --disk FILE[,readonly][,serial=S][,queues=N]  a virtio disk\n"
		"                        on the raw image FILE (/dev/vda, vdb, ... in\n"
		"                        Linux, in this order), locked against other\n"
		"                        VMs; readonly: the guest cannot write it;\n"
		"                        serial: up to 20 characters; queues: 1 to 8\n"
		"                        (default 1); may be repeated\n"
		"      --net tap=IFNAME[,addr=CIDR|,bridge=BR][,mac=M]  a virtio\n"
		"                        network card (eth0, eth1, ... in Linux) on\n"
		"                        the host's TAP interface IFNAME, created if\n"
		"                        it does not exist (that needs CAP_NET_ADMIN)\n"
		"                        and gone with the VM, or attached (one made\n"
		"                        by ip tuntap add ... user USER; refused while\n"
		"                        another process has it); brought up, with\n"
		"                        the host's address CIDR (10.0.0.1/24) or in\n"
		"                        the bridge BR; mac: the card's address\n"
		"                        (default 02:56:... from IFNAME and the card's\n"
		"                        index, the same at every start); may be\n"
		"                        repeated\n"
		"      --net user[,hostfwd=tcp:[ADDR]:HPORT-:GPORT[+...]][,mac=M]\n"
		"                        a virtio network card on user-mode\n"
		"                        networking (no privileges; libslirp in a\n"
		"                        process of its own, vireo-slirp): the guest\n"
		"                        is 10.0.2.15/24 (DHCP), the host 10.0.2.2,\n"
		"                        DNS 10.0.2.3, its connections out made by\n"
		"                        the host; hostfwd: the host's ADDR:HPORT\n"
		"                        (ADDR 127.0.0.1 if left out) forwarded to\n"
		"                        the guest's GPORT, several joined by +\n"
		"      --rng             a virtio entropy device (/dev/hwrng in Linux)\n"
		"                        from the host's getrandom()\n"
		"      --vconsole        the console is a virtio console (hvc0 in\n"
		"                        Linux: give it console=hvc0), not COM1,\n"
		"                        which stays without input or output\n"
		"      --device CLASS[,KEY=VALUE...]  one more device of CLASS, with\n"
		"                        its options (the classes and their keys are\n"
		"                        listed below); may be repeated\n"
		"      --control PATH    serve the control socket at PATH (mode 0600;\n"
		"                        docs/control-protocol.md): status, pause,\n"
		"                        resume, the power button, reset, quit, the\n"
		"                        console, events\n"
		"      --runtime DIR     with --config: the control socket at\n"
		"                        DIR/UUID.sock and a state file DIR/UUID.json\n"
		"                        (pid, start time) while the VM runs, removed\n"
		"                        when it ends; how vmctl start runs a VM\n"
		"      --config FILE     run the VM a settings file describes (what\n"
		"                        vmctl writes, docs/settings.md): its boot\n"
		"                        source, RAM, vCPUs, disks, network cards,\n"
		"                        devices and console, which the options\n"
		"                        above then cannot give; its disks come\n"
		"                        first, in order (the first is /dev/vda), a\n"
		"                        relative path taken from the file's folder,\n"
		"                        then its network cards, in order, each with\n"
		"                        its MAC, then its devices, then its virtio\n"
		"                        console (as --vconsole) if it asks for one\n"
		"      --check           check the options (a --config's settings,\n"
		"                        each --device's class and keys) and exit:\n"
		"                        status 0 if vireo-vm takes them (vmctl\n"
		"                        checks --device so), 2 with the reason\n"
		"  -h, --help            show this help\n"
		"      --version         print vireo-vm's release and the loaded\n"
		"                        vireo.ko's\n"
		"\n"
		"Console: COM1's output (hvc0's with --vconsole) goes to stdout.  Its\n"
		"input is stdin when stdin is a pipe, or a terminal in the foreground,\n"
		"which is then put in raw mode without echo until vireo-vm exits\n"
		"(Ctrl-C still stops the VM, Ctrl-Z goes to the guest).  Other stdins\n"
		"(files, /dev/null) give none, but with a control socket the console's\n"
		"clients type there instead.\n"
		"\n"
		"Signals: SIGTERM presses the ACPI power button, for the guest to shut\n"
		"down (when an ACPI OS runs to hear it; otherwise it ends the VM), and a\n"
		"second SIGTERM ends the VM; SIGINT and SIGHUP end it at once.\n"
		"Output to a regular file stops at 64M; the rest is counted as dropped.\n"
		"\n"
		"Device classes, with the options --device takes (every VM has one\n"
		"of each unless marked; unclaimed ports and MMIO read as all ones\n"
		"and ignore writes):\n",
		OPTIONS_MAX_CPUS);
	devices_describe(f, "  ");
	fprintf(f,
		"\n"
		"Exit status:\n"
		"  0    the guest powered off (ACPI S5), or every vCPU executed HLT\n"
		"       with interrupts disabled (a halted guest; a vCPU halted so is\n"
		"       parked until INIT and start-up IPIs restart it)\n"
		"  odd  the guest wrote V to port 0xF4: (V << 1) | 1, low 8 bits only\n"
		"  2    usage error\n"
		"  4    cannot open /dev/vireo (module not loaded, no AMD-V/VT-x)\n"
		"  6    bad ROM file (unreadable, or not exactly 65536 bytes)\n"
		"  8    guest shutdown (triple fault)\n"
		"  10   unhandled exit (MMIO the kernel did not decode, hypercall,\n"
		"       unknown exit reason)\n"
		"  12   kernel internal error\n"
		"  14   ended by SIGINT, SIGHUP or SIGTERM (see Signals), or the\n"
		"       control socket's quit\n"
		"  16   API version mismatch between vireo-vm and vireo.ko\n"
		"  18   host failure setting up the VM (memory, VM, slot, vCPU, CPUID,\n"
		"       threads)\n"
		"  20   the guest asked for a reset (reboot), with --no-reboot\n"
		"  22   cannot load the kernel or initrd (unreadable, not a bzImage or\n"
		"       Multiboot kernel, too big for guest RAM, command line too long)\n"
		"  24   a system call outside the VM process's allow-list (a bug, or\n"
		"       an attack on vireo-vm); stderr names it\n");
}

static __printf(1, 2)
int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vireo-vm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vireo-vm --help' for more information.\n");
	return OPTIONS_ERROR;
}

/* Decimal digits only: strtoul() would take blanks, signs and hex. */
static int parse_cpus(const char *s, unsigned int *cpus)
{
	unsigned long n;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (*end || errno || n < 1 || n > OPTIONS_MAX_CPUS)
		return -EINVAL;
	*cpus = n;
	return 0;
}

/* The options that only make sense together, once all are known. */
static int options_check(const struct options *opt, bool mem_given)
{
	if (opt->rom && opt->kernel)
		return usage_error("--rom and --kernel exclude each other");
	if (!opt->rom && !opt->kernel)
		return usage_error("--kernel FILE or --rom FILE is required");
	if (opt->rom && (opt->initrd || opt->append))
		return usage_error("--initrd and --append go with --kernel, not --rom");
	if (opt->rom && opt->cpus != 1)
		return usage_error("--rom runs one vCPU: --cpus must be 1");
	if (opt->rom && mem_given && opt->mem > MEMSIZE_ROM_MAX)
		return usage_error("--mem: at most 3584M with --rom");
	return OPTIONS_RUN;
}

/*
 * A settings file's disk as the spec --disk would make of it, kept until
 * the next parse: its path the file's folder's when relative, so a VM's
 * folder can move with the images in it.  NULL with the reason in why.
 */
static const char *config_disk_spec(const char *dir, const struct vm_disk *d,
				    unsigned int slot, char *why,
				    size_t why_len)
{
	static char *specs[SETTINGS_MAX_DISKS];
	char file[PATH_MAX];
	char *spec;

	if (settings_disk_path(dir, d, file, sizeof(file))) {
		snprintf(why, why_len, "%s: path too long", d->path);
		return NULL;
	}
	/* The folder's part may hold one, which the spec cannot carry. */
	if (strchr(file, ',')) {
		snprintf(why, why_len,
			 "%s: a comma in the path, which a device spec cannot hold",
			 file);
		return NULL;
	}
	if (asprintf(&spec, "virtio-blk,path=%s%s%s%s", file,
		     d->readonly ? ",readonly=on" : "",
		     d->serial ? ",serial=" : "",
		     d->serial ? d->serial : "") < 0) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	free(specs[slot]);
	specs[slot] = spec;
	return spec;
}

/*
 * The disks first, in the file's order, so that the first is the guest's
 * /dev/vda whatever --device virtio-blk specs follow.
 */
static int config_disks(struct options *opt, const struct vm_settings *s)
{
	char dir[PATH_MAX], why[PATH_MAX + 100];
	const char *spec;
	unsigned int i;

	if (s->nr_disks && !realpath(opt->config, dir))
		return usage_error("--config %s: %m", opt->config);
	if (s->nr_disks)
		*strrchr(dir, '/') = '\0';	/* "" for a file in / */
	for (i = 0; i < s->nr_disks; i++) {
		spec = config_disk_spec(dir, &s->disks[i], i, why,
					sizeof(why));
		if (!spec || dev_spec_check(spec, why, sizeof(why)))
			return usage_error("--config %s: disk %u: %s",
					   opt->config, i, why);
		opt->devices[opt->nr_devices++] = spec;
	}
	return OPTIONS_RUN;
}

static void spec_opt(FILE *f, const char *key, const char *value)
{
	if (value)
		fprintf(f, ",%s=%s", key, value);
}

/*
 * A settings file's NIC as the spec --net would make of it, its MAC
 * always given (the file's, so the guest sees the same card at every
 * start), kept until the next parse.  NULL when out of memory.
 */
static const char *config_net_spec(const struct vm_net *n, unsigned int slot)
{
	static char *specs[SETTINGS_MAX_NETS];
	char *spec = NULL;
	size_t len;
	FILE *f = open_memstream(&spec, &len);

	if (!f)
		return NULL;
	fputs("virtio-net", f);
	spec_opt(f, "tap", n->tap);
	spec_opt(f, "user", n->backend == VM_NET_USER ? "on" : NULL);
	spec_opt(f, "addr", n->addr);
	spec_opt(f, "bridge", n->bridge);
	spec_opt(f, "hostfwd", n->hostfwd);
	spec_opt(f, "mac", n->mac);
	if (fclose(f)) {
		free(spec);
		return NULL;
	}
	free(specs[slot]);
	specs[slot] = spec;
	return spec;
}

/* The NICs after the disks, in the file's order: eth0, eth1, ... */
static int config_nets(struct options *opt, const struct vm_settings *s)
{
	char why[200];
	const char *spec;
	unsigned int i;

	for (i = 0; i < s->nr_nets; i++) {
		spec = config_net_spec(&s->nets[i], i);
		if (!spec)
			return usage_error("--config %s: out of memory",
					   opt->config);
		if (dev_spec_check(spec, why, sizeof(why)))
			return usage_error("--config %s: net %u: %s",
					   opt->config, i, why);
		opt->devices[opt->nr_devices++] = spec;
	}
	return OPTIONS_RUN;
}

/*
 * The disks, NICs and devices of the settings, in this order.  The
 * settings' check counted them already; counted again here, since
 * opt->devices[] would overflow.
 */
static int config_devices(struct options *opt, const struct vm_settings *s)
{
	char why[600];
	unsigned int i;
	int err;

	if (s->nr_disks + s->nr_nets + s->nr_devices > OPTIONS_MAX_DEVICES)
		return usage_error("--config %s: %u disks, %u NICs and %u devices: at most %d in all",
				   opt->config, s->nr_disks, s->nr_nets,
				   s->nr_devices, OPTIONS_MAX_DEVICES);
	err = config_disks(opt, s);
	if (err == OPTIONS_RUN)
		err = config_nets(opt, s);
	for (i = 0; err == OPTIONS_RUN && i < s->nr_devices; i++) {
		if (dev_spec_check(s->devices[i], why, sizeof(why)))
			return usage_error("--config %s: device %s: %s",
					   opt->config, s->devices[i], why);
		opt->devices[opt->nr_devices++] = s->devices[i];
	}
	return err;
}

/*
 * --config FILE: the VM's settings, checked as vmctl checks them, then as
 * the command line's would be.  They live as long as the process.
 */
static int options_from_config(struct options *opt, bool mem_given)
{
	static struct vm_settings s;
	char why[600];
	int err;

	/*
	 * --vconsole too: the settings say which console the guest's kernel
	 * was given (console=hvc0 or ttyS0), and vmctl start never adds it.
	 */
	if (opt->vconsole)
		return usage_error("--config %s gives the console: vmctl modify --console virtio makes it the virtio console",
				   opt->config);
	if (opt->kernel || opt->rom || opt->initrd || opt->append ||
	    mem_given || opt->cpus != 1 || opt->nr_devices)
		return usage_error("--config %s gives the boot source, RAM, vCPUs and devices: change them with vmctl modify",
				   opt->config);
	settings_free(&s);
	err = settings_load(opt->config, &s, why, sizeof(why));
	if (err == -EPROTO)
		return usage_error("%s; run it with that Vireo's vireo-vm", why);
	if (err)
		return usage_error("--config: %s", why);
	opt->kernel = s.kernel;
	opt->initrd = s.initrd;
	opt->append = s.append;
	opt->rom = s.rom;
	opt->mem = s.memory;
	opt->cpus = s.cpus;
	opt->vm_name = s.name;
	opt->vm_uuid = s.uuid;
	opt->no_vmmdev = opt->no_vmmdev || s.no_vmmdev;
	err = config_devices(opt, &s);
	if (err != OPTIONS_RUN)
		return err;
	/*
	 * As --vconsole, last: the other devices keep their PCI slots
	 * whichever the console.  The settings counted it among the 32.
	 */
	if (s.virtio_console) {
		if (opt->nr_devices == OPTIONS_MAX_DEVICES)
			return usage_error("--config %s: the virtio console: at most %d devices in all",
					   opt->config, OPTIONS_MAX_DEVICES);
		opt->vconsole = true;
		opt->devices[opt->nr_devices++] = "virtio-console";
	}
	return options_check(opt, true);
}

/*
 * --disk FILE[,readonly][,serial=S][,queues=N] as the device spec
 * "virtio-blk,path=FILE[,readonly=on]...", kept until the next parse; NULL
 * with the reason in why.  A comma ends the file name, so a file whose
 * name has one goes by --device virtio-blk,path=... no better: refused.
 */
static const char *disk_spec(const char *arg, unsigned int slot, char *why,
			     size_t why_len)
{
	static char *specs[OPTIONS_MAX_DEVICES];
	const char *comma = strchr(arg, ',');
	size_t flen = comma ? (size_t)(comma - arg) : strlen(arg);
	char *out = NULL, *item, *save = NULL, *rest;
	size_t out_len;
	bool bad = false;
	FILE *f;

	if (!flen) {
		snprintf(why, why_len, "no image file");
		return NULL;
	}
	rest = strdup(comma ? comma + 1 : "");
	f = rest ? open_memstream(&out, &out_len) : NULL;
	if (!f) {
		free(rest);
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	fprintf(f, "virtio-blk,path=%.*s", (int)flen, arg);
	for (item = strtok_r(rest, ",", &save); item && !bad;
	     item = strtok_r(NULL, ",", &save)) {
		if (!strcmp(item, "readonly") || !strcmp(item, "ro"))
			fputs(",readonly=on", f);
		else if (!strncmp(item, "serial=", 7) ||
			 !strncmp(item, "queues=", 7))
			fprintf(f, ",%s", item);
		else {
			snprintf(why, why_len,
				 "\"%s\": readonly, serial=S or queues=N", item);
			bad = true;
		}
	}
	free(rest);
	if (fclose(f) || bad) {
		if (!bad)
			snprintf(why, why_len, "out of memory");
		free(out);
		return NULL;
	}
	/* A repeated option is refused by dev_spec_check() (each key once). */
	free(specs[slot]);
	specs[slot] = out;
	return out;
}

/*
 * --net tap=IFNAME[,addr=CIDR|bridge=BR][,mac=M] or --net
 * user[,hostfwd=...][,mac=M] as the device spec "virtio-net,tap=..." or
 * "virtio-net,user=on,...", kept until the next parse; NULL with the
 * reason.
 */
static const char *net_spec(const char *arg, unsigned int slot, char *why,
			    size_t why_len)
{
	static char *specs[OPTIONS_MAX_DEVICES];
	char *out;

	bool user = !strcmp(arg, "user") || !strncmp(arg, "user,", 5);
	int r;

	if (!user && strncmp(arg, "tap=", 4)) {
		snprintf(why, why_len, "tap=IFNAME or user first (the back end)");
		return NULL;
	}
	if (user)
		r = asprintf(&out, "virtio-net,user=on%s", arg + 4);
	else
		r = asprintf(&out, "virtio-net,%s", arg);
	if (r < 0) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	free(specs[slot]);
	specs[slot] = out;
	return out;
}

int options_parse(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "cpus",   required_argument, NULL, 'c' },
		{ "rom",    required_argument, NULL, 'r' },
		{ "mem",    required_argument, NULL, 'm' },
		{ "paravirt", required_argument, NULL, 'P' },
		{ "device", required_argument, NULL, 'D' },
		{ "disk",   required_argument, NULL, 'd' },
		{ "net",    required_argument, NULL, 'n' },
		{ "rng",    no_argument,       NULL, 'G' },
		{ "vconsole", no_argument,     NULL, 'O' },
		{ "no-reboot", no_argument, NULL, 'R' },
		{ "no-seccomp", no_argument, NULL, 'S' },
		{ "no-vmmdev", no_argument, NULL, 'N' },
		{ "check",  no_argument,       NULL, 'K' },
		{ "config", required_argument, NULL, 'C' },
		{ "control", required_argument, NULL, 'X' },
		{ "runtime", required_argument, NULL, 'T' },
		{ "help",   no_argument,       NULL, 'h' },
		{ "version", no_argument,      NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool mem_given = false;
	const char *spec;
	char why[200];
	int c, err;

	memset(opt, 0, sizeof(*opt));
	opt->cpus = 1;
	opt->paravirt_kvm = true;
	optind = 0;	/* glibc: start afresh, so tests can parse again */
	opterr = 0;	/* our messages carry the "vireo-vm: " prefix */
	while ((c = getopt_long(argc, argv, ":k:i:a:c:r:m:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			opt->kernel = optarg;
			break;
		case 'i':
			opt->initrd = optarg;
			break;
		case 'a':
			opt->append = optarg;
			break;
		case 'c':
			if (parse_cpus(optarg, &opt->cpus))
				return usage_error("--cpus %s: not a number from 1 to %u",
						   optarg, OPTIONS_MAX_CPUS);
			break;
		case 'r':
			opt->rom = optarg;
			break;
		case 'm':
			err = memsize_parse(optarg, &opt->mem);
			if (err != MEMSIZE_OK) {
				pr_err("--mem %s: %s\n", optarg,
				       memsize_strerror(err));
				return OPTIONS_ERROR;
			}
			mem_given = true;
			break;
		case 'P':
			if (!strcmp(optarg, "kvm") || !strcmp(optarg, "none"))
				opt->paravirt_kvm = !strcmp(optarg, "kvm");
			else
				return usage_error("--paravirt %s: kvm or none",
						   optarg);
			break;
		case 'D':
			if (opt->nr_devices == OPTIONS_MAX_DEVICES)
				return usage_error("--device: at most %d",
						   OPTIONS_MAX_DEVICES);
			if (dev_spec_check(optarg, why, sizeof(why)))
				return usage_error("--device %s: %s", optarg,
						   why);
			opt->devices[opt->nr_devices++] = optarg;
			break;
		case 'd':
		case 'G':
			if (opt->nr_devices == OPTIONS_MAX_DEVICES)
				return usage_error("--disk, --rng, --device: at most %d in all",
						   OPTIONS_MAX_DEVICES);
			spec = c == 'G' ? "virtio-rng" :
			       disk_spec(optarg, opt->nr_devices, why,
					 sizeof(why));
			if (!spec)
				return usage_error("--disk %s: %s", optarg, why);
			if (dev_spec_check(spec, why, sizeof(why)))
				return usage_error("--%s %s: %s",
						   c == 'G' ? "rng" : "disk",
						   c == 'G' ? "" : optarg, why);
			opt->devices[opt->nr_devices++] = spec;
			break;
		case 'n':
			if (opt->nr_devices == OPTIONS_MAX_DEVICES)
				return usage_error("--net: at most %d devices in all",
						   OPTIONS_MAX_DEVICES);
			spec = net_spec(optarg, opt->nr_devices, why,
					sizeof(why));
			if (!spec || dev_spec_check(spec, why, sizeof(why)))
				return usage_error("--net %s: %s", optarg, why);
			opt->devices[opt->nr_devices++] = spec;
			break;
		case 'O':
			if (opt->vconsole)
				break;
			if (opt->nr_devices == OPTIONS_MAX_DEVICES)
				return usage_error("--vconsole: at most %d devices in all",
						   OPTIONS_MAX_DEVICES);
			opt->vconsole = true;
			opt->devices[opt->nr_devices++] = "virtio-console";
			break;
		case 'R':
			opt->no_reboot = true;
			break;
		case 'S':
			opt->no_seccomp = true;
			break;
		case 'N':
			opt->no_vmmdev = true;
			break;
		case 'K':
			opt->check = true;
			break;
		case 'C':
			opt->config = optarg;
			break;
		case 'X':
			opt->control = optarg;
			break;
		case 'T':
			opt->runtime = optarg;
			break;
		case 'h':
			return OPTIONS_HELP;
		case 'V':
			return OPTIONS_VERSION;
		case ':':
			return usage_error("missing argument for %s",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option %s",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument: %s", argv[optind]);
	if (opt->runtime && (!opt->config || opt->control))
		return usage_error("--runtime goes with --config (the VM's UUID names its files), instead of --control");
	if (opt->config)
		return options_from_config(opt, mem_given);
	if (!mem_given)
		opt->mem = opt->kernel ? MEMSIZE_KERNEL_DEFAULT :
			   MEMSIZE_DEFAULT;
	return options_check(opt, mem_given);
}
