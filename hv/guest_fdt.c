/* The device tree a partition boots with: what the Linux boot protocol needs. */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "fdt_build.h"
#include "partition.h"
#include "virtio.h"

static int reg_prop(void *fdt, int node, uint64_t base, uint64_t size)
{
    fdt32_t reg[4] = { cpu_to_fdt32(base >> 32), cpu_to_fdt32((uint32_t)base),
                       cpu_to_fdt32(size >> 32), cpu_to_fdt32((uint32_t)size) };
    return fdt_setprop(fdt, node, "reg", reg, sizeof(reg));
}

/* The initrd lies page aligned right below the device tree (the config checked the fit). */
gpaddr_t guest_fdt_initrd_base(const struct partition *p)
{
    uint64_t size = (p->cfg->initrd_size + KIB(4) - 1) & ~(KIB(4) - 1);

    return p->mem.base + p->mem.size - GUEST_FDT_SIZE - size;
}

int guest_fdt_build(const struct partition *p, void *buf, size_t cap)
{
    char name[48];
    int root, node, chosen, gic;

    FDT_TRY(fdt_create_empty_tree(buf, cap));
    root = 0;
    FDT_TRY(fdt_setprop_string(buf, root, "compatible", "linux,dummy-virt"));
    FDT_TRY(fdt_setprop_string(buf, root, "model", "hv partition"));
    FDT_TRY(fdt_setprop_u32(buf, root, "#address-cells", 2));
    FDT_TRY(fdt_setprop_u32(buf, root, "#size-cells", 2));

    gic = arch_guest_fdt(buf, p);
    FDT_TRY(gic);
    FDT_TRY(fdt_setprop_u32(buf, root, "interrupt-parent", gic));

    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)p->mem.base);
    FDT_TRY(node = fdt_add_subnode(buf, root, name));
    FDT_TRY(fdt_setprop_string(buf, node, "device_type", "memory"));
    FDT_TRY(reg_prop(buf, node, p->mem.base, p->mem.size));

    FDT_TRY(chosen = fdt_add_subnode(buf, root, "chosen"));
    FDT_TRY(fdt_setprop_string(buf, chosen, "bootargs", p->cfg->bootargs));
    if (p->cfg->initrd_size) {
        gpaddr_t initrd = guest_fdt_initrd_base(p);
        FDT_TRY(fdt_setprop_u64(buf, chosen, "linux,initrd-start", initrd));
        FDT_TRY(fdt_setprop_u64(buf, chosen, "linux,initrd-end", initrd + p->cfg->initrd_size));
    }

    /* Device windows in line order: line n is window n and interrupt n. */
    for (unsigned n = 0; n < p->nr_devs; n++) {
        gpaddr_t base = arch_guest_dev_base(n);
        uint32_t cells[4];
        unsigned nc = arch_guest_fdt_dev_irq(n, cells);
        fdt32_t irq[4];
        for (unsigned k = 0; k < nc; k++)
            irq[k] = cpu_to_fdt32(cells[k]);
        snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)base);
        FDT_TRY(node = fdt_add_subnode(buf, root, name));
        FDT_TRY(fdt_setprop_string(buf, node, "compatible", "virtio,mmio"));
        FDT_TRY(reg_prop(buf, node, base, ARCH_GUEST_DEV_SIZE));
        FDT_TRY(fdt_setprop(buf, node, "interrupts", irq, nc * 4));
        FDT_TRY(fdt_setprop(buf, node, "dma-coherent", NULL, 0));
        if (p->devs[n] != p->console)
            continue;
        snprintf(name, sizeof(name), "/virtio_mmio@%llx", (unsigned long long)base);
        FDT_TRY(fdt_setprop_string(buf, chosen, "stdout-path", name));
    }
    return fdt_pack(buf);
}
