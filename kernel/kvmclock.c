// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's paravirtual clock, as VirtualBox offers it to Linux guests
 * ("--paravirtprovider kvm"): a guest that finds KVM's CPUID signature
 * registers a 32-byte pvclock area per vCPU with MSR_KVM_SYSTEM_TIME(_NEW),
 * and reads the time from it and RDTSC, without an exit:
 *
 *	ns = system_time + ((tsc - tsc_timestamp) << tsc_shift) * mul >> 32
 *
 * (tsc_shift is a right shift when negative).  The ABI is Linux's
 * Documentation/virt/kvm/x86/msr.rst and <asm/pvclock-abi.h>; the CPUID
 * leaves are <uapi/asm/kvm_para.h>, placed at 0x40000100 beside Vireo's own
 * at 0x40000000 (Linux and FreeBSD scan 0x40000000-0x4000ff00 in steps of
 * 0x100 for each hypervisor they know, as with QEMU's Hyper-V + KVM).
 *
 * Every vCPU of a VM shares one TSC offset (vm.c), and the guest's TSC
 * starts at zero when the VM is created: kvmclock is the time since then.
 *
 * When the host's TSC is stable (constant rate, the same on every CPU,
 * never marked unstable), the clock is the guest's TSC scaled: every
 * vCPU's area holds the same (tsc_timestamp 0, system_time 0) pair, so
 * readings on different vCPUs are ordered as the TSC reads are, and the
 * areas carry PVCLOCK_TSC_STABLE_BIT, which lets the guest skip its global
 * last-value guard and read the clock in the vDSO.  That is KVM's "master
 * clock" with the master pair taken when the TSC is zero.
 *
 * Otherwise (the TSC may jump or drift between host CPUs), each vCPU's pair
 * is taken from the host's boot-time clock whenever the vCPU enters on
 * another host CPU, and once a second on the same one; the stable bit is
 * clear, and the guest keeps the clock monotonic across its vCPUs (and
 * across a new pair) itself, as with KVM on such a host.
 *
 * Not handled, as in the rest of Vireo: a host TSC reset by suspend to RAM
 * (the guest's TSC, and so kvmclock, would jump).
 *
 * The areas are written before entry, never while their vCPU runs, with the
 * version protocol (odd while the fields change) for readers on other
 * vCPUs.  An area outside writable guest RAM is left alone, as KVM does.
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/timekeeping.h>
#include <asm/kvm_para.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>

#include "vireo.h"

#define KVMCLOCK_ENABLE		BIT_ULL(0)	/* KVM_MSR_ENABLED */

/*
 * The scale from TSC ticks to nanoseconds, in pvclock's form: the TSC
 * frequency times 2^shift lands in (1 GHz, 2 GHz], so mul = 10^9 * 2^32 /
 * that is below 2^32 and keeps at least 31 significant bits.
 */
static void kvmclock_scale(u64 tsc_hz, s8 *shift, u32 *mul)
{
	u64 base = tsc_hz;
	s8 s = 0;

	while (base <= NSEC_PER_SEC) {
		base <<= 1;
		s++;
	}
	while (base > 2 * NSEC_PER_SEC) {
		base >>= 1;
		s--;
	}
	*shift = s;
	*mul = div64_u64((u64)NSEC_PER_SEC << 32, base);
}

static u64 kvmclock_scale_delta(u64 delta, s8 shift, u32 mul)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return mul_u64_u32_shr(delta, mul, 32);
}

void vireo_kvmclock_vm_init(struct vireo_vm *vm)
{
	struct vireo_kvmclock_vm *kc = &vm->kvmclock;

	if (tsc_khz)
		kvmclock_scale((u64)tsc_khz * 1000, &kc->shift, &kc->mul);
	/* Taken with the TSC offset (vm.c): kvmclock 0 is guest TSC 0. */
	kc->boot_ns = ktime_get_boottime_ns();
}

/*
 * What kvmclock the guest would read now when the host's TSC is stable,
 * and what it is by the host's clock otherwise.
 */
static bool kvmclock_tsc_stable(void)
{
	return boot_cpu_has(X86_FEATURE_CONSTANT_TSC) && !check_tsc_unstable();
}

/*
 * The KVM feature bits the vCPU's CPUID offers: EAX of the leaf after KVM's
 * signature, wherever userspace put it.
 */
void vireo_kvmclock_cpuid_update(struct vireo_vcpu *vcpu)
{
	u32 i, base = 0, features = 0;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct vireo_cpuid_entry *e = &vcpu->cpuid[i];

		/* "KVMKVMKVM\0\0\0" in EBX, ECX, EDX. */
		if (e->function >= 0x40000000 && e->function < 0x40010000 &&
		    !(e->function & 0xff) && e->ebx == 0x4b4d564b &&
		    e->ecx == 0x564b4d56 && e->edx == 0x4d) {
			base = e->function;
			break;
		}
	}
	for (i = 0; base && i < vcpu->cpuid_nent; i++)
		if (vcpu->cpuid[i].function == base + 1)
			features = vcpu->cpuid[i].eax;
	/* No clock without a known TSC rate: the scale needs it. */
	if (!tsc_khz)
		features &= ~(BIT(KVM_FEATURE_CLOCKSOURCE) |
			      BIT(KVM_FEATURE_CLOCKSOURCE2));
	vcpu->kvm_features = features;
}

/* RESET, INIT, shutdown: the guest registers its area again (as in KVM). */
void vireo_kvmclock_reset(struct vireo_vcpu *vcpu)
{
	u64 updates = vcpu->kvmclock.updates;

	memset(&vcpu->kvmclock, 0, sizeof(vcpu->kvmclock));
	vcpu->kvmclock.updates = updates;
}

/* The MSRs a vCPU's CPUID offers, for msr.c: false raises #GP. */
static bool kvmclock_msr_offered(struct vireo_vcpu *vcpu, u32 msr)
{
	u32 f = vcpu->kvm_features;

	switch (msr) {
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_SYSTEM_TIME:
		return f & BIT(KVM_FEATURE_CLOCKSOURCE);
	case MSR_KVM_WALL_CLOCK_NEW:
	case MSR_KVM_SYSTEM_TIME_NEW:
		return f & BIT(KVM_FEATURE_CLOCKSOURCE2);
	}
	return false;
}

/*
 * Writes @len bytes at @off of the vCPU's area.  The area was checked to
 * lie in one page; a slot removed or made read-only since then makes the
 * write fail, and the area is then forgotten.
 */
static int kvmclock_write(struct vireo_vcpu *vcpu, size_t off,
			  const void *buf, size_t len)
{
	int r = vireo_write_gpa(vcpu->vm, vcpu->kvmclock.gpa + off, buf, len);

	if (r)
		vcpu->kvmclock.enabled = false;
	return r;
}

/* How often an unstable pair is taken again on the same host CPU. */
#define KVMCLOCK_REANCHOR	HZ

static void kvmclock_publish(struct vireo_vcpu *vcpu, bool stable)
{
	struct vireo_kvmclock_vm *kvm = &vcpu->vm->kvmclock;
	struct vireo_kvmclock *c = &vcpu->kvmclock;
	struct pvclock_vcpu_time_info t = { 0 };
	u32 gen = READ_ONCE(vcpu->vm->clock.gen);
	unsigned long flags;
	int cpu = -1;
	u32 version;

	if (stable) {
		c->tsc_timestamp = 0;
		c->system_time = 0;
	} else {
		/*
		 * The TSC of this CPU and the host's clock, together; the
		 * entry (vireo_kvmclock_entry_ok()) happens on this CPU or
		 * the pair is taken again.
		 */
		local_irq_save(flags);
		cpu = smp_processor_id();
		c->tsc_timestamp = vireo_guest_tsc(vcpu->vm);
		c->system_time = vireo_guest_boottime_ns(vcpu->vm) -
				 kvm->boot_ns;
		local_irq_restore(flags);
	}
	/*
	 * Odd while the fields change (<asm/pvclock.h> readers retry), and
	 * counting on from what the area holds, as KVM does: a reader that
	 * saw the version before a re-registration must not see it again.
	 */
	if (vireo_read_gpa(vcpu->vm, c->gpa, &version, sizeof(version))) {
		c->enabled = false;
		return;
	}
	version = (version + 1) | 1;
	if (kvmclock_write(vcpu, 0, &version, sizeof(version)))
		return;
	/* The odd version is visible before any field changes. */
	smp_wmb();
	t.tsc_timestamp = c->tsc_timestamp;
	t.system_time = c->system_time;
	t.tsc_to_system_mul = kvm->mul;
	t.tsc_shift = kvm->shift;
	t.flags = stable ? PVCLOCK_TSC_STABLE_BIT : 0;
	version++;
	if (kvmclock_write(vcpu, offsetof(typeof(t), tsc_timestamp),
			   &t.tsc_timestamp, sizeof(t) - sizeof(t.version) -
			   sizeof(t.pad0))) {
		/* Best effort: an odd version would keep readers spinning. */
		vireo_write_gpa(vcpu->vm, c->gpa, &version, sizeof(version));
		return;
	}
	/* The fields are visible before the even version. */
	smp_wmb();
	if (kvmclock_write(vcpu, 0, &version, sizeof(version)))
		return;
	c->stable = stable;
	c->cpu = cpu;
	c->time_gen = gen;
	c->anchored = jiffies;
	c->dirty = false;
	c->updates++;
}

/*
 * Before each entry, preemption on (the area is guest memory behind the VM
 * process's pages).  Cheap when nothing changed: a few loads and compares.
 * Without a stable TSC the pair is taken again on another host CPU (whose
 * TSC may differ), and every KVMCLOCK_REANCHOR on the same one (so that an
 * error in the TSC's rate stays bounded), as KVM does without its master
 * clock: the vCPU's clock follows the host's, and the guest orders its
 * vCPUs' readings itself.
 */
void vireo_kvmclock_prepare(struct vireo_vcpu *vcpu)
{
	struct vireo_kvmclock *c = &vcpu->kvmclock;
	bool stable;

	if (!c->enabled)
		return;
	stable = kvmclock_tsc_stable();
	/* Guest time ran again after a stop: anchor the pair anew. */
	if (c->dirty || stable != c->stable ||
	    c->time_gen != READ_ONCE(vcpu->vm->clock.gen) ||
	    (!stable && (c->cpu != raw_smp_processor_id() ||
			 time_after(jiffies, c->anchored + KVMCLOCK_REANCHOR))))
		kvmclock_publish(vcpu, stable);
}

/*
 * Interrupts off, right before entry: false when an unstable pair was taken
 * on another CPU (the thread moved after vireo_kvmclock_prepare()); the
 * run loop then prepares again.
 */
bool vireo_kvmclock_entry_ok(struct vireo_vcpu *vcpu)
{
	const struct vireo_kvmclock *c = &vcpu->kvmclock;

	return !c->enabled || c->dirty || c->stable ||
	       c->cpu == smp_processor_id();
}

/* The guest's kvmclock now, as its vCPUs read it. */
static u64 kvmclock_now(struct vireo_vm *vm)
{
	struct vireo_kvmclock_vm *kvm = &vm->kvmclock;

	if (kvmclock_tsc_stable())
		return kvmclock_scale_delta(vireo_guest_tsc(vm),
					    kvm->shift, kvm->mul);
	return vireo_guest_boottime_ns(vm) - kvm->boot_ns;
}

/*
 * MSR_KVM_WALL_CLOCK(_NEW): the guest names a struct pvclock_wall_clock and
 * the host writes there, once, the wall-clock time at which kvmclock was
 * zero (msr.rst).  The version is the guest's own, made odd and then even.
 */
static void kvmclock_write_wall(struct vireo_vcpu *vcpu, u64 gpa)
{
	struct vireo_vm *vm = vcpu->vm;
	struct pvclock_wall_clock w;
	struct timespec64 ts;
	u32 version;

	if (offset_in_page(gpa) > PAGE_SIZE - sizeof(w))
		return;
	if (vireo_read_gpa(vm, gpa, &version, sizeof(version)))
		return;
	version = (version + 1) | 1;
	if (vireo_write_gpa(vm, gpa, &version, sizeof(version)))
		return;
	/* The odd version is visible before the time changes. */
	smp_wmb();
	ts = ns_to_timespec64(ktime_get_real_ns() - kvmclock_now(vm));
	w.sec = ts.tv_sec;
	w.nsec = ts.tv_nsec;
	if (vireo_write_gpa(vm, gpa + offsetof(typeof(w), sec), &w.sec,
			    sizeof(w.sec) + sizeof(w.nsec)))
		return;
	/* The time is visible before the even version. */
	smp_wmb();
	version++;
	vireo_write_gpa(vm, gpa, &version, sizeof(version));
}

/*
 * MSR_KVM_SYSTEM_TIME(_NEW): bit 0 enables, the rest is the area's
 * guest-physical address.  Any value is accepted and read back (as KVM
 * does); an area that crosses a page or is not in writable guest RAM is
 * never written.
 */
static void kvmclock_set_system_time(struct vireo_vcpu *vcpu, u64 val)
{
	struct vireo_kvmclock *c = &vcpu->kvmclock;
	u64 gpa = val & ~KVMCLOCK_ENABLE;

	c->msr = val;
	c->enabled = false;
	if (!(val & KVMCLOCK_ENABLE) ||
	    offset_in_page(gpa) > PAGE_SIZE -
				  sizeof(struct pvclock_vcpu_time_info))
		return;
	c->gpa = gpa;
	c->enabled = true;
	c->dirty = true;
}

int vireo_kvmclock_get_msr(struct vireo_vcpu *vcpu, u32 msr, u64 *val)
{
	if (!kvmclock_msr_offered(vcpu, msr))
		return -EINVAL;
	if (msr == MSR_KVM_SYSTEM_TIME || msr == MSR_KVM_SYSTEM_TIME_NEW)
		*val = vcpu->kvmclock.msr;
	else
		*val = vcpu->vm->kvmclock.wall_msr;
	return 0;
}

int vireo_kvmclock_set_msr(struct vireo_vcpu *vcpu, u32 msr, u64 val)
{
	if (!kvmclock_msr_offered(vcpu, msr))
		return -EINVAL;
	if (msr == MSR_KVM_SYSTEM_TIME || msr == MSR_KVM_SYSTEM_TIME_NEW) {
		kvmclock_set_system_time(vcpu, val);
	} else {
		WRITE_ONCE(vcpu->vm->kvmclock.wall_msr, val);
		kvmclock_write_wall(vcpu, val);
	}
	return 0;
}
