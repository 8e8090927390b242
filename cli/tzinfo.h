/*
 * tzinfo.h - what the agenda needs from the system's zone database: a
 * zone's UTC offset on a date, and a VTIMEZONE component for a year. Reads
 * the database through the C library (TZ), so it is the CLI's, not the
 * pure agenda library's.
 */
#ifndef UCCN_CLI_TZINFO_H
#define UCCN_CLI_TZINFO_H

#include <stdbool.h>

/* True when tz names a zone of the system's database. */
bool tz_known(const char *tz);

/* tz's local time minus UTC, in minutes, at local noon of y-m-d. Returns 0,
 * or -1 when tz is unknown. */
int tz_offset(const char *tz, int y, int m, int d, int *minutes);

/* A VTIMEZONE component for tz covering year (CRLF lines), malloc'd; NULL
 * when tz is unknown or memory runs out. */
char *tz_vtimezone(const char *tz, int year);

#endif
