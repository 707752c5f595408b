/* The interrupt handler table both interrupt controllers (GIC, local APIC) dispatch from:
 * a few (id, fn, arg) slots, filled from any CPU, read in interrupt context. */
#include "internal.h"

static spinlock_t lock;
static struct { unsigned id; irq_fn fn; void *arg; } handlers[16];

/* The same (id, fn, arg) from several CPUs shares one slot. 0, or -1 if the table is full. */
int irq_handler_add(unsigned id, irq_fn fn, void *arg)
{
	unsigned long f = spin_lock_irqsave(&lock);
	unsigned i;

	for (i = 0; i < sizeof handlers / sizeof handlers[0] && handlers[i].fn; i++)
		if (handlers[i].id == id && handlers[i].fn == fn && handlers[i].arg == arg)
			break;
	if (i < sizeof handlers / sizeof handlers[0] && !handlers[i].fn) {
		handlers[i].id = id;
		handlers[i].arg = arg;
		handlers[i].fn = fn;
	}
	spin_unlock_irqrestore(&lock, f);
	if (i == sizeof handlers / sizeof handlers[0])
		return -1;
	mb();		/* the slot is visible before the interrupt can fire */
	return 0;
}

void irq_handler_run(unsigned id)
{
	for (unsigned i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
		if (handlers[i].fn && handlers[i].id == id)
			handlers[i].fn(handlers[i].arg);
}
