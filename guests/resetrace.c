/* resetrace: reset and power requests racing inside one SMP partition.
 *   mode=hammer   vcpu 1 writes console lines as fast as it can (an exit per line) while
 *                 vcpu 0 asks for SYSTEM_RESET: the reset must wait for vcpu 1 to leave
 *                 the hv's handler, and the partition must come back whole.
 *   mode=both     both vcpus spin on a flag and ask for SYSTEM_RESET at the same moment:
 *                 the two requests are one reset.
 *   mode=lastoff  vcpu 1 turns itself off, then vcpu 0: with no vcpu left on, the hv must
 *                 stop the partition (nothing could start it again).
 * Every boot checks that it runs a freshly loaded image (a .data counter reads 0) and that
 * vcpu 1 can be started (a reset left no vcpu of the old run on). The modes that reset loop
 * until the test ends them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "rt.h"

#define WAIT_S 5

static volatile unsigned long counter __attribute__((section(".data")));
static volatile int up, go;
static char mode[16];

static void second(unsigned k)
{
	unsigned long n = 0;
	(void)k;

	up = 1;
	if (!strcmp(mode, "hammer")) {
		while (!go)
			say("resetrace: hammer %lu\n", n++);
		for (;;)	/* the reset stops us wherever we are */
			say("resetrace: hammer %lu\n", n++);
	}
	if (!strcmp(mode, "both")) {
		while (!go)
			cpu_relax();
		rt_system_reset();
		check_fail("both-reset", "SYSTEM_RESET returned on vcpu 1");
	}
	/* lastoff */
	rt_cpu_off();
	check_fail("cpu-off", "CPU_OFF returned on vcpu 1");
}

int main(void)
{
	long r;

	bootarg_str("mode", mode, sizeof mode, "hammer");
	say("resetrace: boot (mode %s)\n", mode);
	check(counter == 0, "fresh-image", "the .data counter survived: the image was not reloaded");
	counter++;
	if (rt_ncpus < 2) {
		check_fail("two-vcpus", "the partition has one vcpu");
		goto verdict;
	}
	r = cpu_start(1, rt_cpu_hwid[1], second);
	if (!check(r == 0 && wait_flag(&up, WAIT_S), "vcpu1-start", "%s",
		   r ? "CPU_ON failed (a vcpu of the previous run still on?)" : "vcpu 1 did not come up"))
		goto verdict;
	if (!strcmp(mode, "lastoff")) {
		delay_ms(20);	/* vcpu 1 is off by then */
		say("resetrace: vcpu 0 turns itself off\n");
		rt_cpu_off();
		check_fail("cpu-off", "CPU_OFF returned on vcpu 0");
		goto verdict;
	}
	delay_ms(30);		/* hammer: vcpu 1 is in and out of the console device */
	say("resetrace: requesting reset\n");
	go = 1;
	rt_system_reset();
	check_fail("reset", "SYSTEM_RESET returned on vcpu 0");
verdict:
	return check_summary();
}
