/* The s390x runtime's internal interfaces. */
#ifndef S390X_GUEST_H
#define S390X_GUEST_H
#include <stddef.h>
#include <stdint.h>
#include "arch.h"

struct sccb_hdr {
	uint16_t length;
	uint8_t function, control[3];
	uint16_t response;
} __attribute__((packed));

uint16_t sclp_request(uint32_t cmd, void *sccb);
long sclp_write(const char *buf, size_t n);
void sclp_flush(void);
int sclp_read_info(uint64_t *mem_size, uint64_t *cpus, unsigned *ncpus, unsigned max);

/* virtio_ccw.c: find the virtio devices on the channel subsystem */
void ccw_scan(void);

/* An interruption frame (crt0.S): registers, then the old PSW. */
struct rt_frame {
	uint64_t gprs[16];
	uint64_t psw_mask, psw_addr;
};

#endif
