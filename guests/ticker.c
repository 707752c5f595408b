/* ticker: "tick K" every period_ms from the virtual timer interrupt; the main
 * loop sleeps in wfi. count=0 means forever. */
#include <stdio.h>
#include "rt.h"

static volatile unsigned long ticks;

static void on_tick(void) { ticks++; }

int main(void)
{
	unsigned long period = bootarg_ulong("period_ms", 100);
	unsigned long count = bootarg_ulong("count", 0), k = 0;

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
	printf("ticker: done\n");
	return 0;
}
