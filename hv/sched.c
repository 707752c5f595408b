/* The per-CPU loop: pick the vcpu of the current window, run it, handle its exit. */
#include "console.h"
#include "exit.h"
#include "partition.h"
#include "sched.h"

static struct cpu_plan plans[HV_MAX_CPUS];
static uint64_t frame_origin; /* all CPUs count major frames from the same instant */

int sched_init(const struct hv_config *cfg, unsigned nr_cpus)
{
    const char *why;

    if (sched_plan(cfg, nr_cpus, plans, &why) < 0) {
        hv_log("schedule: %s", why);
        return -1;
    }
    for (unsigned c = 0; c < nr_cpus; c++) {
        const struct cpu_plan *p = &plans[c];
        if (p->nr > 1) {
            hv_log("CPU %u: cyclic schedule, major frame %llu us:", c,
                   (unsigned long long)(p->frame_ns / 1000));
            for (unsigned i = 0; i < p->nr; i++)
                hv_log("  window %u: %llu us for partition '%s' vcpu %u", i,
                       (unsigned long long)(p->w[i].len_ns / 1000), partitions[p->w[i].part].label,
                       p->w[i].vcpu);
        }
    }
    frame_origin = arch_time_ns();
    return 0;
}

bool sched_cpu_used(cpuid_t cpu)
{
    return plans[cpu].nr > 0;
}

/* A vcpu waiting for an interrupt becomes runnable when one is there. The state may be
 * changed concurrently (stopped from another CPU), hence the compare-and-swap. */
static bool runnable(struct vcpu *v)
{
    enum vcpu_state waiting = VCPU_WAITING;

    if (v->state == VCPU_WAITING && arch_vcpu_irq_pending(v))
        __atomic_compare_exchange_n(&v->state, &waiting, VCPU_RUNNING, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE);
    return v->state == VCPU_RUNNING && v->part->state == PART_RUNNING;
}

static void idle(void)
{
    arch_cpu_idle();
    arch_irq_poll();
}

void hv_timer_expired(void)
{
    /* Nothing to record: the loop re-reads the clock and picks the window itself. */
}

void sched_run(cpuid_t cpu)
{
    const struct cpu_plan *pl = &plans[cpu];
    uint64_t deadline = 0;
    struct vm_exit e;

    for (;;) {
        if (part_all_stopped()) {
            /* Whichever CPU sees it first turns the machine off; the others may be asleep. */
            static bool once;
            if (!__atomic_exchange_n(&once, true, __ATOMIC_ACQ_REL)) {
                hv_log("all partitions have stopped; powering off");
                console_drain();
                arch_system_off();
            }
            idle();
            continue;
        }
        if (pl->nr == 0) {
            idle();
            continue;
        }
        unsigned w = 0;
        if (pl->nr > 1) {
            uint64_t now = arch_time_ns() - frame_origin;
            w = sched_window_at(pl, now);
            uint64_t end = frame_origin + now - now % pl->frame_ns + pl->w[w].start_ns +
                           pl->w[w].len_ns;
            if (end != deadline)
                arch_timer_set(deadline = end);
        }
        struct vcpu *v = &partitions[pl->w[w].part].vcpus[pl->w[w].vcpu];
        if (v->state == VCPU_WAITING)
            arch_vcpu_load(v); /* so that its own timer can wake it in its window */
        if (!runnable(v)) {
            idle();
            continue;
        }
        /* Announce the entry, then look at the states again: whoever resets the partition
         * sets them first and then waits for busy to drop (hv/partition.c). busy covers the
         * exit handler too: it touches the partition's memory and devices. */
        __atomic_store_n(&v->busy, true, __ATOMIC_SEQ_CST);
        if (v->state != VCPU_RUNNING || v->part->state != PART_RUNNING) {
            __atomic_store_n(&v->busy, false, __ATOMIC_RELEASE);
            continue;
        }
        uint64_t t0 = arch_time_ns();
        arch_vcpu_run(v, &e);
        v->stats.run_ns += arch_time_ns() - t0;
        v->stats.exits++;
        exit_handle(v, &e);
        __atomic_store_n(&v->busy, false, __ATOMIC_RELEASE);
    }
}
