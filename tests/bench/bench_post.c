/*
 * bench_post.c - acknowledged, durable posts per second against a real
 * uccnd, with 1 to 64 concurrent writers, each its own city with its own
 * CURVE key and connection, each waiting for its acknowledgement before
 * sending the next post (so every figure counts only posts on disk). Shows
 * what group commit buys: many writers share one fsync.
 *
 *   bench_post BUILD_DIR [SECONDS_PER_ROUND [WRITERS]]
 *
 * WRITERS runs one round with that many writers instead of 1, 4, 16, 64.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "../harness/harness.h"
#include "uccn_msg.h"

#define MAX_WRITERS 64

struct writer {
	pthread_t thread;
	void *ctx;
	const h_daemon_t *d;
	char keyfile[PATH_MAX];
	int64_t until_ms;
	uint64_t acked;
	uint64_t failed;
	int64_t worst_ms;
};

static void *write_posts(void *arg)
{
	struct writer *w = arg;
	void *s = h_dealer_new(w->ctx, w->d, w->keyfile);
	if (!s) {
		w->failed++;
		return NULL;
	}
	int timeout = 10000;
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
	for (uint64_t i = 0; h_now_ms() < w->until_ms; i++) {
		struct uccn_request req = {.op = UCCN_OP_POST, .rid = i + 1};
		char body[160];
		snprintf(body, sizeof body, "benchmark post %llu: project update from a member city",
			 (unsigned long long)i);
		req.post.kind = "update";
		req.post.body = body;
		msgpack_sbuffer b;
		msgpack_sbuffer_init(&b);
		uccn_request_encode(&req, &b);
		int64_t t0 = h_now_ms();
		zmq_send(s, b.data, b.size, 0);
		msgpack_sbuffer_destroy(&b);
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s, 0) < 0) {
			zmq_msg_close(&m);
			w->failed++;
			break;
		}
		struct uccn_reply rep;
		char err[256];
		if (uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), UCCN_OP_POST,
				      &rep, err, sizeof err) == 0 && rep.status == 0)
			w->acked++;
		else
			w->failed++;
		uccn_reply_clear(&rep);
		zmq_msg_close(&m);
		int64_t dt = h_now_ms() - t0;
		if (dt > w->worst_ms)
			w->worst_ms = dt;
	}
	zmq_close(s);
	return NULL;
}

int main(int argc, char **argv)
{
	static int rounds[] = {1, 4, 16, 64};
	size_t nrounds = sizeof rounds / sizeof rounds[0];
	static struct writer ws[MAX_WRITERS];
	double seconds = argc > 2 ? atof(argv[2]) : 3.0;
	if (argc > 3) {
		rounds[0] = atoi(argv[3]);
		nrounds = 1;
		if (rounds[0] < 1 || rounds[0] > MAX_WRITERS) {
			fprintf(stderr, "bench_post: WRITERS is 1 to %d\n", MAX_WRITERS);
			return 2;
		}
	}
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	char *dir;
	h_daemon_t *d;
	if (h_daemon_up(&dir, &d) != 0) {
		fprintf(stderr, "bench_post: cannot start uccnd\n");
		return 1;
	}
	for (int i = 0; i < MAX_WRITERS; i++) {
		char id[32], name[32];
		snprintf(id, sizeof id, "city-%02d", i);
		snprintf(name, sizeof name, "City %02d", i);
		if (h_city_register(d, id, name, ws[i].keyfile) != 0)
			return 1;
	}
	void *ctx = zmq_ctx_new();
	printf("bench_post: durable posts (each acknowledged after fsync), %.1f s a round, data on %s\n",
	       seconds, dir);
	printf("%8s  %12s  %14s  %12s  %8s\n", "writers", "acked posts", "posts/second", "worst ack ms", "failed");
	for (size_t r = 0; r < nrounds; r++) {
		int n = rounds[r];
		int64_t start = h_now_ms();
		for (int i = 0; i < n; i++) {
			ws[i].ctx = ctx;
			ws[i].d = d;
			ws[i].until_ms = start + (int64_t)(seconds * 1000);
			ws[i].acked = ws[i].failed = 0;
			ws[i].worst_ms = 0;
			pthread_create(&ws[i].thread, NULL, write_posts, &ws[i]);
		}
		uint64_t acked = 0, failed = 0;
		int64_t worst = 0;
		for (int i = 0; i < n; i++) {
			pthread_join(ws[i].thread, NULL);
			acked += ws[i].acked;
			failed += ws[i].failed;
			if (ws[i].worst_ms > worst)
				worst = ws[i].worst_ms;
		}
		double elapsed = (double)(h_now_ms() - start) / 1000.0;
		printf("%8d  %12llu  %14.0f  %12lld  %8llu\n", n, (unsigned long long)acked,
		       (double)acked / elapsed, (long long)worst, (unsigned long long)failed);
	}
	printf("bench_post: uccnd resident memory after the run: %ld KiB\n", h_daemon_rss_kb(d));
	zmq_ctx_term(ctx);
	int rc = h_daemon_stop(d);
	h_daemon_down(&dir, &d);
	return rc == 0 ? 0 : 1;
}
