/* Fake guest RAM between guard pages; see guest_ram.h. */
#include "guest_ram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LARGE (1u << 20) /* RAM above this is cleared by what was written, not wholly */

void guest_ram_init(struct guest_ram *r, uint64_t base, size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *m = mmap(NULL, size + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0);

    if (m == MAP_FAILED || mprotect(m + page, size, PROT_READ | PROT_WRITE) != 0) {
        perror("guest_ram_init");
        abort();
    }
    r->host = m + page;
    r->size = size;
    r->mem = (struct guest_mem){ r->host, base, size };
    r->nr_dirty = GUEST_RAM_DIRTY_MAX + 1; /* fresh pages; the first load need not zero */
}

void guest_ram_load(struct guest_ram *r, const uint8_t *image, size_t len)
{
    if (len > r->size)
        len = r->size;
    if (r->size <= LARGE)
        memset(r->host, 0, r->size);
    else if (r->nr_dirty > GUEST_RAM_DIRTY_MAX)
        madvise(r->host, r->size, MADV_DONTNEED); /* zero pages again */
    else
        for (unsigned i = 0; i < r->nr_dirty; i++)
            memset(r->host + r->dirty[i].off, 0, r->dirty[i].len);
    r->nr_dirty = 0;
    memcpy(r->host, image, len);
    guest_ram_dirty(r, r->host, len);
}

void guest_ram_dirty(struct guest_ram *r, const void *p, size_t len)
{
    const uint8_t *b = p;

    if (r->size <= LARGE || r->nr_dirty > GUEST_RAM_DIRTY_MAX || !len)
        return;
    if (!guest_ram_holds(r, p, len) || r->nr_dirty == GUEST_RAM_DIRTY_MAX) {
        r->nr_dirty = GUEST_RAM_DIRTY_MAX + 1;
        return;
    }
    r->dirty[r->nr_dirty].off = (size_t)(b - r->host);
    r->dirty[r->nr_dirty++].len = len;
}

int guest_ram_holds(const struct guest_ram *r, const void *p, uint64_t len)
{
    const uint8_t *b = p;
    return b >= r->host && len <= r->size && (uint64_t)(b - r->host) <= r->size - len;
}
