/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The guest property service, "VBoxGuestPropSvc", as a guest calls it over
 * HGCM: function numbers, their parameters, limits and flags (VirtualBox's
 * public protocol; docs/vmmdev.md).  Shared by the host service
 * (userspace/vmmdev/svc_guestprop.c) and the guest daemon.
 */
#ifndef VIREO_GUESTPROP_H
#define VIREO_GUESTPROP_H

#define GUESTPROP_SERVICE		"VBoxGuestPropSvc"

/*
 * Functions, with their parameters in order (ptr: a buffer):
 *   GET       name (ptr in), buffer (ptr out: value\0flags\0),
 *             timestamp (u64 out), size (u32 out: bytes needed)
 *   SET       name, value (ptr in)[, flags (ptr in)]: no flags clears them
 *   SET_VALUE as SET
 *   DEL       name (ptr in)
 *   ENUM      patterns (ptr in), buffer (ptr out: name\0value\0
 *             timestamp\0flags\0 per property, then 4 empty strings),
 *             size (u32 out)
 *   WAIT      patterns (ptr in), timestamp (u64 in/out), buffer (ptr out:
 *             name\0value\0flags\0deleted("0"/"1")\0), size (u32 out);
 *             completes when a change newer than timestamp matches
 */
enum guestprop_fn {
	GUESTPROP_FN_GET	= 1,
	GUESTPROP_FN_SET	= 2,
	GUESTPROP_FN_SET_VALUE	= 3,
	GUESTPROP_FN_DEL	= 4,
	GUESTPROP_FN_ENUM	= 5,
	GUESTPROP_FN_WAIT	= 6,
};

/* Sizes include the terminating NUL. */
#define GUESTPROP_MAX_NAME_LEN		64
#define GUESTPROP_MAX_VALUE_LEN		1024
#define GUESTPROP_MAX_FLAGS_LEN		35  /* "TRANSIENT, RDONLYGUEST, TRANSRESET" */
#define GUESTPROP_MAX_PATTERNS_LEN	1024
#define GUESTPROP_MAX_PROPS		256
#define GUESTPROP_MAX_NOTIFICATIONS	256	/* the change history */
#define GUESTPROP_MAX_WAITS_PER_CLIENT	16

/* Flags; in text, their names joined with ", " (e.g. "TRANSIENT, RDONLYGUEST"). */
#define GUESTPROP_F_NONE		0x00
#define GUESTPROP_F_TRANSIENT		0x02	/* gone at power-off */
#define GUESTPROP_F_RDONLYGUEST		0x04	/* the guest may not change it */
#define GUESTPROP_F_RDONLYHOST		0x08	/* the host may not change it */
#define GUESTPROP_F_READONLY		0x0c
#define GUESTPROP_F_TRANSRESET		0x10	/* gone at reset too */
#define GUESTPROP_F_ALL			0x1e

#endif /* VIREO_GUESTPROP_H */
