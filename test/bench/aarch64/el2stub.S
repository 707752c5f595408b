/* The reference for exit_ratio: the smallest possible hypervisor. Booted as an arm64 Image
 * at EL2, it drops to EL1 at 0x40080000 (where QEMU's -device loader put the bench guest)
 * with x0 = the firmware DTB, no stage 2, interrupts going straight to EL1, and answers every
 * HVC by returning at once with x0 = 0x10000 (PSCI 1.0, what PSCI_VERSION answers). An HVC round trip here is the architectural trap and nothing
 * else; the hv's round trip divided by this one is what the hv adds. */
    .section .text
    .globl _start
_start:
    b entry
    .long 0
    .quad 0x200000              /* text_offset: load at RAM base + 2 MiB */
    .quad _end - _start         /* image_size */
    .quad 0x2
    .quad 0, 0, 0
    .ascii "ARM\x64"
    .long 0

entry:
    mov x1, #0xf
    msr S3_4_C12_C9_5, x1       /* ICC_SRE_EL2: EL1 may use the GIC system registers */
    mov x1, #(1 << 31)
    msr hcr_el2, x1             /* EL1 is AArch64; nothing trapped or routed to EL2 */
    mov x1, #3
    msr cnthctl_el2, x1
    msr cntvoff_el2, xzr
    mov x1, #0x33ff
    msr cptr_el2, x1
    msr vttbr_el2, xzr
    adr x1, vectors
    msr vbar_el2, x1
    mov x1, #0x3c5              /* EL1h, interrupts masked */
    msr spsr_el2, x1
    ldr x1, =0x40080000
    msr elr_el2, x1
    isb
    eret

    .balign 2048
vectors:
    .rept 8
    .balign 128
    b .                         /* nothing at EL2 itself should trap */
    .endr
    .balign 128
    mov x0, #0x10000            /* lower EL sync: an HVC; answer "PSCI 1.0" (the bench */
    eret                        /* calls PSCI_VERSION); ELR is already past the HVC */
    .rept 7
    .balign 128
    b .
    .endr
    .ltorg
_end:
