/*
 * chains.c - how the posts of one city, kind, project or meeting are found:
 * each such set is a chain of posts linked newest first, and a walk runs
 * backwards over a chain or over all posts.
 *
 * A stored post begins with LINKS_SIZE bytes: for each chain it is in, the
 * seq of the previous post of that chain (0: none), 8 bytes big-endian, in
 * enum chain order; its msgpack record follows, then its seal (seal.c). DB_HEADS holds each
 * chain's newest post and length under its key (a tag byte, then the id),
 * and DB_MARKS every MARK_EVERY-th post of it, so a walk from any `before`
 * starts at most MARK_EVERY steps from its place.
 *
 * A post thus dirties one small head per chain, not a B-tree leaf per city
 * as an index by city does: a commit of posts from 64 cities writes a few
 * pages of heads, not 64 leaves.
 */
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

const char *store_chain_id(const struct uccn_post *p, enum chain ch)
{
	switch (ch) {
	case CH_CITY: return p->city;
	case CH_KIND: return p->kind;
	case CH_PROJECT: return p->project;
	case CH_MEETING: return p->meeting;
	default: return NULL;
	}
}

bool store_chain_key(enum chain ch, const char *id, char buf[CHAIN_KEY_MAX], MDB_val *k)
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
	int rc = store_get(t, DB_HEADS, k, &v);
	*h = (struct head){0};
	if (rc == UCCN_E_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (v.mv_size != 16)
		return store_corrupt(t, DB_HEADS, k);
	h->newest = be64(v.mv_data);
	h->length = be64((const unsigned char *)v.mv_data + 8);
	return 0;
}

int store_chains_add(struct uccn_txn *t, const struct uccn_post *p, uint64_t seq,
		     unsigned char *links)
{
	memset(links, 0, LINKS_SIZE);
	for (int ch = 0; ch < CH_COUNT; ch++) {
		const char *id = store_chain_id(p, (enum chain)ch);
		char kb[CHAIN_KEY_MAX];
		unsigned char hb[16];
		MDB_val k, v;
		struct head h;
		int rc;
		if (!id)
			continue;
		if (!store_chain_key((enum chain)ch, id, kb, &k))
			return store_reason(t, UCCN_E_INVALID, "'%.80s' is too long for an id", id);
		if ((rc = head_get(t, &k, &h)))
			return rc;
		seq_encode(h.newest, links + 8 * ch);
		seq_encode(seq, hb);
		seq_encode(h.length + 1, hb + 8);
		v = val_of(hb, 16);
		if ((rc = store_put(t, DB_HEADS, &k, &v, 0)))
			return rc;
		if ((h.length + 1) % MARK_EVERY == 0) {
			v = val_of(hb, 8);
			if ((rc = store_put(t, DB_MARKS, &k, &v, MDB_APPENDDUP)))
				return rc;
		}
	}
	return 0;
}

int store_post_decode(const MDB_val *v, struct uccn_post *out)
{
	if (v->mv_size <= LINKS_SIZE)
		return UCCN_E_CORRUPT;
	MDB_val rec = val_of((const unsigned char *)v->mv_data + LINKS_SIZE,
			     v->mv_size - LINKS_SIZE);
	return store_decode(&rec, out, REC_POST);
}

int store_post_val(struct uccn_txn *t, uint64_t seq, MDB_val *v)
{
	unsigned char kb[8];
	seq_encode(seq, kb);
	MDB_val k = val_of(kb, 8);
	return store_get(t, DB_POSTS, &k, v);
}

int store_post_link(const MDB_val *v, uint64_t seq, enum chain ch, uint64_t *prev)
{
	if (v->mv_size <= LINKS_SIZE)
		return UCCN_E_CORRUPT;
	*prev = be64((const unsigned char *)v->mv_data + 8 * ch);
	return *prev >= seq ? UCCN_E_CORRUPT : 0; /* links only go back: no loop */
}

static int chain_prev(struct uccn_txn *t, uint64_t seq, enum chain ch, uint64_t *prev)
{
	MDB_val v;
	int rc = store_post_val(t, seq, &v);
	if (rc == UCCN_E_NOTFOUND)
		return UCCN_E_CORRUPT; /* a chain leads to a post that is not there */
	return rc ? rc : store_post_link(&v, seq, ch, prev);
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
			return store_map_rc(rc);
		/* An 8-byte seq finds the first 12-byte sealed mark at or
		 * past it: the dups compare as bytes, the shorter first. */
		rc = store_cursor_get(t, DB_MARKS, c, &mk, &mv, MDB_GET_BOTH_RANGE);
		mdb_cursor_close(c);
		if (rc == 0 && mv.mv_size != 8)
			rc = store_corrupt(t, DB_MARKS, k);
		if (rc == 0)
			at = seq_decode(&mv);
		if (rc && rc != UCCN_E_NOTFOUND)
			return rc;
		while (at >= before)
			if ((rc = chain_prev(t, at, ch, &at)))
				return rc;
	}
	*seq = at;
	return 0;
}

int store_walk_step(struct uccn_txn *t, struct store_walk *w, uint64_t *seq)
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
		return store_map_rc(rc);
	*seq = seq_decode(&k);
	return 0;
}
