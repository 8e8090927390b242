/*
 * test_committer.c - the daemon's commit thread on a real store, without
 * the daemon: batches form while the thread is busy and are committed
 * whole, in order; a full batch says so; a batch that fills the map comes
 * back, is committed again after the map grows, and nothing is lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../daemon/committer.h"
#include "uccn_error.h"
#include "uccn_store.h"

#include "../harness/tmpdir.h"

/* One write: a field (small) or a post of 3000 bytes by city "c". */
struct item {
	bool big;
	char name[24];
	uint64_t seq;
	int rc;
};

static int apply(struct uccn_txn *t, void *ctx)
{
	struct committer_batch *b = ctx;
	struct item *items = b->items;
	static char body[3001];
	memset(body, 'x', sizeof body - 1);
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &items[i];
		if (it->big) {
			struct uccn_post p = {.city = "c", .kind = "update", .body = body};
			bool dup;
			it->rc = uccn_store_post_add(t, &p, 0, 1, &it->seq, &dup);
		} else {
			it->rc = uccn_store_field_add(t, it->name, &it->seq);
		}
		if (it->rc == UCCN_E_MAPFULL)
			return it->rc;
	}
	return 0;
}

static int add_city(struct uccn_txn *t, void *ctx)
{
	(void)ctx;
	struct uccn_city c = {.id = "c", .name = "C", .field = "literature", .role = "member"};
	uint64_t seq;
	return uccn_store_city_add(t, &c, &seq);
}

struct fx {
	char *dir;
	struct uccn_store *s;
	struct committer *c;
	struct item done[512]; /* finished items, in the order they came back */
	size_t ndone, nbatches;
	unsigned grew;
};

static int open_with(struct fx *f, size_t map, size_t max_items)
{
	char err[256];
	if (uccn_store_open(&f->s, f->dir, map, err, sizeof err) ||
	    uccn_store_write(f->s, add_city, NULL) ||
	    committer_new(&f->c, f->s, apply, sizeof(struct item), max_items, err, sizeof err))
		return -1;
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->dir = tmpdir_new("test-committer");
	if (!f->dir) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	committer_destroy(&f->c);
	uccn_store_close(&f->s);
	tmpdir_destroy(&f->dir);
	free(f);
	return 0;
}

static void append(struct fx *f, bool big, int k)
{
	struct item it = {.big = big};
	snprintf(it.name, sizeof it.name, "f%03d", k);
	assert_int_equal(committer_append(f->c, &it), 0);
}

/* Take what finished until the committer is idle; grow the map and
 * commit again what filled it, as the daemon's loop does. */
static void drain(struct fx *f)
{
	while (!committer_idle(f->c)) {
		committer_wait_finished(f->c);
		struct committer_batch *b;
		while ((b = committer_pop(f->c))) {
			if (b->rc == UCCN_E_MAPFULL) {
				assert_int_equal(uccn_store_grow(f->s), 0);
				f->grew++;
				committer_retry(f->c, b);
				continue;
			}
			assert_int_equal(b->rc, 0);
			assert_true(f->ndone + b->n <= sizeof f->done / sizeof f->done[0]);
			memcpy(&f->done[f->ndone], b->items, b->n * sizeof(struct item));
			f->ndone += b->n;
			f->nbatches++;
			committer_release(f->c, b);
		}
	}
}

static void sleep_ms(int ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

/* While the thread is busy (here: claimed), writes gather; once it is free
 * it takes all of them as one transaction, and they come back in the order
 * they were appended, with consecutive numbers. */
static void test_batch_forms_while_busy(void **state)
{
	struct fx *f = *state;
	assert_int_equal(open_with(f, 0, 256), 0);
	assert_true(committer_claim(f->c));
	assert_false(committer_claim(f->c)); /* one writer at a time */
	for (int k = 0; k < 50; k++)
		append(f, false, k);
	sleep_ms(50);
	assert_null(committer_pop(f->c)); /* nothing taken while claimed */
	assert_false(committer_idle(f->c));
	committer_unclaim(f->c, 0);
	drain(f);
	assert_int_equal(f->nbatches, 1);
	assert_int_equal(f->ndone, 50);
	for (size_t k = 0; k < 50; k++) {
		char name[24];
		snprintf(name, sizeof name, "f%03zu", k);
		assert_string_equal(f->done[k].name, name);
		assert_int_equal(f->done[k].rc, 0);
		if (k)
			assert_int_equal(f->done[k].seq, f->done[k - 1].seq + 1);
	}
	/* and they are in the store, durably */
	struct uccn_txn *t = NULL;
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_field_get(t, "f049"), 0);
	uccn_store_txn_end(&t);
	/* idle again: a lone write may be committed by the caller */
	assert_true(committer_claim(f->c));
	committer_unclaim(f->c, 0);
}

/* A full batch refuses one more; when the thread takes it there is room. */
static void test_full_batch(void **state)
{
	struct fx *f = *state;
	assert_int_equal(open_with(f, 0, 4), 0);
	assert_true(committer_claim(f->c));
	for (int k = 0; k < 4; k++)
		append(f, false, k);
	struct item it = {.name = "f004"};
	assert_int_equal(committer_append(f->c, &it), UCCN_E_BUSY);
	committer_unclaim(f->c, 0);
	committer_wait(f->c); /* room, or a batch finished */
	while (committer_append(f->c, &it) != 0)
		committer_wait(f->c);
	drain(f);
	assert_int_equal(f->ndone, 5);
	assert_string_equal(f->done[4].name, "f004");
}

/* The latency figures of status: 0 before any commit; then every commit,
 * by the thread or by a caller that claimed it, is in the window. */
static void test_commit_latency(void **state)
{
	struct fx *f = *state;
	uint64_t p50, p99;
	assert_int_equal(open_with(f, 0, 256), 0);
	committer_latency(f->c, &p50, &p99);
	assert_int_equal(p50, 0);
	assert_int_equal(p99, 0);
	append(f, false, 0);
	drain(f);
	committer_latency(f->c, &p50, &p99);
	assert_true(p50 > 0);
	assert_int_equal(p99, p50); /* one commit */
	/* a lone write the caller committed, 3 s long: the slowest, so p99 */
	assert_true(committer_claim(f->c));
	committer_unclaim(f->c, 3000000000ULL);
	committer_latency(f->c, &p50, &p99);
	assert_int_equal(p99, 3000000);
	assert_true(p50 > 0 && p50 <= p99);
}

/* One batch of 150 posts of 3000 bytes into a 256 KiB map: it comes back
 * as map-full, the map grows, it is committed again, every post once. */
static void test_map_full_batch_committed_again(void **state)
{
	struct fx *f = *state;
	assert_int_equal(open_with(f, 256 * 1024, 256), 0);
	assert_true(committer_claim(f->c));
	for (int k = 0; k < 150; k++)
		append(f, true, k);
	committer_unclaim(f->c, 0);
	drain(f);
	assert_true(f->grew >= 1);
	assert_int_equal(f->ndone, 150);
	for (size_t k = 1; k < 150; k++)
		assert_int_equal(f->done[k].seq, f->done[k - 1].seq + 1);
	struct uccn_txn *t = NULL;
	struct uccn_store_stats st;
	assert_int_equal(uccn_store_read(f->s, &t), 0);
	assert_int_equal(uccn_store_stats(t, &st), 0);
	uccn_store_txn_end(&t);
	assert_int_equal(st.posts, 150);
	assert_int_equal(st.last_seq, f->done[149].seq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch_forms_while_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_latency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_full_batch_committed_again, setup, teardown),
	};
	return cmocka_run_group_tests_name("committer", tests, NULL, NULL);
}
