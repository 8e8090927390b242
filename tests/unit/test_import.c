/*
 * test_import.c - unit tests of the cities CSV import (cli/import.c) and of
 * the id slugs it makes (proto/slug.c): the real data file, the CSV syntax,
 * every error with its line number, the limits, and id collisions.
 *
 * Run from the repository root: the data file is read from
 * examples/data/uccn-cities.csv.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uccn_error.h"
#include "uccn_limits.h"
#include "uccn_records.h"

#include "../../cli/import.h"

#define DATA_FILE "examples/data/uccn-cities.csv"
#define DATA_ROWS 350
#define HEADER "city,country,field,year,tz,lat,lon\n"

/* The data file, read once by the group setup. */
static char *data;
static size_t data_len;

static int group_setup(void **state)
{
	(void)state;
	FILE *f = fopen(DATA_FILE, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s: run the tests from the repository root\n",
			DATA_FILE);
		return -1;
	}
	size_t cap = 1 << 16;
	data = malloc(cap);
	size_t k;
	while (data && (k = fread(data + data_len, 1, cap - data_len, f)) > 0) {
		data_len += k;
		if (data_len == cap)
			data = realloc(data, cap *= 2);
	}
	fclose(f);
	return data ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(data);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers. */

/* The result of one import: kept in a struct so every test frees alike. */
struct result {
	int rc;
	struct import_row *rows;
	size_t n;
	char err[512];
};

static void run(struct result *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof *r);
	r->rc = import_cities_csv(buf, len, &r->rows, &r->n, r->err, sizeof r->err);
	if (r->rc) {
		/* All or nothing: a failed import hands back nothing. */
		assert_null(r->rows);
		assert_int_equal(r->n, 0);
		assert_true(r->err[0] != '\0');
	} else {
		assert_string_equal(r->err, "");
	}
}

static void done(struct result *r)
{
	import_rows_free(&r->rows, r->n);
	assert_null(r->rows);
}

/* Import text that must succeed with n rows. */
static void ok(struct result *r, const char *csv, size_t n)
{
	run(r, csv, strlen(csv));
	if (r->rc)
		fail_msg("import failed: %s", r->err);
	assert_int_equal(r->n, n);
}

/* Import text that must fail with code and exactly the message msg. */
static void bad(const char *csv, int code, const char *msg)
{
	struct result r;
	run(&r, csv, strlen(csv));
	assert_string_equal(r.err, msg);
	assert_int_equal(r.rc, code);
	done(&r);
}

static const struct import_row *find(const struct result *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->rows[i].city.id, id) == 0)
			return &r->rows[i];
	return NULL;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void assert_same_rows(const struct result *a, const struct result *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct uccn_city *x = &a->rows[i].city, *y = &b->rows[i].city;
		assert_int_equal(a->rows[i].line, b->rows[i].line);
		assert_true(str_eq(x->id, y->id) && str_eq(x->name, y->name) &&
			    str_eq(x->country, y->country) && str_eq(x->field, y->field) &&
			    str_eq(x->tz, y->tz) && str_eq(x->role, y->role));
		assert_int_equal(x->year, y->year);
		assert_true(x->lat.set == y->lat.set && x->lat.deg == y->lat.deg);
		assert_true(x->lon.set == y->lon.set && x->lon.deg == y->lon.deg);
	}
}

/* A malloc'd copy of the data file with every CRLF turned into LF. */
static char *data_as_lf(size_t *len)
{
	char *s = malloc(data_len);
	assert_non_null(s);
	size_t w = 0;
	for (size_t i = 0; i < data_len; i++)
		if (!(data[i] == '\r' && i + 1 < data_len && data[i + 1] == '\n'))
			s[w++] = data[i];
	*len = w;
	return s;
}

static void slug_is(const char *name, const char *want)
{
	char out[UCCN_MAX_ID + 1];
	int rc = uccn_slug(name, out, sizeof out);
	if (rc)
		fail_msg("uccn_slug(\"%s\") = %d", name, rc);
	assert_string_equal(out, want);
	assert_true(uccn_id_valid(out));
}

static void slug_fails(const char *name, int code)
{
	char out[UCCN_MAX_ID + 1];
	assert_int_equal(uccn_slug(name, out, sizeof out), code);
	assert_string_equal(out, ""); /* no half-made id left behind */
}

/* ------------------------------------------------------------------ */
/* Slugs. */

static void test_slug_examples(void **state)
{
	(void)state;
	slug_is("Kraków", "krakow");
	slug_is("Łódź", "lodz");
	slug_is("Şanlıurfa", "sanliurfa");
	slug_is("Huai’an", "huaian");
	slug_is("Québec City", "quebec-city");
	slug_is("Saint-Étienne", "saint-etienne");
	slug_is("San Cristóbal de las Casas", "san-cristobal-de-las-casas");
	slug_is("Iaşi", "iasi");
	slug_is("Kırşehir", "kirsehir");
	slug_is("Östersund", "ostersund");
	slug_is("Reykjavík", "reykjavik");
	slug_is("Al-Ahsa", "al-ahsa");
	slug_is("Kütahya", "kutahya");
}

static void test_slug_folding(void **state)
{
	(void)state;
	/* Letters that are not a base letter plus a mark. */
	slug_is("Straße", "strasse");
	slug_is("Ærø", "aero");
	slug_is("Œuvre", "oeuvre");
	slug_is("Þingvellir", "thingvellir");
	slug_is("Ðakovo", "dakovo");
	slug_is("Đakovo", "dakovo");
	slug_is("Ĳmuiden", "ijmuiden");
	slug_is("İzmir", "izmir");
	/* Apostrophes join; every other separator becomes one '-'. */
	slug_is("L'Aquila", "laquila");
	slug_is("Kyivsʼkyi", "kyivskyi");           /* U+02BC */
	slug_is("St. John's", "st-johns");
	slug_is("  --Foo -- Bar..  ", "foo-bar");
	slug_is("Washington, D.C.", "washington-d-c");
	slug_is("Area 51", "area-51");
	slug_is("a×b÷c", "a-b-c");                    /* × ÷ are not letters */
	slug_is("Tōkyō 東京", "tokyo");               /* unfoldable: a separator */
	/* A decomposed name (NFD) gives the id of the composed one. */
	slug_is("Krako\xcc\x81w", "krakow");
	/* Romanian comma-below and legacy cedilla spellings agree. */
	slug_is("Iași", "iasi");
	slug_is("Timișoara", "timisoara");
	slug_is("Timişoara", "timisoara");

	/* Every letter of U+00C0..U+017F folds to one or two of a-z; the two
	 * signs among them (× ÷) leave nothing. */
	for (unsigned cp = 0xc0; cp <= 0x17f; cp++) {
		char name[3] = {(char)(0xc0 | (cp >> 6)), (char)(0x80 | (cp & 0x3f)), 0};
		char out[UCCN_MAX_ID + 1];
		int rc = uccn_slug(name, out, sizeof out);
		if (cp == 0xd7 || cp == 0xf7) {
			assert_int_equal(rc, UCCN_E_INVALID);
			continue;
		}
		if (rc || strlen(out) > 2 || strspn(out, "abcdefghijklmnopqrstuvwxyz") != strlen(out))
			fail_msg("U+%04X folds to '%s' (%d)", cp, out, rc);
	}
}

static void test_slug_errors(void **state)
{
	(void)state;
	/* Nothing left to make an id of. */
	slug_fails("", UCCN_E_INVALID);
	slug_fails(" - ' ", UCCN_E_INVALID);
	slug_fails("東京", UCCN_E_INVALID);
	slug_fails("Αθήνα", UCCN_E_INVALID);
	/* Not UTF-8: truncated, stray continuation, overlong, surrogate. */
	slug_fails("Krak\xc3", UCCN_E_INVALID);
	slug_fails("\x80krakow", UCCN_E_INVALID);
	slug_fails("\xc0\xafkrakow", UCCN_E_INVALID);
	slug_fails("\xed\xa0\x80", UCCN_E_INVALID);
	slug_fails("Latin-1 Krak\xf3w", UCCN_E_INVALID);
	/* Invalid UTF-8 past the length limit is still reported as such. */
	char name[200];
	memset(name, 'a', 100);
	strcpy(name + 100, "\xff");
	slug_fails(name, UCCN_E_INVALID);
}

static void test_slug_limits(void **state)
{
	(void)state;
	char name[300], out[UCCN_MAX_ID + 8];
	memset(name, 'a', UCCN_MAX_ID);
	name[UCCN_MAX_ID] = '\0';
	assert_int_equal(uccn_slug(name, out, sizeof out), 0);
	assert_int_equal(strlen(out), UCCN_MAX_ID);
	/* Trailing separators do not count. */
	strcpy(name + UCCN_MAX_ID, " - ");
	assert_int_equal(uccn_slug(name, out, sizeof out), 0);
	assert_int_equal(strlen(out), UCCN_MAX_ID);
	strcpy(name + UCCN_MAX_ID, "a");
	assert_int_equal(uccn_slug(name, out, sizeof out), UCCN_E_TOOBIG);
	/* A name of 33 'ß' folds to 66 bytes: the limit is on the slug. */
	name[0] = '\0';
	for (int i = 0; i < 33; i++)
		strcat(name, "ß");
	assert_int_equal(uccn_slug(name, out, sizeof out), UCCN_E_TOOBIG);
	name[64] = '\0'; /* 32 of them: 64 bytes */
	assert_int_equal(uccn_slug(name, out, sizeof out), 0);
	/* The caller's buffer: "krakow" needs 7 bytes. */
	assert_int_equal(uccn_slug("Kraków", out, 7), 0);
	assert_string_equal(out, "krakow");
	assert_int_equal(uccn_slug("Kraków", out, 6), UCCN_E_TOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(uccn_slug("Kraków", out, 0), UCCN_E_TOOBIG);
	assert_int_equal(uccn_slug(NULL, out, sizeof out), UCCN_E_INVALID);
}

/* Every name in the data file slugs to a valid id. The file quotes nothing,
 * so a name is everything before a line's first comma. */
static void test_slug_every_data_name(void **state)
{
	(void)state;
	assert_null(memchr(data, '"', data_len));
	size_t names = 0;
	const char *p = memchr(data, '\n', data_len) + 1, *end = data + data_len;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(comma);
		assert_non_null(nl);
		char name[UCCN_MAX_NAME + 1], out[UCCN_MAX_ID + 1];
		assert_true(comma - p <= UCCN_MAX_NAME);
		memcpy(name, p, (size_t)(comma - p));
		name[comma - p] = '\0';
		int rc = uccn_slug(name, out, sizeof out);
		if (rc || !uccn_id_valid(out))
			fail_msg("'%s' gives no valid id (%d, '%s')", name, rc, out);
		names++;
		p = nl + 1;
	}
	assert_int_equal(names, DATA_ROWS);
}

/* ------------------------------------------------------------------ */
/* The data file. */

static void test_import_data_file(void **state)
{
	(void)state;
	struct result r;
	run(&r, data, data_len);
	if (r.rc)
		fail_msg("%s: %s", DATA_FILE, r.err);
	assert_int_equal(r.n, DATA_ROWS);

	/* The file spells it Kraków (its id folds the accent), and gives it no year. */
	const struct import_row *k = find(&r, "krakow");
	assert_non_null(k);
	assert_string_equal(k->city.name, "Kraków");
	assert_string_equal(k->city.country, "Poland");
	assert_string_equal(k->city.field, "literature");
	assert_string_equal(k->city.tz, "Europe/Warsaw");
	assert_int_equal(k->city.year, 0);
	assert_true(k->city.lat.set && k->city.lon.set);
	assert_true(fabs(k->city.lat.deg - 50.06) < 0.01);
	assert_true(fabs(k->city.lon.deg - 19.94) < 0.01);

	/* Two cities named Granada: each id carries its field. */
	assert_null(find(&r, "granada"));
	const struct import_row *gl = find(&r, "granada-literature");
	const struct import_row *gd = find(&r, "granada-design");
	assert_non_null(gl);
	assert_non_null(gd);
	assert_string_equal(gl->city.country, "Spain");
	assert_string_equal(gd->city.country, "Nicaragua");
	assert_string_equal(gd->city.name, "Granada");

	/* Names with diacritics keep them; ids fold them. */
	const struct import_row *l = find(&r, "lodz");
	assert_non_null(l);
	assert_string_equal(l->city.name, "Łódź");
	assert_non_null(find(&r, "huaian"));
	assert_non_null(find(&r, "san-cristobal-de-las-casas"));

	/* The one row without coordinates (nor a zone). */
	const struct import_row *a = find(&r, "al-ahsa");
	assert_non_null(a);
	assert_false(a->city.lat.set);
	assert_false(a->city.lon.set);
	assert_null(a->city.tz);
	assert_int_equal(a->city.year, 2015);

	size_t no_year = 0, no_coords = 0;
	for (size_t i = 0; i < r.n; i++) {
		const struct uccn_city *c = &r.rows[i].city;
		char err[256];
		/* Every row is a record the server would accept. */
		if (uccn_city_check(c, err, sizeof err))
			fail_msg("line %zu: %s", r.rows[i].line, err);
		assert_string_equal(c->role, "member");
		assert_string_equal(c->key, "");
		assert_int_equal(c->version, 0);
		assert_int_equal(c->seq, 0);
		assert_non_null(c->country);
		/* File order; one record per line after the header. */
		assert_int_equal(r.rows[i].line, i + 2);
		for (size_t j = i + 1; j < r.n; j++)
			if (strcmp(c->id, r.rows[j].city.id) == 0)
				fail_msg("lines %zu and %zu share the id %s",
					 r.rows[i].line, r.rows[j].line, c->id);
		no_year += c->year == 0;
		no_coords += !c->lat.set;
	}
	assert_int_equal(no_year, 40);
	assert_int_equal(no_coords, 1);
	done(&r);
}

/* LF or CRLF, a BOM or none, a final newline or none: the same cities. */
static void test_import_line_ends_and_bom(void **state)
{
	(void)state;
	struct result crlf, lf, bom, bare;
	run(&crlf, data, data_len);
	assert_int_equal(crlf.rc, 0);

	size_t len;
	char *s = data_as_lf(&len);
	assert_true(len < data_len);
	run(&lf, s, len);
	assert_int_equal(lf.rc, 0);
	assert_same_rows(&crlf, &lf);

	char *b = malloc(data_len + 3);
	assert_non_null(b);
	memcpy(b, "\xef\xbb\xbf", 3);
	memcpy(b + 3, data, data_len);
	run(&bom, b, data_len + 3);
	assert_int_equal(bom.rc, 0);
	assert_same_rows(&crlf, &bom);

	assert_int_equal(s[len - 1], '\n');
	run(&bare, s, len - 1);
	assert_int_equal(bare.rc, 0);
	assert_same_rows(&crlf, &bare);

	free(s);
	free(b);
	done(&crlf);
	done(&lf);
	done(&bom);
	done(&bare);

	/* A BOM is not part of the first column's name. */
	struct result r;
	ok(&r, "\xef\xbb\xbf" "city,field\r\nKraków,literature\r\n", 1);
	assert_string_equal(r.rows[0].city.id, "krakow");
	done(&r);
}

/* ------------------------------------------------------------------ */
/* CSV syntax. */

static void test_import_quoting(void **state)
{
	(void)state;
	struct result r;
	ok(&r, HEADER
	   "\"Washington, D.C.\",\"United States of America\",design,2008,America/New_York,38.9,-77.04\n"
	   "\"The \"\"Big\"\" Apple\",,film,,,,\n"
	   "\"Kraków\",\"\",\"literature\",\"2013\",\"Europe/Warsaw\",\"50.0614\",\"19.9366\"\n",
	   3);
	/* A quoted comma is part of the value, not a separator. */
	assert_string_equal(r.rows[0].city.name, "Washington, D.C.");
	assert_string_equal(r.rows[0].city.id, "washington-d-c");
	assert_string_equal(r.rows[0].city.country, "United States of America");
	assert_true(r.rows[0].city.lon.set && r.rows[0].city.lon.deg == -77.04);
	/* "" inside quotes is one quote. */
	assert_string_equal(r.rows[1].city.name, "The \"Big\" Apple");
	assert_string_equal(r.rows[1].city.id, "the-big-apple");
	assert_null(r.rows[1].city.country);
	/* Quoting changes nothing else: "" is blank, numbers are numbers. */
	assert_null(r.rows[2].city.country);
	assert_int_equal(r.rows[2].city.year, 2013);
	assert_true(r.rows[2].city.lat.set && r.rows[2].city.lat.deg == 50.0614);
	done(&r);

	/* Quoted header names. */
	ok(&r, "\"city\",\"field\"\r\nKraków,literature\r\n", 1);
	assert_string_equal(r.rows[0].city.field, "literature");
	done(&r);
}

static void test_import_malformed_quotes(void **state)
{
	(void)state;
	bad(HEADER "Kraków,Poland,literature,,,,\n\"Łódź\"x,Poland,film,,,,\n",
	    UCCN_E_INVALID,
	    "line 3: text after the closing quote of a value (inside quotes, write a quote as \"\")");
	/* Strict: not even a space after the closing quote. */
	bad("city,field\n\"Łódź\" ,film\n", UCCN_E_INVALID,
	    "line 2: text after the closing quote of a value (inside quotes, write a quote as \"\")");
	bad(HEADER "Kraków,Poland,literature,,,,\nThe \"Big\" Apple,,film,,,,\n",
	    UCCN_E_INVALID,
	    "line 3: a quote inside an unquoted value (quote the whole value and write the quote as \"\")");
	/* Never closed: the rest of the file would be one value; the error
	 * names the line where the quote opened. */
	bad("city,field\nKraków,literature\n\"Łódź,film\nRome,film\n", UCCN_E_INVALID,
	    "line 3: a quoted value is never closed (its opening quote is on this line)");
	bad("city,field\nKraków,\"", UCCN_E_INVALID,
	    "line 2: a quoted value is never closed (its opening quote is on this line)");
	/* A lone CR (old Mac line ends). */
	bad("city,field\rKraków,literature\r", UCCN_E_INVALID,
	    "line 1: a carriage return that does not end the line (save the file with LF or CRLF line ends)");
	bad("city,field\nKrak\row,literature\n", UCCN_E_INVALID,
	    "line 2: a carriage return that does not end the line (save the file with LF or CRLF line ends)");
}

/* A quoted value with line breaks makes its record span lines: every later
 * line number must still be the file's. */
static void test_import_line_numbers(void **state)
{
	(void)state;
	/* Lines 2-3 are one record (bad, but syntax errors are found first). */
	bad(HEADER "\"Multi\nLine\",Spain,film,,,,\nRome,Italy,film,,,,\nBad\"Quote,Spain,film,,,,\n",
	    UCCN_E_INVALID,
	    "line 5: a quote inside an unquoted value (quote the whole value and write the quote as \"\")");
	bad(HEADER "\"Multi\r\nLine\",Spain,film,,,,\r\nRome,Italy,film,,,,\r\nRome,Italy,film\r\n",
	    UCCN_E_INVALID,
	    "line 5: 3 values, but the header has 7 columns (quote a value that contains a comma)");
	bad(HEADER "\"Multi\n\nLine\",Spain,film,,,,\nRome\xff,Italy,film,,,,\n",
	    UCCN_E_INVALID, "line 5: not valid UTF-8 (save the file as UTF-8)");
	/* Text after a closing quote that follows line breaks: the line of
	 * the text, not of the opening quote. */
	bad("city,field\n\"A\nB\nC\"D,film\n", UCCN_E_INVALID,
	    "line 4: text after the closing quote of a value (inside quotes, write a quote as \"\")");
	/* A value error names the line where the value starts. */
	bad(HEADER "\"Multi\nLine\",Spain,film,,,,\n", UCCN_E_INVALID,
	    "line 2: the city name must be one line (no line breaks or control characters)");
	bad(HEADER "Rome,Italy,film,,,,\nKraków,Poland,literature,\"20\n13\",,,\n", UCCN_E_INVALID,
	    "line 3: year '20?13' is not a year from 2004 to 2100");
	bad("city,field,year\nRome,film,\"\n\n\n2\"\n", UCCN_E_INVALID,
	    "line 2: year '???2' is not a year from 2004 to 2100");

	/* Empty lines are skipped but counted. */
	struct result r;
	ok(&r, "\n\r\ncity,field\r\n\r\nRome,film\n\n\nKraków,literature\n\n", 2);
	assert_int_equal(r.rows[0].line, 5);
	assert_int_equal(r.rows[1].line, 8);
	done(&r);
	bad("\n\ncity,field\n\nRome,film\n\nKraków,\n", UCCN_E_INVALID,
	    "line 7: the field is empty (every city has a creative field)");
}

static void test_import_value_counts(void **state)
{
	(void)state;
	bad(HEADER "Kraków,Poland,literature,,,,\nRome,Italy,film,2015\n", UCCN_E_INVALID,
	    "line 3: 4 values, but the header has 7 columns (quote a value that contains a comma)");
	/* An unquoted comma in a name. */
	bad(HEADER "Washington, D.C.,United States of America,design,2008,,,\n", UCCN_E_INVALID,
	    "line 2: 8 values, but the header has 7 columns (quote a value that contains a comma)");
	bad("city,field\nRome,film,\n", UCCN_E_INVALID,
	    "line 2: 3 values, but the header has 2 columns (quote a value that contains a comma)");
	/* A line of spaces is a record, not an empty line. */
	bad("city,field\nRome,film\n  \n", UCCN_E_INVALID,
	    "line 3: 1 value, but the header has 2 columns (quote a value that contains a comma)");
}

static void test_import_encoding(void **state)
{
	(void)state;
	/* Latin-1, as an old spreadsheet might save "Kraków". */
	bad("city,field\nRome,film\nKrak\xf3w,literature\n", UCCN_E_INVALID,
	    "line 3: not valid UTF-8 (save the file as UTF-8)");
	bad("city,field\nRome,film\nKrak\xc3", UCCN_E_INVALID,
	    "line 3: not valid UTF-8 (save the file as UTF-8)");
	/* UTF-16, with its BOM and with none. */
	bad("\xff\xfe" "c\0i\0t\0y\0", UCCN_E_INVALID,
	    "line 1: not valid UTF-8 (save the file as UTF-8)");
	struct result r;
	static const char utf16[] = "c\0i\0t\0y\0,\0f\0i\0e\0l\0d\0\n\0";
	run(&r, utf16, sizeof utf16 - 1);
	assert_int_equal(r.rc, UCCN_E_INVALID);
	assert_string_equal(r.err, "line 1: a NUL byte (is the file UTF-16? save it as UTF-8)");
	/* A NUL would cut the value short: refused, not truncated. */
	static const char nul[] = "city,field\nRome,film\nKrak\0w,literature\n";
	run(&r, nul, sizeof nul - 1);
	assert_int_equal(r.rc, UCCN_E_INVALID);
	assert_string_equal(r.err, "line 3: a NUL byte (is the file UTF-16? save it as UTF-8)");
}

/* ------------------------------------------------------------------ */
/* The header. */

static void test_import_header(void **state)
{
	(void)state;
	bad("", UCCN_E_INVALID,
	    "header: the file is empty; its first line must name the columns, e.g. "
	    "city,country,field,year,tz,lat,lon");
	bad("\r\n\n\r\n", UCCN_E_INVALID,
	    "header: the file is empty; its first line must name the columns, e.g. "
	    "city,country,field,year,tz,lat,lon");
	bad("\xef\xbb\xbf", UCCN_E_INVALID,
	    "header: the file is empty; its first line must name the columns, e.g. "
	    "city,country,field,year,tz,lat,lon");
	bad("City,field\n", UCCN_E_INVALID,
	    "header: unknown column 'City' (the columns are city, country, field, year, tz, lat, lon)");
	bad("city,field,population\n", UCCN_E_INVALID,
	    "header: unknown column 'population' (the columns are city, country, field, year, tz, lat, lon)");
	bad("city,field, city\n", UCCN_E_INVALID, "header: column 'city' appears twice");
	bad("city,country,field,year,tz,lat,lon,lat\n", UCCN_E_INVALID,
	    "header: column 'lat' appears twice");
	bad("city,country,year\n", UCCN_E_INVALID,
	    "header: no 'field' column (city and field are required)");
	bad("name,field\n", UCCN_E_INVALID,
	    "header: unknown column 'name' (the columns are city, country, field, year, tz, lat, lon)");
	bad("field,year\n", UCCN_E_INVALID,
	    "header: no 'city' column (city and field are required)");
	bad("city,,field\n", UCCN_E_INVALID,
	    "header: column 2 has no name (the columns are city, country, field, year, tz, lat, lon)");
	/* A header of many columns still names the one at fault. */
	bad("city,country,field,year,tz,lat,lon,city,a,b,c,d\n", UCCN_E_INVALID,
	    "header: column 'city' appears twice");
	/* What a column name quotes is safe to print, and short. */
	bad("city,field,\x1b[2Jx\n", UCCN_E_INVALID,
	    "header: unknown column '?[2Jx' (the columns are city, country, field, year, tz, lat, lon)");
	bad("city,field,Ñ123456789012345678901234567890123456789\n", UCCN_E_INVALID,
	    "header: unknown column 'Ñ12345678901234567890123456789012345678...' "
	    "(the columns are city, country, field, year, tz, lat, lon)");
	/* A second header (two files joined). */
	bad("city,field\nRome,film\ncity,field\nKraków,literature\n", UCCN_E_INVALID,
	    "line 3: the header again (were two files joined?)");

	/* Any order, surrounding spaces, only the required columns. */
	struct result r;
	ok(&r, " lon , field,lat,\tcity \n12.5,film,41.9,Rome\n", 1);
	assert_string_equal(r.rows[0].city.name, "Rome");
	assert_true(r.rows[0].city.lat.deg == 41.9 && r.rows[0].city.lon.deg == 12.5);
	done(&r);
	ok(&r, "city,field\nKraków,literature\n", 1);
	const struct uccn_city *c = &r.rows[0].city;
	assert_null(c->country);
	assert_null(c->tz);
	assert_int_equal(c->year, 0);
	assert_false(c->lat.set || c->lon.set);
	assert_string_equal(c->role, "member");
	done(&r);
	/* A header and no cities: nothing to import, not an error. */
	run(&r, "city,field\r\n\r\n", 12);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 0);
	assert_null(r.rows);
}

/* ------------------------------------------------------------------ */
/* Values. */

/* One row under the full header; errors are then on line 2. */
static void bad_row(const char *row, int code, const char *msg)
{
	char csv[2048];
	snprintf(csv, sizeof csv, HEADER "%s\n", row);
	bad(csv, code, msg);
}

static void ok_row(const char *row, struct result *r)
{
	char csv[2048];
	snprintf(csv, sizeof csv, HEADER "%s\n", row);
	ok(r, csv, 1);
}

static void test_import_year(void **state)
{
	(void)state;
	/* The error on line 7 after five good rows. */
	bad(HEADER "A,,film,,,,\nB,,film,,,,\nC,,film,,,,\nD,,film,,,,\nE,,film,,,,\n"
	    "F,,film,19x5,,,\n", UCCN_E_INVALID,
	    "line 7: year '19x5' is not a year from 2004 to 2100");
	bad_row("Rome,Italy,film,2003,,,", UCCN_E_INVALID,
		"line 2: year '2003' is not a year from 2004 to 2100");
	bad_row("Rome,Italy,film,2101,,,", UCCN_E_INVALID,
		"line 2: year '2101' is not a year from 2004 to 2100");
	bad_row("Rome,Italy,film,2015.0,,,", UCCN_E_INVALID,
		"line 2: year '2015.0' is not a year from 2004 to 2100");
	bad_row("Rome,Italy,film,+2015,,,", UCCN_E_INVALID,
		"line 2: year '+2015' is not a year from 2004 to 2100");
	bad_row("Rome,Italy,film, 2015,,,", UCCN_E_INVALID,
		"line 2: year ' 2015' is not a year from 2004 to 2100");
	bad_row("Rome,Italy,film,99999999999999999999992015,,,", UCCN_E_INVALID,
		"line 2: year '99999999999999999999992015' is not a year from 2004 to 2100");
	struct result r;
	ok_row("Rome,Italy,film,2004,,,", &r);
	assert_int_equal(r.rows[0].city.year, 2004);
	done(&r);
	ok_row("Rome,Italy,film,2100,,,", &r);
	assert_int_equal(r.rows[0].city.year, 2100);
	done(&r);
}

static void test_import_coordinates(void **state)
{
	(void)state;
	struct result r;
	ok_row("Rome,Italy,film,,,-90,180", &r);
	assert_true(r.rows[0].city.lat.deg == -90 && r.rows[0].city.lon.deg == 180);
	done(&r);
	ok_row("Rome,Italy,film,,,.5,-0.25", &r);
	assert_true(r.rows[0].city.lat.deg == 0.5 && r.rows[0].city.lon.deg == -0.25);
	done(&r);
	bad_row("Rome,Italy,film,,,90.0001,0", UCCN_E_INVALID,
		"line 2: lat '90.0001' is not a number from -90 to 90");
	bad_row("Rome,Italy,film,,,0,-180.5", UCCN_E_INVALID,
		"line 2: lon '-180.5' is not a number from -180 to 180");
	bad_row("Rome,Italy,film,,,41.9,", UCCN_E_INVALID,
		"line 2: lat is given without lon (give both or neither)");
	bad_row("Rome,Italy,film,,,,12.5", UCCN_E_INVALID,
		"line 2: lon is given without lat (give both or neither)");
	/* What strtod alone would take. */
	bad_row("Rome,Italy,film,,,nan,0", UCCN_E_INVALID,
		"line 2: lat 'nan' is not a number from -90 to 90");
	bad_row("Rome,Italy,film,,,inf,0", UCCN_E_INVALID,
		"line 2: lat 'inf' is not a number from -90 to 90");
	bad_row("Rome,Italy,film,,,0x10,0", UCCN_E_INVALID,
		"line 2: lat '0x10' is not a number from -90 to 90");
	bad_row("Rome,Italy,film,,, 41.9,0", UCCN_E_INVALID,
		"line 2: lat ' 41.9' is not a number from -90 to 90");
	bad_row("Rome,Italy,film,,,4e1,0", UCCN_E_INVALID,
		"line 2: lat '4e1' is not a number from -90 to 90");
	/* A decimal comma, quoted so it is one value. */
	bad_row("Rome,Italy,film,,,\"41,9\",\"12,5\"", UCCN_E_INVALID,
		"line 2: lat '41,9' is not a number from -90 to 90");
	bad_row("Rome,Italy,film,,,-,.", UCCN_E_INVALID,
		"line 2: lat '-' is not a number from -90 to 90");
}

static void test_import_text_values(void **state)
{
	(void)state;
	bad_row(",Italy,film,,,,", UCCN_E_INVALID, "line 2: the city name is empty");
	bad_row("Rome,Italy,,,,,", UCCN_E_INVALID,
		"line 2: the field is empty (every city has a creative field)");
	bad_row("Rome,Italy,Film,,,,", UCCN_E_INVALID,
		"line 2: field 'Film' is not a field name (a-z, 0-9 and '_', like crafts_folk_art)");
	bad_row("Rome,Italy,crafts and folk art,,,,", UCCN_E_INVALID,
		"line 2: field 'crafts and folk art' is not a field name (a-z, 0-9 and '_', like crafts_folk_art)");
	bad_row("Rome,Italy,film,,Europe Rome,,", UCCN_E_INVALID,
		"line 2: tz 'Europe Rome' is not a time zone name (like Europe/Warsaw)");
	bad_row("Rome,Italy,film,,../etc/passwd,,", UCCN_E_INVALID,
		"line 2: tz '../etc/passwd' is not a time zone name (like Europe/Warsaw)");
	bad_row("Ro\tme,Italy,film,,,,", UCCN_E_INVALID,
		"line 2: the city name must be one line (no line breaks or control characters)");
	bad_row("Rome,\"It\naly\",film,,,,", UCCN_E_INVALID,
		"line 2: the country must be one line (no line breaks or control characters)");
	bad_row("東京,Japan,media_arts,,,,", UCCN_E_INVALID,
		"line 2: the city name '東京' has no Latin letters or digits to make an id of");
	bad_row("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,,film,,,,",
		UCCN_E_TOOBIG,
		"line 2: the city name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' makes an id longer than 64 bytes");
	/* A blank optional value is absent, not "". */
	struct result r;
	ok_row("Rome,,film,,,,", &r);
	assert_null(r.rows[0].city.country);
	assert_null(r.rows[0].city.tz);
	done(&r);
	/* A field the network lacks is the server's to refuse. */
	ok_row("Bistrita,Romania,architecture,2025,Europe/Bucharest,47.13,24.49", &r);
	assert_string_equal(r.rows[0].city.field, "architecture");
	done(&r);
}

/* Each text limit at its value and one byte past it. */
static void test_import_text_limits(void **state)
{
	(void)state;
	char big[512], row[1024];
	struct result r;

	/* Name: 200 bytes is fine (its slug is short), 201 is not. */
	memset(big, '.', UCCN_MAX_NAME);
	big[0] = 'A';
	big[UCCN_MAX_NAME - 1] = 'B';
	big[UCCN_MAX_NAME] = '\0';
	snprintf(row, sizeof row, "%s,,film,,,,", big);
	ok_row(row, &r);
	assert_int_equal(strlen(r.rows[0].city.name), UCCN_MAX_NAME);
	assert_string_equal(r.rows[0].city.id, "a-b");
	done(&r);
	snprintf(row, sizeof row, "%s.,,film,,,,", big);
	bad_row(row, UCCN_E_TOOBIG, "line 2: the city name is longer than 200 bytes");

	memset(big, 'x', UCCN_MAX_COUNTRY);
	big[UCCN_MAX_COUNTRY] = '\0';
	snprintf(row, sizeof row, "Rome,%s,film,,,,", big);
	ok_row(row, &r);
	done(&r);
	snprintf(row, sizeof row, "Rome,%sx,film,,,,", big);
	bad_row(row, UCCN_E_TOOBIG, "line 2: the country is longer than 100 bytes");

	memset(big, 'f', UCCN_MAX_FIELD);
	big[UCCN_MAX_FIELD] = '\0';
	snprintf(row, sizeof row, "Rome,,%s,,,,", big);
	ok_row(row, &r);
	done(&r);
	snprintf(row, sizeof row, "Rome,,%sf,,,,", big);
	bad_row(row, UCCN_E_TOOBIG, "line 2: the field is longer than 32 bytes");

	memset(big, 'z', UCCN_MAX_TZ);
	memcpy(big, "Europe/", 7);
	big[UCCN_MAX_TZ] = '\0';
	snprintf(row, sizeof row, "Rome,,film,,%s,,", big);
	ok_row(row, &r);
	assert_int_equal(strlen(r.rows[0].city.tz), UCCN_MAX_TZ);
	done(&r);
	snprintf(row, sizeof row, "Rome,,film,,%sz,,", big);
	bad_row(row, UCCN_E_TOOBIG, "line 2: tz is longer than 64 bytes");
}

/* ------------------------------------------------------------------ */
/* Ids. */

static void test_import_ids(void **state)
{
	(void)state;
	struct result r;
	ok(&r, "city,country,field\n"
	   "Granada,Spain,literature\n"
	   "Kraków,Poland,literature\n"
	   "Granada,Nicaragua,design\n"
	   "Foo,,crafts_folk_art\n"
	   "Foo,,media_arts\n"
	   "Łódź,Poland,film\n"
	   "Lodz,,music\n", 7);
	const char *want[] = {
		"granada-literature", "krakow", "granada-design",
		/* '_' is not allowed in an id. */
		"foo-crafts-folk-art", "foo-media-arts",
		/* Different names, one slug. */
		"lodz-film", "lodz-music",
	};
	for (size_t i = 0; i < r.n; i++) {
		assert_string_equal(r.rows[i].city.id, want[i]);
		assert_true(uccn_id_valid(r.rows[i].city.id));
	}
	/* Names are kept as written. */
	assert_string_equal(r.rows[5].city.name, "Łódź");
	done(&r);

	/* The same city and field twice: both lines named. */
	bad("city,field\nGranada,literature\nRome,film\nGranada,design\nGranada,literature\n",
	    UCCN_E_INVALID,
	    "line 5: the id 'granada-literature' is also line 2's (the same city and field twice?)");
	bad("city,field\nRome,film\nRome,film\n", UCCN_E_INVALID,
	    "line 3: the id 'rome-film' is also line 2's (the same city and field twice?)");
	/* A name that spells another row's suffixed id. */
	bad("city,field\nFoo,film\nFoo,music\nFoo Film,design\n", UCCN_E_INVALID,
	    "line 4: the id 'foo-film' is also line 2's (the same city and field twice?)");
	/* The first clash going down the file is the one named. */
	bad("city,field\nB,film\nA,film\nA,film\nB,film\n", UCCN_E_INVALID,
	    "line 4: the id 'a-film' is also line 3's (the same city and field twice?)");
	/* A suffix past the id limit. */
	char csv[512], msg[512], name[64];
	memset(name, 'a', 55);
	name[55] = '\0';
	snprintf(csv, sizeof csv, "city,field\n%s,film\n%s,literature\n", name, name);
	snprintf(msg, sizeof msg,
		 "line 3: the id '%s-literature' is longer than 64 bytes (more than one "
		 "city has the id '%s', so each gets its field added)", name, name);
	bad(csv, UCCN_E_TOOBIG, msg);
}

/* ------------------------------------------------------------------ */
/* Limits. */

/* A file of n cities with distinct names, under a two-column header, with
 * an empty line after every row (they do not count). */
static char *many_rows(size_t n, size_t *len)
{
	char *s = malloc(32 + n * 24);
	assert_non_null(s);
	size_t w = (size_t)sprintf(s, "city,field\r\n");
	for (size_t i = 0; i < n; i++)
		w += (size_t)sprintf(s + w, "City %zu,film\r\n\r\n", i);
	*len = w;
	return s;
}

static void test_import_max_rows(void **state)
{
	(void)state;
	struct result r;
	size_t len;
	char *s = many_rows(IMPORT_MAX_ROWS, &len);
	run(&r, s, len);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, IMPORT_MAX_ROWS);
	assert_string_equal(r.rows[IMPORT_MAX_ROWS - 1].city.id, "city-4999");
	assert_int_equal(r.rows[IMPORT_MAX_ROWS - 1].line, 2 * IMPORT_MAX_ROWS);
	done(&r);
	free(s);

	s = many_rows(IMPORT_MAX_ROWS + 1, &len);
	run(&r, s, len);
	assert_int_equal(r.rc, UCCN_E_TOOBIG);
	assert_string_equal(r.err, "line 10002: more than 5000 cities; import at most 5000 at a time");
	free(s);
}

/* All or nothing: an error on the last row returns none of the others
 * (and, under the sanitizers, leaks none of them). */
static void test_import_all_or_nothing(void **state)
{
	(void)state;
	size_t len;
	char *s = data_as_lf(&len);
	char *t = malloc(len + 64);
	assert_non_null(t);
	memcpy(t, s, len);
	len += (size_t)sprintf(t + len, "Nowhere,,film,,,91,0\n");
	struct result r;
	run(&r, t, len);
	assert_int_equal(r.rc, UCCN_E_INVALID);
	assert_string_equal(r.err, "line 352: lat '91' is not a number from -90 to 90");
	/* The same for an id clash found only once every row is read. */
	len -= strlen("Nowhere,,film,,,91,0\n");
	len += (size_t)sprintf(t + len, "Krakow,Poland,literature,,,,\n");
	run(&r, t, len);
	assert_int_equal(r.rc, UCCN_E_INVALID);
	assert_string_equal(r.err, "line 352: the id 'krakow-literature' is also line 219's "
			    "(the same city and field twice?)");
	free(s);
	free(t);
	/* No room for a message is fine too. */
	assert_int_equal(import_cities_csv("city\n", 5, &r.rows, &r.n, NULL, 0),
			 UCCN_E_INVALID);
	import_rows_free(NULL, 0);
}

/* The names whose accents the shipped file restored keep the ids they had
 * without them: the slug folds the accents, so no stored city moves. */
static void test_import_data_diacritics(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{"krakow", "Kraków"}, {"bogota", "Bogotá"}, {"montreal", "Montréal"},
		{"brasilia", "Brasília"}, {"florianopolis", "Florianópolis"},
		{"vicente-lopez", "Vicente López"}, {"lodz", "Łódź"},
	};
	struct result r;
	run(&r, data, data_len);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, DATA_ROWS);
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		const struct import_row *c = find(&r, pairs[i][0]);
		if (!c)
			fail_msg("no city '%s' in %s", pairs[i][0], DATA_FILE);
		assert_string_equal(c->city.name, pairs[i][1]);
	}
	done(&r);
}

/* ------------------------------------------------------------------ */

int main(void)
{
	const struct CMUnitTest import[] = {
		cmocka_unit_test(test_slug_examples),
		cmocka_unit_test(test_slug_folding),
		cmocka_unit_test(test_slug_errors),
		cmocka_unit_test(test_slug_limits),
		cmocka_unit_test(test_slug_every_data_name),
		cmocka_unit_test(test_import_data_file),
		cmocka_unit_test(test_import_line_ends_and_bom),
		cmocka_unit_test(test_import_quoting),
		cmocka_unit_test(test_import_malformed_quotes),
		cmocka_unit_test(test_import_line_numbers),
		cmocka_unit_test(test_import_value_counts),
		cmocka_unit_test(test_import_encoding),
		cmocka_unit_test(test_import_header),
		cmocka_unit_test(test_import_year),
		cmocka_unit_test(test_import_coordinates),
		cmocka_unit_test(test_import_text_values),
		cmocka_unit_test(test_import_text_limits),
		cmocka_unit_test(test_import_ids),
		cmocka_unit_test(test_import_max_rows),
		cmocka_unit_test(test_import_all_or_nothing),
		cmocka_unit_test(test_import_data_diacritics),
	};
	return cmocka_run_group_tests_name("import", import, group_setup, group_teardown);
}
