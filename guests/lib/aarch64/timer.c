/* Periodic interrupt from the EL1 virtual timer (CNTV_*). */
#include "aarch64.h"

static uint64_t period, next;
static void (*tick_fn)(void);

static void vtimer_irq(void *arg)
{
	uint64_t now = sysreg_read(cntvct_el0);

	(void)arg;
	next += period;			/* drift-free; skip ticks only if far behind */
	if ((int64_t)(next - now) <= 0)
		next = now + period;
	sysreg_write(cntv_cval_el0, next);
	sysreg_write(cntv_ctl_el0, 1);	/* ENABLE, and IMASK=0 in case it was set for us */
	isb();
	if (tick_fn)
		tick_fn();
}

int vtimer_start(unsigned ms, void (*fn)(void))
{
	uint64_t freq = sysreg_read(cntfrq_el0);

	if (!ms)
		ms = 1;
	period = freq * ms / 1000;
	tick_fn = fn;
	next = sysreg_read(cntvct_el0) + period;
	sysreg_write(cntv_cval_el0, next);
	sysreg_write(cntv_ctl_el0, 1);
	isb();
	return intc_enable_irq(rt_timer_intid, 0, vtimer_irq, 0);
}

void vtimer_stop(void)
{
	sysreg_write(cntv_ctl_el0, 0);
	isb();
}
