/* The physical disk when it is a virtio-blk device on virtio-mmio (QEMU virt; run QEMU with
 * -global virtio-mmio.force-legacy=false: only the modern transport is driven).
 * Polled: the hv posts a batch of requests, notifies once, and waits for the used ring. */
#include <libfdt.h>
#include <string.h>

#include "disk.h"
#include "lock.h"

#define MMIO_MAGIC 0x000
#define MMIO_VERSION 0x004
#define MMIO_DEVICE_ID 0x008
#define MMIO_DEV_FEATURES 0x010
#define MMIO_DEV_FEATURES_SEL 0x014
#define MMIO_DRV_FEATURES 0x020
#define MMIO_DRV_FEATURES_SEL 0x024
#define MMIO_QUEUE_SEL 0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM 0x038
#define MMIO_QUEUE_READY 0x044
#define MMIO_QUEUE_NOTIFY 0x050
#define MMIO_INT_STATUS 0x060
#define MMIO_INT_ACK 0x064
#define MMIO_STATUS 0x070
#define MMIO_QUEUE_DESC 0x080
#define MMIO_QUEUE_DRIVER 0x090
#define MMIO_QUEUE_DEVICE 0x0a0
#define MMIO_CONFIG 0x100

#define F_RO 5
#define F_FLUSH 9
#define F_VERSION_1 32

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4

#define QSIZE 96                 /* descriptors: header, data, status per request */
#define MAX_INFLIGHT (QSIZE / 3)

struct ring_desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct blk_hdr { uint32_t type, reserved; uint64_t sector; };

static struct vblk {
    volatile uint8_t *base;
    spinlock_t lock;
    bool flush_ok;
    uint16_t used_seen, avail_idx;
    struct ring_desc desc[QSIZE] __attribute__((aligned(16)));
    struct { uint16_t flags, idx, ring[QSIZE], used_event; } avail __attribute__((aligned(4)));
    struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSIZE]; uint16_t avail_event; }
        used __attribute__((aligned(4096)));
    struct blk_hdr hdr[MAX_INFLIGHT];
    uint8_t status[MAX_INFLIGHT];
} vblk;

static uint32_t rd(unsigned off) { return *(volatile uint32_t *)(vblk.base + off); }
static void wr(unsigned off, uint32_t v) { *(volatile uint32_t *)(vblk.base + off) = v; }

static void wr64(unsigned off, uint64_t v)
{
    wr(off, (uint32_t)v);
    wr(off + 4, (uint32_t)(v >> 32));
}

/* Slot i uses descriptors 3i..3i+2: header, data (if any), status. */
static void post(unsigned slot, uint32_t type, uint64_t sector, void *buf, uint32_t len)
{
    struct ring_desc *d = &vblk.desc[3 * slot];
    unsigned n = 0;

    vblk.hdr[slot] = (struct blk_hdr){ cpu_to_le32(type), 0, cpu_to_le64(sector) };
    vblk.status[slot] = 0xff;
    d[n] = (struct ring_desc){ (uint64_t)(uintptr_t)&vblk.hdr[slot], sizeof(struct blk_hdr), 1,
                               (uint16_t)(3 * slot + 1) };
    n++;
    if (len) {
        d[n] = (struct ring_desc){ (uint64_t)(uintptr_t)buf, len, (uint16_t)(1 | (type == T_IN ? 2 : 0)),
                                   (uint16_t)(3 * slot + 2) };
        n++;
    } else
        d[0].next = (uint16_t)(3 * slot + 2);
    vblk.desc[3 * slot + 2] = (struct ring_desc){ (uint64_t)(uintptr_t)&vblk.status[slot], 1, 2, 0 };
    vblk.avail.ring[vblk.avail_idx % QSIZE] = (uint16_t)(3 * slot);
    vblk.avail_idx++;
}

/* Make everything posted visible, notify once, and wait until the device used it all. */
static void run_posted(unsigned count)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
    vblk.avail.idx = vblk.avail_idx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    wr(MMIO_QUEUE_NOTIFY, 0);
    uint16_t want = (uint16_t)(vblk.used_seen + count);
    while (__atomic_load_n(&vblk.used.idx, __ATOMIC_ACQUIRE) != want)
        ;
    vblk.used_seen = want;
    wr(MMIO_INT_ACK, rd(MMIO_INT_STATUS));
}

static void vblk_batch(struct disk *d, struct disk_req *r, unsigned n)
{
    unsigned which[MAX_INFLIGHT];

    spin_lock(&vblk.lock);
    for (unsigned i = 0; i < n;) {
        unsigned k = 0;
        for (; i < n && k < MAX_INFLIGHT; i++) {
            struct disk_req *q = &r[i];
            q->status = -1; /* past the disk end or a write to a read-only disk: refused */
            if (q->sector > d->sectors || q->count > d->sectors - q->sector ||
                (q->write && d->read_only))
                continue;
            q->status = 0;
            post(k, q->write ? T_OUT : T_IN, q->sector, q->buf, q->count * DISK_SECTOR);
            which[k++] = i;
        }
        if (!k)
            continue;
        run_posted(k);
        for (unsigned j = 0; j < k; j++)
            if (vblk.status[j] != 0)
                r[which[j]].status = -1;
    }
    spin_unlock(&vblk.lock);
}

static struct disk *vblk_disk;

static int one(bool write, uint64_t sector, void *buf, uint32_t count)
{
    struct disk_req r = { write, sector, buf, count, 0 };
    vblk_batch(vblk_disk, &r, 1);
    return r.status;
}

static int vblk_read(struct disk *d, uint64_t sector, void *buf, uint32_t count)
{
    (void)d;
    return one(false, sector, buf, count);
}

static int vblk_write(struct disk *d, uint64_t sector, const void *buf, uint32_t count)
{
    (void)d;
    return one(true, sector, (void *)buf, count);
}

static int vblk_flush(struct disk *d)
{
    (void)d;
    if (!vblk.flush_ok)
        return 0; /* the device has no volatile cache to flush */
    spin_lock(&vblk.lock);
    post(0, T_FLUSH, 0, NULL, 0);
    run_posted(1);
    int r = vblk.status[0] == 0 ? 0 : -1;
    spin_unlock(&vblk.lock);
    return r;
}

static int vblk_init(volatile uint8_t *base, struct disk *d, const char **why)
{
    vblk.base = base;
    wr(MMIO_STATUS, 0);
    wr(MMIO_STATUS, 1);
    wr(MMIO_STATUS, 3);
    wr(MMIO_DEV_FEATURES_SEL, 1);
    uint64_t feat = (uint64_t)rd(MMIO_DEV_FEATURES) << 32;
    wr(MMIO_DEV_FEATURES_SEL, 0);
    feat |= rd(MMIO_DEV_FEATURES);
    uint64_t want = (1ull << F_VERSION_1) | (feat & (1ull << F_FLUSH | 1ull << F_RO));
    wr(MMIO_DRV_FEATURES_SEL, 1);
    wr(MMIO_DRV_FEATURES, (uint32_t)(want >> 32));
    wr(MMIO_DRV_FEATURES_SEL, 0);
    wr(MMIO_DRV_FEATURES, (uint32_t)want);
    wr(MMIO_STATUS, 0xb);
    if (!(rd(MMIO_STATUS) & 8)) {
        *why = "virtio-blk refused our features";
        return -1;
    }
    wr(MMIO_QUEUE_SEL, 0);
    if (rd(MMIO_QUEUE_NUM_MAX) < QSIZE) {
        *why = "virtio-blk queue too small";
        return -1;
    }
    wr(MMIO_QUEUE_NUM, QSIZE);
    wr64(MMIO_QUEUE_DESC, (uintptr_t)vblk.desc);
    wr64(MMIO_QUEUE_DRIVER, (uintptr_t)&vblk.avail);
    wr64(MMIO_QUEUE_DEVICE, (uintptr_t)&vblk.used);
    wr(MMIO_QUEUE_READY, 1);
    wr(MMIO_STATUS, 0xf);

    vblk.flush_ok = feat & (1ull << F_FLUSH);
    d->model = "virtio-blk";
    d->base = (paddr_t)(uintptr_t)base;
    d->sectors = (uint64_t)rd(MMIO_CONFIG + 4) << 32 | rd(MMIO_CONFIG);
    d->read_only = feat & (1ull << F_RO);
    d->priv = &vblk;
    d->read = vblk_read;
    d->write = vblk_write;
    d->flush = vblk_flush;
    d->batch = vblk_batch;
    vblk_disk = d;
    return 0;
}

int disk_probe(const void *fdt, struct disk *d, const char **why)
{
    int node, len;

    *why = "no virtio-blk device";
    for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
         node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        if (!reg || len < 16)
            continue;
        volatile uint8_t *base = (volatile uint8_t *)(uintptr_t)(
            (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]));
        vblk.base = base;
        if (rd(MMIO_MAGIC) != 0x74726976 || rd(MMIO_DEVICE_ID) != 2)
            continue; /* not virtio, or not a block device */
        if (rd(MMIO_VERSION) != 2) {
            *why = "virtio-blk is legacy (version 1); run QEMU with -global "
                   "virtio-mmio.force-legacy=false";
            continue;
        }
        return vblk_init(base, d, why);
    }
    return -1;
}
