/*
 * str.c - the one way a string gets into a record or request: as a copy the
 * record owns, so uccn_*_clear() may free every string it finds there.
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
