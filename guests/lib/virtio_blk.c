/* virtio-blk (device ID 2): one request queue, each request a chain of a
 * 16-byte header (device reads), optional data, 1-byte status (device
 * writes). Completions are harvested by the waiter; the interrupt handler
 * only acknowledges, counts and watches for DEVICE_NEEDS_RESET. */
#include <string.h>
#include "virtio.h"
#include "internal.h"

#define F_SEG_MAX	2
#define F_RO		5
#define F_BLK_SIZE	6
#define F_FLUSH		9
#define T_IN		0
#define T_OUT		1
#define T_FLUSH		4
#define T_GET_ID	8
#define CHUNK		128	/* sectors per request of the blocking calls */

struct req {			/* indexed by the head descriptor */
	struct { uint32_t type, reserved; uint64_t sector; } hdr;
	volatile uint8_t status;
	int *out;		/* where the result goes; 0 = nobody waits */
} __attribute__((aligned(32)));

static struct vdev *dev;
static struct vq vq;
static uint8_t ring[8192] __attribute__((aligned(4096)));	/* 128 entries */
static struct req reqs[VQ_MAX];
static uint64_t capacity;
static bool ro, has_flush;
static unsigned inflight;
static volatile int dead = BLK_ENODEV;	/* 0, or the error every request gets */
static volatile unsigned long irqs;
static unsigned long old_notifies;	/* from before the last blk_init */
static uint64_t timeout_ticks;

void vblk_found(struct vdev *d)
{
	if (!dev)
		dev = d;
}

static void blk_irq(void *arg)
{
	uint32_t why = dev->ops->irq_ack(dev);

	(void)arg;
	irqs++;
	if ((why & VIRTIO_IRQ_CONFIG) && (dev->ops->status(dev) & VIRTIO_ST_NEEDS_RESET))
		dead = BLK_ENEEDS_RESET;	/* config change: the device gave up */
}

/* A 64-bit config field as two 32-bit ones (the capacity changes only with a reset). */
static uint64_t config64(unsigned off)
{
	uint32_t lo = dev->ops->config32(dev, off), hi = dev->ops->config32(dev, off + 4);
	return (uint64_t)hi << 32 | lo;
}

int blk_init(void)
{
	uint64_t feat = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_EVENT_IDX | 1ull << F_FLUSH |
			1ull << F_RO | 1ull << F_SEG_MAX | 1ull << F_BLK_SIZE;

	if (!dev)
		return BLK_ENODEV;
	old_notifies += vq.notifies;
	vq.notifies = 0;
	dead = BLK_ENODEV;	/* until we are done */
	if (dev->ops->negotiate(dev, &feat))
		return BLK_ENODEV;
	if (dev->ops->queue_setup(dev, &vq, 0, ring, 128, !!(feat & 1ull << VIRTIO_F_EVENT_IDX))) {
		dev->ops->set_failed(dev);
		return BLK_ENODEV;
	}
	memset(reqs, 0, sizeof reqs);	/* forget whatever the old queue held */
	inflight = 0;
	capacity = config64(0);
	ro = feat & 1ull << F_RO;
	has_flush = feat & 1ull << F_FLUSH;
	if (intc_enable_irq(dev->intid, dev->edge, blk_irq, 0))
		rt_polling = 1;
	dev->ops->driver_ok(dev);
	dead = 0;
	return 0;
}

uint64_t blk_sectors(void) { return capacity; }
uintptr_t blk_mmio_base(void) { return dev && dev->ops == &virtio_mmio_ops ? dev->base : 0; }
bool blk_read_only(void) { return ro; }
unsigned long blk_notify_count(void) { return old_notifies + vq.notifies; }
unsigned long blk_irq_count(void) { return irqs; }

void blk_set_timeout_ms(unsigned ms)
{
	timeout_ticks = rt_counter_hz() * ms / 1000;
}

const char *blk_strerror(int rc)
{
	static const char *names[] = { "ok", "IOERR", "UNSUPP", "needs-reset", "no-device",
				       "ring-full", "hang-avoided" };

	return rc <= 0 && rc >= BLK_ETIMEDOUT ? names[-rc] : "bad-code";
}

static int submit(uint32_t type, uint64_t sector, uint64_t addr, uint32_t len,
		  bool device_writes, int *out)
{
	struct req *r;
	struct vq_seg s[3];
	unsigned n = 0;

	if (dead)
		return dead;
	if (vq.num_free < (len ? 3 : 2))
		return BLK_EBUSY;
	r = &reqs[vq.free_head];	/* the head vq_add_chain is about to use */
	r->hdr.type = vle32(type);
	r->hdr.reserved = 0;
	r->hdr.sector = vle64(sector);
	r->status = 0xff;
	r->out = out;
	*out = BLK_PENDING;
	s[n++] = (struct vq_seg){ (uintptr_t)&r->hdr, sizeof r->hdr, 0 };
	if (len)
		s[n++] = (struct vq_seg){ addr, len, device_writes };
	s[n++] = (struct vq_seg){ (uintptr_t)&r->status, 1, 1 };
	vq_add_chain(&vq, s, n, r);
	inflight++;
	return 0;
}

/* Hand results of used requests to their owners. */
static void reap(void)
{
	struct req *r;

	while (vq.last_used != vle16(vq.used[1]))
		if ((r = vq_pop(&vq, 0)) && r->out) {
			*r->out = r->status == 0 ? 0 : r->status == 2 ? BLK_EUNSUPP : BLK_EIO;
			r->out = 0;
			inflight--;
		}
}

static void fail_all(int err)
{
	unsigned i;

	for (i = 0; i < VQ_MAX; i++)
		if (reqs[i].out) {
			*reqs[i].out = err;
			reqs[i].out = 0;
		}
	inflight = 0;
}

/* Sleep until *st is final (st = 0: until nothing is in flight). The
 * interrupt is asked for only when it finishes the wait (EVENT_IDX), so a
 * batch costs one. A bounded wait keeps the virtual timer ticking to wake. */
static void wait(volatile int *st)
{
	unsigned long f = irq_save();
	uint64_t end = rt_counter() + timeout_ticks;
	int timer = timeout_ticks && !vtimer_start(10, 0);

	for (;;) {
		reap();
		if (st ? *st != BLK_PENDING : !inflight)
			break;
		if (!dead && timeout_ticks && (int64_t)(rt_counter() - end) >= 0)
			dead = dev->ops->status(dev) & VIRTIO_ST_NEEDS_RESET ?
			       BLK_ENEEDS_RESET : BLK_ETIMEDOUT;
		if (dead) {
			fail_all(dead);
			break;
		}
		if (!vq_arm(&vq, st ? 1 : inflight))
			rt_idle(f);
	}
	if (timer)
		vtimer_stop();
	irq_restore(f);
}

void blk_kick(void)
{
	if (dev)
		vq_kick(&vq);
}

void blk_wait_all(void)
{
	if (dev)
		wait(0);
}

int blk_submit(bool write, uint64_t sector, void *buf, uint32_t count, int *status_out)
{
	return submit(write ? T_OUT : T_IN, sector, (uintptr_t)buf, count * 512, !write, status_out);
}

int blk_raw(uint32_t type, uint64_t sector, uint64_t addr, uint32_t len, bool device_writes)
{
	int st, rc = submit(type, sector, addr, len, device_writes, &st);

	if (rc == BLK_EBUSY) {	/* someone's batch fills the ring: let it drain */
		blk_kick();
		blk_wait_all();
		rc = submit(type, sector, addr, len, device_writes, &st);
	}
	if (rc)
		return rc;
	vq_kick(&vq);
	wait(&st);
	return st;
}

/* Blocking transfers go in CHUNK-sector requests, one at a time. */
static int rw(uint32_t type, uint64_t sector, uintptr_t buf, uint32_t count)
{
	int rc = 0;

	while (count && !rc) {
		uint32_t n = count < CHUNK ? count : CHUNK;

		rc = blk_raw(type, sector, buf, n * 512, type == T_IN);
		sector += n;
		buf += n * 512;
		count -= n;
	}
	return rc;
}

int blk_read(uint64_t sector, void *buf, uint32_t count)
{
	return dev ? rw(T_IN, sector, (uintptr_t)buf, count) : BLK_ENODEV;
}

int blk_write(uint64_t sector, const void *buf, uint32_t count)
{
	return dev ? rw(T_OUT, sector, (uintptr_t)buf, count) : BLK_ENODEV;
}

/* Without VIRTIO_BLK_F_FLUSH we may not send one; the device is write-through. */
int blk_flush(void)
{
	if (!dev)
		return BLK_ENODEV;
	return has_flush ? blk_raw(T_FLUSH, 0, 0, 0, false) : dead;
}

int blk_get_id(char buf[21])
{
	static char id[20] __attribute__((aligned(32)));
	int rc;

	memset(id, 0, sizeof id);
	rc = dev ? blk_raw(T_GET_ID, 0, (uintptr_t)id, 20, true) : BLK_ENODEV;
	memcpy(buf, id, 20);	/* NUL-padded, not terminated if 20 long */
	buf[20] = 0;
	return rc;
}
