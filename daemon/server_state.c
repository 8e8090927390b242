/*
 * server_state.c - what `uccn status` shows an operator (SPEC 4.1,
 * server_state): the database's size and directory, connections, commit
 * latencies and batch sizes, mailbox depths, refusals and drops. Each
 * figure is kept as it happens or read in O(1), but for one pass over the
 * mailbox heads, so status may be polled.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "committer.h"
#include "server_int.h"
#include "uccn_error.h"

/* Seconds from then_ms to now, 0 for a time not yet come (a clock set
 * back). */
static uint64_t age_s(int64_t then_ms)
{
	int64_t now_ms = (int64_t)time(NULL) * 1000;
	return now_ms > then_ms ? (uint64_t)(now_ms - then_ms) / 1000 : 0;
}

int server_fill_state(struct server *s, struct uccn_txn *t, struct uccn_reply *rep)
{
	struct uccn_server_state *st = &rep->info.state;
	struct uccn_store_stats db;
	struct uccn_store_mailbox_stats mb;
	const char *dir = NULL;
	int rc;
	if ((rc = uccn_store_stats(t, &db)) || (rc = uccn_store_mailbox_stats(t, &mb)) ||
	    (rc = uccn_store_file_stats(s->store, &dir, &st->data_bytes))) {
		server_reply_error(rep, rc, "cannot read the store's figures: %s",
				   uccn_strerror(rc));
		return rc;
	}
	rep->info.has_state = true;
	st->map_bytes = db.map_bytes;
	st->map_used_bytes = db.used_bytes;
	st->peers = metrics_peers(&s->metrics);
	committer_latency(s->committer, &st->commit_p50_us, &st->commit_p99_us);
	st->batches = s->batches;
	st->writes = s->writes;
	st->batch_avg_x100 = s->batches ? s->writes * 100 / s->batches : 0;
	st->mailbox_total = mb.total;
	st->mailbox_max = mb.deepest;
	st->oldest_unread_s = mb.oldest_seq ? age_s(mb.oldest_created_ms) : 0;
	st->refusals = s->metrics.refusals;
	st->drops = s->metrics.drops;
	if (!(st->data_dir = strdup(dir ? dir : "")) ||
	    !(st->server_key_fingerprint = strdup(s->fingerprint)) ||
	    (mb.deepest_city[0] && !(st->mailbox_max_city = strdup(mb.deepest_city)))) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return UCCN_E_NOMEM;
	}
	return 0;
}
