/* Console multiplexer: every partition's output as whole lines tagged with its label, the
 * hv's own lines tagged [hv], and input routed to one partition at a time (Ctrl-T). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "hv.h"
#include "uart.h"
#include "virtio.h"

static struct uart uart;
static bool have_uart;
static spinlock_t out_lock;       /* one line at a time on the wire */
static struct console_line lines[HV_MAX_PARTITIONS];
static int input_part = -1;       /* who gets console input */
static bool escape_pending;

static void put_raw(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            uart.drv->putc(&uart, '\r');
        uart.drv->putc(&uart, s[i]);
    }
}

/* Lines logged before the UART is known (platform bring-up), shown once it is. */
static char early[1024];
static size_t early_len;
static bool early_lost;

static void keep_early(const char *label, const char *text, size_t len)
{
    size_t need = strlen(label) + len + 4;

    if (early_len + need > sizeof(early)) {
        early_lost = true;
        return;
    }
    early_len += snprintf(early + early_len, sizeof(early) - early_len, "[%s] %.*s\n", label,
                          (int)len, text);
}

static void emit(const char *label, const char *text, size_t len)
{
    if (!have_uart) {
        keep_early(label, text, len);
        return;
    }
    spin_lock(&out_lock);
    put_raw("[", 1);
    put_raw(label, strlen(label));
    put_raw("] ", 2);
    put_raw(text, len);
    put_raw("\n", 1);
    spin_unlock(&out_lock);
}

void console_hv_line(const char *text, size_t len)
{
    emit("hv", text, len);
}

void hv_log(const char *fmt, ...)
{
    char buf[384];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(buf))
        memcpy(buf + sizeof(buf) - 4, "...", 4); /* say so rather than cut silently */
    char *s = buf;
    for (char *nl; (nl = strchr(s, '\n')); s = nl + 1)
        console_hv_line(s, nl - s);
    if (*s)
        console_hv_line(s, strlen(s));
}

int console_init(const void *fdt)
{
    if (uart_probe(fdt, &uart) < 0)
        return -1;
    have_uart = true;
    put_raw(early, early_len);
    if (early_lost)
        hv_log("(more boot messages than the early buffer holds were dropped)");
    return 0;
}

static struct console_line *line_of(struct partition *p)
{
    if (!p->out)
        p->out = &lines[p->id];
    return p->out;
}

static void flush_line(struct partition *p, struct console_line *l)
{
    emit(p->label, l->buf, l->len);
    l->len = 0;
    l->lines++;
}

static void append(struct partition *p, struct console_line *l, const char *s, unsigned n)
{
    if (l->len + n > CONSOLE_LINE_MAX) {
        if (!l->continued)
            l->split++;
        l->continued = true;
        flush_line(p, l); /* a long line continues on the next tagged line */
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

void console_part_write(struct partition *p, const uint8_t *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    struct console_line *l = line_of(p);

    l->bytes += len;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (c == '\n') {
            flush_line(p, l);
            l->continued = false;
        }
        else if (c == '\r')
            continue;
        else if ((c >= 0x20 && c < 0x7f) || c == '\t')
            append(p, l, (const char *)&c, 1);
        else {
            /* Control and binary bytes could drive the terminal: show them escaped. */
            char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
            l->escaped++;
            append(p, l, esc, 4);
        }
    }
}

void console_part_close(struct partition *p)
{
    struct console_line *l = line_of(p);

    if (l->len)
        flush_line(p, l);
    if (l->split || l->escaped)
        hv_log("partition '%s': console: %llu lines longer than %d characters were split, "
               "%llu control or binary bytes were shown escaped",
               p->label, (unsigned long long)l->split, CONSOLE_LINE_MAX,
               (unsigned long long)l->escaped);
}

static void select_input(int idx)
{
    if (idx < 0 || (unsigned)idx >= nr_partitions || !partitions[idx].console) {
        hv_log("console input: no partition %d with a console", idx);
        return;
    }
    input_part = idx;
    hv_log("console input goes to partition '%s' (Ctrl-T n: next, Ctrl-T 0-9: choose)",
           partitions[idx].label);
}

static void input_char(char c)
{
    if (escape_pending) {
        escape_pending = false;
        if (c >= '0' && c <= '9') {
            select_input(c - '0');
            return;
        }
        if (c == 'n') {
            for (unsigned k = 1; k <= nr_partitions; k++) {
                int idx = (input_part + k) % nr_partitions;
                if (partitions[idx].console) {
                    select_input(idx);
                    break;
                }
            }
            return;
        }
        if (c != CONSOLE_ESCAPE)
            return; /* unknown command: dropped */
    } else if (c == CONSOLE_ESCAPE) {
        escape_pending = true;
        return;
    }
    if (input_part >= 0 && partitions[input_part].console &&
        partitions[input_part].state == PART_RUNNING)
        virtio_console_input(partitions[input_part].console, &c, 1);
}

static void uart_rx(void *ctx)
{
    int c;
    (void)ctx;
    while ((c = uart.drv->getc(&uart)) >= 0)
        input_char((char)c);
}

void console_drain(void)
{
    if (have_uart && uart.drv->drain)
        uart.drv->drain(&uart);
}

void console_input_start(int part_index)
{
    if (!have_uart)
        return;
    input_part = part_index;
    if (uart.irq < 0 || arch_irq_attach(uart.irq, 0, uart_rx, NULL) < 0) {
        hv_log("console: no usable interrupt for the UART; console input is disabled");
        return;
    }
    uart.drv->rx_irq_enable(&uart);
    if (input_part >= 0 && (unsigned)input_part < nr_partitions)
        hv_log("console input goes to partition '%s' (Ctrl-T n: next, Ctrl-T 0-9: choose)",
               partitions[input_part].label);
}
