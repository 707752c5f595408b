/* Fuzz harness: a guest bzImage (arch/x86_64/bzimage.c, image.c) checked and laid out in a
 * partition's RAM. Input: a 6-byte layout description, the command line, the initrd, then
 * the image.
 *   [0] RAM base (0, 1 MiB, 16 MiB, 1 GiB)   [1] RAM size in 64 KiB units (+1)
 *   [2..3] initrd length   [4] command line length   [5] e820 entries
 * A load that succeeds must keep kernel, boot_params, command line and initrd inside RAM
 * and apart; RAM is mapped with nothing accessible on either side. */
#include <string.h>
#include <sys/mman.h>

#include "arch.h"
#include "bzimage.h"
#include "fuzz.h"

#define RAM_MAX (16u << 20)
#define HDR_CMD_LINE_PTR 0x228
#define BP_EXT_CMD_LINE_PTR 0x0c8

static uint64_t get(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    while (n--)
        v = v << 8 | p[n];
    return v;
}

static bool apart(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a + as <= b || b + bs <= a;
}

static void check_load(const struct bzimage_load *l, const struct bzimage_info *bi,
                       const uint8_t *img, const uint8_t *ram, uint64_t base, uint64_t size,
                       const char *cmd, size_t cmd_len, const uint8_t *initrd, size_t initrd_len)
{
    uint64_t end = base + size, need = MAX((uint64_t)bi->init_size, bi->kernel_size);

    FUZZ_CHECK(l->kernel >= base && need <= end - l->kernel, "kernel 0x%llx+0x%llx outside RAM",
               (unsigned long long)l->kernel, (unsigned long long)need);
    FUZZ_CHECK(l->entry64 == l->kernel + 0x200, "entry64 0x%llx", (unsigned long long)l->entry64);
    FUZZ_CHECK(memcmp(ram + (l->kernel - base), img + bi->setup_size, bi->kernel_size) == 0,
               "kernel not copied");
    FUZZ_CHECK(l->boot_params >= base && l->boot_params + 0x1000 <= end,
               "boot_params 0x%llx outside RAM", (unsigned long long)l->boot_params);
    FUZZ_CHECK(apart(l->boot_params, 0x1000, l->kernel, need), "boot_params inside the kernel");
    const uint8_t *bp = ram + (l->boot_params - base);
    uint64_t cmd_at = get(bp + HDR_CMD_LINE_PTR, 4) | get(bp + BP_EXT_CMD_LINE_PTR, 4) << 32;
    FUZZ_CHECK(cmd_at >= base && cmd_at + cmd_len + 1 <= end, "command line outside RAM");
    FUZZ_CHECK(apart(cmd_at, cmd_len + 1, l->kernel, need) &&
                   apart(cmd_at, cmd_len + 1, l->boot_params, 0x1000),
               "command line overlaps the kernel or boot_params");
    FUZZ_CHECK(memcmp(ram + (cmd_at - base), cmd, cmd_len + 1) == 0, "command line not copied");
    if (!initrd_len)
        return;
    FUZZ_CHECK(l->initrd >= base && initrd_len <= end - l->initrd && l->initrd % 0x1000 == 0,
               "initrd 0x%llx+0x%zx outside RAM or unaligned", (unsigned long long)l->initrd,
               initrd_len);
    FUZZ_CHECK(apart(l->initrd, initrd_len, l->kernel, need) &&
                   apart(l->initrd, initrd_len, l->boot_params, 0x1000) &&
                   apart(l->initrd, initrd_len, cmd_at, cmd_len + 1),
               "initrd overlaps the kernel, boot_params or command line");
    FUZZ_CHECK(memcmp(ram + (l->initrd - base), initrd, initrd_len) == 0, "initrd not copied");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t bases[] = { 0, 1u << 20, 16u << 20, 1u << 30 };
    static uint8_t *region;
    static struct e820_entry_in e820[BZ_E820_MAX + 1];
    struct fuzz_in in = { data, size };

    if (!region) {
        /* RAM_MAX bytes between two inaccessible pages */
        region = mmap(NULL, RAM_MAX + 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        FUZZ_CHECK(region != MAP_FAILED, "mmap");
        region += 4096;
        for (unsigned i = 0; i < ARRAY_SIZE(e820); i++)
            e820[i] = (struct e820_entry_in){ 0x100000ull * i, 0x100000, BZ_E820_RAM };
    }
    uint64_t base = bases[fuzz_take(&in, 1) & 3];
    uint64_t ram_size = (fuzz_take(&in, 1) + 1) << 16;
    size_t initrd_len = fuzz_take(&in, 2), cmd_len = fuzz_take(&in, 1);
    unsigned n_e820 = fuzz_take(&in, 1);
    char cmd[256];
    size_t cmd_bytes = MIN(cmd_len, in.left); /* the bytes given, up to their first NUL */
    memcpy(cmd, in.p, cmd_bytes);
    cmd[cmd_bytes] = '\0';
    cmd_len = strlen(cmd);
    in.p += cmd_bytes;
    in.left -= cmd_bytes;
    initrd_len = MIN(initrd_len, in.left);
    const uint8_t *initrd = in.p, *img = in.p + initrd_len;
    size_t img_len = in.left - initrd_len;

    struct image_info info;
    const char *why = NULL;
    if (arch_image_parse(img, img_len, &info, &why) < 0) {
        FUZZ_CHECK(why != NULL, "rejected without a reason");
        return 0;
    }
    struct bzimage_info bi;
    FUZZ_CHECK(bzimage_parse(img, img_len, &bi, &why) == 0, "image.c and bzimage.c disagree");
    FUZZ_CHECK(bi.setup_size < img_len && bi.kernel_size == img_len - bi.setup_size,
               "setup 0x%x kernel 0x%llx of 0x%zx bytes", bi.setup_size,
               (unsigned long long)bi.kernel_size, img_len);

    /* Only the chosen RAM is accessible, at the end of the region; fresh zero pages. */
    uint8_t *ram = region + RAM_MAX - ram_size;
    madvise(region, RAM_MAX, MADV_DONTNEED);
    mprotect(region, RAM_MAX, PROT_NONE);
    mprotect(ram, ram_size, PROT_READ | PROT_WRITE);
    struct bzimage_load l;
    why = NULL;
    if (bzimage_load(img, img_len, initrd_len ? initrd : NULL, initrd_len, cmd, ram, base, ram_size,
                     e820, n_e820, 0xe0000, &l, &why) < 0) {
        FUZZ_CHECK(why != NULL, "load failed without a reason");
        return 0;
    }
    check_load(&l, &bi, img, ram, base, ram_size, cmd, cmd_len, initrd, initrd_len);
    return 0;
}
