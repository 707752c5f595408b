/* Secondary CPUs: PSCI CPU_ON into crt0's secondary_entry, which borrows the
 * boot CPU's MMU set-up and a stack from cpu_stacks, then rt_secondary_start. */
#include "aarch64.h"

uint64_t rt_mmu_regs[8] __attribute__((aligned(64)));	/* MAIR, TCR, TTBR0, SCTLR */
static void (*cpu_fn[RT_MAX_CPUS])(unsigned idx);
extern char secondary_entry[];

long cpu_start(unsigned idx, uint64_t mpidr, void (*fn)(unsigned idx))
{
	if (idx >= RT_MAX_CPUS)
		return -2;	/* PSCI INVALID_PARAMETERS */
	cpu_fn[idx] = fn;
	rt_mmu_regs[0] = sysreg_read(mair_el1);
	rt_mmu_regs[1] = sysreg_read(tcr_el1);
	rt_mmu_regs[2] = sysreg_read(ttbr0_el1);
	rt_mmu_regs[3] = sysreg_read(sctlr_el1);
	/* the new CPU reads them with its MMU (so its caches) still off */
	__asm__ volatile("dc civac, %0; dsb sy" :: "r"(rt_mmu_regs) : "memory");
	return psci_cpu_on(mpidr, (uintptr_t)secondary_entry, idx);	/* identity mapped */
}

void __attribute__((noreturn)) rt_secondary_start(unsigned long idx)
{
	if (!rt_polling && gic_cpu_init())
		rt_raw_puts("guest: no GIC redistributor for this CPU, no interrupts here\n");
	irq_enable();
	cpu_fn[idx](idx);
	rt_cpu_off();
	for (;;)
		__asm__ volatile("wfi");
}

static void call_void(void *fn) { ((void (*)(void))fn)(); }

int sgi_enable(unsigned intid, void (*fn)(void))
{
	return intid < 16 ? intc_enable_irq(intid, 1, call_void, (void *)fn) : -1;
}

void sgi_send(unsigned intid, uint64_t mpidr) { gic_send_sgi(intid, mpidr); }
