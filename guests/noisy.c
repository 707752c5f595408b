/* noisy: misbehave on the console (a 1000-character line, control and binary
 * bytes, a flood of lines=N lines, a last line without newline) so the
 * hypervisor can show it keeps other partitions' lines intact. It checks that
 * every write was taken whole; the verdict comes before the last, partial line. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "rt.h"

int main(void)
{
	unsigned long lines = bootarg_ulong("lines", 200), k;
	static char buf[4096];
	size_t n = 0;
	unsigned short_writes = 0;
	int c, rc;

	printf("noisy: started\n");
	console_flush();
	memset(buf, 'x', 1000);
	n = write(1, buf, 1000);
	console_flush();		/* the line is pending without its newline */
	write(1, "\n", 1);
	console_flush();
	check(n == 1000, "long-line", "write of 1000 bytes took %u", (unsigned)n);
	n = 0;
	/* raw bytes through write(): stdio must not touch them */
	for (c = 0; c < 0x20; c++)
		if (c != '\n')
			buf[n++] = c;
	for (c = 0x7f; c < 0x100; c++)
		buf[n++] = c;
	memcpy(buf + n, "\x1b[2J\n", 5);
	check(write(1, buf, n + 5) == (long)n + 5, "binary-bytes", "write cut short");
	console_flush();
	/* flood: big writes, so lines straddle the console's transmit buffers */
	for (n = 0, k = 1; k <= lines; k++) {
		n += snprintf(buf + n, sizeof buf - n, "noisy: flood %lu\n", k);
		if (n > sizeof buf - 64 || k == lines) {
			if (write(1, buf, n) != (long)n)
				short_writes++;
			n = 0;
		}
	}
	check(!short_writes, "flood", "%u writes cut short", short_writes);
	rc = check_summary();
	printf("noisy: partial line without newline");
	console_flush();
	return rc;
}
