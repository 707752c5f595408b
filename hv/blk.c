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

/* The bounce path: pieces that are not whole sectors go through s->bounce, synchronously. */
static int bounce_transfer(struct blk_slice *s, bool write, uint64_t sector, struct seg_iter *it,
                           uint32_t bytes)
{
    struct disk *d = s->disk;

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

static unsigned count_pieces(struct seg_iter it)
{
    uint8_t *p;
    uint32_t n;
    unsigned k = 0;
    while (seg_next(&it, &p, &n, UINT32_MAX))
        k++;
    return k;
}

/* Decide the request: finish it now (status set, *io->nreq stays 0) or describe its direct
 * transfers into b. Returns false, touching nothing, if they do not fit in b. */
static bool prepare(struct blk_slice *s, const struct blk_hdr *h, struct blk_io *io,
                    struct blk_batch *b)
{
    struct virtq_chain *c = io->chain;
    struct seg_iter it;
    uint64_t sector = le64_to_cpu(h->sector);
    uint32_t bytes;

    switch (le32_to_cpu(h->type)) {
    case VIRTIO_BLK_T_IN:
        bytes = c->in_len - 1;
        seg_init(&it, c, true, bytes);
        break;
    case VIRTIO_BLK_T_OUT:
        if (s->read_only) {
            io->status = VIRTIO_BLK_S_IOERR;
            return true;
        }
        bytes = c->out_len - sizeof(*h);
        seg_init(&it, c, false, c->out_len);
        seg_copy(&it, (uint8_t[sizeof(*h)]){ 0 }, sizeof(*h), false); /* skip the header */
        it.left = bytes;
        break;
    case VIRTIO_BLK_T_FLUSH:
        s->stats.flushes++;
        io->status = s->read_only || s->disk->flush(s->disk) == 0 ? VIRTIO_BLK_S_OK
                                                                    : VIRTIO_BLK_S_IOERR;
        return true;
    case VIRTIO_BLK_T_GET_ID: {
        uint32_t n = MIN(c->in_len - 1, (uint32_t)VIRTIO_BLK_ID_BYTES);
        seg_init(&it, c, true, n);
        seg_copy(&it, (uint8_t *)s->id, n, true);
        io->written = n;
        io->status = VIRTIO_BLK_S_OK;
        return true;
    }
    default:
        io->status = VIRTIO_BLK_S_UNSUPP;
        return true;
    }

    uint64_t count = bytes / DISK_SECTOR;
    if (bytes % DISK_SECTOR || sector > s->sectors || count > s->sectors - sector) {
        io->status = VIRTIO_BLK_S_IOERR; /* partial sector, or past the end of the slice */
        return true;
    }
    io->write = le32_to_cpu(h->type) == VIRTIO_BLK_T_OUT;
    io->bytes = bytes;
    io->written = io->write ? 0 : bytes;
    io->status = VIRTIO_BLK_S_OK;
    if (!sector_shaped(it)) {
        if (bounce_transfer(s, io->write, sector, &it, bytes) < 0)
            io->status = VIRTIO_BLK_S_IOERR;
        return true;
    }
    /* Whole sectors everywhere: the disk moves data straight to or from guest RAM. */
    if (count_pieces(it) > BLK_BATCH_REQS - b->n)
        return false;
    uint8_t *p;
    uint32_t n;
    io->first = b->n;
    while (seg_next(&it, &p, &n, UINT32_MAX)) {
        b->req[b->n++] = (struct disk_req){ io->write, s->start + sector, p, n / DISK_SECTOR, 0 };
        sector += n / DISK_SECTOR;
    }
    io->nreq = b->n - io->first;
    return true;
}

int blk_prepare(struct blk_slice *s, struct virtq_chain *c, struct blk_io *io,
                struct blk_batch *b)
{
    struct blk_hdr h;
    struct seg_iter it;

    *io = (struct blk_io){ .chain = c };
    /* The status byte is the last device-writable byte; without one there is no answer. */
    if (c->in_len == 0)
        return -1;
    if (c->out_len < sizeof(h)) {
        io->status = VIRTIO_BLK_S_IOERR;
        return 1;
    }
    seg_init(&it, c, false, sizeof(h));
    seg_copy(&it, (uint8_t *)&h, sizeof(h), false);
    return prepare(s, &h, io, b) ? 1 : 0;
}

int blk_finish(struct blk_slice *s, struct blk_io *io, const struct blk_batch *b)
{
    struct seg_iter it;

    for (unsigned i = 0; i < io->nreq; i++)
        if (b->req[io->first + i].status < 0)
            io->status = VIRTIO_BLK_S_IOERR;
    if (io->status != VIRTIO_BLK_S_OK) {
        s->stats.errors++;
        io->written = 0;
    } else if (io->bytes && io->write) {
        s->stats.writes++;
        s->stats.bytes_written += io->bytes;
    } else if (io->bytes) {
        s->stats.reads++;
        s->stats.bytes_read += io->bytes;
    }
    seg_init(&it, io->chain, true, io->chain->in_len);
    uint8_t *p = NULL, *last = NULL;
    uint32_t n, last_len = 0;
    while (seg_next(&it, &p, &n, UINT32_MAX)) {
        last = p;
        last_len = n;
    }
    last[last_len - 1] = io->status; /* the last piece ends with the status byte */
    return (int)(io->written + 1);
}

void blk_batch_run(struct blk_slice *s, struct blk_batch *b)
{
    if (b->n)
        s->disk->batch(s->disk, b->req, b->n);
}

int blk_execute(struct blk_slice *s, struct virtq_chain *c)
{
    struct blk_batch b = { .n = 0 };
    struct blk_io io;

    int r = blk_prepare(s, c, &io, &b);
    if (r < 0)
        return -1;
    if (r == 0) /* more pieces than a batch holds: an empty batch takes at most a chain */
        return -1;
    blk_batch_run(s, &b);
    return blk_finish(s, &io, &b);
}
