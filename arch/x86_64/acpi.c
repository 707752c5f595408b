/* ACPI tables for an x86_64 partition (see acpi.h). Everything is written byte by byte in
 * little-endian order, so the host's own endianness does not matter. Layout in the buffer:
 * DSDT, FADT, MADT, XSDT, RSDP: each table only points at tables already written, so no
 * address has to be patched in afterwards. */
#include "acpi.h"

#include <string.h>

#define CREATOR_ID      "HVPT"
#define CREATOR_REV     1

/* FADT (ACPI 6.4 layout, 276 bytes) */
#define FADT_LEN        276
#define FADT_REV        6
#define FADT_MINOR      4
#define FADT_DSDT       40
#define FADT_BOOT_ARCH  109
#define FADT_FLAGS      112
#define FADT_RESET_REG  116         /* Generic Address Structure, 12 bytes */
#define FADT_RESET_VAL  128
#define FADT_SLEEP_CTL  244         /* GAS */
#define FADT_SLEEP_STS  256         /* GAS */
#define FADT_MINOR_VER  131
#define FADT_X_DSDT     140
#define BOOT_NO_VGA     (1u << 2)
#define BOOT_NO_CMOS    (1u << 5)   /* Linux then registers no rtc_cmos device */
#define FADT_RESET_SUP  (1u << 10)
#define FADT_HW_REDUCED (1u << 20)
#define GAS_SYSTEM_IO   1
#define GAS_ACCESS_BYTE 1

#define MADT_REV        5           /* ACPI 6.3+: flags bit 1 is "online capable" (left 0) */
#define HDR_LEN         36

/* Sequential writer over the caller's buffer. Nothing is stored at or past cap; an
 * overflow only sets 'full' while 'len' keeps counting, so the build can run to the end
 * and fail once. */
struct out {
    uint8_t *p;
    size_t cap, len;
    uint64_t gpa;               /* guest-physical address of p[0] */
    int full;
};

static void put8(struct out *o, uint8_t v)
{
    if (o->len < o->cap)
        o->p[o->len] = v;
    else
        o->full = 1;
    o->len++;
}

static void put_le(struct out *o, uint64_t v, unsigned n)
{
    while (n--) {
        put8(o, (uint8_t)v);
        v >>= 8;
    }
}

static void put_zero(struct out *o, size_t n)
{
    while (n--)
        put8(o, 0);
}

/* A fixed-width ASCII field, space padded (ACPI ids are padded, not NUL terminated). */
static void put_id(struct out *o, const char *s, unsigned n)
{
    size_t sl = s ? strlen(s) : 0;

    for (unsigned i = 0; i < n; i++)
        put8(o, i < sl ? (uint8_t)s[i] : ' ');
}

static void put_bytes(struct out *o, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(o, b[i]);
}

/* Pads so the next byte's guest-physical address is a multiple of 'a' (a power of two). */
static void align(struct out *o, unsigned a)
{
    while ((o->gpa + o->len) & (a - 1))
        put8(o, 0);
}

static void patch_le(struct out *o, size_t off, uint64_t v, unsigned n)
{
    if (off + n > o->cap)
        return;
    for (unsigned i = 0; i < n; i++, v >>= 8)
        o->p[off + i] = (uint8_t)v;
}

/* Stores into p[at] the byte that makes p[from..to) sum to zero. */
static void checksum(struct out *o, size_t from, size_t to, size_t at)
{
    uint8_t sum = 0;

    if (o->full || to > o->cap)
        return;
    o->p[at] = 0;
    for (size_t i = from; i < to; i++)
        sum += o->p[i];
    o->p[at] = (uint8_t)-sum;
}

/* ---- common table header ---- */

static size_t table_begin(struct out *o, const char *sig, uint8_t rev, const char *oem)
{
    size_t start;

    align(o, 8);                /* not required by ACPI; keeps 64-bit fields aligned */
    start = o->len;
    put_id(o, sig, 4);
    put_le(o, 0, 4);            /* length: table_end */
    put8(o, rev);
    put8(o, 0);                 /* checksum: table_end */
    put_id(o, oem, 6);
    put_id(o, oem, 8);          /* OEM table id */
    put_le(o, 1, 4);            /* OEM revision */
    put_id(o, CREATOR_ID, 4);
    put_le(o, CREATOR_REV, 4);
    return start;
}

/* Fills in length and checksum; returns the table's guest-physical address. */
static uint64_t table_end(struct out *o, size_t start)
{
    patch_le(o, start + 4, o->len - start, 4);
    checksum(o, start, o->len, start + 9);
    return o->gpa + start;
}

/* ---- AML ---- */

#define AML_NAME        0x08
#define AML_BYTE        0x0a
#define AML_WORD        0x0b
#define AML_DWORD       0x0c
#define AML_STRING      0x0d
#define AML_QWORD       0x0e
#define AML_SCOPE       0x10
#define AML_BUFFER      0x11
#define AML_PACKAGE     0x12
#define AML_EXT         0x5b
#define AML_DEVICE      0x82    /* after AML_EXT */
#define AML_ROOT        '\\'

/* A PkgLength counts itself, so its size depends on what follows: reserve the 4-byte
 * maximum, and once the body is written slide it down over the unused bytes. */
static size_t pkg_open(struct out *o)
{
    size_t at = o->len;

    put_zero(o, 4);
    return at;
}

static void pkg_close(struct out *o, size_t at)
{
    size_t body = o->len - (at + 4);
    unsigned n = body + 1 <= 0x3f ? 1 : body + 2 <= 0xfff ? 2 : body + 3 <= 0xfffff ? 3 : 4;
    size_t total = body + n;

    if (total > 0xfffffff)
        o->full = 1;            /* cannot be encoded; never happens at our sizes */
    if (!o->full) {
        /* forward copy is safe: the destination is below the source */
        for (size_t i = 0; i < body; i++)
            o->p[at + n + i] = o->p[at + 4 + i];
        if (n == 1) {
            o->p[at] = (uint8_t)total;
        } else {
            /* lead byte: count of extra bytes in bits 7:6, low nibble in 3:0 */
            o->p[at] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
            for (unsigned k = 1; k < n; k++)
                o->p[at + k] = (uint8_t)(total >> (4 + 8 * (k - 1)));
        }
    }
    o->len = at + n + body;
}

/* Smallest encoding, as iasl picks it (ZeroOp/OneOp, then Byte..QWord prefixes). */
static void aml_int(struct out *o, uint64_t v)
{
    if (v <= 1) {
        put8(o, (uint8_t)v);    /* ZeroOp 0x00, OneOp 0x01 */
    } else if (v <= 0xff) {
        put8(o, AML_BYTE);
        put8(o, (uint8_t)v);
    } else if (v <= 0xffff) {
        put8(o, AML_WORD);
        put_le(o, v, 2);
    } else if (v <= 0xffffffffu) {
        put8(o, AML_DWORD);
        put_le(o, v, 4);
    } else {
        put8(o, AML_QWORD);
        put_le(o, v, 8);
    }
}

static void aml_name_int(struct out *o, const char *seg, uint64_t v)
{
    put8(o, AML_NAME);
    put_id(o, seg, 4);
    aml_int(o, v);
}

static void aml_name_str(struct out *o, const char *seg, const char *s)
{
    put8(o, AML_NAME);
    put_id(o, seg, 4);
    put8(o, AML_STRING);
    put_bytes(o, (const uint8_t *)s, strlen(s) + 1);
}

/* ---- resource descriptors (large items), for a _CRS ResourceTemplate ---- */

#define RES_MEM32_FIXED 0x86
#define RES_EXT_IRQ     0x89
#define RES_QWORD_SPACE 0x8a
#define RES_END_TAG     0x79

static void res_memory(struct out *r, uint64_t base, uint32_t size)
{
    if (base + size <= 0x100000000ull) {
        put8(r, RES_MEM32_FIXED);
        put_le(r, 9, 2);
        put8(r, 1);             /* read/write */
        put_le(r, base, 4);
        put_le(r, size, 4);
    } else {
        /* Memory32Fixed cannot reach above 4 GiB: QWordMemory, fixed base and size */
        put8(r, RES_QWORD_SPACE);
        put_le(r, 43, 2);
        put8(r, 0);             /* memory range */
        put8(r, 0x0d);          /* max fixed, min fixed, consumer */
        put8(r, 0x01);          /* read/write, non-cacheable */
        put_le(r, 0, 8);        /* granularity */
        put_le(r, base, 8);
        put_le(r, base + size - 1, 8);
        put_le(r, 0, 8);        /* translation offset */
        put_le(r, size, 8);
    }
}

/* Extended Interrupt: a GSI, not an ISA IRQ mask, and level/high like virtio-mmio's line. */
static void res_irq(struct out *r, uint32_t gsi)
{
    put8(r, RES_EXT_IRQ);
    put_le(r, 6, 2);
    put8(r, 0x01);              /* consumer, level, active high, exclusive, not wake */
    put8(r, 1);                 /* one interrupt */
    put_le(r, gsi, 4);
}

/* Name (_CRS, ResourceTemplate () { memory window; interrupt }) */
static void aml_crs(struct out *o, const struct acpi_virtio_dev *d)
{
    uint8_t res[64];
    struct out r = { .p = res, .cap = sizeof(res) };
    size_t pkg;

    res_memory(&r, d->base, d->size);
    res_irq(&r, d->gsi);
    put8(&r, RES_END_TAG);
    put8(&r, 0);                /* checksum 0: "treat as valid" */

    put8(o, AML_NAME);
    put_id(o, "_CRS", 4);
    put8(o, AML_BUFFER);
    pkg = pkg_open(o);
    aml_int(o, r.len);          /* BufferSize */
    put_bytes(o, res, r.len);
    pkg_close(o, pkg);
}

/* Device (VR0n) as QEMU microvm announces virtio-mmio; Linux binds virtio_mmio by _HID. */
static void aml_virtio(struct out *o, unsigned n, const struct acpi_virtio_dev *d)
{
    char name[5] = { 'V', 'R', '0', (char)('0' + n), 0 };
    size_t pkg;

    put8(o, AML_EXT);
    put8(o, AML_DEVICE);
    pkg = pkg_open(o);
    put_id(o, name, 4);
    aml_name_str(o, "_HID", "LNRO0005");
    aml_name_int(o, "_UID", n);
    aml_name_int(o, "_CCA", 1);     /* DMA is cache coherent; x86 assumes it, say it anyway */
    aml_name_int(o, "_STA", 0x0f);  /* present, enabled, shown, functioning */
    aml_crs(o, d);
    pkg_close(o, pkg);
}

/* ---- tables ---- */

/* Name (_S5, Package (0x02) { SLP_TYP, SLP_TYP }) at the root: the soft-off value for
 * the sleep control register (the second entry is PM1b's, unused here). */
static void aml_s5(struct out *o)
{
    size_t pkg;

    put8(o, AML_NAME);
    put_id(o, "_S5_", 4);
    put8(o, AML_PACKAGE);
    pkg = pkg_open(o);
    put8(o, 2);                 /* NumElements */
    aml_int(o, ACPI_S5_SLP_TYP);
    aml_int(o, ACPI_S5_SLP_TYP);
    pkg_close(o, pkg);
}

static uint64_t build_dsdt(struct out *o, const struct acpi_layout *l)
{
    size_t t = table_begin(o, "DSDT", 2, l->oem_id);   /* rev 2: 64-bit AML integers */
    size_t pkg;

    if (l->sleep_ctl_port)
        aml_s5(o);
    put8(o, AML_SCOPE);
    pkg = pkg_open(o);
    put8(o, AML_ROOT);
    put_id(o, "_SB_", 4);
    for (unsigned i = 0; i < l->nr_devs; i++)
        aml_virtio(o, i, &l->devs[i]);
    pkg_close(o, pkg);
    return table_end(o, t);
}

/* An 8-bit register in system I/O space, byte access. */
static void patch_gas_io8(struct out *o, size_t at, uint16_t port)
{
    patch_le(o, at, GAS_SYSTEM_IO, 1);
    patch_le(o, at + 1, 8, 1);          /* bit width */
    patch_le(o, at + 2, 0, 1);          /* bit offset */
    patch_le(o, at + 3, GAS_ACCESS_BYTE, 1);
    patch_le(o, at + 4, port, 8);
}

/* Hardware-reduced: no PM/GPE blocks, SCI, FACS or PM timer; Linux then skips the 8259,
 * the PIT check and SCI setup. Power control, if offered, through the sleep control /
 * status registers and the reset register. All unset fields stay zero. */
static uint64_t build_fadt(struct out *o, const struct acpi_layout *l, uint64_t dsdt)
{
    size_t t = table_begin(o, "FACP", FADT_REV, l->oem_id);
    uint32_t flags = FADT_HW_REDUCED;

    put_zero(o, FADT_LEN - HDR_LEN);
    if (l->reset_port) {
        patch_gas_io8(o, t + FADT_RESET_REG, l->reset_port);
        patch_le(o, t + FADT_RESET_VAL, l->reset_value, 1);
        flags |= FADT_RESET_SUP;
    }
    if (l->sleep_ctl_port)
        patch_gas_io8(o, t + FADT_SLEEP_CTL, l->sleep_ctl_port);
    if (l->sleep_sts_port)
        patch_gas_io8(o, t + FADT_SLEEP_STS, l->sleep_sts_port);
    /* 32-bit DSDT too (same value, so ACPICA sees no mismatch) when it fits */
    patch_le(o, t + FADT_DSDT, dsdt >> 32 ? 0 : dsdt, 4);
    /* no VGA; no CMOS RTC unless the partition gets one; 8042 bit clear: no i8042 probe */
    patch_le(o, t + FADT_BOOT_ARCH, BOOT_NO_VGA | BOOT_NO_CMOS, 2);
    patch_le(o, t + FADT_FLAGS, flags, 4);
    patch_le(o, t + FADT_MINOR_VER, FADT_MINOR, 1);
    patch_le(o, t + FADT_X_DSDT, dsdt, 8);
    return table_end(o, t);
}

static uint64_t build_madt(struct out *o, const struct acpi_layout *l)
{
    size_t t = table_begin(o, "APIC", MADT_REV, l->oem_id);

    put_le(o, l->lapic_base >> 32 ? 0 : l->lapic_base, 4);
    put_le(o, 0, 4);            /* flags: no PCAT_COMPAT, there is no 8259 */
    for (unsigned i = 0; i < l->nr_cpus; i++) {
        put8(o, 0);             /* Processor Local APIC */
        put8(o, 8);
        put8(o, (uint8_t)i);    /* ACPI processor UID */
        put8(o, (uint8_t)i);    /* APIC id */
        put_le(o, 1, 4);        /* enabled */
    }
    put8(o, 1);                 /* I/O APIC */
    put8(o, 12);
    put8(o, (uint8_t)acpi_ioapic_id(l));
    put8(o, 0);
    put_le(o, l->ioapic_base, 4);
    put_le(o, 0, 4);            /* GSI base */
    if (l->lapic_base >> 32) {
        put8(o, 5);             /* Local APIC Address Override */
        put8(o, 12);
        put_le(o, 0, 2);
        put_le(o, l->lapic_base, 8);
    }
    /* No Interrupt Source Overrides: HW-reduced Linux has no legacy IRQs to remap and
     * takes level/polarity of each virtio GSI from its _CRS. */
    return table_end(o, t);
}

static uint64_t build_xsdt(struct out *o, const struct acpi_layout *l, uint64_t fadt,
                           uint64_t madt)
{
    size_t t = table_begin(o, "XSDT", 1, l->oem_id);

    put_le(o, fadt, 8);
    put_le(o, madt, 8);
    return table_end(o, t);
}

static uint64_t build_rsdp(struct out *o, const struct acpi_layout *l, uint64_t xsdt)
{
    size_t r;

    align(o, 16);               /* the spec's alignment for an RSDP */
    r = o->len;
    put_id(o, "RSD PTR ", 8);
    put8(o, 0);                 /* checksum of the first 20 bytes */
    put_id(o, l->oem_id, 6);
    put8(o, 2);                 /* revision 2: XSDT */
    put_le(o, 0, 4);            /* no RSDT */
    put_le(o, 36, 4);
    put_le(o, xsdt, 8);
    put8(o, 0);                 /* extended checksum, all 36 bytes */
    put_zero(o, 3);
    checksum(o, r, r + 20, r + 8);
    checksum(o, r, r + 36, r + 32);
    return o->gpa + r;
}

static int layout_ok(const struct acpi_layout *l)
{
    /* APIC ids are 8-bit, 0xff is broadcast, and the IOAPIC takes nr_cpus */
    if (l->nr_cpus == 0 || l->nr_cpus > 254 || l->nr_devs > ACPI_MAX_VIRTIO_DEVS)
        return 0;
    if (l->ioapic_base >> 32 || l->lapic_base == 0)
        return 0;
    for (unsigned i = 0; i < l->nr_devs; i++) {
        const struct acpi_virtio_dev *d = &l->devs[i];

        if (d->size == 0 || d->base + d->size - 1 < d->base)
            return 0;
    }
    return 1;
}

int acpi_build(void *buf, size_t cap, uint64_t gpa, const struct acpi_layout *l,
               uint64_t *rsdp_gpa)
{
    struct out o = { .p = buf, .cap = cap, .gpa = gpa };
    uint64_t dsdt, fadt, madt, xsdt, rsdp;

    if (!layout_ok(l))
        return -1;
    dsdt = build_dsdt(&o, l);
    fadt = build_fadt(&o, l, dsdt);
    madt = build_madt(&o, l);
    xsdt = build_xsdt(&o, l, fadt, madt);
    rsdp = build_rsdp(&o, l, xsdt);
    if (o.full || o.len > 0x7fffffff)
        return -1;
    if (rsdp_gpa)
        *rsdp_gpa = rsdp;
    return (int)o.len;
}
