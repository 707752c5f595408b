/* Runtime start-up, the arch-neutral half: the arch's start code (lib/<arch>/)
 * discovers the platform, hands every virtio-mmio window to rt_virtio_found,
 * then rt_run_main runs main() and powers off. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "virtio.h"

const char *rt_bootargs = "";
uint64_t rt_mem_base, rt_mem_size;
const uint8_t *rt_initrd;
size_t rt_initrd_size;
unsigned rt_ncpus;
uint64_t rt_cpu_hwid[RT_MAX_CPUS];
int rt_polling;
static char warnings[512];

int main(void);

void rt_warn(const char *fmt, ...)
{
	size_t l = strlen(warnings);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(warnings + l, sizeof warnings - l, fmt, ap);
	va_end(ap);
}

/* One virtio-mmio slot: empty (ID 0) ones are skipped silently, legacy ones
 * are reported, the first console is attached, block devices are noted for
 * blk_init(). */
void rt_virtio_found(uintptr_t base, unsigned intid, int edge)
{
	static struct vdev devs[RT_MAX_VIRTIO];
	static unsigned ndevs;

	if (mmio_read32(base + VIRTIO_MMIO_MAGIC) != VIRTIO_MAGIC) {
		rt_warn("virtio-mmio@0x%lx: bad magic, skipped\n", (unsigned long)base);
		return;
	}
	if (mmio_read32(base + VIRTIO_MMIO_DEVICE_ID) == 0)
		return;
	if (mmio_read32(base + VIRTIO_MMIO_VERSION) != 2) {
		rt_warn("virtio-mmio@0x%lx: version %u device not supported (need 2), skipped\n",
			(unsigned long)base, (unsigned)mmio_read32(base + VIRTIO_MMIO_VERSION));
		return;
	}
	if (ndevs == RT_MAX_VIRTIO) {
		rt_warn("virtio-mmio@0x%lx: more than %d devices, skipped\n", (unsigned long)base,
			RT_MAX_VIRTIO);
		return;
	}
	struct vdev *d = &devs[ndevs++];
	*d = (struct vdev){ &virtio_mmio_ops, base, intid, edge };
	rt_virtio_attach(d, mmio_read32(base + VIRTIO_MMIO_DEVICE_ID));
}

void rt_virtio_attach(struct vdev *d, uint32_t device_id)
{
	if (device_id == 3)
		vcon_probe(d);
	else if (device_id == 2)
		vblk_found(d);
}

void rt_run_main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 256);
	if (warnings[0])
		rt_raw_puts(warnings);
	irq_enable();
	exit(main());
}

void rt_poweroff(void)
{
	fflush(stdout);
	vcon_flush();
	arch_poweroff();
}

void console_flush(void)
{
	fflush(stdout);
	vcon_flush();
}
