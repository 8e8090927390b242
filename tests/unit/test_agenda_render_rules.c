/*
 * test_agenda_render_rules.c - the renderers' rules of issue 12 on agendas
 * made by hand (no builder): a meeting in Mexico City with presenters in
 * Seoul and Auckland, Markdown escaping and line limits, UTF-8-safe cuts,
 * region counts, dated local times, showcase parts and JSON fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uccn_agenda.h"
#include "uccn_agenda_render.h"

#define H(h, m) ((h) * 60 + (m))
#define LINK_TITLE "[x](http://evil.example/) # 1. *bold* _it_ `code`"

/* Offsets from America/Mexico_City (UTC-6) in June 2027. */
static const struct {
	const char *city, *name, *tz;
	int offset;
} cities[] = {
	{"mexico-city", "Mexico City", "America/Mexico_City", 0},
	{"lima", "Lima", "America/Lima", 60},
	{"seoul", "Seoul", "Asia/Seoul", 15 * 60},
	{"auckland", "Auckland", "Pacific/Auckland", 18 * 60},
	{"katowice", "Katowice", "Europe/Warsaw", 8 * 60},
	{"lagos", "Lagos", "Africa/Lagos", 7 * 60},
	{"port-louis", "Port Louis", "Indian/Mauritius", 10 * 60},
};
#define NCITIES (sizeof cities / sizeof cities[0])
enum { MEXICO, LIMA, SEOUL, AUCKLAND, KATOWICE, LAGOS, PORT_LOUIS };

static const struct uccn_agenda_part showcase_parts[] = {
	{11, "katowice", "Katowice", "Part one"},
	{12, "lagos", "Lagos", "- a dash first"},
};

struct world {
	struct uccn_agenda_participant parts[NCITIES];
	struct uccn_agenda_item items[4];
	struct uccn_agenda_slot slots[4];
	size_t inc[4][NCITIES];
	struct uccn_agenda_deferred deferred[1];
	struct uccn_agenda_warning warnings[2];
	struct uccn_agenda_input in;
	struct uccn_agenda a;
	struct uccn_agenda_meeting m;
};

static struct uccn_agenda_item item_of(const char *key, enum uccn_agenda_kind kind,
				       const char *title, int city, int minutes, uint64_t seq)
{
	struct uccn_agenda_item it = {
		.key = key, .kind = kind, .title = title, .minutes = minutes, .seq = seq,
		.priority = UCCN_AGENDA_NORMAL, .pin_day = -1, .pin_start = -1,
	};
	if (city >= 0) {
		it.city = cities[city].city;
		it.presenter = cities[city].name;
		it.has_offset = true;
		for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
			it.offset[d] = cities[city].offset;
	}
	return it;
}

static void slot(struct world *w, size_t i, int day, int start, int end, size_t item,
		 const int *inc, size_t ninc)
{
	w->slots[i] = (struct uccn_agenda_slot){.day = day, .start = start, .end = end, .item = item,
						.inconvenienced = w->inc[i]};
	w->slots[i].kind = item == SIZE_MAX ? UCCN_AGENDA_COFFEE_BREAK : w->items[item].kind;
	for (size_t k = 0; k < ninc; k++)
		w->inc[i][w->slots[i].ninconvenienced++] = (size_t)inc[k];
}

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof *w);
	assert_non_null(w);
	for (size_t i = 0; i < NCITIES; i++) {
		w->parts[i] = (struct uccn_agenda_participant){.city = cities[i].city,
							       .name = cities[i].name,
							       .tz = cities[i].tz, .has_offset = true};
		for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
			w->parts[i].offset[d] = cities[i].offset;
	}
	w->items[0] = item_of("opening", UCCN_AGENDA_OPENING, "Opening", MEXICO, 15, 0);
	w->items[1] = item_of("post:7", UCCN_AGENDA_ITEM, LINK_TITLE, SEOUL, 30, 7);
	w->items[1].remote = true;
	w->items[1].body = "A festival of sound in every district, all year.";
	w->items[2] = item_of("showcase:music", UCCN_AGENDA_GOOD_PRACTICE, "Good practice showcase",
			      -1, 45, 0);
	w->items[2].parts = showcase_parts;
	w->items[2].nparts = 2;
	w->items[3] = item_of("post:9", UCCN_AGENDA_ITEM, "Choirs across the Tasman", AUCKLAND, 60, 9);
	w->items[3].priority = UCCN_AGENDA_HIGH;
	w->items[3].deferrals = 1;
	/* 09:00 in Mexico City: 00:00 (+1 day) in Seoul, 03:00 (+1 day) in
	 * Auckland; 17:20 there: 08:20 (+1 day) in Seoul, daytime. */
	slot(w, 0, 0, H(9, 0), H(9, 15), 0, (const int[]){SEOUL, AUCKLAND}, 2);
	slot(w, 1, 0, H(10, 30), H(10, 45), SIZE_MAX, NULL, 0);
	slot(w, 2, 0, H(17, 20), H(17, 50), 1, (const int[]){KATOWICE, LAGOS, PORT_LOUIS}, 3);
	slot(w, 3, 1, H(9, 0), H(9, 45), 2, (const int[]){SEOUL, AUCKLAND}, 2);
	w->deferred[0] = (struct uccn_agenda_deferred){.item = 3};
	strcpy(w->deferred[0].reason, "every session of day 2 is full");
	strcpy(w->deferred[0].hint, "fits on day 2 if 'Opening' (low) is deferred");
	w->warnings[0] = (struct uccn_agenda_warning){.item = 1, .code = "remote-night"};
	strcpy(w->warnings[0].text, "a warning about post 7");
	w->warnings[1] = (struct uccn_agenda_warning){.item = SIZE_MAX, .code = "zone-unknown"};
	strcpy(w->warnings[1].text, "a warning about no item");
	w->in = (struct uccn_agenda_input){
		.days = 2, .day_start = H(9, 0), .day_end = H(18, 0), .hybrid = true,
		.items = w->items, .nitems = 4, .participants = w->parts, .nparticipants = NCITIES,
	};
	w->a = (struct uccn_agenda){
		.slots = w->slots, .nslots = 4, .deferred = w->deferred, .ndeferred = 1,
		.warnings = w->warnings, .nwarnings = 2,
		.cost = {.deferred = 40, .night = 1, .moved = 2, .total = 43},
	};
	w->m = (struct uccn_agenda_meeting){
		.id = "music-2027", .title = "Cities of Music Annual Meeting 2027",
		.place = "Mexico City", .tz = "America/Mexico_City", .year = 2027, .month = 6,
		.mday = 8, .version = 1, .dtstamp = 1800000000,
	};
	for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
		w->m.utc_offset[d] = -6 * 60;
	return w;
}

static char *render(enum uccn_agenda_format fmt, const struct world *w)
{
	char *out = NULL;
	size_t n = 0;
	assert_int_equal(uccn_agenda_render(fmt, &w->m, &w->in, &w->a, &out, &n), 0);
	assert_int_equal(strlen(out), n);
	return out;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
			 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (k == 0 || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

/* Every line at most max bytes and whole UTF-8; returns the longest. */
static size_t check_lines(const char *text, size_t max)
{
	size_t longest = 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		if (n > max)
			fprintf(stderr, "line of %zu bytes: %.80s...\n", n, p);
		assert_true(n <= max);
		assert_true(utf8_valid((const unsigned char *)p, n));
		longest = n > longest ? n : longest;
		p += n + (p[n] == '\n');
	}
	return longest;
}

static void test_md_escapes_markup(void **state)
{
	(void)state;
	struct world *w = world_new();
	w->m.title = "1. Annual meeting [draft](http://x.example)";
	char *md = render(UCCN_AGENDA_MD, w);
	/* a link title stays text: brackets, the URL's colon, markup escaped */
	assert_non_null(strstr(md, "\\[x\\](http\\://evil.example/) \\# 1. \\*bold\\* \\_it\\_ \\`code\\`"));
	assert_null(strstr(md, "[x]("));
	assert_null(strstr(md, "http://"));
	/* an ordered-list marker where the heading text starts */
	assert_non_null(strstr(md, "# 1\\. Annual meeting \\[draft\\](http\\://x.example) \u2014 "));
	/* a part's title that starts with a dash is no nested list */
	assert_non_null(strstr(md, "\n  - \\- a dash first \u2014 Lagos (post 12)\n"));
	free(md);
	free(w);
}

static char *repeat(const char *s, size_t times)
{
	size_t n = strlen(s);
	char *r = malloc(n * times + 1);
	assert_non_null(r);
	for (size_t i = 0; i < times; i++)
		memcpy(r + i * n, s, n);
	r[n * times] = '\0';
	return r;
}

static void test_md_no_line_over_200_bytes(void **state)
{
	(void)state;
	struct world *w = world_new();
	char *title = repeat("Łódź – ", 700), *word = repeat("🎭x", 3000);
	char *name = repeat("Ü", 300), *place = repeat("Kraków ", 150);
	w->m.title = title;
	w->m.place = place;
	w->items[1].title = title;
	w->items[1].presenter = name;
	w->items[1].body = word; /* one word, no space to wrap at */
	w->items[0].title = word;
	memset(w->deferred[0].reason, 'r', sizeof w->deferred[0].reason - 1);
	memset(w->deferred[0].hint, 'h', sizeof w->deferred[0].hint - 1);
	memset(w->warnings[0].text, 'w', sizeof w->warnings[0].text - 1);
	w->items[3].title = title;
	char *md = render(UCCN_AGENDA_MD, w);
	assert_true(strlen(md) > 2000);
	assert_true(check_lines(md, 200) >= 150);
	free(md);
	free(title);
	free(word);
	free(name);
	free(place);
	free(w);
}

/* A post's text in Markdown: its first 160 bytes at most, then "…", never
 * half a character, whichever byte the limit falls on. */
static void test_md_cut_is_utf8_safe(void **state)
{
	(void)state;
	struct world *w = world_new();
	char body[600];
	for (size_t pad = 0; pad < 4; pad++) {
		snprintf(body, sizeof body, "%.*s%s", (int)pad, "xyz",
			 "🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭"
			 "🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭🎭");
		w->items[1].body = body;
		char *md = render(UCCN_AGENDA_MD, w);
		check_lines(md, 200);
		char needle[8];
		snprintf(needle, sizeof needle, "\n  %.4s", body);
		const char *line = strstr(md, needle);
		assert_non_null(line);
		size_t n = strcspn(line + 3, "\n");
		assert_true(n <= 160);
		assert_true(n > 150);
		assert_memory_equal(line + 3 + n - 3, "\u2026", 3);
		free(md);
		/* the HTML and the JSON carry it whole */
		char *html = render(UCCN_AGENDA_HTML, w);
		assert_non_null(strstr(html, body));
		free(html);
		char *json = render(UCCN_AGENDA_JSON, w);
		assert_non_null(strstr(json, body));
		free(json);
	}
	free(w);
}

static void test_region_summary(void **state)
{
	(void)state;
	struct world *w = world_new();
	char *md = render(UCCN_AGENDA_MD, w);
	assert_non_null(strstr(md, "\n- Europe (1 city): 2 of 3 items in daytime\n"));
	assert_non_null(strstr(md, "\n- Africa (1 city): 2 of 3 items in daytime\n"));
	assert_non_null(strstr(md, "\n- Americas (2 cities): 3 of 3 items in daytime\n"));
	assert_non_null(strstr(md, "\n- Asia-Pacific (2 cities): 1 of 3 items in daytime\n"));
	assert_non_null(strstr(md, "\n- other (1 city): 2 of 3 items in daytime\n"));
	/* the count per slot, not the names */
	assert_non_null(strstr(md, "\n  inconveniences 3 cities\n"));
	assert_null(strstr(md, "Port Louis"));
	free(md);
	char *html = render(UCCN_AGENDA_HTML, w);
	assert_non_null(strstr(html, "<li>Asia-Pacific (2 cities): 1 of 3 items in daytime</li>"));
	assert_non_null(strstr(html, "<span class=\"inc\">inconveniences 2 cities</span>"));
	free(html);
	char *json = render(UCCN_AGENDA_JSON, w);
	assert_non_null(strstr(json, "{\"region\": \"Asia-Pacific\", \"cities\": 2, \"items\": 3, "
				     "\"items_in_daytime\": 1}"));
	/* the per-city detail */
	assert_non_null(strstr(json, "{\"city\": \"seoul\", \"name\": \"Seoul\", \"tz\": \"Asia/Seoul\", "
				     "\"region\": \"Asia-Pacific\", \"items_in_daytime\": 1, "
				     "\"items_outside_daytime\": 2}"));
	assert_non_null(strstr(json, "\"inconvenienced_count\": 3, \"inconvenienced\": "
				     "[\"katowice\", \"lagos\", \"port-louis\"]}"));
	free(json);
	free(w);
}

/* Each presenter's own local date and time, marked when it is not the
 * meeting's date; 08:20 the next day is daytime, not shaded. */
static void test_local_times_with_dates(void **state)
{
	(void)state;
	struct world *w = world_new();
	char *md = render(UCCN_AGENDA_MD, w);
	assert_non_null(strstr(md, "\n- Seoul: Wed 9 June 08:20 (+1 day) \u2014 "));
	/* the meeting's own city presents the opening: no line of its own */
	assert_null(strstr(md, "\n- Mexico City: "));
	free(md);
	char *html = render(UCCN_AGENDA_HTML, w);
	assert_non_null(strstr(html, "<strong>Seoul</strong>: Wed 9 June 08:20 (+1 day) \u2014 "));
	assert_non_null(strstr(html, "<td class=\"z\" data-z=\"UTC+09:00\"><span>08:20 (+1 day)</span></td>"));
	assert_non_null(strstr(html, "<td class=\"z\" data-z=\"UTC+12:00\"><span>11:20 (+1 day)</span></td>"));
	assert_non_null(strstr(html, "<td class=\"z night\" data-z=\"UTC+09:00\"><span>00:00 (+1 day)</span></td>"));
	assert_null(strstr(html, "+1d"));
	free(html);
	char *json = render(UCCN_AGENDA_JSON, w);
	assert_non_null(strstr(json, "\"presenter_start\": \"2027-06-09T08:20:00+09:00\""));
	assert_non_null(strstr(json, "\"start\": \"2027-06-08T17:20:00-06:00\""));
	free(json);
	free(w);
}

static void test_json_fields(void **state)
{
	(void)state;
	struct world *w = world_new();
	char *json = render(UCCN_AGENDA_JSON, w);
	static const char *const want[] = {
		"\"meeting\": \"music-2027\"",
		"\"title\": \"Cities of Music Annual Meeting 2027\"",
		"\"place\": \"Mexico City\"",
		"\"first_day\": \"2027-06-08\"",
		"\"last_day\": \"2027-06-09\"",
		"\"timezone\": \"America/Mexico_City\"",
		"{\"key\": \"post:7\", \"day\": 1, \"start\": \"2027-06-08T17:20:00-06:00\", "
		"\"end\": \"2027-06-08T17:50:00-06:00\", \"title\": ",
		"\"kind\": \"agenda-item\", \"seq\": 7, \"city\": \"seoul\", \"presenter\": \"Seoul\", "
		"\"minutes\": 30, \"priority\": \"normal\", \"remote\": true, "
		"\"body\": \"A festival of sound in every district, all year.\"",
		"{\"key\": \"break:1:1030\", \"day\": 1",
		"\"parts\": [{\"seq\": 11, \"city\": \"katowice\", \"presenter\": \"Katowice\", "
		"\"title\": \"Part one\"}, {\"seq\": 12,",
		"{\"key\": \"post:9\", \"title\": \"Choirs across the Tasman\", \"kind\": \"agenda-item\", "
		"\"seq\": 9, \"city\": \"auckland\", \"presenter\": \"Auckland\", \"minutes\": 60, "
		"\"priority\": \"high\"",
		"\"deferrals\": 1, \"reason\": \"every session of day 2 is full\", "
		"\"hint\": \"fits on day 2 if 'Opening' (low) is deferred\"}",
		"{\"code\": \"remote-night\", \"item\": \"post:7\", \"text\": \"a warning about post 7\"}",
		"{\"code\": \"zone-unknown\", \"item\": null, \"text\": \"a warning about no item\"}",
		"\"cost\": {\"deferred\": 40, \"night\": 1, \"moved\": 2, \"total\": 43}",
		"\"regions\": [",
		"\"participants\": [",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (!strstr(json, want[i]))
			fprintf(stderr, "missing: %s\n", want[i]);
		assert_non_null(strstr(json, want[i]));
	}
	free(json);
	free(w);
}

/* A showcase lists its posts inside it, in every format. */
static void test_showcase_parts(void **state)
{
	(void)state;
	struct world *w = world_new();
	char *md = render(UCCN_AGENDA_MD, w);
	assert_non_null(strstr(md, "  Good practice showcase\n  - Part one \u2014 Katowice (post 11)\n"));
	free(md);
	char *html = render(UCCN_AGENDA_HTML, w);
	assert_non_null(strstr(html, "<ul class=\"parts\"><li>Part one (Katowice)</li>"
				     "<li>- a dash first (Lagos)</li></ul>"));
	free(html);
	char *ics = render(UCCN_AGENDA_ICS, w);
	/* unfolded: a fold is CRLF and one space */
	char *q = ics;
	for (const char *p = ics; *p;)
		if (strncmp(p, "\r\n ", 3) == 0)
			p += 3;
		else
			*q++ = *p++;
	*q = '\0';
	assert_non_null(strstr(ics, "\nDESCRIPTION:- Part one - Katowice (post 11)\\n- - a dash first - Lagos (post 12)"));
	free(ics);
	free(w);
}

/* However many zones take part, at most 6 local-time columns a day, and
 * every participant's offset falls in one of them. */
static void test_zone_columns_grouped(void **state)
{
	(void)state;
	struct world *w = world_new();
	static struct uccn_agenda_participant many[48];
	for (size_t i = 0; i < 48; i++) {
		many[i] = w->parts[i % NCITIES];
		for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
			many[i].offset[d] = -10 * 60 + (int)i * 30;
	}
	w->in.participants = many;
	w->in.nparticipants = 48;
	char *html = render(UCCN_AGENDA_HTML, w);
	size_t n = 0;
	for (const char *p = html; (p = strstr(p, "<th class=\"z\">")) != NULL; p++)
		n++;
	assert_true(n >= 2 * 4 && n <= 2 * 6);
	assert_non_null(strstr(html, "UTC-16:00 to "));
	assert_non_null(strstr(html, " to +07:30"));
	free(html);
	free(w);
}

/* Found by fuzz_agenda: a meeting with nothing on it yet (no items) and a
 * day too short for breaks has no slots, and the builder sorted that NULL
 * array with qsort (undefined behaviour; make SAN=undefined aborted here).
 * It builds to an empty agenda that every format renders. */
static void test_empty_agenda_builds_and_renders(void **state)
{
	(void)state;
	struct uccn_agenda_input in = {.days = 2, .day_start = H(9, 0), .day_end = H(9, 30),
				       .hybrid = true};
	struct uccn_agenda a = {0};
	assert_int_equal(uccn_agenda_build(&in, &a), 0);
	assert_int_equal(a.nslots, 0);
	assert_int_equal(a.ndeferred, 0);
	struct uccn_agenda_meeting m = {.id = "empty", .title = "Nothing yet",
					.tz = "Europe/London", .year = 2027, .month = 6, .mday = 1};
	for (int f = UCCN_AGENDA_MD; f <= UCCN_AGENDA_JSON; f++) {
		char *out = NULL;
		size_t len = 0;
		assert_int_equal(uccn_agenda_render((enum uccn_agenda_format)f, &m, &in, &a, &out, &len), 0);
		assert_non_null(out);
		assert_true(len > 0);
		free(out);
	}
	uccn_agenda_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md_escapes_markup),
		cmocka_unit_test(test_md_no_line_over_200_bytes),
		cmocka_unit_test(test_md_cut_is_utf8_safe),
		cmocka_unit_test(test_region_summary),
		cmocka_unit_test(test_local_times_with_dates),
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_showcase_parts),
		cmocka_unit_test(test_zone_columns_grouped),
		cmocka_unit_test(test_empty_agenda_builds_and_renders),
	};
	return cmocka_run_group_tests_name("agenda_render_rules", tests, NULL, NULL);
}
