/* bzImage loader: synthetic images for every error path and for the layout / boot_params
 * contents (checked at their zero-page offsets, with guard bytes around guest RAM), then a
 * real kernel from $BZIMAGE or /boot/vmlinuz-* if there is one, and an x86_64 test guest
 * from $GUEST_BZIMAGE or build/x86_64/guests/ if one was built (else SKIP, not a pass). */
#include "bzimage.h"
#include "unit.h"

#include <glob.h>
#include <stdint.h>

#define GUARD 0xa5
#define GSZ   4096                  /* guard bytes either side of guest RAM */
#define MiB   0x100000ull

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    while (n--)
        v = v << 8 | p[n];
    return v;
}

static void wr(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* A fake bzImage: 1 setup sector + boot sector, then KSIZE bytes of "kernel". */
#define SETUP 1024
#define KSIZE 8192
static uint8_t img[SETUP + KSIZE];

static void make_img(void)
{
    memset(img, 0, sizeof(img));
    img[0x1f1] = 1;                         /* setup_sects */
    wr(img + 0x1f4, KSIZE / 16, 4);         /* syssize */
    wr(img + 0x1fa, 0xffff, 2);             /* vid_mode */
    wr(img + 0x1fc, 0x0801, 2);             /* root_dev, something recognisable */
    wr(img + 0x1fe, 0xaa55, 2);
    img[0x200] = 0xeb;
    img[0x201] = 0x66;                      /* header ends at 0x268 */
    memcpy(img + 0x202, "HdrS", 4);
    wr(img + 0x206, 0x020f, 2);
    wr(img + 0x20e, 0x1234, 2);             /* kernel_version */
    img[0x211] = 0x01 | 0x80 | 0x40;        /* LOADED_HIGH + CAN_USE_HEAP + KEEP_SEGMENTS */
    wr(img + 0x214, 0x100000, 4);
    wr(img + 0x22c, 0x7fffffff, 4);         /* initrd_addr_max */
    wr(img + 0x230, 0x200000, 4);           /* kernel_alignment */
    img[0x234] = 1;                         /* relocatable */
    img[0x235] = 21;                        /* min_alignment */
    wr(img + 0x236, 0x01, 2);               /* XLF_KERNEL_64 only */
    wr(img + 0x238, 255, 4);                /* cmdline_size */
    wr(img + 0x258, 0x1000000, 8);          /* pref_address */
    wr(img + 0x260, 0x20000, 4);            /* init_size */
    wr(img + 0x264, 0x190, 4);              /* handover_offset: inside the copied header */
    for (unsigned i = 0; i < KSIZE; i++)
        img[SETUP + i] = (uint8_t)(i * 7 + 3);
}

static uint8_t *ram_buf;
static uint64_t ram_sz;

static uint8_t *ram_new(uint64_t size)
{
    free(ram_buf);
    ram_sz = size;
    ram_buf = malloc(size + 2 * GSZ);
    memset(ram_buf, GUARD, GSZ);
    memset(ram_buf + GSZ, 0, size);
    memset(ram_buf + GSZ + size, GUARD, GSZ);
    return ram_buf + GSZ;
}

static int guards_ok(void)
{
    for (unsigned i = 0; i < GSZ; i++)
        if (ram_buf[i] != GUARD || ram_buf[GSZ + ram_sz + i] != GUARD)
            return 0;
    return 1;
}

static const struct e820_entry_in e820[3] = {
    { 0, 0x9fc00, 1 },
    { 0xe0000, 0x20000, 2 },
    { 0x100000, 31 * MiB, 1 },
};

static uint8_t initrd[10000];

static int try_load(uint64_t ram_gpa, uint64_t size, const char *cmd, size_t ird_len,
                    struct bzimage_load *l, const char **why)
{
    uint8_t *ram = ram_new(size);

    *why = NULL;
    return bzimage_load(img, sizeof(img), ird_len ? initrd : NULL, ird_len, cmd, ram, ram_gpa,
                        size, e820, 3, 0xf0000, l, why);
}

static void test_parse_errors(void)
{
    struct bzimage_info bi;
    const char *why;

    make_img();
    CHECK(bzimage_parse(img, sizeof(img), &bi, &why) == 0, "good image rejected");
    CHECK(bi.version == 0x020f && bi.setup_size == SETUP && bi.kernel_size == KSIZE,
          "ver %x setup %u ksize %llu", bi.version, bi.setup_size, (unsigned long long)bi.kernel_size);
    CHECK(bi.pref_address == 0x1000000 && bi.init_size == 0x20000 &&
          bi.kernel_alignment == 0x200000 && bi.relocatable && bi.xloadflags == 1, "fields");

    img[0x1fe] = 0x00;
    why = NULL;
    CHECK(bzimage_parse(img, sizeof(img), &bi, &why) == -1 && why, "bad signature accepted");
    printf("  bad signature: %s\n", why);
    make_img();
    img[0x203] = 'x';
    CHECK(bzimage_parse(img, sizeof(img), &bi, &why) == -1, "bad HdrS accepted");
    make_img();
    wr(img + 0x206, 0x020b, 2);
    why = NULL;
    CHECK(bzimage_parse(img, sizeof(img), &bi, &why) == -1 && why, "protocol 2.11 accepted");
    printf("  old protocol: %s\n", why);
    make_img();
    wr(img + 0x236, 0x02, 2);
    why = NULL;
    CHECK(bzimage_parse(img, sizeof(img), &bi, &why) == -1 && why, "no XLF_KERNEL_64 accepted");
    printf("  no XLF_KERNEL_64: %s\n", why);
    make_img();
    img[0x211] = 0;
    CHECK(bzimage_parse(img, sizeof(img), &bi, &why) == -1, "zImage (no LOADED_HIGH) accepted");
    make_img();
    CHECK(bzimage_parse(img, SETUP, &bi, &why) == -1, "image with no kernel accepted");
    CHECK(bzimage_parse(img, 0x200, &bi, &why) == -1, "truncated header accepted");
    make_img();
    img[0x1f1] = 0;                          /* 0 means 4 sectors: setup = 2560 bytes */
    CHECK(bzimage_parse(img, sizeof(img), &bi, &why) == 0 && bi.setup_size == 2560,
          "setup_sects 0 -> %u", bi.setup_size);
    make_img();
}

static void test_load_errors(void)
{
    struct bzimage_load l;
    const char *why;
    char longcmd[300];

    make_img();
    wr(img + 0x260, 64 * MiB, 4);            /* init_size bigger than RAM */
    CHECK(try_load(0, 32 * MiB, "console=ttyS0", 0, &l, &why) == -1 && why, "kernel too big");
    printf("  kernel too big: %s\n", why);
    CHECK(guards_ok(), "guard overwritten");

    make_img();
    img[0x234] = 0;                          /* not relocatable, pref_address outside RAM */
    CHECK(try_load(0x40000000, 32 * MiB, "", 0, &l, &why) == -1 && why, "non-relocatable misplaced");

    make_img();
    memset(longcmd, 'a', sizeof(longcmd) - 1);
    longcmd[sizeof(longcmd) - 1] = 0;
    CHECK(try_load(0, 32 * MiB, longcmd, 0, &l, &why) == -1 && why, "cmdline too long");
    printf("  cmdline too long: %s\n", why);
    longcmd[255] = 0;                        /* exactly cmdline_size: fine */
    CHECK(try_load(0, 32 * MiB, longcmd, 0, &l, &why) == 0, "255-char cmdline: %s", why);
    CHECK(guards_ok(), "guard overwritten");

    /* initrd too big: initrd_addr_max leaves only the space below the kernel block */
    wr(img + 0x22c, 0x2000 - 1, 4);
    CHECK(try_load(0, 32 * MiB, "", sizeof(initrd), &l, &why) == -1 && why, "initrd too big");
    printf("  initrd too big: %s\n", why);
    make_img();
    /* RAM holds exactly the kernel's init_size and the boot block: no room for an initrd */
    CHECK(try_load(0x40000000, 0x20000 + 0x2000, "", 0, &l, &why) == 0, "tight fit: %s", why);
    CHECK(try_load(0x40000000, 0x20000 + 0x2000, "", sizeof(initrd), &l, &why) == -1 && why,
          "initrd with no room accepted");
    CHECK(guards_ok(), "guard overwritten");

    /* RAM wrapping / too many e820 entries */
    {
        uint8_t r[16];
        CHECK(bzimage_load(img, sizeof(img), NULL, 0, "", r, ~0ull - 4, 16, e820, 3, 0, &l, &why) == -1,
              "wrapping RAM accepted");
        CHECK(bzimage_load(img, sizeof(img), NULL, 0, "", r, 0, 16, e820, 129, 0, &l, &why) == -1,
              "129 e820 entries accepted");
    }
}

/* count non-zero bytes of RAM outside [a0,a1), [b0,b1), [c0,c1) (guest addresses) */
static uint64_t stray(const uint8_t *ram, uint64_t gpa, uint64_t size, uint64_t a0, uint64_t a1,
                      uint64_t b0, uint64_t b1, uint64_t c0, uint64_t c1)
{
    uint64_t n = 0;

    for (uint64_t g = gpa; g < gpa + size; g++) {
        if ((g >= a0 && g < a1) || (g >= b0 && g < b1) || (g >= c0 && g < c1))
            continue;
        n += ram[g - gpa] != 0;
    }
    return n;
}

static void test_good(void)
{
    struct bzimage_load l;
    const char *why;
    const char *cmd = "console=ttyS0 root=/dev/vda rw";
    uint8_t *ram, *bp;

    make_img();
    for (unsigned i = 0; i < sizeof(initrd); i++)
        initrd[i] = (uint8_t)(i ^ 0x5a);
    CHECK(try_load(0, 32 * MiB, cmd, sizeof(initrd), &l, &why) == 0, "load failed: %s", why);
    ram = ram_buf + GSZ;
    CHECK(guards_ok(), "guard overwritten");
    CHECK(l.kernel == 16 * MiB, "kernel at pref_address, got %llx", (unsigned long long)l.kernel);
    CHECK(l.entry64 == l.kernel + 0x200, "entry64");
    CHECK(l.boot_params == 16 * MiB - 0x1000, "bp %llx", (unsigned long long)l.boot_params);
    CHECK(l.initrd == ((32 * MiB - sizeof(initrd)) & ~0xfffull) && l.initrd_size == sizeof(initrd),
          "initrd at %llx", (unsigned long long)l.initrd);
    CHECK(memcmp(ram + l.kernel, img + SETUP, KSIZE) == 0, "kernel bytes");
    CHECK(memcmp(ram + l.initrd, initrd, sizeof(initrd)) == 0, "initrd bytes");

    bp = ram + l.boot_params;
    /* setup header copy 0x1f1..0x268, except the fields the loader sets */
    for (unsigned o = 0x1f1; o < 0x268; o++) {
        if (o == 0x210 || o == 0x211 || (o >= 0x214 && o < 0x220) || (o >= 0x224 && o < 0x22c))
            continue;
        CHECK(bp[o] == img[o], "hdr byte %#x: %02x vs %02x", o, bp[o], img[o]);
    }
    CHECK(rd(bp + 0x1fe, 2) == 0xaa55 && memcmp(bp + 0x202, "HdrS", 4) == 0, "magic copied");
    CHECK(bp[0x1ef] == 0, "sentinel must be 0");
    CHECK(bp[0x210] == 0xff, "type_of_loader %02x", bp[0x210]);
    CHECK(bp[0x211] == 0x01, "loadflags %02x (LOADED_HIGH only)", bp[0x211]);
    CHECK(rd(bp + 0x224, 2) == 0, "heap_end_ptr");
    CHECK(rd(bp + 0x214, 4) == l.kernel, "code32_start %llx", (unsigned long long)rd(bp + 0x214, 4));
    uint64_t cp = rd(bp + 0x228, 4) | rd(bp + 0x0c8, 4) << 32;
    CHECK(cp == l.boot_params - 0x1000, "cmd_line_ptr %llx", (unsigned long long)cp);
    CHECK(strcmp((char *)ram + cp, cmd) == 0, "cmdline text");
    CHECK((rd(bp + 0x218, 4) | rd(bp + 0x0c0, 4) << 32) == l.initrd, "ramdisk_image");
    CHECK((rd(bp + 0x21c, 4) | rd(bp + 0x0c4, 4) << 32) == sizeof(initrd), "ramdisk_size");
    CHECK(rd(bp + 0x070, 8) == 0xf0000, "acpi_rsdp_addr");
    CHECK(bp[0x1e8] == 3, "e820_entries %u", bp[0x1e8]);
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t *e = bp + 0x2d0 + 20 * i;
        CHECK(rd(e, 8) == e820[i].addr && rd(e + 8, 8) == e820[i].size && rd(e + 16, 4) == e820[i].type,
              "e820[%u]", i);
    }
    CHECK(rd(bp + 0x2d0 + 60, 20) == 0, "e820[3] empty");
    /* the rest of the zero page is zero: nothing outside hdr, e820 and the fields above */
    {
        unsigned bad = 0;
        for (unsigned o = 0; o < 0x1000; o++) {
            if ((o >= 0x1f1 && o < 0x268) || (o >= 0x2d0 && o < 0x2d0 + 60) || o == 0x1e8 ||
                (o >= 0x070 && o < 0x078) || (o >= 0x0c0 && o < 0x0cc))
                continue;
            bad += bp[o] != 0;
        }
        CHECK(bad == 0, "%u stray bytes in boot_params", bad);
    }
    CHECK(stray(ram, 0, 32 * MiB, l.kernel, l.kernel + KSIZE, cp, l.boot_params + 0x1000,
                l.initrd, l.initrd + sizeof(initrd)) == 0, "stray bytes in RAM");

    /* initrd_addr_max below the kernel's end: initrd moves under the boot block */
    wr(img + 0x22c, 16 * MiB + 0x10000 - 1, 4);
    CHECK(try_load(0, 32 * MiB, cmd, sizeof(initrd), &l, &why) == 0, "load failed: %s", why);
    CHECK(l.initrd == ((16 * MiB - 0x2000 - sizeof(initrd)) & ~0xfffull),
          "initrd under block: %llx", (unsigned long long)l.initrd);
    CHECK(guards_ok(), "guard overwritten");
    /* with XLF_CAN_BE_LOADED_ABOVE_4G the initrd_addr_max limit no longer applies */
    wr(img + 0x236, 0x03, 2);
    CHECK(try_load(0, 32 * MiB, cmd, sizeof(initrd), &l, &why) == 0, "load failed: %s", why);
    CHECK(l.initrd == ((32 * MiB - sizeof(initrd)) & ~0xfffull), "initrd top of RAM");

    /* RAM at 1 GiB: pref_address not in RAM, relocatable -> first aligned address, boot block
     * above the kernel's init_size region; no initrd, NULL cmdline */
    make_img();
    CHECK(try_load(0x40000000, 8 * MiB, NULL, 0, &l, &why) == 0, "high RAM load failed: %s", why);
    CHECK(l.kernel == 0x40000000 && l.entry64 == 0x40000200, "kernel %llx", (unsigned long long)l.kernel);
    CHECK(l.boot_params == 0x40000000 + 0x20000 + 0x1000, "bp %llx", (unsigned long long)l.boot_params);
    CHECK(l.initrd == 0 && l.initrd_size == 0, "no initrd");
    bp = ram_buf + GSZ + (l.boot_params - 0x40000000);
    CHECK(rd(bp + 0x228, 4) == 0x40020000 && ram_buf[GSZ + 0x20000] == 0, "empty cmdline");
    CHECK(rd(bp + 0x218, 4) == 0 && rd(bp + 0x21c, 4) == 0, "ramdisk fields zero");
    CHECK(guards_ok(), "guard overwritten");

    /* RAM at 0 smaller than pref_address + init_size: kernel at 2 MiB (aligned >= 1 MiB) */
    CHECK(try_load(0, 8 * MiB, "x", 0, &l, &why) == 0 && l.kernel == 2 * MiB,
          "small RAM kernel %llx (%s)", (unsigned long long)l.kernel, why ? why : "");
    CHECK(l.boot_params == 2 * MiB - 0x1000, "bp below kernel");
    /* protocol 2.12 (< 2.14): acpi_rsdp_addr left zero */
    wr(img + 0x206, 0x020c, 2);
    CHECK(try_load(0, 32 * MiB, "", 0, &l, &why) == 0, "2.12 load: %s", why);
    CHECK(rd(ram_buf + GSZ + l.boot_params + 0x70, 8) == 0, "rsdp on 2.12");
}

static void test_real(void)
{
    const char *path = getenv("BZIMAGE");
    glob_t g = { 0 };
    FILE *f;
    uint8_t *k, *ram, *bp;
    long n;
    struct bzimage_info bi;
    struct bzimage_load l;
    const char *why = NULL;
    struct e820_entry_in e = { 0, 512 * MiB, 1 };

    if (!path || !*path) {
        if (glob("/boot/vmlinuz-*", 0, NULL, &g) == 0 && g.gl_pathc)
            path = g.gl_pathv[0];
    }
    if (!path || !(f = fopen(path, "rb"))) {
        printf("SKIP: no real bzImage\n");
        globfree(&g);
        return;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    k = malloc(n);
    CHECK(fread(k, 1, n, f) == (size_t)n, "read %s", path);
    fclose(f);
    printf("real kernel: %s (%ld bytes)\n", path, n);

    CHECK(bzimage_parse(k, n, &bi, &why) == 0, "parse %s: %s", path, why);
    printf("  protocol %x setup %u kernel %llu pref %#llx init_size %#x align %#llx reloc %d xlf %#llx\n",
           bi.version, bi.setup_size, (unsigned long long)bi.kernel_size,
           (unsigned long long)bi.pref_address, bi.init_size,
           (unsigned long long)bi.kernel_alignment, bi.relocatable, (unsigned long long)bi.xloadflags);
    ram = ram_new(512 * MiB);
    CHECK(bzimage_load(k, n, initrd, sizeof(initrd), "console=ttyS0 earlyprintk=serial", ram, 0,
                       512 * MiB, &e, 1, 0xe0000, &l, &why) == 0, "load: %s", why);
    printf("  kernel %#llx entry64 %#llx boot_params %#llx initrd %#llx\n",
           (unsigned long long)l.kernel, (unsigned long long)l.entry64,
           (unsigned long long)l.boot_params, (unsigned long long)l.initrd);
    CHECK(l.entry64 == l.kernel + 0x200, "entry64");
    CHECK(l.kernel % bi.kernel_alignment == 0, "kernel alignment");
    CHECK(l.kernel + bi.init_size <= 512 * MiB, "init_size fits");
    CHECK(memcmp(ram + l.kernel, k + bi.setup_size, bi.kernel_size) == 0, "kernel bytes");
    bp = ram + l.boot_params;
    for (unsigned o = 0x1f1; o < 0x202u + k[0x201] && o < 0x290; o++) {
        if (o == 0x210 || o == 0x211 || (o >= 0x214 && o < 0x220) || (o >= 0x224 && o < 0x22c))
            continue;
        CHECK(bp[o] == k[o], "hdr byte %#x", o);
    }
    CHECK(rd(bp + 0x214, 4) == l.kernel && bp[0x210] == 0xff, "code32_start / loader");
    CHECK(bp[0x1e8] == 1 && rd(bp + 0x2d8, 8) == 512 * MiB, "e820");
    CHECK(l.initrd + sizeof(initrd) <= rd(k + 0x22c, 4) + 1ull || (rd(k + 0x236, 2) & 2), "initrd_addr_max");
    CHECK(guards_ok(), "guard overwritten");
    free(k);
    globfree(&g);
}

/* A test guest built for x86_64 (guests/, ARCH=x86_64): $GUEST_BZIMAGE, or
 * build/x86_64/guests/hello.bin if it was built (else SKIP). It must be what the
 * guests promise: protocol 2.14, 64-bit entry, non-relocatable at 2 MiB, and its
 * startup_64 (cli; cld) at kernel + 0x200. */
static void test_guest(void)
{
    const char *path = getenv("GUEST_BZIMAGE");
    struct e820_entry_in e = { 0, 64 * MiB, 1 };
    struct bzimage_info bi;
    struct bzimage_load l;
    const char *why = NULL;
    uint8_t *k, *ram, *bp;
    FILE *f;
    long n;

    if (!path || !*path)
        path = "build/x86_64/guests/hello.bin";
    if (!(f = fopen(path, "rb"))) {
        printf("SKIP: no x86_64 test guest (%s)\n", path);
        return;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    k = malloc(n);
    CHECK(fread(k, 1, n, f) == (size_t)n, "read %s", path);
    fclose(f);
    printf("test guest: %s (%ld bytes)\n", path, n);
    CHECK(bzimage_parse(k, n, &bi, &why) == 0, "parse %s: %s", path, why);
    CHECK(bi.version == 0x020e && bi.xloadflags == 1 && !bi.relocatable, "version %x xlf %llx reloc %d",
          bi.version, (unsigned long long)bi.xloadflags, bi.relocatable);
    CHECK(bi.pref_address == 2 * MiB && bi.kernel_alignment == 2 * MiB, "pref %llx align %llx",
          (unsigned long long)bi.pref_address, (unsigned long long)bi.kernel_alignment);
    CHECK(bi.init_size >= bi.kernel_size, "init_size %#x < kernel %llu", bi.init_size,
          (unsigned long long)bi.kernel_size);
    CHECK(rd(k + 0x1f4, 4) * 16 >= bi.kernel_size && rd(k + 0x1f4, 4) * 16 < bi.kernel_size + 16,
          "syssize %llu vs %llu bytes", (unsigned long long)rd(k + 0x1f4, 4),
          (unsigned long long)bi.kernel_size);
    ram = ram_new(64 * MiB);
    CHECK(bzimage_load(k, n, NULL, 0, "period_ms=10", ram, 0, 64 * MiB, &e, 1, 0xe0000, &l, &why) == 0,
          "load: %s", why);
    CHECK(l.kernel == 2 * MiB && l.entry64 == 2 * MiB + 0x200, "kernel %llx entry64 %llx",
          (unsigned long long)l.kernel, (unsigned long long)l.entry64);
    CHECK(ram[l.entry64] == 0xfa && ram[l.entry64 + 1] == 0xfc, "entry64 bytes %02x %02x",
          ram[l.entry64], ram[l.entry64 + 1]);
    bp = ram + l.boot_params;
    CHECK(strcmp((char *)ram + rd(bp + 0x228, 4), "period_ms=10") == 0, "cmdline");
    CHECK(rd(bp + 0x070, 8) == 0xe0000, "acpi_rsdp_addr");
    CHECK(guards_ok(), "guard overwritten");
    free(k);
}

int main(void)
{
    test_parse_errors();
    test_load_errors();
    test_good();
    test_real();
    test_guest();
    free(ram_buf);
    return unit_finish("unit-bzimage");
}
