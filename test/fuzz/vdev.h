/* A guest driver for the virtio device harnesses (blk, console): the partition, its RAM,
 * and a script of register accesses, notifications and RAM writes read from the input.
 * Input layout:
 *   [0] driver features: 1 EVENT_IDX, 2 INDIRECT_DESC, 4 device feature bit 9 (blk: FLUSH),
 *       8 no VERSION_1 (the device must refuse FEATURES_OK), 16 skip the set-up
 *   [1..16] per queue (2): size, descriptor table, driver area, device area (le16 each;
 *       addresses are offsets into RAM)
 *   [17] number of steps, then 8 bytes per step: kind, arg, le16 a, le32 b
 *       kind % 6: 0 notify queue arg; 1 register write at a (arg: size) of b; 2 register
 *       read at a; 3 RAM write of le32 b at offset a; 4 device-specific (vdev_op);
 *       5 reset and set up again
 *   then the RAM image (64 KiB at guest-physical 0x40000000). */
#ifndef FUZZ_VDEV_H
#define FUZZ_VDEV_H

#include "fuzz.h"
#include "guest_ram.h"
#include "hv.h"

#define VDEV_RAM_BASE 0x40000000ull
#define VDEV_RAM_SIZE 0x10000u
#define VDEV_FEATURE_DEV9 (1ull << 9)

/* Where device window n is (stub_hv.c: QEMU virt's virtio-mmio layout). */
gpaddr_t fuzz_dev_base(unsigned n);

struct vdev {
    struct partition *part;
    struct guest_ram ram;
    /* the device's step kind 4 */
    void (*op)(struct vdev *v, uint8_t arg, uint16_t a, uint32_t b);
};

/* Once: RAM for the partition. */
void vdev_init(struct vdev *v, struct partition *p);
/* Start an input: a fresh partition (label "fuzz", RAM, no devices), the RAM image loaded
 * from after the script. Returns the script's position in the input. */
struct fuzz_in vdev_begin(struct vdev *v, const uint8_t *data, size_t size);
/* Set the device up as a driver would and run the script. */
void vdev_run(struct vdev *v, struct fuzz_in script);
/* A register access to device window 0, as a trapped guest access would make it. */
uint64_t vdev_mmio(struct vdev *v, uint64_t off, unsigned size, bool write, uint64_t val);

#endif
