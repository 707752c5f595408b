/* The hv's own page tables: an identity map of the first 1 TiB in 1 GiB pages, write-back.
 * Device memory is left to the firmware's MTRRs (uncached for MMIO), as on every PC OS's
 * early map; an identity map lets drivers reach a device at its physical address. */
#include "x86_64.h"

#define PTE_P 1ull
#define PTE_W 2ull
#define PTE_PS (1ull << 7)
#define MAPPED_PDPTS 2

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[MAPPED_PDPTS][512] __attribute__((aligned(4096)));

void mmu_init(void)
{
    uint32_t r[4];

    cpuid(0x80000001, 0, r);
    if (!(r[3] & (1u << 26))) {
        /* No console yet: the loader's COM1 set-up still holds, write directly. */
        for (const char *s = "hv: the CPU has no 1 GiB pages (pdpe1gb); cannot run\r\n"; *s; s++) {
            while (!(inb(0x3fd) & 0x20))
                ;
            outb(0x3f8, (uint8_t)*s);
        }
        arch_halt();
    }
    for (unsigned t = 0; t < MAPPED_PDPTS; t++) {
        pml4[t] = (uint64_t)pdpt[t] | PTE_P | PTE_W;
        for (unsigned i = 0; i < 512; i++)
            pdpt[t][i] = ((uint64_t)t << 39 | (uint64_t)i << 30) | PTE_P | PTE_W | PTE_PS;
    }
    write_cr(3, mmu_cr3());
}

uint64_t mmu_cr3(void)
{
    return (uint64_t)pml4;
}
