/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The instructions test_x86_emulate.c feeds the emulator, assembled by the
 * host assembler (emul_cases.S) so that their bytes and lengths are the
 * assembler's, not typed by hand.  Where a case needs an encoding the
 * assembler would not choose (prefix orders, redundant or invalid
 * prefixes), the prefixes are .byte and the rest is still assembled; the
 * few all-.byte cases were checked once against objdump -d.
 *
 * An X-macro list, included by both files:
 *	CASE(name, bits, instruction...)
 *	ALU(name, op, bytes, form, imm, instruction...)	  the ALU matrix
 *	BT(name, op, bytes, instruction...)		  the bit-test matrix
 * bits is the code size (.code16/32/64).  ALU op is EMUL_ALU_*, form how
 * the operands sit (MR: r/m op= reg, RM: reg op= r/m, MI: r/m op= imm,
 * UN: op r/m); the r/m operand is (%rbx), the register is rCX.
 */

/* MOV, all forms with memory, 64-bit mode */
CASE(mov_st8, 64, movb %cl, (%rbx))
CASE(mov_st16, 64, movw %cx, (%rbx))
CASE(mov_st32, 64, movl %ecx, (%rbx))
CASE(mov_st64, 64, movq %rcx, (%rbx))
CASE(mov_ld8, 64, movb (%rbx), %cl)
CASE(mov_ld16, 64, movw (%rbx), %cx)
CASE(mov_ld32, 64, movl (%rbx), %ecx)
CASE(mov_ld64, 64, movq (%rbx), %rcx)
CASE(mov_ld_ah, 64, movb (%rbx), %ah)
CASE(mov_ld_sil, 64, movb (%rbx), %sil)
CASE(mov_st_bh, 64, movb %bh, (%rsi))
CASE(mov_st_r15b, 64, movb %r15b, (%r8))
CASE(mov_ld_r9, 64, movq 8(%r10), %r9)
CASE(mov_imm8, 64, movb $0xa5, (%rbx))
CASE(mov_imm16, 64, movw $0x1234, 2(%rbx))
CASE(mov_imm32, 64, movl $0xdeadbeef, 4(%rbx))
CASE(mov_imm64, 64, movq $-2, 8(%rbx))
CASE(mov_rr, 64, movl %ecx, %edx)
CASE(moffs_ld8, 64, movabs 0xffff888000010010, %al)
CASE(moffs_ld32, 64, movabs 0xffff888000010010, %eax)
CASE(moffs_st64, 64, movabs %rax, 0xffff888000010020)
CASE(moffs_a32, 64, .byte 0x67, 0xa1; .long 0x00010010)
CASE(moffs_fs, 64, movabs %fs:0x10, %eax)

/* MOVZX, MOVSX, MOVSXD */
CASE(movzbl, 64, movzbl (%rbx), %ecx)
CASE(movzbw, 64, movzbw (%rbx), %cx)
CASE(movzwq, 64, movzwq (%rbx), %rcx)
CASE(movsbq, 64, movsbq (%rbx), %rcx)
CASE(movsbw, 64, movsbw (%rbx), %cx)
CASE(movswl, 64, movswl (%rbx), %ecx)
CASE(movslq, 64, movslq (%rbx), %rcx)
CASE(movsxd32, 64, .byte 0x63, 0x0b)
CASE(movzx_ah, 64, movzbl %ah, %ecx)

/* STOS, MOVS, LODS */
CASE(stosb, 64, stosb)
CASE(stosw, 64, stosw)
CASE(stosl, 64, stosl)
CASE(stosq, 64, stosq)
CASE(rep_stosl, 64, rep stosl)
CASE(rep_stosb_a32, 64, addr32 rep stosb)
CASE(movsb, 64, movsb)
CASE(movsq, 64, movsq)
CASE(rep_movsl, 64, rep movsl)
CASE(repne_movsb, 64, repne movsb)
CASE(fs_movsb, 64, movsb %fs:(%rsi), %es:(%rdi))
CASE(lodsl, 64, lodsl)
CASE(lodsb, 64, lodsb)
CASE(lock_stos, 64, .byte 0xf0; stosb)
CASE(p32_movsl, 32, movsl)
CASE(p32_cs_stosb, 32, .byte 0x2e; stosb)
CASE(a16_rep_stosb, 16, rep stosb)
CASE(a16_rep_movsw, 16, rep movsw)

/* ALU specials (the matrix below covers the arithmetic) */
CASE(add_ah, 64, addb %ah, (%rbx))
CASE(lock_add, 64, lock addl %ecx, (%rbx))
CASE(or_imm, 64, orl $0x100, (%rbx))
CASE(cmp_imm, 64, cmpl $5, (%rbx))
CASE(add_rr, 64, addl %ecx, %edx)
CASE(p32_add16, 32, addw (%ebx), %cx)
CASE(p32_82, 32, .byte 0x82, 0x03, 0x05)
CASE(p64_82, 64, .byte 0x82, 0x03, 0x05)
CASE(test_imm32, 64, testl $0x80000000, (%rbx))
CASE(neg8, 64, negb (%rbx))

/* XCHG */
CASE(xchg8, 64, xchgb %cl, (%rbx))
CASE(xchg64, 64, xchgq %rcx, (%rbx))
CASE(lock_xchg32, 64, lock xchgl %ecx, (%rbx))
CASE(xchg_rr, 64, xchgl %ecx, %edx)

/* BT with immediates and special forms */
CASE(btl_imm, 64, btl $35, (%rbx))
CASE(btsq_imm, 64, btsq $63, (%rbx))
CASE(btrw_imm, 64, btrw $17, (%rbx))
CASE(btcl_imm, 64, btcl $0, (%rbx))
CASE(lock_btsq, 64, lock btsq %rcx, (%rbx))
CASE(lock_bt, 64, .byte 0xf0; btl %ecx, (%rbx))
CASE(bt_rr, 64, btsl %ecx, %edx)
CASE(a16_btw, 16, btw %cx, (%bx))

/* Prefixes in odd orders and numbers */
CASE(pfx_fs66, 64, .byte 0x64, 0x66; movl %ecx, (%rbx))
CASE(pfx_66fs, 64, .byte 0x66, 0x64; movl %ecx, (%rbx))
CASE(pfx_rex_early, 64, .byte 0x48, 0x66; movl %ecx, (%rbx))
CASE(pfx_two_rex, 64, .byte 0x41, 0x48; movl %ecx, (%rbx))
CASE(pfx_66_rexw, 64, .byte 0x66; movq %rcx, (%rbx))
CASE(pfx_rep_mov, 64, .byte 0xf3; movl %ecx, (%rbx))
CASE(pfx_ds64, 64, .byte 0x3e; movl %ecx, (%rbx))
CASE(pfx_ds_rsp, 64, .byte 0x3e; movl %ecx, 8(%rsp))
CASE(pfx_gs_lock_66, 64, .byte 0x65, 0xf0, 0x66; addl %ecx, (%rbx))
CASE(pfx_15, 64, .fill 13, 1, 0x3e; movl %ecx, (%rbx))
CASE(pfx_16, 64, .fill 14, 1, 0x3e; movl %ecx, (%rbx))
CASE(pfx_only, 64, .fill 15, 1, 0x66; movl %ecx, (%rbx))
CASE(pfx_a32, 64, addr32 movl %ecx, (%ebx))
CASE(lock_mov, 64, .byte 0xf0; movl %ecx, (%rbx))
CASE(lock_cmp, 64, .byte 0xf0; cmpl %ecx, (%rbx))
CASE(lock_add_rr, 64, .byte 0xf0; addl %ecx, %edx)
CASE(lock_add_toreg, 64, .byte 0xf0; addl (%rbx), %ecx)

/* ModRM and SIB, 64-bit addressing */
CASE(sib_bis8, 64, movl %ecx, 0x10(%rbx,%rsi,4))
CASE(sib_rsp, 64, movl %ecx, 8(%rsp))
CASE(sib_nobase, 64, movl %ecx, 0x10010(,%rsi,8))
CASE(sib_r12, 64, movl %ecx, (%r12))
CASE(sib_r13, 64, movl %ecx, (%r13))
CASE(sib_idx_r12, 64, movl %ecx, (%rbx,%r12,2))
CASE(disp32_neg, 64, movl %ecx, -0x1000(%rbx))
CASE(abs32_64, 64, movl %ecx, 0x10010)
CASE(rip_rel, 64, movl %ecx, 0x100(%rip))
CASE(rip_rel_imm, 64, movl $0x11223344, 0x100(%rip))
CASE(rip_rel_neg, 64, movq -0x200(%rip), %rcx)
CASE(rip_rel_a32, 64, addr32 movl %ecx, 0x100(%eip))

/* 32-bit protected mode */
CASE(p32_st, 32, movl %ecx, (%ebx))
CASE(p32_st16, 32, movw %cx, (%ebx))
CASE(p32_ebp, 32, movl %ecx, 8(%ebp))
CASE(p32_esp, 32, movl %ecx, 4(%esp))
CASE(p32_abs, 32, movl %ecx, 0x1000)
CASE(p32_a16, 32, addr16 movl %ecx, (%bx,%si))
CASE(p32_fs, 32, movl %fs:(%ebx), %ecx)
CASE(p32_es_ebp, 32, movl %es:4(%ebp), %ecx)
CASE(p32_moffs, 32, movl 0x1000, %eax)
CASE(p32_dec_eax, 32, .byte 0x48, 0x89, 0x0b)

/* 16-bit addressing, 16-bit code */
CASE(a16_bx_si, 16, movw %ax, (%bx,%si))
CASE(a16_bx_di, 16, movw %ax, 1(%bx,%di))
CASE(a16_bp_si, 16, movw %ax, (%bp,%si))
CASE(a16_bp_di, 16, movw %ax, -2(%bp,%di))
CASE(a16_si, 16, movw %ax, 0x1234(%si))
CASE(a16_di, 16, movw %ax, (%di))
CASE(a16_bp, 16, movw %ax, 4(%bp))
CASE(a16_bx, 16, movw %ax, (%bx))
CASE(a16_abs, 16, movw %cx, 0x1234)
CASE(a16_wrap, 16, movw %ax, 2(%bx,%si))
CASE(a16_st32, 16, movl %eax, (%bx))
CASE(a16_a32, 16, movw %ax, (%ebx,%ecx,4))
CASE(a16_moffs, 16, movw 0x1234, %ax)
CASE(a16_imm, 16, movw $0x1234, (%bx))
CASE(a16_ss_ovr, 16, movw %ax, %ds:(%bp))

/* Not emulated */
CASE(u_nop, 64, nop)
CASE(u_cpuid, 64, cpuid)
CASE(u_mul, 64, mull (%rbx))
CASE(u_cmpsb, 64, cmpsb)
CASE(u_push, 64, pushq (%rbx))
CASE(u_vex, 64, vmovdqu (%rbx), %ymm0)
CASE(u_movnti, 64, movnti %ecx, (%rbx))
CASE(u_grp8_0, 64, .byte 0x0f, 0xba, 0x03, 0x05)
CASE(u_c7_reg1, 64, .byte 0xc7, 0x0b, 0, 0, 0, 0)
CASE(u_mov_cr, 64, movq %cr0, %rax)
CASE(u_ret, 64, ret)
CASE(u_0f38, 64, pshufb (%rbx), %xmm0)
CASE(u_add_al, 64, addb $1, %al)
CASE(u_inc_eax32, 32, .byte 0x40)
CASE(u_arpl, 32, .byte 0x63, 0x0b)
CASE(u_fe_2, 64, .byte 0xfe, 0x13)

/* The ALU matrix: each op, size and operand form against the host CPU. */
#define ALU_SIZES(op, n, i1, i2, i4, i8a, i8b)				\
	ALU(op##b_mr, n, 1, MR, 0, op##b %cl, (%rbx))			\
	ALU(op##w_mr, n, 2, MR, 0, op##w %cx, (%rbx))			\
	ALU(op##l_mr, n, 4, MR, 0, op##l %ecx, (%rbx))			\
	ALU(op##q_mr, n, 8, MR, 0, op##q %rcx, (%rbx))			\
	ALU(op##b_mi, n, 1, MI, i1, op##b $i1, (%rbx))			\
	ALU(op##w_mi8, n, 2, MI, -2, op##w $-2, (%rbx))			\
	ALU(op##w_mi, n, 2, MI, i2, op##w $i2, (%rbx))			\
	ALU(op##l_mi8, n, 4, MI, 0x7f, op##l $0x7f, (%rbx))		\
	ALU(op##l_mi, n, 4, MI, i4, op##l $i4, (%rbx))			\
	ALU(op##q_mi8, n, 8, MI, i8a, op##q $i8a, (%rbx))		\
	ALU(op##q_mi, n, 8, MI, i8b, op##q $i8b, (%rbx))

#define ALU_OP(op, n)							\
	ALU_SIZES(op, n, 0x81, 0x1234, 0x80000001, -128, -0x7ffffff1)	\
	ALU(op##b_rm, n, 1, RM, 0, op##b (%rbx), %cl)			\
	ALU(op##w_rm, n, 2, RM, 0, op##w (%rbx), %cx)			\
	ALU(op##l_rm, n, 4, RM, 0, op##l (%rbx), %ecx)			\
	ALU(op##q_rm, n, 8, RM, 0, op##q (%rbx), %rcx)

ALU_OP(add, 0)
ALU_OP(or, 1)
ALU_OP(adc, 2)
ALU_OP(sbb, 3)
ALU_OP(and, 4)
ALU_OP(sub, 5)
ALU_OP(xor, 6)
ALU_OP(cmp, 7)
ALU_SIZES(test, 8, 0x7e, 0x8001, 0xffff0000, 1, -0x10000)

#define ALU_UNARY(op, n)						\
	ALU(op##b_un, n, 1, UN, 0, op##b (%rbx))			\
	ALU(op##w_un, n, 2, UN, 0, op##w (%rbx))			\
	ALU(op##l_un, n, 4, UN, 0, op##l (%rbx))			\
	ALU(op##q_un, n, 8, UN, 0, op##q (%rbx))

ALU_UNARY(inc, 9)
ALU_UNARY(dec, 10)
ALU_UNARY(neg, 11)
ALU_UNARY(not, 12)

/* The bit-test matrix: BT/BTS/BTR/BTC (0-3) %cx/%ecx/%rcx, (%rbx). */
#define BT_SIZES(op, n)							\
	BT(op##w, n, 2, op##w %cx, (%rbx))				\
	BT(op##l, n, 4, op##l %ecx, (%rbx))				\
	BT(op##q, n, 8, op##q %rcx, (%rbx))

BT_SIZES(bt, 0)
BT_SIZES(bts, 1)
BT_SIZES(btr, 2)
BT_SIZES(btc, 3)

/* emul_decode_only(): MOV CR/DR and port I/O, decoded, not executed. */
CASE(d_mov_to_cr4, 64, mov %rax, %cr4)
CASE(d_mov_from_cr4_r9, 64, mov %cr4, %r9)
CASE(d_mov_to_cr8_rex, 64, mov %r12, %cr8)
CASE(d_mov_cr8_lock, 32, .byte 0xf0, 0x0f, 0x22, 0xc1)
CASE(d_mov_cr_mod0, 64, .byte 0x0f, 0x22, 0x24)
CASE(d_mov_dr7, 64, mov %rdx, %db7)
CASE(d_outsb_fs, 64, .byte 0x64; outsb)
CASE(d_outsb_cs64, 64, .byte 0x2e; outsb)
CASE(d_outsw_a32, 64, .byte 0x67; outsw)
CASE(d_insb_es16, 16, .byte 0x26, 0xf3; insb)
CASE(d_outsl_a16, 32, .byte 0x67, 0x2e; outsl)
CASE(d_in_imm, 32, inb $0x60, %al)
CASE(d_out_dx, 16, outw %ax, %dx)
CASE(d_not_mov_cr, 64, mov %rax, %rbx)

/* Segment loads (segment.c); the selector or far pointer in rAX or (%rbx). */
CASE(s_mov_ds, 64, mov %ax, %ds)
CASE(s_mov_ss, 64, mov %ax, %ss)
CASE(s_mov_cs, 64, .byte 0x8e, 0xc8)
CASE(s_pop_fs, 64, pop %fs)
CASE(s_ljmp_m32, 64, ljmp *(%rbx))
CASE(s_lcall_m32, 64, lcall *(%rbx))
CASE(s_lret, 64, lret)
CASE(s_lretq_imm, 64, lretq $8)
CASE(s_iretq, 64, iretq)
CASE(s_ltr, 64, ltr %ax)
CASE(s_lds32, 32, lds (%ebx), %eax)
CASE(s_pop_es32, 32, pop %es)
CASE(s_lcall32, 32, lcall $0x18, $0x123456)
CASE(s_iretl32, 32, iretl)
