/* intruder: touch the addresses given in bootargs (read=0xADDR write=0xADDR),
 * one 64-bit access each. Under isolation the first foreign access must stop
 * the partition, so no "survived" line may appear. "pmu" reads the cycle counter,
 * which a partition must not see (it belongs to the physical CPU). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rt.h"

int main(void)
{
	const char *p = rt_bootargs;
	char tok[128];

	printf("intruder: started, memory 0x%lx-0x%lx\n", (unsigned long)rt_mem_base,
	       (unsigned long)(rt_mem_base + rt_mem_size));
	while ((p = bootarg_next(p, tok, sizeof tok))) {
		int wr = !strncmp(tok, "write=", 6);
		unsigned long addr, v = 0x494e54525544u;

		if (!strcmp(tok, "pmu")) {
			printf("intruder: read PMCCNTR_EL0\n");
			fflush(stdout);
			console_flush();
			__asm__ volatile("mrs %0, pmccntr_el0" : "=r"(v));
			printf("intruder: survived pmu read\n");
			continue;
		}
		if (!wr && strncmp(tok, "read=", 5)) {
			printf("intruder: ignoring \"%s\"\n", tok);
			continue;
		}
		addr = strtoul(strchr(tok, '=') + 1, NULL, 0);
		printf("intruder: %s 0x%lx\n", wr ? "write" : "read", addr);
		fflush(stdout);
		console_flush();	/* the line must be out before we get stopped */
		if (wr)
			__asm__ volatile("str %0, [%1]" :: "r"(v), "r"(addr) : "memory");
		else
			__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		printf("intruder: survived %s 0x%lx\n", wr ? "write" : "read", addr);
	}
	printf("intruder: done\n");
	return 0;
}
