/* The s390x guest DAT walk (arch/s390x/guest_dat.c) on the host: tables built here in a
 * fake partition's storage, every level, frame size, length and protection rule checked
 * against the address or exception the architecture gives. */
#include "unit.h"

#include "partition.h"
#include "s390_guest.h"

#define RAM_SIZE (64u << 20)
#define REGION(origin, tt, tl) ((uint64_t)(origin) | (uint64_t)(tt) << 2 | (tl))
#define STE(origin) ((uint64_t)(origin))
#define PTE(frame) ((uint64_t)(frame))
#define PTE_I 0x400ull
#define PROT 0x200ull
#define FC 0x400ull
#define INVALID 0x20ull

static uint8_t *ram;
static struct partition part;
static struct vcpu vcpu;
static uint64_t next_table = 0x100000;   /* tables from 1 MiB up, 16 KiB each */

static uint64_t *table(void)
{
    uint64_t *t = (uint64_t *)(ram + next_table);
    for (unsigned i = 0; i < 2048; i++)
        t[i] = INVALID;
    next_table += 0x4000;
    return t;
}

static uint64_t addr_of(const void *p) { return (uint64_t)((const uint8_t *)p - ram); }

static void reset(uint64_t asce, uint64_t cr0, unsigned as)
{
    memset(&vcpu.arch, 0, sizeof(vcpu.arch));
    vcpu.part = &part;
    vcpu.arch.sie.gpsw_mask = PSW_MASK_DAT | PSW_MASK_64 | (uint64_t)as << 46;
    vcpu.arch.sie.gcr[0] = cr0;
    vcpu.arch.sie.gcr[1] = asce;
}

/* The real address la translates to (or -code). */
static int64_t xlate(uint64_t la, uint64_t len, bool store)
{
    void *p;
    int r = s390_guest_logical(&vcpu, la, len, store, 0, &p);
    return r ? -r : (int64_t)addr_of(p);
}

static uint64_t teid(void) { uint64_t t; memcpy(&t, ram + 0xa8, 8); return t; }

int main(void)
{
    ram = aligned_alloc(4096, RAM_SIZE);
    memset(ram, 0, RAM_SIZE);
    part.mem = (struct guest_mem){ ram, 0, RAM_SIZE };

    /* A segment table (TL 3: 2 GiB) with one page table. */
    uint64_t *st = table(), *pt = table();
    st[1] = STE(addr_of(pt));                       /* segment 1: 1-2 MiB */
    pt[0x23] = PTE(0x800000);
    pt[0x24] = PTE(0x801000);                       /* adjacent to 0x23's frame */
    pt[0x25] = PTE(0x900000);                       /* not adjacent to 0x24's */
    pt[0x26] = PTE(0x902000) | PROT;
    pt[0x27] = PTE_I;
    uint64_t asce_st = addr_of(st) | 3;
    reset(asce_st, 0, 0);
    CHECK(xlate(0x123456, 8, false) == 0x800456, "page walk: 0x%llx", (long long)xlate(0x123456, 8, false));
    CHECK(xlate(0x123ffc, 8, false) == 0x800ffc, "adjacent pages: one pointer");
    CHECK(xlate(0x124ffc, 8, false) == -(-2), "non-adjacent pages refused: %lld",
          (long long)xlate(0x124ffc, 8, false));
    CHECK(xlate(0x126010, 4, false) == 0x902010, "fetch from a protected page");
    CHECK(xlate(0x126010, 4, true) == -4, "store to a protected page: %lld",
          (long long)xlate(0x126010, 4, true));
    CHECK(xlate(0x127010, 4, false) == -0x11 && teid() == 0x127000,
          "invalid page: page translation, TEID 0x%llx", (unsigned long long)teid());
    CHECK(xlate(0x300000, 4, false) == -0x10, "invalid segment");
    CHECK(xlate(0x80000000ull, 4, false) == -0x38, "above a segment table's reach: ASCE type");

    /* Segment-table length: TL 0 covers segments 0-511 only. */
    reset(addr_of(st) | 0, 0, 0);
    CHECK(xlate(0x123456, 4, false) == 0x800456, "inside the table length");
    st[600] = STE(addr_of(pt));
    CHECK(xlate(600ull << 20, 4, false) == -0x10, "outside the table length: segment translation");

    /* EDAT-1: a 1 MiB frame, only with EDAT on in CR0; segment protection. */
    st[2] = 0x1400000 | FC;
    reset(asce_st, 1ull << 23, 0);
    CHECK(xlate(0x212345, 4, false) == 0x1412345, "EDAT-1 frame: %lld",
          (long long)xlate(0x212345, 4, false));
    st[3] = 0x1500000 | FC | PROT;
    CHECK(xlate(0x300010, 4, true) == -4, "EDAT-1 frame, protected");
    st[4] = STE(addr_of(pt)) | PROT;
    CHECK(xlate(0x423010, 4, true) == -4, "segment protection covers its pages");
    CHECK(xlate(0x423010, 4, false) == 0x800010, "... for stores only");
    st[5] = 3 << 2;                                 /* a region-table type in a segment entry */
    CHECK(xlate(0x500000, 4, false) == -0x12, "segment entry of the wrong type: spec");

    /* Region-third table -> segment table; EDAT-2 2 GiB frame. */
    uint64_t *rtt = table(), *st2 = table();
    rtt[1] = REGION(addr_of(st2), 1, 3);            /* 2-4 GiB */
    st2[0] = STE(addr_of(pt));
    reset(addr_of(rtt) | 1 << 2 | 3, 0, 0);
    CHECK(xlate(0x80023008ull, 4, false) == 0x800008, "region-third walk: %lld",
          (long long)xlate(0x80023008ull, 4, false));
    CHECK(xlate(0x100000000ull, 4, false) == -0x3b, "invalid region-third entry");
    CHECK(xlate(1ull << 42, 4, false) == -0x38, "above a region-third table's reach");
    rtt[2] = REGION(addr_of(st2), 2, 3);            /* wrong type */
    CHECK(xlate(0x100000000ull, 4, false) == -0x12, "region entry of the wrong type");
    rtt[3] = 0x0 | FC | 1 << 2;                     /* EDAT-2: frame at 0 */
    vcpu.arch.sie.gcr[0] = 1ull << 23;
    CHECK(xlate(0x180123456ull, 4, false) == 0x123456, "EDAT-2 frame: %lld",
          (long long)xlate(0x180123456ull, 4, false));
    /* the region-third entry's own table offset and length bound the segment index */
    rtt[4] = REGION(addr_of(st2), 1, 0) | 1 << 6;   /* TF 1: segments 0-511 absent */
    CHECK(xlate(0x200000000ull, 4, false) == -0x10, "below the table offset");

    /* Region-first table: the full five-level walk. */
    uint64_t *rft = table(), *rst = table(), *rtt2 = table();
    rft[1] = REGION(addr_of(rst), 3, 3);
    rst[0] = REGION(addr_of(rtt2), 2, 3);
    rtt2[0] = REGION(addr_of(st2), 1, 3);
    reset(addr_of(rft) | 3 << 2 | 3, 0, 0);
    CHECK(xlate((1ull << 53) + 0x23010, 4, false) == 0x800010, "region-first walk: %lld",
          (long long)xlate((1ull << 53) + 0x23010, 4, false));
    CHECK(xlate(0x23010, 4, false) == -0x39, "invalid region-first entry");

    /* Address spaces: secondary, home, and access-register mode by ALET. */
    reset(0, 0, 2);
    vcpu.arch.sie.gcr[7] = asce_st;
    CHECK(xlate(0x123456, 4, false) == 0x800456, "secondary space");
    reset(0, 0, 3);
    vcpu.arch.sie.gcr[13] = asce_st;
    CHECK(xlate(0x123456, 4, false) == 0x800456, "home space");
    reset(asce_st, 0, 1);
    CHECK(xlate(0x123456, 4, false) == 0x800456, "AR mode, ALET 0: primary");
    vcpu.arch.acrs[0] = 2;
    CHECK(xlate(0x123456, 4, false) == 1, "AR mode, other ALET: not translated");
    /* the real space bit and DAT off */
    reset(asce_st | 0x20, 0, 0);
    CHECK(xlate(0x123456, 4, false) == 0x123456, "real-space ASCE");
    reset(asce_st, 0, 0);
    vcpu.arch.sie.gpsw_mask &= ~PSW_MASK_DAT;
    CHECK(xlate(0x123456, 4, false) == 0x123456, "DAT off");
    CHECK(xlate(RAM_SIZE, 4, false) == -5, "DAT off, past storage: addressing");
    /* a table outside storage */
    reset(((uint64_t)RAM_SIZE + 0x100000) | 3, 0, 0);
    CHECK(xlate(0x1000, 4, false) == -5, "segment table outside storage: addressing");

    free(ram);
    return unit_finish("unit-s390x-guest_dat");
}
