/* Split virtqueue, device side: well-formed chains are read exactly; every malformed one
 * is refused without touching memory outside the partition. */
#include "unit.h"
#include "virtq.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x100000ull
#define QN 8
#define DESC (RAM_BASE + 0x1000)
#define AVAIL (RAM_BASE + 0x2000)
#define USED (RAM_BASE + 0x3000)
#define DATA (RAM_BASE + 0x10000)

static uint8_t *ram;
static struct guest_mem mem;
static struct virtq q;
static uint16_t avail_idx;

static struct virtq_desc *desc(unsigned i) { return (struct virtq_desc *)(ram + (DESC - RAM_BASE)) + i; }
static uint16_t *avail(void) { return (uint16_t *)(ram + (AVAIL - RAM_BASE)); }
static uint16_t *used16(void) { return (uint16_t *)(ram + (USED - RAM_BASE)); }
static uint32_t *used_elem(unsigned i) { return (uint32_t *)(ram + (USED - RAM_BASE) + 4 + 8 * i); }

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    *desc(i) = (struct virtq_desc){ addr, len, flags, next };
}

static void offer(uint16_t head)
{
    avail()[2 + avail_idx % QN] = head;
    avail_idx++;
    avail()[1] = avail_idx;
}

static void reset(bool event_idx, bool indirect)
{
    const char *why = NULL;
    memset(ram, 0, RAM_SIZE);
    avail_idx = 0;
    q = (struct virtq){ .num = QN, .desc = DESC, .avail = AVAIL, .used = USED,
                        .event_idx = event_idx, .indirect = indirect };
    CHECK(virtq_setup(&q, &mem, &why) == 0, "setup: %s", why);
}

static void expect_malformed(const char *what, const char *needle)
{
    struct virtq_chain c;
    const char *why = NULL;
    int r = virtq_pop(&q, &c, &why);
    CHECK(r < 0, "%s: accepted (r=%d)", what, r);
    CHECK(why && strstr(why, needle), "%s: reason '%s', want '%s'", what, why ? why : "(none)", needle);
}

int main(void)
{
    struct virtq_chain c;
    const char *why = NULL;

    ram = calloc(1, RAM_SIZE);
    mem = (struct guest_mem){ ram, RAM_BASE, RAM_SIZE };

    /* Setup checks. */
    q = (struct virtq){ .num = 6, .desc = DESC, .avail = AVAIL, .used = USED };
    CHECK(virtq_setup(&q, &mem, &why) < 0 && strstr(why, "power of two"), "size 6 refused");
    q = (struct virtq){ .num = QN, .desc = DESC + 8, .avail = AVAIL, .used = USED };
    CHECK(virtq_setup(&q, &mem, &why) < 0 && strstr(why, "misaligned"), "misaligned desc refused");
    q = (struct virtq){ .num = QN, .desc = DESC, .avail = AVAIL, .used = RAM_BASE + RAM_SIZE - 8 };
    CHECK(virtq_setup(&q, &mem, &why) < 0 && strstr(why, "outside"), "used ring past RAM refused");
    q = (struct virtq){ .num = QN, .desc = 0x1000, .avail = AVAIL, .used = USED };
    CHECK(virtq_setup(&q, &mem, &why) < 0, "desc below RAM refused");

    /* Empty queue. */
    reset(false, false);
    CHECK(virtq_pop(&q, &c, &why) == 0, "empty queue yields nothing");

    /* A request: 16 readable bytes, then 32 writable. */
    memcpy(ram + (DATA - RAM_BASE), "hello, virtqueue", 16);
    set_desc(3, DATA, 16, VIRTQ_DESC_F_NEXT, 5);
    set_desc(5, DATA + 0x100, 32, VIRTQ_DESC_F_WRITE, 0);
    offer(3);
    CHECK(virtq_pop(&q, &c, &why) == 1, "pop: %s", why);
    CHECK(c.head == 3 && c.n == 2 && c.out_len == 16 && c.in_len == 32, "chain shape head %u n %u out %u in %u",
          c.head, c.n, c.out_len, c.in_len);
    CHECK(memcmp(c.buf[0].addr, "hello, virtqueue", 16) == 0, "readable data");
    CHECK(virtq_chain_write(&c, "0123456789abcdefghijklmnopqrstuvwxyz", 36) == 32, "write stops at buffer end");
    CHECK(memcmp(ram + (DATA + 0x100 - RAM_BASE), "0123456789abcdefghijklmnopqrstuv", 32) == 0, "written data");
    CHECK(ram[DATA + 0x100 + 32 - RAM_BASE] == 0, "no byte past the buffer");
    virtq_push(&q, c.head, 32);
    CHECK(used16()[1] == 1 && used_elem(0)[0] == 3 && used_elem(0)[1] == 32, "used ring entry");
    CHECK(virtq_should_notify(&q), "notify without suppression");
    CHECK(virtq_pop(&q, &c, &why) == 0, "queue drained");

    /* Driver asks for no interrupts. */
    avail()[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
    offer(3);
    CHECK(virtq_pop(&q, &c, &why) == 1, "second pop");
    virtq_push(&q, c.head, 0);
    CHECK(!virtq_should_notify(&q), "NO_INTERRUPT honoured");

    /* Malformed chains. */
    reset(false, false);
    offer(QN);
    expect_malformed("head out of range", "head descriptor index");
    reset(false, false);
    set_desc(0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
    set_desc(1, DATA, 8, VIRTQ_DESC_F_NEXT, 0);
    offer(0);
    expect_malformed("loop", "loop");
    reset(false, false);
    set_desc(0, DATA, 8, VIRTQ_DESC_F_NEXT, 9);
    offer(0);
    expect_malformed("next out of range", "next descriptor index");
    reset(false, false);
    set_desc(0, RAM_BASE + RAM_SIZE - 4, 8, 0, 0);
    offer(0);
    expect_malformed("buffer crosses RAM end", "outside");
    reset(false, false);
    set_desc(0, 0x8000000, 8, 0, 0);
    offer(0);
    expect_malformed("buffer in another partition", "outside");
    reset(false, false);
    set_desc(0, DATA, 0xffffffff, 0, 0);
    offer(0);
    expect_malformed("huge length", "outside");
    reset(false, false);
    set_desc(0, DATA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    set_desc(1, DATA, 8, 0, 0);
    offer(0);
    expect_malformed("readable after writable", "device-readable descriptor after");
    reset(false, false);
    /* K4: a zero-length writable descriptor still starts the device-writable part. */
    set_desc(0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
    set_desc(1, DATA, 0, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
    set_desc(2, DATA, 8, 0, 0);
    offer(0);
    expect_malformed("readable after an empty writable", "device-readable descriptor after");
    reset(false, false);
    avail()[1] = QN + 1;
    expect_malformed("avail index jump", "more than the queue size");

    /* Indirect descriptors. */
    reset(false, true);
    struct virtq_desc *tbl = (struct virtq_desc *)(ram + 0x8000);
    tbl[0] = (struct virtq_desc){ DATA, 4, VIRTQ_DESC_F_NEXT, 1 };
    tbl[1] = (struct virtq_desc){ DATA + 0x100, 4, VIRTQ_DESC_F_WRITE, 0 };
    set_desc(2, RAM_BASE + 0x8000, 32, VIRTQ_DESC_F_INDIRECT, 0);
    offer(2);
    CHECK(virtq_pop(&q, &c, &why) == 1 && c.n == 2 && c.in_len == 4 && c.out_len == 4,
          "indirect chain: %s", why ? why : "");
    reset(false, false);
    set_desc(2, RAM_BASE + 0x8000, 32, VIRTQ_DESC_F_INDIRECT, 0);
    offer(2);
    expect_malformed("indirect not negotiated", "without VIRTIO_RING_F_INDIRECT_DESC");
    reset(false, true);
    tbl[0] = (struct virtq_desc){ DATA, 4, VIRTQ_DESC_F_NEXT, 1 };
    tbl[1] = (struct virtq_desc){ DATA, 4, VIRTQ_DESC_F_NEXT, 0 };
    set_desc(2, RAM_BASE + 0x8000, 32, VIRTQ_DESC_F_INDIRECT, 0);
    offer(2);
    expect_malformed("loop in indirect table", "loop in indirect");
    reset(false, true);
    tbl[0] = (struct virtq_desc){ RAM_BASE + 0x8000, 16, VIRTQ_DESC_F_INDIRECT, 0 };
    set_desc(2, RAM_BASE + 0x8000, 16, VIRTQ_DESC_F_INDIRECT, 0);
    offer(2);
    expect_malformed("nested indirect", "nested");
    reset(false, true);
    set_desc(2, RAM_BASE + 0x8000, 24, VIRTQ_DESC_F_INDIRECT, 0);
    offer(2);
    expect_malformed("indirect length not a multiple of 16", "length or alignment");
    reset(false, true);
    set_desc(2, RAM_BASE + RAM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
    offer(2);
    expect_malformed("indirect table past RAM", "outside");

    /* Chain longer than the hv accepts (indirect allows up to len/16 entries). */
    reset(false, true);
    struct virtq_desc *big = (struct virtq_desc *)(ram + 0x20000);
    for (unsigned i = 0; i < 100; i++)
        big[i] = (struct virtq_desc){ DATA, 1, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1) };
    big[99].flags = 0;
    set_desc(0, RAM_BASE + 0x20000, 100 * 16, VIRTQ_DESC_F_INDIRECT, 0);
    offer(0);
    expect_malformed("chain too long", "too long");

    /* V1: a chain whose lengths add up past 4 GiB (the used length is 32 bits) is refused,
     * not counted modulo 2^32. 64 buffers of 64 MiB + 1 in a RAM of 66 MiB (calloc: the
     * pages the test does not touch are never made). */
    {
        const uint64_t big_size = 66ull << 20, piece = (64ull << 20) + 1;
        uint8_t *small_ram = ram;
        ram = calloc(1, big_size);
        mem = (struct guest_mem){ ram, RAM_BASE, big_size };
        reset(false, true);
        struct virtq_desc *tbl = (struct virtq_desc *)(ram + 0x20000);
        for (unsigned i = 0; i < 64; i++)
            tbl[i] = (struct virtq_desc){ RAM_BASE + 0x100000, (uint32_t)piece,
                                          VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1) };
        tbl[63].flags = VIRTQ_DESC_F_WRITE;
        set_desc(0, RAM_BASE + 0x20000, 64 * 16, VIRTQ_DESC_F_INDIRECT, 0);
        offer(0);
        expect_malformed("chain over 4 GiB", "longer than 4 GiB");
        /* the same chain with 64 MiB - 1 pieces is under 4 GiB and accepted */
        reset(false, true); /* clears the table too */
        for (unsigned i = 0; i < 64; i++)
            tbl[i] = (struct virtq_desc){ RAM_BASE + 0x100000, (uint32_t)(piece - 2),
                                          VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1) };
        tbl[63].flags = VIRTQ_DESC_F_WRITE;
        set_desc(0, RAM_BASE + 0x20000, 64 * 16, VIRTQ_DESC_F_INDIRECT, 0);
        offer(0);
        CHECK(virtq_pop(&q, &c, &why) == 1 && c.in_len == 64 * (uint32_t)(piece - 2),
              "chain just under 4 GiB: %s, in_len %u", why ? why : "", c.in_len);
        free(ram);
        ram = small_ram;
        mem = (struct guest_mem){ ram, RAM_BASE, RAM_SIZE };
    }

    /* EVENT_IDX: interrupt only when used_event is crossed; avail_event published. */
    reset(true, false);
    set_desc(0, DATA, 8, 0, 0);
    uint16_t *used_event = &avail()[2 + QN];
    uint16_t *avail_event = (uint16_t *)(ram + (USED - RAM_BASE) + 4 + 8 * QN);
    *used_event = 2; /* driver: interrupt me when entry 2 is used (the third) */
    for (int i = 0; i < 3; i++)
        offer(0);
    bool notified[3];
    for (int i = 0; i < 3; i++) {
        CHECK(virtq_pop(&q, &c, &why) == 1, "event-idx pop %d", i);
        virtq_push(&q, c.head, 0);
        notified[i] = virtq_should_notify(&q);
    }
    CHECK(!notified[0] && !notified[1] && notified[2], "notify pattern %d %d %d", notified[0],
          notified[1], notified[2]);
    CHECK(*avail_event == 3, "avail_event %u, want 3", *avail_event);
    /* A batch of pushes crossing used_event gives exactly one interrupt. */
    *used_event = 3;
    for (int i = 0; i < 4; i++)
        offer(0);
    for (int i = 0; i < 4; i++) {
        CHECK(virtq_pop(&q, &c, &why) == 1, "batch pop");
        virtq_push(&q, c.head, 0);
    }
    CHECK(virtq_should_notify(&q), "batch crossing used_event notifies");
    CHECK(!virtq_should_notify(&q), "no second notify without new used entries");

    free(ram);
    return unit_finish("unit-virtq");
}
