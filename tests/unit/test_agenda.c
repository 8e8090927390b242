/*
 * test_agenda.c - the agenda builder on its own, without a daemon: a
 * two-day hybrid meeting in Europe/Berlin with items from a dozen cities in
 * five zones, presented partly on-line from Chicago and Melbourne.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uccn_agenda.h"
#include "uccn_error.h"

#define H(h, m) ((h) * 60 + (m))
#define NITEMS 20

/* Offsets from Europe/Berlin in late November: local minus meeting time. */
static const struct { const char *city; int offset; } zones[] = {
	{"heidelberg", 0}, {"krakow", 0}, {"granada-literature", 0},
	{"nottingham", -60}, {"dublin", -60}, {"edinburgh", -60},
	{"iowa-city", -7 * 60},        /* America/Chicago */
	{"melbourne", 10 * 60},        /* Australia/Melbourne (AEDT) */
	{"dunedin", 12 * 60},          /* Pacific/Auckland (NZDT) */
	{"baghdad", 2 * 60},           /* Asia/Baghdad */
	{"tartu", 60},                 /* Europe/Tallinn */
	{"reykjavik", -60},            /* Atlantic/Reykjavik */
};
#define NZONES (sizeof zones / sizeof zones[0])

static int offset_of(const char *city)
{
	for (size_t i = 0; i < NZONES; i++)
		if (strcmp(zones[i].city, city) == 0)
			return zones[i].offset;
	return 0;
}

static struct uccn_agenda_item item(const char *key, enum uccn_agenda_kind kind,
				    const char *city, int minutes, bool remote, uint64_t seq)
{
	struct uccn_agenda_item it = {
		.key = key, .kind = kind, .title = key, .city = city, .seq = seq,
		.minutes = minutes, .priority = UCCN_AGENDA_NORMAL, .remote = remote,
		.pin_day = -1, .pin_start = -1, .has_offset = city != NULL,
	};
	for (int d = 0; d < UCCN_AGENDA_MAX_DAYS && city; d++)
		it.offset[d] = offset_of(city);
	return it;
}

static struct uccn_agenda_item items[NITEMS];
static struct uccn_agenda_participant parts[NZONES];

static struct uccn_agenda_input meeting(size_t n)
{
	size_t k = 0;
	items[k++] = item("opening", UCCN_AGENDA_OPENING, "heidelberg", 15, false, 0);
	items[k++] = item("report", UCCN_AGENDA_REPORT, "krakow", 30, false, 0);
	items[k++] = item("welcome", UCCN_AGENDA_WELCOME, NULL, 20, false, 0);
	items[k++] = item("election", UCCN_AGENDA_DECISION, NULL, 30, false, 0);
	items[k++] = item("project:drop-the-mic", UCCN_AGENDA_PROJECT, "reykjavik", 20, true, 0);
	items[k++] = item("post:101", UCCN_AGENDA_ITEM, "iowa-city", 30, true, 101);
	items[k++] = item("post:102", UCCN_AGENDA_ITEM, "melbourne", 25, true, 102);
	items[k++] = item("post:103", UCCN_AGENDA_ITEM, "dunedin", 20, false, 103);
	items[k++] = item("post:104", UCCN_AGENDA_PROPOSAL, "baghdad", 30, false, 104);
	items[k++] = item("post:105", UCCN_AGENDA_ITEM, "tartu", 45, false, 105);
	items[k++] = item("post:106", UCCN_AGENDA_ITEM, "nottingham", 60, false, 106);
	items[k++] = item("post:107", UCCN_AGENDA_ITEM, "dublin", 40, false, 107);
	items[k++] = item("post:108", UCCN_AGENDA_GOOD_PRACTICE, "edinburgh", 30, false, 108);
	items[k++] = item("post:109", UCCN_AGENDA_ITEM, "granada-literature", 600, false, 109);
	items[k++] = item("post:110", UCCN_AGENDA_ITEM, "iowa-city", 20, true, 110);
	items[k++] = item("next", UCCN_AGENDA_NEXT_MEETING, NULL, 10, false, 0);
	items[k++] = item("closing", UCCN_AGENDA_CLOSING, NULL, 10, false, 0);
	if (n > k)
		n = k;
	for (size_t i = 0; i < NZONES; i++) {
		parts[i] = (struct uccn_agenda_participant){.city = zones[i].city, .tz = "", .has_offset = true};
		for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
			parts[i].offset[d] = zones[i].offset;
	}
	return (struct uccn_agenda_input){
		.days = 2, .day_start = H(9, 0), .day_end = H(17, 30), .hybrid = true,
		.items = items, .nitems = n, .participants = parts, .nparticipants = NZONES,
	};
}

static const struct uccn_agenda_slot *slot_of(const struct uccn_agenda *a, const char *key)
{
	for (size_t i = 0; i < a->nslots; i++)
		if (a->slots[i].item != SIZE_MAX && strcmp(items[a->slots[i].item].key, key) == 0)
			return &a->slots[i];
	return NULL;
}

/* AGENDA_DUMP=1 prints the agenda a test built, to see why it failed. */
static void dump(const struct uccn_agenda *a, const struct uccn_agenda_item *its)
{
	if (!getenv("AGENDA_DUMP"))
		return;
	for (size_t i = 0; i < a->nslots; i++)
		fprintf(stderr, "day %d %02d:%02d-%02d:%02d %-14s %s\n", a->slots[i].day + 1,
			a->slots[i].start / 60, a->slots[i].start % 60, a->slots[i].end / 60,
			a->slots[i].end % 60, uccn_agenda_kind_name(a->slots[i].kind),
			a->slots[i].item == SIZE_MAX ? "" : its[a->slots[i].item].key);
	for (size_t i = 0; i < a->ndeferred; i++)
		fprintf(stderr, "deferred %s: %s\n", its[a->deferred[i].item].key, a->deferred[i].reason);
	for (size_t i = 0; i < a->nwarnings; i++)
		fprintf(stderr, "warning: %s\n", a->warnings[i].text);
}

static void test_two_day_hybrid(void **state)
{
	(void)state;
	struct uccn_agenda_input in = meeting(NITEMS);
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, items);

	/* Nothing leaves the day's hours; slots do not overlap; grid. */
	for (size_t i = 0; i < a.nslots; i++) {
		const struct uccn_agenda_slot *s = &a.slots[i];
		assert_true(s->start >= in.day_start && s->end <= in.day_end);
		assert_true(s->start < s->end);
		assert_int_equal(s->start % UCCN_AGENDA_GRID, 0);
		if (i > 0 && a.slots[i - 1].day == s->day)
			assert_true(a.slots[i - 1].end <= s->start);
	}
	/* Breaks: lunch each day, and never more than 90 minutes of items in a row. */
	for (int d = 0; d < in.days; d++) {
		int lunches = 0, run = 0, last_end = in.day_start;
		for (size_t i = 0; i < a.nslots; i++) {
			const struct uccn_agenda_slot *s = &a.slots[i];
			if (s->day != d)
				continue;
			if (s->start > last_end)
				run = 0; /* a gap rests too */
			if (s->kind == UCCN_AGENDA_LUNCH_BREAK)
				lunches++;
			if (s->kind == UCCN_AGENDA_COFFEE_BREAK || s->kind == UCCN_AGENDA_LUNCH_BREAK)
				run = 0;
			else
				run += s->end - s->start;
			assert_true(run <= UCCN_AGENDA_SESSION);
			last_end = s->end;
		}
		/* The last day ends after the closing: lunch only if it runs that long. */
		if (d < in.days - 1)
			assert_int_equal(lunches, 1);
		else
			assert_true(lunches <= 1);
	}
	/* Every remote item lies within 08:00-20:00 of its presenter. */
	static const char *const remote[] = {"post:101", "post:102", "post:110",
					     "project:drop-the-mic"};
	for (size_t r = 0; r < sizeof remote / sizeof remote[0]; r++) {
		const struct uccn_agenda_slot *s = slot_of(&a, remote[r]);
		assert_non_null(s);
		int off = items[s->item].offset[s->day];
		assert_true(s->start + off >= H(8, 0));
		assert_true(s->end + off <= H(20, 0));
	}
	/* The frame: opening first, then the report; next meeting, then closing, last. */
	const struct uccn_agenda_slot *o = slot_of(&a, "opening"), *c = slot_of(&a, "closing");
	assert_non_null(o);
	assert_int_equal(o->day, 0);
	assert_int_equal(o->start, H(9, 0));
	assert_int_equal(slot_of(&a, "report")->start, o->end);
	assert_int_equal(c->day, 1);
	assert_int_equal(c->end, a.slots[a.nslots - 1].end);
	assert_int_equal(slot_of(&a, "next")->end, c->start);
	/* The project's report slot is there. */
	assert_non_null(slot_of(&a, "project:drop-the-mic"));
	/* The 600-minute item is deferred, with a reason. */
	assert_null(slot_of(&a, "post:109"));
	bool found = false;
	for (size_t i = 0; i < a.ndeferred; i++)
		if (strcmp(items[a.deferred[i].item].key, "post:109") == 0) {
			found = true;
			assert_non_null(strstr(a.deferred[i].reason, "600 minutes"));
		}
	assert_true(found);
	/* Decisions come before discussion on the same day. */
	const struct uccn_agenda_slot *e = slot_of(&a, "election"), *d106 = slot_of(&a, "post:106");
	assert_true(e->day < d106->day || (e->day == d106->day && e->start < d106->start));
	uccn_agenda_clear(&a);
}

static void test_deterministic(void **state)
{
	(void)state;
	struct uccn_agenda_input in = meeting(NITEMS);
	struct uccn_agenda a, b;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	assert_int_equal(uccn_agenda_build(&in, &b), 0);
	assert_int_equal(a.nslots, b.nslots);
	for (size_t i = 0; i < a.nslots; i++) {
		assert_int_equal(a.slots[i].day, b.slots[i].day);
		assert_int_equal(a.slots[i].start, b.slots[i].start);
		assert_int_equal(a.slots[i].item, b.slots[i].item);
	}
	uccn_agenda_clear(&a);
	uccn_agenda_clear(&b);
}

/* One new item: the items placed before stay where they were. */
static void test_stable_rerun(void **state)
{
	(void)state;
	struct uccn_agenda_input in = meeting(NITEMS);
	size_t full = in.nitems;
	in.nitems = full - 3; /* without post:110, next and closing... */
	struct uccn_agenda_item keep[NITEMS];
	memcpy(keep, items, sizeof keep);
	/* first run: all but post:110 */
	struct uccn_agenda_item without[NITEMS];
	size_t n = 0;
	for (size_t i = 0; i < full; i++)
		if (strcmp(items[i].key, "post:110") != 0)
			without[n++] = items[i];
	in.items = without;
	in.nitems = n;
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, without);
	struct uccn_agenda_previous prev[NITEMS];
	size_t np = 0;
	for (size_t i = 0; i < a.nslots; i++)
		if (a.slots[i].item != SIZE_MAX)
			prev[np++] = (struct uccn_agenda_previous){without[a.slots[i].item].key,
								   a.slots[i].day, a.slots[i].start};
	/* second run: with post:110 and the previous placement */
	in.items = keep;
	in.nitems = full;
	in.previous = prev;
	in.nprevious = np;
	struct uccn_agenda b;
	assert_int_equal(uccn_agenda_build(&in, &b), 0);
	dump(&b, keep);
	size_t moved_days = 0;
	for (size_t p = 0; p < np; p++) {
		for (size_t i = 0; i < b.nslots; i++) {
			if (b.slots[i].item == SIZE_MAX || strcmp(keep[b.slots[i].item].key, prev[p].key))
				continue;
			moved_days += b.slots[i].day != prev[p].day;
		}
	}
	/* Items keep their day (and session); at most a few shift within it. */
	assert_int_equal(moved_days, 0);
	uccn_agenda_clear(&a);
	uccn_agenda_clear(&b);
}

static void test_pins_and_warnings(void **state)
{
	(void)state;
	struct uccn_agenda_input in = meeting(NITEMS);
	/* Pin Tartu's item to day 2 at 14:00; pin Dublin's into the lunch break. */
	for (size_t i = 0; i < in.nitems; i++) {
		if (strcmp(items[i].key, "post:105") == 0) {
			items[i].pin_day = 1;
			items[i].pin_start = H(14, 0);
		}
		if (strcmp(items[i].key, "post:107") == 0) {
			items[i].pin_day = 0;
			items[i].pin_start = H(12, 40);
		}
	}
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	const struct uccn_agenda_slot *t = slot_of(&a, "post:105");
	assert_int_equal(t->day, 1);
	assert_int_equal(t->start, H(14, 0));
	/* The pin on the lunch break holds; the lunch moves, and no warning. */
	const struct uccn_agenda_slot *d = slot_of(&a, "post:107");
	assert_non_null(d);
	assert_int_equal(d->day, 0);
	assert_int_equal(d->start, H(12, 40));
	int lunches = 0;
	for (size_t i = 0; i < a.nslots; i++)
		if (a.slots[i].day == 0 && a.slots[i].kind == UCCN_AGENDA_LUNCH_BREAK) {
			lunches++;
			assert_true(a.slots[i].end <= d->start || a.slots[i].start >= d->end);
		}
	assert_int_equal(lunches, 1);
	for (size_t i = 0; i < a.nwarnings; i++)
		assert_true(a.warnings[i].item == SIZE_MAX ||
			    strcmp(items[a.warnings[i].item].key, "post:107") != 0);
	uccn_agenda_clear(&a);
}

static void test_inconvenienced(void **state)
{
	(void)state;
	struct uccn_agenda_input in = meeting(NITEMS);
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	/* The 09:00 opening is 02:00 in Chicago and 19:00 in Melbourne
	 * (fine); Dunedin at 21:00 is inconvenienced too. */
	const struct uccn_agenda_slot *o = slot_of(&a, "opening");
	bool chicago = false, melbourne = false, dunedin = false;
	for (size_t i = 0; i < o->ninconvenienced; i++) {
		const char *c = parts[o->inconvenienced[i]].city;
		chicago |= strcmp(c, "iowa-city") == 0;
		melbourne |= strcmp(c, "melbourne") == 0;
		dunedin |= strcmp(c, "dunedin") == 0;
	}
	assert_true(chicago);
	assert_false(melbourne);
	assert_true(dunedin);
	uccn_agenda_clear(&a);
}

/* Breaks frame items: none on a day with nothing in it, coffee only
 * between items, lunch only with items before and after it. */
static void test_idle_breaks(void **state)
{
	(void)state;
	struct uccn_agenda_input in = meeting(2); /* opening and report only */
	struct uccn_agenda a = {0};
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, items);
	assert_int_equal(a.nslots, 2);
	for (size_t i = 0; i < a.nslots; i++)
		assert_int_not_equal(a.slots[i].item, SIZE_MAX);
	uccn_agenda_clear(&a);

	in = meeting(3);
	items[2].pin_day = 0; /* the welcome after lunch */
	items[2].pin_start = H(15, 0);
	memset(&a, 0, sizeof a);
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, items);
	bool lunch = false;
	for (size_t i = 0; i < a.nslots; i++) {
		const struct uccn_agenda_slot *s = &a.slots[i];
		assert_int_equal(s->day, 0);
		if (s->kind == UCCN_AGENDA_LUNCH_BREAK)
			lunch = true;
		if (s->kind == UCCN_AGENDA_COFFEE_BREAK) {
			assert_true(i > 0 && i + 1 < a.nslots);
			assert_int_not_equal(a.slots[i - 1].item, SIZE_MAX);
			assert_int_not_equal(a.slots[i + 1].item, SIZE_MAX);
		}
	}
	assert_true(lunch);
	uccn_agenda_clear(&a);
}

/* ---- meetings hosted outside Europe ---- */

#define MAX_IT 40

/* A new item of a kind, length and priority; no presenter zone. */
static struct uccn_agenda_item mk(const char *key, enum uccn_agenda_kind kind, int minutes,
				  enum uccn_agenda_priority prio, uint64_t seq)
{
	return (struct uccn_agenda_item){.key = key, .kind = kind, .title = key, .seq = seq,
					 .minutes = minutes, .priority = prio,
					 .pin_day = -1, .pin_start = -1};
}

/* Its presenter: a city at a fixed offset from the meeting, maybe on-line. */
static struct uccn_agenda_item from(struct uccn_agenda_item it, const char *city, int offset,
				    bool remote)
{
	it.city = city;
	it.presenter = city;
	it.remote = remote;
	it.has_offset = true;
	for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
		it.offset[d] = offset;
	return it;
}

static struct uccn_agenda_participant part(const char *city, int offset)
{
	struct uccn_agenda_participant p = {.city = city, .name = city, .tz = "", .has_offset = true};
	for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
		p.offset[d] = offset;
	return p;
}

static const struct uccn_agenda_slot *slot_in(const struct uccn_agenda *a,
					      const struct uccn_agenda_item *its, const char *key)
{
	for (size_t i = 0; i < a->nslots; i++)
		if (a->slots[i].item != SIZE_MAX && strcmp(its[a->slots[i].item].key, key) == 0)
			return &a->slots[i];
	return NULL;
}

static const struct uccn_agenda_deferred *deferred_in(const struct uccn_agenda *a,
						      const struct uccn_agenda_item *its,
						      const char *key)
{
	for (size_t i = 0; i < a->ndeferred; i++)
		if (strcmp(its[a->deferred[i].item].key, key) == 0)
			return &a->deferred[i];
	return NULL;
}

/* The presenter's own clock, whatever the date: 00:00..23:59. */
static int clock_of(int local)
{
	return ((local % (24 * 60)) + 24 * 60) % (24 * 60);
}

/* Every remote item lies in 08:00-20:00 of its presenter's own clock; its
 * own slot never lists its city as inconvenienced; nothing is at night. */
static void assert_remote_daytime(const struct uccn_agenda *a, const struct uccn_agenda_item *its,
				  const struct uccn_agenda_participant *ps)
{
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		if (s->item == SIZE_MAX || !its[s->item].remote)
			continue;
		int local = clock_of(s->start + its[s->item].offset[s->day]);
		assert_true(local >= H(8, 0));
		assert_true(local + (s->end - s->start) <= H(20, 0));
		for (size_t k = 0; k < s->ninconvenienced; k++)
			assert_string_not_equal(ps[s->inconvenienced[k]].city, its[s->item].city);
	}
	assert_int_equal(a->cost.night, 0);
	for (size_t i = 0; i < a->nwarnings; i++)
		assert_string_not_equal(a->warnings[i].code, "remote-night");
}

static size_t participant(const struct uccn_agenda_participant *ps, size_t n, const char *city)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ps[i].city, city) == 0)
			return i;
	return SIZE_MAX;
}

static bool inconveniences(const struct uccn_agenda_slot *s, size_t p)
{
	for (size_t k = 0; k < s->ninconvenienced; k++)
		if (s->inconvenienced[k] == p)
			return true;
	return false;
}

/* America/Mexico_City in June 2027 (UTC-6, no DST since 2022): Seoul (UTC+9)
 * is 15 hours ahead, Auckland (NZST, UTC+12) 18 hours. */
#define MEX_SEOUL (15 * 60)
#define MEX_AUCKLAND (18 * 60)

static size_t mexico(struct uccn_agenda_item *its, struct uccn_agenda_participant *ps, size_t *np)
{
	static const char *const local_keys[] = {"post:201", "post:202", "post:203", "post:204",
		"post:205", "post:206", "post:207", "post:208", "post:209", "post:210",
		"post:211", "post:212"};
	size_t k = 0;
	its[k++] = from(mk("opening", UCCN_AGENDA_OPENING, 15, UCCN_AGENDA_NORMAL, 0), "mexico-city", 0, false);
	its[k++] = from(mk("report", UCCN_AGENDA_REPORT, 30, UCCN_AGENDA_NORMAL, 0), "guadalajara", 0, false);
	its[k++] = mk("election", UCCN_AGENDA_DECISION, 30, UCCN_AGENDA_NORMAL, 0);
	for (size_t i = 0; i < sizeof local_keys / sizeof local_keys[0]; i++)
		its[k++] = from(mk(local_keys[i], UCCN_AGENDA_ITEM, 45, UCCN_AGENDA_NORMAL, 201 + i),
				i % 2 ? "bogota" : "mexico-city", i % 2 ? 60 : 0, false);
	its[k++] = from(mk("post:301", UCCN_AGENDA_ITEM, 30, UCCN_AGENDA_NORMAL, 301), "seoul", MEX_SEOUL, true);
	its[k++] = from(mk("post:302", UCCN_AGENDA_PROPOSAL, 30, UCCN_AGENDA_NORMAL, 302), "seoul", MEX_SEOUL, true);
	its[k++] = from(mk("post:303", UCCN_AGENDA_GOOD_PRACTICE, 45, UCCN_AGENDA_NORMAL, 303), "bucheon", MEX_SEOUL, true);
	its[k++] = from(mk("post:304", UCCN_AGENDA_ITEM, 45, UCCN_AGENDA_NORMAL, 304), "auckland", MEX_AUCKLAND, true);
	its[k++] = from(mk("project:tui", UCCN_AGENDA_PROJECT, 30, UCCN_AGENDA_NORMAL, 0), "auckland", MEX_AUCKLAND, true);
	its[k++] = mk("next", UCCN_AGENDA_NEXT_MEETING, 10, UCCN_AGENDA_NORMAL, 0);
	its[k++] = mk("closing", UCCN_AGENDA_CLOSING, 10, UCCN_AGENDA_NORMAL, 0);
	size_t p = 0;
	ps[p++] = part("mexico-city", 0);
	ps[p++] = part("guadalajara", 0);
	ps[p++] = part("bogota", 60);
	ps[p++] = part("seoul", MEX_SEOUL);
	ps[p++] = part("bucheon", MEX_SEOUL);
	ps[p++] = part("auckland", MEX_AUCKLAND);
	ps[p++] = part("madrid", 8 * 60);
	*np = p;
	return k;
}

static void test_mexico_city_hybrid(void **state)
{
	(void)state;
	struct uccn_agenda_item its[MAX_IT];
	struct uccn_agenda_participant ps[8];
	size_t np, n = mexico(its, ps, &np);
	struct uccn_agenda_input in = {.days = 3, .day_start = H(9, 0), .day_end = H(18, 0),
				       .hybrid = true, .items = its, .nitems = n,
				       .participants = ps, .nparticipants = np};
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	assert_int_equal(a.ndeferred, 0);
	assert_remote_daytime(&a, its, ps);
	/* Mexico 16:00-17:00 is 07:00-08:00 (+1 day) in Seoul, not daytime;
	 * 17:00 is 08:00 (+1 day), daytime. */
	static const char *const seoul[] = {"post:301", "post:302", "post:303"};
	for (size_t i = 0; i < 3; i++) {
		const struct uccn_agenda_slot *s = slot_in(&a, its, seoul[i]);
		assert_non_null(s);
		assert_true(s->start >= H(17, 0));
	}
	/* The 09:00 opening is 00:00 (+1 day) in Seoul: inconvenienced;
	 * Auckland's item is in Auckland's day, and Auckland is not listed. */
	const struct uccn_agenda_slot *o = slot_in(&a, its, "opening");
	assert_true(inconveniences(o, participant(ps, np, "seoul")));
	assert_false(inconveniences(o, participant(ps, np, "mexico-city")));
	const struct uccn_agenda_slot *ak = slot_in(&a, its, "post:304");
	assert_true(ak->start >= H(14, 0));
	assert_false(inconveniences(ak, participant(ps, np, "auckland")));
	uccn_agenda_clear(&a);
}

/* Every Seoul daytime slot taken by pins: placed at night, and the warning
 * says their local time with its date. */
static void test_mexico_city_night_warning(void **state)
{
	(void)state;
	struct uccn_agenda_item its[8];
	struct uccn_agenda_participant ps[2] = {part("mexico-city", 0), part("seoul", MEX_SEOUL)};
	size_t n = 0;
	its[n++] = from(mk("opening", UCCN_AGENDA_OPENING, 15, UCCN_AGENDA_NORMAL, 0), "mexico-city", 0, false);
	its[n++] = from(mk("post:1", UCCN_AGENDA_ITEM, 45, UCCN_AGENDA_NORMAL, 1), "seoul", MEX_SEOUL, true);
	for (int d = 0; d < 2; d++) {
		its[n] = from(mk(d ? "pin:2" : "pin:1", UCCN_AGENDA_ITEM, 15, UCCN_AGENDA_LOW, 10 + (uint64_t)d),
			      "mexico-city", 0, false);
		its[n].pin_day = d;
		its[n++].pin_start = H(17, 30);
	}
	its[n++] = mk("next", UCCN_AGENDA_NEXT_MEETING, 10, UCCN_AGENDA_NORMAL, 0);
	its[n++] = mk("closing", UCCN_AGENDA_CLOSING, 10, UCCN_AGENDA_NORMAL, 0);
	/* Seoul's daytime within these hours: 17:00-18:15, cut by the pins into
	 * halves of 30 minutes, too short for 45. */
	struct uccn_agenda_input in = {.days = 2, .day_start = H(9, 0), .day_end = H(18, 15),
				       .hybrid = true, .items = its, .nitems = n,
				       .participants = ps, .nparticipants = 2};
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	const struct uccn_agenda_slot *s = slot_in(&a, its, "post:1");
	assert_non_null(s);
	int local = s->start + MEX_SEOUL;
	char want[32];
	snprintf(want, sizeof want, "their local time %02d:%02d (+1 day)", clock_of(local) / 60,
		 clock_of(local) % 60);
	bool warned = false;
	for (size_t i = 0; i < a.nwarnings; i++)
		if (a.warnings[i].item == s->item && strcmp(a.warnings[i].code, "remote-night") == 0) {
			warned = true;
			assert_non_null(strstr(a.warnings[i].text, want));
		}
	assert_true(warned);
	assert_int_equal(a.cost.night, 1);
	/* The pins hold, and the closing follows the last pin. */
	assert_int_equal(slot_in(&a, its, "pin:2")->start, H(17, 30));
	assert_int_equal(slot_in(&a, its, "next")->start, H(17, 45));
	uccn_agenda_clear(&a);
}

/* Asia/Seoul in October 2027 (UTC+9): New York (EDT) is 13 hours behind,
 * Bogotá 14, Los Angeles (PDT) 16. Their daytime is the meeting's morning,
 * on their previous date. */
static void test_seoul_hybrid(void **state)
{
	(void)state;
	struct uccn_agenda_item its[MAX_IT];
	struct uccn_agenda_participant ps[] = {part("seoul", 0), part("bucheon", 0),
		part("new-york", -13 * 60), part("bogota", -14 * 60), part("los-angeles", -16 * 60)};
	size_t n = 0;
	its[n++] = from(mk("opening", UCCN_AGENDA_OPENING, 15, UCCN_AGENDA_NORMAL, 0), "seoul", 0, false);
	its[n++] = from(mk("report", UCCN_AGENDA_REPORT, 30, UCCN_AGENDA_NORMAL, 0), "bucheon", 0, false);
	static const char *const local_keys[] = {"post:1", "post:2", "post:3", "post:4", "post:5", "post:6"};
	for (size_t i = 0; i < 6; i++)
		its[n++] = from(mk(local_keys[i], UCCN_AGENDA_ITEM, 45, UCCN_AGENDA_NORMAL, 1 + i), "bucheon", 0, false);
	its[n++] = from(mk("post:11", UCCN_AGENDA_ITEM, 30, UCCN_AGENDA_NORMAL, 11), "new-york", -13 * 60, true);
	its[n++] = from(mk("post:12", UCCN_AGENDA_PROPOSAL, 20, UCCN_AGENDA_HIGH, 12), "new-york", -13 * 60, true);
	its[n++] = from(mk("post:13", UCCN_AGENDA_ITEM, 45, UCCN_AGENDA_NORMAL, 13), "bogota", -14 * 60, true);
	its[n++] = from(mk("post:14", UCCN_AGENDA_ITEM, 45, UCCN_AGENDA_NORMAL, 14), "los-angeles", -16 * 60, true);
	its[n++] = from(mk("post:15", UCCN_AGENDA_GOOD_PRACTICE, 30, UCCN_AGENDA_LOW, 15), "los-angeles", -16 * 60, true);
	its[n++] = mk("next", UCCN_AGENDA_NEXT_MEETING, 10, UCCN_AGENDA_NORMAL, 0);
	its[n++] = mk("closing", UCCN_AGENDA_CLOSING, 10, UCCN_AGENDA_NORMAL, 0);
	struct uccn_agenda_input in = {.days = 2, .day_start = H(8, 0), .day_end = H(18, 0),
				       .hybrid = true, .items = its, .nitems = n,
				       .participants = ps, .nparticipants = sizeof ps / sizeof ps[0]};
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	assert_int_equal(a.ndeferred, 0);
	assert_remote_daytime(&a, its, ps);
	/* New York's only daytime here is 08:00-09:00, 19:00-20:00 (-1 day). */
	assert_true(slot_in(&a, its, "post:11")->end <= H(9, 0));
	assert_true(slot_in(&a, its, "post:12")->end <= H(9, 0));
	uccn_agenda_clear(&a);
}

/* ---- the objective ---- */

/* One morning, in person, room for three 30-minute items after the frame. */
static struct uccn_agenda_input morning(struct uccn_agenda_item *its, size_t n)
{
	return (struct uccn_agenda_input){.days = 1, .day_start = H(9, 0), .day_end = H(12, 0),
					  .items = its, .nitems = n};
}

static size_t frame(struct uccn_agenda_item *its)
{
	its[0] = mk("opening", UCCN_AGENDA_OPENING, 15, UCCN_AGENDA_NORMAL, 0);
	its[1] = mk("report", UCCN_AGENDA_REPORT, 15, UCCN_AGENDA_NORMAL, 0);
	its[2] = mk("next", UCCN_AGENDA_NEXT_MEETING, 10, UCCN_AGENDA_NORMAL, 0);
	its[3] = mk("closing", UCCN_AGENDA_CLOSING, 10, UCCN_AGENDA_NORMAL, 0);
	return 4;
}

static void test_priority_across_kinds(void **state)
{
	(void)state;
	struct uccn_agenda_item its[12];
	size_t n = frame(its);
	its[n++] = mk("low-1", UCCN_AGENDA_PROPOSAL, 30, UCCN_AGENDA_LOW, 1);
	its[n++] = mk("low-2", UCCN_AGENDA_PROPOSAL, 30, UCCN_AGENDA_LOW, 2);
	its[n++] = mk("normal-1", UCCN_AGENDA_ITEM, 30, UCCN_AGENDA_NORMAL, 10);
	its[n++] = mk("normal-2", UCCN_AGENDA_ITEM, 30, UCCN_AGENDA_NORMAL, 11);
	its[n++] = mk("high", UCCN_AGENDA_GOOD_PRACTICE, 30, UCCN_AGENDA_HIGH, 20);
	struct uccn_agenda_input in = morning(its, n);
	struct uccn_agenda a, b;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	assert_non_null(slot_in(&a, its, "high"));
	assert_non_null(slot_in(&a, its, "normal-1"));
	assert_non_null(slot_in(&a, its, "normal-2"));
	assert_null(slot_in(&a, its, "low-1"));
	assert_null(slot_in(&a, its, "low-2"));
	/* The true reason, and what would make room. */
	const struct uccn_agenda_deferred *d = deferred_in(&a, its, "low-1");
	assert_non_null(d);
	/* (the last 25 minutes of the morning: the closing then moves up to them) */
	assert_string_equal(d->reason, "needs 30 minutes; the largest free stretch left is 25 minutes (day 1 at 11:15)");
	assert_non_null(strstr(d->reason, "needs 30 minutes"));
	assert_string_equal(d->hint, "fits on day 1 if 'normal-2' (normal) is deferred");
	/* Codes, and a cost that adds up: two low items (weight 1) deferred. */
	for (size_t i = 0; i < a.nwarnings; i++)
		assert_non_null(a.warnings[i].code);
	assert_int_equal(a.cost.deferred, 2);
	assert_int_equal(a.cost.total, 2 * 100);
	/* Same input, same output and cost. */
	assert_int_equal(uccn_agenda_build(&in, &b), 0);
	assert_int_equal(a.nslots, b.nslots);
	for (size_t i = 0; i < a.nslots; i++) {
		assert_int_equal(a.slots[i].start, b.slots[i].start);
		assert_int_equal(a.slots[i].item, b.slots[i].item);
	}
	assert_memory_equal(&a.cost, &b.cost, sizeof a.cost);
	uccn_agenda_clear(&a);
	uccn_agenda_clear(&b);
}

/* An item deferred once comes before new items of its priority or lower;
 * last version's places break ties only. */
static void test_carried_and_previous(void **state)
{
	(void)state;
	struct uccn_agenda_item its[12];
	size_t n = frame(its);
	its[n++] = mk("new-1", UCCN_AGENDA_ITEM, 30, UCCN_AGENDA_NORMAL, 1);
	its[n++] = mk("new-2", UCCN_AGENDA_PROPOSAL, 30, UCCN_AGENDA_NORMAL, 2);
	its[n++] = mk("open", UCCN_AGENDA_OPEN, 30, UCCN_AGENDA_NORMAL, 90);
	its[n] = mk("carried", UCCN_AGENDA_ITEM, 30, UCCN_AGENDA_NORMAL, 91);
	its[n++].deferrals = 1;
	its[n++] = mk("low-kept", UCCN_AGENDA_WELCOME, 30, UCCN_AGENDA_LOW, 3);
	struct uccn_agenda_input in = morning(its, n);
	/* Last time low-kept and new-1 stood in the first session. */
	struct uccn_agenda_previous prev[] = {{"low-kept", 0, H(9, 30)}, {"new-1", 0, H(10, 0)}};
	in.previous = prev;
	in.nprevious = 2;
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	assert_non_null(slot_in(&a, its, "open"));
	assert_non_null(slot_in(&a, its, "carried"));
	assert_non_null(slot_in(&a, its, "new-1"));  /* kept: a tie-break among equals */
	assert_null(slot_in(&a, its, "new-2"));
	assert_null(slot_in(&a, its, "low-kept")); /* its old place does not outrank priority */
	const struct uccn_agenda_deferred *d = deferred_in(&a, its, "low-kept");
	assert_non_null(d);
	/* Deferred again: the warning says so. */
	its[n - 1].deferrals = 1;
	uccn_agenda_clear(&a);
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	bool again = false;
	for (size_t i = 0; i < a.nwarnings; i++)
		again |= strcmp(a.warnings[i].code, "deferred-again") == 0;
	assert_true(again);
	uccn_agenda_clear(&a);
}

/* A remote presenter's daytime outranks keeping last version's places:
 * the local search moves the item that kept Seoul's only daytime. */
static void test_daytime_outranks_previous(void **state)
{
	(void)state;
	struct uccn_agenda_item its[12];
	struct uccn_agenda_participant ps[2] = {part("mexico-city", 0), part("seoul", MEX_SEOUL)};
	size_t n = frame(its);
	its[n++] = from(mk("kept", UCCN_AGENDA_ITEM, 60, UCCN_AGENDA_NORMAL, 1), "mexico-city", 0, false);
	its[n++] = from(mk("seoul", UCCN_AGENDA_ITEM, 30, UCCN_AGENDA_NORMAL, 2), "seoul", MEX_SEOUL, true);
	its[n++] = from(mk("other", UCCN_AGENDA_ITEM, 45, UCCN_AGENDA_NORMAL, 3), "mexico-city", 0, false);
	struct uccn_agenda_previous prev[] = {{"kept", 0, H(16, 45)}};
	struct uccn_agenda_input in = {.days = 1, .day_start = H(9, 0), .day_end = H(18, 30),
				       .hybrid = true, .items = its, .nitems = n,
				       .participants = ps, .nparticipants = 2,
				       .previous = prev, .nprevious = 1};
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	assert_int_equal(a.ndeferred, 0);
	assert_remote_daytime(&a, its, ps);
	assert_int_equal(a.cost.moved, 1);
	assert_int_equal(a.cost.total, 1);
	assert_true(slot_in(&a, its, "closing")->start >= slot_in(&a, its, "seoul")->end);
	uccn_agenda_clear(&a);
}

/* The case: a host's item pinned to 16:00-17:00 on day 1, where
 * the default coffee break (16:30) is: the break moves, not the item. */
static void test_pin_moves_break(void **state)
{
	(void)state;
	struct uccn_agenda_item its[20];
	size_t n = frame(its);
	/* Enough 30-minute items to fill every session of day 1 to its end. */
	static const char *const keys[] = {"post:1", "post:2", "post:3", "post:4", "post:5",
					   "post:6", "post:7", "post:8", "post:9", "post:10"};
	for (size_t i = 0; i < 10; i++)
		its[n++] = mk(keys[i], UCCN_AGENDA_ITEM, 30, UCCN_AGENDA_NORMAL, 1 + i);
	its[n] = mk("host", UCCN_AGENDA_ITEM, 60, UCCN_AGENDA_NORMAL, 50);
	its[n].pin_day = 0;
	its[n++].pin_start = H(16, 0);
	its[n] = mk("odd", UCCN_AGENDA_ITEM, 20, UCCN_AGENDA_NORMAL, 51);
	its[n].pin_day = 1;
	its[n++].pin_start = H(10, 7); /* the daemon takes any minute */
	struct uccn_agenda_input in = {.days = 2, .day_start = H(9, 0), .day_end = H(17, 30),
				       .items = its, .nitems = n};
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	const struct uccn_agenda_slot *h = slot_in(&a, its, "host");
	assert_int_equal(h->day, 0);
	assert_int_equal(h->start, H(16, 0));
	int run = 0, last_end = -1, day = -1;
	for (size_t i = 0; i < a.nslots; i++) {
		const struct uccn_agenda_slot *s = &a.slots[i];
		if (s->day == h->day)
			assert_true(s == h || s->end <= h->start || s->start >= h->end);
		if (s->day != day || s->start > last_end || s->item == SIZE_MAX)
			run = 0;
		if (s->item != SIZE_MAX)
			run += s->end - s->start;
		assert_true(run <= UCCN_AGENDA_SESSION);
		day = s->day;
		last_end = s->end;
	}
	/* 10:07 is off the grid: at 10:05, with a warning saying why. */
	const struct uccn_agenda_slot *o = slot_in(&a, its, "odd");
	assert_int_equal(o->day, 1);
	assert_int_equal(o->start, H(10, 5));
	bool said = false;
	for (size_t i = 0; i < a.nwarnings; i++) {
		if (a.warnings[i].item != o->item)
			continue;
		assert_string_equal(a.warnings[i].code, "pin-off-grid");
		said = true;
	}
	assert_true(said);
	uccn_agenda_clear(&a);
}

static void test_long_session(void **state)
{
	(void)state;
	struct uccn_agenda_item its[12];
	size_t n = frame(its);
	its[n++] = mk("post:1", UCCN_AGENDA_ITEM, 45, UCCN_AGENDA_NORMAL, 1);
	its[n++] = mk("workshop", UCCN_AGENDA_ITEM, 120, UCCN_AGENDA_NORMAL, 2);
	its[n++] = mk("post:3", UCCN_AGENDA_ITEM, 45, UCCN_AGENDA_NORMAL, 3);
	struct uccn_agenda_input in = {.days = 1, .day_start = H(9, 0), .day_end = H(17, 30),
				       .items = its, .nitems = n};
	struct uccn_agenda a;
	/* The default limit: deferred, with the true reason and the way out. */
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	const struct uccn_agenda_deferred *d = deferred_in(&a, its, "workshop");
	assert_non_null(d);
	assert_non_null(strstr(d->reason, "needs 120 minutes; a session lasts at most 90 minutes"));
	assert_string_equal(d->hint, "fits if the meeting allows 120-minute sessions");
	uccn_agenda_clear(&a);
	/* 120-minute sessions allowed: placed, whole, with no break inside. */
	in.max_session = 120;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	assert_int_equal(a.ndeferred, 0);
	const struct uccn_agenda_slot *s = slot_in(&a, its, "workshop");
	assert_non_null(s);
	assert_int_equal(s->end - s->start, 120);
	for (size_t i = 0; i < a.nslots; i++)
		assert_true(&a.slots[i] == s || a.slots[i].end <= s->start || a.slots[i].start >= s->end);
	uccn_agenda_clear(&a);
	/* Limits: past UCCN_AGENDA_MAX_SESSION, negative or off the grid. */
	in.max_session = UCCN_AGENDA_MAX_SESSION;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	uccn_agenda_clear(&a);
	in.max_session = UCCN_AGENDA_MAX_SESSION + UCCN_AGENDA_GRID;
	assert_int_equal(uccn_agenda_build(&in, &a), UCCN_E_INVALID);
	in.max_session = -5;
	assert_int_equal(uccn_agenda_build(&in, &a), UCCN_E_INVALID);
	in.max_session = 121;
	assert_int_equal(uccn_agenda_build(&in, &a), UCCN_E_INVALID);
}

/* The last day ends after its last item: next meeting and closing follow
 * it, with no empty afternoon before them. */
static void test_closing_follows_last_item(void **state)
{
	(void)state;
	struct uccn_agenda_item its[16];
	size_t n = frame(its);
	static const char *const keys[] = {"post:1", "post:2", "post:3", "post:4", "post:5",
					   "post:6", "post:7", "post:8"};
	for (size_t i = 0; i < 7; i++)
		its[n++] = mk(keys[i], UCCN_AGENDA_ITEM, 60, UCCN_AGENDA_NORMAL, 1 + i);
	/* A carried item gather could not read comes with the opening's kind:
	 * the frame is the one of seq 0, this one an item like the rest. */
	its[n++] = mk("post:77", UCCN_AGENDA_OPENING, 20, UCCN_AGENDA_NORMAL, 77);
	struct uccn_agenda_input in = {.days = 2, .day_start = H(9, 0), .day_end = H(17, 30),
				       .items = its, .nitems = n};
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	assert_int_equal(a.ndeferred, 0);
	assert_int_equal(slot_in(&a, its, "opening")->start, H(9, 0));
	assert_true(slot_in(&a, its, "post:77")->start > H(9, 0));
	const struct uccn_agenda_slot *nx = slot_in(&a, its, "next"), *c = slot_in(&a, its, "closing");
	assert_int_equal(nx->day, 1);
	assert_int_equal(c->start, nx->end);
	assert_true(c == &a.slots[a.nslots - 1]);
	/* The slot before the next meeting is an item ending where it starts,
	 * or a break right after one. */
	const struct uccn_agenda_slot *before = nx - 1;
	if (before->item == SIZE_MAX)
		before--;
	assert_int_not_equal(before->item, SIZE_MAX);
	assert_true(nx->start - before->end <= UCCN_AGENDA_LUNCH);
	assert_true(c->end < in.day_end - 60);
	uccn_agenda_clear(&a);
}

/* Whether s is whole UTF-8 (no character cut short). */
static bool utf8_whole(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 0;
		if (!n)
			return false;
		for (int k = 1; k < n; k++)
			if ((p[k] & 0xC0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

/* Long titles of three-byte characters: reasons, hints and warnings are
 * cut to their buffers on a character's boundary. */
static void test_texts_whole_characters(void **state)
{
	(void)state;
	static char title[1 + 3 * 120 + 1] = "x"; /* so no cut falls on a boundary by luck */
	for (int i = 0; i < 120; i++)
		memcpy(title + 1 + 3 * i, "\xe2\x80\x94", 3); /* an em dash */
	struct uccn_agenda_item its[8];
	size_t n = frame(its);
	its[n] = mk("placed", UCCN_AGENDA_ITEM, 60, UCCN_AGENDA_HIGH, 1);
	its[n++].title = title;
	its[n] = mk("long", UCCN_AGENDA_ITEM, 60, UCCN_AGENDA_NORMAL, 2);
	its[n++].title = title;
	struct uccn_agenda_input in = morning(its, n);
	in.day_end = H(11, 30);
	struct uccn_agenda a;
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	dump(&a, its);
	assert_int_equal(a.ndeferred, 1);
	assert_true(a.deferred[0].hint[0] != '\0');
	assert_true(utf8_whole(a.deferred[0].hint));
	assert_true(utf8_whole(a.deferred[0].reason));
	for (size_t i = 0; i < a.nwarnings; i++)
		assert_true(utf8_whole(a.warnings[i].text));
	uccn_agenda_clear(&a);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct uccn_agenda_input in = meeting(NITEMS);
	struct uccn_agenda a;
	in.days = 0;
	assert_int_equal(uccn_agenda_build(&in, &a), UCCN_E_INVALID);
	in = meeting(NITEMS);
	in.day_end = in.day_start;
	assert_int_equal(uccn_agenda_build(&in, &a), UCCN_E_INVALID);
	in = meeting(NITEMS);
	items[3].key = items[4].key; /* duplicate key */
	assert_int_equal(uccn_agenda_build(&in, &a), UCCN_E_INVALID);
	in = meeting(NITEMS);
	items[5].minutes = 0;
	assert_int_equal(uccn_agenda_build(&in, &a), UCCN_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_day_hybrid),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_stable_rerun),
		cmocka_unit_test(test_pins_and_warnings),
		cmocka_unit_test(test_inconvenienced),
		cmocka_unit_test(test_idle_breaks),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_mexico_city_hybrid),
		cmocka_unit_test(test_mexico_city_night_warning),
		cmocka_unit_test(test_seoul_hybrid),
		cmocka_unit_test(test_priority_across_kinds),
		cmocka_unit_test(test_carried_and_previous),
		cmocka_unit_test(test_daytime_outranks_previous),
		cmocka_unit_test(test_pin_moves_break),
		cmocka_unit_test(test_long_session),
		cmocka_unit_test(test_closing_follows_last_item),
		cmocka_unit_test(test_texts_whole_characters),
	};
	return cmocka_run_group_tests_name("agenda", tests, NULL, NULL);
}
