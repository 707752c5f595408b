/* Fake guest RAM for the device-side harnesses: an mmap'd range between two inaccessible
 * guard pages, so any access just past either end faults even without ASan's help. */
#ifndef FUZZ_GUEST_RAM_H
#define FUZZ_GUEST_RAM_H

#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"

struct guest_ram {
    uint8_t *host;
    size_t size;          /* a multiple of the page size */
    struct guest_mem mem; /* what the hv code sees: host, guest base, size */
};

/* Reserve (once) RAM of 'size' bytes at guest-physical 'base'. */
void guest_ram_init(struct guest_ram *r, uint64_t base, size_t size);
/* Start an input: zero the RAM and copy 'image' (truncated to the RAM size) to its start. */
void guest_ram_load(struct guest_ram *r, const uint8_t *image, size_t len);
/* Is [p, p+len) inside the RAM? */
int guest_ram_holds(const struct guest_ram *r, const void *p, uint64_t len);

#endif
