/*
 * txn.c - transactions: reading, writing a batch durably (growing the map
 * and running it again when full), the child transaction each operation
 * runs in and the groups that make several one unit, and what every write
 * shares: the sequence, the change log and the packing of records.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

static int txn_begin(struct uccn_store *s, bool write, struct uccn_txn **out)
{
	if (!s->env) { /* lost: it could not be opened again (uccn_store_usable) */
		store_error("the database is closed: it could not be opened again");
		return UCCN_E_IO;
	}
	struct uccn_txn *t = calloc(1, sizeof *t);
	if (!t)
		return UCCN_E_NOMEM;
	int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &t->root);
	if (rc) {
		free(t);
		return store_fail(rc, "begin");
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
 * nothing behind while the batch's others stand. Inside a group it is the
 * group's child, so the group can still drop it. */
int store_op_begin(struct uccn_txn *t)
{
	if (!t->write)
		return UCCN_E_INVALID;
	if (t->map_full)
		return UCCN_E_MAPFULL;
	MDB_txn *child;
	t->reason[0] = '\0';
	t->reason_index = 0;
	int rc = mdb_txn_begin(t->s->env, t->group ? t->group : t->root, 0, &child);
	if (rc)
		return store_map_rc(rc);
	t->cur = child;
	return 0;
}

/* Commit child on rc 0, else abort it; back to parent either way. */
static int child_end(struct uccn_txn *t, MDB_txn *child, MDB_txn *parent, int rc)
{
	t->cur = parent;
	if (rc == 0) {
		int crc = mdb_txn_commit(child);
		if (crc)
			rc = store_map_rc(crc);
	} else {
		mdb_txn_abort(child);
	}
	if (rc == UCCN_E_MAPFULL)
		t->map_full = true;
	return rc;
}

int store_op_end(struct uccn_txn *t, int rc)
{
	return child_end(t, t->cur, t->group ? t->group : t->root, rc);
}

/* A group is one more level of child transaction between the batch and
 * its operations: LMDB nests them, and aborting the group's drops what
 * the operations in it committed into it. */
int uccn_store_txn_group_begin(struct uccn_txn *t)
{
	if (!t->write || t->group)
		return UCCN_E_INVALID;
	if (t->map_full)
		return UCCN_E_MAPFULL;
	t->reason[0] = '\0';
	t->reason_index = 0;
	int rc = mdb_txn_begin(t->s->env, t->root, 0, &t->group);
	if (rc) {
		t->group = NULL;
		return store_map_rc(rc);
	}
	t->cur = t->group;
	return 0;
}

int uccn_store_txn_group_end(struct uccn_txn *t, int rc)
{
	MDB_txn *group = t->group;
	if (!group)
		return rc ? rc : UCCN_E_INVALID;
	t->group = NULL;
	return child_end(t, group, t->root, rc);
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
	else if (t->group && rc == 0)
		rc = UCCN_E_INTERNAL; /* a group left open: its end decides, not us */
	if (rc == 0) {
		int crc = mdb_txn_commit(t->root);
		t->root = NULL;
		rc = crc ? store_fail(crc, "commit") : 0;
	}
	uccn_store_txn_end(&t);
	return rc;
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

int store_reason(struct uccn_txn *t, int rc, const char *fmt, ...)
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

/* ---- the sequence and the change log ---- */

/* The newest key of db as a sequence number, 0 when it is empty. */
static int last_key(struct uccn_txn *t, enum dbi_slot db, uint64_t *seq)
{
	MDB_cursor *c;
	MDB_val k, v;
	*seq = 0;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[db], &c);
	if (rc)
		return store_map_rc(rc);
	rc = store_cursor_get(t, db, c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc == UCCN_E_NOTFOUND)
		return 0;
	/* The newest number is only trusted when its record is whole: a
	 * flipped key would number the next change from a wrong place. */
	if (rc)
		return rc;
	*seq = seq_decode(&k);
	return 0;
}

/* The sequence is gapless across the change log (records) and the posts
 * (a post's key is its number; the log does not repeat it). */
int store_last_seq(struct uccn_txn *t, uint64_t *seq)
{
	uint64_t a, b;
	int rc = last_key(t, DB_LOG, &a);
	if (!rc)
		rc = last_key(t, DB_POSTS, &b);
	*seq = rc ? 0 : a > b ? a : b;
	return rc;
}

int store_next_seq(struct uccn_txn *t, uint64_t *seq)
{
	int rc = store_last_seq(t, seq);
	if (!rc)
		(*seq)++;
	return rc;
}

int store_log_append(struct uccn_txn *t, uint64_t seq, const char *type, const char *id)
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
		rc = store_put_packed(t, DB_LOG, &k, &b, MDB_APPEND);
	}
	msgpack_sbuffer_destroy(&b);
	return rc;
}

/* ---- record values ---- */

int store_put_packed(struct uccn_txn *t, enum dbi_slot db, MDB_val *k,
		     const msgpack_sbuffer *b, unsigned flags)
{
	MDB_val v = val_of(b->data, b->size);
	return store_put(t, db, k, &v, flags);
}

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

int store_decode(const MDB_val *v, void *out, enum record_type type)
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
