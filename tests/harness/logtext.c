/*
 * logtext.c - counting in uccnd's log text (see logtext.h).
 */
#include <string.h>

#include "logtext.h"

size_t h_count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

unsigned long h_left_out(const char *s)
{
	unsigned long total = 0;
	for (const char *p = s; (p = strstr(p, " more like it")); p++) {
		const char *q = p;
		while (q > s && (q[-1] == ',' || (q[-1] >= '0' && q[-1] <= '9')))
			q--;
		unsigned long n = 0;
		for (; q < p; q++)
			if (*q != ',')
				n = n * 10 + (unsigned long)(*q - '0');
		total += n;
	}
	return total;
}
