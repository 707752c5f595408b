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

/* Carry out one request; writes its status byte. Returns the number of bytes written into
 * the chain's device-writable buffers (the used length), or -1 if the chain cannot even
 * hold a status byte (the caller treats that as a malformed request). */
int blk_execute(struct blk_slice *s, struct virtq_chain *c);

#endif
