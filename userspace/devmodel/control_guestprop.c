// SPDX-License-Identifier: GPL-2.0
/*
 * Guest properties and the additions over the control socket
 * (control_guestprop.h).  The channel checks names, values and flags;
 * this file turns JSON into its calls and its answers into JSON.
 */
#include <errno.h>
#include <json-c/json.h>
#include <string.h>

#include "additions.h"
#include "control_guestprop.h"
#include "machine.h"

const char *control_req_string(struct json_object *req, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

bool control_req_types_ok(struct json_object *req, const char *const *keys)
{
	struct json_object *v;

	for (; *keys; keys++)
		if (json_object_object_get_ex(req, *keys, &v) &&
		    !json_object_is_type(v, json_type_string))
			return false;
	return true;
}

static const char *const prop_keys[] = { "name", "value", "flags",
					 "patterns", "how", NULL };

static struct json_object *bad_types(void)
{
	return control_refusal("bad-request",
			       "\"name\", \"value\", \"flags\", \"patterns\" and \"how\" are strings");
}

static struct json_object *no_vmmdev(void)
{
	return control_refusal("no-vmmdev",
			       "this VM has no VMMDev (vireo-vm --no-vmmdev): no guest properties");
}

struct json_object *control_prop_object(const struct guest_prop *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(p->name));
	if (!p->deleted) {
		json_object_object_add(o, "value",
				       json_object_new_string(p->value));
		json_object_object_add(o, "flags",
				       json_object_new_string(p->flags));
	}
	json_object_object_add(o, "timestamp",
			       json_object_new_int64((int64_t)p->timestamp));
	if (p->deleted)
		json_object_object_add(o, "deleted",
				       json_object_new_boolean(true));
	return o;
}

struct json_object *control_prop_get(struct machine *m,
				     struct json_object *req)
{
	const char *name = control_req_string(req, "name");
	struct json_object *o, *p;
	struct guest_prop prop;

	if (!control_req_types_ok(req, prop_keys))
		return bad_types();
	if (!m->additions)
		return no_vmmdev();
	if (!name)
		return control_refusal("bad-request", "guestproperty-get needs a \"name\"");
	if (m->additions->prop_get(m->additions_opaque, name, &prop))
		return control_refusal("not-found", "no such property");
	o = control_answer(true);
	p = control_prop_object(&prop);
	json_object_object_foreach(p, key, val)
		json_object_object_add(o, key, json_object_get(val));
	json_object_put(p);
	return o;
}

/* No "value": delete.  No "flags": keep them. */
struct json_object *control_prop_set(struct machine *m,
				     struct json_object *req)
{
	const char *name = control_req_string(req, "name");
	const char *value = control_req_string(req, "value");
	const char *flags = control_req_string(req, "flags");
	char why[160] = "";
	int err;

	if (!control_req_types_ok(req, prop_keys))
		return bad_types();
	if (!m->additions)
		return no_vmmdev();
	if (!name)
		return control_refusal("bad-request", "guestproperty-set needs a \"name\"");
	err = m->additions->prop_set(m->additions_opaque, name, value, flags,
				     0, why, sizeof(why));
	if (err)
		return control_refusal(err == -EPERM ? "read-only" :
				       err == -ENOSPC ? "full" : "invalid",
				       why[0] ? why : strerror(-err));
	return control_answer(true);
}

static void add_to_array(void *arg, const struct guest_prop *p)
{
	json_object_array_add(arg, control_prop_object(p));
}

struct json_object *control_prop_enumerate(struct machine *m,
					   struct json_object *req)
{
	const char *patterns = control_req_string(req, "patterns");
	struct json_object *o, *a;

	if (!control_req_types_ok(req, prop_keys))
		return bad_types();
	if (!m->additions)
		return no_vmmdev();
	a = json_object_new_array();
	m->additions->prop_enum(m->additions_opaque, patterns, add_to_array, a);
	o = control_answer(true);
	json_object_object_add(o, "properties", a);
	return o;
}

struct json_object *control_guest_shutdown(struct machine *m,
					   struct json_object *req)
{
	const char *how = control_req_string(req, "how");
	bool reboot = how && !strcmp(how, "reboot");

	if (!control_req_types_ok(req, prop_keys))
		return bad_types();
	if (!m->additions)
		return no_vmmdev();
	if (how && !reboot && strcmp(how, "poweroff"))
		return control_refusal("bad-request", "\"how\" is poweroff or reboot");
	if (m->additions->shutdown(m->additions_opaque, reboot))
		return control_refusal("not-listening",
				       "no guest additions service runs in the guest");
	return control_answer(true);
}
