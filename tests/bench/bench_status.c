/*
 * bench_status.c - what a polled `status` costs uccnd: its round trip as a
 * member (the counts) and as the coordinator (the counts and the
 * operator's server_state, which walks the mailbox heads) on a network of
 * 350 cities, every mailbox holding unread broadcasts.
 *
 *   bench_status BUILD_DIR [CALLS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "../harness/harness.h"
#include "uccn_error.h"
#include "uccn_msg.h"

#define NCITIES 350
#define BROADCASTS 20

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Send req over s and decode its reply into rep: 0, or -1. */
static int call(void *s, const struct uccn_request *req, struct uccn_reply *rep)
{
	msgpack_sbuffer b;
	char err[256];
	msgpack_sbuffer_init(&b);
	int rc = uccn_request_encode(req, &b);
	if (rc == 0 && zmq_send(s, b.data, b.size, 0) < 0)
		rc = -1;
	msgpack_sbuffer_destroy(&b);
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (rc || zmq_msg_recv(&m, s, 0) < 0) {
		zmq_msg_close(&m);
		return -1;
	}
	rc = uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), req->op, rep, err, sizeof err);
	zmq_msg_close(&m);
	if (rc || rep->status)
		fprintf(stderr, "bench_status: %s: %s\n", uccn_op_name(req->op),
			rc ? err : rep->message ? rep->message : uccn_strerror(rep->status));
	return rc || rep->status ? -1 : 0;
}

/* calls status round trips over s: their p50 and p99 in microseconds. */
static int time_status(void *s, int calls, int64_t *p50, int64_t *p99, bool *state)
{
	int64_t *us = calloc((size_t)calls, sizeof *us);
	if (!us)
		return -1;
	for (int i = 0; i < calls; i++) {
		struct uccn_request req = {.op = UCCN_OP_STATUS, .rid = (uint64_t)i + 1};
		struct uccn_reply rep = {0};
		int64_t t0 = now_us();
		int rc = call(s, &req, &rep);
		us[i] = now_us() - t0;
		*state = rep.info.has_state;
		uccn_reply_clear(&rep);
		if (rc) {
			free(us);
			return -1;
		}
	}
	qsort(us, (size_t)calls, sizeof *us, cmp_i64);
	*p50 = us[(calls - 1) / 2];
	*p99 = us[(calls * 99 + 99) / 100 - 1];
	free(us);
	return 0;
}

int main(int argc, char **argv)
{
	int calls = argc > 2 ? atoi(argv[2]) : 500;
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	if (calls < 1)
		calls = 1;
	char *dir;
	h_daemon_t *d;
	if (h_daemon_up(&dir, &d) != 0) {
		fprintf(stderr, "bench_status: cannot start uccnd\n");
		return 1;
	}
	void *ctx = zmq_ctx_new();
	void *coord = h_dealer_new(ctx, d, d->coordinator_key);
	int timeout = 10000, rc = 1;
	zmq_setsockopt(coord, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
	static char pub[NCITIES][UCCN_KEY_Z85_LEN + 1], sec[NCITIES][UCCN_KEY_Z85_LEN + 1];
	for (int i = 0; i < NCITIES; i++) {
		char id[32], name[32];
		snprintf(id, sizeof id, "city-%03d", i);
		snprintf(name, sizeof name, "City %03d", i);
		zmq_curve_keypair(pub[i], sec[i]);
		struct uccn_request req = {.op = UCCN_OP_CITY_ADD, .rid = 1};
		req.city.id = id;
		req.city.name = name;
		req.city.field = "literature";
		req.city.role = "member";
		memcpy(req.city.key, pub[i], sizeof req.city.key);
		struct uccn_reply rep = {0};
		int failed = call(coord, &req, &rep);
		uccn_reply_clear(&rep);
		if (failed) {
			fprintf(stderr, "bench_status: city.add %s failed\n", id);
			goto out;
		}
	}
	for (int i = 0; i < BROADCASTS; i++) {
		char *to[] = {"all"};
		struct uccn_request req = {.op = UCCN_OP_POST, .rid = 1};
		req.post.kind = "news";
		req.post.body = "news for every city";
		req.post.to.v = to;
		req.post.to.n = 1;
		struct uccn_reply rep = {0};
		int failed = call(coord, &req, &rep);
		uccn_reply_clear(&rep);
		if (failed) {
			fprintf(stderr, "bench_status: post failed\n");
			goto out;
		}
	}
	/* city-000 asks as a member, with its own key. */
	char server_pub[UCCN_KEY_Z85_LEN + 1] = "";
	char *text = h_read_file(d->server_pub, NULL);
	char *q = text ? strstr(text, "public-key = \"") : NULL;
	if (q)
		memcpy(server_pub, q + 14, UCCN_KEY_Z85_LEN);
	free(text);
	void *member = h_dealer_keys(ctx, d->endpoint, server_pub, pub[0], sec[0]);
	if (!member)
		goto out;
	zmq_setsockopt(member, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
	int64_t mp50, mp99, cp50, cp99;
	bool mstate = false, cstate = false;
	/* Warm both paths, then measure in turn. */
	if (time_status(member, 20, &mp50, &mp99, &mstate) ||
	    time_status(coord, 20, &cp50, &cp99, &cstate) ||
	    time_status(member, calls, &mp50, &mp99, &mstate) ||
	    time_status(coord, calls, &cp50, &cp99, &cstate)) {
		fprintf(stderr, "bench_status: a status call failed\n");
		goto out;
	}
	printf("bench_status: %d status round trips each, %d cities, %d broadcasts unread in "
	       "every mailbox\n", calls, NCITIES, BROADCASTS);
	printf("%-14s %10s %10s  %s\n", "caller", "p50 us", "p99 us", "server_state");
	printf("%-14s %10lld %10lld  %s\n", "member", (long long)mp50, (long long)mp99,
	       mstate ? "yes" : "no");
	printf("%-14s %10lld %10lld  %s\n", "coordinator", (long long)cp50, (long long)cp99,
	       cstate ? "yes" : "no");
	zmq_close(member);
	rc = 0;
out:
	zmq_close(coord);
	zmq_ctx_term(ctx);
	if (h_daemon_stop(d) != 0)
		rc = 1;
	h_daemon_down(&dir, &d);
	return rc;
}
