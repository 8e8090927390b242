/*
 * test_agenda_print.c - end-to-end: a network conference of all 350 cities
 * (examples/data/uccn-cities.csv), hybrid, with presenters on every
 * continent. Its HTML prints (headless Chromium) within 3 A4 pages a day,
 * no Markdown line passes 200 bytes, and the JSON validates against
 * docs/agenda.schema.json.
 */
#include "../harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CITIES_CSV "examples/data/uccn-cities.csv"
#define SCHEMA "docs/agenda.schema.json"
#define CHECKER "tests/tools/check_agenda_json.py"
#define DAYS 2
#define PAGES_PER_DAY 3

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
};

#define COORD(f) ((f)->d->coordinator_key)

/* Presenters on every continent; remote ones join on-line. */
static const struct {
	const char *city, *title, *minutes;
	bool remote;
} posts[] = {
	{"seoul", "Design weeks as city policy", "30", true},
	{"busan", "Film festivals after streaming", "25", true},
	{"sydney", "Screen careers for young people", "20", true},
	{"auckland", "Music in every school", "30", true},
	{"dunedin", "Writers in residence across the Tasman", "20", true},
	{"melbourne", "Book town partnerships", "25", true},
	{"bogota", "Music districts and night-time economy", "30", true},
	{"mexico-city", "Public space by design", "30", true},
	{"iowa-city", "Translation grants", "20", true},
	{"buenos-aires", "Design and the circular economy", "25", true},
	{"chennai", "Carnatic music education", "30", true},
	{"hamamatsu", "Instrument makers and the city", "20", true},
	{"cape-town", "Design for informal settlements", "30", false},
	{"durban", "Poetry Africa", "20", false},
	{"krakow", "The Milosz festival exchange", "30", false},
	{"shenzhen", "Design and manufacturing", "25", true},
	{"bandung", "Creative kampungs", "25", true},
	{"montreal", "Festivals and climate", "20", true},
};
#define NPOSTS (sizeof posts / sizeof posts[0])

static int teardown(void **state)
{
	struct fx *f = *state;
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	*state = f;
	if (h_daemon_up(&f->dir, &f->d) != 0)
		goto fail;
	h_uccn(&f->r, f->d, COORD(f), NULL, "import", "cities", CITIES_CSV, NULL);
	if (f->r.status != 0)
		goto fail;
	h_uccn(&f->r, f->d, COORD(f), NULL, "meeting", "add", "conf-2027", "--kind", "conference",
	       "--host", "krakow,katowice", "--start", "2027-06-08", "--end", "2027-06-09", "--tz",
	       "Europe/Warsaw", "--place", "Kraków and Katowice", "--hybrid", NULL);
	if (f->r.status != 0)
		goto fail;
	for (size_t i = 0; i < NPOSTS; i++) {
		char key[PATH_MAX], pub[UCCN_KEY_Z85_LEN + 1];
		snprintf(key, sizeof key, "%s/%s.key", f->dir, posts[i].city);
		if (h_keygen(key, pub) != 0)
			goto fail;
		h_uccn(&f->r, f->d, COORD(f), NULL, "city", "rekey", posts[i].city, "--key", pub, NULL);
		if (f->r.status != 0)
			goto fail;
		if (posts[i].remote)
			h_uccn(&f->r, f->d, key, NULL, "post", "--kind", "agenda-item", "--meeting",
			       "conf-2027", "--title", posts[i].title, "--minutes", posts[i].minutes,
			       "--remote", posts[i].title, NULL);
		else
			h_uccn(&f->r, f->d, key, NULL, "post", "--kind", "agenda-item", "--meeting",
			       "conf-2027", "--title", posts[i].title, "--minutes", posts[i].minutes,
			       posts[i].title, NULL);
		if (f->r.status != 0)
			goto fail;
	}
	return 0;
fail:
	h_run_print(&f->r);
	teardown(state);
	return -1;
}

static void render_to(struct fx *f, const char *fmt, const char *path)
{
	h_uccn(&f->r, f->d, COORD(f), NULL, "agenda", "conf-2027", "--format", fmt, "-o", path, NULL);
	if (f->r.status != 0)
		h_run_print(&f->r);
	h_assert_exit(&f->r, 0);
}

/* Pages of a PDF: its page objects ("/Type /Page", never "/Pages"). */
static size_t pdf_pages(const char *pdf, size_t len)
{
	static const char tag[] = "/Type /Page";
	size_t n = 0;
	for (size_t i = 0; i + sizeof tag - 1 < len; i++)
		if (memcmp(pdf + i, tag, sizeof tag - 1) == 0 && pdf[i + sizeof tag - 1] != 's')
			n++;
	return n;
}

static void test_conference_prints_within_three_pages_a_day(void **state)
{
	struct fx *f = *state;
	char html[PATH_MAX], pdf[PATH_MAX], url[PATH_MAX + 8], profile[PATH_MAX + 32], arg[PATH_MAX + 32];
	snprintf(html, sizeof html, "%s/agenda.html", f->dir);
	snprintf(pdf, sizeof pdf, "%s/agenda.pdf", f->dir);
	render_to(f, "html", html);
	snprintf(url, sizeof url, "file://%s", html);
	snprintf(profile, sizeof profile, "--user-data-dir=%s/chromium", f->dir);
	snprintf(arg, sizeof arg, "--print-to-pdf=%s", pdf);
	char *chromium[] = {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
			    "--no-first-run", "--disable-background-networking",
			    "--disable-component-update", "--disable-sync", profile,
			    "--no-pdf-header-footer", arg, url, NULL};
	h_run(&f->r, chromium, NULL, 120000);
	if (f->r.status != 0)
		h_run_print(&f->r);
	h_assert_exit(&f->r, 0);
	size_t len = 0;
	char *bytes = h_read_file(pdf, &len);
	assert_non_null(bytes);
	size_t pages = pdf_pages(bytes, len);
	fprintf(stderr, "conference of 350 cities, %d days: %zu A4 pages\n", DAYS, pages);
	assert_true(pages >= 1);
	assert_true(pages <= PAGES_PER_DAY * DAYS);
	free(bytes);
}

static void test_conference_markdown_lines(void **state)
{
	struct fx *f = *state;
	char md[PATH_MAX];
	snprintf(md, sizeof md, "%s/agenda.md", f->dir);
	render_to(f, "md", md);
	size_t len = 0, longest = 0, lines = 0;
	char *text = h_read_file(md, &len);
	assert_non_null(text);
	for (const char *p = text; p < text + len;) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
		if (n > 200)
			fprintf(stderr, "line of %zu bytes: %.100s\n", n, p);
		assert_true(n <= 200);
		longest = n > longest ? n : longest;
		lines++;
		p += n + 1;
	}
	fprintf(stderr, "Markdown: %zu bytes, %zu lines, the longest %zu bytes\n", len, lines, longest);
	/* counts, not the names of hundreds of cities */
	assert_true(len < 64 * 1024);
	assert_non_null(strstr(text, "inconveniences "));
	assert_non_null(strstr(text, "## Daytime by region"));
	free(text);
}

/* The JSON against the documented schema, by an independent validator
 * (Python's jsonschema, from Debian). */
static void test_conference_json_schema(void **state)
{
	struct fx *f = *state;
	char json[PATH_MAX];
	snprintf(json, sizeof json, "%s/agenda.json", f->dir);
	render_to(f, "json", json);
	char *py[] = {"/usr/bin/python3", CHECKER, SCHEMA, json, NULL};
	h_run(&f->r, py, NULL, 60000);
	if (f->r.status != 0)
		h_run_print(&f->r);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "ok "));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		T(test_conference_prints_within_three_pages_a_day),
		T(test_conference_markdown_lines),
		T(test_conference_json_schema),
	};
	return cmocka_run_group_tests_name("e2e_agenda_print", tests, NULL, NULL);
}
