/*
 * fields.h - proto-private: records and messages described as tables of
 * fields, and the walks that count, pack, read, copy and free them. The
 * records (records.c) and the operations (ops.c) are such tables; fields.c
 * is the one place that knows how a field goes on the wire.
 */
#ifndef UCCN_PROTO_FIELDS_H
#define UCCN_PROTO_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

enum field_type {
	F_STR,     /* char *: text (TAB, LF and CR allowed), at most max bytes */
	F_LINE,    /* char *: one line, at most max bytes */
	F_U32,     /* uint32_t, at most max */
	F_U64,     /* uint64_t, at most max */
	F_I64,     /* int64_t, 0 to max */
	F_BOOL,    /* bool */
	F_KEY,     /* char[UCCN_KEY_Z85_LEN + 1]: a Z85 public key, "" for none */
	F_COORD,   /* struct uccn_coord, -max to max degrees */
	F_IDS,     /* struct uccn_idlist: at most UCCN_MAX_LIST distinct lines of
		    * at most max bytes, each obeying the rule max implies (an id,
		    * a field name or an audience) */
	F_STRS,    /* char ** with a size_t count at .count: lines of at most
		    * max bytes */
	F_RECORD,  /* a struct described by .rec, held in place */
	F_RECORDS, /* a pointer to an array of .rec with a size_t count at
		    * .count; at most max items, 0 for no bound of its own */
	F_ONE,     /* one .rec on the wire under a singular key; in C an array
		    * of exactly one, as for F_RECORDS */
	F_BIN,     /* struct uccn_bytes: a msgpack bin of at most max bytes */
};

/* Decoding: an absent key is an error, "field 'X' is missing"; so is nil
 * for a string or a key, which would leave nothing. */
#define FIELD_REQUIRED 1u
/* Encoding: left out of the map when zero, NULL, false or empty. Without
 * it a field is always sent (a NULL string as nil). */
#define FIELD_OPTIONAL 2u
/* Decoding: a number that is present (not nil) must not be 0. For a field
 * whose 0 means absent in C (a post's minutes), so a client's explicit 0 is
 * refused rather than read as "none" (SPEC section 5.2). */
#define FIELD_NONZERO 4u

struct uccn_record_type;

struct uccn_field {
	const char *name;       /* the map key */
	enum field_type type;
	size_t offset;          /* of the C member in the record or message */
	uint64_t max;           /* see enum field_type */
	unsigned flags;         /* FIELD_* */
	size_t count;           /* F_STRS, F_RECORDS, F_ONE: offset of the count */
	/* F_RECORD: offset of a bool that says the record is there, or 0 when
	 * it always is. Encoding refuses a record that is not there; decoding
	 * sets the bool. */
	size_t has;
	const struct uccn_record_type *rec; /* F_RECORD, F_RECORDS, F_ONE */
	/* F_RECORDS: a rule each item obeys beyond its fields, run as soon as
	 * the item is read, or NULL. */
	/* It may complete the item too (an import's city gets its role). */
	int (*item_check)(void *item, char *err, size_t errlen);
	/* F_RECORDS: the name of the whole the list makes ("import"), or NULL.
	 * With it, an item's error says which item it is ("city 2 of the
	 * import: ..."): the client can point at a line of its file. */
	const char *whole;
	/* F_RECORDS with whole: offset of a uint64_t in the message that
	 * takes the 1-based position of the item at fault, or 0. The error
	 * reply's `index` comes from it (SPEC 3.2). */
	size_t index_at;
	/* FIELD_REQUIRED: what the missing message adds, or NULL. */
	const char *missing;
};

struct uccn_record_type {
	const char *what;       /* the record in messages: "city", "agenda entry" */
	const char *plural;     /* "cities", "agenda entries" */
	const struct uccn_field *fields;
	size_t nfields;
	size_t size;            /* of the C struct */
};

extern const struct uccn_record_type record_city;
extern const struct uccn_record_type record_post;
extern const struct uccn_record_type record_project;
extern const struct uccn_record_type record_meeting;
extern const struct uccn_record_type record_agenda;

/*
 * The number of fields of fs[0..n) that rec puts in its map, into *count.
 * Returns 0, or UCCN_E_INVALID when rec cannot be encoded: an F_ONE field
 * that does not hold exactly one record, an F_RECORD that is not there.
 */
int fields_count(const void *rec, const struct uccn_field *fs, size_t n,
		 size_t *count);
/* Pack the key/value pairs fields_count counted, in the order of fs.
 * Returns 0, UCCN_E_INVALID (as fields_count) or UCCN_E_NOMEM. */
int fields_pack(msgpack_packer *pk, const void *rec,
		const struct uccn_field *fs, size_t n);
/*
 * Read the values of map m for fs[0..n), in the order of fs (so the first
 * field at fault is the one reported), into rec. Keys m holds beyond fs are
 * ignored. Returns 0, UCCN_E_INVALID, UCCN_E_TOOBIG or UCCN_E_NOMEM with a
 * reason in err. On failure rec may own part of what was read: the caller
 * clears it.
 */
int fields_read(const msgpack_object *m, void *rec, const struct uccn_field *fs,
		size_t n, char *err, size_t errlen);

/* A record as a map of its present fields. Returns 0 or UCCN_E_NOMEM. */
int fields_pack_record(msgpack_packer *pk, const struct uccn_record_type *t,
		       const void *rec);
/*
 * Object o to the record rec, which must be clear: o must be a map of
 * distinct string keys; keys that name no field are ignored. Returns as
 * fields_read; on failure rec is left clear.
 */
int fields_read_record(const msgpack_object *o, const struct uccn_record_type *t,
		       void *rec, char *err, size_t errlen);
/* Free what rec owns and zero it. */
void fields_clear_record(const struct uccn_record_type *t, void *rec);
/* Deep copy into dst, which must be clear. Returns 0 or UCCN_E_NOMEM (then
 * dst is clear). Only records of strings, scalars and lists: no nesting. */
int fields_copy_record(const struct uccn_record_type *t, void *dst,
		       const void *src);

#endif
