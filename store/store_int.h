/*
 * store_int.h - what the files of store/ share and nothing outside it sees:
 * the store and transaction structs, the table slots, the value codecs and
 * the functions one room of the store calls in another.
 */
#ifndef UCCN_STORE_INT_H
#define UCCN_STORE_INT_H

#include <lmdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "uccn_store.h"

enum dbi_slot {
	DB_META,
	DB_CITIES,     /* city id -> city */
	DB_CITY_KEYS,  /* Z85 public key -> city id */
	DB_POSTS,      /* seq -> the post's chain links, then the post */
	DB_LOG,        /* seq -> change {"t": "city"|"field"|..., "id": ...};
			* a post is not repeated here: its key in DB_POSTS
			* is its number */
	DB_IDEM,       /* city id NUL client key -> seq */
	DB_HEADS,      /* chain key -> its newest post's seq, its length */
	DB_MARKS,      /* dupsort: chain key -> seq of every MARK_EVERY-th post */
	DB_FIELDS,     /* creative field name -> seq that added it (0: built in) */
	DB_PROJECTS,   /* project id -> project */
	DB_MEETINGS,   /* meeting id -> meeting */
	DB_MAILBOX,    /* dupsort: city id -> seq of an unread post addressed to it */
	DB_ACCESS,     /* dupsort: seq of a post added with
			* UCCN_STORE_POST_READERS_ONLY -> the city ids it
			* was delivered to, its readers */
	DB_AGENDAS,    /* meeting id NUL version (8 bytes) -> published agenda */
	DB_INVITES,    /* BLAKE2b of an invitation's secret -> expiry (8 bytes,
			* ms), used (1 byte), city id */
	DB_IMPORTED,   /* city id -> the city as the last import set it (cities.c) */
	DB_SENDERS,    /* city id NUL sender id -> unread posts (8 bytes) from
			* that sender in the city's mailbox (mailboxes.c) */
	DB_COUNT
};

struct uccn_store {
	MDB_env *env;
	/* Set by the loop thread (a reload), read by the commit thread. */
	_Atomic uint64_t mailbox_quota;
	uint64_t mailbox_share; /* 0: derived from the quota (store_mailbox_share) */
	MDB_dbi dbi[DB_COUNT];
	size_t map_size;
	int rewrote_from; /* see uccn_store_rewrote_from */
	/* Held by a backup's copy (backup.c) on its own thread: the map must
	 * not move under it, so growing or opening the map again waits. */
	pthread_mutex_t remap;
};

struct uccn_txn {
	struct uccn_store *s;
	MDB_txn *root;   /* the transaction begun by read or write */
	MDB_txn *group;  /* a group's child of root (uccn_store_txn_group_*),
			  * which operations nest in; NULL when none is open */
	MDB_txn *cur;    /* root or group, or an operation's child of it */
	bool write;
	bool map_full;   /* sticky: some operation hit the map's end */
	char reason[256];/* why the last operation failed, naming the record */
	size_t reason_index;
};

/* ---- values (inline: every post passes through them several times) ---- */

static inline MDB_val val_of(const void *p, size_t n)
{
	/* LMDB's MDB_val is not const; it never writes through a key or a
	 * value it is given. */
	MDB_val v = {.mv_size = n, .mv_data = (void *)p};
	return v;
}

static inline MDB_val str_val(const char *s) { return val_of(s, strlen(s)); }

/* Sequence numbers are 8 bytes big-endian, so byte order is numeric order. */
static inline void seq_encode(uint64_t seq, unsigned char out[8])
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (unsigned char)seq;
		seq >>= 8;
	}
}

static inline uint64_t be64(const unsigned char *p)
{
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = (x << 8) | p[i];
	return x;
}

static inline uint64_t seq_decode(const MDB_val *v)
{
	return v->mv_size == 8 ? be64(v->mv_data) : 0;
}

/*
 * ---- seal.c: sealed values ----
 *
 * LMDB keeps no checksums: a flipped bit in data.mdb is served as if it
 * were data. So every value the store writes (all tables but DB_META) is
 * sealed: its body, then SEAL_SIZE bytes of CRC32C over the key and the
 * body (key || body), big-endian. A flipped key byte fails too: the key a
 * value is found under is part of what its seal covers. Every read of a
 * value checks the seal first (store_get, store_cursor_get, store_unseal)
 * and a mismatch is UCCN_E_CORRUPT with a reason naming the table and the
 * key ("post 1234 fails its checksum; restore from a backup"): the damaged
 * record is never decoded, never served.
 *
 * Why CRC32C: it catches every error burst of up to 32 bits and every
 * error of an odd number of bits, in any value, and a random change with
 * odds of 1 in 2^32; it costs a few hundred nanoseconds per post (SSE4.2's
 * crc32 instruction where the CPU has it, else a table; the same CRC
 * either way). It guards against a failing disk or a stray write, not
 * against an attacker who can write the file: anyone who can flip a bit
 * can recompute four bytes. That would need a keyed MAC and a key kept
 * away from the data, which buys nothing against someone who owns the
 * machine.
 *
 * The dupsort tables are sealed the same way, entry by entry: the seal
 * follows the entry's bytes, so DB_MARKS and DB_MAILBOX entries are
 * DUPFIXED 12-byte values (8-byte big-endian seq, then the seal) and sort
 * as the seqs do; a DB_ACCESS entry is the city id, then its seal. An
 * entry cannot be checked through the post it names instead: a flipped
 * seq in a mailbox names another post, whole and readable, and would
 * serve it to a city it was never sent to. A mailbox entry whose post is
 * gone is corrupt as well.
 *
 * DB_META alone stays bare: its "format" must read the same in every
 * format, or an older store could not be told from a damaged one.
 */
#define SEAL_SIZE 4
/* A value this size or smaller is sealed in a stack buffer, not reserved
 * in the map: every dupsort value (which takes no MDB_RESERVE) is. */
#define SEAL_SMALL 128

/* CRC32C of n bytes at data, continuing crc (0 to start): the fastest
 * this CPU has, and the table-driven one (the same result; for tests). */
uint32_t store_crc32c(uint32_t crc, const void *data, size_t n);
uint32_t store_crc32c_table(uint32_t crc, const void *data, size_t n);

/* Write the seal of key k over the body bytes at val to val + body (room
 * for SEAL_SIZE more bytes is the caller's). */
void store_seal_finish(const MDB_val *k, unsigned char *val, size_t body);
/* body (n bytes, at most SEAL_SMALL - SEAL_SIZE) sealed for key k into
 * buf (SEAL_SMALL bytes): what a dupsort table stores, to put or to find
 * with MDB_GET_BOTH. */
MDB_val store_seal_into(const MDB_val *k, const void *body, size_t n, unsigned char *buf);
/* Check v, the stored value of key k in db, and take the seal off it
 * (v->mv_size shrinks). 0, or UCCN_E_CORRUPT with the reason set (in t's
 * reason when t is not NULL, and the thread's last error). */
int store_unseal(struct uccn_txn *t, enum dbi_slot db, const MDB_val *k, MDB_val *v);
/* Record k of db as failing its checksum: UCCN_E_CORRUPT, reason set. */
int store_corrupt(struct uccn_txn *t, enum dbi_slot db, const MDB_val *k);
/* Record k of db named as a reader would: "post 1234", "city 'krakow'". */
void store_record_name(enum dbi_slot db, const MDB_val *k, char *out, size_t cap);
/* Key k's bytes as text for a message: printable ASCII as is, a NUL (the
 * separator in composite keys) as '/', others as \xNN; at most 64 bytes,
 * then "..." when out has room for it. Always NUL-terminated within cap;
 * a small cap cuts the text short (callers give 300 bytes). */
void store_key_text(const MDB_val *k, char *out, size_t cap);
/* mdb_get and mdb_cursor_get, then store_unseal: our codes. */
int store_get(struct uccn_txn *t, enum dbi_slot db, MDB_val *k, MDB_val *v);
int store_cursor_get(struct uccn_txn *t, enum dbi_slot db, MDB_cursor *c, MDB_val *k,
		     MDB_val *v, MDB_cursor_op op);
/* Put body under k in db, sealed; flags as mdb_put's (not MDB_RESERVE). */
int store_put(struct uccn_txn *t, enum dbi_slot db, MDB_val *k, const MDB_val *body,
	      unsigned flags);

/* ---- verify.c: the pages LMDB will read ---- */

/*
 * Walk every page reachable from the meta LMDB will use (its two trees,
 * 2 x 48 bytes at meta_trees, and last_page) in the data file open at fd,
 * with pages of psize bytes, before anything maps it: page numbers, types,
 * bounds, node offsets and sizes, key order, what each table may hold
 * (dups only in a dupsort table), and that each tree has the pages and
 * records its record counts. 0, or UCCN_E_CORRUPT with the page and table
 * in why, UCCN_E_NOMEM.
 */
int store_verify_pages(int fd, size_t psize, const void *meta_trees, uint64_t last_page,
		       char *why, size_t whylen);

/* ---- env.c: tables, errors ---- */

/* The data format this build writes (env.c says what each one is). */
#define STORE_FORMAT UCCN_STORE_FORMAT
/* A table's name in the environment and its flags (without MDB_CREATE). */
const char *store_table_name(enum dbi_slot db);
unsigned store_table_flags(enum dbi_slot db);

/* The one mapping of LMDB and errno codes to ours. */
int store_map_rc(int rc);
/* Set the thread's last error to "what: LMDB's text for rc"; rc mapped. */
int store_fail(int rc, const char *what);
/* Set the thread's last error. */
void store_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- txn.c: operations, the sequence, the change log, record values ---- */

/* Each write operation runs in a child transaction between these two (of
 * the open group, if any, else of the batch), so a failed one leaves
 * nothing behind; op_end returns rc, or the commit's failure, and a full
 * map sticks to t. */
int store_op_begin(struct uccn_txn *t);
int store_op_end(struct uccn_txn *t, int rc);
/* Say why the operation fails, naming the record; returns rc. */
int store_reason(struct uccn_txn *t, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The newest number of the gapless sequence (0: none yet), and the next. */
int store_last_seq(struct uccn_txn *t, uint64_t *seq);
int store_next_seq(struct uccn_txn *t, uint64_t *seq);
/* Append the change-log entry for seq: {"t": type, "id": id}. */
int store_log_append(struct uccn_txn *t, uint64_t seq, const char *type, const char *id);

int store_put_packed(struct uccn_txn *t, enum dbi_slot db, MDB_val *k,
		     const msgpack_sbuffer *b, unsigned flags);
enum record_type { REC_CITY, REC_POST, REC_PROJECT, REC_MEETING };
/* Decode stored value v into the clear record out of the given type:
 * 0 or UCCN_E_CORRUPT. */
int store_decode(const MDB_val *v, void *out, enum record_type type);

/* ---- chains.c: the posts of a city, kind, project or meeting ---- */

enum chain { CH_CITY, CH_KIND, CH_PROJECT, CH_MEETING, CH_COUNT };
#define LINKS_SIZE (8 * CH_COUNT)
#define MARK_EVERY 64
#define CHAIN_KEY_MAX (1 + UCCN_MAX_ID)

/* The post's id in chain ch: its city, kind, project or meeting (NULL:
 * the post is not in one). */
const char *store_chain_id(const struct uccn_post *p, enum chain ch);
/* The key of chain ch of id into buf; false when no chain can have it. */
bool store_chain_key(enum chain ch, const char *id, char buf[CHAIN_KEY_MAX], MDB_val *k);
/* Put post seq at the head of its chains; the links to store with it go
 * to links (LINKS_SIZE bytes). */
int store_chains_add(struct uccn_txn *t, const struct uccn_post *p, uint64_t seq,
		     unsigned char *links);
/* The stored value of post seq, and the post it holds. */
int store_post_val(struct uccn_txn *t, uint64_t seq, MDB_val *v);
int store_post_decode(const MDB_val *v, struct uccn_post *out);
/* From v, the stored post seq, the post before it in chain ch into *prev
 * (0: seq is the chain's first). */
int store_post_link(const MDB_val *v, uint64_t seq, enum chain ch, uint64_t *prev);

/*
 * A backwards walk over either the posts table (no filter) or one chain,
 * both yielding sequence numbers newest first.
 */
struct store_walk {
	MDB_cursor *c;  /* over the posts, when no chain is walked */
	MDB_val key;    /* the chain's key, when one is */
	enum chain ch;
	bool started;
	uint64_t at;    /* in a chain: the post the walk is at */
	uint64_t next;  /* and the one before it, read with it */
	uint64_t before;
};
/* The next seq of w, UCCN_E_NOTFOUND at its end. */
int store_walk_step(struct uccn_txn *t, struct store_walk *w, uint64_t *seq);

/* ---- snapshot.c: reading alone ---- */

/* Open the store in dir read-only (MDB_RDONLY) into s (zeroed) and begin
 * the one read transaction t that reads it; the current format only. Our
 * code, the reason in the last error; close either way. */
int store_snapshot_open(struct uccn_store *s, struct uccn_txn *t, const char *dir);
void store_snapshot_close(struct uccn_store *s, struct uccn_txn *t);

/* ---- dump.c, load.c: each table in the dump (docs/dump-format.md) ---- */

enum dump_key {
	DK_SEQ,     /* 8 bytes big-endian: a number */
	DK_STR,     /* bytes: a string */
	DK_PAIR,    /* a NUL b: [a, b] */
	DK_STR_NUM, /* a NUL 8 bytes: [a, n] */
	DK_HEX,     /* bytes: a string of hex digits */
	DK_CHAIN,   /* a chain's tag and id: "city:krakow" */
};
enum dump_val {
	DV_RECORD,  /* msgpack: its JSON */
	DV_POST,    /* links, then msgpack: {"links": [4 numbers], "record": ...} */
	DV_SEQ,     /* 8 bytes: a number */
	DV_STR,     /* bytes: a string */
	DV_HEAD,    /* {"newest": n, "length": n} */
	DV_INVITE,  /* {"expires_ms": n, "used": 0|1, "city": id} */
};
struct dump_table {
	enum dbi_slot db;
	enum dump_key key;
	enum dump_val val;
};
#define DUMP_TABLES 16
#define UCCN_DUMP_VERSION 1
extern const struct dump_table store_dump_tables[DUMP_TABLES];
extern const char *const store_chain_words[CH_COUNT]; /* "city", "kind", ... */

/* ---- rewrite.c ---- */

/* Rewrite a store of format 1 or 2 to the current format in txn, the
 * transaction that opens it. A value of format 2 is checked before it is
 * sealed (its record decodes, its number has 8 bytes): a damaged one
 * fails the rewrite with UCCN_E_CORRUPT, naming it. Our code, the reason
 * in the last error. */
int store_migrate_from_1(struct uccn_store *s, MDB_txn *txn);
int store_migrate_from_2(struct uccn_store *s, MDB_txn *txn);

/* ---- cities.c ---- */

int store_city_decode(const MDB_val *v, struct uccn_city *out);

/* ---- records.c: projects and meetings ---- */

/* Write meeting m (seq and version already set) and its change-log entry. */
int store_meeting_put(struct uccn_txn *t, struct uccn_meeting *m);

/* ---- posts.c ---- */

/* Whether p has every value q filters on. */
bool store_post_matches(const struct uccn_post *p, const struct uccn_query *q);
/* Whether filter (NULL: none) keeps p. */
static inline bool store_post_kept(struct uccn_txn *t, const struct uccn_post *p,
				   const struct uccn_post_filter *filter)
{
	return !filter || !filter->keep || filter->keep(t, p, filter->ctx);
}

/* ---- mailboxes.c ---- */

/* Deliver post seq to its audience's mailboxes (not the author's); with
 * readers, record each city it reaches as a reader. */
int store_deliver(struct uccn_txn *t, const struct uccn_post *p, const unsigned char seq[8],
		  bool readers);
/* The unread posts one sender may hold in one mailbox. */
uint64_t store_mailbox_share(const struct uccn_store *s);
/* Count DB_SENDERS from the mailboxes when it is empty: a store written
 * before it existed gets its counters on open. Our code. */
int store_mailbox_senders_rebuild(struct uccn_store *s, MDB_txn *txn);

#endif
