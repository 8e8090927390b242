/*
 * test_tz.c - the one zone check uccnd and uccn share (proto/tz.c), against
 * a zone database made for the test in $TZDIR: a zone is a TZif file, and
 * nothing else passes for one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "../harness/tmpdir.h"
#include "uccn_tz.h"

static void put_file(const char *dir, const char *name, const char *bytes)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(bytes, f);
	fclose(f);
}

static int setup(void **state)
{
	char *dir = tmpdir_new("tz");
	char sub[512];
	if (!dir)
		return -1;
	snprintf(sub, sizeof sub, "%s/Europe", dir);
	mkdir(sub, 0700);
	put_file(dir, "Europe/Krakow", "TZif2 and the rest of a zone");
	put_file(dir, "UTC", "TZif2");
	put_file(dir, "Europe/Notes", "not a zone file");
	snprintf(sub, sizeof sub, "%s/Europe/Pipe", dir);
	mkfifo(sub, 0600);
	setenv("TZDIR", dir, 1);
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char *dir = *state;
	unsetenv("TZDIR");
	tmpdir_destroy(&dir);
	return 0;
}

static void test_a_tzif_file_is_a_zone(void **state)
{
	(void)state;
	assert_true(uccn_tz_database_present());
	assert_true(uccn_tz_known("Europe/Krakow"));
	assert_true(uccn_tz_known("UTC"));
}

static void test_what_is_not_a_zone_file_is_refused(void **state)
{
	(void)state;
	assert_false(uccn_tz_known("Europe/Atlantis"));   /* no such file */
	assert_false(uccn_tz_known("Europe"));            /* a directory */
	assert_false(uccn_tz_known("Europe/Notes"));      /* no TZif magic */
	assert_false(uccn_tz_known("Europe/Pipe"));       /* a FIFO: no hang */
	assert_false(uccn_tz_known("../tz/Europe/Krakow")); /* outside */
	assert_false(uccn_tz_known("/etc/localtime"));
	assert_false(uccn_tz_known(""));
	assert_false(uccn_tz_known(NULL));
}

/* With no database nothing can be checked: a well-formed name passes (and
 * the caller says so), a malformed one still does not. */
static void test_no_database_accepts_well_formed_names(void **state)
{
	const char *dir = *state;
	char gone[512];
	snprintf(gone, sizeof gone, "%s/none", dir);
	setenv("TZDIR", gone, 1);
	assert_false(uccn_tz_database_present());
	assert_true(uccn_tz_known("America/Mexico_City"));
	assert_false(uccn_tz_known("../etc/passwd"));
	setenv("TZDIR", dir, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_tzif_file_is_a_zone),
		cmocka_unit_test(test_what_is_not_a_zone_file_is_refused),
		cmocka_unit_test(test_no_database_accepts_well_formed_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
