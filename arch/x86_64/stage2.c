/* Second-level page tables, guest-physical to host: one 4-level tree per partition, 2 MiB
 * pages where both sides are aligned, 4 KiB elsewhere. AMD NPT and Intel EPT share the
 * layout; bits 0-2 are P/RW/US for NPT (nested walks are user accesses) and R/W/X for EPT,
 * and EPT leaves add a memory type (virt->stage2_leaf). Tables come from a fixed pool:
 * partitions are created once, at boot. */
#include <string.h>

#include "virt.h"

#define S2_RWX 7ull
#define S2_PS (1ull << 7)
#define S2_POOL_PAGES 256

static uint64_t pool[S2_POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned pool_used;
static spinlock_t pool_lock;

static uint64_t *table_alloc(void)
{
    uint64_t *t = NULL;

    spin_lock(&pool_lock);
    if (pool_used < S2_POOL_PAGES)
        t = pool[pool_used++];
    spin_unlock(&pool_lock);
    if (t)
        memset(t, 0, 4096);
    return t;
}

int arch_part_init(struct partition *p)
{
    p->arch.stage2_root = table_alloc();
    p->arch.asid = p->id + 1;       /* ASID/VPID 0 is the host's */
    p->arch.ioapic.id = p->nr_vcpus;
    for (unsigned i = 0; i < IOAPIC_PINS; i++)
        p->arch.ioapic.redir[i] = 1ull << 16;   /* masked */
    return p->arch.stage2_root ? 0 : -1;
}

/* The entry for 'gpa' at 'level' (3 = PML4 ... 0 = PT), creating tables above it. */
static uint64_t *walk(uint64_t *root, uint64_t gpa, int level)
{
    uint64_t *t = root;

    for (int l = 3; l > level; l--) {
        uint64_t *e = &t[gpa >> (12 + 9 * l) & 511];
        if (!(*e & S2_RWX)) {
            uint64_t *n = table_alloc();
            if (!n)
                return NULL;
            *e = (uint64_t)n | S2_RWX;
        } else if (*e & S2_PS) {
            return NULL;  /* already mapped by a large page */
        }
        t = (uint64_t *)(*e & 0x000ffffffffff000ull);
    }
    return &t[gpa >> (12 + 9 * level) & 511];
}

int arch_stage2_map(struct partition *p, gpaddr_t gpa, paddr_t pa, uint64_t size)
{
    while (size) {
        bool big = !(gpa & (MIB(2) - 1)) && !(pa & (MIB(2) - 1)) && size >= MIB(2);
        uint64_t *e = walk(p->arch.stage2_root, gpa, big ? 1 : 0);
        if (!e) {
            hv_log("partition '%s': out of nested page tables", p->label);
            return -1;
        }
        *e = pa | S2_RWX | virt->stage2_leaf | (big ? S2_PS : 0);
        uint64_t step = big ? MIB(2) : KIB(4);
        gpa += step;
        pa += step;
        size -= step;
    }
    return 0;
}

void arch_stage2_flush(struct partition *p)
{
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        p->vcpus[i].arch.flush_tlb = true;
}
