// SPDX-License-Identifier: GPL-2.0
/*
 * The MSR policy (kernel/msr.c) as a 64-bit guest sees it.  Every MSR in
 * the policy reads its fixed value or gives back what was written, from
 * its power-on value on; reserved bits, non-canonical addresses and MSRs
 * outside the policy raise #GP (caught by the guest's IDT, exception.h)
 * and the kernel logs each refused MSR once per VM.  The SYSCALL MSRs a
 * guest loads are its own, per vCPU, and never reach the host: the test
 * process keeps making system calls between runs, which would enter the
 * guest's LSTAR if they leaked.  IA32_TSC is the guest's TSC, in step
 * across vCPUs, and ignores writes.
 */
#include <cpuid.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "supported_cpuid.h"
#include "ucall.h"

#define TIMEOUT			300

#define MSR_IA32_TSC		0x10
#define MSR_PLATFORM_ID		0x17
#define MSR_APIC_BASE		0x1b
#define MSR_FEATURE_CONTROL	0x3a
#define MSR_TSC_ADJUST		0x3b
#define MSR_SPEC_CTRL		0x48
#define MSR_PRED_CMD		0x49
#define MSR_UCODE_REV		0x8b
#define MSR_MTRRCAP		0xfe
#define MSR_ARCH_CAPABILITIES	0x10a
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_MCG_CAP		0x179
#define MSR_MCG_STATUS		0x17a
#define MSR_MISC_ENABLE		0x1a0
#define MSR_DEBUGCTL		0x1d9
#define MSR_MTRR_PHYS_BASE(n)	(0x200 + 2 * (n))
#define MSR_MTRR_PHYS_MASK(n)	(0x201 + 2 * (n))
#define MSR_MTRR_FIX64K		0x250
#define MSR_MTRR_FIX16K_80000	0x258
#define MSR_MTRR_FIX16K_A0000	0x259
#define MSR_MTRR_FIX4K_C0000	0x268
#define MSR_MTRR_FIX4K_F8000	0x26f
#define MSR_PAT			0x277
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_PERF_CAPABILITIES	0x345
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103
#define MSR_AMD_SYSCFG		0xc0010010
#define MSR_AMD_HWCR		0xc0010015
#define MSR_AMD_NB_CFG		0xc001001f
#define MSR_AMD_VM_CR		0xc0010114
#define MSR_AMD_LS_CFG		0xc0011020
#define MSR_AMD_DE_CFG		0xc0011029
#define MSR_KVM_SYSTEM_TIME	0x4b564d01

#define EFER_SCE		(1ULL << 0)
#define EFER_SVME		(1ULL << 12)
#define EFER_FFXSR		(1ULL << 14)
#define X86_EFLAGS_DF		(1ULL << 10)

#define PAT_POWER_ON		0x0007040600070406ULL
#define PAT_LINUX		0x0007010600070106ULL
#define NON_CANONICAL		0x0000800000000000ULL

/* ---- the table of cases, run by one guest loop ---------------------- */

struct msr_case {
	uint32_t msr;
	bool write;		/* WRMSR value first */
	bool check_read;	/* RDMSR must give expect */
	uint8_t write_vector;	/* 0, or GP_VECTOR: the write is refused */
	uint8_t read_vector;
	uint64_t value;
	uint64_t expect;
};

struct msr_result {
	uint8_t write_vector, read_vector;
	uint64_t read;
};

#define MAX_CASES	160

static struct msr_case cases[MAX_CASES];
static struct msr_result results[MAX_CASES];
static uint64_t nr_cases;

static void guest_msr_cases(void)
{
	uint64_t i;

	for (i = 0; i < nr_cases; i++) {
		const struct msr_case *c = &cases[i];

		if (c->write)
			results[i].write_vector = wrmsr_safe(c->msr, c->value);
		results[i].read_vector = rdmsr_safe(c->msr, &results[i].read);
	}
	GUEST_DONE();
}

static struct msr_case *add_case(uint32_t msr)
{
	TEST_ASSERT(nr_cases < MAX_CASES, "too many MSR cases");
	cases[nr_cases] = (struct msr_case) { .msr = msr };
	return &cases[nr_cases++];
}

/* RDMSR gives @expect. */
static void reads(uint32_t msr, uint64_t expect)
{
	struct msr_case *c = add_case(msr);

	c->check_read = true;
	c->expect = expect;
}

/* WRMSR @value is accepted and RDMSR gives it back. */
static void round_trip(uint32_t msr, uint64_t value)
{
	struct msr_case *c = add_case(msr);

	c->write = true;
	c->value = value;
	c->check_read = true;
	c->expect = value;
}

/* WRMSR @value raises #GP and leaves @still in the MSR. */
static void refused(uint32_t msr, uint64_t value, uint64_t still)
{
	struct msr_case *c = add_case(msr);

	c->write = true;
	c->value = value;
	c->write_vector = GP_VECTOR;
	c->check_read = true;
	c->expect = still;
}

/* Not in the policy: RDMSR and WRMSR both raise #GP. */
static void absent(uint32_t msr)
{
	struct msr_case *c = add_case(msr);

	c->write = true;
	c->write_vector = GP_VECTOR;
	c->read_vector = GP_VECTOR;
}

/* Readable, its value not checked (the host's, or the LAPIC's). */
static void readable(uint32_t msr)
{
	add_case(msr);
}

/* WRMSR @value is accepted (or with @vector, refused); value not checked. */
static void writable(uint32_t msr, uint64_t value, uint8_t vector)
{
	struct msr_case *c = add_case(msr);

	c->write = true;
	c->value = value;
	c->write_vector = vector;
}

static bool host_is_amd(void)
{
	unsigned int a, b, c, d;

	__cpuid(0, a, b, c, d);
	return b == 0x68747541 /* "Auth" */ || b == 0x6f677948 /* "Hygo" */;
}

static unsigned int guest_maxphyaddr(void)
{
	struct vireo_cpuid *cpuid = get_supported_cpuid();
	const struct vireo_cpuid_entry *e;
	unsigned int bits;

	e = cpuid_find_entry(cpuid, 0x80000008, 0);
	bits = e ? e->eax & 0xff : 36;
	free(cpuid);
	return bits;
}

#define GUEST_FS	0x00007f0000001000ULL	/* set by the host */
#define GUEST_FS2	0x00007f0000002000ULL	/* by the guest */
#define GUEST_GS2	0xffff888000000000ULL

static void add_common_cases(unsigned int maxphy)
{
	uint64_t phys = (1ULL << maxphy) - 1;
	uint64_t mask = (phys & ~((1ULL << 31) - 1)) | 0x800;
	int i;

	/* Power-on values first: this vCPU is fresh. */
	reads(MSR_MTRR_DEF_TYPE, 0x806);	/* enabled, write-back */
	for (i = 0; i < 8; i++) {
		reads(MSR_MTRR_PHYS_BASE(i), 0);
		reads(MSR_MTRR_PHYS_MASK(i), 0);
	}
	reads(MSR_MTRR_FIX64K, 0);
	reads(MSR_PAT, PAT_POWER_ON);
	reads(MSR_DEBUGCTL, 0);
	reads(MSR_FS_BASE, GUEST_FS);		/* SET_SREGS put it there */

	/* Fixed and read-only. */
	reads(MSR_MTRRCAP, 0x108);		/* VCNT 8, FIX, no WC */
	refused(MSR_MTRRCAP, 0x108, 0x108);
	reads(MSR_MCG_CAP, 0);
	refused(MSR_MCG_CAP, 0, 0);
	round_trip(MSR_MCG_STATUS, 0);
	refused(MSR_MCG_STATUS, 1, 0);
	readable(MSR_UCODE_REV);			/* the host's */
	writable(MSR_UCODE_REV, 0, 0);			/* before CPUID */
	writable(MSR_UCODE_REV, 0x79, 0);		/* dropped, as by KVM */
	readable(MSR_APIC_BASE);

	/* MTRRs: valid types, reserved bits, MAXPHYADDR. */
	round_trip(MSR_MTRR_DEF_TYPE, 0xc06);
	refused(MSR_MTRR_DEF_TYPE, 0x801, 0xc06);	/* WC: MTRRcap.WC = 0 */
	refused(MSR_MTRR_DEF_TYPE, 0x802, 0xc06);	/* reserved type */
	refused(MSR_MTRR_DEF_TYPE, 0x906, 0xc06);	/* bit 8 */
	refused(MSR_MTRR_DEF_TYPE, 0x1806, 0xc06);	/* bit 12 */
	round_trip(MSR_MTRR_DEF_TYPE, 0x806);
	round_trip(MSR_MTRR_PHYS_BASE(0), 0x80000006);
	refused(MSR_MTRR_PHYS_BASE(0), 0x80000007, 0x80000006);
	refused(MSR_MTRR_PHYS_BASE(0), 0x80000106, 0x80000006);
	refused(MSR_MTRR_PHYS_BASE(0), (1ULL << maxphy) | 6, 0x80000006);
	round_trip(MSR_MTRR_PHYS_MASK(0), mask);
	refused(MSR_MTRR_PHYS_MASK(0), mask | 1, mask);
	refused(MSR_MTRR_PHYS_MASK(0), mask | 1ULL << maxphy, mask);
	round_trip(MSR_MTRR_PHYS_BASE(7), 0xc0000000 | 5);
	round_trip(MSR_MTRR_PHYS_MASK(7), mask);
	absent(MSR_MTRR_PHYS_BASE(8));
	round_trip(MSR_MTRR_FIX64K, 0x0606060606060606ULL);
	refused(MSR_MTRR_FIX64K, 0x0606060606010606ULL, 0x0606060606060606ULL);
	round_trip(MSR_MTRR_FIX16K_80000, 0x0604050006040500ULL);
	round_trip(MSR_MTRR_FIX16K_A0000, 0x0000000000000000ULL);
	for (i = MSR_MTRR_FIX4K_C0000; i <= MSR_MTRR_FIX4K_F8000; i++)
		round_trip(i, 6ULL << (8 * (i - MSR_MTRR_FIX4K_C0000)));
	absent(MSR_MTRR_FIX64K + 1);
	absent(MSR_MTRR_FIX16K_A0000 + 1);
	absent(MSR_MTRR_FIX4K_F8000 + 1);

	/* PAT (SDM Vol. 3A 11.12.2): types 2 and 3, bits 7:3 reserved. */
	round_trip(MSR_PAT, PAT_LINUX);
	refused(MSR_PAT, 0x0007010600070102ULL, PAT_LINUX);
	refused(MSR_PAT, 0x0007010608070106ULL, PAT_LINUX);
	round_trip(MSR_PAT, PAT_POWER_ON);

	round_trip(MSR_DEBUGCTL, 3);		/* LBR, BTF: stored */
	refused(MSR_DEBUGCTL, 4, 3);
	round_trip(MSR_DEBUGCTL, 0);

	/* The backend's MSRs. */
	round_trip(MSR_SYSENTER_CS, 0x10);
	refused(MSR_SYSENTER_CS, 1ULL << 32, 0x10);
	round_trip(MSR_SYSENTER_ESP, 0xfffffe0000001000ULL);
	refused(MSR_SYSENTER_ESP, NON_CANONICAL, 0xfffffe0000001000ULL);
	round_trip(MSR_SYSENTER_EIP, 0xffffffff81001230ULL);
	refused(MSR_SYSENTER_EIP, NON_CANONICAL, 0xffffffff81001230ULL);
	round_trip(MSR_STAR, 0x0023001012345678ULL);
	round_trip(MSR_LSTAR, 0xffffffff81000040ULL);
	refused(MSR_LSTAR, NON_CANONICAL, 0xffffffff81000040ULL);
	round_trip(MSR_CSTAR, 0xffffffff81000080ULL);
	refused(MSR_CSTAR, 0x8000000000000000ULL, 0xffffffff81000080ULL);
	round_trip(MSR_SFMASK, 0x47700);
	refused(MSR_SFMASK, 1ULL << 32, 0x47700);
	round_trip(MSR_FS_BASE, GUEST_FS2);
	refused(MSR_FS_BASE, NON_CANONICAL, GUEST_FS2);
	round_trip(MSR_GS_BASE, GUEST_GS2);
	refused(MSR_GS_BASE, 0xffff7fffffffffffULL, GUEST_GS2);
	round_trip(MSR_KERNEL_GS_BASE, 0x00007fffdead0000ULL);
	refused(MSR_KERNEL_GS_BASE, NON_CANONICAL, 0x00007fffdead0000ULL);
	reads(MSR_EFER, X86_EFER_LME | X86_EFER_LMA);
	round_trip(MSR_EFER, X86_EFER_LME | X86_EFER_LMA | EFER_SCE);
	refused(MSR_EFER, X86_EFER_LME | X86_EFER_LMA | EFER_SCE | 2,
		X86_EFER_LME | X86_EFER_LMA | EFER_SCE);
	refused(MSR_EFER, X86_EFER_LME | X86_EFER_LMA | EFER_SCE | EFER_SVME,
		X86_EFER_LME | X86_EFER_LMA | EFER_SCE);
	refused(MSR_EFER, X86_EFER_LME | X86_EFER_LMA | EFER_SCE | EFER_FFXSR,
		X86_EFER_LME | X86_EFER_LMA | EFER_SCE);
	/* LME may not change while paging is on (SDM Vol. 3A 10.8.5). */
	refused(MSR_EFER, X86_EFER_LMA | EFER_SCE,
		X86_EFER_LME | X86_EFER_LMA | EFER_SCE);

	/* Outside the policy, their CPUID bits cleared or never offered. */
	absent(MSR_TSC_ADJUST);
	absent(MSR_SPEC_CTRL);
	absent(MSR_PRED_CMD);
	absent(MSR_ARCH_CAPABILITIES);
	absent(MSR_PERF_CAPABILITIES);
	absent(MSR_TSC_AUX);
	absent(MSR_AMD_VM_CR);
	absent(MSR_AMD_LS_CFG);
	absent(0x12345678);
	/*
	 * KVM's clock MSR, behind the KVM leaves of the supported CPUID
	 * (kvmclock_test has it enabled, and absent without the leaves):
	 * bit 0 clear, so the value is only kept.
	 */
	round_trip(MSR_KVM_SYSTEM_TIME, 0x12340);
}

static void add_intel_cases(void)
{
	reads(MSR_PLATFORM_ID, 0);
	refused(MSR_PLATFORM_ID, 0, 0);
	reads(MSR_FEATURE_CONTROL, 1);		/* locked, VMX off */
	refused(MSR_FEATURE_CONTROL, 1, 1);
	reads(MSR_MISC_ENABLE, 0x1801);		/* fast strings, no BTS/PEBS */
	round_trip(MSR_MISC_ENABLE, 0x1801);
	refused(MSR_MISC_ENABLE, 0x1800, 0x1801);
	absent(MSR_AMD_HWCR);
	absent(MSR_AMD_SYSCFG);
	absent(MSR_AMD_NB_CFG);
	absent(MSR_AMD_DE_CFG);
}

static void add_amd_cases(void)
{
	reads(MSR_AMD_HWCR, 1ULL << 24);	/* TscFreqSel */
	round_trip(MSR_AMD_HWCR, 1ULL << 24);
	refused(MSR_AMD_HWCR, 0, 1ULL << 24);
	round_trip(MSR_AMD_SYSCFG, 0);
	refused(MSR_AMD_SYSCFG, 1ULL << 23, 0);
	reads(MSR_AMD_NB_CFG, 0);
	round_trip(MSR_AMD_NB_CFG, 1ULL << 46);	/* EnableCf8ExtCfg */
	refused(MSR_AMD_NB_CFG, 1, 1ULL << 46);
	reads(MSR_AMD_DE_CFG, 2);		/* LFENCE serializing */
	absent(MSR_PLATFORM_ID);
	absent(MSR_FEATURE_CONTROL);
	absent(MSR_MISC_ENABLE);
}

static void check_results(struct __test_metadata *_metadata)
{
	uint64_t i;
	int bad = 0;

	for (i = 0; i < nr_cases; i++) {
		const struct msr_case *c = &cases[i];
		const struct msr_result *r = &results[i];
		bool ok = r->read_vector == c->read_vector &&
			  (!c->write || r->write_vector == c->write_vector) &&
			  (!c->check_read || r->read == c->expect);

		if (ok)
			continue;
		bad++;
		TH_LOG("case %lu: MSR %#x: write %#lx: vector %u (want %u); read %#lx (want %#lx), vector %u (want %u)",
		       (unsigned long)i, c->msr, (unsigned long)c->value,
		       r->write_vector, c->write ? c->write_vector : 0,
		       (unsigned long)r->read, (unsigned long)c->expect,
		       r->read_vector, c->read_vector);
	}
	ASSERT_EQ(0, bad);
}

FIXTURE(msr) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(msr)
{
}

FIXTURE_TEARDOWN(msr)
{
	vm_free(self->vm);
}

static struct vireo_vcpu *add_vcpu(struct vireo_vm *vm, uint32_t id,
				   void *guest_code)
{
	struct vireo_vcpu *vcpu = vm_add_longmode_vcpu(vm, id, guest_code);

	vcpu_set_supported_cpuid(vcpu);
	vcpu_init_exceptions(vcpu);
	return vcpu;
}

TEST_F_TIMEOUT(msr, policy, TIMEOUT)
{
	struct vireo_sregs sregs;
	struct ucall uc;

	nr_cases = 0;
	add_common_cases(guest_maxphyaddr());
	if (host_is_amd())
		add_amd_cases();
	else
		add_intel_cases();

	self->vm = vm_create_longmode_novcpu();
	self->vcpu = add_vcpu(self->vm, 0, guest_msr_cases);
	vcpu_get_sregs(self->vcpu, &sregs);
	sregs.fs.base = GUEST_FS;
	vcpu_set_sregs(self->vcpu, &sregs);
	sync_global_to_guest(self->vm, cases);
	sync_global_to_guest(self->vm, nr_cases);

	if (vcpu_run_ucall(self->vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	ASSERT_EQ(UCALL_DONE, uc.cmd);
	sync_global_from_guest(self->vm, results);
	check_results(_metadata);

	/* What the guest wrote is the state userspace sees. */
	vcpu_get_sregs(self->vcpu, &sregs);
	ASSERT_EQ(GUEST_FS2, sregs.fs.base);
	ASSERT_EQ(GUEST_GS2, sregs.gs.base);
	ASSERT_EQ(X86_EFER_LME | X86_EFER_LMA | EFER_SCE, sregs.efer);
}

/* ---- refused MSRs are logged once per VM ------------------------------ */

#define LOGGED_MSR	MSR_AMD_LS_CFG

static void guest_unknown_msr(void)
{
	uint64_t v;
	int i;

	for (i = 0; i < 3; i++) {
		GUEST_ASSERT_EQ(rdmsr_safe(LOGGED_MSR, &v), GP_VECTOR);
		GUEST_ASSERT_EQ(wrmsr_safe(LOGGED_MSR, i), GP_VECTOR);
	}
	GUEST_DONE();
}

/*
 * The kernel log records from @fd's position on that contain @rd and
 * @wr: counts in @n[0] and @n[1].
 */
static void count_kmsg(int fd, const char *rd, const char *wr, int n[2])
{
	char rec[2048];
	ssize_t len;

	n[0] = n[1] = 0;
	for (;;) {
		errno = 0;
		len = read(fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;	/* records overwritten: read on */
		if (len <= 0)
			break;		/* EAGAIN: nothing newer */
		rec[len] = 0;
		n[0] += !!strstr(rec, rd);
		n[1] += !!strstr(rec, wr);
	}
}

TEST_F_TIMEOUT(msr, unknown_logged_once_per_vm, TIMEOUT)
{
	char rd[128], wr[128];
	struct ucall uc;
	int vm, fd, n[2];

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		SKIP(return, "cannot read /dev/kmsg");
	snprintf(rd, sizeof(rd), "vireo: vm %d: guest rdmsr %#x unknown, #GP",
		 getpid(), LOGGED_MSR);
	snprintf(wr, sizeof(wr), "vireo: vm %d: guest wrmsr %#x unknown, #GP",
		 getpid(), LOGGED_MSR);
	/* Three reads and three writes each time: one line each per VM. */
	for (vm = 0; vm < 2; vm++) {
		lseek(fd, 0, SEEK_END);
		self->vm = vm_create_longmode_novcpu();
		self->vcpu = add_vcpu(self->vm, 0, guest_unknown_msr);
		if (vcpu_run_ucall(self->vcpu, &uc) == UCALL_ABORT)
			REPORT_GUEST_ASSERT(uc);
		ASSERT_EQ(UCALL_DONE, uc.cmd);
		count_kmsg(fd, rd, wr, n);
		ASSERT_EQ(1, n[0]);
		ASSERT_EQ(1, n[1]);
		vm_free(self->vm);
		self->vm = NULL;
	}
	close(fd);
}

/* ---- the SYSCALL MSRs stay the guest's -------------------------------- */

#define SYSCALL_ROUNDS	8
#define NR_CONTEXTS	3

uint64_t syscall_count[NR_CONTEXTS];
uint64_t syscall_rflags[NR_CONTEXTS];

/*
 * SYSCALL targets, one per context: count the call, keep RFLAGS as SFMASK
 * left it, and go back to RCX with R11's RFLAGS.  STAR gives CS 0x08, so
 * the guest stays at CPL 0 and needs no SYSRET.
 */
#define SYSCALL_ENTRY(n)						\
	".globl syscall_entry" #n "\n"					\
	"syscall_entry" #n ":\n\t"					\
	"incq syscall_count+" #n "*8(%rip)\n\t"				\
	"pushfq\n\t"							\
	"popq syscall_rflags+" #n "*8(%rip)\n\t"			\
	"pushq %r11\n\t"						\
	"popfq\n\t"							\
	"jmp *%rcx\n\t"

asm(".pushsection .text\n"
	SYSCALL_ENTRY(0) SYSCALL_ENTRY(1) SYSCALL_ENTRY(2)
	".popsection");

extern char syscall_entry0[], syscall_entry1[], syscall_entry2[];

static uint64_t ctx_star(uint64_t id)
{
	return 0x0010ULL << 48 | (uint64_t)GDT_SEL_CODE << 32 | id;
}

static uint64_t ctx_sfmask(uint64_t id)
{
	return X86_EFLAGS_DF | 0x1000ULL << id;
}

static uint64_t ctx_cstar(uint64_t id)
{
	return 0xffffffff81000000ULL + id * 0x100;
}

static void guest_check_syscall_msrs(uint64_t id, uint64_t entry)
{
	uint64_t v;

	GUEST_ASSERT_EQ(rdmsr_safe(MSR_STAR, &v), 0);
	GUEST_ASSERT_EQ(v, ctx_star(id));
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_LSTAR, &v), 0);
	GUEST_ASSERT_EQ(v, entry);
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_CSTAR, &v), 0);
	GUEST_ASSERT_EQ(v, ctx_cstar(id));
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_SFMASK, &v), 0);
	GUEST_ASSERT_EQ(v, ctx_sfmask(id));
}

static void guest_syscall(uint64_t id, uint64_t entry)
{
	uint64_t efer, i;

	GUEST_ASSERT_EQ(rdmsr_safe(MSR_EFER, &efer), 0);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_EFER, efer | EFER_SCE), 0);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_STAR, ctx_star(id)), 0);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_LSTAR, entry), 0);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_CSTAR, ctx_cstar(id)), 0);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_SFMASK, ctx_sfmask(id)), 0);
	for (i = 0; i < SYSCALL_ROUNDS; i++) {
		/* The CPU's own MSRs: SYSCALL reads them without an exit. */
		asm volatile("std\n\tsyscall\n\tcld"
			     ::: "rax", "rcx", "r11", "memory", "cc");
		GUEST_ASSERT_EQ(syscall_count[id], i + 1);
		GUEST_ASSERT_EQ(syscall_rflags[id] & X86_EFLAGS_DF, 0);
		guest_check_syscall_msrs(id, entry);
		GUEST_SYNC(i);
	}
	GUEST_DONE();
}

/* System calls of all sorts, each entering the kernel through LSTAR. */
static void host_syscalls(void)
{
	char c = 'x';
	int pipefd[2];

	TEST_ASSERT(!pipe(pipefd), "pipe");
	TEST_ASSERT(write(pipefd[1], &c, 1) == 1, "write");
	TEST_ASSERT(read(pipefd[0], &c, 1) == 1, "read");
	close(pipefd[0]);
	close(pipefd[1]);
	TEST_ASSERT(syscall(SYS_getpid) == getpid(), "getpid");
	sched_yield();
	usleep(1000);
}

TEST_F_TIMEOUT(msr, syscall_msrs_stay_in_guest, TIMEOUT)
{
	uint64_t entries[NR_CONTEXTS] = {
		(uintptr_t)syscall_entry0, (uintptr_t)syscall_entry1,
		(uintptr_t)syscall_entry2,
	};
	struct vireo_vcpu *ctx[NR_CONTEXTS];
	struct vireo_vm *other;
	struct ucall uc;
	uint64_t i, id;

	/* Two vCPUs of one VM, and a vCPU of another VM. */
	self->vm = vm_create_longmode_novcpu();
	other = vm_create_longmode_novcpu();
	ctx[0] = add_vcpu(self->vm, 0, guest_syscall);
	ctx[1] = add_vcpu(self->vm, 1, guest_syscall);
	ctx[2] = add_vcpu(other, 0, guest_syscall);
	for (id = 0; id < NR_CONTEXTS; id++)
		vcpu_args_set(ctx[id], 2, id, entries[id]);

	for (i = 0; i < SYSCALL_ROUNDS; i++) {
		for (id = 0; id < NR_CONTEXTS; id++) {
			if (vcpu_run_ucall(ctx[id], &uc) == UCALL_ABORT)
				REPORT_GUEST_ASSERT(uc);
			ASSERT_EQ(UCALL_SYNC, uc.cmd);
			ASSERT_EQ(i, uc.args[0]);
			host_syscalls();
		}
	}
	for (id = 0; id < NR_CONTEXTS; id++)
		ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(ctx[id], &uc));
	vm_free(other);
}

/* ---- IA32_TSC ------------------------------------------------------------ */

#define TSC_ROUNDS	4

static void guest_tsc(void)
{
	uint64_t t1, t2, msr, last = 0;
	int i;

	for (i = 0; i < TSC_ROUNDS; i++) {
		t1 = __builtin_ia32_rdtsc();
		GUEST_ASSERT_EQ(rdmsr_safe(MSR_IA32_TSC, &msr), 0);
		t2 = __builtin_ia32_rdtsc();
		/* RDTSC and the MSR count the same TSC. */
		GUEST_ASSERT_EQ(t1 <= msr && msr <= t2, 1);
		GUEST_ASSERT_EQ(msr > last, 1);
		last = msr;
		GUEST_SYNC(msr);
	}
	/* Writes are accepted and ignored: the TSC does not go back to 0. */
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_TSC, 0), 0);
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_IA32_TSC, &msr), 0);
	GUEST_ASSERT_EQ(msr > last, 1);
	GUEST_SYNC(msr);
	GUEST_DONE();
}

/* Two vCPUs read the TSC in turn: one sequence, always increasing. */
TEST_F_TIMEOUT(msr, tsc_shared_and_monotonic, TIMEOUT)
{
	struct vireo_vcpu *vcpus[2];
	uint64_t last = 0;
	struct ucall uc;
	int i, v;

	self->vm = vm_create_longmode_novcpu();
	for (v = 0; v < 2; v++)
		vcpus[v] = add_vcpu(self->vm, v, guest_tsc);
	for (i = 0; i <= TSC_ROUNDS; i++) {
		for (v = 0; v < 2; v++) {
			if (vcpu_run_ucall(vcpus[v], &uc) == UCALL_ABORT)
				REPORT_GUEST_ASSERT(uc);
			ASSERT_EQ(UCALL_SYNC, uc.cmd);
			ASSERT_LT(last, uc.args[0]);
			last = uc.args[0];
		}
	}
	for (v = 0; v < 2; v++)
		ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(vcpus[v], &uc));
}

TEST_HARNESS_MAIN
