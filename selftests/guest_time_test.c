// SPDX-License-Identifier: GPL-2.0
/*
 * VIREO_SET_GUEST_TIME: a VM's time stopped and started again, as a pause
 * does it (docs/ioctl-api.md, "Stopping guest time").  While stopped, no
 * vCPU runs guest code (one busy in the guest is kicked out, RUN waits
 * and a signal ends the wait), the guest's TSC and its LAPIC timers stand
 * still, and afterwards they go on from where they stood: the guest sees
 * a fraction of the pause at most, and a timer never fires in it.
 *
 * Each stop here lasts PAUSE_MS; a guest may see at most SEEN_MAX_MS of it
 * (the ioctls and exits around the stop, slow under TCG).  Without the
 * stop the guest would see all of PAUSE_MS, so every check can fail.
 * Vireo only: KVM has no such call (its users move the TSC themselves).
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "ucall.h"

#define TIMEOUT		120
#define PAUSE_MS	600
#define SEEN_MAX_MS	250
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EXTD	(1ULL << 10)
#define APIC_BASE_EN	(1ULL << 11)
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_SVR	0x80f
#define MSR_X2APIC_IRR2	0x822		/* vectors 0x40-0x5f */
#define MSR_X2APIC_LVTT	0x832
#define MSR_X2APIC_TMICT 0x838
#define MSR_X2APIC_TMCCT 0x839
#define MSR_X2APIC_TDCR	0x83e
#define LVT_MASKED	(1U << 16)
#define LVT_TSC_DEADLINE (2U << 17)
#define VEC_TIMER	0x40

/* The harness's timeout needs a fixture; the tests need nothing of it. */
FIXTURE(gt) {
};

FIXTURE_SETUP(gt)
{
}

FIXTURE_TEARDOWN(gt)
{
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void ms_sleep(unsigned int ms)
{
	usleep(ms * 1000);
}

static int set_time(struct vireo_vm *vm, struct vireo_guest_time *t)
{
	return vireo_ioctl(vm->fd, VIREO_SET_GUEST_TIME, (unsigned long)t);
}

static void guest_time(struct vireo_vm *vm, uint32_t state)
{
	struct vireo_guest_time t = { .state = state };

	TEST_ASSERT(set_time(vm, &t) == 0, "SET_GUEST_TIME %u", state);
}

static struct vireo_guest_time get_time(struct vireo_vm *vm)
{
	struct vireo_guest_time t;

	memset(&t, 0xa5, sizeof(t));
	TEST_ASSERT(vireo_ioctl(vm->fd, VIREO_GET_GUEST_TIME,
				(unsigned long)&t) == 0, "GET_GUEST_TIME");
	return t;
}

/* Guest TSC ticks per millisecond, from the host's view of it. */
static uint64_t tsc_per_ms(struct vireo_vm *vm)
{
	uint64_t t0 = get_time(vm).tsc, n0 = now_ns(), t1, n1;

	ms_sleep(100);
	t1 = get_time(vm).tsc;
	n1 = now_ns();
	return (t1 - t0) * 1000000 / (n1 - n0);
}

/* Stop guest time for PAUSE_MS; the host time it took, in ns. */
static uint64_t pause_guest(struct vireo_vm *vm)
{
	uint64_t start = now_ns();

	guest_time(vm, VIREO_GUEST_TIME_STOPPED);
	ms_sleep(PAUSE_MS);
	guest_time(vm, VIREO_GUEST_TIME_RUNNING);
	return now_ns() - start;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

static void apic_on(void)
{
	wrmsr_ok(MSR_APIC_BASE, rdmsr_ok(MSR_APIC_BASE) | APIC_BASE_EN |
	      APIC_BASE_EXTD);
	wrmsr_ok(MSR_X2APIC_SVR, 0x1ff);
}

TEST_F_TIMEOUT(gt, api, TIMEOUT)
{
	struct vireo_guest_time t, before;
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	int i;

	vm = vm_create_longmode(NULL, &vcpu);
	ASSERT_EQ(1, dev_check_cap(VIREO_CAP_GUEST_TIME));
	t = get_time(vm);
	ASSERT_EQ(VIREO_GUEST_TIME_RUNNING, t.state);
	ASSERT_EQ(0, t.flags);
	ASSERT_EQ(0, t.stops);
	ASSERT_EQ(0, t.stopped_ns);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, t.reserved[i]);

	/* Only the state may be given: the rest is for later versions. */
	memset(&t, 0, sizeof(t));
	t.state = 2;
	ASSERT_EQ(-1, set_time(vm, &t));
	ASSERT_EQ(EINVAL, errno);
	memset(&t, 0, sizeof(t));
	t.state = VIREO_GUEST_TIME_STOPPED;
	t.flags = 1;
	ASSERT_EQ(-1, set_time(vm, &t));
	ASSERT_EQ(EINVAL, errno);
	t.flags = 0;
	t.tsc = 1;
	ASSERT_EQ(-1, set_time(vm, &t));
	ASSERT_EQ(EINVAL, errno);
	t.tsc = 0;
	t.reserved[3] = 1;
	ASSERT_EQ(-1, set_time(vm, &t));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(VIREO_GUEST_TIME_RUNNING, get_time(vm).state);
	ASSERT_EQ(-1, vireo_ioctl(vm->fd, VIREO_SET_GUEST_TIME, 8));
	ASSERT_EQ(EFAULT, errno);

	/* Stopping twice is one stop; the TSC stands, the stop counts. */
	guest_time(vm, VIREO_GUEST_TIME_STOPPED);
	guest_time(vm, VIREO_GUEST_TIME_STOPPED);
	before = get_time(vm);
	ms_sleep(100);
	t = get_time(vm);
	ASSERT_EQ(VIREO_GUEST_TIME_STOPPED, t.state);
	ASSERT_EQ(1, t.stops);
	ASSERT_EQ(before.tsc, t.tsc);
	ASSERT_LE(before.stopped_ns + 100000000ULL, t.stopped_ns);
	guest_time(vm, VIREO_GUEST_TIME_RUNNING);
	guest_time(vm, VIREO_GUEST_TIME_RUNNING);
	t = get_time(vm);
	ASSERT_EQ(VIREO_GUEST_TIME_RUNNING, t.state);
	ASSERT_EQ(1, t.stops);
	ASSERT_LE(before.tsc, t.tsc);
	vm_free(vm);
}

/* The TSC goes on from where it stood: the pause is not in it. */
TEST_F_TIMEOUT(gt, tsc_goes_on_from_the_stop, TIMEOUT)
{
	uint64_t rate, frozen, after, host_ns;
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;

	vm = vm_create_longmode(NULL, &vcpu);
	rate = tsc_per_ms(vm);
	ASSERT_LT(0, rate);
	guest_time(vm, VIREO_GUEST_TIME_STOPPED);
	frozen = get_time(vm).tsc;
	ms_sleep(PAUSE_MS);
	host_ns = now_ns();
	guest_time(vm, VIREO_GUEST_TIME_RUNNING);
	after = get_time(vm).tsc;
	host_ns = now_ns() - host_ns;
	TH_LOG("%lu TSC ticks/ms; after a %u ms stop the TSC moved %lu ticks (%lu us of host time around the start)",
	       (unsigned long)rate, PAUSE_MS, (unsigned long)(after - frozen),
	       (unsigned long)(host_ns / 1000));
	ASSERT_LE(frozen, after);
	ASSERT_LT(after - frozen, SEEN_MAX_MS * rate);
	vm_free(vm);
}

/* The guest reads its TSC and the APIC timer's count around a pause. */
static void guest_counts(void)
{
	apic_on();
	wrmsr_ok(MSR_X2APIC_TDCR, 0xb);			/* divide by 1 */
	wrmsr_ok(MSR_X2APIC_LVTT, LVT_MASKED | VEC_TIMER);	/* one-shot */
	wrmsr_ok(MSR_X2APIC_TMICT, 0xffffffff);		/* 4.3 s at 1 GHz */
	ucall(UCALL_SYNC, rdtsc(), rdmsr_ok(MSR_X2APIC_TMCCT));
	ucall(UCALL_SYNC, rdtsc(), rdmsr_ok(MSR_X2APIC_TMCCT));
	GUEST_DONE();
}

TEST_F_TIMEOUT(gt, guest_sees_no_pause, TIMEOUT)
{
	uint64_t rate, tsc_seen, count_seen, took;
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct ucall uc;

	vm = vm_create_longmode(guest_counts, &vcpu);
	vcpu_init_exceptions(vcpu);
	rate = tsc_per_ms(vm);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	tsc_seen = uc.args[0];
	count_seen = uc.args[1];
	took = pause_guest(vm);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	tsc_seen = uc.args[0] - tsc_seen;
	count_seen -= uc.args[1];
	TH_LOG("a %lu ms pause: the guest saw %lu us by its TSC, %lu us by its APIC timer",
	       (unsigned long)(took / 1000000),
	       (unsigned long)(tsc_seen * 1000 / rate),
	       (unsigned long)(count_seen / 1000));
	ASSERT_LT(tsc_seen, SEEN_MAX_MS * rate);
	/* The count ticks at 1 GHz (kernel/lapic.c). */
	ASSERT_LT(count_seen, SEEN_MAX_MS * 1000000ULL);
	ASSERT_LT(0, count_seen);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(vcpu, &uc));
	vm_free(vm);
}

/*
 * A TSC deadline DEADLINE_MS ahead does not fire during a longer stop,
 * and fires after it, not early by the guest's TSC.  Interrupts stay off:
 * the guest sees the tick in its IRR.
 */
#define DEADLINE_MS	300

static void guest_deadline(uint64_t ticks)
{
	uint64_t deadline;

	apic_on();
	wrmsr_ok(MSR_X2APIC_LVTT, LVT_TSC_DEADLINE | VEC_TIMER);
	deadline = rdtsc() + ticks;
	wrmsr_ok(MSR_TSC_DEADLINE, deadline);
	GUEST_SYNC(0);
	/* Back from the pause: not yet. */
	GUEST_SYNC(rdmsr_ok(MSR_X2APIC_IRR2) & 1);
	/* Ten times the wait at most, by the guest's own clock. */
	while (!(rdmsr_ok(MSR_X2APIC_IRR2) & 1) && rdtsc() < deadline + 10 * ticks)
		asm volatile("pause");
	GUEST_ASSERT_EQ(rdmsr_ok(MSR_X2APIC_IRR2) & 1, 1);
	GUEST_ASSERT(rdtsc() >= deadline);
	GUEST_DONE();
}

TEST_F_TIMEOUT(gt, deadline_waits_out_the_pause, TIMEOUT)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct ucall uc;
	uint64_t ticks;

	vm = vm_create_longmode(guest_deadline, &vcpu);
	vcpu_init_exceptions(vcpu);
	ticks = tsc_per_ms(vm) * DEADLINE_MS;
	vcpu_args_set(vcpu, 1, ticks);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	pause_guest(vm);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	ASSERT_EQ(0, uc.args[0]) {
		TH_LOG("the deadline fired during the stop");
	}
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(vcpu, &uc)) {
		if (uc.cmd == UCALL_ABORT)
			REPORT_GUEST_ASSERT(uc);
	}
	vm_free(vm);
}

/* A vCPU made while guest time stands: its timer runs once time does. */
TEST_F_TIMEOUT(gt, vcpu_made_while_stopped, TIMEOUT)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct ucall uc;
	uint64_t rate;

	vm = vm_create_longmode_novcpu();
	rate = tsc_per_ms(vm);
	guest_time(vm, VIREO_GUEST_TIME_STOPPED);
	vcpu = vm_add_longmode_vcpu(vm, 0, guest_deadline);
	vcpu_init_exceptions(vcpu);
	vcpu_args_set(vcpu, 1, rate * 20);
	guest_time(vm, VIREO_GUEST_TIME_RUNNING);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(vcpu, &uc)) {
		if (uc.cmd == UCALL_ABORT)
			REPORT_GUEST_ASSERT(uc);
	}
	vm_free(vm);
}

/*
 * The guest programs its timer again and again (a one-shot of 50 us, each
 * time on a new vector, interrupts off, so each tick stays in the IRR)
 * while another thread stops and starts guest time, hundreds of times:
 * every tick comes, none is lost to a stop that met a reprogramming.
 */
#define FIRST_VEC	0x40
#define LAST_VEC	0xef

static void guest_reprogram(uint64_t ticks_per_ms)
{
	uint64_t until;
	unsigned int v;

	apic_on();
	wrmsr_ok(MSR_X2APIC_TDCR, 0xb);
	GUEST_SYNC(0);
	for (v = FIRST_VEC; v <= LAST_VEC; v++) {
		wrmsr_ok(MSR_X2APIC_LVTT, v);			/* one-shot */
		wrmsr_ok(MSR_X2APIC_TMICT, 50000);
		until = rdtsc() + 2000 * ticks_per_ms;
		while (!(rdmsr_ok(0x820 + v / 32) & (1u << (v % 32))) &&
		       rdtsc() < until)
			asm volatile("pause");
		GUEST_ASSERT_EQ((rdmsr_ok(0x820 + v / 32) >> (v % 32)) & 1, 1);
	}
	GUEST_DONE();
}

struct toggler {
	struct vireo_vm *vm;
	int done;		/* __atomic */
	unsigned long stops;
};

static void *toggle_time(void *arg)
{
	struct toggler *t = arg;

	unsigned int seed = 1;

	/*
	 * Stops at random points of the guest's work, with running time in
	 * between, so that the guest gets on under any scheduling.
	 */
	while (!__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) {
		guest_time(t->vm, VIREO_GUEST_TIME_STOPPED);
		guest_time(t->vm, VIREO_GUEST_TIME_RUNNING);
		t->stops++;
		usleep(rand_r(&seed) % 300);
	}
	return NULL;
}

TEST_F_TIMEOUT(gt, timer_programmed_while_stopping, TIMEOUT)
{
	struct toggler t = { 0 };
	struct vireo_vcpu *vcpu;
	pthread_t thread;
	struct ucall uc;

	t.vm = vm_create_longmode(guest_reprogram, &vcpu);
	vcpu_init_exceptions(vcpu);
	vcpu_args_set(vcpu, 1, tsc_per_ms(t.vm));
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	ASSERT_EQ(0, pthread_create(&thread, NULL, toggle_time, &t));
	vcpu_run_ucall(vcpu, &uc);
	__atomic_store_n(&t.done, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	TH_LOG("%d timer programmings across %lu stops",
	       LAST_VEC - FIRST_VEC + 1, t.stops);
	ASSERT_EQ(UCALL_DONE, uc.cmd) {
		if (uc.cmd == UCALL_ABORT)
			REPORT_GUEST_ASSERT(uc);
	}
	ASSERT_LT(0, t.stops);
	vm_free(t.vm);
}

/* ---- a vCPU busy in the guest while time stops ------------------------ */

static uint64_t spins;

static void guest_spin(void)
{
	for (;;)
		__atomic_fetch_add(&spins, 1, __ATOMIC_RELAXED);
}

struct runner {
	struct vireo_vcpu *vcpu;
	pthread_t thread;
	int ended;		/* __atomic */
	int ret, err;
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;

	r->ret = _vcpu_run(r->vcpu);
	r->err = errno;
	__atomic_store_n(&r->ended, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void run_async(struct runner *r, struct vireo_vcpu *vcpu)
{
	r->vcpu = vcpu;
	r->ended = 0;
	TEST_ASSERT(!pthread_create(&r->thread, NULL, run_thread, r),
		    "pthread_create");
}

static void on_signal(int sig)
{
}

static uint64_t guest_spins(struct vireo_vm *vm)
{
	uint64_t n;

	vm_read_gva(vm, (uintptr_t)&spins, &n, sizeof(n));
	return n;
}

/* Wait up to 30 s for the guest's counter to pass @n. */
static bool spins_pass(struct vireo_vm *vm, uint64_t n)
{
	int i;

	for (i = 0; i < 3000; i++) {
		if (guest_spins(vm) > n)
			return true;
		ms_sleep(10);
	}
	return false;
}

static bool run_ended(struct runner *r)
{
	return __atomic_load_n(&r->ended, __ATOMIC_ACQUIRE);
}

/* Wait up to 30 s for @r's RUN to end. */
static bool run_ends(struct runner *r)
{
	int i;

	for (i = 0; i < 3000 && !run_ended(r); i++)
		ms_sleep(10);
	return run_ended(r);
}

TEST_F_TIMEOUT(gt, busy_vcpu_is_kicked_out_and_waits, TIMEOUT)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct runner r;
	uint64_t n;

	/* No SA_RESTART: RUN must come back with EINTR. */
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	vm = vm_create_longmode(guest_spin, &vcpu);
	run_async(&r, vcpu);
	ASSERT_TRUE(spins_pass(vm, 0));

	/* Stopped: the guest no longer counts, and RUN has not returned. */
	guest_time(vm, VIREO_GUEST_TIME_STOPPED);
	n = guest_spins(vm);
	ms_sleep(300);
	ASSERT_EQ(n, guest_spins(vm));
	ASSERT_FALSE(run_ended(&r));

	/* Started: it counts again, in the same RUN. */
	guest_time(vm, VIREO_GUEST_TIME_RUNNING);
	ASSERT_TRUE(spins_pass(vm, n));
	ASSERT_FALSE(run_ended(&r));

	/* A RUN waiting for the start ends with a signal, as HLT does. */
	guest_time(vm, VIREO_GUEST_TIME_STOPPED);
	ms_sleep(100);
	ASSERT_FALSE(run_ended(&r));
	pthread_kill(r.thread, SIGUSR1);
	ASSERT_TRUE(run_ends(&r));
	pthread_join(r.thread, NULL);
	ASSERT_EQ(-1, r.ret);
	ASSERT_EQ(EINTR, r.err);
	ASSERT_EQ(VIREO_EXIT_INTR, vcpu->run->exit_reason);

	/* A RUN begun while stopped waits too, then runs on the start. */
	n = guest_spins(vm);
	run_async(&r, vcpu);
	ms_sleep(200);
	ASSERT_EQ(n, guest_spins(vm));
	ASSERT_FALSE(run_ended(&r));
	guest_time(vm, VIREO_GUEST_TIME_RUNNING);
	ASSERT_TRUE(spins_pass(vm, n));
	pthread_kill(r.thread, SIGUSR1);
	ASSERT_TRUE(run_ends(&r));
	pthread_join(r.thread, NULL);
	ASSERT_EQ(EINTR, r.err);
	vm_free(vm);
}

/* The VM goes away while time is stopped and a vCPU waits: no leak. */
TEST_F_TIMEOUT(gt, freed_while_stopped, TIMEOUT)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct runner r;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	vm = vm_create_longmode(guest_spin, &vcpu);
	guest_time(vm, VIREO_GUEST_TIME_STOPPED);
	run_async(&r, vcpu);
	ms_sleep(100);
	pthread_kill(r.thread, SIGUSR1);
	ASSERT_TRUE(run_ends(&r));
	pthread_join(r.thread, NULL);
	vm_free(vm);
}

TEST_HARNESS_MAIN
