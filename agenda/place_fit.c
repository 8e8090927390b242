/*
 * place_fit.c - a remote presenter's daytime on their own clock and date,
 * their item at an exact daytime, and a local search that moves a few
 * items aside for one the first pass left at night.
 */
#include <stdlib.h>

#include "place_int.h"
#include "uccn_error.h"

int uccn_place_floor_div(int a, int b)
{
	int q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Whether [local, local + minutes) lies in 08:00-20:00 of one local day,
 * whichever day that is: 08:20 (+1 day) is daytime, 01:45 never. */
bool uccn_place_daytime(int local, int minutes)
{
	int clock = local - uccn_place_floor_div(local, DAY_MINUTES) * DAY_MINUTES;
	return clock >= UCCN_AGENDA_DAYTIME_FROM && clock + minutes <= UCCN_AGENDA_DAYTIME_TO;
}

/* The earliest grid start in session s, after `used` minutes of items,
 * where the item lies wholly within its presenter's daytime, or -1. The
 * presenter's daytime, in meeting minutes, is one window per local date. */
static int daytime_after(const struct work *w, size_t item, size_t s, int used)
{
	const struct session *ss = &w->sessions[s];
	int off = w->in->items[item].offset[ss->day], m = w->minutes[item];
	for (int k = -2; k <= 2; k++) {
		int lo = k * DAY_MINUTES + UCCN_AGENDA_DAYTIME_FROM - off;
		int hi = k * DAY_MINUTES + UCCN_AGENDA_DAYTIME_TO - off;
		if (lo < ss->start + used)
			lo = ss->start + used;
		if (hi > ss->end)
			hi = ss->end;
		lo = uccn_place_floor_div(lo + UCCN_AGENDA_GRID - 1, UCCN_AGENDA_GRID) * UCCN_AGENDA_GRID;
		if (lo + m <= hi)
			return lo;
	}
	return -1;
}

int uccn_place_daytime_start(const struct work *w, size_t item, size_t s)
{
	return daytime_after(w, item, s, w->sessions[s].used);
}

/* Item at [start, start + minutes) of day, cut out of its session. */
static int fix_at(struct work *w, size_t item, int day, int start)
{
	int rc = uccn_place_carve(w, day, start, start + w->minutes[item]);
	if (rc)
		return rc < 0 ? rc : 0;
	if (uccn_place_add_fixed(w, day, start, start + w->minutes[item], w->in->items[item].kind, item))
		return UCCN_E_NOMEM;
	return 1;
}

/* A remote presenter's item at an exact daytime: where it was last time
 * when that still is daytime and free, else (unless only_previous) the
 * earliest daytime left. 1 when placed, 0 when not, UCCN_E_NOMEM. */
int uccn_place_remote(struct work *w, size_t item, bool only_previous)
{
	const struct uccn_agenda_previous *pv = w->prev[item];
	int m = w->minutes[item];
	if (pv && pv->day >= 0 && pv->day < w->in->days && pv->start % UCCN_AGENDA_GRID == 0 &&
	    uccn_place_daytime(pv->start + w->in->items[item].offset[pv->day], m)) {
		int rc = fix_at(w, item, pv->day, pv->start);
		if (rc)
			return rc;
	}
	for (size_t s = 0; s < w->nsessions && !only_previous; s++) {
		int t = uccn_place_daytime_start(w, item, s);
		if (t >= 0)
			return fix_at(w, item, w->sessions[s].day, t);
	}
	return 0;
}

static bool remote_here(const struct work *w, size_t item)
{
	const struct uccn_agenda_item *it = &w->in->items[item];
	return w->in->hybrid && it->remote && it->has_offset;
}

/* Items of session s, the last considered (lowest priority) first. */
static size_t evict_order(const struct work *w, size_t s, size_t *out)
{
	const struct session *ss = &w->sessions[s];
	size_t n = 0;
	for (size_t k = 0; k < ss->n; k++) {
		size_t x = ss->items[k], j = n++;
		for (; j > 0 && w->rank[out[j - 1]] < w->rank[x]; j--)
			out[j] = out[j - 1];
		out[j] = x;
	}
	return n;
}

/* The local search's scratch: free minutes per session, the items of a
 * session in eviction order, and what is left of its work budget. */
struct search {
	int *freem;
	size_t capfree;
	size_t *ev;
	size_t capev;
	long budget;
};

/*
 * Try to give remote item r (at night in session sr) a daytime slot in
 * session s by moving at most LOCAL_SEARCH_EVICT of s's items, lowest
 * priority first, to other sessions with room: one night less outweighs
 * that many moves (COST_PER_NIGHT > LOCAL_SEARCH_EVICT * COST_PER_MOVE).
 * 1 when done, 0 when not, UCCN_E_NOMEM.
 */
static int give_daytime(struct work *w, size_t r, size_t sr, size_t s, struct search *x)
{
	const struct session *ss = &w->sessions[s];
	if (uccn_place_grow((void **)&x->ev, &x->capev, ss->n + 1, sizeof *x->ev))
		return UCCN_E_NOMEM;
	size_t nev = evict_order(w, s, x->ev), dest[LOCAL_SEARCH_EVICT], c = 0;
	int used = ss->used;
	int t = daytime_after(w, r, s, used);
	while (t < 0 && c < nev && c < LOCAL_SEARCH_EVICT) {
		used -= w->minutes[x->ev[c++]];
		t = daytime_after(w, r, s, used);
	}
	if (t < 0)
		return 0;
	/* Where the moved items would go, first-fit; undone on failure. */
	x->budget -= (long)w->nsessions;
	int *freem = x->freem;
	freem[sr] += w->minutes[r];
	size_t k;
	for (k = 0; k < c; k++) {
		size_t y = 0;
		while (y < w->nsessions && (y == s || freem[y] < w->minutes[x->ev[k]]))
			y++;
		if (y == w->nsessions)
			break;
		freem[y] -= w->minutes[x->ev[k]];
		dest[k] = y;
	}
	if (k < c) {
		while (k-- > 0)
			freem[dest[k]] += w->minutes[x->ev[k]];
		freem[sr] -= w->minutes[r];
		return 0;
	}
	uccn_place_unassign(w, sr, r);
	for (k = 0; k < c; k++)
		uccn_place_unassign(w, s, x->ev[k]);
	for (k = 0; k < c; k++)
		if (uccn_place_assign(w, dest[k], x->ev[k]))
			return UCCN_E_NOMEM;
	int rc = fix_at(w, r, w->sessions[s].day, t);
	return rc < 0 ? rc : 1;
}

/* The session holding item r, or SIZE_MAX. */
static size_t session_of(const struct work *w, size_t r)
{
	for (size_t s = 0; s < w->nsessions; s++)
		for (size_t k = 0; k < w->sessions[s].n; k++)
			if (w->sessions[s].items[k] == r)
				return s;
	return SIZE_MAX;
}

/*
 * Remote items still in a session found no daytime in the first pass:
 * each, in the order of consideration, gets one try. The work is bounded
 * (LOCAL_SEARCH_BUDGET session visits in all), so a huge meeting stays
 * fast; the bound is a count, so the result stays deterministic.
 */
int uccn_place_local_search(struct work *w, const size_t *order, size_t n)
{
	struct search x = {.budget = LOCAL_SEARCH_BUDGET};
	bool *in_session = calloc(n ? n : 1, sizeof *in_session);
	int rc = in_session ? 0 : UCCN_E_NOMEM;
	for (size_t s = 0; s < w->nsessions && !rc; s++)
		for (size_t k = 0; k < w->sessions[s].n; k++)
			in_session[w->sessions[s].items[k]] = true;
	for (size_t q = 0; q < n && !rc && x.budget > 0; q++) {
		size_t r = order[q];
		if (!in_session[r] || !remote_here(w, r))
			continue;
		size_t sr = session_of(w, r);
		x.budget -= (long)w->nsessions;
		if (sr == SIZE_MAX)
			continue;
		if (uccn_place_grow((void **)&x.freem, &x.capfree, w->nsessions, sizeof *x.freem)) {
			rc = UCCN_E_NOMEM;
			break;
		}
		for (size_t s = 0; s < w->nsessions; s++)
			x.freem[s] = w->sessions[s].end - w->sessions[s].start - w->sessions[s].used;
		for (size_t s = 0; s < w->nsessions && x.budget > 0; s++, x.budget--) {
			if (s == sr)
				continue;
			rc = give_daytime(w, r, sr, s, &x);
			if (rc)
				break;
		}
		rc = rc < 0 ? rc : 0;
	}
	free(in_session);
	free(x.freem);
	free(x.ev);
	return rc;
}
