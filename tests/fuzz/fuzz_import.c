/*
 * fuzz_import.c - libFuzzer harness for the CSV city import (make fuzz).
 *
 * Every input is a whole file for import_cities_csv. Beyond "no crash, no
 * leak, no undefined behaviour" it checks: a refusal leaves nothing to free
 * and gives a reason that is set, valid UTF-8 and safe to print; a success
 * gives at most IMPORT_MAX_ROWS rows in file order, each a member city with
 * no key that passes uccn_city_check, lat and lon both or neither, and ids
 * that no two rows share. Parsing the same bytes twice gives the same rows.
 * A broken check calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "uccn_error.h"
#include "uccn_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_import: check failed: %s (line %d)\n", \
				#cond, __LINE__);                            \
			abort();                                             \
		}                                                            \
	} while (0)

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* A reason is printed to a terminal: set, valid UTF-8, no control bytes. */
static void check_reason(const char *err, size_t cap)
{
	size_t n = strnlen(err, cap);
	CHECK(n > 0 && n < cap);
	CHECK(uccn_text_valid(err, n, cap, true));
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)err[i] >= 0x20 && err[i] != 0x7f);
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_rows(const struct import_row *rows, size_t n)
{
	char err[256];
	CHECK(n <= IMPORT_MAX_ROWS);
	CHECK((rows == NULL) == (n == 0));
	const char **ids = n ? malloc(n * sizeof *ids) : NULL;
	CHECK(n == 0 || ids != NULL);
	for (size_t i = 0; i < n; i++) {
		const struct uccn_city *c = &rows[i].city;
		if (uccn_city_check(c, err, sizeof err) != 0) {
			fprintf(stderr, "fuzz_import: row %zu refused: %s\n", i, err);
			CHECK(0);
		}
		CHECK(str_eq(c->role, "member"));
		CHECK(c->key[0] == '\0' && c->seq == 0 && c->version == 0);
		CHECK(c->lat.set == c->lon.set);
		CHECK(rows[i].line >= 2);
		CHECK(i == 0 || rows[i].line > rows[i - 1].line);
		ids[i] = c->id;
	}
	if (n > 1) {
		qsort(ids, n, sizeof *ids, id_cmp);
		for (size_t i = 1; i < n; i++)
			CHECK(strcmp(ids[i - 1], ids[i]) != 0);
	}
	free(ids);
}

static int same_rows(const struct import_row *a, const struct import_row *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct uccn_city *x = &a[i].city, *y = &b[i].city;
		if (a[i].line != b[i].line || !str_eq(x->id, y->id) ||
		    !str_eq(x->name, y->name) || !str_eq(x->country, y->country) ||
		    !str_eq(x->field, y->field) || !str_eq(x->tz, y->tz) ||
		    x->year != y->year || x->lat.set != y->lat.set ||
		    (x->lat.set && x->lat.deg != y->lat.deg) ||
		    (x->lon.set && x->lon.deg != y->lon.deg))
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_row *rows = (struct import_row *)&rows, *again = NULL;
	size_t n = 12345, n2 = 0;
	char err[256], err2[256];
	err[0] = '\0';
	/* No trailing NUL: the parser is told the length and must keep to it. */
	char *buf = malloc(size ? size : 1);
	CHECK(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	int rc = import_cities_csv(buf, size, &rows, &n, err, sizeof err);
	int rc2 = import_cities_csv(buf, size, &again, &n2, err2, sizeof err2);
	CHECK(rc == rc2);
	if (rc) {
		CHECK(rc == UCCN_E_INVALID || rc == UCCN_E_TOOBIG || rc == UCCN_E_NOMEM);
		CHECK(rows == NULL && n == 0 && again == NULL && n2 == 0);
		check_reason(err, sizeof err);
		CHECK(strcmp(err, err2) == 0);
		/* The reason names where: a line or the header. */
		CHECK(strncmp(err, "line ", 5) == 0 || strncmp(err, "header", 6) == 0 ||
		      rc == UCCN_E_NOMEM || rc == UCCN_E_TOOBIG);
	} else {
		check_rows(rows, n);
		CHECK(n == n2 && same_rows(rows, again, n));
	}
	import_rows_free(&rows, n);
	import_rows_free(&again, n2);
	CHECK(rows == NULL && again == NULL);
	free(buf);
	return 0;
}
