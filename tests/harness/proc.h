/*
 * proc.h - child processes for the harness: where the binaries are, a
 * monotonic clock, spawning a program that dies with the test, running one
 * to completion under a deadline with its output captured, reading files.
 */
#ifndef UCCN_HARNESS_PROC_H
#define UCCN_HARNESS_PROC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

/* ---- setup ---- */

/* Use dir for the binaries instead of $UCCN_BIN. The string is kept. */
void h_set_bin_dir(const char *dir);
/* The directory holding uccnd and uccn. */
const char *h_bin_dir(void);
/* Milliseconds of CLOCK_MONOTONIC. */
int64_t h_now_ms(void);

/* ---- files ---- */

/* The whole file, NUL-terminated, malloc'd; its length in *len (may be
 * NULL). NULL when it cannot be read. */
char *h_read_file(const char *path, size_t *len);

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

/* ---- spawning ---- */

/* A copy of the environment without UCCN_ENDPOINT, UCCN_SERVER_KEY,
 * UCCN_KEY and UCCND_CONF (so a child takes only what it is told); free()
 * the array. */
char **h_clean_environ(void);
/* fork and exec argv (argv[0] a path, or a name looked up on PATH) in that
 * environment, with stdin, stdout and stderr on in, out and err (-1 for
 * /dev/null); the child dies with the calling process. The pid, or -1. */
pid_t h_spawn(char *const argv[], int in, int out, int err);

#endif
