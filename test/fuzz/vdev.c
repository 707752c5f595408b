/* The scripted guest driver of the virtio device harnesses; see vdev.h. */
#include <string.h>

#include "vdev.h"
#include "virtio.h"

/* virtio-mmio registers the set-up writes */
enum {
    DRV_FEATURES = 0x20, DRV_FEATURES_SEL = 0x24, QUEUE_SEL = 0x30, QUEUE_NUM = 0x38,
    QUEUE_READY = 0x44, QUEUE_NOTIFY = 0x50, STATUS = 0x70, QUEUE_DESC = 0x80,
    QUEUE_DRIVER = 0x90, QUEUE_DEVICE = 0xa0,
};

#define HEADER 18
#define STEP 8

void vdev_init(struct vdev *v, struct partition *p)
{
    v->part = p;
    guest_ram_init(&v->ram, VDEV_RAM_BASE, VDEV_RAM_SIZE);
}

struct fuzz_in vdev_begin(struct vdev *v, const uint8_t *data, size_t size)
{
    struct partition *p = v->part;
    struct fuzz_in script = { data, size }, ram;
    size_t steps = size > HEADER - 1 ? data[HEADER - 1] : 0;
    size_t script_len = MIN(size, HEADER + STEP * steps);

    memset(p, 0, sizeof(*p));
    strcpy(p->label, "fuzz");
    p->mem = v->ram.mem;
    p->state = PART_RUNNING;
    script.left = script_len;
    ram = (struct fuzz_in){ data + script_len, size - script_len };
    guest_ram_load(&v->ram, ram.p, ram.left);
    return script;
}

uint64_t vdev_mmio(struct vdev *v, uint64_t off, unsigned size, bool write, uint64_t val)
{
    gpaddr_t addr = fuzz_dev_base(0) + off;
    const struct mmio_region *r = mmio_find(&v->part->mmio, addr, size);

    if (!r)
        return 0;
    if (size < 8)
        val &= (1ull << (8 * size)) - 1;
    if (r->handler(NULL, r->ctx, addr - r->base, size, write, &val) < 0)
        return 0; /* the hv would stop the partition; the device state stays as it was */
    return val;
}

static void wr(struct vdev *v, uint64_t off, uint32_t val)
{
    vdev_mmio(v, off, 4, true, val);
}

/* Reset, negotiate, set up both queues from the header, DRIVER_OK. */
static void set_up(struct vdev *v, const uint8_t *hdr)
{
    unsigned f = hdr[0];
    uint64_t features = (f & 1 ? VIRTIO_RING_F_EVENT_IDX : 0) |
                        (f & 2 ? VIRTIO_RING_F_INDIRECT_DESC : 0) | (f & 4 ? VDEV_FEATURE_DEV9 : 0) |
                        (f & 8 ? 0 : VIRTIO_F_VERSION_1);

    wr(v, STATUS, 0);
    wr(v, STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(v, DRV_FEATURES_SEL, 0);
    wr(v, DRV_FEATURES, (uint32_t)features);
    wr(v, DRV_FEATURES_SEL, 1);
    wr(v, DRV_FEATURES, (uint32_t)(features >> 32));
    wr(v, STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    for (unsigned q = 0; q < 2; q++) {
        const uint8_t *d = hdr + 1 + 8 * q;
        wr(v, QUEUE_SEL, q);
        wr(v, QUEUE_NUM, d[0] | d[1] << 8);
        wr(v, QUEUE_DESC, (uint32_t)VDEV_RAM_BASE + (d[2] | d[3] << 8));
        wr(v, QUEUE_DRIVER, (uint32_t)VDEV_RAM_BASE + (d[4] | d[5] << 8));
        wr(v, QUEUE_DEVICE, (uint32_t)VDEV_RAM_BASE + (d[6] | d[7] << 8));
        wr(v, QUEUE_READY, 1);
    }
    wr(v, STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                      VIRTIO_STATUS_DRIVER_OK);
}

void vdev_run(struct vdev *v, struct fuzz_in script)
{
    uint8_t hdr[HEADER];

    for (unsigned i = 0; i < HEADER; i++)
        hdr[i] = (uint8_t)fuzz_take(&script, 1);
    if (!(hdr[0] & 16))
        set_up(v, hdr);
    while (script.left) {
        uint8_t kind = (uint8_t)fuzz_take(&script, 1), arg = (uint8_t)fuzz_take(&script, 1);
        uint16_t a = (uint16_t)fuzz_take(&script, 2);
        uint32_t b = (uint32_t)fuzz_take(&script, 4);
        unsigned size = 1u << (arg & 3);
        switch (kind % 6) {
        case 0: wr(v, QUEUE_NOTIFY, arg); break;
        case 1: vdev_mmio(v, a & 0x1ff, size, true, b); break;
        case 2: vdev_mmio(v, a & 0x1ff, size, false, 0); break;
        case 3:
            if (a <= VDEV_RAM_SIZE - 4)
                memcpy(v->ram.host + a, &b, 4);
            break;
        case 4: if (v->op) v->op(v, arg, a, b); break;
        case 5: set_up(v, hdr); break;
        }
    }
}
