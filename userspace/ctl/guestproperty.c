// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl guestproperty: the VM's guest properties, VBoxManage's verbs and
 * syntax.  A running VM's come from its VM process (the control socket's
 * guestproperty-* requests); a stopped VM's are those it kept when it
 * stopped (guestprops.h), which get, enumerate, set and delete work on.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "guestprops.h"
#include "patterns.h"
#include "safetext.h"
#include "vmctl.h"

struct gp_args {
	const char *verb;
	const char *vm, *name, *value, *flags, *patterns;
	long long timeout_ms;
	bool verbose, fail_on_timeout, has_value;
};

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "";
}

static long long num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ?
	       json_object_get_int64(v) : 0;
}

static void print_get(const char *value, long long ts, const char *flags,
		      bool verbose)
{
	printf("Value: %s\n", safe_text(value));
	if (verbose) {
		printf("Timestamp: %lld\n", ts);
		printf("Flags: %s\n", safe_text(flags));
	}
}

static int cmp_name(const void *a, const void *b)
{
	struct json_object *const *x = a, *const *y = b;

	return strcmp(str(*x, "name"), str(*y, "name"));
}

/* VBoxManage's old format, sorted by name. */
static void print_list(struct json_object *props)
{
	size_t n = props ? json_object_array_length(props) : 0, i;
	struct json_object **v = calloc(n ? n : 1, sizeof(*v));

	if (!n) {
		printf("No properties found.\n");
		free(v);
		return;
	}
	for (i = 0; i < n; i++)
		v[i] = json_object_array_get_idx(props, i);
	qsort(v, n, sizeof(*v), cmp_name);
	for (i = 0; i < n; i++)
		printf("Name: %s, value: %s, timestamp: %lld, flags: %s\n",
		       safe_text(str(v[i], "name")),
		       safe_text(str(v[i], "value")), num(v[i], "timestamp"),
		       safe_text(str(v[i], "flags")));
	free(v);
}

static int refused(const char *vm, struct json_object *a)
{
	vmctl_err("%s: %s", vm, safe_text(vmctl_answer_message(a)));
	json_object_put(a);
	return VMCTL_FAILED;
}

static struct json_object *request(const char *name)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "request", json_object_new_string(name));
	return req;
}

static void add(struct json_object *o, const char *key, const char *v)
{
	if (v)
		json_object_object_add(o, key, json_object_new_string(v));
}

/* guestproperty wait: a connection that waits for the VM's answer. */
static int running_wait(const struct vm_run *r, const struct gp_args *a,
			const char *vm)
{
	struct json_object *req = request("guestproperty-wait"), *ans = NULL;
	struct vmctl_conn c;
	int status = VMCTL_FAILED;

	add(req, "patterns", a->patterns);
	json_object_object_add(req, "timeout_ms",
			       json_object_new_int64(a->timeout_ms));
	if (!vmctl_connect(r, &c, VMCTL_ANSWER_MS) &&
	    !vmctl_conn_send_json(&c, req, VMCTL_ANSWER_MS))
		ans = vmctl_conn_answer(&c, a->timeout_ms < 0 ? INT32_MAX :
					(int)(a->timeout_ms + VMCTL_ANSWER_MS));
	vmctl_conn_close(&c);
	json_object_put(req);
	if (vmctl_answer_ok(ans)) {
		if (json_object_object_get_ex(ans, "deleted", NULL))
			printf("Property %s was deleted\n",
			       safe_text(str(ans, "name")));
		else
			printf("Name: %s, value: %s, flags: %s\n",
			       safe_text(str(ans, "name")),
			       safe_text(str(ans, "value")),
			       safe_text(str(ans, "flags")));
		status = VMCTL_OK;
	} else if (!strcmp(vmctl_answer_error(ans), "timeout")) {
		vmctl_err("Time out or interruption while waiting for a notification.");
		status = a->fail_on_timeout ? VMCTL_USAGE : VMCTL_OK;
	} else {
		vmctl_err("%s: %s", vm, safe_text(vmctl_answer_message(ans)));
	}
	json_object_put(ans);
	return status;
}

static int running(const struct vm_run *r, const struct gp_args *a,
		   const char *vm)
{
	struct json_object *req, *ans, *v;
	bool set = !strcmp(a->verb, "set") || !strcmp(a->verb, "delete");

	if (!strcmp(a->verb, "wait"))
		return running_wait(r, a, vm);
	req = request(!strcmp(a->verb, "get") ? "guestproperty-get" :
		      set ? "guestproperty-set" : "guestproperty-enumerate");
	add(req, "name", a->name);
	add(req, "value", a->has_value ? a->value : NULL);
	add(req, "flags", a->flags);
	add(req, "patterns", a->patterns);
	ans = vmctl_ask_json(r, req);
	json_object_put(req);
	if (!strcmp(a->verb, "get") &&
	    !strcmp(vmctl_answer_error(ans), "not-found")) {
		printf("No value set!\n");
		json_object_put(ans);
		return VMCTL_OK;
	}
	if (!vmctl_answer_ok(ans))
		return refused(vm, ans);
	if (!strcmp(a->verb, "get"))
		print_get(str(ans, "value"), num(ans, "timestamp"),
			  str(ans, "flags"), a->verbose);
	else if (!set && json_object_object_get_ex(ans, "properties", &v))
		print_list(v);
	json_object_put(ans);
	return VMCTL_OK;
}

/* A stopped VM: what it kept (guestprops.h). */
static int stopped(const char *dir, const struct gp_args *a, const char *vm)
{
	struct json_object *props = NULL, *list, *p;
	char why[200];
	size_t i;
	int err, status = VMCTL_OK;

	if (!strcmp(a->verb, "wait")) {
		vmctl_err("%s is not running: nothing can change", vm);
		return VMCTL_STATE;
	}
	err = guestprops_load(dir, &props, why, sizeof(why));
	if (err) {
		vmctl_err("%s: %s", vm, why);
		return VMCTL_FAILED;
	}
	if (!strcmp(a->verb, "set") || !strcmp(a->verb, "delete")) {
		err = guestprops_set(props, a->name,
				     a->has_value ? a->value : NULL, a->flags,
				     why, sizeof(why));
		if (!err)
			err = guestprops_save(dir, props, why, sizeof(why));
		if (err) {
			vmctl_err("%s: %s", vm, why);
			status = VMCTL_FAILED;
		}
	} else if (!strcmp(a->verb, "get")) {
		p = guestprops_find(props, a->name);
		if (p)
			print_get(str(p, "value"), num(p, "timestamp"),
				  str(p, "flags"), a->verbose);
		else
			printf("No value set!\n");
	} else {
		list = json_object_new_array();
		for (i = 0; i < json_object_array_length(props); i++) {
			p = json_object_array_get_idx(props, i);
			if (patterns_match(a->patterns, str(p, "name")))
				json_object_array_add(list,
						      json_object_get(p));
		}
		print_list(list);
		json_object_put(list);
	}
	json_object_put(props);
	return status;
}

static int parse(struct vmctl *ctl, int argc, char **argv, struct gp_args *a)
{
	static char patterns[4096];
	size_t plen = 0;
	int i, pos = 0;
	const char *positional[3] = { NULL };

	*a = (struct gp_args) { .timeout_ms = -1 };
	if (argc < 3)
		return vmctl_usage_err(ctl, "guestproperty get|set|delete|enumerate|wait VM ...");
	a->verb = argv[1];
	if (!strcmp(a->verb, "unset"))
		a->verb = "delete";
	if (!strcmp(a->verb, "enum"))
		a->verb = "enumerate";
	a->vm = argv[2];
	patterns[0] = '\0';
	for (i = 3; i < argc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--verbose")) {
			a->verbose = true;
		} else if ((!strcmp(o, "--flags") || !strcmp(o, "-flags")) &&
			   i + 1 < argc) {
			a->flags = argv[++i];
		} else if (!strcmp(o, "--timeout") && i + 1 < argc) {
			char *end;

			a->timeout_ms = strtoll(argv[++i], &end, 10);
			if (*end || a->timeout_ms < 0 ||
			    a->timeout_ms > INT32_MAX - VMCTL_ANSWER_MS)
				return vmctl_usage_err(ctl, "--timeout %s: milliseconds",
						       argv[i]);
		} else if (!strcmp(o, "--fail-on-timeout")) {
			a->fail_on_timeout = true;
		} else if (!strcmp(o, "--patterns") && i + 1 < argc) {
			a->patterns = argv[++i];
		} else if (o[0] == '-' && o[1] == '-') {
			return vmctl_usage_err(ctl, "guestproperty %s: %s: unknown option",
					       a->verb, o);
		} else if (!strcmp(a->verb, "enumerate")) {
			/* Several pattern arguments: one list. */
			plen += snprintf(patterns + plen,
					 plen < sizeof(patterns) ?
					 sizeof(patterns) - plen : 0,
					 "%s%s", plen ? "|" : "", o);
			if (plen >= sizeof(patterns))
				return vmctl_usage_err(ctl, "patterns too long");
			a->patterns = patterns;
		} else if (pos < 3) {
			positional[pos++] = o;
		} else {
			return vmctl_usage_err(ctl, "guestproperty %s: %s: unexpected",
					       a->verb, o);
		}
	}
	if (!strcmp(a->verb, "wait")) {
		if (pos != 1)
			return vmctl_usage_err(ctl, "guestproperty wait VM PATTERNS [--timeout MS] [--fail-on-timeout]");
		a->patterns = positional[0];
		return VMCTL_OK;
	}
	if (!strcmp(a->verb, "enumerate"))
		return VMCTL_OK;
	a->name = positional[0];
	if (!a->name || (!strcmp(a->verb, "get") && pos != 1) ||
	    (!strcmp(a->verb, "delete") && pos != 1) ||
	    (!strcmp(a->verb, "set") && pos > 2) ||
	    (strcmp(a->verb, "get") && strcmp(a->verb, "set") &&
	     strcmp(a->verb, "delete")))
		return vmctl_usage_err(ctl, "guestproperty get VM NAME | set VM NAME [VALUE [--flags F]] | delete VM NAME | enumerate VM [PATTERNS] | wait VM PATTERNS");
	/* set without a value deletes, as VBoxManage's does. */
	a->value = positional[1];
	a->has_value = !strcmp(a->verb, "set") && a->value;
	if (a->flags && !a->has_value)
		return vmctl_usage_err(ctl, "--flags goes with a value");
	return VMCTL_OK;
}

int vmctl_cmd_guestproperty(struct vmctl *ctl, int argc, char **argv)
{
	char dir[PATH_MAX];
	struct vm_settings s;
	struct vm_run r;
	struct gp_args a;
	int status;

	status = parse(ctl, argc, argv, &a);
	if (status != VMCTL_OK)
		return status;
	status = vmctl_find_vm(ctl, a.vm, dir, sizeof(dir), &s);
	if (status != VMCTL_OK)
		return status;
	if (vmctl_vm_run(&s, dir, &r) == 0 &&
	    (r.state == VM_RUNNING || r.state == VM_PAUSED))
		status = running(&r, &a, s.name);
	else
		status = stopped(dir, &a, s.name);
	settings_free(&s);
	return status;
}
