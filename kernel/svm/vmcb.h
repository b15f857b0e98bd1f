/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMCB (APM Vol. 2 Appendix B "Layout of VMCB"): a control area at 0
 * and the guest state save area at 0x400.  Offsets are asserted below.
 */
#ifndef VIREO_SVM_VMCB_H
#define VIREO_SVM_VMCB_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

struct vmcb_control {
	u32 intercept_cr;		/* 0x000: reads 15:0, writes 31:16 */
	u32 intercept_dr;		/* 0x004 */
	u32 intercept_exceptions;	/* 0x008: one bit per vector */
	u32 intercept_misc1;		/* 0x00c: SVM_INTERCEPT1_* */
	u32 intercept_misc2;		/* 0x010: SVM_INTERCEPT2_* */
	u32 intercept_misc3;		/* 0x014 */
	u8  reserved_018[0x03c - 0x018];
	u16 pause_filter_thresh;	/* 0x03c */
	u16 pause_filter_count;		/* 0x03e */
	u64 iopm_base_pa;		/* 0x040 */
	u64 msrpm_base_pa;		/* 0x048 */
	u64 tsc_offset;			/* 0x050 */
	u32 asid;			/* 0x058 */
	u8  tlb_ctl;			/* 0x05c */
	u8  reserved_05d[3];
	u32 int_ctl;			/* 0x060 */
	u32 int_vector;			/* 0x064 */
	u32 int_state;			/* 0x068 */
	u8  reserved_06c[4];
	u64 exit_code;			/* 0x070 */
	u64 exit_info_1;		/* 0x078 */
	u64 exit_info_2;		/* 0x080 */
	u32 exit_int_info;		/* 0x088 */
	u32 exit_int_info_err;		/* 0x08c */
	u64 nested_ctl;			/* 0x090 */
	u64 avic_vapic_bar;		/* 0x098 */
	u64 ghcb_gpa;			/* 0x0a0 */
	u32 event_inj;			/* 0x0a8 */
	u32 event_inj_err;		/* 0x0ac */
	u64 nested_cr3;			/* 0x0b0 */
	u64 virt_ext;			/* 0x0b8 */
	u32 clean;			/* 0x0c0 */
	u32 reserved_0c4;
	u64 next_rip;			/* 0x0c8: with NRIP-save */
	u8  insn_len;			/* 0x0d0: with decode assists */
	u8  insn_bytes[15];
	u8  reserved_0e0[0x400 - 0x0e0];
} __packed;

struct vmcb_seg {
	u16 selector;
	u16 attrib;			/* descriptor bits 47:40 and 55:52 */
	u32 limit;
	u64 base;
} __packed;

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x000 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x060 */
	u8  reserved_0a0[0x0cb - 0x0a0];
	u8  cpl;			/* 0x0cb */
	u32 reserved_0cc;
	u64 efer;			/* 0x0d0 */
	u8  reserved_0d8[0x148 - 0x0d8];
	u64 cr4;			/* 0x148 */
	u64 cr3;			/* 0x150 */
	u64 cr0;			/* 0x158 */
	u64 dr7;			/* 0x160 */
	u64 dr6;			/* 0x168 */
	u64 rflags;			/* 0x170 */
	u64 rip;			/* 0x178 */
	u8  reserved_180[0x1d8 - 0x180];
	u64 rsp;			/* 0x1d8 */
	u64 s_cet, ssp, isst_addr;	/* 0x1e0 */
	u64 rax;			/* 0x1f8 */
	u64 star, lstar, cstar, sfmask;	/* 0x200 */
	u64 kernel_gs_base;		/* 0x220 */
	u64 sysenter_cs, sysenter_esp, sysenter_eip;	/* 0x228 */
	u64 cr2;			/* 0x240 */
	u8  reserved_248[0x268 - 0x248];
	u64 g_pat;			/* 0x268 */
	u64 dbgctl;			/* 0x270 */
	u8  reserved_278[0xc00 - 0x278];
} __packed;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __packed;

static_assert(sizeof(struct vmcb_seg) == 16);
static_assert(offsetof(struct vmcb_control, iopm_base_pa) == 0x040);
static_assert(offsetof(struct vmcb_control, asid) == 0x058);
static_assert(offsetof(struct vmcb_control, int_ctl) == 0x060);
static_assert(offsetof(struct vmcb_control, exit_code) == 0x070);
static_assert(offsetof(struct vmcb_control, exit_int_info) == 0x088);
static_assert(offsetof(struct vmcb_control, nested_ctl) == 0x090);
static_assert(offsetof(struct vmcb_control, event_inj) == 0x0a8);
static_assert(offsetof(struct vmcb_control, nested_cr3) == 0x0b0);
static_assert(offsetof(struct vmcb_control, clean) == 0x0c0);
static_assert(offsetof(struct vmcb_control, next_rip) == 0x0c8);
static_assert(sizeof(struct vmcb_control) == 0x400);
static_assert(offsetof(struct vmcb_save, tr) == 0x090);
static_assert(offsetof(struct vmcb_save, cpl) == 0x0cb);
static_assert(offsetof(struct vmcb_save, efer) == 0x0d0);
static_assert(offsetof(struct vmcb_save, cr4) == 0x148);
static_assert(offsetof(struct vmcb_save, rip) == 0x178);
static_assert(offsetof(struct vmcb_save, rsp) == 0x1d8);
static_assert(offsetof(struct vmcb_save, rax) == 0x1f8);
static_assert(offsetof(struct vmcb_save, kernel_gs_base) == 0x220);
static_assert(offsetof(struct vmcb_save, cr2) == 0x240);
static_assert(offsetof(struct vmcb_save, g_pat) == 0x268);
static_assert(sizeof(struct vmcb) == 4096);

/* CR intercepts, VMCB offset 0x000: writes of CRn are bit 16 + n. */
#define SVM_INTERCEPT_CR4_READ		BIT(4)
#define SVM_INTERCEPT_CR4_WRITE		BIT(16 + 4)
#define SVM_INTERCEPT_CR8_WRITE		BIT(16 + 8)
/* DR intercepts, VMCB offset 0x004: reads of DRn bit n, writes 16 + n. */
#define SVM_INTERCEPT_DR0_7		0x00ff00ff

/* Intercept vector 3, VMCB offset 0x00c (APM Vol. 2 Table B-1). */
#define SVM_INTERCEPT1_INTR		BIT(0)
#define SVM_INTERCEPT1_NMI		BIT(1)
#define SVM_INTERCEPT1_SMI		BIT(2)
#define SVM_INTERCEPT1_VINTR		BIT(4)
#define SVM_INTERCEPT1_RDPMC		BIT(15)
#define SVM_INTERCEPT1_CPUID		BIT(18)
#define SVM_INTERCEPT1_IRET		BIT(20)
#define SVM_INTERCEPT1_INVD		BIT(22)
#define SVM_INTERCEPT1_HLT		BIT(24)
#define SVM_INTERCEPT1_INVLPGA		BIT(26)
#define SVM_INTERCEPT1_IOIO		BIT(27)
#define SVM_INTERCEPT1_MSR		BIT(28)
#define SVM_INTERCEPT1_SHUTDOWN		BIT(31)
/* Intercept vector 4, VMCB offset 0x010. */
#define SVM_INTERCEPT2_VMRUN		BIT(0)
#define SVM_INTERCEPT2_VMMCALL		BIT(1)
#define SVM_INTERCEPT2_VMLOAD		BIT(2)
#define SVM_INTERCEPT2_VMSAVE		BIT(3)
#define SVM_INTERCEPT2_STGI		BIT(4)
#define SVM_INTERCEPT2_CLGI		BIT(5)
#define SVM_INTERCEPT2_SKINIT		BIT(6)
#define SVM_INTERCEPT2_RDTSCP		BIT(7)
#define SVM_INTERCEPT2_WBINVD		BIT(9)
#define SVM_INTERCEPT2_MONITOR		BIT(10)
#define SVM_INTERCEPT2_MWAIT		BIT(11)
#define SVM_INTERCEPT2_MWAIT_COND	BIT(12)
#define SVM_INTERCEPT2_XSETBV		BIT(13)
#define SVM_INTERCEPT2_RDPRU		BIT(14)

/* Exit codes (APM Vol. 2 Appendix C "SVM Intercept Exit Codes"). */
#define SVM_EXIT_READ_CR4	0x004
#define SVM_EXIT_WRITE_CR4	0x014
#define SVM_EXIT_WRITE_CR8	0x018
#define SVM_EXIT_READ_DR0	0x020	/* to 0x027: reads of DR0-DR7 */
#define SVM_EXIT_WRITE_DR0	0x030	/* to 0x037: writes */
#define SVM_EXIT_EXCP_BASE	0x040
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_SMI		0x062
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_RDPMC		0x06f
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_IRET		0x074
#define SVM_EXIT_INVD		0x076
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_INVLPGA	0x07a
#define SVM_EXIT_IOIO		0x07b
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_VMLOAD		0x082
#define SVM_EXIT_VMSAVE		0x083
#define SVM_EXIT_STGI		0x084
#define SVM_EXIT_CLGI		0x085
#define SVM_EXIT_SKINIT		0x086
#define SVM_EXIT_RDTSCP		0x087
#define SVM_EXIT_WBINVD		0x089
#define SVM_EXIT_MONITOR	0x08a
#define SVM_EXIT_MWAIT		0x08b
#define SVM_EXIT_MWAIT_COND	0x08c
#define SVM_EXIT_XSETBV		0x08d
#define SVM_EXIT_RDPRU		0x08e
#define SVM_EXIT_NR_LOW		0x08f	/* table size for the codes above */
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	((u64)-1)

/* EXITINFO1 of an IOIO intercept (APM Vol. 2 15.10.2, Figure 15-2). */
#define SVM_IOIO_TYPE_IN	BIT(0)
#define SVM_IOIO_STR		BIT(2)
#define SVM_IOIO_REP		BIT(3)
#define SVM_IOIO_SIZE_SHIFT	4	/* SZ8, SZ16, SZ32: one-hot */
#define SVM_IOIO_ASIZE_SHIFT	7	/* A16, A32, A64: one-hot */
#define SVM_IOIO_PORT_SHIFT	16

/* EXITINFO1 of a nested page fault: a #PF error code (APM 15.25.6). */
#define SVM_NPF_WRITE		BIT_ULL(1)
#define SVM_NPF_FETCH		BIT_ULL(4)
#define SVM_NPF_GUEST_TABLE	BIT_ULL(33)	/* fault on a guest page table */

#define SVM_INT_CTL_V_TPR_MASK	0xf
#define SVM_INT_CTL_V_IRQ	BIT(8)
#define SVM_INT_CTL_V_INTR_PRIO_SHIFT 16
#define SVM_INT_CTL_V_IGN_TPR	BIT(20)
#define SVM_INT_CTL_V_INTR_MASKING BIT(24)
#define SVM_INT_STATE_SHADOW	BIT(0)
#define SVM_NESTED_CTL_NP_ENABLE BIT_ULL(0)
#define SVM_TLB_CONTROL_FLUSH_ALL 1
#define SVM_TLB_CONTROL_FLUSH_ASID 3	/* needs FlushByAsid */

/* EVENTINJ (APM Vol. 2 15.20 "Event Injection"). */
#define SVM_EVTINJ_TYPE_MASK	(7 << 8)
#define SVM_EVTINJ_TYPE_INTR	(0 << 8)
#define SVM_EVTINJ_TYPE_NMI	(2 << 8)
#define SVM_EVTINJ_TYPE_EXCEPTION (3 << 8)
#define SVM_EVTINJ_TYPE_SOFT_INT (4 << 8)
#define SVM_EVTINJ_VALID_ERR	BIT(11)
#define SVM_EVTINJ_VALID	BIT(31)

#endif
