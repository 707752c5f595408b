/* The hv's own calls: VMMCALL on AMD, VMCALL on Intel (the other one is #UD there),
 * RAX = 0x48560000 | nr, arguments RBX, RCX, RDX, result RAX. */
#include <string.h>
#include "rt.h"
#include "x86_64.h"

long rt_hypercall(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	static int amd = -1;
	uint64_t rax = 0x48560000ul | nr;

	if (amd < 0) {
		uint32_t r[4];
		cpuid(0, 0, r);
		amd = !memcmp(&r[1], "Auth", 4);
	}
	if (amd)
		__asm__ volatile("vmmcall" : "+a"(rax), "+b"(a0), "+c"(a1), "+d"(a2) :: "memory");
	else
		__asm__ volatile("vmcall" : "+a"(rax), "+b"(a0), "+c"(a1), "+d"(a2) :: "memory");
	return (long)rax;
}
