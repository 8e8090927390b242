/*
 * metrics.c - the counters and the latency window of metrics.h: no I/O,
 * no locks (the commit thread's window is guarded by the committer).
 */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "uccn_error.h"

void metrics_ring_add(struct latency_ring *r, uint64_t ns)
{
	r->ns[r->next] = ns;
	r->next = (r->next + 1) % UCCN_STATUS_COMMIT_WINDOW;
	if (r->n < UCCN_STATUS_COMMIT_WINDOW)
		r->n++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The value at or below which pct percent of the sorted v[0..n) lie. */
static uint64_t nearest_rank_us(const uint64_t *v, size_t n, unsigned pct)
{
	size_t rank = (n * pct + 99) / 100; /* 1-based, at least 1 for n > 0 */
	return (v[rank ? rank - 1 : 0] + 999) / 1000;
}

void metrics_ring_percentiles(const struct latency_ring *r, uint64_t *p50_us,
			      uint64_t *p99_us)
{
	uint64_t sorted[UCCN_STATUS_COMMIT_WINDOW];
	*p50_us = *p99_us = 0;
	if (r->n == 0)
		return;
	memcpy(sorted, r->ns, r->n * sizeof sorted[0]);
	qsort(sorted, r->n, sizeof sorted[0], cmp_u64);
	*p50_us = nearest_rank_us(sorted, r->n, 50);
	*p99_us = nearest_rank_us(sorted, r->n, 99);
}

void metrics_count_reply(struct metrics *m, int status)
{
	if (status >= 0)
		return;
	/* As the wire names it: a code with no name of its own is sent as
	 * internal, and so would be one only a client should meet. */
	int code = uccn_error_from_name(uccn_error_name(status));
	if (-code >= UCCN_REFUSAL_SLOTS)
		code = UCCN_E_INTERNAL;
	m->refusals.by_code[-code]++;
}

uint64_t metrics_peers(const struct metrics *m)
{
	uint64_t gone_after_success = m->disconnects > m->handshakes_failed
		? m->disconnects - m->handshakes_failed : 0;
	/* A failure is seen a moment before its connection's close: never
	 * read that moment as a negative count. */
	return m->handshakes_ok > gone_after_success ? m->handshakes_ok - gone_after_success : 0;
}
