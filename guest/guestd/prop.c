// SPDX-License-Identifier: GPL-2.0
/*
 * The guest property service's functions, as the guest calls them
 * (guestprop.h lists their parameters).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmmdev/vbox_status.h>

#include "prop.h"
#include "vbg.h"

#define STR_IN(s)	{ .kind = VBG_BUF_IN, .buf = (void *)(s), \
			  .size = strlen(s) + 1 }

int prop_connect(struct prop_client *c, int fd)
{
	c->fd = fd;
	return vbg_connect(fd, GUESTPROP_SERVICE, &c->id);
}

void prop_disconnect(struct prop_client *c)
{
	vbg_disconnect(c->fd, c->id);
}

int prop_get(struct prop_client *c, const char *name, struct prop_value *v)
{
	char buf[GUESTPROP_MAX_VALUE_LEN + GUESTPROP_MAX_FLAGS_LEN + 2];
	struct vbg_parm p[4] = {
		STR_IN(name),
		{ .kind = VBG_BUF_OUT, .buf = buf, .size = sizeof(buf) },
		{ .kind = VBG_U64 },
		{ .kind = VBG_U32 },
	};
	size_t len;
	int rc;

	rc = vbg_call(c->fd, c->id, GUESTPROP_FN_GET, 0xffffffff, p, 4);
	if (rc < 0)
		return rc;
	if (p[3].u32 > sizeof(buf) || p[3].u32 < 2)
		return VERR_INVALID_PARAMETER;
	buf[p[3].u32 - 1] = '\0';
	len = strnlen(buf, p[3].u32);
	snprintf(v->value, sizeof(v->value), "%s", buf);
	snprintf(v->flags, sizeof(v->flags), "%s",
		 len + 1 < p[3].u32 ? buf + len + 1 : "");
	v->timestamp = p[2].u64;
	return rc;
}

int prop_set(struct prop_client *c, const char *name, const char *value,
	     const char *flags)
{
	struct vbg_parm p[3] = { STR_IN(name), STR_IN(value) };

	if (flags)
		p[2] = (struct vbg_parm)STR_IN(flags);
	return vbg_call(c->fd, c->id, flags ? GUESTPROP_FN_SET :
			GUESTPROP_FN_SET_VALUE, 0xffffffff, p, flags ? 3 : 2);
}

int prop_del(struct prop_client *c, const char *name)
{
	struct vbg_parm p[1] = { STR_IN(name) };

	return vbg_call(c->fd, c->id, GUESTPROP_FN_DEL, 0xffffffff, p, 1);
}

int prop_enum(struct prop_client *c, const char *patterns,
	      void (*fn)(void *arg, const char *name, const char *value,
			 uint64_t ts, const char *flags), void *arg)
{
	uint32_t size = 4096;
	char *buf = NULL;
	int rc;

	for (;;) {
		struct vbg_parm p[3] = {
			STR_IN(patterns),
			{ .kind = VBG_BUF_OUT, .size = size },
			{ .kind = VBG_U32 },
		};
		char *nb = realloc(buf, size);

		if (!nb) {
			free(buf);
			return VERR_NO_MEMORY;
		}
		buf = nb;
		p[1].buf = buf;
		rc = vbg_call(c->fd, c->id, GUESTPROP_FN_ENUM, 0xffffffff, p,
			      3);
		if (rc == VERR_BUFFER_OVERFLOW && p[2].u32 > size &&
		    p[2].u32 <= (1u << 20)) {
			size = p[2].u32;
			continue;
		}
		if (rc >= 0 && p[2].u32 <= size)
			size = p[2].u32;
		break;
	}
	if (rc >= 0) {
		char *at = buf, *end = buf + size;

		while (at < end && *at) {
			const char *f[4];
			unsigned int i;

			for (i = 0; i < 4; i++) {
				f[i] = at;
				at += strnlen(at, end - at) + 1;
				if (at > end) {
					free(buf);
					return VERR_INVALID_PARAMETER;
				}
			}
			fn(arg, f[0], f[1], strtoull(f[2], NULL, 0), f[3]);
		}
	}
	free(buf);
	return rc;
}

int prop_wait(struct prop_client *c, const char *patterns, uint64_t *since,
	      uint32_t timeout_ms, struct prop_change *out)
{
	char buf[GUESTPROP_MAX_NAME_LEN + GUESTPROP_MAX_VALUE_LEN +
		 GUESTPROP_MAX_FLAGS_LEN + 8];
	struct vbg_parm p[4] = {
		STR_IN(patterns),
		{ .kind = VBG_U64, .u64 = *since },
		{ .kind = VBG_BUF_OUT, .buf = buf, .size = sizeof(buf) },
		{ .kind = VBG_U32 },
	};
	const char *f[4] = { "", "", "", "0" };
	char *at = buf, *end;
	unsigned int i;
	int rc;

	rc = vbg_call(c->fd, c->id, GUESTPROP_FN_WAIT, timeout_ms, p, 4);
	if (rc < 0)
		return rc;
	if (p[3].u32 > sizeof(buf))
		return VERR_INVALID_PARAMETER;
	end = buf + p[3].u32;
	for (i = 0; i < 4 && at < end; i++) {
		f[i] = at;
		at += strnlen(at, end - at) + 1;
	}
	if (at > end)
		return VERR_INVALID_PARAMETER;
	snprintf(out->name, sizeof(out->name), "%s", f[0]);
	snprintf(out->value, sizeof(out->value), "%s", f[1]);
	snprintf(out->flags, sizeof(out->flags), "%s", f[2]);
	out->deleted = f[3][0] == '1';
	out->timestamp = p[1].u64;
	*since = p[1].u64;
	return rc;
}
