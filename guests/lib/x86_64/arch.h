/* x86_64 primitives used by the arch-neutral runtime. */
#ifndef ARCH_H
#define ARCH_H

#define RT_MAX_CPUS		8	/* CPUs a guest can run on (cpu_start idx) */
#define RT_CPU_STACK_SHIFT	14	/* 16 KiB stack per secondary CPU */

/* Segment selectors of the runtime's GDT (the Linux boot protocol's values). */
#define SEL_CODE32		0x08
#define SEL_CODE64		0x10
#define SEL_DATA		0x18

/* Boot page tables (head.S): PML4, PDPT, four page directories of 2 MiB pages
 * identity mapping the low 4 GiB, one page each. */
#define BOOT_PT_PAGES		6

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Barriers between shared-ring updates and the device. x86 keeps stores in
 * order and loads in order (TSO), so only a later load overtaking an earlier
 * store needs a fence. */
#define mb()  __asm__ volatile("mfence" ::: "memory")
#define wmb() __asm__ volatile("" ::: "memory")
#define rmb() __asm__ volatile("" ::: "memory")

/* MMIO (LAPIC, IOAPIC, virtio-mmio): exactly one 32-bit mov between a general
 * register and memory, so a trapping hypervisor can emulate it from the
 * instruction alone. */
static inline uint32_t mmio_read32(uintptr_t a)
{
	uint32_t v;
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void mmio_write32(uintptr_t a, uint32_t v)
{
	__asm__ volatile("movl %0, (%1)" :: "r"(v), "r"(a) : "memory");
}
static inline uint8_t mmio_read8(uintptr_t a)
{
	uint8_t v;
	__asm__ volatile("movb (%1), %0" : "=q"(v) : "r"(a) : "memory");
	return v;
}
static inline void mmio_write8(uintptr_t a, uint8_t v)
{
	__asm__ volatile("movb %0, (%1)" :: "q"(v), "r"(a) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port));
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* IRQ masking (RFLAGS.IF): enough against IRQ handlers on this CPU; state
 * shared with other CPUs also takes a spinlock (below). */
#define RFLAGS_IF (1ul << 9)
static inline unsigned long irq_save(void)
{
	unsigned long f;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f) :: "memory");
	return f;
}
static inline void irq_restore(unsigned long f)
{
	if (f & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
	else
		__asm__ volatile("cli" ::: "memory");
}
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }

extern int rt_polling;

/* Called in a wait loop with IRQs masked (flags = what irq_save returned).
 * "sti; hlt": sti's one-instruction shadow means an interrupt arriving in
 * between wakes the hlt instead of being taken before it, so there is no lost
 * wake-up; the IRQ is taken in the hlt, then masked again. If the caller
 * already had IRQs masked (handler or fault context) or there is no interrupt
 * controller, just poll. */
static inline void rt_idle(unsigned long flags)
{
	if (rt_polling || !(flags & RFLAGS_IF)) {
		__asm__ volatile("pause" ::: "memory");
		return;
	}
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* This CPU's local APIC id (the MADT's form): lapic.c. */
uint64_t cpu_hwid(void);

/* Busy-wait hint (spin loops that poll memory another CPU writes). */
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

/* Time: the TSC, at rt_tsc_hz (CPUID 0x40000010 from a hypervisor, else
 * calibrated against the PIT at start-up). */
extern uint64_t rt_tsc_hz;
static inline uint64_t rt_counter(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
static inline uint64_t rt_counter_sync(void)
{
	__asm__ volatile("lfence" ::: "memory");	/* earlier instructions first */
	return rt_counter();
}
static inline uint64_t rt_counter_hz(void) { return rt_tsc_hz; }

/* One 64-bit load / store at a physical address (identity map), for probing. */
static inline uint64_t rt_peek64(uintptr_t a)
{
	uint64_t v;
	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}
static inline void rt_poke64(uintptr_t a, uint64_t v)
{
	__asm__ volatile("movq %0, (%1)" :: "r"(v), "r"(a) : "memory");
}

/* Privileged instructions that a hypervisor may refuse (#GP) or the CPU may
 * not have (#UD): vectors.S recovers from the exception. They return -1 if
 * the instruction completed, else the exception vector. */
int rdmsr_safe(uint32_t msr, uint64_t *v);
int wrmsr_safe(uint32_t msr, uint64_t v);
int rdpmc_safe(uint32_t counter, uint64_t *v);
int mwait_safe(const void *line);

#include "ticket_lock.h"


#endif /* __ASSEMBLER__ */
#endif
