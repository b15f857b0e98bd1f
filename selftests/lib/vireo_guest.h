/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Vireo's counterpart of kvm_guest.h: the same real-mode loop in a thread
 * of its own, with another byte (VIREO_GUEST_BYTE), so that a guest that
 * sees the other hypervisor's memory or registers sends a wrong OUT.
 * coexist_test and suspend_test run one beside a KVM guest.
 */
#ifndef SELFTEST_VIREO_GUEST_H
#define SELFTEST_VIREO_GUEST_H

#include <stdbool.h>

#include "kvm_guest.h"

#define VIREO_GUEST_BYTE	0x55

struct vireo_guest;

/* Create the VM and its vCPU (TEST_ASSERT on failure), start the thread. */
struct vireo_guest *vireo_guest_start(void);
/* The same, the thread on @cpu (modulo the online CPUs) from the start. */
struct vireo_guest *vireo_guest_start_on(int cpu);
unsigned long vireo_guest_exits(struct vireo_guest *g);
/* NULL while every exit was right; else what went wrong. */
const char *vireo_guest_error(struct vireo_guest *g);
/* Run the guest's thread on @cpu (modulo the online CPUs) only. */
void vireo_guest_pin(struct vireo_guest *g, int cpu);
/* Stop the thread and free the VM; as kvm_guest_stop(). */
bool vireo_guest_stop(struct vireo_guest *g, unsigned long *exits, char *why);

/*
 * Wait until each guest given (either may be NULL) made @n more exits,
 * all right.  False, with the reason in @why (256 bytes), when one went
 * wrong or did not get there in 500 seconds.
 */
bool guests_advance(struct vireo_guest *v, struct kvm_guest *k,
		    unsigned long n, char *why);

#endif
