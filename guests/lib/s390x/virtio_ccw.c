/* virtio-ccw for the guests: the virtio devices are subchannels whose SENSE ID names
 * control unit 0x3832 (the model is the virtio device ID). Each transport operation is one
 * channel program, run with interruptions masked and completed by polling TSCH; queue
 * notifications are DIAG 0x500; the device interrupts with an I/O interruption of its
 * subchannel (ISC 3) after setting the queue's bit in the classic indicators. */
#include <string.h>
#include "../internal.h"
#include "../virtio.h"
#include "s390x.h"

#define MAX_SCH		64
#define ISC		3
#define CU_VIRTIO	0x3832

#define CMD_SET_VQ		0x13
#define CMD_VDEV_RESET		0x33
#define CMD_READ_FEAT		0x12
#define CMD_WRITE_FEAT		0x11
#define CMD_READ_CONF		0x22
#define CMD_WRITE_STATUS	0x31
#define CMD_READ_STATUS		0x72
#define CMD_READ_VQ_CONF	0x32
#define CMD_SET_IND		0x43
#define CMD_SET_CONF_IND	0x53
#define CMD_SET_VIRTIO_REV	0x83
#define CMD_SENSE_ID		0xe4
#define CCW_SLI			0x20

struct ccwdev {
	struct vdev vdev;
	unsigned sch;
	uint8_t status;
	uint64_t ind __attribute__((aligned(8)));	/* queue indicators, bit q = queue q */
	uint64_t conf_ind __attribute__((aligned(8)));
	irq_fn fn;
	void *arg;
};

static struct ccwdev devs[RT_MAX_VIRTIO];
static unsigned ndevs;
static spinlock_t lock;
static uint8_t buf[256] __attribute__((aligned(8)));	/* a command's data (below 2 GiB) */

struct ccw1 { uint8_t cmd, flags; uint16_t count; uint32_t cda; } __attribute__((aligned(8)));
struct orb { uint32_t intparm; uint8_t key, flags, lpm, flags2; uint32_t cpa; uint32_t pad[5]; }
	__attribute__((aligned(8)));

static int insn_schid(const char *op, uint32_t schid, void *blk)
{
	register uint64_t r1 __asm__("1") = schid;
	int cc;
	if (op[0] == 's' && op[1] == 't')	/* stsch */
		__asm__ volatile("stsch 0(%2)\n\tipm %0\n\tsrl %0,28" : "=d"(cc) : "d"(r1), "a"(blk) : "cc", "memory");
	else if (op[0] == 'm')
		__asm__ volatile("msch 0(%2)\n\tipm %0\n\tsrl %0,28" : "=d"(cc) : "d"(r1), "a"(blk) : "cc", "memory");
	else if (op[0] == 's')
		__asm__ volatile("ssch 0(%2)\n\tipm %0\n\tsrl %0,28" : "=d"(cc) : "d"(r1), "a"(blk) : "cc", "memory");
	else
		__asm__ volatile("tsch 0(%2)\n\tipm %0\n\tsrl %0,28" : "=d"(cc) : "d"(r1), "a"(blk) : "cc", "memory");
	return cc;
}

/* One CCW on subchannel sch: 0 done, -1 command reject (unit check), -2 other failure. */
static int ccw_do(unsigned sch, uint8_t cmd, void *data, uint16_t count)
{
	static struct ccw1 ccw;
	static struct orb orb;
	static uint8_t irb[96] __attribute__((aligned(8)));
	uint32_t schid = 0x00010000u | sch;
	int cc;

	ccw = (struct ccw1){ cmd, CCW_SLI, count, (uint32_t)(uintptr_t)data };
	orb = (struct orb){ .intparm = sch, .flags = 0x80, .lpm = 0xff, .cpa = (uint32_t)(uintptr_t)&ccw };
	if (insn_schid("ssch", schid, &orb))
		return -2;
	do
		cc = insn_schid("tsch", schid, irb);
	while (cc == 1 || (cc == 0 && !(irb[3] & 0x04)));	/* until primary status */
	if (cc)
		return -2;
	if (irb[8] & 0x02)
		return -1;
	return (irb[8] == 0x0c && irb[9] == 0) ? 0 : -2;
}

static int cmd(struct ccwdev *c, uint8_t op, unsigned len)
{
	unsigned long f = spin_lock_irqsave(&lock);
	int r = ccw_do(c->sch, op, buf, (uint16_t)len);
	spin_unlock_irqrestore(&lock, f);
	return r;
}

static int write_status(struct ccwdev *c, uint8_t st)
{
	unsigned long f = spin_lock_irqsave(&lock);
	buf[0] = st;
	int r = ccw_do(c->sch, CMD_WRITE_STATUS, buf, 1);
	spin_unlock_irqrestore(&lock, f);
	if (r == 0)
		c->status = st;
	return r;
}

static uint32_t le32_at(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static uint32_t feat_read(struct ccwdev *c, unsigned index)
{
	unsigned long f = spin_lock_irqsave(&lock);
	memset(buf, 0, 5);
	buf[4] = (uint8_t)index;
	uint32_t v = ccw_do(c->sch, CMD_READ_FEAT, buf, 5) ? 0 : le32_at(buf);
	spin_unlock_irqrestore(&lock, f);
	return v;
}

static int feat_write(struct ccwdev *c, unsigned index, uint32_t v)
{
	unsigned long f = spin_lock_irqsave(&lock);
	for (int i = 0; i < 4; i++)
		buf[i] = (uint8_t)(v >> (8 * i));
	buf[4] = (uint8_t)index;
	int r = ccw_do(c->sch, CMD_WRITE_FEAT, buf, 5);
	spin_unlock_irqrestore(&lock, f);
	return r;
}

static int c_negotiate(struct vdev *d, uint64_t *features)
{
	struct ccwdev *c = (struct ccwdev *)d;

	if (cmd(c, CMD_VDEV_RESET, 0) ||
	    write_status(c, VIRTIO_ST_ACK) || write_status(c, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER))
		return -1;
	uint64_t dev = (uint64_t)feat_read(c, 1) << 32 | feat_read(c, 0);
	if (!(dev & (1ull << VIRTIO_F_VERSION_1)))
		goto fail;
	*features &= dev;
	if (feat_write(c, 0, (uint32_t)*features) || feat_write(c, 1, *features >> 32) ||
	    write_status(c, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER | VIRTIO_ST_FEATURES_OK))
		goto fail;
	return 0;
fail:
	write_status(c, VIRTIO_ST_FAILED);
	return -1;
}

static void c_notify(struct vq *vq)
{
	register uint64_t r1 __asm__("1") = 3;			/* virtio-ccw notify */
	register uint64_t r2 __asm__("2") = vq->base;		/* subchannel id */
	register uint64_t r3 __asm__("3") = vq->index;
	register uint64_t r4 __asm__("4") = 0;			/* cookie */
	__asm__ volatile("diag 2,4,0x500" : "+d"(r2) : "d"(r1), "d"(r3), "d"(r4) : "memory");
}

static int c_queue_setup(struct vdev *d, struct vq *vq, unsigned index, void *mem, unsigned max,
			 int event_idx)
{
	struct ccwdev *c = (struct ccwdev *)d;
	unsigned long f = spin_lock_irqsave(&lock);
	int r = -1;

	memset(buf, 0, 4);
	buf[1] = (uint8_t)index;
	if (ccw_do(c->sch, CMD_READ_VQ_CONF, buf, 4) == 0) {
		unsigned n = buf[2] << 8 | buf[3];
		if (max > VQ_MAX)
			max = VQ_MAX;
		n = n < max ? n : max;
		if (n) {
			vq_init(vq, d->base, index, mem, n, event_idx, c_notify);
			uint64_t p = (uintptr_t)mem;
			uint64_t a[4] = { p, (uint64_t)index << 16 | n, p + 16 * n, p + 32 * n };
			memcpy(buf, &a[0], 8);
			memset(buf + 8, 0, 4);
			buf[12] = (uint8_t)(index >> 8), buf[13] = (uint8_t)index;
			buf[14] = (uint8_t)(n >> 8), buf[15] = (uint8_t)n;
			memcpy(buf + 16, &a[2], 8);
			memcpy(buf + 24, &a[3], 8);
			r = ccw_do(c->sch, CMD_SET_VQ, buf, 32) ? -1 : 0;
		}
	}
	spin_unlock_irqrestore(&lock, f);
	return r;
}

static void c_driver_ok(struct vdev *d)
{
	struct ccwdev *c = (struct ccwdev *)d;
	unsigned long f = spin_lock_irqsave(&lock);
	uint64_t a = (uintptr_t)&c->ind, b = (uintptr_t)&c->conf_ind;

	memcpy(buf, &a, 8);
	ccw_do(c->sch, CMD_SET_IND, buf, 8);
	memcpy(buf, &b, 8);
	ccw_do(c->sch, CMD_SET_CONF_IND, buf, 8);
	spin_unlock_irqrestore(&lock, f);
	write_status(c, c->status | VIRTIO_ST_DRIVER_OK);
}

static void c_set_failed(struct vdev *d) { write_status((struct ccwdev *)d, VIRTIO_ST_FAILED); }

static uint32_t c_status(struct vdev *d)
{
	struct ccwdev *c = (struct ccwdev *)d;
	unsigned long f = spin_lock_irqsave(&lock);
	uint32_t st = ccw_do(c->sch, CMD_READ_STATUS, buf, 1) ? c->status : buf[0];
	spin_unlock_irqrestore(&lock, f);
	return st;
}

static uint32_t c_config32(struct vdev *d, unsigned off)
{
	struct ccwdev *c = (struct ccwdev *)d;
	unsigned long f = spin_lock_irqsave(&lock);
	uint32_t v = 0;

	if (off + 4 <= sizeof(buf) && ccw_do(c->sch, CMD_READ_CONF, buf, (uint16_t)(off + 4)) == 0)
		v = le32_at(buf + off);
	spin_unlock_irqrestore(&lock, f);
	return v;
}

static uint32_t c_irq_ack(struct vdev *d)
{
	struct ccwdev *c = (struct ccwdev *)d;
	uint32_t why = 0;

	if (__atomic_exchange_n(&c->ind, 0, __ATOMIC_ACQ_REL))
		why |= VIRTIO_IRQ_USED;
	if (__atomic_exchange_n(&c->conf_ind, 0, __ATOMIC_ACQ_REL))
		why |= VIRTIO_IRQ_CONFIG;
	return why;
}

static const struct vdev_ops ccw_ops = { c_negotiate, c_queue_setup, c_driver_ok, c_set_failed,
					 c_status, c_config32, c_irq_ack };

/* The I/O interruption of a device's subchannel: clear its status, run its handler. */
void rt_io_interrupt(struct rt_frame *f)
{
	uint32_t schid = *(volatile uint32_t *)(lowcore() + 0xb8);
	static uint8_t irb[96] __attribute__((aligned(8)));

	if (f->psw_mask & PSW_MASK_WAIT)
		f->psw_mask &= ~(PSW_MASK_WAIT | PSW_MASK_EXT | PSW_MASK_IO);
	insn_schid("tsch", schid, irb);
	for (unsigned i = 0; i < ndevs; i++)
		if (devs[i].sch == (schid & 0xffff) && devs[i].fn)
			devs[i].fn(devs[i].arg);
}

int intc_enable_irq(unsigned id, int edge, irq_fn fn, void *arg)
{
	(void)edge;
	for (unsigned i = 0; i < ndevs; i++)
		if (devs[i].sch == id) {
			devs[i].arg = arg;
			devs[i].fn = fn;
			lctlg(6, stctg(6) | (0x80000000ull >> ISC));
			return 0;
		}
	return -1;
}

void ccw_scan(void)
{
	uint8_t schib[52] __attribute__((aligned(4)));

	for (unsigned sch = 0; sch < MAX_SCH && ndevs < RT_MAX_VIRTIO; sch++) {
		uint32_t schid = 0x00010000u | sch;
		if (insn_schid("stsch", schid, schib) == 3)
			break;
		if (!(schib[5] & 0x01))		/* device number valid */
			continue;
		schib[4] = (schib[4] & ~0x38) | ISC << 3;
		schib[5] |= 0x80;		/* enabled */
		memcpy(schib, &sch, 4);		/* interruption parameter */
		if (insn_schid("msch", schid, schib))
			continue;
		struct ccwdev *c = &devs[ndevs];
		*c = (struct ccwdev){ .vdev = { &ccw_ops, schid, sch, 0 }, .sch = sch };
		unsigned long f = spin_lock_irqsave(&lock);
		memset(buf, 0, 7);
		int r = ccw_do(sch, CMD_SENSE_ID, buf, 7);
		unsigned cu = buf[1] << 8 | buf[2], model = buf[3];
		/* revision 2 (with READ_STATUS), else 1 */
		int rev = -1;
		for (unsigned want = 2; r == 0 && cu == CU_VIRTIO && want >= 1 && rev < 0; want--) {
			buf[0] = 0, buf[1] = (uint8_t)want, buf[2] = buf[3] = 0;
			if (ccw_do(sch, CMD_SET_VIRTIO_REV, buf, 4) == 0)
				rev = (int)want;
		}
		spin_unlock_irqrestore(&lock, f);
		if (r || cu != CU_VIRTIO)
			continue;
		if (rev < 0) {
			rt_warn("virtio-ccw %x: no modern revision accepted, skipped\n", sch);
			continue;
		}
		ndevs++;
		rt_virtio_attach(&c->vdev, model);
	}
}
