/*
 * stats.c - the store's figures an operator reads in `uccn status`
 * (SPEC 4.1): the mailboxes' depths and oldest unread post, and the
 * database file. Cheap enough to be polled.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

/*
 * One step per mailbox that holds anything: each key of DB_MAILBOX is a
 * city with unread posts, its duplicates the posts' numbers in ascending
 * order (big-endian), so a key's first duplicate is its oldest post and
 * LMDB counts the duplicates without reading them.
 */
int uccn_store_mailbox_stats(struct uccn_txn *t, struct uccn_store_mailbox_stats *out)
{
	MDB_cursor *c;
	MDB_val k, v;
	memset(out, 0, sizeof *out);
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_MAILBOX], &c);
	if (rc)
		return store_map_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_NODUP)) {
		size_t n = 0;
		if ((rc = mdb_cursor_count(c, &n)))
			break;
		out->total += n;
		if (n > out->deepest && k.mv_size < sizeof out->deepest_city) {
			out->deepest = n;
			memcpy(out->deepest_city, k.mv_data, k.mv_size);
			out->deepest_city[k.mv_size] = '\0';
		}
		/* The entry is sealed (store_int.h): a damaged one is corrupt,
		 * not a post number. */
		if ((rc = store_unseal(t, DB_MAILBOX, &k, &v))) {
			mdb_cursor_close(c);
			return rc;
		}
		uint64_t seq = seq_decode(&v);
		if (seq && (!out->oldest_seq || seq < out->oldest_seq))
			out->oldest_seq = seq;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return store_map_rc(rc);
	if (!out->oldest_seq)
		return 0;
	struct uccn_post p = {0};
	rc = uccn_store_post_get(t, out->oldest_seq, &p);
	out->oldest_created_ms = p.created_ms;
	uccn_post_clear(&p);
	/* A mailbox names only posts that exist. */
	return rc == UCCN_E_NOTFOUND ? UCCN_E_CORRUPT : rc;
}

int uccn_store_file_stats(struct uccn_store *s, const char **dir, uint64_t *file_bytes)
{
	mdb_filehandle_t fd;
	struct stat st;
	*dir = NULL;
	*file_bytes = 0;
	int rc = mdb_env_get_path(s->env, dir);
	if (rc || (rc = mdb_env_get_fd(s->env, &fd)))
		return store_map_rc(rc);
	if (fstat(fd, &st) != 0)
		return UCCN_E_IO;
	*file_bytes = (uint64_t)st.st_size;
	return 0;
}
