/* Fuzz harness: the device side of a split virtqueue (hv/virtq.c) reading whatever a guest
 * put in its RAM. Input: a 16-byte queue description, then the RAM image.
 *   [0] flags: 1 EVENT_IDX, 2 INDIRECT_DESC, 4 64 MiB of RAM (else 64 KiB)
 *   [1] requests to take at most (+1)   [2..3] queue size   [4..15] desc, avail, used as
 *   signed 32-bit offsets from the RAM base
 * Every chain the device accepts must lie in guest RAM, add up to its lengths and keep
 * device-readable buffers before device-writable ones (virtio 1.2, 2.7.4.2). */
#include <string.h>

#include "fuzz.h"
#include "guest_ram.h"
#include "virtq.h"

#define RAM_BASE 0x40000000ull

static void check_chain(const struct guest_ram *ram, const struct virtq *q,
                        const struct virtq_chain *c)
{
    uint64_t out = 0, in = 0;
    bool seen_writable = false;

    FUZZ_CHECK(c->head < q->num, "head %u, queue size %u", c->head, q->num);
    FUZZ_CHECK(c->n >= 1 && c->n <= VIRTQ_MAX_CHAIN, "%u buffers", c->n);
    for (unsigned i = 0; i < c->n; i++) {
        const struct virtq_buf *b = &c->buf[i];
        FUZZ_CHECK(guest_ram_holds(ram, b->addr, b->len), "buffer %u (%u bytes) outside RAM", i,
                   b->len);
        if (b->writable) {
            in += b->len;
            seen_writable = true;
            continue;
        }
        out += b->len;
        FUZZ_CHECK(!seen_writable, "device-readable buffer %u after a device-writable one", i);
    }
    FUZZ_CHECK(c->out_len == out && c->in_len == in,
               "chain lengths out %u in %u, buffers add up to out %llu in %llu", c->out_len,
               c->in_len, (unsigned long long)out, (unsigned long long)in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct guest_ram small, big;
    static uint8_t pattern[64]; /* a few bytes into every chain: copying more costs speed */
    struct fuzz_in in = { data, size };

    if (!small.host) {
        guest_ram_init(&small, RAM_BASE, 64 << 10);
        guest_ram_init(&big, RAM_BASE, 64 << 20);
        for (unsigned i = 0; i < sizeof(pattern); i++)
            pattern[i] = (uint8_t)(i * 13 + 1);
    }
    unsigned flags = fuzz_take(&in, 1), rounds = fuzz_take(&in, 1) + 1;
    struct virtq q = { .num = fuzz_take(&in, 2), .event_idx = flags & 1, .indirect = flags & 2 };
    q.desc = RAM_BASE + (int32_t)fuzz_take(&in, 4);
    q.avail = RAM_BASE + (int32_t)fuzz_take(&in, 4);
    q.used = RAM_BASE + (int32_t)fuzz_take(&in, 4);
    struct guest_ram *ram = flags & 4 ? &big : &small;
    guest_ram_load(ram, in.p, in.left);

    const char *why = NULL;
    if (virtq_setup(&q, &ram->mem, &why) < 0) {
        FUZZ_CHECK(why != NULL, "setup failed without a reason");
        return 0;
    }
    /* the used ring and avail_event, which the device writes */
    guest_ram_dirty(ram, ram->host + (q.used - RAM_BASE), 4 + 8u * q.num + 2);
    for (unsigned r = 0; r < rounds; r++) {
        struct virtq_chain c;
        why = NULL;
        int got = virtq_pop(&q, &c, &why);
        if (got < 0)
            FUZZ_CHECK(why != NULL, "malformed chain without a reason");
        if (got <= 0)
            break; /* a malformed queue is not used again until the driver resets it */
        check_chain(ram, &q, &c);
        uint32_t want = MIN(c.in_len, (uint32_t)sizeof(pattern));
        for (unsigned i = 0, left = want; i < c.n && left; i++)
            if (c.buf[i].writable) {
                guest_ram_dirty(ram, c.buf[i].addr, MIN(c.buf[i].len, left));
                left -= MIN(c.buf[i].len, left);
            }
        uint32_t done = virtq_chain_write(&c, pattern, want);
        FUZZ_CHECK(done == want, "wrote %u of %u bytes into the writable buffers", done, want);
        virtq_push(&q, c.head, done);
        virtq_should_notify(&q);
    }
    return 0;
}
