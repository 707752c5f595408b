/* Intel VMX backend: VMXON per CPU, a VMCS per vcpu (VPID = partition), EPT per partition,
 * unrestricted guest (the start-up IPI path runs in real mode), and the exit reasons
 * translated for vcpu.c. Every MSR and port access exits (no bitmaps). A VMCS can only be
 * touched on the CPU that has it loaded, so vcpus are pinned and a reset requested from
 * another CPU is applied here, before the next entry. */
#include <string.h>

#include "virt.h"

#define MSR_VMX_BASIC 0x480
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_PROCBASED2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED 0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT 0x48f
#define MSR_VMX_TRUE_ENTRY 0x490
#define MSR_KERNEL_GS_BASE 0xc0000102

/* VMCS fields */
#define VPID 0x0000
#define GUEST_ES_SEL 0x0800          /* ES CS SS DS FS GS LDTR TR, step 2 */
#define HOST_ES_SEL 0x0c00
#define HOST_CS_SEL 0x0c02
#define HOST_SS_SEL 0x0c04
#define HOST_DS_SEL 0x0c06
#define HOST_FS_SEL 0x0c08
#define HOST_GS_SEL 0x0c0a
#define HOST_TR_SEL 0x0c0c
#define EPT_POINTER 0x201a
#define GUEST_PHYS_ADDR 0x2400
#define VMCS_LINK 0x2800
#define GUEST_PAT 0x2804
#define GUEST_EFER 0x2806
#define HOST_PAT 0x2c00
#define HOST_EFER 0x2c02
#define PIN_CONTROLS 0x4000
#define PROC_CONTROLS 0x4002
#define EXCEPTION_BITMAP 0x4004
#define CR3_TARGET_COUNT 0x400a
#define EXIT_CONTROLS 0x400c
#define EXIT_MSR_STORE_COUNT 0x400e
#define EXIT_MSR_LOAD_COUNT 0x4010
#define ENTRY_CONTROLS 0x4012
#define ENTRY_MSR_LOAD_COUNT 0x4014
#define ENTRY_INTR_INFO 0x4016
#define ENTRY_EXC_ERROR 0x4018
#define ENTRY_INSN_LEN 0x401a
#define PROC2_CONTROLS 0x401e
#define VM_INSN_ERROR 0x4400
#define EXIT_REASON 0x4402
#define EXIT_INTR_INFO 0x4404
#define IDT_VEC_INFO 0x4408
#define IDT_VEC_ERROR 0x440a
#define EXIT_INSN_LEN 0x440c
#define GUEST_ES_LIMIT 0x4800        /* ES CS SS DS FS GS LDTR TR, step 2 */
#define GUEST_GDTR_LIMIT 0x4810
#define GUEST_IDTR_LIMIT 0x4812
#define GUEST_ES_AR 0x4814           /* ES CS SS DS FS GS LDTR TR, step 2 */
#define GUEST_INTERRUPTIBILITY 0x4824
#define GUEST_ACTIVITY 0x4826
#define GUEST_SYSENTER_CS 0x482a
#define HOST_SYSENTER_CS 0x4c00
#define CR0_MASK 0x6000
#define CR4_MASK 0x6002
#define CR0_SHADOW 0x6004
#define CR4_SHADOW 0x6006
#define EXIT_QUALIFICATION 0x6400
#define GUEST_CR0 0x6800
#define GUEST_CR3 0x6802
#define GUEST_CR4 0x6804
#define GUEST_ES_BASE 0x6806         /* ES CS SS DS FS GS LDTR TR, step 2 */
#define GUEST_GDTR_BASE 0x6816
#define GUEST_IDTR_BASE 0x6818
#define GUEST_DR7 0x681a
#define GUEST_RSP 0x681c
#define GUEST_RIP 0x681e
#define GUEST_RFLAGS 0x6820
#define GUEST_PENDING_DBG 0x6822
#define GUEST_SYSENTER_ESP 0x6824
#define GUEST_SYSENTER_EIP 0x6826
#define HOST_CR0 0x6c00
#define HOST_CR3 0x6c02
#define HOST_CR4 0x6c04
#define HOST_FS_BASE 0x6c06
#define HOST_GS_BASE 0x6c08
#define HOST_TR_BASE 0x6c0a
#define HOST_GDTR_BASE 0x6c0c
#define HOST_IDTR_BASE 0x6c0e
#define HOST_SYSENTER_ESP 0x6c10
#define HOST_SYSENTER_EIP 0x6c12
#define HOST_RIP 0x6c16

/* controls */
#define PIN_EXT_INTR (1u << 0)
#define PIN_NMI (1u << 3)
#define PROC_INTR_WINDOW (1u << 2)
#define PROC_HLT (1u << 7)
#define PROC_MWAIT (1u << 10)
#define PROC_RDPMC (1u << 11)
#define PROC_UNCOND_IO (1u << 24)
#define PROC_MONITOR (1u << 29)
#define PROC_SECONDARY (1u << 31)
#define PROC2_EPT (1u << 1)
#define PROC2_RDTSCP (1u << 3)
#define PROC2_VPID (1u << 5)
#define PROC2_UNRESTRICTED (1u << 7)
#define PROC2_INVPCID (1u << 12)
#define EXIT_HOST_64 (1u << 9)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
#define ENTRY_IA32E (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* exit reasons */
#define XR_EXC_NMI 0
#define XR_EXT_INTR 1
#define XR_TRIPLE_FAULT 2
#define XR_INTR_WINDOW 7
#define XR_CPUID 10
#define XR_HLT 12
#define XR_INVD 13
#define XR_RDPMC 15
#define XR_VMCALL 18
#define XR_VMXON 27
#define XR_CR 28
#define XR_IO 30
#define XR_RDMSR 31
#define XR_WRMSR 32
#define XR_MWAIT 36
#define XR_MONITOR 39
#define XR_EPT_VIOLATION 48
#define XR_INVEPT 50
#define XR_INVVPID 53
#define XR_XSETBV 55
#define XR_INVPCID 58
#define XR_VMFUNC 59
#define XR_ENTRY_FAILED (1u << 31)

#define INTR_VALID (1u << 31)
#define INTR_TYPE_HW_EXCEPTION (3u << 8)
#define INTR_ERROR_VALID (1u << 11)

#define EPT_CAP_WALK4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_2M (1ull << 16)
#define EPT_CAP_INVEPT_ALL (1ull << 26)
#define EPT_MEMTYPE_WB (6ull << 3)

static uint8_t vmcss[HV_MAX_PARTITIONS * HV_MAX_VCPUS][4096] __attribute__((aligned(4096)));
static unsigned vmcss_used;
static spinlock_t vmcs_lock;

/* Control values and fixed bits, read once on the boot CPU (every CPU is the same model). */
static struct {
    uint32_t revision;
    uint32_t pin, proc, proc2, exit, entry;     /* entry without IA32E */
    uint64_t cr0_must1, cr0_must0, cr4_must1, cr4_must0;
    bool invept_all;
} cfg;

/* 0 after an exit, 1 if VMLAUNCH/VMRESUME itself failed (head.S) */
extern int vmx_run(struct guest_gprs *g, int launched);
extern char vmx_exit[];

static inline uint64_t vmread(uint64_t field)
{
    uint64_t val;
    __asm__ volatile("vmread %1, %0" : "=r"(val) : "r"(field) : "cc");
    return val;
}

static inline void vmwrite(uint64_t field, uint64_t val)
{
    bool failed;
    __asm__ volatile("vmwrite %2, %1; setna %0" : "=q"(failed) : "r"(field), "r"(val) : "cc");
    if (failed)
        hv_log("x86_64: VMWRITE of field 0x%llx failed (error %llu)", (unsigned long long)field,
               (unsigned long long)vmread(VM_INSN_ERROR));
}

static bool vmx_op(const char *insn_what, uint64_t pa, int which)
{
    bool failed;

    switch (which) {
    case 0: __asm__ volatile("vmxon %1; setna %0" : "=q"(failed) : "m"(pa) : "cc", "memory"); break;
    case 1: __asm__ volatile("vmclear %1; setna %0" : "=q"(failed) : "m"(pa) : "cc", "memory"); break;
    default: __asm__ volatile("vmptrld %1; setna %0" : "=q"(failed) : "m"(pa) : "cc", "memory"); break;
    }
    if (failed)
        hv_log("x86_64: %s 0x%llx failed", insn_what, (unsigned long long)pa);
    return !failed;
}

/* A control value: what we want, plus what the CPU insists on; false if it lacks some. */
static bool control(uint32_t msr, uint32_t want, uint32_t optional, uint32_t *out,
                    const char **why, const char *what)
{
    uint64_t allowed = rdmsr(msr);
    uint32_t must1 = (uint32_t)allowed, may1 = (uint32_t)(allowed >> 32);

    if (want & ~may1) {
        *why = what;
        return false;
    }
    *out = (want | (optional & may1) | must1) & may1;
    return true;
}

static bool vmx_supported(const char **why)
{
    uint32_t r[4];

    cpuid(1, 0, r);
    if (!(r[2] & (1u << 5))) {
        *why = "no Intel VMX";
        return false;
    }
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if ((fc & 1) && !(fc & 4)) {
        *why = "VMX is disabled by the firmware (IA32_FEATURE_CONTROL locked without VMX)";
        return false;
    }
    uint64_t basic = rdmsr(MSR_VMX_BASIC);
    if (!(basic & (1ull << 55))) {
        *why = "VMX without the TRUE control MSRs";
        return false;
    }
    cfg.revision = (uint32_t)basic & 0x7fffffff;
    if (!control(MSR_VMX_TRUE_PINBASED, PIN_EXT_INTR | PIN_NMI, 0, &cfg.pin, why,
                 "VMX cannot exit on interrupts") ||
        !control(MSR_VMX_TRUE_PROCBASED, PROC_HLT | PROC_MWAIT | PROC_RDPMC | PROC_UNCOND_IO |
                 PROC_MONITOR | PROC_SECONDARY, 0, &cfg.proc, why,
                 "VMX lacks HLT/RDPMC/I/O exiting or secondary controls") ||
        !control(MSR_VMX_PROCBASED2, PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED,
                 PROC2_RDTSCP | PROC2_INVPCID, &cfg.proc2, why,
                 "VMX lacks EPT, VPID or unrestricted guest") ||
        !control(MSR_VMX_TRUE_EXIT, EXIT_HOST_64 | EXIT_SAVE_PAT | EXIT_LOAD_PAT |
                 EXIT_SAVE_EFER | EXIT_LOAD_EFER, 0, &cfg.exit, why,
                 "VMX cannot switch PAT/EFER on exit") ||
        !control(MSR_VMX_TRUE_ENTRY, ENTRY_LOAD_PAT | ENTRY_LOAD_EFER | ENTRY_IA32E, 0,
                 &cfg.entry, why, "VMX cannot load PAT/EFER on entry"))
        return false;
    cfg.entry &= ~ENTRY_IA32E;
    uint64_t ept = rdmsr(MSR_VMX_EPT_VPID_CAP);
    if ((ept & (EPT_CAP_WALK4 | EPT_CAP_WB | EPT_CAP_2M)) != (EPT_CAP_WALK4 | EPT_CAP_WB | EPT_CAP_2M)) {
        *why = "EPT without 4-level walks, write-back memory or 2 MiB pages";
        return false;
    }
    cfg.invept_all = ept & EPT_CAP_INVEPT_ALL;
    /* unrestricted guest exempts PE and PG from the fixed-1 bits */
    cfg.cr0_must1 = rdmsr(MSR_VMX_CR0_FIXED0) & ~(uint64_t)(CR0_PE | CR0_PG);
    cfg.cr0_must0 = ~rdmsr(MSR_VMX_CR0_FIXED1) & 0xffffffffull;
    cfg.cr4_must1 = rdmsr(MSR_VMX_CR4_FIXED0);
    cfg.cr4_must0 = ~rdmsr(MSR_VMX_CR4_FIXED1) & 0xffffffffull;
    return true;
}

static int vmx_cpu_init(void)
{
    struct cpu_local *c = this_cpu();
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

    if (!(fc & 1))
        wrmsr(MSR_FEATURE_CONTROL, fc | 1 | 4);       /* lock with VMX outside SMX on */
    write_cr(0, (read_cr(0) | rdmsr(MSR_VMX_CR0_FIXED0)) & rdmsr(MSR_VMX_CR0_FIXED1));
    write_cr(4, (read_cr(4) | CR4_VMXE | rdmsr(MSR_VMX_CR4_FIXED0)) & rdmsr(MSR_VMX_CR4_FIXED1));
    memset(c->hsave, 0, sizeof(c->hsave));
    *(uint32_t *)c->hsave = cfg.revision;
    if (!vmx_op("VMXON", (uint64_t)c->hsave, 0))
        return -1;
    c->vmcs_current = NULL;
    return 0;
}

/* ---- vcpu state ---- */

/* The VMCS index (0..7 = ES CS SS DS FS GS LDTR TR) of a segment register. */
static const int seg_index[SEG_COUNT] = {
    [SEG_ES] = 0, [SEG_CS] = 1, [SEG_SS] = 2, [SEG_DS] = 3, [SEG_FS] = 4, [SEG_GS] = 5,
    [SEG_LDTR] = 6, [SEG_TR] = 7, [SEG_GDTR] = -1, [SEG_IDTR] = -1,
};

static uint32_t access_rights(uint16_t attr)
{
    uint32_t ar = (attr & 0xffu) | (uint32_t)(attr & 0xf00) << 4;
    return (attr & 0x80) ? ar : ar | 1u << 16;     /* not present: unusable */
}

static void host_state(void)
{
    struct cpu_local *c = this_cpu();
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr;

    __asm__ volatile("sidt %0" : "=m"(idtr));
    vmwrite(HOST_CR0, read_cr(0));
    vmwrite(HOST_CR3, read_cr(3));
    vmwrite(HOST_CR4, read_cr(4));
    vmwrite(HOST_CS_SEL, 0x08);
    vmwrite(HOST_SS_SEL, 0x10);
    vmwrite(HOST_DS_SEL, 0x10);
    vmwrite(HOST_ES_SEL, 0x10);
    vmwrite(HOST_FS_SEL, 0);
    vmwrite(HOST_GS_SEL, 0);
    vmwrite(HOST_TR_SEL, 0x18);
    vmwrite(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
    vmwrite(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    vmwrite(HOST_TR_BASE, (uint64_t)&c->tss);
    vmwrite(HOST_GDTR_BASE, (uint64_t)c->gdt);
    vmwrite(HOST_IDTR_BASE, idtr.base);
    vmwrite(HOST_SYSENTER_CS, 0);
    vmwrite(HOST_SYSENTER_ESP, 0);
    vmwrite(HOST_SYSENTER_EIP, 0);
    vmwrite(HOST_PAT, rdmsr(MSR_PAT));
    vmwrite(HOST_EFER, rdmsr(MSR_EFER));
    vmwrite(HOST_RIP, (uint64_t)vmx_exit);
}

static void write_cr0(uint64_t val)
{
    vmwrite(CR0_SHADOW, val);
    vmwrite(GUEST_CR0, (val | cfg.cr0_must1) & ~cfg.cr0_must0);
}

static void write_cr4(uint64_t val)
{
    vmwrite(CR4_SHADOW, val);
    vmwrite(GUEST_CR4, (val | cfg.cr4_must1) & ~cfg.cr4_must0);
}

/* EFER.LMA and the "IA-32e mode guest" entry control must agree. */
static void write_efer(uint64_t efer)
{
    uint64_t entry = vmread(ENTRY_CONTROLS) & ~(uint64_t)ENTRY_IA32E;

    vmwrite(GUEST_EFER, efer);
    vmwrite(ENTRY_CONTROLS, entry | ((efer & EFER_LMA) ? ENTRY_IA32E : 0));
}

/* A fresh VMCS, made current, in the vcpu's start state. */
static void load_start(struct vcpu *v)
{
    const struct x86_start_state *s = &v->arch.start;
    struct partition *p = v->part;
    struct cpu_local *c = this_cpu();

    if (!v->arch.hw) {
        spin_lock(&vmcs_lock);
        v->arch.hw = vmcss[vmcss_used++];
        spin_unlock(&vmcs_lock);
    }
    if (v->arch.launched || c->vmcs_current == v->arch.hw)
        vmx_op("VMCLEAR", (uint64_t)v->arch.hw, 1);
    memset(v->arch.hw, 0, 4096);
    *(uint32_t *)v->arch.hw = cfg.revision;
    vmx_op("VMPTRLD", (uint64_t)v->arch.hw, 2);
    c->vmcs_current = v->arch.hw;
    v->arch.launched = false;

    vmwrite(PIN_CONTROLS, cfg.pin);
    vmwrite(PROC_CONTROLS, cfg.proc);
    vmwrite(PROC2_CONTROLS, cfg.proc2);
    vmwrite(EXIT_CONTROLS, cfg.exit);
    vmwrite(ENTRY_CONTROLS, cfg.entry);
    vmwrite(EXCEPTION_BITMAP, 0);
    vmwrite(CR3_TARGET_COUNT, 0);
    vmwrite(EXIT_MSR_STORE_COUNT, 0);
    vmwrite(EXIT_MSR_LOAD_COUNT, 0);
    vmwrite(ENTRY_MSR_LOAD_COUNT, 0);
    vmwrite(ENTRY_INTR_INFO, 0);
    vmwrite(VPID, p->arch.asid);
    vmwrite(EPT_POINTER, (uint64_t)p->arch.stage2_root | 3 << 3 | 6);   /* 4 levels, WB */
    vmwrite(CR0_MASK, cfg.cr0_must1 | cfg.cr0_must0);
    vmwrite(CR4_MASK, cfg.cr4_must1 | cfg.cr4_must0);
    vmwrite(VMCS_LINK, ~0ull);
    host_state();

    for (unsigned r = 0; r < SEG_COUNT; r++) {
        const struct x86_seg *g = &s->seg[r];
        int i = seg_index[r];
        if (i < 0) {
            vmwrite(r == SEG_GDTR ? GUEST_GDTR_BASE : GUEST_IDTR_BASE, g->base);
            vmwrite(r == SEG_GDTR ? GUEST_GDTR_LIMIT : GUEST_IDTR_LIMIT, g->limit);
            continue;
        }
        vmwrite(GUEST_ES_SEL + 2 * i, g->sel);
        vmwrite(GUEST_ES_LIMIT + 2 * i, g->limit);
        vmwrite(GUEST_ES_AR + 2 * i, access_rights(g->attr));
        vmwrite(GUEST_ES_BASE + 2 * i, g->base);
    }
    write_cr0(s->cr0);
    vmwrite(GUEST_CR3, s->cr3);
    write_cr4(s->cr4);
    write_efer(s->efer);
    vmwrite(GUEST_PAT, 0x0007040600070406ull);
    vmwrite(GUEST_DR7, 0x400);
    vmwrite(GUEST_INTERRUPTIBILITY, 0);
    vmwrite(GUEST_ACTIVITY, 0);
    vmwrite(GUEST_PENDING_DBG, 0);
    vmwrite(GUEST_SYSENTER_CS, 0);
    vmwrite(GUEST_SYSENTER_ESP, 0);
    vmwrite(GUEST_SYSENTER_EIP, 0);
    c->syscall_msrs_of = NULL;          /* reload them from the (zeroed) copy */
}

static const uint32_t syscall_msr[5] = { MSR_KERNEL_GS_BASE, 0xc0000081, 0xc0000082,
                                         0xc0000083, 0xc0000084 };

static uint64_t vmx_get(struct vcpu *v, enum x86_vreg r)
{
    switch (r) {
    case VR_CR0: return vmread(GUEST_CR0);
    case VR_CR3: return vmread(GUEST_CR3);
    case VR_CR4: return vmread(GUEST_CR4);
    case VR_EFER: return vmread(GUEST_EFER);
    case VR_PAT: return vmread(GUEST_PAT);
    case VR_FS_BASE: return vmread(GUEST_ES_BASE + 2 * 4);
    case VR_GS_BASE: return vmread(GUEST_ES_BASE + 2 * 5);
    case VR_KERNEL_GS_BASE: return rdmsr(MSR_KERNEL_GS_BASE);   /* SWAPGS does not exit */
    case VR_STAR: case VR_LSTAR: case VR_CSTAR: case VR_SFMASK:
        return v->arch.syscall_msrs[r - VR_KERNEL_GS_BASE];
    case VR_SYSENTER_CS: return vmread(GUEST_SYSENTER_CS);
    case VR_SYSENTER_ESP: return vmread(GUEST_SYSENTER_ESP);
    case VR_SYSENTER_EIP: return vmread(GUEST_SYSENTER_EIP);
    case VR_CS_BASE: return vmread(GUEST_ES_BASE + 2 * 1);
    case VR_CS_ATTR: {
        uint32_t ar = (uint32_t)vmread(GUEST_ES_AR + 2 * 1);
        return (ar & 0xff) | ((ar >> 4) & 0xf00);
    }
    default: return 0;
    }
}

static void vmx_set(struct vcpu *v, enum x86_vreg r, uint64_t val)
{
    switch (r) {
    case VR_CR0: write_cr0(val); break;
    case VR_CR3: vmwrite(GUEST_CR3, val); break;
    case VR_CR4: write_cr4(val); break;
    case VR_EFER: write_efer(val); break;
    case VR_PAT: vmwrite(GUEST_PAT, val); break;
    case VR_FS_BASE: vmwrite(GUEST_ES_BASE + 2 * 4, val); break;
    case VR_GS_BASE: vmwrite(GUEST_ES_BASE + 2 * 5, val); break;
    case VR_KERNEL_GS_BASE: case VR_STAR: case VR_LSTAR: case VR_CSTAR: case VR_SFMASK:
        /* the guest's own values stay in the CPU while it is the one loaded here */
        v->arch.syscall_msrs[r - VR_KERNEL_GS_BASE] = val;
        wrmsr(syscall_msr[r - VR_KERNEL_GS_BASE], val);
        break;
    case VR_SYSENTER_CS: vmwrite(GUEST_SYSENTER_CS, val); break;
    case VR_SYSENTER_ESP: vmwrite(GUEST_SYSENTER_ESP, val); break;
    case VR_SYSENTER_EIP: vmwrite(GUEST_SYSENTER_EIP, val); break;
    default: break;
    }
}

static void vmx_inject_exception(struct vcpu *v, unsigned vec, bool has_error, uint32_t error)
{
    (void)v;
    vmwrite(ENTRY_INTR_INFO, INTR_VALID | INTR_TYPE_HW_EXCEPTION | vec |
                             (has_error ? INTR_ERROR_VALID : 0));
    if (has_error)
        vmwrite(ENTRY_EXC_ERROR, error);
}

/* Interrupt delivery: re-deliver what an exit interrupted, else the APIC's highest vector
 * once the guest can take it; otherwise ask for an exit when it can (interrupt window). */
static void inject_pending(struct vcpu *v)
{
    uint64_t proc = vmread(PROC_CONTROLS) & ~(uint64_t)PROC_INTR_WINDOW;

    vmwrite(PROC_CONTROLS, proc);
    if (vmread(ENTRY_INTR_INFO) & INTR_VALID)
        return;                        /* an exception the exit's handling injected */
    uint64_t idt = v->arch.launched ? vmread(IDT_VEC_INFO) : 0;
    if (idt & INTR_VALID) {
        vmwrite(ENTRY_INTR_INFO, idt & ~(1ull << 12));
        if (idt & INTR_ERROR_VALID)
            vmwrite(ENTRY_EXC_ERROR, vmread(IDT_VEC_ERROR));
        vmwrite(ENTRY_INSN_LEN, vmread(EXIT_INSN_LEN));
        return;
    }
    int vec = vlapic_pending_vector(v);
    if (vec < 0)
        return;
    if ((v->arch.rflags & RFLAGS_IF) && !(vmread(GUEST_INTERRUPTIBILITY) & 3)) {
        vlapic_ack(v, (unsigned)vec);
        vmwrite(ENTRY_INTR_INFO, INTR_VALID | (unsigned)vec);
    } else {
        vmwrite(PROC_CONTROLS, proc | PROC_INTR_WINDOW);
    }
}

/* MOV to CR0/CR4 that touched a bit the hv owns (the fixed ones): the guest sees its value
 * in the read shadow, the CPU runs with the fixed bits applied. */
static bool cr_exit(struct vcpu *v, uint64_t qual)
{
    unsigned cr = qual & 15, type = (qual >> 4) & 3, reg = (qual >> 8) & 15;

    if (type == 2 && cr == 0) {                               /* CLTS */
        vmwrite(CR0_SHADOW, vmread(CR0_SHADOW) & ~8ull);
        vmwrite(GUEST_CR0, vmread(GUEST_CR0) & ~8ull);
    } else if (type == 0 && (cr == 0 || cr == 4)) {
        uint64_t val = v->arch.gprs.r[reg];
        if (cr == 4) {
            write_cr4(val);
        } else {
            uint64_t efer = vmread(GUEST_EFER);
            write_cr0(val);
            /* paging on with LME, or off: the CPU did not see this write, so LMA is ours */
            if ((efer & EFER_LME) && (val & CR0_PG))
                efer |= EFER_LMA;
            else
                efer &= ~(uint64_t)EFER_LMA;
            write_efer(efer);
        }
    } else {
        return false;
    }
    v->arch.rip += vmread(EXIT_INSN_LEN);
    return true;
}

static void vmx_vcpu_run(struct vcpu *v, struct x86_exit *x)
{
    struct cpu_local *c = this_cpu();

    if (__atomic_load_n(&v->arch.start_pending, __ATOMIC_ACQUIRE)) {
        v->arch.start_pending = false;
        load_start(v);
    } else if (c->vmcs_current != v->arch.hw) {
        vmx_op("VMPTRLD", (uint64_t)v->arch.hw, 2);
        c->vmcs_current = v->arch.hw;
    }
    if (c->syscall_msrs_of != v) {
        for (unsigned i = 0; i < 5; i++)
            wrmsr(syscall_msr[i], v->arch.syscall_msrs[i]);
        c->syscall_msrs_of = v;
    }
    vmwrite(GUEST_RSP, v->arch.gprs.r[4]);
    vmwrite(GUEST_RIP, v->arch.rip);
    vmwrite(GUEST_RFLAGS, v->arch.rflags);
    if (v->arch.rip != v->arch.exit_rip)   /* an STI/MOV SS shadow covered the emulated insn only */
        vmwrite(GUEST_INTERRUPTIBILITY, vmread(GUEST_INTERRUPTIBILITY) & ~3ull);
    inject_pending(v);
    if (v->arch.flush_tlb) {
        struct { uint64_t eptp, zero; } desc = { vmread(EPT_POINTER), 0 };
        uint64_t type = cfg.invept_all ? 2 : 1;
        __asm__ volatile("invept %0, %1" :: "m"(desc), "r"(type) : "cc", "memory");
        v->arch.flush_tlb = false;
    }

    int failed = vmx_run(&v->arch.gprs, v->arch.launched);
    if (failed) {
        x->kind = XE_INVALID;
        x->code = 0x10000 | vmread(VM_INSN_ERROR);   /* VM entry refused before the guest */
        return;
    }
    v->arch.launched = true;
    v->arch.syscall_msrs[0] = rdmsr(MSR_KERNEL_GS_BASE);
    v->arch.gprs.r[4] = vmread(GUEST_RSP);
    v->arch.rip = v->arch.exit_rip = vmread(GUEST_RIP);
    v->arch.rflags = vmread(GUEST_RFLAGS);

    uint32_t reason = (uint32_t)vmread(EXIT_REASON);
    uint64_t qual = vmread(EXIT_QUALIFICATION);
    x->code = reason;
    if (reason & XR_ENTRY_FAILED) {
        x->kind = XE_INVALID;
        x->code = reason & 0xffff;
        v->arch.launched = false;
        return;
    }
    switch (reason & 0xffff) {
    case XR_EXC_NMI:            /* an NMI (the only thing the exception bitmap lets out) */
    case XR_EXT_INTR:
    case XR_INTR_WINDOW:
        x->kind = XE_NONE;
        break;
    case XR_EPT_VIOLATION:
        x->kind = XE_NPF;
        x->gpa = vmread(GUEST_PHYS_ADDR);
        break;
    case XR_HLT: x->kind = XE_HLT; break;
    case XR_CPUID: x->kind = XE_CPUID; break;
    case XR_RDPMC: x->kind = XE_RDPMC; break;
    case XR_INVD: x->kind = XE_INVD; break;
    case XR_RDMSR:
    case XR_WRMSR:
        x->kind = XE_MSR;
        x->write = (reason & 0xffff) == XR_WRMSR;
        break;
    case XR_IO:
        x->kind = XE_IO;
        x->size = (uint8_t)((qual & 7) + 1);
        x->in = (qual >> 3) & 1;
        x->string = (qual >> 4) & 1;
        x->port = (uint16_t)(qual >> 16);
        x->next_rip = v->arch.rip + vmread(EXIT_INSN_LEN);
        break;
    case XR_CR:
        x->kind = cr_exit(v, qual) ? XE_NONE : XE_UNKNOWN;
        break;
    case XR_TRIPLE_FAULT: x->kind = XE_SHUTDOWN; break;
    case XR_VMCALL:
        x->kind = XE_HYPERCALL;
        x->next_rip = v->arch.rip + vmread(EXIT_INSN_LEN);
        break;
    case XR_MWAIT:
    case XR_MONITOR:
    case XR_INVEPT:
    case XR_INVVPID:
    case XR_XSETBV:
    case XR_INVPCID:
    case XR_VMFUNC:
        x->kind = XE_UD;
        break;
    default:
        if ((reason & 0xffff) >= XR_VMCALL && (reason & 0xffff) <= XR_VMXON)
            x->kind = XE_UD;    /* VMX instructions */
        else
            x->kind = XE_UNKNOWN;
        break;
    }
}

const struct virt_backend vmx_backend = {
    .name = "Intel VMX with EPT",
    .supported = vmx_supported,
    .cpu_init = vmx_cpu_init,
    .run = vmx_vcpu_run,
    .get = vmx_get,
    .set = vmx_set,
    .inject_exception = vmx_inject_exception,
    .stage2_leaf = EPT_MEMTYPE_WB,
};
