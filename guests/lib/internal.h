/* Runtime-internal interfaces between lib/ and lib/<arch>/. */
#ifndef INTERNAL_H
#define INTERNAL_H
#include "rt.h"

typedef void (*irq_fn)(void *arg);

/* DTB helpers (dt.c) */
int dt_reg(const void *fdt, int node, int idx, uint64_t *addr, uint64_t *size);
int dt_irq(const void *fdt, int node, int idx, unsigned *intid, int *edge);

/* arch */
int gic_init(uint64_t dist, uint64_t redist, uint64_t redist_size);
int gic_cpu_init(void);
int gic_enable_irq(unsigned intid, int edge, irq_fn fn, void *arg);
void gic_send_sgi(unsigned intid, uint64_t mpidr);
void psci_init(int use_smc);
long psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx);
void __attribute__((noreturn)) psci_system_off(void);
void mmu_map_ram(uint64_t base, uint64_t size);
extern unsigned rt_timer_intid;

/* virtio console (virtio_console.c); base = virtio-mmio window */
int vcon_probe(uintptr_t base, unsigned intid, int edge);
long vcon_write(const char *buf, size_t n);
long vcon_read(char *buf, size_t n);
void vcon_flush(void);
void vblk_found(uintptr_t base, unsigned intid, int edge);	/* virtio_blk.c */
void rt_raw_puts(const char *s);	/* straight to the console, no stdio */
void rt_warn(const char *fmt, ...);	/* queued until the console exists */

#endif
