/* Per-CPU scheduler: dedicated CPUs run their vcpu; shared CPUs follow the cyclic plan. */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include "schedule.h"

int sched_init(const struct hv_config *cfg, unsigned nr_cpus);
/* Does CPU 'cpu' have anything to run? */
bool sched_cpu_used(cpuid_t cpu);
void __attribute__((noreturn)) sched_run(cpuid_t cpu);

#endif
