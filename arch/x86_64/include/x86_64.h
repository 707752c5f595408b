/* Declarations shared between the files of the x86_64 port (not part of the contract). */
#ifndef ARCH_X86_64_H
#define ARCH_X86_64_H

#include "hv.h"
#include "x86.h"

/* Interrupt vectors the hv itself uses. */
#define VEC_UART_BASE 0x30     /* physical IOAPIC pin n -> 0x30 + n */
#define VEC_TIMER 0xef
#define VEC_KICK 0xf0
#define VEC_SPURIOUS 0xff

struct tss64 {
    uint32_t res0;
    uint64_t rsp[3];
    uint64_t res1;
    uint64_t ist[7];
    uint64_t res2;
    uint16_t res3, iomap;
} __attribute__((packed));

/* Per-CPU data. */
struct cpu_local {
    struct cpu_local *self;       /* %gs:0 */
    cpuid_t id;
    uint32_t apic_id;
    uint64_t fs_area[8];          /* %fs:0x28 is the stack canary of the host's libfdt.a */
    uint64_t gdt[5];
    struct tss64 tss;
    uint8_t host_save[4096] __attribute__((aligned(4096)));  /* SVM: VMSAVE of the hv's state */
    uint8_t hsave[4096] __attribute__((aligned(4096)));      /* SVM: VM_HSAVE_PA; VMX: VMXON region */
    void *vmcs_current;           /* VMX: the VMCS loaded with VMPTRLD */
    struct vcpu *syscall_msrs_of; /* VMX: whose KernelGSbase/STAR/... are in the MSRs */
    uint32_t tsc_aux;             /* what IA32_TSC_AUX holds (a vcpu's, for RDTSCP) */
    struct vcpu *debug_regs_of;   /* whose DR0-DR3 the registers hold */
    struct vcpu *loaded;          /* vcpu whose timer is armed on this CPU */
    uint64_t sched_deadline;      /* arch_timer_set */
    uint64_t armed;               /* what the LAPIC timer is set to (ns), 0 = off */
    uint8_t stack[16384] __attribute__((aligned(16)));
};

extern struct cpu_local cpu_locals[HV_MAX_CPUS];
extern unsigned nr_cpus_found;
static inline struct cpu_local *this_cpu(void)
{
    struct cpu_local *c;
    __asm__("mov %%gs:0, %0" : "=r"(c));
    return c;
}

/* cpu.c */
void cpu_init_local(struct cpu_local *c);
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rdi, rsi, rbp, rbx, rdx, rcx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

/* mmu.c */
void mmu_init(void);
uint64_t mmu_cr3(void);

/* lapic.c: the physical local APIC, the TSC and the hv's timer */
void lapic_init_boot(void);
void lapic_init_cpu(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo);
void timer_reprogram(void);   /* earliest of the scheduler's and the loaded vcpu's deadline */
void timer_interrupt(void);
extern uint64_t tsc_khz;
uint64_t tsc_to_ns(uint64_t tsc);

/* ioapic.c (physical) */
int ioapic_route(unsigned pin, unsigned vector, uint32_t apic_id);

/* vlapic.c, vioapic.c */
#define GUEST_LAPIC_BASE 0xfee00000ull
#define GUEST_IOAPIC_BASE 0xfec00000ull
#define GUEST_LAPIC_TIMER_KHZ 100000ull  /* the bus clock the guest's APIC timer counts */
void vlapic_reset(struct vcpu *v, unsigned apic_id);
/* <0: unsupported; VLAPIC_SIPI: the write sent a start-up IPI (sipi_target/vector) */
#define VLAPIC_SIPI 1
int vlapic_access(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val);
void vlapic_raise(struct vcpu *v, unsigned vector, bool level);
int vlapic_pending_vector(struct vcpu *v);   /* highest deliverable, or -1 */
void vlapic_ack(struct vcpu *v, unsigned vector);   /* injected: IRR -> ISR */
uint64_t vlapic_deadline(const struct vcpu *v);
void vlapic_timer_check(struct vcpu *v);
uint64_t vlapic_tsc_deadline(struct vcpu *v, bool write, uint64_t tsc);   /* the MSR */

/* pvclock.c */
bool pvclock_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val, bool *bad);
int vioapic_access(struct partition *p, uint64_t off, unsigned size, bool write, uint64_t *val);
void vioapic_set_line(struct partition *p, unsigned pin, bool level);
void vioapic_eoi(struct partition *p, unsigned vector);
void x86_irq_dispatch(unsigned pin);

#endif
