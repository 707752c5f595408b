/* PSCI both ways: the hv calls the firmware's (SMC or HVC per the firmware DT) to start CPUs
 * and power off; partitions call the hv's (HVC, or SMC which is trapped). */
#include <libfdt.h>
#include <string.h>

#include "aarch64.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_AFFINITY_INFO 0xc4000004u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au

#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)

static bool use_hvc;

int psci_host_init(const void *fdt)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-0.2");
    if (node < 0)
        node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-1.0");
    if (node < 0)
        return -1;
    const char *m = fdt_getprop(fdt, node, "method", NULL);
    use_hvc = m && strcmp(m, "hvc") == 0;
    return 0;
}

int64_t psci_host_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn, x1 __asm__("x1") = a1, x2 __asm__("x2") = a2,
                      x3 __asm__("x3") = a3;
    if (use_hvc)
        __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
    else
        __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
    return (int64_t)x0;
}

static bool known_fn(uint32_t fn)
{
    switch (fn) {
    case PSCI_VERSION: case PSCI_CPU_OFF: case (uint32_t)PSCI_CPU_ON: case PSCI_CPU_ON_32:
    case PSCI_AFFINITY_INFO: case PSCI_AFFINITY_INFO_32: case PSCI_MIGRATE_INFO_TYPE:
    case (uint32_t)PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
        return true;
    }
    return false;
}

/* Decode a guest PSCI call. Returns true if it needs hv/ (filled *e), false if answered. */
bool psci_guest_call(struct vcpu *v, struct vm_exit *e)
{
    struct guest_regs *r = &v->arch.regs;
    uint32_t fn = (uint32_t)r->x[0];
    int64_t ret = PSCI_NOT_SUPPORTED;

    switch (fn) {
    case PSCI_VERSION:
        ret = 0x10000; /* 1.0 */
        break;
    case PSCI_FEATURES:
        ret = known_fn((uint32_t)r->x[1]) ? 0 : PSCI_NOT_SUPPORTED;
        break;
    case PSCI_MIGRATE_INFO_TYPE:
        ret = 2; /* no trusted OS to migrate */
        break;
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO_32: {
        uint64_t aff = r->x[1];
        if ((aff & 0xff) >= v->part->nr_vcpus || (aff & ~0xffull & 0xff00ffff00ull))
            ret = PSCI_INVALID_PARAMETERS;
        else
            ret = v->part->vcpus[aff & 0xff].state == VCPU_OFF ? 1 : 0;
        break;
    }
    case (uint32_t)PSCI_SYSTEM_OFF:
        e->reason = VM_EXIT_POWER;
        e->power.op = POWER_SYSTEM_OFF;
        return true;
    case PSCI_SYSTEM_RESET:
        e->reason = VM_EXIT_POWER;
        e->power.op = POWER_SYSTEM_RESET;
        return true;
    case PSCI_CPU_OFF:
        e->reason = VM_EXIT_POWER;
        e->power.op = POWER_CPU_OFF;
        return true;
    case (uint32_t)PSCI_CPU_ON:
    case PSCI_CPU_ON_32:
        if (r->x[1] & ~0xffull) {
            ret = PSCI_INVALID_PARAMETERS;
            break;
        }
        e->reason = VM_EXIT_POWER;
        e->power.op = POWER_CPU_ON;
        e->power.target = r->x[1] & 0xff;
        e->power.entry = fn == PSCI_CPU_ON_32 ? (uint32_t)r->x[2] : r->x[2];
        e->power.context = r->x[3];
        return true;
    default:
        break;
    }
    r->x[0] = (uint64_t)ret;
    return false;
}

void arch_vcpu_power_result(struct vcpu *v, int64_t result)
{
    v->arch.regs.x[0] = (uint64_t)result;
}
