// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl create: a folder ROOT/NAME with the settings file and the new disk
 * images, made whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "vmctl.h"

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -1;
	if (fsync(fd))
		err = -1;
	close(fd);
	return err;
}

int vmctl_cmd_create(struct vmctl *ctl, int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX], why[512];
	struct vm_settings s;
	int status, err;

	if (argc < 2 || argv[1][0] == '-')
		return vmctl_usage_err(ctl, "create: the VM's NAME first");
	if (settings_name_check(argv[1], why, sizeof(why)))
		return vmctl_usage_err(ctl, "%s", why);
	if (settings_init(&s, argv[1])) {
		vmctl_err("out of memory");
		return VMCTL_FAILED;
	}
	status = vmctl_parse_vm_options(ctl, argc - 1, argv + 1, &s, true,
					NULL);
	if (status == VMCTL_OK)
		status = vmctl_lock(ctl, true);
	if (status != VMCTL_OK)
		goto out;
	if (snprintf(dir, sizeof(dir), "%s/%s", ctl->root, s.name) >=
	    (int)sizeof(dir) || vmctl_settings_path(dir, path, sizeof(path))) {
		vmctl_err("%s/%s: path too long", ctl->root, s.name);
		status = VMCTL_FAILED;
		goto out;
	}
	if (mkdir(dir, 0755)) {
		if (errno == EEXIST)
			vmctl_err("a VM named %s exists already in %s: choose another name, or `vmctl delete %s` first",
				  s.name, ctl->root, s.name);
		else
			vmctl_err("cannot create %s: %m", dir);
		status = VMCTL_FAILED;
		goto out;
	}
	/* The images first: the settings never name one that is not there. */
	if (vmctl_make_disks(dir, &s) != VMCTL_OK) {
		rmdir(dir);
		status = VMCTL_FAILED;
		goto out;
	}
	err = settings_save(path, &s, why, sizeof(why));
	/* The new folder's entry in the root, on disk before the UUID is. */
	if (!err && fsync_dir(ctl->root)) {
		snprintf(why, sizeof(why), "cannot sync %s: %m", ctl->root);
		err = -EIO;
	}
	if (err) {
		vmctl_err("%s", why);
		vmctl_unmake_disks(dir, &s);
		unlink(path);
		rmdir(dir);
		status = VMCTL_FAILED;
		goto out;
	}
	printf("%s\n", s.uuid);
out:
	settings_free(&s);
	return status;
}
