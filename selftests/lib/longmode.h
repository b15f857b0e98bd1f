/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 64-bit guests written in C, inside the test binary (as in KVM selftests).
 *
 * vm_create_longmode() gives a VM whose slot 0 is RAM at guest-physical 0,
 * holding a copy of the test binary's loadable segments at guest-physical ==
 * their link address (static non-PIE: from 0x400000), identity-mapped page
 * tables for the first LONGMODE_IDENTITY_SIZE, a GDT and one stack per vCPU.
 * A vCPU starts in 64-bit mode at the guest function, CPL 0, interrupts off,
 * no IDT (an exception is a triple fault), SSE enabled.
 *
 * Guest code may call only code built with the library's flags (no libc:
 * glibc's string functions use AVX, and errno is TLS) and uses ucalls
 * (ucall.h) to talk to the host.  Globals are copied when the VM is
 * created; use sync_global_to_guest()/sync_global_from_guest() afterwards.
 */
#ifndef SELFTEST_LONGMODE_H
#define SELFTEST_LONGMODE_H

#include "vireo_util.h"

#define LONGMODE_MEM_SIZE	(64 * SZ_1M)
#define LONGMODE_IDENTITY_SIZE	SZ_1G
#define LONGMODE_STACK_PAGES	16

#define GDT_SEL_CODE		0x08
#define GDT_SEL_DATA		0x10
#define GDT_SEL_TSS		0x18	/* a 16-byte system descriptor */
#define GDT_SIZE		0x28

#define X86_CR0_PE		(1ULL << 0)
#define X86_CR0_MP		(1ULL << 1)
#define X86_CR0_ET		(1ULL << 4)
#define X86_CR0_NE		(1ULL << 5)
#define X86_CR0_WP		(1ULL << 16)
#define X86_CR0_NW		(1ULL << 29)
#define X86_CR0_CD		(1ULL << 30)
#define X86_CR0_PG		(1ULL << 31)
#define X86_CR4_PAE		(1ULL << 5)
#define X86_CR4_OSFXSR		(1ULL << 9)
#define X86_CR4_OSXMMEXCPT	(1ULL << 10)
#define X86_CR4_VMXE		(1ULL << 13)
#define X86_EFER_LME		(1ULL << 8)
#define X86_EFER_LMA		(1ULL << 10)

/* longmode.c */
struct vireo_vm *vm_create_longmode(void *guest_code, struct vireo_vcpu **vcpu);
struct vireo_vm *vm_create_longmode_novcpu(void);
struct vireo_vcpu *vm_add_longmode_vcpu(struct vireo_vm *vm, uint32_t id,
					void *guest_code);
void longmode_sregs(struct vireo_sregs *s, uint64_t pml4_gpa,
		    uint64_t gdt_gpa, uint64_t tss_gpa);
void vcpu_args_set(struct vireo_vcpu *vcpu, unsigned int n, ...);

/* elf_load.c */
uint64_t elf_load_self(struct vireo_vm *vm);

/* paging.c */
void virt_init(struct vireo_vm *vm);
void virt_identity_map(struct vireo_vm *vm, uint64_t size);
void virt_map_page(struct vireo_vm *vm, uint64_t gva, uint64_t gpa);
uint64_t addr_gva2gpa(struct vireo_vm *vm, uint64_t gva);
void vm_read_gva(struct vireo_vm *vm, uint64_t gva, void *buf, size_t len);

/* The guest's copy of a global is at the same address, guest-physical. */
#define sync_global_to_guest(vm, g) \
	memcpy(addr_gpa2hva(vm, (uintptr_t)&(g)), &(g), sizeof(g))
#define sync_global_from_guest(vm, g) \
	memcpy(&(g), addr_gpa2hva(vm, (uintptr_t)&(g)), sizeof(g))

#endif /* SELFTEST_LONGMODE_H */
