// SPDX-License-Identifier: GPL-2.0
/*
 * ioeventfd and irqfd (docs/ioctl-api.md, "ioeventfd and irqfd"), with
 * real-mode guests:
 *   - a port or MMIO write an ioeventfd matches signals its eventfd and
 *     the guest goes on without an exit to userspace; reads, other sizes,
 *     other values and deassigned ones exit as before;
 *   - an irqfd's eventfd, written, interrupts a guest sleeping in HLT;
 *     an update moves its vector, a deassigned or closed one sends
 *     nothing, and a guest's write to an ioeventfd whose eventfd is an
 *     irqfd's interrupts that guest without userspace taking part;
 *   - every argument the two ioctls refuse, their limits, a closed
 *     eventfd, and a VM destroyed while another thread writes its irqfd.
 *
 * Guest ports: 0x10 "interrupt with vector AL" (irq guests), 0x12
 * "ready", 0x13 "the writes are done", 0x20 and 0x21 the ioeventfd ports.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "realmode.h"
#include "vcpu_async.h"

#define HOLE_GPA	0xa0000		/* no slot: MMIO */
#define VEC_A		0x40
#define VEC_B		0x41

static int efd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	TEST_ASSERT(fd >= 0, "eventfd");
	return fd;
}

/* The eventfd's count, read (and so reset); 0 when nothing came. */
static uint64_t efd_take(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static int ioeventfd(struct vireo_vm *vm, uint64_t addr, uint32_t len,
		     int fd, uint32_t flags, uint64_t datamatch)
{
	struct vireo_ioeventfd a = {
		.addr = addr, .len = len, .fd = fd, .flags = flags,
		.datamatch = datamatch,
	};

	return ioctl(vm->fd, VIREO_IOEVENTFD, &a) ? -errno : 0;
}

static int irqfd(struct vireo_vm *vm, int fd, uint32_t flags, uint8_t vector)
{
	struct vireo_irqfd a = {
		.fd = fd, .flags = flags, .address = 0xfee00000,
		.data = vector,
	};

	return ioctl(vm->fd, VIREO_IRQFD, &a) ? -errno : 0;
}

/* ---- ioeventfd ------------------------------------------------------ */

/*
 * Port writes: 0x1234 and 0x5678 to port 0x20 (16 bits), 0x12 to port
 * 0x21 (8 bits), a 16-bit write to port 0x21, 0xbeef to the MMIO hole
 * (16 bits) and a read of it, then "done" on port 0x13.
 */
REALMODE_GUEST(writes_guest,
	"mov $0x1234, %ax\n out %ax, $0x20\n"
	"mov $0x5678, %ax\n out %ax, $0x20\n"
	"mov $0x12, %al\n out %al, $0x21\n"
	"mov $0x9999, %ax\n out %ax, $0x21\n"
	"mov $0xa000, %ax\n mov %ax, %ds\n"
	"movw $0xbeef, 0x20\n"
	"mov 0x20, %bx\n"
	"out %al, $0x13\n"
	"cli\n hlt\n");

/* Run until the guest says it is done; count the exits on the way. */
struct seen {
	int out20, out21, mmio_writes, mmio_reads;
};

static void run_to_done(struct __test_metadata *_metadata,
			struct vireo_vcpu *vcpu, struct seen *seen)
{
	struct vireo_run *run = vcpu->run;
	int i;

	memset(seen, 0, sizeof(*seen));
	for (i = 0; i < 20; i++) {
		vcpu_run(vcpu);
		if (run->exit_reason == VIREO_EXIT_IO &&
		    run->io.direction == VIREO_IO_OUT) {
			if (run->io.port == 0x13)
				return;
			seen->out20 += run->io.port == 0x20;
			seen->out21 += run->io.port == 0x21;
			continue;
		}
		if (run->exit_reason == VIREO_EXIT_MMIO) {
			ASSERT_EQ(HOLE_GPA + 0x20, run->mmio.phys_addr);
			if (run->mmio.is_write) {
				seen->mmio_writes++;
			} else {
				seen->mmio_reads++;
				/* An undecoded read would loop: answer it. */
				ASSERT_NE(0, run->mmio.len);
				memset(run->mmio.data, 0, 8);
			}
			continue;
		}
		vcpu_dump_exit(vcpu);
		ASSERT_TRUE(false);
	}
	ASSERT_TRUE(false) TH_LOG("the guest never said it was done");
}

/* Each test: the writes guest, ready to run, and an eventfd. */
FIXTURE(wr) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
	struct seen seen;
	int e;
};

FIXTURE_SETUP(wr)
{
	self->vm = vm_create_realmode(&writes_guest, &self->vcpu);
	self->e = efd();
}

FIXTURE_TEARDOWN(wr)
{
	vm_free(self->vm);
	if (self->e >= 0)
		close(self->e);
}

/* Without ioeventfds, every write exits. */
TEST_F(wr, no_ioeventfd_every_write_exits)
{
	run_to_done(_metadata, self->vcpu, &self->seen);
	ASSERT_EQ(2, self->seen.out20);
	ASSERT_EQ(2, self->seen.out21);
	ASSERT_EQ(1, self->seen.mmio_writes);
	ASSERT_EQ(1, self->seen.mmio_reads);
}

/*
 * Port 0x20 any value (16 bits), port 0x21 only 0x12 (8 bits), the MMIO
 * word at any size: the writes they match do not exit; the 16-bit write
 * to 0x21 (another size) and the MMIO read do.
 */
TEST_F(wr, ioeventfd_takes_matching_writes)
{
	int e21 = efd(), emmio = efd();

	ASSERT_EQ(0, ioeventfd(self->vm, 0x20, 2, self->e,
			       VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(0, ioeventfd(self->vm, 0x21, 1, e21, VIREO_IOEVENTFD_PIO |
			       VIREO_IOEVENTFD_DATAMATCH, 0x12));
	ASSERT_EQ(0, ioeventfd(self->vm, HOLE_GPA + 0x20, 0, emmio, 0, 0));
	run_to_done(_metadata, self->vcpu, &self->seen);
	ASSERT_EQ(0, self->seen.out20);
	ASSERT_EQ(1, self->seen.out21);
	ASSERT_EQ(0, self->seen.mmio_writes);
	ASSERT_EQ(1, self->seen.mmio_reads);
	ASSERT_EQ(2, efd_take(self->e));
	ASSERT_EQ(1, efd_take(e21));
	ASSERT_EQ(1, efd_take(emmio));
	close(e21);
	close(emmio);
}

/* Values to match: 0x5678 and the MMIO 0xbeef signal, 0x1234 exits. */
TEST_F(wr, ioeventfd_datamatch)
{
	ASSERT_EQ(0, ioeventfd(self->vm, 0x20, 2, self->e, VIREO_IOEVENTFD_PIO |
			       VIREO_IOEVENTFD_DATAMATCH, 0x5678));
	ASSERT_EQ(0, ioeventfd(self->vm, HOLE_GPA + 0x20, 2, self->e,
			       VIREO_IOEVENTFD_DATAMATCH, 0xbeef));
	run_to_done(_metadata, self->vcpu, &self->seen);
	ASSERT_EQ(1, self->seen.out20);
	ASSERT_EQ(0, self->seen.mmio_writes);
	ASSERT_EQ(2, efd_take(self->e));
}

/* Deassigned, the writes exit again; twice is -ENOENT. */
TEST_F(wr, ioeventfd_deassign)
{
	struct vireo_vm *vm = self->vm;
	int e = self->e;

	ASSERT_EQ(0, ioeventfd(vm, 0x20, 2, e, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(0, ioeventfd(vm, HOLE_GPA + 0x20, 2, e, 0, 0));
	/* Another size, flags or value is another registration. */
	ASSERT_EQ(-ENOENT, ioeventfd(vm, 0x20, 1, e, VIREO_IOEVENTFD_PIO |
				     VIREO_IOEVENTFD_DEASSIGN, 0));
	ASSERT_EQ(-ENOENT, ioeventfd(vm, 0x20, 2, e, VIREO_IOEVENTFD_PIO |
				     VIREO_IOEVENTFD_DATAMATCH |
				     VIREO_IOEVENTFD_DEASSIGN, 0x1234));
	ASSERT_EQ(0, ioeventfd(vm, 0x20, 2, e, VIREO_IOEVENTFD_PIO |
			       VIREO_IOEVENTFD_DEASSIGN, 0));
	ASSERT_EQ(-ENOENT, ioeventfd(vm, 0x20, 2, e, VIREO_IOEVENTFD_PIO |
				     VIREO_IOEVENTFD_DEASSIGN, 0));
	run_to_done(_metadata, self->vcpu, &self->seen);
	ASSERT_EQ(2, self->seen.out20);
	ASSERT_EQ(0, self->seen.mmio_writes);
	ASSERT_EQ(1, efd_take(e));
	ASSERT_EQ(0, ioeventfd(vm, HOLE_GPA + 0x20, 2, e,
			       VIREO_IOEVENTFD_DEASSIGN, 0));
}

/*
 * The eventfd closed while registered: the VM keeps its own reference,
 * so the writes are still taken (and go nowhere), until the VM's end.
 */
TEST_F(wr, ioeventfd_closed_eventfd)
{
	int e = self->e;

	ASSERT_EQ(0, ioeventfd(self->vm, 0x20, 2, e, VIREO_IOEVENTFD_PIO, 0));
	close(e);
	self->e = -1;
	run_to_done(_metadata, self->vcpu, &self->seen);
	ASSERT_EQ(0, self->seen.out20);
	/* Its number is no eventfd any more: it cannot be named. */
	ASSERT_EQ(-EBADF, ioeventfd(self->vm, 0x20, 2, e, VIREO_IOEVENTFD_PIO |
				    VIREO_IOEVENTFD_DEASSIGN, 0));
}

TEST(ioeventfd_refuses)
{
	struct vireo_ioeventfd a;
	struct vireo_vm *vm = vm_create();
	int e = efd(), p[2], i;
	long max = dev_check_cap(VIREO_CAP_IOEVENTFD);

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(-EBADF, ioeventfd(vm, 0x20, 1, -1, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(-EINVAL, ioeventfd(vm, 0x20, 1, p[0], VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(-EINVAL, ioeventfd(vm, 0x20, 3, e, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(-EINVAL, ioeventfd(vm, 0x20, 8, e, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(-EINVAL, ioeventfd(vm, 0x20, 0, e, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(-EINVAL, ioeventfd(vm, 0xffff, 2, e, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(-EINVAL, ioeventfd(vm, 0x10000, 1, e, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(-EINVAL, ioeventfd(vm, ~0ull - 3, 8, e, 0, 0));
	ASSERT_EQ(-EINVAL, ioeventfd(vm, HOLE_GPA, 0, e,
				     VIREO_IOEVENTFD_DATAMATCH, 1));
	ASSERT_EQ(-EINVAL, ioeventfd(vm, 0x20, 1, e, VIREO_IOEVENTFD_PIO |
				     VIREO_IOEVENTFD_DATAMATCH, 0x100));
	ASSERT_EQ(-EINVAL, ioeventfd(vm, 0x20, 1, e, 1u << 3, 0));
	memset(&a, 0, sizeof(a));
	a.addr = 0x20;
	a.len = 1;
	a.fd = e;
	a.flags = VIREO_IOEVENTFD_PIO;
	a.reserved[1] = 1;
	ASSERT_EQ(-1, ioctl(vm->fd, VIREO_IOEVENTFD, &a));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(vm->fd, VIREO_IOEVENTFD, (void *)8));
	ASSERT_EQ(EFAULT, errno);

	/* One write, two matches: refused, whatever the eventfd. */
	ASSERT_EQ(0, ioeventfd(vm, 0x20, 1, e, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(-EEXIST, ioeventfd(vm, 0x20, 1, e, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(-EEXIST, ioeventfd(vm, 0x20, 1, e, VIREO_IOEVENTFD_PIO |
				     VIREO_IOEVENTFD_DATAMATCH, 7));
	/* The port and the MMIO address 0x20 are different places. */
	ASSERT_EQ(0, ioeventfd(vm, 0x20, 1, e, 0, 0));
	ASSERT_EQ(-EEXIST, ioeventfd(vm, 0x20, 0, e, 0, 0));
	/* Two values on one port are two matches, not a collision. */
	ASSERT_EQ(0, ioeventfd(vm, 0x30, 2, e, VIREO_IOEVENTFD_PIO |
			       VIREO_IOEVENTFD_DATAMATCH, 1));
	ASSERT_EQ(0, ioeventfd(vm, 0x30, 2, e, VIREO_IOEVENTFD_PIO |
			       VIREO_IOEVENTFD_DATAMATCH, 2));

	/* The limit: as many as the capability says, then -ENOSPC. */
	ASSERT_GT(max, 4);
	for (i = 4; i < max; i++)
		ASSERT_EQ(0, ioeventfd(vm, 0x100000 + 8 * i, 4, e, 0, 0));
	ASSERT_EQ(-ENOSPC, ioeventfd(vm, 0x100000, 4, e, 0, 0));
	vm_free(vm);
	close(e);
	close(p[0]);
	close(p[1]);
}

/* ---- irqfd ---------------------------------------------------------- */

/*
 * The LAPIC in x2APIC mode, handlers for VEC_A and VEC_B that report the
 * vector on port 0x10, then "ready" and HLT with interrupts on, forever;
 * with BL set, a write to port 0x20 before each HLT instead (its
 * interrupt comes after that HLT, or wakes it: irqfd_closed_eventfd looks
 * only at whether one comes at all).
 */
REALMODE_GUEST(irq_guest,
	"movw $" RM_ADDR(irq_guest, h40) ", (0x100)\n movw $0, (0x102)\n"
	"movw $" RM_ADDR(irq_guest, h41) ", (0x104)\n movw $0, (0x106)\n"
	"mov $0x1b, %ecx\n rdmsr\n or $0xc00, %eax\n wrmsr\n"
	"mov $0x80f, %ecx\n mov $0x1ff, %eax\n xor %edx, %edx\n wrmsr\n"
	"out %al, $0x12\n"
	"sti\n"
	"again:\n"
	"test %bl, %bl\n jz 1f\n"
	"out %al, $0x20\n"
	"1: hlt\n"
	"jmp again\n"
	"h40: push %eax\n mov $0x40, %al\n jmp handler\n"
	"h41: push %eax\n mov $0x41, %al\n jmp handler\n"
	"handler:\n out %al, $0x10\n"
	"push %ecx\n push %edx\n"
	"mov $0x80b, %ecx\n xor %eax, %eax\n xor %edx, %edx\n wrmsr\n"
	"pop %edx\n pop %ecx\n pop %eax\n"
	"iret\n");


static struct vireo_vm *irq_vm(struct vireo_vcpu **vcpu, bool notify)
{
	struct vireo_regs regs;
	struct vireo_vm *vm;

	vm = vm_create_realmode(&irq_guest, vcpu);
	vcpu_get_regs(*vcpu, &regs);
	regs.rbx = notify;
	vcpu_set_regs(*vcpu, &regs);
	vcpu_run(*vcpu);
	vcpu_expect_out(*vcpu, 0x12, 1);
	return vm;
}

static void efd_write(int fd)
{
	uint64_t one = 1;

	TEST_ASSERT(write(fd, &one, sizeof(one)) == sizeof(one), "write");
}

/* Sleeping in HLT: nothing for 300 ms, then the eventfd's interrupt. */
static uint32_t irq_after_write(struct __test_metadata *_metadata,
				struct vireo_vcpu *vcpu, int fd)
{
	struct vcpu_runner r;

	vcpu_run_async(&r, vcpu);
	if (vcpu_run_ended_within(&r, 300)) {
		vcpu_dump_exit(vcpu);
		return 0;
	}
	efd_write(fd);
	if (!vcpu_run_ended_within(&r, 30000)) {
		vcpu_run_stop(&r);
		return 0;
	}
	return vcpu_expect_out(vcpu, 0x10, 1);
}

TEST(irqfd_interrupts_halted_guest)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	int e = efd();

	vm = irq_vm(&vcpu, false);
	ASSERT_EQ(0, irqfd(vm, e, 0, VEC_A));
	ASSERT_EQ(VEC_A, irq_after_write(_metadata, vcpu, e));
	/* The irqfd took the count: the eventfd reads empty. */
	ASSERT_EQ(0, efd_take(e));
	/* Again, after an update to another vector. */
	ASSERT_EQ(0, irqfd(vm, e, VIREO_IRQFD_UPDATE, VEC_B));
	ASSERT_EQ(VEC_B, irq_after_write(_metadata, vcpu, e));
	vm_free(vm);
	close(e);
}

/* A count already in the eventfd fires as the irqfd is assigned. */
TEST(irqfd_pending_count_fires_at_assign)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct vcpu_runner r;
	int e = efd();

	vm = irq_vm(&vcpu, false);
	efd_write(e);
	ASSERT_EQ(0, irqfd(vm, e, 0, VEC_A));
	vcpu_run_async(&r, vcpu);
	ASSERT_TRUE(vcpu_run_ended_within(&r, 30000));
	ASSERT_EQ(VEC_A, vcpu_expect_out(vcpu, 0x10, 1));
	/* The irqfd took the count, under the eventfd's lock. */
	ASSERT_EQ(0, efd_take(e));
	vm_free(vm);
	close(e);
}

/* Deassigned: writes send nothing. */
TEST(irqfd_deassign)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct vcpu_runner r;
	int e = efd();

	vm = irq_vm(&vcpu, false);
	ASSERT_EQ(0, irqfd(vm, e, 0, VEC_A));
	ASSERT_EQ(-EBUSY, irqfd(vm, e, 0, VEC_B));
	ASSERT_EQ(0, irqfd(vm, e, VIREO_IRQFD_DEASSIGN, 0));
	ASSERT_EQ(-ENOENT, irqfd(vm, e, VIREO_IRQFD_DEASSIGN, 0));
	ASSERT_EQ(-ENOENT, irqfd(vm, e, VIREO_IRQFD_UPDATE, VEC_B));
	vcpu_run_async(&r, vcpu);
	efd_write(e);
	ASSERT_FALSE(vcpu_run_ended_within(&r, 500));
	vcpu_run_stop(&r);
	ASSERT_EQ(1, efd_take(e));
	vm_free(vm);
	close(e);
}

/*
 * Closed: the irqfd goes with it.  An ioeventfd on the same eventfd keeps
 * the eventfd itself alive in the kernel, and the guest signals it before
 * each HLT: with the irqfd gone, no interrupt comes.
 */
TEST(irqfd_closed_eventfd)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct vcpu_runner r;
	int e = efd();

	vm = irq_vm(&vcpu, true);
	ASSERT_EQ(0, ioeventfd(vm, 0x20, 1, e, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(0, irqfd(vm, e, 0, VEC_A));
	/* Alive first: the guest's notify interrupts it. */
	vcpu_run(vcpu);
	ASSERT_EQ(VEC_A, vcpu_expect_out(vcpu, 0x10, 1));
	close(e);
	vcpu_run_async(&r, vcpu);
	ASSERT_FALSE(vcpu_run_ended_within(&r, 500));
	vcpu_run_stop(&r);
	vm_free(vm);
}

/*
 * The x2APIC on, a handler for VEC_A that sets the byte at 0x500 and
 * reports on port 0x10; then, with interrupts on, forever: clear the
 * byte, write port 0x20, spin until the handler has set it.  No HLT: the
 * interrupt may come at any instruction.
 */
REALMODE_GUEST(notify_guest,
	"movw $" RM_ADDR(notify_guest, nh40) ", (0x100)\n movw $0, (0x102)\n"
	"mov $0x1b, %ecx\n rdmsr\n or $0xc00, %eax\n wrmsr\n"
	"mov $0x80f, %ecx\n mov $0x1ff, %eax\n xor %edx, %edx\n wrmsr\n"
	"out %al, $0x12\n"
	"sti\n"
	"notify:\n"
	"movb $0, (0x500)\n"
	"out %al, $0x20\n"
	"1: cmpb $0, (0x500)\n je 1b\n"
	"jmp notify\n"
	"nh40: push %eax\n push %ecx\n push %edx\n"
	"movb $1, (0x500)\n"
	"mov $0x40, %al\n out %al, $0x10\n"
	"mov $0x80b, %ecx\n xor %eax, %eax\n xor %edx, %edx\n wrmsr\n"
	"pop %edx\n pop %ecx\n pop %eax\n"
	"iret\n");

/*
 * The whole path in the kernel: the guest's write to port 0x20 goes to an
 * ioeventfd, whose eventfd is an irqfd's, which interrupts the guest, whose
 * handler reports it.  Userspace sees only the reports.
 */
TEST(ioeventfd_into_irqfd)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	uint64_t exits;
	int e = efd(), i;

	vm = vm_create_realmode(&notify_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x12, 1);
	ASSERT_EQ(0, ioeventfd(vm, 0x20, 1, e, VIREO_IOEVENTFD_PIO, 0));
	ASSERT_EQ(0, irqfd(vm, e, 0, VEC_A));
	for (i = 0; i < 50; i++) {
		struct vcpu_runner r;

		exits = vcpu->run->exit_count;
		vcpu_run_async(&r, vcpu);
		if (!vcpu_run_ended_within(&r, 10000)) {
			vcpu_run_stop(&r);
			ASSERT_TRUE(false) TH_LOG("round %d: no interrupt, guest at %#lx",
						  i, (unsigned long)vcpu_get_rip(vcpu));
		}
		ASSERT_EQ(VEC_A, vcpu_expect_out(vcpu, 0x10, 1));
		/* The notify and the EOI at least came and went inside. */
		ASSERT_GE(vcpu->run->exit_count - exits, 2);
	}
	vm_free(vm);
	close(e);
}

TEST(irqfd_refuses)
{
	struct vireo_vm *vm = vm_create();
	struct vireo_irqfd a;
	long max = dev_check_cap(VIREO_CAP_IRQFD);
	int e = efd(), p[2], i, *fds;
	struct rlimit rl;

	/* The limit's worth of eventfds, and a few more, open at once. */
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur < (rlim_t)max + 64) {
		rl.rlim_cur = max + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	}
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(-EBADF, irqfd(vm, -1, 0, VEC_A));
	ASSERT_EQ(-EINVAL, irqfd(vm, p[0], 0, VEC_A));
	ASSERT_EQ(-EINVAL, irqfd(vm, e, VIREO_IRQFD_DEASSIGN |
				 VIREO_IRQFD_UPDATE, VEC_A));
	ASSERT_EQ(-EINVAL, irqfd(vm, e, 1u << 2, VEC_A));
	memset(&a, 0, sizeof(a));
	a.fd = e;
	a.address = 0xfed00000;		/* not the LAPICs' window */
	a.data = VEC_A;
	ASSERT_EQ(-1, ioctl(vm->fd, VIREO_IRQFD, &a));
	ASSERT_EQ(EINVAL, errno);
	a.address = 0xfee00000;
	a.data = VEC_A | 1u << 15;	/* level-triggered */
	ASSERT_EQ(-1, ioctl(vm->fd, VIREO_IRQFD, &a));
	ASSERT_EQ(EINVAL, errno);
	a.data = VEC_A | 6u << 8;	/* SIPI */
	ASSERT_EQ(-1, ioctl(vm->fd, VIREO_IRQFD, &a));
	ASSERT_EQ(EINVAL, errno);
	a.data = VEC_A;
	a.padding = 1;
	ASSERT_EQ(-1, ioctl(vm->fd, VIREO_IRQFD, &a));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(vm->fd, VIREO_IRQFD, (void *)8));
	ASSERT_EQ(EFAULT, errno);

	/* The limit, then closing them all gives every slot back. */
	ASSERT_GT(max, 0);
	fds = calloc(max + 1, sizeof(*fds));
	ASSERT_NE(NULL, fds);
	for (i = 0; i <= max; i++)
		fds[i] = efd();
	for (i = 0; i < max; i++)
		ASSERT_EQ(0, irqfd(vm, fds[i], 0, VEC_A));
	ASSERT_EQ(-ENOSPC, irqfd(vm, fds[max], 0, VEC_A));
	for (i = 0; i < max; i++)
		close(fds[i]);
	ASSERT_EQ(0, irqfd(vm, fds[max], 0, VEC_A));
	close(fds[max]);
	free(fds);
	vm_free(vm);
	close(e);
	close(p[0]);
	close(p[1]);
}

struct hammer {
	int fd;
	unsigned long close_after;	/* 0: never */
	atomic_bool stop;
	atomic_ulong writes;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	uint64_t one = 1;

	while (!atomic_load(&h->stop)) {
		if (write(h->fd, &one, sizeof(one)) == sizeof(one))
			atomic_fetch_add(&h->writes, 1);
		/* The eventfd closes (EPOLLHUP) while the VM may be ending. */
		if (h->close_after && atomic_load(&h->writes) >= h->close_after) {
			close(h->fd);
			h->fd = -1;
			break;
		}
	}
	return NULL;
}

/*
 * The VM goes while another thread writes its irqfd's eventfd as fast as
 * it can, with the guest running; in odd rounds that thread closes the
 * eventfd at some point, so its EPOLLHUP races the VM's end.  In even
 * rounds the writes go on after the VM is gone, into an eventfd no VM
 * hears.  The kernel stays well throughout (selftests/run checks its log
 * after the test).
 */
TEST(vm_destroyed_while_irqfd_fires)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct hammer h;
	unsigned long after_free;
	struct vcpu_runner r;
	pthread_t t;
	int round, i;

	for (round = 0; round < 20; round++) {
		h.fd = efd();
		h.close_after = round & 1 ? 200 + 300 * round : 0;
		atomic_store(&h.writes, 0);
		atomic_store(&h.stop, false);
		vm = irq_vm(&vcpu, false);
		ASSERT_EQ(0, irqfd(vm, h.fd, 0, VEC_A));
		ASSERT_EQ(0, pthread_create(&t, NULL, hammer_thread, &h));
		vcpu_run_async(&r, vcpu);
		/* Let interrupts flow into the guest for a while. */
		usleep(20000 + round * 1000);
		for (i = 0; i < 30000 && !atomic_load(&h.writes); i++)
			usleep(1000);
		vcpu_run_stop(&r);
		vm_free(vm);
		after_free = atomic_load(&h.writes);
		/*
		 * Writes go on into the eventfd with no VM behind it: wait
		 * for one (up to 30 s: the writer may not have had the CPU
		 * yet, Bochs' lane has one), without a time limit to meet.
		 */
		for (i = 0; !h.close_after && i < 30000 &&
		     atomic_load(&h.writes) == after_free; i++)
			usleep(1000);
		if (!h.close_after)
			ASSERT_GT(atomic_load(&h.writes), after_free);
		atomic_store(&h.stop, true);
		pthread_join(t, NULL);
		ASSERT_GT(atomic_load(&h.writes), 0);
		if (h.fd >= 0)
			close(h.fd);
	}
}

TEST_HARNESS_MAIN
