/*
 * writer.h - one writer of the torture: a child process that posts as its
 * city with the real uccn, one idempotency key after another, retrying a
 * key until uccn exits 0 with its seq, and appends "N SEQ" to its ack file
 * for each post so acknowledged; a post refused for good (the daemon no
 * longer knows its key) ends it. The driver pauses it (it finishes the key
 * in flight first), resumes it and stops it through a pipe.
 */
#ifndef UCCN_TORTURE_WRITER_H
#define UCCN_TORTURE_WRITER_H

#include <limits.h>
#include <sys/types.h>

#include "../harness/harness.h"

struct writer {
	pid_t pid;
	int ctl;                /* to the writer: 'p' pause, 'r' resume, 'q' quit */
	int rep;                /* from it: 'P' paused, 'F' gave up */
	char key[PATH_MAX];     /* its city's key pair */
	char acks[PATH_MAX];    /* its "N SEQ" lines */
};

/* Fork writer index, posting to d as the city whose key pair is w->key,
 * acks to w->acks. 0, or -1. */
int writer_start(struct writer *w, int index, const h_daemon_t *d);
/* Pause every writer and wait, up to timeout_ms, until each has its key in
 * flight acknowledged by d. 0, or -1 (why on stderr), at once when d has
 * exited. */
int writers_pause(struct writer *ws, int n, h_daemon_t *d, int timeout_ms);
void writers_resume(struct writer *ws, int n);
/* Quit and reap every writer. */
void writers_stop(struct writer *ws, int n);

#endif
