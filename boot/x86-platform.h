/* The x86 platform device tree, built from ACPI: what both x86_64 loaders of the hv
 * (boot/efi/x86_64.c for UEFI, boot/multiboot2 for GRUB on a BIOS PC) hand to the hv.
 *
 * The tree has /cpus (the enabled local APICs of the MADT, the boot CPU first), COM1 as
 * "ns16550a" in I/O space with ISA IRQ 4 and /chosen/stdout-path, a PCI ECAM host bridge
 * from the MCFG's first segment (none without an MCFG), /chosen hv,acpi-pm1a-cnt and
 * hv,acpi-s5-typ from the FADT and the DSDT's \_S5, and with more than one CPU a
 * /reserved-memory page below 640 KiB named by /chosen hv,cpu-start-page. The loader adds
 * /memory, the reservations and /chosen linux,initrd-start/end. What the hv reads of it:
 * hv/boot_fdt.c, arch/x86_64/cpu.c (arch_platform_init), drivers/uart.c, drivers/pci.c.
 *
 * No firmware interface types here: each loader supplies what only it can find out. */
#ifndef HVBOOT_X86_PLATFORM_H
#define HVBOOT_X86_PLATFORM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <libfdt.h>

#define X86_COM1 0x3f8

struct x86_platform {
    const void *rsdp;   /* the ACPI RSDP: revision 0 uses the RSDT, 2 and later the XSDT */
    /* Messages for the console: whole lines, each "hvboot: ...\n". */
    void (*puts)(const char *s);
    /* A free, usable page below 640 KiB that nothing else will use, for the hv's real-mode
     * start code of the other CPUs; 0 if there is none. Asked only with more than one CPU. */
    uint64_t (*cpu_start_page)(void);
    /* The memory windows of the first PCI root bridge as DT 'ranges' (7 cells an entry,
     * at most max_entries); returns the number of cells. NULL: not known (the hv then uses
     * the BARs as the firmware assigned them, without window checks). */
    int (*pci_ranges)(fdt32_t *out, int max_entries);
};

/* Build the platform tree in buf (size bytes, 8-byte aligned). Returns 0, or -1 after
 * saying why through p->puts. */
int x86_platform_dtb(void *buf, int size, const struct x86_platform *p);

/* "AMD SVM" or "Intel VMX" (SVM first, as the hv chooses), or NULL if the CPU has neither. */
const char *x86_virt_name(void);

/* The ACPI table with this signature (checksum verified) through the RSDP, or NULL. */
const void *x86_acpi_table(const void *rsdp, const char sig[4]);

/* ACPI power-off: the FADT's PM1a control port and the DSDT's \_S5 sleep type. Returns 0,
 * or -1 if the tables do not say. */
int x86_acpi_s5(const void *rsdp, uint32_t *pm1a_cnt, unsigned *s5_typ);

/* A small snprintf for messages: %s %c %d %i %u %x %X %p %%, the length modifiers l, ll
 * and z, a '0' flag and a width. Returns the length it wanted (as snprintf). */
int x86_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int x86_snprintf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
