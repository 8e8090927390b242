/*
 * batch.c - group commit: writes are applied, a batch in one durable
 * transaction, on the commit thread (committer.h); only when it has
 * returned are their replies sent. A lone write skips the pipeline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

#include "clock.h"
#include "committer.h"
#include "log.h"
#include "server_int.h"
#include "uccn_error.h"

/* How long the replies sent before a stop for a lost database may take to
 * leave. */
#define STOP_LINGER_MS 2000

/* Runs on the commit thread: touches only its batch. */
int server_apply_batch(struct uccn_txn *t, void *ctx)
{
	struct committer_batch *b = ctx;
	struct pending *items = b->items;
	int64_t now = clock_wall_ms();
	for (size_t i = 0; i < b->n; i++) {
		struct pending *p = &items[i];
		struct uccn_reply *rep = &p->rep;
		const struct rule *r = server_rule_for(p->req.op);
		int rc;
		rep->status = 0;
		rep->duplicate = false;
		rep->error_index = 0;
		free(rep->message);
		rep->message = NULL;
		if ((rc = server_still_allowed(t, p, r))) {
			if (rc == UCCN_E_MAPFULL)
				return rc;
			rep->status = rc;
			if (rc == UCCN_E_DENIED)
				server_reply_error(rep, rc, "city '%s' lost its key or its right to %s "
						   "before the write was committed", p->city,
						   uccn_op_name(p->req.op));
			continue;
		}
		/* still_allowed has found r. */
		rc = r->apply ? r->apply(t, p, now) : UCCN_E_INTERNAL;
		if (rc == UCCN_E_MAPFULL)
			return rc;
		rep->status = rc;
		if (rc && uccn_store_txn_reason(t)[0]) {
			server_reply_error(rep, rc, "%s", uccn_store_txn_reason(t));
			rep->error_index = uccn_store_txn_reason_index(t);
		}
	}
	return 0;
}

static void explain_write_error(struct pending *p)
{
	const struct rule *r = server_rule_for(p->req.op);
	if (!r || !r->explain || !r->explain(p))
		server_reply_error(&p->rep, p->rep.status, "%s", uccn_strerror(p->rep.status));
}

/* Reply to every request of a finished batch. */
static void answer_batch(struct server *s, struct committer_batch *b, int rc)
{
	struct pending *items = b->items;
	struct uccn_txn *t = NULL; /* opened for a retried post only */
	for (size_t i = 0; i < b->n; i++) {
		struct pending *p = &items[i];
		if (rc) {
			server_reply_error(&p->rep, rc, "nothing was written: %s",
					   b->err[0] ? b->err : uccn_strerror(rc));
		} else if (p->rep.status && !p->rep.message) {
			explain_write_error(p);
		} else if (p->rep.duplicate && (t || uccn_store_read(s->store, &t) == 0)) {
			/* A retry: answer with the first post's time too. */
			struct uccn_post first = {0};
			if (uccn_store_post_get(t, p->rep.seq, &first) == 0)
				p->rep.created_ms = first.created_ms;
			uccn_post_clear(&first);
		}
		if (!rc && !p->rep.status) {
			const struct rule *r = server_rule_for(p->req.op);
			if (r && r->committed)
				r->committed(p);
		}
		server_send_reply(s, p);
		server_pending_clear(p);
	}
	uccn_store_txn_end(&t);
	if (rc) {
		log_limited(LOG_ERROR, LOG_KIND_BATCH, "a batch of %zu writes failed: %s (%s)",
			    b->n, uccn_strerror(rc), b->err);
	} else {
		log_msg(LOG_DEBUG, "committed a batch of %zu writes", b->n);
		s->batches++;
		s->writes += b->n;
		s->last_batch = b->n;
	}
}

/* A write that failed as a whole, nothing of it written (err says why):
 * repair the store, which a failed growth or commit may have left without
 * its map or refused by LMDB, and find what to tell the writers (a full
 * disk is full, naming it). Called with no transaction open. When the
 * store is lost for good, uccnd stops: it could only fail from then on. */
static int after_failed_write(struct server *s, int rc, char *err, size_t errlen)
{
	rc = uccn_store_recover(s->store, rc, err, errlen);
	if (!uccn_store_usable(s->store)) {
		log_msg(LOG_ERROR, "the database is lost, stopping: %s", err);
		/* The replies of this stop still go out: the ROUTER, closed
		 * with linger 0 otherwise, waits for them a moment. */
		int linger = STOP_LINGER_MS;
		zmq_setsockopt(s->router, ZMQ_LINGER, &linger, sizeof linger);
		loop_stop(s->loop);
	}
	return rc;
}

/* Take the batches the commit thread has finished, in order: answer them
 * (a batch that filled the map is committed again once the map has grown,
 * here, between events, with no transaction of ours open), then wake the
 * watchers. */
void server_take_finished(struct server *s)
{
	struct committer_batch *b;
	bool any = false;
	while ((b = committer_pop(s->committer))) {
		int rc = b->rc;
		if (rc == UCCN_E_MAPFULL) {
			if ((rc = uccn_store_grow(s->store)) == 0) {
				log_msg(LOG_INFO, "the database map grew; committing the batch again");
				committer_retry(s->committer, b);
				continue;
			}
			snprintf(b->err, sizeof b->err, "%s", uccn_store_last_error(s->store));
		}
		if (rc) {
			rc = after_failed_write(s, rc, b->err, sizeof b->err);
			committer_resume(s->committer);
		}
		answer_batch(s, b, rc);
		committer_release(s->committer, b);
		any = true;
	}
	if (any)
		server_serve_watchers(s);
}

/* A lone write is committed here and answered at once: a batch of one
 * gains nothing from the pipeline but two hand-offs between threads. Lone
 * means the last batch held one write, nothing else is arriving, and the
 * commit thread is idle. Returns false when the write must go through the
 * batch. */
static bool commit_alone(struct server *s, struct pending *p)
{
	int events = 0;
	size_t len = sizeof events;
	if (s->last_batch > 1 ||
	    zmq_getsockopt(s->router, ZMQ_EVENTS, &events, &len) != 0 || (events & ZMQ_POLLIN) ||
	    !committer_claim(s->committer))
		return false;
	struct committer_batch b = {.items = p, .n = 1};
	int rc;
	int64_t t0 = clock_mono_ns();
	/* No transaction of ours is open here: the map may grow. */
	while ((rc = uccn_store_write_once(s->store, server_apply_batch, &b)) == UCCN_E_MAPFULL &&
	       (rc = uccn_store_grow(s->store)) == 0)
		log_msg(LOG_INFO, "the database map grew; committing the write again");
	int64_t took = clock_mono_ns() - t0;
	if (rc) {
		snprintf(b.err, sizeof b.err, "%s", uccn_store_last_error(s->store));
		rc = after_failed_write(s, rc, b.err, sizeof b.err);
	}
	committer_unclaim(s->committer, (uint64_t)took);
	answer_batch(s, &b, rc);
	server_serve_watchers(s);
	return true;
}

void server_queue_write(struct server *s, struct pending *p)
{
	if (commit_alone(s, p))
		return;
	/* Into the forming batch. When it is full, wait for the commit thread
	 * to take it, answering what it finishes meanwhile. */
	while (committer_append(s->committer, p) != 0) {
		committer_wait(s->committer);
		server_take_finished(s);
	}
}

/* The commit thread's signal: a batch is finished. */
void server_on_committed(void *ctx)
{
	server_take_finished(ctx);
}

/* The loop's before-sleep hook: held watches whose wait ran out are
 * answered. (Writes need nothing here: the commit thread takes the forming
 * batch as soon as it is free.) */
void server_before_sleep(void *ctx)
{
	server_serve_watchers(ctx);
	/* The loop wakes at least every 250 ms: a count of left-out lines
	 * is written within about a second of the flood ending. */
	log_flush_idle();
	server_backup_sweep();
}
