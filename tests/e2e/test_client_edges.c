/*
 * test_client_edges.c - end-to-end: uccn at the edges a city meets on its
 * own machine: a daemon that is not there (refused at once), a watch
 * started before the daemon, profiles that replace every flag, flags that
 * override a profile, and keys a person can check.
 */
#include "../harness/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uccn_fingerprint.h"
#include "uccn_keyfile.h"

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
	char cfg[PATH_MAX];
};

/* Each test gets a fresh HOME and XDG_CONFIG_HOME, as a new city would,
 * and none of the variables a developer's shell may hold. */
static void fresh_home(struct fx *f)
{
	char home[PATH_MAX];
	snprintf(home, sizeof home, "%s/home", f->dir);
	snprintf(f->cfg, sizeof f->cfg, "%s/home/.config", f->dir);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", f->cfg, 1);
	unsetenv("UCCN_PROFILE");
	unsetenv("UCCN_DATA");
	unsetenv("XDG_DATA_HOME");
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f || h_daemon_up(&f->dir, &f->d) != 0) {
		free(f);
		return -1;
	}
	fresh_home(f);
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

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void assert_contains(const h_run_t *r, const char *text, const char *want)
{
	if (!strstr(text, want)) {
		h_run_print(r);
		fail_msg("expected '%s'", want);
	}
}

/* Poll a file until it contains want, for up to ms; true when it did. */
static bool wait_file_contains(const char *path, const char *want, int ms)
{
	int64_t deadline = h_now_ms() + ms;
	do {
		char *text = h_read_file(path, NULL);
		bool found = text && strstr(text, want);
		free(text);
		if (found)
			return true;
		sleep_ms(50);
	} while (h_now_ms() < deadline);
	return false;
}

static void fingerprint_of(const char *keyfile, char fp[UCCN_FINGERPRINT_LEN + 1],
			   char pub[UCCN_KEY_Z85_LEN + 1])
{
	char sec[UCCN_KEY_Z85_LEN + 1];
	size_t len = 0;
	char *text = h_read_file(keyfile, &len);
	assert_non_null(text);
	assert_int_equal(uccn_keyfile_parse(text, len, pub, sec), 0);
	free(text);
	assert_int_equal(uccn_key_fingerprint(pub, fp, UCCN_FINGERPRINT_LEN + 1), 0);
}

/* Nothing listens on the port: exit 5 within a second, and the message
 * says what is wrong, where ZeroMQ alone would retry until --timeout. */
static void refused_connection_fails_fast(void **state)
{
	struct fx *f = *state;
	char endpoint[64], want[128];
	int port = h_free_port();
	assert_true(port > 0);
	snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
	h_uccn(&f->r, NULL, NULL, NULL, "--endpoint", endpoint, "--server-key",
	       f->d->server_pub, "--key", f->d->coordinator_key, "status", NULL);
	h_assert_exit(&f->r, 5);
	if (f->r.elapsed_ms >= 1000)
		fail_msg("took %lld ms", (long long)f->r.elapsed_ms);
	snprintf(want, sizeof want, "nothing is listening at %s (is uccnd running?)", endpoint);
	assert_contains(&f->r, f->r.err, want);
}

/* A watch started while the daemon is down keeps trying, says so once,
 * and prints a post made after the daemon came up. */
static void watch_started_before_the_daemon(void **state)
{
	struct fx *f = *state;
	char out[PATH_MAX], err[PATH_MAX], bin[PATH_MAX];
	assert_int_equal(h_daemon_stop(f->d), 0);
	snprintf(out, sizeof out, "%s/watch.out", f->dir);
	snprintf(err, sizeof err, "%s/watch.err", f->dir);
	snprintf(bin, sizeof bin, "%s/uccn", h_bin_dir());
	char *argv[] = {bin, "--endpoint", f->d->endpoint, "--server-key", f->d->server_pub,
			"--key", f->d->coordinator_key, "--timeout", "2", "watch", NULL};
	int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fo >= 0 && fe >= 0);
	pid_t pid = h_spawn(argv, -1, fo, fe);
	close(fo);
	close(fe);
	assert_true(pid > 0);
	bool told = wait_file_contains(err, "uccnd is not answering at", 5000);
	/* Not a wait for readiness: time for several tries (250, 500, 1000 ms
	 * apart), so "once" is tested against more than one. */
	sleep_ms(2000);
	assert_int_equal(h_daemon_start(f->d), 0);
	bool back = told && wait_file_contains(err, "uccnd answers again", 15000);
	if (back) {
		h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "post", "after the daemon came up", NULL);
		h_assert_exit(&f->r, 0);
	}
	bool printed = back && wait_file_contains(out, "after the daemon came up", 15000);
	kill(pid, SIGTERM);
	int ws = 0;
	waitpid(pid, &ws, 0);
	char *e = h_read_file(err, NULL);
	if (!printed)
		fprintf(stderr, "watch's stderr:\n%s\n", e ? e : "");
	assert_true(told);
	assert_true(back);
	assert_true(printed);
	/* Once, not on every try. */
	const char *first = strstr(e, "not answering");
	assert_null(strstr(first + 1, "not answering"));
	free(e);
}

/* A profile added and selected serves every command with no flags; flags
 * override it field by field. */
static void profile_replaces_flags(void **state)
{
	struct fx *f = *state;
	char fp[UCCN_FINGERPRINT_LEN + 1], pub[UCCN_KEY_Z85_LEN + 1];
	h_uccn(&f->r, NULL, NULL, NULL, "profile", "add", "home", "--endpoint", f->d->endpoint,
	       "--server-key", f->d->server_pub, "--key", f->d->coordinator_key, NULL);
	h_assert_exit(&f->r, 0);
	/* Not selected yet: the command names what it lacks, not the
	 * coordinator's files. */
	h_uccn(&f->r, NULL, NULL, NULL, "status", NULL);
	h_assert_exit(&f->r, 2);
	assert_contains(&f->r, f->r.err, "no server key given");
	assert_null(strstr(f->r.err, "coordinator.key"));
	h_uccn(&f->r, NULL, NULL, NULL, "profile", "use", "home", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, NULL, NULL, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);
	assert_contains(&f->r, f->r.out, "you are:    coordinator");
	fingerprint_of(f->d->server_pub, fp, pub);
	assert_contains(&f->r, f->r.out, fp);
	/* A flag wins over the profile's endpoint: nothing listens there. */
	char endpoint[64];
	snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", h_free_port());
	h_uccn(&f->r, NULL, NULL, NULL, "--endpoint", endpoint, "status", NULL);
	h_assert_exit(&f->r, 5);
	assert_contains(&f->r, f->r.err, endpoint);
	/* --profile naming none is a usage error. */
	h_uccn(&f->r, NULL, NULL, NULL, "--profile", "nowhere", "status", NULL);
	h_assert_exit(&f->r, 2);
	assert_contains(&f->r, f->r.err, "no profile 'nowhere'");
}

/* A malformed profile: exit 2 with the file and line. */
static void malformed_profile_names_file_and_line(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 64], want[PATH_MAX + 80];
	h_uccn(&f->r, NULL, NULL, NULL, "profile", "add", "home", "--use", "--endpoint",
	       f->d->endpoint, "--server-key", f->d->server_pub, "--key", f->d->coordinator_key, NULL);
	h_assert_exit(&f->r, 0);
	snprintf(path, sizeof path, "%s/uccn/profiles/home.conf", f->cfg);
	FILE *fp = fopen(path, "a");
	assert_non_null(fp);
	fputs("jsno = true\n", fp);
	fclose(fp);
	h_uccn(&f->r, NULL, NULL, NULL, "status", NULL);
	h_assert_exit(&f->r, 2);
	snprintf(want, sizeof want, "%s:6: jsno", path);
	assert_contains(&f->r, f->r.err, want);
}

static void key_show_prints_fingerprint(void **state)
{
	struct fx *f = *state;
	char fp[UCCN_FINGERPRINT_LEN + 1], pub[UCCN_KEY_Z85_LEN + 1], quoted[64];
	fingerprint_of(f->d->coordinator_key, fp, pub);
	h_uccn(&f->r, NULL, NULL, NULL, "key", "show", f->d->coordinator_key, NULL);
	h_assert_exit(&f->r, 0);
	assert_contains(&f->r, f->r.out, fp);
	snprintf(quoted, sizeof quoted, "'%s'", pub);
	assert_contains(&f->r, f->r.out, quoted);
	/* city show prints the city's fingerprint too. */
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "city", "show", "coordinator", NULL);
	h_assert_exit(&f->r, 0);
	assert_contains(&f->r, f->r.out, fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(refused_connection_fails_fast, setup, teardown),
		cmocka_unit_test_setup_teardown(watch_started_before_the_daemon, setup, teardown),
		cmocka_unit_test_setup_teardown(profile_replaces_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_profile_names_file_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(key_show_prints_fingerprint, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
