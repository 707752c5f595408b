/* hvboot.mb2: the multiboot2 header, the 32-bit entry from GRUB, the switch to long mode,
 * the exception stubs, the embedded hv image and the jump into it.
 *
 * GRUB enters at mb2_entry in 32-bit protected mode, paging off, interrupts off, with
 * EAX = 0x36d76289 and EBX = the multiboot2 information (its GDT and IDT are not ours to
 * use). From here: our own GDT, an IDT of limit 0 (a fault before long mode is a triple
 * fault, not a jump through GRUB's table), COM1 set up, identity page tables for the low
 * 4 GiB in 2 MiB pages, long mode, an IDT whose 32 exception gates report on COM1, then
 * mb2_main(magic, info) in C. */

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define COM1 0x3f8
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100

    .section .mb2_header, "a"
    .balign 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    .balign 8
    .short 6, 0                    /* module alignment: modules page-aligned */
    .long 8
    .balign 8
    .short 0, 0                    /* end */
    .long 8
mb2_header_end:

    .text
    .code32
    .globl mb2_entry
    .type mb2_entry, @function
mb2_entry:
    cli
    cld
    mov %eax, %edi                 /* magic and info survive to mb2_main's arguments */
    mov %ebx, %esi
    lgdt gdt_ptr
    ljmp $0x08, $1f
1:  mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov $stack_top, %esp
    lidt idt0_ptr

    /* COM1: keep a line someone (GRUB's 'serial') set to 8N1, else 115200 8N1. */
    mov $(COM1 + 3), %dx
    in %dx, %al
    and $0x7f, %al
    cmp $0x03, %al
    je 2f
    mov $(COM1 + 1), %dx           /* no UART interrupts */
    xor %al, %al
    out %al, %dx
    mov $(COM1 + 3), %dx           /* DLAB: divisor 1 = 115200 baud */
    mov $0x80, %al
    out %al, %dx
    mov $COM1, %dx
    mov $1, %al
    out %al, %dx
    mov $(COM1 + 1), %dx
    xor %al, %al
    out %al, %dx
    mov $(COM1 + 3), %dx           /* 8N1 */
    mov $0x03, %al
    out %al, %dx
    mov $(COM1 + 2), %dx           /* FIFOs on and cleared */
    mov $0xc7, %al
    out %al, %dx
    mov $(COM1 + 4), %dx           /* DTR, RTS */
    mov $0x03, %al
    out %al, %dx
2:
    /* Long mode is the least the hv needs. (CPUID leaves EDI and ESI alone.) */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode

    /* Page tables: PML4[0] -> PDPT[0..3] -> 4 page directories of 2 MiB pages, 1:1. */
    mov $pd, %ebx
    xor %ecx, %ecx
3:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax                 /* present, writable, 2 MiB */
    mov %eax, (%ebx, %ecx, 8)
    mov %ecx, %eax
    shr $11, %eax                  /* bits 32+ of the address: i >> 11 */
    mov %eax, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jb 3b
    xor %ecx, %ecx
4:  mov %ecx, %eax
    shl $12, %eax
    add $(pd + 3), %eax
    mov %eax, pdpt(, %ecx, 8)
    inc %ecx
    cmp $4, %ecx
    jb 4b
    mov $(pdpt + 3), %eax
    mov %eax, pml4

    mov %cr4, %eax
    or $(1 << 5), %eax             /* PAE */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $(1 << 8), %eax             /* LME */
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax           /* PG, PE */
    mov %eax, %cr0
    ljmp $0x18, $long_mode

no_long_mode:
    mov $msg_no_long_mode, %esi
5:  lodsb
    test %al, %al
    jz 7f
    mov %al, %bl
    mov $(COM1 + 5), %dx
6:  in %dx, %al
    test $0x20, %al
    jz 6b
    mov $COM1, %dx
    mov %bl, %al
    out %al, %dx
    jmp 5b
7:  cli
    hlt
    jmp 7b
    .size mb2_entry, . - mb2_entry

    .code64
long_mode:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    lea stack_top(%rip), %rsp

    /* The exception gates: vector n -> fault_stubs + 16 n, 64-bit code, interrupt gate. */
    lea idt(%rip), %r8
    lea fault_stubs(%rip), %r9
    xor %ecx, %ecx
8:  mov %r9, %rax
    mov %ax, (%r8)
    movw $0x18, 2(%r8)
    movw $0x8e00, 4(%r8)
    shr $16, %rax
    mov %ax, 6(%r8)
    shr $16, %rax
    mov %eax, 8(%r8)
    movl $0, 12(%r8)
    add $16, %r8
    add $16, %r9
    inc %ecx
    cmp $32, %ecx
    jb 8b
    lidt idt_ptr(%rip)

    /* libfdt is built with the stack protector, whose canary is %fs:0x28. */
    mov %edi, %r8d
    lea fs_area(%rip), %rax
    mov %rax, %rdx
    shr $32, %rdx
    mov $MSR_FS_BASE, %ecx
    wrmsr
    mov %r8d, %edi                 /* magic (zero-extended) */
    mov %esi, %esi                 /* info */
    call mb2_main
9:  cli
    hlt
    jmp 9b

/* ---- exceptions: a uniform frame (vector, error code, then the CPU's), to mb2_fault ---- */
.macro STUB n
    .balign 16
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    push $\n
    .else
    push $0
    push $\n
    .endif
    jmp fault_common
.endm
    .balign 16
fault_stubs:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    STUB \n
    .endr
fault_common:
    mov %rsp, %rdi
    and $-16, %rsp
    call mb2_fault
10: cli
    hlt
    jmp 10b

/* void mb2_enter(uint64_t entry, uint64_t dtb): into the hv as hvboot.efi does. */
    .globl mb2_enter
    .type mb2_enter, @function
mb2_enter:
    cli
    mov %rdi, %rax
    mov %rsi, %rdi                 /* the hv's first argument: the DTB */
    jmp *%rax
    .size mb2_enter, . - mb2_enter

    .section .rodata
    .balign 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff       /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff       /* 0x10: data */
    .quad 0x00af9a000000ffff       /* 0x18: 64-bit code */
gdt_end:
gdt_ptr:
    .word gdt_end - gdt - 1
    .quad gdt
idt0_ptr:
    .word 0
    .quad 0
idt_ptr:
    .word 32 * 16 - 1
    .quad idt
msg_no_long_mode:
    .asciz "hvboot: this CPU has no long mode (64-bit); the hv needs x86_64\r\nhvboot: halted\r\n"

/* The hv image, copied to its load address at the end (its header says where). */
    .section .rodata.hv, "a"
    .balign 4096
    .globl hv_blob_start, hv_blob_end
hv_blob_start:
    .incbin HV_BIN
hv_blob_end:

    .bss
    .balign 4096
pml4:   .skip 4096
pdpt:   .skip 4096
pd:     .skip 4 * 4096
stack:  .skip 16384
stack_top:
    .balign 16
idt:    .skip 32 * 16
fs_area: .skip 64

    .section .note.GNU-stack, "", @progbits
