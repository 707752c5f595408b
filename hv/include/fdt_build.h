/* Helpers for building device trees with libfdt's read-write API. */
#ifndef HV_FDT_BUILD_H
#define HV_FDT_BUILD_H

/* Return a libfdt error from the enclosing builder function. */
#define FDT_TRY(x)          \
    do {                    \
        int __r = (x);      \
        if (__r < 0)        \
            return __r;     \
    } while (0)

#endif
