/* Interrupt and exception entry: one 16-byte stub per vector (idt.c points the
 * IDT at vector_stubs + 16 * n). Each pushes an error code if the CPU did not,
 * then the vector; the common path saves every general register and the
 * FPU/SSE state (C handlers and newlib use SSE), calls x86_trap(frame) and
 * returns with iretq. Interrupts arrive on the interrupted stack (ring 0, no
 * IST): the code is built without a red zone. */
#include "arch.h"

	.altmacro
.macro	stub v
	.balign	16
	.if	(\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	.else
	pushq	$0			/* no error code from the CPU */
	.endif
	pushq	$\v
	jmp	intr_common
.endm

	.text
	.balign	16
	.globl	vector_stubs
vector_stubs:
	.set	n, 0
	.rept	256
	stub	%n
	.set	n, n + 1
	.endr

/* Stack at entry: vector, error code, RIP, CS, RFLAGS, RSP, SS; RSP is 16-byte
 * aligned below SS (the CPU aligns it), so after 15 registers it is again. */
intr_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi		/* struct trap_frame * */
	subq	$512, %rsp
	fxsave	(%rsp)
	cld
	call	x86_trap
	fxrstor	(%rsp)
	addq	$512, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector, error code */
	iretq

/* Instructions that may fault on purpose. If one raises #GP or #UD, x86_trap
 * resumes at safe_fault with RAX = the vector (see rt_fixup in idt.c). */
	.globl	rdmsr_safe, wrmsr_safe, rdpmc_safe, mwait_safe
	.globl	rdmsr_insn, wrmsr_insn, rdpmc_insn, monitor_insn, mwait_insn, safe_fault

/* int rdmsr_safe(uint32_t msr, uint64_t *v) */
rdmsr_safe:
	movl	%edi, %ecx
rdmsr_insn:
	rdmsr
	jmp	1f
/* int rdpmc_safe(uint32_t counter, uint64_t *v) */
rdpmc_safe:
	movl	%edi, %ecx
rdpmc_insn:
	rdpmc
1:	movl	%eax, %eax
	shlq	$32, %rdx
	orq	%rdx, %rax
	movq	%rax, (%rsi)
	movl	$-1, %eax
	ret

/* int mwait_safe(const void *line): arm MONITOR on line, then MWAIT (hint 0, no
 * extensions) */
mwait_safe:
	movq	%rdi, %rax
	xorl	%ecx, %ecx
	xorl	%edx, %edx
monitor_insn:
	monitor
	xorl	%eax, %eax
mwait_insn:
	mwait
	movl	$-1, %eax
	ret

/* int wrmsr_safe(uint32_t msr, uint64_t v) */
wrmsr_safe:
	movl	%edi, %ecx
	movl	%esi, %eax
	movq	%rsi, %rdx
	shrq	$32, %rdx
wrmsr_insn:
	wrmsr
	movl	$-1, %eax
safe_fault:
	ret
