/* blk: fill the first virtio-blk device with a per-sector pattern and read it
 * back (mode=write), only check it (verify), check that a read-only device
 * refuses writes (readonly), or probe the device's checks with malformed
 * requests (abuse). Sector n holds "<label> sector <n>\n" repeated. The mode's
 * outcome and every abuse answer are checks (PASS/FAIL lines); a verdict ends it. */
#include <stdio.h>
#include <string.h>
#include "rt.h"

#define REQ_SECTORS	128	/* 64 KiB per request */
#define BATCH		16	/* requests per notify */
#define BAD_ADDR	0x7f000000ul
#define BAD_LEN		(REQ_SECTORS * 512)	/* > QEMU's bounce buffer: it resets too */

static char buf[BATCH][REQ_SECTORS * 512] __attribute__((aligned(4096)));
static char label[64];
static uint64_t S;

static void pattern(char *s, uint64_t n)
{
	char line[96];
	int l = snprintf(line, sizeof line, "%s sector %lu\n", label, n), i;

	if (l >= (int)sizeof line)
		l = sizeof line - 1;
	for (i = 0; i < 512; i++)
		s[i] = line[i % l];
}

/* The whole device, BATCH requests at a time: write the pattern, or read
 * and compare it. 0 = all fine, 1 = mismatch, -1 = error (both printed). */
static int pass(bool write)
{
	static char want[512];
	unsigned n[BATCH], k, j, i;
	uint64_t s = 0, first;
	int st[BATCH], rc;

	while (s < S) {
		for (first = s, k = 0; k < BATCH && s < S; k++, s += n[k - 1]) {
			n[k] = S - s < REQ_SECTORS ? S - s : REQ_SECTORS;
			for (i = 0; write && i < n[k]; i++)
				pattern(buf[k] + i * 512, s + i);
			rc = blk_submit(write, s, buf[k], n[k], &st[k]);
			if (rc == BLK_EBUSY && k)	/* small ring: shorter batch */
				break;
			if (rc) {
				printf("blk: error: submit at sector %lu: %s\n", s, blk_strerror(rc));
				return -1;
			}
		}
		blk_kick();
		blk_wait_all();
		for (s = first, j = 0; j < k; s += n[j++]) {
			if (st[j]) {
				printf("blk: error: %s at sector %lu: %s\n", write ? "write" : "read",
				       s, blk_strerror(st[j]));
				return -1;
			}
			for (i = 0; !write && i < n[j]; i++) {
				pattern(want, s + i);
				if (memcmp(want, buf[j] + i * 512, 512)) {
					printf("blk: verify FAILED at sector %lu\n", s + i);
					return 1;
				}
			}
		}
	}
	return 0;
}

static int verify(void)
{
	int rc = pass(false);

	if (rc)
		return rc;
	printf("blk: verified %lu sectors OK\n", S);
	return 0;
}

/* A probe that wedged the device (reset needed, or no answer) gets a fresh
 * device for the next one. */
static void report(const char *name, int rc, int want)
{
	printf("blk: abuse %s: %s\n", name, blk_strerror(rc));
	check(rc == want, name, "status %s, want %s", blk_strerror(rc), blk_strerror(want));
	if (rc == BLK_ENEEDS_RESET || rc == BLK_ETIMEDOUT)
		blk_init();
}

static int abuse(void)
{
	uint64_t bad = BAD_ADDR;
	int rc;

	blk_set_timeout_ms(1000);
	report("past-end", blk_read(S, buf[0], 1), BLK_EIO);
	report("straddle", blk_read(S - 1, buf[0], 2), BLK_EIO);
	report("partial", blk_raw(0, 0, (uintptr_t)buf[0], 100, true), BLK_EIO);
	report("bad-type", blk_raw(99, 0, (uintptr_t)buf[0], 512, true), BLK_EUNSUPP);
	if (bad + BAD_LEN > rt_mem_base && bad < rt_mem_base + rt_mem_size)
		bad = rt_mem_base + rt_mem_size;	/* must be outside our RAM */
	rc = blk_raw(0, 0, bad, BAD_LEN, true);
	printf("blk: abuse bad-buffer: %s\n", rc == BLK_ENEEDS_RESET ? "needs-reset" : "no-reset");
	check(rc == BLK_ENEEDS_RESET, "bad-buffer", "status %s, want needs-reset", blk_strerror(rc));
	printf("blk: abuse done\n");
	return 0;
}

int main(void)
{
	char mode[16], id[21];
	int rc;

	bootarg_str("mode", mode, sizeof mode, "write");
	bootarg_str("label", label, sizeof label, "blk");
	if (!check(!blk_init(), "device", "no usable virtio-blk device")) {
		printf("blk: error: no usable virtio-blk device\n");
		return check_summary();
	}
	S = blk_sectors();
	printf("blk: started, %lu sectors, mode %s\n", S, mode);
	rc = blk_get_id(id);
	if (rc == BLK_EUNSUPP)
		printf("blk: id unsupported\n");
	else if (rc) {
		printf("blk: error: GET_ID: %s\n", blk_strerror(rc));
		return 1;
	} else
		printf("blk: id \"%s\"\n", id);

	if (!strcmp(mode, "write")) {
		if (pass(true)) {	/* a write cannot mismatch: error */
			check_fail("write", "error (line above)");
			return check_summary();
		}
		if ((rc = blk_flush())) {
			printf("blk: error: flush: %s\n", blk_strerror(rc));
			check_fail("flush", "%s", blk_strerror(rc));
			return check_summary();
		}
		printf("blk: wrote %lu sectors, flushed\n", S);
		rc = verify();
	} else if (!strcmp(mode, "verify")) {
		rc = verify();
	} else if (!strcmp(mode, "readonly")) {
		printf("blk: read-only flag %d\n", blk_read_only());
		pattern(buf[0], 0);
		rc = blk_write(0, buf[0], 1);
		if (rc && rc != BLK_EIO) {
			printf("blk: error: write to a read-only device: %s\n", blk_strerror(rc));
			check_fail("readonly-write", "status %s, want IOERR", blk_strerror(rc));
			return check_summary();
		}
		check(rc == BLK_EIO, "readonly-write", "write accepted on a read-only device");
		printf(rc ? "blk: write refused\n" : "blk: write ACCEPTED on a read-only device\n");
		rc = rc ? verify() : verify() < 0 ? -1 : 1;
	} else if (!strcmp(mode, "abuse")) {
		rc = abuse();
	} else {
		printf("blk: error: unknown mode \"%s\"\n", mode);
		check_fail("mode", "unknown mode \"%s\"", mode);
		return check_summary();
	}
	check(rc == 0, mode, "%s", rc < 0 ? "error (line above)" : "data mismatch (line above)");
	if (rc < 0)
		return check_summary();	/* error line already printed, no "done" */
	printf("blk: done\n");
	return check_summary();
}
