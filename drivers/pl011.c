/* Arm PL011 UART: polled transmit, interrupt-driven receive. */
#include "uart.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTIMSC 0x038
#define UARTICR 0x044
#define FR_TXFF (1u << 5)
#define FR_RXFE (1u << 4)
#define FR_BUSY (1u << 3)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)

static inline uint32_t rd(struct uart *u, unsigned off)
{
    return *(volatile uint32_t *)(u->base + off);
}

static inline void wr(struct uart *u, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(u->base + off) = v;
}

static void pl011_init(struct uart *u)
{
    /* Firmware has set the baud rate and enabled the UART; keep its settings. */
    wr(u, UARTIMSC, 0);
    wr(u, UARTICR, 0x7ff);
}

static void pl011_putc(struct uart *u, char c)
{
    while (rd(u, UARTFR) & FR_TXFF)
        ;
    wr(u, UARTDR, (uint8_t)c);
}

static void pl011_drain(struct uart *u)
{
    while (rd(u, UARTFR) & FR_BUSY)
        ;
}

static int pl011_getc(struct uart *u)
{
    if (rd(u, UARTFR) & FR_RXFE)
        return -1;
    return rd(u, UARTDR) & 0xff;
}

static void pl011_rx_irq_enable(struct uart *u)
{
    wr(u, UARTIMSC, INT_RX | INT_RT);
}

const struct uart_driver pl011_driver = {
    .compatible = "arm,pl011",
    .init = pl011_init,
    .putc = pl011_putc,
    .getc = pl011_getc,
    .rx_irq_enable = pl011_rx_irq_enable,
    .drain = pl011_drain,
};
