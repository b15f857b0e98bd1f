// SPDX-License-Identifier: GPL-2.0
/*
 * 64-bit guests in C: ucalls (GUEST_SYNC, GUEST_DONE, GUEST_ASSERT), string
 * I/O from paged memory (which the module must translate through the
 * guest's page tables), globals shared with the host, several vCPUs, and
 * MMIO from long mode.
 */
#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "ucall.h"

#define TIMEOUT		120
#define OUTS_PORT	0x20

FIXTURE(lm) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(lm)
{
}

FIXTURE_TEARDOWN(lm)
{
	vm_free(self->vm);
}

static void guest_sync_loop(void)
{
	uint64_t i;

	for (i = 0; i < 10; i++)
		GUEST_SYNC(i * i);
	GUEST_DONE();
}

TEST_F_TIMEOUT(lm, sync_and_done, TIMEOUT)
{
	struct ucall uc;
	uint64_t i;

	self->vm = vm_create_longmode(guest_sync_loop, &self->vcpu);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
		ASSERT_EQ(i * i, uc.args[0]);
	}
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

static void guest_assert_fails(void)
{
	int answer = 41;

	/* On one line on purpose: the host checks the reported line. */
	GUEST_SYNC(__LINE__); GUEST_ASSERT(answer == 42);
	GUEST_DONE();
}

TEST_F_TIMEOUT(lm, guest_assert_reported, TIMEOUT)
{
	struct ucall uc;
	uint64_t line;

	self->vm = vm_create_longmode(guest_assert_fails, &self->vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	line = uc.args[0];

	vcpu_run(self->vcpu);
	ASSERT_EQ(UCALL_ABORT, get_ucall(self->vcpu, &uc));
	ASSERT_STREQ(__FILE__, uc.file);
	ASSERT_EQ(line, uc.line);
	ASSERT_STREQ("answer == 42", uc.expr);
}

static void guest_assert_eq_fails(uint64_t value)
{
	GUEST_ASSERT_EQ(value, 7);
	GUEST_DONE();
}

/* GUEST_ASSERT_EQ() carries both operands; arguments reach the guest. */
TEST_F_TIMEOUT(lm, guest_assert_eq_values, TIMEOUT)
{
	struct ucall uc;

	self->vm = vm_create_longmode(guest_assert_eq_fails, &self->vcpu);
	vcpu_args_set(self->vcpu, 1, 5ULL);
	vcpu_run(self->vcpu);
	ASSERT_EQ(UCALL_ABORT, get_ucall(self->vcpu, &uc));
	ASSERT_EQ(5, uc.args[0]);
	ASSERT_EQ(7, uc.args[1]);
	ASSERT_STREQ("value == 7", uc.expr);
}

static void guest_returns(void)
{
}

/* A guest function that returns lands on a trap that reports it. */
TEST_F_TIMEOUT(lm, guest_return_trapped, TIMEOUT)
{
	struct ucall uc;

	self->vm = vm_create_longmode(guest_returns, &self->vcpu);
	vcpu_run(self->vcpu);
	ASSERT_EQ(UCALL_ABORT, get_ucall(self->vcpu, &uc));
	ASSERT_STREQ("guest code returned", uc.expr);
}

static void guest_outsb(const char *buf, uint64_t len)
{
	asm volatile("cld; rep outsb"
		     : "+S"(buf), "+c"(len) : "d"(OUTS_PORT) : "memory");
	GUEST_ASSERT_EQ(len, 0);
	GUEST_DONE();
}

/* Gather a REP OUTSB on OUTS_PORT, however many exits it takes. */
static const char guest_message[] = "Hello from a 64-bit guest, via REP OUTSB";

TEST_F_TIMEOUT(lm, rep_outsb_from_data, TIMEOUT)
{
	char buf[sizeof(guest_message)] = {};
	struct ucall uc;

	self->vm = vm_create_longmode(guest_outsb, &self->vcpu);
	vcpu_args_set(self->vcpu, 2, (uint64_t)(uintptr_t)guest_message,
		      (uint64_t)strlen(guest_message));
	vcpu_collect_rep_outsb(self->vcpu, OUTS_PORT, buf, strlen(guest_message));
	ASSERT_STREQ(guest_message, buf);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

/*
 * The string sits across two virtual pages whose physical pages are in the
 * other order, above the identity map: only a walk of the guest's page
 * tables, page by page, finds the bytes.
 */
#define ALIAS_GVA	(2 * SZ_1G)

TEST_F_TIMEOUT(lm, rep_outsb_across_pages, TIMEOUT)
{
	static const char first[] = "first page, ", second[] = "second page";
	char buf[sizeof(first) + sizeof(second)] = {};
	uint64_t page0, page1, len = strlen(first) + strlen(second);
	struct ucall uc;

	self->vm = vm_create_longmode(guest_outsb, &self->vcpu);
	page1 = vm_alloc_pages(self->vm, 1);
	page0 = vm_alloc_pages(self->vm, 1);
	virt_map_page(self->vm, ALIAS_GVA, page0);
	virt_map_page(self->vm, ALIAS_GVA + PAGE_SIZE, page1);
	memcpy((char *)addr_gpa2hva(self->vm, page0) + PAGE_SIZE - strlen(first),
	       first, strlen(first));
	memcpy(addr_gpa2hva(self->vm, page1), second, strlen(second));

	vcpu_args_set(self->vcpu, 2, ALIAS_GVA + PAGE_SIZE - strlen(first), len);
	vcpu_collect_rep_outsb(self->vcpu, OUTS_PORT, buf, len);
	ASSERT_STREQ("first page, second page", buf);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

/*
 * REP INSB and REP OUTSB whose buffer runs off the end of the mapped page
 * fault there, after the elements before it: RDI/RSI and RCX step past
 * those (INS stores them, OUTS sends them), and the #PF comes with RIP at
 * the instruction.  An INS asks the device only for what its page holds,
 * and faults before asking for more.  Vireo used to lose the stored part
 * of an INS.
 */
#define PF_VECTOR	14
#define PART		16		/* bytes before the unmapped page */
#define INS_PORT	0x22

struct string_fault {
	uint64_t vector, rdi, rsi, rcx;
};

static void guest_string_fault(uint64_t buf, uint64_t len)
{
	struct string_fault f;
	uint64_t vector;

	asm volatile("lea 1f(%%rip), %%r10\n\t"
		     "xor %%r9d, %%r9d\n\t"
		     "cld\n\t"
		     "rep insb\n"
		     "1:\tmov %%r9, %[vector]\n\t"
		     "xor %%r10d, %%r10d"
		     : [vector] "=r"(vector), "+D"(buf), "+c"(len)
		     : "d"(INS_PORT) : "r9", "r10", "memory");
	f.vector = vector;
	f.rdi = buf;
	f.rcx = len;
	GUEST_SYNC((uint64_t)&f);
	buf -= PART;
	len = 2 * PART;
	asm volatile("lea 1f(%%rip), %%r10\n\t"
		     "xor %%r9d, %%r9d\n\t"
		     "cld\n\t"
		     "rep outsb\n"
		     "1:\tmov %%r9, %[vector]\n\t"
		     "xor %%r10d, %%r10d"
		     : [vector] "=r"(vector), "+S"(buf), "+c"(len)
		     : "d"(OUTS_PORT) : "r9", "r10", "memory");
	f.vector = vector;
	f.rsi = buf;
	f.rcx = len;
	GUEST_SYNC((uint64_t)&f);
	GUEST_DONE();
}

TEST_F_TIMEOUT(lm, rep_string_stops_at_fault, TIMEOUT)
{
	uint64_t page, start = ALIAS_GVA + PAGE_SIZE - PART;
	struct vireo_run_io *io;
	struct string_fault f;
	uint8_t *mem, *data;
	struct ucall uc;
	char out[PART];
	int i;

	self->vm = vm_create_longmode(guest_string_fault, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	page = vm_alloc_pages(self->vm, 1);
	virt_map_page(self->vm, ALIAS_GVA, page);	/* the next: unmapped */
	mem = (uint8_t *)addr_gpa2hva(self->vm, page) + PAGE_SIZE - PART;
	vcpu_args_set(self->vcpu, 2, start, 2 * PART);

	/* The device is asked for the 16 bytes that fit in the page... */
	vcpu_run(self->vcpu);
	io = &self->vcpu->run->io;
	ASSERT_EQ(VIREO_EXIT_IO, self->vcpu->run->exit_reason);
	ASSERT_EQ(INS_PORT, io->port);
	ASSERT_EQ(VIREO_IO_IN, io->direction);
	ASSERT_EQ(PART, io->count);
	data = vcpu_io_data(self->vcpu);
	for (i = 0; i < PART; i++)
		data[i] = i + 1;
	/*
	 * ...they are stored, and the next element's #PF comes before the
	 * device is asked again: RDI, RCX stop past the 16, nothing is lost.
	 */
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	vm_read_gva(self->vm, uc.args[0], &f, sizeof(f));
	ASSERT_EQ(PF_VECTOR, f.vector);
	ASSERT_EQ(ALIAS_GVA + PAGE_SIZE, f.rdi);
	ASSERT_EQ(PART, f.rcx);
	for (i = 0; i < PART; i++)
		ASSERT_EQ(i + 1, mem[i]);

	/* OUTS sends the 16 bytes of the mapped page, then faults. */
	vcpu_collect_rep_outsb(self->vcpu, OUTS_PORT, out, PART);
	ASSERT_EQ(0, memcmp(out, mem, PART));
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	vm_read_gva(self->vm, uc.args[0], &f, sizeof(f));
	ASSERT_EQ(PF_VECTOR, f.vector);
	ASSERT_EQ(ALIAS_GVA + PAGE_SIZE, f.rsi);
	ASSERT_EQ(PART, f.rcx);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

/*
 * A guest whose page tables point into an MMIO hole: the walk Vireo does
 * for the instruction (after the nested fault on the table) finds no
 * entry there, and the guest takes a #PF for the address, as under KVM,
 * not the vector 0 it used to get.
 */
#define HOLE_TABLE_GVA	(512 * SZ_1G)		/* PML4 entry 1 */
#define HOLE_GPA	(256 * SZ_1M)		/* past the 64 MiB of RAM */

static void guest_tables_in_hole(void)
{
	uint64_t vector, val = 0;

	asm volatile("lea 1f(%%rip), %%r10\n\t"
		     "xor %%r9d, %%r9d\n\t"
		     "mov (%[p]), %[val]\n"
		     "1:\tmov %%r9, %[vector]\n\t"
		     "xor %%r10d, %%r10d"
		     : [vector] "=r"(vector), [val] "+r"(val)
		     : [p] "r"(HOLE_TABLE_GVA) : "r9", "r10", "memory");
	GUEST_ASSERT_EQ(vector, PF_VECTOR);
	GUEST_DONE();
}

TEST_F_TIMEOUT(lm, page_tables_in_mmio_hole, TIMEOUT)
{
	uint64_t *pml4;
	struct ucall uc;

	self->vm = vm_create_longmode(guest_tables_in_hole, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	pml4 = addr_gpa2hva(self->vm, self->vm->pml4_gpa);
	pml4[1] = HOLE_GPA | 3;		/* present, writable */
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

/*
 * The same tables, reached by an instruction fetch: the nested fault is on
 * the guest's page table, not on the code, so it is no "fetch from MMIO"
 * for userspace; Vireo emulates the jump's target, whose walk fails, and
 * the guest takes a #PF for the fetch (error code I/D, not present).
 */
static void guest_fetch_through_hole(void)
{
	uint64_t vector, cr2;

	asm volatile("lea 1f(%%rip), %%r10\n\t"
		     "xor %%r9d, %%r9d\n\t"
		     "jmp *%[p]\n"
		     "1:\tmov %%r9, %[vector]\n\t"
		     "xor %%r10d, %%r10d"
		     : [vector] "=r"(vector)
		     : [p] "r"(HOLE_TABLE_GVA) : "r9", "r10", "memory");
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	GUEST_ASSERT_EQ(vector, PF_VECTOR);
	GUEST_ASSERT_EQ(cr2, HOLE_TABLE_GVA);
	GUEST_DONE();
}

TEST_F_TIMEOUT(lm, fetch_through_tables_in_mmio_hole, TIMEOUT)
{
	uint64_t *pml4;
	struct ucall uc;

	self->vm = vm_create_longmode(guest_fetch_through_hole, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	pml4 = addr_gpa2hva(self->vm, self->vm->pml4_gpa);
	pml4[1] = HOLE_GPA | 3;		/* present, writable */
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

static uint64_t shared_words[512];

/* Check what the host wrote, then write an answer for it. */
static void guest_shared_memory(void)
{
	unsigned int i;

	for (i = 0; i < 512; i++)
		GUEST_ASSERT_EQ(shared_words[i], i * 3);
	for (i = 0; i < 512; i++)
		shared_words[i] = ~(uint64_t)i;
	GUEST_DONE();
}

TEST_F_TIMEOUT(lm, globals_both_ways, TIMEOUT)
{
	struct ucall uc;
	unsigned int i;

	self->vm = vm_create_longmode(guest_shared_memory, &self->vcpu);
	for (i = 0; i < 512; i++)
		shared_words[i] = i * 3;
	sync_global_to_guest(self->vm, shared_words);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));

	sync_global_from_guest(self->vm, shared_words);
	for (i = 0; i < 512; i++)
		ASSERT_EQ(~(uint64_t)i, shared_words[i]);
}

static void guest_per_vcpu(uint64_t id)
{
	uint64_t i;

	for (i = 0; i < 3; i++)
		GUEST_SYNC(id * 100 + i);
	GUEST_DONE();
}

/* Two vCPUs in one VM, interleaved: each has its own registers and stack. */
TEST_F_TIMEOUT(lm, two_vcpus, TIMEOUT)
{
	struct vireo_vcpu *vcpus[2];
	struct ucall uc;
	uint64_t i, v;

	self->vm = vm_create_longmode_novcpu();
	for (v = 0; v < 2; v++) {
		vcpus[v] = vm_add_longmode_vcpu(self->vm, v, guest_per_vcpu);
		vcpu_args_set(vcpus[v], 1, v + 1);
	}
	for (i = 0; i < 3; i++) {
		for (v = 0; v < 2; v++) {
			ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpus[v], &uc));
			ASSERT_EQ((v + 1) * 100 + i, uc.args[0]);
		}
	}
	for (v = 0; v < 2; v++)
		ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(vcpus[v], &uc));
}

#define MMIO_GPA	0x30000000UL	/* identity-mapped, beyond the slot */

static void guest_mmio_read(void)
{
	uint32_t value = *(volatile uint32_t *)MMIO_GPA;

	GUEST_SYNC(value);
	GUEST_DONE();
}

TEST_F_TIMEOUT(lm, mmio_read, TIMEOUT)
{
	const uint32_t value = 0xfeedf00d;
	struct ucall uc;

	self->vm = vm_create_longmode(guest_mmio_read, &self->vcpu);
	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_MMIO);
	ASSERT_EQ(MMIO_GPA, self->vcpu->run->mmio.phys_addr);
	ASSERT_EQ(0, self->vcpu->run->mmio.is_write);
	if (!self->vcpu->run->mmio.len)
		return;	/* not decoded: RIP stays there (see mmio_test.c) */

	ASSERT_EQ(4, self->vcpu->run->mmio.len);
	memcpy(self->vcpu->run->mmio.data, &value, sizeof(value));
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	ASSERT_EQ(value, uc.args[0]);
}

TEST_HARNESS_MAIN
