/*
 * router.c - the CURVE ROUTER: requests in, one frame each (after the empty
 * delimiter of a REQ client), and replies out, never blocking the loop on
 * one slow or vanished client.
 */
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
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
	    set_int(s->router, ZMQ_SNDHWM, UCCN_MAX_QUEUED_REPLIES) ||
	    set_int(s->router, ZMQ_ROUTER_MANDATORY, 1) ||
	    set_int(s->router, ZMQ_HANDSHAKE_IVL, 5000) ||
	    set_int(s->router, ZMQ_HEARTBEAT_IVL, 2000) ||
	    set_int(s->router, ZMQ_HEARTBEAT_TIMEOUT, 6000)) {
		snprintf(err, errlen, "ROUTER socket: %s", zmq_strerror(errno));
		return UCCN_E_IO;
	}
	/* Watched before it listens, so every connection is counted. */
	if (server_peers_open(s, zmq_ctx, err, errlen))
		return UCCN_E_IO;
	snprintf(s->endpoint, sizeof s->endpoint, "%s", opt->endpoint);
	if (zmq_bind(s->router, opt->endpoint) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", opt->endpoint,
			 zmq_strerror(errno));
		return UCCN_E_IO;
	}
	return 0;
}

/* Bytes of replies handed to libzmq for one connection and not yet taken
 * by its I/O thread (over CURVE it takes a reply to encrypt it). The main
 * thread adds; the I/O thread subtracts when it is done with a reply
 * (reply_done), the last time it touches the entry, so an entry found at 0
 * by the main thread may be freed. replaced: a reply to it has been
 * replaced by busy and the bytes have not fallen back since (main thread
 * only). */
struct queued {
	unsigned char id[ROUTING_ID_MAX];
	size_t len;
	atomic_size_t bytes;
	bool replaced;
};

#define QUEUED_PEERS 1024
static struct queued *queued_peers[QUEUED_PEERS];

static bool is_peer(const struct queued *q, const unsigned char *id, size_t len)
{
	return q && q->len == len && memcmp(q->id, id, len) == 0;
}

/* The entry of routing id id, made when missing; entries at 0 are freed on
 * the way. NULL when the table is full of peers with replies queued. */
static struct queued *queued_for(const unsigned char *id, size_t len)
{
	struct queued *found = NULL;
	size_t spare = QUEUED_PEERS;
	for (size_t i = 0; i < QUEUED_PEERS; i++) {
		struct queued *q = queued_peers[i];
		if (is_peer(q, id, len)) {
			found = q;
		} else if (q && atomic_load(&q->bytes) == 0) {
			free(q);
			queued_peers[i] = NULL;
		}
		if (!queued_peers[i] && spare == QUEUED_PEERS)
			spare = i;
	}
	if (found || spare == QUEUED_PEERS)
		return found;
	struct queued *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	memcpy(q->id, id, len);
	q->len = len;
	atomic_init(&q->bytes, 0);
	queued_peers[spare] = q;
	return q;
}

bool server_replies_backed_up(const struct pending *p)
{
	for (size_t i = 0; i < QUEUED_PEERS; i++) {
		struct queued *q = queued_peers[i];
		if (!is_peer(q, p->routing_id, p->routing_id_len))
			continue;
		/* Only a connection that has had a reply replaced already: one
		 * that sends a few requests before reading is served as before. */
		if (q->replaced && atomic_load(&q->bytes) + UCCN_MAX_REPLY_FRAME <=
				       UCCN_MAX_QUEUED_REPLY_BYTES)
			q->replaced = false;
		return q->replaced;
	}
	return false;
}

/* A reply's data and whom it counts against, for reply_done. */
struct reply_buf {
	struct queued *q;
	size_t size;
};

static void reply_done(void *data, void *hint)
{
	struct reply_buf *rb = hint;
	struct queued *q = rb->q;
	size_t n = rb->size;
	(void)data; /* the same allocation as rb */
	free(rb);
	atomic_fetch_sub(&q->bytes, n);
}

static uint64_t replies_dropped, replies_refused;

/* Send body to p's connection without blocking. A reply that would put the
 * connection past UCCN_MAX_QUEUED_REPLY_BYTES of unread replies is replaced
 * by a short busy (SPEC 2.1): a peer that does not read is told so and
 * costs a bounded amount. */
static void send_body(struct server *s, const struct pending *p, const void *body, size_t size,
		      int status)
{
	struct queued *q = queued_for(p->routing_id, p->routing_id_len);
	msgpack_sbuffer b;
	msgpack_sbuffer_init(&b);
	if (!q || atomic_load(&q->bytes) + size > UCCN_MAX_QUEUED_REPLY_BYTES) {
		struct uccn_reply e = {.rid = p->rep.rid, .status = UCCN_E_BUSY};
		char msg[] = "replies to this connection are waiting to be read; "
			     "read them, then ask again";
		e.message = msg;
		status = e.status;
		if (q)
			q->replaced = true;
		replies_refused++;
		log_limited(LOG_WARN, LOG_KIND_REPLY, "a peer does not read its replies: "
			    "%llu replaced by busy so far", (unsigned long long)replies_refused);
		if (uccn_reply_encode(&e, &b)) {
			msgpack_sbuffer_destroy(&b);
			return;
		}
		body = b.data;
		size = b.size;
	}
	/* One allocation holds the bookkeeping and the data, handed to libzmq
	 * without a copy; reply_done frees it when written. */
	metrics_count_reply(&s->metrics, status);
	struct reply_buf *rb = malloc(sizeof *rb + size);
	if (!rb) {
		msgpack_sbuffer_destroy(&b);
		s->metrics.drops++;
		return;
	}
	unsigned char *data = (unsigned char *)(rb + 1);
	memcpy(data, body, size);
	msgpack_sbuffer_destroy(&b);
	rb->size = size;
	rb->q = q;
	zmq_msg_t m;
	if (!q) {
		/* No slot to count it against (every slot holds a peer with
		 * replies queued): the short busy goes out as a copy, uncounted,
		 * so the request is still answered. */
		int rc = zmq_msg_init_size(&m, size);
		if (rc == 0)
			memcpy(zmq_msg_data(&m), data, size);
		free(rb);
		if (rc != 0) {
			s->metrics.drops++;
			return;
		}
	} else {
		atomic_fetch_add(&q->bytes, size);
		if (zmq_msg_init_data(&m, data, size, reply_done, rb) != 0) {
			atomic_fetch_sub(&q->bytes, size);
			free(rb);
			s->metrics.drops++;
			return;
		}
	}
	/* ROUTER_MANDATORY: a peer gone or with a full queue fails at once
	 * with EHOSTUNREACH or EAGAIN, and the reply is dropped and counted. */
	if (zmq_send(s->router, p->routing_id, p->routing_id_len,
		     ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    (p->delimiter && zmq_send(s->router, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) ||
	    zmq_msg_send(&m, s->router, ZMQ_DONTWAIT) < 0) {
		replies_dropped++;
		s->metrics.drops++;
		log_limited(LOG_DEBUG, LOG_KIND_REPLY, "reply dropped (%llu so far): %s",
			    (unsigned long long)replies_dropped, zmq_strerror(errno));
		zmq_msg_close(&m); /* runs reply_done */
	}
}

void server_send_reply(struct server *s, const struct pending *p)
{
	msgpack_sbuffer b;
	msgpack_sbuffer_init(&b);
	int rc = uccn_reply_encode(&p->rep, &b);
	int status = rc ? UCCN_E_INTERNAL : p->rep.status;
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
	send_body(s, p, b.data, b.size, status);
	msgpack_sbuffer_destroy(&b);
	if (p->counted)
		server_credit_give(s, p->routing_id, p->routing_id_len);
}

/* Discard the rest of a multipart message; returns the bytes discarded. */
static size_t drain(struct server *s)
{
	size_t bytes = 0;
	int more = 1;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		server_inflow_delivered(s, zmq_msg_get(&m, ZMQ_SRCFD), zmq_msg_size(&m));
		bytes += zmq_msg_size(&m);
		more = zmq_msg_more(&m);
		zmq_msg_close(&m);
	}
	return bytes;
}

/* libzmq holds every frame of a multipart message until its last one has
 * arrived (its pipes publish whole messages only, and ZMQ_MAXMSGSIZE bounds
 * a frame), so a member can make uccnd hold one large message for as long
 * as it takes to arrive. Once it is refused, the freed frames go back to
 * the system instead of staying in malloc's arenas. */
#define DRAIN_TRIM_BYTES (4u * 1024 * 1024)

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
	server_inflow_delivered(s, zmq_msg_get(&body, ZMQ_SRCFD), zmq_msg_size(&body));
	/* A REQ client puts an empty delimiter before the body. */
	if (zmq_msg_size(&body) == 0 && zmq_msg_more(&body)) {
		p->delimiter = true;
		zmq_msg_close(&body);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&body, s->router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&body);
			return 1;
		}
		server_inflow_delivered(s, zmq_msg_get(&body, ZMQ_SRCFD), zmq_msg_size(&body));
	}
	const char *key = zmq_msg_gets(&body, "User-Id");
	const char *peer = zmq_msg_gets(&body, "Peer-Address");
	snprintf(p->peer, sizeof p->peer, "%s", peer ? peer : "");
	char keycopy[UCCN_KEY_Z85_LEN + 1] = "";
	if (key && strlen(key) == UCCN_KEY_Z85_LEN)
		memcpy(keycopy, key, sizeof keycopy);
	if (zmq_msg_more(&body)) {
		if (drain(s) >= DRAIN_TRIM_BYTES)
			malloc_trim(0);
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

/* Requests read in one turn; each may be answered at once (busy past the
 * credit), so a turn's replies must fit the send queue with room. */
#define READ_PER_TURN (4 * SERVER_MAX_BATCH)
_Static_assert(4 * READ_PER_TURN <= UCCN_MAX_QUEUED_REPLIES,
	       "a turn's replies must fit a connection's send queue four times over");

void server_on_router(void *ctx)
{
	struct server *s = ctx;
	/* Take what has arrived, a bounded number at a time so the other
	 * sockets get their turn. */
	for (int i = 0; i < READ_PER_TURN; i++)
		if (!receive_one(s, s->scratch))
			break;
}

int server_rebind(struct server *s, const char *endpoint, char *err, size_t errlen)
{
	if (strcmp(endpoint, s->endpoint) == 0)
		return 0;
	/* The new one first: if it cannot be bound, the old one stays. */
	if (zmq_bind(s->router, endpoint) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s; still on %s", endpoint,
			 zmq_strerror(errno), s->endpoint);
		return UCCN_E_IO;
	}
	if (zmq_unbind(s->router, s->endpoint) != 0)
		log_msg(LOG_WARN, "reload: cannot stop listening on %s: %s", s->endpoint,
			zmq_strerror(errno));
	snprintf(s->endpoint, sizeof s->endpoint, "%s", endpoint);
	server_invite_advertise(endpoint);
	return 0;
}
