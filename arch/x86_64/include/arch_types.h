/* x86_64 state that hv/ embeds in its objects without looking inside. */
#ifndef ARCH_TYPES_H
#define ARCH_TYPES_H

#include "lock.h"
#include "types.h"

/* The architecture's name, as configs and messages spell it. */
#define ARCH_NAME "x86_64"

/* The guest's general registers between exits. Order = x86 register encoding, so decoded
 * instructions index it directly; offsets are used by head.S. (SVM keeps RAX and RSP in the
 * VMCB and VMX keeps RSP in the VMCS while the guest runs: the backend copies them.) */
struct guest_gprs {
    uint64_t r[16];       /* rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15 */
};

/* A segment register in the SVM (VMCB) attribute layout: type/S/DPL/P in bits 0-7,
 * AVL/L/DB/G in bits 8-11. The VMX backend converts. */
struct x86_seg {
    uint16_t sel, attr;
    uint32_t limit;
    uint64_t base;
};

enum x86_segreg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_GDTR, SEG_LDTR, SEG_IDTR,
                  SEG_TR, SEG_COUNT };

/* The state a vcpu (re)starts in: written by arch_vcpu_reset on any CPU, loaded by the
 * backend on the vcpu's own CPU before its next entry (a VMCS can only be written there). */
struct x86_start_state {
    struct x86_seg seg[SEG_COUNT];
    uint64_t cr0, cr3, cr4, efer, rip, rflags;
};

/* The emulated local APIC (xAPIC registers, the ones Linux and the test guests use). */
struct vlapic {
    uint32_t id, tpr, svr, ldr, dfr, esr;
    uint32_t lvt_timer, lvt_lint0, lvt_lint1, lvt_error, lvt_thermal, lvt_perf, lvt_cmci;
    uint32_t icr_hi, icr_lo;
    uint32_t timer_initial, timer_divide;
    uint64_t timer_start_ns, timer_deadline_ns;   /* deadline 0: not armed */
    uint64_t tsc_deadline;                        /* IA32_TSC_DEADLINE, TSC-deadline mode */
    uint32_t irr[8], isr[8], tmr[8];              /* 256-bit vectors */
    uint32_t irr_async[8];                        /* raised from other CPUs (atomic) */
    bool enabled;                                 /* APIC_BASE global enable */
};

/* An instruction decoded for MMIO emulation (arch/x86_64/insn.c). */
struct insn_state {
    uint8_t len;
    uint8_t opaque[30];
};

struct vcpu_arch {
    struct guest_gprs gprs;         /* first: head.S addresses it from the vcpu */
    uint64_t rip, rflags;
    uint64_t exit_rip;              /* rip at the last exit: moved on = instruction emulated */
    void *hw;                       /* the VMCB (SVM) or VMCS (VMX): 4 KiB, physical = virtual */
    struct x86_start_state start;
    bool start_pending;             /* load 'start' before the next entry */
    bool launched;                  /* VMX: VMLAUNCH done since the last VMCLEAR */
    uint64_t syscall_msrs[5];       /* VMX: KernelGSbase, STAR, LSTAR, CSTAR, SFMASK */
    uint64_t fpu[64] __attribute__((aligned(16)));  /* FXSAVE area (512 bytes) */
    struct vlapic lapic;
    uint64_t mmio_value;            /* decoded store value / load merge */
    uint8_t mmio_insn[64];          /* the decoded instruction (struct insn) */
    uint64_t next_rip;
    unsigned sipi_target, sipi_vector;   /* a start-up IPI the vcpu just sent */
    bool flush_tlb;                 /* nested tables changed: flush its ASID/VPID on entry */
    int virq;                       /* SVM: vector offered through V_IRQ, or -1 (svm.c) */
    unsigned refusals_logged;       /* MSR/RDPMC/port refusals logged (at most 8) */
    uint64_t pvclock_msr;           /* MSR_KVM_SYSTEM_TIME_NEW as the guest wrote it */
    uint32_t tsc_aux;               /* IA32_TSC_AUX (RDTSCP) */
    uint64_t dr[4];                 /* DR0-DR3 while another vcpu's are loaded (vcpu.c) */
    bool debug_regs_reset;          /* dr[] is its reset state, whatever its CPU holds */
};

#define IOAPIC_PINS 24

struct vioapic {
    spinlock_t lock;
    uint32_t index;
    uint32_t id;
    uint64_t redir[IOAPIC_PINS];
    uint32_t level;                 /* line levels (bit per pin) */
};

struct part_arch {
    uint64_t *stage2_root;          /* PML4 of the nested page tables (NPT or EPT) */
    uint32_t asid;                  /* SVM ASID, VMX VPID */
    struct vioapic ioapic;
};

#endif
