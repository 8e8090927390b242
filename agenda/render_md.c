/*
 * render_md.c - the agenda as Markdown, readable as it stands in an e-mail,
 * and as JSON for scripts.
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

/* ---- Markdown: readable as it stands in an e-mail ---- */

void render_md(struct buf *b, const struct uccn_agenda_meeting *m,
		      const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	buf_put(b, "# ");
	buf_put_esc(b, m->title, ESC_TEXT);
	buf_put(b, " \u2014 ");
	if (m->place && *m->place) {
		buf_put_esc(b, m->place, ESC_TEXT);
		buf_put(b, ", ");
	}
	cal_put_date_range(b, m, in->days);
	buf_put(b, ", times in ");
	buf_put_esc(b, m->tz, ESC_TEXT);
	buf_put(b, "\n\n");
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
		for (; i < a->nslots && a->slots[i].day == d; i++) {
			const struct uccn_agenda_slot *s = &a->slots[i];
			buf_put(b, "- ");
			cal_put_clock(b, s->start, false);
			buf_put(b, "\u2013");
			cal_put_clock(b, s->end, false);
			buf_put(b, "  ");
			buf_put_esc(b, render_slot_title(in, s), ESC_TEXT);
			if (s->item != SIZE_MAX) {
				const struct uccn_agenda_item *it = &in->items[s->item];
				if (it->city) {
					buf_put(b, " \u2014 ");
					buf_put_esc(b, it->city, ESC_TEXT);
				}
				if (it->remote)
					buf_put(b, " (on-line)");
			}
			buf_put(b, "\n");
			if (render_shows_inconvenienced(in, s)) {
				/* under the title: "- 09:00-09:15  " is 15 columns */
				buf_put(b, "               inconveniences: ");
				render_put_inconvenienced(b, in, s, ESC_TEXT, true);
				buf_put(b, "\n");
			}
		}
	}
	if (a->ndeferred) {
		buf_put(b, "\n## Deferred\n\n");
		for (size_t k = 0; k < a->ndeferred; k++) {
			const struct uccn_agenda_item *it = &in->items[a->deferred[k].item];
			buf_put(b, "- ");
			buf_put_esc(b, it->title, ESC_TEXT);
			if (it->city || it->seq) {
				buf_put(b, " (");
				buf_put_esc(b, it->city, ESC_TEXT);
				if (it->seq)
					buf_printf(b, "%spost %" PRIu64, it->city ? ", " : "", it->seq);
				buf_put(b, ")");
			}
			buf_put(b, ": ");
			buf_put_esc(b, a->deferred[k].reason, ESC_TEXT);
			buf_put(b, "\n");
		}
	}
	if (a->nwarnings) {
		buf_put(b, "\n## Warnings\n\n");
		for (size_t k = 0; k < a->nwarnings; k++) {
			buf_put(b, "- ");
			buf_put_esc(b, a->warnings[k].text, ESC_TEXT);
			buf_put(b, "\n");
		}
	}
}


/* ---- JSON ---- */

void render_json(struct buf *b, const struct uccn_agenda_meeting *m,
			const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	buf_put(b, "{\n  \"meeting\": ");
	buf_put_json(b, m->id);
	buf_printf(b, ",\n  \"version\": %" PRIu64 ",\n  \"timezone\": ", m->version);
	buf_put_json(b, m->tz);
	buf_put(b, ",\n  \"slots\": [");
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		const struct uccn_agenda_item *it = s->item == SIZE_MAX ? NULL : &in->items[s->item];
		buf_printf(b, "%s\n    {\"day\": %d, \"start\": \"", i ? "," : "", s->day + 1);
		cal_put_rfc3339(b, m, s->day, s->start);
		buf_put(b, "\", \"end\": \"");
		cal_put_rfc3339(b, m, s->day, s->end);
		buf_put(b, "\", \"title\": ");
		buf_put_json(b, render_slot_title(in, s));
		buf_put(b, ", \"kind\": ");
		buf_put_json(b, uccn_agenda_kind_name(s->kind));
		buf_put(b, ", \"city\": ");
		buf_put_json(b, it ? it->city : NULL);
		if (it && it->seq)
			buf_printf(b, ", \"seq\": %" PRIu64, it->seq);
		else
			buf_put(b, ", \"seq\": null");
		buf_printf(b, ", \"remote\": %s, \"inconvenienced\": [", it && it->remote ? "true" : "false");
		for (size_t k = 0; render_shows_inconvenienced(in, s) && k < s->ninconvenienced; k++) {
			const struct uccn_agenda_participant *p = &in->participants[s->inconvenienced[k]];
			buf_put(b, k ? ", {\"city\": " : "{\"city\": ");
			buf_put_json(b, p->city);
			buf_put(b, ", \"local_start\": \"");
			cal_put_clock(b, s->start + p->offset[s->day], false);
			buf_put(b, "\"}");
		}
		buf_put(b, "]}");
	}
	buf_put(b, a->nslots ? "\n  ],\n  \"deferred\": [" : "],\n  \"deferred\": [");
	for (size_t k = 0; k < a->ndeferred; k++) {
		const struct uccn_agenda_item *it = &in->items[a->deferred[k].item];
		buf_put(b, k ? ",\n    {\"title\": " : "\n    {\"title\": ");
		buf_put_json(b, it->title);
		if (it->seq)
			buf_printf(b, ", \"seq\": %" PRIu64, it->seq);
		else
			buf_put(b, ", \"seq\": null");
		buf_put(b, ", \"reason\": ");
		buf_put_json(b, a->deferred[k].reason);
		buf_put(b, "}");
	}
	buf_put(b, a->ndeferred ? "\n  ],\n  \"warnings\": [" : "],\n  \"warnings\": [");
	for (size_t k = 0; k < a->nwarnings; k++) {
		buf_put(b, k ? ",\n    " : "\n    ");
		buf_put_json(b, a->warnings[k].text);
	}
	buf_put(b, a->nwarnings ? "\n  ]\n}\n" : "]\n}\n");
}
