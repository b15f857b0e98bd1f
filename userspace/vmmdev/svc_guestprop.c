// SPDX-License-Identifier: GPL-2.0
/*
 * The guest property service, "VBoxGuestPropSvc" (guestprop.h): named
 * string values shared by host and guest, each with a timestamp and
 * flags, VirtualBox's limits and rules:
 *
 *  - names of 1 to 63 characters without '*', '?' or '|'; values up to
 *    1023; at most 256 properties;
 *  - RDONLYGUEST and RDONLYHOST say which side may not change or delete
 *    a property; names under the host's own prefixes (/VirtualBox/
 *    HostInfo/, /VirtualBox/VMInfo/, ...) are read-only to the guest;
 *  - TRANSIENT properties are not kept when the VM stops, TRANSRESET
 *    ones not even across a guest reset;
 *  - every change goes into a history of the last 256, with a unique
 *    rising timestamp; a guest's WAIT returns the first change after the
 *    timestamp it gives that matches its patterns, or is kept until one
 *    comes (it is completed then, or cancelled by the guest).
 *
 * The host's side (vmmdev_host.c) works on the same store, under the
 * same device lock, and hears of every change.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <vmmdev/vbox_status.h>

#include "guestprops.h"
#include "machine.h"
#include "patterns.h"
#include "release.h"
#include "svc_guestprop.h"
#include "util.h"
#include "vmmdev_dev.h"

/* Property slots only the host may fill. */
#define GUESTPROP_HOST_RESERVED	16

struct gp_prop {
	bool used;
	char name[GUESTPROP_MAX_NAME_LEN];
	char value[GUESTPROP_MAX_VALUE_LEN];
	uint32_t flags;
	uint64_t ts;
};

struct gp_wait {
	struct gp_wait *next;
	struct hgcm_call *call;
	uint32_t client_id;
	char patterns[GUESTPROP_MAX_PATTERNS_LEN + 1];
};

struct gp_svc {
	struct vmmdev *vd;
	struct gp_prop props[GUESTPROP_MAX_PROPS];
	unsigned int nr_props;
	/* The change history, a ring: oldest at head. */
	struct guest_prop history[GUESTPROP_MAX_NOTIFICATIONS];
	unsigned int hist_head, hist_len;
	uint64_t last_ts;
	uint64_t resets;
	struct gp_wait *waits;
};

/* Names the guest may not write (VirtualBox reserves them for the host). */
static const char *const host_prefixes[] = {
	"/VirtualBox/GuestAdd/VBoxService/",
	"/VirtualBox/GuestAdd/PAM/",
	"/VirtualBox/GuestAdd/Greeter/",
	"/VirtualBox/GuestAdd/SharedFolders/",
	"/VirtualBox/HostInfo/",
	"/VirtualBox/VMInfo/",
};

static bool name_valid(const char *name)
{
	return guestprops_name_valid(name);
}

static bool host_only(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(host_prefixes); i++)
		if (!strncmp(name, host_prefixes[i], strlen(host_prefixes[i])))
			return true;
	return false;
}

static struct gp_prop *prop_find(struct gp_svc *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < GUESTPROP_MAX_PROPS; i++)
		if (s->props[i].used && !strcmp(s->props[i].name, name))
			return &s->props[i];
	return NULL;
}

/* Unique and rising, as VirtualBox makes them. */
static uint64_t next_ts(struct gp_svc *s, uint64_t want)
{
	struct timespec ts;

	if (!want) {
		clock_gettime(CLOCK_REALTIME, &ts);
		want = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	if (want <= s->last_ts)
		want = s->last_ts + 1;
	s->last_ts = want;
	return want;
}

static void to_guest_prop(const struct gp_prop *p, struct guest_prop *out)
{
	snprintf(out->name, sizeof(out->name), "%s", p->name);
	snprintf(out->value, sizeof(out->value), "%s", p->value);
	guestprops_flags_string(p->flags, out->flags);
	out->timestamp = p->ts;
	out->deleted = false;
}

/* The WAIT answer: name\0value\0flags\0deleted\0. */
static int wait_answer(struct hgcm_call *call, const struct guest_prop *e)
{
	char buf[GUESTPROP_MAX_NAME_LEN + GUESTPROP_MAX_VALUE_LEN +
		 GUESTPROP_MAX_FLAGS_LEN + 8];
	int len;

	len = snprintf(buf, sizeof(buf), "%s%c%s%c%s%c%c", e->name, 0,
		       e->deleted ? "" : e->value, 0,
		       e->deleted ? "" : e->flags, 0, e->deleted ? '1' : '0');
	len++;		/* the last NUL */
	call->parm[3].u32 = (uint32_t)len;
	if (call->parm[2].buf.size < (uint32_t)len)
		return VERR_BUFFER_OVERFLOW;
	call->parm[1].u64 = e->timestamp;
	return hgcm_buf_write(call, 2, 0, buf, (uint32_t)len);
}

static void wait_remove(struct gp_svc *s, struct gp_wait *w)
{
	struct gp_wait **pp;

	for (pp = &s->waits; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			free(w);
			return;
		}
	}
}

/* A change: into the history, to the waiting guests and the host. */
static void changed(struct gp_svc *s, const struct guest_prop *e)
{
	struct gp_wait *w, *next;
	struct machine *m = s->vd->m;
	unsigned int slot;

	slot = (s->hist_head + s->hist_len) % GUESTPROP_MAX_NOTIFICATIONS;
	if (s->hist_len == GUESTPROP_MAX_NOTIFICATIONS)
		s->hist_head = (s->hist_head + 1) % GUESTPROP_MAX_NOTIFICATIONS;
	else
		s->hist_len++;
	s->history[slot] = *e;
	for (w = s->waits; w; w = next) {
		struct hgcm_call *call = w->call;
		int rc;

		next = w->next;
		if (!patterns_match(w->patterns, e->name))
			continue;
		call->svc_data = NULL;
		wait_remove(s, w);
		rc = wait_answer(call, e);
		hgcm_complete(call, rc);
	}
	if (m->prop_changed)
		m->prop_changed(m->prop_changed_opaque, e);
}

/* Set or delete (value NULL), checked already; ts 0: now. */
static int prop_store(struct gp_svc *s, struct gp_prop *p, const char *name,
		      const char *value, uint32_t flags, uint64_t ts)
{
	struct guest_prop e = { 0 };
	unsigned int i;

	if (!value) {
		if (!p)
			return VINF_SUCCESS;
		snprintf(e.name, sizeof(e.name), "%s", p->name);
		e.deleted = true;
		e.timestamp = next_ts(s, 0);
		p->used = false;
		s->nr_props--;
		changed(s, &e);
		return VINF_SUCCESS;
	}
	if (!p) {
		if (s->nr_props == GUESTPROP_MAX_PROPS)
			return VERR_TOO_MUCH_DATA;
		for (i = 0; s->props[i].used; i++)
			;
		p = &s->props[i];
		p->used = true;
		s->nr_props++;
		snprintf(p->name, sizeof(p->name), "%s", name);
	}
	snprintf(p->value, sizeof(p->value), "%s", value);
	p->flags = flags;
	p->ts = next_ts(s, ts);
	to_guest_prop(p, &e);
	changed(s, &e);
	return VINF_SUCCESS;
}

/* Parameters of the types a function takes: 'b' buffer, 'l' u32, 'q' u64. */
static bool parms_are(const struct hgcm_call *call, const char *kinds)
{
	unsigned int i;

	if (call->parm_count != strlen(kinds))
		return false;
	for (i = 0; i < call->parm_count; i++) {
		enum hgcm_parm_kind want = kinds[i] == 'b' ? HGCM_PARM_BUF :
					   kinds[i] == 'l' ? HGCM_PARM_U32 :
					   HGCM_PARM_U64;

		if (call->parm[i].kind != want)
			return false;
	}
	return true;
}

static int fn_get(struct gp_svc *s, struct hgcm_call *call)
{
	char name[GUESTPROP_MAX_NAME_LEN], flags[GUESTPROP_MAX_FLAGS_LEN + 1];
	char *out;
	struct gp_prop *p;
	uint32_t vlen, flen;
	int rc;

	if (!parms_are(call, "bbql"))
		return VERR_INVALID_PARAMETER;
	rc = hgcm_buf_string(call, 0, name, sizeof(name));
	if (rc != VINF_SUCCESS)
		return rc;
	if (!name_valid(name))
		return VERR_INVALID_PARAMETER;
	p = prop_find(s, name);
	if (!p)
		return VERR_NOT_FOUND;
	guestprops_flags_string(p->flags, flags);
	vlen = strlen(p->value) + 1;
	flen = strlen(flags) + 1;
	call->parm[3].u32 = vlen + flen;
	if (call->parm[1].buf.size < vlen + flen)
		return VERR_BUFFER_OVERFLOW;
	out = malloc(vlen + flen);
	if (!out)
		return VERR_NO_MEMORY;
	memcpy(out, p->value, vlen);
	memcpy(out + vlen, flags, flen);
	rc = hgcm_buf_write(call, 1, 0, out, vlen + flen);
	free(out);
	if (rc == VINF_SUCCESS)
		call->parm[2].u64 = p->ts;
	return rc;
}

/* What the guest may not change: a check shared by SET and DEL. */
static int guest_may_write(struct gp_svc *s, const char *name,
			   struct gp_prop *p)
{
	if (!name_valid(name))
		return VERR_INVALID_PARAMETER;
	if (host_only(name))
		return VERR_PERMISSION_DENIED;
	if (p && (p->flags & GUESTPROP_F_RDONLYGUEST))
		return VERR_PERMISSION_DENIED;
	return VINF_SUCCESS;
}

static int fn_set(struct gp_svc *s, struct hgcm_call *call)
{
	char name[GUESTPROP_MAX_NAME_LEN], value[GUESTPROP_MAX_VALUE_LEN];
	char flags_s[GUESTPROP_MAX_FLAGS_LEN + 1];
	uint32_t flags = 0;
	struct gp_prop *p;
	int rc;

	if (!parms_are(call, "bb") && !parms_are(call, "bbb"))
		return VERR_INVALID_PARAMETER;
	rc = hgcm_buf_string(call, 0, name, sizeof(name));
	if (rc == VINF_SUCCESS)
		rc = hgcm_buf_string(call, 1, value, sizeof(value));
	if (rc == VINF_SUCCESS && call->parm_count == 3) {
		rc = hgcm_buf_string(call, 2, flags_s, sizeof(flags_s));
		if (rc == VERR_TOO_MUCH_DATA ||
		    (rc == VINF_SUCCESS &&
		     guestprops_flags_parse(flags_s, &flags)))
			rc = VERR_PARSE_ERROR;
	}
	if (rc != VINF_SUCCESS)
		return rc;
	p = prop_find(s, name);
	rc = guest_may_write(s, name, p);
	if (rc != VINF_SUCCESS)
		return rc;
	/*
	 * The guest may not take a property from the host (it would be
	 * kept, and the host could never delete it), nor fill every slot
	 * (the host's own, as its power request, need room).
	 */
	if (flags & GUESTPROP_F_RDONLYHOST)
		return VERR_PERMISSION_DENIED;
	if (!p && s->nr_props >= GUESTPROP_MAX_PROPS - GUESTPROP_HOST_RESERVED)
		return VERR_TOO_MUCH_DATA;
	return prop_store(s, p, name, value, flags, 0);
}

static int fn_del(struct gp_svc *s, struct hgcm_call *call)
{
	char name[GUESTPROP_MAX_NAME_LEN];
	struct gp_prop *p;
	int rc;

	if (!parms_are(call, "b"))
		return VERR_INVALID_PARAMETER;
	rc = hgcm_buf_string(call, 0, name, sizeof(name));
	if (rc != VINF_SUCCESS)
		return rc;
	p = prop_find(s, name);
	rc = guest_may_write(s, name, p);
	if (rc != VINF_SUCCESS)
		return rc;
	return prop_store(s, p, name, NULL, 0, 0);
}

/*
 * Patterns: '|' or NUL between alternatives (ENUM's callers pack them
 * either way), trailing NULs dropped.  0, or a VBox error.
 */
static int read_patterns(struct hgcm_call *call, unsigned int i, char *out)
{
	uint32_t size = call->parm[i].buf.size, k;
	int rc;

	out[0] = '\0';
	if (!size)
		return VINF_SUCCESS;
	if (size > GUESTPROP_MAX_PATTERNS_LEN)
		return VERR_TOO_MUCH_DATA;
	rc = hgcm_buf_read(call, i, 0, out, size);
	if (rc != VINF_SUCCESS)
		return rc;
	while (size && !out[size - 1])
		size--;
	out[size] = '\0';
	for (k = 0; k < size; k++)
		if (!out[k])
			out[k] = '|';
	return VINF_SUCCESS;
}

static int fn_enum(struct gp_svc *s, struct hgcm_call *call)
{
	char patterns[GUESTPROP_MAX_PATTERNS_LEN + 1];
	char flags[GUESTPROP_MAX_FLAGS_LEN + 1];
	char *out;
	size_t cap = 4, len = 0;
	unsigned int i;
	int rc;

	if (!parms_are(call, "bbl"))
		return VERR_INVALID_PARAMETER;
	rc = read_patterns(call, 0, patterns);
	if (rc != VINF_SUCCESS)
		return rc;
	for (i = 0; i < GUESTPROP_MAX_PROPS; i++)
		if (s->props[i].used)
			cap += sizeof(struct guest_prop) + 24;
	out = malloc(cap);
	if (!out)
		return VERR_NO_MEMORY;
	for (i = 0; i < GUESTPROP_MAX_PROPS; i++) {
		const struct gp_prop *p = &s->props[i];

		if (!p->used || !patterns_match(patterns, p->name))
			continue;
		guestprops_flags_string(p->flags, flags);
		len += snprintf(out + len, cap - len, "%s%c%s%c%" PRIu64 "%c%s",
				p->name, 0, p->value, 0, p->ts, 0, flags) + 1;
	}
	memset(out + len, 0, 4);
	len += 4;
	call->parm[2].u32 = (uint32_t)len;
	rc = call->parm[1].buf.size < len ? VERR_BUFFER_OVERFLOW :
	     hgcm_buf_write(call, 1, 0, out, (uint32_t)len);
	free(out);
	return rc;
}

/* The history's entry after the one at ts (or the oldest), matching. */
static const struct guest_prop *history_after(struct gp_svc *s,
					      const char *patterns,
					      uint64_t ts, bool *known)
{
	unsigned int i, start = 0;

	*known = !ts;
	for (i = 0; ts && i < s->hist_len; i++) {
		if (s->history[(s->hist_head + i) %
			       GUESTPROP_MAX_NOTIFICATIONS].timestamp == ts) {
			*known = true;
			start = i + 1;
			break;
		}
	}
	if (!ts)
		return NULL;	/* 0: the next change, not a past one */
	for (i = start; i < s->hist_len; i++) {
		const struct guest_prop *e =
			&s->history[(s->hist_head + i) %
				    GUESTPROP_MAX_NOTIFICATIONS];

		if ((*known || e->timestamp > ts) &&
		    patterns_match(patterns, e->name))
			return e;
	}
	return NULL;
}

static int fn_wait(struct gp_svc *s, struct hgcm_call *call)
{
	const struct guest_prop *e;
	struct gp_wait *w, *old;
	unsigned int n = 0;
	bool known;
	int rc;

	if (!parms_are(call, "bqbl"))
		return VERR_INVALID_PARAMETER;
	w = calloc(1, sizeof(*w));
	if (!w)
		return VERR_NO_MEMORY;
	rc = read_patterns(call, 0, w->patterns);
	if (rc != VINF_SUCCESS) {
		free(w);
		return rc;
	}
	e = history_after(s, w->patterns, call->parm[1].u64, &known);
	if (e) {
		free(w);
		rc = wait_answer(call, e);
		return rc == VINF_SUCCESS && !known ? VWRN_NOT_FOUND : rc;
	}
	/* The same wait again from a client ends the older one. */
	for (old = s->waits; old; old = old->next) {
		if (old->client_id != call->client_id)
			continue;
		if (!strcmp(old->patterns, w->patterns)) {
			struct hgcm_call *oc = old->call;

			wait_remove(s, old);
			hgcm_complete(oc, VERR_INTERRUPTED);
			break;
		}
		n++;
	}
	if (n >= GUESTPROP_MAX_WAITS_PER_CLIENT) {
		free(w);
		return VERR_OUT_OF_RESOURCES;
	}
	w->call = call;
	w->client_id = call->client_id;
	w->next = s->waits;
	s->waits = w;
	call->svc_data = w;
	return VINF_HGCM_ASYNC_EXECUTE;
}

static int gp_call(void *svc, struct hgcm_call *call)
{
	struct gp_svc *s = svc;

	switch (call->function) {
	case GUESTPROP_FN_GET:
		return fn_get(s, call);
	case GUESTPROP_FN_SET:
	case GUESTPROP_FN_SET_VALUE:
		return fn_set(s, call);
	case GUESTPROP_FN_DEL:
		return fn_del(s, call);
	case GUESTPROP_FN_ENUM:
		return fn_enum(s, call);
	case GUESTPROP_FN_WAIT:
		return fn_wait(s, call);
	default:
		return VERR_NOT_IMPLEMENTED;
	}
}

static void gp_cancel(void *svc, struct hgcm_call *call)
{
	struct gp_svc *s = svc;

	if (call->svc_data)
		wait_remove(s, call->svc_data);
	call->svc_data = NULL;
}

static int gp_connect(void *svc, uint32_t client_id)
{
	return VINF_SUCCESS;
}

/* Its waits went with its calls (cancel). */
static void gp_disconnect(void *svc, uint32_t client_id)
{
}

static void host_props(struct gp_svc *s)
{
	char n[24];

	guestprop_host_set(s, GUESTPROP_HOST_VERSION, vireo_release(),
			   "TRANSIENT, RDONLYGUEST", 0, NULL, 0);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)s->resets);
	guestprop_host_set(s, GUESTPROP_RESET_COUNTER, n,
			   "TRANSIENT, RDONLYGUEST", 0, NULL, 0);
}

/* A guest reset: TRANSRESET properties go, the counter goes up. */
static void gp_reset(void *svc)
{
	struct gp_svc *s = svc;
	unsigned int i;

	for (i = 0; i < GUESTPROP_MAX_PROPS; i++)
		if (s->props[i].used &&
		    (s->props[i].flags & GUESTPROP_F_TRANSRESET))
			prop_store(s, &s->props[i], NULL, NULL, 0, 0);
	s->resets++;
	host_props(s);
}

static void *gp_create(struct vmmdev *vd)
{
	struct gp_svc *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->vd = vd;
	host_props(s);
	return s;
}

static void gp_destroy(void *svc)
{
	struct gp_svc *s = svc;

	while (s->waits)
		wait_remove(s, s->waits);
	free(s);
}

const struct hgcm_service guestprop_service = {
	.name = GUESTPROP_SERVICE,
	.create = gp_create,
	.destroy = gp_destroy,
	.reset = gp_reset,
	.connect = gp_connect,
	.disconnect = gp_disconnect,
	.call = gp_call,
	.cancel = gp_cancel,
};

/* The host's side (svc_guestprop.h). */

void *guestprop_svc(struct vmmdev *vd)
{
	unsigned int i;

	for (i = 0; i < hgcm_nr_services; i++)
		if (hgcm_services[i] == &guestprop_service)
			return vd->hgcm.svc[i];
	return NULL;
}

int guestprop_get(void *svc, const char *name, struct guest_prop *out)
{
	struct gp_prop *p = prop_find(svc, name);

	if (!p)
		return -ENOENT;
	to_guest_prop(p, out);
	return 0;
}

static int fail(char *why, unsigned int why_len, int err, const char *msg)
{
	if (why && why_len)
		snprintf(why, why_len, "%s", msg);
	return err;
}

int guestprop_host_set(void *svc, const char *name, const char *value,
		       const char *flags_s, uint64_t timestamp, char *why,
		       unsigned int why_len)
{
	struct gp_svc *s = svc;
	struct gp_prop *p = prop_find(s, name);
	uint32_t flags;

	if (!name_valid(name))
		return fail(why, why_len, -EINVAL,
			    "a property name has 1 to 63 characters, none of them '*', '?' or '|'");
	if (value && strlen(value) >= GUESTPROP_MAX_VALUE_LEN)
		return fail(why, why_len, -EINVAL,
			    "a property value has at most 1023 characters");
	if (flags_s && (strlen(flags_s) > GUESTPROP_MAX_FLAGS_LEN * 2 ||
			guestprops_flags_parse(flags_s, &flags)))
		return fail(why, why_len, -EINVAL,
			    "flags are TRANSIENT, TRANSRESET, RDONLYGUEST, RDONLYHOST, READONLY, separated by ','");
	if (!flags_s)
		flags = p ? p->flags : 0;
	if (p && (p->flags & GUESTPROP_F_RDONLYHOST))
		return fail(why, why_len, -EPERM,
			    "the property is read-only for the host (RDONLYHOST)");
	if (host_only(name))
		flags |= GUESTPROP_F_RDONLYGUEST;
	if (prop_store(s, p, name, value, flags, timestamp) != VINF_SUCCESS)
		return fail(why, why_len, -ENOSPC,
			    "the VM has 256 properties already");
	return 0;
}

void guestprop_enum(void *svc, const char *patterns, guest_prop_fn fn,
		    void *arg)
{
	struct gp_svc *s = svc;
	struct guest_prop e;
	unsigned int i;

	for (i = 0; i < GUESTPROP_MAX_PROPS; i++) {
		if (!s->props[i].used ||
		    !patterns_match(patterns, s->props[i].name))
			continue;
		to_guest_prop(&s->props[i], &e);
		fn(arg, &e);
	}
}
