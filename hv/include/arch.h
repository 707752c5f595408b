/*
 * The architecture contract: everything hv/ needs from arch/<arch>/, in one place.
 * A port implements each function below; hv/ never looks inside the arch types.
 * arch_types.h (from the arch's include directory) defines struct vcpu_arch,
 * struct part_arch and struct cpu_arch, which hv/ embeds without reading.
 *
 * Calling context, unless a function says otherwise: the hv runs with interrupts masked
 * everywhere except inside arch_cpu_idle() (and the guest), never sleeps and never
 * blocks except by spinning; "this CPU" is the caller's physical CPU. [boot] = once, on
 * the boot CPU, before any secondary runs guests; [own CPU] = only on the physical CPU the
 * vcpu is pinned to (its state may be live in that CPU's registers); [any CPU] = from any
 * CPU at any time, safe against the vcpu running. No contract function takes an hv lock
 * that its caller may hold, unless it says so.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include "types.h"
#include "arch_types.h"

struct vcpu;
struct partition;
struct boot_info;

/* ---- generic exit record: why arch_vcpu_run() came back ----
 * Exits carry values, never host pointers or register numbers: the port remembers where a
 * read's result goes and completes the instruction in arch_vcpu_access_done() or
 * arch_vcpu_hypercall_done(). */
enum vm_exit_reason {
    VM_EXIT_NONE,      /* nothing for hv/ to do (interrupt handled, trap emulated in arch) */
    VM_EXIT_ACCESS,    /* a device access: load/store to guest-physical memory with no RAM */
    VM_EXIT_WAIT,      /* the vcpu waits for an interrupt; PC already advanced */
    VM_EXIT_POWER,     /* a power request (PSCI, ACPI sleep, SIGP, DIAG 308); see .power */
    VM_EXIT_HYPERCALL, /* one of the hv's own calls (hypercall.h); see .hypercall */
    VM_EXIT_FAULT,     /* the guest did something the hv does not allow or cannot emulate */
};

enum vm_power_op { POWER_SYSTEM_OFF, POWER_SYSTEM_RESET, POWER_CPU_ON, POWER_CPU_OFF };

struct vm_exit {
    enum vm_exit_reason reason;
    union {
        struct {
            gpaddr_t addr;
            unsigned size;        /* bytes: 1, 2, 4 or 8 */
            bool write;
            uint64_t value;       /* a write's data, zero-extended from size bytes */
        } access;
        struct {
            unsigned nr;          /* HC_* */
            uint64_t arg[6];
        } hypercall;
        struct {
            enum vm_power_op op;
            unsigned target;      /* CPU_ON: vcpu index */
            gpaddr_t entry;       /* CPU_ON: where it starts */
            uint64_t context;     /* CPU_ON: its first argument */
        } power;
        struct {
            gpaddr_t addr;        /* faulting guest address, if any */
            bool has_addr;
            const char *what;     /* short description for the hv's message */
            uint64_t syndrome;    /* arch-specific detail (ESR on arm64) */
        } fault;
    };
    uint64_t pc; /* guest PC of the exiting instruction, for messages */
};

/* ---- boot and per-CPU ---- */

/* Fill the CPU count and the physical interrupt controller from the firmware description,
 * bring up the boot CPU's exception handling. [boot], first of all. */
int arch_platform_init(struct boot_info *bi);
/* Start physical CPU 'cpu', which calls hv_secondary_main(cpu) on its own stack. [boot] */
int arch_cpu_start(cpuid_t cpu);
/* Index of the calling physical CPU. [any CPU] */
cpuid_t arch_cpu_id(void);
/* Wait until an interrupt is pending (it is left pending for arch_irq_poll). This CPU,
 * from the scheduler with no lock held; the only place interrupts may be taken. */
void arch_cpu_idle(void);
/* Take and dispatch pending physical interrupts on this CPU (after arch_cpu_idle, or when
 * an exit was an interrupt); handlers run here, no hv lock held. */
void arch_irq_poll(void);
/* Make 'cpu' leave its guest or its idle wait soon so it re-reads its state (an IPI).
 * [any CPU], any lock held; asynchronous: it does not wait for the other CPU. */
void arch_cpu_kick(cpuid_t cpu);
/* Power the machine off (all partitions are gone or the config was rejected). Any CPU,
 * once; the others may still be in their idle loop. */
void __attribute__((noreturn)) arch_system_off(void);
/* Stop this CPU for good after a fatal hv error. */
void __attribute__((noreturn)) arch_halt(void);

/* ---- physical interrupts for drivers (interrupt specifier as in the firmware DT) ---- */
typedef void (*irq_handler_t)(void *ctx);
/* Decode a DT 'interrupts' specifier of the platform's interrupt controller; <0 if unknown. */
int arch_irq_from_fdt(const uint32_t *cells, unsigned ncells);
/* Route physical interrupt 'irq' to CPU 'cpu' and call handler there, from
 * arch_irq_poll. Driver probe time, on the boot CPU. */
int arch_irq_attach(unsigned irq, cpuid_t cpu, irq_handler_t handler, void *ctx);

/* ---- time ---- */
/* Monotonic nanoseconds, the same clock on every CPU. [any CPU] */
uint64_t arch_time_ns(void);
/* Arm this CPU's hv timer to call hv_timer_expired() at 'deadline_ns' (0 = off); it is
 * taken through arch_irq_poll (or as an exit from the guest). This CPU. */
void arch_timer_set(uint64_t deadline_ns);

/* ---- guest images and address layout ---- */
struct image_info {
    uint64_t load_offset; /* from the start of guest RAM */
    uint64_t footprint;   /* bytes the image occupies once running (text..bss) */
};
/* Check a guest kernel image; on failure return <0 and set *why. Pure: host-buildable,
 * called by the config parser (on the boot CPU, and in the host tools). */
int arch_image_parse(const void *data, size_t len, struct image_info *out, const char **why);
/* Guest-physical base of a partition's RAM. */
gpaddr_t arch_guest_ram_base(void);

/* Fill a partition's zeroed RAM with what its boot vcpu starts from: the image, its initrd
 * and the partition's description d rendered as the arch's guests read it (part_desc.h).
 * Returns 0 with the boot vcpu's entry point and first argument, or <0 after logging why.
 * Platform data must fit in the top GUEST_PLATFORM_SIZE bytes of RAM (d->platform_base),
 * which the configuration keeps free of the image. At creation [boot], and at a reset on
 * the resetting vcpu's CPU while every other vcpu of p is out of the guest and off. */
struct part_desc;
int arch_guest_load(struct partition *p, const struct part_desc *d, gpaddr_t *entry,
                    uint64_t *arg);
/* Make virtio device d (the partition's device d->line) reachable on the arch's transport:
 * virtio_mmio_attach(d, window) at the arch's address for the line, or the arch's own
 * (s390x: a virtual subchannel, virtio-ccw). [boot], at partition creation. */
struct virtio_dev;
int arch_virtio_attach(struct virtio_dev *d);

/* ---- partitions and vcpus ---- */
/* Create the second-stage address space and virtual interrupt controller. [boot] */
int arch_part_init(struct partition *p);
/* Map [gpa, gpa+size) to host [pa, ...) in the partition's second stage, read/write/exec.
 * [boot], before the partition's first vcpu runs. */
int arch_stage2_map(struct partition *p, gpaddr_t gpa, paddr_t pa, uint64_t size);
/* Drop every TLB entry tagged with the partition (after changing its tables). Any CPU;
 * the partition's vcpus see the change by their next entry at the latest. */
void arch_stage2_flush(struct partition *p);
/* Put a vcpu in its architected reset state, to start at 'entry' with 'arg' as first
 * argument. [any CPU] with p->lock held, the vcpu OFF (not in the guest); a port that can
 * only load state on the vcpu's own CPU defers that to its next arch_vcpu_run. */
void arch_vcpu_reset(struct vcpu *v, gpaddr_t entry, uint64_t arg);
/* Run the vcpu until the next exit that needs hv/, decoded into *exit. [own CPU], from the
 * scheduler, no lock held; interrupts taken in the guest come back as VM_EXIT_NONE
 * after the port dispatched them. */
void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit);
/* Make v the vcpu whose state (and so whose timer) is live on this CPU, saving the one
 * that was; a waiting vcpu must be loaded for its own timer to wake it. [own CPU] */
void arch_vcpu_load(struct vcpu *v);
/* Complete the VM_EXIT_ACCESS that v last returned: a read's destination gets 'value'
 * (the low 'size' bytes, extended as the instruction says), and v steps past it. Not
 * called if the access stopped the partition. [own CPU], before v runs again. */
void arch_vcpu_access_done(struct vcpu *v, uint64_t value);
/* Complete the VM_EXIT_HYPERCALL that v last returned with 'result'. [own CPU] */
void arch_vcpu_hypercall_done(struct vcpu *v, int64_t result);
/* Result of a power request (PSCI return value on arm64, SIGP condition code on s390x).
 * [own CPU], after the VM_EXIT_POWER that asked for it. */
void arch_vcpu_power_result(struct vcpu *v, int64_t result);
/* Does the vcpu have an interrupt it can take? (wakes it from VM_EXIT_WAIT) [own CPU],
 * from the scheduler, with v loaded. */
bool arch_vcpu_irq_pending(struct vcpu *v);
/* Raise a partition's device interrupt line n (edge; coalesced while pending). [any CPU],
 * also with the device's lock held (virtio notify paths): must not take device locks. */
void arch_part_irq_raise(struct partition *p, unsigned n);

/* ---- cache maintenance ---- */
/* Make memory the hv just wrote visible to a guest that may run with caches off, and to
 * its instruction fetches (after loading an image). Any CPU. */
void arch_sync_guest_memory(const void *addr, uint64_t size);

#endif
