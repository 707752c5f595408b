/* virtio-console (one port, no MULTIPORT): transmit goes to the console multiplexer,
 * console input is queued here and copied into the guest's receive buffers. The input side
 * never waits for the device lock (a partition may hold it for a long transmit): it queues
 * under in_lock, which guards only the queue, and defers the delivery to the lock holder. */
#include "console.h"
#include "hv.h"
#include "virtio.h"

#define RXQ 0
#define TXQ 1
#define INPUT_MAX 256

struct vcons {
    struct virtio_dev dev;
    spinlock_t in_lock;          /* in[], in_head, in_len */
    char in[INPUT_MAX];          /* input waiting for receive buffers (ring) */
    unsigned in_head, in_len;
    uint64_t in_dropped;
};

static struct vcons consoles[HV_MAX_PARTITIONS];

static void deliver_input(struct virtio_dev *d)
{
    struct vcons *c = d->priv;
    struct virtq_chain ch;
    const char *why;
    bool any = false;

    spin_lock(&c->in_lock);
    while (c->in_len && virtio_queue_live(d, RXQ)) {
        int r = virtq_pop(&d->vq[RXQ], &ch, &why);
        if (r < 0) {
            virtio_dev_fail(d, why);
            break;
        }
        if (r == 0)
            break; /* no buffer: keep the input until the guest posts one */
        uint32_t done = 0;
        for (unsigned i = 0; i < ch.n && c->in_len; i++) {
            struct virtq_buf *b = &ch.buf[i];
            for (uint32_t k = 0; b->writable && k < b->len && c->in_len; k++) {
                b->addr[k] = c->in[c->in_head];
                c->in_head = (c->in_head + 1) % INPUT_MAX;
                c->in_len--;
                done++;
            }
        }
        virtq_push(&d->vq[RXQ], ch.head, done);
        any = true;
    }
    spin_unlock(&c->in_lock);
    if (any)
        virtio_dev_used(d, RXQ);
}

static void transmit(struct virtio_dev *d)
{
    struct virtq_chain ch;
    const char *why;
    int r;

    while ((r = virtq_pop(&d->vq[TXQ], &ch, &why)) > 0) {
        for (unsigned i = 0; i < ch.n; i++)
            if (!ch.buf[i].writable)
                console_part_write(d->part, ch.buf[i].addr, ch.buf[i].len);
        virtq_push(&d->vq[TXQ], ch.head, 0);
        d->requests++;
    }
    if (r < 0)
        virtio_dev_fail(d, why);
    virtio_dev_used(d, TXQ);
}

static void vcons_notify(struct virtio_dev *d, unsigned q)
{
    if (q == TXQ)
        transmit(d);
    else
        deliver_input(d);
}

static void vcons_reset(struct virtio_dev *d)
{
    (void)d; /* pending input survives a driver reset: it was typed for this partition */
}

static uint64_t vcons_config(struct virtio_dev *d, uint64_t off, unsigned size)
{
    (void)d, (void)off, (void)size;
    return 0; /* cols, rows, max_nr_ports: not offered (no SIZE or MULTIPORT feature) */
}

static const struct virtio_dev_ops vcons_ops = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .features = 0,
    .nr_queues = 2,
    .queue_max = 256,
    .notify = vcons_notify,
    .reset = vcons_reset,
    .deferred = deliver_input,
    .config_read = vcons_config,
};

struct virtio_dev *virtio_console_create(struct partition *p, unsigned line)
{
    struct vcons *c = &consoles[p->id];

    if (virtio_attach(&c->dev, p, line, &vcons_ops, c) < 0)
        return NULL;
    return &c->dev;
}

void virtio_console_input(struct virtio_dev *d, const char *s, unsigned n)
{
    struct vcons *c = d->priv;
    bool first_drop = false;

    spin_lock(&c->in_lock);
    for (unsigned i = 0; i < n; i++) {
        if (c->in_len == INPUT_MAX) {
            first_drop |= c->in_dropped++ == 0;
            continue;
        }
        c->in[(c->in_head + c->in_len) % INPUT_MAX] = s[i];
        c->in_len++;
    }
    spin_unlock(&c->in_lock);
    if (first_drop)
        hv_log("partition '%s': console input buffer full (%d bytes); dropping input until "
               "the guest reads", d->part->label, INPUT_MAX);
    virtio_dev_defer(d);
}
