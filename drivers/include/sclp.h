/* The service-call logical processor (SCLP): the machine's own console and configuration
 * interface on s390x. The layouts are shared by the hv's console driver (drivers/sclp.c) and
 * the SCLP the hv emulates for its partitions (arch/s390x/vsclp.c). */
#ifndef DRIVERS_SCLP_H
#define DRIVERS_SCLP_H

#include "types.h"

#define SCLP_CMD_READ_SCP_INFO     0x00020001u
#define SCLP_CMD_READ_SCP_INFO_FORCED 0x00120001u
#define SCLP_CMD_READ_CPU_INFO     0x00010001u
#define SCLP_CMD_WRITE_EVENT_DATA  0x00760005u
#define SCLP_CMD_READ_EVENT_DATA   0x00770005u
#define SCLP_CMD_WRITE_EVENT_MASK  0x00780005u

#define SCLP_RC_NORMAL_READ        0x0010   /* read SCP/CPU info done */
#define SCLP_RC_NORMAL             0x0020   /* event commands done */
#define SCLP_RC_INVALID_COMMAND    0x01f0
#define SCLP_RC_BOUNDARY           0x0300   /* SCCB crosses a 4 KiB boundary */
#define SCLP_RC_INSUFFICIENT_LEN   0x0300
#define SCLP_RC_NO_EVENTS          0x60f0
#define SCLP_RC_INVALID_LENGTH     0x0040   /* SCCB length too short */
#define SCLP_RC_EVENT_BUF_SYNTAX   0x73f0   /* bad event buffer in write event data */
#define SCLP_RC_INVALID_MASK_LEN   0x74f0

#define SCLP_EV_OPCMD     0x01   /* operator command (input) */
#define SCLP_EV_MSG       0x02   /* message (line-mode output) */
#define SCLP_EV_PMSGCMD   0x09   /* priority message / command */
#define SCLP_EV_VT220     0x1a
/* Event type t in a 32-bit event mask. */
#define SCLP_EV_MASK(t)   (0x80000000u >> ((t) - 1))

struct sccb_header {
    uint16_t length;
    uint8_t function;
    uint8_t control[3];
    uint16_t response;
} __attribute__((packed));

struct sclp_evbuf {
    uint16_t length;
    uint8_t type;
    uint8_t flags;          /* 0x80: processed */
    uint16_t reserved;
} __attribute__((packed));

/* A line-mode message: event buffer, message data block, go object, one text object. */
struct sclp_mdb_header {
    uint16_t length;
    uint16_t type;          /* 1 */
    uint32_t tag;           /* "MDB " in EBCDIC */
    uint32_t revision;      /* 1 */
} __attribute__((packed));
#define SCLP_MDB_TAG 0xd4c4c240u
struct sclp_go {
    uint16_t length;        /* 56 */
    uint16_t type;          /* 1 */
    uint8_t rest[52];
} __attribute__((packed));
struct sclp_mto {
    uint16_t length;        /* 10 + text */
    uint16_t type;          /* 4 */
    uint16_t line_flags;    /* 0x1000: data line */
    uint8_t alarm;
    uint8_t reserved[3];
} __attribute__((packed));
#define SCLP_MTO_TYPE 4
#define SCLP_GO_TYPE 1

struct sclp_event_mask {
    struct sccb_header h;
    uint16_t reserved;
    uint16_t mask_length;   /* 4 */
    uint32_t cp_receive;    /* what the program takes */
    uint32_t cp_send;       /* what it sends */
    uint32_t sclp_receive;  /* what the SCLP takes (answer) */
    uint32_t sclp_send;     /* what the SCLP sends (answer) */
} __attribute__((packed));

/* READ SCP INFO: the fields the hv reads and answers (offsets as Linux's read_info_sccb). */
struct sclp_read_info {
    struct sccb_header h;   /* 0 */
    uint16_t rnmax;         /* 8: storage increments (0: rnmax2) */
    uint8_t rnsize;         /* 10: increment size in MiB (0: rnsize2) */
    uint8_t pad11[16 - 11];
    uint16_t ncpurl;        /* 16: CPU entries */
    uint16_t cpuoff;        /* 18: offset of the first CPU entry */
    uint8_t pad20[24 - 20];
    uint8_t loadparm[8];    /* 24 */
    uint8_t pad32[48 - 32];
    uint64_t facilities;    /* 48 */
    uint8_t pad56[100 - 56];
    uint32_t rnsize2;       /* 100 */
    uint64_t rnmax2;        /* 104 */
    uint8_t pad112[120 - 112];
    uint16_t hcpua;         /* 120: highest CPU address */
    uint8_t pad122[128 - 122];
} __attribute__((packed));

/* A CPU entry of READ SCP INFO and READ CPU INFO. */
struct sclp_cpu_entry {
    uint8_t address;
    uint8_t reserved0[13];
    uint8_t type;           /* 0: CP */
    uint8_t reserved1;
} __attribute__((packed));

/* The external-interruption parameter of a service signal: the SCCB, and two low bits that
 * say an event waits to be read. */
#define SCLP_PARAM_EVENT_PENDING 0x3u

/* drivers/sclp.c: the arch's service-signal interruption handler reports each one here;
 * true if an event waits to be read (the console's input interrupt, SCLP_IRQ_EVENT). */
bool sclp_service_signal_event(uint32_t param);
#define SCLP_IRQ_EVENT 0
/* A request on a caller's SCCB (4 KiB aligned, below 2 GiB), waited for; the response
 * code, 0 if the SCLP did not take it. */
uint16_t sclp_request(uint32_t cmd, void *sccb);

#endif
