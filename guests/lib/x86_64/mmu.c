/* Page-table fix-ups on head.S's identity map (4 GiB, 2 MiB pages, all
 * write-back): once the e820 map is known, every 2 MiB page without RAM in it
 * becomes uncached (MMIO: APICs, virtio-mmio); guest-physical space above
 * 4 GiB is mapped on demand (rt_map_phys), up to 512 GiB. */
#include "x86_64.h"

#define PTE_P		0x001
#define PTE_RW		0x002
#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define PTE_PS		0x080
#define PDE_RAM		(PTE_P | PTE_RW | PTE_PS)
#define PDE_MMIO	(PDE_RAM | PTE_PCD | PTE_PWT)
#define TWO_MIB		0x200000ull
#define ONE_GIB		0x40000000ull
#define SPARE_PDS	4	/* GiBs above 4 GiB that can be mapped */

extern uint64_t boot_pt[BOOT_PT_PAGES * 512];
static uint64_t spare_pd[SPARE_PDS][512] __attribute__((aligned(4096)));
static unsigned spare_used;
static spinlock_t lock;

static int any_ram(uint64_t addr, uint64_t len)
{
	unsigned i;

	for (i = 0; i < rt_e820_n; i++)
		if (rt_e820[i].type == E820_RAM && rt_e820[i].addr < addr + len &&
		    addr < rt_e820[i].addr + rt_e820[i].size)
			return 1;
	return 0;
}

static void flush_tlb(void)
{
	uint64_t cr3;

	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) :: "memory");
}

void mmu_init(void)
{
	uint64_t *pd = boot_pt + 2 * 512, a;

	if (!rt_e820_n)
		return;		/* no map: leave everything write-back */
	for (a = 0; a < 4 * ONE_GIB; a += TWO_MIB)
		pd[a / TWO_MIB] = a | (any_ram(a, TWO_MIB) ? PDE_RAM : PDE_MMIO);
	flush_tlb();
}

int rt_map_phys(uint64_t addr, uint64_t len)
{
	uint64_t *pdpt = boot_pt + 512, g, a, end = addr + len;
	unsigned long f;
	int rc = 0;

	if (!len || end < addr || end > 512 * ONE_GIB)
		return -1;
	if (end <= 4 * ONE_GIB)
		return 0;
	f = spin_lock_irqsave(&lock);
	for (g = addr / ONE_GIB; g <= (end - 1) / ONE_GIB && !rc; g++) {
		uint64_t *pd;

		if (g < 4 || (pdpt[g] & PTE_P))
			continue;
		if (spare_used == SPARE_PDS) {
			rc = -1;
			break;
		}
		pd = spare_pd[spare_used++];
		for (a = 0; a < 512; a++) {
			uint64_t pa = g * ONE_GIB + a * TWO_MIB;

			pd[a] = pa | (any_ram(pa, TWO_MIB) ? PDE_RAM : PDE_MMIO);
		}
		__asm__ volatile("" ::: "memory");
		pdpt[g] = (uintptr_t)pd | PTE_P | PTE_RW;	/* new: nothing cached to flush */
	}
	spin_unlock_irqrestore(&lock, f);
	return rc;
}
