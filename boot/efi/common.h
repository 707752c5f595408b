/* hvboot.efi: what the arch-neutral UEFI loader (common.c) and each arch's part share.
 * common.c loads the boot bundle, turns the EFI memory map into the hv's /memory and
 * /memreserve/, leaves boot services and hands over; <arch>.c loads the hv image, supplies
 * the platform device tree and does the final jump. */
#ifndef HVBOOT_COMMON_H
#define HVBOOT_COMMON_H

#include <efi.h>
#include <efilib.h>

#define PAGE 4096ull

struct range {
    UINT64 base, end; /* [base, end) */
};

struct loaded {
    UINT64 hv, hv_size, hv_pages, entry;
    UINT64 bundle, bundle_size, bundle_pages;
    UINT64 pristine, dtb, dtb_size, dtb_pages; /* two buffers of dtb_size bytes */
};

/* ---- services of common.c for the arch part ---- */
EFI_STATUS efi_open_file(EFI_FILE_HANDLE dir, const CHAR16 *dirname, CHAR16 *name,
                         EFI_FILE_HANDLE *fh, UINT64 *size);
EFI_STATUS efi_read_at(EFI_FILE_HANDLE fh, const CHAR16 *name, UINT64 off, void *buf, UINT64 len);
EFI_STATUS efi_alloc_low(UINT64 pages, UINT64 *addr);
void efi_show_map_around(UINT64 base, UINT64 end);

/* ---- the arch part ---- */
/* The CPU can run the hv (EL2, SVM/VMX, ...); print why not. */
EFI_STATUS efi_arch_check(void);
/* Place the hv image; fill ld->hv, hv_size, hv_pages, entry. */
EFI_STATUS efi_arch_load_hv(EFI_FILE_HANDLE dir, const CHAR16 *dirname, struct loaded *ld);
/* The platform device tree the hv starts from (the firmware's, or one built from ACPI);
 * *from says where it came from. NULL (after printing why) if there is none. */
void *efi_arch_platform_dtb(const CHAR16 **from);
/* Learn the console UART from the pristine tree, for messages after ExitBootServices. */
void efi_arch_console(const void *fdt);
void efi_arch_puts(const char *s);
/* Last fixes to the hv's tree (e.g. a /chosen/stdout-path); NULL or what failed. */
const char *efi_arch_fixup_dtb(void *fdt, int *fdt_err);
/* After ExitBootServices: enter the hv. flush: n ranges it must see in memory. */
void __attribute__((noreturn)) efi_arch_enter(const struct loaded *ld, const struct range *flush,
                                              UINT64 n);

#define FDT_TRY(x)                                                                           \
    do {                                                                                     \
        int err_ = (x);                                                                      \
        if (err_ < 0) {                                                                      \
            *fdt_err = err_;                                                                 \
            return #x;                                                                       \
        }                                                                                    \
    } while (0)

#endif
