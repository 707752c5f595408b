/* The hv's first instructions after IPL from its DASD. The IPL channel program (written by
 * scripts/mkdasd.py into block 0) has loaded the image at 0x10000 and the CPU starts here
 * from the IPL PSW: ESA/390 mode, 31-bit addressing, all interruptions off, prefix 0. The
 * subsystem-identification word of the IPL device is in the lowcore at 0xb8. */
#include "lowcore_asm.h"

    .section .text.head,"ax"
    .globl _start
_start:
    /* still ESA/390: only instructions that exist there until the switch */
    lhi     %r1,1                   /* r1 odd: the parameter, 1 = z/Architecture */
    sigp    %r1,%r0,0x12            /* SIGP set architecture */
    jz      1f
    basr    %r13,0
0:  lpsw    esa_fail_psw-0b(%r13)   /* cc != 0: disabled wait, code 0xa1 */
1:  sam64
    /* A program check from here on ends in a disabled wait whose address says where: the
     * real handlers are installed by the C code. */
    larl    %r1,early_pgm_psw
    mvc     LC_PGM_NEW_PSW(16,%r0),0(%r1)
    /* The additional floating-point registers (CR0 bit 45): the hv itself is soft float,
     * but Debian's libfdt keeps values in f8-f15 (and restores them), and the guests' FP
     * registers are switched through them. */
    stctg   %c0,%c0,LC_HV_SAVE
    oi      LC_HV_SAVE+5,0x04
    lctlg   %c0,%c0,LC_HV_SAVE
    /* .bss is cleared before anything lives there, the boot stack included */
    larl    %r2,__bss_start
    larl    %r3,__bss_end
    sgr     %r3,%r2
    jz      3f
    lgr     %r4,%r2
    lghi    %r5,0
    lgr     %r1,%r3                 /* MVCLE: pad byte 0 over the whole range */
2:  mvcle   %r2,%r4,0
    jo      2b
3:  larl    %r15,boot_stack_top
    aghi    %r15,-160
    xc      0(8,%r15),0(%r15)
    llgf    %r2,LC_SUBCHANNEL_ID
    brasl   %r14,s390_ipl_main
4:  j       4b

    .align 8
esa_fail_psw:
    .long   0x000a0000, 0x000000a1
early_pgm_psw:
    .quad   0x0002000180000000, 0x0000000000000ea1

    .section .bss.stack,"aw",@nobits
    .align 4096
    .space 16384
boot_stack_top:

    .section .note.GNU-stack,"",@progbits
