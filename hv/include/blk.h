/* Block slices: a partition's window onto the physical disk, and the virtio-blk request
 * semantics on top of it. Pure logic over a struct disk: unit-tested on the host. */
#ifndef HV_BLK_H
#define HV_BLK_H

#include "disk.h"
#include "virtq.h"

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20

struct blk_stats {
    uint64_t reads, writes, flushes, errors, bytes_read, bytes_written;
};

struct blk_slice {
    struct disk *disk;
    uint64_t start, sectors;       /* in disk sectors */
    bool read_only;
    char id[VIRTIO_BLK_ID_BYTES];  /* what GET_ID returns */
    uint8_t *bounce;               /* for guest buffers that are not whole sectors */
    uint32_t bounce_size;          /* a multiple of DISK_SECTOR */
    struct blk_stats stats;
};

/* Disk transfers of several requests, handed to the disk at once so it can overlap them. */
#define BLK_BATCH_REQS VIRTQ_MAX_CHAIN
struct blk_batch {
    struct disk_req req[BLK_BATCH_REQS];
    unsigned n;
};

/* One request between blk_prepare and blk_finish. */
struct blk_io {
    struct virtq_chain *chain;
    uint8_t status;
    bool write;
    uint32_t bytes, written;
    unsigned first, nreq;   /* its transfers in the batch */
};

/* Check a request and either finish it at once or add its transfers to b. Returns 1 (io is
 * ready for blk_finish after blk_batch_run), 0 if b is too full (run b, finish what it
 * holds, and prepare this request again), -1 if the chain has no status byte (malformed). */
int blk_prepare(struct blk_slice *s, struct virtq_chain *c, struct blk_io *io, struct blk_batch *b);
/* Let the disk carry out the batch's transfers. */
void blk_batch_run(struct blk_slice *s, struct blk_batch *b);
/* Write the status byte; returns the used length (bytes written into the chain). */
int blk_finish(struct blk_slice *s, struct blk_io *io, const struct blk_batch *b);
/* All three for one request: the used length, or -1 if the chain is malformed. */
int blk_execute(struct blk_slice *s, struct virtq_chain *c);

#endif
