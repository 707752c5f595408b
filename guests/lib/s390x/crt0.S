/* Guest start-up on s390x: the IPL PSW, the entry (z/Architecture from SIGP set
 * architecture, 64-bit addressing), the lowcore's new PSWs, interruption entries that keep
 * the interrupted state on the stack (so a handler may wait for another interruption, as
 * the SCLP console does), setjmp/longjmp and the enabled wait. */
#include "arch.h"

	.set	PSW_64, 0x0000000180000000
	.set	FRAME, 160 + 128 + 16

	.section .ipl,"a"
	.long	0x00080000, 0x80010000	/* ESA/390 IPL PSW: 31-bit, entry 0x10000 */

	.section .text.start,"ax"
	.globl	_start
_start:
	/* Under a hypervisor this is z/Architecture already (the order is refused); IPLed on
	 * the bare machine it is ESA/390 and this switches. */
	lhi	%r1,1
	sigp	%r1,%r0,0x12
	sam64
	j	1f
	.org	_start + 0x400		/* 0x10400: the parameter area the hv fills */
	.space	0x480
1:	larl	%r1,new_psws
	mvc	LC_RESTART_NEW(96,%r0),0(%r1)	/* restart, ext, svc, pgm, mck, io */
	xc	LC_CPU_IDX(8,%r0),LC_CPU_IDX(%r0)
	larl	%r2,__bss_start
	larl	%r3,__bss_end
	sgr	%r3,%r2
	jz	3f
	lghi	%r5,0
	lgr	%r4,%r2
2:	mvcle	%r2,%r4,0
	jo	2b
3:	larl	%r15,boot_stack_top
	aghi	%r15,-160
	xc	0(8,%r15),0(%r15)
	brasl	%r14,rt_start
4:	j	4b

	.align	8
	.globl	rt_new_psws
rt_new_psws:
new_psws:
	.quad	PSW_64, rt_restart_entry
	.quad	PSW_64, rt_ext_entry
	.quad	PSW_64, rt_svc_entry
	.quad	PSW_64, rt_pgm_entry
	.quad	PSW_64, rt_mck_entry
	.quad	PSW_64, rt_io_entry

	.text
/* An interruption: registers and old PSW go to a frame on the interrupted stack, the C
 * handler gets the frame (registers at 0, PSW at 128) and may change it. */
	.macro	entry name, oldpsw, cfunc
	.globl	\name
\name:
	stmg	%r0,%r15,LC_SAVE
	aghi	%r15,-FRAME
	mvc	160(128,%r15),LC_SAVE
	mvc	288(16,%r15),\oldpsw
	la	%r2,160(%r15)
	brasl	%r14,\cfunc
	mvc	\oldpsw(16,%r0),288(%r15)
	lmg	%r0,%r15,160(%r15)
	lpswe	\oldpsw
	.endm

	entry	rt_ext_entry, LC_EXT_OLD, rt_ext_interrupt
	entry	rt_pgm_entry, LC_PGM_OLD, rt_pgm_interrupt
	entry	rt_io_entry, LC_IO_OLD, rt_io_interrupt

rt_svc_entry:
rt_mck_entry:
	larl	%r1,bad_psw
	lpswe	0(%r1)
	.align	8
bad_psw:
	.quad	0x0002000180000000, 0xbad

/* A secondary CPU, started by SIGP restart with its own prefix area set up by cpu_start. */
rt_restart_entry:
	lg	%r15,LC_STACK
	aghi	%r15,-160
	xc	0(8,%r15),0(%r15)
	lg	%r2,LC_CPU_IDX
	lg	%r3,LC_ENTRY
	brasl	%r14,rt_secondary_start
5:	j	5b

	.globl	rt_wait_enabled
rt_wait_enabled:
	larl	%r1,wait_mask
	mvc	LC_WAIT_PSW(8,%r0),0(%r1)
	larl	%r1,6f
	stg	%r1,LC_WAIT_PSW+8
	lpswe	LC_WAIT_PSW
6:	br	%r14
	.align	8
wait_mask:
	.quad	0x0302000180000000	/* I/O, external, wait, 64-bit */

	.globl	setjmp, longjmp
setjmp:
	stmg	%r6,%r15,0(%r2)
	lghi	%r2,0
	br	%r14
longjmp:
	lgr	%r1,%r2
	lgr	%r2,%r3
	ltgr	%r2,%r2
	jnz	7f
	lghi	%r2,1
7:	lmg	%r6,%r15,0(%r1)
	br	%r14

	.section .bss.stack,"aw",@nobits
	.align	4096
	.space	32768
boot_stack_top:

	.section .note.GNU-stack,"",@progbits
