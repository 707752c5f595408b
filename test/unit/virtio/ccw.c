/* virtio-ccw's channel commands (hv/virtio_ccw.c) on the device model (hv/virtio_dev.c):
 * what a driver reads and writes, the length rules, what is refused, and the classic
 * indicators a used buffer sets. The data is big-endian as on s390x, except the feature
 * words and the config space (little-endian, as virtio says). */
#include "unit.h"
#include "hv.h"
#include "virtio.h"
#include "virtio_ccw.h"

#define RAM_SIZE 0x100000ull
#define DATA 0x1000ull          /* the CCWs' data */
#define RING 0x10000ull         /* a queue: descriptors, avail, used */
#define IND 0x20000ull

static struct partition part;
static struct virtio_dev dev;
static uint8_t *ram;
static unsigned irqs_raised, notifies;

/* The arch services the device model calls. */
int arch_virtio_attach(struct virtio_dev *d) { virtio_ccw_attach(d); return 0; }
void arch_part_irq_raise(struct partition *p, unsigned n) { (void)p, (void)n; irqs_raised++; }
void hv_log(const char *fmt, ...) { (void)fmt; }

static void notify(struct virtio_dev *d, unsigned q) { (void)d, (void)q; notifies++; }
static uint64_t config_read(struct virtio_dev *d, uint64_t off, unsigned size)
{
    (void)d, (void)size;
    return off == 0 ? 0x11223344 : 0;
}
static const struct virtio_dev_ops ops = { .name = "test", .device_id = 3, .nr_queues = 2,
                                           .queue_max = 64, .notify = notify,
                                           .config_read = config_read };

static enum vccw_result run(uint8_t cmd, uint16_t count, bool sli, uint32_t *residual)
{
    struct vccw_ccw c = { cmd, sli, count, DATA };
    uint32_t r;
    return virtio_ccw_command(&dev, &c, residual ? residual : &r);
}

static uint8_t *data(void) { return ram + DATA; }

static void put64(uint8_t *p, uint64_t v) { for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v; }

static enum vccw_result set_vq(unsigned index, unsigned num, uint64_t desc)
{
    memset(data(), 0, 32);
    put64(data(), desc);
    data()[12] = (uint8_t)(index >> 8), data()[13] = (uint8_t)index;
    data()[14] = (uint8_t)(num >> 8), data()[15] = (uint8_t)num;
    put64(data() + 16, desc + 16 * num);
    put64(data() + 24, desc + 32 * num);
    return run(0x13, 32, false, NULL);
}

static enum vccw_result write_status(uint8_t st)
{
    data()[0] = st;
    return run(0x31, 1, false, NULL);
}

int main(void)
{
    uint32_t residual;

    ram = calloc(1, RAM_SIZE);
    part.id = 0;
    part.mem = (struct guest_mem){ ram, 0, RAM_SIZE };
    CHECK(virtio_attach(&dev, &part, 0, &ops, NULL) == 0, "attach");

    /* SENSE ID: control unit 0x3832, the virtio device ID as its model */
    CHECK(run(0xe4, 7, false, &residual) == VCCW_OK && residual == 0, "sense id");
    CHECK(!memcmp(data(), "\xff\x38\x32\x03\x00\x00\x00", 7), "sense id data %02x%02x%02x%02x",
          data()[0], data()[1], data()[2], data()[3]);
    CHECK(run(0xe4, 16, true, &residual) == VCCW_OK && residual == 9, "sense id, SLI: %u", residual);
    CHECK(run(0xe4, 4, false, NULL) == VCCW_CHECK, "sense id short without SLI");

    /* a revision first, once, and only a modern one */
    CHECK(set_vq(0, 64, RING) == VCCW_REJECT, "SET_VQ before a revision");
    memset(data(), 0, 4);
    CHECK(run(0x83, 4, false, NULL) == VCCW_REJECT, "revision 0 (legacy)");
    data()[1] = 3;
    CHECK(run(0x83, 4, false, NULL) == VCCW_REJECT, "revision 3");
    data()[1] = 2;
    CHECK(run(0x83, 4, false, NULL) == VCCW_OK, "revision 2");
    CHECK(run(0x83, 4, false, NULL) == VCCW_REJECT, "a second revision");

    /* features: little-endian words, VERSION_1 is bit 0 of word 1 */
    memset(data(), 0, 5);
    data()[4] = 1;
    CHECK(run(0x12, 5, false, NULL) == VCCW_OK && data()[0] == 0x01, "features word 1: %02x",
          data()[0]);
    data()[4] = 0;
    CHECK(run(0x12, 5, false, NULL) == VCCW_OK && (data()[3] & 0x30) == 0x30,
          "features word 0: indirect and event-idx (bits 28, 29): %02x", data()[3]);
    CHECK(run(0x12, 4, false, NULL) == VCCW_CHECK, "features: 4 bytes");
    CHECK(write_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER) == VCCW_OK, "status");
    memset(data(), 0, 5);
    CHECK(run(0x11, 5, false, NULL) == VCCW_OK, "write features 0");
    CHECK(write_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                       VIRTIO_STATUS_FEATURES_OK) == VCCW_REJECT,
          "FEATURES_OK without VERSION_1 is refused");
    memset(data(), 0, 5);
    data()[0] = 1, data()[4] = 1;
    CHECK(run(0x11, 5, false, NULL) == VCCW_OK, "write features 1: VERSION_1");
    CHECK(write_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                       VIRTIO_STATUS_FEATURES_OK) == VCCW_OK, "FEATURES_OK with VERSION_1");
    CHECK(run(0x72, 1, false, NULL) == VCCW_OK && (data()[0] & VIRTIO_STATUS_FEATURES_OK),
          "READ_STATUS: %02x", data()[0]);

    /* queues */
    memset(data(), 0, 4);
    CHECK(run(0x32, 4, false, NULL) == VCCW_OK && data()[2] == 0 && data()[3] == 64,
          "queue 0 max: %02x%02x", data()[2], data()[3]);
    data()[1] = 5;
    CHECK(run(0x32, 4, false, NULL) == VCCW_OK && data()[2] == 0 && data()[3] == 0, "queue 5: none");
    CHECK(set_vq(0, 128, RING) == VCCW_REJECT, "more entries than the maximum");
    CHECK(set_vq(9, 64, RING) == VCCW_REJECT, "no queue 9");
    CHECK(set_vq(1, 64, RING) == VCCW_OK && dev.vq[1].ready, "queue 1 set up");
    CHECK(set_vq(1, 64, RING) == VCCW_REJECT, "queue 1 again while ready");

    /* indicators: doubleword aligned, inside memory; a used buffer sets bit q, then the
     * subchannel's interrupt */
    put64(data(), IND + 4);
    CHECK(run(0x43, 8, false, NULL) == VCCW_REJECT, "misaligned indicators");
    put64(data(), RAM_SIZE);
    CHECK(run(0x43, 8, false, NULL) == VCCW_REJECT, "indicators outside memory");
    put64(data(), IND);
    CHECK(run(0x43, 8, false, NULL) == VCCW_OK, "indicators");
    CHECK(run(0x73, 25, true, NULL) == VCCW_REJECT, "adapter indicators are refused");
    CHECK(write_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                       VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK) == VCCW_OK, "DRIVER_OK");
    irqs_raised = 0;
    virtq_push(&dev.vq[1], 0, 0);           /* a used buffer (its content does not matter) */
    virtio_dev_used(&dev, 1);
    CHECK(ram[IND + 7] == 0x02 && irqs_raised == 1, "queue 1's bit: %02x, %u interrupts",
          ram[IND + 7], irqs_raised);
    virtio_dev_notify(&dev, 1);
    CHECK(notifies == 1, "a notify reaches the device: %u", notifies);

    /* config space: little-endian; at most 256 bytes */
    CHECK(run(0x22, 4, false, NULL) == VCCW_OK && !memcmp(data(), "\x44\x33\x22\x11", 4),
          "config bytes %02x%02x%02x%02x", data()[0], data()[1], data()[2], data()[3]);
    CHECK(run(0x22, 300, false, NULL) == VCCW_CHECK, "config read past 256 bytes");

    /* data outside the partition */
    struct vccw_ccw far = { 0x31, false, 1, RAM_SIZE };
    CHECK(virtio_ccw_command(&dev, &far, &residual) == VCCW_CHECK, "status byte outside memory");

    /* a device reset keeps the revision, drops the queues and the indicators */
    CHECK(run(0x33, 0, false, NULL) == VCCW_OK && dev.status == 0 && !dev.vq[1].ready, "reset");
    irqs_raised = 0;
    CHECK(set_vq(0, 64, RING) == VCCW_OK, "SET_VQ after reset (revision kept)");
    ram[IND + 7] = 0;
    virtq_push(&dev.vq[0], 0, 0);
    virtio_dev_used(&dev, 0);
    CHECK(irqs_raised == 0 && ram[IND + 7] == 0, "no indicators after reset");
    CHECK(run(0x99, 0, false, NULL) == VCCW_REJECT, "unknown command");

    /* the partition's reset forgets the revision */
    virtio_dev_reset(&dev);
    CHECK(set_vq(0, 64, RING) == VCCW_REJECT, "SET_VQ after power-on: no revision");
    return unit_finish("unit-virtio-ccw");
}
