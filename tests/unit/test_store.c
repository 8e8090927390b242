/*
 * test_store.c - the data layer (store/uccn_store.h) on a real LMDB
 * environment: each test opens a fresh store in its own temporary directory
 * and removes it afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <lmdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uccn_error.h"
#include "uccn_store.h"
/* The seal (CRC32C) and the table layout, to damage a store as a disk
 * would and to write one as an older uccnd did. */
#include "store_int.h"

#include "../harness/tmpdir.h"

/* Two valid Z85 public keys and one that nobody uses. */
#define KEY_A "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
#define KEY_B "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define KEY_C "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"

#define T0 1764000000000LL /* a fixed "now" in ms */

/* ---- fixture: a fresh directory per test ---- */

struct fx {
	char *dir;
	struct uccn_store *s;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->dir = tmpdir_new("test-store");
	if (!f->dir) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	uccn_store_close(&f->s);
	tmpdir_destroy(&f->dir);
	free(f);
	return 0;
}

static void fx_open(struct fx *f, size_t map_bytes)
{
	char err[256] = "";
	int rc = uccn_store_open(&f->s, f->dir, map_bytes, err, sizeof err);
	if (rc)
		fail_msg("uccn_store_open(%s): %d %s", f->dir, rc, err);
	assert_non_null(f->s);
}

static void fx_reopen(struct fx *f, size_t map_bytes)
{
	uccn_store_close(&f->s);
	assert_null(f->s);
	fx_open(f, map_bytes);
}

/* ---- records ---- */

static struct uccn_city mk_city(const char *id, const char *key)
{
	struct uccn_city c = {0};
	c.id = (char *)id;
	c.name = "Test City";
	c.field = "design";
	c.role = "member";
	if (key)
		snprintf(c.key, sizeof c.key, "%s", key);
	return c;
}

static struct uccn_post mk_post(const char *city, const char *kind,
				const char *body)
{
	struct uccn_post p = {0};
	p.city = (char *)city;
	p.kind = (char *)kind;
	p.body = (char *)body;
	return p;
}

/* ---- who may read a post: uccnd's rule, repeated for these tests ----
 * The rule is the daemon's (daemon/readers.c), not the store's: the store
 * records a post's readers when told (UCCN_STORE_POST_READERS_ONLY) and
 * leaves out of its lists what the caller's filter drops. The tests of
 * that part apply the same rule as uccnd, so their scenarios keep the
 * results a city sees. */

/* A "message" not to "all" is private. */
static bool rule_private(const struct uccn_post *p)
{
	return p->kind && strcmp(p->kind, "message") == 0 && !uccn_idlist_has(&p->to, "all");
}

/* What uccnd passes with a post: its readers are recorded when private. */
static unsigned rule_flags(const struct uccn_post *p)
{
	return rule_private(p) ? UCCN_STORE_POST_READERS_ONLY : 0;
}

struct reader {
	const char *city;
};

/* The filter's keep: a private post is for its author and its readers. */
static bool rule_keep(struct uccn_txn *t, const struct uccn_post *p, void *ctx)
{
	const struct reader *r = ctx;
	if (!rule_private(p) || (p->city && strcmp(p->city, r->city) == 0))
		return true;
	return uccn_store_post_has_reader(t, p->seq, r->city);
}

/* Whether viewer (NULL: the system, which reads everything) may read p. */
static bool rule_sees(struct uccn_txn *t, const struct uccn_post *p, const char *viewer)
{
	struct reader r = {viewer};
	return !viewer || rule_keep(t, p, &r);
}

/* ---- batches: a list of operations run by one uccn_store_write ---- */

#define MAX_OPS 64

struct op {
	bool is_city;
	struct uccn_city city;
	struct uccn_post post;
	int64_t now;
	/* results, recomputed on every run of the batch */
	int rc;
	uint64_t seq;
	bool dup;
};

struct batch {
	struct op ops[MAX_OPS];
	size_t n;
	int fn_rc;       /* what fn returns once every operation ran */
	unsigned calls;  /* how often the store ran fn */
};

static struct op *add_city_op(struct batch *b, struct uccn_city c)
{
	assert_true(b->n < MAX_OPS);
	struct op *o = &b->ops[b->n++];
	o->is_city = true;
	o->city = c;
	return o;
}

static struct op *add_post_op(struct batch *b, struct uccn_post p, int64_t now)
{
	assert_true(b->n < MAX_OPS);
	struct op *o = &b->ops[b->n++];
	o->is_city = false;
	o->post = p;
	o->now = now;
	return o;
}

static int batch_fn(struct uccn_txn *t, void *ctx)
{
	struct batch *b = ctx;
	b->calls++;
	for (size_t i = 0; i < b->n; i++) {
		struct op *o = &b->ops[i];
		o->seq = 0;
		o->dup = false;
		o->rc = o->is_city
			? uccn_store_city_add(t, &o->city, &o->seq)
			: uccn_store_post_add(t, &o->post, rule_flags(&o->post), o->now,
					      &o->seq, &o->dup);
		if (o->rc == UCCN_E_MAPFULL)
			return o->rc;
	}
	return b->fn_rc;
}

static int run_batch(struct uccn_store *s, struct batch *b)
{
	b->calls = 0;
	return uccn_store_write(s, batch_fn, b);
}

/* One operation in a batch of its own; returns its seq. */
static uint64_t write_city(struct uccn_store *s, const char *id, const char *key)
{
	struct batch b = {0};
	struct op *o = add_city_op(&b, mk_city(id, key));
	assert_int_equal(run_batch(s, &b), 0);
	assert_int_equal(o->rc, 0);
	return o->seq;
}

/* Posts may only name projects and meetings that exist: make them. */
struct refs {
	const char *lead;
	const char *const *projects;
	const char *const *meetings;
};

static int write_refs_fn(struct uccn_txn *t, void *ctx)
{
	const struct refs *r = ctx;
	char *lead[] = {(char *)r->lead};
	uint64_t seq;
	for (const char *const *p = r->projects; *p; p++) {
		struct uccn_project pr = {.id = (char *)*p, .title = "A project", .lead = (char *)r->lead};
		int rc = uccn_store_project_add(t, &pr, &seq);
		if (rc)
			return rc;
	}
	for (const char *const *m = r->meetings; *m; m++) {
		struct uccn_meeting me = {
			.id = (char *)*m, .kind = "working-group", .hosts = {lead, 1},
			.start = "2026-06-01", .end = "2026-06-02", .tz = "Europe/Zagreb",
		};
		int rc = uccn_store_meeting_add(t, &me, &seq);
		if (rc)
			return rc;
	}
	return 0;
}

static void write_refs(struct uccn_store *s, const char *lead,
		       const char *const *projects, const char *const *meetings)
{
	struct refs r = {lead, projects, meetings};
	assert_int_equal(uccn_store_write(s, write_refs_fn, &r), 0);
}

static struct uccn_store_stats get_stats(struct uccn_store *s)
{
	struct uccn_txn *t = NULL;
	struct uccn_store_stats st;
	assert_int_equal(uccn_store_read(s, &t), 0);
	assert_int_equal(uccn_store_stats(t, &st), 0);
	uccn_store_txn_end(&t);
	assert_null(t);
	return st;
}

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

/* ---- opening ---- */

static void test_open_missing_dir(void **state)
{
	struct fx *f = *state;
	char path[128], err[256];
	static int sentinel;
	struct uccn_store *s = (struct uccn_store *)&sentinel; /* must be reset */
	snprintf(path, sizeof path, "%s/does-not-exist", f->dir);
	memset(err, 'x', sizeof err);
	err[sizeof err - 1] = '\0';

	int rc = uccn_store_open(&s, path, 0, err, sizeof err);
	assert_int_equal(rc, UCCN_E_IO);
	assert_null(s);
	assert_int_not_equal(err[0], 'x'); /* written */
	assert_true(strlen(err) > 0);
	assert_non_null(strstr(err, "does-not-exist")); /* names the culprit */

	/* err may be NULL; destroy of nothing is a no-op */
	assert_int_not_equal(uccn_store_open(&s, path, 0, NULL, 0), 0);
	assert_null(s);
	uccn_store_close(&s);
	uccn_store_close(NULL);
	/* the directory is not created behind the caller's back */
	assert_int_not_equal(access(path, F_OK), 0);
}

static void test_open_fresh_empty(void **state)
{
	struct fx *f = *state;
	assert_true(uccn_key_z85_valid(KEY_A));
	assert_true(uccn_key_z85_valid(KEY_B));
	assert_true(uccn_key_z85_valid(KEY_C));
	fx_open(f, 0);
	assert_int_equal(uccn_store_map_size(f->s), UCCN_STORE_DEFAULT_MAP);
	assert_string_equal(uccn_store_last_error(f->s), "");

	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.cities, 0);
	assert_int_equal(st.posts, 0);
	assert_int_equal(st.last_seq, 0);
	assert_int_equal(st.map_bytes, UCCN_STORE_DEFAULT_MAP);
	assert_true(st.used_bytes > 0);
	assert_true(st.used_bytes <= st.map_bytes);

	struct uccn_txn *t = NULL;
	struct uccn_city c = {0};
	struct uccn_post p = {0};
	char id[UCCN_MAX_ID + 1];
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_city_get(t, "zagreb", &c), UCCN_E_NOTFOUND);
	assert_int_equal(uccn_store_city_by_key(t, KEY_A, id), UCCN_E_NOTFOUND);
	assert_int_equal(uccn_store_post_get(t, 1, &p), UCCN_E_NOTFOUND);
	uccn_store_txn_end(&t);
	uccn_store_txn_end(&t); /* NULL is a no-op */
}

/* ---- records read back field by field ---- */

struct names {
	char ids[8][UCCN_MAX_ID + 1];
	uint64_t seqs[8];
	size_t n;
	size_t stop_after; /* 0: never stop */
};

static int collect_city(const struct uccn_city *c, void *ctx)
{
	struct names *nm = ctx;
	assert_true(nm->n < 8);
	snprintf(nm->ids[nm->n], sizeof nm->ids[0], "%s", c->id);
	nm->seqs[nm->n] = c->seq;
	nm->n++;
	return nm->stop_after && nm->n == nm->stop_after;
}

static void test_cities_and_posts_read_back(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);

	struct batch b = {0};
	struct uccn_city z = mk_city("zagreb", KEY_A);
	z.name = "Zagreb";
	z.country = "Croatia";
	z.field = "crafts_folk_art";
	z.role = "coordinator";
	z.tz = "Europe/Zagreb";
	z.year = 2016;
	struct op *oz = add_city_op(&b, z);
	struct op *oa = add_city_op(&b, mk_city("aalborg", NULL)); /* no key */
	struct op *ol = add_city_op(&b, mk_city("lyon", KEY_B));
	assert_int_equal(run_batch(f->s, &b), 0);
	assert_int_equal(oz->rc, 0);
	assert_int_equal(oa->rc, 0);
	assert_int_equal(ol->rc, 0);
	assert_int_equal(oz->seq, 1);
	assert_int_equal(oa->seq, 2);
	assert_int_equal(ol->seq, 3);

	static const char *const projects[] = {"lace-2026", NULL};
	static const char *const meetings[] = {"annual-2026", NULL};
	write_refs(f->s, "zagreb", projects, meetings); /* seq 4 and 5 */
	struct batch pb = {0};
	struct uccn_post p1 = mk_post("zagreb", "agenda-item", "Line one\nline two\ttabbed");
	p1.title = "Workshop on lace";
	p1.project = "lace-2026";
	p1.meeting = "annual-2026";
	p1.minutes = 30;
	p1.idem_key = "client-1";
	struct op *op1 = add_post_op(&pb, p1, T0 + 5);
	struct op *op2 = add_post_op(&pb, mk_post("aalborg", "news", "Hello"), T0 + 7);
	assert_int_equal(run_batch(f->s, &pb), 0);
	assert_int_equal(op1->rc, 0);
	assert_int_equal(op2->rc, 0);
	assert_false(op1->dup);
	assert_false(op2->dup);
	assert_int_equal(op1->seq, 6);
	assert_int_equal(op2->seq, 7);

	/* read back, also after reopening */
	for (int round = 0; round < 2; round++) {
		struct uccn_txn *t = NULL;
		struct uccn_city c = {0};
		char id[UCCN_MAX_ID + 1];
		assert_int_equal(uccn_store_read(f->s, &t), 0);

		assert_int_equal(uccn_store_city_get(t, "zagreb", &c), 0);
		assert_string_equal(c.id, "zagreb");
		assert_string_equal(c.name, "Zagreb");
		assert_string_equal(c.country, "Croatia");
		assert_string_equal(c.field, "crafts_folk_art");
		assert_string_equal(c.role, "coordinator");
		assert_string_equal(c.tz, "Europe/Zagreb");
		assert_int_equal(c.year, 2016);
		assert_string_equal(c.key, KEY_A);
		assert_int_equal(c.seq, 1);
		assert_int_equal(c.version, 1);
		uccn_city_clear(&c);

		assert_int_equal(uccn_store_city_get(t, "aalborg", &c), 0);
		assert_string_equal(c.id, "aalborg");
		assert_string_equal(c.name, "Test City");
		assert_null(c.country);
		assert_null(c.tz);
		assert_int_equal(c.year, 0);
		assert_string_equal(c.key, "");
		assert_int_equal(c.seq, 2);
		assert_int_equal(c.version, 1);
		uccn_city_clear(&c);

		assert_int_equal(uccn_store_city_get(t, "paris", &c), UCCN_E_NOTFOUND);

		assert_int_equal(uccn_store_city_by_key(t, KEY_A, id), 0);
		assert_string_equal(id, "zagreb");
		assert_int_equal(uccn_store_city_by_key(t, KEY_B, id), 0);
		assert_string_equal(id, "lyon");
		assert_int_equal(uccn_store_city_by_key(t, KEY_C, id), UCCN_E_NOTFOUND);
		/* a keyless city is not found by an empty key, nor is that an error */
		assert_int_equal(uccn_store_city_by_key(t, "", id), UCCN_E_NOTFOUND);

		struct uccn_post p = {0};
		assert_int_equal(uccn_store_post_get(t, 6, &p), 0);
		assert_int_equal(p.seq, 6);
		assert_string_equal(p.city, "zagreb");
		assert_string_equal(p.kind, "agenda-item");
		assert_string_equal(p.project, "lace-2026");
		assert_string_equal(p.meeting, "annual-2026");
		assert_string_equal(p.title, "Workshop on lace");
		assert_string_equal(p.body, "Line one\nline two\ttabbed");
		assert_int_equal(p.minutes, 30);
		assert_int_equal(p.created_ms, T0 + 5);
		assert_string_equal(p.idem_key, "client-1");
		uccn_post_clear(&p);

		assert_int_equal(uccn_store_post_get(t, 7, &p), 0);
		assert_int_equal(p.seq, 7);
		assert_string_equal(p.city, "aalborg");
		assert_string_equal(p.kind, "news");
		assert_string_equal(p.body, "Hello");
		assert_null(p.project);
		assert_null(p.meeting);
		assert_null(p.title);
		assert_null(p.idem_key);
		assert_int_equal(p.minutes, 0);
		assert_int_equal(p.created_ms, T0 + 7);
		uccn_post_clear(&p);

		/* a city, project or meeting change is not a post */
		assert_int_equal(uccn_store_post_get(t, 1, &p), UCCN_E_NOTFOUND);
		assert_int_equal(uccn_store_post_get(t, 4, &p), UCCN_E_NOTFOUND);
		assert_int_equal(uccn_store_post_get(t, 8, &p), UCCN_E_NOTFOUND);
		assert_int_equal(uccn_store_post_get(t, 0, &p), UCCN_E_NOTFOUND);

		/* every city, in id order, not in order of creation */
		struct names nm = {0};
		assert_int_equal(uccn_store_city_each(t, collect_city, &nm), 0);
		assert_int_equal(nm.n, 3);
		assert_string_equal(nm.ids[0], "aalborg");
		assert_string_equal(nm.ids[1], "lyon");
		assert_string_equal(nm.ids[2], "zagreb");
		assert_int_equal(nm.seqs[0], 2);
		assert_int_equal(nm.seqs[1], 3);
		assert_int_equal(nm.seqs[2], 1);

		/* stopping early still returns 0 */
		struct names one = {.stop_after = 1};
		assert_int_equal(uccn_store_city_each(t, collect_city, &one), 0);
		assert_int_equal(one.n, 1);
		assert_string_equal(one.ids[0], "aalborg");

		uccn_store_txn_end(&t);
		fx_reopen(f, 0);
	}
}

/* ---- one gapless sequence ---- */

static void test_sequence_gapless_and_failed_ops_leave_no_trace(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);

	struct batch b = {0};
	struct op *ca = add_city_op(&b, mk_city("a", NULL));
	struct op *cb = add_city_op(&b, mk_city("b", KEY_A));
	struct op *pa = add_post_op(&b, mk_post("a", "update", "first"), T0);
	struct op *bad_author = add_post_op(&b, mk_post("nobody", "update", "x"), T0);
	struct op *dup_id = add_city_op(&b, mk_city("a", KEY_B));
	struct op *dup_key = add_city_op(&b, mk_city("c", KEY_A));
	struct op *bad_kind = add_post_op(&b, mk_post("a", "gossip", "x"), T0);
	struct op *bad_city = add_city_op(&b, mk_city("Not A Slug", KEY_C));
	struct uccn_city noid = mk_city(NULL, KEY_C);
	struct op *null_id = add_city_op(&b, noid);
	struct op *pb = add_post_op(&b, mk_post("b", "news", "second"), T0 + 1);
	assert_int_equal(run_batch(f->s, &b), 0);
	assert_int_equal(b.calls, 1);

	assert_int_equal(ca->rc, 0);
	assert_int_equal(ca->seq, 1);
	assert_int_equal(cb->rc, 0);
	assert_int_equal(cb->seq, 2);
	assert_int_equal(pa->rc, 0);
	assert_int_equal(pa->seq, 3);
	assert_int_equal(bad_author->rc, UCCN_E_NOTFOUND);
	assert_int_equal(dup_id->rc, UCCN_E_EXISTS);
	assert_int_equal(dup_key->rc, UCCN_E_EXISTS);
	assert_int_equal(bad_kind->rc, UCCN_E_INVALID);
	assert_int_equal(bad_city->rc, UCCN_E_INVALID);
	assert_int_equal(null_id->rc, UCCN_E_INVALID);
	/* the failures took no number: the next success is 4 */
	assert_int_equal(pb->rc, 0);
	assert_int_equal(pb->seq, 4);

	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.cities, 2);
	assert_int_equal(st.posts, 2);
	assert_int_equal(st.last_seq, 4);

	/* no trace of the failed operations */
	struct uccn_txn *t = NULL;
	struct uccn_city c = {0};
	char id[UCCN_MAX_ID + 1];
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_city_get(t, "c", &c), UCCN_E_NOTFOUND);
	/* the duplicate id did not bind its key, nor steal the other's */
	assert_int_equal(uccn_store_city_by_key(t, KEY_B, id), UCCN_E_NOTFOUND);
	assert_int_equal(uccn_store_city_by_key(t, KEY_C, id), UCCN_E_NOTFOUND);
	assert_int_equal(uccn_store_city_by_key(t, KEY_A, id), 0);
	assert_string_equal(id, "b");
	/* the first "a" is intact: no key, seq 1 */
	assert_int_equal(uccn_store_city_get(t, "a", &c), 0);
	assert_string_equal(c.key, "");
	assert_int_equal(c.seq, 1);
	uccn_city_clear(&c);
	struct uccn_post p = {0};
	assert_int_equal(uccn_store_post_get(t, 3, &p), 0);
	assert_string_equal(p.body, "first");
	uccn_post_clear(&p);
	assert_int_equal(uccn_store_post_get(t, 4, &p), 0);
	assert_string_equal(p.body, "second");
	uccn_post_clear(&p);
	assert_int_equal(uccn_store_post_get(t, 5, &p), UCCN_E_NOTFOUND);
	uccn_store_txn_end(&t);

	/* a batch of failures only commits nothing and takes nothing */
	struct batch fails = {0};
	struct op *f1 = add_post_op(&fails, mk_post("ghost", "news", "x"), T0);
	struct op *f2 = add_city_op(&fails, mk_city("b", NULL));
	assert_int_equal(run_batch(f->s, &fails), 0);
	assert_int_equal(f1->rc, UCCN_E_NOTFOUND);
	assert_int_equal(f2->rc, UCCN_E_EXISTS);
	assert_int_equal(get_stats(f->s).last_seq, 4);

	/* after closing and reopening, the sequence goes on at last + 1 */
	fx_reopen(f, 0);
	st = get_stats(f->s);
	assert_int_equal(st.last_seq, 4);
	assert_int_equal(st.cities, 2);
	assert_int_equal(st.posts, 2);

	struct batch b2 = {0};
	struct op *p5 = add_post_op(&b2, mk_post("a", "report", "third"), T0 + 2);
	struct op *again = add_city_op(&b2, mk_city("c", KEY_A)); /* key still taken */
	struct op *c6 = add_city_op(&b2, mk_city("c", KEY_B));
	struct op *p7 = add_post_op(&b2, mk_post("c", "update", "fourth"), T0 + 3);
	assert_int_equal(run_batch(f->s, &b2), 0);
	assert_int_equal(p5->rc, 0);
	assert_int_equal(p5->seq, 5);
	assert_int_equal(again->rc, UCCN_E_EXISTS);
	assert_int_equal(c6->rc, 0);
	assert_int_equal(c6->seq, 6);
	assert_int_equal(p7->rc, 0);
	assert_int_equal(p7->seq, 7);

	assert_int_equal(write_city(f->s, "d", NULL), 8);
	fx_reopen(f, 0);
	assert_int_equal(write_city(f->s, "e", NULL), 9);
	st = get_stats(f->s);
	assert_int_equal(st.last_seq, 9);
	assert_int_equal(st.cities, 5);
	assert_int_equal(st.posts, 4);
}

/* ---- a batch that fails writes nothing ---- */

static void test_failed_batch_writes_nothing(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);

	/* on an empty store */
	struct batch b = {0};
	struct op *c = add_city_op(&b, mk_city("a", KEY_A));
	struct op *p = add_post_op(&b, mk_post("a", "news", "lost"), T0);
	b.fn_rc = UCCN_E_CONFLICT;
	assert_int_equal(run_batch(f->s, &b), UCCN_E_CONFLICT);
	assert_int_equal(c->rc, 0); /* the operations themselves succeeded */
	assert_int_equal(p->rc, 0);

	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.cities, 0);
	assert_int_equal(st.posts, 0);
	assert_int_equal(st.last_seq, 0);
	struct uccn_txn *t = NULL;
	struct uccn_city city = {0};
	char id[UCCN_MAX_ID + 1];
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_city_get(t, "a", &city), UCCN_E_NOTFOUND);
	assert_int_equal(uccn_store_city_by_key(t, KEY_A, id), UCCN_E_NOTFOUND);
	uccn_store_txn_end(&t);

	/* the same batch committed now starts at 1 */
	b.fn_rc = 0;
	assert_int_equal(run_batch(f->s, &b), 0);
	assert_int_equal(c->seq, 1);
	assert_int_equal(p->seq, 2);

	/* on a store with data: a failing batch changes nothing either */
	struct batch b2 = {0};
	add_city_op(&b2, mk_city("b", KEY_B));
	struct uccn_post ip = mk_post("a", "news", "with key");
	ip.idem_key = "k";
	add_post_op(&b2, ip, T0);
	b2.fn_rc = UCCN_E_INVALID;
	assert_int_equal(run_batch(f->s, &b2), UCCN_E_INVALID);
	fx_reopen(f, 0);
	st = get_stats(f->s);
	assert_int_equal(st.cities, 1);
	assert_int_equal(st.posts, 1);
	assert_int_equal(st.last_seq, 2);
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_city_by_key(t, KEY_B, id), UCCN_E_NOTFOUND);
	uccn_store_txn_end(&t);

	/* the idempotency key of the failed batch was not recorded */
	struct batch b3 = {0};
	struct op *retry = add_post_op(&b3, ip, T0);
	assert_int_equal(run_batch(f->s, &b3), 0);
	assert_int_equal(retry->rc, 0);
	assert_false(retry->dup);
	assert_int_equal(retry->seq, 3);

	/* a read transaction is not a write one */
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	uint64_t seq = 0;
	struct uccn_city nc = mk_city("z", NULL);
	assert_int_not_equal(uccn_store_city_add(t, &nc, &seq), 0);
	uccn_store_txn_end(&t);
	assert_int_equal(get_stats(f->s).last_seq, 3);
}

/* ---- listing ---- */

/* Enough that every city's and kind's chain passes a mark (the store
 * marks every 64th post of a chain), so walks from a `before` use them. */
#define NPOSTS 420

struct model {
	uint64_t seq;
	const char *city, *kind, *project, *meeting;
};

static const char *const list_cities[] = {"a", "b", "c"};
static const char *const list_kinds[] = {"update", "news", "proposal", "report"};

/* The first post's seq: after three cities and two projects and two
 * meetings the posts refer to. */
#define FIRST_POST 8
#define LAST_POST (FIRST_POST + NPOSTS - 1)

/* Three cities (seq 1..3), projects p1, p2 and meetings m1, m2 (4..7) and
 * NPOSTS posts (seq FIRST_POST..) with mixed fields. */
static void build_list_data(struct fx *f, struct model *m)
{
	static const char *const projects[] = {"p1", "p2", NULL};
	static const char *const meetings[] = {"m1", "m2", NULL};
	fx_open(f, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(write_city(f->s, list_cities[i], NULL), (uint64_t)i + 1);
	write_refs(f->s, "a", projects, meetings);
	static char bodies[NPOSTS][32];
	for (int start = 0; start < NPOSTS; start += 20) {
		struct batch b = {0};
		for (int i = start; i < start + 20; i++) {
			struct uccn_post p = mk_post(list_cities[i % 3],
						     list_kinds[(i / 2) % 4], bodies[i]);
			snprintf(bodies[i], sizeof bodies[i], "post %d", i);
			p.project = i % 5 == 0 ? "p1" : i % 5 == 2 ? "p2" : NULL;
			p.meeting = i % 4 == 1 ? "m1" : i % 6 == 3 ? "m2" : NULL;
			add_post_op(&b, p, T0 + i);
			m[i] = (struct model){(uint64_t)i + FIRST_POST, p.city, p.kind,
					      p.project, p.meeting};
		}
		assert_int_equal(run_batch(f->s, &b), 0);
		for (size_t j = 0; j < b.n; j++) {
			assert_int_equal(b.ops[j].rc, 0);
			assert_int_equal(b.ops[j].seq, m[start + (int)j].seq);
		}
	}
}

static bool field_eq(const char *want, const char *have)
{
	return !want || (have && strcmp(want, have) == 0);
}

/* The posts q should list, newest first, by brute force over the model. */
static size_t expect_list(const struct model *m, const struct uccn_query *q,
			  uint64_t *out)
{
	uint32_t limit = q->limit ? q->limit : UCCN_LIST_DEFAULT;
	size_t n = 0;
	for (int i = NPOSTS - 1; i >= 0 && n < limit; i--) {
		if (m[i].seq <= q->since || (q->before && m[i].seq >= q->before))
			continue;
		if (field_eq(q->kind, m[i].kind) && field_eq(q->city, m[i].city) &&
		    field_eq(q->project, m[i].project) &&
		    field_eq(q->meeting, m[i].meeting))
			out[n++] = m[i].seq;
	}
	return n;
}

struct page {
	const struct model *m;
	uint64_t seqs[UCCN_LIST_MAX];
	size_t n;
	size_t stop_at; /* stop on the stop_at-th post (1-based); 0 never */
};

static int collect_post(const struct uccn_post *p, void *ctx)
{
	struct page *pg = ctx;
	assert_true(pg->n < UCCN_LIST_MAX);
	assert_true(p->seq >= FIRST_POST && p->seq <= LAST_POST);
	/* the record handed over is the whole post */
	const struct model *e = &pg->m[p->seq - FIRST_POST];
	assert_string_equal(p->city, e->city);
	assert_string_equal(p->kind, e->kind);
	assert_str_or_null(p->project, e->project);
	assert_str_or_null(p->meeting, e->meeting);
	assert_int_equal(p->created_ms, T0 + (int64_t)(p->seq - FIRST_POST));
	pg->seqs[pg->n++] = p->seq;
	return pg->stop_at && pg->n == pg->stop_at;
}

static uint64_t list_page(struct uccn_store *s, const struct model *m,
			  const struct uccn_query *q, struct page *pg)
{
	struct uccn_txn *t = NULL;
	uint64_t next = 12345;
	pg->m = m;
	pg->n = 0;
	pg->stop_at = 0;
	assert_int_equal(uccn_store_read(s, &t), 0);
	assert_int_equal(uccn_store_post_list(t, q, collect_post, pg, &next), 0);
	uccn_store_txn_end(&t);
	return next;
}

static void describe(const struct uccn_query *q, char *buf, size_t len)
{
	snprintf(buf, len, "kind=%s city=%s project=%s meeting=%s since=%llu before=%llu limit=%u",
		 q->kind ? q->kind : "-", q->city ? q->city : "-",
		 q->project ? q->project : "-", q->meeting ? q->meeting : "-",
		 (unsigned long long)q->since, (unsigned long long)q->before,
		 q->limit);
}

/* One page equals the brute-force answer; returns *next. */
static uint64_t check_page(struct uccn_store *s, const struct model *m,
			   const struct uccn_query *q)
{
	static struct page pg;
	uint64_t want[NPOSTS];
	char what[200];
	describe(q, what, sizeof what);
	size_t n = expect_list(m, q, want);
	uint64_t next = list_page(s, m, q, &pg);
	if (pg.n != n)
		fail_msg("%s: %zu posts, expected %zu", what, pg.n, n);
	for (size_t i = 0; i < n; i++)
		if (pg.seqs[i] != want[i])
			fail_msg("%s: post %zu is %llu, expected %llu", what, i,
				 (unsigned long long)pg.seqs[i],
				 (unsigned long long)want[i]);
	return next;
}

/* Page through q with the given limit: the pages, concatenated, are the
 * whole answer, each page but the last is full, and *next is 0 exactly
 * when nothing more matches. */
static void check_paging(struct uccn_store *s, const struct model *m,
			 struct uccn_query q, uint32_t limit)
{
	static struct page pg;
	uint64_t all[NPOSTS], got[NPOSTS];
	size_t nall, ngot = 0;
	char what[200];
	struct uccn_query full = q;
	full.limit = UCCN_LIST_MAX;
	nall = expect_list(m, &full, all);
	q.limit = limit;
	describe(&q, what, sizeof what);
	for (int pages = 0;; pages++) {
		if (pages > NPOSTS + 1)
			fail_msg("%s: paging does not end", what);
		uint64_t next = list_page(s, m, &q, &pg);
		if (pg.n > limit)
			fail_msg("%s: page of %zu past limit", what, pg.n);
		if (pages > 0 && pg.n == 0)
			fail_msg("%s: *next promised a page that is empty", what);
		for (size_t i = 0; i < pg.n; i++) {
			if (ngot >= nall)
				fail_msg("%s: more posts than expected", what);
			got[ngot++] = pg.seqs[i];
		}
		if (!next)
			break;
		if (pg.n != limit)
			fail_msg("%s: a short page with a next", what);
		assert_int_equal(next, pg.seqs[pg.n - 1]);
		q.before = next;
	}
	if (ngot != nall)
		fail_msg("%s: %zu posts over all pages, expected %zu", what, ngot, nall);
	for (size_t i = 0; i < nall; i++)
		if (got[i] != all[i])
			fail_msg("%s: paged post %zu is %llu, expected %llu", what, i,
				 (unsigned long long)got[i], (unsigned long long)all[i]);
}

static const struct uccn_query list_queries[] = {
	{0},
	{.kind = "news"},
	{.city = "b"},
	{.project = "p1"},
	{.meeting = "m1"},
	{.kind = "update", .city = "a"},
	{.city = "c", .project = "p2"},
	{.project = "p1", .kind = "report"},
	{.project = "p1", .meeting = "m1"},
	{.kind = "proposal", .meeting = "m2"},
	{.city = "a", .meeting = "m1", .kind = "news"},
	{.kind = "update", .city = "a", .project = "p1", .meeting = "m1"},
	{.kind = "message"},            /* a kind nobody used */
	{.project = "p1", .city = "zz"}, /* no such city */
};
#define NQUERIES (sizeof list_queries / sizeof list_queries[0])

static void test_list_filters(void **state)
{
	struct fx *f = *state;
	struct model m[NPOSTS];
	build_list_data(f, m);

	for (size_t i = 0; i < NQUERIES; i++) {
		struct uccn_query q = list_queries[i];
		q.limit = UCCN_LIST_MAX;
		assert_int_equal(check_page(f->s, m, &q), 0);
	}

	/* spot checks that the filters really filter (not only agree) */
	struct page pg;
	struct uccn_query q = {.city = "b", .limit = UCCN_LIST_MAX};
	list_page(f->s, m, &q, &pg);
	assert_int_equal(pg.n, NPOSTS / 3);
	/* b wrote post i when i % 3 == 1: its newest is the last such i */
	assert_int_equal(pg.seqs[0], FIRST_POST + NPOSTS - 3 + 1);
	q = (struct uccn_query){.kind = "update", .city = "a", .limit = UCCN_LIST_MAX};
	list_page(f->s, m, &q, &pg);
	assert_true(pg.n > 0 && pg.n < NPOSTS / 3);
	for (size_t i = 1; i < pg.n; i++)
		assert_true(pg.seqs[i] < pg.seqs[i - 1]);

	/* no filter: newest first, all of them */
	q = (struct uccn_query){.limit = UCCN_LIST_MAX};
	assert_int_equal(list_page(f->s, m, &q, &pg), 0);
	assert_int_equal(pg.n, NPOSTS);
	for (size_t i = 0; i < pg.n; i++)
		assert_int_equal(pg.seqs[i], LAST_POST - i);
}

static void test_list_unknown_city_is_empty(void **state)
{
	struct fx *f = *state;
	struct model m[NPOSTS];
	struct page pg;
	build_list_data(f, m);
	struct uccn_query q = {.city = "nowhere"};
	assert_int_equal(list_page(f->s, m, &q, &pg), 0);
	assert_int_equal(pg.n, 0);
	q.before = 30;
	q.since = 5;
	assert_int_equal(list_page(f->s, m, &q, &pg), 0);
	assert_int_equal(pg.n, 0);
	q = (struct uccn_query){.meeting = "no-meeting", .before = 40};
	assert_int_equal(list_page(f->s, m, &q, &pg), 0);
	assert_int_equal(pg.n, 0);

	/* an empty store lists nothing */
	uccn_store_close(&f->s);
	tmpdir_destroy(&f->dir);
	f->dir = tmpdir_new("test-store");
	assert_non_null(f->dir);
	fx_open(f, 0);
	q = (struct uccn_query){0};
	assert_int_equal(list_page(f->s, m, &q, &pg), 0);
	assert_int_equal(pg.n, 0);
	q.before = 10;
	assert_int_equal(list_page(f->s, m, &q, &pg), 0);
	assert_int_equal(pg.n, 0);
}

static void test_list_since_before(void **state)
{
	struct fx *f = *state;
	struct model m[NPOSTS];
	struct page pg;
	build_list_data(f, m);

	/* exclusive bounds, checked directly */
	struct uccn_query q = {.since = 20, .before = 30, .limit = UCCN_LIST_MAX};
	assert_int_equal(list_page(f->s, m, &q, &pg), 0);
	assert_int_equal(pg.n, 9);
	assert_int_equal(pg.seqs[0], 29);
	assert_int_equal(pg.seqs[8], 21);
	q = (struct uccn_query){.since = LAST_POST - 3, .limit = UCCN_LIST_MAX};
	list_page(f->s, m, &q, &pg);
	assert_int_equal(pg.n, 3);
	assert_int_equal(pg.seqs[0], LAST_POST);
	assert_int_equal(pg.seqs[2], LAST_POST - 2);
	q = (struct uccn_query){.before = FIRST_POST + 2, .limit = UCCN_LIST_MAX};
	list_page(f->s, m, &q, &pg);
	assert_int_equal(pg.n, 2);
	assert_int_equal(pg.seqs[0], FIRST_POST + 1);
	assert_int_equal(pg.seqs[1], FIRST_POST);
	/* before past the end, since at the end, an empty window */
	q = (struct uccn_query){.before = 1000, .limit = UCCN_LIST_MAX};
	list_page(f->s, m, &q, &pg);
	assert_int_equal(pg.n, NPOSTS);
	q = (struct uccn_query){.since = LAST_POST};
	list_page(f->s, m, &q, &pg);
	assert_int_equal(pg.n, 0);
	q = (struct uccn_query){.since = 30, .before = 31};
	list_page(f->s, m, &q, &pg);
	assert_int_equal(pg.n, 0);

	/* every query with a set of windows, against the model */
	static const uint64_t bounds[][2] = {
		{0, 30}, {30, 0}, {10, 50}, {4, 63}, {0, 5}, {62, 0}, {25, 26}, {0, 64},
	};
	for (size_t i = 0; i < NQUERIES; i++)
		for (size_t j = 0; j < sizeof bounds / sizeof bounds[0]; j++) {
			q = list_queries[i];
			q.since = bounds[j][0];
			q.before = bounds[j][1];
			q.limit = UCCN_LIST_MAX;
			assert_int_equal(check_page(f->s, m, &q), 0);
		}
}

static void test_list_limit_and_paging(void **state)
{
	struct fx *f = *state;
	struct model m[NPOSTS];
	struct page pg;
	build_list_data(f, m);

	/* limit 0 is UCCN_LIST_DEFAULT; *next is the last seq of the page */
	struct uccn_query q = {0};
	uint64_t next = list_page(f->s, m, &q, &pg);
	assert_int_equal(pg.n, UCCN_LIST_DEFAULT);
	assert_int_equal(pg.seqs[0], LAST_POST);
	assert_int_equal(next, LAST_POST - UCCN_LIST_DEFAULT + 1);
	assert_int_equal(next, pg.seqs[pg.n - 1]);
	q.limit = 1;
	next = list_page(f->s, m, &q, &pg);
	assert_int_equal(pg.n, 1);
	assert_int_equal(next, LAST_POST);
	/* a limit that takes exactly everything leaves no next page */
	q.limit = NPOSTS;
	assert_int_equal(list_page(f->s, m, &q, &pg), 0);
	assert_int_equal(pg.n, NPOSTS);

	static const uint32_t limits[] = {1, 3, 7, UCCN_LIST_DEFAULT};
	for (size_t i = 0; i < NQUERIES; i++)
		for (size_t j = 0; j < sizeof limits / sizeof limits[0]; j++)
			check_paging(f->s, m, list_queries[i], limits[j]);

	/* paging inside a since window, and starting from a before */
	for (size_t i = 0; i < NQUERIES; i++) {
		struct uccn_query w = list_queries[i];
		w.since = 15;
		check_paging(f->s, m, w, 4);
		w.before = 50;
		check_paging(f->s, m, w, 2);
		w.since = 0;
		check_paging(f->s, m, w, 5);
	}
}

static void test_list_callback_stops(void **state)
{
	struct fx *f = *state;
	struct model m[NPOSTS];
	static struct page pg;
	struct uccn_txn *t = NULL;
	uint64_t next = 0;
	build_list_data(f, m);

	static const struct uccn_query qs[] = {
		{0}, {.city = "a"}, {.kind = "news", .city = "c"}, {.project = "p2"},
	};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		struct uccn_query q = qs[i];
		uint64_t want[NPOSTS];
		q.limit = UCCN_LIST_MAX;
		size_t n = expect_list(m, &q, want);
		assert_true(n >= 4);

		/* stop on the third post: the walk returns 0 and *next points
		 * at that post, so the walk resumes there */
		pg = (struct page){.m = m, .stop_at = 3};
		assert_int_equal(uccn_store_read(f->s, &t), 0);
		assert_int_equal(uccn_store_post_list(t, &q, collect_post, &pg, &next), 0);
		uccn_store_txn_end(&t);
		assert_int_equal(pg.n, 3);
		assert_int_equal(pg.seqs[2], want[2]);
		assert_int_not_equal(next, 0);

		q.before = next;
		list_page(f->s, m, &q, &pg);
		assert_int_equal(pg.n, n - 2);
		assert_int_equal(pg.seqs[0], want[2]);
		assert_int_equal(pg.seqs[pg.n - 1], want[n - 1]);
	}
}

static int count_post(const struct uccn_post *p, void *ctx);
static void set_format(const char *dir, uint64_t format);

/* A walk may start below any post, matching or not, in every chain: the
 * walks from a `before` start at a mark or the head, then step back. */
static void test_list_every_before(void **state)
{
	struct fx *f = *state;
	struct model m[NPOSTS];
	build_list_data(f, m);
	static const struct uccn_query qs[] = {
		{.city = "a"}, {.kind = "news"}, {.project = "p1"}, {.meeting = "m2"},
		{.city = "b", .kind = "update"}, {0},
	};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
		for (uint64_t before = FIRST_POST; before <= LAST_POST + 2; before++) {
			struct uccn_query q = qs[i];
			q.before = before;
			q.limit = UCCN_LIST_MAX;
			check_page(f->s, m, &q);
			q.limit = 3;
			check_page(f->s, m, &q);
		}
}

/* The store's files straight through LMDB, as another program (or an
 * older uccnd) would see them: a transaction on dir, read-only or not. */
static MDB_txn *raw_begin(const char *dir, unsigned flags, MDB_env **env)
{
	MDB_txn *txn;
	assert_int_equal(mdb_env_create(env), 0);
	assert_int_equal(mdb_env_set_maxdbs(*env, 32), 0);
	assert_int_equal(mdb_env_open(*env, dir, flags, 0600), 0);
	assert_int_equal(mdb_txn_begin(*env, NULL, flags & MDB_RDONLY, &txn), 0);
	return txn;
}

/* x as 8 bytes big-endian, as the store keeps numbers. */
static void be64_put(unsigned char out[8], uint64_t x)
{
	for (int i = 7; i >= 0; i--, x >>= 8)
		out[i] = (unsigned char)x;
}

/* The tables of the store and whether they are dupsort. */
static const struct {
	const char *name;
	unsigned flags;
} raw_tables[] = {
	{"cities", 0}, {"city_keys", 0}, {"posts", 0}, {"log", 0}, {"idem", 0},
	{"heads", 0}, {"marks", MDB_DUPSORT | MDB_DUPFIXED}, {"fields", 0},
	{"projects", 0}, {"meetings", 0}, {"mailbox", MDB_DUPSORT | MDB_DUPFIXED},
	{"access", MDB_DUPSORT}, {"agendas", 0}, {"invites", 0}, {"imported", 0},
	{"mailbox_senders", 0},
};

/* Rewrite the store in dir as format 2 wrote it: every value without its
 * seal (the last SEAL_SIZE bytes), format 2 in the meta table. Test data
 * is small: each table is read whole, emptied and written again. */
static void unseal_all(const char *dir)
{
	MDB_env *env;
	MDB_txn *txn = raw_begin(dir, 0, &env);
	for (size_t i = 0; i < sizeof raw_tables / sizeof raw_tables[0]; i++) {
		MDB_dbi dbi;
		MDB_cursor *c;
		MDB_val k, v;
		size_t n = 0, cap = 0;
		struct { unsigned char *k, *v; size_t kn, vn; } *e = NULL;
		assert_int_equal(mdb_dbi_open(txn, raw_tables[i].name, raw_tables[i].flags, &dbi), 0);
		assert_int_equal(mdb_cursor_open(txn, dbi, &c), 0);
		for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
		     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				e = realloc(e, cap * sizeof *e);
				assert_non_null(e);
			}
			assert_true(v.mv_size >= SEAL_SIZE);
			e[n].kn = k.mv_size;
			e[n].vn = v.mv_size - SEAL_SIZE;
			e[n].k = malloc(k.mv_size);
			e[n].v = malloc(v.mv_size);
			memcpy(e[n].k, k.mv_data, k.mv_size);
			memcpy(e[n].v, v.mv_data, v.mv_size);
			n++;
		}
		mdb_cursor_close(c);
		assert_int_equal(mdb_drop(txn, dbi, 0), 0);
		for (size_t j = 0; j < n; j++) {
			MDB_val kk = {e[j].kn, e[j].k}, vv = {e[j].vn, e[j].v};
			assert_int_equal(mdb_put(txn, dbi, &kk, &vv, 0), 0);
			free(e[j].k);
			free(e[j].v);
		}
		free(e);
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	set_format(dir, 2);
}

/* Rewrite the store in dir as format 1 wrote it: each post bare, found
 * through dupsort indexes by city, kind, project and meeting. */
static void make_format_1(const char *dir)
{
	static const char *const idx[] = {"by_city", "by_kind", "by_project", "by_meeting"};
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi posts, by[4], dbi;
	MDB_cursor *c;
	MDB_val k, v;
	unseal_all(dir); /* format 2 first: no seals */
	txn = raw_begin(dir, 0, &env);
	assert_int_equal(mdb_dbi_open(txn, "posts", 0, &posts), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(mdb_dbi_open(txn, idx[i], MDB_CREATE | MDB_DUPSORT | MDB_DUPFIXED,
					      &by[i]), 0);
	assert_int_equal(mdb_cursor_open(txn, posts, &c), 0);
	int n = 0;
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), n++) {
		/* drop the 32 bytes of links; index the post by its fields */
		assert_true(v.mv_size > 32);
		unsigned char key[8], *rec = malloc(v.mv_size - 32);
		size_t len = v.mv_size - 32;
		memcpy(key, k.mv_data, 8);
		memcpy(rec, (unsigned char *)v.mv_data + 32, len);
		struct uccn_post p = {0};
		msgpack_unpacked u;
		msgpack_unpacked_init(&u);
		assert_int_equal(msgpack_unpack_next(&u, (char *)rec, len, NULL), MSGPACK_UNPACK_SUCCESS);
		assert_int_equal(uccn_post_from_object(&u.data, &p, NULL, 0), 0);
		msgpack_unpacked_destroy(&u);
		const char *ids[4] = {p.city, p.kind, p.project, p.meeting};
		MDB_val kk = {8, key}, rv = {len, rec};
		assert_int_equal(mdb_put(txn, posts, &kk, &rv, 0), 0);
		for (int i = 0; i < 4; i++) {
			if (!ids[i])
				continue;
			MDB_val ik = {strlen(ids[i]), (void *)ids[i]}, sv = {8, key};
			assert_int_equal(mdb_put(txn, by[i], &ik, &sv, 0), 0);
		}
		uccn_post_clear(&p);
		free(rec);
		kk = (MDB_val){8, key};
		assert_int_equal(mdb_cursor_get(c, &kk, &v, MDB_SET), 0);
	}
	mdb_cursor_close(c);
	assert_int_equal(n, NPOSTS);
	assert_int_equal(mdb_dbi_open(txn, "heads", 0, &dbi), 0);
	assert_int_equal(mdb_drop(txn, dbi, 1), 0);
	assert_int_equal(mdb_dbi_open(txn, "marks", MDB_DUPSORT | MDB_DUPFIXED, &dbi), 0);
	assert_int_equal(mdb_drop(txn, dbi, 1), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	set_format(dir, 1);
}

/* Whether the store in dir still has table name. */
static bool has_table(const char *dir, const char *name)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	txn = raw_begin(dir, MDB_RDONLY, &env);
	bool has = mdb_dbi_open(txn, name, 0, &dbi) == 0;
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return has;
}

/* A store of format 1 is rewritten when opened: every post is still
 * there and every list gives what it gave, and new posts join the chains. */
static void test_format_1_rewritten(void **state)
{
	struct fx *f = *state;
	struct model m[NPOSTS];
	build_list_data(f, m);
	struct uccn_store_stats before = get_stats(f->s);
	uccn_store_close(&f->s);
	make_format_1(f->dir);
	assert_true(has_table(f->dir, "by_city"));

	fx_open(f, 16 << 20);
	struct uccn_store_stats after = get_stats(f->s);
	assert_int_equal(after.posts, NPOSTS);
	assert_int_equal(after.last_seq, before.last_seq);
	for (size_t i = 0; i < NQUERIES; i++) {
		struct uccn_query q = list_queries[i];
		q.limit = UCCN_LIST_MAX;
		check_page(f->s, m, &q);
		q.before = FIRST_POST + NPOSTS / 2;
		check_page(f->s, m, &q);
		check_paging(f->s, m, list_queries[i], 7);
	}
	uccn_store_close(&f->s);
	assert_false(has_table(f->dir, "by_city"));
	assert_false(has_table(f->dir, "by_meeting"));

	/* opened again it is format 2 as it is: nothing to rewrite */
	fx_open(f, 0);
	assert_int_equal(uccn_store_rewrote_from(f->s), 0);
	struct batch b = {0};
	add_post_op(&b, mk_post("a", "news", "after the rewrite"), T0 + NPOSTS);
	assert_int_equal(run_batch(f->s, &b), 0);
	struct uccn_query q = {.city = "a", .limit = 2};
	struct page pg;
	pg.m = m;
	struct uccn_txn *t = NULL;
	uint64_t next;
	pg.n = 0;
	pg.stop_at = 0;
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_post_list(t, &q, count_post, &pg.n, &next), 0);
	uccn_store_txn_end(&t);
	assert_int_equal(pg.n, 2);
	q.limit = UCCN_LIST_MAX;
	q.before = LAST_POST + 1;
	check_page(f->s, m, &q);
}

/* A format 1 store whose posts do not decode is refused, and left as it
 * was: nothing of it is rewritten. */
static void test_format_1_damaged_refused(void **state)
{
	struct fx *f = *state;
	struct model m[NPOSTS];
	build_list_data(f, m);
	uccn_store_close(&f->s);
	/* still format 2 posts, with links: not what format 1 wrote */
	set_format(f->dir, 1);
	char err[256] = "";
	struct uccn_store *s = NULL;
	assert_int_equal(uccn_store_open(&s, f->dir, 0, err, sizeof err), UCCN_E_CORRUPT);
	assert_null(s);
	assert_non_null(strstr(err, "does not decode"));
	set_format(f->dir, 3);
	fx_open(f, 0);
	struct uccn_query q = {.city = "c", .limit = UCCN_LIST_MAX};
	check_page(f->s, m, &q);
}

/* A new store of format 1 in dir, written as that format did, in a map
 * of map_bytes (which LMDB keeps, the store being new): nposts posts of
 * city "a" with 500-byte bodies, bare, found through by_city and by_kind. */
static void write_format_1_store(const char *dir, int nposts, size_t map_bytes)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta, posts, by_city, by_kind;
	static char body[501];
	memset(body, 'x', 500);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
	assert_int_equal(mdb_env_set_mapsize(env, map_bytes), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	for (int done = 0; done < nposts;) {
		assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
		assert_int_equal(mdb_dbi_open(txn, "meta", MDB_CREATE, &meta), 0);
		assert_int_equal(mdb_dbi_open(txn, "posts", MDB_CREATE, &posts), 0);
		assert_int_equal(mdb_dbi_open(txn, "by_city", MDB_CREATE | MDB_DUPSORT | MDB_DUPFIXED,
					      &by_city), 0);
		assert_int_equal(mdb_dbi_open(txn, "by_kind", MDB_CREATE | MDB_DUPSORT | MDB_DUPFIXED,
					      &by_kind), 0);
		for (int end = done + 500; done < end && done < nposts; done++) {
			struct uccn_post p = mk_post("a", "update", body);
			unsigned char kb[8];
			p.seq = (uint64_t)done + 1;
			p.created_ms = T0;
			be64_put(kb, p.seq);
			msgpack_sbuffer b;
			msgpack_packer pk;
			msgpack_sbuffer_init(&b);
			msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
			assert_int_equal(uccn_post_pack(&pk, &p), 0);
			MDB_val k = {8, kb}, v = {b.size, b.data}, ck = {1, "a"},
				kk = {6, "update"}, sv = {8, kb};
			assert_int_equal(mdb_put(txn, posts, &k, &v, MDB_APPEND), 0);
			assert_int_equal(mdb_put(txn, by_city, &ck, &sv, MDB_APPENDDUP), 0);
			assert_int_equal(mdb_put(txn, by_kind, &kk, &sv, MDB_APPENDDUP), 0);
			msgpack_sbuffer_destroy(&b);
		}
		assert_int_equal(mdb_txn_commit(txn), 0);
	}
	mdb_env_close(env);
	set_format(dir, 1);
}

/* A format 1 store that fills most of its map: the rewrite grows the map
 * and keeps every post, in its chain. */
static void test_format_1_rewrite_grows_map(void **state)
{
	struct fx *f = *state;
	const int nposts = 3000;         /* about 1.8 MB of posts */
	const size_t map = 3u << 20;     /* room for them, not for two copies */
	write_format_1_store(f->dir, nposts, map);
	fx_open(f, 4096);
	assert_int_equal(uccn_store_rewrote_from(f->s), 1);
	assert_true(uccn_store_map_size(f->s) > map);
	assert_int_equal(get_stats(f->s).posts, (uint64_t)nposts);
	/* the whole chain, page by page, newest first */
	struct uccn_query q = {.city = "a", .limit = UCCN_LIST_MAX};
	uint64_t seen = 0, next = 0;
	do {
		struct uccn_txn *t = NULL;
		size_t n = 0;
		assert_int_equal(uccn_store_read(f->s, &t), 0);
		assert_int_equal(uccn_store_post_list(t, &q, count_post, &n, &next), 0);
		uccn_store_txn_end(&t);
		seen += n;
		assert_true(next == 0 || next == (uint64_t)nposts + 1 - seen);
		q.before = next;
	} while (next);
	assert_int_equal(seen, (uint64_t)nposts);
}

/* Point the city link of post seq (in dir's store) at target. */
static void set_city_link(const char *dir, uint64_t seq, uint64_t target)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	unsigned char kb[8];
	be64_put(kb, seq);
	MDB_val k = {8, kb}, v;
	txn = raw_begin(dir, 0, &env);
	assert_int_equal(mdb_dbi_open(txn, "posts", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	unsigned char *copy = malloc(v.mv_size);
	memcpy(copy, v.mv_data, v.mv_size);
	be64_put(copy, target); /* the city link comes first */
	/* sealed again: a link that points wrong, not a damaged value */
	store_seal_finish(&k, copy, v.mv_size - SEAL_SIZE);
	MDB_val nv = {v.mv_size, copy};
	assert_int_equal(mdb_put(txn, dbi, &k, &nv, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	free(copy);
	mdb_env_close(env);
}

/* A damaged chain is reported, not followed: a link to a later post (a
 * loop) or to a post that is not there. */
static void test_list_damaged_chain(void **state)
{
	struct fx *f = *state;
	struct model m[NPOSTS];
	struct page pg = {.m = m};
	struct uccn_txn *t = NULL;
	uint64_t next;
	build_list_data(f, m);
	uccn_store_close(&f->s);
	const uint64_t newest_c = LAST_POST; /* i = NPOSTS - 1 is c's */
	static const uint64_t bad[] = {LAST_POST, FIRST_POST - 1};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		set_city_link(f->dir, newest_c, bad[i]);
		fx_open(f, 0);
		struct uccn_query q = {.city = "c", .limit = UCCN_LIST_MAX};
		pg.n = 0;
		assert_int_equal(uccn_store_read(f->s, &t), 0);
		assert_int_equal(uccn_store_post_list(t, &q, collect_post, &pg, &next),
				 UCCN_E_CORRUPT);
		uccn_store_txn_end(&t);
		/* the other chains are whole */
		q = (struct uccn_query){.city = "a", .limit = UCCN_LIST_MAX};
		check_page(f->s, m, &q);
		uccn_store_close(&f->s);
	}
}

/* ---- idempotency keys ---- */

static void test_idempotency(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);
	write_city(f->s, "a", KEY_A);
	write_city(f->s, "b", KEY_B);

	struct uccn_post p = mk_post("a", "news", "once");
	p.idem_key = "req-1";
	struct batch b1 = {0};
	struct op *o1 = add_post_op(&b1, p, T0);
	assert_int_equal(run_batch(f->s, &b1), 0);
	assert_int_equal(o1->rc, 0);
	assert_false(o1->dup);
	assert_int_equal(o1->seq, 3);
	struct uccn_store_stats before = get_stats(f->s);

	/* the same (city, key) again, even with another body: a duplicate */
	struct uccn_post again = mk_post("a", "update", "twice");
	again.idem_key = "req-1";
	struct batch b2 = {0};
	struct op *o2 = add_post_op(&b2, again, T0 + 100);
	assert_int_equal(run_batch(f->s, &b2), 0);
	assert_int_equal(o2->rc, 0);
	assert_true(o2->dup);
	assert_int_equal(o2->seq, 3);
	struct uccn_store_stats after = get_stats(f->s);
	assert_int_equal(after.posts, before.posts);
	assert_int_equal(after.last_seq, before.last_seq);

	struct uccn_txn *t = NULL;
	struct uccn_post got = {0};
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_post_get(t, 3, &got), 0);
	assert_string_equal(got.body, "once");
	assert_string_equal(got.kind, "news");
	assert_int_equal(got.created_ms, T0);
	uccn_post_clear(&got);
	uccn_store_txn_end(&t);

	/* the same key from another city is a post of its own; so is another
	 * key; a repeat within one batch is a duplicate of the batch's first */
	struct batch b3 = {0};
	struct uccn_post pb = mk_post("b", "news", "b's own");
	pb.idem_key = "req-1";
	struct uccn_post p2 = mk_post("a", "news", "second");
	p2.idem_key = "req-2";
	struct op *ob = add_post_op(&b3, pb, T0);
	struct op *oa2 = add_post_op(&b3, p2, T0);
	struct op *oa2again = add_post_op(&b3, p2, T0);
	struct op *oa1again = add_post_op(&b3, p, T0);
	struct op *nokey1 = add_post_op(&b3, mk_post("a", "news", "no key"), T0);
	struct op *nokey2 = add_post_op(&b3, mk_post("a", "news", "no key"), T0);
	assert_int_equal(run_batch(f->s, &b3), 0);
	assert_int_equal(ob->rc, 0);
	assert_false(ob->dup);
	assert_int_equal(ob->seq, 4);
	assert_int_equal(oa2->rc, 0);
	assert_false(oa2->dup);
	assert_int_equal(oa2->seq, 5);
	assert_int_equal(oa2again->rc, 0);
	assert_true(oa2again->dup);
	assert_int_equal(oa2again->seq, 5);
	assert_int_equal(oa1again->rc, 0);
	assert_true(oa1again->dup);
	assert_int_equal(oa1again->seq, 3);
	/* without a key, the same post twice is two posts */
	assert_false(nokey1->dup);
	assert_false(nokey2->dup);
	assert_int_equal(nokey1->seq, 6);
	assert_int_equal(nokey2->seq, 7);
	after = get_stats(f->s);
	assert_int_equal(after.posts, 5);
	assert_int_equal(after.last_seq, 7);

	/* the keys survive a restart */
	fx_reopen(f, 0);
	struct batch b4 = {0};
	struct op *r1 = add_post_op(&b4, p, T0 + 999);
	struct op *r2 = add_post_op(&b4, pb, T0 + 999);
	struct uccn_post p3 = mk_post("b", "news", "third key");
	p3.idem_key = "req-2"; /* a's key, b's first use */
	struct op *r3 = add_post_op(&b4, p3, T0 + 999);
	assert_int_equal(run_batch(f->s, &b4), 0);
	assert_true(r1->dup);
	assert_int_equal(r1->seq, 3);
	assert_true(r2->dup);
	assert_int_equal(r2->seq, 4);
	assert_false(r3->dup);
	assert_int_equal(r3->seq, 8);
	after = get_stats(f->s);
	assert_int_equal(after.posts, 6);
	assert_int_equal(after.last_seq, 8);

	/* a duplicate by an unknown author is still an unknown author */
	struct batch b5 = {0};
	struct uccn_post ghost = mk_post("ghost", "news", "x");
	ghost.idem_key = "req-1";
	struct op *og = add_post_op(&b5, ghost, T0);
	assert_int_equal(run_batch(f->s, &b5), 0);
	assert_int_equal(og->rc, UCCN_E_NOTFOUND);
	assert_false(og->dup);
}

/* ---- the map grows ---- */

#define BIG_BODY (60 * 1024)
#define BIG_POSTS 64
#define BIG_BATCH 8

static void fill_body(char *buf, uint64_t seq)
{
	for (size_t i = 0; i < BIG_BODY; i++)
		buf[i] = (i % 61 == 60) ? '\n' : (char)('a' + (seq * 7 + i) % 26);
	buf[BIG_BODY] = '\0';
}

static void test_map_growth(void **state)
{
	struct fx *f = *state;
	const size_t tiny = 128 * 1024;
	fx_open(f, tiny);
	assert_int_equal(uccn_store_map_size(f->s), tiny);
	assert_int_equal(write_city(f->s, "big", KEY_A), 1);

	char *bodies = malloc((size_t)BIG_BATCH * (BIG_BODY + 1));
	char *check = malloc(BIG_BODY + 1);
	assert_non_null(bodies);
	assert_non_null(check);
	unsigned grew_runs = 0;
	uint64_t seq = 2;
	for (int done = 0; done < BIG_POSTS; done += BIG_BATCH) {
		struct batch b = {0};
		for (int i = 0; i < BIG_BATCH; i++) {
			char *body = bodies + (size_t)i * (BIG_BODY + 1);
			fill_body(body, seq + (uint64_t)i);
			add_post_op(&b, mk_post("big", "report", body), T0 + done + i);
		}
		size_t map_before = uccn_store_map_size(f->s);
		int rc = run_batch(f->s, &b);
		if (rc)
			fail_msg("batch at %d: %d %s", done, rc,
				 uccn_store_last_error(f->s));
		if (b.calls > 1) {
			grew_runs++;
			assert_true(uccn_store_map_size(f->s) > map_before);
		}
		for (int i = 0; i < BIG_BATCH; i++) {
			assert_int_equal(b.ops[i].rc, 0);
			assert_int_equal(b.ops[i].seq, seq + (uint64_t)i);
		}
		seq += BIG_BATCH;
	}
	free(bodies);
	assert_true(grew_runs > 0);

	size_t grown = uccn_store_map_size(f->s);
	assert_true(grown > tiny);
	assert_true(grown >= (size_t)BIG_POSTS * BIG_BODY);
	assert_true(grown <= UCCN_STORE_MAX_MAP);
	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.posts, BIG_POSTS);
	assert_int_equal(st.last_seq, 1 + BIG_POSTS);
	assert_int_equal(st.map_bytes, grown);
	assert_true(st.used_bytes <= st.map_bytes);

	/* reopened with the tiny size, the larger database keeps its size */
	fx_reopen(f, tiny);
	assert_true(uccn_store_map_size(f->s) >= grown);
	st = get_stats(f->s);
	assert_int_equal(st.posts, BIG_POSTS);
	assert_int_equal(st.last_seq, 1 + BIG_POSTS);

	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	for (uint64_t s = 2; s < 2 + BIG_POSTS; s++) {
		struct uccn_post p = {0};
		assert_int_equal(uccn_store_post_get(t, s, &p), 0);
		fill_body(check, s);
		assert_int_equal(strlen(p.body), BIG_BODY);
		if (memcmp(p.body, check, BIG_BODY + 1) != 0)
			fail_msg("post %llu: body differs", (unsigned long long)s);
		assert_int_equal(p.created_ms, T0 + (int64_t)(s - 2));
		uccn_post_clear(&p);
	}
	uccn_store_txn_end(&t);

	/* and writing goes on */
	fill_body(check, 99);
	struct batch b = {0};
	struct op *o = add_post_op(&b, mk_post("big", "report", check), T0);
	assert_int_equal(run_batch(f->s, &b), 0);
	assert_int_equal(o->rc, 0);
	assert_int_equal(o->seq, 2 + BIG_POSTS);
	free(check);

	/* asked for more than it has, an existing database takes the more */
	size_t now = uccn_store_map_size(f->s);
	fx_reopen(f, now * 2);
	assert_int_equal(uccn_store_map_size(f->s), now * 2);
	assert_int_equal(get_stats(f->s).posts, BIG_POSTS + 1);
}

/* A map too small for even the empty store fails the open cleanly (no
 * leak, no store-internal code), and the directory stays usable. */
static void test_open_map_too_small(void **state)
{
	struct fx *f = *state;
	bool refused = false;
	for (size_t map = 4096; map <= 64 * 1024; map += 4096) {
		char err[256] = "";
		struct uccn_store *s = NULL;
		int rc = uccn_store_open(&s, f->dir, map, err, sizeof err);
		if (rc == 0) {
			assert_non_null(s);
			uccn_store_close(&s);
			continue;
		}
		refused = true;
		assert_null(s);
		if (rc != UCCN_E_FULL)
			fail_msg("map %zu: %d (%s)", map, rc, err);
		assert_true(strlen(err) > 0);
	}
	assert_true(refused);
	fx_open(f, 0);
	assert_int_equal(write_city(f->s, "a", NULL), 1);
}

/* ---- stats ---- */

static void test_stats_counts(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);
	struct uccn_store_stats st;

	for (int i = 0; i < 5; i++) {
		char id[8];
		snprintf(id, sizeof id, "c%d", i);
		write_city(f->s, id, NULL);
	}
	st = get_stats(f->s);
	assert_int_equal(st.cities, 5);
	assert_int_equal(st.posts, 0);
	assert_int_equal(st.last_seq, 5);

	struct batch b = {0};
	for (int i = 0; i < 12; i++)
		add_post_op(&b, mk_post(i % 2 ? "c1" : "c3", "news", "hi"), T0);
	add_post_op(&b, mk_post("c9", "news", "nobody"), T0);
	assert_int_equal(run_batch(f->s, &b), 0);
	st = get_stats(f->s);
	assert_int_equal(st.cities, 5);
	assert_int_equal(st.posts, 12);
	assert_int_equal(st.last_seq, 17);
	assert_int_equal(st.map_bytes, uccn_store_map_size(f->s));
	assert_true(st.used_bytes > 0 && st.used_bytes <= st.map_bytes);

	/* the counts are the data's, not the process's */
	fx_reopen(f, 0);
	st = get_stats(f->s);
	assert_int_equal(st.cities, 5);
	assert_int_equal(st.posts, 12);
	assert_int_equal(st.last_seq, 17);

	/* a read snapshot keeps its counts while a write commits */
	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	write_city(f->s, "c9", NULL);
	assert_int_equal(uccn_store_stats(t, &st), 0);
	assert_int_equal(st.cities, 5);
	assert_int_equal(st.last_seq, 17);
	uccn_store_txn_end(&t);
	st = get_stats(f->s);
	assert_int_equal(st.cities, 6);
	assert_int_equal(st.last_seq, 18);
}

/* ---- the data format ---- */

static void set_format(const char *dir, uint64_t format)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	unsigned char v8[8];
	be64_put(v8, format);
	MDB_val k = {.mv_size = 6, .mv_data = "format"};
	MDB_val v = {.mv_size = 8, .mv_data = v8};
	txn = raw_begin(dir, 0, &env);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void test_format_version_refused(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);
	write_city(f->s, "a", NULL);
	uccn_store_close(&f->s);

	/* the format this build wrote is accepted again */
	set_format(f->dir, 3);
	fx_open(f, 0);
	assert_int_equal(get_stats(f->s).cities, 1);
	uccn_store_close(&f->s);

	set_format(f->dir, 4);
	char err[256] = "";
	struct uccn_store *s = NULL;
	assert_int_equal(uccn_store_open(&s, f->dir, 0, err, sizeof err),
			 UCCN_E_VERSION);
	assert_null(s);
	assert_true(strlen(err) > 0);
	/* refused again: nothing was rewritten by the failed open */
	assert_int_equal(uccn_store_open(&s, f->dir, 0, NULL, 0), UCCN_E_VERSION);
	assert_null(s);

	/* put back, the data is all there */
	set_format(f->dir, 3);
	fx_open(f, 0);
	assert_int_equal(get_stats(f->s).last_seq, 1);
}

/* ---- projects and meetings ---- */

/* A list of ids for a record, valid until the end of the enclosing block. */
#define IDS(...)                                                             \
	((struct uccn_idlist){(char *[]){__VA_ARGS__},                       \
			      sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)})

/* One project, meeting or post operation in a write of its own, with what
 * the store answered: rc, seq, version and the reason of a failure. */
enum rec_kind {
	R_PROJECT_ADD, R_PROJECT_UPDATE, R_JOIN, R_LEAVE,
	R_MEETING_ADD, R_MEETING_UPDATE, R_POST,
};

struct rec_op {
	enum rec_kind kind;
	const struct uccn_project *project;
	const struct uccn_meeting *meeting;
	const struct uccn_post *post;
	const char *id, *city;  /* join, leave */
	uint64_t if_version;    /* updates */
	/* results, recomputed on every run */
	int rc;
	uint64_t seq, version;
	char reason[256];
};

static int rec_op_fn(struct uccn_txn *t, void *ctx)
{
	struct rec_op *o = ctx;
	bool dup = false;
	o->seq = o->version = 0;
	switch (o->kind) {
	case R_PROJECT_ADD:
		o->rc = uccn_store_project_add(t, o->project, &o->seq);
		break;
	case R_PROJECT_UPDATE:
		o->rc = uccn_store_project_update(t, o->project, o->if_version,
						  &o->seq, &o->version);
		break;
	case R_JOIN:
	case R_LEAVE:
		o->rc = uccn_store_project_member(t, o->id, o->city, o->kind == R_JOIN,
						  &o->seq, &o->version);
		break;
	case R_MEETING_ADD:
		o->rc = uccn_store_meeting_add(t, o->meeting, &o->seq);
		break;
	case R_MEETING_UPDATE:
		o->rc = uccn_store_meeting_update(t, o->meeting, o->if_version,
						  &o->seq, &o->version);
		break;
	case R_POST:
		o->rc = uccn_store_post_add(t, o->post, rule_flags(o->post), T0, &o->seq, &dup);
		break;
	}
	snprintf(o->reason, sizeof o->reason, "%s", uccn_store_txn_reason(t));
	return o->rc == UCCN_E_MAPFULL ? o->rc : 0;
}

/* Run o (the write itself always commits); returns o's result. */
static int rec_run(struct uccn_store *s, struct rec_op *o)
{
	assert_int_equal(uccn_store_write(s, rec_op_fn, o), 0);
	return o->rc;
}

static int project_add(struct uccn_store *s, const struct uccn_project *p,
		       struct rec_op *o)
{
	*o = (struct rec_op){.kind = R_PROJECT_ADD, .project = p};
	return rec_run(s, o);
}

static int project_update(struct uccn_store *s, const struct uccn_project *p,
			  uint64_t if_version, struct rec_op *o)
{
	*o = (struct rec_op){.kind = R_PROJECT_UPDATE, .project = p, .if_version = if_version};
	return rec_run(s, o);
}

static int project_member(struct uccn_store *s, const char *id, const char *city,
			  bool join, struct rec_op *o)
{
	*o = (struct rec_op){.kind = join ? R_JOIN : R_LEAVE, .id = id, .city = city};
	return rec_run(s, o);
}

static int meeting_add(struct uccn_store *s, const struct uccn_meeting *m,
		       struct rec_op *o)
{
	*o = (struct rec_op){.kind = R_MEETING_ADD, .meeting = m};
	return rec_run(s, o);
}

static int meeting_update(struct uccn_store *s, const struct uccn_meeting *m,
			  uint64_t if_version, struct rec_op *o)
{
	*o = (struct rec_op){.kind = R_MEETING_UPDATE, .meeting = m, .if_version = if_version};
	return rec_run(s, o);
}

static int post_add(struct uccn_store *s, const struct uccn_post *p, struct rec_op *o)
{
	*o = (struct rec_op){.kind = R_POST, .post = p};
	return rec_run(s, o);
}

/* The reason of o's failure names what it is about. */
static void assert_reason_has(const struct rec_op *o, const char *word)
{
	if (!strstr(o->reason, word))
		fail_msg("reason \"%s\" does not name '%s'", o->reason, word);
}

static int get_project(struct uccn_store *s, const char *id, struct uccn_project *out)
{
	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(s, &t), 0);
	int rc = uccn_store_project_get(t, id, out);
	uccn_store_txn_end(&t);
	return rc;
}

static int get_meeting(struct uccn_store *s, const char *id, struct uccn_meeting *out)
{
	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(s, &t), 0);
	int rc = uccn_store_meeting_get(t, id, out);
	uccn_store_txn_end(&t);
	return rc;
}

/* l holds exactly the n ids of want, in order. */
static void assert_ids(const struct uccn_idlist *l, const char *const *want, size_t n)
{
	assert_int_equal(l->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l->v[i], want[i]);
	if (n == 0)
		assert_null(l->v);
}

#define ASSERT_IDS(l, ...)                                                   \
	assert_ids((l), (const char *const[]){__VA_ARGS__},                  \
		   sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

/* Cities zagreb, lyon, dakar and bogota (seq 1..4), all of field design. */
static void write_four_cities(struct fx *f)
{
	fx_open(f, 0);
	assert_int_equal(write_city(f->s, "zagreb", NULL), 1);
	assert_int_equal(write_city(f->s, "lyon", NULL), 2);
	assert_int_equal(write_city(f->s, "dakar", NULL), 3);
	assert_int_equal(write_city(f->s, "bogota", NULL), 4);
}

static void test_project_add(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	write_four_cities(f);

	struct uccn_project p = {
		.id = "lace-2026", .title = "Lace and light", .lead = "zagreb",
		.partners = IDS("lyon", "dakar"),
		.fields = IDS("crafts_folk_art", "design"),
		.start = "2026-01-01", .end = "2026-12-31",
		.description = "Two lines\nof text",
	};
	assert_int_equal(project_add(f->s, &p, &o), 0);
	assert_int_equal(o.seq, 5); /* the next number of the one sequence */
	assert_string_equal(o.reason, "");

	/* a status given is kept; no partners, fields or dates is fine */
	struct uccn_project q = {.id = "sound-map", .title = "Sound map", .lead = "lyon",
				 .status = "active"};
	assert_int_equal(project_add(f->s, &q, &o), 0);
	assert_int_equal(o.seq, 6);

	/* refusals: each names its reason and takes no number */
	struct uccn_project bad = p;
	bad.id = "lace-2027";
	bad.lead = "paris";
	bad.partners = IDS("lyon");
	assert_int_equal(project_add(f->s, &bad, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "paris");
	assert_reason_has(&o, "lead");

	bad.lead = "zagreb";
	bad.partners = IDS("lyon", "paris");
	assert_int_equal(project_add(f->s, &bad, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "paris");
	assert_reason_has(&o, "partner");

	bad.partners = IDS("lyon");
	bad.fields = IDS("design", "sculpture");
	assert_int_equal(project_add(f->s, &bad, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "sculpture");

	assert_int_equal(project_add(f->s, &p, &o), UCCN_E_EXISTS);
	assert_reason_has(&o, "lace-2026");

	bad.fields = IDS("design");
	bad.partners = IDS("lyon", "zagreb");
	assert_int_equal(project_add(f->s, &bad, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "zagreb");

	bad.partners = IDS("lyon");
	bad.start = "2025-02-29";
	assert_int_equal(project_add(f->s, &bad, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "2025-02-29");
	bad.start = "2027-01-01";
	bad.end = "2026-12-31";
	assert_int_equal(project_add(f->s, &bad, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "before");
	bad.end = NULL;
	bad.status = "dormant";
	assert_int_equal(project_add(f->s, &bad, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "dormant");
	bad.status = NULL;
	bad.title = NULL;
	assert_int_equal(project_add(f->s, &bad, &o), UCCN_E_INVALID);
	bad.title = "T";
	bad.id = NULL;
	assert_int_equal(project_add(f->s, &bad, &o), UCCN_E_INVALID);
	assert_int_equal(get_stats(f->s).last_seq, 6);

	/* read back, also after reopening */
	for (int round = 0; round < 2; round++) {
		struct uccn_project got = {0};
		assert_int_equal(get_project(f->s, "lace-2026", &got), 0);
		assert_string_equal(got.id, "lace-2026");
		assert_string_equal(got.title, "Lace and light");
		assert_string_equal(got.lead, "zagreb");
		ASSERT_IDS(&got.partners, "lyon", "dakar");
		ASSERT_IDS(&got.fields, "crafts_folk_art", "design");
		assert_string_equal(got.status, "proposed"); /* the default */
		assert_string_equal(got.start, "2026-01-01");
		assert_string_equal(got.end, "2026-12-31");
		assert_string_equal(got.description, "Two lines\nof text");
		assert_int_equal(got.seq, 5);
		assert_int_equal(got.version, 1);
		uccn_project_clear(&got);

		assert_int_equal(get_project(f->s, "sound-map", &got), 0);
		assert_string_equal(got.status, "active");
		assert_int_equal(got.partners.n, 0);
		assert_int_equal(got.fields.n, 0);
		assert_null(got.start);
		assert_null(got.end);
		assert_null(got.description);
		assert_int_equal(got.seq, 6);
		assert_int_equal(got.version, 1);
		uccn_project_clear(&got);

		/* nothing of the refused ones */
		assert_int_equal(get_project(f->s, "lace-2027", &got), UCCN_E_NOTFOUND);
		assert_int_equal(get_project(f->s, "", &got), UCCN_E_NOTFOUND);
		/* a project is not a post */
		struct uccn_txn *t = NULL;
		struct uccn_post post = {0};
		assert_int_equal(uccn_store_read(f->s, &t), 0);
		assert_int_equal(uccn_store_post_get(t, 5, &post), UCCN_E_NOTFOUND);
		uccn_store_txn_end(&t);
		fx_reopen(f, 0);
	}
	/* the sequence goes on after reopening */
	struct uccn_project r = {.id = "after", .title = "After", .lead = "dakar"};
	assert_int_equal(project_add(f->s, &r, &o), 0);
	assert_int_equal(o.seq, 7);
}

static void test_project_update(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	write_four_cities(f);
	struct uccn_project p = {
		.id = "lace-2026", .title = "Lace and light", .lead = "zagreb",
		.partners = IDS("lyon"), .fields = IDS("design"),
		.start = "2026-01-01", .description = "About lace",
	};
	assert_int_equal(project_add(f->s, &p, &o), 0);
	assert_int_equal(o.seq, 5);

	/* the whole record is replaced */
	struct uccn_project u = {
		.id = "lace-2026", .title = "Lace, light and sound", .lead = "lyon",
		.partners = IDS("zagreb", "bogota"), .fields = IDS("music", "film"),
		.status = "active", .end = "2027-06-30",
	};
	assert_int_equal(project_update(f->s, &u, 1, &o), 0);
	assert_int_equal(o.version, 2);
	assert_int_equal(o.seq, 6);

	/* a stale version changes nothing, and says which is current */
	struct uccn_project stale = u;
	stale.title = "Stale";
	stale.partners = IDS("dakar");
	assert_int_equal(project_update(f->s, &stale, 1, &o), UCCN_E_CONFLICT);
	assert_reason_has(&o, "version 2");
	assert_int_equal(project_update(f->s, &stale, 3, &o), UCCN_E_CONFLICT);
	assert_reason_has(&o, "version 2");
	/* nor do an unknown project, a missing reference or a bad record */
	stale.id = "no-such";
	assert_int_equal(project_update(f->s, &stale, 2, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "no-such");
	stale.id = "lace-2026";
	stale.partners = IDS("paris");
	assert_int_equal(project_update(f->s, &stale, 2, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "paris");
	stale.partners = IDS("lyon");
	assert_int_equal(project_update(f->s, &stale, 2, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "lyon"); /* the lead as partner */
	assert_int_equal(get_stats(f->s).last_seq, 6);

	for (int round = 0; round < 2; round++) {
		struct uccn_project got = {0};
		assert_int_equal(get_project(f->s, "lace-2026", &got), 0);
		assert_string_equal(got.title, "Lace, light and sound");
		assert_string_equal(got.lead, "lyon");
		ASSERT_IDS(&got.partners, "zagreb", "bogota");
		ASSERT_IDS(&got.fields, "music", "film");
		assert_string_equal(got.status, "active");
		assert_null(got.start);       /* replaced by nothing */
		assert_string_equal(got.end, "2027-06-30");
		assert_null(got.description);
		assert_int_equal(got.version, 2);
		assert_int_equal(got.seq, 6);
		uccn_project_clear(&got);
		fx_reopen(f, 0);
	}

	/* an update without a status keeps the current one */
	u.status = NULL;
	u.title = "Third";
	assert_int_equal(project_update(f->s, &u, 2, &o), 0);
	assert_int_equal(o.version, 3);
	assert_int_equal(o.seq, 7);
	struct uccn_project got = {0};
	assert_int_equal(get_project(f->s, "lace-2026", &got), 0);
	assert_string_equal(got.status, "active");
	assert_string_equal(got.title, "Third");
	assert_int_equal(got.version, 3);
	uccn_project_clear(&got);
}

static void test_project_members(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	write_four_cities(f);
	struct uccn_project p = {.id = "lace-2026", .title = "Lace", .lead = "zagreb",
				 .partners = IDS("lyon")};
	assert_int_equal(project_add(f->s, &p, &o), 0);

	assert_int_equal(project_member(f->s, "lace-2026", "bogota", true, &o), 0);
	assert_int_equal(o.version, 2);
	assert_int_equal(o.seq, 6);
	struct uccn_project got = {0};
	assert_int_equal(get_project(f->s, "lace-2026", &got), 0);
	ASSERT_IDS(&got.partners, "lyon", "bogota");
	assert_int_equal(got.version, 2);
	assert_int_equal(got.seq, 6);
	uccn_project_clear(&got);

	/* refusals take no number */
	assert_int_equal(project_member(f->s, "lace-2026", "bogota", true, &o), UCCN_E_EXISTS);
	assert_reason_has(&o, "bogota");
	assert_int_equal(project_member(f->s, "lace-2026", "zagreb", true, &o), UCCN_E_EXISTS);
	assert_reason_has(&o, "leads");
	assert_int_equal(project_member(f->s, "lace-2026", "paris", true, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "paris");
	assert_int_equal(project_member(f->s, "no-such", "dakar", true, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "no-such");
	assert_int_equal(project_member(f->s, "no-such", "dakar", false, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "no-such");
	assert_int_equal(get_stats(f->s).last_seq, 6);

	assert_int_equal(project_member(f->s, "lace-2026", "lyon", false, &o), 0);
	assert_int_equal(o.version, 3);
	assert_int_equal(o.seq, 7);

	assert_int_equal(project_member(f->s, "lace-2026", "zagreb", false, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "zagreb");
	assert_int_equal(project_member(f->s, "lace-2026", "lyon", false, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "lyon");
	assert_int_equal(project_member(f->s, "lace-2026", "dakar", false, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "dakar");
	assert_int_equal(get_stats(f->s).last_seq, 7);

	/* rejoining after leaving is a join like any other */
	assert_int_equal(project_member(f->s, "lace-2026", "lyon", true, &o), 0);
	assert_int_equal(o.version, 4);
	fx_reopen(f, 0);
	assert_int_equal(get_project(f->s, "lace-2026", &got), 0);
	ASSERT_IDS(&got.partners, "bogota", "lyon");
	assert_string_equal(got.lead, "zagreb");
	assert_int_equal(got.version, 4);
	assert_int_equal(got.seq, 8);
	uccn_project_clear(&got);

	/* an update names the version the joins made */
	assert_int_equal(project_update(f->s, &p, 1, &o), UCCN_E_CONFLICT);
	assert_reason_has(&o, "version 4");
	assert_int_equal(project_update(f->s, &p, 4, &o), 0);
	assert_int_equal(o.version, 5);
}

struct id_walk {
	char ids[8][UCCN_MAX_ID + 1];
	uint64_t seqs[8];
	size_t n;
	size_t stop_after; /* 0: never stop */
};

static int walk_note(struct id_walk *w, const char *id, uint64_t seq)
{
	assert_true(w->n < 8);
	snprintf(w->ids[w->n], sizeof w->ids[0], "%s", id);
	w->seqs[w->n] = seq;
	w->n++;
	return w->stop_after && w->n == w->stop_after;
}

static int collect_project(const struct uccn_project *p, void *ctx)
{
	return walk_note(ctx, p->id, p->seq);
}

static int collect_meeting(const struct uccn_meeting *m, void *ctx)
{
	return walk_note(ctx, m->id, m->seq);
}

static void test_project_meeting_each(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	write_four_cities(f);

	/* none yet: the walks call nothing */
	struct uccn_txn *t0 = NULL;
	struct id_walk none = {0};
	assert_int_equal(uccn_store_read(f->s, &t0), 0);
	assert_int_equal(uccn_store_project_each(t0, collect_project, &none), 0);
	assert_int_equal(uccn_store_meeting_each(t0, collect_meeting, &none), 0);
	assert_int_equal(none.n, 0);
	uccn_store_txn_end(&t0);

	static const char *const ids[] = {"m-proj", "a-proj", "z-proj", "b-proj"};
	for (size_t i = 0; i < 4; i++) {
		struct uccn_project p = {.id = (char *)ids[i], .title = "P", .lead = "dakar"};
		struct uccn_meeting m = {
			.id = (char *)ids[i], .kind = "conference", .hosts = IDS("lyon"),
			.start = "2026-03-01", .end = "2026-03-01", .tz = "Europe/Paris",
		};
		assert_int_equal(project_add(f->s, &p, &o), 0);
		assert_int_equal(meeting_add(f->s, &m, &o), 0);
	}
	for (int round = 0; round < 2; round++) {
		struct uccn_txn *t = NULL;
		assert_int_equal(uccn_store_read(f->s, &t), 0);
		struct id_walk w = {0};
		assert_int_equal(uccn_store_project_each(t, collect_project, &w), 0);
		assert_int_equal(w.n, 4);
		assert_string_equal(w.ids[0], "a-proj");
		assert_string_equal(w.ids[1], "b-proj");
		assert_string_equal(w.ids[2], "m-proj");
		assert_string_equal(w.ids[3], "z-proj");
		assert_int_equal(w.seqs[0], 7); /* id order, not creation order */
		assert_int_equal(w.seqs[1], 11);
		assert_int_equal(w.seqs[2], 5);
		assert_int_equal(w.seqs[3], 9);

		struct id_walk mw = {0};
		assert_int_equal(uccn_store_meeting_each(t, collect_meeting, &mw), 0);
		assert_int_equal(mw.n, 4);
		assert_string_equal(mw.ids[0], "a-proj");
		assert_string_equal(mw.ids[3], "z-proj");
		assert_int_equal(mw.seqs[0], 8);
		assert_int_equal(mw.seqs[2], 6);

		/* stopping early still returns 0 */
		struct id_walk one = {.stop_after = 2};
		assert_int_equal(uccn_store_project_each(t, collect_project, &one), 0);
		assert_int_equal(one.n, 2);
		assert_string_equal(one.ids[1], "b-proj");
		struct id_walk mone = {.stop_after = 1};
		assert_int_equal(uccn_store_meeting_each(t, collect_meeting, &mone), 0);
		assert_int_equal(mone.n, 1);
		uccn_store_txn_end(&t);
		fx_reopen(f, 0);
	}

}

static void test_meeting_add_update(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	write_four_cities(f);

	/* the least a meeting needs: hours and status take their defaults */
	struct uccn_meeting m = {
		.id = "design-agm-2026", .kind = "annual-meeting", .field = "design",
		.hosts = IDS("zagreb", "lyon"), .start = "2026-06-01", .end = "2026-06-03",
		.tz = "Europe/Zagreb",
	};
	assert_int_equal(meeting_add(f->s, &m, &o), 0);
	assert_int_equal(o.seq, 5);

	struct uccn_meeting full = {
		.id = "wg-maps", .kind = "working-group", .hosts = IDS("dakar"),
		.place = "Dakar, Maison de la culture", .start = "2026-09-10",
		.end = "2026-09-10", .tz = "Africa/Dakar", .day_start = "08:30",
		.day_end = "12:00", .hybrid = true, .status = "agenda-draft",
	};
	assert_int_equal(meeting_add(f->s, &full, &o), 0);
	assert_int_equal(o.seq, 6);

	/* refusals: each names its reason and takes no number */
	struct uccn_meeting bad = m;
	bad.id = "bad";
	bad.hosts = IDS("zagreb", "paris");
	assert_int_equal(meeting_add(f->s, &bad, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "paris");
	bad.hosts = IDS("zagreb");
	bad.field = "sculpture";
	assert_int_equal(meeting_add(f->s, &bad, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "sculpture");
	bad.field = NULL; /* an annual meeting is of one field */
	assert_int_equal(meeting_add(f->s, &bad, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "field");
	bad.kind = "conference"; /* other kinds need none */
	bad.end = "2026-05-31";
	assert_int_equal(meeting_add(f->s, &bad, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "before");
	bad.end = "2026-06-01";
	bad.day_start = "18:00"; /* after the default end, 17:30 */
	assert_int_equal(meeting_add(f->s, &bad, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "17:30");
	bad.day_start = "10:00";
	bad.day_end = "10:00";
	assert_int_equal(meeting_add(f->s, &bad, &o), UCCN_E_INVALID);
	bad.day_end = NULL;
	bad.tz = NULL;
	assert_int_equal(meeting_add(f->s, &bad, &o), UCCN_E_INVALID);
	bad.tz = "Europe/Zagreb";
	bad.hosts = (struct uccn_idlist){0};
	assert_int_equal(meeting_add(f->s, &bad, &o), UCCN_E_INVALID);
	bad.hosts = IDS("zagreb");
	bad.status = "postponed";
	assert_int_equal(meeting_add(f->s, &bad, &o), UCCN_E_INVALID);
	assert_int_equal(meeting_add(f->s, &m, &o), UCCN_E_EXISTS);
	assert_reason_has(&o, "design-agm-2026");
	assert_int_equal(get_stats(f->s).last_seq, 6);

	for (int round = 0; round < 2; round++) {
		struct uccn_meeting got = {0};
		assert_int_equal(get_meeting(f->s, "design-agm-2026", &got), 0);
		assert_string_equal(got.id, "design-agm-2026");
		assert_string_equal(got.kind, "annual-meeting");
		assert_string_equal(got.field, "design");
		ASSERT_IDS(&got.hosts, "zagreb", "lyon");
		assert_null(got.place);
		assert_string_equal(got.start, "2026-06-01");
		assert_string_equal(got.end, "2026-06-03");
		assert_string_equal(got.tz, "Europe/Zagreb");
		assert_string_equal(got.day_start, UCCN_DEFAULT_DAY_START);
		assert_string_equal(got.day_end, UCCN_DEFAULT_DAY_END);
		assert_string_equal(got.day_start, "09:00");
		assert_string_equal(got.day_end, "17:30");
		assert_false(got.hybrid);
		assert_string_equal(got.status, "planned");
		assert_int_equal(got.seq, 5);
		assert_int_equal(got.version, 1);
		uccn_meeting_clear(&got);

		assert_int_equal(get_meeting(f->s, "wg-maps", &got), 0);
		assert_null(got.field);
		ASSERT_IDS(&got.hosts, "dakar");
		assert_string_equal(got.place, "Dakar, Maison de la culture");
		assert_string_equal(got.day_start, "08:30");
		assert_string_equal(got.day_end, "12:00");
		assert_true(got.hybrid);
		assert_string_equal(got.status, "agenda-draft");
		assert_int_equal(got.seq, 6);
		assert_int_equal(got.version, 1);
		uccn_meeting_clear(&got);

		assert_int_equal(get_meeting(f->s, "bad", &got), UCCN_E_NOTFOUND);
		fx_reopen(f, 0);
	}

	/* update: the record is replaced, the version goes up */
	struct uccn_meeting u = m;
	u.hosts = IDS("bogota");
	u.place = "Bogotá";
	u.tz = "America/Bogota";
	u.hybrid = true;
	u.status = "agenda-published";
	assert_int_equal(meeting_update(f->s, &u, 1, &o), 0);
	assert_int_equal(o.version, 2);
	assert_int_equal(o.seq, 7);

	struct uccn_meeting stale = u;
	stale.place = "Stale";
	assert_int_equal(meeting_update(f->s, &stale, 1, &o), UCCN_E_CONFLICT);
	assert_reason_has(&o, "version 2");
	stale.id = "no-such";
	assert_int_equal(meeting_update(f->s, &stale, 1, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "no-such");
	stale.id = u.id;
	stale.field = NULL; /* still an annual meeting */
	assert_int_equal(meeting_update(f->s, &stale, 2, &o), UCCN_E_INVALID);
	stale.field = "design";
	stale.hosts = IDS("paris");
	assert_int_equal(meeting_update(f->s, &stale, 2, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "paris");
	assert_int_equal(get_stats(f->s).last_seq, 7);

	struct uccn_meeting got = {0};
	assert_int_equal(get_meeting(f->s, u.id, &got), 0);
	ASSERT_IDS(&got.hosts, "bogota");
	assert_string_equal(got.place, "Bogotá");
	assert_string_equal(got.tz, "America/Bogota");
	assert_true(got.hybrid);
	assert_string_equal(got.status, "agenda-published");
	assert_int_equal(got.version, 2);
	assert_int_equal(got.seq, 7);
	uccn_meeting_clear(&got);

	/* without a status the current one stays */
	u.status = NULL;
	u.hybrid = false;
	assert_int_equal(meeting_update(f->s, &u, 2, &o), 0);
	assert_int_equal(o.version, 3);
	fx_reopen(f, 0);
	assert_int_equal(get_meeting(f->s, u.id, &got), 0);
	assert_string_equal(got.status, "agenda-published");
	assert_false(got.hybrid);
	assert_int_equal(got.version, 3);
	assert_int_equal(got.seq, 8);
	uccn_meeting_clear(&got);
}

/* Projects and meetings share one versioned write: each refuses a stale
 * update, an update of nothing and a second add in the same words, writes
 * nothing when it does, and fills its defaults into a copy, never into
 * the caller's record. */
static void test_versioned_write_same_for_both(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	write_four_cities(f);
	struct uccn_project p = {.id = "lace", .title = "Lace", .lead = "zagreb"};
	struct uccn_meeting m = {
		.id = "wg", .kind = "working-group", .hosts = IDS("lyon"),
		.start = "2026-06-01", .end = "2026-06-01", .tz = "Europe/Paris",
	};
	struct {
		const char *type, *id;
		enum rec_kind add, update;
	} both[] = {
		{"project", "lace", R_PROJECT_ADD, R_PROJECT_UPDATE},
		{"meeting", "wg", R_MEETING_ADD, R_MEETING_UPDATE},
	};
	for (size_t i = 0; i < 2; i++) {
		char want[200];
		uint64_t last = get_stats(f->s).last_seq;
		o = (struct rec_op){.kind = both[i].add, .project = &p, .meeting = &m};
		assert_int_equal(rec_run(f->s, &o), 0);
		assert_int_equal(o.seq, last + 1);
		/* the defaults went into the store's copy */
		assert_null(i == 0 ? p.status : m.status);
		assert_null(m.day_start);
		for (uint64_t v = 2; v <= 3; v++) {
			o = (struct rec_op){.kind = both[i].update, .project = &p, .meeting = &m,
					    .if_version = v - 1};
			assert_int_equal(rec_run(f->s, &o), 0);
			assert_int_equal(o.version, v);
		}

		o = (struct rec_op){.kind = both[i].update, .project = &p, .meeting = &m,
				    .if_version = 2};
		assert_int_equal(rec_run(f->s, &o), UCCN_E_CONFLICT);
		snprintf(want, sizeof want, "%s '%s' is at version 3, not 2", both[i].type,
			 both[i].id);
		assert_reason_has(&o, want);
		o.kind = both[i].add;
		assert_int_equal(rec_run(f->s, &o), UCCN_E_EXISTS);
		snprintf(want, sizeof want, "%s '%s' exists already", both[i].type, both[i].id);
		assert_reason_has(&o, want);
		assert_int_equal(get_stats(f->s).last_seq, last + 3);
	}
	p.id = "gone";
	m.id = "gone";
	for (size_t i = 0; i < 2; i++) {
		char want[200];
		o = (struct rec_op){.kind = both[i].update, .project = &p, .meeting = &m,
				    .if_version = 1};
		assert_int_equal(rec_run(f->s, &o), UCCN_E_NOTFOUND);
		snprintf(want, sizeof want, "%s 'gone' does not exist", both[i].type);
		assert_reason_has(&o, want);
	}

	struct uccn_project gp = {0};
	struct uccn_meeting gm = {0};
	assert_int_equal(get_project(f->s, "lace", &gp), 0);
	assert_int_equal(get_meeting(f->s, "wg", &gm), 0);
	assert_int_equal(gp.version, 3);
	assert_int_equal(gm.version, 3);
	assert_string_equal(gp.status, "proposed");
	assert_string_equal(gm.status, "planned");
	assert_string_equal(gm.day_start, UCCN_DEFAULT_DAY_START);
	uccn_project_clear(&gp);
	uccn_meeting_clear(&gm);
}

/* The store writes only records it can read back: a project or meeting
 * past the limits of its msgpack form is refused whole. Regression: these
 * were written, then read back as UCCN_E_CORRUPT (and spoiled the walks). */
static void test_project_meeting_limits(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	static char names[UCCN_MAX_LIST + 2][8];
	char *ids[UCCN_MAX_LIST + 2];
	fx_open(f, 0);
	/* cities c0 .. c65 */
	for (size_t start = 0; start < UCCN_MAX_LIST + 2; start += 33) {
		struct batch b = {0};
		for (size_t i = start; i < start + 33; i++) {
			snprintf(names[i], sizeof names[i], "c%zu", i);
			ids[i] = names[i];
			add_city_op(&b, mk_city(names[i], NULL));
		}
		assert_int_equal(run_batch(f->s, &b), 0);
		for (size_t i = 0; i < b.n; i++)
			assert_int_equal(b.ops[i].rc, 0);
	}
	uint64_t last = get_stats(f->s).last_seq;
	assert_int_equal(last, UCCN_MAX_LIST + 2);

	char *long_title = calloc(1, UCCN_MAX_TITLE + 2);
	char *long_place = calloc(1, UCCN_MAX_PLACE + 2);
	assert_non_null(long_title);
	assert_non_null(long_place);
	memset(long_title, 't', UCCN_MAX_TITLE + 1);
	memset(long_place, 'p', UCCN_MAX_PLACE + 1);

	/* lead c65; more partners than a list holds */
	struct uccn_project p = {.id = "big", .title = "Big", .lead = ids[UCCN_MAX_LIST + 1],
				 .partners = {ids, UCCN_MAX_LIST + 1}};
	assert_int_equal(project_add(f->s, &p, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "partners");
	p.partners = IDS("c1", "c2", "c1"); /* a list built by hand, with a repeat */
	assert_int_equal(project_add(f->s, &p, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "twice");
	p.partners = IDS("c1");
	p.fields = IDS("design", "design");
	assert_int_equal(project_add(f->s, &p, &o), UCCN_E_INVALID);
	p.fields = IDS("media-arts");
	assert_int_equal(project_add(f->s, &p, &o), UCCN_E_INVALID);
	p.fields = (struct uccn_idlist){0};
	p.title = long_title;
	assert_int_equal(project_add(f->s, &p, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "title");
	p.title = "Line\nbreak";
	assert_int_equal(project_add(f->s, &p, &o), UCCN_E_INVALID);

	struct uccn_meeting m = {
		.id = "big", .kind = "conference", .hosts = {ids, UCCN_MAX_LIST + 1},
		.start = "2026-01-01", .end = "2026-01-01", .tz = "UTC",
	};
	assert_int_equal(meeting_add(f->s, &m, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "hosts");
	m.hosts = IDS("c1", "c1");
	assert_int_equal(meeting_add(f->s, &m, &o), UCCN_E_INVALID);
	m.hosts = IDS("c1");
	m.place = long_place;
	assert_int_equal(meeting_add(f->s, &m, &o), UCCN_E_INVALID);
	assert_reason_has(&o, "place");
	assert_int_equal(get_stats(f->s).last_seq, last);

	/* at the limits: written and read back */
	p.title = "Big";
	p.partners = (struct uccn_idlist){ids, UCCN_MAX_LIST - 1}; /* c0 .. c62 */
	long_title[UCCN_MAX_TITLE] = '\0';
	p.description = long_title;
	assert_int_equal(project_add(f->s, &p, &o), 0);
	m.hosts = (struct uccn_idlist){ids, UCCN_MAX_LIST};
	long_place[UCCN_MAX_PLACE] = '\0';
	m.place = long_place;
	assert_int_equal(meeting_add(f->s, &m, &o), 0);

	/* joins fill the list to its limit, and no further */
	assert_int_equal(project_member(f->s, "big", "c63", true, &o), 0);
	assert_int_equal(o.version, 2);
	assert_int_equal(project_member(f->s, "big", "c64", true, &o), UCCN_E_TOOBIG);
	assert_reason_has(&o, "big");

	struct uccn_project gp = {0};
	struct uccn_meeting gm = {0};
	assert_int_equal(get_project(f->s, "big", &gp), 0);
	assert_int_equal(gp.partners.n, UCCN_MAX_LIST);
	assert_string_equal(gp.partners.v[UCCN_MAX_LIST - 1], "c63");
	assert_int_equal(gp.version, 2);
	uccn_project_clear(&gp);
	assert_int_equal(get_meeting(f->s, "big", &gm), 0);
	assert_int_equal(gm.hosts.n, UCCN_MAX_LIST);
	assert_int_equal(strlen(gm.place), UCCN_MAX_PLACE);
	uccn_meeting_clear(&gm);

	struct uccn_txn *t = NULL;
	struct id_walk w = {0};
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_project_each(t, collect_project, &w), 0);
	assert_int_equal(uccn_store_meeting_each(t, collect_meeting, &w), 0);
	assert_int_equal(w.n, 2);
	uccn_store_txn_end(&t);
	free(long_title);
	free(long_place);
}

static int count_post(const struct uccn_post *p, void *ctx)
{
	(void)p;
	(*(size_t *)ctx)++;
	return 0;
}

static void test_post_refs_must_exist(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	static const char *const projects[] = {"p1", NULL};
	static const char *const meetings[] = {"m1", NULL};
	fx_open(f, 0);
	write_city(f->s, "a", NULL);
	write_refs(f->s, "a", projects, meetings); /* seq 2 and 3 */

	struct uccn_post p = mk_post("a", "proposal", "about a ghost");
	p.project = "ghost";
	assert_int_equal(post_add(f->s, &p, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "project 'ghost'");
	p.project = "p1";
	p.meeting = "ghost-m";
	assert_int_equal(post_add(f->s, &p, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "meeting 'ghost-m'");
	/* projects and meetings are apart: a project's id is no meeting */
	p.meeting = "p1";
	assert_int_equal(post_add(f->s, &p, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "meeting 'p1'");
	p.project = "m1";
	p.meeting = "m1";
	assert_int_equal(post_add(f->s, &p, &o), UCCN_E_NOTFOUND);
	assert_reason_has(&o, "project 'm1'");
	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.last_seq, 3);
	assert_int_equal(st.posts, 0);

	/* the refused posts took no number: the next one is 4 */
	p.project = "p1";
	p.meeting = "m1";
	assert_int_equal(post_add(f->s, &p, &o), 0);
	assert_int_equal(o.seq, 4);

	/* in a batch, the refused one between two others leaves no gap */
	struct batch b = {0};
	struct uccn_post ghost = mk_post("a", "news", "x");
	ghost.meeting = "ghost";
	struct op *o1 = add_post_op(&b, mk_post("a", "news", "one"), T0);
	struct op *o2 = add_post_op(&b, ghost, T0);
	struct op *o3 = add_post_op(&b, mk_post("a", "news", "two"), T0);
	assert_int_equal(run_batch(f->s, &b), 0);
	assert_int_equal(o1->rc, 0);
	assert_int_equal(o1->seq, 5);
	assert_int_equal(o2->rc, UCCN_E_NOTFOUND);
	assert_int_equal(o3->rc, 0);
	assert_int_equal(o3->seq, 6);

	/* nothing was indexed for the ghost */
	struct uccn_txn *t = NULL;
	struct uccn_query q = {.meeting = "ghost"};
	uint64_t next = 1;
	size_t seen = 0;
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_post_list(t, &q, count_post, &seen, &next), 0);
	assert_int_equal(seen, 0);
	assert_int_equal(next, 0);
	q.meeting = "m1";
	assert_int_equal(uccn_store_post_list(t, &q, count_post, &seen, &next), 0);
	assert_int_equal(seen, 1);
	uccn_store_txn_end(&t);
	st = get_stats(f->s);
	assert_int_equal(st.posts, 3);
	assert_int_equal(st.last_seq, 6);
}

/* ---- audiences, mailboxes, visibility, the forward walk ---- */

/* Seqs a walk handed over, in order; stop on the stop_at-th (0: never). */
struct seqs {
	uint64_t v[256];
	size_t n;
	size_t stop_at;
};

static int collect_seq(const struct uccn_post *p, void *ctx)
{
	struct seqs *s = ctx;
	assert_true(s->n < sizeof s->v / sizeof s->v[0]);
	assert_non_null(p->city);
	assert_non_null(p->kind);
	assert_non_null(p->body);
	s->v[s->n++] = p->seq;
	return s->stop_at && s->n == s->stop_at;
}

static void assert_seqs(const struct seqs *got, const uint64_t *want, size_t n,
			const char *what)
{
	bool same = got->n == n;
	for (size_t i = 0; same && i < n; i++)
		same = got->v[i] == want[i];
	if (same)
		return;
	char buf[600];
	size_t off = (size_t)snprintf(buf, sizeof buf, "%s: got", what);
	for (size_t i = 0; i < got->n && off < sizeof buf - 24; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, " %llu",
					(unsigned long long)got->v[i]);
	off += (size_t)snprintf(buf + off, sizeof buf - off, "; want");
	for (size_t i = 0; i < n && off < sizeof buf - 24; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, " %llu",
					(unsigned long long)want[i]);
	fail_msg("%s", buf);
}

#define SEQS(...) (const uint64_t[]){__VA_ARGS__}, \
	sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t)
#define NO_SEQS NULL, 0

/* A city of the given creative field, with a key of its own (its id, then
 * '0's: Z85 text, distinct per id); keyless when with_key is false. */
static uint64_t write_city_key(struct uccn_store *s, const char *id, const char *field,
			       bool with_key)
{
	struct batch b = {0};
	struct uccn_city c = mk_city(id, NULL);
	c.field = (char *)field;
	if (with_key) {
		assert_true(strlen(id) < UCCN_KEY_Z85_LEN);
		memset(c.key, '0', UCCN_KEY_Z85_LEN);
		memcpy(c.key, id, strlen(id));
		c.key[UCCN_KEY_Z85_LEN] = '\0';
		assert_true(uccn_key_z85_valid(c.key));
	}
	struct op *o = add_city_op(&b, c);
	assert_int_equal(run_batch(s, &b), 0);
	assert_int_equal(o->rc, 0);
	return o->seq;
}

static uint64_t write_city_in(struct uccn_store *s, const char *id, const char *field)
{
	return write_city_key(s, id, field, true);
}

/* A post by author of kind to the audience to; returns the store's answer. */
static int post_to(struct uccn_store *s, const char *author, const char *kind,
		   struct uccn_idlist to, struct rec_op *o)
{
	struct uccn_post p = mk_post(author, kind, "to whom it may concern");
	p.to = to;
	return post_add(s, &p, o);
}

static uint64_t post_to_ok(struct uccn_store *s, const char *author, const char *kind,
			   struct uccn_idlist to)
{
	struct rec_op o;
	int rc = post_to(s, author, kind, to, &o);
	if (rc)
		fail_msg("post by %s refused: %d %s", author, rc, o.reason);
	return o.seq;
}

static void mailbox(struct uccn_store *s, const char *city, uint32_t limit,
		    struct seqs *out)
{
	struct uccn_txn *t = NULL;
	out->n = 0;
	assert_int_equal(uccn_store_read(s, &t), 0);
	assert_int_equal(uccn_store_mailbox_each(t, city, limit, collect_seq, out), 0);
	uccn_store_txn_end(&t);
}

static uint64_t mailbox_count(struct uccn_store *s, const char *city)
{
	struct uccn_txn *t = NULL;
	uint64_t n = 12345;
	assert_int_equal(uccn_store_read(s, &t), 0);
	assert_int_equal(uccn_store_mailbox_count(t, city, &n), 0);
	uccn_store_txn_end(&t);
	return n;
}

static uint64_t mailbox_total(struct uccn_store *s)
{
	struct uccn_txn *t = NULL;
	uint64_t n = 12345;
	assert_int_equal(uccn_store_read(s, &t), 0);
	assert_int_equal(uccn_store_mailbox_total(t, &n), 0);
	uccn_store_txn_end(&t);
	return n;
}

/* city's mailbox holds exactly want, oldest first, and counts them. */
static void assert_mailbox(struct uccn_store *s, const char *city,
			   const uint64_t *want, size_t n)
{
	struct seqs got = {0};
	char what[100];
	snprintf(what, sizeof what, "mailbox of %s", city);
	mailbox(s, city, UINT32_MAX, &got);
	assert_seqs(&got, want, n, what);
	assert_int_equal(mailbox_count(s, city), n);
}

static void test_audience_delivery(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	fx_open(f, 0);
	assert_int_equal(write_city_in(f->s, "zagreb", "design"), 1);
	assert_int_equal(write_city_in(f->s, "lyon", "design"), 2);
	assert_int_equal(write_city_in(f->s, "dakar", "music"), 3);
	assert_int_equal(write_city_in(f->s, "bogota", "music"), 4);
	assert_int_equal(write_city_in(f->s, "krakow", "literature"), 5);
	struct uccn_project p1 = {.id = "p1", .title = "One", .lead = "zagreb",
				  .partners = IDS("lyon")};
	assert_int_equal(project_add(f->s, &p1, &o), 0);
	assert_int_equal(o.seq, 6);
	assert_int_equal(mailbox_total(f->s), 0);

	/* a city */
	assert_int_equal(post_to_ok(f->s, "zagreb", "news", IDS("city:dakar")), 7);
	/* a project: its lead and partners; the author is not a member */
	assert_int_equal(post_to_ok(f->s, "dakar", "proposal", IDS("project:p1")), 8);
	/* the author is a member: not to its own mailbox */
	assert_int_equal(post_to_ok(f->s, "zagreb", "update", IDS("project:p1")), 9);
	/* bogota joins: the old posts are not delivered to it */
	assert_int_equal(project_member(f->s, "p1", "bogota", true, &o), 0);
	assert_int_equal(o.seq, 10);
	assert_mailbox(f->s, "bogota", NO_SEQS);
	assert_int_equal(post_to_ok(f->s, "dakar", "news", IDS("project:p1")), 11);
	/* a field */
	assert_int_equal(post_to_ok(f->s, "krakow", "news", IDS("field:music")), 12);
	/* dakar named twice (as a city and by its field): delivered once */
	assert_int_equal(post_to_ok(f->s, "lyon", "message",
				    IDS("city:dakar", "field:music")), 13);
	/* all, but the author */
	assert_int_equal(post_to_ok(f->s, "zagreb", "news", IDS("all")), 14);
	/* to itself only: nobody's mailbox */
	assert_int_equal(post_to_ok(f->s, "zagreb", "message", IDS("city:zagreb")), 15);
	/* all and a city of all: still once each */
	assert_int_equal(post_to_ok(f->s, "krakow", "news", IDS("city:lyon", "all", "field:design")), 16);
	/* an empty field's audience is nobody: no error */
	assert_int_equal(post_to_ok(f->s, "krakow", "news", IDS("field:film")), 17);
	/* no audience: no mailbox */
	assert_int_equal(post_to_ok(f->s, "krakow", "news", (struct uccn_idlist){0}), 18);

	assert_mailbox(f->s, "zagreb", SEQS(8, 11, 16));
	assert_mailbox(f->s, "lyon", SEQS(8, 9, 11, 14, 16));
	assert_mailbox(f->s, "dakar", SEQS(7, 12, 13, 14, 16));
	assert_mailbox(f->s, "bogota", SEQS(11, 12, 13, 14, 16));
	assert_mailbox(f->s, "krakow", SEQS(14));
	assert_mailbox(f->s, "nowhere", NO_SEQS);
	assert_int_equal(mailbox_total(f->s), 3 + 5 + 5 + 5 + 1);

	/* the post keeps its audience as given */
	struct uccn_txn *t = NULL;
	struct uccn_post got = {0};
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_post_get(t, 16, &got), 0);
	ASSERT_IDS(&got.to, "city:lyon", "all", "field:design");
	uccn_post_clear(&got);
	assert_int_equal(uccn_store_post_get(t, 18, &got), 0);
	assert_int_equal(got.to.n, 0);
	uccn_post_clear(&got);
	uccn_store_txn_end(&t);

	/* mailboxes are durable */
	fx_reopen(f, 0);
	assert_mailbox(f->s, "dakar", SEQS(7, 12, 13, 14, 16));
	assert_int_equal(mailbox_total(f->s), 19);

	/* an idempotent retry is not delivered again */
	struct uccn_post k = mk_post("lyon", "news", "once");
	k.to = IDS("city:krakow");
	k.idem_key = "k-1";
	assert_int_equal(post_add(f->s, &k, &o), 0);
	assert_int_equal(o.seq, 19);
	assert_int_equal(post_add(f->s, &k, &o), 0);
	assert_int_equal(o.seq, 19);
	assert_mailbox(f->s, "krakow", SEQS(14, 19));
}

static void test_audience_must_exist(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	static const char *const projects[] = {"p1", NULL};
	static const char *const meetings[] = {"m1", NULL};
	fx_open(f, 0);
	write_city_in(f->s, "a", "design");
	write_city_in(f->s, "b", "music");
	write_refs(f->s, "a", projects, meetings); /* seq 3 and 4 */

	static const struct {
		const char *spec, *named;
	} ghosts[] = {
		{"city:ghost", "ghost"},
		{"project:ghost-p", "ghost-p"},
		{"project:m1", "m1"},      /* a meeting is no project */
		{"city:p1", "p1"},         /* nor a project a city */
		{"field:sculpture", "sculpture"},
	};
	for (size_t i = 0; i < sizeof ghosts / sizeof ghosts[0]; i++) {
		/* alone, or after an audience that does exist */
		assert_int_equal(post_to(f->s, "a", "news", IDS((char *)ghosts[i].spec), &o),
				 UCCN_E_NOTFOUND);
		assert_reason_has(&o, ghosts[i].named);
		assert_reason_has(&o, ghosts[i].spec);
		assert_int_equal(post_to(f->s, "a", "message",
					 IDS("city:b", "all", (char *)ghosts[i].spec), &o),
				 UCCN_E_NOTFOUND);
		assert_reason_has(&o, ghosts[i].named);
	}
	/* nothing was written, no number taken, nothing delivered */
	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.last_seq, 4);
	assert_int_equal(st.posts, 0);
	assert_int_equal(mailbox_total(f->s), 0);

	/* a message needs an audience; a malformed one, or one of more than
	 * UCCN_MAX_AUDIENCE, is refused */
	assert_int_equal(post_to(f->s, "a", "message", (struct uccn_idlist){0}, &o),
			 UCCN_E_INVALID);
	assert_int_equal(post_to(f->s, "a", "news", IDS("town:b"), &o), UCCN_E_INVALID);
	assert_int_equal(post_to(f->s, "a", "news",
				 IDS("city:b", "city:c", "city:d", "city:e", "city:f",
				     "city:g", "city:h", "city:i", "city:j"), &o),
			 UCCN_E_TOOBIG);
	assert_int_equal(get_stats(f->s).last_seq, 4);

	/* the next post takes the next number */
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:b")), 5);

	/* in a batch, the refused one between two others leaves no gap and
	 * no mailbox entry */
	struct batch b = {0};
	struct uccn_post p1 = mk_post("a", "news", "one"), p2 = p1, p3 = p1;
	p1.to = IDS("city:b");
	p2.to = IDS("city:b", "city:ghost");
	p3.to = IDS("all");
	struct op *o1 = add_post_op(&b, p1, T0);
	struct op *o2 = add_post_op(&b, p2, T0);
	struct op *o3 = add_post_op(&b, p3, T0);
	assert_int_equal(run_batch(f->s, &b), 0);
	assert_int_equal(o1->rc, 0);
	assert_int_equal(o1->seq, 6);
	assert_int_equal(o2->rc, UCCN_E_NOTFOUND);
	assert_int_equal(o3->rc, 0);
	assert_int_equal(o3->seq, 7);
	assert_mailbox(f->s, "b", SEQS(5, 6, 7));
	assert_mailbox(f->s, "a", NO_SEQS);
	assert_int_equal(mailbox_total(f->s), 3);
}

/* Acknowledge city's mailbox up to upto in a write of its own; fn_rc != 0
 * aborts the write after the ack ran. */
struct ack_op {
	const char *city;
	uint64_t upto;
	int fn_rc;
	int rc;
	uint64_t acked, unread;
};

static int ack_fn(struct uccn_txn *t, void *ctx)
{
	struct ack_op *o = ctx;
	o->acked = o->unread = 12345;
	o->rc = uccn_store_mailbox_ack(t, o->city, o->upto, &o->acked, &o->unread);
	if (o->rc == UCCN_E_MAPFULL)
		return o->rc;
	return o->fn_rc;
}

static void ack_ok(struct uccn_store *s, const char *city, uint64_t upto,
		   uint64_t want_acked, uint64_t want_unread)
{
	struct ack_op o = {.city = city, .upto = upto};
	assert_int_equal(uccn_store_write(s, ack_fn, &o), 0);
	assert_int_equal(o.rc, 0);
	if (o.acked != want_acked || o.unread != want_unread)
		fail_msg("ack %s up to %llu: acked %llu unread %llu; want %llu and %llu",
			 city, (unsigned long long)upto, (unsigned long long)o.acked,
			 (unsigned long long)o.unread, (unsigned long long)want_acked,
			 (unsigned long long)want_unread);
}

static void test_mailbox_quota(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	fx_open(f, 0);
	write_city_in(f->s, "a", "design"); /* 1 */
	write_city_in(f->s, "b", "design"); /* 2 */
	write_city_in(f->s, "c", "music");  /* 3 */
	uccn_store_set_mailbox_quota(f->s, 3);

	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:b")), 4);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:b")), 5);
	assert_int_equal(post_to_ok(f->s, "c", "message", IDS("city:b")), 6);
	assert_mailbox(f->s, "b", SEQS(4, 5, 6));

	/* b is full: a post to it is refused, naming b, and nothing of it is
	 * written: not the post, not c's entry before b's, not its idem key */
	struct uccn_post p = mk_post("a", "message", "one too many");
	p.to = IDS("city:c", "city:b");
	p.idem_key = "over-1";
	assert_int_equal(post_add(f->s, &p, &o), UCCN_E_FULL);
	assert_reason_has(&o, "'b'");
	assert_reason_has(&o, "full");
	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.last_seq, 6);
	assert_int_equal(st.posts, 3);
	assert_mailbox(f->s, "c", NO_SEQS);
	assert_mailbox(f->s, "b", SEQS(4, 5, 6));
	/* (a field or all skips a full mailbox instead of being refused:
	 * test_mailbox_fair_full_broadcast) */
	assert_int_equal(mailbox_total(f->s), 3);
	assert_int_equal(get_stats(f->s).last_seq, 6);

	/* b's own post does not go to its own mailbox: not refused. It takes
	 * the number the refused message would have had, and is private: no
	 * trace of the refused one lets c see it. */
	assert_int_equal(post_to_ok(f->s, "b", "message", IDS("city:a", "city:b")), 7);
	assert_mailbox(f->s, "a", SEQS(7));
	assert_mailbox(f->s, "c", NO_SEQS);
	struct uccn_txn *t = NULL;
	struct uccn_post got = {0};
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_post_get(t, 7, &got), 0);
	assert_true(uccn_store_post_has_reader(t, 7, "a"));
	assert_false(uccn_store_post_has_reader(t, 7, "c"));
	assert_true(rule_sees(t, &got, "a"));
	assert_true(rule_sees(t, &got, "b"));
	assert_false(rule_sees(t, &got, "c"));
	uccn_post_clear(&got);
	uccn_store_txn_end(&t);
	/* nor does a post without b in its audience */
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:c")), 8);

	/* reading one makes room for exactly one */
	ack_ok(f->s, "b", 4, 1, 2);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:b")), 9);
	assert_int_equal(post_to(f->s, "a", "news", IDS("city:b"), &o), UCCN_E_FULL);
	/* the refused post's idempotency key was not kept: now it is a new post */
	ack_ok(f->s, "b", 5, 1, 2);
	assert_int_equal(post_add(f->s, &p, &o), 0);
	assert_int_equal(o.seq, 10);
	assert_mailbox(f->s, "b", SEQS(6, 9, 10));
	assert_mailbox(f->s, "c", SEQS(8, 10));

	/* the quota counts unread posts per mailbox: c, at 3, is full too */
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:c")), 11);
	assert_int_equal(post_to(f->s, "a", "news", IDS("city:c"), &o), UCCN_E_FULL);
	assert_reason_has(&o, "'c'");
	/* 0 restores the default */
	uccn_store_set_mailbox_quota(f->s, 0);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("all")), 12);
	assert_mailbox(f->s, "a", SEQS(7));
	assert_mailbox(f->s, "b", SEQS(6, 9, 10, 12));
	assert_mailbox(f->s, "c", SEQS(8, 10, 11, 12));
	assert_int_equal(mailbox_total(f->s), 1 + 4 + 4);
}

static void test_mailbox_each_and_ack(void **state)
{
	struct fx *f = *state;
	struct seqs got = {0};
	fx_open(f, 0);
	write_city_in(f->s, "a", "design");
	write_city_in(f->s, "b", "design");
	for (uint64_t i = 3; i <= 7; i++)
		assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:b")), i);
	assert_int_equal(post_to_ok(f->s, "b", "message", IDS("city:a")), 8);

	/* oldest first, at most limit */
	assert_mailbox(f->s, "b", SEQS(3, 4, 5, 6, 7));
	mailbox(f->s, "b", 2, &got);
	assert_seqs(&got, SEQS(3, 4), "limit 2");
	mailbox(f->s, "b", 1, &got);
	assert_seqs(&got, SEQS(3), "limit 1");
	mailbox(f->s, "b", 5, &got);
	assert_seqs(&got, SEQS(3, 4, 5, 6, 7), "limit 5");
	/* the callback stops the walk */
	got.stop_at = 3;
	mailbox(f->s, "b", 100, &got);
	assert_seqs(&got, SEQS(3, 4, 5), "stopped at 3");
	got.stop_at = 0;
	/* the whole post is handed over */
	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	struct uccn_post first = {0};
	assert_int_equal(uccn_store_post_get(t, 3, &first), 0);
	ASSERT_IDS(&first.to, "city:b");
	assert_string_equal(first.body, "to whom it may concern");
	uccn_post_clear(&first);
	/* acknowledging in a read transaction is refused */
	uint64_t acked = 9, unread = 9;
	assert_int_equal(uccn_store_mailbox_ack(t, "b", 100, &acked, &unread), UCCN_E_INVALID);
	uccn_store_txn_end(&t);

	/* ack removes up to seq, no further, and counts */
	ack_ok(f->s, "b", 2, 0, 5);
	ack_ok(f->s, "b", 4, 2, 3);
	assert_mailbox(f->s, "b", SEQS(5, 6, 7));
	ack_ok(f->s, "b", 4, 0, 3);  /* again: nothing left to mark */
	ack_ok(f->s, "b", 5, 1, 2);
	assert_mailbox(f->s, "a", SEQS(8)); /* another mailbox untouched */
	ack_ok(f->s, "ghost", 100, 0, 0);   /* an empty or unknown mailbox */
	assert_int_equal(mailbox_total(f->s), 3);

	/* an aborted write acknowledges nothing */
	struct ack_op o = {.city = "b", .upto = 100, .fn_rc = UCCN_E_INVALID};
	assert_int_equal(uccn_store_write(f->s, ack_fn, &o), UCCN_E_INVALID);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.acked, 2);
	assert_mailbox(f->s, "b", SEQS(6, 7));

	/* acknowledgements are durable */
	fx_reopen(f, 0);
	assert_mailbox(f->s, "b", SEQS(6, 7));
	assert_mailbox(f->s, "a", SEQS(8));
	assert_int_equal(mailbox_total(f->s), 3);
	ack_ok(f->s, "b", 7, 2, 0);
	assert_mailbox(f->s, "b", NO_SEQS);
	assert_int_equal(mailbox_total(f->s), 1);

	/* acknowledged posts stay posts; new ones arrive after them */
	assert_int_equal(get_stats(f->s).posts, 6);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:b")), 9);
	assert_mailbox(f->s, "b", SEQS(9));
	ack_ok(f->s, "b", UINT64_MAX, 1, 0);
	ack_ok(f->s, "a", UINT64_MAX, 1, 0);
	assert_int_equal(mailbox_total(f->s), 0);
}

/* ---- who sees what ---- */

#define VIEWERS 7
static const char *const viewers[VIEWERS] = {NULL, "a", "b", "c", "d", "e", "ghost"};

struct seen {
	uint64_t seq;
	const char *city, *kind;
	const char *sees; /* the viewers (by index) that may see it: "0123456" */
};

static bool sees(const struct seen *p, size_t viewer)
{
	return strchr(p->sees, (char)('0' + viewer)) != NULL;
}

/* The list and the forward walk as viewer reads them: through the rule's
 * filter, or with none for the system (NULL). */
static void list_as(struct uccn_store *s, const struct uccn_query *q, const char *viewer,
		    struct seqs *out, uint64_t *next)
{
	struct uccn_txn *t = NULL;
	struct reader r = {viewer};
	struct uccn_post_filter keep = {rule_keep, &r};
	out->n = 0;
	*next = 12345;
	assert_int_equal(uccn_store_read(s, &t), 0);
	assert_int_equal(uccn_store_post_list_as(t, q, viewer ? &keep : NULL, collect_seq,
						 out, next), 0);
	uccn_store_txn_end(&t);
}

static void after(struct uccn_store *s, const struct uccn_query *q, const char *viewer,
		  struct seqs *out, uint64_t *next)
{
	struct uccn_txn *t = NULL;
	struct reader r = {viewer};
	struct uccn_post_filter keep = {rule_keep, &r};
	out->n = 0;
	*next = 12345;
	assert_int_equal(uccn_store_read(s, &t), 0);
	assert_int_equal(uccn_store_post_after(t, q, viewer ? &keep : NULL, collect_seq,
					       out, next), 0);
	uccn_store_txn_end(&t);
}

static void test_message_visibility(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	fx_open(f, 0);
	write_city_in(f->s, "a", "design"); /* 1 */
	write_city_in(f->s, "b", "design"); /* 2 */
	write_city_in(f->s, "c", "music");  /* 3 */
	write_city_in(f->s, "d", "music");  /* 4 */
	struct uccn_project pj = {.id = "pj", .title = "P", .lead = "c", .partners = IDS("d")};
	assert_int_equal(project_add(f->s, &pj, &o), 0); /* 5 */

	/* viewers: 0 the system (NULL), 1 a, 2 b, 3 c, 4 d, 5 e, 6 ghost */
	static const struct seen posts[] = {
		{6, "a", "message", "012"},       /* to city:b */
		{7, "a", "message", "0134"},      /* to field:music, before e */
		{8, "a", "news", "0123456"},      /* to city:b, but not a message */
		{9, "b", "message", "0123456"},   /* to all */
		{10, "c", "message", "034"},      /* to project:pj */
		{11, "a", "message", "01"},       /* to itself */
		{12, "d", "report", "0123456"},   /* to nobody */
		{14, "b", "message", "0125"},     /* to e and a */
		{15, "e", "message", "0345"},     /* to project:pj by an outsider */
	};
	const size_t nposts = sizeof posts / sizeof posts[0];
	assert_int_equal(post_to_ok(f->s, "a", "message", IDS("city:b")), 6);
	assert_int_equal(post_to_ok(f->s, "a", "message", IDS("field:music")), 7);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:b")), 8);
	assert_int_equal(post_to_ok(f->s, "b", "message", IDS("all")), 9);
	assert_int_equal(post_to_ok(f->s, "c", "message", IDS("project:pj")), 10);
	assert_int_equal(post_to_ok(f->s, "a", "message", IDS("city:a")), 11);
	assert_int_equal(post_to_ok(f->s, "d", "report", (struct uccn_idlist){0}), 12);
	/* e comes into field music after the message to it */
	assert_int_equal(write_city_in(f->s, "e", "music"), 13);
	assert_int_equal(post_to_ok(f->s, "b", "message", IDS("city:e", "city:a")), 14);
	/* an outsider writes to a project: its members see it */
	assert_int_equal(post_to_ok(f->s, "e", "message", IDS("project:pj")), 15);

	for (int reopen = 0; reopen < 2; reopen++) {
		if (reopen)
			fx_reopen(f, 0);
		struct uccn_txn *t = NULL;
		assert_int_equal(uccn_store_read(f->s, &t), 0);
		for (size_t i = 0; i < nposts; i++) {
			struct uccn_post p = {0};
			assert_int_equal(uccn_store_post_get(t, posts[i].seq, &p), 0);
			bool private = strcmp(posts[i].sees, "0123456") != 0;
			for (size_t v = 0; v < VIEWERS; v++) {
				if (rule_sees(t, &p, viewers[v]) != sees(&posts[i], v))
					fail_msg("post %llu and viewer %s: visible %d",
						 (unsigned long long)posts[i].seq,
						 viewers[v] ? viewers[v] : "NULL", !sees(&posts[i], v));
				/* the store's part: the cities a private post reached,
				 * its author not among them, are its readers */
				if (!viewers[v])
					continue;
				bool reader = private && sees(&posts[i], v) &&
					      strcmp(viewers[v], posts[i].city) != 0;
				if (uccn_store_post_has_reader(t, posts[i].seq, viewers[v]) != reader)
					fail_msg("post %llu: %s a reader %d",
						 (unsigned long long)posts[i].seq, viewers[v], !reader);
			}
			uccn_post_clear(&p);
		}
		uccn_store_txn_end(&t);
	}

	/* list (newest first) and the forward walk (oldest first) show each
	 * viewer what it may see, with and without filters */
	static const struct uccn_query filters[] = {
		{0}, {.kind = "message"}, {.city = "a"}, {.kind = "news"},
		{.city = "b", .kind = "message"}, {.since = 9}, {.before = 12},
	};
	for (size_t v = 0; v < VIEWERS; v++) {
		for (size_t qi = 0; qi < sizeof filters / sizeof filters[0]; qi++) {
			struct uccn_query q = filters[qi];
			struct seqs got = {0}, want = {0};
			uint64_t next;
			char what[160];
			q.limit = 100;
			for (size_t i = nposts; i-- > 0;)
				if (sees(&posts[i], v) && field_eq(q.kind, posts[i].kind) &&
				    field_eq(q.city, posts[i].city) && posts[i].seq > q.since &&
				    (!q.before || posts[i].seq < q.before))
					want.v[want.n++] = posts[i].seq;
			snprintf(what, sizeof what, "list as %s, filter %zu",
				 viewers[v] ? viewers[v] : "NULL", qi);
			list_as(f->s, &q, viewers[v], &got, &next);
			assert_seqs(&got, want.v, want.n, what);
			assert_int_equal(next, 0);
			if (q.before)
				continue; /* the forward walk has no upper bound */
			/* the same, oldest first */
			for (size_t i = 0; i < want.n / 2; i++) {
				uint64_t x = want.v[i];
				want.v[i] = want.v[want.n - 1 - i];
				want.v[want.n - 1 - i] = x;
			}
			snprintf(what, sizeof what, "after as %s, filter %zu",
				 viewers[v] ? viewers[v] : "NULL", qi);
			after(f->s, &q, viewers[v], &got, &next);
			assert_seqs(&got, want.v, want.n, what);
			assert_int_equal(next, 15); /* the last post examined */
		}
	}

	/* a list pages over what the viewer may not see */
	struct uccn_query q = {.limit = 1};
	struct seqs got = {0}, all = {0};
	uint64_t next;
	do {
		list_as(f->s, &q, "b", &got, &next);
		assert_true(got.n <= 1);
		for (size_t i = 0; i < got.n; i++)
			all.v[all.n++] = got.v[i];
		q.before = next;
	} while (next);
	assert_seqs(&all, SEQS(14, 12, 9, 8, 6), "pages as b");
	/* the system (NULL) sees everything, as uccn_store_post_list does */
	q = (struct uccn_query){.kind = "message", .limit = 100};
	list_as(f->s, &q, NULL, &got, &next);
	assert_seqs(&got, SEQS(15, 14, 11, 10, 9, 7, 6), "messages as NULL");
}

/* The posts after q->since that viewer v may see, by brute force: what
 * uccn_store_post_after must hand over, and its *next. */
static void expect_after(const struct seen *posts, size_t n, const struct uccn_query *q,
			 size_t v, struct seqs *out, uint64_t *next)
{
	uint32_t limit = q->limit ? q->limit : UCCN_WATCH_DEFAULT;
	out->n = 0;
	*next = q->since;
	for (size_t i = 0; i < n; i++) {
		if (posts[i].seq <= q->since)
			continue;
		*next = posts[i].seq;
		if (sees(&posts[i], v) && field_eq(q->kind, posts[i].kind) &&
		    field_eq(q->city, posts[i].city)) {
			out->v[out->n++] = posts[i].seq;
			if (out->n == limit)
				break;
		}
	}
}

static void test_post_after(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	fx_open(f, 0);
	write_city_in(f->s, "a", "design"); /* 1 */
	write_city_in(f->s, "b", "design"); /* 2 */
	write_city_in(f->s, "c", "music");  /* 3 */
	write_city_in(f->s, "d", "music");  /* 4 */
	write_city_in(f->s, "e", "film");   /* 5 */
	struct uccn_project pj = {.id = "pj", .title = "P", .lead = "c", .partners = IDS("d")};
	assert_int_equal(project_add(f->s, &pj, &o), 0); /* 6 */

	/* 40 posts, seq 7..46: kinds and authors mixed, every third a message
	 * to one city, to a field, or to all */
	static const char *const authors[] = {"a", "b", "c", "d", "e"};
	static const char *const kinds[] = {"news", "report", "update"};
	static const char *const idx = "12345"; /* viewer index of a..e */
	static struct seen posts[40];
	static char sees_buf[40][8];
	static char *const city_of[] = {"city:a", "city:b", "city:c", "city:d", "city:e"};
	for (size_t i = 0; i < 40; i++) {
		const char *author = authors[i % 5];
		const char *kind = i % 3 == 0 ? "message" : kinds[i % 7 % 3];
		char *sb = sees_buf[i], *one[1];
		struct uccn_idlist to = {one, 1};
		size_t k = 0;
		sb[k++] = '0';
		sb[k++] = idx[i % 5];
		switch (i % 4) {
		case 0: /* to the next city */
			one[0] = city_of[(i + 1) % 5];
			sb[k++] = idx[(i + 1) % 5];
			break;
		case 1: /* to field music: c and d */
			one[0] = "field:music";
			sb[k++] = '3';
			sb[k++] = '4';
			break;
		case 2: /* to all: everybody */
			one[0] = "all";
			k = 0;
			break;
		default: /* to the author itself */
			one[0] = city_of[i % 5];
			break;
		}
		sb[k] = '\0';
		if (k == 0 || strcmp(kind, "message") != 0)
			strcpy(sb, "0123456");
		posts[i] = (struct seen){7 + i, author, kind, sb};
		assert_int_equal(post_to_ok(f->s, author, kind, to), 7 + i);
	}
	const uint64_t last = 46;

	static const uint64_t sinces[] = {0, 5, 6, 7, 8, 20, 33, 44, 45, 46, 47, 1000,
					  UINT64_MAX - 1, UINT64_MAX};
	static const uint32_t limits[] = {0, 1, 2, 3, 7, 40};
	static const struct uccn_query filters[] = {
		{0}, {.kind = "message"}, {.kind = "report"}, {.city = "c"},
		{.city = "a", .kind = "message"}, {.kind = "proposal"},
	};
	for (size_t si = 0; si < sizeof sinces / sizeof sinces[0]; si++)
	for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++)
	for (size_t qi = 0; qi < sizeof filters / sizeof filters[0]; qi++)
	for (size_t v = 0; v < VIEWERS; v++) {
		struct uccn_query q = filters[qi];
		struct seqs got = {0}, want = {0};
		uint64_t next, want_next;
		q.since = sinces[si];
		q.limit = limits[li];
		expect_after(posts, 40, &q, v, &want, &want_next);
		after(f->s, &q, viewers[v], &got, &next);
		char what[200];
		snprintf(what, sizeof what, "since %llu limit %u filter %zu viewer %s",
			 (unsigned long long)q.since, q.limit, qi, viewers[v] ? viewers[v] : "NULL");
		assert_seqs(&got, want.v, want.n, what);
		if (next != want_next)
			fail_msg("%s: next %llu, want %llu", what, (unsigned long long)next,
				 (unsigned long long)want_next);
	}

	struct uccn_query q = {0};
	struct seqs got = {0};
	uint64_t next;
	/* since is exclusive */
	q.since = 7;
	q.limit = 1;
	after(f->s, &q, NULL, &got, &next);
	assert_seqs(&got, SEQS(8), "since 7");
	assert_int_equal(next, 8);
	/* the last posts filtered out: next is still the last one examined */
	q = (struct uccn_query){.since = 40, .kind = "report"};
	after(f->s, &q, NULL, &got, &next);
	assert_int_equal(got.n, 0);
	assert_int_equal(next, last);
	/* the last posts invisible: the same (43 goes to c, 46 to its author) */
	q = (struct uccn_query){.since = 42, .kind = "message"};
	after(f->s, &q, NULL, &got, &next);
	assert_seqs(&got, SEQS(43, 46), "messages after 42");
	after(f->s, &q, "ghost", &got, &next);
	assert_int_equal(got.n, 0);
	assert_int_equal(next, last);
	/* beyond the end: nothing, next is since */
	q = (struct uccn_query){.since = last};
	after(f->s, &q, NULL, &got, &next);
	assert_int_equal(got.n, 0);
	assert_int_equal(next, last);
	q.since = UINT64_MAX;
	after(f->s, &q, NULL, &got, &next);
	assert_int_equal(got.n, 0);
	assert_int_equal(next, UINT64_MAX);
	/* the callback stops the walk: next is the last post handed over */
	q = (struct uccn_query){.since = 10, .kind = "message"};
	got.stop_at = 2;
	after(f->s, &q, NULL, &got, &next);
	assert_seqs(&got, SEQS(13, 16), "stopped");
	assert_int_equal(next, 16);
	got.stop_at = 0;

	/* resuming from next sees every visible post once, in order */
	for (size_t v = 0; v < VIEWERS; v++) {
		struct seqs all = {0}, want = {0};
		uint64_t want_next;
		q = (struct uccn_query){.kind = "message", .limit = 2};
		do {
			after(f->s, &q, viewers[v], &got, &next);
			assert_true(next >= q.since);
			for (size_t i = 0; i < got.n; i++)
				all.v[all.n++] = got.v[i];
			q.since = next;
		} while (got.n);
		assert_int_equal(next, last);
		q = (struct uccn_query){.kind = "message", .limit = 100};
		expect_after(posts, 40, &q, v, &want, &want_next);
		assert_seqs(&all, want.v, want.n, "resumed");
	}

	/* new posts arrive after next */
	assert_int_equal(post_to_ok(f->s, "a", "news", (struct uccn_idlist){0}), 47);
	q = (struct uccn_query){.since = last};
	after(f->s, &q, "e", &got, &next);
	assert_seqs(&got, SEQS(47), "new");
	assert_int_equal(next, 47);
}

/* Broadcasts ("all", "field:NAME") reach the cities that have a key; a
 * keyless city (imported, not yet on-line) gets only what names it: as
 * city:ID, or as a member of a project. */
static void test_audience_keyless_cities(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	fx_open(f, 0);
	write_city_key(f->s, "a", "design", true);   /* 1 */
	write_city_key(f->s, "b", "design", true);   /* 2 */
	write_city_key(f->s, "k", "design", false);  /* 3 */
	write_city_key(f->s, "m", "music", false);   /* 4 */
	struct uccn_project pj = {.id = "pj", .title = "P", .lead = "b", .partners = IDS("k")};
	assert_int_equal(project_add(f->s, &pj, &o), 0); /* 5 */

	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("all")), 6);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("field:design")), 7);
	assert_int_equal(post_to_ok(f->s, "a", "message", IDS("field:design")), 8);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:k")), 9);
	assert_int_equal(post_to_ok(f->s, "a", "message", IDS("project:pj")), 10);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("field:music")), 11);
	assert_mailbox(f->s, "b", SEQS(6, 7, 8, 10));
	assert_mailbox(f->s, "k", SEQS(9, 10));
	assert_mailbox(f->s, "m", NO_SEQS);

	/* the message to the field is not k's to see; the one to its project is */
	struct uccn_txn *t = NULL;
	struct uccn_post got = {0};
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_post_get(t, 8, &got), 0);
	assert_true(rule_sees(t, &got, "b"));
	assert_false(rule_sees(t, &got, "k"));
	assert_false(uccn_store_post_has_reader(t, 8, "k"));
	uccn_post_clear(&got);
	assert_int_equal(uccn_store_post_get(t, 10, &got), 0);
	assert_true(rule_sees(t, &got, "k"));
	assert_true(uccn_store_post_has_reader(t, 10, "k"));
	uccn_post_clear(&got);
	uccn_store_txn_end(&t);

	/* a full keyless mailbox does not block a broadcast */
	uccn_store_set_mailbox_quota(f->s, 2);
	assert_int_equal(post_to_ok(f->s, "b", "news", IDS("all")), 12);
	assert_int_equal(post_to(f->s, "a", "news", IDS("city:k"), &o), UCCN_E_FULL);
	assert_reason_has(&o, "'k'");
	assert_mailbox(f->s, "k", SEQS(9, 10));
	assert_mailbox(f->s, "a", SEQS(12));
}

/* ---- a post's readers, and delivery outside the audience ---- */

/* A post with the flags the test chooses, in a write of its own. */
struct flagged_op {
	const struct uccn_post *p;
	unsigned flags;
	int rc;
	uint64_t seq;
	bool dup;
	char reason[256];
};

static int flagged_fn(struct uccn_txn *t, void *ctx)
{
	struct flagged_op *o = ctx;
	o->seq = 0;
	o->dup = false;
	o->rc = uccn_store_post_add(t, o->p, o->flags, T0, &o->seq, &o->dup);
	snprintf(o->reason, sizeof o->reason, "%s", uccn_store_txn_reason(t));
	return o->rc == UCCN_E_MAPFULL ? o->rc : 0;
}

static int post_flagged(struct uccn_store *s, const struct uccn_post *p, unsigned flags,
			struct flagged_op *o)
{
	*o = (struct flagged_op){.p = p, .flags = flags};
	assert_int_equal(uccn_store_write(s, flagged_fn, o), 0);
	return o->rc;
}

static bool has_reader(struct uccn_store *s, uint64_t seq, const char *city)
{
	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(s, &t), 0);
	bool reader = uccn_store_post_has_reader(t, seq, city);
	uccn_store_txn_end(&t);
	return reader;
}

/* The store records a post's readers when told to and only then, whatever
 * the post's kind: which posts are private is not the store's to say. */
static void test_post_readers_recorded(void **state)
{
	struct fx *f = *state;
	struct flagged_op o;
	struct rec_op ro;
	fx_open(f, 0);
	write_city_key(f->s, "a", "design", true);  /* 1 */
	write_city_key(f->s, "b", "design", true);  /* 2 */
	write_city_key(f->s, "c", "music", true);   /* 3 */
	write_city_key(f->s, "k", "design", false); /* 4: no key */
	struct uccn_project pj = {.id = "pj", .title = "P", .lead = "c", .partners = IDS("k")};
	assert_int_equal(project_add(f->s, &pj, &ro), 0); /* 5 */

	/* with the flag: every city it was delivered to is a reader; its
	 * author, delivered nothing, and the others are not */
	struct uccn_post m = mk_post("a", "message", "hello");
	m.to = IDS("city:b", "project:pj");
	assert_int_equal(post_flagged(f->s, &m, UCCN_STORE_POST_READERS_ONLY, &o), 0);
	assert_int_equal(o.seq, 6);
	assert_true(has_reader(f->s, 6, "b"));
	assert_true(has_reader(f->s, 6, "c"));
	assert_true(has_reader(f->s, 6, "k"));
	assert_false(has_reader(f->s, 6, "a"));
	assert_false(has_reader(f->s, 6, "ghost"));
	/* the same message without it: delivered the same, no reader */
	assert_int_equal(post_flagged(f->s, &m, 0, &o), 0);
	assert_int_equal(o.seq, 7);
	assert_mailbox(f->s, "b", SEQS(6, 7));
	assert_mailbox(f->s, "k", SEQS(6, 7));
	assert_false(has_reader(f->s, 7, "b"));
	assert_false(has_reader(f->s, 7, "c"));
	assert_false(has_reader(f->s, 7, "k"));
	/* any kind, with the flag: the cities a field's post reached (those
	 * with a key) */
	struct uccn_post n = mk_post("c", "news", "to design");
	n.to = IDS("field:design");
	assert_int_equal(post_flagged(f->s, &n, UCCN_STORE_POST_READERS_ONLY, &o), 0);
	assert_int_equal(o.seq, 8);
	assert_true(has_reader(f->s, 8, "a"));
	assert_true(has_reader(f->s, 8, "b"));
	assert_false(has_reader(f->s, 8, "k"));
	assert_false(has_reader(f->s, 8, "c"));
	/* a retry of a post with its key writes nothing, readers neither */
	struct uccn_post d = mk_post("b", "message", "once");
	d.to = IDS("city:a");
	d.idem_key = "r-1";
	assert_int_equal(post_flagged(f->s, &d, 0, &o), 0);
	assert_int_equal(o.seq, 9);
	assert_int_equal(post_flagged(f->s, &d, UCCN_STORE_POST_READERS_ONLY, &o), 0);
	assert_true(o.dup);
	assert_int_equal(o.seq, 9);
	assert_false(has_reader(f->s, 9, "a"));
	/* a flag the store does not know: refused, nothing written */
	assert_int_equal(post_flagged(f->s, &m, 0x80, &o), UCCN_E_INVALID);
	if (!strstr(o.reason, "flag"))
		fail_msg("reason \"%s\" does not name the flag", o.reason);
	assert_int_equal(get_stats(f->s).last_seq, 9);
	assert_mailbox(f->s, "b", SEQS(6, 7, 8));
	/* no such post: no readers */
	assert_false(has_reader(f->s, 0, "b"));
	assert_false(has_reader(f->s, 1000, "b"));
	/* the readers are on disk */
	fx_reopen(f, 0);
	assert_true(has_reader(f->s, 6, "k"));
	assert_false(has_reader(f->s, 7, "k"));
}

/* Put post seq in city's mailbox in a write of its own. */
struct deliver_op {
	const char *city;
	uint64_t seq;
	int rc;
	char reason[256];
};

static int deliver_fn(struct uccn_txn *t, void *ctx)
{
	struct deliver_op *o = ctx;
	o->rc = uccn_store_mailbox_deliver(t, o->city, o->seq);
	snprintf(o->reason, sizeof o->reason, "%s", uccn_store_txn_reason(t));
	return o->rc == UCCN_E_MAPFULL ? o->rc : 0;
}

static int deliver(struct uccn_store *s, const char *city, uint64_t seq, struct deliver_op *o)
{
	*o = (struct deliver_op){.city = city, .seq = seq};
	assert_int_equal(uccn_store_write(s, deliver_fn, o), 0);
	return o->rc;
}

static void test_mailbox_deliver(void **state)
{
	struct fx *f = *state;
	struct deliver_op o;
	fx_open(f, 0);
	write_city_in(f->s, "a", "design");        /* 1 */
	write_city_in(f->s, "b", "design");        /* 2 */
	write_city_in(f->s, "z", "music");         /* 3 */
	write_city_key(f->s, "k", "music", false); /* 4: no key */
	uccn_store_set_mailbox_quota(f->s, 2);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:b")), 5);
	assert_int_equal(post_to_ok(f->s, "a", "news", (struct uccn_idlist){0}), 6);
	assert_int_equal(post_to_ok(f->s, "a", "message", IDS("city:b")), 7);

	/* to a city outside the audience, not as a reader */
	assert_int_equal(deliver(f->s, "z", 6, &o), 0);
	assert_mailbox(f->s, "z", SEQS(6));
	assert_false(has_reader(f->s, 6, "z"));
	/* again: nothing changes */
	assert_int_equal(deliver(f->s, "z", 6, &o), 0);
	assert_mailbox(f->s, "z", SEQS(6));
	/* a city without a key, named this way, gets it too */
	assert_int_equal(deliver(f->s, "k", 6, &o), 0);
	assert_mailbox(f->s, "k", SEQS(6));
	/* an older post takes its place in order, oldest first */
	assert_int_equal(deliver(f->s, "z", 5, &o), 0);
	assert_mailbox(f->s, "z", SEQS(5, 6));
	/* within the quota, refused as a post would be */
	assert_int_equal(deliver(f->s, "z", 7, &o), UCCN_E_FULL);
	if (!strstr(o.reason, "'z'") || !strstr(o.reason, "full"))
		fail_msg("reason \"%s\" does not say z is full", o.reason);
	assert_mailbox(f->s, "z", SEQS(5, 6));
	assert_false(has_reader(f->s, 7, "z"));
	/* a post it holds already needs no room */
	assert_int_equal(deliver(f->s, "z", 6, &o), 0);
	/* no such post, no such city */
	assert_int_equal(deliver(f->s, "b", 1000, &o), UCCN_E_NOTFOUND);
	assert_non_null(strstr(o.reason, "1000"));
	assert_int_equal(deliver(f->s, "b", 0, &o), UCCN_E_NOTFOUND);
	assert_int_equal(deliver(f->s, "ghost", 5, &o), UCCN_E_NOTFOUND);
	assert_non_null(strstr(o.reason, "'ghost'"));
	assert_int_equal(mailbox_total(f->s), 2 + 2 + 1);
	/* not in a read transaction */
	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_mailbox_deliver(t, "b", 6), UCCN_E_INVALID);
	uccn_store_txn_end(&t);
	/* on disk; and reading one makes room */
	fx_reopen(f, 0);
	assert_mailbox(f->s, "z", SEQS(5, 6));
	uccn_store_set_mailbox_quota(f->s, 2);
	ack_ok(f->s, "z", 5, 1, 1);
	assert_int_equal(deliver(f->s, "z", 7, &o), 0);
	assert_mailbox(f->s, "z", SEQS(6, 7));
}

/* ---- published agendas ---- */

/* One publish in a write of its own, with what the store answered. */
struct pub_op {
	const struct uccn_agenda_pub *a;
	const char *by;
	int64_t now;
	int fn_rc;      /* what the write's fn returns after a publish that passed */
	/* results, recomputed on every run */
	int rc;
	uint64_t version, seq;
	char reason[256];
	unsigned calls; /* how often the store ran the write */
};

static int pub_fn(struct uccn_txn *t, void *ctx)
{
	struct pub_op *o = ctx;
	o->calls++;
	o->version = o->seq = 0;
	o->rc = uccn_store_agenda_publish(t, o->a, o->by, o->now, &o->version, &o->seq);
	snprintf(o->reason, sizeof o->reason, "%s", uccn_store_txn_reason(t));
	return o->rc == UCCN_E_MAPFULL ? o->rc : o->fn_rc;
}

/* Publish a as by at now (the write itself commits); returns the publish's
 * result. */
static int agenda_publish(struct uccn_store *s, const struct uccn_agenda_pub *a,
			  const char *by, int64_t now, struct pub_op *o)
{
	*o = (struct pub_op){.a = a, .by = by, .now = now};
	assert_int_equal(uccn_store_write(s, pub_fn, o), 0);
	return o->rc;
}

static struct pub_op agenda_publish_ok(struct uccn_store *s, const struct uccn_agenda_pub *a,
				       const char *by, int64_t now)
{
	struct pub_op o;
	int rc = agenda_publish(s, a, by, now, &o);
	if (rc)
		fail_msg("publish of %s by %s refused: %d %s", a->meeting, by, rc, o.reason);
	return o;
}

static void assert_pub_reason_has(const struct pub_op *o, const char *word)
{
	if (!strstr(o->reason, word))
		fail_msg("reason \"%s\" does not name '%s'", o->reason, word);
}

static int get_agenda(struct uccn_store *s, const char *meeting, uint64_t version,
		      struct uccn_agenda_pub *out)
{
	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(s, &t), 0);
	int rc = uccn_store_agenda_get(t, meeting, version, out);
	uccn_store_txn_end(&t);
	return rc;
}

/* Asked for version ask (0: the newest), meeting's agenda reads back as
 * version, published by `by` at now, with want's entries exactly. */
static void assert_agenda(struct uccn_store *s, const char *meeting, uint64_t ask,
			  const struct uccn_agenda_pub *want, uint64_t version,
			  const char *by, int64_t now)
{
	struct uccn_agenda_pub got = {0};
	int rc = get_agenda(s, meeting, ask, &got);
	if (rc)
		fail_msg("agenda of %s, version %llu: %d", meeting, (unsigned long long)ask, rc);
	assert_string_equal(got.meeting, meeting);
	assert_int_equal(got.version, version);
	assert_int_equal(got.published_ms, now);
	assert_str_or_null(got.by, by);
	assert_int_equal(got.nentries, want->nentries);
	if (want->nentries == 0)
		assert_null(got.entries);
	for (size_t i = 0; i < want->nentries; i++) {
		const struct uccn_agenda_entry *g = &got.entries[i], *w = &want->entries[i];
		assert_string_equal(g->key, w->key);
		assert_string_equal(g->title, w->title);
		assert_int_equal(g->day, w->day);
		assert_int_equal(g->start, w->start);
		assert_int_equal(g->end, w->end);
		assert_int_equal(g->deferred, w->deferred);
		assert_str_or_null(g->reason, w->reason);
	}
	uccn_agenda_pub_clear(&got);
}

/* meeting has no published agenda: neither the newest nor version 1. */
static void assert_no_agenda(struct uccn_store *s, const char *meeting)
{
	struct uccn_agenda_pub got = {0};
	assert_int_equal(get_agenda(s, meeting, 0, &got), UCCN_E_NOTFOUND);
	assert_int_equal(get_agenda(s, meeting, 1, &got), UCCN_E_NOTFOUND);
	assert_null(got.meeting);
	assert_null(got.entries);
}

/* meeting reads back with this status, version and seq. */
static void assert_meeting_state(struct uccn_store *s, const char *id, const char *status,
				 uint64_t version, uint64_t seq)
{
	struct uccn_meeting m = {0};
	assert_int_equal(get_meeting(s, id, &m), 0);
	assert_string_equal(m.status, status);
	assert_int_equal(m.version, version);
	assert_int_equal(m.seq, seq);
	uccn_meeting_clear(&m);
}

/* A first draft: placed slots over two days (one from midnight to the
 * day's last minute) and an item that did not fit. */
static struct uccn_agenda_entry agenda_first[] = {
	{.key = "opening", .title = "Opening", .day = 1, .start = 9 * 60, .end = 9 * 60 + 30},
	{.key = "post:7", .title = "Kraków: lace and light", .day = 1, .start = 570, .end = 615},
	{.key = "post:9", .title = "Night walk", .day = 2, .start = 0, .end = 24 * 60},
	{.key = "post:8", .title = "Maps of sound", .deferred = true,
	 .reason = "no room left on day 2"},
};

/* The second: other entries, fewer of them. */
static struct uccn_agenda_entry agenda_second[] = {
	{.key = "post:8", .title = "Maps of sound", .day = 1, .start = 600, .end = 660},
	{.key = "closing", .title = "Closing", .day = 2, .start = 1020, .end = 1050},
};

#define PUB(m, e) ((struct uccn_agenda_pub){.meeting = (m), .entries = (e), \
					    .nentries = sizeof(e) / sizeof((e)[0])})

/* An annual meeting of design hosted by host; returns its seq. */
static uint64_t add_design_agm(struct uccn_store *s, const char *id, const char *host)
{
	struct rec_op o;
	struct uccn_meeting m = {
		.id = (char *)id, .kind = "annual-meeting", .field = "design",
		.hosts = IDS((char *)host), .start = "2026-06-01", .end = "2026-06-02",
		.tz = "Europe/Zagreb",
	};
	int rc = meeting_add(s, &m, &o);
	if (rc)
		fail_msg("meeting %s refused: %d %s", id, rc, o.reason);
	return o.seq;
}

static void test_agenda_publish_unknown_meeting(void **state)
{
	struct fx *f = *state;
	struct pub_op o;
	write_four_cities(f);
	assert_int_equal(add_design_agm(f->s, "design-agm-2026", "zagreb"), 5);

	/* a meeting that does not exist: refused, named, and nothing of it is
	 * written (no number taken, no agenda, no news) */
	struct uccn_agenda_pub a = PUB("design-agm-2027", agenda_first);
	assert_int_equal(agenda_publish(f->s, &a, "zagreb", T0, &o), UCCN_E_NOTFOUND);
	assert_pub_reason_has(&o, "design-agm-2027");
	/* nor does a prefix of one that exists, an empty id or one too long */
	a.meeting = "design-agm";
	assert_int_equal(agenda_publish(f->s, &a, "zagreb", T0, &o), UCCN_E_NOTFOUND);
	a.meeting = "";
	assert_int_equal(agenda_publish(f->s, &a, "zagreb", T0, &o), UCCN_E_NOTFOUND);
	char long_id[UCCN_MAX_ID + 2];
	memset(long_id, 'x', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	a.meeting = long_id;
	assert_int_equal(agenda_publish(f->s, &a, "zagreb", T0, &o), UCCN_E_NOTFOUND);

	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.last_seq, 5);
	assert_int_equal(st.posts, 0);
	assert_int_equal(mailbox_total(f->s), 0);
	assert_no_agenda(f->s, "design-agm-2027");
	assert_no_agenda(f->s, "design-agm");
	assert_no_agenda(f->s, "");
	assert_no_agenda(f->s, long_id);
	/* the meeting that exists has no agenda yet and is as it was */
	assert_no_agenda(f->s, "design-agm-2026");
	assert_meeting_state(f->s, "design-agm-2026", "planned", 1, 5);

	/* a read transaction cannot publish */
	struct uccn_txn *t = NULL;
	uint64_t version = 0, seq = 0;
	a.meeting = "design-agm-2026";
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_not_equal(uccn_store_agenda_publish(t, &a, "zagreb", T0, &version, &seq), 0);
	uccn_store_txn_end(&t);
	assert_int_equal(get_stats(f->s).last_seq, 5);
	assert_no_agenda(f->s, "design-agm-2026");
}

static void test_agenda_publish_versions(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);
	write_city_in(f->s, "zagreb", "design"); /* 1 */
	write_city_in(f->s, "lyon", "design");   /* 2 */
	assert_int_equal(add_design_agm(f->s, "design-agm-2026", "zagreb"), 3);

	/* the first publish is version 1, the change 4; the store posts no
	 * news of it (uccnd does, after it) */
	struct uccn_agenda_pub first = PUB("design-agm-2026", agenda_first);
	struct pub_op o = agenda_publish_ok(f->s, &first, "zagreb", T0);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.seq, 4);
	assert_int_equal(get_stats(f->s).last_seq, 4);
	/* the caller's record is left as it was: the store stamps its copy */
	assert_int_equal(first.version, 0);
	assert_int_equal(first.published_ms, 0);
	assert_null(first.by);
	assert_agenda(f->s, "design-agm-2026", 0, &first, 1, "zagreb", T0);

	/* the second is version 2, by another city, a minute later */
	struct uccn_agenda_pub second = PUB("design-agm-2026", agenda_second);
	o = agenda_publish_ok(f->s, &second, "lyon", T0 + 60000);
	assert_int_equal(o.version, 2);
	assert_int_equal(o.seq, 5);
	assert_int_equal(get_stats(f->s).last_seq, 5);

	/* 0 asks for the newest; each version reads back as it was published */
	assert_agenda(f->s, "design-agm-2026", 0, &second, 2, "lyon", T0 + 60000);
	assert_agenda(f->s, "design-agm-2026", 2, &second, 2, "lyon", T0 + 60000);
	assert_agenda(f->s, "design-agm-2026", 1, &first, 1, "zagreb", T0);
	struct uccn_agenda_pub got = {0};
	assert_int_equal(get_agenda(f->s, "design-agm-2026", 3, &got), UCCN_E_NOTFOUND);
	assert_int_equal(get_agenda(f->s, "design-agm-2026", UINT64_MAX, &got), UCCN_E_NOTFOUND);
	assert_null(got.meeting);

	/* versions count per meeting: one whose id starts with the other's
	 * starts again at 1, here with an empty agenda, and the other's newest
	 * is still its own */
	assert_int_equal(add_design_agm(f->s, "design-agm-2026-b", "lyon"), 6);
	assert_no_agenda(f->s, "design-agm-2026-b");
	struct uccn_agenda_pub empty = {.meeting = "design-agm-2026-b"};
	o = agenda_publish_ok(f->s, &empty, "lyon", T0 + 1);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.seq, 7);
	assert_agenda(f->s, "design-agm-2026-b", 0, &empty, 1, "lyon", T0 + 1);
	assert_agenda(f->s, "design-agm-2026", 0, &second, 2, "lyon", T0 + 60000);
	assert_int_equal(get_agenda(f->s, "design-agm-2026-b", 2, &got), UCCN_E_NOTFOUND);
	/* and one that sorts just before them has none */
	assert_int_equal(add_design_agm(f->s, "design-agm-2025", "zagreb"), 8);
	assert_no_agenda(f->s, "design-agm-2025");

	/* all of it is on disk: after a reopen the next version is 3 */
	fx_reopen(f, 0);
	assert_agenda(f->s, "design-agm-2026", 0, &second, 2, "lyon", T0 + 60000);
	assert_agenda(f->s, "design-agm-2026", 1, &first, 1, "zagreb", T0);
	o = agenda_publish_ok(f->s, &first, "zagreb", T0 + 120000);
	assert_int_equal(o.version, 3);
	assert_int_equal(o.seq, 9);
	assert_agenda(f->s, "design-agm-2026", 0, &first, 3, "zagreb", T0 + 120000);
	assert_agenda(f->s, "design-agm-2026", 2, &second, 2, "lyon", T0 + 60000);
	assert_agenda(f->s, "design-agm-2026-b", 0, &empty, 1, "lyon", T0 + 1);
	assert_no_agenda(f->s, "design-agm-2025");
}

static void test_agenda_publish_meeting_status(void **state)
{
	struct fx *f = *state;
	struct rec_op ro;
	write_four_cities(f);
	struct uccn_meeting m = {
		.id = "design-agm-2026", .kind = "annual-meeting", .field = "design",
		.hosts = IDS("zagreb", "lyon"), .place = "Zagreb, Lauba",
		.start = "2026-06-01", .end = "2026-06-03", .tz = "Europe/Zagreb",
		.day_start = "08:30", .day_end = "16:00", .hybrid = true,
		.status = "agenda-draft",
	};
	assert_int_equal(meeting_add(f->s, &m, &ro), 0);
	assert_int_equal(ro.seq, 5);

	/* publishing is a change of the meeting: its status, version and seq,
	 * and the seq returned is that change's */
	struct uccn_agenda_pub a = PUB("design-agm-2026", agenda_first);
	struct pub_op o = agenda_publish_ok(f->s, &a, "zagreb", T0);
	assert_int_equal(o.seq, 6);
	assert_meeting_state(f->s, "design-agm-2026", "agenda-published", 2, 6);
	/* the rest of the meeting is as it was */
	struct uccn_meeting got = {0};
	assert_int_equal(get_meeting(f->s, "design-agm-2026", &got), 0);
	assert_string_equal(got.id, "design-agm-2026");
	assert_string_equal(got.kind, "annual-meeting");
	assert_string_equal(got.field, "design");
	ASSERT_IDS(&got.hosts, "zagreb", "lyon");
	assert_string_equal(got.place, "Zagreb, Lauba");
	assert_string_equal(got.start, "2026-06-01");
	assert_string_equal(got.end, "2026-06-03");
	assert_string_equal(got.tz, "Europe/Zagreb");
	assert_string_equal(got.day_start, "08:30");
	assert_string_equal(got.day_end, "16:00");
	assert_true(got.hybrid);
	uccn_meeting_clear(&got);

	/* the store tells no one: the notice is uccnd's, a post of its own */
	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.last_seq, 6);
	assert_int_equal(st.posts, 0);
	assert_int_equal(mailbox_total(f->s), 0);

	/* again: the status stays, the version and seq move on */
	o = agenda_publish_ok(f->s, &a, "lyon", T0 + 1000);
	assert_int_equal(o.version, 2);
	assert_int_equal(o.seq, 7);
	assert_meeting_state(f->s, "design-agm-2026", "agenda-published", 3, 7);
	assert_int_equal(get_stats(f->s).last_seq, 7);

	/* whoever read the meeting before a publish must read it again */
	struct uccn_meeting upd = m;
	upd.status = NULL; /* keep the status */
	upd.place = "Zagreb, Lauba, hall B";
	assert_int_equal(meeting_update(f->s, &upd, 2, &ro), UCCN_E_CONFLICT);
	assert_reason_has(&ro, "version 3");
	assert_int_equal(meeting_update(f->s, &upd, 3, &ro), 0);
	assert_int_equal(ro.version, 4);
	assert_int_equal(ro.seq, 8);
	assert_meeting_state(f->s, "design-agm-2026", "agenda-published", 4, 8);
	/* and the agendas are untouched by it */
	assert_agenda(f->s, "design-agm-2026", 0, &a, 2, "lyon", T0 + 1000);
}

/* The store never writes an agenda it could not read back: an entry with a
 * line break in its title, or a start past the day, is refused, named, and
 * leaves nothing behind. */
static void test_agenda_publish_unreadable_refused(void **state)
{
	struct fx *f = *state;
	struct pub_op o;
	write_four_cities(f);
	assert_int_equal(add_design_agm(f->s, "design-agm-2026", "zagreb"), 5);
	struct uccn_agenda_entry bad_title[] = {
		{.key = "opening", .title = "Opening\nand more", .day = 1, .start = 540, .end = 570},
	};
	struct uccn_agenda_entry bad_time[] = {
		{.key = "opening", .title = "Opening", .day = 1, .start = 2000, .end = 2030},
	};
	struct uccn_agenda_pub a = {.meeting = "design-agm-2026", .entries = bad_title, .nentries = 1};
	assert_int_equal(agenda_publish(f->s, &a, "zagreb", T0, &o), UCCN_E_INVALID);
	assert_pub_reason_has(&o, "not valid");
	a.entries = bad_time;
	assert_int_equal(agenda_publish(f->s, &a, "zagreb", T0, &o), UCCN_E_INVALID);
	assert_no_agenda(f->s, "design-agm-2026");
	assert_meeting_state(f->s, "design-agm-2026", "planned", 1, 5);
	assert_int_equal(get_stats(f->s).last_seq, 5);
	assert_int_equal(mailbox_total(f->s), 0);
}

static void test_agenda_publish_refused_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct pub_op o;
	fx_open(f, 0);
	write_city_in(f->s, "a", "design"); /* 1 */
	write_city_in(f->s, "b", "design"); /* 2 */
	assert_int_equal(add_design_agm(f->s, "design-agm-2026", "a"), 3);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:b")), 4);

	/* by a city that is not registered: refused, named, and none of it
	 * stays: no version, the meeting as it was, no number taken */
	struct uccn_agenda_pub a = PUB("design-agm-2026", agenda_first);
	assert_int_equal(agenda_publish(f->s, &a, "ghost", T0, &o), UCCN_E_NOTFOUND);
	assert_pub_reason_has(&o, "ghost");
	assert_no_agenda(f->s, "design-agm-2026");
	assert_meeting_state(f->s, "design-agm-2026", "planned", 1, 3);
	assert_int_equal(get_stats(f->s).last_seq, 4);
	/* nor by a name that is no city id at all */
	assert_int_equal(agenda_publish(f->s, &a, "Not An Id", T0, &o), UCCN_E_NOTFOUND);
	assert_int_equal(agenda_publish(f->s, &a, "", T0, &o), UCCN_E_NOTFOUND);
	assert_no_agenda(f->s, "design-agm-2026");

	/* a publish that passed, in a write that then fails: nothing stays */
	o = (struct pub_op){.a = &a, .by = "a", .now = T0, .fn_rc = UCCN_E_CONFLICT};
	assert_int_equal(uccn_store_write(f->s, pub_fn, &o), UCCN_E_CONFLICT);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.version, 1);
	assert_no_agenda(f->s, "design-agm-2026");
	assert_meeting_state(f->s, "design-agm-2026", "planned", 1, 3);
	assert_int_equal(get_stats(f->s).last_seq, 4);

	/* the same publish then goes through as version 1, with the next
	 * number: the refused ones took none */
	o = agenda_publish_ok(f->s, &a, "a", T0 + 5);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.seq, 5);
	assert_agenda(f->s, "design-agm-2026", 0, &a, 1, "a", T0 + 5);
	assert_meeting_state(f->s, "design-agm-2026", "agenda-published", 2, 5);
	assert_mailbox(f->s, "b", SEQS(4));
	assert_int_equal(get_stats(f->s).posts, 1);
}

/* ---- groups: several operations that stand or fall together ---- */

/* One batch: a post before a group, a group of a publish and its notice
 * (as uccnd makes them), a post after it. The notice goes to b, and to z
 * too when to_z. */
struct group_run {
	const struct uccn_agenda_pub *a;
	bool to_z;
	/* results, recomputed on every run */
	int before_rc, publish_rc, notice_rc, group_rc, after_rc;
	uint64_t before_seq, publish_seq, version, notice_seq, after_seq;
	char reason[256];
};

static int group_fn(struct uccn_txn *t, void *ctx)
{
	struct group_run *g = ctx;
	struct uccn_post before = mk_post("a", "news", "before the group");
	struct uccn_post note = mk_post("a", "news", "the agenda is out");
	struct uccn_post later = mk_post("a", "news", "after the group");
	bool dup;
	before.to = IDS("city:b");
	note.to = g->to_z ? IDS("city:b", "city:z") : IDS("city:b");
	later.to = IDS("city:b");
	g->publish_rc = g->notice_rc = -1;
	g->before_rc = uccn_store_post_add(t, &before, 0, T0, &g->before_seq, &dup);
	if ((g->group_rc = uccn_store_txn_group_begin(t)) == 0) {
		int rc = g->publish_rc = uccn_store_agenda_publish(t, g->a, "a", T0, &g->version,
								   &g->publish_seq);
		if (!rc)
			rc = g->notice_rc = uccn_store_post_add(t, &note, 0, T0, &g->notice_seq,
								&dup);
		g->group_rc = uccn_store_txn_group_end(t, rc);
	}
	snprintf(g->reason, sizeof g->reason, "%s", uccn_store_txn_reason(t));
	g->after_rc = uccn_store_post_add(t, &later, 0, T0, &g->after_seq, &dup);
	return g->group_rc == UCCN_E_MAPFULL || g->after_rc == UCCN_E_MAPFULL ?
	       UCCN_E_MAPFULL : 0;
}

static void test_txn_group(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);
	write_city_in(f->s, "a", "design"); /* 1 */
	write_city_in(f->s, "b", "design"); /* 2 */
	write_city_in(f->s, "z", "music");  /* 3 */
	assert_int_equal(add_design_agm(f->s, "design-agm-2026", "a"), 4);
	uccn_store_set_mailbox_quota(f->s, 2);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:z")), 5);
	assert_int_equal(post_to_ok(f->s, "a", "news", IDS("city:z")), 6);

	/* z is full: the notice fails after the publish passed, and nothing
	 * of the group stays (no version, the meeting as it was, no news in
	 * b's mailbox, no number taken), while the posts before and after
	 * it, outside the group, stand */
	struct uccn_agenda_pub a = PUB("design-agm-2026", agenda_first);
	struct group_run g = {.a = &a, .to_z = true};
	assert_int_equal(uccn_store_write(f->s, group_fn, &g), 0);
	assert_int_equal(g.before_rc, 0);
	assert_int_equal(g.before_seq, 7);
	assert_int_equal(g.publish_rc, 0);
	assert_int_equal(g.publish_seq, 8);
	assert_int_equal(g.notice_rc, UCCN_E_FULL);
	assert_int_equal(g.group_rc, UCCN_E_FULL);
	if (!strstr(g.reason, "'z'") || !strstr(g.reason, "full"))
		fail_msg("reason \"%s\" does not say z is full", g.reason);
	assert_int_equal(g.after_rc, 0);
	assert_int_equal(g.after_seq, 8);
	assert_no_agenda(f->s, "design-agm-2026");
	assert_meeting_state(f->s, "design-agm-2026", "planned", 1, 4);
	assert_mailbox(f->s, "b", SEQS(7, 8));
	assert_mailbox(f->s, "z", SEQS(5, 6));
	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.last_seq, 8);
	assert_int_equal(st.posts, 4);

	/* the same group that passes: all of it stays, in order */
	uccn_store_set_mailbox_quota(f->s, 0);
	g = (struct group_run){.a = &a, .to_z = false};
	assert_int_equal(uccn_store_write(f->s, group_fn, &g), 0);
	assert_int_equal(g.before_rc, 0);
	assert_int_equal(g.before_seq, 9);
	assert_int_equal(g.group_rc, 0);
	assert_int_equal(g.version, 1);
	assert_int_equal(g.publish_seq, 10);
	assert_int_equal(g.notice_seq, 11);
	assert_int_equal(g.after_rc, 0);
	assert_int_equal(g.after_seq, 12);
	assert_agenda(f->s, "design-agm-2026", 0, &a, 1, "a", T0);
	assert_meeting_state(f->s, "design-agm-2026", "agenda-published", 2, 10);
	assert_mailbox(f->s, "b", SEQS(7, 8, 9, 11, 12));
	fx_reopen(f, 0);
	assert_agenda(f->s, "design-agm-2026", 0, &a, 1, "a", T0);
	assert_int_equal(get_stats(f->s).last_seq, 12);
}

/* Misuse: one level only, never in a read, and a batch that leaves a
 * group open writes nothing. */
static int group_misuse_fn(struct uccn_txn *t, void *ctx)
{
	int *step = ctx;
	uint64_t seq;
	if (*step == 0) {
		/* nested: refused, and the group already open still works */
		assert_int_equal(uccn_store_txn_group_begin(t), 0);
		assert_int_equal(uccn_store_txn_group_begin(t), UCCN_E_INVALID);
		assert_int_equal(uccn_store_field_add(t, "sculpture", &seq), 0);
		assert_int_equal(uccn_store_txn_group_end(t, 0), 0);
		/* no group to end: the code passed, or UCCN_E_INVALID for 0 */
		assert_int_equal(uccn_store_txn_group_end(t, UCCN_E_CONFLICT), UCCN_E_CONFLICT);
		assert_int_equal(uccn_store_txn_group_end(t, 0), UCCN_E_INVALID);
		return 0;
	}
	/* left open */
	assert_int_equal(uccn_store_txn_group_begin(t), 0);
	assert_int_equal(uccn_store_field_add(t, "ceramics", &seq), 0);
	return 0;
}

static void test_txn_group_misuse(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);
	int step = 0;
	assert_int_equal(uccn_store_write(f->s, group_misuse_fn, &step), 0);
	assert_int_equal(get_stats(f->s).last_seq, 1);
	step = 1;
	assert_int_equal(uccn_store_write(f->s, group_misuse_fn, &step), UCCN_E_INTERNAL);
	assert_int_equal(get_stats(f->s).last_seq, 1);
	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_field_get(t, "sculpture"), 0);
	assert_int_equal(uccn_store_field_get(t, "ceramics"), UCCN_E_NOTFOUND);
	assert_int_equal(uccn_store_txn_group_begin(t), UCCN_E_INVALID);
	uccn_store_txn_end(&t);
}

/* A group that fills the map: its end passes the full map on, every later
 * operation of the batch meets it at once, and the batch runs again on a
 * larger map, the group whole. */
#define GROUP_POSTS 40

struct group_grow {
	unsigned calls;
	int first_after_rc; /* the operation after the group, on the first run */
	uint64_t seqs[GROUP_POSTS];
};

static int group_grow_fn(struct uccn_txn *t, void *ctx)
{
	struct group_grow *g = ctx;
	static char body[8192];
	uint64_t seq;
	bool dup;
	memset(body, 'x', sizeof body - 1);
	g->calls++;
	int rc = uccn_store_txn_group_begin(t);
	if (rc)
		return rc;
	for (size_t i = 0; i < GROUP_POSTS && !rc; i++) {
		struct uccn_post p = mk_post("a", "update", body);
		rc = uccn_store_post_add(t, &p, 0, T0, &g->seqs[i], &dup);
	}
	rc = uccn_store_txn_group_end(t, rc);
	int after = uccn_store_field_add(t, "sculpture", &seq);
	if (g->calls == 1)
		g->first_after_rc = after;
	return rc ? rc : after;
}

static void test_txn_group_grows_map(void **state)
{
	struct fx *f = *state;
	const size_t tiny = 128 * 1024;
	fx_open(f, tiny);
	write_city(f->s, "a", KEY_A); /* 1 */
	struct group_grow g = {0};
	assert_true(GROUP_POSTS * 8192 > tiny);
	assert_int_equal(uccn_store_write(f->s, group_grow_fn, &g), 0);
	assert_true(g.calls > 1);
	assert_int_equal(g.first_after_rc, UCCN_E_MAPFULL);
	assert_true(uccn_store_map_size(f->s) > tiny);
	for (size_t i = 0; i < GROUP_POSTS; i++)
		assert_int_equal(g.seqs[i], 2 + i);
	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.posts, GROUP_POSTS);
	assert_int_equal(st.last_seq, 2 + GROUP_POSTS);
}

/* A long title, distinct per entry, of the most bytes an entry's title
 * may have on reading (UCCN_MAX_TITLE + 64). */
#define BIG_TITLE (UCCN_MAX_TITLE + 64)

static void test_agenda_publish_grows_map(void **state)
{
	struct fx *f = *state;
	const size_t tiny = 128 * 1024;
	fx_open(f, tiny);
	write_city_in(f->s, "zagreb", "design"); /* 1 */
	write_city_in(f->s, "lyon", "design");   /* 2 */
	assert_int_equal(add_design_agm(f->s, "design-agm-2026", "zagreb"), 3);

	/* the largest agenda: every entry with a long title; more than the
	 * map holds, so the write grows it and runs again from the start */
	struct uccn_agenda_entry *e = calloc(UCCN_MAX_AGENDA_ENTRIES, sizeof *e);
	char (*titles)[BIG_TITLE + 1] = calloc(UCCN_MAX_AGENDA_ENTRIES, sizeof *titles);
	char (*keys)[16] = calloc(UCCN_MAX_AGENDA_ENTRIES, sizeof *keys);
	assert_non_null(e);
	assert_non_null(titles);
	assert_non_null(keys);
	for (size_t i = 0; i < UCCN_MAX_AGENDA_ENTRIES; i++) {
		memset(titles[i], 'a' + (int)(i % 26), BIG_TITLE);
		snprintf(titles[i], BIG_TITLE + 1, "%zu", i);
		titles[i][strlen(titles[i])] = ' ';
		titles[i][BIG_TITLE] = '\0';
		snprintf(keys[i], sizeof keys[i], "post:%zu", i + 100);
		e[i] = (struct uccn_agenda_entry){
			.key = keys[i], .title = titles[i], .day = 1 + (uint32_t)(i % 3),
			.start = (uint32_t)(i % 1000), .end = (uint32_t)(i % 1000) + 30,
		};
	}
	struct uccn_agenda_pub a = {
		.meeting = "design-agm-2026", .entries = e, .nentries = UCCN_MAX_AGENDA_ENTRIES,
	};
	assert_true(UCCN_MAX_AGENDA_ENTRIES * BIG_TITLE > tiny);
	struct pub_op o = agenda_publish_ok(f->s, &a, "zagreb", T0);
	assert_true(o.calls > 1);
	assert_true(uccn_store_map_size(f->s) > tiny);
	/* stored once: version 1, and the numbers of one publish */
	assert_int_equal(o.version, 1);
	assert_int_equal(o.seq, 4);
	assert_int_equal(get_stats(f->s).last_seq, 4);
	assert_meeting_state(f->s, "design-agm-2026", "agenda-published", 2, 4);
	assert_agenda(f->s, "design-agm-2026", 0, &a, 1, "zagreb", T0);
	fx_reopen(f, tiny);
	assert_agenda(f->s, "design-agm-2026", 1, &a, 1, "zagreb", T0);
	free(keys);
	free(titles);
	free(e);
}

/* ---- import keeps what people set (issue 13) ---- */

struct import_op {
	const struct uccn_city *rows;
	size_t n;
	bool overwrite;
	struct uccn_import_counts counts;
	const struct uccn_city *update; /* a change by hand first, or NULL */
	uint64_t update_version;
};

static int import_fn(struct uccn_txn *t, void *ctx)
{
	struct import_op *o = ctx;
	uint64_t seq, version;
	if (o->update)
		return uccn_store_city_update(t, o->update, o->update_version, &seq, &version);
	return uccn_store_city_import(t, o->rows, o->n, o->overwrite, &o->counts);
}

static struct uccn_import_counts import_rows(struct uccn_store *s, const struct uccn_city *rows,
					     size_t n, bool overwrite)
{
	struct import_op o = {.rows = rows, .n = n, .overwrite = overwrite};
	assert_int_equal(uccn_store_write(s, import_fn, &o), 0);
	return o.counts;
}

static void hand_edit(struct uccn_store *s, const struct uccn_city *c, uint64_t version)
{
	struct import_op o = {.update = c, .update_version = version};
	assert_int_equal(uccn_store_write(s, import_fn, &o), 0);
}

static struct uccn_city read_city(struct uccn_store *s, const char *id)
{
	struct uccn_txn *t = NULL;
	struct uccn_city c = {0};
	assert_int_equal(uccn_store_read(s, &t), 0);
	assert_int_equal(uccn_store_city_get(t, id, &c), 0);
	uccn_store_txn_end(&t);
	return c;
}

static void test_import_keeps_hand_edits(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);
	struct uccn_city rows[2] = {mk_city("krakow", NULL), mk_city("lodz", NULL)};
	rows[0].name = "Krakow";
	rows[0].country = "Poland";
	rows[1].name = "Lodz";
	rows[1].country = "Poland";
	struct uccn_import_counts n = import_rows(f->s, rows, 2, false);
	assert_int_equal(n.added, 2);
	assert_int_equal(n.kept, 0);

	/* A person renames Kraków; the next import keeps the name, says so,
	 * and still takes the file's other changes. */
	struct uccn_city hand = read_city(f->s, "krakow");
	assert_int_equal(hand.version, 1);
	uccn_str_set(&hand.name, "Kraków");
	hand_edit(f->s, &hand, 1);
	uccn_city_clear(&hand);
	rows[0].country = "Polska";
	rows[1].name = "Łódź"; /* the file's own change, nobody touched it */
	n = import_rows(f->s, rows, 2, false);
	assert_int_equal(n.updated, 2);
	assert_int_equal(n.kept, 1);
	assert_int_equal(n.nnamed, 1);
	assert_string_equal(n.named[0], "krakow.name");
	struct uccn_city got = read_city(f->s, "krakow");
	assert_string_equal(got.name, "Kraków");
	assert_string_equal(got.country, "Polska");
	uccn_city_clear(&got);
	got = read_city(f->s, "lodz");
	assert_string_equal(got.name, "Łódź");
	uccn_city_clear(&got);

	/* Again: still kept, nothing else to change, nothing written. */
	uint64_t last = get_stats(f->s).last_seq;
	n = import_rows(f->s, rows, 2, false);
	assert_int_equal(n.unchanged, 2);
	assert_int_equal(n.kept, 1);
	assert_int_equal(get_stats(f->s).last_seq, last);

	/* --overwrite takes the file's value. */
	n = import_rows(f->s, rows, 2, true);
	assert_int_equal(n.updated, 1);
	assert_int_equal(n.kept, 0);
	got = read_city(f->s, "krakow");
	assert_string_equal(got.name, "Krakow");
	uccn_city_clear(&got);

	/* The file changes a value it set before: it follows the file, since
	 * what the last import set is remembered import after import. */
	rows[1].name = "Łódź (Lodz)";
	n = import_rows(f->s, rows, 2, false);
	assert_int_equal(n.kept, 0);
	got = read_city(f->s, "lodz");
	assert_string_equal(got.name, "Łódź (Lodz)");
	uccn_city_clear(&got);
}

/* A city the store holds no import of (added by hand, or imported before
 * imports were recorded) keeps what it has; the file fills what is empty. */
static void test_import_without_record_keeps_values(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);
	struct uccn_city c = mk_city("krakow", NULL);
	c.name = "Kraków";
	struct batch b = {0};
	add_city_op(&b, c);
	assert_int_equal(run_batch(f->s, &b), 0);
	assert_int_equal(b.ops[0].rc, 0);

	struct uccn_city row = mk_city("krakow", NULL);
	row.name = "Krakow";
	row.country = "Poland";
	row.year = 2013;
	struct uccn_import_counts n = import_rows(f->s, &row, 1, false);
	assert_int_equal(n.updated, 1);
	assert_int_equal(n.kept, 1);
	assert_string_equal(n.named[0], "krakow.name");
	struct uccn_city got = read_city(f->s, "krakow");
	assert_string_equal(got.name, "Kraków");
	assert_string_equal(got.country, "Poland");
	assert_int_equal(got.year, 2013);
	uccn_city_clear(&got);
}

/* The reply names at most UCCN_IMPORT_KEPT_LIST fields and counts them all. */
static void test_import_kept_list_bounded(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);
	enum { N = UCCN_IMPORT_KEPT_LIST + 5 };
	static char ids[N][16];
	struct uccn_city rows[N];
	struct batch b = {0};
	for (size_t i = 0; i < N; i++) {
		snprintf(ids[i], sizeof ids[i], "city-%zu", i);
		rows[i] = mk_city(ids[i], NULL);
		if (b.n == MAX_OPS) {
			assert_int_equal(run_batch(f->s, &b), 0);
			b.n = 0;
		}
		add_city_op(&b, rows[i]); /* by hand, named "Test City" */
	}
	assert_int_equal(run_batch(f->s, &b), 0);
	for (size_t i = 0; i < N; i++)
		rows[i].name = "From the file";
	struct uccn_import_counts n = import_rows(f->s, rows, N, false);
	assert_int_equal(n.kept, N);
	assert_int_equal(n.nnamed, UCCN_IMPORT_KEPT_LIST);
}

/* ---- mailbox fairness: each sender holds at most its share of a mailbox ---- */

static void test_mailbox_fair_share(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	fx_open(f, 0);
	write_city_in(f->s, "a", "design");
	write_city_in(f->s, "b", "design");
	write_city_in(f->s, "x", "design");
	write_city_in(f->s, "y", "music");
	uccn_store_set_mailbox_quota(f->s, 8);
	uccn_store_set_mailbox_share(f->s, 2);

	/* a broadcasts until its share of every mailbox is used */
	uint64_t s1 = post_to_ok(f->s, "a", "news", IDS("all"));
	uint64_t s2 = post_to_ok(f->s, "a", "news", IDS("all"));
	/* past it the post is still stored, but reaches nobody */
	uint64_t s3 = post_to_ok(f->s, "a", "news", IDS("all"));
	assert_int_equal(get_stats(f->s).last_seq, s3);
	assert_mailbox(f->s, "b", SEQS(s1, s2));
	assert_mailbox(f->s, "x", SEQS(s1, s2));
	assert_mailbox(f->s, "y", SEQS(s1, s2));

	/* a's direct message past its share is refused, naming the city */
	assert_int_equal(post_to(f->s, "a", "message", IDS("city:x"), &o), UCCN_E_FULL);
	assert_reason_has(&o, "'x'");
	assert_reason_has(&o, "share");
	assert_int_equal(get_stats(f->s).last_seq, s3);

	/* b is not shut out: its message and its broadcast get through */
	uint64_t s4 = post_to_ok(f->s, "b", "message", IDS("city:x"));
	uint64_t s5 = post_to_ok(f->s, "b", "news", IDS("all"));
	assert_mailbox(f->s, "x", SEQS(s1, s2, s4, s5));
	assert_mailbox(f->s, "y", SEQS(s1, s2, s5));
	assert_mailbox(f->s, "a", SEQS(s5));

	/* reading frees a's share in x, and only there */
	ack_ok(f->s, "x", s1, 1, 3);
	uint64_t s6 = post_to_ok(f->s, "a", "news", IDS("all"));
	assert_mailbox(f->s, "x", SEQS(s2, s4, s5, s6));
	assert_mailbox(f->s, "y", SEQS(s1, s2, s5));
	assert_mailbox(f->s, "b", SEQS(s1, s2));
	assert_int_equal(post_to(f->s, "a", "message", IDS("city:x"), &o), UCCN_E_FULL);
	assert_int_equal(post_to(f->s, "a", "message", IDS("city:y"), &o), UCCN_E_FULL);
	assert_reason_has(&o, "'y'");

	/* named directly as well as by all: the direct rule refuses */
	assert_int_equal(post_to(f->s, "a", "news", IDS("all", "city:y"), &o), UCCN_E_FULL);
	/* y reads everything: a may message it again */
	ack_ok(f->s, "y", s5, 3, 0);
	uint64_t s7 = post_to_ok(f->s, "a", "message", IDS("city:y"));
	assert_mailbox(f->s, "y", SEQS(s7));
	/* the counters persist across a reopen */
	fx_reopen(f, 0);
	uccn_store_set_mailbox_quota(f->s, 8);
	uccn_store_set_mailbox_share(f->s, 2);
	assert_int_equal(post_to(f->s, "a", "message", IDS("city:x"), &o), UCCN_E_FULL);
	post_to_ok(f->s, "a", "message", IDS("city:y"));
	assert_int_equal(post_to(f->s, "a", "message", IDS("city:y"), &o), UCCN_E_FULL);
}

static struct uccn_store_mailbox_stats mailbox_stats(struct uccn_store *s)
{
	struct uccn_store_mailbox_stats ms;
	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(s, &t), 0);
	assert_int_equal(uccn_store_mailbox_stats(t, &ms), 0);
	uccn_store_txn_end(&t);
	return ms;
}

/* What `uccn status` shows an operator of the mailboxes: the deepest one
 * and whose it is, the total, and the oldest post still unread. */
static void test_mailbox_stats(void **state)
{
	struct fx *f = *state;
	fx_open(f, 0);
	write_city_in(f->s, "a", "design");
	write_city_in(f->s, "b", "design");
	write_city_in(f->s, "c", "music");
	struct uccn_store_mailbox_stats ms = mailbox_stats(f->s);
	assert_int_equal(ms.total, 0);
	assert_int_equal(ms.deepest, 0);
	assert_string_equal(ms.deepest_city, "");
	assert_int_equal(ms.oldest_seq, 0);

	uint64_t s1 = post_to_ok(f->s, "a", "message", IDS("city:b"));
	uint64_t s2 = post_to_ok(f->s, "a", "news", IDS("all"));
	post_to_ok(f->s, "c", "message", IDS("city:b"));
	ms = mailbox_stats(f->s);
	assert_int_equal(ms.total, 4);       /* b: 3, c: 1 */
	assert_int_equal(ms.deepest, 3);
	assert_string_equal(ms.deepest_city, "b");
	assert_int_equal(ms.oldest_seq, s1);
	struct uccn_txn *t = NULL;
	struct uccn_post p = {0};
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_post_get(t, s1, &p), 0);
	uccn_store_txn_end(&t);
	assert_true(p.created_ms > 0);
	assert_int_equal(ms.oldest_created_ms, p.created_ms);
	uccn_post_clear(&p);

	/* b reads all it has: c's one post is the oldest and deepest; a tie
	 * goes to the first city in id order */
	ack_ok(f->s, "b", UINT64_MAX, 3, 0);
	ms = mailbox_stats(f->s);
	assert_int_equal(ms.total, 1);
	assert_int_equal(ms.deepest, 1);
	assert_string_equal(ms.deepest_city, "c");
	assert_int_equal(ms.oldest_seq, s2);
	post_to_ok(f->s, "c", "message", IDS("city:a"));
	ms = mailbox_stats(f->s);
	assert_int_equal(ms.deepest, 1);
	assert_string_equal(ms.deepest_city, "a");
	assert_int_equal(ms.oldest_seq, s2);

	const char *dir = NULL;
	uint64_t bytes = 0;
	assert_int_equal(uccn_store_file_stats(f->s, &dir, &bytes), 0);
	assert_string_equal(dir, f->dir);
	assert_true(bytes > 0);
}

/* A whole mailbox full: a direct message is refused as before, a broadcast
 * skips it and reaches the rest. */
static void test_mailbox_fair_full_broadcast(void **state)
{
	struct fx *f = *state;
	struct rec_op o;
	fx_open(f, 0);
	write_city_in(f->s, "a", "design");
	write_city_in(f->s, "b", "design");
	write_city_in(f->s, "x", "design");
	write_city_in(f->s, "y", "design");
	uccn_store_set_mailbox_quota(f->s, 2); /* the share is the whole quota */
	uint64_t s1 = post_to_ok(f->s, "a", "message", IDS("city:x"));
	uint64_t s2 = post_to_ok(f->s, "b", "message", IDS("city:x"));
	assert_int_equal(post_to(f->s, "b", "message", IDS("city:x"), &o), UCCN_E_FULL);
	assert_reason_has(&o, "'x'");
	assert_reason_has(&o, "full");
	uint64_t s3 = post_to_ok(f->s, "b", "news", IDS("field:design"));
	assert_mailbox(f->s, "x", SEQS(s1, s2));
	assert_mailbox(f->s, "y", SEQS(s3));
	assert_mailbox(f->s, "a", SEQS(s3));
	uint64_t s4 = post_to_ok(f->s, "a", "news", IDS("all"));
	assert_mailbox(f->s, "x", SEQS(s1, s2));
	assert_mailbox(f->s, "y", SEQS(s3, s4));
	assert_mailbox(f->s, "b", SEQS(s4));
}

/* ---- checksums: every stored value is sealed with CRC32C ---- */

/* The published CRC32C check value and RFC 3720's vectors, by both ways
 * of computing it; in pieces as in one go, at every alignment. */
static void test_crc32c_vectors(void **state)
{
	(void)state;
	unsigned char zeros[32] = {0}, ones[32], inc[32], big[300];
	memset(ones, 0xff, sizeof ones);
	for (int i = 0; i < 32; i++)
		inc[i] = (unsigned char)i;
	assert_int_equal(store_crc32c(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(store_crc32c_table(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(store_crc32c(0, zeros, 32), 0x8A9136AAu);
	assert_int_equal(store_crc32c_table(0, ones, 32), 0x62A8AB43u);
	assert_int_equal(store_crc32c(0, inc, 32), 0x46DD794Eu);
	assert_int_equal(store_crc32c(0, "", 0), 0);
	assert_int_equal(store_crc32c(store_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 7 + 3);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= sizeof big; n += 13)
			assert_int_equal(store_crc32c(0, big + off, n),
					 store_crc32c_table(0, big + off, n));
}

/* Change the stored value of key in table as a failing disk would: bit
 * `bit` of byte `at` flips, the seal stays as it was. */
static void raw_flip(const char *dir, const char *table, const void *key, size_t klen,
		     size_t at, int bit)
{
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn = raw_begin(dir, 0, &env);
	MDB_val k = {klen, (void *)key}, v;
	assert_int_equal(mdb_dbi_open(txn, table, 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	assert_true(at < v.mv_size);
	unsigned char *copy = malloc(v.mv_size);
	memcpy(copy, v.mv_data, v.mv_size);
	copy[at] ^= (unsigned char)(1u << bit);
	MDB_val nv = {v.mv_size, copy};
	assert_int_equal(mdb_put(txn, dbi, &k, &nv, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	free(copy);
	mdb_env_close(env);
}

/* Move post `from` to key `to`, as a flipped bit in its key would. */
static void raw_move_post(const char *dir, uint64_t from, uint64_t to)
{
	MDB_env *env;
	MDB_dbi dbi;
	unsigned char fk[8], tk[8];
	be64_put(fk, from);
	be64_put(tk, to);
	MDB_txn *txn = raw_begin(dir, 0, &env);
	MDB_val k = {8, fk}, v;
	assert_int_equal(mdb_dbi_open(txn, "posts", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	unsigned char *copy = malloc(v.mv_size);
	memcpy(copy, v.mv_data, v.mv_size);
	MDB_val nk = {8, tk}, nv = {v.mv_size, copy};
	assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
	assert_int_equal(mdb_put(txn, dbi, &nk, &nv, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	free(copy);
	mdb_env_close(env);
}

/* City "a" and posts "first", "second", "third" (seqs 2, 3, 4). */
static void write_three_posts(struct fx *f)
{
	static const char *const bodies[] = {"first", "second", "third"};
	fx_open(f, 0);
	write_city(f->s, "a", KEY_A);
	for (int i = 0; i < 3; i++) {
		struct batch b = {0};
		add_post_op(&b, mk_post("a", "news", bodies[i]), T0 + i);
		assert_int_equal(run_batch(f->s, &b), 0);
		assert_int_equal(b.ops[0].seq, (uint64_t)i + 2);
	}
}

/* What a read of post seq gives: its body, or the error and the reason. */
static int read_post(struct uccn_store *s, uint64_t seq, char *body, char *why)
{
	struct uccn_txn *t = NULL;
	struct uccn_post p = {0};
	assert_int_equal(uccn_store_read(s, &t), 0);
	int rc = uccn_store_post_get(t, seq, &p);
	snprintf(body, 64, "%s", rc == 0 && p.body ? p.body : "");
	snprintf(why, 256, "%s", uccn_store_txn_reason(t));
	uccn_post_clear(&p);
	uccn_store_txn_end(&t);
	return rc;
}

/* A walk of every post: newest first (list) or oldest first (after). */
static int walk_posts(struct uccn_store *s, bool after, uint64_t since, size_t *n, char *why)
{
	struct uccn_txn *t = NULL;
	struct uccn_query q = {.since = since, .limit = UCCN_LIST_MAX};
	uint64_t next;
	*n = 0;
	assert_int_equal(uccn_store_read(s, &t), 0);
	int rc = after ? uccn_store_post_after(t, &q, NULL, count_post, n, &next)
		       : uccn_store_post_list(t, &q, count_post, n, &next);
	snprintf(why, 256, "%s", uccn_store_txn_reason(t));
	uccn_store_txn_end(&t);
	return rc;
}

/* One flipped bit in a stored post: reading it, listing over it and
 * watching from before it answer corrupt, naming the post; the posts
 * around it read as they were. */
static void test_post_checksum_mismatch(void **state)
{
	struct fx *f = *state;
	char body[64], why[256];
	unsigned char k3[8];
	size_t n;
	write_three_posts(f);
	uccn_store_close(&f->s);
	be64_put(k3, 3);
	raw_flip(f->dir, "posts", k3, 8, LINKS_SIZE + 12, 0);
	fx_open(f, 0);

	assert_int_equal(read_post(f->s, 3, body, why), UCCN_E_CORRUPT);
	assert_string_equal(body, "");
	assert_string_equal(why, "post 3 fails its checksum; restore from a backup");
	assert_int_equal(read_post(f->s, 2, body, why), 0);
	assert_string_equal(body, "first");
	assert_int_equal(read_post(f->s, 4, body, why), 0);
	assert_string_equal(body, "third");

	assert_int_equal(walk_posts(f->s, false, 0, &n, why), UCCN_E_CORRUPT);
	assert_non_null(strstr(why, "post 3 fails its checksum"));
	assert_int_equal(walk_posts(f->s, true, 0, &n, why), UCCN_E_CORRUPT);
	assert_non_null(strstr(why, "post 3 fails its checksum"));
	assert_int_equal(n, 1); /* post 2, before it */
	assert_int_equal(walk_posts(f->s, true, 3, &n, why), 0);
	assert_int_equal(n, 1); /* post 4, after it */
}

/* A flipped bit in a post's key moves it to another number: the seal
 * covers the key, so it reads as damaged, not as post 7. */
static void test_post_key_flip(void **state)
{
	struct fx *f = *state;
	char body[64], why[256];
	size_t n;
	write_three_posts(f);
	uccn_store_close(&f->s);
	raw_move_post(f->dir, 3, 3 ^ 4);
	fx_open(f, 0);
	assert_int_equal(read_post(f->s, 7, body, why), UCCN_E_CORRUPT);
	assert_string_equal(why, "post 7 fails its checksum; restore from a backup");
	assert_int_equal(walk_posts(f->s, true, 0, &n, why), UCCN_E_CORRUPT);
	assert_int_equal(walk_posts(f->s, false, 0, &n, why), UCCN_E_CORRUPT);
	assert_int_equal(n, 0);
}

static int count_city(const struct uccn_city *c, void *ctx)
{
	(void)c;
	(*(size_t *)ctx)++;
	return 0;
}

/* A damaged city record: getting it and listing the cities answer corrupt
 * naming it; the other city reads as it was. */
static void test_city_checksum_mismatch(void **state)
{
	struct fx *f = *state;
	struct uccn_txn *t = NULL;
	struct uccn_city c = {0};
	size_t n = 0;
	fx_open(f, 0);
	write_city(f->s, "a", KEY_A);
	write_city(f->s, "b", KEY_B);
	uccn_store_close(&f->s);
	raw_flip(f->dir, "cities", "b", 1, 3, 6);
	fx_open(f, 0);
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_city_get(t, "b", &c), UCCN_E_CORRUPT);
	assert_string_equal(uccn_store_txn_reason(t),
			    "city 'b' fails its checksum; restore from a backup");
	uccn_city_clear(&c);
	assert_int_equal(uccn_store_city_get(t, "a", &c), 0);
	assert_string_equal(c.id, "a");
	uccn_city_clear(&c);
	assert_int_equal(uccn_store_city_each(t, count_city, &n), UCCN_E_CORRUPT);
	uccn_store_txn_end(&t);
}

/* Replace city's one mailbox entry with want (8 bytes), sealed or not. */
static void raw_mailbox_entry(const char *dir, const char *city, uint64_t want, bool seal)
{
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn = raw_begin(dir, 0, &env);
	MDB_val k = {strlen(city), (void *)city}, v;
	unsigned char entry[SEAL_SMALL], sb[8];
	assert_int_equal(mdb_dbi_open(txn, "mailbox", MDB_DUPSORT | MDB_DUPFIXED, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	assert_int_equal(v.mv_size, 8 + SEAL_SIZE);
	memcpy(entry, v.mv_data, v.mv_size);
	be64_put(sb, want);
	if (seal)
		v = store_seal_into(&k, sb, 8, entry);
	else
		memcpy(entry, sb, 8), v = (MDB_val){8 + SEAL_SIZE, entry};
	assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* A mailbox entry is checked by its own seal: one whose seq flipped to
 * another, whole post is corrupt, not that post handed to the city; one
 * that names no post is corrupt too. */
static void test_mailbox_entry_damaged(void **state)
{
	struct fx *f = *state;
	struct seqs got = {0};
	struct uccn_txn *t = NULL;
	fx_open(f, 0);
	write_city(f->s, "a", KEY_A);
	write_city(f->s, "b", KEY_B);
	struct batch b = {0};
	struct uccn_post dm = mk_post("a", "message", "for b only");
	char *to[] = {"city:b"};
	dm.to.v = to;
	dm.to.n = 1;
	add_post_op(&b, mk_post("a", "news", "public"), T0);
	add_post_op(&b, dm, T0 + 1);
	assert_int_equal(run_batch(f->s, &b), 0);
	assert_int_equal(b.ops[1].seq, 4);
	uccn_store_close(&f->s);

	raw_mailbox_entry(f->dir, "b", 3, false); /* 4 -> 3: one bit, seal kept */
	fx_open(f, 0);
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_mailbox_each(t, "b", 10, collect_seq, &got), UCCN_E_CORRUPT);
	assert_int_equal(got.n, 0);
	assert_string_equal(uccn_store_txn_reason(t),
			    "the mailbox of city 'b' fails its checksum; restore from a backup");
	uccn_store_txn_end(&t);
	uccn_store_close(&f->s);

	raw_mailbox_entry(f->dir, "b", 99, true); /* sealed, but no post 99 */
	fx_open(f, 0);
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_mailbox_each(t, "b", 10, collect_seq, &got), UCCN_E_CORRUPT);
	assert_non_null(strstr(uccn_store_txn_reason(t), "holds post 99, which is not there"));
	uccn_store_txn_end(&t);
}

/* The format 2 store of tests/damage/format2/, made by uccnd before
 * format 3, unpacked into dir as its data.mdb. */
static void unpack_format_2(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "gzip -dc tests/damage/format2/data.mdb.gz > '%s/data.mdb'", dir);
	if (system(cmd) != 0)
		fail_msg("cannot unpack tests/damage/format2/data.mdb.gz (run from the source tree)");
}

static uint64_t raw_format(const char *dir)
{
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn = raw_begin(dir, MDB_RDONLY, &env);
	MDB_val k = {6, "format"}, v;
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	assert_int_equal(v.mv_size, 8);
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | ((unsigned char *)v.mv_data)[i];
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return x;
}

/* The format 2 store is rewritten to format 3 on open, every record kept:
 * its posts (and their chains, marks included), its cities, a mailbox;
 * once rewritten, its values are sealed. */
static void test_format_2_rewritten(void **state)
{
	struct fx *f = *state;
	char body[64], why[256];
	struct uccn_txn *t = NULL;
	struct seqs got = {0};
	unpack_format_2(f->dir);
	assert_int_equal(raw_format(f->dir), 2);
	fx_open(f, 0);
	assert_int_equal(uccn_store_rewrote_from(f->s), 2);
	struct uccn_store_stats st = get_stats(f->s);
	assert_int_equal(st.cities, 2);
	assert_int_equal(st.posts, 68);
	assert_int_equal(st.last_seq, 71);
	assert_int_equal(read_post(f->s, 4, body, why), 0);
	assert_string_equal(body, "format two post 1");
	assert_int_equal(read_post(f->s, 70, body, why), 0);
	assert_string_equal(body, "lyon project note");
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_mailbox_each(t, "lyon", 10, collect_seq, &got), 0);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.v[0], 71);
	/* coordinator's chain of 67 posts has a mark: a walk from below it */
	struct uccn_query q = {.city = "coordinator", .before = 6, .limit = UCCN_LIST_MAX};
	size_t n = 0;
	uint64_t next;
	assert_int_equal(uccn_store_post_list(t, &q, count_post, &n, &next), 0);
	assert_int_equal(n, 2); /* posts 4 and 5 */
	struct uccn_city c = {0};
	assert_int_equal(uccn_store_city_get(t, "lyon", &c), 0);
	assert_string_equal(c.name, "Lyon");
	uccn_city_clear(&c);
	uccn_store_txn_end(&t);
	uccn_store_close(&f->s);
	assert_int_equal(raw_format(f->dir), 3);

	/* sealed now: a flipped bit is caught */
	unsigned char k4[8];
	be64_put(k4, 4);
	raw_flip(f->dir, "posts", k4, 8, LINKS_SIZE + 20, 3);
	fx_open(f, 0);
	assert_int_equal(uccn_store_rewrote_from(f->s), 0);
	assert_int_equal(read_post(f->s, 4, body, why), UCCN_E_CORRUPT);
	assert_int_equal(read_post(f->s, 5, body, why), 0);
	assert_string_equal(body, "format two post 2");
}

/* A format 2 store with a post that does not decode is refused, naming
 * the post, and left byte for byte as it was: the rewrite is one
 * transaction, never committed. */
static void test_format_2_damaged_left_as_it_was(void **state)
{
	struct fx *f = *state;
	char path[4200], err[256] = "";
	unsigned char k10[8];
	size_t n0, n1;
	struct uccn_store *s = NULL;
	unpack_format_2(f->dir);
	be64_put(k10, 10);
	/* the record's first byte, its map header, into a msgpack byte that
	 * never begins a value */
	raw_flip(f->dir, "posts", k10, 8, LINKS_SIZE, 6);
	snprintf(path, sizeof path, "%s/data.mdb", f->dir);
	char *before = tmpdir_read_file(path, &n0);
	assert_non_null(before);
	assert_int_equal(uccn_store_open(&s, f->dir, 0, err, sizeof err), UCCN_E_CORRUPT);
	assert_null(s);
	assert_string_equal(err, "post 10 of the format 2 data is damaged; restore from a backup");
	char *after = tmpdir_read_file(path, &n1);
	assert_non_null(after);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);
	free(before);
	free(after);
	assert_int_equal(raw_format(f->dir), 2);
}

/* ---- a format 2 store with unread mail: each sender's share, counted ---- */

/* Empty the per-sender counters of the store in dir, as a store written
 * before uccnd counted them has them. */
static void raw_empty_senders(const char *dir)
{
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn = raw_begin(dir, 0, &env);
	assert_int_equal(mdb_dbi_open(txn, "mailbox_senders", 0, &dbi), 0);
	assert_int_equal(mdb_drop(txn, dbi, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* How many more direct messages author may send to city before the store
 * refuses one as past the author's share (the refusal must say so);
 * fails past limit. */
static int messages_left(struct uccn_store *s, const char *author, const char *city,
			 int limit)
{
	char to[UCCN_MAX_AUDIENCE_SPEC + 1];
	snprintf(to, sizeof to, "city:%s", city);
	for (int sent = 0; sent <= limit; sent++) {
		struct rec_op o;
		int rc = post_to(s, author, "message", IDS(to), &o);
		if (rc == UCCN_E_FULL) {
			assert_reason_has(&o, "share");
			return sent;
		}
		if (rc)
			fail_msg("message from %s to %s: %d %s", author, city, rc, o.reason);
	}
	fail_msg("%s sent %s more than %d messages: no share was counted", author, city, limit);
	return -1;
}

/* Mail left unread in a store that is then made format 2 (its counters as
 * format 2 kept them, or none at all when empty_senders), opened and so
 * rewritten to format 3: every mailbox holds what it held, and each
 * sender's share counts what it has unread there, no more, no less. */
static void format_2_unread_mail(struct fx *f, bool empty_senders)
{
	fx_open(f, 0);
	write_city_in(f->s, "a", "design");
	write_city_in(f->s, "b", "design");
	write_city_in(f->s, "x", "design");
	uint64_t s1 = post_to_ok(f->s, "a", "message", IDS("city:x"));
	uint64_t s2 = post_to_ok(f->s, "a", "message", IDS("city:x"));
	uint64_t s3 = post_to_ok(f->s, "b", "message", IDS("city:x"));
	uint64_t s4 = post_to_ok(f->s, "a", "message", IDS("city:x"));
	uint64_t s5 = post_to_ok(f->s, "a", "message", IDS("city:b"));
	uint64_t s6 = post_to_ok(f->s, "b", "news", IDS("all")); /* to a and x */
	uccn_store_close(&f->s);
	unseal_all(f->dir);
	if (empty_senders)
		raw_empty_senders(f->dir);
	assert_int_equal(raw_format(f->dir), 2);

	fx_open(f, 0);
	assert_int_equal(uccn_store_rewrote_from(f->s), 2);
	uccn_store_set_mailbox_quota(f->s, 32);
	uccn_store_set_mailbox_share(f->s, 4);
	assert_mailbox(f->s, "x", SEQS(s1, s2, s3, s4, s6));
	assert_mailbox(f->s, "b", SEQS(s5));
	assert_mailbox(f->s, "a", SEQS(s6));
	/* x holds 3 of a's and 2 of b's; b holds 1 of a's; a 1 of b's */
	assert_int_equal(messages_left(f->s, "a", "x", 4), 1);
	assert_int_equal(messages_left(f->s, "b", "x", 4), 2);
	assert_int_equal(messages_left(f->s, "a", "b", 4), 3);
	assert_int_equal(messages_left(f->s, "b", "a", 4), 3);
	/* reading frees the share: x reads all 8, and both may send 4 again */
	ack_ok(f->s, "x", UINT64_MAX, 8, 0);
	assert_int_equal(messages_left(f->s, "a", "x", 4), 4);
	assert_int_equal(messages_left(f->s, "b", "x", 4), 4);
	/* the counters stay right across another open, now format 3 */
	fx_reopen(f, 0);
	assert_int_equal(uccn_store_rewrote_from(f->s), 0);
	uccn_store_set_mailbox_quota(f->s, 32);
	uccn_store_set_mailbox_share(f->s, 4);
	assert_int_equal(messages_left(f->s, "a", "x", 4), 0);
	ack_ok(f->s, "x", UINT64_MAX, 8, 0);
	assert_int_equal(messages_left(f->s, "a", "x", 4), 4);
}

/* A format 2 store kept its counters beside its mailboxes: the rewrite
 * carries them over, sealed. */
static void test_format_2_unread_counts_kept(void **state)
{
	format_2_unread_mail(*state, false);
}

/* A store from before the counters were kept has mail and no counters:
 * the open counts them from the mailboxes, after the rewrite has sealed
 * what it counts from. */
static void test_format_2_unread_counts_rebuilt(void **state)
{
	format_2_unread_mail(*state, true);
}

/* The format 2 store uccnd made (tests/damage/format2/) has one post
 * unread in lyon's mailbox: once rewritten, its author holds one of its
 * share there, so with a share of 3 it may send exactly 2 more. */
static void test_format_2_fixture_share_counted(void **state)
{
	struct fx *f = *state;
	struct seqs got = {0};
	struct uccn_txn *t = NULL;
	struct uccn_post p = {0};
	char author[UCCN_MAX_ID + 1];
	unpack_format_2(f->dir);
	fx_open(f, 0);
	assert_int_equal(uccn_store_rewrote_from(f->s), 2);
	uccn_store_set_mailbox_share(f->s, 3);
	mailbox(f->s, "lyon", UINT32_MAX, &got);
	assert_int_equal(got.n, 1);
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_post_get(t, got.v[0], &p), 0);
	uccn_store_txn_end(&t);
	assert_non_null(p.city);
	snprintf(author, sizeof author, "%s", p.city);
	uccn_post_clear(&p);
	assert_string_not_equal(author, "lyon");
	assert_int_equal(messages_left(f->s, author, "lyon", 3), 2);
	assert_int_equal(mailbox_count(f->s, "lyon"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_open_missing_dir),
		T(test_open_fresh_empty),
		T(test_cities_and_posts_read_back),
		T(test_sequence_gapless_and_failed_ops_leave_no_trace),
		T(test_failed_batch_writes_nothing),
		T(test_list_filters),
		T(test_list_unknown_city_is_empty),
		T(test_list_since_before),
		T(test_list_limit_and_paging),
		T(test_list_callback_stops),
		T(test_list_every_before),
		T(test_format_1_rewritten),
		T(test_format_1_damaged_refused),
		T(test_list_damaged_chain),
		T(test_format_1_rewrite_grows_map),
		T(test_idempotency),
		T(test_map_growth),
		T(test_open_map_too_small),
		T(test_stats_counts),
		T(test_format_version_refused),
		T(test_crc32c_vectors),
		T(test_post_checksum_mismatch),
		T(test_post_key_flip),
		T(test_city_checksum_mismatch),
		T(test_mailbox_entry_damaged),
		T(test_format_2_rewritten),
		T(test_format_2_damaged_left_as_it_was),
		T(test_format_2_unread_counts_kept),
		T(test_format_2_unread_counts_rebuilt),
		T(test_format_2_fixture_share_counted),
		T(test_project_add),
		T(test_project_update),
		T(test_project_members),
		T(test_project_meeting_each),
		T(test_meeting_add_update),
		T(test_versioned_write_same_for_both),
		T(test_post_refs_must_exist),
		T(test_project_meeting_limits),
		T(test_audience_delivery),
		T(test_audience_must_exist),
		T(test_audience_keyless_cities),
		T(test_mailbox_quota),
		T(test_mailbox_each_and_ack),
		T(test_message_visibility),
		T(test_post_after),
		T(test_post_readers_recorded),
		T(test_mailbox_deliver),
		T(test_agenda_publish_unknown_meeting),
		T(test_agenda_publish_versions),
		T(test_agenda_publish_meeting_status),
		T(test_agenda_publish_unreadable_refused),
		T(test_agenda_publish_refused_leaves_nothing),
		T(test_agenda_publish_grows_map),
		T(test_txn_group),
		T(test_txn_group_misuse),
		T(test_txn_group_grows_map),
		T(test_import_keeps_hand_edits),
		T(test_import_without_record_keeps_values),
		T(test_import_kept_list_bounded),
		T(test_mailbox_fair_share),
	T(test_mailbox_stats),
		T(test_mailbox_fair_full_broadcast),
#undef T
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
