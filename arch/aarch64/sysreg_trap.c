/* System register accesses the hv traps, and what a partition gets for each:
 * - the ID registers (HCR_EL2.TID3): the partition's view (cpu_view.c);
 * - ICC_SGI1R_EL1 writes: virtual SGIs (vgic.c);
 * - the PMU (MDCR_EL2.TPM, TPMCR): read as zero, writes ignored: there is no vPMU and the
 *   counters belong to the physical CPU;
 * - the OS lock and debug power registers (TDOSA) and MDRAR_EL1 (TDRA): emulated per vcpu;
 * - ACTLR_EL1 (HCR_EL2.TACR): implementation defined, never the CPU's: zero, writes ignored;
 * - everything else (physical timer, implementation-defined registers (TIDCP), RAS, trace,
 *   AMU, SPE, ...): an undefined instruction, as on a CPU without the feature.
 * Each register that is not simply read is logged once per vcpu. */
#include "aarch64.h"
#include "cpu_view.h"

/* ESR_EL2.ISS for EC 0x18, without Rt and the direction: op0, op2, op1, CRn, CRm. */
#define KEY(op0, op1, crn, crm, op2) \
    ((uint32_t)(op0) << 20 | (uint32_t)(op2) << 17 | (uint32_t)(op1) << 14 | (crn) << 10 | (crm) << 1)
#define KEY_MASK 0x3ffc1eu
#define OP0(k) (((k) >> 20) & 3)
#define OP2(k) (((k) >> 17) & 7)
#define OP1(k) (((k) >> 14) & 7)
#define CRN(k) (((k) >> 10) & 15)
#define CRM(k) (((k) >> 1) & 15)

#define OSLSR_OSLM_64 (1u << 3) /* OS lock implemented, OSLAR_EL1 is how to set it */
#define OSLSR_OSLK (1u << 1)

void sysreg_part_init(struct partition *p)
{
    /* The physical CPU's registers, read once: every vcpu of the partition sees the same. */
#define ID(crm, op2) p->arch.id_view[crm - 1][op2] = cpu_view_id(crm, op2, read_sysreg(S3_0_C0_C##crm##_##op2))
#define ID8(crm) ID(crm, 0); ID(crm, 1); ID(crm, 2); ID(crm, 3); ID(crm, 4); ID(crm, 5); ID(crm, 6); ID(crm, 7)
    ID8(1); ID8(2); ID8(3); ID8(4); ID8(5); ID8(6); ID8(7);
#undef ID8
#undef ID
}

static void log_once(struct vcpu *v, uint32_t key, bool read, const char *what)
{
    struct vcpu_arch *a = &v->arch;

    for (unsigned i = 0; i < a->nr_sysreg_logged; i++)
        if (a->sysreg_logged[i] == key)
            return;
    if (a->nr_sysreg_logged == ARRAY_SIZE(a->sysreg_logged))
        return; /* said enough: the first ones tell what the guest is after */
    a->sysreg_logged[a->nr_sysreg_logged++] = key;
    hv_log("partition '%s' vcpu %u: %s of system register op0=%u op1=%u CRn=%u CRm=%u op2=%u "
           "at pc 0x%llx: %s",
           v->part->label, v->index, read ? "read" : "write", OP0(key), OP1(key), CRN(key),
           CRM(key), OP2(key), (unsigned long long)a->regs.pc, what);
}

/* Deliver an Undefined Instruction exception to the guest's EL1, as the hardware would for
 * an instruction that does not exist: ESR_EL1 EC 0, return address the instruction. The
 * vcpu's EL1 registers are live on this CPU (it just exited). */
void inject_undef(struct vcpu *v)
{
    struct guest_regs *r = &v->arch.regs;
    uint64_t from = r->pstate & 0xf, offset;

    if (from == 0x5)
        offset = 0x200; /* EL1h: current EL with SP_EL1 */
    else if (from == 0x4)
        offset = 0x000; /* EL1t */
    else
        offset = 0x400; /* EL0, AArch64 */
    write_sysreg(esr_el1, (uint64_t)ESR_IL);
    write_sysreg(elr_el1, r->pc);
    write_sysreg(spsr_el1, r->pstate);
    r->pstate = 0x3c5;
    r->pc = read_sysreg(vbar_el1) + offset;
}

static bool is_pmu(uint32_t key)
{
    if (OP0(key) != 3)
        return false;
    if (OP1(key) == 3 && CRN(key) == 9 && CRM(key) >= 12)
        return true; /* PMCR_EL0 ... PMOVSSET_EL0, PMUSERENR_EL0 */
    if (OP1(key) == 3 && CRN(key) == 14 && CRM(key) >= 8)
        return true; /* PMEVCNTR<n>, PMEVTYPER<n>, PMCCFILTR */
    return OP1(key) == 0 && CRN(key) == 9 && CRM(key) == 14; /* PMINTEN*, PMMIR_EL1 */
}

/* A trapped read or write: emulate it (true, the value in *val for reads) or refuse. */
static bool emulate(struct vcpu *v, uint32_t key, bool read, uint64_t *val)
{
    struct el1_sysregs *s = &v->arch.sys;

    if (OP0(key) == 3 && OP1(key) == 0 && CRN(key) == 0 && CRM(key) >= CPU_VIEW_CRM_FIRST &&
        CRM(key) <= CPU_VIEW_CRM_LAST) {
        if (!read)
            return false; /* ID registers are read-only */
        *val = v->part->arch.id_view[CRM(key) - 1][OP2(key)];
        return true;
    }
    if (is_pmu(key)) {
        log_once(v, key, read, "no PMU: reads as zero, writes ignored");
        *val = 0;
        return true;
    }
    switch (key) {
    case KEY(3, 0, 12, 11, 5): /* ICC_SGI1R_EL1 */
        if (read)
            return false;
        vgic_sgi(v, *val);
        return true;
    case KEY(2, 0, 1, 0, 4): /* OSLAR_EL1 */
        if (read)
            return false;
        s->oslk = *val & 1;
        write_sysreg(oslar_el1, s->oslk);
        return true;
    case KEY(2, 0, 1, 1, 4): /* OSLSR_EL1 */
        if (!read)
            return false;
        *val = OSLSR_OSLM_64 | (s->oslk ? OSLSR_OSLK : 0);
        return true;
    case KEY(2, 0, 1, 3, 4): /* OSDLR_EL1: no double lock (ID_AA64DFR0_EL1.DoubleLock) */
    case KEY(2, 0, 1, 4, 4): /* DBGPRCR_EL1: the CPU's power is not the partition's */
    case KEY(2, 0, 1, 0, 0): /* MDRAR_EL1: no memory-mapped debug */
        log_once(v, key, read, "reads as zero, writes ignored");
        *val = 0;
        return true;
    case KEY(3, 0, 1, 0, 1): /* ACTLR_EL1 */
        log_once(v, key, read, "implementation defined: reads as zero, writes ignored");
        *val = 0;
        return true;
    }
    return false;
}

void sysreg_trap(struct vcpu *v, uint64_t esr)
{
    uint32_t iss = esr & 0x1ffffff;
    uint32_t key = iss & KEY_MASK;
    unsigned rt = (iss >> 5) & 0x1f;
    bool read = iss & 1;
    uint64_t val = read ? 0 : vcpu_xreg(v, rt);

    if (emulate(v, key, read, &val)) {
        if (read)
            vcpu_set_xreg(v, rt, val);
        vcpu_skip_insn(v);
        return;
    }
    log_once(v, key, read, "not provided; undefined instruction injected");
    inject_undef(v);
}

/* A trapped instruction of a feature the partition is told it does not have. */
void feature_trap(struct vcpu *v, uint64_t esr, const char *feature)
{
    log_once(v, 0x80000000u | (uint32_t)ESR_EC(esr), true, feature);
    inject_undef(v);
}
