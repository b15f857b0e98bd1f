// SPDX-License-Identifier: GPL-2.0
/*
 * Finding a VM in the root: by name (its folder), or by UUID (the one
 * folder whose settings have it).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "vmctl.h"

int vmctl_settings_path(const char *dir, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dir, SETTINGS_FILE);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Load dir's settings: VMCTL_OK (a newer version read only), or not. */
static int load(const char *dir, struct vm_settings *s, bool quiet_enoent)
{
	char path[PATH_MAX], why[512];
	int err;

	if (vmctl_settings_path(dir, path, sizeof(path)))
		return VMCTL_FAILED;
	err = settings_load(path, s, why, sizeof(why));
	if (err == -ENOENT && quiet_enoent)
		return VMCTL_NO_VM;
	if (err && err != -EPROTO) {
		vmctl_err("%s", why);
		return err == -ENOENT ? VMCTL_NO_VM : VMCTL_FAILED;
	}
	return VMCTL_OK;
}

static int find_by_uuid(struct vmctl *ctl, const char *uuid, char *dir,
			size_t len, struct vm_settings *s)
{
	DIR *d = opendir(ctl->root);
	struct dirent *e;
	int found = VMCTL_NO_VM;

	if (!d)
		return VMCTL_NO_VM;
	while (found == VMCTL_NO_VM && (e = readdir(d))) {
		char why[128];

		if (settings_name_check(e->d_name, why, sizeof(why)))
			continue;
		if (snprintf(dir, len, "%s/%s", ctl->root, e->d_name) >=
		    (int)len)
			continue;
		if (load(dir, s, true) != VMCTL_OK)
			continue;
		if (!strcasecmp(s->uuid, uuid))
			found = VMCTL_OK;
		else
			settings_free(s);
	}
	closedir(d);
	return found;
}

int vmctl_find_vm(struct vmctl *ctl, const char *vm, char *dir, size_t len,
		  struct vm_settings *s)
{
	char why[128];
	uuid_t u;
	int status = VMCTL_NO_VM;

	if (!settings_name_check(vm, why, sizeof(why))) {
		if (snprintf(dir, len, "%s/%s", ctl->root, vm) >= (int)len)
			return VMCTL_FAILED;
		status = load(dir, s, true);
		if (status != VMCTL_NO_VM)
			return status;
	}
	if (strlen(vm) == 36 && !uuid_parse(vm, u))
		status = find_by_uuid(ctl, vm, dir, len, s);
	if (status == VMCTL_NO_VM)
		vmctl_err("no VM %s in %s (see `vmctl list`)", vm, ctl->root);
	return status;
}
