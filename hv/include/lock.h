/* Spinlocks on compiler atomics: the same code on every architecture. Ticket locks: CPUs
 * get the lock in the order they asked for it, so a CPU that releases and at once retakes
 * it (a partition flooding the console) cannot starve another one waiting (measured: a
 * heartbeat stalled 7.9 s behind such a flood with a test-and-set lock). */
#ifndef HV_LOCK_H
#define HV_LOCK_H

#include <stdint.h>

typedef union {
    struct {
        uint16_t owner; /* the ticket being served */
        uint16_t next;  /* the next ticket to hand out */
    };
    uint32_t both;      /* owner and next together, for trylock (either byte order) */
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
    uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
        ;
}

/* Take the lock only if it is free at once; true if taken. */
static inline bool spin_trylock(spinlock_t *l)
{
    spinlock_t seen, taken;

    seen.both = __atomic_load_n(&l->both, __ATOMIC_RELAXED);
    if (seen.owner != seen.next)
        return false;
    taken = seen;
    taken.next++;
    return __atomic_compare_exchange_n(&l->both, &seen.both, taken.both, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
    uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED); /* only we change it */

    __atomic_store_n(&l->owner, (uint16_t)(owner + 1), __ATOMIC_RELEASE);
}

#endif
