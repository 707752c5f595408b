/* SIGP among a partition's own vcpus (CPU address = vcpu index); any other address is not
 * operational. Starting a stopped vcpu goes through hv/ (VM_EXIT_POWER CPU_ON), which owns
 * vcpu states; everything else is arch state of the target, or an interrupt made pending
 * for it and a kick of its CPU. */
#include <string.h>

#include "partition.h"
#include "s390_guest.h"

#define SIGP_STATUS_EXT_CALL_PENDING 0x00000080u
#define SIGP_STATUS_STOPPED          0x00000040u
#define SIGP_STATUS_INVALID_ORDER    0x00000002u
#define SIGP_STATUS_INVALID_PARAM    0x00000100u
#define SIGP_STATUS_INCORRECT_STATE  0x00000200u
#define SIGP_STATUS_NOT_RUNNING      0x00000400u

static unsigned pending_r1[HV_MAX_CPUS];

static void set_status(struct vcpu *v, unsigned r1, uint32_t status)
{
    v->arch.gprs[r1] = (v->arch.gprs[r1] & ~0xffffffffull) | status;
    s390_set_cc(v, 1);
}

static void kick(struct vcpu *t)
{
    t->arch.sie.intervention |= 0x04;   /* leave SIE at once, wherever it runs */
    if (t->pcpu != arch_cpu_id())
        arch_cpu_kick(t->pcpu);
}

void s390_vcpu_clear(struct vcpu *v)
{
    arch_vcpu_reset(v, 0, 0);
}

/* Store status (the architecture's save area layout) at absolute 'at' of the target. */
static bool store_status(struct vcpu *t, uint64_t at)
{
    uint8_t *s = guest_ptr(&t->part->mem, t->part->mem.base + at, 512);
    const struct sie_block *sd = &t->arch.sie;

    if (!s)
        return false;
    memcpy(s + 0x00, t->arch.fprs, 128);
    memcpy(s + 0x80, t->arch.gprs, 128);
    memcpy(s + 0x100, &sd->gpsw_mask, 16);
    memcpy(s + 0x118, &sd->prefix, 4);
    memcpy(s + 0x11c, &t->arch.fpc, 4);
    memcpy(s + 0x128, &sd->cputm, 8);
    uint64_t ckc = sd->ckc >> 8;
    memcpy(s + 0x130, &ckc, 8);
    memcpy(s + 0x140, t->arch.acrs, 64);
    memcpy(s + 0x180, sd->gcr, 128);
    return true;
}

void s390_sigp(struct vcpu *v, struct vm_exit *e, unsigned r1, unsigned r3, unsigned order)
{
    struct partition *p = v->part;
    uint64_t *g = v->arch.gprs;
    uint64_t addr = g[r3] & 0xffff, param = g[r1 | 1];

    if (addr >= p->nr_vcpus) {
        s390_set_cc(v, 3);
        return;
    }
    struct vcpu *t = &p->vcpus[addr];
    bool off = t->state == VCPU_OFF;
    s390_set_cc(v, 0);

    switch (order) {
    case SIGP_SENSE:
        if (off)
            set_status(v, r1, SIGP_STATUS_STOPPED);
        return;
    case SIGP_SENSE_RUNNING:
        if (t->state != VCPU_RUNNING)
            set_status(v, r1, SIGP_STATUS_NOT_RUNNING);
        return;
    case SIGP_EXTERNAL_CALL:
        if (t->arch.pending & S390_PEND_EXTCALL) {
            set_status(v, r1, SIGP_STATUS_EXT_CALL_PENDING);
            return;
        }
        t->arch.extcall_from = (uint16_t)v->index;
        __atomic_or_fetch(&t->arch.pending, S390_PEND_EXTCALL, __ATOMIC_RELEASE);
        kick(t);
        return;
    case SIGP_EMERGENCY:
        t->arch.emergency_from = (uint16_t)v->index;
        __atomic_or_fetch(&t->arch.pending, S390_PEND_EMERGENCY, __ATOMIC_RELEASE);
        kick(t);
        return;
    case SIGP_STOP:
    case SIGP_STOP_STORE_STATUS:
        if (t == v) {
            if (order == SIGP_STOP_STORE_STATUS)
                store_status(v, v->arch.sie.prefix + 0x1200u); /* its save area */
            v->arch.stopped = true;
            e->reason = VM_EXIT_POWER;
            e->power.op = POWER_CPU_OFF;
            return;
        }
        if (!off) {
            t->arch.stop_requested = true;
            kick(t);
        }
        return;
    case SIGP_START:
    case SIGP_RESTART:
        if (!off) {
            if (order == SIGP_RESTART) {
                __atomic_or_fetch(&t->arch.pending, S390_PEND_RESTART, __ATOMIC_RELEASE);
                kick(t);
            }
            return;
        }
        e->reason = VM_EXIT_POWER;
        e->power.op = POWER_CPU_ON;
        e->power.target = (unsigned)addr;
        if (order == SIGP_START) {
            e->power.entry = t->arch.sie.gpsw_addr;
            e->power.context = t->arch.sie.gpsw_mask | S390_START_RESUME;
        } else {
            uint64_t *new = s390_guest_real(t, LC_RESTART_NEW_PSW, 16);
            e->power.entry = new ? new[1] : ~0ull;
            e->power.context = (new ? new[0] : 0) | S390_START_RESTART;
        }
        pending_r1[arch_cpu_id()] = r1;
        return;
    case SIGP_INITIAL_CPU_RESET:
    case SIGP_CPU_RESET:
        if (!off) {
            set_status(v, r1, SIGP_STATUS_INCORRECT_STATE);
            return;
        }
        s390_vcpu_clear(t);
        return;
    case SIGP_SET_PREFIX: {
        uint64_t prefix = param & 0x7fffe000u;
        if (!off) {
            set_status(v, r1, SIGP_STATUS_INCORRECT_STATE);
            return;
        }
        if (prefix + LC_SIZE > p->mem.size) {
            set_status(v, r1, SIGP_STATUS_INVALID_PARAM);
            return;
        }
        t->arch.sie.prefix = (uint32_t)prefix;
        return;
    }
    case SIGP_STORE_STATUS:
        if (!off) {
            set_status(v, r1, SIGP_STATUS_INCORRECT_STATE);
            return;
        }
        if ((param & 0x1ff) || !store_status(t, param & 0x7ffffe00u))
            set_status(v, r1, SIGP_STATUS_INVALID_PARAM);
        return;
    case SIGP_SET_ARCH:
        /* z/Architecture from the start; ESA/390 is not offered */
        set_status(v, r1, SIGP_STATUS_INVALID_PARAM);
        return;
    }
    set_status(v, r1, SIGP_STATUS_INVALID_ORDER);
}

/* The answer to a start (hv/: 0, or a negative reason it could not start it). */
void s390_sigp_result(struct vcpu *v, int64_t result)
{
    unsigned r1 = pending_r1[arch_cpu_id()];

    if (result == 0)
        s390_set_cc(v, 0);
    else if (result == -9)      /* its restart PSW points outside its storage */
        set_status(v, r1, SIGP_STATUS_INVALID_PARAM);
    else
        s390_set_cc(v, 2);      /* busy: it was started meanwhile */
}
