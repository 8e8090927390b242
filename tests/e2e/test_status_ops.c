/*
 * test_status_ops.c - end-to-end: `uccn status` for an operator (SPEC 4.1,
 * server_state). After posts, a refused request and connections coming
 * and going, the coordinator sees every figure and each one sensible:
 * commit latencies and batches, mailbox depth and the age of the oldest
 * unread post, refusals by kind, no drops, the peers connected right now
 * (refused keys not among them), and the server key's fingerprint as
 * `uccn key show` prints it. A member sees today's status and nothing more.
 */
#include "../harness/harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

enum { KRAKOW, LODZ, NCITIES };
static const char *const city_ids[NCITIES] = {"krakow", "lodz"};
static const char *const city_names[NCITIES] = {"Krakow", "Lodz"};

/* Extra connections the test opens at once. */
#define EXTRA_PEERS 3
/* How long a figure may take to settle (a closed connection's event). */
#define SETTLE_MS 10000

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
	char key[NCITIES][PATH_MAX];
	h_json_t *status;
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

/* The daemon stops cleanly, and a sanitizer build found nothing to say
 * (ASan's exit code, UBSan's "runtime error" in the log). */
static int stop_clean(h_daemon_t *d)
{
	int rc = h_daemon_stop(d);
	char *log = h_read_file(d->log, NULL);
	bool quiet = log && !strstr(log, "runtime error") && !strstr(log, "Sanitizer");
	free(log);
	if (rc == 0 && quiet)
		return 0;
	fprintf(stderr, "uccnd exited %d:\n", rc);
	h_daemon_print_log(d);
	return -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int rc = stop_clean(f->d);
	h_json_destroy(&f->status);
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return rc;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void assert_has(const h_run_t *r, const char *text, const char *want, bool has)
{
	if ((strstr(text, want) != NULL) != has) {
		h_run_print(r);
		fail_msg("the output %s \"%s\"", has ? "lacks" : "has", want);
	}
}

/* `uccn --json status` as the city with key: the server_state object, or
 * NULL when there is none (f->status holds the whole reply). */
static const h_json_t *status_as(struct fx *f, const char *key)
{
	h_uccn(&f->r, f->d, key, NULL, "--json", "status", NULL);
	h_assert_exit(&f->r, 0);
	h_json_destroy(&f->status);
	f->status = h_json_parse(f->r.out);
	assert_non_null(f->status);
	return h_json_get(f->status, "server_state");
}

static uint64_t figure(const h_json_t *st, const char *key)
{
	const h_json_t *v = h_json_get(st, key);
	if (!v)
		fail_msg("server_state has no '%s'", key);
	return h_json_u64(v);
}

/* Poll the coordinator's status until peers reads want; fail after
 * SETTLE_MS. The status run's own connection is one of them. */
static void wait_peers(struct fx *f, uint64_t want)
{
	int64_t until = h_now_ms() + SETTLE_MS;
	uint64_t got = 0;
	while (h_now_ms() < until) {
		got = figure(status_as(f, f->d->coordinator_key), "peers");
		if (got == want)
			return;
		sleep_ms(50);
	}
	fail_msg("peers reads %llu, want %llu", (unsigned long long)got,
		 (unsigned long long)want);
}

/* One status request over s and its reply: the handshake is done. */
static void round_trip(void *s)
{
	static const char req[] = "\x83\xa1v\x01\xa2op\xa6status\xa3rid\x01";
	char reply[4096];
	int timeout = 10000;
	assert_int_equal(zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout), 0);
	assert_int_equal(zmq_send(s, req, sizeof req - 1, 0), (int)(sizeof req - 1));
	assert_true(zmq_recv(s, reply, sizeof reply, 0) > 0);
}

/* A DEALER with a key no city owns: wait until the server has refused
 * its handshake at least once (its own monitor says so), then close it. */
static void refused_connection(struct fx *f, void *ctx)
{
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	char server_pub[UCCN_KEY_Z85_LEN + 1] = "";
	assert_int_equal(zmq_curve_keypair(pub, sec), 0);
	size_t len = 0;
	char *text = h_read_file(f->d->server_pub, &len);
	assert_non_null(text);
	char *q = strstr(text, "public-key = \"");
	assert_non_null(q);
	memcpy(server_pub, q + 14, UCCN_KEY_Z85_LEN);
	free(text);
	void *s = h_dealer_keys(ctx, f->d->endpoint, server_pub, pub, sec);
	assert_non_null(s);
	assert_int_equal(zmq_socket_monitor(s, "inproc://refused", ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
					    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
					    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL), 0);
	void *mon = zmq_socket(ctx, ZMQ_PAIR);
	assert_non_null(mon);
	assert_int_equal(zmq_connect(mon, "inproc://refused"), 0);
	int timeout = 10000;
	assert_int_equal(zmq_setsockopt(mon, ZMQ_RCVTIMEO, &timeout, sizeof timeout), 0);
	char ev[64];
	assert_true(zmq_recv(mon, ev, sizeof ev, 0) > 0);
	zmq_socket_monitor(s, NULL, 0);
	zmq_close(mon);
	zmq_close(s);
}

/* The server key's fingerprint as `uccn key show server.pub` prints it. */
static void key_show_fingerprint(struct fx *f, char *out, size_t len)
{
	h_uccn(&f->r, NULL, NULL, NULL, "key", "show", f->d->server_pub, NULL);
	h_assert_exit(&f->r, 0);
	const char *line = strstr(f->r.out, "fingerprint: ");
	assert_non_null(line);
	line += strlen("fingerprint: ");
	size_t n = strcspn(line, "\n");
	assert_true(n > 0 && n < len);
	memcpy(out, line, n);
	out[n] = '\0';
}

static void test_coordinator_sees_server_state(void **state)
{
	struct fx *f = *state;
	const char *coord = f->d->coordinator_key;
	/* Three posts; krakow leaves its mailbox unread. */
	h_uccn(&f->r, f->d, coord, NULL, "post", "--kind", "message", "--to", "city:krakow",
	       "the first, unread", NULL);
	h_assert_exit(&f->r, 0);
	for (int i = 0; i < 2; i++) {
		h_uccn(&f->r, f->d, coord, NULL, "post", "--kind", "news", "--to", "all",
		       "news for everyone", NULL);
		h_assert_exit(&f->r, 0);
	}
	/* A member may not add a field: denied. */
	h_uccn(&f->r, f->d, f->key[LODZ], NULL, "field", "add", "street_food", NULL);
	h_assert_exit(&f->r, 4);

	const h_json_t *st = status_as(f, coord);
	assert_non_null(st);
	/* the database */
	assert_string_equal(h_json_str(h_json_get(st, "data_dir")), f->d->dir);
	assert_true(figure(st, "data_bytes") > 0);
	assert_true(figure(st, "map_used_bytes") > 0);
	assert_true(figure(st, "map_used_bytes") <= figure(st, "map_bytes"));
	/* commits: 2 cities registered and 3 posts at least */
	uint64_t p50 = figure(st, "commit_p50_us"), p99 = figure(st, "commit_p99_us");
	assert_true(p50 > 0);
	assert_true(p99 >= p50);
	assert_true(figure(st, "batches") >= 1);
	assert_true(figure(st, "writes") >= 5);
	assert_true(figure(st, "batch_avg_x100") >= 100);
	/* mailboxes: krakow holds its message and both news, lodz the news */
	assert_int_equal(figure(st, "mailbox_max"), 3);
	assert_string_equal(h_json_str(h_json_get(st, "mailbox_max_city")), "krakow");
	assert_int_equal(figure(st, "mailbox_total"), 5);
	/* refusals by kind, and nothing dropped */
	const h_json_t *refusals = h_json_get(st, "refusals");
	assert_int_equal(h_json_type(refusals), H_JSON_OBJECT);
	assert_true(h_json_u64(h_json_get(refusals, "denied")) >= 1);
	assert_int_equal(figure(st, "drops"), 0);
	/* the server's own key, as the operator checks it */
	char fp[64];
	const char *sent = h_json_str(h_json_get(st, "server_key_fingerprint"));
	assert_non_null(sent);
	char sent_copy[64];
	snprintf(sent_copy, sizeof sent_copy, "%s", sent);
	key_show_fingerprint(f, fp, sizeof fp);
	assert_string_equal(sent_copy, fp);

	/* The oldest unread post ages while it stays unread. */
	uint64_t age = figure(status_as(f, coord), "oldest_unread_s");
	int64_t until = h_now_ms() + SETTLE_MS;
	while (figure(status_as(f, coord), "oldest_unread_s") <= age && h_now_ms() < until)
		sleep_ms(200);
	assert_true(figure(status_as(f, coord), "oldest_unread_s") > age);

	/* The text view: a block of its own, every figure on a line. */
	h_uccn(&f->r, f->d, coord, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);
	assert_has(&f->r, f->r.out, "server state:\n", true);
	assert_has(&f->r, f->r.out, "  server:     uccnd ", true);
	assert_has(&f->r, f->r.out, "  data:       ", true);
	assert_has(&f->r, f->r.out, "  peers:      ", true);
	assert_has(&f->r, f->r.out, "  commits:    p50 ", true);
	assert_has(&f->r, f->r.out, "  mailboxes:  deepest 3 (krakow), 5 unread in all", true);
	assert_has(&f->r, f->r.out, "  refusals:   denied ", true);
	assert_has(&f->r, f->r.out, "  drops:      0\n", true);
	char line[128];
	snprintf(line, sizeof line, "  server key: %s\n", fp);
	assert_has(&f->r, f->r.out, line, true);
}

/* peers counts the connections whose handshake succeeded, right now:
 * EXTRA_PEERS more while they are open, back when they close; a key the
 * server refuses never counts, and leaves no drift behind. */
static void test_peers_come_and_go(void **state)
{
	struct fx *f = *state;
	/* Alone: only the status run's own connection. */
	wait_peers(f, 1);
	void *ctx = zmq_ctx_new();
	assert_non_null(ctx);
	void *s[EXTRA_PEERS];
	for (int i = 0; i < EXTRA_PEERS; i++) {
		s[i] = h_dealer_new(ctx, f->d, f->key[i % NCITIES]);
		assert_non_null(s[i]);
		round_trip(s[i]);
	}
	wait_peers(f, 1 + EXTRA_PEERS);
	refused_connection(f, ctx);
	wait_peers(f, 1 + EXTRA_PEERS);
	for (int i = 0; i < EXTRA_PEERS; i++)
		zmq_close(s[i]);
	wait_peers(f, 1);
	h_ctx_term(ctx);
	assert_int_equal(figure(status_as(f, f->d->coordinator_key), "drops"), 0);
}

/* A member's status is today's: no server block in text or JSON. */
static void test_member_sees_no_server_state(void **state)
{
	struct fx *f = *state;
	assert_null(status_as(f, f->key[KRAKOW]));
	assert_string_equal(h_json_str(h_json_get(f->status, "role")), "member");
	assert_non_null(h_json_get(f->status, "mailboxes"));
	h_uccn(&f->r, f->d, f->key[KRAKOW], NULL, "status", NULL);
	h_assert_exit(&f->r, 0);
	assert_has(&f->r, f->r.out, "you are:    krakow (member)", true);
	assert_has(&f->r, f->r.out, "server state", false);
	assert_has(&f->r, f->r.out, "peers", false);
	assert_has(&f->r, f->r.out, "refusals", false);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		T(test_coordinator_sees_server_state),
		T(test_peers_come_and_go),
		T(test_member_sees_no_server_state),
	};
	return cmocka_run_group_tests_name("e2e_status_ops", tests, NULL, NULL);
}
