// SPDX-License-Identifier: GPL-2.0
/* vCPU objects: create, map the run area, run, registers, CPUID. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vireo_util.h"

/* Create vCPU @id and map its run area (struct vireo_run + I/O data page). */
struct vireo_vcpu *vm_add_vcpu(struct vireo_vm *vm, uint32_t id)
{
	struct vireo_vcpu *vcpu = calloc(1, sizeof(*vcpu));
	int size;

	TEST_ASSERT(vcpu, "out of memory");
	TEST_ASSERT(id < VM_MAX_VCPUS && !vm->vcpus[id],
		    "vCPU id %u out of range or in use", id);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = vireo_ioctl(vm->fd, VIREO_CREATE_VCPU, id);
	TEST_ASSERT(vcpu->fd >= 0, "VIREO_CREATE_VCPU(%u) failed", id);

	size = vireo_ioctl(vm->dev_fd, VIREO_GET_RUN_SIZE, 0);
	TEST_ASSERT(size >= VIREO_RUN_IO_DATA_OFFSET + (int)PAGE_SIZE,
		    "VIREO_GET_RUN_SIZE returned %d", size);
	vcpu->run_size = size;
	vcpu->run = vireo_map_run(vcpu->fd, size);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap of the run area failed");

	vm->vcpus[id] = vcpu;
	return vcpu;
}

void vcpu_free(struct vireo_vcpu *vcpu)
{
	vcpu->vm->vcpus[vcpu->id] = NULL;
	vireo_unmap_run(vcpu->run, vcpu->run_size);
	vireo_close(vcpu->fd);
	free(vcpu);
}

int _vcpu_run(struct vireo_vcpu *vcpu)
{
	return vireo_ioctl(vcpu->fd, VIREO_RUN, 0);
}

/*
 * Run until an exit for userspace.  A signal that interrupts RUN (EINTR,
 * VIREO_EXIT_INTR) is not an exit of the guest: enter again, unless the
 * test asked for immediate_exit, where entering again would only spin.
 */
void vcpu_run(struct vireo_vcpu *vcpu)
{
	int ret;

	do {
		ret = _vcpu_run(vcpu);
	} while (ret < 0 && errno == EINTR && !vcpu->run->immediate_exit);
	TEST_ASSERT(ret == 0, "VIREO_RUN failed (exit_reason %u: %s)",
		    vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
}

void vcpu_get_regs(struct vireo_vcpu *vcpu, struct vireo_regs *regs)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_GET_REGS, (unsigned long)regs);

	TEST_ASSERT(!ret, "VIREO_GET_REGS failed");
}

void vcpu_set_regs(struct vireo_vcpu *vcpu, const struct vireo_regs *regs)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_SET_REGS, (unsigned long)regs);

	TEST_ASSERT(!ret, "VIREO_SET_REGS failed");
}

void vcpu_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sregs)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_GET_SREGS, (unsigned long)sregs);

	TEST_ASSERT(!ret, "VIREO_GET_SREGS failed");
}

void vcpu_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sregs)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_SET_SREGS, (unsigned long)sregs);

	TEST_ASSERT(!ret, "VIREO_SET_SREGS failed");
}

uint64_t vcpu_get_rip(struct vireo_vcpu *vcpu)
{
	struct vireo_regs regs;

	vcpu_get_regs(vcpu, &regs);
	return regs.rip;
}

void vcpu_set_rip(struct vireo_vcpu *vcpu, uint64_t rip)
{
	struct vireo_regs regs;

	vcpu_get_regs(vcpu, &regs);
	regs.rip = rip;
	vcpu_set_regs(vcpu, &regs);
}

void vcpu_set_cpuid(struct vireo_vcpu *vcpu,
		    const struct vireo_cpuid_entry *entries, uint32_t nent)
{
	struct vireo_cpuid *cpuid;
	int ret;

	cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(*entries));
	TEST_ASSERT(cpuid, "out of memory");
	cpuid->nent = nent;
	memcpy(cpuid->entries, entries, nent * sizeof(*entries));
	ret = vireo_ioctl(vcpu->fd, VIREO_SET_CPUID, (unsigned long)cpuid);
	TEST_ASSERT(!ret, "VIREO_SET_CPUID with %u entries failed", nent);
	free(cpuid);
}

/*
 * A number from the vCPU's debugfs directory (kernel/debugfs.c):
 * /sys/kernel/debug/vireo/<pid>-<vm fd>/vcpu<id>/@name.
 */
uint64_t vcpu_debugfs_u64(struct vireo_vcpu *vcpu, const char *name)
{
	unsigned long long val;
	char path[128];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/kernel/debug/vireo/%d-%d/vcpu%u/%s",
		 getpid(), vcpu->vm->fd, vcpu->id, name);
	f = fopen(path, "r");
	TEST_ASSERT(f, "cannot open %s (debugfs mounted?)", path);
	n = fscanf(f, "%llu", &val);
	fclose(f);
	TEST_ASSERT(n == 1, "no number in %s", path);
	return val;
}
