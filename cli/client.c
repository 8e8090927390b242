/*
 * client.c - connect with CURVE, send one request, wait for its reply or
 * the deadline; a socket monitor turns a refused handshake into a clear
 * "key refused" instead of a silent time-out.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "client.h"
#include "uccn_error.h"
#include "uccn_keyfile.h"
#include "uccn_limits.h"

#define KEYFILE_MAX 4096

struct client {
	void *ctx;
	void *sock;
	void *monitor;
	const char *endpoint;
	const char *key_file;
	int timeout_ms;
	uint64_t next_rid;
	volatile sig_atomic_t *stop;  /* set by a signal handler: give up */
};

int read_small_file(const char *path, size_t max, char **out, size_t *len,
		    char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return errno == ENOENT ? UCCN_E_NOTFOUND : UCCN_E_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		close(fd);
		return UCCN_E_IO;
	}
	if ((size_t)st.st_size > max) {
		snprintf(err, errlen, "%s is larger than %zu bytes", path, max);
		close(fd);
		return UCCN_E_TOOBIG;
	}
	char *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r = 0;
	while (buf && n <= max && (r = read(fd, buf + n, max + 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	if (!buf || r < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, buf ? strerror(errno) : "out of memory");
		free(buf);
		return UCCN_E_IO;
	}
	if (n > max) {
		snprintf(err, errlen, "%s is larger than %zu bytes", path, max);
		free(buf);
		return UCCN_E_TOOBIG;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int load_keys(const char *path, const char *what, bool need_secret,
		     char *pub, char *sec, char *err, size_t errlen)
{
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

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
			uint32_t value = 0;
			int ev = monitor_event(c->monitor, &value);
			if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
				snprintf(err, errlen,
					 "uccnd at %s refused the key in %s: it belongs to no registered city",
					 c->endpoint, c->key_file);
				rc = UCCN_E_AUTH;
				goto out;
			}
			if (ev == ZMQ_EVENT_DISCONNECTED) {
				/* The daemon went away with our request: its answer
				 * will never come, so say so now instead of at the
				 * deadline. Before sending, the socket reconnects. */
				if (sent) {
					snprintf(err, errlen, "lost the connection to %s before an answer",
						 c->endpoint);
					rc = UCCN_E_TIMEOUT;
					goto out;
				}
			} else if (ev) {
				snprintf(err, errlen,
					 "the CURVE handshake with %s failed: is the server key right?",
					 c->endpoint);
				rc = UCCN_E_AUTH;
				goto out;
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
	snprintf(err, errlen, "no answer from %s within %d ms (is uccnd running there, and is the server key right?)",
		 c->endpoint, c->timeout_ms);
out:
	msgpack_sbuffer_destroy(&b);
	return rc;
}
