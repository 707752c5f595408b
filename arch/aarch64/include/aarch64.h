/* Declarations shared between the files of the aarch64 port (not part of the contract). */
#ifndef ARCH_AARCH64_H
#define ARCH_AARCH64_H

#include "hv.h"
#include "sysreg.h"

/* Per-CPU data; TPIDR_EL2 points at it. entry.S uses 'guest' at offset 0. */
struct cpu_local {
    struct guest_regs *guest;   /* where the vectors save the running guest's registers */
    struct guest_regs *fp_regs; /* whose FP/SIMD state the registers hold (NULL: nobody's) */
    cpuid_t id;
    uint64_t mpidr;
    struct vcpu *loaded;        /* vcpu whose EL1 and timer state is in the registers */
    unsigned lr_live;           /* hardware list registers that are non-zero */
    uint64_t ich_hcr;           /* last value written to ICH_HCR_EL2 */
};

extern struct cpu_local cpu_locals[HV_MAX_CPUS];
extern unsigned nr_cpus_found;

static inline struct cpu_local *this_cpu(void)
{
    return (struct cpu_local *)read_sysreg(tpidr_el2);
}

/* Interrupt numbers (GIC INTIDs) the hv itself uses. */
#define IRQ_SGI_KICK 0
#define IRQ_PPI_MAINT 25
#define IRQ_PPI_HYPTIMER 26
#define IRQ_PPI_VTIMER 27
#define IRQ_SPURIOUS 1023

/* The virtual GIC's guest-physical windows (QEMU virt's layout). */
#define VGICD_BASE 0x08000000ull
#define VGICD_SIZE 0x10000ull
#define VGICR_BASE 0x080a0000ull
#define VGICR_FRAME 0x20000ull
/* The early console (vuart.c). */
#define VUART_BASE 0x09000000ull
#define VUART_SIZE 0x1000ull

/* mmu.c */
int mmu_init(const struct boot_info *bi);
void mmu_enable(void);
/* gicv3.c */
int gic_init(const void *fdt);
void gic_cpu_init(void);
void gic_handle_irqs(void);
/* vgic.c */
int vgic_part_init(struct partition *p);
void vgic_vcpu_reset(struct vcpu *v);
void vgic_inject(struct vcpu *v, unsigned intid);
void vgic_flush(struct vcpu *v);
void vgic_sync(struct vcpu *v);
void vgic_save(struct vcpu *v);
void vgic_restore(struct vcpu *v);
void vgic_sgi(struct vcpu *v, uint64_t sgi1r);
extern unsigned vgic_nr_lrs;
/* vuart.c */
int vuart_part_init(struct partition *p);
/* timer.c */
void timer_cpu_init(void);
void timer_hyp_irq(void);
/* psci.c */
int psci_host_init(const void *fdt);
int64_t psci_host_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
bool psci_guest_call(struct vcpu *v, struct vm_exit *e);
/* General registers (31 reads as xzr) and stepping past the trapped instruction. */
uint64_t vcpu_xreg(struct vcpu *v, unsigned reg);
void vcpu_set_xreg(struct vcpu *v, unsigned reg, uint64_t val);
void vcpu_skip_insn(struct vcpu *v);
/* stage2.c */
uint64_t stage2_vttbr(const struct partition *p);
/* entry.S */
void fp_save(struct guest_regs *r);
void fp_restore(struct guest_regs *r);
#define CPTR_EL2_RES1 0x33ffull
#define CPTR_TFP (1ull << 10)
/* cpu.c */
void cpu_init_el2(void);
extern uint64_t cptr_el2_guest;   /* CPTR_EL2 while a guest runs */
extern unsigned nr_brps, nr_wrps; /* breakpoints and watchpoints the CPU has */
/* sysreg_trap.c */
void sysreg_part_init(struct partition *p);
void sysreg_trap(struct vcpu *v, uint64_t esr);
void feature_trap(struct vcpu *v, uint64_t esr, const char *feature);
void inject_undef(struct vcpu *v);

#define PSCI_CPU_ON 0xc4000003ull
#define PSCI_SYSTEM_OFF 0x84000008ull

#endif
