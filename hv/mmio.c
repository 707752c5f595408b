/* Registry of emulated device windows per partition. */
#include "mmio.h"

int mmio_register(struct mmio_table *t, gpaddr_t base, uint64_t size, mmio_handler_t h, void *ctx)
{
    if (t->count == HV_MAX_MMIO)
        return -1;
    for (unsigned i = 0; i < t->count; i++) {
        const struct mmio_region *r = &t->regions[i];
        if (base < r->base + r->size && r->base < base + size)
            return -1;
    }
    t->regions[t->count++] = (struct mmio_region){ base, size, h, ctx };
    return 0;
}

const struct mmio_region *mmio_find(const struct mmio_table *t, gpaddr_t addr, unsigned size)
{
    for (unsigned i = 0; i < t->count; i++) {
        const struct mmio_region *r = &t->regions[i];
        if (addr >= r->base && addr - r->base + size <= r->size)
            return r;
    }
    return NULL;
}
