/* Guest runtime API for the test programs (main() is called as int main(void)). */
#ifndef RT_H
#define RT_H
#include <stddef.h>
#include <stdint.h>
#include "arch.h"

extern const char *rt_bootargs;		/* /chosen/bootargs, "" if none */
extern uint64_t rt_mem_base, rt_mem_size;	/* first /memory reg entry */

/* Bootargs: space-separated tokens. bootarg_next copies the next token into
 * tok and returns the position after it, or NULL when there are no more. */
const char *bootarg_next(const char *p, char *tok, size_t n);
unsigned long bootarg_ulong(const char *key, unsigned long def);

void console_flush(void);		/* wait until the device consumed all output */
int vtimer_start(unsigned ms, void (*fn)(void));	/* fn runs in IRQ context */
void vtimer_stop(void);
void __attribute__((noreturn)) rt_poweroff(void);

/* Sleep (wfi) until cond holds; cond is re-checked after every interrupt. */
#define WAIT_UNTIL(cond) do { \
	unsigned long f_ = irq_save(); \
	while (!(cond)) \
		rt_idle(f_); \
	irq_restore(f_); \
} while (0)

#endif
