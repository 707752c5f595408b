/* Entry: Linux arm64 Image header, then the minimum to run C with the MMU on.
 * Boot state (Linux protocol): EL1h, MMU/caches off, x0 = DTB; nothing else assumed. */
#define DEV_BLOCK	0x0060000000000401	/* AttrIdx0 Device-nGnRE, AF, PXN|UXN, block */
#define RAM_BLOCK	0x0000000000000705	/* AttrIdx1 Normal WB, inner shareable, AF, block */
#define MAIR_VAL	0xff04			/* idx0 = Device-nGnRE, idx1 = Normal WB RW-alloc */
#define TCR_VAL		((25 << 0) | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 30) | (25 << 16))
#define SCTLR_VAL	0x30d51805		/* RES1 | nTWI | nTWE | I | C | M */
#include "arch.h"

	.section .text.head, "ax"
	.globl _start
_start:
	b	entry			/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	_image_size		/* image_size, including .bss */
	.quad	0xa			/* flags: LE, 4K pages, anywhere */
	.quad	0, 0, 0
	.ascii	"ARM\x64"		/* magic */
	.long	0

entry:
	msr	daifset, #0xf
	mov	x19, x0			/* DTB address, survives the calls below */
	adrp	x1, __stack_top
	add	x1, x1, :lo12:__stack_top
	mov	sp, x1
	/* .bss may hold garbage; zero it with aligned stores (MMU off = Device memory) */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #(3 << 20)		/* CPACR_EL1.FPEN: newlib/libfdt use FP/SIMD */
	msr	cpacr_el1, x0
	adr	x0, vectors
	msr	vbar_el1, x0
	isb
	bl	mmu_on
	mov	x0, x19
	bl	rt_start
3:	wfi
	b	3b

/* Secondary CPUs, started by PSCI CPU_ON (cpu_start): same boot state, x0 =
 * context = cpu index. Turn on the boot CPU's MMU (its register values are in
 * rt_mmu_regs, cleaned to memory by cpu_start: we read them uncached) before
 * touching the stack, so no uncached store can go stale behind a cached line. */
	.globl	secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	cmp	x19, #RT_MAX_CPUS
	b.hs	3b			/* no stack for it: park */
	mov	x0, #(3 << 20)		/* CPACR_EL1.FPEN */
	msr	cpacr_el1, x0
	adr	x0, vectors
	msr	vbar_el1, x0
	adrp	x0, rt_mmu_regs
	add	x0, x0, :lo12:rt_mmu_regs
	ldp	x1, x2, [x0]		/* MAIR, TCR */
	ldp	x3, x4, [x0, #16]	/* TTBR0, SCTLR */
	msr	mair_el1, x1
	msr	tcr_el1, x2
	msr	ttbr0_el1, x3
	tlbi	vmalle1
	dsb	nsh
	isb
	msr	sctlr_el1, x4
	isb
	ic	iallu
	dsb	nsh
	isb
	adrp	x1, cpu_stacks
	add	x1, x1, :lo12:cpu_stacks
	add	x0, x19, #1
	add	x1, x1, x0, lsl #RT_CPU_STACK_SHIFT
	mov	sp, x1
	mov	x0, x19
	bl	rt_secondary_start	/* does not return */
	b	3b

/* Identity map of the 512 GiB below 2^39 with 1 GiB level-1 blocks: Device
 * everywhere except the GiBs holding the image and the DTB (Normal). C code
 * remaps the rest of RAM once /memory is known (mmu_map_ram). */
mmu_on:
	adrp	x0, pgtable
	adr	x1, _start
	lsr	x1, x1, #30
	lsr	x7, x19, #30
	ldr	x3, =DEV_BLOCK
	ldr	x4, =RAM_BLOCK
	mov	x2, #0
1:	cmp	x2, x1
	ccmp	x2, x7, #4, ne		/* eq if x2 == image GiB or x2 == DTB GiB */
	csel	x6, x4, x3, eq
	orr	x5, x6, x2, lsl #30
	str	x5, [x0, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #512
	b.lo	1b
	/* drop stale cache lines over the table: the walker reads it cacheably */
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x4, #4
	lsl	x4, x4, x3		/* smallest D-cache line */
	add	x2, x0, #4096
	mov	x1, x0
4:	dc	ivac, x1
	add	x1, x1, x4
	cmp	x1, x2
	b.lo	4b
	dsb	sy
	ldr	x1, =MAIR_VAL
	msr	mair_el1, x1
	ldr	x1, =TCR_VAL
	mrs	x2, id_aa64mmfr0_el1	/* IPS = PARange, capped at 48 bits */
	and	x2, x2, #7
	cmp	x2, #5
	mov	x3, #5
	csel	x2, x3, x2, hi
	orr	x1, x1, x2, lsl #32
	msr	tcr_el1, x1
	msr	ttbr0_el1, x0
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x1, =SCTLR_VAL
	msr	sctlr_el1, x1
	isb
	ic	iallu
	dsb	nsh
	isb
	ret

	.bss
	.balign	4096
	.globl	pgtable
pgtable:
	.space	4096
	.balign	16
	.space	16384
__stack_top:
cpu_stacks:
	.space	RT_MAX_CPUS << RT_CPU_STACK_SHIFT
