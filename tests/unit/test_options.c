// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-vm's command line: what each option sets, the defaults of each
 * mode, the combinations refused and why, and what --help says.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "memsize.h"
#include "options.h"
#include "tap.h"
#include "util.h"

#define MAX_ARGS	16

static struct options opt;
static char errbuf[1024];

/* Parse the NULL-terminated arguments after "vireo-vm"; keep stderr. */
static int parse(const char *first, ...)
{
	char *argv[MAX_ARGS + 2] = { "vireo-vm" };
	FILE *err = tmpfile();
	int argc = 1, saved, ret;
	const char *a;
	va_list ap;
	size_t n;

	va_start(ap, first);
	for (a = first; a && argc <= MAX_ARGS; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);

	fflush(stderr);
	saved = dup(2);
	dup2(fileno(err), 2);
	ret = options_parse(argc, argv, &opt);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(err);
	n = fread(errbuf, 1, sizeof(errbuf) - 1, err);
	errbuf[n] = '\0';
	fclose(err);
	return ret;
}

static int said(const char *msg)
{
	return strstr(errbuf, msg) != NULL;
}

static void test_kernel(void)
{
	is_int(parse("--kernel", "bz", NULL), OPTIONS_RUN, "--kernel alone");
	ok(opt.kernel && !strcmp(opt.kernel, "bz") && !opt.rom &&
	   !opt.initrd && !opt.append, "...sets the kernel, nothing else");
	is_int(opt.cpus, 1, "...1 vCPU by default");
	is_int(opt.mem, 256ULL << 20, "...256M by default");
	ok(opt.paravirt_kvm, "...KVM's paravirtual interface by default");
	is_int(parse("--kernel", "bz", "--paravirt", "none", NULL), OPTIONS_RUN,
	       "--paravirt none");
	ok(!opt.paravirt_kvm, "...turns it off");
	is_int(parse("--kernel", "bz", "--paravirt", "kvm", NULL), OPTIONS_RUN,
	       "--paravirt kvm");
	ok(opt.paravirt_kvm, "...keeps it");
	is_int(parse("--kernel", "bz", "--paravirt", "hyperv", NULL),
	       OPTIONS_ERROR, "--paravirt hyperv refused");
	ok(said("kvm or none"), "...naming the choices");

	is_int(parse("--kernel", "bz", "--initrd", "rd", "--append",
		     "console=ttyS0 quiet", "--cpus", "4", "--mem", "4G", NULL),
	       OPTIONS_RUN, "--kernel with everything");
	ok(!strcmp(opt.initrd, "rd") &&
	   !strcmp(opt.append, "console=ttyS0 quiet"),
	   "...initrd and the command line, spaces included");
	is_int(opt.cpus, 4, "...--cpus 4");
	is_int(opt.mem, 4ULL << 30, "...--mem 4G, above the --rom limit");

	is_int(parse("-k", "bz", "-i", "rd", "-a", "x", "-c", "64", "-m",
		     "16G", NULL), OPTIONS_RUN, "short options");
	ok(opt.cpus == 64 && opt.mem == 16ULL << 30 &&
	   !strcmp(opt.initrd, "rd"),
	   "...--cpus 64 and --mem 16G are the maxima");
	is_int(parse("--mem", "512M", "--kernel", "bz", NULL), OPTIONS_RUN,
	       "--mem before --kernel");
	is_int(opt.mem, 512ULL << 20, "...still counts");
}

static void test_rom(void)
{
	is_int(parse("--rom", "r.rom", NULL), OPTIONS_RUN, "--rom alone");
	ok(opt.rom && !opt.kernel && opt.cpus == 1 && opt.mem == 16ULL << 20,
	   "...one vCPU, 16M by default");
	is_int(parse("--rom", "r", "--mem", "3584M", NULL), OPTIONS_RUN,
	       "--rom with 3584M");
	is_int(parse("--rom", "r", "--cpus", "1", NULL), OPTIONS_RUN,
	       "--rom with --cpus 1");

	is_int(parse("--rom", "r", "--cpus", "2", NULL), OPTIONS_ERROR,
	       "--rom with --cpus 2 refused");
	ok(said("--rom runs one vCPU"), "...saying --rom runs one vCPU");
	is_int(parse("--rom", "r", "--mem", "4G", NULL), OPTIONS_ERROR,
	       "--rom with 4G refused");
	ok(said("3584M"), "...naming its limit");
	is_int(parse("--rom", "r", "--initrd", "rd", NULL), OPTIONS_ERROR,
	       "--rom with --initrd refused");
	is_int(parse("--append", "x", "--rom", "r", NULL), OPTIONS_ERROR,
	       "--rom with --append refused");
	ok(said("go with --kernel"), "...they go with --kernel");
}

static void test_errors(void)
{
	static const char *const bad_cpus[] = {
		"0", "65", "-1", "+2", " 2", "2x", "0x2", "", "99999999999999999999",
	};
	unsigned int i;

	is_int(parse(NULL), OPTIONS_ERROR, "nothing to boot");
	ok(said("--kernel FILE or --rom FILE is required"), "...says what is");
	is_int(parse("--rom", "r", "--kernel", "k", NULL), OPTIONS_ERROR,
	       "--rom and --kernel together");
	ok(said("exclude each other"), "...they exclude each other");
	for (i = 0; i < ARRAY_SIZE(bad_cpus); i++) {
		is_int(parse("--kernel", "k", "--cpus", bad_cpus[i], NULL),
		       OPTIONS_ERROR, "--cpus \"%s\" refused", bad_cpus[i]);
	}
	ok(said("not a number from 1 to 64"), "...with the range");
	is_int(parse("--kernel", "k", "--mem", "17G", NULL), OPTIONS_ERROR,
	       "--mem 17G refused");
	ok(said("--mem 17G"), "...naming the value");
	is_int(parse("--kernel", NULL), OPTIONS_ERROR, "--kernel without FILE");
	ok(said("missing argument for --kernel"), "...missing argument");
	is_int(parse("--kernel", "k", "--bogus", NULL), OPTIONS_ERROR,
	       "unknown option");
	ok(said("unknown option --bogus"), "...named");
	is_int(parse("--kernel", "k", "extra", NULL), OPTIONS_ERROR,
	       "a stray argument");
	ok(said("unexpected argument: extra") && said("--help"),
	   "...named, and --help suggested");
	is_int(parse("--kernel", "k", "--help", NULL), OPTIONS_HELP,
	       "--help wins");
	/* Only virtio-blk's class is linked in: tests/ctl/run checks the rest. */
	is_int(parse("--rom", "r", "--check", NULL), OPTIONS_RUN, "--check");
	ok(opt.check, "...says check");
	is_int(parse("--rom", "r", "--check", "--device", "bogus", NULL),
	       OPTIONS_ERROR, "--check still checks each --device");
	ok(said("no device class \"bogus\""), "...named");
	is_int(parse("--rom", "r", NULL), OPTIONS_RUN, "no --check");
	ok(!opt.check, "...says run");
}

/* A ROM VM's settings in folder, with two disks and a virtio-blk device. */
static void write_config(const char *folder, char *file, size_t len)
{
	struct vm_settings s;
	char why[256] = "";

	snprintf(file, len, "%s/%s", folder, SETTINGS_FILE);
	settings_init(&s, "vm");
	settings_set_str(&s.rom, "/r");
	s.memory = 16 << 20;
	settings_add_disk(&s, "disk0.img", false, NULL);
	settings_add_disk(&s, "/img/b.img", true, "SER-1");
	settings_set_str(&s.devices[s.nr_devices++],
			 "virtio-blk,path=/img/c.img");
	if (settings_save(file, &s, why, sizeof(why)))
		diag("cannot write %s: %s", file, why);
	settings_free(&s);
}

static void test_config_disks(void)
{
	char tmp[] = "/tmp/test_options.XXXXXX", dir[PATH_MAX];
	char file[PATH_MAX + 32];
	char want[PATH_MAX + 32], comma[PATH_MAX + 8], cwd[PATH_MAX];

	if (!mkdtemp(tmp) || !realpath(tmp, dir) || !getcwd(cwd, sizeof(cwd)))
		return;
	write_config(dir, file, sizeof(file));
	is_int(parse("--config", file, NULL), OPTIONS_RUN,
	       "--config with disks");
	is_int(opt.nr_devices, 3, "...two disks and a device");
	snprintf(want, sizeof(want), "virtio-blk,path=%s/disk0.img", dir);
	is_str(opt.devices[0], want,
	       "...the first disk first (/dev/vda), its relative path from the file's folder");
	is_str(opt.devices[1],
	       "virtio-blk,path=/img/b.img,readonly=on,serial=SER-1",
	       "...then the second, read-only, with its serial");
	is_str(opt.devices[2], "virtio-blk,path=/img/c.img",
	       "...then the --device specs");
	if (!chdir(dir)) {
		is_int(parse("--config", SETTINGS_FILE, NULL), OPTIONS_RUN,
		       "--config by a relative path");
		is_str(opt.devices[0], want, "...the disk's path made absolute");
		if (chdir(cwd))
			diag("cannot go back to %s", cwd);
	}
	snprintf(comma, sizeof(comma), "%s/a,b", dir);
	mkdir(comma, 0700);
	write_config(comma, file, sizeof(file));
	is_int(parse("--config", file, NULL), OPTIONS_ERROR,
	       "a relative disk in a folder with a comma");
	ok(said("disk 0") && said("comma"), "...refused, saying why");
	unlink(file);
	rmdir(comma);
	snprintf(file, sizeof(file), "%s/%s", dir, SETTINGS_FILE);
	unlink(file);
	rmdir(dir);
}

/* A ROM VM's settings in folder: a disk, three NICs and a device. */
static void write_net_config(const char *folder, char *file, size_t len)
{
	struct vm_net u = { .backend = VM_NET_USER, .mac = "02:56:00:00:00:01" };
	struct vm_net a = { .backend = VM_NET_TAP, .mac = "02:56:00:00:00:02" };
	struct vm_net b = { .backend = VM_NET_TAP, .mac = "52:54:00:12:34:56" };
	struct vm_settings s;
	char why[256] = "";

	u.hostfwd = "tcp:127.0.0.1:2222-:22";
	a.tap = "vtap0";
	a.addr = "10.0.0.1/24";
	b.tap = "vtap1";
	b.bridge = "br0";
	snprintf(file, len, "%s/%s", folder, SETTINGS_FILE);
	settings_init(&s, "vm");
	settings_set_str(&s.rom, "/r");
	s.memory = 16 << 20;
	settings_add_disk(&s, "/img/a.img", false, NULL);
	settings_add_net(&s, &u);
	settings_add_net(&s, &a);
	settings_add_net(&s, &b);
	settings_set_str(&s.devices[s.nr_devices++], "virtio-blk,path=/img/c.img");
	if (settings_save(file, &s, why, sizeof(why)))
		diag("cannot write %s: %s", file, why);
	settings_free(&s);
}

static void test_config_nets(void)
{
	char tmp[] = "/tmp/test_options.XXXXXX", file[PATH_MAX];

	if (!mkdtemp(tmp))
		return;
	write_net_config(tmp, file, sizeof(file));
	is_int(parse("--config", file, NULL), OPTIONS_RUN, "--config with NICs");
	is_int(opt.nr_devices, 5, "...a disk, three NICs and a device");
	is_str(opt.devices[0], "virtio-blk,path=/img/a.img", "...the disk first");
	is_str(opt.devices[1],
	       "virtio-net,user=on,hostfwd=tcp:127.0.0.1:2222-:22,mac=02:56:00:00:00:01",
	       "...then the NICs in order: user-mode with its forward and MAC");
	is_str(opt.devices[2],
	       "virtio-net,tap=vtap0,addr=10.0.0.1/24,mac=02:56:00:00:00:02",
	       "...a TAP interface with the host's address");
	is_str(opt.devices[3],
	       "virtio-net,tap=vtap1,bridge=br0,mac=52:54:00:12:34:56",
	       "...a TAP interface in a bridge");
	is_str(opt.devices[4], "virtio-blk,path=/img/c.img",
	       "...then the devices");
	is_int(parse("--config", file, "--net", "user", NULL), OPTIONS_ERROR,
	       "--config and --net refused");
	ok(said("vmctl modify"), "...the settings give the NICs");
	unlink(file);
	rmdir(tmp);
}

/* A ROM VM's settings with a disk, a device and the virtio console. */
static void test_config_console(void)
{
	char tmp[] = "/tmp/test_options.XXXXXX", file[PATH_MAX], why[256];
	struct vm_settings s;

	if (!mkdtemp(tmp))
		return;
	snprintf(file, sizeof(file), "%s/%s", tmp, SETTINGS_FILE);
	settings_init(&s, "vm");
	settings_set_str(&s.rom, "/r");
	s.memory = 16 << 20;
	settings_add_disk(&s, "/img/a.img", false, NULL);
	settings_set_str(&s.devices[s.nr_devices++], "virtio-blk,path=/img/c.img");
	s.virtio_console = true;
	if (settings_save(file, &s, why, sizeof(why)))
		diag("cannot write %s: %s", file, why);
	settings_free(&s);
	is_int(parse("--config", file, NULL), OPTIONS_RUN,
	       "--config with the virtio console");
	ok(opt.vconsole, "...the console is virtio-console's, as --vconsole");
	is_int(opt.nr_devices, 3, "...a disk, a device and the console");
	is_str(opt.devices[0], "virtio-blk,path=/img/a.img", "...the disk first");
	is_str(opt.devices[2], "virtio-console",
	       "...the console last, the others' slots as without it");
	is_int(parse("--config", file, "--vconsole", NULL), OPTIONS_ERROR,
	       "--config and --vconsole refused");
	ok(said("gives the console") && said("vmctl modify --console"),
	   "...the settings give the console");
	write_config(tmp, file, sizeof(file));
	is_int(parse("--config", file, NULL), OPTIONS_RUN,
	       "--config without it");
	ok(!opt.vconsole, "...COM1");
	unlink(file);
	rmdir(tmp);
}

static void test_usage(void)
{
	static const char *const musts[] = {
		"--kernel FILE", "--initrd FILE", "--append CMDLINE",
		"--cpus N", "--rom FILE", "--mem SIZE", "16G", "3584M",
		"20   the guest asked for a reset",
		"22   cannot load the kernel or initrd",
		"0    the guest powered off",
		"raw mode",
	};
	char buf[16384];
	FILE *f = tmpfile();
	unsigned int i, missing = 0;
	size_t n;

	options_usage(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	for (i = 0; i < ARRAY_SIZE(musts); i++) {
		if (!strstr(buf, musts[i])) {
			diag("--help lacks \"%s\"", musts[i]);
			missing++;
		}
	}
	is_int(missing, 0, "--help names the options, limits, new statuses");
}

int main(void)
{
	test_kernel();
	test_rom();
	test_errors();
	test_config_disks();
	test_config_nets();
	test_config_console();
	test_usage();
	return tap_done();
}
