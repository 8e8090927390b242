/*
 * metrics.h - the figures uccnd keeps about itself for `uccn status`
 * (SPEC 4.1, server_state): commit latencies over a window, replies
 * refused by kind and dropped, connections. Plain counters and pure
 * computation; the places that see the events call in.
 */
#ifndef UCCND_METRICS_H
#define UCCND_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "uccn_msg.h"

/* Commits the latency percentiles are taken over: the newest ones. */
#define UCCN_STATUS_COMMIT_WINDOW 1024

/* The durations of the newest UCCN_STATUS_COMMIT_WINDOW commits. */
struct latency_ring {
	uint64_t ns[UCCN_STATUS_COMMIT_WINDOW];
	size_t n;     /* filled, up to the window */
	size_t next;  /* the slot the next one takes */
};

void metrics_ring_add(struct latency_ring *r, uint64_t ns);
/* The median and the 99th percentile (nearest rank) of r, in whole
 * microseconds rounded up, so a commit that took any time reads at least
 * 1; both 0 when r is empty. Selects in a copy: O(window). */
void metrics_ring_percentiles(const struct latency_ring *r, uint64_t *p50_us,
			      uint64_t *p99_us);

/* What the main thread counts; all counters since the start. */
struct metrics {
	struct uccn_refusals refusals;  /* error replies sent, by kind */
	uint64_t drops;                 /* replies that could not be handed over */
	/* Handshakes ended (succeeded or failed) and connections closed, as
	 * the ROUTER's monitor reports them (peers.c). */
	uint64_t handshakes_ok, handshakes_failed, disconnects;
};

/* A reply with status (0 or a negative UCCN_E_*) is being sent: count it
 * under the name the client will read when it is an error. */
void metrics_count_reply(struct metrics *m, int status);
/* Connections open whose handshake succeeded: every connection ends its
 * handshake one way or the other before it closes, so the closed ones
 * that had succeeded are the closed ones less the failed ones. */
uint64_t metrics_peers(const struct metrics *m);

#endif
