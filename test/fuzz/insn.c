/* Fuzz harness: the x86 MMIO instruction decoder and guest page walker
 * (arch/x86_64/insn.c). Input:
 *   [0] code mode (16/32/64)   [1] bytes the decoder may look at (0..15)   [2..16] the bytes
 *   [17] paging flags (CR0.PG, CR4.PAE/PSE/LA57, EFER.LMA)   [18..25] CR3   [26..33] RIP
 *   then guest RAM from guest-physical 0 (64 KiB) that holds the page tables and the code.
 * A decoded instruction must be self-consistent and decode the same from exactly its own
 * bytes; fetched bytes must be the bytes the walk translates each address to. */
#include <string.h>

#include "fuzz.h"
#include "insn.h"

#define RAM_SIZE 0x10000u
static uint8_t ram[RAM_SIZE];

static int read_gpa(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    (void)ctx;
    if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
        return -1;
    memcpy(buf, ram + gpa, len);
    return 0;
}

static bool is_size(unsigned s) { return s == 1 || s == 2 || s == 4 || s == 8; }

static void check_decode(const uint8_t *b, size_t n, enum insn_mode mode)
{
    struct insn in, again;
    int r = insn_decode(&in, b, n, mode);

    FUZZ_CHECK(r <= 0 && insn_strerror(r) != NULL, "result %d", r);
    if (r < 0)
        return;
    FUZZ_CHECK(in.len >= 1 && in.len <= n && in.len <= INSN_MAX_LEN, "length %u of %zu", in.len, n);
    FUZZ_CHECK(is_size(in.size) && in.reg < 16, "size %u reg %u", in.size, in.reg);
    FUZZ_CHECK(!in.high8 || (in.size == 1 && in.reg < 4 && !in.has_imm), "high8 reg %u size %u",
               in.reg, in.size);
    FUZZ_CHECK(!in.has_imm || in.write, "immediate load");
    if (!in.write) {
        FUZZ_CHECK(is_size(in.dst_size) && in.dst_size >= in.size, "dst_size %u size %u",
                   in.dst_size, in.size);
        FUZZ_CHECK(in.ext != INSN_EXT_NONE || in.dst_size == in.size, "ext %u", in.ext);
        uint64_t old = 0x1122334455667788ull, v = insn_merge_load(&in, old, ~0ull);
        if (in.dst_size == 4)
            FUZZ_CHECK(v >> 32 == 0, "32-bit load keeps the upper half");
        if (in.dst_size < 4 && !in.high8)
            FUZZ_CHECK(v >> (8 * in.dst_size) == old >> (8 * in.dst_size), "narrow load clobbers");
    } else if (in.size < 8) {
        FUZZ_CHECK(insn_store_value(&in, ~0ull) >> (8 * in.size) == 0, "store wider than its size");
    }
    /* Exactly its own bytes decode to the same; one byte fewer is truncated. */
    FUZZ_CHECK(insn_decode(&again, b, in.len, mode) == 0 && memcmp(&again, &in, sizeof(in)) == 0,
               "differs when decoded from its %u bytes", in.len);
    FUZZ_CHECK(insn_decode(&again, b, in.len - 1u, mode) == INSN_ERR_TRUNCATED,
               "decodes from %u bytes", in.len - 1u);
}

static void check_fetch(const struct insn_paging *pg, uint64_t rip)
{
    uint8_t buf[INSN_MAX_LEN];
    int got = insn_fetch(pg, read_gpa, NULL, rip, buf);

    FUZZ_CHECK(got <= INSN_MAX_LEN && got != 0, "fetched %d", got);
    for (int i = 0; i < got; i++) {
        uint64_t gpa;
        FUZZ_CHECK(insn_gva_to_gpa(pg, read_gpa, NULL, rip + i, &gpa) == 0 && gpa < RAM_SIZE &&
                       ram[gpa] == buf[i],
                   "byte %d fetched from elsewhere than its translation", i);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum insn_mode modes[] = { INSN_MODE16, INSN_MODE32, INSN_MODE64 };
    struct fuzz_in in = { data, size };
    uint8_t code[INSN_MAX_LEN];

    enum insn_mode mode = modes[fuzz_take(&in, 1) % 3];
    size_t n = fuzz_take(&in, 1) % (INSN_MAX_LEN + 1);
    for (unsigned i = 0; i < INSN_MAX_LEN; i++)
        code[i] = (uint8_t)fuzz_take(&in, 1);
    check_decode(code, n, mode);

    unsigned f = fuzz_take(&in, 1);
    struct insn_paging pg = { (f & 1) ? 1ull << 31 : 0, 0, ((f & 2) ? 1u << 5 : 0) |
                              ((f & 4) ? 1u << 4 : 0) | ((f & 8) ? 1u << 12 : 0),
                              (f & 16) ? 1u << 10 : 0 };
    pg.cr3 = fuzz_take(&in, 8);
    uint64_t rip = fuzz_take(&in, 8);
    memset(ram, 0, sizeof(ram));
    memcpy(ram, in.p, in.left < sizeof(ram) ? in.left : sizeof(ram));
    check_fetch(&pg, rip);
    return 0;
}
