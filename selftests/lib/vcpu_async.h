/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One RUN of a vCPU on a thread of its own, for tests that act while the
 * guest runs or sleeps in the kernel (an interrupt that must wake it, a
 * pause that must hold it):
 *
 *	struct vcpu_runner r;
 *
 *	vcpu_run_async(&r, vcpu);
 *	ASSERT_FALSE(vcpu_run_ended_within(&r, 300));	// asleep
 *	...wake it...
 *	ASSERT_TRUE(vcpu_run_ended_within(&r, 30000));	// r.ret: _vcpu_run's
 *
 * A RUN that does not end by itself ends with vcpu_run_stop().
 */
#ifndef SELFTEST_VCPU_ASYNC_H
#define SELFTEST_VCPU_ASYNC_H

#include <pthread.h>
#include <stdbool.h>

#include "vireo_util.h"

struct vcpu_runner {
	struct vireo_vcpu *vcpu;
	pthread_t thread;
	int ret;		/* _vcpu_run()'s, once ended */
};

void vcpu_run_async(struct vcpu_runner *r, struct vireo_vcpu *vcpu);
/*
 * Did the RUN end within @ms milliseconds?  When it did, its thread is
 * joined and r->ret holds what _vcpu_run() returned.
 */
bool vcpu_run_ended_within(struct vcpu_runner *r, unsigned int ms);
/*
 * End a RUN that is still going: immediate_exit and a signal (SIGUSR1,
 * with a handler that does nothing, so RUN returns -EINTR), then join.
 */
void vcpu_run_stop(struct vcpu_runner *r);

#endif /* SELFTEST_VCPU_ASYNC_H */
