/* vcpus in SIE: reset state, entry, interrupt delivery into the guest's lowcore, and the
 * decoding of interceptions into vm_exits. Instructions the machine always intercepts for
 * a pageable guest are emulated in guest_insn.c (SERVC, SIGP, DIAG, STSI, the I/O
 * instructions, ...). */
#include <string.h>

#include "partition.h"
#include "s390.h"
#include "s390_guest.h"

/* Interception codes. */
#define ICPT_INST      0x04
#define ICPT_PROGI     0x08
#define ICPT_EXTREQ    0x10
#define ICPT_EXTINT    0x14
#define ICPT_IOREQ     0x18
#define ICPT_WAIT      0x1c
#define ICPT_VALIDITY  0x20
#define ICPT_STOP      0x28

#define SIE_INTERV_EXT  0x01
#define SIE_INTERV_IO   0x02
#define SIE_INTERV_STOP 0x04

/* Storage keys are not given to guests: ISKE, SSKE and RRBE are intercepted and answered
 * as if every key were 0 (the machine would otherwise keep guest keys in KVM-style page
 * table extensions the hv does not have). The guest's own clock comparator and CPU timer
 * interruptions are delivered by the machine (external-interruption assist). */
#define ICTL_ISKE 0x00004000u
#define ICTL_SSKE 0x00002000u
#define ICTL_RRBE 0x00001000u
#define ECA_EXTA  0x80000000u

#define CR0_INITIAL  0xe0ull
#define CR14_INITIAL 0xc2000000ull

/* The state after an initial CPU reset, then the PSW. */
static void init_state(struct vcpu *v, gpaddr_t entry, uint64_t mask)
{
    struct vcpu_arch *a = &v->arch;
    struct sie_block *sd = &a->sie;

    memset(sd, 0, sizeof(*sd));
    memset(a->gprs, 0, sizeof(a->gprs));
    memset(a->fprs, 0, sizeof(a->fprs));
    memset(a->acrs, 0, sizeof(a->acrs));
    a->fpc = 0;
    a->pending = 0;
    a->stopped = false;
    a->stop_requested = false;
    sd->mx = 0x08;                   /* z/Architecture */
    sd->mso = 0;
    sd->mse = v->part->mem.size - 1;
    sd->ictl = ICTL_ISKE | ICTL_SSKE | ICTL_RRBE;
    sd->eca = ECA_EXTA;
    sd->gcr[0] = CR0_INITIAL;
    sd->gcr[14] = CR14_INITIAL;
    sd->gpsw_mask = mask;
    sd->gpsw_addr = entry;
    if (cpus[v->pcpu].loaded == v)
        cpus[v->pcpu].loaded = NULL;  /* its live FP registers are stale now */
}

void arch_vcpu_reset(struct vcpu *v, gpaddr_t entry, uint64_t arg)
{
    struct vcpu_arch *a = &v->arch;

    if (arg & S390_START_RESTART) {
        /* SIGP restart of a stopped CPU: a restart interruption, registers as they are. */
        s390_guest_swap_psw(v, LC_RESTART_OLD_PSW, LC_RESTART_NEW_PSW);
        a->stopped = false;
        return;
    }
    if (arg & S390_START_RESUME) {
        a->stopped = false;     /* SIGP start: on from where it stopped */
        return;
    }
    /* The boot vcpu starts as after IPL, which resets every CPU of the configuration:
     * the others wait stopped, in their reset state, for SIGP. */
    init_state(v, entry, arg);
    if (v->index == 0)
        for (unsigned i = 1; i < v->part->nr_vcpus; i++)
            init_state(&v->part->vcpus[i], 0, 0);
}

/* The FP and access registers are the vcpu's while it is loaded: the hv never uses them
 * (soft float, no access-register mode), so they are switched only here. */
static void fp_save(struct vcpu_arch *a)
{
    __asm__ volatile("stfpc %0" : "=Q"(a->fpc));
    __asm__ volatile("std 0,0(%0)\n\tstd 1,8(%0)\n\tstd 2,16(%0)\n\tstd 3,24(%0)\n\t"
                     "std 4,32(%0)\n\tstd 5,40(%0)\n\tstd 6,48(%0)\n\tstd 7,56(%0)\n\t"
                     "std 8,64(%0)\n\tstd 9,72(%0)\n\tstd 10,80(%0)\n\tstd 11,88(%0)\n\t"
                     "std 12,96(%0)\n\tstd 13,104(%0)\n\tstd 14,112(%0)\n\tstd 15,120(%0)"
                     : : "a"(a->fprs) : "memory");
    __asm__ volatile("stam 0,15,0(%0)" : : "a"(a->acrs) : "memory");
}

static void fp_load(const struct vcpu_arch *a)
{
    __asm__ volatile("lfpc %0" : : "Q"(a->fpc));
    __asm__ volatile("ld 0,0(%0)\n\tld 1,8(%0)\n\tld 2,16(%0)\n\tld 3,24(%0)\n\t"
                     "ld 4,32(%0)\n\tld 5,40(%0)\n\tld 6,48(%0)\n\tld 7,56(%0)\n\t"
                     "ld 8,64(%0)\n\tld 9,72(%0)\n\tld 10,80(%0)\n\tld 11,88(%0)\n\t"
                     "ld 12,96(%0)\n\tld 13,104(%0)\n\tld 14,112(%0)\n\tld 15,120(%0)"
                     : : "a"(a->fprs) : "memory");
    __asm__ volatile("lam 0,15,0(%0)" : : "a"(a->acrs) : "memory");
}

void arch_vcpu_load(struct vcpu *v)
{
    struct cpu_state *c = &cpus[arch_cpu_id()];

    if (c->loaded == v)
        return;
    if (c->loaded)
        fp_save(&c->loaded->arch);
    fp_load(&v->arch);
    c->loaded = v;
}

/* s390x has no MMIO: nothing returns VM_EXIT_ACCESS here (devices are subchannels, css.c). */
void arch_vcpu_access_done(struct vcpu *v, uint64_t value)
{
    (void)v, (void)value;
}

/* DIAG 0x500: the PSW is already past the instruction when it is intercepted. */
void arch_vcpu_hypercall_done(struct vcpu *v, int64_t result)
{
    v->arch.gprs[2] = (uint64_t)result;
}

void arch_vcpu_power_result(struct vcpu *v, int64_t result)
{
    s390_sigp_result(v, result);
}

bool s390_vcpu_ckc_due(const struct vcpu *v, uint64_t tod)
{
    const struct sie_block *sd = &v->arch.sie;
    return (sd->gpsw_mask & PSW_MASK_EXT) && (sd->gcr[0] & CR0_CLOCK_COMP) &&
           tod + (uint64_t)sd->epoch >= sd->ckc;
}

/* Pending interrupts the guest can take now, in the architecture's priority order. */
static uint32_t deliverable(const struct vcpu *v)
{
    const struct sie_block *sd = &v->arch.sie;
    uint32_t p = v->arch.pending, d = p & S390_PEND_RESTART;

    if (sd->gpsw_mask & PSW_MASK_EXT) {
        if (sd->gcr[0] & CR0_EMERGENCY)
            d |= p & S390_PEND_EMERGENCY;
        if (sd->gcr[0] & CR0_EXTERNAL_CALL)
            d |= p & S390_PEND_EXTCALL;
        if (sd->gcr[0] & CR0_SERVICE_SIGNAL)
            d |= p & S390_PEND_SERVICE;
    }
    return d;
}

bool arch_vcpu_irq_pending(struct vcpu *v)
{
    const struct sie_block *sd = &v->arch.sie;

    if (deliverable(v))
        return true;
    if ((sd->gpsw_mask & PSW_MASK_IO) && s390_css_pending(v))
        return true;
    if (s390_vcpu_ckc_due(v, s390_tod()))
        return true;
    return (sd->gpsw_mask & PSW_MASK_EXT) && (sd->gcr[0] & CR0_CPU_TIMER) && sd->cputm < 0;
}

static void deliver_ext(struct vcpu *v, uint16_t code, uint16_t cpu_addr, uint32_t param)
{
    s390_guest_lc_write(v, LC_EXT_CODE, &code, 2);
    s390_guest_lc_write(v, LC_EXT_CPU_ADDR, &cpu_addr, 2);
    s390_guest_lc_write(v, LC_EXT_PARAMS, &param, 4);
    s390_guest_swap_psw(v, LC_EXT_OLD_PSW, LC_EXT_NEW_PSW);
}

/* Deliver what can be taken (each new PSW normally disables the class again); for what
 * cannot, ask the machine for an interception once the guest's PSW enables externals. */
static void deliver_interrupts(struct vcpu *v)
{
    struct vcpu_arch *a = &v->arch;
    uint32_t d;

    while ((d = deliverable(v))) {
        uint32_t bit = d & S390_PEND_RESTART   ? S390_PEND_RESTART
                       : d & S390_PEND_EMERGENCY ? S390_PEND_EMERGENCY
                       : d & S390_PEND_EXTCALL   ? S390_PEND_EXTCALL
                                                 : S390_PEND_SERVICE;
        __atomic_and_fetch(&a->pending, ~bit, __ATOMIC_ACQ_REL);
        if (bit == S390_PEND_RESTART)
            s390_guest_swap_psw(v, LC_RESTART_OLD_PSW, LC_RESTART_NEW_PSW);
        else if (bit == S390_PEND_EMERGENCY)
            deliver_ext(v, EXT_EMERGENCY, a->emergency_from, 0);
        else if (bit == S390_PEND_EXTCALL)
            deliver_ext(v, EXT_EXTERNAL_CALL, a->extcall_from, 0);
        else
            deliver_ext(v, EXT_SERVICE_SIGNAL, 0, a->service_param);
    }
    a->sie.intervention &= ~SIE_INTERV_EXT;
    if ((a->pending & ~S390_PEND_RESTART) && !(a->sie.gpsw_mask & PSW_MASK_EXT))
        a->sie.intervention |= SIE_INTERV_EXT;

    /* I/O: one at a time while the PSW takes them (each new PSW normally masks I/O). */
    uint32_t code[3];
    while ((a->sie.gpsw_mask & PSW_MASK_IO) && s390_css_take(v, code)) {
        s390_guest_lc_write(v, LC_SUBCHANNEL_ID, code, 12);
        s390_guest_swap_psw(v, LC_IO_OLD_PSW, LC_IO_NEW_PSW);
    }
    a->sie.intervention &= ~SIE_INTERV_IO;
    if (!(a->sie.gpsw_mask & PSW_MASK_IO) && s390_css_requested(v->part))
        a->sie.intervention |= SIE_INTERV_IO;
}

static void fault(struct vm_exit *e, const char *what, uint64_t detail)
{
    e->reason = VM_EXIT_FAULT;
    e->fault.what = what;
    e->fault.has_addr = false;
    e->fault.syndrome = detail;
}

/* A wait PSW: enabled, the vcpu idles; disabled, the CPU is dead for good. */
static void wait_exit(struct vcpu *v, struct vm_exit *e)
{
    const struct sie_block *sd = &v->arch.sie;

    if (sd->gpsw_mask & (PSW_MASK_EXT | PSW_MASK_IO | PSW_MASK_MCHECK)) {
        e->reason = VM_EXIT_WAIT;
        return;
    }
    if (sd->gpsw_addr == 0) {
        e->reason = VM_EXIT_POWER;  /* disabled wait, code 0: the guest has shut down */
        e->power.op = POWER_SYSTEM_OFF;
        return;
    }
    /* Often the guest's answer to a program check it could not handle: say which. */
    const uint16_t *code = s390_guest_real(v, LC_PGM_CODE, 2);
    const uint64_t *old = s390_guest_real(v, LC_PGM_OLD_PSW, 16);
    if (code && old && *code)
        hv_log("partition '%s': vcpu %u: its last program interruption: code 0x%x at PSW "
               "%016llx %016llx", v->part->label, v->index, *code, (unsigned long long)old[0],
               (unsigned long long)old[1]);
    const uint64_t *ext = s390_guest_real(v, LC_EXT_OLD_PSW, 16);
    const uint16_t *ext_code = s390_guest_real(v, LC_EXT_CODE, 2);
    if (ext && ext_code)
        hv_log("partition '%s': vcpu %u: r14 0x%llx; last external interruption: code 0x%x "
               "at PSW %016llx %016llx", v->part->label, v->index,
               (unsigned long long)v->arch.gprs[14], *ext_code, (unsigned long long)ext[0],
               (unsigned long long)ext[1]);
    fault(e, "disabled wait state (the CPU can never run again)", sd->gpsw_addr);
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
    struct vcpu_arch *a = &v->arch;
    struct sie_block *sd = &a->sie;

    e->reason = VM_EXIT_NONE;
    arch_vcpu_load(v);
    if (a->stop_requested) {    /* SIGP stop from a sibling vcpu */
        a->stop_requested = false;
        a->stopped = true;
        e->reason = VM_EXIT_POWER;
        e->power.op = POWER_CPU_OFF;
        return;
    }
    deliver_interrupts(v);
    sd->icptcode = 0;
    sd->intervention &= ~SIE_INTERV_STOP;
    a->pgm_code = 0;
    sd->gg14 = a->gprs[14];
    sd->gg15 = a->gprs[15];
    lctlg(1, v->part->arch.asce);   /* the partition's storage, for SIE */
    __asm__ volatile("stg %0,%1" : : "d"(v), "i"(LC_HV_VCPU) : "memory");
    sie_enter(sd, a->gprs);
    __asm__ volatile("stg %0,%1" : : "d"(0ull), "i"(LC_HV_VCPU) : "memory");
    a->gprs[14] = sd->gg14;
    a->gprs[15] = sd->gg15;
    e->pc = sd->gpsw_addr;

    if (a->pgm_code) {
        /* The partition's DAT tables had no page: only outside its memory. */
        e->reason = VM_EXIT_FAULT;
        e->fault.what = "access outside its memory";
        e->fault.has_addr = true;
        e->fault.addr = a->pgm_addr;
        e->fault.syndrome = a->pgm_code;
    } else {
        switch (sd->icptcode) {
        case 0:                  /* a host interruption: handled below */
        case ICPT_EXTREQ:        /* the guest enabled externals: delivered on entry */
        case ICPT_IOREQ:
        case ICPT_STOP:          /* a kick */
            break;
        case ICPT_INST:
            s390_guest_insn(v, e);
            break;
        case ICPT_PROGI:
            s390_guest_program_check(v, e, sd->iprcc);
            break;
        case ICPT_EXTINT:        /* not with the assist on; delivered the same way */
            deliver_ext(v, sd->eic, sd->extcpuaddr, 0);
            break;
        case ICPT_WAIT:
            wait_exit(v, e);
            break;
        case ICPT_VALIDITY:
            fault(e, "SIE validity interception (state the machine refused)",
                  sd->ipb >> 16);
            break;
        default:
            fault(e, "unknown SIE interception", sd->icptcode);
            break;
        }
    }
    arch_irq_poll();
}
