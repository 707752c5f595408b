/* Exit dispatch: what hv/ does with each generic exit record. */
#include "exit.h"
#include "partition.h"

static void mmio_exit(struct vcpu *v, const struct vm_exit *e)
{
    struct partition *p = v->part;
    const struct mmio_region *r = mmio_find(&p->mmio, e->mmio.addr, e->mmio.size);
    uint64_t val = 0;

    v->stats.exits_mmio++;
    if (!r) {
        part_stop(p, "%s of %u bytes at guest physical 0x%llx, outside its memory and devices "
                     "(pc 0x%llx)",
                  e->mmio.write ? "write" : "read", e->mmio.size,
                  (unsigned long long)e->mmio.addr, (unsigned long long)e->pc);
        return;
    }
    if (e->mmio.write)
        val = arch_vcpu_reg(v, e->mmio.reg);
    if (e->mmio.size < 8)
        val &= (1ull << (8 * e->mmio.size)) - 1;
    if (r->handler(v, r->ctx, e->mmio.addr - r->base, e->mmio.size, e->mmio.write, &val) < 0) {
        part_stop(p, "%u-byte %s at device register 0x%llx is not supported (pc 0x%llx)",
                  e->mmio.size, e->mmio.write ? "write" : "read",
                  (unsigned long long)e->mmio.addr, (unsigned long long)e->pc);
        return;
    }
    if (!e->mmio.write) {
        if (e->mmio.sign_extend && e->mmio.size < 8) {
            uint64_t sign = 1ull << (8 * e->mmio.size - 1);
            val = (val ^ sign) - sign;
        }
        arch_vcpu_set_reg(v, e->mmio.reg, val);
    }
    arch_vcpu_skip(v);
}

static void power_exit(struct vcpu *v, const struct vm_exit *e)
{
    struct partition *p = v->part;

    v->stats.exits_power++;
    switch (e->power.op) {
    case POWER_SYSTEM_OFF:
        part_stop(p, "powered off by the guest");
        break;
    case POWER_SYSTEM_RESET:
        part_reset(p);
        break;
    case POWER_CPU_ON:
        arch_vcpu_power_result(v, part_vcpu_on(p, e->power.target, e->power.entry,
                                               e->power.context));
        break;
    case POWER_CPU_OFF:
        part_vcpu_off(v);
        break;
    }
}

void exit_handle(struct vcpu *v, const struct vm_exit *e)
{
    switch (e->reason) {
    case EXIT_NONE:
        break;
    case EXIT_MMIO:
        mmio_exit(v, e);
        break;
    case EXIT_WFI:
        v->stats.exits_wfi++;
        if (!arch_vcpu_irq_pending(v) && v->state == VCPU_RUNNING)
            v->state = VCPU_WAITING;
        break;
    case EXIT_POWER:
        power_exit(v, e);
        break;
    case EXIT_FAULT:
        v->stats.exits_other++;
        if (e->fault.has_addr)
            part_stop(v->part, "%s at guest physical 0x%llx (pc 0x%llx, syndrome 0x%llx)",
                      e->fault.what, (unsigned long long)e->fault.addr,
                      (unsigned long long)e->pc, (unsigned long long)e->fault.syndrome);
        else
            part_stop(v->part, "%s (pc 0x%llx, syndrome 0x%llx)", e->fault.what,
                      (unsigned long long)e->pc, (unsigned long long)e->fault.syndrome);
        break;
    }
}
