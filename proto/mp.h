/*
 * mp.h - proto-internal helpers over msgpack-c: typed, bounded reads of a
 * decoded map's values and short packing calls. Not installed, not used
 * outside proto/.
 */
#ifndef UCCN_PROTO_MP_H
#define UCCN_PROTO_MP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

/* printf into err (errlen may be 0) and return code. */
int mp_fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* True when the map key k is the string name. */
bool mp_key_is(const msgpack_object *k, const char *name);

/* The value of key name in map m, or NULL when m has no such key. */
const msgpack_object *mp_map_get(const msgpack_object *m, const char *name);

/* True when o is a map whose keys are all distinct strings. Sets err. */
int mp_check_map(const msgpack_object *o, const char *what, char *err,
		 size_t errlen);

/*
 * Read value v of map key `name` as a string of at most max bytes, valid
 * UTF-8 (one_line: no control characters). nil leaves *out NULL. *out must
 * be NULL on entry; on success it is malloc'd and NUL-terminated.
 */
int mp_read_str(const msgpack_object *v, const char *name, size_t max,
		bool one_line, char **out, char *err, size_t errlen);
/* Unsigned integer no greater than max. nil leaves *out 0. */
int mp_read_uint(const msgpack_object *v, const char *name, uint64_t max,
		 uint64_t *out, char *err, size_t errlen);
/* Signed integer in [min, max]. */
int mp_read_int(const msgpack_object *v, const char *name, int64_t min,
		int64_t max, int64_t *out, char *err, size_t errlen);
int mp_read_bool(const msgpack_object *v, const char *name, bool *out,
		 char *err, size_t errlen);

/* Packing: each returns 0 or UCCN_E_NOMEM. A NULL string packs nil. */
int mp_pack_str(msgpack_packer *pk, const char *s);
int mp_pack_kstr(msgpack_packer *pk, const char *key, const char *val);
int mp_pack_kuint(msgpack_packer *pk, const char *key, uint64_t val);
int mp_pack_kint(msgpack_packer *pk, const char *key, int64_t val);
int mp_pack_kbool(msgpack_packer *pk, const char *key, bool val);

#endif
