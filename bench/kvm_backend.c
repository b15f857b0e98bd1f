// SPDX-License-Identifier: GPL-2.0
/*
 * exitbench backend for KVM: /dev/kvm, the reference Vireo is compared with.
 * It sets up the same machine as the Vireo backend: guest RAM at GPA 0, one
 * vCPU in real mode at CS 0:RIP, the same CPUID table, no in-kernel irqchip
 * (so HLT and every port exit go to userspace, as with Vireo).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "exitbench.h"

struct hv_vm {
	int dev, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
};

/* KVM refuses to run a vCPU without a CPUID table it can check. */
static void kvm_set_cpuid_table(struct hv_vm *v, const struct hv_guest *g)
{
	struct kvm_cpuid2 *c;
	unsigned int i;

	c = calloc(1, sizeof(*c) + g->ncpuid * sizeof(c->entries[0]));
	if (!c)
		die("out of memory");
	c->nent = g->ncpuid;
	for (i = 0; i < g->ncpuid; i++) {
		c->entries[i].function = g->cpuid[i].function;
		c->entries[i].eax = g->cpuid[i].eax;
		c->entries[i].ebx = g->cpuid[i].ebx;
		c->entries[i].ecx = g->cpuid[i].ecx;
		c->entries[i].edx = g->cpuid[i].edx;
	}
	if (ioctl(v->vcpu, KVM_SET_CPUID2, c) < 0)
		die_errno("KVM_SET_CPUID2");
	free(c);
}

/* Real mode with CS = 0:0, so the guest starts at the linear address RIP. */
static void kvm_set_entry(struct hv_vm *v, uint64_t rip)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = rip, .rflags = 2 };

	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs) < 0)
		die_errno("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) < 0)
		die_errno("KVM_SET_SREGS");
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs) < 0)
		die_errno("KVM_SET_REGS");
}

static void kvm_open_vm(struct hv_vm *v)
{
	int version;

	v->dev = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->dev < 0)
		die_errno("open /dev/kvm (is kvm_amd loaded?)");
	version = ioctl(v->dev, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION)
		die("KVM API version %d, expected %d", version,
		    KVM_API_VERSION);
	v->vm = ioctl(v->dev, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		die_errno("KVM_CREATE_VM");
}

static struct hv_vm *kvm_create(const struct hv_guest *g)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = g->mem_size,
		.userspace_addr = (uintptr_t)g->mem,
	};
	struct hv_vm *v;
	int size;

	v = calloc(1, sizeof(*v));
	if (!v)
		die("out of memory");
	kvm_open_vm(v);
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die_errno("KVM_SET_USER_MEMORY_REGION");
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		die_errno("KVM_CREATE_VCPU");
	size = ioctl(v->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		die_errno("KVM_GET_VCPU_MMAP_SIZE returned %d", size);
	v->run_size = size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		die_errno("mmap of the vCPU fd");
	kvm_set_cpuid_table(v, g);
	kvm_set_entry(v, g->entry_rip);
	return v;
}

static void kvm_describe(const struct kvm_run *run, struct hv_exit *e)
{
	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(e->what, sizeof(e->what),
			 "entry failed, hardware reason %#llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(e->what, sizeof(e->what),
			 "internal error, suberror %u", run->internal.suberror);
		break;
	case KVM_EXIT_MMIO:
		snprintf(e->what, sizeof(e->what), "MMIO at GPA %#llx",
			 (unsigned long long)run->mmio.phys_addr);
		break;
	default:
		snprintf(e->what, sizeof(e->what), "exit reason %u",
			 run->exit_reason);
		break;
	}
}

static void kvm_run_vcpu(struct hv_vm *v, struct hv_exit *e)
{
	const struct kvm_run *run = v->run;

	/* -EINTR only means a signal arrived; the benchmark sends none. */
	while (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
		if (errno != EINTR)
			die_errno("KVM_RUN");
	}
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		e->kind = run->io.direction == KVM_EXIT_IO_OUT ? HV_EXIT_IO_OUT :
								 HV_EXIT_IO_IN;
		e->port = run->io.port;
		e->size = run->io.size;
		break;
	case KVM_EXIT_HLT:
		e->kind = HV_EXIT_HLT;
		break;
	default:
		e->kind = HV_EXIT_OTHER;
		kvm_describe(run, e);
		break;
	}
}

/* KVM's counters live in its binary stats; the benchmark does not need them. */
static int64_t kvm_exit_count(struct hv_vm *v)
{
	return -1;
}

static void kvm_destroy(struct hv_vm *v)
{
	munmap(v->run, v->run_size);
	close(v->vcpu);
	close(v->vm);
	close(v->dev);
	free(v);
}

const struct hv_backend kvm_backend = {
	.name = "kvm",
	.create = kvm_create,
	.run = kvm_run_vcpu,
	.exit_count = kvm_exit_count,
	.destroy = kvm_destroy,
};
