/*
 * place.c - the agenda's placement: days cut into sessions between breaks,
 * the frame and pins fixed first, then remote items most constrained first,
 * then the rest first-fit in kind, priority and submission order.
 * Deterministic: every ordering ends in a comparison of keys.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uccn_agenda.h"
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

/* A stretch of time items may fill, between breaks, pins and day ends. */
struct session {
	int day, start, end;
	int used;          /* minutes taken by the items assigned */
	size_t *items;     /* assigned items, in assignment order */
	size_t n, cap;
};

struct fixed {
	int day, start, end;
	enum uccn_agenda_kind kind;
	size_t item;       /* SIZE_MAX for a break */
};

struct work {
	const struct uccn_agenda_input *in;
	struct uccn_agenda *out;
	struct session *sessions;
	size_t nsessions, capsessions;
	struct fixed *fixed;
	size_t nfixed, capfixed;
	int *minutes;      /* each item's length on the grid */
	bool *placed;
	size_t capslots, capdeferred, capwarnings; /* of out's arrays */
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t cap2 = *cap ? *cap * 2 : 16;
	while (cap2 < need)
		cap2 *= 2;
	void *q = realloc(*p, cap2 * size);
	if (!q)
		return UCCN_E_NOMEM;
	*p = q;
	*cap = cap2;
	return 0;
}

static int add_session(struct work *w, int day, int start, int end)
{
	if (end <= start)
		return 0;
	if (grow((void **)&w->sessions, &w->capsessions, w->nsessions + 1, sizeof *w->sessions))
		return UCCN_E_NOMEM;
	w->sessions[w->nsessions++] = (struct session){.day = day, .start = start, .end = end};
	return 0;
}

static int add_fixed(struct work *w, int day, int start, int end,
		     enum uccn_agenda_kind kind, size_t item)
{
	if (grow((void **)&w->fixed, &w->capfixed, w->nfixed + 1, sizeof *w->fixed))
		return UCCN_E_NOMEM;
	w->fixed[w->nfixed++] = (struct fixed){day, start, end, kind, item};
	return 0;
}

static int warn(struct work *w, size_t item, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int warn(struct work *w, size_t item, const char *fmt, ...)
{
	struct uccn_agenda *a = w->out;
	if (grow((void **)&a->warnings, &w->capwarnings, a->nwarnings + 1, sizeof *a->warnings))
		return UCCN_E_NOMEM;
	struct uccn_agenda_warning *x = &a->warnings[a->nwarnings++];
	*x = (struct uccn_agenda_warning){.item = item}; /* code, text: none yet */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->text, sizeof x->text, fmt, ap);
	va_end(ap);
	return 0;
}

static int defer(struct work *w, size_t item, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int defer(struct work *w, size_t item, const char *fmt, ...)
{
	struct uccn_agenda *a = w->out;
	if (grow((void **)&a->deferred, &w->capdeferred, a->ndeferred + 1, sizeof *a->deferred))
		return UCCN_E_NOMEM;
	struct uccn_agenda_deferred *d = &a->deferred[a->ndeferred++];
	*d = (struct uccn_agenda_deferred){.item = item}; /* reason, hint: none yet */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof d->reason, fmt, ap);
	va_end(ap);
	return 0;
}

static void hhmm(int minutes, char buf[8])
{
	snprintf(buf, 8, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
}

/* ---- the days ---- */

/* Cut every day into sessions of at most UCCN_AGENDA_SESSION minutes,
 * with coffee between them and lunch near UCCN_AGENDA_LUNCH_AT. */
static int cut_days(struct work *w)
{
	const struct uccn_agenda_input *in = w->in;
	bool has_lunch = in->day_start < UCCN_AGENDA_LUNCH_AT &&
			 in->day_end >= UCCN_AGENDA_LUNCH_AT + UCCN_AGENDA_LUNCH + UCCN_AGENDA_GRID;
	for (int d = 0; d < in->days; d++) {
		int t = in->day_start;
		bool lunched = !has_lunch;
		while (t < in->day_end) {
			int end = t + UCCN_AGENDA_SESSION;
			if (end > in->day_end)
				end = in->day_end;
			if (!lunched && end > UCCN_AGENDA_LUNCH_AT && t < UCCN_AGENDA_LUNCH_AT)
				end = UCCN_AGENDA_LUNCH_AT;
			if (add_session(w, d, t, end))
				return UCCN_E_NOMEM;
			t = end;
			if (t >= in->day_end)
				break;
			/* Lunch at the first break from half an hour before
			 * UCCN_AGENDA_LUNCH_AT on; coffee at the others. */
			if (!lunched && t >= UCCN_AGENDA_LUNCH_AT - 30) {
				if (add_fixed(w, d, t, t + UCCN_AGENDA_LUNCH, UCCN_AGENDA_LUNCH_BREAK, SIZE_MAX))
					return UCCN_E_NOMEM;
				t += UCCN_AGENDA_LUNCH;
				lunched = true;
			} else {
				/* A break needs something after it. */
				if (t + UCCN_AGENDA_COFFEE + UCCN_AGENDA_GRID > in->day_end)
					break;
				if (add_fixed(w, d, t, t + UCCN_AGENDA_COFFEE, UCCN_AGENDA_COFFEE_BREAK, SIZE_MAX))
					return UCCN_E_NOMEM;
				t += UCCN_AGENDA_COFFEE;
			}
		}
	}
	return 0;
}

/* Take [start, end) of day out of the free part of the session that holds
 * it whole, for a fixed item: 0, or -1 when no one session holds it. */
static int carve(struct work *w, int day, int start, int end)
{
	for (size_t i = 0; i < w->nsessions; i++) {
		struct session *s = &w->sessions[i];
		/* Items fill a session from its start: only its free tail can
		 * be carved. */
		if (s->day != day || start < s->start + s->used || end > s->end)
			continue;
		int s_end = s->end;
		s->end = start; /* the part before, possibly empty */
		if (add_session(w, day, end, s_end))
			return UCCN_E_NOMEM;
		return 0;
	}
	return -1;
}

/* ---- ordering ---- */

static const struct uccn_agenda_item *g_items; /* for qsort's comparator */

static int cmp_order(const void *a, const void *b)
{
	const struct uccn_agenda_item *x = &g_items[*(const size_t *)a];
	const struct uccn_agenda_item *y = &g_items[*(const size_t *)b];
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int cmp_session(const void *a, const void *b)
{
	const struct session *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* ---- placing ---- */

/* The earliest grid start in session ss where item i lies wholly within
 * its presenter's daytime, or -1. */
static int remote_start(const struct work *w, size_t i, const struct session *ss)
{
	int off = w->in->items[i].offset[ss->day];
	int lo = ss->start + ss->used, hi = ss->end;
	if (lo < UCCN_AGENDA_DAYTIME_FROM - off)
		lo = UCCN_AGENDA_DAYTIME_FROM - off;
	if (hi > UCCN_AGENDA_DAYTIME_TO - off)
		hi = UCCN_AGENDA_DAYTIME_TO - off;
	lo = (lo + UCCN_AGENDA_GRID - 1) / UCCN_AGENDA_GRID * UCCN_AGENDA_GRID;
	/* lo may be negative for a far-east presenter: still a grid multiple */
	if (lo < ss->start + ss->used)
		lo = ss->start + ss->used;
	return lo + w->minutes[i] <= hi ? lo : -1;
}

static int assign(struct work *w, struct session *s, size_t item)
{
	if (grow((void **)&s->items, &s->cap, s->n + 1, sizeof *s->items))
		return UCCN_E_NOMEM;
	s->items[s->n++] = item;
	s->used += w->minutes[item];
	w->placed[item] = true;
	return 0;
}

static bool room(const struct work *w, const struct session *s, size_t item)
{
	return s->end - s->start - s->used >= w->minutes[item];
}

/* Pin the frame and the pinned items. */
static int place_fixed(struct work *w, const size_t *order, size_t n)
{
	const struct uccn_agenda_input *in = w->in;
	const struct uccn_agenda_item *items = in->items;
	int first_start = w->nsessions ? w->sessions[0].start : in->day_start;
	int last_end = in->day_start;
	for (size_t i = 0; i < w->nsessions; i++)
		if (w->sessions[i].day == in->days - 1 && w->sessions[i].end > last_end)
			last_end = w->sessions[i].end;
	int head = first_start, tail = last_end;
	char a[8], b[8];
	/* The frame, in order: opening and report from the start of day 0;
	 * next meeting and closing up to the end of the last day. */
	static const enum uccn_agenda_kind front[] = {UCCN_AGENDA_OPENING, UCCN_AGENDA_REPORT};
	static const enum uccn_agenda_kind back[] = {UCCN_AGENDA_CLOSING, UCCN_AGENDA_NEXT_MEETING};
	for (size_t f = 0; f < 2; f++)
		for (size_t k = 0; k < n; k++) {
			size_t i = order[k];
			if (items[i].kind != front[f] || w->placed[i])
				continue;
			int rc = carve(w, 0, head, head + w->minutes[i]);
			if (rc == UCCN_E_NOMEM)
				return rc;
			if (rc == 0) {
				if (add_fixed(w, 0, head, head + w->minutes[i], items[i].kind, i))
					return UCCN_E_NOMEM;
				head += w->minutes[i];
				w->placed[i] = true;
			}
			break;
		}
	for (size_t f = 0; f < 2; f++)
		for (size_t k = 0; k < n; k++) {
			size_t i = order[k];
			if (items[i].kind != back[f] || w->placed[i])
				continue;
			int rc = carve(w, in->days - 1, tail - w->minutes[i], tail);
			if (rc == UCCN_E_NOMEM)
				return rc;
			if (rc == 0) {
				if (add_fixed(w, in->days - 1, tail - w->minutes[i], tail, items[i].kind, i))
					return UCCN_E_NOMEM;
				tail -= w->minutes[i];
				w->placed[i] = true;
			}
			break;
		}
	/* Pins. */
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		const struct uccn_agenda_item *it = &items[i];
		if (w->placed[i] || it->pin_day < 0 || it->pin_start < 0)
			continue;
		int start = it->pin_start, end = start + w->minutes[i];
		hhmm(start, a);
		if (it->pin_day >= in->days || start % UCCN_AGENDA_GRID) {
			if (warn(w, i, "'%s' is pinned to day %d at %s, which the meeting does not have",
				 it->title, it->pin_day + 1, a))
				return UCCN_E_NOMEM;
			continue;
		}
		int rc = carve(w, it->pin_day, start, end);
		if (rc == UCCN_E_NOMEM)
			return rc;
		if (rc != 0) {
			hhmm(end, b);
			if (warn(w, i, "'%s' is pinned to day %d %s-%s, which clashes with a break, another pin or the day's hours; placed freely",
				 it->title, it->pin_day + 1, a, b))
				return UCCN_E_NOMEM;
			continue;
		}
		if (add_fixed(w, it->pin_day, start, end, it->kind, i))
			return UCCN_E_NOMEM;
		w->placed[i] = true;
	}
	return 0;
}

/* Where the previous version had it, when that session still has room. */
static int place_previous(struct work *w, const size_t *order, size_t n)
{
	const struct uccn_agenda_input *in = w->in;
	for (size_t p = 0; p < in->nprevious; p++) {
		const struct uccn_agenda_previous *pv = &in->previous[p];
		for (size_t k = 0; k < n; k++) {
			size_t i = order[k];
			if (w->placed[i] || strcmp(in->items[i].key, pv->key) != 0)
				continue;
			/* A remote item keeps its time exactly or not at all. */
			if (in->hybrid && in->items[i].remote && in->items[i].has_offset)
				break;
			for (size_t s = 0; s < w->nsessions; s++) {
				struct session *ss = &w->sessions[s];
				if (ss->day != pv->day || pv->start < ss->start || pv->start >= ss->end)
					continue;
				if (room(w, ss, i) && assign(w, ss, i))
					return UCCN_E_NOMEM;
				break;
			}
			break;
		}
	}
	return 0;
}

static size_t count_feasible(const struct work *w, size_t item)
{
	size_t c = 0;
	for (size_t s = 0; s < w->nsessions; s++)
		c += remote_start(w, item, &w->sessions[s]) >= 0;
	return c;
}

static const struct work *g_work; /* for cmp_constrained */

static int cmp_constrained(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t fx = count_feasible(g_work, x), fy = count_feasible(g_work, y);
	if (fx != fy)
		return fx < fy ? -1 : 1;
	return cmp_order(a, b);
}

static int first_fit(struct work *w, size_t i)
{
	for (size_t s = 0; s < w->nsessions; s++) {
		struct session *ss = &w->sessions[s];
		if (room(w, ss, i))
			return assign(w, ss, i) ? UCCN_E_NOMEM : 1;
	}
	return 0;
}

/* Fix remote item i at [start, start + minutes) of session s. */
static int fix_remote(struct work *w, size_t i, size_t s, int start)
{
	int day = w->sessions[s].day, end = start + w->minutes[i];
	int rc = carve(w, day, start, end);
	if (rc)
		return rc;
	if (add_fixed(w, day, start, end, w->in->items[i].kind, i))
		return UCCN_E_NOMEM;
	w->placed[i] = true;
	/* carve appended the rest of the session: keep them in time order */
	qsort(w->sessions, w->nsessions, sizeof *w->sessions, cmp_session);
	return 0;
}

/* A remote presenter's item goes, most constrained first, at an exact time
 * within the presenter's daytime: where it was last time if that still
 * holds, else the earliest such time. */
static int place_remote(struct work *w, const size_t *order, size_t n, bool only_previous)
{
	const struct uccn_agenda_input *in = w->in;
	size_t *remote = malloc((n ? n : 1) * sizeof *remote), nr = 0;
	if (!remote)
		return UCCN_E_NOMEM;
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		const struct uccn_agenda_item *it = &in->items[i];
		if (w->placed[i] || !it->remote)
			continue;
		if (only_previous) {
			bool was = false;
			for (size_t p = 0; p < in->nprevious && !was; p++)
				was = strcmp(in->previous[p].key, it->key) == 0;
			if (!was || !in->hybrid || !it->has_offset)
				continue;
		} else if (!in->hybrid) {
			if (warn(w, i, "'%s' is presented remotely, but the meeting is not hybrid", it->title))
				goto nomem;
			continue;
		}
		if (!it->has_offset) {
			if (warn(w, i, "'%s': the time zone of %s is unknown, so its daytime cannot be respected",
				 it->title, it->city ? it->city : "its presenter"))
				goto nomem;
			continue;
		}
		remote[nr++] = i;
	}
	g_work = w;
	qsort(remote, nr, sizeof *remote, cmp_constrained);
	for (size_t k = 0; k < nr; k++) {
		size_t i = remote[k];
		bool done = false;
		for (size_t p = 0; p < in->nprevious && !done; p++) {
			const struct uccn_agenda_previous *pv = &in->previous[p];
			if (strcmp(pv->key, in->items[i].key) != 0)
				continue;
			for (size_t s = 0; s < w->nsessions && !done; s++) {
				struct session *ss = &w->sessions[s];
				int off = in->items[i].offset[ss->day];
				if (ss->day == pv->day && pv->start >= ss->start + ss->used &&
				    pv->start + w->minutes[i] <= ss->end &&
				    pv->start + off >= UCCN_AGENDA_DAYTIME_FROM &&
				    pv->start + w->minutes[i] + off <= UCCN_AGENDA_DAYTIME_TO) {
					int rc = fix_remote(w, i, s, pv->start);
					if (rc == UCCN_E_NOMEM)
						goto nomem;
					done = rc == 0;
				}
			}
		}
		if (only_previous)
			continue; /* a remote item that cannot keep its time is placed afresh below */
		for (size_t s = 0; s < w->nsessions && !done; s++) {
			int t = remote_start(w, i, &w->sessions[s]);
			if (t < 0)
				continue;
			int rc = fix_remote(w, i, s, t);
			if (rc == UCCN_E_NOMEM)
				goto nomem;
			done = rc == 0;
		}
		if (!done && warn(w, i, "'%s' (%s, on-line) could not be placed in the presenter's daytime (08:00-20:00)",
				  in->items[i].title, in->items[i].city ? in->items[i].city : "?"))
			goto nomem;
	}
	free(remote);
	return 0;
nomem:
	free(remote);
	return UCCN_E_NOMEM;
}

static int place_rest(struct work *w, const size_t *order, size_t n)
{
	int longest = 0;
	for (size_t s = 0; s < w->nsessions; s++)
		if (w->sessions[s].end - w->sessions[s].start > longest)
			longest = w->sessions[s].end - w->sessions[s].start;
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		if (w->placed[i])
			continue;
		int rc = first_fit(w, i);
		if (rc < 0)
			return UCCN_E_NOMEM;
		if (rc == 1) {
			const struct uccn_agenda_item *it = &w->in->items[i];
			if (w->in->hybrid && it->remote && it->has_offset &&
			    warn(w, i, "'%s' is at a time that is night for its presenter in %s",
				 it->title, it->city ? it->city : "?"))
				return UCCN_E_NOMEM;
			continue;
		}
		const char *title = w->in->items[i].title;
		if (w->minutes[i] > longest)
			rc = defer(w, i, "needs %d minutes; the longest stretch between breaks is %d",
				   w->minutes[i], longest);
		else
			rc = defer(w, i, "no room left: every session of the meeting is full");
		if (rc || warn(w, i, "'%s' did not fit and is deferred", title))
			return UCCN_E_NOMEM;
	}
	return 0;
}

/* ---- output ---- */

static int emit(struct work *w, int day, int start, int end, enum uccn_agenda_kind kind,
		size_t item)
{
	struct uccn_agenda *a = w->out;
	if (grow((void **)&a->slots, &w->capslots, a->nslots + 1, sizeof *a->slots))
		return UCCN_E_NOMEM;
	struct uccn_agenda_slot *s = &a->slots[a->nslots++];
	*s = (struct uccn_agenda_slot){.day = day, .start = start, .end = end,
				       .kind = kind, .item = item};
	if (!w->in->hybrid || item == SIZE_MAX)
		return 0;
	for (size_t p = 0; p < w->in->nparticipants; p++) {
		const struct uccn_agenda_participant *pt = &w->in->participants[p];
		if (!pt->has_offset)
			continue;
		int ls = start + pt->offset[day], le = end + pt->offset[day];
		if (ls >= UCCN_AGENDA_DAYTIME_FROM && le <= UCCN_AGENDA_DAYTIME_TO)
			continue;
		size_t *g = realloc(s->inconvenienced, (s->ninconvenienced + 1) * sizeof *g);
		if (!g)
			return UCCN_E_NOMEM;
		s->inconvenienced = g;
		s->inconvenienced[s->ninconvenienced++] = p;
	}
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
 * before and after it. */
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

static int compose(struct work *w)
{
	for (size_t f = 0; f < w->nfixed; f++) {
		struct fixed *x = &w->fixed[f];
		if (emit(w, x->day, x->start, x->end, x->kind, x->item))
			return UCCN_E_NOMEM;
	}
	g_items = w->in->items;
	for (size_t s = 0; s < w->nsessions; s++) {
		struct session *ss = &w->sessions[s];
		/* Within a session, the kinds' order (remote items are fixed
		 * at their own times, not among these). */
		if (ss->n > 1)
			qsort(ss->items, ss->n, sizeof *ss->items, cmp_order);
		int t = ss->start;
		for (size_t k = 0; k < ss->n; k++) {
			size_t i = ss->items[k];
			if (emit(w, ss->day, t, t + w->minutes[i], w->in->items[i].kind, i))
				return UCCN_E_NOMEM;
			t += w->minutes[i];
		}
	}
	qsort(w->out->slots, w->out->nslots, sizeof *w->out->slots, cmp_slot);
	if (drop_idle_breaks(w->out))
		return UCCN_E_NOMEM;
	/* Participants without a zone cannot be told apart from the rest. */
	if (w->in->hybrid)
		for (size_t p = 0; p < w->in->nparticipants; p++)
			if (!w->in->participants[p].has_offset &&
			    warn(w, SIZE_MAX, "the time zone of %s is unknown: its local times are not shown",
				 w->in->participants[p].city))
				return UCCN_E_NOMEM;
	return 0;
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
	    in->nitems > UCCN_AGENDA_MAX_ITEMS ||
	    in->nparticipants > UCCN_AGENDA_MAX_PARTICIPANTS ||
	    (in->nitems && !in->items))
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
	w.minutes = calloc(n ? n : 1, sizeof *w.minutes);
	w.placed = calloc(n ? n : 1, sizeof *w.placed);
	order = malloc((n ? n : 1) * sizeof *order);
	rc = UCCN_E_NOMEM;
	if (!w.minutes || !w.placed || !order)
		goto out;
	for (size_t i = 0; i < n; i++) {
		int m = in->items[i].minutes;
		w.minutes[i] = (m + UCCN_AGENDA_GRID - 1) / UCCN_AGENDA_GRID * UCCN_AGENDA_GRID;
		order[i] = i;
	}
	g_items = in->items;
	qsort(order, n, sizeof *order, cmp_order);
	if ((rc = cut_days(&w)) || (rc = place_fixed(&w, order, n)))
		goto out;
	qsort(w.sessions, w.nsessions, sizeof *w.sessions, cmp_session);
	/* What stood somewhere last time first, remote items at their time;
	 * then new remote items, most constrained first; then the rest. */
	if ((rc = place_remote(&w, order, n, true)) || (rc = place_previous(&w, order, n)) ||
	    (rc = place_remote(&w, order, n, false)) || (rc = place_rest(&w, order, n)) ||
	    (rc = compose(&w)))
		goto out;
	rc = 0;
out:
	for (size_t s = 0; s < w.nsessions; s++)
		free(w.sessions[s].items);
	free(w.sessions);
	free(w.fixed);
	free(w.minutes);
	free(w.placed);
	free(order);
	if (rc)
		uccn_agenda_clear(out);
	return rc;
}
