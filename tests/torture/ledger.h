/*
 * ledger.h - what the writers were told is stored (their ack files) against
 * what the daemon lists: every acknowledged post must be there exactly
 * once, under its seq, with its body and key. Losses and duplicates are
 * remembered across checks, so a post lost once counts once.
 */
#ifndef UCCN_TORTURE_LEDGER_H
#define UCCN_TORTURE_LEDGER_H

#include "../harness/harness.h"
#include "writer.h"

struct ledger;

/* One check's view of the store. */
struct ledger_check {
	long acked;      /* acknowledged so far */
	long lost;       /* of them, not found as acknowledged */
	long duplicated; /* extra copies of a body */
	long unacked;    /* torture posts nobody was told about (not an error:
			  * none are expected once the writers have paused) */
	long posts;      /* posts listed */
};

struct ledger *ledger_new(int writers);
void ledger_destroy(struct ledger **self_p);
/* Read the writers' ack files again (the writers paused). 0, or -1. */
int ledger_read(struct ledger *self, const struct writer *ws);
/* List every post with `uccn list --json` as the coordinator, page by
 * page, and compare. 0, or -1 when the listing failed. */
int ledger_check(struct ledger *self, const h_daemon_t *d, struct ledger_check *now);
/* Distinct acknowledged posts ever found missing; most extra copies of
 * each post ever seen, summed. */
long ledger_lost(const struct ledger *self);
long ledger_duplicated(const struct ledger *self);

#endif
