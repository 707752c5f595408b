/* virtio-ccw (hv/virtio_ccw.c): the channel commands of a virtio device, for the arch's
 * channel subsystem, which runs the channel programs. */
#ifndef HV_VIRTIO_CCW_H
#define HV_VIRTIO_CCW_H

#include "types.h"

struct virtio_dev;

/* One CCW as the channel subsystem fetched it: data at guest absolute 'cda'. */
struct vccw_ccw {
    uint8_t cmd;
    bool sli;               /* suppress incorrect length: more bytes than needed are fine */
    uint16_t count;
    gpaddr_t cda;
};

enum vccw_result {
    VCCW_OK,                /* channel end, device end */
    VCCW_REJECT,            /* unit check, sense: command reject */
    VCCW_CHECK,             /* channel-program check: bad length or address */
};

/* Per device: the revision the driver chose and its indicators. */
struct vccw {
    int revision;           /* -1 until SET_VIRTIO_REV */
    gpaddr_t ind, conf_ind; /* classic queue and configuration indicators, 0 = none */
};

/* Run one command on device d, its lock held; *residual = bytes not used. */
enum vccw_result virtio_ccw_command(struct virtio_dev *d, const struct vccw_ccw *c,
                                    uint32_t *residual);
/* Make virtio-ccw d's transport (the arch calls it from arch_virtio_attach). */
void virtio_ccw_attach(struct virtio_dev *d);

#endif
