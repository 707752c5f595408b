/* Virtio for the guests: split virtqueues (virtqueue.c), devices on a transport (struct
 * vdev): virtio-mmio version 2 (virtio_mmio.c) or virtio-ccw (s390x/virtio_ccw.c). */
#ifndef VIRTIO_H
#define VIRTIO_H
#include <stdint.h>

#define VIRTIO_MMIO_MAGIC	0x000
#define VIRTIO_MMIO_VERSION	0x004
#define VIRTIO_MMIO_DEVICE_ID	0x008
#define VIRTIO_MMIO_DEV_FEAT	0x010
#define VIRTIO_MMIO_DEV_FEAT_SEL 0x014
#define VIRTIO_MMIO_DRV_FEAT	0x020
#define VIRTIO_MMIO_DRV_FEAT_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL	0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM	0x038
#define VIRTIO_MMIO_QUEUE_READY	0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INT_STATUS	0x060
#define VIRTIO_MMIO_INT_ACK	0x064
#define VIRTIO_MMIO_STATUS	0x070
#define VIRTIO_MMIO_QUEUE_DESC	0x080	/* low, high at +4 */
#define VIRTIO_MMIO_QUEUE_DRIVER 0x090
#define VIRTIO_MMIO_QUEUE_DEVICE 0x0a0
#define VIRTIO_MMIO_CONFIG_GEN	0x0fc
#define VIRTIO_MMIO_CONFIG	0x100

#define VIRTIO_MAGIC		0x74726976	/* "virt" */
#define VIRTIO_ST_ACK		1
#define VIRTIO_ST_DRIVER	2
#define VIRTIO_ST_DRIVER_OK	4
#define VIRTIO_ST_FEATURES_OK	8
#define VIRTIO_ST_NEEDS_RESET	64
#define VIRTIO_ST_FAILED	128
#define VIRTIO_F_EVENT_IDX	29
#define VIRTIO_F_VERSION_1	32

#define VQ_MAX	128	/* entries; the ring memory takes 40 * size + 6 bytes */
#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2

struct vring_desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct vring_used_elem { uint32_t id, len; };
struct vq_seg { uint64_t addr; uint32_t len; int device_writes; };	/* one descriptor */

/* The rings are little-endian whatever the CPU is. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define vle16(x) __builtin_bswap16(x)
#define vle32(x) __builtin_bswap32(x)
#define vle64(x) __builtin_bswap64(x)
#else
#define vle16(x) ((uint16_t)(x))
#define vle32(x) ((uint32_t)(x))
#define vle64(x) ((uint64_t)(x))
#endif

struct vq {
	uintptr_t base;			/* the transport's: mmio window, subchannel id */
	void (*notify)(struct vq *vq);	/* tell the device (vq_kick) */
	unsigned index, size, event_idx;
	uint16_t free_head, num_free, avail_idx, kicked_idx, last_used;
	volatile struct vring_desc *desc;
	volatile uint16_t *avail;	/* flags, idx, ring[size], used_event */
	volatile uint16_t *used;	/* flags, idx, then elems; avail_event after them */
	unsigned long notifies;		/* QueueNotify writes */
	void *cookie[VQ_MAX];
	uint8_t ndesc[VQ_MAX];		/* chain length, by head */
};

/* A device on its transport. */
#define VIRTIO_IRQ_USED		1
#define VIRTIO_IRQ_CONFIG	2
struct vdev;
struct vdev_ops {
	/* Reset, ACKNOWLEDGE, DRIVER, accept *features & what the device offers (VERSION_1
	 * is mandatory): 0 with *features = the accepted set, FEATURES_OK set. */
	int (*negotiate)(struct vdev *d, uint64_t *features);
	/* Queue 'index' in mem (4 KiB aligned, 40 * size + 6 bytes), at most max entries. */
	int (*queue_setup)(struct vdev *d, struct vq *vq, unsigned index, void *mem, unsigned max,
			   int event_idx);
	void (*driver_ok)(struct vdev *d);
	void (*set_failed)(struct vdev *d);
	uint32_t (*status)(struct vdev *d);
	uint32_t (*config32)(struct vdev *d, unsigned off);	/* a consistent 32-bit field */
	uint32_t (*irq_ack)(struct vdev *d);	/* VIRTIO_IRQ_*: why it interrupted, acknowledged */
};
struct vdev {
	const struct vdev_ops *ops;
	uintptr_t base;			/* mmio window, or subchannel id */
	unsigned intid;
	int edge;
};

/* virtio-mmio, also directly (hostile guests probe the registers) */
extern const struct vdev_ops virtio_mmio_ops;
int virtio_mmio_negotiate(uintptr_t base, uint64_t *features);
int vq_setup(struct vq *vq, uintptr_t base, unsigned index, void *mem, unsigned max, int event_idx);
void virtio_mmio_driver_ok(uintptr_t base);
/* The ring bookkeeping of a fresh queue of n entries in mem (zeroed here). */
void vq_init(struct vq *vq, uintptr_t base, unsigned index, void *mem, unsigned n, int event_idx,
	     void (*notify)(struct vq *));
int vq_add(struct vq *vq, void *buf, uint32_t len, int device_writes, void *cookie);
int vq_add_chain(struct vq *vq, const struct vq_seg *s, unsigned n, void *cookie);
void vq_kick(struct vq *vq);
int vq_has_used(struct vq *vq);
int vq_arm(struct vq *vq, unsigned n);
void *vq_pop(struct vq *vq, uint32_t *len);

#endif
