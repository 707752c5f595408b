/* hvboot.efi, arm64 part: the hv is an arm64 Linux "Image" at RAM base + text_offset, the
 * platform device tree is the firmware's, and the hv is entered by the Linux arm64 boot
 * protocol (aarch64-handoff.S): EL2, MMU and caches off, x0 = DTB. */
#include <libfdt.h>

#include "common.h"

/* QEMU virt (and the hv's link address): the Image goes to RAM_BASE + text_offset. */
#define RAM_BASE 0x40000000ull

struct image_header { /* Documentation/arch/arm64/booting.rst */
    UINT32 code0, code1;
    UINT64 text_offset, image_size, flags, res2, res3, res4;
    UINT32 magic, res5;
};
#define IMAGE_MAGIC 0x644d5241 /* "ARM\x64" */

static EFI_GUID dtb_guid = { 0xb1b621d5, 0xf19c, 0x41a5,
                             { 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0 } };

static UINT64 uart_base; /* PL011 for messages after ExitBootServices, 0 if none */

EFI_STATUS efi_arch_check(void)
{
    UINT64 el;

    __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
    el = (el >> 2) & 3;
    if (el != 2) {
        Print(L"hvboot: the firmware runs at EL%lu; the hv must be entered at EL2 (QEMU: "
              L"-M virt,virtualization=on)\n", el);
        return EFI_UNSUPPORTED;
    }
    return EFI_SUCCESS;
}

/* The PL011 at /chosen/stdout-path, for messages after ExitBootServices. */
static UINT64 find_uart(const void *fdt)
{
    int chosen = fdt_path_offset(fdt, "/chosen"), len;
    const char *p = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", &len) : NULL;
    if (!p || len < 2)
        return 0;
    const char *colon = memchr(p, ':', len);
    int node = fdt_path_offset_namelen(fdt, p, colon ? colon - p : (int)strnlen(p, len));
    if (node < 0 || fdt_node_check_compatible(fdt, node, "arm,pl011") != 0)
        return 0;
    int parent = fdt_parent_offset(fdt, node), ac = fdt_address_cells(fdt, parent);
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg || ac < 1 || ac > 2 || len < ac * 4)
        return 0;
    return ac == 2 ? (UINT64)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1])
                   : fdt32_to_cpu(reg[0]);
}

void efi_arch_puts(const char *s)
{
    volatile UINT32 *u = (volatile UINT32 *)(UINTN)uart_base;

    if (!u)
        return;
    for (; *s; s++) {
        if (*s == '\n') {
            while (u[0x18 / 4] & (1 << 5)) /* FR.TXFF */
                ;
            u[0] = '\r';
        }
        while (u[0x18 / 4] & (1 << 5))
            ;
        u[0] = (UINT8)*s;
    }
}

void efi_arch_console(const void *fdt)
{
    uart_base = find_uart(fdt);
}

EFI_STATUS efi_arch_load_hv(EFI_FILE_HANDLE dir, const CHAR16 *dirname, struct loaded *ld)
{
    EFI_FILE_HANDLE fh;
    UINT64 size;
    struct image_header h;
    EFI_STATUS st = efi_open_file(dir, dirname, L"hv.bin", &fh, &size);

    if (EFI_ERROR(st))
        return st;
    if (size < sizeof(h)) {
        Print(L"hvboot: hv.bin is %lu bytes: too short for an arm64 Image header (64 bytes)\n",
              size);
        st = EFI_LOAD_ERROR;
        goto out;
    }
    st = efi_read_at(fh, L"hv.bin", 0, &h, sizeof(h));
    if (EFI_ERROR(st))
        goto out;
    st = EFI_LOAD_ERROR;
    if (h.magic != IMAGE_MAGIC) {
        Print(L"hvboot: hv.bin is not an arm64 Image (magic 0x%x at 0x38, want 0x%x)\n",
              h.magic, IMAGE_MAGIC);
        goto out;
    }
    if (h.flags & 1) {
        Print(L"hvboot: hv.bin is a big-endian Image\n");
        goto out;
    }
    if (h.image_size == 0) {
        Print(L"hvboot: hv.bin: image_size is 0 (an old-style Image); it must give the size\n");
        goto out;
    }
    if (h.image_size < size) {
        Print(L"hvboot: hv.bin: image_size 0x%lx is smaller than the file (0x%lx bytes)\n",
              h.image_size, size);
        goto out;
    }
    if (h.text_offset % PAGE || h.text_offset >= 0x40000000ull) {
        Print(L"hvboot: hv.bin: text_offset 0x%lx is not page-aligned or too large\n",
              h.text_offset);
        goto out;
    }
    UINT64 base = RAM_BASE + h.text_offset, pages = (h.image_size + PAGE - 1) / PAGE;
    EFI_PHYSICAL_ADDRESS at = base;
    st = BS->AllocatePages(AllocateAddress, EfiLoaderData, pages, &at);
    if (EFI_ERROR(st)) {
        Print(L"hvboot: cannot allocate 0x%lx-0x%lx for hv.bin (RAM base 0x%lx + text_offset "
              L"0x%lx, image_size 0x%lx): %r.\n",
              base, base + h.image_size - 1, RAM_BASE, h.text_offset, h.image_size, st);
        Print(L"hvboot: that range is not free memory; the firmware's memory map there:\n");
        efi_show_map_around(base, base + pages * PAGE);
        goto out;
    }
    ld->hv = base;
    ld->hv_size = h.image_size;
    ld->hv_pages = pages;
    ld->entry = base;
    st = efi_read_at(fh, L"hv.bin", 0, (void *)(UINTN)base, size);
    if (EFI_ERROR(st))
        goto out;
    SetMem((UINT8 *)(UINTN)base + size, pages * PAGE - size, 0); /* bss */
    Print(L"hvboot: hv.bin: %lu bytes at 0x%lx-0x%lx (image_size 0x%lx, text_offset 0x%lx)\n",
          size, base, base + h.image_size - 1, h.image_size, h.text_offset);
out:
    fh->Close(fh);
    return st;
}

/* edk2's FDT client protocol (EmbeddedPkg/Include/Protocol/FdtClient.h). QEMU's ArmVirt
 * firmware installs the DTB in the configuration table only when it does not expose ACPI;
 * with ACPI (QEMU's default for -M virt) the device tree is still there, behind this
 * protocol. Only its first member is used here. */
static EFI_GUID fdt_client_guid = { 0xe11faca0, 0x4710, 0x4c8e,
                                    { 0xa7, 0xa2, 0x01, 0xba, 0xa2, 0x59, 0x1b, 0x4c } };
struct fdt_client {
    EFI_STATUS (*get_node_property)(struct fdt_client *self, INT32 node, const CHAR8 *name,
                                    const void **prop, UINT32 *size);
};

/* The protocol hands out pointers into its blob, not the blob: find the header by walking
 * back from the root's "compatible" property to an 8-byte aligned FDT header whose root
 * "compatible" is exactly that property. */
static void *dtb_from_fdt_client(void)
{
    struct fdt_client *fc;
    const void *prop;
    UINT32 size;

    if (EFI_ERROR(BS->LocateProtocol(&fdt_client_guid, NULL, (void **)&fc)) ||
        EFI_ERROR(fc->get_node_property(fc, 0, (const CHAR8 *)"compatible", &prop, &size)))
        return NULL;
    for (UINTN a = (UINTN)prop & ~(UINTN)7, n = 0; a >= 8 && n < 0x100000; a -= 8, n += 8) {
        const void *fdt = (const void *)a;
        int len;
        if (fdt_magic(fdt) == FDT_MAGIC && fdt_check_header(fdt) == 0 &&
            fdt_getprop(fdt, 0, "compatible", &len) == prop)
            return (void *)fdt;
    }
    return NULL;
}

void *efi_arch_platform_dtb(const CHAR16 **from)
{
    void *fw = NULL;
    EFI_STATUS st = LibGetSystemConfigurationTable(&dtb_guid, &fw);

    *from = L"the EFI configuration table";
    if (EFI_ERROR(st) || !fw) {
        fw = dtb_from_fdt_client();
        *from = L"edk2's FDT client protocol (the firmware exposes ACPI, not the DTB)";
    }
    if (!fw)
        Print(L"hvboot: the firmware provides no device tree (no DTB in the EFI configuration "
              L"table, no edk2 FDT client protocol); the hv needs one\n");
    return fw;
}

/* Without a /chosen/stdout-path, the hv's console is the first PL011. */
const char *efi_arch_fixup_dtb(void *fdt, int *fdt_err)
{
    int chosen = fdt_path_offset(fdt, "/chosen"), len;
    const char *out = fdt_getprop(fdt, chosen, "stdout-path", &len);

    if (out && len >= 2)
        return NULL;
    char path[256];
    int uart = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
    if (uart < 0)
        return "no /chosen/stdout-path and no arm,pl011 node for the hv's console";
    FDT_TRY(fdt_get_path(fdt, uart, path, sizeof(path)));
    chosen = fdt_path_offset(fdt, "/chosen");
    FDT_TRY(fdt_setprop_string(fdt, chosen, "stdout-path", path));
    return NULL;
}

extern void __attribute__((noreturn))
hvboot_enter(UINT64 entry, UINT64 dtb, const struct range *flush, UINT64 n);

void efi_arch_enter(const struct loaded *ld, const struct range *flush, UINT64 n)
{
    hvboot_enter(ld->entry, ld->dtb, flush, n);
}
