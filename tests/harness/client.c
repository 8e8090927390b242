/*
 * client.c - see client.h. Children get a clean environment, so only the
 * arguments given here reach `uccn`.
 */
#include "client.h"
#include "harness_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <msgpack.h>
#include <zmq.h>

#include "uccn_keyfile.h"

/* ---- the CLI ---- */

int h_uccnv(h_run_t *r, const h_daemon_t *d, const char *key,
	    const char *input, char *const args[])
{
	size_t n = 0;
	while (args[n])
		n++;
	char **argv = calloc(n + 8, sizeof *argv);
	assert_non_null(argv);
	char *path = h_xasprintf("%s/uccn", h_bin_dir());
	size_t k = 0;
	argv[k++] = path;
	if (d) {
		argv[k++] = "--endpoint";
		argv[k++] = (char *)d->endpoint;
		argv[k++] = "--server-key";
		argv[k++] = (char *)d->server_pub;
		if (key) {
			argv[k++] = "--key";
			argv[k++] = (char *)key;
		}
	}
	for (size_t i = 0; i < n; i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	int rc = h_run(r, argv, input, H_UCCN_TIMEOUT_MS);
	free(path);
	free(argv);
	return rc;
}

int h_uccn(h_run_t *r, const h_daemon_t *d, const char *key, const char *input, ...)
{
	char *args[64];
	size_t n = 0;
	va_list ap;
	va_start(ap, input);
	char *a;
	while ((a = va_arg(ap, char *)) != NULL) {
		assert_true(n + 1 < sizeof args / sizeof args[0]);
		args[n++] = a;
	}
	va_end(ap);
	args[n] = NULL;
	return h_uccnv(r, d, key, input, args);
}

int h_keygen(const char *path, char pub[UCCN_KEY_Z85_LEN + 1])
{
	h_run_t r = {0};
	int rc = -1;
	if (h_uccn(&r, NULL, NULL, NULL, "keygen", "-o", path, NULL) == 0 &&
	    r.out_len >= UCCN_KEY_Z85_LEN) {
		memcpy(pub, r.out, UCCN_KEY_Z85_LEN);
		pub[UCCN_KEY_Z85_LEN] = '\0';
		rc = 0;
	} else {
		h_run_print(&r);
	}
	h_run_clear(&r);
	return rc;
}

int h_city_register(const h_daemon_t *d, const char *id, const char *name,
		    char *keyfile)
{
	char pub[UCCN_KEY_Z85_LEN + 1];
	snprintf(keyfile, PATH_MAX, "%s/%s.key", d->dir, id);
	if (h_keygen(keyfile, pub) != 0)
		return -1;
	h_run_t r = {0};
	int rc = h_uccn(&r, d, d->coordinator_key, NULL, "city", "add", id,
			"--name", name, "--field", "literature", "--key", pub, NULL);
	if (rc != 0)
		h_run_print(&r);
	h_run_clear(&r);
	return rc == 0 ? 0 : -1;
}

/* ---- ZeroMQ ---- */

/* The public and secret key of a key file. */
static int read_keys(const char *path, char pub[UCCN_KEY_Z85_LEN + 1],
		     char sec[UCCN_KEY_Z85_LEN + 1])
{
	size_t n = 0;
	char *text = h_read_file(path, &n);
	if (!text)
		return -1;
	int rc = uccn_keyfile_parse(text, n, pub, sec);
	free(text);
	return rc;
}

void *h_dealer_new(void *ctx, const h_daemon_t *d, const char *keyfile)
{
	char spub[UCCN_KEY_Z85_LEN + 1], ssec[UCCN_KEY_Z85_LEN + 1];
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	if (read_keys(d->server_pub, spub, ssec) != 0 ||
	    read_keys(keyfile, pub, sec) != 0 || !sec[0]) {
		fprintf(stderr, "harness: cannot read keys from %s or %s\n",
			d->server_pub, keyfile);
		return NULL;
	}
	return h_dealer_keys(ctx, d->endpoint, spub, pub, sec);
}

/* A DEALER as h_dealer_keys makes, with a receive high-water mark and
 * kernel receive buffer (0: libzmq's defaults) set before it connects:
 * libzmq takes both when the connection is made, not later. */
static void *dealer_with(void *ctx, const char *endpoint, const char *server_pub,
			 const char *pub, const char *sec, int rcvhwm, int rcvbuf)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	if (!s)
		return NULL;
	int linger = 0, sndtimeo = 5000;
	if ((rcvhwm && zmq_setsockopt(s, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm)) ||
	    (rcvbuf && zmq_setsockopt(s, ZMQ_RCVBUF, &rcvbuf, sizeof rcvbuf)) ||
	    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
	    zmq_setsockopt(s, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_pub, UCCN_KEY_Z85_LEN + 1) ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, UCCN_KEY_Z85_LEN + 1) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, UCCN_KEY_Z85_LEN + 1) ||
	    zmq_connect(s, endpoint)) {
		fprintf(stderr, "harness: dealer: %s\n", zmq_strerror(zmq_errno()));
		zmq_close(s);
		return NULL;
	}
	return s;
}

void *h_dealer_keys(void *ctx, const char *endpoint, const char *server_pub,
		    const char *pub, const char *sec)
{
	return dealer_with(ctx, endpoint, server_pub, pub, sec, 0, 0);
}

void *h_dealer_stalled(void *ctx, const h_daemon_t *d, const char *keyfile)
{
	char spub[UCCN_KEY_Z85_LEN + 1], ssec[UCCN_KEY_Z85_LEN + 1];
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	if (read_keys(d->server_pub, spub, ssec) != 0 || read_keys(keyfile, pub, sec) != 0 ||
	    !sec[0])
		return NULL;
	return dealer_with(ctx, d->endpoint, spub, pub, sec, 1, 4096);
}

int h_request_send(void *s, const struct uccn_request *rq)
{
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	int rc = uccn_request_encode(rq, &sb) == 0 &&
			 zmq_send(s, sb.data, sb.size, 0) == (int)sb.size ? 0 : -1;
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

int h_reply_recv(void *s, int ms, enum uccn_op op, struct uccn_reply *out, char *err,
		 size_t errlen)
{
	zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
	if (zmq_poll(&it, 1, ms) <= 0 || !(it.revents & ZMQ_POLLIN))
		return 0;
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, s, 0) < 0) {
		zmq_msg_close(&m);
		snprintf(err, errlen, "zmq_msg_recv: %s", zmq_strerror(errno));
		return -1;
	}
	int rc = uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), op, out, err, errlen);
	zmq_msg_close(&m);
	return rc ? -1 : 1;
}

static void *term_thread(void *ctx)
{
	zmq_ctx_term(ctx);
	return NULL;
}

void h_ctx_term(void *ctx)
{
	pthread_t t;
	if (!ctx)
		return;
	zmq_ctx_shutdown(ctx); /* blocked calls on its sockets return ETERM */
	if (pthread_create(&t, NULL, term_thread, ctx) != 0) {
		fprintf(stderr, "harness: no thread to end the ZeroMQ context; left\n");
		return;
	}
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	if (pthread_timedjoin_np(t, NULL, &until) != 0) {
		fprintf(stderr, "harness: a socket was left open (a test stopped part-way); "
				"the ZeroMQ context is left to the exit\n");
		pthread_detach(t);
	}
}
