/*
 * place_int.h - what the placement's files share: the working state of one
 * uccn_agenda_build call (sessions, fixed slots, each item's rank and fate)
 * and the functions each file lends the others. Private to agenda/place*.c.
 */
#ifndef UCCN_PLACE_INT_H
#define UCCN_PLACE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "uccn_agenda.h"

#define DAY_MINUTES (24 * 60)

/* The objective's weights (uccn(1), "How the agenda is placed"). */
#define COST_PER_DEFERRED 100 /* times the deferred item's weight */
#define COST_PER_NIGHT 10     /* a remote presenter outside their daytime */
#define COST_PER_MOVE 1       /* an item moved against the last version */
#define LOCAL_SEARCH_EVICT 3  /* items moved aside to give one remote presenter daytime */
#define LOCAL_SEARCH_BUDGET 2000000L /* session visits, in all: bounds the time */

/* A stretch of time items may fill, between breaks, pins and day ends.
 * Items fill it from its start, in the order compose sorts them. */
struct session {
	int day, start, end;
	int used;          /* minutes taken by the items assigned */
	size_t *items;     /* assigned items, in assignment order */
	size_t n, cap;
};

/* A slot at an exact time: a break, the frame, a pin, a remote item. */
struct fixed {
	int day, start, end;
	enum uccn_agenda_kind kind;
	size_t item;       /* SIZE_MAX for a break */
};

struct work {
	const struct uccn_agenda_input *in;
	struct uccn_agenda *out;
	struct session *sessions;  /* kept in time order */
	size_t nsessions, capsessions;
	struct fixed *fixed;
	size_t nfixed, capfixed;
	int *minutes;      /* each item's length on the grid */
	bool *placed;
	bool *frame;       /* the meeting's one opening, report, next meeting
			    * and closing; another item of those kinds (a
			    * carried item gather could not read) is an item */
	size_t *rank;      /* each item's place in the order of consideration */
	const struct uccn_agenda_previous **prev; /* each item's last placement, or NULL */
	int session_len;   /* the usual session: min(UCCN_AGENDA_SESSION, max) */
	int max_session;   /* the longest a session may stretch for one item */
	/* The next meeting and closing: minutes kept free at the end of the
	 * last day until the rest is placed, then the frame follows the last
	 * item. */
	int frame_len, reserve_start;
	bool reserved;
	size_t capslots, capdeferred, capwarnings; /* of out's arrays */
};

/* place.c */
int uccn_place_item_weight(const struct uccn_agenda_item *it);
int uccn_place_deferrals(const struct uccn_agenda_item *it);

/* place_days.c: the days cut into sessions around pins and breaks */
int uccn_place_grow(void **p, size_t *cap, size_t need, size_t size);
int uccn_place_add_fixed(struct work *w, int day, int start, int end,
			 enum uccn_agenda_kind kind, size_t item);
int uccn_place_carve(struct work *w, int day, int start, int end);
int uccn_place_assign(struct work *w, size_t s, size_t item);
void uccn_place_unassign(struct work *w, size_t s, size_t item);
bool uccn_place_room(const struct work *w, size_t s, size_t item);
int uccn_place_days(struct work *w, const size_t *order, size_t n);
int uccn_place_stretch(struct work *w, size_t item);
int uccn_place_close(struct work *w, const size_t *order, size_t n);

/* place_fit.c: daytime, remote presenters, the local search */
int uccn_place_floor_div(int a, int b);
bool uccn_place_daytime(int local_start, int minutes);
int uccn_place_daytime_start(const struct work *w, size_t item, size_t s);
int uccn_place_remote(struct work *w, size_t item, bool only_previous);
int uccn_place_local_search(struct work *w, const size_t *order, size_t n);

/* place_note.c: reasons, warnings, the output and its cost */
int uccn_place_warn(struct work *w, size_t item, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void uccn_place_local_time(int local, char *buf, size_t size);
int uccn_place_defer_all(struct work *w, const size_t *order, size_t n, bool frame);
int uccn_place_compose(struct work *w);

#endif
