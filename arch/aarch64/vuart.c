/* The partition's early console: the transmit side of a PL011 at QEMU virt's UART address,
 * for Linux's `earlycon=pl011,0x9000000` (and any boot code that polls a PL011) until its
 * virtio-console driver is loaded. Bytes go to the partition's own tagged console lines,
 * never to the physical UART. Not in the device tree, so no driver binds to it: it has no
 * receive side and no interrupts. Registers: DR (write), FR (never busy, transmit FIFO
 * empty, receive FIFO empty), the PrimeCell identification; the rest read as zero and ignore
 * writes. */
#include "aarch64.h"
#include "console.h"

#define UART_DR 0x000
#define UART_FR 0x018
#define FR_TXFE (1u << 7)
#define FR_RXFE (1u << 4)

/* PL011 r1p5 peripheral and PrimeCell ids at 0xfe0..0xffc, one byte per word. */
static const uint8_t ids[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static int vuart_access(struct vcpu *v, void *ctx, uint64_t off, unsigned size, bool write,
                        uint64_t *val)
{
    struct partition *p = ctx;
    (void)v;

    if (size > 4)
        return -1; /* a 32-bit device */
    if (write) {
        if (off == UART_DR) {
            uint8_t c = (uint8_t)*val;
            console_part_write(p, &c, 1);
        }
        return 0;
    }
    if (off == UART_FR)
        *val = FR_TXFE | FR_RXFE;
    else if (off >= 0xfe0 && off < 0x1000 && off % 4 == 0)
        *val = ids[(off - 0xfe0) / 4];
    else
        *val = 0;
    return 0;
}

int vuart_part_init(struct partition *p)
{
    return mmio_register(&p->mmio, VUART_BASE, VUART_SIZE, vuart_access, p);
}
