/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device's saved state: a versioned, self-describing blob, so that a
 * snapshot or a migration stream can carry each device on its own
 * (docs/device-state.md has the format).  A class's save hook writes named
 * fields; its load hook reads them back by name, so a field added in a
 * later version is skipped by an older reader and a missing one is an
 * error the device sees.  Every value read is untrusted: the device checks
 * it before using it, and refuses the blob (-EINVAL) otherwise.
 */
#ifndef VIREO_DEVSTATE_H
#define VIREO_DEVSTATE_H

#include <stddef.h>
#include <stdint.h>

#define DEVSTATE_MAGIC		"VDEV"
#define DEVSTATE_FORMAT		1
#define DEVSTATE_MAX_NAME	64	/* class and field names */
#define DEVSTATE_MAX_SIZE	(1u << 20)	/* one device's blob */
#define DEVSTATE_MAX_FIELDS	1024	/* bounds the loader's work */

struct devstate {
	uint8_t *buf;
	size_t len, cap;
	int err;		/* the first error; later calls do nothing */
	/* Reading: the fields, checked once by devstate_open(). */
	size_t fields_at;
	uint32_t nr_fields;
};

/* Start a blob for class cls, whose state layout is version. */
void devstate_begin(struct devstate *ds, const char *cls, uint32_t version);
void devstate_put_u64(struct devstate *ds, const char *name, uint64_t v);
void devstate_put_bytes(struct devstate *ds, const char *name,
			const void *p, size_t n);
/* 0, or the first error (-ENOMEM, -E2BIG, -EINVAL for a bad name). */
int devstate_end(struct devstate *ds);
void devstate_free(struct devstate *ds);

/*
 * Check a blob (magic, format, bounds of every field, names unique) for
 * class cls and return its version in *version: 0, or -EINVAL.  The blob
 * is borrowed, not copied: it must outlive ds, and devstate_free() is not
 * for a ds opened so (the blob is the caller's to free).
 */
int devstate_open(struct devstate *ds, const void *blob, size_t len,
		  const char *cls, uint32_t *version);
/* 0, -ENOENT (no such field), -EINVAL (of another type or size). */
int devstate_get_u64(struct devstate *ds, const char *name, uint64_t *v);
int devstate_get_bytes(struct devstate *ds, const char *name, void *p,
		       size_t n);

/*
 * The scalar members of a device's state struct as a table: each saved as
 * a u64 field named after the member, and on load refused above max.
 */
struct devstate_field {
	const char *name;
	size_t offset;
	unsigned int size;	/* 1, 2, 4 or 8 bytes (bool: 1) */
	uint64_t max;
};

#define DEVSTATE_FIELD(type, member, maxval)				\
	{ #member, offsetof(type, member), sizeof(((type *)0)->member),	\
	  (maxval) }

/* The same, under another name (a member of a nested struct). */
#define DEVSTATE_FIELD_AS(fname, type, member, maxval)			\
	{ (fname), offsetof(type, member), sizeof(((type *)0)->member),	\
	  (maxval) }

void devstate_put_fields(struct devstate *ds, const void *obj,
			 const struct devstate_field *f, unsigned int n);
/* Into obj: 0, or -ENOENT/-EINVAL with obj partly written. */
int devstate_get_fields(struct devstate *ds, void *obj,
			const struct devstate_field *f, unsigned int n);
/*
 * The same for one of several alike parts (a PIT channel, one of two
 * PICs), one table for all: the fields are named "prefix.name".
 */
void devstate_put_fields_in(struct devstate *ds, const char *prefix,
			    const void *obj, const struct devstate_field *f,
			    unsigned int n);
int devstate_get_fields_in(struct devstate *ds, const char *prefix,
			   void *obj, const struct devstate_field *f,
			   unsigned int n);

#endif /* VIREO_DEVSTATE_H */
