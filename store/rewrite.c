/*
 * rewrite.c - bringing a store of an older data format to the current one
 * when it is opened, in the transaction that opens it: a stop midway, or
 * a refusal, leaves the store as it was. Format 1 found the posts of a
 * city, kind, project or meeting through four dupsort indexes, which cost
 * a B-tree leaf per city per commit; format 2 links them in chains
 * (chains.c); format 3 seals every value with its checksum (seal.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

/* A buffer that grows to what it must hold. */
struct buf {
	unsigned char *p;
	size_t cap;
};

static int buf_fit(struct buf *b, size_t n)
{
	if (n <= b->cap)
		return 0;
	unsigned char *np = realloc(b->p, n);
	if (!np)
		return store_fail(ENOMEM, "rewrite the store");
	b->p = np;
	b->cap = n;
	return 0;
}

/* Give every post its links, oldest first, sealed, and drop the indexes.
 * Our code, the reason in the last error. */
static int posts_from_1(struct uccn_store *s, MDB_txn *txn)
{
	static const char *const old[] = {"by_city", "by_kind", "by_project", "by_meeting"};
	struct uccn_txn t = {.s = s, .root = txn, .cur = txn, .write = true};
	struct buf b = {0};
	unsigned char kb[8];
	uint64_t seq = 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, s->dbi[DB_POSTS], &c);
	if (rc)
		return store_fail(rc, "rewrite the posts");
	for (;;) {
		MDB_val k = val_of(kb, 8), v;
		seq_encode(seq + 1, kb);
		if ((rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE))) {
			rc = rc == MDB_NOTFOUND ? 0 : store_fail(rc, "rewrite the posts");
			break;
		}
		seq = seq_decode(&k);
		/* v points into a page the writes below may change: keep a
		 * copy of our own. */
		if ((rc = buf_fit(&b, v.mv_size)))
			break;
		memcpy(b.p, v.mv_data, v.mv_size);
		MDB_val rec = val_of(b.p, v.mv_size);
		struct uccn_post p = {0};
		unsigned char links[LINKS_SIZE];
		if (store_decode(&rec, &p, REC_POST) || p.seq != seq) {
			store_error("post %llu of the format 1 data does not decode",
				    (unsigned long long)seq);
			uccn_post_clear(&p);
			rc = UCCN_E_CORRUPT;
			break;
		}
		rc = store_chains_add(&t, &p, seq, links);
		uccn_post_clear(&p);
		if (rc) {
			store_error("post %llu: %.200s", (unsigned long long)seq,
				    t.reason[0] ? t.reason : uccn_strerror(rc));
			break;
		}
		seq_encode(seq, kb);
		k = val_of(kb, 8);
		v = val_of(NULL, LINKS_SIZE + rec.mv_size + SEAL_SIZE);
		if ((rc = mdb_put(txn, s->dbi[DB_POSTS], &k, &v, MDB_RESERVE))) {
			rc = store_fail(rc, "rewrite the posts");
			break;
		}
		memcpy(v.mv_data, links, LINKS_SIZE);
		memcpy((unsigned char *)v.mv_data + LINKS_SIZE, b.p, rec.mv_size);
		store_seal_finish(&k, v.mv_data, LINKS_SIZE + rec.mv_size);
	}
	mdb_cursor_close(c);
	free(b.p);
	for (size_t i = 0; i < sizeof old / sizeof old[0] && !rc; i++) {
		MDB_dbi dbi;
		rc = mdb_dbi_open(txn, old[i], MDB_DUPSORT | MDB_DUPFIXED, &dbi);
		if (rc == 0)
			rc = mdb_drop(txn, dbi, 1);
		if (rc == MDB_NOTFOUND)
			rc = 0;
		else if (rc)
			rc = store_fail(rc, old[i]);
	}
	return rc;
}

/* Whether v, the unsealed value of key k in db, is what db holds: the
 * records decode (a post under its own number), the numbers are 8 bytes.
 * Sealing a damaged value would vouch for it. */
static bool value_sound(enum dbi_slot db, const MDB_val *k, const MDB_val *v)
{
	union {
		struct uccn_city city;
		struct uccn_post post;
		struct uccn_project project;
		struct uccn_meeting meeting;
	} rec;
	memset(&rec, 0, sizeof rec);
	bool ok = true;
	switch (db) {
	case DB_CITIES: case DB_IMPORTED:
		ok = store_decode(v, &rec.city, REC_CITY) == 0;
		uccn_city_clear(&rec.city);
		break;
	case DB_POSTS:
		ok = store_post_decode(v, &rec.post) == 0 && k->mv_size == 8 &&
		     rec.post.seq == seq_decode(k);
		uccn_post_clear(&rec.post);
		break;
	case DB_PROJECTS:
		ok = store_decode(v, &rec.project, REC_PROJECT) == 0;
		uccn_project_clear(&rec.project);
		break;
	case DB_MEETINGS:
		ok = store_decode(v, &rec.meeting, REC_MEETING) == 0;
		uccn_meeting_clear(&rec.meeting);
		break;
	case DB_HEADS:
		ok = v->mv_size == 16;
		break;
	case DB_IDEM: case DB_FIELDS: case DB_SENDERS: case DB_MARKS: case DB_MAILBOX:
		ok = v->mv_size == 8;
		break;
	default:
		break;
	}
	return ok;
}

static int unsound(enum dbi_slot db, const MDB_val *k)
{
	char name[360];
	store_record_name(db, k, name, sizeof name);
	store_error("%s of the format 2 data is damaged; restore from a backup", name);
	return UCCN_E_CORRUPT;
}

/* Seal every value of the plain table db in place. */
static int seal_plain(struct uccn_store *s, MDB_txn *txn, enum dbi_slot db, bool check)
{
	struct buf b = {0};
	unsigned char kb[512];
	MDB_cursor *c;
	MDB_val k, v;
	int err = 0; /* ours; rc is LMDB's */
	int rc = mdb_cursor_open(txn, s->dbi[db], &c);
	if (rc)
		return store_fail(rc, "rewrite the store");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size > sizeof kb) {
			err = store_fail(MDB_CORRUPTED, "rewrite the store");
			break;
		}
		if (check && !value_sound(db, &k, &v)) {
			err = unsound(db, &k);
			break;
		}
		/* Copies: the put changes the page k and v point into. */
		if ((err = buf_fit(&b, v.mv_size + SEAL_SIZE)))
			break;
		memcpy(kb, k.mv_data, k.mv_size);
		memcpy(b.p, v.mv_data, v.mv_size);
		MDB_val key = val_of(kb, k.mv_size), sealed = val_of(b.p, v.mv_size + SEAL_SIZE);
		store_seal_finish(&key, b.p, v.mv_size);
		if ((rc = mdb_put(txn, s->dbi[db], &key, &sealed, 0)) ||
		    (rc = mdb_cursor_get(c, &key, &v, MDB_SET)))
			break;
	}
	mdb_cursor_close(c);
	free(b.p);
	if (err)
		return err;
	return rc == MDB_NOTFOUND ? 0 : store_fail(rc, "rewrite the store");
}

/* Seal every entry of the dupsort table db, a key at a time: its entries
 * are read, deleted and put back sealed (a DUPFIXED entry changes size,
 * which no put in place allows). */
static int seal_dups(struct uccn_store *s, MDB_txn *txn, enum dbi_slot db, bool check)
{
	struct buf b = {0};
	unsigned char kb[512], one[SEAL_SMALL];
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, s->dbi[db], &c);
	if (rc)
		return store_fail(rc, "rewrite the store");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;) {
		size_t used = 0;
		if (k.mv_size > sizeof kb) {
			rc = MDB_CORRUPTED;
			break;
		}
		memcpy(kb, k.mv_data, k.mv_size);
		MDB_val key = val_of(kb, k.mv_size);
		/* Each entry as a length byte and its bytes. */
		do {
			if (v.mv_size > SEAL_SMALL - SEAL_SIZE || (check && !value_sound(db, &key, &v))) {
				rc = unsound(db, &key);
				goto out;
			}
			if ((rc = buf_fit(&b, used + 1 + v.mv_size)))
				goto out;
			b.p[used] = (unsigned char)v.mv_size;
			memcpy(b.p + used + 1, v.mv_data, v.mv_size);
			used += 1 + v.mv_size;
		} while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) == 0);
		if (rc != MDB_NOTFOUND || (rc = mdb_del(txn, s->dbi[db], &key, NULL)))
			break;
		for (size_t at = 0; at < used && !rc; at += 1 + b.p[at]) {
			MDB_val sealed = store_seal_into(&key, b.p + at + 1, b.p[at], one);
			rc = mdb_put(txn, s->dbi[db], &key, &sealed, 0);
		}
		k = key;
		if (!rc)
			rc = mdb_cursor_get(c, &k, &v, MDB_SET);
		if (!rc)
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP);
	}
	if (rc != MDB_NOTFOUND)
		rc = store_fail(rc, "rewrite the store");
out:
	mdb_cursor_close(c);
	free(b.p);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Seal every table but DB_META and those in skip (a bit per slot). */
static int seal_tables(struct uccn_store *s, MDB_txn *txn, unsigned skip)
{
	int rc = 0;
	for (int db = DB_META + 1; db < DB_COUNT && !rc; db++) {
		if (skip & (1u << db))
			continue;
		bool dups = store_table_flags((enum dbi_slot)db) & MDB_DUPSORT;
		rc = dups ? seal_dups(s, txn, (enum dbi_slot)db, true)
			  : seal_plain(s, txn, (enum dbi_slot)db, true);
	}
	return rc;
}

int store_migrate_from_1(struct uccn_store *s, MDB_txn *txn)
{
	int rc = posts_from_1(s, txn);
	/* The posts, their heads and marks were written sealed just now. */
	return rc ? rc : seal_tables(s, txn, 1u << DB_POSTS | 1u << DB_HEADS | 1u << DB_MARKS);
}

int store_migrate_from_2(struct uccn_store *s, MDB_txn *txn)
{
	return seal_tables(s, txn, 0);
}
