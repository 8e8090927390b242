/*
 * render_md.c - the agenda as Markdown, readable as it stands in an e-mail:
 * text escaped so nothing in a title turns into a link or a heading, no
 * line longer than MD_LINE bytes, long text cut on a character boundary.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "uccn_error.h"
#include "uccn_utf8.h"

#define ELLIPSIS "\u2026"
#define ELLIPSIS_LEN 3

/* One character of s (at p) as Markdown text into out: escaped where
 * CommonMark would read it as markup; returns the bytes of s it takes. */
static size_t md_char(const unsigned char *s, const unsigned char *p, char out[8], size_t *outlen)
{
	uint32_t cp;
	size_t n = uccn_utf8_next(p, strnlen((const char *)p, 4), &cp);
	if (n == 0) {
		memcpy(out, "\xEF\xBF\xBD", 3);
		*outlen = 3;
		return 1;
	}
	if (n > 1) {
		memcpy(out, p, n);
		*outlen = n;
		return n;
	}
	unsigned char c = *p;
	*outlen = 0;
	bool esc = strchr("\\`*_[]<>#|~", c) != NULL && c != '\0';
	/* a list marker or a setext underline where the text starts a line */
	if (p == s && (c == '-' || c == '+' || c == '='))
		esc = true;
	/* "1." or "1)" at the start: an ordered list */
	if ((c == '.' || c == ')') && p > s) {
		const unsigned char *q = s;
		while (q < p && *q >= '0' && *q <= '9')
			q++;
		esc = esc || q == p;
	}
	/* a bare URL: GitHub and others link "http://..." and "www." */
	if (c == ':' && p[1] == '/' && p[2] == '/')
		esc = true;
	if (c == '.' && p - s >= 3 && (p == s + 3 || p[-4] == ' ') && memcmp(p - 3, "www", 3) == 0)
		esc = true;
	if (esc)
		out[(*outlen)++] = '\\';
	out[(*outlen)++] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
	return 1;
}

/* s escaped for Markdown in at most `limit` bytes: when it does not fit,
 * as much as fits whole characters (and whole escapes) before "…". */
static void md_put(struct buf *b, const char *s, size_t limit)
{
	if (!s)
		return;
	const unsigned char *u = (const unsigned char *)s;
	char piece[8];
	size_t n, total = 0;
	for (const unsigned char *p = u; *p; p += md_char(u, p, piece, &n))
		md_char(u, p, piece, &n), total += n;
	bool cut = total > limit;
	size_t room = cut ? (limit > ELLIPSIS_LEN ? limit - ELLIPSIS_LEN : 0) : limit, used = 0;
	for (const unsigned char *p = u; *p;) {
		size_t took = md_char(u, p, piece, &n);
		if (used + n > room)
			break;
		buf_put_n(b, piece, n);
		used += n;
		p += took;
	}
	if (cut)
		buf_put(b, ELLIPSIS);
}

/* Where a line of `line` may break at or before `limit` bytes: after a
 * space whose next character cannot start markup on a line of its own
 * (a list marker, a heading, a quote); else at a character boundary that
 * splits no escape. */
static size_t md_break(const char *line, size_t len, size_t limit)
{
	if (len <= limit)
		return len;
	for (size_t i = limit; i > 0; i--)
		if (line[i] == ' ' && !strchr("-+*#>=|0123456789\\", line[i + 1]))
			return i;
	size_t i = limit;
	while (i > 0 && ((unsigned char)line[i] & 0xC0) == 0x80)
		i--;
	while (i > 1 && line[i - 1] == '\\')
		i--;
	return i ? i : limit;
}

/* The logical line in `line`, wrapped at MD_LINE bytes, continuation lines
 * indented by `indent` (a list item's continuation), onto b; line emptied. */
#define MD_LINE 200
static void md_emit(struct buf *b, struct buf *line, const char *indent)
{
	if (line->err && !b->err)
		b->err = line->err;
	const char *p = line->p ? line->p : "";
	size_t len = line->len, lead = 0;
	for (;;) {
		size_t cut = md_break(p, len, MD_LINE - lead);
		buf_put_n(b, p, cut);
		buf_putc(b, '\n');
		while (cut < len && p[cut] == ' ')
			cut++;
		p += cut;
		len -= cut;
		if (!len)
			break;
		buf_put(b, indent);
		lead = strlen(indent);
	}
	line->len = 0;
}

/* Field budgets in bytes, so a line is short before it is wrapped. */
#define MD_TITLE 160
#define MD_NAME 60
#define MD_BODY 160 /* "first ~160 characters" of a post's text */
#define MD_REASON 160

static void md_slot(struct buf *b, struct buf *line, const struct uccn_agenda_input *in,
		    const struct uccn_agenda_slot *s)
{
	buf_put(line, "- ");
	cal_put_clock(line, s->start, false);
	buf_put(line, "\u2013");
	cal_put_clock(line, s->end, false);
	buf_put(line, "  ");
	md_put(line, render_slot_title(in, s), MD_TITLE);
	if (s->item == SIZE_MAX) {
		md_emit(b, line, "  ");
		return;
	}
	const struct uccn_agenda_item *it = &in->items[s->item];
	if (render_presenter(it)) {
		buf_put(line, " \u2014 ");
		md_put(line, render_presenter(it), MD_NAME);
	}
	if (it->remote)
		buf_put(line, " (on-line)");
	md_emit(b, line, "  ");
	if (it->body && *it->body) {
		buf_put(line, "  ");
		md_put(line, it->body, MD_BODY);
		md_emit(b, line, "  ");
	}
	for (size_t k = 0; it->parts && k < it->nparts; k++) {
		const struct uccn_agenda_part *pt = &it->parts[k];
		buf_put(line, "  - ");
		md_put(line, pt->title, MD_TITLE);
		if (pt->presenter || pt->city) {
			buf_put(line, " \u2014 ");
			md_put(line, pt->presenter ? pt->presenter : pt->city, MD_NAME);
		}
		if (pt->seq)
			buf_printf(line, " (post %" PRIu64 ")", pt->seq);
		md_emit(b, line, "    ");
	}
	if (render_shows_inconvenienced(in, s)) {
		buf_put(line, "  ");
		render_put_inconvenienced(line, s);
		md_emit(b, line, "  ");
	}
}

static void md_heading(struct buf *b, struct buf *line, const struct uccn_agenda_meeting *m,
		       const struct uccn_agenda_input *in)
{
	/* The heading cannot wrap: the title gets what the rest leaves. */
	struct buf tail = {0};
	buf_put(&tail, " \u2014 ");
	if (m->place && *m->place) {
		md_put(&tail, m->place, MD_NAME);
		buf_put(&tail, ", ");
	}
	cal_put_date_range(&tail, m, in->days);
	buf_put(&tail, ", times in ");
	md_put(&tail, m->tz, MD_NAME);
	buf_put(line, "# ");
	md_put(line, m->title, MD_LINE - 2 - tail.len);
	buf_put_n(line, tail.p, tail.len);
	if (tail.err && !b->err)
		b->err = tail.err;
	free(tail.p);
	md_emit(b, line, "");
}

/* Each presenter's own date and time, for the city that reads only its line. */
static void md_presenter_times(struct buf *b, struct buf *line,
			       const struct uccn_agenda_meeting *m,
			       const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	bool any = false;
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		if (!render_shows_presenter_time(in, s))
			continue;
		const struct uccn_agenda_item *it = &in->items[s->item];
		if (!any)
			buf_put(b, "\n## Presenters' local times\n\n");
		any = true;
		buf_put(line, "- ");
		md_put(line, render_presenter(it), MD_NAME);
		buf_put(line, ": ");
		cal_put_local(line, m, s->day, s->start, it->offset[s->day]);
		buf_put(line, " \u2014 ");
		md_put(line, it->title, MD_TITLE);
		if (it->remote)
			buf_put(line, " (on-line)");
		md_emit(b, line, "  ");
	}
}

static void md_regions(struct buf *b, struct buf *line, const struct uccn_agenda_input *in,
		       const struct uccn_agenda *a)
{
	struct region_count rc[REGION_COUNT];
	if (!in->hybrid)
		return;
	render_count_regions(in, a, rc);
	buf_put(b, "\n## Daytime by region\n\nAn item is in a region's daytime when it falls "
		   "within 08:00\u201320:00 local time\nfor every city of the region.\n\n");
	for (int r = 0; r < REGION_COUNT; r++) {
		if (!rc[r].cities)
			continue;
		buf_printf(line, "- %s (%zu %s): %zu of %zu items in daytime", render_region_name(r),
			   rc[r].cities, rc[r].cities == 1 ? "city" : "cities", rc[r].daytime,
			   rc[r].items);
		md_emit(b, line, "  ");
	}
}

void render_md(struct buf *b, const struct uccn_agenda_meeting *m,
	       const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	struct buf line = {0};
	md_heading(b, &line, m, in);
	buf_putc(b, '\n');
	if (m->version)
		buf_printf(b, "Version %" PRIu64 ".\n", m->version);
	else
		buf_put(b, "Draft, not yet published.\n");

	size_t i = 0;
	for (int d = 0; d < in->days; d++) {
		buf_printf(b, "\n## Day %d \u2014 ", d + 1);
		cal_put_long_date(b, cal_wall_civil(m, d, 0));
		buf_put(b, " (UTC");
		cal_put_offset(b, m->utc_offset[d]);
		buf_put(b, ")\n\n");
		if (i >= a->nslots || a->slots[i].day != d)
			buf_put(b, "Nothing scheduled.\n");
		for (; i < a->nslots && a->slots[i].day == d; i++)
			md_slot(b, &line, in, &a->slots[i]);
	}
	md_presenter_times(b, &line, m, in, a);
	md_regions(b, &line, in, a);
	if (a->ndeferred) {
		buf_put(b, "\n## Deferred\n\n");
		for (size_t k = 0; k < a->ndeferred; k++) {
			const struct uccn_agenda_deferred *df = &a->deferred[k];
			const struct uccn_agenda_item *it = &in->items[df->item];
			buf_put(&line, "- ");
			md_put(&line, it->title, MD_TITLE);
			if (render_presenter(it) || it->seq) {
				buf_put(&line, " (");
				md_put(&line, render_presenter(it), MD_NAME);
				if (it->seq)
					buf_printf(&line, "%spost %" PRIu64, render_presenter(it) ? ", " : "",
						   it->seq);
				buf_put(&line, ")");
			}
			buf_put(&line, ": ");
			md_put(&line, df->reason, MD_REASON);
			if (df->hint[0]) {
				buf_put(&line, "; ");
				md_put(&line, df->hint, MD_REASON);
			}
			md_emit(b, &line, "  ");
		}
	}
	if (a->nwarnings) {
		buf_put(b, "\n## Warnings\n\n");
		for (size_t k = 0; k < a->nwarnings; k++) {
			buf_put(&line, "- ");
			md_put(&line, a->warnings[k].text, sizeof a->warnings[k].text);
			md_emit(b, &line, "  ");
		}
	}
	free(line.p);
}
