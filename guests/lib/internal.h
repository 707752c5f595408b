/* Runtime-internal interfaces between lib/ and lib/<arch>/. */
#ifndef INTERNAL_H
#define INTERNAL_H
#include "rt.h"

typedef void (*irq_fn)(void *arg);

/* irq.c: the handler table the interrupt controller code dispatches from */
int irq_handler_add(unsigned id, irq_fn fn, void *arg);
void irq_handler_run(unsigned id);

/* rt.c: the arch's start-up code discovers the platform (lib/aarch64: DTB,
 * lib/x86_64: boot_params and ACPI), reports each virtio-mmio window with
 * rt_virtio_found, then calls rt_run_main. */
void rt_virtio_found(uintptr_t base, unsigned intid, int edge);
/* A device on any transport (s390x: virtio-ccw), by its virtio device ID. */
struct vdev;
void rt_virtio_attach(struct vdev *d, uint32_t device_id);
#define RT_MAX_VIRTIO 8
void __attribute__((noreturn)) rt_run_main(void);

/* arch: interrupt controller. intid is what the platform description gave
 * (aarch64: GIC INTID; x86_64: the vector the device's GSI was routed to);
 * the interrupt is enabled towards the calling CPU. */
int intc_enable_irq(unsigned intid, int edge, irq_fn fn, void *arg);
void __attribute__((noreturn)) arch_poweroff(void);

/* virtio console (virtio_console.c) */
int vcon_probe(struct vdev *d);
long vcon_write(const char *buf, size_t n);
long vcon_read(char *buf, size_t n);
void vcon_flush(void);
void vblk_found(struct vdev *d);	/* virtio_blk.c */
/* check.c: called by the arch's exception entry; returns only if no
 * rt_catch() is waiting for it */
void rt_exception_caught(uint64_t code, uint64_t info);
void rt_raw_puts(const char *s);	/* straight to the console, no stdio */
/* An arch's own console, used while there is no virtio console (s390x: the SCLP);
 * weak: absent elsewhere. */
long arch_console_write(const char *buf, size_t n) __attribute__((weak));
void arch_console_flush(void) __attribute__((weak));
void rt_warn(const char *fmt, ...);	/* queued until the console exists */

#endif
