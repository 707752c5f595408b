/* setjmp/longjmp for s390x (newlib has no s390 machine code): the call-saved registers
 * r6-r15. The runtime is soft float, so no floating-point registers are kept. */
#ifndef RT_SETJMP_H
#define RT_SETJMP_H

typedef long jmp_buf[10];
int setjmp(jmp_buf env) __attribute__((returns_twice));
void longjmp(jmp_buf env, int val) __attribute__((noreturn));

#endif
