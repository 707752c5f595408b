/* z/Architecture: lowcore layout, PSW bits and the privileged instructions the hv uses. */
#ifndef S390X_H
#define S390X_H

#include "types.h"

#include "lowcore_asm.h"

/* PSW (16 bytes): mask word bits, counted from the left of the 64-bit mask as the
 * architecture does (bit 0 is the most significant). */
#define PSW_MASK_PER        (1ull << 62)   /* bit 1 */
#define PSW_MASK_DAT        (1ull << 58)   /* bit 5 */
#define PSW_MASK_IO         (1ull << 57)   /* bit 6 */
#define PSW_MASK_EXT        (1ull << 56)   /* bit 7 */
#define PSW_MASK_KEY        (0xfull << 52)
#define PSW_MASK_MCHECK     (1ull << 50)   /* bit 13 */
#define PSW_MASK_WAIT       (1ull << 49)   /* bit 14 */
#define PSW_MASK_PSTATE     (1ull << 48)   /* bit 15: problem state */
#define PSW_MASK_ASC        (3ull << 46)
#define PSW_MASK_CC         (3ull << 44)
#define PSW_MASK_PM         (0xfull << 40)
#define PSW_MASK_EA         (1ull << 32)   /* bit 31: extended (64-bit) addressing */
#define PSW_MASK_BA         (1ull << 31)   /* bit 32: basic (31-bit) addressing */
#define PSW_MASK_64         (PSW_MASK_EA | PSW_MASK_BA)

struct psw {
    uint64_t mask;
    uint64_t addr;
} __attribute__((aligned(8)));

/* External interruption codes. */
#define EXT_EMERGENCY       0x1201
#define EXT_EXTERNAL_CALL   0x1202
#define EXT_CLOCK_COMP      0x1004
#define EXT_CPU_TIMER       0x1005
#define EXT_SERVICE_SIGNAL  0x2401

/* CR0 external subclass masks (bit numbers of the 64-bit register from the left). */
#define CR0_EMERGENCY       (1ull << (63 - 49))
#define CR0_EXTERNAL_CALL   (1ull << (63 - 50))
#define CR0_CLOCK_COMP      (1ull << (63 - 52))
#define CR0_CPU_TIMER       (1ull << (63 - 53))
#define CR0_SERVICE_SIGNAL  (1ull << (63 - 54))
#define CR0_AFP             (1ull << (63 - 45))   /* additional floating-point registers */
/* CR6: I/O interruption subclass masks, ISC 0..7 in bits 32..39. */
#define CR6_ISC(n)          (1ull << (63 - 32 - (n)))

/* SIGP orders and condition codes. */
#define SIGP_SENSE              0x01
#define SIGP_EXTERNAL_CALL      0x02
#define SIGP_EMERGENCY          0x03
#define SIGP_START              0x04
#define SIGP_STOP               0x05
#define SIGP_RESTART            0x06
#define SIGP_STOP_STORE_STATUS  0x09
#define SIGP_INITIAL_CPU_RESET  0x0b
#define SIGP_CPU_RESET          0x0c
#define SIGP_SET_PREFIX         0x0d
#define SIGP_STORE_STATUS       0x0e
#define SIGP_SET_ARCH           0x12
#define SIGP_SENSE_RUNNING      0x15

static inline uint16_t stap(void)
{
    uint16_t a;
    __asm__ volatile("stap %0" : "=Q"(a));
    return a;
}

/* SIGP 'order' to CPU address 'cpu' with a parameter (R1 = r0 even: the parameter goes in
 * r1, the status comes back in r0). Returns the condition code; *status on cc 1. */
static inline int sigp(uint16_t cpu, unsigned order, uint64_t param, uint32_t *status)
{
    register uint64_t r0 __asm__("0") = 0;
    register uint64_t r1 __asm__("1") = param;
    int cc;
    __asm__ volatile("sigp %%r0,%[cpu],0(%[order])\n\tipm %[cc]\n\tsrl %[cc],28"
                     : [cc] "=d"(cc), "+d"(r0)
                     : "d"(r1), [cpu] "d"((uint64_t)cpu), [order] "a"((uint64_t)order)
                     : "cc", "memory");
    if (status)
        *status = (uint32_t)r0;
    return cc;
}

static inline uint64_t stckf(void)
{
    uint64_t t;
    __asm__ volatile("stckf %0" : "=Q"(t) : : "cc");
    return t;
}

static inline void sckc(uint64_t t)
{
    __asm__ volatile("sckc %0" : : "Q"(t));
}

static inline void spt(int64_t t)
{
    __asm__ volatile("spt %0" : : "Q"(t));
}

static inline int64_t stpt(void)
{
    int64_t t;
    __asm__ volatile("stpt %0" : "=Q"(t));
    return t;
}

#define lctlg(cr, val) do { uint64_t v_ = (val); \
    __asm__ volatile("lctlg %c1,%c1,%0" : : "Q"(v_), "i"(cr) : "memory"); } while (0)
#define stctg(cr) ({ uint64_t v_; \
    __asm__ volatile("stctg %c1,%c1,%0" : "=Q"(v_) : "i"(cr)); v_; })

static inline void ptlb(void)
{
    __asm__ volatile("ptlb" : : : "memory");
}

#endif
