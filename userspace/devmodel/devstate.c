// SPDX-License-Identifier: GPL-2.0
/*
 * The blob (all integers little endian):
 *
 *	"VDEV"  u16 format (1)  u16 name length  class name
 *	u32 class state version  u32 number of fields
 *	then per field:
 *	u16 name length  name  u8 type (1: u64, 2: bytes)  u32 length  data
 *
 * A u64 field has length 8.  Names are 1 to DEVSTATE_MAX_NAME bytes of
 * printable ASCII, unique within a blob.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devstate.h"

enum { FIELD_U64 = 1, FIELD_BYTES = 2 };

static void put(struct devstate *ds, const void *p, size_t n)
{
	uint8_t *b;
	size_t cap;

	if (ds->err)
		return;
	if (n > DEVSTATE_MAX_SIZE - ds->len) {
		ds->err = -E2BIG;
		return;
	}
	if (ds->len + n > ds->cap) {
		cap = ds->cap ? ds->cap : 256;
		while (cap < ds->len + n)
			cap *= 2;
		b = realloc(ds->buf, cap);
		if (!b) {
			ds->err = -ENOMEM;
			return;
		}
		ds->buf = b;
		ds->cap = cap;
	}
	memcpy(ds->buf + ds->len, p, n);
	ds->len += n;
}

static void put_le(struct devstate *ds, uint64_t v, unsigned int n)
{
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < n; i++)
		b[i] = v >> (8 * i);
	put(ds, b, n);
}

static bool name_ok(const char *name, size_t n)
{
	size_t i;

	if (n == 0 || n > DEVSTATE_MAX_NAME)
		return false;
	for (i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return true;
}

static void put_name(struct devstate *ds, const char *name)
{
	size_t n = strlen(name);

	if (!name_ok(name, n)) {
		if (!ds->err)
			ds->err = -EINVAL;
		return;
	}
	put_le(ds, n, 2);
	put(ds, name, n);
}

/* The field count sits after the class name: patched in at the end. */
#define COUNT_AT(ds)	((ds)->fields_at - 4)

void devstate_begin(struct devstate *ds, const char *cls, uint32_t version)
{
	memset(ds, 0, sizeof(*ds));
	put(ds, DEVSTATE_MAGIC, 4);
	put_le(ds, DEVSTATE_FORMAT, 2);
	put_name(ds, cls);
	put_le(ds, version, 4);
	put_le(ds, 0, 4);
	ds->fields_at = ds->len;
}

static void put_field(struct devstate *ds, const char *name, uint8_t type,
		      const void *p, size_t n)
{
	if (n > DEVSTATE_MAX_SIZE || ds->nr_fields == DEVSTATE_MAX_FIELDS) {
		ds->err = ds->err ? ds->err : -E2BIG;
		return;
	}
	put_name(ds, name);
	put(ds, &type, 1);
	put_le(ds, n, 4);
	put(ds, p, n);
	ds->nr_fields++;
}

void devstate_put_u64(struct devstate *ds, const char *name, uint64_t v)
{
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < 8; i++)
		b[i] = v >> (8 * i);
	put_field(ds, name, FIELD_U64, b, 8);
}

void devstate_put_bytes(struct devstate *ds, const char *name,
			const void *p, size_t n)
{
	put_field(ds, name, FIELD_BYTES, p, n);
}

int devstate_end(struct devstate *ds)
{
	unsigned int i;

	if (ds->err)
		return ds->err;
	for (i = 0; i < 4; i++)
		ds->buf[COUNT_AT(ds) + i] = ds->nr_fields >> (8 * i);
	return 0;
}

void devstate_free(struct devstate *ds)
{
	free(ds->buf);
	memset(ds, 0, sizeof(*ds));
}

/* Reading: every access is checked against len first. */
static bool get_le(const struct devstate *ds, size_t *at, unsigned int n,
		   uint64_t *v)
{
	unsigned int i;

	if (*at > ds->len || n > ds->len - *at)
		return false;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)ds->buf[*at + i] << (8 * i);
	*at += n;
	return true;
}

struct field {
	const char *name;
	size_t name_len;
	uint8_t type;
	const uint8_t *data;
	uint32_t len;
};

/* The field at *at, or false when it runs past the blob. */
static bool next_field(const struct devstate *ds, size_t *at, struct field *f)
{
	uint64_t v;

	if (!get_le(ds, at, 2, &v) || v == 0 || v > DEVSTATE_MAX_NAME ||
	    v > ds->len - *at)
		return false;
	f->name = (const char *)ds->buf + *at;
	f->name_len = v;
	if (!name_ok(f->name, f->name_len))
		return false;
	*at += v;
	if (!get_le(ds, at, 1, &v))
		return false;
	f->type = v;
	if (!get_le(ds, at, 4, &v) || v > ds->len - *at)
		return false;
	f->len = v;
	f->data = ds->buf + *at;
	*at += v;
	return (f->type == FIELD_U64 && f->len == 8) || f->type == FIELD_BYTES;
}

int devstate_open(struct devstate *ds, const void *blob, size_t len,
		  const char *cls, uint32_t *version)
{
	size_t at = 0, name_len = strlen(cls), i, j;
	struct field f, g;
	uint64_t v, count;

	memset(ds, 0, sizeof(*ds));
	ds->buf = (uint8_t *)blob;
	ds->len = len;
	if (len > DEVSTATE_MAX_SIZE || len < 4 || memcmp(blob, DEVSTATE_MAGIC, 4))
		return -EINVAL;
	at = 4;
	if (!get_le(ds, &at, 2, &v) || v != DEVSTATE_FORMAT)
		return -EINVAL;
	if (!get_le(ds, &at, 2, &v) || v != name_len || v > len - at ||
	    memcmp(ds->buf + at, cls, name_len))
		return -EINVAL;
	at += v;
	if (!get_le(ds, &at, 4, &v))
		return -EINVAL;
	*version = v;
	if (!get_le(ds, &at, 4, &count) || count > DEVSTATE_MAX_FIELDS)
		return -EINVAL;
	ds->fields_at = at;
	/* Every field in bounds, nothing after the last, no name twice. */
	for (i = 0; i < count; i++) {
		size_t at2 = ds->fields_at;

		if (!next_field(ds, &at, &f))
			return -EINVAL;
		for (j = 0; j < i; j++) {
			next_field(ds, &at2, &g);
			if (g.name_len == f.name_len &&
			    !memcmp(g.name, f.name, f.name_len))
				return -EINVAL;
		}
	}
	if (at != len)
		return -EINVAL;
	ds->nr_fields = count;
	return 0;
}

static int find(struct devstate *ds, const char *name, struct field *f)
{
	size_t at = ds->fields_at, n = strlen(name);
	uint32_t i;

	for (i = 0; i < ds->nr_fields; i++) {
		if (!next_field(ds, &at, f))
			return -EINVAL;
		if (f->name_len == n && !memcmp(f->name, name, n))
			return 0;
	}
	return -ENOENT;
}

int devstate_get_u64(struct devstate *ds, const char *name, uint64_t *v)
{
	struct field f;
	unsigned int i;
	int err = find(ds, name, &f);

	if (err)
		return err;
	if (f.type != FIELD_U64)
		return -EINVAL;
	*v = 0;
	for (i = 0; i < 8; i++)
		*v |= (uint64_t)f.data[i] << (8 * i);
	return 0;
}

int devstate_get_bytes(struct devstate *ds, const char *name, void *p,
		       size_t n)
{
	struct field f;
	int err = find(ds, name, &f);

	if (err)
		return err;
	if (f.type != FIELD_BYTES || f.len != n)
		return -EINVAL;
	memcpy(p, f.data, n);
	return 0;
}

static uint64_t field_load(const void *obj, const struct devstate_field *f)
{
	const uint8_t *p = (const uint8_t *)obj + f->offset;
	uint64_t v = 0;

	memcpy(&v, p, f->size);	/* x86: little endian, as the blob */
	return v;
}

/* "prefix.name", or name alone; false when it does not fit. */
static bool field_name(char *buf, size_t len, const char *prefix,
		       const char *name)
{
	int n = prefix ? snprintf(buf, len, "%s.%s", prefix, name) :
		snprintf(buf, len, "%s", name);

	return n >= 0 && (size_t)n < len;
}

void devstate_put_fields_in(struct devstate *ds, const char *prefix,
			    const void *obj, const struct devstate_field *f,
			    unsigned int n)
{
	char name[DEVSTATE_MAX_NAME + 1];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!field_name(name, sizeof(name), prefix, f[i].name)) {
			if (!ds->err)
				ds->err = -EINVAL;
			return;
		}
		devstate_put_u64(ds, name, field_load(obj, &f[i]));
	}
}

int devstate_get_fields_in(struct devstate *ds, const char *prefix,
			   void *obj, const struct devstate_field *f,
			   unsigned int n)
{
	char name[DEVSTATE_MAX_NAME + 1];
	unsigned int i;
	uint64_t v;
	int err;

	for (i = 0; i < n; i++) {
		if (!field_name(name, sizeof(name), prefix, f[i].name))
			return -EINVAL;
		err = devstate_get_u64(ds, name, &v);
		if (err)
			return err;
		if (v > f[i].max)
			return -EINVAL;
		memcpy((uint8_t *)obj + f[i].offset, &v, f[i].size);
	}
	return 0;
}

void devstate_put_fields(struct devstate *ds, const void *obj,
			 const struct devstate_field *f, unsigned int n)
{
	devstate_put_fields_in(ds, NULL, obj, f, n);
}

int devstate_get_fields(struct devstate *ds, void *obj,
			const struct devstate_field *f, unsigned int n)
{
	return devstate_get_fields_in(ds, NULL, obj, f, n);
}
