/* FBA DASD access for the s390x boot code and the disk driver (drivers/fba.c). */
#ifndef DRIVERS_FBA_H
#define DRIVERS_FBA_H

#include "types.h"

#define FBA_BLOCK 512

struct fba {
    uint32_t schid;     /* its subchannel, enabled */
    uint64_t blocks;
};

/* Learn the device's size (read device characteristics). 0, or <0 and *why. */
int fba_open(uint32_t schid, struct fba *f, const char **why);
/* Read or write 'count' blocks at 'block' (buf below 2 GiB). 0, or <0 and *why. */
int fba_transfer(struct fba *f, bool write, uint64_t block, void *buf, uint32_t count,
                 const char **why);

#endif
