/* Physical CPUs: discovery from the firmware DT, EL2 set-up, start, idle, power off. */
#include <libfdt.h>
#include <string.h>

#include "aarch64.h"

#define VTCR_GUEST 0x80023560ull /* 32-bit IPA, start level 1, 4K, inner WB, 40-bit PA */

struct cpu_local cpu_locals[HV_MAX_CPUS];
unsigned nr_cpus_found;
extern char hv_vectors[];
extern char secondary_entry[];
void arch_secondary_start(cpuid_t cpu);
void arch_el2_fault(uint64_t esr, uint64_t elr, uint64_t far, uint64_t sp);

/* CPU 0 is the boot CPU; the others follow in /cpus order. */
static int find_cpus(const void *fdt)
{
    int cpus = fdt_path_offset(fdt, "/cpus"), node, len;
    uint64_t boot = read_sysreg(mpidr_el1) & 0xff00ffffffull;

    if (cpus < 0)
        return -1;
    nr_cpus_found = 1;
    cpu_locals[0].mpidr = boot;
    fdt_for_each_subnode(node, fdt, cpus) {
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        if (!type || strcmp(type, "cpu") != 0 || !reg)
            continue;
        uint64_t mpidr = len >= 8 ? (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1])
                                  : fdt32_to_cpu(reg[0]);
        if (mpidr == boot || nr_cpus_found == HV_MAX_CPUS)
            continue;
        cpu_locals[nr_cpus_found++].mpidr = mpidr;
    }
    for (unsigned i = 0; i < nr_cpus_found; i++)
        cpu_locals[i].id = i;
    return 0;
}

uint64_t cptr_el2_guest;
unsigned nr_brps, nr_wrps;

#define FIELD(reg, shift) (((reg) >> (shift)) & 0xf)

/* The traps that keep a partition to what cpu_view.c tells it. Controls of features a CPU
 * lacks are RES0 there, so they are set only where the feature exists. */
void cpu_init_el2(void)
{
    uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), dfr0 = read_sysreg(id_aa64dfr0_el1);
    uint64_t mmfr1 = read_sysreg(id_aa64mmfr1_el1);
    uint64_t hcr = HCR_GUEST, mdcr, cptr = CPTR_EL2_RES1 | CPTR_TTA;

    if (FIELD(pfr0, 28))
        hcr |= HCR_TERR;              /* RAS error records */
    if (FIELD(mmfr1, 16))
        hcr |= HCR_TLOR;              /* LORegions */
    if (FIELD(pfr0, 44))
        cptr |= CPTR_TAM;             /* activity monitors */
    /* PMU (TPM, TPMCR), OS lock and debug power (TDOSA), MDRAR (TDRA); SPE and TRBE owned
     * by EL2 (E2PB, E2TB = 0) and their registers trapped. HPMN: all counters, as reset. */
    mdcr = MDCR_TPM | MDCR_TPMCR | MDCR_TDOSA | MDCR_TDRA;
    if (FIELD(dfr0, 8) && FIELD(dfr0, 8) != 0xf)
        mdcr |= (read_sysreg(pmcr_el0) >> 11) & 0x1f;
    if (FIELD(dfr0, 32))
        mdcr |= MDCR_TPMS;
    if (FIELD(dfr0, 40))
        mdcr |= MDCR_TTRF;
    nr_brps = FIELD(dfr0, 12) + 1;
    nr_wrps = FIELD(dfr0, 20) + 1;
    cptr_el2_guest = cptr;

    write_sysreg(vbar_el2, (uint64_t)hv_vectors);
    write_sysreg(hcr_el2, hcr);
    write_sysreg(vtcr_el2, VTCR_GUEST);
    write_sysreg(mdcr_el2, mdcr);
    write_sysreg(oslar_el1, 0); /* the CPU's OS lock follows the loaded vcpu's from now */
    isb();
    timer_cpu_init();
    gic_cpu_init();
    vgic_nr_lrs = MIN((unsigned)(read_sysreg(ICH_VTR_EL2) & 0x1f) + 1, 8u);
}

int arch_platform_init(struct boot_info *bi)
{
    if (!bi->fdt || find_cpus(bi->fdt) < 0 || bi->nr_ram == 0)
        return -1;
    bi->nr_cpus = nr_cpus_found;
    mmu_init(bi);
    mmu_enable();
    write_sysreg(tpidr_el2, (uint64_t)&cpu_locals[0]);
    if (gic_init(bi->fdt) < 0)
        return -1;
    psci_host_init(bi->fdt);
    cpu_init_el2();
    return 0;
}

int arch_cpu_start(cpuid_t cpu)
{
    return psci_host_call(PSCI_CPU_ON, cpu_locals[cpu].mpidr, (uint64_t)secondary_entry, cpu) == 0
               ? 0
               : -1;
}

void arch_secondary_start(cpuid_t cpu)
{
    mmu_enable();
    write_sysreg(tpidr_el2, (uint64_t)&cpu_locals[cpu]);
    cpu_init_el2();
    hv_secondary_main(cpu);
}

cpuid_t arch_cpu_id(void)
{
    return this_cpu()->id;
}

void arch_cpu_idle(void)
{
    dsb(sy);
    __asm__ volatile("wfi" ::: "memory");
}

void arch_system_off(void)
{
    psci_host_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    arch_halt();
}

void arch_halt(void)
{
    for (;;)
        __asm__ volatile("msr daifset, #0xf; wfi" ::: "memory");
}

void arch_el2_fault(uint64_t esr, uint64_t elr, uint64_t far, uint64_t sp)
{
    hv_log("PANIC: hv exception on CPU %u: ESR 0x%llx ELR 0x%llx FAR 0x%llx SP 0x%llx",
           arch_cpu_id(), (unsigned long long)esr, (unsigned long long)elr,
           (unsigned long long)far, (unsigned long long)sp);
    arch_halt();
}

void arch_sync_guest_memory(const void *addr, uint64_t size)
{
    uint64_t line = 4u << ((read_sysreg(ctr_el0) >> 16) & 0xf);
    for (uint64_t a = ALIGN_DOWN((uint64_t)addr, line); a < (uint64_t)addr + size; a += line)
        __asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
    dsb(ish);
    __asm__ volatile("ic ialluis" ::: "memory");
    dsb(ish);
    isb();
}
