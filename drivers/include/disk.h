/* The physical disk the block slices live on. */
#ifndef DRIVERS_DISK_H
#define DRIVERS_DISK_H

#include "types.h"

#define DISK_SECTOR 512

/* One transfer of a batch; status is filled in: 0, or <0 for a device error. */
struct disk_req {
    bool write;
    uint64_t sector;
    void *buf;
    uint32_t count;
    int status;
};

struct disk {
    const char *model;     /* e.g. "virtio-blk" */
    paddr_t base;          /* where it was found */
    uint64_t sectors;
    bool read_only;
    void *priv;
    /* Synchronous transfers; <0 on a device error (reported, never ignored). */
    int (*read)(struct disk *d, uint64_t sector, void *buf, uint32_t count);
    int (*write)(struct disk *d, uint64_t sector, const void *buf, uint32_t count);
    int (*flush)(struct disk *d);
    /* Several transfers at once, so the device can overlap them; returns when all are done. */
    void (*batch)(struct disk *d, struct disk_req *reqs, unsigned n);
};

/* Find the machine's disk from the firmware DT; 0 found, <0 none (*why says). Tries the
 * disk drivers the arch links (DRIVERS in arch.mk), in the order of drivers/disk.c. */
int disk_probe(const void *fdt, struct disk *d, const char **why);

/* The drivers: the same contract, each for one kind of disk. */
int virtio_blk_probe(const void *fdt, struct disk *d, const char **why);
int fba_probe(const void *fdt, struct disk *d, const char **why);

#endif
