/* 16550 UART in x86 I/O space (the PC's COM ports): polled transmit, interrupt-driven
 * receive. The firmware has set the line up; keep its baud rate and format. */
#include "uart.h"
#include "x86.h"

#define THR 0
#define RBR 0
#define IER 1
#define FCR 2
#define MCR 4
#define LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static uint16_t port(struct uart *u, unsigned reg)
{
    return (uint16_t)((uintptr_t)u->base + reg);
}

static void ns16550_init(struct uart *u)
{
    outb(port(u, IER), 0);
    outb(port(u, FCR), 0x07);          /* FIFOs on and cleared */
    outb(port(u, MCR), 0x0b);          /* DTR, RTS, OUT2 (OUT2 gates the IRQ line on a PC) */
}

static void ns16550_putc(struct uart *u, char c)
{
    while (!(inb(port(u, LSR)) & LSR_THRE))
        ;
    outb(port(u, THR), (uint8_t)c);
}

static void ns16550_drain(struct uart *u)
{
    while (!(inb(port(u, LSR)) & LSR_TEMT))
        ;
}

static int ns16550_getc(struct uart *u)
{
    if (!(inb(port(u, LSR)) & LSR_DR))
        return -1;
    return inb(port(u, RBR));
}

static void ns16550_rx_irq_enable(struct uart *u)
{
    outb(port(u, IER), 0x01);
}

const struct uart_driver ns16550_driver = {
    .compatible = "ns16550a",
    .init = ns16550_init,
    .putc = ns16550_putc,
    .getc = ns16550_getc,
    .rx_irq_enable = ns16550_rx_irq_enable,
    .drain = ns16550_drain,
};
