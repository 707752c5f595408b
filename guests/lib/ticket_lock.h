/* The guests' spinlock: a ticket lock, so that a CPU that releases and retakes a lock in
 * a loop (a vcpu flooding the console) cannot starve one waiting for it, as a plain
 * test-and-set lock did (reset-race-hammer on one TCG thread). Included by each arch.h,
 * after cpu_relax(), irq_save() and irq_restore(). */
#ifndef TICKET_LOCK_H
#define TICKET_LOCK_H
#include <stdint.h>

typedef union {
	volatile uint64_t both;
	struct { volatile uint32_t owner, next; } t;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	uint32_t me = __atomic_fetch_add(&l->t.next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->t.owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}

static inline int spin_trylock(spinlock_t *l)
{
	spinlock_t old, new;

	old.both = __atomic_load_n(&l->both, __ATOMIC_RELAXED);
	if (old.t.owner != old.t.next)
		return 0;
	new.both = old.both;
	new.t.next++;
	return __atomic_compare_exchange_n(&l->both, (uint64_t *)&old.both, new.both, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->t.owner, l->t.owner + 1, __ATOMIC_RELEASE);
}

/* With interruptions masked on this CPU, for locks an interruption handler may want. */
static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long f = irq_save();

	spin_lock(l);
	return f;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long f)
{
	spin_unlock(l);
	irq_restore(f);
}

#endif
