/* What a partition boots: an s390 IPL image as Linux's is, loaded at absolute 0, whose
 * first eight bytes are the IPL PSW (ESA/390 format). The vcpu starts as an IPL leaves a
 * CPU, except that it is already in z/Architecture mode (31-bit addressing), as KVM's are.
 * Images that cover Linux's parameter area (0x10400-0x1087f) get their command line and
 * initrd there. Partitions describe themselves through SCLP and STSI, not a device tree. */
#include <string.h>

#include "part_desc.h"
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

/* The description as an s390 guest reads it: the image and the parameter area here, the
 * CPUs and storage through SCLP (vsclp.c) and STSI, the devices as subchannels (css.c). */
int arch_guest_load(struct partition *p, const struct part_desc *d, gpaddr_t *entry,
                    uint64_t *arg)
{
    uint8_t *ram = p->mem.host;

    memcpy(ram, d->image, d->image_size);
    bool has_parm = d->image_size >= PARM_END;
    if ((d->bootargs[0] || d->initrd) && !has_parm) {
        hv_log("partition '%s': its image does not cover the parameter area at 0x%x-0x%x, "
               "so bootargs and initrd cannot be passed", d->label, PARM_INITRD_START, PARM_END - 1);
        return -1;
    }
    if (has_parm) {
        size_t n = strlen(d->bootargs);
        if (n >= PARM_CMDLINE_MAX) {
            hv_log("partition '%s': bootargs longer than %d bytes", d->label, PARM_CMDLINE_MAX - 1);
            return -1;
        }
        memset(ram + PARM_CMDLINE, 0, PARM_CMDLINE_MAX);
        memcpy(ram + PARM_CMDLINE, d->bootargs, n);
        uint64_t start = 0, size = d->initrd_size;
        if (d->initrd) {
            start = d->initrd_base - d->ram_base;
            memcpy(ram + start, d->initrd, size);
        }
        memcpy(ram + PARM_INITRD_START, &start, 8);
        memcpy(ram + PARM_INITRD_SIZE, &size, 8);
    }
    *entry = ((uint32_t)ram[4] << 24 | ram[5] << 16 | ram[6] << 8 | ram[7]) & 0x7fffffffu;
    *arg = PSW_MASK_BA;
    return 0;
}
