/* Fake guest RAM for the device-side harnesses: an mmap'd range between two inaccessible
 * guard pages, so any access just past either end faults even without ASan's help. */
#ifndef FUZZ_GUEST_RAM_H
#define FUZZ_GUEST_RAM_H

#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"

#define GUEST_RAM_DIRTY_MAX 16

struct guest_ram {
    uint8_t *host;
    size_t size;          /* a multiple of the page size */
    struct guest_mem mem; /* what the hv code sees: host, guest base, size */
    /* Large RAM: the ranges written since the last load, zeroed by the next one (faster
     * than dropping every page); more than fit means all of it. */
    struct { size_t off, len; } dirty[GUEST_RAM_DIRTY_MAX];
    unsigned nr_dirty;
};

/* Reserve (once) RAM of 'size' bytes at guest-physical 'base'. */
void guest_ram_init(struct guest_ram *r, uint64_t base, size_t size);
/* Start an input: zero the RAM and copy 'image' (truncated to the RAM size) to its start. */
void guest_ram_load(struct guest_ram *r, const uint8_t *image, size_t len);
/* [p, p+len) may have been written since the load (only needed for RAM over 1 MiB). */
void guest_ram_dirty(struct guest_ram *r, const void *p, size_t len);
/* Is [p, p+len) inside the RAM? */
int guest_ram_holds(const struct guest_ram *r, const void *p, uint64_t len);

#endif
