/*
 * test_agenda_render.c - the agenda renderers on their own: a two-day
 * hybrid meeting in Europe/London from 9 December 2026, items from a dozen
 * cities in seven zones, some presented on-line, one too long to fit, one
 * participant of unknown zone; rendered as Markdown, HTML, iCalendar and
 * JSON and checked for structure, escaping and exact times.
 *
 * AGENDA_SAMPLE=/tmp/agenda-sample writes the four renderings to
 * /tmp/agenda-sample.{md,html,ics,json} for a human to look at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uccn_agenda.h"
#include "uccn_agenda_render.h"
#include "uccn_error.h"

#define H(h, m) ((h) * 60 + (m))
#define MAX_ITEMS 24

#define NASTY "Poetry <b>&\"' night"
#define NASTY_HTML "Poetry &lt;b&gt;&amp;&quot;&#39; night"
/* 2-, 3- and 4-byte characters, no comma or semicolon (SUMMARY escapes
 * those), long enough to fold more than once. */
#define LONG_UTF8 "Kraków Łódź — 東京 🎭 Óbidos Kraków Łódź — 東京 🎭 Óbidos " \
		  "Kraków Łódź — 東京 🎭 Óbidos Kraków Łódź — 東京 🎭 Óbidos"

/* 1 November 2026 12:00:00 UTC */
#define DTSTAMP 1793534400
#define DTSTAMP_ICS "DTSTAMP:20261101T120000Z"

/* Offsets from Europe/London in December: local minus meeting time. */
static const struct {
	const char *city, *name, *tz;
	int offset;
} zones[] = {
	{"heidelberg", "Heidelberg", "Europe/Berlin", 60},
	{"krakow", "Kraków", "Europe/Warsaw", 60},
	{"granada-literature", "Granada", "Europe/Madrid", 60},
	{"nottingham", "Nottingham", "Europe/London", 0},
	{"dublin", "Dublin", "Europe/Dublin", 0},
	{"edinburgh", "Edinburgh", "Europe/London", 0},
	{"iowa-city", "Iowa City", "America/Chicago", -6 * 60},
	{"melbourne", "Melbourne", "Australia/Melbourne", 11 * 60},
	{"dunedin", "Dunedin", "Pacific/Auckland", 13 * 60},
	{"baghdad", "Baghdad", "Asia/Baghdad", 3 * 60},
	{"tartu", "Tartu", "Europe/Tallinn", 2 * 60},
	{"reykjavik", "Reykjavík", "Atlantic/Reykjavik", 0},
};
#define NZONES (sizeof zones / sizeof zones[0])
#define DISTINCT_NONZERO_OFFSETS 6 /* -360, 60, 120, 180, 660, 780 */

static const char vtimezone_london[] =
	"BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"
	"BEGIN:STANDARD\r\nDTSTART:19701025T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
	"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nEND:STANDARD\r\n"
	"BEGIN:DAYLIGHT\r\nDTSTART:19700329T010000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
	"TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nEND:DAYLIGHT\r\n"
	"END:VTIMEZONE\r\n";

static const char *name_of(const char *city)
{
	for (size_t i = 0; city && i < NZONES; i++)
		if (strcmp(zones[i].city, city) == 0)
			return zones[i].name;
	return NULL;
}

static int offset_of(const char *city)
{
	for (size_t i = 0; i < NZONES; i++)
		if (strcmp(zones[i].city, city) == 0)
			return zones[i].offset;
	return 0;
}

static struct uccn_agenda_item item(const char *key, const char *title, enum uccn_agenda_kind kind,
				    const char *city, int minutes, bool remote, uint64_t seq)
{
	struct uccn_agenda_item it = {
		.key = key, .kind = kind, .title = title, .city = city, .seq = seq,
		.minutes = minutes, .priority = UCCN_AGENDA_NORMAL, .remote = remote,
		.pin_day = -1, .pin_start = -1, .has_offset = city != NULL,
		.presenter = name_of(city),
	};
	for (int d = 0; d < UCCN_AGENDA_MAX_DAYS && city; d++)
		it.offset[d] = offset_of(city);
	return it;
}

static struct uccn_agenda_item items[MAX_ITEMS];
static struct uccn_agenda_participant parts[NZONES + 1];

static struct uccn_agenda_input scenario(void)
{
	size_t k = 0;
	items[k++] = item("opening", "Opening", UCCN_AGENDA_OPENING, "nottingham", 15, false, 0);
	items[k++] = item("report", "Coordinator's report", UCCN_AGENDA_REPORT, "krakow", 30, false, 0);
	items[k++] = item("welcome", "Welcome to the new cities", UCCN_AGENDA_WELCOME, NULL, 20, false, 0);
	items[k++] = item("election", "Election of the coordinator", UCCN_AGENDA_DECISION, NULL, 30, false, 0);
	items[k++] = item("project:drop-the-mic", "Drop the Mic: a year of slams", UCCN_AGENDA_PROJECT,
			  "reykjavik", 20, true, 0);
	items[k++] = item("post:101", "Translation residencies", UCCN_AGENDA_ITEM, "iowa-city", 30, true, 101);
	items[k++] = item("post:102", "Writers' festivals after the pandemic", UCCN_AGENDA_ITEM,
			  "melbourne", 25, true, 102);
	items[k++] = item("post:103", LONG_UTF8, UCCN_AGENDA_ITEM, "dunedin", 20, false, 103);
	items[k++] = item("post:104", "A shared literary map", UCCN_AGENDA_PROPOSAL, "baghdad", 30, false, 104);
	items[k++] = item("post:105", "Libraries as public living rooms", UCCN_AGENDA_ITEM, "tartu", 45, false, 105);
	items[k++] = item("post:106", NASTY, UCCN_AGENDA_ITEM, "nottingham", 60, false, 106);
	items[k++] = item("post:107", "City of Words; words of the city", UCCN_AGENDA_ITEM, "dublin", 40, false, 107);
	items[k++] = item("post:108", "Children's book weeks", UCCN_AGENDA_GOOD_PRACTICE, "edinburgh", 30, false, 108);
	items[k++] = item("post:109", "A ten-hour reading marathon", UCCN_AGENDA_ITEM,
			  "granada-literature", 600, false, 109);
	items[k++] = item("post:110", "Poetry on the prairie", UCCN_AGENDA_ITEM, "iowa-city", 20, true, 110);
	items[k++] = item("next", "Next meeting", UCCN_AGENDA_NEXT_MEETING, NULL, 10, false, 0);
	items[k++] = item("closing", "Closing", UCCN_AGENDA_CLOSING, NULL, 10, false, 0);
	for (size_t i = 0; i < NZONES; i++) {
		parts[i] = (struct uccn_agenda_participant){.city = zones[i].city, .name = zones[i].name,
							    .tz = zones[i].tz, .has_offset = true};
		for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
			parts[i].offset[d] = zones[i].offset;
	}
	/* a city whose zone is unknown: a warning, and no column */
	parts[NZONES] = (struct uccn_agenda_participant){.city = "atlantis", .tz = NULL,
							  .has_offset = false};
	return (struct uccn_agenda_input){
		.days = 2, .day_start = H(9, 0), .day_end = H(17, 30), .hybrid = true,
		.items = items, .nitems = k, .participants = parts, .nparticipants = NZONES + 1,
	};
}

static struct uccn_agenda_meeting meeting(void)
{
	struct uccn_agenda_meeting m = {
		.id = "agm-2026", .title = "Cities of Literature annual meeting 2026",
		.place = "Nottingham", .tz = "Europe/London", .year = 2026, .month = 12, .mday = 9,
		.version = 3, .dtstamp = DTSTAMP, .vtimezone = vtimezone_london,
	};
	return m; /* utc_offset: all 0 (GMT in December) */
}

struct fixture {
	struct uccn_agenda_input in;
	struct uccn_agenda_meeting m;
	struct uccn_agenda a;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->in = scenario();
	f->m = meeting();
	if (uccn_agenda_build(&f->in, &f->a) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	uccn_agenda_clear(&f->a);
	free(f);
	return 0;
}

static char *render(enum uccn_agenda_format fmt, const struct fixture *f,
		    const struct uccn_agenda_meeting *m, size_t *len)
{
	char *out = NULL;
	size_t n = 0;
	assert_int_equal(uccn_agenda_render(fmt, m ? m : &f->m, &f->in, &f->a, &out, &n), 0);
	assert_non_null(out);
	assert_int_equal(strlen(out), n); /* no NUL inside */
	if (len)
		*len = n;
	return out;
}

static const char *slot_title(const struct fixture *f, const struct uccn_agenda_slot *s)
{
	if (s->item != SIZE_MAX)
		return f->in.items[s->item].title;
	return s->kind == UCCN_AGENDA_LUNCH_BREAK ? "Lunch" : "Coffee break";
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* s with & < > " ' as HTML entities, into out. */
static void html_escape(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; *s; s++) {
		const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
			      : *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
		size_t k = e ? strlen(e) : 1;
		assert_true(n + k < size);
		memcpy(out + n, e ? e : s, k);
		n += k;
	}
	out[n] = '\0';
}

/* ---- a small strict JSON validator (RFC 8259) ---- */

static const char *j_value(const char *p, int depth);

static const char *j_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *j_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (;;) {
		unsigned char c = (unsigned char)*p++;
		if (c == '"')
			return p;
		if (c < 0x20)
			return NULL;
		if (c != '\\')
			continue;
		c = (unsigned char)*p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++, p++)
				if (!strchr("0123456789abcdefABCDEF", *p) || !*p)
					return NULL;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return NULL;
		}
	}
}

static const char *j_digits(const char *p)
{
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

static const char *j_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (!(p = j_digits(p)))
		return NULL;
	if (*p == '.' && !(p = j_digits(p + 1)))
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(p = j_digits(p)))
			return NULL;
	}
	return p;
}

static const char *j_value(const char *p, int depth)
{
	if (depth > 32)
		return NULL;
	p = j_ws(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool object = *p == '{';
		p = j_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (object) {
				if (!(p = j_string(j_ws(p))))
					return NULL;
				p = j_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			if (!(p = j_value(p, depth + 1)))
				return NULL;
			p = j_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return j_string(p);
	if (strncmp(p, "true", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (strncmp(p, "null", 4) == 0)
		return p + 4;
	return j_number(p);
}

static bool json_valid(const char *s)
{
	const char *p = j_value(s, 0);
	return p && *j_ws(p) == '\0';
}

/* ---- UTF-8, for the iCalendar folding ---- */

static bool utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
			 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (k == 0 || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

/* Check every physical line: CRLF-terminated, at most 75 octets, valid
 * UTF-8 on its own (so no fold split a character). */
static void check_ics_lines(const char *ics, size_t len)
{
	assert_true(len >= 2);
	assert_memory_equal(ics + len - 2, "\r\n", 2);
	const char *p = ics, *end = ics + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		assert_true(nl > p && nl[-1] == '\r');
		size_t n = (size_t)(nl - 1 - p);
		assert_null(memchr(p, '\r', n));
		assert_true(n <= 75);
		const char *text = *p == ' ' ? p + 1 : p;
		assert_true(utf8_valid((const unsigned char *)text, (size_t)(nl - 1 - text)));
		p = nl + 1;
	}
}

/* The content lines, unfolded, each ended by '\n'. */
static char *ics_unfold(const char *ics)
{
	char *u = malloc(strlen(ics) + 1), *q = u;
	assert_non_null(u);
	for (const char *p = ics; *p;) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
			p += 3;
		} else if (p[0] == '\r' && p[1] == '\n') {
			*q++ = '\n';
			p += 2;
		} else {
			*q++ = *p++;
		}
	}
	*q = '\0';
	return u;
}

/* ---- the tests ---- */

static void test_format_names(void **state)
{
	(void)state;
	assert_int_equal(uccn_agenda_format_from_name("md"), UCCN_AGENDA_MD);
	assert_int_equal(uccn_agenda_format_from_name("html"), UCCN_AGENDA_HTML);
	assert_int_equal(uccn_agenda_format_from_name("ics"), UCCN_AGENDA_ICS);
	assert_int_equal(uccn_agenda_format_from_name("json"), UCCN_AGENDA_JSON);
	assert_int_equal(uccn_agenda_format_from_name("pdf"), -1);
	assert_int_equal(uccn_agenda_format_from_name("MD"), -1);
	assert_int_equal(uccn_agenda_format_from_name(""), -1);
	assert_int_equal(uccn_agenda_format_from_name(NULL), -1);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	char *out = (char *)"untouched";
	size_t len = 7;
	assert_int_equal(uccn_agenda_render((enum uccn_agenda_format)42, &f->m, &f->in, &f->a,
					    &out, &len), UCCN_E_INVALID);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(uccn_agenda_render((enum uccn_agenda_format)-1, &f->m, &f->in, &f->a,
					    &out, &len), UCCN_E_INVALID);
	assert_int_equal(uccn_agenda_render(UCCN_AGENDA_MD, &f->m, &f->in, &f->a, NULL, &len),
			 UCCN_E_INVALID);
	/* an agenda that was not built from this input */
	struct uccn_agenda_input fewer = f->in;
	fewer.nitems = 2;
	assert_int_equal(uccn_agenda_render(UCCN_AGENDA_JSON, &f->m, &fewer, &f->a, &out, &len),
			 UCCN_E_INVALID);
	assert_null(out);
}

/* The scenario has what the renderers must show: a deferral, warnings,
 * remote items, inconvenienced participants. */
static void test_scenario(void **state)
{
	struct fixture *f = *state;
	assert_true(f->a.nslots > 10);
	assert_true(f->a.ndeferred >= 1);
	assert_true(f->a.nwarnings >= 1);
	assert_int_equal(f->a.slots[0].day, 0);
	assert_int_equal(f->a.slots[0].start, H(9, 0));
	assert_string_equal(items[f->a.slots[0].item].key, "opening");
	assert_true(f->a.slots[0].ninconvenienced > 0);
}

static void test_deterministic(void **state)
{
	struct fixture *f = *state;
	struct uccn_agenda again = {0}; /* uccn_agenda_build wants it zeroed */
	assert_int_equal(uccn_agenda_build(&f->in, &again), 0);
	for (int fmt = UCCN_AGENDA_MD; fmt <= UCCN_AGENDA_JSON; fmt++) {
		size_t n1, n2;
		char *a = render((enum uccn_agenda_format)fmt, f, NULL, &n1);
		char *b = render((enum uccn_agenda_format)fmt, f, NULL, &n2);
		assert_true(n1 > 100);
		assert_int_equal(n1, n2);
		assert_memory_equal(a, b, n1);
		/* and from an agenda built afresh */
		char *c = NULL;
		size_t n3 = 0;
		assert_int_equal(uccn_agenda_render((enum uccn_agenda_format)fmt, &f->m, &f->in, &again,
						    &c, &n3), 0);
		assert_int_equal(n1, n3);
		assert_memory_equal(a, c, n1);
		free(a);
		free(b);
		free(c);
	}
	uccn_agenda_clear(&again);
}

static void test_markdown(void **state)
{
	struct fixture *f = *state;
	char *md = render(UCCN_AGENDA_MD, f, NULL, NULL);
	/* every title, NASTY escaped (it has <, > and is checked below) */
	for (size_t i = 0; i < f->a.nslots; i++)
		if (strcmp(slot_title(f, &f->a.slots[i]), NASTY) != 0)
			assert_non_null(strstr(md, slot_title(f, &f->a.slots[i])));
	assert_non_null(strstr(md, "Poetry \\<b\\>&\"' night"));
	assert_non_null(strstr(md, "# Cities of Literature annual meeting 2026 \u2014 Nottingham, "
				   "9\u201310 December 2026, times in Europe/London\n"));
	assert_non_null(strstr(md, "Version 3."));
	assert_non_null(strstr(md, "## Day 1 \u2014 Wednesday 9 December 2026 (UTC+00:00)"));
	assert_non_null(strstr(md, "## Day 2 \u2014 Thursday 10 December 2026 (UTC+00:00)"));
	assert_non_null(strstr(md, "- 09:00\u201309:15  Opening \u2014 Nottingham\n"));
	/* 09:00 in London is night in Iowa City, Melbourne and Dunedin: a
	 * count, never the names (issue 12) */
	assert_non_null(strstr(md, "\n  inconveniences 3 cities\n"));
	assert_null(strstr(md, "iowa-city"));
	assert_non_null(strstr(md, "Coffee break"));
	assert_non_null(strstr(md, "Lunch"));
	assert_non_null(strstr(md, "Translation residencies \u2014 Iowa City (on-line)"));
	assert_non_null(strstr(md, "## Deferred\n\n- A ten-hour reading marathon "
				   "(Granada, post 109): needs 600 minutes"));
	assert_non_null(strstr(md, "## Warnings\n"));
	assert_non_null(strstr(md, "atlantis"));
	/* Day 1 before Day 2, deferred and warnings after both */
	assert_true(strstr(md, "## Day 1") < strstr(md, "## Day 2"));
	assert_true(strstr(md, "## Day 2") < strstr(md, "## Deferred"));
	assert_true(strstr(md, "## Deferred") < strstr(md, "## Warnings"));
	free(md);

	/* A draft of an in-person meeting says whom nothing inconveniences. */
	struct uccn_agenda_input in = f->in;
	in.hybrid = false;
	struct uccn_agenda a = {0};
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	struct uccn_agenda_meeting m = f->m;
	m.version = 0;
	m.place = NULL;
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(uccn_agenda_render(UCCN_AGENDA_MD, &m, &in, &a, &out, &len), 0);
	assert_null(strstr(out, "inconveniences"));
	assert_non_null(strstr(out, "Draft"));
	assert_non_null(strstr(out, "2026 \u2014 9\u201310 December 2026, times in Europe/London\n"));
	free(out);
	/* across a month's end */
	m.month = 11;
	m.mday = 30;
	assert_int_equal(uccn_agenda_render(UCCN_AGENDA_MD, &m, &in, &a, &out, &len), 0);
	assert_non_null(strstr(out, "30 November \u2013 1 December 2026, times in"));
	assert_non_null(strstr(out, "## Day 2 \u2014 Tuesday 1 December 2026"));
	free(out);
	uccn_agenda_clear(&a);
}

static void test_html(void **state)
{
	struct fixture *f = *state;
	char *html = render(UCCN_AGENDA_HTML, f, NULL, NULL);
	for (size_t i = 0; i < f->a.nslots; i++) {
		char t[512];
		html_escape(slot_title(f, &f->a.slots[i]), t, sizeof t);
		assert_non_null(strstr(html, t));
	}
	/* escaped, never raw */
	assert_non_null(strstr(html, NASTY_HTML));
	assert_null(strstr(html, "<b>"));
	assert_non_null(strstr(html, "Coordinator&#39;s report"));
	/* self-contained: nothing fetched, nothing run */
	assert_null(strcasestr(html, "http"));
	assert_null(strcasestr(html, "<script"));
	assert_null(strcasestr(html, "<link"));
	assert_null(strcasestr(html, "src="));
	assert_null(strcasestr(html, "url("));
	assert_null(strcasestr(html, "@import"));
	assert_true(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(html, "@page { size: A4; margin:"));
	assert_non_null(strstr(html, "</html>\n"));
	/* a local-time column per distinct zone offset, each day; Chicago's
	 * head names its place and its UTC offset, short enough for A4; the
	 * legend under the table names the zones in full */
	assert_int_equal(count(html, "<th class=\"z\">"), 2 * DISTINCT_NONZERO_OFFSETS);
	assert_non_null(strstr(html, "<th class=\"z\">Chicago<small>UTC-06:00</small></th>"));
	assert_non_null(strstr(html, "Berlin, Warsaw, \u2026<small>UTC+01:00"));
	assert_int_equal(count(html, "<p class=\"zones\">Local times: "), 2);
	assert_non_null(strstr(html, "UTC-06:00 America/Chicago;"));
	assert_non_null(strstr(html, "UTC+01:00 Europe/Berlin, Europe/Warsaw, Europe/Madrid"));
	/* the opening: 03:00 in Chicago, shaded as night */
	assert_non_null(strstr(html, "<td class=\"z night\" data-z=\"UTC-06:00\"><span>03:00</span></td>"));
	/* the unknown zone: only in the warnings */
	const char *w = strstr(html, "<h2>Warnings</h2>");
	assert_non_null(w);
	assert_true(strstr(html, "atlantis") > w);
	assert_non_null(strstr(html, "<h2>Deferred</h2>"));
	assert_non_null(strstr(html, "A ten-hour reading marathon"));
	/* tags balance where it matters */
	assert_int_equal(count(html, "<table>"), count(html, "</table>"));
	assert_int_equal(count(html, "<tr"), count(html, "</tr>"));
	assert_int_equal(count(html, "<td"), count(html, "</td>"));
	free(html);
}

static void test_json(void **state)
{
	struct fixture *f = *state;
	char *json = render(UCCN_AGENDA_JSON, f, NULL, NULL);
	assert_true(json_valid(json));
	/* keys in their fixed order */
	const char *keys[] = {"{\n  \"meeting\": \"agm-2026\"", "\"version\": 3",
			      "\"timezone\": \"Europe/London\"", "\"slots\": [",
			      "\"deferred\": [", "\"warnings\": ["};
	const char *prev = json;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *p = strstr(json, keys[i]);
		assert_non_null(p);
		assert_true(p >= prev);
		prev = p;
	}
	assert_non_null(strstr(json, "{\"key\": \"opening\", \"day\": 1, "
				     "\"start\": \"2026-12-09T09:00:00+00:00\", "
				     "\"end\": \"2026-12-09T09:15:00+00:00\", \"title\": \"Opening\", "
				     "\"kind\": \"opening\", \"seq\": null, \"city\": \"nottingham\", "
				     "\"presenter\": \"Nottingham\", \"minutes\": 15, "
				     "\"priority\": \"normal\", \"remote\": false, \"body\": null, "
				     "\"parts\": [], \"presenter_start\": \"2026-12-09T09:00:00+00:00\", "
				     "\"inconvenienced_count\": 3, \"inconvenienced\": [\"iowa-city\", "));
	assert_non_null(strstr(json, "\"day\": 2, \"start\": \"2026-12-10T09:00:00+00:00\""));
	assert_non_null(strstr(json, "\"title\": \"Poetry <b>&\\\"' night\""));
	assert_non_null(strstr(json, "\"seq\": 101, \"city\": \"iowa-city\", "
				     "\"presenter\": \"Iowa City\", \"minutes\": 30, "
				     "\"priority\": \"normal\", \"remote\": true"));
	assert_non_null(strstr(json, "\"kind\": \"coffee-break\", \"seq\": null, \"city\": null, "
				     "\"presenter\": null, \"minutes\": 15, \"priority\": null, "
				     "\"remote\": false, \"body\": null, \"parts\": [], "
				     "\"presenter_start\": null, \"inconvenienced_count\": 0, "
				     "\"inconvenienced\": []}"));
	assert_non_null(strstr(json, "{\"key\": \"post:109\", \"title\": \"A ten-hour reading marathon\", "
				     "\"kind\": \"agenda-item\", \"seq\": 109, \"city\": \"granada-literature\", "
				     "\"presenter\": \"Granada\", \"minutes\": 600, \"priority\": \"normal\", "
				     "\"remote\": false, \"body\": null, \"parts\": [], \"deferrals\": 0, "
				     "\"reason\": \"needs 600 minutes"));
	assert_int_equal(count(json, "\", \"day\": "), f->a.nslots);
	free(json);

	/* An hour ahead of UTC (Europe/Berlin's winter): the same wall times. */
	struct uccn_agenda_meeting m = f->m;
	for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
		m.utc_offset[d] = 60;
	json = render(UCCN_AGENDA_JSON, f, &m, NULL);
	assert_true(json_valid(json));
	assert_non_null(strstr(json, "\"start\": \"2026-12-09T09:00:00+01:00\""));
	free(json);
	/* ... and west of UTC, across a month's end */
	m.year = 2026, m.month = 11, m.mday = 30;
	for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
		m.utc_offset[d] = -(3 * 60 + 30);
	json = render(UCCN_AGENDA_JSON, f, &m, NULL);
	assert_non_null(strstr(json, "\"start\": \"2026-11-30T09:00:00-03:30\""));
	assert_non_null(strstr(json, "\"start\": \"2026-12-01T09:00:00-03:30\""));
	free(json);

	/* Control characters come out as \u00XX, still valid JSON. */
	struct uccn_agenda_item saved = items[1];
	items[1].title = "Report\n\twith\x01 controls";
	json = render(UCCN_AGENDA_JSON, f, NULL, NULL);
	items[1] = saved;
	assert_true(json_valid(json));
	assert_non_null(strstr(json, "\"Report\\u000a\\u0009with\\u0001 controls\""));
	free(json);
}

static void test_ics(void **state)
{
	struct fixture *f = *state;
	size_t len;
	char *ics = render(UCCN_AGENDA_ICS, f, NULL, &len);
	check_ics_lines(ics, len);
	static const char head[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//uccn//agenda//EN\r\n"
				   "CALSCALE:GREGORIAN\r\n";
	assert_true(strncmp(ics, head, sizeof head - 1) == 0);
	assert_non_null(strstr(ics, vtimezone_london));
	char *u = ics_unfold(ics);
	assert_non_null(strstr(u, "\nX-WR-CALNAME:Cities of Literature annual meeting 2026\n"));
	assert_true(strlen(u) >= 15 && strcmp(u + strlen(u) - 15, "\nEND:VCALENDAR\n") == 0);
	assert_int_equal(count(u, "\nBEGIN:VEVENT\n"), f->a.nslots);
	assert_int_equal(count(u, "\nEND:VEVENT\n"), f->a.nslots);
	assert_int_equal(count(u, "\nSEQUENCE:3\n"), f->a.nslots);
	assert_int_equal(count(u, "\nSEQUENCE:"), f->a.nslots);
	assert_int_equal(count(u, "\n" DTSTAMP_ICS "\n"), f->a.nslots);
	assert_int_equal(count(u, "\nDTSTART;TZID=Europe/London:"), f->a.nslots);
	assert_int_equal(count(u, "\nDTEND;TZID=Europe/London:"), f->a.nslots);
	assert_non_null(strstr(u, "\nUID:opening@agm-2026.uccn\nDTSTAMP:20261101T120000Z\nSEQUENCE:3\n"
				  "DTSTART;TZID=Europe/London:20261209T090000\n"
				  "DTEND;TZID=Europe/London:20261209T091500\nSUMMARY:Opening\n"));
	assert_non_null(strstr(u, "\nUID:break-1-"));
	assert_null(strstr(u, "\nDTSTART:2026"));
	/* TEXT escaping */
	assert_non_null(strstr(u, "\nSUMMARY:City of Words\\; words of the city\n"));
	assert_non_null(strstr(u, "\nSUMMARY:" NASTY "\n"));
	assert_non_null(strstr(u, "\nDESCRIPTION:Presented by Iowa City\\, on-line.\\nPost 101."));
	/* UIDs: one per slot, unique, stable (no time in them) */
	const char *uids[256];
	size_t n = 0;
	for (const char *p = u; (p = strstr(p, "\nUID:")) != NULL; p++) {
		assert_true(n < 256);
		uids[n++] = p + 5;
		const char *e = strchr(p + 5, '\n');
		assert_true(e - (p + 5) > 14);
		assert_memory_equal(e - 14, "@agm-2026.uccn", 14);
	}
	assert_int_equal(n, f->a.nslots);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_false(strcspn(uids[i], "\n") == strcspn(uids[j], "\n") &&
				     strncmp(uids[i], uids[j], strcspn(uids[i], "\n")) == 0);
	/* the long UTF-8 summary is whole once unfolded, folded in the raw text */
	assert_non_null(strstr(u, "\nSUMMARY:" LONG_UTF8 "\n"));
	assert_null(strstr(ics, "SUMMARY:" LONG_UTF8));
	free(u);
	free(ics);

	/* Without a VTIMEZONE: UTC times, here an hour before the wall clock. */
	struct uccn_agenda_meeting m = f->m;
	m.vtimezone = NULL;
	for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
		m.utc_offset[d] = 60;
	ics = render(UCCN_AGENDA_ICS, f, &m, &len);
	check_ics_lines(ics, len);
	assert_null(strstr(ics, "BEGIN:VTIMEZONE"));
	assert_null(strstr(ics, "TZID"));
	assert_non_null(strstr(ics, "\r\nDTSTART:20261209T080000Z\r\nDTEND:20261209T081500Z\r\n"));
	assert_int_equal(count(ics, "\r\nDTSTART:2026"), f->a.nslots);
	assert_int_equal(count(ics, "\r\n" DTSTAMP_ICS "\r\n"), f->a.nslots);
	free(ics);

	/* A draft: SEQUENCE 0. */
	m.version = 0;
	ics = render(UCCN_AGENDA_ICS, f, &m, &len);
	assert_int_equal(count(ics, "\r\nSEQUENCE:0\r\n"), f->a.nslots);
	free(ics);
}

/* A title that is not UTF-8 (an overlong '/', a surrogate, a cut
 * character) is shown with U+FFFD for each bad byte, never passed on raw:
 * a mail reader or browser would show garbage, or worse. */
static void test_invalid_utf8_becomes_replacement(void **state)
{
	struct fixture *f = *state;
	struct uccn_agenda_item saved = items[0];
	items[0].title = "A\xc0\xaf" "B\xed\xa0\x80" "C\xe2\x82";
	size_t len;
	char *md = render(UCCN_AGENDA_MD, f, NULL, &len);
	assert_non_null(strstr(md, "A\xef\xbf\xbd\xef\xbf\xbd" "B\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
				   "C\xef\xbf\xbd\xef\xbf\xbd"));
	assert_null(strstr(md, "\xc0\xaf"));
	free(md);
	items[0] = saved;
}

/* Folding never splits a character, whichever byte a fold falls on. */
static void test_ics_fold_utf8(void **state)
{
	struct fixture *f = *state;
	struct uccn_agenda_item saved = items[0];
	char title[400];
	for (size_t pad = 0; pad < 4; pad++) {
		/* shift the characters against the 75-octet boundary */
		snprintf(title, sizeof title, "%.*s%s", (int)pad, "xxx", LONG_UTF8 "東京🎭東京🎭");
		items[0].title = title;
		size_t len;
		char *ics = render(UCCN_AGENDA_ICS, f, NULL, &len);
		check_ics_lines(ics, len);
		char *u = ics_unfold(ics);
		char want[450];
		snprintf(want, sizeof want, "\nSUMMARY:%s\n", title);
		assert_non_null(strstr(u, want));
		free(u);
		free(ics);
	}
	items[0] = saved;
}

/* AGENDA_SAMPLE=prefix: write prefix.{md,html,ics,json} to look at. */
static void test_write_samples(void **state)
{
	struct fixture *f = *state;
	const char *prefix = getenv("AGENDA_SAMPLE");
	if (!prefix)
		skip();
	static const char *const ext[] = {"md", "html", "ics", "json"};
	for (int fmt = UCCN_AGENDA_MD; fmt <= UCCN_AGENDA_JSON; fmt++) {
		size_t len;
		char *out = render((enum uccn_agenda_format)fmt, f, NULL, &len);
		char path[512];
		snprintf(path, sizeof path, "%s.%s", prefix, ext[fmt]);
		FILE *fp = fopen(path, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(out, 1, len, fp), len);
		assert_int_equal(fclose(fp), 0);
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_names),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scenario, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ics_fold_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_utf8_becomes_replacement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_samples, setup, teardown),
	};
	return cmocka_run_group_tests_name("agenda_render", tests, NULL, NULL);
}
