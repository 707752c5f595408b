/* Console UART discovery: /chosen/stdout-path, matched against the drivers we have. */
#include <libfdt.h>
#include <string.h>

#include "arch.h"
#include "uart.h"

/* Each arch links the drivers its machines have; the others are absent (weak, NULL). */
extern const struct uart_driver pl011_driver __attribute__((weak));
extern const struct uart_driver ns16550_driver __attribute__((weak));
extern const struct uart_driver sclp_console_driver __attribute__((weak));
static const struct uart_driver *const drivers[] = { &pl011_driver, &ns16550_driver,
                                                     &sclp_console_driver };

int uart_probe(const void *fdt, struct uart *u)
{
    int chosen = fdt_path_offset(fdt, "/chosen"), len, node;
    const char *path = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", &len) : NULL;

    if (!path)
        return -1;
    const char *colon = strchr(path, ':'); /* "serial0:115200n8" */
    node = fdt_path_offset_namelen(fdt, path, colon ? colon - path : (int)strlen(path));
    if (node < 0)
        return -1;
    for (unsigned i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        if (!drivers[i] || fdt_node_check_compatible(fdt, node, drivers[i]->compatible) != 0)
            continue;
        /* A console that is not a register window (the s390x SCLP) has no reg. */
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        if (reg && len < 16)
            return -1;
        u->drv = drivers[i];
        u->base = reg ? (volatile uint8_t *)(uintptr_t)((uint64_t)fdt32_to_cpu(reg[0]) << 32 |
                                                        fdt32_to_cpu(reg[1]))
                      : NULL;
        const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
        u->irq = -1;
        if (irq && len >= 4) {
            uint32_t cells[4];
            unsigned n = MIN((unsigned)len / 4, 4u);
            for (unsigned k = 0; k < n; k++)
                cells[k] = fdt32_to_cpu(irq[k]);
            u->irq = arch_irq_from_fdt(cells, n);
        }
        u->drv->init(u);
        return 0;
    }
    return -1;
}
