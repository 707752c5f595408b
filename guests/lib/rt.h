/* Guest runtime API for the test programs (main() is called as int main(void)). */
#ifndef RT_H
#define RT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch.h"

extern const char *rt_bootargs;		/* aarch64: /chosen/bootargs; x86_64: the command line; "" if none */
extern uint64_t rt_mem_base, rt_mem_size;	/* aarch64: first /memory reg entry; x86_64: largest e820 RAM range */
extern const uint8_t *rt_initrd;		/* aarch64: /chosen linux,initrd-start; x86_64: boot_params */
extern size_t rt_initrd_size;			/* ramdisk fields; NULL/0 if none */

/* Bootargs: space-separated tokens. bootarg_next copies the next token into
 * tok and returns the position after it, or NULL when there are no more. */
const char *bootarg_next(const char *p, char *tok, size_t n);
unsigned long bootarg_ulong(const char *key, unsigned long def);
const char *bootarg_str(const char *key, char *buf, size_t n, const char *def);

/* Time (inline in arch.h): a free-running per-CPU counter and its frequency.
 *   uint64_t rt_counter(void);		aarch64: CNTVCT_EL0; x86_64: TSC
 *   uint64_t rt_counter_sync(void);	the same, not read ahead of earlier instructions
 *   uint64_t rt_counter_hz(void);	aarch64: CNTFRQ_EL0; x86_64: TSC Hz (hv CPUID or calibrated) */

void console_flush(void);		/* wait until the device consumed all output */
unsigned long console_notify_count(void);	/* QueueNotify writes by the console */
int vtimer_start(unsigned ms, void (*fn)(void));	/* fn runs in IRQ context */
void vtimer_stop(void);
void __attribute__((noreturn)) rt_poweroff(void);
/* Returns only on failure: aarch64 PSCI SYSTEM_RESET status; x86_64 -1 (no ACPI reset register). */
long rt_system_reset(void);
/* The cheapest request a hypervisor must answer itself (aarch64: PSCI_VERSION over HVC;
 * x86_64: CPUID leaf 0x40000000, intercepted by SVM and VMX). Returns >= 0, or < 0 on error. */
long rt_hv_null_call(void);
/* One of the hv's own calls (README, "Hypercalls"): nr and up to three arguments; the
 * result, or -1 for a number the hv does not have. */
long rt_hypercall(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2);
/* Make guest-physical [addr, addr + len) reachable at the same virtual address (already so
 * for everything the boot map covers). 0, or -1 if it cannot be mapped. */
int rt_map_phys(uint64_t addr, uint64_t len);

/* SMP. rt_cpu_hwid[] = the CPUs usable here, by hardware id: aarch64 the /cpus
 * entries (the boot CPU and those with enable-method "psci") as MPIDR affinity
 * (reg); x86_64 the enabled local APICs of the MADT, as APIC ids. cpu_hwid()
 * (arch.h) is the calling CPU's. stdio is not SMP-safe: other CPUs should
 * write() whole lines (one write is never interleaved). */
extern unsigned rt_ncpus;
extern uint64_t rt_cpu_hwid[RT_MAX_CPUS];
/* Start CPU hwid: fn(idx) runs there on stack idx (< RT_MAX_CPUS) with the boot
 * CPU's page tables and vectors, its interrupt controller on and IRQs unmasked;
 * the CPU goes off if fn returns. Returns 0 if started, else < 0 (aarch64: the
 * PSCI CPU_ON status). */
long cpu_start(unsigned idx, uint64_t hwid, void (*fn)(unsigned idx));
/* From any CPU (lib/smp_util.c): printf as one whole console line; busy waits. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void delay_ms(unsigned ms);
int wait_flag(volatile int *flag, unsigned seconds);	/* the flag's value at the end */
long rt_cpu_off(void);			/* this CPU off; returns only on failure */
#define RT_ENOTSUP	(-1000)		/* rt_cpu_state: not observable on this architecture */
long rt_cpu_state(uint64_t hwid);	/* 0 on, 1 off, 2 on pending, <0 error (PSCI AFFINITY_INFO) */
int sgi_enable(unsigned intid, void (*fn)(void));	/* intid 0-15, on this CPU; fn in IRQ context */
void sgi_send(unsigned intid, uint64_t hwid);

/* virtio-blk: the first one found (DTB or ACPI), 512-byte sectors. Blocking calls
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
uintptr_t blk_mmio_base(void);	/* its virtio-mmio window (0 if none), for raw probes */
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

/* Hostile tests (virtio_console.c): n console buffers of len bytes (each buf) handed to
 * the device with one notify; returns how many, once all are used. */
long vcon_flood(const void *buf, uint32_t len, unsigned n);

/* Checks (check.c): one "PASS name" or "FAIL name: why" line each (why only
 * printed on failure); check_summary() prints "SUMMARY: N checks, M failed"
 * and "VERDICT: PASS" or "VERDICT: FAIL" and returns main()'s exit status. */
bool check(bool ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void check_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned check_failures(void);
int check_summary(void);

/* Run fn(arg), catching a synchronous exception it takes on this CPU: returns
 * -1 if it returned normally, else the exception (aarch64: ESR_EL1.EC, *info =
 * ESR_EL1; x86_64: the vector, *info = the error code). Not nestable. */
#define RT_EC_UNDEF	0x00	/* aarch64 ESR_EL1.EC: unknown reason (undefined instruction) */
#define RT_EC_DABT	0x25	/* aarch64: data abort without a change in EL */
#define RT_VEC_UD	6	/* x86_64 #UD */
#define RT_VEC_GP	13	/* x86_64 #GP */
#define RT_VEC_PF	14	/* x86_64 #PF */
long rt_catch(void (*fn)(void *), void *arg, uint64_t *info);

/* Sleep (wfi, sti+hlt) until cond holds; cond is re-checked after every interrupt. */
#define WAIT_UNTIL(cond) do { \
	unsigned long f_ = irq_save(); \
	while (!(cond)) \
		rt_idle(f_); \
	irq_restore(f_); \
} while (0)

#endif
