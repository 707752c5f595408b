/* The hv's own EL2 stage-1 translation: an identity map in 1 GiB blocks, RAM cacheable,
 * the low 4 GiB outside RAM as device memory (where QEMU virt and most boards put MMIO). */
#include "aarch64.h"

#define PT_BLOCK 1ull
#define PT_AF (1ull << 10)
#define PT_SH_INNER (3ull << 8)
#define PT_ATTR(i) ((uint64_t)(i) << 2)
#define PT_XN (1ull << 54)
#define MAIR_DEVICE 0   /* Device-nGnRnE */
#define MAIR_NORMAL 1   /* Normal, write-back cacheable */

static uint64_t l1[512] __attribute__((aligned(4096)));

int mmu_init(const struct boot_info *bi)
{
    for (uint64_t gb = 0; gb < 512; gb++) {
        uint64_t base = gb << 30;
        bool ram = false;
        for (unsigned i = 0; i < bi->nr_ram; i++)
            if (bi->ram[i].base < base + GIB(1) && base < bi->ram[i].base + bi->ram[i].size)
                ram = true;
        if (ram)
            l1[gb] = base | PT_BLOCK | PT_AF | PT_SH_INNER | PT_ATTR(MAIR_NORMAL);
        else if (gb < 4)
            l1[gb] = base | PT_BLOCK | PT_AF | PT_ATTR(MAIR_DEVICE) | PT_XN;
    }
    return 0;
}

void mmu_enable(void)
{
    uint64_t pa = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    uint64_t ps = pa < 2 ? pa : 2; /* 40-bit output is all the map covers */

    write_sysreg(mair_el2, 0x00ull << (8 * MAIR_DEVICE) | 0xffull << (8 * MAIR_NORMAL));
    /* T0SZ=25 (39-bit VA, walk starts at level 1), inner/outer WB, inner shareable, 4K. */
    write_sysreg(tcr_el2, (1ull << 31) | (1ull << 23) | ps << 16 | 3ull << 12 | 1ull << 10 |
                              1ull << 8 | 25);
    write_sysreg(ttbr0_el2, (uint64_t)l1);
    dsb(ish);
    __asm__ volatile("tlbi alle2" ::: "memory");
    dsb(ish);
    isb();
    /* RES1 bits, then M (MMU), C (data cache), I (instruction cache). */
    write_sysreg(sctlr_el2, 0x30c50830ull | 1 | 1 << 2 | 1 << 12);
    isb();
}
