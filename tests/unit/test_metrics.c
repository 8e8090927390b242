/*
 * test_metrics.c - the figures uccnd keeps for `uccn status`, alone: the
 * commit latency window's percentiles, refusals counted by the name the
 * client reads, and the count of connected peers from monitor events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../daemon/metrics.h"
#include "uccn_error.h"

static void test_percentiles(void **state)
{
	(void)state;
	static struct latency_ring r;
	uint64_t p50, p99;
	memset(&r, 0, sizeof r);
	metrics_ring_percentiles(&r, &p50, &p99);
	assert_int_equal(p50, 0);
	assert_int_equal(p99, 0);
	/* 1 ms to 100 ms, shuffled: the median is 50 ms, p99 99 ms */
	for (uint64_t i = 0; i < 100; i++)
		metrics_ring_add(&r, ((i * 37) % 100 + 1) * 1000000);
	metrics_ring_percentiles(&r, &p50, &p99);
	assert_int_equal(p50, 50000);
	assert_int_equal(p99, 99000);
	/* a commit of a few hundred ns still reads as time spent */
	memset(&r, 0, sizeof r);
	metrics_ring_add(&r, 300);
	metrics_ring_percentiles(&r, &p50, &p99);
	assert_int_equal(p50, 1);
	assert_int_equal(p99, 1);
}

/* Only the newest UCCN_STATUS_COMMIT_WINDOW commits count: a slow start
 * is forgotten once the window has moved past it. */
static void test_window_moves(void **state)
{
	(void)state;
	static struct latency_ring r;
	uint64_t p50, p99;
	memset(&r, 0, sizeof r);
	for (int i = 0; i < UCCN_STATUS_COMMIT_WINDOW; i++)
		metrics_ring_add(&r, 900000000); /* 900 ms */
	metrics_ring_percentiles(&r, &p50, &p99);
	assert_int_equal(p50, 900000);
	for (int i = 0; i < UCCN_STATUS_COMMIT_WINDOW - 24; i++)
		metrics_ring_add(&r, 2000000); /* 2 ms */
	metrics_ring_percentiles(&r, &p50, &p99);
	assert_int_equal(p50, 2000);
	assert_int_equal(p99, 900000); /* 24 slow ones of 1024 are left */
	for (int i = 0; i < 24; i++)
		metrics_ring_add(&r, 2000000);
	metrics_ring_percentiles(&r, &p50, &p99);
	assert_int_equal(p99, 2000);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Against a sorted copy: windows of every fill, values with and without
 * repeats, sorted, reversed and random. */
static void test_percentiles_match_sorting(void **state)
{
	(void)state;
	static struct latency_ring r;
	static uint64_t sorted[UCCN_STATUS_COMMIT_WINDOW];
	unsigned seed = 7;
	for (int shape = 0; shape < 4; shape++) {
		for (size_t n = 1; n <= UCCN_STATUS_COMMIT_WINDOW; n += n < 20 ? 1 : 37) {
			memset(&r, 0, sizeof r);
			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				uint64_t us = shape == 0 ? (seed >> 8) % 100000 : /* random */
					      shape == 1 ? (seed >> 8) % 3 :      /* repeats */
					      shape == 2 ? i : n - i;             /* in order, reversed */
				metrics_ring_add(&r, us * 1000);
			}
			memcpy(sorted, r.ns, n * sizeof sorted[0]);
			qsort(sorted, n, sizeof sorted[0], cmp_u64);
			uint64_t p50, p99;
			metrics_ring_percentiles(&r, &p50, &p99);
			size_t r50 = (n * 50 + 99) / 100, r99 = (n * 99 + 99) / 100;
			assert_int_equal(p50, (sorted[r50 - 1] + 999) / 1000);
			assert_int_equal(p99, (sorted[r99 - 1] + 999) / 1000);
		}
	}
}

static void test_refusals_by_wire_name(void **state)
{
	(void)state;
	struct metrics m;
	memset(&m, 0, sizeof m);
	metrics_count_reply(&m, 0);
	metrics_count_reply(&m, UCCN_E_DENIED);
	metrics_count_reply(&m, UCCN_E_DENIED);
	metrics_count_reply(&m, UCCN_E_BUSY);
	/* the store's map-full reaches no client as such: it reads internal */
	metrics_count_reply(&m, UCCN_E_MAPFULL);
	metrics_count_reply(&m, UCCN_E_AUTH); /* a client-side code: internal too */
	assert_int_equal(m.refusals.by_code[0], 0);
	assert_int_equal(m.refusals.by_code[-UCCN_E_DENIED], 2);
	assert_int_equal(m.refusals.by_code[-UCCN_E_BUSY], 1);
	assert_int_equal(m.refusals.by_code[-UCCN_E_INTERNAL], 2);
}

/* Every connection ends its handshake, one way or the other, then closes. */
static void test_peers(void **state)
{
	(void)state;
	struct metrics m;
	memset(&m, 0, sizeof m);
	m.handshakes_ok = 3;
	assert_int_equal(metrics_peers(&m), 3);
	m.handshakes_failed = 2;             /* two refused keys ... */
	assert_int_equal(metrics_peers(&m), 3);
	m.disconnects = 1;                   /* ... one of them closed */
	assert_int_equal(metrics_peers(&m), 3);
	m.disconnects = 2;
	assert_int_equal(metrics_peers(&m), 3);
	m.disconnects = 4;                   /* and two that had succeeded */
	assert_int_equal(metrics_peers(&m), 1);
	m.disconnects = 5;
	assert_int_equal(metrics_peers(&m), 0);
	/* a failure seen before its close never reads as a negative count */
	memset(&m, 0, sizeof m);
	m.handshakes_failed = 1;
	assert_int_equal(metrics_peers(&m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_window_moves),
		cmocka_unit_test(test_percentiles_match_sorting),
		cmocka_unit_test(test_refusals_by_wire_name),
		cmocka_unit_test(test_peers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
