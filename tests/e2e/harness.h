/*
 * harness.h - end-to-end test harness: run the real uccnd and uccn binaries
 * in a scratch directory on a free loopback port, and look at what they do.
 *
 * Binaries come from $UCCN_BIN ("build" when unset, "build/san" under
 * sanitizers), or from h_set_bin_dir(). Every wait is bounded: a hung
 * daemon or CLI fails the test, it never hangs it. Children get
 * PR_SET_PDEATHSIG, so a crashed test leaves no daemon behind.
 *
 * Typical test:
 *
 *     char *dir = h_tmpdir_new();
 *     h_daemon_t *d = h_daemon_new(dir);
 *     assert_int_equal(h_daemon_start(d), 0);
 *     h_run_t r = {0};
 *     h_uccn(&r, d, d->coordinator_key, NULL, "status", NULL);
 *     h_assert_exit(&r, 0);
 *     assert_int_equal(h_daemon_stop(d), 0);
 *     h_run_clear(&r);
 *     h_daemon_destroy(&d);
 *     h_tmpdir_destroy(&dir);
 */
#ifndef UCCN_E2E_HARNESS_H
#define UCCN_E2E_HARNESS_H

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "uccn_limits.h"

/* ---- setup ---- */

/* Use dir for the binaries instead of $UCCN_BIN. The string is kept. */
void h_set_bin_dir(const char *dir);
/* The directory holding uccnd and uccn. */
const char *h_bin_dir(void);
/* Milliseconds of CLOCK_MONOTONIC. */
int64_t h_now_ms(void);

/* ---- scratch directories and files ---- */

/* A fresh empty directory under $TMPDIR (or /tmp); malloc'd path, or NULL. */
char *h_tmpdir_new(void);
/* Remove the directory recursively, free the path, set *path_p to NULL.
 * With UCCN_E2E_KEEP set in the environment the directory is kept and its
 * path printed instead. */
void h_tmpdir_destroy(char **path_p);
/* The whole file, NUL-terminated, malloc'd; its length in *len (may be
 * NULL). NULL when it cannot be read. */
char *h_read_file(const char *path, size_t *len);
/* A loopback TCP port that was free a moment ago (bind to port 0, read the
 * port back, close). 0 on failure. */
int h_free_port(void);

/* ---- running a program ---- */

/* What a finished program did. Zero-initialise before the first use; every
 * h_run/h_uccn call clears the previous contents first. */
typedef struct {
	char *cmd;        /* the command line, for messages */
	int status;       /* exit code, or -1 when killed by a signal or timeout */
	int signal;       /* the signal that killed it, 0 when it exited */
	bool timed_out;   /* killed by the harness at the deadline */
	int64_t elapsed_ms;
	char *out;        /* stdout, NUL-terminated, never NULL after a run */
	size_t out_len;
	char *err;        /* stderr, likewise */
	size_t err_len;
} h_run_t;

/* Run argv[0] (a path) with argv, input on stdin (NULL: /dev/null) and the
 * environment minus UCCN_ENDPOINT, UCCN_SERVER_KEY and UCCN_KEY. Kill it
 * with SIGKILL after timeout_ms. Returns r->status. */
int h_run(h_run_t *r, char *const argv[], const char *input, int timeout_ms);
/* Free what r holds and zero it. */
void h_run_clear(h_run_t *r);
/* Print the command, its status and its output to stderr. */
void h_run_print(const h_run_t *r);

/* Fail the test unless the run exited with code; print the run first. */
#define h_assert_exit(r, code) \
	do { \
		if ((r)->status != (code)) \
			h_run_print(r); \
		assert_int_equal((r)->status, (code)); \
	} while (0)

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
/* True when uccnd is built with AddressSanitizer (its RSS then includes
 * ASan's quarantine of freed memory, 256 MB by default). */
bool h_daemon_asan(void);
/* Print the daemon's log to stderr. */
void h_daemon_print_log(const h_daemon_t *self);
/* Kill it if running, free it, set *self_p to NULL. */
void h_daemon_destroy(h_daemon_t **self_p);
/* A fresh temporary data directory and a daemon started on it: 0, or -1
 * with nothing left behind. */
int h_daemon_up(char **dir, h_daemon_t **d);
/* Stop the daemon and remove its directory; NULL-tolerant. */
void h_daemon_down(char **dir, h_daemon_t **d);

/* ---- the CLI ---- */

/* Hard deadline for one uccn run. */
#define H_UCCN_TIMEOUT_MS 30000

/* Run uccn. When d is set, `--endpoint E --server-key DIR/server.pub` come
 * first, and `--key KEY` when key is set; then the NULL-terminated
 * arguments. input as in h_run. Returns r->status. */
int h_uccn(h_run_t *r, const h_daemon_t *d, const char *key, const char *input,
	   ...) __attribute__((sentinel));
int h_uccnv(h_run_t *r, const h_daemon_t *d, const char *key,
	    const char *input, char *const args[]);
/* Write a new key pair to path with `uccn keygen -o`; its public key (the
 * printed line) goes to pub. Returns 0, or -1 after printing the run. */
int h_keygen(const char *path, char pub[UCCN_KEY_Z85_LEN + 1]);
/* Make a key pair DIR/<id>.key (path to keyfile, PATH_MAX bytes) and
 * register it as a member city of field literature, as the coordinator.
 * Returns 0, or -1 after printing the failed run. */
int h_city_register(const h_daemon_t *d, const char *id, const char *name,
		    char *keyfile);

/* ---- ZeroMQ ---- */

/* A DEALER socket of ctx with CURVE keys from keyfile, connected to d,
 * linger 0, send timeout 5 s. NULL on failure. */
void *h_dealer_new(void *ctx, const h_daemon_t *d, const char *keyfile);
/* The same from keys in hand (Z85) and an endpoint. */
void *h_dealer_keys(void *ctx, const char *endpoint, const char *server_pub,
		    const char *pub, const char *sec);
/* A copy of the environment without UCCN_ENDPOINT, UCCN_SERVER_KEY and
 * UCCN_KEY (so a child takes only what it is told); free() the array. */
char **h_clean_environ(void);
/* fork and exec argv (argv[0] a path, or a name looked up on PATH) in that
 * environment, with stdin, stdout and stderr on in, out and err (-1 for
 * /dev/null); the child dies with the calling process. The pid, or -1. */
pid_t h_spawn(char *const argv[], int in, int out, int err);

/* ---- JSON, enough to read the CLI's --json output ---- */

typedef enum {
	H_JSON_NULL, H_JSON_BOOL, H_JSON_NUMBER, H_JSON_STRING,
	H_JSON_ARRAY, H_JSON_OBJECT,
} h_json_type_t;

typedef struct h_json h_json_t;

/* Parse one JSON value (surrounding whitespace allowed). NULL on a syntax
 * error. */
h_json_t *h_json_parse(const char *text);
void h_json_destroy(h_json_t **self_p);
/* Accessors accept NULL and return NULL/0/false for a missing value, so
 * they chain: h_json_str(h_json_get(h_json_at(a, 0), "city")). */
h_json_type_t h_json_type(const h_json_t *self); /* H_JSON_NULL for NULL */
size_t h_json_len(const h_json_t *self);         /* items of array/object */
const h_json_t *h_json_at(const h_json_t *self, size_t i);
const h_json_t *h_json_get(const h_json_t *self, const char *key);
const char *h_json_str(const h_json_t *self);    /* a string's value */
uint64_t h_json_u64(const h_json_t *self);       /* 0 unless a number */
bool h_json_bool(const h_json_t *self);
bool h_json_is_null(const h_json_t *self);       /* a JSON null (not NULL) */

#endif
