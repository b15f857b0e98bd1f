// SPDX-License-Identifier: GPL-2.0
/*
 * 64-bit guests in C: ucalls (GUEST_SYNC, GUEST_DONE, GUEST_ASSERT), string
 * I/O from paged memory (which the module must translate through the
 * guest's page tables), globals shared with the host, several vCPUs, and
 * MMIO from long mode.
 */
#include "kselftest_harness.h"
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
