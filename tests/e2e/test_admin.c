/*
 * test_admin.c - end-to-end: the coordinator's administration (issue 15,
 * items 3 and 6). The coordinator's role handed to another city in one
 * step, and kept across a restart; a city's key replaced with the new pair
 * written where the old key file was; uccnd's log level set at run time
 * and put back by a reload. Each through the real uccn, as a person would.
 */
#include "../harness/harness.h"
#include "../harness/harness_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
	char krakow[PATH_MAX]; /* a member with a key */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	if (h_daemon_up(&f->dir, &f->d) != 0 ||
	    h_city_register(f->d, "krakow", "Krak\xc3\xb3w", f->krakow) != 0) {
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

/* ---- the daemon's log ---- */

static size_t log_size(const h_daemon_t *d)
{
	size_t n = 0;
	free(h_read_file(d->log, &n));
	return n;
}

/* Whether the log holds text after offset (polled: a line may follow its
 * reply by a moment). */
static bool log_shows(const h_daemon_t *d, size_t offset, const char *text, int ms)
{
	for (int64_t t0 = h_now_ms();; h_sleep_ms(50)) {
		size_t n = 0;
		char *log = h_read_file(d->log, &n);
		bool found = log && n >= offset && strstr(log + offset, text);
		free(log);
		if (found || h_now_ms() - t0 >= ms)
			return found;
	}
}

/* ---- what a city's record says ---- */

/* The role of city id, as `city show --json` gives it (static buffer). */
static const char *role_of(struct fx *f, const char *id, uint64_t *seq)
{
	static char role[32];
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "--json", "city", "show", id, NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	snprintf(role, sizeof role, "%s", h_json_str(h_json_get(j, "role")) ?
		 h_json_str(h_json_get(j, "role")) : "");
	if (seq)
		*seq = h_json_u64(h_json_get(j, "seq"));
	h_json_destroy(&j);
	return role;
}

/* A coordinator's op (adding a creative field) run with key: uccn's exit. */
static int add_field(struct fx *f, const char *key, const char *name)
{
	return h_uccn(&f->r, f->d, key, NULL, "field", "add", name, NULL);
}

/* ---- admin handover ---- */

/* What may not be handed over, and to whom: nothing changes. */
static void test_handover_refused(void **state)
{
	struct fx *f = *state;
	const char *coord = f->d->coordinator_key;
	/* A city with no key (imported): it could never use the role. */
	char *csv = h_xasprintf("%s/cities.csv", f->dir);
	FILE *out = fopen(csv, "w");
	assert_non_null(out);
	fputs("city,field\nTartu,literature\n", out);
	assert_int_equal(fclose(out), 0);
	h_uccn(&f->r, f->d, coord, NULL, "import", "cities", csv, NULL);
	h_assert_exit(&f->r, 0);
	free(csv);

	/* A member may not hand over what it does not hold. */
	h_uccn(&f->r, f->d, f->krakow, NULL, "admin", "handover", "krakow", NULL);
	h_assert_exit(&f->r, 4);
	h_uccn(&f->r, f->d, coord, NULL, "admin", "handover", "nowhere", NULL);
	h_assert_exit(&f->r, 3);
	assert_non_null(strstr(f->r.err, "nowhere"));
	h_uccn(&f->r, f->d, coord, NULL, "admin", "handover", "coordinator", NULL);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "invalid"));
	h_uccn(&f->r, f->d, coord, NULL, "admin", "handover", "tartu", NULL);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "no key"));
	h_uccn(&f->r, f->d, coord, NULL, "admin", "handover", NULL);
	h_assert_exit(&f->r, 2);
	/* A field's deputy would leave its field without one unnoticed. */
	char *deputy = h_xasprintf("%s/bradford.key", f->dir);
	char pub[UCCN_KEY_Z85_LEN + 1];
	assert_int_equal(h_keygen(deputy, pub), 0);
	h_uccn(&f->r, f->d, coord, NULL, "city", "add", "bradford", "--name", "Bradford",
	       "--field", "film", "--role", "deputy", "--key", pub, NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, coord, NULL, "admin", "handover", "bradford", NULL);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "deputy"));
	free(deputy);

	assert_string_equal(role_of(f, "coordinator", NULL), "coordinator");
	assert_string_equal(role_of(f, "krakow", NULL), "member");
	assert_string_equal(role_of(f, "tartu", NULL), "member");
	assert_string_equal(role_of(f, "bradford", NULL), "deputy");
}

/* The role moves in one step: the new coordinator may, the old one may
 * not, both changes are in the log, and a restart keeps it so. */
static void test_handover_moves_the_role(void **state)
{
	struct fx *f = *state;
	const char *coord = f->d->coordinator_key;
	size_t mark = log_size(f->d);
	h_uccn(&f->r, f->d, coord, NULL, "admin", "handover", "krakow", NULL);
	h_assert_exit(&f->r, 0);
	assert_string_equal(f->r.out,
			    "krakow is now the network's coordinator; coordinator is now a member\n");
	assert_true(log_shows(f->d, mark, "info: coordinator handed over from coordinator to krakow",
			      5000));

	/* Both records changed, the old coordinator's first, one number after
	 * the other. */
	uint64_t new_seq = 0, old_seq = 0;
	assert_string_equal(role_of(f, "krakow", &new_seq), "coordinator");
	assert_string_equal(role_of(f, "coordinator", &old_seq), "member");
	assert_true(old_seq > 0);
	assert_int_equal(new_seq, old_seq + 1);

	/* The old coordinator is refused a coordinator's op, the new one not. */
	assert_int_equal(add_field(f, coord, "puppetry"), 4);
	assert_int_equal(add_field(f, f->krakow, "puppetry"), 0);
	h_uccn(&f->r, f->d, coord, NULL, "admin", "handover", "coordinator", NULL);
	h_assert_exit(&f->r, 4);

	/* A restart registers nothing again and gives nothing back. */
	assert_int_equal(h_daemon_stop(f->d), 0);
	assert_int_equal(h_daemon_start(f->d), 0);
	assert_string_equal(role_of(f, "krakow", NULL), "coordinator");
	assert_string_equal(role_of(f, "coordinator", NULL), "member");
	assert_int_equal(add_field(f, coord, "circus"), 4);
	assert_int_equal(add_field(f, f->krakow, "circus"), 0);

	/* And back, as a script would read it. */
	h_uccn(&f->r, f->d, f->krakow, NULL, "--json", "admin", "handover", "coordinator", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	assert_string_equal(h_json_str(h_json_get(j, "coordinator")), "coordinator");
	assert_string_equal(h_json_str(h_json_get(j, "was")), "krakow");
	uint64_t seq = h_json_u64(h_json_get(j, "seq"));
	h_json_destroy(&j);
	uint64_t now_seq = 0;
	assert_string_equal(role_of(f, "coordinator", &now_seq), "coordinator");
	assert_int_equal(now_seq, seq);
	assert_string_equal(role_of(f, "krakow", NULL), "member");
}

/* ---- city rekey --write ---- */

static char *copy_file(const char *from, const char *to)
{
	size_t n = 0;
	char *text = h_read_file(from, &n);
	assert_non_null(text);
	FILE *out = fopen(to, "w");
	assert_non_null(out);
	assert_int_equal(fwrite(text, 1, n, out), n);
	assert_int_equal(fclose(out), 0);
	return text;
}

/* The coordinator replaces its own key, the new pair written over the key
 * file in use: that file works at once, a copy of the old key is refused. */
static void test_rekey_own_key_file(void **state)
{
	struct fx *f = *state;
	const char *coord = f->d->coordinator_key;
	char *old = h_xasprintf("%s/old-coordinator.key", f->dir);
	char *was = copy_file(coord, old);

	h_uccn(&f->r, f->d, coord, NULL, "city", "rekey", "coordinator", "--write", coord, NULL);
	h_assert_exit(&f->r, 0);
	assert_null(strstr(f->r.err, "warning"));
	char *now = h_read_file(coord, NULL);
	assert_non_null(now);
	assert_string_not_equal(now, was);
	struct stat st;
	assert_int_equal(stat(coord, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	h_uccn(&f->r, f->d, coord, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);
	assert_int_equal(add_field(f, coord, "puppetry"), 0);
	h_uccn(&f->r, f->d, old, NULL, "status", NULL);
	h_assert_exit(&f->r, 4);
	free(now);
	free(was);
	free(old);
}

/* Another city's pair written to a new file; never over the key file in
 * use, which would lock the caller out; never with --key too. */
static void test_rekey_write_rules(void **state)
{
	struct fx *f = *state;
	const char *coord = f->d->coordinator_key;
	char *fresh = h_xasprintf("%s/krakow-new.key", f->dir);
	char pub[UCCN_KEY_Z85_LEN + 1];
	char *spare = h_xasprintf("%s/spare.key", f->dir);
	assert_int_equal(h_keygen(spare, pub), 0);

	h_uccn(&f->r, f->d, coord, NULL, "city", "rekey", "krakow", "--write", fresh,
	       "--key", pub, NULL);
	h_assert_exit(&f->r, 2);
	assert_int_equal(access(fresh, F_OK), -1);

	/* Over the caller's own key file with another city's key: refused
	 * before anything is sent, the file untouched, the key still good. */
	char *before = h_read_file(coord, NULL);
	h_uccn(&f->r, f->d, coord, NULL, "city", "rekey", "krakow", "--write", coord, NULL);
	h_assert_exit(&f->r, 2);
	char *after = h_read_file(coord, NULL);
	assert_string_equal(before, after);
	h_uccn(&f->r, f->d, f->krakow, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);

	h_uccn(&f->r, f->d, coord, NULL, "city", "rekey", "krakow", "--write", fresh, NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, fresh, NULL, "post", "From the new key.", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, f->krakow, NULL, "status", NULL);
	h_assert_exit(&f->r, 4);
	free(before);
	free(after);
	free(spare);
	free(fresh);
}

/* Rekeying one's own city with --key says that the key file in use is
 * refused from now on, and how to put it right. */
static void test_rekey_own_city_warns(void **state)
{
	struct fx *f = *state;
	const char *coord = f->d->coordinator_key;
	char *fresh = h_xasprintf("%s/coordinator-new.key", f->dir);
	char pub[UCCN_KEY_Z85_LEN + 1];
	assert_int_equal(h_keygen(fresh, pub), 0);
	h_uccn(&f->r, f->d, coord, NULL, "city", "rekey", "coordinator", "--key", pub, NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.err, "warning"));
	assert_non_null(strstr(f->r.err, coord));
	assert_non_null(strstr(f->r.err, "--write"));
	h_uccn(&f->r, f->d, coord, NULL, "status", NULL);
	h_assert_exit(&f->r, 4);
	h_uccn(&f->r, f->d, fresh, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);
	/* Someone else's key: nothing to warn about. */
	char *other = h_xasprintf("%s/krakow-other.key", f->dir);
	assert_int_equal(h_keygen(other, pub), 0);
	h_uccn(&f->r, f->d, fresh, NULL, "city", "rekey", "krakow", "--key", pub, NULL);
	h_assert_exit(&f->r, 0);
	assert_null(strstr(f->r.err, "warning"));
	free(other);
	/* The harness's own polls use coordinator.key: put the pair back. */
	free(copy_file(fresh, coord));
	free(fresh);
}

/* ---- admin log ---- */

static void post_as_coordinator(struct fx *f, const char *body)
{
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "post", "--kind", "news", body, NULL);
	h_assert_exit(&f->r, 0);
}

/* Set the level and check what the CLI says it was. */
static void set_level(struct fx *f, const char *level, const char *was)
{
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "--json", "admin", "log", level, NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	assert_string_equal(h_json_str(h_json_get(j, "was")), was);
	assert_string_equal(h_json_str(h_json_get(j, "level")), level);
	h_json_destroy(&j);
}

/* debug shows the batches committed, error hides them again, a reload
 * puts back the configured level; a member may not. */
static void test_log_level(void **state)
{
	struct fx *f = *state;
	const char *commit_line = "debug: committed a batch";
	size_t mark = log_size(f->d);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "admin", "log", "debug", NULL);
	h_assert_exit(&f->r, 0);
	assert_string_equal(f->r.out, "uccnd's log level: info -> debug\n");
	assert_true(log_shows(f->d, mark, "warn: log level info -> debug, set by city "
			      "'coordinator'", 5000));
	post_as_coordinator(f, "Seen at debug.");
	assert_true(log_shows(f->d, mark, commit_line, 5000));

	/* error: the post's line no longer comes. The read that follows it
	 * is served after the post's batch was answered and logged. */
	set_level(f, "error", "debug");
	mark = log_size(f->d);
	post_as_coordinator(f, "Not seen at error.");
	set_level(f, "info", "error");
	assert_false(log_shows(f->d, mark, commit_line, 0));
	assert_true(log_shows(f->d, mark, "warn: log level error -> info", 5000));

	/* A reload puts back the configured level (info, the default). */
	set_level(f, "debug", "info");
	mark = log_size(f->d);
	assert_int_equal(kill(f->d->pid, SIGHUP), 0);
	assert_true(log_shows(f->d, mark, "reload: log_level debug -> info", 5000));
	post_as_coordinator(f, "Not seen after the reload.");
	set_level(f, "info", "info");
	assert_false(log_shows(f->d, mark, commit_line, 0));

	/* Members may not, nor the secretariat; a level that is none is the
	 * caller's mistake. */
	h_uccn(&f->r, f->d, f->krakow, NULL, "admin", "log", "debug", NULL);
	h_assert_exit(&f->r, 4);
	char *sec = h_xasprintf("%s/secretariat.key", f->dir);
	char pub[UCCN_KEY_Z85_LEN + 1];
	assert_int_equal(h_keygen(sec, pub), 0);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "city", "add", "secretariat", "--name",
	       "UCCN Secretariat", "--field", "literature", "--role", "secretariat", "--key", pub,
	       NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, sec, NULL, "admin", "log", "debug", NULL);
	h_assert_exit(&f->r, 4);
	h_uccn(&f->r, f->d, sec, NULL, "admin", "handover", "krakow", NULL);
	h_assert_exit(&f->r, 4);
	free(sec);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "admin", "log", "loud", NULL);
	h_assert_exit(&f->r, 2);
	assert_non_null(strstr(f->r.err, "error, warn, info or debug"));
}

/* `uccn admin --help` lists the group's commands. */
static void test_admin_help(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, NULL, NULL, NULL, "admin", "--help", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "uccn admin handover CITY"));
	assert_non_null(strstr(f->r.out, "uccn admin log LEVEL"));
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_handover_refused),
		T(test_handover_moves_the_role),
		T(test_rekey_own_key_file),
		T(test_rekey_write_rules),
		T(test_rekey_own_city_warns),
		T(test_log_level),
		T(test_admin_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
