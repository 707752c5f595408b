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
    }
    stop(e, "instruction the hv does not emulate", ((uint64_t)sd->ipa << 32) | sd->ipb);
}

void s390_guest_insn(struct vcpu *v, struct vm_exit *e)
{
    struct sie_block *sd = &v->arch.sie;

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
