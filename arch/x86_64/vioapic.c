/* The IOAPIC each partition sees at 0xfec00000: 24 pins, the paravirtual devices' lines
 * (level-triggered, as their ACPI _CRS says). A line raised while its last interrupt is
 * still being serviced (remote IRR) is delivered again at the EOI, so none is lost. */
#include "x86_64.h"

#define REDIR_MASKED (1ull << 16)
#define REDIR_LEVEL (1ull << 15)
#define REDIR_REMOTE_IRR (1ull << 14)
#define REDIR_LOGICAL (1ull << 11)

static void deliver(struct partition *p, unsigned pin)
{
    struct vioapic *io = &p->arch.ioapic;
    uint64_t r = io->redir[pin];
    unsigned dest = (unsigned)(r >> 56), vector = r & 0xff;

    if (r & REDIR_MASKED || vector < 16)
        return;
    if (r & REDIR_LEVEL) {
        if (r & REDIR_REMOTE_IRR)
            return;                           /* again at the EOI (level still set) */
        io->redir[pin] |= REDIR_REMOTE_IRR;
    }
    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        bool hit = r & REDIR_LOGICAL ? (dest & (1u << i)) != 0
                                     : dest == 0xff || dest == p->vcpus[i].index;
        if (hit) {
            vlapic_raise(&p->vcpus[i], vector, r & REDIR_LEVEL);
            return;
        }
    }
}

void vioapic_set_line(struct partition *p, unsigned pin, bool level)
{
    struct vioapic *io = &p->arch.ioapic;

    if (pin >= IOAPIC_PINS)
        return;
    spin_lock(&io->lock);
    if (level) {
        io->level |= 1u << pin;
        deliver(p, pin);
        if (!(io->redir[pin] & REDIR_LEVEL))
            io->level &= ~(1u << pin);        /* edge: a pulse */
    } else {
        io->level &= ~(1u << pin);
    }
    spin_unlock(&io->lock);
}

/* A device interrupt: the hv's devices signal events, not levels; as a level line it stays
 * up until the guest's EOI, which is when the guest has looked at the device. */
void arch_part_irq_raise(struct partition *p, unsigned n)
{
    vioapic_set_line(p, 16 + n, true);
}

void vioapic_eoi(struct partition *p, unsigned vector)
{
    struct vioapic *io = &p->arch.ioapic;

    spin_lock(&io->lock);
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        if ((io->redir[pin] & 0xff) != vector || !(io->redir[pin] & REDIR_REMOTE_IRR))
            continue;
        io->redir[pin] &= ~REDIR_REMOTE_IRR;
        io->level &= ~(1u << pin);  /* the device's event has been seen */
    }
    spin_unlock(&io->lock);
}

int vioapic_access(struct partition *p, uint64_t off, unsigned size, bool write, uint64_t *val)
{
    struct vioapic *io = &p->arch.ioapic;

    if (size != 4)
        return -1;
    spin_lock(&io->lock);
    if (off == 0x00) {
        if (write)
            io->index = (uint32_t)*val & 0xff;
        else
            *val = io->index;
    } else if (off == 0x10) {
        unsigned i = io->index;
        if (i == 0) {
            if (write)
                io->id = ((uint32_t)*val >> 24) & 0xf;
            else
                *val = io->id << 24;
        } else if (i == 1) {
            if (!write)
                *val = (IOAPIC_PINS - 1) << 16 | 0x11;
        } else if (i == 2) {
            if (!write)
                *val = io->id << 24;
        } else if (i >= 0x10 && i < 0x10 + 2 * IOAPIC_PINS) {
            unsigned pin = (i - 0x10) / 2, shift = (i & 1) * 32;
            uint64_t mask = 0xffffffffull << shift;
            if (write) {
                uint64_t keep = REDIR_REMOTE_IRR | (1ull << 12);   /* read-only bits */
                uint64_t nv = (io->redir[pin] & ~mask) | ((uint64_t)(uint32_t)*val << shift);
                io->redir[pin] = (nv & ~keep) | (io->redir[pin] & keep);
                if ((io->level >> pin & 1) && !(io->redir[pin] & REDIR_MASKED))
                    deliver(p, pin);              /* unmasked with the line up */
            } else {
                *val = (uint32_t)(io->redir[pin] >> shift);
            }
        } else if (!write) {
            *val = 0;
        }
    } else if (off == 0x40 && write) {            /* EOI register (version 0x20) */
        spin_unlock(&io->lock);
        vioapic_eoi(p, (uint32_t)*val & 0xff);
        return 0;
    } else if (!write) {
        *val = 0;
    }
    spin_unlock(&io->lock);
    return 0;
}
