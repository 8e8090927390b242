/*
 * peers.c - who is connected: the ROUTER's monitor reports each
 * connection's handshake, successful or not, and its close, and
 * s->metrics counts them (metrics_peers says how many are open). libzmq
 * tells a handshake's end without naming the connection, but every
 * connection ends its handshake one way or the other before it closes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "server_int.h"
#include "uccn_error.h"

#define HANDSHAKE_FAILED (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | \
			  ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | \
			  ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

int server_peers_open(struct server *s, void *zmq_ctx, char *err, size_t errlen)
{
	char endpoint[64];
	int unbounded = 0, linger = 0;
	snprintf(endpoint, sizeof endpoint, "inproc://uccnd-peers-%p", (void *)s);
	/* libzmq's I/O thread blocks on a monitor pipe that is full: ours
	 * has no bound, and the loop reads it at every turn. */
	if (zmq_socket_monitor(s->router, endpoint, ZMQ_EVENT_ACCEPTED |
			       ZMQ_EVENT_HANDSHAKE_SUCCEEDED | HANDSHAKE_FAILED |
			       ZMQ_EVENT_DISCONNECTED) != 0 ||
	    !(s->monitor = zmq_socket(zmq_ctx, ZMQ_PAIR)) ||
	    zmq_setsockopt(s->monitor, ZMQ_RCVHWM, &unbounded, sizeof unbounded) ||
	    zmq_setsockopt(s->monitor, ZMQ_LINGER, &linger, sizeof linger) ||
	    zmq_connect(s->monitor, endpoint) != 0) {
		snprintf(err, errlen, "cannot watch the ROUTER's connections: %s",
			 zmq_strerror(errno));
		return UCCN_E_IO;
	}
	return 0;
}

/* One event: a frame of the event number (2 bytes) and its value (4: the
 * connection's fd for ACCEPTED and DISCONNECTED), then a frame of the
 * endpoint. Returns false when none is waiting. */
static bool read_event(void *monitor, uint16_t *event, int32_t *value)
{
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, monitor, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&m);
		return false;
	}
	bool ok = zmq_msg_size(&m) >= sizeof *event + sizeof *value;
	if (ok) {
		memcpy(event, zmq_msg_data(&m), sizeof *event);
		memcpy(value, (const char *)zmq_msg_data(&m) + sizeof *event, sizeof *value);
	}
	bool more = zmq_msg_more(&m);
	zmq_msg_close(&m);
	while (more) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, monitor, 0) < 0)
			more = false;
		else
			more = zmq_msg_more(&m);
		zmq_msg_close(&m);
	}
	if (!ok)
		*event = 0;
	return true;
}

void server_on_peers(void *ctx)
{
	struct server *s = ctx;
	uint16_t event;
	int32_t value = -1;
	while (read_event(s->monitor, &event, &value)) {
		if (event == ZMQ_EVENT_ACCEPTED)
			server_inflow_accepted(s, value);
		else if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
			s->metrics.handshakes_ok++;
		else if (event & HANDSHAKE_FAILED)
			s->metrics.handshakes_failed++;
		else if (event == ZMQ_EVENT_DISCONNECTED) {
			s->metrics.disconnects++;
			server_inflow_closed(s, value);
		}
	}
}

void server_peers_close(struct server *s)
{
	if (!s->monitor)
		return;
	zmq_socket_monitor(s->router, NULL, 0);
	zmq_close(s->monitor);
	s->monitor = NULL;
}
