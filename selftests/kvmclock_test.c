// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's paravirtual clock (kernel/kvmclock.c), read by guest code the way
 * Linux's pvclock reader does, but without its global last-value guard, so
 * that a clock that goes backwards shows:
 *  - the KVM CPUID leaves are found by a scan as Linux scans, and the MSRs
 *    answer only behind them;
 *  - the clock runs at the host's rate, and the wall clock names today;
 *  - two vCPUs whose threads move between host CPUs at every exit: with the
 *    stable bit set (the host's TSC is stable) their clock never goes
 *    backwards, on either or across them, and the areas are not rewritten
 *    on a move; without it (the SVM sandbox: QEMU's EPYC has no invariant
 *    TSC), each move rewrites the area from the host's clock, and the
 *    steps back that the guest's own guard absorbs are counted.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "supported_cpuid.h"
#include "ucall.h"

#define TIMEOUT			300
#define MSR_WALL_CLOCK_NEW	0x4b564d00
#define MSR_SYSTEM_TIME_NEW	0x4b564d01
#define MSR_WALL_CLOCK		0x11
#define MSR_SYSTEM_TIME		0x12
#define F_CLOCKSOURCE		(1u << 0)
#define F_NOP_IO_DELAY		(1u << 1)
#define F_CLOCKSOURCE2		(1u << 3)
#define F_STABLE_BIT		(1u << 24)
#define PVCLOCK_STABLE		(1u << 0)
#define GP_VECTOR		13
#define ROUNDS			40	/* exits, each followed by a CPU move */
#define READS			200	/* clock reads between exits */

/* <asm/pvclock-abi.h> */
struct pvclock_vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} __attribute__((packed));

struct pvclock_wall_clock {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
} __attribute__((packed));

/* Guest memory, identity-mapped: addresses are guest-physical too. */
static struct pvclock_vcpu_time_info areas[2] __attribute__((aligned(64)));
static struct pvclock_wall_clock wall __attribute__((aligned(64)));
static uint64_t last_global;
static uint64_t backwards_across;	/* unstable: steps back across vCPUs */
static uint64_t backwards_own;		/* ... and on one vCPU */
static uint64_t backwards_max_ns;	/* ... and the largest of either */

/* ---- guest side ------------------------------------------------------- */

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(0));
}

/* Linux's hypervisor_cpuid_base(): 0x40000000-0x4000ff00, step 0x100. */
static uint32_t kvm_base(void)
{
	uint32_t base, a, b, c, d;

	for (base = 0x40000000; base < 0x40010000; base += 0x100) {
		cpuid(base, &a, &b, &c, &d);
		if (b == 0x4b4d564b && c == 0x564b4d56 && d == 0x4d &&
		    a > base)
			return base;
	}
	return 0;
}

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" :: "c"(msr), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32)) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

/* pvclock_clocksource_read() without the last-value guard. */
static uint64_t pvclock_read(volatile struct pvclock_vcpu_time_info *t,
			     uint8_t *flags)
{
	uint64_t delta, ns;
	uint32_t v;
	int8_t shift;

	do {
		v = t->version;
		asm volatile("" ::: "memory");
		delta = rdtsc_ordered() - t->tsc_timestamp;
		shift = t->tsc_shift;
		if (shift < 0)
			delta >>= -shift;
		else
			delta <<= shift;
		ns = t->system_time +
		     (uint64_t)(((unsigned __int128)delta *
				 t->tsc_to_system_mul) >> 32);
		if (flags)
			*flags = t->flags;
		asm volatile("" ::: "memory");
	} while ((v & 1) || v != t->version);
	return ns;
}

static void guest_leaves_and_msrs(void)
{
	uint32_t base = kvm_base(), a, b, c, d;
	uint64_t v;

	GUEST_ASSERT(base);
	cpuid(base + 1, &a, &b, &c, &d);
	GUEST_SYNC(a);
	v = (uint64_t)&areas[0] | 1;
	wrmsr(MSR_SYSTEM_TIME_NEW, v);
	GUEST_ASSERT_EQ(rdmsr(MSR_SYSTEM_TIME_NEW), v);
	/* Written before the next entry: even, and a scale. */
	GUEST_ASSERT(areas[0].version && !(areas[0].version & 1));
	GUEST_ASSERT(areas[0].tsc_to_system_mul);
	GUEST_SYNC(areas[0].flags);
	/* The old numbers work too; 0 turns the clock off. */
	wrmsr(MSR_SYSTEM_TIME, 0);
	GUEST_ASSERT_EQ(rdmsr(MSR_SYSTEM_TIME), 0);
	GUEST_DONE();
}

static void guest_no_leaves(void)
{
	uint64_t v;

	GUEST_ASSERT_EQ(kvm_base(), 0);
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_SYSTEM_TIME_NEW, &v), GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_SYSTEM_TIME_NEW, (uint64_t)&areas[0] | 1),
			GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_WALL_CLOCK, (uint64_t)&wall), GP_VECTOR);
	GUEST_DONE();
}

static void guest_rate_and_wall(void)
{
	wrmsr(MSR_SYSTEM_TIME_NEW, (uint64_t)&areas[0] | 1);
	GUEST_SYNC(pvclock_read(&areas[0], NULL));
	GUEST_SYNC(pvclock_read(&areas[0], NULL));
	wrmsr(MSR_WALL_CLOCK_NEW, (uint64_t)&wall);
	GUEST_ASSERT(!(wall.version & 1));
	/* The wall clock at kvmclock 0, plus kvmclock now. */
	GUEST_SYNC(wall.sec + pvclock_read(&areas[0], NULL) / 1000000000ULL);
	GUEST_DONE();
}

static void guest_monotonic(uint64_t id)
{
	volatile struct pvclock_vcpu_time_info *area = &areas[id];
	uint64_t t, prev, own = 0;
	uint8_t flags;
	int round, i;

	wrmsr(MSR_SYSTEM_TIME_NEW, (uint64_t)area | 1);
	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < READS; i++) {
			/* The last value any vCPU published, then the clock. */
			prev = __atomic_load_n(&last_global, __ATOMIC_ACQUIRE);
			t = pvclock_read(area, &flags);
			if (t < own) {
				/* Unstable: a new pair from the host's clock. */
				if (flags & PVCLOCK_STABLE)
					GUEST_ASSERT_EQ(t, own);
				__atomic_add_fetch(&backwards_own, 1,
						   __ATOMIC_RELAXED);
				if (own - t > backwards_max_ns)
					backwards_max_ns = own - t;
			}
			own = t;
			if (t < prev) {
				if (flags & PVCLOCK_STABLE)
					GUEST_ASSERT_EQ(t, prev);
				__atomic_add_fetch(&backwards_across, 1,
						   __ATOMIC_RELAXED);
				if (prev - t > backwards_max_ns)
					backwards_max_ns = prev - t;
				continue;
			}
			while (!__atomic_compare_exchange_n(&last_global,
							    &prev, t, false,
							    __ATOMIC_RELEASE,
							    __ATOMIC_ACQUIRE))
				if (prev >= t)
					break;
		}
		GUEST_SYNC(flags);
	}
	GUEST_DONE();
}

/* ---- host side -------------------------------------------------------- */

/* The KVM build of this test (selftests/run, after Vireo's). */
static bool on_kvm(void)
{
	return !strcmp(selftest_hypervisor(), "kvm");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool host_has_constant_tsc(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	TEST_ASSERT(f, "/proc/cpuinfo");
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "flags", 5) &&
			strstr(line, " constant_tsc");
	fclose(f);
	return found;
}

static uint64_t expect_sync(struct vireo_vcpu *vcpu)
{
	struct ucall uc;

	switch (vcpu_run_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		return uc.args[0];
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
	default:
		TEST_FAIL("unexpected ucall %lu", (unsigned long)uc.cmd);
	}
	return 0;
}

static void expect_done(struct vireo_vcpu *vcpu)
{
	struct ucall uc;

	switch (vcpu_run_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		return;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
	default:
		TEST_FAIL("unexpected ucall %lu", (unsigned long)uc.cmd);
	}
}

FIXTURE(kvmclock) {
	struct vireo_vm *vm;
};

FIXTURE_SETUP(kvmclock)
{
	self->vm = NULL;
}

FIXTURE_TEARDOWN(kvmclock)
{
	if (self->vm)
		vm_free(self->vm);
}

TEST_F_TIMEOUT(kvmclock, leaves_and_msrs, TIMEOUT)
{
	struct vireo_vcpu *vcpu;
	uint64_t features, flags;

	self->vm = vm_create_longmode(guest_leaves_and_msrs, &vcpu);
	vcpu_set_supported_cpuid(vcpu);
	features = expect_sync(vcpu);
	ksft_print_msg("KVM features %#lx\n", (unsigned long)features);
	ASSERT_EQ(F_CLOCKSOURCE | F_CLOCKSOURCE2 | F_STABLE_BIT | F_NOP_IO_DELAY,
		  features & (F_CLOCKSOURCE | F_CLOCKSOURCE2 | F_STABLE_BIT |
			      F_NOP_IO_DELAY));
	flags = expect_sync(vcpu);
	ksft_print_msg("pvclock flags %#lx, host constant_tsc %d\n",
		       (unsigned long)flags, host_has_constant_tsc());
	/*
	 * Vireo never calls a TSC whose rate may change stable.  KVM asks
	 * less: its master clock sets the bit whenever the host's own clock
	 * is the TSC and the TSCs are in step, which 6.12 in the sandbox
	 * decides without constant_tsc (6.1 does not).
	 */
	if (!host_has_constant_tsc() &&
	    !strcmp(selftest_hypervisor(), "vireo"))
		ASSERT_EQ(0, flags & PVCLOCK_STABLE);
	expect_done(vcpu);
}

/* A table without KVM's leaves: the MSRs are not there either. */
TEST_F_TIMEOUT(kvmclock, no_leaves_no_msrs, TIMEOUT)
{
	struct vireo_cpuid *c;
	struct vireo_vcpu *vcpu;
	uint32_t i, n = 0;

	/* KVM answers the MSRs whatever the CPUID (conformance.md). */
	if (on_kvm())
		SKIP(return, "KVM's clock MSRs do not follow its CPUID");
	c = get_supported_cpuid();
	for (i = 0; i < c->nent; i++)
		if ((c->entries[i].function & 0xffffff00) != 0x40000100)
			c->entries[n++] = c->entries[i];
	ASSERT_EQ(c->nent - 2, n);
	self->vm = vm_create_longmode(guest_no_leaves, &vcpu);
	vcpu_init_exceptions(vcpu);
	vcpu_set_cpuid(vcpu, c->entries, n);
	free(c);
	expect_done(vcpu);
}

TEST_F_TIMEOUT(kvmclock, rate_and_wall_clock, TIMEOUT)
{
	uint64_t g1, g2, h1, h2, guest_d, host_d, wall_sec;
	struct vireo_vcpu *vcpu;
	long diff;

	self->vm = vm_create_longmode(guest_rate_and_wall, &vcpu);
	vcpu_set_supported_cpuid(vcpu);
	g1 = expect_sync(vcpu);
	h1 = now_ns();
	usleep(1000000);
	h2 = now_ns();
	g2 = expect_sync(vcpu);
	guest_d = g2 - g1;
	host_d = h2 - h1;
	ksft_print_msg("1 s of host time: the guest's clock moved %lu ns\n",
		       (unsigned long)guest_d);
	/*
	 * The exit and entry between the reads add to the guest's side; the
	 * host's calibrated TSC rate may be off by a fraction of a percent.
	 */
	ASSERT_GT(guest_d, host_d - host_d / 50);
	ASSERT_LT(guest_d, host_d + host_d / 10);
	wall_sec = expect_sync(vcpu);
	diff = (long)wall_sec - (long)time(NULL);
	ksft_print_msg("guest wall clock - host: %ld s\n", diff);
	ASSERT_LE(labs(diff), 2);
	expect_done(vcpu);
}

struct mover {
	struct vireo_vcpu *vcpu;
	int ncpus;
	int moves;
	int stable_rounds;
};

/* Runs one vCPU, moving its thread to the next host CPU at every exit. */
static void *mover_thread(void *arg)
{
	struct mover *m = arg;
	struct ucall uc;
	cpu_set_t set;
	int cpu = m->vcpu->id;

	for (;;) {
		CPU_ZERO(&set);
		CPU_SET(cpu % m->ncpus, &set);
		if (!sched_setaffinity(0, sizeof(set), &set))
			m->moves++;
		cpu++;
		switch (vcpu_run_ucall(m->vcpu, &uc)) {
		case UCALL_SYNC:
			m->stable_rounds += !!(uc.args[0] & PVCLOCK_STABLE);
			continue;
		case UCALL_DONE:
			return NULL;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
		default:
			TEST_FAIL("unexpected ucall %lu", (unsigned long)uc.cmd);
		}
	}
}

TEST_F_TIMEOUT(kvmclock, monotonic_across_vcpus_and_moves, TIMEOUT)
{
	struct mover m[2] = { 0 };
	pthread_t threads[2];
	uint64_t updates[2];
	int i, ncpus = sysconf(_SC_NPROCESSORS_ONLN);

	self->vm = vm_create_longmode_novcpu();
	for (i = 0; i < 2; i++) {
		m[i].vcpu = vm_add_longmode_vcpu(self->vm, i, guest_monotonic);
		vcpu_set_supported_cpuid(m[i].vcpu);
		vcpu_args_set(m[i].vcpu, 1, (uint64_t)i);
		m[i].ncpus = ncpus;
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, mover_thread,
					    &m[i]));
	for (i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	sync_global_from_guest(self->vm, backwards_across);
	sync_global_from_guest(self->vm, backwards_max_ns);
	sync_global_from_guest(self->vm, backwards_own);
	/* KVM's debugfs has no such count: its side checks the clock only. */
	for (i = 0; i < 2; i++)
		updates[i] = on_kvm() ? 0 :
			     vcpu_debugfs_u64(m[i].vcpu, "kvmclock_updates");
	ksft_print_msg("%d host CPUs; stable rounds %d/%d, %d/%d; areas written %lu, %lu times; backward steps across vCPUs %lu, on one %lu, at most %lu ns\n",
		       ncpus, m[0].stable_rounds, ROUNDS, m[1].stable_rounds,
		       ROUNDS, (unsigned long)updates[0],
		       (unsigned long)updates[1],
		       (unsigned long)backwards_across,
		       (unsigned long)backwards_own,
		       (unsigned long)backwards_max_ns);
	for (i = 0; i < 2; i++) {
		ASSERT_GT(m[i].moves, ROUNDS);
		if (on_kvm()) {
			if (m[i].stable_rounds == ROUNDS)
				ASSERT_EQ(0, backwards_across);
		} else if (m[i].stable_rounds == ROUNDS) {
			/* One pair for the whole run: written once. */
			ASSERT_EQ(1, updates[i]);
			ASSERT_EQ(0, backwards_across);
		} else if (ncpus > 1) {
			/* Rewritten on moves, from the host's clock. */
			ASSERT_GT(updates[i], ROUNDS / 2);
		}
	}
}

TEST_HARNESS_MAIN
