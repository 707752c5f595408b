/* Helpers for programs that run on several CPUs: whole-line output from any CPU, busy
 * waits on the free-running counter. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "rt.h"

static spinlock_t say_lock;

/* newlib's stdout is per-process: format under a lock and hand the console one line. */
void say(const char *fmt, ...)
{
	unsigned long f = spin_lock_irqsave(&say_lock);
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	write(1, line, n < (int)sizeof line ? n : (int)sizeof line - 1);
	spin_unlock_irqrestore(&say_lock, f);
}

void delay_ms(unsigned ms)
{
	uint64_t end = rt_counter() + rt_counter_hz() * ms / 1000;

	while ((int64_t)(rt_counter() - end) < 0)
		cpu_relax();
}

int wait_flag(volatile int *flag, unsigned seconds)
{
	uint64_t end = rt_counter() + rt_counter_hz() * seconds;

	while (!*flag && (int64_t)(rt_counter() - end) < 0)
		cpu_relax();
	return *flag;
}
