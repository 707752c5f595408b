/* AMD SVM: a VMCB per vcpu, nested paging per partition (ASID = partition), and the exits
 * decoded into the generic record: NPF -> MMIO (or the emulated APIC/IOAPIC), HLT -> WFI,
 * I/O ports, CPUID, MSRs, the ACPI sleep and reset registers -> power. */
#include <stddef.h>
#include <string.h>

#include "asm_offsets.h"
#include "insn.h"
#include "x86_64.h"

/* VMCB control area */
#define VMCB_INTERCEPT_CR 0x000
#define VMCB_INTERCEPT_EXC 0x008
#define VMCB_INTERCEPT_MISC1 0x00c
#define VMCB_INTERCEPT_MISC2 0x010
#define VMCB_IOPM 0x040
#define VMCB_MSRPM 0x048
#define VMCB_TSC_OFFSET 0x050
#define VMCB_ASID 0x058
#define VMCB_TLB_CONTROL 0x05c
#define VMCB_VINTR 0x060
#define VMCB_INT_SHADOW 0x068
#define VMCB_EXITCODE 0x070
#define VMCB_EXITINFO1 0x078
#define VMCB_EXITINFO2 0x080
#define VMCB_EXITINTINFO 0x088
#define VMCB_NP_ENABLE 0x090
#define VMCB_EVENTINJ 0x0a8
#define VMCB_NCR3 0x0b0
#define VMCB_CLEAN 0x0c0
/* state save area */
#define VMCB_ES 0x400
#define VMCB_CS 0x410
#define VMCB_SS 0x420
#define VMCB_DS 0x430
#define VMCB_FS 0x440
#define VMCB_GS 0x450
#define VMCB_GDTR 0x460
#define VMCB_LDTR 0x470
#define VMCB_IDTR 0x480
#define VMCB_TR 0x490
#define VMCB_CPL 0x4cb
#define VMCB_EFER 0x4d0
#define VMCB_CR4 0x548
#define VMCB_CR3 0x550
#define VMCB_CR0 0x558
#define VMCB_DR7 0x560
#define VMCB_DR6 0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP 0x578
#define VMCB_RSP 0x5d8
#define VMCB_RAX 0x5f8
#define VMCB_STAR 0x600
#define VMCB_LSTAR 0x608
#define VMCB_CSTAR 0x610
#define VMCB_SFMASK 0x618
#define VMCB_KERNEL_GS 0x620
#define VMCB_SYSENTER_CS 0x628
#define VMCB_SYSENTER_ESP 0x630
#define VMCB_SYSENTER_EIP 0x638
#define VMCB_CR2 0x640
#define VMCB_GPAT 0x668

/* intercept bits */
#define I1_INTR (1u << 0)
#define I1_NMI (1u << 1)
#define I1_VINTR (1u << 4)
#define I1_RDPMC (1u << 15)
#define I1_CPUID (1u << 18)
#define I1_INVD (1u << 22)
#define I1_HLT (1u << 24)
#define I1_IOIO (1u << 27)
#define I1_MSR (1u << 28)
#define I1_TASK_SWITCH (1u << 29)
#define I1_SHUTDOWN (1u << 31)
#define I2_VMRUN_TO_SKINIT 0x7fu     /* VMRUN VMMCALL VMLOAD VMSAVE STGI CLGI SKINIT */
#define I2_XSETBV (1u << 13)

/* exit codes */
#define EXIT_EXC_BASE 0x40
#define EXIT_INTR 0x60
#define EXIT_NMI 0x61
#define EXIT_VINTR 0x64
#define EXIT_RDPMC 0x6f
#define EXIT_CPUID 0x72
#define EXIT_INVD 0x76
#define EXIT_HLT 0x78
#define EXIT_IOIO 0x7b
#define EXIT_MSR 0x7c
#define EXIT_SHUTDOWN 0x7f
#define EXIT_VMMCALL 0x81
#define EXIT_NPF 0x400

#define EVENT_VALID (1u << 31)
#define EVENT_EXCEPTION (3u << 8)
#define EVENT_ERROR_VALID (1u << 11)

/* ACPI registers the partition's FADT announces (arch/x86_64/guest_boot.c). */
#define PORT_SLEEP_CTL 0x600
#define PORT_SLEEP_STS 0x601
#define PORT_RESET 0x602
#define SLP_EN (1u << 5)
#define S5_TYP 5
#define SIPI_START (1ull << 63)   /* arch_vcpu_reset's arg for an INIT/SIPI start */

#define MMIO_REG 16               /* pseudo register: the decoded MOV's data */

_Static_assert(offsetof(struct guest_gprs, r[15]) == GPR_R15, "head.S offsets");

static uint8_t iopm[3 * 4096] __attribute__((aligned(4096)));
static uint8_t msrpm[2 * 4096] __attribute__((aligned(4096)));
static uint8_t vmcbs[HV_MAX_PARTITIONS * HV_MAX_VCPUS][4096] __attribute__((aligned(4096)));
static unsigned vmcbs_used;
static spinlock_t vmcb_lock;

extern void svm_run(struct guest_gprs *g, uint64_t vmcb_pa, uint64_t host_save_pa);

#define F(v, off, type) (*(type *)((uint8_t *)(v)->arch.vmcb + (off)))
#define F64(v, off) F(v, off, uint64_t)
#define F32(v, off) F(v, off, uint32_t)

bool svm_supported(const char **why)
{
    uint32_t r[4];

    cpuid(0x80000000, 0, r);
    if (r[0] < 0x8000000a) {
        *why = "no SVM (and the VMX backend is not there yet): cannot run partitions";
        return false;
    }
    cpuid(0x80000001, 0, r);
    if (!(r[2] & (1u << 2))) {
        *why = "the CPU has no AMD SVM (the VMX backend is not there yet): cannot run partitions";
        return false;
    }
    cpuid(0x8000000a, 0, r);
    if (!(r[3] & 1))
        hv_log("x86_64: CPUID says no nested paging; trying it anyway (QEMU TCG emulates it)");
    return true;
}

int svm_cpu_init(void)
{
    struct cpu_local *c = this_cpu();

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, (uint64_t)c->hsave);
    if (c->id == 0) {
        memset(iopm, 0xff, sizeof(iopm));    /* every port exits */
        memset(msrpm, 0xff, sizeof(msrpm));  /* every MSR exits */
    }
    return 0;
}

/* ---- vcpu state ---- */

static void seg(struct vcpu *v, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit,
                uint64_t base)
{
    F(v, off, uint16_t) = sel;
    F(v, off + 2, uint16_t) = attr;
    F32(v, off + 4) = limit;
    F64(v, off + 8) = base;
}

uint64_t guest_boot_cr3(const struct partition *p);
uint64_t guest_boot_gdt(const struct partition *p);

void arch_vcpu_reset(struct vcpu *v, gpaddr_t entry, uint64_t arg)
{
    struct partition *p = v->part;

    if (!v->arch.vmcb) {
        spin_lock(&vmcb_lock);
        v->arch.vmcb = vmcbs[vmcbs_used++];
        spin_unlock(&vmcb_lock);
    }
    memset(v->arch.vmcb, 0, 4096);
    memset(&v->arch.gprs, 0, sizeof(v->arch.gprs));
    memset(v->arch.fpu, 0, sizeof(v->arch.fpu));
    v->arch.fpu[0] = 0x37f;              /* FCW */
    v->arch.fpu[3] = 0x1f80ull;          /* MXCSR (bytes 24..27) */

    F32(v, VMCB_INTERCEPT_MISC1) = I1_INTR | I1_NMI | I1_RDPMC | I1_CPUID | I1_INVD | I1_HLT | I1_IOIO |
                                   I1_MSR | I1_TASK_SWITCH | I1_SHUTDOWN;
    F32(v, VMCB_INTERCEPT_MISC2) = I2_VMRUN_TO_SKINIT | I2_XSETBV;
    F64(v, VMCB_IOPM) = (uint64_t)iopm;
    F64(v, VMCB_MSRPM) = (uint64_t)msrpm;
    F32(v, VMCB_ASID) = p->arch.asid;
    F32(v, VMCB_VINTR) = 1u << 24;       /* V_INTR_MASKING: the guest's IF is its own */
    F64(v, VMCB_NP_ENABLE) = 1;
    F64(v, VMCB_NCR3) = (uint64_t)p->arch.npt_root;
    F64(v, VMCB_GPAT) = 0x0007040600070406ull;
    F64(v, VMCB_DR6) = 0xffff0ff0;
    F64(v, VMCB_DR7) = 0x400;
    F64(v, VMCB_RFLAGS) = 2;
    v->arch.flush_tlb = true;
    vlapic_reset(v, v->index);

    if (arg & SIPI_START) {
        /* real mode at vector:0000, as after INIT and a start-up IPI */
        uint16_t cs = (uint16_t)(entry >> 4);
        seg(v, VMCB_CS, cs, 0x9b, 0xffff, (uint64_t)cs << 4);
        for (unsigned s = VMCB_DS; s <= VMCB_GS; s += 16)
            seg(v, s, 0, 0x93, 0xffff, 0);
        seg(v, VMCB_ES, 0, 0x93, 0xffff, 0);
        seg(v, VMCB_SS, 0, 0x93, 0xffff, 0);
        seg(v, VMCB_GDTR, 0, 0, 0xffff, 0);
        seg(v, VMCB_IDTR, 0, 0, 0xffff, 0);
        seg(v, VMCB_LDTR, 0, 0x82, 0xffff, 0);
        seg(v, VMCB_TR, 0, 0x8b, 0xffff, 0);
        F64(v, VMCB_CR0) = CR0_ET | CR0_NE;
        F64(v, VMCB_EFER) = EFER_SVME;
        F64(v, VMCB_RIP) = 0;
        return;
    }
    /* The Linux 64-bit boot protocol: long mode, identity paging, __BOOT_CS 0x10 and
     * __BOOT_DS 0x18 flat, interrupts off, RSI = boot_params. */
    seg(v, VMCB_CS, 0x10, 0xa9b, 0xffffffff, 0);
    seg(v, VMCB_DS, 0x18, 0xc93, 0xffffffff, 0);
    seg(v, VMCB_ES, 0x18, 0xc93, 0xffffffff, 0);
    seg(v, VMCB_SS, 0x18, 0xc93, 0xffffffff, 0);
    seg(v, VMCB_FS, 0x18, 0xc93, 0xffffffff, 0);
    seg(v, VMCB_GS, 0x18, 0xc93, 0xffffffff, 0);
    seg(v, VMCB_GDTR, 0, 0, 0x1f, guest_boot_gdt(p));
    seg(v, VMCB_IDTR, 0, 0, 0, 0);
    seg(v, VMCB_LDTR, 0, 0x82, 0xffff, 0);
    seg(v, VMCB_TR, 0, 0x8b, 0xffff, 0);
    F64(v, VMCB_CR0) = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
    F64(v, VMCB_CR3) = guest_boot_cr3(p);
    F64(v, VMCB_CR4) = CR4_PAE;
    F64(v, VMCB_EFER) = EFER_LME | EFER_LMA | EFER_SVME;
    F64(v, VMCB_RIP) = entry;
    v->arch.gprs.r[6] = arg;            /* RSI */
}

static uint64_t *gpr(struct vcpu *v, unsigned reg)
{
    if (reg == 0)
        return &F64(v, VMCB_RAX);
    if (reg == 4)
        return &F64(v, VMCB_RSP);
    return &v->arch.gprs.r[reg];
}

uint64_t arch_vcpu_reg(struct vcpu *v, unsigned reg)
{
    if (reg == MMIO_REG) {
        const struct insn *in = (const struct insn *)v->arch.mmio_insn;
        return insn_store_value(in, in->has_imm ? 0 : *gpr(v, in->reg));
    }
    return reg < 16 ? *gpr(v, reg) : 0;
}

void arch_vcpu_set_reg(struct vcpu *v, unsigned reg, uint64_t val)
{
    if (reg == MMIO_REG) {
        const struct insn *in = (const struct insn *)v->arch.mmio_insn;
        uint64_t *r = gpr(v, in->reg);
        *r = insn_merge_load(in, *r, val);
        return;
    }
    if (reg < 16)
        *gpr(v, reg) = val;
}

void arch_vcpu_skip(struct vcpu *v)
{
    F64(v, VMCB_RIP) = v->arch.next_rip;
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

/* ---- guest memory for decoding ---- */

static int read_gpa(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    struct vcpu *v = ctx;
    void *src = guest_ptr(&v->part->mem, gpa, len);

    if (!src)
        return -1;
    memcpy(buf, src, len);
    return 0;
}

static void inject_exception(struct vcpu *v, unsigned vec, bool has_error, uint32_t error)
{
    F64(v, VMCB_EVENTINJ) = EVENT_VALID | EVENT_EXCEPTION | vec |
                            (has_error ? EVENT_ERROR_VALID | (uint64_t)error << 32 : 0);
}

static void fault(struct vm_exit *e, const char *what, uint64_t detail)
{
    e->reason = EXIT_FAULT;
    e->fault.what = what;
    e->fault.has_addr = false;
    e->fault.syndrome = detail;
}

/* A nested page fault outside guest RAM: the emulated APIC/IOAPIC, or a device window. */
static void npf_exit(struct vcpu *v, struct vm_exit *e)
{
    uint64_t gpa = F64(v, VMCB_EXITINFO2), rip = F64(v, VMCB_RIP);
    struct insn_paging pg = { F64(v, VMCB_CR0), F64(v, VMCB_CR3), F64(v, VMCB_CR4),
                              F64(v, VMCB_EFER) };
    uint8_t bytes[INSN_MAX_LEN];
    struct insn *in = (struct insn *)v->arch.mmio_insn;
    uint16_t cs_attr = F(v, VMCB_CS + 2, uint16_t);
    enum insn_mode mode = (pg.efer & EFER_LMA) && (cs_attr & 0x200) ? INSN_MODE64
                          : (cs_attr & 0x400)                      ? INSN_MODE32
                                                                   : INSN_MODE16;
    uint64_t la = rip + (mode == INSN_MODE64 ? 0 : F64(v, VMCB_CS + 8));

    _Static_assert(sizeof(struct insn) <= sizeof(v->arch.mmio_insn), "insn state");
    int n = insn_fetch(&pg, read_gpa, v, la, bytes);
    int r = n < 0 ? n : insn_decode(in, bytes, (size_t)n, mode);
    if (r < 0) {
        e->reason = EXIT_FAULT;
        e->fault.what = "access to unbacked guest-physical memory by an instruction the hv "
                        "cannot emulate";
        e->fault.has_addr = true;
        e->fault.addr = gpa;
        e->fault.syndrome = n > 0 ? bytes[0] | (uint64_t)bytes[1] << 8 | (uint64_t)bytes[2] << 16 : 0;
        return;
    }
    v->arch.next_rip = rip + in->len;
    if ((gpa & ~0xfffull) == GUEST_LAPIC_BASE || (gpa & ~0xfffull) == GUEST_IOAPIC_BASE) {
        uint64_t val = in->write ? insn_store_value(in, in->has_imm ? 0 : *gpr(v, in->reg)) : 0;
        bool lapic = (gpa & ~0xfffull) == GUEST_LAPIC_BASE;
        int ok = lapic ? vlapic_access(v, gpa & 0xfff, in->size, in->write, &val)
                       : vioapic_access(v->part, gpa & 0xfff, in->size, in->write, &val);
        if (ok < 0) {
            e->reason = EXIT_FAULT;
            e->fault.what = lapic ? "unsupported local APIC access" : "unsupported IOAPIC access";
            e->fault.has_addr = true;
            e->fault.addr = gpa;
            e->fault.syndrome = in->size;
            return;
        }
        if (!in->write) {
            uint64_t *r = gpr(v, in->reg);
            *r = insn_merge_load(in, *r, val);
        }
        F64(v, VMCB_RIP) = v->arch.next_rip;
        e->reason = EXIT_NONE;
        if (ok == VLAPIC_SIPI) {
            e->reason = EXIT_POWER;
            e->power.op = POWER_CPU_ON;
            e->power.target = v->arch.sipi_target;
            e->power.entry = (gpaddr_t)v->arch.sipi_vector << 12;
            e->power.context = SIPI_START;
        }
        return;
    }
    e->reason = EXIT_MMIO;
    e->mmio.addr = gpa;
    e->mmio.size = in->size;
    e->mmio.write = in->write;
    e->mmio.reg = MMIO_REG;
    e->mmio.sign_extend = false;   /* insn_merge_load extends */
}

static void cpuid_exit(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)F64(v, VMCB_RAX), sub = (uint32_t)v->arch.gprs.r[1], r[4];

    if (leaf >= 0x40000000 && leaf < 0x40000100) {
        r[0] = r[1] = r[2] = r[3] = 0;
        if (leaf == 0x40000000) {
            r[0] = 0x40000010;
            memcpy(&r[1], "HVpartition ", 4);
            memcpy(&r[2], "HVpartition " + 4, 4);
            memcpy(&r[3], "HVpartition " + 8, 4);
        } else if (leaf == 0x40000010) {
            r[0] = (uint32_t)tsc_khz;              /* the VMware/KVM timing leaf */
            r[1] = (uint32_t)GUEST_LAPIC_TIMER_KHZ;
        }
    } else {
        cpuid(leaf, sub, r);
        switch (leaf) {
        case 1:
            r[1] = (r[1] & 0x0000ffff) | v->index << 24 | v->part->nr_vcpus << 16;
            /* no VMX, x2APIC, TSC deadline, XSAVE/OSXSAVE, AVX; a hypervisor is present */
            r[2] &= ~(1u << 5 | 1u << 21 | 1u << 24 | 1u << 26 | 1u << 27 | 1u << 28);
            r[2] |= 1u << 31;
            break;
        case 5: case 6: case 0xa: case 0xb: case 0xd: case 0x1f:
            r[0] = r[1] = r[2] = r[3] = 0;   /* monitor, power, PMU, topology, XSAVE */
            break;
        case 7:
            if (sub == 0)
                r[1] &= ~(1u << 5 | 1u << 16);   /* AVX2, AVX-512 */
            break;
        case 0x80000001:
            r[2] &= ~(1u << 2);             /* no SVM */
            break;
        }
    }
    F64(v, VMCB_RAX) = r[0];
    v->arch.gprs.r[3] = r[1];
    v->arch.gprs.r[1] = r[2];
    v->arch.gprs.r[2] = r[3];
    F64(v, VMCB_RIP) += 2;
}

/* MSRs: the ones the VMCB holds are the guest's own; a few are emulated; the rest raise
 * #GP, as a missing MSR does on hardware. */
static bool msr_exit(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->arch.gprs.r[1];
    bool write = F64(v, VMCB_EXITINFO1) & 1;
    uint64_t val = (F64(v, VMCB_RAX) & 0xffffffff) | v->arch.gprs.r[2] << 32, *field = NULL;
    uint64_t ro = 0;
    bool readonly = false;

    switch (msr) {
    case MSR_EFER:
        if (write) {
            F64(v, VMCB_EFER) = (val & ~(uint64_t)EFER_LMA) | EFER_SVME |
                                (F64(v, VMCB_EFER) & EFER_LMA);
            goto done;
        }
        val = F64(v, VMCB_EFER) & ~(uint64_t)EFER_SVME;
        goto done;
    case MSR_PAT: field = &F64(v, VMCB_GPAT); break;
    case MSR_FS_BASE: field = &F64(v, VMCB_FS + 8); break;
    case MSR_GS_BASE: field = &F64(v, VMCB_GS + 8); break;
    case 0xc0000102: field = &F64(v, VMCB_KERNEL_GS); break;
    case 0xc0000081: field = &F64(v, VMCB_STAR); break;
    case 0xc0000082: field = &F64(v, VMCB_LSTAR); break;
    case 0xc0000083: field = &F64(v, VMCB_CSTAR); break;
    case 0xc0000084: field = &F64(v, VMCB_SFMASK); break;
    case 0x174: field = &F64(v, VMCB_SYSENTER_CS); break;
    case 0x175: field = &F64(v, VMCB_SYSENTER_ESP); break;
    case 0x176: field = &F64(v, VMCB_SYSENTER_EIP); break;
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
    case 0x8b:             /* microcode revision */
    case 0xc0010114:       /* VM_CR: SVM is not offered */
        ro = msr == 0xc0010114 ? 1u << 4 : 0;
        readonly = true;
        break;
    default:
        break;
    }
    if (field) {
        if (write)
            *field = val;
        else
            val = *field;
    } else if (readonly && !write) {
        val = ro;
    } else if (!(readonly && write && msr == 0x8b)) {
        if (v->arch.msr_reported++ < 8)
            hv_log("partition '%s': vcpu %u: %s of MSR 0x%x refused (#GP)", v->part->label,
                   v->index, write ? "write" : "read", msr);
        inject_exception(v, 13, true, 0);
        return true;
    }
done:
    if (!write) {
        F64(v, VMCB_RAX) = (uint32_t)val;
        v->arch.gprs.r[2] = val >> 32;
    }
    F64(v, VMCB_RIP) += 2;
    return true;
}

static bool hv_port(uint16_t port)
{
    return port >= 0x3f8 && port <= 0x3ff;   /* COM1: the hv's console */
}

static void io_exit(struct vcpu *v, struct vm_exit *e)
{
    uint64_t info = F64(v, VMCB_EXITINFO1);
    uint16_t port = (uint16_t)(info >> 16);
    bool in = info & 1;
    unsigned size = (info >> 4) & 7;     /* 1, 2 or 4 (one-hot) */
    uint32_t val = (uint32_t)F64(v, VMCB_RAX);

    if (info & 4) {                      /* INS/OUTS */
        fault(e, "string I/O instruction", info);
        return;
    }
    if (hv_port(port)) {
        e->reason = EXIT_FAULT;
        e->fault.what = in ? "read of an I/O port the hv owns" : "write to an I/O port the hv owns";
        e->fault.has_addr = false;
        e->fault.syndrome = port;
        return;
    }
    F64(v, VMCB_RIP) = F64(v, VMCB_EXITINFO2);   /* next RIP (no NRIP save under TCG) */
    e->reason = EXIT_NONE;
    if (in) {
        uint32_t r = 0xffffffff;         /* nothing behind the port */
        if (port == PORT_SLEEP_STS || port == PORT_SLEEP_CTL || port == PORT_RESET)
            r = 0;
        uint64_t mask = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffff;
        F64(v, VMCB_RAX) = (F64(v, VMCB_RAX) & ~mask) | (r & mask);
        return;
    }
    if (port == PORT_SLEEP_CTL && (val & SLP_EN)) {
        if (((val >> 2) & 7) == S5_TYP) {
            e->reason = EXIT_POWER;
            e->power.op = POWER_SYSTEM_OFF;
        }
    } else if (port == PORT_RESET && (val & 0xff) == 1) {
        e->reason = EXIT_POWER;
        e->power.op = POWER_SYSTEM_RESET;
    }
}

/* Interrupt delivery: re-deliver what an exit interrupted, else the APIC's highest vector
 * once the guest can take it; otherwise ask for an exit when it can (VINTR). */
static void inject_pending(struct vcpu *v)
{
    uint64_t intinfo = F64(v, VMCB_EXITINTINFO);

    F32(v, VMCB_INTERCEPT_MISC1) &= ~I1_VINTR;
    F32(v, VMCB_VINTR) &= ~(1u << 8 | 0xfu << 16 | 1u << 20);
    if (F64(v, VMCB_EVENTINJ) & EVENT_VALID)
        return;
    if (intinfo & EVENT_VALID) {
        F64(v, VMCB_EVENTINJ) = intinfo;
        return;
    }
    int vec = vlapic_pending_vector(v);
    if (vec < 0)
        return;
    if ((F64(v, VMCB_RFLAGS) & RFLAGS_IF) && !(F64(v, VMCB_INT_SHADOW) & 1)) {
        vlapic_ack(v, (unsigned)vec);
        F64(v, VMCB_EVENTINJ) = EVENT_VALID | (unsigned)vec;
    } else {
        F32(v, VMCB_VINTR) |= 1u << 8 | 0xfu << 16 | 1u << 20;   /* V_IRQ, prio, ignore TPR */
        F32(v, VMCB_INTERCEPT_MISC1) |= I1_VINTR;
    }
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
    struct cpu_local *c = this_cpu();

    arch_vcpu_load(v);
    vlapic_timer_check(v);
    inject_pending(v);
    F32(v, VMCB_CLEAN) = 0;
    F(v, VMCB_TLB_CONTROL, uint8_t) = v->arch.flush_tlb ? 1 : 0;
    v->arch.flush_tlb = false;

    __asm__ volatile("fxrstor64 %0" :: "m"(v->arch.fpu));
    svm_run(&v->arch.gprs, (uint64_t)v->arch.vmcb, (uint64_t)c->host_save);
    __asm__ volatile("fxsave64 %0" : "=m"(v->arch.fpu));
    F64(v, VMCB_EVENTINJ) = 0;

    uint64_t code = F64(v, VMCB_EXITCODE);
    e->pc = F64(v, VMCB_RIP);
    e->reason = EXIT_NONE;
    v->stats.exits++;
    switch (code) {
    case EXIT_INTR:
    case EXIT_NMI:
    case EXIT_VINTR:
        arch_irq_poll();
        break;
    case EXIT_NPF:
        npf_exit(v, e);
        break;
    case EXIT_HLT:
        F64(v, VMCB_RIP) += 1;
        if (!(F64(v, VMCB_RFLAGS) & RFLAGS_IF)) {
            e->reason = EXIT_POWER;          /* halted for good: the CPU is off */
            e->power.op = POWER_CPU_OFF;
        } else {
            e->reason = EXIT_WFI;
        }
        break;
    case EXIT_CPUID:
        cpuid_exit(v);
        break;
    case EXIT_RDPMC:
        /* the physical counters would leak other partitions' activity: no PMU here */
        if (v->arch.msr_reported++ < 8)
            hv_log("partition '%s': vcpu %u: RDPMC is not provided; #GP injected at rip 0x%llx",
                   v->part->label, v->index, (unsigned long long)F64(v, VMCB_RIP));
        inject_exception(v, 13, true, 0);
        break;
    case EXIT_INVD:
        F64(v, VMCB_RIP) += 2;       /* dropping the caches unwritten is not the guest's call */
        break;
    case EXIT_MSR:
        msr_exit(v);
        break;
    case EXIT_IOIO:
        io_exit(v, e);
        break;
    case EXIT_SHUTDOWN:
        fault(e, "triple fault (shutdown)", 0);
        break;
    default:
        if ((code & 0xffffffff) == 0xffffffff) {
            fault(e, "the VMCB state is invalid (VMRUN refused it)", code);
        } else if (code >= 0x80 && code <= 0x8d) {
            inject_exception(v, 6, false, 0);   /* SVM instructions: #UD, as without SVM */
        } else if (code == 0x8d || code == 0x6c) {
            inject_exception(v, 6, false, 0);
        } else {
            fault(e, "unexpected SVM exit", code);
        }
        break;
    }
}

