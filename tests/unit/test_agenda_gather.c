/*
 * test_agenda_gather.c - the agenda's gathering rules on small hand-made
 * records, without a daemon or a zone database: one test per rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uccn_agenda_gather.h"
#include "uccn_error.h"

#define H(h, m) ((h) * 60 + (m))
#define DAY_MS INT64_C(86400000)
#define MAXN 16

/* Fake zones: "Plus60" is an hour ahead of UTC, "Minus360" six behind,
 * "Shift" moves from UTC to +01:00 on 2028-01-01 (a change mid-meeting). */
static int fake_zone(const char *tz, int y, int m, int d, int *minutes)
{
	(void)m;
	(void)d;
	if (tz && strcmp(tz, "Plus60") == 0)
		*minutes = 60;
	else if (tz && strcmp(tz, "Minus360") == 0)
		*minutes = -360;
	else if (tz && strcmp(tz, "Shift") == 0)
		*minutes = y >= 2028 ? 60 : 0;
	else
		return -1;
	return 0;
}

struct fx {
	struct uccn_meeting meeting;
	struct uccn_meeting series[MAXN];
	size_t nseries;
	struct uccn_city cities[MAXN];
	size_t ncities;
	struct uccn_project projects[MAXN];
	size_t nprojects;
	struct uccn_post posts[MAXN], gp[MAXN], open[MAXN];
	size_t nposts, ngp, nopen;
	struct uccn_agenda_pub last, prev_agenda;
	bool has_last, has_prev_agenda;
	struct uccn_agenda_calendar cal;
	struct uccn_agenda_gathered got;
};

static void set(char **dst, const char *s)
{
	assert_int_equal(uccn_str_set(dst, s), 0);
}

static void meeting(struct uccn_meeting *m, const char *id, const char *field, const char *host,
		    const char *start, const char *end)
{
	set(&m->id, id);
	set(&m->kind, "annual-meeting");
	set(&m->field, field);
	if (host)
		assert_int_equal(uccn_idlist_add(&m->hosts, host), 0);
	set(&m->start, start);
	set(&m->end, end);
	set(&m->tz, "Plus60");
}

static struct uccn_city *city(struct fx *f, const char *id, const char *name, const char *field,
			      const char *role)
{
	assert_true(f->ncities < MAXN);
	struct uccn_city *c = &f->cities[f->ncities++];
	set(&c->id, id);
	set(&c->name, name);
	set(&c->field, field);
	set(&c->role, role);
	set(&c->tz, "Plus60");
	return c;
}

static struct uccn_post *post(struct uccn_post *v, size_t *n, uint64_t seq, const char *author,
			      const char *kind, const char *title, int64_t created_ms)
{
	assert_true(*n < MAXN);
	struct uccn_post *p = &v[(*n)++];
	p->seq = seq;
	set(&p->city, author);
	set(&p->kind, kind);
	set(&p->title, title);
	set(&p->body, "the body of the post");
	p->created_ms = created_ms;
	return p;
}

static struct uccn_agenda_entry *entry(struct uccn_agenda_pub *a, const char *key,
				       const char *title, bool deferred)
{
	struct uccn_agenda_entry *grown = realloc(a->entries, (a->nentries + 1) * sizeof *grown);
	assert_non_null(grown);
	a->entries = grown;
	struct uccn_agenda_entry *e = &a->entries[a->nentries++];
	memset(e, 0, sizeof *e);
	set(&e->key, key);
	set(&e->title, title);
	e->deferred = deferred;
	return e;
}

/* A literature meeting on 9-10 December 2026, hosted by Heidelberg. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	meeting(&f->meeting, "col-2026", "literature", "heidelberg", "2026-12-09", "2026-12-10");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	uccn_meeting_clear(&f->meeting);
	for (size_t i = 0; i < f->nseries; i++)
		uccn_meeting_clear(&f->series[i]);
	for (size_t i = 0; i < f->ncities; i++)
		uccn_city_clear(&f->cities[i]);
	for (size_t i = 0; i < f->nprojects; i++)
		uccn_project_clear(&f->projects[i]);
	for (size_t i = 0; i < f->nposts; i++)
		uccn_post_clear(&f->posts[i]);
	for (size_t i = 0; i < f->ngp; i++)
		uccn_post_clear(&f->gp[i]);
	for (size_t i = 0; i < f->nopen; i++)
		uccn_post_clear(&f->open[i]);
	uccn_agenda_pub_clear(&f->last);
	uccn_agenda_pub_clear(&f->prev_agenda);
	uccn_agenda_gathered_clear(&f->got);
	free(f);
	return 0;
}

static int gather(struct fx *f)
{
	assert_int_equal(uccn_agenda_calendar(&f->meeting, fake_zone, &f->cal), 0);
	const struct uccn_agenda_records r = {
		.meeting = &f->meeting, .calendar = &f->cal, .zone = fake_zone,
		.series = f->series, .nseries = f->nseries,
		.cities = f->cities, .ncities = f->ncities,
		.projects = f->projects, .nprojects = f->nprojects,
		.posts = f->posts, .nposts = f->nposts,
		.good_practice = f->gp, .ngood_practice = f->ngp,
		.last = f->has_last ? &f->last : NULL,
		.prev_agenda = f->has_prev_agenda ? &f->prev_agenda : NULL,
		.left_open = f->open, .nleft_open = f->nopen,
	};
	uccn_agenda_gathered_clear(&f->got);
	return uccn_agenda_gather(&r, &f->got);
}

static const struct uccn_agenda_item *item(const struct fx *f, const char *key)
{
	for (size_t i = 0; i < f->got.nitems; i++)
		if (strcmp(f->got.items[i].key, key) == 0)
			return &f->got.items[i];
	return NULL;
}

static size_t count_kind(const struct fx *f, enum uccn_agenda_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < f->got.nitems; i++)
		n += f->got.items[i].kind == kind;
	return n;
}

/* The meeting's previous (col-2025, 10-11 September 2025) and next
 * (col-2027, from 1 September 2027) in its series. */
static void series_around(struct fx *f)
{
	meeting(&f->series[f->nseries++], "col-2025", "literature", "dublin", "2025-09-10", "2025-09-11");
	meeting(&f->series[f->nseries++], "col-2027", "literature", "krakow", "2027-09-01", "2027-09-02");
}

static void assert_date(long day, int y, int m, int d)
{
	int yy, mm, dd;
	uccn_agenda_date_of(day, &yy, &mm, &dd);
	assert_int_equal(yy, y);
	assert_int_equal(mm, m);
	assert_int_equal(dd, d);
	assert_int_equal(uccn_agenda_day_number(y, m, d), day);
}

static void test_date_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(uccn_agenda_day_number(1970, 1, 1), 0);
	assert_date(-1, 1969, 12, 31);
	long jan31 = uccn_agenda_day_number(2026, 1, 31);
	assert_date(jan31 + 1, 2026, 2, 1);
	long dec31 = uccn_agenda_day_number(2026, 12, 31);
	assert_date(dec31 + 1, 2027, 1, 1);
	assert_int_equal(uccn_agenda_day_number(2027, 1, 1) - uccn_agenda_day_number(2026, 1, 1), 365);
	/* Leap years: 2028 and 2000 have a 29 February, 2100 has none. */
	long feb28 = uccn_agenda_day_number(2028, 2, 28);
	assert_date(feb28 + 1, 2028, 2, 29);
	assert_date(feb28 + 2, 2028, 3, 1);
	assert_date(uccn_agenda_day_number(2000, 2, 28) + 1, 2000, 2, 29);
	assert_date(uccn_agenda_day_number(2100, 2, 28) + 1, 2100, 3, 1);
	assert_int_equal(uccn_agenda_day_number(2029, 1, 1) - uccn_agenda_day_number(2028, 1, 1), 366);
}

static void test_calendar(void **state)
{
	struct fx *f = *state;
	struct uccn_agenda_calendar cal;
	/* Across a year end, into a leap year, in a zone that changes. */
	set(&f->meeting.start, "2027-12-30");
	set(&f->meeting.end, "2028-01-02");
	set(&f->meeting.tz, "Shift");
	assert_int_equal(uccn_agenda_calendar(&f->meeting, fake_zone, &cal), 0);
	assert_int_equal(cal.ndays, 4);
	assert_int_equal(cal.first, uccn_agenda_day_number(2027, 12, 30));
	assert_int_equal(cal.day[1].mday, 31);
	assert_int_equal(cal.day[2].year, 2028);
	assert_int_equal(cal.day[2].month, 1);
	assert_int_equal(cal.day[2].mday, 1);
	assert_int_equal(cal.utc_offset[1], 0);
	assert_int_equal(cal.utc_offset[2], 60);
	/* Across a month end. */
	set(&f->meeting.start, "2028-02-28");
	set(&f->meeting.end, "2028-03-01");
	assert_int_equal(uccn_agenda_calendar(&f->meeting, fake_zone, &cal), 0);
	assert_int_equal(cal.ndays, 3);
	assert_int_equal(cal.day[1].mday, 29);
	assert_int_equal(cal.day[2].month, 3);
	/* At and past the longest meeting an agenda covers. */
	set(&f->meeting.start, "2028-03-01");
	set(&f->meeting.end, "2028-03-14");
	assert_int_equal(uccn_agenda_calendar(&f->meeting, fake_zone, &cal), 0);
	assert_int_equal(cal.ndays, UCCN_AGENDA_MAX_DAYS);
	set(&f->meeting.end, "2028-03-15");
	assert_int_equal(uccn_agenda_calendar(&f->meeting, fake_zone, &cal), UCCN_E_TOOBIG);
	assert_int_equal(cal.ndays, UCCN_AGENDA_MAX_DAYS + 1);
	set(&f->meeting.end, "2028-02-29");
	assert_int_equal(uccn_agenda_calendar(&f->meeting, fake_zone, &cal), UCCN_E_TOOBIG);
	set(&f->meeting.end, NULL);
	assert_int_equal(uccn_agenda_calendar(&f->meeting, fake_zone, &cal), UCCN_E_INVALID);
	set(&f->meeting.end, "2028-03-02");
	set(&f->meeting.tz, "Nowhere/Atlantis");
	assert_int_equal(uccn_agenda_calendar(&f->meeting, fake_zone, &cal), UCCN_E_NOTFOUND);
}

static void test_neighbours(void **state)
{
	struct fx *f = *state;
	const struct uccn_meeting *prev, *next;
	series_around(f);
	meeting(&f->series[f->nseries++], "col-2024", "literature", NULL, "2024-09-01", "2024-09-02");
	meeting(&f->series[f->nseries++], "col-2029", "literature", NULL, "2029-09-01", "2029-09-02");
	/* Not of the series: another field, another kind, the meeting itself. */
	meeting(&f->series[f->nseries++], "music-2026", "music", NULL, "2026-06-01", "2026-06-02");
	meeting(&f->series[f->nseries++], "col-workshop", "literature", NULL, "2027-01-10", "2027-01-10");
	set(&f->series[f->nseries - 1].kind, "workshop");
	meeting(&f->series[f->nseries++], "col-2026", "literature", NULL, "2026-12-09", "2026-12-10");
	uccn_agenda_neighbours(&f->meeting, f->series, f->nseries, &prev, &next);
	assert_non_null(prev);
	assert_non_null(next);
	assert_string_equal(prev->id, "col-2025");
	assert_string_equal(next->id, "col-2027");
	/* The first of a series has no previous one. */
	uccn_agenda_neighbours(&f->series[2], f->series, f->nseries, &prev, &next);
	assert_null(prev);
	assert_string_equal(next->id, "col-2025");
	/* A network-wide meeting's series is the other network-wide ones. */
	set(&f->meeting.field, NULL);
	uccn_agenda_neighbours(&f->meeting, f->series, f->nseries, &prev, &next);
	assert_null(prev);
	assert_null(next);
}

static void test_frame_and_chair(void **state)
{
	struct fx *f = *state;
	city(f, "coordinator", "Secretariat", "literature", "coordinator");
	city(f, "heidelberg", "Heidelberg", "literature", "member");
	city(f, "bologna", "Bologna", "music", "coordinator");
	city(f, "nottingham", "Nottingham", "literature", "deputy");
	city(f, "krakow", "Kraków", "literature", "coordinator");
	series_around(f);
	set(&f->series[1].place, "Wawel");
	assert_int_equal(gather(f), 0);
	assert_string_equal(f->got.title, "Cities of Literature Annual Meeting 2026, Heidelberg");
	/* The report: the field's coordinator, not its deputy (whose id sorts
	 * first), never the system's account nor another field's coordinator. */
	assert_string_equal(item(f, "coordinator-report")->city, "krakow");
	assert_string_equal(item(f, "opening")->city, "heidelberg");
	assert_string_equal(item(f, "closing")->city, "heidelberg");
	const struct uccn_agenda_item *next = item(f, "next-meeting");
	assert_string_equal(next->title, "Next meeting: Kraków, Wawel, from 2027-09-01 (col-2027)");
	assert_string_equal(next->city, "krakow");
	assert_int_equal(next->kind, UCCN_AGENDA_NEXT_MEETING);
	/* A network-wide meeting: no field coordinator; the first host. */
	set(&f->meeting.field, NULL);
	assert_int_equal(gather(f), 0);
	assert_string_equal(item(f, "coordinator-report")->city, "heidelberg");
	assert_string_equal(f->got.title, "UCCN Annual Meeting 2026, Heidelberg");
	/* No next meeting planned: a call for a host, presented by no one. */
	set(&f->meeting.field, "literature");
	set(&f->series[1].start, "2026-01-01");
	assert_int_equal(gather(f), 0);
	assert_string_equal(item(f, "next-meeting")->title, "Next meeting: call for a host city");
	assert_null(item(f, "next-meeting")->city);
	/* Nobody to chair. */
	for (size_t i = 0; i < f->ncities; i++)
		set(&f->cities[i].role, "member");
	assert_int_equal(gather(f), 0);
	assert_null(item(f, "coordinator-report")->city);
}

static void test_participants(void **state)
{
	struct fx *f = *state;
	city(f, "heidelberg", "Heidelberg", "literature", "member");
	city(f, "bologna", "Bologna", "music", "member");
	set(&city(f, "iowa-city", "Iowa City", "literature", "member")->tz, "Minus360");
	set(&city(f, "atlantis", "Atlantis", "literature", "member")->tz, NULL);
	set(&city(f, "lost", "Lost", "literature", "member")->tz, "Nowhere/Lost");
	assert_int_equal(gather(f), 0);
	const struct uccn_agenda_participant *p = f->got.input.participants;
	assert_int_equal(f->got.input.nparticipants, 4);
	assert_string_equal(p[0].city, "heidelberg");
	assert_true(p[0].has_offset);
	assert_int_equal(p[0].offset[0], 0);
	/* Offsets are against the meeting's zone (+01:00), day by day. */
	assert_string_equal(p[1].city, "iowa-city");
	assert_true(p[1].has_offset);
	assert_int_equal(p[1].offset[0], -420);
	assert_int_equal(p[1].offset[1], -420);
	assert_string_equal(p[2].tz, "");
	assert_false(p[2].has_offset);
	assert_false(p[3].has_offset);
	/* A presenter's offsets too. */
	uccn_idlist_clear(&f->meeting.hosts);
	assert_int_equal(uccn_idlist_add(&f->meeting.hosts, "iowa-city"), 0);
	assert_int_equal(gather(f), 0);
	assert_true(item(f, "opening")->has_offset);
	assert_int_equal(item(f, "opening")->offset[1], -420);
	/* Network-wide: every city. */
	set(&f->meeting.field, NULL);
	assert_int_equal(gather(f), 0);
	assert_int_equal(f->got.input.nparticipants, 5);
}

static void test_participants_limit(void **state)
{
	struct fx *f = *state;
	size_t n = UCCN_AGENDA_MAX_PARTICIPANTS + 1;
	struct uccn_city *many = calloc(n, sizeof *many);
	assert_non_null(many);
	char id[32];
	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof id, "city-%zu", i);
		set(&many[i].id, id);
		set(&many[i].name, id);
		set(&many[i].field, "literature");
	}
	assert_int_equal(uccn_agenda_calendar(&f->meeting, fake_zone, &f->cal), 0);
	const struct uccn_agenda_records r = {
		.meeting = &f->meeting, .calendar = &f->cal, .zone = fake_zone,
		.cities = many, .ncities = n,
	};
	assert_int_equal(uccn_agenda_gather(&r, &f->got), 0);
	assert_int_equal(f->got.input.nparticipants, UCCN_AGENDA_MAX_PARTICIPANTS);
	for (size_t i = 0; i < n; i++)
		uccn_city_clear(&many[i]);
	free(many);
}

/* Welcome: designations since the previous meeting of the series, each
 * counted as of 31 October of its year, before this meeting. */
static void test_welcome(void **state)
{
	struct fx *f = *state;
	series_around(f);
	city(f, "dublin", "Dublin", "literature", "member")->year = 2024;
	city(f, "tartu", "Tartu", "literature", "member")->year = 2025;
	city(f, "bologna", "Bologna", "music", "member")->year = 2025;
	city(f, "melbourne", "Melbourne", "literature", "member")->year = 2026;
	city(f, "unknown", "Unknown", "literature", "member")->year = 0;
	assert_int_equal(gather(f), 0);
	const struct uccn_agenda_item *w = item(f, "welcome");
	assert_non_null(w);
	assert_string_equal(w->title, "Welcome to new members: Tartu, Melbourne");
	assert_int_equal(w->kind, UCCN_AGENDA_WELCOME);
	/* A meeting on 31 October does not welcome that year's cities yet. */
	set(&f->meeting.start, "2026-10-31");
	set(&f->meeting.end, "2026-10-31");
	assert_int_equal(gather(f), 0);
	assert_string_equal(item(f, "welcome")->title, "Welcome to new members: Tartu");
	/* Nobody new: no item. A network-wide meeting welcomes no one. */
	set(&f->meeting.start, "2026-12-09");
	set(&f->meeting.end, "2026-12-10");
	set(&f->meeting.field, NULL);
	assert_int_equal(gather(f), 0);
	assert_null(item(f, "welcome"));
}

/* Elections: a coordinator's or deputy's term that ends before the next
 * meeting of the series starts is voted on now. */
static void test_elections(void **state)
{
	struct fx *f = *state;
	series_around(f); /* the next one starts 2027-09-01 */
	set(&city(f, "krakow", "Kraków", "literature", "coordinator")->term_end, "2027-03-01");
	set(&city(f, "nottingham", "Nottingham", "literature", "deputy")->term_end, "2027-09-01");
	set(&city(f, "dublin", "Dublin", "literature", "deputy")->term_end, "2027-08-31");
	set(&city(f, "tartu", "Tartu", "literature", "coordinator")->term_end, "2026-12-09");
	set(&city(f, "lapsed", "Lapsed", "literature", "coordinator")->term_end, "2020-01-01");
	set(&city(f, "member", "Member", "literature", "member")->term_end, "2027-01-01");
	set(&city(f, "bologna", "Bologna", "music", "coordinator")->term_end, "2027-01-01");
	city(f, "open-ended", "Open", "literature", "coordinator");
	assert_int_equal(gather(f), 0);
	const struct uccn_agenda_item *e = item(f, "election:krakow");
	assert_non_null(e);
	assert_string_equal(e->title, "Election of the coordinator of the Cities of Literature (the term of Kraków ends 2027-03-01)");
	assert_int_equal(e->kind, UCCN_AGENDA_DECISION);
	assert_int_equal(e->minutes, 20);
	assert_non_null(item(f, "election:dublin"));
	assert_non_null(item(f, "election:tartu"));   /* ends at this meeting */
	assert_non_null(item(f, "election:lapsed"));  /* ended already */
	assert_null(item(f, "election:nottingham"));  /* ends as the next one starts */
	assert_null(item(f, "election:member"));
	assert_null(item(f, "election:bologna"));
	assert_null(item(f, "election:open-ended"));
	assert_int_equal(count_kind(f, UCCN_AGENDA_DECISION), 4);
	/* No next meeting planned: the terms that end within a year. */
	set(&f->series[1].start, "2026-01-01");
	set(&f->cities[1].term_end, "2027-12-08");
	assert_int_equal(gather(f), 0);
	assert_non_null(item(f, "election:nottingham"));
	set(&f->cities[1].term_end, "2027-12-09");
	assert_int_equal(gather(f), 0);
	assert_null(item(f, "election:nottingham"));
}

static void test_projects_and_posts(void **state)
{
	struct fx *f = *state;
	struct uccn_project *pr = &f->projects[f->nprojects++];
	set(&pr->id, "drop-the-mic");
	set(&pr->title, "Drop the Mic");
	set(&pr->lead, "reykjavik");
	post(f->posts, &f->nposts, 11, "krakow", "agenda-item", "Festival exchange", 0)->minutes = 30;
	struct uccn_post *p = post(f->posts, &f->nposts, 12, "tartu", "agenda-item", NULL, 0);
	set(&p->body, "A body long enough to be cut short at sixty bytes when it has no title");
	set(&p->priority, "high");
	set(&p->pin, "2:10:00");
	p->remote = true;
	set(&post(f->posts, &f->nposts, 13, "dublin", "proposal", "A fund", 0)->pin, "11:00");
	set(&post(f->posts, &f->nposts, 14, "dublin", "good-practice", "Buses", 0)->priority, "low");
	set(&post(f->posts, &f->nposts, 15, "dublin", "agenda-item", "Bad pin", 0)->pin, "25:00");
	assert_int_equal(gather(f), 0);
	const struct uccn_agenda_item *it = item(f, "project:drop-the-mic");
	assert_string_equal(it->title, "Project report: Drop the Mic");
	assert_string_equal(it->city, "reykjavik");
	assert_int_equal(it->kind, UCCN_AGENDA_PROJECT);
	it = item(f, "post:11");
	assert_int_equal(it->kind, UCCN_AGENDA_ITEM);
	assert_int_equal(it->minutes, 30);
	assert_int_equal(it->seq, 11);
	assert_int_equal(it->pin_day, -1);
	it = item(f, "post:12");
	assert_string_equal(it->title, "A body long enough to be cut short at sixty bytes when it ha…");
	assert_string_equal(it->body, "A body long enough to be cut short at sixty bytes when it has no title");
	assert_int_equal(it->minutes, 15);
	assert_int_equal(it->priority, UCCN_AGENDA_HIGH);
	assert_true(it->remote);
	assert_int_equal(it->pin_day, 1);
	assert_int_equal(it->pin_start, H(10, 0));
	it = item(f, "post:13");
	assert_int_equal(it->kind, UCCN_AGENDA_PROPOSAL);
	assert_int_equal(it->pin_day, 0);
	assert_int_equal(it->pin_start, H(11, 0));
	/* Good practice goes to the field's showcase. */
	assert_null(item(f, "post:14"));
	assert_int_equal(item(f, "good-practice:literature")->kind, UCCN_AGENDA_GOOD_PRACTICE);
	assert_int_equal(item(f, "good-practice:literature")->parts[0].seq, 14);
	assert_int_equal(item(f, "post:15")->pin_start, -1);
	/* The builder's input, in the order it was decided: the frame first. */
	assert_int_equal(f->got.input.nitems, 4 + 1 + 4 + 1);
	assert_string_equal(f->got.input.items[0].key, "opening");
	assert_string_equal(f->got.input.items[4].key, "project:drop-the-mic");
	assert_string_equal(f->got.input.items[5].key, "post:11");
}

/* Good practice: the field's, shared since the day after the previous
 * meeting ended; the posts naming this meeting are in already. */
static void test_good_practice(void **state)
{
	struct fx *f = *state;
	series_around(f); /* the previous one ended 2025-09-11 */
	city(f, "durban", "Durban", "literature", "member");
	city(f, "bologna", "Bologna", "music", "member");
	int64_t since = uccn_agenda_day_number(2025, 9, 12) * DAY_MS;
	assert_int_equal(uccn_agenda_good_practice_since(&f->series[0],
							 uccn_agenda_day_number(2026, 12, 9)), since);
	post(f->gp, &f->ngp, 21, "durban", "good-practice", "Poems on buses", since);
	post(f->gp, &f->ngp, 22, "durban", "good-practice", "Too old", since - 1);
	post(f->gp, &f->ngp, 23, "bologna", "good-practice", "Music", since + DAY_MS);
	post(f->gp, &f->ngp, 24, "nowhere", "good-practice", "Unknown city", since + DAY_MS);
	set(&post(f->gp, &f->ngp, 25, "durban", "good-practice", "Named", since)->meeting, "col-2026");
	post(f->posts, &f->nposts, 25, "durban", "good-practice", "Named", since);
	assert_int_equal(gather(f), 0);
	/* One showcase of the field, its posts in seq order: not the old one,
	 * not another field's, not an unknown city's. */
	const struct uccn_agenda_item *it = item(f, "good-practice:literature");
	assert_non_null(it);
	assert_int_equal(count_kind(f, UCCN_AGENDA_GOOD_PRACTICE), 1);
	assert_null(item(f, "post:21"));
	assert_int_equal(it->nparts, 2);
	assert_int_equal(it->parts[0].seq, 21);
	assert_string_equal(it->parts[0].title, "Poems on buses");
	assert_string_equal(it->parts[0].city, "durban");
	assert_string_equal(it->parts[0].presenter, "Durban");
	assert_int_equal(it->parts[1].seq, 25);
	assert_string_equal(it->title, "Good practice from the Cities of Literature (2 posts)");
	assert_int_equal(it->minutes, UCCN_AGENDA_SHOWCASE_MINUTES + 2 * UCCN_AGENDA_SHOWCASE_PER_POST);
	/* No previous meeting: a year back from the first day. */
	long first = uccn_agenda_day_number(2026, 12, 9);
	assert_int_equal(uccn_agenda_good_practice_since(NULL, first),
			 (first - UCCN_AGENDA_YEAR_DAYS) * DAY_MS);
}

/* What the previous meeting's agenda deferred comes back, once. */
static void test_left_open(void **state)
{
	struct fx *f = *state;
	series_around(f);
	f->has_prev_agenda = true;
	entry(&f->prev_agenda, "post:31", "A reading that never ends", true);
	entry(&f->prev_agenda, "post:32", "A message we cannot read", true);
	entry(&f->prev_agenda, "post:33", "Placed last time", false);
	entry(&f->prev_agenda, "project:x", "Project report: X", true);
	entry(&f->prev_agenda, "post:34", "On this agenda anyway", true);
	entry(&f->prev_agenda, "post:35x", "Not a post key", true);
	struct uccn_post *p = post(f->open, &f->nopen, 31, "baghdad", "agenda-item", NULL, 0);
	p->minutes = 500;
	post(f->open, &f->nopen, 34, "durban", "agenda-item", "On this agenda anyway", 0);
	post(f->posts, &f->nposts, 34, "durban", "agenda-item", "On this agenda anyway", 0);
	uint64_t seq = 0;
	assert_true(uccn_agenda_entry_left_open(&f->prev_agenda.entries[0], &seq));
	assert_int_equal(seq, 31);
	assert_false(uccn_agenda_entry_left_open(&f->prev_agenda.entries[2], &seq));
	assert_false(uccn_agenda_entry_left_open(&f->prev_agenda.entries[3], &seq));
	assert_false(uccn_agenda_entry_left_open(&f->prev_agenda.entries[5], &seq));
	assert_int_equal(gather(f), 0);
	/* Readable: the post again, titled by what the agenda said. */
	const struct uccn_agenda_item *it = item(f, "post:31");
	assert_non_null(it);
	assert_int_equal(it->kind, UCCN_AGENDA_OPEN);
	assert_string_equal(it->title, "Left open at col-2025: A reading that never ends");
	assert_int_equal(it->minutes, 500);
	assert_string_equal(it->city, "baghdad");
	/* Not readable: what the agenda said, for the default length. */
	it = item(f, "post:32");
	assert_non_null(it);
	assert_string_equal(it->title, "Left open at col-2025: A message we cannot read");
	assert_int_equal(it->minutes, 15);
	assert_int_equal(it->seq, 32);
	assert_null(it->city);
	assert_null(item(f, "post:33"));
	assert_int_equal(item(f, "post:34")->kind, UCCN_AGENDA_ITEM);
	/* Both carried items are open items (the unreadable one was of kind
	 * opening: a fault), deferred once before. */
	assert_int_equal(item(f, "post:32")->kind, UCCN_AGENDA_OPEN);
	assert_int_equal(count_kind(f, UCCN_AGENDA_OPEN), 2);
	assert_int_equal(item(f, "post:31")->deferrals, 1);
	assert_int_equal(item(f, "post:32")->deferrals, 1);
	/* The published entry says how often. */
	f->prev_agenda.entries[1].deferrals = 3;
	assert_int_equal(gather(f), 0);
	assert_int_equal(item(f, "post:32")->deferrals, 3);
	assert_int_equal(item(f, "post:31")->deferrals, 1);
	assert_null(item(f, "post:35x"));
	/* Without a previous meeting in the series, nothing comes back. */
	set(&f->series[0].field, "music");
	assert_int_equal(gather(f), 0);
	assert_null(item(f, "post:31"));
}

/* The last published version: its number, and where it put each item. */
static void test_previous_placements(void **state)
{
	struct fx *f = *state;
	assert_int_equal(gather(f), 0);
	assert_int_equal(f->got.version, 0);
	assert_int_equal(f->got.input.nprevious, 0);
	f->has_last = true;
	f->last.version = 3;
	struct uccn_agenda_entry *e = entry(&f->last, "opening", "Opening", false);
	e->day = 1;
	e->start = H(9, 0);
	e = entry(&f->last, "post:7", "Seven", false);
	e->day = 2;
	e->start = H(14, 30);
	entry(&f->last, "post:8", "Eight", true);
	assert_int_equal(gather(f), 0);
	assert_int_equal(f->got.version, 3);
	assert_int_equal(f->got.input.nprevious, 2);
	const struct uccn_agenda_previous *p = f->got.input.previous;
	assert_string_equal(p[0].key, "opening");
	assert_int_equal(p[0].day, 0);
	assert_int_equal(p[0].start, H(9, 0));
	assert_string_equal(p[1].key, "post:7");
	assert_int_equal(p[1].day, 1);
	assert_int_equal(p[1].start, H(14, 30));
}

static void test_hours_and_build(void **state)
{
	struct fx *f = *state;
	city(f, "heidelberg", "Heidelberg", "literature", "coordinator");
	post(f->posts, &f->nposts, 41, "heidelberg", "agenda-item", "One", 0);
	assert_int_equal(gather(f), 0);
	assert_int_equal(f->got.input.days, 2);
	assert_int_equal(f->got.input.day_start, H(9, 0));
	assert_int_equal(f->got.input.day_end, H(17, 30));
	assert_false(f->got.input.hybrid);
	/* The gathered input is one the builder takes. */
	struct uccn_agenda a = {0};
	assert_int_equal(uccn_agenda_build(&f->got.input, &a), 0);
	size_t placed = 0;
	for (size_t i = 0; i < a.nslots; i++)
		placed += a.slots[i].item != SIZE_MAX;
	assert_int_equal(placed, f->got.input.nitems);
	assert_int_equal(a.ndeferred, 0);
	uccn_agenda_clear(&a);
	set(&f->meeting.day_start, "08:30");
	set(&f->meeting.day_end, "18:00");
	f->meeting.hybrid = true;
	assert_int_equal(gather(f), 0);
	assert_int_equal(f->got.input.day_start, H(8, 30));
	assert_int_equal(f->got.input.day_end, H(18, 0));
	assert_true(f->got.input.hybrid);
	set(&f->meeting.day_end, "late");
	assert_int_equal(gather(f), UCCN_E_INVALID);
}

/* The coordinator's report: the field's coordinator even when its deputy's
 * id sorts first (Adelaide before Hannover); the deputy only when the field
 * has no coordinator; never the system's account; at a conference the
 * first host. */
static void test_report_presenter(void **state)
{
	struct fx *f = *state;
	city(f, "adelaide", "Adelaide", "literature", "deputy");
	city(f, "coordinator", "Network coordinator", "literature", "coordinator");
	city(f, "hannover", "Hannover", "literature", "coordinator");
	city(f, "heidelberg", "Heidelberg", "literature", "member");
	assert_int_equal(gather(f), 0);
	const struct uccn_agenda_item *it = item(f, "coordinator-report");
	assert_string_equal(it->city, "hannover");
	assert_string_equal(it->presenter, "Hannover");
	set(&f->cities[2].role, "member");
	assert_int_equal(gather(f), 0);
	assert_string_equal(item(f, "coordinator-report")->city, "adelaide");
	set(&f->cities[0].role, "member");
	assert_int_equal(gather(f), 0);
	assert_null(item(f, "coordinator-report")->city);
	assert_null(item(f, "coordinator-report")->presenter);
	/* A conference: the first host, whatever the roles. */
	set(&f->cities[2].role, "coordinator");
	set(&f->meeting.kind, "conference");
	set(&f->meeting.field, NULL);
	assert_int_equal(uccn_idlist_add(&f->meeting.hosts, "adelaide"), 0);
	assert_int_equal(gather(f), 0);
	assert_string_equal(item(f, "coordinator-report")->city, "heidelberg");
	assert_string_equal(f->got.title, "UCCN Annual Conference 2026, Heidelberg");
}

/* Elections at a conference name each city's own field, and the role. */
static void test_elections_name_field_and_role(void **state)
{
	struct fx *f = *state;
	set(&city(f, "bologna", "Bologna", "music", "deputy")->term_end, "2027-01-01");
	set(&city(f, "durban", "Durban", "literature", "coordinator")->term_end, "2027-01-01");
	set(&city(f, "coordinator", "Network coordinator", "literature", "coordinator")->term_end,
	    "2027-01-01");
	set(&f->meeting.kind, "conference");
	set(&f->meeting.field, NULL);
	assert_int_equal(gather(f), 0);
	assert_string_equal(item(f, "election:bologna")->title,
			    "Election of the deputy of the Cities of Music (the term of Bologna ends 2027-01-01)");
	assert_string_equal(item(f, "election:durban")->title,
			    "Election of the coordinator of the Cities of Literature (the term of Durban ends 2027-01-01)");
	assert_null(item(f, "election:coordinator"));
}

/* A conference welcomes every field's cities designated since the previous
 * conference, counted and listed; never the system's account. */
static void test_welcome_conference(void **state)
{
	struct fx *f = *state;
	series_around(f); /* literature meetings: not the conference's series */
	meeting(&f->series[f->nseries++], "conf-2025", NULL, "dublin", "2025-06-01", "2025-06-02");
	set(&f->series[f->nseries - 1].kind, "conference");
	set(&f->meeting.kind, "conference");
	set(&f->meeting.field, NULL);
	city(f, "dublin", "Dublin", "literature", "member")->year = 2024;
	city(f, "tartu", "Tartu", "literature", "member")->year = 2025;
	city(f, "bologna", "Bologna", "music", "member")->year = 2025;
	city(f, "coordinator", "Network coordinator", "literature", "coordinator")->year = 2026;
	city(f, "unesco", "Secretariat", "literature", "secretariat")->year = 2026;
	assert_int_equal(gather(f), 0);
	const struct uccn_agenda_item *w = item(f, "welcome");
	assert_non_null(w);
	assert_string_equal(w->title, "Welcome to new members: Tartu, Bologna");
	assert_string_equal(w->body, "2 cities designated since 2025-06-01: Tartu (Cities of Literature), "
				     "Bologna (Cities of Music).");
	assert_int_equal(w->nparts, 2);
	assert_string_equal(w->parts[1].city, "bologna");
	assert_string_equal(w->parts[1].presenter, "Bologna");
	assert_string_equal(w->parts[1].title, "Cities of Music");
	/* Many: the title counts, the parts and the body list them all. */
	static const char *const more[] = {"a", "b", "c", "d", "e"};
	for (size_t i = 0; i < 5; i++)
		city(f, more[i], more[i], "film", "member")->year = 2026;
	assert_int_equal(gather(f), 0);
	w = item(f, "welcome");
	assert_string_equal(w->title, "Welcome to 7 new members");
	assert_int_equal(w->nparts, 7);
	assert_non_null(strstr(w->body, "7 cities designated since 2025-06-01: "));
	assert_non_null(strstr(w->body, "e (Cities of Film)."));
	/* A working group of no field welcomes no one. */
	set(&f->meeting.kind, "working-group");
	assert_int_equal(gather(f), 0);
	assert_null(item(f, "welcome"));
}

/* One showcase per field at a conference, in field order, each capped. */
static void test_good_practice_showcases(void **state)
{
	struct fx *f = *state;
	set(&f->meeting.kind, "conference");
	set(&f->meeting.field, NULL);
	city(f, "durban", "Durban", "literature", "member");
	city(f, "bologna", "Bologna", "music", "member");
	int64_t since = (uccn_agenda_day_number(2026, 12, 9) - UCCN_AGENDA_YEAR_DAYS) * DAY_MS;
	for (uint64_t i = 0; i < 8; i++)
		post(f->gp, &f->ngp, 100 - i, "durban", "good-practice", "Poems", since);
	post(f->gp, &f->ngp, 50, "bologna", "good-practice", "Arcades", since);
	struct uccn_post *p = post(f->gp, &f->ngp, 51, "bologna", "good-practice", NULL, since);
	set(&p->body, "\n  Música en la calle\nsecond line");
	assert_int_equal(gather(f), 0);
	assert_int_equal(count_kind(f, UCCN_AGENDA_GOOD_PRACTICE), 2);
	const struct uccn_agenda_item *lit = item(f, "good-practice:literature");
	const struct uccn_agenda_item *mus = item(f, "good-practice:music");
	assert_true(lit < mus);
	assert_int_equal(lit->nparts, 8);
	assert_int_equal(lit->parts[0].seq, 93);
	assert_int_equal(lit->minutes, UCCN_AGENDA_SHOWCASE_MAX);
	assert_int_equal(mus->nparts, 2);
	assert_int_equal(mus->minutes, 20);
	assert_string_equal(mus->parts[1].title, "Música en la calle");
	assert_string_equal(mus->title, "Good practice from the Cities of Music (2 posts)");
	/* At and just past the cap: 7 posts make 45 minutes, 6 make 40. */
	f->ngp = 7; /* the records beyond stay owned by the fixture */
	assert_int_equal(gather(f), 0);
	assert_int_equal(item(f, "good-practice:literature")->nparts, 7);
	assert_int_equal(item(f, "good-practice:literature")->minutes, 45);
	f->ngp = 6;
	assert_int_equal(gather(f), 0);
	assert_int_equal(item(f, "good-practice:literature")->minutes, 40);
	f->ngp = 10;
}

/* A title from a body: its first line, cut at a character, never inside
 * one, marked with an ellipsis. */
static void test_title_from_body(void **state)
{
	struct fx *f = *state;
	/* 59 ASCII bytes, then "é" (2 bytes) straddles byte 60. */
	char body[128];
	memset(body, 'x', 59);
	strcpy(body + 59, "\xc3\xa9 and more");
	set(&post(f->posts, &f->nposts, 61, "durban", "agenda-item", NULL, 0)->body, body);
	/* Exactly 60 bytes with a 3-byte character at the end: kept whole. */
	memset(body, 'y', 57);
	strcpy(body + 57, "\xe2\x82\xac");
	set(&post(f->posts, &f->nposts, 62, "durban", "agenda-item", NULL, 0)->body, body);
	strcpy(body + 57, "\xe2\x82\xac!");
	set(&post(f->posts, &f->nposts, 63, "durban", "agenda-item", NULL, 0)->body, body);
	set(&post(f->posts, &f->nposts, 64, "durban", "agenda-item", NULL, 0)->body,
	    "Short first line\r\nand the rest");
	assert_int_equal(gather(f), 0);
	char want[128];
	memset(want, 'x', 59);
	strcpy(want + 59, "…");
	assert_string_equal(item(f, "post:61")->title, want);
	memset(want, 'y', 57);
	strcpy(want + 57, "\xe2\x82\xac");
	assert_string_equal(item(f, "post:62")->title, want);
	strcpy(want + 57, "\xe2\x82\xac…");
	assert_string_equal(item(f, "post:63")->title, want);
	assert_string_equal(item(f, "post:64")->title, "Short first line");
	assert_string_equal(item(f, "post:64")->body, "Short first line\r\nand the rest");
}

/* Names, not ids: the country where two cities share a name, else the
 * field; meeting titles with the field's name; the next host once. */
static void test_display_names(void **state)
{
	struct fx *f = *state;
	set(&city(f, "granada", "Granada", "literature", "member")->country, "Spain");
	set(&city(f, "granada-design", "Granada", "design", "member")->country, "Nicaragua");
	set(&city(f, "london", "London", "literature", "member")->country, "Canada");
	city(f, "twin-a", "Twin", "literature", "member");
	set(&city(f, "twin-b", "Twin", "music", "member")->country, "Utopia");
	set(&city(f, "kansas-city", "Kansas City", "music", "member")->country, "United States");
	city(f, "coordinator", "Network coordinator", "literature", "coordinator");
	uccn_idlist_clear(&f->meeting.hosts);
	assert_int_equal(uccn_idlist_add(&f->meeting.hosts, "granada"), 0);
	post(f->posts, &f->nposts, 71, "granada-design", "agenda-item", "Casa", 0);
	series_around(f);
	uccn_idlist_clear(&f->series[1].hosts);
	assert_int_equal(uccn_idlist_add(&f->series[1].hosts, "london"), 0);
	set(&f->series[1].place, "London");
	assert_int_equal(gather(f), 0);
	assert_string_equal(f->got.title, "Cities of Literature Annual Meeting 2026, Granada (Spain)");
	assert_string_equal(item(f, "opening")->presenter, "Granada (Spain)");
	assert_string_equal(item(f, "post:71")->presenter, "Granada (Nicaragua)");
	assert_string_equal(item(f, "next-meeting")->title, "Next meeting: London, from 2027-09-01 (col-2027)");
	assert_string_equal(item(f, "next-meeting")->presenter, "London");
	/* Participants: the field's member cities, by display name; never the
	 * system's account. */
	const struct uccn_agenda_participant *p = f->got.input.participants;
	assert_int_equal(f->got.input.nparticipants, 3);
	assert_string_equal(p[0].name, "Granada (Spain)");
	assert_string_equal(p[1].name, "London");
	/* No country, or the same: the field tells them apart. */
	assert_string_equal(p[2].name, "Twin (Cities of Literature)");
	/* A place that names the host does not name it twice. */
	set(&f->series[1].place, "Kansas City");
	uccn_idlist_clear(&f->series[1].hosts);
	assert_int_equal(uccn_idlist_add(&f->series[1].hosts, "kansas-city"), 0);
	assert_int_equal(gather(f), 0);
	assert_string_equal(item(f, "next-meeting")->title,
			    "Next meeting: Kansas City, from 2027-09-01 (col-2027)");
	set(&f->series[1].place, "Arena");
	assert_int_equal(gather(f), 0);
	assert_string_equal(item(f, "next-meeting")->title,
			    "Next meeting: Kansas City, Arena, from 2027-09-01 (col-2027)");
	/* Fields by their names. */
	static const struct { const char *field, *title; } titles[] = {
		{"media_arts", "Cities of Media Arts Annual Meeting 2026, Granada (Spain)"},
		{"crafts_folk_art", "Cities of Crafts and Folk Art Annual Meeting 2026, Granada (Spain)"},
		{"gastronomy", "Cities of Gastronomy Annual Meeting 2026, Granada (Spain)"},
		{"music", "Cities of Music Annual Meeting 2026, Granada (Spain)"},
	};
	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
		set(&f->meeting.field, titles[i].field);
		assert_int_equal(gather(f), 0);
		assert_string_equal(f->got.title, titles[i].title);
	}
	char label[16];
	uccn_agenda_field_label("crafts_folk_art", label, sizeof label);
	assert_string_equal(label, "Cities of Craft"); /* cut, terminated */
}

/* The participants are member cities: not the system's account, not the
 * secretariat; a member without a zone stays, without offsets. */
static void test_participants_members_only(void **state)
{
	struct fx *f = *state;
	set(&city(f, "coordinator", "Network coordinator", "literature", "coordinator")->tz, NULL);
	set(&city(f, "unesco", "UNESCO", "literature", "secretariat")->tz, NULL);
	set(&city(f, "al-ahsa", "Al-Ahsa", "literature", "member")->tz, NULL);
	city(f, "heidelberg", "Heidelberg", "literature", "coordinator");
	assert_int_equal(gather(f), 0);
	const struct uccn_agenda_participant *p = f->got.input.participants;
	assert_int_equal(f->got.input.nparticipants, 2);
	assert_string_equal(p[0].city, "al-ahsa");
	assert_string_equal(p[0].name, "Al-Ahsa");
	assert_false(p[0].has_offset);
	assert_string_equal(p[1].city, "heidelberg");
	set(&f->meeting.field, NULL);
	set(&f->meeting.kind, "conference");
	assert_int_equal(gather(f), 0);
	assert_int_equal(f->got.input.nparticipants, 2);
}

/* The meeting's longest session reaches the builder; 90 by default. */
static void test_max_session(void **state)
{
	struct fx *f = *state;
	assert_int_equal(gather(f), 0);
	assert_int_equal(f->got.input.max_session, UCCN_AGENDA_SESSION);
	f->meeting.max_session = 120;
	assert_int_equal(gather(f), 0);
	assert_int_equal(f->got.input.max_session, 120);
	f->meeting.max_session = UCCN_AGENDA_MAX_SESSION;
	assert_int_equal(gather(f), 0);
	assert_int_equal(f->got.input.max_session, UCCN_AGENDA_MAX_SESSION);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_date_arithmetic),
		T(test_calendar),
		T(test_neighbours),
		T(test_frame_and_chair),
		T(test_participants),
		T(test_participants_limit),
		T(test_welcome),
		T(test_elections),
		T(test_projects_and_posts),
		T(test_good_practice),
		T(test_left_open),
		T(test_previous_placements),
		T(test_hours_and_build),
		T(test_report_presenter),
		T(test_elections_name_field_and_role),
		T(test_welcome_conference),
		T(test_good_practice_showcases),
		T(test_title_from_body),
		T(test_display_names),
		T(test_participants_members_only),
		T(test_max_session),
	};
	return cmocka_run_group_tests_name("agenda_gather", tests, NULL, NULL);
}
