/* Interruption entry and SIE. Every new PSW of the hv's lowcores leads here: the handler
 * saves the interrupted registers in this CPU's lowcore, calls C with the old PSW, and
 * resumes what was interrupted (the C code may redirect it). The hv runs disabled for
 * external and I/O interruptions except inside SIE and while idle, so these handlers never
 * nest; a program interruption inside one is fatal. */
#include "lowcore_asm.h"

    .text
    .macro handler name, save, oldpsw, cfunc
    .globl \name
    .align 8
\name:
    stmg    %r0,%r15,\save          /* base 0: real address, this CPU's lowcore */
    aghi    %r15,-160
    lghi    %r2,\oldpsw
    brasl   %r14,\cfunc
    lmg     %r0,%r15,\save
    lpswe   \oldpsw
    .endm

    handler s390_ext_entry, LC_HV_SAVE, LC_EXT_OLD_PSW, s390_ext_interrupt
    handler s390_io_entry, LC_HV_SAVE, LC_IO_OLD_PSW, s390_io_interrupt
    handler s390_pgm_entry, LC_HV_PGM_SAVE, LC_PGM_OLD_PSW, s390_pgm_interrupt
    handler s390_mck_entry, LC_HV_PGM_SAVE, LC_MCK_OLD_PSW, s390_mck_interrupt
    handler s390_svc_entry, LC_HV_PGM_SAVE, LC_SVC_OLD_PSW, s390_svc_interrupt

/* A secondary CPU, started by SIGP restart with its prefix already set: its stack top is
 * in its lowcore (LC_HV_STACK). */
    .globl s390_restart_entry
    .align 8
s390_restart_entry:
    lg      %r15,LC_HV_STACK
    aghi    %r15,-160
    xc      0(8,%r15),0(%r15)       /* end of the back chain for debuggers */
    lg      %r2,LC_HV_CPU
    brasl   %r14,s390_secondary_start
0:  j       0b

/* void sie_enter(struct sie_block *sd, uint64_t *gprs)
 * Run the guest in 'sd' with r0-r13 from gprs[0..13] (r14/r15 travel in the state
 * description) until an interception or a host interruption. Host interruptions are
 * enabled only around SIE; one that arrives there (old PSW = sie_insn, whether SIE had
 * begun or not) is resumed at sie_exit, so the guest's r0-r13 are saved either way. */
    .globl sie_enter, sie_insn, sie_exit
    .align 8
sie_enter:
    stmg    %r2,%r15,16(%r15)       /* the caller's register save area */
    lgr     %r14,%r2
    lmg     %r0,%r13,0(%r3)
    stosm   LC_HV_MASK_SAVE,0x03    /* I/O and external on */
sie_insn:
    sie     0(%r14)
sie_exit:
    stnsm   LC_HV_MASK_SAVE,0xfc
    lg      %r14,24(%r15)
    stmg    %r0,%r13,0(%r14)
    lmg     %r6,%r15,48(%r15)
    br      %r14

/* void s390_wait_enabled(void): wait for an external or I/O interruption. The handler
 * sees the wait bit in the old PSW and turns it into a disabled running PSW, so the
 * interruption returns here, after the wait, with interruptions off again. */
    .globl s390_wait_enabled
    .align 8
s390_wait_enabled:
    larl    %r1,0f
    stg     %r1,LC_HV_WAIT_PSW+8
    lpswe   LC_HV_WAIT_PSW
0:  br      %r14

    .section .note.GNU-stack,"",@progbits
