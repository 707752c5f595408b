/* Spinlocks on compiler atomics: the same code on every architecture. */
#ifndef HV_LOCK_H
#define HV_LOCK_H

typedef struct {
    volatile unsigned locked;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            ;
}

/* Take the lock only if it is free at once; true if taken. */
static inline bool spin_trylock(spinlock_t *l)
{
    return !__atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
           !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
