/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's side of the guest additions' channel, as the control socket
 * sees it: guest properties, what the additions reported, and a polite
 * shutdown.  VMMDev (userspace/vmmdev/) fills machine->additions when it
 * is created; the control socket knows only this table, so a VM without
 * VMMDev (--no-vmmdev) answers "no-vmmdev" and nothing else changes.
 *
 * Every call takes the device's lock itself: call with no device lock
 * held.  Property changes, the guest's or the host's, reach the
 * listener machine->prop_changed (the control socket's), which must not
 * block and must not call back.
 */
#ifndef VIREO_ADDITIONS_H
#define VIREO_ADDITIONS_H

#include <stdbool.h>
#include <stdint.h>

#include <vmmdev/guestprop.h>

struct machine;
struct json_object;

struct guest_prop {
	char name[GUESTPROP_MAX_NAME_LEN];
	char value[GUESTPROP_MAX_VALUE_LEN];
	char flags[GUESTPROP_MAX_FLAGS_LEN + 1];
	uint64_t timestamp;	/* ns since 1970, unique and rising */
	bool deleted;		/* a change: the property went */
};

typedef void (*guest_prop_fn)(void *arg, const struct guest_prop *p);

struct additions_ops {
	/* 0 and *p; -ENOENT */
	int (*prop_get)(void *opaque, const char *name, struct guest_prop *p);
	/*
	 * Set (value non-NULL) or delete a property, as the host: flags
	 * NULL keeps a property's flags; timestamp 0 is now (else, a
	 * property restored from disk keeps its own).  0; -EINVAL (a bad
	 * name, value or flags; why says which); -EPERM (RDONLYHOST);
	 * -ENOSPC (too many properties).
	 */
	int (*prop_set)(void *opaque, const char *name, const char *value,
			const char *flags, uint64_t timestamp, char *why,
			unsigned int why_len);
	/* fn for each property matching patterns ("" or NULL: all). */
	void (*prop_enum)(void *opaque, const char *patterns,
			  guest_prop_fn fn, void *arg);
	/* The additions' state, added to o (the status answer). */
	void (*describe)(void *opaque, struct json_object *o);
	/*
	 * Ask the additions to power the guest off (reboot: restart it):
	 * 0 when the additions' service listens for it, -EAGAIN when none
	 * does (no additions, or not that far).
	 */
	int (*shutdown)(void *opaque, bool reboot);
	/*
	 * The guest is gone (a reset, before its memory is loaded again):
	 * calls it left waiting are dropped, never answered into the new
	 * guest's memory.
	 */
	void (*guest_gone)(void *opaque);
};

#endif /* VIREO_ADDITIONS_H */
