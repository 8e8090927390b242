/*
 * render_ics.c - the agenda as iCalendar (RFC 5545): one event a slot,
 * stable UIDs, the caller's VTIMEZONE.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "uccn_error.h"

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
			buf_put(b, "\r\n ");
			col = 1;
		}
		buf_put_n(b, (const char *)p + i, n);
		col += n;
		i += n;
	}
	buf_put(b, "\r\n");
	line->len = 0;
}

/* A parameter value (TZID): no controls or DQUOTE; quoted when it holds
 * ':', ';' or ','. */
static void put_ics_param(struct buf *b, const char *s)
{
	bool quote = strpbrk(s, ":;,") != NULL;
	if (quote)
		buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x20 && *p != 0x7F && *p != '"')
			buf_putc(b, (char)*p);
	if (quote)
		buf_putc(b, '"');
}

static void ics_time(struct buf *line, const char *name, const struct uccn_agenda_meeting *m,
		     bool tzid, int day, int t)
{
	buf_put(line, name);
	if (tzid) {
		buf_put(line, ";TZID=");
		put_ics_param(line, m->tz);
		buf_putc(line, ':');
		cal_put_ics_time(line, cal_wall_civil(m, day, t), false);
	} else {
		buf_putc(line, ':');
		cal_put_ics_time(line, cal_utc_civil(m, day, t), true);
	}
}

static void ics_event(struct buf *b, struct buf *line, struct buf *text,
		      const struct uccn_agenda_meeting *m, const struct uccn_agenda_input *in,
		      const struct uccn_agenda_slot *s, bool tzid)
{
	bool brk = s->item == SIZE_MAX;
	const struct uccn_agenda_item *it = brk ? NULL : &in->items[s->item];
	buf_put(b, "BEGIN:VEVENT\r\n");
	/* The UID names the item (or the break's day and start), never a time
	 * or version: a calendar updates the event when the agenda changes. */
	buf_put(line, "UID:");
	if (brk)
		buf_printf(line, "break-%d-%02d%02d", s->day + 1, s->start / 60, s->start % 60);
	else
		buf_put_esc(line, it->key, ESC_ICS);
	buf_putc(line, '@');
	buf_put_esc(line, m->id, ESC_ICS);
	buf_put(line, ".uccn");
	ics_line(b, line);
	buf_put(line, "DTSTAMP:");
	cal_put_ics_time(line, cal_from_seconds(m->dtstamp), true);
	ics_line(b, line);
	buf_printf(line, "SEQUENCE:%" PRIu64, m->version > INT32_MAX ? (uint64_t)INT32_MAX : m->version);
	ics_line(b, line);
	ics_time(line, "DTSTART", m, tzid, s->day, s->start);
	ics_line(b, line);
	ics_time(line, "DTEND", m, tzid, s->day, s->end);
	ics_line(b, line);
	buf_put(line, "SUMMARY:");
	buf_put_esc(line, render_slot_title(in, s), ESC_ICS);
	ics_line(b, line);
	if (!brk) {
		/* plain text first, then escaped as one TEXT value */
		text->len = 0;
		if (render_presenter(it))
			buf_printf(text, "Presented by %s%s.", render_presenter(it),
				   it->remote ? ", on-line" : "");
		else if (it->remote)
			buf_put(text, "Presented on-line.");
		if (it->seq)
			buf_printf(text, "%sPost %" PRIu64 ".", text->len ? "\n" : "", it->seq);
		if (it->body && *it->body)
			buf_printf(text, "%s%s", text->len ? "\n" : "", it->body);
		for (size_t k = 0; it->parts && k < it->nparts; k++) {
			const struct uccn_agenda_part *pt = &it->parts[k];
			const char *who = pt->presenter ? pt->presenter : pt->city;
			buf_printf(text, "%s- %s%s%s", text->len ? "\n" : "", pt->title ? pt->title : "",
				   who ? " - " : "", who ? who : "");
			if (pt->seq)
				buf_printf(text, " (post %" PRIu64 ")", pt->seq);
		}
		if (render_shows_inconvenienced(in, s)) {
			buf_put(text, text->len ? "\n" : "");
			buf_put(text, "Outside 08:00-20:00 local time: ");
			render_put_inconvenienced(text, s);
			buf_put(text, ".");
		}
		if (text->err && !b->err)
			b->err = text->err;
		if (text->len) {
			buf_put(line, "DESCRIPTION:");
			buf_put_esc(line, text->p, ESC_ICS);
			ics_line(b, line);
		}
	}
	buf_put(line, "CATEGORIES:");
	buf_put_esc(line, uccn_agenda_kind_name(s->kind), ESC_ICS);
	ics_line(b, line);
	if (m->place && *m->place) {
		buf_put(line, "LOCATION:");
		buf_put_esc(line, m->place, ESC_ICS);
		ics_line(b, line);
	}
	buf_put(b, m->version ? "STATUS:CONFIRMED\r\n" : "STATUS:TENTATIVE\r\n");
	if (brk)
		buf_put(b, "TRANSP:TRANSPARENT\r\n");
	buf_put(b, "END:VEVENT\r\n");
}

void render_ics(struct buf *b, const struct uccn_agenda_meeting *m,
		       const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	struct buf line = {0}, text = {0};
	/* An empty VTIMEZONE is none: a TZID must name a VTIMEZONE. */
	bool tzid = m->vtimezone && *m->vtimezone;
	buf_put(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//uccn//agenda//EN\r\n"
	       "CALSCALE:GREGORIAN\r\n");
	buf_put(&line, "X-WR-CALNAME:");
	buf_put_esc(&line, m->title, ESC_ICS);
	ics_line(b, &line);
	buf_put(&line, "X-WR-TIMEZONE:");
	buf_put_esc(&line, m->tz, ESC_ICS);
	ics_line(b, &line);
	if (tzid) {
		size_t n = strlen(m->vtimezone);
		buf_put_n(b, m->vtimezone, n);
		if (m->vtimezone[n - 1] != '\n')
			buf_put(b, "\r\n");
	}
	for (size_t i = 0; i < a->nslots; i++)
		ics_event(b, &line, &text, m, in, &a->slots[i], tzid);
	buf_put(b, "END:VCALENDAR\r\n");
	free(line.p);
	free(text.p);
}
