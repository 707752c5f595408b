/* The channel subsystem a partition sees: one virtual subchannel per virtio device (device
 * n is subchannel n, device number n, subchannel set 0, ISC as the guest sets it), and the
 * I/O instructions on them. A channel program runs to its end inside SSCH, its CCWs handed
 * to virtio-ccw (hv/virtio_ccw.c); its status is then pending and an I/O interruption is
 * requested, delivered to whichever vcpu of the partition enables its ISC first. A device's
 * interrupt (arch_part_irq_raise: a used buffer, a config change) is an unsolicited alert
 * status on its subchannel, coalesced while status is pending.
 *
 * Locks: css_lock guards the subchannels and is never held into a device's lock (the device
 * raises interrupts with its own held); a running channel program marks its subchannel
 * busy instead. */
#include <string.h>

#include "partition.h"
#include "s390_guest.h"
#include "virtio.h"
#include "virtio_ccw.h"

#define PMCW_ISC_MASK 0x3800
#define PMCW_ENABLED  0x0080
#define PMCW_DNV      0x0001
#define SCSW_F_FORMAT1 0x0080
#define FCTL_START    0x4000
#define FCTL_HALT     0x2000
#define FCTL_CLEAR    0x1000
#define STCTL_ALERT   0x0010
#define STCTL_PRIMARY 0x0004
#define STCTL_SECOND  0x0002
#define STCTL_PENDING 0x0001
#define DEV_CE_DE     0x0c
#define DEV_UNIT_CHECK 0x02
#define SCH_PROGRAM_CHECK 0x20
#define CCW_CMD_SENSE 0x04
#define CCW_CMD_TIC   0x08
#define CCW_F_CD      0x80
#define CCW_F_CC      0x40
#define CCW_F_SLI     0x20
#define CCW_F_SKIP    0x10
#define CCW_F_IDA     0x04
#define MAX_CCWS      256     /* a longer channel program (a TIC loop) is a program check */
#define PGM_OPERAND   0x15

int arch_virtio_attach(struct virtio_dev *d)
{
    struct part_arch *pa = &d->part->arch;

    if (d->line >= HV_MAX_DEVS)
        return -1;
    pa->sch[d->line] = (struct vsch){ .dev = d, .pmcw_flags = PMCW_DNV };
    if (d->line >= pa->nr_sch)
        pa->nr_sch = d->line + 1;
    virtio_ccw_attach(d);
    return 0;
}

/* The partition's vcpus on other CPUs look again: an I/O interruption may be theirs. */
static void kick_partition(struct partition *p)
{
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        if (p->vcpus[i].pcpu != arch_cpu_id())
            arch_cpu_kick(p->vcpus[i].pcpu);
}

void arch_part_irq_raise(struct partition *p, unsigned n)
{
    struct part_arch *pa = &p->arch;
    bool raised = false;

    spin_lock(&pa->css_lock);
    struct vsch *s = n < pa->nr_sch ? &pa->sch[n] : NULL;
    if (s && s->dev && (s->pmcw_flags & PMCW_ENABLED) && !s->busy &&
        !(s->scsw_ctrl & STCTL_PENDING)) {
        s->scsw_ctrl = STCTL_ALERT | STCTL_PENDING;
        s->dstat = s->cstat = 0;
        s->io_request = raised = true;
    }
    spin_unlock(&pa->css_lock);
    if (raised)
        kick_partition(p);
}

/* The subchannel a subsystem-identification word names (subchannel set 0), NULL if none;
 * *bad if the word is not one at all (an operand exception). */
static struct vsch *subchannel(struct partition *p, uint64_t schid, bool *bad)
{
    *bad = (schid & 0xffff0000u) != 0x00010000u;
    unsigned n = schid & 0xffff;
    if (*bad || n >= p->arch.nr_sch || !p->arch.sch[n].dev)
        return NULL;
    return &p->arch.sch[n];
}

static void put32(uint8_t *b, uint32_t v) { b[0] = v >> 24; b[1] = v >> 16; b[2] = v >> 8; b[3] = v; }
static void put16(uint8_t *b, uint16_t v) { b[0] = v >> 8; b[1] = (uint8_t)v; }
static uint32_t get32(const uint8_t *b) { return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]; }

static void store_scsw(const struct vsch *s, uint8_t *b)
{
    put16(b, s->scsw_flags);
    put16(b + 2, s->scsw_ctrl);
    put32(b + 4, s->scsw_cpa);
    b[8] = s->dstat;
    b[9] = s->cstat;
    put16(b + 10, s->residual);
}

static void store_schib(const struct vsch *s, unsigned n, uint8_t *b)
{
    memset(b, 0, 52);
    put32(b, s->intparm);
    put16(b + 4, s->pmcw_flags);
    put16(b + 6, (uint16_t)n);           /* device number */
    b[8] = 0x80;                         /* LPM */
    b[10] = 0x80;                        /* LPUM */
    b[11] = 0x80;                        /* PIM */
    b[14] = 0xff;                        /* POM */
    b[15] = 0x80;                        /* PAM; channel path 0 */
    store_scsw(s, b + 28);
}

/* Run a channel program (format-1 CCWs at guest absolute cpa) on s's device; the ending
 * status goes into s. */
static void run_program(struct partition *p, struct vsch *s, uint32_t cpa)
{
    struct virtio_dev *d = s->dev;
    enum vccw_result r = VCCW_OK;
    uint32_t residual = 0, at = cpa;
    bool after_tic = false;

    for (unsigned k = 0; k < MAX_CCWS; k++) {
        const uint8_t *ccw = (at & 7) ? NULL : guest_ptr(&p->mem, at, 8);
        if (!ccw) {
            r = VCCW_CHECK;
            break;
        }
        uint8_t cmd = ccw[0], flags = ccw[1];
        uint16_t count = (uint16_t)(ccw[2] << 8 | ccw[3]);
        uint32_t cda = get32(ccw + 4);
        if (cmd == CCW_CMD_TIC) {
            if (after_tic || (cda & 0x80000007u)) {
                r = VCCW_CHECK;
                break;
            }
            at = cda;
            after_tic = true;
            continue;
        }
        after_tic = false;
        if ((flags & (CCW_F_CD | CCW_F_IDA | CCW_F_SKIP)) || (cda & 0x80000000u)) {
            r = VCCW_CHECK;     /* data chaining, IDAWs, skipping: not offered */
            break;
        }
        if (cmd == CCW_CMD_SENSE) {
            uint8_t *b = count ? guest_ptr(&p->mem, cda, count < 32 ? count : 32) : NULL;
            if (count && !b) {
                r = VCCW_CHECK;
                break;
            }
            if (b) {
                memset(b, 0, count < 32 ? count : 32);
                b[0] = s->sense0;
            }
            s->sense0 = 0;
            residual = count > 32 ? count - 32 : 0;
        } else {
            struct vccw_ccw c = { cmd, (flags & CCW_F_SLI) != 0, count, cda };
            spin_lock(&d->lock);
            r = virtio_ccw_command(d, &c, &residual);
            virtio_dev_unlock(d);
            if (r != VCCW_OK)
                break;
        }
        if (!(flags & CCW_F_CC))
            break;
        at += 8;
    }
    spin_lock(&p->arch.css_lock);
    s->scsw_flags = SCSW_F_FORMAT1;
    s->scsw_ctrl = FCTL_START | STCTL_PRIMARY | STCTL_SECOND | STCTL_PENDING;
    s->scsw_cpa = at + 8;
    s->residual = (uint16_t)residual;
    s->dstat = DEV_CE_DE;
    s->cstat = 0;
    if (r == VCCW_REJECT) {
        s->dstat |= DEV_UNIT_CHECK;
        s->sense0 = 0x80;       /* command reject */
        s->scsw_ctrl |= STCTL_ALERT;
    } else if (r == VCCW_CHECK) {
        s->dstat = 0;
        s->cstat = SCH_PROGRAM_CHECK;
        s->scsw_ctrl |= STCTL_ALERT;
    }
    s->busy = false;
    s->io_request = true;
    spin_unlock(&p->arch.css_lock);
}

static void ssch(struct vcpu *v, struct vm_exit *e, struct vsch *s)
{
    struct partition *p = v->part;
    uint8_t *orb = s390_io_operand(v, e, 12, false);

    if (!orb)
        return;
    uint32_t intparm = get32(orb), cpa = get32(orb + 8);
    bool format1 = orb[5] & 0x80;
    spin_lock(&p->arch.css_lock);
    unsigned cc = !(s->pmcw_flags & PMCW_ENABLED) ? 3 : (s->scsw_ctrl & STCTL_PENDING) ? 1
                  : s->busy ? 2 : 0;
    if (cc == 0) {
        s->busy = true;
        s->intparm = intparm;
    }
    spin_unlock(&p->arch.css_lock);
    s390_set_cc(v, cc);
    if (cc)
        return;
    if (!format1 || (cpa & 0x80000007u)) {  /* format-0 CCWs are not offered */
        spin_lock(&p->arch.css_lock);
        s->scsw_flags = 0;
        s->scsw_ctrl = FCTL_START | STCTL_PRIMARY | STCTL_SECOND | STCTL_ALERT | STCTL_PENDING;
        s->scsw_cpa = cpa;
        s->dstat = 0;
        s->cstat = SCH_PROGRAM_CHECK;
        s->busy = false;
        s->io_request = true;
        spin_unlock(&p->arch.css_lock);
        return;
    }
    run_program(p, s, cpa);
}

/* TSCH: the status, and the subchannel is no longer status pending. */
static void tsch(struct vcpu *v, struct vm_exit *e, struct vsch *s)
{
    uint8_t *irb = s390_io_operand(v, e, 96, true);

    if (!irb)
        return;
    spin_lock(&v->part->arch.css_lock);
    memset(irb, 0, 96);
    store_scsw(s, irb);
    if (s->dstat & DEV_UNIT_CHECK)
        irb[32] = s->sense0;    /* ECW: the sense data */
    bool pending = s->scsw_ctrl & STCTL_PENDING;
    if (pending) {
        s->scsw_ctrl = 0;
        s->dstat = s->cstat = 0;
        s->io_request = false;
    }
    spin_unlock(&v->part->arch.css_lock);
    s390_set_cc(v, pending ? 0 : 1);
}

static void msch(struct vcpu *v, struct vm_exit *e, struct vsch *s)
{
    uint8_t *schib = s390_io_operand(v, e, 52, false);

    if (!schib)
        return;
    spin_lock(&v->part->arch.css_lock);
    unsigned cc = (s->scsw_ctrl & STCTL_PENDING) ? 1 : s->busy ? 2 : 0;
    if (cc == 0) {
        uint16_t f = (uint16_t)(schib[4] << 8 | schib[5]);
        s->intparm = get32(schib);
        s->pmcw_flags = PMCW_DNV | (f & (PMCW_ISC_MASK | PMCW_ENABLED));
    }
    spin_unlock(&v->part->arch.css_lock);
    s390_set_cc(v, cc);
}

/* Halt and clear: nothing is ever in progress (programs run inside SSCH), so both end at
 * once with status pending and an interruption. */
static void halt_clear(struct vcpu *v, struct vsch *s, uint16_t fctl)
{
    spin_lock(&v->part->arch.css_lock);
    unsigned cc = (fctl == FCTL_HALT && (s->scsw_ctrl & STCTL_PENDING)) ? 1 : 0;
    if (cc == 0) {
        s->scsw_ctrl = fctl | STCTL_PENDING;
        s->dstat = s->cstat = 0;
        s->io_request = true;
    }
    spin_unlock(&v->part->arch.css_lock);
    s390_set_cc(v, cc);
}

/* The I/O instructions (op2 of B2xx), false for others. */
bool s390_css_insn(struct vcpu *v, struct vm_exit *e, unsigned op2)
{
    struct partition *p = v->part;
    bool bad;

    switch (op2) {
    case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x38: case 0x76: {
        struct vsch *s = subchannel(p, v->arch.gprs[1], &bad);
        if (bad) {
            s390_guest_program(v, PGM_OPERAND, 4);
            return true;
        }
        if (!s) {
            s390_set_cc(v, 3);  /* not operational: no such subchannel */
            return true;
        }
        switch (op2) {
        case 0x34: {            /* STSCH */
            uint8_t *b = s390_io_operand(v, e, 52, true);
            if (b) {
                spin_lock(&p->arch.css_lock);
                store_schib(s, (unsigned)(s - p->arch.sch), b);
                spin_unlock(&p->arch.css_lock);
                s390_set_cc(v, 0);
            }
            break;
        }
        case 0x32: msch(v, e, s); break;
        case 0x33: ssch(v, e, s); break;
        case 0x35: tsch(v, e, s); break;
        case 0x30: halt_clear(v, s, FCTL_CLEAR); break;
        case 0x31: halt_clear(v, s, FCTL_HALT); break;
        default: s390_set_cc(v, 2); break;   /* RSCH, XSCH: nothing suspended or pending */
        }
        return true;
    }
    case 0x36: {                /* TPI */
        uint64_t addr = 0;
        uint32_t code[3];
        if (!s390_css_take(v, code)) {
            s390_set_cc(v, 0);
            return true;
        }
        uint32_t bd = v->arch.sie.ipb >> 16;
        addr = ((bd >> 12) ? v->arch.gprs[bd >> 12] : 0) + (bd & 0xfff);
        if (addr == 0)
            s390_guest_lc_write(v, LC_SUBCHANNEL_ID, code, 12);
        else {
            uint8_t *b = s390_io_operand(v, e, 8, true);
            if (!b)
                return true;
            memcpy(b, code, 8);
        }
        s390_set_cc(v, 1);
        return true;
    }
    case 0x39: {                /* STCRW: no channel reports */
        uint8_t *b = s390_io_operand(v, e, 4, true);
        if (b) {
            memset(b, 0, 4);
            s390_set_cc(v, 1);
        }
        return true;
    }
    case 0x37: case 0x3c:       /* SAL, SCHM */
        return true;
    case 0x3a: case 0x3b:       /* STCPS, RCHP */
        s390_set_cc(v, 3);
        return true;
    }
    return false;
}

/* The lowest-numbered subchannel with an interruption request whose ISC the vcpu enables
 * in CR6: taken (no longer requested), its interruption code in code[3]. */
bool s390_css_take(struct vcpu *v, uint32_t code[3])
{
    struct part_arch *pa = &v->part->arch;
    uint64_t cr6 = v->arch.sie.gcr[6];
    bool found = false;

    if (!pa->nr_sch)
        return false;
    spin_lock(&pa->css_lock);
    for (unsigned n = 0; n < pa->nr_sch && !found; n++) {
        struct vsch *s = &pa->sch[n];
        unsigned isc = (s->pmcw_flags & PMCW_ISC_MASK) >> 11;
        if (!s->io_request || !(cr6 & (0x80000000ull >> isc)))
            continue;
        s->io_request = false;
        code[0] = 0x00010000u | n;
        code[1] = s->intparm;
        code[2] = isc << 27;
        found = true;
    }
    spin_unlock(&pa->css_lock);
    return found;
}

bool s390_css_pending(const struct vcpu *v)
{
    const struct part_arch *pa = &v->part->arch;
    uint64_t cr6 = v->arch.sie.gcr[6];

    for (unsigned n = 0; n < pa->nr_sch; n++) {
        const struct vsch *s = &pa->sch[n];
        unsigned isc = (s->pmcw_flags & PMCW_ISC_MASK) >> 11;
        if (s->io_request && (cr6 & (0x80000000ull >> isc)))
            return true;
    }
    return false;
}

bool s390_css_requested(const struct partition *p)
{
    for (unsigned n = 0; n < p->arch.nr_sch; n++)
        if (p->arch.sch[n].io_request)
            return true;
    return false;
}

/* DIAG 0x500 subcode 3: the driver notifies queue q of the subchannel 'schid'. */
int64_t s390_css_notify(struct vcpu *v, uint64_t schid, uint64_t q)
{
    bool bad;
    struct vsch *s = subchannel(v->part, schid, &bad);

    if (!s || q >= VIRTIO_MAX_QUEUES)
        return -22;             /* -EINVAL: the driver marks the queue broken */
    struct virtio_dev *d = s->dev;
    spin_lock(&d->lock);
    virtio_dev_notify(d, (unsigned)q);
    virtio_dev_unlock(d);
    return 0;
}
