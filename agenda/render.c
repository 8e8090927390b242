/*
 * render.c - an agenda as text, in the format asked for: Markdown for an e-mail, one printable HTML
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

#include "render_int.h"
#include "uccn_error.h"

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
		buf_put_n(&b, "", 0);
	if (b.err) {
		free(b.p);
		return b.err;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
