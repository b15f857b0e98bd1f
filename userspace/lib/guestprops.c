// SPDX-License-Identifier: GPL-2.0
/*
 * A stopped VM's guest properties (guestprops.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include <vmmdev/guestprop.h>

#include "guestprops.h"

static const struct {
	const char *name;
	uint32_t flag;
} flag_names[] = {
	{ "TRANSIENT", GUESTPROP_F_TRANSIENT },
	{ "READONLY", GUESTPROP_F_READONLY },
	{ "RDONLYGUEST", GUESTPROP_F_RDONLYGUEST },
	{ "RDONLYHOST", GUESTPROP_F_RDONLYHOST },
	{ "TRANSRESET", GUESTPROP_F_TRANSRESET },
};

__attribute__((format(printf, 4, 5)))
static int fail(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* In VirtualBox's order; TRANSRESET says TRANSIENT too. */
void guestprops_flags_string(uint32_t flags, char *out)
{
	size_t len = 0, i;

	out[0] = '\0';
	if (flags & GUESTPROP_F_TRANSRESET)
		flags |= GUESTPROP_F_TRANSIENT;
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		uint32_t f = flag_names[i].flag;

		if ((flags & f) != f)
			continue;
		len += snprintf(out + len, GUESTPROP_MAX_FLAGS_LEN + 1 - len,
				"%s%s", len ? ", " : "", flag_names[i].name);
		flags &= ~f;
	}
}

/* Names separated by ',' and blanks, any case; "" is none. */
int guestprops_flags_parse(const char *s, uint32_t *flags)
{
	*flags = 0;
	while (*s) {
		size_t len, i;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		len = strcspn(s, ", \t");
		if (!len)
			break;
		for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (strlen(flag_names[i].name) == len &&
			    !strncasecmp(s, flag_names[i].name, len))
				break;
		if (i == sizeof(flag_names) / sizeof(flag_names[0]))
			return -EINVAL;
		*flags |= flag_names[i].flag;
		s += len;
	}
	if (*flags & GUESTPROP_F_TRANSRESET)
		*flags |= GUESTPROP_F_TRANSIENT;
	return 0;
}

bool guestprops_name_valid(const char *name)
{
	size_t len = strlen(name);

	return len >= 1 && len < GUESTPROP_MAX_NAME_LEN &&
	       !strpbrk(name, "*?|");
}

static const char *member(struct json_object *o, const char *key,
			  json_type type)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return type == json_type_string ? json_object_get_string(v) : "";
}

static int check_prop(struct json_object *p, char *why, size_t why_len)
{
	struct json_object *t;
	const char *name, *value, *flags;
	uint32_t f;

	if (!json_object_is_type(p, json_type_object))
		return fail(why, why_len, -EINVAL, "a property is not an object");
	name = member(p, "name", json_type_string);
	value = member(p, "value", json_type_string);
	flags = member(p, "flags", json_type_string);
	if (!name || !guestprops_name_valid(name))
		return fail(why, why_len, -EINVAL, "a property has no valid name");
	if (!value || strlen(value) >= GUESTPROP_MAX_VALUE_LEN)
		return fail(why, why_len, -EINVAL, "property %s: no valid value",
			    name);
	if (!flags || guestprops_flags_parse(flags, &f))
		return fail(why, why_len, -EINVAL, "property %s: bad flags",
			    name);
	if (!member(p, "timestamp", json_type_int) ||
	    !json_object_object_get_ex(p, "timestamp", &t) ||
	    json_object_get_int64(t) <= 0 ||
	    json_object_get_int64(t) > GUESTPROPS_MAX_TIMESTAMP)
		return fail(why, why_len, -EINVAL,
			    "property %s: no valid timestamp", name);
	return 0;
}

int guestprops_parse(const char *text, size_t len, struct json_object **props,
		     char *why, size_t why_len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *doc = NULL, *list, *v;
	const char *format;
	size_t i;
	int err = 0;

	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	doc = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success)
		err = fail(why, why_len, -EINVAL, "not JSON");
	json_tokener_free(tok);
	format = doc && !err ? member(doc, "format", json_type_string) : NULL;
	if (!err && (!format || strcmp(format, GUESTPROPS_FORMAT) ||
		     !json_object_object_get_ex(doc, "version", &v) ||
		     json_object_get_int(v) != GUESTPROPS_VERSION ||
		     !json_object_object_get_ex(doc, "properties", &list) ||
		     !json_object_is_type(list, json_type_array) ||
		     json_object_array_length(list) > GUESTPROP_MAX_PROPS))
		err = fail(why, why_len, -EINVAL,
			   "not a version %d guest properties file",
			   GUESTPROPS_VERSION);
	for (i = 0; !err && i < json_object_array_length(list); i++)
		err = check_prop(json_object_array_get_idx(list, i), why,
				 why_len);
	if (err) {
		json_object_put(doc);
		return err;
	}
	*props = json_object_get(list);
	json_object_put(doc);
	return 0;
}

struct json_object *guestprops_document(struct json_object *props)
{
	struct json_object *doc = json_object_new_object();

	if (!doc)
		return NULL;
	json_object_object_add(doc, "format",
			       json_object_new_string(GUESTPROPS_FORMAT));
	json_object_object_add(doc, "version",
			       json_object_new_int(GUESTPROPS_VERSION));
	json_object_object_add(doc, "properties", json_object_get(props));
	return doc;
}

int guestprops_load(const char *dir, struct json_object **props, char *why,
		    size_t why_len)
{
	char path[4096], *text;
	struct stat st;
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, GUESTPROPS_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		*props = json_object_new_array();
		return *props ? 0 : -ENOMEM;
	}
	if (fd < 0)
		return fail(why, why_len, -errno, "%s: %m", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > GUESTPROPS_MAX_BYTES) {
		close(fd);
		return fail(why, why_len, -EINVAL, "%s: not a regular file of at most 4 MiB",
			    path);
	}
	text = malloc(st.st_size + 1);
	n = text ? pread(fd, text, st.st_size, 0) : -1;
	close(fd);
	if (n != st.st_size) {
		free(text);
		return fail(why, why_len, -EIO, "%s: cannot read it", path);
	}
	text[n] = '\0';
	err = guestprops_parse(text, n, props, why, why_len);
	free(text);
	if (err && why && why_len) {
		char reason[200];

		snprintf(reason, sizeof(reason), "%s", why);
		snprintf(why, why_len, "%s: %s", path, reason);
	}
	return err;
}

int guestprops_save(const char *dir, struct json_object *props, char *why,
		    size_t why_len)
{
	char path[4096], tmp[4200];
	struct json_object *doc = guestprops_document(props);
	const char *text = doc ? json_object_to_json_string_ext(doc,
				JSON_C_TO_STRING_PRETTY |
				JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	int fd, err = 0;
	size_t len;

	if (!text) {
		json_object_put(doc);
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, GUESTPROPS_FILE);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		json_object_put(doc);
		return fail(why, why_len, -errno, "%s: %m", tmp);
	}
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    fchmod(fd, 0600) || fsync(fd))
		err = -errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	json_object_put(doc);
	if (err) {
		unlink(tmp);
		return fail(why, why_len, err, "cannot write %s: %s", path,
			    strerror(-err));
	}
	return 0;
}

struct json_object *guestprops_find(struct json_object *props,
				    const char *name)
{
	size_t i;

	for (i = 0; i < json_object_array_length(props); i++) {
		struct json_object *p = json_object_array_get_idx(props, i);
		const char *n = member(p, "name", json_type_string);

		if (n && !strcmp(n, name))
			return p;
	}
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int guestprops_set(struct json_object *props, const char *name,
		   const char *value, const char *flags, char *why,
		   size_t why_len)
{
	struct json_object *p = guestprops_find(props, name);
	char text[GUESTPROP_MAX_FLAGS_LEN + 1];
	uint32_t f = 0;
	size_t i;

	if (!guestprops_name_valid(name))
		return fail(why, why_len, -EINVAL,
			    "a property name has 1 to 63 characters, none of them '*', '?' or '|'");
	if (flags && guestprops_flags_parse(flags, &f))
		return fail(why, why_len, -EINVAL,
			    "flags are TRANSIENT, TRANSRESET, RDONLYGUEST, RDONLYHOST, READONLY, separated by ','");
	if (!flags && p)
		guestprops_flags_parse(member(p, "flags", json_type_string),
				       &f);
	if (p && (f & GUESTPROP_F_RDONLYHOST))
		return fail(why, why_len, -EPERM,
			    "the property is read-only for the host (RDONLYHOST)");
	if (!value) {
		for (i = 0; p && i < json_object_array_length(props); i++)
			if (json_object_array_get_idx(props, i) == p)
				json_object_array_del_idx(props, i, 1);
		return 0;
	}
	if (strlen(value) >= GUESTPROP_MAX_VALUE_LEN)
		return fail(why, why_len, -EINVAL,
			    "a property value has at most 1023 characters");
	if (f & GUESTPROP_F_TRANSIENT)
		return fail(why, why_len, -EINVAL,
			    "the VM is not running: a TRANSIENT property would be gone before it starts");
	if (!p && json_object_array_length(props) >= GUESTPROP_MAX_PROPS)
		return fail(why, why_len, -ENOSPC,
			    "the VM has 256 properties already");
	if (!p) {
		p = json_object_new_object();
		json_object_object_add(p, "name", json_object_new_string(name));
		json_object_array_add(props, p);
	}
	guestprops_flags_string(f, text);
	json_object_object_add(p, "value", json_object_new_string(value));
	json_object_object_add(p, "flags", json_object_new_string(text));
	json_object_object_add(p, "timestamp",
			       json_object_new_int64((int64_t)now_ns()));
	return 0;
}
