/*
 * render.c - an agenda as text: Markdown for an e-mail, one printable HTML
 * page, iCalendar (RFC 5545) and JSON. Pure and deterministic: no I/O, no
 * clock, no locale; dates come from a proleptic Gregorian day count, never
 * from mktime or the TZ variable.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uccn_agenda_render.h"
#include "uccn_error.h"

#define DAY_MINUTES (24 * 60)
/* iCalendar content lines: at most 75 octets, CRLF not counted. */
#define ICS_LINE 75
/* More local-time columns than this and the HTML page turns landscape. */
#define HTML_PORTRAIT_ZONES 6
/* Zone names shown in an HTML column header before "...". */
#define HTML_ZONE_NAMES 2
/* And in the legend under a day's table. */
#define HTML_LEGEND_NAMES 8

static const struct {
	const char *name;
	enum uccn_agenda_format fmt;
} format_names[] = {
	{"md", UCCN_AGENDA_MD},
	{"html", UCCN_AGENDA_HTML},
	{"ics", UCCN_AGENDA_ICS},
	{"json", UCCN_AGENDA_JSON},
};

int uccn_agenda_format_from_name(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcmp(name, format_names[i].name) == 0)
			return (int)format_names[i].fmt;
	return -1;
}

/* ---- a growable buffer whose first error sticks ---- */

struct buf {
	char *p;
	size_t len, cap;
	int err;
};

static bool reserve(struct buf *b, size_t more)
{
	if (b->err)
		return false;
	if (more >= SIZE_MAX / 2 - b->len) {
		b->err = UCCN_E_NOMEM;
		return false;
	}
	size_t need = b->len + more + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < need)
		cap *= 2;
	char *q = realloc(b->p, cap);
	if (!q) {
		b->err = UCCN_E_NOMEM;
		return false;
	}
	b->p = q;
	b->cap = cap;
	return true;
}

static void put_n(struct buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void put(struct buf *b, const char *s)
{
	put_n(b, s, strlen(s));
}

static void put_c(struct buf *b, char c)
{
	put_n(b, &c, 1);
}

static void putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (!b->err)
			b->err = UCCN_E_INTERNAL;
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ---- text, escaped for each format ---- */

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0. Stops at a
 * NUL: a continuation byte is never 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0;
	if ((s[1] & 0xC0) != 0x80)
		return 0;
	if (c < 0xE0)
		return 2;
	if ((s[2] & 0xC0) != 0x80 || (c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
		return 0; /* overlong, or a surrogate */
	if (c < 0xF0)
		return 3;
	if ((s[3] & 0xC0) != 0x80 || (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
		return 0; /* overlong, or past U+10FFFF */
	return 4;
}

enum esc {
	ESC_TEXT, /* Markdown for plain-text reading: verbatim, one line */
	ESC_HTML,
	ESC_ICS,  /* an RFC 5545 TEXT value */
	ESC_JSON, /* inside a JSON string */
};

/* s, escaped for e. Invalid UTF-8 becomes U+FFFD; control characters a
 * space, except that ICS and JSON keep line breaks their own way. */
static void put_esc(struct buf *b, const char *s, enum esc e)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_len(p);
		if (n == 0) {
			put(b, "\xEF\xBF\xBD");
			p++;
			continue;
		}
		if (n > 1) {
			put_n(b, (const char *)p, n);
			p += n;
			continue;
		}
		unsigned char c = *p++;
		switch (e) {
		case ESC_TEXT:
			put_c(b, c < 0x20 || c == 0x7F ? ' ' : (char)c);
			break;
		case ESC_HTML:
			if (c == '&')
				put(b, "&amp;");
			else if (c == '<')
				put(b, "&lt;");
			else if (c == '>')
				put(b, "&gt;");
			else if (c == '"')
				put(b, "&quot;");
			else if (c == '\'')
				put(b, "&#39;");
			else
				put_c(b, c < 0x20 || c == 0x7F ? ' ' : (char)c);
			break;
		case ESC_ICS:
			if (c == '\\' || c == ';' || c == ',') {
				put_c(b, '\\');
				put_c(b, (char)c);
			} else if (c == '\r' && *p == '\n') {
				/* CRLF is one line break */
			} else if (c == '\n' || c == '\r') {
				put(b, "\\n");
			} else {
				put_c(b, c < 0x20 || c == 0x7F ? ' ' : (char)c);
			}
			break;
		case ESC_JSON:
			if (c == '"' || c == '\\') {
				put_c(b, '\\');
				put_c(b, (char)c);
			} else if (c < 0x20) {
				putf(b, "\\u%04x", c);
			} else {
				put_c(b, (char)c);
			}
			break;
		}
	}
}

static void put_json_str(struct buf *b, const char *s)
{
	if (!s) {
		put(b, "null");
		return;
	}
	put_c(b, '"');
	put_esc(b, s, ESC_JSON);
	put_c(b, '"');
}

/* ---- the calendar ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); a day of month past the month's end runs on. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct civil {
	int64_t year;
	int month, mday, wday; /* wday: 0 Monday .. 6 Sunday */
	int hour, minute, second;
};

static struct civil civil_from_seconds(int64_t t)
{
	struct civil c;
	int64_t z = floor_div(t, 86400), rest = t - z * 86400;
	c.hour = (int)(rest / 3600);
	c.minute = (int)(rest / 60 % 60);
	c.second = (int)(rest % 60);
	c.wday = (int)(z + 3 - floor_div(z + 3, 7) * 7); /* 1970-01-01 was a Thursday */
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	c.mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c.year = yoe + era * 400 + (c.month <= 2);
	return c;
}

/* Minutes since 1970-01-01 00:00 of minute t of meeting day `day`, as if
 * the meeting's wall clock were UTC. */
static int64_t wall_minutes(const struct uccn_agenda_meeting *m, int day, int t)
{
	return (days_from_civil(m->year, m->month, m->mday) + day) * DAY_MINUTES + t;
}

static struct civil wall_civil(const struct uccn_agenda_meeting *m, int day, int t)
{
	return civil_from_seconds(wall_minutes(m, day, t) * 60);
}

static struct civil utc_civil(const struct uccn_agenda_meeting *m, int day, int t)
{
	return civil_from_seconds((wall_minutes(m, day, t) - m->utc_offset[day]) * 60);
}

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

static const char *const weekday_names[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

/* "Wednesday 9 December 2026" */
static void put_long_date(struct buf *b, struct civil c)
{
	putf(b, "%s %d %s %" PRId64, weekday_names[c.wday], c.mday, month_names[c.month - 1],
	     c.year);
}

/* "9-10 December 2026", "30 November - 1 December 2026", ... with dashes. */
static void put_date_range(struct buf *b, const struct uccn_agenda_meeting *m, int days)
{
	struct civil f = wall_civil(m, 0, 0), l = wall_civil(m, days - 1, 0);
	if (days == 1)
		putf(b, "%d %s %" PRId64, f.mday, month_names[f.month - 1], f.year);
	else if (f.year == l.year && f.month == l.month)
		putf(b, "%d\u2013%d %s %" PRId64, f.mday, l.mday, month_names[f.month - 1], f.year);
	else if (f.year == l.year)
		putf(b, "%d %s \u2013 %d %s %" PRId64, f.mday, month_names[f.month - 1], l.mday,
		     month_names[l.month - 1], l.year);
	else
		putf(b, "%d %s %" PRId64 " \u2013 %d %s %" PRId64, f.mday, month_names[f.month - 1],
		     f.year, l.mday, month_names[l.month - 1], l.year);
}

/* "+01:00", "-05:30" */
static void put_offset(struct buf *b, int minutes)
{
	int a = minutes < 0 ? -minutes : minutes;
	putf(b, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60 % 100, a % 60);
}

/* A wall-clock time of day; with `day_mark`, " +1d" or " -1d" when the
 * minutes run past the day (a participant's local time). */
static void put_clock(struct buf *b, int minutes, bool day_mark)
{
	int64_t d = floor_div(minutes, DAY_MINUTES);
	int r = (int)(minutes - d * DAY_MINUTES);
	putf(b, "%02d:%02d", r / 60, r % 60);
	if (day_mark && d != 0)
		putf(b, " %+" PRId64 "d", d);
}

/* 2026-12-09T09:00:00+00:00: the meeting's wall time with its offset. */
static void put_rfc3339(struct buf *b, const struct uccn_agenda_meeting *m, int day, int t)
{
	struct civil c = wall_civil(m, day, t);
	putf(b, "%04" PRId64 "-%02d-%02dT%02d:%02d:00", c.year, c.month, c.mday, c.hour, c.minute);
	put_offset(b, m->utc_offset[day]);
}

static void put_ics_time(struct buf *b, struct civil c, bool utc)
{
	putf(b, "%04" PRId64 "%02d%02dT%02d%02d%02d%s", c.year, c.month, c.mday, c.hour, c.minute,
	     c.second, utc ? "Z" : "");
}

/* ---- what every format shows of a slot ---- */

static const char *slot_title(const struct uccn_agenda_input *in, const struct uccn_agenda_slot *s)
{
	if (s->item != SIZE_MAX)
		return in->items[s->item].title;
	if (s->kind == UCCN_AGENDA_LUNCH_BREAK)
		return "Lunch";
	if (s->kind == UCCN_AGENDA_COFFEE_BREAK)
		return "Coffee break";
	return "Break";
}

static const char *participant_city(const struct uccn_agenda_participant *p)
{
	return p->city ? p->city : "?";
}

/* "iowa-city (03:00), dunedin (22:00 +1d)", escaped as e. */
/* The cities a slot inconveniences, each with its local start time unless
 * the page shows the times in columns already. */
static void put_inconvenienced(struct buf *b, const struct uccn_agenda_input *in,
			       const struct uccn_agenda_slot *s, enum esc e, bool times)
{
	for (size_t k = 0; k < s->ninconvenienced; k++) {
		const struct uccn_agenda_participant *p = &in->participants[s->inconvenienced[k]];
		if (k)
			put(b, ", ");
		put_esc(b, participant_city(p), e);
		if (times) {
			put(b, " (");
			put_clock(b, s->start + p->offset[s->day], true);
			put(b, ")");
		}
	}
}

static bool shows_inconvenienced(const struct uccn_agenda_input *in, const struct uccn_agenda_slot *s)
{
	return in->hybrid && s->item != SIZE_MAX && s->ninconvenienced > 0;
}

/* ---- Markdown: readable as it stands in an e-mail ---- */

static void render_md(struct buf *b, const struct uccn_agenda_meeting *m,
		      const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	put(b, "# ");
	put_esc(b, m->title, ESC_TEXT);
	put(b, " \u2014 ");
	if (m->place && *m->place) {
		put_esc(b, m->place, ESC_TEXT);
		put(b, ", ");
	}
	put_date_range(b, m, in->days);
	put(b, ", times in ");
	put_esc(b, m->tz, ESC_TEXT);
	put(b, "\n\n");
	if (m->version)
		putf(b, "Version %" PRIu64 ".\n", m->version);
	else
		put(b, "Draft, not yet published.\n");

	size_t i = 0;
	for (int d = 0; d < in->days; d++) {
		putf(b, "\n## Day %d \u2014 ", d + 1);
		put_long_date(b, wall_civil(m, d, 0));
		put(b, " (UTC");
		put_offset(b, m->utc_offset[d]);
		put(b, ")\n\n");
		if (i >= a->nslots || a->slots[i].day != d)
			put(b, "Nothing scheduled.\n");
		for (; i < a->nslots && a->slots[i].day == d; i++) {
			const struct uccn_agenda_slot *s = &a->slots[i];
			put(b, "- ");
			put_clock(b, s->start, false);
			put(b, "\u2013");
			put_clock(b, s->end, false);
			put(b, "  ");
			put_esc(b, slot_title(in, s), ESC_TEXT);
			if (s->item != SIZE_MAX) {
				const struct uccn_agenda_item *it = &in->items[s->item];
				if (it->city) {
					put(b, " \u2014 ");
					put_esc(b, it->city, ESC_TEXT);
				}
				if (it->remote)
					put(b, " (on-line)");
			}
			put(b, "\n");
			if (shows_inconvenienced(in, s)) {
				/* under the title: "- 09:00-09:15  " is 15 columns */
				put(b, "               inconveniences: ");
				put_inconvenienced(b, in, s, ESC_TEXT, true);
				put(b, "\n");
			}
		}
	}
	if (a->ndeferred) {
		put(b, "\n## Deferred\n\n");
		for (size_t k = 0; k < a->ndeferred; k++) {
			const struct uccn_agenda_item *it = &in->items[a->deferred[k].item];
			put(b, "- ");
			put_esc(b, it->title, ESC_TEXT);
			if (it->city || it->seq) {
				put(b, " (");
				put_esc(b, it->city, ESC_TEXT);
				if (it->seq)
					putf(b, "%spost %" PRIu64, it->city ? ", " : "", it->seq);
				put(b, ")");
			}
			put(b, ": ");
			put_esc(b, a->deferred[k].reason, ESC_TEXT);
			put(b, "\n");
		}
	}
	if (a->nwarnings) {
		put(b, "\n## Warnings\n\n");
		for (size_t k = 0; k < a->nwarnings; k++) {
			put(b, "- ");
			put_esc(b, a->warnings[k].text, ESC_TEXT);
			put(b, "\n");
		}
	}
}

/* ---- HTML: one self-contained page, printable on A4 ---- */

static const char html_style[] =
	"* { box-sizing: border-box; }\n"
	"html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	"body { margin: 0 auto; max-width: 64em; padding: 1.5em 1.5em 3em;\n"
	"  font: 10.5pt/1.45 \"Segoe UI\", \"Helvetica Neue\", Arial, sans-serif;\n"
	"  color: #1d2433; background: #fff; }\n"
	"h1 { font-size: 1.6em; line-height: 1.2; margin: 0 0 .25em; color: #0b3a66; }\n"
	".meta { margin: 0 0 1.2em; color: #4a5568; }\n"
	"h2 { font-size: 1.15em; margin: 1.6em 0 .5em; padding-bottom: .2em; color: #0b3a66;\n"
	"  border-bottom: 2px solid #0b3a66; break-after: avoid; page-break-after: avoid; }\n"
	"h2 .date { font-weight: normal; color: #4a5568; }\n"
	"table { width: 100%; border-collapse: collapse; }\n"
	"th, td { padding: .35em .5em; text-align: left; vertical-align: top;\n"
	"  border-bottom: 1px solid #d9dee7; }\n"
	"th { font-size: .85em; font-weight: 600; background: #eef2f7; }\n"
	"th small { display: block; font-weight: normal; color: #5a6475; }\n"
	"tr { break-inside: avoid; page-break-inside: avoid; }\n"
	"td.t { width: 7.5em; white-space: nowrap; font-weight: 600;\n"
	"  font-variant-numeric: tabular-nums; }\n"
	"td.it { min-width: 15em; }\n"
	"th.z { text-align: center; font-size: .72em; min-width: 4em; padding: .35em .15em; }\n"
	"th.z small { white-space: nowrap; }\n"
	"td.z { text-align: center; white-space: nowrap; font-size: .85em; padding: .4em .2em;\n"
	"  font-variant-numeric: tabular-nums; color: #2d3748; }\n"
	"td.night { background: #fde8e8; color: #9b1c1c; }\n"
	"tr.break td { background: #f6f6f1; color: #6b6b5e; font-style: italic; }\n"
	".title { font-weight: 600; }\n"
	".kind { display: inline-block; margin-left: .5em; padding: 0 .4em; font-size: .75em;\n"
	"  font-weight: normal; color: #5a6475; border: 1px solid #c3cad6; border-radius: 3px; }\n"
	".who { display: block; font-size: .9em; color: #4a5568; }\n"
	".online { color: #1f6f43; font-weight: 600; }\n"
	".inc { display: block; font-size: .8em; color: #9b1c1c; }\n"
	".zones { font-size: .8em; color: #5a6475; margin: .4em 0 0; }\n"
	"ul { padding-left: 1.2em; }\n"
	"li { margin: .25em 0; }\n"
	".note, footer { font-size: .85em; color: #5a6475; }\n"
	"footer { margin-top: 2em; border-top: 1px solid #d9dee7; padding-top: .5em; }\n"
	"@media print { body { max-width: none; padding: 0; font-size: 9.5pt; }\n"
	"  h2 { margin-top: 1.2em; } }\n";

/* A day's local-time columns: the distinct offsets, ascending, of the
 * participants with a known zone, leaving out the meeting's own (0). */
static size_t zone_columns(const struct uccn_agenda_input *in, int day, int *offs)
{
	size_t n = 0;
	for (size_t p = 0; p < in->nparticipants; p++) {
		const struct uccn_agenda_participant *pt = &in->participants[p];
		if (!pt->has_offset || pt->offset[day] == 0)
			continue;
		int off = pt->offset[day];
		size_t k = 0;
		while (k < n && offs[k] < off)
			k++;
		if (k < n && offs[k] == off)
			continue;
		memmove(offs + k + 1, offs + k, (n - k) * sizeof *offs);
		offs[k] = off;
		n++;
	}
	return n;
}

static const char *zone_label(const struct uccn_agenda_participant *p)
{
	return p->tz && *p->tz ? p->tz : participant_city(p);
}

/* A zone's place, as a column head: "America/Los_Angeles" as "Los Angeles". */
static void put_zone_place(struct buf *b, const char *zone)
{
	const char *slash = strrchr(zone, '/');
	const char *place = slash ? slash + 1 : zone;
	for (const char *c = place; *c; c++) {
		char one[2] = {*c == '_' ? ' ' : *c, '\0'};
		put_esc(b, one, ESC_HTML);
	}
}

/* The zones (or, without one, the cities) of the participants at offset
 * off on day, at most max, each once; true when there are more. */
static bool zones_at(const struct uccn_agenda_input *in, int day, int off,
		     const char **shown, size_t max, size_t *nshown)
{
	*nshown = 0;
	for (size_t p = 0; p < in->nparticipants; p++) {
		const struct uccn_agenda_participant *pt = &in->participants[p];
		if (!pt->has_offset || pt->offset[day] != off)
			continue;
		const char *name = zone_label(pt);
		bool seen = false;
		for (size_t k = 0; k < *nshown && !seen; k++)
			seen = strcmp(shown[k], name) == 0;
		if (seen)
			continue;
		if (*nshown == max)
			return true;
		shown[(*nshown)++] = name;
	}
	return false;
}

/* The head of the column for offset off on day: its zones' places, short
 * (the full names in the legend under the table), then UTC+hh:mm. */
static void put_zone_header(struct buf *b, const struct uccn_agenda_meeting *m,
			    const struct uccn_agenda_input *in, int day, int off)
{
	const char *shown[HTML_ZONE_NAMES];
	size_t nshown;
	bool more = zones_at(in, day, off, shown, HTML_ZONE_NAMES, &nshown);
	put(b, "<th class=\"z\">");
	for (size_t k = 0; k < nshown; k++) {
		if (k)
			put(b, ", ");
		put_zone_place(b, shown[k]);
	}
	if (more)
		put(b, ", \u2026");
	put(b, "<small>UTC");
	put_offset(b, m->utc_offset[day] + off);
	put(b, "</small></th>");
}

/* Under a day's table: which zones each column stands for, in full. */
static void put_zone_legend(struct buf *b, const struct uccn_agenda_meeting *m,
			    const struct uccn_agenda_input *in, int day, const int *offs,
			    size_t nz)
{
	if (!nz)
		return;
	put(b, "<p class=\"zones\">Local times: ");
	for (size_t z = 0; z < nz; z++) {
		const char *shown[HTML_LEGEND_NAMES];
		size_t nshown;
		bool more = zones_at(in, day, offs[z], shown, HTML_LEGEND_NAMES, &nshown);
		if (z)
			put(b, "; ");
		put(b, "UTC");
		put_offset(b, m->utc_offset[day] + offs[z]);
		put(b, " ");
		for (size_t k = 0; k < nshown; k++) {
			if (k)
				put(b, ", ");
			put_esc(b, shown[k], ESC_HTML);
		}
		if (more)
			put(b, ", \u2026");
	}
	put(b, ". Shaded: outside 08:00\u201320:00 there.</p>\n");
}

static void html_slot(struct buf *b, const struct uccn_agenda_input *in,
		      const struct uccn_agenda_slot *s, const int *offs, size_t nz)
{
	bool brk = s->item == SIZE_MAX;
	put(b, brk ? "<tr class=\"break\">" : "<tr>");
	put(b, "<td class=\"t\">");
	put_clock(b, s->start, false);
	put(b, "\u2013");
	put_clock(b, s->end, false);
	put(b, "</td><td class=\"it\">");
	if (brk) {
		put_esc(b, slot_title(in, s), ESC_HTML);
	} else {
		const struct uccn_agenda_item *it = &in->items[s->item];
		put(b, "<span class=\"title\">");
		put_esc(b, it->title, ESC_HTML);
		put(b, "</span><span class=\"kind\">");
		put_esc(b, uccn_agenda_kind_name(s->kind), ESC_HTML);
		put(b, "</span>");
		if (it->city || it->remote) {
			put(b, "<span class=\"who\">");
			put_esc(b, it->city, ESC_HTML);
			if (it->remote)
				put(b, it->city ? " \u00b7 <span class=\"online\">on-line</span>"
						: "<span class=\"online\">on-line</span>");
			put(b, "</span>");
		}
		if (shows_inconvenienced(in, s)) {
			put(b, "<span class=\"inc\">inconveniences: ");
			put_inconvenienced(b, in, s, ESC_HTML, false);
			put(b, "</span>");
		}
	}
	put(b, "</td>");
	for (size_t z = 0; z < nz; z++) {
		int ls = s->start + offs[z], le = s->end + offs[z];
		bool night = in->hybrid && !brk &&
			     (ls < UCCN_AGENDA_DAYTIME_FROM || le > UCCN_AGENDA_DAYTIME_TO);
		put(b, night ? "<td class=\"z night\">" : "<td class=\"z\">");
		put_clock(b, ls, true);
		put(b, "</td>");
	}
	put(b, "</tr>\n");
}

static void render_html(struct buf *b, const struct uccn_agenda_meeting *m,
			const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	int *offs = malloc((in->nparticipants ? in->nparticipants : 1) * sizeof *offs);
	if (!offs) {
		b->err = UCCN_E_NOMEM;
		return;
	}
	size_t widest = 0;
	for (int d = 0; d < in->days; d++) {
		size_t nz = zone_columns(in, d, offs);
		if (nz > widest)
			widest = nz;
	}
	put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	put_esc(b, m->title, ESC_HTML);
	put(b, "</title>\n<style>\n");
	putf(b, "@page { size: A4%s; margin: 16mm 14mm 18mm; }\n",
	     widest > HTML_PORTRAIT_ZONES ? " landscape" : "");
	put(b, html_style);
	/* Many local-time columns: the page may be wider on screen. */
	if (widest > HTML_PORTRAIT_ZONES)
		put(b, "@media screen { body { max-width: 96em; } }\n");
	put(b, "</style>\n</head>\n<body>\n<header>\n<h1>");
	put_esc(b, m->title, ESC_HTML);
	put(b, "</h1>\n<p class=\"meta\">");
	if (m->place && *m->place) {
		put_esc(b, m->place, ESC_HTML);
		put(b, " \u00b7 ");
	}
	put_date_range(b, m, in->days);
	put(b, " \u00b7 times in ");
	put_esc(b, m->tz, ESC_HTML);
	if (m->version)
		putf(b, " \u00b7 version %" PRIu64, m->version);
	else
		put(b, " \u00b7 draft");
	put(b, "</p>\n</header>\n");

	size_t i = 0;
	for (int d = 0; d < in->days; d++) {
		size_t nz = zone_columns(in, d, offs);
		putf(b, "<section class=\"day\">\n<h2>Day %d <span class=\"date\">\u2014 ", d + 1);
		put_long_date(b, wall_civil(m, d, 0));
		put(b, "</span></h2>\n");
		if (i >= a->nslots || a->slots[i].day != d) {
			put(b, "<p class=\"note\">Nothing scheduled.</p>\n</section>\n");
			continue;
		}
		put(b, "<table>\n<thead><tr><th>");
		put_esc(b, m->tz, ESC_HTML);
		put(b, "<small>UTC");
		put_offset(b, m->utc_offset[d]);
		put(b, "</small></th><th>Item</th>");
		for (size_t z = 0; z < nz; z++)
			put_zone_header(b, m, in, d, offs[z]);
		put(b, "</tr></thead>\n<tbody>\n");
		for (; i < a->nslots && a->slots[i].day == d; i++)
			html_slot(b, in, &a->slots[i], offs, nz);
		put(b, "</tbody>\n</table>\n");
		put_zone_legend(b, m, in, d, offs, nz);
		put(b, "</section>\n");
	}
	free(offs);

	if (a->ndeferred) {
		put(b, "<section>\n<h2>Deferred</h2>\n<ul>\n");
		for (size_t k = 0; k < a->ndeferred; k++) {
			const struct uccn_agenda_item *it = &in->items[a->deferred[k].item];
			put(b, "<li><span class=\"title\">");
			put_esc(b, it->title, ESC_HTML);
			put(b, "</span>");
			if (it->city || it->seq) {
				put(b, " (");
				put_esc(b, it->city, ESC_HTML);
				if (it->seq)
					putf(b, "%spost %" PRIu64, it->city ? ", " : "", it->seq);
				put(b, ")");
			}
			put(b, ": ");
			put_esc(b, a->deferred[k].reason, ESC_HTML);
			put(b, "</li>\n");
		}
		put(b, "</ul>\n</section>\n");
	}
	if (a->nwarnings) {
		put(b, "<section>\n<h2>Warnings</h2>\n<ul>\n");
		for (size_t k = 0; k < a->nwarnings; k++) {
			put(b, "<li>");
			put_esc(b, a->warnings[k].text, ESC_HTML);
			put(b, "</li>\n");
		}
		put(b, "</ul>\n</section>\n");
	}
	put(b, "<footer>Times are in ");
	put_esc(b, m->tz, ESC_HTML);
	put(b, "; the other columns give each zone's local start time (+1d: the next day).");
	if (in->hybrid)
		put(b, " Shaded: outside 08:00\u201320:00 local time.");
	put(b, " Meeting ");
	put_esc(b, m->id, ESC_HTML);
	put(b, ".</footer>\n</body>\n</html>\n");
}

/* ---- iCalendar (RFC 5545) ---- */

/* The content line in `line`, folded at ICS_LINE octets on character
 * boundaries and ended with CRLF, onto b; line is emptied. */
static void ics_line(struct buf *b, struct buf *line)
{
	if (line->err && !b->err)
		b->err = line->err;
	size_t col = 0;
	const unsigned char *p = (const unsigned char *)line->p;
	for (size_t i = 0; i < line->len;) {
		size_t n = p[i] < 0xC0 ? 1 : p[i] < 0xE0 ? 2 : p[i] < 0xF0 ? 3 : 4;
		if (n > line->len - i)
			n = line->len - i;
		if (col + n > ICS_LINE) {
			put(b, "\r\n ");
			col = 1;
		}
		put_n(b, (const char *)p + i, n);
		col += n;
		i += n;
	}
	put(b, "\r\n");
	line->len = 0;
}

/* A parameter value (TZID): no controls or DQUOTE; quoted when it holds
 * ':', ';' or ','. */
static void put_ics_param(struct buf *b, const char *s)
{
	bool quote = strpbrk(s, ":;,") != NULL;
	if (quote)
		put_c(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x20 && *p != 0x7F && *p != '"')
			put_c(b, (char)*p);
	if (quote)
		put_c(b, '"');
}

static void ics_time(struct buf *line, const char *name, const struct uccn_agenda_meeting *m,
		     bool tzid, int day, int t)
{
	put(line, name);
	if (tzid) {
		put(line, ";TZID=");
		put_ics_param(line, m->tz);
		put_c(line, ':');
		put_ics_time(line, wall_civil(m, day, t), false);
	} else {
		put_c(line, ':');
		put_ics_time(line, utc_civil(m, day, t), true);
	}
}

static void ics_event(struct buf *b, struct buf *line, struct buf *text,
		      const struct uccn_agenda_meeting *m, const struct uccn_agenda_input *in,
		      const struct uccn_agenda_slot *s, bool tzid)
{
	bool brk = s->item == SIZE_MAX;
	const struct uccn_agenda_item *it = brk ? NULL : &in->items[s->item];
	put(b, "BEGIN:VEVENT\r\n");
	/* The UID names the item (or the break's day and start), never a time
	 * or version: a calendar updates the event when the agenda changes. */
	put(line, "UID:");
	if (brk)
		putf(line, "break-%d-%02d%02d", s->day + 1, s->start / 60, s->start % 60);
	else
		put_esc(line, it->key, ESC_ICS);
	put_c(line, '@');
	put_esc(line, m->id, ESC_ICS);
	put(line, ".uccn");
	ics_line(b, line);
	put(line, "DTSTAMP:");
	put_ics_time(line, civil_from_seconds(m->dtstamp), true);
	ics_line(b, line);
	putf(line, "SEQUENCE:%" PRIu64, m->version > INT32_MAX ? (uint64_t)INT32_MAX : m->version);
	ics_line(b, line);
	ics_time(line, "DTSTART", m, tzid, s->day, s->start);
	ics_line(b, line);
	ics_time(line, "DTEND", m, tzid, s->day, s->end);
	ics_line(b, line);
	put(line, "SUMMARY:");
	put_esc(line, slot_title(in, s), ESC_ICS);
	ics_line(b, line);
	if (!brk) {
		/* plain text first, then escaped as one TEXT value */
		text->len = 0;
		if (it->city)
			putf(text, "Presented by %s%s.", it->city, it->remote ? ", on-line" : "");
		else if (it->remote)
			put(text, "Presented on-line.");
		if (it->seq)
			putf(text, "%sPost %" PRIu64 ".", text->len ? "\n" : "", it->seq);
		if (shows_inconvenienced(in, s)) {
			put(text, text->len ? "\n" : "");
			put(text, "Outside 08:00-20:00 local time for: ");
			put_inconvenienced(text, in, s, ESC_TEXT, true);
			put(text, ".");
		}
		if (text->err && !b->err)
			b->err = text->err;
		if (text->len) {
			put(line, "DESCRIPTION:");
			put_esc(line, text->p, ESC_ICS);
			ics_line(b, line);
		}
	}
	put(line, "CATEGORIES:");
	put_esc(line, uccn_agenda_kind_name(s->kind), ESC_ICS);
	ics_line(b, line);
	if (m->place && *m->place) {
		put(line, "LOCATION:");
		put_esc(line, m->place, ESC_ICS);
		ics_line(b, line);
	}
	put(b, m->version ? "STATUS:CONFIRMED\r\n" : "STATUS:TENTATIVE\r\n");
	if (brk)
		put(b, "TRANSP:TRANSPARENT\r\n");
	put(b, "END:VEVENT\r\n");
}

static void render_ics(struct buf *b, const struct uccn_agenda_meeting *m,
		       const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	struct buf line = {0}, text = {0};
	/* An empty VTIMEZONE is none: a TZID must name a VTIMEZONE. */
	bool tzid = m->vtimezone && *m->vtimezone;
	put(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//uccn//agenda//EN\r\n"
	       "CALSCALE:GREGORIAN\r\n");
	put(&line, "X-WR-CALNAME:");
	put_esc(&line, m->title, ESC_ICS);
	ics_line(b, &line);
	put(&line, "X-WR-TIMEZONE:");
	put_esc(&line, m->tz, ESC_ICS);
	ics_line(b, &line);
	if (tzid) {
		size_t n = strlen(m->vtimezone);
		put_n(b, m->vtimezone, n);
		if (m->vtimezone[n - 1] != '\n')
			put(b, "\r\n");
	}
	for (size_t i = 0; i < a->nslots; i++)
		ics_event(b, &line, &text, m, in, &a->slots[i], tzid);
	put(b, "END:VCALENDAR\r\n");
	free(line.p);
	free(text.p);
}

/* ---- JSON ---- */

static void render_json(struct buf *b, const struct uccn_agenda_meeting *m,
			const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	put(b, "{\n  \"meeting\": ");
	put_json_str(b, m->id);
	putf(b, ",\n  \"version\": %" PRIu64 ",\n  \"timezone\": ", m->version);
	put_json_str(b, m->tz);
	put(b, ",\n  \"slots\": [");
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		const struct uccn_agenda_item *it = s->item == SIZE_MAX ? NULL : &in->items[s->item];
		putf(b, "%s\n    {\"day\": %d, \"start\": \"", i ? "," : "", s->day + 1);
		put_rfc3339(b, m, s->day, s->start);
		put(b, "\", \"end\": \"");
		put_rfc3339(b, m, s->day, s->end);
		put(b, "\", \"title\": ");
		put_json_str(b, slot_title(in, s));
		put(b, ", \"kind\": ");
		put_json_str(b, uccn_agenda_kind_name(s->kind));
		put(b, ", \"city\": ");
		put_json_str(b, it ? it->city : NULL);
		if (it && it->seq)
			putf(b, ", \"seq\": %" PRIu64, it->seq);
		else
			put(b, ", \"seq\": null");
		putf(b, ", \"remote\": %s, \"inconvenienced\": [", it && it->remote ? "true" : "false");
		for (size_t k = 0; shows_inconvenienced(in, s) && k < s->ninconvenienced; k++) {
			const struct uccn_agenda_participant *p = &in->participants[s->inconvenienced[k]];
			put(b, k ? ", {\"city\": " : "{\"city\": ");
			put_json_str(b, p->city);
			put(b, ", \"local_start\": \"");
			put_clock(b, s->start + p->offset[s->day], false);
			put(b, "\"}");
		}
		put(b, "]}");
	}
	put(b, a->nslots ? "\n  ],\n  \"deferred\": [" : "],\n  \"deferred\": [");
	for (size_t k = 0; k < a->ndeferred; k++) {
		const struct uccn_agenda_item *it = &in->items[a->deferred[k].item];
		put(b, k ? ",\n    {\"title\": " : "\n    {\"title\": ");
		put_json_str(b, it->title);
		if (it->seq)
			putf(b, ", \"seq\": %" PRIu64, it->seq);
		else
			put(b, ", \"seq\": null");
		put(b, ", \"reason\": ");
		put_json_str(b, a->deferred[k].reason);
		put(b, "}");
	}
	put(b, a->ndeferred ? "\n  ],\n  \"warnings\": [" : "],\n  \"warnings\": [");
	for (size_t k = 0; k < a->nwarnings; k++) {
		put(b, k ? ",\n    " : "\n    ");
		put_json_str(b, a->warnings[k].text);
	}
	put(b, a->nwarnings ? "\n  ]\n}\n" : "]\n}\n");
}

/* ---- the whole ---- */

/* a must be the agenda built from in: every index it holds is in range. */
static int check_input(const struct uccn_agenda_meeting *m, const struct uccn_agenda_input *in,
		       const struct uccn_agenda *a)
{
	if (!m || !in || !a || !m->id || !m->title || !m->tz || m->month < 1 || m->month > 12 ||
	    m->mday < 1 || m->mday > 31 || in->days < 1 || in->days > UCCN_AGENDA_MAX_DAYS ||
	    (a->nslots && !a->slots) || (a->ndeferred && !a->deferred) ||
	    (a->nwarnings && !a->warnings))
		return UCCN_E_INVALID;
	for (int d = 0; d < in->days; d++)
		if (m->utc_offset[d] <= -DAY_MINUTES || m->utc_offset[d] >= DAY_MINUTES)
			return UCCN_E_INVALID;
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		if (s->day < 0 || s->day >= in->days || s->start < 0 || s->end > DAY_MINUTES ||
		    s->start > s->end || (s->item != SIZE_MAX && s->item >= in->nitems) ||
		    (s->ninconvenienced && !s->inconvenienced) ||
		    (i > 0 && s->day < a->slots[i - 1].day)) /* by day, as built */
			return UCCN_E_INVALID;
		for (size_t k = 0; k < s->ninconvenienced; k++)
			if (s->inconvenienced[k] >= in->nparticipants)
				return UCCN_E_INVALID;
	}
	for (size_t k = 0; k < a->ndeferred; k++)
		if (a->deferred[k].item >= in->nitems)
			return UCCN_E_INVALID;
	return 0;
}

int uccn_agenda_render(enum uccn_agenda_format fmt, const struct uccn_agenda_meeting *m,
		       const struct uccn_agenda_input *in, const struct uccn_agenda *a,
		       char **out, size_t *len)
{
	if (!out || !len)
		return UCCN_E_INVALID;
	*out = NULL;
	*len = 0;
	if ((unsigned)fmt > UCCN_AGENDA_JSON)
		return UCCN_E_INVALID;
	int rc = check_input(m, in, a);
	if (rc)
		return rc;
	struct buf b = {0};
	switch (fmt) {
	case UCCN_AGENDA_MD:
		render_md(&b, m, in, a);
		break;
	case UCCN_AGENDA_HTML:
		render_html(&b, m, in, a);
		break;
	case UCCN_AGENDA_ICS:
		render_ics(&b, m, in, a);
		break;
	case UCCN_AGENDA_JSON:
		render_json(&b, m, in, a);
		break;
	}
	if (!b.err && !b.p)
		put_n(&b, "", 0);
	if (b.err) {
		free(b.p);
		return b.err;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
