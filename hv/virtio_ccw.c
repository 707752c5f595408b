/* virtio-ccw: the channel-command set of virtio 1.x's "Virtio over channel I/O" on the
 * device model (virtio_dev.c). The arch's channel subsystem (s390x) runs a guest's channel
 * programs and hands each CCW here; notifications come as its DIAG 0x500 hypercall
 * (virtio_dev_notify); the device interrupts through classic queue indicators (a
 * doubleword in guest storage, bit q for queue q, as the architecture numbers bits from
 * the right) and the subchannel's alert status. Revisions 1 and 2 (modern devices only);
 * adapter indicators are refused, which drivers take as "use the classic ones".
 * Pure logic over guest memory: host-built for the unit test and the fuzz harness too. */
#include <string.h>

#include "hv.h"
#include "virtio.h"
#include "virtio_ccw.h"

#define CMD_NOOP            0x03
#define CMD_SET_VQ          0x13
#define CMD_VDEV_RESET      0x33
#define CMD_READ_FEAT       0x12
#define CMD_WRITE_FEAT      0x11
#define CMD_READ_CONF       0x22
#define CMD_WRITE_CONF      0x21
#define CMD_WRITE_STATUS    0x31
#define CMD_READ_STATUS     0x72
#define CMD_READ_VQ_CONF    0x32
#define CMD_SET_IND         0x43
#define CMD_SET_CONF_IND    0x53
#define CMD_SET_IND_ADAPTER 0x73
#define CMD_SET_VIRTIO_REV  0x83
#define CMD_SENSE_ID        0xe4

#define CONFIG_MAX 256
#define CU_TYPE_VIRTIO 0x3832

static struct vccw states[HV_MAX_PARTITIONS][HV_MAX_DEVS];

static struct vccw *state(struct virtio_dev *d)
{
    return &states[d->part->id][d->line];
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* Bytes of a command: exactly 'need', or more with SLI (the rest is residual). */
static enum vccw_result sized(const struct vccw_ccw *c, unsigned need, uint8_t **data,
                              struct virtio_dev *d)
{
    if (c->count < need || (c->count > need && !c->sli))
        return VCCW_CHECK;
    *data = guest_ptr(&d->part->mem, c->cda, need);
    return *data ? VCCW_OK : VCCW_CHECK;
}

static enum vccw_result set_vq(struct virtio_dev *d, uint8_t *b)
{
    unsigned index = get16(b + 12), num = get16(b + 14);
    uint64_t desc = get64(b);

    if (index >= d->ops->nr_queues)
        return VCCW_REJECT;
    struct virtq *q = &d->vq[index];
    if (desc == 0) {                    /* the driver drops the queue */
        virtio_queue_enable(d, q, false);
        return VCCW_OK;
    }
    if (num == 0 || num > d->ops->queue_max || q->ready)
        return VCCW_REJECT;
    q->num = (uint16_t)num;
    q->desc = desc;
    q->avail = get64(b + 16);
    q->used = get64(b + 24);
    virtio_queue_enable(d, q, true);
    return (d->status & VIRTIO_STATUS_NEEDS_RESET) ? VCCW_REJECT : VCCW_OK;
}

static enum vccw_result read_conf(struct virtio_dev *d, const struct vccw_ccw *c, uint32_t *residual)
{
    unsigned n = c->count;
    if (n > CONFIG_MAX)
        return VCCW_CHECK;
    uint8_t *p = n ? guest_ptr(&d->part->mem, c->cda, n) : NULL;
    if (n && !p)
        return VCCW_CHECK;
    /* The config space is little-endian; read it a word at a time. */
    for (unsigned off = 0; off < n; off += 4) {
        uint32_t w = d->ops->config_read ? (uint32_t)d->ops->config_read(d, off, 4) : 0;
        for (unsigned i = 0; i < 4 && off + i < n; i++)
            p[off + i] = (uint8_t)(w >> (8 * i));
    }
    *residual = 0;
    return VCCW_OK;
}

enum vccw_result virtio_ccw_command(struct virtio_dev *d, const struct vccw_ccw *c,
                                    uint32_t *residual)
{
    struct vccw *s = state(d);
    uint8_t *b = NULL;
    unsigned used;              /* bytes the command takes; the rest is residual (SLI) */
    enum vccw_result r;

    *residual = 0;
    switch (c->cmd) {
    case CMD_NOOP:
        return VCCW_OK;
    case CMD_VDEV_RESET:
        virtio_set_status(d, 0);
        return VCCW_OK;
    case CMD_READ_CONF:
        return read_conf(d, c, residual);
    case CMD_WRITE_CONF:
        if (c->count > CONFIG_MAX || (c->count && !guest_ptr(&d->part->mem, c->cda, c->count)))
            return VCCW_CHECK;
        return VCCW_OK;                 /* no writable config fields in the devices we offer */
    case CMD_SENSE_ID: {
        uint8_t id[7] = { 0xff, CU_TYPE_VIRTIO >> 8, CU_TYPE_VIRTIO & 0xff,
                          (uint8_t)d->ops->device_id, 0, 0, 0 };
        used = c->count < sizeof(id) ? c->count : sizeof(id);
        if (c->count != sizeof(id) && !c->sli)
            return VCCW_CHECK;
        if (!(b = guest_ptr(&d->part->mem, c->cda, used)))
            return VCCW_CHECK;
        memcpy(b, id, used);
        break;
    }
    case CMD_SET_VIRTIO_REV:
        if ((r = sized(c, used = 4, &b, d)) != VCCW_OK)
            return r;
        if (s->revision >= 0 || get16(b) < 1 || get16(b) > 2 || get16(b + 2) != 0)
            return VCCW_REJECT;        /* once, and modern revisions only */
        s->revision = get16(b);
        break;
    case CMD_READ_FEAT:
    case CMD_WRITE_FEAT: {
        if ((r = sized(c, used = 5, &b, d)) != VCCW_OK)
            return r;
        unsigned index = b[4];
        if (c->cmd == CMD_READ_FEAT) {
            uint32_t f = index < 2 ? (uint32_t)(virtio_offered(d) >> (32 * index)) : 0;
            for (int i = 0; i < 4; i++)
                b[i] = (uint8_t)(f >> (8 * i));     /* little-endian, as the spec says */
        } else if (index < 2 && !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
            uint64_t f = (uint64_t)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
            d->driver_features = (d->driver_features & ~(0xffffffffull << (32 * index))) |
                                 f << (32 * index);
        }
        break;
    }
    case CMD_WRITE_STATUS: {
        if ((r = sized(c, used = 1, &b, d)) != VCCW_OK)
            return r;
        uint8_t want = b[0];
        virtio_set_status(d, want);
        if ((want & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK))
            return VCCW_REJECT;         /* features not accepted: the driver must see it */
        break;
    }
    case CMD_READ_STATUS:
        if (s->revision < 2)
            return VCCW_REJECT;
        if ((r = sized(c, used = 1, &b, d)) != VCCW_OK)
            return r;
        b[0] = (uint8_t)d->status;
        break;
    case CMD_READ_VQ_CONF:
        if ((r = sized(c, used = 4, &b, d)) != VCCW_OK)
            return r;
        put16(b + 2, get16(b) < d->ops->nr_queues ? d->ops->queue_max : 0);
        break;
    case CMD_SET_VQ:
        if (s->revision < 1)
            return VCCW_REJECT;
        if ((r = sized(c, used = 32, &b, d)) != VCCW_OK)
            return r;
        if ((r = set_vq(d, b)) != VCCW_OK)
            return r;
        break;
    case CMD_SET_IND:
    case CMD_SET_CONF_IND: {
        if ((r = sized(c, used = 8, &b, d)) != VCCW_OK)
            return r;
        uint64_t at = get64(b);
        if ((at & 7) || !guest_ptr(&d->part->mem, at, 8))
            return VCCW_REJECT;
        if (c->cmd == CMD_SET_IND)
            s->ind = at;
        else
            s->conf_ind = at;
        break;
    }
    case CMD_SET_IND_ADAPTER:           /* classic indicators only */
    default:
        return VCCW_REJECT;
    }
    *residual = c->count - used;
    return VCCW_OK;
}

/* A used buffer or a config change: the indicator bit, then the subchannel's alert status
 * (arch_part_irq_raise, the arch's channel subsystem). Before the driver registered its
 * indicators it cannot be told: nothing happens. */
static void ccw_interrupt(struct virtio_dev *d, uint32_t why, unsigned q)
{
    struct vccw *s = state(d);
    uint64_t at = why == VIRTIO_INT_USED ? s->ind : s->conf_ind;
    uint64_t *ind = at ? guest_ptr(&d->part->mem, at, 8) : NULL;

    if (!ind)
        return;
    /* The indicators are big-endian doublewords, bit 0 the rightmost. */
    __atomic_or_fetch(ind, cpu_to_be64(1ull << (why == VIRTIO_INT_USED ? q : 0)), __ATOMIC_SEQ_CST);
    arch_part_irq_raise(d->part, d->line);
}

/* A device reset drops the indicators (the driver registers them again); the revision is
 * the subchannel's, chosen once until the partition is reset. */
static void ccw_reset(struct virtio_dev *d, bool power_on)
{
    struct vccw *s = state(d);
    *s = (struct vccw){ .revision = power_on ? -1 : s->revision };
}

static const struct virtio_transport ccw_transport = { "virtio-ccw", ccw_interrupt, ccw_reset };

void virtio_ccw_attach(struct virtio_dev *d)
{
    d->transport = &ccw_transport;
    ccw_reset(d, true);
}
