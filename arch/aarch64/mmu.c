/* The hv's own EL2 stage-1 translation: an identity map in 1 GiB blocks (48-bit VA, walk
 * from level 0), RAM cacheable, device memory non-cacheable where the firmware DT says
 * there are devices: the low 4 GiB outside RAM (where QEMU virt and most boards put MMIO)
 * and the windows of the PCI host bridges (ECAM and the memory windows BARs live in; on
 * QEMU virt the ECAM is at 256 GiB and the 64-bit window at 512 GiB). Drivers then reach any
 * such device by its physical address without mapping anything. */
#include "aarch64.h"
#include "pci.h"

#define PT_TABLE 3ull
#define PT_BLOCK 1ull
#define PT_AF (1ull << 10)
#define PT_SH_INNER (3ull << 8)
#define PT_ATTR(i) ((uint64_t)(i) << 2)
#define PT_XN (1ull << 54)
#define MAIR_DEVICE 0   /* Device-nGnRnE */
#define MAIR_NORMAL 1   /* Normal, write-back cacheable */
#define L1_TABLES 4     /* distinct 512 GiB regions the map can cover */
#define MAX_PCI_WINDOWS 16

static uint64_t l0[512] __attribute__((aligned(4096)));
static uint64_t l1[L1_TABLES][512] __attribute__((aligned(4096)));
static unsigned l1_used;
static uint64_t tcr_ps; /* TCR_EL2.PS: the physical address size the map uses */

/* PARange encodings: 32, 36, 40, 42, 44, 48 bits (52 would need another descriptor format). */
static const uint8_t pa_bits[] = { 32, 36, 40, 42, 44, 48 };

/* The level-1 entry for the 1 GiB block at 'pa'; NULL if beyond what the map can cover. */
static uint64_t *l1_entry(uint64_t pa)
{
    if (pa >> pa_bits[tcr_ps])
        return NULL;
    uint64_t *t0 = &l0[pa >> 39 & 511];
    if (!*t0) {
        if (l1_used == L1_TABLES)
            return NULL;
        *t0 = (uint64_t)l1[l1_used++] | PT_TABLE;
    }
    return &((uint64_t *)(*t0 & ~0xfffull))[pa >> 30 & 511];
}

/* Map [base, base+size) in whole 1 GiB blocks; a block already mapped (RAM) stays as it is. */
static void map(uint64_t base, uint64_t size, uint64_t attrs)
{
    if (!size)
        return;
    uint64_t end = base + size - 1;
    if (end < base)
        end = ~0ull;
    for (uint64_t gb = base >> 30; gb <= end >> 30; gb++) {
        uint64_t *e = l1_entry(gb << 30);
        if (!e)
            return;
        if (!*e)
            *e = gb << 30 | PT_BLOCK | PT_AF | attrs;
    }
}

int mmu_init(const struct boot_info *bi)
{
    struct mem_range win[MAX_PCI_WINDOWS];
    uint64_t pa = read_sysreg(id_aa64mmfr0_el1) & 0xf;

    tcr_ps = pa < ARRAY_SIZE(pa_bits) ? pa : ARRAY_SIZE(pa_bits) - 1;
    for (unsigned i = 0; i < bi->nr_ram; i++)
        map(bi->ram[i].base, bi->ram[i].size, PT_SH_INNER | PT_ATTR(MAIR_NORMAL));
    const uint64_t device = PT_ATTR(MAIR_DEVICE) | PT_XN;
    map(0, GIB(4), device);
    unsigned n = MIN(pci_host_windows(bi->fdt, win, ARRAY_SIZE(win)), ARRAY_SIZE(win));
    for (unsigned i = 0; i < n; i++)
        map(win[i].base, win[i].size, device);
    return 0;
}

void mmu_enable(void)
{
    write_sysreg(mair_el2, 0x00ull << (8 * MAIR_DEVICE) | 0xffull << (8 * MAIR_NORMAL));
    /* T0SZ=16 (48-bit VA, walk starts at level 0), inner/outer WB, inner shareable, 4K. */
    write_sysreg(tcr_el2, (1ull << 31) | (1ull << 23) | tcr_ps << 16 | 3ull << 12 | 1ull << 10 |
                              1ull << 8 | 16);
    write_sysreg(ttbr0_el2, (uint64_t)l0);
    dsb(ish);
    __asm__ volatile("tlbi alle2" ::: "memory");
    dsb(ish);
    isb();
    /* RES1 bits, then M (MMU), C (data cache), I (instruction cache). */
    write_sysreg(sctlr_el2, 0x30c50830ull | 1 | 1 << 2 | 1 << 12);
    isb();
}
