/* Time: the physical counter for hv time, the EL2 physical timer (CNTHP) for the hv's own
 * preemption, and the guest's virtual timer left to the guest (forwarded by gicv3.c). */
#include "aarch64.h"

static uint64_t freq;
static uint64_t ns_mult; /* ns = ticks * ns_mult >> 32: a multiply, not a division, per read */

void timer_cpu_init(void)
{
    freq = read_sysreg(cntfrq_el0);
    ns_mult = (1000000000ull << 32) / freq;
    write_sysreg(cnthp_ctl_el2, 0);
    /* EL1 may read the physical counter but not program the physical timer: its interrupt
     * is not virtualized, and it would keep firing in other partitions' windows. */
    write_sysreg(cnthctl_el2, 1);
    write_sysreg(cntvoff_el2, 0);
}

uint64_t arch_time_ns(void)
{
    uint64_t c = read_sysreg(cntpct_el0);
    return (uint64_t)(((__uint128_t)c * ns_mult) >> 32);
}

void arch_timer_set(uint64_t deadline_ns)
{
    if (!deadline_ns) {
        write_sysreg(cnthp_ctl_el2, 0);
        return;
    }
    write_sysreg(cnthp_cval_el2, (uint64_t)((__uint128_t)deadline_ns * freq / 1000000000u));
    write_sysreg(cnthp_ctl_el2, 1);
    isb();
}

void timer_hyp_irq(void)
{
    write_sysreg(cnthp_ctl_el2, 0); /* level-triggered: off until re-armed */
    hv_timer_expired();
}
