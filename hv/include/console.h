/* The physical console, shared by the hv and every partition: whole tagged lines only. */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include "types.h"

struct partition;

#define CONSOLE_LINE_MAX 200   /* longer partition lines are split, and counted */
#define CONSOLE_ESCAPE 0x14    /* Ctrl-T: the next key is a console command */

struct console_line {
    char buf[CONSOLE_LINE_MAX];
    unsigned len;
    bool continued;            /* the current line is the rest of a split one */
    uint64_t bytes, lines, split, escaped;
};

/* Find the firmware's console (stdout-path) and use it. */
int console_init(const void *fdt);
/* Bytes a partition wrote to its console: buffered per line, tagged, sanitized. */
void console_part_write(struct partition *p, const uint8_t *data, size_t len);
/* Emit a partition's unfinished line and report what its output needed (split, escaped). */
void console_part_close(struct partition *p);
/* Wait until everything written has left the UART (before the machine powers off). */
void console_drain(void);
/* Choose the partition that gets console input first and start taking input. */
void console_input_start(int part_index);
/* Raw output for the hv's own tagged lines. */
void console_hv_line(const char *text, size_t len);

#endif
