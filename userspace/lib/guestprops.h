/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest properties a VM keeps while it is stopped: a file in the VM's
 * folder (GUESTPROPS_FILE, docs/settings.md), written by the VM process
 * when it ends (the properties that are not TRANSIENT) and read when it
 * starts; `vmctl guestproperty` reads and edits it while the VM is
 * stopped.  VirtualBox keeps them in its settings file; Vireo keeps them
 * beside it, because vmctl rewrites the settings file by rename while
 * the VM process, confined by its system call filter, can only write
 * through a file it opened before: two writers of one file would lose
 * each other's changes.
 *
 * The document: {"format": "vireo-guest-properties", "version": 1,
 * "properties": [{"name", "value", "flags", "timestamp"}, ...]}.
 * Everything read is checked as the guest property service checks it.
 * Also here: the flags' text form, which the service and vmctl share.
 */
#ifndef VIREO_GUESTPROPS_H
#define VIREO_GUESTPROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUESTPROPS_FILE		"guestproperties.json"
#define GUESTPROPS_FORMAT	"vireo-guest-properties"
#define GUESTPROPS_VERSION	1
#define GUESTPROPS_MAX_BYTES	(4u << 20)
/* Nanoseconds since 1970, before 2116: room to rise, no wrap. */
#define GUESTPROPS_MAX_TIMESTAMP	(1LL << 62)

struct json_object;

/* Flags as text (at most 35 characters; out: 36 bytes) and back. */
void guestprops_flags_string(uint32_t flags, char *out);
int guestprops_flags_parse(const char *s, uint32_t *flags);
/* A name the service takes: 1-63 characters, none of '*', '?', '|'. */
bool guestprops_name_valid(const char *name);

/*
 * Parse a document (text of len bytes): 0 and the array of properties in
 * *props (for json_object_put()); -EINVAL with the reason.
 */
int guestprops_parse(const char *text, size_t len, struct json_object **props,
		     char *why, size_t why_len);
/* The document for props, for json_object_put(); NULL: no memory. */
struct json_object *guestprops_document(struct json_object *props);

/* The folder's file: a missing one is an empty list. */
int guestprops_load(const char *dir, struct json_object **props, char *why,
		    size_t why_len);
/* Replace the folder's file atomically (temporary file, rename). */
int guestprops_save(const char *dir, struct json_object *props, char *why,
		    size_t why_len);

/* The property called name in props, or NULL. */
struct json_object *guestprops_find(struct json_object *props,
				    const char *name);
/*
 * Set (value) or delete (value NULL) a property of a stopped VM; flags
 * NULL keeps the property's.  TRANSIENT ones are refused: they would not
 * live to be seen.  0, or -EINVAL/-EPERM/-ENOSPC with the reason.
 */
int guestprops_set(struct json_object *props, const char *name,
		   const char *value, const char *flags, char *why,
		   size_t why_len);

#endif /* VIREO_GUESTPROPS_H */
