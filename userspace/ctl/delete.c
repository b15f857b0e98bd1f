// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl delete: the VM's folder and all in it, or (--keep-files) only its
 * settings file.  The settings go first: a delete cut short leaves no
 * half VM behind, only files.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "vmctl.h"

static dev_t folder_dev;

/*
 * Another file system mounted inside the folder: its files are not the
 * VM's.  Directories are compared (overlayfs reports its files with the
 * device of the layer they come from, its directories with its own).
 */
static int check_mounts(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	if (type == FTW_D && st->st_dev != folder_dev) {
		vmctl_err("%s is another file system's (mounted there): not deleted",
			  path);
		return -1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	if (remove(path)) {
		vmctl_err("cannot remove %s: %m", path);
		return -1;
	}
	return 0;
}

int vmctl_cmd_delete(struct vmctl *ctl, int argc, char **argv)
{
	bool keep = argc == 3 && !strcmp(argv[2], "--keep-files");
	char dir[PATH_MAX], path[PATH_MAX], why[128];
	struct vm_settings s;
	struct stat st;
	int status;

	if (argc < 2 || argv[1][0] == '-' || argc > 3 || (argc == 3 && !keep))
		return vmctl_usage_err(ctl, "delete VM [--keep-files]");
	status = vmctl_lock(ctl, false);
	if (status != VMCTL_OK)
		return status;
	status = vmctl_find_vm(ctl, argv[1], dir, sizeof(dir), &s);
	/*
	 * Unreadable settings: named by its folder, it can still go; but
	 * only a folder, never what a link in the root points to.
	 */
	if (status == VMCTL_FAILED &&
	    !settings_name_check(argv[1], why, sizeof(why)) &&
	    !lstat(dir, &st) && S_ISDIR(st.st_mode))
		vmctl_err("deleting %s although its settings are unreadable",
			  argv[1]);
	else if (status != VMCTL_OK)
		return status;
	if (status == VMCTL_OK) {
		status = vmctl_not_running(ctl, &s, dir);
		settings_free(&s);
		if (status != VMCTL_OK)
			return status;
	}
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode)) {
		vmctl_err("%s: not a folder", dir);
		return VMCTL_FAILED;
	}
	if (vmctl_settings_path(dir, path, sizeof(path))) {
		vmctl_err("%s: path too long", dir);
		return VMCTL_FAILED;
	}
	folder_dev = st.st_dev;
	if (!keep && nftw(dir, check_mounts, 16, FTW_PHYS))
		return VMCTL_FAILED;
	if (unlink(path)) {
		vmctl_err("cannot delete %s: %m", path);
		return VMCTL_FAILED;
	}
	if (keep)
		return VMCTL_OK;
	/* Depth first, not following links out of the folder. */
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS)) {
		vmctl_err("%s: settings deleted, some files left", dir);
		return VMCTL_FAILED;
	}
	return VMCTL_OK;
}
