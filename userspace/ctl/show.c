// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl show: one VM's settings, as text or as the file itself; the text
 * adds what the guest additions last said of the guest (the running VM's,
 * or those the stopped VM kept).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "guestprops.h"
#include "safetext.h"
#include "vmctl.h"

static void line(const char *key, const char *value)
{
	if (value)
		printf("%-10s %s\n", key, value);
}

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

/* The value of a kept property, or NULL. */
static const char *kept(struct json_object *props, const char *name)
{
	return member(props ? guestprops_find(props, name) : NULL, "value");
}

static void show_additions(const struct vm_settings *s, const char *dir)
{
	struct json_object *ans = NULL, *a = NULL, *props = NULL;
	const char *version, *product, *release;
	char why[200];
	struct vm_run r;

	if (vmctl_vm_run(s, dir, &r) == VMCTL_OK &&
	    (r.state == VM_RUNNING || r.state == VM_PAUSED)) {
		ans = vmctl_ask(&r, "status");
		json_object_object_get_ex(ans, "additions", &a);
		version = member(a, "additions_version");
		product = member(a, "os_product");
		release = member(a, "os_release");
	} else {
		if (guestprops_load(dir, &props, why, sizeof(why)))
			props = NULL;
		version = kept(props, "/VirtualBox/GuestAdd/Version");
		product = kept(props, "/VirtualBox/GuestInfo/OS/Product");
		release = kept(props, "/VirtualBox/GuestInfo/OS/Release");
	}
	if (version)
		line("additions", safe_text(version));
	if (product)
		printf("%-10s %s %s\n", "guest os", safe_text(product),
		       release ? safe_text(release) : "");
	json_object_put(ans);
	json_object_put(props);
}

int vmctl_cmd_show(struct vmctl *ctl, int argc, char **argv)
{
	bool json = argc == 3 && !strcmp(argv[2], "--json");
	char dir[PATH_MAX];
	struct vm_settings s;
	unsigned int i;
	int status;

	if (argc < 2 || argv[1][0] == '-' || argc > 3 || (argc == 3 && !json))
		return vmctl_usage_err(ctl, "show VM [--json]");
	status = vmctl_find_vm(ctl, argv[1], dir, sizeof(dir), &s);
	if (status != VMCTL_OK)
		return status;
	if (json) {
		const char *text = settings_json(&s);

		if (text)
			printf("%s\n", text);
		else
			status = VMCTL_FAILED;
	} else {
		line("name", s.name);
		line("uuid", s.uuid);
		line("folder", dir);
		printf("%-10s %u\n", "cpus", s.cpus);
		printf("%-10s %lluM\n", "memory",
		       (unsigned long long)(s.memory >> 20));
		line("kernel", s.kernel);
		line("initrd", s.initrd);
		line("append", s.append);
		line("rom", s.rom);
		vmctl_show_disks(&s, dir);
		vmctl_show_nets(&s);
		for (i = 0; i < s.nr_devices; i++)
			line("device", s.devices[i]);
		line("vmmdev", s.no_vmmdev ? "no" : NULL);
		/* Only when not COM1, as the file has it. */
		line("console", s.virtio_console ? "virtio" : NULL);
		show_additions(&s, dir);
		if (s.version > SETTINGS_VERSION)
			printf("%-10s %u (a newer Vireo's: read only)\n",
			       "format", s.version);
	}
	settings_free(&s);
	return status;
}
