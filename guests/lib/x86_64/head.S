/* Protected-mode part of the bzImage, linked and run at 0x200000 (pref_address):
 *   +0x000 startup_32: 32-bit entry (code32_start), flat segments, paging off,
 *          ESI = boot_params; builds the boot page tables and enters long mode.
 *   +0x200 startup_64: the Linux 64-bit entry the hypervisor uses: long mode,
 *          identity paging over guest RAM, CS = 0x10, DS = 0x18, IRQs off,
 *          RSI = boot_params. Nothing else is assumed of the state it gets.
 * startup_64 installs its own GDT and, unless it came from startup_32, its own
 * page tables (identity, 4 GiB, 2 MiB pages; lib/x86_64/mmu.c refines them),
 * turns SSE on, clears .bss and calls rt_start(boot_params).
 *
 * Secondary CPUs start in ap_trampoline (copied below 1 MiB by smp.c), which
 * goes from real mode straight to long mode on the boot page tables and
 * continues at ap_start64. */
#include "arch.h"

#define CR0_PE		(1 << 0)
#define CR0_MP		(1 << 1)
#define CR0_EM		(1 << 2)
#define CR0_ET		(1 << 4)
#define CR0_NE		(1 << 5)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define CR4_OSFXSR	(1 << 9)
#define CR4_OSXMMEXCPT	(1 << 10)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define PTE_P_RW	0x003
#define PDE_2M		0x083		/* present, writable, 2 MiB page */

	.section .text.head, "ax"
	.code32
	.globl	startup_32
startup_32:
	cli
	cld
	lgdt	boot_gdtr		/* 32-bit operand: the low half of the base */
	ljmp	$SEL_CODE32, $1f
1:	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	/* boot page tables: PML4[0] -> PDPT, PDPT[0..3] -> PD0..3, 2048 x 2 MiB */
	movl	$boot_pt, %edi
	xorl	%eax, %eax
	movl	$(BOOT_PT_PAGES * 1024), %ecx
	rep stosl
	movl	$(boot_pt + 0x1000 + PTE_P_RW), boot_pt
	movl	$(boot_pt + 0x1000), %edi
	movl	$(boot_pt + 0x2000 + PTE_P_RW), %eax
	movl	$4, %ecx
2:	movl	%eax, (%edi)
	addl	$0x1000, %eax
	addl	$8, %edi
	loop	2b
	movl	$(boot_pt + 0x2000), %edi
	movl	$PDE_2M, %eax
	movl	$2048, %ecx
3:	movl	%eax, (%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	3b
	/* long mode */
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$boot_pt, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE), %eax
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $startup_64

	.org	0x200
	.code64
	.globl	startup_64
startup_64:
	cli
	cld
	movq	%rsi, %r12		/* boot_params */
	leaq	__stack_top(%rip), %rsp
	lgdt	boot_gdtr(%rip)
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	pushq	$SEL_CODE64
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	/* our own page tables, unless startup_32 already runs on them */
	leaq	boot_pt(%rip), %rdx
	movq	%cr3, %rax
	andq	$~0xfff, %rax
	cmpq	%rdx, %rax
	je	4f
	movq	%rdx, %rdi
	xorl	%eax, %eax
	movl	$(BOOT_PT_PAGES * 512), %ecx
	rep stosq
	leaq	0x1000 + PTE_P_RW(%rdx), %rax
	movq	%rax, (%rdx)
	leaq	0x2000 + PTE_P_RW(%rdx), %rax
	xorl	%ecx, %ecx
2:	movq	%rax, 0x1000(%rdx,%rcx,8)
	addq	$0x1000, %rax
	incl	%ecx
	cmpl	$4, %ecx
	jb	2b
	movq	$PDE_2M, %rax
	xorl	%ecx, %ecx
3:	movq	%rax, 0x2000(%rdx,%rcx,8)
	addq	$0x200000, %rax
	incl	%ecx
	cmpl	$2048, %ecx
	jb	3b
	movq	%rdx, %cr3
4:	call	cpu_setup
	/* .bss (holds the stack we are on, nothing pushed yet that we need) */
	leaq	__bss_start(%rip), %rdi
	leaq	__bss_end(%rip), %rcx
	subq	%rdi, %rcx
	shrq	$3, %rcx
	xorl	%eax, %eax
	rep stosq
	movq	%r12, %rdi
	call	rt_start		/* does not return */
5:	cli
	hlt
	jmp	5b

/* FPU and SSE on (newlib and gcc use SSE), default control words. */
cpu_setup:
	movq	%cr0, %rax
	andq	$~CR0_EM, %rax
	orq	$(CR0_MP | CR0_NE), %rax
	movq	%rax, %cr0
	movq	%cr4, %rax
	orq	$(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
	movq	%rax, %cr4
	fninit
	ldmxcsr	mxcsr_default(%rip)
	ret

/* Secondary CPUs, from the trampoline: long mode on boot_pt, CS = SEL_CODE64,
 * boot_gdt loaded through a 32-bit base. ap_boot_idx (smp.c) says which stack. */
	.globl	ap_start64
ap_start64:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	lgdt	boot_gdtr(%rip)		/* the same table, through its 64-bit base */
	movl	ap_boot_idx(%rip), %edi
	leal	1(%rdi), %eax
	shlq	$RT_CPU_STACK_SHIFT, %rax
	leaq	cpu_stacks(%rip), %rsp
	addq	%rax, %rsp
	call	cpu_setup
	call	rt_secondary_start	/* (idx), does not return */
1:	cli
	hlt
	jmp	1b

	.data
	.balign	16
	.globl	boot_gdt
boot_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08 32-bit code, flat */
	.quad	0x00af9a000000ffff	/* 0x10 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x18 data, flat */
boot_gdt_end:
	.balign	8
	.word	0, 0, 0
boot_gdtr:
	.word	boot_gdt_end - boot_gdt - 1
	.quad	boot_gdt
mxcsr_default:
	.long	0x1f80

/* Real-mode trampoline for secondary CPUs (SIPI): smp.c copies it to a page
 * below 1 MiB; it runs at CS = page >> 4, IP = 0. Real mode to long mode in
 * one step (PE and PG together), then a far jump to ap_start64. */
	.section .rodata
	.balign	16
	.code16
	.globl	ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	tramp_gdtr - ap_trampoline
	movl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$boot_pt, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	$(CR0_PG | CR0_ET | CR0_PE), %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE64, $ap_start64
	.balign	8
tramp_gdtr:
	.word	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt
ap_trampoline_end:
	.code64

	.section .bss
	.balign	16
	.space	16384
	.globl	__stack_top
__stack_top:
	.globl	cpu_stacks
cpu_stacks:
	.space	RT_MAX_CPUS << RT_CPU_STACK_SHIFT

	.section .pgtables, "aw", @nobits
	.balign	4096
	.globl	boot_pt
boot_pt:
	.space	BOOT_PT_PAGES * 4096
