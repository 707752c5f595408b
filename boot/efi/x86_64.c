/* hvboot.efi, x86_64 part: the hv image is embedded in the app (the app is the hv), goes to
 * the address its header asks for, and is entered in long mode on the firmware's identity
 * map with RDI = the platform device tree. x86 firmware describes the machine in ACPI, so
 * the tree is built here from the MADT (CPUs) and MCFG (PCI ECAM), plus COM1 as the console
 * and a page below 1 MiB for starting the other CPUs in real mode. */
#include <libfdt.h>

#include "common.h"
#include <efipciio.h>

/* The hv.bin header (arch/x86_64/head.S). */
struct hv_header {
    UINT8 jump[8];
    UINT8 magic[8];               /* "HVx86-64" */
    UINT64 load_address;
    UINT64 image_size;            /* file + bss */
};

#define COM1 0x3f8
#define PLATFORM_DTB_SIZE 0x4000

extern const UINT8 hv_blob_start[], hv_blob_end[];
static UINT8 platform_dtb[PLATFORM_DTB_SIZE] __attribute__((aligned(8)));
static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;

static inline void outb(UINT16 port, UINT8 v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline UINT8 inb(UINT16 port)
{
    UINT8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static void cpuid(UINT32 leaf, UINT32 r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

EFI_STATUS efi_arch_check(void)
{
    UINT32 r[4];
    BOOLEAN svm = FALSE, vmx;

    cpuid(1, r);
    vmx = (r[2] >> 5) & 1;
    cpuid(0x80000000, r);
    if (r[0] >= 0x80000001) {
        cpuid(0x80000001, r);
        svm = (r[2] >> 2) & 1;
    }
    if (!svm && !vmx) {
        Print(L"hvboot: this CPU has neither AMD SVM nor Intel VMX; the hv needs one (QEMU: "
              L"-cpu qemu64,+svm,+npt)\n");
        return EFI_UNSUPPORTED;
    }
    Print(L"hvboot: CPU virtualization: %s\n", svm ? L"AMD SVM" : L"Intel VMX");
    return EFI_SUCCESS;
}

EFI_STATUS efi_arch_load_hv(EFI_FILE_HANDLE dir, const CHAR16 *dirname, struct loaded *ld)
{
    const struct hv_header *h = (const void *)hv_blob_start;
    UINT64 size = hv_blob_end - hv_blob_start;

    if (size < sizeof(*h) || CompareMem(h->magic, "HVx86-64", 8) != 0) {
        Print(L"hvboot: the embedded hv image has no HVx86-64 header\n");
        return EFI_LOAD_ERROR;
    }
    if (h->image_size < size || h->load_address % PAGE) {
        Print(L"hvboot: the embedded hv image header is inconsistent (load 0x%lx, size 0x%lx, "
              L"file 0x%lx)\n", h->load_address, h->image_size, size);
        return EFI_LOAD_ERROR;
    }
    UINT64 pages = (h->image_size + PAGE - 1) / PAGE;
    EFI_PHYSICAL_ADDRESS at = h->load_address;
    EFI_STATUS st = BS->AllocatePages(AllocateAddress, EfiLoaderData, pages, &at);
    if (EFI_ERROR(st)) {
        Print(L"hvboot: cannot allocate 0x%lx-0x%lx for the hv (its link address): %r.\n",
              h->load_address, h->load_address + h->image_size - 1, st);
        Print(L"hvboot: that range is not free memory; the firmware's memory map there:\n");
        efi_show_map_around(h->load_address, h->load_address + pages * PAGE);
        return st;
    }
    CopyMem((void *)(UINTN)at, h, size);
    SetMem((UINT8 *)(UINTN)at + size, pages * PAGE - size, 0); /* bss */
    ld->hv = at;
    ld->hv_size = h->image_size;
    ld->hv_pages = pages;
    ld->entry = at;
    Print(L"hvboot: hv: %lu bytes at 0x%lx-0x%lx\n", size, at, at + h->image_size - 1);
    return EFI_SUCCESS;
}

/* ---- ACPI ---- */

struct sdt_header {
    char sig[4];
    UINT32 length;
    UINT8 revision, checksum;
    char oem[6], oem_table[8];
    UINT32 oem_rev, creator, creator_rev;
} __attribute__((packed));

static BOOLEAN sum_ok(const void *p, UINT64 n)
{
    UINT8 s = 0;
    for (UINT64 i = 0; i < n; i++)
        s += ((const UINT8 *)p)[i];
    return s == 0;
}

static const struct sdt_header *acpi_table(const char sig[4])
{
    const UINT8 *rsdp = NULL;

    if (EFI_ERROR(LibGetSystemConfigurationTable(&acpi20_guid, (void **)&rsdp)) || !rsdp ||
        CompareMem(rsdp, "RSD PTR ", 8) != 0 || rsdp[15] < 2 || !sum_ok(rsdp, 36))
        return NULL;
    const struct sdt_header *xsdt = (const void *)(UINTN) * (const UINT64 *)(rsdp + 24);
    if (!xsdt || CompareMem(xsdt->sig, "XSDT", 4) != 0 || !sum_ok(xsdt, xsdt->length))
        return NULL;
    const UINT8 *e = (const UINT8 *)(xsdt + 1);
    for (UINT32 i = 0; i + 8 <= xsdt->length - sizeof(*xsdt); i += 8) {
        UINT64 a;
        CopyMem(&a, e + i, 8);
        const struct sdt_header *t = (const void *)(UINTN)a;
        if (t && CompareMem(t->sig, sig, 4) == 0 && sum_ok(t, t->length))
            return t;
    }
    return NULL;
}

/* The memory windows of the first PCI root bridge, from the firmware's root bridge I/O
 * protocol (ACPI QWord address space descriptors), as a DT 'ranges' property: the BARs the
 * firmware assigned lie in them. Returns the number of cells written. */
static EFI_GUID root_bridge_guid = EFI_PCI_ROOT_BRIDGE_IO_PROTOCOL_GUID;

static int pci_ranges(fdt32_t *out, int max_entries)
{
    EFI_HANDLE *handles = NULL;
    UINTN n = 0;
    EFI_PCI_ROOT_BRIDGE_IO_PROTOCOL *rb;
    void *res = NULL;
    int cells = 0;

    if (EFI_ERROR(BS->LocateHandleBuffer(ByProtocol, &root_bridge_guid, NULL, &n, &handles)) || !n)
        return 0;
    if (!EFI_ERROR(BS->HandleProtocol(handles[0], &root_bridge_guid, (void **)&rb)) &&
        !EFI_ERROR(rb->Configuration(rb, &res)) && res) {
        for (const UINT8 *d = res; d[0] == 0x8a && cells / 7 < max_entries;
             d += 3 + (d[1] | d[2] << 8)) {
            UINT64 gran, min, off, len;
            CopyMem(&gran, d + 6, 8);
            CopyMem(&min, d + 14, 8);
            CopyMem(&off, d + 30, 8);
            CopyMem(&len, d + 38, 8);
            if (d[3] != 0 || !len)          /* memory windows only */
                continue;
            UINT64 cpu = min + off;
            out[cells++] = cpu_to_fdt32(gran == 64 ? 0x03000000 : 0x02000000);
            out[cells++] = cpu_to_fdt32(min >> 32);
            out[cells++] = cpu_to_fdt32((UINT32)min);
            out[cells++] = cpu_to_fdt32(cpu >> 32);
            out[cells++] = cpu_to_fdt32((UINT32)cpu);
            out[cells++] = cpu_to_fdt32(len >> 32);
            out[cells++] = cpu_to_fdt32((UINT32)len);
        }
    }
    FreePool(handles);
    return cells;
}

/* SLP_TYP for S5: the first element of \_S5 in the DSDT (Name(_S5_, Package(){n, ...})). */
static int s5_sleep_type(const struct sdt_header *dsdt)
{
    const UINT8 *p = (const UINT8 *)dsdt, *end = p + dsdt->length;

    for (p += sizeof(*dsdt); p + 8 < end; p++) {
        if (CompareMem(p, "_S5_", 4) != 0 || p[4] != 0x12) /* PackageOp */
            continue;
        const UINT8 *q = p + 5;
        q += 1 + (*q >> 6);                                 /* PkgLength */
        q++;                                                /* NumElements */
        if (q >= end)
            return -1;
        if (*q == 0x0a && q + 1 < end)                      /* BytePrefix */
            return q[1];
        if (*q == 0x00 || *q == 0x01)                       /* Zero, One */
            return *q;
        return -1;
    }
    return -1;
}

#define TRY(x)                                                                               \
    do {                                                                                     \
        int e_ = (x);                                                                        \
        if (e_ < 0) {                                                                        \
            Print(L"hvboot: building the platform device tree: %a: %a\n", #x,              \
                  fdt_strerror(e_));                                                         \
            return NULL;                                                                     \
        }                                                                                    \
    } while (0)

/* "prefix@<hex>" node names */
static void node_name(char *buf, const char *prefix, UINT64 v)
{
    char tmp[17];
    int n = 0;

    while (*prefix)
        *buf++ = *prefix++;
    *buf++ = '@';
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        *buf++ = tmp[--n];
    *buf = 0;
}

static int reg64(void *fdt, int node, const char *name, UINT64 a, UINT64 s)
{
    fdt32_t r[4] = { cpu_to_fdt32(a >> 32), cpu_to_fdt32((UINT32)a), cpu_to_fdt32(s >> 32),
                     cpu_to_fdt32((UINT32)s) };
    return fdt_setprop(fdt, node, name, r, sizeof(r));
}

/* CPUs: the enabled local APICs of the MADT (type 0 and x2APIC type 9), in table order; the
 * boot CPU must come first for the hv (its CPU 0), so it is put first. */
static int add_cpus(void *fdt, const struct sdt_header *madt)
{
    UINT32 ids[256], n = 0, boot;
    int cpus, node;
    char name[24];

    __asm__ volatile("cpuid" : "=b"(boot) : "a"(1), "c"(0) : "edx");
    boot >>= 24;
    ids[n++] = boot;
    const UINT8 *p = (const UINT8 *)madt + 44, *end = (const UINT8 *)madt + madt->length;
    for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
        UINT32 id, flags;
        if (p[0] == 0 && p[1] >= 8) {
            id = p[3];
            CopyMem(&flags, p + 4, 4);
        } else if (p[0] == 9 && p[1] >= 16) {
            CopyMem(&id, p + 4, 4);
            CopyMem(&flags, p + 8, 4);
        } else {
            continue;
        }
        if ((flags & 1) && id != boot && n < 256)
            ids[n++] = id;
    }
    if ((cpus = fdt_add_subnode(fdt, 0, "cpus")) < 0)
        return cpus;
    int r;
    if ((r = fdt_setprop_u32(fdt, cpus, "#address-cells", 1)) < 0 ||
        (r = fdt_setprop_u32(fdt, cpus, "#size-cells", 0)) < 0)
        return r;
    for (UINT32 i = n; i-- > 0;) { /* fdt_add_subnode prepends: add in reverse */
        node_name(name, "cpu", ids[i]);
        if ((node = fdt_add_subnode(fdt, cpus, name)) < 0)
            return node;
        if ((r = fdt_setprop_string(fdt, node, "device_type", "cpu")) < 0 ||
            (r = fdt_setprop_u32(fdt, node, "reg", ids[i])) < 0)
            return r;
    }
    return (int)n;
}

void *efi_arch_platform_dtb(const CHAR16 **from)
{
    void *fdt = platform_dtb;
    const struct sdt_header *madt = acpi_table("APIC"), *mcfg = acpi_table("MCFG");
    int root = 0, node, ncpus;

    *from = L"built from the ACPI MADT and MCFG";
    if (!madt) {
        Print(L"hvboot: the firmware has no valid ACPI 2.0 RSDP/XSDT/MADT: cannot count CPUs\n");
        return NULL;
    }
    TRY(fdt_create_empty_tree(fdt, sizeof(platform_dtb)));
    TRY(fdt_setprop_string(fdt, root, "compatible", "hv,x86-64-pc"));
    TRY(fdt_setprop_u32(fdt, root, "#address-cells", 2));
    TRY(fdt_setprop_u32(fdt, root, "#size-cells", 2));
    TRY(ncpus = add_cpus(fdt, madt));

    /* COM1: a 16550 in I/O space (the hv's ns16550 driver knows the property). */
    TRY(node = fdt_add_subnode(fdt, root, "serial@3f8"));
    TRY(fdt_setprop_string(fdt, node, "compatible", "ns16550a"));
    TRY(reg64(fdt, node, "reg", COM1, 8));
    TRY(fdt_setprop(fdt, node, "hv,io-port", NULL, 0));
    TRY(fdt_setprop_u32(fdt, node, "clock-frequency", 1843200));
    TRY(fdt_setprop_u32(fdt, node, "interrupts", 4));   /* ISA IRQ 4 = GSI 4 */
    int chosen;
    TRY(chosen = fdt_add_subnode(fdt, root, "chosen"));
    TRY(fdt_setprop_string(fdt, chosen, "stdout-path", "/serial@3f8"));

    /* PCI: the first ECAM segment (the firmware has assigned the BARs). */
    if (mcfg && mcfg->length >= 44 + 16) {
        const UINT8 *e = (const UINT8 *)mcfg + 44;
        UINT64 base;
        CopyMem(&base, e, 8);
        UINT32 bus0 = e[10], bus1 = e[11];
        char name[32];
        node_name(name, "pcie", base);
        TRY(node = fdt_add_subnode(fdt, root, name));
        TRY(fdt_setprop_string(fdt, node, "compatible", "pci-host-ecam-generic"));
        TRY(fdt_setprop_string(fdt, node, "device_type", "pci"));
        TRY(reg64(fdt, node, "reg", base + ((UINT64)bus0 << 20),
                  (UINT64)(bus1 - bus0 + 1) << 20));
        fdt32_t br[2] = { cpu_to_fdt32(bus0), cpu_to_fdt32(bus1) };
        TRY(fdt_setprop(fdt, node, "bus-range", br, sizeof(br)));
        TRY(fdt_setprop_u32(fdt, node, "#address-cells", 3));
        TRY(fdt_setprop_u32(fdt, node, "#size-cells", 2));
        fdt32_t ranges[4 * 7];
        int nc = pci_ranges(ranges, 4);
        if (nc)
            TRY(fdt_setprop(fdt, node, "ranges", ranges, nc * sizeof(fdt32_t)));
    }

    /* ACPI power-off for the hv: the PM1a control port and the S5 sleep type. */
    const struct sdt_header *fadt = acpi_table("FACP");
    if (fadt && fadt->length >= 68) {
        UINT32 pm1a, dsdt32;
        UINT64 dsdt = 0;
        CopyMem(&pm1a, (const UINT8 *)fadt + 64, 4);
        CopyMem(&dsdt32, (const UINT8 *)fadt + 40, 4);
        if (fadt->length >= 148)
            CopyMem(&dsdt, (const UINT8 *)fadt + 140, 8);
        if (!dsdt)
            dsdt = dsdt32;
        int typ = dsdt ? s5_sleep_type((const void *)(UINTN)dsdt) : -1;
        Print(L"hvboot: ACPI power-off: PM1a control port 0x%x, S5 sleep type %d\n", pm1a, typ);
        if (pm1a && typ >= 0) {
            TRY(chosen = fdt_path_offset(fdt, "/chosen"));  /* new nodes moved it */
            TRY(fdt_setprop_u32(fdt, chosen, "hv,acpi-pm1a-cnt", pm1a));
            TRY(fdt_setprop_u32(fdt, chosen, "hv,acpi-s5-typ", (UINT32)typ));
        }
    }

    /* A page below 1 MiB where the hv puts its real-mode start code for the other CPUs. */
    EFI_PHYSICAL_ADDRESS tramp = 0x9f000;
    if (ncpus > 1) {
        if (EFI_ERROR(BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, 1, &tramp))) {
            Print(L"hvboot: no free page below 640 KiB for starting the other CPUs\n");
            return NULL;
        }
        int rm;
        char name[40];
        TRY(rm = fdt_add_subnode(fdt, root, "reserved-memory"));
        TRY(fdt_setprop_u32(fdt, rm, "#address-cells", 2));
        TRY(fdt_setprop_u32(fdt, rm, "#size-cells", 2));
        TRY(fdt_setprop(fdt, rm, "ranges", NULL, 0));
        node_name(name, "cpu-start", tramp);
        TRY(node = fdt_add_subnode(fdt, rm, name));
        TRY(reg64(fdt, node, "reg", tramp, PAGE));
        TRY(chosen = fdt_path_offset(fdt, "/chosen"));
        TRY(fdt_setprop_u64(fdt, chosen, "hv,cpu-start-page", tramp));
    }
    Print(L"hvboot: platform: %d CPUs, COM1, %a\n", ncpus, mcfg ? "PCI ECAM" : "no PCI ECAM");
    return fdt;
}

void efi_arch_console(const void *fdt)
{
    (void)fdt;
}

void efi_arch_puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') {
            while (!(inb(COM1 + 5) & 0x20))
                ;
            outb(COM1, '\r');
        }
        while (!(inb(COM1 + 5) & 0x20))
            ;
        outb(COM1, (UINT8)*s);
    }
}

const char *efi_arch_fixup_dtb(void *fdt, int *fdt_err)
{
    (void)fdt;
    (void)fdt_err;
    return NULL;
}

extern void __attribute__((noreturn)) hvboot_enter(UINT64 entry, UINT64 dtb);

void efi_arch_enter(const struct loaded *ld, const struct range *flush, UINT64 n)
{
    (void)flush; /* x86 caches are coherent with everything the hv will read */
    (void)n;
    hvboot_enter(ld->entry, ld->dtb);
}
