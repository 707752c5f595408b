/* The guest's console on s390x: the SCLP line-mode console. Each line is one WRITE EVENT
 * DATA message; the SCLP completes a request with a service-signal external interruption,
 * which is waited for (the next request is refused until it was taken). */
#include <string.h>
#include "../internal.h"
#include "s390x.h"

static uint8_t sccb[4096] __attribute__((aligned(4096)));
static spinlock_t lock;
static volatile uint32_t done;
static char line[240];
static unsigned line_len;

static void service_signal(void)
{
	uint32_t param = *(volatile uint32_t *)(lowcore() + LC_EXT_PARAMS);
	if (param & ~7u)
		done = param & ~7u;
}

static int servc(uint32_t cmd, void *area)
{
	int cc;
	__asm__ volatile(".insn rre,0xb2200000,%1,%2\n\tipm %0\n\tsrl %0,28"
			 : "=d"(cc) : "d"((uint64_t)cmd), "a"(area) : "cc", "memory");
	return cc;
}

/* Only the service signal may come while waiting: this can run inside another handler. */
uint16_t sclp_request(uint32_t cmd, void *area)
{
	static int handler_set;
	int cc;

	if (!handler_set) {
		rt_ext_handler_set(0x2401, service_signal);
		handler_set = 1;
	}
	done = 0;
	while ((cc = servc(cmd, area)) == 2)
		;
	if (cc)
		return 0;
	uint64_t cr0 = stctg(0);
	lctlg(0, (cr0 & ~(CR0_EMERGENCY | CR0_EXT_CALL | CR0_CKC | 0x400ull)) | CR0_SERVICE);
	while (done != (uint32_t)(uintptr_t)area)
		rt_wait_enabled();
	lctlg(0, cr0);
	return ((struct sccb_hdr *)area)->response;
}

static uint8_t to_ebcdic(char c)
{
	/* cp037 for what guests print; anything else is a blank */
	static const char *const runs = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
	static const uint8_t codes[] = {
		0x40, 0x5a, 0x7f, 0x7b, 0x5b, 0x6c, 0x50, 0x7d, 0x4d, 0x5d, 0x5c, 0x4e, 0x6b, 0x60,
		0x4b, 0x61, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0x7a, 0x5e,
		0x4c, 0x7e, 0x6e, 0x6f, 0x7c, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9,
		0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6,
		0xe7, 0xe8, 0xe9, 0xba, 0xe0, 0xbb, 0xb0, 0x6d, 0x79, 0x81, 0x82, 0x83, 0x84, 0x85,
		0x86, 0x87, 0x88, 0x89, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0xa2,
		0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xc0, 0x4f, 0xd0, 0xa1,
	};
	const char *p = c ? strchr(runs, c) : NULL;
	return p ? codes[p - runs] : 0x40;
}

static void send_line(void)
{
	struct sccb_hdr *h = (struct sccb_hdr *)sccb;
	uint8_t *p = sccb + 8;
	unsigned n = line_len ? line_len : 1;
	unsigned mto = 10 + n, mdb = 12 + 56 + mto, ev = 6 + mdb;

	memset(sccb, 0, 8 + ev);
	h->length = 8 + ev;
	p[0] = ev >> 8, p[1] = ev, p[2] = 0x02;			/* event: message */
	p += 6;
	p[0] = mdb >> 8, p[1] = mdb, p[3] = 1;			/* MDB header */
	p[4] = 0xd4, p[5] = 0xc4, p[6] = 0xc2, p[7] = 0x40;	/* "MDB " */
	p[11] = 1;
	p += 12;
	p[1] = 56, p[3] = 1;					/* GO */
	p += 56;
	p[0] = mto >> 8, p[1] = mto, p[3] = 4, p[4] = 0x10;	/* MTO, data line */
	p += 10;
	for (unsigned i = 0; i < n; i++)
		p[i] = i < line_len ? to_ebcdic(line[i]) : 0x40;
	sclp_request(0x00760005, sccb);
	line_len = 0;
}

long sclp_write(const char *buf, size_t n)
{
	unsigned long f = spin_lock_irqsave(&lock);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || line_len == sizeof(line)) {
			send_line();
			if (buf[i] == '\n')
				continue;
		}
		if (buf[i] != '\r')
			line[line_len++] = buf[i];
	}
	spin_unlock_irqrestore(&lock, f);
	return n;
}

void sclp_flush(void)
{
	unsigned long f = spin_lock_irqsave(&lock);
	if (line_len)
		send_line();
	spin_unlock_irqrestore(&lock, f);
}

/* Storage and CPUs, from READ SCP INFO. */
int sclp_read_info(uint64_t *mem_size, uint64_t *cpus, unsigned *ncpus, unsigned max)
{
	struct sccb_hdr *h = (struct sccb_hdr *)sccb;
	unsigned long f = spin_lock_irqsave(&lock);

	memset(sccb, 0, sizeof(sccb));
	h->length = sizeof(sccb);
	uint16_t rc = sclp_request(0x00020001, sccb);
	if (rc != 0x0010) {
		spin_unlock_irqrestore(&lock, f);
		return -1;
	}
	uint16_t rnmax = *(uint16_t *)(sccb + 8), ncpu = *(uint16_t *)(sccb + 16);
	uint16_t cpuoff = *(uint16_t *)(sccb + 18);
	uint8_t rnsize = sccb[10];
	uint64_t incs = rnmax ? rnmax : *(uint64_t *)(sccb + 104);
	uint64_t mib = rnsize ? rnsize : *(uint32_t *)(sccb + 100);
	*mem_size = incs * mib << 20;
	*ncpus = 0;
	for (unsigned i = 0; i < ncpu && *ncpus < max && cpuoff + 16 * (i + 1) <= sizeof(sccb); i++)
		if (sccb[cpuoff + 16 * i + 14] == 0)
			cpus[(*ncpus)++] = sccb[cpuoff + 16 * i];
	spin_unlock_irqrestore(&lock, f);
	return 0;
}
