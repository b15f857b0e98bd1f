/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest tells the host about itself, under VirtualBox's guest
 * property names (VBoxService's "VM information" service): the OS, the
 * additions' version, the network interfaces' IPv4 addresses, and who is
 * logged in.  Only changes are written, but for Net/Count, written every
 * round as the host's sign that the information is current.
 */
#ifndef VIREO_GUESTD_VMINFO_H
#define VIREO_GUESTD_VMINFO_H

#include "prop.h"

#define VMINFO_NET_MAX		16	/* interfaces reported */

struct vminfo {
	struct prop_client *props;
	unsigned int last_net_count;	/* entries written last round */
	char cache[64][160];		/* "NAME=VALUE" written last */
	unsigned int nr_cache;
};

void vminfo_init(struct vminfo *v, struct prop_client *props);
/* The OS and the additions' version: once, at start. */
void vminfo_os(struct vminfo *v, const char *version);
/* Network and users: every round. */
void vminfo_round(struct vminfo *v);
/* A clean stop: the transient information goes. */
void vminfo_stop(struct vminfo *v);

#endif /* VIREO_GUESTD_VMINFO_H */
