/*
 * test_config.c - end-to-end: uccnd's settings file, uccnd.conf(5)
 * (issue 15, item 1). `uccnd -n -f FILE` on good files prints them
 * normalised (golden files in tests/config/, NAME.out) and on files broken
 * one way each names the line (NAME.err there); flags override the file;
 * the printed form reads back the same; -n creates nothing; a daemon
 * started from a file serves where the file says; and SIGHUP reloads it.
 */
#include "../harness/harness.h"
#include "../harness/harness_int.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONFIG_DIR "tests/config"

static void uccnd_run(h_run_t *r, const char *const *args)
{
	char *argv[32];
	size_t n = 0;
	argv[n++] = h_xasprintf("%s/uccnd", h_bin_dir());
	for (; *args && n < 31; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	h_run(r, argv, NULL, 10000);
	free(argv[0]);
}

/* The golden file's text, or a failure naming it. */
static char *golden(const char *name)
{
	char *path = h_xasprintf("%s/%s", CONFIG_DIR, name);
	char *text = h_read_file(path, NULL);
	if (!text)
		fail_msg("cannot read the golden file %s (run from the project's top)", path);
	free(path);
	return text;
}

static void assert_same(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("%s differs from its golden file.\n--- got:\n%s--- wanted:\n%s", what, got,
			 want);
}

static void test_good_files_normalised(void **state)
{
	(void)state;
	static const char *const good[] = {"good-minimal", "good-full"};
	h_run_t r = {0};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char *conf = h_xasprintf("%s/%s.conf", CONFIG_DIR, good[i]);
		char *out = h_xasprintf("%s.out", good[i]);
		uccnd_run(&r, (const char *[]){"-n", "-f", conf, NULL});
		h_assert_exit(&r, 0);
		char *want = golden(out);
		assert_same(conf, r.out, want);
		assert_string_equal(r.err, "");
		free(want);
		free(out);
		free(conf);
	}
	h_run_clear(&r);
}

static void test_flags_override_file(void **state)
{
	(void)state;
	h_run_t r = {0};
	uccnd_run(&r, (const char *[]){"-n", "-f", CONFIG_DIR "/good-full.conf", "--listen",
				       "tcp://127.0.0.1:8000", "-v", NULL});
	h_assert_exit(&r, 0);
	char *want = golden("good-full-flags.out");
	assert_same("good-full.conf with --listen and -v", r.out, want);
	free(want);
	h_run_clear(&r);
}

/* Each broken file: exit 1, nothing on stdout, and the one line of stderr
 * its golden file holds, which names the file's line. */
static void test_broken_files_name_the_line(void **state)
{
	(void)state;
	static const char *const bad[] = {"bad-port", "bad-key", "bad-size", "bad-twice",
					  "bad-syntax", "bad-level", "bad-endpoint"};
	h_run_t r = {0};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *conf = h_xasprintf("%s/%s.conf", CONFIG_DIR, bad[i]);
		char *err = h_xasprintf("%s.err", bad[i]);
		uccnd_run(&r, (const char *[]){"-n", "-f", conf, NULL});
		h_assert_exit(&r, 1);
		assert_string_equal(r.out, "");
		char *want = golden(err);
		assert_same(conf, r.err, want);
		free(want);
		free(err);
		free(conf);
	}
	h_run_clear(&r);
}

static void test_unreadable_files(void **state)
{
	(void)state;
	h_run_t r = {0};
	char *dir = h_tmpdir_new();
	assert_non_null(dir);
	char *missing = h_xasprintf("%s/nope.conf", dir);
	uccnd_run(&r, (const char *[]){"-n", "-f", missing, NULL});
	h_assert_exit(&r, 1);
	char *want = h_xasprintf("uccnd: %s: cannot read: No such file or directory\n", missing);
	assert_string_equal(r.err, want);
	free(want);

	uccnd_run(&r, (const char *[]){"-n", "-f", dir, NULL});
	h_assert_exit(&r, 1);
	want = h_xasprintf("uccnd: %s: not a regular file\n", dir);
	assert_string_equal(r.err, want);
	free(want);

	char *locked = h_xasprintf("%s/locked.conf", dir);
	FILE *f = fopen(locked, "w");
	assert_non_null(f);
	fputs("data = /var/lib/uccnd\n", f);
	fclose(f);
	chmod(locked, 0);
	if (geteuid() == 0) {
		fprintf(stderr, "note: running as root, which reads a file of mode 0000; "
			"the unreadable-file case is checked as another user only\n");
	} else {
		uccnd_run(&r, (const char *[]){"-n", "-f", locked, NULL});
		h_assert_exit(&r, 1);
		want = h_xasprintf("uccnd: %s: cannot read: Permission denied\n", locked);
		assert_string_equal(r.err, want);
		free(want);
	}
	free(locked);
	free(missing);
	h_tmpdir_destroy(&dir);
	h_run_clear(&r);
}

/* What -n prints is itself a good file that prints the same settings. */
static void test_printed_form_reads_back(void **state)
{
	(void)state;
	h_run_t r = {0};
	char *dir = h_tmpdir_new();
	assert_non_null(dir);
	uccnd_run(&r, (const char *[]){"-n", "-f", CONFIG_DIR "/good-full.conf", NULL});
	h_assert_exit(&r, 0);
	char *copy = h_xasprintf("%s/copy.conf", dir);
	FILE *f = fopen(copy, "w");
	assert_non_null(f);
	fputs(r.out, f);
	fclose(f);
	const char *first = strchr(r.out, '\n');
	assert_non_null(first);
	char *settings = strdup(first);
	uccnd_run(&r, (const char *[]){"-n", "-f", copy, NULL});
	h_assert_exit(&r, 0);
	assert_non_null(strchr(r.out, '\n'));
	assert_string_equal(strchr(r.out, '\n'), settings);
	free(settings);
	free(copy);
	h_tmpdir_destroy(&dir);
	h_run_clear(&r);
}

/* The modes that run once and exit go alone: a --restore beside a --dump
 * was ignored before, the dump run in its place. */
static void test_modes_go_alone(void **state)
{
	(void)state;
	h_run_t r = {0};
	static const char *const pairs[][4] = {
		{"--restore", "x.backup", "--dump", NULL},
		{"--restore", "x.backup", "--load", "x.jsonl"},
		{"--restore", "x.backup", "-n", NULL},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		uccnd_run(&r, (const char *[]){pairs[i][0], pairs[i][1], pairs[i][2], pairs[i][3],
					       NULL});
		h_assert_exit(&r, 2);
		assert_non_null(strstr(r.err, "go alone"));
	}
	h_run_clear(&r);
}

/* -n checks and prints; it creates no data directory, key or lock. */
static void test_check_creates_nothing(void **state)
{
	(void)state;
	h_run_t r = {0};
	char *dir = h_tmpdir_new();
	assert_non_null(dir);
	char *data = h_xasprintf("%s/data", dir);
	uccnd_run(&r, (const char *[]){"-n", "--data", data, NULL});
	h_assert_exit(&r, 0);
	assert_non_null(strstr(r.out, "(no file)"));
	struct stat st;
	assert_int_not_equal(stat(data, &st), 0);
	free(data);
	h_tmpdir_destroy(&dir);
	h_run_clear(&r);
}

/* A daemon started from a file alone (given by $UCCND_CONF) keeps its
 * data and listens where the file says. */
static void test_daemon_serves_from_file(void **state)
{
	(void)state;
	h_run_t r = {0};
	char *dir = h_tmpdir_new();
	assert_non_null(dir);
	int port = h_free_port();
	assert_true(port > 0);
	char *conf = h_xasprintf("%s/uccnd.conf", dir);
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "data = %s/data\nlisten = tcp://127.0.0.1:%d\ndaemon = yes\n", dir, port);
	fclose(f);
	/* Its log goes to a file: the server keeps stderr open after the
	 * starting process has returned. */
	char *script = h_xasprintf("UCCND_CONF='%s' exec '%s/uccnd' 2>'%s/uccnd.log'", conf,
				   h_bin_dir(), dir);
	h_run(&r, (char *[]){"/bin/sh", "-c", script, NULL}, NULL, 20000);
	h_assert_exit(&r, 0);
	long pid = strtol(r.out, NULL, 10);
	assert_true(pid > 1);

	char *endpoint = h_xasprintf("tcp://127.0.0.1:%d", port);
	char *pub = h_xasprintf("%s/data/server.pub", dir);
	char *key = h_xasprintf("%s/data/coordinator.key", dir);
	h_uccn(&r, NULL, NULL, NULL, "--endpoint", endpoint, "--server-key", pub, "--key", key,
	       "status", NULL);
	kill((pid_t)pid, SIGTERM);
	h_assert_exit(&r, 0);
	assert_non_null(strstr(r.out, "coordinator"));
	for (int i = 0; i < 100 && kill((pid_t)pid, 0) == 0; i++)
		h_sleep_ms(50);
	free(key);
	free(pub);
	free(endpoint);
	free(script);
	free(conf);
	h_tmpdir_destroy(&dir);
	h_run_clear(&r);
}

/* Wait up to ms for text to appear in the daemon's log after offset. */
static bool log_shows(const h_daemon_t *d, size_t offset, const char *text, int ms)
{
	for (int64_t t0 = h_now_ms(); h_now_ms() - t0 < ms; h_sleep_ms(50)) {
		size_t n = 0;
		char *log = h_read_file(d->log, &n);
		bool found = log && n >= offset && strstr(log + offset, text);
		free(log);
		if (found)
			return true;
	}
	return false;
}

static size_t log_size(const h_daemon_t *d)
{
	size_t n = 0;
	free(h_read_file(d->log, &n));
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* SIGHUP reads the file again (issue 15, item 2): a new log level takes
 * effect without a restart; a broken file is refused, the daemon keeps
 * serving with what it had, and the log says why. Before, SIGHUP killed
 * uccnd (exit 129, nothing logged). */
static void test_sighup_reloads(void **state)
{
	(void)state;
	char *dir = h_tmpdir_new();
	assert_non_null(dir);
	char *conf = h_xasprintf("%s.conf", dir);
	write_file(conf, "log_level = info\n");
	h_daemon_t *d = h_daemon_new(dir);
	assert_non_null(d);
	assert_int_equal(h_daemon_start_with(d, "-f", conf), 0);
	h_run_t r = {0};

	/* A new level: debug lines appear from then on. */
	size_t mark = log_size(d);
	write_file(conf, "# now verbose\nlog_level = debug\n");
	assert_int_equal(kill(d->pid, SIGHUP), 0);
	assert_true(log_shows(d, mark, "reload: log_level info -> debug", 5000));
	h_uccn(&r, d, d->coordinator_key, NULL, "post", "--kind", "news", "Logged at debug.",
	       NULL);
	h_assert_exit(&r, 0);
	assert_true(log_shows(d, mark, "debug: committed a batch of 1 writes", 5000));
	assert_true(h_daemon_running(d));

	/* A broken file: refused with its line, the daemon serves on at the
	 * level in force. */
	mark = log_size(d);
	write_file(conf, "log_level = debug\nlisten = tcp://0.0.0.0:99999\n");
	assert_int_equal(kill(d->pid, SIGHUP), 0);
	char *why = h_xasprintf("reload refused, the settings in force stay: %s:2: listen:", conf);
	assert_true(log_shows(d, mark, why, 5000));
	free(why);
	h_uccn(&r, d, d->coordinator_key, NULL, "post", "--kind", "news", "Still served.", NULL);
	h_assert_exit(&r, 0);
	assert_true(log_shows(d, mark, "debug: committed a batch of 1 writes", 5000));
	assert_true(h_daemon_running(d));

	/* A quota takes effect at once: with 50, one sender's share of a
	 * mailbox is 16 (SPEC 4.16), so the 17th message to granada is
	 * refused full; with the 10000 before, its share was 1250. */
	char key[PATH_MAX];
	assert_int_equal(h_city_register(d, "granada", "Granada", key), 0);
	mark = log_size(d);
	write_file(conf, "log_level = info\nmailbox_quota = 50\n");
	assert_int_equal(kill(d->pid, SIGHUP), 0);
	assert_true(log_shows(d, mark, "reload: mailbox_quota 10000 -> 50", 5000));
	for (int i = 1; i <= 17; i++) {
		h_uccn(&r, d, d->coordinator_key, NULL, "post", "--kind", "news", "--to",
		       "city:granada", "A message to Granada.", NULL);
		if (i < 17)
			h_assert_exit(&r, 0);
	}
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "full"));

	/* A setting that needs a restart is said to, and kept. */
	mark = log_size(d);
	write_file(conf, "log_level = info\nmailbox_quota = 50\nmap_size = 128M\n");
	assert_int_equal(kill(d->pid, SIGHUP), 0);
	assert_true(log_shows(d, mark, "map_size 64M -> 128M takes effect at the next start",
			      5000));
	assert_int_equal(h_daemon_stop(d), 0);
	h_run_clear(&r);
	h_daemon_destroy(&d);
	unlink(conf);
	free(conf);
	h_tmpdir_destroy(&dir);
}

/* `uccn status` with the coordinator's key at endpoint ep; its exit. */
static int status_at(h_run_t *r, const char *ep, const char *dir)
{
	char *pub = h_xasprintf("%s/data/server.pub", dir);
	char *key = h_xasprintf("%s/data/coordinator.key", dir);
	int rc = h_uccn(r, NULL, NULL, NULL, "--endpoint", ep, "--server-key", pub, "--key", key,
			"--timeout", "3", "status", NULL);
	free(key);
	free(pub);
	return rc;
}

/* SIGHUP with a new `listen` binds it at once and lets the old one go; one
 * that cannot be bound (an address not on this machine) leaves uccnd
 * where it was, and says why. The daemon takes everything from its file:
 * a --listen flag would win over the file. */
static void test_sighup_moves_listen(void **state)
{
	(void)state;
	char *dir = h_tmpdir_new();
	assert_non_null(dir);
	int p1 = h_free_port(), p2 = h_free_port();
	assert_true(p1 > 0 && p2 > 0 && p1 != p2);
	char *ep1 = h_xasprintf("tcp://127.0.0.1:%d", p1), *ep2 = h_xasprintf("tcp://127.0.0.1:%d", p2);
	char *conf = h_xasprintf("%s/uccnd.conf", dir), *log = h_xasprintf("%s/uccnd.log", dir);
	char *text = h_xasprintf("data = %s/data\nlisten = %s\n", dir, ep1);
	write_file(conf, text);
	free(text);
	char *uccnd = h_xasprintf("%s/uccnd", h_bin_dir());
	int err = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	assert_true(err >= 0);
	pid_t pid = h_spawn((char *[]){uccnd, "-f", conf, NULL}, -1, -1, err);
	close(err);
	assert_true(pid > 0);
	h_run_t r = {0};
	int64_t t0 = h_now_ms();
	while (status_at(&r, ep1, dir) != 0 && h_now_ms() - t0 < 10000)
		h_sleep_ms(100);
	h_assert_exit(&r, 0);

	text = h_xasprintf("data = %s/data\nlisten = %s\n", dir, ep2);
	write_file(conf, text);
	free(text);
	assert_int_equal(kill(pid, SIGHUP), 0);
	char *moved = h_xasprintf("reload: listen %s -> %s", ep1, ep2);
	bool seen = false;
	for (t0 = h_now_ms(); !seen && h_now_ms() - t0 < 5000; h_sleep_ms(50)) {
		char *l = h_read_file(log, NULL);
		seen = l && strstr(l, moved);
		free(l);
	}
	assert_true(seen);
	status_at(&r, ep2, dir);
	h_assert_exit(&r, 0);
	assert_int_not_equal(status_at(&r, ep1, dir), 0);

	text = h_xasprintf("data = %s/data\nlisten = tcp://192.0.2.1:%d\n", dir, p1);
	write_file(conf, text);
	free(text);
	assert_int_equal(kill(pid, SIGHUP), 0);
	seen = false;
	for (t0 = h_now_ms(); !seen && h_now_ms() - t0 < 5000; h_sleep_ms(50)) {
		char *l = h_read_file(log, NULL);
		seen = l && strstr(l, "; still on ") && strstr(l, "cannot listen on tcp://192.0.2.1:");
		free(l);
	}
	assert_true(seen);
	status_at(&r, ep2, dir);
	h_assert_exit(&r, 0);

	assert_int_equal(kill(pid, SIGTERM), 0);
	int ws = 0;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	h_run_clear(&r);
	free(moved);
	free(uccnd);
	free(log);
	free(conf);
	free(ep2);
	free(ep1);
	h_tmpdir_destroy(&dir);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_files_normalised),
		cmocka_unit_test(test_flags_override_file),
		cmocka_unit_test(test_broken_files_name_the_line),
		cmocka_unit_test(test_unreadable_files),
		cmocka_unit_test(test_printed_form_reads_back),
		cmocka_unit_test(test_check_creates_nothing),
		cmocka_unit_test(test_modes_go_alone),
		cmocka_unit_test(test_daemon_serves_from_file),
		cmocka_unit_test(test_sighup_reloads),
		cmocka_unit_test(test_sighup_moves_listen),
	};
	return cmocka_run_group_tests_name("e2e_config", tests, NULL, NULL);
}
