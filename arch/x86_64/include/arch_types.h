/* x86_64 state that hv/ embeds in its objects without looking inside. */
#ifndef ARCH_TYPES_H
#define ARCH_TYPES_H

#include "lock.h"
#include "types.h"

/* General registers the VMCB does not hold (RAX and RSP live there); saved on every exit.
 * Order = x86 register encoding, so decoded instructions index it directly; offsets are
 * used by head.S. */
struct guest_gprs {
    uint64_t r[16];       /* rax (unused: VMCB), rcx, rdx, rbx, rsp (unused), rbp, rsi, rdi, r8-r15 */
};

/* The emulated local APIC (xAPIC registers, the ones Linux and the test guests use). */
struct vlapic {
    uint32_t id, tpr, svr, ldr, dfr, esr;
    uint32_t lvt_timer, lvt_lint0, lvt_lint1, lvt_error, lvt_thermal, lvt_perf, lvt_cmci;
    uint32_t icr_hi, icr_lo;
    uint32_t timer_initial, timer_divide;
    uint64_t timer_start_ns, timer_deadline_ns;   /* deadline 0: not armed */
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
    void *vmcb;                     /* 4 KiB, physical = virtual */
    uint64_t fpu[64] __attribute__((aligned(16)));  /* FXSAVE area (512 bytes) */
    struct vlapic lapic;
    uint64_t mmio_value;            /* decoded store value / load merge */
    uint8_t mmio_insn[64];          /* the decoded instruction (struct insn) */
    uint64_t next_rip;
    unsigned sipi_target, sipi_vector;   /* a start-up IPI the vcpu just sent */
    bool flush_tlb;                 /* nested tables changed: flush its ASID on entry */
    unsigned msr_reported;
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
    uint64_t *npt_root;             /* PML4 of the nested page tables */
    uint32_t asid;
    struct vioapic ioapic;
};

#endif
