/* Partition life cycle. A partition owns its RAM and its vcpus; stopping one never touches
 * another.
 *
 * Who may touch a partition's memory and devices: a vcpu whose 'busy' is set (its CPU is in
 * the guest or in the hv's handling of its exit, hv/sched.c) and the owner of a reset.
 * - Stop: state STOPPED and every vcpu OFF under p->lock; nothing is reloaded, so vcpus that
 *   are still busy may finish their exit (they will not enter the guest again).
 * - Reset: under p->lock, a RUNNING partition becomes RESETTING with every vcpu OFF; the
 *   caller owns the reset. Requests that find it RESETTING (or STOPPED) return at once, so
 *   concurrent resets collapse into one. The owner waits until every other vcpu is no longer
 *   busy, and only then resets the devices and reloads memory; then RUNNING again, vcpu 0
 *   on. A vcpu checks both states after setting busy, so none can slip in meanwhile.
 * - A vcpu turning itself off that leaves none running stops the partition: nothing could
 *   ever start it again. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "part_desc.h"
#include "partition.h"
#include "virtio.h"

struct partition partitions[HV_MAX_PARTITIONS];
unsigned nr_partitions;

/* Fresh RAM, then the image and its platform description as the arch boots them. */
static int part_load(struct partition *p)
{
    struct part_desc d;

    memset(p->mem.host, 0, p->mem.size);
    part_describe(p, &d);
    if (arch_guest_load(p, &d, &p->boot_entry, &p->boot_arg) < 0)
        return -1;
    arch_sync_guest_memory(p->mem.host, p->mem.size);
    return 0;
}

static void start_boot_vcpu(struct partition *p)
{
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        p->vcpus[i].state = VCPU_OFF;
    arch_vcpu_reset(&p->vcpus[0], p->boot_entry, p->boot_arg);
    p->vcpus[0].state = VCPU_RUNNING;
}

int part_create(struct partition *p, unsigned id, const struct part_config *pc, struct disk *disk)
{
    p->id = id;
    p->cfg = pc;
    snprintf(p->label, sizeof(p->label), "%s", pc->label);
    p->mem = (struct guest_mem){ (uint8_t *)(uintptr_t)pc->mem_base, arch_guest_ram_base(),
                                 pc->mem_size };
    p->nr_vcpus = pc->nr_cpus;
    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        p->vcpus[i].part = p;
        p->vcpus[i].index = i;
        p->vcpus[i].pcpu = pc->cpus[i];
    }
    if (arch_part_init(p) < 0 || arch_stage2_map(p, p->mem.base, pc->mem_base, pc->mem_size) < 0) {
        hv_log("partition '%s': cannot create its address space", p->label);
        return -1;
    }
    if (pc->virtio_console) {
        p->console = virtio_console_create(p, p->nr_devs);
        if (!p->console)
            return -1;
        p->devs[p->nr_devs++] = p->console;
    }
    if (pc->block) {
        struct virtio_dev *d = virtio_blk_create(p, p->nr_devs, disk);
        if (!d)
            return -1;
        p->devs[p->nr_devs++] = d;
    }
    if (part_load(p) < 0)
        return -1;
    start_boot_vcpu(p);
    p->state = PART_RUNNING;
    return 0;
}

static void kick_others(struct partition *p)
{
    cpuid_t self = arch_cpu_id();
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        if (p->vcpus[i].pcpu != self)
            arch_cpu_kick(p->vcpus[i].pcpu);
}

/* What the partition cost: exits by reason, time in the guest, device traffic. */
static void part_report(const struct partition *p)
{
    struct vcpu_stats t = { 0 };

    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        const struct vcpu_stats *s = &p->vcpus[i].stats;
        t.exits += s->exits;
        t.exits_access += s->exits_access;
        t.exits_wait += s->exits_wait;
        t.exits_power += s->exits_power;
        t.exits_hypercall += s->exits_hypercall;
        t.exits_other += s->exits_other;
        t.run_ns += s->run_ns;
    }
    hv_log("partition '%s' stats: %llu ms in guest, %llu exits (device access %llu, wait %llu, "
           "power %llu, hypercall %llu, fault %llu, interrupt or other %llu)",
           p->label, (unsigned long long)(t.run_ns / 1000000), (unsigned long long)t.exits,
           (unsigned long long)t.exits_access, (unsigned long long)t.exits_wait,
           (unsigned long long)t.exits_power, (unsigned long long)t.exits_hypercall,
           (unsigned long long)t.exits_other,
           (unsigned long long)(t.exits - t.exits_access - t.exits_wait - t.exits_power -
                                t.exits_hypercall - t.exits_other));
    for (unsigned i = 0; i < p->nr_devs; i++)
        hv_log("partition '%s' stats: %s: %llu requests, %llu notifies, %llu interrupts", p->label,
               p->devs[i]->ops->name, (unsigned long long)p->devs[i]->requests,
               (unsigned long long)p->devs[i]->notifies, (unsigned long long)p->devs[i]->interrupts);
}

void part_stop(struct partition *p, const char *fmt, ...)
{
    char why[256];
    va_list ap;

    spin_lock(&p->lock);
    if (p->state == PART_STOPPED) {
        spin_unlock(&p->lock);
        return;
    }
    p->state = PART_STOPPED;
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        p->vcpus[i].state = VCPU_OFF;
    spin_unlock(&p->lock);
    kick_others(p);

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (p->console)
        console_part_close(p);
    hv_log("partition '%s' stopped: %s", p->label, why);
    part_report(p);
    __atomic_store_n(&p->reported, true, __ATOMIC_RELEASE);
}

void part_reset(struct partition *p)
{
    cpuid_t self = arch_cpu_id();

    spin_lock(&p->lock);
    if (p->state != PART_RUNNING) {
        spin_unlock(&p->lock); /* stopped, or this request joins the reset under way */
        return;
    }
    p->state = PART_RESETTING;
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        __atomic_store_n(&p->vcpus[i].state, VCPU_OFF, __ATOMIC_SEQ_CST);
    spin_unlock(&p->lock);
    kick_others(p);
    /* Its memory and devices are about to be reset: no other vcpu of it may be in the guest
     * or in an exit handler. (Vcpus of one partition are on distinct CPUs.) */
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        if (p->vcpus[i].pcpu != self)
            while (__atomic_load_n(&p->vcpus[i].busy, __ATOMIC_ACQUIRE))
                ;
    if (p->console)
        console_part_close(p);
    hv_log("partition '%s' resets (guest request)", p->label);
    for (unsigned i = 0; i < p->nr_devs; i++)
        virtio_dev_reset(p->devs[i]);
    if (part_load(p) < 0) {
        part_stop(p, "reset failed");
        return;
    }
    spin_lock(&p->lock);
    bool start = p->state == PART_RESETTING; /* not stopped meanwhile */
    if (start) {
        start_boot_vcpu(p);
        p->state = PART_RUNNING;
    }
    spin_unlock(&p->lock);
    if (start && p->vcpus[0].pcpu != self)
        arch_cpu_kick(p->vcpus[0].pcpu);
}

void part_vcpu_off(struct vcpu *v)
{
    struct partition *p = v->part;
    bool any_on = false;

    spin_lock(&p->lock);
    v->state = VCPU_OFF;
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        any_on |= p->vcpus[i].state != VCPU_OFF;
    bool last = !any_on && p->state == PART_RUNNING;
    spin_unlock(&p->lock);
    if (last)
        part_stop(p, "every vcpu has turned itself off (vcpu %u was the last)", v->index);
}

int part_vcpu_on(struct partition *p, unsigned target, gpaddr_t entry, uint64_t context)
{
    int r = 0;

    if (target >= p->nr_vcpus)
        return -2; /* INVALID_PARAMETERS */
    if (!guest_ptr(&p->mem, entry, 4))
        return -9; /* INVALID_ADDRESS */
    spin_lock(&p->lock);
    struct vcpu *v = &p->vcpus[target];
    if (p->state != PART_RUNNING)
        r = -2;
    else if (v->state != VCPU_OFF)
        r = -4; /* ALREADY_ON */
    else {
        arch_vcpu_reset(v, entry, context);
        v->state = VCPU_RUNNING;
    }
    spin_unlock(&p->lock);
    if (r == 0 && v->pcpu != arch_cpu_id())
        arch_cpu_kick(v->pcpu);
    return r;
}

bool part_all_stopped(void)
{
    for (unsigned i = 0; i < nr_partitions; i++)
        if (!__atomic_load_n(&partitions[i].reported, __ATOMIC_ACQUIRE))
            return false;   /* running, or its stop not logged yet (powering off would lose it) */
    return true;
}
