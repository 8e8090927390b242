/*
 * mailboxes.c - who a post reaches and what waits for them: resolving an
 * audience into cities, each city's mailbox of unread posts (delivery
 * within a quota, reading, acknowledging), and the forward walk that
 * watchers follow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

/* The cities a post goes to, each once. */
struct recipients {
	char **v;
	bool *direct; /* named by city:ID, not reached by all, field or project */
	size_t n, cap;
};

static void recipients_clear(struct recipients *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
	free(r->direct);
	memset(r, 0, sizeof *r);
}

static int recipients_add(struct recipients *r, const char *id, size_t len, bool direct)
{
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->v[i]) == len && memcmp(r->v[i], id, len) == 0) {
			r->direct[i] = r->direct[i] || direct;
			return 0;
		}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		char **grown = realloc(r->v, cap * sizeof *grown);
		if (!grown)
			return UCCN_E_NOMEM;
		r->v = grown;
		bool *dgrown = realloc(r->direct, cap * sizeof *dgrown);
		if (!dgrown)
			return UCCN_E_NOMEM;
		r->direct = dgrown;
		r->cap = cap;
	}
	if (!(r->v[r->n] = strndup(id, len)))
		return UCCN_E_NOMEM;
	r->direct[r->n] = direct;
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
		return store_map_rc(rc);
	for (rc = store_cursor_get(t, DB_CITIES, c, &k, &v, MDB_FIRST); rc == 0 && !err;
	     rc = store_cursor_get(t, DB_CITIES, c, &k, &v, MDB_NEXT)) {
		struct uccn_city city = {0};
		if ((err = store_city_decode(&v, &city)))
			break;
		bool in = city.key[0] && (!field || (city.field && strcmp(city.field, field) == 0));
		uccn_city_clear(&city);
		if (in)
			err = recipients_add(r, k.mv_data, k.mv_size, false);
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == UCCN_E_NOTFOUND ? 0 : rc;
}

/* Resolve one audience spec into cities; the reason names what is missing. */
static int resolve_audience(struct uccn_txn *t, const char *spec, struct recipients *r)
{
	int rc;
	if (strcmp(spec, "all") == 0)
		return add_cities(t, NULL, r);
	if (strncmp(spec, "field:", 6) == 0) {
		if (uccn_store_field_get(t, spec + 6) != 0)
			return store_reason(t, UCCN_E_NOTFOUND,
					    "audience %s: field '%s' does not exist", spec, spec + 6);
		return add_cities(t, spec + 6, r);
	}
	if (strncmp(spec, "city:", 5) == 0) {
		MDB_val k = str_val(spec + 5), v;
		if (mdb_get(t->cur, t->s->dbi[DB_CITIES], &k, &v) != 0)
			return store_reason(t, UCCN_E_NOTFOUND,
					    "audience %s: city '%s' does not exist", spec, spec + 5);
		return recipients_add(r, spec + 5, strlen(spec + 5), true);
	}
	if (strncmp(spec, "project:", 8) == 0) {
		struct uccn_project p = {0};
		rc = uccn_store_project_get(t, spec + 8, &p);
		if (rc == UCCN_E_NOTFOUND)
			return store_reason(t, rc, "audience %s: project '%s' does not exist",
					    spec, spec + 8);
		/* Its lead and partners at the time of posting. */
		if (!rc)
			rc = recipients_add(r, p.lead, strlen(p.lead), false);
		for (size_t i = 0; !rc && i < p.partners.n; i++)
			rc = recipients_add(r, p.partners.v[i], strlen(p.partners.v[i]), false);
		uccn_project_clear(&p);
		return rc;
	}
	return store_reason(t, UCCN_E_INVALID, "audience '%s' is not understood", spec);
}

static int mailbox_count(struct uccn_txn *t, const char *city, uint64_t *n)
{
	MDB_cursor *c;
	MDB_val k = str_val(city), v;
	size_t count = 0;
	*n = 0;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_MAILBOX], &c);
	if (rc)
		return store_map_rc(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	if (rc == 0)
		rc = mdb_cursor_count(c, &count);
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return store_map_rc(rc);
	*n = count;
	return 0;
}

/*
 * Fairness: DB_SENDERS counts, per (recipient, sender), the unread posts
 * the sender has in the recipient's mailbox, so that the post path reads
 * one counter instead of walking a mailbox of up to the quota's posts for
 * every recipient of a broadcast. Kept in step on delivery and on ack.
 */
static int sender_key(const char *city, const char *sender, char *buf, size_t cap, MDB_val *k)
{
	size_t a = strlen(city), b = strlen(sender);
	if (a + 1 + b > cap)
		return UCCN_E_INVALID;
	memcpy(buf, city, a);
	buf[a] = '\0';
	memcpy(buf + a + 1, sender, b);
	*k = val_of(buf, a + 1 + b);
	return 0;
}

static int sender_count(struct uccn_txn *t, const char *city, const char *sender, uint64_t *n)
{
	char kb[2 * UCCN_MAX_ID + 2];
	MDB_val k, v;
	int rc = sender_key(city, sender, kb, sizeof kb, &k);
	*n = 0;
	if (rc)
		return rc;
	rc = store_get(t, DB_SENDERS, &k, &v);
	if (rc == UCCN_E_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	*n = v.mv_size == 8 ? seq_decode(&v) : 0;
	return 0;
}

/* Add delta (+1 or -1) to sender's count in city's mailbox; at 0 the
 * counter goes, so that an empty mailbox leaves nothing behind. */
static int sender_adjust(struct uccn_txn *t, const char *city, const char *sender, int delta)
{
	char kb[2 * UCCN_MAX_ID + 2];
	unsigned char nb[8];
	MDB_val k, v;
	uint64_t n;
	int rc = sender_count(t, city, sender, &n);
	if (rc || sender_key(city, sender, kb, sizeof kb, &k))
		return rc;
	if (delta < 0 && n <= 1) {
		rc = mdb_del(t->cur, t->s->dbi[DB_SENDERS], &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : store_map_rc(rc);
	}
	seq_encode(delta < 0 ? n - 1 : n + 1, nb);
	v = val_of(nb, 8);
	return store_put(t, DB_SENDERS, &k, &v, 0);
}

uint64_t store_mailbox_share(const struct uccn_store *s)
{
	uint64_t q = s->mailbox_quota, share = s->mailbox_share;
	if (!share) {
		share = q / 8;
		if (share < 16)
			share = q < 16 ? q : 16;
	}
	return share < q ? share : q;
}

/* How a post reaches a mailbox: named directly (city:ID; a share or a
 * full mailbox refuses the post), by a broadcast (all, field, project:
 * such a mailbox is skipped instead), or as uccnd's notice (only the
 * whole quota applies). */
enum reach { REACH_DIRECT, REACH_BROADCAST, REACH_NOTICE };

/* Put post seq, by sender, in city's mailbox, within its quota and the
 * sender's share of it; with reader, record city as one of the post's
 * readers. flags: MDB_APPENDDUP when seq is the newest post (as it is when
 * the post is being added), else 0. A broadcast over the limits sets
 * *skipped and puts nothing. */
static int mailbox_put(struct uccn_txn *t, const char *city, const char *sender,
		       const unsigned char seq[8], bool reader, unsigned flags,
		       enum reach how, bool *skipped)
{
	uint64_t n, mine = 0, share = store_mailbox_share(t->s);
	int rc = mailbox_count(t, city, &n);
	*skipped = false;
	if (!rc && how != REACH_NOTICE)
		rc = sender_count(t, city, sender, &mine);
	if (rc)
		return rc;
	bool whole = n >= t->s->mailbox_quota, over = how != REACH_NOTICE && mine >= share;
	if ((whole || over) && how == REACH_BROADCAST) {
		*skipped = true;
		return 0;
	}
	if (whole)
		return store_reason(t, UCCN_E_FULL,
				    "the mailbox of city '%s' is full (%llu unread): nothing was posted",
				    city, (unsigned long long)t->s->mailbox_quota);
	if (over)
		return store_reason(t, UCCN_E_FULL,
				    "the mailbox of city '%s' holds %llu unread posts from '%s', "
				    "its sender's share: nothing was posted",
				    city, (unsigned long long)mine, sender);
	MDB_val k = str_val(city), v = val_of(seq, 8);
	rc = store_put(t, DB_MAILBOX, &k, &v, flags);
	if (!rc && sender[0])
		rc = sender_adjust(t, city, sender, +1);
	if (!rc && reader) {
		MDB_val ak = val_of(seq, 8), av = str_val(city);
		rc = store_put(t, DB_ACCESS, &ak, &av, 0);
	}
	return rc;
}

/* Deliver post seq to its audience's mailboxes (not the author's), all or
 * nothing for the cities it names: a full mailbox, or the author's share
 * of it used up, refuses the whole post. A broadcast skips such mailboxes
 * instead, so that one sender's flood costs its own share, not everyone's. */
int store_deliver(struct uccn_txn *t, const struct uccn_post *p, const unsigned char seq[8],
		  bool readers)
{
	struct recipients r = {0};
	int rc = 0;
	bool skipped;
	for (size_t i = 0; i < p->to.n && !rc; i++)
		rc = resolve_audience(t, p->to.v[i], &r);
	for (size_t i = 0; i < r.n && !rc; i++)
		if (strcmp(r.v[i], p->city) != 0)
			rc = mailbox_put(t, r.v[i], p->city, seq, readers, MDB_APPENDDUP,
					 r.direct[i] ? REACH_DIRECT : REACH_BROADCAST, &skipped);
	recipients_clear(&r);
	return rc;
}

/* The author of post seq, into out (cap bytes); "" when it cannot be read,
 * as for an entry whose post is gone: it then counts against nobody. */
/* The author of post seq into out: 0, or the store's code when the post
 * cannot be read (a mailbox entry naming no post is corrupt), so that a
 * sender's count is never left behind without a word. */
static int post_author(struct uccn_txn *t, uint64_t seq, char *out, size_t cap)
{
	MDB_val v;
	struct uccn_post p = {0};
	out[0] = '\0';
	int rc = store_post_val(t, seq, &v);
	if (rc == UCCN_E_NOTFOUND)
		rc = store_reason(t, UCCN_E_CORRUPT, "a mailbox names post %llu, which is not "
				  "there", (unsigned long long)seq);
	if (!rc && !(rc = store_post_decode(&v, &p)) && p.city)
		snprintf(out, cap, "%s", p.city);
	uccn_post_clear(&p);
	return rc;
}

int store_mailbox_senders_rebuild(struct uccn_store *s, MDB_txn *txn)
{
	struct uccn_txn t = {.s = s, .root = txn, .cur = txn, .write = true};
	MDB_stat st;
	MDB_cursor *c;
	MDB_val k, v;
	char city[UCCN_MAX_ID + 1], sender[UCCN_MAX_ID + 1];
	int rc = mdb_stat(txn, s->dbi[DB_SENDERS], &st);
	if (rc || st.ms_entries)
		return store_map_rc(rc);
	if ((rc = mdb_cursor_open(txn, s->dbi[DB_MAILBOX], &c)))
		return store_map_rc(rc);
	int err = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !err;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		/* Counting is best effort: a damaged entry is reported when
		 * its mailbox is read, not here, where it would stop the open. */
		if (k.mv_size > UCCN_MAX_ID || store_unseal(NULL, DB_MAILBOX, &k, &v))
			continue;
		memcpy(city, k.mv_data, k.mv_size);
		city[k.mv_size] = '\0';
		if (!(err = post_author(&t, seq_decode(&v), sender, sizeof sender)) && sender[0])
			err = sender_adjust(&t, city, sender, +1);
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == MDB_NOTFOUND ? 0 : store_map_rc(rc);
}

/* A post to a city outside its audience (uccnd's notice of an agenda to a
 * host of another field, say): the same mailbox, the same quota. */
static int mailbox_deliver_in(struct uccn_txn *t, const char *city, uint64_t seq)
{
	unsigned char sb[8];
	MDB_cursor *c;
	MDB_val k = str_val(city), v;
	int rc = store_post_val(t, seq, &v);
	if (rc)
		return rc == UCCN_E_NOTFOUND ?
		       store_reason(t, rc, "there is no post %llu", (unsigned long long)seq) : rc;
	rc = uccn_id_valid(city) ? mdb_get(t->cur, t->s->dbi[DB_CITIES], &k, &v) : MDB_NOTFOUND;
	if (rc)
		return rc == MDB_NOTFOUND ?
		       store_reason(t, UCCN_E_NOTFOUND, "city '%.80s' does not exist", city) :
		       store_map_rc(rc);
	/* Already there: nothing to do (and no quota to meet). */
	unsigned char vb[SEAL_SMALL];
	seq_encode(seq, sb);
	k = str_val(city);
	v = store_seal_into(&k, sb, 8, vb);
	if ((rc = mdb_cursor_open(t->cur, t->s->dbi[DB_MAILBOX], &c)))
		return store_map_rc(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH);
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return store_map_rc(rc);
	/* seq may be older than what the mailbox holds: a sorted put. */
	char sender[UCCN_MAX_ID + 1];
	bool skipped;
	if ((rc = post_author(t, seq, sender, sizeof sender)))
		return rc;
	return mailbox_put(t, city, sender, sb, false, 0, REACH_NOTICE, &skipped);
}

int uccn_store_mailbox_deliver(struct uccn_txn *t, const char *city, uint64_t seq)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, mailbox_deliver_in(t, city, seq));
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
	return store_map_rc(rc);
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
		return store_map_rc(rc);
	for (rc = store_cursor_get(t, DB_MAILBOX, c, &k, &v, MDB_SET_KEY); rc == 0 && taken < limit;
	     rc = store_cursor_get(t, DB_MAILBOX, c, &k, &v, MDB_NEXT_DUP)) {
		struct uccn_post p = {0};
		uint64_t seq = seq_decode(&v);
		if ((err = uccn_store_post_get(t, seq, &p)) == UCCN_E_NOTFOUND || seq == 0)
			err = store_reason(t, UCCN_E_CORRUPT,
					   "the mailbox of city '%s' holds post %llu, which is not "
					   "there; restore from a backup", city, (unsigned long long)seq);
		if (err) {
			uccn_post_clear(&p);
			break;
		}
		taken++;
		int stop = fn(&p, ctx);
		uccn_post_clear(&p);
		if (stop)
			break;
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == 0 || rc == UCCN_E_NOTFOUND ? 0 : rc;
}

static int mailbox_ack_in(struct uccn_txn *t, const char *city, uint64_t upto,
			  uint64_t *acked, uint64_t *unread)
{
	MDB_cursor *c;
	MDB_val k = str_val(city), v;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_MAILBOX], &c);
	*acked = 0;
	if (rc)
		return store_map_rc(rc);
	/* The oldest first: delete while at or below upto. */
	rc = store_cursor_get(t, DB_MAILBOX, c, &k, &v, MDB_SET_KEY);
	while (rc == 0 && seq_decode(&v) <= upto) {
		char sender[UCCN_MAX_ID + 1];
		if ((rc = post_author(t, seq_decode(&v), sender, sizeof sender)) ||
		    (rc = store_map_rc(mdb_cursor_del(c, 0))))
			break;
		(*acked)++;
		/* Reading frees the sender's share as well as the mailbox. */
		if (sender[0] && (rc = sender_adjust(t, city, sender, -1)))
			break;
		k = str_val(city);
		rc = store_cursor_get(t, DB_MAILBOX, c, &k, &v, MDB_SET_KEY);
	}
	mdb_cursor_close(c);
	if (rc && rc != UCCN_E_NOTFOUND)
		return rc;
	return mailbox_count(t, city, unread);
}

int uccn_store_mailbox_ack(struct uccn_txn *t, const char *city, uint64_t upto,
			   uint64_t *acked, uint64_t *unread)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, mailbox_ack_in(t, city, upto, acked, unread));
}

int uccn_store_post_after(struct uccn_txn *t, const struct uccn_query *q,
			  const struct uccn_post_filter *filter, uccn_post_fn fn, void *ctx,
			  uint64_t *next)
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
		return store_map_rc(rc);
	seq_encode(q->since + 1, kb);
	k = val_of(kb, 8);
	for (rc = store_cursor_get(t, DB_POSTS, c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = store_cursor_get(t, DB_POSTS, c, &k, &v, MDB_NEXT)) {
		struct uccn_post p = {0};
		if ((err = store_post_decode(&v, &p)))
			break;
		bool take = store_post_matches(&p, q) && store_post_kept(t, &p, filter);
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
	return rc == 0 || rc == UCCN_E_NOTFOUND ? 0 : rc;
}
