/*
 * bench_backup.c - what a backup costs: a store filled to POSTS posts
 * (default 50000) through a real uccnd, then four writers posting for
 * SECONDS without a backup and for SECONDS while the coordinator takes
 * backups back to back with the real `uccn admin backup`: the writers'
 * acknowledged posts per second in each, and each backup's time and size.
 *
 *   bench_backup BUILD_DIR [POSTS [SECONDS]]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "../harness/harness.h"
#include "uccn_msg.h"

#define FILLERS 16
#define WRITERS 4

struct writer {
	pthread_t thread;
	void *ctx;
	const h_daemon_t *d;
	char keyfile[PATH_MAX];
	int64_t until_ms;
	atomic_ullong *total;   /* stop when it reaches goal (0: no goal) */
	unsigned long long goal;
	uint64_t acked, failed;
};

static void *write_posts(void *arg)
{
	struct writer *w = arg;
	void *s = h_dealer_new(w->ctx, w->d, w->keyfile);
	int timeout = 30000;
	if (!s) {
		w->failed++;
		return NULL;
	}
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
	for (uint64_t i = 0; h_now_ms() < w->until_ms; i++) {
		if (w->goal && atomic_load(w->total) >= w->goal)
			break;
		struct uccn_request req = {.op = UCCN_OP_POST, .rid = i + 1};
		char body[160];
		snprintf(body, sizeof body, "benchmark post %llu: project update from a member city",
			 (unsigned long long)i);
		req.post.kind = "update";
		req.post.body = body;
		msgpack_sbuffer b;
		msgpack_sbuffer_init(&b);
		uccn_request_encode(&req, &b);
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
		if (uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), UCCN_OP_POST, &rep, err,
				      sizeof err) == 0 && rep.status == 0) {
			w->acked++;
			atomic_fetch_add(w->total, 1);
		} else {
			w->failed++;
		}
		uccn_reply_clear(&rep);
		zmq_msg_close(&m);
	}
	zmq_close(s);
	return NULL;
}

static struct writer ws[FILLERS];

/* Start n writers, until ms have passed or goal posts are in (0: none). */
static void run_writers(int n, int64_t ms, unsigned long long goal, atomic_ullong *total)
{
	int64_t until = h_now_ms() + ms;
	for (int i = 0; i < n; i++) {
		ws[i].until_ms = until;
		ws[i].goal = goal;
		ws[i].total = total;
		ws[i].acked = ws[i].failed = 0;
		pthread_create(&ws[i].thread, NULL, write_posts, &ws[i]);
	}
}

/* Wait for the n writers: the posts they had acknowledged. */

static uint64_t join_writers(int n)
{
	uint64_t acked = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(ws[i].thread, NULL);
		acked += ws[i].acked;
	}
	return acked;
}

int main(int argc, char **argv)
{
	unsigned long long posts = argc > 2 ? strtoull(argv[2], NULL, 10) : 50000;
	double seconds = argc > 3 ? atof(argv[3]) : 5.0;
	atomic_ullong total = 0;
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	char *dir, file[PATH_MAX + 16];
	h_daemon_t *d;
	if (h_daemon_up(&dir, &d) != 0) {
		fprintf(stderr, "bench_backup: cannot start uccnd\n");
		return 1;
	}
	void *ctx = zmq_ctx_new();
	for (int i = 0; i < FILLERS; i++) {
		char id[32];
		snprintf(id, sizeof id, "city-%02d", i);
		if (h_city_register(d, id, id, ws[i].keyfile) != 0)
			return 1;
		ws[i].ctx = ctx;
		ws[i].d = d;
	}
	int64_t t0 = h_now_ms();
	run_writers(FILLERS, 3600 * 1000, posts, &total);
	join_writers(FILLERS);
	printf("bench_backup: filled the store with %llu posts in %.1f s\n",
	       (unsigned long long)atomic_load(&total), (h_now_ms() - t0) / 1000.0);

	/* One backup of the store as filled, with nothing else going on. */
	snprintf(file, sizeof file, "%s/bench.backup", dir);
	h_run_t r = {0};
	struct stat st = {0}, ds = {0};
	char data[PATH_MAX + 16];
	snprintf(data, sizeof data, "%s/data.mdb", dir);
	stat(data, &ds);
	t0 = h_now_ms();
	if (h_uccn(&r, d, d->coordinator_key, NULL, "admin", "backup", "-o", file, NULL)) {
		h_run_print(&r);
		return 1;
	}
	stat(file, &st);
	printf("bench_backup: one backup of %llu posts, alone: %lld ms, a file of %.1f MiB "
	       "(data.mdb %.1f MiB)\n", (unsigned long long)atomic_load(&total),
	       (long long)(h_now_ms() - t0), st.st_size / 1048576.0, ds.st_size / 1048576.0);

	int64_t ms = (int64_t)(seconds * 1000);
	t0 = h_now_ms();
	run_writers(WRITERS, ms, 0, &total);
	uint64_t quiet = join_writers(WRITERS);
	double quiet_s = (h_now_ms() - t0) / 1000.0;

	int backups = 0;
	int64_t backup_ms = 0, slowest = 0;
	t0 = h_now_ms();
	run_writers(WRITERS, ms, 0, &total);
	while (h_now_ms() - t0 < ms) {
		int64_t b0 = h_now_ms();
		if (h_uccn(&r, d, d->coordinator_key, NULL, "admin", "backup", "-o", file, NULL)) {
			h_run_print(&r);
			break;
		}
		int64_t dt = h_now_ms() - b0;
		backup_ms += dt;
		slowest = dt > slowest ? dt : slowest;
		backups++;
	}
	uint64_t busy = join_writers(WRITERS);
	double busy_s = (h_now_ms() - t0) / 1000.0;
	stat(file, &st);
	stat(data, &ds);
	printf("bench_backup: then %d backups back to back while %d cities post: %.0f ms each on "
	       "average, the slowest %lld ms; the last file %.1f MiB (data.mdb %.1f MiB)\n",
	       backups, WRITERS,
	       backups ? (double)backup_ms / backups : 0.0, (long long)slowest,
	       st.st_size / 1048576.0, ds.st_size / 1048576.0);
	printf("bench_backup: %d writers: %.0f posts/s without backups, %.0f posts/s during "
	       "them\n", WRITERS, quiet / quiet_s, busy / busy_s);
	h_run_clear(&r);
	zmq_ctx_term(ctx);
	int rc = h_daemon_stop(d);
	h_daemon_down(&dir, &d);
	return rc == 0 ? 0 : 1;
}
