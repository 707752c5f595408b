/* x86_64 hvboot: the embedded hv image, and the jump into it after ExitBootServices.
 *   void hvboot_enter(uint64_t entry, uint64_t dtb)
 * Long mode on the firmware's identity map; the hv loads its own GDT, IDT and page tables
 * first thing. Interrupts off: the firmware's handlers are gone with boot services. */
    .section .rodata
    .balign 4096
    .globl hv_blob_start, hv_blob_end
hv_blob_start:
    .incbin HV_BIN
hv_blob_end:

    .text
    .globl hvboot_enter
    .type hvboot_enter, @function
hvboot_enter:
    cli
    mov %rsi, %rax
    mov %rdi, %rcx
    mov %rax, %rdi                 /* first argument of the hv's entry: the DTB */
    jmp *%rcx
    .size hvboot_enter, . - hvboot_enter
    .section .note.GNU-stack,"",@progbits
