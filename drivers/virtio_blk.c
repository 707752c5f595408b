/* The physical disk when it is a virtio-blk device, polled: the hv posts a batch of
 * requests, notifies once, and waits for the used ring. Two transports, modern only:
 *  - virtio-mmio from the firmware DT (QEMU virt: run QEMU with
 *    -global virtio-mmio.force-legacy=false);
 *  - virtio-pci found by PCI enumeration (device 0x1042, or transitional 0x1001 through its
 *    modern capabilities), BARs as the firmware assigned them or as drivers/pci.c placed them.
 * The queue code is shared; a transport only fills in where each register is. */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "disk.h"
#include "lock.h"
#include "pci.h"

#define MMIO_MAGIC 0x000
#define MMIO_VERSION 0x004
#define MMIO_DEVICE_ID 0x008

#define F_RO 5
#define F_FLUSH 9
#define F_VERSION_1 32

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_FAILED 0x80

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4

#define QSIZE 96                 /* descriptors: header, data, status per request */
#define MAX_INFLIGHT (QSIZE / 3)

/* The registers the driver uses, wherever the transport puts them. */
enum reg {
    R_STATUS, R_DEV_FEAT_SEL, R_DEV_FEAT, R_DRV_FEAT_SEL, R_DRV_FEAT,
    R_QUEUE_SEL, R_QUEUE_MAX, R_QUEUE_NUM, R_QUEUE_READY,
    R_QUEUE_DESC, R_QUEUE_DRIVER, R_QUEUE_DEVICE, /* 64-bit: written as two 32-bit halves */
    R_CONFIG_MSIX, R_QUEUE_MSIX,                  /* PCI only: left at "no vector" */
    R_NOTIFY, R_ISR, R_ISR_ACK,                   /* R_ISR_ACK: mmio only (PCI: read clears) */
    R_CONFIG,                                     /* device config, read as 32-bit words */
    NR_REGS
};

/* Where a register is and how wide (bytes); width 0: this transport has none. */
struct reg_loc {
    volatile uint8_t *at;
    uint8_t width;
};

/* virtio-mmio (version 2): every register 32 bits wide at a fixed offset. */
static const uint16_t mmio_regs[NR_REGS] = {
    [R_STATUS] = 0x070, [R_DEV_FEAT_SEL] = 0x014, [R_DEV_FEAT] = 0x010,
    [R_DRV_FEAT_SEL] = 0x024, [R_DRV_FEAT] = 0x020, [R_QUEUE_SEL] = 0x030,
    [R_QUEUE_MAX] = 0x034, [R_QUEUE_NUM] = 0x038, [R_QUEUE_READY] = 0x044,
    [R_QUEUE_DESC] = 0x080, [R_QUEUE_DRIVER] = 0x090, [R_QUEUE_DEVICE] = 0x0a0,
    [R_NOTIFY] = 0x050, [R_ISR] = 0x060, [R_ISR_ACK] = 0x064, [R_CONFIG] = 0x100,
};

/* virtio-pci common configuration structure: offset and width of each field. */
static const struct { uint8_t off, width; } pci_common[NR_REGS] = {
    [R_DEV_FEAT_SEL] = { 0x00, 4 }, [R_DEV_FEAT] = { 0x04, 4 },
    [R_DRV_FEAT_SEL] = { 0x08, 4 }, [R_DRV_FEAT] = { 0x0c, 4 },
    [R_CONFIG_MSIX] = { 0x10, 2 }, [R_STATUS] = { 0x14, 1 },
    [R_QUEUE_SEL] = { 0x16, 2 }, [R_QUEUE_MAX] = { 0x18, 2 }, [R_QUEUE_NUM] = { 0x18, 2 },
    [R_QUEUE_MSIX] = { 0x1a, 2 }, [R_QUEUE_READY] = { 0x1c, 2 },
    [R_QUEUE_DESC] = { 0x20, 4 }, [R_QUEUE_DRIVER] = { 0x28, 4 }, [R_QUEUE_DEVICE] = { 0x30, 4 },
};
#define PCI_COMMON_NOTIFY_OFF 0x1e
#define PCI_COMMON_SIZE 0x38
#define VIRTIO_MSI_NO_VECTOR 0xffff

/* virtio-pci capability (vendor-specific, id 0x09): cfg_type, bar, offset, length. */
#define VCAP_LEN 2
#define VCAP_TYPE 3
#define VCAP_BAR 4
#define VCAP_OFFSET 8
#define VCAP_LENGTH 12
#define VCAP_NOTIFY_MULT 16
enum { VCAP_COMMON = 1, VCAP_NOTIFY = 2, VCAP_ISR = 3, VCAP_DEVICE = 4 };

struct ring_desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct blk_hdr { uint32_t type, reserved; uint64_t sector; };

static struct vblk {
    struct reg_loc reg[NR_REGS];
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

static char model[40];

static bool has(enum reg r) { return vblk.reg[r].width != 0; }

static uint32_t rd_at(enum reg r, unsigned off)
{
    volatile uint8_t *a = vblk.reg[r].at + off;
    switch (vblk.reg[r].width) {
    case 1: return *a;
    case 2: return le16_to_cpu(*(volatile uint16_t *)a);
    default: return le32_to_cpu(*(volatile uint32_t *)a);
    }
}

static uint32_t rd(enum reg r) { return rd_at(r, 0); }

static void wr(enum reg r, uint32_t v)
{
    volatile uint8_t *a = vblk.reg[r].at;
    switch (vblk.reg[r].width) {
    case 1: *a = (uint8_t)v; break;
    case 2: *(volatile uint16_t *)a = cpu_to_le16((uint16_t)v); break;
    default: *(volatile uint32_t *)a = cpu_to_le32(v); break;
    }
}

static void wr64(enum reg r, uint64_t v)
{
    volatile uint32_t *a = (volatile uint32_t *)vblk.reg[r].at;
    a[0] = cpu_to_le32((uint32_t)v);
    a[1] = cpu_to_le32((uint32_t)(v >> 32));
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
    wr(R_NOTIFY, 0); /* queue 0 */
    uint16_t want = (uint16_t)(vblk.used_seen + count);
    while (__atomic_load_n(&vblk.used.idx, __ATOMIC_ACQUIRE) != want)
        ;
    vblk.used_seen = want;
    if (has(R_ISR)) {
        uint32_t isr = rd(R_ISR); /* nobody takes the interrupt: just clear it */
        if (has(R_ISR_ACK))
            wr(R_ISR_ACK, isr);
    }
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

/* The device initialization sequence, the same over every transport; on success the disk
 * is ready with queue 0 still selected. */
static int vblk_setup(struct disk *d, const char **why)
{
    wr(R_STATUS, 0);
    for (unsigned i = 0; rd(R_STATUS) != 0; i++)
        if (i == 1000000) {
            *why = "virtio-blk does not finish its reset";
            return -1;
        }
    wr(R_STATUS, S_ACK);
    wr(R_STATUS, S_ACK | S_DRIVER);
    wr(R_DEV_FEAT_SEL, 1);
    uint64_t feat = (uint64_t)rd(R_DEV_FEAT) << 32;
    wr(R_DEV_FEAT_SEL, 0);
    feat |= rd(R_DEV_FEAT);
    if (!(feat & (1ull << F_VERSION_1))) {
        *why = "virtio-blk does not offer VIRTIO_F_VERSION_1 (legacy only)";
        goto failed;
    }
    uint64_t want = (1ull << F_VERSION_1) | (feat & (1ull << F_FLUSH | 1ull << F_RO));
    wr(R_DRV_FEAT_SEL, 1);
    wr(R_DRV_FEAT, (uint32_t)(want >> 32));
    wr(R_DRV_FEAT_SEL, 0);
    wr(R_DRV_FEAT, (uint32_t)want);
    wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(rd(R_STATUS) & S_FEATURES_OK)) {
        *why = "virtio-blk refused our features";
        goto failed;
    }
    if (has(R_CONFIG_MSIX))
        wr(R_CONFIG_MSIX, VIRTIO_MSI_NO_VECTOR);
    wr(R_QUEUE_SEL, 0);
    if (rd(R_QUEUE_MAX) < QSIZE) {
        *why = "virtio-blk queue too small";
        goto failed;
    }
    wr(R_QUEUE_NUM, QSIZE);
    if (has(R_QUEUE_MSIX))
        wr(R_QUEUE_MSIX, VIRTIO_MSI_NO_VECTOR);
    vblk.used_seen = vblk.avail_idx = 0;
    wr64(R_QUEUE_DESC, (uintptr_t)vblk.desc);
    wr64(R_QUEUE_DRIVER, (uintptr_t)&vblk.avail);
    wr64(R_QUEUE_DEVICE, (uintptr_t)&vblk.used);
    wr(R_QUEUE_READY, 1);
    wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);

    vblk.flush_ok = feat & (1ull << F_FLUSH);
    d->sectors = (uint64_t)rd_at(R_CONFIG, 4) << 32 | rd_at(R_CONFIG, 0);
    d->read_only = feat & (1ull << F_RO);
    d->priv = &vblk;
    d->read = vblk_read;
    d->write = vblk_write;
    d->flush = vblk_flush;
    d->batch = vblk_batch;
    vblk_disk = d;
    return 0;

failed:
    wr(R_STATUS, rd(R_STATUS) | S_FAILED);
    return -1;
}

static uint32_t mmio_rd(volatile uint8_t *base, unsigned off)
{
    return le32_to_cpu(*(volatile uint32_t *)(base + off));
}

static int mmio_probe(const void *fdt, struct disk *d, const char **why)
{
    int node, len;

    for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
         node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        if (!reg || len < 16)
            continue;
        volatile uint8_t *base = (volatile uint8_t *)(uintptr_t)(
            (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]));
        if (mmio_rd(base, MMIO_MAGIC) != 0x74726976 || mmio_rd(base, MMIO_DEVICE_ID) != 2)
            continue; /* not virtio, or not a block device */
        if (mmio_rd(base, MMIO_VERSION) != 2) {
            *why = "virtio-blk is legacy (version 1); run QEMU with -global "
                   "virtio-mmio.force-legacy=false";
            continue;
        }
        for (unsigned r = 0; r < NR_REGS; r++)
            vblk.reg[r] = mmio_regs[r] ? (struct reg_loc){ base + mmio_regs[r], 4 }
                                       : (struct reg_loc){ NULL, 0 };
        strcpy(model, "virtio-blk");
        d->model = model;
        d->base = (paddr_t)(uintptr_t)base;
        return vblk_setup(d, why);
    }
    return -1;
}

static int pci_fail(const struct pci_dev *pd, const char **why, const char *what)
{
    static char buf[160];
    snprintf(buf, sizeof(buf), "virtio-blk-pci %s: %s", pd->name, what);
    *why = buf;
    return -1;
}

static int pci_init(struct pci_dev *pd, struct disk *d, const char **why)
{
    unsigned cap[5] = { 0 };
    volatile uint8_t *at[5] = { 0 };
    uint32_t len[5] = { 0 };
    struct pci_bar bar;

    /* The first capability of each kind counts; without the modern ones the device is not
     * touched at all. */
    for (unsigned c = pci_cap_next(pd, 0, PCI_CAP_VENDOR); c;
         c = pci_cap_next(pd, c, PCI_CAP_VENDOR)) {
        unsigned type = pci_read8(pd, c + VCAP_TYPE);
        if (type >= VCAP_COMMON && type <= VCAP_DEVICE && !cap[type] &&
            pci_read8(pd, c + VCAP_BAR) <= 5)
            cap[type] = c;
    }
    if (!cap[VCAP_COMMON] || !cap[VCAP_NOTIFY] || !cap[VCAP_DEVICE])
        return pci_fail(pd, why, "legacy-only device (no virtio 1.x capabilities), not driven");
    if (pci_enable(pd, why) < 0)
        return -1;
    for (unsigned type = VCAP_COMMON; type <= VCAP_DEVICE; type++) {
        if (!cap[type])
            continue; /* ISR: optional when polling */
        if (pci_bar(pd, pci_read8(pd, cap[type] + VCAP_BAR), &bar, why) < 0)
            return -1;
        uint32_t off = pci_read32(pd, cap[type] + VCAP_OFFSET);
        len[type] = pci_read32(pd, cap[type] + VCAP_LENGTH);
        if (off > bar.size || len[type] > bar.size - off)
            return pci_fail(pd, why, "a virtio capability extends past the end of its BAR");
        at[type] = (volatile uint8_t *)(uintptr_t)(bar.addr + off);
    }
    if (len[VCAP_COMMON] < PCI_COMMON_SIZE || len[VCAP_DEVICE] < 8 ||
        pci_read8(pd, cap[VCAP_NOTIFY] + VCAP_LEN) < VCAP_NOTIFY_MULT + 4)
        return pci_fail(pd, why, "virtio capability too short");
    uint32_t mult = pci_read32(pd, cap[VCAP_NOTIFY] + VCAP_NOTIFY_MULT);

    for (unsigned r = 0; r < NR_REGS; r++)
        vblk.reg[r] = (struct reg_loc){ at[VCAP_COMMON] + pci_common[r].off, pci_common[r].width };
    vblk.reg[R_NOTIFY] = (struct reg_loc){ NULL, 0 };
    vblk.reg[R_ISR] = (struct reg_loc){ at[VCAP_ISR], (uint8_t)(at[VCAP_ISR] ? 1 : 0) };
    vblk.reg[R_ISR_ACK] = (struct reg_loc){ NULL, 0 };
    vblk.reg[R_CONFIG] = (struct reg_loc){ at[VCAP_DEVICE], 4 };
    snprintf(model, sizeof(model), "virtio-blk-pci %s", pd->name);
    d->model = model;
    d->base = (paddr_t)(uintptr_t)at[VCAP_COMMON];
    if (vblk_setup(d, why) < 0)
        return pci_fail(pd, why, *why);
    /* Queue 0 is selected: where its notifications go. */
    uint64_t noff = (uint64_t)le16_to_cpu(*(volatile uint16_t *)(at[VCAP_COMMON] +
                                                              PCI_COMMON_NOTIFY_OFF)) * mult;
    if (noff + 2 > len[VCAP_NOTIFY]) {
        wr(R_STATUS, rd(R_STATUS) | S_FAILED);
        return pci_fail(pd, why, "queue notification address outside the notify capability");
    }
    vblk.reg[R_NOTIFY] = (struct reg_loc){ at[VCAP_NOTIFY] + noff, 2 };
    return 0;
}

int virtio_blk_probe(const void *fdt, struct disk *d, const char **why)
{
    static const uint16_t ids[] = { 0x1042, 0x1001 }; /* modern, transitional */
    struct pci_dev pd = { 0 };

    *why = "no virtio-blk device";
    if (mmio_probe(fdt, d, why) == 0)
        return 0;
    while (pci_find(fdt, 0x1af4, ids, ARRAY_SIZE(ids), &pd) == 0)
        if (pci_init(&pd, d, why) == 0)
            return 0;
    return -1;
}
