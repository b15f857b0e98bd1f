/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's guest property and additions requests
 * (docs/control-protocol.md), over the machine's additions channel
 * (additions.h).  control.c dispatches to them and owns the waits.
 */
#ifndef VIREO_CONTROL_GUESTPROP_H
#define VIREO_CONTROL_GUESTPROP_H

#include <stdbool.h>

struct json_object;
struct machine;
struct guest_prop;

/* The answers every request builds (control.c). */
struct json_object *control_answer(bool ok);
struct json_object *control_refusal(const char *error, const char *message);

/* "guestproperty-get", "-set", "-enumerate"; "guest-shutdown". */
struct json_object *control_prop_get(struct machine *m,
				     struct json_object *req);
struct json_object *control_prop_set(struct machine *m,
				     struct json_object *req);
struct json_object *control_prop_enumerate(struct machine *m,
					   struct json_object *req);
struct json_object *control_guest_shutdown(struct machine *m,
					   struct json_object *req);
/* A change, as subscribers and waits hear it. */
struct json_object *control_prop_object(const struct guest_prop *p);

/* A request's string member, or NULL when absent or not a string. */
const char *control_req_string(struct json_object *req, const char *key);
/* Are the members keys[] (NULL-terminated) strings where present? */
bool control_req_types_ok(struct json_object *req, const char *const *keys);

#endif /* VIREO_CONTROL_GUESTPROP_H */
