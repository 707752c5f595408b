/* The physical IOAPIC: routes a firmware interrupt (a GSI, here the COM1 line) to a CPU. */
#include "x86_64.h"

static volatile uint32_t *ioapic = (volatile uint32_t *)0xfec00000ul;
static struct {
    irq_handler_t fn;
    void *ctx;
} handlers[24];

static void ioapic_write(unsigned reg, uint32_t v)
{
    ioapic[0] = reg;
    ioapic[4] = v;
}

int ioapic_route(unsigned pin, unsigned vector, uint32_t apic_id)
{
    if (pin >= 24)
        return -1;
    /* edge, active high (ISA), fixed delivery, physical destination */
    ioapic_write(0x10 + 2 * pin + 1, apic_id << 24);
    ioapic_write(0x10 + 2 * pin, vector);
    return 0;
}

/* 'interrupts' of the platform tree on x86: one cell, the GSI. */
int arch_irq_from_fdt(const uint32_t *cells, unsigned ncells)
{
    return ncells >= 1 && cells[0] < 24 ? (int)cells[0] : -1;
}

int arch_irq_attach(unsigned irq, cpuid_t cpu, irq_handler_t handler, void *ctx)
{
    if (irq >= 24 || cpu >= nr_cpus_found)
        return -1;
    handlers[irq].fn = handler;
    handlers[irq].ctx = ctx;
    return ioapic_route(irq, VEC_UART_BASE + irq, cpu_locals[cpu].apic_id);
}

void x86_irq_dispatch(unsigned pin)
{
    if (pin < 24 && handlers[pin].fn)
        handlers[pin].fn(handlers[pin].ctx);
}
