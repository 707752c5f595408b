/* Interfaces inside lib/x86_64/. */
#ifndef X86_64_H
#define X86_64_H
#include "internal.h"

/* Interrupt vectors (all >= 0x30; 0x30-0x3f is where a legacy 8259 is parked). */
#define VEC_PIC_BASE	0x30
#define VEC_DEV_BASE	0x40	/* + n for the n-th routed GSI */
#define VEC_DEV_MAX	32
#define VEC_IPI_BASE	0xe0	/* + SGI number (0-15) */
#define VEC_TIMER	0xf0
#define VEC_SPURIOUS	0xff

/* What the vector stubs push, lowest address first (vectors.S). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

/* boot_params (zero page) offsets used here */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_HDR_RAMDISK_IMAGE	0x218
#define BP_HDR_RAMDISK_SIZE	0x21c
#define BP_HDR_CMD_LINE_PTR	0x228
#define BP_HDR_CMDLINE_SIZE	0x238
#define BP_E820_TABLE		0x2d0
#define E820_RAM		1

struct e820 { uint64_t addr, size; uint32_t type; };
extern struct e820 rt_e820[128];
extern unsigned rt_e820_n;
int e820_ram(uint64_t addr, uint64_t len);	/* [addr, addr+len) is all e820 RAM */

/* idt.c */
void idt_init(void);		/* boot CPU: fill and load the IDT */
void idt_load(void);		/* secondary CPUs */
void __attribute__((noreturn)) x86_fatal(const char *what, const struct trap_frame *f);

/* mmu.c: after the e820 map is known, non-RAM 2 MiB pages become uncached */
void mmu_init(void);

/* acpi.c */
struct acpi_virtio { uint64_t base, size; uint32_t gsi; int edge, active_low; };
int acpi_init(uint64_t rsdp_hint);	/* tables, MADT (CPUs, APICs), FADT; 0 or -1 */
void acpi_find_virtio(void (*fn)(const struct acpi_virtio *d));
extern uint64_t acpi_lapic_base;
extern int acpi_pcat_compat;		/* MADT: a legacy 8259 pair is present */

/* apic.c: local APIC (xAPIC, MMIO), IOAPICs, LAPIC timer, IPIs */
void lapic_cpu_init(void);
void ioapic_add(uint64_t base, uint32_t gsi_base);
int irq_route_gsi(uint32_t gsi, int edge, int active_low);	/* -> vector, or -1 */
void apic_irq(unsigned vector);	/* from x86_trap: handlers, then EOI */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);
void timer_init(void);		/* TSC and LAPIC timer frequencies */
void pic_disable(void);
void delay_us(uint64_t us);

/* smp.c */
void smp_init(void);		/* picks the SIPI trampoline page */

#endif
