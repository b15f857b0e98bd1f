// SPDX-License-Identifier: GPL-2.0
/* A vCPU's RUN on a thread of its own: vcpu_async.h. */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "vcpu_async.h"

static void *vcpu_async_thread(void *arg)
{
	struct vcpu_runner *r = arg;

	r->ret = _vcpu_run(r->vcpu);
	return NULL;
}

static void on_usr1(int sig)
{
}

void vcpu_run_async(struct vcpu_runner *r, struct vireo_vcpu *vcpu)
{
	struct sigaction sa;

	/* Without SA_RESTART: the signal ends RUN with -EINTR. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	r->vcpu = vcpu;
	r->ret = 0;
	TEST_ASSERT(!pthread_create(&r->thread, NULL, vcpu_async_thread, r),
		    "pthread_create");
}

bool vcpu_run_ended_within(struct vcpu_runner *r, unsigned int ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	return pthread_timedjoin_np(r->thread, NULL, &deadline) == 0;
}

void vcpu_run_stop(struct vcpu_runner *r)
{
	r->vcpu->run->immediate_exit = 1;
	pthread_kill(r->thread, SIGUSR1);
	pthread_join(r->thread, NULL);
	r->vcpu->run->immediate_exit = 0;
}
