/* virtio-mmio transport (modern only) and split virtqueue bookkeeping. Every
 * register access is a single 32-bit ldr/str (see arch.h). */
#include "virtio.h"
#include "internal.h"

static inline uint32_t rd(uintptr_t base, unsigned off) { return mmio_read32(base + off); }
static inline void wr(uintptr_t base, unsigned off, uint32_t v) { mmio_write32(base + off, v); }

/* Reset, ACKNOWLEDGE, DRIVER, then accept *features & what the device offers.
 * VERSION_1 is mandatory. Returns 0 with *features = the accepted set. */
int virtio_mmio_negotiate(uintptr_t base, uint64_t *features)
{
	uint64_t dev;

	wr(base, VIRTIO_MMIO_STATUS, 0);
	while (rd(base, VIRTIO_MMIO_STATUS) != 0)
		;
	wr(base, VIRTIO_MMIO_STATUS, VIRTIO_ST_ACK);
	wr(base, VIRTIO_MMIO_STATUS, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER);
	wr(base, VIRTIO_MMIO_DEV_FEAT_SEL, 1);
	dev = (uint64_t)rd(base, VIRTIO_MMIO_DEV_FEAT) << 32;
	wr(base, VIRTIO_MMIO_DEV_FEAT_SEL, 0);
	dev |= rd(base, VIRTIO_MMIO_DEV_FEAT);
	if (!(dev & (1ull << VIRTIO_F_VERSION_1)))
		goto fail;
	*features &= dev;
	wr(base, VIRTIO_MMIO_DRV_FEAT_SEL, 1);
	wr(base, VIRTIO_MMIO_DRV_FEAT, *features >> 32);
	wr(base, VIRTIO_MMIO_DRV_FEAT_SEL, 0);
	wr(base, VIRTIO_MMIO_DRV_FEAT, (uint32_t)*features);
	wr(base, VIRTIO_MMIO_STATUS, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER | VIRTIO_ST_FEATURES_OK);
	if (rd(base, VIRTIO_MMIO_STATUS) & VIRTIO_ST_FEATURES_OK)
		return 0;
fail:
	wr(base, VIRTIO_MMIO_STATUS, VIRTIO_ST_FAILED);
	return -1;
}

void virtio_mmio_driver_ok(uintptr_t base)
{
	wr(base, VIRTIO_MMIO_STATUS, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER |
	   VIRTIO_ST_FEATURES_OK | VIRTIO_ST_DRIVER_OK);
}

static void wr64(uintptr_t base, unsigned off, uint64_t v)
{
	wr(base, off, (uint32_t)v);
	wr(base, off + 4, v >> 32);
}

/* One 4 KiB page per queue: descriptors at 0, avail at 1024, used at 2048. */
int vq_setup(struct vq *vq, uintptr_t base, unsigned index, void *page, int event_idx)
{
	uintptr_t p = (uintptr_t)page;
	unsigned max, i;

	wr(base, VIRTIO_MMIO_QUEUE_SEL, index);
	max = rd(base, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max == 0 || rd(base, VIRTIO_MMIO_QUEUE_READY))
		return -1;
	*vq = (struct vq){ .base = base, .index = index, .event_idx = event_idx,
		.size = max < VQ_MAX ? max : VQ_MAX,
		.desc = (void *)p, .avail = (void *)(p + 1024), .used = (void *)(p + 2048) };
	vq->num_free = vq->size;
	for (i = 0; i < vq->size; i++)
		vq->desc[i].next = i + 1;
	wr(base, VIRTIO_MMIO_QUEUE_NUM, vq->size);
	wr64(base, VIRTIO_MMIO_QUEUE_DESC, p);
	wr64(base, VIRTIO_MMIO_QUEUE_DRIVER, p + 1024);
	wr64(base, VIRTIO_MMIO_QUEUE_DEVICE, p + 2048);
	wr(base, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

/* Queue one single-descriptor buffer (not yet notified: see vq_kick). */
int vq_add(struct vq *vq, void *buf, uint32_t len, int device_writes, void *cookie)
{
	uint16_t head = vq->free_head;

	if (!vq->num_free)
		return -1;
	vq->free_head = vq->desc[head].next;
	vq->num_free--;
	vq->desc[head].addr = (uintptr_t)buf;
	vq->desc[head].len = len;
	vq->desc[head].flags = device_writes ? VRING_DESC_F_WRITE : 0;
	vq->cookie[head] = cookie;
	vq->avail[2 + vq->avail_idx % vq->size] = head;
	wmb();			/* descriptor and ring slot before the index */
	vq->avail[1] = ++vq->avail_idx;
	return 0;
}

/* Notify unless the device asked not to be (avail_event / NO_NOTIFY). */
void vq_kick(struct vq *vq)
{
	uint16_t new = vq->avail_idx, old = vq->kicked_idx;
	int need;

	if (new == old)
		return;
	mb();			/* publish avail->idx before reading the device's hint */
	vq->kicked_idx = new;
	if (vq->event_idx)
		need = (uint16_t)(new - vq->used[2 + 4 * vq->size] - 1) < (uint16_t)(new - old);
	else
		need = !(vq->used[0] & 1);
	if (need)
		wr(vq->base, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
}

/* True if a used buffer is waiting. When false, ask for an interrupt on the
 * next one (used_event) and re-check, closing the race with the device. */
int vq_has_used(struct vq *vq)
{
	if (vq->last_used != vq->used[1])
		return 1;
	if (!vq->event_idx)
		return 0;
	vq->avail[2 + vq->size] = vq->last_used;
	mb();
	return vq->last_used != vq->used[1];
}

void *vq_pop(struct vq *vq, uint32_t *len)
{
	volatile struct vring_used_elem *e;
	uint16_t id;

	if (vq->last_used == vq->used[1])
		return 0;
	rmb();			/* index before the element it covers */
	e = (volatile struct vring_used_elem *)(vq->used + 2) + vq->last_used++ % vq->size;
	id = e->id;
	if (len)
		*len = e->len;
	vq->desc[id].next = vq->free_head;
	vq->free_head = id;
	vq->num_free++;
	return vq->cookie[id];
}
