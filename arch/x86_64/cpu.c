/* x86_64 CPUs: descriptor tables, traps, the boot path into hv/, starting the other CPUs,
 * idling and stopping. The hv runs with interrupts masked; they are taken only where it
 * waits or polls (arch_cpu_idle, arch_irq_poll). */
#include <libfdt.h>
#include <string.h>

#include "console.h"
#include "virt.h"

struct cpu_local cpu_locals[HV_MAX_CPUS] __attribute__((aligned(4096)));
unsigned nr_cpus_found;
static uint32_t cpu_apic_ids[HV_MAX_CPUS];
static uint64_t cpu_start_page;     /* below 1 MiB, from hvboot */
static uint64_t pm1a_cnt;           /* ACPI PM1a control port, for power-off */
static unsigned s5_typ;

struct idt_entry {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, res;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern char trap_stubs[];

static void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++) {
        uint64_t a = (uint64_t)trap_stubs + 16 * v;
        idt[v] = (struct idt_entry){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16),
                                     (uint32_t)(a >> 32), 0 };
    }
}

void cpu_init_local(struct cpu_local *c)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr, idtr;
    uint64_t tss = (uint64_t)&c->tss;

    c->self = c;
    c->gdt[0] = 0;
    c->gdt[1] = 0x00af9a000000ffffull;      /* 0x08: 64-bit code */
    c->gdt[2] = 0x00cf92000000ffffull;      /* 0x10: data */
    c->gdt[3] = (sizeof(c->tss) - 1) | (tss & 0xffffff) << 16 | 0x89ull << 40 |
                ((tss >> 24) & 0xff) << 56; /* 0x18: 64-bit TSS (VMX needs TR != 0) */
    c->gdt[4] = tss >> 32;
    c->tss.iomap = sizeof(c->tss);
    gdtr.limit = sizeof(c->gdt) - 1;
    gdtr.base = (uint64_t)c->gdt;
    idtr.limit = sizeof(idt) - 1;
    idtr.base = (uint64_t)idt;
    __asm__ volatile("lgdt %0\n\t"
                     "lidt %1\n\t"
                     "mov $0x10, %%eax\n\t"
                     "mov %%eax, %%ds\n\t"
                     "mov %%eax, %%es\n\t"
                     "mov %%eax, %%ss\n\t"
                     "xor %%eax, %%eax\n\t"
                     "mov %%eax, %%fs\n\t"
                     "mov %%eax, %%gs\n\t"
                     "pushq $0x08\n\t"
                     "lea 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov $0x18, %%eax\n\t"
                     "ltr %%ax"
                     :: "m"(gdtr), "m"(idtr) : "rax", "memory");
    wrmsr(MSR_GS_BASE, (uint64_t)c);
    c->fs_area[5] = 0x5eed0f5a17ca4a12ull ^ (uint64_t)c;
    wrmsr(MSR_FS_BASE, (uint64_t)c->fs_area);
    /* SSE for the C library; the hv's own code keeps to general registers. */
    write_cr(0, (read_cr(0) | CR0_MP | CR0_NE | CR0_WP) & ~(1ul << 2 | 1ul << 3));
    write_cr(4, read_cr(4) | CR4_OSFXSR | CR4_OSXMMEXCPT);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
}

static const char *const exc_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound", "invalid opcode",
    "no FPU", "double fault", "", "invalid TSS", "segment not present", "stack fault",
    "general protection", "page fault", "", "x87 error", "alignment check", "machine check",
    "SIMD error", "virtualization",
};

void x86_trap(struct trap_frame *f)
{
    if (f->vector < 32) {
        hv_log("CPU %u: hv exception %llu (%s), error 0x%llx at rip 0x%llx, cr2 0x%llx, "
               "rsp 0x%llx", this_cpu()->id, (unsigned long long)f->vector,
               exc_names[f->vector] ? exc_names[f->vector] : "?",
               (unsigned long long)f->error, (unsigned long long)f->rip,
               (unsigned long long)read_cr(2), (unsigned long long)f->rsp);
        arch_halt();
    }
    switch (f->vector) {
    case VEC_TIMER:
        lapic_eoi();
        timer_interrupt();
        break;
    case VEC_KICK:
        lapic_eoi();      /* its only job was to make the CPU leave the guest */
        break;
    case VEC_SPURIOUS:
        break;
    default:
        if (f->vector >= VEC_UART_BASE && f->vector < VEC_UART_BASE + 24) {
            x86_irq_dispatch(f->vector - VEC_UART_BASE);
        }
        lapic_eoi();
        break;
    }
}

/* ---- boot ---- */

void __attribute__((noreturn)) x86_boot(const void *fdt)
{
    idt_init();
    cpu_locals[0].id = 0;
    cpu_init_local(&cpu_locals[0]);
    mmu_init();
    hv_boot_fdt(fdt, "x86_64");
}

static uint64_t prop_u64(const void *fdt, int node, const char *name, uint64_t def)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

    if (!p)
        return def;
    return len == 8 ? (uint64_t)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1]) : fdt32_to_cpu(p[0]);
}

int arch_platform_init(struct boot_info *bi)
{
    const void *fdt = bi->fdt;
    int cpus = fdt ? fdt_path_offset(fdt, "/cpus") : -1, node;

    if (cpus < 0) {
        hv_log("x86_64: the platform device tree has no /cpus");
        return -1;
    }
    fdt_for_each_subnode(node, fdt, cpus) {
        if (nr_cpus_found == HV_MAX_CPUS) {
            hv_log("x86_64: more than %u CPUs; the others stay unused", HV_MAX_CPUS);
            break;
        }
        cpu_apic_ids[nr_cpus_found++] = (uint32_t)prop_u64(fdt, node, "reg", 0);
    }
    int chosen = fdt_path_offset(fdt, "/chosen");
    cpu_start_page = prop_u64(fdt, chosen, "hv,cpu-start-page", 0);
    pm1a_cnt = prop_u64(fdt, chosen, "hv,acpi-pm1a-cnt", 0);
    s5_typ = (unsigned)prop_u64(fdt, chosen, "hv,acpi-s5-typ", 0);
    bi->nr_cpus = nr_cpus_found;
    lapic_init_boot();
    cpu_locals[0].apic_id = lapic_id();
    if (cpu_locals[0].apic_id != cpu_apic_ids[0])
        hv_log("x86_64: boot CPU APIC id %u, the tree's first CPU says %u", cpu_locals[0].apic_id,
               cpu_apic_ids[0]);
    return virt_init_boot();
}

cpuid_t arch_cpu_id(void)
{
    return this_cpu()->id;
}

void __attribute__((noreturn)) x86_secondary(uint64_t cpu)
{
    struct cpu_local *c = &cpu_locals[cpu];

    c->id = (cpuid_t)cpu;
    cpu_init_local(c);
    lapic_init_cpu();
    c->apic_id = lapic_id();
    if (virt_init_cpu() < 0)
        arch_halt();
    hv_secondary_main((cpuid_t)cpu);
    arch_halt();
}

extern const char ap_start[], ap_start_end[], ap_params[];

static void delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + tsc_khz * us / 1000;
    while ((int64_t)(rdtsc() - end) < 0)
        cpu_relax();
}

/* INIT, then SIPI twice (the architected sequence), into the real-mode start page. */
int arch_cpu_start(cpuid_t cpu)
{
    if (cpu >= nr_cpus_found || !cpu_start_page)
        return -1;
    uint8_t *page = (uint8_t *)cpu_start_page;
    size_t code = ap_start_end - ap_start, params = ap_params - ap_start;
    memcpy(page, ap_start, code);
    struct {
        uint16_t gdt_limit;
        uint32_t gdt_base;
        uint16_t pad0;
        uint32_t far32;
        uint16_t sel32, pad1;
        uint32_t far64;
        uint16_t sel64, pad2;
        uint64_t cr3, stack, cpu, entry;
    } __attribute__((packed)) *prm = (void *)(page + params);
    extern const char ap_32[], ap_64[], ap_gdt[];
    prm->gdt_base = (uint32_t)(cpu_start_page + (ap_gdt - ap_start));
    prm->far32 = (uint32_t)(cpu_start_page + (ap_32 - ap_start));
    prm->far64 = (uint32_t)(cpu_start_page + (ap_64 - ap_start));
    prm->cr3 = mmu_cr3();
    prm->stack = (uint64_t)cpu_locals[cpu].stack + sizeof(cpu_locals[cpu].stack);
    prm->cpu = cpu;
    prm->entry = (uint64_t)x86_secondary;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    uint32_t id = cpu_apic_ids[cpu];
    lapic_send_ipi(id, 0x4500);                          /* INIT, assert */
    delay_us(10000);
    for (int i = 0; i < 2 && !__atomic_load_n(&cpu_locals[cpu].self, __ATOMIC_ACQUIRE); i++) {
        lapic_send_ipi(id, 0x4600 | (uint32_t)(cpu_start_page >> 12));   /* SIPI */
        delay_us(200);
    }
    /* The start page and its parameters are shared: wait until this CPU is off them. */
    uint64_t end = rdtsc() + tsc_khz * 1000;
    while (!__atomic_load_n(&cpu_locals[cpu].self, __ATOMIC_ACQUIRE))
        if ((int64_t)(rdtsc() - end) > 0)
            return -1;
    return 0;
}

void arch_cpu_idle(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

void arch_irq_poll(void)
{
    __asm__ volatile("sti; nop; cli" ::: "memory");
}

void arch_cpu_kick(cpuid_t cpu)
{
    if (cpu < nr_cpus_found)
        lapic_send_ipi(cpu_locals[cpu].apic_id ? cpu_locals[cpu].apic_id : cpu_apic_ids[cpu],
                       0x4000 | VEC_KICK);
}

/* ACPI S5 through the PM1a control register, when the firmware tables gave it; else stop. */
void __attribute__((noreturn)) arch_system_off(void)
{
    hv_log("x86_64: power off (ACPI PM1a control 0x%llx, S5 type %u)", (unsigned long long)pm1a_cnt, s5_typ);
    console_drain();        /* the emulator (or board) stops at once: let that line out */
    if (pm1a_cnt)
        outw((uint16_t)pm1a_cnt, (uint16_t)(s5_typ << 10 | 1 << 13));
    for (const char *s = "Shutdown"; *s; s++)
        outb(0x8900, (uint8_t)*s);
    arch_halt();
}

void __attribute__((noreturn)) arch_halt(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}
