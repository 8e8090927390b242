/*
 * uccn_bench.c - uccn-bench: durable throughput, latency and scale of
 * uccnd, side by side with Redis and with the physical floor, in one run
 * (issue 6). `make bench` runs it last.
 *
 *   uccn-bench [--quick] [--rounds N] [--seconds S] [--big-posts N] [--keep] BUILD_DIR
 *
 * BUILD_DIR holds uccnd and uccn (build, or build/san). Every scratch
 * directory lives in BUILD_DIR/uccn-bench.XXXXXX, so the daemon, Redis and
 * the LMDB floor all write to the same filesystem (not /tmp, which may be
 * tmpfs); it is removed at the end, on failure and on SIGINT/SIGTERM
 * (--keep leaves it), and every child process dies with the bench.
 *
 * What it measures (figures as a table on stdout, progress on stderr, and
 * as the LAST stdout line one `bench: c1=... rss_anon_kb=...` summary):
 *
 *  1. Posting: N = 1, 16, 64 cities, each registered (city.add) with its
 *     own key and connected by its own CURVE DEALER, post 500-byte bodies
 *     (kind update) back to back, each waiting for its acknowledgement.
 *     All sockets are driven from this one thread with zmq_poll (one
 *     context, one I/O thread), requests encoded once by hand. Only
 *     replies with status 0 count; anything else is reported. Posts per
 *     second (median of the rounds) and latency p50/p99/p99.9 (all rounds'
 *     acknowledged posts pooled).
 *  2. The peer: redis-server (appendonly yes, appendfsync always, no RDB)
 *     started here on 127.0.0.1, driven by `redis-benchmark -t set -d 500
 *     -c N -n COUNT -q` at N = 16 and 64, COUNT sized to last about a
 *     round. Pair by pair: uccnd c16 then Redis c16, uccnd c64 then Redis
 *     c64, in every round; the ratios are of the medians. Without Redis
 *     installed its figures are `na` (the reason goes to stderr).
 *  3. The floor, in every round: lmdb_commits (synced commits of one
 *     500-byte put, default flags, a fresh environment) and rt_us (median
 *     bare CURVE round trip of 500 bytes to an echoing ROUTER on loopback);
 *     floor_c1 = 1 / (1/lmdb_commits + rt_us/1e6), ratio_c1 = c1/floor_c1.
 *     And the no-store ceiling at N = 1, 16, 64: the same load generator
 *     (fresh sockets and keys) against a CURVE ROUTER in its own thread and
 *     context that decodes each post with the project's codec and
 *     acknowledges it without storing it (table only, not in the summary).
 *  4. cli_post_ms: median wall time of a whole `uccn post` process (spawn
 *     to reaped exit) against the running daemon.
 *  5. list of the newest 50 posts of one city, p50/p99 over 2000 requests,
 *     on a store of 10,000 posts (100 cities) and of 1,000,000 posts (400
 *     cities), both filled through the store library with no daemon
 *     running; the daemon's start-up time on them (spawn to the first
 *     status reply) and data.mdb's bytes per post.
 *  6. rss_anon_kb: RssAnon of the daemon of the 1M store after 64 writers
 *     posted for a round (whose rate shows how cost grows with the store).
 *  7. agenda_ms: the agenda of a meeting with 2,000 candidate items and
 *     400 cities, median of 7 builds, as bench_agenda.c does.
 *
 * Options:
 *   --quick          1 round of 1 s, a 100,000-post "big" store, fewer
 *                    list requests and CLI runs: a smoke test, not figures
 *   --rounds N       rounds of the posting pairs and the floor (default 5)
 *   --seconds S      length of one posting round (default 3)
 *   --big-posts N    posts in the big store (default 1000000)
 *   --keep           keep the scratch directory
 *   -h, --help
 *
 * Exit status: 0 when every figure was measured (failed posts are
 * reported, not fatal), 1 when a step could not run (its figures are na),
 * 2 on a usage error.
 */
#include "bench.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <zmq.h>

#include "uccn_msg.h"

#ifndef UCCN_VERSION
#define UCCN_VERSION "?"
#endif

#define BODY 500
#define MAX_ROUNDS 20
#define NWRITERS 64
#define SMALL_POSTS 10000
#define SMALL_CITIES 100
#define BIG_CITIES 400
#define LIST_LIMIT 50

static const int writers[3] = {1, 16, 64};
/* Store commits measured on their own: batch sizes, and whether the posts
 * come from as many cities (each then touches its own index page). */
#define NCOMMIT 6
static const int commit_batch[NCOMMIT] = {1, 16, 16, 64, 64, 256};
static const bool commit_distinct[NCOMMIT] = {false, false, true, false, true, true};

struct opts {
	bool quick, keep;
	int rounds;
	double secs;
	uint64_t big;
	int list_count, cli_runs, rt_count;
	double lmdb_secs;
	const char *build;
};

/* A posting figure: rates of the rounds, pooled latencies, failures. */
struct post_fig {
	double rate[MAX_ROUNDS];
	int nrounds;
	double median, p50, p99, p999;
	uint64_t acked, failed;
	char error[256];
	struct b_samples lat;
	double wall, cpu_client, cpu_daemon; /* seconds, summed over rounds */
};

struct list_fig {
	uint64_t posts;
	size_t cities;
	double p50, p99;
	size_t returned;
	double startup_ms;
	double file_bytes;
	double bytes_per_post;
};

struct figs {
	struct post_fig post[3];       /* fresh store, 1, 16, 64 writers */
	struct post_fig post_big;      /* 64 writers on the big store */
	double redis[2][MAX_ROUNDS];   /* 16, 64 clients */
	double redis_med[2];
	long redis_count[2];
	double redis_wall[2], redis_cpu_bench[2], redis_cpu_server[2];
	char redis_version[32];
	char redis_why[256];
	double lmdb[MAX_ROUNDS], lmdb_med;
	double commit_us[NCOMMIT];     /* one store commit, by batch */
	double rt[MAX_ROUNDS], rt_med;
	double floor_c1;
	double nostore[3][MAX_ROUNDS], nostore_med[3]; /* the no-store ceiling */
	double cli_ms, cli_min, cli_max;
	struct list_fig small, big;
	double fill_secs;
	long rss_anon_kb, rss_anon_fresh_kb;
	double agenda_ms;
	size_t agenda_placed, agenda_deferred;
	double fresh_startup_ms;
	uint64_t fresh_posts_end; /* posts in the first store after the rounds */
};

static int failures; /* steps that could not run */

static void step_failed(const char *what)
{
	failures++;
	b_progress("FAILED: %s", what);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uccn-bench [--quick] [--rounds N] [--seconds S] [--big-posts N] [--keep] BUILD_DIR\n"
		"\n"
		"Durable posts per second of uccnd at 1, 16 and 64 writers beside Redis\n"
		"(appendfsync always) and the physical floor, list latency on 10,000 and\n"
		"1,000,000 posts, CLI post time, memory and the agenda builder. Uses\n"
		"BUILD_DIR/uccnd and BUILD_DIR/uccn; scratch data goes to\n"
		"BUILD_DIR/uccn-bench.XXXXXX and is removed at the end. The table goes to\n"
		"stdout with, as its last line, the `bench: ...` summary; progress to stderr.\n"
		"\n"
		"  --quick         1 round of 1 s and a 100,000-post big store (smoke test)\n"
		"  --rounds N      rounds of the posting pairs and the floor (default 5)\n"
		"  --seconds S     length of one posting round in seconds (default 3)\n"
		"  --big-posts N   posts in the big store (default 1000000)\n"
		"  --keep          keep the scratch directory\n"
		"  -h, --help      this text\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"quick", no_argument, NULL, 'q'}, {"rounds", required_argument, NULL, 'r'},
		{"seconds", required_argument, NULL, 's'}, {"big-posts", required_argument, NULL, 'b'},
		{"keep", no_argument, NULL, 'k'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*o = (struct opts){.rounds = 5, .secs = 3.0, .big = 1000000, .list_count = 2000,
			   .cli_runs = 30, .rt_count = 3000, .lmdb_secs = 1.0};
	int c, rounds = -1;
	double secs = -1;
	long long big = -1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'q':
			o->quick = true;
			break;
		case 'r':
			rounds = (int)strtol(optarg, &end, 10);
			if (*end || rounds < 1 || rounds > MAX_ROUNDS) {
				fprintf(stderr, "uccn-bench: --rounds: give 1 to %d\n", MAX_ROUNDS);
				return 2;
			}
			break;
		case 's':
			secs = strtod(optarg, &end);
			if (*end || !(secs >= 0.2 && secs <= 600)) {
				fprintf(stderr, "uccn-bench: --seconds: give 0.2 to 600\n");
				return 2;
			}
			break;
		case 'b':
			big = strtoll(optarg, &end, 10);
			if (*end || big < 1000 || big > 100000000) {
				fprintf(stderr, "uccn-bench: --big-posts: give 1000 to 100000000\n");
				return 2;
			}
			break;
		case 'k':
			o->keep = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	o->build = argv[optind];
	if (o->quick) {
		o->rounds = 1;
		o->secs = 1.0;
		o->big = 100000;
		o->list_count = 500;
		o->cli_runs = 10;
		o->rt_count = 1000;
		o->lmdb_secs = 0.5;
	}
	if (rounds > 0)
		o->rounds = rounds;
	if (secs > 0)
		o->secs = secs;
	if (big > 0)
		o->big = (uint64_t)big;
	return -1;
}

/* "na" for NAN, else the value with dec decimals. */
static const char *num(char *buf, double v, int dec)
{
	if (isnan(v) || isinf(v))
		snprintf(buf, 32, "na");
	else
		snprintf(buf, 32, "%.*f", dec, v);
	return buf;
}

static const char *fs_name(const char *path)
{
	struct statfs s;
	if (statfs(path, &s) != 0)
		return "?";
	switch ((unsigned long)s.f_type) {
	case 0xEF53: return "ext4";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x01021994: return "tmpfs";
	case 0x2FC12FC1: return "zfs";
	case 0x794c7630: return "overlayfs";
	case 0x6969: return "nfs";
	default: return "other";
	}
}

/* dir/name into out (PATH_MAX bytes); paths here are far shorter. */
static char *join(char *out, const char *dir, const char *name)
{
	if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		abort();
	return out;
}

static double file_size(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	return stat(join(path, dir, name), &st) == 0 ? (double)st.st_size : NAN;
}

/* Add a round's result to a figure. */
static void fold(struct post_fig *f, struct b_post_result *r, int round)
{
	f->rate[round] = r->rate;
	f->nrounds = round + 1;
	f->acked += r->acked;
	f->failed += r->failed;
	if (r->first_error[0] && !f->error[0])
		snprintf(f->error, sizeof f->error, "%s", r->first_error);
	b_samples_append(&f->lat, &r->lat);
}

/* The median of n values, v left as it is. */
static double median_of(const double *v, int n)
{
	double tmp[MAX_ROUNDS];
	memcpy(tmp, v, (size_t)n * sizeof *v);
	return b_median(tmp, (size_t)n);
}

static void finish(struct post_fig *f)
{
	f->median = median_of(f->rate, f->nrounds);
	f->p50 = b_samples_pct(&f->lat, 50);
	f->p99 = b_samples_pct(&f->lat, 99);
	f->p999 = b_samples_pct(&f->lat, 99.9);
}

/* n DEALERs, one per key, each checked with a status call. */
static int connect_all(void *ctx, const struct b_daemon *d, const struct b_key *keys, int n,
		       void **socks)
{
	for (int i = 0; i < n; i++) {
		socks[i] = b_dealer(ctx, d->h->endpoint, d->server.pub, &keys[i]);
		if (!socks[i])
			return -1;
	}
	for (int i = 0; i < n; i++) {
		struct uccn_request req = {.op = UCCN_OP_STATUS, .rid = 1};
		struct uccn_reply rep = {0};
		char err[256];
		int rc = b_call(socks[i], &req, &rep, 10000, err, sizeof err);
		if (rc == 0 && rep.status != 0) {
			snprintf(err, sizeof err, "%s", rep.message ? rep.message : "refused");
			rc = -1;
		}
		uccn_reply_clear(&rep);
		if (rc) {
			fprintf(stderr, "uccn-bench: status on connection %d: %s\n", i, err);
			return -1;
		}
	}
	return 0;
}

static void close_all(void **socks, int n)
{
	for (int i = 0; i < n; i++)
		if (socks[i]) {
			zmq_close(socks[i]);
			socks[i] = NULL;
		}
}

/* One posting round of n writers; replaces the sockets when posts were
 * left in flight. */
static void post_round(void *ctx, const struct b_daemon *d, const struct b_key *keys,
		       void **socks, int n, double secs, struct post_fig *f, int round)
{
	struct b_post_result r;
	double c0 = b_cpu_self(), d0 = b_cpu_pid(d->h->pid);
	int64_t t0 = b_now_ns();
	b_post_run(socks, n, secs, BODY, &r);
	f->wall += (double)(b_now_ns() - t0) / 1e9;
	f->cpu_client += b_cpu_self() - c0;
	f->cpu_daemon += b_cpu_pid(d->h->pid) - d0;
	fold(f, &r, round);
	if (r.failed) {
		b_progress("  %d writers: %" PRIu64 " posts failed: %s", n, r.failed, r.first_error);
		close_all(socks, n);
		if (connect_all(ctx, d, keys, n, socks))
			step_failed("reconnecting the writers");
	}
	b_post_result_free(&r);
}

/* ---- the steps ---- */

/* 1-4: the fresh store, Redis and the floor, round by round; the CLI. */
static int posting(const struct opts *o, const char *root, void *ctx, struct figs *F)
{
	char dir[PATH_MAX], rdir[PATH_MAX], path[PATH_MAX];
	struct b_daemon d = {0};
	struct b_key keys[NWRITERS];
	void *socks[NWRITERS] = {0};
	void *cs = NULL;
	struct b_redis redis = {0};
	bool have_redis = b_redis_available(F->redis_why, sizeof F->redis_why);
	int rc = -1;

	if (b_subdir(root, "post", dir) || b_subdir(root, "redis", rdir) ||
	    b_store_fill(dir, &d.server, &d.coord, "w", 0, NULL, 0, BODY, 1) ||
	    !(d.h = h_daemon_new(dir)) || b_daemon_start(&d, ctx, &F->fresh_startup_ms))
		goto out;
	b_progress("uccnd up on a fresh store in %.1f ms; registering %d cities", F->fresh_startup_ms,
		   NWRITERS);
	if (!(cs = b_dealer(ctx, d.h->endpoint, d.server.pub, &d.coord)))
		goto out;
	for (int i = 0; i < NWRITERS; i++) {
		char id[32];
		snprintf(id, sizeof id, "writer-%02d", i);
		if (b_key_new(&keys[i]) || b_city_add(cs, id, keys[i].pub))
			goto out;
	}
	if (connect_all(ctx, &d, keys, NWRITERS, socks))
		goto out;
	/* Warm up the daemon, the store and the page cache; not counted. */
	struct b_post_result warm;
	b_post_run(socks, NWRITERS, o->quick ? 0.3 : 1.0, BODY, &warm);
	b_progress("warm-up: %" PRIu64 " posts acknowledged, %" PRIu64 " failed", warm.acked,
		   warm.failed);
	b_post_result_free(&warm);

	if (have_redis) {
		if (b_redis_start(&redis, rdir) == 0) {
			snprintf(F->redis_version, sizeof F->redis_version, "%s", redis.version);
			b_progress("redis-server %s on port %d, data in %s", redis.version, redis.port,
				   rdir);
		} else {
			have_redis = false;
			snprintf(F->redis_why, sizeof F->redis_why, "redis-server did not start");
		}
	}
	if (!have_redis)
		b_progress("no Redis figures: %s", F->redis_why);

	double est[2] = {NAN, NAN};
	char a[32], b[32], c[32];
	/* Size Redis's COUNT for a round from a short run at each N. */
	for (int k = 0; have_redis && k < 2; k++) {
		double secs, cpu;
		est[k] = b_redis_bench(&redis, writers[k + 1], 20000, BODY, &secs, &cpu);
		b_progress("redis calibration c%d: %s SET/s", writers[k + 1], num(a, est[k], 0));
	}
	for (int r = 0; r < o->rounds; r++) {
		b_progress("round %d of %d", r + 1, o->rounds);
		char ldir[PATH_MAX];
		snprintf(path, sizeof path, "lmdb-%d", r);
		if (b_subdir(root, path, ldir))
			goto out;
		double fcpu = b_cpu_self();
		F->lmdb[r] = b_lmdb_commits(ldir, o->lmdb_secs, BODY);
		fcpu = b_cpu_self() - fcpu;
		tmpdir_remove(ldir);
		F->rt[r] = b_curve_rt_us(ctx, BODY, 200, o->rt_count);
		b_progress("  floor: lmdb_commits %s/s (CPU %.0f%% of a core), rt_us %s",
			   num(a, F->lmdb[r], 0), 100 * fcpu / o->lmdb_secs, num(b, F->rt[r], 1));
		double ns[3];
		if (b_null_rates(ctx, writers, 3, o->secs, BODY, ns))
			step_failed("the no-store ceiling");
		for (int j = 0; j < 3; j++)
			F->nostore[j][r] = ns[j];
		b_progress("  no-store ceiling (decode and ack, no store): c1 %s, c16 %s, c64 %s posts/s",
			   num(a, ns[0], 0), num(b, ns[1], 0), num(c, ns[2], 0));
		for (int j = 0; j < 3; j++) {
			int n = writers[j];
			post_round(ctx, &d, keys, socks, n, o->secs, &F->post[j], r);
			b_progress("  uccnd  c%-2d %8.0f posts/s", n, F->post[j].rate[r]);
			if (j == 0)
				continue;
			int k = j - 1;
			F->redis[k][r] = NAN;
			if (!have_redis)
				continue;
			/* COUNT for about a round: from Redis's last rate, at first
			 * from uccnd's (the same order of magnitude). */
			double guess = isnan(est[k]) ? F->post[j].rate[r] : est[k];
			long count = (long)(guess * o->secs);
			count = count < 1000 ? 1000 : count > 5000000 ? 5000000 : count;
			double secs, cpu, s0 = b_cpu_pid(redis.pid);
			F->redis[k][r] = b_redis_bench(&redis, n, count, BODY, &secs, &cpu);
			F->redis_count[k] = count;
			F->redis_wall[k] += secs;
			F->redis_cpu_bench[k] += cpu;
			F->redis_cpu_server[k] += b_cpu_pid(redis.pid) - s0;
			if (!isnan(F->redis[k][r]))
				est[k] = F->redis[k][r];
			b_progress("  redis  c%-2d %8s SET/s (%ld requests in %.1f s)", n,
				   num(a, F->redis[k][r], 0), count, secs);
		}
	}
	F->rss_anon_fresh_kb = b_daemon_rss_anon_kb(&d);
	struct uccn_request sreq = {.op = UCCN_OP_STATUS, .rid = 2};
	struct uccn_reply srep = {0};
	char serr[256];
	if (b_call(cs, &sreq, &srep, 10000, serr, sizeof serr) == 0 && srep.status == 0)
		F->fresh_posts_end = srep.info.posts;
	uccn_reply_clear(&srep);

	/* 4: a whole `uccn post` process. */
	join(path, dir, "writer-00.key");
	if (b_key_write(path, &keys[0], false) == 0) {
		char bin[PATH_MAX], log[PATH_MAX], body[BODY + 1];
		snprintf(bin, sizeof bin, "%s/uccn", h_bin_dir());
		join(log, root, "cli.out");
		memset(body, 'p', BODY);
		body[BODY] = '\0';
		char *argv[] = {bin, "--endpoint", d.h->endpoint, "--server-key", d.h->server_pub,
				"--key", path, "post", body, NULL};
		b_progress("timing %d `uccn post` processes", o->cli_runs);
		F->cli_ms = b_cli_ms(argv, log, 3, o->cli_runs, &F->cli_min, &F->cli_max);
		if (isnan(F->cli_ms))
			step_failed("uccn post");
	}
	rc = 0;
out:
	if (rc)
		step_failed("the posting rounds");
	close_all(socks, NWRITERS);
	if (cs)
		zmq_close(cs);
	b_redis_stop(&redis);
	if (d.h) {
		int st = b_daemon_stop(&d);
		if (st != 0 && rc == 0)
			b_progress("note: uccnd exited with status %d on SIGTERM", st);
		h_daemon_destroy(&d.h);
	}
	tmpdir_remove(rdir);
	tmpdir_remove(dir);
	return rc;
}

/* 5-6: a store of nposts posts over ncities cities; list latency,
 * start-up, size; with writers, a posting round and RssAnon. */
static int stored(const struct opts *o, const char *root, void *ctx, const char *name,
		  uint64_t nposts, size_t ncities, bool writers_too, struct list_fig *L,
		  struct figs *F)
{
	char dir[PATH_MAX], city[32];
	struct b_daemon d = {0};
	struct b_key *keys = calloc(ncities, sizeof *keys);
	void *socks[NWRITERS] = {0};
	void *s = NULL;
	struct b_samples lat = {0};
	int rc = -1;
	L->posts = nposts;
	L->cities = ncities;
	L->p50 = L->p99 = L->startup_ms = L->bytes_per_post = L->file_bytes = NAN;
	if (!keys || b_subdir(root, name, dir))
		goto out;
	b_progress("filling a store of %" PRIu64 " posts over %zu cities (store library, no daemon)",
		   nposts, ncities);
	int64_t t0 = b_now_ns();
	if (b_store_fill(dir, &d.server, &d.coord, "c", ncities, keys, nposts, BODY, 20000))
		goto out;
	double fill = (double)(b_now_ns() - t0) / 1e9;
	if (writers_too)
		F->fill_secs = fill;
	L->file_bytes = file_size(dir, "data.mdb");
	L->bytes_per_post = L->file_bytes / (double)nposts;
	b_progress("  filled in %.1f s; data.mdb %.0f MB, %.0f bytes a post", fill,
		   L->file_bytes / 1e6, L->bytes_per_post);
	if (!(d.h = h_daemon_new(dir)) || b_daemon_start(&d, ctx, &L->startup_ms))
		goto out;
	b_progress("  uccnd answered its first status request %.1f ms after the spawn",
		   L->startup_ms);
	if (!(s = b_dealer(ctx, d.h->endpoint, d.server.pub, &keys[0])))
		goto out;
	snprintf(city, sizeof city, "c-000");
	if (b_list_run(s, city, LIST_LIMIT, 100, o->list_count, &lat, &L->returned))
		goto out;
	L->p50 = b_samples_pct(&lat, 50);
	L->p99 = b_samples_pct(&lat, 99);
	b_progress("  list city=%s limit=%d: p50 %.0f us, p99 %.0f us (%zu posts a reply)", city,
		   LIST_LIMIT, L->p50, L->p99, L->returned);
	if (writers_too) {
		int n = NWRITERS < (int)ncities ? NWRITERS : (int)ncities;
		if (connect_all(ctx, &d, keys, n, socks))
			goto out;
		struct b_post_result warm;
		b_post_run(socks, n, 0.3, BODY, &warm);
		b_post_result_free(&warm);
		post_round(ctx, &d, keys, socks, n, o->secs, &F->post_big, 0);
		b_progress("  uccnd  c%d on this store: %.0f posts/s", n, F->post_big.rate[0]);
		F->rss_anon_kb = b_daemon_rss_anon_kb(&d);
		b_progress("  RssAnon of uccnd: %ld kB", F->rss_anon_kb);
	}
	rc = 0;
out:
	if (rc)
		step_failed(name);
	close_all(socks, NWRITERS);
	if (s)
		zmq_close(s);
	if (d.h) {
		b_daemon_stop(&d);
		h_daemon_destroy(&d.h);
	}
	b_samples_free(&lat);
	free(keys);
	tmpdir_remove(dir);
	return rc;
}

/* ---- the report ---- */

static void machine(const char *root)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct utsname u;
	char model[128] = "?";
	char *info = h_read_file("/proc/cpuinfo", NULL);
	const char *m = info ? strstr(info, "model name") : NULL;
	if (m && (m = strchr(m, ':')))
		sscanf(m + 1, " %127[^\n]", model);
	free(info);
	double ram = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
	uname(&u);
	printf("machine: %ld CPUs (%s), %.1f GiB RAM, Linux %s; data on %s in %s\n", cpus, model,
	       ram / (1 << 30), u.release, fs_name(root), root);
}

static void rounds_text(char *out, size_t len, const double *v, int n, int dec)
{
	size_t k = 0;
	out[0] = '\0';
	for (int i = 0; i < n && k < len; i++) {
		char b[32];
		int w = snprintf(out + k, len - k, "%s%s", i ? " " : "", num(b, v[i], dec));
		k += w > 0 ? (size_t)w : 0;
	}
}

static void target(const char *what, double v, double limit, bool at_least, int dec)
{
	char a[32];
	const char *verdict = isnan(v) ? "na" : (at_least ? v >= limit : v <= limit) ? "met" : "MISSED";
	printf("  %-38s %10s   %s\n", what, num(a, v, dec), verdict);
}

static void report(const struct opts *o, const char *root, struct figs *F)
{
	char a[32], b[32], c[32], d[32], r[256];
	printf("\nuccn-bench %s: %d round%s of %.1f s, medians%s\n", UCCN_VERSION, o->rounds,
	       o->rounds == 1 ? "" : "s", o->secs, o->quick ? " (--quick: not for comparison)" : "");
	machine(root);

	printf("\nPosting: N cities, one CURVE DEALER each, %d-byte posts, the next after the ack;\n"
	       "all N driven by one thread (zmq_poll). Latency pooled over the rounds; CPU in %%\n"
	       "of one core, of the bench (client) and of uccnd, over the rounds. The first store\n"
	       "starts empty and holds %" PRIu64 " posts after the rounds.\n", BODY,
	       F->fresh_posts_end);
	printf("  %-14s %7s %9s  %-30s %7s %7s %8s %6s %6s %6s\n", "store", "writers", "posts/s",
	       "rounds", "p50 us", "p99 us", "p99.9 us", "failed", "client", "uccnd");
	for (int j = 0; j < 4; j++) {
		struct post_fig *f = j < 3 ? &F->post[j] : &F->post_big;
		char store[32];
		if (j < 3)
			snprintf(store, sizeof store, "from empty");
		else
			snprintf(store, sizeof store, "%" PRIu64 " posts", F->big.posts);
		rounds_text(r, sizeof r, f->rate, f->nrounds, 0);
		char e[32], g[32];
		printf("  %-14s %7d %9s  %-30s %7s %7s %8s %6" PRIu64 " %5s%% %5s%%\n", store,
		       j < 3 ? writers[j] : NWRITERS, num(a, f->median, 0), r,
		       num(b, f->p50 < 0 ? NAN : f->p50, 0), num(c, f->p99 < 0 ? NAN : f->p99, 0),
		       num(d, f->p999 < 0 ? NAN : f->p999, 0), f->failed,
		       num(e, 100 * f->cpu_client / f->wall, 0), num(g, 100 * f->cpu_daemon / f->wall, 0));
	}
	for (int j = 0; j < 4; j++) {
		struct post_fig *f = j < 3 ? &F->post[j] : &F->post_big;
		if (f->error[0])
			printf("  first failure at %d writers: %s\n", j < 3 ? writers[j] : NWRITERS,
			       f->error);
	}

	if (F->redis_version[0]) {
		printf("\nPeer: redis-server %s, appendonly yes, appendfsync always, same filesystem;\n"
		       "redis-benchmark -t set -d %d -c N -n COUNT -q, alternating with uccnd.\n"
		       "CPU in %% of one core, of redis-benchmark (client) and redis-server.\n",
		       F->redis_version, BODY);
		printf("  %-8s %9s  %-30s %8s %12s %6s %6s\n", "clients", "SET/s", "rounds",
		       "COUNT", "uccnd/redis", "client", "server");
		for (int k = 0; k < 2; k++) {
			rounds_text(r, sizeof r, F->redis[k], o->rounds, 0);
			printf("  %-8d %9s  %-30s %8ld %12s %5s%% %5s%%\n", writers[k + 1],
			       num(a, F->redis_med[k], 0), r, F->redis_count[k],
			       num(b, F->post[k + 1].median / F->redis_med[k], 2),
			       num(c, 100 * F->redis_cpu_bench[k] / F->redis_wall[k], 0),
			       num(d, 100 * F->redis_cpu_server[k] / F->redis_wall[k], 0));
		}
	} else {
		printf("\nPeer: no Redis figures (%s)\n", F->redis_why);
	}

	printf("\nPhysical floor (same filesystem, same run):\n");
	rounds_text(r, sizeof r, F->lmdb, o->rounds, 0);
	printf("  lmdb_commits %10s /s   synced commits of one %d-byte put, default flags (rounds: %s)\n",
	       num(a, F->lmdb_med, 0), BODY, r);
	rounds_text(r, sizeof r, F->rt, o->rounds, 1);
	printf("  rt_us        %10s us   bare CURVE round trip of %d bytes on loopback (rounds: %s)\n",
	       num(a, F->rt_med, 1), BODY, r);
	printf("  floor_c1     %10s /s   1 / (1/lmdb_commits + rt_us/1e6)\n", num(a, F->floor_c1, 0));
	printf("  ratio_c1     %10s      c1 / floor_c1\n",
	       num(a, F->post[0].median / F->floor_c1, 2));
	printf("  The same load generator against a server that decodes each post and acknowledges\n"
	       "  it without storing anything: what uccnd could reach here with no disk at all, the\n"
	       "  client, CURVE and loopback TCP sharing the two cores as they do with uccnd.\n");
	for (int j = 0; j < 3; j++) {
		rounds_text(r, sizeof r, F->nostore[j], o->rounds, 0);
		printf("  no-store ceiling, %2d writer%s %9s posts/s   uccnd at %s of it (rounds: %s)\n",
		       writers[j], writers[j] == 1 ? ": " : "s:", num(a, F->nostore_med[j], 0),
		       num(b, F->post[j].median / F->nostore_med[j], 2), r);
	}
	/* The throughput targets against it: 1.25 and 1.2 times Redis. */
	for (int k = 0; k < 2; k++) {
		double want = (k ? 1.2 : 1.25) * F->redis_med[k];
		if (isnan(want))
			continue;
		printf("  target c%-2d = %.2f x redis_c%-2d = %9s posts/s: %s the no-store ceiling\n",
		       writers[k + 1], k ? 1.2 : 1.25, writers[k + 1], num(a, want, 0),
		       want > F->nostore_med[k + 1] ? "ABOVE" : "below");
	}
	printf("\nOne durable store commit of a batch of posts (the store library, no daemon, no\n"
	       "network; 400 cities, 100000 posts before): the ceiling of group commit here\n");
	printf("  %6s  %-15s %10s %14s\n", "posts", "from", "us/commit", "at most posts/s");
	for (int k = 0; k < NCOMMIT; k++)
		printf("  %6d  %-15s %10s %14s\n", commit_batch[k],
		       commit_distinct[k] ? "as many cities" : "one city", num(a, F->commit_us[k], 0),
		       num(b, commit_batch[k] / F->commit_us[k] * 1e6, 0));

	printf("\nOne person: a whole `uccn post` process (spawn, connect, CURVE handshake, post, ack, exit)\n");
	printf("  cli_post_ms  %10s ms   median of %d (min %s, max %s)\n", num(a, F->cli_ms, 2),
	       o->cli_runs, num(b, F->cli_min, 2), num(c, F->cli_max, 2));

	printf("\nReads: list city=c-000 limit=%d (its newest %d posts), %d requests, one client\n",
	       LIST_LIMIT, LIST_LIMIT, o->list_count);
	printf("  %-16s %7s %10s %8s %8s %9s\n", "store", "cities", "posts/city", "p50 us", "p99 us",
	       "returned");
	for (int j = 0; j < 2; j++) {
		struct list_fig *L = j ? &F->big : &F->small;
		char store[32];
		snprintf(store, sizeof store, "%" PRIu64 " posts", L->posts);
		printf("  %-16s %7zu %10" PRIu64 " %8s %8s %9zu\n", store, L->cities,
		       L->cities ? L->posts / L->cities : 0, num(a, L->p50, 0), num(b, L->p99, 0),
		       L->returned);
	}

	printf("\nStore size and start-up (spawn to the first status reply):\n");
	printf("  %-16s %12s %11s %12s\n", "store", "data.mdb MB", "bytes/post", "start-up ms");
	printf("  %-16s %12s %11s %12s\n", "empty", "", "", num(a, F->fresh_startup_ms, 1));
	for (int j = 0; j < 2; j++) {
		struct list_fig *L = j ? &F->big : &F->small;
		char store[32];
		snprintf(store, sizeof store, "%" PRIu64 " posts", L->posts);
		printf("  %-16s %12s %11s %12s\n", store, num(a, L->file_bytes / 1e6, 0),
		       num(b, L->bytes_per_post, 0), num(c, L->startup_ms, 1));
	}
	printf("  filling the %" PRIu64 "-post store through the store library took %s s "
	       "(20000 posts a transaction)\n", F->big.posts, num(a, F->fill_secs, 1));

	printf("\nMemory (RssAnon of uccnd):\n");
	printf("  rss_anon_kb  %10ld kB   %" PRIu64 "-post store, after %d writers posted for a round\n",
	       F->rss_anon_kb, F->big.posts, NWRITERS);
	printf("  %-12s %10ld kB   the first store (from empty), after all the posting rounds\n", "",
	       F->rss_anon_fresh_kb);

	printf("\nAgenda builder: 2000 candidate items, 400 cities, 3 days, hybrid (as bench_agenda)\n");
	printf("  agenda_ms    %10s ms   median of 7 builds (%zu slots placed, %zu deferred)\n",
	       num(a, F->agenda_ms, 2), F->agenda_placed, F->agenda_deferred);

	printf("\nTargets of issue 6 (figures only; nothing here fails the run):\n");
	target("ratio_c16 >= 1.25", F->post[1].median / F->redis_med[0], 1.25, true, 2);
	target("ratio_c64 >= 1.2", F->post[2].median / F->redis_med[1], 1.2, true, 2);
	target("ratio_c1 >= 0.85", F->post[0].median / F->floor_c1, 0.85, true, 2);
	target("cli_post_ms <= 10", F->cli_ms, 10, false, 2);
	target("list_p99_us_1m <= 1000", F->big.p99, 1000, false, 0);
	target("list_p99_us_1m <= 2 x list_p99_us_10k", F->big.p99 / F->small.p99, 2, false, 2);
	target("agenda_ms <= 100", F->agenda_ms, 100, false, 2);
	target("rss_anon_kb <= 32768", F->rss_anon_kb < 0 ? NAN : (double)F->rss_anon_kb, 32768,
	       false, 0);
	if (o->quick || F->big.posts != 1000000)
		printf("  (the big store holds %" PRIu64 " posts, not 1000000: list_p99_us_1m and "
		       "rss_anon_kb are not the issue's figures)\n", F->big.posts);

	char v[16][32];
	printf("\nbench: c1=%s c16=%s c64=%s redis_c16=%s redis_c64=%s ratio_c16=%s ratio_c64=%s "
	       "lmdb_commits=%s rt_us=%s floor_c1=%s ratio_c1=%s cli_post_ms=%s list_p99_us_1m=%s "
	       "list_p99_us_10k=%s agenda_ms=%s rss_anon_kb=%s\n",
	       num(v[0], F->post[0].median, 0), num(v[1], F->post[1].median, 0),
	       num(v[2], F->post[2].median, 0), num(v[3], F->redis_med[0], 0),
	       num(v[4], F->redis_med[1], 0), num(v[5], F->post[1].median / F->redis_med[0], 2),
	       num(v[6], F->post[2].median / F->redis_med[1], 2), num(v[7], F->lmdb_med, 0),
	       num(v[8], F->rt_med, 1), num(v[9], F->floor_c1, 0),
	       num(v[10], F->post[0].median / F->floor_c1, 2), num(v[11], F->cli_ms, 2),
	       num(v[12], F->big.p99, 0), num(v[13], F->small.p99, 0), num(v[14], F->agenda_ms, 2),
	       num(v[15], F->rss_anon_kb < 0 ? NAN : (double)F->rss_anon_kb, 0));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct opts o;
	int prc = parse(argc, argv, &o);
	if (prc >= 0)
		return prc;
	static struct figs F;
	F.rss_anon_kb = F.rss_anon_fresh_kb = -1;
	F.cli_ms = F.cli_min = F.cli_max = F.agenda_ms = F.fill_secs = NAN;
	F.fresh_startup_ms = NAN;
	F.small.p50 = F.small.p99 = F.big.p50 = F.big.p99 = NAN;
	F.small.startup_ms = F.big.startup_ms = NAN;
	F.small.bytes_per_post = F.big.bytes_per_post = NAN;
	F.small.file_bytes = F.big.file_bytes = NAN;
	F.small.posts = SMALL_POSTS;
	F.big.posts = o.big;
	for (int r = 0; r < MAX_ROUNDS; r++) {
		F.lmdb[r] = F.rt[r] = F.redis[0][r] = F.redis[1][r] = NAN;
		for (int j = 0; j < 3; j++)
			F.post[j].rate[r] = F.nostore[j][r] = NAN;
		F.post_big.rate[r] = NAN;
	}
	for (int j = 0; j < 3; j++)
		F.post[j].nrounds = o.rounds;
	F.post_big.nrounds = 1;

	char bin[PATH_MAX];
	snprintf(bin, sizeof bin, "%s/uccnd", o.build);
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "uccn-bench: no %s (build it first: make)\n", bin);
		return 1;
	}
	snprintf(bin, sizeof bin, "%s/uccn", o.build);
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "uccn-bench: no %s (build it first: make)\n", bin);
		return 1;
	}
	/* Absolute paths: the daemon and the CLI get them too. */
	static char build[PATH_MAX], root[PATH_MAX];
	if (!realpath(o.build, build)) {
		fprintf(stderr, "uccn-bench: %s: cannot resolve\n", o.build);
		return 1;
	}
	h_set_bin_dir(build);
	join(root, build, "uccn-bench.XXXXXX");
	if (b_cleanup_init(root, o.keep))
		return 1;
	if (b_post_template_check(BODY))
		return 1;
	b_progress("start: %d round(s) of %.1f s, big store of %" PRIu64 " posts, scratch in %s",
		   o.rounds, o.secs, o.big, root);
	int64_t t0 = b_now_ns();
	void *ctx = zmq_ctx_new();
	if (!ctx)
		return 1;

	/* 7 first: seconds at most, and no daemon running to disturb it. */
	F.agenda_ms = b_agenda_ms(2000, 400, 7, &F.agenda_placed, &F.agenda_deferred);
	b_progress("agenda of 2000 items and 400 cities: %.2f ms", F.agenda_ms);
	if (isnan(F.agenda_ms))
		step_failed("the agenda");

	{
		char cdir[PATH_MAX];
		for (int k = 0; k < NCOMMIT; k++)
			F.commit_us[k] = NAN;
		if (b_subdir(root, "store-commits", cdir) == 0) {
			b_progress("store commits by batch size (%d posts first)", o.quick ? 20000 : 100000);
			if (b_store_commit_us(cdir, 400, o.quick ? 20000 : 100000, commit_batch,
					      commit_distinct, NCOMMIT, o.quick ? 30 : 150,
					      F.commit_us))
				step_failed("the store commits");
			tmpdir_remove(cdir);
		}
	}

	posting(&o, root, ctx, &F);
	stored(&o, root, ctx, "store-10k", SMALL_POSTS, SMALL_CITIES, false, &F.small, &F);
	stored(&o, root, ctx, "store-big", o.big, BIG_CITIES, true, &F.big, &F);

	for (int j = 0; j < 3; j++) {
		finish(&F.post[j]);
		F.nostore_med[j] = median_of(F.nostore[j], o.rounds);
	}
	finish(&F.post_big);
	for (int k = 0; k < 2; k++)
		F.redis_med[k] = median_of(F.redis[k], o.rounds);
	F.lmdb_med = median_of(F.lmdb, o.rounds);
	F.rt_med = median_of(F.rt, o.rounds);
	F.floor_c1 = 1.0 / (1.0 / F.lmdb_med + F.rt_med / 1e6);

	zmq_ctx_term(ctx);
	b_progress("done in %.0f s%s", (double)(b_now_ns() - t0) / 1e9,
		   failures ? "; some steps FAILED (see above)" : "");
	report(&o, root, &F);
	return failures ? 1 : 0;
}
