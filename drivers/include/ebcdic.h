/* EBCDIC code page 037 (what Linux on s390x and z/VM consoles use) <-> ASCII. */
#ifndef DRIVERS_EBCDIC_H
#define DRIVERS_EBCDIC_H

#include "types.h"

/* Printable ASCII (0x20-0x7e) to cp037; anything else becomes a blank. */
uint8_t ascii_to_ebcdic(char c);
/* cp037 to printable ASCII; bytes without a printable ASCII counterpart become '?'. */
char ebcdic_to_ascii(uint8_t e);

#endif
