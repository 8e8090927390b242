/*
 * rewrite.c - bringing a store of data format 1 to the current one when
 * it is opened. Format 1 found the posts of a city, kind, project or
 * meeting through four dupsort indexes, which cost a B-tree leaf per city
 * per commit; the current format links them in chains (chains.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

/* Give every post its links, oldest first, and drop the indexes; all in
 * the transaction that opens the store, so a stop midway leaves format 1
 * as it was. Our code, the reason in the last error. */
int store_migrate_from_1(struct uccn_store *s, MDB_txn *txn)
{
	static const char *const old[] = {"by_city", "by_kind", "by_project", "by_meeting"};
	struct uccn_txn t = {.s = s, .root = txn, .cur = txn, .write = true};
	unsigned char *buf = NULL, kb[8];
	size_t cap = 0;
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
		if (cap < v.mv_size) {
			unsigned char *nb = realloc(buf, v.mv_size);
			if (!nb) {
				rc = store_fail(ENOMEM, "rewrite the posts");
				break;
			}
			buf = nb;
			cap = v.mv_size;
		}
		memcpy(buf, v.mv_data, v.mv_size);
		MDB_val rec = val_of(buf, v.mv_size);
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
		v = val_of(NULL, LINKS_SIZE + rec.mv_size);
		if ((rc = mdb_put(txn, s->dbi[DB_POSTS], &k, &v, MDB_RESERVE))) {
			rc = store_fail(rc, "rewrite the posts");
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
			rc = store_fail(rc, old[i]);
	}
	return rc;
}
