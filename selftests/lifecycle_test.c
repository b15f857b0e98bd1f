// SPDX-License-Identifier: GPL-2.0
/*
 * Creating and destroying VMs leaks nothing: many VMs and vCPUs in a loop,
 * a process killed while its vCPUs run, a VM whose fd is closed before its
 * vCPU's.  The module's counters (/sys/class/misc/vireo/) must come back
 * to the values read before the test.
 *
 * The guests are the smallest there are: a read-only page at the top of
 * the 4 GiB space with HLT at the reset vector (0xfffffff0), which a new
 * vCPU executes first.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "counters.h"
#include "vireo_util.h"

#define RESET_PAGE	0xfffff000
#define RESET_RIP	0xfff0
#define SETTLE_MS	5000

#define CHURN_ROUNDS	100
#define CHURN_VMS	16
#define CHURN_VCPUS	2

FIXTURE(life) {
	struct vireo_counters base;
};

FIXTURE_SETUP(life)
{
	counters_read(&self->base);
}

FIXTURE_TEARDOWN(life)
{
}

/* A VM of @nr_vcpus whose vCPUs halt at their first instruction. */
static struct vireo_vm *vm_create_halting(unsigned int nr_vcpus)
{
	struct vireo_vm *vm = vm_create();
	uint8_t *rom;
	unsigned int i;

	rom = vm_add_slot(vm, 0, RESET_PAGE, PAGE_SIZE, VIREO_MEM_READONLY);
	rom[RESET_RIP & ~PAGE_MASK] = 0xf4;	/* hlt */
	for (i = 0; i < nr_vcpus; i++)
		vm_add_vcpu(vm, i);
	return vm;
}

/* Fail unless the counters return to @base (a leak never does). */
static void check_back_to(struct __test_metadata *_metadata,
			  const struct vireo_counters *base)
{
	struct vireo_counters now;
	bool settled = counters_settle(base, &now, SETTLE_MS);

	if (!settled) {
		counters_print("before", base);
		counters_print("after", &now);
	}
	ASSERT_TRUE(settled);
}

static void churn_round(struct __test_metadata *_metadata,
			const struct vireo_counters *base, bool check_live)
{
	struct vireo_vm *vms[CHURN_VMS];
	struct vireo_counters live;
	unsigned int i, v;

	for (i = 0; i < CHURN_VMS; i++) {
		vms[i] = vm_create_halting(CHURN_VCPUS);
		for (v = 0; v < CHURN_VCPUS; v++) {
			vcpu_run(vms[i]->vcpus[v]);
			vcpu_assert_exit(vms[i]->vcpus[v], VIREO_EXIT_HLT);
		}
	}
	if (check_live) {
		/* The counters see what we made, or their return means little. */
		counters_read(&live);
		ASSERT_EQ(base->vms + CHURN_VMS, live.vms);
		ASSERT_EQ(base->vcpus + CHURN_VMS * CHURN_VCPUS, live.vcpus);
		ASSERT_LT(base->pages, live.pages);
		ASSERT_LT(base->pinned, live.pinned);
	}
	for (i = 0; i < CHURN_VMS; i++)
		vm_free(vms[i]);
}

TEST_F_TIMEOUT(life, vm_churn, 600)
{
	unsigned int round;

	for (round = 0; round < CHURN_ROUNDS; round++)
		churn_round(_metadata, &self->base, round == 0);
	check_back_to(_metadata, &self->base);
}

/* The VM fd goes first; the vCPU keeps the VM alive until its own close. */
TEST_F_TIMEOUT(life, vm_fd_closed_first, 120)
{
	struct vireo_vm *vm = vm_create_halting(1);
	struct vireo_vcpu *vcpu = vm->vcpus[0];
	struct vireo_counters live;

	close(vm->fd);
	close(vm->dev_fd);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
	ASSERT_EQ(RESET_RIP + 1, vcpu_get_rip(vcpu));
	counters_read(&live);
	ASSERT_EQ(self->base.vms + 1, live.vms);

	munmap(vcpu->run, vcpu->run_size);
	close(vcpu->fd);
	check_back_to(_metadata, &self->base);
	/* Only our memory is left to free. */
	munmap(vm->slots[0].hva, vm->slots[0].size);
}

/* The guest of the kill test: report in, then spin forever. */
static const uint8_t spin_code[] = {
	0xe6, 0x10,		/* out %al, $0x10 */
	0xeb, 0xfe,		/* jmp . */
};

static void *spin_vcpu(void *arg)
{
	struct vireo_vcpu *vcpu = arg;

	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x10, 1);
	vcpu_run(vcpu);		/* never returns: the process gets killed */
	TEST_FAIL("the spinning guest exited (%s)",
		  exit_reason_str(vcpu->run->exit_reason));
}

/*
 * The child: a VM with two vCPUs spinning in two threads.  A byte on
 * @ready_fd per vCPU that reached its guest; then it is killed mid-RUN.
 */
static void __attribute__((noreturn)) spinning_child(int ready_fd)
{
	struct vireo_vm *vm = vm_create();
	pthread_t threads[2];
	uint8_t *rom;
	unsigned int i;

	rom = vm_add_slot(vm, 0, RESET_PAGE, PAGE_SIZE, VIREO_MEM_READONLY);
	memcpy(rom + (RESET_RIP & ~PAGE_MASK), spin_code, sizeof(spin_code));
	for (i = 0; i < 2; i++) {
		vm_add_vcpu(vm, i);
		pthread_create(&threads[i], NULL, spin_vcpu, vm->vcpus[i]);
	}
	/* The OUT exit is taken before the spin: a RUN follows at once. */
	for (i = 0; i < 2; i++) {
		while (vm->vcpus[i]->run->exit_count == 0)
			usleep(1000);
		TEST_ASSERT(write(ready_fd, "r", 1) == 1, "write");
	}
	for (;;)
		pause();
}

TEST_F_TIMEOUT(life, killed_in_run, 120)
{
	struct vireo_counters live;
	int pipefd[2], status, ready = 0;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pipefd[0]);
		spinning_child(pipefd[1]);
	}
	close(pipefd[1]);
	while (ready < 2 && read(pipefd[0], &c, 1) == 1)
		ready++;
	ASSERT_EQ(2, ready) TH_LOG("the child failed before its vCPUs ran");
	/* Give both threads time to be back in RUN, spinning. */
	usleep(200 * 1000);
	counters_read(&live);
	ASSERT_EQ(self->base.vms + 1, live.vms);
	ASSERT_EQ(self->base.vcpus + 2, live.vcpus);

	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGKILL, WTERMSIG(status));
	check_back_to(_metadata, &self->base);
}

TEST_HARNESS_MAIN
