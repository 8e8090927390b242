/*
 * scan.c - uccn_msgpack_scan: a walk over untrusted msgpack that allocates
 * nothing, so no count or length in the input is believed before the bytes
 * behind it are known to be there (msgpack/msgpack-c#1013).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mp.h"
#include "uccn_error.h"
#include "uccn_msg.h"

struct scan {
	const unsigned char *p;
	const unsigned char *end;
	size_t objects;
	size_t max_objects;
	unsigned max_depth;
	char *err;
	size_t errlen;
};

static uint64_t be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static size_t left(const struct scan *s) { return (size_t)(s->end - s->p); }

static int scan_skip(struct scan *s, size_t n)
{
	if (left(s) < n)
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID,
			       "msgpack: truncated at byte %zu", n);
	s->p += n;
	return 0;
}

/* Read an n-byte big-endian length or count after the type byte. */
static int scan_len(struct scan *s, size_t n, uint64_t *out)
{
	if (left(s) < n)
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID, "msgpack: truncated header");
	*out = be(s->p, n);
	s->p += n;
	return 0;
}

static int scan_one(struct scan *s, unsigned depth);

static int scan_container(struct scan *s, uint64_t count, bool is_map,
			  unsigned depth)
{
	uint64_t items = is_map ? count * 2 : count;
	if (depth + 1 > s->max_depth)
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID,
			       "msgpack: nested deeper than %u levels", s->max_depth);
	/* Every element takes at least one byte: a count beyond the bytes that
	 * remain is a lie, refused before anything is allocated for it. */
	if (count > left(s) || items > left(s))
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID,
			       "msgpack: %s of %llu items in %zu bytes",
			       is_map ? "map" : "array", (unsigned long long)count,
			       left(s));
	for (uint64_t i = 0; i < items; i++) {
		int rc = scan_one(s, depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

static int scan_one(struct scan *s, unsigned depth)
{
	uint64_t n = 0;
	int rc;
	if (left(s) < 1)
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID, "msgpack: truncated");
	if (++s->objects > s->max_objects)
		return mp_fail(s->err, s->errlen, UCCN_E_TOOBIG,
			       "msgpack: more than %zu objects", s->max_objects);
	unsigned b = *s->p++;
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return 0;
	if (b >= 0x80 && b <= 0x8f)
		return scan_container(s, b & 0x0f, true, depth);
	if (b >= 0x90 && b <= 0x9f)
		return scan_container(s, b & 0x0f, false, depth);
	if (b >= 0xa0 && b <= 0xbf)
		return scan_skip(s, b & 0x1f);
	switch (b) {
	case 0xc4: case 0xd9: rc = scan_len(s, 1, &n); break;
	case 0xc5: case 0xda: rc = scan_len(s, 2, &n); break;
	case 0xc6: case 0xdb: rc = scan_len(s, 4, &n); break;
	case 0xca: return scan_skip(s, 4);
	case 0xcb: return scan_skip(s, 8);
	case 0xcc: case 0xd0: return scan_skip(s, 1);
	case 0xcd: case 0xd1: return scan_skip(s, 2);
	case 0xce: case 0xd2: return scan_skip(s, 4);
	case 0xcf: case 0xd3: return scan_skip(s, 8);
	case 0xdc:
		if ((rc = scan_len(s, 2, &n)))
			return rc;
		return scan_container(s, n, false, depth);
	case 0xdd:
		if ((rc = scan_len(s, 4, &n)))
			return rc;
		return scan_container(s, n, false, depth);
	case 0xde:
		if ((rc = scan_len(s, 2, &n)))
			return rc;
		return scan_container(s, n, true, depth);
	case 0xdf:
		if ((rc = scan_len(s, 4, &n)))
			return rc;
		return scan_container(s, n, true, depth);
	default: /* 0xc1 (never used), ext and fixext */
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID,
			       "msgpack: type byte 0x%02x is not allowed", b);
	}
	if (rc)
		return rc;
	if (n > left(s))
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID,
			       "msgpack: string of %llu bytes in %zu",
			       (unsigned long long)n, left(s));
	s->p += n;
	return 0;
}

int uccn_msgpack_scan(const void *buf, size_t len, unsigned max_depth,
		      size_t max_objects, char *err, size_t errlen)
{
	struct scan s = {
		.p = buf, .end = (const unsigned char *)buf + len,
		.max_objects = max_objects, .max_depth = max_depth,
		.err = err, .errlen = errlen,
	};
	if (len == 0)
		return mp_fail(err, errlen, UCCN_E_INVALID, "empty frame");
	int rc = scan_one(&s, 0);
	if (rc)
		return rc;
	if (s.p != s.end)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "msgpack: %zu bytes after the message", left(&s));
	return 0;
}
