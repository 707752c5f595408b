/* The local APIC each vcpu sees at 0xfee00000 (xAPIC, MMIO): priorities, EOI, IPIs
 * (fixed, INIT, start-up) between the vcpus of one partition, and the timer: one-shot or
 * periodic at GUEST_LAPIC_TIMER_KHZ (announced in CPUID 0x40000010), or TSC-deadline. */
#include <string.h>

#include "x86_64.h"

#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define LVT_TSC_DEADLINE (1u << 18)
#define LVT_TIMER_MODE (3u << 17)

static bool test(const uint32_t *bits, unsigned vec) { return bits[vec / 32] >> (vec % 32) & 1; }
static void set(uint32_t *bits, unsigned vec) { bits[vec / 32] |= 1u << (vec % 32); }
static void clr(uint32_t *bits, unsigned vec) { bits[vec / 32] &= ~(1u << (vec % 32)); }

static int highest(const uint32_t *bits)
{
    for (int i = 7; i >= 0; i--)
        if (bits[i])
            return i * 32 + 31 - __builtin_clz(bits[i]);
    return -1;
}

void vlapic_reset(struct vcpu *v, unsigned apic_id)
{
    struct vlapic *l = &v->arch.lapic;

    memset(l, 0, sizeof(*l));
    l->id = apic_id;
    l->enabled = true;
    l->svr = 0xff;
    l->dfr = 0xffffffff;
    l->lvt_timer = l->lvt_lint0 = l->lvt_lint1 = l->lvt_error = l->lvt_thermal = l->lvt_perf =
        l->lvt_cmci = LVT_MASKED;
}

static void pull_async(struct vlapic *l)
{
    for (unsigned i = 0; i < 8; i++)
        if (__atomic_load_n(&l->irr_async[i], __ATOMIC_RELAXED))
            l->irr[i] |= __atomic_exchange_n(&l->irr_async[i], 0, __ATOMIC_ACQUIRE);
}

/* From any CPU: the vector becomes pending; its CPU looks at it on its next entry. */
void vlapic_raise(struct vcpu *v, unsigned vector, bool level)
{
    struct vlapic *l = &v->arch.lapic;

    if (vector < 16)
        return;
    if (level)
        __atomic_or_fetch(&l->tmr[vector / 32], 1u << (vector % 32), __ATOMIC_RELAXED);
    else
        __atomic_and_fetch(&l->tmr[vector / 32], ~(1u << (vector % 32)), __ATOMIC_RELAXED);
    __atomic_or_fetch(&l->irr_async[vector / 32], 1u << (vector % 32), __ATOMIC_RELEASE);
    if (v->pcpu != arch_cpu_id())
        arch_cpu_kick(v->pcpu);
}

static unsigned ppr(const struct vlapic *l)
{
    int isr = highest(l->isr);
    unsigned isrc = isr < 0 ? 0 : (unsigned)isr & 0xf0;
    return (l->tpr & 0xf0) >= isrc ? l->tpr & 0xff : isrc;
}

int vlapic_pending_vector(struct vcpu *v)
{
    struct vlapic *l = &v->arch.lapic;

    pull_async(l);
    if (!(l->svr & 0x100) || !l->enabled)
        return -1;
    int irr = highest(l->irr);
    if (irr < 0 || ((unsigned)irr & 0xf0) <= (ppr(l) & 0xf0))
        return -1;
    return irr;
}

void vlapic_ack(struct vcpu *v, unsigned vector)
{
    clr(v->arch.lapic.irr, vector);
    set(v->arch.lapic.isr, vector);
}

static void eoi(struct vcpu *v)
{
    struct vlapic *l = &v->arch.lapic;
    int vec = highest(l->isr);

    if (vec < 0)
        return;
    clr(l->isr, (unsigned)vec);
    if (test(l->tmr, (unsigned)vec))
        vioapic_eoi(v->part, (unsigned)vec);
}

/* ---- timer ---- */

static uint64_t period_ns(const struct vlapic *l)
{
    static const uint8_t shift[8] = { 1, 2, 3, 4, 5, 6, 7, 0 };   /* DCR bits 3,1,0 */
    unsigned d = (l->timer_divide & 3) | (l->timer_divide >> 1 & 4);
    uint64_t ticks = (uint64_t)l->timer_initial << shift[d];
    return ticks * 1000000 / GUEST_LAPIC_TIMER_KHZ;
}

static void timer_start(struct vcpu *v)
{
    struct vlapic *l = &v->arch.lapic;

    l->timer_start_ns = arch_time_ns();
    l->timer_deadline_ns = l->timer_initial ? l->timer_start_ns + MAX(period_ns(l), 1000u) : 0;
    if (this_cpu()->loaded == v)
        timer_reprogram();
}

uint64_t vlapic_deadline(const struct vcpu *v)
{
    return v->arch.lapic.timer_deadline_ns;
}

void vlapic_timer_check(struct vcpu *v)
{
    struct vlapic *l = &v->arch.lapic;
    uint64_t now;

    if (!l->timer_deadline_ns || (now = arch_time_ns()) < l->timer_deadline_ns)
        return;
    if (!(l->lvt_timer & LVT_MASKED))
        vlapic_raise(v, l->lvt_timer & 0xff, false);
    l->tsc_deadline = 0;
    if ((l->lvt_timer & LVT_TIMER_MODE) == LVT_PERIODIC) {
        uint64_t p = MAX(period_ns(l), 1000u);
        l->timer_start_ns = l->timer_deadline_ns;
        l->timer_deadline_ns += p;
        if (l->timer_deadline_ns <= now)   /* missed periods coalesce into one */
            l->timer_deadline_ns = now + p;
    } else {
        l->timer_deadline_ns = 0;
    }
}

/* IA32_TSC_DEADLINE: the guest's TSC is the host's, so the deadline converts directly. */
uint64_t vlapic_tsc_deadline(struct vcpu *v, bool write, uint64_t tsc)
{
    struct vlapic *l = &v->arch.lapic;

    if (!write)
        return l->tsc_deadline;
    if ((l->lvt_timer & LVT_TIMER_MODE) != LVT_TSC_DEADLINE)
        return 0;                                       /* ignored in the other modes */
    l->tsc_deadline = tsc;
    l->timer_start_ns = arch_time_ns();
    l->timer_deadline_ns = tsc ? MAX(tsc_to_ns(tsc), 1) : 0;
    if (this_cpu()->loaded == v)
        timer_reprogram();
    return 0;
}

static uint32_t timer_current(const struct vlapic *l)
{
    uint64_t now = arch_time_ns();

    if (!l->timer_deadline_ns || now >= l->timer_deadline_ns)
        return 0;
    uint64_t left = l->timer_deadline_ns - now, total = l->timer_deadline_ns - l->timer_start_ns;
    return total ? (uint32_t)((unsigned __int128)l->timer_initial * left / total) : 0;
}

/* ---- interprocessor interrupts ---- */

static int send_ipi(struct vcpu *v)
{
    struct vlapic *l = &v->arch.lapic;
    struct partition *p = v->part;
    unsigned mode = (l->icr_lo >> 8) & 7, shorthand = (l->icr_lo >> 18) & 3;
    unsigned dest = l->icr_hi >> 24, vector = l->icr_lo & 0xff;
    bool logical = (l->icr_lo >> 11) & 1;
    int r = 0;

    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        struct vcpu *t = &p->vcpus[i];
        bool hit;
        switch (shorthand) {
        case 1: hit = t == v; break;
        case 2: hit = true; break;
        case 3: hit = t != v; break;
        default:
            hit = logical ? (dest & (1u << i)) != 0 : dest == 0xff || dest == t->index;
            break;
        }
        if (!hit)
            continue;
        switch (mode) {
        case 0: /* fixed */
        case 1: /* lowest priority: the first one will do */
            vlapic_raise(t, vector, false);
            break;
        case 6: /* start-up: the hv's power path starts it in real mode at vector:0 */
            if (t != v && t->state == VCPU_OFF) {
                v->arch.sipi_target = i;
                v->arch.sipi_vector = vector;
                r = VLAPIC_SIPI;
            }
            break;
        default: /* INIT (the target is off until its start-up IPI), NMI, SMI: ignored */
            break;
        }
        if (mode != 0 && mode != 1 && r)
            break;
    }
    return r;
}

int vlapic_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
    struct vlapic *l = &v->arch.lapic;
    uint32_t x = (uint32_t)*val, *bank = NULL;
    int r = 0;

    if (size != 4 || (off & 0xf))
        return -1;                 /* registers are 32-bit, 16-byte aligned */
    pull_async(l);
    if (off >= 0x100 && off < 0x280) {
        bank = off < 0x180 ? l->isr : off < 0x200 ? l->tmr : l->irr;
        if (!write)
            *val = bank[(off & 0x7f) >> 4];
        return 0;
    }
#define RW(reg, field, mask)                                                                 \
    case reg:                                                                                \
        if (write)                                                                           \
            l->field = x & (mask);                                                           \
        else                                                                                 \
            *val = l->field;                                                                 \
        break
    switch (off) {
    case 0x20: if (!write) *val = l->id << 24; break;
    case 0x30: if (!write) *val = 0x00050014; break;     /* version 0x14, 6 LVT entries */
    RW(0x80, tpr, 0xff);
    case 0xa0: if (!write) *val = ppr(l); break;
    case 0xb0: if (write) eoi(v); else *val = 0; break;
    RW(0xd0, ldr, 0xff000000);
    RW(0xe0, dfr, 0xf0000000 | 0x0fffffff);
    RW(0xf0, svr, 0x3ff);
    case 0x280: if (write) l->esr = 0; else *val = l->esr; break;
    RW(0x2f0, lvt_cmci, 0x117ff);
    case 0x300:
        if (write) {
            l->icr_lo = x & ~(1u << 12);   /* delivered at once: never pending */
            r = send_ipi(v);
        } else {
            *val = l->icr_lo;
        }
        break;
    RW(0x310, icr_hi, 0xff000000);
    case 0x320:
        if (write) {
            uint32_t mode = x & LVT_TIMER_MODE;
            if (mode == LVT_TIMER_MODE)
                mode = 0;                               /* reserved: one-shot */
            if (mode != (l->lvt_timer & LVT_TIMER_MODE)) {
                l->timer_deadline_ns = 0;               /* a mode change disarms */
                l->tsc_deadline = 0;
                l->timer_initial = 0;
            }
            l->lvt_timer = (x & (0x100ffu | LVT_MASKED)) | mode;
        } else {
            *val = l->lvt_timer;
        }
        break;
    RW(0x330, lvt_thermal, 0x117ff);
    RW(0x340, lvt_perf, 0x117ff);
    RW(0x350, lvt_lint0, 0x1f7ff);
    RW(0x360, lvt_lint1, 0x1f7ff);
    RW(0x370, lvt_error, 0x110ff);
    case 0x380:
        if (write) {
            if ((l->lvt_timer & LVT_TIMER_MODE) == LVT_TSC_DEADLINE)
                break;                                  /* ignored in TSC-deadline mode */
            l->timer_initial = x;
            timer_start(v);
        } else {
            *val = l->timer_initial;
        }
        break;
    case 0x390: if (!write) *val = timer_current(l); break;
    RW(0x3e0, timer_divide, 0xb);
    default:
        if (!write)
            *val = 0;          /* reserved registers read as zero */
        break;
    }
#undef RW
    return r;
}
