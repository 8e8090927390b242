/*
 * gather_int.h - what the files of the gathering share: the state of one
 * gathering, the owned strings and blocks it makes, and the city lookups.
 * gather.c holds the rules, gather_names.c the names, gather_groups.c the
 * items that list others (the welcome, the good-practice showcases).
 */
#ifndef UCCN_AGENDA_GATHER_INT_H
#define UCCN_AGENDA_GATHER_INT_H

#include "uccn_agenda_gather.h"

#define DEFAULT_MINUTES 15  /* a post that asks for none, an item left open */

struct gather {
	const struct uccn_agenda_records *r;
	const struct uccn_meeting *m;
	struct uccn_agenda_gathered *out;
	/* Each city's display name, parallel to r->cities; owned (the array;
	 * the strings are the records' or kept). */
	const char **names;
};

/* A string that lives as long as the gathered result; NULL when memory
 * runs out. */
const char *gather_keep(struct gather *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* n zeroed elements of size bytes that live as long as the result; NULL
 * when memory runs out. */
void *gather_block(struct gather *g, size_t n, size_t size);
/* A new item at the end, zeroed but for normal priority and no pin:
 * 0, UCCN_E_TOOBIG or UCCN_E_NOMEM. Earlier item pointers go stale. */
int gather_new_item(struct gather *g, struct uccn_agenda_item **item);

const struct uccn_city *gather_city(const struct gather *g, const char *id);
/* The city's display name (its id when it is not in the records, NULL for
 * NULL). */
const char *gather_name(const struct gather *g, const char *id);
/* A member city of the network: not the system's own "coordinator"
 * account, not the secretariat. */
bool gather_is_member(const struct uccn_city *ci);
bool gather_same_str(const char *a, const char *b);
/* The day number of a YYYY-MM-DD date, or fallback. */
long gather_date_days(const char *s, long fallback);

/* gather_names.c */
int gather_names_init(struct gather *g);
/* The meeting's title ("Cities of Music Annual Meeting 2027, Katowice"). */
const char *gather_meeting_title(struct gather *g);
/* A post's title, or its body's first line cut at a character. */
const char *gather_post_title(struct gather *g, const struct uccn_post *p);

/* gather_groups.c */
int gather_welcome(struct gather *g);
int gather_good_practice(struct gather *g);

#endif
