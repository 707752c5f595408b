/* Late MMU fix-up: crt0 mapped only the image/DTB GiBs as Normal memory; make
 * every other GiB of RAM Normal too (GiB 0 stays Device: MMIO lives there). */
#include "aarch64.h"

#define RAM_BLOCK 0x705ul	/* AttrIdx1 Normal WB, inner shareable, AF, block */

extern uint64_t pgtable[512];

void mmu_map_ram(uint64_t base, uint64_t size)
{
	uint64_t i;

	for (i = base >> 30; i < 512 && i <= (base + size - 1) >> 30; i++) {
		uint64_t d = i << 30 | RAM_BLOCK;

		if (i == 0 || pgtable[i] == d)
			continue;
		/* break-before-make: the memory type changes */
		pgtable[i] = 0;
		__asm__ volatile("dsb ishst; tlbi vaae1is, %0; dsb ish; isb" :: "r"(i << 30 >> 12) : "memory");
		pgtable[i] = d;
		__asm__ volatile("dsb ishst; isb" ::: "memory");
	}
}
