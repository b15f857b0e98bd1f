/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core's private view of VMs and vCPUs.  Backends include this header;
 * the core never includes a backend's.
 */
#ifndef VIREO_H
#define VIREO_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/seqlock.h>
#include <linux/ktime.h>
#include <linux/preempt.h>
#include <linux/wait.h>
#include <linux/smp.h>
#include <linux/refcount.h>
#include <linux/xarray.h>
#include <linux/mm_types.h>
#include <linux/vireo.h>
#include <asm/fpu/types.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "regs.h"
#include "lapic.h"
#include "emulate/emulate.h"
#include "msr.h"
#include "npt/npt.h"

/* DR7 general detect (SDM Vol. 3B 18.2.4); Linux defines it for KVM only. */
#define VIREO_DR7_GD		BIT(13)

#define VIREO_MAX_VCPUS		64
#define VIREO_MAX_MEMSLOTS	32
/* KVM's bound for its I/O buses (NR_IOBUS_DEVS); MSI-X vectors per VM. */
#define VIREO_MAX_IOEVENTFDS	1000
#define VIREO_MAX_IRQFDS	1024
#define VIREO_MAX_CPUID		256
/* 4-level nested tables translate 48-bit guest-physical addresses. */
#define VIREO_GPA_BITS		48
#define VIREO_RUN_PAGES		2

struct vireo_vcpu;

/* Exit reasons counted per vCPU, in VIREO_A_VCPU_EXITS_IO's order. */
enum vireo_exit_stat {
	VIREO_STAT_IO, VIREO_STAT_MMIO, VIREO_STAT_HLT, VIREO_STAT_CPUID,
	VIREO_STAT_MSR, VIREO_STAT_NPF, VIREO_STAT_USER, VIREO_STAT_NR,
};

/*
 * CR4 bits a vCPU may ever have (SET_SREGS); the guest's own MOV to CR4 is
 * held to those its CPUID offers (vireo_cr4_guest_valid()).
 */
#define VIREO_CR4_ALLOWED (X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD |	\
			   X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE |	\
			   X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE |	\
			   X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |	\
			   X86_CR4_UMIP | X86_CR4_FSGSBASE |		\
			   X86_CR4_PCIDE | X86_CR4_OSXSAVE |		\
			   X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE)
/* The EFER bits a guest may hold (guest_state.c); SVME is the host's. */
#define VIREO_EFER_ALLOWED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

struct vireo_exception {
	u8 vector;
	bool has_error;
	u32 error;
	u64 cr2;		/* #PF only */
};

struct vireo_backend_ops {
#define VIREO_OP(ret, name, args) ret(*name)args
#include "backend_ops.h"
#undef VIREO_OP
};

/* What a backend tells the core about itself at probe time. */
struct vireo_backend {
	const char *name;
	u32 id;				/* VIREO_BACKEND_* */
	size_t vcpu_size;		/* the backend's vCPU, vireo_vcpu first */
	u32 nr_tlb_tags;		/* ASIDs or VPIDs */
	/*
	 * The guest can run XSAVES/XRSTORS whatever its CPUID says (AMD-V
	 * has no control for them): IA32_XSS must be the guest's (0) then.
	 */
	bool guest_xsaves;
	const struct npt_format *npt_format;
	const struct vireo_backend_ops *ops;
	void (*exit)(void);		/* undo probe, at module unload */
};

extern struct vireo_backend vireo_backend;
extern struct vireo_backend_ops vireo_ops;

/*
 * Each backend's probe: 0 with *b filled; -ENODEV when the CPU is not of its
 * vendor; another errno (after a message) when it is but cannot be used.
 */
int svm_probe(struct vireo_backend *b);
int vmx_probe(struct vireo_backend *b);

struct vireo_memslot {
	u64 base_gfn;
	u64 npages;
	unsigned long uaddr;
	u32 flags;
	/*
	 * Pinned pages by index in the slot, filled on first fault: the
	 * kernel memory a slot costs follows what the guest touched, not
	 * its size (memslot.c).
	 */
	struct xarray pinned;
};

/* kvmclock.c: the VM's side of KVM's paravirtual clock. */
struct vireo_kvmclock_vm {
	u64 boot_ns;		/* host boot-time clock at guest TSC 0 */
	u64 wall_msr;		/* MSR_KVM_WALL_CLOCK(_NEW), as written */
	u32 mul;		/* TSC ticks to ns, pvclock's scale */
	s8 shift;
};

/* kvmclock.c: a vCPU's pvclock area and what was last written there. */
struct vireo_kvmclock {
	u64 msr;		/* MSR_KVM_SYSTEM_TIME(_NEW), as written */
	u64 gpa;
	u64 tsc_timestamp;	/* the pair in the area */
	u64 system_time;
	u64 updates;		/* areas written (debugfs) */
	unsigned long anchored;	/* jiffies at the last write */
	int cpu;		/* the host CPU whose TSC the pair is from */
	u32 time_gen;		/* vm->clock.gen when it was written */
	bool enabled;		/* bit 0 set, and the area fits a page */
	bool dirty;		/* to be written before the next entry */
	bool stable;		/* the area has PVCLOCK_TSC_STABLE_BIT */
};

/*
 * guest_time.c: guest time stopped and started for the whole VM
 * (VIREO_SET_GUEST_TIME).  Guest time is host time less the time it stood
 * still; the seqlock keeps its readers (hrtimer callbacks among them)
 * from seeing half a change.
 */
struct vireo_guest_clock {
	struct mutex lock;		/* one SET at a time */
	seqlock_t seq;			/* the fields below, tsc_offset */
	bool frozen;			/* the clocks stand at the stop */
	u64 stop_ns;			/* host CLOCK_MONOTONIC at the stop */
	u64 stop_boot_ns;		/* host CLOCK_BOOTTIME at the stop */
	u64 stop_tsc;			/* host TSC at the stop */
	u64 paused_ns;			/* monotonic time stood still, in all */
	u64 paused_boot_ns;		/* the same in CLOCK_BOOTTIME */
	u64 stops;
	/* No vCPU enters the guest while set; they wait on wq. */
	bool stopped;
	wait_queue_head_t wq;
	u32 gen;			/* bumped by each start (kvmclock) */
};

struct vireo_vm {
	refcount_t refs;		/* the VM fd and each vCPU fd */
	/* netlink.c: its number, maker and birth, for VIREO_CMD_LIST_VMS. */
	u32 id;				/* 0 until registered */
	pid_t pid;
	kuid_t uid;
	u64 created_ns;
	/* Pages in its slots: written under mmu_lock, read without. */
	u64 memory_pages;
	struct mm_struct *mm;		/* slots are addresses in this mm */
	/*
	 * Pinned pages are charged to the creator's user (user->locked_vm,
	 * as io_uring's and VFIO's pins), against RLIMIT_MEMLOCK
	 * (memslot.c), for as long as they are pinned: locked_pages of them,
	 * under mmu_lock.
	 */
	struct user_struct *user;
	unsigned long locked_pages;
	struct mutex lock;		/* vcpus[] */
	struct vireo_vcpu *vcpus[VIREO_MAX_VCPUS];
	struct mutex mmu_lock;		/* slots[], npt */
	struct vireo_memslot slots[VIREO_MAX_MEMSLOTS];
	struct npt npt;
	/* Bumped when nested-page entries go away; see vireo_mmu_flush(). */
	u64 tlb_gen;
	struct dentry *debugfs;
	/*
	 * Guest TSC = host TSC + tsc_offset, the same for every vCPU; moved
	 * back by each stop of guest time (guest_time.c).
	 */
	u64 tsc_offset;
	struct vireo_guest_clock clock;
	/* MSRs the guest was refused, each logged once (msr.c). */
	u64 msr_logged[VIREO_MSR_LOG_SLOTS];
	struct vireo_kvmclock_vm kvmclock;
	/* ioeventfd.c: replaced whole under ioeventfd_lock, read under RCU. */
	struct vireo_ioeventfds __rcu *ioeventfds;
	struct mutex ioeventfd_lock;
	/* irqfd.c: assign/deassign under irqfd_mutex; the list under irqfd_lock. */
	struct mutex irqfd_mutex;
	spinlock_t irqfd_lock;
	struct list_head irqfds;
	unsigned int nr_irqfds;
};

enum vireo_pending {
	VIREO_PENDING_NONE,
	VIREO_PENDING_PIO_IN,
	VIREO_PENDING_HYPERCALL,
	VIREO_PENDING_MMIO_READ,
};

/* A port-I/O instruction as a backend decoded it from its exit. */
struct vireo_pio {
	u16 port;
	u8 size;		/* 1, 2, 4 */
	bool in;
	bool string;
	bool rep;
	u8 addr_bytes;		/* string: address size 2, 4, 8; 0: decode */
	s8 seg;			/* string OUTS: VIREO_SEG_*, or -1: decode */
	u64 next_rip;
	u32 count;		/* string: elements this exit carries */
};

enum vireo_seg {
	VIREO_SEG_ES, VIREO_SEG_CS, VIREO_SEG_SS,
	VIREO_SEG_DS, VIREO_SEG_FS, VIREO_SEG_GS,
};

struct vireo_vcpu {
	struct vireo_vm *vm;
	u32 id;
	struct mutex mutex;		/* one ioctl at a time */
	struct preempt_notifier preempt_notifier;	/* run.c */
	/*
	 * run.c: the CPU the vCPU last entered the guest on, while its
	 * thread has not left that CPU within this VIREO_RUN (-1 once it may
	 * have): another hypervisor can only have run a guest there in
	 * between if it did.
	 */
	int stayed_cpu;
	struct page *run_pages[VIREO_RUN_PAGES];
	struct vireo_run *run;
	void *io_data;			/* VIREO_RUN_IO_DATA_OFFSET */

	/* Guest GPRs; the backend syncs RSP/RAX with its control block. */
	u64 regs[VIREO_NR_REGS];
	u64 rip;
	u64 rflags;

	struct vireo_cpuid_entry *cpuid;
	u32 cpuid_nent;
	struct vireo_msrs msrs;		/* the core's MSRs (msr.c) */

	/*
	 * The host ran more than the world switch since the last entry: the
	 * VM process (RUN was called again) or another task (the vCPU
	 * thread slept or was preempted).  Backends use it to decide
	 * whether host data may sit in caches the guest could probe (the
	 * L1D flush of VT-x).
	 */
	bool host_ran;

	enum vireo_pending pending;
	struct vireo_pio pio;		/* the IN that waits for userspace */

	/* guest_fpu.c: the XSAVE (or FXSAVE) area, XCR0 and PKRU. */
	struct fxregs_state *guest_fpu;
	u64 xcr0;
	u32 guest_pkru;
	u32 host_pkru;			/* while the guest runs */

	/* From the guest's CPUID (cpuid.c): what it may enable. */
	u64 guest_xcr0_mask;
	u64 cr4_guest_rsvd;
	u32 kvm_features;		/* KVM_FEATURE_* bits (kvmclock.c) */
	struct vireo_kvmclock kvmclock;

	/* debugreg.c: DR0-DR3 and DR6, switched lazily. */
	u64 db[4];
	u64 dr6;
	bool dr_guest_owned;		/* MOV DR not intercepted */
	bool dr_loaded;			/* db[] is in the hardware */

	struct dentry *debugfs;

	/* Exit counts, for netlink (netlink.c): all, and by reason. */
	u64 exits;
	u64 exit_stats[VIREO_STAT_NR];

	/* MMIO emulation (mmio.c), kept across a read from userspace. */
	struct emul_ctx emul;
	struct vireo_sregs mmio_sregs;
	u64 mmio_gpa;
	/* The access crossed a page: mmio_gpa is not its address (mmio.c). */
	bool mmio_split;
	/*
	 * The emulated instruction loaded SS: the backend keeps interrupts
	 * out until the next instruction completes (SDM Vol. 3A 6.8.3).
	 */
	bool mov_ss_shadow;
	/*
	 * The exit came while the CPU delivered an event (the backend
	 * injects it again): the instruction at RIP did not cause it.
	 */
	bool delivering_event;

	/* Interrupts: events.c and lapic.c. */
	struct vireo_lapic lapic;
	unsigned long events;		/* VIREO_EV_* bits */
	u8 sipi_vector;
	u32 mp_state;			/* VIREO_MP_STATE_* */
	bool eoi_exit_pending;		/* a level vector's EOI for userspace */
	u8 eoi_exit_vector;
	bool kick_pending;		/* see vireo_vcpu_kick() */
	int mode;			/* VIREO_MODE_* */
	int cpu;			/* where it last entered the guest */
	wait_queue_head_t wq;		/* HLT and WAIT_SIPI sleep here */
	call_single_data_t kick_csd;	/* the kick's IPI */
};

/* vcpu->events: set by other threads, consumed by the run loop. */
enum {
	VIREO_EV_NMI,
	VIREO_EV_INIT,
	VIREO_EV_SIPI,
};

enum {
	VIREO_MODE_OUTSIDE,
	VIREO_MODE_IN_GUEST,
	VIREO_MODE_EXITING,
};

/* main.c: module-wide accounting, shown in /sys/class/misc/vireo/. */
struct page *vireo_alloc_page(void);
void vireo_free_page(struct page *page);
void vireo_stat_pinned(long delta);
void vireo_stat_vms(int delta);
void vireo_stat_vcpus(int delta);

/*
 * events.c: kicks, sleeping in HLT and WAIT_SIPI, and injecting what the
 * LAPIC has pending.  Backends call vireo_guest_enter() with interrupts
 * off right before entering the guest (false: do not enter, return 1) and
 * vireo_guest_exit() right after.
 */
void vireo_vcpu_kick(struct vireo_vcpu *vcpu);
void vireo_kick_init(struct vireo_vcpu *vcpu);
void vireo_kick_sync(struct vireo_vcpu *vcpu);
bool vireo_guest_enter(struct vireo_vcpu *vcpu);
void vireo_guest_exit(struct vireo_vcpu *vcpu);
int vireo_vcpu_prepare(struct vireo_vcpu *vcpu);
int vireo_msi_decode(u64 address, u32 data, struct lapic_irq *irq);

/* Add 1 to an eventfd (ioeventfd.c: the call changed in Linux 6.8). */
struct eventfd_ctx;
void vireo_eventfd_signal(struct eventfd_ctx *ctx);
int vireo_signal_msi(struct vireo_vm *vm, const struct vireo_msi *msi);

/*
 * ioeventfd.c, irqfd.c: guest writes that signal eventfds, eventfds that
 * send MSIs (docs/ioctl-api.md, "ioeventfd and irqfd").
 */
bool vireo_ioeventfd_write(struct vireo_vm *vm, bool pio, u64 addr,
			   const void *data, u32 len);
int vireo_ioeventfd(struct vireo_vm *vm, void __user *argp);
void vireo_ioeventfd_free(struct vireo_vm *vm);
int vireo_irqfd(struct vireo_vm *vm, void __user *argp);
void vireo_irqfd_vm_free(struct vireo_vm *vm);
int vireo_irqfd_init(void);
void vireo_irqfd_exit(void);
int vireo_get_mp_state(struct vireo_vcpu *vcpu, void __user *arg);
int vireo_set_mp_state(struct vireo_vcpu *vcpu, void __user *arg);

/* debugfs.c: /sys/kernel/debug/vireo/, for tests and debugging. */
void vireo_debugfs_init(void);
void vireo_debugfs_exit(void);
void vireo_debugfs_vm_add(struct vireo_vm *vm, int fd);
void vireo_debugfs_vm_remove(struct vireo_vm *vm);
void vireo_debugfs_vcpu_add(struct vireo_vcpu *vcpu);
void vireo_debugfs_vcpu_remove(struct vireo_vcpu *vcpu);

/* hw.c: virtualization is on while a VM exists. */
int vireo_hw_get(void);
void vireo_hw_put(void);

/* vm.c */
int vireo_create_vm(unsigned long arg);
void vireo_vm_put(struct vireo_vm *vm);

/* memslot.c */
int vireo_set_memory_region(struct vireo_vm *vm,
			    const struct vireo_memory_region *r);
struct vireo_memslot *vireo_find_slot(struct vireo_vm *vm, u64 gfn);
void vireo_free_memslots(struct vireo_vm *vm);
int vireo_lock_charge(struct vireo_vm *vm);
void vireo_lock_uncharge(struct vireo_vm *vm, unsigned long pages);

/* mmu.c */
int vireo_mmu_fault(struct vireo_vcpu *vcpu, u64 gpa, bool write, bool fetch);
void vireo_mmu_unmap_slot(struct vireo_vm *vm, struct vireo_memslot *slot);

/* vcpu.c */
int vireo_create_vcpu(struct vireo_vm *vm, unsigned long id);
void vireo_vcpu_free(struct vireo_vcpu *vcpu);
void vireo_vcpu_reset(struct vireo_vcpu *vcpu);
/* guest_state.c: the rules for CR0, CR4 and EFER, in one place. */
bool vireo_sregs_valid(const struct vireo_sregs *s);
bool vireo_cr0_write_valid(const struct vireo_sregs *s, u64 cr0);
bool vireo_efer_write_valid(const struct vireo_sregs *s, u64 efer);
bool vireo_cr4_write_valid(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
			   u64 cr4);
bool vireo_cr4_flushes_tlb(u64 old, u64 new);

/* run.c: the run loop and exits answered by the core. */
int vireo_vcpu_run(struct vireo_vcpu *vcpu);
void vireo_vcpu_preempt_init(struct vireo_vcpu *vcpu);
bool vireo_vcpu_stayed(struct vireo_vcpu *vcpu, int cpu);
void vireo_machine_check(void);
int vireo_exit_hlt(struct vireo_vcpu *vcpu, u64 next_rip);
int vireo_exit_mmio(struct vireo_vcpu *vcpu, u64 gpa, bool write, bool fetch);
int vireo_exit_shutdown(struct vireo_vcpu *vcpu);
int vireo_exit_internal(struct vireo_vcpu *vcpu, u32 suberror, u64 data0,
			u64 data1);
int vireo_exit_hypercall(struct vireo_vcpu *vcpu, u64 next_rip);
int vireo_handle_msr(struct vireo_vcpu *vcpu, bool write, u64 next_rip);
void vireo_inject_gp(struct vireo_vcpu *vcpu);
/* mov_cr.c: a MOV to CR4 or CR8 the backend could not decode, at RIP. */
int vireo_emulate_mov_cr(struct vireo_vcpu *vcpu);
void vireo_inject_ud(struct vireo_vcpu *vcpu);

/* mmio.c: emulate the instruction behind an MMIO fault. */
int vireo_emulate_mmio(struct vireo_vcpu *vcpu, u64 gpa, bool write,
		       bool fetch);
int vireo_complete_mmio_read(struct vireo_vcpu *vcpu);

/* insn_decode.c: the instruction at RIP, for exits that do not decode it. */
enum emul_mode vireo_emul_mode(const struct vireo_sregs *s);
int vireo_decode_at_rip(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
			struct emul_decoded *d, struct vireo_exception *fault);

/* pio.c */
int vireo_handle_pio(struct vireo_vcpu *vcpu, const struct vireo_pio *pio);
int vireo_complete_pio_in(struct vireo_vcpu *vcpu);

/* guest_fpu.c: for the backends' world switch. */
extern u64 vireo_xfeatures;
void vireo_fpu_setup(void);
u32 vireo_xsave_size(u64 xcr0);
int vireo_fpu_init(struct vireo_vcpu *vcpu);
void vireo_fpu_free(struct vireo_vcpu *vcpu);
void vireo_fpu_reset(struct vireo_vcpu *vcpu);
void vireo_fpu_load(struct vireo_vcpu *vcpu);
void vireo_fpu_put(struct vireo_vcpu *vcpu);
void vireo_xstate_load(struct vireo_vcpu *vcpu);
void vireo_xstate_put(struct vireo_vcpu *vcpu);
int vireo_handle_xsetbv(struct vireo_vcpu *vcpu, u64 next_rip);

/*
 * debugreg.c: the guest's DR0-DR3 (and DR6 where the backend's control
 * block lacks it), around the entry with interrupts off.
 * vireo_debugreg_put() returns true when MOV DR must be intercepted again.
 */
void vireo_debugreg_reset(struct vireo_vcpu *vcpu);
void vireo_debugreg_load(struct vireo_vcpu *vcpu, u64 dr7, bool with_dr6);
bool vireo_debugreg_put(struct vireo_vcpu *vcpu, bool with_dr6);
int vireo_exit_mov_dr(struct vireo_vcpu *vcpu);
void vireo_debugreg_db_payload(struct vireo_vcpu *vcpu, u64 payload);

/* cpuid.c */
int vireo_set_cpuid(struct vireo_vcpu *vcpu, void __user *arg);
int vireo_handle_cpuid(struct vireo_vcpu *vcpu, u64 next_rip);
unsigned int vireo_cpuid_maxphyaddr(struct vireo_vcpu *vcpu);
void vireo_cpuid_update(struct vireo_vcpu *vcpu);
bool vireo_cr4_guest_valid(struct vireo_vcpu *vcpu, u64 cr4);
u64 vireo_cr4_host_rsvd(void);

static inline u64 vireo_guest_xcr0_mask(struct vireo_vcpu *vcpu)
{
	return vcpu->guest_xcr0_mask;
}

/*
 * kvmclock.c: KVM's paravirtual clock.  vireo_kvmclock_prepare() runs
 * before each entry, preemption on; the MSR calls return -EINVAL (#GP)
 * when the vCPU's CPUID does not offer the MSR.
 */
void vireo_kvmclock_vm_init(struct vireo_vm *vm);
void vireo_kvmclock_cpuid_update(struct vireo_vcpu *vcpu);
void vireo_kvmclock_reset(struct vireo_vcpu *vcpu);
void vireo_kvmclock_prepare(struct vireo_vcpu *vcpu);
bool vireo_kvmclock_entry_ok(struct vireo_vcpu *vcpu);
int vireo_kvmclock_get_msr(struct vireo_vcpu *vcpu, u32 msr, u64 *val);
int vireo_kvmclock_set_msr(struct vireo_vcpu *vcpu, u32 msr, u64 val);

/*
 * guest_time.c: VIREO_GET/SET_GUEST_TIME, and the guest's clocks, which
 * stand still while its time is stopped.
 */
void vireo_guest_time_init(struct vireo_vm *vm);
int vireo_get_guest_time(struct vireo_vm *vm, void __user *arg);
int vireo_set_guest_time(struct vireo_vm *vm, void __user *arg);
ktime_t vireo_guest_ktime(struct vireo_vm *vm);
u64 vireo_guest_boottime_ns(struct vireo_vm *vm);
u64 vireo_guest_tsc(struct vireo_vm *vm);
bool vireo_guest_time_stopped(struct vireo_vm *vm);
int vireo_guest_time_wait(struct vireo_vm *vm);

/*
 * netlink.c: the "vireo" generic netlink family and the registry of VMs.
 * Register after the VM is whole, unregister before it is taken apart.
 */
int vireo_netlink_init(void);
void vireo_netlink_exit(void);
int vireo_vm_register(struct vireo_vm *vm);
void vireo_vm_unregister(struct vireo_vm *vm);
void vireo_vcpu_event(struct vireo_vcpu *vcpu, u32 event);

/* Only the vCPU's thread counts; netlink reads without a lock. */
static inline void vireo_count_exit(struct vireo_vcpu *vcpu,
				    enum vireo_exit_stat s)
{
	WRITE_ONCE(vcpu->exit_stats[s], vcpu->exit_stats[s] + 1);
}

/* cpuid_policy.c: VIREO_GET_SUPPORTED_CPUID. */
int vireo_get_supported_cpuid(void __user *arg);

/* guest_mem.c: guest-physical and guest-linear memory through the slots. */
int vireo_read_gpa(struct vireo_vm *vm, u64 gpa, void *buf, size_t len);
int vireo_write_gpa(struct vireo_vm *vm, u64 gpa, const void *buf, size_t len);
int vireo_rw_linear(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
		    u64 gva, void *buf, size_t len, bool write,
		    struct vireo_exception *fault);

/* gpt_walk.c: the guest's own page tables. */
int vireo_gva_to_gpa(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
		     u64 gva, bool write, u64 *gpa,
		     struct vireo_exception *fault);
int vireo_gva_to_gpa_as(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
			u64 gva, bool write, bool user, u64 *gpa,
			struct vireo_exception *fault);

static inline bool vireo_long_mode(const struct vireo_sregs *s)
{
	return s->efer & EFER_LMA;
}

/* The CPL: SS.DPL in protected mode (SDM Vol. 3A 5.5), 3 in virtual-8086. */
static inline int vireo_cpl(struct vireo_vcpu *vcpu, const struct vireo_sregs *s)
{
	if (!(s->cr0 & X86_CR0_PE))
		return 0;
	if (vcpu->rflags & X86_EFLAGS_VM)
		return 3;
	return s->ss.dpl;
}

static inline bool vireo_64bit_code(const struct vireo_sregs *s)
{
	return vireo_long_mode(s) && s->cs.l;
}

#endif
