// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls of a vCPU fd, without running it: the reset state, register
 * round trips, the consistency checks of SET_SREGS, SET_CPUID's limits, bad
 * user pointers and unknown ioctls.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "errno_assert.h"
#include "longmode.h"

FIXTURE(vcpu) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(vcpu)
{
	self->vm = vm_create();
	self->vcpu = vm_add_vcpu(self->vm, 0);
}

FIXTURE_TEARDOWN(vcpu)
{
	vm_free(self->vm);
}

/* A page nobody may touch, for EFAULT. */
static void *map_prot_none(size_t size)
{
	void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap");
	return p;
}

/* The architectural reset state (SDM "Processor State After Reset"). */
TEST_F(vcpu, reset_state)
{
	struct vireo_sregs sregs;
	struct vireo_regs regs;
	unsigned int i;

	vcpu_get_sregs(self->vcpu, &sregs);
	vcpu_get_regs(self->vcpu, &regs);
	EXPECT_EQ(0xf000, sregs.cs.selector);
	EXPECT_EQ(0xffff0000, sregs.cs.base);
	EXPECT_EQ(0xffff, sregs.cs.limit);
	EXPECT_EQ(0xfff0, regs.rip);
	EXPECT_EQ(0x2, regs.rflags);
	EXPECT_EQ(0, sregs.cr0 & (X86_CR0_PE | X86_CR0_PG));
	EXPECT_EQ(0, sregs.efer);
	EXPECT_EQ(0, sregs.ds.base);
	EXPECT_EQ(0, sregs.ss.base);
	for (i = 0; i < ARRAY_SIZE(sregs.reserved); i++)
		EXPECT_EQ(0, sregs.reserved[i]);
}

TEST_F(vcpu, regs_round_trip)
{
	struct vireo_regs in, out;
	__u64 *r = &in.rax;
	unsigned int i;

	for (i = 0; i < 16; i++)
		r[i] = 0x0123456789abcdefULL ^ ((__u64)i << 56) ^ i;
	in.rip = 0x12345;
	in.rflags = 0x2 | 0x1 | 0x40 | 0x800;	/* CF, ZF, OF */
	vcpu_set_regs(self->vcpu, &in);
	vcpu_get_regs(self->vcpu, &out);
	ASSERT_EQ(0, memcmp(&in, &out, sizeof(in)));
}

TEST_F(vcpu, sregs_round_trip)
{
	struct vireo_sregs reset, lm, out;

	vcpu_get_sregs(self->vcpu, &reset);
	vcpu_set_sregs(self->vcpu, &reset);
	vcpu_get_sregs(self->vcpu, &out);
	ASSERT_EQ(0, memcmp(&reset, &out, sizeof(out)));

	lm = reset;
	longmode_sregs(&lm, 0x1000, 0x2000, 0x3000);
	vcpu_set_sregs(self->vcpu, &lm);
	vcpu_get_sregs(self->vcpu, &out);
	EXPECT_EQ(lm.cr0, out.cr0);
	EXPECT_EQ(lm.cr3, out.cr3);
	EXPECT_EQ(lm.cr4, out.cr4);
	EXPECT_EQ(lm.efer, out.efer);
	EXPECT_EQ(lm.cs.selector, out.cs.selector);
	EXPECT_EQ(1, out.cs.l);
	EXPECT_EQ(lm.gdt.base, out.gdt.base);
	EXPECT_EQ(lm.gdt.limit, out.gdt.limit);
	EXPECT_EQ(lm.tr.base, out.tr.base);
}

struct sregs_case {
	const char *what;
	bool long_mode;		/* start from a valid long-mode state */
	void (*mutate)(struct vireo_sregs *s);
};

static void pg_without_pe(struct vireo_sregs *s)
{
	s->cr0 = (s->cr0 | X86_CR0_PG) & ~X86_CR0_PE;
}

static void nw_without_cd(struct vireo_sregs *s)
{
	s->cr0 = (s->cr0 | X86_CR0_NW) & ~X86_CR0_CD;
}

static void cr0_bit32(struct vireo_sregs *s) { s->cr0 |= 1ULL << 32; }
static void cr0_bit63(struct vireo_sregs *s) { s->cr0 |= 1ULL << 63; }
static void cr4_bit23(struct vireo_sregs *s) { s->cr4 |= 1ULL << 23; }
static void cr4_bit31(struct vireo_sregs *s) { s->cr4 |= 1ULL << 31; }
static void cr4_bit32(struct vireo_sregs *s) { s->cr4 |= 1ULL << 32; }
static void cr4_bit63(struct vireo_sregs *s) { s->cr4 |= 1ULL << 63; }
static void efer_bit1(struct vireo_sregs *s) { s->efer |= 1ULL << 1; }
static void efer_bit63(struct vireo_sregs *s) { s->efer |= 1ULL << 63; }
static void lme_pg_no_pae(struct vireo_sregs *s) { s->cr4 &= ~X86_CR4_PAE; }
static void lma_no_lme(struct vireo_sregs *s) { s->efer &= ~X86_EFER_LME; }
static void cs_l_and_d(struct vireo_sregs *s) { s->cs.db = 1; }
static void cr8_16(struct vireo_sregs *s) { s->cr8 = 16; }
static void cr8_huge(struct vireo_sregs *s) { s->cr8 = ~0ULL; }
static void reserved0(struct vireo_sregs *s) { s->reserved[0] = 1; }

static const struct sregs_case invalid_sregs[] = {
	{ "CR0.PG without CR0.PE",	false,	pg_without_pe },
	{ "CR0.NW without CR0.CD",	false,	nw_without_cd },
	{ "CR0 bit 32",			false,	cr0_bit32 },
	{ "CR0 bit 63",			false,	cr0_bit63 },
	{ "CR4 bit 23",			false,	cr4_bit23 },
	{ "CR4 bit 31",			false,	cr4_bit31 },
	{ "CR4 bit 32",			false,	cr4_bit32 },
	{ "CR4 bit 63",			false,	cr4_bit63 },
	{ "EFER bit 1",			false,	efer_bit1 },
	{ "EFER bit 63",		false,	efer_bit63 },
	{ "EFER.LME, CR0.PG, no CR4.PAE", true,	lme_pg_no_pae },
	{ "EFER.LMA without EFER.LME",	true,	lma_no_lme },
	{ "CS.L and CS.D in long mode",	true,	cs_l_and_d },
	{ "CR8 16",			false,	cr8_16 },
	{ "CR8 ~0",			false,	cr8_huge },
	{ "reserved[0] set",		false,	reserved0 },
};

/* SET_SREGS of @s fails with EINVAL and leaves the vCPU as it was. */
static void check_rejected(struct __test_metadata *_metadata,
			   struct vireo_vcpu *vcpu, struct vireo_sregs *s,
			   const char *what)
{
	struct vireo_sregs before, after;

	vcpu_get_sregs(vcpu, &before);
	TH_LOG("case: %s", what);
	ASSERT_ERRNO(EINVAL, ioctl(vcpu->fd, VIREO_SET_SREGS, s));
	vcpu_get_sregs(vcpu, &after);
	ASSERT_EQ(0, memcmp(&before, &after, sizeof(after)))
		TH_LOG("a rejected SET_SREGS (%s) changed the state", what);
}

TEST_F(vcpu, sregs_invalid)
{
	struct vireo_sregs reset, lm, s;
	unsigned int i;

	vcpu_get_sregs(self->vcpu, &reset);
	lm = reset;
	longmode_sregs(&lm, 0x1000, 0x2000, 0x3000);
	/* Positive controls: both starting points are accepted. */
	ASSERT_OK(ioctl(self->vcpu->fd, VIREO_SET_SREGS, &lm));
	ASSERT_OK(ioctl(self->vcpu->fd, VIREO_SET_SREGS, &reset));

	for (i = 0; i < ARRAY_SIZE(invalid_sregs); i++) {
		s = invalid_sregs[i].long_mode ? lm : reset;
		invalid_sregs[i].mutate(&s);
		check_rejected(_metadata, self->vcpu, &s, invalid_sregs[i].what);
	}
}

/* VMXE is Intel's: an AMD CPU has no such CR4 bit to give the guest. */
TEST_F(vcpu, svm_cr4_vmxe)
{
	struct vireo_sregs s;

	if (dev_check_cap(VIREO_CAP_BACKEND) != VIREO_BACKEND_SVM)
		SKIP(return, "AMD-V only");
	vcpu_get_sregs(self->vcpu, &s);
	s.cr4 |= X86_CR4_VMXE;
	check_rejected(_metadata, self->vcpu, &s, "CR4.VMXE on AMD-V");
}

/* A SET_CPUID argument of @nent entries, leaves 0x40000000 + i. */
static struct vireo_cpuid *cpuid_table(uint32_t nent)
{
	struct vireo_cpuid *c;
	uint32_t i;

	c = calloc(1, sizeof(*c) + (size_t)nent * sizeof(c->entries[0]));
	TEST_ASSERT(c, "out of memory");
	c->nent = nent;
	for (i = 0; i < nent; i++)
		c->entries[i].function = 0x40000000 + i;
	return c;
}

TEST_F(vcpu, cpuid_limits)
{
	uint32_t max = dev_check_cap(VIREO_CAP_MAX_CPUID);
	struct vireo_cpuid *c = cpuid_table(max + 1);

	ASSERT_ERRNO(E2BIG, ioctl(self->vcpu->fd, VIREO_SET_CPUID, c));
	/* Huge counts are E2BIG too, never an overflowed allocation. */
	c->nent = ~0U;
	ASSERT_ERRNO(E2BIG, ioctl(self->vcpu->fd, VIREO_SET_CPUID, c));
	c->nent = 0x80000000;
	ASSERT_ERRNO(E2BIG, ioctl(self->vcpu->fd, VIREO_SET_CPUID, c));
	c->nent = max;
	ASSERT_OK(ioctl(self->vcpu->fd, VIREO_SET_CPUID, c));
	c->nent = 0;
	ASSERT_OK(ioctl(self->vcpu->fd, VIREO_SET_CPUID, c));
	free(c);
}

TEST_F(vcpu, cpuid_bad_pointer)
{
	const size_t entry = sizeof(struct vireo_cpuid_entry);
	uint8_t *pages = mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vireo_cpuid *c;

	ASSERT_NE(MAP_FAILED, pages);
	ASSERT_EQ(0, mprotect(pages + PAGE_SIZE, PAGE_SIZE, PROT_NONE));
	ASSERT_ERRNO(EFAULT, ioctl(self->vcpu->fd, VIREO_SET_CPUID, NULL));

	/* The header and one entry readable, the second entry not. */
	c = (struct vireo_cpuid *)(pages + PAGE_SIZE - sizeof(*c) - entry);
	c->nent = 2;
	ASSERT_ERRNO(EFAULT, ioctl(self->vcpu->fd, VIREO_SET_CPUID, c));
	c->nent = 1;
	ASSERT_OK(ioctl(self->vcpu->fd, VIREO_SET_CPUID, c));
	munmap(pages, 2 * PAGE_SIZE);
}

TEST_F(vcpu, regs_bad_pointer)
{
	void *none = map_prot_none(PAGE_SIZE);
	int fd = self->vcpu->fd;

	ASSERT_ERRNO(EFAULT, ioctl(fd, VIREO_GET_REGS, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VIREO_SET_REGS, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VIREO_GET_SREGS, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VIREO_SET_SREGS, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VIREO_GET_REGS, none));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VIREO_SET_REGS, none));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VIREO_GET_SREGS, none));
	ASSERT_ERRNO(EFAULT, ioctl(fd, VIREO_SET_SREGS, none));
	/* Kernel addresses are not user memory. */
	ASSERT_ERRNO(EFAULT, ioctl(fd, VIREO_GET_REGS, 0xffff800000000000UL));
	munmap(none, PAGE_SIZE);
}

TEST_F(vcpu, unknown_ioctl)
{
	struct vireo_memory_region region = {};
	struct vireo_regs regs = {};
	int fd = self->vcpu->fd;

	ASSERT_ERRNO(ENOTTY, ioctl(fd, _IO(VIREO_IOCTL_TYPE, 0x7f), 0));
	/* GET_REGS's number with another direction. */
	ASSERT_ERRNO(ENOTTY, ioctl(fd, _IOW(VIREO_IOCTL_TYPE, 0x21,
					    struct vireo_regs), &regs));
	/* Device and VM ioctls are unknown on a vCPU fd. */
	ASSERT_ERRNO(ENOTTY, ioctl(fd, VIREO_CREATE_VM, 0));
	ASSERT_ERRNO(ENOTTY, ioctl(fd, VIREO_GET_API_VERSION, 0));
	ASSERT_ERRNO(ENOTTY, ioctl(fd, VIREO_CREATE_VCPU, 1));
	ASSERT_ERRNO(ENOTTY, ioctl(fd, VIREO_SET_MEMORY_REGION, &region));
}

TEST_HARNESS_MAIN
