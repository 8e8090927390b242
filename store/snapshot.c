/*
 * snapshot.c - a store opened for reading alone, in one read transaction:
 * what uccnd --check and --dump read, beside a daemon or without one.
 */
#include "store_int.h"
#include "uccn_error.h"

int store_snapshot_open(struct uccn_store *s, struct uccn_txn *t, const char *dir)
{
	MDB_txn *txn;
	MDB_val k = str_val("format"), v;
	int rc = mdb_env_create(&s->env);
	if (rc) {
		s->env = NULL;
		return store_fail(rc, "mdb_env_create");
	}
	mdb_env_set_maxdbs(s->env, DB_COUNT + 8);
	/* MDB_RDONLY: nothing is written to data.mdb; a reader's slot in
	 * lock.mdb is all LMDB takes, as any reader does. */
	if ((rc = mdb_env_open(s->env, dir, MDB_RDONLY, 0600)))
		return store_fail(rc, dir);
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)))
		return store_fail(rc, "begin a read transaction");
	*t = (struct uccn_txn){.s = s, .root = txn, .cur = txn};
	for (int i = 0; i < DB_COUNT; i++)
		if ((rc = mdb_dbi_open(txn, store_table_name((enum dbi_slot)i),
				       store_table_flags((enum dbi_slot)i), &s->dbi[i]))) {
			store_error("%s: table %s: %s: not a uccn store, or not yet opened by uccnd",
				    dir, store_table_name((enum dbi_slot)i), mdb_strerror(rc));
			return store_map_rc(rc);
		}
	rc = mdb_get(txn, s->dbi[DB_META], &k, &v);
	if (rc || seq_decode(&v) != STORE_FORMAT) {
		store_error("%s: data format %llu is not %d: start uccnd on it once to rewrite it",
			    dir, rc ? 0ull : (unsigned long long)seq_decode(&v), STORE_FORMAT);
		return UCCN_E_VERSION;
	}
	return 0;
}

void store_snapshot_close(struct uccn_store *s, struct uccn_txn *t)
{
	if (t->root)
		mdb_txn_abort(t->root);
	t->root = t->cur = NULL;
	if (s->env)
		mdb_env_close(s->env);
	s->env = NULL;
}
