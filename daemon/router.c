/*
 * router.c - the CURVE ROUTER: requests in, one frame each (after the empty
 * delimiter of a REQ client), and replies out, never blocking the loop on
 * one slow or vanished client.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "log.h"
#include "server_int.h"
#include "uccn_error.h"

#define ZAP_DOMAIN "uccn"
/* "\x07MESSAGE" (8), the short nonce (8), the box's MAC (16), flags (1). */
#define CURVE_FRAME_OVERHEAD 33

static int set_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof v);
}

int server_router_open(struct server *s, void *zmq_ctx, const struct server_options *opt,
		       char *err, size_t errlen)
{
	/* libzmq checks ZMQ_MAXMSGSIZE against the CURVE MESSAGE command, which
	 * wraps a frame in exactly CURVE_FRAME_OVERHEAD bytes. With that and no
	 * slack, a request of UCCN_MAX_REQUEST_FRAME bytes gets in and every
	 * larger one drops the connection, as SPEC section 2 says; slack would
	 * answer a band of sizes too_big instead and make two rules of one. */
	int64_t maxmsg = UCCN_MAX_REQUEST_FRAME + CURVE_FRAME_OVERHEAD;
	s->router = zmq_socket(zmq_ctx, ZMQ_ROUTER);
	if (!s->router ||
	    set_int(s->router, ZMQ_CURVE_SERVER, 1) ||
	    zmq_setsockopt(s->router, ZMQ_CURVE_SECRETKEY, opt->secret, UCCN_KEY_Z85_LEN) ||
	    zmq_setsockopt(s->router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen(ZAP_DOMAIN)) ||
	    zmq_setsockopt(s->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) ||
	    set_int(s->router, ZMQ_LINGER, 0) ||
	    set_int(s->router, ZMQ_RCVHWM, 1000) ||
	    set_int(s->router, ZMQ_SNDHWM, 1000) ||
	    set_int(s->router, ZMQ_HANDSHAKE_IVL, 5000) ||
	    set_int(s->router, ZMQ_HEARTBEAT_IVL, 2000) ||
	    set_int(s->router, ZMQ_HEARTBEAT_TIMEOUT, 6000)) {
		snprintf(err, errlen, "ROUTER socket: %s", zmq_strerror(errno));
		return UCCN_E_IO;
	}
	if (zmq_bind(s->router, opt->endpoint) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", opt->endpoint,
			 zmq_strerror(errno));
		return UCCN_E_IO;
	}
	return 0;
}

void server_send_reply(struct server *s, const struct pending *p)
{
	msgpack_sbuffer b;
	msgpack_sbuffer_init(&b);
	int rc = uccn_reply_encode(&p->rep, &b);
	if (rc) {
		/* Fall back to a bare error reply; it cannot fail to encode
		 * for want of anything but memory. */
		struct uccn_reply e = {.rid = p->rep.rid, .status = UCCN_E_INTERNAL};
		msgpack_sbuffer_clear(&b);
		if (uccn_reply_encode(&e, &b)) {
			msgpack_sbuffer_destroy(&b);
			log_limited(LOG_ERROR, LOG_KIND_REPLY, "cannot encode a reply: out of memory");
			return;
		}
		log_limited(LOG_ERROR, LOG_KIND_REPLY, "cannot encode a reply to %s: %s",
			uccn_op_name(p->rep.op) ? uccn_op_name(p->rep.op) : "?",
			uccn_strerror(rc));
	}
	/* A peer that is gone or not reading makes the ROUTER drop the reply;
	 * never block the loop on one client. */
	if (zmq_send(s->router, p->routing_id, p->routing_id_len,
		     ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    (p->delimiter && zmq_send(s->router, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) ||
	    zmq_send(s->router, b.data, b.size, ZMQ_DONTWAIT) < 0)
		log_limited(LOG_DEBUG, LOG_KIND_REPLY, "reply dropped: %s", zmq_strerror(errno));
	msgpack_sbuffer_destroy(&b);
	if (p->counted)
		server_credit_give(s, p->routing_id, p->routing_id_len);
}

/* Discard the rest of a multipart message. */
static void drain(void *router)
{
	int more = 1;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return;
		}
		more = zmq_msg_more(&m);
		zmq_msg_close(&m);
	}
}

/* Receive one message into p. Returns 1 when a message was read, 0 when
 * none is waiting. */
static int receive_one(struct server *s, struct pending *p)
{
	zmq_msg_t id, body;
	char err[UCCN_MAX_MESSAGE];
	int decode_rc;
	zmq_msg_init(&id);
	if (zmq_msg_recv(&id, s->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&id);
		return 0;
	}
	memset(p, 0, sizeof *p);
	p->routing_id_len = zmq_msg_size(&id) > ROUTING_ID_MAX ? ROUTING_ID_MAX : zmq_msg_size(&id);
	memcpy(p->routing_id, zmq_msg_data(&id), p->routing_id_len);
	bool more = zmq_msg_more(&id);
	zmq_msg_close(&id);
	if (!more)
		return 1;

	zmq_msg_init(&body);
	if (zmq_msg_recv(&body, s->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&body);
		return 1;
	}
	/* A REQ client puts an empty delimiter before the body. */
	if (zmq_msg_size(&body) == 0 && zmq_msg_more(&body)) {
		p->delimiter = true;
		zmq_msg_close(&body);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&body, s->router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&body);
			return 1;
		}
	}
	const char *key = zmq_msg_gets(&body, "User-Id");
	const char *peer = zmq_msg_gets(&body, "Peer-Address");
	snprintf(p->peer, sizeof p->peer, "%s", peer ? peer : "");
	char keycopy[UCCN_KEY_Z85_LEN + 1] = "";
	if (key && strlen(key) == UCCN_KEY_Z85_LEN)
		memcpy(keycopy, key, sizeof keycopy);
	if (zmq_msg_more(&body)) {
		drain(s->router);
		decode_rc = UCCN_E_INVALID;
		snprintf(err, sizeof err, "a request is exactly one frame (after an optional empty delimiter)");
	} else {
		decode_rc = uccn_request_decode(zmq_msg_data(&body), zmq_msg_size(&body),
						&p->req, err, sizeof err);
	}
	zmq_msg_close(&body);
	/* SPEC's credit: past UCCN_MAX_OUTSTANDING, busy at once, so what a
	 * connection is owed never outgrows its reply queue. */
	uint32_t outstanding = 0;
	p->counted = server_credit_take(s, p->routing_id, p->routing_id_len, &outstanding) == 0;
	if (!decode_rc && (!p->counted || outstanding > UCCN_MAX_OUTSTANDING)) {
		decode_rc = UCCN_E_BUSY;
		snprintf(err, sizeof err, "%d requests of this connection are unanswered; "
			 "read their replies, then ask again", UCCN_MAX_OUTSTANDING);
	}
	if (server_handle(s, p, decode_rc, err, keycopy[0] ? keycopy : NULL))
		server_queue_write(s, p);
	return 1;
}

void server_on_router(void *ctx)
{
	struct server *s = ctx;
	/* Take what has arrived, a bounded number at a time so the other
	 * sockets get their turn. */
	for (int i = 0; i < 4 * SERVER_MAX_BATCH; i++)
		if (!receive_one(s, s->scratch))
			break;
}
