/* The arch services the virtio devices call, for the host harnesses. */
#include "arch.h"
#include "vdev.h"
#include "virtio.h"

/* The partition's device windows, where QEMU virt puts virtio-mmio. */
gpaddr_t fuzz_dev_base(unsigned n)
{
    return 0x0a000000 + (gpaddr_t)n * VIRTIO_MMIO_WINDOW_SIZE;
}

unsigned long fuzz_irqs_raised;

void arch_part_irq_raise(struct partition *p, unsigned n)
{
    (void)p, (void)n;
    fuzz_irqs_raised++;
}

/* The harnesses' partitions use virtio-mmio, as aarch64's do. */
int arch_virtio_attach(struct virtio_dev *d)
{
    return virtio_mmio_attach(d, fuzz_dev_base(d->line));
}
