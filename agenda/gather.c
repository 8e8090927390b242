/*
 * gather.c - the agenda's contents from the records: which items a meeting
 * takes up, who presents them, who takes part, and where the last published
 * version put things. Pure, so each rule is tested on hand-made records.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gather_int.h"
#include "uccn_error.h"

#define DAY_MS 86400000

/* The meeting record's limits are the builder's. */
_Static_assert(UCCN_MAX_SESSION == UCCN_AGENDA_MAX_SESSION, "max_session limits differ");
_Static_assert(UCCN_DEFAULT_SESSION == UCCN_AGENDA_SESSION, "default sessions differ");
_Static_assert(UCCN_SESSION_GRID == UCCN_AGENDA_GRID, "grids differ");

/* Howard Hinnant's civil-from-days algorithm and its inverse: exact over
 * the whole proleptic Gregorian calendar, with no library time zone. */
long uccn_agenda_day_number(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void uccn_agenda_date_of(long days, int *y, int *m, int *d)
{
	days += 719468;
	long era = (days >= 0 ? days : days - 146096) / 146097;
	long doe = days - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The day number of a YYYY-MM-DD date, or fallback: an optional date that
 * is missing must not stop the agenda. */
long gather_date_days(const char *s, long fallback)
{
	int y, m, d;
	if (!s || sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
		return fallback;
	return uccn_agenda_day_number(y, m, d);
}

bool gather_same_str(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

int uccn_agenda_calendar(const struct uccn_meeting *m, uccn_agenda_zone_fn *zone,
			 struct uccn_agenda_calendar *cal)
{
	int y, mo, d, y2, mo2, d2;
	memset(cal, 0, sizeof *cal);
	if (!m->start || !m->end || sscanf(m->start, "%d-%d-%d", &y, &mo, &d) != 3 ||
	    sscanf(m->end, "%d-%d-%d", &y2, &mo2, &d2) != 3)
		return UCCN_E_INVALID;
	cal->first = uccn_agenda_day_number(y, mo, d);
	cal->ndays = uccn_agenda_day_number(y2, mo2, d2) - cal->first + 1;
	if (cal->ndays < 1 || cal->ndays > UCCN_AGENDA_MAX_DAYS)
		return UCCN_E_TOOBIG;
	for (long i = 0; i < cal->ndays; i++) {
		struct uccn_agenda_date *day = &cal->day[i];
		uccn_agenda_date_of(cal->first + i, &day->year, &day->month, &day->mday);
		if (zone(m->tz, day->year, day->month, day->mday, &cal->utc_offset[i]) != 0)
			return UCCN_E_NOTFOUND;
	}
	return 0;
}

void uccn_agenda_neighbours(const struct uccn_meeting *m, const struct uccn_meeting *series,
			    size_t n, const struct uccn_meeting **prev,
			    const struct uccn_meeting **next)
{
	*prev = *next = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct uccn_meeting *o = &series[i];
		if (!strcmp(o->id, m->id) || !gather_same_str(o->kind, m->kind) ||
		    !gather_same_str(o->field, m->field) || !o->start || !m->start)
			continue;
		int cmp = strcmp(o->start, m->start);
		if (cmp < 0 && (!*prev || strcmp(o->start, (*prev)->start) > 0))
			*prev = o;
		if (cmp > 0 && (!*next || strcmp(o->start, (*next)->start) < 0))
			*next = o;
	}
}

int64_t uccn_agenda_good_practice_since(const struct uccn_meeting *prev, long first)
{
	long day = prev ? gather_date_days(prev->end, first - UCCN_AGENDA_YEAR_DAYS - 1) + 1
			: first - UCCN_AGENDA_YEAR_DAYS;
	return (int64_t)day * DAY_MS;
}

bool uccn_agenda_entry_left_open(const struct uccn_agenda_entry *e, uint64_t *seq)
{
	unsigned long long n;
	int used = 0;
	if (!e->deferred || sscanf(e->key, "post:%llu%n", &n, &used) != 1 || e->key[used])
		return false;
	*seq = n;
	return true;
}

/* ---- the gathering ---- */

const char *gather_keep(struct gather *g, const char *fmt, ...)
{
	struct uccn_agenda_gathered *o = g->out;
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	char **grown = n < 0 ? NULL : realloc(o->strings, (o->nstrings + 1) * sizeof *grown);
	if (!grown) {
		if (n >= 0)
			free(s);
		return NULL;
	}
	o->strings = grown;
	o->strings[o->nstrings++] = s;
	return s;
}

void *gather_block(struct gather *g, size_t n, size_t size)
{
	struct uccn_agenda_gathered *o = g->out;
	void **grown = realloc(o->blocks, (o->nblocks + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	o->blocks = grown;
	void *b = calloc(n ? n : 1, size);
	if (b)
		o->blocks[o->nblocks++] = b;
	return b;
}

int gather_new_item(struct gather *g, struct uccn_agenda_item **item)
{
	struct uccn_agenda_gathered *o = g->out;
	if (o->nitems == UCCN_AGENDA_MAX_ITEMS)
		return UCCN_E_TOOBIG;
	struct uccn_agenda_item *grown = realloc(o->items, (o->nitems + 1) * sizeof *grown);
	if (!grown)
		return UCCN_E_NOMEM;
	o->items = grown;
	struct uccn_agenda_item *it = &o->items[o->nitems++];
	memset(it, 0, sizeof *it);
	it->priority = UCCN_AGENDA_NORMAL;
	it->pin_day = it->pin_start = -1;
	*item = it;
	return 0;
}

static size_t city_index(const struct gather *g, const char *id)
{
	for (size_t i = 0; id && i < g->r->ncities; i++)
		if (strcmp(g->r->cities[i].id, id) == 0)
			return i;
	return SIZE_MAX;
}

const struct uccn_city *gather_city(const struct gather *g, const char *id)
{
	size_t i = city_index(g, id);
	return i == SIZE_MAX ? NULL : &g->r->cities[i];
}

const char *gather_name(const struct gather *g, const char *id)
{
	size_t i = city_index(g, id);
	return i == SIZE_MAX ? id : g->names[i];
}

bool gather_is_member(const struct uccn_city *ci)
{
	return strcmp(ci->id, UCCN_SYSTEM_CITY_ID) != 0 && !gather_same_str(ci->role, "secretariat");
}

static bool key_taken(const struct gather *g, const char *key)
{
	for (size_t i = 0; i < g->out->nitems; i++)
		if (g->out->items[i].key && strcmp(g->out->items[i].key, key) == 0)
			return true;
	return false;
}

/* A city's time minus the meeting's, per day; false when its zone is
 * unknown, so the builder does not guess. */
static bool offsets(const struct gather *g, const char *tz, int *out)
{
	const struct uccn_agenda_calendar *cal = g->r->calendar;
	for (long d = 0; d < cal->ndays; d++) {
		int o;
		if (!tz || g->r->zone(tz, cal->day[d].year, cal->day[d].month, cal->day[d].mday, &o) != 0)
			return false;
		out[d] = o - cal->utc_offset[d];
	}
	return true;
}

static enum uccn_agenda_priority priority_of(const char *p)
{
	if (p && strcmp(p, "high") == 0)
		return UCCN_AGENDA_HIGH;
	if (p && strcmp(p, "low") == 0)
		return UCCN_AGENDA_LOW;
	return UCCN_AGENDA_NORMAL;
}

/* An item presented by the post's author, with the post's text. */
static int post_item(struct gather *g, const struct uccn_post *p, enum uccn_agenda_kind kind,
		     struct uccn_agenda_item **item)
{
	struct uccn_agenda_item *it;
	int rc = gather_new_item(g, &it);
	if (rc)
		return rc;
	it->key = gather_keep(g, "post:%llu", (unsigned long long)p->seq);
	it->title = gather_post_title(g, p);
	if (!it->key || !it->title)
		return UCCN_E_NOMEM;
	it->kind = kind;
	it->minutes = p->minutes ? (int)p->minutes : DEFAULT_MINUTES;
	it->city = p->city;
	it->seq = p->seq;
	it->priority = priority_of(p->priority);
	it->remote = p->remote;
	it->body = p->body;
	*item = it;
	return 0;
}

/* The meeting's participants: the field's member cities, or every member
 * city for a network-wide meeting; past the builder's limit, the rest are
 * left out. The system's account and the secretariat are no cities: they
 * have no zone, and counting them made a participant "of unknown zone". */
static int add_participants(struct gather *g)
{
	const struct uccn_agenda_records *r = g->r;
	struct uccn_agenda_gathered *o = g->out;
	o->participants = calloc(r->ncities ? r->ncities : 1, sizeof *o->participants);
	if (!o->participants)
		return UCCN_E_NOMEM;
	for (size_t i = 0; i < r->ncities && o->nparticipants < UCCN_AGENDA_MAX_PARTICIPANTS; i++) {
		const struct uccn_city *ci = &r->cities[i];
		if ((g->m->field && !gather_same_str(ci->field, g->m->field)) || !gather_is_member(ci))
			continue;
		struct uccn_agenda_participant *p = &o->participants[o->nparticipants++];
		p->city = ci->id;
		p->name = g->names[i];
		p->tz = ci->tz ? ci->tz : "";
		p->has_offset = offsets(g, ci->tz, p->offset);
	}
	return 0;
}

/* The last published version: its number (the iCalendar SEQUENCE) and
 * where it placed each item, so that a re-run moves as little as it can. */
static int add_previous(struct gather *g)
{
	const struct uccn_agenda_pub *last = g->r->last;
	struct uccn_agenda_gathered *o = g->out;
	if (!last)
		return 0;
	o->version = last->version;
	o->previous = calloc(last->nentries ? last->nentries : 1, sizeof *o->previous);
	if (!o->previous)
		return UCCN_E_NOMEM;
	for (size_t i = 0; i < last->nentries; i++) {
		const struct uccn_agenda_entry *e = &last->entries[i];
		if (!e->deferred && e->day >= 1)
			o->previous[o->nprevious++] = (struct uccn_agenda_previous){
				e->key, (int)e->day - 1, (int)e->start};
	}
	return 0;
}

/* The field's member city of role, first in the records' order. */
static const struct uccn_city *field_role(const struct gather *g, const char *role)
{
	for (size_t i = 0; i < g->r->ncities; i++) {
		const struct uccn_city *ci = &g->r->cities[i];
		if (gather_same_str(ci->role, role) && gather_same_str(ci->field, g->m->field) &&
		    gather_is_member(ci))
			return &g->r->cities[i];
	}
	return NULL;
}

/* Who gives the coordinator's report: the field's coordinator, its deputy
 * only when it has none. A meeting of no field (a conference) has no field
 * coordinator, and the network's coordinator is the system's account, not
 * a city: its first host reports (uccn(1)). */
static const char *reporter(const struct gather *g)
{
	const struct uccn_meeting *m = g->m;
	if (!m->field)
		return m->hosts.n ? m->hosts.v[0] : NULL;
	const struct uccn_city *ci = field_role(g, "coordinator");
	if (!ci)
		ci = field_role(g, "deputy");
	return ci ? ci->id : NULL;
}

/* "Next meeting: Kraków, Wawel, from ..." names the host once: a place
 * that names the host already ("Kansas City") stands alone. */
static const char *next_title(struct gather *g, const char *host)
{
	const struct uccn_meeting *next = g->out->next;
	const struct uccn_city *h = gather_city(g, host);
	const char *name = gather_name(g, host), *place = next->place;
	if (place && h && h->name && strstr(place, h->name))
		name = NULL;
	return gather_keep(g, "Next meeting: %s%s%s, from %s (%s)", name ? name : "",
			   name && place ? ", " : "", place ? place : "", next->start, next->id);
}

static int add_frame(struct gather *g)
{
	const struct uccn_meeting *m = g->m, *next = g->out->next;
	const char *title = "Next meeting: call for a host city", *next_host = NULL;
	if (next) {
		next_host = next->hosts.n ? next->hosts.v[0] : NULL;
		if (!(title = next_title(g, next_host)))
			return UCCN_E_NOMEM;
	}
	const char *host = m->hosts.n ? m->hosts.v[0] : NULL;
	const struct {
		const char *key, *title;
		enum uccn_agenda_kind kind;
		int minutes;
		const char *city;
	} frame[] = {
		{"opening", "Opening", UCCN_AGENDA_OPENING, 15, host},
		{"coordinator-report", "Coordinator's report", UCCN_AGENDA_REPORT, 30, reporter(g)},
		{"next-meeting", title, UCCN_AGENDA_NEXT_MEETING, 10, next_host},
		{"closing", "Closing", UCCN_AGENDA_CLOSING, 10, host},
	};
	for (size_t i = 0; i < sizeof frame / sizeof frame[0]; i++) {
		struct uccn_agenda_item *it;
		int rc = gather_new_item(g, &it);
		if (rc)
			return rc;
		it->key = frame[i].key;
		it->title = frame[i].title;
		it->kind = frame[i].kind;
		it->minutes = frame[i].minutes;
		it->city = frame[i].city;
	}
	return 0;
}

static int add_projects(struct gather *g)
{
	for (size_t i = 0; i < g->r->nprojects; i++) {
		const struct uccn_project *p = &g->r->projects[i];
		struct uccn_agenda_item *it;
		int rc = gather_new_item(g, &it);
		if (rc)
			return rc;
		it->key = gather_keep(g, "project:%s", p->id);
		it->title = gather_keep(g, "Project report: %s", p->title);
		if (!it->key || !it->title)
			return UCCN_E_NOMEM;
		it->kind = UCCN_AGENDA_PROJECT;
		it->minutes = 15;
		it->city = p->lead;
		it->body = p->description;
	}
	return 0;
}

/* The posts that name the meeting; only these may pin themselves. Good
 * practice goes to its field's showcase instead (gather_groups.c). */
static int add_posts(struct gather *g)
{
	for (size_t i = 0; i < g->r->nposts; i++) {
		const struct uccn_post *p = &g->r->posts[i];
		struct uccn_agenda_item *it;
		if (!strcmp(p->kind, "good-practice"))
			continue;
		int rc = post_item(g, p, !strcmp(p->kind, "proposal") ? UCCN_AGENDA_PROPOSAL
								       : UCCN_AGENDA_ITEM, &it);
		if (rc)
			return rc;
		int pd, pm;
		if (p->pin && uccn_pin_parse(p->pin, &pd, &pm)) {
			it->pin_day = pd ? pd - 1 : 0;
			it->pin_start = pm;
		}
	}
	return 0;
}

static const struct uccn_post *left_open_post(const struct gather *g, uint64_t seq)
{
	for (size_t i = 0; i < g->r->nleft_open; i++)
		if (g->r->left_open[i].seq == seq)
			return &g->r->left_open[i];
	return NULL;
}

/* What the previous meeting's last published agenda deferred comes back,
 * weighed by how often it was deferred (at least once: an entry from
 * before entries counted). Only its posts: the generated items (project
 * reports, elections) are made afresh anyway, and an item that is on the
 * agenda already stays as it is. */
static int add_left_open(struct gather *g)
{
	const struct uccn_agenda_pub *a = g->r->prev_agenda;
	const struct uccn_meeting *prev = g->out->prev;
	if (!prev || !a)
		return 0;
	for (size_t i = 0; i < a->nentries; i++) {
		const struct uccn_agenda_entry *e = &a->entries[i];
		uint64_t seq;
		if (!uccn_agenda_entry_left_open(e, &seq) || key_taken(g, e->key))
			continue;
		const struct uccn_post *p = left_open_post(g, seq);
		struct uccn_agenda_item *it;
		int rc = p ? post_item(g, p, UCCN_AGENDA_OPEN, &it) : gather_new_item(g, &it);
		if (rc)
			return rc;
		if (!p) {
			/* Gone, or not ours to read: what the agenda said. */
			it->key = e->key;
			it->minutes = DEFAULT_MINUTES;
			it->seq = seq;
		}
		it->kind = UCCN_AGENDA_OPEN;
		it->deferrals = e->deferrals > 1 ? (int)e->deferrals : 1;
		it->title = gather_keep(g, "Left open at %s: %s", prev->id,
					p && p->title ? p->title : e->title);
		if (!it->title)
			return UCCN_E_NOMEM;
	}
	return 0;
}

/* An election for every coordinator or deputy of the field whose term ends
 * before the next meeting of the series (within a year when none is
 * planned): the last meeting before a term ends holds the vote. The title
 * names the role and the field, which a conference needs. */
static int add_elections(struct gather *g)
{
	const struct uccn_meeting *m = g->m, *next = g->out->next;
	long first = g->r->calendar->first;
	long bound = next ? gather_date_days(next->start, first + UCCN_AGENDA_YEAR_DAYS)
			  : first + UCCN_AGENDA_YEAR_DAYS;
	for (size_t i = 0; i < g->r->ncities; i++) {
		const struct uccn_city *ci = &g->r->cities[i];
		char field[64];
		if (!ci->term_end || !ci->role || !gather_is_member(ci) ||
		    (m->field && !gather_same_str(ci->field, m->field)) ||
		    (strcmp(ci->role, "coordinator") != 0 && strcmp(ci->role, "deputy") != 0) ||
		    gather_date_days(ci->term_end, bound) >= bound)
			continue;
		struct uccn_agenda_item *it;
		int rc = gather_new_item(g, &it);
		if (rc)
			return rc;
		uccn_agenda_field_label(ci->field, field, sizeof field);
		it->key = gather_keep(g, "election:%s", ci->id);
		it->title = gather_keep(g, "Election of the %s of the %s (the term of %s ends %s)",
					ci->role, field, g->names[i], ci->term_end);
		if (!it->key || !it->title)
			return UCCN_E_NOMEM;
		it->kind = UCCN_AGENDA_DECISION;
		it->minutes = 20;
	}
	return 0;
}

/* Each presenter's name and offsets, and the check the builder relies on. */
static int finish_items(struct gather *g)
{
	for (size_t i = 0; i < g->out->nitems; i++) {
		struct uccn_agenda_item *it = &g->out->items[i];
		if (!it->key || !it->title)
			return UCCN_E_INVALID;
		const struct uccn_city *ci = gather_city(g, it->city);
		it->presenter = gather_name(g, it->city);
		it->has_offset = ci && offsets(g, ci->tz, it->offset);
	}
	return 0;
}

int uccn_agenda_gather(const struct uccn_agenda_records *r, struct uccn_agenda_gathered *out)
{
	const struct uccn_meeting *m = r->meeting;
	struct gather g = {.r = r, .m = m, .out = out};
	int day_start, day_end, unused_day, rc;
	uccn_agenda_neighbours(m, r->series, r->nseries, &out->prev, &out->next);
	if ((rc = gather_names_init(&g)))
		goto out;
	if (!(out->title = gather_meeting_title(&g))) {
		rc = UCCN_E_NOMEM;
		goto out;
	}
	if ((rc = add_participants(&g)) || (rc = add_previous(&g)) || (rc = add_frame(&g)) ||
	    (rc = gather_welcome(&g)) || (rc = add_projects(&g)) || (rc = add_posts(&g)) ||
	    (rc = gather_good_practice(&g)) || (rc = add_left_open(&g)) ||
	    (rc = add_elections(&g)) || (rc = finish_items(&g)))
		goto out;
	rc = UCCN_E_INVALID;
	if (!uccn_pin_parse(m->day_start ? m->day_start : UCCN_DEFAULT_DAY_START, &unused_day,
			    &day_start) ||
	    !uccn_pin_parse(m->day_end ? m->day_end : UCCN_DEFAULT_DAY_END, &unused_day, &day_end))
		goto out;
	out->input = (struct uccn_agenda_input){
		.days = (int)r->calendar->ndays, .day_start = day_start, .day_end = day_end,
		.max_session = m->max_session ? (int)m->max_session : UCCN_AGENDA_SESSION,
		.hybrid = m->hybrid, .items = out->items, .nitems = out->nitems,
		.participants = out->participants, .nparticipants = out->nparticipants,
		.previous = out->previous, .nprevious = out->nprevious,
	};
	rc = 0;
out:
	free(g.names);
	return rc;
}

void uccn_agenda_gathered_clear(struct uccn_agenda_gathered *g)
{
	if (!g)
		return;
	free(g->items);
	free(g->participants);
	free(g->previous);
	for (size_t i = 0; i < g->nstrings; i++)
		free(g->strings[i]);
	free(g->strings);
	for (size_t i = 0; i < g->nblocks; i++)
		free(g->blocks[i]);
	free(g->blocks);
	memset(g, 0, sizeof *g);
}
