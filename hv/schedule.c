/* Schedule computation: pure arithmetic, unit-tested on the host. */
#include "schedule.h"

int sched_plan(const struct hv_config *cfg, unsigned nr_cpus, struct cpu_plan *plans,
               const char **why)
{
    for (unsigned c = 0; c < nr_cpus; c++) {
        struct cpu_plan *p = &plans[c];
        p->nr = 0;
        p->frame_ns = 0;
        for (unsigned i = 0; i < cfg->nr_parts; i++) {
            const struct part_config *pc = &cfg->parts[i];
            for (unsigned v = 0; v < pc->nr_cpus; v++) {
                if (pc->cpus[v] != c)
                    continue;
                if (p->nr == HV_MAX_WINDOWS) {
                    *why = "too many partitions share one CPU";
                    return -1;
                }
                uint64_t len = (uint64_t)pc->window_us * 1000;
                p->w[p->nr++] = (struct sched_window){ i, v, p->frame_ns, len };
                p->frame_ns += len;
            }
        }
        if (p->nr == 1) { /* dedicated: the window is the whole time */
            p->w[0].start_ns = 0;
            p->w[0].len_ns = p->frame_ns = 0;
        }
    }
    return 0;
}

unsigned sched_window_at(const struct cpu_plan *p, uint64_t t)
{
    if (p->nr <= 1 || p->frame_ns == 0)
        return 0;
    uint64_t off = t % p->frame_ns;
    for (unsigned i = 0; i < p->nr; i++)
        if (off < p->w[i].start_ns + p->w[i].len_ns)
            return i;
    return p->nr - 1;
}
