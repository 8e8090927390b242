/*
 * zap.c - the ZAP handler (RFC 27): a CURVE client gets in if its public
 * key belongs to a registered city, or, only while some invitation is
 * pending and within the guests' rate limit, as a guest that may do
 * nothing but enrol. The key goes to the ROUTER as the connection's
 * User-Id. Each request looks the key up again (dispatch.c), so a city
 * whose key was replaced or removed loses access at once.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "clock.h"
#include "log.h"
#include "server_int.h"
#include "uccn_error.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_FRAMES 7

int server_zap_open(struct server *s, void *zmq_ctx, char *err, size_t errlen)
{
	int linger = 0;
	s->zap = zmq_socket(zmq_ctx, ZMQ_REP);
	if (!s->zap || zmq_setsockopt(s->zap, ZMQ_LINGER, &linger, sizeof linger) ||
	    zmq_bind(s->zap, ZAP_ENDPOINT) != 0) {
		snprintf(err, errlen, "ZAP handler: %s", zmq_strerror(errno));
		return UCCN_E_IO;
	}
	return 0;
}

/* Are invitations waiting to be used? Without one, a key no city owns has
 * nothing to do here and is refused at the handshake, as it always was. */
static bool invitations_pending(struct uccn_txn *t)
{
	uint64_t n = 0;
	return uccn_store_invite_pending(t, clock_wall_ms(), &n) == 0 && n > 0;
}

void server_on_zap(void *ctx)
{
	struct server *s = ctx;
	for (int round = 0; round < 64; round++) {
		zmq_msg_t f[ZAP_FRAMES + 1];
		int n = 0;
		bool more = true;
		while (more) {
			zmq_msg_t m;
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, s->zap, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&m);
				if (n == 0)
					return;
				break;
			}
			more = zmq_msg_more(&m);
			if (n < ZAP_FRAMES + 1)
				f[n++] = m;
			else
				zmq_msg_close(&m);
		}
		const char *status = "400", *text = "malformed request";
		char key[UCCN_KEY_Z85_LEN + 1] = "", city[UCCN_MAX_ID + 1] = "";
		if (n == ZAP_FRAMES && zmq_msg_size(&f[5]) == 5 &&
		    memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 &&
		    zmq_msg_size(&f[6]) == 32 &&
		    zmq_z85_encode(key, zmq_msg_data(&f[6]), 32)) {
			struct uccn_txn *t = NULL;
			char peer[PEER_ADDRESS_MAX];
			bool guest = false;
			snprintf(peer, sizeof peer, "%.*s", (int)zmq_msg_size(&f[3]),
				 (const char *)zmq_msg_data(&f[3]));
			text = "key not registered";
			if (uccn_store_read(s->store, &t) == 0) {
				if (uccn_store_city_by_key(t, key, city) == 0)
					status = "200";
				else if (invitations_pending(t) && server_guest_allow(s, peer))
					status = "200", guest = true;
			}
			uccn_store_txn_end(&t);
			if (status[0] == '2')
				text = "OK";
			if (status[0] == '2' && !guest)
				log_msg(LOG_DEBUG, "city '%s' connected", city);
			else if (guest)
				log_limited(LOG_INFO, LOG_KIND_GUEST,
					    "let in, to enrol only, an unregistered key %s from %s", key, peer);
			else
				log_limited(LOG_WARN, LOG_KIND_HANDSHAKE,
					    "refused an unregistered key %s from %s", key, peer);
		}
		/* Reply: version, request id, status code and text, user id, metadata. */
		const char *user = status[0] == '2' ? key : "";
		if (n >= 2) {
			zmq_send(s->zap, "1.0", 3, ZMQ_SNDMORE);
			zmq_send(s->zap, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), ZMQ_SNDMORE);
			zmq_send(s->zap, status, 3, ZMQ_SNDMORE);
			zmq_send(s->zap, text, strlen(text), ZMQ_SNDMORE);
			zmq_send(s->zap, user, strlen(user), ZMQ_SNDMORE);
			zmq_send(s->zap, "", 0, 0);
		}
		for (int i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
	}
}
