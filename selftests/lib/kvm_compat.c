// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-in for ioctl.c that runs the selftests on KVM instead of vireo.ko
 * (make selftests-kvm).  Its only purpose is to check the tests themselves:
 * a functional test that passes on KVM and fails on Vireo points at the
 * module, one that fails on both at the test.  It is not a second backend:
 * the errno and accounting tests (api, memslot, vcpu_api, lifecycle) are
 * Vireo's contract and are expected to fail here.
 *
 * Vireo's regs and sregs have KVM's layout; the run area does not, so each
 * vCPU gets a private struct vireo_run that RUN translates to and from
 * KVM's.  KVM does not report io.string and io.rep: they are decoded from
 * the instruction at RIP (KVM leaves RIP on a string instruction until it
 * completes).  exit_count counts only the exits userspace sees.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cpuid.h>
#include <linux/kvm.h>

#include "vireo_util.h"

_Static_assert(sizeof(struct kvm_regs) == sizeof(struct vireo_regs), "regs");
_Static_assert(offsetof(struct kvm_sregs, interrupt_bitmap) ==
	       offsetof(struct vireo_sregs, reserved), "sregs");

#define COMPAT_MAX_FDS		1024
#define COMPAT_MAX_SLOTS	32
#define COMPAT_RUN_SIZE		(VIREO_RUN_IO_DATA_OFFSET + PAGE_SIZE)
#define COMPAT_TSS_ADDR		0xfffbd000	/* 3 pages KVM/VMX needs */

enum compat_kind { FD_NONE, FD_DEV, FD_VM, FD_VCPU };

struct compat_slot {
	uint64_t gpa, size, hva;
};

struct compat_fd {
	enum compat_kind kind;
	int vm_fd;			/* VCPU: its VM */
	struct compat_slot slots[COMPAT_MAX_SLOTS];	/* VM */
	struct kvm_run *krun;		/* VCPU: KVM's run area */
	size_t krun_size;
	struct vireo_run *vrun;		/* VCPU: what the tests see */
};

static struct compat_fd fds[COMPAT_MAX_FDS];

static struct compat_fd *compat_track(int fd, enum compat_kind kind)
{
	TEST_ASSERT(fd >= 0 && fd < COMPAT_MAX_FDS, "fd %d untrackable", fd);
	memset(&fds[fd], 0, sizeof(fds[fd]));
	fds[fd].kind = kind;
	return &fds[fd];
}

int vireo_open_dev(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		compat_track(fd, FD_DEV);
	return fd;
}

static long kvm_dev_ioctl(unsigned long cmd, unsigned long arg)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	long ret;

	TEST_ASSERT(fd >= 0, "cannot open /dev/kvm");
	ret = ioctl(fd, cmd, arg);
	close(fd);
	return ret;
}

static int compat_check_cap(unsigned long cap)
{
	unsigned int a, b, c, d;

	switch (cap) {
	case VIREO_CAP_BACKEND:
		__cpuid(0, a, b, c, d);
		return b == 0x68747541 ? VIREO_BACKEND_SVM : VIREO_BACKEND_VMX;
	case VIREO_CAP_NESTED_PAGING:
	case VIREO_CAP_TAGGED_TLB:
		return 1;
	case VIREO_CAP_MAX_VCPUS:
		return kvm_dev_ioctl(KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	case VIREO_CAP_MAX_MEMSLOTS:
		return kvm_dev_ioctl(KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	case VIREO_CAP_MAX_CPUID:
		return 256;
	case VIREO_CAP_MAX_GPA_BITS:
		__cpuid(0x80000008, a, b, c, d);
		return a & 0xff;
	}
	errno = EINVAL;
	return -1;
}

static int compat_set_memory_region(int fd, const struct vireo_memory_region *r)
{
	struct compat_slot *slot = &fds[fd].slots[r->slot % COMPAT_MAX_SLOTS];
	int ret;
	struct kvm_userspace_memory_region k = {
		.slot = r->slot,
		.flags = r->flags & VIREO_MEM_READONLY ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = r->guest_phys_addr,
		.memory_size = r->memory_size,
		.userspace_addr = r->userspace_addr,
	};

	ret = ioctl(fd, KVM_SET_USER_MEMORY_REGION, &k);
	if (!ret && r->slot < COMPAT_MAX_SLOTS) {
		slot->gpa = r->guest_phys_addr;
		slot->size = r->memory_size;
		slot->hva = r->userspace_addr;
	}
	return ret;
}

/* Host address of guest-physical @gpa in @vm_fd's slots, or NULL. */
static const uint8_t *compat_gpa2hva(int vm_fd, uint64_t gpa)
{
	const struct compat_slot *s = fds[vm_fd].slots;
	unsigned int i;

	for (i = 0; i < COMPAT_MAX_SLOTS; i++)
		if (s[i].size && gpa >= s[i].gpa && gpa - s[i].gpa < s[i].size)
			return (const uint8_t *)(uintptr_t)s[i].hva +
			       (gpa - s[i].gpa);
	return NULL;
}

/*
 * Decode the instruction at CS:RIP far enough to tell INS/OUTS and a REP
 * prefix (legacy prefixes, then REX in 64-bit code, then the opcode).
 */
static void compat_decode_string_io(int vcpu_fd, struct vireo_run_io *io)
{
	struct kvm_translation tr = {};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	const uint8_t *insn;
	unsigned int i;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) ||
	    ioctl(vcpu_fd, KVM_GET_REGS, &regs))
		return;
	tr.linear_address = sregs.cs.base + regs.rip;
	if (ioctl(vcpu_fd, KVM_TRANSLATE, &tr) || !tr.valid)
		return;
	insn = compat_gpa2hva(fds[vcpu_fd].vm_fd, tr.physical_address);
	if (!insn)
		return;
	for (i = 0; i < 14; i++) {
		uint8_t b = insn[i];

		if (b == 0xf3 || b == 0xf2)
			io->rep = 1;
		else if (b == 0x66 || b == 0x67 || b == 0x26 || b == 0x2e ||
			 b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 ||
			 (sregs.cs.l && (b & 0xf0) == 0x40))
			continue;
		else
			break;
	}
	io->string = i < 14 && insn[i] >= 0x6c && insn[i] <= 0x6f;
	if (!io->string)
		io->rep = 0;
}

/* KVM refuses long mode to a vCPU whose CPUID lacks LM: give it all. */
static void compat_default_cpuid(int vcpu_fd)
{
	struct kvm_cpuid2 *cpuid;
	const int max = 256;
	int ret;

	cpuid = calloc(1, sizeof(*cpuid) + max * sizeof(cpuid->entries[0]));
	TEST_ASSERT(cpuid, "out of memory");
	cpuid->nent = max;
	ret = kvm_dev_ioctl(KVM_GET_SUPPORTED_CPUID, (unsigned long)cpuid);
	TEST_ASSERT(!ret, "KVM_GET_SUPPORTED_CPUID");
	ret = ioctl(vcpu_fd, KVM_SET_CPUID2, cpuid);
	TEST_ASSERT(!ret, "KVM_SET_CPUID2");
	free(cpuid);
}

static int compat_create_vcpu(int vm_fd, unsigned long id)
{
	struct compat_fd *c;
	int fd = ioctl(vm_fd, KVM_CREATE_VCPU, id);

	if (fd < 0)
		return fd;
	c = compat_track(fd, FD_VCPU);
	c->vm_fd = vm_fd;
	c->krun_size = kvm_dev_ioctl(KVM_GET_VCPU_MMAP_SIZE, 0);
	c->krun = mmap(NULL, c->krun_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	TEST_ASSERT(c->krun != MAP_FAILED, "mmap of kvm_run");
	c->vrun = mmap(NULL, COMPAT_RUN_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(c->vrun != MAP_FAILED, "mmap of the run copy");
	compat_default_cpuid(fd);
	return fd;
}

static int compat_get_sregs(int fd, struct vireo_sregs *s)
{
	struct kvm_sregs k;
	int ret = ioctl(fd, KVM_GET_SREGS, &k);

	if (ret)
		return ret;
	memcpy(s, &k, offsetof(struct vireo_sregs, reserved));
	memset(s->reserved, 0, sizeof(s->reserved));
	return 0;
}

static int compat_set_sregs(int fd, const struct vireo_sregs *s)
{
	struct kvm_sregs k = {};

	memcpy(&k, s, offsetof(struct vireo_sregs, reserved));
	return ioctl(fd, KVM_SET_SREGS, &k);
}

static int compat_set_cpuid(int fd, const struct vireo_cpuid *v)
{
	struct kvm_cpuid2 *k;
	uint32_t i;
	int ret;

	k = calloc(1, sizeof(*k) + v->nent * sizeof(k->entries[0]));
	TEST_ASSERT(k, "out of memory");
	k->nent = v->nent;
	for (i = 0; i < v->nent; i++) {
		const struct vireo_cpuid_entry *e = &v->entries[i];

		k->entries[i] = (struct kvm_cpuid_entry2) {
			.function = e->function, .index = e->index,
			.flags = e->flags & VIREO_CPUID_SIGNIFICANT_INDEX ?
				 KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
			.eax = e->eax, .ebx = e->ebx,
			.ecx = e->ecx, .edx = e->edx,
		};
	}
	ret = ioctl(fd, KVM_SET_CPUID2, k);
	free(k);
	return ret;
}

/* KVM's supported CPUID in Vireo's layout, with Vireo's E2BIG rule. */
static int compat_get_supported_cpuid(int fd, struct vireo_cpuid *v)
{
	const uint32_t room = 256;
	struct kvm_cpuid2 *k;
	uint32_t i;
	int ret;

	k = calloc(1, sizeof(*k) + room * sizeof(k->entries[0]));
	TEST_ASSERT(k, "out of memory");
	k->nent = room;
	ret = ioctl(fd, KVM_GET_SUPPORTED_CPUID, k);
	if (!ret && k->nent > v->nent) {
		v->nent = k->nent;
		errno = E2BIG;
		ret = -1;
	} else if (!ret) {
		v->nent = k->nent;
		for (i = 0; i < k->nent; i++) {
			const struct kvm_cpuid_entry2 *e = &k->entries[i];

			v->entries[i] = (struct vireo_cpuid_entry) {
				.function = e->function, .index = e->index,
				.flags = e->flags &
					 KVM_CPUID_FLAG_SIGNIFCANT_INDEX ?
					 VIREO_CPUID_SIGNIFICANT_INDEX : 0,
				.eax = e->eax, .ebx = e->ebx,
				.ecx = e->ecx, .edx = e->edx,
			};
		}
	}
	free(k);
	return ret;
}

/* Hand what the test wrote in the run area to KVM before entering. */
static void run_to_kvm(struct compat_fd *c)
{
	struct kvm_run *k = c->krun;
	struct vireo_run *v = c->vrun;

	k->immediate_exit = v->immediate_exit;
	if (k->exit_reason == KVM_EXIT_IO && k->io.direction == KVM_EXIT_IO_IN)
		memcpy((uint8_t *)k + k->io.data_offset,
		       (uint8_t *)v + VIREO_RUN_IO_DATA_OFFSET,
		       k->io.size * k->io.count);
	if (k->exit_reason == KVM_EXIT_MMIO && !k->mmio.is_write)
		memcpy(k->mmio.data, v->mmio.data, sizeof(k->mmio.data));
}

static void io_from_kvm(int fd, struct kvm_run *k, struct vireo_run *v)
{
	v->exit_reason = VIREO_EXIT_IO;
	v->io.port = k->io.port;
	v->io.size = k->io.size;
	v->io.count = k->io.count;
	v->io.direction = k->io.direction == KVM_EXIT_IO_IN ?
			  VIREO_IO_IN : VIREO_IO_OUT;
	compat_decode_string_io(fd, &v->io);
	if (k->io.direction == KVM_EXIT_IO_OUT)
		memcpy((uint8_t *)v + VIREO_RUN_IO_DATA_OFFSET,
		       (uint8_t *)k + k->io.data_offset,
		       k->io.size * k->io.count);
}

static void run_from_kvm(int fd, struct compat_fd *c)
{
	struct kvm_run *k = c->krun;
	struct vireo_run *v = c->vrun;

	memset(&v->exit_data, 0, sizeof(v->exit_data));
	v->exit_count++;
	switch (k->exit_reason) {
	case KVM_EXIT_IO:
		io_from_kvm(fd, k, v);
		break;
	case KVM_EXIT_MMIO:
		v->exit_reason = VIREO_EXIT_MMIO;
		v->mmio.phys_addr = k->mmio.phys_addr;
		v->mmio.len = k->mmio.len;
		v->mmio.is_write = k->mmio.is_write;
		memcpy(v->mmio.data, k->mmio.data, sizeof(v->mmio.data));
		break;
	case KVM_EXIT_HLT:
		v->exit_reason = VIREO_EXIT_HLT;
		break;
	case KVM_EXIT_SHUTDOWN:
		v->exit_reason = VIREO_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_INTR:
		v->exit_reason = VIREO_EXIT_INTR;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		/* KVM's suberror numbers, not Vireo's: for the dump only. */
		v->exit_reason = VIREO_EXIT_INTERNAL_ERROR;
		v->internal.suberror = k->internal.suberror;
		v->internal.ndata = k->internal.ndata < 8 ? k->internal.ndata : 8;
		memcpy(v->internal.data, k->internal.data,
		       v->internal.ndata * sizeof(v->internal.data[0]));
		break;
	default:
		v->exit_reason = VIREO_EXIT_INTERNAL_ERROR;
		v->internal.suberror = VIREO_INTERNAL_ERROR_UNHANDLED_EXIT;
		v->internal.ndata = 1;
		v->internal.data[0] = k->exit_reason;
	}
}

static int compat_run(int fd, struct compat_fd *c)
{
	int ret, err;

	run_to_kvm(c);
	ret = ioctl(fd, KVM_RUN, 0);
	err = errno;
	if (ret < 0 && err == EINTR) {
		c->vrun->exit_reason = VIREO_EXIT_INTR;
		/* Do not hand stale IN data to KVM on the next entry. */
		c->krun->exit_reason = KVM_EXIT_INTR;
	} else if (!ret) {
		run_from_kvm(fd, c);
	}
	errno = err;
	return ret;
}

static int compat_vm_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	switch (cmd) {
	case VIREO_SET_MEMORY_REGION:
		return compat_set_memory_region(fd, (void *)arg);
	case VIREO_CREATE_VCPU:
		return compat_create_vcpu(fd, arg);
	}
	return ioctl(fd, cmd, arg);
}

static int compat_vcpu_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	switch (cmd) {
	case VIREO_RUN:
		return compat_run(fd, &fds[fd]);
	case VIREO_GET_REGS:
		return ioctl(fd, KVM_GET_REGS, arg);
	case VIREO_SET_REGS:
		return ioctl(fd, KVM_SET_REGS, arg);
	case VIREO_GET_SREGS:
		return compat_get_sregs(fd, (void *)arg);
	case VIREO_SET_SREGS:
		return compat_set_sregs(fd, (void *)arg);
	case VIREO_SET_CPUID:
		return compat_set_cpuid(fd, (void *)arg);
	}
	return ioctl(fd, cmd, arg);
}

static int compat_dev_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	int vm;

	switch (cmd) {
	case VIREO_GET_API_VERSION:
		return VIREO_API_VERSION;
	case VIREO_CHECK_CAP:
		return compat_check_cap(arg);
	case VIREO_GET_RUN_SIZE:
		return COMPAT_RUN_SIZE;
	case VIREO_GET_SUPPORTED_CPUID:
		return compat_get_supported_cpuid(fd, (void *)arg);
	case VIREO_CREATE_VM:
		vm = ioctl(fd, KVM_CREATE_VM, arg);
		if (vm < 0)
			return vm;
		compat_track(vm, FD_VM);
		/* VMX without unrestricted guest emulates real mode with it. */
		ioctl(vm, KVM_SET_TSS_ADDR, COMPAT_TSS_ADDR);
		return vm;
	}
	return ioctl(fd, cmd, arg);
}

const char *selftest_hypervisor(void)
{
	return "kvm";
}

int vireo_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	switch (fd >= 0 && fd < COMPAT_MAX_FDS ? fds[fd].kind : FD_NONE) {
	case FD_DEV:
		return compat_dev_ioctl(fd, cmd, arg);
	case FD_VM:
		return compat_vm_ioctl(fd, cmd, arg);
	case FD_VCPU:
		return compat_vcpu_ioctl(fd, cmd, arg);
	default:
		return ioctl(fd, cmd, arg);
	}
}

void *vireo_map_run(int vcpu_fd, size_t size)
{
	TEST_ASSERT(fds[vcpu_fd].kind == FD_VCPU && size <= COMPAT_RUN_SIZE,
		    "fd %d is not a vCPU", vcpu_fd);
	return fds[vcpu_fd].vrun;
}

void vireo_unmap_run(void *run, size_t size)
{
	/* vireo_close() unmaps both run areas. */
}

void vireo_close(int fd)
{
	struct compat_fd *c = &fds[fd];

	if (c->kind == FD_VCPU) {
		munmap(c->krun, c->krun_size);
		munmap(c->vrun, COMPAT_RUN_SIZE);
	}
	c->kind = FD_NONE;
	close(fd);
}
