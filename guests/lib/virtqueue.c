/* Split virtqueues: descriptor table, available and used rings, in guest memory the
 * driver owns; every ring field is little-endian (vle*). */
#include <string.h>
#include "virtio.h"
#include "internal.h"

/* Ring memory (mem, 4 KiB aligned): descriptors at 0, avail at 16 * size,
 * used at 32 * size; 40 * size + 6 bytes in all (4 KiB up to 64 entries,
 * 8 KiB up to 128). Zeroed: a re-initialised queue restarts at index 0. */
void vq_init(struct vq *vq, uintptr_t base, unsigned index, void *mem, unsigned n, int event_idx,
	     void (*notify)(struct vq *))
{
	uintptr_t p = (uintptr_t)mem;

	memset(mem, 0, 40 * n + 6);
	*vq = (struct vq){ .base = base, .notify = notify, .index = index, .event_idx = event_idx,
		.size = n, .desc = (void *)p, .avail = (void *)(p + 16 * n),
		.used = (void *)(p + 32 * n) };
	vq->num_free = n;
	for (unsigned i = 0; i < n; i++)
		vq->desc[i].next = vle16(i + 1);
	wmb();
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
		vq->desc[i].addr = vle64(s[k].addr);
		vq->desc[i].len = vle32(s[k].len);
		vq->desc[i].flags = vle16((s[k].device_writes ? VRING_DESC_F_WRITE : 0) |
					  (k + 1 < n ? VRING_DESC_F_NEXT : 0));
		if (k + 1 < n)
			i = vle16(vq->desc[i].next);
	}
	vq->free_head = vle16(vq->desc[i].next);
	vq->num_free -= n;
	vq->ndesc[head] = n;
	vq->cookie[head] = cookie;
	vq->avail[2 + vq->avail_idx % vq->size] = vle16(head);
	wmb();			/* descriptors and ring slot before the index */
	vq->avail[1] = vle16(++vq->avail_idx);
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
		need = (uint16_t)(new - vle16(vq->used[2 + 4 * vq->size]) - 1) < (uint16_t)(new - old);
	else
		need = !(vle16(vq->used[0]) & 1);
	if (need) {
		vq->notify(vq);
		vq->notifies++;
	}
}

/* True if a used buffer is waiting. When false, ask for an interrupt on the
 * next one (used_event) and re-check, closing the race with the device. */
int vq_has_used(struct vq *vq)
{
	if (vq->last_used != vle16(vq->used[1]))
		return 1;
	if (!vq->event_idx)
		return 0;
	vq->avail[2 + vq->size] = vle16(vq->last_used);
	mb();
	return vq->last_used != vle16(vq->used[1]);
}

/* Ask for an interrupt once n more buffers are used (n >= 1; without
 * EVENT_IDX every one interrupts anyway). True if one is already waiting. */
int vq_arm(struct vq *vq, unsigned n)
{
	if (vq->event_idx) {
		vq->avail[2 + vq->size] = vle16(vq->last_used + n - 1);
		mb();
	}
	return vq->last_used != vle16(vq->used[1]);
}

void *vq_pop(struct vq *vq, uint32_t *len)
{
	volatile struct vring_used_elem *e;
	uint16_t id, t;
	unsigned k;

	if (vq->last_used == vle16(vq->used[1]))
		return 0;
	rmb();			/* index before the element it covers */
	e = (volatile struct vring_used_elem *)(vq->used + 2) + vq->last_used++ % vq->size;
	id = (uint16_t)vle32(e->id);
	if (id >= vq->size || !vq->ndesc[id])
		return 0;	/* not a head we queued: ignore it */
	if (len)
		*len = vle32(e->len);
	for (t = id, k = 1; k < vq->ndesc[id]; k++)
		t = vle16(vq->desc[t].next);
	vq->desc[t].next = vle16(vq->free_head);
	vq->free_head = id;
	vq->num_free += vq->ndesc[id];
	vq->ndesc[id] = 0;
	return vq->cookie[id];
}
