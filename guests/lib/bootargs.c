/* Parsing of /chosen/bootargs: space-separated key=value tokens. */
#include <stdlib.h>
#include <string.h>
#include "rt.h"

const char *bootarg_next(const char *p, char *tok, size_t n)
{
	size_t i = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	for (; *p && *p != ' ' && *p != '\t'; p++)
		if (i + 1 < n)
			tok[i++] = *p;
	tok[i] = 0;
	return p;
}

unsigned long bootarg_ulong(const char *key, unsigned long def)
{
	const char *p = rt_bootargs;
	size_t kl = strlen(key);
	char tok[128];

	while ((p = bootarg_next(p, tok, sizeof tok)))
		if (!strncmp(tok, key, kl) && tok[kl] == '=')
			def = strtoul(tok + kl + 1, NULL, 0);
	return def;
}

/* Value of the last key=value token into buf (truncated), else def. */
const char *bootarg_str(const char *key, char *buf, size_t n, const char *def)
{
	const char *p = rt_bootargs, *v = def;
	size_t kl = strlen(key);
	char tok[128];

	while ((p = bootarg_next(p, tok, sizeof tok)))
		if (!strncmp(tok, key, kl) && tok[kl] == '=') {
			strncpy(buf, tok + kl + 1, n - 1);
			buf[n - 1] = 0;
			v = buf;
		}
	return v;
}
