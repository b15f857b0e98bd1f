// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls of a VM fd: memory slots (add, move, delete and every way to
 * get them wrong), vCPU creation, and unknown ioctls.  Each error case sits
 * next to a positive control, so a module that rejects everything fails.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "kselftest_harness.h"
#include "errno_assert.h"
#include "vireo_util.h"

#define MEM_SIZE	(4 * SZ_1M)
#define SLOT_SIZE	0x10000UL

FIXTURE(vm) {
	struct vireo_vm *vm;
	uint8_t *mem;		/* MEM_SIZE bytes to point slots at */
	uint32_t max_slots;
	uint32_t max_vcpus;
	unsigned int gpa_bits;
};

FIXTURE_SETUP(vm)
{
	self->vm = vm_create();
	self->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	self->max_slots = dev_check_cap(VIREO_CAP_MAX_MEMSLOTS);
	self->max_vcpus = dev_check_cap(VIREO_CAP_MAX_VCPUS);
	self->gpa_bits = dev_check_cap(VIREO_CAP_MAX_GPA_BITS);
}

FIXTURE_TEARDOWN(vm)
{
	vm_free(self->vm);
	munmap(self->mem, MEM_SIZE);
}

/* SET_MEMORY_REGION with every field given. */
static int set_region(FIXTURE_DATA(vm) *self, uint32_t slot, uint32_t flags,
		      uint64_t gpa, uint64_t size, void *hva)
{
	return _vm_set_memory_region(self->vm, slot, flags, gpa, size, hva);
}

/* A well-formed region of SLOT_SIZE at @gpa, backed by our buffer. */
static int set_slot(FIXTURE_DATA(vm) *self, uint32_t slot, uint64_t gpa)
{
	return set_region(self, slot, 0, gpa, SLOT_SIZE, self->mem);
}

TEST_F(vm, slot_add_move_delete)
{
	ASSERT_OK(set_slot(self, 0, 0));
	/* Move: same slot, size, flags and address; another GPA. */
	ASSERT_OK(set_slot(self, 0, 0x100000));
	ASSERT_OK(set_region(self, 0, 0, 0x100000, 0, self->mem));
	/* Deleted: the slot number and the range are free again. */
	ASSERT_OK(set_slot(self, 0, 0x100000));
	ASSERT_OK(set_region(self, 0, 0, 0, 0, NULL));
	ASSERT_OK(set_slot(self, 1, 0x100000));
}

TEST_F(vm, slot_number)
{
	ASSERT_ERRNO(EINVAL, set_slot(self, self->max_slots, 0));
	ASSERT_ERRNO(EINVAL, set_slot(self, 0x80000000, 0));
	ASSERT_ERRNO(EINVAL, set_slot(self, ~0U, 0));
	ASSERT_OK(set_slot(self, self->max_slots - 1, 0));
}

TEST_F(vm, slot_flags)
{
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 1U << 1, 0, SLOT_SIZE,
					self->mem));
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 1U << 31, 0, SLOT_SIZE,
					self->mem));
	ASSERT_OK(set_region(self, 0, VIREO_MEM_READONLY, 0, SLOT_SIZE,
			     self->mem));
}

TEST_F(vm, slot_alignment)
{
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, 0x1001, SLOT_SIZE,
					self->mem));
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, 0x800, SLOT_SIZE,
					self->mem));
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, 0, 0x1800, self->mem));
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, 0, 0x10, self->mem));
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, 0, SLOT_SIZE,
					self->mem + 1));
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, 0, SLOT_SIZE,
					self->mem + 0x800));
	ASSERT_OK(set_region(self, 0, 0, 0x1000, 0x1000, self->mem + 0x1000));
}

TEST_F(vm, slot_overlap)
{
	ASSERT_OK(set_slot(self, 0, 0x100000));
	/* Overlapping the start, the end, inside, around. */
	ASSERT_ERRNO(EEXIST, set_slot(self, 1, 0x100000 - 0x8000));
	ASSERT_ERRNO(EEXIST, set_slot(self, 1, 0x100000 + 0x8000));
	ASSERT_ERRNO(EEXIST, set_slot(self, 1, 0x100000));
	ASSERT_ERRNO(EEXIST, set_region(self, 1, 0, 0x104000, 0x1000,
					self->mem));
	ASSERT_ERRNO(EEXIST, set_region(self, 1, 0, 0x100000 - SLOT_SIZE,
					3 * SLOT_SIZE, self->mem));
	/* Adjacent on both sides is fine... */
	ASSERT_OK(set_slot(self, 1, 0x100000 - SLOT_SIZE));
	ASSERT_OK(set_slot(self, 2, 0x100000 + SLOT_SIZE));
	/* ...and a move onto another slot is an overlap too. */
	ASSERT_ERRNO(EEXIST, set_slot(self, 2, 0x100000 + 0x1000));
	ASSERT_ERRNO(EEXIST, set_slot(self, 2, 0x100000));
}

TEST_F(vm, slot_resize)
{
	ASSERT_OK(set_slot(self, 0, 0));
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, 0, 2 * SLOT_SIZE,
					self->mem));
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, 0, SLOT_SIZE / 2,
					self->mem));
	/* The failed resizes left the slot as it was: it can still move. */
	ASSERT_OK(set_slot(self, 0, 0x200000));
}

TEST_F(vm, slot_reserved)
{
	struct vireo_memory_region r = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = SLOT_SIZE,
		.userspace_addr = (uintptr_t)self->mem,
	};

	r.reserved[0] = 1;
	ASSERT_ERRNO(EINVAL, ioctl(self->vm->fd, VIREO_SET_MEMORY_REGION, &r));
	r.reserved[0] = 0;
	r.reserved[1] = 1ULL << 63;
	ASSERT_ERRNO(EINVAL, ioctl(self->vm->fd, VIREO_SET_MEMORY_REGION, &r));
	r.reserved[1] = 0;
	ASSERT_OK(ioctl(self->vm->fd, VIREO_SET_MEMORY_REGION, &r));
}

TEST_F(vm, slot_delete_empty)
{
	ASSERT_ERRNO(EINVAL, set_region(self, 3, 0, 0, 0, self->mem));
	ASSERT_OK(set_slot(self, 3, 0));
	ASSERT_OK(set_region(self, 3, 0, 0, 0, self->mem));
	ASSERT_ERRNO(EINVAL, set_region(self, 3, 0, 0, 0, self->mem));
}

TEST_F(vm, slot_beyond_gpa_bits)
{
	uint64_t limit = 1ULL << self->gpa_bits;

	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, limit, 0x1000, self->mem));
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, limit - 0x1000, 0x2000,
					self->mem));
	/* gpa + size wraps around 2^64. */
	ASSERT_ERRNO(EINVAL, set_region(self, 0, 0, -0x1000ULL, 0x2000,
					self->mem));
	/* The last page below the limit is addressable. */
	ASSERT_OK(set_region(self, 0, 0, limit - 0x1000, 0x1000, self->mem));
}

/*
 * Sizes up to the whole guest-physical space cost nothing until touched:
 * no allocation that follows the size (which made kvmalloc WARN at 1 TiB),
 * and deleting them is quick.  The kernel log check of selftests/run
 * fails the run on any WARN.
 */
TEST_F(vm, slot_huge)
{
	uint64_t sizes[] = { 1ULL << 36, 1ULL << 40, 1ULL << 46 };
	/* Untouched user addresses: access_ok() is all the ioctl checks. */
	void *hva = (void *)(1ULL << 40);
	struct timespec t0, t1;
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ASSERT_OK(set_region(self, 0, 0, 0, sizes[i], hva));
		ASSERT_OK(set_region(self, 0, 0, 0, 0, NULL));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		TH_LOG("%llu GiB slot created and deleted in %ld us",
		       (unsigned long long)(sizes[i] >> 30),
		       (long)((t1.tv_sec - t0.tv_sec) * 1000000 +
			      (t1.tv_nsec - t0.tv_nsec) / 1000));
	}
	/* At the top of the guest-physical space, and it still overlaps. */
	ASSERT_OK(set_region(self, 0, 0, (1ULL << self->gpa_bits) - sizes[2],
			     sizes[2], hva));
	ASSERT_ERRNO(EEXIST, set_slot(self, 1, (1ULL << self->gpa_bits) -
				      SLOT_SIZE));
	ASSERT_OK(set_region(self, 0, 0, 0, 0, NULL));
}

TEST_F(vm, slot_bad_pointer)
{
	void *none = mmap(NULL, PAGE_SIZE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, none);
	ASSERT_ERRNO(EFAULT, ioctl(self->vm->fd, VIREO_SET_MEMORY_REGION, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(self->vm->fd, VIREO_SET_MEMORY_REGION, none));
	munmap(none, PAGE_SIZE);
}

TEST_F(vm, create_vcpu)
{
	int fd;

	ASSERT_ERRNO(EINVAL, ioctl(self->vm->fd, VIREO_CREATE_VCPU,
				   self->max_vcpus));
	ASSERT_ERRNO(EINVAL, ioctl(self->vm->fd, VIREO_CREATE_VCPU, ~0UL));
	ASSERT_ERRNO(EINVAL, ioctl(self->vm->fd, VIREO_CREATE_VCPU,
				   0x100000000UL));
	fd = ioctl(self->vm->fd, VIREO_CREATE_VCPU, self->max_vcpus - 1);
	ASSERT_LE(0, fd);
	ASSERT_ERRNO(EEXIST, ioctl(self->vm->fd, VIREO_CREATE_VCPU,
				   self->max_vcpus - 1));
	/* Still taken after its fd is closed: vCPUs live as long as the VM. */
	close(fd);
	ASSERT_ERRNO(EEXIST, ioctl(self->vm->fd, VIREO_CREATE_VCPU,
				   self->max_vcpus - 1));
	ASSERT_OK(fd = ioctl(self->vm->fd, VIREO_CREATE_VCPU, 0));
	close(fd);
}

TEST_F(vm, unknown_ioctl)
{
	struct vireo_regs regs;
	int wrong_size;

	ASSERT_ERRNO(ENOTTY, ioctl(self->vm->fd, _IO(VIREO_IOCTL_TYPE, 0x7f),
				   0));
	/* SET_MEMORY_REGION's number with another size. */
	ASSERT_ERRNO(ENOTTY, ioctl(self->vm->fd,
				   _IOW(VIREO_IOCTL_TYPE, 0x10, int),
				   &wrong_size));
	/* Device and vCPU ioctls are unknown on a VM fd. */
	ASSERT_ERRNO(ENOTTY, ioctl(self->vm->fd, VIREO_CREATE_VM, 0));
	ASSERT_ERRNO(ENOTTY, ioctl(self->vm->fd, VIREO_RUN, 0));
	ASSERT_ERRNO(ENOTTY, ioctl(self->vm->fd, VIREO_GET_REGS, &regs));
}

TEST_HARNESS_MAIN
