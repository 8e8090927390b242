/*
 * defaults.c - the default data directory, from the environment.
 */
#include <stdio.h>
#include <stdlib.h>

#include "uccn_defaults.h"
#include "uccn_error.h"

int uccn_default_data_dir(char *buf, size_t len)
{
	const char *v;
	int n;
	if ((v = getenv("UCCN_DATA")) && v[0])
		n = snprintf(buf, len, "%s", v);
	else if ((v = getenv("XDG_DATA_HOME")) && v[0])
		n = snprintf(buf, len, "%s/uccn", v);
	else if ((v = getenv("HOME")) && v[0])
		n = snprintf(buf, len, "%s/.local/share/uccn", v);
	else
		return UCCN_E_INVALID;
	return n < 0 || (size_t)n >= len ? UCCN_E_TOOBIG : 0;
}
