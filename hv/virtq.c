/* Split virtqueue, device side. Everything the guest wrote is untrusted: indices, lengths,
 * addresses and chain shapes are checked before the hv touches a byte. */
#include "virtq.h"

#define RING_AVAIL_SIZE(n) (4u + 2u * (n) + 2u)   /* flags, idx, ring[n], used_event */
#define RING_USED_SIZE(n) (4u + 8u * (n) + 2u)    /* flags, idx, ring[n], avail_event */

static inline uint16_t rd16(const void *p)
{
    return le16_to_cpu(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

static inline void wr16(void *p, uint16_t v)
{
    __atomic_store_n((uint16_t *)p, cpu_to_le16(v), __ATOMIC_RELAXED);
}

int virtq_setup(struct virtq *q, const struct guest_mem *mem, const char **why)
{
    if (q->num == 0 || (q->num & (q->num - 1))) {
        *why = "queue size is not a power of two";
        return -1;
    }
    if (q->desc % 16 || q->avail % 2 || q->used % 4) {
        *why = "ring address misaligned";
        return -1;
    }
    if (!guest_ptr(mem, q->desc, 16ull * q->num) || !guest_ptr(mem, q->avail, RING_AVAIL_SIZE(q->num)) ||
        !guest_ptr(mem, q->used, RING_USED_SIZE(q->num))) {
        *why = "ring outside the partition's memory";
        return -1;
    }
    q->mem = mem;
    q->last_avail = q->used_idx = q->signalled = 0;
    q->ready = true;
    return 0;
}

static uint8_t *avail_ring(struct virtq *q)
{
    return guest_ptr(q->mem, q->avail, RING_AVAIL_SIZE(q->num));
}

static uint8_t *used_ring(struct virtq *q)
{
    return guest_ptr(q->mem, q->used, RING_USED_SIZE(q->num));
}

static int add_buf(struct virtq *q, struct virtq_chain *c, const struct virtq_desc *d,
                   const char **why)
{
    uint64_t addr = le64_to_cpu(d->addr);
    uint32_t len = le32_to_cpu(d->len);
    bool w = le16_to_cpu(d->flags) & VIRTQ_DESC_F_WRITE;

    if (c->n == VIRTQ_MAX_CHAIN) {
        *why = "descriptor chain too long";
        return -1;
    }
    /* Order is by flag, not by length: an empty writable buffer still ends the readable part. */
    if (!w && c->n && c->buf[c->n - 1].writable) {
        *why = "device-readable descriptor after a device-writable one";
        return -1;
    }
    if ((uint64_t)c->in_len + c->out_len + len > UINT32_MAX) {
        *why = "descriptor chain longer than 4 GiB"; /* the used length is 32 bits */
        return -1;
    }
    uint8_t *p = guest_ptr(q->mem, addr, len);
    if (!p) {
        *why = "buffer outside the partition's memory";
        return -1;
    }
    c->buf[c->n++] = (struct virtq_buf){ p, len, w };
    if (w)
        c->in_len += len;
    else
        c->out_len += len;
    return 0;
}

static int walk_indirect(struct virtq *q, struct virtq_chain *c, const struct virtq_desc *d,
                         const char **why)
{
    uint64_t addr = le64_to_cpu(d->addr);
    uint32_t len = le32_to_cpu(d->len);

    if (!q->indirect) {
        *why = "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC";
        return -1;
    }
    if (le16_to_cpu(d->flags) & VIRTQ_DESC_F_NEXT) {
        *why = "indirect descriptor with NEXT set";
        return -1;
    }
    if (len == 0 || len % 16 || addr % 16) {
        *why = "indirect table length or alignment invalid";
        return -1;
    }
    const struct virtq_desc *t = guest_ptr(q->mem, addr, len);
    if (!t) {
        *why = "indirect table outside the partition's memory";
        return -1;
    }
    unsigned n = len / 16, i = 0;
    for (unsigned count = 0;; count++) {
        struct virtq_desc e = t[i];
        uint16_t f = le16_to_cpu(e.flags);
        if (count == n) {
            *why = "loop in indirect descriptor table";
            return -1;
        }
        if (f & VIRTQ_DESC_F_INDIRECT) {
            *why = "nested indirect descriptor";
            return -1;
        }
        if (add_buf(q, c, &e, why) < 0)
            return -1;
        if (!(f & VIRTQ_DESC_F_NEXT))
            return 0;
        i = le16_to_cpu(e.next);
        if (i >= n) {
            *why = "indirect next index out of range";
            return -1;
        }
    }
}

int virtq_pop(struct virtq *q, struct virtq_chain *c, const char **why)
{
    uint8_t *avail = avail_ring(q);
    const struct virtq_desc *desc = guest_ptr(q->mem, q->desc, 16ull * q->num);

    if (!q->ready || !avail || !desc) {
        *why = "queue not set up";
        return -1;
    }
    uint16_t idx = rd16(avail + 2);
    uint16_t waiting = idx - q->last_avail;
    if (waiting == 0)
        return 0;
    if (waiting > q->num) {
        *why = "available index moved by more than the queue size";
        return -1;
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* ring entries after the index */

    uint16_t head = rd16(avail + 4 + 2 * (q->last_avail % q->num));
    if (head >= q->num) {
        *why = "head descriptor index out of range";
        return -1;
    }
    c->head = head;
    c->n = 0;
    c->out_len = c->in_len = 0;

    unsigned i = head;
    for (unsigned count = 0;; count++) {
        struct virtq_desc d = desc[i];
        uint16_t f = le16_to_cpu(d.flags);
        if (count == q->num) {
            *why = "loop in descriptor chain";
            return -1;
        }
        if (f & VIRTQ_DESC_F_INDIRECT) {
            if (c->n) {
                *why = "indirect descriptor inside a chain";
                return -1;
            }
            if (walk_indirect(q, c, &d, why) < 0)
                return -1;
            break;
        }
        if (add_buf(q, c, &d, why) < 0)
            return -1;
        if (!(f & VIRTQ_DESC_F_NEXT))
            break;
        i = le16_to_cpu(d.next);
        if (i >= q->num) {
            *why = "next descriptor index out of range";
            return -1;
        }
    }
    q->last_avail++;
    if (q->event_idx) /* avail_event: interrupt-free until the driver passes this index */
        wr16(used_ring(q) + 4 + 8 * q->num, q->last_avail);
    return 1;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
    uint8_t *used = used_ring(q);
    uint8_t *e = used + 4 + 8 * (q->used_idx % q->num);

    __atomic_store_n((uint32_t *)e, cpu_to_le32(head), __ATOMIC_RELAXED);
    __atomic_store_n((uint32_t *)(e + 4), cpu_to_le32(len), __ATOMIC_RELAXED);
    q->used_idx++;
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the entry before the index */
    wr16(used + 2, q->used_idx);
}

bool virtq_should_notify(struct virtq *q)
{
    uint8_t *avail = avail_ring(q);
    uint16_t old = q->signalled, new = q->used_idx;

    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* used->idx visible before reading used_event */
    if (old == new)
        return false;
    q->signalled = new;
    if (q->event_idx) {
        uint16_t used_event = rd16(avail + 4 + 2 * q->num);
        return (uint16_t)(new - used_event - 1) < (uint16_t)(new - old);
    }
    return !(rd16(avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

uint32_t virtq_chain_write(struct virtq_chain *c, const void *data, uint32_t len)
{
    const uint8_t *src = data;
    uint32_t done = 0;

    for (unsigned i = 0; i < c->n && done < len; i++) {
        struct virtq_buf *b = &c->buf[i];
        if (!b->writable)
            continue;
        uint32_t n = MIN(b->len, len - done);
        for (uint32_t k = 0; k < n; k++)
            b->addr[k] = src[done + k];
        done += n;
    }
    return done;
}
