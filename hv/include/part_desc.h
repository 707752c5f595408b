/*
 * What a partition is made of, arch-neutral: hv/ builds it from the configuration and the
 * devices it created (part_describe), and each port renders it into what its guests read
 * (arch_guest_load): a device tree on aarch64, ACPI and boot_params on x86_64, the channel
 * subsystem, SCLP and the IPL parameter area on s390x.
 */
#ifndef HV_PART_DESC_H
#define HV_PART_DESC_H

#include "arch.h"
#include "limits.h"
#include "types.h"

struct part_desc_dev {
    uint32_t virtio_id;        /* VIRTIO_ID_* (the virtio device type) */
    unsigned line;             /* its transport slot and interrupt line: the n-th device */
    bool console;              /* the partition's console (stdout-path, console=hvc0) */
};

struct part_desc {
    const char *label;
    unsigned nr_cpus;
    gpaddr_t ram_base;
    uint64_t ram_size;
    /* The top GUEST_PLATFORM_SIZE bytes of RAM are the port's for its description. */
    gpaddr_t platform_base;
    const void *image;
    size_t image_size;
    const char *image_name;
    struct image_info image_info;
    const void *initrd;        /* NULL if none */
    size_t initrd_size;
    gpaddr_t initrd_base;      /* page aligned, right below the platform area */
    const char *bootargs;
    unsigned nr_devs;
    struct part_desc_dev devs[HV_MAX_DEVS];
};

struct partition;
void part_describe(const struct partition *p, struct part_desc *d);

#endif
