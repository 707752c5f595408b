/* The s390x port's internal interfaces (arch/s390x only). */
#ifndef S390_H
#define S390_H

#include "hv.h"
#include "s390x.h"

/* This CPU's lowcore (real address 0), without a constant null pointer for the compiler
 * to reason about. */
static inline uint8_t *lowcore(void)
{
    uint8_t *p;
    __asm__("lghi %0,0" : "=d"(p));
    return p;
}
static inline uint16_t lc_read16(unsigned off) { return *(volatile uint16_t *)(lowcore() + off); }
static inline uint32_t lc_read32(unsigned off) { return *(volatile uint32_t *)(lowcore() + off); }
static inline uint64_t lc_read64(unsigned off) { return *(volatile uint64_t *)(lowcore() + off); }

/* Work an interruption left for thread context (arch_irq_poll, after SIE). */
#define DEFER_TIMER       (1u << 0)
#define DEFER_SCLP_EVENT  (1u << 1)

struct cpu_state {
    volatile uint32_t deferred;
    irq_handler_t sclp_handler;
    void *sclp_ctx;
    uint64_t hv_deadline_tod;       /* the hv timer (arch_timer_set), 0 = off */
    struct vcpu *loaded;            /* whose FP and access registers are live */
};
extern struct cpu_state cpus[HV_MAX_CPUS];

uint16_t s390_cpu_address(cpuid_t cpu);
/* The boot CPU's interruption handlers, before arch_platform_init (boot/s390-ipl). */
void s390_boot_lowcore(void);

/* entry.S */
void sie_enter(struct sie_block *sd, uint64_t *gprs);
void s390_wait_enabled(void);

/* timer.c: TOD clock and clock comparator */
void s390_timer_init(void);
uint64_t s390_tod(void);
void s390_timer_fired(void);
void s390_timer_idle_enter(void);
void s390_timer_idle_exit(void);

/* vcpu.c */
bool s390_vcpu_ckc_due(const struct vcpu *v, uint64_t tod);

#endif
