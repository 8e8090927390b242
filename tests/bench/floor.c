/*
 * floor.c - what no daemon can beat, measured in the same run: synced
 * LMDB commits on the data's filesystem and the bare CURVE round trip on
 * loopback; and the agenda builder's time (see bench.h).
 */
#include "bench.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>
#include <zmq.h>

#include "uccn_agenda.h"

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

/* ---- the CURVE round trip ---- */

struct echo {
	void *ctx;
	struct b_key key;
	char endpoint[64];
	atomic_int state; /* 0 starting, 1 listening, -1 failed */
};

/* A CURVE ROUTER that sends every message back, until its context ends. */
static void *echo_main(void *arg)
{
	struct echo *e = arg;
	void *s = zmq_socket(e->ctx, ZMQ_ROUTER);
	int one = 1, linger = 0;
	size_t len = sizeof e->endpoint;
	if (!s || zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, e->key.sec, UCCN_KEY_Z85_LEN + 1) ||
	    zmq_bind(s, "tcp://127.0.0.1:*") ||
	    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, e->endpoint, &len)) {
		fprintf(stderr, "uccn-bench: echo server: %s\n", zmq_strerror(zmq_errno()));
		if (s)
			zmq_close(s);
		atomic_store(&e->state, -1);
		return NULL;
	}
	atomic_store(&e->state, 1);
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
	struct echo e = {.ctx = zmq_ctx_new()};
	struct b_key client;
	pthread_t th;
	double rt = NAN;
	void *s = NULL;
	char *msg = calloc(1, msg_len);
	int64_t *v = calloc((size_t)count, sizeof *v);
	if (!e.ctx || !msg || !v || b_key_new(&e.key) || b_key_new(&client) ||
	    pthread_create(&th, NULL, echo_main, &e) != 0) {
		if (e.ctx)
			zmq_ctx_term(e.ctx);
		free(msg);
		free(v);
		return NAN;
	}
	while (atomic_load(&e.state) == 0)
		b_sleep_ms(1);
	if (atomic_load(&e.state) < 0)
		goto out;
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
	zmq_ctx_term(e.ctx); /* ends the echo thread's recv with ETERM */
	pthread_join(th, NULL);
	free(msg);
	free(v);
	return rt;
}

/* ---- the agenda ---- */

/*
 * The meeting of bench/bench_agenda.c: nitems candidates by ncities
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
