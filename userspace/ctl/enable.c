// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl enable and disable: start a VM at boot, or not, through the
 * systemd template unit vireo-vm@NAME.service (packaging/), which runs the
 * VM folders of the system's root, /var/lib/vireo/vms.  VIREO_SYSTEMCTL_ROOT
 * names another file system tree to do it in (systemctl --root: an image
 * being built, or a test), whose var/lib/vireo/vms the VM must then be in.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "util.h"
#include "vmctl.h"

#define SYSTEM_ROOT	"/var/lib/vireo/vms"

/* systemctl [--root=R] VERB vireo-vm@NAME.service: its exit status. */
static int systemctl(const char *root, const char *verb, const char *name)
{
	char unit[96], opt[PATH_MAX + 8];
	int status;
	pid_t pid;

	snprintf(unit, sizeof(unit), "vireo-vm@%s.service", name);
	snprintf(opt, sizeof(opt), "--root=%s", root ? root : "/");
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (root)
			execlp("systemctl", "systemctl", opt, "--quiet", verb,
			       unit, (char *)NULL);
		else
			execlp("systemctl", "systemctl", "--quiet", verb, unit,
			       (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * The unit has a /tmp and /var/tmp of its own (PrivateTmp=yes): boot files
 * there are not the ones the user sees.  Said, not refused: the unit
 * would fail at its start, saying which file it lacks.
 */
static void note_private_tmp(const struct vm_settings *s)
{
	const char *const files[] = { s->kernel, s->initrd, s->rom };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		if (files[i] && (!strncmp(files[i], "/tmp/", 5) ||
				 !strncmp(files[i], "/var/tmp/", 9)))
			fprintf(stderr, "vmctl: note: %s boots %s, which the unit vireo-vm@%s.service cannot see (it has a /tmp of its own): move it, e.g. to /var/lib/vireo, and vmctl modify %s\n",
				s->name, files[i], s->name, s->name);
	}
}

static int enable_or_disable(struct vmctl *ctl, int argc, char **argv,
			     const char *verb)
{
	const char *root = getenv("VIREO_SYSTEMCTL_ROOT");
	char dir[PATH_MAX], want[PATH_MAX], real_root[PATH_MAX];
	char real_want[PATH_MAX];
	struct vm_settings s;
	int status, r;

	if (argc != 2 || argv[1][0] == '-')
		return vmctl_usage_err(ctl, "%s VM", verb);
	if (root && !*root)
		root = NULL;
	status = vmctl_find_vm(ctl, argv[1], dir, sizeof(dir), &s);
	if (status != VMCTL_OK)
		return status;
	snprintf(want, sizeof(want), "%s%s", root ? root : "", SYSTEM_ROOT);
	if (!realpath(ctl->root, real_root) || !realpath(want, real_want) ||
	    strcmp(real_root, real_want)) {
		vmctl_err("%s is in %s; the unit vireo-vm@%s.service runs the VMs of %s: create it there (as root, without --root) to %s it",
			  s.name, ctl->root, s.name, want, verb);
		settings_free(&s);
		return VMCTL_FAILED;
	}
	/*
	 * The template unit's sandbox has no network (PrivateNetwork, no
	 * IP sockets, no /dev/net/tun): a card there would never work.
	 * vmctl start's transient unit opens what a VM's cards need.
	 */
	if (!strcmp(verb, "enable") && s.nr_nets) {
		vmctl_err("%s has network cards, which the unit vireo-vm@%s.service cannot give it yet (its sandbox has no network): start it with vmctl start, or remove them (vmctl modify %s --remove-net N)",
			  s.name, s.name, s.name);
		settings_free(&s);
		return VMCTL_FAILED;
	}
	r = systemctl(root, verb, s.name);
	if (r) {
		vmctl_err(r == 127 ? "%s: cannot run systemctl (is systemd installed?)" :
			  "%s: systemctl %s vireo-vm@%s.service failed (is the unit installed? make install)",
			  s.name, verb, s.name);
		status = VMCTL_FAILED;
	} else {
		if (!strcmp(verb, "enable"))
			note_private_tmp(&s);
		printf("%s %s\n", s.name,
		       !strcmp(verb, "enable") ? "starts at boot" :
						 "no longer starts at boot");
	}
	settings_free(&s);
	return status;
}

int vmctl_cmd_enable(struct vmctl *ctl, int argc, char **argv)
{
	return enable_or_disable(ctl, argc, argv, "enable");
}

int vmctl_cmd_disable(struct vmctl *ctl, int argc, char **argv)
{
	return enable_or_disable(ctl, argc, argv, "disable");
}
