// SPDX-License-Identifier: GPL-2.0
/*
 * The options create and modify share: what a VM boots, its vCPUs, RAM
 * and added devices.  Files are kept by absolute path, checked readable
 * now, so a typo shows at once and not at the first start.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "memsize.h"
#include "vmctl.h"

static int check_devices(const char *name, char **devs, unsigned int nr);

enum {
	OPT_KERNEL = 256, OPT_INITRD, OPT_APPEND, OPT_ROM, OPT_CPUS,
	OPT_MEMORY, OPT_DEVICE, OPT_NO_INITRD, OPT_NO_APPEND,
	OPT_NO_DEVICES, OPT_NO_VMMDEV, OPT_VMMDEV, OPT_DISK, OPT_REMOVE_DISK,
	OPT_NET, OPT_REMOVE_NET, OPT_CONSOLE,
};

static const struct option vm_long_options[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "rom", required_argument, NULL, OPT_ROM },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "no-initrd", no_argument, NULL, OPT_NO_INITRD },
	{ "no-append", no_argument, NULL, OPT_NO_APPEND },
	{ "no-devices", no_argument, NULL, OPT_NO_DEVICES },
	{ "no-vmmdev", no_argument, NULL, OPT_NO_VMMDEV },
	{ "vmmdev", no_argument, NULL, OPT_VMMDEV },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "remove-disk", required_argument, NULL, OPT_REMOVE_DISK },
	{ "net", required_argument, NULL, OPT_NET },
	{ "remove-net", required_argument, NULL, OPT_REMOVE_NET },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ NULL, 0, NULL, 0 },
};

/* An existing, readable regular file, by absolute path. */
static int file_option(const char *what, const char *arg, char **field)
{
	char abs[PATH_MAX];
	struct stat st;

	if (!realpath(arg, abs) || stat(abs, &st)) {
		vmctl_err("--%s %s: %m", what, arg);
		return VMCTL_FAILED;
	}
	if (!S_ISREG(st.st_mode)) {
		vmctl_err("--%s %s: not a regular file", what, arg);
		return VMCTL_FAILED;
	}
	if (access(abs, R_OK)) {
		vmctl_err("--%s %s: %m", what, arg);
		return VMCTL_FAILED;
	}
	if (settings_set_str(field, abs)) {
		vmctl_err("out of memory");
		return VMCTL_FAILED;
	}
	return VMCTL_OK;
}

static int cpus_option(struct vmctl *ctl, const char *arg, unsigned int *out)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || n < 1 ||
	    n > SETTINGS_MAX_CPUS)
		return vmctl_usage_err(ctl, "--cpus %s: a number from 1 to %d",
				       arg, SETTINGS_MAX_CPUS);
	*out = n;
	return VMCTL_OK;
}

/*
 * --remove-disk first, by the index show gave before this command, then
 * each --disk in order after the disks there are.
 */
static int apply_disks(struct vmctl *ctl, struct vm_settings *s,
		       char **disks, unsigned int nr, const char *remove,
		       struct vmctl_removed_disk *removed)
{
	unsigned int i;
	int status = VMCTL_OK;

	if (remove)
		status = vmctl_remove_disk_option(ctl, remove, s, removed);
	for (i = 0; status == VMCTL_OK && i < nr; i++)
		status = vmctl_disk_option(ctl, disks[i], s);
	return status;
}

/*
 * --remove-net first, as --remove-disk, then each --net in order after
 * the cards there are.
 */
static int apply_nets(struct vmctl *ctl, struct vm_settings *s, char **nets,
		      unsigned int nr, const char *remove)
{
	unsigned int i;
	int status = VMCTL_OK;

	if (remove)
		status = vmctl_remove_net_option(ctl, remove, s);
	for (i = 0; status == VMCTL_OK && i < nr; i++)
		status = vmctl_net_option(ctl, nets[i], s);
	return status;
}

/* optarg, one more of a repeatable option, of which a VM has max. */
static int collect(struct vmctl *ctl, char **list, unsigned int *nr,
		   unsigned int max, const char *what)
{
	if (*nr == max)
		return vmctl_usage_err(ctl, "a VM has at most %u %s", max,
				       what);
	list[(*nr)++] = optarg;
	return VMCTL_OK;
}

/*
 * optarg, modify's --remove-disk or --remove-net: one at a time, since
 * the ones after it move up and a second index would mean another.
 */
static int remove_once(struct vmctl *ctl, bool modify, const char **remove,
		       const char *opt, const char *what)
{
	if (!modify)
		return vmctl_usage_err(ctl, "--%s is modify's", opt);
	if (*remove)
		return vmctl_usage_err(ctl, "one --%s at a time: the %s after it move up",
				       opt, what);
	*remove = optarg;
	return VMCTL_OK;
}

int vmctl_parse_vm_options(struct vmctl *ctl, int argc, char **argv,
			   struct vm_settings *s, bool creating,
			   struct vmctl_removed_disk *removed)
{
	bool kernel = false, rom = false, memory = false, clear_devs = false;
	bool kernel_args = false;
	char *devs[SETTINGS_MAX_DEVICES], *disks[SETTINGS_MAX_DISKS];
	char *nets[SETTINGS_MAX_NETS];
	unsigned int nr_devs = 0, nr_disks = 0, nr_nets = 0, i;
	const char *remove = NULL, *remove_net = NULL;
	bool modify = !creating && removed != NULL;
	char why[256];
	int c, status = VMCTL_OK;

	if (removed) {
		removed->index = -1;
		removed->path = NULL;
	}
	optind = 0;
	opterr = 0;
	while (status == VMCTL_OK &&
	       (c = getopt_long(argc, argv, "", vm_long_options, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL:
			kernel = true;
			status = file_option("kernel", optarg, &s->kernel);
			break;
		case OPT_INITRD:
			kernel_args = true;
			status = file_option("initrd", optarg, &s->initrd);
			break;
		case OPT_APPEND:
			kernel_args = true;
			if (settings_set_str(&s->append, optarg))
				status = VMCTL_FAILED;
			break;
		case OPT_ROM:
			rom = true;
			status = file_option("rom", optarg, &s->rom);
			break;
		case OPT_CPUS:
			status = cpus_option(ctl, optarg, &s->cpus);
			break;
		case OPT_MEMORY:
			c = memsize_parse(optarg, &s->memory);
			if (c != MEMSIZE_OK)
				status = vmctl_usage_err(ctl, "--memory %s: %s",
							 optarg,
							 memsize_strerror(c));
			memory = true;
			break;
		case OPT_DEVICE:
			if (nr_devs == SETTINGS_MAX_DEVICES)
				status = vmctl_usage_err(ctl,
					"at most %d --device options",
					SETTINGS_MAX_DEVICES);
			else
				devs[nr_devs++] = optarg;
			break;
		case OPT_DISK:
			status = collect(ctl, disks, &nr_disks,
					 SETTINGS_MAX_DISKS, "disks");
			break;
		case OPT_REMOVE_DISK:
			status = remove_once(ctl, modify, &remove,
					     "remove-disk", "disks");
			break;
		case OPT_NET:
			status = collect(ctl, nets, &nr_nets,
					 SETTINGS_MAX_NETS, "network cards");
			break;
		case OPT_REMOVE_NET:
			status = remove_once(ctl, modify, &remove_net,
					     "remove-net", "network cards");
			break;
		case OPT_NO_VMMDEV:
			s->no_vmmdev = true;
			break;
		case OPT_VMMDEV:
			s->no_vmmdev = false;
			break;
		case OPT_CONSOLE:
			if (!strcmp(optarg, "virtio") || !strcmp(optarg, "uart"))
				s->virtio_console = optarg[0] == 'v';
			else
				status = vmctl_usage_err(ctl, "--console %s: virtio or uart",
							 optarg);
			break;
		case OPT_NO_INITRD:
		case OPT_NO_APPEND:
		case OPT_NO_DEVICES:
			if (creating) {
				status = vmctl_usage_err(ctl,
					"%s is modify's", argv[optind - 1]);
				break;
			}
			if (c == OPT_NO_INITRD)
				settings_set_str(&s->initrd, NULL);
			else if (c == OPT_NO_APPEND)
				settings_set_str(&s->append, NULL);
			else
				clear_devs = true;
			break;
		default:
			status = vmctl_usage_err(ctl, "%s: unknown option or missing value",
						 argv[optind - 1]);
		}
	}
	if (status != VMCTL_OK)
		return status;
	if (optind < argc)
		return vmctl_usage_err(ctl, "%s: unexpected", argv[optind]);
	if (kernel && rom)
		return vmctl_usage_err(ctl, "--kernel and --rom: one or the other");
	if (rom && kernel_args)
		return vmctl_usage_err(ctl, "--initrd and --append go with a --kernel, not a --rom");
	/* A new boot source replaces the old one whole. */
	if (rom) {
		settings_set_str(&s->kernel, NULL);
		settings_set_str(&s->initrd, NULL);
		settings_set_str(&s->append, NULL);
	} else if (kernel) {
		settings_set_str(&s->rom, NULL);
	}
	if (creating && !s->kernel && !s->rom)
		return vmctl_usage_err(ctl, "a VM boots a --kernel or a --rom");
	if (creating && !memory)
		s->memory = s->rom ? MEMSIZE_DEFAULT : MEMSIZE_KERNEL_DEFAULT;
	if (clear_devs) {
		for (i = 0; i < s->nr_devices; i++)
			free(s->devices[i]);
		s->nr_devices = 0;
	}
	for (i = 0; i < nr_devs; i++) {
		if (s->nr_devices == SETTINGS_MAX_DEVICES)
			return vmctl_usage_err(ctl, "a VM has at most %d added devices",
					       SETTINGS_MAX_DEVICES);
		s->devices[s->nr_devices] = NULL;
		if (settings_set_str(&s->devices[s->nr_devices], devs[i]))
			return VMCTL_FAILED;
		s->nr_devices++;
	}
	status = apply_disks(ctl, s, disks, nr_disks, remove, removed);
	if (status == VMCTL_OK)
		status = apply_nets(ctl, s, nets, nr_nets, remove_net);
	if (status != VMCTL_OK)
		return status;
	if (settings_check(s, why, sizeof(why))) {
		vmctl_err("%s: %s", s->name, why);
		return VMCTL_USAGE;
	}
	/* Only the new ones: the others were checked as they came. */
	return check_devices(s->name, devs, nr_devs);
}

void vmctl_vireo_vm_path(char *buf, size_t len)
{
	const char *env = getenv("VIREO_VM");
	char self[PATH_MAX - 16];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, len, "%s/vireo-vm", self);
			if (!access(buf, X_OK))
				return;
		}
	}
	snprintf(buf, len, "vireo-vm");
}

/*
 * --device specs, checked by the parser that will use them: vireo-vm
 * --check (its class and keys; vireo-vm checks values as it builds the
 * device).  VMCTL_OK, or VMCTL_USAGE with vireo-vm's reason.
 */
static int check_devices(const char *name, char **devs, unsigned int nr)
{
	const char *argv[4 + 2 * SETTINGS_MAX_DEVICES + 1];
	char vm[PATH_MAX], why[512] = "";
	unsigned int i, argc = 0;
	int p[2], wstatus = 0;
	ssize_t n = 0, got;
	pid_t pid;

	if (!nr)
		return VMCTL_OK;
	vmctl_vireo_vm_path(vm, sizeof(vm));
	argv[argc++] = vm;
	argv[argc++] = "--check";
	argv[argc++] = "--rom";
	argv[argc++] = "/dev/null";
	for (i = 0; i < nr && i < SETTINGS_MAX_DEVICES; i++) {
		argv[argc++] = "--device";
		argv[argc++] = devs[i];
	}
	argv[argc] = NULL;
	if (pipe2(p, O_CLOEXEC))
		return VMCTL_FAILED;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(p[1], 2) < 0)
			_exit(127);
		execvp(vm, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && (size_t)n < sizeof(why) - 1 &&
	       (got = read(p[0], why + n, sizeof(why) - 1 - n)) > 0)
		n += got;
	close(p[0]);
	why[n] = '\0';
	if (pid < 0 || waitpid(pid, &wstatus, 0) != pid ||
	    !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) == 127) {
		vmctl_err("%s: cannot check --device with %s (set VIREO_VM to vireo-vm's path): nothing changed",
			  name, vm);
		return VMCTL_FAILED;
	}
	if (!WEXITSTATUS(wstatus))
		return VMCTL_OK;
	/* Its first line: "vireo-vm: --device SPEC: reason". */
	why[strcspn(why, "\n")] = '\0';
	vmctl_err("%s: %s", name, why[0] ? why : "vireo-vm refused the --device options");
	return VMCTL_USAGE;
}
