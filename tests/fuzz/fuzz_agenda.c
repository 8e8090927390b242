/*
 * fuzz_agenda.c - libFuzzer harness for the agenda builder and its four
 * renderers (make fuzz).
 *
 * The bytes are read by a small bounded decoder into a meeting (1 to 14
 * days, hours, hybrid, session length), up to FUZZ_MAX_ITEMS items (kinds,
 * minutes, priority, pins, remote, zone offsets that cross midnight and
 * change between days), participants with zones, a previous version, and
 * texts taken from the bytes as they are: invalid UTF-8, controls, markup.
 * A few bits ask for an input the builder must refuse (a bad day count or
 * hours, a minutes of 0, a duplicate key).
 *
 * Checks: no crash, leak or undefined behaviour; a valid input builds; the
 * slots are by day then start, inside the day's hours, never overlapping;
 * every item is placed or deferred exactly once; building again gives the
 * same agenda. Each format renders, twice to the same bytes, as valid
 * UTF-8 without NUL; Markdown lines are at most 200 bytes, iCalendar lines
 * at most 75 octets and CRLF-ended, and JSON is well-formed.
 * A broken check calls abort(), which libFuzzer reports as a crash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uccn_agenda.h"
#include "uccn_agenda_render.h"
#include "uccn_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_agenda: check failed: %s (line %d)\n", \
				#cond, __LINE__);                            \
			abort();                                             \
		}                                                            \
	} while (0)

#define FUZZ_MAX_ITEMS 40
#define FUZZ_MAX_PARTICIPANTS 24
#define FUZZ_MAX_PREVIOUS 8
#define FUZZ_MAX_PARTS 3
#define FUZZ_MAX_TEXT 300   /* bytes of one text taken from the input */
#define MD_MAX_LINE 200
#define ICS_MAX_LINE 75
#define JSON_MAX_DEPTH 64

/* ---- the decoder: every read is bounded; past the end it reads zeros ---- */

struct reader {
	const uint8_t *p;
	size_t n;
	/* Every text lives here, NUL-terminated, for the whole input. */
	char *arena;
	size_t used, cap;
};

static unsigned u8(struct reader *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static unsigned u16(struct reader *r)
{
	unsigned hi = u8(r);
	return hi << 8 | u8(r);
}

static char *keep(struct reader *r, const char *s, size_t n)
{
	CHECK(r->used + n + 1 <= r->cap);
	char *d = r->arena + r->used;
	memcpy(d, s, n);
	d[n] = '\0';
	r->used += n + 1;
	return d;
}

/* A text from the input: a length byte, then that many bytes (fewer at the
 * end; a NUL among them ends the string early); NULL for length 255. The
 * long form makes texts past every renderer's cut. */
static const char *text(struct reader *r)
{
	unsigned len = u8(r);
	if (len == 255)
		return NULL;
	if (len >= 240)
		len = (len - 240) * 20 + 40;
	if (len > FUZZ_MAX_TEXT)
		len = FUZZ_MAX_TEXT;
	if (len > r->n)
		len = (unsigned)r->n;
	const char *s = keep(r, (const char *)r->p, len);
	r->p += len;
	r->n -= len;
	return s;
}

static const char *const zones[] = {
	"Europe/London", "Europe/Warsaw", "America/Mexico_City", "America/St_Johns",
	"Asia/Kolkata", "Asia/Kathmandu", "Pacific/Auckland", "Pacific/Kiritimati",
	"Pacific/Pago_Pago", "Australia/Eucla", "Africa/Lagos", "Atlantic/Reykjavik",
	"Indian/Mauritius", "Etc/UTC", "UTC", "Europe",
};
#define NZONES (sizeof zones / sizeof zones[0])

static const char *zone(struct reader *r)
{
	unsigned b = u8(r);
	if (b < 200)
		return zones[b % NZONES];
	if (b < 250)
		return text(r); /* arbitrary bytes as a zone name */
	return NULL;
}

/* A zone offset, local minus the meeting's, per day: anywhere from -26 to
 * +26 hours (clocks on another date), in quarter hours or odd minutes, with
 * a jump on some day as a DST change would make. */
static void offsets(struct reader *r, int off[UCCN_AGENDA_MAX_DAYS])
{
	int base = ((int)u8(r) - 128) * 15 - 20 * 60 * ((int)u8(r) % 3 - 1) / 2;
	unsigned jump = u8(r);
	int odd = jump & 0x80 ? (int)(u8(r) % 60) : 0;
	for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
		off[d] = base + odd + ((int)(jump % 16) <= d ? ((jump & 0x40) ? 60 : -60) : 0);
}

/* A minute on the grid from..to; with off_grid, now and then a minute or
 * three past it (a pin off the grid is moved, with a warning). */
static int minute(struct reader *r, int from, int to, bool off_grid)
{
	unsigned b = u16(r);
	int span = (to - from) / UCCN_AGENDA_GRID + 1;
	int t = from + (int)(b % (unsigned)span) * UCCN_AGENDA_GRID;
	if (off_grid && (b >> 14) == 3)
		t += (int)(b >> 11 & 3);
	return t;
}

struct world {
	struct uccn_agenda_input in;
	struct uccn_agenda_meeting m;
	struct uccn_agenda_item items[FUZZ_MAX_ITEMS];
	struct uccn_agenda_participant people[FUZZ_MAX_PARTICIPANTS];
	struct uccn_agenda_previous prev[FUZZ_MAX_PREVIOUS];
	struct uccn_agenda_part parts[FUZZ_MAX_ITEMS][FUZZ_MAX_PARTS];
	bool must_build;   /* the input is within the builder's contract */
};

static const char vtimezone[] =
	"BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"
	"BEGIN:STANDARD\r\nDTSTART:19701025T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
	"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nEND:STANDARD\r\n"
	"BEGIN:DAYLIGHT\r\nDTSTART:19700329T010000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
	"TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nEND:DAYLIGHT\r\n"
	"END:VTIMEZONE\r\n";

static void decode(struct reader *r, struct world *w)
{
	struct uccn_agenda_input *in = &w->in;
	unsigned flags = u8(r);
	w->must_build = true;

	in->days = 1 + (int)(u8(r) % UCCN_AGENDA_MAX_DAYS);
	in->day_start = minute(r, 0, 20 * 60, false);
	in->day_end = minute(r, in->day_start + UCCN_AGENDA_GRID, 24 * 60, false);
	unsigned s = u8(r);
	in->max_session = s < 128 ? 0 : (int)(s % 49) * UCCN_AGENDA_GRID;
	in->hybrid = flags & 1;
	if (flags & 0x80) { /* out of contract on purpose: must be refused */
		switch (u8(r) % 4) {
		case 0: in->days = (int)(u8(r) % 3) ? 15 : 0; break;
		case 1: in->day_end = in->day_start; break;
		case 2: in->day_start += 1; break;
		default: in->max_session = UCCN_AGENDA_MAX_SESSION + UCCN_AGENDA_GRID; break;
		}
		w->must_build = false;
	}

	size_t np = u8(r) % (FUZZ_MAX_PARTICIPANTS + 1);
	for (size_t i = 0; i < np; i++) {
		struct uccn_agenda_participant *p = &w->people[i];
		char id[16];
		snprintf(id, sizeof id, "city-%zu", i);
		p->city = keep(r, id, strlen(id));
		p->name = text(r);
		p->tz = zone(r);
		p->has_offset = u8(r) & 1;
		offsets(r, p->offset);
	}
	in->participants = w->people;
	in->nparticipants = np;

	size_t ni = u8(r) % (FUZZ_MAX_ITEMS + 1);
	for (size_t i = 0; i < ni; i++) {
		struct uccn_agenda_item *it = &w->items[i];
		unsigned b = u8(r);
		it->kind = (enum uccn_agenda_kind)(b % UCCN_AGENDA_COFFEE_BREAK);
		char key[32];
		if ((b & 0xe0) == 0xe0 && i > 0) {
			it->key = w->items[u8(r) % i].key; /* a duplicate: refused */
			w->must_build = false;
		} else {
			snprintf(key, sizeof key, "post:%zu", i + 1);
			it->key = keep(r, key, strlen(key));
		}
		it->title = text(r);
		if (!it->title)
			it->title = keep(r, "", 0);
		unsigned m = u8(r);
		it->minutes = m < 250 ? (int)(1 + m % 48) * UCCN_AGENDA_GRID : (int)(m - 250);
		if (it->minutes == 0)
			w->must_build = false;
		it->priority = (enum uccn_agenda_priority)(u8(r) % 3);
		unsigned pin = u8(r);
		it->remote = pin & 1;
		it->pin_day = -1;
		it->pin_start = -1;
		if (pin & 2) {
			/* Past the last day, or before the hours, on purpose too. */
			it->pin_day = (int)((pin >> 2) % (unsigned)(in->days + 1));
			it->pin_start = (pin & 0x80) ? -1 : minute(r, 0, 24 * 60 - UCCN_AGENDA_GRID, true);
		}
		it->seq = u16(r);
		unsigned who = u8(r);
		if (np && who < 200) {
			const struct uccn_agenda_participant *p = &w->people[who % np];
			it->city = p->city;
			it->presenter = (who & 1) ? p->name : text(r);
			it->has_offset = p->has_offset;
			memcpy(it->offset, p->offset, sizeof it->offset);
		} else if (who < 240) {
			it->city = text(r);
			it->presenter = text(r);
			it->has_offset = who & 1;
			offsets(r, it->offset);
		}
		it->body = text(r);
		it->deferrals = (int)(u8(r) % 4);
		size_t nparts = u8(r) % (FUZZ_MAX_PARTS + 1);
		for (size_t k = 0; k < nparts; k++) {
			struct uccn_agenda_part *pt = &w->parts[i][k];
			pt->seq = u16(r);
			pt->city = text(r);
			pt->presenter = text(r);
			pt->title = text(r);
		}
		it->parts = nparts ? w->parts[i] : NULL;
		it->nparts = nparts;
	}
	in->items = w->items;
	in->nitems = ni;

	size_t nprev = ni ? u8(r) % (FUZZ_MAX_PREVIOUS + 1) : 0;
	for (size_t i = 0; i < nprev; i++) {
		unsigned b = u8(r);
		w->prev[i].key = b < 200 ? w->items[b % ni].key : keep(r, "post:999", 8);
		w->prev[i].day = (int)(u8(r) % (UCCN_AGENDA_MAX_DAYS + 1)) - (b & 1);
		w->prev[i].start = minute(r, 0, 24 * 60, true) - (b & 2);
	}
	in->previous = w->prev;
	in->nprevious = nprev;

	struct uccn_agenda_meeting *mt = &w->m;
	mt->id = text(r);
	if (!mt->id)
		mt->id = keep(r, "meeting", 7);
	mt->title = text(r);
	if (!mt->title)
		mt->title = keep(r, "Annual meeting", 14);
	mt->place = text(r);
	/* The meeting's zone is a checked IANA name (uccn_tz_name_valid) by
	 * the time it reaches a renderer: from the list only. */
	mt->tz = zones[u8(r) % NZONES];
	mt->year = 1970 + (int)(u8(r) % 131);
	mt->month = 1 + (int)(u8(r) % 12);
	mt->mday = 1 + (int)(u8(r) % 31);
	int base = ((int)u8(r) - 128) * 10;
	unsigned jump = u8(r);
	for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
		mt->utc_offset[d] = base + ((int)(jump % 16) <= d ? 60 : 0);
	mt->version = u16(r);
	mt->dtstamp = (int64_t)u16(r) * 65536 + u16(r);
	mt->vtimezone = (flags & 2) ? vtimezone : NULL;
}

/* ---- the checks ---- */

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
 * Returns the offset of the first bad byte, or n. */
static size_t utf8_bad(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t len;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		if (n - i < len)
			return i;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += len;
	}
	return n;
}

/* A JSON well-formedness check (RFC 8259), recursive descent. */
struct json {
	const char *p, *end;
	int depth;
};

static void json_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool json_lit(struct json *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool json_string(struct json *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p++;
		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (j->p >= j->end)
			return false;
		c = (unsigned char)*j->p++;
		if (c == 'u') {
			for (int k = 0; k < 4; k++, j->p++)
				if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p) || !*j->p)
					return false;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return false;
		}
	}
	return false;
}

static bool json_digits(struct json *j)
{
	const char *s = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool json_number(struct json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!json_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!json_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!json_digits(j))
			return false;
	}
	return true;
}

static bool json_value(struct json *j)
{
	json_ws(j);
	if (j->p >= j->end)
		return false;
	char c = *j->p;
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		if (++j->depth > JSON_MAX_DEPTH)
			return false;
		j->p++;
		json_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return true;
		}
		for (;;) {
			if (c == '{') {
				json_ws(j);
				if (!json_string(j))
					return false;
				json_ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return false;
			}
			if (!json_value(j))
				return false;
			json_ws(j);
			if (j->p >= j->end)
				return false;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != close)
				return false;
			j->depth--;
			return true;
		}
	}
	if (c == '"')
		return json_string(j);
	if (c == 't')
		return json_lit(j, "true");
	if (c == 'f')
		return json_lit(j, "false");
	if (c == 'n')
		return json_lit(j, "null");
	return json_number(j);
}

static bool json_valid(const char *s, size_t n)
{
	struct json j = {s, s + n, 0};
	if (!json_value(&j))
		return false;
	json_ws(&j);
	return j.p == j.end;
}

static void report_line(const char *what, const char *line, size_t n)
{
	fprintf(stderr, "fuzz_agenda: %s line of %zu bytes: %.*s\n", what, n,
		(int)(n > 400 ? 400 : n), line);
}

static void check_lines(enum uccn_agenda_format fmt, const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		if (fmt == UCCN_AGENDA_MD && len > MD_MAX_LINE) {
			report_line("Markdown", p, len);
			CHECK(len <= MD_MAX_LINE);
		}
		if (fmt == UCCN_AGENDA_ICS) {
			/* Every line ends in CRLF; 75 octets before it at most. */
			CHECK(nl != NULL && len >= 1 && p[len - 1] == '\r');
			if (len - 1 > ICS_MAX_LINE) {
				report_line("iCalendar", p, len - 1);
				CHECK(len - 1 <= ICS_MAX_LINE);
			}
			CHECK(memchr(p, '\r', len - 1) == NULL);
		}
		p = nl ? nl + 1 : end;
	}
}

static void check_render(enum uccn_agenda_format fmt, const struct world *w,
			 const struct uccn_agenda *a)
{
	char *out = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	int rc = uccn_agenda_render(fmt, &w->m, &w->in, a, &out, &len);
	if (rc == UCCN_E_NOMEM)
		return;
	if (rc)
		fprintf(stderr, "fuzz_agenda: format %d refused a built agenda: %d\n", (int)fmt, rc);
	CHECK(rc == 0 && out != NULL);
	CHECK(strlen(out) == len);
	size_t bad = utf8_bad((const unsigned char *)out, len);
	if (bad != len) {
		size_t from = bad > 120 ? bad - 120 : 0;
		fprintf(stderr, "fuzz_agenda: format %d: invalid UTF-8 at byte %zu, after: %.*s\n",
			(int)fmt, bad, (int)(bad - from), out + from);
	}
	CHECK(bad == len);
	check_lines(fmt, out, len);
	if (fmt == UCCN_AGENDA_JSON && !json_valid(out, len)) {
		fprintf(stderr, "fuzz_agenda: JSON not well-formed:\n%s\n", out);
		CHECK(0);
	}
	CHECK(uccn_agenda_render(fmt, &w->m, &w->in, a, &again, &len2) == 0);
	CHECK(len == len2 && memcmp(out, again, len) == 0);
	free(out);
	free(again);
}

static void check_agenda(const struct world *w, const struct uccn_agenda *a)
{
	const struct uccn_agenda_input *in = &w->in;
	unsigned char seen[FUZZ_MAX_ITEMS] = {0};
	CHECK(a->nslots == 0 || a->slots != NULL);
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		CHECK(s->day >= 0 && s->day < in->days);
		CHECK(s->start >= in->day_start && s->end <= in->day_end && s->start < s->end);
		if (i > 0 && a->slots[i - 1].day == s->day) {
			if (a->slots[i - 1].end > s->start)
				fprintf(stderr, "fuzz_agenda: day %d: %d-%d overlaps %d-%d\n", s->day,
					a->slots[i - 1].start, a->slots[i - 1].end, s->start, s->end);
			CHECK(a->slots[i - 1].end <= s->start);
		}
		CHECK(i == 0 || a->slots[i - 1].day <= s->day);
		if (s->item == SIZE_MAX) {
			CHECK(s->kind == UCCN_AGENDA_COFFEE_BREAK || s->kind == UCCN_AGENDA_LUNCH_BREAK);
		} else {
			CHECK(s->item < in->nitems);
			CHECK(s->kind == in->items[s->item].kind);
			CHECK(seen[s->item] < 255);
			seen[s->item]++;
		}
		CHECK(in->hybrid || s->ninconvenienced == 0);
		for (size_t k = 0; k < s->ninconvenienced; k++)
			CHECK(s->inconvenienced[k] < in->nparticipants);
	}
	for (size_t k = 0; k < a->ndeferred; k++) {
		CHECK(a->deferred[k].item < in->nitems);
		CHECK(memchr(a->deferred[k].reason, '\0', sizeof a->deferred[k].reason));
		CHECK(memchr(a->deferred[k].hint, '\0', sizeof a->deferred[k].hint));
		seen[a->deferred[k].item]++;
	}
	for (size_t i = 0; i < in->nitems; i++) {
		if (seen[i] != 1)
			fprintf(stderr, "fuzz_agenda: item %zu (%s) placed or deferred %u times\n",
				i, in->items[i].key, seen[i]);
		CHECK(seen[i] == 1);
	}
	for (size_t k = 0; k < a->nwarnings; k++) {
		CHECK(a->warnings[k].code != NULL);
		CHECK(a->warnings[k].item == SIZE_MAX || a->warnings[k].item < in->nitems);
		CHECK(memchr(a->warnings[k].text, '\0', sizeof a->warnings[k].text));
	}
}

static bool same_agenda(const struct uccn_agenda *a, const struct uccn_agenda *b)
{
	if (a->nslots != b->nslots || a->ndeferred != b->ndeferred ||
	    a->nwarnings != b->nwarnings || memcmp(&a->cost, &b->cost, sizeof a->cost))
		return false;
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *x = &a->slots[i], *y = &b->slots[i];
		if (x->day != y->day || x->start != y->start || x->end != y->end ||
		    x->kind != y->kind || x->item != y->item ||
		    x->ninconvenienced != y->ninconvenienced ||
		    (x->ninconvenienced && memcmp(x->inconvenienced, y->inconvenienced,
						  x->ninconvenienced * sizeof *x->inconvenienced)))
			return false;
	}
	for (size_t k = 0; k < a->ndeferred; k++)
		if (a->deferred[k].item != b->deferred[k].item ||
		    strcmp(a->deferred[k].reason, b->deferred[k].reason) ||
		    strcmp(a->deferred[k].hint, b->deferred[k].hint))
			return false;
	for (size_t k = 0; k < a->nwarnings; k++)
		if (a->warnings[k].item != b->warnings[k].item ||
		    strcmp(a->warnings[k].code, b->warnings[k].code) ||
		    strcmp(a->warnings[k].text, b->warnings[k].text))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	memset(&w, 0, sizeof w);
	/* Each text copies at most what remains plus a NUL; the fixed strings
	 * (keys, ids) are short. */
	size_t cap = 2 * size + 4096 * 4;
	struct reader r = {data, size, malloc(cap), 0, cap};
	CHECK(r.arena != NULL);
	decode(&r, &w);

	struct uccn_agenda a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	int rc = uccn_agenda_build(&w.in, &a);
	if (rc) {
		CHECK(rc == UCCN_E_INVALID || rc == UCCN_E_NOMEM);
		if (rc == UCCN_E_INVALID && w.must_build)
			fprintf(stderr, "fuzz_agenda: a valid input was refused\n");
		CHECK(rc == UCCN_E_NOMEM || !w.must_build);
		CHECK(a.nslots == 0 && a.ndeferred == 0);
		uccn_agenda_clear(&a);
		free(r.arena);
		return 0;
	}
	check_agenda(&w, &a);
	CHECK(uccn_agenda_build(&w.in, &b) == 0);
	CHECK(same_agenda(&a, &b));
	uccn_agenda_clear(&b);
	for (int f = UCCN_AGENDA_MD; f <= UCCN_AGENDA_JSON; f++)
		check_render((enum uccn_agenda_format)f, &w, &a);
	uccn_agenda_clear(&a);
	free(r.arena);
	return 0;
}
