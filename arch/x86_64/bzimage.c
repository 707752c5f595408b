/* Linux x86 boot protocol loader (64-bit entry). Offsets per Documentation/arch/x86/boot.rst
 * and zero-page.rst; see bzimage.h for the layout policy. */
#include "bzimage.h"

#include <string.h>

/* setup header fields (file offsets == boot_params offsets) */
#define HDR_START           0x1f1
#define HDR_SETUP_SECTS     0x1f1
#define HDR_BOOT_FLAG       0x1fe
#define HDR_JUMP            0x200
#define HDR_MAGIC           0x202
#define HDR_VERSION         0x206
#define HDR_TYPE_OF_LOADER  0x210
#define HDR_LOADFLAGS       0x211
#define HDR_CODE32_START    0x214
#define HDR_RAMDISK_IMAGE   0x218
#define HDR_RAMDISK_SIZE    0x21c
#define HDR_HEAP_END_PTR    0x224
#define HDR_CMD_LINE_PTR    0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGN    0x230
#define HDR_RELOCATABLE     0x234
#define HDR_XLOADFLAGS      0x236
#define HDR_CMDLINE_SIZE    0x238
#define HDR_PREF_ADDRESS    0x258
#define HDR_INIT_SIZE       0x260
#define HDR_MIN_END         0x264   /* a 2.12+ header reaches at least past init_size */
#define HDR_MAX_END         0x290   /* boot_params.hdr ends here */

/* other boot_params fields */
#define BP_SIZE             0x1000
#define BP_ACPI_RSDP_ADDR   0x070
#define BP_EXT_RAMDISK_IMG  0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES     0x1e8
#define BP_E820_TABLE       0x2d0

#define LOADED_HIGH         0x01
#define KEEP_SEGMENTS       0x40
#define CAN_USE_HEAP        0x80
#define XLF_KERNEL_64       0x01
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02

#define PAGE                0x1000ull
#define MIB                 0x100000ull
#define FOUR_GIB            0x100000000ull

static uint64_t get(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    while (n--)
        v = v << 8 | p[n];
    return v;
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
static uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }

/* [a, a+as) and [b, b+bs) intersect */
static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a < b + bs && b < a + as;
}

static int fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return -1;
}

int bzimage_parse(const void *img, size_t len, struct bzimage_info *out, const char **why)
{
    const uint8_t *p = img;
    unsigned sects;
    uint64_t setup;

    if (!p || len < HDR_MIN_END)
        return fail(why, "image too small for a setup header");
    if (get(p + HDR_BOOT_FLAG, 2) != 0xaa55)
        return fail(why, "no 0xAA55 boot signature at 0x1fe");
    if (memcmp(p + HDR_MAGIC, "HdrS", 4) != 0)
        return fail(why, "no HdrS magic at 0x202");
    out->version = (uint16_t)get(p + HDR_VERSION, 2);
    if (out->version < 0x020c)
        return fail(why, "boot protocol older than 2.12");
    if (!(p[HDR_LOADFLAGS] & LOADED_HIGH))
        return fail(why, "not a bzImage (LOADED_HIGH clear)");
    out->xloadflags = get(p + HDR_XLOADFLAGS, 2);
    if (!(out->xloadflags & XLF_KERNEL_64))
        return fail(why, "no 64-bit entry point (XLF_KERNEL_64 clear)");
    sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : 4;
    setup = (uint64_t)(sects + 1) * 512;
    if (setup >= len)
        return fail(why, "image truncated: no protected-mode kernel after setup");
    if (HDR_JUMP + 2 + (unsigned)p[HDR_JUMP + 1] > setup)
        return fail(why, "setup header runs past the setup code");
    out->setup_size = (uint32_t)setup;
    out->kernel_size = len - setup;
    out->pref_address = get(p + HDR_PREF_ADDRESS, 8);
    out->init_size = (uint32_t)get(p + HDR_INIT_SIZE, 4);
    out->kernel_alignment = get(p + HDR_KERNEL_ALIGN, 4);
    out->relocatable = p[HDR_RELOCATABLE] != 0;
    if (out->kernel_alignment == 0 || (out->kernel_alignment & (out->kernel_alignment - 1)))
        return fail(why, "kernel_alignment is not a power of two");
    return 0;
}

int bzimage_load(const void *img, size_t len, const void *initrd, size_t initrd_len,
                 const char *cmdline, uint8_t *ram, uint64_t ram_gpa, uint64_t ram_size,
                 const struct e820_entry_in *e820, unsigned n_e820, uint64_t acpi_rsdp,
                 struct bzimage_load *out, const char **why)
{
    const uint8_t *p = img;
    struct bzimage_info bi;
    uint64_t ram_end, need, kernel, block, block_size, cmd, bp, rd = 0, limit;
    size_t cmd_len;
    unsigned hdr_end;
    uint8_t *b;

    if (bzimage_parse(img, len, &bi, why))
        return -1;
    if (!ram || ram_size == 0 || ram_gpa + ram_size < ram_gpa)
        return fail(why, "bad guest RAM range");
    if (n_e820 > BZ_E820_MAX || (n_e820 && !e820))
        return fail(why, "too many e820 entries (max 128)");
    ram_end = ram_gpa + ram_size;
    if (!cmdline)
        cmdline = "";
    cmd_len = strlen(cmdline);
    if (cmd_len > get(p + HDR_CMDLINE_SIZE, 4))
        return fail(why, "command line longer than the kernel's cmdline_size");

    /* kernel */
    need = bi.init_size > bi.kernel_size ? bi.init_size : bi.kernel_size;
    kernel = bi.pref_address;
    if (kernel < ram_gpa || kernel > ram_end || need > ram_end - kernel) {
        if (!bi.relocatable)
            return fail(why, "non-relocatable kernel: pref_address is not in RAM");
        kernel = align_up(ram_gpa > MIB ? ram_gpa : MIB, bi.kernel_alignment);
        if (kernel < ram_gpa || kernel > ram_end || need > ram_end - kernel)
            return fail(why, "kernel (init_size) does not fit in guest RAM");
    }
    if (kernel + need > FOUR_GIB)
        return fail(why, "kernel would sit above 4 GiB (code32_start is 32 bits)");

    /* command line pages, then the boot_params page */
    block_size = align_up(cmd_len + 1, PAGE) + BP_SIZE;
    block = kernel - block_size;
    if (kernel < ram_gpa + block_size || kernel < block_size) {
        block = align_up(kernel + need, PAGE);
        if (block > ram_end || block_size > ram_end - block)
            return fail(why, "no room for boot_params and the command line");
    }
    cmd = block;
    bp = block + block_size - BP_SIZE;
    if (bp + BP_SIZE > FOUR_GIB)
        return fail(why, "boot_params would sit above 4 GiB");

    /* initrd: highest page-aligned spot under the limit that avoids kernel and block */
    if (initrd_len) {
        if (!initrd)
            return fail(why, "initrd length without data");
        limit = ram_end;
        if (!(bi.xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G)) {
            uint64_t max = get(p + HDR_INITRD_ADDR_MAX, 4) + 1ull;
            if (max < limit)
                limit = max;
        }
        for (;;) {
            if (initrd_len > limit || limit - initrd_len < ram_gpa)
                return fail(why, "initrd does not fit in guest RAM below initrd_addr_max");
            rd = align_down(limit - initrd_len, PAGE);
            if (rd < ram_gpa)
                return fail(why, "initrd does not fit in guest RAM below initrd_addr_max");
            if (overlap(rd, initrd_len, kernel, need))
                limit = kernel;
            else if (overlap(rd, initrd_len, block, block_size))
                limit = block;
            else
                break;
        }
    }

    /* everything fits: write guest RAM */
    memcpy(ram + (kernel - ram_gpa), p + bi.setup_size, bi.kernel_size);
    memcpy(ram + (cmd - ram_gpa), cmdline, cmd_len + 1);
    if (initrd_len)
        memcpy(ram + (rd - ram_gpa), initrd, initrd_len);

    b = ram + (bp - ram_gpa);
    memset(b, 0, BP_SIZE);
    /* setup header: 0x1f1 up to 0x202 + the jump offset byte at 0x201 */
    hdr_end = HDR_JUMP + 2 + p[HDR_JUMP + 1];
    if (hdr_end > HDR_MAX_END)
        hdr_end = HDR_MAX_END;
    memcpy(b + HDR_START, p + HDR_START, hdr_end - HDR_START);

    b[HDR_TYPE_OF_LOADER] = 0xff;
    /* No real-mode setup code runs, so no heap and no segment promises. */
    b[HDR_LOADFLAGS] = (uint8_t)((b[HDR_LOADFLAGS] | LOADED_HIGH) & ~(CAN_USE_HEAP | KEEP_SEGMENTS));
    put(b + HDR_HEAP_END_PTR, 0, 2);
    put(b + HDR_CODE32_START, kernel, 4);
    put(b + HDR_CMD_LINE_PTR, cmd, 4);
    put(b + BP_EXT_CMD_LINE_PTR, cmd >> 32, 4);
    put(b + HDR_RAMDISK_IMAGE, rd, 4);
    put(b + BP_EXT_RAMDISK_IMG, rd >> 32, 4);
    put(b + HDR_RAMDISK_SIZE, initrd_len, 4);
    put(b + BP_EXT_RAMDISK_SIZE, (uint64_t)initrd_len >> 32, 4);
    if (bi.version >= 0x020e)
        put(b + BP_ACPI_RSDP_ADDR, acpi_rsdp, 8);
    b[BP_E820_ENTRIES] = (uint8_t)n_e820;
    for (unsigned i = 0; i < n_e820; i++) {
        uint8_t *e = b + BP_E820_TABLE + 20 * i;
        put(e, e820[i].addr, 8);
        put(e + 8, e820[i].size, 8);
        put(e + 16, e820[i].type, 4);
    }

    out->kernel = kernel;
    out->entry64 = kernel + 0x200;
    out->boot_params = bp;
    out->initrd = initrd_len ? rd : 0;
    out->initrd_size = initrd_len;
    return 0;
}
