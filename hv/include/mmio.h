/* Emulated device windows: a handler registered for a guest-physical range. */
#ifndef HV_MMIO_H
#define HV_MMIO_H

#include "limits.h"
#include "types.h"

struct vcpu;

/* Read (write == false: fill *val) or write (*val) 'size' bytes at 'offset' in the window.
 * Returns 0, or <0 for an access the device does not accept (the guest is stopped). */
typedef int (*mmio_handler_t)(struct vcpu *v, void *ctx, uint64_t offset, unsigned size,
                              bool write, uint64_t *val);

struct mmio_region {
    gpaddr_t base;
    uint64_t size;
    mmio_handler_t handler;
    void *ctx;
};

struct mmio_table {
    struct mmio_region regions[HV_MAX_MMIO];
    unsigned count;
};

int mmio_register(struct mmio_table *t, gpaddr_t base, uint64_t size, mmio_handler_t h, void *ctx);
const struct mmio_region *mmio_find(const struct mmio_table *t, gpaddr_t addr, unsigned size);

#endif
