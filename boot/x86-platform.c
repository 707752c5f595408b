/* The x86 platform device tree from ACPI (see x86-platform.h): shared by hvboot.efi
 * (boot/efi/x86_64.c) and hvboot.mb2 (boot/multiboot2). Freestanding: libfdt and the
 * string functions the loader links. */
#include <string.h>

#include "x86-platform.h"

#define PAGE 4096u

struct sdt_header {
    char sig[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

/* ---- messages ---- */

static void put_num(char **o, char *end, unsigned long long v, unsigned base, int upper,
                    int width, char pad, int neg, int *total)
{
    char tmp[24];
    int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (neg)
        tmp[n++] = '-';
    for (int w = n; w < width; w++, (*total)++)
        if (*o < end)
            *(*o)++ = pad;
    while (n) {
        char c = tmp[--n];
        if (*o < end)
            *(*o)++ = c;
        (*total)++;
    }
}

int x86_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    char *o = buf, *end = n ? buf + n - 1 : buf;
    int total = 0;

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            if (o < end)
                *o++ = *fmt;
            total++;
            continue;
        }
        char pad = ' ';
        int width = 0, lng = 0;
        if (*++fmt == '0')
            pad = '0', fmt++;
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        for (; *fmt == 'l' || *fmt == 'z'; fmt++)
            lng++;
        unsigned long long u;
        long long s;
        switch (*fmt) {
        case 'd':
        case 'i':
            s = lng ? va_arg(ap, long long) : va_arg(ap, int);
            put_num(&o, end, s < 0 ? -(unsigned long long)s : (unsigned long long)s, 10, 0,
                    width, pad, s < 0, &total);
            break;
        case 'u':
        case 'x':
        case 'X':
            u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
            put_num(&o, end, u, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, pad, 0, &total);
            break;
        case 'p':
            u = (uintptr_t)va_arg(ap, void *);
            if (o < end)
                *o++ = '0';
            if (o < end)
                *o++ = 'x';
            total += 2;
            put_num(&o, end, u, 16, 0, width, pad, 0, &total);
            break;
        case 'c':
            if (o < end)
                *o++ = (char)va_arg(ap, int);
            total++;
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            int len = 0;
            if (!str)
                str = "(null)";
            for (; str[len]; len++)
                if (o < end)
                    *o++ = str[len];
            for (; len < width; len++)
                if (o < end)
                    *o++ = ' ';
            total += len;
            break;
        }
        case '%':
            if (o < end)
                *o++ = '%';
            total++;
            break;
        default: /* unknown: show it */
            if (o < end)
                *o++ = '%';
            if (o < end && *fmt)
                *o++ = *fmt;
            total += 2;
            if (!*fmt)
                fmt--;
            break;
        }
    }
    if (n)
        *o = 0;
    return total;
}

int x86_snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = x86_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

static void __attribute__((format(printf, 2, 3))) say(const struct x86_platform *p,
                                                       const char *fmt, ...)
{
    char line[200];
    va_list ap;

    va_start(ap, fmt);
    x86_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    p->puts(line);
}

/* ---- ACPI ---- */

static int sum_ok(const void *t, uint64_t n)
{
    uint8_t s = 0;
    for (uint64_t i = 0; i < n; i++)
        s += ((const uint8_t *)t)[i];
    return s == 0;
}

/* The table at a if it has this signature and a sane length, and, if check_sum, a valid
 * checksum (the DSDT is taken without: it is only searched for \_S5). */
static const struct sdt_header *sdt_at(uint64_t a, const char sig[4], int check_sum)
{
    const struct sdt_header *t = (const void *)(uintptr_t)a;

    if (!a || memcmp(t->sig, sig, 4) != 0 || t->length < sizeof(*t) ||
        t->length > (16u << 20) || (check_sum && !sum_ok(t, t->length)))
        return NULL;
    return t;
}

/* ACPI 1.0 RSDPs (revision 0) have only the RSDT; 2.0 and later add the XSDT, which wins. */
const void *x86_acpi_table(const void *rsdp_v, const char sig[4])
{
    const uint8_t *rsdp = rsdp_v;
    const struct sdt_header *root = NULL;
    unsigned entry = 8;

    if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) != 0 || !sum_ok(rsdp, 20))
        return NULL;
    if (rsdp[15] >= 2 && sum_ok(rsdp, 36)) {
        uint64_t x;
        memcpy(&x, rsdp + 24, 8);
        root = sdt_at(x, "XSDT", 1);
    }
    if (!root) {
        uint32_t r;
        memcpy(&r, rsdp + 16, 4);
        root = sdt_at(r, "RSDT", 1);
        entry = 4;
    }
    if (!root)
        return NULL;
    const uint8_t *e = (const uint8_t *)(root + 1);
    for (uint32_t i = 0; i + entry <= root->length - sizeof(*root); i += entry) {
        uint64_t a = 0;
        memcpy(&a, e + i, entry);
        const struct sdt_header *t = sdt_at(a, sig, 1);
        if (t)
            return t;
    }
    return NULL;
}

/* SLP_TYP for S5: the first element of \_S5 in the DSDT (Name(_S5_, Package(){n, ...})). */
static int s5_sleep_type(const struct sdt_header *dsdt)
{
    const uint8_t *q, *p = (const uint8_t *)dsdt, *end = p + dsdt->length;

    for (p += sizeof(*dsdt); p + 8 < end; p++) {
        if (memcmp(p, "_S5_", 4) != 0 || p[4] != 0x12) /* PackageOp */
            continue;
        q = p + 5;
        q += 1 + (*q >> 6);                             /* PkgLength */
        q++;                                            /* NumElements */
        if (q >= end)
            return -1;
        if (*q == 0x0a && q + 1 < end)                  /* BytePrefix */
            return q[1];
        if (*q == 0x00 || *q == 0x01)                   /* Zero, One */
            return *q;
        return -1;
    }
    return -1;
}

int x86_acpi_s5(const void *rsdp, uint32_t *pm1a_cnt, unsigned *s5_typ)
{
    const struct sdt_header *fadt = x86_acpi_table(rsdp, "FACP");
    uint32_t dsdt32;
    uint64_t dsdt = 0;

    if (!fadt || fadt->length < 68)
        return -1;
    memcpy(pm1a_cnt, (const uint8_t *)fadt + 64, 4);
    memcpy(&dsdt32, (const uint8_t *)fadt + 40, 4);
    if (fadt->length >= 148)
        memcpy(&dsdt, (const uint8_t *)fadt + 140, 8);
    if (!dsdt)
        dsdt = dsdt32;
    const struct sdt_header *d = sdt_at(dsdt, "DSDT", 0);
    int typ = d ? s5_sleep_type(d) : -1;
    if (!*pm1a_cnt || typ < 0)
        return -1;
    *s5_typ = (unsigned)typ;
    return 0;
}

/* ---- the tree ---- */

#define TRY(x)                                                                               \
    do {                                                                                     \
        int e_ = (x);                                                                        \
        if (e_ < 0) {                                                                        \
            say(p, "hvboot: building the platform device tree: %s: %s\n", #x,               \
                fdt_strerror(e_));                                                           \
            return -1;                                                                       \
        }                                                                                    \
    } while (0)

/* "prefix@<hex>" node names */
static void node_name(char *buf, size_t n, const char *prefix, uint64_t v)
{
    x86_snprintf(buf, n, "%s@%llx", prefix, (unsigned long long)v);
}

static int reg64(void *fdt, int node, const char *name, uint64_t a, uint64_t s)
{
    fdt32_t r[4] = { cpu_to_fdt32(a >> 32), cpu_to_fdt32((uint32_t)a), cpu_to_fdt32(s >> 32),
                     cpu_to_fdt32((uint32_t)s) };
    return fdt_setprop(fdt, node, name, r, sizeof(r));
}

/* CPUs: the enabled local APICs of the MADT (type 0 and x2APIC type 9), in table order; the
 * boot CPU must come first for the hv (its CPU 0), so it is put first. */
static int add_cpus(void *fdt, const struct sdt_header *madt)
{
    uint32_t ids[256], n = 0, boot, a, c, d;
    int cpus, node, r;
    char name[24];

    __asm__ volatile("cpuid" : "=a"(a), "=b"(boot), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    boot >>= 24;
    ids[n++] = boot;
    const uint8_t *q = (const uint8_t *)madt + 44, *end = (const uint8_t *)madt + madt->length;
    for (; q + 2 <= end && q[1] >= 2 && q + q[1] <= end; q += q[1]) {
        uint32_t id, flags;
        if (q[0] == 0 && q[1] >= 8) {
            id = q[3];
            memcpy(&flags, q + 4, 4);
        } else if (q[0] == 9 && q[1] >= 16) {
            memcpy(&id, q + 4, 4);
            memcpy(&flags, q + 8, 4);
        } else {
            continue;
        }
        if ((flags & 1) && id != boot && n < 256)
            ids[n++] = id;
    }
    if ((cpus = fdt_add_subnode(fdt, 0, "cpus")) < 0)
        return cpus;
    if ((r = fdt_setprop_u32(fdt, cpus, "#address-cells", 1)) < 0 ||
        (r = fdt_setprop_u32(fdt, cpus, "#size-cells", 0)) < 0)
        return r;
    for (uint32_t i = n; i-- > 0;) { /* fdt_add_subnode prepends: add in reverse */
        node_name(name, sizeof(name), "cpu", ids[i]);
        if ((node = fdt_add_subnode(fdt, cpus, name)) < 0)
            return node;
        if ((r = fdt_setprop_string(fdt, node, "device_type", "cpu")) < 0 ||
            (r = fdt_setprop_u32(fdt, node, "reg", ids[i])) < 0)
            return r;
    }
    return (int)n;
}

int x86_platform_dtb(void *fdt, int size, const struct x86_platform *p)
{
    const struct sdt_header *madt = x86_acpi_table(p->rsdp, "APIC");
    const struct sdt_header *mcfg = x86_acpi_table(p->rsdp, "MCFG");
    int root = 0, node, ncpus, chosen;
    char name[40];

    if (!madt) {
        say(p, "hvboot: no valid ACPI MADT through the RSDP at %p (%s): cannot count CPUs\n",
            p->rsdp, p->rsdp && ((const uint8_t *)p->rsdp)[15] >= 2 ? "XSDT or RSDT" : "RSDT");
        return -1;
    }
    TRY(fdt_create_empty_tree(fdt, size));
    TRY(fdt_setprop_string(fdt, root, "compatible", "hv,x86-64-pc"));
    TRY(fdt_setprop_u32(fdt, root, "#address-cells", 2));
    TRY(fdt_setprop_u32(fdt, root, "#size-cells", 2));
    TRY(ncpus = add_cpus(fdt, madt));

    /* COM1: a 16550 in I/O space (the hv's ns16550 driver knows the property). */
    TRY(node = fdt_add_subnode(fdt, root, "serial@3f8"));
    TRY(fdt_setprop_string(fdt, node, "compatible", "ns16550a"));
    TRY(reg64(fdt, node, "reg", X86_COM1, 8));
    TRY(fdt_setprop(fdt, node, "hv,io-port", NULL, 0));
    TRY(fdt_setprop_u32(fdt, node, "clock-frequency", 1843200));
    TRY(fdt_setprop_u32(fdt, node, "interrupts", 4));   /* ISA IRQ 4 = GSI 4 */
    TRY(chosen = fdt_add_subnode(fdt, root, "chosen"));
    TRY(fdt_setprop_string(fdt, chosen, "stdout-path", "/serial@3f8"));

    /* PCI: the first ECAM segment (the firmware has assigned the BARs). */
    if (mcfg && mcfg->length >= 44 + 16) {
        const uint8_t *e = (const uint8_t *)mcfg + 44;
        uint64_t base;
        memcpy(&base, e, 8);
        uint32_t bus0 = e[10], bus1 = e[11];
        node_name(name, sizeof(name), "pcie", base);
        TRY(node = fdt_add_subnode(fdt, root, name));
        TRY(fdt_setprop_string(fdt, node, "compatible", "pci-host-ecam-generic"));
        TRY(fdt_setprop_string(fdt, node, "device_type", "pci"));
        TRY(reg64(fdt, node, "reg", base + ((uint64_t)bus0 << 20),
                  (uint64_t)(bus1 - bus0 + 1) << 20));
        fdt32_t br[2] = { cpu_to_fdt32(bus0), cpu_to_fdt32(bus1) };
        TRY(fdt_setprop(fdt, node, "bus-range", br, sizeof(br)));
        TRY(fdt_setprop_u32(fdt, node, "#address-cells", 3));
        TRY(fdt_setprop_u32(fdt, node, "#size-cells", 2));
        fdt32_t ranges[4 * 7];
        int nc = p->pci_ranges ? p->pci_ranges(ranges, 4) : 0;
        if (nc)
            TRY(fdt_setprop(fdt, node, "ranges", ranges, nc * sizeof(fdt32_t)));
    } else {
        say(p, "hvboot: no ACPI MCFG (PCI Express ECAM): no PCI node, so the hv finds no "
               "PCI devices and no physical disk\n");
    }

    /* ACPI power-off for the hv: the PM1a control port and the S5 sleep type. */
    uint32_t pm1a = 0;
    unsigned typ = 0;
    if (x86_acpi_s5(p->rsdp, &pm1a, &typ) == 0) {
        say(p, "hvboot: ACPI power-off: PM1a control port 0x%x, S5 sleep type %u\n", pm1a, typ);
        TRY(chosen = fdt_path_offset(fdt, "/chosen"));  /* new nodes moved it */
        TRY(fdt_setprop_u32(fdt, chosen, "hv,acpi-pm1a-cnt", pm1a));
        TRY(fdt_setprop_u32(fdt, chosen, "hv,acpi-s5-typ", typ));
    } else {
        say(p, "hvboot: ACPI power-off: the FADT and DSDT give no PM1a control port and \\_S5; "
               "the hv cannot power the machine off\n");
    }

    /* A page below 640 KiB where the hv puts its real-mode start code for the other CPUs. */
    uint64_t tramp = 0;
    if (ncpus > 1) {
        tramp = p->cpu_start_page();
        if (!tramp) {
            say(p, "hvboot: no free page below 640 KiB for starting the other CPUs\n");
            return -1;
        }
        int rm;
        TRY(rm = fdt_add_subnode(fdt, root, "reserved-memory"));
        TRY(fdt_setprop_u32(fdt, rm, "#address-cells", 2));
        TRY(fdt_setprop_u32(fdt, rm, "#size-cells", 2));
        TRY(fdt_setprop(fdt, rm, "ranges", NULL, 0));
        node_name(name, sizeof(name), "cpu-start", tramp);
        TRY(node = fdt_add_subnode(fdt, rm, name));
        TRY(reg64(fdt, node, "reg", tramp, PAGE));
        TRY(chosen = fdt_path_offset(fdt, "/chosen"));
        TRY(fdt_setprop_u64(fdt, chosen, "hv,cpu-start-page", tramp));
    }
    char start[40] = "";
    if (tramp)
        x86_snprintf(start, sizeof(start), ", CPU start page 0x%llx", (unsigned long long)tramp);
    say(p, "hvboot: platform: %d CPUs, COM1, %s%s\n", ncpus, mcfg ? "PCI ECAM" : "no PCI ECAM",
        start);
    return 0;
}

const char *x86_virt_name(void)
{
    uint32_t r[4];

    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(0x80000000), "c"(0));
    if (r[0] >= 0x80000001) {
        __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(0x80000001), "c"(0));
        if ((r[2] >> 2) & 1)
            return "AMD SVM";
    }
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(1), "c"(0));
    return (r[2] >> 5) & 1 ? "Intel VMX" : NULL;
}
