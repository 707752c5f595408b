/* virtio-blk requests against a slice of a RAM disk: data lands where it should, nothing
 * outside the slice changes, and every bad request gets the right status. */
#include "blk.h"
#include "unit.h"

#define DISK_SECTORS 64
#define SLICE_START 16
#define SLICE_SECTORS 8

static uint8_t disk_data[DISK_SECTORS * DISK_SECTOR];
static int fail_next;
static unsigned flushes;

static int rd(struct disk *d, uint64_t s, void *buf, uint32_t n)
{
    if (fail_next-- > 0 || s + n > d->sectors)
        return -1;
    memcpy(buf, disk_data + s * DISK_SECTOR, n * DISK_SECTOR);
    return 0;
}

static int wr(struct disk *d, uint64_t s, const void *buf, uint32_t n)
{
    if (fail_next-- > 0 || s + n > d->sectors)
        return -1;
    memcpy(disk_data + s * DISK_SECTOR, buf, n * DISK_SECTOR);
    return 0;
}

static int fl(struct disk *d)
{
    (void)d;
    flushes++;
    return 0;
}

static unsigned batches;

static void batch(struct disk *d, struct disk_req *r, unsigned n)
{
    batches++;
    for (unsigned i = 0; i < n; i++)
        r[i].status = r[i].write ? wr(d, r[i].sector, r[i].buf, r[i].count)
                                 : rd(d, r[i].sector, r[i].buf, r[i].count);
}

static struct disk disk = { "ramdisk", 0, DISK_SECTORS, false, NULL, rd, wr, fl, batch };
static uint8_t bounce[2 * DISK_SECTOR];
static struct blk_slice slice;
static struct virtq_chain ch;
static uint8_t hdr[16], status, data[8 * DISK_SECTOR], data2[8 * DISK_SECTOR];

static void req(uint32_t type, uint64_t sector)
{
    memcpy(hdr, &type, 4);
    memset(hdr + 4, 0, 4);
    memcpy(hdr + 8, &sector, 8);
    ch = (struct virtq_chain){ 0 };
    ch.buf[ch.n++] = (struct virtq_buf){ hdr, 16, false };
    ch.out_len = 16;
}

static void add(uint8_t *p, uint32_t len, bool w)
{
    ch.buf[ch.n++] = (struct virtq_buf){ p, len, w };
    if (w)
        ch.in_len += len;
    else
        ch.out_len += len;
}

static void fill(uint8_t *p, uint32_t len, uint8_t seed)
{
    for (uint32_t i = 0; i < len; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static bool outside_untouched(void)
{
    for (uint32_t i = 0; i < SLICE_START * DISK_SECTOR; i++)
        if (disk_data[i] != 0xee)
            return false;
    for (uint32_t i = (SLICE_START + SLICE_SECTORS) * DISK_SECTOR; i < sizeof(disk_data); i++)
        if (disk_data[i] != 0xee)
            return false;
    return true;
}

int main(void)
{
    int used;

    memset(disk_data, 0xee, sizeof(disk_data));
    slice = (struct blk_slice){ &disk, SLICE_START, SLICE_SECTORS, false, "hv-test", bounce, sizeof(bounce), { 0 } };

    /* Write 2 sectors at slice sector 1 from one buffer, read them back. */
    fill(data, 2 * DISK_SECTOR, 1);
    req(VIRTIO_BLK_T_OUT, 1);
    add(data, 2 * DISK_SECTOR, false);
    add(&status, 1, true);
    used = blk_execute(&slice, &ch);
    CHECK(used == 1 && status == VIRTIO_BLK_S_OK, "write: used %d status %u", used, status);
    CHECK(memcmp(disk_data + (SLICE_START + 1) * DISK_SECTOR, data, 2 * DISK_SECTOR) == 0, "written at slice start + 1");
    CHECK(outside_untouched(), "write stayed inside the slice");
    memset(data2, 0, sizeof(data2));
    req(VIRTIO_BLK_T_IN, 1);
    add(data2, 2 * DISK_SECTOR, true);
    add(&status, 1, true);
    used = blk_execute(&slice, &ch);
    CHECK(used == 2 * DISK_SECTOR + 1 && status == VIRTIO_BLK_S_OK, "read: used %d status %u", used, status);
    CHECK(memcmp(data2, data, 2 * DISK_SECTOR) == 0, "read back what was written");

    /* Odd-sized pieces (bounce path): 100 + 924 bytes = 2 sectors, status in the last piece. */
    fill(data, 2 * DISK_SECTOR, 9);
    req(VIRTIO_BLK_T_OUT, 5);
    add(data, 100, false);
    add(data + 100, 924, false);
    add(&status, 1, true);
    used = blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_OK && memcmp(disk_data + (SLICE_START + 5) * DISK_SECTOR, data, 1024) == 0,
          "split write, status %u", status);
    memset(data2, 0, sizeof(data2));
    req(VIRTIO_BLK_T_IN, 5);
    add(data2, 300, true);
    add(data2 + 300, 724, true);
    uint8_t tail[2];
    add(tail, 1, true); /* status alone */
    used = blk_execute(&slice, &ch);
    CHECK(used == 1025 && tail[0] == VIRTIO_BLK_S_OK && memcmp(data2, data, 1024) == 0,
          "split read: used %d status %u", used, tail[0]);
    /* Data and status sharing one writable buffer (as Linux never does, but the spec allows). */
    uint8_t combined[DISK_SECTOR + 1];
    req(VIRTIO_BLK_T_IN, 5);
    add(combined, sizeof(combined), true);
    used = blk_execute(&slice, &ch);
    CHECK(used == DISK_SECTOR + 1 && combined[DISK_SECTOR] == VIRTIO_BLK_S_OK &&
              memcmp(combined, data, DISK_SECTOR) == 0,
          "data+status in one buffer: used %d status %u", used, combined[DISK_SECTOR]);
    CHECK(outside_untouched(), "bounced writes stayed inside the slice");

    /* Bad requests. */
    req(VIRTIO_BLK_T_IN, SLICE_SECTORS);
    add(data2, DISK_SECTOR, true);
    add(&status, 1, true);
    blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_IOERR, "read past the slice end: status %u", status);
    req(VIRTIO_BLK_T_OUT, SLICE_SECTORS - 1);
    add(data, 2 * DISK_SECTOR, false);
    add(&status, 1, true);
    blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_IOERR && outside_untouched(), "write straddling the end refused: %u", status);
    req(VIRTIO_BLK_T_OUT, UINT64_MAX);
    add(data, DISK_SECTOR, false);
    add(&status, 1, true);
    blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_IOERR && outside_untouched(), "huge sector number refused: %u", status);
    req(VIRTIO_BLK_T_IN, 0);
    add(data2, 100, true);
    add(&status, 1, true);
    blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_IOERR, "partial sector refused: %u", status);
    req(99, 0);
    add(&status, 1, true);
    blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_UNSUPP, "unknown type: %u", status);
    ch = (struct virtq_chain){ 0 };
    add(hdr, 8, false);
    add(&status, 1, true);
    blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_IOERR, "short header: %u", status);
    req(VIRTIO_BLK_T_IN, 0);
    add(data2, DISK_SECTOR, false);
    CHECK(blk_execute(&slice, &ch) < 0, "no writable status byte is reported to the caller");
    fail_next = 1;
    req(VIRTIO_BLK_T_IN, 0);
    add(data2, DISK_SECTOR, true);
    add(&status, 1, true);
    blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_IOERR, "disk error becomes IOERR: %u", status);
    fail_next = 0;

    /* Read-only slice. */
    slice.read_only = true;
    memcpy(data2, disk_data + SLICE_START * DISK_SECTOR, DISK_SECTOR);
    req(VIRTIO_BLK_T_OUT, 0);
    fill(data, DISK_SECTOR, 77);
    add(data, DISK_SECTOR, false);
    add(&status, 1, true);
    blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_IOERR && memcmp(data2, disk_data + SLICE_START * DISK_SECTOR, DISK_SECTOR) == 0,
          "write to a read-only slice refused: %u", status);
    slice.read_only = false;

    /* Flush and GET_ID. */
    req(VIRTIO_BLK_T_FLUSH, 0);
    add(&status, 1, true);
    blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_OK && flushes == 1, "flush reached the disk (%u)", flushes);
    char id[VIRTIO_BLK_ID_BYTES + 1] = { 0 };
    req(VIRTIO_BLK_T_GET_ID, 0);
    add((uint8_t *)id, VIRTIO_BLK_ID_BYTES, true);
    add(&status, 1, true);
    used = blk_execute(&slice, &ch);
    CHECK(status == VIRTIO_BLK_S_OK && strcmp(id, "hv-test") == 0 && used == VIRTIO_BLK_ID_BYTES + 1,
          "GET_ID '%s' used %d", id, used);

    CHECK(slice.stats.writes == 2 && slice.stats.reads == 3 && slice.stats.errors == 8,
          "stats: %llu writes %llu reads %llu errors", (unsigned long long)slice.stats.writes,
          (unsigned long long)slice.stats.reads, (unsigned long long)slice.stats.errors);
    /* A batch: three writes described first, carried out together, answered after. */
    struct virtq_chain chains[3];
    struct blk_io ios[3];
    struct blk_batch b = { .n = 0 };
    uint8_t st[3], bufs[3][DISK_SECTOR], hdrs[3][16];
    unsigned before = batches;
    for (int i = 0; i < 3; i++) {
        uint32_t type = VIRTIO_BLK_T_OUT;
        uint64_t sector = 2 + i;
        memcpy(hdrs[i], &type, 4);
        memset(hdrs[i] + 4, 0, 4);
        memcpy(hdrs[i] + 8, &sector, 8);
        fill(bufs[i], DISK_SECTOR, (uint8_t)(40 + i));
        chains[i] = (struct virtq_chain){ 0 };
        chains[i].buf[0] = (struct virtq_buf){ hdrs[i], 16, false };
        chains[i].buf[1] = (struct virtq_buf){ bufs[i], DISK_SECTOR, false };
        chains[i].buf[2] = (struct virtq_buf){ &st[i], 1, true };
        chains[i].n = 3;
        chains[i].out_len = 16 + DISK_SECTOR;
        chains[i].in_len = 1;
        CHECK(blk_prepare(&slice, &chains[i], &ios[i], &b) == 1, "prepare %d", i);
    }
    CHECK(b.n == 3 && batches == before, "three transfers queued, none done yet (%u)", b.n);
    CHECK(memcmp(disk_data + (SLICE_START + 2) * DISK_SECTOR, bufs[0], DISK_SECTOR) != 0, "not written before the batch runs");
    blk_batch_run(&slice, &b);
    CHECK(batches == before + 1, "one disk batch for three requests");
    for (int i = 0; i < 3; i++) {
        CHECK(blk_finish(&slice, &ios[i], &b) == 1 && st[i] == VIRTIO_BLK_S_OK, "finish %d: status %u", i, st[i]);
        CHECK(memcmp(disk_data + (SLICE_START + 2 + i) * DISK_SECTOR, bufs[i], DISK_SECTOR) == 0, "batched write %d landed", i);
    }
    /* A batch too full for the next request says so and leaves it untouched. */
    b.n = BLK_BATCH_REQS;
    CHECK(blk_prepare(&slice, &chains[0], &ios[0], &b) == 0 && b.n == BLK_BATCH_REQS, "full batch refused");
    CHECK(outside_untouched(), "batched writes stayed inside the slice");

    return unit_finish("unit-blk");
}
