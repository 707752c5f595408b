/* The partition configuration: parsed from the bundle's config.dtb and validated against
 * the machine, before anything is started. The same code builds for the host (check-config). */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include "arch.h"
#include "limits.h"
#include "types.h"

struct part_config {
    char node[HV_NAME_MAX];        /* DT node name, e.g. "partition@0" */
    char label[HV_LABEL_MAX];      /* tag on its console lines */
    cpuid_t cpus[HV_MAX_VCPUS];    /* vcpu i runs on physical CPU cpus[i] */
    unsigned nr_cpus;
    paddr_t mem_base;              /* host physical; placed by the parser unless given */
    uint64_t mem_size;
    bool mem_base_given;
    char image[HV_NAME_MAX];       /* bundle member */
    const void *image_data;
    size_t image_size;
    struct image_info image_info;
    char bootargs[HV_BOOTARGS_MAX];
    char initrd[HV_NAME_MAX];      /* bundle member handed to the guest as its initrd, or "" */
    const void *initrd_data;
    size_t initrd_size;
    bool virtio_console;
    uint32_t window_us;            /* schedule window on a shared CPU, 0 = none */
    bool block;                    /* has a block slice: */
    uint64_t block_start;          /*   first disk sector */
    uint64_t block_sectors;        /*   length in sectors */
    bool block_read_only;
};

struct hv_config {
    struct part_config parts[HV_MAX_PARTITIONS];
    unsigned nr_parts;
    int console_input;             /* partition index that gets console input first */
};

/* What the config is checked against. */
struct platform {
    unsigned nr_cpus;
    const struct mem_range *ram;
    unsigned nr_ram;
    const struct mem_range *reserved; /* never given to a partition */
    unsigned nr_reserved;
    const void *bundle;               /* for images; NULL skips image checks */
    size_t bundle_size;
    uint64_t disk_sectors;            /* the physical disk; 0 = no disk */
    bool disk_unknown;                /* host check without a disk image: skip end checks */
};

typedef void (*config_report_t)(void *ctx, const char *msg);

/* Size of the platform description area (device tree, ACPI and boot tables) at the top of
 * each partition's RAM: the configuration keeps images and initrds out of it. */
#define GUEST_PLATFORM_SIZE KIB(64)
/* Partition RAM granule: second-stage tables map it in blocks of this size. */
#define PART_MEM_ALIGN MIB(2)

/* Parse and validate the 'size' bytes at dtb (8-byte aligned); every problem is reported
 * (partition, property, reason). Returns the number of problems: 0 means *out is complete
 * and safe to start. The structure is checked against config_schema.h. */
int config_parse(const void *dtb, size_t size, const struct platform *plat,
                 struct hv_config *out, config_report_t report, void *ctx);
/* Copy the bundle's config.dtb into buf (cap bytes, 8-byte aligned), as the hv reads it;
 * <0 with *why if the bundle is unreadable, has none, or it does not fit. */
int config_from_bundle(const void *bundle, size_t bundle_size, void *buf, size_t cap,
                       size_t *size, const char **why);

#endif
