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
/* More local-time columns than this and the HTML page turns landscape. */
#define HTML_PORTRAIT_ZONES 6
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
	ESC_TEXT, /* Markdown for plain-text reading: verbatim, one line */
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
/* A wall-clock time of day; with day_mark, " +1d" or " -1d" when the
 * minutes run past the day (a participant's local time). */
void cal_put_clock(struct buf *b, int minutes, bool day_mark);
/* 2026-12-09T09:00:00+00:00: the meeting's wall time with its offset. */
void cal_put_rfc3339(struct buf *b, const struct uccn_agenda_meeting *m, int day, int t);
/* 20261209T090000 (local) or 20261209T090000Z (utc). */
void cal_put_ics_time(struct buf *b, struct civil c, bool utc);

/* A slot's title: its item's, or the break's name. */
const char *render_slot_title(const struct uccn_agenda_input *in, const struct uccn_agenda_slot *s);
const char *render_participant_city(const struct uccn_agenda_participant *p);
/* The cities a slot inconveniences, escaped as e, each with its local
 * start time when `times` (unless the page shows times in columns). */
void render_put_inconvenienced(struct buf *b, const struct uccn_agenda_input *in,
			       const struct uccn_agenda_slot *s, enum esc e, bool times);
bool render_shows_inconvenienced(const struct uccn_agenda_input *in,
				 const struct uccn_agenda_slot *s);

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
