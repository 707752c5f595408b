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

struct vblk {
    struct virtio_dev dev;
    struct blk_slice slice;
    uint8_t bounce[BOUNCE_SIZE] __attribute__((aligned(64)));
};

static struct vblk vblks[HV_MAX_PARTITIONS];

static void vblk_notify(struct virtio_dev *d, unsigned q)
{
    struct vblk *b = d->priv;
    struct virtq_chain ch;
    const char *why;
    int r;

    (void)q;
    while ((r = virtq_pop(&d->vq[0], &ch, &why)) > 0) {
        int used = blk_execute(&b->slice, &ch);
        if (used < 0) {
            virtio_dev_fail(d, "request without a status byte");
            return;
        }
        virtq_push(&d->vq[0], ch.head, (uint32_t)used);
        d->requests++;
    }
    if (r < 0)
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

static const struct virtio_dev_ops vblk_ops_rw = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .features = VIRTIO_BLK_F_FLUSH,
    .nr_queues = 1,
    .queue_max = 256,
    .notify = vblk_notify,
    .config_read = vblk_config,
};

static const struct virtio_dev_ops vblk_ops_ro = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .features = VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_RO,
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
    if (virtio_mmio_attach(&b->dev, p, line, pc->block_read_only ? &vblk_ops_ro : &vblk_ops_rw, b) < 0)
        return NULL;
    return &b->dev;
}
