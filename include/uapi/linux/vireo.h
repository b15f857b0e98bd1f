/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Vireo ioctl ABI: the only contract between vireo.ko and userspace.
 *
 * Object model (as KVM): open("/dev/vireo") -> VIREO_CREATE_VM returns a VM
 * fd -> VIREO_CREATE_VCPU returns a vCPU fd, which is mmap()ed to share the
 * run area (struct vireo_run followed by the port-I/O data page).
 *
 * Every structure has fixed-width fields, explicit padding and its size
 * asserted at the bottom of this file; reserved fields must be zero on input
 * and are zeroed on output, so they can carry meaning in later versions.
 */
#ifndef _UAPI_LINUX_VIREO_H
#define _UAPI_LINUX_VIREO_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VIREO_API_VERSION	1

#define VIREO_IOCTL_TYPE	0xB8

/* ---- /dev/vireo ---------------------------------------------------- */

/* Returns VIREO_API_VERSION. */
#define VIREO_GET_API_VERSION	_IO(VIREO_IOCTL_TYPE, 0x00)
/* Argument: a VIREO_CAP_* value.  Returns its value, -EINVAL if unknown. */
#define VIREO_CHECK_CAP		_IO(VIREO_IOCTL_TYPE, 0x01)
/* Argument: 0 (machine type, reserved).  Returns a VM fd. */
#define VIREO_CREATE_VM		_IO(VIREO_IOCTL_TYPE, 0x02)
/* Returns the size in bytes to mmap() on a vCPU fd. */
#define VIREO_GET_RUN_SIZE	_IO(VIREO_IOCTL_TYPE, 0x03)
/*
 * The CPUID leaves Vireo can give a guest (struct vireo_cpuid, below): the
 * host's, masked to the features the module handles, plus the hypervisor
 * leaves.  In: nent = room in entries[]; out: nent = entries filled.
 * -E2BIG when there is too little room, with nent set to what is needed.
 * Userspace fills in the topology and passes the result to SET_CPUID.
 */
#define VIREO_GET_SUPPORTED_CPUID _IOWR(VIREO_IOCTL_TYPE, 0x04, struct vireo_cpuid)

enum vireo_cap {
	VIREO_CAP_BACKEND	= 1,	/* a VIREO_BACKEND_* value */
	VIREO_CAP_NESTED_PAGING	= 2,	/* 1: NPT (AMD) or EPT (Intel) */
	VIREO_CAP_MAX_VCPUS	= 3,	/* vCPUs per VM */
	VIREO_CAP_MAX_MEMSLOTS	= 4,	/* memory slots per VM */
	VIREO_CAP_TAGGED_TLB	= 5,	/* number of ASIDs/VPIDs, 0: none */
	VIREO_CAP_MAX_CPUID	= 6,	/* entries accepted by SET_CPUID */
	VIREO_CAP_MAX_GPA_BITS	= 7,	/* guest-physical address width */
	VIREO_CAP_GUEST_TIME	= 8,	/* 1: VIREO_GET/SET_GUEST_TIME */
	VIREO_CAP_NETLINK	= 9,	/* the "vireo" family's version */
	VIREO_CAP_IOEVENTFD	= 10,	/* ioeventfds per VM (VIREO_IOEVENTFD) */
	VIREO_CAP_IRQFD		= 11,	/* irqfds per VM (VIREO_IRQFD) */
};

enum vireo_backend_id {
	VIREO_BACKEND_SVM	= 1,	/* AMD-V */
	VIREO_BACKEND_VMX	= 2,	/* Intel VT-x */
};

/* ---- VM fd --------------------------------------------------------- */

#define VIREO_MEM_READONLY	(1u << 0)	/* guest writes exit as MMIO */

/*
 * Add (new slot, memory_size != 0), move (same slot, same size, flags and
 * userspace_addr, another guest_phys_addr) or delete (memory_size == 0) a
 * slot.  Addresses and size are multiples of 4 KiB; slots never overlap.
 */
struct vireo_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 reserved[2];
};

#define VIREO_SET_MEMORY_REGION	_IOW(VIREO_IOCTL_TYPE, 0x10, struct vireo_memory_region)
/* Argument: vCPU id (0 .. VIREO_CAP_MAX_VCPUS - 1).  Returns a vCPU fd. */
#define VIREO_CREATE_VCPU	_IO(VIREO_IOCTL_TYPE, 0x11)

/*
 * An interrupt message for the in-kernel local APICs, as a device would
 * write it to 0xFEExxxxx (Intel SDM Vol. 3A 11.11 "Message Signalled
 * Interrupts"): address bits 19:12 destination ID, bit 2 destination mode
 * (1: logical); data bits 7:0 vector, 10:8 delivery mode, 15 trigger mode
 * (1: level).  The userspace IOAPIC and MSI-capable devices send these.
 *
 * Delivery mode 7 (ExtINT) carries the vector an i8259 PIC answered with:
 * it goes to the LAPICs whose LVT LINT0 accepts ExtINT (virtual-wire mode),
 * and to vCPU 0 while its LAPIC is disabled (the PIC wired straight to INTR).
 *
 * Returns the number of LAPICs that accepted the message as a new request
 * (0 when none did: no destination matched, the LVT was masked, or an
 * edge-triggered vector was still pending in the IRR and merged with it,
 * SDM Vol. 3A 11.8.4), or -1 with errno.  The
 * target vCPUs are woken from HLT or kicked out of the guest; no signal is
 * needed.  A level-triggered vector is remembered in the TMR, and its EOI
 * ends the target vCPU's next RUN with VIREO_EXIT_EOI.
 */
struct vireo_msi {
	__u64 address;
	__u32 data;
	__u32 flags;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};

#define VIREO_SIGNAL_MSI	_IOW(VIREO_IOCTL_TYPE, 0x12, struct vireo_msi)

/*
 * Guest time, for the whole VM (docs/ioctl-api.md, "Stopping guest time"),
 * so that a paused guest sees no time pass, as under VirtualBox.
 *
 * While it is stopped no vCPU is in the guest: SET kicks out those that
 * are, and RUN waits (interruptibly: a signal ends it with -EINTR) until
 * time runs again.  Every local APIC timer stands with the count it had
 * left, and the guest's TSC and kvmclock stand still.  When time runs
 * again they go on from where they stood: the TSC offset moves back by
 * the time stopped.  The VM process stops its own devices' clocks.
 *
 * SET: state VIREO_GUEST_TIME_RUNNING or _STOPPED (asking for the state
 * the VM is in does nothing); every other field must be 0 (-EINVAL).
 * GET: state; tsc, the guest's TSC now; stopped_ns, how long guest time
 * has stood still in all (host CLOCK_MONOTONIC ns, the current stop
 * included); stops, how many times it was stopped.
 */
enum {
	VIREO_GUEST_TIME_RUNNING = 0,
	VIREO_GUEST_TIME_STOPPED = 1,
};

struct vireo_guest_time {
	__u32 state;		/* VIREO_GUEST_TIME_* */
	__u32 flags;		/* must be 0 */
	__u64 tsc;		/* GET only */
	__u64 stopped_ns;	/* GET only */
	__u64 stops;		/* GET only */
	__u64 reserved[4];
};

#define VIREO_GET_GUEST_TIME	_IOR(VIREO_IOCTL_TYPE, 0x13, struct vireo_guest_time)
#define VIREO_SET_GUEST_TIME	_IOW(VIREO_IOCTL_TYPE, 0x14, struct vireo_guest_time)

/*
 * ioeventfd (docs/ioctl-api.md, "ioeventfd and irqfd"): a guest write to a
 * port or a guest-physical MMIO address signals an eventfd inside the
 * kernel, and the vCPU goes straight back into the guest; the VM process
 * hears of it on whatever thread reads the eventfd, not on the vCPU's.
 *
 * A write matches when its address equals addr and, with len != 0, its
 * size equals len (1, 2 or 4 for a port; 1, 2, 4 or 8 for MMIO; 0: any
 * size, MMIO only), and, with VIREO_IOEVENTFD_DATAMATCH, its value (the
 * len bytes, little-endian) equals datamatch.  Only plain writes: OUT, not
 * OUTS; MMIO writes the kernel decoded.  Reads, and writes nothing
 * matches, exit to userspace as before.
 *
 * Assign: -EEXIST if an ioeventfd with the same address and size already
 * matches the same values (either without DATAMATCH, or both with the
 * same datamatch), -ENOSPC beyond VIREO_CAP_IOEVENTFD, -EBADF or -EINVAL
 * when fd is not an eventfd.  DEASSIGN removes the one with the same fd,
 * address, size, flags and datamatch (-ENOENT if none); from its return
 * on, no write signals that eventfd.  Closing the eventfd does not remove
 * it: the VM holds its own reference until DEASSIGN or the VM's end.
 */
#define VIREO_IOEVENTFD_PIO		(1u << 0)	/* addr is a port */
#define VIREO_IOEVENTFD_DATAMATCH	(1u << 1)
#define VIREO_IOEVENTFD_DEASSIGN	(1u << 2)

struct vireo_ioeventfd {
	__u64 addr;		/* port (0-0xffff) or guest-physical address */
	__u64 datamatch;	/* with VIREO_IOEVENTFD_DATAMATCH */
	__u32 len;		/* 0 (MMIO: any), 1, 2, 4, 8 (MMIO) */
	__s32 fd;		/* an eventfd */
	__u32 flags;		/* VIREO_IOEVENTFD_* */
	__u32 padding;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};

#define VIREO_IOEVENTFD		_IOW(VIREO_IOCTL_TYPE, 0x15, struct vireo_ioeventfd)

/*
 * irqfd: each write to an eventfd sends a message-signalled interrupt, as
 * VIREO_SIGNAL_MSI would (address and data as there), from inside the
 * kernel: an I/O thread of the VM process, or another kernel component,
 * interrupts the guest without a system call of its own on the VM.  Edge
 * only (data bit 15 clear): level-triggered lines stay with the VM
 * process's IOAPIC and PICs.  Writes that come faster than the interrupt
 * is sent merge into one, as a PCI function's pending MSI does.
 *
 * Assign: -EBUSY if that eventfd already has an irqfd on this VM, -ENOSPC
 * beyond VIREO_CAP_IRQFD, -EINVAL for a message VIREO_SIGNAL_MSI would
 * refuse or a level-triggered one.  VIREO_IRQFD_UPDATE gives the irqfd
 * of that eventfd a new message (the guest moved its MSI-X vector), and
 * DEASSIGN removes it (-ENOENT if there is none): from its return on the
 * eventfd sends nothing.  Closing the eventfd removes its irqfd too.
 */
#define VIREO_IRQFD_DEASSIGN	(1u << 0)
#define VIREO_IRQFD_UPDATE	(1u << 1)

struct vireo_irqfd {
	__s32 fd;		/* an eventfd */
	__u32 flags;		/* VIREO_IRQFD_* */
	__u64 address;		/* the MSI: as struct vireo_msi */
	__u32 data;
	__u32 padding;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};

#define VIREO_IRQFD		_IOW(VIREO_IOCTL_TYPE, 0x16, struct vireo_irqfd)

/* ---- vCPU fd ------------------------------------------------------- */

struct vireo_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* A segment register with its hidden (descriptor-cache) part. */
struct vireo_segment {
	__u64 base;
	__u32 limit;		/* byte granular: 0xfffff with g=1 is 0xffffffff */
	__u16 selector;
	__u8  type;		/* descriptor type, 4 bits */
	__u8  present, dpl, db, s, l, g, avl;
	__u8  unusable;		/* null selector loaded: segment unusable */
	__u8  padding;
};

struct vireo_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

struct vireo_sregs {
	struct vireo_segment cs, ds, es, fs, gs, ss;
	struct vireo_segment tr, ldt;
	struct vireo_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4;
	__u64 cr8;		/* the local APIC's TPR[7:4] (0-15) */
	__u64 efer;
	__u64 apic_base;
	__u64 reserved[4];
};

struct vireo_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;		/* VIREO_CPUID_* */
	__u32 eax, ebx, ecx, edx;
	__u32 padding;
};

/* The entry matches only when ECX equals index (leaves 4, 7, 0xb, 0xd...). */
#define VIREO_CPUID_SIGNIFICANT_INDEX	(1u << 0)

/*
 * Hypervisor leaves: EAX the highest of them, EBX ECX EDX "VireoVireoVi".
 * VIREO_CPUID_FEATURES: paravirtual feature bits, none defined yet.
 */
#define VIREO_CPUID_SIGNATURE		0x40000000
#define VIREO_CPUID_FEATURES		0x40000001
/*
 * KVM's paravirtual interface (<linux/kvm_para.h>), which Linux guests use
 * for their clock (docs/ioctl-api.md, "kvmclock"): its signature
 * "KVMKVMKVM\0\0\0" at VIREO_CPUID_KVM_BASE and KVM_FEATURE_* bits in EAX
 * of the next leaf.  A table without these leaves (vireo-vm --paravirt
 * none) gives the guest no KVM MSRs.
 */
#define VIREO_CPUID_KVM_BASE		0x40000100

/*
 * SET_CPUID replaces the table CPUID exits are answered from.  The argument
 * is this header immediately followed by nent entries.  A leaf that is not
 * in the table reads as zeros.  GET_SUPPORTED_CPUID (on /dev/vireo) fills
 * the same layout.
 */
struct vireo_cpuid {
	__u32 nent;
	__u32 padding;
	struct vireo_cpuid_entry entries[];
};

#define VIREO_RUN		_IO(VIREO_IOCTL_TYPE, 0x20)
#define VIREO_GET_REGS		_IOR(VIREO_IOCTL_TYPE, 0x21, struct vireo_regs)
#define VIREO_SET_REGS		_IOW(VIREO_IOCTL_TYPE, 0x22, struct vireo_regs)
#define VIREO_GET_SREGS		_IOR(VIREO_IOCTL_TYPE, 0x23, struct vireo_sregs)
#define VIREO_SET_SREGS		_IOW(VIREO_IOCTL_TYPE, 0x24, struct vireo_sregs)
#define VIREO_SET_CPUID		_IOW(VIREO_IOCTL_TYPE, 0x25, struct vireo_cpuid)

/*
 * What a vCPU is doing when it is not running guest code.  A new vCPU is
 * RUNNABLE; the device model parks application processors in WAIT_SIPI,
 * where RUN sleeps until another vCPU sends INIT and then a start-up IPI,
 * which starts it in real mode at vector << 12 (Intel SDM Vol. 3A 9.4.4).
 * HALTED is a HLT with interrupts enabled: RUN sleeps in the kernel until
 * an interrupt, an NMI or INIT arrives (or a signal).
 */
enum {
	VIREO_MP_STATE_RUNNABLE	 = 0,
	VIREO_MP_STATE_HALTED	 = 1,
	VIREO_MP_STATE_WAIT_SIPI = 2,
};

struct vireo_mp_state {
	__u32 state;		/* VIREO_MP_STATE_* */
	__u32 padding;
};

#define VIREO_GET_MP_STATE	_IOR(VIREO_IOCTL_TYPE, 0x26, struct vireo_mp_state)
#define VIREO_SET_MP_STATE	_IOW(VIREO_IOCTL_TYPE, 0x27, struct vireo_mp_state)

/* ---- the run area (mmap of a vCPU fd) ------------------------------ */

enum vireo_exit_reason {
	VIREO_EXIT_NONE		  = 0,
	VIREO_EXIT_IO		  = 1,	/* port I/O: run->io */
	VIREO_EXIT_MMIO		  = 2,	/* access to a hole or ROM write: run->mmio */
	VIREO_EXIT_HLT		  = 3,	/* guest executed HLT */
	VIREO_EXIT_SHUTDOWN	  = 4,	/* triple fault; state must be reset */
	VIREO_EXIT_INTERNAL_ERROR = 5,	/* run->internal */
	VIREO_EXIT_INTR		  = 6,	/* RUN returned -EINTR (signal pending) */
	VIREO_EXIT_HYPERCALL	  = 7,	/* VMMCALL/VMCALL: run->hypercall */
	VIREO_EXIT_EOI		  = 8,	/* EOI of a level vector: run->eoi */
};

#define VIREO_IO_OUT	0
#define VIREO_IO_IN	1

/* Offset of the port-I/O data page in the vCPU mapping. */
#define VIREO_RUN_IO_DATA_OFFSET	4096

/*
 * Port I/O.  The data is at VIREO_RUN_IO_DATA_OFFSET in the mapping, count
 * elements of size bytes each.  For OUT it holds what the guest wrote; for IN
 * userspace fills it before the next RUN, which completes the instruction.
 * A string instruction with a large count is split into several exits.
 */
struct vireo_run_io {
	__u16 port;
	__u8  size;		/* 1, 2 or 4 */
	__u8  direction;	/* VIREO_IO_OUT or VIREO_IO_IN */
	__u32 count;		/* > 1 only for INS/OUTS */
	__u8  string;		/* 1: INS/OUTS */
	__u8  rep;		/* 1: with a REP prefix */
	__u8  padding[6];
};

/*
 * MMIO: the guest touched guest-physical memory no writable slot backs.
 * len (1, 2, 4, 8) says the kernel decoded the instruction: a write is
 * complete and data holds its bytes; for a read userspace puts the value in
 * data and the next RUN completes the instruction.  len 0: an instruction
 * the kernel does not emulate (or a fetch); RIP still points at it.
 */
struct vireo_run_mmio {
	__u64 phys_addr;
	__u8  data[8];
	__u32 len;
	__u8  is_write;
	__u8  is_fetch;
	__u8  padding[2];
};

enum vireo_internal_error {
	VIREO_INTERNAL_ERROR_UNHANDLED_EXIT = 1, /* data[0]: raw exit code */
	VIREO_INTERNAL_ERROR_ENTRY_FAILED  = 2,	 /* data[0]: hw reason */
	VIREO_INTERNAL_ERROR_GUEST_MEMORY  = 3,	 /* data[0]: GPA/GVA */
	VIREO_INTERNAL_ERROR_EMULATION	   = 4,	 /* data[0]: RIP */
	/* MMIO or a ROM write while delivering an event: data[0] the GPA */
	VIREO_INTERNAL_ERROR_DELIVERY	   = 5,
};

struct vireo_run_internal {
	__u32 suberror;		/* VIREO_INTERNAL_ERROR_* */
	__u32 ndata;
	__u64 data[8];
};

/*
 * VMMCALL/VMCALL.  nr is RAX, args are RBX, RCX, RDX, RSI.  The next RUN
 * stores ret in RAX and continues after the instruction.
 */
struct vireo_run_hypercall {
	__u64 nr;
	__u64 args[4];
	__u64 ret;
};

/*
 * The guest wrote EOI for a vector that arrived level-triggered: the
 * IOAPIC clears Remote IRR of the pins with that vector and sends again
 * if the line is still asserted (Intel 82093AA datasheet 3.2.4).
 */
struct vireo_run_eoi {
	__u32 vector;
	__u32 padding;
};

struct vireo_run {
	__u32 exit_reason;	/* VIREO_EXIT_* */
	__u8  immediate_exit;	/* set by userspace: RUN returns -EINTR at once */
	__u8  padding1[3];
	__u64 exit_count;	/* exits taken by this vCPU, kernel ones too */
	__u64 reserved1[6];
	union {
		struct vireo_run_io io;
		struct vireo_run_mmio mmio;
		struct vireo_run_internal internal;
		struct vireo_run_hypercall hypercall;
		struct vireo_run_eoi eoi;
		__u8 exit_data[256];
	};
	__u64 reserved2[16];
};

/* ---- the generic netlink family "vireo" ------------------------------ */

/*
 * The host-wide view of Vireo's VMs (docs/netlink.md), through generic
 * netlink (libnl-genl-3: genl_ctrl_resolve(VIREO_GENL_NAME)).
 *
 * VIREO_CMD_LIST_VMS, a dump (NLM_F_DUMP), no attributes: one message per
 * VM, root (CAP_SYS_ADMIN) seeing every VM, any other user those their
 * processes made.  Each has VIREO_A_VM_ID, _PID, _UID, _CREATED_NS,
 * _NR_VCPUS, _MEMORY, _STATE and one nested VIREO_A_VCPU per vCPU with
 * its exit counts.
 *
 * The multicast group VIREO_GENL_MCGRP_EVENTS (CAP_SYS_ADMIN to join)
 * gets a VIREO_CMD_EVENT message for each VIREO_EVENT_*: VIREO_A_EVENT,
 * VIREO_A_VM_ID, _PID, _UID, and for vCPU events VIREO_A_VCPU_ID.
 */
#define VIREO_GENL_NAME		"vireo"
#define VIREO_GENL_VERSION	1
#define VIREO_GENL_MCGRP_EVENTS	"events"

enum vireo_genl_cmd {
	VIREO_CMD_UNSPEC,
	VIREO_CMD_LIST_VMS,
	VIREO_CMD_EVENT,
	__VIREO_CMD_MAX,
};

enum vireo_genl_attr {
	VIREO_A_UNSPEC,
	VIREO_A_VM_ID,		/* u32: the module's number for the VM */
	VIREO_A_PID,		/* u32: the process that made it (tgid) */
	VIREO_A_UID,		/* u32: its effective uid then */
	VIREO_A_CREATED_NS,	/* u64: CLOCK_BOOTTIME when it was made */
	VIREO_A_NR_VCPUS,	/* u32 */
	VIREO_A_MEMORY,		/* u64: bytes of guest memory in its slots */
	VIREO_A_STATE,		/* u32: VIREO_VM_STATE_* */
	VIREO_A_VCPU,		/* nested VIREO_A_VCPU_*, one per vCPU */
	VIREO_A_EVENT,		/* u32: VIREO_EVENT_* */
	VIREO_A_VCPU_ID,	/* u32: in vCPU events */
	VIREO_A_PAD,
	__VIREO_A_MAX,
};
#define VIREO_A_MAX (__VIREO_A_MAX - 1)

/* Inside VIREO_A_VCPU: u32 id, then u64 counts of exits. */
enum vireo_genl_vcpu_attr {
	VIREO_A_VCPU_UNSPEC,
	VIREO_A_VCPU_NR,	/* u32: the vCPU id */
	VIREO_A_VCPU_EXITS,	/* every exit from the guest */
	VIREO_A_VCPU_EXITS_IO,	/* port I/O */
	VIREO_A_VCPU_EXITS_MMIO,	/* emulated MMIO */
	VIREO_A_VCPU_EXITS_HLT,
	VIREO_A_VCPU_EXITS_CPUID,
	VIREO_A_VCPU_EXITS_MSR,	/* RDMSR, WRMSR */
	VIREO_A_VCPU_EXITS_NPF,	/* nested page faults (memory first touched) */
	VIREO_A_VCPU_EXITS_USER,	/* RUN returns to userspace */
	VIREO_A_VCPU_PAD,
	__VIREO_A_VCPU_MAX,
};
#define VIREO_A_VCPU_MAX (__VIREO_A_VCPU_MAX - 1)

enum vireo_vm_state {
	VIREO_VM_STATE_RUNNING	= 0,
	VIREO_VM_STATE_STOPPED	= 1,	/* guest time stopped: paused */
};

enum vireo_event {
	VIREO_EVENT_VM_CREATED		= 1,
	VIREO_EVENT_VM_DESTROYED	= 2,
	VIREO_EVENT_VCPU_SHUTDOWN	= 3,	/* VIREO_EXIT_SHUTDOWN */
	VIREO_EVENT_VCPU_INTERNAL_ERROR	= 4,	/* VIREO_EXIT_INTERNAL_ERROR */
};

#ifdef __KERNEL__
#define VIREO_UAPI_ASSERT(c, m) static_assert(c, m)
#elif defined(__cplusplus)
#define VIREO_UAPI_ASSERT(c, m) static_assert(c, m)
#else
#define VIREO_UAPI_ASSERT(c, m) _Static_assert(c, m)
#endif

VIREO_UAPI_ASSERT(sizeof(struct vireo_memory_region) == 48, "memory_region");
VIREO_UAPI_ASSERT(sizeof(struct vireo_regs) == 144, "regs");
VIREO_UAPI_ASSERT(sizeof(struct vireo_segment) == 24, "segment");
VIREO_UAPI_ASSERT(sizeof(struct vireo_dtable) == 16, "dtable");
VIREO_UAPI_ASSERT(sizeof(struct vireo_sregs) == 8 * 24 + 2 * 16 + 11 * 8, "sregs");
VIREO_UAPI_ASSERT(sizeof(struct vireo_cpuid_entry) == 32, "cpuid_entry");
VIREO_UAPI_ASSERT(sizeof(struct vireo_cpuid) == 8, "cpuid");
VIREO_UAPI_ASSERT(sizeof(struct vireo_run_io) == 16, "run_io");
VIREO_UAPI_ASSERT(sizeof(struct vireo_run_mmio) == 24, "run_mmio");
VIREO_UAPI_ASSERT(sizeof(struct vireo_run_internal) == 72, "run_internal");
VIREO_UAPI_ASSERT(sizeof(struct vireo_msi) == 32, "msi");
VIREO_UAPI_ASSERT(sizeof(struct vireo_mp_state) == 8, "mp_state");
VIREO_UAPI_ASSERT(sizeof(struct vireo_guest_time) == 64, "guest_time");
VIREO_UAPI_ASSERT(sizeof(struct vireo_run_eoi) == 8, "run_eoi");
VIREO_UAPI_ASSERT(sizeof(struct vireo_ioeventfd) == 48, "ioeventfd");
VIREO_UAPI_ASSERT(sizeof(struct vireo_irqfd) == 40, "irqfd");
VIREO_UAPI_ASSERT(sizeof(struct vireo_run) == 64 + 256 + 128, "run");

#endif /* _UAPI_LINUX_VIREO_H */
