/* x86_64 vcpus, whichever backend runs them: the start states (the Linux 64-bit boot
 * protocol, and real mode after INIT/SIPI), and the exit policy: CPUID, MSRs, I/O ports
 * (all absent but the ACPI sleep and reset registers, which mean power), HLT, accesses to
 * unmapped guest-physical memory decoded into the emulated APIC/IOAPIC or generic MMIO. */
#include <stddef.h>
#include <string.h>

#include "asm_offsets.h"
#include "hypercall.h"
#include "insn.h"
#include "virt.h"

/* ACPI registers the partition's FADT announces (arch/x86_64/guest_boot.c). */
#define PORT_SLEEP_CTL 0x600
#define PORT_SLEEP_STS 0x601
#define PORT_RESET 0x602
#define SLP_EN (1u << 5)
#define S5_TYP 5
#define SIPI_START (1ull << 63)   /* arch_vcpu_reset's arg for an INIT/SIPI start */


_Static_assert(offsetof(struct guest_gprs, r[15]) == GPR_R15, "head.S offsets");

const struct virt_backend *virt;
static bool has_tsc_aux;          /* RDTSCP: the guest's TSC_AUX is loaded before entry */

#define MSR_TSC_AUX 0xc0000103

int virt_init_boot(void)
{
    const char *why_svm = "", *why_vmx = "";

    if (svm_backend.supported(&why_svm))
        virt = &svm_backend;
    else if (vmx_backend.supported(&why_vmx))
        virt = &vmx_backend;
    if (!virt) {
        hv_log("x86_64: cannot run partitions: %s; %s", why_svm, why_vmx);
        return -1;
    }
    hv_log("x86_64: %s", virt->name);
    uint32_t r[4];
    cpuid(0x80000001, 0, r);
    has_tsc_aux = (r[3] >> 27) & 1;
    return virt->cpu_init();
}

int virt_init_cpu(void)
{
    return virt->cpu_init();
}

/* ---- start states ---- */

uint64_t guest_boot_cr3(const struct partition *p);
uint64_t guest_boot_gdt(const struct partition *p);

static void set_seg(struct x86_start_state *s, enum x86_segreg r, uint16_t sel, uint16_t attr,
                    uint32_t limit, uint64_t base)
{
    s->seg[r] = (struct x86_seg){ sel, attr, limit, base };
}

void arch_vcpu_reset(struct vcpu *v, gpaddr_t entry, uint64_t arg)
{
    struct x86_start_state *s = &v->arch.start;

    memset(&v->arch.gprs, 0, sizeof(v->arch.gprs));
    memset(v->arch.fpu, 0, sizeof(v->arch.fpu));
    memset(s, 0, sizeof(*s));
    memset(v->arch.syscall_msrs, 0, sizeof(v->arch.syscall_msrs));
    v->arch.pvclock_msr = 0;
    v->arch.tsc_aux = 0;
    memset(v->arch.dr, 0, sizeof(v->arch.dr));
    v->arch.debug_regs_reset = true;     /* its CPU may hold its old values */
    v->arch.fpu[0] = 0x37f;              /* FCW */
    v->arch.fpu[3] = 0x1f80ull;          /* MXCSR (bytes 24..27) */
    v->arch.flush_tlb = true;
    vlapic_reset(v, v->index);
    s->rflags = 2;

    if (arg & SIPI_START) {
        /* real mode at vector:0000, as after INIT and a start-up IPI */
        uint16_t cs = (uint16_t)(entry >> 4);
        for (unsigned r = SEG_ES; r <= SEG_GS; r++)
            set_seg(s, r, 0, 0x93, 0xffff, 0);
        set_seg(s, SEG_CS, cs, 0x9b, 0xffff, (uint64_t)cs << 4);
        set_seg(s, SEG_GDTR, 0, 0, 0xffff, 0);
        set_seg(s, SEG_IDTR, 0, 0, 0xffff, 0);
        set_seg(s, SEG_LDTR, 0, 0x82, 0xffff, 0);
        set_seg(s, SEG_TR, 0, 0x8b, 0xffff, 0);
        s->cr0 = CR0_ET | CR0_NE;
        s->rip = 0;
    } else {
        /* The Linux 64-bit boot protocol: long mode, identity paging, __BOOT_CS 0x10 and
         * __BOOT_DS 0x18 flat, interrupts off, RSI = boot_params. */
        for (unsigned r = SEG_ES; r <= SEG_GS; r++)
            set_seg(s, r, 0x18, 0xc93, 0xffffffff, 0);
        set_seg(s, SEG_CS, 0x10, 0xa9b, 0xffffffff, 0);
        set_seg(s, SEG_GDTR, 0, 0, 0x1f, guest_boot_gdt(v->part));
        set_seg(s, SEG_IDTR, 0, 0, 0, 0);
        set_seg(s, SEG_LDTR, 0, 0x82, 0xffff, 0);
        set_seg(s, SEG_TR, 0, 0x8b, 0xffff, 0);
        s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
        s->cr3 = guest_boot_cr3(v->part);
        s->cr4 = CR4_PAE;
        s->efer = EFER_LME | EFER_LMA;
        s->rip = entry;
        v->arch.gprs.r[6] = arg;            /* RSI */
    }
    v->arch.rip = s->rip;
    v->arch.rflags = s->rflags;
    __atomic_store_n(&v->arch.start_pending, true, __ATOMIC_RELEASE);
}

/* ---- completing exits for hv/ ---- */

void arch_vcpu_access_done(struct vcpu *v, uint64_t value)
{
    const struct insn *in = (const struct insn *)v->arch.mmio_insn;

    if (!in->write) {
        uint64_t *r = &v->arch.gprs.r[in->reg];
        *r = insn_merge_load(in, *r, value);
    }
    v->arch.rip = v->arch.next_rip;
}

void arch_vcpu_hypercall_done(struct vcpu *v, int64_t result)
{
    v->arch.gprs.r[0] = (uint64_t)result;  /* RAX */
    v->arch.rip = v->arch.next_rip;
}

void arch_vcpu_power_result(struct vcpu *v, int64_t result)
{
    (void)v;
    (void)result;   /* a start-up IPI has no result */
}

void arch_vcpu_load(struct vcpu *v)
{
    struct cpu_local *c = this_cpu();

    if (c->loaded != v) {
        c->loaded = v;
        timer_reprogram();
    }
}

bool arch_vcpu_irq_pending(struct vcpu *v)
{
    vlapic_timer_check(v);
    return vlapic_pending_vector(v) >= 0;
}

/* ---- exits ---- */

static int read_gpa(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    struct vcpu *v = ctx;
    void *src = guest_ptr(&v->part->mem, gpa, len);

    if (!src)
        return -1;
    memcpy(buf, src, len);
    return 0;
}

static void fault(struct vm_exit *e, const char *what, uint64_t detail)
{
    e->reason = VM_EXIT_FAULT;
    e->fault.what = what;
    e->fault.has_addr = false;
    e->fault.syndrome = detail;
}

static void fault_at(struct vm_exit *e, const char *what, uint64_t gpa, uint64_t detail)
{
    fault(e, what, detail);
    e->fault.has_addr = true;
    e->fault.addr = gpa;
}

/* An access outside guest RAM: the emulated APIC/IOAPIC, or a device window. */
static void npf_exit(struct vcpu *v, uint64_t gpa, struct vm_exit *e)
{
    struct insn_paging pg = { virt->get(v, VR_CR0), virt->get(v, VR_CR3), virt->get(v, VR_CR4),
                              virt->get(v, VR_EFER) };
    uint8_t bytes[INSN_MAX_LEN];
    struct insn *in = (struct insn *)v->arch.mmio_insn;
    uint16_t cs_attr = (uint16_t)virt->get(v, VR_CS_ATTR);
    enum insn_mode mode = (pg.efer & EFER_LMA) && (cs_attr & 0x200) ? INSN_MODE64
                          : (cs_attr & 0x400)                      ? INSN_MODE32
                                                                   : INSN_MODE16;
    uint64_t la = v->arch.rip + (mode == INSN_MODE64 ? 0 : virt->get(v, VR_CS_BASE));

    _Static_assert(sizeof(struct insn) <= sizeof(v->arch.mmio_insn), "insn state");
    int n = insn_fetch(&pg, read_gpa, v, la, bytes);
    int r = n < 0 ? n : insn_decode(in, bytes, (size_t)n, mode);
    if (r < 0) {
        fault_at(e, "access to unbacked guest-physical memory by an instruction the hv "
                    "cannot emulate", gpa,
                 n > 0 ? bytes[0] | (uint64_t)bytes[1] << 8 | (uint64_t)bytes[2] << 16 : 0);
        return;
    }
    v->arch.next_rip = v->arch.rip + in->len;
    if ((gpa & ~0xfffull) == GUEST_LAPIC_BASE || (gpa & ~0xfffull) == GUEST_IOAPIC_BASE) {
        uint64_t *reg = &v->arch.gprs.r[in->reg];
        uint64_t val = in->write ? insn_store_value(in, in->has_imm ? 0 : *reg) : 0;
        bool lapic = (gpa & ~0xfffull) == GUEST_LAPIC_BASE;
        int ok = lapic ? vlapic_access(v, gpa & 0xfff, in->size, in->write, &val)
                       : vioapic_access(v->part, gpa & 0xfff, in->size, in->write, &val);
        if (ok < 0) {
            fault_at(e, lapic ? "unsupported local APIC access" : "unsupported IOAPIC access",
                     gpa, in->size);
            return;
        }
        if (!in->write)
            *reg = insn_merge_load(in, *reg, val);
        v->arch.rip = v->arch.next_rip;
        if (ok == VLAPIC_SIPI) {
            e->reason = VM_EXIT_POWER;
            e->power.op = POWER_CPU_ON;
            e->power.target = v->arch.sipi_target;
            e->power.entry = (gpaddr_t)v->arch.sipi_vector << 12;
            e->power.context = SIPI_START;
        }
        return;
    }
    e->reason = VM_EXIT_ACCESS;
    e->access.addr = gpa;
    e->access.size = in->size;
    e->access.write = in->write;
    e->access.value = 0;
    if (in->write) {
        uint64_t val = insn_store_value(in, in->has_imm ? 0 : v->arch.gprs.r[in->reg]);
        e->access.value = in->size < 8 ? val & ((1ull << (8 * in->size)) - 1) : val;
    }
}

static void cpuid_exit(struct vcpu *v)
{
    uint64_t *g = v->arch.gprs.r;
    uint32_t leaf = (uint32_t)g[0], sub = (uint32_t)g[1], r[4];

    if (leaf >= 0x40000000 && leaf < 0x40000100) {
        r[0] = r[1] = r[2] = r[3] = 0;
        if (leaf == 0x40000000) {
            /* The KVM signature is what makes Linux look for kvmclock (leaf 0x40000001);
             * nothing else of KVM's interface is offered. */
            r[0] = 0x40000010;
            memcpy(&r[1], "KVMKVMKVM\0\0\0", 4);
            memcpy(&r[2], "KVMKVMKVM\0\0\0" + 4, 4);
            memcpy(&r[3], "KVMKVMKVM\0\0\0" + 8, 4);
        } else if (leaf == 0x40000001) {
            r[0] = 1u << 3 | 1u << 24;               /* kvmclock (new MSRs), stable */
        } else if (leaf == 0x40000010) {
            r[0] = (uint32_t)tsc_khz;              /* the VMware/KVM timing leaf */
            r[1] = (uint32_t)GUEST_LAPIC_TIMER_KHZ;
        }
    } else {
        cpuid(leaf, sub, r);
        switch (leaf) {
        case 1:
            r[1] = (r[1] & 0x0000ffff) | v->index << 24 | v->part->nr_vcpus << 16;
            /* no MONITOR/MWAIT (they raise #UD), VMX, x2APIC, XSAVE/OSXSAVE, AVX; TSC
             * deadline and a hypervisor present */
            r[2] &= ~(1u << 3 | 1u << 5 | 1u << 21 | 1u << 26 | 1u << 27 | 1u << 28);
            r[2] |= 1u << 24 | 1u << 31;
            break;
        case 5: case 6: case 0xa: case 0xb: case 0xd: case 0x1f: case 0x8000000a:
        case 0x8000001f:
            /* monitor, power, PMU, topology, XSAVE, SVM features (no SVM), SEV */
            r[0] = r[1] = r[2] = r[3] = 0;
            break;
        case 7:
            if (sub == 0) {
                r[1] &= ~(1u << 5 | 1u << 10 | 1u << 16);   /* AVX2, INVPCID, AVX-512 */
            }
            break;
        case 0x80000001:
            r[2] &= ~(1u << 2 | 1u << 29);  /* no SVM; no MONITORX/MWAITX (#UD, as MWAIT) */
            break;
        }
    }
    g[0] = r[0];
    g[3] = r[1];
    g[1] = r[2];
    g[2] = r[3];
    v->arch.rip += 2;
}

/* EFER bits a partition may set: SVM (SVME) is not offered, LMSLE, FFXSR and TCE neither. */
#define EFER_GUEST_BITS (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

/* Every PAT entry must be a defined memory type: UC, WC, WT, WP, WB, UC-. */
static bool pat_valid(uint64_t pat)
{
    for (unsigned i = 0; i < 8; i++) {
        unsigned type = (pat >> (8 * i)) & 0xff;
        if (type == 2 || type == 3 || type > 7)
            return false;
    }
    return true;
}

/* MSRs: the ones the VMCB/VMCS holds are the guest's own; a few are emulated; the rest
 * raise #GP, as a missing MSR does on hardware. */
static void msr_exit(struct vcpu *v, bool write)
{
    uint64_t *g = v->arch.gprs.r;
    uint32_t msr = (uint32_t)g[1];
    uint64_t val = (g[0] & 0xffffffff) | g[2] << 32, ro = 0;
    enum x86_vreg field = VR_COUNT;
    bool readonly = false, bad;

    if (pvclock_msr(v, msr, write, &val, &bad)) {
        if (bad) {
            hv_log("partition '%s': vcpu %u: kvmclock page 0x%llx is outside its RAM (#GP)",
                   v->part->label, v->index, (unsigned long long)val);
            virt->inject_exception(v, 13, true, 0);
            return;
        }
        goto done;
    }
    switch (msr) {
    case MSR_TSC_AUX:      /* RDTSCP's value (Linux: the CPU number); loaded at entry */
        if (!has_tsc_aux)
            break;
        if (write)
            v->arch.tsc_aux = (uint32_t)val;
        val = v->arch.tsc_aux;
        goto done;
    case 0x6e0:            /* IA32_TSC_DEADLINE */
        val = vlapic_tsc_deadline(v, write, val);
        goto done;
    case MSR_EFER:
        if (write) {
            /* Checked as a CPU without SVM checks it (#GP), before it reaches the VMCB/VMCS,
             * whose entry checks would refuse the partition instead. LMA is the CPU's to
             * set (CR0.PG with LME). */
            uint64_t old = virt->get(v, VR_EFER);
            if ((val & ~EFER_GUEST_BITS) ||
                (((val ^ old) & EFER_LME) && (virt->get(v, VR_CR0) & CR0_PG)))
                goto refuse;
            virt->set(v, VR_EFER, (val & ~(uint64_t)EFER_LMA) | (old & EFER_LMA));
            goto done;
        }
        field = VR_EFER;
        break;
    case MSR_PAT:
        if (write && !pat_valid(val))
            goto refuse;   /* a reserved memory type: #GP, as on hardware */
        field = VR_PAT;
        break;
    case MSR_FS_BASE: field = VR_FS_BASE; break;
    case MSR_GS_BASE: field = VR_GS_BASE; break;
    case 0xc0000102: field = VR_KERNEL_GS_BASE; break;
    case 0xc0000081: field = VR_STAR; break;
    case 0xc0000082: field = VR_LSTAR; break;
    case 0xc0000083: field = VR_CSTAR; break;
    case 0xc0000084: field = VR_SFMASK; break;
    case 0x174: field = VR_SYSENTER_CS; break;
    case 0x175: field = VR_SYSENTER_ESP; break;
    case 0x176: field = VR_SYSENTER_EIP; break;
    case 0x10: ro = rdtsc(); readonly = true; break;                 /* TSC */
    case MSR_APIC_BASE:
        ro = GUEST_LAPIC_BASE | 1u << 11 | (v->index == 0 ? 1u << 8 : 0);
        if (write) {
            v->arch.lapic.enabled = (val >> 11) & 1;
            goto done;
        }
        readonly = true;
        break;
    case 0xfe: case 0x2ff: /* MTRR capabilities, default type: no MTRRs */
    case 0x8b:             /* microcode revision (written to ask for it) */
    case 0x1a0:            /* MISC_ENABLE: Linux's startup reads it on Intel unguarded */
    case 0xc0010114:       /* VM_CR: SVM is not offered */
    case MSR_FEATURE_CONTROL:   /* locked, VMX off */
        ro = msr == 0xc0010114 ? 1u << 4 : msr == MSR_FEATURE_CONTROL ? 1
             : msr == 0x1a0 ? 1u | 1u << 11 | 1u << 12 : 0;   /* fast strings; no BTS, PEBS */
        readonly = true;
        break;
    default:
        break;
    }
    if (field != VR_COUNT) {
        if (write)
            virt->set(v, field, val);
        else
            val = virt->get(v, field);
    } else if (readonly && !write) {
        val = ro;
    } else if (!(readonly && write && (msr == 0x8b || msr == 0x1a0))) {   /* writes dropped */
refuse:
        if (v->arch.refusals_logged++ < 8)
            hv_log("partition '%s': vcpu %u: %s of MSR 0x%x refused (#GP)", v->part->label,
                   v->index, write ? "write" : "read", msr);
        virt->inject_exception(v, 13, true, 0);
        return;
    }
done:
    if (!write) {
        g[0] = (uint32_t)val;
        g[2] = val >> 32;
    }
    v->arch.rip += 2;
}

static bool hv_port(uint16_t port)
{
    return port >= 0x3f8 && port <= 0x3ff;   /* COM1: the hv's console */
}

static void io_exit(struct vcpu *v, const struct x86_exit *x, struct vm_exit *e)
{
    uint32_t val = (uint32_t)v->arch.gprs.r[0];

    if (x->string) {
        fault(e, "string I/O instruction", x->port);
        return;
    }
    /* The hv's UART looks absent: Linux probes the legacy COM ports whatever ACPI says, and
     * a probe is no reason to stop a partition. Nothing reaches the device. */
    if (hv_port(x->port) && v->arch.refusals_logged++ < 8)
        hv_log("partition '%s': vcpu %u: %s of I/O port 0x%x (the hv's UART) dropped",
               v->part->label, v->index, x->in ? "read" : "write", x->port);
    v->arch.rip = x->next_rip;
    if (x->in) {
        uint32_t r = 0xffffffff;         /* nothing behind the port */
        if (x->port == PORT_SLEEP_STS || x->port == PORT_SLEEP_CTL || x->port == PORT_RESET)
            r = 0;
        uint64_t mask = x->size == 1 ? 0xff : x->size == 2 ? 0xffff : 0xffffffff;
        v->arch.gprs.r[0] = (v->arch.gprs.r[0] & ~mask) | (r & mask);
        return;
    }
    if (x->port == PORT_SLEEP_CTL && (val & SLP_EN)) {
        if (((val >> 2) & 7) == S5_TYP) {
            e->reason = VM_EXIT_POWER;
            e->power.op = POWER_SYSTEM_OFF;
        }
    } else if (x->port == PORT_RESET && (val & 0xff) == 1) {
        e->reason = VM_EXIT_POWER;
        e->power.op = POWER_SYSTEM_RESET;
    }
}

/* VMMCALL/VMCALL: the hv's own calls by RAX (hypercall.h); anything else is #UD, as on a
 * CPU without virtualization. */
static void hypercall_exit(struct vcpu *v, const struct x86_exit *x, struct vm_exit *e)
{
    const uint64_t *g = v->arch.gprs.r;

    if ((g[0] & ~(uint64_t)HC_NR_MASK) != HC_BASE) {
        if (v->arch.refusals_logged++ < 8)
            hv_log("partition '%s': vcpu %u: instruction at rip 0x%llx is not provided; "
                   "#UD injected", v->part->label, v->index, (unsigned long long)v->arch.rip);
        virt->inject_exception(v, 6, false, 0);
        return;
    }
    v->arch.next_rip = x->next_rip;
    e->reason = VM_EXIT_HYPERCALL;
    e->hypercall.nr = g[0] & HC_NR_MASK;
    static const unsigned regs[HC_ARGS] = { 3, 1, 2, 6, 7, 8 };  /* RBX RCX RDX RSI RDI R8 */
    for (unsigned i = 0; i < HC_ARGS; i++)
        e->hypercall.arg[i] = g[regs[i]];
}

/* DR0-DR3: neither VMRUN nor VM entry switches them (DR6/DR7 are in the VMCB/VMCS) and the
 * partition's MOVs to them do not exit, so they are switched here, when another vcpu than
 * the one whose values they hold enters on this CPU (time-shared CPUs). */
static void debug_regs_load(struct vcpu *v)
{
    struct cpu_local *c = this_cpu();
    struct vcpu *had = c->debug_regs_of;

    if (had == v && !v->arch.debug_regs_reset)
        return;
    if (had && had != v && !had->arch.debug_regs_reset)
        __asm__ volatile("mov %%db0, %0; mov %%db1, %1; mov %%db2, %2; mov %%db3, %3"
                         : "=r"(had->arch.dr[0]), "=r"(had->arch.dr[1]),
                           "=r"(had->arch.dr[2]), "=r"(had->arch.dr[3]));
    v->arch.debug_regs_reset = false;
    __asm__ volatile("mov %0, %%db0; mov %1, %%db1; mov %2, %%db2; mov %3, %%db3"
                     :: "r"(v->arch.dr[0]), "r"(v->arch.dr[1]), "r"(v->arch.dr[2]),
                        "r"(v->arch.dr[3]));
    c->debug_regs_of = v;
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
    struct x86_exit x = { 0 };

    arch_vcpu_load(v);
    vlapic_timer_check(v);
    if (has_tsc_aux && this_cpu()->tsc_aux != v->arch.tsc_aux) {
        wrmsr(MSR_TSC_AUX, v->arch.tsc_aux);      /* neither VMRUN nor VM entry switch it */
        this_cpu()->tsc_aux = v->arch.tsc_aux;
    }
    debug_regs_load(v);
    __asm__ volatile("fxrstor64 %0" :: "m"(v->arch.fpu));
    virt->run(v, &x);
    __asm__ volatile("fxsave64 %0" : "=m"(v->arch.fpu));

    e->pc = v->arch.rip;
    e->reason = VM_EXIT_NONE;
    switch (x.kind) {
    case XE_NONE:
        arch_irq_poll();     /* a physical interrupt may be what made the guest exit */
        break;
    case XE_NPF:
        npf_exit(v, x.gpa, e);
        break;
    case XE_HLT:
        v->arch.rip += 1;
        if (!(v->arch.rflags & RFLAGS_IF)) {
            e->reason = VM_EXIT_POWER;          /* halted for good: the CPU is off */
            e->power.op = POWER_CPU_OFF;
        } else {
            e->reason = VM_EXIT_WAIT;
        }
        break;
    case XE_CPUID:
        cpuid_exit(v);
        break;
    case XE_RDPMC:
        /* the physical counters would leak other partitions' activity: no PMU here */
        if (v->arch.refusals_logged++ < 8)
            hv_log("partition '%s': vcpu %u: RDPMC is not provided; #GP injected at rip 0x%llx",
                   v->part->label, v->index, (unsigned long long)v->arch.rip);
        virt->inject_exception(v, 13, true, 0);
        break;
    case XE_INVD:
        v->arch.rip += 2;       /* dropping the caches unwritten is not the guest's call */
        break;
    case XE_MSR:
        msr_exit(v, x.write);
        break;
    case XE_IO:
        io_exit(v, &x, e);
        break;
    case XE_SHUTDOWN:
        fault(e, "triple fault (shutdown)", 0);
        break;
    case XE_HYPERCALL:
        hypercall_exit(v, &x, e);
        break;
    case XE_UD:
        /* virtualization, MONITOR/MWAIT, XSETBV: as on a CPU without them */
        if (v->arch.refusals_logged++ < 8)
            hv_log("partition '%s': vcpu %u: instruction at rip 0x%llx is not provided; "
                   "#UD injected", v->part->label, v->index, (unsigned long long)v->arch.rip);
        virt->inject_exception(v, 6, false, 0);
        break;
    case XE_INVALID:
        fault(e, virt == &svm_backend ? "the VMCB state is invalid (VMRUN refused it)"
                                      : "the VMCS guest state is invalid (VM entry refused it)",
              x.code);
        break;
    case XE_UNKNOWN:
        fault(e, "unexpected exit from the partition", x.code);
        break;
    }
}
