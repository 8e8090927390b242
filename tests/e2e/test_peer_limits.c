/*
 * test_peer_limits.c - end-to-end: what one member (granada) can take from
 * the others (issue 14, "bounded per peer"). It holds as many watch
 * requests as it can send, and another city's watch is still held and
 * answered; it asks for large replies and never reads them, and uccnd
 * stays small while another city is served; and it does both at once with
 * a 200 MiB multipart message on top. Each test has a daemon of its own,
 * so a peak measured is that test's.
 */
#include "../harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "uccn_error.h"
#include "uccn_limits.h"
#include "uccn_msg.h"

#define RSS_LIMIT_KB (100L * 1024)
#define WATCHES 4100
#define UNREAD 150
#define MP_FRAMES 1600
#define MP_FRAME (128 * 1024)

struct fx {
	char *dir;
	h_daemon_t *d;
	char key_a[PATH_MAX]; /* granada: the greedy member */
	char key_b[PATH_MAX]; /* bilbao: everyone else */
	void *ctx;
	h_run_t r;
	void *socks[128];
	size_t nsocks;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->ctx = zmq_ctx_new();
	if (!f->ctx || h_daemon_up(&f->dir, &f->d) != 0 ||
	    h_city_register(f->d, "granada", "Granada", f->key_a) != 0 ||
	    h_city_register(f->d, "bilbao", "Bilbao", f->key_b) != 0) {
		if (f->ctx)
			h_ctx_term(f->ctx);
		h_daemon_down(&f->dir, &f->d);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static void *dealer(struct fx *f, const char *keyfile)
{
	void *s = h_dealer_new(f->ctx, f->d, keyfile);
	assert_non_null(s);
	assert_true(f->nsocks < sizeof f->socks / sizeof f->socks[0]);
	f->socks[f->nsocks++] = s;
	return s;
}

static void close_all(struct fx *f)
{
	int zero = 0;
	for (size_t i = 0; i < f->nsocks; i++) {
		zmq_setsockopt(f->socks[i], ZMQ_LINGER, &zero, sizeof zero);
		zmq_close(f->socks[i]);
	}
	f->nsocks = 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	close_all(f);
	h_ctx_term(f->ctx);
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

static void send_request(void *s, const struct uccn_request *rq)
{
	assert_int_equal(h_request_send(s, rq), 0);
}

/* One reply to an op request within ms, decoded into out (cleared by the
 * caller with uccn_reply_clear); false on timeout. */
static bool recv_reply(void *s, int ms, enum uccn_op op, struct uccn_reply *out)
{
	char err[UCCN_MAX_MESSAGE];
	int rc = h_reply_recv(s, ms, op, out, err, sizeof err);
	if (rc < 0)
		fail_msg("undecodable reply: %s", err);
	return rc == 1;
}

/* Posts enough large updates for a list reply of about 7 MiB. */
static void seed_large_posts(struct fx *f)
{
	void *a = dealer(f, f->key_a);
	static char body[60001];
	memset(body, 'x', sizeof body - 1);
	const size_t nposts = 120;
	for (size_t done = 0, sent = 0; done < nposts;) {
		while (sent < nposts && sent - done < 32) {
			struct uccn_request rq;
			memset(&rq, 0, sizeof rq);
			rq.op = UCCN_OP_POST;
			rq.rid = 100000 + sent;
			rq.post.kind = (char *)"update";
			rq.post.title = (char *)"A large update";
			rq.post.body = body;
			send_request(a, &rq);
			sent++;
		}
		struct uccn_reply rep;
		memset(&rep, 0, sizeof rep);
		assert_true(recv_reply(a, 10000, UCCN_OP_POST, &rep));
		assert_int_equal(rep.status, 0);
		uccn_reply_clear(&rep);
		done++;
	}
}

/* 4,100 watches from granada, each connection inside its credit; *busy
 * gets how many were answered busy at once, and the rest are held. */
static void hold_watches(struct fx *f, size_t *busy, size_t *held)
{
	enum { PER_CONN = UCCN_MAX_OUTSTANDING - 8,
	       NCONN = (WATCHES + PER_CONN - 1) / PER_CONN };
	void *a[NCONN];
	size_t sent = 0;
	for (size_t c = 0; c < NCONN; c++) {
		a[c] = dealer(f, f->key_a);
		for (size_t i = 0; i < PER_CONN && sent < WATCHES; i++) {
			struct uccn_request rq;
			memset(&rq, 0, sizeof rq);
			rq.op = UCCN_OP_WATCH;
			rq.rid = ++sent;
			rq.query.since = 1000000; /* nothing to release at once */
			rq.wait_ms = 60000;
			send_request(a[c], &rq);
		}
	}
	size_t got = 0;
	*busy = 0;
	/* Collect what is answered at once; the rest is held. */
	for (bool quiet = false; !quiet;) {
		quiet = true;
		for (size_t c = 0; c < NCONN; c++) {
			struct uccn_reply rep;
			memset(&rep, 0, sizeof rep);
			while (recv_reply(a[c], got < WATCHES - UCCN_MAX_WATCHES_PER_CITY ? 100 : 0,
					  UCCN_OP_WATCH, &rep)) {
				quiet = false;
				got++;
				*busy += rep.status == UCCN_E_BUSY;
				uccn_reply_clear(&rep);
			}
		}
	}
	*held = sent - got;
	fprintf(stderr, "note: granada sent %zu watches on %d connections: %zu busy, %zu held\n",
		sent, (int)NCONN, *busy, *held);
}

/* 150 list requests of about 7 MiB each on a connection that reads
 * nothing. */
static void ask_unread(struct fx *f)
{
	void *g = dealer(f, f->key_a);
	int one = 1, small = 4096;
	zmq_setsockopt(g, ZMQ_RCVHWM, &one, sizeof one);
	zmq_setsockopt(g, ZMQ_RCVBUF, &small, sizeof small);
	for (size_t i = 0; i < UNREAD; i++) {
		struct uccn_request rq;
		memset(&rq, 0, sizeof rq);
		rq.op = UCCN_OP_LIST;
		rq.rid = 200000 + i;
		rq.query.limit = 500;
		send_request(g, &rq);
	}
}

/* Bilbao lists and posts with the real uccn, within 10 s each. */
static void bilbao_is_served(struct fx *f, const char *body)
{
	h_uccn(&f->r, f->d, f->key_b, NULL, "--timeout", "10", "list", "--limit", "2", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, f->key_b, NULL, "--timeout", "10", "post", "--kind", "news",
	       body, NULL);
	h_assert_exit(&f->r, 0);
}

/* Failure 6: one member sends 4,100 watches (more than the server's 4,096
 * slots), keeping within its credit; only its share is held, the rest is
 * busy at once, and another city's watch is held and answered. */
static void test_watch_share_per_city(void **state)
{
	struct fx *f = *state;
	size_t busy, held;
	hold_watches(f, &busy, &held);
	assert_int_equal(busy, WATCHES - UCCN_MAX_WATCHES_PER_CITY);
	assert_int_equal(held, UCCN_MAX_WATCHES_PER_CITY);

	/* Bilbao's watch is held, not refused... */
	void *b = dealer(f, f->key_b);
	struct uccn_request rq;
	memset(&rq, 0, sizeof rq);
	rq.op = UCCN_OP_WATCH;
	rq.rid = 7;
	rq.wait_ms = 60000;
	send_request(b, &rq);
	struct uccn_reply rep;
	memset(&rep, 0, sizeof rep);
	if (recv_reply(b, 1000, UCCN_OP_WATCH, &rep))
		fail_msg("bilbao's watch was answered at once: status %d (%s)", rep.status,
			 rep.message ? rep.message : "");
	/* ...and answered when a post arrives. */
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "post", "--kind", "news",
	       "News for the watchers.", NULL);
	h_assert_exit(&f->r, 0);
	assert_true(recv_reply(b, 5000, UCCN_OP_WATCH, &rep));
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.rid, 7);
	assert_true(rep.nposts >= 1);
	uccn_reply_clear(&rep);
	close_all(f);
}

/* Failure 7: a member asks for large replies and never reads them. uccnd
 * keeps a bounded amount queued for it, stays small, and serves another
 * city meanwhile. */
static void test_unread_replies_bounded(void **state)
{
	struct fx *f = *state;
	seed_large_posts(f);
	close_all(f);
	ask_unread(f);
	usleep(2000 * 1000);
	long rss = h_daemon_rss_kb(f->d);
	fprintf(stderr, "note: %d unread list replies of about 7 MiB: uccnd VmRSS %ld KiB\n",
		UNREAD, rss);
	bilbao_is_served(f, "Bilbao is served.");
	assert_true(rss > 0);
	/* The bound is the plain build's: under ASan, RSS holds the shadow
	 * memory and a quarantine of freed blocks (470 MB measured here), so
	 * it says nothing about what uccnd keeps queued. The sanitizer run
	 * still checks that the other city is served and nothing leaks. */
	if (!h_daemon_asan())
		assert_true(rss < RSS_LIMIT_KB);
	close_all(f);
}

/* Everything at once (items 4 and 8 of issue 14): the watches, the
 * unread replies and one multipart message of 200 MiB (1,600 frames of
 * 128 KiB). libzmq stores every frame of a message before the application
 * can read the first (src/ypipe.hpp: incomplete items are never flushed to
 * the reader; src/pipe.cpp counts only whole messages against the
 * high-water mark) and ZMQ_MAXMSGSIZE bounds one frame, so uccnd watches
 * what each connection has sent and not had delivered (daemon/inflow.c)
 * and shuts down one past 12 MiB. uccnd's peak RSS (VmHWM) over the whole
 * attack stays under 100 MB (269 MB before the inflow guard), and bilbao
 * lists, posts and has its own watch answered throughout. */
static void test_one_member_attacks(void **state)
{
	struct fx *f = *state;
	seed_large_posts(f);
	long base = h_daemon_rss_kb(f->d);

	size_t busy, held_watches;
	hold_watches(f, &busy, &held_watches);
	assert_int_equal(busy, WATCHES - UCCN_MAX_WATCHES_PER_CITY);
	ask_unread(f);

	/* Bilbao's own watch is held while granada's are. */
	void *b = dealer(f, f->key_b);
	struct uccn_request wq;
	memset(&wq, 0, sizeof wq);
	wq.op = UCCN_OP_WATCH;
	wq.rid = 7;
	wq.wait_ms = 60000;
	/* since = the last seq, so the watch waits for bilbao's next post. */
	h_uccn(&f->r, f->d, f->key_b, NULL, "--json", "status", NULL);
	h_assert_exit(&f->r, 0);
	const char *ls = strstr(f->r.out, "\"last_seq\":");
	assert_non_null(ls);
	wq.query.since = strtoull(ls + 11, NULL, 10);
	send_request(b, &wq);

	usleep(2000 * 1000);
	long held = h_daemon_rss_kb(f->d);
	bilbao_is_served(f, "Bilbao is served while granada holds its watches.");

	/* Bilbao's post released bilbao's watch. */
	struct uccn_reply rep;
	memset(&rep, 0, sizeof rep);
	assert_true(recv_reply(b, 10000, UCCN_OP_WATCH, &rep));
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.rid, 7);
	assert_true(rep.nposts >= 1);
	uccn_reply_clear(&rep);

	/* The multipart message: refused as invalid once it has arrived. */
	void *m = dealer(f, f->key_a);
	int big = 256 * 1024 * 1024;
	zmq_setsockopt(m, ZMQ_SNDBUF, &big, sizeof big);
	char *frame = malloc(MP_FRAME);
	assert_non_null(frame);
	memset(frame, 0xc1, MP_FRAME);
	for (int i = 0; i < MP_FRAMES; i++)
		assert_int_equal(zmq_send(m, frame, MP_FRAME, i + 1 < MP_FRAMES ? ZMQ_SNDMORE : 0),
				 MP_FRAME);
	free(frame);
	memset(&rep, 0, sizeof rep);
	/* The connection is dropped before the message is whole; were it
	 * not, the reply would say invalid. */
	if (recv_reply(m, 3000, UCCN_OP_STATUS, &rep)) {
		assert_int_equal(rep.status, UCCN_E_INVALID);
		uccn_reply_clear(&rep);
	}
	bilbao_is_served(f, "Bilbao is served after granada's 200 MiB message.");
	usleep(500 * 1000);
	long after = h_daemon_rss_kb(f->d);
	long peak = h_daemon_status_kb(f->d, "VmHWM");
	fprintf(stderr, "note: uccnd VmRSS %ld KiB before the attack, %ld KiB with %d watches "
		"and %d unread replies, %ld KiB after the %d MiB multipart message; "
		"peak (VmHWM) %ld KiB\n", base, held, WATCHES, UNREAD, after,
		MP_FRAMES * (MP_FRAME / 1024) / 1024, peak);
	assert_true(held > 0 && after > 0);
	/* The bound is the plain build's: under ASan RSS holds shadow memory
	 * and a quarantine of freed blocks. */
	if (!h_daemon_asan()) {
		assert_true(held < RSS_LIMIT_KB);
		assert_true(after < RSS_LIMIT_KB);
		assert_true(peak < RSS_LIMIT_KB);
		/* The log says a connection was dropped and why. (Under ASan
		 * malloc is ASan's, and mallinfo2, which wakes the guard,
		 * reports nothing: there the message is answered invalid.) */
		char *log = h_read_file(f->d->log, NULL);
		assert_non_null(log);
		assert_non_null(strstr(log, "dropped a connection that sent"));
		free(log);
	}
	close_all(f);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watch_share_per_city, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unread_replies_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_member_attacks, setup, teardown),
	};
	return cmocka_run_group_tests_name("e2e_peer_limits", tests, NULL, NULL);
}
