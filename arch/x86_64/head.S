/* x86_64 hv entry: the image header hvboot.efi reads, the boot CPU's entry (long mode on the
 * firmware's identity map, RDI = platform device tree), the other CPUs' real-mode start,
 * the exception and interrupt stubs, and the SVM and VMX world switches. */
#include "asm_offsets.h"

    .section .text.head, "ax"
    .code64
    .globl _head
_head:
    jmp boot_entry
    .balign 8
    .ascii "HVx86-64"              /* magic */
    .quad _head                    /* load address */
    .quad _image_size              /* file + bss */

boot_entry:
    cli
    cld
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp
    call x86_boot                  /* (fdt in RDI) does not return */
1:  hlt
    jmp 1b

/* ---- other CPUs: copied to the start page below 1 MiB (cpu_start_page), entered in real
 * mode at its first byte with CS = page >> 4. The hv fills in the parameter block at the
 * end of the code before sending the SIPI. ---- */
    .section .rodata
    .code16
    .globl ap_start, ap_start_end, ap_params, ap_32, ap_64, ap_gdt
ap_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    movzwl %ax, %ebp
    shl $4, %ebp                   /* ebp: the start page's address, through to 64-bit */
    /* 32-bit flat code through a tiny GDT in the parameter block */
    lgdtl (ap_gdtr - ap_start)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl *(ap_far32 - ap_start)
    .code32
ap_32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    /* long mode: PAE, the hv's page tables (below 4 GiB), EFER.LME, paging */
    mov %cr4, %eax
    or $(1 << 5), %eax
    mov %eax, %cr4
    mov (ap_cr3 - ap_start)(%ebp), %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx
    rdmsr
    or $(1 << 8 | 1 << 11), %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000000, %eax
    mov %eax, %cr0
    ljmpl *(ap_far64 - ap_start)(%ebp)
    .code64
ap_64:
    /* still running from the start page; jump to the hv proper */
    mov (ap_stack - ap_start)(%rbp), %rsp
    mov (ap_cpu - ap_start)(%rbp), %rdi
    mov (ap_entry - ap_start)(%rbp), %rax
    jmp *%rax
    .balign 8
ap_params:
ap_gdtr:    .word 31
            .long 0                /* base: page + (ap_gdt - ap_start) */
            .word 0
ap_far32:   .long 0                /* page + (ap_32_trampoline) */
            .word 0x08
            .word 0
ap_far64:   .long 0
            .word 0x18
            .word 0
ap_cr3:     .quad 0
ap_stack:   .quad 0
ap_cpu:     .quad 0
ap_entry:   .quad 0
            .balign 8
ap_gdt:     .quad 0
            .quad 0x00cf9a000000ffff   /* 0x08: 32-bit code */
            .quad 0x00cf92000000ffff   /* 0x10: data */
            .quad 0x00af9a000000ffff   /* 0x18: 64-bit code */
ap_start_end:

    .text
/* ---- exceptions and interrupts: push a uniform frame, call x86_trap(frame) ---- */
.macro TRAP_NOERR n
    .balign 16
    push $0
    push $\n
    jmp trap_common
.endm
.macro TRAP_ERR n
    .balign 16
    push $\n
    jmp trap_common
.endm
    .balign 16
    .globl trap_stubs
trap_stubs:
    .irp n, 0,1,2,3,4,5,6,7
    TRAP_NOERR \n
    .endr
    TRAP_ERR 8
    TRAP_NOERR 9
    .irp n, 10,11,12,13,14
    TRAP_ERR \n
    .endr
    TRAP_NOERR 15
    TRAP_NOERR 16
    TRAP_ERR 17
    .irp n, 18,19,20,21,22,23,24,25,26,27,28,29,30,31
    TRAP_NOERR \n
    .endr
    /* vectors 32..255: interrupts */
    .set n, 32
    .rept 224
    TRAP_NOERR n
    .set n, n + 1
    .endr

trap_common:
    push %rax
    push %rcx
    push %rdx
    push %rbx
    push %rbp
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    mov %rsp, %rbx
    and $~15, %rsp
    sub $512, %rsp                 /* the interrupted code's SSE state */
    fxsave64 (%rsp)
    call x86_trap
    fxrstor64 (%rsp)
    mov %rbx, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rbp
    pop %rbx
    pop %rdx
    pop %rcx
    pop %rax
    add $16, %rsp                  /* vector, error code */
    iretq

/* The guest GPRs other than RAX, RSP and RDI, between registers and struct guest_gprs
 * at \base (both world switches). */
.macro GPRS_LOAD base
    mov GPR_RCX(\base), %rcx
    mov GPR_RDX(\base), %rdx
    mov GPR_RBX(\base), %rbx
    mov GPR_RBP(\base), %rbp
    mov GPR_RSI(\base), %rsi
    mov GPR_R8(\base), %r8
    mov GPR_R9(\base), %r9
    mov GPR_R10(\base), %r10
    mov GPR_R11(\base), %r11
    mov GPR_R12(\base), %r12
    mov GPR_R13(\base), %r13
    mov GPR_R14(\base), %r14
    mov GPR_R15(\base), %r15
.endm
.macro GPRS_STORE base
    mov %rcx, GPR_RCX(\base)
    mov %rdx, GPR_RDX(\base)
    mov %rbx, GPR_RBX(\base)
    mov %rbp, GPR_RBP(\base)
    mov %rsi, GPR_RSI(\base)
    mov %r8, GPR_R8(\base)
    mov %r9, GPR_R9(\base)
    mov %r10, GPR_R10(\base)
    mov %r11, GPR_R11(\base)
    mov %r12, GPR_R12(\base)
    mov %r13, GPR_R13(\base)
    mov %r14, GPR_R14(\base)
    mov %r15, GPR_R15(\base)
.endm

/* ---- SVM world switch ----
 *   void svm_run(struct guest_gprs *g, uint64_t vmcb_pa, uint64_t host_save_pa)
 * Guest RAX/RSP/RIP/RFLAGS live in the VMCB; the other GPRs in *g. VMLOAD/VMSAVE switch
 * the state VMRUN leaves alone (FS/GS/TR/LDTR bases, KernelGsBase, syscall MSRs). GIF is
 * clear from here until after the exit; pending host interrupts are taken by the caller. */
    .globl svm_run
svm_run:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi                      /* g */
    push %rdx                      /* host save area */
    clgi
    sti                            /* VMRUN saves IF=1: physical interrupts exit the guest */
    mov %rdx, %rax
    vmsave %rax                    /* host FS/GS/TR... */
    mov %rsi, %rax                 /* VMCB */
    vmload %rax
    GPRS_LOAD %rdi
    mov GPR_RDI(%rdi), %rdi
    vmrun %rax
    vmsave %rax
    mov 8(%rsp), %rax              /* g */
    GPRS_STORE %rax
    mov %rdi, GPR_RDI(%rax)
    pop %rax                       /* host save area */
    vmload %rax
    add $8, %rsp
    cli
    stgi                           /* a pending interrupt waits for arch_irq_poll */
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

/* ---- VMX world switch ----
 *   int vmx_run(struct guest_gprs *g, int launched)
 * Guest RSP/RIP/RFLAGS live in the current VMCS; the other GPRs in *g. Returns 0 after a VM
 * exit, 1 if VMLAUNCH/VMRESUME failed without entering (the VM-instruction error says why).
 * The VMCS's host RSP is this frame, with g on top; the host RIP is vmx_exit. */
    .globl vmx_run, vmx_exit
vmx_run:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi                      /* g, where vmx_exit finds it */
    mov $0x6c14, %eax              /* HOST_RSP */
    vmwrite %rsp, %rax
    test %esi, %esi                /* the flags survive the MOVs below */
    mov GPR_RAX(%rdi), %rax
    GPRS_LOAD %rdi
    mov GPR_RDI(%rdi), %rdi
    jnz 1f
    vmlaunch
    jmp 2f
1:  vmresume
2:  add $8, %rsp                   /* not entered: the guest values are dropped */
    mov $1, %eax
    jmp 3f
vmx_exit:
    xchg %rdi, (%rsp)              /* rdi = g; the guest's rdi on the stack */
    mov %rax, GPR_RAX(%rdi)
    GPRS_STORE %rdi
    popq GPR_RDI(%rdi)
    xor %eax, %eax
3:  pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    .bss
    .balign 16
boot_stack:
    .skip 16384
boot_stack_top:
    .section .note.GNU-stack,"",@progbits
