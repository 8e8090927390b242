/*
 * store.c - key pairs, data directories filled through the store library
 * (no daemon running), and uccnd started on them with its start-up timed
 * (see bench.h).
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "uccn_error.h"
#include "uccn_keyfile.h"
#include "uccn_msg.h"
#include "uccn_store.h"

/* ---- keys ---- */

int b_key_new(struct b_key *k)
{
	if (zmq_curve_keypair(k->pub, k->sec) != 0) {
		fprintf(stderr, "uccn-bench: zmq_curve_keypair: %s\n", zmq_strerror(zmq_errno()));
		return -1;
	}
	return 0;
}

int b_key_write(const char *path, const struct b_key *k, bool pub_only)
{
	char text[1024];
	int len = uccn_keyfile_format(text, sizeof text, "written by uccn-bench", k->pub,
				      pub_only ? NULL : k->sec);
	if (len < 0) {
		fprintf(stderr, "uccn-bench: cannot format key file %s\n", path);
		return -1;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, pub_only ? 0644 : 0600);
	if (fd < 0 || write(fd, text, (size_t)len) != len) {
		fprintf(stderr, "uccn-bench: cannot write %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* ---- filling a store ---- */

struct fill {
	const char *prefix;
	size_t ncities;
	const struct b_key *keys;
	const struct b_key *coord;
	uint64_t from, to;     /* posts [from, to) of this batch */
	const char *body;
	int64_t now_ms;
	char why[300];
};

static void city_id(char *out, size_t len, const char *prefix, size_t i)
{
	snprintf(out, len, "%s-%03zu", prefix, i);
}

static int add_cities(struct uccn_txn *t, void *arg)
{
	struct fill *f = arg;
	uint64_t seq;
	struct uccn_city c = {
		.id = "coordinator", .name = "Network coordinator", .field = "literature",
		.role = "coordinator",
	};
	memcpy(c.key, f->coord->pub, sizeof c.key);
	int rc = uccn_store_city_add(t, &c, &seq);
	for (size_t i = 0; rc == 0 && i < f->ncities; i++) {
		char id[UCCN_MAX_ID + 1], name[64];
		city_id(id, sizeof id, f->prefix, i);
		snprintf(name, sizeof name, "Bench city %zu", i);
		c = (struct uccn_city){.id = id, .name = name, .field = "literature", .role = "member"};
		memcpy(c.key, f->keys[i].pub, sizeof c.key);
		rc = uccn_store_city_add(t, &c, &seq);
	}
	if (rc && rc != UCCN_E_MAPFULL)
		snprintf(f->why, sizeof f->why, "city add: %s: %s", uccn_strerror(rc),
			 uccn_store_txn_reason(t));
	return rc;
}

static int add_posts(struct uccn_txn *t, void *arg)
{
	struct fill *f = arg;
	char id[UCCN_MAX_ID + 1];
	for (uint64_t i = f->from; i < f->to; i++) {
		city_id(id, sizeof id, f->prefix, (size_t)(i % f->ncities));
		struct uccn_post p = {.city = id, .kind = "update", .body = (char *)f->body};
		uint64_t seq;
		bool dup;
		int rc = uccn_store_post_add(t, &p, 0, f->now_ms + (int64_t)(i / 100), &seq, &dup);
		if (rc) {
			if (rc != UCCN_E_MAPFULL)
				snprintf(f->why, sizeof f->why, "post %" PRIu64 ": %s: %s", i,
					 uccn_strerror(rc), uccn_store_txn_reason(t));
			return rc;
		}
	}
	return 0;
}

/* A text body of len bytes, different for every store. */
static char *make_body(size_t len)
{
	static const char words[] =
		"Project update from a member city of the UNESCO Creative Cities "
		"Network: workshops, residencies, a festival programme and the "
		"results of last season's exchange. ";
	char *b = malloc(len + 1);
	if (!b)
		return NULL;
	for (size_t i = 0; i < len; i++)
		b[i] = words[i % (sizeof words - 1)];
	b[len] = '\0';
	return b;
}

int b_store_fill(const char *dir, struct b_key *server, struct b_key *coord,
		 const char *prefix, size_t ncities, struct b_key *keys,
		 uint64_t nposts, size_t body_len, size_t per_txn)
{
	char path[PATH_MAX];
	if (b_key_new(server) || b_key_new(coord))
		return -1;
	snprintf(path, sizeof path, "%s/server.key", dir);
	if (b_key_write(path, server, false))
		return -1;
	snprintf(path, sizeof path, "%s/server.pub", dir);
	if (b_key_write(path, server, true))
		return -1;
	snprintf(path, sizeof path, "%s/coordinator.key", dir);
	if (b_key_write(path, coord, false))
		return -1;
	for (size_t i = 0; i < ncities; i++)
		if (b_key_new(&keys[i]))
			return -1;

	/* Room for the posts up front; the store doubles the map if short. */
	size_t map = UCCN_STORE_DEFAULT_MAP;
	while (map < nposts * (body_len + 1000) + UCCN_STORE_DEFAULT_MAP)
		map *= 2;
	struct uccn_store *s = NULL;
	char err[512];
	int rc = uccn_store_open(&s, dir, map, err, sizeof err);
	if (rc) {
		fprintf(stderr, "uccn-bench: cannot open a store in %s: %s\n", dir, err);
		return -1;
	}
	struct fill f = {.prefix = prefix, .ncities = ncities, .keys = keys, .coord = coord};
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	f.now_ms = (int64_t)ts.tv_sec * 1000 - 86400000; /* a day ago, 100 posts a ms */
	char *body = make_body(body_len);
	rc = body ? uccn_store_write(s, add_cities, &f) : UCCN_E_NOMEM;
	f.body = body;
	uint64_t step = nposts / 10 ? nposts / 10 : 1;
	int64_t t0 = b_now_ns();
	for (uint64_t i = 0; rc == 0 && ncities && i < nposts; i += per_txn) {
		f.from = i;
		f.to = i + per_txn < nposts ? i + per_txn : nposts;
		rc = uccn_store_write(s, add_posts, &f);
		if (nposts >= 100000 && f.to / step != f.from / step)
			b_progress("  filled %" PRIu64 " of %" PRIu64 " posts (%.0f posts/s)", f.to,
				   nposts, (double)f.to / ((double)(b_now_ns() - t0) / 1e9));
	}
	if (rc)
		fprintf(stderr, "uccn-bench: filling %s: %s%s%s\n", dir, uccn_strerror(rc),
			f.why[0] ? ": " : "", f.why);
	free(body);
	uccn_store_close(&s);
	return rc ? -1 : 0;
}

/* ---- the daemon ---- */

int b_daemon_start(struct b_daemon *d, void *ctx, double *startup_ms)
{
	h_daemon_t *h = d->h;
	char bin[PATH_MAX];
	snprintf(bin, sizeof bin, "%s/uccnd", h_bin_dir());
	char *argv[] = {bin, "--data", (char *)h->dir, "--listen", h->endpoint, NULL};
	int logfd = open(h->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0) {
		fprintf(stderr, "uccn-bench: %s: %s\n", h->log, strerror(errno));
		return -1;
	}
	int64_t t0 = b_now_ns();
	pid_t pid = h_spawn(argv, -1, logfd, logfd);
	if (pid < 0) {
		close(logfd);
		return -1;
	}
	close(logfd);
	h->pid = pid;
	h->status = -2;
	b_child_add(pid);

	/* One status request, queued at once; the DEALER retries the TCP
	 * connection every 2 ms until the daemon listens. */
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int ivl = 2, linger = 0, rc = -1;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
	zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, d->server.pub, UCCN_KEY_Z85_LEN + 1);
	zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, d->coord.pub, UCCN_KEY_Z85_LEN + 1);
	zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, d->coord.sec, UCCN_KEY_Z85_LEN + 1);
	struct uccn_request req = {.op = UCCN_OP_STATUS, .rid = 1};
	msgpack_sbuffer b;
	msgpack_sbuffer_init(&b);
	if (zmq_connect(s, h->endpoint) != 0 || uccn_request_encode(&req, &b) != 0 ||
	    zmq_send(s, b.data, b.size, 0) < 0) {
		fprintf(stderr, "uccn-bench: status request: %s\n", zmq_strerror(zmq_errno()));
		goto out;
	}
	int64_t deadline = t0 + 120 * (int64_t)1000000000;
	while (b_now_ns() < deadline) {
		zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, 20) > 0) {
			zmq_msg_t m;
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, s, 0) >= 0) {
				*startup_ms = (double)(b_now_ns() - t0) / 1e6;
				struct uccn_reply rep = {0};
				char err[256];
				if (uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), UCCN_OP_STATUS,
						      &rep, err, sizeof err) == 0 && rep.status == 0)
					rc = 0;
				else
					fprintf(stderr, "uccn-bench: status refused: %s\n",
						rep.message ? rep.message : err);
				uccn_reply_clear(&rep);
			}
			zmq_msg_close(&m);
			break;
		}
		if (!h_daemon_running(h)) {
			fprintf(stderr, "uccn-bench: uccnd exited at start (status %d)\n", h->status);
			break;
		}
	}
	if (rc && b_now_ns() >= deadline)
		fprintf(stderr, "uccn-bench: uccnd did not answer within 120 s\n");
out:
	msgpack_sbuffer_destroy(&b);
	zmq_close(s);
	if (rc) {
		h_daemon_print_log(h);
		b_daemon_stop(d);
	}
	return rc;
}

int b_daemon_stop(struct b_daemon *d)
{
	pid_t pid = d->h->pid;
	int rc = h_daemon_stop(d->h);
	if (pid > 0)
		b_child_remove(pid);
	return rc;
}

long b_daemon_rss_anon_kb(const struct b_daemon *d)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", (int)d->h->pid);
	char *s = h_read_file(path, NULL);
	if (!s)
		return -1;
	long kb = -1;
	const char *p = strstr(s, "\nRssAnon:");
	if (p)
		kb = strtol(p + 9, NULL, 10);
	free(s);
	return kb;
}
