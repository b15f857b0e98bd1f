// SPDX-License-Identifier: GPL-2.0
/*
 * Kept guest properties (props_keep.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "additions.h"
#include "guestprops.h"
#include "machine.h"
#include "props_keep.h"
#include "util.h"

static void restore(struct machine *m, struct json_object *props)
{
	size_t i;

	for (i = 0; i < json_object_array_length(props); i++) {
		struct json_object *p = json_object_array_get_idx(props, i);
		struct json_object *n, *v, *f, *t;
		char why[160];

		json_object_object_get_ex(p, "name", &n);
		json_object_object_get_ex(p, "value", &v);
		json_object_object_get_ex(p, "flags", &f);
		json_object_object_get_ex(p, "timestamp", &t);
		if (m->additions->prop_set(m->additions_opaque,
					   json_object_get_string(n),
					   json_object_get_string(v),
					   json_object_get_string(f),
					   (uint64_t)json_object_get_int64(t),
					   why, sizeof(why)))
			pr_err("guest property %s not restored: %s\n",
			       json_object_get_string(n), why);
	}
}

int props_keep_open(struct machine *m, const char *config)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], why[300], *text;
	struct json_object *props;
	struct stat st;
	int fd;

	if (!m->additions || !config)
		return -1;
	snprintf(dir, sizeof(dir), "%s", config);
	snprintf(path, sizeof(path), "%s/%s", dirname(dir), GUESTPROPS_FILE);
	/* O_NONBLOCK: a FIFO put there cannot hold the start up. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		  0600);
	/* Ours alone: not a link to someone else's file. */
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_nlink != 1 || st.st_uid != geteuid() ||
	    st.st_size > GUESTPROPS_MAX_BYTES) {
		pr_err("%s: %s: guest properties are not kept\n", path,
		       fd < 0 ? strerror(errno) :
		       "not a regular file of ours, unlinked elsewhere, of at most 4 MiB");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!st.st_size)
		return fd;
	text = malloc(st.st_size + 1);
	if (!text || pread(fd, text, st.st_size, 0) != st.st_size) {
		pr_err("%s: cannot read it: guest properties are not kept\n",
		       path);
		free(text);
		close(fd);
		return -1;
	}
	if (guestprops_parse(text, st.st_size, &props, why, sizeof(why))) {
		/* Not overwritten: a user may want what is there. */
		pr_err("%s: %s: guest properties are not kept\n", path, why);
		free(text);
		close(fd);
		return -1;
	}
	free(text);
	restore(m, props);
	json_object_put(props);
	return fd;
}

static void add_kept(void *arg, const struct guest_prop *p)
{
	uint32_t flags = 0;
	struct json_object *o;

	if (guestprops_flags_parse(p->flags, &flags) ||
	    (flags & GUESTPROP_F_TRANSIENT))
		return;
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "value", json_object_new_string(p->value));
	json_object_object_add(o, "flags", json_object_new_string(p->flags));
	json_object_object_add(o, "timestamp",
			       json_object_new_int64((int64_t)p->timestamp));
	json_object_array_add(arg, o);
}

/*
 * In place, through the fd: the text first, then the size cut to it.  A
 * crash between the two leaves trailing bytes, which the parser refuses
 * (the file is then kept as it is, for a user to look at).
 */
void props_keep_save(struct machine *m, int fd)
{
	struct json_object *props, *doc;
	const char *text;
	size_t len;

	if (fd < 0)
		return;
	props = json_object_new_array();
	if (m->additions)
		m->additions->prop_enum(m->additions_opaque, NULL, add_kept,
					props);
	doc = guestprops_document(props);
	text = doc ? json_object_to_json_string_ext(doc,
				JSON_C_TO_STRING_PRETTY |
				JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	len = text ? strlen(text) : 0;
	if (!text || pwrite(fd, text, len, 0) != (ssize_t)len ||
	    ftruncate(fd, len) || fdatasync(fd))
		pr_err("guest properties not kept: %s\n",
		       text ? strerror(errno) : "out of memory");
	json_object_put(doc);
	json_object_put(props);
	close(fd);
}
