/*
 * render_html.c - the agenda as one self-contained HTML page, printable on
 * A4, with a local-time column per participant zone.
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
	buf_put(b, "<th class=\"z\">");
	for (size_t k = 0; k < nshown; k++) {
		if (k)
			buf_put(b, ", ");
		put_zone_place(b, shown[k]);
	}
	if (more)
		buf_put(b, ", \u2026");
	buf_put(b, "<small>UTC");
	cal_put_offset(b, m->utc_offset[day] + off);
	buf_put(b, "</small></th>");
}

/* Under a day's table: which zones each column stands for, in full. */
static void put_zone_legend(struct buf *b, const struct uccn_agenda_meeting *m,
			    const struct uccn_agenda_input *in, int day, const int *offs,
			    size_t nz)
{
	if (!nz)
		return;
	buf_put(b, "<p class=\"zones\">Local times: ");
	for (size_t z = 0; z < nz; z++) {
		const char *shown[HTML_LEGEND_NAMES];
		size_t nshown;
		bool more = zones_at(in, day, offs[z], shown, HTML_LEGEND_NAMES, &nshown);
		if (z)
			buf_put(b, "; ");
		buf_put(b, "UTC");
		cal_put_offset(b, m->utc_offset[day] + offs[z]);
		buf_put(b, " ");
		for (size_t k = 0; k < nshown; k++) {
			if (k)
				buf_put(b, ", ");
			buf_put_esc(b, shown[k], ESC_HTML);
		}
		if (more)
			buf_put(b, ", \u2026");
	}
	buf_put(b, ". Shaded: outside 08:00\u201320:00 there.</p>\n");
}

static void html_slot(struct buf *b, const struct uccn_agenda_input *in,
		      const struct uccn_agenda_slot *s, const int *offs, size_t nz)
{
	bool brk = s->item == SIZE_MAX;
	buf_put(b, brk ? "<tr class=\"break\">" : "<tr>");
	buf_put(b, "<td class=\"t\">");
	cal_put_clock(b, s->start, false);
	buf_put(b, "\u2013");
	cal_put_clock(b, s->end, false);
	buf_put(b, "</td><td class=\"it\">");
	if (brk) {
		buf_put_esc(b, render_slot_title(in, s), ESC_HTML);
	} else {
		const struct uccn_agenda_item *it = &in->items[s->item];
		buf_put(b, "<span class=\"title\">");
		buf_put_esc(b, it->title, ESC_HTML);
		buf_put(b, "</span><span class=\"kind\">");
		buf_put_esc(b, uccn_agenda_kind_name(s->kind), ESC_HTML);
		buf_put(b, "</span>");
		if (it->city || it->remote) {
			buf_put(b, "<span class=\"who\">");
			buf_put_esc(b, it->city, ESC_HTML);
			if (it->remote)
				buf_put(b, it->city ? " \u00b7 <span class=\"online\">on-line</span>"
						: "<span class=\"online\">on-line</span>");
			buf_put(b, "</span>");
		}
		if (render_shows_inconvenienced(in, s)) {
			buf_put(b, "<span class=\"inc\">inconveniences: ");
			render_put_inconvenienced(b, in, s, ESC_HTML, false);
			buf_put(b, "</span>");
		}
	}
	buf_put(b, "</td>");
	for (size_t z = 0; z < nz; z++) {
		int ls = s->start + offs[z], le = s->end + offs[z];
		bool night = in->hybrid && !brk &&
			     (ls < UCCN_AGENDA_DAYTIME_FROM || le > UCCN_AGENDA_DAYTIME_TO);
		buf_put(b, night ? "<td class=\"z night\">" : "<td class=\"z\">");
		cal_put_clock(b, ls, true);
		buf_put(b, "</td>");
	}
	buf_put(b, "</tr>\n");
}

void render_html(struct buf *b, const struct uccn_agenda_meeting *m,
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
	buf_put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_put_esc(b, m->title, ESC_HTML);
	buf_put(b, "</title>\n<style>\n");
	buf_printf(b, "@page { size: A4%s; margin: 16mm 14mm 18mm; }\n",
	     widest > HTML_PORTRAIT_ZONES ? " landscape" : "");
	buf_put(b, html_style);
	/* Many local-time columns: the page may be wider on screen. */
	if (widest > HTML_PORTRAIT_ZONES)
		buf_put(b, "@media screen { body { max-width: 96em; } }\n");
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
		size_t nz = zone_columns(in, d, offs);
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
			put_zone_header(b, m, in, d, offs[z]);
		buf_put(b, "</tr></thead>\n<tbody>\n");
		for (; i < a->nslots && a->slots[i].day == d; i++)
			html_slot(b, in, &a->slots[i], offs, nz);
		buf_put(b, "</tbody>\n</table>\n");
		put_zone_legend(b, m, in, d, offs, nz);
		buf_put(b, "</section>\n");
	}
	free(offs);

	if (a->ndeferred) {
		buf_put(b, "<section>\n<h2>Deferred</h2>\n<ul>\n");
		for (size_t k = 0; k < a->ndeferred; k++) {
			const struct uccn_agenda_item *it = &in->items[a->deferred[k].item];
			buf_put(b, "<li><span class=\"title\">");
			buf_put_esc(b, it->title, ESC_HTML);
			buf_put(b, "</span>");
			if (it->city || it->seq) {
				buf_put(b, " (");
				buf_put_esc(b, it->city, ESC_HTML);
				if (it->seq)
					buf_printf(b, "%spost %" PRIu64, it->city ? ", " : "", it->seq);
				buf_put(b, ")");
			}
			buf_put(b, ": ");
			buf_put_esc(b, a->deferred[k].reason, ESC_HTML);
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
	buf_put(b, "<footer>Times are in ");
	buf_put_esc(b, m->tz, ESC_HTML);
	buf_put(b, "; the other columns give each zone's local start time (+1d: the next day).");
	if (in->hybrid)
		buf_put(b, " Shaded: outside 08:00\u201320:00 local time.");
	buf_put(b, " Meeting ");
	buf_put_esc(b, m->id, ESC_HTML);
	buf_put(b, ".</footer>\n</body>\n</html>\n");
}
