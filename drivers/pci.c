/* PCI through generic ECAM host bridges found in the firmware DT (see pci.h).
 * ECAM: function (bus, dev, fn) has 4 KiB of config space at bus << 20 | dev << 15 | fn << 12
 * from the window's base, which is bus 'bus-range' start. */
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pci.h"

#define COMPAT "pci-host-ecam-generic"

static struct pci_host hosts[PCI_MAX_HOSTS];
static unsigned nr_hosts;
static const void *hosts_fdt;
static char why_buf[160];

static uint64_t get_cells(const fdt32_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 32 | fdt32_to_cpu(p[i]);
    return v;
}

/* Read one host bridge node; <0 if it is unusable (no or short 'reg'). */
static int parse_host(const void *fdt, int node, struct pci_host *h)
{
    int parent = fdt_parent_offset(fdt, node), len;
    int pna = fdt_address_cells(fdt, parent), pns = fdt_size_cells(fdt, parent);
    int ns = fdt_size_cells(fdt, node);
    const fdt32_t *p;

    *h = (struct pci_host){ 0 };
    if (pna < 1 || pna > 2 || pns < 1 || pns > 2 || ns < 1 || ns > 2)
        return -1;
    p = fdt_getprop(fdt, node, "reg", &len);
    if (!p || len < (pna + pns) * 4)
        return -1;
    h->ecam = get_cells(p, pna);
    h->ecam_size = get_cells(p + pna, pns);
    h->bus_last = 255;
    p = fdt_getprop(fdt, node, "bus-range", &len);
    if (p && len >= 8) {
        h->bus_first = fdt32_to_cpu(p[0]) & 0xff;
        h->bus_last = fdt32_to_cpu(p[1]) & 0xff;
    }
    /* Only as many buses as the window has room for. */
    uint64_t buses = h->ecam_size >> 20;
    if (buses == 0 || h->bus_last < h->bus_first)
        return -1;
    if (h->bus_last - h->bus_first + 1 > buses)
        h->bus_last = h->bus_first + (unsigned)buses - 1;

    /* ranges: <phys.hi phys.mid phys.lo> <parent address> <size>; space code in hi[25:24]. */
    int entry = 3 + pna + ns;
    p = fdt_getprop(fdt, node, "ranges", &len);
    for (int i = 0; p && (i + 1) * entry * 4 <= len && h->nr_win < PCI_MAX_WINDOWS; i++) {
        const fdt32_t *e = p + i * entry;
        unsigned space = fdt32_to_cpu(e[0]) >> 24 & 3;
        if (space != 2 && space != 3)
            continue; /* configuration or I/O space */
        struct pci_window *w = &h->win[h->nr_win++];
        w->pci = get_cells(e + 1, 2);
        w->cpu = get_cells(e + 3, pna);
        w->size = get_cells(e + 3 + pna, ns);
        w->is64 = space == 3;
        w->next = w->pci;
    }
    const fdt32_t *dom = fdt_getprop(fdt, node, "linux,pci-domain", &len);
    h->segment = dom && len >= 4 ? fdt32_to_cpu(*dom) : nr_hosts;
    return 0;
}

static void scan_hosts(const void *fdt)
{
    if (hosts_fdt == fdt)
        return;
    hosts_fdt = fdt;
    nr_hosts = 0;
    for (int node = fdt_node_offset_by_compatible(fdt, -1, COMPAT);
         node >= 0 && nr_hosts < PCI_MAX_HOSTS;
         node = fdt_node_offset_by_compatible(fdt, node, COMPAT)) {
        const char *st = fdt_getprop(fdt, node, "status", NULL);
        if (st && strcmp(st, "okay") != 0 && strcmp(st, "ok") != 0)
            continue;
        if (parse_host(fdt, node, &hosts[nr_hosts]) == 0)
            nr_hosts++;
    }
}

/* Pure: also called by the architecture before its MMU is on, so no state is kept. */
unsigned pci_host_windows(const void *fdt, struct mem_range *out, unsigned max)
{
    unsigned n = 0;
    struct pci_host h;

    for (int node = fdt_node_offset_by_compatible(fdt, -1, COMPAT); node >= 0;
         node = fdt_node_offset_by_compatible(fdt, node, COMPAT)) {
        if (parse_host(fdt, node, &h) < 0)
            continue;
        if (n < max)
            out[n] = (struct mem_range){ h.ecam, h.ecam_size };
        n++;
        for (unsigned i = 0; i < h.nr_win; i++, n++)
            if (n < max)
                out[n] = (struct mem_range){ h.win[i].cpu, h.win[i].size };
    }
    return n;
}

static volatile void *cfg(const struct pci_host *h, unsigned bus, unsigned dev, unsigned fn,
                          unsigned off)
{
    return (volatile void *)(uintptr_t)(h->ecam + ((uint64_t)(bus - h->bus_first) << 20 |
                                                   dev << 15 | fn << 12 | (off & 0xfff)));
}

static uint16_t raw16(const struct pci_host *h, unsigned bus, unsigned dev, unsigned fn,
                      unsigned off)
{
    return le16_to_cpu(*(volatile uint16_t *)cfg(h, bus, dev, fn, off));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned off)
{
    return *(volatile uint8_t *)cfg(d->host, d->bus, d->dev, d->fn, off);
}

uint16_t pci_read16(const struct pci_dev *d, unsigned off)
{
    return raw16(d->host, d->bus, d->dev, d->fn, off);
}

uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
    return le32_to_cpu(*(volatile uint32_t *)cfg(d->host, d->bus, d->dev, d->fn, off));
}

void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
    *(volatile uint16_t *)cfg(d->host, d->bus, d->dev, d->fn, off) = cpu_to_le16(v);
}

void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)cfg(d->host, d->bus, d->dev, d->fn, off) = cpu_to_le32(v);
}

int pci_find(const void *fdt, uint16_t vendor, const uint16_t *ids, unsigned nids,
             struct pci_dev *d)
{
    bool resume = d->host != NULL;

    scan_hosts(fdt);
    for (unsigned hi = resume ? (unsigned)(d->host - hosts) : 0; hi < nr_hosts; hi++) {
        struct pci_host *h = &hosts[hi];
        unsigned b0 = h->bus_first, d0 = 0, f0 = 0;
        if (resume) {
            b0 = d->bus, d0 = d->dev, f0 = d->fn + 1;
            resume = false;
        }
        for (unsigned bus = b0; bus <= h->bus_last; bus++, d0 = 0)
            for (unsigned dev = d0; dev < 32; dev++, f0 = 0)
                for (unsigned fn = f0; fn < 8; fn++) {
                    if (raw16(h, bus, dev, 0, PCI_CFG_VENDOR) == 0xffff)
                        break; /* no device in this slot */
                    if (fn && !(*(volatile uint8_t *)cfg(h, bus, dev, 0, PCI_CFG_HEADER_TYPE) & 0x80))
                        break; /* single-function device */
                    uint16_t ven = raw16(h, bus, dev, fn, PCI_CFG_VENDOR);
                    uint16_t id = raw16(h, bus, dev, fn, PCI_CFG_DEVICE);
                    if (ven != vendor)
                        continue;
                    for (unsigned i = 0; i < nids; i++)
                        if (ids[i] == id) {
                            *d = (struct pci_dev){ .host = h, .bus = bus, .dev = dev, .fn = fn,
                                                .vendor = ven, .device = id };
                            snprintf(d->name, sizeof(d->name), "%04x:%02x:%02x.%x",
                                     h->segment & 0xffff, bus, dev, fn);
                            return 0;
                        }
                }
    }
    return -1;
}

unsigned pci_cap_next(const struct pci_dev *d, unsigned pos, uint8_t id)
{
    if (!(pci_read16(d, PCI_CFG_STATUS) & PCI_STATUS_CAP_LIST))
        return 0;
    unsigned p = pos ? pci_read8(d, pos + 1) : pci_read8(d, PCI_CFG_CAP_PTR);
    for (unsigned guard = 0; guard < 48; guard++) {
        p &= 0xfc;
        if (p < 0x40)
            return 0;
        if (pci_read8(d, p) == id)
            return p;
        p = pci_read8(d, p + 1);
    }
    return 0; /* a loop in the list */
}

static struct pci_window *window_of(const struct pci_host *h, uint64_t pci, uint64_t size)
{
    for (unsigned i = 0; i < h->nr_win; i++) {
        const struct pci_window *w = &h->win[i];
        if (pci >= w->pci && size <= w->size && pci - w->pci <= w->size - size)
            return (struct pci_window *)w;
    }
    return NULL;
}

/* Place a BAR of 'size' bytes (a power of two) in a window: 64-bit BARs anywhere, 32-bit
 * BARs below 4 GiB; the 32-bit windows first, where everything fits. */
static bool place(struct pci_host *h, uint64_t size, bool is64, uint64_t *pci)
{
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < h->nr_win; i++) {
            struct pci_window *w = &h->win[i];
            if (w->is64 != (pass == 1) || (!is64 && w->is64))
                continue;
            uint64_t at = ALIGN_UP(w->next, size), end = w->pci + w->size;
            if (at < w->next || at > end || end - at < size || (!is64 && at + size > GIB(4)))
                continue;
            w->next = at + size;
            *pci = at;
            return true;
        }
    return false;
}

static int __attribute__((format(printf, 3, 4)))
fail(const char **why, const struct pci_dev *d, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(why_buf, sizeof(why_buf), "PCI %s: ", d->name);

    va_start(ap, fmt);
    vsnprintf(why_buf + n, sizeof(why_buf) - n, fmt, ap);
    va_end(ap);
    *why = why_buf;
    return -1;
}

/* The raw BAR: its bus address, size (0 if not implemented), I/O and 64-bit flags. */
static void bar_probe(const struct pci_dev *d, unsigned n, uint64_t *pci, uint64_t *size,
                      bool *io, bool *is64)
{
    unsigned off = PCI_CFG_BAR0 + 4 * n;
    uint32_t lo = pci_read32(d, off), hi = 0, mlo, mhi = ~0u;

    *io = lo & 1;
    *is64 = !*io && (lo & 6) == 4 && n < 5;
    if (*is64)
        hi = pci_read32(d, off + 4);
    pci_write32(d, off, ~0u);
    mlo = pci_read32(d, off);
    pci_write32(d, off, lo);
    if (*is64) {
        pci_write32(d, off + 4, ~0u);
        mhi = pci_read32(d, off + 4);
        pci_write32(d, off + 4, hi);
    }
    uint64_t mask = (uint64_t)mhi << 32 | (mlo & (*io ? ~3u : ~15u));
    *size = (uint32_t)mask ? ~mask + 1 : 0; /* (I/O BARs: not used, size not exact) */
    *pci = ((uint64_t)hi << 32 | lo) & (*io ? ~3ull : ~15ull);
}

int pci_enable(struct pci_dev *d, const char **why)
{
    uint16_t cmd = pci_read16(d, PCI_CFG_COMMAND);
    int r = 0;

    if (!d->host->nr_win)
        return fail(why, d, "its host bridge has no memory window in 'ranges'");
    /* Decoding off while the BARs are sized and moved. */
    pci_write16(d, PCI_CFG_COMMAND, cmd & ~(PCI_CMD_MEMORY | 1));
    for (unsigned n = 0; n < 6 && r == 0; n++) {
        uint64_t pci, size;
        bool io, is64;
        bar_probe(d, n, &pci, &size, &io, &is64);
        d->bar_size[n] = io ? 0 : size;
        if (is64)
            d->bar_size[n + 1] = 0;
        if (io || !size || pci) {
            n += is64;
            continue; /* I/O, not implemented, or placed by the firmware: kept as it is */
        }
        if (!place(d->host, size, is64, &pci)) {
            r = fail(why, d, "BAR %u is unassigned and no memory window has room for its "
                     "0x%llx bytes", n, (unsigned long long)size);
            break;
        }
        pci_write32(d, PCI_CFG_BAR0 + 4 * n, (uint32_t)pci);
        if (is64)
            pci_write32(d, PCI_CFG_BAR0 + 4 * ++n, (uint32_t)(pci >> 32));
    }
    if (r == 0)
        cmd = (cmd | PCI_CMD_MEMORY | PCI_CMD_MASTER) & ~1; /* no I/O space decoding */
    pci_write16(d, PCI_CFG_COMMAND, cmd);
    return r;
}

int pci_bar(const struct pci_dev *d, unsigned n, struct pci_bar *bar, const char **why)
{
    if (n > 5 || !d->bar_size[n])
        return fail(why, d, "BAR %u is not a memory BAR (absent, I/O, or the upper half of a "
                    "64-bit BAR)", n);
    uint32_t lo = pci_read32(d, PCI_CFG_BAR0 + 4 * n);
    bool is64 = (lo & 6) == 4;
    uint64_t pci = (lo & ~15ull) | (is64 ? (uint64_t)pci_read32(d, PCI_CFG_BAR0 + 4 * n + 4) << 32 : 0);
    uint64_t size = d->bar_size[n];
    if (!pci)
        return fail(why, d, "BAR %u is unassigned", n);
    const struct pci_window *w = window_of(d->host, pci, size);
    if (!w)
        return fail(why, d, "BAR %u (0x%llx, 0x%llx bytes) lies outside the host bridge's "
                    "memory windows", n, (unsigned long long)pci, (unsigned long long)size);
    *bar = (struct pci_bar){ w->cpu + (pci - w->pci), size, is64 };
    return 0;
}
