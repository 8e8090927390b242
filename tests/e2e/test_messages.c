/*
 * test_messages.c - end-to-end: messaging between cities. Durable
 * mailboxes that an offline city reads later, private messages that only
 * their audience and author see, audiences (city, project, field, all), a
 * live watch that survives two kill -9 restarts of the daemon without a gap
 * or a repeat and resumes from its state file, and a mailbox quota that
 * refuses the sender and loses nothing.
 */
#include "../harness/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "uccn_error.h"
#include "uccn_msg.h"


/* Cities of the fixture, all of field literature (like the coordinator). */
enum { KRAKOW, LODZ, GRANADA, NCITIES };
static const char *const city_ids[NCITIES] = {"krakow", "lodz", "granada"};
static const char *const city_names[NCITIES] = {"Krakow", "Lodz", "Granada"};

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
	char key[NCITIES][PATH_MAX];
	pid_t own_daemon; /* a uccnd this file started itself (extra options) */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	bool ok = h_daemon_up(&f->dir, &f->d) == 0;
	for (int i = 0; ok && i < NCITIES; i++)
		ok = h_city_register(f->d, city_ids[i], city_names[i], f->key[i]) == 0;
	if (!ok) {
		h_daemon_down(&f->dir, &f->d);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- background processes: a long-running watch, a daemon with options ---- */

/* fork/exec argv in the background, stdin /dev/null, stdout appended to
 * out_path and stderr to err_path. The child dies with the test. */
static pid_t bg_spawn(char *const argv[], const char *out_path, const char *err_path)
{
	int out = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	int err = open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	assert_true(out >= 0 && err >= 0);
	pid_t pid = h_spawn(argv, -1, out, err);
	assert_true(pid >= 0);
	close(out);
	close(err);
	return pid;
}

/* SIGTERM, wait up to 10 s, then SIGKILL. The wait status, or -1. */
static int bg_stop(pid_t pid)
{
	int ws = 0;
	kill(pid, SIGTERM);
	int64_t deadline = h_now_ms() + 10000;
	for (;;) {
		pid_t w = waitpid(pid, &ws, WNOHANG);
		if (w == pid)
			return ws;
		if (w < 0)
			return -1;
		if (h_now_ms() >= deadline)
			break;
		sleep_ms(5);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &ws, 0);
	return -1;
}

/* A background `uccn --json watch ARGS...` as the city with key. */
static pid_t watch_spawn(struct fx *f, const char *key, const char *out_path,
			 const char *err_path, ...) __attribute__((sentinel));
static pid_t watch_spawn(struct fx *f, const char *key, const char *out_path,
			 const char *err_path, ...)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/uccn", h_bin_dir());
	char *argv[32] = {path, "--endpoint", f->d->endpoint, "--server-key", f->d->server_pub,
			  "--key", (char *)key, "--json", "watch"};
	size_t n = 9;
	va_list ap;
	va_start(ap, err_path);
	char *a;
	while ((a = va_arg(ap, char *)) != NULL) {
		assert_true(n + 1 < sizeof argv / sizeof argv[0]);
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;
	return bg_spawn(argv, out_path, err_path);
}

/*
 * Start uccnd on f->d's directory and port with extra options (the harness
 * starts it with --data and --listen only). Ready when `uccn status`
 * answers, within 10 s. The pid goes to f->own_daemon; teardown stops it.
 */
static void own_daemon_start(struct fx *f, const char *opt, const char *val)
{
	assert_int_equal(f->own_daemon, 0);
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/uccnd", h_bin_dir());
	char *argv[] = {path, "--data", (char *)f->d->dir, "--listen", f->d->endpoint,
			(char *)opt, (char *)val, NULL};
	f->own_daemon = bg_spawn(argv, f->d->log, f->d->log);
	int64_t deadline = h_now_ms() + 10000;
	while (h_now_ms() < deadline) {
		int ws;
		if (waitpid(f->own_daemon, &ws, WNOHANG) == f->own_daemon) {
			f->own_daemon = 0;
			h_daemon_print_log(f->d);
			fail_msg("uccnd %s %s exited at start", opt, val);
		}
		if (h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "--timeout", "1",
			   "status", NULL) == 0)
			return;
		sleep_ms(50);
	}
	h_run_print(&f->r);
	h_daemon_print_log(f->d);
	fail_msg("uccnd %s %s did not become ready", opt, val);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f->own_daemon > 0)
		bg_stop(f->own_daemon);
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

/* ---- reading what the CLI says ---- */

#define COORD(f) ((f)->d->coordinator_key)

/* Post BODY as the city with key; extra arguments (--kind, --to) first.
 * Returns the new post's seq. */
#define POST(f, key, ...) post_seq((f), (key), __VA_ARGS__, NULL)
static uint64_t post_seq(struct fx *f, const char *key, ...) __attribute__((sentinel));
static uint64_t post_seq(struct fx *f, const char *key, ...)
{
	char *args[32] = {"--json", "post"};
	size_t n = 2;
	va_list ap;
	va_start(ap, key);
	char *a;
	while ((a = va_arg(ap, char *)) != NULL) {
		assert_true(n + 1 < sizeof args / sizeof args[0]);
		args[n++] = a;
	}
	va_end(ap);
	args[n] = NULL;
	h_uccnv(&f->r, f->d, key, NULL, args);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	uint64_t seq = h_json_u64(h_json_get(j, "seq"));
	h_json_destroy(&j);
	assert_true(seq > 0);
	return seq;
}

/* A number from `status --json` as the city with key. */
static uint64_t status_u64(struct fx *f, const char *key, const char *name)
{
	h_uccn(&f->r, f->d, key, NULL, "--json", "status", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	const h_json_t *v = h_json_get(j, name);
	if (h_json_type(v) != H_JSON_NUMBER) {
		h_run_print(&f->r);
		fail_msg("status --json has no number \"%s\"", name);
	}
	uint64_t n = h_json_u64(v);
	h_json_destroy(&j);
	return n;
}

/* The parsed `inbox --json` of the city with key (an array; caller frees). */
static h_json_t *inbox(struct fx *f, const char *key)
{
	h_uccn(&f->r, f->d, key, NULL, "--json", "inbox", "--limit", "500", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	assert_int_equal(h_json_type(j), H_JSON_ARRAY);
	return j;
}

/* The parsed `list --json --limit 500` as the city with key. */
static h_json_t *list_all(struct fx *f, const char *key)
{
	h_uccn(&f->r, f->d, key, NULL, "--json", "list", "--limit", "500", NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	assert_int_equal(h_json_type(j), H_JSON_ARRAY);
	return j;
}

static bool posts_have(const h_json_t *posts, uint64_t seq)
{
	for (size_t i = 0; i < h_json_len(posts); i++)
		if (h_json_u64(h_json_get(h_json_at(posts, i), "seq")) == seq)
			return true;
	return false;
}

static bool inbox_has(struct fx *f, const char *key, uint64_t seq)
{
	h_json_t *j = inbox(f, key);
	bool has = posts_have(j, seq);
	h_json_destroy(&j);
	return has;
}

static bool list_has(struct fx *f, const char *key, uint64_t seq)
{
	h_json_t *j = list_all(f, key);
	bool has = posts_have(j, seq);
	h_json_destroy(&j);
	return has;
}

/* The seqs of the complete JSON lines in a watch's output file; every line
 * must be a post object. Returns how many (at most max). */
static size_t watch_seqs(const char *path, uint64_t *seqs, size_t max)
{
	char *text = h_read_file(path, NULL);
	if (!text)
		return 0;
	size_t n = 0;
	char *line = text, *nl;
	while ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		h_json_t *j = h_json_parse(line);
		if (!j || h_json_type(h_json_get(j, "seq")) != H_JSON_NUMBER ||
		    !h_json_str(h_json_get(j, "city")) || !h_json_str(h_json_get(j, "kind")))
			fail_msg("watch printed a line that is not a post: '%s'", line);
		if (n < max)
			seqs[n] = h_json_u64(h_json_get(j, "seq"));
		n++;
		h_json_destroy(&j);
		line = nl + 1;
	}
	free(text);
	return n;
}

/* Poll the watch's output until it holds at least want lines or ms pass;
 * the line count. */
static size_t wait_watch_lines(const char *path, size_t want, int ms)
{
	int64_t deadline = h_now_ms() + ms;
	size_t n;
	for (;;) {
		char *text = h_read_file(path, NULL);
		n = 0;
		for (const char *p = text; p && (p = strchr(p, '\n')) != NULL; p++)
			n++;
		free(text);
		if (n >= want || h_now_ms() >= deadline)
			return n;
		sleep_ms(20);
	}
}

static void print_file(const char *label, const char *path)
{
	size_t n = 0;
	char *s = h_read_file(path, &n);
	fprintf(stderr, "--- %s %s (%zu bytes) ---\n%.*s\n---\n", label, path, n,
		(int)(n > 4000 ? 4000 : n), s ? s + (n > 4000 ? n - 4000 : 0) : "(unreadable)");
	free(s);
}

/* ---- posting fast, over one DEALER connection ---- */

struct poster {
	void *ctx;
	void *sock;
	const h_daemon_t *d;
	const char *key;
	uint64_t rid;
};

static void poster_connect(struct poster *p)
{
	if (p->sock)
		zmq_close(p->sock);
	p->sock = h_dealer_new(p->ctx, p->d, p->key);
	assert_non_null(p->sock);
}

static void poster_close(struct poster *p)
{
	if (p->sock)
		zmq_close(p->sock);
	p->sock = NULL;
}

/* Post and wait for the acknowledgement (after the commit). The
 * idempotency key makes a retry after a lost answer safe. The seq. */
static uint64_t dealer_post(struct poster *p, const char *kind, const char *body,
			    const char *idem)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		struct uccn_request req = {.op = UCCN_OP_POST, .rid = ++p->rid};
		req.post.kind = (char *)kind;
		req.post.body = (char *)body;
		req.post.idem_key = (char *)idem;
		msgpack_sbuffer b;
		msgpack_sbuffer_init(&b);
		assert_int_equal(uccn_request_encode(&req, &b), 0);
		int sent = zmq_send(p->sock, b.data, b.size, 0);
		msgpack_sbuffer_destroy(&b);
		int64_t deadline = h_now_ms() + 10000;
		while (sent >= 0 && h_now_ms() < deadline) {
			zmq_pollitem_t it = {p->sock, 0, ZMQ_POLLIN, 0};
			if (zmq_poll(&it, 1, (long)(deadline - h_now_ms())) <= 0)
				continue;
			zmq_msg_t m;
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, p->sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&m);
				continue;
			}
			struct uccn_reply rep;
			char err[256];
			int rc = uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m),
						   UCCN_OP_POST, &rep, err, sizeof err);
			zmq_msg_close(&m);
			if (rc != 0)
				fail_msg("post reply: %s", err);
			if (rep.rid != req.rid) {
				uccn_reply_clear(&rep);
				continue; /* a late answer to an earlier attempt */
			}
			if (rep.status != 0)
				fail_msg("post '%s' refused: %s", body, rep.message ? rep.message : "?");
			uint64_t seq = rep.seq;
			uccn_reply_clear(&rep);
			return seq;
		}
		fprintf(stderr, "test: no answer to post '%s'; reconnecting\n", body);
		poster_connect(p);
	}
	fail_msg("post '%s': no answer after 3 attempts", body);
	return 0;
}

/* ---- 1. an offline city finds everything in its mailbox ---- */

static void test_offline_city_gets_all_messages(void **state)
{
	struct fx *f = *state;
	enum { N = 50 };
	uint64_t seqs[N];
	assert_int_equal(status_u64(f, f->key[LODZ], "unread"), 0);
	/* Lodz is offline (runs nothing) while Krakow writes to it. */
	for (int i = 0; i < N; i++) {
		char body[64];
		snprintf(body, sizeof body, "message %d to Lodz", i + 1);
		seqs[i] = POST(f, f->key[KRAKOW], "--kind", "message", "--to", "city:lodz", body);
		if (i > 0)
			assert_true(seqs[i] > seqs[i - 1]);
	}
	/* The mailbox survives a restart before it is read. */
	assert_int_equal(h_daemon_stop(f->d), 0);
	assert_int_equal(h_daemon_start(f->d), 0);
	assert_int_equal(status_u64(f, f->key[LODZ], "unread"), N);
	assert_int_equal(status_u64(f, f->key[KRAKOW], "unread"), 0);
	assert_int_equal(status_u64(f, COORD(f), "mailboxes"), N);

	/* All 50, oldest first, once each; reading does not consume them. */
	for (int round = 0; round < 2; round++) {
		h_json_t *j = inbox(f, f->key[LODZ]);
		assert_int_equal(h_json_len(j), N);
		for (size_t i = 0; i < N; i++) {
			const h_json_t *p = h_json_at(j, i);
			char body[64];
			snprintf(body, sizeof body, "message %zu to Lodz", i + 1);
			assert_int_equal(h_json_u64(h_json_get(p, "seq")), seqs[i]);
			assert_string_equal(h_json_str(h_json_get(p, "city")), "krakow");
			assert_string_equal(h_json_str(h_json_get(p, "kind")), "message");
			assert_string_equal(h_json_str(h_json_get(p, "body")), body);
			const h_json_t *to = h_json_get(p, "to");
			assert_int_equal(h_json_len(to), 1);
			assert_string_equal(h_json_str(h_json_at(to, 0)), "city:lodz");
		}
		h_json_destroy(&j);
	}

	/* Acknowledged up to the last: nothing unread, durably. */
	char last[32];
	snprintf(last, sizeof last, "%llu", (unsigned long long)seqs[N - 1]);
	h_uccn(&f->r, f->d, f->key[LODZ], NULL, "--json", "inbox", "--ack", last, NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *a = h_json_parse(f->r.out);
	assert_non_null(a);
	assert_int_equal(h_json_u64(h_json_get(a, "upto")), seqs[N - 1]);
	assert_int_equal(h_json_u64(h_json_get(a, "acked")), N);
	assert_int_equal(h_json_u64(h_json_get(a, "unread")), 0);
	h_json_destroy(&a);
	h_json_t *j = inbox(f, f->key[LODZ]);
	assert_int_equal(h_json_len(j), 0);
	h_json_destroy(&j);
	assert_int_equal(status_u64(f, f->key[LODZ], "unread"), 0);

	assert_int_equal(h_daemon_stop(f->d), 0);
	assert_int_equal(h_daemon_start(f->d), 0);
	j = inbox(f, f->key[LODZ]);
	assert_int_equal(h_json_len(j), 0);
	h_json_destroy(&j);
	assert_int_equal(status_u64(f, f->key[LODZ], "unread"), 0);
	assert_int_equal(status_u64(f, COORD(f), "mailboxes"), 0);
	/* Acknowledging again changes nothing. */
	h_uccn(&f->r, f->d, f->key[LODZ], NULL, "--json", "inbox", "--ack", last, NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "\"acked\":0"));
	/* The messages themselves are kept: Lodz still finds them in list. */
	assert_true(list_has(f, f->key[LODZ], seqs[0]));
	assert_int_equal(h_daemon_stop(f->d), 0);
}

/* ---- 2. a private message is invisible to a third city ---- */

static void test_private_message_invisible_to_others(void **state)
{
	struct fx *f = *state;
	char out_g[PATH_MAX], err_g[PATH_MAX], out_l[PATH_MAX], err_l[PATH_MAX], since[32];
	snprintf(out_g, sizeof out_g, "%s/watch-granada.out", f->dir);
	snprintf(err_g, sizeof err_g, "%s/watch-granada.err", f->dir);
	snprintf(out_l, sizeof out_l, "%s/watch-lodz.out", f->dir);
	snprintf(err_l, sizeof err_l, "%s/watch-lodz.err", f->dir);
	/* Watches from the current position (given, so no race with the posts). */
	snprintf(since, sizeof since, "%llu",
		 (unsigned long long)status_u64(f, COORD(f), "last_seq"));
	pid_t wg = watch_spawn(f, f->key[GRANADA], out_g, err_g, "--since", since, NULL);
	pid_t wl = watch_spawn(f, f->key[LODZ], out_l, err_l, "--since", since, NULL);

	uint64_t priv = POST(f, f->key[KRAKOW], "--kind", "message", "--to", "city:lodz",
			     "--title", "between us", "private: Krakow to Lodz");
	uint64_t pub = POST(f, f->key[KRAKOW], "--kind", "news", "--to", "city:lodz",
			    "public: news from Krakow");
	assert_true(pub > priv);

	/* The watches: Granada gets the public post only, Lodz both. Posts
	 * come in seq order, so once the public one is there the private one
	 * would have been printed before it. */
	uint64_t seqs[8];
	if (wait_watch_lines(out_g, 1, 15000) < 1 || wait_watch_lines(out_l, 2, 15000) < 2) {
		print_file("granada watch", err_g);
		print_file("lodz watch", err_l);
		fail_msg("the watches did not print the posts within 15 s");
	}
	sleep_ms(200); /* a late extra line would show here */
	bg_stop(wg);
	bg_stop(wl);
	size_t n = watch_seqs(out_g, seqs, 8);
	if (n != 1)
		print_file("granada watch", out_g);
	assert_int_equal(n, 1);
	assert_int_equal(seqs[0], pub);
	n = watch_seqs(out_l, seqs, 8);
	assert_int_equal(n, 2);
	assert_int_equal(seqs[0], priv);
	assert_int_equal(seqs[1], pub);

	/* list: neither Granada nor the coordinator sees it, even asked by city. */
	const char *outsiders[] = {f->key[GRANADA], COORD(f)};
	for (size_t i = 0; i < 2; i++) {
		assert_false(list_has(f, outsiders[i], priv));
		assert_true(list_has(f, outsiders[i], pub));
		h_uccn(&f->r, f->d, outsiders[i], NULL, "--json", "list", "--city", "krakow",
		       "--kind", "message", NULL);
		h_assert_exit(&f->r, 0);
		assert_string_equal(f->r.out, "[]\n");
	}
	/* show: the same answer as a post that does not exist. */
	char s_priv[32], s_none[32], want[256];
	snprintf(s_priv, sizeof s_priv, "%llu", (unsigned long long)priv);
	snprintf(s_none, sizeof s_none, "%llu", (unsigned long long)pub + 1000);
	h_uccn(&f->r, f->d, f->key[GRANADA], NULL, "show", s_none, NULL);
	h_assert_exit(&f->r, 3);
	char *none_err = strdup(f->r.err);
	assert_non_null(none_err);
	for (size_t i = 0; i < 2; i++) {
		h_uccn(&f->r, f->d, outsiders[i], NULL, "show", s_priv, NULL);
		h_assert_exit(&f->r, 3);
		assert_string_equal(f->r.out, "");
		assert_null(strstr(f->r.err, "private"));
		assert_null(strstr(f->r.err, "krakow"));
		/* Word for word the same, but for the number. */
		snprintf(want, sizeof want, "%s", none_err);
		char *at = strstr(want, s_none);
		assert_non_null(at);
		memmove(at + strlen(s_priv), at + strlen(s_none), strlen(at + strlen(s_none)) + 1);
		memcpy(at, s_priv, strlen(s_priv));
		assert_string_equal(f->r.err, want);
	}
	free(none_err);
	/* inbox: Granada has nothing; Lodz has both. */
	h_json_t *j = inbox(f, f->key[GRANADA]);
	assert_int_equal(h_json_len(j), 0);
	h_json_destroy(&j);
	j = inbox(f, f->key[LODZ]);
	assert_int_equal(h_json_len(j), 2);
	assert_int_equal(h_json_u64(h_json_get(h_json_at(j, 0), "seq")), priv);
	assert_string_equal(h_json_str(h_json_get(h_json_at(j, 0), "title")), "between us");
	h_json_destroy(&j);

	/* The two parties see it everywhere. */
	const char *parties[] = {f->key[KRAKOW], f->key[LODZ]};
	for (size_t i = 0; i < 2; i++) {
		assert_true(list_has(f, parties[i], priv));
		h_uccn(&f->r, f->d, parties[i], NULL, "--json", "show", s_priv, NULL);
		h_assert_exit(&f->r, 0);
		assert_non_null(strstr(f->r.out, "private: Krakow to Lodz"));
	}
	assert_int_equal(h_daemon_stop(f->d), 0); /* clean, and leak-free under ASan */
}

/* ---- 3. audiences ---- */

/* Register a city of another field; its key file goes to keyfile. */
static void city_in_field(struct fx *f, const char *id, const char *field, char *keyfile)
{
	char pub[UCCN_KEY_Z85_LEN + 1];
	snprintf(keyfile, PATH_MAX, "%s/%s.key", f->dir, id);
	assert_int_equal(h_keygen(keyfile, pub), 0);
	h_uccn(&f->r, f->d, COORD(f), NULL, "city", "add", id, "--name", id, "--field", field,
	       "--key", pub, NULL);
	h_assert_exit(&f->r, 0);
}

static void test_audiences(void **state)
{
	struct fx *f = *state;
	char bradford[PATH_MAX], busan[PATH_MAX];
	city_in_field(f, "bradford", "film", bradford);
	city_in_field(f, "busan", "film", busan);
	h_uccn(&f->r, f->d, COORD(f), NULL, "project", "add", "translation-bridge",
	       "--title", "Translation bridge", "--lead", "krakow", "--partner", "lodz", NULL);
	h_assert_exit(&f->r, 0);
	struct {
		const char *id;
		const char *key;
	} all[] = {
		{"krakow", f->key[KRAKOW]}, {"lodz", f->key[LODZ]}, {"granada", f->key[GRANADA]},
		{"bradford", bradford}, {"busan", busan}, {"coordinator", COORD(f)},
	};
	const size_t nall = sizeof all / sizeof all[0];

	/* A project: its lead and partners, not others. */
	uint64_t p = POST(f, busan, "--to", "project:translation-bridge", "--kind", "proposal",
			  "a film of the translated books?");
	/* A field: that field's cities. */
	uint64_t fl = POST(f, f->key[KRAKOW], "--to", "field:film", "--kind", "news",
			   "literature meets film");
	/* Everyone but the author. */
	uint64_t al = POST(f, bradford, "--to", "all", "--kind", "news", "festival dates");
	/* A project post by its lead reaches the partner, not the lead. */
	uint64_t pl = POST(f, f->key[KRAKOW], "--to", "project:translation-bridge",
			   "--kind", "message", "partners only");
	for (size_t i = 0; i < nall; i++) {
		const char *id = all[i].id;
		bool in_p = !strcmp(id, "krakow") || !strcmp(id, "lodz");
		bool in_f = !strcmp(id, "bradford") || !strcmp(id, "busan");
		bool in_a = strcmp(id, "bradford") != 0;
		bool in_pl = !strcmp(id, "lodz");
		h_json_t *j = inbox(f, all[i].key);
		if (posts_have(j, p) != in_p || posts_have(j, fl) != in_f ||
		    posts_have(j, al) != in_a || posts_have(j, pl) != in_pl) {
			h_run_print(&f->r);
			fail_msg("inbox of %s: project %d (want %d), field %d (want %d), all %d "
				 "(want %d), project by lead %d (want %d)", id,
				 posts_have(j, p), in_p, posts_have(j, fl), in_f,
				 posts_have(j, al), in_a, posts_have(j, pl), in_pl);
		}
		assert_int_equal(h_json_len(j), (size_t)in_p + in_f + in_a + in_pl);
		h_json_destroy(&j);
	}
	/* The audience is the project at the time of posting: a city that
	 * joins later does not get earlier posts, but gets the next one. */
	h_uccn(&f->r, f->d, f->key[GRANADA], NULL, "project", "join", "translation-bridge", NULL);
	h_assert_exit(&f->r, 0);
	assert_false(inbox_has(f, f->key[GRANADA], p));
	uint64_t p2 = POST(f, f->key[LODZ], "--to", "project:translation-bridge", "second call");
	assert_true(inbox_has(f, f->key[GRANADA], p2));
	assert_true(inbox_has(f, f->key[KRAKOW], p2));
	assert_false(inbox_has(f, busan, p2));
	/* Two targets that overlap deliver once. */
	uint64_t both = POST(f, busan, "--to", "city:lodz", "--to", "field:literature", "twice?");
	h_json_t *j = inbox(f, f->key[LODZ]);
	size_t hits = 0;
	for (size_t i = 0; i < h_json_len(j); i++)
		hits += h_json_u64(h_json_get(h_json_at(j, i), "seq")) == both;
	h_json_destroy(&j);
	assert_int_equal(hits, 1);

	/* A nonexistent audience is refused, named, and nothing is stored. */
	uint64_t last = status_u64(f, COORD(f), "last_seq");
	uint64_t posts = status_u64(f, COORD(f), "posts");
	uint64_t boxes = status_u64(f, COORD(f), "mailboxes");
	static const char *const bad[][2] = {
		{"city:nowhere", "nowhere"},
		{"project:nothing", "nothing"},
		{"field:nothing", "nothing"},
	};
	for (size_t i = 0; i < 3; i++) {
		h_uccn(&f->r, f->d, f->key[KRAKOW], NULL, "post", "--to", bad[i][0],
		       "lost in the post", NULL);
		h_assert_exit(&f->r, 3);
		assert_non_null(strstr(f->r.err, bad[i][0]));
		/* One bad target among good ones spoils the whole post. */
		h_uccn(&f->r, f->d, f->key[KRAKOW], NULL, "post", "--kind", "message", "--to",
		       "city:lodz", "--to", bad[i][0], "lost in the post", NULL);
		h_assert_exit(&f->r, 3);
		assert_non_null(strstr(f->r.err, bad[i][1]));
	}
	assert_int_equal(status_u64(f, COORD(f), "last_seq"), last);
	assert_int_equal(status_u64(f, COORD(f), "posts"), posts);
	assert_int_equal(status_u64(f, COORD(f), "mailboxes"), boxes);
	for (size_t i = 0; i < 2; i++) {
		const char *key = i ? f->key[KRAKOW] : f->key[LODZ];
		h_uccn(&f->r, f->d, key, NULL, "--json", "list", "--limit", "500", NULL);
		h_assert_exit(&f->r, 0);
		assert_null(strstr(f->r.out, "lost in the post"));
	}
	assert_int_equal(h_daemon_stop(f->d), 0);
}

/* ---- 4. a watch survives two kill -9 of the daemon, then resumes ---- */

static void test_watch_survives_daemon_kills(void **state)
{
	struct fx *f = *state;
	enum { N = 500, MORE = 10 };
	uint64_t acked[N + MORE];
	static uint64_t seen[N + MORE + 64];
	char out1[PATH_MAX], err1[PATH_MAX], out2[PATH_MAX], err2[PATH_MAX], st[PATH_MAX];
	char since[32];
	snprintf(out1, sizeof out1, "%s/watch1.out", f->dir);
	snprintf(err1, sizeof err1, "%s/watch1.err", f->dir);
	snprintf(out2, sizeof out2, "%s/watch2.out", f->dir);
	snprintf(err2, sizeof err2, "%s/watch2.err", f->dir);
	snprintf(st, sizeof st, "%s/watch.state", f->dir);
	snprintf(since, sizeof since, "%llu",
		 (unsigned long long)status_u64(f, COORD(f), "last_seq"));
	pid_t w = watch_spawn(f, f->key[LODZ], out1, err1, "--since", since, "--state", st, NULL);

	void *ctx = zmq_ctx_new();
	assert_non_null(ctx);
	struct poster p = {.ctx = ctx, .d = f->d, .key = f->key[KRAKOW]};
	poster_connect(&p);
	int64_t t0 = h_now_ms();
	for (int i = 0; i < N; i++) {
		if (i == 150 || i == 350) {
			/* Every post so far is acknowledged, hence on disk. Kill
			 * the daemon once the watch has caught up, so that it
			 * holds a watch request there (a kill while the watch
			 * sleeps between retries would test nothing). */
			if (wait_watch_lines(out1, (size_t)i, 20000) < (size_t)i) {
				print_file("watch stderr", err1);
				fail_msg("the watch did not print the first %d posts within 20 s", i);
			}
			sleep_ms(50);
			poster_close(&p);
			h_daemon_kill(f->d);
			assert_int_equal(h_daemon_start(f->d), 0);
			poster_connect(&p);
		}
		char body[64], idem[32];
		snprintf(body, sizeof body, "watched post %d", i + 1);
		snprintf(idem, sizeof idem, "watch-%d", i + 1);
		acked[i] = dealer_post(&p, "update", body, idem);
		if (i > 0)
			assert_true(acked[i] > acked[i - 1]);
	}
	int64_t t_posted = h_now_ms();

	size_t lines = wait_watch_lines(out1, N, 60000);
	if (lines < N) {
		print_file("watch stderr", err1);
		h_daemon_print_log(f->d);
	}
	size_t n = watch_seqs(out1, seen, sizeof seen / sizeof seen[0]);
	fprintf(stderr, "test: %d posts (2 kill -9 restarts) in %lld ms; the watch had them all "
		"%lld ms later\n", N, (long long)(t_posted - t0), (long long)(h_now_ms() - t_posted));
	assert_int_equal(n, N);
	/* Every acknowledged seq exactly once, in order. */
	for (size_t i = 0; i < N; i++)
		if (seen[i] != acked[i])
			fail_msg("watch line %zu is seq %llu, want %llu", i + 1,
				 (unsigned long long)seen[i], (unsigned long long)acked[i]);

	/* It noticed each loss and said so. */
	char *errs = h_read_file(err1, NULL);
	assert_non_null(errs);
	size_t nerr = 0;
	for (const char *q = errs; (q = strchr(q, '\n')) != NULL; q++)
		nerr++;
	if (nerr < 2)
		print_file("watch stderr", err1);
	assert_true(nerr >= 2);
	free(errs);

	/* The state file reaches the last printed seq (it is written after
	 * the lines are printed); then stop the watch. */
	char want[32];
	snprintf(want, sizeof want, "%llu", (unsigned long long)acked[N - 1]);
	int64_t deadline = h_now_ms() + 5000;
	char *s = NULL;
	for (;;) {
		free(s);
		s = h_read_file(st, NULL);
		if ((s && strtoull(s, NULL, 10) == acked[N - 1]) || h_now_ms() >= deadline)
			break;
		sleep_ms(20);
	}
	assert_non_null(s);
	assert_int_equal(strtoull(s, NULL, 10), acked[N - 1]);
	free(s);
	bg_stop(w);

	/* A new watch on the same state file prints exactly the next posts. */
	w = watch_spawn(f, f->key[LODZ], out2, err2, "--state", st, NULL);
	for (int i = 0; i < MORE; i++) {
		char body[64], idem[32];
		snprintf(body, sizeof body, "after the restart %d", i + 1);
		snprintf(idem, sizeof idem, "watch-more-%d", i + 1);
		acked[N + i] = dealer_post(&p, "news", body, idem);
	}
	lines = wait_watch_lines(out2, MORE, 20000);
	if (lines < MORE)
		print_file("second watch stderr", err2);
	sleep_ms(200); /* a late extra line would show here */
	n = watch_seqs(out2, seen, sizeof seen / sizeof seen[0]);
	bg_stop(w);
	if (n != MORE)
		print_file("second watch", out2);
	assert_int_equal(n, MORE);
	for (size_t i = 0; i < MORE; i++)
		assert_int_equal(seen[i], acked[N + i]);
	poster_close(&p);
	h_ctx_term(ctx);
	assert_int_equal(h_daemon_stop(f->d), 0);
}

/* ---- 5. a full mailbox refuses the sender and loses nothing ---- */

static void test_full_mailbox_refuses_sender(void **state)
{
	struct fx *f = *state;
	enum { QUOTA = 5 };
	assert_int_equal(h_daemon_stop(f->d), 0);
	own_daemon_start(f, "--mailbox-quota", "5");

	uint64_t seqs[QUOTA];
	for (int i = 0; i < QUOTA; i++) {
		char body[64];
		snprintf(body, sizeof body, "note %d for Lodz", i + 1);
		seqs[i] = POST(f, f->key[KRAKOW], "--kind", "message", "--to", "city:lodz", body);
	}
	assert_int_equal(status_u64(f, f->key[LODZ], "unread"), QUOTA);
	uint64_t last = status_u64(f, COORD(f), "last_seq");
	uint64_t posts = status_u64(f, COORD(f), "posts");

	/* The sixth is refused with a message naming Lodz's full mailbox. */
	h_uccn(&f->r, f->d, f->key[KRAKOW], NULL, "post", "--kind", "message", "--to",
	       "city:lodz", "note 6 for Lodz", NULL);
	h_assert_exit(&f->r, 1);
	assert_string_equal(f->r.out, "");
	assert_non_null(strstr(f->r.err, "lodz"));
	assert_non_null(strstr(f->r.err, "full"));
	/* A broadcast is not refused (SPEC 4.16, mailbox fairness): it is
	 * stored and skips Lodz's full mailbox. */
	uint64_t to_all = POST(f, f->key[GRANADA], "--kind", "news", "--to", "all",
			       "news for everyone");
	assert_false(inbox_has(f, f->key[LODZ], to_all));
	/* Others' mailboxes are not affected. */
	uint64_t to_granada = POST(f, f->key[KRAKOW], "--kind", "message", "--to",
				   "city:granada", "a note for Granada");
	assert_true(inbox_has(f, f->key[GRANADA], to_granada));

	/* Nothing of the refused posts is stored; nothing earlier was lost. */
	assert_int_equal(status_u64(f, COORD(f), "last_seq"), to_granada);
	assert_int_equal(status_u64(f, COORD(f), "posts"), posts + 2);
	assert_true(to_granada == last + 2);
	for (size_t i = 0; i < 2; i++) {
		const char *key = i ? f->key[KRAKOW] : f->key[GRANADA];
		h_uccn(&f->r, f->d, key, NULL, "--json", "list", "--limit", "500", NULL);
		h_assert_exit(&f->r, 0);
		assert_null(strstr(f->r.out, "note 6"));
	}
	h_json_t *j = inbox(f, f->key[LODZ]);
	assert_int_equal(h_json_len(j), QUOTA);
	for (size_t i = 0; i < QUOTA; i++)
		assert_int_equal(h_json_u64(h_json_get(h_json_at(j, i), "seq")), seqs[i]);
	assert_null(strstr(f->r.out, "note 6"));
	h_json_destroy(&j);

	/* Lodz reads its mail; Krakow can write again. */
	char upto[32];
	snprintf(upto, sizeof upto, "%llu", (unsigned long long)seqs[QUOTA - 1]);
	h_uccn(&f->r, f->d, f->key[LODZ], NULL, "--json", "inbox", "--ack", upto, NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "\"acked\":5"));
	uint64_t again = POST(f, f->key[KRAKOW], "--kind", "message", "--to", "city:lodz",
			      "note 6 for Lodz");
	j = inbox(f, f->key[LODZ]);
	assert_int_equal(h_json_len(j), 1);
	assert_int_equal(h_json_u64(h_json_get(h_json_at(j, 0), "seq")), again);
	h_json_destroy(&j);
	int ws = bg_stop(f->own_daemon);
	f->own_daemon = 0;
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		h_daemon_print_log(f->d);
	assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		T(test_offline_city_gets_all_messages),
		T(test_private_message_invisible_to_others),
		T(test_audiences),
		T(test_watch_survives_daemon_kills),
		T(test_full_mailbox_refuses_sender),
	};
	return cmocka_run_group_tests_name("e2e_messages", tests, NULL, NULL);
}
