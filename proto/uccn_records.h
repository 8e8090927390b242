/*
 * uccn_records.h - the network's records (cities, posts) as C structs, the
 * rules a valid record obeys, and their msgpack form. The same form is used
 * on the wire (proto/SPEC.md, "Records") and in the store.
 *
 * Strings in a record are owned by it (malloc'd, NUL-terminated); an absent
 * optional string is NULL. uccn_*_clear() frees them and zeroes the struct.
 */
#ifndef UCCN_RECORDS_H
#define UCCN_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "uccn_limits.h"

/* A coordinate in degrees; set is false when unknown. */
struct uccn_coord {
	bool set;
	double deg;
};

struct uccn_city {
	char *id;       /* slug: [a-z0-9][a-z0-9-]*, at most UCCN_MAX_ID */
	char *name;     /* display name, UTF-8, one line */
	char *country;  /* optional */
	char *field;    /* creative field: [a-z][a-z0-9_]* */
	char *role;     /* "member", "coordinator", "deputy" or "secretariat";
			 * a coordinator or deputy serves its field */
	char *tz;       /* optional IANA zone name */
	uint32_t year;  /* year designated, 0 when unknown */
	char key[UCCN_KEY_Z85_LEN + 1]; /* CURVE public key, Z85; "" if none */
	struct uccn_coord lat;  /* latitude, -90..90, for a map */
	struct uccn_coord lon;  /* longitude, -180..180 */
	uint64_t seq;   /* change-log sequence of the last change (set by the store) */
	uint64_t version; /* 1 on creation, +1 on every change (set by the store) */
};

struct uccn_post {
	uint64_t seq;       /* global sequence number, set by the store */
	char *city;         /* author: always the city whose key connected */
	char *kind;         /* see uccn_post_kind_valid() */
	char *project;      /* optional reference */
	char *meeting;      /* optional reference */
	char *title;        /* optional, one line */
	char *body;         /* required, may be multi-line */
	uint32_t minutes;   /* requested minutes (agenda items), 0 when none */
	int64_t created_ms; /* commit time, milliseconds since 1970 UTC */
	char *idem_key;     /* optional client idempotency key */
};

/* Post kinds, in the order help text lists them. NULL-terminated. */
extern const char *const uccn_post_kinds[];
/* City roles. NULL-terminated. */
extern const char *const uccn_city_roles[];
/* The creative fields a new store starts with (UNESCO added architecture
 * in 2025). Fields are data: the coordinator adds more. NULL-terminated. */
extern const char *const uccn_default_fields[];

/* Validity checks: true when s obeys the rule. NULL is never valid. */
bool uccn_id_valid(const char *s);        /* city, project or meeting id */
bool uccn_field_name_valid(const char *s);
bool uccn_post_kind_valid(const char *s);
bool uccn_city_role_valid(const char *s);
bool uccn_tz_name_valid(const char *s);   /* syntax only, not the zone db */
bool uccn_key_z85_valid(const char *s);   /* 40 chars of the Z85 alphabet */
/* Valid UTF-8 of at most max bytes without NUL; one_line also refuses
 * control characters, otherwise only TAB, LF and CR are allowed. */
bool uccn_text_valid(const char *s, size_t len, size_t max, bool one_line);

/*
 * Check a whole record. On failure writes a precise reason ("field 'title':
 * longer than 200 bytes") to err (errlen bytes, may be 0) and returns
 * UCCN_E_INVALID or UCCN_E_TOOBIG.
 */
int uccn_city_check(const struct uccn_city *c, char *err, size_t errlen);
/* Checks what a client sends; city and seq are the server's to set. */
int uccn_post_check(const struct uccn_post *p, char *err, size_t errlen);

void uccn_city_clear(struct uccn_city *c);
void uccn_post_clear(struct uccn_post *p);
/* Deep copies; dst must be clear. Return 0 or UCCN_E_NOMEM. */
int uccn_city_copy(struct uccn_city *dst, const struct uccn_city *src);
int uccn_post_copy(struct uccn_post *dst, const struct uccn_post *src);

/* msgpack form: a map with the keys of proto/SPEC.md. Return 0 or
 * UCCN_E_NOMEM. Absent optional fields are left out of the map. */
int uccn_city_pack(msgpack_packer *pk, const struct uccn_city *c);
int uccn_post_pack(msgpack_packer *pk, const struct uccn_post *p);

/*
 * From a decoded msgpack object to a record; out must be clear. Checks types
 * and the limits of every field but not the record's rules (call *_check).
 * Unknown keys are ignored. Returns 0, UCCN_E_INVALID, UCCN_E_TOOBIG or
 * UCCN_E_NOMEM with a reason in err. On failure out is left clear.
 */
int uccn_city_from_object(const msgpack_object *o, struct uccn_city *out,
			  char *err, size_t errlen);
int uccn_post_from_object(const msgpack_object *o, struct uccn_post *out,
			  char *err, size_t errlen);

/*
 * The id slug of a display name: ASCII lower case, Latin letters with
 * diacritics folded to their base letters (Kraków -> krakow, Łódź -> lodz,
 * Şanlıurfa -> sanliurfa), apostrophes dropped, every other run of
 * non-alphanumerics one '-', none at either end. Returns 0, UCCN_E_INVALID
 * when name is not valid UTF-8 or nothing is left (a name in a script it
 * cannot fold), or
 * UCCN_E_TOOBIG when the slug would exceed UCCN_MAX_ID or outlen - 1.
 */
int uccn_slug(const char *name, char *out, size_t outlen);

/* Format ms since the epoch as RFC 3339 UTC, "2025-11-25T11:06:06.123Z".
 * buf must hold at least 32 bytes. */
void uccn_time_format(int64_t ms, char *buf, size_t len);

#endif
