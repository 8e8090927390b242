/*
 * logtext.h - counting in uccnd's log text, for the tests of its limiter
 * (the unit test of daemon/log.c and the end-to-end floods). Plain libc.
 */
#ifndef UCCN_HARNESS_LOGTEXT_H
#define UCCN_HARNESS_LOGTEXT_H

#include <stddef.h>

/* How many times what stands in s. */
size_t h_count(const char *s, const char *what);
/* Lines the limiter left out, by its own account: the sum of every
 * "N more like it" in s (N written with thousands separators). */
unsigned long h_left_out(const char *s);

#endif
