/* Interfaces inside lib/aarch64/. */
#ifndef AARCH64_H
#define AARCH64_H
#include "internal.h"

/* DTB helpers (dt.c) */
int dt_reg(const void *fdt, int node, int idx, uint64_t *addr, uint64_t *size);
int dt_irq(const void *fdt, int node, int idx, unsigned *intid, int *edge);

int gic_init(uint64_t dist, uint64_t redist, uint64_t redist_size);
int gic_cpu_init(void);
void gic_send_sgi(unsigned intid, uint64_t mpidr);
void psci_init(int use_smc);
long psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx);
void mmu_map_ram(uint64_t base, uint64_t size);
extern unsigned rt_timer_intid;

#endif
