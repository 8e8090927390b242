/*
 * tzdb.h - is a name a zone of the system's IANA time zone database?
 */
#ifndef UCCND_TZDB_H
#define UCCND_TZDB_H

#include <stdbool.h>

/* True when name is a zone in $TZDIR or /usr/share/zoneinfo (a TZif file).
 * Also true for any well-formed name when the machine has no zone
 * database at all: we cannot check, and say so in the log once. */
bool tzdb_known(const char *name);

#endif
