/*
 * str.c - the one way a string gets into a record or request: as a copy the
 * record owns, so uccn_*_clear() may free every string it finds there; and
 * the trim both settings files (profiles, uccnd.conf) read their lines with.
 */
#include <stdlib.h>
#include <string.h>

#include "uccn_error.h"
#include "uccn_records.h"

int uccn_str_set(char **dst, const char *src)
{
	/* Copy before freeing: src may be *dst itself, or a part of it. */
	char *copy = NULL;
	if (src && !(copy = strdup(src)))
		return UCCN_E_NOMEM;
	free(*dst);
	*dst = copy;
	return 0;
}

char *uccn_str_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}
