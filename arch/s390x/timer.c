/* Time: the TOD clock (bit 51 ticks once a microsecond) and each CPU's clock comparator,
 * which is the hv timer. While the CPU idles with a vcpu loaded whose own clock comparator
 * is enabled, the comparator is set to whichever comes first, so that the vcpu's timer
 * wakes the CPU as it would wake the guest (inside SIE the machine runs the guest's
 * comparator itself). */
#include "s390.h"

static uint64_t boot_tod;

uint64_t s390_tod(void)
{
    return stckf();
}

void s390_timer_init(void)
{
    boot_tod = stckf();
}

/* 4096 TOD units are a microsecond: ns = tod * 1000 / 4096 = tod * 125 / 512. */
uint64_t arch_time_ns(void)
{
    return (stckf() - boot_tod) * 125 / 512;
}

static uint64_t tod_of_ns(uint64_t ns)
{
    return boot_tod + ns / 125 * 512 + ns % 125 * 512 / 125;
}

void arch_timer_set(uint64_t deadline_ns)
{
    struct cpu_state *c = &cpus[arch_cpu_id()];

    c->hv_deadline_tod = deadline_ns ? tod_of_ns(deadline_ns) : 0;
    sckc(c->hv_deadline_tod ? c->hv_deadline_tod : ~0ull);
}

void s390_timer_fired(void)
{
    struct cpu_state *c = &cpus[arch_cpu_id()];

    if (c->hv_deadline_tod && stckf() >= c->hv_deadline_tod) {
        c->hv_deadline_tod = 0;
        hv_timer_expired();
    } else {
        sckc(c->hv_deadline_tod ? c->hv_deadline_tod : ~0ull);
    }
}

void s390_timer_idle_enter(void)
{
    struct cpu_state *c = &cpus[arch_cpu_id()];
    uint64_t at = c->hv_deadline_tod ? c->hv_deadline_tod : ~0ull;
    struct vcpu *v = c->loaded;

    if (v && v->state == VCPU_WAITING) {
        const struct sie_block *sd = &v->arch.sie;
        if ((sd->gpsw_mask & PSW_MASK_EXT) && (sd->gcr[0] & CR0_CLOCK_COMP)) {
            uint64_t host = sd->ckc - (uint64_t)sd->epoch;
            if (host < at)
                at = host;
        }
    }
    sckc(at);
}

void s390_timer_idle_exit(void)
{
    struct cpu_state *c = &cpus[arch_cpu_id()];
    sckc(c->hv_deadline_tod ? c->hv_deadline_tod : ~0ull);
}
