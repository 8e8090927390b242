/*
 * render_json.c - the agenda as JSON for scripts, the schema of
 * docs/agenda-json.md (docs/agenda.schema.json): stable keys, RFC 3339
 * times with offsets, the full per-city detail the pages leave out.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "uccn_error.h"

static void json_seq(struct buf *b, uint64_t seq)
{
	if (seq)
		buf_printf(b, "%" PRIu64, seq);
	else
		buf_put(b, "null");
}

static void json_parts(struct buf *b, const struct uccn_agenda_item *it)
{
	buf_put(b, "[");
	for (size_t k = 0; it->parts && k < it->nparts; k++) {
		const struct uccn_agenda_part *pt = &it->parts[k];
		buf_put(b, k ? ", {\"seq\": " : "{\"seq\": ");
		json_seq(b, pt->seq);
		buf_put(b, ", \"city\": ");
		buf_put_json(b, pt->city);
		buf_put(b, ", \"presenter\": ");
		buf_put_json(b, pt->presenter ? pt->presenter : pt->city);
		buf_put(b, ", \"title\": ");
		buf_put_json(b, pt->title);
		buf_put(b, "}");
	}
	buf_put(b, "]");
}

/* What a slot and a deferred item share: the item's own fields. */
static void json_item(struct buf *b, const struct uccn_agenda_item *it)
{
	buf_put(b, "\"seq\": ");
	json_seq(b, it->seq);
	buf_put(b, ", \"city\": ");
	buf_put_json(b, it->city);
	buf_put(b, ", \"presenter\": ");
	buf_put_json(b, render_presenter(it));
	buf_printf(b, ", \"minutes\": %d, \"priority\": \"%s\", \"remote\": %s, \"body\": ",
		   it->minutes, render_priority_name(it->priority), it->remote ? "true" : "false");
	buf_put_json(b, it->body);
	buf_put(b, ", \"parts\": ");
	json_parts(b, it);
}

static void json_slot(struct buf *b, const struct uccn_agenda_meeting *m,
		      const struct uccn_agenda_input *in, const struct uccn_agenda_slot *s)
{
	const struct uccn_agenda_item *it = s->item == SIZE_MAX ? NULL : &in->items[s->item];
	buf_put(b, "{\"key\": \"");
	struct buf key = {0};
	render_put_slot_key(&key, in, s);
	buf_put_esc(b, key.p, ESC_JSON);
	free(key.p);
	buf_printf(b, "\", \"day\": %d, \"start\": \"", s->day + 1);
	cal_put_rfc3339(b, m, s->day, s->start);
	buf_put(b, "\", \"end\": \"");
	cal_put_rfc3339(b, m, s->day, s->end);
	buf_put(b, "\", \"title\": ");
	buf_put_json(b, render_slot_title(in, s));
	buf_put(b, ", \"kind\": ");
	buf_put_json(b, uccn_agenda_kind_name(s->kind));
	buf_put(b, ", ");
	if (it) {
		json_item(b, it);
		/* the item's own minutes are asked for; the slot's are end - start */
	} else {
		buf_printf(b, "\"seq\": null, \"city\": null, \"presenter\": null, \"minutes\": %d, "
			      "\"priority\": null, \"remote\": false, \"body\": null, \"parts\": []",
			   s->end - s->start);
	}
	buf_put(b, ", \"presenter_start\": ");
	if (it && it->city && it->has_offset) {
		buf_putc(b, '"');
		cal_put_rfc3339_at(b, m, s->day, s->start, it->offset[s->day]);
		buf_putc(b, '"');
	} else {
		buf_put(b, "null");
	}
	bool shown = render_shows_inconvenienced(in, s);
	buf_printf(b, ", \"inconvenienced_count\": %zu, \"inconvenienced\": [",
		   shown ? s->ninconvenienced : 0);
	for (size_t k = 0; shown && k < s->ninconvenienced; k++) {
		buf_put(b, k ? ", " : "");
		buf_put_json(b, render_participant_city(&in->participants[s->inconvenienced[k]]));
	}
	buf_put(b, "]}");
}

static void json_deferred(struct buf *b, const struct uccn_agenda_input *in,
			  const struct uccn_agenda_deferred *df)
{
	const struct uccn_agenda_item *it = &in->items[df->item];
	buf_put(b, "{\"key\": ");
	buf_put_json(b, it->key);
	buf_put(b, ", \"title\": ");
	buf_put_json(b, it->title);
	buf_put(b, ", \"kind\": ");
	buf_put_json(b, uccn_agenda_kind_name(it->kind));
	buf_put(b, ", ");
	json_item(b, it);
	buf_printf(b, ", \"deferrals\": %d, \"reason\": ", it->deferrals);
	buf_put_json(b, df->reason);
	buf_put(b, ", \"hint\": ");
	buf_put_json(b, df->hint[0] ? df->hint : NULL);
	buf_put(b, "}");
}

/* Per city: its zone and region, and how many placed items fall inside
 * and outside its daytime; the pages only count. */
static void json_participants(struct buf *b, const struct uccn_agenda_input *in,
			      const struct uccn_agenda *a)
{
	size_t *outside = calloc(in->nparticipants ? in->nparticipants : 1, sizeof *outside);
	size_t items = 0;
	if (!outside) {
		b->err = b->err ? b->err : UCCN_E_NOMEM;
		return;
	}
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		if (s->item == SIZE_MAX)
			continue;
		items++;
		for (size_t k = 0; render_shows_inconvenienced(in, s) && k < s->ninconvenienced; k++)
			outside[s->inconvenienced[k]]++;
	}
	buf_put(b, "\"participants\": [");
	for (size_t p = 0; p < in->nparticipants; p++) {
		const struct uccn_agenda_participant *pt = &in->participants[p];
		buf_put(b, p ? ",\n    {\"city\": " : "\n    {\"city\": ");
		buf_put_json(b, pt->city);
		buf_put(b, ", \"name\": ");
		buf_put_json(b, render_participant_name(pt));
		buf_put(b, ", \"tz\": ");
		buf_put_json(b, pt->tz);
		buf_put(b, ", \"region\": ");
		buf_put_json(b, pt->has_offset ? render_region_name(render_region(pt->tz)) : NULL);
		if (pt->has_offset && in->hybrid)
			buf_printf(b, ", \"items_in_daytime\": %zu, \"items_outside_daytime\": %zu}",
				   items - outside[p], outside[p]);
		else
			buf_put(b, ", \"items_in_daytime\": null, \"items_outside_daytime\": null}");
	}
	buf_put(b, in->nparticipants ? "\n  ]" : "]");
	free(outside);
}

void render_json(struct buf *b, const struct uccn_agenda_meeting *m,
		 const struct uccn_agenda_input *in, const struct uccn_agenda *a)
{
	buf_put(b, "{\n  \"meeting\": ");
	buf_put_json(b, m->id);
	buf_put(b, ",\n  \"title\": ");
	buf_put_json(b, m->title);
	buf_put(b, ",\n  \"place\": ");
	buf_put_json(b, m->place && *m->place ? m->place : NULL);
	buf_put(b, ",\n  \"first_day\": \"");
	cal_put_date(b, m, 0);
	buf_put(b, "\",\n  \"last_day\": \"");
	cal_put_date(b, m, in->days - 1);
	buf_printf(b, "\",\n  \"version\": %" PRIu64 ",\n  \"timezone\": ", m->version);
	buf_put_json(b, m->tz);
	buf_printf(b, ",\n  \"hybrid\": %s,\n  \"days\": [", in->hybrid ? "true" : "false");
	for (int d = 0; d < in->days; d++) {
		buf_printf(b, "%s{\"day\": %d, \"date\": \"", d ? ", " : "", d + 1);
		cal_put_date(b, m, d);
		buf_put(b, "\", \"utc_offset\": \"");
		cal_put_offset(b, m->utc_offset[d]);
		buf_put(b, "\"}");
	}
	buf_put(b, "],\n  \"slots\": [");
	for (size_t i = 0; i < a->nslots; i++) {
		buf_put(b, i ? ",\n    " : "\n    ");
		json_slot(b, m, in, &a->slots[i]);
	}
	buf_put(b, a->nslots ? "\n  ],\n  \"deferred\": [" : "],\n  \"deferred\": [");
	for (size_t k = 0; k < a->ndeferred; k++) {
		buf_put(b, k ? ",\n    " : "\n    ");
		json_deferred(b, in, &a->deferred[k]);
	}
	buf_put(b, a->ndeferred ? "\n  ],\n  \"warnings\": [" : "],\n  \"warnings\": [");
	for (size_t k = 0; k < a->nwarnings; k++) {
		const struct uccn_agenda_warning *w = &a->warnings[k];
		buf_put(b, k ? ",\n    {\"code\": " : "\n    {\"code\": ");
		buf_put_json(b, w->code ? w->code : "other");
		buf_put(b, ", \"item\": ");
		buf_put_json(b, w->item < in->nitems ? in->items[w->item].key : NULL);
		buf_put(b, ", \"text\": ");
		buf_put_json(b, w->text);
		buf_put(b, "}");
	}
	buf_printf(b, "%s,\n  \"cost\": {\"deferred\": %ld, \"night\": %ld, \"moved\": %ld, "
		      "\"total\": %ld},\n  \"regions\": [",
		   a->nwarnings ? "\n  ]" : "]", a->cost.deferred, a->cost.night, a->cost.moved,
		   a->cost.total);
	struct region_count rc[REGION_COUNT];
	render_count_regions(in, a, rc);
	bool first = true;
	for (int r = 0; r < REGION_COUNT; r++) {
		if (!rc[r].cities)
			continue;
		buf_printf(b, "%s{\"region\": \"%s\", \"cities\": %zu, \"items\": %zu, "
			      "\"items_in_daytime\": ",
			   first ? "\n    " : ",\n    ", render_region_name(r), rc[r].cities,
			   rc[r].items);
		/* in person, everyone is in the meeting's day: nothing to count */
		if (in->hybrid)
			buf_printf(b, "%zu}", rc[r].daytime);
		else
			buf_put(b, "null}");
		first = false;
	}
	buf_put(b, first ? "],\n  " : "\n  ],\n  ");
	json_participants(b, in, a);
	buf_put(b, "\n}\n");
}
