/* A partition's guest-physical RAM as the hv sees it: one contiguous host range. */
#ifndef HV_GUEST_MEM_H
#define HV_GUEST_MEM_H

#include "types.h"

struct guest_mem {
    uint8_t *host;   /* where guest address 'base' lives in the hv's address space */
    gpaddr_t base;
    uint64_t size;
};

/* Host pointer for [gpa, gpa+len) if it lies wholly inside the partition's RAM, else NULL. */
static inline void *guest_ptr(const struct guest_mem *m, gpaddr_t gpa, uint64_t len)
{
    if (gpa < m->base || len > m->size || gpa - m->base > m->size - len)
        return NULL;
    return m->host + (gpa - m->base);
}

#endif
