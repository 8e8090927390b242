/*
 * place.c - the agenda's placement, one objective (uccn(1), "How the agenda
 * is placed"): hard rules, then priority across kinds, carried-over weight,
 * remote daytime, few moves. Deterministic: every ordering ends in keys.
 */
#include <stdlib.h>
#include <string.h>

#include "place_int.h"
#include "uccn_error.h"

static const char *const kind_names[UCCN_AGENDA_KIND_COUNT] = {
	[UCCN_AGENDA_OPENING] = "opening",
	[UCCN_AGENDA_REPORT] = "coordinator-report",
	[UCCN_AGENDA_WELCOME] = "welcome",
	[UCCN_AGENDA_DECISION] = "decision",
	[UCCN_AGENDA_PROJECT] = "project-report",
	[UCCN_AGENDA_PROPOSAL] = "proposal",
	[UCCN_AGENDA_ITEM] = "agenda-item",
	[UCCN_AGENDA_GOOD_PRACTICE] = "good-practice",
	[UCCN_AGENDA_OPEN] = "open-item",
	[UCCN_AGENDA_NEXT_MEETING] = "next-meeting",
	[UCCN_AGENDA_CLOSING] = "closing",
	[UCCN_AGENDA_COFFEE_BREAK] = "coffee-break",
	[UCCN_AGENDA_LUNCH_BREAK] = "lunch-break",
};

const char *uccn_agenda_kind_name(enum uccn_agenda_kind k)
{
	return (unsigned)k < UCCN_AGENDA_KIND_COUNT ? kind_names[k] : "?";
}

/* ---- the order of consideration ---- */

/* How many times an item was deferred: an open item at least once. */
int uccn_place_deferrals(const struct uccn_agenda_item *it)
{
	int d = it->deferrals > 0 ? it->deferrals : 0;
	return it->kind == UCCN_AGENDA_OPEN && d < 1 ? 1 : d;
}

/* What deferring the item costs: 4, 2 or 1 by priority, times one more
 * than its deferrals (uccn(1)). */
int uccn_place_item_weight(const struct uccn_agenda_item *it)
{
	int base = it->priority == UCCN_AGENDA_HIGH ? 4 : it->priority == UCCN_AGENDA_LOW ? 1 : 2;
	int d = uccn_place_deferrals(it);
	return base * (1 + (d > 1000 ? 1000 : d));
}

/* Decisions (and the frame) precede everything; the rest in one tier. */
static int tier(const struct work *w, size_t i)
{
	return w->frame[i] || w->in->items[i].kind == UCCN_AGENDA_DECISION ? 0 : 1;
}

/* Items that share a tier, a priority and a carried weight: their order
 * among themselves is only a tie-break. */
static bool same_class(const struct work *w, size_t x, size_t y)
{
	const struct uccn_agenda_item *a = &w->in->items[x], *b = &w->in->items[y];
	return tier(w, x) == tier(w, y) && a->priority == b->priority &&
	       uccn_place_deferrals(a) == uccn_place_deferrals(b);
}

static int order_cmp(const struct work *w, size_t x, size_t y)
{
	const struct uccn_agenda_item *a = &w->in->items[x], *b = &w->in->items[y];
	if (tier(w, x) != tier(w, y))
		return tier(w, x) < tier(w, y) ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	int da = uccn_place_deferrals(a), db = uccn_place_deferrals(b);
	if (da != db)
		return da > db ? -1 : 1;
	/* A previous placement breaks ties only: it never outranks priority. */
	if (!w->prev[x] != !w->prev[y])
		return w->prev[x] ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return strcmp(a->key, b->key);
}

static const struct work *g_w; /* for qsort's comparators */

static int cmp_order(const void *a, const void *b)
{
	return order_cmp(g_w, *(const size_t *)a, *(const size_t *)b);
}

static int cmp_prev_key(const void *a, const void *b)
{
	const struct uccn_agenda_previous *x = *(const struct uccn_agenda_previous *const *)a;
	const struct uccn_agenda_previous *y = *(const struct uccn_agenda_previous *const *)b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x < y ? -1 : x > y);
}

/* Each item's entry in previous[], by a sorted copy and binary search. */
static int match_previous(struct work *w)
{
	const struct uccn_agenda_input *in = w->in;
	size_t np = 0;
	const struct uccn_agenda_previous **p = malloc((in->nprevious + 1) * sizeof *p);
	if (!p)
		return UCCN_E_NOMEM;
	for (size_t k = 0; k < in->nprevious; k++)
		if (in->previous[k].key)
			p[np++] = &in->previous[k];
	qsort(p, np, sizeof *p, cmp_prev_key);
	for (size_t i = 0; i < in->nitems; i++) {
		size_t lo = 0, hi = np;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(p[mid]->key, in->items[i].key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		w->prev[i] = lo < np && strcmp(p[lo]->key, in->items[i].key) == 0 ? p[lo] : NULL;
	}
	free(p);
	return 0;
}

/* ---- placing ---- */

/* The frame: of each frame kind, the item of the lowest seq, then key. */
static void choose_frame(struct work *w)
{
	static const enum uccn_agenda_kind kinds[] = {UCCN_AGENDA_OPENING, UCCN_AGENDA_REPORT,
						      UCCN_AGENDA_NEXT_MEETING, UCCN_AGENDA_CLOSING};
	const struct uccn_agenda_item *items = w->in->items;
	for (size_t k = 0; k < 4; k++) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < w->in->nitems; i++)
			if (items[i].kind == kinds[k] &&
			    (best == SIZE_MAX || items[i].seq < items[best].seq ||
			     (items[i].seq == items[best].seq && strcmp(items[i].key, items[best].key) < 0)))
				best = i;
		if (best != SIZE_MAX)
			w->frame[best] = true;
	}
}

static bool remote_here(const struct work *w, size_t i)
{
	const struct uccn_agenda_item *it = &w->in->items[i];
	return w->in->hybrid && it->remote && it->has_offset;
}

/* Where it stood last time, if that session still has room. */
static int keep_previous(struct work *w, size_t i)
{
	const struct uccn_agenda_previous *pv = w->prev[i];
	if (!pv)
		return 0;
	if (remote_here(w, i))
		return uccn_place_remote(w, i, true);
	for (size_t s = 0; s < w->nsessions; s++) {
		const struct session *ss = &w->sessions[s];
		if (ss->day == pv->day && pv->start >= ss->start && pv->start < ss->end)
			return uccn_place_room(w, s, i) ? (uccn_place_assign(w, s, i) ? UCCN_E_NOMEM : 1) : 0;
	}
	return 0;
}

/* On the day it is pinned to (without a time) if it can, else the first
 * session with room, else a session stretched for it. 1 when placed, 0
 * when not, UCCN_E_NOMEM. */
static int place_in_session(struct work *w, size_t i)
{
	const struct uccn_agenda_item *it = &w->in->items[i];
	for (int pass = it->pin_day >= 0 && it->pin_start < 0 ? 0 : 1; pass < 2; pass++)
		for (size_t s = 0; s < w->nsessions; s++)
			if ((pass || w->sessions[s].day == it->pin_day) && uccn_place_room(w, s, i))
				return uccn_place_assign(w, s, i) ? UCCN_E_NOMEM : 1;
	if (w->minutes[i] > w->session_len && w->minutes[i] <= w->max_session)
		return uccn_place_stretch(w, i);
	return 0;
}

struct constrained {
	size_t item, feasible, rank;
};

static int cmp_constrained(const void *a, const void *b)
{
	const struct constrained *x = a, *y = b;
	if (x->feasible != y->feasible)
		return x->feasible < y->feasible ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* One class of equal standing: what can stay where it was last time
 * stays (the tie-break); then its remote presenters, most constrained
 * first, at daytime; then the rest in order. */
static int place_class(struct work *w, const size_t *order, size_t from, size_t to,
		       struct constrained *rem)
{
	const struct uccn_agenda_input *in = w->in;
	size_t nr = 0;
	for (size_t k = from; k < to; k++)
		if (!w->placed[order[k]] && !w->frame[order[k]] &&
		    keep_previous(w, order[k]) < 0)
			return UCCN_E_NOMEM;
	for (size_t k = from; k < to; k++) {
		size_t i = order[k];
		if (w->placed[i] || w->frame[i] || !remote_here(w, i))
			continue;
		size_t f = 0;
		for (size_t s = 0; s < w->nsessions; s++)
			f += uccn_place_daytime_start(w, i, s) >= 0;
		rem[nr++] = (struct constrained){i, f, k};
	}
	qsort(rem, nr, sizeof *rem, cmp_constrained);
	for (size_t r = 0; r < nr; r++)
		if (uccn_place_remote(w, rem[r].item, false) < 0)
			return UCCN_E_NOMEM;
	for (size_t k = from; k < to; k++) {
		size_t i = order[k];
		const struct uccn_agenda_item *it = &in->items[i];
		if (w->placed[i] || w->frame[i])
			continue;
		if (it->remote && !in->hybrid &&
		    uccn_place_warn(w, i, "remote-not-hybrid",
				    "'%s' is presented remotely, but the meeting is not hybrid", it->title))
			return UCCN_E_NOMEM;
		if (it->remote && in->hybrid && !it->has_offset &&
		    uccn_place_warn(w, i, "zone-unknown",
				    "'%s': the time zone of %s is unknown, so its daytime cannot be respected",
				    it->title, it->city ? it->city : "its presenter"))
			return UCCN_E_NOMEM;
		if (place_in_session(w, i) < 0)
			return UCCN_E_NOMEM;
	}
	return 0;
}

/* What the local search freed may take an item deferred so far. */
static int refill(struct work *w, const size_t *order, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		if (w->placed[i] || w->frame[i])
			continue;
		int rc = remote_here(w, i) ? uccn_place_remote(w, i, false) : 0;
		if (rc == 0)
			rc = place_in_session(w, i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int place_all(struct work *w, const size_t *order, size_t n)
{
	struct constrained *rem = malloc((n ? n : 1) * sizeof *rem);
	if (!rem)
		return UCCN_E_NOMEM;
	int rc = 0;
	for (size_t k = 0; k < n && !rc;) {
		size_t j = k + 1;
		while (j < n && same_class(w, order[k], order[j]))
			j++;
		rc = place_class(w, order, k, j, rem);
		k = j;
	}
	free(rem);
	/* Reasons are given with the closing's room still kept at the end of
	 * the meeting: that is the state in which the items did not fit. */
	if (rc || (rc = uccn_place_local_search(w, order, n)) || (rc = refill(w, order, n)) ||
	    (rc = uccn_place_defer_all(w, order, n, false)) || (rc = uccn_place_close(w, order, n)))
		return rc;
	return uccn_place_defer_all(w, order, n, true);
}

/* ---- the whole ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int check_input(const struct uccn_agenda_input *in)
{
	if (in->days < 1 || in->days > UCCN_AGENDA_MAX_DAYS || in->day_start < 0 ||
	    in->day_end > 24 * 60 || in->day_start >= in->day_end ||
	    in->day_start % UCCN_AGENDA_GRID || in->day_end % UCCN_AGENDA_GRID ||
	    in->max_session < 0 || in->max_session > UCCN_AGENDA_MAX_SESSION ||
	    in->max_session % UCCN_AGENDA_GRID ||
	    in->nitems > UCCN_AGENDA_MAX_ITEMS ||
	    in->nparticipants > UCCN_AGENDA_MAX_PARTICIPANTS ||
	    (in->nitems && !in->items) || (in->nprevious && !in->previous))
		return UCCN_E_INVALID;
	for (size_t i = 0; i < in->nitems; i++) {
		const struct uccn_agenda_item *it = &in->items[i];
		if (!it->key || !it->title || it->minutes <= 0 || it->minutes > 24 * 60 ||
		    (unsigned)it->kind >= UCCN_AGENDA_COFFEE_BREAK)
			return UCCN_E_INVALID;
	}
	/* Keys are unique: sort a copy of the pointers and compare neighbours. */
	if (in->nitems > 1) {
		const char **keys = malloc(in->nitems * sizeof *keys);
		if (!keys)
			return UCCN_E_NOMEM;
		for (size_t i = 0; i < in->nitems; i++)
			keys[i] = in->items[i].key;
		qsort(keys, in->nitems, sizeof *keys, cmp_str);
		int rc = 0;
		for (size_t i = 1; i < in->nitems && !rc; i++)
			if (strcmp(keys[i - 1], keys[i]) == 0)
				rc = UCCN_E_INVALID;
		free(keys);
		return rc;
	}
	return 0;
}

void uccn_agenda_clear(struct uccn_agenda *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nslots; i++)
		free(a->slots[i].inconvenienced);
	free(a->slots);
	free(a->deferred);
	free(a->warnings);
	memset(a, 0, sizeof *a);
}

int uccn_agenda_build(const struct uccn_agenda_input *in, struct uccn_agenda *out)
{
	struct work w = {.in = in, .out = out};
	size_t n = in->nitems;
	size_t *order = NULL;
	memset(out, 0, sizeof *out);
	int rc = check_input(in);
	if (rc)
		return rc;
	w.max_session = in->max_session ? in->max_session : UCCN_AGENDA_SESSION;
	w.session_len = w.max_session < UCCN_AGENDA_SESSION ? w.max_session : UCCN_AGENDA_SESSION;
	w.minutes = calloc(n ? n : 1, sizeof *w.minutes);
	w.placed = calloc(n ? n : 1, sizeof *w.placed);
	w.frame = calloc(n ? n : 1, sizeof *w.frame);
	w.rank = calloc(n ? n : 1, sizeof *w.rank);
	w.prev = calloc(n ? n : 1, sizeof *w.prev);
	order = malloc((n ? n : 1) * sizeof *order);
	rc = UCCN_E_NOMEM;
	if (!w.minutes || !w.placed || !w.frame || !w.rank || !w.prev || !order || match_previous(&w))
		goto out;
	choose_frame(&w);
	for (size_t i = 0; i < n; i++) {
		int m = in->items[i].minutes;
		w.minutes[i] = (m + UCCN_AGENDA_GRID - 1) / UCCN_AGENDA_GRID * UCCN_AGENDA_GRID;
		order[i] = i;
	}
	g_w = &w;
	qsort(order, n, sizeof *order, cmp_order);
	for (size_t k = 0; k < n; k++)
		w.rank[order[k]] = k;
	if ((rc = uccn_place_days(&w, order, n)) || (rc = place_all(&w, order, n)) ||
	    (rc = uccn_place_compose(&w)))
		goto out;
	rc = 0;
out:
	for (size_t s = 0; s < w.nsessions; s++)
		free(w.sessions[s].items);
	free(w.sessions);
	free(w.fixed);
	free(w.minutes);
	free(w.placed);
	free(w.frame);
	free(w.rank);
	free(w.prev);
	free(order);
	if (rc)
		uccn_agenda_clear(out);
	return rc;
}
