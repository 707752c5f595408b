/* hello: print the bootargs, echo one line from the console, power off. */
#include <stdio.h>
#include <string.h>
#include "rt.h"

int main(void)
{
	char line[256];

	printf("hello: started, bootargs \"%s\"\n", rt_bootargs);
	printf("hello: type a line\n");
	if (!fgets(line, sizeof line, stdin))
		line[0] = 0;
	line[strcspn(line, "\n")] = 0;
	printf("hello: echo \"%s\"\n", line);
	printf("hello: done\n");
	return 0;
}
