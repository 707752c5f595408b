/* virtio-blk requests against a slice. A request is a 16-byte header the device reads,
 * the data, and a status byte the device writes last. Nothing outside the slice is touched:
 * every request is checked against the slice before the disk sees it. */
#include <string.h>

#include "blk.h"

struct blk_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

/* Walks the device-readable or the device-writable bytes of a chain, at most 'left'. */
struct seg_iter {
    const struct virtq_chain *c;
    bool writable;
    unsigned i;
    uint32_t off;
    uint32_t left;
};

/* The next piece of at most 'max' bytes; false at the end. */
static bool seg_next(struct seg_iter *it, uint8_t **p, uint32_t *len, uint32_t max)
{
    while (it->left && it->i < it->c->n) {
        const struct virtq_buf *b = &it->c->buf[it->i];
        if (b->writable == it->writable && it->off < b->len) {
            uint32_t n = MIN(MIN(b->len - it->off, it->left), max);
            *p = b->addr + it->off;
            *len = n;
            it->off += n;
            it->left -= n;
            return true;
        }
        it->i++;
        it->off = 0;
    }
    return false;
}

static void seg_init(struct seg_iter *it, const struct virtq_chain *c, bool writable, uint32_t len)
{
    *it = (struct seg_iter){ c, writable, 0, 0, len };
}

/* Copy between the chain and a flat buffer: to the chain (fill) or from it. */
static void seg_copy(struct seg_iter *it, uint8_t *flat, uint32_t len, bool fill)
{
    uint8_t *p;
    uint32_t n;
    while (len && seg_next(it, &p, &n, len)) {
        if (fill)
            memcpy(p, flat, n);
        else
            memcpy(flat, p, n);
        flat += n;
        len -= n;
    }
}

/* Whole sectors in every piece: the disk can move data straight to or from guest RAM. */
static bool sector_shaped(struct seg_iter it)
{
    uint8_t *p;
    uint32_t n;
    while (seg_next(&it, &p, &n, UINT32_MAX))
        if (n % DISK_SECTOR)
            return false;
    return true;
}

static int transfer(struct blk_slice *s, bool write, uint64_t sector, struct seg_iter *it,
                    uint32_t bytes)
{
    struct disk *d = s->disk;
    uint8_t *p;
    uint32_t n;

    if (sector_shaped(*it)) {
        while (seg_next(it, &p, &n, UINT32_MAX)) {
            int r = write ? d->write(d, s->start + sector, p, n / DISK_SECTOR)
                          : d->read(d, s->start + sector, p, n / DISK_SECTOR);
            if (r < 0)
                return -1;
            sector += n / DISK_SECTOR;
        }
        return 0;
    }
    while (bytes) {
        uint32_t chunk = MIN(bytes, s->bounce_size);
        if (write) {
            seg_copy(it, s->bounce, chunk, false);
            if (d->write(d, s->start + sector, s->bounce, chunk / DISK_SECTOR) < 0)
                return -1;
        } else {
            if (d->read(d, s->start + sector, s->bounce, chunk / DISK_SECTOR) < 0)
                return -1;
            seg_copy(it, s->bounce, chunk, true);
        }
        sector += chunk / DISK_SECTOR;
        bytes -= chunk;
    }
    return 0;
}

static uint8_t execute(struct blk_slice *s, const struct blk_hdr *h, struct virtq_chain *c,
                       uint32_t *written)
{
    struct seg_iter it;
    uint64_t sector = le64_to_cpu(h->sector);
    uint32_t bytes;

    switch (le32_to_cpu(h->type)) {
    case VIRTIO_BLK_T_IN:
        bytes = c->in_len - 1;
        seg_init(&it, c, true, bytes);
        break;
    case VIRTIO_BLK_T_OUT:
        if (s->read_only)
            return VIRTIO_BLK_S_IOERR;
        bytes = c->out_len - sizeof(*h);
        seg_init(&it, c, false, c->out_len);
        seg_copy(&it, (uint8_t[sizeof(*h)]){ 0 }, sizeof(*h), false); /* skip the header */
        it.left = bytes;
        break;
    case VIRTIO_BLK_T_FLUSH:
        s->stats.flushes++;
        return s->read_only || s->disk->flush(s->disk) == 0 ? VIRTIO_BLK_S_OK
                                                              : VIRTIO_BLK_S_IOERR;
    case VIRTIO_BLK_T_GET_ID: {
        uint32_t n = MIN(c->in_len - 1, (uint32_t)VIRTIO_BLK_ID_BYTES);
        seg_init(&it, c, true, n);
        seg_copy(&it, (uint8_t *)s->id, n, true);
        *written = n;
        return VIRTIO_BLK_S_OK;
    }
    default:
        return VIRTIO_BLK_S_UNSUPP;
    }

    uint64_t count = bytes / DISK_SECTOR;
    if (bytes % DISK_SECTOR || sector > s->sectors || count > s->sectors - sector)
        return VIRTIO_BLK_S_IOERR; /* partial sector, or past the end of the slice */
    bool write = le32_to_cpu(h->type) == VIRTIO_BLK_T_OUT;
    if (transfer(s, write, sector, &it, bytes) < 0)
        return VIRTIO_BLK_S_IOERR;
    if (write) {
        s->stats.writes++;
        s->stats.bytes_written += bytes;
    } else {
        s->stats.reads++;
        s->stats.bytes_read += bytes;
        *written = bytes;
    }
    return VIRTIO_BLK_S_OK;
}

int blk_execute(struct blk_slice *s, struct virtq_chain *c)
{
    struct blk_hdr h;
    struct seg_iter it;
    uint32_t written = 0;
    uint8_t status;

    /* The status byte is the last device-writable byte; without one there is no answer. */
    if (c->in_len == 0)
        return -1;
    if (c->out_len < sizeof(h)) {
        status = VIRTIO_BLK_S_IOERR;
    } else {
        seg_init(&it, c, false, sizeof(h));
        seg_copy(&it, (uint8_t *)&h, sizeof(h), false);
        status = execute(s, &h, c, &written);
    }
    if (status != VIRTIO_BLK_S_OK)
        s->stats.errors++;
    seg_init(&it, c, true, c->in_len);
    uint8_t *p = NULL, *last = NULL;
    uint32_t n, last_len = 0;
    while (seg_next(&it, &p, &n, UINT32_MAX)) {
        last = p;
        last_len = n;
    }
    last[last_len - 1] = status; /* the last piece ends with the status byte */
    return (int)(written + 1);
}
