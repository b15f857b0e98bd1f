/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftest library: VMs, vCPUs and guest memory over /dev/vireo.
 *
 * Helpers named vm_*() / vcpu_*() abort the test with a message (and errno)
 * when the ioctl fails; the ones starting with an underscore return the raw
 * ioctl result, for tests that check errors.
 */
#ifndef SELFTEST_VIREO_UTIL_H
#define SELFTEST_VIREO_UTIL_H

#include <stdint.h>
#include <linux/vireo.h>

#include "test_util.h"

#define VIREO_DEV_PATH		"/dev/vireo"

/* Library limits; the module's (VIREO_CAP_*) may be larger. */
#define VM_MAX_SLOTS		32
#define VM_MAX_VCPUS		64

struct vireo_memslot {
	bool used;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	void *hva;		/* our anonymous mapping backing the slot */
};

struct vireo_vm {
	int dev_fd;		/* /dev/vireo */
	int fd;			/* the VM */
	struct vireo_memslot slots[VM_MAX_SLOTS];
	struct vireo_vcpu *vcpus[VM_MAX_VCPUS];

	/* Bump allocator of guest-physical pages, see vm_alloc_pages(). */
	uint64_t phys_next;
	uint64_t phys_end;

	/* Long mode (longmode.c): the shared page tables and GDT. */
	uint64_t pml4_gpa;
	uint64_t gdt_gpa;
	uint64_t tss_gpa;
};

struct vireo_vcpu {
	struct vireo_vm *vm;
	uint32_t id;
	int fd;
	struct vireo_run *run;	/* the shared run area */
	size_t run_size;
};

/* ioctl.c: the only place that talks to the device. */
const char *selftest_hypervisor(void);
int vireo_open_dev(void);
int vireo_ioctl(int fd, unsigned long cmd, unsigned long arg);
void *vireo_map_run(int vcpu_fd, size_t size);
void vireo_unmap_run(void *run, size_t size);
void vireo_close(int fd);

/* vm.c */
int open_dev(void);
long dev_check_cap(int cap);
struct vireo_vm *vm_create(void);
void vm_free(struct vireo_vm *vm);

/* guest_mem.c */
int _vm_set_memory_region(struct vireo_vm *vm, uint32_t slot, uint32_t flags,
			  uint64_t gpa, uint64_t size, void *hva);
void *vm_add_slot(struct vireo_vm *vm, uint32_t slot, uint64_t gpa,
		  uint64_t size, uint32_t flags);
void vm_move_slot(struct vireo_vm *vm, uint32_t slot, uint64_t new_gpa);
void vm_delete_slot(struct vireo_vm *vm, uint32_t slot);
void *addr_gpa2hva(struct vireo_vm *vm, uint64_t gpa);
void vm_init_allocator(struct vireo_vm *vm, uint64_t start, uint64_t end);
uint64_t vm_alloc_pages(struct vireo_vm *vm, unsigned int npages);

/* vcpu.c */
struct vireo_vcpu *vm_add_vcpu(struct vireo_vm *vm, uint32_t id);
void vcpu_free(struct vireo_vcpu *vcpu);
int _vcpu_run(struct vireo_vcpu *vcpu);
void vcpu_run(struct vireo_vcpu *vcpu);
void vcpu_get_regs(struct vireo_vcpu *vcpu, struct vireo_regs *regs);
void vcpu_set_regs(struct vireo_vcpu *vcpu, const struct vireo_regs *regs);
void vcpu_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sregs);
void vcpu_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sregs);
uint64_t vcpu_get_rip(struct vireo_vcpu *vcpu);
void vcpu_set_rip(struct vireo_vcpu *vcpu, uint64_t rip);
uint64_t vcpu_debugfs_u64(struct vireo_vcpu *vcpu, const char *name);
void vcpu_set_cpuid(struct vireo_vcpu *vcpu,
		    const struct vireo_cpuid_entry *entries, uint32_t nent);

static inline void *vcpu_io_data(struct vireo_vcpu *vcpu)
{
	return (uint8_t *)vcpu->run + VIREO_RUN_IO_DATA_OFFSET;
}

/* exit.c: checking exits, with a dump of the vCPU when they are wrong. */
const char *exit_reason_str(uint32_t reason);
void vcpu_dump_exit(struct vireo_vcpu *vcpu);
void __vcpu_assert_exit(struct vireo_vcpu *vcpu, uint32_t reason,
			const char *file, int line);
uint32_t __vcpu_expect_out(struct vireo_vcpu *vcpu, uint16_t port,
			   uint8_t size, const char *file, int line);
void __vcpu_answer_in(struct vireo_vcpu *vcpu, uint16_t port, uint8_t size,
		      uint32_t value, const char *file, int line);
void __vcpu_collect_rep_outsb(struct vireo_vcpu *vcpu, uint16_t port,
			      char *buf, size_t len, const char *file, int line);

/* Fail unless the last exit has @reason. */
#define vcpu_assert_exit(vcpu, reason) \
	__vcpu_assert_exit(vcpu, reason, __FILE__, __LINE__)
/* The last exit is a one-element OUT of @size bytes to @port: its value. */
#define vcpu_expect_out(vcpu, port, size) \
	__vcpu_expect_out(vcpu, port, size, __FILE__, __LINE__)
/* The last exit is a one-element IN from @port: supply @value. */
#define vcpu_answer_in(vcpu, port, size, value) \
	__vcpu_answer_in(vcpu, port, size, value, __FILE__, __LINE__)
/* Run until @len bytes of REP OUTSB to @port are in @buf. */
#define vcpu_collect_rep_outsb(vcpu, port, buf, len) \
	__vcpu_collect_rep_outsb(vcpu, port, buf, len, __FILE__, __LINE__)

#endif /* SELFTEST_VIREO_UTIL_H */
