/* The physical GICv3: distributor and redistributors from the firmware DT, the CPU
 * interface through system registers. The hv takes every interrupt at EL2. */
#include <libfdt.h>

#include "aarch64.h"

#define GICD_CTLR 0x0000
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define GICD_CTLR_RWP (1u << 31)

#define GICR_FRAME 0x20000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)

#define MAX_SPI 1020

static volatile uint8_t *gicd, *gicr_base;
static uint64_t gicr_size;
static volatile uint8_t *gicr_of[HV_MAX_CPUS];

struct irq_action {
    irq_handler_t handler;
    void *ctx;
};
static struct irq_action actions[MAX_SPI];

static inline uint32_t r32(volatile uint8_t *b, unsigned off) { return *(volatile uint32_t *)(b + off); }
static inline void w32(volatile uint8_t *b, unsigned off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }
static inline uint64_t r64(volatile uint8_t *b, unsigned off) { return *(volatile uint64_t *)(b + off); }
static inline void w64(volatile uint8_t *b, unsigned off, uint64_t v) { *(volatile uint64_t *)(b + off) = v; }

static uint64_t reg_cell(const fdt32_t *r, int i)
{
    return (uint64_t)fdt32_to_cpu(r[2 * i]) << 32 | fdt32_to_cpu(r[2 * i + 1]);
}

int gic_init(const void *fdt)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3"), len;
    const fdt32_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;

    if (!reg || len < 32)
        return -1;
    gicd = (volatile uint8_t *)(uintptr_t)reg_cell(reg, 0);
    gicr_base = (volatile uint8_t *)(uintptr_t)reg_cell(reg, 2);
    gicr_size = reg_cell(reg, 3);

    w32(gicd, GICD_CTLR, 0);
    while (r32(gicd, GICD_CTLR) & GICD_CTLR_RWP)
        ;
    /* Affinity routing, group 1 (and group 0 for single-security-state systems). */
    w32(gicd, GICD_CTLR, 0x13);
    while (r32(gicd, GICD_CTLR) & GICD_CTLR_RWP)
        ;
    return 0;
}

static uint64_t mpidr_aff(uint64_t mpidr)
{
    return (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;
}

void gic_cpu_init(void)
{
    struct cpu_local *cl = this_cpu();
    volatile uint8_t *rd = NULL;

    for (uint64_t off = 0; off + GICR_FRAME <= gicr_size; off += GICR_FRAME) {
        uint64_t typer = r64(gicr_base, off + GICR_TYPER);
        if ((typer >> 32) == mpidr_aff(cl->mpidr)) {
            rd = gicr_base + off;
            break;
        }
        if (typer & (1u << 4)) /* Last */
            break;
    }
    if (!rd)
        hv_panic("CPU %u: no GIC redistributor for MPIDR 0x%llx", cl->id,
                 (unsigned long long)cl->mpidr);
    gicr_of[cl->id] = rd;

    w32(rd, GICR_WAKER, r32(rd, GICR_WAKER) & ~2u);
    while (r32(rd, GICR_WAKER) & 4u)
        ;
    w32(rd, GICR_IGROUPR0, 0xffffffff);
    for (unsigned i = 0; i < 32; i += 4)
        w32(rd, GICR_IPRIORITYR + i, 0x80808080);
    w32(rd, GICR_ISENABLER0, 1u << IRQ_SGI_KICK | 1u << IRQ_PPI_MAINT | 1u << IRQ_PPI_HYPTIMER |
                                 1u << IRQ_PPI_VTIMER);

    write_sysreg(ICC_SRE_EL2, 0xf); /* system registers; EL1 may use them too */
    isb();
    write_sysreg(ICC_PMR_EL1, 0xff);
    write_sysreg(ICC_BPR1_EL1, 0);
    write_sysreg(ICC_CTLR_EL1, 0); /* EOI also deactivates */
    write_sysreg(ICC_IGRPEN1_EL1, 1);
    isb();
}

int arch_irq_from_fdt(const uint32_t *cells, unsigned ncells)
{
    if (ncells < 3)
        return -1;
    if (cells[0] == 0 && cells[1] < MAX_SPI - 32)
        return 32 + cells[1];
    if (cells[0] == 1 && cells[1] < 16)
        return 16 + cells[1];
    return -1;
}

int arch_irq_attach(unsigned irq, cpuid_t cpu, irq_handler_t handler, void *ctx)
{
    if (irq < 32 || irq >= MAX_SPI || cpu >= nr_cpus_found)
        return -1; /* only SPIs for drivers; PPIs are the hv's own */
    actions[irq] = (struct irq_action){ handler, ctx };
    w64(gicd, GICD_IROUTER + 8 * irq, mpidr_aff(cpu_locals[cpu].mpidr) & 0xffffff) ;
    volatile uint8_t *pr = gicd + GICD_IPRIORITYR + irq;
    *pr = 0x80;
    w32(gicd, GICD_IGROUPR + 4 * (irq / 32), r32(gicd, GICD_IGROUPR + 4 * (irq / 32)) | 1u << (irq % 32));
    w32(gicd, GICD_ISENABLER + 4 * (irq / 32), 1u << (irq % 32));
    return 0;
}

void arch_cpu_kick(cpuid_t cpu)
{
    uint64_t m = cpu_locals[cpu].mpidr;
    uint64_t sgi = ((m >> 32) & 0xff) << 48 | ((m >> 16) & 0xff) << 32 |
                   (uint64_t)IRQ_SGI_KICK << 24 | ((m >> 8) & 0xff) << 16 | 1u << (m & 0xf);
    dsb(ish); /* state written for that CPU is visible before it wakes */
    write_sysreg(ICC_SGI1R_EL1, sgi);
    isb();
}

void gic_handle_irqs(void)
{
    for (;;) {
        uint64_t irq = read_sysreg(ICC_IAR1_EL1) & 0xffffff;
        if (irq >= IRQ_SPURIOUS)
            return;
        struct cpu_local *cl = this_cpu();
        switch (irq) {
        case IRQ_SGI_KICK:
            break; /* its only job was to get this CPU out of the guest */
        case IRQ_PPI_MAINT:
            /* Underflow: list registers freed up; the next entry refills them. */
            cl->ich_hcr &= ~2ull;
            write_sysreg(ICH_HCR_EL2, cl->ich_hcr);
            break;
        case IRQ_PPI_HYPTIMER:
            timer_hyp_irq();
            break;
        case IRQ_PPI_VTIMER:
            /* The loaded vcpu's virtual timer fired: mask it (the guest unmasks when it
             * reprograms, as Linux does) and forward it as virtual INTID 27. */
            write_sysreg(cntv_ctl_el0, read_sysreg(cntv_ctl_el0) | 2);
            if (cl->loaded)
                vgic_inject(cl->loaded, IRQ_PPI_VTIMER);
            break;
        default:
            if (irq >= 32 && irq < MAX_SPI && actions[irq].handler)
                actions[irq].handler(actions[irq].ctx);
            break;
        }
        write_sysreg(ICC_EOIR1_EL1, irq);
        isb();
    }
}

void arch_irq_poll(void)
{
    gic_handle_irqs();
}
