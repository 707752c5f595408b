/* A guest's own dynamic address translation, for the operands of the instructions the hv
 * emulates: logical -> real through the guest's region, segment and page tables (the
 * address space its PSW selects), then real -> absolute by prefixing. DAT tables are read
 * at absolute addresses, as KVM reads them; EDAT-1 segment frames and EDAT-2 region-third
 * frames are honoured when the guest enabled EDAT in CR0. */
#include "partition.h"
#include "s390_guest.h"

#define ASCE_ORIGIN  (~0xfffull)
#define ASCE_R       0x20ull         /* real space: no translation */
#define ASCE_DT(a)   ((unsigned)((a) >> 2) & 3)
#define ASCE_TL(a)   ((unsigned)(a) & 3)
#define RTE_I        0x20ull
#define RTE_TT(e)    ((unsigned)((e) >> 2) & 3)
#define RTE_TF(e)    ((unsigned)((e) >> 6) & 3)
#define RTE_TL(e)    ((unsigned)(e) & 3)
#define RTTE_FC      0x400ull        /* EDAT-2: a 2 GiB frame */
#define STE_I        0x20ull
#define STE_FC       0x400ull        /* EDAT-1: a 1 MiB frame */
#define STE_P        0x200ull
#define STE_TT(e)    ((unsigned)((e) >> 2) & 3)
#define PTE_I        0x400ull
#define PTE_P        0x200ull
#define CR0_EDAT     (1ull << 23)

#define PGM_SEGMENT_TRANS  0x10
#define PGM_PAGE_TRANS     0x11
#define PGM_TRANSLATION_SPEC 0x12
#define PGM_ASCE_TYPE      0x38
#define PGM_REGION_FIRST   0x39
#define PGM_REGION_SECOND  0x3a
#define PGM_REGION_THIRD   0x3b
#define LC_TEID            0xa8

/* An 8-byte table entry at an absolute address, or false if it is outside storage. */
static bool entry_at(struct vcpu *v, uint64_t abs, uint64_t *out)
{
    const uint64_t *e = guest_ptr(&v->part->mem, v->part->mem.base + abs, 8);

    if (!e)
        return false;
    *out = *e;
    return true;
}

/* The translation-exception identification: the page's address and the space. */
static int translation_exception(struct vcpu *v, uint64_t la, unsigned as, int code)
{
    uint64_t teid = (la & ~0xfffull) | as;
    s390_guest_lc_write(v, LC_TEID, &teid, 8);
    return code;
}

/* Logical -> real for one byte's page; 0, or a program interruption code (>0). */
static int translate(struct vcpu *v, uint64_t asce, unsigned as, uint64_t la, bool store,
                     uint64_t *real)
{
    uint64_t cr0 = v->arch.sie.gcr[0], origin = asce & ASCE_ORIGIN, e;
    bool edat = cr0 & CR0_EDAT, prot = false;
    unsigned level = ASCE_DT(asce), tl = ASCE_TL(asce), tf = 0;
    static const int region_exc[4] = { PGM_SEGMENT_TRANS, PGM_REGION_THIRD,
                                        PGM_REGION_SECOND, PGM_REGION_FIRST };

    if (asce & ASCE_R) {
        *real = la;
        return 0;
    }
    /* An address above what the designated top table can reach: ASCE-type exception. */
    if (level < 3 && (la >> (31 + 11 * level)) != 0)
        return translation_exception(v, la, as, PGM_ASCE_TYPE);
    /* Region tables (level 3..1), then the segment table (level 0). */
    for (; level > 0; level--) {
        unsigned shift = 31 + 11 * (level - 1);
        uint64_t idx = la >> shift & 0x7ff;
        if ((idx >> 9) < tf || (idx >> 9) > tl)
            return translation_exception(v, la, as, region_exc[level]);
        if (!entry_at(v, origin + idx * 8, &e))
            return PGM_ADDRESSING;
        if (e & RTE_I)
            return translation_exception(v, la, as, region_exc[level]);
        if (RTE_TT(e) != level)
            return PGM_TRANSLATION_SPEC;
        if (level == 1 && edat && (e & RTTE_FC)) {     /* a 2 GiB frame */
            prot |= e & STE_P;
            if (store && prot)
                return translation_exception(v, la, as, PGM_PROTECTION);
            *real = (e & ~0x7fffffffull) | (la & 0x7fffffffull);
            return 0;
        }
        prot |= e & STE_P;       /* region-table protection: the same bit (EDAT-2) */
        origin = e & ASCE_ORIGIN;
        tf = RTE_TF(e);
        tl = RTE_TL(e);
    }
    uint64_t sx = la >> 20 & 0x7ff;
    if ((sx >> 9) < tf || (sx >> 9) > tl)
        return translation_exception(v, la, as, PGM_SEGMENT_TRANS);
    if (!entry_at(v, origin + sx * 8, &e))
        return PGM_ADDRESSING;
    if (e & STE_I)
        return translation_exception(v, la, as, PGM_SEGMENT_TRANS);
    if (STE_TT(e) != 0)
        return PGM_TRANSLATION_SPEC;
    prot |= e & STE_P;
    if (edat && (e & STE_FC)) {                         /* a 1 MiB frame */
        if (store && prot)
            return translation_exception(v, la, as, PGM_PROTECTION);
        *real = (e & ~0xfffffull) | (la & 0xfffffull);
        return 0;
    }
    if (!entry_at(v, (e & ~0x7ffull) + (la >> 12 & 0xff) * 8, &e))
        return PGM_ADDRESSING;
    if (e & PTE_I)
        return translation_exception(v, la, as, PGM_PAGE_TRANS);
    if (store && (prot || (e & PTE_P)))
        return translation_exception(v, la, as, PGM_PROTECTION);
    *real = (e & ~0xfffull) | (la & 0xfff);
    return 0;
}

int s390_guest_logical(struct vcpu *v, uint64_t la, uint64_t len, bool store, unsigned ar,
                       void **out)
{
    const struct sie_block *sd = &v->arch.sie;
    unsigned as = (unsigned)(sd->gpsw_mask >> 46) & 3;
    uint64_t asce, first, last;
    int r;

    *out = NULL;
    if (!(sd->gpsw_mask & PSW_MASK_DAT)) {
        *out = s390_guest_real(v, la, len);
        return *out ? 0 : PGM_ADDRESSING;
    }
    switch (as) {
    case 0: asce = sd->gcr[1]; break;                   /* primary */
    case 1:                                             /* access-register mode */
        if (v->arch.acrs[ar] > 1)
            return -1;                                  /* ALET translation: not emulated */
        asce = v->arch.acrs[ar] ? sd->gcr[7] : sd->gcr[1];
        break;
    case 2: asce = sd->gcr[7]; break;                   /* secondary */
    default: asce = sd->gcr[13]; break;                 /* home */
    }
    if ((r = translate(v, asce, as, la, store, &first)) != 0)
        return r;
    if ((la & 0xfff) + len <= 4096) {
        *out = s390_guest_real(v, first, len);
        return *out ? 0 : PGM_ADDRESSING;
    }
    /* An operand across a page boundary: its pages must be adjacent in real storage for
     * one host pointer to cover it (the guest's tables could say otherwise). */
    if ((r = translate(v, asce, as, la + len - 1, store, &last)) != 0)
        return r;
    if (last - first != len - 1)
        return -2;
    *out = s390_guest_real(v, first, len);
    return *out ? 0 : PGM_ADDRESSING;
}
