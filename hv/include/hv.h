/* Core objects: boot information, partitions, vcpus, and the hv services arch/ calls. */
#ifndef HV_HV_H
#define HV_HV_H

#include "arch.h"
#include "guest_mem.h"
#include "limits.h"
#include "lock.h"
#include "mmio.h"
#include "types.h"

#define HV_VERSION "0.1.0"

#define BOOT_MAX_RANGES 32

/* What a boot protocol hands to hv_main(). */
struct boot_info {
    const void *fdt;               /* firmware device tree */
    struct mem_range ram[BOOT_MAX_RANGES];
    unsigned nr_ram;
    struct mem_range reserved[BOOT_MAX_RANGES]; /* hv image, bundle, fdt, firmware */
    unsigned nr_reserved;
    bool ranges_overflow;          /* more RAM or reserved ranges than fit: refuse to run */
    const void *bundle;            /* newc cpio: config.dtb + guest images */
    uint64_t bundle_size;
    unsigned nr_cpus;              /* filled by arch_platform_init */
    const char *arch_name;
};

/* Entered by the arch's early code with the platform device tree: builds the boot_info
 * and runs hv_main(). */
void __attribute__((noreturn)) hv_boot_fdt(const void *fdt, const char *arch_name);
void hv_main(struct boot_info *bi);

enum vcpu_state { VCPU_OFF, VCPU_RUNNING, VCPU_WAITING };
/* RESETTING: one vcpu (the reset's owner) reloads it; every vcpu is OFF meanwhile and any
 * further reset request of the partition collapses into this one. */
enum part_state { PART_RUNNING, PART_RESETTING, PART_STOPPED };

struct vcpu_stats {
    uint64_t exits;         /* every return from the guest, interrupts included */
    uint64_t exits_access, exits_wait, exits_power, exits_hypercall, exits_other;
    uint64_t run_ns;        /* time inside arch_vcpu_run */
};

struct vcpu {
    struct vcpu_arch arch;
    struct partition *part;
    unsigned index;       /* within the partition */
    cpuid_t pcpu;         /* physical CPU it is pinned to */
    volatile enum vcpu_state state;
    /* Its CPU is inside the guest or inside the hv's handling of its exit: its partition's
     * memory and devices may be in use (hv/partition.c: the stop and reset protocol). */
    volatile bool busy;
    struct vcpu_stats stats;
};

struct console_line;
struct virtio_dev;

struct partition {
    struct part_arch arch;
    unsigned id;
    char label[HV_LABEL_MAX];
    const struct part_config *cfg;
    struct guest_mem mem;          /* RAM: host range and its guest-physical base */
    gpaddr_t boot_entry;           /* where its boot vcpu starts (arch_guest_load) */
    uint64_t boot_arg;
    struct vcpu vcpus[HV_MAX_VCPUS];
    unsigned nr_vcpus;
    volatile enum part_state state;
    volatile bool reported;        /* stopped, and why and its statistics are logged */
    spinlock_t lock;               /* state and vcpu state changes */
    struct mmio_table mmio;        /* emulated device windows */
    struct virtio_dev *devs[HV_MAX_DEVS]; /* paravirtual devices; index = window and line */
    unsigned nr_devs;
    struct virtio_dev *console;    /* its virtio-console, if any */
    unsigned hypercalls_refused;   /* unknown hypercall numbers, for a bounded log */
    struct console_line *out;      /* its tagged output line buffer */
};

extern struct partition partitions[HV_MAX_PARTITIONS];
extern unsigned nr_partitions;

/* Entry points arch/ calls. */
void hv_secondary_main(cpuid_t cpu);
void hv_timer_expired(void);

/* Messages from the hv itself, tagged [hv]. */
void hv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __attribute__((noreturn)) hv_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
