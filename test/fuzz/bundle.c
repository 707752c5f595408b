/* Fuzz harness: the boot bundle reader (hv/bundle.c, newc cpio) on any archive. Looks up
 * the names the hv asks for and one taken from the archive itself; whatever it returns
 * must lie inside the archive and carry the name asked for. */
#include <string.h>

#include "bundle.h"
#include "fuzz.h"

static void find(const uint8_t *a, size_t size, const char *name)
{
    struct bundle_file f;
    const char *why = NULL;
    int r = bundle_find(a, size, name, &f, &why);

    if (r < 0)
        FUZZ_CHECK(why != NULL, "malformed without a reason");
    if (r <= 0)
        return;
    FUZZ_CHECK(r == 1, "returned %d", r);
    const uint8_t *n = (const uint8_t *)f.name, *d = f.data;
    FUZZ_CHECK(n >= a && f.name_len <= size && (size_t)(n - a) <= size - f.name_len, "name outside");
    FUZZ_CHECK(d >= a && f.size <= size && (size_t)(d - a) <= size - f.size, "data outside");
    FUZZ_CHECK((size_t)(d - a) % 4 == 0, "data not 4-byte aligned in the archive");
    size_t want = strlen(name), skip = f.name_len >= 2 && !memcmp(f.name, "./", 2) ? 2 : 0;
    FUZZ_CHECK(f.name_len - skip == want && memcmp(f.name + skip, name, want) == 0,
               "found '%.*s' for '%s'", (int)f.name_len, f.name, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char own[64];

    find(data, size, "config.dtb");
    find(data, size, "hello.bin");
    /* A name from the first header's name field, so that later members get looked up too. */
    size_t n = size > 110 ? MIN(size - 110, sizeof(own) - 1) : 0;
    memcpy(own, data + 110, n);
    own[n] = '\0';
    find(data, size, own);
    return 0;
}
