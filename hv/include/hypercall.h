/*
 * The hv's own hypercalls: one number space on every arch; each port says how a guest
 * makes one and where the arguments and the result are:
 *   aarch64  HVC #0 (or SMC #0), x0 = HC_SMCCC_BASE | nr (an SMCCC fast call of the
 *            vendor-specific hypervisor service), arguments x1-x6, result x0
 *   x86_64   VMCALL (Intel) or VMMCALL (AMD), rax = HC_BASE | nr, arguments rbx, rcx,
 *            rdx, rsi, rdi, r8, result rax
 *   s390x    DIAG 0x500, r1 = HC_BASE | nr, arguments r2-r7, result r2
 * The arch-only calls (PSCI, KVM's CPUID leaves and DIAG 0x500 virtio notify, SIGP) stay
 * in arch/. Results are >= 0, or HC_ENOSYS for a number the hv does not have.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "types.h"

#define HC_BASE 0x48560000u        /* "HV" */
#define HC_SMCCC_BASE 0xc6000000u  /* SMCCC: fast, SMC64, owner 6 */
#define HC_NR_MASK 0xffffu
#define HC_ARGS 6

#define HC_VERSION 0     /* -> HC_BASE | ABI version: also says "this is the hv" */
#define HC_SELF 1        /* -> partition index | vcpu index << 16 | vcpus << 32 */

#define HC_ABI_VERSION 1
#define HC_ENOSYS (-1)

struct vcpu;
struct vm_exit;
/* Answer a VM_EXIT_HYPERCALL (arch_vcpu_hypercall_done gets the result). */
void hypercall_handle(struct vcpu *v, const struct vm_exit *e);

#endif
