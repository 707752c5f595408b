/*
 * The architecture contract: everything hv/ needs from arch/<arch>/, in one place.
 * A port implements each function below; hv/ never looks inside the arch types.
 * arch_types.h (from the arch's include directory) defines struct vcpu_arch,
 * struct part_arch and struct cpu_arch, which hv/ embeds without reading.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include "types.h"
#include "arch_types.h"

struct vcpu;
struct partition;
struct boot_info;

/* ---- generic exit record: why arch_vcpu_run() came back ---- */
enum vm_exit_reason {
    EXIT_NONE,      /* nothing for hv/ to do (interrupt handled, trap emulated in arch) */
    EXIT_MMIO,      /* load/store to a guest-physical address with no RAM behind it */
    EXIT_WFI,       /* the vcpu waits for an interrupt; PC already advanced */
    EXIT_POWER,     /* a power request (PSCI on arm64); see struct vm_exit.power */
    EXIT_FAULT,     /* the guest did something the hv does not allow or cannot emulate */
};

enum vm_power_op { POWER_SYSTEM_OFF, POWER_SYSTEM_RESET, POWER_CPU_ON, POWER_CPU_OFF };

struct vm_exit {
    enum vm_exit_reason reason;
    union {
        struct {
            gpaddr_t addr;
            unsigned size;  /* bytes: 1, 2, 4 or 8 */
            bool write;
            unsigned reg;   /* general register: source or destination */
            bool sign_extend;
        } mmio;
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
 * bring up the boot CPU's exception handling. Called once on the boot CPU. */
int arch_platform_init(struct boot_info *bi);
/* Start physical CPU 'cpu', which calls hv_secondary_main(cpu) on its own stack. */
int arch_cpu_start(cpuid_t cpu);
/* Index of the calling physical CPU. */
cpuid_t arch_cpu_id(void);
/* Wait until an interrupt is pending (it is left pending for arch_irq_poll). */
void arch_cpu_idle(void);
/* Take and dispatch pending physical interrupts on this CPU (used after arch_cpu_idle). */
void arch_irq_poll(void);
/* Make 'cpu' leave its guest soon so it re-reads its state (an IPI). */
void arch_cpu_kick(cpuid_t cpu);
/* Power the machine off (all partitions are gone or the config was rejected). */
void __attribute__((noreturn)) arch_system_off(void);
/* Stop this CPU for good after a fatal hv error. */
void __attribute__((noreturn)) arch_halt(void);

/* ---- physical interrupts for drivers (interrupt specifier as in the firmware DT) ---- */
typedef void (*irq_handler_t)(void *ctx);
/* Decode a DT 'interrupts' specifier of the platform's interrupt controller; <0 if unknown. */
int arch_irq_from_fdt(const uint32_t *cells, unsigned ncells);
/* Route physical interrupt 'irq' to CPU 'cpu' and call handler there. */
int arch_irq_attach(unsigned irq, cpuid_t cpu, irq_handler_t handler, void *ctx);

/* ---- time ---- */
uint64_t arch_time_ns(void);
/* Arm this CPU's hv timer to call hv_timer_expired() at 'deadline_ns' (0 = off). */
void arch_timer_set(uint64_t deadline_ns);

/* ---- guest images and address layout ---- */
struct image_info {
    uint64_t load_offset; /* from the start of guest RAM */
    uint64_t footprint;   /* bytes the image occupies once running (text..bss) */
};
/* Check a guest kernel image; on failure return <0 and set *why. Host-buildable. */
int arch_image_parse(const void *data, size_t len, struct image_info *out, const char **why);
/* Guest-physical base of a partition's RAM. */
gpaddr_t arch_guest_ram_base(void);
/* Guest-physical address and interrupt line of the n-th paravirtual device window. */
gpaddr_t arch_guest_dev_base(unsigned n);
#define ARCH_GUEST_DEV_SIZE 0x200

/* Fill a partition's zeroed RAM with what its boot vcpu starts from: the kernel image and
 * the platform description (a device tree at the top of RAM on arm64; boot_params, ACPI
 * tables and boot page tables on x86). Returns 0 with the boot vcpu's entry point and first
 * argument, or <0 after logging why. The description must fit in the top GUEST_FDT_SIZE
 * bytes, which the configuration keeps free of the image. */
int arch_guest_load(struct partition *p, gpaddr_t *entry, uint64_t *arg);

/* For arches whose guests boot with a device tree (hv/guest_fdt.c builds it):
 * add the arch nodes (cpus, interrupt controller, timer, firmware interface) to a guest's
 * device tree and return the phandle of its interrupt controller, <0 on error. */
int arch_guest_fdt(void *fdt, const struct partition *p);
/* Write the 'interrupts' cells for paravirtual device n; returns the number of cells. */
unsigned arch_guest_fdt_dev_irq(unsigned n, uint32_t *cells);
/* Make virtio device d (the partition's device d->line) reachable on the arch's transport:
 * virtio_mmio_attach(d), or the arch's own (s390x: a virtual subchannel, virtio-ccw). */
struct virtio_dev;
int arch_virtio_attach(struct virtio_dev *d);

/* ---- partitions and vcpus ---- */
/* Create the second-stage address space and virtual interrupt controller. */
int arch_part_init(struct partition *p);
/* Map [gpa, gpa+size) to host [pa, ...) in the partition's second stage, read/write/exec. */
int arch_stage2_map(struct partition *p, gpaddr_t gpa, paddr_t pa, uint64_t size);
/* Drop every TLB entry tagged with the partition (after changing its tables). */
void arch_stage2_flush(struct partition *p);
/* Put a vcpu in its architected reset state, to start at 'entry' with 'arg' as first argument. */
void arch_vcpu_reset(struct vcpu *v, gpaddr_t entry, uint64_t arg);
/* Run the vcpu on this CPU until the next exit that needs hv/, decoded into *exit. */
void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit);
/* Make v the vcpu whose state (and so whose timer) is live on this CPU, saving the one
 * that was; a waiting vcpu must be loaded for its own timer to wake it. */
void arch_vcpu_load(struct vcpu *v);
/* General registers, for emulation (MMIO data, hypercall results). */
uint64_t arch_vcpu_reg(struct vcpu *v, unsigned reg);
void arch_vcpu_set_reg(struct vcpu *v, unsigned reg, uint64_t val);
/* Step over the instruction that exited (after MMIO emulation). */
void arch_vcpu_skip(struct vcpu *v);
/* Result of a power request (PSCI return value on arm64). */
void arch_vcpu_power_result(struct vcpu *v, int64_t result);
/* Does the vcpu have an interrupt it can take? (wakes it from EXIT_WFI) */
bool arch_vcpu_irq_pending(struct vcpu *v);
/* Raise a partition's device interrupt line n (edge; coalesced while pending). Any CPU. */
void arch_part_irq_raise(struct partition *p, unsigned n);

/* ---- cache maintenance ---- */
/* Make memory the hv just wrote visible to a guest that may run with caches off, and to
 * its instruction fetches (after loading an image). */
void arch_sync_guest_memory(const void *addr, uint64_t size);

#endif
