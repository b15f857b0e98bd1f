// SPDX-License-Identifier: GPL-2.0
/*
 * The run loop, and the exits every backend hands to the core: those that
 * go to userspace through the run area and those the kernel answers itself.
 */
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/mce.h>
#include <asm/processor-flags.h>

#include "vireo.h"

#define X86_VEC_UD	6
#define X86_VEC_GP	13

/*
 * A machine check the guest's exit took instead of the host (#MC is
 * intercepted, or it came during VM entry): hand it to the host's handler
 * as KVM's kvm_machine_check() does, from a context that looks like user
 * mode so that it may recover by killing the VM process rather than
 * panicking.  Interrupts are still off, so this is the CPU that saw it.
 */
void vireo_machine_check(void)
{
#if defined(CONFIG_X86_MCE)
	struct pt_regs regs = {
		.cs = 3,
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
}

static int vireo_complete_userspace_exit(struct vireo_vcpu *vcpu)
{
	enum vireo_pending pending = vcpu->pending;

	vcpu->pending = VIREO_PENDING_NONE;
	switch (pending) {
	case VIREO_PENDING_PIO_IN:
		return vireo_complete_pio_in(vcpu);
	case VIREO_PENDING_HYPERCALL:
		vcpu->regs[VIREO_REG_RAX] = READ_ONCE(vcpu->run->hypercall.ret);
		return 1;
	case VIREO_PENDING_MMIO_READ:
		return vireo_complete_mmio_read(vcpu);
	case VIREO_PENDING_NONE:
		break;
	}
	return 1;
}

/*
 * Returns to userspace when an exit needs it, when a signal is pending (so
 * a device-model thread can kick its vCPU), or on error; gives the CPU to
 * the scheduler whenever it asks.
 */
static int vireo_vcpu_run_loop(struct vireo_vcpu *vcpu)
{
	struct vireo_run *run = vcpu->run;
	unsigned long switches, now;
	int r;

	run->exit_reason = VIREO_EXIT_NONE;
	r = vireo_complete_userspace_exit(vcpu);
	if (r <= 0)
		return r;
	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = VIREO_EXIT_INTR;
		return -EINTR;
	}
	/*
	 * Every context switch since the last entry counts, wherever it
	 * happened (the exit handling runs with preemption on): compared
	 * right before each entry.
	 */
	switches = current->nvcsw + current->nivcsw;
	vcpu->host_ran = true;
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = VIREO_EXIT_INTR;
			return -EINTR;
		}
		cond_resched();
		r = vireo_vcpu_prepare(vcpu);
		if (r == -EINTR)
			run->exit_reason = VIREO_EXIT_INTR;
		if (r <= 0)
			return r;
		now = current->nvcsw + current->nivcsw;
		if (now != switches) {
			vcpu->host_ran = true;
			switches = now;
		}
		r = vireo_ops.vcpu_run_once(vcpu);
		run->exit_count++;
		WRITE_ONCE(vcpu->exits, vcpu->exits + 1);
		if (r <= 0) {
			vireo_count_exit(vcpu, VIREO_STAT_USER);
			return r;
		}
		if (vcpu->eoi_exit_pending) {
			vcpu->eoi_exit_pending = false;
			run->exit_reason = VIREO_EXIT_EOI;
			memset(&run->eoi, 0, sizeof(run->eoi));
			run->eoi.vector = vcpu->eoi_exit_vector;
			return 0;
		}
	}
}

/*
 * With interrupts enabled HLT sleeps in the kernel until the LAPIC has
 * something (vireo_vcpu_prepare()).  With them disabled only NMI, INIT or
 * SMI could wake the CPU, so userspace hears of it: that is how a ROM or a
 * panicked guest stops.
 */
int vireo_exit_hlt(struct vireo_vcpu *vcpu, u64 next_rip)
{
	vireo_count_exit(vcpu, VIREO_STAT_HLT);
	vcpu->rip = next_rip;
	if (vcpu->rflags & X86_EFLAGS_IF) {
		vcpu->mp_state = VIREO_MP_STATE_HALTED;
		return 1;
	}
	vcpu->run->exit_reason = VIREO_EXIT_HLT;
	return 0;
}

int vireo_exit_mmio(struct vireo_vcpu *vcpu, u64 gpa, bool write, bool fetch)
{
	struct vireo_run *run = vcpu->run;

	run->exit_reason = VIREO_EXIT_MMIO;
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->mmio.phys_addr = gpa;
	run->mmio.is_write = write;
	run->mmio.is_fetch = fetch;
	return 0;
}

int vireo_exit_shutdown(struct vireo_vcpu *vcpu)
{
	vcpu->run->exit_reason = VIREO_EXIT_SHUTDOWN;
	vireo_vcpu_event(vcpu, VIREO_EVENT_VCPU_SHUTDOWN);
	return 0;
}

int vireo_exit_internal(struct vireo_vcpu *vcpu, u32 suberror, u64 data0,
			u64 data1)
{
	struct vireo_run *run = vcpu->run;

	run->exit_reason = VIREO_EXIT_INTERNAL_ERROR;
	memset(&run->internal, 0, sizeof(run->internal));
	run->internal.suberror = suberror;
	run->internal.ndata = 2;
	run->internal.data[0] = data0;
	run->internal.data[1] = data1;
	vireo_vcpu_event(vcpu, VIREO_EVENT_VCPU_INTERNAL_ERROR);
	return 0;
}

int vireo_exit_hypercall(struct vireo_vcpu *vcpu, u64 next_rip)
{
	struct vireo_run_hypercall *hc = &vcpu->run->hypercall;

	vcpu->run->exit_reason = VIREO_EXIT_HYPERCALL;
	hc->nr = vcpu->regs[VIREO_REG_RAX];
	hc->args[0] = vcpu->regs[VIREO_REG_RBX];
	hc->args[1] = vcpu->regs[VIREO_REG_RCX];
	hc->args[2] = vcpu->regs[VIREO_REG_RDX];
	hc->args[3] = vcpu->regs[VIREO_REG_RSI];
	hc->ret = 0;
	vcpu->rip = next_rip;
	vcpu->pending = VIREO_PENDING_HYPERCALL;
	return 0;
}

static void vireo_inject_vector(struct vireo_vcpu *vcpu, u8 vector,
				bool has_error)
{
	struct vireo_exception e = { .vector = vector, .has_error = has_error };

	vireo_ops.inject_exception(vcpu, &e);
}

void vireo_inject_gp(struct vireo_vcpu *vcpu)
{
	vireo_inject_vector(vcpu, X86_VEC_GP, true);
}

void vireo_inject_ud(struct vireo_vcpu *vcpu)
{
	vireo_inject_vector(vcpu, X86_VEC_UD, false);
}

/*
 * RDMSR/WRMSR: ECX names the MSR, EDX:EAX holds the value (SDM Vol. 2B
 * "RDMSR").  msr.c decides: an MSR it refuses raises #GP, as on a CPU that
 * lacks it.
 */
int vireo_handle_msr(struct vireo_vcpu *vcpu, bool write, u64 next_rip)
{
	u32 msr = vcpu->regs[VIREO_REG_RCX];
	u64 val;
	int r;

	vireo_count_exit(vcpu, VIREO_STAT_MSR);
	if (write) {
		val = (vcpu->regs[VIREO_REG_RDX] << 32) |
		      (u32)vcpu->regs[VIREO_REG_RAX];
		r = vireo_msr_set(vcpu, msr, val);
	} else {
		r = vireo_msr_get(vcpu, msr, &val);
	}
	if (r) {
		vireo_inject_gp(vcpu);
		return 1;
	}
	if (!write) {
		vcpu->regs[VIREO_REG_RAX] = (u32)val;
		vcpu->regs[VIREO_REG_RDX] = val >> 32;
	}
	vcpu->rip = next_rip;
	return 1;
}

static struct vireo_vcpu *pn_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct vireo_vcpu, preempt_notifier);
}

static void vireo_sched_in(struct preempt_notifier *pn, int cpu)
{
}

static void vireo_sched_out(struct preempt_notifier *pn,
			    struct task_struct *next)
{
	struct vireo_vcpu *vcpu = pn_vcpu(pn);

	vcpu->stayed_cpu = -1;
	vireo_ops.vcpu_leave_cpu(vcpu);
}

static struct preempt_ops vireo_preempt_ops = {
	.sched_in	= vireo_sched_in,
	.sched_out	= vireo_sched_out,
};

void vireo_vcpu_preempt_init(struct vireo_vcpu *vcpu)
{
	preempt_notifier_init(&vcpu->preempt_notifier, &vireo_preempt_ops);
	vcpu->stayed_cpu = -1;
}

/*
 * Interrupts off, right before an entry on @cpu: whether the vCPU's thread
 * has stayed on @cpu since the vCPU's last entry, so that nothing but
 * interrupts ran there in between.  The backends use it to tell when
 * another hypervisor may have run a guest on the CPU (docs/coexistence.md).
 */
bool vireo_vcpu_stayed(struct vireo_vcpu *vcpu, int cpu)
{
	bool stayed = vcpu->stayed_cpu == cpu;

	vcpu->stayed_cpu = cpu;
	return stayed;
}

/*
 * The run loop, with the backend told each time the thread may leave the
 * CPU (KVM's vcpu_load()/vcpu_put() preempt notifier): when it is switched
 * out, and before it returns to userspace.
 */
int vireo_vcpu_run(struct vireo_vcpu *vcpu)
{
	int r;

	preempt_disable();
	/*
	 * Between two VIREO_RUNs the thread may have run another
	 * hypervisor's guest itself (KVM_RUN): each VIREO_RUN starts as if
	 * it had left the CPU.
	 */
	vcpu->stayed_cpu = -1;
	preempt_notifier_register(&vcpu->preempt_notifier);
	preempt_enable();
	r = vireo_vcpu_run_loop(vcpu);
	preempt_disable();
	preempt_notifier_unregister(&vcpu->preempt_notifier);
	vireo_ops.vcpu_leave_cpu(vcpu);
	preempt_enable();
	return r;
}
