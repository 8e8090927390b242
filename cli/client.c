/*
 * client.c - connect with CURVE, send one request, wait for its reply or
 * the deadline; a socket monitor turns a failed handshake into a clear
 * answer instead of a silent time-out: our key refused, the server key
 * wrong, or the connection dropped (a daemon going away, something else
 * on the port).
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "client.h"
#include "uccn_error.h"
#include "uccn_fingerprint.h"
#include "uccn_keyfile.h"
#include "uccn_limits.h"
#include "uccn_records.h"

#define KEYFILE_MAX 4096
/* How long the plain TCP probe waits for an answer before leaving the
 * rest to --timeout: a refused port answers at once, even far away. */
#define PROBE_WAIT_MS 700
/* Handshakes that fail in one way before we say so: one failure may be a
 * daemon restarting. */
#define HANDSHAKE_FAILURES_MAX 3
/* The signature that opens a ZeroMQ (ZMTP 3) greeting, sent by the server
 * as soon as it accepts: 0xFF, 8 bytes of padding, 0x7F. */
#define ZMTP_SIGNATURE_LEN 10

struct client {
	void *ctx;
	void *sock;
	void *monitor;
	const char *endpoint;
	const char *key_file;
	char server_pub[UCCN_KEY_Z85_LEN + 1];
	char own_pub[UCCN_KEY_Z85_LEN + 1];
	int timeout_ms;
	uint64_t next_rid;
	bool up;              /* a handshake succeeded, no disconnect since */
	volatile sig_atomic_t *stop;  /* set by a signal handler: give up */
};

static int load_keys(const char *path, const char *what, bool need_secret,
		     char *pub, char *sec, char *err, size_t errlen)
{
	/* A server key may be given as the key itself (a profile, or pasted
	 * from an invitation); a file of that name still wins. */
	if (!need_secret && uccn_key_z85_valid(path) && access(path, F_OK) != 0) {
		snprintf(pub, UCCN_KEY_Z85_LEN + 1, "%s", path);
		sec[0] = '\0';
		return 0;
	}
	char *text = NULL;
	size_t len = 0;
	char reason[512];
	int rc = read_small_file(path, KEYFILE_MAX, &text, &len, reason, sizeof reason);
	if (rc) {
		snprintf(err, errlen, "%s: %s", what, reason);
		return UCCN_E_INVALID;
	}
	rc = uccn_keyfile_parse(text, len, pub, sec);
	free(text);
	if (rc) {
		snprintf(err, errlen, "%s %s: no valid public-key line (is it a uccn key file?)",
			 what, path);
		return UCCN_E_INVALID;
	}
	if (need_secret && !sec[0]) {
		snprintf(err, errlen, "%s %s holds no secret-key (a .pub file cannot sign in)",
			 what, path);
		return UCCN_E_INVALID;
	}
	return 0;
}

static int set_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof v);
}

int client_open(struct client **out, const struct client_options *o,
		char *err, size_t errlen)
{
	char spub[UCCN_KEY_Z85_LEN + 1], ssec[UCCN_KEY_Z85_LEN + 1];
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	char mon[64];
	/* Room for CURVE's per-message overhead on top of the reply limit. */
	int64_t maxmsg = UCCN_MAX_REPLY_FRAME + 64;
	int rc;
	*out = NULL;
	if ((rc = load_keys(o->server_key_file, "server key", false, spub, ssec, err, errlen)) ||
	    (rc = load_keys(o->key_file, "key", true, pub, sec, err, errlen)))
		return rc;
	struct client *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return UCCN_E_NOMEM;
	}
	c->endpoint = o->endpoint;
	c->key_file = o->key_file;
	memcpy(c->server_pub, spub, sizeof spub);
	memcpy(c->own_pub, pub, sizeof pub);
	c->timeout_ms = o->timeout_ms;
	c->next_rid = (uint64_t)time(NULL) * 1000 + (uint64_t)getpid() % 1000;
	c->ctx = zmq_ctx_new();
	if (c->ctx)
		c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
	if (!c->sock ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, spub, UCCN_KEY_Z85_LEN) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, pub, UCCN_KEY_Z85_LEN) ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, sec, UCCN_KEY_Z85_LEN) ||
	    zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) ||
	    set_int(c->sock, ZMQ_LINGER, 0) ||
	    set_int(c->sock, ZMQ_IMMEDIATE, 1) ||
	    /* A long-lived client (watch) notices a dead daemon within seconds
	     * and reconnects to its successor. */
	    set_int(c->sock, ZMQ_HEARTBEAT_IVL, 2000) ||
	    set_int(c->sock, ZMQ_HEARTBEAT_TIMEOUT, 6000) ||
	    set_int(c->sock, ZMQ_RECONNECT_IVL_MAX, 2000)) {
		snprintf(err, errlen, "cannot set up the socket: %s", zmq_strerror(errno));
		goto fail;
	}
	memset(sec, 0, sizeof sec);
	snprintf(mon, sizeof mon, "inproc://uccn-monitor-%p", (void *)c);
	if (zmq_socket_monitor(c->sock, mon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
			       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
			       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
			       ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
			       ZMQ_EVENT_DISCONNECTED) != 0 ||
	    !(c->monitor = zmq_socket(c->ctx, ZMQ_PAIR)) ||
	    set_int(c->monitor, ZMQ_LINGER, 0) ||
	    zmq_connect(c->monitor, mon) != 0) {
		snprintf(err, errlen, "cannot monitor the socket: %s", zmq_strerror(errno));
		goto fail;
	}
	if (zmq_connect(c->sock, o->endpoint) != 0) {
		snprintf(err, errlen, "cannot connect to '%s': %s", o->endpoint, zmq_strerror(errno));
		rc = UCCN_E_INVALID;
		goto fail_rc;
	}
	*out = c;
	return 0;
fail:
	rc = UCCN_E_IO;
fail_rc:
	client_destroy(&c);
	return rc;
}

void client_set_timeout(struct client *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms;
}

void client_set_stop(struct client *c, volatile sig_atomic_t *stop)
{
	c->stop = stop;
}

void client_destroy(struct client **cp)
{
	if (!cp || !*cp)
		return;
	struct client *c = *cp;
	if (c->monitor)
		zmq_close(c->monitor);
	if (c->sock)
		zmq_close(c->sock);
	if (c->ctx)
		zmq_ctx_term(c->ctx);
	free(c);
	*cp = NULL;
}

const char *client_server_key(const struct client *c)
{
	return c->server_pub;
}

const char *client_own_key(const struct client *c)
{
	return c->own_pub;
}

/* Split tcp://HOST:PORT (HOST may be [v6]) into host and port; -1 for any
 * other endpoint, which is then not probed. */
static int split_endpoint(const char *endpoint, char *host, size_t hostlen,
			  char *port, size_t portlen)
{
	if (strncmp(endpoint, "tcp://", 6) != 0)
		return -1;
	const char *h = endpoint + 6, *colon = strrchr(h, ':');
	if (!colon || colon == h || !colon[1] || strlen(colon + 1) >= portlen)
		return -1;
	size_t n = (size_t)(colon - h);
	if (h[0] == '[' && n >= 2 && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	/* ZeroMQ's "source;target" form and wildcards are left to ZeroMQ. */
	if (n == 0 || n >= hostlen || memchr(h, ';', n) || (n == 1 && h[0] == '*'))
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

/* 1 when the address refused a connection, 0 when it accepted or did not
 * answer within wait_ms. */
static int refused_at(const struct addrinfo *ai, int wait_ms)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	if (fd < 0)
		return 0;
	int refused = 0;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno == ECONNREFUSED) {
			refused = 1;
		} else if (errno == EINPROGRESS) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			int soerr = 0;
			socklen_t sl = sizeof soerr;
			if (poll(&p, 1, wait_ms) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
			    soerr == ECONNREFUSED)
				refused = 1;
		}
	}
	close(fd);
	return refused;
}

int client_probe(const char *endpoint, int wait_ms, char *err, size_t errlen)
{
	char host[256], port[16];
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	if (split_endpoint(endpoint, host, sizeof host, port, sizeof port) != 0 ||
	    getaddrinfo(host, port, &hints, &res) != 0)
		return 0;
	/* Refused only when every address refuses: one that answers or stays
	 * silent leaves the decision to ZeroMQ and --timeout. */
	int refused = res != NULL;
	for (struct addrinfo *ai = res; ai && refused; ai = ai->ai_next)
		refused = refused_at(ai, wait_ms);
	freeaddrinfo(res);
	if (!refused)
		return 0;
	snprintf(err, errlen, "nothing is listening at %s (is uccnd running?)", endpoint);
	return UCCN_E_TIMEOUT;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What a plain connection to the port shows of the server behind it. */
enum greeting {
	GREETING_NONE,      /* refused: nothing listens */
	GREETING_ZMTP,      /* a ZeroMQ peer greeted us */
	GREETING_DROPPED,   /* accepted, then closed, or not a ZeroMQ peer */
	GREETING_UNKNOWN,   /* silent within the wait, or not a tcp endpoint */
};

/* Wait until fd is ready for events, at most until deadline (ms). */
static bool wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, (int)left);
		if (n > 0)
			return true;
		if (n == 0 || errno != EINTR)
			return false;
	}
}

/* Connect with a plain socket and read the start of the server's
 * greeting, waiting at most wait_ms. */
static enum greeting read_greeting(const char *endpoint, int wait_ms)
{
	char host[256], port[16];
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	if (split_endpoint(endpoint, host, sizeof host, port, sizeof port) != 0 ||
	    getaddrinfo(host, port, &hints, &res) != 0 || !res)
		return GREETING_UNKNOWN;
	enum greeting g = GREETING_UNKNOWN;
	int64_t deadline = now_ms() + wait_ms;
	int fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			res->ai_protocol);
	int soerr = 0;
	socklen_t sl = sizeof soerr;
	if (fd < 0)
		goto out;
	if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		if (errno != EINPROGRESS || !wait_fd(fd, POLLOUT, deadline) ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) {
			g = errno == ECONNREFUSED ? GREETING_NONE : GREETING_UNKNOWN;
			goto out;
		}
		if (soerr) {
			g = soerr == ECONNREFUSED ? GREETING_NONE : GREETING_UNKNOWN;
			goto out;
		}
	}
	unsigned char sig[ZMTP_SIGNATURE_LEN];
	size_t got = 0;
	while (got < sizeof sig && wait_fd(fd, POLLIN, deadline)) {
		ssize_t n = recv(fd, sig + got, sizeof sig - got, 0);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		g = GREETING_DROPPED; /* closed or reset before the signature */
		goto out;
	}
	if (got == sizeof sig)
		g = sig[0] == 0xFF && (sig[9] & 1) ? GREETING_ZMTP : GREETING_DROPPED;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return g;
}

/* Read one monitor event; returns its event number, 0 if none. */
static int monitor_event(void *monitor, uint32_t *value)
{
	zmq_msg_t m;
	int event = 0;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, monitor, ZMQ_DONTWAIT) >= 0 && zmq_msg_size(&m) >= 6) {
		const unsigned char *d = zmq_msg_data(&m);
		uint16_t ev;
		memcpy(&ev, d, 2);
		memcpy(value, d + 2, 4);
		event = ev;
	}
	bool more = zmq_msg_more(&m);
	zmq_msg_close(&m);
	while (more) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, monitor, ZMQ_DONTWAIT) < 0)
			more = false;
		else
			more = zmq_msg_more(&m);
		zmq_msg_close(&m);
	}
	return event;
}

/* A daemon that answers and then stops (a lost database) closes the
 * connection right after the reply: the monitor's "disconnected" can be
 * seen before the reply that came ahead of it is read. The reply is
 * already in the socket by then, or arrives at once; look briefly. */
#define REPLY_AFTER_DISCONNECT_MS 100

static bool reply_waiting(void *sock)
{
	zmq_pollitem_t it = {.socket = sock, .events = ZMQ_POLLIN};
	return zmq_poll(&it, 1, REPLY_AFTER_DISCONNECT_MS) == 1 && (it.revents & ZMQ_POLLIN);
}

int client_call(struct client *c, struct uccn_request *req,
		struct uccn_reply *rep, char *err, size_t errlen)
{
	msgpack_sbuffer b;
	int rc;
	req->rid = c->next_rid++;
	msgpack_sbuffer_init(&b);
	if ((rc = uccn_request_encode(req, &b))) {
		msgpack_sbuffer_destroy(&b);
		snprintf(err, errlen, "cannot encode the request: %s", uccn_strerror(rc));
		return rc;
	}
	int64_t deadline = now_ms() + c->timeout_ms;
	/* What happened since the last call (a disconnect), then, when not
	 * connected, a plain TCP probe: ZeroMQ retries a refused connection
	 * silently, which would cost the whole timeout. */
	uint32_t value;
	int ev;
	while ((ev = monitor_event(c->monitor, &value)) != 0) {
		if (ev == ZMQ_EVENT_DISCONNECTED)
			c->up = false;
		else if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
			c->up = true;
	}
	if (!c->up && (rc = client_probe(c->endpoint, c->timeout_ms < PROBE_WAIT_MS ?
					 c->timeout_ms : PROBE_WAIT_MS, err, errlen)))
		goto out;
	int key_failures = 0, drops = 0;
	bool dropped = false; /* a handshake was cut by something not uccnd's key check */
	/* With ZMQ_IMMEDIATE the send waits for a finished handshake, so the
	 * poll below covers connecting too. */
	zmq_pollitem_t items[] = {
		{.socket = c->sock, .events = ZMQ_POLLOUT},
		{.socket = c->monitor, .events = ZMQ_POLLIN},
	};
	bool sent = false;
	rc = UCCN_E_TIMEOUT;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			break;
		items[0].events = sent ? ZMQ_POLLIN : ZMQ_POLLOUT;
		if (zmq_poll(items, 2, (long)left) < 0) {
			if (errno == EINTR && c->stop && *c->stop) {
				snprintf(err, errlen, "interrupted");
				rc = UCCN_E_TIMEOUT;
				goto out;
			}
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "poll: %s", zmq_strerror(errno));
			rc = UCCN_E_IO;
			goto out;
		}
		if (items[1].revents & ZMQ_POLLIN) {
			value = 0;
			ev = monitor_event(c->monitor, &value);
			if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
				c->up = true;
				key_failures = drops = 0;
			} else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
				char fp[UCCN_FINGERPRINT_LEN + 1] = "?";
				uccn_key_fingerprint(c->own_pub, fp, sizeof fp);
				snprintf(err, errlen,
					 "the server refused our key: is %s (fingerprint %s) registered (uccn city show ID)?",
					 c->key_file, fp);
				rc = UCCN_E_AUTH;
				goto out;
			} else if (ev == ZMQ_EVENT_DISCONNECTED) {
				c->up = false;
				/* The daemon went away with our request: its answer
				 * will never come, so say so now instead of at the
				 * deadline. Before sending, the socket reconnects. */
				if (sent && !reply_waiting(c->sock)) {
					snprintf(err, errlen, "lost the connection to %s before an answer",
						 c->endpoint);
					rc = UCCN_E_TIMEOUT;
					goto out;
				}
			} else if (ev) {
				/* The peer hung up mid-handshake. A ZeroMQ server that
				 * cannot open our HELLO (we hold the wrong server key)
				 * does so after greeting us; a daemon going down, or
				 * something on the port that is not uccnd, before.
				 * A plain connection tells which: a closed port is a
				 * daemon restarting (keep waiting for its successor);
				 * repeated failures the same way are said. */
				switch (read_greeting(c->endpoint, PROBE_WAIT_MS)) {
				case GREETING_NONE: key_failures = drops = 0; dropped = true; break;
				case GREETING_ZMTP: key_failures++; break;
				case GREETING_DROPPED: drops++; dropped = true; break;
				case GREETING_UNKNOWN: break;
				}
				if (key_failures >= HANDSHAKE_FAILURES_MAX) {
					char fp[UCCN_FINGERPRINT_LEN + 1] = "?";
					uccn_key_fingerprint(c->server_pub, fp, sizeof fp);
					snprintf(err, errlen,
						 "the server's key does not match: check the server key (fingerprint %s) against the one at %s (uccn key show server.pub there)",
						 fp, c->endpoint);
					rc = UCCN_E_AUTH;
					goto out;
				}
				if (drops >= HANDSHAKE_FAILURES_MAX)
					break;
			}
		}
		if (!sent && (items[0].revents & ZMQ_POLLOUT)) {
			if (zmq_send(c->sock, b.data, b.size, ZMQ_DONTWAIT) >= 0)
				sent = true;
			continue;
		}
		if (sent && (items[0].revents & ZMQ_POLLIN)) {
			zmq_msg_t m;
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, c->sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&m);
				continue;
			}
			rc = uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), req->op,
					       rep, err, errlen);
			zmq_msg_close(&m);
			if (rc == 0 && rep->rid != req->rid) {
				/* A late answer to an earlier request: keep waiting. */
				uccn_reply_clear(rep);
				rc = UCCN_E_TIMEOUT;
				continue;
			}
			if (rc) {
				char why[256];
				snprintf(why, sizeof why, "%s", err);
				snprintf(err, errlen, "cannot read the server's reply: %s", why);
				rc = UCCN_E_INVALID;
			}
			goto out;
		}
	}
	if (dropped)
		snprintf(err, errlen, "the connection to %s was dropped during the handshake; "
			 "is uccnd running?", c->endpoint);
	else
		snprintf(err, errlen, "no answer from %s within %d ms (is the host reachable and uccnd running there?)",
			 c->endpoint, c->timeout_ms);
out:
	msgpack_sbuffer_destroy(&b);
	return rc;
}
