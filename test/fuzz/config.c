/* Fuzz harness: the configuration path of hv_main (hv/main.c) on the host: a boot bundle's
 * config.dtb copied into the 64 KiB, 8-byte-aligned buffer and parsed by config_parse()
 * (hv/config.c, libfdt) against a QEMU virt machine: 2 CPUs, 1 GiB of RAM at 0x40000000
 * whose first 16 MiB are the hv's, an 8 MiB disk.
 * Input: a newc cpio bundle (as the hv gets it; its members are the images), or a bare
 * config.dtb, which gets a bundle of stand-in arm64 Images with the names the configs use. */
#include <libfdt.h>
#include <string.h>

#include "bundle.h"
#include "config.h"
#include "fuzz.h"

/* As hv/main.c has it: static, so past its end lies another object (an ASan redzone). */
static uint8_t config_dtb[KIB(64)] __attribute__((aligned(8)));
static uint8_t stand_in[4096];
static size_t stand_in_size;

static const struct mem_range ram[] = { { 0x40000000, GIB(1) } };
static const struct mem_range reserved[] = { { 0x40000000, MIB(16) } };

static void report(void *ctx, const char *msg)
{
    (*(unsigned *)ctx)++;
    FUZZ_CHECK(strlen(msg) < 320, "message longer than fail()'s buffer");
}

static size_t cpio_add(uint8_t *buf, size_t off, const char *name, const void *data, size_t size)
{
    size_t nlen = strlen(name) + 1;
    off += sprintf((char *)buf + off, "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x",
                   1, 0100644, 0, 0, 1, 0, size, 0, 0, 0, 0, nlen, 0);
    memcpy(buf + off, name, nlen);
    off = ALIGN_UP(off + nlen, 4);
    memcpy(buf + off, data, size);
    return ALIGN_UP(off + size, 4);
}

/* The guests every config names, as minimal arm64 Images (64 KiB once loaded). */
static void make_stand_in_bundle(void)
{
    static const char *const names[] = { "hello.bin", "ticker.bin", "intruder.bin", "noisy.bin",
                                         "smp.bin", "resetter.bin", "blk.bin", "bench.bin" };
    uint8_t img[64] = { 0 };
    uint64_t text_offset = 0x80000, image_size = 0x10000, flags = 2;
    size_t off = 0;

    memcpy(img + 8, &text_offset, 8);
    memcpy(img + 16, &image_size, 8);
    memcpy(img + 24, &flags, 8);
    memcpy(img + 0x38, "ARM\x64", 4);
    for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
        off = cpio_add(stand_in, off, names[i], img, sizeof(img));
    off = cpio_add(stand_in, off, "initrd.txt", "initrd\n", 7);
    stand_in_size = cpio_add(stand_in, off, "TRAILER!!!", "", 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hv_config cfg;
    const void *bundle = data;
    size_t dtb_size;
    size_t bundle_size = size;
    const char *why;

    if (!stand_in_size)
        make_stand_in_bundle();
    memset(config_dtb, 0, sizeof(config_dtb)); /* the hv's buffer starts out zero */
    if (size >= 6 && memcmp(data, "07070", 5) == 0) {
        /* a bundle: what hv_main does with it */
        if (config_from_bundle(data, size, config_dtb, sizeof(config_dtb), &dtb_size, &why) < 0)
            return 0;
    } else {
        if (size > sizeof(config_dtb))
            return 0; /* "configuration too large" */
        memcpy(config_dtb, data, size);
        dtb_size = size;
        bundle = stand_in;
        bundle_size = stand_in_size;
    }

    unsigned reported = 0;
    struct platform plat = { 2, ram, 1, reserved, 1, bundle, bundle_size, 16384, false };
    int problems = config_parse(config_dtb, dtb_size, &plat, &cfg, report, &reported);
    FUZZ_CHECK(problems >= 0 && (unsigned)problems == reported, "%d problems, %u reported",
               problems, reported);
    if (problems)
        return 0;
    /* Accepted: what part_create() and the scheduler rely on. */
    FUZZ_CHECK(cfg.nr_parts >= 1 && cfg.nr_parts <= HV_MAX_PARTITIONS, "%u partitions", cfg.nr_parts);
    FUZZ_CHECK(cfg.console_input >= 0 && (unsigned)cfg.console_input < cfg.nr_parts,
               "console input %d", cfg.console_input);
    for (unsigned i = 0; i < cfg.nr_parts; i++) {
        const struct part_config *pc = &cfg.parts[i];
        FUZZ_CHECK(pc->nr_cpus >= 1 && pc->nr_cpus <= HV_MAX_VCPUS, "%u vcpus", pc->nr_cpus);
        for (unsigned c = 0; c < pc->nr_cpus; c++)
            FUZZ_CHECK(pc->cpus[c] < plat.nr_cpus, "CPU %u", pc->cpus[c]);
        FUZZ_CHECK(pc->mem_size && pc->mem_size % PART_MEM_ALIGN == 0 &&
                       pc->mem_base % PART_MEM_ALIGN == 0,
                   "memory 0x%llx+0x%llx", (unsigned long long)pc->mem_base,
                   (unsigned long long)pc->mem_size);
        FUZZ_CHECK(pc->mem_base >= ram[0].base + reserved[0].size &&
                       pc->mem_base + pc->mem_size <= ram[0].base + ram[0].size,
                   "partition %u memory outside free RAM", i);
        for (unsigned j = 0; j < i; j++)
            FUZZ_CHECK(pc->mem_base >= cfg.parts[j].mem_base + cfg.parts[j].mem_size ||
                           cfg.parts[j].mem_base >= pc->mem_base + pc->mem_size,
                       "partitions %u and %u overlap", j, i);
        FUZZ_CHECK(pc->image_data && pc->image_info.load_offset + pc->image_info.footprint +
                                             pc->initrd_size + GUEST_PLATFORM_SIZE <= pc->mem_size,
                   "image does not fit");
        FUZZ_CHECK(!pc->block || (pc->block_sectors && pc->block_start + pc->block_sectors <= 16384),
                   "block slice past the disk");
        FUZZ_CHECK(memchr(pc->label, 0, sizeof(pc->label)) && pc->label[0], "label");
    }
    return 0;
}
