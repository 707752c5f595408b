/* Small DTB accessors on top of libfdt. */
#include <libfdt.h>
#include "aarch64.h"

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 32 | fdt32_to_cpu(*p++);
	return v;
}

/* reg entry idx, using the parent's #address-cells / #size-cells */
int dt_reg(const void *fdt, int node, int idx, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node), len;
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
	const fdt32_t *p = fdt_getprop(fdt, node, "reg", &len);

	if (!p || ac < 1 || ac > 2 || sc < 0 || sc > 2 || (idx + 1) * (ac + sc) * 4 > len)
		return -1;
	p += idx * (ac + sc);
	*addr = cells(p, ac);
	*size = cells(p + ac, sc);
	return 0;
}

/* GIC 3-cell interrupt specifier idx -> INTID (SPI N = 32+N, PPI N = 16+N) */
int dt_irq(const void *fdt, int node, int idx, unsigned *intid, int *edge)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);

	if (!p || (idx + 1) * 12 > len)
		return -1;
	p += idx * 3;
	*intid = fdt32_to_cpu(p[1]) + (fdt32_to_cpu(p[0]) ? 16 : 32);
	*edge = (fdt32_to_cpu(p[2]) & 3) != 0;	/* 1/2 = edge, 4/8 = level */
	return 0;
}
