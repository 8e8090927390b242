/*
 * import.c - a cities CSV file to city records (see import.h).
 *
 * The file is read in passes over the same bytes: UTF-8 first, then the CSV
 * syntax of every record (so a broken quote anywhere is reported before any
 * value, and the row count is known before anything is allocated), then the
 * values row by row, then the ids, which depend on all rows at once. Each
 * pass counts lines itself, from the '\n' bytes it consumes, so a quoted
 * value spanning lines moves every later line number on.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uccn_error.h"
#include "uccn_limits.h"
#include "uccn_records.h"
#include "uccn_utf8.h"

#include "import.h"

enum col { COL_CITY, COL_COUNTRY, COL_FIELD, COL_YEAR, COL_TZ, COL_LAT, COL_LON, NCOLS };

static const char *const col_names[NCOLS] = {
	"city", "country", "field", "year", "tz", "lat", "lon",
};

#define COL_LIST "city, country, field, year, tz, lat, lon"

/* How much of a value an error message quotes. */
#define SHOW_MAX 40

/* One value of the record being read: NUL-terminated in csv.scratch. */
struct cell {
	const char *s;
	size_t len;
	size_t line;    /* where the value starts */
};

struct csv {
	const char *buf;
	size_t len;
	size_t pos;
	size_t line;
	/* The current record's values, unquoted; len + 1 bytes always suffice
	 * because each value's NUL takes the place of the ',' or line end
	 * that ended it (only a value ended by the end of the data needs the
	 * extra byte), and unquoting only shortens. */
	char *scratch;
};

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/*
 * A value as an error message quotes it: at most SHOW_MAX bytes, cut on a
 * character boundary and marked "...", control characters (C0 and C1) as
 * '?', so a hostile file cannot send escape sequences to the terminal that
 * prints the message. s must be valid UTF-8. Returns buf (size bytes, at
 * least SHOW_MAX + 4).
 */
static const char *show(const char *s, size_t len, char *buf, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = len;
	bool cut = false;
	if (n > SHOW_MAX) {
		n = SHOW_MAX;
		while (n > 0 && (u[n] & 0xc0) == 0x80)
			n--;
		cut = true;
	}
	size_t w = 0;
	for (size_t i = 0; i < n && w + 4 < size; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f) {
			buf[w++] = '?';
		} else if (u[i] == 0xc2 && i + 1 < n && u[i + 1] < 0xa0) {
			buf[w++] = '?'; /* U+0080..U+009F */
			i++;
		} else {
			buf[w++] = (char)u[i];
		}
	}
	if (cut && w + 4 <= size) {
		memcpy(buf + w, "...", 3);
		w += 3;
	}
	buf[w] = '\0';
	return buf;
}

/* Pass 1: the whole file is UTF-8 without NUL bytes (values become C
 * strings, and a NUL would silently cut one short). */
static int check_text(const char *buf, size_t len, char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t line = 1;
	for (size_t i = 0; i < len;) {
		if (p[i] == '\0')
			/* The usual cause: a spreadsheet saved as UTF-16. */
			return fail(err, errlen, UCCN_E_INVALID,
				    "line %zu: a NUL byte (is the file UTF-16? save it as UTF-8)",
				    line);
		uint32_t cp;
		size_t k = uccn_utf8_next(p + i, len - i, &cp);
		if (!k)
			return fail(err, errlen, UCCN_E_INVALID,
				    "line %zu: not valid UTF-8 (save the file as UTF-8)", line);
		if (p[i] == '\n')
			line++;
		i += k;
	}
	return 0;
}

/* True when a line ends at pos: LF or CRLF. */
static bool at_line_end(const struct csv *c, size_t pos)
{
	return pos < c->len && (c->buf[pos] == '\n' ||
				(c->buf[pos] == '\r' && pos + 1 < c->len &&
				 c->buf[pos + 1] == '\n'));
}

/* Consume the line end at c->pos (at_line_end() must hold). */
static void eat_line_end(struct csv *c)
{
	c->pos += c->buf[c->pos] == '\r' ? 2 : 1;
	c->line++;
}

/*
 * The next record, empty lines skipped. Returns 1 with its first cap values
 * in cells, the number of values (all of them, stored or not) in *nf and
 * its first line in *line; 0 at the end of the data; or UCCN_E_INVALID for
 * a malformed quote or a stray carriage return. The cells point into
 * c->scratch, valid until the next call.
 */
static int next_record(struct csv *c, struct cell *cells, size_t cap,
		       size_t *nf, size_t *line, char *err, size_t errlen)
{
	const char *b = c->buf;
	while (at_line_end(c, c->pos))
		eat_line_end(c);
	if (c->pos >= c->len)
		return 0;
	*line = c->line;
	*nf = 0;
	size_t w = 0;
	for (;;) {
		size_t start = w;
		size_t vline = c->line;
		if (c->pos < c->len && b[c->pos] == '"') {
			c->pos++;
			for (;;) {
				if (c->pos >= c->len)
					return fail(err, errlen, UCCN_E_INVALID,
						    "line %zu: a quoted value is never closed (its opening quote is on this line)",
						    vline);
				char ch = b[c->pos++];
				if (ch == '"') {
					if (c->pos < c->len && b[c->pos] == '"') {
						c->pos++;
						c->scratch[w++] = '"';
						continue;
					}
					break;
				}
				if (ch == '\n')
					c->line++;
				c->scratch[w++] = ch;
			}
			if (c->pos < c->len && b[c->pos] != ',' && !at_line_end(c, c->pos))
				return fail(err, errlen, UCCN_E_INVALID,
					    "line %zu: text after the closing quote of a value (inside quotes, write a quote as \"\")",
					    c->line);
		} else {
			while (c->pos < c->len && b[c->pos] != ',' && !at_line_end(c, c->pos)) {
				char ch = b[c->pos];
				if (ch == '"')
					return fail(err, errlen, UCCN_E_INVALID,
						    "line %zu: a quote inside an unquoted value (quote the whole value and write the quote as \"\")",
						    c->line);
				/* A CR alone would end a line for some readers and
				 * not for others: refuse rather than guess. */
				if (ch == '\r')
					return fail(err, errlen, UCCN_E_INVALID,
						    "line %zu: a carriage return that does not end the line (save the file with LF or CRLF line ends)",
						    c->line);
				c->scratch[w++] = ch;
				c->pos++;
			}
		}
		c->scratch[w++] = '\0';
		if (*nf < cap)
			cells[*nf] = (struct cell){c->scratch + start, w - 1 - start, vline};
		(*nf)++;
		if (c->pos >= c->len)
			return 1;
		if (b[c->pos] == ',') {
			c->pos++;
			continue;
		}
		eat_line_end(c);
		return 1;
	}
}

/* Strip spaces and tabs around a header name. */
static void trim(struct cell *v)
{
	while (v->len && (v->s[0] == ' ' || v->s[0] == '\t')) {
		v->s++;
		v->len--;
	}
	while (v->len && (v->s[v->len - 1] == ' ' || v->s[v->len - 1] == '\t'))
		v->len--;
}

/*
 * Read the header: map[col] is the position of each known column, or -1;
 * *ncols the number of columns every record must have.
 */
static int read_header(struct csv *c, int map[NCOLS], size_t *ncols,
		       char *err, size_t errlen)
{
	/* One cell more than there are names: a header of more columns than
	 * that must repeat or misspell one among its first NCOLS + 1, so those
	 * are all it takes to name the error. */
	struct cell cells[NCOLS + 1];
	size_t nf, line;
	char shown[SHOW_MAX + 4];
	int rc = next_record(c, cells, NCOLS + 1, &nf, &line, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return fail(err, errlen, UCCN_E_INVALID,
			    "header: the file is empty; its first line must name the columns, e.g. "
			    "city,country,field,year,tz,lat,lon");
	for (size_t k = 0; k < NCOLS; k++)
		map[k] = -1;
	for (size_t i = 0; i < nf && i < NCOLS + 1; i++) {
		struct cell v = cells[i];
		trim(&v);
		if (v.len == 0)
			return fail(err, errlen, UCCN_E_INVALID,
				    "header: column %zu has no name (the columns are " COL_LIST ")",
				    i + 1);
		size_t k = 0;
		while (k < NCOLS && !(strlen(col_names[k]) == v.len &&
				      memcmp(col_names[k], v.s, v.len) == 0))
			k++;
		if (k == NCOLS)
			return fail(err, errlen, UCCN_E_INVALID,
				    "header: unknown column '%s' (the columns are " COL_LIST ")",
				    show(v.s, v.len, shown, sizeof shown));
		if (map[k] >= 0)
			return fail(err, errlen, UCCN_E_INVALID,
				    "header: column '%s' appears twice", col_names[k]);
		map[k] = (int)i;
	}
	if (nf > NCOLS) /* unreachable: see cells above */
		return fail(err, errlen, UCCN_E_INVALID, "header: more than %d columns", NCOLS);
	if (map[COL_CITY] < 0 || map[COL_FIELD] < 0)
		return fail(err, errlen, UCCN_E_INVALID,
			    "header: no '%s' column (city and field are required)",
			    map[COL_CITY] < 0 ? "city" : "field");
	*ncols = nf;
	return 0;
}

/* True when a record repeats the header: its values are the column names.
 * Two exported files joined with cat give one, and as data it would be a
 * city named "city" in the field "field", which the checks let through. */
static bool is_header(const struct cell *cells, const int map[NCOLS])
{
	for (size_t k = 0; k < NCOLS; k++) {
		if (map[k] < 0)
			continue;
		struct cell v = cells[map[k]];
		trim(&v);
		if (strlen(col_names[k]) != v.len || memcmp(col_names[k], v.s, v.len))
			return false;
	}
	return true;
}

/* Pass 2: every record after the header has the header's number of values
 * and is no second header, and there are at most IMPORT_MAX_ROWS of them.
 * Counts them in *count. */
static int check_records(struct csv *c, const int map[NCOLS], size_t ncols,
			 size_t *count, char *err, size_t errlen)
{
	struct cell cells[NCOLS];
	size_t nf, line;
	int rc;
	*count = 0;
	while ((rc = next_record(c, cells, NCOLS, &nf, &line, err, errlen)) == 1) {
		if (nf != ncols)
			return fail(err, errlen, UCCN_E_INVALID,
				    "line %zu: %zu value%s, but the header has %zu columns "
				    "(quote a value that contains a comma)",
				    line, nf, nf == 1 ? "" : "s", ncols);
		if (is_header(cells, map))
			return fail(err, errlen, UCCN_E_INVALID,
				    "line %zu: the header again (were two files joined?)", line);
		if (++*count > IMPORT_MAX_ROWS)
			return fail(err, errlen, UCCN_E_TOOBIG,
				    "line %zu: more than %d cities; import at most %d at a time",
				    line, IMPORT_MAX_ROWS, IMPORT_MAX_ROWS);
	}
	return rc;
}

/* A malloc'd copy of v in *out, NULL when v is blank. */
static int dup_cell(const struct cell *v, char **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!v || v->len == 0)
		return 0;
	if (!(*out = strndup(v->s, v->len)))
		return fail(err, errlen, UCCN_E_NOMEM, "out of memory");
	return 0;
}

/* A whole number of digits only ("2015", not "+2015" or "2015.0"). */
static int read_year(const struct cell *v, uint32_t *out, char *err, size_t errlen)
{
	char shown[SHOW_MAX + 4];
	uint32_t y = 0;
	bool ok = v->len > 0;
	for (size_t i = 0; ok && i < v->len; i++) {
		if (v->s[i] < '0' || v->s[i] > '9')
			ok = false;
		else if (y <= UCCN_MAX_YEAR) /* saturates past the range: no overflow */
			y = y * 10 + (uint32_t)(v->s[i] - '0');
	}
	if (!ok || y < UCCN_MIN_YEAR || y > UCCN_MAX_YEAR)
		return fail(err, errlen, UCCN_E_INVALID,
			    "line %zu: year '%s' is not a year from %d to %d",
			    v->line, show(v->s, v->len, shown, sizeof shown),
			    UCCN_MIN_YEAR, UCCN_MAX_YEAR);
	*out = y;
	return 0;
}

/*
 * Degrees in plain decimal notation, -max..max. The syntax is checked here
 * and strtod only converts: strtod alone would also take "nan", "inf", hex
 * and leading spaces, and under a locale with a decimal comma it would stop
 * at the '.', which the whole-value check then turns into an error instead
 * of a wrong number.
 */
static int read_degrees(const struct cell *v, const char *name, int max,
			struct uccn_coord *out, char *err, size_t errlen)
{
	char shown[SHOW_MAX + 4];
	const char *s = v->s;
	size_t i = 0, digits = 0;
	if (i < v->len && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < v->len && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < v->len && s[i] == '.')
		for (i++; i < v->len && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	bool ok = digits > 0 && i == v->len;
	double d = 0;
	if (ok) {
		char *end;
		d = strtod(s, &end);
		ok = end == s + v->len && d >= -max && d <= max;
	}
	if (!ok)
		return fail(err, errlen, UCCN_E_INVALID,
			    "line %zu: %s '%s' is not a number from -%d to %d",
			    v->line, name, show(v->s, v->len, shown, sizeof shown), max, max);
	out->set = true;
	out->deg = d;
	return 0;
}

/* A one-line text value of at most max bytes: city and country. */
static int check_line(const struct cell *v, const char *what, size_t max,
		      char *err, size_t errlen)
{
	if (v->len > max)
		return fail(err, errlen, UCCN_E_TOOBIG,
			    "line %zu: the %s is longer than %zu bytes", v->line, what, max);
	if (!uccn_text_valid(v->s, v->len, max, true))
		return fail(err, errlen, UCCN_E_INVALID,
			    "line %zu: the %s must be one line (no line breaks or control characters)",
			    v->line, what);
	return 0;
}

/* Pass 3: one record's values into r->city (clear on entry). On failure the
 * caller clears r. */
static int read_row(const struct cell *cells, const int map[NCOLS], size_t line,
		    struct import_row *r, char *err, size_t errlen)
{
	const struct cell *v[NCOLS];
	for (size_t k = 0; k < NCOLS; k++)
		v[k] = map[k] >= 0 ? &cells[map[k]] : NULL;
	struct uccn_city *c = &r->city;
	char shown[SHOW_MAX + 4];
	int rc;

	r->line = line;
	const struct cell *name = v[COL_CITY];
	if (name->len == 0)
		return fail(err, errlen, UCCN_E_INVALID, "line %zu: the city name is empty",
			    name->line);
	if ((rc = check_line(name, "city name", UCCN_MAX_NAME, err, errlen)))
		return rc;

	const struct cell *field = v[COL_FIELD];
	if (field->len == 0)
		return fail(err, errlen, UCCN_E_INVALID,
			    "line %zu: the field is empty (every city has a creative field)",
			    field->line);
	if (field->len > UCCN_MAX_FIELD)
		return fail(err, errlen, UCCN_E_TOOBIG,
			    "line %zu: the field is longer than %d bytes", field->line, UCCN_MAX_FIELD);
	if ((rc = dup_cell(field, &c->field, err, errlen)))
		return rc;
	if (!uccn_field_name_valid(c->field))
		return fail(err, errlen, UCCN_E_INVALID,
			    "line %zu: field '%s' is not a field name (a-z, 0-9 and '_', like crafts_folk_art)",
			    field->line, show(field->s, field->len, shown, sizeof shown));

	if (v[COL_COUNTRY] && v[COL_COUNTRY]->len &&
	    (rc = check_line(v[COL_COUNTRY], "country", UCCN_MAX_COUNTRY, err, errlen)))
		return rc;

	if (v[COL_YEAR] && v[COL_YEAR]->len &&
	    (rc = read_year(v[COL_YEAR], &c->year, err, errlen)))
		return rc;

	const struct cell *tz = v[COL_TZ];
	if (tz && tz->len) {
		if (tz->len > UCCN_MAX_TZ)
			return fail(err, errlen, UCCN_E_TOOBIG,
				    "line %zu: tz is longer than %d bytes", tz->line, UCCN_MAX_TZ);
		/* tz->s is NUL-terminated and holds no NUL (pass 1). */
		if (!uccn_tz_name_valid(tz->s))
			return fail(err, errlen, UCCN_E_INVALID,
				    "line %zu: tz '%s' is not a time zone name (like Europe/Warsaw)",
				    tz->line, show(tz->s, tz->len, shown, sizeof shown));
	}

	bool has_lat = v[COL_LAT] && v[COL_LAT]->len;
	bool has_lon = v[COL_LON] && v[COL_LON]->len;
	if (has_lat != has_lon)
		return fail(err, errlen, UCCN_E_INVALID,
			    "line %zu: %s is given without %s (give both or neither)",
			    line, has_lat ? "lat" : "lon", has_lat ? "lon" : "lat");
	if (has_lat &&
	    ((rc = read_degrees(v[COL_LAT], "lat", 90, &c->lat, err, errlen)) ||
	     (rc = read_degrees(v[COL_LON], "lon", 180, &c->lon, err, errlen))))
		return rc;

	char id[UCCN_MAX_ID + 1];
	rc = uccn_slug(name->s, id, sizeof id);
	if (rc == UCCN_E_TOOBIG)
		return fail(err, errlen, UCCN_E_TOOBIG,
			    "line %zu: the city name '%s' makes an id longer than %d bytes",
			    name->line, show(name->s, name->len, shown, sizeof shown), UCCN_MAX_ID);
	if (rc)
		return fail(err, errlen, UCCN_E_INVALID,
			    "line %zu: the city name '%s' has no Latin letters or digits to make an id of",
			    name->line, show(name->s, name->len, shown, sizeof shown));

	if ((rc = dup_cell(name, &c->name, err, errlen)) ||
	    (rc = dup_cell(v[COL_COUNTRY], &c->country, err, errlen)) ||
	    (rc = dup_cell(tz, &c->tz, err, errlen)))
		return rc;
	if (!(c->id = strdup(id)) || !(c->role = strdup("member")))
		return fail(err, errlen, UCCN_E_NOMEM, "out of memory");
	return 0;
}

static int by_id_then_line(const void *a, const void *b)
{
	const struct import_row *x = *(const struct import_row *const *)a;
	const struct import_row *y = *(const struct import_row *const *)b;
	int d = strcmp(x->city.id, y->city.id);
	if (d)
		return d;
	return (x->line > y->line) - (x->line < y->line);
}

/*
 * Pass 4: rows whose slugs are equal (two cities of one name, in different
 * fields) get "-" + field, the field slugged too because '_' is not allowed
 * in an id (crafts_folk_art -> crafts-folk-art). Then any ids still equal
 * are an error: the same city and field twice, or a name that happens to
 * spell another row's suffixed id.
 */
static int assign_ids(struct import_row *rows, size_t n, char *err, size_t errlen)
{
	if (n < 2)
		return 0;
	int rc = 0;
	struct import_row **by = malloc(n * sizeof *by);
	bool *shared = calloc(n, sizeof *shared);
	if (!by || !shared) {
		rc = fail(err, errlen, UCCN_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		by[i] = &rows[i];
	qsort(by, n, sizeof *by, by_id_then_line);
	/* Mark every member of a group first: renaming as we go would break
	 * the comparison with the next row. */
	for (size_t i = 1; i < n; i++)
		if (strcmp(by[i - 1]->city.id, by[i]->city.id) == 0)
			shared[i - 1] = shared[i] = true;
	for (size_t i = 0; i < n; i++) {
		if (!shared[i])
			continue;
		struct uccn_city *c = &by[i]->city;
		char suffix[UCCN_MAX_ID + 1];
		/* A valid field name always slugs (it starts with a-z). */
		if (uccn_slug(c->field, suffix, sizeof suffix)) {
			rc = fail(err, errlen, UCCN_E_INTERNAL,
				  "line %zu: field '%s' gives no id", by[i]->line, c->field);
			goto out;
		}
		size_t len = strlen(c->id) + 1 + strlen(suffix);
		if (len > UCCN_MAX_ID) {
			rc = fail(err, errlen, UCCN_E_TOOBIG,
				  "line %zu: the id '%s-%s' is longer than %d bytes (more than one "
				  "city has the id '%s', so each gets its field added)",
				  by[i]->line, c->id, suffix, UCCN_MAX_ID, c->id);
			goto out;
		}
		char *id = malloc(len + 1);
		if (!id) {
			rc = fail(err, errlen, UCCN_E_NOMEM, "out of memory");
			goto out;
		}
		size_t idlen = strlen(c->id);
		memcpy(id, c->id, idlen);
		id[idlen] = '-';
		memcpy(id + idlen + 1, suffix, strlen(suffix) + 1);
		free(c->id);
		c->id = id;
	}
	qsort(by, n, sizeof *by, by_id_then_line);
	/* Of all clashes, name the one a reader meets first going down the
	 * file: the smallest second line (each group's first two rows). */
	const struct import_row *first = NULL, *second = NULL;
	for (size_t i = 1; i < n; i++)
		if (strcmp(by[i - 1]->city.id, by[i]->city.id) == 0 &&
		    (!second || by[i]->line < second->line)) {
			first = by[i - 1];
			second = by[i];
		}
	if (second)
		rc = fail(err, errlen, UCCN_E_INVALID,
			  "line %zu: the id '%s' is also line %zu's (the same city and field twice?)",
			  second->line, second->city.id, first->line);
out:
	free(by);
	free(shared);
	return rc;
}

void import_rows_free(struct import_row **rows, size_t n)
{
	if (!rows || !*rows)
		return;
	for (size_t i = 0; i < n; i++)
		uccn_city_clear(&(*rows)[i].city);
	free(*rows);
	*rows = NULL;
}

int import_cities_csv(const char *buf, size_t len, struct import_row **rows,
		      size_t *n, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!rows || !n)
		return fail(err, errlen, UCCN_E_INVALID, "no place for the rows");
	*rows = NULL;
	*n = 0;
	if (!buf && len)
		return fail(err, errlen, UCCN_E_INVALID, "no data");
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	int rc = check_text(buf, len, err, errlen);
	if (rc)
		return rc;

	struct csv c = {.buf = buf, .len = len, .line = 1};
	struct import_row *out = NULL;
	size_t count = 0;
	int map[NCOLS];
	size_t ncols;
	if (!(c.scratch = malloc(len + 1))) {
		rc = fail(err, errlen, UCCN_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = read_header(&c, map, &ncols, err, errlen)) ||
	    (rc = check_records(&c, map, ncols, &count, err, errlen)))
		goto out;
	if (count == 0)
		goto out;

	if (!(out = calloc(count, sizeof *out))) {
		rc = fail(err, errlen, UCCN_E_NOMEM, "out of memory");
		goto out;
	}
	c.pos = 0;
	c.line = 1;
	if ((rc = read_header(&c, map, &ncols, err, errlen)))
		goto out;
	for (size_t i = 0; i < count; i++) {
		struct cell cells[NCOLS];
		size_t nf, line;
		/* Pass 2 saw these same records: exactly count, all well formed. */
		if (next_record(&c, cells, NCOLS, &nf, &line, err, errlen) != 1) {
			rc = fail(err, errlen, UCCN_E_INTERNAL, "the file's records changed between passes");
			goto out;
		}
		if ((rc = read_row(cells, map, line, &out[i], err, errlen)))
			goto out;
	}
	rc = assign_ids(out, count, err, errlen);
out:
	free(c.scratch);
	if (rc) {
		import_rows_free(&out, count);
		return rc;
	}
	*rows = out;
	*n = out ? count : 0;
	return 0;
}
