/* A partition's description rendered as the device tree its arm64 guest boots with, in
 * QEMU virt's layout, so that the same guest image boots bare on QEMU and in a partition. */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "aarch64.h"
#include "config.h"
#include "fdt_build.h"
#include "part_desc.h"
#include "partition.h"
#include "virtio.h"

#define GUEST_RAM_BASE 0x40000000ull
#define GUEST_DEV_BASE 0x0a000000ull
#define GIC_PHANDLE 1

gpaddr_t arch_guest_ram_base(void) { return GUEST_RAM_BASE; }
static gpaddr_t dev_base(unsigned line)
{
    return GUEST_DEV_BASE + (gpaddr_t)line * VIRTIO_MMIO_WINDOW_SIZE;
}

/* Partitions find their virtio devices as virtio-mmio windows, line n at window n. */
int arch_virtio_attach(struct virtio_dev *d)
{
    return virtio_mmio_attach(d, dev_base(d->line));
}

static int reg_prop(void *fdt, int node, uint64_t base, uint64_t size)
{
    fdt32_t reg[4] = { cpu_to_fdt32(base >> 32), cpu_to_fdt32((uint32_t)base),
                       cpu_to_fdt32(size >> 32), cpu_to_fdt32((uint32_t)size) };
    return fdt_setprop(fdt, node, "reg", reg, sizeof(reg));
}

static int reg2(void *fdt, int node, uint64_t a, uint64_t s, uint64_t b, uint64_t t)
{
    fdt32_t r[8] = { cpu_to_fdt32(a >> 32), cpu_to_fdt32((uint32_t)a), cpu_to_fdt32(s >> 32),
                     cpu_to_fdt32((uint32_t)s), cpu_to_fdt32(b >> 32), cpu_to_fdt32((uint32_t)b),
                     cpu_to_fdt32(t >> 32), cpu_to_fdt32((uint32_t)t) };
    return fdt_setprop(fdt, node, "reg", r, sizeof(r));
}

/* cpus, PSCI, the GIC and the timer; returns the GIC's phandle. */
static int machine_nodes(void *fdt, const struct part_desc *d)
{
    char name[32];
    int cpus, node;

    FDT_TRY(cpus = fdt_add_subnode(fdt, 0, "cpus"));
    FDT_TRY(fdt_setprop_u32(fdt, cpus, "#address-cells", 1));
    FDT_TRY(fdt_setprop_u32(fdt, cpus, "#size-cells", 0));
    for (int i = (int)d->nr_cpus - 1; i >= 0; i--) { /* added in reverse: libfdt prepends */
        snprintf(name, sizeof(name), "cpu@%d", i);
        FDT_TRY(node = fdt_add_subnode(fdt, cpus, name));
        FDT_TRY(fdt_setprop_string(fdt, node, "device_type", "cpu"));
        FDT_TRY(fdt_setprop_string(fdt, node, "compatible", "arm,armv8"));
        FDT_TRY(fdt_setprop_u32(fdt, node, "reg", i));
        FDT_TRY(fdt_setprop_string(fdt, node, "enable-method", "psci"));
    }

    FDT_TRY(node = fdt_add_subnode(fdt, 0, "psci"));
    static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
    FDT_TRY(fdt_setprop(fdt, node, "compatible", psci_compat, sizeof(psci_compat)));
    FDT_TRY(fdt_setprop_string(fdt, node, "method", "hvc"));

    snprintf(name, sizeof(name), "intc@%llx", VGICD_BASE);
    FDT_TRY(node = fdt_add_subnode(fdt, 0, name));
    FDT_TRY(fdt_setprop_string(fdt, node, "compatible", "arm,gic-v3"));
    FDT_TRY(fdt_setprop_u32(fdt, node, "#interrupt-cells", 3));
    FDT_TRY(fdt_setprop(fdt, node, "interrupt-controller", NULL, 0));
    FDT_TRY(fdt_setprop_u32(fdt, node, "#redistributor-regions", 1));
    FDT_TRY(reg2(fdt, node, VGICD_BASE, VGICD_SIZE, VGICR_BASE, VGICR_FRAME * d->nr_cpus));
    FDT_TRY(fdt_setprop_u32(fdt, node, "phandle", GIC_PHANDLE));

    FDT_TRY(node = fdt_add_subnode(fdt, 0, "timer"));
    FDT_TRY(fdt_setprop_string(fdt, node, "compatible", "arm,armv8-timer"));
    /* secure phys, non-secure phys, virtual, hyp: PPIs 13, 14, 11, 10, level low */
    static const uint32_t ppis[] = { 13, 14, 11, 10 };
    fdt32_t irqs[12];
    for (int i = 0; i < 4; i++) {
        irqs[3 * i] = cpu_to_fdt32(1);
        irqs[3 * i + 1] = cpu_to_fdt32(ppis[i]);
        irqs[3 * i + 2] = cpu_to_fdt32(0xf08);
    }
    FDT_TRY(fdt_setprop(fdt, node, "interrupts", irqs, sizeof(irqs)));
    FDT_TRY(fdt_setprop(fdt, node, "always-on", NULL, 0));
    return GIC_PHANDLE;
}

static int fdt_build(const struct part_desc *d, void *buf, size_t cap)
{
    char name[48];
    int root = 0, node, chosen, gic;

    FDT_TRY(fdt_create_empty_tree(buf, cap));
    FDT_TRY(fdt_setprop_string(buf, root, "compatible", "linux,dummy-virt"));
    FDT_TRY(fdt_setprop_string(buf, root, "model", "hv partition"));
    FDT_TRY(fdt_setprop_u32(buf, root, "#address-cells", 2));
    FDT_TRY(fdt_setprop_u32(buf, root, "#size-cells", 2));
    FDT_TRY(gic = machine_nodes(buf, d));
    FDT_TRY(fdt_setprop_u32(buf, root, "interrupt-parent", gic));

    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)d->ram_base);
    FDT_TRY(node = fdt_add_subnode(buf, root, name));
    FDT_TRY(fdt_setprop_string(buf, node, "device_type", "memory"));
    FDT_TRY(reg_prop(buf, node, d->ram_base, d->ram_size));

    FDT_TRY(chosen = fdt_add_subnode(buf, root, "chosen"));
    FDT_TRY(fdt_setprop_string(buf, chosen, "bootargs", d->bootargs));
    if (d->initrd) {
        FDT_TRY(fdt_setprop_u64(buf, chosen, "linux,initrd-start", d->initrd_base));
        FDT_TRY(fdt_setprop_u64(buf, chosen, "linux,initrd-end", d->initrd_base + d->initrd_size));
    }

    for (unsigned n = 0; n < d->nr_devs; n++) {
        const struct part_desc_dev *dev = &d->devs[n];
        gpaddr_t base = dev_base(dev->line);
        fdt32_t irq[3] = { cpu_to_fdt32(0), cpu_to_fdt32(VGIC_DEV_SPI_BASE + dev->line),
                           cpu_to_fdt32(4) };   /* SPI, level high */
        snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)base);
        FDT_TRY(node = fdt_add_subnode(buf, root, name));
        FDT_TRY(fdt_setprop_string(buf, node, "compatible", "virtio,mmio"));
        FDT_TRY(reg_prop(buf, node, base, VIRTIO_MMIO_WINDOW_SIZE));
        FDT_TRY(fdt_setprop(buf, node, "interrupts", irq, sizeof(irq)));
        FDT_TRY(fdt_setprop(buf, node, "dma-coherent", NULL, 0));
        if (!dev->console)
            continue;
        snprintf(name, sizeof(name), "/virtio_mmio@%llx", (unsigned long long)base);
        FDT_TRY(fdt_setprop_string(buf, chosen, "stdout-path", name));
    }
    return fdt_pack(buf);
}

/* The Linux arm64 boot protocol: the Image at its text_offset, x0 = the device tree, which
 * sits in the platform area at the top of RAM. */
int arch_guest_load(struct partition *p, const struct part_desc *d, gpaddr_t *entry,
                    uint64_t *arg)
{
    memcpy(p->mem.host + d->image_info.load_offset, d->image, d->image_size);
    if (d->initrd)
        memcpy(guest_ptr(&p->mem, d->initrd_base, d->initrd_size), d->initrd, d->initrd_size);
    int r = fdt_build(d, guest_ptr(&p->mem, d->platform_base, GUEST_PLATFORM_SIZE),
                      GUEST_PLATFORM_SIZE);
    if (r < 0) {
        hv_log("partition '%s': cannot build its device tree (libfdt error %d)", d->label, r);
        return -1;
    }
    *entry = d->ram_base + d->image_info.load_offset;
    *arg = d->platform_base;
    return 0;
}
