/*
 * test_verify.c - the page walk that checks data.mdb before LMDB maps it
 * (store/verify.c, through uccn_store_check_files and uccn_store_open): a
 * store written by the store library passes, and copies of it damaged in
 * one place each (a branch pointing past the pages in use or at a page
 * reached already, a leaf node whose value runs past its page, a page
 * header with a type LMDB does not have) are refused, the reason naming
 * the damaged page and its table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uccn_error.h"
#include "uccn_store.h"

#include "../harness/tmpdir.h"

#define T0 1764000000000LL
/* Posts of about 1 KiB: a few to a leaf page, so the posts table has a
 * branch page above its leaves. */
#define NPOSTS 200
#define BODY 1000

/* LMDB's on-disk layout (0.9, native byte order), as verify.c reads it:
 * a page header of 16 bytes (page number, pad, flags, lower, upper); in
 * a meta page, from the page's start, the trees at 40 and 88 (48 bytes
 * each, the first one's pad the page size), the last page at 136 and the
 * transaction at 144; a node of 8 bytes (two 16-bit words of data
 * size, or a branch's child page, flags, key size), its key, its data. */
#define PAGE_HDR 16
#define META_TREES 40
#define TREE_SIZE 48
#define META_LAST 136
#define META_TXNID 144
#define P_BRANCH 0x01
#define P_LEAF 0x02

struct fx {
	char *dir;       /* the good store */
	char *bad;       /* a copy to damage */
	unsigned char *file;
	size_t size;
	size_t psize;
	uint64_t last;   /* the last page in use */
	uint64_t root;   /* the posts table's root: a branch */
	uint64_t leaf;   /* its first child: a leaf */
};

static uint16_t u16(const unsigned char *p)
{
	uint16_t x;
	memcpy(&x, p, 2);
	return x;
}

static uint64_t u64(const unsigned char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}

static void put16(unsigned char *p, uint16_t x)
{
	memcpy(p, &x, 2);
}

static unsigned char *page(struct fx *f, uint64_t pgno)
{
	assert_true((pgno + 1) * f->psize <= f->size);
	return f->file + pgno * f->psize;
}

/* Node i of page p. */
static unsigned char *node(unsigned char *p, size_t i)
{
	return p + u16(p + PAGE_HDR + 2 * i);
}

static size_t nodes(const unsigned char *p)
{
	return (size_t)(u16(p + 12) - PAGE_HDR) / 2;
}

/* A branch node's child page. */
static uint64_t child(const unsigned char *n)
{
	return (uint64_t)u16(n) | (uint64_t)u16(n + 2) << 16 | (uint64_t)u16(n + 4) << 32;
}

static void set_child(unsigned char *n, uint64_t pgno)
{
	put16(n, (uint16_t)pgno);
	put16(n + 2, (uint16_t)(pgno >> 16));
	put16(n + 4, (uint16_t)(pgno >> 32));
}

static int write_posts(struct uccn_txn *t, void *ctx)
{
	static char body[BODY + 1];
	int *done = ctx;
	memset(body, 'v', BODY);
	for (int end = *done + 50; *done < end && *done < NPOSTS; (*done)++) {
		struct uccn_post p = {.city = "a", .kind = "update", .body = body};
		uint64_t seq;
		bool dup;
		int rc = uccn_store_post_add(t, &p, 0, T0 + *done, &seq, &dup);
		if (rc)
			return rc;
	}
	return 0;
}

static int write_city(struct uccn_txn *t, void *ctx)
{
	(void)ctx;
	struct uccn_city c = {.id = "a", .name = "A City", .field = "design", .role = "member"};
	uint64_t seq;
	return uccn_store_city_add(t, &c, &seq);
}

/* The table record of name in the tree of tables (one leaf page here). */
static const unsigned char *table_record(struct fx *f, const unsigned char *main_tree,
					 const char *name)
{
	assert_int_equal(u16(main_tree + 6), 1); /* the tables fit on one page */
	unsigned char *p = page(f, u64(main_tree + 40));
	assert_int_equal(u16(p + 10), P_LEAF);
	for (size_t i = 0; i < nodes(p); i++) {
		unsigned char *n = node(p, i);
		if (u16(n + 6) == strlen(name) && memcmp(n + 8, name, strlen(name)) == 0)
			return n + 8 + u16(n + 6);
	}
	fail_msg("no table %s in the store", name);
	return NULL;
}

/* A store of one city and NPOSTS posts, written by the store library;
 * its data.mdb read into f->file, and where its posts table is. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	*state = f;
	f->dir = tmpdir_new("test-verify");
	f->bad = tmpdir_new("test-verify-bad");
	if (!f->dir || !f->bad)
		return -1;
	struct uccn_store *s = NULL;
	char err[256] = "";
	if (uccn_store_open(&s, f->dir, 0, err, sizeof err) != 0) {
		fprintf(stderr, "open: %s\n", err);
		return -1;
	}
	int done = 0, rc = uccn_store_write(s, write_city, NULL);
	while (!rc && done < NPOSTS)
		rc = uccn_store_write(s, write_posts, &done);
	uccn_store_close(&s);
	if (rc) {
		fprintf(stderr, "writing the store: %s\n", uccn_strerror(rc));
		return -1;
	}
	char path[4200];
	snprintf(path, sizeof path, "%s/data.mdb", f->dir);
	if (!(f->file = (unsigned char *)tmpdir_read_file(path, &f->size)))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	tmpdir_destroy(&f->dir);
	tmpdir_destroy(&f->bad);
	free(f->file);
	free(f);
	return 0;
}

/* The meta LMDB uses (the newer transaction), and the posts table's root
 * (a branch) and first leaf. */
static void find_posts(struct fx *f)
{
	const unsigned char *m0 = f->file;
	f->psize = u16(m0 + META_TREES) | (size_t)u16(m0 + META_TREES + 2) << 16;
	assert_true(f->psize >= 512 && f->size >= 2 * f->psize);
	const unsigned char *m1 = f->file + f->psize;
	const unsigned char *m = u64(m1 + META_TXNID) > u64(m0 + META_TXNID) ? m1 : m0;
	f->last = u64(m + META_LAST);
	const unsigned char *posts = table_record(f, m + META_TREES + TREE_SIZE, "posts");
	assert_int_equal(u16(posts + 6), 2); /* depth: a branch over leaves */
	f->root = u64(posts + 40);
	unsigned char *r = page(f, f->root);
	assert_int_equal(u16(r + 10), P_BRANCH);
	assert_true(nodes(r) >= 3);
	f->leaf = child(node(r, 0));
	assert_int_equal(u16(page(f, f->leaf) + 10), P_LEAF);
}

/* Write f->file to f->bad/data.mdb. */
static void write_bad(struct fx *f, const unsigned char *file)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/data.mdb", f->bad);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, file, f->size), (ssize_t)f->size);
	close(fd);
}

/* A copy of the good file damaged by damage, refused by the check and by
 * the open with exactly "<path> is damaged: page PGNO of table posts:
 * WHAT; restore it from a backup". */
static void assert_refused(struct fx *f, void (*damage)(struct fx *, unsigned char *),
			   uint64_t pgno, const char *what)
{
	unsigned char *copy = malloc(f->size);
	assert_non_null(copy);
	memcpy(copy, f->file, f->size);
	damage(f, copy);
	write_bad(f, copy);
	free(copy);

	char want[4600], err[4600] = "";
	snprintf(want, sizeof want, "%s/data.mdb is damaged: page %llu of table posts: %s; "
		 "restore it from a backup", f->bad, (unsigned long long)pgno, what);
	bool present = false;
	int rc = uccn_store_check_files(f->bad, &present, err, sizeof err);
	if (rc != UCCN_E_CORRUPT || strcmp(err, want) != 0)
		fail_msg("check of the damaged store: %d (%s), wanted %d (%s)", rc, err,
			 UCCN_E_CORRUPT, want);
	struct uccn_store *s = NULL;
	err[0] = '\0';
	rc = uccn_store_open(&s, f->bad, 0, err, sizeof err);
	assert_null(s);
	if (rc != UCCN_E_CORRUPT || strcmp(err, want) != 0)
		fail_msg("open of the damaged store: %d (%s), wanted %d (%s)", rc, err,
			 UCCN_E_CORRUPT, want);
}

/* The undamaged store passes, and opens. */
static void test_good_store_passes(void **state)
{
	struct fx *f = *state;
	find_posts(f);
	write_bad(f, f->file);
	bool present = false;
	char err[4600] = "";
	int rc = uccn_store_check_files(f->bad, &present, err, sizeof err);
	if (rc)
		fail_msg("check of the good store: %d (%s)", rc, err);
	assert_true(present);
	struct uccn_store *s = NULL;
	assert_int_equal(uccn_store_open(&s, f->bad, 0, err, sizeof err), 0);
	uccn_store_close(&s);
}

static void child_past_end(struct fx *f, unsigned char *file)
{
	set_child(node(file + f->root * f->psize, 1), f->last + 7);
}

static void child_reached_twice(struct fx *f, unsigned char *file)
{
	unsigned char *r = file + f->root * f->psize;
	set_child(node(r, 1), child(node(r, 0)));
}

/* A bad page number in a branch node: past the pages in use, or a page
 * another node of the tree reaches already. The branch is named. */
static void test_branch_child_refused(void **state)
{
	struct fx *f = *state;
	find_posts(f);
	assert_refused(f, child_past_end, f->root, "points past the pages in use");
	assert_refused(f, child_reached_twice, f->root, "points at a page reached already");
}

static void value_past_page(struct fx *f, unsigned char *file)
{
	unsigned char *n = node(file + f->leaf * f->psize, 0);
	assert_int_equal(u16(n + 4), 0); /* a value in the node, no overflow */
	put16(n, (uint16_t)f->psize);
}

/* A leaf node whose value's size runs past its page. */
static void test_leaf_value_past_page_refused(void **state)
{
	struct fx *f = *state;
	find_posts(f);
	assert_refused(f, value_past_page, f->leaf, "a value passes the page's end");
}

static void leaf_type_unknown(struct fx *f, unsigned char *file)
{
	put16(file + f->leaf * f->psize + 10, 0x0200);
}

static void branch_type_unknown(struct fx *f, unsigned char *file)
{
	put16(file + f->root * f->psize + 10, 0x0200);
}

/* A page header whose flags are no page type LMDB has, where the tree
 * needs a leaf, and where it needs a branch. */
static void test_unknown_page_type_refused(void **state)
{
	struct fx *f = *state;
	find_posts(f);
	assert_refused(f, leaf_type_unknown, f->leaf, "is not the leaf its tree needs here");
	assert_refused(f, branch_type_unknown, f->root, "is not the branch its tree needs here");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_store_passes),
		cmocka_unit_test(test_branch_child_refused),
		cmocka_unit_test(test_leaf_value_past_page_refused),
		cmocka_unit_test(test_unknown_page_type_refused),
	};
	return cmocka_run_group_tests_name("verify", tests, setup, teardown);
}
