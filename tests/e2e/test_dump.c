/*
 * test_dump.c - end-to-end: uccnd --dump and --load. A store made by the
 * real daemon and CLI (cities, a field, a project, a meeting, posts to
 * all, a field, cities and a project, private messages, unread mailboxes)
 * is dumped, loaded into a fresh directory with the keys copied, and a
 * daemon there answers `list --json`, `city list --json` and `inbox` as
 * the original did, to the coordinator and to a member whose key still
 * works; the loaded store passes --check. A dump cut short, or with a
 * line that is not JSON, is refused naming the line, and nothing is made.
 */
#include "../harness/harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { KRAKOW, LODZ, GRANADA, NCITIES };
static const char *const city_ids[NCITIES] = {"krakow", "lodz", "granada"};

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
	char key[NCITIES][PATH_MAX];
	char *dump;   /* DIR/../dump file, in a scratch directory of its own */
	char *spare;  /* that scratch directory */
};

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	return s;
}

static void ok(struct fx *f, int rc)
{
	if (rc != 0)
		h_run_print(&f->r);
	assert_int_equal(rc, 0);
}

static void fill(struct fx *f)
{
	const h_daemon_t *d = f->d;
	const char *coord = d->coordinator_key;
	ok(f, h_uccn(&f->r, d, coord, NULL, "field", "add", "ceramics", NULL));
	ok(f, h_uccn(&f->r, d, coord, NULL, "project", "add", "bridges", "--title", "Bridges",
		     "--lead", "krakow", "--partner", "lodz", "--field", "literature", NULL));
	ok(f, h_uccn(&f->r, d, coord, NULL, "meeting", "add", "col-2027", "--kind",
		     "annual-meeting", "--field", "literature", "--host", "granada", "--start",
		     "2027-06-09", "--end", "2027-06-10", "--tz", "Europe/Madrid", NULL));
	ok(f, h_uccn(&f->r, d, f->key[KRAKOW], NULL, "post", "--to", "all", "to everyone", NULL));
	ok(f, h_uccn(&f->r, d, f->key[LODZ], NULL, "post", "--to", "field:literature",
		     "to literature", NULL));
	ok(f, h_uccn(&f->r, d, f->key[GRANADA], NULL, "post", "--kind", "message", "--to",
		     "city:krakow", "a private word, \"quoted\", with a tab\tand é", NULL));
	ok(f, h_uccn(&f->r, d, f->key[KRAKOW], NULL, "post", "--project", "bridges", "--to",
		     "project:bridges", "--title", "Kick-off", "project news", NULL));
	ok(f, h_uccn(&f->r, d, f->key[LODZ], NULL, "post", "--meeting", "col-2027", "--kind",
		     "agenda-item", "--minutes", "20", "a talk", NULL));
	ok(f, h_uccn(&f->r, d, f->key[KRAKOW], NULL, "post", "--key-id", "k1", "--to",
		     "city:lodz", "--to", "city:granada", "twice named once", NULL));
	/* A city imported without a key, and its invitation, pending. */
	char *csv = xasprintf("%s/cities.csv", f->spare);
	FILE *out = fopen(csv, "w");
	assert_non_null(out);
	fputs("city,field\ntartu,literature\n", out);
	assert_int_equal(fclose(out), 0);
	ok(f, h_uccn(&f->r, d, coord, NULL, "import", "cities", csv, NULL));
	free(csv);
	ok(f, h_uccn(&f->r, d, coord, NULL, "city", "invite", "tartu", "--expires", "7d", NULL));
	/* A published agenda. */
	ok(f, h_uccn(&f->r, d, coord, NULL, "agenda", "col-2027", "--publish", NULL));
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	bool good = h_daemon_up(&f->dir, &f->d) == 0;
	static const char *const names[NCITIES] = {"Krakow", "Lodz", "Granada"};
	for (int i = 0; good && i < NCITIES; i++)
		good = h_city_register(f->d, city_ids[i], names[i], f->key[i]) == 0;
	if (good)
		good = (f->spare = h_tmpdir_new()) != NULL;
	if (!good) {
		h_daemon_down(&f->dir, &f->d);
		free(f);
		return -1;
	}
	f->dump = xasprintf("%s/store.jsonl", f->spare);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	h_tmpdir_destroy(&f->spare);
	free(f->dump);
	free(f);
	return 0;
}

static int uccnd(struct fx *f, const char *a, const char *b, const char *c, const char *d)
{
	char *path = xasprintf("%s/uccnd", h_bin_dir());
	char *argv[] = {path, (char *)a, (char *)b, (char *)c, (char *)d, NULL};
	int rc = h_run(&f->r, argv, NULL, 60000);
	free(path);
	return rc;
}

/* What a reader sees: the listings, as key holds them. */
static char *views(struct fx *f, h_daemon_t *d, const char *key)
{
	char *all = NULL;
	static const char *const cmds[][6] = {
		{"list", "--json", "--limit", "500", NULL},
		{"city", "list", "--json", NULL},
		{"field", "list", NULL},
		{"project", "list", NULL},
		{"meeting", "list", NULL},
		{"inbox", "--json", NULL},
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		ok(f, h_uccnv(&f->r, d, key, NULL, (char *const *)cmds[i]));
		char *next = xasprintf("%s== %s\n%s", all ? all : "", cmds[i][0], f->r.out);
		free(all);
		all = next;
	}
	return all;
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
	char *a = xasprintf("%s/%s", from_dir, name), *b = xasprintf("%s/%s", to_dir, name);
	size_t n = 0;
	char *text = h_read_file(a, &n);
	assert_non_null(text);
	FILE *out = fopen(b, "w");
	assert_non_null(out);
	assert_int_equal(fwrite(text, 1, n, out), n);
	assert_int_equal(fclose(out), 0);
	chmod(b, 0600);
	free(text);
	free(a);
	free(b);
}

static void test_dump_load_same_views(void **state)
{
	struct fx *f = *state;
	fill(f);
	char *as_coord = views(f, f->d, f->d->coordinator_key);
	char *as_lodz = views(f, f->d, f->key[LODZ]);
	/* Dumped while the daemon serves: a snapshot, as --check reads. */
	assert_int_equal(uccnd(f, "--dump", "--data", f->dir, NULL), 0);
	char *live = strdup(f->r.out);
	assert_int_equal(h_daemon_stop(f->d), 0);
	assert_int_equal(uccnd(f, "--dump", "--data", f->dir, "-o"), 2); /* -o needs FILE */
	char *path = xasprintf("%s/uccnd", h_bin_dir());
	char *argv[] = {path, "--dump", "--data", f->dir, "-o", f->dump, NULL};
	h_run(&f->r, argv, NULL, 60000);
	h_assert_exit(&f->r, 0);
	free(path);
	char *stopped = h_read_file(f->dump, NULL);
	assert_non_null(stopped);
	assert_string_equal(live, stopped);
	assert_non_null(strstr(stopped, "{\"uccn_dump\":1,\"format\":3,"));

	char *fresh = xasprintf("%s/loaded", f->spare);
	assert_int_equal(uccnd(f, "--load", f->dump, "--data", fresh), 0);
	assert_int_equal(uccnd(f, "--load", f->dump, "--data", fresh), 1);
	assert_non_null(strstr(f->r.err, "already holds a store"));
	copy_file(f->dir, fresh, "server.key");
	copy_file(f->dir, fresh, "server.pub");
	copy_file(f->dir, fresh, "coordinator.key");
	assert_int_equal(uccnd(f, "--check", fresh, NULL, NULL), 0);
	/* Every record came back: the loaded store dumps the same. */
	assert_int_equal(uccnd(f, "--dump", "--data", fresh, NULL), 0);
	assert_string_equal(f->r.out, stopped);
	assert_non_null(strstr(stopped, "{\"table\":\"invites\",\"key\":\""));
	assert_non_null(strstr(stopped, "{\"table\":\"agendas\",\"key\":[\"col-2027\",1]"));
	assert_non_null(strstr(stopped, "{\"table\":\"imported\",\"key\":\"tartu\""));

	h_daemon_t *d2 = h_daemon_new(fresh);
	assert_non_null(d2);
	assert_int_equal(h_daemon_start(d2), 0);
	char *again_coord = views(f, d2, d2->coordinator_key);
	char *again_lodz = views(f, d2, f->key[LODZ]);
	assert_string_equal(as_coord, again_coord);
	assert_string_equal(as_lodz, again_lodz);
	/* The member's key still works for writing, and numbers go on. */
	ok(f, h_uccn(&f->r, d2, f->key[LODZ], NULL, "post", "after the move", NULL));
	ok(f, h_uccn(&f->r, d2, f->key[LODZ], NULL, "list", "--limit", "1", NULL));
	assert_non_null(strstr(f->r.out, "after the move"));
	assert_int_equal(h_daemon_stop(d2), 0);
	h_daemon_destroy(&d2); /* checks the loaded store, as every store */
	free(again_coord);
	free(again_lodz);
	free(fresh);
	free(as_coord);
	free(as_lodz);
	free(live);
	free(stopped);
}

/* Write the first n bytes of text to path. */
static void write_part(const char *path, const char *text, size_t n)
{
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	assert_int_equal(fwrite(text, 1, n, out), n);
	assert_int_equal(fclose(out), 0);
}

static void refused(struct fx *f, const char *dump, const char *why)
{
	char *fresh = xasprintf("%s/refused", f->spare);
	assert_int_equal(uccnd(f, "--load", dump, "--data", fresh), 1);
	if (!strstr(f->r.err, why))
		h_run_print(&f->r);
	assert_non_null(strstr(f->r.err, why));
	char *data = xasprintf("%s/data.mdb", fresh);
	assert_int_not_equal(access(data, F_OK), 0); /* nothing made */
	free(data);
	free(fresh);
}

static void test_load_refuses_a_bad_dump(void **state)
{
	struct fx *f = *state;
	fill(f);
	assert_int_equal(h_daemon_stop(f->d), 0);
	char *path = xasprintf("%s/uccnd", h_bin_dir());
	char *argv[] = {path, "--dump", "--data", f->dir, "-o", f->dump, NULL};
	h_run(&f->r, argv, NULL, 60000);
	h_assert_exit(&f->r, 0);
	free(path);
	size_t n = 0;
	char *text = h_read_file(f->dump, &n);
	assert_non_null(text);
	char *bad = xasprintf("%s/bad.jsonl", f->spare);

	/* Cut mid-line: the last line does not end. */
	size_t lines = 0, cut = n / 2;
	for (size_t i = 0; i < cut; i++)
		lines += text[i] == '\n';
	write_part(bad, text, cut);
	char want[128];
	snprintf(want, sizeof want, "line %zu: the line does not end", lines + 1);
	refused(f, bad, want);

	/* Cut after a whole line: the header's counts say more. */
	char *end_of_line = memchr(text + cut, '\n', n - cut);
	assert_non_null(end_of_line);
	write_part(bad, text, (size_t)(end_of_line - text) + 1);
	snprintf(want, sizeof want, "line %zu: the dump ends with ", lines + 2);
	refused(f, bad, want);

	/* A line that is not JSON: the third. */
	char *second_end = strchr(strchr(text, '\n') + 1, '\n');
	FILE *out = fopen(bad, "w");
	assert_non_null(out);
	fwrite(text, 1, (size_t)(second_end - text) + 1, out);
	fputs("{\"table\": \"posts\", oops\n", out);
	fputs(second_end + 1, out);
	fclose(out);
	refused(f, bad, "line 3: not JSON");

	/* An empty file is no dump. */
	write_part(bad, "", 0);
	refused(f, bad, "line 0: the file is empty");

	/* A sequence key past the header's last_seq: refused, so no store
	 * ever holds a number its sequence cannot reach. */
	static const char counts[] = "\"counts\": {\"cities\": 0, \"city_keys\": 0, "
		"\"posts\": 0, \"log\": %d, \"idem\": 0, \"heads\": 0, \"marks\": 0, "
		"\"fields\": 0, \"projects\": 0, \"meetings\": 0, \"mailbox\": 0, "
		"\"access\": %d, \"agendas\": 0, \"invites\": 0, \"imported\": 0, "
		"\"mailbox_senders\": 0}}\n";
	out = fopen(bad, "w");
	assert_non_null(out);
	fputs("{\"uccn_dump\": 1, \"format\": 3, \"last_seq\": 1, ", out);
	fprintf(out, counts, 1, 0);
	fputs("{\"table\":\"log\",\"key\":1000000000000000,\"value\":{\"t\":\"city\",\"id\":\"x\"}}\n",
	      out);
	fclose(out);
	refused(f, bad, "line 2: its key is not one of its table's keys");

	/* An entry too long for a sorted-duplicate table: refused by name,
	 * not handed to LMDB, which does not allow it there. */
	out = fopen(bad, "w");
	assert_non_null(out);
	fputs("{\"uccn_dump\": 1, \"format\": 3, \"last_seq\": 1, ", out);
	fprintf(out, counts, 0, 1);
	fprintf(out, "{\"table\":\"access\",\"key\":1,\"value\":\"%0300d\"}\n", 0);
	fclose(out);
	refused(f, bad, "an entry of 300 bytes in table access");

	/* A header whose last_seq is the largest number there is, with a
	 * change under it: it loads, and --check says the sequence is
	 * damaged instead of making a slot for every number (it aborted
	 * with a wrapped allocation before). */
	out = fopen(bad, "w");
	assert_non_null(out);
	fputs("{\"uccn_dump\": 1, \"format\": 3, \"last_seq\": 18446744073709551615, ", out);
	fprintf(out, counts, 1, 0);
	fputs("{\"table\":\"log\",\"key\":18446744073709551615,"
	      "\"value\":{\"t\":\"city\",\"id\":\"x\"}}\n", out);
	fclose(out);
	char *odd = xasprintf("%s/odd", f->spare);
	assert_int_equal(uccnd(f, "--load", bad, "--data", odd), 0);
	assert_int_equal(uccnd(f, "--check", odd, NULL, NULL), 1);
	assert_non_null(strstr(f->r.out, "sequence 18446744073709551615: is the newest number"));
	free(odd);
	free(bad);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dump_load_same_views, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_a_bad_dump, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
