/*
 * load.c - the protocol side of uccn-bench: CURVE DEALERs, synchronous
 * calls, and the posting load of N cities driven from one thread with
 * zmq_poll (see bench.h).
 *
 * The posting loop must never be the bottleneck: the request is encoded
 * once by hand (only its rid changes, patched in place) and a reply is
 * read with a small scanner that finds `ok` and `rid` without allocating;
 * the full decoder runs only on replies the scanner does not vouch for.
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "uccn_error.h"
#include "uccn_msg.h"

void *b_dealer(void *ctx, const char *endpoint, const char *server_pub,
	       const struct b_key *k)
{
	return h_dealer_keys(ctx, endpoint, server_pub, k->pub, k->sec);
}

int b_call(void *s, const struct uccn_request *req, struct uccn_reply *rep,
	   int timeout_ms, char *err, size_t errlen)
{
	msgpack_sbuffer b;
	msgpack_sbuffer_init(&b);
	int rc = uccn_request_encode(req, &b);
	if (rc == 0 && zmq_send(s, b.data, b.size, 0) < 0)
		rc = -1;
	msgpack_sbuffer_destroy(&b);
	if (rc) {
		snprintf(err, errlen, "send: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
	if (zmq_poll(&it, 1, timeout_ms) <= 0) {
		snprintf(err, errlen, "no reply within %d ms", timeout_ms);
		return -1;
	}
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, s, 0) < 0) {
		snprintf(err, errlen, "recv: %s", zmq_strerror(zmq_errno()));
		zmq_msg_close(&m);
		return -1;
	}
	rc = uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), req->op, rep, err, errlen);
	zmq_msg_close(&m);
	return rc ? -1 : 0;
}

int b_city_add(void *coord_sock, const char *id, const char *pub)
{
	char name[64];
	snprintf(name, sizeof name, "Bench %s", id);
	struct uccn_request req = {.op = UCCN_OP_CITY_ADD, .rid = 1};
	req.city.id = (char *)id;
	req.city.name = name;
	req.city.field = "literature";
	req.city.role = "member";
	snprintf(req.city.key, sizeof req.city.key, "%s", pub);
	struct uccn_reply rep = {0};
	char err[256];
	int rc = b_call(coord_sock, &req, &rep, 30000, err, sizeof err);
	if (rc == 0 && rep.status != 0) {
		snprintf(err, sizeof err, "%s: %s", uccn_error_name(rep.status),
			 rep.message ? rep.message : "");
		rc = -1;
	}
	if (rc)
		fprintf(stderr, "uccn-bench: city.add %s: %s\n", id, err);
	uccn_reply_clear(&rep);
	return rc;
}

/* ---- the post request, encoded once ---- */

static uint8_t *put(uint8_t *p, const char *s)
{
	size_t n = strlen(s);
	*p++ = (uint8_t)(0xa0 | n); /* fixstr: every key and value below is < 32 */
	memcpy(p, s, n);
	return p + n;
}

/* {"v": 1, "op": "post", "rid": <uint64, 9 bytes>, "post": {"kind":
 * "update", "body": <str16 of body_len bytes>}}. The rid's 8 bytes start
 * at *rid_off. malloc'd, its length in *len. */
static uint8_t *post_template(size_t body_len, size_t *len, size_t *rid_off)
{
	static const char words[] =
		"Posted by uccn-bench: a project update of a member city, on residencies, "
		"festivals, workshops and the exchange programme of the season. ";
	uint8_t *buf = malloc(body_len + 128), *p = buf;
	if (!buf)
		abort();
	*p++ = 0x84;
	p = put(p, "v");
	*p++ = 0x01;
	p = put(p, "op");
	p = put(p, "post");
	p = put(p, "rid");
	*p++ = 0xcf;
	*rid_off = (size_t)(p - buf);
	memset(p, 0, 8);
	p += 8;
	p = put(p, "post");
	*p++ = 0x82;
	p = put(p, "kind");
	p = put(p, "update");
	p = put(p, "body");
	*p++ = 0xda;
	*p++ = (uint8_t)(body_len >> 8);
	*p++ = (uint8_t)body_len;
	for (size_t i = 0; i < body_len; i++)
		*p++ = (uint8_t)words[i % (sizeof words - 1)];
	*len = (size_t)(p - buf);
	return buf;
}

static void set_rid(uint8_t *tmpl, size_t off, uint64_t rid)
{
	for (int i = 7; i >= 0; i--, rid >>= 8)
		tmpl[off + (size_t)i] = (uint8_t)rid;
}

int b_post_template_check(size_t body_len)
{
	if (body_len == 0 || body_len > 65535)
		return -1;
	size_t len, off;
	uint8_t *t = post_template(body_len, &len, &off);
	set_rid(t, off, 0x0102030405060708ull);
	struct uccn_request req = {0};
	char err[256];
	int rc = uccn_request_decode(t, len, &req, err, sizeof err);
	if (rc == 0 && (req.op != UCCN_OP_POST || req.rid != 0x0102030405060708ull ||
			!req.post.body || strlen(req.post.body) != body_len ||
			!req.post.kind || strcmp(req.post.kind, "update") != 0)) {
		snprintf(err, sizeof err, "decodes to something else");
		rc = -1;
	}
	if (rc)
		fprintf(stderr, "uccn-bench: the hand-encoded post request is wrong: %s\n", err);
	uccn_request_clear(&req);
	free(t);
	return rc ? -1 : 0;
}

/* ---- reading a reply without allocating ---- */

struct mp {
	const uint8_t *p, *end;
};

static bool mp_be(struct mp *m, size_t n, uint64_t *v)
{
	if ((size_t)(m->end - m->p) < n)
		return false;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | *m->p++;
	return true;
}

static bool mp_str(struct mp *m, const uint8_t **s, uint64_t *n)
{
	if (m->p >= m->end)
		return false;
	uint8_t c = *m->p++;
	if ((c & 0xe0) == 0xa0)
		*n = c & 0x1f;
	else if (c < 0xd9 || c > 0xdb || !mp_be(m, (size_t)1 << (c - 0xd9), n))
		return false;
	if ((uint64_t)(m->end - m->p) < *n)
		return false;
	*s = m->p;
	m->p += *n;
	return true;
}

enum { MP_UINT, MP_BOOL, MP_OTHER };

/* A scalar (its kind, value of a uint or bool); false for containers and
 * anything unexpected. */
static bool mp_scalar(struct mp *m, int *kind, uint64_t *v)
{
	if (m->p >= m->end)
		return false;
	uint8_t c = *m->p;
	*kind = MP_OTHER;
	if (c <= 0x7f) {
		m->p++;
		*kind = MP_UINT;
		*v = c;
		return true;
	}
	if (c >= 0xe0 || c == 0xc0) { /* negative fixint, nil */
		m->p++;
		return true;
	}
	if (c == 0xc2 || c == 0xc3) {
		m->p++;
		*kind = MP_BOOL;
		*v = c == 0xc3;
		return true;
	}
	if (c >= 0xcc && c <= 0xcf) {
		m->p++;
		*kind = MP_UINT;
		return mp_be(m, (size_t)1 << (c - 0xcc), v);
	}
	if (c >= 0xd0 && c <= 0xd3) {
		m->p++;
		return mp_be(m, (size_t)1 << (c - 0xd0), v);
	}
	if (c == 0xca || c == 0xcb) {
		m->p++;
		return mp_be(m, c == 0xca ? 4 : 8, v);
	}
	const uint8_t *s;
	return mp_str(m, &s, v);
}

/* 1: an ok reply, 0: an error reply, -1: cannot tell (use the decoder).
 * *rid gets the reply's rid (0 when absent). */
static int fast_status(const uint8_t *p, size_t n, uint64_t *rid)
{
	struct mp m = {p, p + n};
	uint64_t pairs;
	*rid = 0;
	if (n == 0)
		return -1;
	if ((p[0] & 0xf0) == 0x80) {
		pairs = p[0] & 0x0f;
		m.p++;
	} else if (p[0] == 0xde) {
		m.p++;
		if (!mp_be(&m, 2, &pairs))
			return -1;
	} else {
		return -1;
	}
	int ok = -1;
	for (uint64_t i = 0; i < pairs; i++) {
		const uint8_t *k;
		uint64_t kn, v = 0;
		int kind;
		if (!mp_str(&m, &k, &kn) || !mp_scalar(&m, &kind, &v))
			return -1;
		if (kn == 2 && memcmp(k, "ok", 2) == 0 && kind == MP_BOOL)
			ok = (int)v;
		else if (kn == 3 && memcmp(k, "rid", 3) == 0 && kind == MP_UINT)
			*rid = v;
	}
	return m.p == m.end ? ok : -1;
}

/* ---- the posting load ---- */

struct slot {
	int64_t sent_ns;
	uint64_t rid;
	bool busy;
	bool dead; /* a send failed: the socket takes no more posts */
};

static void note(struct b_post_result *r, const char *fmt, const char *a, const char *b)
{
	if (!r->first_error[0])
		snprintf(r->first_error, sizeof r->first_error, fmt, a, b);
}

/* Send the next post on sock with a fresh rid; false (counted as failed,
 * the slot dead) when the send fails. */
static bool send_next(void *sock, struct slot *sl, uint8_t *tmpl, size_t len, size_t off,
		      uint64_t *next_rid, struct b_post_result *r)
{
	sl->rid = (*next_rid)++;
	set_rid(tmpl, off, sl->rid);
	sl->sent_ns = b_now_ns();
	if (zmq_send(sock, tmpl, len, ZMQ_DONTWAIT) < 0) {
		r->failed++;
		sl->dead = true;
		note(r, "send: %s%s", zmq_strerror(zmq_errno()), "");
		return false;
	}
	sl->busy = true;
	return true;
}

int b_post_run(void **socks, int n, double secs, size_t body_len,
	       struct b_post_result *r)
{
	memset(r, 0, sizeof *r);
	size_t len, off;
	uint8_t *tmpl = post_template(body_len, &len, &off);
	zmq_pollitem_t *items = calloc((size_t)n, sizeof *items);
	struct slot *sl = calloc((size_t)n, sizeof *sl);
	if (!items || !sl)
		abort();
	for (int i = 0; i < n; i++)
		items[i] = (zmq_pollitem_t){socks[i], 0, ZMQ_POLLIN, 0};
	uint64_t next_rid = 1;
	int inflight = 0;
	int64_t t0 = b_now_ns(), t_end = t0 + (int64_t)(secs * 1e9);
	int64_t deadline = t_end + 15 * (int64_t)1000000000, last = t0;

	for (int i = 0; i < n; i++)
		if (send_next(socks[i], &sl[i], tmpl, len, off, &next_rid, r))
			inflight++;
	zmq_msg_t m;
	zmq_msg_init(&m);
	while (inflight > 0) {
		if (b_now_ns() > deadline) {
			r->failed += (uint64_t)inflight;
			note(r, "%s%s", "no reply within 15 s of the end of the round", "");
			break;
		}
		int pr = zmq_poll(items, n, 100);
		if (pr < 0) {
			if (zmq_errno() == EINTR)
				continue;
			note(r, "zmq_poll: %s%s", zmq_strerror(zmq_errno()), "");
			r->failed += (uint64_t)inflight;
			break;
		}
		for (int i = 0; i < n && pr > 0; i++) {
			if (!(items[i].revents & ZMQ_POLLIN))
				continue;
			pr--;
			while (zmq_msg_recv(&m, socks[i], ZMQ_DONTWAIT) >= 0) {
				int64_t now = b_now_ns();
				uint64_t rid;
				int st = fast_status(zmq_msg_data(&m), zmq_msg_size(&m), &rid);
				if (st != 1) {
					struct uccn_reply rep = {0};
					char err[256];
					if (uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m),
							      UCCN_OP_POST, &rep, err, sizeof err) == 0) {
						rid = rep.rid;
						st = rep.status == 0;
						if (!st)
							note(r, "%.40s: %.200s", uccn_error_name(rep.status),
							     rep.message ? rep.message : "");
					} else {
						st = 0;
						note(r, "undecodable reply: %.200s%s", err, "");
					}
					uccn_reply_clear(&rep);
				}
				if (!sl[i].busy || rid != sl[i].rid) {
					r->failed++;
					note(r, "%s%s", "a reply to no request in flight", "");
					continue;
				}
				sl[i].busy = false;
				inflight--;
				last = now;
				if (st == 1) {
					r->acked++;
					b_samples_add(&r->lat, now - sl[i].sent_ns);
				} else {
					r->failed++;
				}
				if (now >= t_end || sl[i].dead)
					continue;
				if (!send_next(socks[i], &sl[i], tmpl, len, off, &next_rid, r))
					continue;
				inflight++;
			}
		}
	}
	zmq_msg_close(&m);
	/* Replies still in flight after a failure would confuse the next run:
	 * those sockets are the caller's to replace (they are rare). */
	r->secs = (double)(last - t0) / 1e9;
	r->rate = r->secs > 0 ? (double)r->acked / r->secs : 0;
	free(tmpl);
	free(items);
	free(sl);
	return 0;
}

void b_post_result_free(struct b_post_result *r)
{
	b_samples_free(&r->lat);
}

/* ---- list ---- */

int b_list_run(void *s, const char *city, uint32_t limit, int warm, int count,
	       struct b_samples *lat, size_t *nposts)
{
	for (int i = 0; i < warm + count; i++) {
		struct uccn_request req = {.op = UCCN_OP_LIST, .rid = (uint64_t)i + 1};
		req.query.city = (char *)city;
		req.query.limit = limit;
		msgpack_sbuffer b;
		msgpack_sbuffer_init(&b);
		if (uccn_request_encode(&req, &b) != 0)
			abort();
		int64_t t0 = b_now_ns();
		int rc = zmq_send(s, b.data, b.size, 0) < 0 ? -1 : 0;
		msgpack_sbuffer_destroy(&b);
		zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (rc == 0 && (zmq_poll(&it, 1, 10000) <= 0 || zmq_msg_recv(&m, s, 0) < 0))
			rc = -1;
		int64_t dt = b_now_ns() - t0;
		if (rc) {
			fprintf(stderr, "uccn-bench: list: no reply (%s)\n", zmq_strerror(zmq_errno()));
			zmq_msg_close(&m);
			return -1;
		}
		struct uccn_reply rep = {0};
		char err[256];
		rc = uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), UCCN_OP_LIST, &rep,
				       err, sizeof err);
		zmq_msg_close(&m);
		if (rc || rep.status != 0 || rep.rid != req.rid) {
			fprintf(stderr, "uccn-bench: list: %s\n",
				rc ? err : rep.status ? (rep.message ? rep.message : "error")
						      : "reply to another request");
			uccn_reply_clear(&rep);
			return -1;
		}
		if (i == 0)
			*nposts = rep.nposts;
		uccn_reply_clear(&rep);
		if (i >= warm)
			b_samples_add(lat, dt);
	}
	return 0;
}
