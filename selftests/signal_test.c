// SPDX-License-Identifier: GPL-2.0
/*
 * RUN returns to userspace when a signal is pending (how a device model
 * kicks a vCPU), with -1/EINTR and VIREO_EXIT_INTR, and can be entered
 * again.  The guest spins until the host sets BX, so only an interrupted
 * RUN lets the test get there; immediate_exit makes RUN return at once.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/time.h>
#include <time.h>

#include "kselftest_harness.h"
#include "realmode.h"

#define TIMEOUT		120
#define KICK_INTERVAL_MS	50
/*
 * A RUN that respects signals returns within a kick or two; even under TCG
 * ten seconds means the module let the guest keep the CPU.
 */
#define KICK_LATENCY_MAX_S	10

REALMODE_GUEST(spin_guest,
	"spin_start:\n"
	"out %al, $0x10\n"
	"spin_loop:\n"
	"test %bx, %bx\n"
	"jz spin_loop\n"
	"spin_end:\n"
	"out %al, $0x11\n"
	"hlt\n");
REALMODE_LABEL(spin_start);
REALMODE_LABEL(spin_loop);
REALMODE_LABEL(spin_end);

FIXTURE(sig) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

/* A handler that does nothing: the signal only has to be pending. */
static void kick_handler(int sig)
{
}

FIXTURE_SETUP(sig)
{
	/* No SA_RESTART: RUN must come back with EINTR. */
	struct sigaction sa = { .sa_handler = kick_handler };

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	self->vm = vm_create_realmode(&spin_guest, &self->vcpu);
}

FIXTURE_TEARDOWN(sig)
{
	vm_free(self->vm);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* RUN while signals are coming: the ioctl's result, errno and duration. */
struct kicked_run {
	int ret;
	int err;
	double seconds;
};

static struct kicked_run run_kicked(struct vireo_vcpu *vcpu)
{
	struct kicked_run r;
	double start = now();

	r.ret = _vcpu_run(vcpu);
	r.err = errno;
	r.seconds = now() - start;
	return r;
}

/* RUN is interrupted inside the loop; freeing the guest lets it finish. */
static void check_interrupted_then_resume(struct __test_metadata *_metadata,
					  struct vireo_vcpu *vcpu,
					  struct kicked_run r)
{
	struct vireo_regs regs;

	ASSERT_EQ(-1, r.ret);
	ASSERT_EQ(EINTR, r.err);
	ASSERT_EQ(VIREO_EXIT_INTR, vcpu->run->exit_reason);
	ASSERT_GT(KICK_LATENCY_MAX_S, r.seconds)
		TH_LOG("RUN took %.1f s to notice the signals", r.seconds);

	vcpu_get_regs(vcpu, &regs);
	ASSERT_LE(realmode_ip(&spin_guest, spin_loop), regs.rip);
	ASSERT_GT(realmode_ip(&spin_guest, spin_end), regs.rip);
	regs.rbx = 1;
	vcpu_set_regs(vcpu, &regs);

	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x11, 1);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
}

TEST_F_TIMEOUT(sig, timer_signal, TIMEOUT)
{
	/* Repeating: a tick that lands before RUN enters must not be lost. */
	struct itimerval tick = {
		.it_interval = { 0, KICK_INTERVAL_MS * 1000 },
		.it_value = { 0, KICK_INTERVAL_MS * 1000 },
	};
	struct itimerval off = {};
	struct kicked_run r;

	vcpu_run(self->vcpu);
	vcpu_expect_out(self->vcpu, 0x10, 1);

	ASSERT_EQ(0, setitimer(ITIMER_REAL, &tick, NULL));
	r = run_kicked(self->vcpu);
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &off, NULL));
	check_interrupted_then_resume(_metadata, self->vcpu, r);
}

struct kicker {
	pthread_t target;
	atomic_bool stop;
};

/* Signal the vCPU thread until told to stop, as a device model would. */
static void *kicker_thread(void *arg)
{
	const struct timespec interval = { 0, KICK_INTERVAL_MS * 1000000 };
	struct kicker *k = arg;

	while (!atomic_load(&k->stop)) {
		nanosleep(&interval, NULL);
		pthread_kill(k->target, SIGUSR1);
	}
	return NULL;
}

TEST_F_TIMEOUT(sig, thread_kick, TIMEOUT)
{
	struct kicker k = { .target = pthread_self() };
	struct kicked_run r;
	pthread_t thread;

	vcpu_run(self->vcpu);
	vcpu_expect_out(self->vcpu, 0x10, 1);

	ASSERT_EQ(0, pthread_create(&thread, NULL, kicker_thread, &k));
	r = run_kicked(self->vcpu);
	atomic_store(&k.stop, true);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	check_interrupted_then_resume(_metadata, self->vcpu, r);
}

/* Interrupted twice in a row: re-entering after EINTR spins again. */
TEST_F_TIMEOUT(sig, reenter_after_eintr, TIMEOUT)
{
	struct itimerval tick = {
		.it_interval = { 0, KICK_INTERVAL_MS * 1000 },
		.it_value = { 0, KICK_INTERVAL_MS * 1000 },
	};
	struct itimerval off = {};
	struct kicked_run first, second;

	vcpu_run(self->vcpu);
	vcpu_expect_out(self->vcpu, 0x10, 1);

	ASSERT_EQ(0, setitimer(ITIMER_REAL, &tick, NULL));
	first = run_kicked(self->vcpu);
	second = run_kicked(self->vcpu);
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &off, NULL));
	ASSERT_EQ(-1, first.ret);
	ASSERT_EQ(EINTR, first.err);
	check_interrupted_then_resume(_metadata, self->vcpu, second);
}

TEST_F_TIMEOUT(sig, immediate_exit, TIMEOUT)
{
	int ret, err;

	self->vcpu->run->immediate_exit = 1;
	ret = _vcpu_run(self->vcpu);
	err = errno;
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EINTR, err);
	ASSERT_EQ(VIREO_EXIT_INTR, self->vcpu->run->exit_reason);
	/* The guest did not execute anything. */
	ASSERT_EQ(realmode_ip(&spin_guest, spin_start),
		  vcpu_get_rip(self->vcpu));

	self->vcpu->run->immediate_exit = 0;
	vcpu_run(self->vcpu);
	vcpu_expect_out(self->vcpu, 0x10, 1);
}

TEST_HARNESS_MAIN
