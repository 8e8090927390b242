/*
 * committer.h - pipelined group commit: a thread that commits batches of
 * writes while the event loop keeps gathering the next batch.
 *
 * The loop appends each write to the forming batch. Whenever the thread is
 * free it takes the whole forming batch and commits it in one durable
 * transaction (LMDB's commit returns once data and meta page are flushed);
 * meanwhile the loop reads, checks and appends the requests that arrive,
 * so the next batch forms while this one syncs, and grows with the load.
 * The finished batch goes back to the loop, which only then sends its
 * replies. (A lone write skips all this: see committer_claim.)
 *
 * Batches finish in the order they were taken. The map is never grown on
 * the thread: growing needs every transaction of the process ended, and
 * the loop's readers run meanwhile. A batch that fills the map finishes
 * with UCCN_E_MAPFULL and the thread pauses; the loop grows the map
 * between events and hands the batch back with committer_retry(). Any
 * other failed batch pauses the thread too, so the loop can repair the
 * store (uccn_store_recover: a full disk, an environment LMDB gave up on)
 * with no transaction open, and then calls committer_resume().
 */
#ifndef UCCND_COMMITTER_H
#define UCCND_COMMITTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uccn_store.h"

struct committer;

/* A batch: items are the server's, copied in by committer_append. */
struct committer_batch {
	void *items;
	size_t n;
	int rc;       /* when finished: 0 (durable), UCCN_E_MAPFULL, or the
		       * store's error (nothing of it was written; the thread
		       * pauses until committer_resume) */
	char err[200];/* and then the store's reason, "" when none */
	struct committer_batch *next; /* the committer's lists */
};

/*
 * Start the thread. apply(t, batch) runs each batch's writes (ctx is the
 * struct committer_batch); batches hold up to max_items items of
 * item_size bytes. Returns 0, or UCCN_E_NOMEM/UCCN_E_IO with err set.
 */
int committer_new(struct committer **out, struct uccn_store *store, uccn_write_fn apply,
		  size_t item_size, size_t max_items, char *err, size_t errlen);
/* Stop the thread and free every batch; first call committer_idle() until
 * true, taking what finishes. NULL-tolerant. */
void committer_destroy(struct committer **c);

/* Transactions run so far, their mean time from begin to durable, and the
 * slowest one's. */
void committer_stats(struct committer *c, uint64_t *commits, double *mean_us, double *max_ms);

/* The median and 99th percentile of the newest commits' durations, begin
 * to durable, in microseconds (metrics.h); 0 before the first. */
void committer_latency(struct committer *c, uint64_t *p50_us, uint64_t *p99_us);

/* Readable (an eventfd) when a batch has finished. */
int committer_fd(const struct committer *c);

/* Copy item (item_size bytes) into the forming batch: 0, or UCCN_E_BUSY
 * when the batch is full (wait with committer_wait, take what finished,
 * and try again). */
int committer_append(struct committer *c, const void *item);
/* Block until the forming batch has room or a batch has finished. */
void committer_wait(struct committer *c);
/* The next finished batch, in order, or NULL. Give it back with
 * committer_release once its replies are sent. */
struct committer_batch *committer_pop(struct committer *c);
void committer_release(struct committer *c, struct committer_batch *b);
/* Commit a batch that finished with UCCN_E_MAPFULL again, before any
 * other, and resume. */
void committer_retry(struct committer *c, struct committer_batch *b);
/* Or, after any other failure or when the map cannot grow, give up on
 * that batch and resume. */
void committer_resume(struct committer *c);
/*
 * A lone write needs no pipeline: when nothing is forming, committing or
 * waiting to be answered, committer_claim() returns true and the thread
 * takes nothing until committer_unclaim(); meanwhile the caller may write
 * to the store itself (uccn_store_write_once), which spares the write two
 * hand-offs between threads, and tells how long it took (for the stats; 0
 * when it did not commit). False: append as usual.
 */
bool committer_claim(struct committer *c);
void committer_unclaim(struct committer *c, uint64_t commit_ns);

/* Nothing forming, committing, held or finished and not yet taken. */
bool committer_idle(struct committer *c);
/* Block until a batch has finished or the committer is idle. */
void committer_wait_finished(struct committer *c);

#endif
