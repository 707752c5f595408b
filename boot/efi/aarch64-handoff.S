/* The last step of hvboot, after ExitBootServices: leave the firmware's EL2 environment and
 * enter the arm64 Image by the Linux boot protocol.
 *
 *   void hvboot_enter(uint64_t entry, uint64_t dtb, const struct range *flush, uint64_t n)
 *
 * flush points at n {base, end} pairs (physical = virtual: the firmware's map is an identity
 * map), cleaned and invalidated to the point of coherency here, right before the MMU and the
 * caches go off. This code runs from the app's own identity-mapped pages, so it keeps
 * executing at the same address when the MMU is switched off. No stack is used after the
 * caches are off. */
    .text
    .balign 64
    .globl hvboot_enter
    .type hvboot_enter, %function
hvboot_enter:
    msr daifset, #0xf              /* mask D, A, I, F */
    isb
    mov x9, x0                     /* entry */
    mov x10, x1                    /* DTB */

    /* Smallest D-cache line: 4 << CTR_EL0.DminLine bytes. */
    mrs x4, ctr_el0
    ubfx x4, x4, #16, #4
    mov x5, #4
    lsl x5, x5, x4
    sub x6, x5, #1
1:  cbz x3, 4f
    ldp x7, x8, [x2], #16          /* base, end */
    bic x7, x7, x6
2:  cmp x7, x8
    b.hs 3f
    dc civac, x7
    add x7, x7, x5
    b 2b
3:  sub x3, x3, #1
    b 1b
4:  dsb sy
    ic iallu                       /* the hv's code was written through the D-cache */
    dsb sy
    isb

    /* MMU, D-cache and I-cache off (SCTLR_EL2.M, C, I). */
    mrs x4, sctlr_el2
    bic x4, x4, #(1 << 0)
    bic x4, x4, #(1 << 2)
    bic x4, x4, #(1 << 12)
    msr sctlr_el2, x4
    isb

    /* HCR_EL2.TGE (and everything else the firmware set) off: the hv sets what it needs. */
    msr hcr_el2, xzr
    isb
    tlbi alle2
    dsb sy
    isb

    mov x0, x10
    mov x1, xzr
    mov x2, xzr
    mov x3, xzr
    br x9
    .size hvboot_enter, . - hvboot_enter
