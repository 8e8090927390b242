/*
 * server.h - uccnd's broker: the CURVE ROUTER socket, the ZAP handler that
 * maps a client's public key to a registered city, request dispatch with
 * deny-by-default authorization, and group commit (pipelined through the
 * commit thread of committer.h).
 */
#ifndef UCCND_SERVER_H
#define UCCND_SERVER_H

#include "loop.h"
#include "uccn_limits.h"
#include "uccn_store.h"

struct server;

/* Requests gathered into one durable transaction at most. */
#define SERVER_MAX_BATCH 256
/* Watch requests held at once, waiting for news. */
#define SERVER_MAX_WATCHERS 4096

struct server_options {
	const char *endpoint;  /* where the ROUTER binds */
	const char *secret;    /* the server's Z85 secret key */
};

/*
 * Bind the ZAP handler and the ROUTER on ctx and register both with loop.
 * The store is borrowed and must outlive the server. Returns 0 or a
 * negative code with a reason in err.
 */
int server_new(struct server **out, void *zmq_ctx, struct loop *loop,
	       struct uccn_store *store, const struct server_options *opt,
	       char *err, size_t errlen);

/* Listen on endpoint instead (a reload): bound before the old one is let
 * go, so a failure leaves the server where it was. Connections already
 * open stay. 0, or UCCN_E_IO with the reason in err. */
int server_rebind(struct server *s, const char *endpoint, char *err, size_t errlen);

/* Flush pending writes, close the sockets, free; NULL-tolerant. */
void server_destroy(struct server **s);

#endif
