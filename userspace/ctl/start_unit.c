// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl start's VM process as a transient systemd unit,
 * vireo-vm-UUID.service (systemd-run), where systemd is the init and
 * vmctl runs as root: systemctl stop and a host shutdown then send it
 * SIGTERM, which presses the guest's power button, as for the template
 * unit vireo-vm@NAME.service (packaging/).  The unit gets the template's
 * sandboxing but what names the VM's own paths (ProtectSystem=,
 * ReadWritePaths=, PrivateTmp=: a VM folder may be anywhere).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "util.h"
#include "vmctl.h"

/* As vireo-vm@.service: the guest's time to shut down after the button. */
#define STOP_TIMEOUT	"90"

/* What the unit runs under, beside its command: the template's sandbox. */
static const char *const unit_properties[] = {
	"TimeoutStopSec=" STOP_TIMEOUT,
	/* SIGTERM that no ACPI OS heard (vireo-vm's exit status 14). */
	"SuccessExitStatus=14",
	"StandardInput=null",
	"LimitMEMLOCK=infinity",
	"DevicePolicy=closed",
	"DeviceAllow=/dev/vireo rw",
	"NoNewPrivileges=yes",
	"PrivateNetwork=yes",
	"ProtectKernelTunables=yes",
	"ProtectKernelModules=yes",
	"ProtectKernelLogs=yes",
	"ProtectControlGroups=yes",
	"ProtectClock=yes",
	"ProtectHostname=yes",
	"RestrictAddressFamilies=AF_UNIX",
	"RestrictNamespaces=yes",
	"RestrictRealtime=yes",
	"RestrictSUIDSGID=yes",
	"LockPersonality=yes",
	"MemoryDenyWriteExecute=yes",
	"SystemCallArchitectures=native",
	"CapabilityBoundingSet=",
	"UMask=0077",
};

static bool uses_tap(const struct vm_settings *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_nets; i++)
		if (s->nets[i].backend == VM_NET_TAP)
			return true;
	return false;
}

/*
 * A VM with network cards needs the host's network, which the sandbox
 * above keeps from it: its own network namespace off, IP and netlink
 * sockets (vireo-slirp's connections, the TAP's configuration), and for a
 * TAP CAP_NET_ADMIN (creating and configuring it) and /dev/net/tun.  Only
 * for such a VM: the others keep the whole sandbox.
 */
static const char *net_property(const struct vm_settings *s, const char *p)
{
	if (!s->nr_nets)
		return p;
	if (!strcmp(p, "PrivateNetwork=yes"))
		return "PrivateNetwork=no";
	if (!strcmp(p, "RestrictAddressFamilies=AF_UNIX"))
		return "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK";
	if (!strcmp(p, "CapabilityBoundingSet=") && uses_tap(s))
		return "CapabilityBoundingSet=CAP_NET_ADMIN";
	return p;
}

/*
 * Every folder from / down to path (resolved) is root's or ours, and no
 * one else may change it (group and others cannot write it, or it is
 * sticky, as /tmp, where others cannot rename what is ours): then the
 * paths systemd opens later name what they name now.
 */
static bool path_private(const char *path)
{
	char real[PATH_MAX], *slash;
	struct stat st;

	if (!realpath(path, real) || lstat("/", &st) || st.st_uid ||
	    (st.st_mode & 022))
		return false;
	slash = real;
	for (;;) {
		char saved;

		slash = strchr(slash + 1, '/');
		saved = slash ? *slash : '\0';
		if (slash)
			*slash = '\0';
		if (lstat(real[0] ? real : "/", &st) ||
		    (st.st_uid && st.st_uid != geteuid()) ||
		    ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)))
			return false;
		if (!slash)
			return true;
		*slash = saved;
	}
}

bool vmctl_unit_wanted(const char *logs, const char *rundir)
{
	const char *env = getenv("VIREO_NO_SYSTEMD");

	if (env && *env && strcmp(env, "0"))
		return false;
	/* sd_booted(3): systemd is the init; ours is its system manager. */
	if (geteuid() || access("/run/systemd/system", F_OK))
		return false;
	return path_private(logs) && path_private(rundir);
}

/*
 * A path for systemd: absolute and normalized (it refuses others), with
 * each '$' doubled (systemd expands $NAME in a transient unit's command).
 */
static int unit_path(const char *path, bool dollars, char *buf, size_t len)
{
	char real[PATH_MAX];
	size_t n = 0;
	const char *p;

	if (!realpath(path, real))
		return -errno;
	for (p = real; *p; p++) {
		if (n + 3 > len)
			return -ENAMETOOLONG;
		if (*p == '$' && dollars)
			buf[n++] = '$';
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return 0;
}

/* The unit's MainPID (systemctl show), 0 when it has none. */
static pid_t unit_main_pid(const char *unit)
{
	char line[32] = "";
	int p[2], wstatus;
	ssize_t n = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return 0;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execlp("systemctl", "systemctl", "show", "--property=MainPID",
		       "--value", unit, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid > 0)
		n = read(p[0], line, sizeof(line) - 1);
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &wstatus, 0);
	if (n <= 0)
		return 0;
	line[n] = '\0';
	return (pid_t)strtol(line, NULL, 10);
}

static void stop_unit(const char *unit)
{
	int wstatus;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execlp("systemctl", "systemctl", "stop", "--no-block", unit,
		       (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &wstatus, 0);
}

pid_t vmctl_start_unit(const struct vm_settings *s, const char *vm,
		       const char *settings, const char *rundir,
		       const char *log, const char *console, int *pidfd)
{
	char unit[64], desc[SETTINGS_NAME_MAX + 16], out[PATH_MAX + 32];
	char err[PATH_MAX + 32], vm_arg[PATH_MAX * 2], settings_arg[PATH_MAX * 2];
	char rundir_arg[PATH_MAX * 2], real[PATH_MAX];
	/* 8 before, 2 per property and /dev/net/tun, 4 for the logs, 6 after, NULL. */
	const char *argv[8 + 2 * ARRAY_SIZE(unit_properties) + 2 + 4 + 7];
	unsigned int i, argc = 0;
	int wstatus = 0;
	pid_t pid, main_pid;

	snprintf(unit, sizeof(unit), "vireo-vm-%s.service", s->uuid);
	snprintf(desc, sizeof(desc), "Vireo VM %s", s->name);
	/*
	 * systemd runs it from / with its own PATH: an absolute vireo-vm,
	 * whose '$' stay as they are (systemd-run resolves the program).
	 */
	if ((strchr(vm, '/') && unit_path(vm, false, vm_arg, sizeof(vm_arg))) ||
	    unit_path(settings, true, settings_arg, sizeof(settings_arg)) ||
	    unit_path(rundir, true, rundir_arg, sizeof(rundir_arg)) ||
	    unit_path(log, false, real, sizeof(real)) ||
	    snprintf(err, sizeof(err), "StandardError=append:%s", real) >=
	    (int)sizeof(err) ||
	    unit_path(console, false, real, sizeof(real)) ||
	    snprintf(out, sizeof(out), "StandardOutput=append:%s", real) >=
	    (int)sizeof(out)) {
		vmctl_err("%s did not start: its paths: %m", s->name);
		return -1;
	}
	if (!strchr(vm, '/'))
		snprintf(vm_arg, sizeof(vm_arg), "%s", vm);

	argv[argc++] = "systemd-run";
	argv[argc++] = "--quiet";
	argv[argc++] = "--collect";
	argv[argc++] = "--service-type=exec";
	argv[argc++] = "--unit";
	argv[argc++] = unit;
	argv[argc++] = "--description";
	argv[argc++] = desc;
	for (i = 0; i < ARRAY_SIZE(unit_properties); i++) {
		argv[argc++] = "--property";
		argv[argc++] = net_property(s, unit_properties[i]);
	}
	if (uses_tap(s)) {
		argv[argc++] = "--property";
		argv[argc++] = "DeviceAllow=/dev/net/tun rw";
	}
	argv[argc++] = "--property";
	argv[argc++] = out;
	argv[argc++] = "--property";
	argv[argc++] = err;
	argv[argc++] = "--";
	argv[argc++] = vm_arg;
	argv[argc++] = "--config";
	argv[argc++] = settings_arg;
	argv[argc++] = "--runtime";
	argv[argc++] = rundir_arg;
	argv[argc] = NULL;

	pid = fork();
	if (pid < 0) {
		vmctl_err("cannot start %s: %m", s->name);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		/* systemd-run's own messages stay on our stderr. */
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
			_exit(127);
		close_range(3, ~0U, 0);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "vmctl: cannot run systemd-run: %m\n");
		_exit(127);
	}
	if (waitpid(pid, &wstatus, 0) != pid || !WIFEXITED(wstatus) ||
	    WEXITSTATUS(wstatus)) {
		vmctl_err("%s did not start: systemd-run failed to start %s (if it says the unit exists: systemctl stop %s, or systemctl reset-failed %s)",
			  s->name, unit, unit, unit);
		return -1;
	}
	/*
	 * The unit's main pid, held by a pidfd: a pid read is a pid that may
	 * be reused, so it is read again once the pidfd holds the process.
	 */
	main_pid = unit_main_pid(unit);
	*pidfd = main_pid > 0 ? pidfd_open(main_pid, 0) : -1;
	if (*pidfd < 0 || unit_main_pid(unit) != main_pid) {
		if (*pidfd >= 0)
			close(*pidfd);
		*pidfd = -1;
		/* Not one untracked VM process left running on this UUID. */
		stop_unit(unit);
		vmctl_err("%s did not start: unit %s has no process (journalctl -u %s says more); its log, %s:",
			  s->name, unit, unit, log);
		vmctl_show_log_end(log);
		return -1;
	}
	return main_pid;
}
