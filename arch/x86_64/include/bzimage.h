/* Loading an unmodified Linux bzImage into a partition's guest RAM per the x86 boot
 * protocol (Documentation/arch/x86/boot.rst), for the 64-bit entry point: the hv enters
 * at entry64 in long mode with identity paging and RSI = boot_params.
 * Freestanding: no allocation, all header access is explicit little-endian bytes. */
#ifndef ARCH_X86_64_BZIMAGE_H
#define ARCH_X86_64_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BZ_E820_RAM      1
#define BZ_E820_RESERVED 2
#define BZ_E820_ACPI     3
#define BZ_E820_MAX      128        /* entries that fit in boot_params.e820_table */

struct e820_entry_in { uint64_t addr, size; uint32_t type; };

struct bzimage_info {
    uint16_t version;               /* boot protocol, e.g. 0x020f */
    uint32_t setup_size;            /* bytes of real-mode setup = file offset of the kernel */
    uint64_t kernel_size;           /* bytes of protected-mode kernel in the file */
    uint64_t pref_address;
    uint32_t init_size;             /* bytes the kernel needs at its load address */
    uint64_t kernel_alignment;
    bool relocatable;
    uint64_t xloadflags;
};

/* Check a bzImage: 0xAA55 at 0x1fe, "HdrS" at 0x202, protocol >= 2.12, XLF_KERNEL_64,
 * LOADED_HIGH. Returns 0, or -1 with *why. */
int bzimage_parse(const void *img, size_t len, struct bzimage_info *out, const char **why);

struct bzimage_load { uint64_t entry64, boot_params, kernel, initrd, initrd_size; };

/* Lay the kernel, boot_params, command line and initrd out in guest RAM
 * [ram_gpa, ram_gpa + ram_size), mapped at host 'ram', and fill boot_params.
 * initrd may be NULL/0, cmdline may be NULL (empty), acpi_rsdp 0 (not passed).
 * Layout:
 *   kernel      pref_address if it fits (required if not relocatable); otherwise, if
 *               relocatable, the first kernel_alignment-aligned address >= max(ram_gpa,
 *               1 MiB). It owns [kernel, kernel + max(init_size, kernel_size)).
 *   cmdline,    one block, cmdline pages then the boot_params page, placed directly
 *   boot_params below the kernel if there is room in RAM, else directly above the
 *               kernel's init_size region. Everything stays below 4 GiB
 *               (code32_start, cmd_line_ptr) or the load fails.
 *   initrd      highest 4 KiB-aligned address ending at or below min(initrd_addr_max+1,
 *               RAM end) (no 4 GiB limit with XLF_CAN_BE_LOADED_ABOVE_4G), moved down
 *               under the kernel / boot block if it would overlap them.
 * Returns 0 with *out filled, or -1 with *why; on failure RAM may be partly written. */
int bzimage_load(const void *img, size_t len, const void *initrd, size_t initrd_len,
                 const char *cmdline, uint8_t *ram, uint64_t ram_gpa, uint64_t ram_size,
                 const struct e820_entry_in *e820, unsigned n_e820, uint64_t acpi_rsdp,
                 struct bzimage_load *out, const char **why);

#endif
