/*
 * posts.c - the posts: reading one, listing them newest first through
 * their chains (through the caller's filter), adding one (idempotently,
 * when the client gives a key), its recorded readers, the store's figures.
 */
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

/* ---- reading posts ---- */

int uccn_store_post_get(struct uccn_txn *t, uint64_t seq, struct uccn_post *out)
{
	MDB_val v;
	int rc = store_post_val(t, seq, &v);
	return rc ? rc : store_post_decode(&v, out);
}

bool store_post_matches(const struct uccn_post *p, const struct uccn_query *q)
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

bool uccn_store_post_has_reader(struct uccn_txn *t, uint64_t seq, const char *city)
{
	unsigned char kb[8];
	unsigned char vb[SEAL_SMALL];
	size_t n = strlen(city);
	if (n == 0 || n > UCCN_MAX_ID)
		return false;
	seq_encode(seq, kb);
	/* An entry is found by its sealed bytes: a damaged one is not
	 * found, and a reader is never assumed. */
	MDB_val k = val_of(kb, 8), v = store_seal_into(&k, city, n, vb);
	MDB_cursor *c;
	if (mdb_cursor_open(t->cur, t->s->dbi[DB_ACCESS], &c))
		return false;
	bool ok = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH) == 0;
	mdb_cursor_close(c);
	return ok;
}

int uccn_store_post_list(struct uccn_txn *t, const struct uccn_query *q,
			 uccn_post_fn fn, void *ctx, uint64_t *next)
{
	return uccn_store_post_list_as(t, q, NULL, fn, ctx, next);
}

int uccn_store_post_list_as(struct uccn_txn *t, const struct uccn_query *q,
			    const struct uccn_post_filter *filter, uccn_post_fn fn, void *ctx,
			    uint64_t *next)
{
	/* The first chain the query names is walked; the rest filter. */
	struct { const char *id; enum chain ch; } by[] = {
		{q->project, CH_PROJECT}, {q->meeting, CH_MEETING},
		{q->city, CH_CITY}, {q->kind, CH_KIND},
	};
	uint32_t limit = q->limit ? q->limit : UCCN_LIST_DEFAULT;
	struct store_walk w = {.before = q->before};
	char kb[CHAIN_KEY_MAX];
	bool chain = false;
	uint32_t taken = 0;
	uint64_t seq = 0;
	int rc;
	*next = 0;
	for (size_t i = 0; i < sizeof by / sizeof by[0] && !chain; i++)
		if (by[i].id) {
			if (!store_chain_key(by[i].ch, by[i].id, kb, &w.key))
				return 0; /* no id that long exists: nothing matches */
			w.ch = by[i].ch;
			chain = true;
		}
	if (!chain && (rc = mdb_cursor_open(t->cur, t->s->dbi[DB_POSTS], &w.c)))
		return store_map_rc(rc);
	while ((rc = store_walk_step(t, &w, &seq)) == 0 && seq > q->since) {
		struct uccn_post p = {0};
		MDB_val v;
		/* One read gives the post and, in a chain, the next step. */
		if ((rc = store_post_val(t, seq, &v)) ||
		    (!w.c && (rc = store_post_link(&v, seq, w.ch, &w.next))) ||
		    (rc = store_post_decode(&v, &p))) {
			/* A chain's post missing: the files are damaged. */
			if (rc == UCCN_E_NOTFOUND)
				rc = UCCN_E_CORRUPT;
			uccn_post_clear(&p);
			break;
		}
		bool match = store_post_matches(&p, q) && store_post_kept(t, &p, filter);
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

int uccn_store_stats(struct uccn_txn *t, struct uccn_store_stats *out)
{
	MDB_stat st;
	MDB_envinfo info;
	memset(out, 0, sizeof *out);
	if (mdb_stat(t->cur, t->s->dbi[DB_CITIES], &st) == 0)
		out->cities = st.ms_entries;
	if (mdb_stat(t->cur, t->s->dbi[DB_POSTS], &st) == 0)
		out->posts = st.ms_entries;
	int rc = store_last_seq(t, &out->last_seq);
	mdb_env_info(t->s->env, &info);
	mdb_env_stat(t->s->env, &st);
	out->map_bytes = info.me_mapsize;
	out->used_bytes = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
	return rc;
}

/* ---- adding posts ---- */

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
	int rc = store_chains_add(t, p, p->seq, links);
	if (rc)
		return rc;
	MDB_val v = val_of(NULL, LINKS_SIZE + b->size + SEAL_SIZE);
	if ((rc = store_map_rc(mdb_put(t->cur, t->s->dbi[DB_POSTS], k, &v,
				       MDB_APPEND | MDB_RESERVE))))
		return rc;
	memcpy(v.mv_data, links, LINKS_SIZE);
	memcpy((unsigned char *)v.mv_data + LINKS_SIZE, b->data, b->size);
	store_seal_finish(k, v.mv_data, LINKS_SIZE + b->size);
	return 0;
}

static int post_add_in(struct uccn_txn *t, const struct uccn_post *p, unsigned flags,
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
	if (flags & ~UCCN_STORE_POST_READERS_ONLY)
		return store_reason(t, UCCN_E_INVALID, "unknown post flags %#x", flags);
	if (!p->city || !uccn_id_valid(p->city))
		return store_reason(t, UCCN_E_INVALID, "a post needs its author's city id");
	if ((rc = uccn_post_check(p, why, sizeof why)))
		return store_reason(t, rc, "%s", why);
	MDB_val ck = str_val(p->city);
	if ((rc = store_map_rc(mdb_get(t->cur, t->s->dbi[DB_CITIES], &ck, &v))))
		return rc == UCCN_E_NOTFOUND ?
		       store_reason(t, rc, "city '%s' is not registered", p->city) : rc;
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
			return store_reason(t, UCCN_E_NOTFOUND, "%s '%s' does not exist",
					    refs[i].what, refs[i].id);
		if (rc)
			return store_map_rc(rc);
	}
	if (p->idem_key) {
		ik = val_of(ib, idem_key(p->city, p->idem_key, ib));
		rc = store_get(t, DB_IDEM, &ik, &v);
		if (rc == 0) {
			*duplicate = true;
			*seq = seq_decode(&v);
			return 0;
		}
		if (rc != UCCN_E_NOTFOUND)
			return rc;
	}
	if ((rc = store_next_seq(t, seq)))
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
		rc = store_deliver(t, p, sb, flags & UCCN_STORE_POST_READERS_ONLY);
	if (!rc && p->idem_key) {
		MDB_val sv = val_of(sb, 8);
		rc = store_put(t, DB_IDEM, &ik, &sv, MDB_NOOVERWRITE);
	}
	return rc;
}

int uccn_store_post_add(struct uccn_txn *t, const struct uccn_post *p, unsigned flags,
			int64_t now_ms, uint64_t *seq, bool *duplicate)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, post_add_in(t, p, flags, now_ms, seq, duplicate));
}
