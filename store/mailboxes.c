/*
 * mailboxes.c - who a post reaches and what waits for them: resolving an
 * audience into cities, each city's mailbox of unread posts (delivery
 * within a quota, reading, acknowledging), and the forward walk that
 * watchers follow.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

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
		return store_map_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !err;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct uccn_city city = {0};
		if ((err = store_city_decode(&v, &city)))
			break;
		bool in = city.key[0] && (!field || (city.field && strcmp(city.field, field) == 0));
		uccn_city_clear(&city);
		if (in)
			err = recipients_add(r, k.mv_data, k.mv_size);
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == MDB_NOTFOUND ? 0 : store_map_rc(rc);
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
		return recipients_add(r, spec + 5, strlen(spec + 5));
	}
	if (strncmp(spec, "project:", 8) == 0) {
		struct uccn_project p = {0};
		rc = uccn_store_project_get(t, spec + 8, &p);
		if (rc == UCCN_E_NOTFOUND)
			return store_reason(t, rc, "audience %s: project '%s' does not exist",
					    spec, spec + 8);
		/* Its lead and partners at the time of posting. */
		if (!rc)
			rc = recipients_add(r, p.lead, strlen(p.lead));
		for (size_t i = 0; !rc && i < p.partners.n; i++)
			rc = recipients_add(r, p.partners.v[i], strlen(p.partners.v[i]));
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

/* Put post seq in city's mailbox, within its quota; with reader, record
 * city as one of the post's readers. flags: MDB_APPENDDUP when seq is the
 * newest post (as it is when the post is being added), else 0. */
static int mailbox_put(struct uccn_txn *t, const char *city, const unsigned char seq[8],
		       bool reader, unsigned flags)
{
	uint64_t n;
	int rc = mailbox_count(t, city, &n);
	if (rc)
		return rc;
	if (n >= t->s->mailbox_quota)
		return store_reason(t, UCCN_E_FULL,
				    "the mailbox of city '%s' is full (%llu unread): nothing was posted",
				    city, (unsigned long long)t->s->mailbox_quota);
	MDB_val k = str_val(city), v = val_of(seq, 8);
	rc = store_map_rc(mdb_put(t->cur, t->s->dbi[DB_MAILBOX], &k, &v, flags));
	if (!rc && reader) {
		MDB_val ak = val_of(seq, 8), av = str_val(city);
		rc = store_map_rc(mdb_put(t->cur, t->s->dbi[DB_ACCESS], &ak, &av, 0));
	}
	return rc;
}

/* Deliver post seq to its audience's mailboxes (not the author's), all or
 * nothing: a full mailbox refuses the whole post. */
int store_deliver(struct uccn_txn *t, const struct uccn_post *p, const unsigned char seq[8],
		  bool readers)
{
	struct recipients r = {0};
	int rc = 0;
	for (size_t i = 0; i < p->to.n && !rc; i++)
		rc = resolve_audience(t, p->to.v[i], &r);
	for (size_t i = 0; i < r.n && !rc; i++)
		if (strcmp(r.v[i], p->city) != 0)
			rc = mailbox_put(t, r.v[i], seq, readers, MDB_APPENDDUP);
	recipients_clear(&r);
	return rc;
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
	seq_encode(seq, sb);
	k = str_val(city);
	v = val_of(sb, 8);
	if ((rc = mdb_cursor_open(t->cur, t->s->dbi[DB_MAILBOX], &c)))
		return store_map_rc(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_GET_BOTH);
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return store_map_rc(rc);
	/* seq may be older than what the mailbox holds: a sorted put. */
	return mailbox_put(t, city, sb, false, 0);
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
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_map_rc(rc);
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
		return store_map_rc(rc);
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
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
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
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_map_rc(rc);
}
