// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC and interrupt delivery, with real-mode guests
 * that drive their LAPIC through the x2APIC MSRs: an MSI from userspace
 * wakes a guest sleeping in HLT and runs its handler; a level-triggered
 * vector's EOI comes back as VIREO_EXIT_EOI; the APIC timer fires in
 * one-shot, periodic and TSC-deadline modes; one vCPU's IPI reaches
 * another; INIT and a start-up IPI start an AP parked in WAIT_SIPI.
 *
 * Guest ports: 0x10 "interrupt with vector AL", 0x11 "past HLT",
 * 0x12 "ready", 0x13 "AP started", 0x14 "the timer came early (1) or
 * not (0)".  The timer tests also check when the interrupt arrives.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "realmode.h"
#include "vcpu_async.h"


#define VEC_MSI		0x40
#define VEC_TIMER	0x41
#define VEC_IPI		0x42
#define AP_START	0x8000	/* SIPI vector 0x08 */

/*
 * Common prologue: handlers for the three vectors in the IVT (each
 * reports its vector on port 0x10, EOIs, and IRETs), then x2APIC mode
 * and the software enable in SVR (Intel SDM Vol. 3A 11.12.1, 11.9).
 */
#define APIC_ON(name)							\
	"jmp " #name "_setup\n"					\
	#name "_handler:\n"						\
	"  push %eax\n push %ecx\n push %edx\n"			\
	"  mov %cs:(" RM_ADDR(name, name##_vec) "), %al\n"		\
	"  out %al, $0x10\n"						\
	"  mov $0x80b, %ecx\n xor %eax, %eax\n xor %edx, %edx\n wrmsr\n" \
	"  pop %edx\n pop %ecx\n pop %eax\n"				\
	"  iret\n"							\
	APIC_STUB(name, 40) APIC_STUB(name, 41) APIC_STUB(name, 42)	\
	#name "_vec: .byte 0\n"					\
	#name "_setup:\n"						\
	"movw $" RM_ADDR(name, name##_h40) ", (0x100)\n movw $0, (0x102)\n" \
	"movw $" RM_ADDR(name, name##_h41) ", (0x104)\n movw $0, (0x106)\n" \
	"movw $" RM_ADDR(name, name##_h42) ", (0x108)\n movw $0, (0x10a)\n" \
	"mov $0x1b, %ecx\n rdmsr\n or $0xc00, %eax\n wrmsr\n"		\
	"mov $0x80f, %ecx\n mov $0x1ff, %eax\n xor %edx, %edx\n wrmsr\n"

/* The IVT entry of vector 0xVV: note the vector, then the handler. */
#define APIC_STUB(name, vv)						\
	#name "_h" #vv ": movb $0x" #vv ", %cs:("			\
	RM_ADDR(name, name##_vec) ")\n jmp " #name "_handler\n"

/* Ready, then sleep with interrupts on until one comes. */
REALMODE_GUEST(msi_guest,
	APIC_ON(msi_guest)
	"out %al, $0x12\n"
	"sti\n"
	"hlt\n"
	"out %al, $0x11\n"
	"cli\n"
	"hlt\n");

static struct vireo_msi msi(uint8_t vector, uint32_t dest, bool level)
{
	struct vireo_msi m = {
		.address = 0xfee00000 | (dest << 12),
		.data = vector | (level ? 1u << 15 | 1u << 14 : 0),
	};

	return m;
}

static int signal_msi(struct vireo_vm *vm, struct vireo_msi m)
{
	return ioctl(vm->fd, VIREO_SIGNAL_MSI, &m);
}


/* The MSI is accepted while the guest sleeps in HLT and wakes it. */
TEST(msi_wakes_halted_guest)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct vcpu_runner r;

	vm = vm_create_realmode(&msi_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x12, 1);

	vcpu_run_async(&r, vcpu);
	/* Asleep in the kernel: nothing comes back without an interrupt. */
	ASSERT_FALSE(vcpu_run_ended_within(&r, 300));
	ASSERT_EQ(1, signal_msi(vm, msi(VEC_MSI, 0, false)));
	ASSERT_TRUE(vcpu_run_ended_within(&r, 30000));
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(VEC_MSI, vcpu_expect_out(vcpu, 0x10, 1));
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x11, 1);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
	vm_free(vm);
}

/*
 * Interrupts stay off across the ready report; STI opens the window and
 * the interrupt arrives before the CLI two instructions later.
 */
REALMODE_GUEST(window_guest,
	APIC_ON(window_guest)
	"out %al, $0x12\n"
	"sti\n"
	"nop\n"
	"cli\n"
	"out %al, $0x11\n"
	"hlt\n");

/*
 * Pending while interrupts are off: delivered once the guest sets IF.  A
 * second edge-triggered message for the vector still pending in the IRR
 * merges with it (SDM Vol. 3A 11.8.4): the ioctl says so with 0, and the
 * guest sees one interrupt.
 */
TEST(msi_pending_before_sti)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;

	vm = vm_create_realmode(&window_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x12, 1);
	ASSERT_EQ(1, signal_msi(vm, msi(VEC_MSI, 0, false)));
	ASSERT_EQ(0, signal_msi(vm, msi(VEC_MSI, 0, false)));
	vcpu_run(vcpu);
	ASSERT_EQ(VEC_MSI, vcpu_expect_out(vcpu, 0x10, 1));
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x11, 1);
	/* Taken (out of the IRR): the next one is new again. */
	ASSERT_EQ(1, signal_msi(vm, msi(VEC_MSI, 0, false)));
	vm_free(vm);
}

/*
 * Before SVR's enable bit fixed interrupts are refused (SDM Vol. 3A
 * 11.4.7.2), and a message to an APIC ID no vCPU has reaches nobody.
 */
TEST(msi_refused)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;

	vm = vm_create_realmode(&msi_guest, &vcpu);
	ASSERT_EQ(0, signal_msi(vm, msi(VEC_MSI, 0, false)));
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x12, 1);
	ASSERT_EQ(0, signal_msi(vm, msi(VEC_MSI, 7, false)));
	ASSERT_EQ(1, signal_msi(vm, msi(VEC_MSI, 0xff, false)));
	vm_free(vm);
}

TEST(msi_invalid)
{
	struct vireo_vm *vm = vm_create();
	struct vireo_msi m = msi(VEC_MSI, 0, false);

	vm_add_vcpu(vm, 0);
	m.flags = 1;
	ASSERT_EQ(-1, signal_msi(vm, m));
	ASSERT_EQ(EINVAL, errno);
	m = msi(VEC_MSI, 0, false);
	m.reserved[1] = 1;
	ASSERT_EQ(-1, signal_msi(vm, m));
	ASSERT_EQ(EINVAL, errno);
	m = msi(VEC_MSI, 0, false);
	m.address = 0xfec00000;
	ASSERT_EQ(-1, signal_msi(vm, m));
	ASSERT_EQ(EINVAL, errno);
	m = msi(VEC_MSI, 0, false);
	m.data |= 6 << 8;	/* start-up: not a message */
	ASSERT_EQ(-1, signal_msi(vm, m));
	ASSERT_EQ(EINVAL, errno);
	vm_free(vm);
}

/* A level vector's EOI is reported so the IOAPIC can re-arm the pin. */
TEST(level_eoi_exits)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;

	vm = vm_create_realmode(&window_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x12, 1);
	ASSERT_EQ(1, signal_msi(vm, msi(VEC_MSI, 0, true)));
	vcpu_run(vcpu);
	ASSERT_EQ(VEC_MSI, vcpu_expect_out(vcpu, 0x10, 1));
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_EOI);
	ASSERT_EQ(VEC_MSI, vcpu->run->eoi.vector);
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x11, 1);
	vm_free(vm);
}

/*
 * STI; HLT with an interrupt already pending, STI the first instruction
 * after the entry: the STI shadow (SDM Vol. 3A 6.8.3, "Masking Maskable
 * Hardware Interrupts") holds it until HLT, which it then wakes, so the
 * handler returns past the HLT.  Vireo's AMD-V entry once ran its own STI
 * right before VMRUN, whose shadow reached the guest: the guest's STI got
 * none, the interrupt came before the HLT, and the guest slept on after
 * its handler (kernel/svm/vmenter.S says why no longer).
 */
REALMODE_GUEST(sti_hlt_guest,
	APIC_ON(sti_hlt_guest)
	"out %al, $0x12\n"
	"sti\n"
	"hlt\n"
	"sti_hlt_after:\n"
	"out %al, $0x11\n"
	"cli\n"
	"hlt\n");
REALMODE_LABEL(sti_hlt_after);

TEST(msi_pending_wakes_sti_hlt)
{
	struct vireo_vcpu *vcpu;
	struct vcpu_runner r;
	struct vireo_regs regs;
	struct vireo_vm *vm;
	uint16_t *ret_ip;

	vm = vm_create_realmode(&sti_hlt_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x12, 1);
	ASSERT_EQ(1, signal_msi(vm, msi(VEC_MSI, 0, false)));
	vcpu_run_async(&r, vcpu);
	if (!vcpu_run_ended_within(&r, 30000)) {
		vcpu_run_stop(&r);
		ASSERT_TRUE(false) TH_LOG("the guest sleeps in HLT: its interrupt came before it");
	}
	ASSERT_EQ(VEC_MSI, vcpu_expect_out(vcpu, 0x10, 1));
	/* The handler pushed EAX, ECX, EDX on the interrupt's IP, CS, FLAGS. */
	vcpu_get_regs(vcpu, &regs);
	ret_ip = addr_gpa2hva(vm, (regs.rsp & 0xffff) + 12);
	ASSERT_EQ(realmode_ip(&sti_hlt_guest, sti_hlt_after), *ret_ip);
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x11, 1);
	vm_free(vm);
}

/*
 * One-shot: LVT timer (0x832), divide by 1 (0x83e), 2 ms initial count.
 * The timer guests sleep in a HLT loop.
 */
REALMODE_GUEST(oneshot_guest,
	APIC_ON(oneshot_guest)
	"mov $0x832, %ecx\n mov $0x41, %eax\n xor %edx, %edx\n wrmsr\n"
	"mov $0x83e, %ecx\n mov $0xb, %eax\n wrmsr\n"
	"mov $0x838, %ecx\n mov $2000000, %eax\n wrmsr\n"
	"sti\n"
	"2: hlt\n"
	"jmp 2b\n");

/* Host time in ns: the timers run on it (hrtimers). */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * When a timer's interrupt arrives: never before the guest's count has
 * run out (the guest arms the timer after the host's clock was read, so
 * the host's elapsed time is an upper bound on the timer's), and not
 * seconds after (a timer lost and found by some later exit).
 */
#define TIMER_LATE_NS	(5 * 1000000000ULL)

TEST(timer_oneshot)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	uint64_t start, took;

	vm = vm_create_realmode(&oneshot_guest, &vcpu);
	start = now_ns();
	vcpu_run(vcpu);
	took = now_ns() - start;
	ASSERT_EQ(VEC_TIMER, vcpu_expect_out(vcpu, 0x10, 1));
	TH_LOG("2 ms one-shot: its interrupt came %llu us after the run began",
	       (unsigned long long)took / 1000);
	ASSERT_GE(took, 2000000);
	ASSERT_LT(took, TIMER_LATE_NS);
	vm_free(vm);
}

/* Periodic, 1 ms: the guest counts five interrupts in a HLT loop. */
REALMODE_GUEST(periodic_guest,
	APIC_ON(periodic_guest)
	"mov $0x832, %ecx\n mov $0x20041, %eax\n xor %edx, %edx\n wrmsr\n"
	"mov $0x83e, %ecx\n mov $0xb, %eax\n wrmsr\n"
	"mov $0x838, %ecx\n mov $1000000, %eax\n wrmsr\n"
	"sti\n"
	"2: hlt\n"
	"jmp 2b\n");

TEST(timer_periodic)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	int i;

	uint64_t start, took;

	vm = vm_create_realmode(&periodic_guest, &vcpu);
	start = now_ns();
	for (i = 0; i < 5; i++) {
		vcpu_run(vcpu);
		ASSERT_EQ(VEC_TIMER, vcpu_expect_out(vcpu, 0x10, 1));
	}
	took = now_ns() - start;
	/* The fifth period ends 5 ms after the timer was armed. */
	ASSERT_GE(took, 5000000);
	ASSERT_LT(took, TIMER_LATE_NS);
	vm_free(vm);
}

/*
 * TSC deadline (SDM Vol. 3A 11.5.4.1): now + 1M cycles.  Once its
 * handler has run, the guest reads the TSC again and reports on port 0x14
 * whether the interrupt came early (1) or at or after the deadline (0).
 */
REALMODE_GUEST(deadline_guest,
	APIC_ON(deadline_guest)
	"mov $0x832, %ecx\n mov $0x40041, %eax\n xor %edx, %edx\n wrmsr\n"
	"rdtsc\n"
	"add $1000000, %eax\n adc $0, %edx\n"
	"mov %eax, %esi\n mov %edx, %edi\n"
	"mov $0x6e0, %ecx\n wrmsr\n"
	"sti\n"
	/* Spin, not HLT: the interrupt may come before a HLT would. */
	"3: pause\n"
	"cmpb $0x41, %cs:(" RM_ADDR(deadline_guest, deadline_guest_vec) ")\n"
	"jne 3b\n"
	"cli\n"
	"rdtsc\n"
	"sub %esi, %eax\n sbb %edi, %edx\n"
	"shr $31, %edx\n"
	"mov %dl, %al\n out %al, $0x14\n"
	"2: hlt\n"
	"jmp 2b\n");

TEST(timer_tsc_deadline)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;

	vm = vm_create_realmode(&deadline_guest, &vcpu);
	vcpu_run(vcpu);
	ASSERT_EQ(VEC_TIMER, vcpu_expect_out(vcpu, 0x10, 1));
	vcpu_run(vcpu);
	ASSERT_EQ(0, vcpu_expect_out(vcpu, 0x14, 1)) {
		TH_LOG("the TSC-deadline interrupt came before the deadline");
	}
	vm_free(vm);
}

/*
 * vCPU 0 sends a fixed IPI to APIC ID 1 through the x2APIC ICR (0x830,
 * destination in EDX); vCPU 1 sleeps in HLT on another thread.
 */
REALMODE_GUEST(ipi_guest,
	APIC_ON(ipi_guest)
	"mov $0x802, %ecx\n rdmsr\n"
	"test %eax, %eax\n"
	"jnz 3f\n"
	/* vCPU 0: wait for the host's go on port 0x12, then send */
	"out %al, $0x12\n"
	"mov $0x830, %ecx\n mov $0x42, %eax\n mov $1, %edx\n wrmsr\n"
	"out %al, $0x11\n"
	"cli\n hlt\n"
	/* vCPU 1 */
	"3: out %al, $0x12\n"
	"sti\n"
	"hlt\n"
	"out %al, $0x11\n"
	"cli\n hlt\n");

TEST(ipi_wakes_other_vcpu)
{
	struct vireo_vcpu *bsp, *ap;
	struct vireo_regs regs;
	struct vireo_vm *vm;
	struct vcpu_runner r;

	vm = vm_create_realmode(&ipi_guest, &bsp);
	ap = vm_add_vcpu(vm, 1);
	vcpu_set_cs_ip(ap, 0, REALMODE_LOAD_ADDR);
	vcpu_get_regs(ap, &regs);
	regs.rsp = REALMODE_STACK_TOP - 0x800;
	vcpu_set_regs(ap, &regs);

	vcpu_run(ap);
	vcpu_expect_out(ap, 0x12, 1);
	vcpu_run_async(&r, ap);
	ASSERT_FALSE(vcpu_run_ended_within(&r, 300));

	vcpu_run(bsp);
	vcpu_expect_out(bsp, 0x12, 1);
	vcpu_run(bsp);
	vcpu_expect_out(bsp, 0x11, 1);

	ASSERT_TRUE(vcpu_run_ended_within(&r, 30000));
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(VEC_IPI, vcpu_expect_out(ap, 0x10, 1));
	vcpu_run(ap);
	vcpu_expect_out(ap, 0x11, 1);
	vm_free(vm);
}

/*
 * INIT then a start-up IPI with vector 0x08 (SDM Vol. 3A 9.4.4): the AP,
 * parked in WAIT_SIPI, starts in real mode at 0800:0000 = 0x8000.
 */
REALMODE_GUEST(sipi_guest,
	APIC_ON(sipi_guest)
	"mov $0x830, %ecx\n mov $0x4500, %eax\n mov $1, %edx\n wrmsr\n"
	"mov $0x830, %ecx\n mov $0x4608, %eax\n mov $1, %edx\n wrmsr\n"
	"out %al, $0x11\n"
	"cli\n hlt\n");

TEST(init_sipi_starts_ap)
{
	struct vireo_mp_state mp = { .state = VIREO_MP_STATE_WAIT_SIPI };
	struct vireo_vcpu *bsp, *ap;
	struct vireo_regs regs;
	struct vireo_vm *vm;
	struct vcpu_runner r;
	uint8_t *ap_code;

	vm = vm_create_realmode(&sipi_guest, &bsp);
	ap_code = addr_gpa2hva(vm, AP_START);
	/* mov %cs, %ax; out %ax, $0x13; cli; hlt */
	memcpy(ap_code, "\x8c\xc8\xe7\x13\xfa\xf4", 6);
	ap = vm_add_vcpu(vm, 1);
	ASSERT_EQ(0, ioctl(ap->fd, VIREO_SET_MP_STATE, &mp));
	mp.state = 99;
	ASSERT_EQ(0, ioctl(ap->fd, VIREO_GET_MP_STATE, &mp));
	ASSERT_EQ(VIREO_MP_STATE_WAIT_SIPI, mp.state);

	vcpu_run_async(&r, ap);
	ASSERT_FALSE(vcpu_run_ended_within(&r, 300));
	vcpu_run(bsp);
	vcpu_expect_out(bsp, 0x11, 1);

	ASSERT_TRUE(vcpu_run_ended_within(&r, 30000));
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(0x0800, vcpu_expect_out(ap, 0x13, 2));
	vcpu_get_regs(ap, &regs);
	ASSERT_EQ(4, regs.rip);
	ASSERT_EQ(0, ioctl(ap->fd, VIREO_GET_MP_STATE, &mp));
	ASSERT_EQ(VIREO_MP_STATE_RUNNABLE, mp.state);
	vm_free(vm);
}

TEST(mp_state_invalid)
{
	struct vireo_vm *vm = vm_create();
	struct vireo_vcpu *vcpu = vm_add_vcpu(vm, 0);
	struct vireo_mp_state mp = { .state = 3 };

	ASSERT_EQ(-1, ioctl(vcpu->fd, VIREO_SET_MP_STATE, &mp));
	ASSERT_EQ(EINVAL, errno);
	mp.state = VIREO_MP_STATE_RUNNABLE;
	mp.padding = 1;
	ASSERT_EQ(-1, ioctl(vcpu->fd, VIREO_SET_MP_STATE, &mp));
	ASSERT_EQ(EINVAL, errno);
	vm_free(vm);
}

/* A signal ends a RUN asleep in HLT; the next RUN goes back to sleep. */
TEST(signal_ends_hlt_sleep)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct vcpu_runner r;

	vm = vm_create_realmode(&msi_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_expect_out(vcpu, 0x12, 1);
	vcpu->run->immediate_exit = 0;
	vcpu_run_async(&r, vcpu);
	ASSERT_FALSE(vcpu_run_ended_within(&r, 200));
	pthread_kill(r.thread, SIGUSR1);
	ASSERT_TRUE(vcpu_run_ended_within(&r, 30000));
	ASSERT_EQ(-1, r.ret);
	ASSERT_EQ(VIREO_EXIT_INTR, vcpu->run->exit_reason);

	vcpu_run_async(&r, vcpu);
	ASSERT_FALSE(vcpu_run_ended_within(&r, 200));
	ASSERT_EQ(1, signal_msi(vm, msi(VEC_MSI, 0, false)));
	ASSERT_TRUE(vcpu_run_ended_within(&r, 30000));
	ASSERT_EQ(VEC_MSI, vcpu_expect_out(vcpu, 0x10, 1));
	vm_free(vm);
}

static void on_sigusr1(int sig)
{
}

static void __attribute__((constructor)) install_handler(void)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };

	sigaction(SIGUSR1, &sa, NULL);
}

TEST_HARNESS_MAIN
