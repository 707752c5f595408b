/* Virtual GICv3 for partitions: the distributor and redistributors are emulated (their
 * guest-physical windows are unmapped at stage 2), the CPU interface is the hardware's
 * virtual interface, fed through the list registers. */
#include "aarch64.h"


#define LR_STATE_PENDING (1ull << 62)
#define LR_STATE_ACTIVE (2ull << 62)
#define LR_STATE_MASK (3ull << 62)
#define LR_GROUP1 (1ull << 60)
#define LR_PRIO(p) ((uint64_t)(p) << 48)

unsigned vgic_nr_lrs;

static struct vcpu *vcpu_of_route(struct partition *p, uint64_t route)
{
    unsigned aff0 = route & 0xff;
    if ((route & (1ull << 31)) || aff0 >= p->nr_vcpus)
        return &p->vcpus[0]; /* "any CPU" routing, or nonsense: the boot vcpu */
    return &p->vcpus[aff0];
}

static bool irq_enabled(struct vcpu *v, unsigned intid)
{
    struct vgic_dist *d = &v->part->arch.vgic;
    if (intid < 32)
        return v->arch.ppi_enabled & (1u << intid);
    return (d->ctlr & 3) && (d->spi_enabled & (1u << (intid - 32)));
}

static uint8_t irq_priority(struct vcpu *v, unsigned intid)
{
    if (intid < 32)
        return v->arch.ppi_priority[intid];
    return v->part->arch.vgic.spi_priority[intid - 32];
}

void vgic_inject(struct vcpu *v, unsigned intid)
{
    __atomic_fetch_or(&v->arch.pending, 1ull << intid, __ATOMIC_RELEASE);
    if (v->pcpu != arch_cpu_id())
        arch_cpu_kick(v->pcpu);
}

void arch_part_irq_raise(struct partition *p, unsigned n)
{
    unsigned spi = VGIC_DEV_SPI_BASE + n;
    if (spi >= VGIC_NR_SPIS)
        return;
    vgic_inject(vcpu_of_route(p, p->arch.vgic.spi_route[spi]), 32 + spi);
}

bool arch_vcpu_irq_pending(struct vcpu *v)
{
    uint64_t pend = __atomic_load_n(&v->arch.pending, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < vgic_nr_lrs; i++)
        if (v->arch.lr[i] & LR_STATE_PENDING)
            return true;
    for (unsigned intid = 0; pend; intid++, pend >>= 1)
        if ((pend & 1) && irq_enabled(v, intid))
            return true;
    return false;
}

/* Move pending, enabled interrupts into the list registers (saved copy; vcpu not running). */
void vgic_flush(struct vcpu *v)
{
    uint64_t pend = __atomic_load_n(&v->arch.pending, __ATOMIC_ACQUIRE), taken = 0;
    bool overflow = false;

    for (uint64_t left = pend; left; left &= left - 1) {
        unsigned intid = (unsigned)__builtin_ctzll(left);
        if (!irq_enabled(v, intid))
            continue;
        int slot = -1, same = -1;
        for (unsigned i = 0; i < vgic_nr_lrs; i++) {
            uint64_t lr = v->arch.lr[i];
            if (!(lr & LR_STATE_MASK)) {
                if (slot < 0)
                    slot = i;
            } else if ((uint32_t)lr == intid)
                same = i;
        }
        if (same >= 0) /* already in flight: pending again, or still pending (coalesced) */
            v->arch.lr[same] |= LR_STATE_PENDING;
        else if (slot >= 0)
            v->arch.lr[slot] = intid | LR_PRIO(irq_priority(v, intid)) | LR_GROUP1 |
                               LR_STATE_PENDING;
        else {
            overflow = true;
            continue;
        }
        taken |= 1ull << intid;
    }
    if (taken)
        __atomic_fetch_and(&v->arch.pending, ~taken, __ATOMIC_ACQ_REL);
    /* Out of list registers: ask for a maintenance interrupt when they drain. */
    struct cpu_local *cl = this_cpu();
    uint64_t hcr = 1 | (overflow ? 2 : 0);
    if (cl->ich_hcr != hcr)
        write_sysreg(ICH_HCR_EL2, cl->ich_hcr = hcr);
}

#define LR_ACCESS(n)                                                    \
    case n:                                                             \
        if (save)                                                       \
            v->arch.lr[n] = read_sysreg(ICH_LR##n##_EL2);               \
        else                                                            \
            write_sysreg(ICH_LR##n##_EL2, v->arch.lr[n]);               \
        break;

static void lr_access(struct vcpu *v, unsigned i, bool save)
{
    switch (i) {
        LR_ACCESS(0) LR_ACCESS(1) LR_ACCESS(2) LR_ACCESS(3)
        LR_ACCESS(4) LR_ACCESS(5) LR_ACCESS(6) LR_ACCESS(7)
    }
}

/* Only list registers that hold something (or must be cleared) are touched: each access is
 * a system-register trap's worth of work on an emulator. cpu_local.lr_live tracks which
 * hardware LRs are non-zero; the hardware never fills an empty one by itself. */
void vgic_restore(struct vcpu *v)
{
    struct cpu_local *cl = this_cpu();
    unsigned live = 0;

    for (unsigned i = 0; i < vgic_nr_lrs; i++) {
        if (v->arch.lr[i] || (cl->lr_live & (1u << i)))
            lr_access(v, i, false);
        if (v->arch.lr[i])
            live |= 1u << i;
    }
    cl->lr_live = live;
}

void vgic_sync(struct vcpu *v)
{
    struct cpu_local *cl = this_cpu();

    for (unsigned i = 0; i < vgic_nr_lrs; i++)
        if (cl->lr_live & (1u << i))
            lr_access(v, i, true);
}

void vgic_save(struct vcpu *v)
{
    v->arch.sys.ich_vmcr = read_sysreg(ICH_VMCR_EL2);
    v->arch.sys.ich_ap0r0 = read_sysreg(ICH_AP0R0_EL2);
    v->arch.sys.ich_ap1r0 = read_sysreg(ICH_AP1R0_EL2);
}

void vgic_vcpu_reset(struct vcpu *v)
{
    for (unsigned i = 0; i < VGIC_NR_LRS_MAX; i++)
        v->arch.lr[i] = 0;
    __atomic_store_n(&v->arch.pending, 0, __ATOMIC_RELEASE);
    v->arch.ppi_enabled = 0xffff; /* SGIs enabled, as on most implementations */
    for (unsigned i = 0; i < 32; i++)
        v->arch.ppi_priority[i] = 0xa0;
    v->arch.gicr_waker = 6;       /* ProcessorSleep | ChildrenAsleep */
    v->arch.sys.ich_vmcr = 0;
    v->arch.sys.ich_ap0r0 = v->arch.sys.ich_ap1r0 = 0;
}

void vgic_sgi(struct vcpu *v, uint64_t r)
{
    struct partition *p = v->part;
    unsigned intid = (r >> 24) & 0xf;

    if (r & (1ull << 40)) { /* IRM: everyone but me */
        for (unsigned i = 0; i < p->nr_vcpus; i++)
            if (i != v->index)
                vgic_inject(&p->vcpus[i], intid);
        return;
    }
    /* Our vcpus have Aff1..3 = 0 and Aff0 = index < 16: a list for another range (RS,
     * Aff0 16*RS..16*RS+15) or other affinities names nobody here; so do bits past the
     * partition's vcpus. */
    if ((r >> 16) & 0xff || (r >> 32) & 0xff || (r >> 48) & 0xff || (r >> 44) & 0xf)
        return;
    for (unsigned i = 0; i < p->nr_vcpus && i < 16; i++)
        if (r & (1u << i))
            vgic_inject(&p->vcpus[i], intid);
}

/* Byte-wise view of 32-bit-per-4-interrupt priority registers. */
static void prio_access(uint8_t *prio, unsigned first, unsigned count, uint64_t off,
                        unsigned size, bool write, uint64_t *val)
{
    uint64_t r = 0;
    for (unsigned b = 0; b < size; b++) {
        uint64_t i = off + b;
        if (i < first || i >= first + count)
            continue;
        if (write)
            prio[i - first] = (uint8_t)(*val >> (8 * b));
        else
            r |= (uint64_t)prio[i - first] << (8 * b);
    }
    if (!write)
        *val = r;
}

static void kick_all(struct partition *p)
{
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        if (p->vcpus[i].pcpu != arch_cpu_id())
            arch_cpu_kick(p->vcpus[i].pcpu);
}

static int gicd_access(struct vcpu *v, void *ctx, uint64_t off, unsigned size, bool write,
                       uint64_t *val)
{
    struct partition *p = ctx;
    struct vgic_dist *d = &p->arch.vgic;
    uint32_t w = (uint32_t)*val;
    uint64_t r = 0;
    (void)v;

    spin_lock(&d->lock);
    if (off >= 0x400 && off < 0x800) {
        prio_access(d->spi_priority, 32, VGIC_NR_SPIS, off - 0x400, size, write, val);
        spin_unlock(&d->lock);
        return 0;
    }
    if (off >= 0x6000 && off < 0x6000 + 8 * VGIC_NR_IRQS) {
        unsigned intid = (off - 0x6000) / 8;
        bool hi = (off & 4) != 0;
        if (intid >= 32) {
            uint64_t *route = &d->spi_route[intid - 32];
            if (write) {
                if (size == 8)
                    *route = *val;
                else if (hi)
                    *route = (*route & 0xffffffffull) | (uint64_t)w << 32;
                else
                    *route = (*route & ~0xffffffffull) | w;
            } else
                r = size == 8 ? *route : hi ? *route >> 32 : (uint32_t)*route;
        }
        if (!write)
            *val = r;
        spin_unlock(&d->lock);
        return 0;
    }
    if (size != 4) {
        spin_unlock(&d->lock);
        return -1;
    }
    bool spi_word = (off & 0x7f) == 4; /* register n=1 of a bank: INTIDs 32..63 */
    switch (off & ~0x7full) {
    case 0x000:
        if (off == 0x0) {
            if (write)
                d->ctlr = w & 0x13;
            r = d->ctlr;
        } else if (off == 0x4)
            r = (VGIC_NR_IRQS / 32 - 1) | (p->nr_vcpus - 1) << 5 | 9u << 19;
        else if (off == 0x8)
            r = 0x43b;
        break;
    case 0x080: /* IGROUPR */
        if (spi_word) {
            if (write)
                d->spi_group = w;
            r = d->spi_group;
        }
        break;
    case 0x100: /* ISENABLER */
        if (spi_word) {
            if (write)
                d->spi_enabled |= w;
            r = d->spi_enabled;
        }
        break;
    case 0x180: /* ICENABLER */
        if (spi_word) {
            if (write)
                d->spi_enabled &= ~w;
            r = d->spi_enabled;
        }
        break;
    case 0x200: /* ISPENDR */
        if (spi_word && write)
            for (unsigned i = 0; i < 32; i++)
                if (w & (1u << i))
                    vgic_inject(vcpu_of_route(p, d->spi_route[i]), 32 + i);
        break;
    case 0x280: /* ICPENDR */
        if (spi_word && write)
            for (unsigned i = 0; i < p->nr_vcpus; i++)
                __atomic_fetch_and(&p->vcpus[i].arch.pending, ~((uint64_t)w << 32),
                                   __ATOMIC_ACQ_REL);
        break;
    case 0xc00: /* ICFGR */
        if ((off & 0x7f) == 8 || (off & 0x7f) == 0xc) {
            uint32_t *cfg = &d->spi_cfg[((off & 0x7f) - 8) / 4];
            if (write)
                *cfg = w;
            r = *cfg;
        }
        break;
    case 0xff80:
        if (off == 0xffe8)
            r = 0x3b; /* PIDR2: GICv3 */
        break;
    default:
        break; /* reserved or unimplemented: read as zero, writes ignored */
    }
    if (!write)
        *val = r;
    spin_unlock(&d->lock);
    if (write && (off & ~0x7full) == 0x100)
        kick_all(p); /* newly enabled interrupts may now be deliverable elsewhere */
    return 0;
}

static int gicr_access(struct vcpu *v, void *ctx, uint64_t off, unsigned size, bool write,
                       uint64_t *val)
{
    struct partition *p = ctx;
    struct vcpu *t = &p->vcpus[off / VGICR_FRAME];
    uint64_t fo = off % VGICR_FRAME, r = 0;
    uint32_t w = (uint32_t)*val;
    (void)v;

    spin_lock(&p->arch.vgic.lock);
    if (fo >= 0x10400 && fo < 0x10420) {
        prio_access(t->arch.ppi_priority, 0, 32, fo - 0x10400, size, write, val);
        spin_unlock(&p->arch.vgic.lock);
        return 0;
    }
    if (fo == 0x8) { /* TYPER: affinity, processor number, Last */
        r = (uint64_t)t->index << 32 | (uint64_t)t->index << 8 |
            (t->index == p->nr_vcpus - 1 ? 1u << 4 : 0);
        if (size == 4)
            r &= 0xffffffff;
    } else if (fo == 0xc && size == 4)
        r = t->index;
    else if (size != 4) {
        spin_unlock(&p->arch.vgic.lock);
        return -1;
    } else {
        switch (fo) {
        case 0x0004: r = 0x43b; break;
        case 0x0014:
            if (write)
                t->arch.gicr_waker = (w & 2) ? 6 : 0;
            r = t->arch.gicr_waker;
            break;
        case 0xffe8: r = 0x3b; break;
        case 0x10080: r = 0xffffffff; break; /* IGROUPR0: group 1 */
        case 0x10100:
            if (write)
                t->arch.ppi_enabled |= w;
            r = t->arch.ppi_enabled;
            break;
        case 0x10180:
            if (write)
                t->arch.ppi_enabled &= ~w;
            r = t->arch.ppi_enabled;
            break;
        case 0x10200:
            if (write)
                for (unsigned i = 0; i < 32; i++)
                    if (w & (1u << i))
                        vgic_inject(t, i);
            break;
        case 0x10280:
            if (write)
                __atomic_fetch_and(&t->arch.pending, ~(uint64_t)w, __ATOMIC_ACQ_REL);
            break;
        default: break;
        }
    }
    if (!write)
        *val = r;
    spin_unlock(&p->arch.vgic.lock);
    if (write && fo == 0x10100 && t != v)
        arch_cpu_kick(t->pcpu);
    return 0;
}

int vgic_part_init(struct partition *p)
{
    struct vgic_dist *d = &p->arch.vgic;

    for (unsigned i = 0; i < VGIC_NR_SPIS; i++) {
        d->spi_priority[i] = 0xa0;
        d->spi_route[i] = 0;
    }
    if (mmio_register(&p->mmio, VGICD_BASE, VGICD_SIZE, gicd_access, p) < 0 ||
        mmio_register(&p->mmio, VGICR_BASE, VGICR_FRAME * p->nr_vcpus, gicr_access, p) < 0)
        return -1;
    return 0;
}
