/*
 * client.h - talking to the daemon as a client does: the real `uccn` run
 * to completion, key pairs and member cities made through it, and CURVE
 * DEALER sockets for tests that speak the protocol themselves.
 */
#ifndef UCCN_HARNESS_CLIENT_H
#define UCCN_HARNESS_CLIENT_H

#include "daemon.h"
#include "proc.h"
#include "uccn_limits.h"
#include "uccn_msg.h"

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

/* How long a test waits for a reply that must come: generous, for a
 * loaded machine; a reply that comes ends the wait at once. */
#define H_REPLY_MS 30000

/* A DEALER socket of ctx with CURVE keys from keyfile, connected to d,
 * linger 0, send timeout 5 s. NULL on failure. */
void *h_dealer_new(void *ctx, const h_daemon_t *d, const char *keyfile);
/* The same from keys in hand (Z85) and an endpoint. */
void *h_dealer_keys(void *ctx, const char *endpoint, const char *server_pub,
		    const char *pub, const char *sec);
/* A DEALER like h_dealer_new's that takes in as little as it can (a
 * receive high-water mark of 1, a 4 KiB kernel buffer), for a peer that
 * reads nothing: what it is sent backs up in the daemon. */
void *h_dealer_stalled(void *ctx, const h_daemon_t *d, const char *keyfile);
/* Encode rq and send it on DEALER s: 0, or -1. */
int h_request_send(void *s, const struct uccn_request *rq);
/* Wait up to ms for one reply on s and decode it as op's into out (the
 * caller clears it with uccn_reply_clear): 1, 0 on timeout, or -1 when it
 * does not decode (the reason in err). */
int h_reply_recv(void *s, int ms, enum uccn_op op, struct uccn_reply *out, char *err,
		 size_t errlen);
/* End ctx. A test that failed part-way leaves its sockets open, and
 * zmq_ctx_term would wait for them for ever, so the wait is 2 s; past it
 * the context is left to the process's exit, and a note says so. */
void h_ctx_term(void *ctx);

#endif
