/*
 * uccn_agenda.h - the annual-meeting agenda builder: pure computation, no
 * I/O, no clock, no time-zone database. The items come from the records
 * (uccn_agenda_gather.h decides them, with offsets from the caller's zone
 * database); the builder places items in the meeting's days, and the
 * renderers (uccn_agenda_*_render) turn the result into Markdown, HTML,
 * iCalendar or JSON text.
 *
 * Same input, same output, byte for byte: nothing here depends on memory
 * addresses, the clock or the locale.
 *
 * Times are minutes since local midnight of the meeting's zone on a day of
 * the meeting (day 0 is the first day). Every start and length is on the
 * UCCN_AGENDA_GRID-minute grid.
 */
#ifndef UCCN_AGENDA_H
#define UCCN_AGENDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UCCN_AGENDA_GRID 5            /* minutes */
#define UCCN_AGENDA_MAX_DAYS 14
#define UCCN_AGENDA_MAX_ITEMS 4096
#define UCCN_AGENDA_MAX_PARTICIPANTS 1024
#define UCCN_AGENDA_SESSION 90        /* default: at most this long between breaks */
#define UCCN_AGENDA_MAX_SESSION 240   /* the longest session a meeting may allow */
#define UCCN_AGENDA_COFFEE 15
#define UCCN_AGENDA_LUNCH 60
#define UCCN_AGENDA_LUNCH_AT (12 * 60 + 30) /* lunch starts near 12:30 */
#define UCCN_AGENDA_DAYTIME_FROM (8 * 60)   /* a remote presenter's day: */
#define UCCN_AGENDA_DAYTIME_TO (20 * 60)    /* 08:00 to 20:00 local */

/* Kinds, in the order the agenda takes them up (the frame aside). */
enum uccn_agenda_kind {
	UCCN_AGENDA_OPENING,       /* frame: first */
	UCCN_AGENDA_REPORT,        /* the coordinator's report: after opening */
	UCCN_AGENDA_WELCOME,       /* cities designated since the last meeting */
	UCCN_AGENDA_DECISION,      /* decisions and elections: before discussion */
	UCCN_AGENDA_PROJECT,       /* an active joint project's report */
	UCCN_AGENDA_PROPOSAL,
	UCCN_AGENDA_ITEM,          /* an agenda-item post */
	UCCN_AGENDA_GOOD_PRACTICE,
	UCCN_AGENDA_OPEN,          /* left open (deferred) last time */
	UCCN_AGENDA_NEXT_MEETING,  /* frame: before closing */
	UCCN_AGENDA_CLOSING,       /* frame: last */
	UCCN_AGENDA_COFFEE_BREAK,
	UCCN_AGENDA_LUNCH_BREAK,
	UCCN_AGENDA_KIND_COUNT
};

/* The kind's name in output ("opening", "coffee-break", ...). */
const char *uccn_agenda_kind_name(enum uccn_agenda_kind k);

enum uccn_agenda_priority {
	UCCN_AGENDA_HIGH = 0,
	UCCN_AGENDA_NORMAL = 1,
	UCCN_AGENDA_LOW = 2,
};

/* A post listed inside an item (a good-practice showcase lists its posts). */
struct uccn_agenda_part {
	uint64_t seq;
	const char *city;      /* id */
	const char *presenter; /* the city's display name */
	const char *title;
};

/* A candidate item. Strings are borrowed for the call. */
struct uccn_agenda_item {
	const char *key;      /* stable and unique: "post:123", "project:drop-the-mic",
			       * "opening"; also the iCalendar UID's heart */
	enum uccn_agenda_kind kind;
	const char *title;
	const char *city;     /* presenter, or NULL */
	uint64_t seq;         /* the post it comes from, 0 when none */
	int minutes;          /* requested length, > 0 */
	enum uccn_agenda_priority priority;
	bool remote;          /* the presenter joins on-line */
	int pin_day;          /* -1, or the day it is pinned to */
	int pin_start;        /* -1, or the minute it is pinned to (with pin_day) */
	/* The presenter's local time minus the meeting's, in minutes, per day;
	 * only read when has_offset. */
	bool has_offset;
	int offset[UCCN_AGENDA_MAX_DAYS];
	/* For the reader: the presenter's display name ("Kraków", "London
	 * (Canada)" where names repeat), NULL when no city presents; the
	 * post's text, NULL when none; the posts it lists (a showcase). */
	const char *presenter;
	const char *body;
	const struct uccn_agenda_part *parts;
	size_t nparts;
	/* How many published agendas deferred it before (an item carried
	 * over): each deferral adds weight, so it is not deferred twice while
	 * a new item of its priority or lower is placed. */
	int deferrals;
};

/* A city taking part, for "whom does this slot inconvenience". */
struct uccn_agenda_participant {
	const char *city;
	const char *name;      /* display name, as an item's presenter */
	const char *tz;        /* for display, and the region of a summary */
	bool has_offset;
	int offset[UCCN_AGENDA_MAX_DAYS]; /* as in an item */
};

/* Where an item stood in the previous published version (stability). */
struct uccn_agenda_previous {
	const char *key;
	int day;
	int start;
};

struct uccn_agenda_input {
	int days;                  /* 1..UCCN_AGENDA_MAX_DAYS */
	int day_start, day_end;    /* minutes, on the grid, day_start < day_end */
	int max_session;           /* longest session between breaks, minutes on
				    * the grid; 0 means UCCN_AGENDA_SESSION; at
				    * most UCCN_AGENDA_MAX_SESSION */
	bool hybrid;
	const struct uccn_agenda_item *items;
	size_t nitems;             /* at most UCCN_AGENDA_MAX_ITEMS */
	const struct uccn_agenda_participant *participants;
	size_t nparticipants;
	const struct uccn_agenda_previous *previous;
	size_t nprevious;
};

struct uccn_agenda_slot {
	int day;
	int start, end;            /* minutes, meeting-local */
	enum uccn_agenda_kind kind;
	size_t item;               /* index into input items; SIZE_MAX for a break */
	/* Participants (indexes) for whom the slot falls outside 08:00-20:00
	 * local time: only in a hybrid meeting. Owned by the agenda. */
	size_t *inconvenienced;
	size_t ninconvenienced;
};

struct uccn_agenda_deferred {
	size_t item;
	char reason[160];          /* the true reason */
	char hint[160];            /* what would make it fit ("fits on day 2 if
				    * 'X' (low) is deferred"), "" when nothing */
};

struct uccn_agenda_warning {
	size_t item;               /* SIZE_MAX when about no one item */
	const char *code;          /* static, stable for scripts: "remote-night",
				    * "pin-moved", "pin-refused", ... (uccn(1)) */
	char text[200];
};

/* The objective's cost of a placement (uccn(1), "How the agenda is
 * placed"): lower is better; total weighs the parts. */
struct uccn_agenda_cost {
	long deferred;             /* the weights of the deferred items */
	long night;                /* remote presenters placed outside their
				    * 08:00-20:00 local */
	long moved;                /* items moved against the last version */
	long total;
};

struct uccn_agenda {
	struct uccn_agenda_slot *slots;   /* by day, then start */
	size_t nslots;
	struct uccn_agenda_deferred *deferred; /* in the order items were considered */
	size_t ndeferred;
	struct uccn_agenda_warning *warnings;
	size_t nwarnings;
	struct uccn_agenda_cost cost;
};

/*
 * Place the items by one objective (uccn(1), "How the agenda is placed").
 * Hard rules first: the frame (opening, then the coordinator's report, at
 * the start of day 0; next meeting, then closing, right after the last
 * item of the last day), pins where they are pinned (a pin off the grid
 * goes to the nearest grid time, with a warning), the day's hours, and
 * breaks: sessions of at most UCCN_AGENDA_SESSION minutes (or max_session
 * when that is less) between coffee breaks, lunch near
 * UCCN_AGENDA_LUNCH_AT, each break moved around the pins; a session
 * stretches up to max_session for an item that needs it. Then decisions,
 * then every other item by priority across kinds, items deferred before
 * first within a priority; among equals, what can stay where the previous
 * version had it stays, then remote presenters of a hybrid meeting, most
 * constrained first, at an exact time within 08:00-20:00 of their own
 * clock on whatever local date that is, then the rest first-fit. A bounded
 * local search then moves a few items aside to give a remote presenter
 * left at night a daytime slot. What does not fit is deferred with its
 * true reason and, where one exists, a hint; every wish not met is a
 * warning with a stable code; out->cost reports the objective's cost.
 *
 * out must be zeroed; free it with uccn_agenda_clear. Returns 0,
 * UCCN_E_INVALID (a bad input: days, hours, a minutes of 0, a duplicate
 * key) or UCCN_E_NOMEM.
 */
int uccn_agenda_build(const struct uccn_agenda_input *in, struct uccn_agenda *out);
void uccn_agenda_clear(struct uccn_agenda *a);

#endif
