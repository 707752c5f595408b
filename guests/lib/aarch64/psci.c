/* PSCI through the conduit named by the DTB (/psci method = "hvc" | "smc"). */
#include "internal.h"

#define PSCI_SYSTEM_OFF 0x84000008

static int conduit_smc;

void psci_init(int use_smc) { conduit_smc = use_smc; }

static uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn, x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2, x3 __asm__("x3") = a3;

	if (conduit_smc)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) ::
				 "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
				 "x13", "x14", "x15", "x16", "x17", "memory");
	else
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) ::
				 "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
				 "x13", "x14", "x15", "x16", "x17", "memory");
	return x0;
}

void psci_system_off(void)
{
	irq_save();
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)		/* SYSTEM_OFF failed: park the CPU */
		__asm__ volatile("wfi");
}
