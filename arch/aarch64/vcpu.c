/* vcpu state, guest entry, and decoding of what brought the guest back into a vm_exit. */
#include "aarch64.h"
#include "hypercall.h"

unsigned long __guest_enter(struct guest_regs *r);

#define SPSR_EL1H_MASKED 0x3c5ull
#define SCTLR_EL1_RESET 0x30d00800ull

#define SAVE(f, r) s->f = read_sysreg(r)
#define LOAD(f, r) write_sysreg(r, s->f)
#define EL1_REGS(X)                                                                       \
    X(sctlr, sctlr_el1); X(ttbr0, ttbr0_el1); X(ttbr1, ttbr1_el1); X(tcr, tcr_el1);       \
    X(mair, mair_el1); X(amair, amair_el1); X(vbar, vbar_el1); X(contextidr, contextidr_el1); \
    X(tpidr_el0, tpidr_el0); X(tpidrro_el0, tpidrro_el0); X(tpidr_el1, tpidr_el1);        \
    X(sp_el0, sp_el0); X(sp_el1, sp_el1); X(elr_el1, elr_el1); X(spsr_el1, spsr_el1);     \
    X(esr, esr_el1); X(far, far_el1); X(afsr0, afsr0_el1); X(afsr1, afsr1_el1);           \
    X(par, par_el1); X(cpacr, cpacr_el1); X(cntkctl, cntkctl_el1); X(csselr, csselr_el1); \
    X(mdscr, mdscr_el1); X(cntv_cval, cntv_cval_el0); X(cntv_ctl, cntv_ctl_el0)

/* Breakpoint and watchpoint registers by index (each is its own encoding). */
#define DBG_N(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) \
    X(14) X(15)
#define SAVE_BP(n) case n: s->dbgbvr[n] = read_sysreg(dbgbvr##n##_el1); \
    s->dbgbcr[n] = read_sysreg(dbgbcr##n##_el1); break;
#define LOAD_BP(n) case n: write_sysreg(dbgbvr##n##_el1, s->dbgbvr[n]); \
    write_sysreg(dbgbcr##n##_el1, s->dbgbcr[n]); break;
#define SAVE_WP(n) case n: s->dbgwvr[n] = read_sysreg(dbgwvr##n##_el1); \
    s->dbgwcr[n] = read_sysreg(dbgwcr##n##_el1); break;
#define LOAD_WP(n) case n: write_sysreg(dbgwvr##n##_el1, s->dbgwvr[n]); \
    write_sysreg(dbgwcr##n##_el1, s->dbgwcr[n]); break;

/* Self-hosted debug state is the vcpu's: switched with it, so that a partition on a shared
 * CPU never sees (or is hit by) another's breakpoints. */
static void debug_save(struct el1_sysregs *s)
{
    for (unsigned i = 0; i < nr_brps; i++)
        switch (i) { DBG_N(SAVE_BP) }
    for (unsigned i = 0; i < nr_wrps; i++)
        switch (i) { DBG_N(SAVE_WP) }
    s->mdccint = read_sysreg(mdccint_el1);
}

static void debug_load(const struct el1_sysregs *s)
{
    for (unsigned i = 0; i < nr_brps; i++)
        switch (i) { DBG_N(LOAD_BP) }
    for (unsigned i = 0; i < nr_wrps; i++)
        switch (i) { DBG_N(LOAD_WP) }
    write_sysreg(mdccint_el1, s->mdccint);
    write_sysreg(oslar_el1, s->oslk);
}

static void vcpu_put(struct vcpu *v)
{
    struct el1_sysregs *s = &v->arch.sys;
    EL1_REGS(SAVE);
    debug_save(s);
    vgic_save(v);
    /* Its timer must not fire while another vcpu runs here. */
    write_sysreg(cntv_ctl_el0, 0);
}

void arch_vcpu_load(struct vcpu *v)
{
    struct cpu_local *cl = this_cpu();
    struct el1_sysregs *s = &v->arch.sys;

    if (cl->loaded == v && !v->arch.reload)
        return;
    if (cl->loaded && cl->loaded != v)
        vcpu_put(cl->loaded);
    EL1_REGS(LOAD);
    debug_load(s);
    write_sysreg(ICH_VMCR_EL2, s->ich_vmcr);
    write_sysreg(ICH_AP0R0_EL2, s->ich_ap0r0);
    write_sysreg(ICH_AP1R0_EL2, s->ich_ap1r0);
    write_sysreg(vttbr_el2, stage2_vttbr(v->part));
    write_sysreg(vmpidr_el2, v->arch.mpidr);
    write_sysreg(vpidr_el2, read_sysreg(midr_el1));
    isb();
    if (v->arch.reload && cl->fp_regs == &v->arch.regs)
        cl->fp_regs = NULL; /* the registers hold its state from before the reset */
    cl->loaded = v;
    v->arch.reload = false;
}

void arch_vcpu_reset(struct vcpu *v, gpaddr_t entry, uint64_t arg)
{
    struct guest_regs *r = &v->arch.regs;

    *r = (struct guest_regs){ 0 };
    r->x[0] = arg;
    r->pc = entry;
    r->pstate = SPSR_EL1H_MASKED;
    v->arch.sys = (struct el1_sysregs){ 0 };
    v->arch.sys.sctlr = SCTLR_EL1_RESET;
    v->arch.sys.oslk = true; /* locked out of reset, as the architecture has it */
    v->arch.mpidr = 1ull << 31 | v->index;
    vgic_vcpu_reset(v);
    v->arch.reload = true; /* registers on its CPU are stale, whoever loaded them */
}

uint64_t vcpu_xreg(struct vcpu *v, unsigned reg)
{
    return reg < 31 ? v->arch.regs.x[reg] : 0; /* 31 is xzr here */
}

void vcpu_set_xreg(struct vcpu *v, unsigned reg, uint64_t val)
{
    if (reg < 31)
        v->arch.regs.x[reg] = val;
}

void vcpu_skip_insn(struct vcpu *v)
{
    v->arch.regs.pc += 4;
}

void arch_vcpu_access_done(struct vcpu *v, uint64_t value)
{
    unsigned size = v->arch.access.size;

    if (!v->arch.access.write) {
        if (v->arch.access.sign_extend && size < 8) {
            uint64_t sign = 1ull << (8 * size - 1);
            value = (value ^ sign) - sign;
        }
        /* SSE (bit 21) with SF (bit 15) clear: a 32-bit destination, upper half zero */
        if (v->arch.access.sign_extend && !(v->arch.esr & (1u << 15)))
            value = (uint32_t)value;
        vcpu_set_xreg(v, v->arch.access.reg, value);
    }
    vcpu_skip_insn(v);
}

void arch_vcpu_hypercall_done(struct vcpu *v, int64_t result)
{
    v->arch.regs.x[0] = (uint64_t)result; /* HVC/SMC: ELR is already past the call */
}

static void fault(struct vm_exit *e, const char *what, uint64_t esr, bool has_addr, gpaddr_t a)
{
    e->reason = VM_EXIT_FAULT;
    e->fault.what = what;
    e->fault.syndrome = esr;
    e->fault.has_addr = has_addr;
    e->fault.addr = a;
}

static gpaddr_t fault_ipa(void)
{
    return (read_sysreg(hpfar_el2) >> 4) << 12 | (read_sysreg(far_el2) & 0xfff);
}

static void data_abort(struct vcpu *v, uint64_t esr, struct vm_exit *e)
{
    gpaddr_t ipa = fault_ipa();

    if (esr & (1u << 7)) { /* S1PTW */
        fault(e, "guest page-table walk outside its memory", esr, true, ipa);
        return;
    }
    if (!(esr & (1u << 24))) { /* no ISV: ldp/stp, writeback, or cache maintenance */
        fault(e, "access the hv cannot emulate (pair, writeback or cache operation) to an "
                 "address outside its memory",
              esr, true, ipa);
        return;
    }
    unsigned size = 1u << ((esr >> 22) & 3);
    v->arch.access.size = (uint8_t)size;
    v->arch.access.sign_extend = esr & (1u << 21);
    v->arch.access.reg = (esr >> 16) & 0x1f;
    v->arch.access.write = esr & (1u << 6);
    e->reason = VM_EXIT_ACCESS;
    e->access.addr = ipa;
    e->access.size = size;
    e->access.write = v->arch.access.write;
    e->access.value = 0;
    if (e->access.write) {
        uint64_t val = vcpu_xreg(v, v->arch.access.reg);
        e->access.value = size < 8 ? val & ((1ull << (8 * size)) - 1) : val;
    }
}

/* HVC or SMC: the hv's own calls (hypercall.h) by their SMCCC function ID, else PSCI. */
static void guest_call(struct vcpu *v, struct vm_exit *e)
{
    uint64_t fn = v->arch.regs.x[0];

    if ((fn & ~(uint64_t)HC_NR_MASK) == HC_SMCCC_BASE) {
        e->reason = VM_EXIT_HYPERCALL;
        e->hypercall.nr = fn & HC_NR_MASK;
        for (unsigned i = 0; i < HC_ARGS; i++)
            e->hypercall.arg[i] = v->arch.regs.x[1 + i];
        return;
    }
    psci_guest_call(v, e);
}

static void decode_sync(struct vcpu *v, struct vm_exit *e)
{
    uint64_t esr = read_sysreg(esr_el2);
    v->arch.esr = esr;

    switch (ESR_EC(esr)) {
    case EC_HVC64:
        guest_call(v, e);      /* ELR is already past the HVC */
        break;
    case EC_SMC64:
        vcpu_skip_insn(v);     /* trapped SMC: ELR points at it */
        guest_call(v, e);
        break;
    case EC_WFX:
        vcpu_skip_insn(v);
        if (!(esr & 1))
            e->reason = VM_EXIT_WAIT; /* WFE just yields */
        break;
    case EC_DABT_LOW:
        data_abort(v, esr, e);
        break;
    case EC_IABT_LOW:
        fault(e, "instruction fetch outside its memory", esr, true, fault_ipa());
        break;
    case EC_SYSREG:
        sysreg_trap(v, esr);
        break;
    case EC_PAC:
        feature_trap(v, esr, "pointer authentication is not offered; undefined instruction injected");
        break;
    case EC_SVE:
        feature_trap(v, esr, "SVE is not offered; undefined instruction injected");
        break;
    case EC_SME:
        feature_trap(v, esr, "SME is not offered; undefined instruction injected");
        break;
    default:
        fault(e, "exception the hv does not handle", esr, false, 0);
        break;
    }
}

/* FP/SIMD is switched lazily: the guest's state stays in the registers after an exit and FP
 * is trapped for the hv; the first hv FP use (a library routine) saves it (entry.S). */
static void fp_enter(struct vcpu *v)
{
    struct cpu_local *cl = this_cpu();

    write_sysreg(cptr_el2, cptr_el2_guest);
    isb();
    if (cl->fp_regs != &v->arch.regs) {
        if (cl->fp_regs)
            fp_save(cl->fp_regs);
        fp_restore(&v->arch.regs);
        cl->fp_regs = &v->arch.regs;
    }
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
    arch_vcpu_load(v);
    vgic_flush(v);
    vgic_restore(v);
    fp_enter(v);
    unsigned long kind = __guest_enter(&v->arch.regs);
    write_sysreg(cptr_el2, cptr_el2_guest | CPTR_TFP);
    isb();
    vgic_sync(v);

    e->reason = VM_EXIT_NONE;
    e->pc = v->arch.regs.pc;
    switch (kind) {
    case 0:
        decode_sync(v, e);
        break;
    case 1:
    case 2:
        gic_handle_irqs();
        break;
    default:
        fault(e, "SError (asynchronous external abort)", read_sysreg(esr_el2), false, 0);
        break;
    }
}
