/* intruder: touch the addresses given in bootargs (read=0xADDR write=0xADDR),
 * one 64-bit access each. Under isolation the first foreign access must stop
 * the partition, so no "survived" line may appear. "pmu" reads the cycle counter,
 * which a partition must not see (it belongs to the physical CPU): aarch64
 * PMCCNTR_EL0 (reads as zero: no PMU), x86_64 RDPMC (#GP). On x86_64 "msr=0xN" reads and "wrmsr=0xN:0xV"
 * writes a model-specific register of the physical CPU; the exception a
 * hypervisor should inject (#GP) is reported and the guest goes on. "mwait"
 * reports whether CPUID offers MONITOR/MWAIT (leaf 1 ECX bit 3) or AMD's
 * MONITORX/MWAITX (leaf 0x80000001 ECX bit 29), then executes MONITOR and MWAIT:
 * a wait on memory would hold the physical CPU with no exit. Each of these
 * checks that the exception a CPU without the feature raises is the one seen
 * (PASS/FAIL lines, then a verdict); a foreign access that survives is a FAIL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rt.h"

static void out(void)
{
	fflush(stdout);
	console_flush();	/* the line must be out before we get stopped */
}

#ifdef __x86_64__
/* privileged instructions with an exception fix-up (arch.h) */
static int arch_op(const char *tok)
{
	unsigned long msr, v = 0;
	char *end;
	int vec, want = 13;

	if (!strcmp(tok, "pmu")) {
		printf("intruder: rdpmc 0\n");
		out();
		vec = rdpmc_safe(0, &v);
	} else if (!strncmp(tok, "msr=", 4)) {
		msr = strtoul(tok + 4, NULL, 0);
		printf("intruder: rdmsr 0x%lx\n", msr);
		out();
		vec = rdmsr_safe(msr, &v);
	} else if (!strncmp(tok, "wrmsr=", 6)) {
		msr = strtoul(tok + 6, &end, 0);
		v = *end == ':' ? strtoul(end + 1, NULL, 0) : 0;
		printf("intruder: wrmsr 0x%lx = 0x%lx\n", msr, v);
		out();
		vec = wrmsr_safe(msr, v);
	} else if (!strcmp(tok, "mwait")) {
		uint32_t std[4], ext[4];
		static volatile uint64_t line;

		cpuid(1, 0, std);
		cpuid(0x80000001, 0, ext);
		printf("intruder: cpuid offers monitor=%u mwaitx=%u\n",
		       std[2] >> 3 & 1, ext[2] >> 29 & 1);
		printf("intruder: monitor and mwait\n");
		out();
		vec = mwait_safe((const void *)&line);
		want = 6;
	} else {
		return 0;
	}
	if (vec >= 0)
		printf("intruder: %s raised exception %d, %s\n", tok, vec,
		       vec == 13 ? "#GP" : vec == 6 ? "#UD" : "unexpected");
	else
		printf("intruder: survived %s (value 0x%lx)\n", tok, v);
	check(vec == want, tok, "exception %d, want %d", vec, want);
	return 1;
}
#elif defined(__aarch64__)
static void read_pmccntr(void *v)
{
	__asm__ volatile("mrs %0, pmccntr_el0" : "=r"(*(unsigned long *)v));
}

static int arch_op(const char *tok)
{
	unsigned long v;
	uint64_t esr;
	long ec;

	if (strcmp(tok, "pmu"))
		return 0;
	printf("intruder: read PMCCNTR_EL0\n");
	out();
	ec = rt_catch(read_pmccntr, &v, &esr);
	if (ec < 0)
		printf("intruder: PMCCNTR_EL0 reads 0x%lx\n", v);
	else
		printf("intruder: pmu read raised ESR_EL1=0x%lx\n", (unsigned long)esr);
	/* no PMU is offered: its registers read as zero (the counter is the physical CPU's) */
	check(ec < 0 && v == 0, "pmu", "exception %ld, value 0x%lx; want none and 0", ec, v);
	return 1;
}
#else
static int arch_op(const char *tok)
{
	(void)tok;
	return 0;	/* s390x: no arch-specific probes yet */
}
#endif

int main(void)
{
	const char *p = rt_bootargs;
	char tok[128];

	printf("intruder: started, memory 0x%lx-0x%lx\n", (unsigned long)rt_mem_base,
	       (unsigned long)(rt_mem_base + rt_mem_size));
	while ((p = bootarg_next(p, tok, sizeof tok))) {
		int wr = !strncmp(tok, "write=", 6);
		unsigned long addr, v = 0x494e54525544u;

		if (arch_op(tok))
			continue;
		if (!wr && strncmp(tok, "read=", 5)) {
			printf("intruder: ignoring \"%s\"\n", tok);
			continue;
		}
		addr = strtoul(strchr(tok, '=') + 1, NULL, 0);
		printf("intruder: %s 0x%lx\n", wr ? "write" : "read", addr);
		out();
		rt_map_phys(addr, 8);	/* if it cannot be mapped, the access faults */
		if (wr)
			rt_poke64(addr, v);
		else
			v = rt_peek64(addr);
		printf("intruder: survived %s 0x%lx\n", wr ? "write" : "read", addr);
		check_fail(tok, "a foreign access completed");
	}
	printf("intruder: done\n");
	return check_summary();
}
