/*
 * check.c - uccnd --check: read a whole store in one read-only snapshot
 * and report every record that disagrees with another (a chain link to the
 * wrong post, a mailbox entry naming no post, a gap in the sequence), each
 * with its table and key. Writes nothing and takes no lock of the daemon's:
 * LMDB lets a reader beside the writer.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store_int.h"
#include "uccn_error.h"

/* Per sequence number: what holds it and which chains reached it. */
#define HAS_POST 0x100u
#define HAS_LOG 0x200u
#define IN_CHAIN(ch) (1u << (ch))          /* the post says it is in chain ch */
#define REACHED(ch) (1u << (4 + (ch)))     /* chain ch's walk reached it */

/* A (mailbox, sender) pair and the unread posts it counts. */
struct pair {
	char key[2 * UCCN_MAX_ID + 2];
	size_t len;
	uint64_t n;
};

struct check {
	struct uccn_store s;
	struct uccn_txn t;
	uccn_check_fn found;
	uccn_check_progress_fn progress;
	void *ctx;
	struct uccn_check_totals *tot;
	uint64_t last_seq;
	uint16_t *seqs;     /* last_seq + 1 entries */
	struct pair *pairs; /* counted from the mailboxes */
	size_t npairs, cap;
	int err;            /* a failure that stops the check (NOMEM, IO) */
};

static const char *const chain_word[CH_COUNT] = {"city", "kind", "project", "meeting"};

/* Numbers of the sequence the walk may find missing before the newest one
 * is taken for a damaged key: a slot each, 2 MiB in all. */
#define CHECK_MAX_GAP (1u << 20)

static void report(struct check *c, const char *table, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void report(struct check *c, const char *table, const char *key, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	c->tot->problems++;
	if (c->found)
		c->found(table, key, what, c->ctx);
}

static void counted(struct check *c)
{
	if (++c->tot->records % 4096 == 0 && c->progress)
		c->progress(c->tot->records, c->ctx);
}

static void seq_text(uint64_t seq, char out[24])
{
	snprintf(out, 24, "%llu", (unsigned long long)seq);
}

/* Post seq decoded into *p (cleared by the caller), its stored value in
 * *v: 0, UCCN_E_NOTFOUND, UCCN_E_CORRUPT. */
static int post_read(struct check *c, uint64_t seq, MDB_val *v, struct uccn_post *p)
{
	int rc = store_post_val(&c->t, seq, v);
	if (!rc && store_post_decode(v, p))
		rc = UCCN_E_CORRUPT;
	return rc;
}

static bool post_exists(struct check *c, uint64_t seq)
{
	return seq && seq <= c->last_seq && (c->seqs[seq] & HAS_POST);
}

static bool city_exists(struct check *c, const MDB_val *id)
{
	MDB_val k = *id, v;
	return mdb_get(c->t.cur, c->s.dbi[DB_CITIES], &k, &v) == 0;
}

/* ---- one table at a time ---- */

typedef void (*entry_fn)(struct check *c, const MDB_val *k, const MDB_val *v,
			 const char *key);

static void each_entry(struct check *c, enum dbi_slot db, const char *table, entry_fn fn)
{
	MDB_cursor *cur;
	MDB_val k, v;
	char key[300];
	int rc = mdb_cursor_open(c->t.cur, c->s.dbi[db], &cur);
	if (rc) {
		c->err = store_fail(rc, table);
		return;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && !c->err;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		counted(c);
		store_key_text(&k, key, sizeof key);
		if ((db == DB_POSTS || db == DB_LOG || db == DB_ACCESS) && k.mv_size == 8)
			seq_text(be64(k.mv_data), key);
		if (store_unseal(NULL, db, &k, &v)) {
			report(c, table, key, "fails its checksum");
			continue;
		}
		if (fn)
			fn(c, &k, &v, key);
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND && !c->err)
		c->err = store_fail(rc, table);
}

static bool id_is(const MDB_val *k, const char *id)
{
	return id && strlen(id) == k->mv_size && memcmp(id, k->mv_data, k->mv_size) == 0;
}

static void city_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	struct uccn_city city = {0};
	if (store_city_decode(v, &city))
		report(c, "cities", key, "does not decode as a city");
	else if (!id_is(k, city.id))
		report(c, "cities", key, "holds city '%s'", city.id ? city.id : "");
	else if (city.key[0]) {
		MDB_val kk = str_val(city.key), iv;
		int rc = store_get(&c->t, DB_CITY_KEYS, &kk, &iv);
		if (rc == UCCN_E_NOTFOUND)
			report(c, "cities", key, "its key %.12s... is not in city_keys", city.key);
		else if (rc == 0 && !(iv.mv_size == k->mv_size &&
				      memcmp(iv.mv_data, k->mv_data, k->mv_size) == 0))
			report(c, "cities", key, "its key %.12s... names another city in city_keys",
			       city.key);
	}
	uccn_city_clear(&city);
}

static void city_key_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	struct uccn_city city = {0};
	MDB_val id = *v, cv;
	char idt[300];
	store_key_text(v, idt, sizeof idt);
	int rc = store_get(&c->t, DB_CITIES, &id, &cv);
	if (rc == UCCN_E_NOTFOUND)
		report(c, "city_keys", key, "names city '%s', which does not exist", idt);
	else if (rc == 0 && store_city_decode(&cv, &city) == 0 &&
		 !(strlen(city.key) == k->mv_size && memcmp(city.key, k->mv_data, k->mv_size) == 0))
		report(c, "city_keys", key, "names city '%s', whose key is another", idt);
	uccn_city_clear(&city);
}

static void post_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	struct uccn_post p = {0};
	uint64_t seq = seq_decode(k);
	if (!seq || seq > c->last_seq) {
		report(c, "posts", key, "is not a sequence number");
		return;
	}
	c->seqs[seq] |= HAS_POST;
	if (store_post_decode(v, &p)) {
		report(c, "posts", key, "does not decode as a post");
		return;
	}
	if (p.seq != seq)
		report(c, "posts", key, "holds post %llu", (unsigned long long)p.seq);
	for (int ch = 0; ch < CH_COUNT; ch++)
		if (store_chain_id(&p, (enum chain)ch))
			c->seqs[seq] |= IN_CHAIN(ch);
	uccn_post_clear(&p);
}

static void log_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	uint64_t seq = seq_decode(k);
	if (!seq || seq > c->last_seq) {
		report(c, "log", key, "is not a sequence number");
		return;
	}
	c->seqs[seq] |= HAS_LOG;
	/* {"t": type, "id": id}: a map it is. */
	const unsigned char *b = v->mv_data;
	if (v->mv_size == 0 || !((b[0] & 0xf0) == 0x80 || b[0] == 0xde || b[0] == 0xdf) ||
	    uccn_msgpack_scan(v->mv_data, v->mv_size, UCCN_MAX_DEPTH, UCCN_MAX_REQUEST_OBJECTS,
			      NULL, 0))
		report(c, "log", key, "does not decode as a change");
}

static void idem_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	const char *kb = k->mv_data, *nul = memchr(kb, 0, k->mv_size);
	uint64_t seq = seq_decode(v);
	struct uccn_post p = {0};
	MDB_val pv;
	if (!nul || v->mv_size != 8) {
		report(c, "idem", key, "is not a city id and a client key with a post's number");
		return;
	}
	size_t cl = (size_t)(nul - kb);
	if (!post_exists(c, seq)) {
		report(c, "idem", key, "names post %llu, which does not exist",
		       (unsigned long long)seq);
		return;
	}
	if (post_read(c, seq, &pv, &p) == 0 &&
	    (!p.city || strlen(p.city) != cl || memcmp(p.city, kb, cl) ||
	     !p.idem_key || strlen(p.idem_key) != k->mv_size - cl - 1 ||
	     memcmp(p.idem_key, nul + 1, k->mv_size - cl - 1)))
		report(c, "idem", key, "names post %llu, which is another city's or key's",
		       (unsigned long long)seq);
	uccn_post_clear(&p);
}

/* ---- chains ---- */

static void chain_walk(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	char name[300], id[UCCN_MAX_ID + 1];
	enum chain ch;
	const char *tags = "ckpm", *tag = k->mv_size > 1 ? memchr(tags, *(const char *)k->mv_data, 4) : NULL;
	if (!tag || k->mv_size - 1 > UCCN_MAX_ID || v->mv_size != 16) {
		report(c, "heads", key, "is not a chain's head");
		return;
	}
	ch = (enum chain)(tag - tags);
	memcpy(id, (const char *)k->mv_data + 1, k->mv_size - 1);
	id[k->mv_size - 1] = '\0';
	snprintf(name, sizeof name, "%s:%s", chain_word[ch], id);
	uint64_t at = be64(v->mv_data), length = be64((const unsigned char *)v->mv_data + 8);
	uint64_t reached = 0, from = 0, *marks = NULL;
	size_t nmarks = 0;
	while (at && reached <= length) {
		struct uccn_post p = {0};
		MDB_val pv;
		char whence[64];
		if (from)
			snprintf(whence, sizeof whence, "post %llu links to", (unsigned long long)from);
		else
			snprintf(whence, sizeof whence, "its head names");
		if (!post_exists(c, at)) {
			report(c, "chain", name, "%s post %llu, which does not exist", whence,
			       (unsigned long long)at);
			break;
		}
		int rc = post_read(c, at, &pv, &p);
		const char *pid = rc ? NULL : store_chain_id(&p, ch);
		bool ours = pid && strcmp(pid, id) == 0;
		if (rc == 0 && !ours)
			report(c, "chain", name, "%s post %llu, which is not in this chain (%s %s)",
			       whence, (unsigned long long)at, chain_word[ch], pid ? pid : "none");
		uccn_post_clear(&p);
		if (!ours)
			break;
		c->seqs[at] |= REACHED(ch);
		reached++;
		if (reached <= length && (length - reached + 1) % MARK_EVERY == 0) {
			uint64_t *m = realloc(marks, (nmarks + 1) * sizeof *m);
			if (!m) {
				c->err = UCCN_E_NOMEM;
				break;
			}
			marks = m;
			marks[nmarks++] = at;
		}
		from = at;
		if (store_post_link(&pv, at, ch, &at)) {
			report(c, "chain", name, "post %llu links to post %llu, which is not older",
			       (unsigned long long)from, (unsigned long long)at);
			break;
		}
	}
	if (reached != length)
		report(c, "chain", name, "its head counts %llu posts, %s%llu reached from it",
		       (unsigned long long)length, reached > length ? "more than " : "",
		       (unsigned long long)(reached > length ? length : reached));
	else {
		/* The marks, oldest first, are the reached ones read backwards. */
		MDB_cursor *cur;
		MDB_val mk = *k, mv;
		size_t i = nmarks;
		bool same = true;
		if (mdb_cursor_open(c->t.cur, c->s.dbi[DB_MARKS], &cur) == 0) {
			int rc = mdb_cursor_get(cur, &mk, &mv, MDB_SET_KEY);
			for (; rc == 0; rc = mdb_cursor_get(cur, &mk, &mv, MDB_NEXT_DUP)) {
				if (store_unseal(NULL, DB_MARKS, &mk, &mv) || mv.mv_size != 8)
					continue; /* reported with the marks table */
				if (i == 0 || seq_decode(&mv) != marks[i - 1])
					same = false;
				if (i)
					i--;
			}
			mdb_cursor_close(cur);
		}
		if (!same || i)
			report(c, "marks", name, "do not mark every %dth post of the chain",
			       MARK_EVERY);
	}
	free(marks);
}

static void mark_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	MDB_val hk = *k, hv;
	if (v->mv_size != 8)
		report(c, "marks", key, "an entry is not a post's number");
	else if (mdb_get(c->t.cur, c->s.dbi[DB_HEADS], &hk, &hv) != 0)
		report(c, "marks", key, "marks a chain that has no head");
}

/* ---- mailboxes ---- */

/* LMDB's default order: bytes, then the shorter first. */
static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int d = memcmp(x->key, y->key, n);
	return d ? d : (x->len > y->len) - (x->len < y->len);
}

static int pair_count(struct check *c, const MDB_val *city, const char *sender)
{
	struct pair q = {.n = 1};
	size_t sl = strlen(sender);
	if (city->mv_size + 1 + sl > sizeof q.key)
		return 0;
	memcpy(q.key, city->mv_data, city->mv_size);
	q.key[city->mv_size] = '\0';
	memcpy(q.key + city->mv_size + 1, sender, sl);
	q.len = city->mv_size + 1 + sl;
	/* Mailboxes come city by city: the pair is among the last few. */
	for (size_t i = c->npairs; i-- > 0;) {
		if (c->pairs[i].len < city->mv_size ||
		    memcmp(c->pairs[i].key, city->mv_data, city->mv_size) ||
		    c->pairs[i].key[city->mv_size] != '\0')
			break;
		if (pair_cmp(&c->pairs[i], &q) == 0) {
			c->pairs[i].n++;
			return 0;
		}
	}
	if (c->npairs == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct pair *g = realloc(c->pairs, cap * sizeof *g);
		if (!g)
			return UCCN_E_NOMEM;
		c->pairs = g;
		c->cap = cap;
	}
	c->pairs[c->npairs++] = q;
	return 0;
}

static void mailbox_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	struct uccn_post p = {0};
	MDB_val pv;
	uint64_t seq = seq_decode(v);
	if (v->mv_size != 8) {
		report(c, "mailbox", key, "an entry is not a post's number");
		return;
	}
	if (!city_exists(c, k))
		report(c, "mailbox", key, "entry %llu is in the mailbox of no city",
		       (unsigned long long)seq);
	if (!post_exists(c, seq)) {
		report(c, "mailbox", key, "entry %llu names no post", (unsigned long long)seq);
		return;
	}
	if (post_read(c, seq, &pv, &p) == 0 && p.city && (c->err = pair_count(c, k, p.city)))
		report(c, "mailbox", key, "out of memory");
	uccn_post_clear(&p);
}

static void senders_check(struct check *c)
{
	MDB_cursor *cur;
	MDB_val k, v;
	char key[300];
	size_t i = 0;
	if (c->npairs)
		qsort(c->pairs, c->npairs, sizeof *c->pairs, pair_cmp);
	if (mdb_cursor_open(c->t.cur, c->s.dbi[DB_SENDERS], &cur))
		return;
	int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	while (rc == 0 || i < c->npairs) {
		struct pair have = {0};
		int d = -1;
		if (rc == 0 && k.mv_size <= sizeof have.key) {
			memcpy(have.key, k.mv_data, k.mv_size);
			have.len = k.mv_size;
			d = i < c->npairs ? pair_cmp(&have, &c->pairs[i]) : -1;
		} else if (rc == 0) {
			d = -1;
		} else {
			d = 1;
		}
		if (d <= 0) {
			counted(c);
			store_key_text(&k, key, sizeof key);
			MDB_val sv = v;
			bool sealed = store_unseal(NULL, DB_SENDERS, &k, &sv) == 0;
			uint64_t n = sealed && sv.mv_size == 8 ? seq_decode(&sv) : 0;
			uint64_t want = d == 0 ? c->pairs[i].n : 0;
			if (!sealed)
				report(c, "mailbox_senders", key, "fails its checksum");
			else if (n != want)
				report(c, "mailbox_senders", key,
				       "counts %llu unread posts, the mailbox holds %llu",
				       (unsigned long long)n, (unsigned long long)want);
			if (d == 0)
				i++;
			rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
		} else {
			MDB_val pk = val_of(c->pairs[i].key, c->pairs[i].len);
			store_key_text(&pk, key, sizeof key);
			report(c, "mailbox_senders", key,
			       "has no count; the mailbox holds %llu unread posts from that sender",
			       (unsigned long long)c->pairs[i].n);
			i++;
		}
	}
	mdb_cursor_close(cur);
}

static void access_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	char city[300];
	store_key_text(v, city, sizeof city);
	if (!post_exists(c, seq_decode(k)))
		report(c, "access", key, "lists the readers of no post");
	else if (!city_exists(c, v))
		report(c, "access", key, "names reader '%s', which is no city", city);
}

static void record_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key,
			 enum record_type type, const char *table)
{
	struct uccn_project p = {0};
	struct uccn_meeting m = {0};
	const char *id = NULL;
	int rc = store_decode(v, type == REC_PROJECT ? (void *)&p : (void *)&m, type);
	if (!rc)
		id = type == REC_PROJECT ? p.id : m.id;
	if (rc)
		report(c, table, key, "does not decode");
	else if (!id_is(k, id))
		report(c, table, key, "holds '%s'", id ? id : "");
	uccn_project_clear(&p);
	uccn_meeting_clear(&m);
}

static void project_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	record_entry(c, k, v, key, REC_PROJECT, "projects");
}

static void meeting_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	record_entry(c, k, v, key, REC_MEETING, "meetings");
}

static void imported_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	struct uccn_city city = {0};
	(void)k;
	if (store_city_decode(v, &city))
		report(c, "imported", key, "does not decode as a city");
	uccn_city_clear(&city);
}

static void number_entry(struct check *c, const MDB_val *k, const MDB_val *v, const char *key)
{
	(void)k;
	if (v->mv_size != 8)
		report(c, "fields", key, "is not followed by a number");
}

/* ---- the sequence and the chains' members ---- */

static void sequence_check(struct check *c)
{
	char key[24];
	uint64_t gap = 0;
	for (uint64_t s = 1; s <= c->last_seq + 1; s++) {
		unsigned m = s <= c->last_seq ? c->seqs[s] : HAS_POST;
		if (!(m & (HAS_POST | HAS_LOG))) {
			if (!gap)
				gap = s;
			continue;
		}
		if (gap) {
			seq_text(gap, key);
			if (gap == s - 1)
				report(c, "log", key, "is missing: neither a post nor a change");
			else
				report(c, "log", key, "to %llu are missing: neither posts nor changes",
				       (unsigned long long)(s - 1));
			gap = 0;
		}
		if (s > c->last_seq)
			break;
		if ((m & HAS_POST) && (m & HAS_LOG)) {
			seq_text(s, key);
			report(c, "log", key, "is both a post and a change");
		}
		for (int ch = 0; ch < CH_COUNT; ch++)
			if ((m & IN_CHAIN(ch)) && !(m & REACHED(ch))) {
				struct uccn_post p = {0};
				MDB_val pv;
				const char *id = post_read(c, s, &pv, &p) ? NULL :
						 store_chain_id(&p, (enum chain)ch);
				seq_text(s, key);
				report(c, "posts", key, "is not reached from the head of chain %s:%s",
				       chain_word[ch], id ? id : "?");
				uccn_post_clear(&p);
			}
	}
}

/* The page walk reads data.mdb outside LMDB, and a writer could be midway
 * through a commit: only when no uccnd holds the directory's lock. The
 * shared lock is held for the walk alone. */
static int pages_check(struct check *c, const char *dir, bool *present)
{
	char why[512];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	*present = true;
	if (dfd < 0) {
		store_error("cannot open %s", dir);
		return UCCN_E_IO;
	}
	if (flock(dfd, LOCK_SH | LOCK_NB) == 0) {
		c->tot->pages_checked = true;
		rc = uccn_store_check_files(dir, present, why, sizeof why);
		flock(dfd, LOCK_UN);
		if (rc == UCCN_E_CORRUPT) {
			report(c, "pages", "data.mdb", "%s", why);
			rc = 0;
			*present = false; /* not to be mapped */
			c->tot->pages_damaged = true;
		} else if (rc) {
			store_error("%s", why);
		}
	}
	close(dfd);
	return rc;
}

int uccn_store_check(const char *dir, uccn_check_fn found, uccn_check_progress_fn progress,
		     void *ctx, struct uccn_check_totals *tot, char *err, size_t errlen)
{
	struct check c = {.found = found, .progress = progress, .ctx = ctx, .tot = tot};
	char path[4096];
	bool present = true;
	memset(tot, 0, sizeof *tot);
	store_error("%s", "");
	int rc = pages_check(&c, dir, &present);
	if (rc || tot->pages_damaged)
		goto out;
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	if (!present || access(path, R_OK) != 0) {
		store_error("%s holds no store (no data.mdb)", dir);
		rc = UCCN_E_NOTFOUND;
		goto out;
	}
	if ((rc = store_snapshot_open(&c.s, &c.t, dir)) ||
	    (rc = store_last_seq(&c.t, &c.last_seq)))
		goto out;
	/* A gapless sequence has exactly as many numbers as posts and changes.
	 * The walk below takes a slot per number and reports each one missing;
	 * a newest number more than CHECK_MAX_GAP past them is a damaged key
	 * (a dump loaded with one, say), reported once, and not walked. */
	MDB_stat posts, changes;
	if (mdb_stat(c.t.cur, c.s.dbi[DB_POSTS], &posts) ||
	    mdb_stat(c.t.cur, c.s.dbi[DB_LOG], &changes)) {
		rc = UCCN_E_IO;
		goto out;
	}
	uint64_t stored = (uint64_t)posts.ms_entries + changes.ms_entries;
	MDB_stat cities;
	if (mdb_stat(c.t.cur, c.s.dbi[DB_CITIES], &cities) == 0)
		tot->cities = cities.ms_entries;
	tot->posts = posts.ms_entries;
	if (c.last_seq > stored && c.last_seq - stored > CHECK_MAX_GAP) {
		char key[24];
		seq_text(c.last_seq, key);
		report(&c, "sequence", key, "is the newest number, more than %u past the %llu "
		       "posts and changes stored: a number is damaged; the rest is not checked",
		       CHECK_MAX_GAP, (unsigned long long)stored);
		goto out;
	}
	if (!(c.seqs = calloc(c.last_seq + 2, sizeof *c.seqs))) {
		rc = UCCN_E_NOMEM;
		goto out;
	}
	/* The posts and the log first: every other table is checked against
	 * which numbers they hold. */
	static const struct {
		enum dbi_slot db;
		entry_fn fn;
	} order[] = {
		{DB_POSTS, post_entry}, {DB_LOG, log_entry}, {DB_CITIES, city_entry},
		{DB_CITY_KEYS, city_key_entry}, {DB_IDEM, idem_entry}, {DB_HEADS, chain_walk},
		{DB_MARKS, mark_entry}, {DB_FIELDS, number_entry}, {DB_PROJECTS, project_entry},
		{DB_MEETINGS, meeting_entry}, {DB_MAILBOX, mailbox_entry},
		{DB_ACCESS, access_entry}, {DB_AGENDAS, NULL}, {DB_INVITES, NULL},
		{DB_IMPORTED, imported_entry},
	};
	for (size_t i = 0; i < sizeof order / sizeof order[0] && !c.err; i++)
		each_entry(&c, order[i].db, store_table_name(order[i].db), order[i].fn);
	if (!c.err) {
		senders_check(&c);
		sequence_check(&c);
	}
	rc = c.err;
out:
	store_snapshot_close(&c.s, &c.t);
	free(c.seqs);
	free(c.pairs);
	tot->last_seq = c.last_seq;
	if (rc && err && errlen)
		snprintf(err, errlen, "%s", uccn_store_last_error(NULL));
	return rc;
}
