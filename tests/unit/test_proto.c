/*
 * test_proto.c - unit tests of proto/: the request/reply codec, the records,
 * their validation rules, every limit of uccn_limits.h, hostile input to the
 * decoder, key files and time formatting.
 *
 * Frames are written in a small notation (see mpf below) so each test reads
 * like the msgpack it sends:
 *
 *     req_decodef("{v:1, rid:7, op:'post', post:{kind:'news', body:%s}}", b)
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include "uccn_error.h"
#include "uccn_keyfile.h"
#include "uccn_limits.h"
#include "uccn_msg.h"
#include "uccn_records.h"
#include "uccn_utf8.h"

/* Two valid Z85 keys (the ZeroMQ reference test vectors). */
#define PUB "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define SEC "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"

/* ------------------------------------------------------------------ */
/* mpf: write msgpack from a compact notation.
 *
 *   {k:v, ...}  map; a bare key (letters, digits, '_', '.') is a string,
 *               any other key is a value (so {1:2} has an integer key)
 *   [v, ...]    array
 *   'text'      string (no escapes; use %s or %b for other bytes)
 *   12 -3 1.5   unsigned, negative, double
 *   nil true false
 *   %s  const char * (NULL packs nil)      %b  const char *, size_t: string
 *   %B  const char *, size_t: bin          %d  int
 *   %u  uint64_t                            %r  const void *, size_t: raw
 *                                               bytes, counted as one value
 */

struct mpf {
	const char *p;
	va_list *ap;
	msgpack_packer pk;
};

static void mpf_value(struct mpf *m);

static void mpf_ws(struct mpf *m)
{
	while (*m->p == ' ' || *m->p == '\n' || *m->p == '\t')
		m->p++;
}

static void mpf_expect(struct mpf *m, char c)
{
	mpf_ws(m);
	if (*m->p != c)
		fail_msg("mpf: expected '%c' at \"%s\"", c, m->p);
	m->p++;
}

/* Elements of the container whose body starts at p. */
static size_t mpf_count(const char *p)
{
	int depth = 0;
	size_t commas = 0;
	bool any = false;
	for (; *p; p++) {
		if (*p == '\'') {
			p = strchr(p + 1, '\'');
			if (!p)
				fail_msg("mpf: unterminated string");
			any = true;
		} else if (*p == '{' || *p == '[') {
			depth++;
			any = true;
		} else if (*p == '}' || *p == ']') {
			if (depth-- == 0)
				break;
		} else if (*p == ',' && depth == 0) {
			commas++;
		} else if (!isspace((unsigned char)*p)) {
			any = true;
		}
	}
	return any ? commas + 1 : 0;
}

static void mpf_str(struct mpf *m, const char *s, size_t n)
{
	assert_int_equal(msgpack_pack_str(&m->pk, n), 0);
	assert_int_equal(msgpack_pack_str_body(&m->pk, s, n), 0);
}

static void mpf_key(struct mpf *m)
{
	mpf_ws(m);
	if (isalpha((unsigned char)*m->p) || *m->p == '_') {
		const char *s = m->p;
		while (isalnum((unsigned char)*m->p) || *m->p == '_' || *m->p == '.')
			m->p++;
		mpf_str(m, s, (size_t)(m->p - s));
	} else {
		mpf_value(m);
	}
}

static void mpf_number(struct mpf *m)
{
	const char *s = m->p;
	size_t n = strspn(s, "-0123456789.");
	char *end = NULL;
	if (memchr(s, '.', n))
		assert_int_equal(msgpack_pack_double(&m->pk, strtod(s, &end)), 0);
	else if (*s == '-')
		assert_int_equal(msgpack_pack_int64(&m->pk, strtoll(s, &end, 10)), 0);
	else
		assert_int_equal(msgpack_pack_uint64(&m->pk, strtoull(s, &end, 10)), 0);
	assert_ptr_equal(end, s + n);
	m->p = end;
}

static void mpf_arg(struct mpf *m)
{
	const char *s;
	size_t n;
	char c = m->p[1];
	m->p += 2;
	switch (c) {
	case 's':
		s = va_arg(*m->ap, const char *);
		if (s)
			mpf_str(m, s, strlen(s));
		else
			assert_int_equal(msgpack_pack_nil(&m->pk), 0);
		break;
	case 'b':
		s = va_arg(*m->ap, const char *);
		n = va_arg(*m->ap, size_t);
		mpf_str(m, s, n);
		break;
	case 'B':
		s = va_arg(*m->ap, const char *);
		n = va_arg(*m->ap, size_t);
		assert_int_equal(msgpack_pack_bin(&m->pk, n), 0);
		assert_int_equal(msgpack_pack_bin_body(&m->pk, s, n), 0);
		break;
	case 'd':
		assert_int_equal(msgpack_pack_int(&m->pk, va_arg(*m->ap, int)), 0);
		break;
	case 'u':
		assert_int_equal(msgpack_pack_uint64(&m->pk, va_arg(*m->ap, uint64_t)), 0);
		break;
	case 'r':
		s = va_arg(*m->ap, const char *);
		n = va_arg(*m->ap, size_t);
		assert_int_equal(m->pk.callback(m->pk.data, s, n), 0);
		break;
	default:
		fail_msg("mpf: unknown conversion %%%c", c);
	}
}

static void mpf_value(struct mpf *m)
{
	mpf_ws(m);
	char c = *m->p;
	if (c == '{' || c == '[') {
		bool map = c == '{';
		m->p++;
		size_t n = mpf_count(m->p);
		if (map)
			assert_int_equal(msgpack_pack_map(&m->pk, n), 0);
		else
			assert_int_equal(msgpack_pack_array(&m->pk, n), 0);
		for (size_t i = 0; i < n; i++) {
			if (i)
				mpf_expect(m, ',');
			if (map) {
				mpf_key(m);
				mpf_expect(m, ':');
			}
			mpf_value(m);
		}
		mpf_expect(m, map ? '}' : ']');
	} else if (c == '\'') {
		const char *s = m->p + 1, *e = strchr(s, '\'');
		mpf_str(m, s, (size_t)(e - s));
		m->p = e + 1;
	} else if (c == '-' || isdigit((unsigned char)c)) {
		mpf_number(m);
	} else if (strncmp(m->p, "nil", 3) == 0) {
		assert_int_equal(msgpack_pack_nil(&m->pk), 0);
		m->p += 3;
	} else if (strncmp(m->p, "true", 4) == 0) {
		assert_int_equal(msgpack_pack_true(&m->pk), 0);
		m->p += 4;
	} else if (strncmp(m->p, "false", 5) == 0) {
		assert_int_equal(msgpack_pack_false(&m->pk), 0);
		m->p += 5;
	} else if (c == '%') {
		mpf_arg(m);
	} else {
		fail_msg("mpf: unexpected \"%s\"", m->p);
	}
}

static void vmpf(msgpack_sbuffer *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	struct mpf m = {.p = fmt, .ap = &cp};
	msgpack_packer_init(&m.pk, sb, msgpack_sbuffer_write);
	mpf_value(&m);
	mpf_ws(&m);
	if (*m.p)
		fail_msg("mpf: trailing \"%s\"", m.p);
	va_end(cp);
}

/* Write the notation into sb (for a frame to compare with). */
static void vmpf_into(msgpack_sbuffer *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmpf(sb, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Shared state: one frame buffer, one decoded request and reply. Each test
 * ends by clearing them (teardown), so the sanitizer run catches leaks. */

static msgpack_sbuffer frame;
static struct uccn_request req;
static struct uccn_reply rep;
static char why[256];

static int group_setup(void **state)
{
	(void)state;
	msgpack_sbuffer_init(&frame);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	msgpack_sbuffer_destroy(&frame);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	uccn_request_clear(&req);
	uccn_reply_clear(&rep);
	msgpack_sbuffer_clear(&frame);
	return 0;
}

static void build(const char *fmt, ...)
{
	va_list ap;
	msgpack_sbuffer_clear(&frame);
	va_start(ap, fmt);
	vmpf(&frame, fmt, ap);
	va_end(ap);
}

static int decode_bytes(const void *buf, size_t len)
{
	uccn_request_clear(&req);
	why[0] = '\0';
	int rc = uccn_request_decode(buf, len, &req, why, sizeof why);
	/* A failure always says why, in text an error reply can carry. */
	if (rc) {
		assert_true(why[0] != '\0');
		assert_true(uccn_text_valid(why, strlen(why), UCCN_MAX_MESSAGE, false));
	}
	return rc;
}

static int decode_frame(void)
{
	return decode_bytes(frame.data, frame.size);
}

static int req_decodef(const char *fmt, ...)
{
	va_list ap;
	msgpack_sbuffer_clear(&frame);
	va_start(ap, fmt);
	vmpf(&frame, fmt, ap);
	va_end(ap);
	return decode_frame();
}

static int reply_decode_frame(enum uccn_op op)
{
	uccn_reply_clear(&rep);
	why[0] = '\0';
	return uccn_reply_decode(frame.data, frame.size, op, &rep, why, sizeof why);
}

static int rep_decodef(enum uccn_op op, const char *fmt, ...)
{
	va_list ap;
	msgpack_sbuffer_clear(&frame);
	va_start(ap, fmt);
	vmpf(&frame, fmt, ap);
	va_end(ap);
	return reply_decode_frame(op);
}

/* After a failed decode the request is clear except the echoed rid. */
static void assert_request_clear(uint64_t rid)
{
	struct uccn_request z;
	memset(&z, 0, sizeof z);
	z.rid = rid;
	assert_memory_equal(&req, &z, sizeof z);
}

static char *repeat(const char *unit, size_t times)
{
	size_t n = strlen(unit);
	char *s = malloc(n * times + 1);
	assert_non_null(s);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * n, unit, n);
	s[n * times] = '\0';
	return s;
}

static void assert_str_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* ------------------------------------------------------------------ */
/* Sample records. */

static void sample_city(struct uccn_city *c)
{
	memset(c, 0, sizeof *c);
	c->id = strdup("krakow");
	c->name = strdup("Kraków");
	c->country = strdup("Poland");
	c->field = strdup("literature");
	c->role = strdup("coordinator");
	c->tz = strdup("Europe/Warsaw");
	c->year = 2013;
	c->term_end = strdup("2027-06-30");
	memcpy(c->key, PUB, sizeof c->key);
	c->seq = 41;
	c->version = 3;
	c->lat = (struct uccn_coord){true, 50.0614};
	c->lon = (struct uccn_coord){true, 19.9366};
}

static void sample_post(struct uccn_post *p)
{
	memset(p, 0, sizeof *p);
	p->seq = 1234;
	p->city = strdup("bogota");
	p->kind = strdup("agenda-item");
	p->project = strdup("sound-map");
	p->meeting = strdup("agm-2026");
	p->title = strdup("Música en Bogotá 🎶");
	p->body = strdup("Line one.\nLine two\twith a tab.\r\n東京 too.");
	p->minutes = 45;
	p->created_ms = 1764068766123;
	p->idem_key = strdup("bogota-2026-0001");
}

static void assert_city_equal(const struct uccn_city *a, const struct uccn_city *b)
{
	assert_str_or_null(a->id, b->id);
	assert_str_or_null(a->name, b->name);
	assert_str_or_null(a->country, b->country);
	assert_str_or_null(a->field, b->field);
	assert_str_or_null(a->role, b->role);
	assert_str_or_null(a->tz, b->tz);
	assert_int_equal(a->year, b->year);
	assert_str_or_null(a->term_end, b->term_end);
	assert_string_equal(a->key, b->key);
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->lat.set, b->lat.set);
	assert_int_equal(a->lon.set, b->lon.set);
	if (a->lat.set)
		assert_true(a->lat.deg == b->lat.deg);
	if (a->lon.set)
		assert_true(a->lon.deg == b->lon.deg);
}

static void assert_post_equal(const struct uccn_post *a, const struct uccn_post *b)
{
	assert_int_equal(a->seq, b->seq);
	assert_str_or_null(a->city, b->city);
	assert_str_or_null(a->kind, b->kind);
	assert_str_or_null(a->project, b->project);
	assert_str_or_null(a->meeting, b->meeting);
	assert_str_or_null(a->title, b->title);
	assert_str_or_null(a->body, b->body);
	assert_int_equal(a->minutes, b->minutes);
	assert_int_equal(a->created_ms, b->created_ms);
	assert_str_or_null(a->idem_key, b->idem_key);
}

static void encode_request(const struct uccn_request *r)
{
	msgpack_sbuffer_clear(&frame);
	assert_int_equal(uccn_request_encode(r, &frame), 0);
}

static void encode_reply(const struct uccn_reply *r)
{
	msgpack_sbuffer_clear(&frame);
	assert_int_equal(uccn_reply_encode(r, &frame), 0);
}

/* ------------------------------------------------------------------ */
/* Ops and error names. */

static void test_op_names(void **state)
{
	(void)state;
	static const struct { enum uccn_op op; const char *name; bool writes; } t[] = {
		{UCCN_OP_STATUS, "status", false}, {UCCN_OP_CITY_ADD, "city.add", true},
		{UCCN_OP_CITY_LIST, "city.list", false}, {UCCN_OP_POST, "post", true},
		{UCCN_OP_LIST, "list", false}, {UCCN_OP_SHOW, "show", false},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_string_equal(uccn_op_name(t[i].op), t[i].name);
		assert_int_equal(uccn_op_from_name(t[i].name), t[i].op);
		assert_int_equal(uccn_op_writes(t[i].op), t[i].writes);
	}
	assert_null(uccn_op_name(UCCN_OP_NONE));
	assert_int_equal(uccn_op_from_name("delete"), UCCN_OP_NONE);
	assert_int_equal(uccn_op_from_name("Status"), UCCN_OP_NONE);
	assert_int_equal(uccn_op_from_name(""), UCCN_OP_NONE);
}

static void test_error_names(void **state)
{
	(void)state;
	for (int code = UCCN_E_AUTH; code <= UCCN_OK; code++) {
		const char *name = uccn_error_name(code);
		assert_non_null(name);
		assert_non_null(uccn_strerror(code));
		if (code == UCCN_E_MAPFULL) /* store-internal: no wire name */
			assert_string_equal(name, "internal");
		else
			assert_int_equal(uccn_error_from_name(name), code);
	}
	assert_string_equal(uccn_error_name(UCCN_E_NOTFOUND), "not_found");
	assert_string_equal(uccn_error_name(-999), "internal");
	assert_string_equal(uccn_strerror(-999), "unknown error");
	assert_int_equal(uccn_error_from_name("meltdown"), UCCN_E_INTERNAL);
}

/* "busy" is about capacity, never about the data directory (which uccnd's
 * start-up reports itself): a city told "data directory in use" when all
 * watch slots are taken would look for a fault that is not there. */
static void test_busy_means_capacity(void **state)
{
	(void)state;
	assert_string_equal(uccn_error_name(UCCN_E_BUSY), "busy");
	assert_null(strstr(uccn_strerror(UCCN_E_BUSY), "directory"));
	assert_non_null(strstr(uccn_strerror(UCCN_E_BUSY), "try again"));
}

/* The copying setter: the record owns a copy, the old value is freed, the
 * new one may come from the old one itself, NULL clears. */
static void test_str_set_copies(void **state)
{
	(void)state;
	char buf[] = "Krak\xc3\xb3w";
	char *field = NULL;
	assert_int_equal(uccn_str_set(&field, buf), 0);
	assert_ptr_not_equal(field, buf);
	buf[0] = 'X';
	assert_string_equal(field, "Krak\xc3\xb3w");
	assert_int_equal(uccn_str_set(&field, field + 4), 0);
	assert_string_equal(field, "\xc3\xb3w");
	assert_int_equal(uccn_str_set(&field, NULL), 0);
	assert_null(field);
	/* and a request filled through it is freed whole by its clear */
	struct uccn_request r = {.op = UCCN_OP_LIST};
	assert_int_equal(uccn_str_set(&r.query.city, "krakow"), 0);
	assert_int_equal(uccn_str_set(&r.name, "x"), 0);
	uccn_request_clear(&r);
	assert_null(r.query.city);
}

/* ------------------------------------------------------------------ */
/* Request round trips. */

static void test_request_status_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_STATUS, .rid = UINT64_MAX};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_STATUS);
	assert_int_equal(req.rid, UINT64_MAX);
}

static void test_request_city_add_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_CITY_ADD, .rid = 17};
	sample_city(&r.city);
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_CITY_ADD);
	assert_int_equal(req.rid, 17);
	/* seq and version are the store's: a client cannot set them. */
	r.city.seq = 0;
	r.city.version = 0;
	assert_city_equal(&req.city, &r.city);
	uccn_request_clear(&r);
}

static void test_request_city_list_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_CITY_LIST, .rid = 0};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_CITY_LIST);
	assert_int_equal(req.rid, 0);
}

static void test_request_post_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_POST, .rid = 9};
	sample_post(&r.post);
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_POST);
	assert_int_equal(req.rid, 9);
	/* The author, seq and time are the server's. */
	free(r.post.city);
	r.post.city = NULL;
	r.post.seq = 0;
	r.post.created_ms = 0;
	assert_post_equal(&req.post, &r.post);
	uccn_request_clear(&r);

	/* A minimal post: optional fields stay absent. */
	struct uccn_request m = {.op = UCCN_OP_POST, .rid = 10};
	m.post.kind = strdup("news");
	m.post.body = strdup("hello");
	encode_request(&m);
	assert_int_equal(decode_frame(), 0);
	assert_post_equal(&req.post, &m.post);
	assert_null(req.post.title);
	assert_null(req.post.idem_key);
	uccn_request_clear(&m);
}

static void test_request_list_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_LIST, .rid = 5};
	r.query.kind = strdup("proposal");
	r.query.city = strdup("dakar");
	r.query.project = strdup("p-1");
	r.query.meeting = strdup("agm-2026");
	r.query.since = 100;
	r.query.before = 200;
	r.query.limit = 50;
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_LIST);
	assert_string_equal(req.query.kind, "proposal");
	assert_string_equal(req.query.city, "dakar");
	assert_string_equal(req.query.project, "p-1");
	assert_string_equal(req.query.meeting, "agm-2026");
	assert_int_equal(req.query.since, 100);
	assert_int_equal(req.query.before, 200);
	assert_int_equal(req.query.limit, 50);
	uccn_request_clear(&r);

	/* No filters: everything "any", limit 0 (the default). */
	struct uccn_request e = {.op = UCCN_OP_LIST, .rid = 6};
	encode_request(&e);
	assert_int_equal(decode_frame(), 0);
	assert_null(req.query.kind);
	assert_null(req.query.city);
	assert_null(req.query.project);
	assert_null(req.query.meeting);
	assert_int_equal(req.query.since, 0);
	assert_int_equal(req.query.before, 0);
	assert_int_equal(req.query.limit, 0);
}

static void test_request_show_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_SHOW, .rid = 3, .seq = 1ULL << 40};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_SHOW);
	assert_int_equal(req.seq, 1ULL << 40);
}

/* The coordinator's ops (SPEC 4.20): the city named, a level of the four
 * and nothing else, up to UCCN_MAX_LOG_LEVEL bytes. */
static void test_admin_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_ADMIN_HANDOVER, .rid = 4, .name = "krakow"};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_ADMIN_HANDOVER);
	assert_string_equal(req.name, "krakow");
	assert_true(uccn_op_writes(UCCN_OP_ADMIN_HANDOVER));
	r.name = "Krak\xc3\xb3w";
	encode_request(&r);
	assert_int_equal(decode_frame(), UCCN_E_INVALID);

	struct uccn_request l = {.op = UCCN_OP_ADMIN_LOG, .rid = 5, .log_level = "debug"};
	encode_request(&l);
	assert_int_equal(decode_frame(), 0);
	assert_string_equal(req.log_level, "debug");
	assert_false(uccn_op_writes(UCCN_OP_ADMIN_LOG));
	l.log_level = "verbose!"; /* at the limit, but no level */
	assert_int_equal(strlen(l.log_level), UCCN_MAX_LOG_LEVEL);
	encode_request(&l);
	assert_int_equal(decode_frame(), UCCN_E_INVALID);
	assert_non_null(strstr(why, "error, warn, info, debug"));
	l.log_level = "verbose!!";
	encode_request(&l);
	assert_int_equal(decode_frame(), UCCN_E_TOOBIG);

	struct uccn_reply a = {.op = UCCN_OP_ADMIN_LOG, .rid = 5, .log_was = "info",
			       .log_level = "debug"};
	encode_reply(&a);
	assert_int_equal(reply_decode_frame(UCCN_OP_ADMIN_LOG), 0);
	assert_string_equal(rep.log_was, "info");
	assert_string_equal(rep.log_level, "debug");
}

/* admin.backup (SPEC 4.20): a backup id is hex; a chunk is bytes, up to
 * UCCN_BACKUP_CHUNK of them and not one more. */
static void test_admin_backup_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_ADMIN_BACKUP, .rid = 6};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_null(req.backup_id);
	assert_false(uccn_op_writes(UCCN_OP_ADMIN_BACKUP));
	r.backup_id = "0c1f5a6fd1833d42";
	r.offset = 5;
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_string_equal(req.backup_id, "0c1f5a6fd1833d42");
	assert_int_equal(req.offset, 5);
	r.backup_id = "0c1f5a6fd1833d420"; /* one past UCCN_BACKUP_ID_LEN */
	encode_request(&r);
	assert_int_equal(decode_frame(), UCCN_E_TOOBIG);
	r.backup_id = "../etc/passwd";
	encode_request(&r);
	assert_int_equal(decode_frame(), UCCN_E_INVALID);
	r.backup_id = "0c1f5a6fd1833d4Z";
	encode_request(&r);
	assert_int_equal(decode_frame(), UCCN_E_INVALID);
	r.backup_id = NULL; /* an offset names a backup */
	encode_request(&r);
	assert_int_equal(decode_frame(), UCCN_E_INVALID);

	unsigned char *big = calloc(1, UCCN_BACKUP_CHUNK + 1);
	assert_non_null(big);
	struct uccn_reply a = {.op = UCCN_OP_ADMIN_BACKUP, .rid = 6,
			       .backup = {.id = "0c1f5a6fd1833d42", .ready = true,
					  .size = UCCN_BACKUP_CHUNK, .done = true,
					  .data = {big, UCCN_BACKUP_CHUNK}}};
	big[UCCN_BACKUP_CHUNK - 1] = 0xc1; /* bytes, not msgpack */
	encode_reply(&a);
	assert_true(frame.size < UCCN_MAX_REPLY_FRAME);
	assert_int_equal(reply_decode_frame(UCCN_OP_ADMIN_BACKUP), 0);
	assert_int_equal(rep.backup.data.len, UCCN_BACKUP_CHUNK);
	assert_int_equal(rep.backup.data.data[UCCN_BACKUP_CHUNK - 1], 0xc1);
	assert_true(rep.backup.done);
	a.backup.data.len = UCCN_BACKUP_CHUNK + 1;
	encode_reply(&a);
	assert_int_equal(reply_decode_frame(UCCN_OP_ADMIN_BACKUP), UCCN_E_TOOBIG);
	free(big);
}

static void test_request_encode_unknown_op(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_NONE};
	msgpack_sbuffer_clear(&frame);
	assert_int_equal(uccn_request_encode(&r, &frame), UCCN_E_INVALID);
	r.op = (enum uccn_op)99;
	assert_int_equal(uccn_request_encode(&r, &frame), UCCN_E_INVALID);
}

/* ------------------------------------------------------------------ */
/* Reply round trips. */

static void test_reply_status_roundtrip(void **state)
{
	(void)state;
	struct uccn_reply r = {.op = UCCN_OP_STATUS, .rid = 77};
	r.info.server = "uccnd 0.1.0";
	r.info.proto = UCCN_PROTO_VERSION;
	r.info.city = "santos";
	r.info.role = "secretariat";
	r.info.cities = 350;
	r.info.posts = 123456;
	r.info.last_seq = 123806;
	r.info.uptime_s = 86400;
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_STATUS), 0);
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.rid, 77);
	assert_string_equal(rep.info.server, "uccnd 0.1.0");
	assert_int_equal(rep.info.proto, UCCN_PROTO_VERSION);
	assert_string_equal(rep.info.city, "santos");
	assert_string_equal(rep.info.role, "secretariat");
	assert_int_equal(rep.info.cities, 350);
	assert_int_equal(rep.info.posts, 123456);
	assert_int_equal(rep.info.last_seq, 123806);
	assert_int_equal(rep.info.uptime_s, 86400);
}

static void unpack_frame(msgpack_unpacked *u);

/* The value under key in map m, or NULL. */
static const msgpack_object *map_value(const msgpack_object *m, const char *key)
{
	assert_int_equal(m->type, MSGPACK_OBJECT_MAP);
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key;
		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(key) &&
		    memcmp(k->via.str.ptr, key, k->via.str.size) == 0)
			return &m->via.map.ptr[i].val;
	}
	return NULL;
}

/* A coordinator's status carries the operator's figures under
 * server_state, refusals by their wire names and only those that occurred
 * (SPEC 4.1). */
static void test_reply_status_server_state(void **state)
{
	(void)state;
	struct uccn_reply r = {.op = UCCN_OP_STATUS, .rid = 3};
	r.info.server = "uccnd 0.1.0";
	r.info.city = "coordinator";
	r.info.role = "coordinator";
	r.info.has_state = true;
	struct uccn_server_state *st = &r.info.state;
	st->data_dir = "/var/lib/uccnd";
	st->data_bytes = 12900000;
	st->map_bytes = 67108864;
	st->map_used_bytes = 12800000;
	st->peers = 4;
	st->commit_p50_us = 1200;
	st->commit_p99_us = 4800;
	st->batches = 10;
	st->writes = 23;
	st->batch_avg_x100 = 230;
	st->mailbox_total = 40;
	st->mailbox_max = 12;
	st->mailbox_max_city = "krakow";
	st->oldest_unread_s = 183600;
	st->refusals.by_code[-UCCN_E_DENIED] = 3;
	st->refusals.by_code[-UCCN_E_BUSY] = 1;
	st->server_key_fingerprint = "2bb5:eab6:4a9e:5e04";
	encode_reply(&r);

	msgpack_unpacked u;
	unpack_frame(&u);
	const msgpack_object *sv = map_value(&u.data, "server_state");
	assert_non_null(sv);
	const msgpack_object *ref = map_value(sv, "refusals");
	assert_non_null(ref);
	assert_int_equal(ref->via.map.size, 2);
	assert_int_equal(map_value(ref, uccn_error_name(UCCN_E_DENIED))->via.u64, 3);
	assert_int_equal(map_value(ref, uccn_error_name(UCCN_E_BUSY))->via.u64, 1);
	/* Counters at 0 are sent: a figure never goes missing. */
	assert_non_null(map_value(sv, "drops"));
	msgpack_unpacked_destroy(&u);

	assert_int_equal(reply_decode_frame(UCCN_OP_STATUS), 0);
	assert_true(rep.info.has_state);
	const struct uccn_server_state *o = &rep.info.state;
	assert_string_equal(o->data_dir, "/var/lib/uccnd");
	assert_int_equal(o->data_bytes, 12900000);
	assert_int_equal(o->map_bytes, 67108864);
	assert_int_equal(o->map_used_bytes, 12800000);
	assert_int_equal(o->peers, 4);
	assert_int_equal(o->commit_p50_us, 1200);
	assert_int_equal(o->commit_p99_us, 4800);
	assert_int_equal(o->batches, 10);
	assert_int_equal(o->writes, 23);
	assert_int_equal(o->batch_avg_x100, 230);
	assert_int_equal(o->mailbox_total, 40);
	assert_int_equal(o->mailbox_max, 12);
	assert_string_equal(o->mailbox_max_city, "krakow");
	assert_int_equal(o->oldest_unread_s, 183600);
	assert_int_equal(o->refusals.by_code[-UCCN_E_DENIED], 3);
	assert_int_equal(o->refusals.by_code[-UCCN_E_BUSY], 1);
	assert_int_equal(o->refusals.by_code[-UCCN_E_INVALID], 0);
	assert_int_equal(o->drops, 0);
	assert_string_equal(o->server_key_fingerprint, "2bb5:eab6:4a9e:5e04");

	/* Every error a server sends has its key, under its wire name. */
	for (int code = UCCN_E_INVALID; code >= UCCN_E_BUSY; code--) {
		memset(&st->refusals, 0, sizeof st->refusals);
		st->refusals.by_code[-code] = 7;
		encode_reply(&r);
		unpack_frame(&u);
		ref = map_value(map_value(&u.data, "server_state"), "refusals");
		assert_int_equal(ref->via.map.size, 1);
		assert_non_null(map_value(ref, uccn_error_name(code)));
		msgpack_unpacked_destroy(&u);
	}
}

/* A member's status is today's reply: no server_state key at all, and a
 * reply without one (an older server's) decodes as before. Kinds of
 * refusal a newer server may add are ignored. */
static void test_reply_status_member_has_no_state(void **state)
{
	(void)state;
	struct uccn_reply r = {.op = UCCN_OP_STATUS, .rid = 4};
	r.info.server = "uccnd 0.1.0";
	r.info.city = "santos";
	r.info.role = "member";
	encode_reply(&r);
	msgpack_unpacked u;
	unpack_frame(&u);
	assert_null(map_value(&u.data, "server_state"));
	assert_int_equal(u.data.via.map.size, 13); /* v, rid, ok and the ten of 4.1 */
	msgpack_unpacked_destroy(&u);
	assert_int_equal(reply_decode_frame(UCCN_OP_STATUS), 0);
	assert_false(rep.info.has_state);

	assert_int_equal(rep_decodef(UCCN_OP_STATUS,
		"{v:1, rid:1, ok:true, server:'uccnd 0.1.0', server_state:{peers:2, "
		"refusals:{denied:1, overheated:9}}}"), 0);
	assert_true(rep.info.has_state);
	assert_int_equal(rep.info.state.peers, 2);
	assert_int_equal(rep.info.state.refusals.by_code[-UCCN_E_DENIED], 1);
	assert_int_equal(rep_decodef(UCCN_OP_STATUS,
		"{v:1, rid:1, ok:true, server_state:{refusals:{denied:'x'}}}"), UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_STATUS,
		"{v:1, rid:1, ok:true, server_state:7}"), UCCN_E_INVALID);
}

static void test_reply_city_add_roundtrip(void **state)
{
	(void)state;
	struct uccn_reply r = {.op = UCCN_OP_CITY_ADD, .rid = 2, .seq = 351};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_CITY_ADD), 0);
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.rid, 2);
	assert_int_equal(rep.seq, 351);
}

static void test_reply_city_list_roundtrip(void **state)
{
	(void)state;
	struct uccn_city cities[2];
	sample_city(&cities[0]);
	memset(&cities[1], 0, sizeof cities[1]);
	cities[1].id = strdup("bogota");
	cities[1].name = strdup("Bogotá");
	cities[1].field = strdup("music");
	cities[1].role = strdup("member");
	struct uccn_reply r = {.op = UCCN_OP_CITY_LIST, .rid = 4,
			       .cities = cities, .ncities = 2};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_CITY_LIST), 0);
	assert_int_equal(rep.ncities, 2);
	assert_city_equal(&rep.cities[0], &cities[0]);
	assert_city_equal(&rep.cities[1], &cities[1]);
	assert_null(rep.cities[1].country);
	assert_null(rep.cities[1].tz);
	assert_string_equal(rep.cities[1].key, "");
	uccn_city_clear(&cities[0]);
	uccn_city_clear(&cities[1]);

	/* An empty network. */
	struct uccn_reply e = {.op = UCCN_OP_CITY_LIST, .rid = 5};
	encode_reply(&e);
	assert_int_equal(reply_decode_frame(UCCN_OP_CITY_LIST), 0);
	assert_int_equal(rep.ncities, 0);
	assert_null(rep.cities);
}

static void test_reply_post_roundtrip(void **state)
{
	(void)state;
	struct uccn_reply r = {.op = UCCN_OP_POST, .rid = 8, .seq = 99,
			       .duplicate = true, .created_ms = 1764068766123};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_POST), 0);
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.rid, 8);
	assert_int_equal(rep.seq, 99);
	assert_true(rep.duplicate);
	assert_int_equal(rep.created_ms, 1764068766123);

	r.duplicate = false;
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_POST), 0);
	assert_false(rep.duplicate);
}

static void test_reply_list_roundtrip(void **state)
{
	(void)state;
	struct uccn_post posts[2];
	sample_post(&posts[0]);
	memset(&posts[1], 0, sizeof posts[1]);
	posts[1].seq = 1200;
	posts[1].city = strdup("dakar");
	posts[1].kind = strdup("news");
	posts[1].body = strdup("Bonjour");
	posts[1].created_ms = 1;
	struct uccn_reply r = {.op = UCCN_OP_LIST, .rid = 11, .posts = posts,
			       .nposts = 2, .next = 1200};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_LIST), 0);
	assert_int_equal(rep.nposts, 2);
	assert_int_equal(rep.next, 1200);
	assert_post_equal(&rep.posts[0], &posts[0]);
	assert_post_equal(&rep.posts[1], &posts[1]);
	assert_null(rep.posts[1].title);
	assert_null(rep.posts[1].project);
	uccn_post_clear(&posts[0]);
	uccn_post_clear(&posts[1]);

	/* The last page: no posts, next 0. */
	struct uccn_reply e = {.op = UCCN_OP_LIST, .rid = 12};
	encode_reply(&e);
	assert_int_equal(reply_decode_frame(UCCN_OP_LIST), 0);
	assert_int_equal(rep.nposts, 0);
	assert_null(rep.posts);
	assert_int_equal(rep.next, 0);
}

static void test_reply_show_roundtrip(void **state)
{
	(void)state;
	struct uccn_post p;
	sample_post(&p);
	struct uccn_reply r = {.op = UCCN_OP_SHOW, .rid = 13, .posts = &p, .nposts = 1};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_SHOW), 0);
	assert_int_equal(rep.nposts, 1);
	assert_post_equal(&rep.posts[0], &p);
	uccn_post_clear(&p);

	/* A show reply carries exactly one post. */
	struct uccn_reply z = {.op = UCCN_OP_SHOW, .rid = 14};
	msgpack_sbuffer_clear(&frame);
	assert_int_equal(uccn_reply_encode(&z, &frame), UCCN_E_INVALID);
}

/* ------------------------------------------------------------------ */
/* The records ops: fields, city show/update/rekey/import. */

static void test_request_records_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_FIELD_ADD, .rid = 5, .name = "comics"};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_FIELD_ADD);
	assert_string_equal(req.name, "comics");

	r = (struct uccn_request){.op = UCCN_OP_CITY_SHOW, .rid = 6, .name = "krakow"};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_string_equal(req.name, "krakow");

	r = (struct uccn_request){.op = UCCN_OP_CITY_LIST, .field = "film", .country = "Poland"};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_string_equal(req.field, "film");
	assert_string_equal(req.country, "Poland");

	struct uccn_request u = {.op = UCCN_OP_CITY_UPDATE, .rid = 7, .if_version = 3};
	sample_city(&u.city);
	encode_request(&u);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.if_version, 3);
	assert_string_equal(req.city.tz, "Europe/Warsaw");
	assert_true(req.city.lat.set && req.city.lat.deg == 50.0614);
	assert_int_equal(req.city.version, 0); /* the store's to set */
	u.if_version = 0; /* an update must say which version it read */
	encode_request(&u);
	assert_int_equal(decode_frame(), UCCN_E_INVALID);

	struct uccn_request k = {.op = UCCN_OP_CITY_REKEY, .rid = 8};
	k.city.id = "krakow";
	memcpy(k.city.key, PUB, sizeof k.city.key);
	encode_request(&k);
	assert_int_equal(decode_frame(), 0);
	assert_string_equal(req.city.id, "krakow");
	assert_string_equal(req.city.key, PUB);

	struct uccn_request im = {.op = UCCN_OP_CITY_IMPORT, .rid = 9, .cities = &u.city, .ncities = 1};
	encode_request(&im);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.ncities, 1);
	assert_string_equal(req.cities[0].name, "Kraków");
	uccn_city_clear(&u.city);
}

static void test_request_field_name_rules(void **state)
{
	(void)state;
	assert_int_equal(req_decodef("{v:1, op:'field.add', name:'media_arts'}"), 0);
	assert_int_equal(req_decodef("{v:1, op:'field.add', name:'Media Arts'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'field.add'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'city.show', id:'../x'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'city.rekey', id:'krakow', key:'short'}"), UCCN_E_INVALID);
}

static void test_limit_import(void **state)
{
	(void)state;
	/* UCCN_MAX_IMPORT cities decode; one more is too big, before any is read. */
	size_t n = UCCN_MAX_IMPORT + 1;
	struct uccn_city *cs = calloc(n, sizeof *cs);
	assert_non_null(cs);
	for (size_t i = 0; i < n; i++) {
		cs[i].id = "c";
		cs[i].name = "C";
		cs[i].field = "film";
		cs[i].role = "member";
	}
	struct uccn_request r = {.op = UCCN_OP_CITY_IMPORT, .cities = cs, .ncities = n - 1};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.ncities, UCCN_MAX_IMPORT);
	r.ncities = n;
	encode_request(&r);
	assert_int_equal(decode_frame(), UCCN_E_TOOBIG);
	free(cs);
	/* A bad city names its place in the list. (A role is no longer a
	 * fault: an import ignores it, so a bad field name stands in.) */
	assert_int_equal(req_decodef("{v:1, op:'city.import', cities:[{id:'a', name:'A', field:'film', role:'member'},"
				     " {id:'b', name:'B', field:'Film', role:'member'}]}"),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "city 2"));
}

/* SPEC 4.12.1: an import staged in chunks under an id the server draws. */
static void test_import_stage(void **state)
{
	(void)state;
	struct uccn_city c;
	sample_city(&c);
	struct uccn_request r = {.op = UCCN_OP_CITY_IMPORT_STAGE, .rid = 1, .cities = &c,
				 .ncities = 1, .import_id = "3f9c0a51d2e87b64"};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_CITY_IMPORT_STAGE);
	assert_string_equal(req.import_id, "3f9c0a51d2e87b64");
	assert_int_equal(req.ncities, 1);
	/* The commit names it; its own cities may be none. */
	r = (struct uccn_request){.op = UCCN_OP_CITY_IMPORT, .rid = 2,
				  .import_id = "3f9c0a51d2e87b64"};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_string_equal(req.import_id, "3f9c0a51d2e87b64");
	assert_int_equal(req.ncities, 0);
	uccn_city_clear(&c);
	/* An id is 16 lower-case hex digits, no more and no other. */
	assert_int_equal(req_decodef("{v:1, op:'city.import', import:'3F9C0A51D2E87B64', cities:[]}"),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'city.import.stage', import:'3f9c', cities:[]}"),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'city.import.stage', import:'3f9c0a51d2e87b64a',"
				     " cities:[]}"), UCCN_E_TOOBIG);
	assert_int_equal(req_decodef("{v:1, op:'city.import.stage', discard:true, cities:[]}"),
			 UCCN_E_INVALID);
	/* A bad city keeps the id and its place, for the server to count
	 * across the whole import. */
	assert_int_equal(req_decodef("{v:1, op:'city.import.stage', import:'3f9c0a51d2e87b64',"
				     " cities:[{id:'a', name:'A', field:'film'}, {id:'b', name:'B',"
				     " field:'Film'}]}"), UCCN_E_INVALID);
	assert_int_equal(req.error_index, 2);
	assert_non_null(req.import_id);
	assert_string_equal(req.import_id, "3f9c0a51d2e87b64");
	assert_int_equal(req.ncities, 0);

	struct uccn_reply p = {.op = UCCN_OP_CITY_IMPORT_STAGE, .rid = 3,
			       .import_id = "3f9c0a51d2e87b64", .staged = 474};
	encode_reply(&p);
	assert_int_equal(reply_decode_frame(UCCN_OP_CITY_IMPORT_STAGE), 0);
	assert_string_equal(rep.import_id, "3f9c0a51d2e87b64");
	assert_int_equal(rep.staged, 474);
}

static void test_reply_records_roundtrip(void **state)
{
	(void)state;
	char *names[] = {"literature", "architecture"};
	struct uccn_reply r = {.op = UCCN_OP_FIELD_LIST, .rid = 1, .fields = names, .nfields = 2};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_FIELD_LIST), 0);
	assert_int_equal(rep.nfields, 2);
	assert_string_equal(rep.fields[1], "architecture");

	struct uccn_city c;
	sample_city(&c);
	r = (struct uccn_reply){.op = UCCN_OP_CITY_SHOW, .rid = 2, .cities = &c, .ncities = 1};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_CITY_SHOW), 0);
	assert_int_equal(rep.ncities, 1);
	assert_city_equal(&rep.cities[0], &c);
	uccn_city_clear(&c);

	r = (struct uccn_reply){.op = UCCN_OP_CITY_UPDATE, .rid = 3, .seq = 70, .version = 4};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_CITY_UPDATE), 0);
	assert_int_equal(rep.seq, 70);
	assert_int_equal(rep.version, 4);

	r = (struct uccn_reply){.op = UCCN_OP_CITY_IMPORT, .rid = 4, .added = 349, .updated = 1, .unchanged = 7};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_CITY_IMPORT), 0);
	assert_int_equal(rep.added, 349);
	assert_int_equal(rep.updated, 1);
	assert_int_equal(rep.unchanged, 7);

	/* An error reply may say which item of the request it is about. */
	r = (struct uccn_reply){.op = UCCN_OP_CITY_IMPORT, .rid = 5, .status = UCCN_E_NOTFOUND,
				.message = "field 'sculpture' does not exist", .error_index = 4};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_CITY_IMPORT), 0);
	assert_int_equal(rep.status, UCCN_E_NOTFOUND);
	assert_int_equal(rep.error_index, 4);
	r.error_index = 0;
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_CITY_IMPORT), 0);
	assert_int_equal(rep.error_index, 0);
}

/* A published agenda goes out and comes back whole; its limits hold. */
static void test_agenda_pub_roundtrip(void **state)
{
	(void)state;
	struct uccn_agenda_entry e[2] = {
		{.key = "opening", .title = "Opening", .day = 1, .start = 540, .end = 555},
		{.key = "post:109", .title = "An impossible marathon", .deferred = true,
		 .reason = "needs 600 minutes; the longest stretch between breaks is 90"},
	};
	struct uccn_request r = {.op = UCCN_OP_AGENDA_PUBLISH, .rid = 4};
	r.agenda = (struct uccn_agenda_pub){.meeting = "col-2026", .entries = e, .nentries = 2,
					    .version = 7, .by = "krakow"};
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_string_equal(req.agenda.meeting, "col-2026");
	assert_int_equal(req.agenda.nentries, 2);
	assert_int_equal(req.agenda.entries[0].start, 540);
	assert_true(req.agenda.entries[1].deferred);
	assert_string_equal(req.agenda.entries[1].reason, e[1].reason);
	/* the store numbers it and the server names who published */
	assert_int_equal(req.agenda.version, 0);
	assert_null(req.agenda.by);

	struct uccn_reply rep_in = {.op = UCCN_OP_AGENDA_GET, .rid = 5, .has_agenda = true};
	rep_in.agenda = (struct uccn_agenda_pub){.meeting = "col-2026", .entries = e, .nentries = 2,
						 .version = 3, .by = "krakow", .published_ms = 1764068766123};
	encode_reply(&rep_in);
	assert_int_equal(reply_decode_frame(UCCN_OP_AGENDA_GET), 0);
	assert_int_equal(rep.agenda.version, 3);
	assert_string_equal(rep.agenda.by, "krakow");
	assert_int_equal(rep.agenda.nentries, 2);
	assert_string_equal(rep.agenda.entries[1].key, "post:109");

	/* refused: an entry without a key, a bad meeting id, a day past 99 */
	assert_int_equal(req_decodef("{v:1, op:'agenda.publish', agenda:{meeting:'m', entries:[{title:'x'}]}}"),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'agenda.publish', agenda:{meeting:'M M', entries:[]}}"),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'agenda.publish', agenda:{meeting:'m', entries:[{key:'k', title:'t', day:100}]}}"),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'agenda.get', id:'col-2026', version:2}"), 0);
	assert_int_equal(req.seq, 2);
}

static void test_reply_error_roundtrip(void **state)
{
	(void)state;
	for (int code = UCCN_E_AUTH; code < UCCN_OK; code++) {
		char msg[64];
		snprintf(msg, sizeof msg, "reason for %d: «détail»", code);
		struct uccn_reply r = {.op = UCCN_OP_POST, .rid = 1000 + (uint64_t)-code,
				       .status = code, .message = msg};
		encode_reply(&r);
		assert_int_equal(reply_decode_frame(UCCN_OP_POST), 0);
		assert_int_equal(rep.rid, 1000 + (uint64_t)-code);
		assert_int_equal(rep.status, code == UCCN_E_MAPFULL ? UCCN_E_INTERNAL : code);
		assert_string_equal(rep.message, msg);
		assert_int_equal(rep.seq, 0);
	}
	/* No message given: the code's description is sent. */
	struct uccn_reply r = {.op = UCCN_OP_LIST, .rid = 1, .status = UCCN_E_DENIED};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_LIST), 0);
	assert_int_equal(rep.status, UCCN_E_DENIED);
	assert_string_equal(rep.message, uccn_strerror(UCCN_E_DENIED));
	/* An error reply decodes whatever op was asked. */
	for (enum uccn_op op = UCCN_OP_STATUS; op <= UCCN_OP_LAST; op++) {
		assert_int_equal(reply_decode_frame(op), 0);
		assert_int_equal(rep.status, UCCN_E_DENIED);
		assert_int_equal(rep.nposts, 0);
	}
}

static void test_reply_error_message_limit(void **state)
{
	(void)state;
	char *at = repeat("m", UCCN_MAX_MESSAGE);
	char *past = repeat("m", UCCN_MAX_MESSAGE + 1);
	assert_int_equal(rep_decodef(UCCN_OP_POST,
		"{v:1, rid:1, ok:false, error:'denied', message:%s}", at), 0);
	assert_int_equal(rep.status, UCCN_E_DENIED);
	assert_int_equal(strlen(rep.message), UCCN_MAX_MESSAGE);
	assert_int_equal(rep_decodef(UCCN_OP_POST,
		"{v:1, rid:1, ok:false, error:'denied', message:%s}", past), UCCN_E_TOOBIG);
	assert_null(rep.message);
	free(at);
	free(past);
}

static void test_reply_hostile(void **state)
{
	(void)state;
	/* Unknown or bogus error names become "internal", never success. */
	assert_int_equal(rep_decodef(UCCN_OP_STATUS,
		"{v:1, rid:1, ok:false, error:'meltdown', message:'x'}"), 0);
	assert_int_equal(rep.status, UCCN_E_INTERNAL);
	assert_int_equal(rep_decodef(UCCN_OP_STATUS, "{v:1, rid:1, ok:false, error:'ok'}"), 0);
	assert_int_equal(rep.status, UCCN_E_INTERNAL);
	assert_int_equal(rep_decodef(UCCN_OP_STATUS, "{v:1, rid:1, ok:false}"), 0);
	assert_int_equal(rep.status, UCCN_E_INTERNAL);

	assert_int_equal(rep_decodef(UCCN_OP_STATUS, "{v:1, rid:1}"), UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_STATUS, "{v:1, rid:1, ok:1}"), UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_STATUS, "{v:2, rid:1, ok:true}"), UCCN_E_VERSION);
	assert_int_equal(rep_decodef(UCCN_OP_STATUS, "{v:1, rid:1, ok:true, server:7}"),
			 UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_NONE, "{v:1, rid:1, ok:true}"), UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_LIST, "{v:1, rid:1, ok:true, next:0}"),
			 UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_LIST, "{v:1, rid:5, ok:true, posts:'x'}"),
			 UCCN_E_INVALID);
	assert_int_equal(rep.rid, 5); /* the caller can still match the reply */
	assert_int_equal(rep.nposts, 0);
	assert_int_equal(rep_decodef(UCCN_OP_LIST,
		"{v:1, rid:1, ok:true, posts:[{seq:1, kind:'news', body:'a'}, 7]}"),
		UCCN_E_INVALID);
	assert_null(rep.posts);
	assert_int_equal(rep_decodef(UCCN_OP_CITY_LIST,
		"{v:1, rid:1, ok:true, cities:[{id:'a'}, {id:7}]}"), UCCN_E_INVALID);
	assert_null(rep.cities);
	assert_int_equal(rep_decodef(UCCN_OP_SHOW, "{v:1, rid:1, ok:true}"), UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_SHOW, "{v:1, rid:1, ok:true, post:[]}"),
			 UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_POST,
		"{v:1, rid:1, ok:true, seq:1, created:-5}"), UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_POST,
		"{v:1, rid:1, ok:true, seq:1, duplicate:'yes'}"), UCCN_E_INVALID);
	/* A 4-billion-element array in a reply is refused without allocating. */
	static const char huge[] = {(char)0xdd, (char)0xff, (char)0xff, (char)0xff, (char)0xff};
	assert_int_equal(rep_decodef(UCCN_OP_LIST, "{v:1, rid:1, ok:true, posts:%r}",
				     huge, sizeof huge), UCCN_E_INVALID);
}

/* ------------------------------------------------------------------ */
/* Records: msgpack form. */

static void unpack_frame(msgpack_unpacked *u)
{
	size_t off = 0;
	msgpack_unpacked_init(u);
	assert_int_equal(msgpack_unpack_next(u, frame.data, frame.size, &off),
			 MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(off, frame.size);
}

static void test_city_record_roundtrip(void **state)
{
	(void)state;
	struct uccn_city c, out;
	msgpack_packer pk;
	msgpack_unpacked u;
	sample_city(&c);
	memset(&out, 0, sizeof out);
	msgpack_sbuffer_clear(&frame);
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_city_pack(&pk, &c), 0);
	unpack_frame(&u);
	assert_int_equal(u.data.type, MSGPACK_OBJECT_MAP);
	assert_int_equal(u.data.via.map.size, 13); /* every field, lat and lon too */
	assert_int_equal(uccn_city_from_object(&u.data, &out, why, sizeof why), 0);
	assert_city_equal(&out, &c);
	assert_int_equal(uccn_city_check(&out, why, sizeof why), 0);
	/* A term that ends on no real day is refused, by name. */
	free(out.term_end);
	out.term_end = strdup("2027-02-29");
	assert_int_equal(uccn_city_check(&out, why, sizeof why), UCCN_E_INVALID);
	assert_non_null(strstr(why, "term_end"));
	msgpack_unpacked_destroy(&u);
	uccn_city_clear(&out);
	uccn_city_clear(&c);
}

static void test_post_record_roundtrip(void **state)
{
	(void)state;
	struct uccn_post p, out;
	msgpack_packer pk;
	msgpack_unpacked u;
	sample_post(&p);
	memset(&out, 0, sizeof out);
	msgpack_sbuffer_clear(&frame);
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_post_pack(&pk, &p), 0);
	unpack_frame(&u);
	assert_int_equal(u.data.via.map.size, 10);
	assert_int_equal(uccn_post_from_object(&u.data, &out, why, sizeof why), 0);
	assert_post_equal(&out, &p);
	assert_int_equal(uccn_post_check(&out, why, sizeof why), 0);
	msgpack_unpacked_destroy(&u);
	uccn_post_clear(&out);
	uccn_post_clear(&p);
}

static void test_record_optional_absent(void **state)
{
	(void)state;
	struct uccn_city c = {0}, cout = {0};
	struct uccn_post p = {0}, pout = {0};
	msgpack_packer pk;
	msgpack_unpacked u;
	c.id = "lyon";
	c.name = "Lyon";
	c.field = "media_arts";
	c.role = "member";
	msgpack_sbuffer_clear(&frame);
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_city_pack(&pk, &c), 0);
	unpack_frame(&u);
	assert_int_equal(u.data.via.map.size, 4); /* absent fields are left out */
	assert_int_equal(uccn_city_from_object(&u.data, &cout, why, sizeof why), 0);
	assert_null(cout.country);
	assert_null(cout.tz);
	assert_int_equal(cout.year, 0);
	assert_string_equal(cout.key, "");
	assert_int_equal(cout.seq, 0);
	assert_int_equal(cout.version, 0);
	assert_int_equal(uccn_city_check(&cout, why, sizeof why), 0);
	msgpack_unpacked_destroy(&u);
	uccn_city_clear(&cout);

	p.kind = "news";
	p.body = "x";
	msgpack_sbuffer_clear(&frame);
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_post_pack(&pk, &p), 0);
	unpack_frame(&u);
	assert_int_equal(u.data.via.map.size, 2);
	assert_int_equal(uccn_post_from_object(&u.data, &pout, why, sizeof why), 0);
	assert_int_equal(pout.seq, 0);
	assert_null(pout.city);
	assert_null(pout.project);
	assert_null(pout.meeting);
	assert_null(pout.title);
	assert_null(pout.idem_key);
	assert_int_equal(pout.minutes, 0);
	assert_int_equal(pout.created_ms, 0);
	assert_string_equal(pout.body, "x");
	msgpack_unpacked_destroy(&u);
	uccn_post_clear(&pout);

	/* Explicit nil is the same as absent; unknown keys are ignored. */
	build("{kind:'news', body:'x', title:nil, minutes:nil, colour:'blue'}");
	unpack_frame(&u);
	assert_int_equal(uccn_post_from_object(&u.data, &pout, why, sizeof why), 0);
	assert_null(pout.title);
	assert_int_equal(pout.minutes, 0);
	msgpack_unpacked_destroy(&u);
	uccn_post_clear(&pout);
}

static void test_record_copy(void **state)
{
	(void)state;
	struct uccn_city c, cc;
	struct uccn_post p, pc;
	sample_city(&c);
	sample_post(&p);
	assert_int_equal(uccn_city_copy(&cc, &c), 0);
	assert_int_equal(uccn_post_copy(&pc, &p), 0);
	assert_ptr_not_equal(cc.name, c.name); /* deep: owns its strings */
	assert_ptr_not_equal(pc.body, p.body);
	assert_city_equal(&cc, &c);
	assert_post_equal(&pc, &p);
	uccn_city_clear(&c);
	uccn_post_clear(&p);
	assert_string_equal(cc.name, "Kraków"); /* survives the original */
	assert_string_equal(pc.title, "Música en Bogotá 🎶");
	uccn_city_clear(&cc);
	uccn_post_clear(&pc);
	assert_null(cc.name);
	assert_int_equal(pc.seq, 0);
}

/* ------------------------------------------------------------------ */
/* Validation. */

static void test_valid_ids(void **state)
{
	(void)state;
	char *at = repeat("a", UCCN_MAX_ID), *past = repeat("a", UCCN_MAX_ID + 1);
	const char *good[] = {"krakow", "san-sebastian", "a", "0", "2026-agm", at};
	const char *bad[] = {"", "-krakow", "krakow-", "Krakow", "krak ow",
			     "kraków", "a_b", "a.b", "a/b", past};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(uccn_id_valid(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(uccn_id_valid(bad[i]));
	assert_false(uccn_id_valid(NULL));
	free(at);
	free(past);
}

static void test_valid_field_names(void **state)
{
	(void)state;
	char *at = repeat("f", UCCN_MAX_FIELD), *past = repeat("f", UCCN_MAX_FIELD + 1);
	const char *good[] = {"literature", "crafts_folk_art", "media_arts", "x2", at};
	const char *bad[] = {"", "1film", "_music", "Music", "film-x", "de sign", past};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(uccn_field_name_valid(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(uccn_field_name_valid(bad[i]));
	assert_false(uccn_field_name_valid(NULL));
	free(at);
	free(past);
}

static void test_valid_kinds_roles(void **state)
{
	(void)state;
	const char *kinds[] = {"update", "news", "proposal", "agenda-item",
			       "good-practice", "report", "message"};
	size_t n = 0;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		assert_true(uccn_post_kind_valid(kinds[i]));
	for (; uccn_post_kinds[n]; n++)
		assert_string_equal(uccn_post_kinds[n], kinds[n]); /* help text order */
	assert_int_equal(n, 7);
	assert_false(uccn_post_kind_valid("News"));
	assert_false(uccn_post_kind_valid("agenda_item"));
	assert_false(uccn_post_kind_valid(""));
	assert_false(uccn_post_kind_valid(NULL));

	assert_true(uccn_city_role_valid("member"));
	assert_true(uccn_city_role_valid("coordinator"));
	assert_true(uccn_city_role_valid("secretariat"));
	assert_false(uccn_city_role_valid("admin"));
	assert_false(uccn_city_role_valid("Member"));
	assert_false(uccn_city_role_valid("member "));
	assert_false(uccn_city_role_valid(""));
	assert_false(uccn_city_role_valid(NULL));
}

static void test_valid_tz(void **state)
{
	(void)state;
	char *at = repeat("A", UCCN_MAX_TZ), *past = repeat("A", UCCN_MAX_TZ + 1);
	const char *good[] = {"Europe/Warsaw", "America/Argentina/Buenos_Aires",
			      "America/Port-au-Prince", "Etc/GMT+5", "Etc/GMT-14",
			      "UTC", at};
	const char *bad[] = {"", "/etc/passwd", "../../etc/passwd", "Europe/../x",
			     ".hidden", "Europe/Warsaw ", "Europe\\Warsaw",
			     "Europe/Kraków", "Europe/Warsaw\n", past};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(uccn_tz_name_valid(good[i]));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(uccn_tz_name_valid(bad[i]));
	assert_false(uccn_tz_name_valid(NULL));
	free(at);
	free(past);
}

static void test_valid_z85(void **state)
{
	(void)state;
	assert_true(uccn_key_z85_valid(PUB));
	assert_true(uccn_key_z85_valid(SEC));
	assert_true(uccn_key_z85_valid("0123456789abcdefghijklmnopqrstuvwxyzABCD"));
	assert_false(uccn_key_z85_valid(NULL));
	assert_false(uccn_key_z85_valid(""));
	assert_false(uccn_key_z85_valid("0123456789abcdefghijklmnopqrstuvwxyzABC"));   /* 39 */
	assert_false(uccn_key_z85_valid("0123456789abcdefghijklmnopqrstuvwxyzABCDE")); /* 41 */
	const char *badchars = " \"',;\\_`|~";
	for (const char *c = badchars; *c; c++) {
		char k[UCCN_KEY_Z85_LEN + 1];
		memcpy(k, PUB, sizeof k);
		k[17] = *c;
		assert_false(uccn_key_z85_valid(k));
	}
}

static void test_valid_utf8(void **state)
{
	(void)state;
	static const struct { const char *s; size_t n; } good[] = {
		{"Kraków", 0}, {"Bogotá", 0}, {"東京 / 서울", 0}, {"🎨🎶 arts", 0},
		{"\xf4\x8f\xbf\xbf", 0} /* U+10FFFF */, {"", 0},
	}, bad[] = {
		{"\xc0\xaf", 0},             /* overlong '/' */
		{"\xc1\x81", 0},             /* overlong 'A' */
		{"\xe0\x80\xaf", 0},         /* overlong, 3 bytes */
		{"\xf0\x80\x80\xaf", 0},     /* overlong, 4 bytes */
		{"\xed\xa0\x80", 0},         /* surrogate U+D800 */
		{"\xed\xbf\xbf", 0},         /* surrogate U+DFFF */
		{"\xf4\x90\x80\x80", 0},     /* past U+10FFFF */
		{"Krak\xc3", 0},             /* truncated at the end */
		{"\xe6\x9d" "x", 0},         /* truncated in the middle */
		{"\xf0\x9f\x8e", 0},         /* 3 of 4 bytes */
		{"\x80", 0},                 /* lone continuation */
		{"ab\xff" "cd", 0},          /* invalid byte */
		{"\xfe", 0},
		{"ab\0cd", 5},               /* embedded NUL */
		{"a\x01" "b", 0},            /* control character */
		{"a\x7f" "b", 0},            /* DEL */
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		size_t n = good[i].n ? good[i].n : strlen(good[i].s);
		assert_true(uccn_text_valid(good[i].s, n, 100, true));
		assert_true(uccn_text_valid(good[i].s, n, 100, false));
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = bad[i].n ? bad[i].n : strlen(bad[i].s);
		if (uccn_text_valid(bad[i].s, n, 100, false))
			fail_msg("accepted bad UTF-8 #%zu", i);
		assert_false(uccn_text_valid(bad[i].s, n, 100, true));
	}
	/* Multi-line text takes TAB, LF and CR; one line takes none of them. */
	const char *ml = "line one\n\tline two\r\n";
	assert_true(uccn_text_valid(ml, strlen(ml), 100, false));
	assert_false(uccn_text_valid("a\nb", 3, 100, true));
	assert_false(uccn_text_valid("a\tb", 3, 100, true));
	assert_false(uccn_text_valid("a\rb", 3, 100, true));
	/* C1 controls (U+0085 NEXT LINE) break a line too. */
	assert_false(uccn_text_valid("a\xc2\x85" "b", 4, 100, true));
	/* max counts bytes, not characters. */
	assert_true(uccn_text_valid("Kraków", 7, 7, true));
	assert_false(uccn_text_valid("Kraków", 7, 6, true));
}

static void test_record_rules(void **state)
{
	(void)state;
#define CITY(extra) "{v:1, rid:21, op:'city.add', city:{" extra "}}"
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'Kraków', field:'literature', role:'member'")), 0);
	assert_int_equal(req_decodef(CITY("id:'Kraków', name:'Kraków', field:'literature', role:'member'")), UCCN_E_INVALID);
	assert_int_equal(req.rid, 21);
	assert_int_equal(req_decodef(CITY("name:'Kraków', field:'literature', role:'member'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', field:'literature', role:'member'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'', field:'literature', role:'member'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', field:'Literature', role:'member'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', role:'member'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', field:'film', role:'admin'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', field:'film'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', field:'film', role:'member', tz:'../etc/passwd'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', field:'film', role:'member', tz:''")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', field:'film', role:'member', year:2003")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', field:'film', role:'member', year:2004")), 0);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', field:'film', role:'member', year:2100")), 0);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', field:'film', role:'member', year:2101")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY("id:'krakow', name:'K', field:'film', role:'member', key:'short'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'city.add'}"), UCCN_E_INVALID);
#undef CITY
#define POST(extra) "{v:1, rid:22, op:'post', post:{" extra "}}"
	assert_int_equal(req_decodef(POST("kind:'news', body:'b'")), 0);
	assert_int_equal(req_decodef(POST("kind:'gossip', body:'b'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(POST("body:'b'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(POST("kind:'news'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(POST("kind:'news', body:''")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(POST("kind:'news', body:'b', minutes:10")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(POST("kind:'agenda-item', body:'b', minutes:10")), 0);
	assert_int_equal(req.post.minutes, 10);
	assert_int_equal(req_decodef(POST("kind:'news', body:'b', key:''")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(POST("kind:'news', body:'b', project:'Sound Map'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(POST("kind:'news', body:'b', meeting:'-agm'")), UCCN_E_INVALID);
	assert_int_equal(req.rid, 22);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'post'}"), UCCN_E_INVALID);
#undef POST
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', kind:'gossip'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', city:'Bad City'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', project:'x-'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', meeting:'X'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', limit:0}"), 0);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'show', seq:0}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'show'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'show', seq:1}"), 0);
}

/* ------------------------------------------------------------------ */
/* Limits, each at and just past its value, through the decoder. */

static int post_with_str(const char *field, const char *value)
{
	return req_decodef("{v:1, rid:1, op:'post', post:{kind:'agenda-item', body:'b', %s:%s}}",
			   field, value);
}

static void test_limit_title(void **state)
{
	(void)state;
	char *at = repeat("t", UCCN_MAX_TITLE), *past = repeat("t", UCCN_MAX_TITLE + 1);
	assert_int_equal(post_with_str("title", at), 0);
	assert_string_equal(req.post.title, at);
	assert_int_equal(post_with_str("title", past), UCCN_E_TOOBIG);
	assert_request_clear(1);
	free(at);
	free(past);
	/* Bytes, not characters: 100 'é' are 200 bytes. */
	at = repeat("é", UCCN_MAX_TITLE / 2);
	past = repeat("é", UCCN_MAX_TITLE / 2 + 1);
	assert_int_equal(post_with_str("title", at), 0);
	assert_int_equal(post_with_str("title", past), UCCN_E_TOOBIG);
	free(at);
	free(past);
}

static void test_limit_body(void **state)
{
	(void)state;
	char *at = repeat("b", UCCN_MAX_BODY), *past = repeat("b", UCCN_MAX_BODY + 1);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'post', post:{kind:'news', body:%s}}", at), 0);
	assert_int_equal(strlen(req.post.body), UCCN_MAX_BODY);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'post', post:{kind:'news', body:%s}}", past),
			 UCCN_E_TOOBIG);
	assert_request_clear(1);
	free(at);
	free(past);
}

static void test_limit_id(void **state)
{
	(void)state;
	char *at = repeat("i", UCCN_MAX_ID), *past = repeat("i", UCCN_MAX_ID + 1);
	assert_int_equal(post_with_str("project", at), 0);
	assert_string_equal(req.post.project, at);
	assert_int_equal(post_with_str("project", past), UCCN_E_TOOBIG);
	assert_int_equal(post_with_str("meeting", at), 0);
	assert_int_equal(post_with_str("meeting", past), UCCN_E_TOOBIG);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'city.add', city:{id:%s, name:'N', "
				     "field:'film', role:'member'}}", at), 0);
	assert_string_equal(req.city.id, at);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'city.add', city:{id:%s, name:'N', "
				     "field:'film', role:'member'}}", past), UCCN_E_TOOBIG);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', city:%s}", at), 0);
	assert_string_equal(req.query.city, at);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', city:%s}", past), UCCN_E_TOOBIG);
	free(at);
	free(past);
}

static void test_limit_idem_key(void **state)
{
	(void)state;
	char *at = repeat("k", UCCN_MAX_IDEM_KEY), *past = repeat("k", UCCN_MAX_IDEM_KEY + 1);
	assert_int_equal(post_with_str("key", at), 0);
	assert_string_equal(req.post.idem_key, at);
	assert_int_equal(post_with_str("key", past), UCCN_E_TOOBIG);
	free(at);
	free(past);
}

static void test_limit_list(void **state)
{
	(void)state;
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', limit:%d}", UCCN_LIST_MAX), 0);
	assert_int_equal(req.query.limit, UCCN_LIST_MAX);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', limit:%d}", UCCN_LIST_MAX + 1),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "limit"));
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', limit:%u}", (uint64_t)UINT64_MAX),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', limit:-1}"), UCCN_E_INVALID);
}

static void test_limit_minutes(void **state)
{
	(void)state;
	const char *f = "{v:1, rid:1, op:'post', post:{kind:'agenda-item', body:'b', minutes:%d}}";
	assert_int_equal(req_decodef(f, UCCN_MAX_MINUTES), 0);
	assert_int_equal(req.post.minutes, UCCN_MAX_MINUTES);
	assert_int_equal(req_decodef(f, UCCN_MAX_MINUTES + 1), UCCN_E_INVALID);
	assert_non_null(strstr(why, "minutes"));
	/* Does not wrap through the uint32_t field. */
	assert_int_equal(req_decodef("{v:1, rid:1, op:'post', post:{kind:'agenda-item', "
				     "body:'b', minutes:%u}}", (uint64_t)1 << 32), UCCN_E_INVALID);
}

static void test_limit_frame(void **state)
{
	(void)state;
	/* A status request padded by an unknown string key to exactly the
	 * frame limit: accepted. One byte more: refused. */
	build("{v:1, rid:1, op:'status', pad:nil}");
	size_t fixed = frame.size - 1 + 5; /* nil out, str32 header in */
	size_t padlen = UCCN_MAX_REQUEST_FRAME - fixed;
	char *pad = malloc(5 + padlen + 1);
	assert_non_null(pad);
	for (int extra = 0; extra <= 1; extra++) {
		size_t n = padlen + (size_t)extra;
		pad[0] = (char)0xdb;
		pad[1] = (char)(n >> 24);
		pad[2] = (char)(n >> 16);
		pad[3] = (char)(n >> 8);
		pad[4] = (char)n;
		memset(pad + 5, 'p', n);
		build("{v:1, rid:1, op:'status', pad:%r}", pad, 5 + n);
		assert_int_equal(frame.size, UCCN_MAX_REQUEST_FRAME + (size_t)extra);
		assert_int_equal(decode_frame(), extra ? UCCN_E_TOOBIG : 0);
	}
	free(pad);
	/* Too large is refused before parsing: garbage of MAX bytes is
	 * "invalid", one byte more is "too big". */
	char *junk = malloc(UCCN_MAX_REQUEST_FRAME + 1);
	assert_non_null(junk);
	memset(junk, 0xc1, UCCN_MAX_REQUEST_FRAME + 1);
	assert_int_equal(decode_bytes(junk, UCCN_MAX_REQUEST_FRAME), UCCN_E_INVALID);
	assert_int_equal(decode_bytes(junk, UCCN_MAX_REQUEST_FRAME + 1), UCCN_E_TOOBIG);
	assert_request_clear(0);
	free(junk);
}

static void test_limit_depth(void **state)
{
	(void)state;
	/* The request map is level 1; x adds levels 2.. */
	assert_int_equal(UCCN_MAX_DEPTH, 4);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', x:[[[nil]]]}"), 0);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', x:[[[[nil]]]]}"), UCCN_E_INVALID);
	assert_non_null(strstr(why, "deeper"));
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', x:{a:{b:{}}}}"), 0);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', x:{a:{b:{c:{}}}}}"), UCCN_E_INVALID);
	/* The scanner itself: four nested arrays pass, five do not. */
	static const unsigned char five[] = {0x91, 0x91, 0x91, 0x91, 0x91, 0xc0};
	assert_int_equal(uccn_msgpack_scan(five, sizeof five, UCCN_MAX_DEPTH, 100, why,
					   sizeof why), UCCN_E_INVALID);
	assert_int_equal(uccn_msgpack_scan(five + 1, sizeof five - 1, UCCN_MAX_DEPTH, 100,
					   why, sizeof why), 0);
}

static void test_limit_objects(void **state)
{
	(void)state;
	/* {v:1, rid:1, op:'status', x:[nil * N]} holds 1 + 8 + N objects. */
	size_t base = 9;
	unsigned char arr[3 + UCCN_MAX_REQUEST_OBJECTS];
	for (int extra = 0; extra <= 1; extra++) {
		size_t n = UCCN_MAX_REQUEST_OBJECTS - base + (size_t)extra;
		arr[0] = 0xdc;
		arr[1] = (unsigned char)(n >> 8);
		arr[2] = (unsigned char)n;
		memset(arr + 3, 0xc0, n);
		assert_int_equal(req_decodef("{v:1, rid:1, op:'status', x:%r}", arr, 3 + n),
				 extra ? UCCN_E_TOOBIG : 0);
	}
}

static void test_limit_city_strings(void **state)
{
	(void)state;
	const char *f = "{v:1, rid:1, op:'city.add', city:{id:'c', name:%s, country:%s, "
			"field:%s, role:'member', tz:%s}}";
	char *name = repeat("n", UCCN_MAX_NAME), *name1 = repeat("n", UCCN_MAX_NAME + 1);
	char *ctry = repeat("c", UCCN_MAX_COUNTRY), *ctry1 = repeat("c", UCCN_MAX_COUNTRY + 1);
	char *fld = repeat("f", UCCN_MAX_FIELD), *fld1 = repeat("f", UCCN_MAX_FIELD + 1);
	char *tz = repeat("Z", UCCN_MAX_TZ), *tz1 = repeat("Z", UCCN_MAX_TZ + 1);
	assert_int_equal(req_decodef(f, name, ctry, fld, tz), 0);
	assert_int_equal(strlen(req.city.name), UCCN_MAX_NAME);
	assert_int_equal(req_decodef(f, name1, ctry, fld, tz), UCCN_E_TOOBIG);
	assert_int_equal(req_decodef(f, name, ctry1, fld, tz), UCCN_E_TOOBIG);
	assert_int_equal(req_decodef(f, name, ctry, fld1, tz), UCCN_E_TOOBIG);
	assert_int_equal(req_decodef(f, name, ctry, fld, tz1), UCCN_E_TOOBIG);
	free(name); free(name1); free(ctry); free(ctry1);
	free(fld); free(fld1); free(tz); free(tz1);
}

/* ------------------------------------------------------------------ */
/* Hostile input. */

static void test_hostile_empty(void **state)
{
	(void)state;
	assert_int_equal(decode_bytes("", 0), UCCN_E_INVALID);
	assert_request_clear(0);
	assert_int_equal(decode_bytes(NULL, 0), UCCN_E_INVALID);
	assert_int_equal(uccn_reply_decode("", 0, UCCN_OP_STATUS, &rep, why, sizeof why),
			 UCCN_E_INVALID);
}

static void test_hostile_truncations(void **state)
{
	(void)state;
	struct uccn_request r[6];
	memset(r, 0, sizeof r);
	for (int i = 0; i < 6; i++) {
		r[i].op = (enum uccn_op)(UCCN_OP_STATUS + i);
		r[i].rid = 123456789;
	}
	sample_city(&r[1].city);
	sample_post(&r[3].post);
	r[4].query.kind = strdup("news");
	r[4].query.city = strdup("dakar");
	r[4].query.limit = 7;
	r[4].query.since = 70000;
	r[5].seq = 42;
	for (int i = 0; i < 6; i++) {
		encode_request(&r[i]);
		size_t n = frame.size;
		unsigned char *copy = malloc(n);
		assert_non_null(copy);
		memcpy(copy, frame.data, n);
		assert_int_equal(decode_bytes(copy, n), 0);
		for (size_t k = 0; k < n; k++) {
			/* Exactly k bytes, in a heap block of k, so ASan sees
			 * any read past the end. */
			unsigned char *pre = malloc(k ? k : 1);
			assert_non_null(pre);
			memcpy(pre, copy, k);
			int rc = decode_bytes(pre, k);
			if (rc != UCCN_E_INVALID)
				fail_msg("op %d: prefix of %zu/%zu bytes gave %d", i, k, n, rc);
			assert_request_clear(0);
			free(pre);
		}
		free(copy);
		uccn_request_clear(&r[i]);
	}
}

#define POST_WITH(extra) "{v:1, rid:3, op:'post', post:{kind:'news', body:'hello', " extra "}}"
#define CITY_WITH(extra) "{v:1, rid:3, op:'city.add', city:{id:'krakow', name:'Kraków', " \
			 "field:'literature', role:'member', " extra "}}"

static void test_hostile_wrong_types(void **state)
{
	(void)state;
	/* The templates are fine with the right types... */
	assert_int_equal(req_decodef(POST_WITH("title:'ok'")), 0);
	assert_int_equal(req_decodef(CITY_WITH("year:2013")), 0);
	/* ...and refused with a wrong type in any one field. */
	static const char *const bad[] = {
		"{v:'1', rid:3, op:'status'}",
		"{v:1.0, rid:3, op:'status'}",
		"{v:true, rid:3, op:'status'}",
		"{v:[1], rid:3, op:'status'}",
		"{v:-1, rid:3, op:'status'}",
		"{v:1, rid:'3', op:'status'}",
		"{v:1, rid:-3, op:'status'}",
		"{v:1, rid:3.0, op:'status'}",
		"{v:1, rid:3, op:7}",
		"{v:1, rid:3, op:['status']}",
		"{v:1, rid:3, op:{status:1}}",
		"{v:1, rid:3, op:'city.add', city:'krakow'}",
		"{v:1, rid:3, op:'city.add', city:[]}",
		"{v:1, rid:3, op:'city.add', city:nil}",
		"{v:1, rid:3, op:'post', post:'hello'}",
		"{v:1, rid:3, op:'post', post:[]}",
		"{v:1, rid:3, op:'show', seq:'1'}",
		"{v:1, rid:3, op:'show', seq:-1}",
		"{v:1, rid:3, op:'show', seq:1.5}",
		"{v:1, rid:3, op:'show', seq:true}",
		"{v:1, rid:3, op:'list', kind:1}",
		"{v:1, rid:3, op:'list', city:['dakar']}",
		"{v:1, rid:3, op:'list', project:{}}",
		"{v:1, rid:3, op:'list', meeting:false}",
		"{v:1, rid:3, op:'list', since:'1'}",
		"{v:1, rid:3, op:'list', before:-1}",
		"{v:1, rid:3, op:'list', limit:'10'}",
		"{v:1, rid:3, op:'list', limit:10.0}",
		"{v:1, rid:3, op:'post', post:{kind:7, body:'hello'}}",
		"{v:1, rid:3, op:'post', post:{kind:'news', body:7}}",
		"{v:1, rid:3, op:'post', post:{kind:'news', body:['hello']}}",
		POST_WITH("title:7"),
		POST_WITH("title:true"),
		POST_WITH("project:1"),
		POST_WITH("meeting:[]"),
		POST_WITH("minutes:'5'"),
		POST_WITH("minutes:-5"),
		POST_WITH("minutes:5.0"),
		POST_WITH("key:42"),
		"{v:1, rid:3, op:'city.add', city:{id:7, name:'K', field:'film', role:'member'}}",
		"{v:1, rid:3, op:'city.add', city:{id:'k', name:7, field:'film', role:'member'}}",
		"{v:1, rid:3, op:'city.add', city:{id:'k', name:'K', field:7, role:'member'}}",
		"{v:1, rid:3, op:'city.add', city:{id:'k', name:'K', field:'film', role:7}}",
		CITY_WITH("country:7"),
		CITY_WITH("tz:7"),
		CITY_WITH("year:'2013'"),
		CITY_WITH("year:-2013"),
		CITY_WITH("key:7"),
		CITY_WITH("key:'0123456789abcdefghijklmnopqrstuvwxyzAB~D'"),
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = req_decodef(bad[i]);
		if (rc != UCCN_E_INVALID)
			fail_msg("%s: gave %d, not invalid", bad[i], rc);
	}
	/* bin is not a string. */
	assert_int_equal(req_decodef(POST_WITH("title:%B"), "abc", (size_t)3), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:3, op:%B}", "status", (size_t)6), UCCN_E_INVALID);
	/* The failed request still echoes its rid. */
	assert_int_equal(req_decodef(POST_WITH("minutes:'5'")), UCCN_E_INVALID);
	assert_request_clear(3);
	/* Not a map at all. */
	assert_int_equal(req_decodef("[1, 3, 'status']"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("'status'"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("nil"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("7"), UCCN_E_INVALID);
}

static void test_hostile_huge_counts(void **state)
{
	(void)state;
	static const struct { unsigned char b[6]; size_t n; } t[] = {
		{{0xdd, 0xff, 0xff, 0xff, 0xff}, 5},      /* array32 of 4294967295 */
		{{0xdf, 0xff, 0xff, 0xff, 0xff}, 5},      /* map32 likewise */
		{{0xdb, 0xff, 0xff, 0xff, 0xff, 'a'}, 6}, /* str32 of 4 GB */
		{{0xc6, 0xff, 0xff, 0xff, 0xff, 'a'}, 6}, /* bin32 of 4 GB */
		{{0xdc, 0xff, 0xff}, 3},                  /* array16 of 65535 */
		{{0xde, 0xff, 0xff}, 3},                  /* map16 of 65535 */
		{{0xda, 0xff, 0xff}, 3},                  /* str16 of 65535 */
		{{0x9f}, 1},                              /* fixarray of 15 */
		{{0xbf}, 1},                              /* fixstr of 31 */
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		/* Alone, and as a value inside an otherwise good request. If
		 * msgpack-c saw these counts it would try to allocate them
		 * (ASan aborts on such a request). */
		assert_int_equal(uccn_msgpack_scan(t[i].b, t[i].n, UCCN_MAX_DEPTH,
						   UCCN_MAX_REQUEST_OBJECTS, why, sizeof why),
				 UCCN_E_INVALID);
		assert_int_equal(decode_bytes(t[i].b, t[i].n), UCCN_E_INVALID);
		assert_request_clear(0);
		assert_int_equal(req_decodef("{v:1, rid:1, op:'status', x:%r}", t[i].b, t[i].n),
				 UCCN_E_INVALID);
		assert_int_equal(req_decodef("{v:1, rid:1, op:'post', post:{kind:'news', body:%r}}",
					     t[i].b, t[i].n), UCCN_E_INVALID);
	}
	assert_int_equal(decode_bytes(t[0].b, t[0].n), UCCN_E_INVALID);
	assert_non_null(strstr(why, "4294967295"));
}

static void test_hostile_deep_nesting(void **state)
{
	(void)state;
	unsigned char deep[1001];
	memset(deep, 0x91, 1000);
	deep[1000] = 0xc0;
	assert_int_equal(decode_bytes(deep, sizeof deep), UCCN_E_INVALID);
	assert_non_null(strstr(why, "deeper"));
	memset(deep, 0x81, 1000); /* maps whose first key is a map... */
	assert_int_equal(decode_bytes(deep, sizeof deep), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', x:%r}", deep, sizeof deep),
			 UCCN_E_INVALID);
}

static void test_hostile_ext(void **state)
{
	(void)state;
	static const struct { unsigned char b[20]; size_t n; } t[] = {
		{{0xd4, 0x01, 0x00}, 3},                      /* fixext 1 */
		{{0xd5, 0x01, 0x00, 0x00}, 4},                /* fixext 2 */
		{{0xd6, 0xff, 0, 0, 0, 0}, 6},                /* timestamp 32 */
		{{0xd7, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}, 10},   /* fixext 8 */
		{{0xd8, 0x01}, 18},                           /* fixext 16 */
		{{0xc7, 0x01, 0x05}, 4},                      /* ext 8 */
		{{0xc8, 0x00, 0x01, 0x05, 0}, 5},             /* ext 16 */
		{{0xc9, 0, 0, 0, 0x01, 0x05, 0}, 7},          /* ext 32 */
		{{0xc1}, 1},                                  /* never used */
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(req_decodef("{v:1, rid:1, op:'status', x:%r}", t[i].b, t[i].n),
				 UCCN_E_INVALID);
		assert_non_null(strstr(why, "not allowed"));
	}
	/* ext as the value of a known field and as a key. */
	assert_int_equal(req_decodef(POST_WITH("title:%r"), t[0].b, t[0].n), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', %r:1}", t[0].b, t[0].n),
			 UCCN_E_INVALID);
}

static void test_hostile_trailing(void **state)
{
	(void)state;
	build("{v:1, rid:1, op:'status'}");
	size_t n = frame.size;
	unsigned char buf[64];
	memcpy(buf, frame.data, n);
	assert_int_equal(decode_bytes(buf, n), 0);
	buf[n] = 0xc0;
	assert_int_equal(decode_bytes(buf, n + 1), UCCN_E_INVALID);
	assert_non_null(strstr(why, "after"));
	memcpy(buf + n, buf, n); /* two requests in one frame */
	assert_int_equal(decode_bytes(buf, 2 * n), UCCN_E_INVALID);
	assert_request_clear(0);
}

static void test_hostile_duplicate_keys(void **state)
{
	(void)state;
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', op:'status'}"), UCCN_E_INVALID);
	assert_non_null(strstr(why, "'op'"));
	assert_int_equal(req_decodef("{v:1, v:1, rid:1, op:'status'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, rid:2, op:'status'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef(POST_WITH("body:'again'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY_WITH("id:'lyon'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'list', city:'a', city:'b'}"), UCCN_E_INVALID);
	/* Duplicate ignored keys are refused as well. */
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', x:1, x:1}"), UCCN_E_INVALID);
	/* Two empty keys: msgpack-c gives an empty string no bytes (a NULL
	 * ptr), which memcmp may not be given (fuzz_decode found it under
	 * UBSan). The bytes are its crash input. */
	static const unsigned char empty_twice[] = {0x85, 0xa0, 0x26, 0xa1, 0x74, 0x74,
						    0xa0, 0x6c, 0x00, 0x04, 0x00, 0x00};
	assert_int_equal(decode_bytes(empty_twice, sizeof empty_twice), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', '':1, '':2}"), UCCN_E_INVALID);
}

static void test_hostile_nonstring_keys(void **state)
{
	(void)state;
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', 1:2}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', -1:2}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', [1]:2}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', %B:2}", "x", (size_t)1),
			 UCCN_E_INVALID);
	static const unsigned char nil = 0xc0;
	assert_int_equal(req_decodef("{v:1, rid:1, op:'status', %r:2}", &nil, (size_t)1),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef(POST_WITH("5:'x'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(CITY_WITH("%r:'x'"), &nil, (size_t)1), UCCN_E_INVALID);
}

static void test_hostile_version(void **state)
{
	(void)state;
	assert_int_equal(req_decodef("{rid:1, op:'status'}"), UCCN_E_INVALID);
	assert_non_null(strstr(why, "'v'"));
	assert_int_equal(req_decodef("{v:2, rid:77, op:'status'}"), UCCN_E_VERSION);
	assert_request_clear(77); /* the error reply can echo the rid */
	assert_int_equal(req_decodef("{v:0, rid:1, op:'status'}"), UCCN_E_VERSION);
	assert_int_equal(req_decodef("{v:%u, rid:1, op:'status'}", (uint64_t)UINT32_MAX),
			 UCCN_E_VERSION);
	/* Version is checked before the op: a future client gets "version". */
	assert_int_equal(req_decodef("{v:2, rid:1, op:'teleport'}"), UCCN_E_VERSION);
	/* Missing rid is allowed and reads as 0. */
	assert_int_equal(req_decodef("{v:1, op:'status'}"), 0);
	assert_int_equal(req.rid, 0);
}

static void test_hostile_unknown_op(void **state)
{
	(void)state;
	assert_int_equal(req_decodef("{v:1, rid:99, op:'city.delete'}"), UCCN_E_UNKNOWN_OP);
	assert_request_clear(99);
	assert_non_null(strstr(why, "city.delete"));
	assert_int_equal(req_decodef("{v:1, rid:100, op:'STATUS'}"), UCCN_E_UNKNOWN_OP);
	assert_int_equal(req.rid, 100);
	assert_int_equal(req_decodef("{v:1, rid:101, op:''}"), UCCN_E_UNKNOWN_OP);
	assert_int_equal(req.rid, 101);
	assert_int_equal(req_decodef("{v:1, rid:102, op:nil}"), UCCN_E_UNKNOWN_OP);
	assert_int_equal(req.rid, 102);
	assert_int_equal(req_decodef("{v:1, rid:103}"), UCCN_E_INVALID);
	assert_int_equal(req.rid, 103);
	/* An op name longer than any op is refused before lookup. */
	char *longop = repeat("o", UCCN_MAX_OP + 1);
	assert_int_equal(req_decodef("{v:1, rid:104, op:%s}", longop), UCCN_E_TOOBIG);
	free(longop);
}

static void test_hostile_bad_utf8(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"\xff", "Krak\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"one\ntwo", "tab\there", "nul\x01",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(req_decodef(POST_WITH("title:%s"), bad[i]), UCCN_E_INVALID);
		assert_request_clear(3);
	}
	assert_int_equal(req_decodef(POST_WITH("title:%b"), "a\0b", (size_t)3), UCCN_E_INVALID);
	/* In the body too, though the body may span lines. */
	assert_int_equal(req_decodef("{v:1, rid:1, op:'post', post:{kind:'news', body:%s}}",
				     "ok\n\xff"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:'post', post:{kind:'news', body:%s}}",
				     "line 1\r\nline 2\n\tindented"), 0);
	/* And real text in many scripts is fine. */
	const char *good[] = {"Kraków", "Bogotá", "東京の集い", "🎨 open studio"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_int_equal(req_decodef(POST_WITH("title:%s"), good[i]), 0);
		assert_string_equal(req.post.title, good[i]);
	}
	assert_int_equal(req_decodef(CITY_WITH("country:%s"), "Polska\xff"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:1, op:%s}", "stat\xffus"), UCCN_E_INVALID);
}

static void test_post_ignores_server_fields(void **state)
{
	(void)state;
	assert_int_equal(req_decodef(POST_WITH("city:'paris', seq:99, created:1764068766123")), 0);
	assert_null(req.post.city);  /* the server sets the author */
	assert_int_equal(req.post.seq, 0);
	assert_int_equal(req.post.created_ms, 0);
	assert_string_equal(req.post.body, "hello");
	/* Nor can a city.add choose its seq or version. */
	assert_int_equal(req_decodef(CITY_WITH("seq:5, version:9")), 0);
	assert_int_equal(req.city.seq, 0);
	assert_int_equal(req.city.version, 0);
}

/* Regression: a duplicate key that is not valid one-line text was echoed
 * into the error message, and the client then could not decode the error
 * reply carrying it. */
static void test_error_message_is_valid_text(void **state)
{
	(void)state;
	char *half = malloc(64);
	assert_non_null(half);
	half[0] = 'a';
	for (int i = 0; i < 20; i++)
		memcpy(half + 1 + 2 * i, "é", 2); /* 41 bytes: the 40th splits an 'é' */
	static const struct { const char *k; size_t n; } keys[] = {
		{"\xff\xfe", 2}, {"ctl\x01", 4}, {"new\nline", 8}, {NULL, 41},
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *k = keys[i].k ? keys[i].k : half;
		assert_int_equal(req_decodef("{v:1, rid:5, op:'status', %b:1, %b:2}",
					     k, keys[i].n, k, keys[i].n), UCCN_E_INVALID);
		/* decode_bytes checked the text; now send it as the server would. */
		char msg[sizeof why];
		memcpy(msg, why, sizeof msg);
		struct uccn_reply r = {.op = UCCN_OP_STATUS, .rid = 5,
				       .status = UCCN_E_INVALID, .message = msg};
		encode_reply(&r);
		assert_int_equal(reply_decode_frame(UCCN_OP_STATUS), 0);
		assert_int_equal(rep.status, UCCN_E_INVALID);
		assert_int_equal(rep.rid, 5);
		assert_string_equal(rep.message, msg);
	}
	free(half);
	/* A printable key is still named. */
	assert_int_equal(req_decodef("{v:1, rid:5, op:'status', colour:1, colour:2}"),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "'colour'"));
}

/* ------------------------------------------------------------------ */
/* Key files. */

static void test_keyfile_roundtrip(void **state)
{
	(void)state;
	char buf[512], pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	int n = uccn_keyfile_format(buf, sizeof buf, "city krakow", PUB, SEC);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_non_null(strstr(buf, "city krakow"));
	assert_non_null(strstr(buf, "curve\n"));
	assert_int_equal(uccn_keyfile_parse(buf, (size_t)n, pub, sec), 0);
	assert_string_equal(pub, PUB);
	assert_string_equal(sec, SEC);
	/* The default comment. */
	n = uccn_keyfile_format(buf, sizeof buf, NULL, PUB, SEC);
	assert_true(n > 0);
	assert_int_equal(uccn_keyfile_parse(buf, (size_t)n, pub, sec), 0);
	assert_string_equal(sec, SEC);
}

static void test_keyfile_public_only(void **state)
{
	(void)state;
	char buf[512], pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	int n = uccn_keyfile_format(buf, sizeof buf, "city krakow", PUB, NULL);
	assert_true(n > 0);
	assert_null(strstr(buf, "secret-key")); /* nothing secret in a .pub */
	memset(sec, 'x', sizeof sec);
	assert_int_equal(uccn_keyfile_parse(buf, (size_t)n, pub, sec), 0);
	assert_string_equal(pub, PUB);
	assert_string_equal(sec, "");
}

static void test_keyfile_crlf(void **state)
{
	(void)state;
	const char *t = "#   written on Windows\r\n"
			"metadata\r\n"
			"curve\r\n"
			"    public-key = \"" PUB "\"\r\n"
			"    secret-key = \"" SEC "\"\r\n";
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	assert_int_equal(uccn_keyfile_parse(t, strlen(t), pub, sec), 0);
	assert_string_equal(pub, PUB);
	assert_string_equal(sec, SEC);
	/* No final newline, tabs around '='. */
	const char *u = "curve\n\tpublic-key\t=\t\"" PUB "\"";
	assert_int_equal(uccn_keyfile_parse(u, strlen(u), pub, sec), 0);
	assert_string_equal(pub, PUB);
	assert_string_equal(sec, "");
}

static void test_keyfile_comments(void **state)
{
	(void)state;
	const char *t = "#   public-key = \"not a key at all\"\n"
			"#   secret-key = \"" SEC "\"\n"
			"curve\n"
			"    public-key = \"" PUB "\"\n"
			"# the end\n";
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	assert_int_equal(uccn_keyfile_parse(t, strlen(t), pub, sec), 0);
	assert_string_equal(pub, PUB);
	assert_string_equal(sec, ""); /* a commented-out key is not a key */
}

static void test_keyfile_malformed(void **state)
{
	(void)state;
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	static const char *const bad[] = {
		"curve\n    public-key = \"short\"\n",
		"curve\n    public-key \"" PUB "\"\n",
		"curve\n    public-key = " PUB "\n",
		"curve\n    public-key = \"" PUB "\n",
		"curve\n    public-key = \"" PUB "x\"\n",
		"curve\n    public-key = \"0123456789abcdefghijklmnopqrstuvwxyzAB~D\"\n",
		"curve\n    public-key = \"" PUB "\"\n    secret-key = \"bad\"\n",
		"curve\n    public-key =\n",
		"curve\n    public-key\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (uccn_keyfile_parse(bad[i], strlen(bad[i]), pub, sec) != UCCN_E_INVALID)
			fail_msg("accepted: %s", bad[i]);
	}
	/* A key line cut short by the length given (not by a NUL). */
	const char *t = "public-key = \"" PUB "\"\n";
	assert_int_equal(uccn_keyfile_parse(t, 30, pub, sec), UCCN_E_INVALID);
	assert_int_equal(uccn_keyfile_parse(t, strlen(t), pub, sec), 0);
}

static void test_keyfile_no_key(void **state)
{
	(void)state;
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	static const char *const t[] = {
		"", "\n\n", "metadata\ncurve\n", "# only a comment\n",
		"curve\n    secret-key = \"" SEC "\"\n", /* a secret without its public key */
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		assert_int_equal(uccn_keyfile_parse(t[i], strlen(t[i]), pub, sec), UCCN_E_INVALID);
}

static void test_keyfile_format_errors(void **state)
{
	(void)state;
	char buf[512];
	assert_int_equal(uccn_keyfile_format(buf, sizeof buf, NULL, "short", NULL), UCCN_E_INVALID);
	assert_int_equal(uccn_keyfile_format(buf, sizeof buf, NULL, PUB, "bad"), UCCN_E_INVALID);
	assert_int_equal(uccn_keyfile_format(buf, sizeof buf, NULL, NULL, NULL), UCCN_E_INVALID);
	int n = uccn_keyfile_format(buf, sizeof buf, NULL, PUB, SEC);
	assert_true(n > 0);
	assert_int_equal(uccn_keyfile_format(buf, (size_t)n, NULL, PUB, SEC), UCCN_E_TOOBIG);
	assert_int_equal(uccn_keyfile_format(buf, (size_t)n + 1, NULL, PUB, SEC), n);
}

/* ------------------------------------------------------------------ */
/* Time. */

static void test_time_format(void **state)
{
	(void)state;
	char buf[32];
	uccn_time_format(0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	uccn_time_format(1764068766123, buf, sizeof buf);
	assert_string_equal(buf, "2025-11-25T11:06:06.123Z");
	uccn_time_format(999, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.999Z");
	uccn_time_format(951782400000, buf, sizeof buf); /* a leap day */
	assert_string_equal(buf, "2000-02-29T00:00:00.000Z");
	uccn_time_format(4102444799999, buf, sizeof buf);
	assert_string_equal(buf, "2099-12-31T23:59:59.999Z");
}

/* ------------------------------------------------------------------ */
/* Projects and meetings. */

static void ids_set(struct uccn_idlist *l, const char *const *ids, size_t n)
{
	uccn_idlist_clear(l);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(uccn_idlist_add(l, ids[i]), 0);
}

#define IDS_SET(l, ...)                                                      \
	ids_set((l), (const char *const[]){__VA_ARGS__},                     \
		sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

static void sample_project(struct uccn_project *p)
{
	memset(p, 0, sizeof *p);
	p->id = strdup("sound-map");
	p->title = strdup("Mapa sonoro de Bogotá");
	p->lead = strdup("bogota");
	IDS_SET(&p->partners, "lyon", "dakar", "katowice");
	IDS_SET(&p->fields, "music", "media_arts");
	p->status = strdup("active");
	p->start = strdup("2024-02-29");
	p->end = strdup("2026-12-31");
	p->description = strdup("Line one.\nLine two\twith a tab.\r\n東京 too.");
	p->seq = 77;
	p->version = 3;
}

static void sample_meeting(struct uccn_meeting *m)
{
	memset(m, 0, sizeof *m);
	m->id = strdup("music-agm-2026");
	m->kind = strdup("annual-meeting");
	m->field = strdup("music");
	IDS_SET(&m->hosts, "bogota", "katowice");
	m->place = strdup("Bogotá, Teatro Colón");
	m->start = strdup("2026-06-01");
	m->end = strdup("2026-06-03");
	m->tz = strdup("America/Bogota");
	m->day_start = strdup("08:30");
	m->day_end = strdup("18:00");
	m->hybrid = true;
	m->status = strdup("agenda-published");
	m->seq = 78;
	m->version = 2;
}

static void assert_idlist_equal(const struct uccn_idlist *a, const struct uccn_idlist *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

static void assert_project_equal(const struct uccn_project *a, const struct uccn_project *b)
{
	assert_str_or_null(a->id, b->id);
	assert_str_or_null(a->title, b->title);
	assert_str_or_null(a->lead, b->lead);
	assert_idlist_equal(&a->partners, &b->partners);
	assert_idlist_equal(&a->fields, &b->fields);
	assert_str_or_null(a->status, b->status);
	assert_str_or_null(a->start, b->start);
	assert_str_or_null(a->end, b->end);
	assert_str_or_null(a->description, b->description);
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->version, b->version);
}

static void assert_meeting_equal(const struct uccn_meeting *a, const struct uccn_meeting *b)
{
	assert_str_or_null(a->id, b->id);
	assert_str_or_null(a->kind, b->kind);
	assert_str_or_null(a->field, b->field);
	assert_idlist_equal(&a->hosts, &b->hosts);
	assert_str_or_null(a->place, b->place);
	assert_str_or_null(a->start, b->start);
	assert_str_or_null(a->end, b->end);
	assert_str_or_null(a->tz, b->tz);
	assert_str_or_null(a->day_start, b->day_start);
	assert_str_or_null(a->day_end, b->day_end);
	assert_int_equal(a->hybrid, b->hybrid);
	assert_str_or_null(a->status, b->status);
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->version, b->version);
}

static void test_op_names_projects(void **state)
{
	(void)state;
	static const struct { enum uccn_op op; const char *name; bool writes; } t[] = {
		{UCCN_OP_PROJECT_ADD, "project.add", true},
		{UCCN_OP_PROJECT_UPDATE, "project.update", true},
		{UCCN_OP_PROJECT_SHOW, "project.show", false},
		{UCCN_OP_PROJECT_LIST, "project.list", false},
		{UCCN_OP_PROJECT_JOIN, "project.join", true},
		{UCCN_OP_PROJECT_LEAVE, "project.leave", true},
		{UCCN_OP_MEETING_ADD, "meeting.add", true},
		{UCCN_OP_MEETING_UPDATE, "meeting.update", true},
		{UCCN_OP_MEETING_SHOW, "meeting.show", false},
		{UCCN_OP_MEETING_LIST, "meeting.list", false},
		{UCCN_OP_INBOX, "inbox", false},
		{UCCN_OP_INBOX_ACK, "inbox.ack", true},
		{UCCN_OP_WATCH, "watch", false},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_string_equal(uccn_op_name(t[i].op), t[i].name);
		assert_int_equal(uccn_op_from_name(t[i].name), t[i].op);
		assert_int_equal(uccn_op_writes(t[i].op), t[i].writes);
	}
	assert_int_equal(UCCN_OP_LAST, UCCN_OP_ADMIN_BACKUP);
	/* every op up to the last has a name */
	for (enum uccn_op op = UCCN_OP_STATUS; op <= UCCN_OP_LAST; op++)
		assert_non_null(uccn_op_name(op));
	assert_int_equal(uccn_op_from_name("project"), UCCN_OP_NONE);
	assert_int_equal(uccn_op_from_name("meeting.delete"), UCCN_OP_NONE);
}

static void test_valid_dates_times(void **state)
{
	(void)state;
	const char *good_dates[] = {"2024-02-29", "2000-02-29", "2025-02-28", "2025-12-31",
				    "2025-01-01", "2026-04-30", "1900-01-01", "9999-12-31"};
	const char *bad_dates[] = {"2025-02-29", "2025-02-30", "2025-13-01", "25-01-01",
				   "2025-1-01", "2025-01-1", "1900-02-29", "2100-02-29",
				   "2025-04-31", "2025-01-32", "2025-00-10", "2025-01-00",
				   "1899-12-31", "2025/01/01", "2025-01-01T00:00", " 2025-01-01",
				   "2025-0a-01", "+025-01-01", "2025--1-01", ""};
	for (size_t i = 0; i < sizeof good_dates / sizeof good_dates[0]; i++)
		if (!uccn_date_valid(good_dates[i]))
			fail_msg("date '%s' refused", good_dates[i]);
	for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++)
		if (uccn_date_valid(bad_dates[i]))
			fail_msg("date '%s' accepted", bad_dates[i]);
	assert_false(uccn_date_valid(NULL));

	const char *good_times[] = {"00:00", "23:59", "09:00", "17:30", "12:05", "19:59"};
	const char *bad_times[] = {"24:00", "12:60", "9:00", "09:0", "09:000", "0900",
				   "09-00", "ab:cd", "-1:00", "09:-1", "99:99", " 9:00", ""};
	for (size_t i = 0; i < sizeof good_times / sizeof good_times[0]; i++)
		if (!uccn_hhmm_valid(good_times[i]))
			fail_msg("time '%s' refused", good_times[i]);
	for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++)
		if (uccn_hhmm_valid(bad_times[i]))
			fail_msg("time '%s' accepted", bad_times[i]);
	assert_false(uccn_hhmm_valid(NULL));
}

static void test_idlist_functions(void **state)
{
	(void)state;
	struct uccn_idlist l = {0};
	assert_false(uccn_idlist_has(&l, "a"));
	assert_int_equal(uccn_idlist_remove(&l, "a"), UCCN_E_NOTFOUND);
	assert_int_equal(uccn_idlist_add(&l, "a"), 0);
	assert_int_equal(uccn_idlist_add(&l, "a"), UCCN_E_EXISTS);
	assert_int_equal(l.n, 1);
	assert_true(uccn_idlist_has(&l, "a"));
	assert_false(uccn_idlist_has(&l, "A"));
	assert_false(uccn_idlist_has(&l, "a "));
	/* up to UCCN_MAX_LIST items, in the order added */
	for (int i = 1; i < UCCN_MAX_LIST; i++) {
		char id[16];
		snprintf(id, sizeof id, "c%d", i);
		assert_int_equal(uccn_idlist_add(&l, id), 0);
	}
	assert_int_equal(l.n, UCCN_MAX_LIST);
	assert_int_equal(uccn_idlist_add(&l, "one-more"), UCCN_E_TOOBIG);
	assert_int_equal(uccn_idlist_add(&l, "c5"), UCCN_E_EXISTS); /* exists wins */
	assert_int_equal(l.n, UCCN_MAX_LIST);
	assert_false(uccn_idlist_has(&l, "one-more"));
	/* removing keeps the others in order */
	assert_int_equal(uccn_idlist_remove(&l, "c1"), 0);
	assert_int_equal(uccn_idlist_remove(&l, "c1"), UCCN_E_NOTFOUND);
	assert_int_equal(l.n, UCCN_MAX_LIST - 1);
	assert_string_equal(l.v[0], "a");
	assert_string_equal(l.v[1], "c2");
	assert_string_equal(l.v[l.n - 1], "c63");
	assert_int_equal(uccn_idlist_remove(&l, "c63"), 0); /* the last */
	assert_int_equal(uccn_idlist_remove(&l, "a"), 0);   /* the first */
	assert_string_equal(l.v[0], "c2");
	assert_int_equal(l.n, UCCN_MAX_LIST - 3);
	assert_int_equal(uccn_idlist_add(&l, "a"), 0);
	assert_string_equal(l.v[l.n - 1], "a");
	uccn_idlist_clear(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	uccn_idlist_clear(&l); /* twice is fine */
	assert_int_equal(uccn_idlist_add(&l, "b"), 0);
	assert_int_equal(uccn_idlist_remove(&l, "b"), 0);
	assert_int_equal(l.n, 0);
	uccn_idlist_clear(&l);
}

static void test_project_record_roundtrip(void **state)
{
	(void)state;
	struct uccn_project p, out;
	msgpack_packer pk;
	msgpack_unpacked u;
	sample_project(&p);
	memset(&out, 0, sizeof out);
	msgpack_sbuffer_clear(&frame);
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_project_pack(&pk, &p), 0);
	unpack_frame(&u);
	assert_int_equal(u.data.type, MSGPACK_OBJECT_MAP);
	assert_int_equal(u.data.via.map.size, 11); /* every field */
	assert_int_equal(uccn_project_from_object(&u.data, &out, why, sizeof why), 0);
	assert_project_equal(&out, &p);
	assert_int_equal(uccn_project_check(&out, why, sizeof why), 0);
	msgpack_unpacked_destroy(&u);
	uccn_project_clear(&out);

	/* copies are deep */
	struct uccn_project c;
	assert_int_equal(uccn_project_copy(&c, &p), 0);
	assert_ptr_not_equal(c.partners.v, p.partners.v);
	assert_ptr_not_equal(c.partners.v[0], p.partners.v[0]);
	assert_ptr_not_equal(c.description, p.description);
	uccn_project_clear(&p);
	assert_null(p.partners.v);
	assert_int_equal(p.fields.n, 0);
	assert_string_equal(c.partners.v[2], "katowice");
	assert_string_equal(c.fields.v[1], "media_arts");
	assert_int_equal(c.version, 3);
	uccn_project_clear(&c);

	/* the least: absent fields and empty lists are left out */
	struct uccn_project m = {.id = "p", .title = "T", .lead = "lyon"};
	msgpack_sbuffer_clear(&frame);
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_project_pack(&pk, &m), 0);
	unpack_frame(&u);
	assert_int_equal(u.data.via.map.size, 3);
	assert_int_equal(uccn_project_from_object(&u.data, &out, why, sizeof why), 0);
	assert_project_equal(&out, &m);
	assert_null(out.partners.v);
	assert_null(out.status);
	assert_int_equal(uccn_project_check(&out, why, sizeof why), 0);
	msgpack_unpacked_destroy(&u);
	uccn_project_clear(&out);

	/* an empty list or nil reads as empty; unknown keys are ignored */
	build("{id:'p', title:'T', lead:'lyon', partners:[], fields:nil, colour:'red'}");
	unpack_frame(&u);
	assert_int_equal(uccn_project_from_object(&u.data, &out, why, sizeof why), 0);
	assert_int_equal(out.partners.n, 0);
	assert_int_equal(out.fields.n, 0);
	msgpack_unpacked_destroy(&u);
	uccn_project_clear(&out);

	/* a failure leaves the record clear, lists too */
	build("{id:'p', title:'T', lead:'lyon', partners:['a', 'b'], fields:['film'], start:7}");
	unpack_frame(&u);
	assert_int_equal(uccn_project_from_object(&u.data, &out, why, sizeof why), UCCN_E_INVALID);
	struct uccn_project zero;
	memset(&zero, 0, sizeof zero);
	assert_memory_equal(&out, &zero, sizeof out);
	msgpack_unpacked_destroy(&u);
}

static void test_meeting_record_roundtrip(void **state)
{
	(void)state;
	struct uccn_meeting m, out;
	msgpack_packer pk;
	msgpack_unpacked u;
	sample_meeting(&m);
	memset(&out, 0, sizeof out);
	msgpack_sbuffer_clear(&frame);
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_meeting_pack(&pk, &m), 0);
	unpack_frame(&u);
	assert_int_equal(u.data.via.map.size, 14); /* every field, hybrid too */
	assert_int_equal(uccn_meeting_from_object(&u.data, &out, why, sizeof why), 0);
	assert_meeting_equal(&out, &m);
	assert_true(out.hybrid);
	assert_int_equal(uccn_meeting_check(&out, why, sizeof why), 0);
	msgpack_unpacked_destroy(&u);
	uccn_meeting_clear(&out);

	struct uccn_meeting c;
	assert_int_equal(uccn_meeting_copy(&c, &m), 0);
	assert_ptr_not_equal(c.hosts.v, m.hosts.v);
	assert_ptr_not_equal(c.tz, m.tz);
	uccn_meeting_clear(&m);
	assert_string_equal(c.hosts.v[1], "katowice");
	assert_string_equal(c.place, "Bogotá, Teatro Colón");
	assert_true(c.hybrid);
	uccn_meeting_clear(&c);
	assert_false(c.hybrid);
	assert_null(c.hosts.v);

	/* hybrid false is left out and reads back false */
	struct uccn_meeting s = {
		.id = "wg", .kind = "working-group", .start = "2026-01-01",
		.end = "2026-01-01", .tz = "UTC",
	};
	IDS_SET(&s.hosts, "lyon");
	msgpack_sbuffer_clear(&frame);
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_meeting_pack(&pk, &s), 0);
	unpack_frame(&u);
	assert_int_equal(u.data.via.map.size, 6);
	assert_int_equal(uccn_meeting_from_object(&u.data, &out, why, sizeof why), 0);
	assert_meeting_equal(&out, &s);
	assert_false(out.hybrid);
	assert_null(out.day_start);
	assert_int_equal(uccn_meeting_check(&out, why, sizeof why), 0);
	msgpack_unpacked_destroy(&u);
	uccn_meeting_clear(&out);
	uccn_idlist_clear(&s.hosts);

	/* hybrid is a bool, nothing else */
	build("{id:'wg', hybrid:1}");
	unpack_frame(&u);
	assert_int_equal(uccn_meeting_from_object(&u.data, &out, why, sizeof why), UCCN_E_INVALID);
	assert_non_null(strstr(why, "hybrid"));
	msgpack_unpacked_destroy(&u);
	build("{id:'wg', hybrid:false}");
	unpack_frame(&u);
	assert_int_equal(uccn_meeting_from_object(&u.data, &out, why, sizeof why), 0);
	assert_false(out.hybrid);
	msgpack_unpacked_destroy(&u);
	uccn_meeting_clear(&out);
}

/* A meeting's longest session: optional, 30 to 240 minutes on the 5-minute
 * grid, at and just past each end; the decoder refuses what no check
 * could pass, and the value survives the wire. */
static void test_meeting_max_session(void **state)
{
	(void)state;
	struct uccn_meeting m = {.id = "m", .kind = "conference", .start = "2026-06-01",
				 .end = "2026-06-01", .tz = "UTC"};
	IDS_SET(&m.hosts, "lyon");
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), 0); /* absent: 90 */
	static const struct { uint32_t minutes; int rc; } cases[] = {
		{UCCN_MIN_SESSION, 0}, {UCCN_MIN_SESSION - 5, UCCN_E_INVALID},
		{UCCN_MIN_SESSION - 1, UCCN_E_INVALID}, {UCCN_MAX_SESSION, 0},
		{UCCN_MAX_SESSION + 1, UCCN_E_INVALID}, {UCCN_MAX_SESSION + 5, UCCN_E_INVALID},
		{UCCN_DEFAULT_SESSION, 0}, {121, UCCN_E_INVALID}, {120, 0}, {UINT32_MAX, UCCN_E_INVALID},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		m.max_session = cases[i].minutes;
		why[0] = 0;
		assert_int_equal(uccn_meeting_check(&m, why, sizeof why), cases[i].rc);
		if (cases[i].rc)
			assert_non_null(strstr(why, "max_session"));
	}
	uccn_idlist_clear(&m.hosts);
#define MEET(extra) "{v:1, rid:82, op:'meeting.add', meeting:{id:'m', kind:'conference', " \
	"hosts:['lyon'], start:'2026-06-01', end:'2026-06-02', tz:'Europe/Paris'" extra "}}"
	assert_int_equal(req_decodef(MEET(", max_session:240")), 0);
	assert_int_equal(req.meeting.max_session, 240);
	assert_int_equal(req_decodef(MEET(", max_session:241")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "max_session"));
	assert_int_equal(req_decodef(MEET(", max_session:30")), 0);
	assert_int_equal(req_decodef(MEET(", max_session:25")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "max_session"));
	assert_int_equal(req_decodef(MEET(", max_session:'90'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET("")), 0);
	assert_int_equal(req.meeting.max_session, 0);
#undef MEET
	/* Packed and read back. */
	struct uccn_meeting in = {.id = "m", .kind = "conference", .start = "2026-06-01",
				  .end = "2026-06-01", .tz = "UTC", .max_session = 120};
	msgpack_sbuffer_clear(&frame);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_meeting_pack(&pk, &in), 0);
	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, frame.data, frame.size, NULL), MSGPACK_UNPACK_SUCCESS);
	struct uccn_meeting out = {0};
	assert_int_equal(uccn_meeting_from_object(&u.data, &out, why, sizeof why), 0);
	assert_int_equal(out.max_session, 120);
	uccn_meeting_clear(&out);
	msgpack_unpacked_destroy(&u);
}

/* A project.add whose partners are n ids c0, c1, ... */
static int project_with_partners(size_t n)
{
	char fmt[4096];
	size_t len = (size_t)snprintf(fmt, sizeof fmt,
				      "{v:1, rid:1, op:'project.add', project:{id:'p', title:'T', lead:'lead', partners:[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(fmt + len, sizeof fmt - len, "%s'c%zu'", i ? ", " : "", i);
	snprintf(fmt + len, sizeof fmt - len, "]}}");
	assert_true(len + 3 < sizeof fmt);
	return req_decodef(fmt);
}

static void test_idlist_decoder_rules(void **state)
{
	(void)state;
#define PROJ(extra) "{v:1, rid:30, op:'project.add', project:{id:'p', title:'T', lead:'lyon', " extra "}}"
#define MEET(extra) "{v:1, rid:31, op:'meeting.add', meeting:{id:'m', kind:'conference', " \
	"start:'2026-01-01', end:'2026-01-02', tz:'UTC', " extra "}}"
	assert_int_equal(req_decodef(PROJ("partners:['dakar', 'bogota'], fields:['film']")), 0);
	assert_int_equal(req.project.partners.n, 2);
	assert_string_equal(req.project.partners.v[1], "bogota");

	/* duplicates are refused, naming the item */
	assert_int_equal(req_decodef(PROJ("partners:['dakar', 'bogota', 'dakar']")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "dakar"));
	assert_non_null(strstr(why, "partners"));
	assert_request_clear(30);
	assert_int_equal(req_decodef(PROJ("fields:['film', 'film']")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET("hosts:['lyon', 'lyon']")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "hosts"));

	/* at most UCCN_MAX_LIST items */
	assert_int_equal(project_with_partners(UCCN_MAX_LIST), 0);
	assert_int_equal(req.project.partners.n, UCCN_MAX_LIST);
	assert_string_equal(req.project.partners.v[UCCN_MAX_LIST - 1], "c63");
	assert_int_equal(project_with_partners(UCCN_MAX_LIST + 1), UCCN_E_TOOBIG);
	assert_request_clear(1);

	/* an item that is no id */
	assert_int_equal(req_decodef(PROJ("partners:['Lyon']")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "Lyon"));
	assert_int_equal(req_decodef(PROJ("partners:['dakar', 'media_arts']")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("partners:['-x']")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("partners:['']")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("partners:[7]")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("partners:[nil]")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("partners:[['dakar']]")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("partners:'dakar'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("partners:{a:1}")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET("hosts:['Lyon']")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET("hosts:[1]")), UCCN_E_INVALID);
	/* an item past its length limit */
	char *id_at = repeat("a", UCCN_MAX_ID), *id_past = repeat("a", UCCN_MAX_ID + 1);
	assert_int_equal(req_decodef(PROJ("partners:[%s]"), id_at), 0);
	assert_int_equal(req_decodef(PROJ("partners:[%s]"), id_past), UCCN_E_TOOBIG);
	free(id_at);
	free(id_past);

	/* fields hold field names: '_' yes, '-' no */
	assert_int_equal(req_decodef(PROJ("fields:['media_arts', 'crafts_folk_art']")), 0);
	assert_string_equal(req.project.fields.v[0], "media_arts");
	assert_int_equal(req_decodef(PROJ("fields:['media-arts']")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "media-arts"));
	assert_int_equal(req_decodef(PROJ("fields:['lyon-2026']")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("fields:['Film']")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("fields:['2film']")), UCCN_E_INVALID);
	char *f_at = repeat("f", UCCN_MAX_FIELD), *f_past = repeat("f", UCCN_MAX_FIELD + 1);
	assert_int_equal(req_decodef(PROJ("fields:[%s]"), f_at), 0);
	assert_int_equal(req_decodef(PROJ("fields:[%s]"), f_past), UCCN_E_TOOBIG);
	free(f_at);
	free(f_past);

	/* empty and nil lists are no list */
	assert_int_equal(req_decodef(PROJ("partners:[], fields:nil")), 0);
	assert_int_equal(req.project.partners.n, 0);
	assert_null(req.project.partners.v);
#undef PROJ
#undef MEET
}

static void test_request_project_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_PROJECT_ADD, .rid = 40};
	sample_project(&r.project);
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_PROJECT_ADD);
	assert_int_equal(req.rid, 40);
	assert_int_equal(req.if_version, 0);
	/* seq and version are the store's */
	assert_int_equal(req.project.seq, 0);
	assert_int_equal(req.project.version, 0);
	struct uccn_project want;
	assert_int_equal(uccn_project_copy(&want, &r.project), 0);
	want.seq = want.version = 0;
	assert_project_equal(&req.project, &want);

	r.op = UCCN_OP_PROJECT_UPDATE;
	r.rid = 41;
	r.if_version = 3;
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_PROJECT_UPDATE);
	assert_int_equal(req.if_version, 3);
	assert_project_equal(&req.project, &want);
	r.if_version = 0; /* an update says which version it read */
	encode_request(&r);
	assert_int_equal(decode_frame(), UCCN_E_INVALID);
	assert_non_null(strstr(why, "if_version"));
	assert_int_equal(req_decodef("{v:1, op:'project.update', project:{id:'p', title:'T', lead:'l'}}"),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "if_version"));
	assert_int_equal(req_decodef("{v:1, op:'project.update', if_version:2}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'project.add'}"), UCCN_E_INVALID);
	uccn_project_clear(&want);
	uccn_request_clear(&r);

	/* show, join and leave name one project */
	static const enum uccn_op by_id[] = {
		UCCN_OP_PROJECT_SHOW, UCCN_OP_PROJECT_JOIN, UCCN_OP_PROJECT_LEAVE,
	};
	for (size_t i = 0; i < 3; i++) {
		struct uccn_request s = {.op = by_id[i], .rid = 42 + i, .name = "sound-map"};
		encode_request(&s);
		assert_int_equal(decode_frame(), 0);
		assert_int_equal(req.op, by_id[i]);
		assert_int_equal(req.rid, 42 + i);
		assert_string_equal(req.name, "sound-map");
		s.name = "Sound Map";
		encode_request(&s);
		assert_int_equal(decode_frame(), UCCN_E_INVALID);
		assert_request_clear(42 + i);
	}
	assert_int_equal(req_decodef("{v:1, op:'project.join'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'project.leave', id:nil}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'project.show', id:7}"), UCCN_E_INVALID);

	/* list: every filter, then none */
	struct uccn_request l = {.op = UCCN_OP_PROJECT_LIST, .rid = 45, .status = "active",
				 .field = "media_arts", .of_city = "dakar"};
	encode_request(&l);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_PROJECT_LIST);
	assert_string_equal(req.status, "active");
	assert_string_equal(req.field, "media_arts");
	assert_string_equal(req.of_city, "dakar");
	l.status = NULL;
	l.field = NULL;
	encode_request(&l);
	assert_int_equal(decode_frame(), 0);
	assert_null(req.status);
	assert_null(req.field);
	assert_string_equal(req.of_city, "dakar");
	l.of_city = NULL;
	encode_request(&l);
	assert_int_equal(decode_frame(), 0);
	assert_null(req.of_city);
	assert_int_equal(req_decodef("{v:1, op:'project.list', city:7}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'project.list', status:['active']}"), UCCN_E_INVALID);
}

static void test_request_meeting_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_MEETING_ADD, .rid = 50};
	sample_meeting(&r.meeting);
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_MEETING_ADD);
	assert_int_equal(req.rid, 50);
	struct uccn_meeting want;
	assert_int_equal(uccn_meeting_copy(&want, &r.meeting), 0);
	want.seq = want.version = 0;
	assert_meeting_equal(&req.meeting, &want);
	assert_true(req.meeting.hybrid);

	r.op = UCCN_OP_MEETING_UPDATE;
	r.if_version = 2;
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_MEETING_UPDATE);
	assert_int_equal(req.if_version, 2);
	assert_meeting_equal(&req.meeting, &want);
	r.if_version = 0;
	encode_request(&r);
	assert_int_equal(decode_frame(), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'meeting.add'}"), UCCN_E_INVALID);
	uccn_meeting_clear(&want);
	uccn_request_clear(&r);

	struct uccn_request s = {.op = UCCN_OP_MEETING_SHOW, .rid = 51, .name = "music-agm-2026"};
	encode_request(&s);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_MEETING_SHOW);
	assert_string_equal(req.name, "music-agm-2026");
	assert_int_equal(req_decodef("{v:1, op:'meeting.show', id:'agm_2026'}"), UCCN_E_INVALID);

	struct uccn_request l = {.op = UCCN_OP_MEETING_LIST, .rid = 52, .status = "planned",
				 .field = "music"};
	encode_request(&l);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_MEETING_LIST);
	assert_string_equal(req.status, "planned");
	assert_string_equal(req.field, "music");
	assert_null(req.of_city);
	l.status = l.field = NULL;
	encode_request(&l);
	assert_int_equal(decode_frame(), 0);
	assert_null(req.status);
	assert_null(req.field);

	/* A meeting list has no city filter (SPEC 4.15). Regression: the
	 * encoder counted no "city" key for it but wrote one, so the frame
	 * was malformed; and the decoder read one that re-encoded so. */
	l.status = "planned";
	l.of_city = "lyon";
	encode_request(&l);
	assert_int_equal(decode_frame(), 0);
	assert_string_equal(req.status, "planned");
	assert_null(req.of_city);
	assert_int_equal(req_decodef("{v:1, rid:53, op:'meeting.list', field:'film', city:'lyon'}"), 0);
	assert_null(req.of_city);
	assert_string_equal(req.field, "film");
	encode_request(&req);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.rid, 53);
	assert_string_equal(req.field, "film");
}

static void test_reply_project_meeting_roundtrip(void **state)
{
	(void)state;
	/* the writing ops answer seq and version */
	static const enum uccn_op writes[] = {
		UCCN_OP_PROJECT_ADD, UCCN_OP_PROJECT_UPDATE, UCCN_OP_PROJECT_JOIN,
		UCCN_OP_PROJECT_LEAVE, UCCN_OP_MEETING_ADD, UCCN_OP_MEETING_UPDATE,
	};
	for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
		struct uccn_reply r = {.op = writes[i], .rid = 60 + i, .seq = 1000 + i,
				       .version = i + 1};
		encode_reply(&r);
		assert_int_equal(reply_decode_frame(writes[i]), 0);
		assert_int_equal(rep.status, 0);
		assert_int_equal(rep.rid, 60 + i);
		assert_int_equal(rep.seq, 1000 + i);
		assert_int_equal(rep.version, i + 1);
		assert_int_equal(rep.nprojects, 0);
		assert_int_equal(rep.nmeetings, 0);
	}

	/* show: exactly one record */
	struct uccn_project p[2];
	sample_project(&p[0]);
	memset(&p[1], 0, sizeof p[1]);
	p[1].id = strdup("a-minimal-one");
	p[1].title = strdup("Minimal");
	p[1].lead = strdup("dakar");
	struct uccn_reply r = {.op = UCCN_OP_PROJECT_SHOW, .rid = 70, .projects = p, .nprojects = 1};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_PROJECT_SHOW), 0);
	assert_int_equal(rep.rid, 70);
	assert_int_equal(rep.nprojects, 1);
	assert_project_equal(&rep.projects[0], &p[0]);
	r.nprojects = 0;
	msgpack_sbuffer_clear(&frame);
	assert_int_equal(uccn_reply_encode(&r, &frame), UCCN_E_INVALID);
	r.nprojects = 2;
	msgpack_sbuffer_clear(&frame);
	assert_int_equal(uccn_reply_encode(&r, &frame), UCCN_E_INVALID);

	/* list: an array, in order */
	r = (struct uccn_reply){.op = UCCN_OP_PROJECT_LIST, .rid = 71, .projects = p, .nprojects = 2};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_PROJECT_LIST), 0);
	assert_int_equal(rep.nprojects, 2);
	assert_project_equal(&rep.projects[0], &p[0]);
	assert_project_equal(&rep.projects[1], &p[1]);
	assert_int_equal(rep.projects[1].partners.n, 0);
	r.nprojects = 0;
	r.projects = NULL;
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_PROJECT_LIST), 0);
	assert_int_equal(rep.nprojects, 0);
	assert_null(rep.projects);
	uccn_project_clear(&p[0]);
	uccn_project_clear(&p[1]);

	struct uccn_meeting m[2];
	sample_meeting(&m[0]);
	memset(&m[1], 0, sizeof m[1]);
	m[1].id = strdup("wg");
	m[1].kind = strdup("working-group");
	IDS_SET(&m[1].hosts, "dakar");
	m[1].start = strdup("2026-01-01");
	m[1].end = strdup("2026-01-01");
	m[1].tz = strdup("Africa/Dakar");
	r = (struct uccn_reply){.op = UCCN_OP_MEETING_SHOW, .rid = 72, .meetings = m, .nmeetings = 1};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_MEETING_SHOW), 0);
	assert_int_equal(rep.nmeetings, 1);
	assert_meeting_equal(&rep.meetings[0], &m[0]);
	r.nmeetings = 0;
	msgpack_sbuffer_clear(&frame);
	assert_int_equal(uccn_reply_encode(&r, &frame), UCCN_E_INVALID);

	r = (struct uccn_reply){.op = UCCN_OP_MEETING_LIST, .rid = 73, .meetings = m, .nmeetings = 2};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_MEETING_LIST), 0);
	assert_int_equal(rep.nmeetings, 2);
	assert_meeting_equal(&rep.meetings[0], &m[0]);
	assert_meeting_equal(&rep.meetings[1], &m[1]);
	assert_false(rep.meetings[1].hybrid);
	r.nmeetings = 0;
	r.meetings = NULL;
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_MEETING_LIST), 0);
	assert_int_equal(rep.nmeetings, 0);
	assert_null(rep.meetings);
	uccn_meeting_clear(&m[0]);
	uccn_meeting_clear(&m[1]);

	/* hostile replies: refused, and the reply left clear */
	assert_int_equal(rep_decodef(UCCN_OP_PROJECT_SHOW, "{v:1, rid:74, ok:true}"), UCCN_E_INVALID);
	assert_int_equal(rep.rid, 74);
	assert_null(rep.projects);
	assert_int_equal(rep_decodef(UCCN_OP_PROJECT_SHOW, "{v:1, rid:1, ok:true, project:[]}"),
			 UCCN_E_INVALID);
	assert_null(rep.projects);
	assert_int_equal(rep_decodef(UCCN_OP_PROJECT_LIST,
		"{v:1, rid:1, ok:true, projects:[{id:'a', partners:['b']}, 7]}"), UCCN_E_INVALID);
	assert_null(rep.projects);
	assert_int_equal(rep.nprojects, 0);
	assert_int_equal(rep_decodef(UCCN_OP_PROJECT_LIST,
		"{v:1, rid:1, ok:true, projects:[{id:'a', partners:['b', 'b']}]}"), UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_MEETING_LIST, "{v:1, rid:1, ok:true, meetings:'x'}"),
			 UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_MEETING_LIST,
		"{v:1, rid:1, ok:true, meetings:[{id:'m', hosts:[1]}]}"), UCCN_E_INVALID);
	assert_null(rep.meetings);
	assert_int_equal(rep_decodef(UCCN_OP_MEETING_SHOW,
		"{v:1, rid:1, ok:true, meeting:{id:'m', hybrid:'yes'}}"), UCCN_E_INVALID);
	assert_null(rep.meetings);
	assert_int_equal(rep_decodef(UCCN_OP_PROJECT_JOIN,
		"{v:1, rid:1, ok:true, seq:5, version:-1}"), UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_PROJECT_LIST, "{v:1, rid:1, ok:true}"), UCCN_E_INVALID);
	/* a reply of records with lists nests four deep: allowed */
	assert_int_equal(rep_decodef(UCCN_OP_MEETING_LIST,
		"{v:1, rid:1, ok:true, meetings:[{id:'m', hosts:['a', 'b']}]}"), 0);
	assert_int_equal(rep.meetings[0].hosts.n, 2);
}

static void test_project_meeting_rules(void **state)
{
	(void)state;
#define PROJ(extra) "{v:1, rid:80, op:'project.add', project:{id:'p', " extra "}}"
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon'")), 0);
	assert_null(req.project.status); /* the store's default */
	/* the lead is not also a partner */
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', partners:['dakar', 'lyon']")),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "lyon"));
	assert_int_equal(req.rid, 80);
	/* a status from the list */
	for (const char *const *s = uccn_project_statuses; *s; s++)
		assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', status:%s"), *s), 0);
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', status:'dormant'")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "dormant"));
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', status:'Active'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', status:''")), UCCN_E_INVALID);
	/* a title and a lead */
	assert_int_equal(req_decodef(PROJ("lead:'lyon'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("title:'', lead:'lyon'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("title:'T'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'Lyon'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, op:'project.add', project:{id:'P', title:'T', lead:'lyon'}}"),
			 UCCN_E_INVALID);
	/* dates: real ones, end not before start, each optional */
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', start:'2024-02-29', end:'2024-02-29'")), 0);
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', end:'2030-01-01'")), 0);
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', start:'2025-02-29'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', end:'2025-1-01'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', start:'2026-01-02', end:'2026-01-01'")),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "before"));
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', start:'2026-01-011'")), UCCN_E_TOOBIG);
	/* limits of the text fields */
	char *d_at = repeat("d", UCCN_MAX_DESCRIPTION), *d_past = repeat("d", UCCN_MAX_DESCRIPTION + 1);
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', description:%s"), d_at), 0);
	assert_int_equal(req_decodef(PROJ("title:'T', lead:'lyon', description:%s"), d_past), UCCN_E_TOOBIG);
	free(d_at);
	free(d_past);
	char *t_past = repeat("t", UCCN_MAX_TITLE + 1);
	assert_int_equal(req_decodef(PROJ("title:%s, lead:'lyon'"), t_past), UCCN_E_TOOBIG);
	free(t_past);
	assert_int_equal(req_decodef(PROJ("title:'two\nlines', lead:'lyon'")), UCCN_E_INVALID);
#undef PROJ

#define MEET(extra) "{v:1, rid:81, op:'meeting.add', meeting:{id:'m', " extra "}}"
#define BASE "hosts:['lyon'], start:'2026-06-01', end:'2026-06-02', tz:'Europe/Paris', "
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference'")), 0);
	assert_null(req.meeting.day_start); /* the defaults are the store's */
	assert_null(req.meeting.status);
	for (const char *const *k = uccn_meeting_kinds; *k; k++)
		assert_int_equal(req_decodef(MEET(BASE "field:'film', kind:%s"), *k), 0);
	assert_int_equal(req_decodef(MEET(BASE "kind:'party'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET(BASE "field:'film'")), UCCN_E_INVALID); /* no kind */
	/* an annual meeting is of one field */
	assert_int_equal(req_decodef(MEET(BASE "kind:'annual-meeting'")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "field"));
	assert_int_equal(req.rid, 81);
	assert_int_equal(req_decodef(MEET(BASE "kind:'annual-meeting', field:'media_arts'")), 0);
	assert_int_equal(req_decodef(MEET(BASE "kind:'annual-meeting', field:'Media Arts'")), UCCN_E_INVALID);
	/* the day ends after it starts; defaults count */
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_start:'00:00', day_end:'23:59'")), 0);
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_start:'10:00', day_end:'10:00'")),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "10:00"));
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_start:'10:00', day_end:'09:59'")),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_end:'09:00'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_end:'09:01'")), 0);
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_start:'17:30'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_start:'17:29'")), 0);
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_start:'9:00'")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "9:00"));
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_end:'24:00'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_end:'12:60'")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', day_end:'123:00'")), UCCN_E_TOOBIG);
	/* status from the list */
	for (const char *const *s = uccn_meeting_statuses; *s; s++)
		assert_int_equal(req_decodef(MEET(BASE "kind:'conference', status:%s"), *s), 0);
	assert_int_equal(req_decodef(MEET(BASE "kind:'conference', status:'postponed'")), UCCN_E_INVALID);
#undef BASE
	/* a time zone, hosts and both dates are required */
	assert_int_equal(req_decodef(MEET("kind:'conference', hosts:['lyon'], start:'2026-06-01', end:'2026-06-02'")),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "time zone"));
	assert_int_equal(req_decodef(MEET("kind:'conference', hosts:['lyon'], start:'2026-06-01', end:'2026-06-02', tz:'../x'")),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET("kind:'conference', start:'2026-06-01', end:'2026-06-02', tz:'UTC'")),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "host"));
	assert_int_equal(req_decodef(MEET("kind:'conference', hosts:[], start:'2026-06-01', end:'2026-06-02', tz:'UTC'")),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET("kind:'conference', hosts:['lyon'], end:'2026-06-02', tz:'UTC'")),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET("kind:'conference', hosts:['lyon'], start:'2026-06-01', tz:'UTC'")),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET("kind:'conference', hosts:['lyon'], start:'2026-06-02', end:'2026-06-01', tz:'UTC'")),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef(MEET("kind:'conference', hosts:['lyon'], start:'2026-02-30', end:'2026-03-01', tz:'UTC'")),
			 UCCN_E_INVALID);
	char *place_past = repeat("p", UCCN_MAX_PLACE + 1);
	assert_int_equal(req_decodef(MEET("kind:'conference', hosts:['lyon'], start:'2026-06-01', end:'2026-06-01', tz:'UTC', place:%s"),
				     place_past), UCCN_E_TOOBIG);
	free(place_past);
#undef MEET

	/* the same rules, called directly */
	struct uccn_project p = {.id = "p", .title = "T", .lead = "lyon"};
	assert_int_equal(uccn_project_check(&p, why, sizeof why), 0);
	IDS_SET(&p.partners, "dakar", "lyon");
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_INVALID);
	uccn_idlist_clear(&p.partners);
	p.status = "paused";
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_INVALID);
	p.status = NULL;
	p.lead = NULL;
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_INVALID);
	p.lead = "lyon";
	p.id = NULL;
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_INVALID);
	assert_int_equal(uccn_project_check(&p, NULL, 0), UCCN_E_INVALID); /* err may be NULL */

	struct uccn_meeting m = {.id = "m", .kind = "annual-meeting", .field = "film",
				 .start = "2026-06-01", .end = "2026-06-01", .tz = "UTC"};
	IDS_SET(&m.hosts, "lyon");
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), 0);
	m.field = NULL;
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), UCCN_E_INVALID);
	m.field = "film";
	m.day_start = "17:30"; /* not before the default end */
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), UCCN_E_INVALID);
	m.day_end = "17:31";
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), 0);
	m.tz = NULL;
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), UCCN_E_INVALID);
	m.tz = "UTC";
	uccn_idlist_clear(&m.hosts);
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), UCCN_E_INVALID);
	m.kind = NULL;
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), UCCN_E_INVALID);

	/* The checks hold a record to the limits of its msgpack form, so a
	 * record that passes can be stored and read back. Regression: title,
	 * place and the lists were not checked. */
	char *title_at = repeat("t", UCCN_MAX_TITLE), *title_past = repeat("t", UCCN_MAX_TITLE + 1);
	p = (struct uccn_project){.id = "p", .title = title_at, .lead = "lyon"};
	assert_int_equal(uccn_project_check(&p, why, sizeof why), 0);
	p.title = title_past;
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_TOOBIG);
	assert_non_null(strstr(why, "title"));
	p.title = "two\nlines";
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_INVALID);
	p.title = "\xff";
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_INVALID);
	p.title = "T";
	for (int i = 0; i < UCCN_MAX_LIST; i++) {
		char id[16];
		snprintf(id, sizeof id, "c%d", i);
		assert_int_equal(uccn_idlist_add(&p.partners, id), 0);
	}
	assert_int_equal(uccn_project_check(&p, why, sizeof why), 0);
	/* lists built by hand can break the rules uccn_idlist_add keeps */
	char *many[UCCN_MAX_LIST + 1];
	for (int i = 0; i <= UCCN_MAX_LIST; i++)
		many[i] = p.partners.v[i % UCCN_MAX_LIST];
	struct uccn_idlist keep = p.partners;
	p.partners = (struct uccn_idlist){many, UCCN_MAX_LIST + 1};
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_TOOBIG);
	assert_non_null(strstr(why, "partners"));
	p.partners = (struct uccn_idlist){many, 3};
	many[2] = many[0];
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_INVALID);
	assert_non_null(strstr(why, "twice"));
	many[2] = "Lyon";
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_INVALID);
	many[2] = "media_arts";
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_INVALID);
	p.partners = keep;
	IDS_SET(&p.fields, "media_arts", "film");
	assert_int_equal(uccn_project_check(&p, why, sizeof why), 0);
	IDS_SET(&p.fields, "media-arts");
	assert_int_equal(uccn_project_check(&p, why, sizeof why), UCCN_E_INVALID);
	assert_non_null(strstr(why, "fields"));
	uccn_idlist_clear(&p.fields);
	uccn_idlist_clear(&p.partners);
	free(title_at);
	free(title_past);

	char *pl_at = repeat("p", UCCN_MAX_PLACE), *pl_past = repeat("p", UCCN_MAX_PLACE + 1);
	m = (struct uccn_meeting){.id = "m", .kind = "conference", .start = "2026-06-01",
				  .end = "2026-06-01", .tz = "UTC", .place = pl_at};
	IDS_SET(&m.hosts, "lyon", "dakar");
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), 0);
	m.place = pl_past;
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), UCCN_E_TOOBIG);
	assert_non_null(strstr(why, "place"));
	m.place = "a\tb";
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), UCCN_E_INVALID);
	m.place = NULL;
	char *twice[] = {"lyon", "lyon"};
	struct uccn_idlist hosts = m.hosts;
	m.hosts = (struct uccn_idlist){twice, 2};
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), UCCN_E_INVALID);
	assert_non_null(strstr(why, "hosts"));
	twice[1] = "Dakar";
	assert_int_equal(uccn_meeting_check(&m, why, sizeof why), UCCN_E_INVALID);
	m.hosts = hosts;
	uccn_idlist_clear(&m.hosts);
	free(pl_at);
	free(pl_past);
}

/* ------------------------------------------------------------------ */
/* Messages: audiences, inbox, inbox.ack, watch, status. */

static char *cat(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);
	assert_non_null(s);
	strcpy(s, a);
	strcat(s, b);
	return s;
}

static void test_audience_valid(void **state)
{
	(void)state;
	char *id_at = repeat("a", UCCN_MAX_ID), *id_past = repeat("a", UCCN_MAX_ID + 1);
	char *f_at = repeat("f", UCCN_MAX_FIELD), *f_past = repeat("f", UCCN_MAX_FIELD + 1);
	char *city_at = cat("city:", id_at), *city_past = cat("city:", id_past);
	char *proj_at = cat("project:", id_at), *proj_past = cat("project:", id_past);
	char *field_at = cat("field:", f_at), *field_past = cat("field:", f_past);
	assert_int_equal(strlen(proj_at), UCCN_MAX_AUDIENCE_SPEC); /* the longest */
	const char *good[] = {
		"all", "city:krakow", "city:san-sebastian", "city:0", "project:sound-map",
		"project:2026-agm", "field:music", "field:media_arts", "field:x2",
		"city:all", /* a city whose id is "all" */
		city_at, proj_at, field_at,
	};
	const char *bad[] = {
		"", "All", "ALL", "all ", " all", "everyone", "*",
		"city", "city:", "city:Krakow", "city:-x", "city:x-", "city:a_b",
		"city:kraków", "city: krakow", "city:krakow ", "city:a:b", "city::a",
		"City:krakow", "cities:krakow", ":krakow", "krakow",
		"project:", "project:Sound", "project:a.b",
		"field:", "field:Music", "field:media-arts", "field:1film", "field:_x",
		"meeting:agm", "town:x", "all:", "all:x",
		city_past, proj_past, field_past,
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!uccn_audience_valid(good[i]))
			fail_msg("'%s' should be a valid audience", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (uccn_audience_valid(bad[i]))
			fail_msg("'%s' should not be a valid audience", bad[i]);
	assert_false(uccn_audience_valid(NULL));
	free(id_at);
	free(id_past);
	free(f_at);
	free(f_past);
	free(city_at);
	free(city_past);
	free(proj_at);
	free(proj_past);
	free(field_at);
	free(field_past);
}

static void sample_message(struct uccn_post *p)
{
	sample_post(p);
	free(p->kind);
	p->kind = strdup("message");
	p->minutes = 0;
	IDS_SET(&p->to, "city:dakar", "project:sound-map", "field:music", "all");
}

static void test_post_audience_roundtrip(void **state)
{
	(void)state;
	/* the record */
	struct uccn_post p, out;
	msgpack_packer pk;
	msgpack_unpacked u;
	sample_message(&p);
	memset(&out, 0, sizeof out);
	msgpack_sbuffer_clear(&frame);
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_post_pack(&pk, &p), 0);
	unpack_frame(&u);
	assert_int_equal(u.data.via.map.size, 10); /* minutes out, to in */
	assert_int_equal(uccn_post_from_object(&u.data, &out, why, sizeof why), 0);
	assert_post_equal(&out, &p);
	assert_idlist_equal(&out.to, &p.to);
	assert_int_equal(uccn_post_check(&out, why, sizeof why), 0);
	msgpack_unpacked_destroy(&u);
	uccn_post_clear(&out);

	/* a copy copies the audience */
	assert_int_equal(uccn_post_copy(&out, &p), 0);
	assert_idlist_equal(&out.to, &p.to);
	assert_ptr_not_equal(out.to.v, p.to.v);
	assert_ptr_not_equal(out.to.v[0], p.to.v[0]);
	uccn_post_clear(&out);
	assert_null(out.to.v);
	assert_int_equal(out.to.n, 0);

	/* a post request */
	struct uccn_request r = {.op = UCCN_OP_POST, .rid = 40};
	r.post = p;
	memset(&p, 0, sizeof p);
	free(r.post.city);
	r.post.city = NULL;
	r.post.seq = 0;
	r.post.created_ms = 0;
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_post_equal(&req.post, &r.post);
	assert_idlist_equal(&req.post.to, &r.post.to);
	/* every audience of the limit */
	IDS_SET(&r.post.to, "city:a", "city:b", "city:c", "city:d", "project:e",
		"project:f", "field:music", "all");
	assert_int_equal(r.post.to.n, UCCN_MAX_AUDIENCE);
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_idlist_equal(&req.post.to, &r.post.to);
	/* the order is kept */
	assert_string_equal(req.post.to.v[0], "city:a");
	assert_string_equal(req.post.to.v[7], "all");
	uccn_request_clear(&r);

	/* no audience: no "to" on the wire, an empty list back */
	struct uccn_request n = {.op = UCCN_OP_POST, .rid = 41};
	n.post.kind = strdup("news");
	n.post.body = strdup("hello");
	encode_request(&n);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.post.to.n, 0);
	assert_null(req.post.to.v);
	assert_null(memmem(frame.data, frame.size, "\xa2to", 3));
	uccn_request_clear(&n);
	/* nil and [] are no audience either */
	assert_int_equal(req_decodef("{v:1, rid:42, op:'post', post:{kind:'news', body:'x', to:nil}}"), 0);
	assert_int_equal(req.post.to.n, 0);
	assert_int_equal(req_decodef("{v:1, rid:42, op:'post', post:{kind:'news', body:'x', to:[]}}"), 0);
	assert_int_equal(req.post.to.n, 0);
	assert_null(req.post.to.v);

	/* posts in a list, watch, inbox and show reply keep their audience */
	static const enum uccn_op ops[] = {UCCN_OP_LIST, UCCN_OP_WATCH, UCCN_OP_INBOX,
					   UCCN_OP_SHOW};
	struct uccn_post posts[2];
	sample_message(&posts[0]);
	sample_post(&posts[1]);
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		struct uccn_reply rp = {.op = ops[i], .rid = 43, .posts = posts,
					.nposts = ops[i] == UCCN_OP_SHOW ? 1 : 2};
		encode_reply(&rp);
		assert_int_equal(reply_decode_frame(ops[i]), 0);
		assert_int_equal(rep.nposts, rp.nposts);
		assert_post_equal(&rep.posts[0], &posts[0]);
		assert_idlist_equal(&rep.posts[0].to, &posts[0].to);
		if (rp.nposts == 2)
			assert_int_equal(rep.posts[1].to.n, 0);
	}
	uccn_post_clear(&posts[0]);
	uccn_post_clear(&posts[1]);
}

static void test_post_audience_rules(void **state)
{
	(void)state;
#define POST(extra) "{v:1, rid:44, op:'post', post:{kind:'news', body:'x', " extra "}}"
#define MSG(extra) "{v:1, rid:45, op:'post', post:{kind:'message', body:'x' " extra "}}"
	/* at most UCCN_MAX_AUDIENCE */
	assert_int_equal(req_decodef(POST("to:['city:a', 'city:b', 'city:c', 'city:d', "
					  "'city:e', 'city:f', 'city:g', 'city:h']")), 0);
	assert_int_equal(req.post.to.n, UCCN_MAX_AUDIENCE);
	assert_int_equal(req_decodef(POST("to:['city:a', 'city:b', 'city:c', 'city:d', "
					  "'city:e', 'city:f', 'city:g', 'city:h', 'all']")),
			 UCCN_E_TOOBIG);
	assert_non_null(strstr(why, "8"));
	assert_request_clear(44);
	/* a message needs an audience; other kinds do not */
	assert_int_equal(req_decodef(MSG("")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "audience"));
	assert_request_clear(45);
	assert_int_equal(req_decodef(MSG(", to:[]")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MSG(", to:nil")), UCCN_E_INVALID);
	assert_int_equal(req_decodef(MSG(", to:['city:a']")), 0);
	assert_string_equal(req.post.kind, "message");
	assert_int_equal(req_decodef(MSG(", to:['all']")), 0);
	assert_int_equal(req_decodef(POST("to:nil")), 0);
	/* a spec that is none, a duplicate, a wrong type */
	static const char *const bad[] = {
		"to:['town:a']", "to:['City:a']", "to:['city:']", "to:['field:Music']",
		"to:['all', 'everyone']", "to:['city:a', 'city:a']", "to:['all', 'all']",
		"to:[7]", "to:[nil]", "to:['']", "to:[['city:a']]", "to:'city:a'",
		"to:{city:'a'}", "to:7", "to:true",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char fmt[200];
		snprintf(fmt, sizeof fmt, POST("%s"), bad[i]);
		/* the notation has no escapes: build the frame from the text */
		int rc = req_decodef(fmt);
		if (rc != UCCN_E_INVALID)
			fail_msg("post with %s: %d, want invalid", bad[i], rc);
		assert_request_clear(44);
	}
	assert_int_equal(req_decodef(POST("to:['town:a']")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "town:a"));
	assert_int_equal(req_decodef(POST("to:['city:a', 'city:a']")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "city:a"));
	/* an item past UCCN_MAX_AUDIENCE_SPEC bytes; one at it */
	char *id_at = repeat("a", UCCN_MAX_ID), *id_past = repeat("a", UCCN_MAX_ID + 1);
	char *at = cat("project:", id_at), *past = cat("project:", id_past);
	assert_int_equal(req_decodef(POST("to:[%s]"), at), 0);
	assert_string_equal(req.post.to.v[0], at);
	assert_int_equal(req_decodef(POST("to:[%s]"), past), UCCN_E_TOOBIG);
	free(past);
	past = cat("city:", id_past); /* short enough, but no id */
	assert_int_equal(req_decodef(POST("to:[%s]"), past), UCCN_E_INVALID);
	free(id_at);
	free(id_past);
	free(at);
	free(past);
	/* more items than any list: refused before the audience rule */
	msgpack_sbuffer_clear(&frame);
	{
		msgpack_packer pk;
		msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
		msgpack_pack_map(&pk, 4);
		msgpack_pack_str_with_body(&pk, "v", 1);
		msgpack_pack_uint64(&pk, 1);
		msgpack_pack_str_with_body(&pk, "rid", 3);
		msgpack_pack_uint64(&pk, 46);
		msgpack_pack_str_with_body(&pk, "op", 2);
		msgpack_pack_str_with_body(&pk, "post", 4);
		msgpack_pack_str_with_body(&pk, "post", 4);
		msgpack_pack_map(&pk, 3);
		msgpack_pack_str_with_body(&pk, "kind", 4);
		msgpack_pack_str_with_body(&pk, "news", 4);
		msgpack_pack_str_with_body(&pk, "body", 4);
		msgpack_pack_str_with_body(&pk, "x", 1);
		msgpack_pack_str_with_body(&pk, "to", 2);
		msgpack_pack_array(&pk, UCCN_MAX_LIST + 1);
		for (int i = 0; i <= UCCN_MAX_LIST; i++) {
			char spec[16];
			int n = snprintf(spec, sizeof spec, "city:c%d", i);
			msgpack_pack_str_with_body(&pk, spec, (size_t)n);
		}
	}
	assert_int_equal(decode_frame(), UCCN_E_TOOBIG);
	assert_request_clear(46);
#undef POST
#undef MSG

	/* uccn_post_check itself, on records no decoder made */
	struct uccn_post p = {0};
	p.kind = "message";
	p.body = "x";
	assert_int_equal(uccn_post_check(&p, why, sizeof why), UCCN_E_INVALID);
	assert_non_null(strstr(why, "audience"));
	char *one[] = {"town:x"};
	p.to = (struct uccn_idlist){one, 1};
	assert_int_equal(uccn_post_check(&p, why, sizeof why), UCCN_E_INVALID);
	assert_non_null(strstr(why, "town:x"));
	one[0] = "city:x";
	assert_int_equal(uccn_post_check(&p, why, sizeof why), 0);
	char *nine[] = {"city:a", "city:b", "city:c", "city:d", "city:e",
			"city:f", "city:g", "city:h", "city:i"};
	p.to = (struct uccn_idlist){nine, UCCN_MAX_AUDIENCE};
	assert_int_equal(uccn_post_check(&p, why, sizeof why), 0);
	p.to.n = UCCN_MAX_AUDIENCE + 1;
	assert_int_equal(uccn_post_check(&p, why, sizeof why), UCCN_E_TOOBIG);
	p.kind = "news"; /* the limit is every kind's */
	assert_int_equal(uccn_post_check(&p, why, sizeof why), UCCN_E_TOOBIG);
	p.to.n = 0;
	assert_int_equal(uccn_post_check(&p, why, sizeof why), 0);
	assert_int_equal(uccn_post_check(&p, NULL, 0), 0);
	nine[3] = "bad";
	p.to.n = 4;
	assert_int_equal(uccn_post_check(&p, NULL, 0), UCCN_E_INVALID);
}

static void test_request_inbox_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_INBOX, .rid = 50};
	r.query.limit = 50;
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_INBOX);
	assert_int_equal(req.rid, 50);
	assert_int_equal(req.query.limit, 50);
	/* no limit: absent, the default */
	r.query.limit = 0;
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.query.limit, 0);
	/* the limit's bounds */
	assert_int_equal(req_decodef("{v:1, rid:51, op:'inbox', limit:%u}",
				     (uint64_t)UCCN_LIST_MAX), 0);
	assert_int_equal(req.query.limit, UCCN_LIST_MAX);
	assert_int_equal(req_decodef("{v:1, rid:51, op:'inbox', limit:%u}",
				     (uint64_t)UCCN_LIST_MAX + 1), UCCN_E_INVALID);
	assert_non_null(strstr(why, "limit"));
	assert_request_clear(51);
	assert_int_equal(req_decodef("{v:1, rid:51, op:'inbox', limit:-1}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:51, op:'inbox', limit:'5'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:51, op:'inbox', limit:nil}"), 0);
	/* an inbox has no filters: what a list would take is ignored, as any
	 * unknown key is (so the request survives a round trip) */
	assert_int_equal(req_decodef("{v:1, rid:52, op:'inbox', kind:'news', city:'dakar', "
				     "project:'p', meeting:'m', since:5, before:9, limit:3}"), 0);
	assert_null(req.query.kind);
	assert_null(req.query.city);
	assert_null(req.query.project);
	assert_null(req.query.meeting);
	assert_int_equal(req.query.since, 0);
	assert_int_equal(req.query.before, 0);
	assert_int_equal(req.query.limit, 3);
	struct uccn_request again = req;
	memset(&req, 0, sizeof req);
	encode_request(&again);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.query.limit, 3);
	uccn_request_clear(&again);
}

static void test_request_inbox_ack_roundtrip(void **state)
{
	(void)state;
	static const uint64_t seqs[] = {0, 1, 1234, UINT64_MAX};
	for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
		struct uccn_request r = {.op = UCCN_OP_INBOX_ACK, .rid = 60 + i, .seq = seqs[i]};
		encode_request(&r);
		assert_int_equal(decode_frame(), 0);
		assert_int_equal(req.op, UCCN_OP_INBOX_ACK);
		assert_int_equal(req.rid, 60 + i);
		assert_int_equal(req.seq, seqs[i]);
	}
	/* seq is required and a non-negative integer */
	assert_int_equal(req_decodef("{v:1, rid:65, op:'inbox.ack'}"), UCCN_E_INVALID);
	assert_non_null(strstr(why, "seq"));
	assert_request_clear(65);
	assert_int_equal(req_decodef("{v:1, rid:65, op:'inbox.ack', seq:'7'}"), UCCN_E_INVALID);
	assert_non_null(strstr(why, "seq"));
	assert_int_equal(req_decodef("{v:1, rid:65, op:'inbox.ack', seq:-7}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:65, op:'inbox.ack', seq:1.5}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:65, op:'inbox.ack', seq:7}"), 0);
	assert_int_equal(req.seq, 7);
}

static void test_request_watch_roundtrip(void **state)
{
	(void)state;
	struct uccn_request r = {.op = UCCN_OP_WATCH, .rid = 70};
	r.query.kind = strdup("message");
	r.query.city = strdup("dakar");
	r.query.project = strdup("p-1");
	r.query.meeting = strdup("agm-2026");
	r.query.since = 1200;
	r.query.limit = 100;
	r.wait_ms = UCCN_WATCH_MAX_WAIT_MS; /* at the limit */
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_WATCH);
	assert_int_equal(req.rid, 70);
	assert_string_equal(req.query.kind, "message");
	assert_string_equal(req.query.city, "dakar");
	assert_string_equal(req.query.project, "p-1");
	assert_string_equal(req.query.meeting, "agm-2026");
	assert_int_equal(req.query.since, 1200);
	assert_int_equal(req.query.limit, 100);
	assert_int_equal(req.wait_ms, UCCN_WATCH_MAX_WAIT_MS);
	/* past it: the encoder sends it, the decoder refuses it */
	r.wait_ms = UCCN_WATCH_MAX_WAIT_MS + 1;
	encode_request(&r);
	assert_int_equal(decode_frame(), UCCN_E_INVALID);
	assert_non_null(strstr(why, "wait"));
	assert_request_clear(70);
	assert_int_equal(req_decodef("{v:1, rid:71, op:'watch', wait:%u}", (uint64_t)UINT32_MAX + 1),
			 UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:71, op:'watch', wait:-1}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:71, op:'watch', wait:'1000'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:71, op:'watch', since:0, wait:nil}"), 0);
	assert_int_equal(req.wait_ms, 0);
	assert_int_equal(req_decodef("{v:1, rid:71, op:'watch', since:0, wait:1}"), 0);
	assert_int_equal(req.wait_ms, 1);
	/* the filters are a list's: a bad kind or id is refused */
	assert_int_equal(req_decodef("{v:1, rid:71, op:'watch', since:0, kind:'gossip'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:71, op:'watch', since:0, city:'Dakar'}"), UCCN_E_INVALID);
	assert_int_equal(req_decodef("{v:1, rid:71, op:'watch', since:0, limit:%u}",
				     (uint64_t)UCCN_LIST_MAX + 1), UCCN_E_INVALID);
	/* since takes every seq, the last one too */
	r.query.since = UINT64_MAX;
	r.wait_ms = 0;
	encode_request(&r);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.query.since, UINT64_MAX);
	assert_int_equal(req.wait_ms, 0);
	uccn_request_clear(&r);

	/* nothing set: a bare watch, no wait */
	struct uccn_request e = {.op = UCCN_OP_WATCH, .rid = 72};
	encode_request(&e);
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.op, UCCN_OP_WATCH);
	assert_null(req.query.kind);
	assert_int_equal(req.query.since, 0);
	assert_int_equal(req.query.limit, 0);
	assert_int_equal(req.wait_ms, 0);

	/* wait is a watch's only: another op ignores it */
	assert_int_equal(req_decodef("{v:1, rid:73, op:'list', wait:5000}"), 0);
	assert_int_equal(req.wait_ms, 0);
	struct uccn_request l = {.op = UCCN_OP_LIST, .rid = 74, .wait_ms = 5000};
	encode_request(&l);
	assert_null(memmem(frame.data, frame.size, "wait", 4));
	assert_int_equal(decode_frame(), 0);
	assert_int_equal(req.wait_ms, 0);
}

static void test_reply_inbox_roundtrip(void **state)
{
	(void)state;
	struct uccn_post posts[2];
	sample_message(&posts[0]);
	sample_post(&posts[1]);
	struct uccn_reply r = {.op = UCCN_OP_INBOX, .rid = 80, .posts = posts,
			       .nposts = 2, .unread = 157};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_INBOX), 0);
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.rid, 80);
	assert_int_equal(rep.nposts, 2);
	assert_int_equal(rep.unread, 157);
	assert_post_equal(&rep.posts[0], &posts[0]);
	assert_post_equal(&rep.posts[1], &posts[1]);
	uccn_post_clear(&posts[0]);
	uccn_post_clear(&posts[1]);

	/* an empty inbox */
	struct uccn_reply e = {.op = UCCN_OP_INBOX, .rid = 81};
	encode_reply(&e);
	assert_int_equal(reply_decode_frame(UCCN_OP_INBOX), 0);
	assert_int_equal(rep.nposts, 0);
	assert_null(rep.posts);
	assert_int_equal(rep.unread, 0);
	e.unread = UINT64_MAX;
	encode_reply(&e);
	assert_int_equal(reply_decode_frame(UCCN_OP_INBOX), 0);
	assert_int_equal(rep.unread, UINT64_MAX);

	/* hostile: posts missing or no array, unread no uint */
	assert_int_equal(rep_decodef(UCCN_OP_INBOX, "{v:1, rid:82, ok:true, unread:1}"),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "posts"));
	assert_int_equal(rep_decodef(UCCN_OP_INBOX, "{v:1, rid:82, ok:true, posts:{}, unread:1}"),
			 UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_INBOX, "{v:1, rid:82, ok:true, posts:[], unread:'1'}"),
			 UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_INBOX, "{v:1, rid:82, ok:true, posts:[], unread:-1}"),
			 UCCN_E_INVALID);
	assert_int_equal(rep.rid, 82);
	assert_int_equal(rep.unread, 0);
	/* a post of the reply is checked as a record: its audience too */
	assert_int_equal(rep_decodef(UCCN_OP_INBOX, "{v:1, rid:83, ok:true, unread:1, posts:"
				     "[{seq:5, city:'a', kind:'message', body:'x', to:['town:b']}]}"),
			 UCCN_E_INVALID);
	assert_null(rep.posts);
	assert_int_equal(rep_decodef(UCCN_OP_INBOX, "{v:1, rid:83, ok:true, unread:1, posts:"
				     "[{seq:5, city:'a', kind:'message', body:'x', to:['city:b']}]}"),
			 0);
	assert_int_equal(rep.nposts, 1);
	assert_string_equal(rep.posts[0].to.v[0], "city:b");
}

static void test_reply_inbox_ack_roundtrip(void **state)
{
	(void)state;
	struct uccn_reply r = {.op = UCCN_OP_INBOX_ACK, .rid = 90, .acked = 12, .unread = 3};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_INBOX_ACK), 0);
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.rid, 90);
	assert_int_equal(rep.acked, 12);
	assert_int_equal(rep.unread, 3);
	assert_int_equal(rep.nposts, 0);
	r.acked = 0;
	r.unread = 0;
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_INBOX_ACK), 0);
	assert_int_equal(rep.acked, 0);
	assert_int_equal(rep.unread, 0);
	r.acked = UINT64_MAX;
	r.unread = UINT64_MAX - 1;
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_INBOX_ACK), 0);
	assert_int_equal(rep.acked, UINT64_MAX);
	assert_int_equal(rep.unread, UINT64_MAX - 1);
	assert_int_equal(rep_decodef(UCCN_OP_INBOX_ACK, "{v:1, rid:91, ok:true, acked:'2', unread:1}"),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "acked"));
	assert_int_equal(rep_decodef(UCCN_OP_INBOX_ACK, "{v:1, rid:91, ok:true, acked:2, unread:[]}"),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "unread"));
	assert_int_equal(rep.acked, 0); /* left clear */

	/* a write's error reply: the message and status come through */
	struct uccn_reply err = {.op = UCCN_OP_INBOX_ACK, .rid = 92, .status = UCCN_E_FULL,
				 .message = "disk full", .acked = 5, .unread = 5};
	encode_reply(&err);
	assert_int_equal(reply_decode_frame(UCCN_OP_INBOX_ACK), 0);
	assert_int_equal(rep.status, UCCN_E_FULL);
	assert_string_equal(rep.message, "disk full");
	assert_int_equal(rep.acked, 0);
	assert_int_equal(rep.unread, 0);
}

static void test_reply_watch_roundtrip(void **state)
{
	(void)state;
	struct uccn_post posts[2];
	sample_post(&posts[0]);
	sample_message(&posts[1]);
	posts[1].seq = 1300;
	struct uccn_reply r = {.op = UCCN_OP_WATCH, .rid = 100, .posts = posts,
			       .nposts = 2, .next = 1305};
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_WATCH), 0);
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.rid, 100);
	assert_int_equal(rep.nposts, 2);
	assert_int_equal(rep.next, 1305);
	assert_post_equal(&rep.posts[0], &posts[0]);
	assert_post_equal(&rep.posts[1], &posts[1]);
	assert_idlist_equal(&rep.posts[1].to, &posts[1].to);
	uccn_post_clear(&posts[0]);
	uccn_post_clear(&posts[1]);

	/* the wait ran out: no posts, next as it was */
	struct uccn_reply e = {.op = UCCN_OP_WATCH, .rid = 101, .next = UINT64_MAX};
	encode_reply(&e);
	assert_int_equal(reply_decode_frame(UCCN_OP_WATCH), 0);
	assert_int_equal(rep.nposts, 0);
	assert_null(rep.posts);
	assert_int_equal(rep.next, UINT64_MAX);
	assert_int_equal(rep_decodef(UCCN_OP_WATCH, "{v:1, rid:102, ok:true, next:5}"),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "posts"));
	assert_int_equal(rep_decodef(UCCN_OP_WATCH, "{v:1, rid:102, ok:true, posts:[], next:'5'}"),
			 UCCN_E_INVALID);
	assert_int_equal(rep_decodef(UCCN_OP_WATCH, "{v:1, rid:102, ok:true, posts:[], next:5}"), 0);
	assert_int_equal(rep.next, 5);

	/* the server holds too many: busy */
	struct uccn_reply busy = {.op = UCCN_OP_WATCH, .rid = 103, .status = UCCN_E_BUSY,
				  .message = "4096 watch requests held: ask again shortly"};
	encode_reply(&busy);
	assert_int_equal(reply_decode_frame(UCCN_OP_WATCH), 0);
	assert_int_equal(rep.status, UCCN_E_BUSY);
	assert_string_equal(rep.message, busy.message);
	assert_int_equal(rep.nposts, 0);
}

static void test_reply_status_mailboxes_roundtrip(void **state)
{
	(void)state;
	struct uccn_reply r = {.op = UCCN_OP_STATUS, .rid = 110};
	r.info.server = "uccnd 0.1.0";
	r.info.proto = UCCN_PROTO_VERSION;
	r.info.city = "dakar";
	r.info.role = "member";
	r.info.cities = 350;
	r.info.posts = 9000;
	r.info.last_seq = 9400;
	r.info.uptime_s = 60;
	r.info.unread = 17;
	r.info.mailboxes = 4321;
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_STATUS), 0);
	assert_int_equal(rep.rid, 110);
	assert_string_equal(rep.info.city, "dakar");
	assert_int_equal(rep.info.posts, 9000);
	assert_int_equal(rep.info.unread, 17);
	assert_int_equal(rep.info.mailboxes, 4321);
	r.info.unread = UINT64_MAX;
	r.info.mailboxes = 0;
	encode_reply(&r);
	assert_int_equal(reply_decode_frame(UCCN_OP_STATUS), 0);
	assert_int_equal(rep.info.unread, UINT64_MAX);
	assert_int_equal(rep.info.mailboxes, 0);
	/* an older server's status (no mailboxes) reads as empty mailboxes */
	assert_int_equal(rep_decodef(UCCN_OP_STATUS, "{v:1, rid:111, ok:true, server:'uccnd 0.0.9', "
				     "proto:1, city:'dakar', role:'member', cities:3, posts:4, "
				     "last_seq:7, uptime:1}"), 0);
	assert_int_equal(rep.info.cities, 3);
	assert_int_equal(rep.info.unread, 0);
	assert_int_equal(rep.info.mailboxes, 0);
	assert_int_equal(rep_decodef(UCCN_OP_STATUS, "{v:1, rid:112, ok:true, unread:'3'}"),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "unread"));
	assert_int_equal(rep_decodef(UCCN_OP_STATUS, "{v:1, rid:112, ok:true, mailboxes:-3}"),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "mailboxes"));
	assert_int_equal(rep.info.mailboxes, 0);
}

/* ------------------------------------------------------------------ */
/* The op table: one row per op, and each row's field lists hold. */

static char *dup_str(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

/* A request with every member set, valid for any op (the fields an op does
 * not carry are simply not sent). The caller clears it. */
static void full_request(struct uccn_request *r, enum uccn_op op)
{
	memset(r, 0, sizeof *r);
	r->op = op;
	r->rid = 4242;
	sample_city(&r->city);
	sample_post(&r->post);
	r->post.priority = dup_str("high");
	r->post.remote = true;
	r->post.pin = dup_str("1:09:00");
	IDS_SET(&r->post.to, "all");
	r->query = (struct uccn_query){dup_str("news"), dup_str("krakow"), dup_str("p1"),
				       dup_str("m1"), 5, 900, 20};
	r->seq = 12;
	r->wait_ms = 500;
	r->name = dup_str("film");
	r->field = dup_str("film");
	r->country = dup_str("Poland");
	r->status = dup_str("active");
	r->of_city = dup_str("lyon");
	r->if_version = 3;
	sample_project(&r->project);
	sample_meeting(&r->meeting);
	r->agenda.meeting = dup_str("music-agm-2026");
	r->agenda.entries = calloc(1, sizeof *r->agenda.entries);
	assert_non_null(r->agenda.entries);
	r->agenda.entries[0] = (struct uccn_agenda_entry){
		.key = dup_str("opening"), .title = dup_str("Opening"), .day = 1, .start = 540,
		.end = 555};
	r->agenda.nentries = 1;
	r->cities = calloc(2, sizeof *r->cities);
	assert_non_null(r->cities);
	sample_city(&r->cities[0]);
	sample_city(&r->cities[1]);
	r->ncities = 2;
	r->expires_s = 3600;
	r->secret = dup_str("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	r->overwrite = true;
	r->import_id = dup_str("3f9c0a51d2e87b64");
	r->discard = true;
	r->log_level = dup_str("warn");
	r->backup_id = dup_str("0c1f5a6fd1833d42");
	r->offset = 1048576;
}

/* A successful reply with every member set: one record in each array, so
 * the show replies (exactly one record) encode too. */
static void full_reply(struct uccn_reply *r, enum uccn_op op)
{
	memset(r, 0, sizeof *r);
	r->op = op;
	r->rid = 4343;
	r->seq = 7;
	r->duplicate = true;
	r->created_ms = 1764068766123;
	r->posts = calloc(1, sizeof *r->posts);
	r->cities = calloc(1, sizeof *r->cities);
	r->projects = calloc(1, sizeof *r->projects);
	r->meetings = calloc(1, sizeof *r->meetings);
	r->fields = calloc(2, sizeof *r->fields);
	assert_true(r->posts && r->cities && r->projects && r->meetings && r->fields);
	sample_post(&r->posts[0]);
	sample_city(&r->cities[0]);
	sample_project(&r->projects[0]);
	sample_meeting(&r->meetings[0]);
	r->nposts = r->ncities = r->nprojects = r->nmeetings = 1;
	r->backup = (struct uccn_backup_chunk){.id = dup_str("0c1f5a6fd1833d42"), .ready = true,
		.size = 3000000, .offset = 1048576, .done = true,
		.checksum = dup_str("7dc0cd6d2da09c7ecedc5f38719f2a9ad2ce19bd5c2697d6c24f14b67000bc21"),
		.manifest = dup_str("{\"format\":1}"), .last_seq = 41, .cities = 3, .posts = 38,
		.problems = 2, .problem = dup_str("posts 12: fails its checksum")};
	r->backup.data.data = malloc(3);
	assert_non_null(r->backup.data.data);
	memcpy(r->backup.data.data, "a\0b", 3);
	r->backup.data.len = 3;
	r->import_id = dup_str("3f9c0a51d2e87b64");
	r->log_was = dup_str("info");
	r->log_level = dup_str("debug");
	r->staged = 474;
	r->fields[0] = dup_str("film");
	r->fields[1] = dup_str("music");
	r->nfields = 2;
	r->next = 8;
	r->agenda.meeting = dup_str("music-agm-2026");
	r->agenda.version = 2;
	r->agenda.published_ms = 1764068766000;
	r->agenda.by = dup_str("bogota");
	r->has_agenda = true;
	r->version = 9;
	r->added = 1;
	r->updated = 2;
	r->unchanged = 3;
	r->kept = 6;
	r->unread = 4;
	r->acked = 5;
	r->info = (struct uccn_status_info){dup_str("uccnd 0.1.0"), UCCN_PROTO_VERSION,
					    dup_str("krakow"), dup_str("coordinator"),
					    10, 11, 12, 13, 14, 15, true,
					    {.data_dir = dup_str("/var/lib/uccnd"), .data_bytes = 16,
					     .mailbox_max_city = dup_str("krakow"),
					     .server_key_fingerprint = dup_str("2bb5:eab6:4a9e:5e04")}};
	r->info.state.refusals.by_code[-UCCN_E_DENIED] = 17;
}

/* The frame is one msgpack map spanning it exactly (so the count of keys
 * written before them matches the keys packed); returns its size. */
static uint32_t frame_map_size(size_t max_objects)
{
	assert_int_equal(uccn_msgpack_scan(frame.data, frame.size, UCCN_MAX_DEPTH,
					   max_objects, why, sizeof why), 0);
	msgpack_unpacked u;
	unpack_frame(&u);
	assert_int_equal(u.data.type, MSGPACK_OBJECT_MAP);
	uint32_t n = u.data.via.map.size;
	msgpack_unpacked_destroy(&u);
	return n;
}

static void test_op_table(void **state)
{
	(void)state;
	assert_null(uccn_op_desc(UCCN_OP_NONE));
	assert_null(uccn_op_desc((enum uccn_op)(UCCN_OP_LAST + 1)));
	for (enum uccn_op op = UCCN_OP_STATUS; op <= UCCN_OP_LAST; op++) {
		const struct uccn_op_desc *d = uccn_op_desc(op);
		assert_non_null(d);
		assert_int_equal(d->op, op);
		assert_non_null(d->name);
		assert_true(strlen(d->name) <= UCCN_MAX_OP);
		assert_ptr_equal(uccn_op_name(op), d->name);
		assert_int_equal(uccn_op_from_name(d->name), op);
		assert_int_equal(uccn_op_writes(op), d->writes);
		/* A write has a check: the server's fields never come from a
		 * client, and a write always names what it writes. */
		if (d->writes && op != UCCN_OP_INBOX_ACK)
			assert_non_null(d->check);
		for (enum uccn_op o = UCCN_OP_STATUS; o < op; o++)
			assert_string_not_equal(uccn_op_name(o), d->name);
	}
}

/* Every op's request with all its fields set: counted as packed, decoded,
 * and stable when encoded again. With none set it still encodes whole. */
static void test_op_requests_all_and_none(void **state)
{
	(void)state;
	for (enum uccn_op op = UCCN_OP_STATUS; op <= UCCN_OP_LAST; op++) {
		const struct uccn_op_desc *d = uccn_op_desc(op);
		struct uccn_request full;
		full_request(&full, op);
		encode_request(&full);
		assert_int_equal(frame_map_size(UCCN_MAX_REQUEST_OBJECTS), 3 + d->nrequest);
		if (decode_frame() != 0)
			fail_msg("%s: %s", d->name, why);
		assert_int_equal(req.op, op);
		assert_int_equal(req.rid, 4242);
		msgpack_sbuffer first;
		msgpack_sbuffer_init(&first);
		assert_int_equal(uccn_request_encode(&req, &first), 0);
		msgpack_sbuffer_clear(&frame);
		msgpack_sbuffer_write(&frame, first.data, first.size);
		assert_int_equal(decode_frame(), 0);
		encode_request(&req);
		assert_int_equal(frame.size, first.size);
		assert_memory_equal(frame.data, first.data, first.size);
		msgpack_sbuffer_destroy(&first);
		uccn_request_clear(&full);

		struct uccn_request none = {.op = op};
		encode_request(&none);
		assert_true(frame_map_size(UCCN_MAX_REQUEST_OBJECTS) <= 3 + d->nrequest);
	}
}

/* The same for replies; a reply that promises one record (show, agenda.get)
 * is refused without one, before anything is packed. */
static void test_op_replies_all_and_none(void **state)
{
	(void)state;
	for (enum uccn_op op = UCCN_OP_STATUS; op <= UCCN_OP_LAST; op++) {
		const struct uccn_op_desc *d = uccn_op_desc(op);
		struct uccn_reply full;
		full_reply(&full, op);
		encode_reply(&full);
		uccn_reply_clear(&full);
		assert_int_equal(frame_map_size(UCCN_MAX_REPLY_OBJECTS), 3 + d->nreply);
		if (reply_decode_frame(op) != 0)
			fail_msg("%s: %s", d->name, why);
		assert_int_equal(rep.rid, 4343);
		msgpack_sbuffer first;
		msgpack_sbuffer_init(&first);
		msgpack_sbuffer_write(&first, frame.data, frame.size);
		encode_reply(&rep);
		assert_int_equal(frame.size, first.size);
		assert_memory_equal(frame.data, first.data, first.size);
		msgpack_sbuffer_destroy(&first);

		struct uccn_reply none = {.op = op};
		msgpack_sbuffer_clear(&frame);
		int rc = uccn_reply_encode(&none, &frame);
		bool promises_one = op == UCCN_OP_SHOW || op == UCCN_OP_CITY_SHOW ||
				    op == UCCN_OP_PROJECT_SHOW || op == UCCN_OP_MEETING_SHOW ||
				    op == UCCN_OP_AGENDA_GET;
		if (promises_one) {
			assert_int_equal(rc, UCCN_E_INVALID);
			assert_int_equal(frame.size, 0);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_true(frame_map_size(UCCN_MAX_REPLY_OBJECTS) <= 3 + d->nreply);
		assert_int_equal(reply_decode_frame(op), 0);
	}
	/* Two records where one is promised are refused as well. */
	struct uccn_post two[2] = {{.kind = "news", .body = "a"}, {.kind = "news", .body = "b"}};
	struct uccn_reply r = {.op = UCCN_OP_SHOW, .posts = two, .nposts = 2};
	assert_int_equal(uccn_reply_encode(&r, &frame), UCCN_E_INVALID);
}

/* Key order and presence, byte for byte, where they are easiest to get
 * wrong: filters sent only when set, in SPEC.md's order. */
static void test_op_wire_order(void **state)
{
	(void)state;
	msgpack_sbuffer want;
	msgpack_sbuffer_init(&want);
#define EXPECT_FRAME(...)                                                     \
	do {                                                                  \
		msgpack_sbuffer_clear(&want);                                 \
		vmpf_into(&want, __VA_ARGS__);                                \
		assert_int_equal(frame.size, want.size);                      \
		assert_memory_equal(frame.data, want.data, want.size);        \
	} while (0)

	struct uccn_request r = {.op = UCCN_OP_WATCH, .rid = 7, .wait_ms = 500,
				 .query = {.kind = "news", .meeting = "m1", .since = 5, .limit = 20}};
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'watch', kind:'news', meeting:'m1', since:5, limit:20, wait:500}");
	r = (struct uccn_request){.op = UCCN_OP_LIST, .rid = 7, .wait_ms = 500,
				  .query = {.city = "krakow", .before = 9}};
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'list', city:'krakow', before:9}");
	r = (struct uccn_request){.op = UCCN_OP_INBOX, .rid = 7, .query = {.kind = "news", .limit = 3}};
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'inbox', limit:3}");
	r = (struct uccn_request){.op = UCCN_OP_PROJECT_LIST, .rid = 7, .status = "active",
				  .field = "film", .of_city = "lyon", .country = "Peru"};
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'project.list', status:'active', field:'film', city:'lyon'}");
	r.op = UCCN_OP_MEETING_LIST;
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'meeting.list', status:'active', field:'film'}");
	r.op = UCCN_OP_CITY_LIST;
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'city.list', field:'film', country:'Peru'}");
	r = (struct uccn_request){.op = UCCN_OP_AGENDA_GET, .rid = 7, .name = "m1"};
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'agenda.get', id:'m1'}");
	r.seq = 2;
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'agenda.get', id:'m1', version:2}");
	r = (struct uccn_request){.op = UCCN_OP_SHOW, .rid = 7};
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'show', seq:0}");
	r = (struct uccn_request){.op = UCCN_OP_CITY_SHOW, .rid = 7};
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'city.show', id:nil}");
	r = (struct uccn_request){.op = UCCN_OP_CITY_REKEY, .rid = 7};
	r.city.id = "krakow";
	memcpy(r.city.key, PUB, sizeof r.city.key);
	encode_request(&r);
	EXPECT_FRAME("{v:1, rid:7, op:'city.rekey', id:'krakow', key:%s}", PUB);

	struct uccn_reply p = {.op = UCCN_OP_POST, .rid = 7, .seq = 42, .created_ms = 99};
	encode_reply(&p);
	EXPECT_FRAME("{v:1, rid:7, ok:true, seq:42, duplicate:false, created:99}");
	p = (struct uccn_reply){.op = UCCN_OP_WATCH, .rid = 7, .next = 3, .unread = 4};
	encode_reply(&p);
	EXPECT_FRAME("{v:1, rid:7, ok:true, posts:[], next:3}");
	p.op = UCCN_OP_INBOX;
	encode_reply(&p);
	EXPECT_FRAME("{v:1, rid:7, ok:true, posts:[], unread:4}");
	p = (struct uccn_reply){.op = UCCN_OP_STATUS, .rid = 7, .info = {.proto = 1, .posts = 2}};
	encode_reply(&p);
	EXPECT_FRAME("{v:1, rid:7, ok:true, server:nil, proto:1, city:nil, role:nil, cities:0,"
		     " posts:2, last_seq:0, uptime:0, unread:0, mailboxes:0}");
	p = (struct uccn_reply){.op = UCCN_OP_CITY_IMPORT, .rid = 7, .status = UCCN_E_NOTFOUND,
				.message = "no", .error_index = 2};
	encode_reply(&p);
	EXPECT_FRAME("{v:1, rid:7, ok:false, error:'not_found', message:'no', index:2}");
#undef EXPECT_FRAME
	msgpack_sbuffer_destroy(&want);
}

/* The one UTF-8 decoder: every boundary of RFC 3629. */
static void test_utf8_next(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t len;      /* bytes offered */
		size_t want;     /* 0: refused */
		uint32_t cp;
	} t[] = {
		{"\0", 1, 1, 0}, {"A", 1, 1, 'A'}, {"\x7f", 1, 1, 0x7f},
		{"\xc2\x80", 2, 2, 0x80}, {"\xdf\xbf", 2, 2, 0x7ff},
		{"\xe0\xa0\x80", 3, 3, 0x800}, {"\xef\xbf\xbf", 3, 3, 0xffff},
		{"\xed\x9f\xbf", 3, 3, 0xd7ff}, {"\xee\x80\x80", 3, 3, 0xe000},
		{"\xf0\x90\x80\x80", 4, 4, 0x10000}, {"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
		{"\xc3\xb3xyz", 5, 2, 0xf3},
		/* overlong forms */
		{"\xc0\x80", 2, 0, 0}, {"\xc1\xbf", 2, 0, 0}, {"\xe0\x9f\xbf", 3, 0, 0},
		{"\xf0\x8f\xbf\xbf", 4, 0, 0},
		/* surrogates, past U+10FFFF, bytes that start nothing */
		{"\xed\xa0\x80", 3, 0, 0}, {"\xed\xbf\xbf", 3, 0, 0},
		{"\xf4\x90\x80\x80", 4, 0, 0}, {"\xf5\x80\x80\x80", 4, 0, 0},
		{"\xff", 1, 0, 0}, {"\x80", 1, 0, 0}, {"\xbf", 1, 0, 0},
		/* cut short by the length, or by a byte that does not continue */
		{"", 0, 0, 0}, {"\xc3\xb3", 1, 0, 0}, {"\xe2\x82\xac", 2, 0, 0},
		{"\xf0\x9f\x8e\xb6", 3, 0, 0}, {"\xc3" "A", 2, 0, 0}, {"\xe2\x82" "A", 3, 0, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint32_t cp = 0xdeadbeef;
		size_t n = uccn_utf8_next((const unsigned char *)t[i].s, t[i].len, &cp);
		if (n != t[i].want)
			fail_msg("case %zu: length %zu, want %zu", i, n, t[i].want);
		assert_int_equal(cp, n ? t[i].cp : 0xdeadbeef);
	}
	/* Its users agree with it. */
	assert_false(uccn_text_valid("\xed\xa0\x80", 3, 10, false));
	assert_int_equal(uccn_slug("A\xc0\x80", (char[8]){0}, 8), UCCN_E_INVALID);
}

/* Decode a one-key map as record `what`; the record is freed. */
static int decode_one_key(const char *what, const char *fmt, ...)
{
	va_list ap;
	msgpack_unpacked u;
	int rc;
	msgpack_sbuffer_clear(&frame);
	va_start(ap, fmt);
	vmpf(&frame, fmt, ap);
	va_end(ap);
	unpack_frame(&u);
	if (strcmp(what, "city") == 0) {
		struct uccn_city c = {0};
		rc = uccn_city_from_object(&u.data, &c, why, sizeof why);
		uccn_city_clear(&c);
	} else if (strcmp(what, "post") == 0) {
		struct uccn_post p = {0};
		rc = uccn_post_from_object(&u.data, &p, why, sizeof why);
		uccn_post_clear(&p);
	} else if (strcmp(what, "project") == 0) {
		struct uccn_project p = {0};
		rc = uccn_project_from_object(&u.data, &p, why, sizeof why);
		uccn_project_clear(&p);
	} else if (strcmp(what, "meeting") == 0) {
		struct uccn_meeting m = {0};
		rc = uccn_meeting_from_object(&u.data, &m, why, sizeof why);
		uccn_meeting_clear(&m);
	} else {
		struct uccn_agenda_pub a = {0};
		rc = uccn_agenda_pub_from_object(&u.data, &a, why, sizeof why);
		uccn_agenda_pub_clear(&a);
	}
	msgpack_unpacked_destroy(&u);
	return rc;
}

/* A published entry's deferrals: at and just past UCCN_MAX_DEFERRALS,
 * and kept through the wire. */
static void test_agenda_entry_deferrals(void **state)
{
	(void)state;
	assert_int_equal(decode_one_key("agenda", "{entries:[{key:'k', title:'t', deferrals:%d}]}",
					UCCN_MAX_DEFERRALS), 0);
	assert_int_equal(decode_one_key("agenda", "{entries:[{key:'k', title:'t', deferrals:%d}]}",
					UCCN_MAX_DEFERRALS + 1), UCCN_E_INVALID);
	assert_non_null(strstr(why, "deferrals"));
	struct uccn_agenda_entry e = {.key = "post:1", .title = "t", .deferred = true, .deferrals = 2};
	struct uccn_agenda_pub in = {.meeting = "m", .entries = &e, .nentries = 1};
	msgpack_sbuffer_clear(&frame);
	msgpack_packer pk;
	msgpack_packer_init(&pk, &frame, msgpack_sbuffer_write);
	assert_int_equal(uccn_agenda_pub_pack(&pk, &in), 0);
	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, frame.data, frame.size, NULL), MSGPACK_UNPACK_SUCCESS);
	struct uccn_agenda_pub out = {0};
	assert_int_equal(uccn_agenda_pub_from_object(&u.data, &out, why, sizeof why), 0);
	assert_int_equal(out.nentries, 1);
	assert_int_equal(out.entries[0].deferrals, 2);
	uccn_agenda_pub_clear(&out);
	msgpack_unpacked_destroy(&u);
}

/* The limits uccn_limits.h names for record fields, at and just past. */
static void test_limit_named_fields(void **state)
{
	(void)state;
	static const struct { const char *what, *key; size_t max; } strs[] = {
		{"city", "role", UCCN_MAX_ROLE}, {"city", "term_end", UCCN_MAX_DATE},
		{"post", "kind", UCCN_MAX_KIND}, {"post", "priority", UCCN_MAX_PRIORITY},
		{"post", "pin", UCCN_MAX_PIN},
		{"project", "status", UCCN_MAX_STATUS}, {"project", "start", UCCN_MAX_DATE},
		{"project", "end", UCCN_MAX_DATE},
		{"meeting", "kind", UCCN_MAX_KIND}, {"meeting", "status", UCCN_MAX_STATUS},
		{"meeting", "start", UCCN_MAX_DATE}, {"meeting", "end", UCCN_MAX_DATE},
		{"meeting", "day_start", UCCN_MAX_HHMM}, {"meeting", "day_end", UCCN_MAX_HHMM},
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		char *at = repeat("a", strs[i].max), *past = repeat("a", strs[i].max + 1);
		assert_int_equal(decode_one_key(strs[i].what, "{%s:%s}", strs[i].key, at), 0);
		assert_int_equal(decode_one_key(strs[i].what, "{%s:%s}", strs[i].key, past),
				 UCCN_E_TOOBIG);
		assert_non_null(strstr(why, strs[i].key));
		free(at);
		free(past);
	}
	/* An agenda entry's strings and numbers. */
	char *at = repeat("k", UCCN_MAX_ENTRY_KEY), *past = repeat("k", UCCN_MAX_ENTRY_KEY + 1);
	assert_int_equal(decode_one_key("agenda", "{entries:[{title:'t', key:%s}]}", at), 0);
	assert_int_equal(decode_one_key("agenda", "{entries:[{title:'t', key:%s}]}", past),
			 UCCN_E_TOOBIG);
	free(at);
	free(past);
	at = repeat("t", UCCN_MAX_ENTRY_TITLE);
	past = repeat("t", UCCN_MAX_ENTRY_TITLE + 1);
	assert_int_equal(decode_one_key("agenda", "{entries:[{key:'k', title:%s}]}", at), 0);
	assert_int_equal(decode_one_key("agenda", "{entries:[{key:'k', title:%s}]}", past),
			 UCCN_E_TOOBIG);
	free(at);
	free(past);
	at = repeat("r", UCCN_MAX_REASON);
	past = repeat("r", UCCN_MAX_REASON + 1);
	assert_int_equal(decode_one_key("agenda", "{entries:[{key:'k', title:'t', reason:%s}]}", at), 0);
	assert_int_equal(decode_one_key("agenda", "{entries:[{key:'k', title:'t', reason:%s}]}", past),
			 UCCN_E_TOOBIG);
	free(at);
	free(past);
	static const struct { const char *key; uint64_t max; } nums[] = {
		{"day", UCCN_MAX_AGENDA_DAY}, {"start", UCCN_MINUTES_PER_DAY},
		{"end", UCCN_MINUTES_PER_DAY},
	};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		assert_int_equal(decode_one_key("agenda", "{entries:[{key:'k', title:'t', %s:%u}]}",
						nums[i].key, nums[i].max), 0);
		assert_int_equal(decode_one_key("agenda", "{entries:[{key:'k', title:'t', %s:%u}]}",
						nums[i].key, nums[i].max + 1), UCCN_E_INVALID);
	}
	int day, minute;
	char pin[16];
	snprintf(pin, sizeof pin, "%d:09:00", UCCN_MAX_AGENDA_DAY);
	assert_true(uccn_pin_parse(pin, &day, &minute));
	assert_int_equal(day, UCCN_MAX_AGENDA_DAY);
	/* Coordinates, in degrees either way. */
	char fmt[64];
	snprintf(fmt, sizeof fmt, "{lat:-%d.0, lon:%d.0}", UCCN_MAX_LAT, UCCN_MAX_LON);
	assert_int_equal(decode_one_key("city", fmt), 0);
	snprintf(fmt, sizeof fmt, "{lat:%d.5}", UCCN_MAX_LAT);
	assert_int_equal(decode_one_key("city", fmt), UCCN_E_INVALID);
	snprintf(fmt, sizeof fmt, "{lon:-%d.5}", UCCN_MAX_LON);
	assert_int_equal(decode_one_key("city", fmt), UCCN_E_INVALID);
	/* A list's status filter. */
	at = repeat("s", UCCN_MAX_STATUS);
	past = repeat("s", UCCN_MAX_STATUS + 1);
	assert_int_equal(req_decodef("{v:1, op:'project.list', status:%s}", at), 0);
	assert_int_equal(req_decodef("{v:1, op:'meeting.list', status:%s}", past), UCCN_E_TOOBIG);
	free(at);
	free(past);
}

/* What an op's check adds to its fields, with the messages SPEC.md's
 * readers and the CLI rely on. */
static void test_op_checks(void **state)
{
	(void)state;
	assert_int_equal(req_decodef("{v:1, op:'project.update', project:{id:'p', title:'T', lead:'a'}}"),
			 UCCN_E_INVALID);
	assert_string_equal(why, "field 'if_version' is missing: say which version you read");
	assert_int_equal(req_decodef("{v:1, op:'meeting.update', if_version:0, meeting:{id:'m',"
				     " kind:'conference', hosts:['a'], start:'2026-01-01',"
				     " end:'2026-01-02', tz:'Europe/Paris'}}"), UCCN_E_INVALID);
	assert_string_equal(why, "field 'if_version': must be at least 1");
	assert_int_equal(req_decodef("{v:1, op:'show', seq:0}"), UCCN_E_INVALID);
	assert_string_equal(why, "field 'seq': must be at least 1");
	assert_int_equal(req_decodef("{v:1, op:'show'}"), UCCN_E_INVALID);
	assert_string_equal(why, "field 'seq' is missing");
	assert_int_equal(req_decodef("{v:1, op:'inbox.ack', seq:0}"), 0);
	assert_int_equal(req_decodef("{v:1, op:'city.show', id:nil}"), UCCN_E_INVALID);
	assert_string_equal(why, "field 'id' is missing");
	assert_int_equal(req_decodef("{v:1, op:'project.join', id:'A b'}"), UCCN_E_INVALID);
	assert_string_equal(why, "'A b' is not an id (a-z, 0-9, '-')");
	assert_int_equal(req_decodef("{v:1, op:'city.rekey', id:'K', key:%s}", PUB), UCCN_E_INVALID);
	assert_string_equal(why, "'K' is not a city id");
	assert_int_equal(req_decodef("{v:1, op:'city.rekey', id:'k', key:''}"), UCCN_E_INVALID);
	assert_string_equal(why, "field 'key': not a Z85 public key of 40 characters");
	assert_int_equal(req_decodef("{v:1, op:'city.rekey', id:'k', key:nil}"), UCCN_E_INVALID);
	assert_string_equal(why, "field 'key' is missing");
	assert_int_equal(req_decodef("{v:1, op:'list', kind:'gossip'}"), UCCN_E_INVALID);
	assert_string_equal(why, "kind 'gossip' is not a post kind");
	assert_int_equal(req_decodef("{v:1, op:'watch', since:0, project:'P'}"), UCCN_E_INVALID);
	assert_string_equal(why, "project 'P' is not a valid id");
	assert_int_equal(req_decodef("{v:1, op:'agenda.publish', agenda:{meeting:'M M'}}"),
			 UCCN_E_INVALID);
	assert_string_equal(why, "field 'meeting': not a meeting id");
	assert_int_equal(req_decodef("{v:1, op:'agenda.publish', agenda:{meeting:'m',"
				     " entries:[{key:'k'}]}}"), UCCN_E_INVALID);
	assert_string_equal(why, "an agenda entry needs a key and a title");
	assert_int_equal(req_decodef("{v:1, op:'city.import', cities:[{id:'a', name:'A',"
				     " field:'film', role:'member'}, {id:7}]}"), UCCN_E_INVALID);
	assert_string_equal(why, "city 2 of the import: field 'id': not a string");
	assert_int_equal(req_decodef("{v:1, op:'city.import', cities:nil}"), UCCN_E_INVALID);
	assert_string_equal(why, "field 'cities': not an array");
	assert_int_equal(req_decodef("{v:1, op:'city.import', cities:[]}"), 0);
	assert_int_equal(req.ncities, 0);
	assert_null(req.cities);
	/* What the server sets is cleared, whatever the client sent. */
	assert_int_equal(req_decodef("{v:1, op:'city.import', cities:[{id:'a', name:'A',"
				     " field:'film', role:'member', seq:5, version:6}]}"), 0);
	assert_int_equal(req.cities[0].seq, 0);
	assert_int_equal(req.cities[0].version, 0);
	assert_int_equal(req_decodef("{v:1, op:'agenda.publish', agenda:{meeting:'m', version:3,"
				     " published:5, by:'x'}}"), 0);
	assert_int_equal(req.agenda.version, 0);
	assert_int_equal(req.agenda.published_ms, 0);
	assert_null(req.agenda.by);
}

/* ------------------------------------------------------------------ */

#define T(f) cmocka_unit_test_teardown(f, teardown)

/* ---- issue 14: SPEC conformance ---- */

#define C14_CITY(extra) "{v:1, rid:21, op:'city.add', city:{" extra "}}"
#define C14_POST(extra) "{v:1, rid:22, op:'post', post:{" extra "}}"

/* SPEC 3: C1 controls are refused in text (a body, a description) as in a
 * line: U+009B is CSI to a terminal. TAB, LF and CR stay allowed. */
static void test_text_refuses_c1(void **state)
{
	(void)state;
	assert_false(uccn_text_valid("a\xc2\x9b" "2J", 5, 100, false));
	assert_false(uccn_text_valid("\xc2\x80", 2, 100, false));
	assert_false(uccn_text_valid("\xc2\x9f", 2, 100, false));
	assert_true(uccn_text_valid("\xc2\xa0", 2, 100, false)); /* NBSP is not C1 */
	assert_true(uccn_text_valid("a\tb\r\nc", 6, 100, false));
	assert_int_equal(req_decodef("{v:1, op:'post', post:{kind:'news', body:%s}}",
				     "csi \xc2\x9b" "31m red"), UCCN_E_INVALID);
	assert_non_null(strstr(why, "body"));
	assert_int_equal(req_decodef("{v:1, op:'project.add', project:{id:'p', title:'T', "
				     "lead:'lyon', description:%s}}", "d\xc2\x85"), UCCN_E_INVALID);
	assert_non_null(strstr(why, "description"));
}

/* SPEC 3 and 7: a body past UCCN_MAX_REQUEST_OBJECTS is too_big, the name
 * for a limit, as test_limit_objects probes at and past it. */
static void test_objects_past_limit_too_big(void **state)
{
	(void)state;
	unsigned char arr[3 + UCCN_MAX_REQUEST_OBJECTS + 1];
	arr[0] = 0xdd; /* array 32: MAX + 1 nils */
	uint32_t n = UCCN_MAX_REQUEST_OBJECTS;
	arr[1] = 0; arr[2] = (unsigned char)(n >> 16);
	arr[3] = (unsigned char)(n >> 8); arr[4] = (unsigned char)n;
	unsigned char *b = malloc(5 + n);
	assert_non_null(b);
	memcpy(b, arr, 5);
	memset(b + 5, 0xc0, n);
	/* The array and its MAX nils are MAX + 1 objects. */
	assert_int_equal(decode_bytes(b, 5 + n), UCCN_E_TOOBIG);
	free(b);
}

/* SPEC 5.1: lat and lon, both or neither. */
static void test_city_coordinates_both_or_neither(void **state)
{
	(void)state;
	assert_int_equal(req_decodef(C14_CITY("id:'k', name:'K', field:'film', role:'member', lat:50.0")),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "lon"));
	assert_int_equal(req_decodef(C14_CITY("id:'k', name:'K', field:'film', role:'member', lon:19.9")),
			 UCCN_E_INVALID);
	assert_non_null(strstr(why, "lat"));
	assert_int_equal(req_decodef(C14_CITY("id:'k', name:'K', field:'film', role:'member', "
					  "lat:50.0, lon:19.9")), 0);
	assert_int_equal(req_decodef(C14_CITY("id:'k', name:'K', field:'film', role:'member'")), 0);
}

/* SPEC 4.4: minutes is 1..UCCN_MAX_MINUTES when present; 0 is refused. */
static void test_post_minutes_zero_refused(void **state)
{
	(void)state;
	assert_int_equal(req_decodef(C14_POST("kind:'agenda-item', body:'b', minutes:0")), UCCN_E_INVALID);
	assert_non_null(strstr(why, "minutes"));
	assert_int_equal(req_decodef(C14_POST("kind:'agenda-item', body:'b', minutes:1")), 0);
	assert_int_equal(req_decodef(C14_POST("kind:'agenda-item', body:'b', minutes:nil")), 0);
	assert_int_equal(req.post.minutes, 0);
}

/* SPEC 4.12 and 3.2: an import ignores roles (a new city is a member) and
 * a city at fault is named by index; SPEC 4.17: watch needs since. */
static void test_import_roles_index_and_watch_since(void **state)
{
	(void)state;
	assert_int_equal(req_decodef("{v:1, op:'city.import', cities:[{id:'a', name:'A', field:'film'},"
				     " {id:'b', name:'B', field:'film', role:'coordinator'}]}"), 0);
	assert_string_equal(req.cities[0].role, "member");
	assert_string_equal(req.cities[1].role, "member");
	assert_int_equal(req_decodef("{v:1, rid:4, op:'city.import', cities:[{id:'a', name:'A', field:'film'},"
				     " {id:'b', name:'B', field:'film'}, {id:'c', name:'C', field:'film', lat:1.0}]}"),
			 UCCN_E_INVALID);
	assert_int_equal(req.error_index, 3);
	assert_int_equal(req.rid, 4);
	assert_int_equal(req_decodef("{v:1, op:'watch'}"), UCCN_E_INVALID);
	assert_non_null(strstr(why, "since"));
	assert_int_equal(req_decodef("{v:1, op:'watch', since:0}"), 0);
}

int main(void)
{
	const struct CMUnitTest proto[] = {
		T(test_op_names),
		T(test_error_names),
		T(test_busy_means_capacity),
		T(test_str_set_copies),
		T(test_request_status_roundtrip),
		T(test_request_city_add_roundtrip),
		T(test_request_city_list_roundtrip),
		T(test_request_post_roundtrip),
		T(test_request_list_roundtrip),
		T(test_request_show_roundtrip),
		T(test_request_encode_unknown_op),
		T(test_admin_roundtrip),
		T(test_admin_backup_roundtrip),
		T(test_reply_status_roundtrip),
		T(test_reply_status_server_state),
		T(test_reply_status_member_has_no_state),
		T(test_reply_city_add_roundtrip),
		T(test_reply_city_list_roundtrip),
		T(test_reply_post_roundtrip),
		T(test_reply_list_roundtrip),
		T(test_reply_show_roundtrip),
		T(test_request_records_roundtrip),
		T(test_request_field_name_rules),
		T(test_limit_import),
		T(test_import_stage),
		T(test_reply_records_roundtrip),
		T(test_agenda_pub_roundtrip),
		T(test_reply_error_roundtrip),
		T(test_reply_error_message_limit),
		T(test_reply_hostile),
		T(test_city_record_roundtrip),
		T(test_post_record_roundtrip),
		T(test_record_optional_absent),
		T(test_record_copy),
		T(test_valid_ids),
		T(test_valid_field_names),
		T(test_valid_kinds_roles),
		T(test_valid_tz),
		T(test_valid_z85),
		T(test_valid_utf8),
		T(test_record_rules),
		T(test_limit_title),
		T(test_limit_body),
		T(test_limit_id),
		T(test_limit_idem_key),
		T(test_limit_list),
		T(test_limit_minutes),
		T(test_limit_frame),
		T(test_limit_depth),
		T(test_limit_objects),
		T(test_limit_city_strings),
		T(test_hostile_empty),
		T(test_hostile_truncations),
		T(test_hostile_wrong_types),
		T(test_hostile_huge_counts),
		T(test_hostile_deep_nesting),
		T(test_hostile_ext),
		T(test_hostile_trailing),
		T(test_hostile_duplicate_keys),
		T(test_hostile_nonstring_keys),
		T(test_hostile_version),
		T(test_hostile_unknown_op),
		T(test_hostile_bad_utf8),
		T(test_post_ignores_server_fields),
		T(test_error_message_is_valid_text),
		T(test_keyfile_roundtrip),
		T(test_keyfile_public_only),
		T(test_keyfile_crlf),
		T(test_keyfile_comments),
		T(test_keyfile_malformed),
		T(test_keyfile_no_key),
		T(test_keyfile_format_errors),
		T(test_time_format),
		T(test_op_names_projects),
		T(test_valid_dates_times),
		T(test_idlist_functions),
		T(test_project_record_roundtrip),
		T(test_meeting_record_roundtrip),
		T(test_meeting_max_session),
		T(test_agenda_entry_deferrals),
		T(test_idlist_decoder_rules),
		T(test_request_project_roundtrip),
		T(test_request_meeting_roundtrip),
		T(test_reply_project_meeting_roundtrip),
		T(test_project_meeting_rules),
		T(test_audience_valid),
		T(test_post_audience_roundtrip),
		T(test_post_audience_rules),
		T(test_request_inbox_roundtrip),
		T(test_request_inbox_ack_roundtrip),
		T(test_request_watch_roundtrip),
		T(test_reply_inbox_roundtrip),
		T(test_reply_inbox_ack_roundtrip),
		T(test_reply_watch_roundtrip),
		T(test_reply_status_mailboxes_roundtrip),
		T(test_op_table),
		T(test_op_requests_all_and_none),
		T(test_op_replies_all_and_none),
		T(test_op_wire_order),
		T(test_utf8_next),
		T(test_limit_named_fields),
		T(test_op_checks),
		T(test_text_refuses_c1),
		T(test_objects_past_limit_too_big),
		T(test_city_coordinates_both_or_neither),
		T(test_post_minutes_zero_refused),
		T(test_import_roles_index_and_watch_since),
	};
	return cmocka_run_group_tests(proto, group_setup, group_teardown);
}
