/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one list of backend operations: the seam between the core (the .c
 * files of kernel/) and a hardware backend (kernel/svm/, kernel/vmx/).
 * struct vireo_backend_ops is generated from it, as KVM does with
 * kvm-x86-ops.h.
 *
 * VIREO_OP(return type, name, (arguments));
 */
/* Per-CPU virtualization on/off; runs on the CPU concerned. */
VIREO_OP(int, hw_enable_cpu, (void));
VIREO_OP(void, hw_disable_cpu, (void));
/*
 * The host goes to sleep (syscore suspend, the last CPU online, interrupts
 * off), reboots (every CPU) or wakes up (the same CPU): leave
 * virtualization if Vireo holds it, and take it again on resume if it did.
 */
VIREO_OP(void, hw_suspend_cpu, (void));
VIREO_OP(void, hw_resume_cpu, (void));
/* Backend part of a vCPU: the core allocated backend->vcpu_size bytes. */
VIREO_OP(int, vcpu_create, (struct vireo_vcpu *vcpu));
VIREO_OP(void, vcpu_free, (struct vireo_vcpu *vcpu));
/* The ASID or VPID the vCPU last ran with; 0: untagged (debugfs). */
VIREO_OP(u32, vcpu_tlb_tag, (struct vireo_vcpu *vcpu));
/*
 * The backend's part of the state after RESET (SDM Vol. 3A 10.1.1, APM
 * Vol. 2 14.1.3); vireo_vcpu_reset() does the GPRs, RIP, RFLAGS and FPU.
 */
VIREO_OP(void, vcpu_reset, (struct vireo_vcpu *vcpu));
/*
 * Enter the guest once and handle the exit.  Returns > 0 to re-enter,
 * 0 when vcpu->run describes an exit for userspace, < 0 an errno.
 */
VIREO_OP(int, vcpu_run_once, (struct vireo_vcpu *vcpu));
/*
 * The vCPU's thread may leave this CPU (switched out, or back to
 * userspace), preemption disabled: whatever another hypervisor must not
 * find on the CPU goes now (docs/coexistence.md).
 */
VIREO_OP(void, vcpu_leave_cpu, (struct vireo_vcpu *vcpu));
/* CR4 as the guest sees it, for CPUID's OSXSAVE and OSPKE bits. */
VIREO_OP(u64, get_cr4, (struct vireo_vcpu *vcpu));
VIREO_OP(void, get_sregs, (struct vireo_vcpu *vcpu, struct vireo_sregs *s));
/* s was checked by vireo_sregs_valid(); the backend may refuse more. */
VIREO_OP(int, set_sregs, (struct vireo_vcpu *vcpu, const struct vireo_sregs *s));
/*
 * Only the segment registers, TR and LDTR of s (the emulator's segment
 * loads): no control register, no TLB flush, no PDPTE reload.
 */
VIREO_OP(void, set_segs, (struct vireo_vcpu *vcpu, const struct vireo_sregs *s));
/* MSRs the backend keeps in its control block; -ENOENT: not one of those. */
VIREO_OP(int, get_msr, (struct vireo_vcpu *vcpu, u32 msr, u64 *val));
VIREO_OP(int, set_msr, (struct vireo_vcpu *vcpu, u32 msr, u64 val));
VIREO_OP(void, inject_exception, (struct vireo_vcpu *vcpu,
				  const struct vireo_exception *e));
/*
 * Interrupt injection (events.c).  interrupt_allowed: RFLAGS.IF set, no
 * STI/MOV SS shadow and no event already queued for the next entry.  The
 * window asks for an exit as soon as that becomes true.
 */
VIREO_OP(bool, interrupt_allowed, (struct vireo_vcpu *vcpu));
VIREO_OP(void, inject_irq, (struct vireo_vcpu *vcpu, u8 vector));
VIREO_OP(void, enable_irq_window, (struct vireo_vcpu *vcpu));
/*
 * A request of priority class @class waits only for the guest's TPR:
 * make the guest's next MOV to CR8 exit, where it does not anyway (it
 * always does on VMX; xAPIC and x2APIC TPR writes always exit).
 */
VIREO_OP(void, enable_tpr_window, (struct vireo_vcpu *vcpu, u8 class));
VIREO_OP(bool, nmi_allowed, (struct vireo_vcpu *vcpu));
VIREO_OP(void, inject_nmi, (struct vireo_vcpu *vcpu));
