/* Fuzz harness: virtio-console as a guest drives it and the console multiplexer it writes
 * to (hv/virtio_console.c, hv/console.c, over hv/virtio_mmio.c and hv/virtq.c). The script
 * (vdev.h) is the guest; its step kind 4 types 'arg' % 5 bytes of b on the console UART
 * (Ctrl-T commands included). What reaches the UART must be tagged lines of printable
 * text, partition lines at most CONSOLE_LINE_MAX characters.
 * Both files are included here, so that their state can be reset for every input. */
#include "../../hv/console.c"
#include "../../hv/virtio_console.c"

#include "vdev.h"

struct partition partitions[HV_MAX_PARTITIONS];
unsigned nr_partitions;

static struct vdev vdev;
static uint8_t typed[4];
static unsigned typed_len, typed_pos;
static char wire[1024];
static unsigned wire_len;

/* ---- the UART: checks every line that leaves it ---- */
static void wire_putc(struct uart *u, char c)
{
    static const char tag[] = "[fuzz] ";
    (void)u;
    if (c == '\n') {
        FUZZ_CHECK(wire_len > 0 && wire[wire_len - 1] == '\r', "line not ended by CR LF");
        wire[wire_len - 1] = '\0';
        FUZZ_CHECK(wire[0] == '[', "untagged line '%s'", wire);
        if (!strncmp(wire, tag, sizeof(tag) - 1))
            FUZZ_CHECK(wire_len - 1 - (sizeof(tag) - 1) <= CONSOLE_LINE_MAX,
                       "partition line of %zu characters", wire_len - 1 - (sizeof(tag) - 1));
        wire_len = 0;
        return;
    }
    FUZZ_CHECK((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r', "byte 0x%02x on the wire",
               (uint8_t)c);
    FUZZ_CHECK(c != '\r' || wire_len == 0 || wire[wire_len - 1] != '\r', "CR twice");
    FUZZ_CHECK(wire_len < sizeof(wire) - 1, "line longer than %zu", sizeof(wire));
    wire[wire_len++] = c;
}

static int wire_getc(struct uart *u)
{
    (void)u;
    return typed_pos < typed_len ? typed[typed_pos++] : -1;
}

static void wire_nop(struct uart *u) { (void)u; }

static const struct uart_driver wire_driver = { "fuzz,uart", wire_nop, wire_putc, wire_getc,
                                                wire_nop, wire_nop };
static irq_handler_t uart_handler;

int uart_probe(const void *fdt, struct uart *u)
{
    (void)fdt;
    *u = (struct uart){ &wire_driver, NULL, 1 };
    return 0;
}

int arch_irq_attach(unsigned irq, cpuid_t cpu, irq_handler_t handler, void *ctx)
{
    (void)irq, (void)cpu, (void)ctx;
    uart_handler = handler;
    return 0;
}

/* ---- step kind 4: console input ---- */
static void type(struct vdev *v, uint8_t arg, uint16_t a, uint32_t b)
{
    (void)v, (void)a;
    typed_len = arg % (sizeof(typed) + 1);
    typed_pos = 0;
    memcpy(typed, &b, sizeof(typed));
    uart_handler(NULL); /* the UART's receive interrupt */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct partition *p = &partitions[0];

    if (!vdev.part) {
        vdev_init(&vdev, p);
        vdev.op = type;
    }
    struct fuzz_in script = vdev_begin(&vdev, data, size);
    /* console.c and virtio_console.c as after boot: nothing pending, nothing written */
    memset(consoles, 0, sizeof(consoles));
    memset(lines, 0, sizeof(lines));
    escape_pending = false;
    wire_len = 0;
    early_len = 0;
    early_lost = false;
    have_uart = false;
    console_init(NULL);
    nr_partitions = 2; /* the second has no console: Ctrl-T n and 1 must pass over it */
    memset(&partitions[1], 0, sizeof(partitions[1]));
    strcpy(partitions[1].label, "other");
    partitions[1].id = 1;
    p->console = virtio_console_create(p, 0);
    FUZZ_CHECK(p->console != NULL, "virtio_console_create");
    console_input_start(0);
    vdev_run(&vdev, script);
    console_part_close(p);
    return 0;
}
