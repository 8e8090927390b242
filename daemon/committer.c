/*
 * committer.c - the commit thread: takes the forming batch whenever it is
 * free, commits it durably, and hands it back in order through a list and
 * an eventfd. One mutex guards it all.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "committer.h"
#include "metrics.h"
#include "uccn_error.h"

struct committer {
	struct uccn_store *store;
	uccn_write_fn apply;
	size_t item_size, max_items;
	pthread_t thread;
	int efd;
	pthread_mutex_t mu;
	pthread_cond_t work;   /* the thread waits here */
	pthread_cond_t room;   /* the loop waits here */
	/* Under mu. */
	struct committer_batch *forming;     /* the loop appends here */
	struct committer_batch *retry;       /* after UCCN_E_MAPFULL */
	struct committer_batch *done, *done_tail; /* finished, in order */
	struct committer_batch *spare;       /* free batches */
	bool committing, paused, stop;
	uint64_t commits, commit_ns, slowest_ns; /* for committer_stats */
	struct latency_ring latency;         /* for committer_latency */
};

/* Under mu: one more commit, which took ns. */
static void count_commit(struct committer *c, uint64_t ns)
{
	c->commits++;
	c->commit_ns += ns;
	if (ns > c->slowest_ns)
		c->slowest_ns = ns;
	metrics_ring_add(&c->latency, ns);
}

static struct committer_batch *batch_new(const struct committer *c)
{
	struct committer_batch *b = calloc(1, sizeof *b);
	if (b && !(b->items = calloc(c->max_items, c->item_size))) {
		free(b);
		b = NULL;
	}
	return b;
}

static void batch_free(struct committer_batch *b)
{
	if (b) {
		free(b->items);
		free(b);
	}
}

/* A free batch, or NULL when none can be had (out of memory). */
static struct committer_batch *take_spare(struct committer *c)
{
	struct committer_batch *b = c->spare;
	if (b) {
		c->spare = b->next;
		b->next = NULL;
		return b;
	}
	return batch_new(c);
}

/* Under mu: hand b back to the loop. */
static void finish(struct committer *c, struct committer_batch *b)
{
	b->next = NULL;
	if (c->done_tail)
		c->done_tail->next = b;
	else
		c->done = b;
	c->done_tail = b;
	uint64_t one = 1;
	while (write(c->efd, &one, sizeof one) < 0 && errno == EINTR)
		;
	pthread_cond_broadcast(&c->room);
}

static void *run(void *arg)
{
	struct committer *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		struct committer_batch *b = NULL;
		while (!b) {
			if (c->retry) {
				b = c->retry;
				c->retry = NULL;
				c->paused = false;
			} else if (!c->paused && !c->committing && c->forming->n > 0) {
				/* Take everything that formed (unless the loop has
				 * claimed the store for a lone write); the loop goes on
				 * filling a fresh batch. */
				struct committer_batch *fresh = take_spare(c);
				if (fresh) {
					b = c->forming;
					c->forming = fresh;
					pthread_cond_broadcast(&c->room);
				} else {
					/* Out of memory: a release may bring a spare;
					 * else try to allocate again shortly. */
					struct timespec ts;
					clock_gettime(CLOCK_REALTIME, &ts);
					ts.tv_nsec += 10 * 1000000;
					if (ts.tv_nsec >= 1000000000) {
						ts.tv_sec++;
						ts.tv_nsec -= 1000000000;
					}
					pthread_cond_timedwait(&c->work, &c->mu, &ts);
				}
			} else if (c->stop) {
				pthread_mutex_unlock(&c->mu);
				return NULL;
			} else {
				pthread_cond_wait(&c->work, &c->mu);
			}
		}
		c->committing = true;
		pthread_mutex_unlock(&c->mu);
		int64_t t0 = clock_mono_ns();
		int rc = uccn_store_write_once(c->store, c->apply, b);
		pthread_mutex_lock(&c->mu);
		c->committing = false;
		count_commit(c, (uint64_t)(clock_mono_ns() - t0));
		/* A failed batch may have left the store needing the loop's
		 * repair (growing the map, opening it again): take nothing
		 * more until the loop resumes us. */
		if (rc)
			c->paused = true;
		b->rc = rc;
		/* The store's reason is this thread's: copy it for the loop. */
		snprintf(b->err, sizeof b->err, "%s", rc ? uccn_store_last_error(c->store) : "");
		finish(c, b);
	}
}

int committer_new(struct committer **out, struct uccn_store *store, uccn_write_fn apply,
		  size_t item_size, size_t max_items, char *err, size_t errlen)
{
	struct committer *c = calloc(1, sizeof *c);
	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return UCCN_E_NOMEM;
	}
	c->store = store;
	c->apply = apply;
	c->item_size = item_size;
	c->max_items = max_items;
	/* Two batches from the start: the one forming and one to swap in,
	 * so the first hand-over cannot fail for memory. */
	if (!(c->forming = batch_new(c)) || !(c->spare = batch_new(c))) {
		batch_free(c->forming);
		free(c);
		snprintf(err, errlen, "out of memory");
		return UCCN_E_NOMEM;
	}
	c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		batch_free(c->forming);
		free(c);
		return UCCN_E_IO;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->work, NULL);
	pthread_cond_init(&c->room, NULL);
	int rc = pthread_create(&c->thread, NULL, run, c);
	if (rc) {
		snprintf(err, errlen, "cannot start the commit thread: %s", strerror(rc));
		close(c->efd);
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->work);
		pthread_cond_destroy(&c->room);
		batch_free(c->forming);
		free(c);
		return UCCN_E_IO;
	}
	*out = c;
	return 0;
}

static void free_list(struct committer_batch *b)
{
	while (b) {
		struct committer_batch *next = b->next;
		batch_free(b);
		b = next;
	}
}

void committer_destroy(struct committer **cp)
{
	if (!cp || !*cp)
		return;
	struct committer *c = *cp;
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	c->paused = true; /* take nothing more */
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	close(c->efd);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->work);
	pthread_cond_destroy(&c->room);
	batch_free(c->forming);
	batch_free(c->retry);
	free_list(c->done);
	free_list(c->spare);
	free(c);
	*cp = NULL;
}

void committer_stats(struct committer *c, uint64_t *commits, double *mean_us, double *max_ms)
{
	pthread_mutex_lock(&c->mu);
	*commits = c->commits;
	*mean_us = c->commits ? (double)c->commit_ns / 1e3 / (double)c->commits : 0;
	*max_ms = (double)c->slowest_ns / 1e6;
	pthread_mutex_unlock(&c->mu);
}

void committer_latency(struct committer *c, uint64_t *p50_us, uint64_t *p99_us)
{
	/* Copied under the lock, sorted outside it: the commit thread never
	 * waits for a status. */
	struct latency_ring copy;
	pthread_mutex_lock(&c->mu);
	copy = c->latency;
	pthread_mutex_unlock(&c->mu);
	metrics_ring_percentiles(&copy, p50_us, p99_us);
}

int committer_fd(const struct committer *c)
{
	return c->efd;
}

int committer_append(struct committer *c, const void *item)
{
	pthread_mutex_lock(&c->mu);
	struct committer_batch *f = c->forming;
	if (f->n == c->max_items) {
		pthread_mutex_unlock(&c->mu);
		return UCCN_E_BUSY;
	}
	memcpy((char *)f->items + f->n * c->item_size, item, c->item_size);
	if (f->n++ == 0)
		pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
	return 0;
}

void committer_wait(struct committer *c)
{
	pthread_mutex_lock(&c->mu);
	while (c->forming->n == c->max_items && !c->done)
		pthread_cond_wait(&c->room, &c->mu);
	pthread_mutex_unlock(&c->mu);
}

struct committer_batch *committer_pop(struct committer *c)
{
	/* Clear the signal first: a batch finished after this read signals
	 * again, so none is left unseen. */
	uint64_t n;
	(void)!read(c->efd, &n, sizeof n);
	pthread_mutex_lock(&c->mu);
	struct committer_batch *b = c->done;
	if (b) {
		c->done = b->next;
		if (!c->done)
			c->done_tail = NULL;
		b->next = NULL;
	}
	pthread_mutex_unlock(&c->mu);
	return b;
}

void committer_release(struct committer *c, struct committer_batch *b)
{
	if (!b)
		return;
	b->n = 0;
	b->rc = 0;
	b->err[0] = '\0';
	pthread_mutex_lock(&c->mu);
	b->next = c->spare;
	c->spare = b;
	pthread_cond_signal(&c->work); /* it may wait for a spare */
	pthread_mutex_unlock(&c->mu);
}

void committer_retry(struct committer *c, struct committer_batch *b)
{
	pthread_mutex_lock(&c->mu);
	b->rc = 0;
	b->err[0] = '\0';
	c->retry = b;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
}

void committer_resume(struct committer *c)
{
	pthread_mutex_lock(&c->mu);
	c->paused = false;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->mu);
}

bool committer_claim(struct committer *c)
{
	pthread_mutex_lock(&c->mu);
	bool free_now = c->forming->n == 0 && !c->committing && !c->retry && !c->done &&
			!c->paused && !c->stop;
	if (free_now)
		c->committing = true; /* the thread takes nothing meanwhile */
	pthread_mutex_unlock(&c->mu);
	return free_now;
}

void committer_unclaim(struct committer *c, uint64_t commit_ns)
{
	pthread_mutex_lock(&c->mu);
	c->committing = false;
	if (commit_ns)
		count_commit(c, commit_ns);
	/* Wake the thread only for what formed meanwhile: a wake-up for
	 * nothing costs the other core a context switch per lone write. */
	if (c->forming->n > 0)
		pthread_cond_signal(&c->work);
	pthread_cond_broadcast(&c->room);
	pthread_mutex_unlock(&c->mu);
}

/* Under mu. */
static bool idle_locked(const struct committer *c)
{
	return c->forming->n == 0 && !c->committing && !c->retry && !c->done;
}

bool committer_idle(struct committer *c)
{
	pthread_mutex_lock(&c->mu);
	bool idle = idle_locked(c);
	pthread_mutex_unlock(&c->mu);
	return idle;
}

void committer_wait_finished(struct committer *c)
{
	pthread_mutex_lock(&c->mu);
	while (!c->done && !idle_locked(c))
		pthread_cond_wait(&c->room, &c->mu);
	pthread_mutex_unlock(&c->mu);
}
