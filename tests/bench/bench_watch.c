/*
 * bench_watch.c - the live feed under load: 200 watchers (each its own
 * CURVE connection, holding a watch request and asking again after every
 * reply) while 8 writer threads post 2000 acknowledged posts. Prints the
 * posts per second acknowledged, whether every watcher got every post, the
 * delay from commit to a watcher's receipt, and uccnd's resident memory:
 * before the watchers, with them connected, after the run, and after a
 * phase of 200 stalled watchers (one request each, replies never read)
 * while 2000 more posts are made. Figures only: nothing is asserted.
 *
 *   bench_watch BUILD_DIR
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "../harness/harness.h"
#include "uccn_msg.h"

#define NCITIES 20
#define NWATCHERS 200
#define NWRITERS 8
#define NPOSTS 2000
#define WATCH_WAIT_MS 25000
#define DELIVERY_DEADLINE_MS 20000

static char keyfiles[NCITIES][PATH_MAX];

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Encode and send one request; 0 or -1. */
static int send_request(void *s, const struct uccn_request *req)
{
	msgpack_sbuffer b;
	msgpack_sbuffer_init(&b);
	int rc = uccn_request_encode(req, &b) == 0 &&
		 zmq_send(s, b.data, b.size, 0) >= 0 ? 0 : -1;
	msgpack_sbuffer_destroy(&b);
	return rc;
}

/* Receive and decode one reply to op (waits up to the socket's timeout). */
static int recv_reply(void *s, enum uccn_op op, struct uccn_reply *rep)
{
	zmq_msg_t m;
	char err[256];
	zmq_msg_init(&m);
	memset(rep, 0, sizeof *rep);
	if (zmq_msg_recv(&m, s, 0) < 0) {
		zmq_msg_close(&m);
		return -1;
	}
	int rc = uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), op, rep, err, sizeof err);
	zmq_msg_close(&m);
	return rc == 0 ? 0 : -1;
}

/* The daemon's last seq, asked over a fresh connection. */
static uint64_t last_seq(void *ctx, const h_daemon_t *d)
{
	void *s = h_dealer_new(ctx, d, keyfiles[0]);
	int timeout = 10000;
	uint64_t seq = 0;
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
	struct uccn_request req = {.op = UCCN_OP_STATUS, .rid = 1};
	struct uccn_reply rep;
	if (send_request(s, &req) == 0 && recv_reply(s, UCCN_OP_STATUS, &rep) == 0) {
		seq = rep.info.last_seq;
		uccn_reply_clear(&rep);
	}
	zmq_close(s);
	return seq;
}

/* ---- writers (as in bench_post, a fixed number of posts each) ---- */

struct writer {
	pthread_t thread;
	void *ctx;
	const h_daemon_t *d;
	const char *keyfile;
	int id, count;
	uint64_t acked, failed;
};

static void *write_posts(void *arg)
{
	struct writer *w = arg;
	void *s = h_dealer_new(w->ctx, w->d, w->keyfile);
	if (!s) {
		w->failed = (uint64_t)w->count;
		return NULL;
	}
	int timeout = 10000;
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
	for (int i = 0; i < w->count; i++) {
		struct uccn_request req = {.op = UCCN_OP_POST, .rid = (uint64_t)i + 1};
		char body[160];
		snprintf(body, sizeof body, "watched benchmark post %d.%d: news from a member city",
			 w->id, i);
		req.post.kind = "news";
		req.post.body = body;
		struct uccn_reply rep;
		if (send_request(s, &req) != 0 || recv_reply(s, UCCN_OP_POST, &rep) != 0) {
			w->failed++;
			break;
		}
		if (rep.status == 0)
			w->acked++;
		else
			w->failed++;
		uccn_reply_clear(&rep);
	}
	zmq_close(s);
	return NULL;
}

/* Post n posts from NWRITERS threads; the acknowledged count, the time in
 * *secs. */
static uint64_t post_all(void *ctx, const h_daemon_t *d, int n, double *secs, uint64_t *failed)
{
	struct writer ws[NWRITERS];
	int64_t t0 = h_now_ms();
	for (int i = 0; i < NWRITERS; i++) {
		ws[i] = (struct writer){.ctx = ctx, .d = d, .keyfile = keyfiles[i], .id = i,
					.count = n / NWRITERS + (i < n % NWRITERS)};
		pthread_create(&ws[i].thread, NULL, write_posts, &ws[i]);
	}
	uint64_t acked = 0;
	*failed = 0;
	for (int i = 0; i < NWRITERS; i++) {
		pthread_join(ws[i].thread, NULL);
		acked += ws[i].acked;
		*failed += ws[i].failed;
	}
	*secs = (double)(h_now_ms() - t0) / 1000.0;
	return acked;
}

/* ---- watchers: one thread polls all of them ---- */

struct watcher {
	void *sock;
	uint64_t since;
	uint64_t rid;
	uint64_t last;      /* the last seq received */
	_Atomic uint64_t got; /* posts received (seq above the last one) */
	uint64_t repeats;   /* posts at or below a seq already received */
	uint64_t errors;    /* error replies */
};

struct watch_run {
	void *ctx;
	const h_daemon_t *d;
	uint64_t start_seq;
	struct watcher w[NWATCHERS];
	atomic_int connected;   /* watchers whose first request is out */
	atomic_int ready;       /* watchers answered once: connected, parked next */
	atomic_int stop;
	int32_t *lat;           /* ms from commit to receipt, one per delivery */
	size_t nlat, caplat;
	uint64_t send_failures;
};

static void watch_ask(struct watch_run *run, struct watcher *w)
{
	/* The first asks without waiting: its answer says the watcher is
	 * connected; the posts start only when every one is. */
	struct uccn_request req = {.op = UCCN_OP_WATCH, .rid = ++w->rid,
				   .wait_ms = w->rid == 1 ? 0 : WATCH_WAIT_MS};
	req.query.since = w->since;
	if (send_request(w->sock, &req) != 0)
		run->send_failures++;
}

static void *watch_loop(void *arg)
{
	struct watch_run *run = arg;
	static zmq_pollitem_t items[NWATCHERS];
	for (int i = 0; i < NWATCHERS; i++) {
		struct watcher *w = &run->w[i];
		w->sock = h_dealer_new(run->ctx, run->d, keyfiles[i % NCITIES]);
		w->since = w->last = run->start_seq;
		items[i] = (zmq_pollitem_t){w->sock, 0, ZMQ_POLLIN, 0};
		watch_ask(run, w);
		atomic_fetch_add(&run->connected, 1);
	}
	while (!atomic_load(&run->stop)) {
		if (zmq_poll(items, NWATCHERS, 100) <= 0)
			continue;
		int64_t now = wall_ms();
		for (int i = 0; i < NWATCHERS; i++) {
			if (!(items[i].revents & ZMQ_POLLIN))
				continue;
			struct watcher *w = &run->w[i];
			struct uccn_reply rep;
			if (w->rid == 1)
				atomic_fetch_add(&run->ready, 1);
			if (recv_reply(w->sock, UCCN_OP_WATCH, &rep) != 0) {
				w->errors++;
				continue;
			}
			if (rep.status != 0) {
				w->errors++;
			} else {
				for (size_t k = 0; k < rep.nposts; k++) {
					const struct uccn_post *p = &rep.posts[k];
					if (p->seq <= w->last) {
						w->repeats++;
						continue;
					}
					w->last = p->seq;
					w->got++;
					if (run->nlat < run->caplat)
						run->lat[run->nlat++] = (int32_t)(now - p->created_ms);
				}
				if (rep.next > w->since)
					w->since = rep.next;
			}
			uccn_reply_clear(&rep);
			watch_ask(run, w);
		}
	}
	for (int i = 0; i < NWATCHERS; i++)
		zmq_close(run->w[i].sock);
	return NULL;
}

static uint64_t min_got(struct watch_run *run, uint64_t *max)
{
	uint64_t mn = UINT64_MAX;
	*max = 0;
	for (int i = 0; i < NWATCHERS; i++) {
		uint64_t got = atomic_load(&run->w[i].got);
		if (got < mn)
			mn = got;
		if (got > *max)
			*max = got;
	}
	return mn;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	int64_t t_start = h_now_ms();
	char *dir;
	h_daemon_t *d;
	if (h_daemon_up(&dir, &d) != 0) {
		fprintf(stderr, "bench_watch: cannot start uccnd\n");
		return 1;
	}
	for (int i = 0; i < NCITIES; i++) {
		char id[32], name[32];
		snprintf(id, sizeof id, "city-%02d", i);
		snprintf(name, sizeof name, "City %02d", i);
		if (h_city_register(d, id, name, keyfiles[i]) != 0)
			return 1;
	}
	void *ctx = zmq_ctx_new();
	zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 4096);
	printf("bench_watch: %d watchers on %d cities, %d posts from %d writers, data on %s%s\n",
	       NWATCHERS, NCITIES, NPOSTS, NWRITERS, dir,
	       h_daemon_asan() ? " (uccnd under ASan: memory figures include its quarantine)" : "");
	long rss_before = h_daemon_rss_kb(d);

	/* Phase 1: 200 live watchers while 2000 posts are made. */
	static struct watch_run run;
	run.ctx = ctx;
	run.d = d;
	run.start_seq = last_seq(ctx, d);
	run.caplat = (size_t)NWATCHERS * NPOSTS;
	run.lat = malloc(run.caplat * sizeof *run.lat);
	if (!run.lat)
		return 1;
	pthread_t wt;
	pthread_create(&wt, NULL, watch_loop, &run);
	int64_t deadline = h_now_ms() + 10000;
	while (atomic_load(&run.ready) < NWATCHERS && h_now_ms() < deadline)
		sleep_ms(10);
	sleep_ms(50); /* let the second requests park */
	long rss_watchers = h_daemon_rss_kb(d);

	double secs;
	uint64_t failed;
	uint64_t acked = post_all(ctx, d, NPOSTS, &secs, &failed);
	int64_t t_posted = h_now_ms();
	/* Wait for delivery (bounded). */
	uint64_t mx, mn = 0;
	deadline = t_posted + DELIVERY_DEADLINE_MS;
	while (h_now_ms() < deadline) {
		if ((mn = min_got(&run, &mx)) >= acked)
			break;
		sleep_ms(20);
	}
	int64_t drain_ms = h_now_ms() - t_posted;
	long rss_after = h_daemon_rss_kb(d);
	atomic_store(&run.stop, 1);
	pthread_join(wt, NULL);
	mn = min_got(&run, &mx);
	uint64_t repeats = 0, errors = 0;
	int complete = 0;
	for (int i = 0; i < NWATCHERS; i++) {
		repeats += run.w[i].repeats;
		errors += run.w[i].errors;
		complete += run.w[i].got == acked;
	}
	qsort(run.lat, run.nlat, sizeof *run.lat, cmp_i32);
	int32_t med = run.nlat ? run.lat[run.nlat / 2] : -1;
	int32_t p99 = run.nlat ? run.lat[run.nlat * 99 / 100] : -1;
	int32_t worst = run.nlat ? run.lat[run.nlat - 1] : -1;

	printf("posts acknowledged:       %llu of %d in %.2f s = %.0f posts/second (%llu failed)\n",
	       (unsigned long long)acked, NPOSTS, secs, (double)acked / secs,
	       (unsigned long long)failed);
	printf("delivery:                 %d of %d watchers got all %llu posts; per watcher min %llu, "
	       "max %llu; %llu repeats, %llu error replies, %llu failed sends; last delivery %lld ms "
	       "after the last ack\n",
	       complete, NWATCHERS, (unsigned long long)acked, (unsigned long long)mn,
	       (unsigned long long)mx, (unsigned long long)repeats, (unsigned long long)errors,
	       (unsigned long long)run.send_failures, (long long)drain_ms);
	printf("commit to receipt:        median %d ms, 99th percentile %d ms, max %d ms "
	       "(%zu deliveries; commit = the post's created time)\n",
	       med, p99, worst, run.nlat);
	printf("uccnd VmRSS:              %ld KiB before the watchers, %ld KiB with %d watchers "
	       "connected, %ld KiB after the run\n",
	       rss_before, rss_watchers, NWATCHERS, rss_after);
	free(run.lat);

	/* Phase 2: 200 stalled watchers, one request each, replies never read. */
	uint64_t since = last_seq(ctx, d);
	void *stalled[NWATCHERS];
	for (int i = 0; i < NWATCHERS; i++) {
		stalled[i] = h_dealer_new(ctx, d, keyfiles[i % NCITIES]);
		struct uccn_request req = {.op = UCCN_OP_WATCH, .rid = 1, .wait_ms = WATCH_WAIT_MS};
		req.query.since = since;
		if (!stalled[i] || send_request(stalled[i], &req) != 0)
			fprintf(stderr, "bench_watch: stalled watcher %d could not send\n", i);
	}
	sleep_ms(500);
	long rss_stalled0 = h_daemon_rss_kb(d);
	uint64_t acked2 = post_all(ctx, d, NPOSTS, &secs, &failed);
	sleep_ms(500);
	long rss_stalled = h_daemon_rss_kb(d);
	printf("stalled watchers:         %d; %llu posts acknowledged in %.2f s = %.0f posts/second "
	       "(%llu failed)\n",
	       NWATCHERS, (unsigned long long)acked2, secs, (double)acked2 / secs,
	       (unsigned long long)failed);
	printf("uccnd VmRSS:              %ld KiB with %d stalled watchers, %ld KiB after %d more "
	       "posts\n",
	       rss_stalled0, NWATCHERS, rss_stalled, NPOSTS);
	for (int i = 0; i < NWATCHERS; i++)
		if (stalled[i])
			zmq_close(stalled[i]);
	zmq_ctx_term(ctx);
	int rc = h_daemon_stop(d);
	printf("bench_watch: %.1f s in all\n", (double)(h_now_ms() - t_start) / 1000.0);
	h_daemon_down(&dir, &d);
	return rc == 0 ? 0 : 1;
}
