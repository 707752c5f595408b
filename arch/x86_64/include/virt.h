/* The hardware virtualization backend, AMD SVM (svm.c) or Intel VMX (vmx.c), chosen once at
 * boot. vcpu.c owns everything the two share: the reset state, the exit policy (CPUID, MSRs,
 * I/O ports, MMIO decoding, HLT), the emulated APIC and interrupt choice. A backend only
 * moves state in and out of its VMCB/VMCS and translates its exit codes into x86_exit. */
#ifndef ARCH_X86_64_VIRT_H
#define ARCH_X86_64_VIRT_H

#include "x86_64.h"

/* Guest registers the exit policy reads and writes outside the general registers. */
enum x86_vreg {
    VR_CR0, VR_CR3, VR_CR4, VR_EFER, VR_PAT, VR_FS_BASE, VR_GS_BASE, VR_KERNEL_GS_BASE,
    VR_STAR, VR_LSTAR, VR_CSTAR, VR_SFMASK, VR_SYSENTER_CS, VR_SYSENTER_ESP,
    VR_SYSENTER_EIP, VR_CS_BASE, VR_CS_ATTR, VR_COUNT
};

/* An exit, in the backend-neutral terms of vcpu.c. */
enum x86_exit_kind {
    XE_NONE,          /* handled by the backend (interrupt, window, CR shadowing ...) */
    XE_NPF,           /* access to unmapped guest-physical memory: gpa */
    XE_HLT,
    XE_CPUID,
    XE_RDPMC,
    XE_INVD,
    XE_MSR,           /* write */
    XE_IO,            /* port, size, in, string; next_rip */
    XE_SHUTDOWN,      /* triple fault */
    XE_HYPERCALL,     /* VMMCALL or VMCALL; next_rip */
    XE_UD,            /* an instruction the partition does not get (SVM/VMX ones): #UD */
    XE_INVALID,       /* the backend refused the state: code */
    XE_UNKNOWN,       /* code */
};

struct x86_exit {
    enum x86_exit_kind kind;
    uint64_t gpa, next_rip, code;
    uint16_t port;
    uint8_t size;
    bool in, string, write;
};

struct virt_backend {
    const char *name;
    bool (*supported)(const char **why);
    int (*cpu_init)(void);
    /* Enter v (its start state first if v->arch.start_pending), come back with the exit.
     * Moves RIP, RFLAGS and all sixteen GPRs through v->arch on each side. */
    void (*run)(struct vcpu *v, struct x86_exit *x);
    uint64_t (*get)(struct vcpu *v, enum x86_vreg r);
    void (*set)(struct vcpu *v, enum x86_vreg r, uint64_t val);
    void (*inject_exception)(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
    /* Leaf bits of a guest-physical mapping in the second-level tables (stage2.c). */
    uint64_t stage2_leaf;
};

extern const struct virt_backend svm_backend, vmx_backend;
extern const struct virt_backend *virt;

/* vcpu.c: chooses the backend; the shared part of each exit */
int virt_init_boot(void);
int virt_init_cpu(void);

#endif
