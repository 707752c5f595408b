/* hv_main: from boot information to running partitions. */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "bundle.h"
#include "config.h"
#include "console.h"
#include "disk.h"
#include "partition.h"
#include "sched.h"

static struct hv_config config;
static struct disk disk;
/* libfdt wants 8-byte alignment; cpio members are only 4-byte aligned. */
static uint8_t config_dtb[HV_CONFIG_MAX] __attribute__((aligned(8)));

static void report(void *ctx, const char *msg)
{
    (*(unsigned *)ctx)++;
    hv_log("config: %s", msg);
}

static void __attribute__((noreturn)) refuse(const char *why)
{
    hv_log("%s: no partition started", why);
    console_drain();
    arch_system_off();
}

static void banner(const struct boot_info *bi)
{
    uint64_t ram = 0;

    for (unsigned i = 0; i < bi->nr_ram; i++)
        ram += bi->ram[i].size;
    hv_log("hypervisor %s (%s), %u CPUs, %llu MiB RAM", HV_VERSION, bi->arch_name, bi->nr_cpus,
           (unsigned long long)(ram >> 20));
}

static void describe(const struct partition *p)
{
    const struct part_config *pc = p->cfg;
    char cpus[40];
    unsigned n = 0;

    for (unsigned i = 0; i < pc->nr_cpus && n < sizeof(cpus) - 4; i++)
        n += snprintf(cpus + n, sizeof(cpus) - n, "%s%u", i ? "," : "", pc->cpus[i]);
    char blk[80] = "";
    if (pc->block)
        snprintf(blk, sizeof(blk), ", virtio-blk sectors %llu+%llu%s",
                 (unsigned long long)pc->block_start, (unsigned long long)pc->block_sectors,
                 pc->block_read_only ? " read-only" : "");
    hv_log("partition '%s': CPU %s, memory 0x%llx-0x%llx (%llu MiB), image %s%s%s%s", p->label,
           cpus, (unsigned long long)pc->mem_base,
           (unsigned long long)(pc->mem_base + pc->mem_size - 1),
           (unsigned long long)(pc->mem_size >> 20), pc->image,
           pc->virtio_console ? ", virtio-console" : "", blk,
           pc->window_us ? ", time-shared" : "");
}

void hv_main(struct boot_info *bi)
{
    const char *why;
    unsigned problems = 0;

    if (arch_platform_init(bi) < 0) {
        console_init(bi->fdt);     /* so that its reason and ours reach the console */
        refuse("the platform cannot run partitions");
    }
    console_init(bi->fdt);
    banner(bi);
    const char *no_disk;
    if (disk_probe(bi->fdt, &disk, &no_disk) == 0)
        hv_log("disk: %s at 0x%llx, %llu sectors (%llu MiB)%s", disk.model,
               (unsigned long long)disk.base, (unsigned long long)disk.sectors,
               (unsigned long long)(disk.sectors * DISK_SECTOR >> 20),
               disk.read_only ? ", read-only" : "");
    else
        hv_log("disk: none (%s)", no_disk);

    if (bi->ranges_overflow)
        refuse("the firmware describes more than 32 RAM or reserved ranges; the hv cannot "
               "track them all and will not guess");
    if (!bi->bundle)
        refuse("no boot bundle (pass it as the initrd)");
    size_t config_size;
    if (config_from_bundle(bi->bundle, bi->bundle_size, config_dtb, sizeof(config_dtb),
                           &config_size, &why) < 0) {
        hv_log("boot bundle: %s", why);
        refuse("no usable configuration");
    }

    struct platform plat = { bi->nr_cpus, bi->ram, bi->nr_ram, bi->reserved, bi->nr_reserved,
                             bi->bundle, bi->bundle_size, disk.sectors, false };
    if (config_parse(config_dtb, config_size, &plat, &config, report, &problems) != 0) {
        hv_log("config rejected (%u problems)", problems);
        refuse("configuration invalid");
    }

    nr_partitions = config.nr_parts;
    for (unsigned i = 0; i < config.nr_parts; i++) {
        if (part_create(&partitions[i], i, &config.parts[i], &disk) < 0)
            refuse("partition set-up failed");
        describe(&partitions[i]);
    }
    if (sched_init(&config, bi->nr_cpus) < 0)
        refuse("schedule invalid");
    console_input_start(config.console_input);

    for (cpuid_t c = 1; c < bi->nr_cpus; c++)
        if (sched_cpu_used(c) && arch_cpu_start(c) < 0)
            hv_log("CPU %u did not start; its partitions cannot run", c);
    sched_run(0);
}

void hv_secondary_main(cpuid_t cpu)
{
    sched_run(cpu);
}
