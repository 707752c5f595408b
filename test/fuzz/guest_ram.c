/* Fake guest RAM between guard pages; see guest_ram.h. */
#include "guest_ram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
}

void guest_ram_load(struct guest_ram *r, const uint8_t *image, size_t len)
{
    if (len > r->size)
        len = r->size;
    /* Large RAM: give the pages back instead of writing zeros over all of them. */
    if (r->size > (1u << 20))
        madvise(r->host, r->size, MADV_DONTNEED);
    else
        memset(r->host, 0, r->size);
    memcpy(r->host, image, len);
}

int guest_ram_holds(const struct guest_ram *r, const void *p, uint64_t len)
{
    const uint8_t *b = p;
    return b >= r->host && len <= r->size && (uint64_t)(b - r->host) <= r->size - len;
}
