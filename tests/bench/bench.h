/*
 * bench.h - the pieces of uccn-bench (see uccn_bench.c for what it measures
 * and how to run it): clocks, samples, child processes and clean-up
 * (util.c), key pairs, stores filled through the store library and
 * daemons started on them (store.c), the protocol load generator (load.c),
 * the physical floor, the no-store ceiling and the agenda (floor.c), and
 * the peers outside the daemon: Redis and the uccn CLI (peer.c).
 */
#ifndef UCCN_BENCH_H
#define UCCN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../harness/harness.h"
#include "../harness/tmpdir.h"
#include "uccn_limits.h"

/* ---- util.c ---- */

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t b_now_ns(void);
void b_sleep_ms(int ms);
/* CPU seconds (user + system) used so far by this process, all its
 * threads; and by process pid (NAN when unknown). */
double b_cpu_self(void);
double b_cpu_pid(pid_t pid);
/* A progress line on stderr, prefixed with the time since the start. */
void b_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Create root (a mkdtemp template, modified) and remove it, and kill every
 * registered child, at exit and on SIGINT, SIGTERM and SIGHUP. With keep
 * the directory is left in place. Returns 0 or -1. */
int b_cleanup_init(char *root_template, bool keep);
/* Children killed by the clean-up unless removed first. */
void b_child_add(pid_t pid);
void b_child_remove(pid_t pid);
/* dir/name, created; the path goes to out (PATH_MAX bytes). 0 or -1. */
int b_subdir(const char *dir, const char *name, char *out);
/* The environment without UCCN_ENDPOINT, UCCN_SERVER_KEY, UCCN_KEY (static
 * array, built once). */
char **b_clean_env(void);

/* Latencies in microseconds. */
struct b_samples {
	uint32_t *v;
	size_t n, cap;
};
void b_samples_add(struct b_samples *s, int64_t ns);
void b_samples_append(struct b_samples *dst, const struct b_samples *src);
void b_samples_free(struct b_samples *s);
/* The p-th percentile (0..100) in microseconds; sorts s. -1 when empty. */
double b_samples_pct(struct b_samples *s, double p);
/* Median of the n values that are not NAN (reorders v); NAN when none. */
double b_median(double *v, size_t n);

/* ---- store.c ---- */

struct b_key {
	char pub[UCCN_KEY_Z85_LEN + 1];
	char sec[UCCN_KEY_Z85_LEN + 1];
};
/* A fresh CURVE key pair. 0 or -1. */
int b_key_new(struct b_key *k);
/* Write k as a key file (with the secret key unless pub_only). 0 or -1. */
int b_key_write(const char *path, const struct b_key *k, bool pub_only);

/*
 * Prepare data directory dir for uccnd without running it: the server's
 * key pair (server.key, server.pub -> *server), the coordinator's
 * (coordinator.key -> *coord, registered as city "coordinator"), ncities
 * member cities "<prefix>-NNN" of field literature with fresh keys (into
 * keys[], which may be NULL when ncities is 0), then nposts posts of kind
 * update with body_len-byte bodies, spread over the cities round-robin,
 * per_txn posts a transaction. Progress lines every ~10% when nposts is
 * large. Returns 0, or -1 after saying why on stderr.
 */
int b_store_fill(const char *dir, struct b_key *server, struct b_key *coord,
		 const char *prefix, size_t ncities, struct b_key *keys,
		 uint64_t nposts, size_t body_len, size_t per_txn);

/* A uccnd of the bench: the harness's daemon record plus the keys. */
struct b_daemon {
	h_daemon_t *h;
	struct b_key server;
	struct b_key coord;
};
/*
 * Start uccnd on d->h->dir and time it: from fork to the first successful
 * reply to a status request (sent at once by a DEALER that keeps
 * reconnecting every few ms). ctx is the bench's ZeroMQ context. Returns
 * 0 with the time in *startup_ms, or -1 (the log printed).
 */
int b_daemon_start(struct b_daemon *d, void *ctx, double *startup_ms);
/* Stop (SIGTERM, then SIGKILL after 10 s); returns its exit status. */
int b_daemon_stop(struct b_daemon *d);
/* RssAnon of the running daemon in kB, -1 when unknown. */
long b_daemon_rss_anon_kb(const struct b_daemon *d);

/* ---- load.c ---- */

/* A DEALER of ctx connected to endpoint with CURVE keys; linger 0. */
void *b_dealer(void *ctx, const char *endpoint, const char *server_pub,
	       const struct b_key *k);

struct uccn_request;
struct uccn_reply;
/* One request and its reply on s (synchronous, timeout_ms). rep must be
 * zeroed and is the caller's to clear. Returns 0 when a reply was decoded
 * (its status may be an error), -1 otherwise (why in err). */
int b_call(void *s, const struct uccn_request *req, struct uccn_reply *rep,
	   int timeout_ms, char *err, size_t errlen);

/* Register city id (field literature, member) with public key pub, as the
 * coordinator on socket s. 0 or -1 (why on stderr). */
int b_city_add(void *coord_sock, const char *id, const char *pub);

struct b_post_result {
	uint64_t acked;      /* replies with status 0 */
	uint64_t failed;     /* error replies, bad replies, replies missing */
	double secs;         /* first send to last reply */
	double rate;         /* acked / secs */
	char first_error[256];
	struct b_samples lat; /* of acknowledged posts */
};
/*
 * Post body_len-byte bodies of kind update on n sockets (n DEALERs, each
 * its own city) from this one thread: each socket has one post in flight
 * and sends the next as soon as its acknowledgement arrives, until secs
 * have passed; then the posts in flight are awaited (15 s at most).
 * Returns 0, or -1 when the load could not run at all.
 */
int b_post_run(void **socks, int n, double secs, size_t body_len,
	       struct b_post_result *out);
void b_post_result_free(struct b_post_result *r);

/* Check that the hand-encoded post request decodes as intended. */
int b_post_template_check(size_t body_len);

/*
 * count timed `list city=CITY limit=LIMIT` requests on s, one at a time,
 * after warm untimed ones; latencies into lat. The first reply's post
 * count goes to *nposts. 0, or -1 on any failed request (why on stderr).
 */
int b_list_run(void *s, const char *city, uint32_t limit, int warm, int count,
	       struct b_samples *lat, size_t *nposts);

/* ---- commit.c ---- */

/* In a fresh store in dir with `cities` cities and `prefill` posts of 500
 * bytes, the mean microseconds of one durable commit (uccn_store_write) of
 * batch[k] posts, from batch[k] distinct cities or all from one, over
 * `rounds` commits each, into us[k]. 0, or -1 after saying why. */
int b_store_commit_us(const char *dir, int cities, int prefill, const int *batch,
		      const bool *distinct, int nsizes, int rounds, double *us);

/* ---- floor.c ---- */

/* Synced LMDB commits per second of one put of val_len bytes per
 * transaction, in a fresh environment in dir (default flags), for secs.
 * NAN on failure. */
double b_lmdb_commits(const char *dir, double secs, size_t val_len);
/* Median round trip in microseconds of a msg_len-byte message between a
 * DEALER of ctx and an echoing CURVE ROUTER in its own thread and context,
 * over loopback TCP; count timed round trips after warm. NAN on failure. */
double b_curve_rt_us(void *ctx, size_t msg_len, int warm, int count);
/* The no-store ceiling: one round of b_post_run (secs, body_len) at each
 * writers[k] (fresh DEALERs and keys, after an untimed warm-up) against a
 * CURVE ROUTER in its own thread and context that decodes every post and
 * acknowledges it without storing anything; the rates into rates[k] (NAN
 * when not measured). 0, or -1 when a step failed (why on stderr). */
int b_null_rates(void *ctx, const int *writers, int nw, double secs, size_t body_len,
		 double *rates);
/* Median of rounds builds of the agenda of a meeting with nitems
 * candidate items and ncities cities (as bench_agenda.c does), in
 * ms; the placed and deferred counts of the last build. NAN on failure. */
double b_agenda_ms(int nitems, int ncities, int rounds, size_t *placed,
		   size_t *deferred);

/* ---- peer.c ---- */

/* A redis-server with appendfsync always, started by redis_start. */
struct b_redis {
	pid_t pid;
	int port;
	char version[32];
	char dir[4096];
};
/* Whether redis-server and redis-benchmark are on PATH; when not, why in
 * why (whylen bytes). */
bool b_redis_available(char *why, size_t whylen);
/* Start it on 127.0.0.1 at a free port with data in dir; wait until PING
 * answers. 0 or -1 (why on stderr). */
int b_redis_start(struct b_redis *r, const char *dir);
/* `redis-benchmark -h 127.0.0.1 -p PORT -t set -d size -c clients -n count
 * -q`; the SET requests per second, NAN on failure; its wall time in
 * *secs and its CPU seconds in *cpu. */
double b_redis_bench(const struct b_redis *r, int clients, long count,
		     size_t size, double *secs, double *cpu);
void b_redis_stop(struct b_redis *r);

/*
 * Run the CLI (argv[0] a path) runs times after warm untimed runs, each
 * with stdout and stderr to log, and return the median wall time in ms
 * from spawn to reaped exit; min and max into *min_ms, *max_ms. NAN when
 * a run fails (exit status not 0; the log printed).
 */
double b_cli_ms(char *const argv[], const char *log, int warm, int runs,
		double *min_ms, double *max_ms);

#endif
