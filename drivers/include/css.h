/* The s390 channel subsystem as a driver sees it: subchannels, channel programs (format-1
 * CCWs) and the I/O instructions. Layouts as the z/Architecture Principles of Operation
 * define them (big-endian, as the machine is). */
#ifndef DRIVERS_CSS_H
#define DRIVERS_CSS_H

#include "types.h"

/* Subsystem-identification word of subchannel n in subchannel set 0. */
#define CSS_SCHID(n) (0x00010000u | (n))

struct pmcw {
    uint32_t intparm;
    uint16_t flags;         /* PMCW_* */
    uint16_t devno;
    uint8_t lpm, pnom, lpum, pim;
    uint16_t mbi;
    uint8_t pom, pam;
    uint8_t chpid[8];
    uint32_t chars;
} __attribute__((packed));
#define PMCW_ISC(n)  ((uint16_t)((n) << 11))
#define PMCW_ISC_MASK 0x3800
#define PMCW_ENABLED 0x0080
#define PMCW_DNV     0x0001   /* device number valid */

struct scsw {
    uint16_t flags;         /* key, S, L, deferred cc, F, P, I, A, U, Z, E, N */
    uint16_t ctrl;          /* function, activity and status control */
    uint32_t cpa;           /* CCW address (+8 of the last one executed) */
    uint8_t dstat, cstat;
    uint16_t count;         /* residual */
} __attribute__((packed));
#define SCSW_FCTL_START    0x4000
#define SCSW_FCTL_HALT     0x2000
#define SCSW_FCTL_CLEAR    0x1000
#define SCSW_ACTL_MASK     0x0fe0
#define SCSW_STCTL_ALERT   0x0010
#define SCSW_STCTL_INTERM  0x0008
#define SCSW_STCTL_PRIMARY 0x0004
#define SCSW_STCTL_SECOND  0x0002
#define SCSW_STCTL_PENDING 0x0001
#define DEV_STAT_ATTENTION 0x80
#define DEV_STAT_CHN_END   0x08
#define DEV_STAT_DEV_END   0x04
#define DEV_STAT_UNIT_CHECK 0x02
#define DEV_STAT_UNIT_EXC  0x01

struct schib {
    struct pmcw pmcw;
    struct scsw scsw;
    uint64_t mba;
    uint8_t model[4];
} __attribute__((packed, aligned(4)));

/* Operation-request block: format-1 CCWs, any path. */
struct orb {
    uint32_t intparm;
    uint8_t key_flags;      /* key << 4, S, C, M, Y */
    uint8_t flags;          /* ORB_F_* */
    uint8_t lpm;
    uint8_t flags2;
    uint32_t cpa;           /* channel program: 31-bit, doubleword aligned */
    uint32_t reserved[4];
} __attribute__((packed, aligned(4)));
#define ORB_F_FORMAT1 0x80

struct ccw1 {
    uint8_t cmd;
    uint8_t flags;          /* CCW_F_* */
    uint16_t count;
    uint32_t cda;           /* data: 31-bit */
} __attribute__((packed, aligned(8)));
#define CCW_F_CD   0x80     /* chain data */
#define CCW_F_CC   0x40     /* chain command */
#define CCW_F_SLI  0x20     /* suppress incorrect length */
#define CCW_F_SKIP 0x10
#define CCW_F_PCI  0x08
#define CCW_F_IDA  0x04

#define CCW_CMD_SENSE     0x04
#define CCW_CMD_SENSE_ID  0xe4

struct irb {
    struct scsw scsw;
    uint32_t esw[5];
    uint32_t ecw[8];
    uint32_t emw[8];
} __attribute__((packed, aligned(4)));

static inline int css_insn_cc(void)
{
    int cc;
    __asm__ volatile("ipm %0\n\tsrl %0,28" : "=d"(cc) : : "cc");
    return cc;
}

#define CSS_INSN(name, mnemonic, type)                                              \
    static inline int name(uint32_t schid, type *blk)                             \
    {                                                                              \
        register uint64_t r1 __asm__("1") = schid;                                 \
        int cc;                                                                    \
        __asm__ volatile(mnemonic " 0(%2)\n\tipm %0\n\tsrl %0,28"                  \
                         : "=d"(cc) : "d"(r1), "a"(blk) : "cc", "memory");         \
        return cc;                                                                 \
    }
CSS_INSN(css_stsch, "stsch", struct schib)
CSS_INSN(css_msch, "msch", struct schib)
CSS_INSN(css_ssch, "ssch", struct orb)
CSS_INSN(css_tsch, "tsch", struct irb)
#undef CSS_INSN

static inline int css_csch(uint32_t schid)
{
    register uint64_t r1 __asm__("1") = schid;
    int cc;
    __asm__ volatile("csch\n\tipm %0\n\tsrl %0,28" : "=d"(cc) : "d"(r1) : "cc", "memory");
    return cc;
}

/* Run a channel program on an enabled subchannel and wait (polling) for its end; fills
 * *irb. 0 when it ended with channel end and device end and nothing else, <0 otherwise
 * (*irb tells why; -2 if the subchannel did not accept the start, -3 if it did not end
 * within 10 s and was cleared). Interruptions are not needed: TSCH is polled. One caller
 * per subchannel at a time (the drivers lock). */
int css_run(uint32_t schid, const struct ccw1 *prog, struct irb *irb);
/* Find the first subchannel numbered 'first' or higher that holds device number 'devno'
 * (any valid device if devno < 0); enable it with no interruption subclass. 0 with *schid
 * and *schib filled, <0 if there is none. */
int css_find(int devno, uint32_t first, uint32_t *schid, struct schib *schib);

#endif
