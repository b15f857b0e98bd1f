// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl modify: the VM's settings, changed, checked whole, then written
 * atomically; on any error the file stays as it was.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmctl.h"

/*
 * Say what --remove-disk left: the image is never deleted, and one in
 * the VM's folder stays there until the VM is deleted.
 */
static void removed_note(const struct vm_settings *s, const char *dir,
			 const struct vmctl_removed_disk *r)
{
	const char *slash = strrchr(r->path, '/');
	size_t n = strlen(dir);
	bool ours = r->path[0] != '/' ||
		    (slash && (size_t)(slash - r->path) == n &&
		     !strncmp(r->path, dir, n));

	printf("%s: disk %d removed; its image %s%s%s is kept%s\n", s->name,
	       r->index, r->path[0] == '/' ? "" : dir,
	       r->path[0] == '/' ? "" : "/", r->path,
	       ours ? " in the VM's folder (delete it yourself if its data is not needed; vmctl delete deletes it with the folder)" :
		      "");
}

int vmctl_cmd_modify(struct vmctl *ctl, int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX], why[512];
	struct vmctl_removed_disk removed = { -1, NULL };
	struct vm_settings s;
	int status;

	if (argc < 2 || argv[1][0] == '-')
		return vmctl_usage_err(ctl, "modify: the VM first");
	if (argc == 2)
		return vmctl_usage_err(ctl, "modify %s: nothing to change",
				       argv[1]);
	/* Read under the lock, so no other vmctl writes in between. */
	status = vmctl_lock(ctl, false);
	if (status != VMCTL_OK)
		return status;
	status = vmctl_find_vm(ctl, argv[1], dir, sizeof(dir), &s);
	if (status != VMCTL_OK)
		return status;
	if (s.version > SETTINGS_VERSION) {
		vmctl_err("%s was written by a newer Vireo (settings format %u): modify it with that one",
			  s.name, s.version);
		status = VMCTL_FAILED;
		goto out;
	}
	status = vmctl_not_running(ctl, &s, dir);
	if (status == VMCTL_OK)
		status = vmctl_parse_vm_options(ctl, argc - 1, argv + 1, &s,
						false, &removed);
	if (status == VMCTL_OK)
		status = vmctl_make_disks(dir, &s);
	if (status != VMCTL_OK)
		goto out;
	vmctl_settings_path(dir, path, sizeof(path));
	if (settings_save(path, &s, why, sizeof(why))) {
		vmctl_err("%s", why);
		vmctl_unmake_disks(dir, &s);
		status = VMCTL_FAILED;
	} else if (removed.path) {
		removed_note(&s, dir, &removed);
	}
out:
	free(removed.path);
	settings_free(&s);
	return status;
}
