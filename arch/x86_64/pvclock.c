/* kvmclock, the paravirtual clock Linux knows: without a PIT or HPET a guest cannot measure
 * the TSC itself, so the hv tells it the TSC's rate through a pvclock page per vcpu (and a
 * wall clock of 0: partitions have no RTC). The TSC is the host's, constant and shared by
 * all CPUs, so each page is written once, when the guest names it, and marked stable. */
#include <string.h>

#include "x86_64.h"

#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define PVCLOCK_TSC_STABLE 1

struct pvclock_vcpu_time_info {
    uint32_t version, pad0;
    uint64_t tsc_timestamp, system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags, pad[2];
};

struct pvclock_wall_clock {
    uint32_t version, sec, nsec;
};

/* ns = ((tsc delta) shifted by 'shift') * mul / 2^32, with mul in [2^31, 2^32). */
static void tsc_scale(uint64_t khz, uint32_t *mul, int8_t *shift)
{
    uint64_t m = (1000000ull << 32) / khz;     /* ns per tick, 32.32 */
    int s = 0;

    while (m >= 1ull << 32) {
        m >>= 1;
        s++;
    }
    while (m < 1ull << 31) {
        m <<= 1;
        s--;
    }
    *mul = (uint32_t)m;
    *shift = (int8_t)s;
}

/* The kvmclock MSRs: true if 'msr' is one (handled), false otherwise. *bad is set when the
 * guest named memory outside its RAM (the caller raises #GP). */
bool pvclock_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val, bool *bad)
{
    *bad = false;
    if (msr != MSR_KVM_SYSTEM_TIME_NEW && msr != MSR_KVM_WALL_CLOCK_NEW)
        return false;
    if (!write) {
        *val = msr == MSR_KVM_SYSTEM_TIME_NEW ? v->arch.pvclock_msr : 0;
        return true;
    }
    if (msr == MSR_KVM_WALL_CLOCK_NEW) {
        struct pvclock_wall_clock *w = guest_ptr(&v->part->mem, *val, sizeof(*w));
        if (!w) {
            *bad = true;
            return true;
        }
        *w = (struct pvclock_wall_clock){ .version = 2 };
        return true;
    }
    v->arch.pvclock_msr = *val;
    if (!(*val & 1))
        return true;                            /* disabled */
    struct pvclock_vcpu_time_info *t = guest_ptr(&v->part->mem, *val & ~1ull, sizeof(*t));
    if (!t) {
        *bad = true;
        v->arch.pvclock_msr = 0;
        return true;
    }
    struct pvclock_vcpu_time_info n = { .version = 2, .flags = PVCLOCK_TSC_STABLE };
    n.tsc_timestamp = rdtsc();
    n.system_time = tsc_to_ns(n.tsc_timestamp);
    tsc_scale(tsc_khz, &n.tsc_to_system_mul, &n.tsc_shift);
    t->version = 1;                             /* odd: being updated */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    memcpy((uint8_t *)t + 8, (uint8_t *)&n + 8, sizeof(n) - 8);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->version = 2;
    return true;
}
