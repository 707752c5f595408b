/* ticker: "tick K" every period_ms from the timer interrupt (aarch64: virtual
 * timer; x86_64: LAPIC timer); the main loop sleeps (wfi; sti+hlt). count=0
 * means forever. timing=1 adds a line with the time rt_counter measured. */
#include <stdio.h>
#include "rt.h"

static volatile unsigned long ticks;

static void on_tick(void) { ticks++; }

int main(void)
{
	unsigned long period = bootarg_ulong("period_ms", 100);
	unsigned long count = bootarg_ulong("count", 0), k = 0;
	uint64_t t0 = rt_counter();

	printf("ticker: started, period %lu ms\n", period);
	if (vtimer_start(period, on_tick)) {
		printf("ticker: cannot enable the timer interrupt\n");
		return 1;
	}
	while (!count || k < count) {
		WAIT_UNTIL(ticks != k);
		while (k < ticks && (!count || k < count))
			printf("tick %lu\n", ++k);
	}
	vtimer_stop();
	if (bootarg_ulong("timing", 0))
		printf("ticker: %lu ticks in %lu ms by the counter (%lu Hz)\n", k,
		       (unsigned long)((rt_counter() - t0) * 1000 / rt_counter_hz()),
		       (unsigned long)rt_counter_hz());
	printf("ticker: done\n");
	return 0;
}
