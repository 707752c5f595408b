/* Exceptions: one the program said it expects (rt_trap, arch.h) is recorded and stepped
 * over; those a test provokes under rt_catch() (rt.h) go back to it; every other one is
 * fatal: report the syndrome on the console and power off. */
#include "aarch64.h"

static char *put(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_hex(char *p, uint64_t v)
{
	int i;

	p = put(p, "0x");
	for (i = 60; i >= 0; i -= 4)
		*p++ = "0123456789abcdef"[v >> i & 15];
	return p;
}

static void __attribute__((noreturn)) report(const char *what)
{
	char line[160], *p = line;

	rt_polling = 1;		/* no interrupts from here on */
	p = put(p, "guest: ");
	p = put(p, what);
	p = put_hex(put(p, ", ESR_EL1="), sysreg_read(esr_el1));
	p = put_hex(put(p, " ELR_EL1="), sysreg_read(elr_el1));
	p = put_hex(put(p, " FAR_EL1="), sysreg_read(far_el1));
	put(p, "\n");
	p[1] = 0;
	rt_raw_puts(line);
	arch_poweroff();
}

volatile int rt_trap_expected;
volatile uint64_t rt_trap_esr;

void rt_sync_exception(uint64_t *frame)
{
	uint64_t esr = sysreg_read(esr_el1);

	if (rt_trap_expected) {
		rt_trap_expected = 0;
		rt_trap_esr = esr;
		frame[31] += 4;		/* saved ELR_EL1: past the instruction */
		return;
	}
	rt_exception_caught(esr >> 26 & 0x3f, esr);
	report("synchronous exception at EL1");
}

void rt_bad_vector(unsigned long n)
{
	static const char *names[] = { "unexpected sync exception", "unexpected IRQ",
				       "unexpected FIQ", "unexpected SError" };

	report(names[n & 3]);
}
