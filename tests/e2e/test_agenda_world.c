/*
 * test_agenda_world.c - end-to-end: agendas of meetings held outside
 * Europe, over the network's 350 cities imported from the example CSV. A
 * hybrid Cities of Design meeting in Mexico City with on-line presenters
 * from East Asia and Oceania, and one in Seoul with presenters from the
 * Americas: each remote presenter's slot is in their own 08:00-20:00.
 */
#include "../harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CSV "examples/data/uccn-cities.csv"

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
};

#define COORD(f) ((f)->d->coordinator_key)

/* The cities that post, with the zones the CSV gives them. */
static const struct { const char *id, *tz; } posting[] = {
	{"mexico-city", "America/Mexico_City"}, {"puebla", "America/Mexico_City"},
	{"queretaro", "America/Mexico_City"},   {"montreal", "America/Toronto"},
	{"detroit", "America/Detroit"},         {"seoul", "Asia/Seoul"},
	{"kobe", "Asia/Tokyo"},                 {"nagoya", "Asia/Tokyo"},
	{"whanganui", "Pacific/Auckland"},      {"geelong", "Australia/Melbourne"},
};
#define NPOSTING (sizeof posting / sizeof posting[0])

static char keys[NPOSTING][PATH_MAX];

static int group_teardown(void **state);

/* The CSV from the source tree, wherever the test runs from. */
static const char *csv_path(void)
{
	static char path[PATH_MAX];
	if (access(CSV, R_OK) == 0)
		return CSV;
	const char *slash = strrchr(__FILE__, '/');
	snprintf(path, sizeof path, "%.*s/../../" CSV, slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".");
	return path;
}

static bool run_ok(struct fx *f, h_run_t *r)
{
	(void)f;
	if (r->status == 0)
		return true;
	h_run_print(r);
	return false;
}

/* One daemon for the group: the import, the keys and the roles once. */
static int group_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	*state = f;
	if (h_daemon_up(&f->dir, &f->d) != 0)
		goto fail;
	h_uccn(&f->r, f->d, COORD(f), NULL, "import", "cities", csv_path(), NULL);
	if (!run_ok(f, &f->r))
		goto fail;
	/* The design field's deputy (Asahikawa) sorts before its coordinator
	 * (Puebla). */
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "asahikawa", "--if-version", "1",
	       "--role", "deputy", NULL);
	if (!run_ok(f, &f->r))
		goto fail;
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "update", "puebla", "--if-version", "1",
	       "--role", "coordinator", NULL);
	if (!run_ok(f, &f->r))
		goto fail;
	for (size_t i = 0; i < NPOSTING; i++) {
		char pub[UCCN_KEY_Z85_LEN + 1];
		snprintf(keys[i], sizeof keys[i], "%s/%s.key", f->dir, posting[i].id);
		if (h_keygen(keys[i], pub) != 0)
			goto fail;
		h_uccn(&f->r, f->d, COORD(f), NULL, "city", "rekey", posting[i].id, "--key", pub, NULL);
		if (!run_ok(f, &f->r))
			goto fail;
	}
	return 0;
fail:
	group_teardown(state);
	return -1;
}

static int group_teardown(void **state)
{
	struct fx *f = *state;
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

static const char *key_of(const char *city)
{
	for (size_t i = 0; i < NPOSTING; i++)
		if (strcmp(posting[i].id, city) == 0)
			return keys[i];
	return NULL;
}

static const char *tz_of(const char *city)
{
	for (size_t i = 0; i < NPOSTING; i++)
		if (strcmp(posting[i].id, city) == 0)
			return posting[i].tz;
	return NULL;
}

static void item(struct fx *f, const char *meeting, const char *city, const char *title,
		 const char *minutes, bool remote)
{
	h_uccn(&f->r, f->d, key_of(city), NULL, "post", "--kind", "agenda-item", "--meeting",
	       meeting, "--title", title, "--minutes", minutes, remote ? "--remote" : title,
	       remote ? title : NULL, NULL);
	h_assert_exit(&f->r, 0);
}

static h_json_t *agenda_json(struct fx *f, const char *meeting)
{
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", meeting, "--json", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	if (!j)
		h_run_print(&f->r);
	assert_non_null(j);
	return j;
}

/* "2027-12-08T17:00:00-06:00" -> the instant. */
static time_t instant(const char *t)
{
	struct tm tm = {0};
	int oh, om;
	char sign;
	assert_non_null(t);
	assert_int_equal(sscanf(t, "%d-%d-%dT%d:%d:%d%c%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
				&tm.tm_hour, &tm.tm_min, &tm.tm_sec, &sign, &oh, &om), 9);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	long off = (oh * 60 + om) * 60L * (sign == '-' ? -1 : 1);
	return timegm(&tm) - off;
}

/* The instant's local date and minutes of the day in zone tz, from the C
 * library's zone database. */
static void local_time(time_t t, const char *tz, struct tm *lt)
{
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", tz, 1);
	tzset();
	assert_non_null(localtime_r(&t, lt));
	if (old)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

/* Every remote item titled in want[] is placed, and its whole slot is
 * within 08:00-20:00 of its presenter's own date. */
static void assert_remote_daytime(const h_json_t *j, const char *const *want, size_t nwant)
{
	const h_json_t *slots = h_json_get(j, "slots");
	size_t found = 0;
	for (size_t i = 0; i < h_json_len(slots); i++) {
		const h_json_t *s = h_json_at(slots, i);
		const char *city = h_json_str(h_json_get(s, "city"));
		const char *title = h_json_str(h_json_get(s, "title"));
		if (!h_json_bool(h_json_get(s, "remote")) || !city)
			continue;
		const char *tz = tz_of(city);
		assert_non_null(tz);
		time_t start = instant(h_json_str(h_json_get(s, "start")));
		time_t end = instant(h_json_str(h_json_get(s, "end")));
		struct tm ls, le;
		local_time(start, tz, &ls);
		local_time(end, tz, &le);
		int from = ls.tm_hour * 60 + ls.tm_min;
		int to = (int)((end - start) / 60) + from;
		if (from < 8 * 60 || to > 20 * 60)
			fprintf(stderr, "%s (%s): %04d-%02d-%02d %02d:%02d-%02d:%02d local, out of daytime\n",
				title, city, ls.tm_year + 1900, ls.tm_mon + 1, ls.tm_mday, ls.tm_hour,
				ls.tm_min, le.tm_hour, le.tm_min);
		assert_true(from >= 8 * 60);
		assert_true(to <= 20 * 60);
		/* in their daytime, so their own slot does not count them among
		 * the cities it inconveniences */
		const h_json_t *inc = h_json_get(s, "inconvenienced");
		for (size_t k = 0; k < h_json_len(inc); k++)
			assert_string_not_equal(h_json_str(h_json_at(inc, k)), city);
		for (size_t k = 0; k < nwant; k++)
			found += title && strstr(title, want[k]) != NULL;
	}
	if (found != nwant) {
		const h_json_t *deferred = h_json_get(j, "deferred");
		for (size_t i = 0; i < h_json_len(deferred); i++)
			fprintf(stderr, "deferred: %s: %s\n",
				h_json_str(h_json_get(h_json_at(deferred, i), "title")),
				h_json_str(h_json_get(h_json_at(deferred, i), "reason")));
	}
	assert_int_equal(found, nwant);
}

/* Cities of Design in Mexico City (UTC-6), 8-9 December 2027, 09:00-19:00:
 * Seoul and Kobe (UTC+9) have 17:00-19:00 of each day in their morning,
 * Whanganui (UTC+13) and Geelong (UTC+11) the afternoon. */
static void make_mexico_city(struct fx *f)
{
	h_uccn(&f->r, f->d, COORD(f), NULL, "meeting", "add", "design-2027", "--kind",
	       "annual-meeting", "--field", "design", "--host", "mexico-city", "--start",
	       "2027-12-08", "--end", "2027-12-09", "--tz", "America/Mexico_City", "--place",
	       "Mexico City", "--day-end", "19:00", "--hybrid", NULL);
	h_assert_exit(&f->r, 0);
	item(f, "design-2027", "seoul", "Design Seoul: public space", "30", true);
	item(f, "design-2027", "kobe", "Kobe Biennale exchange", "25", true);
	item(f, "design-2027", "whanganui", "Glass and river design", "30", true);
	item(f, "design-2027", "geelong", "Design Geelong: the waterfront", "30", true);
	item(f, "design-2027", "puebla", "Talavera today", "45", false);
	item(f, "design-2027", "queretaro", "Design week", "30", false);
	item(f, "design-2027", "mexico-city", "World Design Capital, ten years on", "40", false);
}

static void test_meeting_in_the_americas(void **state)
{
	struct fx *f = *state;
	make_mexico_city(f);
	h_json_t *j = agenda_json(f, "design-2027");
	static const char *const remote[] = {
		"Design Seoul", "Kobe Biennale", "Glass and river", "Design Geelong",
	};
	assert_remote_daytime(j, remote, 4);
	h_json_destroy(&j);
}

/* Cities of Design in Seoul (UTC+9), 6-7 December 2028, 08:00-17:30:
 * Mexico City (UTC-6) has Seoul's 08:00-11:00 in its evening before,
 * Montreal and Detroit (UTC-5) 08:00-10:00. */
static void test_meeting_in_east_asia(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, f->d, COORD(f), NULL, "meeting", "add", "design-2028", "--kind",
	       "annual-meeting", "--field", "design", "--host", "seoul", "--start", "2028-12-06",
	       "--end", "2028-12-07", "--tz", "Asia/Seoul", "--day-start", "08:00", "--hybrid",
	       NULL);
	h_assert_exit(&f->r, 0);
	item(f, "design-2028", "mexico-city", "Mexico City's design districts", "30", true);
	item(f, "design-2028", "montreal", "Montreal's design competitions", "25", true);
	item(f, "design-2028", "detroit", "Detroit: design for a city's comeback", "20", true);
	item(f, "design-2028", "kobe", "Kobe: design after the earthquake", "30", false);
	item(f, "design-2028", "nagoya", "Nagoya design do", "30", false);
	item(f, "design-2028", "seoul", "Seoul Design Foundation", "45", false);
	h_json_t *j = agenda_json(f, "design-2028");
	static const char *const remote[] = {"design districts", "design competitions", "comeback"};
	assert_remote_daytime(j, remote, 3);
	h_json_destroy(&j);
}

/* The coordinator's report is the field's coordinator's (Puebla), though
 * its deputy's id (asahikawa) sorts first. The title names the field. */
static void test_report_by_the_coordinator(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, f->d, COORD(f), NULL, "meeting", "add", "design-2029", "--kind",
	       "annual-meeting", "--field", "design", "--host", "puebla", "--start", "2029-10-03",
	       "--end", "2029-10-03", "--tz", "America/Mexico_City", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = agenda_json(f, "design-2029");
	const h_json_t *slots = h_json_get(j, "slots");
	bool report = false;
	for (size_t i = 0; i < h_json_len(slots); i++) {
		const h_json_t *s = h_json_at(slots, i);
		if (strcmp(h_json_str(h_json_get(s, "kind")), "coordinator-report") != 0)
			continue;
		assert_string_equal(h_json_str(h_json_get(s, "city")), "puebla");
		report = true;
	}
	assert_true(report);
	h_json_destroy(&j);
	/* The Markdown names the meeting, and not the deputy. */
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "design-2029", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "Cities of Design Annual Meeting 2029, Puebla"));
	assert_null(strstr(f->r.out, "asahikawa"));
	assert_null(strstr(f->r.out, "Asahikawa"));
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meeting_in_the_americas),
		cmocka_unit_test(test_meeting_in_east_asia),
		cmocka_unit_test(test_report_by_the_coordinator),
	};
	return cmocka_run_group_tests_name("e2e_agenda_world", tests, group_setup, group_teardown);
}
