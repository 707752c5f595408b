/* virtio-blk for a partition, backed by its slice of the physical disk. Requests are
 * carried out synchronously on the notifying vcpu's own CPU, a whole batch per notify,
 * with one interrupt for the batch (EVENT_IDX). */
#include <stdio.h>

#include "blk.h"
#include "config.h"
#include "hv.h"
#include "virtio.h"

#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)
#define BOUNCE_SIZE KIB(64)
#define BATCH 16 /* requests taken off the queue before the disk sees them together */

struct vblk {
    struct virtio_dev dev;
    struct blk_slice slice;
    struct virtq_chain chain[BATCH];
    struct blk_io io[BATCH];
    struct blk_batch batch;
    uint8_t bounce[BOUNCE_SIZE] __attribute__((aligned(64)));
};

static struct vblk vblks[HV_MAX_PARTITIONS];

/* Run the batch's transfers and answer its k requests. */
static void complete(struct virtio_dev *d, struct vblk *b, unsigned k)
{
    blk_batch_run(&b->slice, &b->batch);
    for (unsigned i = 0; i < k; i++) {
        int used = blk_finish(&b->slice, &b->io[i], &b->batch);
        virtq_push(&d->vq[0], b->chain[i].head, (uint32_t)used);
        d->requests++;
    }
    b->batch.n = 0;
}

static void vblk_notify(struct virtio_dev *d, unsigned q)
{
    struct vblk *b = d->priv;
    const char *why = NULL;
    unsigned k = 0;
    int r;

    (void)q;
    b->batch.n = 0;
    while ((r = virtq_pop(&d->vq[0], &b->chain[k], &why)) > 0) {
        int p = blk_prepare(&b->slice, &b->chain[k], &b->io[k], &b->batch);
        if (p == 0) { /* the batch is full: answer it, then this request starts the next */
            complete(d, b, k);
            b->chain[0] = b->chain[k];
            k = 0;
            p = blk_prepare(&b->slice, &b->chain[0], &b->io[0], &b->batch);
        }
        if (p < 0) {
            why = "request without a status byte";
            break;
        }
        if (++k == BATCH) {
            complete(d, b, k);
            k = 0;
        }
    }
    complete(d, b, k);
    if (why)
        virtio_dev_fail(d, why);
    virtio_dev_used(d, 0);
}

static uint64_t vblk_config(struct virtio_dev *d, uint64_t off, unsigned size)
{
    struct vblk *b = d->priv;
    uint64_t cap = b->slice.sectors;

    /* capacity (le64) at offset 0; nothing else is offered */
    if (off == 0)
        return size == 8 ? cap : (uint32_t)cap;
    if (off == 4 && size == 4)
        return cap >> 32;
    return 0;
}

static const struct virtio_dev_ops vblk_ops = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .features = VIRTIO_BLK_F_FLUSH,
    .nr_queues = 1,
    .queue_max = 256,
    .notify = vblk_notify,
    .config_read = vblk_config,
};

struct virtio_dev *virtio_blk_create(struct partition *p, unsigned line, struct disk *disk)
{
    struct vblk *b = &vblks[p->id];
    const struct part_config *pc = p->cfg;

    b->slice = (struct blk_slice){ .disk = disk, .start = pc->block_start,
                                   .sectors = pc->block_sectors, .read_only = pc->block_read_only,
                                   .bounce = b->bounce, .bounce_size = BOUNCE_SIZE };
    snprintf(b->slice.id, sizeof(b->slice.id), "hv-%s", p->label);
    b->dev.features_extra = pc->block_read_only ? VIRTIO_BLK_F_RO : 0;
    if (virtio_attach(&b->dev, p, line, &vblk_ops, b) < 0)
        return NULL;
    return &b->dev;
}
