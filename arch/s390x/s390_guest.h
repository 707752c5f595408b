/* What the s390x port does to a guest: its storage seen through prefixing, PSW swaps,
 * and the emulated instructions (guest_insn.c, vsclp.c, sigp.c). */
#ifndef S390_GUEST_H
#define S390_GUEST_H

#include "s390.h"

/* arch_vcpu_reset's argument: a restart interruption of a stopped CPU (SIGP restart),
 * not a reset; bit 0 of a PSW mask, which a valid PSW never has. */
#define S390_START_RESTART (1ull << 63)
/* ... or SIGP start: on from the PSW where it stopped. */
#define S390_START_RESUME (1ull << 62)

/* Guest real address -> host pointer for [real, real+len) (prefixing applied), NULL if it
 * is outside the partition's storage or crosses the lowcore's edge. */
void *s390_guest_real(struct vcpu *v, uint64_t real, uint64_t len);
/* Guest logical address -> host pointer for an operand of len bytes, through the guest's
 * DAT tables when its PSW has DAT on (the space its PSW selects; access-register mode
 * with ALET 0 or 1 only, ar = the operand's base register). Returns 0 with *out, a
 * program interruption code > 0 to reflect (translation-exception identification
 * stored), -1 for an ALET the hv does not translate, -2 for an operand whose pages are
 * not adjacent in real storage. */
int s390_guest_logical(struct vcpu *v, uint64_t la, uint64_t len, bool store, unsigned ar,
                       void **out);
void s390_guest_lc_write(struct vcpu *v, unsigned off, const void *src, unsigned len);
/* Store the current PSW at old_off, load the one at new_off (guest lowcore). */
void s390_guest_swap_psw(struct vcpu *v, unsigned old_off, unsigned new_off);
/* A program interruption in the guest, with the PSW already past the instruction. */
void s390_guest_program(struct vcpu *v, uint16_t code, unsigned ilen);
#define PGM_OPERATION      0x01
#define PGM_PRIVILEGED     0x02
#define PGM_PROTECTION     0x04
#define PGM_ADDRESSING     0x05
#define PGM_SPECIFICATION  0x06

void s390_guest_insn(struct vcpu *v, struct vm_exit *e);
void s390_guest_program_check(struct vcpu *v, struct vm_exit *e, uint16_t code);
void s390_set_cc(struct vcpu *v, unsigned cc);

/* vsclp.c: SERVC; returns the condition code, or <0 for a program exception (-code). */
int s390_vsclp_servc(struct vcpu *v, uint32_t cmd, uint64_t sccb);
/* css.c: the partition's channel subsystem */
bool s390_css_insn(struct vcpu *v, struct vm_exit *e, unsigned op2);
bool s390_css_take(struct vcpu *v, uint32_t code[3]);
bool s390_css_pending(const struct vcpu *v);
bool s390_css_requested(const struct partition *p);
int64_t s390_css_notify(struct vcpu *v, uint64_t schid, uint64_t q);
/* guest_insn.c: the operand of the intercepted S-format instruction, to be fetched or
 * stored (NULL: an exception was reflected, or the partition is being stopped) */
void *s390_io_operand(struct vcpu *v, struct vm_exit *e, unsigned len, bool store);
/* sigp.c */
void s390_sigp(struct vcpu *v, struct vm_exit *e, unsigned r1, unsigned r3, unsigned order);
/* Guest reset of a stopped vcpu (SIGP initial CPU reset). */
void s390_vcpu_clear(struct vcpu *v);
void s390_sigp_result(struct vcpu *v, int64_t result);

#endif
