/*
 * uccn_tz.h - is a name a zone of the system's IANA time zone database?
 * The one check both uccnd (refusing a record with an unknown zone) and
 * uccn (before it asks the C library for offsets) use.
 *
 * This is the one place in proto/ that reads a file: the system's zone
 * database, read-only, never a socket or the store.
 */
#ifndef UCCN_TZ_H
#define UCCN_TZ_H

#include <stdbool.h>

/* The zone database's directory: $TZDIR when set and not empty, else
 * /usr/share/zoneinfo. Static storage or the environment's. */
const char *uccn_tz_dir(void);

/* True when the machine has a zone database at uccn_tz_dir(). */
bool uccn_tz_database_present(void);

/*
 * True when name is well-formed (uccn_tz_name_valid) and names a TZif file
 * of the database, or is "UTC". Also true for any well-formed name when the
 * machine has no zone database at all: nothing can be checked then, and
 * the caller says so (uccn_tz_database_present). The syntax check comes
 * first, so a name never reaches outside the database's directory.
 */
bool uccn_tz_known(const char *name);

#endif
