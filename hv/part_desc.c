/* The neutral description of a partition (part_desc.h), from its configuration and devices. */
#include "part_desc.h"
#include "config.h"
#include "hv.h"
#include "virtio.h"

void part_describe(const struct partition *p, struct part_desc *d)
{
    const struct part_config *pc = p->cfg;
    uint64_t initrd_span = (pc->initrd_size + KIB(4) - 1) & ~(KIB(4) - 1);

    *d = (struct part_desc){
        .label = p->label,
        .nr_cpus = p->nr_vcpus,
        .ram_base = p->mem.base,
        .ram_size = p->mem.size,
        .platform_base = p->mem.base + p->mem.size - GUEST_PLATFORM_SIZE,
        .image = pc->image_data,
        .image_size = pc->image_size,
        .image_name = pc->image,
        .image_info = pc->image_info,
        .initrd = pc->initrd_size ? pc->initrd_data : NULL,
        .initrd_size = pc->initrd_size,
        .bootargs = pc->bootargs,
        .nr_devs = p->nr_devs,
    };
    /* the configuration checked that image, initrd and platform area fit without overlap */
    d->initrd_base = d->platform_base - initrd_span;
    for (unsigned n = 0; n < p->nr_devs; n++)
        d->devs[n] = (struct part_desc_dev){ p->devs[n]->ops->device_id, p->devs[n]->line,
                                             p->devs[n] == p->console };
}
