/*
 * server.c - the broker's lifetime: build it (commit thread, ZAP handler,
 * ROUTER, hooks in the loop) and take it down once every write is answered;
 * and the two helpers every room of it uses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "committer.h"
#include "log.h"
#include "server_int.h"
#include "uccn_error.h"

void server_reply_error(struct uccn_reply *rep, int code, const char *fmt, ...)
{
	char buf[UCCN_MAX_MESSAGE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(rep->message);
	rep->status = code;
	rep->message = strdup(buf);
}

void server_pending_clear(struct pending *p)
{
	uccn_request_clear(&p->req);
	uccn_reply_clear(&p->rep);
}

int server_new(struct server **out, void *zmq_ctx, struct loop *loop,
	       struct uccn_store *store, const struct server_options *opt,
	       char *err, size_t errlen)
{
	struct server *s = calloc(1, sizeof *s);
	*out = NULL;
	if (!s || !(s->scratch = calloc(1, sizeof *s->scratch)) ||
	    !(s->watchers = calloc(SERVER_MAX_WATCHERS, sizeof *s->watchers))) {
		if (s)
			free(s->scratch);
		free(s);
		snprintf(err, errlen, "out of memory");
		return UCCN_E_NOMEM;
	}
	s->store = store;
	s->loop = loop;
	s->inflow.timer = -1;
	s->started = time(NULL);
	char public[UCCN_KEY_Z85_LEN + 1];
	if (server_invite_setup(opt->endpoint, opt->secret) ||
	    zmq_curve_public(public, opt->secret) != 0 ||
	    uccn_key_fingerprint(public, s->fingerprint, sizeof s->fingerprint)) {
		free(s->scratch);
		free(s->watchers);
		free(s);
		snprintf(err, errlen, "cannot set up invitations (libsodium or the server key)");
		return UCCN_E_INTERNAL;
	}
	if (committer_new(&s->committer, store, server_apply_batch, sizeof(struct pending),
			  SERVER_MAX_BATCH, err, errlen))
		goto fail;
	/* The ZAP handler must be bound before the ROUTER accepts anyone:
	 * without one, libzmq lets every CURVE client in. */
	if (server_zap_open(s, zmq_ctx, err, errlen) ||
	    server_router_open(s, zmq_ctx, opt, err, errlen))
		goto fail;
	if (loop_add(loop, s->zap, 0, server_on_zap, s) ||
	    loop_add(loop, s->router, 0, server_on_router, s) ||
	    loop_add(loop, s->monitor, 0, server_on_peers, s) ||
	    loop_add(loop, NULL, committer_fd(s->committer), server_on_committed, s)) {
		snprintf(err, errlen, "event loop full");
		goto fail;
	}
	if (server_inflow_open(s, err, errlen))
		goto fail;
	loop_before_sleep(loop, server_before_sleep, s);
	/* Wake at least this often to end held watches whose wait ran out. */
	loop_set_timeout(loop, 250);
	*out = s;
	return 0;
fail:
	server_destroy(&s);
	return UCCN_E_IO;
}

void server_destroy(struct server **sp)
{
	if (!sp || !*sp)
		return;
	struct server *s = *sp;
	/* Every write received is committed and answered before the end. */
	while (s->committer && !committer_idle(s->committer)) {
		committer_wait_finished(s->committer);
		server_take_finished(s);
	}
	uint64_t commits = 0;
	double mean_us = 0, max_ms = 0;
	if (s->committer)
		committer_stats(s->committer, &commits, &mean_us, &max_ms);
	committer_destroy(&s->committer);
	if (s->batches)
		log_msg(LOG_INFO, "committed %llu writes in %llu durable transactions "
			"(%.1f writes and %.0f us each; the slowest took %.1f ms)",
			(unsigned long long)s->writes, (unsigned long long)s->batches,
			(double)s->writes / (double)s->batches, mean_us, max_ms);
	server_peers_close(s);
	if (s->router)
		zmq_close(s->router);
	server_inflow_close(s);
	if (s->zap)
		zmq_close(s->zap);
	free(s->scratch);
	for (size_t i = 0; s->watchers && i < SERVER_MAX_WATCHERS; i++)
		if (s->watchers[i].used)
			server_pending_clear(&s->watchers[i].p);
	free(s->watchers);
	server_credit_free(s);
	server_import_stage_free();
	server_backup_free();
	free(s);
	*sp = NULL;
}
