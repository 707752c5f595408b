/* The physical local APIC (xAPIC or x2APIC, as the firmware left it), the TSC as the hv's
 * clock, and the one-shot APIC timer behind arch_timer_set, shared between the scheduler's
 * deadline and the loaded vcpu's emulated APIC timer. */
#include "x86_64.h"

#define APIC_ID 0x20
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0

uint64_t tsc_khz;
static uint64_t apic_timer_khz;    /* after the divide-by-16 */
static bool x2apic;
static volatile uint32_t *xapic = (volatile uint32_t *)0xfee00000ul;

static uint32_t rd(unsigned reg)
{
    return x2apic ? (uint32_t)rdmsr(0x800 + (reg >> 4)) : xapic[reg / 4];
}

static void wr(unsigned reg, uint32_t v)
{
    if (x2apic)
        wrmsr(0x800 + (reg >> 4), v);
    else
        xapic[reg / 4] = v;
}

uint32_t lapic_id(void)
{
    return x2apic ? rd(APIC_ID) : rd(APIC_ID) >> 24;
}

void lapic_eoi(void)
{
    wr(APIC_EOI, 0);
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
    if (x2apic) {
        wrmsr(0x830, (uint64_t)apic_id << 32 | icr_lo);
        return;
    }
    wr(APIC_ICR_HI, apic_id << 24);
    wr(APIC_ICR_LO, icr_lo);
    while (rd(APIC_ICR_LO) & (1u << 12)) /* delivery pending */
        cpu_relax();
}

void lapic_init_cpu(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    x2apic = (base >> 10) & 1;
    if (!(base & (1u << 11)))
        wrmsr(MSR_APIC_BASE, base | 1u << 11);
    wr(APIC_SVR, 0x100 | VEC_SPURIOUS);
    wr(APIC_TIMER_DIV, 3);                         /* divide by 16 */
    wr(APIC_LVT_TIMER, 1u << 16 | VEC_TIMER);      /* masked until armed */
}

/* PIT channel 2, gated by port 0x61, counts 10 ms: measure the TSC and APIC timer against it. */
void lapic_init_boot(void)
{
    lapic_init_cpu();
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);      /* gate on, speaker off */
    outb(0x43, 0xb0);                              /* channel 2, lo/hi, mode 0 */
    outb(0x42, 11932 & 0xff);                      /* 1193182 Hz * 10 ms */
    outb(0x42, 11932 >> 8);
    wr(APIC_TIMER_INIT, 0xffffffff);
    uint64_t t0 = rdtsc();
    uint32_t a0 = rd(APIC_TIMER_CUR);
    while (!(inb(0x61) & 0x20))
        ;
    uint64_t t1 = rdtsc();
    uint32_t a1 = rd(APIC_TIMER_CUR);
    wr(APIC_TIMER_INIT, 0);
    tsc_khz = (t1 - t0) / 10;
    apic_timer_khz = (a0 - a1) / 10;
    if (!tsc_khz)
        tsc_khz = 1000000;
    if (!apic_timer_khz)
        apic_timer_khz = 1000;
    hv_log("x86_64: %s, TSC %llu kHz, APIC timer %llu kHz (measured against the PIT)",
           x2apic ? "x2APIC" : "xAPIC", (unsigned long long)tsc_khz,
           (unsigned long long)apic_timer_khz);
}

uint64_t tsc_to_ns(uint64_t tsc)
{
    return (uint64_t)((unsigned __int128)tsc * 1000000 / tsc_khz);
}

uint64_t arch_time_ns(void)
{
    return tsc_to_ns(rdtsc());
}

void timer_reprogram(void)
{
    struct cpu_local *c = this_cpu();
    uint64_t d = c->sched_deadline, v = c->loaded ? vlapic_deadline(c->loaded) : 0;

    if (v && (!d || v < d))
        d = v;
    c->armed = d;
    if (!d) {
        wr(APIC_LVT_TIMER, 1u << 16 | VEC_TIMER);
        wr(APIC_TIMER_INIT, 0);
        return;
    }
    uint64_t now = arch_time_ns(), ticks = d > now ? (d - now) * apic_timer_khz / 1000000 : 0;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffffull)
        ticks = 0xffffffffull;  /* fires early; timer_interrupt re-arms */
    wr(APIC_LVT_TIMER, VEC_TIMER);
    wr(APIC_TIMER_INIT, (uint32_t)ticks);
}

void arch_timer_set(uint64_t deadline_ns)
{
    this_cpu()->sched_deadline = deadline_ns;
    timer_reprogram();
}

void timer_interrupt(void)
{
    struct cpu_local *c = this_cpu();
    uint64_t now = arch_time_ns();

    if (c->loaded)
        vlapic_timer_check(c->loaded);
    if (c->sched_deadline && c->sched_deadline <= now) {
        c->sched_deadline = 0;
        hv_timer_expired();
    }
    timer_reprogram();
}
