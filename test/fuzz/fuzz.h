/* Shared by the libFuzzer harnesses: invariant checks and reading the input's fields. */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A broken invariant is a crash: libFuzzer saves the input that caused it. */
#define FUZZ_CHECK(cond, ...)                                                   \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "FUZZ_CHECK failed: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fprintf(stderr, "\n");                                              \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* Consumes the input from the front; reads past its end give zeros. */
struct fuzz_in {
    const uint8_t *p;
    size_t left;
};

static inline uint64_t fuzz_take(struct fuzz_in *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        uint64_t b = 0;
        if (in->left) {
            b = *in->p++;
            in->left--;
        }
        v |= b << (8 * i);
    }
    return v;
}

#endif
