// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's extended state is its own (kernel/guest_fpu.c).  A guest
 * that enables XSAVE and AVX finds its XCR0 at 1 and every upper YMM half
 * zero, even though the host thread that runs it filled its own YMM
 * registers right before each VIREO_RUN (before the fix, those were what
 * the guest read).  YMM values it loads survive exits to userspace and
 * the host's AVX work in between; AVX2 computes across exits.  XSETBV is
 * held to what the CPU allows and the guest's CPUID offers, CR4.OSXSAVE
 * to a CPUID with XSAVE, and CPUID mirrors the state: OSXSAVE follows
 * CR4, leaf 0xD EBX the XCR0 in force.
 *
 * Guest code touches the vector registers only inside one asm block at a
 * time (the compiler may use XMM registers anywhere else), which is why
 * the exits in the middle are made by hand: RDI = &ucall, OUT to the ucall
 * port, as ucall.c does.
 */
#include <cpuid.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "supported_cpuid.h"
#include "ucall.h"

#define TIMEOUT			300
#define X86_CR4_OSXSAVE		(1ULL << 18)
#define CPUID1_ECX_XSAVE	(1U << 26)
#define CPUID1_ECX_OSXSAVE	(1U << 27)
#define CPUID1_ECX_AVX		(1U << 28)
#define CPUID7_EBX_AVX2		(1U << 5)
#define XCR0_X87		1ULL
#define XCR0_SSE		2ULL
#define XCR0_AVX		4ULL
#define XCR0_PKRU		(1ULL << 9)
#define XCR0_TILEDATA		(1ULL << 18)
#define XSAVE_SIZE_X87_SSE	576	/* legacy area and header */
#define XSAVE_SIZE_AVX		832	/* ... and the upper YMM halves */
#define NR_YMM			16
#define STR_(x)			#x
#define STR(x)			STR_(x)
#define EXITS_IN_BLOCK		4

FIXTURE(xsave) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(xsave)
{
}

FIXTURE_TEARDOWN(xsave)
{
	vm_free(self->vm);
}

/* ---- guest helpers -------------------------------------------------- */

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline uint8_t write_cr4_safe(uint64_t v)
{
	return asm_safe("mov %[v], %%cr4", [v] "r"(v));
}

static inline uint8_t xsetbv_safe(uint32_t index, uint64_t v)
{
	return asm_safe("xsetbv", "c"(index), "a"((uint32_t)v),
			"d"((uint32_t)(v >> 32)));
}

static inline uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return lo | (uint64_t)hi << 32;
}

static uint32_t guest_cpuid(uint32_t leaf, uint32_t sub, int reg)
{
	uint32_t r[4];

	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
	return r[reg];
}

#define EAX 0
#define EBX 1
#define ECX 2

/* Sync 0 with 1 in args: the CPU has no AVX, nothing to test. */
static bool guest_has_avx(void)
{
	uint32_t ecx = guest_cpuid(1, 0, ECX);

	return (ecx & CPUID1_ECX_XSAVE) && (ecx & CPUID1_ECX_AVX);
}

static void guest_enable_avx(void)
{
	GUEST_ASSERT_EQ(guest_cpuid(1, 0, ECX) & CPUID1_ECX_OSXSAVE, 0);
	GUEST_ASSERT_EQ(write_cr4_safe(read_cr4() | X86_CR4_OSXSAVE), 0);
	GUEST_ASSERT(guest_cpuid(1, 0, ECX) & CPUID1_ECX_OSXSAVE);
	/* XCR0 after RESET: x87 only (SDM Vol. 1 13.3). */
	GUEST_ASSERT_EQ(xgetbv(0), XCR0_X87);
	GUEST_ASSERT_EQ(guest_cpuid(0xd, 0, EBX), XSAVE_SIZE_X87_SSE);
	GUEST_ASSERT_EQ(xsetbv_safe(0, XCR0_X87 | XCR0_SSE | XCR0_AVX), 0);
	GUEST_ASSERT_EQ(xgetbv(0), XCR0_X87 | XCR0_SSE | XCR0_AVX);
	GUEST_ASSERT_EQ(guest_cpuid(0xd, 0, EBX), XSAVE_SIZE_AVX);
}

/* What the hand-made exits in the asm blocks report. */
static struct ucall block_sync = { .cmd = UCALL_SYNC, .args = { 100 } };
static uint8_t ymm_out[NR_YMM][32] __attribute__((aligned(32)));
static uint8_t ymm_in[NR_YMM][32] __attribute__((aligned(32)));

#define YMM_LIST(op) op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7)	\
		     op(8) op(9) op(10) op(11) op(12) op(13) op(14) op(15)
#define LOAD_YMM(n)  "vmovdqu " #n "*32(%[in]), %%ymm" #n "\n\t"
#define STORE_YMM(n) "vmovdqu %%ymm" #n ", " #n "*32(%[out])\n\t"
#define EXITS							\
	"mov $" STR(EXITS_IN_BLOCK) ", %%ecx\n"		\
	"2:\tmov %[uc], %%rdi\n\t"					\
	"mov $" STR(UCALL_PORT) ", %%dx\n\t"			\
	"outb %%al, %%dx\n\t"						\
	"dec %%ecx\n\t"							\
	"jnz 2b\n\t"
#define YMM_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",	\
	"xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",	\
	"xmm13", "xmm14", "xmm15"

/* Exit EXITS_IN_BLOCK times, then store YMM0-15 as they are. */
static void guest_exits_then_store(void)
{
	asm volatile(EXITS YMM_LIST(STORE_YMM)
		     : : [uc] "r"(&block_sync), [out] "r"(ymm_out)
		     : "rax", "rcx", "rdx", "rdi", "memory", YMM_CLOBBERS);
}

/* Load YMM0-15, exit EXITS_IN_BLOCK times, store them. */
static void guest_load_exits_store(void)
{
	asm volatile(YMM_LIST(LOAD_YMM) EXITS YMM_LIST(STORE_YMM)
		     : : [uc] "r"(&block_sync), [in] "r"(ymm_in),
		       [out] "r"(ymm_out)
		     : "rax", "rcx", "rdx", "rdi", "memory", YMM_CLOBBERS);
}

/* YMM0 += YMM1, dword lanes, once per exit (AVX2). */
static void guest_avx2_adds(void)
{
	asm volatile("vmovdqu (%[in]), %%ymm0\n\t"
		     "vmovdqu 32(%[in]), %%ymm1\n\t"
		     "mov $" STR(EXITS_IN_BLOCK) ", %%ecx\n"
		     "2:\tvpaddd %%ymm1, %%ymm0, %%ymm0\n\t"
		     "mov %[uc], %%rdi\n\t"
		     "mov $" STR(UCALL_PORT) ", %%dx\n\t"
		     "outb %%al, %%dx\n\t"
		     "dec %%ecx\n\t"
		     "jnz 2b\n\t"
		     "vmovdqu %%ymm0, (%[out])\n\t"
		     : : [uc] "r"(&block_sync), [in] "r"(ymm_in),
		       [out] "r"(ymm_out)
		     : "rax", "rcx", "rdx", "rdi", "memory", "xmm0", "xmm1");
}

static void guest_avx(void)
{
	if (!guest_has_avx()) {
		GUEST_SYNC(0);
		GUEST_DONE();
	}
	guest_enable_avx();
	GUEST_SYNC(1);
	/* Nothing loaded yet: the upper halves must be zero. */
	guest_exits_then_store();
	GUEST_SYNC(2);
	guest_load_exits_store();
	GUEST_SYNC(3);
	if (guest_cpuid(7, 0, EBX) & CPUID7_EBX_AVX2)
		guest_avx2_adds();
	GUEST_DONE();
}

/* ---- host side ------------------------------------------------------ */

static bool host_has_avx(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	return (c & CPUID1_ECX_XSAVE) && (c & CPUID1_ECX_OSXSAVE) &&
	       (c & CPUID1_ECX_AVX);
}

static uint8_t host_ymm[32] __attribute__((aligned(32)));

/*
 * VIREO_RUN with this thread's YMM registers all holding host_ymm: the
 * system call follows the loads directly, so the registers are still the
 * process's own when the module takes the FPU.
 */
static long run_with_host_ymm(struct vireo_vcpu *vcpu)
{
	long ret;

	asm volatile(".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
		     "vmovdqu (%[p]), %%ymm\\n\n\t"
		     ".endr\n\t"
		     "syscall"
		     : "=a"(ret)
		     : "0"((long)SYS_ioctl), "D"((long)vcpu->fd),
		       "S"((long)VIREO_RUN), "d"(0L), [p] "r"(host_ymm)
		     : "rcx", "r11", "memory", YMM_CLOBBERS);
	return ret;
}

/* Run to the next ucall with the host's YMM dirty; returns its command. */
static uint64_t run_dirty(struct __test_metadata *_metadata,
			  struct vireo_vcpu *vcpu, struct ucall *uc)
{
	long r;

	do {
		r = run_with_host_ymm(vcpu);
	} while (r == -EINTR);
	EXPECT_EQ(0, r);
	EXPECT_NE(UCALL_NONE, get_ucall(vcpu, uc));
	if (uc->cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT(*uc);
	return uc->cmd;
}

TEST_F_TIMEOUT(xsave, avx_state_is_the_guests, TIMEOUT)
{
	uint32_t lanes[8];
	struct ucall uc;
	int i, j;

	if (!host_has_avx())
		SKIP(return, "the CPU has no AVX");
	memset(host_ymm, 0xa5, sizeof(host_ymm));
	for (i = 0; i < NR_YMM; i++)
		for (j = 0; j < 32; j++)
			ymm_in[i][j] = i * 32 + j + 1;
	self->vm = vm_create_longmode(guest_avx, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	vcpu_set_supported_cpuid(self->vcpu);
	sync_global_to_guest(self->vm, ymm_in);

	ASSERT_EQ(UCALL_SYNC, run_dirty(_metadata, self->vcpu, &uc));
	if (uc.args[0] == 0)
		SKIP(return, "the supported CPUID offers no AVX");
	ASSERT_EQ(1, uc.args[0]);
	for (i = 0; i < EXITS_IN_BLOCK; i++) {
		ASSERT_EQ(UCALL_SYNC, run_dirty(_metadata, self->vcpu, &uc));
		ASSERT_EQ(100, uc.args[0]);
		sched_yield();
	}
	ASSERT_EQ(UCALL_SYNC, run_dirty(_metadata, self->vcpu, &uc));
	ASSERT_EQ(2, uc.args[0]);
	sync_global_from_guest(self->vm, ymm_out);
	/* The upper halves: the compiler's SSE code may own the lower ones. */
	for (i = 0; i < NR_YMM; i++) {
		for (j = 16; j < 32 && !ymm_out[i][j]; j++)
			;
		ASSERT_EQ(32, j) TH_LOG("YMM%d is not the guest's", i);
	}

	for (i = 0; i < EXITS_IN_BLOCK; i++) {
		ASSERT_EQ(UCALL_SYNC, run_dirty(_metadata, self->vcpu, &uc));
		sched_yield();
	}
	ASSERT_EQ(UCALL_SYNC, run_dirty(_metadata, self->vcpu, &uc));
	ASSERT_EQ(3, uc.args[0]);
	sync_global_from_guest(self->vm, ymm_out);
	ASSERT_EQ(0, memcmp(ymm_in, ymm_out, sizeof(ymm_in)));

	memset(ymm_out, 0, sizeof(ymm_out));
	sync_global_to_guest(self->vm, ymm_out);
	while (run_dirty(_metadata, self->vcpu, &uc) == UCALL_SYNC)
		ASSERT_EQ(100, uc.args[0]);
	ASSERT_EQ(UCALL_DONE, uc.cmd);
	sync_global_from_guest(self->vm, ymm_out);
	memcpy(lanes, ymm_out[0], sizeof(lanes));
	if (lanes[0] == 0) {
		TH_LOG("no AVX2 in the supported CPUID: no AVX2 sums");
		return;
	}
	for (i = 0; i < 8; i++) {
		uint32_t a, b;

		memcpy(&a, &ymm_in[0][i * 4], 4);
		memcpy(&b, &ymm_in[1][i * 4], 4);
		ASSERT_EQ(a + EXITS_IN_BLOCK * b, lanes[i]);
	}
}

/* ---- XSETBV and CR4.OSXSAVE checks ---------------------------------- */

static void guest_xsetbv_checks(void)
{
	if (!guest_has_avx()) {
		GUEST_SYNC(0);
		GUEST_DONE();
	}
	/* Before CR4.OSXSAVE: #UD. */
	GUEST_ASSERT_EQ(xsetbv_safe(0, XCR0_X87), UD_VECTOR);
	GUEST_ASSERT_EQ(write_cr4_safe(read_cr4() | X86_CR4_OSXSAVE), 0);
	/* Only XCR0 exists; x87 cannot be off; AVX needs SSE. */
	GUEST_ASSERT_EQ(xsetbv_safe(1, XCR0_X87), GP_VECTOR);
	GUEST_ASSERT_EQ(xsetbv_safe(0, 0), GP_VECTOR);
	GUEST_ASSERT_EQ(xsetbv_safe(0, XCR0_SSE), GP_VECTOR);
	GUEST_ASSERT_EQ(xsetbv_safe(0, XCR0_X87 | XCR0_AVX), GP_VECTOR);
	/* Nothing the module does not switch, whatever the host has. */
	GUEST_ASSERT_EQ(xsetbv_safe(0, XCR0_X87 | XCR0_PKRU), GP_VECTOR);
	GUEST_ASSERT_EQ(xsetbv_safe(0, XCR0_X87 | XCR0_TILEDATA), GP_VECTOR);
	GUEST_ASSERT_EQ(xgetbv(0), XCR0_X87);
	GUEST_ASSERT_EQ(xsetbv_safe(0, XCR0_X87 | XCR0_SSE), 0);
	GUEST_ASSERT_EQ(xgetbv(0), XCR0_X87 | XCR0_SSE);
	GUEST_SYNC(1);
	GUEST_ASSERT_EQ(xgetbv(0), XCR0_X87 | XCR0_SSE);
	GUEST_DONE();
}

TEST_F_TIMEOUT(xsave, xsetbv_checks, TIMEOUT)
{
	struct ucall uc;

	self->vm = vm_create_longmode(guest_xsetbv_checks, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	vcpu_set_supported_cpuid(self->vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	if (uc.args[0] == 0)
		SKIP(return, "the supported CPUID offers no AVX");
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

/*
 * A CPUID table set after the guest chose its XCR0 may offer less: the
 * guest's XCR0 keeps only what is still offered, and stays one the CPU
 * takes (a leaf 0xD offering AVX without SSE offers neither).  Before,
 * the next entry's XSETBV of the old value could fault in the host.
 */
static void guest_xcr0_shrinks(void)
{
	if (!guest_has_avx()) {
		GUEST_SYNC(0);
		GUEST_DONE();
	}
	GUEST_ASSERT_EQ(write_cr4_safe(read_cr4() | X86_CR4_OSXSAVE), 0);
	GUEST_ASSERT_EQ(xsetbv_safe(0, XCR0_X87 | XCR0_SSE | XCR0_AVX), 0);
	GUEST_SYNC(1);
	GUEST_ASSERT_EQ(xgetbv(0), XCR0_X87);
	GUEST_DONE();
}

TEST_F_TIMEOUT(xsave, xcr0_shrinks_with_cpuid, TIMEOUT)
{
	struct vireo_cpuid *c = get_supported_cpuid();
	struct vireo_cpuid_entry *e;
	struct ucall uc;
	uint32_t i;

	self->vm = vm_create_longmode(guest_xcr0_shrinks, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	vcpu_set_cpuid(self->vcpu, c->entries, c->nent);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	if (uc.args[0] == 0)
		SKIP(return, "the supported CPUID offers no AVX");
	for (i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function == 0xd && e->index == 0)
			e->eax = XCR0_X87 | XCR0_AVX;	/* no SSE */
	}
	vcpu_set_cpuid(self->vcpu, c->entries, c->nent);
	free(c);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

/*
 * A guest whose CPUID offers no XSAVE (here: no CPUID table at all) may
 * not set CR4.OSXSAVE, nor any other CR4 bit its CPUID does not offer.
 */
static void guest_cr4_needs_cpuid(void)
{
	uint64_t cr4 = read_cr4();

	/* MCE, kept on underneath for the host's sake, does not show. */
	GUEST_ASSERT_EQ(cr4 & (1ULL << 6), 0);
	GUEST_ASSERT_EQ(write_cr4_safe(cr4 | X86_CR4_OSXSAVE), GP_VECTOR);
	GUEST_ASSERT_EQ(write_cr4_safe(cr4 | (1ULL << 20)), GP_VECTOR); /* SMEP */
	GUEST_ASSERT_EQ(write_cr4_safe(cr4 | (1ULL << 22)), GP_VECTOR); /* PKE */
	GUEST_ASSERT_EQ(write_cr4_safe(cr4 | (1ULL << 13)), GP_VECTOR); /* VMXE */
	GUEST_ASSERT_EQ(read_cr4(), cr4);
	/* A bit every CPU has still works, and the write really happens. */
	GUEST_ASSERT_EQ(write_cr4_safe(cr4 | (1ULL << 2)), 0);	/* TSD */
	GUEST_ASSERT_EQ(read_cr4(), cr4 | (1ULL << 2));
	GUEST_ASSERT_EQ(write_cr4_safe(cr4), 0);
	GUEST_DONE();
}

TEST_F_TIMEOUT(xsave, cr4_needs_cpuid, TIMEOUT)
{
	struct ucall uc;

	self->vm = vm_create_longmode(guest_cr4_needs_cpuid, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

TEST_HARNESS_MAIN
