/* The ID registers a partition sees (see cpu_view.h). A field is listed only if the hv
 * handles what it announces for a partition: state it switches per vcpu (FP/SIMD, EL1
 * registers, breakpoints and watchpoints), instructions with no state of their own, the
 * GICv3 CPU interface it virtualizes. Everything else is hidden: the PMU (no vPMU; its
 * registers read as zero), SPE, trace and TRBE, AMU, MTE, SVE and SME (their state is not
 * switched), RAS, MPAM, pointer authentication (keys not switched), EL2 and EL3 (the
 * partition has neither), AArch32 (EL0 and EL1 are AArch64 only), WFET/WFIT, MOPS, LS64,
 * TME, NMI. An unlisted field reads 0, the "not implemented" value of every unsigned
 * field; the few whose absence is another value are set to it. */
#include "cpu_view.h"

enum how { KEEP, CAP, SET };

struct field {
    uint8_t crm, op2, shift;
    uint8_t how;
    uint8_t val;   /* CAP: at most this; SET: exactly this */
};

#define F(crm, op2, shift, how, val) { crm, op2, shift, how, val }

static const struct field fields[] = {
    /* ID_AA64PFR0_EL1 */
    F(4, 0, 0, SET, 1),      /* EL0: AArch64 only */
    F(4, 0, 4, SET, 1),      /* EL1: AArch64 only (HCR_EL2.RW) */
    F(4, 0, 16, KEEP, 0),    /* FP (switched lazily) */
    F(4, 0, 20, KEEP, 0),    /* AdvSIMD */
    F(4, 0, 24, SET, 1),     /* GIC: system register interface (ICV_*, virtualized) */
    F(4, 0, 48, KEEP, 0),    /* DIT (PSTATE, saved in SPSR_EL2) */
    F(4, 0, 56, CAP, 1),     /* CSV2: not 2, which implies SCXTNUM_ELx (trapped, not offered) */
    F(4, 0, 60, KEEP, 0),    /* CSV3 */
    /* ID_AA64PFR1_EL1 */
    F(4, 1, 0, KEEP, 0),     /* BT (SCTLR_EL1, PSTATE.BTYPE) */
    F(4, 1, 4, KEEP, 0),     /* SSBS (PSTATE) */
    F(4, 1, 32, CAP, 1),     /* CSV2_frac: without SCXTNUM_ELx */
    /* ID_AA64DFR0_EL1 */
    F(5, 0, 0, CAP, 6),      /* DebugVer: the Armv8.0 debug architecture the hv switches */
    F(5, 0, 12, KEEP, 0),    /* BRPs (every one switched) */
    F(5, 0, 20, KEEP, 0),    /* WRPs */
    F(5, 0, 28, KEEP, 0),    /* CTX_CMPs (CONTEXTIDR_EL1 is switched) */
    F(5, 0, 36, SET, 0xf),   /* DoubleLock: not implemented (OSDLR_EL1 reads as zero) */
    /* ID_AA64ISAR0_EL1: instructions without state; not TME */
    F(6, 0, 4, KEEP, 0), F(6, 0, 8, KEEP, 0), F(6, 0, 12, KEEP, 0), F(6, 0, 16, KEEP, 0),
    F(6, 0, 20, KEEP, 0), F(6, 0, 28, KEEP, 0), F(6, 0, 32, KEEP, 0), F(6, 0, 36, KEEP, 0),
    F(6, 0, 40, KEEP, 0), F(6, 0, 44, KEEP, 0), F(6, 0, 48, KEEP, 0), F(6, 0, 52, KEEP, 0),
    F(6, 0, 56, KEEP, 0), F(6, 0, 60, KEEP, 0),
    /* ID_AA64ISAR1_EL1: DPB, JSCVT, FCMA, LRCPC, FRINTTS, SB, SPECRES, BF16, DGH, I8MM, XS;
     * not APA/API/GPA/GPI (pointer authentication), not LS64 */
    F(6, 1, 0, KEEP, 0), F(6, 1, 12, KEEP, 0), F(6, 1, 16, KEEP, 0), F(6, 1, 20, KEEP, 0),
    F(6, 1, 32, KEEP, 0), F(6, 1, 36, KEEP, 0), F(6, 1, 40, KEEP, 0), F(6, 1, 44, KEEP, 0),
    F(6, 1, 48, KEEP, 0), F(6, 1, 52, KEEP, 0), F(6, 1, 56, KEEP, 0),
    /* ID_AA64ISAR2_EL1: RPRES, BC, CLRBHB; not WFxT, GPA3/APA3, MOPS, PAC_frac */
    F(6, 2, 4, KEEP, 0), F(6, 2, 20, KEEP, 0), F(6, 2, 28, KEEP, 0),
    /* ID_AA64MMFR0_EL1 */
    F(7, 0, 0, SET, 0),      /* PARange: 32 bits, the stage 2 input size (VTCR_EL2.T0SZ) */
    F(7, 0, 4, KEEP, 0),     /* ASIDBits */
    F(7, 0, 8, KEEP, 0),     /* BigEnd */
    F(7, 0, 12, KEEP, 0),    /* SNSMem */
    F(7, 0, 16, KEEP, 0),    /* BigEndEL0 */
    F(7, 0, 20, KEEP, 0),    /* TGran16 */
    F(7, 0, 24, KEEP, 0),    /* TGran64 (0 = supported) */
    F(7, 0, 28, KEEP, 0),    /* TGran4 (0 = supported) */
    F(7, 0, 32, SET, 1),     /* TGran16_2, TGran64_2, TGran4_2: no stage 2 of its own */
    F(7, 0, 36, SET, 1),
    F(7, 0, 40, SET, 1),
    F(7, 0, 44, KEEP, 0),    /* ExS (SCTLR_EL1.EIS/EOS) */
    F(7, 0, 60, CAP, 1),     /* ECV: the self-synchronised counter views, not CNTPOFF */
    /* ID_AA64MMFR1_EL1: HAFDBS, HPDS, PAN, ETS, AFP, nTLBPA, TIDCP1, CMOW; not VMIDBits,
     * VH, LO, SpecSEI, XNX, TWED, HCX */
    F(7, 1, 0, KEEP, 0), F(7, 1, 12, KEEP, 0), F(7, 1, 20, KEEP, 0), F(7, 1, 36, KEEP, 0),
    F(7, 1, 44, KEEP, 0), F(7, 1, 48, KEEP, 0), F(7, 1, 52, KEEP, 0), F(7, 1, 56, KEEP, 0),
    /* ID_AA64MMFR2_EL1: CnP, UAO, LSM, IESB, VARange, CCIDX, ST, AT, TTL, BBM, E0PD; not
     * NV, IDS, FWB, EVT */
    F(7, 2, 0, KEEP, 0), F(7, 2, 4, KEEP, 0), F(7, 2, 8, KEEP, 0), F(7, 2, 12, KEEP, 0),
    F(7, 2, 16, KEEP, 0), F(7, 2, 20, KEEP, 0), F(7, 2, 28, KEEP, 0), F(7, 2, 32, KEEP, 0),
    F(7, 2, 48, KEEP, 0), F(7, 2, 52, KEEP, 0), F(7, 2, 60, KEEP, 0),
};

uint64_t cpu_view_id(unsigned crm, unsigned op2, uint64_t hw)
{
    uint64_t out = 0;

    for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const struct field *f = &fields[i];
        if (f->crm != crm || f->op2 != op2)
            continue;
        uint64_t v = (hw >> f->shift) & 0xf;
        if (f->how == SET || (f->how == CAP && v > f->val))
            v = f->val;
        out |= v << f->shift;
    }
    return out;
}
