/*
 * torture.h - kill -9 and emulated power cuts against the real uccnd while
 * writers post through the real uccn with idempotency keys, checking after
 * every round that each acknowledged post is there exactly once (issue 14,
 * item 8). `make torture` runs it long (torture_main.c); make check runs a
 * few rounds (tests/e2e/test_torture_short.c). Runs inside a cmocka test:
 * it uses the end-to-end harness (tests/harness/).
 */
#ifndef UCCN_TORTURE_H
#define UCCN_TORTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "../harness/harness.h"

/* Writer processes, each posting as its own member city. */
#define TORTURE_WRITERS 4

struct torture_opts {
	int kill_rounds;  /* rounds ended by SIGKILL alone */
	int cut_rounds;   /* SIGKILL, then the unsynced writes undone */
	unsigned seed;    /* the kill moments and what a cut keeps */
	int min_delay_ms; /* a round's writing lasts between these two */
	int max_delay_ms;
};

struct torture_totals {
	long acked;      /* acknowledged posts, all writers, at the end */
	long lost;       /* acknowledged posts missing at some check */
	long duplicated; /* extra copies of one post's body */
	long unsynced;   /* pages a cut found written, not yet synced */
	long undone;     /* of those, taken back */
	int rounds;      /* rounds run (a daemon that does not come back stops
			  * the run early) */
};

/* Run the rounds, printing one line per round and a total. Returns 0 when
 * nothing acknowledged was lost or duplicated and every round ran. */
int torture_run(const struct torture_opts *o, struct torture_totals *t);

/* ---- between the driver and its parts ---- */

/* The body writer w posts as its n-th post: malloc'd. Every tenth is
 * long enough for LMDB overflow pages. */
char *torture_body(int w, long n);

#endif
