// SPDX-License-Identifier: GPL-2.0
/*
 * Finding a VM in the root: by name (its folder), or by UUID (the one
 * folder whose settings have it).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include "vmctl.h"

int vmctl_settings_path(const char *dir, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dir, SETTINGS_FILE);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * Load the settings of the VM folder dir (ROOT/NAME): VMCTL_OK (a newer
 * version read only), VMCTL_NO_VM (no folder, or no settings in it), or
 * VMCTL_FAILED with the reason printed.  The folder must be one, not a
 * link to one elsewhere, and its settings must name it: a copied folder
 * (the same VM twice) is refused until renamed back or deleted.
 */
int vmctl_load_vm(const char *dir, const char *folder, struct vm_settings *s)
{
	char path[PATH_MAX], why[512];
	struct stat st;
	int err;

	if (lstat(dir, &st))
		return VMCTL_NO_VM;
	if (!S_ISDIR(st.st_mode)) {
		vmctl_err("%s: not a folder (a link?): not a VM", dir);
		return VMCTL_FAILED;
	}
	if (vmctl_settings_path(dir, path, sizeof(path))) {
		vmctl_err("%s: path too long", dir);
		return VMCTL_FAILED;
	}
	err = settings_load(path, s, why, sizeof(why));
	if (err == -ENOENT)
		return VMCTL_NO_VM;
	if (err && err != -EPROTO) {
		vmctl_err("%s", why);
		return VMCTL_FAILED;
	}
	if (strcmp(s->name, folder)) {
		vmctl_err("%s holds the settings of VM %s (a copied folder?): rename the folder back to %s, or delete it",
			  dir, s->name, s->name);
		settings_free(s);
		return VMCTL_FAILED;
	}
	return VMCTL_OK;
}

/* The one folder whose settings have the UUID; two is an error. */
static int find_by_uuid(struct vmctl *ctl, const char *uuid, char *dir,
			size_t len, struct vm_settings *s)
{
	DIR *d = opendir(ctl->root);
	char first[PATH_MAX] = "", here[PATH_MAX], why[128];
	struct vm_settings t;
	struct dirent *e;
	int found = VMCTL_NO_VM;

	if (!d)
		return VMCTL_NO_VM;
	while ((e = readdir(d))) {
		if (settings_name_check(e->d_name, why, sizeof(why)))
			continue;
		if (snprintf(here, sizeof(here), "%s/%s", ctl->root,
			     e->d_name) >= (int)sizeof(here))
			continue;
		if (vmctl_load_vm(here, e->d_name, &t) != VMCTL_OK)
			continue;
		if (strcasecmp(t.uuid, uuid)) {
			settings_free(&t);
			continue;
		}
		if (found == VMCTL_OK) {
			vmctl_err("UUID %s is both %s's and %s's: name the VM instead",
				  uuid, first, e->d_name);
			settings_free(&t);
			settings_free(s);
			found = VMCTL_FAILED;
			break;
		}
		snprintf(first, sizeof(first), "%s", e->d_name);
		snprintf(dir, len, "%s", here);
		*s = t;
		found = VMCTL_OK;
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
		if (snprintf(dir, len, "%s/%s", ctl->root, vm) >= (int)len) {
			vmctl_err("%s/%s: path too long", ctl->root, vm);
			return VMCTL_FAILED;
		}
		status = vmctl_load_vm(dir, vm, s);
		if (status != VMCTL_NO_VM)
			return status;
	}
	if (strlen(vm) == 36 && !uuid_parse(vm, u))
		status = find_by_uuid(ctl, vm, dir, len, s);
	if (status == VMCTL_NO_VM)
		vmctl_err("no VM %s in %s (see `vmctl list`)", vm, ctl->root);
	return status;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **vmctl_vm_names(const char *root, unsigned int *nr)
{
	DIR *d = opendir(root);
	char **names = NULL, **grown;
	unsigned int n = 0;
	struct dirent *e;
	char why[128];

	*nr = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (settings_name_check(e->d_name, why, sizeof(why)))
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	*nr = n;
	return names;
}
