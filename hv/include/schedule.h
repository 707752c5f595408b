/* Static per-CPU schedules computed from the config (ARINC 653-style major frames). */
#ifndef HV_SCHEDULE_H
#define HV_SCHEDULE_H

#include "config.h"

struct sched_window {
    unsigned part;      /* partition index */
    unsigned vcpu;      /* vcpu index within it */
    uint64_t start_ns;  /* offset in the major frame */
    uint64_t len_ns;
};

struct cpu_plan {
    struct sched_window w[HV_MAX_WINDOWS];
    unsigned nr;        /* 0: idle CPU; 1: dedicated (no timer); >1: cyclic */
    uint64_t frame_ns;  /* major frame */
};

/* Build the plan of every CPU; <0 if a CPU would need more windows than fit (*why set). */
int sched_plan(const struct hv_config *cfg, unsigned nr_cpus, struct cpu_plan *plans,
               const char **why);
/* Index of the window active at time t (ns since the frame origin). */
unsigned sched_window_at(const struct cpu_plan *p, uint64_t t);

#endif
