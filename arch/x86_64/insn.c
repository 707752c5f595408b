/* Guest page walk, instruction fetch and MOV decoding for MMIO emulation; see insn.h.
 * Encodings per the Intel SDM vol. 2 (ModRM/SIB tables 2-1..2-3, opcode map)
 * and vol. 3 chapter 4 (paging). */
#include "insn.h"

#include <string.h>

#define CR0_PG    (1ull << 31)
#define CR4_PSE   (1ull << 4)
#define CR4_PAE   (1ull << 5)
#define CR4_LA57  (1ull << 12)
#define EFER_LMA  (1ull << 10)

#define PTE_P     (1ull << 0)
#define PTE_PS    (1ull << 7)
#define PTE_ADDR  0x000ffffffffff000ull     /* bits 51:12 of a PAE / long-mode entry */
#define PTE32_ADDR 0xfffff000ull            /* 32-bit paging entry */

/* Little-endian bytes to a value: entries and immediates alike. */
static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    while (n--)
        v = v << 8 | p[n];
    return v;
}

int insn_gva_to_gpa(const struct insn_paging *pg, insn_read_gpa_fn read_gpa, void *ctx,
                    uint64_t gva, uint64_t *gpa)
{
    unsigned shift, bits, esz;              /* shift: lowest linear bit this level indexes */
    uint64_t table, e, mask;
    uint8_t raw[8];

    if (!(pg->cr0 & CR0_PG)) {
        *gpa = (uint32_t)gva;               /* no paging means no long mode: 32-bit linear */
        return 0;
    }
    if (!(pg->cr4 & CR4_PAE)) {             /* 32-bit paging: 10 + 10 + 12 */
        gva = (uint32_t)gva;
        esz = 4, bits = 10, shift = 22, mask = PTE32_ADDR;
        table = pg->cr3 & PTE32_ADDR;
    } else if (!(pg->efer & EFER_LMA)) {    /* PAE: 2 (PDPTE) + 9 + 9 + 12 */
        gva = (uint32_t)gva;
        if (read_gpa(ctx, (pg->cr3 & 0xffffffe0u) + (gva >> 30) * 8, raw, 8) < 0)
            return INSN_ERR_GPA;
        e = le(raw, 8);
        if (!(e & PTE_P))
            return INSN_ERR_NOT_PRESENT;
        esz = 8, bits = 9, shift = 21, mask = PTE_ADDR;
        table = e & PTE_ADDR;
    } else {                                /* 4- or 5-level: 9 bits per level */
        esz = 8, bits = 9, mask = PTE_ADDR;
        shift = (pg->cr4 & CR4_LA57) ? 48 : 39;
        table = pg->cr3 & PTE_ADDR;
    }

    for (;;) {
        uint64_t idx = (gva >> shift) & ((1u << bits) - 1);

        if (read_gpa(ctx, table + idx * esz, raw, esz) < 0)
            return INSN_ERR_GPA;
        e = le(raw, esz);
        if (!(e & PTE_P))
            return INSN_ERR_NOT_PRESENT;
        if (shift == 12) {
            *gpa = (e & mask) | (gva & 0xfff);
            return 0;
        }
        if (e & PTE_PS) {
            uint64_t off = gva & ((1ull << shift) - 1);

            if (esz == 4) {
                /* 4 MiB page only with CR4.PSE (else PS is ignored); PSE-36 puts
                 * physical bits 39:32 in PDE bits 20:13. */
                if (pg->cr4 & CR4_PSE) {
                    *gpa = (e & 0xffc00000u) | ((e >> 13) & 0xff) << 32 | off;
                    return 0;
                }
            } else {
                if (shift > 30)             /* no 512 GiB pages */
                    return INSN_ERR_RESERVED;
                /* 2 MiB / 1 GiB: bit 12 is PAT here, cleared by the alignment mask */
                *gpa = (e & PTE_ADDR & ~((1ull << shift) - 1)) | off;
                return 0;
            }
        }
        table = e & mask;
        shift -= bits;
    }
}

int insn_fetch(const struct insn_paging *pg, insn_read_gpa_fn read_gpa, void *ctx,
               uint64_t la, uint8_t buf[INSN_MAX_LEN])
{
    unsigned got = 0;

    /* Page by page: consecutive linear pages need not be consecutive in guest RAM. */
    while (got < INSN_MAX_LEN) {
        uint64_t a = la + got, gpa;
        unsigned n = 4096 - (unsigned)(a & 0xfff);
        int r;

        if (n > INSN_MAX_LEN - got)
            n = INSN_MAX_LEN - got;
        r = insn_gva_to_gpa(pg, read_gpa, ctx, a, &gpa);
        if (r == 0 && read_gpa(ctx, gpa, buf + got, n) < 0)
            r = INSN_ERR_GPA;
        if (r < 0)
            return got ? (int)got : r;
        got += n;
    }
    return (int)got;
}

/* 0 if bytes [i, i+k) exist and stay within the 15-byte limit. */
static int need(unsigned i, unsigned k, size_t n)
{
    if (i + k > INSN_MAX_LEN)
        return INSN_ERR_TOO_LONG;
    return i + k > n ? INSN_ERR_TRUNCATED : 0;
}

int insn_decode(struct insn *in, const uint8_t *b, size_t n, enum insn_mode mode)
{
    unsigned i, op, rex = 0, osz, asz, modrm, rm, disp, immsz = 0;
    bool p66 = false, p67 = false, byte_reg = false;
    int r;

    memset(in, 0, sizeof(*in));
    for (i = 0;; i++) {
        if ((r = need(i, 1, n)))
            return r;
        op = b[i];
        if (op == 0x66)
            p66 = true;
        else if (op == 0x67)
            p67 = true;
        else if (op == 0x26 || op == 0x2e || op == 0x36 || op == 0x3e || op == 0x64 || op == 0x65)
            ;                               /* segment: the exit already has the address */
        else if (op == 0xf0 || op == 0xf2 || op == 0xf3)
            return INSN_ERR_PREFIX;
        else if (mode == INSN_MODE64 && (op & 0xf0) == 0x40) {
            rex = op;                       /* outside 64-bit mode these are INC/DEC */
            continue;
        } else
            break;
        rex = 0;                            /* REX counts only right before the opcode */
    }
    i++;

    if (rex & 8)
        osz = 8;                            /* REX.W beats 66 */
    else
        osz = (mode == INSN_MODE16) != p66 ? 2 : 4;
    if (mode == INSN_MODE64)
        asz = p67 ? 4 : 8;
    else
        asz = (mode == INSN_MODE16) != p67 ? 2 : 4;

    switch (op) {
    case 0xa0: case 0xa1: case 0xa2: case 0xa3:    /* AL/eAX <-> [moffs] */
        in->size = in->dst_size = (op & 1) ? osz : 1;
        in->write = op & 2;
        if ((r = need(i, asz, n)))
            return r;
        in->len = i + asz;
        return 0;
    case 0x88: case 0x8a:
        byte_reg = true;
        in->size = 1;
        break;
    case 0x89: case 0x8b:
        in->size = osz;
        break;
    case 0xc6:
        in->size = 1, immsz = 1;
        break;
    case 0xc7:
        in->size = osz, immsz = osz == 2 ? 2 : 4;
        break;
    case 0x0f:
        if ((r = need(i, 1, n)))
            return r;
        op = 0x0f00 | b[i++];
        if (op != 0x0fb6 && op != 0x0fb7 && op != 0x0fbe && op != 0x0fbf)
            return INSN_ERR_OPCODE;
        in->size = (op & 1) ? 2 : 1;
        in->ext = (op & 8) ? INSN_EXT_SIGN : INSN_EXT_ZERO;
        break;
    default:
        return INSN_ERR_OPCODE;
    }
    in->write = op == 0x88 || op == 0x89 || op == 0xc6 || op == 0xc7;
    in->has_imm = immsz != 0;
    in->dst_size = op >= 0x0f00 ? osz : in->size;

    if ((r = need(i, 1, n)))
        return r;
    modrm = b[i++];
    rm = modrm & 7;
    if (modrm >> 6 == 3)
        return INSN_ERR_OPCODE;             /* register operand: not the MMIO access */
    if (immsz && (modrm >> 3 & 7))
        return INSN_ERR_OPCODE;             /* C6/C7 other than /0 */
    in->reg = (modrm >> 3 & 7) | (rex & 4 ? 8 : 0);
    if (immsz)
        in->reg = 0;
    else if (byte_reg && !rex && in->reg >= 4) {
        in->high8 = true;                   /* AH/CH/DH/BH: without any REX, 4-7 mean these */
        in->reg -= 4;
    }

    if (asz == 2) {                         /* 16-bit forms: no SIB, [disp16] at mod 0 rm 6 */
        disp = modrm >> 6 == 1 ? 1 : (modrm >> 6 == 2 || rm == 6) ? 2 : 0;
    } else {
        unsigned base = rm;

        if (rm == 4) {                      /* SIB follows */
            if ((r = need(i, 1, n)))
                return r;
            base = b[i++] & 7;
        }
        /* mod 0 with base 5: disp32 alone (rm 5: RIP-relative in 64-bit mode); the
         * check uses the low three bits only, so r13 behaves the same. */
        disp = modrm >> 6 == 1 ? 1 : (modrm >> 6 == 2 || base == 5) ? 4 : 0;
    }
    if ((r = need(i, disp + immsz, n)))
        return r;
    i += disp;
    if (immsz) {
        in->imm = le(b + i, immsz);
        if (osz == 8)                       /* C7 with REX.W: imm32 sign-extended */
            in->imm = (uint64_t)(int64_t)(int32_t)in->imm;
        i += immsz;
    }
    in->len = i;
    return 0;
}

static uint64_t low_bytes(uint64_t v, unsigned size)
{
    return size >= 8 ? v : v & ((1ull << size * 8) - 1);
}

uint64_t insn_merge_load(const struct insn *in, uint64_t old_reg, uint64_t data)
{
    unsigned bits = in->size * 8;
    uint64_t v = low_bytes(data, in->size);

    if (in->ext == INSN_EXT_SIGN && bits < 64 && (v >> (bits - 1) & 1))
        v |= ~0ull << bits;
    switch (in->dst_size) {
    case 8:
        return v;
    case 4:
        return (uint32_t)v;                 /* 32-bit results zero bits 63:32 */
    case 2:
        return (old_reg & ~0xffffull) | (v & 0xffff);
    default:
        if (in->high8)
            return (old_reg & ~0xff00ull) | (v & 0xff) << 8;
        return (old_reg & ~0xffull) | (v & 0xff);
    }
}

uint64_t insn_store_value(const struct insn *in, uint64_t reg_value)
{
    if (in->has_imm)
        return low_bytes(in->imm, in->size);
    return low_bytes(in->high8 ? reg_value >> 8 : reg_value, in->size);
}

const char *insn_strerror(int err)
{
    switch (err) {
    case 0:                     return "ok";
    case INSN_ERR_NOT_PRESENT:  return "guest page not present";
    case INSN_ERR_GPA:          return "guest page table or code outside guest RAM";
    case INSN_ERR_RESERVED:     return "reserved bit set in guest paging entry";
    case INSN_ERR_TRUNCATED:    return "instruction bytes truncated";
    case INSN_ERR_TOO_LONG:     return "instruction longer than 15 bytes";
    case INSN_ERR_OPCODE:       return "not an emulated MOV form";
    case INSN_ERR_PREFIX:       return "LOCK/REP prefix";
    default:                    return "unknown error";
    }
}
