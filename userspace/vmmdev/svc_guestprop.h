/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest property service's host side (svc_guestprop.c), for
 * vmmdev_host.c: the same store the guest reaches over HGCM.
 */
#ifndef VIREO_SVC_GUESTPROP_H
#define VIREO_SVC_GUESTPROP_H

#include <stdbool.h>
#include <stdint.h>

#include "additions.h"

struct vmmdev;

/* Properties the host keeps for itself (read-only to the guest). */
#define GUESTPROP_HOST_VERSION	"/VirtualBox/HostInfo/VBoxVer"
#define GUESTPROP_RESET_COUNTER	"/VirtualBox/VMInfo/ResetCounter"
/*
 * The host's request that the guest shut down (vmctl stop): the
 * additions' daemon waits for changes of it; "poweroff" or "reboot".
 */
#define GUESTPROP_POWER_REQUEST	"/VirtualBox/HostInfo/Vireo/PowerRequest"

void *guestprop_svc(struct vmmdev *vd);
int guestprop_get(void *svc, const char *name, struct guest_prop *p);
int guestprop_host_set(void *svc, const char *name, const char *value,
		       const char *flags, uint64_t timestamp, char *why,
		       unsigned int why_len);
void guestprop_enum(void *svc, const char *patterns, guest_prop_fn fn,
		    void *arg);

#endif /* VIREO_SVC_GUESTPROP_H */
