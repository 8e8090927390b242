/*
 * floor.c - what no daemon can beat, measured in the same run: synced
 * LMDB commits on the data's filesystem, the bare CURVE round trip on
 * loopback and the posts per second of the load generator against a
 * server that stores nothing; and the agenda builder's time (see bench.h).
 */
#include "bench.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lmdb.h>
#include <zmq.h>

#include "uccn_agenda.h"
#include "uccn_error.h"
#include "uccn_msg.h"

/* ---- LMDB ---- */

double b_lmdb_commits(const char *dir, double secs, size_t val_len)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	char *val = calloc(1, val_len);
	double rate = NAN;
	int rc;
	if (!val)
		return NAN;
	memset(val, 'x', val_len);
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_mapsize(env, (size_t)256 << 20)) ||
	    (rc = mdb_env_open(env, dir, 0, 0600)) || (rc = mdb_txn_begin(env, NULL, 0, &txn)) ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) || (rc = mdb_txn_commit(txn)))
		goto out;
	uint64_t n = 0;
	int64_t t0 = b_now_ns(), t_end = t0 + (int64_t)(secs * 1e9), now = t0;
	while (now < t_end) {
		unsigned char kb[8];
		for (int i = 0; i < 8; i++)
			kb[i] = (unsigned char)(n >> (56 - 8 * i));
		MDB_val k = {8, kb}, v = {val_len, val};
		if ((rc = mdb_txn_begin(env, NULL, 0, &txn)))
			goto out;
		if ((rc = mdb_put(txn, dbi, &k, &v, 0))) {
			mdb_txn_abort(txn);
			goto out;
		}
		if ((rc = mdb_txn_commit(txn)))
			goto out;
		n++;
		now = b_now_ns();
	}
	rate = (double)n / ((double)(now - t0) / 1e9);
out:
	if (rc)
		fprintf(stderr, "uccn-bench: LMDB in %s: %s\n", dir, mdb_strerror(rc));
	if (env)
		mdb_env_close(env);
	free(val);
	return rate;
}

/* ---- servers in their own thread and context ---- */

struct srv {
	void *ctx;
	struct b_key key;
	char endpoint[64];
	pthread_t th;
	atomic_int state; /* 0 starting, 1 listening, -1 failed */
};

/* The server thread's CURVE ROUTER on a free loopback port, any client key
 * accepted (no ZAP handler); NULL after saying why. Sets e->state. */
static void *srv_bind(struct srv *e, const char *what)
{
	void *s = zmq_socket(e->ctx, ZMQ_ROUTER);
	int one = 1, linger = 0;
	size_t len = sizeof e->endpoint;
	if (!s || zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, e->key.sec, UCCN_KEY_Z85_LEN + 1) ||
	    zmq_bind(s, "tcp://127.0.0.1:*") ||
	    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, e->endpoint, &len)) {
		fprintf(stderr, "uccn-bench: %s: %s\n", what, zmq_strerror(zmq_errno()));
		if (s)
			zmq_close(s);
		atomic_store(&e->state, -1);
		return NULL;
	}
	atomic_store(&e->state, 1);
	return s;
}

/* Terminating the context ends the thread's recv with ETERM. */
static void srv_stop(struct srv *e)
{
	zmq_ctx_term(e->ctx);
	pthread_join(e->th, NULL);
}

/* Run fn in its own thread and context with a fresh key pair, until it
 * listens. 0, or -1 with nothing left running. */
static int srv_start(struct srv *e, void *(*fn)(void *))
{
	if (!(e->ctx = zmq_ctx_new()))
		return -1;
	if (b_key_new(&e->key) || pthread_create(&e->th, NULL, fn, e) != 0) {
		zmq_ctx_term(e->ctx);
		return -1;
	}
	while (atomic_load(&e->state) == 0)
		b_sleep_ms(1);
	if (atomic_load(&e->state) > 0)
		return 0;
	srv_stop(e);
	return -1;
}

/* ---- the CURVE round trip ---- */

/* A CURVE ROUTER that sends every message back, until its context ends. */
static void *echo_main(void *arg)
{
	void *s = srv_bind(arg, "echo server");
	if (!s)
		return NULL;
	zmq_msg_t id, body;
	zmq_msg_init(&id);
	zmq_msg_init(&body);
	for (;;) {
		if (zmq_msg_recv(&id, s, 0) < 0 || zmq_msg_recv(&body, s, 0) < 0 ||
		    zmq_msg_send(&id, s, ZMQ_SNDMORE) < 0 || zmq_msg_send(&body, s, 0) < 0)
			break; /* ETERM: the bench is done */
	}
	zmq_msg_close(&id);
	zmq_msg_close(&body);
	zmq_close(s);
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

double b_curve_rt_us(void *ctx, size_t msg_len, int warm, int count)
{
	struct srv e = {0};
	struct b_key client;
	double rt = NAN;
	void *s = NULL;
	char *msg = calloc(1, msg_len);
	int64_t *v = calloc((size_t)count, sizeof *v);
	if (!msg || !v || b_key_new(&client) || srv_start(&e, echo_main)) {
		free(msg);
		free(v);
		return NAN;
	}
	memset(msg, 'r', msg_len);
	if (!(s = b_dealer(ctx, e.endpoint, e.key.pub, &client)))
		goto out;
	zmq_msg_t m;
	zmq_msg_init(&m);
	int i;
	for (i = 0; i < warm + count; i++) {
		int64_t t0 = b_now_ns();
		zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
		if (zmq_send(s, msg, msg_len, 0) < 0 || zmq_poll(&it, 1, 5000) <= 0 ||
		    zmq_msg_recv(&m, s, 0) != (int)msg_len)
			break;
		if (i >= warm)
			v[i - warm] = b_now_ns() - t0;
	}
	zmq_msg_close(&m);
	if (i == warm + count) {
		qsort(v, (size_t)count, sizeof v[0], cmp_i64);
		rt = count % 2 ? (double)v[count / 2] / 1e3
			       : (double)(v[count / 2 - 1] + v[count / 2]) / 2e3;
	} else {
		fprintf(stderr, "uccn-bench: CURVE round trip %d failed: %s\n", i,
			zmq_strerror(zmq_errno()));
	}
out:
	if (s)
		zmq_close(s);
	srv_stop(&e);
	free(msg);
	free(v);
	return rt;
}

/* ---- the no-store ceiling ---- */

/*
 * A CURVE ROUTER that acknowledges every post without storing it, until
 * its context ends: the request decoded with the project's codec, a
 * success reply (the next seq, the time) encoded with it, as uccnd would
 * answer; an error reply to anything that is not a post.
 */
static void *null_main(void *arg)
{
	void *s = srv_bind(arg, "null server");
	if (!s)
		return NULL;
	zmq_msg_t id, body;
	msgpack_sbuffer b;
	uint64_t seq = 0;
	zmq_msg_init(&id);
	zmq_msg_init(&body);
	msgpack_sbuffer_init(&b);
	while (zmq_msg_recv(&id, s, 0) >= 0 && zmq_msg_recv(&body, s, 0) >= 0) {
		struct uccn_request req = {0};
		struct uccn_reply rep = {.op = UCCN_OP_POST};
		struct timespec ts;
		char err[256] = "";
		rep.status = uccn_request_decode(zmq_msg_data(&body), zmq_msg_size(&body), &req,
						 err, sizeof err);
		if (rep.status == 0 && req.op != UCCN_OP_POST) {
			rep.status = UCCN_E_INVALID;
			snprintf(err, sizeof err, "the null server takes posts only");
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		rep.rid = req.rid;
		rep.message = rep.status ? err : NULL;
		rep.seq = rep.status ? 0 : ++seq;
		rep.created_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		uccn_request_clear(&req);
		msgpack_sbuffer_clear(&b);
		if (uccn_reply_encode(&rep, &b) != 0)
			continue; /* out of memory: the client counts it missing */
		if (zmq_msg_send(&id, s, ZMQ_SNDMORE) < 0 || zmq_send(s, b.data, b.size, 0) < 0)
			break; /* ETERM: the bench is done */
	}
	msgpack_sbuffer_destroy(&b);
	zmq_msg_close(&id);
	zmq_msg_close(&body);
	zmq_close(s);
	return NULL;
}

int b_null_rates(void *ctx, const int *writers, int nw, double secs, size_t body_len,
		 double *rates)
{
	struct srv e = {0};
	int maxn = 0, rc = 0;
	for (int k = 0; k < nw; k++) {
		rates[k] = NAN;
		maxn = writers[k] > maxn ? writers[k] : maxn;
	}
	void **socks = calloc((size_t)maxn, sizeof *socks);
	if (!socks || srv_start(&e, null_main)) {
		free(socks);
		return -1;
	}
	for (int k = 0; k < nw && rc == 0; k++) {
		int n = writers[k];
		struct b_key key;
		for (int i = 0; i < n && rc == 0; i++)
			if (b_key_new(&key) || !(socks[i] = b_dealer(ctx, e.endpoint, e.key.pub, &key)))
				rc = -1;
		/* An untimed warm-up first: every CURVE handshake is done. */
		for (int j = 0; j < 2 && rc == 0; j++) {
			struct b_post_result r;
			b_post_run(socks, n, j ? secs : 0.2, body_len, &r);
			if (r.failed) {
				b_progress("  no-store c%d: %" PRIu64 " posts failed: %s", n, r.failed,
					   r.first_error);
				rc = -1;
			} else if (j) {
				rates[k] = r.rate;
			}
			b_post_result_free(&r);
		}
		for (int i = 0; i < n; i++)
			if (socks[i]) {
				zmq_close(socks[i]);
				socks[i] = NULL;
			}
	}
	srv_stop(&e);
	free(socks);
	return rc;
}

/* ---- the agenda ---- */

/*
 * The meeting of bench_agenda.c: nitems candidates by ncities
 * cities in zones from -12 h to +14 h, three days of 09:00-17:30, hybrid,
 * a third presented on-line, the opening and the closing first, the rest
 * proposals, agenda items, good practice and open items of 5-60 minutes
 * and mixed priority; the same pseudo-random sequence.
 */
double b_agenda_ms(int nitems, int ncities, int rounds, size_t *placed,
		   size_t *deferred)
{
	struct uccn_agenda_item *items = calloc((size_t)nitems, sizeof *items);
	struct uccn_agenda_participant *parts = calloc((size_t)ncities, sizeof *parts);
	char (*keys)[32] = calloc((size_t)nitems, sizeof *keys);
	char (*cities)[16] = calloc((size_t)ncities, sizeof *cities);
	double *ms = calloc((size_t)rounds, sizeof *ms);
	double med = NAN;
	if (!items || !parts || !keys || !cities || !ms)
		goto out;
	unsigned seed = 2026;
	for (int c = 0; c < ncities; c++) {
		snprintf(cities[c], sizeof cities[c], "city-%03d", c);
		parts[c] = (struct uccn_agenda_participant){.city = cities[c], .tz = "", .has_offset = true};
		int off = ((c * 37) % 27 - 12) * 60;
		for (int d = 0; d < UCCN_AGENDA_MAX_DAYS; d++)
			parts[c].offset[d] = off;
	}
	for (int i = 0; i < nitems; i++) {
		seed = seed * 1103515245u + 12345u;
		int c = (int)(seed >> 8) % ncities;
		snprintf(keys[i], sizeof keys[i], "post:%d", 1000 + i);
		items[i] = (struct uccn_agenda_item){
			.key = keys[i],
			.kind = i == 0 ? UCCN_AGENDA_OPENING : i == 1 ? UCCN_AGENDA_CLOSING
				: (enum uccn_agenda_kind)(UCCN_AGENDA_PROPOSAL + (int)(seed >> 20) % 4),
			.title = keys[i], .city = cities[c], .seq = (uint64_t)(1000 + i),
			.minutes = 5 * (1 + (int)(seed >> 12) % 12),
			.priority = (enum uccn_agenda_priority)((int)(seed >> 16) % 3),
			.remote = (seed >> 24) % 3 == 0, .pin_day = -1, .pin_start = -1,
			.has_offset = true,
		};
		memcpy(items[i].offset, parts[c].offset, sizeof items[i].offset);
	}
	struct uccn_agenda_input in = {
		.days = 3, .day_start = 9 * 60, .day_end = 17 * 60 + 30, .hybrid = true,
		.items = items, .nitems = (size_t)nitems, .participants = parts,
		.nparticipants = (size_t)ncities,
	};
	for (int r = 0; r < rounds; r++) {
		struct uccn_agenda a = {0};
		int64_t t0 = b_now_ns();
		if (uccn_agenda_build(&in, &a) != 0) {
			fprintf(stderr, "uccn-bench: the agenda build failed\n");
			goto out;
		}
		ms[r] = (double)(b_now_ns() - t0) / 1e6;
		*placed = a.nslots;
		*deferred = a.ndeferred;
		uccn_agenda_clear(&a);
	}
	med = b_median(ms, (size_t)rounds);
out:
	free(items);
	free(parts);
	free(keys);
	free(cities);
	free(ms);
	return med;
}
