/* Runtime start-up on x86_64: what the boot protocol handed over (boot_params:
 * command line, E820 map, RSDP), then ACPI for CPUs, interrupt controllers and
 * virtio-mmio devices, then main() (rt_run_main). */
#include <string.h>
#include "x86_64.h"

struct e820 rt_e820[128];
unsigned rt_e820_n;
static char cmdline[2048];

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

int e820_ram(uint64_t addr, uint64_t len)
{
	unsigned i;

	for (i = 0; i < rt_e820_n; i++)
		if (rt_e820[i].type == E820_RAM && addr >= rt_e820[i].addr &&
		    addr + len <= rt_e820[i].addr + rt_e820[i].size)
			return 1;
	return 0;
}

/* The E820 map; rt_mem_base/size = its largest RAM range. */
static void memory(const uint8_t *bp)
{
	unsigned i, n = bp[BP_E820_ENTRIES];

	if (n > 128)
		n = 128;
	for (i = 0; i < n; i++) {
		const uint8_t *e = bp + BP_E820_TABLE + 20 * i;
		struct e820 *m = &rt_e820[rt_e820_n];

		m->addr = rd64(e);
		m->size = rd64(e + 8);
		m->type = rd32(e + 16);
		if (!m->size || m->addr + m->size < m->addr)
			continue;
		rt_e820_n++;
		if (m->type == E820_RAM && m->size > rt_mem_size) {
			rt_mem_base = m->addr;
			rt_mem_size = m->size;
		}
	}
	if (!rt_e820_n)
		rt_warn("guest: no E820 map in boot_params\n");
}

static void bootargs(const uint8_t *bp)
{
	uint64_t p = rd32(bp + BP_HDR_CMD_LINE_PTR) | (uint64_t)rd32(bp + BP_EXT_CMD_LINE_PTR) << 32;
	size_t i;

	if (!p || rt_map_phys(p, 1))
		return;
	for (i = 0; i + 1 < sizeof cmdline && ((const char *)(uintptr_t)p)[i]; i++)
		cmdline[i] = ((const char *)(uintptr_t)p)[i];
	cmdline[i] = 0;
	rt_bootargs = cmdline;
}

static void initrd(const uint8_t *bp)
{
	uint64_t at = rd32(bp + BP_HDR_RAMDISK_IMAGE) | (uint64_t)rd32(bp + BP_EXT_RAMDISK_IMAGE) << 32;
	uint64_t size = rd32(bp + BP_HDR_RAMDISK_SIZE) | (uint64_t)rd32(bp + BP_EXT_RAMDISK_SIZE) << 32;

	if (!at || !size)
		return;
	if (rt_map_phys(at, size)) {
		rt_warn("guest: initrd at 0x%lx cannot be mapped\n", (unsigned long)at);
		return;
	}
	rt_initrd = (const uint8_t *)(uintptr_t)at;
	rt_initrd_size = size;
}

/* One LNRO0005 device: its window mapped, its GSI routed to a vector. */
static void virtio_dev(const struct acpi_virtio *d)
{
	int vec;

	if (rt_map_phys(d->base, d->size ? d->size : 0x200)) {
		rt_warn("virtio-mmio@0x%lx: cannot be mapped, skipped\n", (unsigned long)d->base);
		return;
	}
	vec = irq_route_gsi(d->gsi, d->edge, d->active_low);
	if (vec < 0) {
		rt_warn("virtio-mmio@0x%lx: GSI %u has no IOAPIC input, polling\n",
			(unsigned long)d->base, (unsigned)d->gsi);
		vec = 0;	/* intc_enable_irq fails: the driver polls */
	}
	rt_virtio_found(d->base, vec, d->edge);
}

void __attribute__((noreturn)) rt_start(const uint8_t *bp)
{
	idt_init();
	memory(bp);
	mmu_init();
	bootargs(bp);
	initrd(bp);
	if (acpi_init(rd64(bp + BP_ACPI_RSDP_ADDR))) {
		lapic_cpu_init();	/* at the architectural default address */
		rt_cpu_hwid[rt_ncpus++] = cpu_hwid();
	}
	if (acpi_pcat_compat)
		pic_disable();
	timer_init();
	smp_init();
	acpi_find_virtio(virtio_dev);
	rt_run_main();
}
