/* The hv's own calls: HVC with an SMCCC function ID of the vendor-specific hypervisor
 * service (0xc6000000 | nr), arguments x1-x3, result x0. */
#include "rt.h"

long rt_hypercall(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t x0 __asm__("x0") = 0xc6000000ul | nr, x1 __asm__("x1") = a0,
		x2 __asm__("x2") = a1, x3 __asm__("x3") = a2;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :: "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
			 "x14", "x15", "x16", "x17", "memory");
	return (long)x0;
}
