/*
 * ops_invite.c - invitations: city.invite makes a one-time secret and keeps
 * only its hash; city.enrol, the one request a key no city owns may send,
 * burns a valid invitation and gives its city the new key in the same
 * transaction. Every refusal of an enrolment reads the same to the client;
 * the log says which it was.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include <zmq.h>

#include "log.h"
#include "server_int.h"
#include "uccn_error.h"
#include "uccn_invite.h"

#define NOT_VALID "invitation not valid"

/* The server's public key is set once by server_invite_setup. The
 * endpoint an invitation names changes when a reload moves the listen
 * endpoint (the loop thread) while the commit thread writes invitations:
 * the lock keeps either from seeing half of it. */
static char advertised[UCCN_MAX_ENDPOINT + 1];
static pthread_mutex_t advertised_lock = PTHREAD_MUTEX_INITIALIZER;
static char server_public[UCCN_KEY_Z85_LEN + 1];

int server_invite_setup(const char *endpoint, const char *server_secret)
{
	if (sodium_init() < 0 || zmq_curve_public(server_public, server_secret) != 0)
		return UCCN_E_INTERNAL;
	server_invite_advertise(endpoint);
	return 0;
}

void server_invite_advertise(const char *endpoint)
{
	pthread_mutex_lock(&advertised_lock);
	snprintf(advertised, sizeof advertised, "%s", endpoint);
	pthread_mutex_unlock(&advertised_lock);
}

static void secret_hash(const unsigned char *secret, unsigned char hash[UCCN_STORE_INVITE_HASH])
{
	crypto_generichash(hash, UCCN_STORE_INVITE_HASH, secret, UCCN_INVITE_SECRET_LEN, NULL, 0);
}

bool server_guest_request(struct server *s, struct pending *p, const char *key)
{
	if (!server_guest_allow(s, p->peer)) {
		log_limited(LOG_WARN, LOG_KIND_GUEST,
			    "too many enrolment attempts from %s; refusing for now",
			    p->peer[0] ? p->peer : "an unknown peer");
		server_reply_error(&p->rep, UCCN_E_BUSY,
				   "too many enrolment attempts; wait a minute and try again");
		return false;
	}
	/* A key enrols itself: the one it proves it holds by connecting. */
	if (strcmp(p->req.city.key, key) != 0) {
		server_reply_error(&p->rep, UCCN_E_INVALID,
				   "field 'key': must be the key this connection uses");
		return false;
	}
	return true;
}

int server_apply_city_invite(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	unsigned char secret[UCCN_INVITE_SECRET_LEN], hash[UCCN_STORE_INVITE_HASH];
	char hex[UCCN_INVITE_SECRET_HEX + 1];
	struct uccn_invitation *inv = &p->rep.invite;
	int64_t expires_ms = now_ms + (int64_t)p->req.expires_s * 1000;
	/* Sweep what ran out while we are writing anyway. */
	int rc = uccn_store_invite_expire(t, now_ms, NULL);
	if (rc)
		return rc;
	randombytes_buf(secret, sizeof secret);
	secret_hash(secret, hash);
	if ((rc = uccn_store_invite_put(t, hash, p->req.name, expires_ms)))
		goto out;
	uccn_hex_encode(secret, sizeof secret, hex);
	char endpoint[sizeof advertised];
	pthread_mutex_lock(&advertised_lock);
	memcpy(endpoint, advertised, sizeof endpoint);
	pthread_mutex_unlock(&advertised_lock);
	if (uccn_str_set(&inv->city, p->req.name) || uccn_str_set(&inv->secret, hex) ||
	    uccn_str_set(&inv->server_key, server_public) ||
	    uccn_str_set(&inv->endpoint, endpoint)) {
		rc = UCCN_E_NOMEM;
		goto out;
	}
	inv->expires = expires_ms / 1000;
	log_msg(LOG_INFO, "city '%s' invited by '%s', valid for %u s", p->req.name, p->city,
		(unsigned)p->req.expires_s);
out:
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(hex, sizeof hex);
	return rc;
}

int server_apply_city_enrol(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	unsigned char secret[UCCN_INVITE_SECRET_LEN], hash[UCCN_STORE_INVITE_HASH];
	enum uccn_invite_verdict verdict = UCCN_INVITE_UNKNOWN;
	/* The request's check read the hex already. */
	if (uccn_hex_decode(p->req.secret, secret, sizeof secret))
		return UCCN_E_INVALID;
	secret_hash(secret, hash);
	sodium_memzero(secret, sizeof secret);
	int rc = uccn_store_txn_group_begin(t);
	if (rc)
		return rc;
	rc = uccn_store_invite_take(t, hash, p->req.city.id, now_ms, &verdict);
	if (!rc)
		rc = uccn_store_city_rekey(t, p->req.city.id, p->req.city.key, &p->rep.seq,
					   &p->rep.version);
	rc = uccn_store_txn_group_end(t, rc);
	if (rc == UCCN_E_DENIED) {
		/* The commit thread logs only enrolments that got past the
		 * loop's rate limit, so this is bounded too. */
		log_limited(LOG_WARN, LOG_KIND_REQUEST,
			    "refused an enrolment for city '%s': the invitation is %s",
			    p->req.city.id, uccn_store_invite_verdict_name(verdict));
		server_reply_error(&p->rep, rc, NOT_VALID);
	} else if (!rc) {
		log_msg(LOG_INFO, "city '%s' enrolled its new key with an invitation",
			p->req.city.id);
	}
	return rc;
}
