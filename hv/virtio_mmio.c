/* virtio-mmio transport, version 2 (virtio 1.x "modern" register layout). */
#include "hv.h"
#include "virtio.h"

#define VMMIO_MAGIC 0x000
#define VMMIO_VERSION 0x004
#define VMMIO_DEVICE_ID 0x008
#define VMMIO_VENDOR_ID 0x00c
#define VMMIO_DEV_FEATURES 0x010
#define VMMIO_DEV_FEATURES_SEL 0x014
#define VMMIO_DRV_FEATURES 0x020
#define VMMIO_DRV_FEATURES_SEL 0x024
#define VMMIO_QUEUE_SEL 0x030
#define VMMIO_QUEUE_NUM_MAX 0x034
#define VMMIO_QUEUE_NUM 0x038
#define VMMIO_QUEUE_READY 0x044
#define VMMIO_QUEUE_NOTIFY 0x050
#define VMMIO_INT_STATUS 0x060
#define VMMIO_INT_ACK 0x064
#define VMMIO_STATUS 0x070
#define VMMIO_QUEUE_DESC_LO 0x080
#define VMMIO_QUEUE_DESC_HI 0x084
#define VMMIO_QUEUE_DRIVER_LO 0x090
#define VMMIO_QUEUE_DRIVER_HI 0x094
#define VMMIO_QUEUE_DEVICE_LO 0x0a0
#define VMMIO_QUEUE_DEVICE_HI 0x0a4
#define VMMIO_CONFIG_GEN 0x0fc
#define VMMIO_CONFIG 0x100

#define VIRTIO_INT_USED 1
#define VIRTIO_INT_CONFIG 2

static uint64_t offered(const struct virtio_dev *d)
{
    return VIRTIO_F_VERSION_1 | VIRTIO_RING_F_EVENT_IDX | VIRTIO_RING_F_INDIRECT_DESC |
           d->ops->features | d->features_extra;
}

static void interrupt_driver(struct virtio_dev *d, uint32_t why)
{
    d->isr |= why;
    d->interrupts++;
    arch_part_irq_raise(d->part, d->line);
}

bool virtio_queue_live(const struct virtio_dev *d, unsigned q)
{
    return q < d->ops->nr_queues && d->vq[q].ready && (d->status & VIRTIO_STATUS_DRIVER_OK) &&
           !(d->status & VIRTIO_STATUS_NEEDS_RESET);
}

void virtio_dev_used(struct virtio_dev *d, unsigned q)
{
    if (virtq_should_notify(&d->vq[q]))
        interrupt_driver(d, VIRTIO_INT_USED);
}

void virtio_dev_fail(struct virtio_dev *d, const char *why)
{
    if (d->status & VIRTIO_STATUS_NEEDS_RESET)
        return;
    hv_log("partition '%s': %s: %s; device needs reset", d->part->label, d->ops->name, why);
    d->status |= VIRTIO_STATUS_NEEDS_RESET;
    interrupt_driver(d, VIRTIO_INT_CONFIG);
}

/* Whoever lets go of the lock looks for deferred work after it: with the store before the
 * trylock on the other side, one of the two CPUs always sees the other's step. */
static void run_deferred(struct virtio_dev *d)
{
    while (__atomic_load_n(&d->deferred, __ATOMIC_SEQ_CST) && spin_trylock(&d->lock)) {
        __atomic_store_n(&d->deferred, false, __ATOMIC_SEQ_CST);
        d->ops->deferred(d);
        spin_unlock(&d->lock);
    }
}

static void unlock(struct virtio_dev *d)
{
    spin_unlock(&d->lock);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (d->ops->deferred)
        run_deferred(d);
}

void virtio_dev_defer(struct virtio_dev *d)
{
    __atomic_store_n(&d->deferred, true, __ATOMIC_SEQ_CST);
    run_deferred(d);
}

static void reset_locked(struct virtio_dev *d)
{
    d->status = 0;
    d->dev_features_sel = d->drv_features_sel = 0;
    d->driver_features = 0;
    d->queue_sel = 0;
    d->isr = 0;
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
        d->vq[i] = (struct virtq){ 0 };
    if (d->ops->reset)
        d->ops->reset(d);
}

void virtio_dev_reset(struct virtio_dev *d)
{
    spin_lock(&d->lock);
    reset_locked(d);
    unlock(d);
}

static void set_status(struct virtio_dev *d, uint32_t val)
{
    if (val == 0) {
        reset_locked(d);
        return;
    }
    if ((val & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
        /* Accept only what was offered, and only modern drivers. */
        if ((d->driver_features & ~offered(d)) || !(d->driver_features & VIRTIO_F_VERSION_1))
            val &= ~VIRTIO_STATUS_FEATURES_OK;
    }
    d->status = val | (d->status & VIRTIO_STATUS_NEEDS_RESET);
}

static void queue_ready(struct virtio_dev *d, struct virtq *q, uint32_t val)
{
    const char *why;

    if (!val) {
        q->ready = false;
        return;
    }
    q->event_idx = d->driver_features & VIRTIO_RING_F_EVENT_IDX;
    q->indirect = d->driver_features & VIRTIO_RING_F_INDIRECT_DESC;
    if (q->num > d->ops->queue_max) {
        virtio_dev_fail(d, "queue size larger than QueueNumMax");
        return;
    }
    if (virtq_setup(q, &d->part->mem, &why) < 0)
        virtio_dev_fail(d, why);
}

static void set64(uint64_t *v, bool hi, uint32_t val)
{
    *v = hi ? (*v & 0xffffffffull) | (uint64_t)val << 32 : (*v & ~0xffffffffull) | val;
}

static int mmio_access(struct vcpu *v, void *ctx, uint64_t off, unsigned size, bool write,
                       uint64_t *val)
{
    struct virtio_dev *d = ctx;
    struct virtq *q;
    (void)v;

    if (off >= VMMIO_CONFIG) {
        if (write)
            return 0; /* no writable config fields in the devices we offer */
        *val = d->ops->config_read ? d->ops->config_read(d, off - VMMIO_CONFIG, size) : 0;
        return 0;
    }
    if (size != 4 || off % 4)
        return -1; /* the spec requires 32-bit accesses to the registers */

    spin_lock(&d->lock);
    q = d->queue_sel < d->ops->nr_queues ? &d->vq[d->queue_sel] : NULL;
    if (!write) {
        uint32_t r = 0;
        switch (off) {
        case VMMIO_MAGIC: r = 0x74726976; break;
        case VMMIO_VERSION: r = 2; break;
        case VMMIO_DEVICE_ID: r = d->ops->device_id; break;
        case VMMIO_VENDOR_ID: r = 0x4d4d5648; break; /* "HVMM" */
        case VMMIO_DEV_FEATURES:
            r = d->dev_features_sel < 2 ? (uint32_t)(offered(d) >> (32 * d->dev_features_sel)) : 0;
            break;
        case VMMIO_QUEUE_NUM_MAX: r = q ? d->ops->queue_max : 0; break;
        case VMMIO_QUEUE_READY: r = q ? q->ready : 0; break;
        case VMMIO_INT_STATUS: r = d->isr; break;
        case VMMIO_STATUS: r = d->status; break;
        case VMMIO_CONFIG_GEN: r = 0; break;
        default: r = 0; break; /* write-only or reserved registers read as zero */
        }
        *val = r;
        unlock(d);
        return 0;
    }

    uint32_t w = (uint32_t)*val;
    switch (off) {
    case VMMIO_DEV_FEATURES_SEL: d->dev_features_sel = w; break;
    case VMMIO_DRV_FEATURES_SEL: d->drv_features_sel = w; break;
    case VMMIO_DRV_FEATURES:
        if (d->drv_features_sel < 2 && !(d->status & VIRTIO_STATUS_FEATURES_OK))
            set64(&d->driver_features, d->drv_features_sel, w);
        break;
    case VMMIO_QUEUE_SEL: d->queue_sel = w; break;
    case VMMIO_QUEUE_NUM: if (q && !q->ready) q->num = (uint16_t)MIN(w, 0x8000u); break;
    case VMMIO_QUEUE_READY: if (q) queue_ready(d, q, w); break;
    case VMMIO_QUEUE_DESC_LO: case VMMIO_QUEUE_DESC_HI:
        if (q && !q->ready) set64(&q->desc, off == VMMIO_QUEUE_DESC_HI, w);
        break;
    case VMMIO_QUEUE_DRIVER_LO: case VMMIO_QUEUE_DRIVER_HI:
        if (q && !q->ready) set64(&q->avail, off == VMMIO_QUEUE_DRIVER_HI, w);
        break;
    case VMMIO_QUEUE_DEVICE_LO: case VMMIO_QUEUE_DEVICE_HI:
        if (q && !q->ready) set64(&q->used, off == VMMIO_QUEUE_DEVICE_HI, w);
        break;
    case VMMIO_QUEUE_NOTIFY:
        d->notifies++;
        if (virtio_queue_live(d, w))
            d->ops->notify(d, w);
        break;
    case VMMIO_INT_ACK: d->isr &= ~w; break;
    case VMMIO_STATUS: set_status(d, w); break;
    default: break; /* read-only registers ignore writes */
    }
    unlock(d);
    return 0;
}

int virtio_mmio_attach(struct virtio_dev *d, struct partition *p, unsigned line,
                       const struct virtio_dev_ops *ops, void *priv)
{
    d->part = p;
    d->ops = ops;
    d->priv = priv;
    d->line = line;
    reset_locked(d);
    return mmio_register(&p->mmio, arch_guest_dev_base(line), ARCH_GUEST_DEV_SIZE, mmio_access, d);
}
