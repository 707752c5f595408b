/* resetter: system reset (PSCI SYSTEM_RESET; ACPI reset register) after delay_ms. The counter lives in .data,
 * not .bss (crt0 zeroes .bss), so it reads 0 only if the reset reloaded the
 * image; a restart without reload would show 1. */
#include <stdio.h>
#include "rt.h"

static volatile unsigned long counter __attribute__((section(".data")));
static volatile int expired;

static void on_tick(void) { expired = 1; }

int main(void)
{
	unsigned long delay = bootarg_ulong("delay_ms", 50);
	long r;

	printf("resetter: started, counter at 0x%lx = %lu\n", (unsigned long)&counter, counter);
	check(counter == 0, "image-reloaded", "counter %lu, want 0", counter);
	counter++;
	if (vtimer_start(delay, on_tick) == 0) {
		WAIT_UNTIL(expired);
		vtimer_stop();
	} else {	/* no timer interrupt: poll the counter */
		uint64_t end = rt_counter() + rt_counter_hz() * delay / 1000;

		while ((int64_t)(rt_counter() - end) < 0)
			;
	}
	printf("resetter: requesting reset\n");
	console_flush();
	r = rt_system_reset();
	printf("resetter: SYSTEM_RESET returned %ld\n", r);
	check_fail("system-reset", "SYSTEM_RESET returned %ld", r);
	return check_summary();
}
