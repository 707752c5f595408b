/* newc cpio reader (the Linux initramfs format): 110-byte ASCII-hex headers, 4-byte padding. */
#include <string.h>

#include "bundle.h"

#define NEWC_HDR 110

static int hex8(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

int bundle_find(const void *archive, size_t archive_size, const char *name,
                struct bundle_file *out, const char **why)
{
    const char *base = archive;
    size_t off = 0, want = strlen(name);

    for (;;) {
        uint32_t namesize, filesize;
        if (archive_size - off < NEWC_HDR) {
            *why = "archive ends inside a header (no TRAILER!!!)";
            return -1;
        }
        const char *h = base + off;
        if (memcmp(h, "070701", 6) != 0 && memcmp(h, "070702", 6) != 0) {
            *why = "not a newc cpio archive (bad magic)";
            return -1;
        }
        if (hex8(h + 54, &filesize) || hex8(h + 94, &namesize) || namesize == 0) {
            *why = "corrupt header field";
            return -1;
        }
        size_t name_off = off + NEWC_HDR;
        if (archive_size - name_off < namesize) {
            *why = "member name runs past the end of the archive";
            return -1;
        }
        size_t data_off = ALIGN_UP(name_off + namesize, 4);
        if (data_off > archive_size || archive_size - data_off < filesize) {
            *why = "member data runs past the end of the archive";
            return -1;
        }
        const char *mname = base + name_off;
        size_t mlen = namesize - 1; /* namesize counts the NUL */
        if (mlen == 10 && memcmp(mname, "TRAILER!!!", 10) == 0)
            return 0;
        /* Tools write "./name" or "name": accept both. */
        const char *cmp = mname;
        size_t clen = mlen;
        if (clen >= 2 && cmp[0] == '.' && cmp[1] == '/') {
            cmp += 2;
            clen -= 2;
        }
        if (clen == want && memcmp(cmp, name, want) == 0) {
            *out = (struct bundle_file){ mname, mlen, base + data_off, filesize };
            return 1;
        }
        off = ALIGN_UP(data_off + filesize, 4);
        if (off > archive_size) {
            *why = "archive ends inside member padding";
            return -1;
        }
    }
}
