/* smp: start every other CPU (aarch64: of /cpus, with PSCI CPU_ON; x86_64: of
 * the MADT, with INIT/SIPI), wake each one with SGI 1 (an IPI), let it turn
 * itself off and check that AFFINITY_INFO sees it off (aarch64; x86 has no way
 * to observe it and says so). CPUs are handled one at a time so the output
 * order is fixed. Every step is a check (PASS/FAIL line); a verdict ends it. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "rt.h"

#define SGI_WAKE	1
#define WAIT_S		5	/* for another CPU to set a flag */
#define OFF_TRIES	1000	/* AFFINITY_INFO polls, 1 ms apart */

static volatile int up[RT_MAX_CPUS], got_sgi[RT_MAX_CPUS], leaving[RT_MAX_CPUS];

/* printf for any CPU: newlib's stdout is per-process, so format under a lock
 * and hand the console one whole line. */



static unsigned self(void)
{
	unsigned k;

	for (k = 0; k < rt_ncpus && rt_cpu_hwid[k] != cpu_hwid(); k++)
		;
	return k;
}

static void on_sgi(void) { got_sgi[self()] = 1; }

static void secondary(unsigned k)
{
	if (sgi_enable(SGI_WAKE, on_sgi))
		say("smp: cpu %u cannot enable SGI %d\n", k, SGI_WAKE);
	say("smp: cpu %u up\n", k);
	up[k] = 1;
	WAIT_UNTIL(got_sgi[k]);
	say("smp: cpu %u got SGI\n", k);
	leaving[k] = 1;
	rt_cpu_off();
	say("smp: CPU_OFF returned\n");
}

int main(void)
{
	unsigned k, i;
	long r;

	say("smp: started, %u cpus\n", rt_ncpus);
	for (k = 0; k < rt_ncpus; k++) {
		if (rt_cpu_hwid[k] == cpu_hwid())
			continue;
		r = cpu_start(k, rt_cpu_hwid[k], secondary);
		if (r)
			say("smp: CPU_ON cpu %u failed: %ld\n", k, r);
		else if (!wait_flag(&up[k], WAIT_S))
			say("smp: cpu %u did not come up\n", k);
		check(!r && up[k], "cpu-up", "cpu %u: start status %ld, up %d", k, r, up[k]);
	}
	for (k = 0; k < rt_ncpus; k++) {
		if (!up[k])
			continue;
		sgi_send(SGI_WAKE, rt_cpu_hwid[k]);
		if (!check(wait_flag(&leaving[k], WAIT_S), "cpu-got-sgi", "cpu %u did not answer SGI %d",
			   k, SGI_WAKE))
			continue;
		for (i = 0; (r = rt_cpu_state(rt_cpu_hwid[k])) != 1 && r != RT_ENOTSUP &&
			    i < OFF_TRIES; i++)
			delay_ms(1);
		if (r == RT_ENOTSUP)
			say("smp: cpu %u is turning itself off (no AFFINITY_INFO here: not checked)\n", k);
		else if (r == 1)
			say("smp: cpu %u is off\n", k);
		else
			say("smp: cpu %u still on (AFFINITY_INFO %ld)\n", k, r);
		check(r == 1 || r == RT_ENOTSUP, "cpu-off", "cpu %u: AFFINITY_INFO %ld, want 1 (off)",
		      k, r);
	}
	check(rt_ncpus > 1, "cpus-found", "%u cpus, want at least 2", rt_ncpus);
	say("smp: done\n");
	return check_summary();
}
