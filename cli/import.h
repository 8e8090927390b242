/*
 * import.h - parse a CSV file of cities (the format of
 * examples/data/uccn-cities.csv) into city records, for `uccn city import`.
 * Pure computation: the caller reads the file and sends the records; nothing
 * here does I/O or talks to the server.
 */
#ifndef UCCN_CLI_IMPORT_H
#define UCCN_CLI_IMPORT_H

#include <stddef.h>

#include "uccn_records.h"

/* The most data rows one file may hold (UCCN_E_TOOBIG past it). */
#define IMPORT_MAX_ROWS 5000

struct import_row {
	struct uccn_city city;
	size_t line;    /* 1-based line of the file where the record starts */
};

/*
 * Parse buf[0..len) (need not be NUL-terminated).
 *
 * Format: UTF-8, an initial byte order mark skipped; RFC 4180 fields
 * separated by ',', optionally quoted with '"' ('""' inside quotes is one
 * '"'; quoted fields may hold commas and line breaks); lines end in CRLF or
 * LF (a CR alone is an error); empty lines are skipped. The first record is
 * the header and names the columns (case-sensitive, surrounding spaces
 * ignored): city and field are required; country, year, tz, lat and lon
 * optional, in any order. A later record equal to the header is an error
 * (two files joined). Values are taken as written, not trimmed.
 *
 * Each row becomes a city with role "member", no key, version and seq 0:
 *   name    = city: required, one line, at most UCCN_MAX_NAME bytes
 *   field   = field: required, a field name (uccn_field_name_valid); whether
 *             the network has that field is the server's to say
 *   country = country, NULL when blank
 *   year    = year, 0 when blank, else digits, UCCN_MIN_YEAR..UCCN_MAX_YEAR
 *   tz      = tz, NULL when blank, else a zone name (uccn_tz_name_valid)
 *   lat/lon = plain decimal degrees ("-85.956", no exponent), -90..90 and
 *             -180..180; unset when blank, and both or neither
 *   id      = uccn_slug(name); when several rows share a slug, each of
 *             them gets "-" + field (granada-literature, granada-design),
 *             the field's '_' made '-' (foo-crafts-folk-art); ids still
 *             shared after that are an error naming both lines
 * All of the file is checked before any value: errors of the CSV syntax
 * (UTF-8, quotes, the header, field counts, the row limit) come first, then
 * errors in values, then id collisions.
 *
 * On success returns 0 and sets *rows to a malloc'd array of *n rows in file
 * order, each city owning its strings; the caller frees it with
 * import_rows_free(). A file with a header and no data gives *n 0 and *rows
 * NULL.
 *
 * On failure returns UCCN_E_INVALID, UCCN_E_TOOBIG (more than
 * IMPORT_MAX_ROWS rows, or a value past its limit) or UCCN_E_NOMEM, sets
 * *rows NULL and *n 0 (nothing to free), and writes the reason to err
 * (errlen bytes, may be 0): "line N: ..." with N the line of the file, or
 * "header: ..." for the header. Values quoted in a reason are cut short and
 * control characters replaced, so err is safe to print.
 */
int import_cities_csv(const char *buf, size_t len, struct import_row **rows,
		      size_t *n, char *err, size_t errlen);

/* Free the n rows at *rows (their cities' strings and the array) and set
 * *rows NULL. *rows NULL is fine. */
void import_rows_free(struct import_row **rows, size_t n);

#endif
