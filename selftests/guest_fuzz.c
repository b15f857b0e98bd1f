// SPDX-License-Identifier: GPL-2.0
/*
 * Random guest code: whatever a guest executes must not oops, WARN, hang
 * or slow the host, and must not leave a vCPU in a state its own VM entry
 * refuses.  Not part of `make check` (the SVM sandbox's QEMU itself aborts
 * on some random code); run it on purpose:
 *
 *   scripts/sandbox --cpus 2 -- env VIREO_GUEST_FUZZ_SECONDS=600 \
 *       selftests/run guest_fuzz
 *
 * Each round makes a VM in real mode or 64-bit mode (with an IDT, so
 * exceptions come back as ucalls and the code goes on), fills its code page
 * with random bytes, often with instructions that exit spliced in (port
 * and MMIO accesses, MSRs, CPUID, CR and DR moves, segment loads, HLT,
 * INT, IRET, XSETBV...), sets random registers and runs it for a few
 * hundred exits or 50 ms.  Port reads and MMIO reads get random data.  The
 * round's seed is printed before it runs, so the last line of a run that
 * took the sandbox down names the code that did.  A VM entry the hardware
 * (or emulator) refuses fails the run: the state came through Vireo.
 *
 * VIREO_GUEST_FUZZ_SECONDS (default 60), VIREO_GUEST_FUZZ_SEED (default:
 * the time), VIREO_GUEST_FUZZ_ROUND (the first round, default 0: with the
 * seed, runs a round again).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "realmode.h"
#include "supported_cpuid.h"
#include "ucall.h"

#define MAX_EXITS	400
#define ROUND_USEC	50000
#define CODE_BYTES	4096

/* Instructions worth a splice: each makes the CPU or Vireo do something. */
static const struct { uint8_t len, bytes[8]; } snippets[] = {
	{ 2, { 0xe4, 0x60 } },			/* in $0x60, %al */
	{ 1, { 0xec } },			/* in %dx, %al */
	{ 1, { 0xef } },			/* out %eax, %dx */
	{ 2, { 0xf3, 0x6e } },			/* rep outsb */
	{ 2, { 0xf3, 0x6d } },			/* rep insl */
	{ 2, { 0x0f, 0xa2 } },			/* cpuid */
	{ 2, { 0x0f, 0x32 } },			/* rdmsr */
	{ 2, { 0x0f, 0x30 } },			/* wrmsr */
	{ 2, { 0x0f, 0x31 } },			/* rdtsc */
	{ 3, { 0x0f, 0x01, 0xf9 } },		/* rdtscp */
	{ 3, { 0x0f, 0x22, 0xe0 } },		/* mov %eax, %cr4 */
	{ 3, { 0x0f, 0x22, 0xc0 } },		/* mov %eax, %cr0 */
	{ 3, { 0x0f, 0x22, 0xc0 | (8 << 3 & 0x38) } }, /* mov to %cr0/cr8 */
	{ 4, { 0x44, 0x0f, 0x22, 0xc0 } },	/* mov %rax, %cr8 */
	{ 3, { 0x0f, 0x20, 0xe0 } },		/* mov %cr4, %eax */
	{ 3, { 0x0f, 0x23, 0xf8 } },		/* mov %eax, %dr7 */
	{ 3, { 0x0f, 0x21, 0xf0 } },		/* mov %dr6, %eax */
	{ 3, { 0x0f, 0x01, 0xd1 } },		/* xsetbv */
	{ 3, { 0x0f, 0x01, 0xd9 } },		/* vmmcall */
	{ 3, { 0x0f, 0x01, 0xc1 } },		/* vmcall */
	{ 2, { 0x8e, 0xd8 } },			/* mov %eax, %ds */
	{ 2, { 0x8e, 0xd0 } },			/* mov %eax, %ss */
	{ 1, { 0x1f } },			/* pop %ds */
	{ 1, { 0xcf } },			/* iret */
	{ 1, { 0xcb } },			/* lret */
	{ 2, { 0xcd, 0x80 } },			/* int $0x80 */
	{ 1, { 0xcc } },			/* int3 */
	{ 1, { 0xf4 } },			/* hlt */
	{ 1, { 0xfb } },			/* sti */
	{ 3, { 0x0f, 0x00, 0xd8 } },		/* ltr %ax */
	{ 3, { 0x0f, 0x01, 0x10 } },		/* lgdt (%rax) */
	{ 3, { 0x0f, 0x01, 0x18 } },		/* lidt (%rax) */
	{ 2, { 0x0f, 0x09 } },			/* wbinvd */
	{ 2, { 0x0f, 0x33 } },			/* rdpmc */
	{ 3, { 0x0f, 0x01, 0xc8 } },		/* monitor */
	{ 3, { 0x0f, 0x01, 0xc9 } },		/* mwait */
	{ 2, { 0x89, 0x03 } },			/* mov %eax, (%rbx): MMIO? */
	{ 2, { 0x8b, 0x03 } },			/* mov (%rbx), %eax */
	{ 2, { 0xf3, 0xab } },			/* rep stos */
	{ 2, { 0xf3, 0xa5 } },			/* rep movs */
	{ 2, { 0x0f, 0x0b } },			/* ud2 */
	{ 1, { 0xf1 } },			/* icebp */
	{ 3, { 0x0f, 0xae, 0xf0 } },		/* mfence */
	{ 2, { 0xd9, 0xee } },			/* fldz */
	{ 4, { 0xc5, 0xfc, 0x77, 0x90 } },	/* vzeroall; nop */
};

/* Addresses for the registers: holes, the LAPIC, ROM, RAM, garbage. */
static const uint64_t addrs[] = {
	0xfee00000, 0xfee00300, 0xfec00000, 0xe0000000, 0x100000,
	0x8000000, 0xffff0000, 0x1000, 0x0, ~0ULL, 0x7ffffffff000ULL,
	0xffff800000000000ULL,
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void fill_code(uint8_t *code, size_t len, uint64_t *s)
{
	size_t i = 0;

	while (i < len) {
		if (rnd(s) % 3) {
			code[i++] = rnd(s);
			continue;
		}
		{
			unsigned int k = rnd(s) % ARRAY_SIZE(snippets);
			unsigned int n = snippets[k].len;

			if (i + n > len)
				break;
			memcpy(code + i, snippets[k].bytes, n);
			i += n;
		}
	}
}

static void random_regs(struct vireo_vcpu *vcpu, uint64_t *s)
{
	struct vireo_regs r;
	__u64 *g = &r.rax;
	int i;

	vcpu_get_regs(vcpu, &r);
	for (i = 0; i < 16; i++) {
		if (g + i == &r.rsp)
			continue;
		g[i] = rnd(s) % 2 ? addrs[rnd(s) % ARRAY_SIZE(addrs)] +
				    (rnd(s) & 0xfff) : rnd(s);
	}
	vcpu_set_regs(vcpu, &r);
}

static void on_alarm(int sig)
{
}

struct stats {
	unsigned long rounds, exits, reasons[16], ucalls, entry_failed;
};

static void dump_vcpu(struct vireo_vcpu *vcpu)
{
	struct vireo_sregs sr;
	struct vireo_regs r;

	vcpu_get_regs(vcpu, &r);
	vcpu_get_sregs(vcpu, &sr);
	ksft_print_msg("rax %llx rbx %llx rcx %llx rdx %llx rsi %llx rdi %llx rsp %llx rbp %llx\n",
		       r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp);
	ksft_print_msg("rip %llx rflags %llx cr0 %llx cr4 %llx efer %llx cs %x/%llx ss %x tr %x/%x\n",
		       r.rip, r.rflags, sr.cr0, sr.cr4, sr.efer, sr.cs.selector,
		       sr.cs.base, sr.ss.selector, sr.tr.selector, sr.tr.type);
}

static uint64_t usec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/*
 * Run one round; false when a VM entry failed (the run fails).  A guest
 * that loops on exits the kernel handles (CPUID, say) never returns from
 * RUN by itself, rightly: a timer signal every tenth of the round's time
 * interrupts it, and the round ends when its time is up.
 */
static bool run_round(struct vireo_vcpu *vcpu, uint64_t *s, struct stats *st)
{
	struct itimerval t = {
		.it_value.tv_usec = ROUND_USEC / 10,
		.it_interval.tv_usec = ROUND_USEC / 10,
	};
	struct vireo_run *run = vcpu->run;
	uint64_t end = usec_now() + ROUND_USEC;
	int i, r;

	setitimer(ITIMER_REAL, &t, NULL);
	for (i = 0; i < MAX_EXITS; i++) {
		r = _vcpu_run(vcpu);
		st->exits++;
		if (r < 0 && usec_now() >= end)
			break;		/* EINTR: the round's time is up */
		if (r < 0)
			continue;
		st->reasons[run->exit_reason & 15]++;
		switch (run->exit_reason) {
		case VIREO_EXIT_IO:
			if (run->io.port == UCALL_PORT)
				st->ucalls++;
			if (run->io.direction == VIREO_IO_IN)
				memset(vcpu_io_data(vcpu) + 0, rnd(s),
				       run->io.size * (run->io.count ?: 1));
			continue;
		case VIREO_EXIT_MMIO:
			/* Not decoded: vireo-vm would stop the VM here. */
			if (!run->mmio.len)
				break;
			if (!run->mmio.is_write)
				memset(run->mmio.data, rnd(s),
				       sizeof(run->mmio.data));
			continue;
		case VIREO_EXIT_HYPERCALL:
			run->hypercall.ret = rnd(s);
			continue;
		case VIREO_EXIT_EOI:
		case VIREO_EXIT_INTR:
			continue;
		case VIREO_EXIT_INTERNAL_ERROR:
			if (run->internal.suberror ==
			    VIREO_INTERNAL_ERROR_ENTRY_FAILED) {
				st->entry_failed++;
				ksft_print_msg("VM entry failed: reason %#lx, detail %#lx\n",
					       (unsigned long)run->internal.data[0],
					       (unsigned long)run->internal.data[1]);
				dump_vcpu(vcpu);
				t = (struct itimerval) { 0 };
				setitimer(ITIMER_REAL, &t, NULL);
				return false;
			}
			break;
		default:
			break;		/* HLT, SHUTDOWN: the round ends */
		}
		break;
	}
	t = (struct itimerval) { 0 };
	setitimer(ITIMER_REAL, &t, NULL);
	return true;
}

static void guest_nothing(void)
{
	GUEST_DONE();
}

REALMODE_GUEST(rm_nothing, "hlt");

FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* The harness's timeout only backs up VIREO_GUEST_FUZZ_SECONDS: 8 hours. */
TEST_F_TIMEOUT(fuzz, random_code, 8 * 3600)
{
	const char *env = getenv("VIREO_GUEST_FUZZ_SECONDS");
	const char *seed_env = getenv("VIREO_GUEST_FUZZ_SEED");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : time(NULL);
	time_t end = time(NULL) + (env ? atoi(env) : 60);
	struct sigaction sa = { .sa_handler = on_alarm };
	const char *round_env = getenv("VIREO_GUEST_FUZZ_ROUND");
	struct stats st = { 0 };
	bool ok = true;

	if (round_env)
		st.rounds = strtoul(round_env, NULL, 0);
	sigaction(SIGALRM, &sa, NULL);
	ksft_print_msg("seed %#lx\n", (unsigned long)seed);
	while (ok && time(NULL) < end) {
		uint64_t s = seed + st.rounds * 0x9e3779b97f4a7c15ULL;
		struct vireo_vcpu *vcpu;
		struct vireo_vm *vm;
		uint8_t *code;

		s = s ? s : 1;
		/* Printed before it runs: a crash names its round. */
		fprintf(stderr, "# round %lu seed %#lx\n", st.rounds,
			(unsigned long)s);
		if (rnd(&s) % 2) {
			vm = vm_create_longmode(guest_nothing, &vcpu);
			vcpu_init_exceptions(vcpu);
			vcpu_set_supported_cpuid(vcpu);
			code = addr_gpa2hva(vm, vcpu_get_rip(vcpu) & ~0xfffULL);
			memset(code, 0x90, CODE_BYTES);
			fill_code(code + (vcpu_get_rip(vcpu) & 0xfff),
				  CODE_BYTES - (vcpu_get_rip(vcpu) & 0xfff),
				  &s);
		} else {
			vm = vm_create_realmode(&rm_nothing, &vcpu);
			vcpu_set_supported_cpuid(vcpu);
			code = addr_gpa2hva(vm, REALMODE_LOAD_ADDR);
			fill_code(code, CODE_BYTES, &s);
		}
		random_regs(vcpu, &s);
		ok = run_round(vcpu, &s, &st);
		vm_free(vm);
		st.rounds++;
	}
	ksft_print_msg("%lu rounds, %lu exits (%lu ucalls); IO %lu MMIO %lu HLT %lu shutdown %lu internal %lu intr %lu hypercall %lu\n",
		       st.rounds, st.exits, st.ucalls,
		       st.reasons[VIREO_EXIT_IO], st.reasons[VIREO_EXIT_MMIO],
		       st.reasons[VIREO_EXIT_HLT],
		       st.reasons[VIREO_EXIT_SHUTDOWN],
		       st.reasons[VIREO_EXIT_INTERNAL_ERROR],
		       st.reasons[VIREO_EXIT_INTR],
		       st.reasons[VIREO_EXIT_HYPERCALL]);
	ASSERT_TRUE(ok);
}

TEST_HARNESS_MAIN
