/*
 * client.h - uccn's connection to uccnd: a CURVE DEALER, one request and
 * its reply at a time, never waiting past the deadline.
 */
#ifndef UCCN_CLI_CLIENT_H
#define UCCN_CLI_CLIENT_H

#include <stddef.h>

#include "smallfile.h" /* read_small_file, for the commands */
#include "uccn_msg.h"

struct client_options {
	const char *endpoint;
	const char *server_key_file;  /* holds the server's public key, or is it (Z85) */
	const char *key_file;         /* holds this city's key pair */
	int timeout_ms;
};

struct client;

/* Read the key files and connect. Returns 0, UCCN_E_INVALID (a key file is
 * unreadable or malformed) or UCCN_E_IO, with a reason in err. */
int client_open(struct client **out, const struct client_options *o,
		char *err, size_t errlen);
void client_destroy(struct client **c);
/* A flag a signal handler sets: client_call then gives up its wait
 * (UCCN_E_TIMEOUT, "interrupted") instead of resuming it. */
#include <signal.h>
void client_set_stop(struct client *c, volatile sig_atomic_t *stop);
/* How long client_call waits from now on. */
void client_set_timeout(struct client *c, int timeout_ms);

/*
 * Send req and wait for its reply. Returns 0 when a reply arrived (which
 * may itself be an error reply: see rep->status), UCCN_E_TIMEOUT when none
 * came in time, UCCN_E_AUTH when the server refused our key, or
 * UCCN_E_INVALID when the reply could not be decoded; with a reason in err.
 */
int client_call(struct client *c, struct uccn_request *req,
		struct uccn_reply *rep, char *err, size_t errlen);

/* The server's and our own public keys (Z85), for fingerprints. */
const char *client_server_key(const struct client *c);
const char *client_own_key(const struct client *c);

/* A plain TCP connect to a tcp:// endpoint's host and port, waiting at
 * most wait_ms: UCCN_E_TIMEOUT with "nothing is listening at ..." in err
 * when it is refused, else 0 (listening, silent, or not a tcp endpoint),
 * so the caller goes on and lets its own deadline apply. */
int client_probe(const char *endpoint, int wait_ms, char *err, size_t errlen);

#endif
