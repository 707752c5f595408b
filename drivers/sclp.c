/* The hv's console on s390x: the SCLP's line-mode operator console (what z/VM and Linux in
 * an LPAR use), as a UART driver for hv/console.c. Output: one WRITE EVENT DATA message per
 * line. Input: operator commands (Hercules: a panel line ".text"), read when the SCLP
 * signals that an event waits; each command becomes its text and a carriage return.
 *
 * One SCCB, used under a lock. The SCLP completes a request with a service-signal external
 * interruption and refuses the next one (cc 2) until that interruption was taken, so every
 * request waits for it; it is floating (any CPU enabled for it may take it), so the wait
 * watches a flag that whichever CPU took it set (sclp_service_signal). */
#include <string.h>

#include "ebcdic.h"
#include "lock.h"
#include "s390x.h"
#include "sclp.h"
#include "uart.h"

#define LINE_MAX 1000

static uint8_t sccb[4096] __attribute__((aligned(4096)));
static spinlock_t sclp_lock;
static volatile uint32_t done_sccb;      /* SCCB address of the last service signal */
static volatile bool event_waiting;
static char line[LINE_MAX];
static unsigned line_len;
static char input[512];
static volatile unsigned in_head, in_tail;
static bool receiving;

bool sclp_service_signal_event(uint32_t param)
{
    if (param & ~7u)
        done_sccb = param & ~7u;
    if (param & SCLP_PARAM_EVENT_PENDING)
        event_waiting = true;
    return event_waiting;
}

static int servc(uint32_t cmd, void *area)
{
    int cc;
    __asm__ volatile(".insn rre,0xb2200000,%1,%2\n\tipm %0\n\tsrl %0,28"
                     : "=d"(cc) : "d"((uint64_t)cmd), "a"(area) : "cc", "memory");
    return cc;
}

/* Let the service signal in until it has come for this SCCB. */
static void wait_done(const void *area)
{
    uint64_t cr0 = stctg(0);
    lctlg(0, cr0 | CR0_SERVICE_SIGNAL);
    while (done_sccb != (uint32_t)(uintptr_t)area)
        __asm__ volatile("stosm 0(%0),0x01\n\tstnsm 0(%0),0xfe" : : "a"(LC_HV_MASK_SAVE + 1)
                         : "memory");
    lctlg(0, cr0);
}

static uint16_t request_on(uint32_t cmd, void *area)
{
    struct sccb_header *h = area;
    int cc;

    done_sccb = 0;
    while ((cc = servc(cmd, area)) == 2)
        ; /* busy with an event signal that is not ours: it clears by itself */
    if (cc != 0)
        return 0;
    wait_done(area);
    return h->response;
}

/* One request on the console's SCCB (filled by the caller, lock held). */
static uint16_t request(uint32_t cmd)
{
    return request_on(cmd, sccb);
}

uint16_t sclp_request(uint32_t cmd, void *area)
{
    spin_lock(&sclp_lock);
    uint16_t r = request_on(cmd, area);
    spin_unlock(&sclp_lock);
    return r;
}

static void send_line(void)
{
    struct sccb_header *h = (struct sccb_header *)sccb;
    struct sclp_evbuf *ev = (struct sclp_evbuf *)(h + 1);
    struct sclp_mdb_header *mdb = (struct sclp_mdb_header *)(ev + 1);
    struct sclp_go *go = (struct sclp_go *)(mdb + 1);
    struct sclp_mto *mto = (struct sclp_mto *)(go + 1);
    uint8_t *text = (uint8_t *)(mto + 1);
    unsigned n = line_len ? line_len : 1;  /* an empty line is one blank */

    memset(sccb, 0, (uint8_t *)text - sccb);
    for (unsigned i = 0; i < line_len; i++)
        text[i] = ascii_to_ebcdic(line[i]);
    if (!line_len)
        text[0] = 0x40;
    mto->length = sizeof(*mto) + n;
    mto->type = SCLP_MTO_TYPE;
    mto->line_flags = 0x1000;
    go->length = sizeof(*go);
    go->type = SCLP_GO_TYPE;
    mdb->length = sizeof(*mdb) + sizeof(*go) + mto->length;
    mdb->type = 1;
    mdb->tag = SCLP_MDB_TAG;
    mdb->revision = 1;
    ev->length = sizeof(*ev) + mdb->length;
    ev->type = SCLP_EV_MSG;
    h->length = sizeof(*h) + ev->length;
    request(SCLP_CMD_WRITE_EVENT_DATA);
    line_len = 0;
}

static void set_mask(uint32_t receive, uint32_t send)
{
    struct sclp_event_mask *m = (struct sclp_event_mask *)sccb;

    memset(m, 0, sizeof(*m));
    m->h.length = sizeof(*m);
    m->mask_length = 4;
    m->cp_receive = receive;
    m->cp_send = send;
    request(SCLP_CMD_WRITE_EVENT_MASK);
}

static void sclp_init(struct uart *u)
{
    (void)u;
    spin_lock(&sclp_lock);
    set_mask(0, SCLP_EV_MASK(SCLP_EV_MSG));
    spin_unlock(&sclp_lock);
}

static void sclp_putc(struct uart *u, char c)
{
    (void)u;
    if (c == '\r')
        return;
    spin_lock(&sclp_lock);
    if (c == '\n' || line_len == LINE_MAX) {
        send_line();
        if (c == '\n') {
            spin_unlock(&sclp_lock);
            return;
        }
    }
    line[line_len++] = c;
    spin_unlock(&sclp_lock);
}

static void queue_input(char c)
{
    unsigned next = (in_tail + 1) % sizeof(input);
    if (next != in_head) {      /* a full buffer drops the rest of the command */
        input[in_tail] = c;
        in_tail = next;
    }
}

/* The text of an operator command event: in the GDS chain MDS-MU (0x1310) > CP-MSU (0x1212)
 * > text data (0x1320) > self-defining text (0x31) > text (0x30). */
static const uint8_t *gds_find(const uint8_t *p, const uint8_t *end, uint16_t id)
{
    while (p + 4 <= end) {
        unsigned len = p[0] << 8 | p[1];
        if (len < 4 || p + len > end)
            return NULL;
        if ((p[2] << 8 | p[3]) == id)
            return p;
        p += len;
    }
    return NULL;
}

static void take_command(const uint8_t *data, const uint8_t *end)
{
    const uint8_t *g = gds_find(data, end, 0x1310);
    if (g)
        g = gds_find(g + 4, g + (g[0] << 8 | g[1]), 0x1212);
    if (g)
        g = gds_find(g + 4, g + (g[0] << 8 | g[1]), 0x1320);
    if (!g)
        return;
    const uint8_t *sv = g + 4, *sv_end = g + (g[0] << 8 | g[1]);
    while (sv + 2 <= sv_end && sv[0] >= 2 && sv + sv[0] <= sv_end) {
        if (sv[1] == 0x31) {
            const uint8_t *t = sv + 2, *t_end = sv + sv[0];
            while (t + 2 <= t_end && t[0] >= 2 && t + t[0] <= t_end) {
                if (t[1] == 0x30) {
                    for (unsigned i = 2; i < t[0]; i++)
                        queue_input(ebcdic_to_ascii(t[i]));
                    queue_input('\r');
                    return;
                }
                t += t[0];
            }
        }
        sv += sv[0];
    }
}

static void read_events(void)
{
    struct sccb_header *h = (struct sccb_header *)sccb;

    for (;;) {
        memset(sccb, 0, sizeof(sccb));
        h->length = sizeof(sccb);
        if (request(SCLP_CMD_READ_EVENT_DATA) != SCLP_RC_NORMAL)
            return;
        const uint8_t *p = sccb + sizeof(*h), *end = sccb + (h->length < sizeof(sccb) ? h->length : sizeof(sccb));
        while (p + sizeof(struct sclp_evbuf) <= end) {
            const struct sclp_evbuf *ev = (const struct sclp_evbuf *)p;
            if (ev->length < sizeof(*ev) || p + ev->length > end)
                break;
            if (ev->type == SCLP_EV_OPCMD)
                take_command(p + sizeof(*ev), p + ev->length);
            p += ev->length;
        }
    }
}

static int sclp_getc(struct uart *u)
{
    (void)u;
    if (in_head == in_tail && event_waiting && receiving) {
        spin_lock(&sclp_lock);
        event_waiting = false;
        read_events();
        spin_unlock(&sclp_lock);
    }
    if (in_head == in_tail)
        return -1;
    char c = input[in_head];
    in_head = (in_head + 1) % sizeof(input);
    return (uint8_t)c;
}

static void sclp_rx_enable(struct uart *u)
{
    (void)u;
    spin_lock(&sclp_lock);
    set_mask(SCLP_EV_MASK(SCLP_EV_OPCMD), SCLP_EV_MASK(SCLP_EV_MSG));
    receiving = true;
    spin_unlock(&sclp_lock);
}

const struct uart_driver sclp_console_driver = {
    .compatible = "ibm,sclp-console",
    .init = sclp_init,
    .putc = sclp_putc,
    .getc = sclp_getc,
    .rx_irq_enable = sclp_rx_enable,
};
