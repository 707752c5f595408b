/* PSCI through the conduit named by the DTB (/psci method = "hvc" | "smc"). */
#include "aarch64.h"

#define PSCI_VERSION		0x84000000
#define PSCI_CPU_OFF		0x84000002
#define PSCI_CPU_ON		0xc4000003
#define PSCI_AFFINITY_INFO	0xc4000004
#define PSCI_SYSTEM_OFF		0x84000008
#define PSCI_SYSTEM_RESET	0x84000009

static int conduit_smc;

void psci_init(int use_smc) { conduit_smc = use_smc; }

/* PSCI status codes are 32-bit signed whatever the calling convention */
static long psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
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
	return (int32_t)x0;
}

void arch_poweroff(void)
{
	irq_save();
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)		/* SYSTEM_OFF failed: park the CPU */
		__asm__ volatile("wfi");
}

long psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	return psci_call(PSCI_CPU_ON, mpidr, entry, ctx);
}

long rt_cpu_state(uint64_t mpidr)
{
	return psci_call(PSCI_AFFINITY_INFO, mpidr, 0, 0);
}

/* Both return only on failure; no interrupt is taken on the way out. */
long rt_cpu_off(void)
{
	unsigned long f = irq_save();
	long r = psci_call(PSCI_CPU_OFF, 0, 0, 0);

	irq_restore(f);
	return r;
}

long rt_system_reset(void)
{
	unsigned long f = irq_save();
	long r = psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);

	irq_restore(f);
	return r;
}

/* PSCI_VERSION: SMCCC lets the callee clobber x0-x17. Always HVC: the call
 * measures the hypervisor (or QEMU's PSCI when bare). */
long rt_hv_null_call(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_VERSION;

	__asm__ volatile("hvc #0" : "+r"(x0) :: "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8",
			 "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return (int32_t)x0;
}
