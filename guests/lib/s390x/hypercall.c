/* The hv's own calls: DIAG 0x500 with r1 = 0x48560000 | nr, arguments r2-r4, result r2. */
#include "rt.h"

long rt_hypercall(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t r1 __asm__("1") = 0x48560000ul | nr, r2 __asm__("2") = a0,
		r3 __asm__("3") = a1, r4 __asm__("4") = a2;

	__asm__ volatile("diag 2,4,0x500" : "+d"(r2) : "d"(r1), "d"(r3), "d"(r4) : "memory");
	return (long)r2;
}
