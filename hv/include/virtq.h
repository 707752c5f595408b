/* Split virtqueues (virtio 1.x), device side: the hv reads what a guest driver offers. */
#ifndef HV_VIRTQ_H
#define HV_VIRTQ_H

#include "guest_mem.h"
#include "types.h"

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_MAX_CHAIN 64     /* buffers per request the hv accepts */

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq {
    uint16_t num;              /* queue size chosen by the driver */
    bool ready;
    bool event_idx;            /* VIRTIO_RING_F_EVENT_IDX negotiated */
    bool indirect;             /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
    gpaddr_t desc, avail, used;
    uint16_t last_avail;       /* next avail entry the device consumes */
    uint16_t used_idx;         /* the device's copy of used->idx */
    uint16_t signalled;        /* used_idx when the driver was last interrupted */
    const struct guest_mem *mem;
};

struct virtq_buf {
    uint8_t *addr;             /* hv pointer into guest RAM, bounds-checked */
    uint32_t len;
    bool writable;             /* device writes (driver reads) */
};

struct virtq_chain {
    uint16_t head;
    unsigned n;
    uint32_t out_len, in_len;  /* bytes the device may read / write */
    struct virtq_buf buf[VIRTQ_MAX_CHAIN];
};

/* Check the rings lie in guest RAM with the required alignment; then the queue may run. */
int virtq_setup(struct virtq *q, const struct guest_mem *mem, const char **why);
/* Take the next request. 1: *c filled; 0: nothing available; <0: malformed (*why set),
 * the device must stop using the queue (NEEDS_RESET). */
int virtq_pop(struct virtq *q, struct virtq_chain *c, const char **why);
/* Return a request with 'len' bytes written into its writable buffers. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);
/* After one or more pushes: does the driver want an interrupt now? */
bool virtq_should_notify(struct virtq *q);
/* Copy up to len bytes into the writable buffers of c; returns bytes copied. */
uint32_t virtq_chain_write(struct virtq_chain *c, const void *data, uint32_t len);

#endif
