/* Physical CPUs: lowcores, interruption handlers, start-up of the others, idle, kicks and
 * power. The hv runs with DAT off, disabled for I/O and external interruptions except
 * inside SIE and while idle; the handlers only record what came (deferred work runs in
 * arch_irq_poll and after each SIE exit), so no hv code is ever interrupted holding a lock.
 * Each CPU has its own 8 KiB prefix area; CPU 0 keeps prefix 0. A CPU reaches its own
 * lowcore through real addresses 0-0x1fff only: the absolute address of its prefix area
 * is, for it, CPU 0's lowcore. */
#include <libfdt.h>
#include <string.h>

#include "console.h"
#include "hv.h"
#include "s390.h"
#include "sclp.h"

#define STACK_SIZE KIB(32)

static uint8_t lowcores[HV_MAX_CPUS][LC_SIZE] __attribute__((aligned(LC_SIZE)));
static uint8_t stacks[HV_MAX_CPUS][STACK_SIZE] __attribute__((aligned(4096)));
static uint16_t cpu_addr[HV_MAX_CPUS];
static unsigned nr_cpus;

struct cpu_state cpus[HV_MAX_CPUS];

extern char s390_ext_entry[], s390_io_entry[], s390_pgm_entry[], s390_mck_entry[],
    s390_svc_entry[], s390_restart_entry[], sie_insn[], sie_exit[];

static struct psw disabled_wait_psw(uint64_t code)
{
    return (struct psw){ PSW_MASK_WAIT | PSW_MASK_64, code };
}

/* The new PSWs of a lowcore: every handler runs disabled, 64-bit, DAT off. */
static void lowcore_init(uint8_t *lc, cpuid_t cpu)
{
    struct { unsigned off; char *entry; } pairs[] = {
        { LC_EXT_NEW_PSW, s390_ext_entry }, { LC_IO_NEW_PSW, s390_io_entry },
        { LC_PGM_NEW_PSW, s390_pgm_entry }, { LC_MCK_NEW_PSW, s390_mck_entry },
        { LC_SVC_NEW_PSW, s390_svc_entry }, { LC_RESTART_NEW_PSW, s390_restart_entry },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(pairs); i++) {
        struct psw psw = { PSW_MASK_64, (uint64_t)(uintptr_t)pairs[i].entry };
        memcpy(lc + pairs[i].off, &psw, sizeof(psw));
    }
    uint64_t stack = (uint64_t)(uintptr_t)(stacks[cpu] + STACK_SIZE);
    uint64_t id = cpu;
    memcpy(lc + LC_HV_STACK, &stack, 8);
    memcpy(lc + LC_HV_CPU, &id, 8);
    memset(lc + LC_HV_VCPU, 0, 8);
    struct psw wait = { PSW_MASK_WAIT | PSW_MASK_EXT | PSW_MASK_IO | PSW_MASK_64, 0 };
    memcpy(lc + LC_HV_WAIT_PSW, &wait, sizeof(wait));   /* s390_wait_enabled sets the address */
}

/* Control registers of a CPU running the hv: external subclasses for the clock comparator
 * (the hv's timer) and emergency signals (kicks); the service signal (SCLP: console input)
 * on CPU 0 only, so that it is not taken by a CPU that is not waiting for it. */
static void cpu_control_init(cpuid_t cpu)
{
    uint64_t cr0 = stctg(0);
    cr0 |= CR0_CLOCK_COMP | CR0_EMERGENCY | CR0_EXTERNAL_CALL | CR0_AFP;
    cr0 &= ~(CR0_SERVICE_SIGNAL | CR0_CPU_TIMER);
    if (cpu == 0)
        cr0 |= CR0_SERVICE_SIGNAL;
    lctlg(0, cr0);
    lctlg(6, 0);        /* no I/O interruptions: drivers poll */
    lctlg(14, 0);       /* no machine-check subclasses */
    sckc(~0ull);
}

void s390_boot_lowcore(void)
{
    lowcore_init(lowcore(), 0);
}

cpuid_t arch_cpu_id(void)
{
    uint64_t id;
    __asm__ volatile("lg %0,%1" : "=d"(id) : "i"(LC_HV_CPU) : "memory");
    return (cpuid_t)id;
}

uint16_t s390_cpu_address(cpuid_t cpu)
{
    return cpu_addr[cpu];
}

int arch_platform_init(struct boot_info *bi)
{
    const void *fdt = bi->fdt;
    int cpus_node = fdt ? fdt_path_offset(fdt, "/cpus") : -1, node, len;

    nr_cpus = 0;
    if (cpus_node >= 0)
        fdt_for_each_subnode(node, fdt, cpus_node) {
            const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
            if (!reg || len != 4 || nr_cpus == HV_MAX_CPUS)
                continue;
            cpu_addr[nr_cpus++] = (uint16_t)fdt32_to_cpu(*reg);
        }
    /* The hv's CPU 0 is the one running this (the IPL CPU), whatever the order. */
    uint16_t self = stap();
    unsigned at = 0;
    while (at < nr_cpus && cpu_addr[at] != self)
        at++;
    if (at == nr_cpus) {
        nr_cpus = 1;
        cpu_addr[0] = self;
    } else {
        cpu_addr[at] = cpu_addr[0];
        cpu_addr[0] = self;
    }
    bi->nr_cpus = nr_cpus;
    lowcore_init(lowcore(), 0);     /* CPU 0: prefix 0, its lowcore is absolute 0 */
    cpu_control_init(0);
    s390_timer_init();
    return 0;
}

void s390_secondary_start(cpuid_t cpu)
{
    cpu_control_init(cpu);
    hv_secondary_main(cpu);
    arch_halt();
}

int arch_cpu_start(cpuid_t cpu)
{
    uint32_t status;
    int cc;

    if (cpu >= nr_cpus)
        return -1;
    lowcore_init(lowcores[cpu], cpu);
    /* A CPU that is still stopping reports busy (cc 2) for a moment. */
    for (unsigned tries = 0; tries < 1000000; tries++) {
        cc = sigp(cpu_addr[cpu], SIGP_SET_PREFIX, (uint64_t)(uintptr_t)lowcores[cpu], &status);
        if (cc != 2)
            break;
    }
    if (cc != 0) {
        hv_log("CPU %u (address %u): SIGP set prefix: cc %d, status 0x%x", cpu, cpu_addr[cpu], cc,
               cc == 1 ? status : 0);
        return -1;
    }
    cc = sigp(cpu_addr[cpu], SIGP_RESTART, 0, &status);
    if (cc != 0) {
        hv_log("CPU %u (address %u): SIGP restart: cc %d", cpu, cpu_addr[cpu], cc);
        return -1;
    }
    return 0;
}

void arch_cpu_kick(cpuid_t cpu)
{
    if (cpu < nr_cpus)
        sigp(cpu_addr[cpu], SIGP_EMERGENCY, 0, NULL);
}

void arch_cpu_idle(void)
{
    s390_timer_idle_enter();
    s390_wait_enabled();
    s390_timer_idle_exit();
}

void arch_irq_poll(void)
{
    struct cpu_state *c = &cpus[arch_cpu_id()];
    uint32_t work = __atomic_exchange_n(&c->deferred, 0, __ATOMIC_ACQ_REL);

    if (work & DEFER_TIMER)
        s390_timer_fired();
    if ((work & DEFER_SCLP_EVENT) && c->sclp_handler)
        c->sclp_handler(c->sclp_ctx);
}

int arch_irq_from_fdt(const uint32_t *cells, unsigned ncells)
{
    return ncells == 1 && cells[0] == SCLP_IRQ_EVENT ? SCLP_IRQ_EVENT : -1;
}

int arch_irq_attach(unsigned irq, cpuid_t cpu, irq_handler_t handler, void *ctx)
{
    /* The only physical interrupt a driver takes: SCLP events, where the service signal
     * is enabled (CPU 0). */
    if (irq != SCLP_IRQ_EVENT || cpu != 0)
        return -1;
    cpus[cpu].sclp_ctx = ctx;
    cpus[cpu].sclp_handler = handler;
    return 0;
}

/* ---- interruption handlers (C halves of entry.S) ---- */

/* Leave SIE (or skip entering it) and the enabled wait, so the deferred work runs now. */
static void resume_in_hv(struct psw *old)
{
    if (old->addr == (uint64_t)(uintptr_t)sie_insn)
        old->addr = (uint64_t)(uintptr_t)sie_exit;
    if (old->mask & PSW_MASK_WAIT)
        old->mask &= ~(PSW_MASK_WAIT | PSW_MASK_IO | PSW_MASK_EXT);
}

void s390_ext_interrupt(struct psw *old)
{
    struct cpu_state *c = &cpus[arch_cpu_id()];
    uint16_t code = lc_read16(LC_EXT_CODE);
    uint32_t param = lc_read32(LC_EXT_PARAMS);

    switch (code) {
    case EXT_CLOCK_COMP:
        sckc(~0ull);        /* until the timer is re-armed */
        __atomic_or_fetch(&c->deferred, DEFER_TIMER, __ATOMIC_RELEASE);
        break;
    case EXT_SERVICE_SIGNAL:
        if (sclp_service_signal_event(param))
            __atomic_or_fetch(&c->deferred, DEFER_SCLP_EVENT, __ATOMIC_RELEASE);
        break;
    default:                /* emergency signal, external call: a kick, nothing more */
        break;
    }
    resume_in_hv(old);
}

void s390_io_interrupt(struct psw *old)
{
    resume_in_hv(old);      /* none are enabled (CR6 = 0): drivers poll */
}

static void __attribute__((noreturn)) hv_exception(const char *what, const struct psw *old,
                                                   unsigned code)
{
    const uint64_t *r = (const uint64_t *)(lowcore() + LC_HV_PGM_SAVE);
    hv_log("hv exception: %s 0x%x on CPU %u at PSW %016llx %016llx (TEID 0x%llx)", what, code,
           arch_cpu_id(), (unsigned long long)old->mask, (unsigned long long)old->addr,
           (unsigned long long)lc_read64(LC_TRANS_EXC_ID));
    for (unsigned i = 0; i < 16; i += 4)
        hv_log("  r%-2u %016llx %016llx %016llx %016llx", i, (unsigned long long)r[i],
               (unsigned long long)r[i + 1], (unsigned long long)r[i + 2],
               (unsigned long long)r[i + 3]);
    console_drain();
    arch_halt();
}

void s390_pgm_interrupt(struct psw *old)
{
    uint16_t code = lc_read16(LC_PGM_CODE) & 0x7fff;
    struct vcpu *v;

    /* A guest access through the partition's DAT tables that found no page: the SIE
     * instruction is nullified and the old PSW points at it. */
    __asm__ volatile("lg %0,%1" : "=d"(v) : "i"(LC_HV_VCPU) : "memory");
    if (v && old->addr == (uint64_t)(uintptr_t)sie_insn) {
        v->arch.pgm_code = code;
        v->arch.pgm_addr = lc_read64(LC_TRANS_EXC_ID) & ~0xfffull;
        old->addr = (uint64_t)(uintptr_t)sie_exit;
        return;
    }
    hv_exception("program interruption", old, code);
}

void s390_mck_interrupt(struct psw *old)
{
    hv_exception("machine check", old, 0);
}

void s390_svc_interrupt(struct psw *old)
{
    hv_exception("supervisor call", old, lc_read16(0x8a));
}

void __attribute__((noreturn)) arch_system_off(void)
{
    /* Other CPUs stop first; this one ends in a disabled wait, code 0 (what an
     * operator or an emulator sees as "the system is down"). */
    for (cpuid_t c = 0; c < nr_cpus; c++)
        if (c != arch_cpu_id())
            sigp(cpu_addr[c], SIGP_STOP, 0, NULL);
    struct psw psw = disabled_wait_psw(0);
    __asm__ volatile("lpswe %0" : : "Q"(psw) : "memory");
    __builtin_unreachable();
}

void __attribute__((noreturn)) arch_halt(void)
{
    struct psw psw = disabled_wait_psw(0xdead);
    __asm__ volatile("lpswe %0" : : "Q"(psw) : "memory");
    __builtin_unreachable();
}

void arch_sync_guest_memory(const void *addr, uint64_t size)
{
    (void)addr, (void)size; /* s390x caches are coherent, also for instruction fetch */
}
