/* The virtio device model every transport shares: feature negotiation, status, queue set-up,
 * interrupts (through the transport), failure, reset and deferred work. The transports
 * (virtio_mmio.c, virtio_ccw.c) only turn a guest's register or channel-command accesses
 * into these calls. */
#include "hv.h"
#include "virtio.h"

uint64_t virtio_offered(const struct virtio_dev *d)
{
    return VIRTIO_F_VERSION_1 | VIRTIO_RING_F_EVENT_IDX | VIRTIO_RING_F_INDIRECT_DESC |
           d->ops->features | d->features_extra;
}

static void interrupt_driver(struct virtio_dev *d, uint32_t why, unsigned q)
{
    d->interrupts++;
    d->transport->interrupt(d, why, q);
}

bool virtio_queue_live(const struct virtio_dev *d, unsigned q)
{
    return q < d->ops->nr_queues && d->vq[q].ready && (d->status & VIRTIO_STATUS_DRIVER_OK) &&
           !(d->status & VIRTIO_STATUS_NEEDS_RESET);
}

void virtio_dev_used(struct virtio_dev *d, unsigned q)
{
    if (virtq_should_notify(&d->vq[q]))
        interrupt_driver(d, VIRTIO_INT_USED, q);
}

void virtio_dev_fail(struct virtio_dev *d, const char *why)
{
    if (d->status & VIRTIO_STATUS_NEEDS_RESET)
        return;
    hv_log("partition '%s': %s: %s; device needs reset", d->part->label, d->ops->name, why);
    d->status |= VIRTIO_STATUS_NEEDS_RESET;
    interrupt_driver(d, VIRTIO_INT_CONFIG, 0);
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

void virtio_dev_unlock(struct virtio_dev *d)
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

/* A device reset by its driver, or (power_on) the partition's reset too. */
static void reset_locked(struct virtio_dev *d, bool power_on)
{
    d->status = 0;
    d->dev_features_sel = d->drv_features_sel = 0;
    d->driver_features = 0;
    d->queue_sel = 0;
    d->isr = 0;
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
        d->vq[i] = (struct virtq){ 0 };
    if (d->transport && d->transport->reset)
        d->transport->reset(d, power_on);
    if (d->ops->reset)
        d->ops->reset(d);
}

void virtio_dev_reset(struct virtio_dev *d)
{
    spin_lock(&d->lock);
    reset_locked(d, true);
    virtio_dev_unlock(d);
}

void virtio_set_status(struct virtio_dev *d, uint32_t val)
{
    if (val == 0) {
        reset_locked(d, false);
        return;
    }
    if ((val & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
        /* Accept only what was offered, and only modern drivers. */
        if ((d->driver_features & ~virtio_offered(d)) || !(d->driver_features & VIRTIO_F_VERSION_1))
            val &= ~VIRTIO_STATUS_FEATURES_OK;
    }
    d->status = val | (d->status & VIRTIO_STATUS_NEEDS_RESET);
}

void virtio_queue_enable(struct virtio_dev *d, struct virtq *q, bool on)
{
    const char *why;

    if (!on) {
        q->ready = false;
        return;
    }
    q->event_idx = d->driver_features & VIRTIO_RING_F_EVENT_IDX;
    q->indirect = d->driver_features & VIRTIO_RING_F_INDIRECT_DESC;
    if (q->num > d->ops->queue_max) {
        virtio_dev_fail(d, "queue size larger than the device's maximum");
        return;
    }
    if (virtq_setup(q, &d->part->mem, &why) < 0)
        virtio_dev_fail(d, why);
}

void virtio_dev_notify(struct virtio_dev *d, unsigned q)
{
    d->notifies++;
    if (virtio_queue_live(d, q))
        d->ops->notify(d, q);
}

int virtio_attach(struct virtio_dev *d, struct partition *p, unsigned line,
                  const struct virtio_dev_ops *ops, void *priv)
{
    d->part = p;
    d->ops = ops;
    d->priv = priv;
    d->line = line;
    d->transport = NULL;
    reset_locked(d, true);
    return arch_virtio_attach(d);
}
