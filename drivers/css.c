/* Channel subsystem helpers for polled drivers (the boot loader, the FBA disk). */
#include "arch.h"
#include "css.h"

/* A device that has not ended a channel program after this long is broken: cleared. */
#define CSS_TIMEOUT_NS 10000000000ull

int css_run(uint32_t schid, const struct ccw1 *prog, struct irb *irb)
{
    struct orb orb = { .intparm = schid, .flags = ORB_F_FORMAT1, .lpm = 0xff,
                       .cpa = (uint32_t)(uintptr_t)prog };
    int cc = css_ssch(schid, &orb);

    if (cc == 1) {              /* status pending from earlier: clear it and retry once */
        css_tsch(schid, irb);
        cc = css_ssch(schid, &orb);
    }
    if (cc != 0)
        return -2;
    uint64_t until = arch_time_ns() + CSS_TIMEOUT_NS;
    for (;;) {
        cc = css_tsch(schid, irb);
        if (cc == 3)
            return -2;
        if (cc == 1 && arch_time_ns() > until) {
            css_csch(schid);
            return -3;
        }
        /* cc 1: nothing pending yet. Done when the primary (and so the start function)
         * has ended; an intermediate status alone is not the end. */
        if (cc == 0 && (irb->scsw.ctrl & SCSW_STCTL_PRIMARY))
            break;
    }
    if (irb->scsw.cstat ||
        (irb->scsw.dstat & ~(DEV_STAT_CHN_END | DEV_STAT_DEV_END)) ||
        (irb->scsw.dstat & (DEV_STAT_CHN_END | DEV_STAT_DEV_END)) !=
            (DEV_STAT_CHN_END | DEV_STAT_DEV_END))
        return -1;
    return 0;
}

int css_find(int devno, uint32_t first, uint32_t *schid, struct schib *schib)
{
    for (uint32_t n = first; n <= 0xffff; n++) {
        if (css_stsch(CSS_SCHID(n), schib) == 3)
            return -1;          /* past the last subchannel */
        if (!(schib->pmcw.flags & PMCW_DNV))
            continue;
        if (devno >= 0 && schib->pmcw.devno != devno)
            continue;
        schib->pmcw.flags = (schib->pmcw.flags & ~PMCW_ISC_MASK) | PMCW_ENABLED;
        schib->pmcw.intparm = CSS_SCHID(n);
        if (css_msch(CSS_SCHID(n), schib) != 0 || css_stsch(CSS_SCHID(n), schib) != 0 ||
            !(schib->pmcw.flags & PMCW_ENABLED))
            continue;
        *schid = CSS_SCHID(n);
        return 0;
    }
    return -1;
}
