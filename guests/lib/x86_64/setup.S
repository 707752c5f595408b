/* bzImage real-mode part (Linux x86 boot protocol, Documentation/arch/x86/boot.rst):
 * the boot sector with the setup header, then 16-bit setup code for loaders that
 * run it (QEMU -kernel: firmware loads this part at a real-mode segment and
 * jumps to segment+0x20:0 with DS = ES = SS = segment).
 *
 * The setup area is also the zero page (boot_params) this code hands on: the
 * file keeps everything outside the header zero up to 0x1000, the code starts
 * there, and the E820 map goes to boot_params.e820_table in place. The code
 * then enters protected mode, moves the protected-mode part from where the
 * loader put it (code32_start) to its link address, and jumps to its 32-bit
 * entry (head.S) with ESI = boot_params, which goes on to long mode.
 *
 * A loader using the 64-bit entry (our hypervisor) never runs any of this: it
 * copies the header into its own boot_params and enters head.S at +0x200. */
#include "arch.h"

#define BP_E820_ENTRIES	0x1e8
#define BP_E820_TABLE	0x2d0
#define E820_MAX	128
#define SMAP		0x534d4150	/* "SMAP" */
#define HDR_CODE32_START 0x214

	.section .setup.head, "ax"
	.code16
	.globl	_setup_start
_setup_start:
	/* Booted from a disk by a BIOS: nothing to do but stop. */
	cli
1:	hlt
	jmp	1b

	.org	0x1f1
hdr:
	.byte	_setup_sects		/* 0x1f1 setup_sects: 512-byte sectors after the first */
	.word	0			/* 0x1f2 root_flags */
	.long	_syssize		/* 0x1f4 syssize: protected-mode part, 16-byte units */
	.word	0			/* 0x1f8 ram_size (obsolete) */
	.word	0xffff			/* 0x1fa vid_mode: normal */
	.word	0			/* 0x1fc root_dev */
	.word	0xaa55			/* 0x1fe boot_flag */
	.byte	0xeb			/* 0x200 jmp short: the header ends where it lands */
	.byte	hdr_end - 1f
1:	.ascii	"HdrS"			/* 0x202 header */
	.word	0x020e			/* 0x206 version 2.14: acpi_rsdp_addr is honoured */
	.long	0			/* 0x208 realmode_swtch */
	.word	0			/* 0x20c start_sys_seg (obsolete) */
	.word	kernel_version - 0x200	/* 0x20e kernel_version */
	.byte	0			/* 0x210 type_of_loader: the loader's */
	.byte	0x01			/* 0x211 loadflags: LOADED_HIGH */
	.word	0			/* 0x212 setup_move_size */
	.long	0x100000		/* 0x214 code32_start: where the loader put the 32-bit part */
	.long	0			/* 0x218 ramdisk_image */
	.long	0			/* 0x21c ramdisk_size */
	.long	0			/* 0x220 bootsect_kludge */
	.word	0			/* 0x224 heap_end_ptr */
	.byte	0			/* 0x226 ext_loader_ver */
	.byte	0			/* 0x227 ext_loader_type */
	.long	0			/* 0x228 cmd_line_ptr */
	.long	0x7fffffff		/* 0x22c initrd_addr_max */
	.long	0x200000		/* 0x230 kernel_alignment */
	.byte	0			/* 0x234 relocatable_kernel: no, load at pref_address */
	.byte	21			/* 0x235 min_alignment: 2 MiB */
	.word	0x0001			/* 0x236 xloadflags: XLF_KERNEL_64 (entry at +0x200) */
	.long	2047			/* 0x238 cmdline_size */
	.long	0			/* 0x23c hardware_subarch: PC */
	.quad	0			/* 0x240 hardware_subarch_data */
	.long	0			/* 0x248 payload_offset */
	.long	0			/* 0x24c payload_length */
	.quad	0			/* 0x250 setup_data */
	.quad	0x200000		/* 0x258 pref_address = link address */
	.long	_init_size		/* 0x260 init_size: text to the end of bss and page tables */
	.long	0			/* 0x264 handover_offset: no EFI handover */
hdr_end:
	.if	hdr_end - hdr != 0x268 - 0x1f1
	.error	"setup header layout"
	.endif

kernel_version:
	.asciz	"hv test guest"

	/* the rest of the zero page stays zero in the file; code follows it */
	.org	0x1000
setup_main:
	cli
	cld
	movw	%cs, %ax
	subw	$0x20, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$setup_stack_top, %sp

	/* E820 map into boot_params: INT 15h AX=E820h, EBX = continuation */
	xorl	%ebx, %ebx
	xorw	%bp, %bp
	movw	$BP_E820_TABLE, %di
2:	movl	$0xe820, %eax
	movl	$SMAP, %edx
	movl	$20, %ecx
	pushw	%di
	pushw	%bp
	int	$0x15
	popw	%bp
	popw	%di
	cli
	jc	3f			/* error, or past the last entry */
	cmpl	$SMAP, %eax
	jne	3f
	cmpl	$20, %ecx
	jb	3f
	incw	%bp
	addw	$20, %di
	testl	%ebx, %ebx
	jz	3f
	cmpw	$E820_MAX, %bp
	jb	2b
3:	movw	%bp, %ax
	movb	%al, BP_E820_ENTRIES

	/* protected mode: our GDT, whose base is only known now */
	xorl	%esi, %esi
	movw	%ds, %si
	shll	$4, %esi		/* ESI = boot_params (this area), linear */
	movl	%esi, %eax
	addl	$setup_gdt, %eax
	movl	%eax, setup_gdtr + 2
	movl	%esi, %eax
	addl	$pm32, %eax
	movl	%eax, pm32_ptr
	lgdtl	setup_gdtr
	movl	%cr0, %eax
	orl	$1, %eax		/* PE */
	movl	%eax, %cr0
	ljmpl	*pm32_ptr

	/* 32-bit, flat, running at boot_params + pm32: no references into this area */
	.code32
pm32:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%esi, %ebp
	/* move the protected-mode part to its link address (memmove) */
	movl	HDR_CODE32_START(%ebp), %esi
	movl	$_text, %edi
	movl	$_syssize, %ecx
	shll	$4, %ecx
	cmpl	%edi, %esi
	je	5f
	ja	4f			/* source above: forwards is safe */
	leal	-1(%esi,%ecx), %esi
	leal	-1(%edi,%ecx), %edi
	std
	rep movsb
	cld
	jmp	5f
4:	rep movsb
5:	movl	%ebp, %esi
	ljmp	$SEL_CODE32, $startup_32

	.balign	8
setup_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08 32-bit code, flat */
	.quad	0x00af9a000000ffff	/* 0x10 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x18 data, flat */
setup_gdt_end:
setup_gdtr:
	.word	setup_gdt_end - setup_gdt - 1
	.long	0			/* base: filled in */
pm32_ptr:
	.long	0			/* offset: filled in */
	.word	SEL_CODE32

	.balign	16
	.space	1024
setup_stack_top:
