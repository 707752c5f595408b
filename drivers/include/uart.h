/* Physical console UARTs, found from the firmware device tree. */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include "types.h"

struct uart;

struct uart_driver {
    const char *compatible;
    void (*init)(struct uart *u);
    void (*putc)(struct uart *u, char c);
    int (*getc)(struct uart *u);            /* -1 when nothing is waiting */
    void (*rx_irq_enable)(struct uart *u);  /* interrupt on received data */
    void (*drain)(struct uart *u);          /* wait until every byte has left the wire */
};

struct uart {
    const struct uart_driver *drv;
    volatile uint8_t *base;
    int irq;                                /* physical interrupt, <0 if none */
};

/* Probe the node at the firmware's stdout-path. */
int uart_probe(const void *fdt, struct uart *u);

#endif
