/*
 * test_agenda.c - end-to-end: `uccn agenda` over real records. A two-day
 * hybrid Cities of Literature meeting in Europe/Berlin with agenda items
 * from a dozen cities in many zones, some presented on-line from Iowa City
 * (America/Chicago) and Melbourne (Australia/Melbourne).
 */
#include "../harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
};

#define COORD(f) ((f)->d->coordinator_key)

static const struct { const char *id, *name, *tz; } cities[] = {
	{"heidelberg", "Heidelberg", "Europe/Berlin"},
	{"krakow", "Kraków", "Europe/Warsaw"},
	{"nottingham", "Nottingham", "Europe/London"},
	{"dublin", "Dublin", "Europe/Dublin"},
	{"iowa-city", "Iowa City", "America/Chicago"},
	{"melbourne", "Melbourne", "Australia/Melbourne"},
	{"dunedin", "Dunedin", "Pacific/Auckland"},
	{"baghdad", "Baghdad", "Asia/Baghdad"},
	{"tartu", "Tartu", "Europe/Tallinn"},
	{"reykjavik", "Reykjavík", "Atlantic/Reykjavik"},
	{"quebec-city", "Québec City", "America/Toronto"},
	{"gothenburg", "Gothenburg", "Europe/Stockholm"},
};
#define NCITIES (sizeof cities / sizeof cities[0])

static char keys[NCITIES][PATH_MAX];

static int teardown(void **state);

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	*state = f;
	if (h_daemon_up(&f->dir, &f->d) != 0)
		goto fail;
	for (size_t i = 0; i < NCITIES; i++) {
		char pub[UCCN_KEY_Z85_LEN + 1];
		snprintf(keys[i], sizeof keys[i], "%s/%s.key", f->dir, cities[i].id);
		if (h_keygen(keys[i], pub) != 0)
			goto fail;
		h_uccn(&f->r, f->d, COORD(f), NULL, "city", "add", cities[i].id, "--name",
		       cities[i].name, "--field", "literature", "--tz", cities[i].tz, "--key", pub, NULL);
		if (f->r.status != 0) {
			h_run_print(&f->r);
			goto fail;
		}
	}
	return 0;
fail:
	teardown(state);
	return -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

static const char *key_of(const char *city)
{
	for (size_t i = 0; i < NCITIES; i++)
		if (strcmp(cities[i].id, city) == 0)
			return keys[i];
	return NULL;
}

static void item(struct fx *f, const char *city, const char *title, const char *minutes,
		 bool remote)
{
	if (remote)
		h_uccn(&f->r, f->d, key_of(city), NULL, "post", "--kind", "agenda-item", "--meeting",
		       "col-2026", "--title", title, "--minutes", minutes, "--remote", title, NULL);
	else
		h_uccn(&f->r, f->d, key_of(city), NULL, "post", "--kind", "agenda-item", "--meeting",
		       "col-2026", "--title", title, "--minutes", minutes, title, NULL);
	h_assert_exit(&f->r, 0);
}

static void make_meeting(struct fx *f)
{
	h_uccn(&f->r, f->d, COORD(f), NULL, "meeting", "add", "col-2026", "--kind", "annual-meeting",
	       "--field", "literature", "--host", "heidelberg", "--start", "2026-12-09", "--end",
	       "2026-12-10", "--tz", "Europe/Berlin", "--place", "Heidelberg", "--hybrid", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "project", "add", "drop-the-mic", "--title",
	       "Drop the Mic", "--lead", "reykjavik", "--partner", "tartu,krakow", "--field",
	       "literature", "--status", "active", NULL);
	h_assert_exit(&f->r, 0);
	item(f, "iowa-city", "Writers in residence across the Atlantic", "30", true);
	item(f, "melbourne", "Book town partnerships", "25", true);
	item(f, "iowa-city", "Translation grants", "20", true);
	item(f, "krakow", "Milosz festival exchange", "30", false);
	item(f, "nottingham", "Young producers", "45", false);
	item(f, "dublin", "Library of the future", "40", false);
	item(f, "baghdad", "Mutanabbi Street readings", "30", false);
	item(f, "tartu", "Prima Vista festival", "20", false);
	item(f, "quebec-city", "Francophone poetry", "25", false);
	item(f, "gothenburg", "Book fair fellowships", "30", false);
	item(f, "dunedin", "Ōtepoti writers", "20", false);
	item(f, "heidelberg", "An impossible marathon", "600", false);
}

static h_json_t *agenda_json(struct fx *f)
{
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--format", "json", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	if (!j)
		h_run_print(&f->r);
	assert_non_null(j);
	return j;
}

/* "2026-12-09T15:00:00+01:00" -> minutes of the day in UTC and the offset. */
static int utc_minutes(const char *t)
{
	int h, m, oh, om;
	char sign;
	assert_int_equal(sscanf(t + 11, "%2d:%2d:%*2d%c%2d:%2d", &h, &m, &sign, &oh, &om), 5);
	int off = (oh * 60 + om) * (sign == '-' ? -1 : 1);
	return h * 60 + m - off;
}

static void test_agenda_hybrid_two_days(void **state)
{
	struct fx *f = *state;
	make_meeting(f);
	h_json_t *j = agenda_json(f);
	const h_json_t *slots = h_json_get(j, "slots");
	assert_true(h_json_len(slots) > 10);
	bool coffee = false, lunch = false, project = false;
	for (size_t i = 0; i < h_json_len(slots); i++) {
		const h_json_t *s = h_json_at(slots, i);
		const char *kind = h_json_str(h_json_get(s, "kind"));
		const char *start = h_json_str(h_json_get(s, "start"));
		const char *end = h_json_str(h_json_get(s, "end"));
		/* Within 09:00-17:30 Berlin (UTC+1 in December): 08:00-16:30 UTC. */
		assert_true(utc_minutes(start) >= 8 * 60);
		assert_true(utc_minutes(end) <= 16 * 60 + 30);
		coffee |= strcmp(kind, "coffee-break") == 0;
		lunch |= strcmp(kind, "lunch-break") == 0;
		project |= strcmp(kind, "project-report") == 0;
		const h_json_t *city = h_json_get(s, "city");
		if (!h_json_bool(h_json_get(s, "remote")) || h_json_is_null(city))
			continue;
		/* Remote presenters: Chicago is UTC-6, Melbourne UTC+11 in December. */
		int off = strcmp(h_json_str(city), "iowa-city") == 0 ? -6 * 60 : 11 * 60;
		int ls = (utc_minutes(start) + off + 24 * 60) % (24 * 60);
		int le = (utc_minutes(end) + off + 24 * 60) % (24 * 60);
		assert_true(ls >= 8 * 60 && le <= 20 * 60 && ls < le);
	}
	assert_true(coffee);
	assert_true(lunch);
	assert_true(project);
	const h_json_t *deferred = h_json_get(j, "deferred");
	bool marathon = false;
	for (size_t i = 0; i < h_json_len(deferred); i++) {
		const h_json_t *d = h_json_at(deferred, i);
		if (strcmp(h_json_str(h_json_get(d, "title")), "An impossible marathon") == 0) {
			marathon = true;
			assert_true(strlen(h_json_str(h_json_get(d, "reason"))) > 10);
		}
	}
	assert_true(marathon);
	h_json_destroy(&j);
}

static void test_agenda_deterministic(void **state)
{
	struct fx *f = *state;
	make_meeting(f);
	static const char *const formats[] = {"md", "json", "html"};
	for (size_t k = 0; k < 3; k++) {
		h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--format", formats[k], NULL);
		h_assert_exit(&f->r, 0);
		char *first = strdup(f->r.out);
		h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--format", formats[k], NULL);
		h_assert_exit(&f->r, 0);
		assert_string_equal(first, f->r.out);
		free(first);
	}
	/* Markdown names every slot's title. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", NULL);
	assert_non_null(strstr(f->r.out, "Book town partnerships"));
	assert_non_null(strstr(f->r.out, "Drop the Mic"));
	/* iCalendar: the same but for DTSTAMP. */
	char *ics[2];
	for (int k = 0; k < 2; k++) {
		h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--format", "ics", NULL);
		h_assert_exit(&f->r, 0);
		ics[k] = strdup(f->r.out);
		assert_non_null(ics[k]);
		/* blank out every DTSTAMP value */
		for (char *p = strstr(ics[k], "\nDTSTAMP:"); p; p = strstr(p + 1, "\nDTSTAMP:"))
			for (char *q = p + 9; *q && *q != '\r'; q++)
				*q = 'X';
	}
	assert_string_equal(ics[0], ics[1]);
	free(ics[0]);
	free(ics[1]);
	assert_non_null(strstr(f->r.out, "BEGIN:VTIMEZONE"));
	assert_non_null(strstr(f->r.out, "TZID:Europe/Berlin"));
	assert_non_null(strstr(f->r.out, "BEGIN:VEVENT"));
	/* Bad input: an unknown meeting, an unknown format. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "no-such-meeting", NULL);
	h_assert_exit(&f->r, 3);
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--format", "pdf", NULL);
	h_assert_exit(&f->r, 2);
}

/* Checked by an independent iCalendar parser (Python's icalendar, from
 * Debian): one VEVENT per JSON slot, the same instants in UTC. */
static const char ics_check[] =
	"import icalendar, json, sys, datetime\n"
	"cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n"
	"ev = [c for c in cal.walk() if c.name == 'VEVENT']\n"
	"got = sorted(c.decoded('dtstart').astimezone(datetime.timezone.utc).isoformat() for c in ev)\n"
	"js = json.load(open(sys.argv[2]))\n"
	"want = sorted(datetime.datetime.fromisoformat(s['start']).astimezone(datetime.timezone.utc).isoformat() for s in js['slots'])\n"
	"uids = [str(c.get('uid')) for c in ev]\n"
	"assert len(set(uids)) == len(uids), 'duplicate UIDs'\n"
	"assert got == want, (got, want)\n"
	"print('ok', len(ev))\n";

static void test_agenda_checked_independently(void **state)
{
	struct fx *f = *state;
	char ics[PATH_MAX], json[PATH_MAX], html[PATH_MAX], url[PATH_MAX + 8];
	make_meeting(f);
	snprintf(ics, sizeof ics, "%s/agenda.ics", f->dir);
	snprintf(json, sizeof json, "%s/agenda.json", f->dir);
	snprintf(html, sizeof html, "%s/agenda.html", f->dir);
	static const char *const fmts[] = {"ics", "json", "html"};
	const char *files[] = {ics, json, html};
	for (size_t i = 0; i < 3; i++) {
		h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--format", fmts[i],
		       "-o", files[i], NULL);
		h_assert_exit(&f->r, 0);
	}
	char *py[] = {"/usr/bin/python3", "-c", (char *)ics_check, ics, json, NULL};
	h_run(&f->r, py, NULL, 30000);
	if (f->r.status != 0)
		h_run_print(&f->r);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "ok "));

	/* The page opens in headless Chromium and shows every slot's title. */
	char profile[PATH_MAX + 32];
	snprintf(url, sizeof url, "file://%s", html);
	snprintf(profile, sizeof profile, "--user-data-dir=%s/chromium", f->dir);
	char *chromium[] = {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", profile,
			    "--disable-background-networking", "--disable-component-update",
			    "--disable-sync", "--no-first-run", "--dump-dom", url, NULL};
	h_run(&f->r, chromium, NULL, 60000);
	if (f->r.status != 0)
		h_run_print(&f->r);
	h_assert_exit(&f->r, 0);
	char *dom = strdup(f->r.out);
	assert_non_null(dom);
	size_t n = 0;
	char *text = h_read_file(json, &n);
	h_json_t *j = h_json_parse(text);
	assert_non_null(j);
	const h_json_t *slots = h_json_get(j, "slots");
	for (size_t i = 0; i < h_json_len(slots); i++) {
		const char *title = h_json_str(h_json_get(h_json_at(slots, i), "title"));
		if (!strstr(dom, title))
			fprintf(stderr, "not on the page: %s\n", title);
		assert_non_null(strstr(dom, title));
	}
	h_json_destroy(&j);
	free(text);
	free(dom);
}

static void test_publish_and_diff(void **state)
{
	struct fx *f = *state;
	make_meeting(f);
	/* Nothing published yet: --diff says so. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--diff", NULL);
	h_assert_exit(&f->r, 3);
	/* A member may not publish. */
	h_uccn(&f->r, f->d, key_of("tartu"), NULL, "agenda", "col-2026", "--publish", NULL);
	h_assert_exit(&f->r, 4);
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--publish", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "version 1"));
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--format", "ics", NULL);
	assert_non_null(strstr(f->r.out, "SEQUENCE:1\r\n"));
	h_uccn(&f->r, f->d, COORD(f), NULL, "--json", "meeting", "show", "col-2026", NULL);
	assert_non_null(strstr(f->r.out, "\"status\":\"agenda-published\""));
	/* The meeting's cities were told, through their mailboxes. */
	h_uccn(&f->r, f->d, key_of("tartu"), NULL, "inbox", NULL);
	assert_non_null(strstr(f->r.out, "version 1 published"));

	/* One more item, then the second version. */
	h_uccn(&f->r, f->d, key_of("gothenburg"), NULL, "post", "--kind", "agenda-item", "--meeting",
	       "col-2026", "--title", "A late idea", "--minutes", "15", "A late idea", NULL);
	h_assert_exit(&f->r, 0);
	char added[64];
	snprintf(added, sizeof added, "post:%llu", strtoull(f->r.out, NULL, 10));
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--publish", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "version 2"));
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--diff", NULL);
	h_assert_exit(&f->r, 0);
	/* Exactly that item, as added; nothing else changed. */
	char *line = strstr(f->r.out, "added ");
	assert_non_null(line);
	assert_non_null(strstr(line, added));
	assert_null(strstr(line + 1, "added "));
	assert_null(strstr(f->r.out, "moved "));
	assert_null(strstr(f->r.out, "dropped "));
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2026", "--format", "ics", NULL);
	assert_non_null(strstr(f->r.out, "SEQUENCE:2\r\n"));
}

/* What the series brings: the previous meeting's open items, the cities
 * designated since it, good practice from the field's cities, the
 * elections for terms ending before the next meeting, and its host. */
static void test_agenda_series(void **state)
{
	struct fx *f = *state;
	make_meeting(f);
	/* The previous meeting, whose agenda left the marathon open. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "meeting", "add", "col-2025", "--kind", "annual-meeting",
	       "--field", "literature", "--host", "dublin", "--start", "2025-09-10", "--end",
	       "2025-09-11", "--tz", "Europe/Dublin", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, key_of("baghdad"), NULL, "post", "--kind", "agenda-item", "--meeting",
	       "col-2025", "--title", "A reading that never ends", "--minutes", "500",
	       "Too long for any day", NULL);
	h_assert_exit(&f->r, 0);
	char open_key[64];
	snprintf(open_key, sizeof open_key, "\"seq\": %llu,", strtoull(f->r.out, NULL, 10));
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "col-2025", "--publish", NULL);
	h_assert_exit(&f->r, 0);
	/* The next one, in Kraków. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "meeting", "add", "col-2027", "--kind", "annual-meeting",
	       "--field", "literature", "--host", "krakow", "--start", "2027-09-01", "--end",
	       "2027-09-02", "--tz", "Europe/Warsaw", "--place", "Wawel", NULL);
	h_assert_exit(&f->r, 0);
	/* Tartu designated after col-2025, Dublin before it. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "tartu", "--if-version", "1", "--year",
	       "2025", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "dublin", "--if-version", "1", "--year",
	       "2024", NULL);
	h_assert_exit(&f->r, 0);
	/* Kraków's term as coordinator ends before col-2027; Nottingham's
	 * as deputy after it. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "krakow", "--if-version", "1", "--role",
	       "coordinator", "--term-end", "2027-03-01", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "nottingham", "--if-version", "1",
	       "--role", "deputy", "--term-end", "2028-01-31", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "--json", "city", "show", "krakow", NULL);
	assert_non_null(strstr(f->r.out, "\"term_end\":\"2027-03-01\""));
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "krakow", "--if-version", "2",
	       "--term-end", "2027-02-30", NULL);
	h_assert_exit(&f->r, 2);
	assert_non_null(strstr(f->r.err, "term_end"));
	/* Good practice: Dunedin's counts (literature), a music city's not. */
	h_uccn(&f->r, f->d, key_of("dunedin"), NULL, "post", "--kind", "good-practice", "--title",
	       "Poems on buses", "Poems on every bus in town", NULL);
	h_assert_exit(&f->r, 0);
	char pub[UCCN_KEY_Z85_LEN + 1], mkey[PATH_MAX];
	snprintf(mkey, sizeof mkey, "%s/bologna.key", f->dir);
	assert_int_equal(h_keygen(mkey, pub), 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "add", "bologna", "--name", "Bologna", "--field",
	       "music", "--tz", "Europe/Rome", "--key", pub, NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, mkey, NULL, "post", "--kind", "good-practice", "--title",
	       "Music in the arcades", "Music in every arcade", NULL);
	h_assert_exit(&f->r, 0);

	h_json_t *j = agenda_json(f);
	const char *out = f->r.out;
	const char *deferred = strstr(out, "\"deferred\"");
	assert_non_null(deferred);
	/* Left open last time, and still too long: deferred again. */
	assert_non_null(strstr(deferred, open_key));
	assert_non_null(strstr(deferred, "Left open at col-2025: A reading that never ends"));
	assert_non_null(strstr(out, "Welcome to new members: Tartu\""));
	assert_null(strstr(out, "Dublin, Tartu\""));
	assert_non_null(strstr(out, "Election of the coordinator of the Cities of Literature (the term of Kraków ends 2027-03-01)"));
	assert_null(strstr(out, "the term of Nottingham"));
	assert_non_null(strstr(out, "Good practice from the Cities of Literature (1 post)"));
	assert_null(strstr(out, "Music in the arcades"));
	assert_non_null(strstr(out, "Next meeting: Kraków, Wawel, from 2027-09-01 (col-2027)"));
	h_json_destroy(&j);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		T(test_agenda_hybrid_two_days),
		T(test_agenda_deterministic),
		T(test_agenda_checked_independently),
		T(test_publish_and_diff),
		T(test_agenda_series),
	};
	return cmocka_run_group_tests_name("e2e_agenda", tests, NULL, NULL);
}
