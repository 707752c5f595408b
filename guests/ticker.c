/* ticker: the heartbeat. "tick K" every period_ms from the timer interrupt
 * (aarch64: virtual timer; x86_64: LAPIC timer); the main loop sleeps (wfi;
 * sti+hlt). count=0 means forever. With a count it checks its own beat and
 * ends with a verdict: every tick came later than the one before, no gap
 * between two ticks was longer than max_gap_ms (a neighbour that stalls this
 * CPU shows here), and, with guard=1, the guard pattern it wrote into its own
 * RAM (GUARD_OFFSET, where hostile guests aim) is unchanged. timing=1 adds a
 * line with the time rt_counter measured. */
#include <stdio.h>
#include "rt.h"

#define GUARD_OFFSET	0x1000000ul	/* 16 MiB into its RAM: clear of image and DT */
#define GUARD_WORDS	8192		/* 64 KiB */

static volatile unsigned long ticks;
static volatile uint64_t last_tick, max_gap, backwards;

static void on_tick(void)
{
	uint64_t now = rt_counter_sync();

	if (last_tick && now <= last_tick)
		backwards++;
	else if (last_tick && now - last_tick > max_gap)
		max_gap = now - last_tick;
	last_tick = now;
	ticks++;
}

static uint64_t guard_value(unsigned i) { return 0x4755415244000000ull ^ i * 0x9e3779b97f4a7c15ull; }

static volatile uint64_t *guard_area(void)
{
	if (rt_mem_size < GUARD_OFFSET + GUARD_WORDS * 8 ||
	    rt_map_phys(rt_mem_base + GUARD_OFFSET, GUARD_WORDS * 8))
		return NULL;
	return (volatile uint64_t *)(uintptr_t)(rt_mem_base + GUARD_OFFSET);
}

static void guard_check(volatile uint64_t *g)
{
	unsigned i, bad = 0, first = 0;

	for (i = 0; i < GUARD_WORDS; i++)
		if (g[i] != guard_value(i) && !bad++)
			first = i;
	check(!bad, "guard-pattern", "%u of %u words changed, first at 0x%lx", bad, GUARD_WORDS,
	      (unsigned long)(uintptr_t)&g[first]);
}

int main(void)
{
	unsigned long period = bootarg_ulong("period_ms", 100);
	unsigned long count = bootarg_ulong("count", 0), k = 0, i;
	unsigned long max_gap_ms = bootarg_ulong("max_gap_ms", 1000);
	volatile uint64_t *guard = NULL;
	uint64_t t0 = rt_counter();

	printf("ticker: started, period %lu ms\n", period);
	if (bootarg_ulong("guard", 0)) {
		guard = guard_area();
		check(guard != NULL, "guard-mapped", "no room for the guard pattern in RAM");
		for (i = 0; guard && i < GUARD_WORDS; i++)
			guard[i] = guard_value(i);
	}
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
	check(k == count, "tick-count", "%lu ticks, want %lu", k, count);
	check(!backwards, "tick-monotonic", "%lu ticks not later than the one before",
	      (unsigned long)backwards);
	check(max_gap * 1000 / rt_counter_hz() <= max_gap_ms, "tick-gap",
	      "%lu ms between two ticks, want at most %lu",
	      (unsigned long)(max_gap * 1000 / rt_counter_hz()), max_gap_ms);
	if (guard)
		guard_check(guard);
	printf("ticker: done\n");
	return check_summary();
}
