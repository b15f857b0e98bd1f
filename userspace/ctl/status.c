// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl status: a VM's run state, from its files, its control socket and
 * the kernel's netlink family (docs/netlink.md): the state, pid, uptime,
 * vCPUs, memory, and each exit's count.  Without a VM: every VM of the
 * root, then the Vireo VMs of the host (root sees all, another user its
 * own) that no folder of the root runs, such as a vireo-vm run by hand.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <linux/vireo.h>

#include "proc.h"
#include "release.h"
#include "safetext.h"
#include "vmctl.h"

static const char *const exit_names[] = {
	[VIREO_A_VCPU_EXITS] = "all",
	[VIREO_A_VCPU_EXITS_IO] = "io",
	[VIREO_A_VCPU_EXITS_MMIO] = "mmio",
	[VIREO_A_VCPU_EXITS_HLT] = "hlt",
	[VIREO_A_VCPU_EXITS_CPUID] = "cpuid",
	[VIREO_A_VCPU_EXITS_MSR] = "msr",
	[VIREO_A_VCPU_EXITS_NPF] = "npf",
	[VIREO_A_VCPU_EXITS_USER] = "userspace",
};

/* The kernel's view of one VM, as the "kernel" object of --json. */
static struct json_object *kernel_object(const struct vmctl_nl_vm *k)
{
	struct json_object *o = json_object_new_object();
	struct json_object *e = json_object_new_object();
	unsigned int i;

	json_object_object_add(o, "vm_id", json_object_new_int64(k->id));
	json_object_object_add(o, "state", json_object_new_string(
		k->state == VIREO_VM_STATE_STOPPED ? "paused" : "running"));
	json_object_object_add(o, "vcpus", json_object_new_int(k->nr_vcpus));
	json_object_object_add(o, "memory", json_object_new_int64(k->memory));
	for (i = VIREO_A_VCPU_EXITS; i <= VIREO_A_VCPU_EXITS_USER; i++)
		json_object_object_add(e, exit_names[i],
				       json_object_new_int64(k->exits[i]));
	json_object_object_add(o, "exits", e);
	return o;
}

/* One VM of the root: what its files, socket and the kernel say. */
static struct json_object *vm_status(const struct vm_settings *s,
				     const char *dir,
				     const struct vmctl_nl_vm *nl, int nr_nl,
				     uint32_t *pid, int *status)
{
	struct json_object *ans = NULL, *o, *v;
	const struct vmctl_nl_vm *k = NULL;
	struct vm_run r;

	*pid = 0;
	if (vmctl_vm_run(s, dir, &r) != VMCTL_OK) {
		r.state = VM_UNKNOWN;	/* said why */
		*status = VMCTL_FAILED;
	}
	if (r.state == VM_RUNNING) {
		ans = vmctl_ask(&r, "status");
		if (ans && json_object_object_get_ex(ans, "state", &v) &&
		    json_object_is_type(v, json_type_string) &&
		    !strcmp(json_object_get_string(v), "paused"))
			r.state = VM_PAUSED;
		k = vmctl_nl_find(nl, nr_nl, r.pid);
		*pid = r.pid;
	}
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "uuid", json_object_new_string(s->uuid));
	json_object_object_add(o, "state", json_object_new_string(
				       vmctl_state_name(r.state)));
	if (r.state == VM_RUNNING || r.state == VM_PAUSED) {
		json_object_object_add(o, "pid", json_object_new_int(r.pid));
		json_object_object_add(o, "upgraded", json_object_new_boolean(
					       proc_exe_replaced(r.pid)));
	}
	if (ans && json_object_object_get_ex(ans, "uptime_ms", &v))
		json_object_object_add(o, "uptime_ms", json_object_get(v));
	if (ans && json_object_object_get_ex(ans, "additions", &v))
		json_object_object_add(o, "additions", json_object_get(v));
	json_object_object_add(o, "vcpus", json_object_new_int(s->cpus));
	json_object_object_add(o, "memory", json_object_new_int64(s->memory));
	if (k)
		json_object_object_add(o, "kernel", kernel_object(k));
	json_object_put(ans);
	return o;
}

/* A VM the kernel has that no folder of the root runs. */
static struct json_object *other_status(const struct vmctl_nl_vm *k)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", NULL);
	json_object_object_add(o, "uuid", NULL);
	json_object_object_add(o, "state", json_object_new_string(
		k->state == VIREO_VM_STATE_STOPPED ? "paused" : "running"));
	json_object_object_add(o, "pid", json_object_new_int(k->pid));
	json_object_object_add(o, "upgraded", json_object_new_boolean(
				       proc_exe_replaced(k->pid)));
	json_object_object_add(o, "uid", json_object_new_int64(k->uid));
	json_object_object_add(o, "vcpus", json_object_new_int(k->nr_vcpus));
	json_object_object_add(o, "memory", json_object_new_int64(k->memory));
	json_object_object_add(o, "kernel", kernel_object(k));
	return o;
}

static long long get_int(struct json_object *o, const char *key,
			 const char *sub)
{
	struct json_object *v;

	if (sub && !json_object_object_get_ex(o, sub, &o))
		return -1;
	return json_object_object_get_ex(o, key, &v) ?
	       json_object_get_int64(v) : -1;
}

static bool is_upgraded(struct json_object *o)
{
	struct json_object *v;

	return json_object_object_get_ex(o, "upgraded", &v) &&
	       json_object_get_boolean(v);
}

/*
 * After a package upgrade: the loaded module older or newer than vmctl,
 * and VM processes that still run the replaced vireo-vm.
 */
static void print_upgrade_notes(struct json_object *vms)
{
	bool many = json_object_is_type(vms, json_type_array);
	unsigned int i, nr = many ? json_object_array_length(vms) : 1;
	char module[64], advice[320];
	int err = release_of_module(module, sizeof(module));

	if (err != -ENOENT &&
	    release_advice("vmctl", vireo_release(), err ? NULL : module,
			   advice, sizeof(advice)))
		fprintf(stderr, "note: %s\n", advice);
	for (i = 0; i < nr; i++) {
		struct json_object *o = many ?
			json_object_array_get_idx(vms, i) : vms;
		struct json_object *v;

		if (!is_upgraded(o))
			continue;
		json_object_object_get_ex(o, "name", &v);
		if (v)
			fprintf(stderr, "note: VM %s runs a vireo-vm that was upgraded since it started: stop and start it to run vireo-vm %s\n",
				json_object_get_string(v), vireo_release());
		else
			fprintf(stderr, "note: pid %lld runs a vireo-vm that was upgraded since it started: restart that VM to run vireo-vm %s\n",
				get_int(o, "pid", NULL), vireo_release());
	}
}

/* A string member, escaped for the terminal: the guest wrote it. */
static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_string) ?
	       safe_text(json_object_get_string(v)) : NULL;
}

/* What the guest additions said of themselves and of the guest. */
static void print_additions(struct json_object *a)
{
	struct json_object *f, *v;
	size_t i;

	printf("%-8s %s\n", "driver",
	       !json_object_object_get_ex(a, "driver", &v) ||
	       !json_object_get_boolean(v) ? "none" :
	       get_str(a, "version") ? get_str(a, "version") : "reported");
	if (get_str(a, "additions_version"))
		printf("%-8s %s\n", "additions", get_str(a, "additions_version"));
	if (get_str(a, "os_product"))
		printf("%-8s %s %s\n", "guest os", get_str(a, "os_product"),
		       get_str(a, "os_release") ? get_str(a, "os_release") : "");
	if (json_object_object_get_ex(a, "facilities", &f))
		for (i = 0; i < json_object_array_length(f); i++) {
			struct json_object *e = json_object_array_get_idx(f, i);

			printf("%-8s %s %s\n", i ? "" : "facility",
			       get_str(e, "facility"), get_str(e, "status"));
		}
	printf("%-8s %s\n", "heartbeat", get_str(a, "heartbeat"));
}

static void print_one(struct json_object *o)
{
	struct json_object *k, *v;
	unsigned int i;

	json_object_object_get_ex(o, "state", &v);
	printf("%-8s %s\n%-8s %s\n", "name",
	       json_object_object_get_ex(o, "name", &k) && k ?
	       json_object_get_string(k) : "-",
	       "state", json_object_get_string(v));
	if (get_int(o, "pid", NULL) >= 0)
		printf("%-8s %lld\n", "pid", get_int(o, "pid", NULL));
	if (get_int(o, "uptime_ms", NULL) >= 0)
		printf("%-8s %lld s\n", "uptime",
		       get_int(o, "uptime_ms", NULL) / 1000);
	printf("%-8s %lld\n%-8s %lldM\n", "vcpus", get_int(o, "vcpus", NULL),
	       "memory", get_int(o, "memory", NULL) >> 20);
	if (json_object_object_get_ex(o, "additions", &k))
		print_additions(k);
	if (!json_object_object_get_ex(o, "kernel", &k))
		return;
	printf("%-8s %lld\n%-8s %lld", "vm id", get_int(k, "vm_id", NULL),
	       "exits", get_int(k, "all", "exits"));
	for (i = VIREO_A_VCPU_EXITS_IO; i <= VIREO_A_VCPU_EXITS_USER; i++)
		printf("%s%s %lld", i == VIREO_A_VCPU_EXITS_IO ? " (" : ", ",
		       exit_names[i], get_int(k, exit_names[i], "exits"));
	printf(")\n");
}

static void print_row(struct json_object *o)
{
	struct json_object *v;
	long long pid = get_int(o, "pid", NULL);

	json_object_object_get_ex(o, "name", &v);
	printf("%-20s ", v ? json_object_get_string(v) : "(no folder)");
	json_object_object_get_ex(o, "state", &v);
	printf("%-8s ", json_object_get_string(v));
	if (pid >= 0)
		printf("%-8lld ", pid);
	else
		printf("%-8s ", "-");
	printf("%5lld %7lldM ", get_int(o, "vcpus", NULL),
	       get_int(o, "memory", NULL) >> 20);
	if (json_object_object_get_ex(o, "kernel", &v))
		printf("%lld\n", get_int(v, "all", "exits"));
	else
		printf("-\n");
}

static void print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Every VM of the root, then the host's others. */
static int status_all(struct vmctl *ctl, bool json,
		      const struct vmctl_nl_vm *nl, int nr_nl)
{
	struct json_object *arr = json_object_new_array();
	uint32_t *pids = calloc(1, sizeof(*pids));
	unsigned int nr, i, n = 0;
	char dir[PATH_MAX];
	char **names = vmctl_vm_names(ctl->root, &nr);
	int j, status = VMCTL_OK;

	for (i = 0; i < nr; i++) {
		struct vm_settings s;
		uint32_t *more;

		if (snprintf(dir, sizeof(dir), "%s/%s", ctl->root,
			     names[i]) >= (int)sizeof(dir) ||
		    vmctl_load_vm(dir, names[i], &s) != VMCTL_OK)
			continue;
		more = realloc(pids, (n + 1) * sizeof(*pids));
		if (more) {
			pids = more;
			json_object_array_add(arr, vm_status(&s, dir, nl,
							     nr_nl, &pids[n],
							     &status));
			n++;
		}
		settings_free(&s);
	}
	for (j = 0; j < nr_nl; j++) {
		bool ours = false;

		for (i = 0; i < n && !ours; i++)
			ours = pids && pids[i] == nl[j].pid;
		/* A process's older VM (before a reset) is not listed. */
		if (!ours && vmctl_nl_find(nl, nr_nl, nl[j].pid) == &nl[j])
			json_object_array_add(arr, other_status(&nl[j]));
	}
	print_upgrade_notes(arr);
	if (json) {
		print_json(arr);
	} else {
		printf("%-20s %-8s %-8s %5s %8s %s\n", "NAME", "STATE", "PID",
		       "VCPUS", "MEMORY", "EXITS");
		for (i = 0; i < json_object_array_length(arr); i++)
			print_row(json_object_array_get_idx(arr, i));
	}
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	free(pids);
	json_object_put(arr);
	return status;
}

int vmctl_cmd_status(struct vmctl *ctl, int argc, char **argv)
{
	bool json = argc > 1 && !strcmp(argv[argc - 1], "--json");
	int nargs = argc - json, nr_nl, status;
	struct vmctl_nl_vm *nl = NULL;
	struct json_object *o;
	char dir[PATH_MAX];
	struct vm_settings s;
	uint32_t pid;

	if (nargs > 2 || (nargs == 2 && argv[1][0] == '-'))
		return vmctl_usage_err(ctl, "status [VM] [--json]");
	/* Without vireo.ko (or netlink) the rest still says much. */
	nr_nl = vmctl_nl_list(&nl);
	if (nr_nl < 0)
		nr_nl = 0;
	if (nargs == 1) {
		status = status_all(ctl, json, nl, nr_nl);
		free(nl);
		return status;
	}
	status = vmctl_find_vm(ctl, argv[1], dir, sizeof(dir), &s);
	if (status != VMCTL_OK) {
		free(nl);
		return status;
	}
	o = vm_status(&s, dir, nl, nr_nl, &pid, &status);
	print_upgrade_notes(o);
	if (json)
		print_json(o);
	else
		print_one(o);
	json_object_put(o);
	settings_free(&s);
	free(nl);
	return status;
}
