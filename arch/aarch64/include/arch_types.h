/* aarch64 state that hv/ embeds in its objects without looking inside. */
#ifndef ARCH_TYPES_H
#define ARCH_TYPES_H

#include "lock.h"
#include "types.h"

/* The architecture's name, as configs and messages spell it. */
#define ARCH_NAME "aarch64"

#define VGIC_NR_LRS_MAX 16
#define VGIC_NR_SPIS 32               /* virtual SPIs: INTIDs 32..63 */
#define VGIC_NR_IRQS (32 + VGIC_NR_SPIS)
#define VGIC_DEV_SPI_BASE 16          /* device line n is SPI 16+n, INTID 48+n (as on QEMU virt) */

/* Register file saved on every exit; offsets are used by entry.S. */
struct guest_regs {
    uint64_t x[31];       /* 0 */
    uint64_t pc;          /* 248: ELR_EL2 */
    uint64_t pstate;      /* 256: SPSR_EL2 */
    uint64_t pad;
    __uint128_t v[32];    /* 272 */
    uint64_t fpsr, fpcr;  /* 784, 792 */
};

/* EL1 system registers: switched only when another vcpu runs on the CPU. */
struct el1_sysregs {
    uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr, tpidr_el0, tpidrro_el0,
        tpidr_el1, sp_el0, sp_el1, elr_el1, spsr_el1, esr, far, afsr0, afsr1, par, cpacr, cntkctl,
        csselr, mdscr;
    uint64_t cntv_ctl, cntv_cval;
    uint64_t ich_vmcr, ich_ap0r0, ich_ap1r0;
    /* Self-hosted debug: breakpoints and watchpoints are the vcpu's own, switched with
     * the rest; the OS lock is emulated (MDCR_EL2.TDOSA) and mirrored into the CPU. */
    uint64_t dbgbvr[16], dbgbcr[16], dbgwvr[16], dbgwcr[16], mdccint;
    bool oslk;
};

struct vcpu_arch {
    struct guest_regs regs;
    struct el1_sysregs sys;
    uint64_t lr[VGIC_NR_LRS_MAX];   /* list registers, saved on every exit */
    uint64_t pending;               /* virtual INTIDs raised, not yet in an LR (atomic) */
    uint32_t ppi_enabled;           /* SGI/PPI enables (redistributor) */
    uint8_t ppi_priority[32];
    uint32_t gicr_waker;
    uint64_t esr, far, hpfar;       /* of the last exit */
    struct {                        /* the VM_EXIT_ACCESS in progress: where a read goes */
        uint8_t reg, size;
        bool write, sign_extend;
    } access;
    uint64_t mpidr;
    bool reload;                    /* its registers must be (re)loaded on entry */
    uint32_t sysreg_logged[16];     /* trapped registers already logged (ESR ISS keys) */
    unsigned nr_sysreg_logged;
};

struct vgic_dist {
    spinlock_t lock;
    uint32_t ctlr;
    uint32_t spi_enabled;           /* bit i: INTID 32+i */
    uint32_t spi_group;
    uint32_t spi_cfg[2];            /* ICFGR for INTIDs 32..63 */
    uint8_t spi_priority[VGIC_NR_SPIS];
    uint64_t spi_route[VGIC_NR_SPIS];
};

struct part_arch {
    uint64_t *s2_root;              /* level-1 table of the second stage */
    uint64_t id_view[7][8];         /* ID registers CRm 1..7, op2 0..7, as it sees them */
    uint16_t vmid;
    struct vgic_dist vgic;
};

#endif
