/* MMIO instruction decoding, checked against the host assembler: every case below is
 * assembled by gas (top-level asm in this file, with .code16/.code32 where needed), so
 * the bytes and lengths come from the assembler, not from hand-written hex. Also the
 * rejections, truncation at every byte, the load/store value helpers, and the guest
 * page walker and fetch on a fake guest RAM with 4K/2M/1G, PAE, 32-bit and 5-level maps. */
#include "insn.h"
#include "unit.h"

#include <stdint.h>

enum { ST, STI, LD, LDZ, LDS, KIND = 0x0f, HI = 0x10 };

/* X(mode, asm text, access size, kind, register, destination width, immediate) */
#define GOOD(X)                                                         \
    X(64, "movl %eax,(%rdi)", 4, ST, 0, 0, 0)                           \
    X(64, "movb %al,(%rdi)", 1, ST, 0, 0, 0)                            \
    X(64, "movw %ax,(%rdi)", 2, ST, 0, 0, 0)                            \
    X(64, "movq %rax,(%rdi)", 8, ST, 0, 0, 0)                           \
    X(64, "mov %ah,(%rbx)", 1, ST | HI, 0, 0, 0)                        \
    X(64, "mov %ch,(%rbx)", 1, ST | HI, 1, 0, 0)                        \
    X(64, "mov %dh,1(%rbx)", 1, ST | HI, 2, 0, 0)                       \
    X(64, "mov %bh,(%rbx)", 1, ST | HI, 3, 0, 0)                        \
    X(64, "mov %spl,(%rbx)", 1, ST, 4, 0, 0)                            \
    X(64, "mov %bpl,(%rbx)", 1, ST, 5, 0, 0)                            \
    X(64, "mov %sil,(%rbx)", 1, ST, 6, 0, 0)                            \
    X(64, "mov %dil,(%rbx)", 1, ST, 7, 0, 0)                            \
    X(64, "mov %r8b,(%rbx)", 1, ST, 8, 0, 0)                            \
    X(64, "mov %r15b,(%r15)", 1, ST, 15, 0, 0)                          \
    X(64, "mov (%rsi),%ah", 1, LD | HI, 0, 1, 0)                        \
    X(64, "mov (%rsi),%bh", 1, LD | HI, 3, 1, 0)                        \
    X(64, "mov (%rsi),%dil", 1, LD, 7, 1, 0)                            \
    X(64, "mov (%rsi),%r9b", 1, LD, 9, 1, 0)                            \
    X(64, "movl (%rsi),%r12d", 4, LD, 12, 4, 0)                         \
    X(64, "movq 0x10(%rsp),%r13", 8, LD, 13, 8, 0)                      \
    X(64, "movw 0x1000(%rbp),%r14w", 2, LD, 14, 2, 0)                   \
    X(64, "movq (%r13),%rax", 8, LD, 0, 8, 0)                           \
    X(64, "movl (%r12),%eax", 4, LD, 0, 4, 0)                           \
    X(64, "movl 0x12345678(,%rcx,4),%edx", 4, LD, 2, 4, 0)              \
    X(64, "mov 0x12345678,%eax", 4, LD, 0, 4, 0)                        \
    X(64, "movl 0x10(%rip),%esi", 4, LD, 6, 4, 0)                       \
    X(64, "movl %eax,-8(%rbp,%rcx,2)", 4, ST, 0, 0, 0)                  \
    X(64, "movl %ebx,0x80(%r13,%r12,1)", 4, ST, 3, 0, 0)                \
    X(64, "movb $0x12,0x10(%rip)", 1, STI, 0, 0, 0x12)                  \
    X(64, "movw $0x1234,(%rax)", 2, STI, 0, 0, 0x1234)                  \
    X(64, "movl $0xdeadbeef,0x100(%r8,%r9,8)", 4, STI, 0, 0, 0xdeadbeef) \
    X(64, "movq $-5,(%rax)", 8, STI, 0, 0, 0xfffffffffffffffbull)       \
    X(64, "movq $0x7fffffff,0x10(%rip)", 8, STI, 0, 0, 0x7fffffff)      \
    X(64, "movzbl (%rax),%ecx", 1, LDZ, 1, 4, 0)                        \
    X(64, "movzbw (%rax),%ax", 1, LDZ, 0, 2, 0)                         \
    X(64, "movzbq (%rax),%r11", 1, LDZ, 11, 8, 0)                       \
    X(64, "movzwl 4(%r8,%r9,8),%r10d", 2, LDZ, 10, 4, 0)                \
    X(64, "movzwq (%rax),%rdx", 2, LDZ, 2, 8, 0)                        \
    X(64, "movzbl (%rax),%esp", 1, LDZ, 4, 4, 0)                        \
    X(64, "movsbl (%rax),%ecx", 1, LDS, 1, 4, 0)                        \
    X(64, "movsbw (%rax),%ax", 1, LDS, 0, 2, 0)                         \
    X(64, "movsbq (%rdi),%r15", 1, LDS, 15, 8, 0)                       \
    X(64, "movswl (%rax),%eax", 2, LDS, 0, 4, 0)                        \
    X(64, "movswq (%rax),%rax", 2, LDS, 0, 8, 0)                        \
    X(64, "movabs 0x1234567812345678,%al", 1, LD, 0, 1, 0)              \
    X(64, "movabs 0x1234567812345678,%ax", 2, LD, 0, 2, 0)              \
    X(64, "movabs 0x1234567812345678,%eax", 4, LD, 0, 4, 0)             \
    X(64, "movabs 0x1234567812345678,%rax", 8, LD, 0, 8, 0)             \
    X(64, "movabs %al,0x1234567812345678", 1, ST, 0, 0, 0)              \
    X(64, "movabs %eax,0x1234567812345678", 4, ST, 0, 0, 0)             \
    X(64, "movabs %rax,%gs:0x1234567812345678", 8, ST, 0, 0, 0)         \
    X(64, "addr32 movabs 0x12345678,%eax", 4, LD, 0, 4, 0)              \
    X(64, "movl %eax,(%edi)", 4, ST, 0, 0, 0)                           \
    X(64, "movl 0x10(%eip),%eax", 4, LD, 0, 4, 0)                       \
    X(64, "movl %eax,%fs:(%rdi)", 4, ST, 0, 0, 0)                       \
    X(64, "movl %eax,%gs:(%rdi)", 4, ST, 0, 0, 0)                       \
    X(64, "movl %eax,%es:(%rdi)", 4, ST, 0, 0, 0)                       \
    X(64, "movl %eax,%ss:(%rdi)", 4, ST, 0, 0, 0)                       \
    X(64, "movl %eax,%cs:(%rdi)", 4, ST, 0, 0, 0)                       \
    X(64, "ds movl %eax,(%rdi)", 4, ST, 0, 0, 0)                        \
    X(64, "movq %rax,%fs:0x28", 8, ST, 0, 0, 0)                         \
    X(64, "movw %ax,%gs:0x10(%r13,%r14,2)", 2, ST, 0, 0, 0)             \
    X(64, "data16 movb %al,(%rdi)", 1, ST, 0, 0, 0)                     \
    X(64, "data16 movq %rax,(%rdi)", 8, ST, 0, 0, 0)                    \
    X(64, "rex movb %al,(%rdi)", 1, ST, 0, 0, 0)                        \
    X(64, "rex.W movb %al,(%rdi)", 1, ST, 0, 0, 0)                      \
    X(32, "movl %eax,(%esi)", 4, ST, 0, 0, 0)                           \
    X(32, "movw %ax,(%esi)", 2, ST, 0, 0, 0)                            \
    X(32, "movb %bh,(%esi)", 1, ST | HI, 3, 0, 0)                       \
    X(32, "mov 0x1234,%eax", 4, LD, 0, 4, 0)                            \
    X(32, "addr16 mov 0x1234,%eax", 4, LD, 0, 4, 0)                     \
    X(32, "movl 0x1234,%ecx", 4, LD, 1, 4, 0)                           \
    X(32, "addr16 movl 0x1234,%ecx", 4, LD, 1, 4, 0)                    \
    X(32, "movl %eax,(%bx,%si)", 4, ST, 0, 0, 0)                        \
    X(32, "movw $0x1234,0x10(%bp)", 2, STI, 0, 0, 0x1234)               \
    X(32, "movl $0x12345678,0x1234(%ebx,%ecx,4)", 4, STI, 0, 0, 0x12345678) \
    X(32, "movzbl 0x10(%ebp),%edi", 1, LDZ, 7, 4, 0)                    \
    X(32, "movswl %fs:(%eax),%edx", 2, LDS, 2, 4, 0)                    \
    X(16, "movw %ax,(%bx)", 2, ST, 0, 0, 0)                             \
    X(16, "movl %eax,(%bx,%si)", 4, ST, 0, 0, 0)                        \
    X(16, "mov 0x1234,%al", 1, LD, 0, 1, 0)                             \
    X(16, "mov %ax,%es:0x1234", 2, ST, 0, 0, 0)                         \
    X(16, "movl $0x12345678,0x1234", 4, STI, 0, 0, 0x12345678)          \
    X(16, "addr32 movl %eax,(%esi)", 4, ST, 0, 0, 0)                    \
    X(16, "movb %ah,0x1234(%bx,%di)", 1, ST | HI, 0, 0, 0)              \
    X(16, "movw 0x10(%bp,%si),%dx", 2, LD, 2, 2, 0)                     \
    X(16, "movzbw (%di),%cx", 1, LDZ, 1, 2, 0)

/* X(mode, asm text, error) */
#define BAD(X)                                                          \
    X(64, "lock; movl %eax,(%rdi)", INSN_ERR_PREFIX)                    \
    X(64, "rep; movl %eax,(%rdi)", INSN_ERR_PREFIX)                     \
    X(64, "repne; movb %al,(%rdi)", INSN_ERR_PREFIX)                    \
    X(64, "rep movsb", INSN_ERR_PREFIX)                                 \
    X(64, "movdqu (%rdi),%xmm0", INSN_ERR_PREFIX)                       \
    X(64, "movl %eax,%ebx", INSN_ERR_OPCODE)                            \
    X(64, "movzbl %al,%eax", INSN_ERR_OPCODE)                           \
    X(64, "movb $1,%al", INSN_ERR_OPCODE)                               \
    X(64, "addl %eax,(%rdi)", INSN_ERR_OPCODE)                          \
    X(64, "incl (%rdi)", INSN_ERR_OPCODE)                               \
    X(64, "movsb", INSN_ERR_OPCODE)                                     \
    X(64, "xchg %eax,(%rdi)", INSN_ERR_OPCODE)                          \
    X(64, "cmpxchg %ecx,(%rdi)", INSN_ERR_OPCODE)                       \
    X(64, "movnti %eax,(%rdi)", INSN_ERR_OPCODE)                        \
    X(64, "movslq (%rdi),%rax", INSN_ERR_OPCODE)                        \
    X(64, "movbe (%rdi),%eax", INSN_ERR_OPCODE)                         \
    X(64, "movaps (%rdi),%xmm0", INSN_ERR_OPCODE)                       \
    X(64, "vmovdqu (%rdi),%ymm0", INSN_ERR_OPCODE)                      \
    X(64, "mov %cr0,%rax", INSN_ERR_OPCODE)                             \
    X(64, "mov %ds,(%rdi)", INSN_ERR_OPCODE)                            \
    X(64, "nop", INSN_ERR_OPCODE)                                       \
    X(32, "dec %eax", INSN_ERR_OPCODE)

#define STR(x) #x
#define ASM_ONE(tab, mode, text)                                        \
    ".code" STR(mode) "\n1: " text "\n2:\n.code64\n"                    \
    ".pushsection .rodata.unit_insn_" tab ",\"a\"\n"                    \
    ".long 1b - unit_insn_code, 2b - 1b\n.popsection\n"
#define EMIT_GOOD(mode, text, ...) ASM_ONE("good", mode, text)
#define EMIT_BAD(mode, text, ...) ASM_ONE("bad", mode, text)

/* Bytes in one section, (offset, length) pairs in two tables, in X-macro order. */
__asm__(".pushsection .rodata.unit_insn_good,\"a\"\n.balign 4\nunit_insn_good:\n.popsection\n"
        ".pushsection .rodata.unit_insn_bad,\"a\"\n.balign 4\nunit_insn_bad:\n.popsection\n"
        ".pushsection .rodata.unit_insn_code,\"a\"\nunit_insn_code:\n"
        GOOD(EMIT_GOOD) BAD(EMIT_BAD)
        ".popsection\n");

struct asm_ref { uint32_t off, len; };
extern const uint8_t unit_insn_code[];
extern const struct asm_ref unit_insn_good[], unit_insn_bad[];

struct good { int mode; const char *text; uint8_t size, kind, reg, dst; uint64_t imm; };
struct bad { int mode; const char *text; int err; };

#define GOOD_ROW(mode, text, size, kind, reg, dst, imm) { mode, text, size, kind, reg, dst, imm },
#define BAD_ROW(mode, text, err) { mode, text, err },
static const struct good goods[] = { GOOD(GOOD_ROW) };
static const struct bad bads[] = { BAD(BAD_ROW) };
#define NGOOD (sizeof(goods) / sizeof(goods[0]))
#define NBAD (sizeof(bads) / sizeof(bads[0]))

static const char *hex(const uint8_t *b, size_t n)
{
    static char s[64];
    size_t i;

    for (i = 0; i < n && i < 20; i++)
        snprintf(s + 3 * i, 4, "%02x ", b[i]);
    s[3 * i] = 0;
    return s;
}

static int decode_good(size_t i, struct insn *in)
{
    return insn_decode(in, unit_insn_code + unit_insn_good[i].off, unit_insn_good[i].len,
                       (enum insn_mode)goods[i].mode);
}

static size_t find(const char *text)
{
    for (size_t i = 0; i < NGOOD; i++)
        if (!strcmp(goods[i].text, text))
            return i;
    printf("no case %s\n", text);
    exit(2);
}

static void test_good(void)
{
    for (size_t i = 0; i < NGOOD; i++) {
        const struct good *g = &goods[i];
        const uint8_t *b = unit_insn_code + unit_insn_good[i].off;
        unsigned len = unit_insn_good[i].len, kind = g->kind & KIND;
        uint8_t padded[32];
        struct insn in, in2;
        int r = decode_good(i, &in);

        CHECK(r == 0, "%s [%s]: error %d", g->text, hex(b, len), r);
        if (r)
            continue;
        CHECK(in.len == len, "%s [%s]: len %u, as says %u", g->text, hex(b, len), in.len, len);
        CHECK(in.size == g->size, "%s: size %u, want %u", g->text, in.size, g->size);
        CHECK(in.write == (kind <= STI), "%s: write %d", g->text, in.write);
        CHECK(in.has_imm == (kind == STI), "%s: has_imm %d", g->text, in.has_imm);
        CHECK(in.high8 == !!(g->kind & HI), "%s: high8 %d", g->text, in.high8);
        if (kind != STI)
            CHECK(in.reg == g->reg, "%s: reg %u, want %u", g->text, in.reg, g->reg);
        else
            CHECK(in.imm == g->imm, "%s: imm %#llx, want %#llx", g->text,
                  (unsigned long long)in.imm, (unsigned long long)g->imm);
        if (kind >= LD) {
            CHECK(in.dst_size == g->dst, "%s: dst %u, want %u", g->text, in.dst_size, g->dst);
            CHECK(in.ext == (kind == LDZ ? INSN_EXT_ZERO : kind == LDS ? INSN_EXT_SIGN
                             : INSN_EXT_NONE), "%s: ext %u", g->text, in.ext);
        }
        /* every proper prefix of the bytes is truncated; trailing bytes are not read */
        for (unsigned k = 0; k < len; k++) {
            r = insn_decode(&in2, b, k, (enum insn_mode)g->mode);
            CHECK(r == INSN_ERR_TRUNCATED, "%s cut to %u: %d", g->text, k, r);
        }
        memcpy(padded, b, len);
        memset(padded + len, 0x89, sizeof(padded) - len);
        r = insn_decode(&in2, padded, sizeof(padded), (enum insn_mode)g->mode);
        CHECK(r == 0 && !memcmp(&in, &in2, sizeof(in)), "%s with trailing bytes", g->text);
    }
}

static void test_bad(void)
{
    for (size_t i = 0; i < NBAD; i++) {
        const uint8_t *b = unit_insn_code + unit_insn_bad[i].off;
        struct insn in;
        int r = insn_decode(&in, b, unit_insn_bad[i].len, (enum insn_mode)bads[i].mode);

        CHECK(r == bads[i].err, "%s [%s]: %d (%s), want %d", bads[i].text,
              hex(b, unit_insn_bad[i].len), r, insn_strerror(r), bads[i].err);
    }
}

/* Encodings gas will not produce: checked as bytes. */
static void test_bytes(void)
{
    static const struct {
        uint8_t b[16];
        unsigned n, len, size, reg;
        bool high8;
    } ok[] = {
        /* REX then a legacy prefix: the REX is ignored (66 wins, AH not SPL) */
        { { 0x48, 0x66, 0x89, 0x07 }, 4, 4, 2, 0, false },
        { { 0x40, 0x66, 0x88, 0x27 }, 4, 4, 1, 0, true },
        { { 0x44, 0x2e, 0x88, 0x27 }, 4, 4, 1, 0, true },
        /* two REX: only the last counts */
        { { 0x4c, 0x40, 0x89, 0x07 }, 4, 4, 4, 0, false },
        { { 0x40, 0x4c, 0x89, 0x07 }, 4, 4, 8, 8, false },
        /* 66 repeated; 13 prefixes + opcode + ModRM is exactly 15 */
        { { 0x66, 0x66, 0x89, 0x07 }, 4, 4, 2, 0, false },
        { { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
            0x89, 0x07 }, 15, 15, 4, 0, false },
        /* 4 prefixes + C7 with disp32 and imm32 */
        { { 0x2e, 0x2e, 0x2e, 0x2e, 0xc7, 0x80, 1, 2, 3, 4, 5, 6, 7, 8 }, 14, 14, 4, 0, false },
    };
    static const struct {
        uint8_t b[20];
        unsigned n;
        int mode, err;
    } bad[] = {
        /* 16 bytes: too long at the ModRM, at a prefix, at the immediate */
        { { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
            0x2e, 0x89, 0x07 }, 16, 64, INSN_ERR_TOO_LONG },
        { { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
            0x2e, 0x2e, 0x2e, 0x2e, 0x89 }, 18, 64, INSN_ERR_TOO_LONG },
        { { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0xc7, 0x84, 0x00, 1, 2, 3, 4, 5, 6, 7, 8 }, 20, 64,
          INSN_ERR_TOO_LONG },
        /* C6/C7 other than /0, and register forms */
        { { 0xc6, 0x08, 0x12 }, 3, 64, INSN_ERR_OPCODE },
        { { 0xc7, 0x38, 1, 2, 3, 4 }, 6, 64, INSN_ERR_OPCODE },
        { { 0xc7, 0xc0, 1, 2, 3, 4 }, 6, 64, INSN_ERR_OPCODE },
        { { 0x8a, 0xc4 }, 2, 64, INSN_ERR_OPCODE },
        /* REX bytes are INC/DEC outside 64-bit mode */
        { { 0x48, 0x89, 0x07 }, 3, 32, INSN_ERR_OPCODE },
        /* F0 after other prefixes, and nothing at all */
        { { 0x66, 0xf0, 0x89, 0x07 }, 4, 64, INSN_ERR_PREFIX },
        { { 0x2e, 0xf2, 0x89, 0x07 }, 4, 64, INSN_ERR_PREFIX },
        { { 0 }, 0, 64, INSN_ERR_TRUNCATED },
        { { 0x0f }, 1, 64, INSN_ERR_TRUNCATED },
    };
    struct insn in;
    int r;

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        r = insn_decode(&in, ok[i].b, ok[i].n, INSN_MODE64);
        CHECK(r == 0 && in.len == ok[i].len && in.size == ok[i].size && in.reg == ok[i].reg &&
              in.high8 == ok[i].high8, "bytes [%s]: %d len %u size %u reg %u high8 %d",
              hex(ok[i].b, ok[i].n), r, in.len, in.size, in.reg, in.high8);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = insn_decode(&in, bad[i].b, bad[i].n, (enum insn_mode)bad[i].mode);
        CHECK(r == bad[i].err, "bytes [%s]: %d, want %d", hex(bad[i].b, bad[i].n), r,
              bad[i].err);
    }
}

static void test_values(void)
{
    static const struct {
        const char *text;
        uint64_t old, data, want;
    } ld[] = {
        { "mov (%rsi),%ah", 0x1122334455667788, 0xffab, 0x112233445566ab88 },
        { "mov (%rsi),%dil", 0x1122334455667788, 0xab, 0x11223344556677ab },
        { "movw 0x1000(%rbp),%r14w", 0x1122334455667788, 0x1beef, 0x112233445566beef },
        { "movl (%rsi),%r12d", 0x1122334455667788, 0xfffffffdeadbeef, 0xdeadbeef },
        { "movq 0x10(%rsp),%r13", 1, 0x8877665544332211, 0x8877665544332211 },
        { "movzbl (%rax),%ecx", 0x1122334455667788, 0x12345680, 0x80 },
        { "movzbw (%rax),%ax", 0x1122334455667788, 0x80, 0x1122334455660080 },
        { "movzwq (%rax),%rdx", ~0ull, 0xffff8000, 0x8000 },
        { "movsbl (%rax),%ecx", 0x1122334455667788, 0x80, 0xffffff80 },
        { "movsbw (%rax),%ax", 0x1122334455667788, 0x80, 0x112233445566ff80 },
        { "movsbq (%rdi),%r15", 0, 0x80, 0xffffffffffffff80 },
        { "movsbq (%rdi),%r15", ~0ull, 0x7f, 0x7f },
        { "movswl (%rax),%eax", ~0ull, 0x8000, 0xffff8000 },
        { "movswq (%rax),%rax", 0, 0x8000, 0xffffffffffff8000 },
        { "movabs 0x1234567812345678,%al", 0x1122334455667788, 0x99, 0x1122334455667799 },
    };
    static const struct {
        const char *text;
        uint64_t reg, want;
    } st[] = {
        { "mov %ah,(%rbx)", 0x1122334455667788, 0x77 },
        { "mov %spl,(%rbx)", 0x1122334455667788, 0x88 },
        { "movw %ax,(%rdi)", 0x1122334455667788, 0x7788 },
        { "movl %eax,(%rdi)", 0x1122334455667788, 0x55667788 },
        { "movq %rax,(%rdi)", 0x1122334455667788, 0x1122334455667788 },
        { "movb $0x12,0x10(%rip)", 0xff, 0x12 },
        { "movw $0x1234,(%rax)", 0xffff, 0x1234 },
        { "movq $-5,(%rax)", 0, 0xfffffffffffffffb },
        { "movl $0xdeadbeef,0x100(%r8,%r9,8)", 0, 0xdeadbeef },
    };
    struct insn in;

    for (size_t i = 0; i < sizeof(ld) / sizeof(ld[0]); i++) {
        decode_good(find(ld[i].text), &in);
        uint64_t v = insn_merge_load(&in, ld[i].old, ld[i].data);
        CHECK(v == ld[i].want, "%s: merge %#llx into %#llx = %#llx, want %#llx", ld[i].text,
              (unsigned long long)ld[i].data, (unsigned long long)ld[i].old,
              (unsigned long long)v, (unsigned long long)ld[i].want);
    }
    for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
        decode_good(find(st[i].text), &in);
        uint64_t v = insn_store_value(&in, st[i].reg);
        CHECK(v == st[i].want, "%s: store %#llx, want %#llx", st[i].text,
              (unsigned long long)v, (unsigned long long)st[i].want);
    }
}

/* ---- page walker and fetch on a fake guest: 4 MiB of RAM at gpa 0 ---- */

#define RAM_SIZE (4u << 20)
#define P 0x1ull
#define RW 0x2ull
#define PS 0x80ull
#define NX (1ull << 63)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LME_LMA ((1ull << 8) | (1ull << 10))

static uint8_t *ram;
static unsigned reads;

static int read_gpa(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    CHECK(ctx == &reads, "ctx passed through");
    reads++;
    if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
        return -1;
    memcpy(buf, ram + gpa, len);
    return 0;
}

static void put64(uint64_t gpa, uint64_t v) { memcpy(ram + gpa, &v, 8); }
static void put32(uint64_t gpa, uint32_t v) { memcpy(ram + gpa, &v, 4); }

static void walk(const struct insn_paging *pg, uint64_t gva, int err, uint64_t want)
{
    uint64_t gpa = 0xbad;
    int r = insn_gva_to_gpa(pg, read_gpa, &reads, gva, &gpa);

    CHECK(r == err, "gva %#llx: %d (%s), want %d", (unsigned long long)gva, r,
          insn_strerror(r), err);
    if (!r && !err)
        CHECK(gpa == want, "gva %#llx -> %#llx, want %#llx", (unsigned long long)gva,
              (unsigned long long)gpa, (unsigned long long)want);
}

static void test_long_mode(void)
{
    struct insn_paging pg = { CR0_PG | 1, 0x1000, CR4_PAE, EFER_LME_LMA };
    struct insn_paging la57 = { CR0_PG | 1, 0x14000, CR4_PAE | CR4_LA57, EFER_LME_LMA };
    size_t mov = find("movl $0xdeadbeef,0x100(%r8,%r9,8)"), st = find("movl %eax,(%rdi)");
    const uint8_t *mb = unit_insn_code + unit_insn_good[mov].off;
    unsigned ml = unit_insn_good[mov].len;
    uint8_t buf[INSN_MAX_LEN];
    struct insn in, ref;
    int r;

    memset(ram, 0, RAM_SIZE);
    put64(0x1000 + 0 * 8, 0x2000 | P | RW);             /* PML4[0] */
    put64(0x1000 + 2 * 8, 0x2000 | P | PS);             /* PML4[2]: PS is reserved */
    put64(0x1000 + 511 * 8, 0x5000 | P | NX);           /* PML4[511]: kernel half */
    put64(0x2000 + 0 * 8, 0x3000 | P | RW);             /* PDPT[0] */
    put64(0x2000 + 1 * 8, 0x80000000 | P | PS | NX);    /* 1 GiB page, gva 1G -> 2G */
    put64(0x3000 + 0 * 8, 0x4000 | P | RW | (0x7ffull << 52)); /* PD[0], ignored high bits */
    put64(0x3000 + 3 * 8, 0x200000 | P | PS | 0x1000);  /* 2 MiB, gva 6M -> 2M, PAT bit */
    put64(0x4000 + 0x10 * 8, 0x9000 | P | NX);          /* PT: 0x10000 -> 0x9000 */
    put64(0x4000 + 0x11 * 8, 0x7000 | P);               /*     0x11000 -> 0x7000 */
    put64(0x4000 + 0x13 * 8, 0x10000000 | P);           /*     0x13000 -> outside RAM */
    put64(0x4000 + 0x14 * 8, 0x8000 | P);               /*     0x14000 -> 0x8000 */
    put64(0x4000 + 0x15 * 8, 0x10000000 | P);           /*     0x15000 -> outside RAM */
    put64(0x5000 + 510 * 8, 0x6000 | P);                /* 0xffffffff80000000 */
    put64(0x6000 + 0 * 8, 0x200000 | P | PS);
    put64(0x14000 + 0 * 8, 0x1000 | P);                 /* PML5[0] -> the same PML4 */

    walk(&pg, 0x10abc, 0, 0x9abc);
    walk(&pg, 0x11fff, 0, 0x7fff);
    walk(&pg, 0x12000, INSN_ERR_NOT_PRESENT, 0);        /* PTE */
    walk(&pg, 0x400000, INSN_ERR_NOT_PRESENT, 0);       /* PDE */
    walk(&pg, 0x80000000, INSN_ERR_NOT_PRESENT, 0);     /* PDPTE */
    walk(&pg, 0x8000000000, INSN_ERR_NOT_PRESENT, 0);   /* PML4E */
    walk(&pg, 0x10000000000, INSN_ERR_RESERVED, 0);
    walk(&pg, 0x612345, 0, 0x212345);
    walk(&pg, 0x7fffffff, 0, 0xbfffffff);
    walk(&pg, 0x40000123, 0, 0x80000123);
    walk(&pg, 0xffffffff80001234, 0, 0x201234);
    walk(&la57, 0x10abc, 0, 0x9abc);
    walk(&la57, 0x612345, 0, 0x212345);
    walk(&la57, 1ull << 48, INSN_ERR_NOT_PRESENT, 0);
    pg.cr0 = 1;                                         /* paging off: identity */
    walk(&pg, 0x612345, 0, 0x612345);
    pg.cr0 |= CR0_PG;
    pg.cr3 = 0x7ff000000;                               /* tables outside RAM */
    walk(&pg, 0x10000, INSN_ERR_GPA, 0);
    pg.cr3 = 0x1000;

    /* an instruction straddling 0x10fff/0x11000: bytes at gpa 0x9ffa.. and 0x7000.. */
    memset(ram + 0x9000, 0xcc, 0x1000);
    memset(ram + 0x7000, 0xcc, 0x1000);
    memcpy(ram + 0xa000 - 6, mb, 6);
    memcpy(ram + 0x7000, mb + 6, ml - 6);
    r = insn_fetch(&pg, read_gpa, &reads, 0x10ffa, buf);
    CHECK(r == INSN_MAX_LEN, "straddling fetch: %d", r);
    CHECK(!memcmp(buf, mb, ml) && buf[ml] == 0xcc, "straddling bytes [%s]", hex(buf, 15));
    decode_good(mov, &ref);
    CHECK(insn_decode(&in, buf, (size_t)r, INSN_MODE64) == 0 &&
          !memcmp(&in, &ref, sizeof(in)), "straddling decode");

    /* second page not present: the first page's bytes, enough for a short insn only */
    memcpy(ram + 0x8000 - 2, unit_insn_code + unit_insn_good[st].off, 2);
    r = insn_fetch(&pg, read_gpa, &reads, 0x11ffe, buf);
    CHECK(r == 2, "fetch up to an unmapped page: %d", r);
    CHECK(insn_decode(&in, buf, 2, INSN_MODE64) == 0 && in.len == 2 && in.size == 4,
          "2-byte insn before an unmapped page");
    memcpy(ram + 0x8000 - 6, mb, 6);
    r = insn_fetch(&pg, read_gpa, &reads, 0x11ffa, buf);
    CHECK(r == 6 && insn_decode(&in, buf, 6, INSN_MODE64) == INSN_ERR_TRUNCATED,
          "long insn before an unmapped page: %d", r);

    r = insn_fetch(&pg, read_gpa, &reads, 0x12000, buf);
    CHECK(r == INSN_ERR_NOT_PRESENT, "fetch from unmapped page: %d", r);
    r = insn_fetch(&pg, read_gpa, &reads, 0x13ff0, buf);
    CHECK(r == INSN_ERR_GPA, "fetch from a page outside RAM: %d", r);
    r = insn_fetch(&pg, read_gpa, &reads, 0x40000000, buf);
    CHECK(r == INSN_ERR_GPA, "fetch via the 1 GiB page outside RAM: %d", r);
    /* second page outside RAM, and a fetch inside one page (2 MiB mapping) */
    memcpy(ram + 0x8ffc, mb, 4);
    r = insn_fetch(&pg, read_gpa, &reads, 0x14ffc, buf);
    CHECK(r == 4 && !memcmp(buf, mb, 4), "fetch up to a page outside RAM: %d", r);
    memcpy(ram + 0x212340, mb, ml);
    r = insn_fetch(&pg, read_gpa, &reads, 0x612340, buf);
    CHECK(r == INSN_MAX_LEN && !memcmp(buf, mb, ml), "fetch in a 2 MiB page: %d", r);
}

static void test_legacy(void)
{
    struct insn_paging pae = { CR0_PG | 1, 0x8020, CR4_PAE, 0 };
    struct insn_paging p32 = { CR0_PG | 1, 0xd000, 0, 0 };
    uint8_t buf[INSN_MAX_LEN];
    int r;

    memset(ram, 0, RAM_SIZE);
    /* PAE: CR3 only 32-byte aligned; PDPTE[0] -> PD 0xa000, PDPTE[3] absent */
    put64(0x8020, 0xa000 | P);
    put64(0xa000 + 0 * 8, 0xb000 | P | RW);
    put64(0xa000 + 1 * 8, 0x400000 | P | PS | NX);
    put64(0xb000 + 5 * 8, 0xc000 | P | NX);
    walk(&pae, 0x5123, 0, 0xc123);
    walk(&pae, 0x200abc, 0, 0x400abc);
    walk(&pae, 0x6000, INSN_ERR_NOT_PRESENT, 0);
    walk(&pae, 0xc0000000, INSN_ERR_NOT_PRESENT, 0);
    walk(&pae, 0x100005123, 0, 0xc123);                 /* linear is 32-bit here */

    /* 32-bit paging: 4 KiB via PT, and a 4 MiB page with PSE-36 bits 39:32 = 1 */
    put32(0xd000 + 0 * 4, 0xe000 | P | RW);
    put32(0xd000 + 1 * 4, 0x00c00000 | P | PS | 1u << 13);
    put32(0xe000 + 7 * 4, 0xf000 | P);
    walk(&p32, 0x7abc, 0, 0xfabc);
    walk(&p32, 0x8000, INSN_ERR_NOT_PRESENT, 0);
    walk(&p32, 0x800000, INSN_ERR_NOT_PRESENT, 0);
    walk(&p32, 0x412345, INSN_ERR_GPA, 0);             /* no CR4.PSE: PS ignored */
    p32.cr4 = CR4_PSE;
    walk(&p32, 0x412345, 0, 0x100c12345ull);
    walk(&p32, 0x7abc, 0, 0xfabc);

    /* paging off: identity, wraps at 4 GiB */
    ram[0xfff0] = 0x89, ram[0xfff1] = 0x07;
    p32.cr0 = 1;
    walk(&p32, 0xfff0, 0, 0xfff0);
    r = insn_fetch(&p32, read_gpa, &reads, 0xfff0, buf);
    CHECK(r == INSN_MAX_LEN && buf[0] == 0x89 && buf[1] == 0x07, "real-mode fetch: %d", r);
}

int main(void)
{
    ram = malloc(RAM_SIZE);
    if (!ram)
        return 2;
    printf("unit-insn: %zu assembled forms, %zu rejections\n", NGOOD, NBAD);
    test_good();
    test_bad();
    test_bytes();
    test_values();
    test_long_mode();
    test_legacy();
    free(ram);
    return unit_finish("unit-insn");
}
