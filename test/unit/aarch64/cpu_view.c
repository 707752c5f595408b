/* The ID registers a partition sees: every 4-bit field of every AArch64 ID register, for a
 * physical CPU that has everything (all ones) and for one that has nothing (all zeros),
 * against the table below, which states what the hv handles (README: the guest's CPU). */
#include <stdio.h>

#include "cpu_view.h"
#include "unit.h"

/* A field that does not read as 0 for an all-ones CPU, and what it reads then and for an
 * all-zero CPU. Fields not listed must read 0 in both cases. */
struct want {
    const char *reg, *field;
    unsigned crm, op2, shift;
    unsigned if_all, if_none;
};

static const struct want wants[] = {
    { "ID_AA64PFR0_EL1", "EL0 (AArch64 only)", 4, 0, 0, 1, 1 },
    { "ID_AA64PFR0_EL1", "EL1 (AArch64 only)", 4, 0, 4, 1, 1 },
    { "ID_AA64PFR0_EL1", "FP", 4, 0, 16, 0xf, 0 },
    { "ID_AA64PFR0_EL1", "AdvSIMD", 4, 0, 20, 0xf, 0 },
    { "ID_AA64PFR0_EL1", "GIC (system registers)", 4, 0, 24, 1, 1 },
    { "ID_AA64PFR0_EL1", "DIT", 4, 0, 48, 0xf, 0 },
    { "ID_AA64PFR0_EL1", "CSV2 (no SCXTNUM)", 4, 0, 56, 1, 0 },
    { "ID_AA64PFR0_EL1", "CSV3", 4, 0, 60, 0xf, 0 },
    { "ID_AA64PFR1_EL1", "BT", 4, 1, 0, 0xf, 0 },
    { "ID_AA64PFR1_EL1", "SSBS", 4, 1, 4, 0xf, 0 },
    { "ID_AA64PFR1_EL1", "CSV2_frac", 4, 1, 32, 1, 0 },
    { "ID_AA64DFR0_EL1", "DebugVer (v8.0)", 5, 0, 0, 6, 0 },
    { "ID_AA64DFR0_EL1", "BRPs", 5, 0, 12, 0xf, 0 },
    { "ID_AA64DFR0_EL1", "WRPs", 5, 0, 20, 0xf, 0 },
    { "ID_AA64DFR0_EL1", "CTX_CMPs", 5, 0, 28, 0xf, 0 },
    { "ID_AA64DFR0_EL1", "DoubleLock (absent)", 5, 0, 36, 0xf, 0xf },
    { "ID_AA64ISAR0_EL1", "AES", 6, 0, 4, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "SHA1", 6, 0, 8, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "SHA2", 6, 0, 12, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "CRC32", 6, 0, 16, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "Atomic", 6, 0, 20, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "RDM", 6, 0, 28, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "SHA3", 6, 0, 32, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "SM3", 6, 0, 36, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "SM4", 6, 0, 40, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "DP", 6, 0, 44, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "FHM", 6, 0, 48, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "TS", 6, 0, 52, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "TLB", 6, 0, 56, 0xf, 0 },
    { "ID_AA64ISAR0_EL1", "RNDR", 6, 0, 60, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "DPB", 6, 1, 0, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "JSCVT", 6, 1, 12, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "FCMA", 6, 1, 16, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "LRCPC", 6, 1, 20, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "FRINTTS", 6, 1, 32, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "SB", 6, 1, 36, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "SPECRES", 6, 1, 40, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "BF16", 6, 1, 44, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "DGH", 6, 1, 48, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "I8MM", 6, 1, 52, 0xf, 0 },
    { "ID_AA64ISAR1_EL1", "XS", 6, 1, 56, 0xf, 0 },
    { "ID_AA64ISAR2_EL1", "RPRES", 6, 2, 4, 0xf, 0 },
    { "ID_AA64ISAR2_EL1", "BC", 6, 2, 20, 0xf, 0 },
    { "ID_AA64ISAR2_EL1", "CLRBHB", 6, 2, 28, 0xf, 0 },
    { "ID_AA64MMFR0_EL1", "PARange (32 bits)", 7, 0, 0, 0, 0 },
    { "ID_AA64MMFR0_EL1", "ASIDBits", 7, 0, 4, 0xf, 0 },
    { "ID_AA64MMFR0_EL1", "BigEnd", 7, 0, 8, 0xf, 0 },
    { "ID_AA64MMFR0_EL1", "SNSMem", 7, 0, 12, 0xf, 0 },
    { "ID_AA64MMFR0_EL1", "BigEndEL0", 7, 0, 16, 0xf, 0 },
    { "ID_AA64MMFR0_EL1", "TGran16", 7, 0, 20, 0xf, 0 },
    { "ID_AA64MMFR0_EL1", "TGran64", 7, 0, 24, 0xf, 0 },
    { "ID_AA64MMFR0_EL1", "TGran4", 7, 0, 28, 0xf, 0 },
    { "ID_AA64MMFR0_EL1", "TGran16_2 (no stage 2)", 7, 0, 32, 1, 1 },
    { "ID_AA64MMFR0_EL1", "TGran64_2 (no stage 2)", 7, 0, 36, 1, 1 },
    { "ID_AA64MMFR0_EL1", "TGran4_2 (no stage 2)", 7, 0, 40, 1, 1 },
    { "ID_AA64MMFR0_EL1", "ExS", 7, 0, 44, 0xf, 0 },
    { "ID_AA64MMFR0_EL1", "ECV (no CNTPOFF)", 7, 0, 60, 1, 0 },
    { "ID_AA64MMFR1_EL1", "HAFDBS", 7, 1, 0, 0xf, 0 },
    { "ID_AA64MMFR1_EL1", "HPDS", 7, 1, 12, 0xf, 0 },
    { "ID_AA64MMFR1_EL1", "PAN", 7, 1, 20, 0xf, 0 },
    { "ID_AA64MMFR1_EL1", "ETS", 7, 1, 36, 0xf, 0 },
    { "ID_AA64MMFR1_EL1", "AFP", 7, 1, 44, 0xf, 0 },
    { "ID_AA64MMFR1_EL1", "nTLBPA", 7, 1, 48, 0xf, 0 },
    { "ID_AA64MMFR1_EL1", "TIDCP1", 7, 1, 52, 0xf, 0 },
    { "ID_AA64MMFR1_EL1", "CMOW", 7, 1, 56, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "CnP", 7, 2, 0, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "UAO", 7, 2, 4, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "LSM", 7, 2, 8, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "IESB", 7, 2, 12, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "VARange", 7, 2, 16, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "CCIDX", 7, 2, 20, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "ST", 7, 2, 28, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "AT", 7, 2, 32, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "TTL", 7, 2, 48, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "BBM", 7, 2, 52, 0xf, 0 },
    { "ID_AA64MMFR2_EL1", "E0PD", 7, 2, 60, 0xf, 0 },
};

/* Fields that must read as absent (0) whatever the CPU has: a sample of what is hidden,
 * named so a failure says what leaked. */
static const struct want hidden[] = {
    { "ID_AA64PFR0_EL1", "EL2", 4, 0, 8, 0, 0 },
    { "ID_AA64PFR0_EL1", "EL3", 4, 0, 12, 0, 0 },
    { "ID_AA64PFR0_EL1", "RAS", 4, 0, 28, 0, 0 },
    { "ID_AA64PFR0_EL1", "SVE", 4, 0, 32, 0, 0 },
    { "ID_AA64PFR0_EL1", "AMU", 4, 0, 44, 0, 0 },
    { "ID_AA64PFR1_EL1", "MTE", 4, 1, 8, 0, 0 },
    { "ID_AA64PFR1_EL1", "SME", 4, 1, 24, 0, 0 },
    { "ID_AA64DFR0_EL1", "TraceVer", 5, 0, 4, 0, 0 },
    { "ID_AA64DFR0_EL1", "PMUVer", 5, 0, 8, 0, 0 },
    { "ID_AA64DFR0_EL1", "PMSVer (SPE)", 5, 0, 32, 0, 0 },
    { "ID_AA64DFR0_EL1", "TraceBuffer", 5, 0, 44, 0, 0 },
    { "ID_AA64ISAR0_EL1", "TME", 6, 0, 24, 0, 0 },
    { "ID_AA64ISAR1_EL1", "APA", 6, 1, 4, 0, 0 },
    { "ID_AA64ISAR1_EL1", "API", 6, 1, 8, 0, 0 },
    { "ID_AA64ISAR1_EL1", "LS64", 6, 1, 60, 0, 0 },
    { "ID_AA64ISAR2_EL1", "WFxT", 6, 2, 0, 0, 0 },
    { "ID_AA64ISAR2_EL1", "MOPS", 6, 2, 16, 0, 0 },
    { "ID_AA64MMFR0_EL1", "FGT", 7, 0, 56, 0, 0 },
    { "ID_AA64MMFR1_EL1", "VH", 7, 1, 8, 0, 0 },
    { "ID_AA64MMFR1_EL1", "LO", 7, 1, 16, 0, 0 },
    { "ID_AA64MMFR2_EL1", "NV", 7, 2, 24, 0, 0 },
    { "ID_PFR0_EL1 (AArch32)", "State0", 1, 0, 0, 0, 0 },
    { "MVFR0_EL1 (AArch32)", "SIMDReg", 3, 0, 0, 0, 0 },
};

static const struct want *find(unsigned crm, unsigned op2, unsigned shift)
{
    for (unsigned i = 0; i < sizeof(wants) / sizeof(wants[0]); i++)
        if (wants[i].crm == crm && wants[i].op2 == op2 && wants[i].shift == shift)
            return &wants[i];
    return NULL;
}

int main(void)
{
    for (unsigned i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
        const struct want *h = &hidden[i];
        unsigned v = (cpu_view_id(h->crm, h->op2, ~0ull) >> h->shift) & 0xf;
        CHECK(v == 0, "%s.%s reads %u on a CPU that has it: must be hidden", h->reg, h->field, v);
    }
    for (unsigned crm = CPU_VIEW_CRM_FIRST; crm <= CPU_VIEW_CRM_LAST; crm++)
        for (unsigned op2 = 0; op2 < 8; op2++)
            for (unsigned shift = 0; shift < 64; shift += 4) {
                const struct want *w = find(crm, op2, shift);
                unsigned all = (cpu_view_id(crm, op2, ~0ull) >> shift) & 0xf;
                unsigned none = (cpu_view_id(crm, op2, 0) >> shift) & 0xf;
                unsigned want_all = w ? w->if_all : 0, want_none = w ? w->if_none : 0;
                CHECK(all == want_all, "CRm %u op2 %u bits %u-%u (%s %s): %u on an all-ones CPU, want %u",
                      crm, op2, shift, shift + 3, w ? w->reg : "unlisted", w ? w->field : "field",
                      all, want_all);
                CHECK(none == want_none, "CRm %u op2 %u bits %u-%u (%s %s): %u on an all-zero CPU, want %u",
                      crm, op2, shift, shift + 3, w ? w->reg : "unlisted", w ? w->field : "field",
                      none, want_none);
            }
    /* Caps take the lower of the two: a CPU with DebugVer v8.0 and ECV 0 keeps them. */
    CHECK(((cpu_view_id(5, 0, 0x6) >> 0) & 0xf) == 6, "DebugVer 6 kept");
    CHECK(((cpu_view_id(4, 0, 1ull << 56) >> 56) & 0xf) == 1, "CSV2 1 kept");
    return unit_finish("unit-aarch64-cpu_view");
}
