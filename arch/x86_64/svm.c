/* AMD SVM backend: a VMCB per vcpu, nested paging per partition (ASID = partition), GIF
 * and VMSAVE/VMLOAD around VMRUN (head.S), and the exit codes translated for vcpu.c. */
#include <string.h>

#include "virt.h"

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
#define VMCB_INT_VECTOR 0x064
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
#define I1_INVLPGA (1u << 26)
#define I1_IOIO (1u << 27)
#define I1_MSR (1u << 28)
#define I1_TASK_SWITCH (1u << 29)
#define I1_SHUTDOWN (1u << 31)
#define I2_VMRUN_TO_SKINIT 0x7fu     /* VMRUN VMMCALL VMLOAD VMSAVE STGI CLGI SKINIT */
#define I2_MONITOR_MWAIT (3u << 10)  /* MONITOR, MWAIT */
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
#define EXIT_INVLPGA 0x7a
#define EXIT_IOIO 0x7b
#define EXIT_MSR 0x7c
#define EXIT_SHUTDOWN 0x7f
#define EXIT_VMMCALL 0x81
#define EXIT_NPF 0x400

#define EVENT_VALID (1u << 31)
#define EVENT_EXCEPTION (3u << 8)
#define EVENT_ERROR_VALID (1u << 11)

static uint8_t iopm[3 * 4096] __attribute__((aligned(4096)));
static uint8_t msrpm[2 * 4096] __attribute__((aligned(4096)));
static uint8_t vmcbs[HV_MAX_PARTITIONS * HV_MAX_VCPUS][4096] __attribute__((aligned(4096)));
static unsigned vmcbs_used;
static spinlock_t vmcb_lock;

extern void svm_run(struct guest_gprs *g, uint64_t vmcb_pa, uint64_t host_save_pa);

#define F(v, off, type) (*(type *)((uint8_t *)(v)->arch.hw + (off)))
#define F64(v, off) F(v, off, uint64_t)
#define F32(v, off) F(v, off, uint32_t)

static bool svm_supported(const char **why)
{
    uint32_t r[4];

    cpuid(0x80000000, 0, r);
    if (r[0] < 0x8000000a) {
        *why = "no AMD SVM";
        return false;
    }
    cpuid(0x80000001, 0, r);
    if (!(r[2] & (1u << 2))) {
        *why = "no AMD SVM";
        return false;
    }
    cpuid(0x8000000a, 0, r);
    if (!(r[3] & 1))
        hv_log("x86_64: CPUID says no nested paging; trying it anyway (QEMU TCG emulates it)");
    return true;
}

static int svm_cpu_init(void)
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

static const unsigned seg_offset[SEG_COUNT] = {
    [SEG_ES] = VMCB_ES, [SEG_CS] = VMCB_CS, [SEG_SS] = VMCB_SS, [SEG_DS] = VMCB_DS,
    [SEG_FS] = VMCB_FS, [SEG_GS] = VMCB_GS, [SEG_GDTR] = VMCB_GDTR, [SEG_LDTR] = VMCB_LDTR,
    [SEG_IDTR] = VMCB_IDTR, [SEG_TR] = VMCB_TR,
};

/* A fresh VMCB in the vcpu's start state. */
static void load_start(struct vcpu *v)
{
    const struct x86_start_state *s = &v->arch.start;
    struct partition *p = v->part;

    if (!v->arch.hw) {
        spin_lock(&vmcb_lock);
        v->arch.hw = vmcbs[vmcbs_used++];
        spin_unlock(&vmcb_lock);
    }
    memset(v->arch.hw, 0, 4096);
    F32(v, VMCB_INTERCEPT_MISC1) = I1_INTR | I1_NMI | I1_RDPMC | I1_CPUID | I1_INVD | I1_HLT |
                                   I1_INVLPGA | I1_IOIO | I1_MSR | I1_TASK_SWITCH | I1_SHUTDOWN;
    F32(v, VMCB_INTERCEPT_MISC2) = I2_VMRUN_TO_SKINIT | I2_MONITOR_MWAIT | I2_XSETBV;
    F64(v, VMCB_IOPM) = (uint64_t)iopm;
    F64(v, VMCB_MSRPM) = (uint64_t)msrpm;
    F32(v, VMCB_ASID) = p->arch.asid;
    F32(v, VMCB_VINTR) = 1u << 24;       /* V_INTR_MASKING: the guest's IF is its own */
    v->arch.virq = -1;
    F64(v, VMCB_NP_ENABLE) = 1;
    F64(v, VMCB_NCR3) = (uint64_t)p->arch.stage2_root;
    F64(v, VMCB_GPAT) = 0x0007040600070406ull;
    F64(v, VMCB_DR6) = 0xffff0ff0;
    F64(v, VMCB_DR7) = 0x400;
    for (unsigned r = 0; r < SEG_COUNT; r++) {
        const struct x86_seg *g = &s->seg[r];
        F(v, seg_offset[r], uint16_t) = g->sel;
        F(v, seg_offset[r] + 2, uint16_t) = g->attr;
        F32(v, seg_offset[r] + 4) = g->limit;
        F64(v, seg_offset[r] + 8) = g->base;
    }
    F64(v, VMCB_CR0) = s->cr0;
    F64(v, VMCB_CR3) = s->cr3;
    F64(v, VMCB_CR4) = s->cr4;
    F64(v, VMCB_EFER) = s->efer | EFER_SVME;
}

static uint64_t *field(struct vcpu *v, enum x86_vreg r)
{
    static const unsigned off[VR_COUNT] = {
        [VR_CR0] = VMCB_CR0, [VR_CR3] = VMCB_CR3, [VR_CR4] = VMCB_CR4, [VR_EFER] = VMCB_EFER,
        [VR_PAT] = VMCB_GPAT, [VR_FS_BASE] = VMCB_FS + 8, [VR_GS_BASE] = VMCB_GS + 8,
        [VR_KERNEL_GS_BASE] = VMCB_KERNEL_GS, [VR_STAR] = VMCB_STAR, [VR_LSTAR] = VMCB_LSTAR,
        [VR_CSTAR] = VMCB_CSTAR, [VR_SFMASK] = VMCB_SFMASK, [VR_SYSENTER_CS] = VMCB_SYSENTER_CS,
        [VR_SYSENTER_ESP] = VMCB_SYSENTER_ESP, [VR_SYSENTER_EIP] = VMCB_SYSENTER_EIP,
        [VR_CS_BASE] = VMCB_CS + 8,
    };
    return &F64(v, off[r]);
}

static uint64_t svm_get(struct vcpu *v, enum x86_vreg r)
{
    if (r == VR_CS_ATTR)
        return F(v, VMCB_CS + 2, uint16_t);
    if (r == VR_EFER)
        return F64(v, VMCB_EFER) & ~(uint64_t)EFER_SVME;   /* SVM is not offered */
    return *field(v, r);
}

static void svm_set(struct vcpu *v, enum x86_vreg r, uint64_t val)
{
    if (r == VR_CS_ATTR)
        return;
    if (r == VR_EFER)
        val |= EFER_SVME;
    *field(v, r) = val;
}

static void svm_inject_exception(struct vcpu *v, unsigned vec, bool has_error, uint32_t error)
{
    F64(v, VMCB_EVENTINJ) = EVENT_VALID | EVENT_EXCEPTION | vec |
                            (has_error ? EVENT_ERROR_VALID | (uint64_t)error << 32 : 0);
}

#define V_IRQ_BITS (1u << 8 | 0xfu << 16 | 1u << 20)  /* V_IRQ, priority 15, ignore V_TPR */

/* Interrupt delivery: re-deliver what an exit interrupted (EVENTINJ), else offer the APIC's
 * highest vector as a virtual interrupt (V_IRQ), which the CPU delivers itself when the
 * guest can take it. Not EVENTINJ for new interrupts: QEMU 7.2's TCG delivers an injected
 * interrupt at VMRUN and leaves it pending as an exception, so a later exit from the
 * emulator's loop delivers it again (100038 of 100000 self-IPIs with -accel
 * tcg,thread=single; README, Known limits). */
static void inject_pending(struct vcpu *v)
{
    uint64_t intinfo = F64(v, VMCB_EXITINTINFO);

    F32(v, VMCB_INTERCEPT_MISC1) &= ~I1_VINTR;
    if (F64(v, VMCB_EVENTINJ) & EVENT_VALID)
        return;
    if (intinfo & EVENT_VALID) {
        F64(v, VMCB_EVENTINJ) = intinfo;
        return;
    }
    int vec = vlapic_pending_vector(v);
    if (vec < 0)
        return;
    F32(v, VMCB_INT_VECTOR) = (uint32_t)vec;
    F32(v, VMCB_VINTR) |= V_IRQ_BITS;
    v->arch.virq = vec;
}

/* After an exit: the offered vector was taken if the CPU cleared V_IRQ, or if its delivery
 * was cut short by the exit (then it is in EXITINTINFO and goes in again by EVENTINJ). */
static void virq_complete(struct vcpu *v)
{
    uint64_t intinfo = F64(v, VMCB_EXITINTINFO);

    if (v->arch.virq < 0)
        return;
    if (!(F32(v, VMCB_VINTR) & (1u << 8)) ||
        ((intinfo & EVENT_VALID) && (intinfo & 0x7ff) == (uint64_t)v->arch.virq))
        vlapic_ack(v, (unsigned)v->arch.virq);
    F32(v, VMCB_VINTR) &= ~V_IRQ_BITS;
    v->arch.virq = -1;
}

static void svm_vcpu_run(struct vcpu *v, struct x86_exit *x)
{
    struct cpu_local *c = this_cpu();

    if (__atomic_load_n(&v->arch.start_pending, __ATOMIC_ACQUIRE)) {
        v->arch.start_pending = false;
        load_start(v);
    }
    F64(v, VMCB_RAX) = v->arch.gprs.r[0];
    F64(v, VMCB_RSP) = v->arch.gprs.r[4];
    F64(v, VMCB_RIP) = v->arch.rip;
    F64(v, VMCB_RFLAGS) = v->arch.rflags;
    if (v->arch.rip != v->arch.exit_rip)
        F64(v, VMCB_INT_SHADOW) = 0;      /* an STI/MOV SS shadow covered the emulated insn only */
    inject_pending(v);
    F32(v, VMCB_CLEAN) = 0;
    F(v, VMCB_TLB_CONTROL, uint8_t) = v->arch.flush_tlb ? 1 : 0;
    v->arch.flush_tlb = false;

    svm_run(&v->arch.gprs, (uint64_t)v->arch.hw, (uint64_t)c->host_save);
    virq_complete(v);

    v->arch.gprs.r[0] = F64(v, VMCB_RAX);
    v->arch.gprs.r[4] = F64(v, VMCB_RSP);
    v->arch.rip = v->arch.exit_rip = F64(v, VMCB_RIP);
    v->arch.rflags = F64(v, VMCB_RFLAGS);
    F64(v, VMCB_EVENTINJ) = 0;            /* delivered (or back in EXITINTINFO) */

    uint64_t code = F64(v, VMCB_EXITCODE), info = F64(v, VMCB_EXITINFO1);
    x->code = code;
    switch (code) {
    case EXIT_INTR:
    case EXIT_NMI:
    case EXIT_VINTR:
        x->kind = XE_NONE;
        break;
    case EXIT_NPF:
        x->kind = XE_NPF;
        x->gpa = F64(v, VMCB_EXITINFO2);
        break;
    case EXIT_HLT: x->kind = XE_HLT; break;
    case EXIT_CPUID: x->kind = XE_CPUID; break;
    case EXIT_RDPMC: x->kind = XE_RDPMC; break;
    case EXIT_INVD: x->kind = XE_INVD; break;
    case EXIT_MSR:
        x->kind = XE_MSR;
        x->write = info & 1;
        break;
    case EXIT_IOIO:
        x->kind = XE_IO;
        x->port = (uint16_t)(info >> 16);
        x->in = info & 1;
        x->string = info & 4;
        x->size = (info >> 4) & 7;            /* 1, 2 or 4 (one-hot) */
        x->next_rip = F64(v, VMCB_EXITINFO2); /* (no NRIP save under TCG) */
        break;
    case EXIT_SHUTDOWN: x->kind = XE_SHUTDOWN; break;
    case EXIT_VMMCALL:
        x->kind = XE_HYPERCALL;
        x->next_rip = v->arch.rip + 3;        /* 0f 01 d9 */
        break;
    default:
        if ((code & 0xffffffff) == 0xffffffff)
            x->kind = XE_INVALID;
        else if ((code >= 0x80 && code <= 0x8d) || code == 0x6c || code == EXIT_INVLPGA)
            x->kind = XE_UD;     /* SVM instructions (EFER.SVME is on for VMRUN's sake, so
                                  * they would run), MONITOR/MWAIT, XSETBV */
        else
            x->kind = XE_UNKNOWN;
        break;
    }
}

const struct virt_backend svm_backend = {
    .name = "AMD SVM with nested paging",
    .supported = svm_supported,
    .cpu_init = svm_cpu_init,
    .run = svm_vcpu_run,
    .get = svm_get,
    .set = svm_set,
    .inject_exception = svm_inject_exception,
    .stage2_leaf = 0,
};
