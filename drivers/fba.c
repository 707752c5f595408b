/* FBA DASD (3370, 9336, ...): the disk of a mainframe partition's block slices. Polled
 * channel programs: DEFINE EXTENT over the whole device, LOCATE, then READ or WRITE.
 * Found through the firmware DT the s390x boot code builds from the channel subsystem
 * ("ibm,fba-dasd": reg = subsystem-identification word); the IPL volume, which holds the
 * hv itself, is never handed out. */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "css.h"
#include "disk.h"
#include "fba.h"
#include "lock.h"

#define FBA_DEFINE_EXTENT 0x63
#define FBA_LOCATE        0x43
#define FBA_READ          0x42
#define FBA_WRITE         0x41
#define FBA_RDC           0x64
#define FBA_LOC_READ      0x06
#define FBA_LOC_WRITE     0x01
#define FBA_MASK_ALLOW_WRITES 0xc0

/* One READ or WRITE moves at most 64 KiB - 1 bytes: 64 blocks per channel program. */
#define FBA_MAX_BLOCKS 64

struct fba_extent {
    uint8_t mask, pad[3];
    uint32_t origin;     /* first block of the extent on the device */
    uint32_t first, last;
} __attribute__((packed, aligned(8)));

struct fba_locate {
    uint8_t op, replication;
    uint16_t count;
    uint32_t block;
} __attribute__((packed, aligned(8)));

static struct fba fba_disk;
static char model[48];

static const char *sense_text(uint32_t schid)
{
    static char buf[48];
    static uint8_t sense[32] __attribute__((aligned(8)));
    struct ccw1 ccw = { CCW_CMD_SENSE, CCW_F_SLI, sizeof(sense), (uint32_t)(uintptr_t)sense };
    struct irb irb;

    if (css_run(schid, &ccw, &irb) < 0)
        return "sense failed";
    snprintf(buf, sizeof(buf), "sense %02x%02x%02x%02x", sense[0], sense[1], sense[2], sense[3]);
    return buf;
}

/* One channel program at a time on the device, from whichever CPU (the buffers below). */
static spinlock_t fba_lock;

static int transfer_locked(struct fba *f, bool write, uint64_t block, void *buf, uint32_t count,
                           const char **why);

int fba_transfer(struct fba *f, bool write, uint64_t block, void *buf, uint32_t count,
                 const char **why)
{
    spin_lock(&fba_lock);
    int r = transfer_locked(f, write, block, buf, count, why);
    spin_unlock(&fba_lock);
    return r;
}

static int transfer_locked(struct fba *f, bool write, uint64_t block, void *buf, uint32_t count,
                           const char **why)
{
    static struct fba_extent de __attribute__((aligned(8)));
    static struct fba_locate loc __attribute__((aligned(8)));
    static struct ccw1 prog[3];
    static char msg[96];
    struct irb irb;

    if (block > f->blocks || count > f->blocks - block) {
        *why = "transfer beyond the end of the device";
        return -1;
    }
    if ((uintptr_t)buf + (uint64_t)count * FBA_BLOCK > 0x80000000u) {
        *why = "buffer above 2 GiB (format-1 CCWs address 31 bits)";
        return -1;
    }
    while (count) {
        uint32_t n = count < FBA_MAX_BLOCKS ? count : FBA_MAX_BLOCKS;
        de = (struct fba_extent){ FBA_MASK_ALLOW_WRITES, { 0 }, 0, 0, (uint32_t)(f->blocks - 1) };
        loc = (struct fba_locate){ write ? FBA_LOC_WRITE : FBA_LOC_READ, 0, (uint16_t)n,
                                   (uint32_t)block };
        prog[0] = (struct ccw1){ FBA_DEFINE_EXTENT, CCW_F_CC, sizeof(de), (uint32_t)(uintptr_t)&de };
        prog[1] = (struct ccw1){ FBA_LOCATE, CCW_F_CC, sizeof(loc), (uint32_t)(uintptr_t)&loc };
        prog[2] = (struct ccw1){ write ? FBA_WRITE : FBA_READ, 0, (uint16_t)(n * FBA_BLOCK),
                                 (uint32_t)(uintptr_t)buf };
        if (css_run(f->schid, prog, &irb) < 0) {
            snprintf(msg, sizeof(msg), "%s of blocks %llu+%u failed: status %02x%02x, %s",
                     write ? "write" : "read", (unsigned long long)block, n, irb.scsw.dstat,
                     irb.scsw.cstat,
                     irb.scsw.dstat & DEV_STAT_UNIT_CHECK ? sense_text(f->schid) : "no sense");
            *why = msg;
            return -1;
        }
        block += n;
        count -= n;
        buf = (uint8_t *)buf + n * FBA_BLOCK;
    }
    return 0;
}

int fba_open(uint32_t schid, struct fba *f, const char **why)
{
    static uint8_t rdc[64] __attribute__((aligned(8)));
    struct ccw1 ccw = { FBA_RDC, CCW_F_SLI, sizeof(rdc), (uint32_t)(uintptr_t)rdc };
    struct irb irb;

    memset(rdc, 0, sizeof(rdc));
    if (css_run(schid, &ccw, &irb) < 0) {
        *why = "read device characteristics failed";
        return -1;
    }
    /* Bytes 4-5: block size; 14-17: blocks on the device. */
    unsigned bsize = rdc[4] << 8 | rdc[5];
    uint32_t blocks = (uint32_t)rdc[14] << 24 | rdc[15] << 16 | rdc[16] << 8 | rdc[17];
    if (bsize != FBA_BLOCK) {
        *why = "block size is not 512";
        return -1;
    }
    if (blocks == 0) {
        *why = "device reports no blocks";
        return -1;
    }
    f->schid = schid;
    f->blocks = blocks;
    return 0;
}

static int disk_read(struct disk *d, uint64_t sector, void *buf, uint32_t count)
{
    const char *why;
    return fba_transfer(d->priv, false, sector, buf, count, &why);
}

static int disk_write(struct disk *d, uint64_t sector, const void *buf, uint32_t count)
{
    const char *why;
    return fba_transfer(d->priv, true, sector, (void *)buf, count, &why);
}

/* A write is on the device when its channel program ends (device end): nothing to flush. */
static int disk_flush(struct disk *d)
{
    (void)d;
    return 0;
}

static void disk_batch(struct disk *d, struct disk_req *reqs, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        reqs[i].status = reqs[i].write ? disk_write(d, reqs[i].sector, reqs[i].buf, reqs[i].count)
                                       : disk_read(d, reqs[i].sector, reqs[i].buf, reqs[i].count);
}

int fba_probe(const void *fdt, struct disk *d, const char **why)
{
    int node, len;

    *why = "no FBA DASD besides the IPL volume";
    for (node = fdt_node_offset_by_compatible(fdt, -1, "ibm,fba-dasd"); node >= 0;
         node = fdt_node_offset_by_compatible(fdt, node, "ibm,fba-dasd")) {
        if (fdt_getprop(fdt, node, "ibm,ipl-volume", NULL))
            continue;
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        const fdt32_t *devno = fdt_getprop(fdt, node, "ibm,devno", NULL);
        if (!reg || len != 4 || !devno)
            continue;
        if (fba_open(fdt32_to_cpu(*reg), &fba_disk, why) < 0)
            return -1;
        snprintf(model, sizeof(model), "FBA DASD %04x", fdt32_to_cpu(*devno));
        *d = (struct disk){ .model = model, .base = fdt32_to_cpu(*reg), .sectors = fba_disk.blocks,
                            .priv = &fba_disk, .read = disk_read, .write = disk_write,
                            .flush = disk_flush, .batch = disk_batch };
        return 0;
    }
    return -1;
}
