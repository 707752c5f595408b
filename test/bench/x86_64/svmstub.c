/* svmstub, the C half (see svmstub.S): turn SVM on, describe the guest in a VMCB, run it,
 * print its result on COM1 in the bench guest's format and end QEMU (isa-debug-exit).
 * Intercepted: VMRUN (mandatory), CPUID (the exit being timed), HLT (the guest is done) and
 * SHUTDOWN (a broken guest is reported instead of resetting the machine). Nested paging on,
 * ASID 1, nothing else: no I/O or MSR permission maps, no interrupts, no VMLOAD/VMSAVE. */
#include <stdint.h>

#include "x86.h"

#define COM1		0x3f8
#define MSR_EFER	0xc0000080
#define EFER_SVME	(1u << 12)
#define MSR_VM_HSAVE_PA	0xc0010117
#define DEBUG_EXIT	0xf4		/* -device isa-debug-exit,iobase=0xf4 */

#define EXIT_CPUID	0x72
#define EXIT_HLT	0x78
#define EXIT_SHUTDOWN	0x7f

extern uint8_t pml4[], gdtr[], guest_stack_top[];
extern void guest_loop(void);
extern uint64_t guest_ticks, guest_calls;
uint64_t svm_loop(uint64_t vmcb);

static uint8_t vmcb[4096] __attribute__((aligned(4096)));
static uint8_t hsave[4096] __attribute__((aligned(4096)));

/* lfence: the reads bracket the loop, not instructions the CPU runs ahead */
static inline uint64_t rdtsc_ordered(void)
{
	__asm__ volatile("lfence" ::: "memory");
	return rdtsc();
}

static void put(const char *s)
{
	for (; *s; s++) {
		while (!(inb(COM1 + 5) & 0x20))
			;
		outb(COM1, *s);
	}
}

static void put_u64(uint64_t v)
{
	char b[21];
	int i = sizeof b - 1;

	b[i] = 0;
	do
		b[--i] = '0' + v % 10;
	while (v /= 10);
	put(b + i);
}

static void put_hex(uint64_t v)
{
	char b[19];
	int i = sizeof b - 1;

	b[i] = 0;
	do
		b[--i] = "0123456789abcdef"[v & 0xf];
	while (v >>= 4);
	b[--i] = 'x';
	b[--i] = '0';
	put(b + i);
}

static void __attribute__((noreturn)) finish(void)
{
	outb(DEBUG_EXIT, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* TSC Hz against 50 ms of PIT channel 2 (gated by port 0x61, mode 0), as the hv measures
 * it; the median of three (under TCG the first measurement once came out 5% high). */
static uint64_t tsc_hz_once(void)
{
	const uint32_t count = 59659;	/* 1193182 Hz * 50 ms */
	uint64_t t0, t1;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc_ordered();
	while (!(inb(0x61) & 0x20))
		;
	t1 = rdtsc_ordered();
	return (t1 - t0) * 1193182 / count;
}

static uint64_t tsc_hz(void)
{
	uint64_t a = tsc_hz_once(), b = tsc_hz_once(), c = tsc_hz_once(), t;

	if (a > b)
		t = a, a = b, b = t;
	if (b > c)
		b = c;
	return a > b ? a : b;
}

static void seg(unsigned off, uint16_t sel, uint16_t attrib, uint32_t limit, uint64_t base)
{
	*(uint16_t *)(vmcb + off) = sel;
	*(uint16_t *)(vmcb + off + 2) = attrib;
	*(uint32_t *)(vmcb + off + 4) = limit;
	*(uint64_t *)(vmcb + off + 8) = base;
}
#define V32(off) (*(uint32_t *)(vmcb + (off)))
#define V64(off) (*(uint64_t *)(vmcb + (off)))

void stub_main(void)
{
	uint64_t hz, code, ns;
	uint32_t r[4];

	cpuid(0x80000001, 0, r);
	if (!(r[2] & (1u << 2))) {
		put("bench: error: svmstub: no SVM\n");
		finish();
	}
	cpuid(0x8000000a, 0, r);
	if (!(r[3] & 1))
		put("svmstub: CPUID says no nested paging (TCG does it anyway)\n");
	hz = tsc_hz();

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, (uint64_t)hsave);

	V32(0x00c) = 1u << 18 | 1u << 24 | 1u << 31;	/* CPUID, HLT, SHUTDOWN */
	V32(0x010) = 1u << 0;				/* VMRUN */
	V32(0x058) = 1;					/* ASID */
	V64(0x090) = 1;					/* nested paging */
	V64(0x0b0) = (uint64_t)pml4;			/* nested CR3: the same identity map */

	seg(0x400, 0x10, 0x0c93, 0xffffffff, 0);	/* ES */
	seg(0x410, 0x08, 0x029b, 0xffffffff, 0);	/* CS: 64-bit code */
	seg(0x420, 0x10, 0x0c93, 0xffffffff, 0);	/* SS */
	seg(0x430, 0x10, 0x0c93, 0xffffffff, 0);	/* DS */
	seg(0x440, 0x10, 0x0c93, 0xffffffff, 0);	/* FS */
	seg(0x450, 0x10, 0x0c93, 0xffffffff, 0);	/* GS */
	seg(0x460, 0, 0, *(uint16_t *)gdtr, *(uint64_t *)(gdtr + 2));	/* GDTR */
	seg(0x490, 0, 0x008b, 0x67, 0);			/* TR: a busy 64-bit TSS, never used */
	V64(0x4d0) = rdmsr(MSR_EFER);			/* LME, LMA, SVME */
	V64(0x548) = read_cr(4);
	V64(0x550) = read_cr(3);
	V64(0x558) = read_cr(0);
	V64(0x560) = 0x400;				/* DR7 */
	V64(0x568) = 0xffff0ff0;			/* DR6 */
	V64(0x570) = 0x2;				/* RFLAGS: IF clear */
	V64(0x578) = (uint64_t)guest_loop;
	V64(0x5d8) = (uint64_t)guest_stack_top;
	V64(0x668) = 0x0007040600070406;		/* guest PAT: the reset value */

	code = svm_loop((uint64_t)vmcb);
	if ((uint32_t)code != EXIT_HLT) {
		put("bench: error: svmstub: unexpected exit ");
		put_hex(code);
		put(" at rip ");
		put_hex(V64(0x578));
		put("\n");
		finish();
	}
	ns = guest_ticks * 1000 / guest_calls * 1000000 / hz;
	put("svmstub: ");
	put_u64(guest_calls);
	put(" CPUID exits answered, ");
	put_u64(ns);
	put(" ns each\n");
	put("bench: hvc calls=");
	put_u64(guest_calls);
	put(" ticks=");
	put_u64(guest_ticks);
	put(" freq=");
	put_u64(hz);
	put("\n");
	finish();
}
