/* virtio-mmio transport (modern only). Every register access is a single 32-bit load or
 * store instruction (see arch.h). */
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

static void mmio_notify(struct vq *vq)
{
	wr(vq->base, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
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
	unsigned n;

	wr(base, VIRTIO_MMIO_QUEUE_SEL, index);
	n = rd(base, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (n == 0 || rd(base, VIRTIO_MMIO_QUEUE_READY))
		return -1;
	if (max > VQ_MAX)
		max = VQ_MAX;
	n = n < max ? n : max;
	vq_init(vq, base, index, mem, n, event_idx, mmio_notify);
	wr(base, VIRTIO_MMIO_QUEUE_NUM, n);
	wr64(base, VIRTIO_MMIO_QUEUE_DESC, p);
	wr64(base, VIRTIO_MMIO_QUEUE_DRIVER, p + 16 * n);
	wr64(base, VIRTIO_MMIO_QUEUE_DEVICE, p + 32 * n);
	wr(base, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

/* The same as a struct vdev for the device drivers. */
static int m_negotiate(struct vdev *d, uint64_t *f) { return virtio_mmio_negotiate(d->base, f); }
static int m_queue_setup(struct vdev *d, struct vq *vq, unsigned index, void *mem, unsigned max,
			 int event_idx)
{
	return vq_setup(vq, d->base, index, mem, max, event_idx);
}
static void m_driver_ok(struct vdev *d) { virtio_mmio_driver_ok(d->base); }
static void m_set_failed(struct vdev *d) { wr(d->base, VIRTIO_MMIO_STATUS, VIRTIO_ST_FAILED); }
static uint32_t m_status(struct vdev *d) { return rd(d->base, VIRTIO_MMIO_STATUS); }

static uint32_t m_config32(struct vdev *d, unsigned off)
{
	uint32_t gen, v;

	do {
		gen = rd(d->base, VIRTIO_MMIO_CONFIG_GEN);
		v = rd(d->base, VIRTIO_MMIO_CONFIG + off);
	} while (gen != rd(d->base, VIRTIO_MMIO_CONFIG_GEN));
	return v;
}

static uint32_t m_irq_ack(struct vdev *d)
{
	uint32_t st = rd(d->base, VIRTIO_MMIO_INT_STATUS);

	wr(d->base, VIRTIO_MMIO_INT_ACK, st);
	return st & (VIRTIO_IRQ_USED | VIRTIO_IRQ_CONFIG);
}

const struct vdev_ops virtio_mmio_ops = { m_negotiate, m_queue_setup, m_driver_ok, m_set_failed,
					  m_status, m_config32, m_irq_ack };
