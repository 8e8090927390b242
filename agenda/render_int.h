/*
 * render_int.h - what the agenda's renderers share, private to agenda/:
 * one output buffer whose first error sticks, text escaping per format,
 * calendar arithmetic, and what every format shows of a slot.
 */
#ifndef UCCN_RENDER_INT_H
#define UCCN_RENDER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uccn_agenda_render.h"

#define DAY_MINUTES (24 * 60)
/* iCalendar content lines: at most 75 octets, CRLF not counted. */
#define ICS_LINE 75
/* At most this many local-time columns in a day's table: more zone
 * offsets than this are grouped into ranges, so the page fits A4 portrait. */
#define HTML_ZONE_COLUMNS 6
/* Zone names shown in an HTML column header before "...". */
#define HTML_ZONE_NAMES 2
/* And in the legend under a day's table. */
#define HTML_LEGEND_NAMES 8

/* A growable NUL-terminated buffer. After the first failure err holds the
 * code and every later write is a no-op, so renderers check once at the end. */
struct buf {
	char *p;
	size_t len, cap;
	int err;
};

void buf_put_n(struct buf *b, const char *s, size_t n);
void buf_put(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

enum esc {
	ESC_TEXT, /* plain text: verbatim, one line */
	ESC_HTML,
	ESC_ICS,  /* an RFC 5545 TEXT value */
	ESC_JSON, /* inside a JSON string */
};

/* s, escaped for e. Invalid UTF-8 becomes U+FFFD; control characters a
 * space, except that ICS and JSON keep line breaks their own way. NULL
 * writes nothing. */
void buf_put_esc(struct buf *b, const char *s, enum esc e);
/* s as a JSON string, or null. */
void buf_put_json(struct buf *b, const char *s);

/* A civil date and time on the proleptic Gregorian calendar. */
struct civil {
	int64_t year;
	int month, mday, wday; /* wday: 0 Monday .. 6 Sunday */
	int hour, minute, second;
};

struct civil cal_from_seconds(int64_t t);
/* Minute t of meeting day `day`, on the meeting's wall clock / in UTC. */
struct civil cal_wall_civil(const struct uccn_agenda_meeting *m, int day, int t);
struct civil cal_utc_civil(const struct uccn_agenda_meeting *m, int day, int t);
/* "Wednesday 9 December 2026" */
void cal_put_long_date(struct buf *b, struct civil c);
/* "9-10 December 2026", "30 November - 1 December 2026", ... with dashes. */
void cal_put_date_range(struct buf *b, const struct uccn_agenda_meeting *m, int days);
/* "+01:00", "-05:30" */
void cal_put_offset(struct buf *b, int minutes);
/* A wall-clock time of day; with day_mark, " (+1 day)" or " (-1 day)" when
 * the minutes run past the meeting's day (a participant's local time). */
void cal_put_clock(struct buf *b, int minutes, bool day_mark);
/* Minute t of meeting day `day` on a clock `off` minutes ahead of the
 * meeting's, with its date: "Tue 9 June 08:20 (+1 day)". */
void cal_put_local(struct buf *b, const struct uccn_agenda_meeting *m, int day, int t, int off);
/* 2026-12-09 */
void cal_put_date(struct buf *b, const struct uccn_agenda_meeting *m, int day);
/* 2026-12-09T09:00:00+00:00: the meeting's wall time with its offset. */
void cal_put_rfc3339(struct buf *b, const struct uccn_agenda_meeting *m, int day, int t);
/* The same instant on a clock `off` minutes ahead of the meeting's, with
 * that clock's own offset: 2026-12-10T08:00:00+09:00. */
void cal_put_rfc3339_at(struct buf *b, const struct uccn_agenda_meeting *m, int day, int t,
			int off);
/* 20261209T090000 (local) or 20261209T090000Z (utc). */
void cal_put_ics_time(struct buf *b, struct civil c, bool utc);

/* A slot's title: its item's, or the break's name. */
const char *render_slot_title(const struct uccn_agenda_input *in, const struct uccn_agenda_slot *s);
const char *render_participant_city(const struct uccn_agenda_participant *p);
/* Names, not ids: the display name where the records give one. */
const char *render_participant_name(const struct uccn_agenda_participant *p);
const char *render_presenter(const struct uccn_agenda_item *it);
const char *render_priority_name(enum uccn_agenda_priority p);
/* A slot's stable key: its item's, or "break:DAY:HHMM" (DAY from 1). */
void render_put_slot_key(struct buf *b, const struct uccn_agenda_input *in,
			 const struct uccn_agenda_slot *s);
/* "inconveniences 12 cities": a count, never the names (issue 12). */
void render_put_inconvenienced(struct buf *b, const struct uccn_agenda_slot *s);
bool render_shows_inconvenienced(const struct uccn_agenda_input *in,
				 const struct uccn_agenda_slot *s);
/* Whether the slot's presenter gets a line with their own local date and
 * time: a city presents it, its zone is known, and its clock differs from
 * the meeting's that day. */
bool render_shows_presenter_time(const struct uccn_agenda_input *in,
				 const struct uccn_agenda_slot *s);
/* Whether minutes start..end of a day, shifted by off, fall within
 * 08:00-20:00 of the local date they land on. */
bool render_in_daytime(int start, int end, int off);

/* Regions of a summary, from an IANA zone's area (docs/agenda-json.md). */
enum region {
	REGION_EUROPE,       /* Europe/ */
	REGION_AFRICA,       /* Africa/ */
	REGION_AMERICAS,     /* America/ */
	REGION_ASIA_PACIFIC, /* Asia/, Australia/, Pacific/ */
	REGION_OTHER,        /* Atlantic/, Indian/, Etc/, ... */
	REGION_COUNT
};
enum region render_region(const char *tz);
const char *render_region_name(enum region r);
/* Per region: its cities of known zone, the placed items (breaks aside)
 * and how many of those are in the daytime of every city of the region. */
struct region_count {
	size_t cities, items, daytime;
};
void render_count_regions(const struct uccn_agenda_input *in, const struct uccn_agenda *a,
			  struct region_count out[REGION_COUNT]);

/* One format each: append the whole document to b. */
void render_md(struct buf *b, const struct uccn_agenda_meeting *m,
	       const struct uccn_agenda_input *in, const struct uccn_agenda *a);
void render_html(struct buf *b, const struct uccn_agenda_meeting *m,
		 const struct uccn_agenda_input *in, const struct uccn_agenda *a);
void render_ics(struct buf *b, const struct uccn_agenda_meeting *m,
		const struct uccn_agenda_input *in, const struct uccn_agenda *a);
void render_json(struct buf *b, const struct uccn_agenda_meeting *m,
		 const struct uccn_agenda_input *in, const struct uccn_agenda *a);

#endif
