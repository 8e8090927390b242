/*
 * test_handshake_drop.c - end-to-end: a connection dropped in the middle
 * of the CURVE handshake (issue 14, failure 7). Something that accepts
 * and hangs up at once (a daemon going down, a proxy with nothing behind
 * it) is a dropped connection, exit 5, not a wrong server key, exit 4; a
 * wrong server key still is exit 4; and `uccn watch` rides out a daemon
 * killed, a port that drops its handshakes meanwhile, and the daemon
 * started again, printing a post made after.
 */
#include "../harness/harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

/* How long the port drops every handshake while the daemon is down: long
 * enough for several of watch's reconnections. */
#define DROPPING_MS 4000
#define WATCH_SEES_MS 25000

/* ---- a port that accepts and hangs up at once ---- */

struct dropper {
	int fd;
	pthread_t thread;
	int accepted;
};

static void *drop_all(void *arg)
{
	struct dropper *dr = arg;
	int c;
	while ((c = accept(dr->fd, NULL, NULL)) >= 0) {
		close(c);
		dr->accepted++;
	}
	return NULL;
}

/* Listen on 127.0.0.1:port (0: any free port, read back into *port). */
static int dropper_start(struct dropper *dr, int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
	socklen_t alen = sizeof a;
	int one = 1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dr->accepted = 0;
	dr->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (dr->fd < 0 || setsockopt(dr->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(dr->fd, (struct sockaddr *)&a, sizeof a) || listen(dr->fd, 64) ||
	    getsockname(dr->fd, (struct sockaddr *)&a, &alen) ||
	    pthread_create(&dr->thread, NULL, drop_all, dr)) {
		if (dr->fd >= 0)
			close(dr->fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return 0;
}

static void dropper_stop(struct dropper *dr)
{
	shutdown(dr->fd, SHUT_RDWR); /* wakes the accept */
	pthread_join(dr->thread, NULL);
	close(dr->fd);
}

/* ---- fixture ---- */

struct fx {
	char *dir;
	h_daemon_t *d;
	char key[PATH_MAX];           /* krakow's key file */
	char other[PATH_MAX];         /* a key pair no server has */
	char other_pub[UCCN_KEY_Z85_LEN + 1];
	pid_t watch;
	h_run_t r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f || h_daemon_up(&f->dir, &f->d) != 0 ||
	    h_city_register(f->d, "krakow", "Kraków", f->key) != 0) {
		if (f)
			h_daemon_down(&f->dir, &f->d);
		free(f);
		return -1;
	}
	snprintf(f->other, sizeof f->other, "%s/other.key", f->dir);
	if (h_keygen(f->other, f->other_pub) != 0) {
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
	if (f->watch > 0) {
		kill(f->watch, SIGKILL);
		waitpid(f->watch, NULL, 0);
	}
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

/* ---- tests ---- */

static void test_dropped_handshake_is_exit_5(void **state)
{
	struct fx *f = *state;
	struct dropper dr;
	int port = 0;
	char ep[64], want[160];
	assert_int_equal(dropper_start(&dr, &port), 0);
	snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
	h_uccn(&f->r, NULL, NULL, NULL, "--endpoint", ep, "--server-key", f->d->server_pub,
	       "--key", f->key, "--timeout", "8", "status", NULL);
	dropper_stop(&dr);
	snprintf(want, sizeof want,
		 "the connection to %s was dropped during the handshake; is uccnd running?", ep);
	if (!strstr(f->r.err, want))
		h_run_print(&f->r);
	assert_true(dr.accepted > 0);
	assert_int_equal(f->r.status, 5);
	assert_non_null(strstr(f->r.err, want));
}

static void test_wrong_server_key_is_still_exit_4(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, NULL, NULL, NULL, "--endpoint", f->d->endpoint, "--server-key",
	       f->other_pub, "--key", f->key, "--timeout", "8", "status", NULL);
	if (!strstr(f->r.err, "the server's key does not match"))
		h_run_print(&f->r);
	assert_int_equal(f->r.status, 4);
	assert_non_null(strstr(f->r.err, "the server's key does not match"));
}

/* Wait until path holds needle, at most ms; true when it does. */
static bool file_shows(const char *path, const char *needle, int ms)
{
	int64_t end = h_now_ms() + ms;
	do {
		char *text = h_read_file(path, NULL);
		bool found = text && strstr(text, needle);
		free(text);
		if (found)
			return true;
		usleep(50 * 1000);
	} while (h_now_ms() < end);
	return false;
}

static void post(struct fx *f, const char *title)
{
	h_uccn(&f->r, f->d, f->key, NULL, "post", "--kind", "news", "--title", title,
	       "watched", NULL);
	h_assert_exit(&f->r, 0);
}

static void test_watch_rides_out_a_restart_that_drops_handshakes(void **state)
{
	struct fx *f = *state;
	char out[PATH_MAX], errp[PATH_MAX], bin[PATH_MAX];
	snprintf(out, sizeof out, "%s/watch.out", f->dir);
	snprintf(errp, sizeof errp, "%s/watch.err", f->dir);
	snprintf(bin, sizeof bin, "%s/uccn", h_bin_dir());
	int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int efd = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(ofd >= 0 && efd >= 0);
	char *argv[] = {bin, "--endpoint", f->d->endpoint, "--server-key", f->d->server_pub,
			"--key", f->key, "watch", NULL};
	f->watch = h_spawn(argv, -1, ofd, efd);
	close(ofd);
	close(efd);
	assert_true(f->watch > 0);

	/* The watch is live: it prints a post made now. */
	int64_t end = h_now_ms() + WATCH_SEES_MS;
	bool seen = false;
	while (!seen && h_now_ms() < end) {
		post(f, "before the restart");
		seen = file_shows(out, "before the restart", 1000);
	}
	assert_true(seen);

	/* The daemon dies; its port drops every handshake for a while; then
	 * the daemon is back on the same port. */
	h_daemon_kill(f->d);
	struct dropper dr;
	int port = f->d->port;
	assert_int_equal(dropper_start(&dr, &port), 0);
	usleep(DROPPING_MS * 1000);
	dropper_stop(&dr);
	int status = 0;
	pid_t gone = waitpid(f->watch, &status, WNOHANG);
	if (gone == f->watch) {
		char *err = h_read_file(errp, NULL);
		fprintf(stderr, "uccn watch ended (exit %d): %s\n",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1, err ? err : "");
		free(err);
		f->watch = 0;
	}
	assert_int_equal(gone, 0);
	assert_true(dr.accepted > 0);
	assert_int_equal(h_daemon_start(f->d), 0);

	post(f, "after the restart");
	if (!file_shows(out, "after the restart", WATCH_SEES_MS)) {
		char *err = h_read_file(errp, NULL);
		fprintf(stderr, "uccn watch said: %s\n", err ? err : "");
		free(err);
		fail_msg("uccn watch did not print the post made after the restart");
	}
	assert_int_equal(waitpid(f->watch, &status, WNOHANG), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dropped_handshake_is_exit_5, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_server_key_is_still_exit_4, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_watch_rides_out_a_restart_that_drops_handshakes,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
