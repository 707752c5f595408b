/* Second-stage translation per partition: 4K granule, 32-bit IPA space starting at level 1,
 * RAM mapped in 2 MiB blocks. Anything unmapped traps to the hv. */
#include "aarch64.h"

#define S2_TABLE 3ull
#define S2_BLOCK 1ull
#define S2_AF (1ull << 10)
#define S2_SH_INNER (3ull << 8)
#define S2_RW (3ull << 6)
#define S2_NORMAL_WB (0xfull << 2)

#define IPA_BITS 32
#define L1_ENTRIES (1u << (IPA_BITS - 30))

/* Tables come from a static pool: one level-1 and up to four level-2 tables a partition. */
static uint64_t pool[HV_MAX_PARTITIONS * (1 + L1_ENTRIES)][512] __attribute__((aligned(4096)));
static unsigned pool_used;

static uint64_t *table_alloc(void)
{
    if (pool_used == ARRAY_SIZE(pool))
        return NULL;
    return pool[pool_used++];
}

int arch_part_init(struct partition *p)
{
    p->arch.s2_root = table_alloc();
    if (!p->arch.s2_root)
        return -1;
    p->arch.vmid = p->id + 1; /* VMID 0 is left unused */
    sysreg_part_init(p);
    if (vuart_part_init(p) < 0)
        return -1;
    return vgic_part_init(p);
}

int arch_stage2_map(struct partition *p, gpaddr_t gpa, paddr_t pa, uint64_t size)
{
    if (gpa % MIB(2) || pa % MIB(2) || size % MIB(2) || gpa + size > (1ull << IPA_BITS))
        return -1;
    for (uint64_t off = 0; off < size; off += MIB(2)) {
        uint64_t ipa = gpa + off;
        uint64_t *l1e = &p->arch.s2_root[ipa >> 30];
        if (!(*l1e & 1)) {
            uint64_t *l2 = table_alloc();
            if (!l2)
                return -1;
            *l1e = (uint64_t)l2 | S2_TABLE;
        }
        uint64_t *l2 = (uint64_t *)(*l1e & 0xfffffffff000ull);
        l2[(ipa >> 21) & 511] = (pa + off) | S2_BLOCK | S2_AF | S2_SH_INNER | S2_RW | S2_NORMAL_WB;
    }
    dsb(ishst);
    arch_stage2_flush(p);
    return 0;
}

void arch_stage2_flush(struct partition *p)
{
    /* TLB maintenance by VMID needs that VMID in VTTBR_EL2 while it runs. */
    uint64_t saved = read_sysreg(vttbr_el2);
    write_sysreg(vttbr_el2, (uint64_t)p->arch.vmid << 48 | (uint64_t)p->arch.s2_root);
    isb();
    __asm__ volatile("tlbi vmalls12e1is" ::: "memory");
    dsb(ish);
    write_sysreg(vttbr_el2, saved);
    isb();
}

uint64_t stage2_vttbr(const struct partition *p)
{
    return (uint64_t)p->arch.vmid << 48 | (uint64_t)p->arch.s2_root;
}
