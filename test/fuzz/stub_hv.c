/* The arch services the virtio devices call, for the host harnesses. */
#include "arch.h"
#include "virtio.h"

/* The partition's device windows, where QEMU virt puts virtio-mmio. */
gpaddr_t arch_guest_dev_base(unsigned n)
{
    return 0x0a000000 + (gpaddr_t)n * ARCH_GUEST_DEV_SIZE;
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
    return virtio_mmio_attach(d);
}
