/* Exit dispatch: what hv/ does with each generic exit record. */
#include "exit.h"
#include "hypercall.h"
#include "partition.h"

static void access_exit(struct vcpu *v, const struct vm_exit *e)
{
    struct partition *p = v->part;
    const struct mmio_region *r = mmio_find(&p->mmio, e->access.addr, e->access.size);
    uint64_t val = e->access.write ? e->access.value : 0;

    v->stats.exits_access++;
    if (!r) {
        part_stop(p, "%s of %u bytes at guest physical 0x%llx, outside its memory and devices "
                     "(pc 0x%llx)",
                  e->access.write ? "write" : "read", e->access.size,
                  (unsigned long long)e->access.addr, (unsigned long long)e->pc);
        return;
    }
    if (r->handler(v, r->ctx, e->access.addr - r->base, e->access.size, e->access.write,
                   &val) < 0) {
        part_stop(p, "%u-byte %s at device register 0x%llx is not supported (pc 0x%llx)",
                  e->access.size, e->access.write ? "write" : "read",
                  (unsigned long long)e->access.addr, (unsigned long long)e->pc);
        return;
    }
    if (e->access.size < 8)
        val &= (1ull << (8 * e->access.size)) - 1;
    arch_vcpu_access_done(v, val);
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
    case VM_EXIT_NONE:
        break;
    case VM_EXIT_ACCESS:
        access_exit(v, e);
        break;
    case VM_EXIT_WAIT:
        v->stats.exits_wait++;
        if (!arch_vcpu_irq_pending(v) && v->state == VCPU_RUNNING)
            v->state = VCPU_WAITING;
        break;
    case VM_EXIT_POWER:
        power_exit(v, e);
        break;
    case VM_EXIT_HYPERCALL:
        hypercall_handle(v, e);
        break;
    case VM_EXIT_FAULT:
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
