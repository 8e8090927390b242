/*
 * test_log.c - the daemon's log limiter (daemon/log.c) on a clock the test
 * drives: a flood of one kind writes a burst then a line a second, says
 * how many it left out, and neither hides other kinds nor hides anything
 * for good. Also the levels by name, and setting one at run time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../daemon/log.h"
#include "../harness/logtext.h"

static FILE *out;

static int setup(void **state)
{
	(void)state;
	out = tmpfile();
	if (!out)
		return -1;
	log_set_stream(out);
	log_set_level(LOG_INFO);
	log_limit_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	/* Nothing owed is left for the exit-time flush to print. */
	log_limit_reset();
	log_set_stream(NULL);
	fclose(out);
	return 0;
}

/* Everything written so far; the caller frees it. */
static char *written(void)
{
	long n = ftell(out);
	char *s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	rewind(out);
	assert_int_equal(fread(s, 1, (size_t)n, out), (size_t)n);
	fseek(out, 0, SEEK_END);
	return s;
}

/* 2,000 refused handshakes in 3 s: the burst, then one a second, and every
 * line left out is counted once the flood goes quiet. */
static void test_flood_is_limited_and_counted(void **state)
{
	(void)state;
	int lines = 0;
	for (int i = 0; i < 2000; i++)
		lines += log_limited_at(1000000 + (int64_t)i * 3000 / 2000, LOG_WARN,
					LOG_KIND_HANDSHAKE, "refused key %d", i);
	assert_true(lines <= LOG_LIMIT_BURST + 3);
	assert_true(lines >= LOG_LIMIT_BURST + 1);
	/* Still flooding: nothing owed is written yet. */
	log_flush_idle_at(1000000 + 3000);
	char *s = written();
	assert_int_equal(h_count(s, "refused key"), (size_t)lines);
	assert_non_null(strstr(s, "more like it in the last 1 s)"));
	free(s);
	/* Quiet for a second: the rest of the count is written, once. */
	log_flush_idle_at(1000000 + 4100);
	log_flush_idle_at(1000000 + 5000);
	s = written();
	assert_int_equal(h_count(s, "handshake refused: "), 1);
	assert_int_equal(h_left_out(s), 2000UL - (unsigned long)lines);
	assert_non_null(strstr(s, "were not shown"));
	assert_int_equal(h_count(s, "\n"), (size_t)lines + 1);
	free(s);
}

/* Counts of a thousand or more are written with separators. */
static void test_count_has_separators(void **state)
{
	(void)state;
	for (int i = 0; i < 1234 + LOG_LIMIT_BURST; i++)
		log_limited_at(0, LOG_ERROR, LOG_KIND_BATCH, "a batch failed: disk full");
	assert_true(log_limited_at(2500, LOG_ERROR, LOG_KIND_BATCH, "a batch failed: disk full"));
	char *s = written();
	assert_non_null(strstr(s, "a batch failed: disk full (and 1,234 more like it in the last 3 s)"));
	free(s);
}

/* A flood of one kind leaves the others their whole budget. */
static void test_kinds_are_independent(void **state)
{
	(void)state;
	for (int i = 0; i < 500; i++)
		log_limited_at(10, LOG_WARN, LOG_KIND_HANDSHAKE, "refused");
	for (int i = 0; i < LOG_LIMIT_BURST; i++)
		assert_true(log_limited_at(10, LOG_ERROR, LOG_KIND_BATCH, "batch %d", i));
	assert_false(log_limited_at(10, LOG_ERROR, LOG_KIND_BATCH, "one too many"));
	assert_true(log_limited_at(10, LOG_INFO, LOG_KIND_GUEST, "a guest"));
}

/* After a quiet spell the burst is whole again and no old count is
 * carried into the new lines. */
static void test_quiet_period_resets(void **state)
{
	(void)state;
	for (int i = 0; i < 100; i++)
		log_limited_at(0, LOG_WARN, LOG_KIND_REQUEST, "refused");
	log_flush_idle_at(2000);
	char *s = written();
	assert_int_equal(h_left_out(s), 100UL - LOG_LIMIT_BURST);
	free(s);
	long before = ftell(out);
	for (int i = 0; i < LOG_LIMIT_BURST; i++)
		assert_true(log_limited_at(60000, LOG_WARN, LOG_KIND_REQUEST, "again %d", i));
	s = written();
	assert_null(strstr(s + before, "more like it"));
	free(s);
}

/* Lines above the level are neither written nor counted. */
static void test_level_filters_before_counting(void **state)
{
	(void)state;
	for (int i = 0; i < 100; i++)
		assert_false(log_limited_at(0, LOG_DEBUG, LOG_KIND_DECODE, "bad request"));
	log_flush_all_at(5000);
	char *s = written();
	assert_int_equal(strlen(s), 0);
	free(s);
}

/* At exit every count still owed is written, quiet or not. */
static void test_flush_all_hides_nothing(void **state)
{
	(void)state;
	for (int i = 0; i < 50; i++)
		log_limited_at(100, LOG_ERROR, LOG_KIND_STORE, "store error");
	log_flush_idle_at(150); /* not quiet yet: nothing */
	char *s = written();
	assert_int_equal(h_count(s, "more like it"), 0);
	free(s);
	log_flush_all_at(150);
	s = written();
	assert_non_null(strstr(s, "store error: 45 more like it in the last 1 s were not shown"));
	free(s);
}

/* The names admin.log and uccnd.conf give levels by, both ways, and a
 * level set at run time is the one in force: lines above it are dropped. */
static void test_level_names_and_setting(void **state)
{
	(void)state;
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		enum log_level l;
		assert_int_equal(log_level_from_name(names[i], &l), 0);
		assert_int_equal(l, (enum log_level)i);
		assert_string_equal(log_level_name(l), names[i]);
	}
	enum log_level l = LOG_WARN;
	assert_int_equal(log_level_from_name("Debug", &l), -1);
	assert_int_equal(log_level_from_name("", &l), -1);
	assert_int_equal(l, LOG_WARN);

	log_set_level(LOG_ERROR);
	assert_int_equal(log_get_level(), LOG_ERROR);
	log_msg(LOG_WARN, "hidden at error");
	log_set_level(LOG_DEBUG);
	log_msg(LOG_DEBUG, "shown at debug");
	char *s = written();
	assert_null(strstr(s, "hidden at error"));
	assert_non_null(strstr(s, "uccnd debug: shown at debug"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flood_is_limited_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_has_separators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kinds_are_independent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiet_period_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_filters_before_counting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_all_hides_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_names_and_setting, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
