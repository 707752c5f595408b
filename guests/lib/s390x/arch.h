/* s390x primitives used by the arch-neutral runtime. Guests run in z/Architecture mode,
 * 64-bit addressing, DAT off (real addresses are guest absolute, prefixing aside). */
#ifndef ARCH_H
#define ARCH_H

#define RT_MAX_CPUS		8
#define RT_CPU_STACK_SHIFT	14	/* 16 KiB stack per secondary CPU */

/* Lowcore: the interruption fields and PSW pairs the runtime uses. */
#define LC_EXT_PARAMS	0x080
#define LC_EXT_CPU	0x084
#define LC_EXT_CODE	0x086
#define LC_PGM_ILC	0x08c
#define LC_PGM_CODE	0x08e
#define LC_RESTART_OLD	0x120
#define LC_EXT_OLD	0x130
#define LC_PGM_OLD	0x150
#define LC_IO_OLD	0x170
#define LC_RESTART_NEW	0x1a0
#define LC_EXT_NEW	0x1b0
#define LC_SVC_NEW	0x1c0
#define LC_PGM_NEW	0x1d0
#define LC_MCK_NEW	0x1e0
#define LC_IO_NEW	0x1f0
#define LC_SAVE		0x200	/* 16 x 8: registers at interruption entry (per CPU) */
#define LC_CPU_IDX	0x280	/* 8: this CPU's runtime index */
#define LC_STACK	0x288	/* 8: a secondary's initial stack */
#define LC_ENTRY	0x290	/* 8: a secondary's first function */
#define LC_WAIT_PSW	0x2a0	/* 16 */

#ifndef __ASSEMBLER__
#include <stdint.h>

#define PSW_MASK_IO	0x0200000000000000ull
#define PSW_MASK_EXT	0x0100000000000000ull
#define PSW_MASK_WAIT	0x0002000000000000ull
#define PSW_MASK_64	0x0000000180000000ull

/* The machine orders storage accesses strongly; these serialize (and stop the compiler). */
#define mb()  __asm__ volatile("bcr 14,0" ::: "memory")
#define wmb() mb()
#define rmb() mb()

static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t mmio_read64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline void mmio_write64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

/* Interruption masking: the system-mask byte of the PSW (I/O and external bits). */
#define IRQ_FLAG_MASKED 0x100ul		/* irq_save's result when they were off already */
static inline unsigned long irq_save(void)
{
	uint8_t old;
	__asm__ volatile("stnsm %0,0xfc" : "=Q"(old) : : "memory");
	return (old & 0x03) ? old : (old | IRQ_FLAG_MASKED);
}
static inline void irq_restore(unsigned long f)
{
	uint8_t m = (uint8_t)f;
	__asm__ volatile("ssm %0" : : "Q"(m) : "memory");
}
static inline void irq_enable(void)
{
	uint8_t old;
	__asm__ volatile("stosm %0,0x03" : "=Q"(old) : : "memory");
}

extern int rt_polling;
/* An enabled wait: the interruption's handler returns here, masked again (the wait PSW's
 * address is after the wait). With interruptions masked by the caller, just poll. */
void rt_wait_enabled(void);
static inline void rt_idle(unsigned long flags)
{
	if (rt_polling || (flags & IRQ_FLAG_MASKED))
		return;
	rt_wait_enabled();
}

/* The CPU address (STAP): the form of rt_cpu_hwid[]. */
static inline uint64_t cpu_hwid(void)
{
	uint16_t a;
	__asm__ volatile("stap %0" : "=Q"(a));
	return a;
}

static inline void cpu_relax(void) { __asm__ volatile("" ::: "memory"); }

/* Time: the TOD clock, 4096 units a microsecond. */
static inline uint64_t rt_counter(void)
{
	uint64_t t;
	__asm__ volatile("stckf %0" : "=Q"(t) : : "cc");
	return t;
}
static inline uint64_t rt_counter_sync(void) { mb(); return rt_counter(); }
static inline uint64_t rt_counter_hz(void) { return 4096000000ull; }

static inline uint64_t rt_peek64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline void rt_poke64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

#include "ticket_lock.h"


/* The real address of this CPU's lowcore (0), hidden from the compiler's null reasoning. */
static inline uint8_t *lowcore(void)
{
	uint8_t *p;
	__asm__("lghi %0,0" : "=d"(p));
	return p;
}

#define lctlg(cr, val) do { uint64_t v_ = (val); \
	__asm__ volatile("lctlg %c1,%c1,%0" : : "Q"(v_), "i"(cr) : "memory"); } while (0)
#define stctg(cr) ({ uint64_t v_; \
	__asm__ volatile("stctg %c1,%c1,%0" : "=Q"(v_) : "i"(cr)); v_; })
#define CR0_EMERGENCY	0x4000ull
#define CR0_EXT_CALL	0x2000ull
#define CR0_CKC		0x0800ull
#define CR0_SERVICE	0x0200ull

/* SIGP; returns the condition code, *status on cc 1. */
static inline int sigp(uint16_t cpu, unsigned order, uint64_t param, uint32_t *status)
{
	register uint64_t r0 __asm__("0") = 0;
	register uint64_t r1 __asm__("1") = param;
	int cc;
	__asm__ volatile("sigp %%r0,%[cpu],0(%[order])\n\tipm %[cc]\n\tsrl %[cc],28"
			 : [cc] "=d"(cc), "+d"(r0)
			 : "d"(r1), [cpu] "d"((uint64_t)cpu), [order] "a"((uint64_t)order)
			 : "cc", "memory");
	if (status)
		*status = (uint32_t)r0;
	return cc;
}

/* The external interruptions the runtime dispatches (s390x/interrupts.c). */
void rt_ext_handler_set(uint16_t code, void (*fn)(void));

#endif /* __ASSEMBLER__ */
#endif
