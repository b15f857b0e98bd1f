// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exitcodes.h"
#include "util.h"
#include "vcpu.h"

/* The run structure, then at least one page of port-I/O data. */
static int run_size_ok(long size)
{
	return size >= (long)sizeof(struct vireo_run) &&
	       size > VIREO_RUN_IO_DATA_OFFSET;
}

static int vcpu_map_run(struct vm *vm, struct vcpu *vcpu)
{
	long size = ioctl(vm->dev_fd, VIREO_GET_RUN_SIZE, 0);
	void *run;

	if (size < 0) {
		pr_err("VIREO_GET_RUN_SIZE failed: %m\n");
		return EXIT_CODE_INTERNAL;
	}
	if (!run_size_ok(size)) {
		pr_err("vireo.ko's run area is %ld bytes: too small\n", size);
		return EXIT_CODE_INTERNAL;
	}
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED) {
		pr_err("cannot map the run area of vCPU %u: %m\n", vcpu->id);
		return EXIT_CODE_HOST;
	}
	/* A child (the cleaner) must not keep the vCPU, and so the VM, alive. */
	if (madvise(run, size, MADV_DONTFORK)) {
		pr_err("cannot keep the run area of vCPU %u from children: %m\n",
		       vcpu->id);
		munmap(run, size);
		return EXIT_CODE_HOST;
	}
	vcpu->run = run;
	vcpu->run_size = size;
	return 0;
}

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id)
{
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->id = id;
	vcpu->fd = ioctl(vm->vm_fd, VIREO_CREATE_VCPU, id);
	if (vcpu->fd < 0) {
		pr_err("VIREO_CREATE_VCPU %u failed: %m\n", id);
		return EXIT_CODE_HOST;
	}
	return vcpu_map_run(vm, vcpu);
}

static void real_mode_segment(struct vireo_segment *seg, uint16_t selector,
			      uint64_t base, uint8_t type)
{
	*seg = (struct vireo_segment) {
		.base = base, .limit = 0xffff, .selector = selector,
		.type = type, .present = 1, .s = 1,
	};
}

/*
 * Intel SDM Vol. 3A 9.1.1, Table 9-1 "IA-32 and Intel 64 Processor States
 * Following Power-up, Reset, or INIT": CS selector F000H with base
 * FFFF0000H, the other segments selector 0 and base 0, all with limit FFFFH
 * and "present, R/W, accessed"; EIP FFF0H, EFLAGS 2H.  The first fetch is
 * thus at FFFFFFF0H (9.1.4 "First Instruction Executed").  The kernel starts
 * vCPUs there too; saying it here keeps the device model self-describing.
 * Everything else (CR0, TR, LDT, EDX's CPU signature) stays as the kernel
 * reset it.
 */
static void sregs_reset(struct vireo_sregs *s)
{
	const uint8_t code = 0xb, data = 0x3;	/* execute/read, read/write */

	real_mode_segment(&s->cs, 0xf000, 0xffff0000, code);
	real_mode_segment(&s->ds, 0, 0, data);
	real_mode_segment(&s->es, 0, 0, data);
	real_mode_segment(&s->fs, 0, 0, data);
	real_mode_segment(&s->gs, 0, 0, data);
	real_mode_segment(&s->ss, 0, 0, data);
}

int vcpu_reset(struct vcpu *vcpu)
{
	struct vireo_sregs sregs;
	struct vireo_regs regs;

	if (ioctl(vcpu->fd, VIREO_GET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu->fd, VIREO_GET_REGS, &regs) < 0) {
		pr_err("cannot read the state of vCPU %u: %m\n", vcpu->id);
		return EXIT_CODE_HOST;
	}
	sregs_reset(&sregs);
	regs.rip = 0xfff0;
	regs.rflags = 0x2;	/* bit 1 is reserved and always 1 */
	if (ioctl(vcpu->fd, VIREO_SET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu->fd, VIREO_SET_REGS, &regs) < 0) {
		pr_err("cannot set the reset state of vCPU %u: %m\n",
		       vcpu->id);
		return EXIT_CODE_HOST;
	}
	return 0;
}

int vcpu_set_state(struct vcpu *vcpu, const struct vireo_regs *regs,
		   const struct vireo_sregs *sregs)
{
	if (ioctl(vcpu->fd, VIREO_SET_SREGS, sregs) < 0 ||
	    ioctl(vcpu->fd, VIREO_SET_REGS, regs) < 0) {
		pr_err("cannot set the boot state of vCPU %u: %m\n", vcpu->id);
		return EXIT_CODE_HOST;
	}
	return 0;
}

int vcpu_set_mp_state(struct vcpu *vcpu, uint32_t state)
{
	struct vireo_mp_state mp = { .state = state };

	int err;

	if (ioctl(vcpu->fd, VIREO_SET_MP_STATE, &mp) < 0) {
		err = errno;
		pr_err("cannot set the MP state of vCPU %u to %u: %s\n",
		       vcpu->id, state, strerror(err));
		return -err;
	}
	return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}
