/*
 * test_peer_limits.c - end-to-end: what one member (granada) can take from
 * the others (issue 14, "bounded per peer"). It holds as many watch
 * requests as it can send, and another city's watch is still held and
 * answered; it asks for large replies and never reads them, and uccnd
 * stays small while another city is served; and it does both at once with
 * a 200 MiB multipart message on top; and several connections, each
 * under the limit of one, hold more than all together may. Each test has
 * a daemon of its own, so a peak measured is that test's.
 */
#include "../harness/harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zmq.h>

#include "uccn_error.h"
#include "uccn_keyfile.h"
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
	void *g = h_dealer_stalled(f->ctx, f->d, f->key_a);
	assert_non_null(g);
	assert_true(f->nsocks < sizeof f->socks / sizeof f->socks[0]);
	f->socks[f->nsocks++] = g;
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

/* A client that reads may still send several requests before reading
 * (SPEC 2.1): two lists of about 7 MiB and a status, sent at once and then
 * read, are all served; the status is not refused for the lists ahead of
 * it, which fit the connection's 16 MiB. */
static void test_pipelined_reads_served(void **state)
{
	struct fx *f = *state;
	seed_large_posts(f);
	void *a = dealer(f, f->key_a);
	for (uint64_t i = 1; i <= 3; i++) {
		struct uccn_request rq;
		memset(&rq, 0, sizeof rq);
		rq.op = i < 3 ? UCCN_OP_LIST : UCCN_OP_STATUS;
		rq.rid = i;
		rq.query.limit = 500;
		send_request(a, &rq);
	}
	for (uint64_t i = 1; i <= 3; i++) {
		struct uccn_reply rep;
		memset(&rep, 0, sizeof rep);
		assert_true(recv_reply(a, H_REPLY_MS, i < 3 ? UCCN_OP_LIST : UCCN_OP_STATUS, &rep));
		if (rep.status)
			fail_msg("request %" PRIu64 " of 3: %s: %s", rep.rid,
				 uccn_error_name(rep.status), rep.message ? rep.message : "");
		assert_int_equal(rep.rid, i);
		if (i < 3)
			assert_true(rep.nposts > 100);
		uccn_reply_clear(&rep);
	}
	close_all(f);
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
	assert_true(recv_reply(b, H_REPLY_MS, UCCN_OP_WATCH, &rep));
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

/* ---- a proxy that holds back what a connection sends ----
 *
 * libzmq sends a multipart message only once it is whole, and uccnd reads
 * it as fast as it arrives, so several connections are behind at the same
 * moment only while their messages are on the way. The proxy makes that
 * moment last: it passes what uccnd sends at once, and what a client
 * sends up to a budget the test sets, as a slow link would. */

#define RELAYS 8
#define UNLIMITED UINT64_MAX

struct relay {
	int client, server;      /* the thread's; -1 once closed */
	_Atomic uint64_t budget; /* bytes client -> uccnd may pass in all */
	_Atomic uint64_t up;     /* bytes passed client -> uccnd */
	atomic_bool server_gone; /* uccnd closed its end */
};

struct proxy {
	int fd, port, daemon_port;
	pthread_t thread;
	atomic_bool stop;
	atomic_int n;            /* relays accepted, in order */
	struct relay r[RELAYS];
};

static bool send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static void relay_close(struct relay *r, bool server_gone)
{
	if (server_gone)
		atomic_store(&r->server_gone, true);
	close(r->client);
	close(r->server);
	r->client = r->server = -1;
}

static void proxy_accept(struct proxy *px)
{
	int n = atomic_load(&px->n);
	int c = accept(px->fd, NULL, NULL);
	if (c < 0)
		return;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)px->daemon_port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (n >= RELAYS || s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
		close(c);
		if (s >= 0)
			close(s);
		return;
	}
	struct relay *r = &px->r[n];
	r->client = c;
	r->server = s;
	atomic_store(&r->budget, UNLIMITED);
	atomic_store(&r->up, 0);
	atomic_store(&r->server_gone, false);
	atomic_store(&px->n, n + 1);
}

static void *proxy_run(void *arg)
{
	struct proxy *px = arg;
	static char buf[64 * 1024];
	while (!atomic_load(&px->stop)) {
		struct pollfd pf[1 + 2 * RELAYS];
		int who[1 + 2 * RELAYS];
		nfds_t nfds = 0;
		int n = atomic_load(&px->n);
		pf[nfds++] = (struct pollfd){.fd = px->fd, .events = POLLIN};
		for (int i = 0; i < n; i++) {
			struct relay *r = &px->r[i];
			if (r->server < 0)
				continue;
			if (atomic_load(&r->up) < atomic_load(&r->budget)) {
				who[nfds] = i;
				pf[nfds++] = (struct pollfd){.fd = r->client, .events = POLLIN};
			}
			who[nfds] = -1 - i;
			pf[nfds++] = (struct pollfd){.fd = r->server, .events = POLLIN};
		}
		if (poll(pf, nfds, 10) <= 0)
			continue;
		if (pf[0].revents)
			proxy_accept(px);
		for (nfds_t j = 1; j < nfds; j++) {
			if (!pf[j].revents)
				continue;
			bool up = who[j] >= 0;
			struct relay *r = &px->r[up ? who[j] : -1 - who[j]];
			if (r->server < 0)
				continue;
			if (up) {
				uint64_t left = atomic_load(&r->budget) - atomic_load(&r->up);
				ssize_t k = read(r->client, buf, left < sizeof buf ? left : sizeof buf);
				if (k <= 0)
					relay_close(r, false);
				else if (!send_all(r->server, buf, (size_t)k))
					relay_close(r, true);
				else
					atomic_fetch_add(&r->up, (uint64_t)k);
			} else {
				ssize_t k = read(r->server, buf, sizeof buf);
				if (k <= 0 || !send_all(r->client, buf, (size_t)k))
					relay_close(r, k <= 0);
			}
		}
	}
	for (int i = 0; i < atomic_load(&px->n); i++)
		if (px->r[i].server >= 0)
			relay_close(&px->r[i], false);
	return NULL;
}

static void proxy_start(struct proxy *px, int daemon_port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof a;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(px, 0, sizeof *px);
	px->daemon_port = daemon_port;
	px->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(px->fd >= 0);
	assert_int_equal(bind(px->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(px->fd, 16), 0);
	assert_int_equal(getsockname(px->fd, (struct sockaddr *)&a, &alen), 0);
	px->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&px->thread, NULL, proxy_run, px), 0);
}

static void proxy_stop(struct proxy *px)
{
	atomic_store(&px->stop, true);
	pthread_join(px->thread, NULL);
	close(px->fd);
}

/* Wait up to ms for what(r) to hold. */
static bool relay_wait(struct relay *r, bool (*what)(struct relay *, uint64_t), uint64_t arg,
		       int ms)
{
	for (int64_t until = h_now_ms() + ms; !what(r, arg); usleep(5000))
		if (h_now_ms() > until)
			return false;
	return true;
}

static bool relay_passed(struct relay *r, uint64_t bytes)
{
	return atomic_load(&r->up) >= bytes;
}

static bool relay_gone(struct relay *r, uint64_t unused)
{
	(void)unused;
	return atomic_load(&r->server_gone);
}

/* A DEALER with granada's keys, through the proxy, which never
 * reconnects: a connection uccnd drops stays dropped. Its relay in *r. */
static void *proxied_dealer(struct fx *f, struct proxy *px, struct relay **r)
{
	char spub[UCCN_KEY_Z85_LEN + 1], ssec[UCCN_KEY_Z85_LEN + 1];
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	char endpoint[64];
	size_t n = 0;
	char *text = h_read_file(f->d->server_pub, &n);
	assert_non_null(text);
	assert_int_equal(uccn_keyfile_parse(text, n, spub, ssec), 0);
	free(text);
	assert_non_null(text = h_read_file(f->key_a, &n));
	assert_int_equal(uccn_keyfile_parse(text, n, pub, sec), 0);
	free(text);
	void *s = zmq_socket(f->ctx, ZMQ_DEALER);
	assert_non_null(s);
	assert_true(f->nsocks < sizeof f->socks / sizeof f->socks[0]);
	f->socks[f->nsocks++] = s;
	int zero = 0, never = -1, sndtimeo = 5000;
	int before = atomic_load(&px->n);
	snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", px->port);
	assert_int_equal(zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero), 0);
	assert_int_equal(zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &never, sizeof never), 0);
	assert_int_equal(zmq_setsockopt(s, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo), 0);
	assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, spub, UCCN_KEY_Z85_LEN + 1), 0);
	assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, UCCN_KEY_Z85_LEN + 1), 0);
	assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, UCCN_KEY_Z85_LEN + 1), 0);
	assert_int_equal(zmq_connect(s, endpoint), 0);
	/* Connected through its own relay: a status goes and comes back. */
	struct uccn_request rq;
	memset(&rq, 0, sizeof rq);
	rq.op = UCCN_OP_STATUS;
	rq.rid = 1;
	send_request(s, &rq);
	struct uccn_reply rep;
	memset(&rep, 0, sizeof rep);
	assert_true(recv_reply(s, H_REPLY_MS, UCCN_OP_STATUS, &rep));
	assert_int_equal(rep.status, 0);
	uccn_reply_clear(&rep);
	assert_int_equal(atomic_load(&px->n), before + 1);
	*r = &px->r[before];
	return s;
}

/* Send one multipart message of frames frames of MP_FRAME bytes. */
static void send_multipart(void *s, int frames)
{
	static char frame[MP_FRAME];
	memset(frame, 0xc1, sizeof frame);
	for (int i = 0; i < frames; i++)
		assert_int_equal(zmq_send(s, frame, sizeof frame, i + 1 < frames ? ZMQ_SNDMORE : 0),
				 (int)sizeof frame);
}

/* The connections of the total's test: one far behind, three less so,
 * each under the 12 MiB of one connection, 38 MiB together. */
#define MIB (1024u * 1024)
#define FAR_BEHIND (11 * MIB)
#define BEHIND (9 * MIB)
#define BEHIND_MESSAGE_FRAMES 80 /* 10 MiB: whole, it is under the limit too */
#define FAR_MESSAGE_FRAMES 128   /* 16 MiB: never whole */
#define NEARER 3

/* Issue 14's bound on all connections together (daemon/inflow.c,
 * INFLOW_TOTAL, 32 MiB): four connections of one member each stop part-way
 * through a multipart message, none past the 12 MiB of one connection,
 * 38 MiB together. uccnd shuts down the one furthest behind (11 MiB), says
 * so in its log as the most of all connections together, and nothing
 * else; the other three are served on: their messages, once whole, are
 * answered invalid, and their next requests answered. */
static void test_total_inflow_bounded(void **state)
{
	struct fx *f = *state;
	if (h_daemon_asan()) {
		/* Under ASan malloc is ASan's and mallinfo2, which wakes the
		 * guard, reports nothing: the guard never looks. */
		printf("skipped: uccnd is built with AddressSanitizer, where the inflow guard "
		       "does not run\n");
		skip();
	}
	/* Static: a failed assertion leaves the function while the proxy's
	 * thread still runs. */
	static struct proxy px;
	proxy_start(&px, f->d->port);
	struct relay *far, *near[NEARER];
	void *a = proxied_dealer(f, &px, &far);
	void *b[NEARER];
	for (int i = 0; i < NEARER; i++)
		b[i] = proxied_dealer(f, &px, &near[i]);

	/* The one far behind first, so it is the furthest behind whenever
	 * uccnd looks; then the others, the last taking all of them past
	 * 32 MiB. */
	uint64_t far_until = atomic_load(&far->up) + FAR_BEHIND;
	atomic_store(&far->budget, far_until);
	send_multipart(a, FAR_MESSAGE_FRAMES);
	assert_true(relay_wait(far, relay_passed, far_until, 5000));
	for (int i = 0; i < NEARER; i++) {
		uint64_t until = atomic_load(&near[i]->up) + BEHIND;
		atomic_store(&near[i]->budget, until);
		send_multipart(b[i], BEHIND_MESSAGE_FRAMES);
		assert_true(relay_wait(near[i], relay_passed, until, 5000));
	}
	if (!relay_wait(far, relay_gone, 0, 3000))
		fail_msg("uccnd did not drop the connection furthest behind: four connections "
			 "hold %u MiB undelivered", (FAR_BEHIND + NEARER * BEHIND) / MIB);
	for (int i = 0; i < NEARER; i++)
		if (atomic_load(&near[i]->server_gone))
			fail_msg("uccnd dropped connection %d too, %u MiB behind", i + 2, BEHIND / MIB);

	/* The others are served on: their messages pass in full, and are
	 * refused as requests of more than one frame; then a status. */
	for (int i = 0; i < NEARER; i++) {
		struct uccn_reply rep;
		memset(&rep, 0, sizeof rep);
		atomic_store(&near[i]->budget, UNLIMITED);
		if (!recv_reply(b[i], H_REPLY_MS, UCCN_OP_STATUS, &rep))
			fail_msg("connection %d, %u MiB behind, was not answered once its message "
				 "arrived whole", i + 2, BEHIND / MIB);
		assert_int_equal(rep.status, UCCN_E_INVALID);
		uccn_reply_clear(&rep);
		struct uccn_request rq;
		memset(&rq, 0, sizeof rq);
		rq.op = UCCN_OP_STATUS;
		rq.rid = 2;
		send_request(b[i], &rq);
		memset(&rep, 0, sizeof rep);
		assert_true(recv_reply(b[i], H_REPLY_MS, UCCN_OP_STATUS, &rep));
		assert_int_equal(rep.status, 0);
		assert_int_equal(rep.rid, 2);
		uccn_reply_clear(&rep);
		assert_false(atomic_load(&near[i]->server_gone));
	}

	/* The log names the drop and why, once, with the bytes of the one
	 * furthest behind (11 MiB, less what uccnd allows for framing). */
	char *log = h_read_file(f->d->log, NULL);
	assert_non_null(log);
	const char *why = "(the most of all connections together); 1 dropped so far";
	const char *line = strstr(log, "dropped a connection that sent ");
	if (!line || !strstr(line, why))
		fail_msg("uccnd's log does not say it dropped a connection for the total: %s", log);
	unsigned long long bytes = strtoull(line + strlen("dropped a connection that sent "),
					    NULL, 10);
	fprintf(stderr, "note: uccnd dropped a connection %llu bytes behind\n", bytes);
	assert_true(bytes > FAR_BEHIND - MIB && bytes <= FAR_BEHIND);
	assert_null(strstr(line + 1, "dropped a connection that sent "));
	free(log);
	close_all(f);
	proxy_stop(&px);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watch_share_per_city, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unread_replies_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_reads_served, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_member_attacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_inflow_bounded, setup, teardown),
	};
	return cmocka_run_group_tests_name("e2e_peer_limits", tests, NULL, NULL);
}
