/* EL1 exception vectors. Only "current EL, SP_ELx" sync and IRQ are expected;
 * IRQs save every caller-visible register including all of q0-q31 (C handlers
 * and newlib may use SIMD), anything else is reported and powers off. */
#define FRAME	800		/* x0-x30, elr, spsr, fpsr, fpcr, q0-q31 */

	.altmacro
.macro	pair op, r, a, b, base, off
	\op	\r\a, \r\b, [\base, #\off]
.endm

/* x0/x1 ... x28/x29 at sp+0 */
.macro	x_pairs op
	.irp	n, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28
	pair	\op, x, \n, %(\n + 1), sp, %(\n * 8)
	.endr
.endm

/* q0/q1 ... q30/q31 at sp+288 (clobbers x0) */
.macro	q_pairs op
	add	x0, sp, #288
	.irp	n, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
	pair	\op, q, \n, %(\n + 1), x0, %(\n * 16)
	.endr
.endm

.macro	save_all
	sub	sp, sp, #FRAME
	x_pairs	stp
	q_pairs	stp
	mrs	x0, elr_el1
	stp	x30, x0, [sp, #240]
	mrs	x0, spsr_el1
	mrs	x1, fpsr
	stp	x0, x1, [sp, #256]
	mrs	x0, fpcr
	str	x0, [sp, #272]
.endm

.macro	restore_all
	q_pairs	ldp
	ldr	x0, [sp, #272]
	msr	fpcr, x0
	ldp	x0, x1, [sp, #256]
	msr	spsr_el1, x0
	msr	fpsr, x1
	ldp	x30, x0, [sp, #240]
	msr	elr_el1, x0
	x_pairs	ldp
	add	sp, sp, #FRAME
.endm

.macro	ventry label
	.balign	128
	b	\label
.endm

.macro	vbad n
	.balign	128
	mov	x0, #\n
	b	bad_vector
.endm

	.text
	.balign	2048
	.globl	vectors
vectors:
	vbad	0			/* current EL, SP_EL0 */
	vbad	1
	vbad	2
	vbad	3
	ventry	el1_sync		/* current EL, SP_ELx */
	ventry	el1_irq
	vbad	6
	vbad	7
	vbad	8			/* lower EL, AArch64 */
	vbad	9
	vbad	10
	vbad	11
	vbad	12			/* lower EL, AArch32 */
	vbad	13
	vbad	14
	vbad	15

el1_sync:
	save_all
	mov	x0, sp
	bl	rt_sync_exception	/* returns only for a trap the program expected */
	restore_all
	eret

el1_irq:
	save_all
	bl	gic_handle_irq
	restore_all
	eret

bad_vector:
	bl	rt_bad_vector		/* does not return */
	b	.
