// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl fuzzer: nothing a process does through /dev/vireo may oops,
 * WARN, hang or leak.  A child process runs, for a fixed budget, threads
 * that
 *  - issue random ioctls (Vireo's own numbers, mostly with arguments built
 *    to get past the first checks, and random ones) on /dev/vireo, VM and
 *    vCPU fds, with arguments that are random bytes, NULL, kernel
 *    addresses, unmapped pages or plain numbers;
 *  - run vCPUs (VIREO_RUN), kicked by signals and immediate_exit;
 *  - close and create VMs and vCPUs, and take away and give back the
 *    memory their slots point at,
 * all at once, on the same fds.  The child then exits with everything
 * open, and the module's counters (VMs, vCPUs, pages, pinned pages) must
 * come back to where they were; selftests/run fails the run on any oops,
 * WARN or stall in the kernel log.
 *
 * VIREO_FUZZ_SECONDS (default 20) sets the budget, VIREO_FUZZ_SEED the
 * seed (default: the time; printed, to run a failure again).
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "counters.h"
#include "vireo_util.h"

#define NR_VMS		4
#define NR_VCPUS	8
#define POOL_PAGES	512		/* what slots point at: 2 MiB */
#define ARG_BYTES	8192

static const unsigned long cmds[] = {
	VIREO_GET_API_VERSION, VIREO_CHECK_CAP, VIREO_CREATE_VM,
	VIREO_GET_RUN_SIZE, VIREO_GET_SUPPORTED_CPUID,
	VIREO_SET_MEMORY_REGION, VIREO_CREATE_VCPU, VIREO_SIGNAL_MSI,
	VIREO_RUN, VIREO_GET_REGS, VIREO_SET_REGS, VIREO_GET_SREGS,
	VIREO_SET_SREGS, VIREO_SET_CPUID, VIREO_GET_MP_STATE,
	VIREO_SET_MP_STATE,
};

struct fuzz {
	int dev;
	_Atomic int vms[NR_VMS];
	_Atomic int vcpus[NR_VCPUS];
	uint8_t *pool;
	uint8_t *none;			/* a PROT_NONE page */
	atomic_bool stop;
	atomic_ulong ioctls, runs, churns;
	pthread_t runner;
	uint64_t seed;
	atomic_uint threads;		/* seeds each thread differently */
};

/* xorshift64*, one state per thread. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static int pick_fd(struct fuzz *f, uint64_t *s)
{
	switch (rnd(s) % 8) {
	case 0:
		return f->dev;
	case 1:
	case 2:
	case 3:
		return atomic_load(&f->vms[rnd(s) % NR_VMS]);
	case 7:
		return rnd(s) % 64;		/* anything, closed or not */
	}
	return atomic_load(&f->vcpus[rnd(s) % NR_VCPUS]);
}

/* A struct the ioctl may take, filled to get past its first checks. */
static void shape_arg(struct fuzz *f, uint64_t *s, unsigned long cmd,
		      uint8_t *buf)
{
	struct vireo_memory_region *r = (void *)buf;
	struct vireo_cpuid *c = (void *)buf;

	switch (cmd) {
	case VIREO_SET_MEMORY_REGION:
		memset(r, 0, sizeof(*r));
		r->slot = rnd(s) % 40;
		r->flags = rnd(s) % 4 ? 0 : rnd(s) % 3;
		r->guest_phys_addr = (rnd(s) % 2048) << 12;
		r->memory_size = rnd(s) % 8 ? (rnd(s) % POOL_PAGES) << 12 :
					      rnd(s) << 12;
		r->userspace_addr = (uintptr_t)f->pool +
				    ((rnd(s) % POOL_PAGES) << 12);
		break;
	case VIREO_SET_CPUID:
	case VIREO_GET_SUPPORTED_CPUID:
		c->nent = rnd(s) % 300;
		c->padding = rnd(s) % 8 ? 0 : rnd(s);
		break;
	}
}

static unsigned long pick_arg(struct fuzz *f, uint64_t *s, unsigned long cmd,
			      uint8_t *buf)
{
	unsigned int i;

	switch (rnd(s) % 10) {
	case 0:
		return 0;
	case 1:
		/* Kernel half or non-canonical: never our own memory. */
		return rnd(s) | 1ULL << 63;
	case 2:
		return 0xffff888000000000ULL + (rnd(s) % 4096);
	case 3:
		return (uintptr_t)f->none;
	case 4:
		/*
		 * The tail of the buffer: a struct that runs off its end into
		 * the guard page after it (the kernel must stop there, and
		 * must not scribble over this process's heap).
		 */
		return (uintptr_t)buf + ARG_BYTES - rnd(s) % 64;
	}
	for (i = 0; i < 64; i++)
		((uint64_t *)buf)[i] = rnd(s) % 4 ? rnd(s) : 0;
	if (rnd(s) % 2)
		shape_arg(f, s, cmd, buf);
	return (uintptr_t)buf;
}

static void *ioctl_thread(void *arg)
{
	struct fuzz *f = arg;
	uint64_t s = (f->seed + 0x9e3779b97f4a7c15ULL *
		      (atomic_fetch_add(&f->threads, 1) + 1)) | 1;
	/* The argument buffer, then a PROT_NONE guard page. */
	uint8_t *buf = mmap(NULL, ARG_BYTES + 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long cmd;

	mprotect(buf + ARG_BYTES, 4096, PROT_NONE);

	while (!atomic_load(&f->stop)) {
		if (rnd(&s) % 5)
			cmd = cmds[rnd(&s) % (sizeof(cmds) / sizeof(cmds[0]))];
		else
			cmd = _IOC(rnd(&s) % 4, VIREO_IOCTL_TYPE, rnd(&s) % 64,
				   rnd(&s) % 512);
		/* RUN belongs to the runner, which kicks its own vCPUs. */
		if (cmd == VIREO_RUN)
			continue;
		ioctl(pick_fd(f, &s), cmd, pick_arg(f, &s, cmd, buf));
		atomic_fetch_add(&f->ioctls, 1);
	}
	munmap(buf, ARG_BYTES + 4096);
	return NULL;
}

static void kick(int sig)
{
}

static void *run_thread(void *arg)
{
	struct fuzz *f = arg;
	uint64_t s = (f->seed ^ 0xc2b2ae3d27d4eb4fULL) | 1;

	while (!atomic_load(&f->stop)) {
		int fd = atomic_load(&f->vcpus[rnd(&s) % NR_VCPUS]);
		struct vireo_run *run;

		run = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, 0);
		if (run != MAP_FAILED) {
			run->immediate_exit = rnd(&s) % 4 == 0;
			munmap(run, 2 * 4096);
		}
		ioctl(fd, VIREO_RUN, 0);
		atomic_fetch_add(&f->runs, 1);
	}
	return NULL;
}

/* Close and create VMs and vCPUs; move the memory the slots point at. */
static void churn(struct fuzz *f, uint64_t *s)
{
	int i = rnd(s) % NR_VMS, v = rnd(s) % NR_VCPUS, vm, old;
	size_t off = (rnd(s) % POOL_PAGES) << 12;

	switch (rnd(s) % 4) {
	case 0:
		old = atomic_exchange(&f->vms[i], ioctl(f->dev,
							VIREO_CREATE_VM, 0));
		close(old);
		break;
	case 1:
		vm = atomic_load(&f->vms[i]);
		old = atomic_exchange(&f->vcpus[v],
				      ioctl(vm, VIREO_CREATE_VCPU, rnd(s) % 70));
		close(old);
		break;
	case 2:
		/*
		 * Drop the page under the slots: replaced by PROT_NONE, not
		 * unmapped, so that no other mapping of ours (a thread's
		 * buffer, a run area) lands in the hole for case 3 to clobber.
		 */
		mmap(f->pool + off, 4096, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	case 3:
		mmap(f->pool + off, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	}
	atomic_fetch_add(&f->churns, 1);
}

static void __attribute__((noreturn)) fuzz_child(uint64_t seed,
						 unsigned int seconds)
{
	struct fuzz f = { .dev = open(VIREO_DEV_PATH, O_RDWR), .seed = seed };
	pthread_t ioctls[2];
	struct timespec end, now, nap = { 0, 2000000 };
	uint64_t s = seed | 1;
	int i;

	if (f.dev < 0)
		_exit(2);
	signal(SIGUSR1, kick);
	f.pool = mmap(NULL, POOL_PAGES * 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f.none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	for (i = 0; i < NR_VMS; i++)
		f.vms[i] = ioctl(f.dev, VIREO_CREATE_VM, 0);
	for (i = 0; i < NR_VCPUS; i++)
		f.vcpus[i] = ioctl(f.vms[i % NR_VMS], VIREO_CREATE_VCPU, i);
	for (i = 0; i < 2; i++)
		pthread_create(&ioctls[i], NULL, ioctl_thread, &f);
	pthread_create(&f.runner, NULL, run_thread, &f);

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	do {
		churn(&f, &s);
		pthread_kill(f.runner, SIGUSR1);
		nanosleep(&nap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));

	printf("# fuzz: seed %#llx: %lu ioctls, %lu runs, %lu churns in %u s\n",
	       (unsigned long long)seed, atomic_load(&f.ioctls),
	       atomic_load(&f.runs), atomic_load(&f.churns), seconds);
	fflush(stdout);
	/* Every fd still open, threads in the kernel: the exit frees it all. */
	_exit(0);
}

FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, ioctls, 600)
{
	const char *env = getenv("VIREO_FUZZ_SECONDS");
	unsigned int seconds = env ? atoi(env) : 20;
	struct vireo_counters before, after;
	uint64_t seed;
	int status;
	pid_t pid;

	env = getenv("VIREO_FUZZ_SEED");
	seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	counters_read(&before);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		fuzz_child(seed, seconds);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("the fuzzer died: %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_TRUE(counters_settle(&before, &after, 10000)) {
		counters_print("before", &before);
		counters_print("after", &after);
	}
}

TEST_HARNESS_MAIN
