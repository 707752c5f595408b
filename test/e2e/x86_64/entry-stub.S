/* The hypervisor's vcpu entry, imitated on plain QEMU for hv-entry.sh: a 32-bit
 * multiboot image (QEMU -kernel) that enters a guest laid out by hvload exactly
 * as the hv will: long mode, identity paging over the low 4 GiB (2 MiB pages,
 * built here, not the guest's), CS = 0x10, DS = SS = 0x18 in a GDT of its own,
 * interrupts off, RSI = boot_params, RIP = entry64 (both from params.bin at
 * PARAMS_GPA). Assembled with as --32, linked at 1 MiB. */
#define PARAMS_GPA	0x1ef000
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0

	.text
	.code32
	.globl	_start
_start:
	jmp	start
	.balign	4
	.long	MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

start:
	cli
	cld
	lgdt	gdtr
	ljmp	$0x08, $1f
1:	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	/* PML4 -> PDPT -> 4 page directories of 2 MiB pages */
	movl	$pt, %edi
	xorl	%eax, %eax
	movl	$(6 * 1024), %ecx
	rep stosl
	movl	$(pt + 0x1003), pt
	movl	$(pt + 0x2003), %eax
	xorl	%ecx, %ecx
2:	movl	%eax, pt + 0x1000(,%ecx,8)
	addl	$0x1000, %eax
	incl	%ecx
	cmpl	$4, %ecx
	jb	2b
	movl	$0x83, %eax
	xorl	%ecx, %ecx
3:	movl	%eax, pt + 0x2000(,%ecx,8)
	addl	$0x200000, %eax
	incl	%ecx
	cmpl	$2048, %ecx
	jb	3b
	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	$pt, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	orl	$0x100, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax	/* PG, PE */
	movl	%eax, %cr0
	ljmp	$0x10, $long64

	.code64
long64:
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movq	PARAMS_GPA, %rax	/* entry64 */
	movq	PARAMS_GPA + 8, %rsi	/* boot_params */
	xorl	%esp, %esp		/* no stack promised */
	jmp	*%rax

	.data
	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08 32-bit code */
	.quad	0x00af9a000000ffff	/* 0x10 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x18 data */
gdt_end:
gdtr:
	.word	gdt_end - gdt - 1
	.long	gdt

	.bss
	.balign	4096
pt:
	.space	6 * 4096
