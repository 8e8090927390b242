/*
 * gather_groups.c - the items that stand for many records: the welcome of
 * the cities designated since the previous meeting, and one good-practice
 * showcase per field, each listing what it holds through item.parts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gather_int.h"
#include "uccn_error.h"

/* Names go into the welcome's title while they fit a line a reader takes
 * in at a glance (and an agenda entry's title); beyond, the count does. */
#define WELCOME_TITLE_NAMES 5
#define WELCOME_TITLE_BYTES 160

static bool welcomed(const struct gather *g, const struct uccn_city *ci, long since)
{
	const struct uccn_meeting *m = g->m;
	long first = g->r->calendar->first;
	long designated = ci->year ? uccn_agenda_day_number((int)ci->year, 10, 31) : 0;
	bool joins = m->field ? gather_same_str(ci->field, m->field)
			      : gather_same_str(m->kind, "conference");
	return joins && gather_is_member(ci) && ci->year && designated >= since && designated < first;
}

/* "A, B and C" for the names of parts[0..n), with each city's field at a
 * conference; NULL when memory runs out. */
static const char *welcome_list(struct gather *g, const struct uccn_agenda_part *parts, size_t n,
				bool with_field)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i].presenter) + strlen(parts[i].title) + 8;
	char *s = gather_block(g, len, 1);
	if (!s)
		return NULL;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : ", ";
		int w = with_field ? snprintf(s + at, len - at, "%s%s (%s)", sep, parts[i].presenter,
					      parts[i].title)
				   : snprintf(s + at, len - at, "%s%s", sep, parts[i].presenter);
		at += w > 0 ? (size_t)w : 0;
	}
	return s;
}

/*
 * Welcome the cities designated since the previous meeting of the series
 * (within the last year when there is none): the field's at a field's
 * meeting, every field's at a conference. A record holds the year only,
 * and UNESCO announces designations on 31 October. The parts list each
 * city with its field; the title names them while they are few, else
 * counts them; the body always counts and names them.
 */
int gather_welcome(struct gather *g)
{
	const struct uccn_meeting *prev = g->out->prev;
	const struct uccn_agenda_records *r = g->r;
	long first = r->calendar->first;
	long since = prev ? gather_date_days(prev->start, first - UCCN_AGENDA_YEAR_DAYS)
			  : first - UCCN_AGENDA_YEAR_DAYS;
	size_t n = 0;
	for (size_t i = 0; i < r->ncities; i++)
		n += welcomed(g, &r->cities[i], since);
	if (!n)
		return 0;
	struct uccn_agenda_part *parts = gather_block(g, n, sizeof *parts);
	if (!parts)
		return UCCN_E_NOMEM;
	size_t k = 0, title_bytes = 0;
	for (size_t i = 0; i < r->ncities; i++) {
		const struct uccn_city *ci = &r->cities[i];
		char label[64];
		if (!welcomed(g, ci, since))
			continue;
		uccn_agenda_field_label(ci->field, label, sizeof label);
		parts[k] = (struct uccn_agenda_part){
			.city = ci->id, .presenter = g->names[i], .title = gather_keep(g, "%s", label)};
		if (!parts[k].title)
			return UCCN_E_NOMEM;
		title_bytes += strlen(parts[k].presenter) + 2;
		k++;
	}
	bool conference = !g->m->field;
	const char *names = welcome_list(g, parts, n, false);
	const char *all = conference ? welcome_list(g, parts, n, true) : names;
	struct uccn_agenda_item *it;
	int rc = gather_new_item(g, &it);
	if (rc)
		return rc;
	it->key = "welcome";
	if (n <= WELCOME_TITLE_NAMES && title_bytes <= WELCOME_TITLE_BYTES)
		it->title = gather_keep(g, "Welcome to new members: %s", names);
	else
		it->title = gather_keep(g, "Welcome to %zu new members", n);
	it->body = gather_keep(g, "%zu %s designated %s%s: %s.", n, n == 1 ? "city" : "cities",
			       prev ? "since " : "in the year before", prev ? prev->start : "", all);
	if (!names || !all || !it->title || !it->body)
		return UCCN_E_NOMEM;
	it->kind = UCCN_AGENDA_WELCOME;
	it->minutes = 20;
	it->parts = parts;
	it->nparts = n;
	return 0;
}

/* A good-practice post and the field whose showcase it goes to. */
struct shared {
	const struct uccn_post *post;
	const char *field;
};

static int by_field_then_seq(const void *a, const void *b)
{
	const struct shared *x = a, *y = b;
	/* Posts of no known field come last. */
	if (!x->field != !y->field)
		return x->field ? -1 : 1;
	int c = x->field ? strcmp(x->field, y->field) : 0;
	if (c)
		return c;
	return x->post->seq < y->post->seq ? -1 : x->post->seq > y->post->seq;
}

/* One showcase item for list[0..n), all of one field. */
static int showcase(struct gather *g, const struct shared *list, size_t n)
{
	const char *field = list[0].field;
	char label[64];
	struct uccn_agenda_part *parts = gather_block(g, n, sizeof *parts);
	if (!parts)
		return UCCN_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct uccn_post *p = list[i].post;
		parts[i] = (struct uccn_agenda_part){
			.seq = p->seq, .city = p->city, .presenter = gather_name(g, p->city),
			.title = gather_post_title(g, p)};
		if (!parts[i].title)
			return UCCN_E_NOMEM;
	}
	struct uccn_agenda_item *it;
	int rc = gather_new_item(g, &it);
	if (rc)
		return rc;
	uccn_agenda_field_label(field, label, sizeof label);
	it->key = field ? gather_keep(g, "good-practice:%s", field) : "good-practice";
	it->title = field ? gather_keep(g, "Good practice from the %s (%zu %s)", label, n,
					n == 1 ? "post" : "posts")
			  : gather_keep(g, "Good practice (%zu %s)", n, n == 1 ? "post" : "posts");
	if (!it->key || !it->title)
		return UCCN_E_NOMEM;
	it->kind = UCCN_AGENDA_GOOD_PRACTICE;
	size_t minutes = UCCN_AGENDA_SHOWCASE_MINUTES + UCCN_AGENDA_SHOWCASE_PER_POST * n;
	it->minutes = minutes > UCCN_AGENDA_SHOWCASE_MAX ? UCCN_AGENDA_SHOWCASE_MAX : (int)minutes;
	it->parts = parts;
	it->nparts = n;
	return 0;
}

/*
 * Good practice, one showcase per field: the posts that name the meeting,
 * and those the field's cities (every city's, at a meeting of no field)
 * shared since the previous meeting ended. A meeting of a field shows its
 * own; a conference one showcase per field, in field order, each post by
 * its author's field.
 */
int gather_good_practice(struct gather *g)
{
	const struct uccn_agenda_records *r = g->r;
	const struct uccn_meeting *m = g->m;
	int64_t since = uccn_agenda_good_practice_since(g->out->prev, r->calendar->first);
	struct shared *list = calloc(r->nposts + r->ngood_practice + 1, sizeof *list);
	size_t n = 0;
	if (!list)
		return UCCN_E_NOMEM;
	for (size_t i = 0; i < r->nposts + r->ngood_practice; i++) {
		bool named = i < r->nposts;
		const struct uccn_post *p = named ? &r->posts[i] : &r->good_practice[i - r->nposts];
		const struct uccn_city *author = gather_city(g, p->city);
		if (named ? !gather_same_str(p->kind, "good-practice")
			  : p->created_ms < since || gather_same_str(p->meeting, m->id) || !author ||
				    (m->field && !gather_same_str(author->field, m->field)))
			continue;
		list[n++] = (struct shared){p, m->field ? m->field : author ? author->field : NULL};
	}
	qsort(list, n, sizeof *list, by_field_then_seq);
	int rc = 0;
	for (size_t i = 0, j; i < n && !rc; i = j) {
		for (j = i + 1; j < n && gather_same_str(list[j].field, list[i].field); j++)
			;
		rc = showcase(g, list + i, j - i);
	}
	free(list);
	return rc;
}
