/* Boot information from the platform device tree (the firmware's, or one a boot loader
 * built): RAM, reservations and the boot bundle (the initrd). */
#include <libfdt.h>
#include <string.h>

#include "hv.h"

extern char _hv_start[], _hv_end[];
static struct boot_info bi;

static uint64_t cells(const fdt32_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 32 | fdt32_to_cpu(p[i]);
    return v;
}

static void reserve(uint64_t base, uint64_t size)
{
    if (!size)
        return;
    if (bi.nr_reserved == BOOT_MAX_RANGES)
        bi.ranges_overflow = true;
    else
        bi.reserved[bi.nr_reserved++] = (struct mem_range){ base, size };
}

static void read_memory(const void *fdt)
{
    int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0), node, len;

    fdt_for_each_subnode(node, fdt, 0) {
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        if (!type || strcmp(type, "memory") != 0)
            continue;
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        for (int i = 0; reg && i + (ac + sc) * 4 <= len; i += (ac + sc) * 4) {
            const fdt32_t *r = (const fdt32_t *)((const char *)reg + i);
            if (bi.nr_ram == BOOT_MAX_RANGES)
                bi.ranges_overflow = true;
            else
                bi.ram[bi.nr_ram++] = (struct mem_range){ cells(r, ac), cells(r + ac, sc) };
        }
    }
}

static void read_reserved(const void *fdt)
{
    int n = fdt_num_mem_rsv(fdt), node, len;
    uint64_t a, s;

    for (int i = 0; i < n; i++)
        if (fdt_get_mem_rsv(fdt, i, &a, &s) == 0)
            reserve(a, s);
    int rm = fdt_path_offset(fdt, "/reserved-memory");
    if (rm < 0)
        return;
    int ac = fdt_address_cells(fdt, rm), sc = fdt_size_cells(fdt, rm);
    fdt_for_each_subnode(node, fdt, rm) {
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        if (reg && len >= (ac + sc) * 4)
            reserve(cells(reg, ac), cells(reg + ac, sc));
    }
}

static void read_initrd(const void *fdt)
{
    int chosen = fdt_path_offset(fdt, "/chosen"), ls, le;
    if (chosen < 0)
        return;
    const fdt32_t *s = fdt_getprop(fdt, chosen, "linux,initrd-start", &ls);
    const fdt32_t *e = fdt_getprop(fdt, chosen, "linux,initrd-end", &le);
    if (!s || !e)
        return;
    uint64_t start = cells(s, ls / 4), end = cells(e, le / 4);
    if (end > start) {
        bi.bundle = (const void *)(uintptr_t)start;
        bi.bundle_size = end - start;
        reserve(start, ALIGN_UP(end, 4096) - start);
    }
}

void __attribute__((noreturn)) hv_boot_fdt(const void *fdt, const char *arch_name)
{
    bi.arch_name = arch_name;
    /* Our own ranges first: if the table overflows, what is lost is the firmware's. */
    reserve((uintptr_t)_hv_start, (uintptr_t)_hv_end - (uintptr_t)_hv_start);
    if (fdt && fdt_check_header(fdt) == 0) {
        bi.fdt = fdt;
        reserve((uintptr_t)fdt, ALIGN_UP(fdt_totalsize(fdt), 4096));
        read_initrd(fdt);
        read_memory(fdt);
        read_reserved(fdt);
    }
    hv_main(&bi);
    arch_halt();
}
