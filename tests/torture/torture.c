/*
 * torture.c - the rounds (torture.h). One daemon on one data directory for
 * the whole run; four writer processes post through it without pause. A
 * round lets them write for a random while, kills the daemon with SIGKILL
 * and, in a power-cut round, has undo take back what the shim saw written
 * but not yet synced; then the daemon is started again on the same files,
 * each writer gets the post it had in flight acknowledged (retrying the
 * same key), and the ledger compares every acknowledgement so far with
 * what the daemon lists.
 */
#include "torture.h"
#include "journal.h"
#include "ledger.h"
#include "writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A writer retries until its key is acknowledged: this bounds a daemon
 * that never answers again, generously for a loaded machine. */
#define PAUSE_TIMEOUT_MS 120000
/* A power cut waits, after its random delay, up to this long for a moment
 * when the journal holds a data page written but not yet synced (a meta
 * page alone is smaller than one page), polling every millisecond: a cut
 * while nothing is pending would take back nothing. */
#define CUT_WAIT_MS 2000
#define CUT_PENDING_BYTES 4096
/* A cut by the shim comes at one of this many first writes to data.mdb
 * (a busy daemon makes some 100 a second). */
#define KILL_AT_MAX 150

struct run {
	const struct torture_opts *o;
	uint64_t rng;
	char *dir;                 /* scratch: data/, acks, the journal */
	char data[PATH_MAX];       /* the daemon's data directory */
	char journal[PATH_MAX];
	char armed[PATH_MAX];      /* exists while a round writes */
	char shim[PATH_MAX];
	char undo[PATH_MAX];
	h_daemon_t *d;
	long kill_at;              /* the shim's kill, 0 for none */
	struct writer ws[TORTURE_WRITERS];
	int nwriters;
	struct ledger *ledger;
};

static uint64_t next_random(struct run *run)
{
	/* xorshift64*: reproducible from the seed alone. */
	run->rng ^= run->rng >> 12;
	run->rng ^= run->rng << 25;
	run->rng ^= run->rng >> 27;
	return run->rng * 2685821657736338717ull;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Kill and cut rounds alternate while both remain. */
static bool round_is_cut(const struct torture_opts *o, int r)
{
	int both = 2 * (o->kill_rounds < o->cut_rounds ? o->kill_rounds : o->cut_rounds);
	if (r < both)
		return r % 2 == 1;
	return o->cut_rounds > o->kill_rounds;
}

/* How a round ends: kill -9 alone, a power cut at a random moment while a
 * data page waits for its sync, or one the shim makes itself right after
 * a random write to data.mdb (a data page: mid-commit; a meta page: the
 * commit is on disk, its answers not sent). The two kinds of cut
 * alternate. */
enum round_end { END_KILL, END_CUT_TIMED, END_CUT_AT_WRITE };

static enum round_end round_end_of(const struct torture_opts *o, int r)
{
	if (r >= o->kill_rounds + o->cut_rounds || !round_is_cut(o, r))
		return END_KILL;
	int cuts_before = 0;
	for (int i = 0; i < r; i++)
		cuts_before += round_is_cut(o, i);
	return cuts_before % 2 ? END_CUT_AT_WRITE : END_CUT_TIMED;
}

static void swap_env(const char *name, const char *value, char **saved)
{
	const char *old = getenv(name);
	*saved = old ? strdup(old) : NULL;
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

static void restore_env(const char *name, char **saved)
{
	if (*saved)
		setenv(name, *saved, 1);
	else
		unsetenv(name);
	free(*saved);
	*saved = NULL;
}

/* Start uccnd on the run's data for a round that ends so; for a cut, with
 * the shim journalling its unsynced writes. uccnd under ASan accepts a
 * library preloaded before its runtime only with verify_asan_link_order=0;
 * the shim itself is not instrumented. */
static int start_daemon(struct run *run, enum round_end end)
{
	if (end == END_KILL)
		return h_daemon_start(run->d);
	char *old_preload, *old_journal, *old_asan, *old_kill, *old_armed;
	const char *asan = getenv("ASAN_OPTIONS");
	char asan_opts[1024], kill_at[24];
	snprintf(asan_opts, sizeof asan_opts, "verify_asan_link_order=0%s%s",
		 asan ? ":" : "", asan ? asan : "");
	run->kill_at = end == END_CUT_AT_WRITE ? 1 + (long)(next_random(run) % KILL_AT_MAX) : 0;
	snprintf(kill_at, sizeof kill_at, "%ld", run->kill_at);
	swap_env("LD_PRELOAD", run->shim, &old_preload);
	swap_env(TJ_ENV_JOURNAL, run->journal, &old_journal);
	swap_env("ASAN_OPTIONS", asan_opts, &old_asan);
	swap_env(TJ_ENV_KILL_AT, run->kill_at ? kill_at : NULL, &old_kill);
	swap_env(TJ_ENV_ARMED, run->armed, &old_armed);
	int rc = h_daemon_start(run->d);
	restore_env("LD_PRELOAD", &old_preload);
	restore_env(TJ_ENV_JOURNAL, &old_journal);
	restore_env("ASAN_OPTIONS", &old_asan);
	restore_env(TJ_ENV_KILL_AT, &old_kill);
	restore_env(TJ_ENV_ARMED, &old_armed);
	return rc;
}

static int arm(const struct run *run, bool on)
{
	if (!on)
		return unlink(run->armed) == 0 || errno == ENOENT ? 0 : -1;
	FILE *f = fopen(run->armed, "w");
	return f && fclose(f) == 0 ? 0 : -1;
}

/* Let the writers write for ms; true if the daemon died meanwhile. */
static bool write_for(struct run *run, int ms)
{
	int64_t deadline = h_now_ms() + ms;
	while (h_now_ms() < deadline) {
		if (!h_daemon_running(run->d))
			return true;
		sleep_ms(5);
	}
	return false;
}

static void wait_for_pending(struct run *run)
{
	int64_t deadline = h_now_ms() + CUT_WAIT_MS;
	struct stat st;
	while (h_now_ms() < deadline && h_daemon_running(run->d) &&
	       (stat(run->journal, &st) != 0 || st.st_size < CUT_PENDING_BYTES))
		sleep_ms(1);
}

/* The power cut: undo's summary line, counted into t. */
static int cut(struct run *run, int cut_index, struct torture_totals *t)
{
	static const char *const modes[] = {"none", "prefix", "random"};
	char file[PATH_MAX + 16], seed[24];
	snprintf(file, sizeof file, "%s/data.mdb", run->data);
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)(next_random(run) >> 33));
	char *argv[] = {run->undo, run->journal, file, (char *)modes[cut_index % 3], seed, NULL};
	h_run_t r = {0};
	long records, unsynced, kept;
	if (h_run(&r, argv, NULL, 60000) != 0 ||
	    sscanf(r.out, "undo: %ld records since the last sync: %ld unsynced pages (%ld kept)",
		   &records, &unsynced, &kept) != 3) {
		h_run_print(&r);
		h_run_clear(&r);
		return -1;
	}
	printf("  cut (%s): %ld unsynced pages, %ld kept, %ld taken back\n",
	       modes[cut_index % 3], unsynced, kept, unsynced - kept);
	fflush(stdout);
	t->unsynced += unsynced;
	t->undone += unsynced - kept;
	h_run_clear(&r);
	return 0;
}

/* Everything up to the first round: data directory, daemon, cities,
 * writers. */
static int set_up(struct run *run)
{
	if (!(run->dir = h_tmpdir_new()))
		return -1;
	snprintf(run->data, sizeof run->data, "%s/data", run->dir);
	snprintf(run->journal, sizeof run->journal, "%s/journal", run->dir);
	snprintf(run->armed, sizeof run->armed, "%s/armed", run->dir);
	snprintf(run->shim, sizeof run->shim, "%s/torture/shim.so", h_bin_dir());
	snprintf(run->undo, sizeof run->undo, "%s/torture/undo", h_bin_dir());
	if (access(run->shim, R_OK) != 0 || access(run->undo, X_OK) != 0) {
		fprintf(stderr, "torture: %s or %s missing: build them with make torture-tools\n",
			run->shim, run->undo);
		return -1;
	}
	if (mkdir(run->data, 0700) != 0 || !(run->d = h_daemon_new(run->data)) ||
	    !(run->ledger = ledger_new(TORTURE_WRITERS)) ||
	    start_daemon(run, round_end_of(run->o, 0)) != 0)
		return -1;
	for (int i = 0; i < TORTURE_WRITERS; i++) {
		struct writer *w = &run->ws[i];
		char id[16], name[32];
		snprintf(id, sizeof id, "tw%d", i);
		snprintf(name, sizeof name, "Torture %d", i);
		snprintf(w->acks, sizeof w->acks, "%s/acks-%d", run->dir, i);
		if (h_city_register(run->d, id, name, w->key) != 0 ||
		    writer_start(w, i, run->d) != 0)
			return -1;
		run->nwriters++;
	}
	return 0;
}

/* One round; -1 when the daemon or the writers did not come back, or the
 * store could not be listed. */
static int one_round(struct run *run, int r, int *cuts, struct torture_totals *t)
{
	const struct torture_opts *o = run->o;
	enum round_end end = round_end_of(o, r);
	int span = o->max_delay_ms - o->min_delay_ms;
	int delay = o->min_delay_ms + (span > 0 ? (int)(next_random(run) % (uint64_t)span) : 0);
	if (end == END_CUT_AT_WRITE)
		delay = o->max_delay_ms + CUT_WAIT_MS; /* the longest it may wait */
	/* The shim counts towards its kill only during the round, not while
	 * the check's retries are written. */
	if (end == END_CUT_AT_WRITE && arm(run, true) != 0)
		return -1;
	if (r > 0)
		writers_resume(run->ws, run->nwriters);
	int64_t t0 = h_now_ms();
	bool died = write_for(run, delay);
	if (!died && end != END_KILL)
		wait_for_pending(run);
	died = died || !h_daemon_running(run->d);
	int64_t ms = h_now_ms() - t0;
	h_daemon_kill(run->d);
	arm(run, false);
	const char *how = end == END_KILL ? "kill -9" : "power cut";
	if (end == END_CUT_AT_WRITE && died)
		printf("torture: round %d/%d, power cut by the shim at its write %ld, "
		       "after %lld ms\n", r + 1, o->kill_rounds + o->cut_rounds, run->kill_at,
		       (long long)ms);
	else
		printf("torture: round %d/%d, %s after %lld ms\n", r + 1,
		       o->kill_rounds + o->cut_rounds, how, (long long)ms);
	fflush(stdout);
	if (died && end != END_CUT_AT_WRITE) {
		fprintf(stderr, "torture: uccnd died by itself (status %d) in round %d\n",
			run->d->status, r + 1);
		return -1;
	}
	if (end != END_KILL && cut(run, (*cuts)++, t) != 0)
		return -1;
	enum round_end next = round_end_of(o, r + 1);
	/* Once more if it would not come up: a writer's connection may have
	 * taken the port as its own while nothing listened there. */
	if (start_daemon(run, next) != 0 &&
	    (h_daemon_kill(run->d), start_daemon(run, next)) != 0) {
		fprintf(stderr, "torture: uccnd did not start again after round %d\n", r + 1);
		return -1;
	}
	struct ledger_check now;
	if (writers_pause(run->ws, run->nwriters, run->d, PAUSE_TIMEOUT_MS) != 0 ||
	    ledger_read(run->ledger, run->ws) != 0 || ledger_check(run->ledger, run->d, &now) != 0)
		return -1;
	printf("  acknowledged %ld, lost %ld, duplicated %ld (%ld posts listed)\n",
	       now.acked, now.lost, now.duplicated, now.posts);
	if (now.unacked)
		printf("  %ld torture posts were never acknowledged\n", now.unacked);
	fflush(stdout);
	t->acked = now.acked;
	t->rounds++;
	return 0;
}

int torture_run(const struct torture_opts *o, struct torture_totals *t)
{
	struct run run = {.o = o, .rng = 0x9e3779b97f4a7c15ull ^ o->seed};
	memset(t, 0, sizeof *t);
	int rounds = o->kill_rounds + o->cut_rounds, cuts = 0, rc = set_up(&run);
	printf("torture: %d kill -9 rounds, %d power-cut rounds, %d writers, seed %u\n",
	       o->kill_rounds, o->cut_rounds, TORTURE_WRITERS, o->seed);
	for (int r = 0; rc == 0 && r < rounds; r++)
		rc = one_round(&run, r, &cuts, t);
	writers_stop(run.ws, run.nwriters);
	if (run.ledger) {
		t->lost = ledger_lost(run.ledger);
		t->duplicated = ledger_duplicated(run.ledger);
	}
	printf("torture: total: %d of %d rounds, %ld acknowledged, %ld lost, %ld duplicated; "
	       "power cuts took back %ld of %ld unsynced pages\n", t->rounds, rounds, t->acked,
	       t->lost, t->duplicated, t->undone, t->unsynced);
	fflush(stdout);
	if (run.d && run.d->pid > 0)
		h_daemon_stop(run.d);
	rc = rc || t->lost || t->duplicated || t->rounds != rounds ? -1 : 0;
	if (rc && run.d) {
		h_daemon_print_log(run.d);
		fprintf(stderr, "torture: kept %s\n", run.dir);
		free(run.dir);
		run.dir = NULL;
	}
	h_daemon_destroy(&run.d);
	ledger_destroy(&run.ledger);
	h_tmpdir_destroy(&run.dir);
	return rc;
}
