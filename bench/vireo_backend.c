// SPDX-License-Identifier: GPL-2.0
/*
 * exitbench backend for Vireo: /dev/vireo and the ABI of <linux/vireo.h>.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vireo.h>

#include "exitbench.h"

struct hv_vm {
	int dev, vm, vcpu;
	struct vireo_run *run;
	size_t run_size;
};

static void vireo_set_cpuid_table(struct hv_vm *v, const struct hv_guest *g)
{
	struct vireo_cpuid *c;
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
	if (ioctl(v->vcpu, VIREO_SET_CPUID, c) < 0)
		die_errno("VIREO_SET_CPUID");
	free(c);
}

/* Real mode with CS = 0:0, so the guest starts at the linear address RIP. */
static void vireo_set_entry(struct hv_vm *v, uint64_t rip)
{
	struct vireo_sregs sregs;
	struct vireo_regs regs = { .rip = rip, .rflags = 2 };

	if (ioctl(v->vcpu, VIREO_GET_SREGS, &sregs) < 0)
		die_errno("VIREO_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(v->vcpu, VIREO_SET_SREGS, &sregs) < 0)
		die_errno("VIREO_SET_SREGS");
	if (ioctl(v->vcpu, VIREO_SET_REGS, &regs) < 0)
		die_errno("VIREO_SET_REGS");
}

static struct hv_vm *vireo_create(const struct hv_guest *g)
{
	struct vireo_memory_region region = {
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
	v->dev = open("/dev/vireo", O_RDWR | O_CLOEXEC);
	if (v->dev < 0)
		die_errno("open /dev/vireo (is vireo.ko loaded?)");
	v->vm = ioctl(v->dev, VIREO_CREATE_VM, 0);
	if (v->vm < 0)
		die_errno("VIREO_CREATE_VM");
	if (ioctl(v->vm, VIREO_SET_MEMORY_REGION, &region) < 0)
		die_errno("VIREO_SET_MEMORY_REGION");
	v->vcpu = ioctl(v->vm, VIREO_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		die_errno("VIREO_CREATE_VCPU");
	size = ioctl(v->dev, VIREO_GET_RUN_SIZE, 0);
	if (size < (int)sizeof(struct vireo_run))
		die_errno("VIREO_GET_RUN_SIZE returned %d", size);
	v->run_size = size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		die_errno("mmap of the vCPU fd");
	vireo_set_cpuid_table(v, g);
	vireo_set_entry(v, g->entry_rip);
	return v;
}

static void vireo_describe(const struct vireo_run *run, struct hv_exit *e)
{
	const struct vireo_run_internal *in = &run->internal;

	switch (run->exit_reason) {
	case VIREO_EXIT_INTERNAL_ERROR:
		snprintf(e->what, sizeof(e->what),
			 "internal error, suberror %u, data %#llx %#llx",
			 in->suberror, (unsigned long long)in->data[0],
			 (unsigned long long)in->data[1]);
		break;
	case VIREO_EXIT_MMIO:
		snprintf(e->what, sizeof(e->what),
			 "MMIO at GPA %#llx (write %u, fetch %u)",
			 (unsigned long long)run->mmio.phys_addr,
			 run->mmio.is_write, run->mmio.is_fetch);
		break;
	default:
		snprintf(e->what, sizeof(e->what), "exit reason %u",
			 run->exit_reason);
		break;
	}
}

static void vireo_run(struct hv_vm *v, struct hv_exit *e)
{
	const struct vireo_run *run = v->run;

	/* -EINTR only means a signal arrived; the benchmark sends none. */
	while (ioctl(v->vcpu, VIREO_RUN, 0) < 0) {
		if (errno != EINTR)
			die_errno("VIREO_RUN");
	}
	switch (run->exit_reason) {
	case VIREO_EXIT_IO:
		e->kind = run->io.direction == VIREO_IO_OUT ? HV_EXIT_IO_OUT :
							      HV_EXIT_IO_IN;
		e->port = run->io.port;
		e->size = run->io.size;
		break;
	case VIREO_EXIT_HLT:
		e->kind = HV_EXIT_HLT;
		break;
	default:
		e->kind = HV_EXIT_OTHER;
		vireo_describe(run, e);
		break;
	}
}

static int64_t vireo_exit_count(struct hv_vm *v)
{
	return v->run->exit_count;
}

static void vireo_destroy(struct hv_vm *v)
{
	munmap(v->run, v->run_size);
	close(v->vcpu);
	close(v->vm);
	close(v->dev);
	free(v);
}

const struct hv_backend vireo_backend = {
	.name = "vireo",
	.create = vireo_create,
	.run = vireo_run,
	.exit_count = vireo_exit_count,
	.destroy = vireo_destroy,
};
