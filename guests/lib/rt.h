/* Guest runtime API for the test programs (main() is called as int main(void)). */
#ifndef RT_H
#define RT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch.h"

extern const char *rt_bootargs;		/* /chosen/bootargs, "" if none */
extern uint64_t rt_mem_base, rt_mem_size;	/* first /memory reg entry */

/* Bootargs: space-separated tokens. bootarg_next copies the next token into
 * tok and returns the position after it, or NULL when there are no more. */
const char *bootarg_next(const char *p, char *tok, size_t n);
unsigned long bootarg_ulong(const char *key, unsigned long def);
const char *bootarg_str(const char *key, char *buf, size_t n, const char *def);

void console_flush(void);		/* wait until the device consumed all output */
unsigned long console_notify_count(void);	/* QueueNotify writes by the console */
int vtimer_start(unsigned ms, void (*fn)(void));	/* fn runs in IRQ context */
void vtimer_stop(void);
void __attribute__((noreturn)) rt_poweroff(void);
long psci_system_reset(void);		/* returns only on failure (PSCI status) */

/* SMP. rt_cpu_mpidr[] = the /cpus entries usable here (the boot CPU and those
 * with enable-method "psci"), as MPIDR affinity (reg). stdio is not SMP-safe:
 * other CPUs should write() whole lines (one write is never interleaved). */
extern unsigned rt_ncpus;
extern uint64_t rt_cpu_mpidr[RT_MAX_CPUS];
/* PSCI CPU_ON: fn(idx) runs on CPU mpidr on stack idx (< RT_MAX_CPUS) with the
 * boot CPU's MMU tables and vectors, its GIC CPU interface on and IRQs
 * unmasked; CPU_OFF if fn returns. Returns the PSCI status (0 = started). */
long cpu_start(unsigned idx, uint64_t mpidr, void (*fn)(unsigned idx));
long psci_cpu_off(void);		/* returns only on failure */
long psci_affinity_info(uint64_t mpidr);	/* 0 on, 1 off, 2 on pending, <0 error */
int sgi_enable(unsigned intid, void (*fn)(void));	/* on this CPU; fn in IRQ context */
void sgi_send(unsigned intid, uint64_t mpidr);

/* virtio-blk: the first one in the DTB, 512-byte sectors. Blocking calls
 * return 0 or a BLK_E* code; they do not check bounds or the read-only flag
 * (that is the device's job). Not SMP-safe: use from one CPU. */
#define BLK_EIO		(-1)	/* device status IOERR */
#define BLK_EUNSUPP	(-2)	/* device status UNSUPP */
#define BLK_ENEEDS_RESET (-3)	/* device set DEVICE_NEEDS_RESET; blk_init() again */
#define BLK_ENODEV	(-4)	/* no usable device */
#define BLK_EBUSY	(-5)	/* blk_submit: ring full */
#define BLK_ETIMEDOUT	(-6)	/* blk_set_timeout expired; blk_init() again */
#define BLK_PENDING	1	/* *status_out of a submitted, unfinished request */
int blk_init(void);		/* (re)set up the device: 0, or BLK_ENODEV */
uint64_t blk_sectors(void);
bool blk_read_only(void);
int blk_read(uint64_t sector, void *buf, uint32_t count);
int blk_write(uint64_t sector, const void *buf, uint32_t count);
int blk_flush(void);
int blk_get_id(char buf[21]);	/* NUL-terminated */
/* Batch: queue without notifying (BLK_EBUSY if the ring is full), one notify
 * for everything queued, wait until nothing is in flight. */
int blk_submit(bool write, uint64_t sector, void *buf, uint32_t count, int *status_out);
void blk_kick(void);
void blk_wait_all(void);
/* For probing the device: any type, data address and length (0 = no data
 * descriptor), blocking. */
int blk_raw(uint32_t type, uint64_t sector, uint64_t addr, uint32_t len, bool device_writes);
void blk_set_timeout_ms(unsigned ms);	/* bound on every wait; 0 = forever */
unsigned long blk_notify_count(void);
unsigned long blk_irq_count(void);
const char *blk_strerror(int rc);	/* "ok", "IOERR", "UNSUPP", "needs-reset", ... */

/* Sleep (wfi) until cond holds; cond is re-checked after every interrupt. */
#define WAIT_UNTIL(cond) do { \
	unsigned long f_ = irq_save(); \
	while (!(cond)) \
		rt_idle(f_); \
	irq_restore(f_); \
} while (0)

#endif
