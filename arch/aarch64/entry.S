/* EL2 exception vectors, guest entry/exit and secondary CPU entry. */

#define STACK_SIZE 0x4000
#define GREGS_PC 248
#define GREGS_PSTATE 256
#define GREGS_V 272
#define GREGS_FPSR 784
#define GREGS_FPCR 792
#define HOST_FRAME 96
#define CL_FP_REGS 8
#define ESR_EC_FP 0x07

.macro ventry target
    .balign 128
    b \target
.endm

    .section .text
    .balign 2048
    .globl hv_vectors
hv_vectors:
    ventry el2_bad_sync      /* current EL, SP_EL0 */
    ventry el2_bad_irq
    ventry el2_bad_irq
    ventry el2_bad_irq
    ventry el2_sync          /* current EL, SP_ELx: a fault in the hv itself */
    ventry el2_bad_irq
    ventry el2_bad_irq
    ventry el2_bad_irq
    ventry guest_sync        /* lower EL, AArch64 */
    ventry guest_irq
    ventry guest_fiq
    ventry guest_serror
    ventry el2_bad_sync      /* lower EL, AArch32: never enabled */
    ventry el2_bad_irq
    ventry el2_bad_irq
    ventry el2_bad_irq

el2_sync:
    /* FP/SIMD use by the hv (a library routine) while a guest's FP state is live in the
     * registers: save that state to its owner, allow FP, and retry the instruction. */
    stp x0, x1, [sp, #-16]!
    mrs x0, esr_el2
    lsr x0, x0, #26
    cmp x0, #ESR_EC_FP
    b.ne 1f
    stp x2, x30, [sp, #-16]!
    mrs x2, cptr_el2
    bic x2, x2, #(1 << 10)
    msr cptr_el2, x2
    isb
    mrs x2, tpidr_el2
    ldr x0, [x2, #CL_FP_REGS]
    cbz x0, 2f
    str xzr, [x2, #CL_FP_REGS]
    bl fp_save
2:  ldp x2, x30, [sp], #16
    ldp x0, x1, [sp], #16
    eret
1:  ldp x0, x1, [sp], #16
el2_bad_sync:
    /* The hv faulted: report and stop this CPU. Stack is whatever it was. */
    mrs x0, esr_el2
    mrs x1, elr_el2
    mrs x2, far_el2
    mov x3, sp
    bl arch_el2_fault
    b .
el2_bad_irq:
    mrs x0, esr_el2
    mrs x1, elr_el2
    mov x2, #1
    mov x3, sp
    bl arch_el2_fault
    b .

/* unsigned long __guest_enter(struct guest_regs *r): runs the guest until it traps;
 * returns the vector kind (0 sync, 1 irq, 2 fiq, 3 serror). FP/SIMD registers are not
 * touched here: they are switched lazily (vcpu.c and fp_trap below). The hv's C code is
 * built without FP, so no FP value of the hv lives across this call. */
    .globl __guest_enter
__guest_enter:
    sub sp, sp, #HOST_FRAME
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    mrs x1, tpidr_el2
    str x0, [x1]                 /* cpu_local.guest: where the vectors save to */

    ldr x2, [x0, #GREGS_PC]
    msr elr_el2, x2
    ldr x2, [x0, #GREGS_PSTATE]
    msr spsr_el2, x2

    ldp x2, x3, [x0, #16]
    ldp x4, x5, [x0, #32]
    ldp x6, x7, [x0, #48]
    ldp x8, x9, [x0, #64]
    ldp x10, x11, [x0, #80]
    ldp x12, x13, [x0, #96]
    ldp x14, x15, [x0, #112]
    ldp x16, x17, [x0, #128]
    ldp x18, x19, [x0, #144]
    ldp x20, x21, [x0, #160]
    ldp x22, x23, [x0, #176]
    ldp x24, x25, [x0, #192]
    ldp x26, x27, [x0, #208]
    ldp x28, x29, [x0, #224]
    ldr x30, [x0, #240]
    ldp x0, x1, [x0, #0]
    eret
    dsb nsh
    isb

/* void fp_save(struct guest_regs *r) / fp_restore(r): the FP/SIMD file; clobber x1 only,
 * so el2_sync can call fp_save with little saved around it. */
    .globl fp_save
fp_save:
    add x1, x0, #GREGS_V
    stp q0, q1, [x1, #0]
    stp q2, q3, [x1, #32]
    stp q4, q5, [x1, #64]
    stp q6, q7, [x1, #96]
    stp q8, q9, [x1, #128]
    stp q10, q11, [x1, #160]
    stp q12, q13, [x1, #192]
    stp q14, q15, [x1, #224]
    stp q16, q17, [x1, #256]
    stp q18, q19, [x1, #288]
    stp q20, q21, [x1, #320]
    stp q22, q23, [x1, #352]
    stp q24, q25, [x1, #384]
    stp q26, q27, [x1, #416]
    stp q28, q29, [x1, #448]
    stp q30, q31, [x1, #480]
    mrs x1, fpsr
    str x1, [x0, #GREGS_FPSR]
    mrs x1, fpcr
    str x1, [x0, #GREGS_FPCR]
    ret

    .globl fp_restore
fp_restore:
    add x1, x0, #GREGS_V
    ldp q0, q1, [x1, #0]
    ldp q2, q3, [x1, #32]
    ldp q4, q5, [x1, #64]
    ldp q6, q7, [x1, #96]
    ldp q8, q9, [x1, #128]
    ldp q10, q11, [x1, #160]
    ldp q12, q13, [x1, #192]
    ldp q14, q15, [x1, #224]
    ldp q16, q17, [x1, #256]
    ldp q18, q19, [x1, #288]
    ldp q20, q21, [x1, #320]
    ldp q22, q23, [x1, #352]
    ldp q24, q25, [x1, #384]
    ldp q26, q27, [x1, #416]
    ldp q28, q29, [x1, #448]
    ldp q30, q31, [x1, #480]
    ldr x1, [x0, #GREGS_FPSR]
    msr fpsr, x1
    ldr x1, [x0, #GREGS_FPCR]
    msr fpcr, x1
    ret

guest_sync:
    stp x0, x1, [sp, #-16]!
    mov x1, #0
    b guest_exit
guest_irq:
    stp x0, x1, [sp, #-16]!
    mov x1, #1
    b guest_exit
guest_fiq:
    stp x0, x1, [sp, #-16]!
    mov x1, #2
    b guest_exit
guest_serror:
    stp x0, x1, [sp, #-16]!
    mov x1, #3

guest_exit:
    mrs x0, tpidr_el2
    ldr x0, [x0]
    stp x2, x3, [x0, #16]
    stp x4, x5, [x0, #32]
    stp x6, x7, [x0, #48]
    stp x8, x9, [x0, #64]
    stp x10, x11, [x0, #80]
    stp x12, x13, [x0, #96]
    stp x14, x15, [x0, #112]
    stp x16, x17, [x0, #128]
    stp x18, x19, [x0, #144]
    stp x20, x21, [x0, #160]
    stp x22, x23, [x0, #176]
    stp x24, x25, [x0, #192]
    stp x26, x27, [x0, #208]
    stp x28, x29, [x0, #224]
    str x30, [x0, #240]
    ldp x2, x3, [sp], #16
    stp x2, x3, [x0, #0]
    mrs x2, elr_el2
    str x2, [x0, #GREGS_PC]
    mrs x2, spsr_el2
    str x2, [x0, #GREGS_PSTATE]

    mov x0, x1
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    add sp, sp, #HOST_FRAME
    ret

/* Secondary CPUs arrive here from firmware PSCI CPU_ON at EL2, MMU off, x0 = CPU index. */
    .globl secondary_entry
secondary_entry:
    msr daifset, #0xf
    adrp x1, hv_stacks
    add x1, x1, :lo12:hv_stacks
    add x2, x0, #1
    mov x3, #STACK_SIZE
    madd x1, x2, x3, x1
    mov sp, x1
    mov x1, #0x33ff              /* CPTR_EL2: FP/SIMD not trapped (hv and guests use it) */
    msr cptr_el2, x1
    isb
    bl arch_secondary_start
    b .

/* Boot CPU: called from the boot protocol's entry with x0 = its argument (kept in x19). */
    .globl arch_early_entry
arch_early_entry:
    msr daifset, #0xf
    mov x19, x0
    mov x20, x1
    adrp x1, __bss_start
    add x1, x1, :lo12:__bss_start
    adrp x2, __bss_end
    add x2, x2, :lo12:__bss_end
1:  cmp x1, x2
    b.hs 2f
    str xzr, [x1], #8
    b 1b
2:  adrp x1, hv_stacks
    add x1, x1, :lo12:hv_stacks
    add x1, x1, #STACK_SIZE
    mov sp, x1
    mov x1, #0x33ff
    msr cptr_el2, x1
    isb
    mov x0, x19
    br x20                       /* the boot protocol's C entry, never returns */

    .section .bss
    .balign 16
    .globl hv_stacks
hv_stacks:
    .space STACK_SIZE * 8        /* HV_MAX_CPUS */
