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

/* Put the k-th smallest of v[0..n) at v[k], the smaller ones before it and
 * the larger after (Hoare's selection): O(n) on average, where sorting the
 * whole window for two ranks took ten times as long on every status. */
static uint64_t select_kth(uint64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		uint64_t pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				uint64_t t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* The value at or below which pct percent of v[0..n) lie (nearest rank),
 * in microseconds rounded up. Reorders v. */
static uint64_t nearest_rank_us(uint64_t *v, size_t n, unsigned pct)
{
	size_t rank = (n * pct + 99) / 100; /* 1-based, at least 1 for n > 0 */
	return (select_kth(v, n, rank ? rank - 1 : 0) + 999) / 1000;
}

void metrics_ring_percentiles(const struct latency_ring *r, uint64_t *p50_us,
			      uint64_t *p99_us)
{
	uint64_t v[UCCN_STATUS_COMMIT_WINDOW];
	*p50_us = *p99_us = 0;
	if (r->n == 0)
		return;
	memcpy(v, r->ns, r->n * sizeof v[0]);
	*p50_us = nearest_rank_us(v, r->n, 50);
	*p99_us = nearest_rank_us(v, r->n, 99);
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
