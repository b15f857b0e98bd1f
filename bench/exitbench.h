/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exitbench: the seam between the benchmark loops and the hypervisors.
 *
 * Each backend (Vireo through /dev/vireo, KVM through /dev/kvm) builds a VM
 * with one vCPU in real mode around guest memory the caller owns, runs it
 * until the next exit to userspace and describes that exit in a common
 * form.  The benchmark loops never see an ioctl, so both hypervisors run
 * exactly the same guest code and the same host-side loop.
 */
#ifndef EXITBENCH_H
#define EXITBENCH_H

#include <stddef.h>
#include <stdint.h>

/* One CPUID leaf the guest may query; the same table goes to every backend. */
struct hv_cpuid_leaf {
	uint32_t function;
	uint32_t eax, ebx, ecx, edx;
};

struct hv_guest {
	void *mem;			/* guest RAM, mapped at GPA 0 */
	size_t mem_size;		/* multiple of 4 KiB */
	uint64_t entry_rip;		/* real mode, CS selector 0, base 0 */
	const struct hv_cpuid_leaf *cpuid;
	unsigned int ncpuid;
};

enum hv_exit_kind {
	HV_EXIT_IO_OUT,
	HV_EXIT_IO_IN,
	HV_EXIT_HLT,
	HV_EXIT_OTHER,			/* anything else: see what */
};

struct hv_exit {
	enum hv_exit_kind kind;
	uint16_t port;			/* HV_EXIT_IO_* */
	uint8_t size;			/* HV_EXIT_IO_*: 1, 2 or 4 */
	char what[200];			/* HV_EXIT_OTHER: for the error message */
};

struct hv_vm;

struct hv_backend {
	const char *name;
	/* Build the VM and its vCPU; dies with a message on failure. */
	struct hv_vm *(*create)(const struct hv_guest *g);
	/* Run until an exit reaches userspace; dies if RUN fails. */
	void (*run)(struct hv_vm *vm, struct hv_exit *exit);
	/* Exits the kernel counted on this vCPU (its own ones too), or -1. */
	int64_t (*exit_count)(struct hv_vm *vm);
	void (*destroy)(struct hv_vm *vm);
};

extern const struct hv_backend vireo_backend;
extern const struct hv_backend kvm_backend;

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void die_errno(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#endif /* EXITBENCH_H */
