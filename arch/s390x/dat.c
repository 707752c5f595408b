/* A partition's storage: one host DAT address space (segment table, 4 KiB pages) that
 * SIE uses for every guest absolute address (main-storage origin 0). Tables come from
 * fixed pools: partitions are created once, at boot. */
#include <string.h>

#include "s390.h"

#define SEG_ENTRIES 2048                 /* 2 GiB of guest storage */
#define PT_ENTRIES 256                   /* a page table maps one 1 MiB segment */
#define PT_POOL 1024                     /* 1 GiB of guest storage over all partitions */
#define SEGE_INVALID 0x20ull
#define PTE_INVALID 0x400ull
#define PTE_PROTECT 0x200ull
#define ASCE_TL_2048 3ull                /* segment table of 4 x 512 entries */

static uint64_t seg_tables[HV_MAX_PARTITIONS][SEG_ENTRIES] __attribute__((aligned(4096)));
static uint64_t page_tables[PT_POOL][PT_ENTRIES] __attribute__((aligned(2048)));
static unsigned pt_used;
static spinlock_t pool_lock;

int arch_part_init(struct partition *p)
{
    uint64_t *st = seg_tables[p->id];

    for (unsigned i = 0; i < SEG_ENTRIES; i++)
        st[i] = SEGE_INVALID;
    p->arch.segment_table = st;
    p->arch.asce = (uint64_t)(uintptr_t)st | ASCE_TL_2048;
    return 0;
}

static uint64_t *page_table(struct partition *p, gpaddr_t gpa)
{
    uint64_t *se = &p->arch.segment_table[gpa >> 20];

    if (*se & SEGE_INVALID) {
        uint64_t *pt = NULL;
        spin_lock(&pool_lock);
        if (pt_used < PT_POOL)
            pt = page_tables[pt_used++];
        spin_unlock(&pool_lock);
        if (!pt)
            return NULL;
        for (unsigned i = 0; i < PT_ENTRIES; i++)
            pt[i] = PTE_INVALID;
        *se = (uint64_t)(uintptr_t)pt;
    }
    return (uint64_t *)(uintptr_t)(*se & ~0x7ffull);
}

int arch_stage2_map(struct partition *p, gpaddr_t gpa, paddr_t pa, uint64_t size)
{
    if ((gpa | pa | size) & 0xfff)
        return -1;
    if (gpa + size > (uint64_t)SEG_ENTRIES << 20 || gpa + size < gpa) {
        hv_log("partition '%s': guest storage above 2 GiB is not supported", p->label);
        return -1;
    }
    for (uint64_t off = 0; off < size; off += KIB(4)) {
        uint64_t *pt = page_table(p, gpa + off);
        if (!pt) {
            hv_log("partition '%s': out of DAT page tables", p->label);
            return -1;
        }
        pt[(gpa + off) >> 12 & 0xff] = pa + off;
    }
    if (gpa + size > p->arch.size)
        p->arch.size = gpa + size;
    return 0;
}

/* SIE purges the guest's translations at every entry (Hercules); what the host's own
 * TLB holds for the partition's space goes with PTLB on each CPU that entered it. */
void arch_stage2_flush(struct partition *p)
{
    (void)p;
    ptlb();
}
