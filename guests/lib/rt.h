/* Guest runtime API for the test programs (main() is called as int main(void)). */
#ifndef RT_H
#define RT_H
#include <stddef.h>
#include <stdint.h>
#include "arch.h"

extern const char *rt_bootargs;		/* /chosen/bootargs, "" if none */
extern uint64_t rt_mem_base, rt_mem_size;	/* first /memory reg entry */

/* Bootargs: space-separated tokens. bootarg_next copies the next token into
 * tok and returns the position after it, or NULL when there are no more. */
const char *bootarg_next(const char *p, char *tok, size_t n);
unsigned long bootarg_ulong(const char *key, unsigned long def);

void console_flush(void);		/* wait until the device consumed all output */
int vtimer_start(unsigned ms, void (*fn)(void));	/* fn runs in IRQ context */
void vtimer_stop(void);
void __attribute__((noreturn)) rt_poweroff(void);
long psci_system_reset(void);		/* returns only on failure (PSCI status) */

/* SMP. rt_cpu_mpidr[] = the /cpus entries usable here (the boot CPU and those
 * with enable-method "psci"), as MPIDR affinity (reg). stdio is not SMP-safe:
 * other CPUs should write() whole lines (one write is never interleaved). */
extern unsigned rt_ncpus;
extern uint64_t rt_cpu_mpidr[RT_MAX_CPUS];
/* PSCI CPU_ON: fn(idx) runs on CPU mpidr on stack idx (< RT_MAX_CPUS) with the
 * boot CPU's MMU tables and vectors, its GIC CPU interface on and IRQs
 * unmasked; CPU_OFF if fn returns. Returns the PSCI status (0 = started). */
long cpu_start(unsigned idx, uint64_t mpidr, void (*fn)(unsigned idx));
long psci_cpu_off(void);		/* returns only on failure */
long psci_affinity_info(uint64_t mpidr);	/* 0 on, 1 off, 2 on pending, <0 error */
int sgi_enable(unsigned intid, void (*fn)(void));	/* on this CPU; fn in IRQ context */
void sgi_send(unsigned intid, uint64_t mpidr);

/* Sleep (wfi) until cond holds; cond is re-checked after every interrupt. */
#define WAIT_UNTIL(cond) do { \
	unsigned long f_ = irq_save(); \
	while (!(cond)) \
		rt_idle(f_); \
	irq_restore(f_); \
} while (0)

#endif
