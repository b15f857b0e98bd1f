/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest on /dev/kvm that runs in a thread of its own, beside whatever
 * the test drives (coexist_test): KVM as the other hypervisor on the same
 * CPUs.  It talks to /dev/kvm directly, whichever hypervisor the rest of
 * the test library drives.
 *
 * The guest, in real mode, loops: AL = byte at 0x2000 + BL; BL++; OUT
 * 0x10, AL.  Each OUT must carry KVM_GUEST_BYTE + n for the n-th exit: its
 * registers and its memory came through whatever ran in between.
 */
#ifndef SELFTEST_KVM_GUEST_H
#define SELFTEST_KVM_GUEST_H

#include <pthread.h>
#include <stdbool.h>

#define KVM_GUEST_BYTE	0xaa

struct kvm_guest;

/*
 * Open /dev/kvm, create a VM and a vCPU, start the thread.  NULL, with
 * errno set and a reason in @why (at least 128 bytes), when KVM cannot.
 */
struct kvm_guest *kvm_guest_start(char *why);
/* Exits the guest has made so far, all of them right. */
unsigned long kvm_guest_exits(struct kvm_guest *g);
/* Run the guest's thread on @cpu (modulo the online CPUs) only. */
void kvm_guest_pin(struct kvm_guest *g, int cpu);
/* Whether the guest's thread stopped on a wrong exit or an error. */
bool kvm_guest_failed(struct kvm_guest *g);
/*
 * Stop the thread and free the VM.  True if every exit was what the guest
 * should have sent; otherwise @why says what came instead.
 */
bool kvm_guest_stop(struct kvm_guest *g, unsigned long *exits, char *why);

/* Run thread @t on @cpu (modulo the online CPUs) only. */
void thread_pin(pthread_t t, int cpu);

#endif
