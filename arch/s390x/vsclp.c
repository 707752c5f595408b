/* The SCLP a partition sees: its storage and CPUs (READ SCP INFO, READ CPU INFO) and a
 * line-mode operator console (event masks, WRITE EVENT DATA for its lines, READ EVENT DATA
 * with nothing to read). Requests complete inside SERVC; the service signal that says so
 * is made pending for the vcpu and delivered when it enables it, and until then a further
 * SERVC finds the SCLP busy, as on the machine. */
#include <string.h>

#include "console.h"
#include "ebcdic.h"
#include "partition.h"
#include "s390_guest.h"
#include "sclp.h"

#define INCREMENT_MIB 1

static uint16_t read_scp_info(struct vcpu *v, uint8_t *sccb, unsigned len)
{
    struct partition *p = v->part;
    struct sclp_read_info *ri = (struct sclp_read_info *)sccb;
    unsigned need = sizeof(*ri) + p->nr_vcpus * sizeof(struct sclp_cpu_entry);

    if (len < need)
        return SCLP_RC_INSUFFICIENT_LEN;
    memset(sccb + sizeof(ri->h), 0, need - sizeof(ri->h));
    uint64_t incs = p->mem.size >> 20;
    if (incs <= 0xffff)
        ri->rnmax = (uint16_t)incs;
    ri->rnmax2 = incs;
    ri->rnsize = INCREMENT_MIB;
    ri->rnsize2 = INCREMENT_MIB;
    ri->ncpurl = (uint16_t)p->nr_vcpus;
    ri->cpuoff = sizeof(*ri);
    ri->hcpua = (uint16_t)(p->nr_vcpus - 1);
    struct sclp_cpu_entry *c = (struct sclp_cpu_entry *)(sccb + sizeof(*ri));
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        c[i].address = (uint8_t)i;
    return SCLP_RC_NORMAL_READ;
}

/* READ CPU INFO: header, configured count and offset, standby count and offset, entries. */
static uint16_t read_cpu_info(struct vcpu *v, uint8_t *sccb, unsigned len)
{
    struct partition *p = v->part;
    unsigned need = 16 + p->nr_vcpus * sizeof(struct sclp_cpu_entry);

    if (len < need)
        return SCLP_RC_INSUFFICIENT_LEN;
    memset(sccb + 8, 0, need - 8);
    uint16_t f[4] = { (uint16_t)p->nr_vcpus, 16, 0, (uint16_t)need };
    memcpy(sccb + 8, f, sizeof(f));
    struct sclp_cpu_entry *c = (struct sclp_cpu_entry *)(sccb + 16);
    for (unsigned i = 0; i < p->nr_vcpus; i++)
        c[i].address = (uint8_t)i;
    return SCLP_RC_NORMAL_READ;
}

static uint16_t write_event_mask(uint8_t *sccb, unsigned len)
{
    struct sclp_event_mask *m = (struct sclp_event_mask *)sccb;

    if (len < 12 || m->mask_length == 0 || m->mask_length > 4 ||
        len < 12u + 4u * m->mask_length)
        return SCLP_RC_INVALID_MASK_LEN;
    /* The four masks, each mask_length bytes: the SCLP takes line-mode output (not VT220
     * as well: Linux would write every line twice) and says it may send operator commands (Linux uses the line-mode console only if
     * the SCLP can send them; none is ever pending: READ EVENT DATA finds nothing). */
    uint8_t *masks = sccb + 12;
    uint32_t accept = SCLP_EV_MASK(SCLP_EV_MSG) | SCLP_EV_MASK(SCLP_EV_PMSGCMD);
    uint32_t send = SCLP_EV_MASK(SCLP_EV_OPCMD);
    memset(masks + 2 * m->mask_length, 0, 2 * m->mask_length);
    for (unsigned i = 0; i < m->mask_length; i++) {
        masks[2 * m->mask_length + i] = (uint8_t)(accept >> (24 - 8 * i));
        masks[3 * m->mask_length + i] = (uint8_t)(send >> (24 - 8 * i));
    }
    return SCLP_RC_NORMAL;
}

/* One line-mode message: every message text object is a line of the partition's console. */
static void message(struct partition *p, const uint8_t *mdb, const uint8_t *end)
{
    if (end - mdb < (long)sizeof(struct sclp_mdb_header))
        return;
    const uint8_t *o = mdb + sizeof(struct sclp_mdb_header);
    while (o + 4 <= end) {
        unsigned olen = o[0] << 8 | o[1], type = o[2] << 8 | o[3];
        if (olen < 4 || o + olen > end)
            return;
        if (type == SCLP_MTO_TYPE && olen >= sizeof(struct sclp_mto)) {
            uint8_t text[256];
            unsigned n = 0;
            for (const uint8_t *t = o + sizeof(struct sclp_mto); t < o + olen; t++) {
                text[n++] = (uint8_t)ebcdic_to_ascii(*t);
                if (n == sizeof(text)) {
                    console_part_write(p, text, n);
                    n = 0;
                }
            }
            text[n++] = '\n';
            console_part_write(p, text, n);
        }
        o += olen;
    }
}

static uint16_t write_event_data(struct vcpu *v, uint8_t *sccb, unsigned len)
{
    uint8_t *ev = sccb + sizeof(struct sccb_header), *end = sccb + len;

    if (ev == end)
        return SCLP_RC_EVENT_BUF_SYNTAX;
    while (ev < end) {
        struct sclp_evbuf *b = (struct sclp_evbuf *)ev;
        if (end - ev < (long)sizeof(*b) || b->length < sizeof(*b) || b->length > end - ev)
            return SCLP_RC_EVENT_BUF_SYNTAX;
        if (b->type == SCLP_EV_MSG || b->type == SCLP_EV_PMSGCMD)
            message(v->part, ev + sizeof(*b), ev + b->length);
        else if (b->type == SCLP_EV_VT220) {
            /* Not in the SCLP's receive mask: left unprocessed (Linux writes each line to
             * both consoles when the guest asked for VT220 too). */
            ev += b->length;
            continue;
        } else
            return SCLP_RC_EVENT_BUF_SYNTAX;
        b->flags |= 0x80;   /* processed */
        ev += b->length;
    }
    return SCLP_RC_NORMAL;
}

int s390_vsclp_servc(struct vcpu *v, uint32_t cmd, uint64_t addr)
{
    struct partition *p = v->part;

    if (v->arch.sie.gpsw_mask & PSW_MASK_PSTATE)
        return -PGM_PRIVILEGED;
    if (addr & 7)
        return -PGM_SPECIFICATION;
    struct sccb_header *h = s390_guest_real(v, addr, sizeof(*h));
    if (!h || addr + 4096 > p->mem.size)
        return -PGM_ADDRESSING;
    if (v->arch.pending & S390_PEND_SERVICE)
        return 2;               /* the last request's signal was not taken yet */
    unsigned len = h->length;
    if (len < sizeof(*h) || (addr & 0xfff) + len > 4096) {
        h->response = SCLP_RC_BOUNDARY;
    } else {
        uint8_t *sccb = s390_guest_real(v, addr, len);
        spin_lock(&p->arch.sclp_lock);
        switch (cmd) {
        case SCLP_CMD_READ_SCP_INFO:
        case SCLP_CMD_READ_SCP_INFO_FORCED:
            h->response = read_scp_info(v, sccb, len);
            break;
        case SCLP_CMD_READ_CPU_INFO:
            h->response = read_cpu_info(v, sccb, len);
            break;
        case SCLP_CMD_WRITE_EVENT_MASK:
            h->response = write_event_mask(sccb, len);
            break;
        case SCLP_CMD_WRITE_EVENT_DATA:
            h->response = write_event_data(v, sccb, len);
            break;
        case SCLP_CMD_READ_EVENT_DATA:
            h->response = SCLP_RC_NO_EVENTS;
            break;
        default:
            h->response = SCLP_RC_INVALID_COMMAND;
            break;
        }
        spin_unlock(&p->arch.sclp_lock);
    }
    v->arch.service_param = (uint32_t)addr;
    __atomic_or_fetch(&v->arch.pending, S390_PEND_SERVICE, __ATOMIC_RELEASE);
    return 0;
}
