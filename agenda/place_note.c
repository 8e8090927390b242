/*
 * place_note.c - what the placement tells its reader: each deferral's true
 * reason and what would make the item fit, warnings with stable codes,
 * the slots with whom they inconvenience, and the objective's cost.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place_int.h"
#include "uccn_error.h"

/* A text cut at its buffer's end never ends inside a UTF-8 character. */
static void whole_characters(char *buf)
{
	size_t n = strlen(buf), p = n;
	while (p > 0 && n - p < 4 && ((unsigned char)buf[p - 1] & 0xC0) == 0x80)
		p--;
	if (p == 0)
		return;
	unsigned char lead = (unsigned char)buf[p - 1];
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (p - 1 + need > n)
		buf[p - 1] = '\0';
}

/* How many bytes of s, at most max, end on a character's boundary. */
static int whole_prefix(const char *s, int max)
{
	int n = (int)strnlen(s, (size_t)max + 1);
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

int uccn_place_warn(struct work *w, size_t item, const char *code, const char *fmt, ...)
{
	struct uccn_agenda *a = w->out;
	if (uccn_place_grow((void **)&a->warnings, &w->capwarnings, a->nwarnings + 1,
			    sizeof *a->warnings))
		return UCCN_E_NOMEM;
	struct uccn_agenda_warning *x = &a->warnings[a->nwarnings++];
	x->item = item;
	x->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->text, sizeof x->text, fmt, ap);
	va_end(ap);
	whole_characters(x->text);
	return 0;
}

/* "01:45", or with the date's mark when it is not the meeting's day:
 * "08:20 (+1 day)", "23:10 (-1 day)". */
void uccn_place_local_time(int local, char *buf, size_t size)
{
	int days = uccn_place_floor_div(local, DAY_MINUTES), clock = local - days * DAY_MINUTES;
	if (days == 0)
		snprintf(buf, size, "%02d:%02d", clock / 60, clock % 60);
	else
		snprintf(buf, size, "%02d:%02d (%+d day%s)", clock / 60, clock % 60, days,
			 days == 1 || days == -1 ? "" : "s");
}

static const char *priority_name(enum uccn_agenda_priority p)
{
	return p == UCCN_AGENDA_HIGH ? "high" : p == UCCN_AGENDA_LOW ? "low" : "normal";
}

static int defer_one(struct work *w, size_t i)
{
	struct uccn_agenda *a = w->out;
	const struct uccn_agenda_item *it = &w->in->items[i];
	if (uccn_place_grow((void **)&a->deferred, &w->capdeferred, a->ndeferred + 1, sizeof *a->deferred))
		return UCCN_E_NOMEM;
	struct uccn_agenda_deferred *d = &a->deferred[a->ndeferred++];
	memset(d, 0, sizeof *d);
	d->item = i;
	int m = w->minutes[i];
	/* The largest free stretch, and the least item whose place would do. */
	int most = 0, most_day = 0, most_at = 0, longest = 0;
	size_t x_best = SIZE_MAX, x_session = 0;
	for (size_t s = 0; s < w->nsessions; s++) {
		const struct session *ss = &w->sessions[s];
		if (ss->end - ss->start > longest)
			longest = ss->end - ss->start;
		int free_m = ss->end - ss->start - ss->used;
		if (free_m > most) {
			most = free_m;
			most_day = ss->day;
			most_at = ss->start + ss->used;
		}
		for (size_t k = 0; k < ss->n; k++) {
			size_t x = ss->items[k];
			if (free_m + w->minutes[x] >= m && (x_best == SIZE_MAX || w->rank[x] > w->rank[x_best])) {
				x_best = x;
				x_session = s;
			}
		}
	}
	char at[16];
	uccn_place_local_time(most_at, at, sizeof at);
	if (w->frame[i])
		snprintf(d->reason, sizeof d->reason,
			 "needs %d minutes at the %s of the meeting; the day's hours leave no room there",
			 m, it->kind == UCCN_AGENDA_OPENING || it->kind == UCCN_AGENDA_REPORT ? "start" : "end");
	else if (m > w->max_session)
		snprintf(d->reason, sizeof d->reason,
			 "needs %d minutes; a session lasts at most %d minutes (the meeting's limit)",
			 m, w->max_session);
	else if (m > longest)
		snprintf(d->reason, sizeof d->reason,
			 "needs %d minutes; the longest session, keeping room for the closing, is %d minutes",
			 m, longest);
	else if (most == 0)
		snprintf(d->reason, sizeof d->reason,
			 "needs %d minutes; every session of the meeting is full", m);
	else if (m > w->session_len)
		snprintf(d->reason, sizeof d->reason,
			 "needs %d minutes in one session; no session can stretch to it, and the largest free stretch is %d minutes (day %d at %.5s)",
			 m, most, most_day + 1, at);
	else
		snprintf(d->reason, sizeof d->reason,
			 "needs %d minutes; the largest free stretch left is %d minutes (day %d at %.5s)",
			 m, most, most_day + 1, at);
	if (m > w->max_session && m <= UCCN_AGENDA_MAX_SESSION)
		snprintf(d->hint, sizeof d->hint, "fits if the meeting allows %d-minute sessions", m);
	else if (m <= w->max_session && x_best != SIZE_MAX)
		snprintf(d->hint, sizeof d->hint, "fits on day %d if '%.*s' (%s) is deferred",
			 w->sessions[x_session].day + 1, whole_prefix(w->in->items[x_best].title, 100),
			 w->in->items[x_best].title, priority_name(w->in->items[x_best].priority));
	whole_characters(d->reason);
	whole_characters(d->hint);
	w->out->cost.deferred += uccn_place_item_weight(it);
	bool again = uccn_place_deferrals(it) > 0;
	return uccn_place_warn(w, i, again ? "deferred-again" : "deferred",
			       again ? "'%s' is deferred again: %s" : "'%s' did not fit and is deferred: %s",
			       it->title, d->reason);
}

/* Every item (of the frame, or not) left unplaced, in the order they
 * were considered. */
int uccn_place_defer_all(struct work *w, const size_t *order, size_t n, bool frame)
{
	for (size_t k = 0; k < n; k++)
		if (!w->placed[order[k]] && w->frame[order[k]] == frame &&
		    defer_one(w, order[k]))
			return UCCN_E_NOMEM;
	return 0;
}

/* ---- the slots ---- */

static int emit(struct work *w, int day, int start, int end, enum uccn_agenda_kind kind, size_t item)
{
	struct uccn_agenda *a = w->out;
	const struct uccn_agenda_input *in = w->in;
	if (uccn_place_grow((void **)&a->slots, &w->capslots, a->nslots + 1, sizeof *a->slots))
		return UCCN_E_NOMEM;
	struct uccn_agenda_slot *s = &a->slots[a->nslots++];
	*s = (struct uccn_agenda_slot){.day = day, .start = start, .end = end, .kind = kind, .item = item};
	if (!in->hybrid || item == SIZE_MAX)
		return 0;
	size_t count = 0;
	for (size_t p = 0; p < in->nparticipants; p++)
		count += in->participants[p].has_offset &&
			 !uccn_place_daytime(start + in->participants[p].offset[day], end - start);
	if (!count)
		return 0;
	s->inconvenienced = malloc(count * sizeof *s->inconvenienced);
	if (!s->inconvenienced)
		return UCCN_E_NOMEM;
	for (size_t p = 0; p < in->nparticipants; p++)
		if (in->participants[p].has_offset &&
		    !uccn_place_daytime(start + in->participants[p].offset[day], end - start))
			s->inconvenienced[s->ninconvenienced++] = p;
	return 0;
}

static int cmp_slot(const void *a, const void *b)
{
	const struct uccn_agenda_slot *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Whether slot k of day is preceded (dir -1) or followed (dir +1) by an
 * item: the nearest slot that day (any, or only when next to it). */
static bool item_near(const struct uccn_agenda *a, size_t k, int dir, bool adjacent)
{
	for (size_t j = k; dir < 0 ? j-- > 0 : ++j < a->nslots;) {
		if (a->slots[j].day != a->slots[k].day)
			return false;
		if (a->slots[j].item != SIZE_MAX)
			return true;
		if (adjacent)
			return false;
	}
	return false;
}

/* A break between two sessions with nothing in them is no break: a coffee
 * break stays only between items, lunch only when the day has items both
 * before and after it (so none after the closing). */
static int drop_idle_breaks(struct uccn_agenda *a)
{
	bool *drop = calloc(a->nslots ? a->nslots : 1, sizeof *drop);
	if (!drop)
		return UCCN_E_NOMEM;
	for (size_t k = 0; k < a->nslots; k++) {
		if (a->slots[k].item != SIZE_MAX)
			continue;
		bool lunch = a->slots[k].kind == UCCN_AGENDA_LUNCH_BREAK;
		drop[k] = !item_near(a, k, -1, !lunch) || !item_near(a, k, +1, !lunch);
	}
	size_t n = 0;
	for (size_t k = 0; k < a->nslots; k++) {
		if (drop[k]) {
			free(a->slots[k].inconvenienced);
			continue;
		}
		a->slots[n++] = a->slots[k];
	}
	a->nslots = n;
	free(drop);
	return 0;
}

static const struct work *g_work; /* for cmp_in_session */

/* Within a session, the kinds' order, then the order of consideration. */
static int cmp_in_session(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct uccn_agenda_item *ix = &g_work->in->items[x], *iy = &g_work->in->items[y];
	if (ix->kind != iy->kind)
		return ix->kind < iy->kind ? -1 : 1;
	return g_work->rank[x] < g_work->rank[y] ? -1 : g_work->rank[x] > g_work->rank[y];
}

/* What the placement cost, and a warning for each remote presenter left
 * outside their daytime, saying their local time with its date. */
static int account(struct work *w)
{
	struct uccn_agenda *a = w->out;
	const struct uccn_agenda_input *in = w->in;
	for (size_t k = 0; k < a->nslots; k++) {
		const struct uccn_agenda_slot *s = &a->slots[k];
		if (s->item == SIZE_MAX)
			continue;
		const struct uccn_agenda_item *it = &in->items[s->item];
		const struct uccn_agenda_previous *pv = w->prev[s->item];
		if (pv && (pv->day != s->day || pv->start != s->start))
			a->cost.moved++;
		if (!in->hybrid || !it->remote || !it->has_offset)
			continue;
		int local = s->start + it->offset[s->day];
		if (uccn_place_daytime(local, s->end - s->start))
			continue;
		a->cost.night++;
		char at[16], lt[24];
		uccn_place_local_time(s->start, at, sizeof at);
		uccn_place_local_time(local, lt, sizeof lt);
		if (uccn_place_warn(w, s->item, "remote-night",
				    "'%s' (%s, on-line) is placed on day %d at %s, their local time %s, outside their 08:00-20:00",
				    it->title, it->presenter ? it->presenter : it->city ? it->city : "?",
				    s->day + 1, at, lt))
			return UCCN_E_NOMEM;
	}
	a->cost.total = a->cost.deferred * COST_PER_DEFERRED + a->cost.night * COST_PER_NIGHT +
			a->cost.moved * COST_PER_MOVE;
	return 0;
}

int uccn_place_compose(struct work *w)
{
	for (size_t f = 0; f < w->nfixed; f++) {
		const struct fixed *x = &w->fixed[f];
		if (emit(w, x->day, x->start, x->end, x->kind, x->item))
			return UCCN_E_NOMEM;
	}
	g_work = w;
	for (size_t s = 0; s < w->nsessions; s++) {
		struct session *ss = &w->sessions[s];
		if (ss->n > 1)
			qsort(ss->items, ss->n, sizeof *ss->items, cmp_in_session);
		int t = ss->start;
		for (size_t k = 0; k < ss->n; k++) {
			size_t i = ss->items[k];
			if (emit(w, ss->day, t, t + w->minutes[i], w->in->items[i].kind, i))
				return UCCN_E_NOMEM;
			t += w->minutes[i];
		}
	}
	/* No slots (no items) leaves slots NULL, which qsort must not get. */
	if (w->out->nslots > 1)
		qsort(w->out->slots, w->out->nslots, sizeof *w->out->slots, cmp_slot);
	if (drop_idle_breaks(w->out) || account(w))
		return UCCN_E_NOMEM;
	/* Participants without a zone cannot be told apart from the rest. */
	if (w->in->hybrid)
		for (size_t p = 0; p < w->in->nparticipants; p++)
			if (!w->in->participants[p].has_offset &&
			    uccn_place_warn(w, SIZE_MAX, "zone-unknown",
					    "the time zone of %s is unknown: its local times are not shown",
					    w->in->participants[p].city))
				return UCCN_E_NOMEM;
	return 0;
}
