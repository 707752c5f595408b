/* PCI behind generic ECAM host bridges described by the firmware DT
 * ("pci-host-ecam-generic": reg = configuration window, bus-range, ranges = MMIO windows).
 * Config space access, enumeration, capabilities, and memory BARs: taken as the firmware
 * assigned them, or placed by us in a memory window of 'ranges' when left unassigned. */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include "types.h"

#define PCI_MAX_HOSTS 4
#define PCI_MAX_WINDOWS 4

#define PCI_CFG_VENDOR 0x00
#define PCI_CFG_DEVICE 0x02
#define PCI_CFG_COMMAND 0x04
#define PCI_CFG_STATUS 0x06
#define PCI_CFG_HEADER_TYPE 0x0e
#define PCI_CFG_BAR0 0x10
#define PCI_CFG_CAP_PTR 0x34

#define PCI_CMD_MEMORY 0x2
#define PCI_CMD_MASTER 0x4
#define PCI_STATUS_CAP_LIST 0x10

#define PCI_CAP_VENDOR 0x09

/* A memory window of a host bridge: PCI bus addresses [pci, pci+size) appear to the CPU
 * at [cpu, cpu+size). */
struct pci_window {
    uint64_t pci, cpu, size;
    bool is64;      /* 64-bit memory space (otherwise 32-bit) */
    uint64_t next;  /* our allocator: first free bus address */
};

struct pci_host {
    paddr_t ecam;           /* CPU address of the configuration window (bus 'bus_first') */
    uint64_t ecam_size;
    unsigned bus_first, bus_last;
    struct pci_window win[PCI_MAX_WINDOWS];
    unsigned nr_win;
    unsigned segment;       /* index in the DT order, printed as the PCI domain */
};

struct pci_dev {
    struct pci_host *host;  /* NULL before the first pci_find() */
    unsigned bus, dev, fn;
    uint16_t vendor, device;
    char name[16];          /* "0000:00:02.0" */
    uint64_t bar_size[6];   /* by pci_enable; 0: absent, I/O, upper half of a 64-bit BAR */
};

/* One memory BAR as the CPU sees it. */
struct pci_bar {
    paddr_t addr;
    uint64_t size;
    bool is64;
};

/* The host bridges' windows the CPU must be able to reach as device memory: the ECAM
 * windows and the memory windows of 'ranges' (CPU addresses). Fills up to max entries,
 * returns how many there are. For the architecture's page tables. */
unsigned pci_host_windows(const void *fdt, struct mem_range *out, unsigned max);

/* Next function (after *d; d->host = NULL starts over) on any host bridge of the DT whose
 * vendor matches and whose device id is one of ids[0..nids). 0 found, <0 no more. */
int pci_find(const void *fdt, uint16_t vendor, const uint16_t *ids, unsigned nids,
             struct pci_dev *d);

uint8_t pci_read8(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint32_t pci_read32(const struct pci_dev *d, unsigned off);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);

/* Offset of the next capability with this id after the one at 'pos' (0: from the start of
 * the list); 0 if there is none. */
unsigned pci_cap_next(const struct pci_dev *d, unsigned pos, uint8_t id);

/* Make the device usable by a polled driver: every memory BAR the firmware left unassigned
 * is placed in a memory window (size probe, natural alignment), then memory decoding and
 * bus mastering are turned on. <0 and *why if a BAR cannot be placed. */
int pci_enable(struct pci_dev *d, const char **why);

/* BAR 'n' (0..5) of a device pci_enable() accepted, as the CPU reaches it. <0 and *why if
 * it is not a memory BAR that lies inside one of the host bridge's memory windows. */
int pci_bar(const struct pci_dev *d, unsigned n, struct pci_bar *bar, const char **why);

#endif
