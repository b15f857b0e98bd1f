// SPDX-License-Identifier: GPL-2.0
/* A guest on /dev/kvm in a thread of its own (kvm_guest.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "kvm_guest.h"

#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000
#define DATA_GPA	0x2000
#define OUT_PORT	0x10

/* 16-bit code: see kvm_guest.h. */
static const unsigned char guest_code[] = {
	0xa0, 0x00, 0x20,	/* mov al, [0x2000] */
	0x00, 0xd8,		/* add al, bl */
	0xfe, 0xc3,		/* inc bl */
	0xe6, OUT_PORT,		/* out 0x10, al */
	0xeb, 0xf5,		/* jmp 0x1000 */
};

struct kvm_guest {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	void *mem;
	pthread_t thread;
	atomic_bool stop;
	atomic_ulong exits;
	char error[128];
	atomic_bool failed;		/* error[] is written */
};

static void *kvm_guest_loop(void *arg)
{
	struct kvm_guest *g = arg;
	struct kvm_run *run = g->run;
	unsigned char want, got;

	while (!atomic_load(&g->stop)) {
		if (ioctl(g->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(g->error, sizeof(g->error), "KVM_RUN: %s",
				 strerror(errno));
			atomic_store(&g->failed, true);
			break;
		}
		if (run->exit_reason != KVM_EXIT_IO ||
		    run->io.direction != KVM_EXIT_IO_OUT ||
		    run->io.port != OUT_PORT || run->io.size != 1 ||
		    run->io.count != 1) {
			snprintf(g->error, sizeof(g->error),
				 "exit %u (port %#x) instead of OUT %#x",
				 run->exit_reason, run->io.port, OUT_PORT);
			atomic_store(&g->failed, true);
			break;
		}
		got = *((unsigned char *)run + run->io.data_offset);
		want = (unsigned char)(KVM_GUEST_BYTE + atomic_load(&g->exits));
		if (got != want) {
			snprintf(g->error, sizeof(g->error),
				 "exit %lu sent %#x, not %#x",
				 atomic_load(&g->exits), got, want);
			atomic_store(&g->failed, true);
			break;
		}
		atomic_fetch_add(&g->exits, 1);
	}
	return NULL;
}

static void kvm_guest_free(struct kvm_guest *g)
{
	if (g->run)
		munmap(g->run, g->run_size);
	if (g->mem)
		munmap(g->mem, MEM_SIZE);
	if (g->vcpu >= 0)
		close(g->vcpu);
	if (g->vm >= 0)
		close(g->vm);
	if (g->kvm >= 0)
		close(g->kvm);
	free(g);
}

static int kvm_guest_setup(struct kvm_guest *g, char *why)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	long size;

	g->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g->kvm < 0)
		return snprintf(why, 128, "open /dev/kvm: %s", strerror(errno));
	g->vm = ioctl(g->kvm, KVM_CREATE_VM, 0);
	if (g->vm < 0)
		return snprintf(why, 128, "KVM_CREATE_VM: %s", strerror(errno));
	g->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		return snprintf(why, 128, "mmap: %s", strerror(errno));
	}
	memcpy((char *)g->mem + CODE_GPA, guest_code, sizeof(guest_code));
	*((unsigned char *)g->mem + DATA_GPA) = KVM_GUEST_BYTE;
	region.userspace_addr = (unsigned long)g->mem;
	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return snprintf(why, 128, "KVM_SET_USER_MEMORY_REGION: %s",
				strerror(errno));
	g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0);
	if (g->vcpu < 0)
		return snprintf(why, 128, "KVM_CREATE_VCPU: %s",
				strerror(errno));
	size = ioctl(g->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		return snprintf(why, 128, "KVM_GET_VCPU_MMAP_SIZE failed");
	g->run_size = size;
	g->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->vcpu, 0);
	if (g->run == MAP_FAILED) {
		g->run = NULL;
		return snprintf(why, 128, "mmap kvm_run: %s", strerror(errno));
	}
	if (ioctl(g->vcpu, KVM_GET_SREGS, &sregs))
		return snprintf(why, 128, "KVM_GET_SREGS: %s", strerror(errno));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(g->vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(g->vcpu, KVM_SET_REGS, &regs))
		return snprintf(why, 128, "KVM_SET_(S)REGS: %s",
				strerror(errno));
	return 0;
}

struct kvm_guest *kvm_guest_start(char *why)
{
	struct kvm_guest *g = calloc(1, sizeof(*g));
	int err;

	if (!g) {
		snprintf(why, 128, "out of memory");
		return NULL;
	}
	g->kvm = g->vm = g->vcpu = -1;
	if (kvm_guest_setup(g, why)) {
		err = errno;
		kvm_guest_free(g);
		errno = err;
		return NULL;
	}
	err = pthread_create(&g->thread, NULL, kvm_guest_loop, g);
	if (err) {
		snprintf(why, 128, "pthread_create: %s", strerror(err));
		kvm_guest_free(g);
		errno = err;
		return NULL;
	}
	return g;
}

unsigned long kvm_guest_exits(struct kvm_guest *g)
{
	return atomic_load(&g->exits);
}

void kvm_guest_pin(struct kvm_guest *g, int cpu)
{
	thread_pin(g->thread, cpu);
}

void thread_pin(pthread_t t, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % sysconf(_SC_NPROCESSORS_ONLN), &set);
	pthread_setaffinity_np(t, sizeof(set), &set);
}

bool kvm_guest_failed(struct kvm_guest *g)
{
	return atomic_load(&g->failed);
}

bool kvm_guest_stop(struct kvm_guest *g, unsigned long *exits, char *why)
{
	bool ok;

	atomic_store(&g->stop, true);
	pthread_join(g->thread, NULL);
	*exits = atomic_load(&g->exits);
	ok = !g->error[0];
	snprintf(why, 128, "%s", g->error);
	kvm_guest_free(g);
	return ok;
}
