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
	};
	return cmocka_run_group_tests_name("agenda", tests, NULL, NULL);
}
