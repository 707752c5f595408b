/* virtio-mmio transport, version 2 (virtio 1.x "modern" register layout): a register window
 * per device, an interrupt line with an interrupt status register. */
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
            r = d->dev_features_sel < 2 ? (uint32_t)(virtio_offered(d) >> (32 * d->dev_features_sel)) : 0;
            break;
        case VMMIO_QUEUE_NUM_MAX: r = q ? d->ops->queue_max : 0; break;
        case VMMIO_QUEUE_READY: r = q ? q->ready : 0; break;
        case VMMIO_INT_STATUS: r = d->isr; break;
        case VMMIO_STATUS: r = d->status; break;
        case VMMIO_CONFIG_GEN: r = 0; break;
        default: r = 0; break; /* write-only or reserved registers read as zero */
        }
        *val = r;
        virtio_dev_unlock(d);
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
    case VMMIO_QUEUE_READY: if (q) virtio_queue_enable(d, q, w != 0); break;
    case VMMIO_QUEUE_DESC_LO: case VMMIO_QUEUE_DESC_HI:
        if (q && !q->ready) set64(&q->desc, off == VMMIO_QUEUE_DESC_HI, w);
        break;
    case VMMIO_QUEUE_DRIVER_LO: case VMMIO_QUEUE_DRIVER_HI:
        if (q && !q->ready) set64(&q->avail, off == VMMIO_QUEUE_DRIVER_HI, w);
        break;
    case VMMIO_QUEUE_DEVICE_LO: case VMMIO_QUEUE_DEVICE_HI:
        if (q && !q->ready) set64(&q->used, off == VMMIO_QUEUE_DEVICE_HI, w);
        break;
    case VMMIO_QUEUE_NOTIFY: virtio_dev_notify(d, w); break;
    case VMMIO_INT_ACK: d->isr &= ~w; break;
    case VMMIO_STATUS: virtio_set_status(d, w); break;
    default: break; /* read-only registers ignore writes */
    }
    virtio_dev_unlock(d);
    return 0;
}

static void mmio_interrupt(struct virtio_dev *d, uint32_t why, unsigned q)
{
    (void)q;
    d->isr |= why;
    arch_part_irq_raise(d->part, d->line);
}

static const struct virtio_transport mmio_transport = { "virtio-mmio", mmio_interrupt, NULL };

int virtio_mmio_attach(struct virtio_dev *d, gpaddr_t base)
{
    d->transport = &mmio_transport;
    return mmio_register(&d->part->mmio, base, VIRTIO_MMIO_WINDOW_SIZE, mmio_access, d);
}
