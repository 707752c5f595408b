/* hvcheck: validate a partition configuration on the host with the hv's own parser.
 *   hvcheck [--cpus N] [--ram BASE:SIZE]... [--reserve BASE:SIZE]... [--bundle F.cpio]
 *           [--disk IMAGE | --disk-sectors N] CONFIG.dtb
 * Defaults describe the QEMU virt machine `make run` uses: 2 CPUs, 1 GiB at 0x40000000, the
 * first 16 MiB of it kept for the hv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    void *buf = malloc(n ? n : 1);
    if (fread(buf, 1, n, f) != (size_t)n) {
        fprintf(stderr, "%s: short read\n", path);
        exit(2);
    }
    fclose(f);
    *size = n;
    return buf;
}

static struct mem_range range(const char *s)
{
    char *end;
    struct mem_range r = { strtoull(s, &end, 0), 0 };
    if (*end != ':') {
        fprintf(stderr, "hvcheck: expected BASE:SIZE, got '%s'\n", s);
        exit(2);
    }
    r.size = strtoull(end + 1, &end, 0);
    if (*end == 'M' || *end == 'm')
        r.size <<= 20;
    else if (*end == 'G' || *end == 'g')
        r.size <<= 30;
    return r;
}

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    printf("config: %s\n", msg);
}

int main(int argc, char **argv)
{
    struct mem_range ram[8] = { { 0x40000000, 1ull << 30 } }, res[8] = { { 0x40000000, 16 << 20 } };
    unsigned nram = 0, nres = 0, cpus = 2;
    uint64_t disk_sectors = 0;
    bool disk_known = false;
    const char *bundle_path = NULL, *config_path = NULL;
    static struct hv_config cfg;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cpus") && i + 1 < argc)
            cpus = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ram") && i + 1 < argc && nram < 8)
            ram[nram++] = range(argv[++i]);
        else if (!strcmp(argv[i], "--reserve") && i + 1 < argc && nres < 8)
            res[nres++] = range(argv[++i]);
        else if (!strcmp(argv[i], "--bundle") && i + 1 < argc)
            bundle_path = argv[++i];
        else if (!strcmp(argv[i], "--disk-sectors") && i + 1 < argc) {
            disk_sectors = strtoull(argv[++i], NULL, 0);
            disk_known = true;
        } else if (!strcmp(argv[i], "--disk") && i + 1 < argc) {
            FILE *f = fopen(argv[++i], "rb");
            if (!f) {
                perror(argv[i]);
                return 2;
            }
            fseek(f, 0, SEEK_END);
            disk_sectors = (uint64_t)ftell(f) / 512;
            fclose(f);
            disk_known = true;
        } else if (argv[i][0] != '-' && !config_path)
            config_path = argv[i];
        else {
            fprintf(stderr, "usage: hvcheck [--cpus N] [--ram BASE:SIZE] [--reserve BASE:SIZE] "
                            "[--bundle F.cpio] [--disk IMAGE | --disk-sectors N] CONFIG.dtb\n");
            return 2;
        }
    }
    if (!config_path) {
        fprintf(stderr, "hvcheck: no config given\n");
        return 2;
    }
    size_t dtb_size, bundle_size = 0;
    void *dtb = slurp(config_path, &dtb_size);
    void *bundle = bundle_path ? slurp(bundle_path, &bundle_size) : NULL;
    struct platform plat = { cpus, ram, nram ? nram : 1, res, nres ? nres : 1, bundle, bundle_size,
                             disk_sectors, !disk_known };

    int problems = config_parse(dtb, &plat, &cfg, report, NULL);
    if (problems) {
        printf("%s: rejected (%d problems)\n", config_path, problems);
        free(dtb);
        free(bundle);
        return 1;
    }
    for (unsigned i = 0; i < cfg.nr_parts; i++) {
        const struct part_config *pc = &cfg.parts[i];
        printf("partition '%s': %u CPU(s) from %u, memory 0x%llx-0x%llx, image %s\n", pc->label,
               pc->nr_cpus, pc->cpus[0], (unsigned long long)pc->mem_base,
               (unsigned long long)(pc->mem_base + pc->mem_size - 1), pc->image);
    }
    printf("%s: OK (%u partitions)%s\n", config_path, cfg.nr_parts,
           bundle ? "" : "; images not checked (no --bundle)");
    free(dtb);
    free(bundle);
    return 0;
}
