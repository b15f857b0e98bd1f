// SPDX-License-Identifier: GPL-2.0
/*
 * exitbench: how many VM exits per second a hypervisor turns around.
 *
 *   exitbench --hv vireo|kvm --bench cpuid|pio [--seconds S] [--batch N]
 *
 * Each run builds a fresh VM with one vCPU and 1 MiB of RAM, copies a few
 * bytes of real-mode code to GPA 0x1000 and starts it there (CS 0:0x1000).
 * The same bytes and the same host loop run under both hypervisors; only
 * the ioctls differ (vireo_backend.c, kvm_backend.c).
 *
 *   cpuid  an exit the kernel answers itself: the guest executes CPUID
 *          (leaf 0) in a loop and reports every batch of N with one OUT.
 *   pio    an exit that goes to userspace: the guest executes OUT in a
 *          loop and each one returns from RUN to this program.
 *
 * It prints one line, e.g.
 *   result hv=vireo bench=cpuid ops=1234567 seconds=2.001 ops_per_sec=617000
 * This is a measurement, not a test: it fails only when the guest does
 * something other than what it was written to do.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "exitbench.h"

#define GUEST_MEM_SIZE		(1u << 20)
#define GUEST_ENTRY		0x1000
#define GUEST_BATCH_ADDR	0x2000	/* u32 the cpuid guest reloads */
#define PORT_CPUID_BATCH	0x10	/* cpuid guest: one batch done */
#define PORT_PIO		0x11	/* pio guest: the exit measured */

/* The cpuid batch grows until one batch takes this share of the run. */
#define BATCH_SHARE		50
#define BATCH_MIN		64u
#define BATCH_MAX		(1u << 24)
#define PIO_WARMUP		1000
#define PIO_CLOCK_EVERY		64	/* exits between two clock reads */

/*
 * Real mode, 16-bit code; the 0x66 prefixes make the loop counter 32-bit.
 * ESI counts, not ECX, because CPUID overwrites ECX.  The batch size is
 * read from memory at every batch so the host can change it between two
 * RUNs (calibration) without touching the vCPU's registers.
 */
static const uint8_t cpuid_code[] = {
	0x66, 0x8b, 0x36, 0x00, 0x20,	/* 1000: mov esi, [0x2000]	*/
	0x66, 0x31, 0xc0,		/* 1005: xor eax, eax (leaf 0)	*/
	0x0f, 0xa2,			/* 1008: cpuid			*/
	0x66, 0x4e,			/* 100a: dec esi		*/
	0x75, 0xf7,			/* 100c: jnz 1005		*/
	0xe6, PORT_CPUID_BATCH,		/* 100e: out PORT_CPUID_BATCH, al */
	0xeb, 0xee,			/* 1010: jmp 1000		*/
};

static const uint8_t pio_code[] = {
	0xe6, PORT_PIO,			/* 1000: out PORT_PIO, al	*/
	0xeb, 0xfc,			/* 1002: jmp 1000		*/
};

/* Enough for KVM to accept the table: an AMD vendor and a family. */
static const struct hv_cpuid_leaf cpuid_table[] = {
	/* max basic leaf 1, "AuthenticAMD" in EBX, EDX, ECX */
	{ .function = 0, .eax = 1, .ebx = 0x68747541, .edx = 0x69746e65,
	  .ecx = 0x444d4163 },
	/* family 0x17 (EPYC), FPU, TSC, CX8 */
	{ .function = 1, .eax = 0x00800f12, .edx = (1u << 0) | (1u << 4) |
						   (1u << 8) },
};

struct options {
	const struct hv_backend *hv;
	const char *bench;
	double seconds;
	uint32_t batch;		/* cpuid: 0 = calibrate */
};

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("exitbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	fputs("exitbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s\n", strerror(err));
	va_end(ap);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Any exit but an OUT to @port: the guest or the hypervisor went astray. */
static void expect_out(const struct hv_exit *e, uint16_t port)
{
	if (e->kind == HV_EXIT_IO_OUT && e->port == port)
		return;
	switch (e->kind) {
	case HV_EXIT_IO_OUT:
	case HV_EXIT_IO_IN:
		die("unexpected %s port %#x (size %u), expected OUT to %#x",
		    e->kind == HV_EXIT_IO_OUT ? "OUT to" : "IN from",
		    e->port, e->size, port);
	case HV_EXIT_HLT:
		die("unexpected HLT, expected OUT to %#x", port);
	case HV_EXIT_OTHER:
		die("unexpected exit: %s; expected OUT to %#x", e->what, port);
	}
	die("unknown exit kind %d", e->kind);
}

static void set_batch(void *mem, uint32_t batch)
{
	memcpy((uint8_t *)mem + GUEST_BATCH_ADDR, &batch, sizeof(batch));
}

/* One RUN: the guest executes @batch CPUIDs and stops at its OUT. */
static double run_batch(const struct options *o, struct hv_vm *vm, void *mem,
			uint32_t batch)
{
	struct hv_exit e;
	double t0 = now();

	set_batch(mem, batch);
	o->hv->run(vm, &e);
	expect_out(&e, PORT_CPUID_BATCH);
	return now() - t0;
}

/*
 * Double the batch until one takes 1/BATCH_SHARE of the run: big enough
 * that the one userspace exit per batch is noise, small enough that the
 * run ends close to --seconds.  It also warms up the nested page tables.
 */
static uint32_t calibrate(const struct options *o, struct hv_vm *vm, void *mem)
{
	double target = o->seconds / BATCH_SHARE;
	uint32_t batch = BATCH_MIN;

	while (run_batch(o, vm, mem, batch) < target && batch < BATCH_MAX)
		batch *= 2;
	return batch;
}

static void report(const struct options *o, uint64_t ops, double secs,
		   int64_t exits, uint32_t batch)
{
	printf("result hv=%s bench=%s ops=%llu seconds=%.3f ops_per_sec=%.0f",
	       o->hv->name, o->bench, (unsigned long long)ops, secs,
	       ops / secs);
	if (batch)
		printf(" batch=%u", batch);
	if (exits >= 0)
		printf(" kernel_exits=%lld", (long long)exits);
	putchar('\n');
}

static void bench_cpuid(const struct options *o, struct hv_vm *vm, void *mem)
{
	uint32_t batch = o->batch ? o->batch : calibrate(o, vm, mem);
	int64_t exits0 = o->hv->exit_count(vm);
	uint64_t batches = 0;
	double t0, elapsed;

	t0 = now();
	do {
		run_batch(o, vm, mem, batch);
		batches++;
		elapsed = now() - t0;
	} while (elapsed < o->seconds);
	report(o, batches * batch, elapsed,
	       exits0 < 0 ? -1 : o->hv->exit_count(vm) - exits0, batch);
}

static void bench_pio(const struct options *o, struct hv_vm *vm, void *mem)
{
	struct hv_exit e;
	uint64_t n = 0;
	int64_t exits0;
	double t0, elapsed = 0;
	int i;

	for (i = 0; i < PIO_WARMUP; i++) {
		o->hv->run(vm, &e);
		expect_out(&e, PORT_PIO);
	}
	exits0 = o->hv->exit_count(vm);
	t0 = now();
	while (elapsed < o->seconds) {
		o->hv->run(vm, &e);
		expect_out(&e, PORT_PIO);
		if (++n % PIO_CLOCK_EVERY == 0)
			elapsed = now() - t0;
	}
	report(o, n, elapsed,
	       exits0 < 0 ? -1 : o->hv->exit_count(vm) - exits0, 0);
}

static void usage(FILE *f)
{
	fputs("usage: exitbench --hv vireo|kvm --bench cpuid|pio "
	      "[--seconds S] [--batch N]\n"
	      "  --seconds S  measure for S seconds (default 2)\n"
	      "  --batch N    cpuid: CPUIDs per batch (default: calibrated)\n",
	      f);
}

static const struct hv_backend *find_backend(const char *name)
{
	if (!strcmp(name, "vireo"))
		return &vireo_backend;
	if (!strcmp(name, "kvm"))
		return &kvm_backend;
	die("unknown hypervisor '%s' (vireo or kvm)", name);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "hv", required_argument, NULL, 'H' },
		{ "bench", required_argument, NULL, 'b' },
		{ "seconds", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	char *end;
	int c;

	*o = (struct options){ .seconds = 2 };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			o->hv = find_backend(optarg);
			break;
		case 'b':
			o->bench = optarg;
			break;
		case 's':
			o->seconds = strtod(optarg, &end);
			if (*end || !(o->seconds > 0))
				die("--seconds wants a positive number");
			break;
		case 'n':
			o->batch = strtoul(optarg, &end, 0);
			if (*end || !o->batch)
				die("--batch wants a positive integer");
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || !o->hv || !o->bench) {
		usage(stderr);
		exit(2);
	}
	if (strcmp(o->bench, "cpuid") && strcmp(o->bench, "pio"))
		die("unknown benchmark '%s' (cpuid or pio)", o->bench);
}

int main(int argc, char **argv)
{
	struct hv_guest g = {
		.mem_size = GUEST_MEM_SIZE,
		.entry_rip = GUEST_ENTRY,
		.cpuid = cpuid_table,
		.ncpuid = sizeof(cpuid_table) / sizeof(cpuid_table[0]),
	};
	struct options o;
	struct hv_vm *vm;
	bool is_cpuid;

	parse_args(argc, argv, &o);
	is_cpuid = !strcmp(o.bench, "cpuid");
	g.mem = mmap(NULL, g.mem_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.mem == MAP_FAILED)
		die_errno("mmap of guest memory");
	if (is_cpuid)
		memcpy((uint8_t *)g.mem + GUEST_ENTRY, cpuid_code,
		       sizeof(cpuid_code));
	else
		memcpy((uint8_t *)g.mem + GUEST_ENTRY, pio_code,
		       sizeof(pio_code));

	vm = o.hv->create(&g);
	if (is_cpuid)
		bench_cpuid(&o, vm, g.mem);
	else
		bench_pio(&o, vm, g.mem);
	o.hv->destroy(vm);
	munmap(g.mem, g.mem_size);
	return 0;
}
