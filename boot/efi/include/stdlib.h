/* What libfdt's libfdt_env.h needs from stdlib.h (libc.c). */
#ifndef HVBOOT_STDLIB_H
#define HVBOOT_STDLIB_H
#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);
#endif
