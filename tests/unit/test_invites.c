/*
 * test_invites.c - the store's invitations (store/invites.c) on a real
 * LMDB environment: recorded by the hash of the secret, used once, refused
 * when unknown, used, expired or for another city, and swept on expiry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "uccn_error.h"
#include "uccn_store.h"

#include "../harness/tmpdir.h"

#define T0 1764000000000LL /* a fixed "now" in ms */
#define DAY_MS (24LL * 3600 * 1000)

struct fx {
	char *dir;
	struct uccn_store *s;
};

/* What one write does: an operation and its result. */
struct op {
	enum { PUT, TAKE, EXPIRE, ADD_CITY } what;
	unsigned char hash[UCCN_STORE_INVITE_HASH];
	const char *city;
	int64_t ms;
	int rc;
	enum uccn_invite_verdict verdict;
	uint64_t n;
};

static int apply(struct uccn_txn *t, void *ctx)
{
	struct op *o = ctx;
	uint64_t seq;
	struct uccn_city c = {.id = (char *)o->city, .name = "A city", .field = "literature",
			      .role = "member"};
	switch (o->what) {
	case PUT: o->rc = uccn_store_invite_put(t, o->hash, o->city, o->ms); break;
	case TAKE: o->rc = uccn_store_invite_take(t, o->hash, o->city, o->ms, &o->verdict); break;
	case EXPIRE: o->rc = uccn_store_invite_expire(t, o->ms, &o->n); break;
	case ADD_CITY: o->rc = uccn_store_city_add(t, &c, &seq); break;
	}
	return o->rc == UCCN_E_MAPFULL ? o->rc : 0;
}

static struct op run(struct fx *f, struct op o)
{
	assert_int_equal(uccn_store_write(f->s, apply, &o), 0);
	return o;
}

static uint64_t pending(struct fx *f, int64_t now)
{
	struct uccn_txn *t = NULL;
	uint64_t n = 99;
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_invite_pending(t, now, &n), 0);
	uccn_store_txn_end(&t);
	return n;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char err[256];
	if (!f || !(f->dir = tmpdir_new("test-invites")) ||
	    uccn_store_open(&f->s, f->dir, 0, err, sizeof err)) {
		free(f);
		return -1;
	}
	*state = f;
	run(f, (struct op){.what = ADD_CITY, .city = "krakow"});
	run(f, (struct op){.what = ADD_CITY, .city = "granada"});
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	uccn_store_close(&f->s);
	tmpdir_destroy(&f->dir);
	free(f);
	return 0;
}

static struct op with_hash(struct op o, unsigned char fill)
{
	memset(o.hash, fill, sizeof o.hash);
	return o;
}

/* Used once: the second take is refused as used, and writes nothing. */
static void test_take_once(void **state)
{
	struct fx *f = *state;
	struct op o = run(f, with_hash((struct op){.what = PUT, .city = "krakow", .ms = T0 + DAY_MS}, 1));
	assert_int_equal(o.rc, 0);
	assert_int_equal(pending(f, T0), 1);
	o = run(f, with_hash((struct op){.what = TAKE, .city = "krakow", .ms = T0}, 1));
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.verdict, UCCN_INVITE_OK);
	assert_int_equal(pending(f, T0), 0);
	o = run(f, with_hash((struct op){.what = TAKE, .city = "krakow", .ms = T0}, 1));
	assert_int_equal(o.rc, UCCN_E_DENIED);
	assert_int_equal(o.verdict, UCCN_INVITE_USED);
}

/* Unknown secret, another city's invitation, an expired one: refused
 * alike (UCCN_E_DENIED), each with its own verdict; none is used up. */
static void test_take_refusals(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, with_hash((struct op){.what = PUT, .city = "krakow",
						      .ms = T0 + DAY_MS}, 2)).rc, 0);
	struct op o = run(f, with_hash((struct op){.what = TAKE, .city = "krakow", .ms = T0}, 3));
	assert_int_equal(o.rc, UCCN_E_DENIED);
	assert_int_equal(o.verdict, UCCN_INVITE_UNKNOWN);
	o = run(f, with_hash((struct op){.what = TAKE, .city = "granada", .ms = T0}, 2));
	assert_int_equal(o.rc, UCCN_E_DENIED);
	assert_int_equal(o.verdict, UCCN_INVITE_OTHER_CITY);
	o = run(f, with_hash((struct op){.what = TAKE, .city = "krakow", .ms = T0 + DAY_MS}, 2));
	assert_int_equal(o.rc, UCCN_E_DENIED);
	assert_int_equal(o.verdict, UCCN_INVITE_EXPIRED);
	/* Still there and unused for the right city in time. */
	o = run(f, with_hash((struct op){.what = TAKE, .city = "krakow", .ms = T0 + DAY_MS - 1}, 2));
	assert_int_equal(o.rc, 0);
}

/* Put: the city must exist, a hash is recorded once. */
static void test_put_rules(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, with_hash((struct op){.what = PUT, .city = "nowhere",
						      .ms = T0}, 4)).rc, UCCN_E_NOTFOUND);
	assert_int_equal(run(f, with_hash((struct op){.what = PUT, .city = "krakow",
						      .ms = T0}, 4)).rc, 0);
	assert_int_equal(run(f, with_hash((struct op){.what = PUT, .city = "granada",
						      .ms = T0}, 4)).rc, UCCN_E_EXISTS);
	assert_int_equal(run(f, with_hash((struct op){.what = PUT, .city = "krakow",
						      .ms = 0}, 5)).rc, UCCN_E_INVALID);
}

/* Expire removes what ran out, used or not, and keeps the rest; a removed
 * invitation is then unknown. */
static void test_expire(void **state)
{
	struct fx *f = *state;
	run(f, with_hash((struct op){.what = PUT, .city = "krakow", .ms = T0 + 10}, 6));
	run(f, with_hash((struct op){.what = PUT, .city = "krakow", .ms = T0 + 20}, 7));
	run(f, with_hash((struct op){.what = PUT, .city = "granada", .ms = T0 + DAY_MS}, 8));
	assert_int_equal(run(f, with_hash((struct op){.what = TAKE, .city = "krakow",
						      .ms = T0}, 7)).rc, 0);
	assert_int_equal(pending(f, T0), 2);
	struct op o = run(f, (struct op){.what = EXPIRE, .ms = T0 + 30});
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(pending(f, T0 + 30), 1);
	o = run(f, with_hash((struct op){.what = TAKE, .city = "krakow", .ms = T0}, 6));
	assert_int_equal(o.verdict, UCCN_INVITE_UNKNOWN);
	o = run(f, with_hash((struct op){.what = TAKE, .city = "granada", .ms = T0 + 30}, 8));
	assert_int_equal(o.rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expire, setup, teardown),
	};
	return cmocka_run_group_tests_name("invites", tests, NULL, NULL);
}
