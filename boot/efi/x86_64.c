/* hvboot.efi, x86_64 part: the hv image is embedded in the app (the app is the hv), goes to
 * the address its header asks for, and is entered in long mode on the firmware's identity
 * map with RDI = the platform device tree. x86 firmware describes the machine in ACPI, so
 * the tree is built from the MADT (CPUs) and MCFG (PCI ECAM), plus COM1 as the console and
 * a page below 1 MiB for starting the other CPUs in real mode, by ../x86-platform.c (shared
 * with the BIOS loader, boot/multiboot2); this file adds what only UEFI knows: the RSDP
 * from the configuration table, the root bridge's memory windows, the start page. */
#include <libfdt.h>

#include "common.h"
#include <efipciio.h>

#include "x86-platform.h"

/* The hv.bin header (arch/x86_64/head.S). */
struct hv_header {
    UINT8 jump[8];
    UINT8 magic[8];               /* "HVx86-64" */
    UINT64 load_address;
    UINT64 image_size;            /* file + bss */
};

#define COM1 X86_COM1
#define PLATFORM_DTB_SIZE 0x4000

extern const UINT8 hv_blob_start[], hv_blob_end[];
static UINT8 platform_dtb[PLATFORM_DTB_SIZE] __attribute__((aligned(8)));
static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

static inline void outb(UINT16 port, UINT8 v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline UINT8 inb(UINT16 port)
{
    UINT8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
EFI_STATUS efi_arch_check(void)
{
    const char *virt = x86_virt_name();

    if (!virt) {
        Print(L"hvboot: this CPU has neither AMD SVM nor Intel VMX; the hv needs one (QEMU: "
              L"-cpu qemu64,+svm,+npt)\n");
        return EFI_UNSUPPORTED;
    }
    Print(L"hvboot: CPU virtualization: %a\n", virt);
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

/* ---- the platform device tree: built from ACPI by ../x86-platform.c ---- */

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

/* Messages of x86-platform.c: Print() turns each "\n" of its format into CRLF, so lines go
 * one by one (a line longer than the buffer goes in pieces). */
static void say(const char *s)
{
    CHAR16 line[200];
    UINTN n = 0;

    for (; *s; s++) {
        if (*s == '\n') {
            line[n] = 0;
            Print(L"%s\n", line);
            n = 0;
            continue;
        }
        if (n + 1 == sizeof(line) / sizeof(line[0])) {
            line[n] = 0;
            Print(L"%s", line);
            n = 0;
        }
        line[n++] = (UINT8)*s;
    }
    if (n) {
        line[n] = 0;
        Print(L"%s", line);
    }
}

/* A page below 640 KiB (and 1 MiB, as a SIPI vector must be) for the hv's AP start code. */
static UINT64 cpu_start_page(void)
{
    EFI_PHYSICAL_ADDRESS tramp = 0x9f000;

    if (EFI_ERROR(BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, 1, &tramp)))
        return 0;
    return tramp;
}

void *efi_arch_platform_dtb(const CHAR16 **from)
{
    struct x86_platform p = { .puts = say, .cpu_start_page = cpu_start_page,
                              .pci_ranges = pci_ranges };
    void *rsdp = NULL;

    *from = L"built from the ACPI MADT and MCFG";
    if ((EFI_ERROR(LibGetSystemConfigurationTable(&acpi20_guid, &rsdp)) || !rsdp) &&
        (EFI_ERROR(LibGetSystemConfigurationTable(&acpi10_guid, &rsdp)) || !rsdp)) {
        Print(L"hvboot: the firmware has no ACPI RSDP in its configuration table: cannot "
              L"count CPUs\n");
        return NULL;
    }
    p.rsdp = rsdp;
    return x86_platform_dtb(platform_dtb, sizeof(platform_dtb), &p) < 0 ? NULL : platform_dtb;
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
