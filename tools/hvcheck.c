/* hvcheck: validate a partition configuration on the host with the hv's own parser.
 *   hvcheck [--cpus N] [--ram BASE:SIZE]... [--reserve BASE:SIZE]... [--bundle F.cpio]
 *           [--disk IMAGE | --disk-sectors N] [--schema] [CONFIG.dtb]
 * Without CONFIG.dtb the bundle's own config.dtb is checked, exactly as the hv takes it.
 * --schema prints the configuration reference (the README's table) instead.
 * Defaults describe the QEMU virt machine `make run` uses: 2 CPUs, 1 GiB at 0x40000000, the
 * first 16 MiB of it kept for the hv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_schema.h"

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

static const char *kind_name(const struct cfg_prop *s)
{
    switch (s->kind) {
    case CFG_FLAG: return "flag";
    case CFG_STRING: return "string";
    case CFG_LABEL: return "label";
    case CFG_U64: return "number";
    case CFG_CELLS: return "cells";
    case CFG_NODE: return "node";
    }
    return "?";
}

static void print_range(const struct cfg_prop *s)
{
    switch (s->kind) {
    case CFG_STRING:
    case CFG_LABEL:
        printf("%llu to %llu characters", (unsigned long long)s->min, (unsigned long long)s->max);
        break;
    case CFG_CELLS:
        printf("%llu to %llu cells", (unsigned long long)s->min, (unsigned long long)s->max);
        break;
    case CFG_U64: {
        bool bytes = s->unit && !strcmp(s->unit, "bytes");
        if (s->max != UINT64_MAX)
            printf("%llu to %llu", (unsigned long long)s->min, (unsigned long long)s->max);
        else if (s->min && bytes && s->min % (1u << 20) == 0)
            printf("at least %llu MiB", (unsigned long long)(s->min >> 20));
        else if (s->min)
            printf("at least %llu", (unsigned long long)s->min);
        else
            printf("any");
        if (s->unit && !bytes)
            printf(" %s", s->unit);
        if (s->align && bytes && s->align % (1u << 20) == 0)
            printf(", multiple of %llu MiB", (unsigned long long)(s->align >> 20));
        else if (s->align)
            printf(", multiple of %llu", (unsigned long long)s->align);
        break;
    }
    default:
        printf("—");
    }
}

/* The README's configuration reference, one row per schema entry. */
static void print_schema(void)
{
    printf("| node | property | type | range | required | arches | meaning |\n");
    printf("|---|---|---|---|---|---|---|\n");
    for (unsigned i = 0; i < cfg_schema_len; i++) {
        const struct cfg_prop *s = &cfg_schema[i];
        printf("| %s | `%s%s` | %s | ", cfg_node_name(s->in), s->name,
               s->kind == CFG_NODE && s->node == CFG_PARTITION ? "@N" : "", kind_name(s));
        print_range(s);
        printf(" | %s | %s | %s |\n", s->required ? "yes" : "no", s->arches ? s->arches : "all",
               s->doc);
    }
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
        } else if (!strcmp(argv[i], "--schema")) {
            print_schema();
            return 0;
        } else if (argv[i][0] != '-' && !config_path)
            config_path = argv[i];
        else {
            fprintf(stderr, "usage: hvcheck [--cpus N] [--ram BASE:SIZE] [--reserve BASE:SIZE] "
                            "[--bundle F.cpio] [--disk IMAGE | --disk-sectors N] [--schema] [CONFIG.dtb]\n");
            return 2;
        }
    }
    if (!config_path && !bundle_path) {
        fprintf(stderr, "hvcheck: no config given (CONFIG.dtb or --bundle)\n");
        return 2;
    }
    size_t dtb_size, bundle_size = 0;
    void *bundle = bundle_path ? slurp(bundle_path, &bundle_size) : NULL;
    /* The hv's buffer: 64 KiB, 8-byte aligned; a file read whole may be any size. */
    void *dtb;
    if (config_path) {
        void *file = slurp(config_path, &dtb_size);
        dtb = malloc(dtb_size ? dtb_size : 1); /* malloc aligns to 16 */
        memcpy(dtb, file, dtb_size);
        free(file);
    } else {
        const char *why;
        config_path = bundle_path;
        dtb = malloc(HV_CONFIG_MAX);
        if (config_from_bundle(bundle, bundle_size, dtb, HV_CONFIG_MAX, &dtb_size, &why) < 0) {
            printf("config: boot bundle: %s\n%s: rejected\n", why, bundle_path);
            free(dtb);
            free(bundle);
            return 1;
        }
    }
    struct platform plat = { cpus, ram, nram ? nram : 1, res, nres ? nres : 1, bundle, bundle_size,
                             disk_sectors, !disk_known };

    int problems = config_parse(dtb, dtb_size, &plat, &cfg, report, NULL);
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
