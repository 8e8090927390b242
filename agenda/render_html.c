/*
 * render_html.c - the agenda as one self-contained HTML page: A4 portrait
 * in print, one column on a phone, at most HTML_ZONE_COLUMNS local-time
 * columns however many zones take part, counts instead of name lists.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "uccn_error.h"

static const char html_style[] =
	"@page { size: A4; margin: 14mm 12mm 14mm; }\n"
	"* { box-sizing: border-box; }\n"
	"html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	"body { margin: 0 auto; max-width: 64em; padding: 1.5em 1.5em 3em;\n"
	"  font: 10.5pt/1.4 \"Segoe UI\", \"Helvetica Neue\", Arial, sans-serif;\n"
	"  color: #1d2433; background: #fff; }\n"
	"h1 { font-size: 1.5em; line-height: 1.2; margin: 0 0 .25em; color: #0b3a66; }\n"
	".meta { margin: 0 0 1em; color: #4a5568; }\n"
	"h2 { font-size: 1.15em; margin: 1.4em 0 .4em; padding-bottom: .2em; color: #0b3a66;\n"
	"  border-bottom: 2px solid #0b3a66; break-after: avoid; page-break-after: avoid; }\n"
	"h2 .date { font-weight: normal; color: #4a5568; }\n"
	"table { width: 100%; border-collapse: collapse; table-layout: auto; }\n"
	"th, td { padding: .3em .45em; text-align: left; vertical-align: top;\n"
	"  border-bottom: 1px solid #d9dee7; }\n"
	"td.it { overflow-wrap: anywhere; }\n"
	"th { font-size: .85em; font-weight: 600; background: #eef2f7; }\n"
	"th small { display: block; font-weight: normal; color: #5a6475; }\n"
	"tr { break-inside: avoid; page-break-inside: avoid; }\n"
	"td.t { width: 7em; white-space: nowrap; font-weight: 600;\n"
	"  font-variant-numeric: tabular-nums; }\n"
	"th.z { text-align: center; font-size: .72em; width: 5.5em; padding: .3em .15em; }\n"
	"td.z { text-align: center; font-size: .8em; padding: .35em .15em;\n"
	"  font-variant-numeric: tabular-nums; color: #2d3748; }\n"
	"td.z span { white-space: nowrap; }\n"
	"td.night { background: #fde8e8; color: #9b1c1c; }\n"
	"td.some { background: #fdf3e1; color: #8a4b08; }\n"
	"tr.break td { background: #f6f6f1; color: #6b6b5e; font-style: italic;\n"
	"  padding-top: .15em; padding-bottom: .15em; }\n"
	".title { font-weight: 600; }\n"
	".kind { display: inline-block; margin-left: .5em; padding: 0 .4em; font-size: .75em;\n"
	"  font-weight: normal; color: #5a6475; border: 1px solid #c3cad6; border-radius: 3px; }\n"
	".who { font-size: .9em; color: #4a5568; }\n"
	".who::before { content: \" \\2014\\00a0\"; }\n"
	".online { color: #1f6f43; font-weight: 600; }\n"
	".body { display: block; font-size: .85em; color: #4a5568; white-space: pre-line; }\n"
	".parts { display: block; font-size: .85em; margin: .1em 0 0; padding: 0; list-style: none; }\n"
	".parts li { display: inline; margin: 0; }\n"
	".parts li + li::before { content: \" \\00b7 \"; }\n"
	".inc { display: block; font-size: .8em; color: #9b1c1c; }\n"
	".zones { font-size: .75em; color: #5a6475; margin: .3em 0 0; }\n"
	"ul { padding-left: 1.2em; margin: .3em 0; }\n"
	"li { margin: .15em 0; }\n"
	"ul.local { columns: 2 22em; column-gap: 2em; font-size: .9em; }\n"
	"ul.local li { break-inside: avoid; }\n"
	".note, footer { font-size: .85em; color: #5a6475; }\n"
	"footer { margin-top: 2em; border-top: 1px solid #d9dee7; padding-top: .5em; }\n"
	/* a phone: one column, each row a block, the zone times wrap under it */
	"@media screen and (max-width: 40em) {\n"
	"  body { padding: .8em; }\n"
	"  table, tbody, tr, td { display: block; width: auto; }\n"
	"  thead { display: none; }\n"
	"  td { border: 0; padding: .1em .3em; }\n"
	"  tr { border-bottom: 1px solid #d9dee7; padding: .3em 0; }\n"
	"  td.z { display: inline-block; margin: 0 .3em .2em 0; }\n"
	"  td.z::before { content: attr(data-z) \" \"; font-weight: 600; } }\n"
	"@media print { body { max-width: none; padding: 0; font-size: 8.5pt; line-height: 1.3; }\n"
	"  h2 { margin-top: 1em; }\n"
	/* a post's whole text is on screen; on paper its first lines */
	"  .body { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2;\n"
	"    overflow: hidden; white-space: normal; } }\n";

/* A local-time column: offsets lo..hi (minutes ahead of the meeting). */
struct zcol {
	int lo, hi;
};

/* A day's local-time columns: the distinct offsets of the participants
 * with a known zone, leaving out the meeting's own (0). When there are
 * more than HTML_ZONE_COLUMNS, neighbouring offsets share a column: each
 * column starts a whole number of hours w after the last one's start, w
 * the span over HTML_ZONE_COLUMNS - 1, so there are at most that many. */
static size_t zone_columns(const struct uccn_agenda_input *in, int day, int *offs,
			   struct zcol *cols)
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
	if (n <= HTML_ZONE_COLUMNS) {
		for (size_t k = 0; k < n; k++)
			cols[k] = (struct zcol){offs[k], offs[k]};
		return n;
	}
	int span = offs[n - 1] - offs[0];
	int w = (span + HTML_ZONE_COLUMNS - 2) / (HTML_ZONE_COLUMNS - 1);
	w = (w + 59) / 60 * 60;
	size_t nc = 0;
	for (size_t k = 0; k < n; k++) {
		if (nc && offs[k] < cols[nc - 1].lo + w) {
			cols[nc - 1].hi = offs[k];
			continue;
		}
		cols[nc++] = (struct zcol){offs[k], offs[k]};
	}
	return nc;
}

static const char *zone_label(const struct uccn_agenda_participant *p)
{
	return p->tz && *p->tz ? p->tz : render_participant_city(p);
}

/* A zone's place, as a column head: "America/Los_Angeles" as "Los Angeles". */
static void put_zone_place(struct buf *b, const char *zone)
{
	const char *slash = strrchr(zone, '/');
	const char *place = slash ? slash + 1 : zone;
	for (const char *c = place; *c; c++) {
		char one[2] = {*c == '_' ? ' ' : *c, '\0'};
		buf_put_esc(b, one, ESC_HTML);
	}
}

/* The zones (or, without one, the cities) of the participants in column
 * c on day, at most max, each once; true when there are more. */
static bool zones_at(const struct uccn_agenda_input *in, int day, struct zcol c,
		     const char **shown, size_t max, size_t *nshown)
{
	*nshown = 0;
	for (size_t p = 0; p < in->nparticipants; p++) {
		const struct uccn_agenda_participant *pt = &in->participants[p];
		if (!pt->has_offset || pt->offset[day] < c.lo || pt->offset[day] > c.hi ||
		    pt->offset[day] == 0)
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

/* "UTC-06:00", or for a group "UTC+05:30 to +09:00" */
static void put_zone_utc(struct buf *b, const struct uccn_agenda_meeting *m, int day, struct zcol c)
{
	buf_put(b, "UTC");
	cal_put_offset(b, m->utc_offset[day] + c.lo);
	if (c.hi != c.lo) {
		buf_put(b, " to ");
		cal_put_offset(b, m->utc_offset[day] + c.hi);
	}
}

/* The head of a column: its zones' places, short (the full names in the
 * legend under the table), then its UTC offsets. */
static void put_zone_header(struct buf *b, const struct uccn_agenda_meeting *m,
			    const struct uccn_agenda_input *in, int day, struct zcol c)
{
	const char *shown[HTML_ZONE_NAMES];
	size_t nshown;
	bool more = zones_at(in, day, c, shown, HTML_ZONE_NAMES, &nshown);
	buf_put(b, "<th class=\"z\">");
	for (size_t k = 0; k < nshown; k++) {
		if (k)
			buf_put(b, ", ");
		put_zone_place(b, shown[k]);
	}
	if (more)
		buf_put(b, ", \u2026");
	buf_put(b, "<small>");
	put_zone_utc(b, m, day, c);
	buf_put(b, "</small></th>");
}

/* Under a day's table: which zones each column stands for, in full. */
static void put_zone_legend(struct buf *b, const struct uccn_agenda_meeting *m,
			    const struct uccn_agenda_input *in, int day, const struct zcol *cols,
			    size_t nz)
{
	if (!nz)
		return;
	buf_put(b, "<p class=\"zones\">Local times: ");
	for (size_t z = 0; z < nz; z++) {
		const char *shown[HTML_LEGEND_NAMES];
		size_t nshown;
		bool more = zones_at(in, day, cols[z], shown, HTML_LEGEND_NAMES, &nshown);
		if (z)
			buf_put(b, "; ");
		put_zone_utc(b, m, day, cols[z]);
		buf_put(b, " ");
		for (size_t k = 0; k < nshown; k++) {
			if (k)
				buf_put(b, ", ");
			buf_put_esc(b, shown[k], ESC_HTML);
		}
		if (more)
			buf_put(b, ", \u2026");
	}
	if (in->hybrid)
		buf_put(b, ". Shaded: outside 08:00\u201320:00 there (light: in part of the column).");
	buf_put(b, "</p>\n");
}

/* One column's cell: the local start (a range for a group), shaded when
 * it is night there, lightly when night for part of the group. */
static void html_zone_cell(struct buf *b, const struct uccn_agenda_meeting *m,
			   const struct uccn_agenda_input *in, const struct uccn_agenda_slot *s,
			   struct zcol c)
{
	size_t night = 0, all = 0;
	for (size_t p = 0; in->hybrid && s->item != SIZE_MAX && p < in->nparticipants; p++) {
		const struct uccn_agenda_participant *pt = &in->participants[p];
		int off = pt->offset[s->day];
		if (!pt->has_offset || off < c.lo || off > c.hi || off == 0)
			continue;
		all++;
		night += !render_in_daytime(s->start, s->end, off);
	}
	buf_put(b, night && night == all ? "<td class=\"z night\"" : night ? "<td class=\"z some\""
										: "<td class=\"z\"");
	buf_put(b, " data-z=\"");
	put_zone_utc(b, m, s->day, c);
	buf_put(b, "\"><span>");
	cal_put_clock(b, s->start + c.lo, true);
	buf_put(b, "</span>");
	if (c.hi != c.lo) {
		buf_put(b, " <span>\u2013 ");
		cal_put_clock(b, s->start + c.hi, true);
		buf_put(b, "</span>");
	}
	buf_put(b, "</td>");
}

static void html_item(struct buf *b, const struct uccn_agenda_input *in,
		      const struct uccn_agenda_slot *s)
{
	const struct uccn_agenda_item *it = &in->items[s->item];
	buf_put(b, "<span class=\"title\">");
	buf_put_esc(b, it->title, ESC_HTML);
	buf_put(b, "</span>");
	if (render_presenter(it) || it->remote) {
		buf_put(b, "<span class=\"who\">");
		buf_put_esc(b, render_presenter(it), ESC_HTML);
		if (it->remote)
			buf_put(b, render_presenter(it) ? " \u00b7 <span class=\"online\">on-line</span>"
							: "<span class=\"online\">on-line</span>");
		buf_put(b, "</span>");
	}
	buf_put(b, "<span class=\"kind\">");
	buf_put_esc(b, uccn_agenda_kind_name(s->kind), ESC_HTML);
	buf_put(b, "</span>");
	if (it->body && *it->body) {
		buf_put(b, "<span class=\"body\">");
		buf_put_esc(b, it->body, ESC_HTML);
		buf_put(b, "</span>");
	}
	if (it->parts && it->nparts) {
		buf_put(b, "<ul class=\"parts\">");
		for (size_t k = 0; k < it->nparts; k++) {
			const struct uccn_agenda_part *pt = &it->parts[k];
			const char *who = pt->presenter ? pt->presenter : pt->city;
			buf_put(b, "<li>");
			buf_put_esc(b, pt->title, ESC_HTML);
			if (who) {
				buf_put(b, " (");
				buf_put_esc(b, who, ESC_HTML);
				buf_put(b, ")");
			}
			buf_put(b, "</li>");
		}
		buf_put(b, "</ul>");
	}
	if (render_shows_inconvenienced(in, s)) {
		buf_put(b, "<span class=\"inc\">");
		render_put_inconvenienced(b, s);
		buf_put(b, "</span>");
	}
}

static void html_slot(struct buf *b, const struct uccn_agenda_meeting *m,
		      const struct uccn_agenda_input *in, const struct uccn_agenda_slot *s,
		      const struct zcol *cols, size_t nz)
{
	bool brk = s->item == SIZE_MAX;
	buf_put(b, brk ? "<tr class=\"break\">" : "<tr>");
	buf_put(b, "<td class=\"t\">");
	cal_put_clock(b, s->start, false);
	buf_put(b, "\u2013");
	cal_put_clock(b, s->end, false);
	buf_put(b, "</td><td class=\"it\">");
	if (brk)
		buf_put_esc(b, render_slot_title(in, s), ESC_HTML);
	else
		html_item(b, in, s);
	buf_put(b, "</td>");
	for (size_t z = 0; z < nz; z++)
		html_zone_cell(b, m, in, s, cols[z]);
	buf_put(b, "</tr>\n");
}

/* Each presenter's own date and time, and the per-region summary. */
static void html_fairness(struct buf *b, const struct uccn_agenda_meeting *m,
			  const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	bool any = false;
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		if (!render_shows_presenter_time(in, s))
			continue;
		const struct uccn_agenda_item *it = &in->items[s->item];
		if (!any)
			buf_put(b, "<section>\n<h2>Presenters' local times</h2>\n<ul class=\"local\">\n");
		any = true;
		buf_put(b, "<li><strong>");
		buf_put_esc(b, render_presenter(it), ESC_HTML);
		buf_put(b, "</strong>: ");
		cal_put_local(b, m, s->day, s->start, it->offset[s->day]);
		buf_put(b, " \u2014 ");
		buf_put_esc(b, it->title, ESC_HTML);
		buf_put(b, "</li>\n");
	}
	if (any)
		buf_put(b, "</ul>\n</section>\n");
	if (!in->hybrid)
		return;
	struct region_count rc[REGION_COUNT];
	render_count_regions(in, a, rc);
	buf_put(b, "<section>\n<h2>Daytime by region</h2>\n<ul>\n");
	for (int r = 0; r < REGION_COUNT; r++)
		if (rc[r].cities)
			buf_printf(b, "<li>%s (%zu %s): %zu of %zu items in daytime</li>\n",
				   render_region_name(r), rc[r].cities,
				   rc[r].cities == 1 ? "city" : "cities", rc[r].daytime, rc[r].items);
	buf_put(b, "</ul>\n<p class=\"note\">An item is in a region's daytime when it falls within "
		   "08:00\u201320:00 local time for every city of the region.</p>\n</section>\n");
}

static void html_lists(struct buf *b, const struct uccn_agenda_input *in,
		       const struct uccn_agenda *a)
{
	if (a->ndeferred) {
		buf_put(b, "<section>\n<h2>Deferred</h2>\n<ul>\n");
		for (size_t k = 0; k < a->ndeferred; k++) {
			const struct uccn_agenda_deferred *df = &a->deferred[k];
			const struct uccn_agenda_item *it = &in->items[df->item];
			buf_put(b, "<li><span class=\"title\">");
			buf_put_esc(b, it->title, ESC_HTML);
			buf_put(b, "</span>");
			if (render_presenter(it) || it->seq) {
				buf_put(b, " (");
				buf_put_esc(b, render_presenter(it), ESC_HTML);
				if (it->seq)
					buf_printf(b, "%spost %" PRIu64, render_presenter(it) ? ", " : "",
						   it->seq);
				buf_put(b, ")");
			}
			buf_put(b, ": ");
			buf_put_esc(b, df->reason, ESC_HTML);
			if (df->hint[0]) {
				buf_put(b, "; ");
				buf_put_esc(b, df->hint, ESC_HTML);
			}
			buf_put(b, "</li>\n");
		}
		buf_put(b, "</ul>\n</section>\n");
	}
	if (a->nwarnings) {
		buf_put(b, "<section>\n<h2>Warnings</h2>\n<ul>\n");
		for (size_t k = 0; k < a->nwarnings; k++) {
			buf_put(b, "<li>");
			buf_put_esc(b, a->warnings[k].text, ESC_HTML);
			buf_put(b, "</li>\n");
		}
		buf_put(b, "</ul>\n</section>\n");
	}
}

void render_html(struct buf *b, const struct uccn_agenda_meeting *m,
		 const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	size_t np = in->nparticipants ? in->nparticipants : 1;
	int *offs = malloc(np * sizeof *offs);
	struct zcol *cols = malloc(np * sizeof *cols);
	if (!offs || !cols) {
		free(offs);
		free(cols);
		b->err = UCCN_E_NOMEM;
		return;
	}
	buf_put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_put_esc(b, m->title, ESC_HTML);
	buf_put(b, "</title>\n<style>\n");
	buf_put(b, html_style);
	buf_put(b, "</style>\n</head>\n<body>\n<header>\n<h1>");
	buf_put_esc(b, m->title, ESC_HTML);
	buf_put(b, "</h1>\n<p class=\"meta\">");
	if (m->place && *m->place) {
		buf_put_esc(b, m->place, ESC_HTML);
		buf_put(b, " \u00b7 ");
	}
	cal_put_date_range(b, m, in->days);
	buf_put(b, " \u00b7 times in ");
	buf_put_esc(b, m->tz, ESC_HTML);
	if (m->version)
		buf_printf(b, " \u00b7 version %" PRIu64, m->version);
	else
		buf_put(b, " \u00b7 draft");
	buf_put(b, "</p>\n</header>\n");

	size_t i = 0;
	for (int d = 0; d < in->days; d++) {
		size_t nz = zone_columns(in, d, offs, cols);
		buf_printf(b, "<section class=\"day\">\n<h2>Day %d <span class=\"date\">\u2014 ", d + 1);
		cal_put_long_date(b, cal_wall_civil(m, d, 0));
		buf_put(b, "</span></h2>\n");
		if (i >= a->nslots || a->slots[i].day != d) {
			buf_put(b, "<p class=\"note\">Nothing scheduled.</p>\n</section>\n");
			continue;
		}
		buf_put(b, "<table>\n<thead><tr><th>");
		buf_put_esc(b, m->tz, ESC_HTML);
		buf_put(b, "<small>UTC");
		cal_put_offset(b, m->utc_offset[d]);
		buf_put(b, "</small></th><th>Item</th>");
		for (size_t z = 0; z < nz; z++)
			put_zone_header(b, m, in, d, cols[z]);
		buf_put(b, "</tr></thead>\n<tbody>\n");
		for (; i < a->nslots && a->slots[i].day == d; i++)
			html_slot(b, m, in, &a->slots[i], cols, nz);
		buf_put(b, "</tbody>\n</table>\n");
		put_zone_legend(b, m, in, d, cols, nz);
		buf_put(b, "</section>\n");
	}
	free(offs);
	free(cols);
	html_fairness(b, m, in, a);
	html_lists(b, in, a);
	buf_put(b, "<footer>Times are in ");
	buf_put_esc(b, m->tz, ESC_HTML);
	buf_put(b, "; the other columns give each zone's local start time, marked (+1 day) "
		   "when it falls on the next day there.");
	buf_put(b, " Meeting ");
	buf_put_esc(b, m->id, ESC_HTML);
	buf_put(b, ".</footer>\n</body>\n</html>\n");
}
