/* s390x state that hv/ embeds in its objects without looking inside. */
#ifndef ARCH_TYPES_H
#define ARCH_TYPES_H

#include "limits.h"
#include "lock.h"
#include "types.h"

/* The architecture's name, as configs and messages spell it. */
#define ARCH_NAME "s390x"

/* SIE state description (512 bytes, 512-aligned, outside page 0 and every prefix area).
 * Offsets as the architecture and Linux's struct kvm_s390_sie_block name them; only what
 * the hv sets or reads is named. */
struct sie_block {
    uint8_t intervention;    /* 0x00: 0x01 ext request, 0x02 I/O request, 0x04 stop request */
    uint8_t s;               /* 0x01 */
    uint8_t mx;              /* 0x02: 0x08 z/Architecture guest */
    uint8_t m;               /* 0x03: 0x08 preferred (V=R); 0 pageable */
    uint32_t prefix;         /* 0x04 */
    uint8_t pad08[0x28 - 0x08];
    int64_t cputm;           /* 0x28: guest CPU timer */
    uint64_t ckc;            /* 0x30: guest clock comparator */
    int64_t epoch;           /* 0x38: guest TOD = host TOD + epoch */
    uint8_t svcc[4];         /* 0x40: SVC interception controls */
    uint16_t lctl;           /* 0x44: LCTL interception, 0x8000 = CR0 .. 0x0001 = CR15 */
    uint16_t pad46;
    uint32_t ictl;           /* 0x48: instruction interception controls */
    uint32_t eca;            /* 0x4c: execution controls */
    uint8_t icptcode;        /* 0x50: interception code (not written on a host interrupt) */
    uint8_t icptstatus;      /* 0x51 */
    uint16_t ihcpu;          /* 0x52 */
    uint16_t pad54;
    uint16_t ipa;            /* 0x56: first halfword of the intercepted instruction */
    uint32_t ipb;            /* 0x58: next four bytes */
    uint32_t scaoh;          /* 0x5c */
    uint8_t pad60[0x80 - 0x60];
    uint64_t mso;            /* 0x80: main-storage origin (host virtual, 1 MiB units) */
    uint64_t mse;            /* 0x88: main-storage extent (low 20 bits read as ones) */
    uint64_t gpsw_mask;      /* 0x90: guest PSW */
    uint64_t gpsw_addr;      /* 0x98 */
    uint64_t gg14, gg15;     /* 0xa0, 0xa8: guest r14, r15 */
    uint8_t padb0[0xc4 - 0xb0];
    uint16_t extcpuaddr;     /* 0xc4 */
    uint16_t eic;            /* 0xc6: external interruption code (interception 0x14) */
    uint8_t padc8[0xcc - 0xc8];
    uint16_t pgmilc;         /* 0xcc: interception 0x08: instruction length code */
    uint16_t iprcc;          /* 0xce: program interruption code */
    uint32_t dxc;            /* 0xd0 */
    uint8_t padd4[0xe8 - 0xd4];
    uint64_t tecmc;          /* 0xe8: translation-exception identification */
    uint8_t padf0[0x100 - 0xf0];
    uint64_t gcr[16];        /* 0x100: guest control registers */
    uint8_t pad180[0x200 - 0x180];
} __attribute__((aligned(512)));

_Static_assert(sizeof(struct sie_block) == 512, "SIE state description is 512 bytes");

/* Interrupts pending for a vcpu, delivered by the hv into its lowcore when it enables them. */
#define S390_PEND_SERVICE    (1u << 0)   /* SCLP request done: service signal */
#define S390_PEND_EMERGENCY  (1u << 1)   /* SIGP emergency signal */
#define S390_PEND_EXTCALL    (1u << 2)   /* SIGP external call */
#define S390_PEND_RESTART    (1u << 3)   /* SIGP restart */

struct vcpu_arch {
    struct sie_block sie;
    uint64_t gprs[16];
    uint64_t fprs[16];               /* switched with the vcpu (arch_vcpu_load) */
    uint32_t acrs[16];
    uint32_t fpc;
    volatile uint32_t pending;       /* S390_PEND_*, set from any CPU (atomic) */
    uint32_t service_param;          /* external parameter of the pending service signal */
    uint16_t emergency_from;         /* CPU address of the pending emergency signal's sender */
    uint16_t extcall_from;
    bool stopped;                    /* SIGP stop state (the vcpu is OFF meanwhile) */
    volatile bool stop_requested;    /* SIGP stop from a sibling, done at its next entry */
    uint64_t pgm_addr;               /* of the last host program interruption in SIE */
    uint16_t pgm_code;
    uint64_t ipa_logged[8];          /* unhandled instructions already logged */
    unsigned nr_ipa_logged;
};

/* A virtual subchannel: the partition's device n is subchannel n (virtio-ccw). */
struct vsch {
    struct virtio_dev *dev;          /* NULL: no such subchannel */
    uint32_t intparm;
    uint16_t pmcw_flags;             /* ISC, enabled, device number valid */
    uint16_t scsw_flags, scsw_ctrl;  /* SCSW: format bit; function/activity/status control */
    uint32_t scsw_cpa;
    uint8_t dstat, cstat;
    uint16_t residual;
    uint8_t sense0;                  /* 0x80 after a command reject */
    bool busy;                       /* a channel program is being run */
    bool io_request;                 /* an I/O interruption waits for delivery */
};

/* Guest storage: one host DAT address space per partition (segment table, 4 KiB pages);
 * its channel subsystem: the virtual subchannels. */
struct part_arch {
    uint64_t *segment_table;         /* 2048 entries: 2 GiB of guest absolute storage */
    uint64_t asce;
    uint64_t size;
    spinlock_t sclp_lock;            /* one SCLP request of the partition at a time */
    spinlock_t css_lock;             /* the subchannels; never held into a device's lock */
    struct vsch sch[HV_MAX_DEVS];
    unsigned nr_sch;
};

#endif
