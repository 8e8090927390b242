/*
 * test_torture_short.c - end-to-end: the torture of `make torture`
 * (tests/torture/) in a few rounds, for make check: the real uccnd killed
 * with SIGKILL three times and power-cut three times (its unsynced writes
 * to data.mdb taken back) while four writers post with idempotency keys;
 * every acknowledged post must then be listed exactly once.
 */
#include "../torture/torture.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void acknowledged_posts_survive_kills_and_power_cuts(void **state)
{
	(void)state;
	struct torture_opts o = {
		.kill_rounds = 3, .cut_rounds = 3, .min_delay_ms = 100, .max_delay_ms = 800,
		.seed = (unsigned)time(NULL) ^ (unsigned)getpid(),
	};
	struct torture_totals t;
	assert_int_equal(torture_run(&o, &t), 0);
	assert_int_equal(t.rounds, 6);
	assert_true(t.acked > 0);
	assert_int_equal(t.lost, 0);
	assert_int_equal(t.duplicated, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(acknowledged_posts_survive_kills_and_power_cuts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
