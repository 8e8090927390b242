/*
 * torture_main.c - `make torture`: the torture of torture.h, long.
 *
 *   torture [KILL_ROUNDS [CUT_ROUNDS [SEED]]]     (20, 20, from the clock)
 *
 * Binaries come from $UCCN_BIN like the end-to-end tests'. Prints a line
 * per round and the totals; exits non-zero when an acknowledged post was
 * lost or duplicated or a round could not finish. The seed is printed:
 * give it again to replay the same kill moments and cut choices.
 */
#include "torture.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static struct torture_opts opts = {
	.kill_rounds = 20, .cut_rounds = 20, .min_delay_ms = 100, .max_delay_ms = 1500,
};

static void torture(void **state)
{
	(void)state;
	struct torture_totals t;
	assert_int_equal(torture_run(&opts, &t), 0);
	assert_int_equal(t.lost, 0);
	assert_int_equal(t.duplicated, 0);
}

static int rounds_arg(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 100000)
		return -1;
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	opts.seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	int seed;
	if (argc > 4 || (argc > 1 && rounds_arg(argv[1], &opts.kill_rounds) != 0) ||
	    (argc > 2 && rounds_arg(argv[2], &opts.cut_rounds) != 0) ||
	    (argc > 3 && rounds_arg(argv[3], &seed) != 0)) {
		fprintf(stderr, "usage: torture [KILL_ROUNDS [CUT_ROUNDS [SEED]]]\n");
		return 2;
	}
	if (argc > 3)
		opts.seed = (unsigned)seed;
	const struct CMUnitTest tests[] = {cmocka_unit_test(torture)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
