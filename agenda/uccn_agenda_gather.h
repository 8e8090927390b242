/*
 * uccn_agenda_gather.h - what goes on a meeting's agenda, decided from the
 * network's records: the rules of the series, the frame, elections, welcome,
 * carried-over items, the chair and the participants. Pure, like the
 * builder: the caller fetches the records and lends a zone-offset function;
 * the result is the builder's input.
 *
 * Dates are day numbers: days since 1970-01-01, proleptic Gregorian.
 */
#ifndef UCCN_AGENDA_GATHER_H
#define UCCN_AGENDA_GATHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uccn_agenda.h"
#include "uccn_records.h"

/* How long the network looks back when a series has no earlier meeting,
 * and looks ahead when it has no later one. */
#define UCCN_AGENDA_YEAR_DAYS 365
/* A post without a title is titled by its body's first line, cut to at
 * most this many bytes at a character boundary, with "…" when cut. */
#define UCCN_AGENDA_TITLE_CUT 60
/* A good-practice showcase lasts this, plus so much a post, at most MAX. */
#define UCCN_AGENDA_SHOWCASE_MINUTES 10
#define UCCN_AGENDA_SHOWCASE_PER_POST 5
#define UCCN_AGENDA_SHOWCASE_MAX 45

long uccn_agenda_day_number(int year, int month, int mday);
void uccn_agenda_date_of(long day, int *year, int *month, int *mday);

/*
 * A zone's local time minus UTC, in minutes, on a date: 0, or nonzero when
 * the zone (NULL included) is unknown. The caller's window on a zone
 * database; cli/tzinfo.c's tz_offset is one.
 */
typedef int uccn_agenda_zone_fn(const char *tz, int year, int month, int mday, int *minutes);

struct uccn_agenda_date {
	int year, month, mday;
};

/* A meeting's days, in its own zone. */
struct uccn_agenda_calendar {
	long first;                 /* day number of the first day */
	long ndays;                 /* 1..UCCN_AGENDA_MAX_DAYS once valid */
	struct uccn_agenda_date day[UCCN_AGENDA_MAX_DAYS];
	int utc_offset[UCCN_AGENDA_MAX_DAYS]; /* the meeting zone minus UTC */
};

/*
 * Fill cal for m, asking zone for m->tz on each day. Returns 0,
 * UCCN_E_INVALID when m lacks a start or end date, UCCN_E_TOOBIG when it
 * lasts fewer than 1 or more than UCCN_AGENDA_MAX_DAYS days (cal->ndays
 * says how many), or UCCN_E_NOTFOUND when zone does not know m->tz.
 */
int uccn_agenda_calendar(const struct uccn_meeting *m, uccn_agenda_zone_fn *zone,
			 struct uccn_agenda_calendar *cal);

/*
 * The meetings of m's series (same kind and field, m aside) just before and
 * just after it by start date, found among series[0..n); NULL when none.
 * The results point into series.
 */
void uccn_agenda_neighbours(const struct uccn_meeting *m, const struct uccn_meeting *series,
			    size_t n, const struct uccn_meeting **prev,
			    const struct uccn_meeting **next);

/* A field's name for readers: "Cities of Music", "Cities of Media Arts",
 * "Cities of Crafts and Folk Art"; always NUL-terminated, cut to len. */
void uccn_agenda_field_label(const char *field, char *buf, size_t len);

/* Since when good practice counts, in ms since 1970 UTC: the day after the
 * previous meeting (prev, may be NULL) ended, else a year before first. */
int64_t uccn_agenda_good_practice_since(const struct uccn_meeting *prev, long first);

/* True, with the post's seq, when e is an entry a published agenda
 * deferred and it stands for a post ("post:N"): it comes back next time. */
bool uccn_agenda_entry_left_open(const struct uccn_agenda_entry *e, uint64_t *seq);

/* What the caller fetched. Everything is borrowed, and must outlive the
 * gathered result, which points into it. */
struct uccn_agenda_records {
	const struct uccn_meeting *meeting;
	const struct uccn_agenda_calendar *calendar; /* from uccn_agenda_calendar */
	uccn_agenda_zone_fn *zone;                   /* for the cities' zones */
	const struct uccn_meeting *series;   /* the meetings of its field */
	size_t nseries;
	const struct uccn_city *cities;      /* every city, in the daemon's order */
	size_t ncities;
	const struct uccn_project *projects; /* the field's active projects */
	size_t nprojects;
	/* The posts that name the meeting: its agenda items, then proposals,
	 * then good practice, each kind newest first. */
	const struct uccn_post *posts;
	size_t nposts;
	/* Good-practice posts, newest first, back to at least
	 * uccn_agenda_good_practice_since(). */
	const struct uccn_post *good_practice;
	size_t ngood_practice;
	const struct uccn_agenda_pub *last;  /* the meeting's last published
					      * version, or NULL */
	const struct uccn_agenda_pub *prev_agenda; /* the previous meeting's
						    * last one, or NULL */
	/* The posts of prev_agenda's left-open entries that could be read. */
	const struct uccn_post *left_open;
	size_t nleft_open;
};

/* The agenda's contents. input is ready for uccn_agenda_build; it points
 * into the arrays below and into the records. */
struct uccn_agenda_gathered {
	struct uccn_agenda_input input;
	const char *title;        /* the meeting's, for the renderers: "Cities of
				   * Music Annual Meeting 2027, Katowice" */
	uint64_t version;         /* the last published version, 0 for none */
	const struct uccn_meeting *prev, *next; /* the series' neighbours */
	/* Owned; freed by uccn_agenda_gathered_clear. */
	struct uccn_agenda_item *items;
	size_t nitems;
	struct uccn_agenda_participant *participants;
	size_t nparticipants;
	struct uccn_agenda_previous *previous;
	size_t nprevious;
	char **strings;           /* the keys and titles made here */
	size_t nstrings;
	void **blocks;            /* the items' parts, and other arrays */
	size_t nblocks;
};

/*
 * Decide the items, in this order:
 *
 * - the frame: opening and closing by the first host; the coordinator's
 *   report by the field's coordinator (role "coordinator" in the meeting's
 *   field), or its deputy when the field has none; at a meeting of no field
 *   (a conference) by the first host, since the network's coordinator is
 *   the Secretariat's own account, no city; the next meeting of the series
 *   by its first host, named once;
 * - a welcome of the cities designated since the previous meeting of the
 *   series (a designation counts as of 31 October of its year): the
 *   field's, or at a conference every field's; it counts and lists them;
 * - a report per project;
 * - the posts that name the meeting (pins applied), but good practice;
 * - one good-practice showcase per field ("good-practice:<field>"), of the
 *   posts that name the meeting and the field's since
 *   uccn_agenda_good_practice_since(), listed in item.parts, lasting
 *   UCCN_AGENDA_SHOWCASE_MINUTES plus UCCN_AGENDA_SHOWCASE_PER_POST a post,
 *   at most UCCN_AGENDA_SHOWCASE_MAX;
 * - what the previous meeting's agenda left open, with its deferrals;
 * - an election for each coordinator or deputy whose term ends before the
 *   next meeting (within a year when none is planned), naming the role and
 *   the field ("Election of the deputy of the Cities of Music").
 *
 * Presenters and participants are named by display name: the city's name,
 * with its country where two cities share a name. The participants are
 * the member cities of the field (of the network when the meeting has no
 * field), never the system's "coordinator" account nor the secretariat, at
 * most UCCN_AGENDA_MAX_PARTICIPANTS; offsets come from each city's zone.
 * The sessions are at most the meeting's max_session minutes.
 *
 * out must be zeroed; free it with uccn_agenda_gathered_clear, also after a
 * failure. Returns 0, UCCN_E_TOOBIG (more than UCCN_AGENDA_MAX_ITEMS
 * items), UCCN_E_INVALID (the meeting's daily hours do not parse, or an
 * item lacks a key or title) or UCCN_E_NOMEM.
 */
int uccn_agenda_gather(const struct uccn_agenda_records *r, struct uccn_agenda_gathered *out);
void uccn_agenda_gathered_clear(struct uccn_agenda_gathered *g);

#endif
