/* aarch64 primitives used by the arch-neutral runtime. */
#ifndef ARCH_H
#define ARCH_H

#define RT_MAX_CPUS		8	/* CPUs a guest can run on (cpu_start idx) */
#define RT_CPU_STACK_SHIFT	13	/* 8 KiB stack per secondary CPU */

#ifndef __ASSEMBLER__
#include <stdint.h>

#define sysreg_read(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_)); v_; })
#define sysreg_write(r, v) __asm__ volatile("msr " #r ", %0" :: "r"((uint64_t)(v)) : "memory")

/* Run one statement (an instruction that may trap) with a synchronous exception at EL1
 * expected: it is recorded and stepped over. Evaluates to the exception's ESR_EL1, or 0
 * if none came. */
extern volatile int rt_trap_expected;
extern volatile uint64_t rt_trap_esr;
#define rt_trap(stmt) ({ rt_trap_esr = 0; rt_trap_expected = 1; stmt; rt_trap_expected = 0; \
			 rt_trap_esr; })
#define isb() __asm__ volatile("isb" ::: "memory")

/* Barriers between shared-ring updates and the device (full system scope:
 * the device may be QEMU, or a hypervisor running on another core). */
#define mb()  __asm__ volatile("dsb sy" ::: "memory")
#define wmb() __asm__ volatile("dsb st" ::: "memory")
#define rmb() __asm__ volatile("dsb ld" ::: "memory")

/* MMIO: exactly one plain ldr/str, no pair or writeback forms, so a trapping
 * hypervisor can emulate it from the abort syndrome alone. */
static inline uint32_t mmio_read32(uintptr_t a)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void mmio_write32(uintptr_t a, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" :: "rZ"(v), "r"(a) : "memory");
}
static inline uint64_t mmio_read64(uintptr_t a)
{
	uint64_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void mmio_write64(uintptr_t a, uint64_t v)
{
	__asm__ volatile("str %x0, [%1]" :: "rZ"(v), "r"(a) : "memory");
}

/* IRQ masking: enough against IRQ handlers on this CPU; state shared with
 * other CPUs also takes a spinlock (below). */
#define IRQ_FLAG_MASKED (1u << 7)
static inline unsigned long irq_save(void)
{
	unsigned long f = sysreg_read(daif);
	__asm__ volatile("msr daifset, #2" ::: "memory");
	return f;
}
static inline void irq_restore(unsigned long f) { sysreg_write(daif, f); isb(); }
static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #2; isb" ::: "memory"); }

extern int rt_polling;

/* Called in a wait loop with IRQs masked (flags = what irq_save returned).
 * wfi wakes on a pending IRQ even while masked, so there is no lost wake-up;
 * the IRQ is then taken in the brief unmasked window. If the caller already
 * had IRQs masked (handler or fault context) or there is no interrupt
 * controller, just poll. */
static inline void rt_idle(unsigned long flags)
{
	if (rt_polling || (flags & IRQ_FLAG_MASKED)) {
		__asm__ volatile("yield" ::: "memory");
		return;
	}
	__asm__ volatile("wfi; msr daifclr, #2; isb; msr daifset, #2" ::: "memory");
}

/* This CPU's MPIDR_EL1 affinity (Aff3, Aff2..Aff0), the form of /cpus reg;
 * that is also its hardware id (rt_cpu_hwid[]). */
static inline uint64_t cpu_mpidr(void) { return sysreg_read(mpidr_el1) & 0xff00ffffffull; }
static inline uint64_t cpu_hwid(void) { return cpu_mpidr(); }

/* Busy-wait hint (spin loops that poll memory another CPU writes). */
static inline void cpu_relax(void) { __asm__ volatile("yield" ::: "memory"); }

/* Time: the virtual counter. */
static inline uint64_t rt_counter(void) { return sysreg_read(cntvct_el0); }
static inline uint64_t rt_counter_sync(void) { isb(); return sysreg_read(cntvct_el0); }
static inline uint64_t rt_counter_hz(void) { return sysreg_read(cntfrq_el0); }

/* One 64-bit load / store at a physical address (identity map), for probing. */
static inline uint64_t rt_peek64(uintptr_t a)
{
	uint64_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void rt_poke64(uintptr_t a, uint64_t v)
{
	__asm__ volatile("str %0, [%1]" :: "r"(v), "r"(a) : "memory");
}

/* Spinlocks (atomics are exclusives: they need the MMU on, Device memory may fail them
 * forever). Waiters spin with yield, not wfe, so a hypervisor trapping wfe cannot leave
 * them asleep. Hold with IRQs masked if an IRQ handler on the same CPU may want it. */
#include "ticket_lock.h"


#endif /* __ASSEMBLER__ */
#endif
