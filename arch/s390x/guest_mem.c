/* A guest's storage as the hv touches it: real addresses with the vcpu's prefix applied
 * (its 8 KiB lowcore and the absolute pages 0-1 trade places), then the partition's RAM. */
#include <string.h>

#include "partition.h"
#include "s390_guest.h"

void *s390_guest_real(struct vcpu *v, uint64_t real, uint64_t len)
{
    uint64_t prefix = v->arch.sie.prefix & ~0x1fffull;
    uint64_t abs = real;

    if (len == 0 || real + len < real)
        return NULL;
    if (real < LC_SIZE)
        abs = real + prefix;
    else if (real >= prefix && real < prefix + LC_SIZE)
        abs = real - prefix;
    /* An operand must not straddle the lowcore's edge: the two halves would not be
     * contiguous in absolute storage. */
    if ((real < LC_SIZE) != (real + len - 1 < LC_SIZE) ||
        ((real >= prefix && real < prefix + LC_SIZE) !=
         (real + len - 1 >= prefix && real + len - 1 < prefix + LC_SIZE)))
        return NULL;
    return guest_ptr(&v->part->mem, v->part->mem.base + abs, len);
}

void s390_guest_lc_write(struct vcpu *v, unsigned off, const void *src, unsigned len)
{
    void *dst = s390_guest_real(v, off, len);
    if (dst)
        memcpy(dst, src, len);
}

void s390_guest_swap_psw(struct vcpu *v, unsigned old_off, unsigned new_off)
{
    struct sie_block *sd = &v->arch.sie;
    uint64_t *old = s390_guest_real(v, old_off, 16), *new = s390_guest_real(v, new_off, 16);

    if (!old || !new)
        return;     /* its lowcore is always inside its storage (prefix checked at SPX) */
    old[0] = sd->gpsw_mask;
    old[1] = sd->gpsw_addr;
    sd->gpsw_mask = new[0];
    sd->gpsw_addr = new[1];
}

void s390_guest_program(struct vcpu *v, uint16_t code, unsigned ilen)
{
    uint16_t ilc = (uint16_t)ilen;
    s390_guest_lc_write(v, LC_PGM_ILC, &ilc, 2);
    s390_guest_lc_write(v, LC_PGM_CODE, &code, 2);
    s390_guest_swap_psw(v, LC_PGM_OLD_PSW, LC_PGM_NEW_PSW);
}

void s390_set_cc(struct vcpu *v, unsigned cc)
{
    v->arch.sie.gpsw_mask = (v->arch.sie.gpsw_mask & ~PSW_MASK_CC) | ((uint64_t)(cc & 3) << 44);
}
