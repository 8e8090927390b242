/*
 * mp.c - typed, bounded reads of decoded msgpack values and packing helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"
#include "uccn_error.h"
#include "uccn_records.h"

int mp_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

bool mp_key_is(const msgpack_object *k, const char *name)
{
	size_t n = strlen(name);
	return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
	       memcmp(k->via.str.ptr, name, n) == 0;
}

const msgpack_object *mp_map_get(const msgpack_object *m, const char *name)
{
	for (uint32_t i = 0; i < m->via.map.size; i++)
		if (mp_key_is(&m->via.map.ptr[i].key, name))
			return &m->via.map.ptr[i].val;
	return NULL;
}

int mp_check_map(const msgpack_object *o, const char *what, char *err,
		 size_t errlen)
{
	if (o->type != MSGPACK_OBJECT_MAP)
		return mp_fail(err, errlen, UCCN_E_INVALID, "%s: not a map", what);
	const msgpack_object_map *m = &o->via.map;
	for (uint32_t i = 0; i < m->size; i++) {
		const msgpack_object *k = &m->ptr[i].key;
		if (k->type != MSGPACK_OBJECT_STR)
			return mp_fail(err, errlen, UCCN_E_INVALID,
				       "%s: a key is not a string", what);
		/* Maps are small (bounded by the scan); quadratic is fine. */
		for (uint32_t j = 0; j < i; j++) {
			const msgpack_object *p = &m->ptr[j].key;
			/* msgpack-c gives an empty string a NULL ptr, which
			 * memcmp may not be passed even for 0 bytes. */
			if (p->via.str.size == k->via.str.size &&
			    (k->via.str.size == 0 ||
			     memcmp(p->via.str.ptr, k->via.str.ptr, k->via.str.size) == 0)) {
				/* The reason goes into an error reply, which must be
				 * valid text: name the key only when it is, cut at 40
				 * bytes on a character boundary. */
				const char *s = k->via.str.ptr;
				size_t n = k->via.str.size > 40 ? 40 : k->via.str.size;
				while (n > 0 && n < k->via.str.size &&
				       ((unsigned char)s[n] & 0xc0) == 0x80)
					n--;
				if (!uccn_text_valid(s, n, 40, true))
					return mp_fail(err, errlen, UCCN_E_INVALID,
						       "%s: a key appears twice", what);
				return mp_fail(err, errlen, UCCN_E_INVALID,
					       "%s: key '%.*s' appears twice",
					       what, (int)n, s);
			}
		}
	}
	return 0;
}

int mp_read_str(const msgpack_object *v, const char *name, size_t max,
		bool one_line, char **out, char *err, size_t errlen)
{
	if (v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (v->type != MSGPACK_OBJECT_STR)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "field '%s': not a string", name);
	size_t n = v->via.str.size;
	if (n > max)
		return mp_fail(err, errlen, UCCN_E_TOOBIG,
			       "field '%s': longer than %zu bytes", name, max);
	if (!uccn_text_valid(v->via.str.ptr, n, max, one_line))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       one_line ? "field '%s': not one line of valid UTF-8"
				        : "field '%s': not valid UTF-8 text",
			       name);
	char *s = malloc(n + 1);
	if (!s)
		return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
	if (n) /* an empty string's ptr may be NULL */
		memcpy(s, v->via.str.ptr, n);
	s[n] = '\0';
	*out = s;
	return 0;
}

int mp_read_uint(const msgpack_object *v, const char *name, uint64_t max,
		 uint64_t *out, char *err, size_t errlen)
{
	if (v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "field '%s': not a non-negative integer", name);
	if (v->via.u64 > max)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "field '%s': greater than %llu", name,
			       (unsigned long long)max);
	*out = v->via.u64;
	return 0;
}

int mp_read_int(const msgpack_object *v, const char *name, int64_t min,
		int64_t max, int64_t *out, char *err, size_t errlen)
{
	int64_t x;
	if (v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (v->via.u64 > (uint64_t)INT64_MAX)
			return mp_fail(err, errlen, UCCN_E_INVALID,
				       "field '%s': out of range", name);
		x = (int64_t)v->via.u64;
	} else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		x = v->via.i64;
	} else {
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "field '%s': not an integer", name);
	}
	if (x < min || x > max)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "field '%s': out of range", name);
	*out = x;
	return 0;
}

int mp_read_bool(const msgpack_object *v, const char *name, bool *out,
		 char *err, size_t errlen)
{
	if (v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (v->type != MSGPACK_OBJECT_BOOLEAN)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "field '%s': not a boolean", name);
	*out = v->via.boolean;
	return 0;
}

int mp_pack_str(msgpack_packer *pk, const char *s)
{
	if (!s)
		return msgpack_pack_nil(pk) ? UCCN_E_NOMEM : 0;
	size_t n = strlen(s);
	if (msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n))
		return UCCN_E_NOMEM;
	return 0;
}

int mp_pack_kstr(msgpack_packer *pk, const char *key, const char *val)
{
	if (mp_pack_str(pk, key) || mp_pack_str(pk, val))
		return UCCN_E_NOMEM;
	return 0;
}

int mp_pack_kuint(msgpack_packer *pk, const char *key, uint64_t val)
{
	if (mp_pack_str(pk, key) || msgpack_pack_uint64(pk, val))
		return UCCN_E_NOMEM;
	return 0;
}

int mp_pack_kint(msgpack_packer *pk, const char *key, int64_t val)
{
	if (mp_pack_str(pk, key) || msgpack_pack_int64(pk, val))
		return UCCN_E_NOMEM;
	return 0;
}

int mp_pack_kbool(msgpack_packer *pk, const char *key, bool val)
{
	if (mp_pack_str(pk, key))
		return UCCN_E_NOMEM;
	if ((val ? msgpack_pack_true(pk) : msgpack_pack_false(pk)) != 0)
		return UCCN_E_NOMEM;
	return 0;
}
