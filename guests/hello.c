/* hello: print the bootargs (and the initrd, if any), echo one line from the console,
 * power off. Checks that a line came (not end of input) and ends with a verdict. */
#include <stdio.h>
#include <string.h>
#include "rt.h"

static void copy_text(char *dst, size_t cap, const char *src, size_t len)
{
	if (len > cap - 1)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* The initrd's size and its first and last lines (it is text in the tests). */
static void print_initrd(void)
{
	const char *s = (const char *)rt_initrd;
	size_t n = rt_initrd_size, first = 0, last = n, from;
	char head[80], tail[80];

	while (first < n && s[first] != '\n')
		first++;
	if (last && s[last - 1] == '\n')
		last--;
	for (from = last; from && s[from - 1] != '\n'; from--)
		;
	copy_text(head, sizeof head, s, first);
	copy_text(tail, sizeof tail, s + from, last - from);
	printf("hello: initrd %lu bytes, first line \"%s\", last line \"%s\"\n", (unsigned long)n,
	       head, tail);
}

int main(void)
{
	char line[256];
	bool got;

	printf("hello: started, bootargs \"%s\"\n", rt_bootargs);
	if (rt_initrd)
		print_initrd();
	printf("hello: type a line\n");
	got = fgets(line, sizeof line, stdin) != NULL;
	if (!got)
		line[0] = 0;
	line[strcspn(line, "\n")] = 0;
	printf("hello: echo \"%s\"\n", line);
	check(got, "read-line", "end of input before a line");
	printf("hello: done\n");
	return check_summary();
}
