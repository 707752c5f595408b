/* External and program interruptions: dispatch by interruption code, the clock-comparator
 * timer (vtimer_*), emergency signals as the runtime's SGIs, and program checks (rt_catch
 * or a report). */
#include <stdio.h>
#include "../internal.h"
#include "s390x.h"

#define EXT_CKC		0x1004
#define EXT_EMERGENCY	0x1201
#define MAX_EXT		8
#define NR_SGIS		16

static struct { uint16_t code; void (*fn)(void); } ext_handlers[MAX_EXT];
static void (*vtimer_fn)(void);
static uint64_t vtimer_period;
static void (*sgi_fns[NR_SGIS])(void);
static volatile uint32_t sgi_pending[256];	/* by CPU address */

void rt_ext_handler_set(uint16_t code, void (*fn)(void))
{
	for (unsigned i = 0; i < MAX_EXT; i++)
		if (!ext_handlers[i].fn || ext_handlers[i].code == code) {
			ext_handlers[i].code = code;
			ext_handlers[i].fn = fn;
			return;
		}
}

static void ext_ckc(void)
{
	uint64_t next;
	__asm__ volatile("stckc %0" : "=Q"(next));
	next += vtimer_period;
	if (next < rt_counter())
		next = rt_counter() + vtimer_period;	/* late: no burst of catch-up ticks */
	__asm__ volatile("sckc %0" : : "Q"(next));
	if (vtimer_fn)
		vtimer_fn();
}

static void ext_emergency(void)
{
	uint32_t p = __atomic_exchange_n(&sgi_pending[cpu_hwid() & 0xff], 0, __ATOMIC_ACQ_REL);
	for (unsigned i = 0; i < NR_SGIS; i++)
		if ((p & (1u << i)) && sgi_fns[i])
			sgi_fns[i]();
}

void rt_ext_interrupt(struct rt_frame *f)
{
	uint16_t code = *(volatile uint16_t *)(lowcore() + LC_EXT_CODE);

	/* An interruption of the enabled wait returns after it, masked again. */
	if (f->psw_mask & PSW_MASK_WAIT)
		f->psw_mask &= ~(PSW_MASK_WAIT | PSW_MASK_EXT | PSW_MASK_IO);
	for (unsigned i = 0; i < MAX_EXT; i++)
		if (ext_handlers[i].fn && ext_handlers[i].code == code) {
			ext_handlers[i].fn();
			return;
		}
}

void rt_pgm_interrupt(struct rt_frame *f)
{
	uint16_t code = *(volatile uint16_t *)(lowcore() + LC_PGM_CODE);
	uint16_t ilc = *(volatile uint16_t *)(lowcore() + LC_PGM_ILC);
	char line[128];

	rt_exception_caught(code, ilc);
	snprintf(line, sizeof line, "guest: program interruption 0x%x (ilc %u) at 0x%llx\n", code,
		 ilc, (unsigned long long)f->psw_addr);
	rt_raw_puts(line);
	arch_poweroff();
}

int vtimer_start(unsigned ms, void (*fn)(void))
{
	uint64_t first = rt_counter() + (uint64_t)ms * 4096000ull;

	vtimer_fn = fn;
	vtimer_period = (uint64_t)ms * 4096000ull;
	rt_ext_handler_set(EXT_CKC, ext_ckc);
	__asm__ volatile("sckc %0" : : "Q"(first));
	lctlg(0, stctg(0) | CR0_CKC);
	return 0;
}

void vtimer_stop(void)
{
	uint64_t never = ~0ull;
	lctlg(0, stctg(0) & ~CR0_CKC);
	__asm__ volatile("sckc %0" : : "Q"(never));
}

int sgi_enable(unsigned intid, void (*fn)(void))
{
	if (intid >= NR_SGIS)
		return -1;
	sgi_fns[intid] = fn;
	rt_ext_handler_set(EXT_EMERGENCY, ext_emergency);
	lctlg(0, stctg(0) | CR0_EMERGENCY);
	return 0;
}

void sgi_send(unsigned intid, uint64_t hwid)
{
	__atomic_or_fetch(&sgi_pending[hwid & 0xff], 1u << intid, __ATOMIC_RELEASE);
	sigp((uint16_t)hwid, 0x03, 0, NULL);	/* emergency signal */
}
