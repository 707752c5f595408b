/* What a partition's device tree says about the arm64 machine: QEMU virt's layout, so that
 * the same guest image boots bare on QEMU and in a partition. */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "aarch64.h"
#include "config.h"
#include "fdt_build.h"
#include "partition.h"
#include "virtio.h"

#define GUEST_RAM_BASE 0x40000000ull
#define GUEST_DEV_BASE 0x0a000000ull
#define GIC_PHANDLE 1

gpaddr_t arch_guest_ram_base(void) { return GUEST_RAM_BASE; }
gpaddr_t arch_guest_dev_base(unsigned n) { return GUEST_DEV_BASE + (gpaddr_t)n * ARCH_GUEST_DEV_SIZE; }

/* Partitions find their virtio devices as virtio-mmio windows. */
int arch_virtio_attach(struct virtio_dev *d)
{
    return virtio_mmio_attach(d);
}

unsigned arch_guest_fdt_dev_irq(unsigned n, uint32_t *cells)
{
    cells[0] = 0;                     /* SPI */
    cells[1] = VGIC_DEV_SPI_BASE + n;
    cells[2] = 4;                     /* level high */
    return 3;
}

static int reg2(void *fdt, int node, uint64_t a, uint64_t s, uint64_t b, uint64_t t)
{
    fdt32_t r[8] = { cpu_to_fdt32(a >> 32), cpu_to_fdt32((uint32_t)a), cpu_to_fdt32(s >> 32),
                     cpu_to_fdt32((uint32_t)s), cpu_to_fdt32(b >> 32), cpu_to_fdt32((uint32_t)b),
                     cpu_to_fdt32(t >> 32), cpu_to_fdt32((uint32_t)t) };
    return fdt_setprop(fdt, node, "reg", r, sizeof(r));
}

int arch_guest_fdt(void *fdt, const struct partition *p)
{
    char name[32];
    int cpus, node;

    FDT_TRY(cpus = fdt_add_subnode(fdt, 0, "cpus"));
    FDT_TRY(fdt_setprop_u32(fdt, cpus, "#address-cells", 1));
    FDT_TRY(fdt_setprop_u32(fdt, cpus, "#size-cells", 0));
    for (int i = p->nr_vcpus - 1; i >= 0; i--) { /* added in reverse: libfdt prepends */
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
    FDT_TRY(reg2(fdt, node, VGICD_BASE, VGICD_SIZE, VGICR_BASE, VGICR_FRAME * p->nr_vcpus));
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

/* The Linux arm64 boot protocol: the Image at its text_offset, x0 = the device tree, which
 * sits in the top GUEST_FDT_SIZE bytes of RAM. */
int arch_guest_load(struct partition *p, gpaddr_t *entry, uint64_t *arg)
{
    const struct part_config *pc = p->cfg;
    gpaddr_t fdt_gpa = p->mem.base + p->mem.size - GUEST_FDT_SIZE;

    memcpy(p->mem.host + pc->image_info.load_offset, pc->image_data, pc->image_size);
    if (pc->initrd_size)
        memcpy(guest_ptr(&p->mem, guest_fdt_initrd_base(p), pc->initrd_size), pc->initrd_data,
               pc->initrd_size);
    int r = guest_fdt_build(p, guest_ptr(&p->mem, fdt_gpa, GUEST_FDT_SIZE), GUEST_FDT_SIZE);
    if (r < 0) {
        hv_log("partition '%s': cannot build its device tree (libfdt error %d)", p->label, r);
        return -1;
    }
    *entry = p->mem.base + pc->image_info.load_offset;
    *arg = fdt_gpa;
    return 0;
}
