/*
 * daemon.h - a real uccnd for a test: a fresh scratch directory, a free
 * loopback port, start it and poll until it answers, stop or kill it, and
 * read its log and memory.
 */
#ifndef UCCN_HARNESS_DAEMON_H
#define UCCN_HARNESS_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

/* ---- scratch directories and ports ---- */

/* A fresh empty directory $TMPDIR/uccn-e2e-XXXXXX (tmpdir_new, tmpdir.h);
 * malloc'd path, or NULL. */
char *h_tmpdir_new(void);
/* Remove the directory recursively, free the path, set *path_p to NULL.
 * With UCCN_E2E_KEEP set in the environment the directory is kept and its
 * path printed instead. */
void h_tmpdir_destroy(char **path_p);
/* A loopback TCP port that was free a moment ago (bind to port 0, read the
 * port back, close). 0 on failure. */
int h_free_port(void);

/* ---- the daemon ---- */

/* A uccnd on DIR and tcp://127.0.0.1:PORT. Fields are read-only. */
typedef struct {
	const char *dir;                /* data directory (not owned) */
	int port;                       /* kept across restarts */
	char endpoint[64];              /* tcp://127.0.0.1:PORT */
	char server_pub[PATH_MAX];      /* DIR/server.pub */
	char coordinator_key[PATH_MAX]; /* DIR/coordinator.key */
	char log[PATH_MAX];             /* DIR/uccnd.log: its stderr, appended */
	pid_t pid;                      /* 0 when not running */
	int status;                     /* last exit as in h_run_t, -2 if none */
	bool skip_check;                /* h_daemon_skip_check was called */
} h_daemon_t;

/* A daemon for dir on a free port; not started. NULL on failure. */
h_daemon_t *h_daemon_new(const char *dir);
/* fork/exec uccnd --data DIR --listen ENDPOINT, then poll `uccn status`
 * with the coordinator key every 50 ms until it answers, for up to 10 s.
 * Returns 0 when ready; -1 (after printing the log) when the daemon died or
 * never answered. */
int h_daemon_start(h_daemon_t *self);
/* The same with one more option and its value (e.g. "--map-size", "1M"). */
int h_daemon_start_with(h_daemon_t *self, const char *opt, const char *val);
/* SIGTERM and wait up to 10 s (then SIGKILL). Returns the exit code, or -1
 * when it was killed by a signal. */
int h_daemon_stop(h_daemon_t *self);
/* SIGKILL and reap. */
void h_daemon_kill(h_daemon_t *self);
/* True while the process runs (reaps it, recording status, when not). */
bool h_daemon_running(h_daemon_t *self);
/* VmRSS of the running daemon in KiB, -1 when unknown. */
long h_daemon_rss_kb(const h_daemon_t *self);
/* A KiB figure of its /proc status by name: "VmRSS", "VmHWM" (the peak
 * RSS so far); -1 when it cannot be read. */
long h_daemon_status_kb(const h_daemon_t *self, const char *field);
/* True when uccnd is built with AddressSanitizer (its RSS then includes
 * ASan's quarantine of freed memory, 256 MB by default). */
bool h_daemon_asan(void);
/* Print the daemon's log to stderr. */
void h_daemon_print_log(const h_daemon_t *self);
/* Kill it if running, then check the store it leaves: `uccnd --check
 * DIR` must exit 0, or the test fails with its output (with
 * UCCN_CHECK_TALLY set, each check appends "DIR STATUS" to that file).
 * Free it, set *self_p to NULL. */
void h_daemon_destroy(h_daemon_t **self_p);
/* The test damages or leaves a special store on purpose: destroy does not
 * check it. */
void h_daemon_skip_check(h_daemon_t *self);
/* A fresh temporary data directory and a daemon started on it: 0, or -1
 * with nothing left behind. */
int h_daemon_up(char **dir, h_daemon_t **d);
/* Stop the daemon and remove its directory; NULL-tolerant. */
void h_daemon_down(char **dir, h_daemon_t **d);

#endif
