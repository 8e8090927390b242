/*
 * test_check.c - end-to-end: uccnd --check on real stores. A store made by
 * the real daemon and CLI (cities, chains long enough for marks,
 * mailboxes, private messages) passes; the same store damaged so that
 * every value still passes its checksum but the records disagree (a chain
 * link skipping a post, a mailbox entry naming no post, a change-log entry
 * gone) fails, each problem named with its table and key; and a check
 * while the daemon serves and writers post passes and leaves the daemon
 * serving. The damage is done with the store library itself, so each
 * value is sealed as the daemon would seal it.
 */
#include "../harness/harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_int.h"
#include "uccn_error.h"

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

/* More than MARK_EVERY posts in krakow's chain, so that it has a mark. */
#define KRAKOW_POSTS (MARK_EVERY + 6)

enum { KRAKOW, LODZ, GRANADA, NCITIES };
static const char *const city_ids[NCITIES] = {"krakow", "lodz", "granada"};

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
	char key[NCITIES][PATH_MAX];
};

static void post_as(struct fx *f, int city, const char *to, const char *body)
{
	if (to)
		h_uccn(&f->r, f->d, f->key[city], NULL, "post", "--kind", "message", "--to", to,
		       body, NULL);
	else
		h_uccn(&f->r, f->d, f->key[city], NULL, "post", body, NULL);
	h_assert_exit(&f->r, 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	bool ok = h_daemon_up(&f->dir, &f->d) == 0;
	static const char *const names[NCITIES] = {"Krakow", "Lodz", "Granada"};
	for (int i = 0; ok && i < NCITIES; i++)
		ok = h_city_register(f->d, city_ids[i], names[i], f->key[i]) == 0;
	if (!ok) {
		h_daemon_down(&f->dir, &f->d);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

/* Chains, marks, mailboxes, readers, idempotency keys. */
static void fill(struct fx *f)
{
	char body[64];
	for (int i = 0; i < KRAKOW_POSTS; i++) {
		snprintf(body, sizeof body, "news %d from Krakow", i);
		post_as(f, KRAKOW, NULL, body);
	}
	post_as(f, KRAKOW, "city:lodz", "a private word for Lodz");
	post_as(f, GRANADA, "city:lodz", "and one from Granada");
	post_as(f, LODZ, "all", "hello everyone");
	h_uccn(&f->r, f->d, f->key[GRANADA], NULL, "post", "--key-id", "once-only",
	       "posted once", NULL);
	h_assert_exit(&f->r, 0);
}

static void run_check(struct fx *f, bool json)
{
	char *path = xasprintf("%s/uccnd", h_bin_dir());
	char *argv[] = {path, "--check", f->dir, json ? "--json" : NULL, NULL};
	h_run(&f->r, argv, NULL, 60000);
	free(path);
}

/* ---- damage, with the store library ---- */

struct damage {
	uint64_t skipped;  /* the krakow post the chain no longer reaches */
	uint64_t gone_log; /* the change-log entry deleted */
};

static int relink(struct uccn_txn *t, void *ctx)
{
	struct damage *dm = ctx;
	char kb[CHAIN_KEY_MAX];
	MDB_val k, v, pv;
	assert_true(store_chain_key(CH_CITY, "krakow", kb, &k));
	assert_int_equal(store_get(t, DB_HEADS, &k, &v), 0);
	uint64_t newest = be64(v.mv_data), prev, prev2;
	assert_int_equal(store_post_val(t, newest, &pv), 0);
	assert_int_equal(store_post_link(&pv, newest, CH_CITY, &prev), 0);
	MDB_val prev_val;
	assert_int_equal(store_post_val(t, prev, &prev_val), 0);
	assert_int_equal(store_post_link(&prev_val, prev, CH_CITY, &prev2), 0);
	/* The newest post now links past the one before it: sealed anew. */
	unsigned char *copy = malloc(pv.mv_size);
	assert_non_null(copy);
	memcpy(copy, pv.mv_data, pv.mv_size);
	seq_encode(prev2, copy + 8 * CH_CITY);
	unsigned char sb[8];
	seq_encode(newest, sb);
	MDB_val sk = val_of(sb, 8), body = val_of(copy, pv.mv_size);
	int rc = store_put(t, DB_POSTS, &sk, &body, 0);
	free(copy);
	dm->skipped = prev;
	return rc;
}

static int orphan_mail(struct uccn_txn *t, void *ctx)
{
	(void)ctx;
	unsigned char sb[8];
	seq_encode(999999, sb);
	MDB_val k = str_val("lodz"), v = val_of(sb, 8);
	return store_put(t, DB_MAILBOX, &k, &v, 0);
}

/* The change-log entry of granada's registration: older than the posts. */
static int drop_log(struct uccn_txn *t, void *ctx)
{
	struct damage *dm = ctx;
	MDB_cursor *c;
	MDB_val k, v;
	assert_int_equal(mdb_cursor_open(t->cur, t->s->dbi[DB_LOG], &c), 0);
	int rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	assert_int_equal(rc, 0);
	dm->gone_log = seq_decode(&k);
	rc = mdb_cursor_del(c, 0);
	mdb_cursor_close(c);
	return rc ? UCCN_E_IO : 0;
}

static void damage(struct fx *f, uccn_write_fn fn, struct damage *dm)
{
	struct uccn_store *s = NULL;
	char err[256];
	assert_int_equal(uccn_store_open(&s, f->dir, 0, err, sizeof err), 0);
	assert_int_equal(uccn_store_write(s, fn, dm), 0);
	uccn_store_close(&s);
}

/* ---- tests ---- */

static void test_check_clean_store(void **state)
{
	struct fx *f = *state;
	fill(f);
	assert_int_equal(h_daemon_stop(f->d), 0);
	run_check(f, false);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, ": 0 inconsistencies"));
	assert_non_null(strstr(f->r.out, "pages checked"));
	run_check(f, true);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "\"inconsistencies\": 0"));
}

static void test_check_names_each_inconsistency(void **state)
{
	struct fx *f = *state;
	struct damage dm = {0};
	char want[160];
	/* Granada registers last, before any post: its change is the last
	 * of the log, and posts follow it. */
	fill(f);
	assert_int_equal(h_daemon_stop(f->d), 0);
	h_daemon_skip_check(f->d);
	run_check(f, false);
	h_assert_exit(&f->r, 0);

	damage(f, relink, &dm);
	damage(f, orphan_mail, &dm);
	damage(f, drop_log, &dm);
	run_check(f, false);
	if (f->r.status != 1)
		h_run_print(&f->r);
	assert_int_equal(f->r.status, 1);
	snprintf(want, sizeof want, "posts %llu: is not reached from the head of chain city:krakow",
		 (unsigned long long)dm.skipped);
	assert_non_null(strstr(f->r.out, want));
	snprintf(want, sizeof want, "chain city:krakow: its head counts %d posts, %d reached",
		 KRAKOW_POSTS + 1, KRAKOW_POSTS);
	assert_non_null(strstr(f->r.out, want));
	assert_non_null(strstr(f->r.out, "mailbox lodz: entry 999999 names no post"));
	snprintf(want, sizeof want, "log %llu: is missing: neither a post nor a change",
		 (unsigned long long)dm.gone_log);
	assert_non_null(strstr(f->r.out, want));
	assert_non_null(strstr(f->r.out, ": 4 inconsistencies"));

	run_check(f, true);
	assert_int_equal(f->r.status, 1);
	assert_non_null(strstr(f->r.out, "{\"table\": \"mailbox\", \"key\": \"lodz\", "
					 "\"problem\": \"entry 999999 names no post\"}"));
	assert_non_null(strstr(f->r.out, "\"inconsistencies\": 4"));
}

static void test_check_while_serving(void **state)
{
	struct fx *f = *state;
	char *uccn = xasprintf("%s/uccn", h_bin_dir());
	char *script = xasprintf(
		"i=0; while [ $i -lt 40 ]; do \"%s\" --endpoint %s --server-key %s --key %s "
		"post \"busy $i\" >/dev/null || exit 1; i=$((i+1)); done",
		uccn, f->d->endpoint, f->d->server_pub, f->key[KRAKOW]);
	char *argv[] = {"/bin/sh", "-c", script, NULL};
	pid_t writer = h_spawn(argv, -1, -1, 2);
	assert_true(writer > 0);
	int checks = 0, status = 0;
	while (waitpid(writer, &status, WNOHANG) == 0 || checks == 0) {
		run_check(f, false);
		h_assert_exit(&f->r, 0);
		assert_non_null(strstr(f->r.out, "pages not walked (a uccnd serves the directory)"));
		checks++;
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(checks >= 1);
	/* The daemon serves on, every post there. */
	assert_true(h_daemon_running(f->d));
	h_uccn(&f->r, f->d, f->key[KRAKOW], NULL, "list", "--city", "krakow", "--limit", "100",
	       NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "busy 39"));
	assert_non_null(strstr(f->r.out, "busy 0"));
	free(script);
	free(uccn);
}

static void test_check_usage(void **state)
{
	struct fx *f = *state;
	char *path = xasprintf("%s/uccnd", h_bin_dir());
	char *json_alone[] = {path, "--json", NULL};
	h_run(&f->r, json_alone, NULL, 10000);
	h_assert_exit(&f->r, 2);
	char *two[] = {path, "--check", f->dir, "--listen", "tcp://127.0.0.1:1", NULL};
	h_run(&f->r, two, NULL, 10000);
	h_assert_exit(&f->r, 2);
	char *empty_dir = h_tmpdir_new();
	char *none[] = {path, "--check", empty_dir, NULL};
	h_run(&f->r, none, NULL, 10000);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "holds no store"));
	h_tmpdir_destroy(&empty_dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_clean_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_names_each_inconsistency, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_while_serving, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_usage, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
