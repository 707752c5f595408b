/* Fuzz harness: virtio-blk as a guest drives it (hv/virtio_blk.c, hv/blk.c over
 * hv/virtio_mmio.c and hv/virtq.c), on a RAM disk of 64 sectors whose slice is sectors
 * 16..47. The script (vdev.h) is the guest; its step kind 4 makes the next 'arg' disk
 * transfers fail. The disk checks that nothing outside the slice is touched, that a
 * read-only slice is never written and that direct transfers stay in guest RAM. */
#include <stdarg.h>
#include <string.h>

#include "blk.h"
#include "config.h"
#include "disk.h"
#include "vdev.h"
#include "virtio.h"

#define DISK_SECTORS 64
#define SLICE_START 16
#define SLICE_SECTORS 32

static struct vdev vdev;
static struct partition part;
static struct part_config pc;
static uint8_t disk_data[DISK_SECTORS * DISK_SECTOR];
static unsigned fail_next;

void hv_log(const char *fmt, ...)
{
    char buf[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
}

static void check_range(uint64_t sector, uint32_t count, bool write)
{
    FUZZ_CHECK(sector >= SLICE_START && count <= SLICE_SECTORS &&
                   sector - SLICE_START <= SLICE_SECTORS - count,
               "%s of %u sectors at %llu, outside the slice", write ? "write" : "read", count,
               (unsigned long long)sector);
    FUZZ_CHECK(!write || !pc.block_read_only, "write to a read-only slice");
}

static int transfer(uint64_t sector, void *buf, uint32_t count, bool write)
{
    check_range(sector, count, write);
    if (fail_next) {
        fail_next--;
        return -1;
    }
    if (write)
        memcpy(disk_data + sector * DISK_SECTOR, buf, (size_t)count * DISK_SECTOR);
    else
        memcpy(buf, disk_data + sector * DISK_SECTOR, (size_t)count * DISK_SECTOR);
    return 0;
}

static int disk_read(struct disk *d, uint64_t sector, void *buf, uint32_t count)
{
    (void)d;
    return transfer(sector, buf, count, false);
}

static int disk_write(struct disk *d, uint64_t sector, const void *buf, uint32_t count)
{
    (void)d;
    return transfer(sector, (void *)buf, count, true);
}

static int disk_flush(struct disk *d)
{
    (void)d;
    FUZZ_CHECK(!pc.block_read_only, "flush of a read-only slice reached the disk");
    return fail_next ? (fail_next--, -1) : 0;
}

static void disk_batch(struct disk *d, struct disk_req *r, unsigned n)
{
    (void)d;
    FUZZ_CHECK(n <= BLK_BATCH_REQS, "batch of %u", n);
    for (unsigned i = 0; i < n; i++) {
        FUZZ_CHECK(guest_ram_holds(&vdev.ram, r[i].buf, (uint64_t)r[i].count * DISK_SECTOR),
                   "direct transfer %u outside guest RAM", i);
        r[i].status = transfer(r[i].sector, r[i].buf, r[i].count, r[i].write);
    }
}

static struct disk disk = { "fuzz-ramdisk", 0, DISK_SECTORS, false, NULL,
                            disk_read, disk_write, disk_flush, disk_batch };

static void fail_transfers(struct vdev *v, uint8_t arg, uint16_t a, uint32_t b)
{
    (void)v, (void)a, (void)b;
    fail_next = arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!vdev.part) {
        vdev_init(&vdev, &part);
        vdev.op = fail_transfers;
    }
    struct fuzz_in script = vdev_begin(&vdev, data, size);
    /* header byte 0, bit 5: a read-only slice */
    pc = (struct part_config){ .block = true, .block_start = SLICE_START,
                               .block_sectors = SLICE_SECTORS,
                               .block_read_only = size && (data[0] & 32) };
    part.cfg = &pc;
    fail_next = 0;
    memset(disk_data, 0, sizeof(disk_data));
    FUZZ_CHECK(virtio_blk_create(&part, 0, &disk) != NULL, "virtio_blk_create");
    vdev_run(&vdev, script);
    return 0;
}
