/*
 * place_days.c - the days cut into sessions: the opening and pins first,
 * breaks moved around pins, a session stretched for one long item, and
 * the closing after the last item.
 */
#include <stdlib.h>
#include <string.h>

#include "place_int.h"
#include "uccn_error.h"

int uccn_place_grow(void **p, size_t *cap, size_t need, size_t size)
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

/* Insert a session at index at (sessions stay in time order). */
static int insert_session(struct work *w, size_t at, int day, int start, int end)
{
	if (end <= start)
		return 0;
	if (uccn_place_grow((void **)&w->sessions, &w->capsessions, w->nsessions + 1,
			    sizeof *w->sessions))
		return UCCN_E_NOMEM;
	memmove(&w->sessions[at + 1], &w->sessions[at], (w->nsessions - at) * sizeof *w->sessions);
	w->sessions[at] = (struct session){.day = day, .start = start, .end = end};
	w->nsessions++;
	return 0;
}

int uccn_place_add_fixed(struct work *w, int day, int start, int end,
			 enum uccn_agenda_kind kind, size_t item)
{
	if (uccn_place_grow((void **)&w->fixed, &w->capfixed, w->nfixed + 1, sizeof *w->fixed))
		return UCCN_E_NOMEM;
	w->fixed[w->nfixed++] = (struct fixed){day, start, end, kind, item};
	if (item != SIZE_MAX)
		w->placed[item] = true;
	return 0;
}

/* Take [start, end) of day out of the free tail of the session that holds
 * it whole: 0, 1 when no session does, or UCCN_E_NOMEM. */
int uccn_place_carve(struct work *w, int day, int start, int end)
{
	for (size_t i = 0; i < w->nsessions; i++) {
		struct session *s = &w->sessions[i];
		/* Items fill a session from its start: only its free tail can
		 * be carved. */
		if (s->day != day || start < s->start + s->used || end > s->end)
			continue;
		int s_end = s->end;
		s->end = start; /* the part before, possibly empty */
		return insert_session(w, i + 1, day, end, s_end);
	}
	return 1;
}

int uccn_place_assign(struct work *w, size_t s, size_t item)
{
	struct session *ss = &w->sessions[s];
	if (uccn_place_grow((void **)&ss->items, &ss->cap, ss->n + 1, sizeof *ss->items))
		return UCCN_E_NOMEM;
	ss->items[ss->n++] = item;
	ss->used += w->minutes[item];
	w->placed[item] = true;
	return 0;
}

void uccn_place_unassign(struct work *w, size_t s, size_t item)
{
	struct session *ss = &w->sessions[s];
	for (size_t k = 0; k < ss->n; k++)
		if (ss->items[k] == item) {
			memmove(&ss->items[k], &ss->items[k + 1], (ss->n - k - 1) * sizeof *ss->items);
			ss->n--;
			ss->used -= w->minutes[item];
			w->placed[item] = false;
			return;
		}
}

bool uccn_place_room(const struct work *w, size_t s, size_t item)
{
	const struct session *ss = &w->sessions[s];
	return ss->end - ss->start - ss->used >= w->minutes[item];
}

/* ---- pins and the opening ---- */

static bool clashes(const struct work *w, int day, int start, int end)
{
	for (size_t f = 0; f < w->nfixed; f++)
		if (w->fixed[f].day == day && start < w->fixed[f].end && w->fixed[f].start < end)
			return true;
	return false;
}

static void hhmm(int minutes, char buf[8])
{
	uccn_place_local_time(minutes, buf, 8);
}

/* Opening, then the report, from the start of day 0; then the pins, each
 * where it is pinned unless the day lacks that time or it clashes. */
static int fix_front_and_pins(struct work *w, const size_t *order, size_t n)
{
	const struct uccn_agenda_input *in = w->in;
	static const enum uccn_agenda_kind front[] = {UCCN_AGENDA_OPENING, UCCN_AGENDA_REPORT};
	int head = in->day_start;
	for (size_t f = 0; f < 2; f++)
		for (size_t k = 0; k < n; k++) {
			size_t i = order[k];
			if (in->items[i].kind != front[f] || !w->frame[i] || w->placed[i])
				continue;
			if (head + w->minutes[i] <= in->day_end) {
				if (uccn_place_add_fixed(w, 0, head, head + w->minutes[i], front[f], i))
					return UCCN_E_NOMEM;
				head += w->minutes[i];
			}
			break;
		}
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		const struct uccn_agenda_item *it = &in->items[i];
		if (w->placed[i] || it->pin_day < 0 || it->pin_start < 0 || w->frame[i])
			continue;
		/* The daemon takes any minute: a pin off the grid goes to the
		 * nearest grid time, and says so. */
		int start = (it->pin_start + UCCN_AGENDA_GRID / 2) / UCCN_AGENDA_GRID * UCCN_AGENDA_GRID;
		int end = start + w->minutes[i];
		char a[16], b[16];
		hhmm(it->pin_start, a);
		if (it->pin_day >= in->days || start < in->day_start || end > in->day_end) {
			if (uccn_place_warn(w, i, "pin-refused",
					    "'%s' is pinned to day %d at %s, which the meeting's days and hours do not have; placed freely",
					    it->title, it->pin_day + 1, a))
				return UCCN_E_NOMEM;
			continue;
		}
		if (clashes(w, it->pin_day, start, end)) {
			hhmm(end, b);
			if (uccn_place_warn(w, i, "pin-refused",
					    "'%s' is pinned to day %d %s-%s, which clashes with the opening or another pin; placed freely",
					    it->title, it->pin_day + 1, a, b))
				return UCCN_E_NOMEM;
			continue;
		}
		if (start != it->pin_start) {
			hhmm(start, b);
			if (uccn_place_warn(w, i, "pin-off-grid",
					    "'%s' is pinned to day %d at %s, off the %d-minute grid; placed at %s",
					    it->title, it->pin_day + 1, a, UCCN_AGENDA_GRID, b))
				return UCCN_E_NOMEM;
		}
		if (uccn_place_add_fixed(w, it->pin_day, start, end, it->kind, i))
			return UCCN_E_NOMEM;
	}
	return 0;
}

/* ---- the walk through a day ---- */

struct span {
	int start, end;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

struct walk {
	int t, run;        /* now; the start of the run of items since a rest */
	bool lunched, owed;
	bool after_session; /* the last session added ends at t */
};

static int add_break(struct work *w, int day, int start, bool lunch, struct walk *k)
{
	int len = lunch ? UCCN_AGENDA_LUNCH : UCCN_AGENDA_COFFEE;
	if (uccn_place_add_fixed(w, day, start, start + len,
				 lunch ? UCCN_AGENDA_LUNCH_BREAK : UCCN_AGENDA_COFFEE_BREAK, SIZE_MAX))
		return UCCN_E_NOMEM;
	k->lunched |= lunch;
	k->owed = false;
	k->after_session = false;
	k->t = k->run = start + len;
	return 0;
}

/*
 * Sessions of at most session_len minutes between breaks, lunch at the
 * first break from half an hour before UCCN_AGENDA_LUNCH_AT. A pin is part
 * of the run it falls in; a break that would overlap a pin moves before it
 * (shortening the session it ends) or, when there is no room, after it.
 */
static int walk_day(struct work *w, int d, const struct span *pin, size_t np, bool has_lunch)
{
	const struct uccn_agenda_input *in = w->in;
	const int len = w->session_len, lunch_from = UCCN_AGENDA_LUNCH_AT - 30;
	struct walk k = {.t = in->day_start, .run = in->day_start, .lunched = !has_lunch};
	size_t p = 0;
	while (k.t < in->day_end) {
		while (p < np && pin[p].end <= k.t)
			p++;
		if (p < np && pin[p].start <= k.t) {
			k.t = pin[p].end; /* the pin runs on from here */
			k.after_session = false;
		} else if (!k.owed) {
			int end = k.run + len;
			if (end > in->day_end)
				end = in->day_end;
			if (!k.lunched && k.t < UCCN_AGENDA_LUNCH_AT && end > UCCN_AGENDA_LUNCH_AT)
				end = UCCN_AGENDA_LUNCH_AT;
			bool cut = false; /* the session ends where a pin starts */
			if (p < np && pin[p].start < end) {
				int ps = pin[p].start;
				if (pin[p].end - k.run > len) {
					/* The run would be too long: rest before the pin. */
					bool lunch = !k.lunched && ps >= UCCN_AGENDA_LUNCH_AT;
					int b = ps - (lunch ? UCCN_AGENDA_LUNCH : UCCN_AGENDA_COFFEE);
					if (b >= k.t) {
						if (insert_session(w, w->nsessions, d, k.t, b) ||
						    add_break(w, d, b, lunch, &k))
							return UCCN_E_NOMEM;
					}
					/* else the stretch before the pin is too short to use: it rests */
					k.t = k.run = ps;
					k.after_session = false;
					continue;
				}
				end = ps;
				cut = true;
			}
			if (end > k.t) {
				if (insert_session(w, w->nsessions, d, k.t, end))
					return UCCN_E_NOMEM;
				k.t = end;
				k.after_session = true;
			}
			if (cut)
				continue; /* the pin continues the run */
		}
		if (k.t >= in->day_end)
			break;
		while (p < np && pin[p].end <= k.t)
			p++;
		bool lunch = !k.lunched && k.t >= lunch_from;
		if (!k.owed && !lunch && k.t - k.run < len)
			continue;
		int blen = lunch ? UCCN_AGENDA_LUNCH : UCCN_AGENDA_COFFEE;
		if (k.t + blen + UCCN_AGENDA_GRID > in->day_end)
			break; /* a break needs something after it */
		if (p < np && pin[p].start < k.t + blen) {
			int ps = pin[p].start, b = ps - blen;
			struct session *last = w->nsessions ? &w->sessions[w->nsessions - 1] : NULL;
			if (k.after_session && last && b >= last->start) {
				last->end = b;
				if (b == last->start)
					w->nsessions--; /* nothing was assigned yet */
				if (add_break(w, d, b, lunch, &k))
					return UCCN_E_NOMEM;
			} else {
				k.owed = true; /* after the pin, then */
				k.t = ps;
				k.after_session = false;
			}
			continue;
		}
		if (add_break(w, d, k.t, lunch, &k))
			return UCCN_E_NOMEM;
	}
	return 0;
}

/* Keep the next meeting and closing's minutes free at the end of the last
 * day (the latest session that holds them) until the rest is placed. */
static void reserve_close(struct work *w, const size_t *order, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		enum uccn_agenda_kind kind = w->in->items[i].kind;
		if (w->frame[i] && (kind == UCCN_AGENDA_NEXT_MEETING || kind == UCCN_AGENDA_CLOSING))
			w->frame_len += w->minutes[i];
	}
	if (!w->frame_len)
		return;
	for (size_t s = w->nsessions; s-- > 0;) {
		struct session *ss = &w->sessions[s];
		if (ss->day != w->in->days - 1)
			break;
		if (ss->end - ss->start >= w->frame_len) {
			ss->end -= w->frame_len;
			w->reserve_start = ss->end;
			w->reserved = true;
			return;
		}
	}
}

int uccn_place_days(struct work *w, const size_t *order, size_t n)
{
	const struct uccn_agenda_input *in = w->in;
	bool has_lunch = in->day_start < UCCN_AGENDA_LUNCH_AT &&
			 in->day_end >= UCCN_AGENDA_LUNCH_AT + UCCN_AGENDA_LUNCH + UCCN_AGENDA_GRID;
	int rc = fix_front_and_pins(w, order, n);
	if (rc)
		return rc;
	struct span *pin = malloc((w->nfixed ? w->nfixed : 1) * sizeof *pin);
	if (!pin)
		return UCCN_E_NOMEM;
	for (int d = 0; d < in->days && !rc; d++) {
		size_t np = 0;
		for (size_t f = 0; f < w->nfixed; f++)
			if (w->fixed[f].day == d)
				pin[np++] = (struct span){w->fixed[f].start, w->fixed[f].end};
		qsort(pin, np, sizeof *pin, cmp_span);
		rc = walk_day(w, d, pin, np, has_lunch);
	}
	free(pin);
	if (!rc)
		reserve_close(w, order, n);
	return rc;
}

/* ---- a longer session for one long item ---- */

static size_t coffee_at(const struct work *w, int day, int start)
{
	for (size_t f = 0; f < w->nfixed; f++)
		if (w->fixed[f].day == day && w->fixed[f].start == start &&
		    w->fixed[f].kind == UCCN_AGENDA_COFFEE_BREAK)
			return f;
	return SIZE_MAX;
}

/*
 * An item longer than the usual session (up to max_session) joins a
 * session, the coffee break after it and part of the next session: the
 * break moves to after the item. 1 when placed, 0 when no two sessions
 * around a coffee break have room, UCCN_E_NOMEM.
 */
int uccn_place_stretch(struct work *w, size_t item)
{
	int m = w->minutes[item];
	for (size_t s = 0; s + 1 < w->nsessions; s++) {
		struct session *a = &w->sessions[s], *b = &w->sessions[s + 1];
		if (a->day != b->day || a->used + m > w->max_session)
			continue;
		size_t f = coffee_at(w, a->day, a->end);
		if (f == SIZE_MAX || w->fixed[f].end != b->start)
			continue;
		int a_end = a->start + a->used + m, b_start = a_end + UCCN_AGENDA_COFFEE;
		if (b_start > b->end || b->end - b_start < b->used)
			continue;
		a->end = a_end;
		w->fixed[f].start = a_end;
		w->fixed[f].end = b_start;
		b->start = b_start;
		return uccn_place_assign(w, s, item) ? UCCN_E_NOMEM : 1;
	}
	return 0;
}

/* ---- the end of the meeting ---- */

/*
 * Give back the reserved minutes, then put the next meeting and closing
 * right after the last item of the last day (in the free tail of its
 * session, else at the start of the next one), so no empty afternoon
 * comes before the closing.
 */
int uccn_place_close(struct work *w, const size_t *order, size_t n)
{
	const struct uccn_agenda_input *in = w->in;
	int last = in->days - 1;
	if (!w->reserved)
		return 0;
	size_t s;
	for (s = 0; s < w->nsessions; s++)
		if (w->sessions[s].day == last && w->sessions[s].end == w->reserve_start)
			break;
	if (s < w->nsessions) {
		w->sessions[s].end += w->frame_len;
	} else {
		size_t at = 0;
		while (at < w->nsessions && (w->sessions[at].day < last ||
		       (w->sessions[at].day == last && w->sessions[at].start < w->reserve_start)))
			at++;
		if (insert_session(w, at, last, w->reserve_start, w->reserve_start + w->frame_len))
			return UCCN_E_NOMEM;
	}
	int last_end = in->day_start;
	for (size_t f = 0; f < w->nfixed; f++)
		if (w->fixed[f].day == last && w->fixed[f].item != SIZE_MAX && w->fixed[f].end > last_end)
			last_end = w->fixed[f].end;
	for (s = 0; s < w->nsessions; s++) {
		const struct session *ss = &w->sessions[s];
		if (ss->day == last && ss->used && ss->start + ss->used > last_end)
			last_end = ss->start + ss->used;
	}
	int at = -1;
	for (s = 0; s < w->nsessions; s++) {
		const struct session *ss = &w->sessions[s];
		int tail = ss->start + ss->used;
		if (ss->day != last || ss->end - tail < w->frame_len)
			continue;
		if (tail >= last_end) {
			at = tail;
			break;
		}
		at = tail; /* a pin after it all: the latest room before it */
	}
	if (at < 0)
		return 0; /* cannot happen: the reserve was given back */
	static const enum uccn_agenda_kind back[] = {UCCN_AGENDA_NEXT_MEETING, UCCN_AGENDA_CLOSING};
	for (size_t b = 0; b < 2; b++)
		for (size_t k = 0; k < n; k++) {
			size_t i = order[k];
			if (in->items[i].kind != back[b] || !w->frame[i] || w->placed[i])
				continue;
			int rc = uccn_place_carve(w, last, at, at + w->minutes[i]);
			if (rc)
				return rc < 0 ? rc : 0;
			if (uccn_place_add_fixed(w, last, at, at + w->minutes[i], back[b], i))
				return UCCN_E_NOMEM;
			at += w->minutes[i];
			break;
		}
	return 0;
}
