/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A client of the host's guest property service (include/vmmdev/
 * guestprop.h) over /dev/vboxguest.  Each call answers a VirtualBox status.
 */
#ifndef VIREO_GUESTD_PROP_H
#define VIREO_GUESTD_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmmdev/guestprop.h>

struct prop_client {
	int fd;
	uint32_t id;
};

struct prop_value {
	char value[GUESTPROP_MAX_VALUE_LEN];
	char flags[GUESTPROP_MAX_FLAGS_LEN + 1];
	uint64_t timestamp;
};

struct prop_change {
	char name[GUESTPROP_MAX_NAME_LEN];
	char value[GUESTPROP_MAX_VALUE_LEN];
	char flags[GUESTPROP_MAX_FLAGS_LEN + 1];
	uint64_t timestamp;
	bool deleted;
};

int prop_connect(struct prop_client *c, int fd);
void prop_disconnect(struct prop_client *c);
int prop_get(struct prop_client *c, const char *name, struct prop_value *v);
/* flags NULL: SET_VALUE with no flags (the host clears them). */
int prop_set(struct prop_client *c, const char *name, const char *value,
	     const char *flags);
int prop_del(struct prop_client *c, const char *name);
/*
 * Every property matching patterns: fn(name, value, timestamp, flags);
 * VERR_NO_MEMORY past a megabyte of them.
 */
int prop_enum(struct prop_client *c, const char *patterns,
	      void (*fn)(void *arg, const char *name, const char *value,
			 uint64_t ts, const char *flags), void *arg);
/*
 * The first change after *since (0: from now) of a property matching
 * patterns, within timeout_ms: VINF_SUCCESS (or VWRN_NOT_FOUND, *since
 * being too old) and the change, *since moved to it; VERR_TIMEOUT;
 * VERR_INTERRUPTED (a signal).
 */
int prop_wait(struct prop_client *c, const char *patterns, uint64_t *since,
	      uint32_t timeout_ms, struct prop_change *out);

#endif /* VIREO_GUESTD_PROP_H */
