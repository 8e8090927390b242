/*
 * test_hostile.c - end-to-end: a registered city turns hostile. Over a real
 * CURVE DEALER it sends 10,000 malformed messages, oversized frames and
 * requests it never reads the answers to; strangers open raw TCP
 * connections and write garbage. The daemon must answer what is well
 * formed, drop the rest, stay small and keep serving everyone else.
 *
 * One daemon serves the whole group, so the damage accumulates; the tests
 * run in order. The PRNG seed is fixed (UCCN_E2E_SEED overrides it).
 */
#include "../harness/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <msgpack.h>
#include <zmq.h>

#include "uccn_error.h"
#include "uccn_msg.h"

#define HOSTILE_MESSAGES 10000
#define RAW_CONNECTIONS 200
#define RSS_LIMIT_KB (100L * 1024)

struct fx {
	char *dir;
	h_daemon_t *d;
	char key[PATH_MAX];   /* granada's key file */
	void *ctx;
	long rss_start_kb;
	void *socks[8];       /* open sockets, closed by teardown on failure */
	h_run_t r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->ctx = zmq_ctx_new();
	if (!f->ctx || h_daemon_up(&f->dir, &f->d) != 0 ||
	    h_city_register(f->d, "granada", "Granada", f->key) != 0) {
		if (f->ctx)
			h_ctx_term(f->ctx);
		h_daemon_down(&f->dir, &f->d);
		free(f);
		return -1;
	}
	f->rss_start_kb = h_daemon_rss_kb(f->d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < 8; i++)
		if (f->socks[i])
			zmq_close(f->socks[i]);
	h_ctx_term(f->ctx);
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

/* ---- a reproducible PRNG (xorshift64*) ---- */

static uint64_t rng_state;

static void rng_seed(void)
{
	const char *e = getenv("UCCN_E2E_SEED");
	rng_state = e && *e ? strtoull(e, NULL, 0) : 0x5eed2026c0ffeeULL;
	if (!rng_state)
		rng_state = 1;
	fprintf(stderr, "note: seed 0x%llx (set UCCN_E2E_SEED to repeat)\n",
		(unsigned long long)rng_state);
}

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n). */
static size_t rnd(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

static void fill_random(uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rng();
}

/* ---- ZeroMQ helpers ---- */

/* A DEALER with granada's key; close it with undealer(). */
static void *dealer(struct fx *f)
{
	void *s = h_dealer_new(f->ctx, f->d, f->key);
	assert_non_null(s);
	for (size_t i = 0; i < 8; i++)
		if (!f->socks[i]) {
			f->socks[i] = s;
			return s;
		}
	fail_msg("too many open sockets");
	return NULL;
}

static void undealer(struct fx *f, void *s)
{
	for (size_t i = 0; i < 8; i++)
		if (f->socks[i] == s)
			f->socks[i] = NULL;
	zmq_close(s);
}

static void send_frame(void *s, const void *buf, size_t len, bool more)
{
	int rc = zmq_send(s, buf, len, more ? ZMQ_SNDMORE : 0);
	if (rc < 0)
		fprintf(stderr, "zmq_send of %zu bytes: %s\n", len, zmq_strerror(zmq_errno()));
	assert_int_equal(rc, (int)len);
}

/* Receive one message within ms; its first frame goes to msg (initialised
 * by the caller), the other frames are dropped. false on timeout. */
static bool recv_msg(void *s, int ms, zmq_msg_t *msg)
{
	zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
	if (zmq_poll(&it, 1, ms) <= 0 || !(it.revents & ZMQ_POLLIN))
		return false;
	if (zmq_msg_recv(msg, s, 0) < 0)
		return false;
	int more = 0;
	size_t ml = sizeof more;
	while (zmq_getsockopt(s, ZMQ_RCVMORE, &more, &ml) == 0 && more) {
		zmq_msg_t part;
		zmq_msg_init(&part);
		zmq_msg_recv(&part, s, 0);
		zmq_msg_close(&part);
		ml = sizeof more;
	}
	return true;
}

/* Read whatever replies are waiting, without blocking. */
static size_t drain_replies(void *s)
{
	size_t n = 0;
	zmq_msg_t m;
	zmq_msg_init(&m);
	while (recv_msg(s, 0, &m))
		n++;
	zmq_msg_close(&m);
	return n;
}

/* ---- msgpack helpers ---- */

static void pk_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

/* A valid request of a random op, encoded into sb (cleared first). */
static void encode_valid(msgpack_sbuffer *sb, uint64_t rid)
{
	struct uccn_request r;
	memset(&r, 0, sizeof r);
	r.rid = rid;
	switch (rnd(6)) {
	case 0: r.op = UCCN_OP_STATUS; break;
	case 1: r.op = UCCN_OP_CITY_LIST; break;
	case 2:
		r.op = UCCN_OP_LIST;
		r.query.limit = (uint32_t)(1 + rnd(5));
		r.query.kind = (char *)"update";
		break;
	case 3: r.op = UCCN_OP_SHOW; r.seq = 1 + rnd(50); break;
	case 4:
		r.op = UCCN_OP_POST;
		r.post.kind = (char *)"update";
		r.post.title = (char *)"hostile but valid";
		r.post.body = (char *)"A perfectly valid post, in a storm of junk.";
		break;
	default:
		r.op = UCCN_OP_CITY_ADD;
		r.city.id = (char *)"mallory";
		r.city.name = (char *)"Mallory";
		r.city.field = (char *)"literature";
		r.city.role = (char *)"coordinator";
		strcpy(r.city.key, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
		break;
	}
	msgpack_sbuffer_clear(sb);
	assert_int_equal(uccn_request_encode(&r, sb), 0);
}

static const char *const names[] = {
	"v", "rid", "op", "post", "city", "seq", "kind", "limit", "since",
	"before", "body", "title", "project", "meeting", "minutes", "key", "id",
	"name", "field", "role", "tz", "year", "country", "status", "post",
	"city.add", "list", "show", "update", "", "\xff\xfe", "v\0x",
};
#define NNAMES (sizeof names / sizeof names[0])

/* A random msgpack object, depth levels deep at most. */
static void gen_obj(msgpack_packer *pk, int depth)
{
	uint8_t raw[64];
	size_t n;
	switch (rnd(depth <= 0 ? 8 : 10)) {
	case 0: msgpack_pack_nil(pk); break;
	case 1: rng() & 1 ? msgpack_pack_true(pk) : msgpack_pack_false(pk); break;
	case 2: msgpack_pack_uint64(pk, rng() >> rnd(64)); break;
	case 3: msgpack_pack_int64(pk, -(int64_t)(rng() >> (1 + rnd(63)))); break;
	case 4: msgpack_pack_double(pk, (double)(int64_t)rng() / 7.0); break;
	case 5:
		n = rnd(sizeof raw);
		fill_random(raw, n);
		msgpack_pack_str(pk, n);
		msgpack_pack_str_body(pk, raw, n);
		break;
	case 6:
		n = rnd(sizeof raw);
		fill_random(raw, n);
		msgpack_pack_bin(pk, n);
		msgpack_pack_bin_body(pk, raw, n);
		break;
	case 7: pk_str(pk, names[rnd(NNAMES)]); break;
	case 8:
		n = rnd(6);
		msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n; i++)
			gen_obj(pk, depth - 1);
		break;
	default:
		n = rnd(6);
		msgpack_pack_map(pk, n);
		for (size_t i = 0; i < n; i++) {
			if (rng() % 4)
				pk_str(pk, names[rnd(NNAMES)]);
			else
				gen_obj(pk, 0);
			gen_obj(pk, depth - 1);
		}
		break;
	}
}

/* Valid msgpack of a wrong shape: mostly a request-like map whose keys are
 * the protocol's names and whose values are anything. */
static void gen_wrong_shape(msgpack_sbuffer *sb)
{
	msgpack_packer pk;
	msgpack_sbuffer_clear(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	if (rnd(10) < 3) {
		gen_obj(&pk, 1 + (int)rnd(6));
		return;
	}
	size_t n = 1 + rnd(7);
	msgpack_pack_map(&pk, n);
	for (size_t i = 0; i < n; i++) {
		size_t k = rnd(8);
		pk_str(&pk, names[k]);
		if (k == 0 && rng() % 2)
			msgpack_pack_uint8(&pk, 1);
		else if (k == 2 && rng() % 2)
			pk_str(&pk, uccn_op_name((enum uccn_op)(1 + rnd(6))));
		else
			gen_obj(&pk, 1 + (int)rnd(4));
	}
}

/* A header claiming far more than the frame holds, alone or in a request. */
static size_t gen_huge_count(uint8_t *b)
{
	static const uint8_t heads[][6] = {
		{0xdd, 0xff, 0xff, 0xff, 0xff, 5},  /* array32 */
		{0xdf, 0xff, 0xff, 0xff, 0xff, 5},  /* map32 */
		{0xdb, 0xff, 0xff, 0xff, 0xfe, 5},  /* str32 */
		{0xc6, 0x7f, 0xff, 0xff, 0xff, 5},  /* bin32 */
		{0xc9, 0xff, 0xff, 0xff, 0xff, 5},  /* ext32 */
		{0xdc, 0xff, 0xff, 0, 0, 3},        /* array16 */
		{0xde, 0xff, 0xff, 0, 0, 3},        /* map16 */
		{0xda, 0xff, 0xff, 0, 0, 3},        /* str16 */
	};
	/* {"v":1,"rid":7,"op":"post","post": <head>...} */
	static const uint8_t prefix[] = {
		0x84, 0xa1, 'v', 0x01, 0xa3, 'r', 'i', 'd', 0x07, 0xa2, 'o', 'p',
		0xa4, 'p', 'o', 's', 't', 0xa4, 'p', 'o', 's', 't',
	};
	size_t h = rnd(sizeof heads / sizeof heads[0]), n = 0;
	if (rng() % 2) {
		memcpy(b, prefix, sizeof prefix);
		n = sizeof prefix;
	}
	memcpy(b + n, heads[h], heads[h][5]);
	n += heads[h][5];
	size_t tail = rnd(64);
	fill_random(b + n, tail);
	return n + tail;
}

/* Deep nesting: arrays or maps inside each other, maybe inside a request. */
static size_t gen_deep(uint8_t *b, size_t cap)
{
	size_t depth = rng() % 2 ? 5 + rnd(60) : 1000 + rnd(100000);
	size_t n = 0;
	if (rng() % 2) {
		static const uint8_t prefix[] = {
			0x84, 0xa1, 'v', 0x01, 0xa3, 'r', 'i', 'd', 0x08, 0xa2, 'o', 'p',
			0xa4, 'l', 'i', 's', 't', 0xa4, 'k', 'i', 'n', 'd',
		};
		memcpy(b, prefix, sizeof prefix);
		n = sizeof prefix;
	}
	bool maps = rng() % 2;
	while (depth-- && n + 4 < cap) {
		if (maps) {
			b[n++] = 0x81;
			b[n++] = 0xa1;
			b[n++] = 'k';
		} else {
			b[n++] = 0x91;
		}
	}
	b[n++] = 0xc0;
	return n;
}

/* ---- tests ---- */

struct bad_request {
	const char *what;
	enum uccn_op op;  /* the reply type to expect */
	int want, also;   /* acceptable error codes */
	bool rid_known;   /* the daemon can read rid and must echo it */
};

/* Build bad request i into sb with rid; false when there are no more. */
static bool build_bad(size_t i, msgpack_sbuffer *sb, uint64_t rid, struct bad_request *out)
{
	msgpack_packer pk;
	msgpack_sbuffer_clear(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	struct uccn_request r;
	memset(&r, 0, sizeof r);
	r.rid = rid;
	char *big = NULL;
	switch (i) {
	case 0:
		*out = (struct bad_request){"unknown op", UCCN_OP_STATUS, UCCN_E_UNKNOWN_OP, 0, true};
		msgpack_pack_map(&pk, 3);
		pk_str(&pk, "v"); msgpack_pack_uint8(&pk, 1);
		pk_str(&pk, "rid"); msgpack_pack_uint64(&pk, rid);
		pk_str(&pk, "op"); pk_str(&pk, "frobnicate");
		return true;
	case 1:
		*out = (struct bad_request){"protocol version 2", UCCN_OP_STATUS, UCCN_E_VERSION, 0, true};
		msgpack_pack_map(&pk, 3);
		pk_str(&pk, "v"); msgpack_pack_uint8(&pk, 2);
		pk_str(&pk, "rid"); msgpack_pack_uint64(&pk, rid);
		pk_str(&pk, "op"); pk_str(&pk, "status");
		return true;
	case 2:
		*out = (struct bad_request){"no version", UCCN_OP_STATUS, UCCN_E_INVALID, 0, true};
		msgpack_pack_map(&pk, 2);
		pk_str(&pk, "rid"); msgpack_pack_uint64(&pk, rid);
		pk_str(&pk, "op"); pk_str(&pk, "status");
		return true;
	case 3:
		*out = (struct bad_request){"op is a number", UCCN_OP_STATUS, UCCN_E_INVALID, 0, true};
		msgpack_pack_map(&pk, 3);
		pk_str(&pk, "v"); msgpack_pack_uint8(&pk, 1);
		pk_str(&pk, "rid"); msgpack_pack_uint64(&pk, rid);
		pk_str(&pk, "op"); msgpack_pack_uint8(&pk, 5);
		return true;
	case 4:
		*out = (struct bad_request){"post of kind nonsense", UCCN_OP_POST, UCCN_E_INVALID, 0, true};
		r.op = UCCN_OP_POST;
		r.post.kind = (char *)"nonsense";
		r.post.body = (char *)"hello";
		break;
	case 5:
		*out = (struct bad_request){"post without a post", UCCN_OP_POST, UCCN_E_INVALID, 0, true};
		msgpack_pack_map(&pk, 3);
		pk_str(&pk, "v"); msgpack_pack_uint8(&pk, 1);
		pk_str(&pk, "rid"); msgpack_pack_uint64(&pk, rid);
		pk_str(&pk, "op"); pk_str(&pk, "post");
		return true;
	case 6:
		*out = (struct bad_request){"show seq 0", UCCN_OP_SHOW, UCCN_E_INVALID, 0, true};
		r.op = UCCN_OP_SHOW;
		r.seq = 0;
		break;
	case 7:
		*out = (struct bad_request){"list limit 100000", UCCN_OP_LIST, UCCN_E_TOOBIG,
					    UCCN_E_INVALID, true};
		r.op = UCCN_OP_LIST;
		r.query.limit = 100000;
		break;
	case 8:
		*out = (struct bad_request){"body of 64 KiB + 1", UCCN_OP_POST, UCCN_E_TOOBIG,
					    UCCN_E_INVALID, true};
		big = malloc(UCCN_MAX_BODY + 2);
		assert_non_null(big);
		memset(big, 'x', UCCN_MAX_BODY + 1);
		big[UCCN_MAX_BODY + 1] = '\0';
		r.op = UCCN_OP_POST;
		r.post.kind = (char *)"update";
		r.post.body = big;
		break;
	case 9:
		*out = (struct bad_request){"city.add by a member", UCCN_OP_CITY_ADD, UCCN_E_DENIED,
					    0, true};
		r.op = UCCN_OP_CITY_ADD;
		r.city.id = (char *)"mallory";
		r.city.name = (char *)"Mallory";
		r.city.field = (char *)"literature";
		r.city.role = (char *)"member";
		strcpy(r.city.key, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
		break;
	case 10:
		*out = (struct bad_request){"an array, not a map", UCCN_OP_STATUS, UCCN_E_INVALID,
					    0, false};
		msgpack_pack_array(&pk, 3);
		msgpack_pack_uint8(&pk, 1);
		msgpack_pack_uint64(&pk, rid);
		pk_str(&pk, "status");
		return true;
	case 11:
		*out = (struct bad_request){"rid is a string", UCCN_OP_STATUS, UCCN_E_INVALID, 0, false};
		msgpack_pack_map(&pk, 3);
		pk_str(&pk, "v"); msgpack_pack_uint8(&pk, 1);
		pk_str(&pk, "rid"); pk_str(&pk, "one");
		pk_str(&pk, "op"); pk_str(&pk, "status");
		return true;
	default:
		return false;
	}
	assert_int_equal(uccn_request_encode(&r, sb), 0);
	free(big);
	return true;
}

/* Well-formed but invalid requests get an error reply, not silence. */
static void test_invalid_requests_get_error_replies(void **state)
{
	struct fx *f = *state;
	void *s = dealer(f);
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	struct bad_request b;
	for (size_t i = 0; build_bad(i, &sb, 1000 + i, &b); i++) {
		send_frame(s, sb.data, sb.size, false);
		zmq_msg_t m;
		zmq_msg_init(&m);
		bool got = recv_msg(s, 5000, &m);
		if (!got)
			fprintf(stderr, "no reply within 5 s to: %s\n", b.what);
		assert_true(got);
		struct uccn_reply rep;
		char err[256] = "";
		int rc = uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), b.op, &rep,
					   err, sizeof err);
		if (rc)
			fprintf(stderr, "%s: reply does not decode: %s\n", b.what, err);
		assert_int_equal(rc, 0);
		fprintf(stderr, "  %-24s -> %s: %s\n", b.what, uccn_error_name(rep.status),
			rep.message ? rep.message : "(no message)");
		if (rep.status != b.want && rep.status != (b.also ? b.also : b.want))
			fprintf(stderr, "%s: want error %s, got %s\n", b.what,
				uccn_error_name(b.want), uccn_error_name(rep.status));
		assert_true(rep.status != 0);
		assert_true(rep.status == b.want || (b.also && rep.status == b.also));
		assert_non_null(rep.message);
		assert_true(strlen(rep.message) > 0);
		if (b.rid_known)
			assert_int_equal(rep.rid, 1000 + i);
		uccn_reply_clear(&rep);
		zmq_msg_close(&m);
	}
	/* Not msgpack at all: an answer is welcome, not required. */
	send_frame(s, "hello, uccnd", 12, false);
	zmq_msg_t m;
	zmq_msg_init(&m);
	fprintf(stderr, "note: to a non-msgpack frame the daemon %s\n",
		recv_msg(s, 1000, &m) ? "replied" : "stayed silent");
	zmq_msg_close(&m);
	msgpack_sbuffer_destroy(&sb);
	undealer(f, s);
	assert_true(h_daemon_running(f->d));
}

/* 10,000 hostile messages over one authenticated connection. */
static void test_hostile_messages(void **state)
{
	struct fx *f = *state;
	rng_seed();
	void *s = dealer(f);
	const size_t cap = UCCN_MAX_REQUEST_FRAME - 1024;
	uint8_t *b = malloc(cap);
	assert_non_null(b);
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	size_t counts[10] = {0}, frames = 0, replies = 0, bytes = 0;
	int64_t start = h_now_ms();
	for (size_t i = 0; i < HOSTILE_MESSAGES; i++) {
		size_t kind = rnd(10), n = 0, parts;
		counts[kind]++;
		switch (kind) {
		case 0: case 1: /* random bytes of random lengths */
			n = rnd(10) < 7 ? rnd(64) : rnd(10) < 9 ? rnd(4096) : rnd(65536);
			fill_random(b, n);
			break;
		case 2: /* a valid request cut short */
			encode_valid(&sb, i);
			n = rnd(sb.size);
			memcpy(b, sb.data, n);
			break;
		case 3: /* a valid request with a few bytes changed */
			encode_valid(&sb, i);
			n = sb.size;
			memcpy(b, sb.data, n);
			for (size_t k = 1 + rnd(4); k; k--)
				b[rnd(n)] = (uint8_t)rng();
			break;
		case 4: case 5: /* valid msgpack, wrong shape */
			gen_wrong_shape(&sb);
			n = sb.size < cap ? sb.size : cap;
			memcpy(b, sb.data, n);
			break;
		case 6:
			n = gen_huge_count(b);
			break;
		case 7:
			n = gen_deep(b, cap);
			break;
		case 8: /* several frames in one message */
			parts = 2 + rnd(4);
			for (size_t p = 0; p < parts; p++) {
				switch (rnd(3)) {
				case 0: encode_valid(&sb, i); break;
				case 1: gen_wrong_shape(&sb); break;
				default: msgpack_sbuffer_clear(&sb); break;
				}
				send_frame(s, sb.data, sb.size, p + 1 < parts);
				bytes += sb.size;
			}
			frames += parts;
			replies += drain_replies(s);
			continue;
		default: /* an empty frame, or a valid request among the junk */
			if (rng() % 2) {
				encode_valid(&sb, i);
				n = sb.size;
				memcpy(b, sb.data, n);
			}
			break;
		}
		send_frame(s, b, n, false);
		frames++;
		bytes += n;
		replies += drain_replies(s);
	}
	int64_t took = h_now_ms() - start;
	/* Let the last replies arrive. */
	zmq_msg_t m;
	zmq_msg_init(&m);
	while (recv_msg(s, 2000, &m))
		replies++;
	zmq_msg_close(&m);
	assert_true(h_daemon_running(f->d));

	/* The same connection is still served. */
	msgpack_sbuffer_clear(&sb);
	struct uccn_request rq;
	memset(&rq, 0, sizeof rq);
	rq.op = UCCN_OP_STATUS;
	rq.rid = 424242;
	assert_int_equal(uccn_request_encode(&rq, &sb), 0);
	send_frame(s, sb.data, sb.size, false);
	bool answered = false;
	zmq_msg_init(&m);
	for (int k = 0; k < 100 && !answered && recv_msg(s, 5000, &m); k++) {
		struct uccn_reply rep;
		char err[256];
		if (uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), UCCN_OP_STATUS,
				      &rep, err, sizeof err) == 0 &&
		    rep.rid == 424242) {
			assert_int_equal(rep.status, 0);
			assert_string_equal(rep.info.city, "granada");
			answered = true;
		} else {
			replies++;
		}
		uccn_reply_clear(&rep);
	}
	zmq_msg_close(&m);
	fprintf(stderr, "note: %d messages (%zu frames, %zu bytes) in %lld ms, %zu replies; "
		"random %zu, truncated %zu, mutated %zu, wrong shape %zu, huge counts %zu, "
		"deep %zu, multi-frame %zu, empty/valid %zu\n",
		HOSTILE_MESSAGES, frames, bytes, (long long)took, replies,
		counts[0] + counts[1], counts[2], counts[3], counts[4] + counts[5],
		counts[6], counts[7], counts[8], counts[9]);
	assert_true(answered);
	msgpack_sbuffer_destroy(&sb);
	free(b);
	undealer(f, s);
}

/* A status request of exactly len bytes: an otherwise valid request padded
 * with an unknown key (which the decoder ignores). */
static void padded_status(uint8_t *b, size_t len, uint8_t rid)
{
	static const uint8_t prefix[] = {
		0x84, 0xa1, 'v', 0x01, 0xa3, 'r', 'i', 'd', 0x00, 0xa2, 'o', 'p',
		0xa6, 's', 't', 'a', 't', 'u', 's', 0xa3, 'p', 'a', 'd', 0xdb,
	};
	uint32_t pad = (uint32_t)(len - sizeof prefix - 4);
	memcpy(b, prefix, sizeof prefix);
	b[8] = rid;
	b[sizeof prefix] = (uint8_t)(pad >> 24);
	b[sizeof prefix + 1] = (uint8_t)(pad >> 16);
	b[sizeof prefix + 2] = (uint8_t)(pad >> 8);
	b[sizeof prefix + 3] = (uint8_t)pad;
	memset(b + sizeof prefix + 4, 'p', pad);
}

/* Send one frame of len bytes on a fresh socket; the reply within ms, if
 * any, decoded as op into rep. */
static bool one_shot(struct fx *f, const uint8_t *b, size_t len, int ms,
		     enum uccn_op op, struct uccn_reply *rep)
{
	void *s = dealer(f);
	send_frame(s, b, len, false);
	zmq_msg_t m;
	zmq_msg_init(&m);
	bool got = recv_msg(s, ms, &m);
	char err[256] = "";
	memset(rep, 0, sizeof *rep);
	if (got && uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), op, rep,
				     err, sizeof err) != 0)
		fail_msg("a reply to a %zu-byte frame does not decode: %s", len, err);
	zmq_msg_close(&m);
	undealer(f, s);
	return got;
}

/* A frame of UCCN_MAX_REQUEST_FRAME bytes is read and served; one byte more,
 * or megabytes more, is never served: the peer is disconnected, or gets a
 * too_big error. */
static void test_oversized_frames(void **state)
{
	struct fx *f = *state;
	size_t big = 8u * 1024 * 1024;
	uint8_t *b = malloc(big);
	assert_non_null(b);
	struct uccn_reply rep;

	size_t sizes[] = {UCCN_MAX_REQUEST_FRAME + 1, UCCN_MAX_REQUEST_FRAME + 4096, big};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		padded_status(b, sizes[i], 10);
		bool got = one_shot(f, b, sizes[i], 1000, UCCN_OP_STATUS, &rep);
		fprintf(stderr, "note: a %zu-byte status request -> %s%s%s\n", sizes[i],
			!got ? "no reply (disconnected)" : uccn_error_name(rep.status),
			got && rep.message ? ": " : "", got && rep.message ? rep.message : "");
		assert_true(!got || rep.status == UCCN_E_TOOBIG);
		uccn_reply_clear(&rep);
	}
	fill_random(b, big);
	bool got = one_shot(f, b, big, 1000, UCCN_OP_STATUS, &rep);
	assert_true(!got || rep.status == UCCN_E_TOOBIG);
	uccn_reply_clear(&rep);
	assert_true(h_daemon_running(f->d));

	/* At the limit: served. */
	padded_status(b, UCCN_MAX_REQUEST_FRAME, 11);
	got = one_shot(f, b, UCCN_MAX_REQUEST_FRAME, 5000, UCCN_OP_STATUS, &rep);
	if (!got)
		fprintf(stderr, "a request frame of exactly %d bytes (UCCN_MAX_REQUEST_FRAME) "
			"got no reply within 5 s\n", UCCN_MAX_REQUEST_FRAME);
	assert_true(got);
	if (rep.status)
		fprintf(stderr, "a %d-byte status request -> %s: %s\n", UCCN_MAX_REQUEST_FRAME,
			uccn_error_name(rep.status), rep.message ? rep.message : "");
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.rid, 11);
	assert_string_equal(rep.info.city, "granada");
	uccn_reply_clear(&rep);

	/* At the limit, a post whose body is past its own limit: too_big. */
	static const uint8_t prefix[] = {
		0x84, 0xa1, 'v', 0x01, 0xa3, 'r', 'i', 'd', 0x09, 0xa2, 'o', 'p',
		0xa4, 'p', 'o', 's', 't', 0xa4, 'p', 'o', 's', 't',
		0x82, 0xa4, 'k', 'i', 'n', 'd', 0xa6, 'u', 'p', 'd', 'a', 't', 'e',
		0xa4, 'b', 'o', 'd', 'y', 0xdb,
	};
	size_t n = UCCN_MAX_REQUEST_FRAME;
	uint32_t body = (uint32_t)(n - sizeof prefix - 4);
	memcpy(b, prefix, sizeof prefix);
	b[sizeof prefix] = (uint8_t)(body >> 24);
	b[sizeof prefix + 1] = (uint8_t)(body >> 16);
	b[sizeof prefix + 2] = (uint8_t)(body >> 8);
	b[sizeof prefix + 3] = (uint8_t)body;
	memset(b + sizeof prefix + 4, 'y', body);
	got = one_shot(f, b, n, 5000, UCCN_OP_POST, &rep);
	assert_true(got);
	assert_int_equal(rep.status, UCCN_E_TOOBIG);
	assert_int_equal(rep.rid, 9);
	uccn_reply_clear(&rep);
	free(b);
	assert_true(h_daemon_running(f->d));
}

/* Write all of buf to a non-blocking socket, giving up after ms. */
static void write_some(int fd, const void *buf, size_t len, int ms)
{
	size_t off = 0;
	int64_t deadline = h_now_ms() + ms;
	while (off < len && h_now_ms() < deadline) {
		ssize_t w = send(fd, (const char *)buf + off, len - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return;
		struct pollfd p = {fd, POLLOUT, 0};
		poll(&p, 1, 50);
	}
}

/* A connected non-blocking socket to the daemon, or -1. */
static int tcp_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	struct pollfd p = {fd, POLLOUT, 0};
	int e = 0;
	socklen_t el = sizeof e;
	if (poll(&p, 1, 2000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) || e) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A ZMTP 3.0 greeting for mechanism mech. */
static void zmtp_greeting(uint8_t g[64], const char *mech)
{
	memset(g, 0, 64);
	g[0] = 0xff;
	g[9] = 0x7f;
	g[10] = 3;
	memcpy(g + 12, mech, strlen(mech));
}

/* 200 strangers connect over plain TCP and write garbage. */
static void test_raw_tcp_garbage(void **state)
{
	struct fx *f = *state;
	uint8_t buf[8192];
	int fds[20];
	size_t connected = 0;
	for (size_t batch = 0; batch < RAW_CONNECTIONS / 20; batch++) {
		size_t open_now = 0;
		for (size_t k = 0; k < 20; k++) {
			size_t i = batch * 20 + k;
			int fd = tcp_connect(f->d->port);
			if (fd < 0)
				continue;
			connected++;
			size_t n = 0;
			switch (i % 6) {
			case 0: /* plain garbage */
				n = 1 + rnd(4096);
				fill_random(buf, n);
				break;
			case 1: /* a CURVE greeting, then junk */
				zmtp_greeting(buf, "CURVE");
				n = 64 + rnd(2048);
				fill_random(buf + 64, n - 64);
				break;
			case 2: /* a greeting, then a command claiming 2^62 bytes */
				zmtp_greeting(buf, "CURVE");
				buf[64] = 0x06;
				memcpy(buf + 65, "\x40\0\0\0\0\0\0\0", 8);
				n = 73 + rnd(256);
				fill_random(buf + 73, n - 73);
				break;
			case 3: /* half a signature */
				zmtp_greeting(buf, "CURVE");
				n = 1 + rnd(10);
				break;
			case 4: /* the NULL mechanism, READY, then a message */
				zmtp_greeting(buf, "NULL");
				memcpy(buf + 64, "\x04\x1c\x05READY\x0bSocket-Type\0\0\0\x06" "DEALER", 30);
				memcpy(buf + 94, "\x00\x05hello", 7);
				n = 101;
				break;
			default: /* a greeting with a bad version and mechanism */
				zmtp_greeting(buf, "PLAIN");
				buf[10] = (uint8_t)rng();
				n = 64 + rnd(512);
				fill_random(buf + 64, n - 64);
				break;
			}
			write_some(fd, buf, n, 200);
			if (i % 2) {
				/* Reset rather than close. */
				struct linger l = {1, 0};
				setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
			}
			fds[open_now++] = fd;
		}
		for (size_t k = 0; k < open_now; k++)
			close(fds[k]);
	}
	fprintf(stderr, "note: %zu of %d raw connections accepted\n", connected,
		RAW_CONNECTIONS);
	assert_true(connected > RAW_CONNECTIONS / 2);
	assert_true(h_daemon_running(f->d));
}

/* Afterwards: the daemon answers, stores, stays small and is still there. */
static void test_still_healthy(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "status", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, f->key, NULL, "post", "--kind", "news",
	       "Granada is still here after the storm.", NULL);
	h_assert_exit(&f->r, 0);
	char seq[32];
	snprintf(seq, sizeof seq, "%llu", strtoull(f->r.out, NULL, 10));
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "show", seq, NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "after the storm"));

	long rss = h_daemon_rss_kb(f->d), limit = RSS_LIMIT_KB;
	fprintf(stderr, "note: uccnd VmRSS %ld KiB (%.1f MiB) after the attacks; "
		"%ld KiB at the start\n", rss, rss / 1024.0, f->rss_start_kb);
	if (h_daemon_asan()) {
		/* ASan keeps up to 256 MB of freed memory in quarantine. */
		limit += 256L * 1024;
		fprintf(stderr, "note: uccnd is built with ASan; allowing %ld KiB for its "
			"quarantine (ASAN_OPTIONS=quarantine_size_mb=1 shows the real use)\n",
			limit);
	}
	assert_true(rss > 0);
	assert_true(rss < limit);
	assert_true(h_daemon_running(f->d));
}

/* A client that sends and never reads its replies must not stall the
 * daemon for everyone else. */
static void test_client_never_reads(void **state)
{
	struct fx *f = *state;
	void *s = dealer(f);
	int hwm = 10, timeo = 100;
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeo, sizeof timeo);
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	struct uccn_request rq;
	memset(&rq, 0, sizeof rq);
	rq.op = UCCN_OP_CITY_LIST;
	size_t sent = 0;
	int64_t deadline = h_now_ms() + 10000;
	for (size_t i = 0; i < 50000 && h_now_ms() < deadline; i++) {
		rq.rid = i;
		msgpack_sbuffer_clear(&sb);
		assert_int_equal(uccn_request_encode(&rq, &sb), 0);
		if (zmq_send(s, sb.data, sb.size, 0) < 0)
			break;
		sent++;
	}
	/* Meanwhile another city is served promptly. */
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "--timeout", "5", "status", NULL);
	h_assert_exit(&f->r, 0);
	fprintf(stderr, "note: %zu unread requests sent; status for another city "
		"took %lld ms; uccnd VmRSS %ld KiB\n", sent, (long long)f->r.elapsed_ms,
		h_daemon_rss_kb(f->d));
	msgpack_sbuffer_destroy(&sb);
	undealer(f, s);
	assert_true(h_daemon_running(f->d));
}

/* Last: SIGTERM still ends it cleanly. */
static void test_clean_exit(void **state)
{
	struct fx *f = *state;
	assert_int_equal(h_daemon_stop(f->d), 0);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_requests_get_error_replies),
		cmocka_unit_test(test_hostile_messages),
		cmocka_unit_test(test_oversized_frames),
		cmocka_unit_test(test_raw_tcp_garbage),
		cmocka_unit_test(test_still_healthy),
		cmocka_unit_test(test_client_never_reads),
		cmocka_unit_test(test_clean_exit),
	};
	return cmocka_run_group_tests_name("e2e_hostile", tests, setup, teardown);
}
