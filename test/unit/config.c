/* Config parser and boot bundle: valid configs place memory correctly; every bad input is
 * rejected with a message naming the partition, the property and the reason. */
#include <libfdt.h>
#include <stdint.h>

#include "bundle.h"
#include "config.h"
#include "config_schema.h"
#include "unit.h"

static char msgs[8192];
static unsigned nmsgs;

static void collect(void *ctx, const char *msg)
{
    (void)ctx;
    size_t n = strlen(msgs);
    snprintf(msgs + n, sizeof(msgs) - n, "%s\n", msg);
    nmsgs++;
}

/* Compile DTS text with dtc (the same tool the build uses). */
static size_t dtb_size;
static size_t dtc(const char *dts, void *out, size_t cap)
{
    FILE *f = fopen("/tmp/unit-config.dts", "w");
    fputs(dts, f);
    fclose(f);
    FILE *p = popen("dtc -q -I dts -O dtb /tmp/unit-config.dts", "r");
    size_t n = fread(out, 1, cap, p);
    if (pclose(p) != 0)
        return 0;
    return n;
}

/* newc cpio writer for test bundles. */
static size_t cpio_add(uint8_t *buf, size_t off, const char *name, const void *data, size_t size)
{
    size_t nlen = strlen(name) + 1;
    off += sprintf((char *)buf + off,
                   "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x", 1, 0100644, 0,
                   0, 1, 0, size, 0, 0, 0, 0, nlen, 0);
    memcpy(buf + off, name, nlen);
    off += nlen;
    while (off % 4)
        buf[off++] = 0;
    memcpy(buf + off, data, size);
    off += size;
    while (off % 4)
        buf[off++] = 0;
    return off;
}

static void arm64_image(uint8_t *img, size_t file_size, uint64_t image_size)
{
    memset(img, 0, file_size);
    uint64_t text_offset = 0x80000, flags = 2;
    memcpy(img + 8, &text_offset, 8);
    memcpy(img + 16, &image_size, 8);
    memcpy(img + 24, &flags, 8);
    memcpy(img + 0x38, "ARM\x64", 4);
}

#define DISK_SECTORS 16384 /* an 8 MiB disk */
static uint8_t bundle[1 << 16];
static size_t bundle_size;
static uint8_t dtb[1 << 16];
static struct hv_config cfg;
static const struct mem_range ram[] = { { 0x40000000, 0x40000000 } };      /* 1 GiB */
static const struct mem_range reserved[] = { { 0x40000000, 0x01000000 } }; /* the hv */

static int parse(const char *dts)
{
    struct platform plat = { 2, ram, 1, reserved, 1, bundle, bundle_size, DISK_SECTORS, false };
    msgs[0] = 0;
    nmsgs = 0;
    size_t n = dtb_size = dtc(dts, dtb, sizeof(dtb));
    if (!n) {
        printf("FAIL: dtc rejected test input\n");
        unit_failed++;
        return -1;
    }
    return config_parse(dtb, n, &plat, &cfg, collect, NULL);
}

#define PART(label, extra)                                                              \
    "partition@" label " { label = \"" label "\"; cpus = <0>; memory-size = <0 0x4000000>;" \
    " image = \"small.bin\"; virtio-console; " extra " };"
#define CONFIG(body) "/dts-v1/; / { hypervisor { " body " }; };"

static void expect_error(const char *dts, const char *what, const char *needle1, const char *needle2)
{
    int r = parse(dts);
    CHECK(r > 0, "%s: accepted, expected rejection", what);
    CHECK(strstr(msgs, needle1) != NULL, "%s: message lacks '%s': %s", what, needle1, msgs);
    if (needle2)
        CHECK(strstr(msgs, needle2) != NULL, "%s: message lacks '%s': %s", what, needle2, msgs);
}

static void bundle_tests(void)
{
    struct bundle_file f;
    const char *why = NULL;

    CHECK(bundle_find(bundle, bundle_size, "small.bin", &f, &why) == 1 && f.size == 4096,
          "small.bin found with its size");
    CHECK(bundle_find(bundle, bundle_size, "nope.bin", &f, &why) == 0, "absent member");
    CHECK(bundle_find(bundle, 200, "nope.bin", &f, &why) < 0, "truncated archive is an error");
    uint8_t bad[256];
    memcpy(bad, bundle, sizeof(bad));
    bad[0] = 'X';
    CHECK(bundle_find(bad, sizeof(bad), "small.bin", &f, &why) < 0 && strstr(why, "magic"),
          "bad magic reported: %s", why ? why : "(none)");
}

/* Bundles whose config.dtb is damaged (found by fuzzing): each is refused with a message,
 * before libfdt reads past the buffer or loads misaligned (ASan/UBSan watch this). */
static void damaged_blob(const char *file, const char *needle)
{
    static uint8_t buf[HV_CONFIG_MAX] __attribute__((aligned(8)));
    static uint8_t archive[1 << 16];
    struct platform plat = { 2, ram, 1, reserved, 1, bundle, bundle_size, DISK_SECTORS, false };
    const char *why = "";
    size_t n, size = 0;
    FILE *f = fopen(file, "rb");

    CHECK(f != NULL, "fixture %s missing", file);
    if (!f)
        return;
    n = fread(archive, 1, sizeof(archive), f);
    fclose(f);
    msgs[0] = 0;
    if (config_from_bundle(archive, n, buf, sizeof(buf), &size, &why) < 0)
        snprintf(msgs, sizeof(msgs), "%s", why);
    else
        CHECK(config_parse(buf, size, &plat, &cfg, collect, NULL) > 0, "%s accepted", file);
    CHECK(strstr(msgs, needle) != NULL, "%s: message lacks '%s': %s", file, needle, msgs);
}

static void damaged_blobs(void)
{
    /* K1: a property name offset outside the strings block */
    damaged_blob("test/unit/data/bundle-uninit-propname.cpio", "config.dtb is ");
    /* K2: a structure block at an offset that is not a multiple of 4 (this one's totalsize
     * is wrong too, which is found first; the check of its own follows) */
    damaged_blob("test/unit/data/bundle-libfdt-misaligned-struct.cpio", "config.dtb says it is 16777295 bytes");
    /* K3: totalsize larger than the bytes there are (and than the 64 KiB buffer) */
    damaged_blob("test/unit/data/bundle-dtb-totalsize-past-64k.cpio", "bytes but only");
    /* N2 (fuzzing): a property length of -12 sends libfdt's walk back onto its tag. */
    {
        static uint8_t b[HV_CONFIG_MAX] __attribute__((aligned(8)));
        FILE *f = fopen("test/unit/data/config-prop-length-minus-12-hangs.dtb", "rb");
        size_t len = f ? fread(b, 1, sizeof(b), f) : 0;
        struct platform pl = { 2, ram, 1, reserved, 1, bundle, bundle_size, DISK_SECTORS, false };
        if (f)
            fclose(f);
        msgs[0] = 0;
        /* as the fuzzer gave it: in the zero-filled buffer, totalsize (352) bytes of it */
        CHECK(len && config_parse(b, fdt_totalsize(b), &pl, &cfg, collect, NULL) == 1 &&
                  strstr(msgs, "runs outside its structure block"),
              "property length -12: %s", msgs);
    }
    /* A valid DTB cut short: the header's size no longer matches what is there. */
    size_t n = dtc(CONFIG(PART("a", "")), dtb, sizeof(dtb));
    struct platform plat = { 2, ram, 1, reserved, 1, bundle, bundle_size, DISK_SECTORS, false };
    msgs[0] = 0;
    /* The same DTB with its structure and strings blocks moved by 2 bytes, sizes kept right. */
    static uint8_t moved[1 << 16] __attribute__((aligned(8)));
    struct fdt_header *h = (struct fdt_header *)moved;
    uint32_t st = fdt_off_dt_struct(dtb);
    memcpy(moved, dtb, st);
    memset(moved + st, 0, 2);
    memcpy(moved + st + 2, dtb + st, n - st);
    h->off_dt_struct = cpu_to_fdt32(st + 2);
    h->off_dt_strings = cpu_to_fdt32(fdt_off_dt_strings(dtb) + 2);
    h->totalsize = cpu_to_fdt32(n + 2);
    CHECK(config_parse(moved, n + 2, &plat, &cfg, collect, NULL) == 1 && strstr(msgs, "misaligned"),
          "structure block at offset %u + 2: %s", st, msgs);
    msgs[0] = 0;
    CHECK(config_parse(dtb, n - 8, &plat, &cfg, collect, NULL) == 1 && strstr(msgs, "bytes but only"),
          "truncated dtb: %s", msgs);
}

/* The schema is the one list of what a config may say: check its shape, and that the parser
 * refuses what it does not list at every level. */
static void schema_tests(void)
{
    CHECK(cfg_schema_len <= 64, "schema has %u entries; the parser sizes its tables for 64",
          cfg_schema_len);
    for (unsigned i = 0; i < cfg_schema_len; i++) {
        const struct cfg_prop *s = &cfg_schema[i];
        CHECK(s->doc && s->doc[0], "%s: no description", s->name);
        CHECK(cfg_lookup(s->in, s->name) == s, "%s: lookup finds another entry", s->name);
        CHECK(s->min <= s->max, "%s: empty range", s->name);
    }
    CHECK(cfg_lookup(CFG_HYPERVISOR, "partition@7") && !cfg_lookup(CFG_HYPERVISOR, "partitionx"),
          "node names match with a unit address only");
    expect_error(CONFIG("colour = <1>;" PART("a", "")), "unknown hypervisor property",
                 "/hypervisor: property 'colour'", "unknown property in hypervisor");
    expect_error(CONFIG("extra { };" PART("a", "")), "unknown hypervisor node",
                 "unknown node 'extra' in hypervisor", "known: partition");
    expect_error(CONFIG(PART("a", "block { start-sector = <0>; sectors = <10>; sub { }; };")),
                 "unknown block node", "unknown node 'sub' in block", "known: none");
    expect_error(CONFIG(PART("a", "bootargs = <7>;")), "bootargs not a string",
                 "property 'bootargs'", "must be a single string");
    expect_error(CONFIG(PART("a", "memory-base = <0 0x100 0>;")), "three cells",
                 "property 'memory-base'", "one or two cells");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0 1 0 1 0>; memory-size = <0 0x4000000>; image = \"small.bin\"; };"),
                 "too many cpus", "property 'cpus'", "5 cells given, at most 4");
    expect_error(CONFIG(PART("a", "schedule { window-us = <2000000>; };")), "window too long",
                 "property 'window-us'", "out of range (100 to 1000000 us)");
}

int main(void)
{
    static uint8_t small[4096], big[4096], junk[4096];
    size_t off = 0;

    arm64_image(small, sizeof(small), 0x10000);
    arm64_image(big, sizeof(big), 0x8000000); /* claims 128 MiB once running */
    memset(junk, 0xab, sizeof(junk));
    off = cpio_add(bundle, off, "small.bin", small, sizeof(small));
    off = cpio_add(bundle, off, "big.bin", big, sizeof(big));
    off = cpio_add(bundle, off, "junk.bin", junk, sizeof(junk));
    off = cpio_add(bundle, off, "TRAILER!!!", "", 0);
    bundle_size = off;
    bundle_tests();

    /* A valid two-partition config: placed in RAM, clear of the hv and of each other. */
    int r = parse(CONFIG("console-input = \"b\";"
                         "partition@0 { label = \"a\"; cpus = <0>; memory-size = <0 0x4000000>;"
                         " image = \"small.bin\"; bootargs = \"x=1\"; virtio-console; };"
                         "partition@1 { label = \"b\"; cpus = <1>; memory-size = <0 0x2000000>;"
                         " image = \"small.bin\"; };"));
    CHECK(r == 0, "valid config rejected: %s", msgs);
    CHECK(cfg.nr_parts == 2, "%u partitions", cfg.nr_parts);
    CHECK(cfg.console_input == 1, "console-input index %d", cfg.console_input);
    CHECK(strcmp(cfg.parts[0].bootargs, "x=1") == 0, "bootargs '%s'", cfg.parts[0].bootargs);
    CHECK(cfg.parts[0].virtio_console && !cfg.parts[1].virtio_console, "virtio-console flags");
    CHECK(cfg.parts[0].mem_base >= 0x41000000, "partition a at 0x%llx overlaps the hv",
          (unsigned long long)cfg.parts[0].mem_base);
    CHECK(cfg.parts[0].mem_base % 0x200000 == 0 && cfg.parts[1].mem_base % 0x200000 == 0,
          "2 MiB alignment");
    CHECK(cfg.parts[1].mem_base >= cfg.parts[0].mem_base + cfg.parts[0].mem_size ||
              cfg.parts[0].mem_base >= cfg.parts[1].mem_base + cfg.parts[1].mem_size,
          "partitions overlap");
    CHECK(cfg.parts[0].image_info.load_offset == 0x80000 && cfg.parts[0].image_size == 4096,
          "image info");

    /* Two partitions on one CPU with schedule windows: accepted. */
    r = parse(CONFIG(PART("a", "schedule { window-us = <10000>; };")
                     PART("b", "schedule { window-us = <5000>; };")));
    CHECK(r == 0, "time-shared CPU rejected: %s", msgs);
    CHECK(cfg.parts[0].window_us == 10000 && cfg.parts[1].window_us == 5000, "windows");

    expect_error(CONFIG(PART("a", "") PART("b", "")), "CPU given twice",
                 "partition 'b' (partition@b): property 'cpus'", "CPU 0 is also given to partition 'a'");
    expect_error(CONFIG(PART("a", "schedule { window-us = <10000>; };") PART("b", "")),
                 "CPU shared, one without a window", "property 'cpus'", "also given");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <1 1>; memory-size = <0 0x4000000>; image = \"small.bin\"; };"),
                 "CPU listed twice", "partition 'a'", "CPU 1 is listed twice");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <7>; memory-size = <0 0x4000000>; image = \"small.bin\"; };"),
                 "nonexistent CPU", "property 'cpus'", "CPU 7 does not exist (the machine has 2)");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0>; memory-size = <0 0x4000000>; memory-base = <0 0x50000000>; image = \"small.bin\"; };"
                        "partition@1 { label = \"b\"; cpus = <1>; memory-size = <0 0x4000000>; memory-base = <0 0x52000000>; image = \"small.bin\"; };"),
                 "overlapping memory", "partition 'b' (partition@1): property 'memory-base'",
                 "overlaps the memory of partition 'a'");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0>; memory-size = <0 0x4000000>; memory-base = <0 0x40000000>; image = \"small.bin\"; };"),
                 "memory over the hv", "property 'memory-base'", "hypervisor");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0>; memory-size = <0 0x4000000>; memory-base = <0 0x7e000000>; image = \"small.bin\"; };"),
                 "memory past RAM", "property 'memory-base'", "outside the machine's RAM");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0>; memory-size = <1 0>; image = \"small.bin\"; };"),
                 "memory-size larger than RAM", "property 'memory-size'", "do not fit in the free RAM");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0>; memory-size = <0 0x4001000>; image = \"small.bin\"; };"),
                 "unaligned memory-size", "property 'memory-size'", "multiple of 2 MiB");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0>; memory-size = <0 0x4000000>; image = \"missing.bin\"; };"),
                 "missing image", "property 'image'", "'missing.bin' is not in the boot bundle");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0>; memory-size = <0 0x4000000>; image = \"big.bin\"; };"),
                 "oversized image", "property 'image'", "needs 0x8090000 bytes");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0>; memory-size = <0 0x4000000>; image = \"junk.bin\"; };"),
                 "not an image", "property 'image'", "no arm64 Image magic");
    expect_error(CONFIG(PART("a", "colour = \"blue\";")), "unknown property",
                 "partition 'a' (partition@a): property 'colour'", "unknown property");
    expect_error(CONFIG(PART("a", "extra { };")), "unknown node", "partition 'a'", "unknown node 'extra'");
    expect_error(CONFIG(PART("a", "schedule { window-us = <10>; };")), "window too short",
                 "property 'window-us'", "out of range");
    expect_error(CONFIG(PART("a", "schedule { slice = <10>; };")), "unknown schedule property",
                 "property 'slice'", "unknown property in schedule (known: window-us)");
    expect_error(CONFIG("partition@0 { cpus = <0>; memory-size = <0 0x4000000>; image = \"small.bin\"; };"),
                 "missing label", "partition@0: property 'label'", "missing");
    expect_error(CONFIG("partition@0 { label = \"bad label\"; cpus = <0>; memory-size = <0 0x4000000>; image = \"small.bin\"; };"),
                 "bad label", "property 'label'", "letters, digits");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0>; memory-size = <0 0x4000000>; image = \"small.bin\"; };"
                        "partition@1 { label = \"a\"; cpus = <1>; memory-size = <0 0x4000000>; image = \"small.bin\"; };"),
                 "duplicate label", "property 'label'", "already used by partition@0");
    expect_error(CONFIG("partition@0 { label = \"a\"; memory-size = <0 0x4000000>; image = \"small.bin\"; };"),
                 "missing cpus", "property 'cpus'", "missing (required)");
    expect_error(CONFIG("partition@0 { label = \"a\"; cpus = <0>; memory-size = <0 0x4000000>; image = \"small.bin\"; virtio-console = <1>; };"), "flag with value",
                 "property 'virtio-console'", "takes no value");
    expect_error(CONFIG("console-input = \"zz\";" PART("a", "")), "bad console-input",
                 "property 'console-input'", "no partition is labelled 'zz'");
    expect_error(CONFIG(""), "no partitions", "/hypervisor", "nothing to run");
    expect_error("/dts-v1/; / { };", "no hypervisor node", "/hypervisor", "missing");
    expect_error(CONFIG("colour = <1>;" PART("a", "")), "unknown top-level property",
                 "property 'colour'", "unknown property");

    /* Block slices. */
    r = parse(CONFIG(PART("a", "block { start-sector = <0 100>; sectors = <0 1000>; };")
                     "partition@1 { label = \"b\"; cpus = <1>; memory-size = <0 0x2000000>; image = \"small.bin\";"
                     " block { start-sector = <1100>; sectors = <0 15284>; read-only; }; };"));
    CHECK(r == 0, "valid slices rejected: %s", msgs);
    CHECK(cfg.parts[0].block && cfg.parts[0].block_start == 100 && cfg.parts[0].block_sectors == 1000 &&
              !cfg.parts[0].block_read_only, "slice a");
    CHECK(cfg.parts[1].block && cfg.parts[1].block_start == 1100 && cfg.parts[1].block_read_only, "slice b");
    r = parse(CONFIG(PART("a", "block { start-sector = <0>; sectors = <100>; read-only; };")
                     "partition@1 { label = \"b\"; cpus = <1>; memory-size = <0 0x2000000>; image = \"small.bin\";"
                     " block { start-sector = <50>; sectors = <100>; read-only; }; };"));
    CHECK(r == 0, "overlapping read-only slices rejected: %s", msgs);
    expect_error(CONFIG(PART("a", "block { start-sector = <0>; sectors = <100>; };")
                        "partition@1 { label = \"b\"; cpus = <1>; memory-size = <0 0x2000000>; image = \"small.bin\";"
                        " block { start-sector = <99>; sectors = <10>; read-only; }; };"),
                 "overlapping writable slice", "partition 'b' (partition@1): property 'start-sector'",
                 "overlaps the slice of partition 'a' (0+100) and one of them is writable");
    expect_error(CONFIG(PART("a", "block { start-sector = <16000>; sectors = <385>; };")),
                 "slice past the disk end", "property 'sectors'", "slice 16000+385 ends past the disk (16384 sectors)");
    expect_error(CONFIG(PART("a", "block { start-sector = <0>; sectors = <0>; };")), "empty slice",
                 "property 'sectors'", "must be at least 1 sectors (got 0 sectors)");
    expect_error(CONFIG(PART("a", "block { sectors = <10>; };")), "slice without start",
                 "property 'start-sector'", "missing (required)");
    expect_error(CONFIG(PART("a", "block { start-sector = <0>; sectors = <10>; cache = <1>; };")),
                 "unknown block property", "property 'cache'", "unknown property in block");
    expect_error(CONFIG(PART("a", "block { start-sector = <0>; sectors = <10>; read-only = <1>; };")),
                 "read-only with value", "property 'read-only'", "takes no value");
    {
        struct platform nodisk = { 2, ram, 1, reserved, 1, bundle, bundle_size, 0, false };
        size_t n = dtc(CONFIG(PART("a", "block { start-sector = <0>; sectors = <10>; };")), dtb, sizeof(dtb));
        msgs[0] = 0;
        CHECK(config_parse(dtb, n, &nodisk, &cfg, collect, NULL) == 1 &&
                  strstr(msgs, "property 'block': the machine has no disk for block slices"),
              "slice without a disk: %s", msgs);
    }

    /* A config whose every partition has a problem reports all of them. */
    r = parse(CONFIG("partition@0 { label = \"a\"; cpus = <9>; memory-size = <0 0x4000000>; image = \"x.bin\"; };"
                     "partition@1 { label = \"b\"; cpus = <0>; memory-size = <0 3>; image = \"small.bin\"; };"));
    CHECK(r >= 3 && nmsgs == (unsigned)r, "every problem reported (%d, %u): %s", r, nmsgs, msgs);

    /* Not a device tree at all. */
    struct platform plat = { 2, ram, 1, reserved, 1, bundle, bundle_size, DISK_SECTORS, false };
    msgs[0] = 0;
    CHECK(config_parse(junk, sizeof(junk), &plat, &cfg, collect, NULL) == 1 &&
              strstr(msgs, "not a valid flattened device tree"),
          "garbage rejected: %s", msgs);

    damaged_blobs();
    schema_tests();
    return unit_finish("unit-config");
}
