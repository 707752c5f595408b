/* Virtio devices the hv emulates for partitions: one device model (virtio_dev.c) on the
 * transport the arch gives its partitions (arch_virtio_attach): virtio-mmio (version 2) on
 * aarch64 and x86_64, virtio-ccw on s390x. */
#ifndef HV_VIRTIO_H
#define HV_VIRTIO_H

#include "lock.h"
#include "virtq.h"

#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_BLOCK 2

#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_RING_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_RING_F_EVENT_IDX (1ull << 29)

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

#define VIRTIO_MAX_QUEUES 2

/* Why a device interrupts its driver. */
#define VIRTIO_INT_USED 1
#define VIRTIO_INT_CONFIG 2

struct virtio_dev;
struct partition;
struct vcpu;

struct virtio_dev_ops {
    const char *name;
    uint32_t device_id;
    uint64_t features;          /* offered beyond VERSION_1 and the ring features */
    unsigned nr_queues;
    uint16_t queue_max;
    void (*notify)(struct virtio_dev *d, unsigned queue);   /* called with d->lock held */
    void (*reset)(struct virtio_dev *d);                    /* called with d->lock held */
    /* Work another CPU handed over (virtio_dev_defer); called with d->lock held. */
    void (*deferred)(struct virtio_dev *d);
    uint64_t (*config_read)(struct virtio_dev *d, uint64_t offset, unsigned size);
};

/* How a transport tells the driver: 'why' is VIRTIO_INT_*, q the queue for USED; and what
 * it resets with the device (optional): on a reset by the driver, or with power_on, the
 * partition's reset as well. Both called with the device's lock held. */
struct virtio_transport {
    const char *name;
    void (*interrupt)(struct virtio_dev *d, uint32_t why, unsigned q);
    void (*reset)(struct virtio_dev *d, bool power_on);
};

struct virtio_dev {
    spinlock_t lock;
    const struct virtio_transport *transport;
    struct partition *part;
    const struct virtio_dev_ops *ops;
    void *priv;
    unsigned line;              /* the partition's device interrupt line and window index */
    uint64_t features_extra;    /* per-instance features (e.g. a read-only slice) */
    uint32_t status;
    uint32_t dev_features_sel, drv_features_sel;
    uint64_t driver_features;
    uint32_t queue_sel;
    uint32_t isr;               /* virtio-mmio's interrupt status */
    struct virtq vq[VIRTIO_MAX_QUEUES];
    volatile bool deferred;     /* ops->deferred is to run (see virtio_dev_defer) */
    uint64_t requests, notifies, interrupts; /* accounting */
};

/* Set up device d as partition p's device 'line' and attach it to the arch's transport. */
int virtio_attach(struct virtio_dev *d, struct partition *p, unsigned line,
                  const struct virtio_dev_ops *ops, void *priv);
/* The transports: a virtio-mmio window at guest-physical 'base' (the arch's layout says
 * where line d->line goes), virtio-ccw. */
#define VIRTIO_MMIO_WINDOW_SIZE 0x200
int virtio_mmio_attach(struct virtio_dev *d, gpaddr_t base);

/* For transports, with d->lock held (virtio_dev_unlock releases it and runs deferred work). */
uint64_t virtio_offered(const struct virtio_dev *d);
void virtio_set_status(struct virtio_dev *d, uint32_t val);
void virtio_queue_enable(struct virtio_dev *d, struct virtq *q, bool on);
void virtio_dev_notify(struct virtio_dev *d, unsigned q);
void virtio_dev_unlock(struct virtio_dev *d);
/* The device used buffers on queue q: interrupt the driver if it wants one. Lock held. */
void virtio_dev_used(struct virtio_dev *d, unsigned q);
/* The driver broke the protocol: stop the device until it is reset. Lock held. */
void virtio_dev_fail(struct virtio_dev *d, const char *why);
/* Have ops->deferred run under d->lock without waiting for the lock: now if it is free,
 * else by the CPU holding it, before that CPU lets go. Any CPU, e.g. console input, which
 * must never wait for a partition that keeps its device busy. */
void virtio_dev_defer(struct virtio_dev *d);
/* Back to the state after power-on (partition reset). */
void virtio_dev_reset(struct virtio_dev *d);
/* Is queue q usable by the device right now? */
bool virtio_queue_live(const struct virtio_dev *d, unsigned q);

/* virtio-blk over the partition's slice of the disk (the slice is in its config) */
struct disk;
struct virtio_dev *virtio_blk_create(struct partition *p, unsigned line, struct disk *disk);

/* virtio-console */
struct virtio_dev *virtio_console_create(struct partition *p, unsigned line);
/* Console input for the partition: queued (bounded) and delivered into its receive queue. */
void virtio_console_input(struct virtio_dev *d, const char *s, unsigned n);

#endif
