/* virtio-mmio transport (modern only) and split virtqueue bookkeeping. Every
 * register access is a single 32-bit load or store instruction (see arch.h). */
#include <string.h>
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

/* Ring memory (mem, 4 KiB aligned): descriptors at 0, avail at 16 * size,
 * used at 32 * size; 40 * size + 6 bytes in all (4 KiB up to 64 entries,
 * 8 KiB up to 128). Zeroed: a re-initialised queue restarts at index 0. */
int vq_setup(struct vq *vq, uintptr_t base, unsigned index, void *mem, unsigned max, int event_idx)
{
	uintptr_t p = (uintptr_t)mem;
	unsigned n, i;

	wr(base, VIRTIO_MMIO_QUEUE_SEL, index);
	n = rd(base, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (n == 0 || rd(base, VIRTIO_MMIO_QUEUE_READY))
		return -1;
	if (max > VQ_MAX)
		max = VQ_MAX;
	n = n < max ? n : max;
	memset(mem, 0, 40 * n + 6);
	*vq = (struct vq){ .base = base, .index = index, .event_idx = event_idx, .size = n,
		.desc = (void *)p, .avail = (void *)(p + 16 * n), .used = (void *)(p + 32 * n) };
	vq->num_free = n;
	for (i = 0; i < n; i++)
		vq->desc[i].next = i + 1;
	wmb();
	wr(base, VIRTIO_MMIO_QUEUE_NUM, n);
	wr64(base, VIRTIO_MMIO_QUEUE_DESC, p);
	wr64(base, VIRTIO_MMIO_QUEUE_DRIVER, p + 16 * n);
	wr64(base, VIRTIO_MMIO_QUEUE_DEVICE, p + 32 * n);
	wr(base, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

/* Queue one buffer made of n descriptors (not yet notified: see vq_kick).
 * Free descriptors are linked through .next, so a chain just takes the first
 * n of the free list and sets NEXT on all but the last. */
int vq_add_chain(struct vq *vq, const struct vq_seg *s, unsigned n, void *cookie)
{
	uint16_t head = vq->free_head, i = head;
	unsigned k;

	if (!n || vq->num_free < n)
		return -1;
	for (k = 0; k < n; k++) {
		vq->desc[i].addr = s[k].addr;
		vq->desc[i].len = s[k].len;
		vq->desc[i].flags = (s[k].device_writes ? VRING_DESC_F_WRITE : 0) |
				    (k + 1 < n ? VRING_DESC_F_NEXT : 0);
		if (k + 1 < n)
			i = vq->desc[i].next;
	}
	vq->free_head = vq->desc[i].next;
	vq->num_free -= n;
	vq->ndesc[head] = n;
	vq->cookie[head] = cookie;
	vq->avail[2 + vq->avail_idx % vq->size] = head;
	wmb();			/* descriptors and ring slot before the index */
	vq->avail[1] = ++vq->avail_idx;
	return 0;
}

int vq_add(struct vq *vq, void *buf, uint32_t len, int device_writes, void *cookie)
{
	struct vq_seg s = { (uintptr_t)buf, len, device_writes };

	return vq_add_chain(vq, &s, 1, cookie);
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
	if (need) {
		wr(vq->base, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
		vq->notifies++;
	}
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

/* Ask for an interrupt once n more buffers are used (n >= 1; without
 * EVENT_IDX every one interrupts anyway). True if one is already waiting. */
int vq_arm(struct vq *vq, unsigned n)
{
	if (vq->event_idx) {
		vq->avail[2 + vq->size] = vq->last_used + n - 1;
		mb();
	}
	return vq->last_used != vq->used[1];
}

void *vq_pop(struct vq *vq, uint32_t *len)
{
	volatile struct vring_used_elem *e;
	uint16_t id, t;
	unsigned k;

	if (vq->last_used == vq->used[1])
		return 0;
	rmb();			/* index before the element it covers */
	e = (volatile struct vring_used_elem *)(vq->used + 2) + vq->last_used++ % vq->size;
	id = e->id;
	if (id >= vq->size || !vq->ndesc[id])
		return 0;	/* not a head we queued: ignore it */
	if (len)
		*len = e->len;
	for (t = id, k = 1; k < vq->ndesc[id]; k++)
		t = vq->desc[t].next;
	vq->desc[t].next = vq->free_head;
	vq->free_head = id;
	vq->num_free += vq->ndesc[id];
	vq->ndesc[id] = 0;
	return vq->cookie[id];
}
