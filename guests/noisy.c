/* noisy: misbehave on the console (a 1000-character line, control and binary
 * bytes, a flood of lines=N lines, a last line without newline) so the
 * hypervisor can show it keeps other partitions' lines intact. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "rt.h"

int main(void)
{
	unsigned long lines = bootarg_ulong("lines", 200), k;
	static char buf[4096];
	size_t n = 0;
	int c;

	printf("noisy: started\n");
	console_flush();
	memset(buf, 'x', 1000);
	write(1, buf, 1000);
	console_flush();		/* the line is pending without its newline */
	write(1, "\n", 1);
	console_flush();
	/* raw bytes through write(): stdio must not touch them */
	for (c = 0; c < 0x20; c++)
		if (c != '\n')
			buf[n++] = c;
	for (c = 0x7f; c < 0x100; c++)
		buf[n++] = c;
	memcpy(buf + n, "\x1b[2J\n", 5);
	write(1, buf, n + 5);
	console_flush();
	/* flood: big writes, so lines straddle the console's transmit buffers */
	for (n = 0, k = 1; k <= lines; k++) {
		n += snprintf(buf + n, sizeof buf - n, "noisy: flood %lu\n", k);
		if (n > sizeof buf - 64 || k == lines) {
			write(1, buf, n);
			n = 0;
		}
	}
	printf("noisy: partial line without newline");
	console_flush();
	return 0;
}
