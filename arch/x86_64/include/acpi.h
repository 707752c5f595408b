/* ACPI tables for an x86_64 partition: enough for an unmodified Linux to find its CPUs,
 * one IOAPIC, a hardware-reduced platform and virtio-mmio devices (LNRO0005 in the DSDT,
 * as QEMU's microvm announces them). Built once per partition, no AML compiler needed. */
#ifndef ARCH_X86_64_ACPI_H
#define ARCH_X86_64_ACPI_H

#include <stdint.h>
#include <stddef.h>

#define ACPI_MAX_VIRTIO_DEVS 8

struct acpi_virtio_dev {
    uint64_t base;                  /* MMIO window (above 4 GiB is fine: QWordMemory) */
    uint32_t size;
    uint32_t gsi;                   /* IOAPIC input; level-triggered, active high */
};

struct acpi_layout {
    unsigned nr_cpus;               /* local APIC ids 0..nr_cpus-1, all enabled (1..254) */
    uint64_t lapic_base;            /* 0xfee00000 */
    uint64_t ioapic_base;           /* 0xfec00000, below 4 GiB; GSI base 0 */
    unsigned nr_devs;               /* 0..ACPI_MAX_VIRTIO_DEVS */
    struct acpi_virtio_dev devs[ACPI_MAX_VIRTIO_DEVS]; /* DSDT \_SB.VR0n, _UID n */
    const char *oem_id;             /* up to 6 chars, space padded, e.g. "HVPART" */
    /* Hardware-reduced power control through 8-bit I/O ports (0 = not offered):
     * FADT SLEEP_CONTROL_REG / SLEEP_STATUS_REG, and with sleep_ctl_port the DSDT's
     * \_S5 package { ACPI_S5_SLP_TYP, ... }: a guest powers off by writing
     * (ACPI_S5_SLP_TYP << 2) | ACPI_SLP_EN to sleep_ctl_port. FADT RESET_REG /
     * RESET_VALUE with RESET_REG_SUP: a guest resets by writing reset_value to
     * reset_port. */
    uint16_t sleep_ctl_port, sleep_sts_port, reset_port;
    uint8_t reset_value;
};

#define ACPI_S5_SLP_TYP 5           /* the \_S5 value, as QEMU's microvm uses */
#define ACPI_SLP_EN     0x20        /* sleep control register: SLP_EN; SLP_TYP in bits 4:2 */

/* The IOAPIC id the MADT announces: one past the last local APIC id, so the two never
 * collide. The IOAPIC model's ID register should report the same value. */
static inline unsigned acpi_ioapic_id(const struct acpi_layout *l)
{
    return l->nr_cpus;
}

/* Build RSDP (v2, 36 bytes, XSDT only), XSDT, FADT (6.x, HW-reduced), MADT and DSDT,
 * all checksummed, in 'buf', which the guest sees at guest-physical 'gpa'.
 * Returns the number of bytes used, or -1 if 'cap' is too small (nothing is stored at or
 * past buf + cap) or the layout cannot be described. *rsdp_gpa receives the RSDP's
 * guest-physical address (16-byte aligned), for boot_params.acpi_rsdp_addr. */
int acpi_build(void *buf, size_t cap, uint64_t gpa, const struct acpi_layout *l,
               uint64_t *rsdp_gpa);

#endif
