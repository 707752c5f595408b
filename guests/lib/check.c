/* Checks in the kvm-unit-tests manner: every check prints "PASS name" or
 * "FAIL name: what was expected, what was seen" as one console line, and
 * check_summary() ends the run with the counts and the verdict line the test
 * runner requires. Lines go out with one write() each, so checks made on
 * several CPUs do not interleave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "internal.h"

static volatile unsigned checks, failures;
static spinlock_t check_lock;

static void put_line(const char *line, int n)
{
	fflush(stdout);		/* keep order with printf output before it */
	write(1, line, n);
	vcon_flush();		/* out before whatever the caller does next */
}

static void vreport(bool ok, const char *name, const char *fmt, va_list ap)
{
	unsigned long f = spin_lock_irqsave(&check_lock);
	char line[240];
	int n;

	checks++;
	if (ok) {
		n = snprintf(line, sizeof line, "PASS %s\n", name);
	} else {
		failures++;
		n = snprintf(line, sizeof line, "FAIL %s: ", name);
		n += vsnprintf(line + n, sizeof line - n, fmt, ap);
		if (n > (int)sizeof line - 2)
			n = sizeof line - 2;
		line[n++] = '\n';
	}
	put_line(line, n);
	spin_unlock_irqrestore(&check_lock, f);
}

bool check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ok, name, fmt, ap);
	va_end(ap);
	return ok;
}

void check_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(false, name, fmt, ap);
	va_end(ap);
}

unsigned check_failures(void) { return failures; }

int check_summary(void)
{
	char line[96];
	int n;

	/* A run that checked nothing proves nothing. */
	if (!checks)
		check_fail("ran-checks", "no check was made");
	n = snprintf(line, sizeof line, "SUMMARY: %u checks, %u failed\nVERDICT: %s\n",
		     checks, failures, failures ? "FAIL" : "PASS");
	put_line(line, n);
	return failures ? 1 : 0;
}

/* rt_catch: the arch's exception entry calls rt_exception_caught() first;
 * while a catch is armed on this CPU it unwinds to rt_catch (the exception's
 * own state is dropped, as a longjmp out of a signal handler would). One CPU
 * at a time: the guests that catch do it on their boot CPU. */
static jmp_buf catch_env;
static volatile int catch_armed;
static volatile uint64_t caught_code, caught_info;

void rt_exception_caught(uint64_t code, uint64_t info)
{
	if (!catch_armed)
		return;
	catch_armed = 0;
	caught_code = code;
	caught_info = info;
	longjmp(catch_env, 1);
}

long rt_catch(void (*fn)(void *), void *arg, uint64_t *info)
{
	volatile unsigned long flags = irq_save();	/* kept across the longjmp */

	irq_restore(flags);
	if (setjmp(catch_env)) {
		irq_restore(flags);	/* exception entry masked interrupts */
		if (info)
			*info = caught_info;
		return (long)caught_code;
	}
	catch_armed = 1;
	fn(arg);
	catch_armed = 0;
	return -1;
}
