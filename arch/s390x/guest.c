/* What a partition boots: an s390 IPL image as Linux's is, loaded at absolute 0, whose
 * first eight bytes are the IPL PSW (ESA/390 format). The vcpu starts as an IPL leaves a
 * CPU, except that it is already in z/Architecture mode (31-bit addressing), as KVM's are.
 * Images that cover Linux's parameter area (0x10400-0x1087f) get their command line and
 * initrd there. Partitions describe themselves through SCLP and STSI, not a device tree. */
#include <string.h>

#include "partition.h"
#include "s390_guest.h"

#define PARM_INITRD_START 0x10408
#define PARM_INITRD_SIZE  0x10410
#define PARM_CMDLINE      0x10480
#define PARM_CMDLINE_MAX  896
#define PARM_END          (PARM_CMDLINE + PARM_CMDLINE_MAX)

gpaddr_t arch_guest_ram_base(void)
{
    return 0;
}

int arch_guest_load(struct partition *p, gpaddr_t *entry, uint64_t *arg)
{
    const struct part_config *pc = p->cfg;
    uint8_t *ram = p->mem.host;

    memcpy(ram, pc->image_data, pc->image_size);
    bool has_parm = pc->image_size >= PARM_END;
    if ((pc->bootargs[0] || pc->initrd_size) && !has_parm) {
        hv_log("partition '%s': its image does not cover the parameter area at 0x%x-0x%x, "
               "so bootargs and initrd cannot be passed", p->label, PARM_INITRD_START, PARM_END - 1);
        return -1;
    }
    if (has_parm) {
        size_t n = strlen(pc->bootargs);
        if (n >= PARM_CMDLINE_MAX) {
            hv_log("partition '%s': bootargs longer than %d bytes", p->label, PARM_CMDLINE_MAX - 1);
            return -1;
        }
        memset(ram + PARM_CMDLINE, 0, PARM_CMDLINE_MAX);
        memcpy(ram + PARM_CMDLINE, pc->bootargs, n);
        uint64_t start = 0, size = pc->initrd_size;
        if (size) {
            start = (p->mem.size - GUEST_FDT_SIZE - size) & ~0xfffull;
            memcpy(ram + start, pc->initrd_data, size);
        }
        memcpy(ram + PARM_INITRD_START, &start, 8);
        memcpy(ram + PARM_INITRD_SIZE, &size, 8);
    }
    *entry = ((uint32_t)ram[4] << 24 | ram[5] << 16 | ram[6] << 8 | ram[7]) & 0x7fffffffu;
    *arg = PSW_MASK_BA;
    return 0;
}

/* Partitions here have no device tree and no MMIO windows. */
int arch_guest_fdt(void *fdt, const struct partition *p)
{
    (void)fdt, (void)p;
    return -1;
}

unsigned arch_guest_fdt_dev_irq(unsigned n, uint32_t *cells)
{
    (void)n, (void)cells;
    return 0;
}

gpaddr_t arch_guest_dev_base(unsigned n)
{
    (void)n;
    return ~0ull;
}
