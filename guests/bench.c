/* bench: one micro-benchmark per boot (test=compute|hvc|blkread|blkwrite|
 * console), timed with rt_counter (aarch64: the virtual counter; x86_64: the
 * TSC), so the same image can run bare and partitioned and the results be
 * compared. One result line each. "hvc" times rt_hv_null_call (aarch64:
 * PSCI_VERSION over HVC; x86_64: CPUID leaf 0x40000000). */
#include <stdio.h>
#include <string.h>
#include "rt.h"

#define MIB		(1024 * 1024)
#define BLK_BYTES	(64 * MIB)	/* or the whole device if smaller */
#define REQ		(64 * 1024)
#define INFLIGHT	16		/* INFLIGHT * REQ = sizeof buf */
#define HVC_CALLS	200000
#define LINES		2000
#define LINE_LEN	60		/* characters, plus '\n' */

static uint8_t buf[MIB] __attribute__((aligned(4096)));

static uint64_t now(void)
{
	return rt_counter_sync();	/* not read early, ahead of the work */
}

/* Bitwise CRC-32 (reflected 0xedb88320): integer ALU only, no tables. */
static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return crc;
}

static int compute(void)
{
	uint32_t x = 0x12345678, crc = ~0u;
	uint64_t t0;
	size_t i;

	for (i = 0; i < sizeof buf; i++) {	/* xorshift32 */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x;
	}
	t0 = now();
	for (i = 0; i < 8; i++)
		crc = crc32(crc, buf, sizeof buf);
	printf("bench: compute ticks=%lu freq=%lu crc=%08x\n", now() - t0,
	       rt_counter_hz(), (unsigned)~crc);
	return 0;
}

static int hvc(void)
{
	uint64_t t0;
	long v = rt_hv_null_call();
	int i;

	if (v < 0) {
		printf("bench: error: null hypervisor call returned %ld\n", v);
		return 1;
	}
	t0 = now();
	for (i = 0; i < HVC_CALLS; i++)
		rt_hv_null_call();
	printf("bench: hvc calls=%d ticks=%lu freq=%lu\n", HVC_CALLS, now() - t0,
	       rt_counter_hz());
	return 0;
}

/* Sequential transfer in batches of INFLIGHT requests: submit all, one
 * kick, wait for all. Writes end with a flush, inside the timing. */
static int blk(bool write)
{
	unsigned long reqs = 0, n0, i0;
	uint64_t total, done = 0, t0;
	int st[INFLIGHT], rc = 0, k, j;

	if (blk_init()) {
		printf("bench: error: no usable virtio-blk device\n");
		return 1;
	}
	total = blk_sectors() * 512 < BLK_BYTES ? blk_sectors() * 512 : BLK_BYTES;
	for (j = 0; write && j < (int)sizeof buf; j++)
		buf[j] = j * 7 + (j >> 9);
	n0 = blk_notify_count();
	i0 = blk_irq_count();
	t0 = now();
	while (done < total && !rc) {
		for (k = 0; k < INFLIGHT && done < total; k++, done += REQ, reqs++) {
			uint32_t len = total - done < REQ ? total - done : REQ;

			rc = blk_submit(write, done / 512, buf + k * REQ, len / 512, &st[k]);
			if (rc == BLK_EBUSY && k) {	/* small ring: shorter batch */
				rc = 0;
				break;
			}
			if (rc)
				break;
		}
		blk_kick();
		blk_wait_all();
		for (j = 0; j < k && !rc; j++)
			rc = st[j];
	}
	if (!rc && write)
		rc = blk_flush();
	t0 = now() - t0;
	if (rc) {
		printf("bench: error: %s: %s\n", write ? "write" : "read", blk_strerror(rc));
		return 1;
	}
	printf("bench: %s bytes=%lu ticks=%lu freq=%lu requests=%lu notifies=%lu irqs=%lu\n",
	       write ? "blkwrite" : "blkread", total, t0, rt_counter_hz(), reqs,
	       blk_notify_count() - n0, blk_irq_count() - i0);
	return 0;
}

/* LINES lines through stdio (line-buffered: one console write each), until
 * the device has taken them all. */
static int console(void)
{
	char line[LINE_LEN + 2];
	unsigned long n0;
	uint64_t t0;
	int i;

	for (i = 0; i < LINE_LEN; i++)
		line[i] = 'a' + i % 26;
	line[LINE_LEN] = '\n';
	line[LINE_LEN + 1] = 0;
	console_flush();
	n0 = console_notify_count();
	t0 = now();
	for (i = 0; i < LINES; i++) {
		snprintf(line, 12, "line %05d ", i);	/* first 11 characters */
		line[11] = 'a' + 11 % 26;
		fputs(line, stdout);
	}
	console_flush();
	t0 = now() - t0;
	printf("bench: console bytes=%d ticks=%lu notifies=%lu\n", LINES * (LINE_LEN + 1), t0,
	       console_notify_count() - n0);
	return 0;
}

int main(void)
{
	char test[16];
	int rc;

	bootarg_str("test", test, sizeof test, "");
	if (!strcmp(test, "compute"))
		rc = compute();
	else if (!strcmp(test, "hvc"))
		rc = hvc();
	else if (!strcmp(test, "blkread") || !strcmp(test, "blkwrite"))
		rc = blk(!strcmp(test, "blkwrite"));
	else if (!strcmp(test, "console"))
		rc = console();
	else {
		printf("bench: error: unknown test \"%s\" (compute|hvc|blkread|blkwrite|console)\n", test);
		return 1;
	}
	if (!rc)
		printf("bench: done\n");
	return rc;
}
