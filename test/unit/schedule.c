/* Schedule computation: dedicated CPUs, shared CPUs with cyclic windows. */
#include "schedule.h"
#include "unit.h"

static struct hv_config cfg;

static void part(unsigned i, unsigned cpu, uint32_t window_us)
{
    cfg.parts[i].nr_cpus = 1;
    cfg.parts[i].cpus[0] = cpu;
    cfg.parts[i].window_us = window_us;
    if (cfg.nr_parts <= i)
        cfg.nr_parts = i + 1;
}

int main(void)
{
    struct cpu_plan plans[HV_MAX_CPUS];
    const char *why = NULL;

    /* Two dedicated CPUs. */
    memset(&cfg, 0, sizeof(cfg));
    part(0, 0, 0);
    part(1, 1, 0);
    CHECK(sched_plan(&cfg, 2, plans, &why) == 0, "plan failed: %s", why);
    CHECK(plans[0].nr == 1 && plans[0].w[0].part == 0, "cpu0 has %u windows", plans[0].nr);
    CHECK(plans[1].nr == 1 && plans[1].w[0].part == 1, "cpu1 has %u windows", plans[1].nr);
    CHECK(plans[0].frame_ns == 0, "dedicated CPU has a frame of %llu", (unsigned long long)plans[0].frame_ns);
    CHECK(sched_window_at(&plans[0], 123456789) == 0, "dedicated window index");

    /* Three partitions share CPU 0: 10 ms, 5 ms, 20 ms; CPU 1 idle. */
    memset(&cfg, 0, sizeof(cfg));
    part(0, 0, 10000);
    part(1, 0, 5000);
    part(2, 0, 20000);
    CHECK(sched_plan(&cfg, 2, plans, &why) == 0, "plan failed: %s", why);
    CHECK(plans[0].nr == 3, "cpu0 has %u windows, want 3", plans[0].nr);
    CHECK(plans[0].frame_ns == 35000000ull, "major frame %llu ns, want 35 ms", (unsigned long long)plans[0].frame_ns);
    CHECK(plans[0].w[1].start_ns == 10000000ull && plans[0].w[1].len_ns == 5000000ull,
          "window 1 at %llu len %llu", (unsigned long long)plans[0].w[1].start_ns,
          (unsigned long long)plans[0].w[1].len_ns);
    CHECK(plans[0].w[2].start_ns == 15000000ull, "window 2 starts at %llu", (unsigned long long)plans[0].w[2].start_ns);
    CHECK(plans[1].nr == 0, "cpu1 should be idle, has %u windows", plans[1].nr);
    CHECK(sched_window_at(&plans[0], 0) == 0, "t=0");
    CHECK(sched_window_at(&plans[0], 9999999) == 0, "end of window 0");
    CHECK(sched_window_at(&plans[0], 10000000) == 1, "start of window 1");
    CHECK(sched_window_at(&plans[0], 14999999) == 1, "end of window 1");
    CHECK(sched_window_at(&plans[0], 15000000) == 2, "start of window 2");
    CHECK(sched_window_at(&plans[0], 35000000) == 0, "next major frame");
    CHECK(sched_window_at(&plans[0], 35000000ull * 1000 + 12000000) == 1, "1000 frames later");

    /* A multi-vcpu partition: one window per CPU it uses. */
    memset(&cfg, 0, sizeof(cfg));
    cfg.nr_parts = 2;
    cfg.parts[0].nr_cpus = 2;
    cfg.parts[0].cpus[0] = 0;
    cfg.parts[0].cpus[1] = 1;
    cfg.parts[0].window_us = 1000;
    part(1, 1, 3000);
    CHECK(sched_plan(&cfg, 2, plans, &why) == 0, "plan failed");
    CHECK(plans[0].nr == 1 && plans[0].w[0].vcpu == 0, "cpu0: dedicated to vcpu 0");
    CHECK(plans[1].nr == 2 && plans[1].w[0].vcpu == 1 && plans[1].w[1].part == 1,
          "cpu1: vcpu 1 of partition 0, then partition 1");
    CHECK(plans[1].frame_ns == 4000000ull, "cpu1 frame %llu", (unsigned long long)plans[1].frame_ns);

    /* More sharers than windows. */
    memset(&cfg, 0, sizeof(cfg));
    for (unsigned i = 0; i < HV_MAX_PARTITIONS; i++)
        part(i, 0, 1000);
    if (HV_MAX_PARTITIONS > HV_MAX_WINDOWS) {
        CHECK(sched_plan(&cfg, 1, plans, &why) < 0, "too many windows accepted");
    } else {
        CHECK(sched_plan(&cfg, 1, plans, &why) == 0 && plans[0].nr == HV_MAX_PARTITIONS,
              "all partitions fit in the windows");
    }
    return unit_finish("unit-schedule");
}
