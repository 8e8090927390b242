/*
 * store.c - the LMDB data layer. Records are msgpack values (the form of
 * proto/uccn_records.h); keys are ids or 8-byte big-endian sequence numbers
 * so byte order is numeric order. Secondary indexes are DUPSORT databases
 * mapping a filter value to the sequence numbers that carry it.
 */
#include <errno.h>
#include <stdarg.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uccn_error.h"
#include "uccn_store.h"

/* 1: the posts of a city, kind, project or meeting were found through
 * four dupsort indexes; 2: through chains (see "chains" below). A store of
 * format 1 is rewritten to 2 when opened. */
#define STORE_FORMAT 2

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
	DB_ACCESS,     /* dupsort: seq of a private message -> city ids it went to */
	DB_AGENDAS,    /* meeting id NUL version (8 bytes) -> published agenda */
	DB_COUNT
};

static const struct {
	const char *name;
	unsigned flags;
} db_defs[DB_COUNT] = {
	[DB_META] = {"meta", 0},
	[DB_CITIES] = {"cities", 0},
	[DB_CITY_KEYS] = {"city_keys", 0},
	[DB_POSTS] = {"posts", 0},
	[DB_LOG] = {"log", 0},
	[DB_IDEM] = {"idem", 0},
	[DB_HEADS] = {"heads", 0},
	[DB_MARKS] = {"marks", MDB_DUPSORT | MDB_DUPFIXED},
	[DB_FIELDS] = {"fields", 0},
	[DB_PROJECTS] = {"projects", 0},
	[DB_MEETINGS] = {"meetings", 0},
	[DB_MAILBOX] = {"mailbox", MDB_DUPSORT | MDB_DUPFIXED},
	[DB_ACCESS] = {"access", MDB_DUPSORT},
	[DB_AGENDAS] = {"agendas", 0},
};

struct uccn_store {
	MDB_env *env;
	uint64_t mailbox_quota;
	MDB_dbi dbi[DB_COUNT];
	size_t map_size;
	int rewrote_from; /* see uccn_store_rewrote_from */
};

/* The last failure's text, per thread: the daemon's loop and its commit
 * thread each read their own. */
static _Thread_local char last_error[256];

struct uccn_txn {
	struct uccn_store *s;
	MDB_txn *root;   /* the transaction begun by read or write */
	MDB_txn *cur;    /* root, or an operation's child transaction */
	bool write;
	bool map_full;   /* sticky: some operation hit the map's end */
	char reason[256];/* why the last operation failed, naming the record */
	size_t reason_index;
};

/* One mapping of LMDB and errno codes to ours. */
static int map_rc(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_NOTFOUND: return UCCN_E_NOTFOUND;
	case MDB_KEYEXIST: return UCCN_E_EXISTS;
	case MDB_MAP_FULL: return UCCN_E_MAPFULL;
	case MDB_TXN_FULL: return UCCN_E_FULL;
	case MDB_CORRUPTED: case MDB_PAGE_NOTFOUND: case MDB_INVALID:
		return UCCN_E_CORRUPT;
	case MDB_VERSION_MISMATCH: return UCCN_E_VERSION;
	case ENOMEM: return UCCN_E_NOMEM;
	case ENOSPC: case EDQUOT: return UCCN_E_FULL;
	case EBUSY: case EAGAIN: return UCCN_E_BUSY;
	default: return UCCN_E_IO;
	}
}

static int fail(struct uccn_store *s, int rc, const char *what)
{
	(void)s; /* the reason is the thread's, not the store's */
	snprintf(last_error, sizeof last_error, "%s: %s", what,
		 mdb_strerror(rc));
	return map_rc(rc);
}

static MDB_val val_of(const void *p, size_t n)
{
	MDB_val v = {.mv_size = n, .mv_data = (void *)p};
	return v;
}

static MDB_val str_val(const char *s) { return val_of(s, strlen(s)); }

static void seq_encode(uint64_t seq, unsigned char out[8])
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (unsigned char)seq;
		seq >>= 8;
	}
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = (x << 8) | p[i];
	return x;
}

static uint64_t seq_decode(const MDB_val *v)
{
	return v->mv_size == 8 ? be64(v->mv_data) : 0;
}

/* ---- open and close ---- */

/* A new store starts with the default creative fields, once: a field the
 * coordinator removes later must not come back at the next start. */
static int seed_fields(struct uccn_store *s, MDB_txn *txn)
{
	MDB_val k = str_val("fields_seeded"), v;
	unsigned char zero[8] = {0};
	int rc = mdb_get(txn, s->dbi[DB_META], &k, &v);
	if (rc != MDB_NOTFOUND)
		return rc;
	for (const char *const *f = uccn_default_fields; *f; f++) {
		MDB_val fk = str_val(*f), fv = val_of(zero, 8);
		if ((rc = mdb_put(txn, s->dbi[DB_FIELDS], &fk, &fv, 0)))
			return rc;
	}
	v = val_of(zero, 8);
	return mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
}

static int migrate_from_1(struct uccn_store *s, MDB_txn *txn);

/* Check the data format: a new store gets ours, format 1 is rewritten
 * (*rewrite says so), any other is refused. Our code, the reason in
 * last_error. */
static int check_format(struct uccn_store *s, MDB_txn *txn, bool *rewrite)
{
	MDB_val k = str_val("format"), v;
	unsigned char fmt[8];
	int rc = mdb_get(txn, s->dbi[DB_META], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return fail(s, rc, "read the data format");
	uint64_t found = rc == 0 ? seq_decode(&v) : 0;
	if (rc == 0 && found != STORE_FORMAT && found != 1) {
		snprintf(last_error, sizeof last_error, "data format %llu is not %d",
			 (unsigned long long)found, STORE_FORMAT);
		return UCCN_E_VERSION;
	}
	if (found == 1) {
		*rewrite = true;
		s->rewrote_from = 1;
		if ((rc = migrate_from_1(s, txn)))
			return rc;
	}
	if (found == STORE_FORMAT)
		return 0;
	seq_encode(STORE_FORMAT, fmt);
	v = val_of(fmt, 8);
	if ((rc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0)))
		return fail(s, rc, "write the data format");
	return 0;
}

/* Open (creating) every table, check the format and seed a new store, in
 * one transaction. Our code, the reason in last_error. */
static int open_dbs(struct uccn_store *s, bool *rewrite)
{
	MDB_txn *txn = NULL;
	int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc)
		return fail(s, rc, "begin");
	for (int i = 0; i < DB_COUNT && !rc; i++)
		if ((rc = mdb_dbi_open(txn, db_defs[i].name, db_defs[i].flags | MDB_CREATE,
				       &s->dbi[i])))
			rc = fail(s, rc, db_defs[i].name);
	if (!rc)
		rc = check_format(s, txn, rewrite);
	if (!rc && (rc = seed_fields(s, txn)))
		rc = fail(s, rc, "initialise");
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	rc = mdb_txn_commit(txn); /* frees txn, even when it fails */
	return rc ? fail(s, rc, "initialise") : 0;
}

int uccn_store_open(struct uccn_store **out, const char *dir, size_t map_bytes,
		    char *err, size_t errlen)
{
	struct uccn_store *s = calloc(1, sizeof *s);
	int rc;
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!s)
		return UCCN_E_NOMEM;
	s->map_size = map_bytes ? map_bytes : UCCN_STORE_DEFAULT_MAP;
	s->mailbox_quota = UCCN_MAILBOX_QUOTA;
	if ((rc = mdb_env_create(&s->env))) {
		rc = fail(s, rc, "mdb_env_create");
		goto fail;
	}
	mdb_env_set_maxdbs(s->env, DB_COUNT + 8);
	/* Default flags keep full durability: every commit flushes its data
	 * pages, then its meta page. The map size is set after opening: set
	 * before, LMDB would shrink an existing larger database to it. */
	if ((rc = mdb_env_open(s->env, dir, 0, 0600))) {
		rc = fail(s, rc, dir);
		goto fail;
	}
	int dead = 0;
	mdb_reader_check(s->env, &dead);
	MDB_envinfo info;
	mdb_env_info(s->env, &info);
	/* A new database (nothing past LMDB's two meta pages) takes our size;
	 * an existing one keeps its own when that is larger. */
	if (info.me_last_pgno < 2 || info.me_mapsize < s->map_size) {
		if ((rc = mdb_env_set_mapsize(s->env, s->map_size))) {
			rc = fail(s, rc, "set map size");
			goto fail;
		}
		mdb_env_info(s->env, &info);
	}
	s->map_size = info.me_mapsize;

	/* Rewriting a store of an older format may need room: the map
	 * doubles until it fits (an ordinary open never grows it). */
	bool rewrite = false;
	while ((rc = open_dbs(s, &rewrite)) == UCCN_E_MAPFULL && rewrite &&
	       s->map_size <= UCCN_STORE_MAX_MAP / 2 &&
	       mdb_env_set_mapsize(s->env, s->map_size * 2) == 0)
		s->map_size *= 2;
	if (rc)
		goto fail;
	last_error[0] = '\0'; /* a store just opened has failed at nothing */
	*out = s;
	return 0;
fail:
	/* Open does not grow the map: too small a one is "full", not the
	 * store-internal request to grow. */
	if (rc == UCCN_E_MAPFULL)
		rc = UCCN_E_FULL;
	if (s->env)
		mdb_env_close(s->env);
	if (err && errlen)
		snprintf(err, errlen, "%s", last_error);
	free(s);
	return rc;
}

void uccn_store_close(struct uccn_store **sp)
{
	if (!sp || !*sp)
		return;
	mdb_env_close((*sp)->env);
	free(*sp);
	*sp = NULL;
}

const char *uccn_store_last_error(const struct uccn_store *s)
{
	(void)s;
	return last_error;
}

void uccn_store_set_mailbox_quota(struct uccn_store *s, uint64_t quota)
{
	s->mailbox_quota = quota ? quota : UCCN_MAILBOX_QUOTA;
}

size_t uccn_store_map_size(const struct uccn_store *s)
{
	return s->map_size;
}

int uccn_store_rewrote_from(const struct uccn_store *s)
{
	return s->rewrote_from;
}

/* ---- transactions ---- */

static int txn_begin(struct uccn_store *s, bool write, struct uccn_txn **out)
{
	struct uccn_txn *t = calloc(1, sizeof *t);
	if (!t)
		return UCCN_E_NOMEM;
	int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->root);
	if (rc) {
		free(t);
		return fail(s, rc, "begin");
	}
	t->s = s;
	t->cur = t->root;
	t->write = write;
	*out = t;
	return 0;
}

int uccn_store_read(struct uccn_store *s, struct uccn_txn **out)
{
	return txn_begin(s, false, out);
}

void uccn_store_txn_end(struct uccn_txn **tp)
{
	if (!tp || !*tp)
		return;
	if ((*tp)->root)
		mdb_txn_abort((*tp)->root);
	free(*tp);
	*tp = NULL;
}

/* Each write operation runs in a child transaction, so a failed one leaves
 * nothing behind while the batch's others stand. */
static int op_begin(struct uccn_txn *t)
{
	if (!t->write)
		return UCCN_E_INVALID;
	if (t->map_full)
		return UCCN_E_MAPFULL;
	MDB_txn *child;
	t->reason[0] = '\0';
	t->reason_index = 0;
	int rc = mdb_txn_begin(t->s->env, t->root, 0, &child);
	if (rc)
		return map_rc(rc);
	t->cur = child;
	return 0;
}

static int op_end(struct uccn_txn *t, int rc)
{
	MDB_txn *child = t->cur;
	t->cur = t->root;
	if (rc == 0) {
		int crc = mdb_txn_commit(child);
		if (crc)
			rc = map_rc(crc);
	} else {
		mdb_txn_abort(child);
	}
	if (rc == UCCN_E_MAPFULL)
		t->map_full = true;
	return rc;
}

int uccn_store_write_once(struct uccn_store *s, uccn_write_fn fn, void *ctx)
{
	struct uccn_txn *t = NULL;
	int rc = txn_begin(s, true, &t);
	if (rc)
		return rc == UCCN_E_MAPFULL ? UCCN_E_FULL : rc;
	rc = fn(t, ctx);
	if (t->map_full)
		rc = UCCN_E_MAPFULL;
	if (rc == 0) {
		int crc = mdb_txn_commit(t->root);
		t->root = NULL;
		rc = crc ? fail(s, crc, "commit") : 0;
	}
	uccn_store_txn_end(&t);
	return rc;
}

int uccn_store_grow(struct uccn_store *s)
{
	if (s->map_size >= UCCN_STORE_MAX_MAP) {
		snprintf(last_error, sizeof last_error,
			 "database map at its limit of %zu bytes", s->map_size);
		return UCCN_E_FULL;
	}
	size_t want = s->map_size * 2;
	int mrc = mdb_env_set_mapsize(s->env, want);
	if (mrc)
		return fail(s, mrc, "grow map");
	s->map_size = want;
	return 0;
}

int uccn_store_write(struct uccn_store *s, uccn_write_fn fn, void *ctx)
{
	for (;;) {
		int rc = uccn_store_write_once(s, fn, ctx);
		if (rc != UCCN_E_MAPFULL)
			return rc;
		/* Grow and run the batch again. No transaction of ours is open. */
		if ((rc = uccn_store_grow(s)))
			return rc;
	}
}

/* ---- record values ---- */

static int put_packed(struct uccn_txn *t, enum dbi_slot db, MDB_val *k,
		      const msgpack_sbuffer *b, unsigned flags)
{
	MDB_val v = val_of(b->data, b->size);
	return map_rc(mdb_put(t->cur, t->s->dbi[db], k, &v, flags));
}

enum record_type { REC_CITY, REC_POST, REC_PROJECT, REC_MEETING };

static int record_from(enum record_type type, const msgpack_object *o, void *out)
{
	switch (type) {
	case REC_CITY: return uccn_city_from_object(o, out, NULL, 0);
	case REC_POST: return uccn_post_from_object(o, out, NULL, 0);
	case REC_PROJECT: return uccn_project_from_object(o, out, NULL, 0);
	case REC_MEETING: return uccn_meeting_from_object(o, out, NULL, 0);
	}
	return UCCN_E_INTERNAL;
}

static int decode_value(const MDB_val *v, void *out, enum record_type type)
{
	msgpack_unpacked u;
	size_t off = 0;
	/* Stored bytes are ours, but a damaged file must not make us allocate
	 * what a corrupt count claims: scan before unpacking. */
	if (uccn_msgpack_scan(v->mv_data, v->mv_size, UCCN_MAX_DEPTH,
			      UCCN_MAX_REQUEST_OBJECTS, NULL, 0))
		return UCCN_E_CORRUPT;
	msgpack_unpacked_init(&u);
	int rc = UCCN_E_CORRUPT;
	if (msgpack_unpack_next(&u, v->mv_data, v->mv_size, &off) ==
	    MSGPACK_UNPACK_SUCCESS && off == v->mv_size)
		rc = record_from(type, &u.data, out) ? UCCN_E_CORRUPT : 0;
	msgpack_unpacked_destroy(&u);
	return rc;
}

static int city_decode(const MDB_val *v, struct uccn_city *out)
{
	return decode_value(v, out, REC_CITY);
}

/* ---- chains ----
 *
 * The posts of one city, one kind, one project or one meeting form a
 * chain, newest first. A stored post begins with LINKS_SIZE bytes: for each
 * chain it is in, the seq of the previous post of that chain (0: none), 8
 * bytes big-endian, in enum chain order; its msgpack record follows.
 * DB_HEADS holds each chain's newest post and length under its key (a tag
 * byte, then the id), and DB_MARKS every MARK_EVERY-th post of it, so a
 * walk from any `before` starts at most MARK_EVERY steps from its place.
 *
 * A post thus dirties one small head per chain, not a B-tree leaf per
 * city as an index by city does: a commit of posts from 64 cities writes
 * a few pages of heads, not 64 leaves.
 */
enum chain { CH_CITY, CH_KIND, CH_PROJECT, CH_MEETING, CH_COUNT };
static int reason(struct uccn_txn *t, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define LINKS_SIZE (8 * CH_COUNT)
#define MARK_EVERY 64
#define CHAIN_KEY_MAX (1 + UCCN_MAX_ID)

/* The post's id in chain ch (NULL: the post is not in one). */
static const char *chain_id(const struct uccn_post *p, enum chain ch)
{
	switch (ch) {
	case CH_CITY: return p->city;
	case CH_KIND: return p->kind;
	case CH_PROJECT: return p->project;
	case CH_MEETING: return p->meeting;
	default: return NULL;
	}
}

/* The key of chain ch of id into buf; false when no chain can have it. */
static bool chain_key(enum chain ch, const char *id, char buf[CHAIN_KEY_MAX], MDB_val *k)
{
	static const char tag[CH_COUNT] = {'c', 'k', 'p', 'm'};
	size_t n = strlen(id);
	if (n == 0 || n > UCCN_MAX_ID)
		return false;
	buf[0] = tag[ch];
	memcpy(buf + 1, id, n);
	*k = val_of(buf, n + 1);
	return true;
}

struct head {
	uint64_t newest, length;
};

static int head_get(struct uccn_txn *t, MDB_val *k, struct head *h)
{
	MDB_val v;
	int rc = mdb_get(t->cur, t->s->dbi[DB_HEADS], k, &v);
	*h = (struct head){0};
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return map_rc(rc);
	if (v.mv_size != 16)
		return UCCN_E_CORRUPT;
	h->newest = be64(v.mv_data);
	h->length = be64((const unsigned char *)v.mv_data + 8);
	return 0;
}

/* Put post seq at the head of its chains; the links to store with it go
 * to links (LINKS_SIZE bytes). */
static int chains_add(struct uccn_txn *t, const struct uccn_post *p, uint64_t seq,
		      unsigned char *links)
{
	memset(links, 0, LINKS_SIZE);
	for (int ch = 0; ch < CH_COUNT; ch++) {
		const char *id = chain_id(p, (enum chain)ch);
		char kb[CHAIN_KEY_MAX];
		unsigned char hb[16];
		MDB_val k, v;
		struct head h;
		int rc;
		if (!id)
			continue;
		if (!chain_key((enum chain)ch, id, kb, &k))
			return reason(t, UCCN_E_INVALID, "'%.80s' is too long for an id", id);
		if ((rc = head_get(t, &k, &h)))
			return rc;
		seq_encode(h.newest, links + 8 * ch);
		seq_encode(seq, hb);
		seq_encode(h.length + 1, hb + 8);
		v = val_of(hb, 16);
		if ((rc = map_rc(mdb_put(t->cur, t->s->dbi[DB_HEADS], &k, &v, 0))))
			return rc;
		if ((h.length + 1) % MARK_EVERY == 0) {
			v = val_of(hb, 8);
			if ((rc = map_rc(mdb_put(t->cur, t->s->dbi[DB_MARKS], &k, &v,
						 MDB_APPENDDUP))))
				return rc;
		}
	}
	return 0;
}

static int post_decode(const MDB_val *v, struct uccn_post *out)
{
	if (v->mv_size <= LINKS_SIZE)
		return UCCN_E_CORRUPT;
	MDB_val rec = val_of((const unsigned char *)v->mv_data + LINKS_SIZE,
			     v->mv_size - LINKS_SIZE);
	return decode_value(&rec, out, REC_POST);
}

/* The stored value of post seq. */
static int post_val(struct uccn_txn *t, uint64_t seq, MDB_val *v)
{
	unsigned char kb[8];
	seq_encode(seq, kb);
	MDB_val k = val_of(kb, 8);
	return map_rc(mdb_get(t->cur, t->s->dbi[DB_POSTS], &k, v));
}

/* From v, the stored post seq, the post before it in chain ch into *prev
 * (0: seq is the chain's first). */
static int post_link(const MDB_val *v, uint64_t seq, enum chain ch, uint64_t *prev)
{
	if (v->mv_size <= LINKS_SIZE)
		return UCCN_E_CORRUPT;
	*prev = be64((const unsigned char *)v->mv_data + 8 * ch);
	return *prev >= seq ? UCCN_E_CORRUPT : 0; /* links only go back: no loop */
}

static int chain_prev(struct uccn_txn *t, uint64_t seq, enum chain ch, uint64_t *prev)
{
	MDB_val v;
	int rc = post_val(t, seq, &v);
	if (rc == UCCN_E_NOTFOUND)
		return UCCN_E_CORRUPT; /* a chain leads to a post that is not there */
	return rc ? rc : post_link(&v, seq, ch, prev);
}

/* The newest post of the chain under key k that is below `before` (0: no
 * bound) into *seq, 0 when there is none. */
static int chain_start(struct uccn_txn *t, MDB_val *k, enum chain ch, uint64_t before,
		       uint64_t *seq)
{
	struct head h;
	int rc = head_get(t, k, &h);
	*seq = 0;
	if (rc)
		return rc;
	uint64_t at = h.newest;
	if (before && at >= before) {
		/* From the oldest mark at or past `before`, when there is one. */
		MDB_cursor *c;
		MDB_val mk = *k, mv;
		unsigned char bb[8];
		seq_encode(before, bb);
		mv = val_of(bb, 8);
		if ((rc = mdb_cursor_open(t->cur, t->s->dbi[DB_MARKS], &c)))
			return map_rc(rc);
		rc = mdb_cursor_get(c, &mk, &mv, MDB_GET_BOTH_RANGE);
		if (rc == 0)
			at = seq_decode(&mv);
		mdb_cursor_close(c);
		if (rc && rc != MDB_NOTFOUND)
			return map_rc(rc);
		while (at >= before)
			if ((rc = chain_prev(t, at, ch, &at)))
				return rc;
	}
	*seq = at;
	return 0;
}

/* Format 1 found the posts of a city, kind, project or meeting through
 * four dupsort indexes, which cost a B-tree leaf per city per commit.
 * Give every post its links, oldest first, and drop the indexes; all in
 * the transaction that opens the store, so a stop midway leaves format 1
 * as it was. Our code, the reason in last_error. */
static int migrate_from_1(struct uccn_store *s, MDB_txn *txn)
{
	static const char *const old[] = {"by_city", "by_kind", "by_project", "by_meeting"};
	struct uccn_txn t = {.s = s, .root = txn, .cur = txn, .write = true};
	unsigned char *buf = NULL, kb[8];
	size_t cap = 0;
	uint64_t seq = 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, s->dbi[DB_POSTS], &c);
	if (rc)
		return fail(s, rc, "rewrite the posts");
	for (;;) {
		MDB_val k = val_of(kb, 8), v;
		seq_encode(seq + 1, kb);
		if ((rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE))) {
			rc = rc == MDB_NOTFOUND ? 0 : fail(s, rc, "rewrite the posts");
			break;
		}
		seq = seq_decode(&k);
		if (cap < v.mv_size) {
			unsigned char *nb = realloc(buf, v.mv_size);
			if (!nb) {
				rc = fail(s, ENOMEM, "rewrite the posts");
				break;
			}
			buf = nb;
			cap = v.mv_size;
		}
		memcpy(buf, v.mv_data, v.mv_size);
		MDB_val rec = val_of(buf, v.mv_size);
		struct uccn_post p = {0};
		unsigned char links[LINKS_SIZE];
		if (decode_value(&rec, &p, REC_POST) || p.seq != seq) {
			snprintf(last_error, sizeof last_error,
				 "post %llu of the format 1 data does not decode",
				 (unsigned long long)seq);
			uccn_post_clear(&p);
			rc = UCCN_E_CORRUPT;
			break;
		}
		rc = chains_add(&t, &p, seq, links);
		uccn_post_clear(&p);
		if (rc) {
			snprintf(last_error, sizeof last_error, "post %llu: %.200s",
				 (unsigned long long)seq, t.reason[0] ? t.reason : uccn_strerror(rc));
			break;
		}
		seq_encode(seq, kb);
		k = val_of(kb, 8);
		v = val_of(NULL, LINKS_SIZE + rec.mv_size);
		if ((rc = mdb_put(txn, s->dbi[DB_POSTS], &k, &v, MDB_RESERVE))) {
			rc = fail(s, rc, "rewrite the posts");
			break;
		}
		memcpy(v.mv_data, links, LINKS_SIZE);
		memcpy((unsigned char *)v.mv_data + LINKS_SIZE, buf, rec.mv_size);
	}
	mdb_cursor_close(c);
	free(buf);
	for (size_t i = 0; i < sizeof old / sizeof old[0] && !rc; i++) {
		MDB_dbi dbi;
		rc = mdb_dbi_open(txn, old[i], MDB_DUPSORT | MDB_DUPFIXED, &dbi);
		if (rc == 0)
			rc = mdb_drop(txn, dbi, 1);
		if (rc == MDB_NOTFOUND)
			rc = 0;
		else if (rc)
			rc = fail(s, rc, old[i]);
	}
	return rc;
}

/* ---- reading ---- */

int uccn_store_city_get(struct uccn_txn *t, const char *id, struct uccn_city *out)
{
	MDB_val k = str_val(id), v;
	if (!id[0] || strlen(id) > UCCN_MAX_ID)
		return UCCN_E_NOTFOUND;
	int rc = mdb_get(t->cur, t->s->dbi[DB_CITIES], &k, &v);
	if (rc)
		return map_rc(rc);
	return city_decode(&v, out);
}

int uccn_store_city_by_key(struct uccn_txn *t, const char *key, char *id)
{
	MDB_val k = str_val(key), v;
	/* LMDB refuses an empty (or overlong) key as an error: none is ours */
	if (!key[0] || k.mv_size > UCCN_KEY_Z85_LEN)
		return UCCN_E_NOTFOUND;
	int rc = mdb_get(t->cur, t->s->dbi[DB_CITY_KEYS], &k, &v);
	if (rc)
		return map_rc(rc);
	if (v.mv_size == 0 || v.mv_size > UCCN_MAX_ID)
		return UCCN_E_CORRUPT;
	memcpy(id, v.mv_data, v.mv_size);
	id[v.mv_size] = '\0';
	return 0;
}

int uccn_store_city_each(struct uccn_txn *t, uccn_city_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	int err = 0;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_CITIES], &c);
	if (rc)
		return map_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct uccn_city city = {0};
		if ((err = city_decode(&v, &city)))
			break;
		int stop = fn(&city, ctx);
		uccn_city_clear(&city);
		if (stop)
			break;
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == MDB_NOTFOUND ? 0 : map_rc(rc);
}

int uccn_store_post_get(struct uccn_txn *t, uint64_t seq, struct uccn_post *out)
{
	MDB_val v;
	int rc = post_val(t, seq, &v);
	return rc ? rc : post_decode(&v, out);
}

static bool post_matches(const struct uccn_post *p, const struct uccn_query *q)
{
	struct { const char *want, *have; } f[] = {
		{q->kind, p->kind}, {q->city, p->city},
		{q->project, p->project}, {q->meeting, p->meeting},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (f[i].want && (!f[i].have || strcmp(f[i].want, f[i].have) != 0))
			return false;
	return true;
}

/* Whether viewer (NULL: the system itself) may see post p: a "message" is
 * seen by its author and its audience; everything else by everyone. */
static bool post_visible(struct uccn_txn *t, const struct uccn_post *p, const char *viewer)
{
	if (!viewer || !p->kind || strcmp(p->kind, "message") != 0)
		return true;
	if (p->city && strcmp(p->city, viewer) == 0)
		return true;
	if (uccn_idlist_has(&p->to, "all"))
		return true;
	unsigned char kb[8];
	seq_encode(p->seq, kb);
	MDB_val k = val_of(kb, 8), v = str_val(viewer);
	MDB_cursor *c;
	if (mdb_cursor_open(t->cur, t->s->dbi[DB_ACCESS], &c))
		return false;
	bool ok = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH) == 0;
	mdb_cursor_close(c);
	return ok;
}

bool uccn_store_post_visible(struct uccn_txn *t, const struct uccn_post *p,
			     const char *viewer)
{
	return post_visible(t, p, viewer);
}

/*
 * A backwards walk over either the posts table (no filter) or one chain,
 * both yielding sequence numbers newest first.
 */
struct walk {
	MDB_cursor *c;  /* over the posts, when no chain is walked */
	MDB_val key;    /* the chain's key, when one is */
	enum chain ch;
	bool started;
	uint64_t at;    /* in a chain: the post the walk is at */
	uint64_t next;  /* and the one before it, read with it */
	uint64_t before;
};

static int walk_step(struct uccn_txn *t, struct walk *w, uint64_t *seq)
{
	MDB_val k, v;
	int rc;
	unsigned char bb[8];
	if (!w->c) {
		rc = w->started ? 0 : chain_start(t, &w->key, w->ch, w->before, &w->at);
		if (w->started)
			w->at = w->next;
		w->started = true;
		*seq = w->at;
		return rc ? rc : w->at ? 0 : UCCN_E_NOTFOUND;
	}
	if (!w->started) {
		w->started = true;
		if (w->before) {
			seq_encode(w->before, bb);
			k = val_of(bb, 8);
			rc = mdb_cursor_get(w->c, &k, &v, MDB_SET_RANGE);
			rc = rc == 0 ? mdb_cursor_get(w->c, &k, &v, MDB_PREV)
				     : mdb_cursor_get(w->c, &k, &v, MDB_LAST);
		} else {
			rc = mdb_cursor_get(w->c, &k, &v, MDB_LAST);
		}
	} else {
		rc = mdb_cursor_get(w->c, &k, &v, MDB_PREV);
	}
	if (rc)
		return map_rc(rc);
	*seq = seq_decode(&k);
	return 0;
}

int uccn_store_post_list(struct uccn_txn *t, const struct uccn_query *q,
			 uccn_post_fn fn, void *ctx, uint64_t *next)
{
	return uccn_store_post_list_as(t, q, NULL, fn, ctx, next);
}

int uccn_store_post_list_as(struct uccn_txn *t, const struct uccn_query *q,
			    const char *viewer, uccn_post_fn fn, void *ctx,
			    uint64_t *next)
{
	/* The first chain the query names is walked; the rest filter. */
	struct { const char *id; enum chain ch; } by[] = {
		{q->project, CH_PROJECT}, {q->meeting, CH_MEETING},
		{q->city, CH_CITY}, {q->kind, CH_KIND},
	};
	uint32_t limit = q->limit ? q->limit : UCCN_LIST_DEFAULT;
	struct walk w = {.before = q->before};
	char kb[CHAIN_KEY_MAX];
	bool chain = false;
	uint32_t taken = 0;
	uint64_t seq = 0;
	int rc;
	*next = 0;
	for (size_t i = 0; i < sizeof by / sizeof by[0] && !chain; i++)
		if (by[i].id) {
			if (!chain_key(by[i].ch, by[i].id, kb, &w.key))
				return 0; /* no id that long exists: nothing matches */
			w.ch = by[i].ch;
			chain = true;
		}
	if (!chain && (rc = mdb_cursor_open(t->cur, t->s->dbi[DB_POSTS], &w.c)))
		return map_rc(rc);
	while ((rc = walk_step(t, &w, &seq)) == 0 && seq > q->since) {
		struct uccn_post p = {0};
		MDB_val v;
		/* One read gives the post and, in a chain, the next step. */
		if ((rc = post_val(t, seq, &v)) || (!w.c && (rc = post_link(&v, seq, w.ch, &w.next))) ||
		    (rc = post_decode(&v, &p))) {
			/* A chain's post missing: the files are damaged. */
			if (rc == UCCN_E_NOTFOUND)
				rc = UCCN_E_CORRUPT;
			uccn_post_clear(&p);
			break;
		}
		bool match = post_matches(&p, q) && post_visible(t, &p, viewer);
		if (match && taken == limit) {
			/* There is more (a post that matches, not merely another
			 * post of the chain): the next page starts below the last
			 * taken. */
			*next = w.before;
			uccn_post_clear(&p);
			break;
		}
		if (match) {
			if (fn(&p, ctx)) {
				*next = seq + 1;
				uccn_post_clear(&p);
				break;
			}
			taken++;
			w.before = seq;
		}
		uccn_post_clear(&p);
	}
	if (w.c)
		mdb_cursor_close(w.c);
	/* The end of the walk, or reaching `since` (rc 0), is no error; a
	 * failed step is, even the first. */
	return rc == UCCN_E_NOTFOUND ? 0 : rc;
}

static int last_seq(struct uccn_txn *t, uint64_t *seq);

int uccn_store_stats(struct uccn_txn *t, struct uccn_store_stats *out)
{
	MDB_stat st;
	MDB_envinfo info;
	memset(out, 0, sizeof *out);
	if (mdb_stat(t->cur, t->s->dbi[DB_CITIES], &st) == 0)
		out->cities = st.ms_entries;
	if (mdb_stat(t->cur, t->s->dbi[DB_POSTS], &st) == 0)
		out->posts = st.ms_entries;
	last_seq(t, &out->last_seq);
	mdb_env_info(t->s->env, &info);
	mdb_env_stat(t->s->env, &st);
	out->map_bytes = info.me_mapsize;
	out->used_bytes = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
	return 0;
}

/* ---- writing ---- */

/* The newest key of db as a sequence number, 0 when it is empty. */
static int last_key(struct uccn_txn *t, enum dbi_slot db, uint64_t *seq)
{
	MDB_cursor *c;
	MDB_val k, v;
	*seq = 0;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[db], &c);
	if (rc)
		return map_rc(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return map_rc(rc);
	*seq = seq_decode(&k);
	return 0;
}

/* The sequence is gapless across the change log (records) and the posts
 * (a post's key is its number; the log does not repeat it). */
static int last_seq(struct uccn_txn *t, uint64_t *seq)
{
	uint64_t a, b;
	int rc = last_key(t, DB_LOG, &a);
	if (!rc)
		rc = last_key(t, DB_POSTS, &b);
	*seq = rc ? 0 : a > b ? a : b;
	return rc;
}

static int next_seq(struct uccn_txn *t, uint64_t *seq)
{
	int rc = last_seq(t, seq);
	if (!rc)
		(*seq)++;
	return rc;
}

/* Append the change-log entry for seq: {"t": type, "id": id}. */
static int log_append(struct uccn_txn *t, uint64_t seq, const char *type,
		      const char *id)
{
	msgpack_sbuffer b;
	msgpack_packer pk;
	unsigned char kb[8];
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	int rc = UCCN_E_NOMEM;
	size_t tl = strlen(type), il = strlen(id);
	if (!msgpack_pack_map(&pk, 2) && !msgpack_pack_str(&pk, 1) &&
	    !msgpack_pack_str_body(&pk, "t", 1) && !msgpack_pack_str(&pk, tl) &&
	    !msgpack_pack_str_body(&pk, type, tl) && !msgpack_pack_str(&pk, 2) &&
	    !msgpack_pack_str_body(&pk, "id", 2) && !msgpack_pack_str(&pk, il) &&
	    !msgpack_pack_str_body(&pk, id, il)) {
		seq_encode(seq, kb);
		MDB_val k = val_of(kb, 8);
		rc = put_packed(t, DB_LOG, &k, &b, MDB_APPEND);
	}
	msgpack_sbuffer_destroy(&b);
	return rc;
}

static int reason(struct uccn_txn *t, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof t->reason, fmt, ap);
	va_end(ap);
	return rc;
}

const char *uccn_store_txn_reason(const struct uccn_txn *t)
{
	return t->reason;
}

size_t uccn_store_txn_reason_index(const struct uccn_txn *t)
{
	return t->reason_index;
}

int uccn_store_field_get(struct uccn_txn *t, const char *name)
{
	MDB_val k = str_val(name), v;
	if (!name[0] || strlen(name) > UCCN_MAX_FIELD)
		return UCCN_E_NOTFOUND;
	return map_rc(mdb_get(t->cur, t->s->dbi[DB_FIELDS], &k, &v));
}

int uccn_store_field_each(struct uccn_txn *t, uccn_field_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	char name[UCCN_MAX_FIELD + 1];
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_FIELDS], &c);
	if (rc)
		return map_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size > UCCN_MAX_FIELD)
			continue;
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if (fn(name, ctx))
			break;
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : map_rc(rc);
}

static int field_add_in(struct uccn_txn *t, const char *name, uint64_t *seq)
{
	unsigned char sb[8];
	int rc;
	if (!uccn_field_name_valid(name))
		return reason(t, UCCN_E_INVALID, "'%s' is not a field name", name ? name : "");
	if (uccn_store_field_get(t, name) == 0)
		return reason(t, UCCN_E_EXISTS, "field '%s' exists already", name);
	if ((rc = next_seq(t, seq)))
		return rc;
	seq_encode(*seq, sb);
	MDB_val k = str_val(name), v = val_of(sb, 8);
	if ((rc = map_rc(mdb_put(t->cur, t->s->dbi[DB_FIELDS], &k, &v, MDB_NOOVERWRITE))))
		return rc;
	return log_append(t, *seq, "field", name);
}

int uccn_store_field_add(struct uccn_txn *t, const char *name, uint64_t *seq)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, field_add_in(t, name, seq));
}

/* Write city rec (version and seq already set) and its change-log entry. */
static int put_city(struct uccn_txn *t, const struct uccn_city *rec)
{
	msgpack_sbuffer b;
	msgpack_packer pk;
	MDB_val k = str_val(rec->id);
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	int rc = uccn_city_pack(&pk, rec);
	if (!rc)
		rc = put_packed(t, DB_CITIES, &k, &b, 0);
	msgpack_sbuffer_destroy(&b);
	if (!rc)
		rc = log_append(t, rec->seq, "city", rec->id);
	return rc;
}

/* The checks every written city passes: its rules, and its field exists. */
static int city_valid(struct uccn_txn *t, const struct uccn_city *c)
{
	char why[200];
	if (uccn_city_check(c, why, sizeof why))
		return reason(t, UCCN_E_INVALID, "%s", why);
	if (uccn_store_field_get(t, c->field) != 0)
		return reason(t, UCCN_E_NOTFOUND, "city '%s': field '%s' does not exist",
			      c->id, c->field);
	return 0;
}

static int key_claim(struct uccn_txn *t, const char *key, const char *id)
{
	MDB_val kk = str_val(key), idv = str_val(id);
	int rc = map_rc(mdb_put(t->cur, t->s->dbi[DB_CITY_KEYS], &kk, &idv, MDB_NOOVERWRITE));
	if (rc == UCCN_E_EXISTS)
		return reason(t, rc, "that key belongs to another city");
	return rc;
}

static int city_add_in(struct uccn_txn *t, const struct uccn_city *c,
		       uint64_t *seq)
{
	struct uccn_city rec = *c;
	MDB_val k, v;
	int rc;
	if (!c->id)
		return reason(t, UCCN_E_INVALID, "a city needs an id");
	if ((rc = city_valid(t, c)))
		return rc;
	k = str_val(c->id);
	if (mdb_get(t->cur, t->s->dbi[DB_CITIES], &k, &v) == 0)
		return reason(t, UCCN_E_EXISTS, "city '%s' exists already", c->id);
	if (c->key[0] && (rc = key_claim(t, c->key, c->id)))
		return rc;
	if ((rc = next_seq(t, seq)))
		return rc;
	rec.seq = *seq;
	rec.version = 1;
	return put_city(t, &rec);
}

static int city_update_in(struct uccn_txn *t, const struct uccn_city *c,
			  uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	struct uccn_city old = {0};
	int rc;
	if (!c->id)
		return reason(t, UCCN_E_INVALID, "a city needs an id");
	if ((rc = city_valid(t, c)))
		return rc;
	if ((rc = uccn_store_city_get(t, c->id, &old)))
		return rc == UCCN_E_NOTFOUND ? reason(t, rc, "city '%s' does not exist", c->id) : rc;
	if (old.version != if_version) {
		rc = reason(t, UCCN_E_CONFLICT,
			    "city '%s' is at version %llu, not %llu: read it again and redo your change",
			    c->id, (unsigned long long)old.version, (unsigned long long)if_version);
		uccn_city_clear(&old);
		return rc;
	}
	struct uccn_city rec = *c;
	memcpy(rec.key, old.key, sizeof rec.key); /* rekey is its own operation */
	if ((rc = next_seq(t, seq)) == 0) {
		rec.seq = *seq;
		rec.version = *version = old.version + 1;
		rc = put_city(t, &rec);
	}
	uccn_city_clear(&old);
	return rc;
}

int uccn_store_city_update(struct uccn_txn *t, const struct uccn_city *c,
			   uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, city_update_in(t, c, if_version, seq, version));
}

static int city_rekey_in(struct uccn_txn *t, const char *id, const char *key,
			 uint64_t *seq, uint64_t *version)
{
	struct uccn_city rec = {0};
	int rc;
	if (!uccn_key_z85_valid(key))
		return reason(t, UCCN_E_INVALID, "not a Z85 public key");
	if ((rc = uccn_store_city_get(t, id, &rec)))
		return rc == UCCN_E_NOTFOUND ? reason(t, rc, "city '%s' does not exist", id) : rc;
	if (rec.key[0]) {
		MDB_val kk = str_val(rec.key);
		rc = map_rc(mdb_del(t->cur, t->s->dbi[DB_CITY_KEYS], &kk, NULL));
		if (rc == UCCN_E_NOTFOUND)
			rc = 0;
	}
	if (!rc)
		rc = key_claim(t, key, id);
	if (!rc)
		rc = next_seq(t, seq);
	if (!rc) {
		memcpy(rec.key, key, sizeof rec.key);
		rec.seq = *seq;
		rec.version = *version = rec.version + 1;
		rc = put_city(t, &rec);
	}
	uccn_city_clear(&rec);
	return rc;
}

int uccn_store_city_rekey(struct uccn_txn *t, const char *id, const char *key,
			  uint64_t *seq, uint64_t *version)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, city_rekey_in(t, id, key, seq, version));
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_coord(struct uccn_coord a, struct uccn_coord b)
{
	return a.set == b.set && (!a.set || a.deg == b.deg);
}

/* The data an import carries, compared with what is stored. */
static bool same_import_data(const struct uccn_city *a, const struct uccn_city *b)
{
	return same_str(a->name, b->name) && same_str(a->country, b->country) &&
	       same_str(a->field, b->field) && same_str(a->tz, b->tz) &&
	       a->year == b->year && same_coord(a->lat, b->lat) &&
	       same_coord(a->lon, b->lon);
}

static int import_one(struct uccn_txn *t, const struct uccn_city *c,
		      uint64_t *added, uint64_t *updated, uint64_t *unchanged)
{
	struct uccn_city old = {0};
	uint64_t seq;
	int rc;
	if (!c->id)
		return reason(t, UCCN_E_INVALID, "a city needs an id");
	if ((rc = city_valid(t, c)))
		return rc;
	rc = uccn_store_city_get(t, c->id, &old);
	if (rc == UCCN_E_NOTFOUND) {
		struct uccn_city rec = *c;
		rec.key[0] = '\0';
		rec.term_end = NULL;
		if ((rc = next_seq(t, &seq)))
			return rc;
		rec.seq = seq;
		rec.version = 1;
		(*added)++;
		return put_city(t, &rec);
	}
	if (rc)
		return rc;
	if (same_import_data(c, &old)) {
		(*unchanged)++;
	} else {
		struct uccn_city rec = *c;
		/* The import speaks for the record's data, not its key, role
		 * or term. */
		rec.role = old.role;
		rec.term_end = old.term_end;
		memcpy(rec.key, old.key, sizeof rec.key);
		if ((rc = next_seq(t, &seq)) == 0) {
			rec.seq = seq;
			rec.version = old.version + 1;
			rc = put_city(t, &rec);
			(*updated)++;
		}
	}
	uccn_city_clear(&old);
	return rc;
}

int uccn_store_city_import(struct uccn_txn *t, const struct uccn_city *c,
			   size_t n, uint64_t *added, uint64_t *updated,
			   uint64_t *unchanged)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	*added = *updated = *unchanged = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		/* An id twice in one import would silently keep the last row. */
		for (size_t j = 0; j < i && !rc; j++)
			if (strcmp(c[i].id, c[j].id) == 0)
				rc = reason(t, UCCN_E_EXISTS, "city '%s' appears twice (also city %zu)",
					    c[i].id, j + 1);
		if (!rc)
			rc = import_one(t, &c[i], added, updated, unchanged);
		if (rc)
			t->reason_index = i + 1;
	}
	if (rc)
		*added = *updated = *unchanged = 0;
	return op_end(t, rc);
}

int uccn_store_city_add(struct uccn_txn *t, const struct uccn_city *c,
			uint64_t *seq)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, city_add_in(t, c, seq));
}

/* idem key: city id, NUL, the client's key. */
static size_t idem_key(const char *city, const char *key, char *buf)
{
	size_t cl = strlen(city), kl = strlen(key);
	memcpy(buf, city, cl);
	buf[cl] = '\0';
	memcpy(buf + cl + 1, key, kl);
	return cl + 1 + kl;
}

/* Store post p under key k (its seq), packed in b, with its chain links. */
static int post_put(struct uccn_txn *t, const struct uccn_post *p, MDB_val *k,
		    const msgpack_sbuffer *b)
{
	unsigned char links[LINKS_SIZE];
	int rc = chains_add(t, p, p->seq, links);
	if (rc)
		return rc;
	MDB_val v = val_of(NULL, LINKS_SIZE + b->size);
	if ((rc = map_rc(mdb_put(t->cur, t->s->dbi[DB_POSTS], k, &v, MDB_APPEND | MDB_RESERVE))))
		return rc;
	memcpy(v.mv_data, links, LINKS_SIZE);
	memcpy((unsigned char *)v.mv_data + LINKS_SIZE, b->data, b->size);
	return 0;
}

static int deliver(struct uccn_txn *t, const struct uccn_post *p, const unsigned char seq[8]);

static int post_add_in(struct uccn_txn *t, const struct uccn_post *p,
		       int64_t now_ms, uint64_t *seq, bool *duplicate)
{
	char ib[UCCN_MAX_ID + 1 + UCCN_MAX_IDEM_KEY];
	MDB_val ik, v;
	unsigned char sb[8];
	msgpack_sbuffer b;
	msgpack_packer pk;
	struct uccn_post rec = *p;
	int rc;
	*duplicate = false;
	char why[200];
	if (!p->city || !uccn_id_valid(p->city))
		return reason(t, UCCN_E_INVALID, "a post needs its author's city id");
	if ((rc = uccn_post_check(p, why, sizeof why)))
		return reason(t, rc, "%s", why);
	MDB_val ck = str_val(p->city);
	if ((rc = map_rc(mdb_get(t->cur, t->s->dbi[DB_CITIES], &ck, &v))))
		return rc == UCCN_E_NOTFOUND ? reason(t, rc, "city '%s' is not registered", p->city) : rc;
	/* What a post refers to must exist. */
	struct { const char *id; enum dbi_slot db; const char *what; } refs[] = {
		{p->project, DB_PROJECTS, "project"}, {p->meeting, DB_MEETINGS, "meeting"},
	};
	for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
		if (!refs[i].id)
			continue;
		MDB_val rk = str_val(refs[i].id);
		rc = mdb_get(t->cur, t->s->dbi[refs[i].db], &rk, &v);
		if (rc == MDB_NOTFOUND)
			return reason(t, UCCN_E_NOTFOUND, "%s '%s' does not exist", refs[i].what, refs[i].id);
		if (rc)
			return map_rc(rc);
	}
	if (p->idem_key) {
		ik = val_of(ib, idem_key(p->city, p->idem_key, ib));
		rc = mdb_get(t->cur, t->s->dbi[DB_IDEM], &ik, &v);
		if (rc == 0) {
			*duplicate = true;
			*seq = seq_decode(&v);
			return 0;
		}
		if (rc != MDB_NOTFOUND)
			return map_rc(rc);
	}
	if ((rc = next_seq(t, seq)))
		return rc;
	rec.seq = *seq;
	rec.created_ms = now_ms;
	seq_encode(*seq, sb);
	MDB_val k = val_of(sb, 8);
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	rc = uccn_post_pack(&pk, &rec);
	if (!rc)
		rc = post_put(t, &rec, &k, &b);
	msgpack_sbuffer_destroy(&b);
	if (!rc)
		rc = deliver(t, p, sb);
	if (!rc && p->idem_key) {
		MDB_val sv = val_of(sb, 8);
		rc = map_rc(mdb_put(t->cur, t->s->dbi[DB_IDEM], &ik, &sv, MDB_NOOVERWRITE));
	}
	return rc;
}

int uccn_store_post_add(struct uccn_txn *t, const struct uccn_post *p,
			int64_t now_ms, uint64_t *seq, bool *duplicate)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, post_add_in(t, p, now_ms, seq, duplicate));
}

/* ---- projects and meetings ---- */

static int record_get(struct uccn_txn *t, enum dbi_slot db, enum record_type type,
		      const char *id, void *out)
{
	MDB_val k = str_val(id), v;
	if (!id[0] || strlen(id) > UCCN_MAX_ID)
		return UCCN_E_NOTFOUND;
	int rc = mdb_get(t->cur, t->s->dbi[db], &k, &v);
	if (rc)
		return map_rc(rc);
	return decode_value(&v, out, type);
}

int uccn_store_project_get(struct uccn_txn *t, const char *id, struct uccn_project *out)
{
	return record_get(t, DB_PROJECTS, REC_PROJECT, id, out);
}

int uccn_store_meeting_get(struct uccn_txn *t, const char *id, struct uccn_meeting *out)
{
	return record_get(t, DB_MEETINGS, REC_MEETING, id, out);
}

/* Walk db in key order, decoding each value into a scratch record of
 * `size` bytes that clear() empties. */
static int record_each(struct uccn_txn *t, enum dbi_slot db, enum record_type type,
		       size_t size, void (*clear)(void *), int (*fn)(const void *, void *),
		       void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	int err = 0;
	/* Aligned for the record structs it holds (pointers, uint64_t). */
	_Alignas(max_align_t) char rec[512];
	if (size > sizeof rec)
		return UCCN_E_INTERNAL;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[db], &c);
	if (rc)
		return map_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		memset(rec, 0, size);
		if ((err = decode_value(&v, rec, type)))
			break;
		int stop = fn(rec, ctx);
		clear(rec);
		if (stop)
			break;
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : map_rc(rc);
}

struct each_adapter {
	union { uccn_project_fn project; uccn_meeting_fn meeting; } fn;
	void *ctx;
};

static int each_project(const void *rec, void *ctx)
{
	struct each_adapter *a = ctx;
	return a->fn.project(rec, a->ctx);
}

static int each_meeting(const void *rec, void *ctx)
{
	struct each_adapter *a = ctx;
	return a->fn.meeting(rec, a->ctx);
}

static void clear_project(void *p) { uccn_project_clear(p); }
static void clear_meeting(void *m) { uccn_meeting_clear(m); }

int uccn_store_project_each(struct uccn_txn *t, uccn_project_fn fn, void *ctx)
{
	struct each_adapter a = {.fn.project = fn, .ctx = ctx};
	return record_each(t, DB_PROJECTS, REC_PROJECT, sizeof(struct uccn_project),
			   clear_project, each_project, &a);
}

int uccn_store_meeting_each(struct uccn_txn *t, uccn_meeting_fn fn, void *ctx)
{
	struct each_adapter a = {.fn.meeting = fn, .ctx = ctx};
	return record_each(t, DB_MEETINGS, REC_MEETING, sizeof(struct uccn_meeting),
			   clear_meeting, each_meeting, &a);
}

/* Every city of a list must exist; the reason names the first that does not. */
static int cities_exist(struct uccn_txn *t, const char *what, const char *id,
			const char *role, const struct uccn_idlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		MDB_val k = str_val(l->v[i]), v;
		if (mdb_get(t->cur, t->s->dbi[DB_CITIES], &k, &v) != 0)
			return reason(t, UCCN_E_NOTFOUND, "%s '%s': %s city '%s' does not exist",
				      what, id, role, l->v[i]);
	}
	return 0;
}

static int city_exists(struct uccn_txn *t, const char *what, const char *id,
		       const char *role, const char *city)
{
	char *one[] = {(char *)city};
	struct uccn_idlist l = {.v = one, .n = 1};
	return cities_exist(t, what, id, role, &l);
}

static int field_exists(struct uccn_txn *t, const char *what, const char *id,
			const char *field)
{
	if (uccn_store_field_get(t, field) != 0)
		return reason(t, UCCN_E_NOTFOUND, "%s '%s': field '%s' does not exist", what, id, field);
	return 0;
}

static int project_valid(struct uccn_txn *t, const struct uccn_project *p)
{
	char why[200];
	int rc;
	if (!p->id)
		return reason(t, UCCN_E_INVALID, "a project needs an id");
	if (uccn_project_check(p, why, sizeof why))
		return reason(t, UCCN_E_INVALID, "%s", why);
	if ((rc = city_exists(t, "project", p->id, "lead", p->lead)) ||
	    (rc = cities_exist(t, "project", p->id, "partner", &p->partners)))
		return rc;
	for (size_t i = 0; i < p->fields.n; i++)
		if ((rc = field_exists(t, "project", p->id, p->fields.v[i])))
			return rc;
	return 0;
}

static int put_record(struct uccn_txn *t, enum dbi_slot db, const char *type,
		      const char *id, uint64_t seq, const void *rec)
{
	msgpack_sbuffer b;
	msgpack_packer pk;
	MDB_val k = str_val(id);
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	int rc = db == DB_PROJECTS ? uccn_project_pack(&pk, rec) : uccn_meeting_pack(&pk, rec);
	if (!rc)
		rc = put_packed(t, db, &k, &b, 0);
	msgpack_sbuffer_destroy(&b);
	if (!rc)
		rc = log_append(t, seq, type, id);
	return rc;
}

/* The version check every update makes. */
static int version_is(struct uccn_txn *t, const char *what, const char *id,
		      uint64_t have, uint64_t want)
{
	if (have == want)
		return 0;
	return reason(t, UCCN_E_CONFLICT,
		      "%s '%s' is at version %llu, not %llu: read it again and redo your change",
		      what, id, (unsigned long long)have, (unsigned long long)want);
}

static int project_write_in(struct uccn_txn *t, const struct uccn_project *p, bool add,
			    uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	struct uccn_project old = {0}, rec = *p;
	int rc = project_valid(t, p);
	if (rc)
		return rc;
	rc = uccn_store_project_get(t, p->id, &old);
	if (add && rc == 0)
		rc = reason(t, UCCN_E_EXISTS, "project '%s' exists already", p->id);
	else if (add && rc == UCCN_E_NOTFOUND)
		rc = 0;
	else if (!add && rc == UCCN_E_NOTFOUND)
		rc = reason(t, rc, "project '%s' does not exist", p->id);
	else if (!add && rc == 0)
		rc = version_is(t, "project", p->id, old.version, if_version);
	if (!rc && !rec.status)
		rec.status = add ? "proposed" : old.status;
	if (!rc)
		rc = next_seq(t, seq);
	if (!rc) {
		rec.seq = *seq;
		rec.version = *version = add ? 1 : old.version + 1;
		rc = put_record(t, DB_PROJECTS, "project", p->id, *seq, &rec);
	}
	uccn_project_clear(&old);
	return rc;
}

int uccn_store_project_add(struct uccn_txn *t, const struct uccn_project *p, uint64_t *seq)
{
	uint64_t version;
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, project_write_in(t, p, true, 0, seq, &version));
}

int uccn_store_project_update(struct uccn_txn *t, const struct uccn_project *p,
			      uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, project_write_in(t, p, false, if_version, seq, version));
}

static int project_member_in(struct uccn_txn *t, const char *id, const char *city,
			     bool join, uint64_t *seq, uint64_t *version)
{
	struct uccn_project p = {0};
	int rc = uccn_store_project_get(t, id, &p);
	if (rc)
		return rc == UCCN_E_NOTFOUND ? reason(t, rc, "project '%s' does not exist", id) : rc;
	if ((rc = city_exists(t, "project", id, "partner", city)))
		goto out;
	if (join && strcmp(p.lead, city) == 0)
		rc = reason(t, UCCN_E_EXISTS, "city '%s' leads project '%s'", city, id);
	else if (!join && strcmp(p.lead, city) == 0)
		rc = reason(t, UCCN_E_INVALID,
			    "city '%s' leads project '%s' and cannot leave it: hand the lead over first",
			    city, id);
	else if (join && (rc = uccn_idlist_add(&p.partners, city)) == UCCN_E_EXISTS)
		rc = reason(t, rc, "city '%s' is a partner of project '%s' already", city, id);
	else if (join && rc == UCCN_E_TOOBIG)
		rc = reason(t, rc, "project '%s' has %d partners, the most it can", id, UCCN_MAX_LIST);
	else if (!join && (rc = uccn_idlist_remove(&p.partners, city)))
		rc = reason(t, rc, "city '%s' is not a partner of project '%s'", city, id);
	if (!rc)
		rc = next_seq(t, seq);
	if (!rc) {
		p.seq = *seq;
		p.version = *version = p.version + 1;
		rc = put_record(t, DB_PROJECTS, "project", id, *seq, &p);
	}
out:
	uccn_project_clear(&p);
	return rc;
}

int uccn_store_project_member(struct uccn_txn *t, const char *id, const char *city,
			      bool join, uint64_t *seq, uint64_t *version)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, project_member_in(t, id, city, join, seq, version));
}

static int meeting_write_in(struct uccn_txn *t, const struct uccn_meeting *m, bool add,
			    uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	struct uccn_meeting old = {0}, rec = *m;
	char why[200];
	int rc;
	if (!m->id)
		return reason(t, UCCN_E_INVALID, "a meeting needs an id");
	if (uccn_meeting_check(m, why, sizeof why))
		return reason(t, UCCN_E_INVALID, "%s", why);
	if ((rc = cities_exist(t, "meeting", m->id, "host", &m->hosts)) ||
	    (m->field && (rc = field_exists(t, "meeting", m->id, m->field))))
		return rc;
	rc = uccn_store_meeting_get(t, m->id, &old);
	if (add && rc == 0)
		rc = reason(t, UCCN_E_EXISTS, "meeting '%s' exists already", m->id);
	else if (add && rc == UCCN_E_NOTFOUND)
		rc = 0;
	else if (!add && rc == UCCN_E_NOTFOUND)
		rc = reason(t, rc, "meeting '%s' does not exist", m->id);
	else if (!add && rc == 0)
		rc = version_is(t, "meeting", m->id, old.version, if_version);
	if (!rc) {
		if (!rec.status)
			rec.status = add ? "planned" : old.status;
		if (!rec.day_start)
			rec.day_start = UCCN_DEFAULT_DAY_START;
		if (!rec.day_end)
			rec.day_end = UCCN_DEFAULT_DAY_END;
		rc = next_seq(t, seq);
	}
	if (!rc) {
		rec.seq = *seq;
		rec.version = *version = add ? 1 : old.version + 1;
		rc = put_record(t, DB_MEETINGS, "meeting", m->id, *seq, &rec);
	}
	uccn_meeting_clear(&old);
	return rc;
}

int uccn_store_meeting_add(struct uccn_txn *t, const struct uccn_meeting *m, uint64_t *seq)
{
	uint64_t version;
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, meeting_write_in(t, m, true, 0, seq, &version));
}

int uccn_store_meeting_update(struct uccn_txn *t, const struct uccn_meeting *m,
			      uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, meeting_write_in(t, m, false, if_version, seq, version));
}

/* ---- audiences, mailboxes, the forward walk ---- */

/* The cities a post goes to, each once. */
struct recipients {
	char **v;
	size_t n, cap;
};

static void recipients_clear(struct recipients *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
	memset(r, 0, sizeof *r);
}

static int recipients_add(struct recipients *r, const char *id, size_t len)
{
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->v[i]) == len && memcmp(r->v[i], id, len) == 0)
			return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		char **grown = realloc(r->v, cap * sizeof *grown);
		if (!grown)
			return UCCN_E_NOMEM;
		r->v = grown;
		r->cap = cap;
	}
	if (!(r->v[r->n] = strndup(id, len)))
		return UCCN_E_NOMEM;
	r->n++;
	return 0;
}

/*
 * Every city, or every city of field (NULL: all), that has a key. A city
 * without one (imported, not yet on-line) cannot read a mailbox; filling
 * it with broadcasts would only end, at its quota, in refusing every later
 * broadcast. Named directly (city:ID, a project's partner) it still gets
 * its mail.
 */
static int add_cities(struct uccn_txn *t, const char *field, struct recipients *r)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_CITIES], &c), err = 0;
	if (rc)
		return map_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !err;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct uccn_city city = {0};
		if ((err = city_decode(&v, &city)))
			break;
		bool in = city.key[0] && (!field || (city.field && strcmp(city.field, field) == 0));
		uccn_city_clear(&city);
		if (in)
			err = recipients_add(r, k.mv_data, k.mv_size);
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == MDB_NOTFOUND ? 0 : map_rc(rc);
}

/* Resolve one audience spec into cities; the reason names what is missing. */
static int resolve_audience(struct uccn_txn *t, const char *spec, struct recipients *r)
{
	int rc;
	if (strcmp(spec, "all") == 0)
		return add_cities(t, NULL, r);
	if (strncmp(spec, "field:", 6) == 0) {
		if (uccn_store_field_get(t, spec + 6) != 0)
			return reason(t, UCCN_E_NOTFOUND, "audience %s: field '%s' does not exist",
				      spec, spec + 6);
		return add_cities(t, spec + 6, r);
	}
	if (strncmp(spec, "city:", 5) == 0) {
		MDB_val k = str_val(spec + 5), v;
		if (mdb_get(t->cur, t->s->dbi[DB_CITIES], &k, &v) != 0)
			return reason(t, UCCN_E_NOTFOUND, "audience %s: city '%s' does not exist",
				      spec, spec + 5);
		return recipients_add(r, spec + 5, strlen(spec + 5));
	}
	if (strncmp(spec, "project:", 8) == 0) {
		struct uccn_project p = {0};
		rc = uccn_store_project_get(t, spec + 8, &p);
		if (rc == UCCN_E_NOTFOUND)
			return reason(t, rc, "audience %s: project '%s' does not exist", spec, spec + 8);
		/* Its lead and partners at the time of posting. */
		if (!rc)
			rc = recipients_add(r, p.lead, strlen(p.lead));
		for (size_t i = 0; !rc && i < p.partners.n; i++)
			rc = recipients_add(r, p.partners.v[i], strlen(p.partners.v[i]));
		uccn_project_clear(&p);
		return rc;
	}
	return reason(t, UCCN_E_INVALID, "audience '%s' is not understood", spec);
}

static int mailbox_count(struct uccn_txn *t, const char *city, uint64_t *n)
{
	MDB_cursor *c;
	MDB_val k = str_val(city), v;
	size_t count = 0;
	*n = 0;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_MAILBOX], &c);
	if (rc)
		return map_rc(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	if (rc == 0)
		rc = mdb_cursor_count(c, &count);
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return map_rc(rc);
	*n = count;
	return 0;
}

/* Put post seq in city's mailbox, within its quota; a private post also
 * records that city may read it. */
static int mailbox_put(struct uccn_txn *t, const char *city, const unsigned char seq[8],
		       bool private)
{
	uint64_t n;
	int rc = mailbox_count(t, city, &n);
	if (rc)
		return rc;
	if (n >= t->s->mailbox_quota)
		return reason(t, UCCN_E_FULL,
			      "the mailbox of city '%s' is full (%llu unread): nothing was posted",
			      city, (unsigned long long)t->s->mailbox_quota);
	MDB_val k = str_val(city), v = val_of(seq, 8);
	rc = map_rc(mdb_put(t->cur, t->s->dbi[DB_MAILBOX], &k, &v, MDB_APPENDDUP));
	if (!rc && private) {
		MDB_val ak = val_of(seq, 8), av = str_val(city);
		rc = map_rc(mdb_put(t->cur, t->s->dbi[DB_ACCESS], &ak, &av, 0));
	}
	return rc;
}

/* Deliver post seq to its audience's mailboxes (not the author's), all or
 * nothing: a full mailbox refuses the whole post. */
static int deliver(struct uccn_txn *t, const struct uccn_post *p, const unsigned char seq[8])
{
	struct recipients r = {0};
	int rc = 0;
	for (size_t i = 0; i < p->to.n && !rc; i++)
		rc = resolve_audience(t, p->to.v[i], &r);
	bool private = p->kind && strcmp(p->kind, "message") == 0 &&
		       !uccn_idlist_has(&p->to, "all");
	for (size_t i = 0; i < r.n && !rc; i++)
		if (strcmp(r.v[i], p->city) != 0)
			rc = mailbox_put(t, r.v[i], seq, private);
	recipients_clear(&r);
	return rc;
}

int uccn_store_mailbox_count(struct uccn_txn *t, const char *city, uint64_t *n)
{
	return mailbox_count(t, city, n);
}

int uccn_store_mailbox_total(struct uccn_txn *t, uint64_t *n)
{
	MDB_stat st;
	int rc = mdb_stat(t->cur, t->s->dbi[DB_MAILBOX], &st);
	*n = rc ? 0 : st.ms_entries;
	return map_rc(rc);
}

int uccn_store_mailbox_each(struct uccn_txn *t, const char *city, uint32_t limit,
			    uccn_post_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val k = str_val(city), v;
	uint32_t taken = 0;
	int err = 0;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_MAILBOX], &c);
	if (rc)
		return map_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); rc == 0 && taken < limit;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		struct uccn_post p = {0};
		if ((err = uccn_store_post_get(t, seq_decode(&v), &p)))
			break;
		taken++;
		int stop = fn(&p, ctx);
		uccn_post_clear(&p);
		if (stop)
			break;
	}
	mdb_cursor_close(c);
	if (err)
		return err == UCCN_E_NOTFOUND ? UCCN_E_CORRUPT : err;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : map_rc(rc);
}

static int mailbox_ack_in(struct uccn_txn *t, const char *city, uint64_t upto,
			  uint64_t *acked, uint64_t *unread)
{
	MDB_cursor *c;
	MDB_val k = str_val(city), v;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_MAILBOX], &c);
	*acked = 0;
	if (rc)
		return map_rc(rc);
	/* The oldest first: delete while at or below upto. */
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	while (rc == 0 && seq_decode(&v) <= upto) {
		if ((rc = mdb_cursor_del(c, 0)))
			break;
		(*acked)++;
		k = str_val(city);
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return map_rc(rc);
	return mailbox_count(t, city, unread);
}

int uccn_store_mailbox_ack(struct uccn_txn *t, const char *city, uint64_t upto,
			   uint64_t *acked, uint64_t *unread)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, mailbox_ack_in(t, city, upto, acked, unread));
}

int uccn_store_post_after(struct uccn_txn *t, const struct uccn_query *q,
			  const char *viewer, uccn_post_fn fn, void *ctx, uint64_t *next)
{
	MDB_cursor *c;
	MDB_val k, v;
	unsigned char kb[8];
	uint32_t limit = q->limit ? q->limit : UCCN_WATCH_DEFAULT, taken = 0;
	int err = 0;
	*next = q->since;
	if (q->since == UINT64_MAX)
		return 0; /* nothing comes after it (and since + 1 would wrap to 0) */
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_POSTS], &c);
	if (rc)
		return map_rc(rc);
	seq_encode(q->since + 1, kb);
	k = val_of(kb, 8);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct uccn_post p = {0};
		if ((err = post_decode(&v, &p)))
			break;
		bool take = post_matches(&p, q) && post_visible(t, &p, viewer);
		int stop = 0;
		if (take) {
			stop = fn(&p, ctx);
			taken++;
		}
		*next = p.seq;
		uccn_post_clear(&p);
		if (stop || taken == limit)
			break;
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : map_rc(rc);
}

/* ---- published agendas ---- */

static size_t agenda_key(const char *meeting, uint64_t version, unsigned char *buf)
{
	size_t n = strlen(meeting);
	memcpy(buf, meeting, n);
	buf[n] = '\0';
	seq_encode(version, buf + n + 1);
	return n + 9;
}

/* The newest version of meeting's agenda, 0 when none was published. */
static int agenda_latest(struct uccn_txn *t, const char *meeting, uint64_t *version)
{
	unsigned char kb[UCCN_MAX_ID + 9];
	MDB_cursor *c;
	MDB_val k = val_of(kb, agenda_key(meeting, UINT64_MAX, kb)), v;
	size_t n = strlen(meeting);
	*version = 0;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_AGENDAS], &c);
	if (rc)
		return map_rc(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	rc = rc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == n + 9 && memcmp(k.mv_data, meeting, n) == 0 &&
	    ((unsigned char *)k.mv_data)[n] == '\0') {
		MDB_val vv = val_of((unsigned char *)k.mv_data + n + 1, 8);
		*version = seq_decode(&vv);
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : map_rc(rc);
}

int uccn_store_agenda_get(struct uccn_txn *t, const char *meeting, uint64_t version,
			  struct uccn_agenda_pub *out)
{
	unsigned char kb[UCCN_MAX_ID + 9];
	msgpack_unpacked u;
	size_t off = 0;
	int rc;
	if (!meeting[0] || strlen(meeting) > UCCN_MAX_ID)
		return UCCN_E_NOTFOUND;
	if (version == 0 && ((rc = agenda_latest(t, meeting, &version)) || version == 0))
		return rc ? rc : UCCN_E_NOTFOUND;
	MDB_val k = val_of(kb, agenda_key(meeting, version, kb)), v;
	if ((rc = mdb_get(t->cur, t->s->dbi[DB_AGENDAS], &k, &v)))
		return map_rc(rc);
	if (uccn_msgpack_scan(v.mv_data, v.mv_size, UCCN_MAX_DEPTH, UCCN_MAX_REPLY_OBJECTS, NULL, 0))
		return UCCN_E_CORRUPT;
	msgpack_unpacked_init(&u);
	rc = UCCN_E_CORRUPT;
	if (msgpack_unpack_next(&u, v.mv_data, v.mv_size, &off) == MSGPACK_UNPACK_SUCCESS &&
	    off == v.mv_size && uccn_agenda_pub_from_object(&u.data, out, NULL, 0) == 0)
		rc = 0;
	msgpack_unpacked_destroy(&u);
	return rc;
}

static int agenda_publish_in(struct uccn_txn *t, const struct uccn_agenda_pub *a,
			     const char *by, int64_t now_ms, uint64_t *version, uint64_t *seq)
{
	struct uccn_meeting m = {0};
	struct uccn_agenda_pub rec = *a;
	unsigned char kb[UCCN_MAX_ID + 9];
	msgpack_sbuffer b;
	msgpack_packer pk;
	int rc = uccn_store_meeting_get(t, a->meeting, &m);
	if (rc)
		return rc == UCCN_E_NOTFOUND ? reason(t, rc, "meeting '%s' does not exist", a->meeting) : rc;
	if ((rc = agenda_latest(t, a->meeting, version)))
		goto out;
	(*version)++;
	rec.version = *version;
	rec.published_ms = now_ms;
	rec.by = (char *)by;
	/* The record. */
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	rc = uccn_agenda_pub_pack(&pk, &rec);
	/* Never store what cannot be read back. */
	if (!rc) {
		char why[256];
		msgpack_unpacked u;
		size_t off = 0;
		struct uccn_agenda_pub back = {0};
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, b.data, b.size, &off) != MSGPACK_UNPACK_SUCCESS)
			rc = reason(t, UCCN_E_INVALID, "the agenda cannot be encoded");
		else if (uccn_agenda_pub_from_object(&u.data, &back, why, sizeof why))
			rc = reason(t, UCCN_E_INVALID, "the agenda is not valid: %s", why);
		uccn_agenda_pub_clear(&back);
		msgpack_unpacked_destroy(&u);
	}
	MDB_val k = val_of(kb, agenda_key(a->meeting, *version, kb));
	if (!rc)
		rc = put_packed(t, DB_AGENDAS, &k, &b, MDB_NOOVERWRITE);
	msgpack_sbuffer_destroy(&b);
	/* The meeting's status, as a versioned change. */
	if (!rc && (rc = next_seq(t, seq)) == 0) {
		free(m.status);
		m.status = strdup("agenda-published");
		m.seq = *seq;
		m.version++;
		rc = m.status ? put_record(t, DB_MEETINGS, "meeting", m.id, *seq, &m) : UCCN_E_NOMEM;
	}
	/* Tell the meeting's cities, through their mailboxes. */
	if (!rc) {
		char title[UCCN_MAX_TITLE + 1], body[512], to[UCCN_MAX_AUDIENCE_SPEC + 1];
		snprintf(title, sizeof title, "Agenda of %s: version %llu published", a->meeting,
			 (unsigned long long)*version);
		snprintf(body, sizeof body,
			 "Version %llu of the agenda of meeting %s is published (%zu entries). "
			 "See it with: uccn agenda %s",
			 (unsigned long long)*version, a->meeting, a->nentries, a->meeting);
		char *audience[UCCN_MAX_AUDIENCE];
		struct uccn_idlist tolist = {.v = audience, .n = 0};
		/* The field's cities with a key, and every host with a key: the
		 * audience names the field (or, without one, the first hosts);
		 * the hosts it leaves out are delivered to directly. A keyless
		 * city cannot read a mailbox, and would only fill up. */
		if (m.field) {
			snprintf(to, sizeof to, "field:%s", m.field);
			audience[tolist.n++] = to;
		}
		bool *direct = calloc(m.hosts.n ? m.hosts.n : 1, sizeof *direct);
		if (!direct)
			rc = UCCN_E_NOMEM;
		for (size_t i = 0; !rc && i < m.hosts.n; i++) {
			struct uccn_city h = {0};
			const char *id = m.hosts.v[i];
			if (strcmp(id, by) == 0 || uccn_store_city_get(t, id, &h) != 0)
				continue;
			bool keyed = h.key[0] != '\0';
			bool in_field = m.field && h.field && strcmp(h.field, m.field) == 0;
			uccn_city_clear(&h);
			if (!keyed || in_field)
				continue;
			if (!m.field && tolist.n < UCCN_MAX_AUDIENCE) {
				if (asprintf(&audience[tolist.n], "city:%s", id) < 0)
					rc = UCCN_E_NOMEM;
				else
					tolist.n++;
			} else {
				direct[i] = true;
			}
		}
		struct uccn_post note = {
			.city = (char *)by, .kind = "news", .meeting = a->meeting, .title = title,
			.body = body, .to = tolist,
		};
		uint64_t post_seq = 0;
		bool dup;
		if (!rc)
			rc = post_add_in(t, &note, now_ms, &post_seq, &dup);
		unsigned char sb[8];
		seq_encode(post_seq, sb);
		for (size_t i = 0; !rc && i < m.hosts.n; i++)
			if (direct[i])
				rc = mailbox_put(t, m.hosts.v[i], sb, false);
		free(direct);
		if (!m.field)
			for (size_t i = 0; i < tolist.n; i++)
				free(audience[i]);
	}
out:
	uccn_meeting_clear(&m);
	return rc;
}

int uccn_store_agenda_publish(struct uccn_txn *t, const struct uccn_agenda_pub *a,
			      const char *by, int64_t now_ms, uint64_t *version, uint64_t *seq)
{
	int rc = op_begin(t);
	if (rc)
		return rc;
	return op_end(t, agenda_publish_in(t, a, by, now_ms, version, seq));
}
