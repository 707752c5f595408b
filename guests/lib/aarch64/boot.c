/* Runtime start-up on aarch64: discover the platform from the DTB, bring up the
 * interrupt controller and the console, then run main() (rt_run_main). */
#include <libfdt.h>
#include <string.h>
#include "aarch64.h"

unsigned rt_timer_intid = 27;	/* virtual timer PPI, unless the DTB says otherwise */

static void find_psci(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-1.0");
	const char *m;

	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-0.2");
	m = node < 0 ? NULL : fdt_getprop(fdt, node, "method", NULL);
	psci_init(m && !strcmp(m, "smc"));
}

static void find_gic_timer(const void *fdt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3"), edge;
	uint64_t d, ds, r, rs;

	if (node < 0 || dt_reg(fdt, node, 0, &d, &ds) || dt_reg(fdt, node, 1, &r, &rs) ||
	    gic_init(d, r, rs)) {
		rt_warn("guest: no usable GICv3, polling without interrupts\n");
		rt_polling = 1;
	}
	node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	if (node >= 0)
		dt_irq(fdt, node, 2, &rt_timer_intid, &edge);	/* 3rd entry = virtual */
}

/* /cpus: the boot CPU and every CPU that PSCI can start. */
static uint64_t chosen_u64(const void *fdt, int chosen, const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, chosen, name, &len);

	if (!p || (len != 4 && len != 8))
		return 0;
	return len == 8 ? (uint64_t)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1]) : fdt32_to_cpu(p[0]);
}

static void find_initrd(const void *fdt, int chosen)
{
	uint64_t start = chosen_u64(fdt, chosen, "linux,initrd-start");
	uint64_t end = chosen_u64(fdt, chosen, "linux,initrd-end");

	if (start && end > start && !rt_map_phys(start, end - start)) {
		rt_initrd = (const uint8_t *)(uintptr_t)start;
		rt_initrd_size = end - start;
	}
}

static void find_cpus(const void *fdt)
{
	int node, cpus = fdt_path_offset(fdt, "/cpus");
	uint64_t aff, sz;

	fdt_for_each_subnode(node, fdt, cpus) {
		const char *t = fdt_getprop(fdt, node, "device_type", NULL);
		const char *m = fdt_getprop(fdt, node, "enable-method", NULL);

		if (!t || strcmp(t, "cpu") || dt_reg(fdt, node, 0, &aff, &sz) ||
		    (aff != cpu_mpidr() && (!m || strcmp(m, "psci"))))
			continue;
		if (rt_ncpus == RT_MAX_CPUS) {
			rt_warn("guest: more than %d CPUs, using the first ones\n", RT_MAX_CPUS);
			break;
		}
		rt_cpu_hwid[rt_ncpus++] = aff;
	}
	if (!rt_ncpus)
		rt_cpu_hwid[rt_ncpus++] = cpu_mpidr();
}

/* Every virtio-mmio node (rt_virtio_found sorts them out). */
static void find_virtio(const void *fdt)
{
	int node = -1, edge;
	uint64_t base, size;
	unsigned intid;

	while ((node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) >= 0) {
		if (dt_reg(fdt, node, 0, &base, &size) || dt_irq(fdt, node, 0, &intid, &edge))
			continue;
		rt_virtio_found(base, intid, edge);
	}
}

void __attribute__((noreturn)) rt_start(const void *fdt)
{
	int node, len;
	const char *s;

	if (fdt_check_header(fdt)) {
		psci_init(0);	/* no DTB: nothing to talk to, try the HVC conduit */
		arch_poweroff();
	}
	find_psci(fdt);
	node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	if (node >= 0 && !dt_reg(fdt, node, 0, &rt_mem_base, &rt_mem_size))
		mmu_map_ram(rt_mem_base, rt_mem_size);
	node = fdt_path_offset(fdt, "/chosen");
	s = node < 0 ? NULL : fdt_getprop(fdt, node, "bootargs", &len);
	if (s && len > 0 && !s[len - 1])
		rt_bootargs = s;
	if (node >= 0)
		find_initrd(fdt, node);
	find_cpus(fdt);
	find_gic_timer(fdt);
	find_virtio(fdt);
	rt_run_main();
}

/* Everything below 2^39 is identity mapped by crt0 (Device outside RAM). */
int rt_map_phys(uint64_t addr, uint64_t len)
{
	return addr + len < addr || addr + len > (1ull << 39) ? -1 : 0;
}
