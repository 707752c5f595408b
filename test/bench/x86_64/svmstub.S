/* The reference for exit_ratio on x86_64: the smallest possible SVM hypervisor, on the same
 * emulated machine as the hv (q35, the same -cpu). A multiboot v1 image (the a.out kludge:
 * QEMU refuses 64-bit ELF multiboot kernels), entered in 32-bit protected mode with paging
 * off. It enters long mode on one identity map of the first 1 GiB (2 MiB pages, P|RW|US
 * everywhere), which also serves as the guest's own page tables and as the nested page
 * table, so guest-physical = host-physical. svmstub.c sets up the VMCB and calls
 * svm_loop, which runs guest_loop below and answers every CPUID exit by writing the result
 * registers and stepping over the 2-byte instruction (no NRIP under TCG), nothing else.
 * The guest times HVC_CALLS CPUID(0x40000000) with rdtsc, as guests/bench.c does in a
 * partition (test=hvc), stores the ticks and halts; the HLT exit ends the loop. */
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define HVC_CALLS	200000		/* as guests/bench.c */
#define PTE		0x007		/* present, writable, user (nested walks need U) */
#define PDE_2M		0x087

	.section .text.head, "ax"
	.code32
	.globl	entry32
entry32:
	jmp	1f
	.balign	4
mb_header:				/* multiboot v1, load/entry addresses given */
	.long	0x1badb002
	.long	0x00010002
	.long	-(0x1badb002 + 0x00010002)
	.long	mb_header		/* header_addr */
	.long	entry32			/* load_addr: the file's first byte */
	.long	_edata			/* load_end_addr */
	.long	_end			/* bss_end_addr */
	.long	entry32			/* entry_addr */
1:	cli
	cld
	lgdt	gdtr
	movl	$_edata, %edi		/* clear .bss */
	movl	$_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb
	movl	%cr4, %eax
	orl	$(1 << 5), %eax		/* PAE */
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax	/* PG, PE */
	movl	%eax, %cr0
	ljmp	$0x08, $entry64

	.code64
entry64:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	leaq	stack_top(%rip), %rsp
	call	stub_main
2:	hlt
	jmp	2b

/* uint64_t svm_loop(uint64_t vmcb): runs the guest until an exit other than CPUID and
 * returns its exit code. After #VMEXIT, RAX holds the VMCB address again (host RAX comes
 * back from the save area); the guest's other general registers are the live ones. */
	.text
	.globl	svm_loop
svm_loop:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rdi, %rax
3:	vmrun
	cmpl	$0x72, 0x70(%rax)	/* EXITCODE: CPUID */
	jne	4f
	addq	$2, 0x578(%rax)		/* RIP past the cpuid */
	movq	$0x40000010, 0x5f8(%rax)	/* RAX: the highest hypervisor leaf, as the hv says */
	movl	$0x424d5653, %ebx	/* "SVMBenchStub" */
	movl	$0x68636e65, %ecx
	movl	$0x62757453, %edx
	jmp	3b
4:	movq	0x70(%rax), %rax
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

/* The guest: the loop of guests/bench.c's hvc test, with the ticks left in guest_ticks. */
	.globl	guest_loop
guest_loop:
	movl	$HVC_CALLS, %r12d
	lfence
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	movq	%rax, %r13
5:	movl	$0x40000000, %eax
	xorl	%ecx, %ecx
	cpuid
	decl	%r12d
	jnz	5b
	lfence
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	subq	%r13, %rax
	movq	%rax, guest_ticks(%rip)
	movq	$HVC_CALLS, guest_calls(%rip)
	hlt
	jmp	guest_loop		/* not reached: HLT is intercepted */

	.data
	.balign	8
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.globl	gdtr
gdtr:
	.word	gdtr - gdt - 1
	.quad	gdt

	.balign	4096
	.globl	pml4
pml4:	.quad	pdpt + PTE
	.fill	511, 8, 0
pdpt:	.quad	pd + PTE
	.fill	511, 8, 0
pd:
	.set	i, 0
	.rept	512
	.quad	(i << 21) | PDE_2M
	.set	i, i + 1
	.endr

	.globl	guest_ticks, guest_calls
guest_ticks:	.quad 0
guest_calls:	.quad 0

	.section .note.GNU-stack, "", @progbits

	.bss
	.balign	16
	.space	16384
stack_top:
	.space	4096
	.globl	guest_stack_top
guest_stack_top:
