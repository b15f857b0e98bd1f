// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID is answered in the kernel from the table SET_CPUID gave: leaves in
 * the table, leaves that are not (zeros), and leaves whose entries differ
 * by ECX (VIREO_CPUID_SIGNIFICANT_INDEX).  The guest is a loop: it reads a
 * leaf and an index from ports 0x40/0x41, executes CPUID and writes EAX,
 * EBX, ECX and EDX to port 0x42.
 *
 * VIREO_GET_SUPPORTED_CPUID (on /dev/vireo): its E2BIG contract, and the
 * features its table must and must not offer.
 */
#include <cpuid.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "errno_assert.h"
#include "realmode.h"
#include "supported_cpuid.h"

#define TIMEOUT		120

REALMODE_GUEST(cpuid_guest,
	"1: in $0x40, %eax\n"
	"mov %eax, %edi\n"
	"in $0x41, %eax\n"
	"mov %eax, %ecx\n"
	"mov %edi, %eax\n"
	"cpuid\n"
	"out %eax, $0x42\n"
	"mov %ebx, %eax\n"
	"out %eax, $0x42\n"
	"mov %ecx, %eax\n"
	"out %eax, $0x42\n"
	"mov %edx, %eax\n"
	"out %eax, $0x42\n"
	"jmp 1b\n");

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* Leaf 0: the highest basic leaf and a vendor string of our own. */
#define VENDOR_EBX	0x65726956	/* "Vire" */
#define VENDOR_EDX	0x7365546f	/* "oTes" */
#define VENDOR_ECX	0x55504374	/* "tCPU" */

/*
 * Hypervisor-range leaves are ours to define, so no CPU policy in the
 * module has a reason to touch them.  0x40000000.EAX is the highest leaf
 * of the range: the queries for absent leaves stay within it, where an
 * absent leaf reads as zeros on every vendor.
 */
static const struct vireo_cpuid_entry table[] = {
	{ .function = 0, .eax = 1, .ebx = VENDOR_EBX, .ecx = VENDOR_ECX,
	  .edx = VENDOR_EDX },
	{ .function = 0x40000000, .eax = 0x40000010, .ebx = 0x11111111,
	  .ecx = 0x22222222, .edx = 0x33333333 },
	{ .function = 0x4000000b, .index = 0,
	  .flags = VIREO_CPUID_SIGNIFICANT_INDEX,
	  .eax = 0xa0, .ebx = 0xb0, .ecx = 0xc0, .edx = 0xd0 },
	{ .function = 0x4000000b, .index = 1,
	  .flags = VIREO_CPUID_SIGNIFICANT_INDEX,
	  .eax = 0xa1, .ebx = 0xb1, .ecx = 0xc1, .edx = 0xd1 },
};

FIXTURE(cpuid) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(cpuid)
{
	self->vm = vm_create_realmode(&cpuid_guest, &self->vcpu);
	vcpu_set_cpuid(self->vcpu, table, ARRAY_SIZE(table));
}

FIXTURE_TEARDOWN(cpuid)
{
	vm_free(self->vm);
}

/* One round of the guest's loop: CPUID(@leaf, @index) in the guest. */
static struct cpuid_regs guest_cpuid(struct vireo_vcpu *vcpu, uint32_t leaf,
				     uint32_t index)
{
	struct cpuid_regs r;

	vcpu_run(vcpu);
	vcpu_answer_in(vcpu, 0x40, 4, leaf);
	vcpu_run(vcpu);
	vcpu_answer_in(vcpu, 0x41, 4, index);
	/* CPUID itself must not exit to userspace: the next exit is OUT. */
	vcpu_run(vcpu);
	r.eax = vcpu_expect_out(vcpu, 0x42, 4);
	vcpu_run(vcpu);
	r.ebx = vcpu_expect_out(vcpu, 0x42, 4);
	vcpu_run(vcpu);
	r.ecx = vcpu_expect_out(vcpu, 0x42, 4);
	vcpu_run(vcpu);
	r.edx = vcpu_expect_out(vcpu, 0x42, 4);
	return r;
}

#define ASSERT_CPUID(r, a, b, c, d) do {				\
	ASSERT_EQ(a, (r).eax);						\
	ASSERT_EQ(b, (r).ebx);						\
	ASSERT_EQ(c, (r).ecx);						\
	ASSERT_EQ(d, (r).edx);						\
} while (0)

TEST_F_TIMEOUT(cpuid, leaf_in_table, TIMEOUT)
{
	struct cpuid_regs r;

	r = guest_cpuid(self->vcpu, 0, 0);
	ASSERT_CPUID(r, 1, VENDOR_EBX, VENDOR_ECX, VENDOR_EDX);
	r = guest_cpuid(self->vcpu, 0x40000000, 0);
	ASSERT_CPUID(r, 0x40000010, 0x11111111, 0x22222222, 0x33333333);
	/* Without SIGNIFICANT_INDEX the entry matches whatever ECX is. */
	r = guest_cpuid(self->vcpu, 0x40000000, 7);
	ASSERT_CPUID(r, 0x40000010, 0x11111111, 0x22222222, 0x33333333);
}

TEST_F_TIMEOUT(cpuid, leaf_not_in_table, TIMEOUT)
{
	struct cpuid_regs r;

	r = guest_cpuid(self->vcpu, 0x40000005, 0);
	ASSERT_CPUID(r, 0, 0, 0, 0);
	r = guest_cpuid(self->vcpu, 0x4000000a, 0);
	ASSERT_CPUID(r, 0, 0, 0, 0);
}

TEST_F_TIMEOUT(cpuid, significant_index, TIMEOUT)
{
	struct cpuid_regs r;

	r = guest_cpuid(self->vcpu, 0x4000000b, 1);
	ASSERT_CPUID(r, 0xa1, 0xb1, 0xc1, 0xd1);
	r = guest_cpuid(self->vcpu, 0x4000000b, 0);
	ASSERT_CPUID(r, 0xa0, 0xb0, 0xc0, 0xd0);
	/* An index with no entry reads as zeros. */
	r = guest_cpuid(self->vcpu, 0x4000000b, 2);
	ASSERT_CPUID(r, 0, 0, 0, 0);
}

/* SET_CPUID replaces the whole table. */
TEST_F_TIMEOUT(cpuid, set_cpuid_replaces, TIMEOUT)
{
	const struct vireo_cpuid_entry other[] = {
		{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x44 },
	};
	struct cpuid_regs r;

	r = guest_cpuid(self->vcpu, 0, 0);
	ASSERT_CPUID(r, 1, VENDOR_EBX, VENDOR_ECX, VENDOR_EDX);
	vcpu_set_cpuid(self->vcpu, other, ARRAY_SIZE(other));
	r = guest_cpuid(self->vcpu, 0x40000000, 0);
	ASSERT_CPUID(r, 0x40000001, 0x44, 0, 0);
	r = guest_cpuid(self->vcpu, 0, 0);
	ASSERT_CPUID(r, 0, 0, 0, 0);
}

/* exit_count counts the exits the kernel handles too, CPUID among them. */
TEST_F_TIMEOUT(cpuid, exit_count, TIMEOUT)
{
	uint64_t before;

	vcpu_run(self->vcpu);
	vcpu_answer_in(self->vcpu, 0x40, 4, 0);
	vcpu_run(self->vcpu);
	vcpu_answer_in(self->vcpu, 0x41, 4, 0);
	before = self->vcpu->run->exit_count;
	vcpu_run(self->vcpu);
	vcpu_expect_out(self->vcpu, 0x42, 4);
	/* At least the CPUID exit and the OUT exit. */
	ASSERT_LE(before + 2, self->vcpu->run->exit_count);
}

/* ---- VIREO_GET_SUPPORTED_CPUID ------------------------------------------ */

#define BIT(n)		(1U << (n))

/* In: room; out: filled.  Too little room: E2BIG and nent = what is needed. */
TEST(supported_cpuid_sizes)
{
	struct vireo_cpuid *c;
	uint32_t need;
	int fd = open_dev();

	c = calloc(1, sizeof(*c) +
		      SUPPORTED_CPUID_ROOM * sizeof(c->entries[0]));
	ASSERT_NE(NULL, c);
	c->nent = SUPPORTED_CPUID_ROOM;
	ASSERT_OK(_get_supported_cpuid(fd, c));
	need = c->nent;
	ASSERT_LT(10, need);
	ASSERT_GE(SUPPORTED_CPUID_ROOM, need);

	c->nent = need - 1;
	ASSERT_ERRNO(E2BIG, _get_supported_cpuid(fd, c));
	ASSERT_EQ(need, c->nent);
	c->nent = 0;
	ASSERT_ERRNO(E2BIG, _get_supported_cpuid(fd, c));
	ASSERT_EQ(need, c->nent);
	c->nent = need;
	ASSERT_OK(_get_supported_cpuid(fd, c));
	ASSERT_EQ(need, c->nent);

	c->padding = 1;
	ASSERT_ERRNO(EINVAL, _get_supported_cpuid(fd, c));
	free(c);
	vireo_close(fd);
}

static const struct vireo_cpuid_entry *
must_find(struct __test_metadata *_metadata, const struct vireo_cpuid *c,
	  uint32_t function, uint32_t index)
{
	const struct vireo_cpuid_entry *e = cpuid_find_entry(c, function, index);

	EXPECT_NE(NULL, e) TH_LOG("no leaf %#x.%u", function, index);
	return e;
}

TEST(supported_cpuid_features)
{
	struct vireo_cpuid *c = get_supported_cpuid();
	const struct vireo_cpuid_entry *e;
	unsigned int a, b, cx, d;
	char sig[13] = {};

	/* The host's vendor; leaves up to 0x1f at most. */
	__cpuid(0, a, b, cx, d);
	e = must_find(_metadata, c, 0, 0);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(b, e->ebx);
	ASSERT_EQ(cx, e->ecx);
	ASSERT_EQ(d, e->edx);
	ASSERT_GE(0x1f, e->eax);

	e = must_find(_metadata, c, 1, 0);
	ASSERT_NE(NULL, e);
	/* Set: hypervisor, x2APIC, TSC deadline; APIC. */
	ASSERT_EQ(BIT(31) | BIT(21) | BIT(24),
		  e->ecx & (BIT(31) | BIT(21) | BIT(24)));
	ASSERT_NE(0, e->edx & BIT(9));
	/*
	 * Clear: DTES64, MONITOR, DS-CPL, VMX, SMX, PDCM, OSXSAVE (the
	 * guest's CR4 decides); MCE, MCA, DS, ACPI, HTT; APIC ID and count.
	 */
	ASSERT_EQ(0, e->ecx & (BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) |
			       BIT(15) | BIT(27)));
	/* XSAVE, and AVX, FMA, F16C only with it (guest_fpu.c). */
	__cpuid(1, a, b, cx, d);
	ASSERT_EQ(0, e->ecx & ~cx & (BIT(12) | BIT(26) | BIT(28) | BIT(29)));
	if (!(e->ecx & BIT(26)))
		ASSERT_EQ(0, e->ecx & (BIT(12) | BIT(28) | BIT(29)));
	ASSERT_EQ(0, e->edx & (BIT(7) | BIT(14) | BIT(21) | BIT(22) |
			       BIT(28)));
	ASSERT_EQ(0, e->ebx >> 16);

	e = cpuid_find_entry(c, 7, 0);
	if (e) {
		ASSERT_EQ(VIREO_CPUID_SIGNIFICANT_INDEX, e->flags);
		ASSERT_EQ(0, e->eax);		/* subleaf 0 only */
		/* TSC_ADJUST, HLE, INVPCID, RTM, MPX. */
		ASSERT_EQ(0, e->ebx & (BIT(1) | BIT(4) | BIT(10) | BIT(11) |
				       BIT(14)));
		/* PKU, OSPKE, WAITPKG, LA57, RDPID. */
		ASSERT_EQ(0, e->ecx & (BIT(3) | BIT(4) | BIT(5) | BIT(16) |
				       BIT(22)));
		/* IBT, SPEC_CTRL, STIBP, L1D_FLUSH, ARCH_CAP, SSBD. */
		ASSERT_EQ(0, e->edx & (BIT(20) | BIT(26) | BIT(27) | BIT(28) |
				       BIT(29) | BIT(31)));
	}
	e = cpuid_find_entry(c, 6, 0);
	if (e) {
		ASSERT_EQ(BIT(2), e->eax);	/* ARAT alone */
		ASSERT_EQ(0, e->ecx);
	}
	/* No MONITOR leaf, no PMU, no SVM leaf. */
	ASSERT_EQ(NULL, cpuid_find_entry(c, 5, 0));
	ASSERT_EQ(NULL, cpuid_find_entry(c, 0xa, 0));
	ASSERT_EQ(NULL, cpuid_find_entry(c, 0x8000000a, 0));
	/*
	 * XSAVE state: x87 and SSE at least, then only AVX and AVX-512
	 * (0xe7), each with its subleaf; nothing of XSAVES (subleaf 1).
	 */
	e = must_find(_metadata, c, 1, 0);
	if (e->ecx & BIT(26)) {
		const struct vireo_cpuid_entry *d0 = must_find(_metadata, c,
							       0xd, 0);
		const struct vireo_cpuid_entry *d1 = must_find(_metadata, c,
							       0xd, 1);
		int i;

		ASSERT_EQ(3, d0->eax & 3);
		ASSERT_EQ(0, d0->eax & ~0xe7U);
		ASSERT_EQ(0, d0->edx);
		ASSERT_LE(576, d0->ecx);
		ASSERT_EQ(0, d1->eax & ~7U);
		ASSERT_EQ(0, d1->ecx | d1->edx);
		for (i = 2; i < 8; i++)
			ASSERT_EQ(!!(d0->eax & BIT(i)),
				  cpuid_find_entry(c, 0xd, i) != NULL);
	} else {
		ASSERT_EQ(NULL, cpuid_find_entry(c, 0xd, 0));
	}

	e = must_find(_metadata, c, 0x80000000, 0);
	ASSERT_NE(NULL, e);
	ASSERT_GE(0x80000008, e->eax);
	e = must_find(_metadata, c, 0x80000001, 0);
	ASSERT_NE(NULL, e);
	ASSERT_NE(0, e->edx & BIT(29));		/* LM */
	ASSERT_EQ(0, e->edx & BIT(27));		/* RDTSCP */
	/* SVM, OSVW, IBS, NodeId, TopoExt, PerfCtrExtCore, MONITORX. */
	ASSERT_EQ(0, e->ecx & (BIT(2) | BIT(9) | BIT(10) | BIT(19) |
			       BIT(22) | BIT(23) | BIT(29)));
	e = cpuid_find_entry(c, 0x80000008, 0);
	if (e) {
		ASSERT_GE(48, e->eax & 0xff);
		ASSERT_GE(48, (e->eax >> 8) & 0xff);
		ASSERT_EQ(0, e->ecx);		/* NC: userspace's */
		/* IBPB, IBRS, STIBP, SSBD, VIRT_SSBD. */
		ASSERT_EQ(0, e->ebx & (BIT(12) | BIT(14) | BIT(15) | BIT(24) |
				       BIT(25)));
	}

	e = must_find(_metadata, c, VIREO_CPUID_SIGNATURE, 0);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(VIREO_CPUID_FEATURES, e->eax);
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	ASSERT_STREQ("VireoVireoVi", sig);
	e = must_find(_metadata, c, VIREO_CPUID_FEATURES, 0);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(0, e->eax | e->ebx | e->ecx | e->edx);
	free(c);
}

/* The table works as SET_CPUID input: a guest sees the signature. */
TEST_F_TIMEOUT(cpuid, supported_table_in_guest, TIMEOUT)
{
	struct cpuid_regs r;

	vcpu_set_supported_cpuid(self->vcpu);
	r = guest_cpuid(self->vcpu, VIREO_CPUID_SIGNATURE, 0);
	ASSERT_CPUID(r, VIREO_CPUID_FEATURES, 0x65726956, 0x7269566f,
		     0x69566f65);
	r = guest_cpuid(self->vcpu, 1, 0);
	ASSERT_NE(0, r.ecx & BIT(31));
}

TEST_HARNESS_MAIN
