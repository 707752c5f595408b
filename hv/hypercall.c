/* The hv's own hypercalls, arch-neutral (the ABI is in hypercall.h). */
#include "hypercall.h"
#include "hv.h"

#define UNKNOWN_LOGGED_MAX 8

void hypercall_handle(struct vcpu *v, const struct vm_exit *e)
{
    int64_t r;

    v->stats.exits_hypercall++;
    switch (e->hypercall.nr) {
    case HC_VERSION:
        r = HC_BASE | HC_ABI_VERSION;
        break;
    case HC_SELF:
        r = (int64_t)(v->part->id | v->index << 16 | (uint64_t)v->part->nr_vcpus << 32);
        break;
    default:
        /* A guest probing numbers is no reason to stop it; a few lines say it happened. */
        if (v->part->hypercalls_refused++ < UNKNOWN_LOGGED_MAX)
            hv_log("partition '%s': vcpu %u: hypercall %u is not provided (pc 0x%llx)",
                   v->part->label, v->index, e->hypercall.nr, (unsigned long long)e->pc);
        r = HC_ENOSYS;
        break;
    }
    arch_vcpu_hypercall_done(v, r);
}
