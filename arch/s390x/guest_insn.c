/* Instructions a pageable guest's SIE always intercepts (or that the hv asks to see), and
 * the program interruptions it must reflect. Operands are logical addresses, translated
 * through the guest's own DAT tables when it runs with DAT on (guest_dat.c). */
#include <string.h>

#include "ebcdic.h"
#include "hypercall.h"
#include "partition.h"
#include "s390_guest.h"

static unsigned insn_len(uint16_t ipa)
{
    unsigned op = ipa >> 8;
    return op < 0x40 ? 2 : op < 0xc0 ? 4 : 6;
}

static void stop(struct vm_exit *e, const char *what, uint64_t detail)
{
    e->reason = VM_EXIT_FAULT;
    e->fault.what = what;
    e->fault.has_addr = false;
    e->fault.syndrome = detail;
}

/* Second-operand address of an S or RS format instruction (base/displacement in the top
 * halfword of ipb), wrapped to the addressing mode. */
static uint64_t s_addr(const struct vcpu *v)
{
    uint32_t bd = v->arch.sie.ipb >> 16;
    unsigned b = bd >> 12;
    uint64_t a = (b ? v->arch.gprs[b] : 0) + (bd & 0xfff);
    uint64_t m = v->arch.sie.gpsw_mask;

    if (!(m & PSW_MASK_BA))
        return a & 0xffffff;
    if (!(m & PSW_MASK_EA))
        return a & 0x7fffffff;
    return a;
}

/* The base register of an S or RS format operand (its access register in AR mode). */
static unsigned s_base(const struct vcpu *v)
{
    return v->arch.sie.ipb >> 28;
}

/* A host pointer for an operand at a guest logical address (base register 'ar'), to be
 * fetched or stored, or NULL after reflecting the exception (or stopping the partition)
 * as 'e' says. */
static void *operand_ar(struct vcpu *v, struct vm_exit *e, uint64_t addr, uint64_t len,
                        uint64_t align, bool store, unsigned ar)
{
    unsigned ilen = insn_len(v->arch.sie.ipa);
    void *p;

    if (addr & (align - 1)) {
        s390_guest_program(v, PGM_SPECIFICATION, ilen);
        return NULL;
    }
    int r = s390_guest_logical(v, addr, len, store, ar, &p);
    if (r > 0)
        s390_guest_program(v, (uint16_t)r, ilen);
    else if (r == -1)
        stop(e, "intercepted instruction in access-register mode with an ALET other than "
                "0 or 1 (not supported)", ((uint64_t)v->arch.sie.ipa << 32) | v->arch.sie.ipb);
    else if (r == -2)
        stop(e, "intercepted instruction's operand spans two pages that are not adjacent in "
                "its real storage (not supported)", addr);
    return r ? NULL : p;
}

static void *operand(struct vcpu *v, struct vm_exit *e, uint64_t addr, uint64_t len,
                     uint64_t align, bool store)
{
    return operand_ar(v, e, addr, len, align, store, s_base(v));
}

/* STSI: the configuration as the partition sees it: level 3 (a virtual machine). */
static void stsi(struct vcpu *v, struct vm_exit *e)
{
    uint64_t *g = v->arch.gprs;
    unsigned fc = g[0] >> 28 & 0xf, sel1 = g[0] & 0xff, sel2 = g[1] & 0xffff;
    struct partition *p = v->part;

    if (fc == 0) {
        g[0] = (g[0] & ~0xf0000000ull) | 3ull << 28;
        s390_set_cc(v, 0);
        return;
    }
    bool known = (fc == 1 && sel1 == 1 && sel2 == 1) || (fc == 2 && sel1 == 2 && sel2 == 2) ||
                 (fc == 3 && sel1 == 2 && sel2 == 2);
    if (!known || (g[0] & 0x0fffff00) || (g[1] & 0xffff0000)) {
        s390_set_cc(v, 3);
        return;
    }
    uint8_t *b = operand(v, e, s_addr(v), 4096, 4096, true);
    if (!b)
        return;
    memset(b, 0, 4096);
    if (fc == 1) {              /* 1.1.1: the machine */
        static const char *const f[] = { "IBM", "2064", "", "HV" };
        static const unsigned off[] = { 32, 48, 52, 64 };
        for (unsigned k = 0; k < 4; k++)
            for (unsigned i = 0; i < 16; i++)
                b[off[k] + i] = ascii_to_ebcdic(i < strlen(f[k]) ? f[k][i] : ' ');
    } else if (fc == 2) {       /* 2.2.2: the partition's CPUs, as an LPAR would say */
        b[32] = 0;
        b[34] = b[35] = 0;
        b[36] = b[38] = (uint8_t)(p->nr_vcpus >> 8);
        b[37] = b[39] = (uint8_t)p->nr_vcpus;
        for (unsigned i = 0; i < 8; i++)
            b[40 + i] = ascii_to_ebcdic(i < strlen(p->label) ? p->label[i] : ' ');
    } else {                    /* 3.2.2: one level of virtual machine, this hypervisor */
        b[31] = 1;
        uint8_t *vm = b + 32;
        vm[4] = vm[6] = (uint8_t)(p->nr_vcpus >> 8);
        vm[5] = vm[7] = (uint8_t)p->nr_vcpus;
        for (unsigned i = 0; i < 8; i++) {
            char c = i < strlen(p->label) ? p->label[i] : ' ';
            vm[12 + i] = ascii_to_ebcdic(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
        }
        for (unsigned i = 0; i < 16; i++)
            vm[24 + i] = ascii_to_ebcdic(i < 2 ? "HV"[i] : ' ');
    }
    g[0] &= ~0xffffffffull;
    s390_set_cc(v, 0);
}

static void diag(struct vcpu *v, struct vm_exit *e)
{
    uint64_t *g = v->arch.gprs;
    uint16_t ipa = v->arch.sie.ipa;
    unsigned r3 = ipa & 0xf;
    unsigned code = (unsigned)(s_addr(v) & 0xffff);

    switch (code) {
    case 0x44:                  /* voluntary time-slice end */
    case 0x9c:                  /* directed yield */
        return;
    case 0x204:                 /* partition resource information (LPAR's): none here; */
        g[r3] = 4;              /* the subcode register says "not available" (Linux: */
        return;                 /* -EOPNOTSUPP), as a hypervisor without it answers */
    case 0x308:                 /* re-IPL: load clear / load normal */
        if (g[r3] == 3 || g[r3] == 4) {
            e->reason = VM_EXIT_POWER;
            e->power.op = POWER_SYSTEM_RESET;
            return;
        }
        break;
    case 0x500:                 /* KVM's virtio-ccw notify (subcode 3), the hv's own calls */
        if (g[1] == 3) {
            g[2] = (uint64_t)s390_css_notify(v, g[2], g[3] & 0xffff);
            return;
        }
        if ((g[1] & ~(uint64_t)HC_NR_MASK) == HC_BASE) {
            e->reason = VM_EXIT_HYPERCALL;
            e->hypercall.nr = g[1] & HC_NR_MASK;
            for (unsigned i = 0; i < HC_ARGS; i++)
                e->hypercall.arg[i] = g[2 + i];
            return;
        }
        break;
    }
    /* As a machine without the function: a specification exception, logged once per
     * code (bounded, in the list of unhandled instructions). */
    uint64_t key = 0x83000000ull | code;
    bool logged = false;
    for (unsigned i = 0; i < v->arch.nr_ipa_logged; i++)
        logged |= v->arch.ipa_logged[i] == key;
    if (!logged && v->arch.nr_ipa_logged < ARRAY_SIZE(v->arch.ipa_logged)) {
        v->arch.ipa_logged[v->arch.nr_ipa_logged++] = key;
        hv_log("partition '%s': vcpu %u: DIAG 0x%x is not provided (gpr1 0x%llx, pc 0x%llx); "
               "specification exception", v->part->label, v->index, code,
               (unsigned long long)g[1], (unsigned long long)v->arch.sie.gpsw_addr);
    }
    s390_guest_program(v, PGM_SPECIFICATION, 4);
}

void *s390_io_operand(struct vcpu *v, struct vm_exit *e, unsigned len, bool store)
{
    return operand(v, e, s_addr(v), len, 4, store);
}

static void chsc(struct vcpu *v, struct vm_exit *e)
{
    unsigned r1 = (v->arch.sie.ipb >> 20) & 0xf;
    uint16_t *req = operand_ar(v, e, v->arch.gprs[r1], 4096, 4096, true, r1);

    if (!req)
        return;
    uint16_t len = req[0];
    if (len < 16 || len > 4088 || (len & 7)) {
        s390_guest_program(v, PGM_SPECIFICATION, 4);
        return;
    }
    uint16_t *resp = (uint16_t *)((uint8_t *)req + len);
    resp[0] = 8;
    resp[1] = 0x0004;           /* command not supported: the guest derives what it needs */
    s390_set_cc(v, 0);
}

/* The facilities a partition is told about by STFL (Hercules' SIE intercepts it; STFLE
 * it interprets itself, from the machine's list): the machine's, less those that need a
 * hypervisor's help the hv does not give (each would be intercepted or misbehave). Of the
 * bits from 64 on only 66 (reset reference bits multiple) and 75 (access-exception
 * fetch/store indication) pass: the rest (runtime instrumentation, CPU measurement,
 * MSA 3/4 key wrapping without a crypto control block, vector, guarded storage ...) are
 * nothing the hv virtualizes. */
#define FAC_DWORDS 2
static uint64_t guest_facilities[FAC_DWORDS];
static bool facilities_known;

static void facility_off(unsigned nr)
{
    guest_facilities[nr / 64] &= ~(1ull << (63 - nr % 64));
}

static const uint64_t *facilities(void)
{
    if (!facilities_known) {
        register uint64_t r0 __asm__("0") = FAC_DWORDS - 1;
        uint64_t host[FAC_DWORDS] = { 0 };
        __asm__ volatile("stfle %0" : "=Q"(host), "+d"(r0) : : "cc", "memory");
        /* 73 (transactional execution) is bit 9 of the second doubleword: withheld below */
        guest_facilities[0] = host[0];
        guest_facilities[1] = host[1] & (1ull << (63 - 2) | 1ull << (63 - 11));
        facility_off(40);        /* load-program-parameter (LPP is not emulated) */
        facility_off(50);        /* constrained transactional execution */
        facility_off(28);        /* TOD-clock steering: PTFF is not emulated */
        facility_off(11);        /* configuration topology: PTF and STSI 15 are not */
        facilities_known = true;  /* the same value whoever computes it first */
    }
    return guest_facilities;
}

static void b2(struct vcpu *v, struct vm_exit *e)
{
    struct sie_block *sd = &v->arch.sie;
    uint64_t *g = v->arch.gprs;
    unsigned op2 = sd->ipa & 0xff;
    unsigned r1 = (sd->ipb >> 20) & 0xf, r2 = (sd->ipb >> 16) & 0xf;

    if (s390_css_insn(v, e, op2))
        return;
    switch (op2) {
    case 0x02: {                /* STIDP */
        uint64_t *id = operand(v, e, s_addr(v), 8, 8, true);
        if (id)
            *id = 0xff00000020640000ull | (uint64_t)(v->part->id << 4 | v->index) << 32;
        return;
    }
    case 0x04: {                /* SCK: the guest's TOD is its own */
        uint64_t *t = operand(v, e, s_addr(v), 8, 8, false);
        if (t) {
            sd->epoch = (int64_t)(*t - s390_tod());
            s390_set_cc(v, 0);
        }
        return;
    }
    case 0x10: {                /* SPX */
        uint32_t *px = operand(v, e, s_addr(v), 4, 4, false);
        if (!px)
            return;
        uint32_t prefix = *px & 0x7fffe000u;
        if ((uint64_t)prefix + LC_SIZE > v->part->mem.size) {
            s390_guest_program(v, PGM_ADDRESSING, 4);
            return;
        }
        sd->prefix = prefix;
        return;
    }
    case 0x11: {                /* STPX */
        uint32_t *px = operand(v, e, s_addr(v), 4, 4, true);
        if (px)
            *px = sd->prefix;
        return;
    }
    case 0x12: {                /* STAP */
        uint16_t *a = operand(v, e, s_addr(v), 2, 2, true);
        if (a)
            *a = (uint16_t)v->index;
        return;
    }
    case 0x14:                  /* SIE: no nested virtualization */
        s390_guest_program(v, PGM_OPERATION, 4);
        return;
    case 0x20: {                /* SERVC */
        int cc = s390_vsclp_servc(v, (uint32_t)g[r1], g[r2]);
        if (cc < 0)
            s390_guest_program(v, (uint16_t)-cc, 4);
        else
            s390_set_cc(v, (unsigned)cc);
        return;
    }
    case 0x29:                  /* ISKE: key 0, never referenced or changed */
        g[r1] &= ~0xffull;
        return;
    case 0x2a:                  /* RRBE */
        s390_set_cc(v, 0);
        return;
    case 0x2b:                  /* SSKE: keys are not kept */
        return;
    case 0x5f:                  /* CHSC */
        chsc(v, e);
        return;
    case 0x7d:                  /* STSI */
        stsi(v, e);
        return;
    case 0xb1: {                /* STFL: the first 32 facility bits, at real 0xc8 */
        uint32_t first = (uint32_t)(facilities()[0] >> 32);
        s390_guest_lc_write(v, LC_FACILITY_LIST, &first, 4);
        return;
    }
    }
    stop(e, "instruction the hv does not emulate", ((uint64_t)sd->ipa << 32) | sd->ipb);
}

/* PTFF: only "query available functions", which says that nothing else is available:
 * the guest's TOD is host TOD + its epoch, which it sets itself (SCK); there is no
 * steering to report. (Facility 28 is withheld as well.) */
static void ptff(struct vcpu *v, struct vm_exit *e)
{
    uint64_t *g = v->arch.gprs;
    unsigned fc = (unsigned)(g[0] & 0x7f);

    if (g[0] & 0x80) {
        s390_guest_program(v, PGM_SPECIFICATION, 2);
        return;
    }
    if (fc != 0) {
        s390_set_cc(v, 3);
        return;
    }
    uint8_t *mask = operand_ar(v, e, g[1], 16, 8, true, 1);
    if (!mask)
        return;
    memset(mask, 0, 16);
    mask[0] = 0x80;             /* function 0: QAF */
    s390_set_cc(v, 0);
}

/* PTF: the partition's CPUs are horizontally polarized and stay so; no topology change is
 * ever reported (STSI 15 is not offered either). */
static void ptf(struct vcpu *v)
{
    unsigned r1 = (v->arch.sie.ipb >> 20) & 0xf;
    uint64_t *g = v->arch.gprs;

    switch (g[r1] & 0xff) {
    case 0:                     /* request horizontal polarization: it already is */
        g[r1] = (g[r1] & ~0xff00ull) | 1ull << 8;
        s390_set_cc(v, 2);
        return;
    case 1:                     /* request vertical polarization: not offered */
        g[r1] = (g[r1] & ~0xff00ull) | 0ull << 8;
        s390_set_cc(v, 2);
        return;
    case 2:                     /* check topology-change status: none pending */
        s390_set_cc(v, 0);
        return;
    }
    s390_guest_program(v, PGM_SPECIFICATION, 4);
}

void s390_guest_insn(struct vcpu *v, struct vm_exit *e)
{
    struct sie_block *sd = &v->arch.sie;

    if (sd->ipa == 0x0104) {
        ptff(v, e);
        return;
    }
    if (sd->ipa == 0xb9a2) {
        ptf(v);
        return;
    }
    switch (sd->ipa >> 8) {
    case 0x83:
        diag(v, e);
        return;
    case 0xae:
        s390_sigp(v, e, (sd->ipa >> 4) & 0xf, sd->ipa & 0xf, (unsigned)(s_addr(v) & 0xff));
        return;
    case 0xb2:
        b2(v, e);
        return;
    }
    stop(e, "instruction the hv does not emulate", ((uint64_t)sd->ipa << 32) | sd->ipb);
}

/* The program interruptions SIE leaves to the host: reflected, as the architecture would
 * present them (the PSW is already the old PSW). Protection carries its TEID. */
void s390_guest_program_check(struct vcpu *v, struct vm_exit *e, uint16_t code)
{
    struct sie_block *sd = &v->arch.sie;
    (void)e;
    if ((code & 0x7f) == PGM_PROTECTION)
        s390_guest_lc_write(v, LC_TRANS_EXC_ID, &sd->tecmc, 8);
    s390_guest_program(v, code, sd->pgmilc & 0x6);
}
