/* How an x86_64 partition boots: as a PC with ACPI and no legacy devices, entered by the
 * Linux 64-bit boot protocol. Guest RAM starts at 0; its top GUEST_PLATFORM_SIZE bytes hold the
 * boot block (identity page tables for the first 4 GiB, a GDT, the ACPI tables), which the
 * e820 map reserves. The kernel, boot_params and command line go below it (bzimage.c). */
#include <string.h>

#include "acpi.h"
#include "bzimage.h"
#include "config.h"
#include "part_desc.h"
#include "partition.h"
#include "virtio.h"
#include "x86_64.h"

#define GUEST_DEV_BASE 0xfeb00000ull   /* below the IOAPIC, where QEMU microvm has them */
#define DEV_GSI_BASE 16                /* device line n = IOAPIC pin 16 + n */
/* boot block layout, from its start */
#define BB_PML4 0x0000
#define BB_PDPT 0x1000
#define BB_PD 0x2000                   /* 4 pages: 4 GiB in 2 MiB pages */
#define BB_GDT 0x6000
#define BB_ACPI 0x7000
#define BB_SIZE GUEST_PLATFORM_SIZE

static gpaddr_t boot_block(const struct partition *p)
{
    return p->mem.base + p->mem.size - BB_SIZE;
}

uint64_t guest_boot_cr3(const struct partition *p)
{
    return boot_block(p) + BB_PML4;
}

uint64_t guest_boot_gdt(const struct partition *p)
{
    return boot_block(p) + BB_GDT;
}

gpaddr_t arch_guest_ram_base(void)
{
    return 0;
}

static gpaddr_t dev_base(unsigned line)
{
    return GUEST_DEV_BASE + (gpaddr_t)line * VIRTIO_MMIO_WINDOW_SIZE;
}

/* Partitions find their virtio devices as virtio-mmio windows (described in ACPI). */
int arch_virtio_attach(struct virtio_dev *d)
{
    return virtio_mmio_attach(d, dev_base(d->line));
}

void arch_sync_guest_memory(const void *addr, uint64_t size)
{
    (void)addr;   /* caches are coherent on x86 */
    (void)size;
}

/* The description as a PC's: ACPI tables (CPUs, interrupt controllers, the virtio windows)
 * and the boot_params of the Linux boot protocol (e820, command line, initrd). */
int arch_guest_load(struct partition *p, const struct part_desc *d, gpaddr_t *entry,
                    uint64_t *arg)
{
    gpaddr_t bb = d->platform_base;
    uint8_t *blk = guest_ptr(&p->mem, bb, BB_SIZE);
    uint64_t *pml4 = (uint64_t *)(blk + BB_PML4), *pdpt = (uint64_t *)(blk + BB_PDPT);
    uint64_t *pd = (uint64_t *)(blk + BB_PD), *gdt = (uint64_t *)(blk + BB_GDT);

    /* identity map of the first 4 GiB (RAM, the APIC and the device windows) */
    pml4[0] = (bb + BB_PDPT) | 3;
    for (unsigned i = 0; i < 4; i++)
        pdpt[i] = (bb + BB_PD + 0x1000 * i) | 3;
    for (unsigned i = 0; i < 4 * 512; i++)
        pd[i] = (uint64_t)i << 21 | 0x83;
    gdt[2] = 0x00af9a000000ffffull;    /* 0x10: __BOOT_CS */
    gdt[3] = 0x00cf92000000ffffull;    /* 0x18: __BOOT_DS */

    struct acpi_layout l = { .nr_cpus = d->nr_cpus, .lapic_base = GUEST_LAPIC_BASE,
                             .ioapic_base = GUEST_IOAPIC_BASE, .nr_devs = d->nr_devs,
                             .oem_id = "HVPART",
                             .sleep_ctl_port = 0x600, .sleep_sts_port = 0x601,
                             .reset_port = 0x602, .reset_value = 1 };
    for (unsigned n = 0; n < d->nr_devs; n++)
        l.devs[n] = (struct acpi_virtio_dev){ dev_base(d->devs[n].line), VIRTIO_MMIO_WINDOW_SIZE,
                                              DEV_GSI_BASE + d->devs[n].line };
    uint64_t rsdp;
    if (acpi_build(blk + BB_ACPI, BB_SIZE - BB_ACPI, bb + BB_ACPI, &l, &rsdp) < 0) {
        hv_log("partition '%s': its ACPI tables do not fit", d->label);
        return -1;
    }

    struct e820_entry_in e820[2] = { { d->ram_base, d->ram_size - BB_SIZE, BZ_E820_RAM },
                                     { bb, BB_SIZE, BZ_E820_RESERVED } };
    struct bzimage_load out;
    const char *why;
    if (bzimage_load(d->image, d->image_size, d->initrd, d->initrd_size, d->bootargs,
                     p->mem.host, d->ram_base, d->ram_size - BB_SIZE, e820, 2, rsdp, &out,
                     &why) < 0) {
        hv_log("partition '%s': cannot load %s: %s", d->label, d->image_name, why);
        return -1;
    }
    *entry = out.entry64;
    *arg = out.boot_params;
    return 0;
}
