/*
 * verify.c - checking the page structure of data.mdb before LMDB maps it.
 * LMDB trusts its pages: a flipped bit in a page header or a node header
 * sends it past the page, into a null cursor or off the map (SIGSEGV,
 * SIGBUS, abort), and a node count that shrank hides records silently.
 * The seals (seal.c) guard what values say, not where LMDB finds them, so
 * every page reachable from the meta LMDB will use is read once here, with
 * plain reads, and checked against LMDB's on-disk layout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"
#include "uccn_error.h"

/* LMDB's on-disk page layout (0.9, native byte order and word size): a
 * header of the page number, a pad word, flags, then the lower and upper
 * bounds of the free space; nodes are found through 16-bit offsets after
 * the header. A node: data size (or, in a branch, the child's page number)
 * in two 16-bit words, flags (the page number's high bits in a branch),
 * key size, the key, the data. */
#define PAGE_HDR 16
#define NODE_HDR 8
#define P_BRANCH 0x01u
#define P_LEAF 0x02u
#define P_OVERFLOW 0x04u
#define P_LEAF2 0x20u
#define P_SUBP 0x40u
#define F_BIGDATA 0x01u
#define F_SUBDATA 0x02u
#define F_DUPDATA 0x04u
#define DB_RECORD 48 /* an MDB_db: pad, flags, depth, 5 counts, root */
#define MAX_DEPTH 32
#define NO_PAGE ((uint64_t)-1)

struct db_record {
	uint32_t pad;
	uint16_t flags, depth;
	uint64_t branch, leaf, overflow, entries, root;
};

/* What one walk counts, against what the tree's record says. */
struct counts {
	uint64_t branch, leaf, overflow, entries;
};

enum tree_kind {
	TREE_FREE,  /* the free-page list: integer keys */
	TREE_MAIN,  /* the named tables */
	TREE_TABLE, /* a table: keys and values, dups when dupsort */
	TREE_DUPS,  /* one key's dups in a tree of their own: keys only */
};

struct verify {
	int fd;
	size_t psize;
	uint64_t last;        /* the last page in use */
	unsigned char *seen;  /* a bit per page: each is reached once */
	const char *table;    /* for the reason */
	size_t key_size;      /* the size of every key of the table, 0: any */
	char why[160];
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

static int bad(struct verify *v, uint64_t pgno, const char *what)
{
	snprintf(v->why, sizeof v->why, "page %llu of table %s: %s",
		 (unsigned long long)pgno, v->table, what);
	return UCCN_E_CORRUPT;
}

static void db_read(const unsigned char *p, struct db_record *d)
{
	memcpy(&d->pad, p, 4);
	d->flags = u16(p + 4);
	d->depth = u16(p + 6);
	d->branch = u64(p + 8);
	d->leaf = u64(p + 16);
	d->overflow = u64(p + 24);
	d->entries = u64(p + 32);
	d->root = u64(p + 40);
}

/* Claim pages pgno .. pgno + n - 1 as reached: in use, and not before. */
static int claim(struct verify *v, uint64_t pgno, uint64_t n, uint64_t from)
{
	if (pgno < 2 || n == 0 || pgno > v->last || n > v->last - pgno + 1)
		return bad(v, from, "points past the pages in use");
	for (uint64_t i = pgno; i < pgno + n; i++) {
		if (v->seen[i / 8] & (1u << (i % 8)))
			return bad(v, from, "points at a page reached already");
		v->seen[i / 8] |= (unsigned char)(1u << (i % 8));
	}
	return 0;
}

static int read_page(struct verify *v, uint64_t pgno, unsigned char *buf)
{
	ssize_t n = pread(v->fd, buf, v->psize, (off_t)(pgno * v->psize));
	return n == (ssize_t)v->psize ? 0 : bad(v, pgno, "cannot be read");
}

/* memcmp, then the shorter first: LMDB's order for our keys and dups. */
static int cmp_memn(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

static int walk_tree(struct verify *v, const struct db_record *d, enum tree_kind kind);

/* The nodes of a page (or a leaf's sub-page) of size bytes at p: offsets,
 * sizes and order. In a LEAF2 page the keys are packed, ks bytes each. */
static int check_nodes(struct verify *v, uint64_t pgno, const unsigned char *p, size_t size,
		       bool leaf2, size_t ks, enum tree_kind kind, size_t *count)
{
	uint16_t lower = u16(p + 12), upper = u16(p + 14);
	if (lower < PAGE_HDR || lower > upper || upper > size || (lower - PAGE_HDR) % 2)
		return bad(v, pgno, "its free space bounds are not a page's");
	size_t n = (size_t)(lower - PAGE_HDR) / 2;
	*count = n;
	if (n == 0)
		return bad(v, pgno, "holds no node");
	if (leaf2) {
		if (ks == 0 || PAGE_HDR + n * ks > size)
			return bad(v, pgno, "its packed keys pass its end");
		for (size_t i = 1; i < n; i++)
			if (cmp_memn(p + PAGE_HDR + (i - 1) * ks, ks, p + PAGE_HDR + i * ks, ks) >= 0)
				return bad(v, pgno, "its keys are out of order");
		return 0;
	}
	const unsigned char *prev = NULL;
	size_t prevn = 0;
	for (size_t i = 0; i < n; i++) {
		size_t off = u16(p + PAGE_HDR + 2 * i);
		if (off < upper || off % 2 || off + NODE_HDR > size)
			return bad(v, pgno, "a node lies outside the page");
		size_t kn = u16(p + off + 6);
		if (off + NODE_HDR + kn > size)
			return bad(v, pgno, "a key passes the page's end");
		const unsigned char *key = p + off + NODE_HDR;
		bool first_branch = i == 0 && (u16(p + 10) & P_BRANCH);
		/* LMDB never stores an empty key (but a branch's first); our
		 * tables keyed by seq have 8-byte keys. */
		if (!first_branch && kind == TREE_TABLE &&
		    (kn == 0 || (v->key_size && kn != v->key_size)))
			return bad(v, pgno, "a key has the wrong size");
		/* A branch's first key is not compared: LMDB ignores it. */
		if (prev && kind != TREE_FREE && cmp_memn(prev, prevn, key, kn) >= 0)
			return bad(v, pgno, "its keys are out of order");
		if (kind == TREE_FREE && prev && (kn != 8 || prevn != 8 || u64(prev) >= u64(key)))
			return bad(v, pgno, "its keys are out of order");
		if (i > 0 || !(u16(p + 10) & P_BRANCH)) {
			prev = key;
			prevn = kn;
		}
	}
	return 0;
}

/* The data of leaf node `at` of page pgno: within the page, its flags
 * what the table allows; follow overflow pages, sub-pages and sub-trees. */
static int check_leaf_data(struct verify *v, uint64_t pgno, const unsigned char *p,
			   size_t size, size_t off, enum tree_kind kind, bool dupsort,
			   bool dupfixed, struct counts *c)
{
	uint16_t flags = u16(p + off + 4), kn = u16(p + off + 6);
	size_t dn = (size_t)u16(p + off) | (size_t)u16(p + off + 2) << 16;
	const unsigned char *data = p + off + NODE_HDR + kn;
	size_t room = size - (off + NODE_HDR + kn);
	int rc;
	if (flags & ~(F_BIGDATA | F_SUBDATA | F_DUPDATA))
		return bad(v, pgno, "a node has unknown flags");
	if (kind == TREE_DUPS) {
		if (flags || dn)
			return bad(v, pgno, "a duplicate carries data");
		c->entries++;
		return 0;
	}
	if (flags & F_BIGDATA) {
		if (flags != F_BIGDATA || room < 8)
			return bad(v, pgno, "an overflow node is malformed");
		uint64_t ov = u64(data);
		unsigned char hdr[PAGE_HDR];
		if ((rc = claim(v, ov, 1, pgno)))
			return rc;
		if (pread(v->fd, hdr, PAGE_HDR, (off_t)(ov * v->psize)) != PAGE_HDR)
			return bad(v, ov, "cannot be read");
		uint32_t pages;
		memcpy(&pages, hdr + 12, 4);
		if (u64(hdr) != ov || u16(hdr + 10) != P_OVERFLOW || pages == 0 ||
		    (uint64_t)pages * v->psize - PAGE_HDR < dn)
			return bad(v, ov, "an overflow page is not one");
		if (pages > 1 && (rc = claim(v, ov + 1, pages - 1, ov)))
			return rc;
		c->overflow += pages;
		c->entries++;
		return 0;
	}
	if (dn > room)
		return bad(v, pgno, "a value passes the page's end");
	if (kind == TREE_MAIN || (flags & F_SUBDATA)) {
		/* A named table, or one key's dups in a tree of their own. */
		bool dups = (flags & F_DUPDATA) != 0;
		if ((kind == TREE_MAIN) == dups || (dups && !dupsort) ||
		    !(flags & F_SUBDATA) || dn != DB_RECORD)
			return bad(v, pgno, "a node's table record is malformed");
		struct db_record sub;
		db_read(data, &sub);
		if (kind == TREE_MAIN) {
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)(kn < 60 ? kn : 60),
				 (const char *)(p + off + NODE_HDR));
			const char *outer = v->table;
			v->table = name;
			v->key_size = strcmp(name, "posts") == 0 || strcmp(name, "log") == 0 ||
				      strcmp(name, "access") == 0 ? 8 : 0;
			rc = walk_tree(v, &sub, TREE_TABLE);
			v->table = outer;
			v->key_size = 0;
			c->entries++;
			return rc;
		}
		if (!!(sub.flags & MDB_DUPFIXED) != dupfixed)
			return bad(v, pgno, "a node's duplicates are not the table's kind");
		if ((rc = walk_tree(v, &sub, TREE_DUPS)))
			return rc;
		c->entries += sub.entries;
		return 0;
	}
	if (flags & F_DUPDATA) {
		/* One key's dups in a sub-page inside the node. */
		size_t n;
		if (!dupsort || dn < PAGE_HDR)
			return bad(v, pgno, "a node holds duplicates its table cannot have");
		uint16_t sf = u16(data + 10);
		bool leaf2 = (sf & P_LEAF2) != 0;
		if ((sf & (P_LEAF | P_SUBP)) != (P_LEAF | P_SUBP) || leaf2 != dupfixed)
			return bad(v, pgno, "a node's sub-page is not one");
		/* The sub-page's offsets and bounds are relative to itself. */
		const unsigned char *sub = data;
		if ((rc = check_nodes(v, pgno, sub, dn, leaf2, u16(sub + 8), TREE_DUPS, &n)))
			return rc;
		for (size_t i = 0; !leaf2 && i < n; i++) {
			size_t so = u16(sub + PAGE_HDR + 2 * i);
			if (u16(sub + so + 4) || u16(sub + so) || u16(sub + so + 2))
				return bad(v, pgno, "a duplicate carries data");
		}
		c->entries += n;
		return 0;
	}
	c->entries++;
	return 0;
}

static int walk_nodes(struct verify *v, uint64_t pgno, const unsigned char *p, unsigned level,
		      const struct db_record *d, enum tree_kind kind, struct counts *c);

static int walk_page(struct verify *v, uint64_t pgno, unsigned level, const struct db_record *d,
		     enum tree_kind kind, struct counts *c)
{
	int rc;
	if (level >= MAX_DEPTH || level >= d->depth)
		return bad(v, pgno, "the tree is deeper than its record says");
	/* A buffer per page in the walk: a table's tree is walked from
	 * inside a leaf of the tree of tables. */
	unsigned char *p = malloc(v->psize);
	if (!p)
		return UCCN_E_NOMEM;
	if ((rc = read_page(v, pgno, p)) == 0)
		rc = walk_nodes(v, pgno, p, level, d, kind, c);
	free(p);
	return rc;
}

static int walk_nodes(struct verify *v, uint64_t pgno, const unsigned char *p, unsigned level,
		      const struct db_record *d, enum tree_kind kind, struct counts *c)
{
	size_t n;
	int rc;
	uint16_t flags = u16(p + 10);
	bool dupfixed = (d->flags & MDB_DUPFIXED) != 0, dupsort = (d->flags & MDB_DUPSORT) != 0;
	bool leaf2 = kind == TREE_DUPS && dupfixed;
	bool is_leaf = level + 1u == d->depth;
	uint16_t want = is_leaf ? (uint16_t)(P_LEAF | (leaf2 ? P_LEAF2 : 0)) : (uint16_t)P_BRANCH;
	if (u64(p) != pgno)
		return bad(v, pgno, "its header names another page");
	if (flags != want)
		return bad(v, pgno, is_leaf ? "is not the leaf its tree needs here"
					    : "is not the branch its tree needs here");
	if ((rc = check_nodes(v, pgno, p, v->psize, leaf2 && is_leaf, d->pad, kind, &n)))
		return rc;
	if (leaf2 && is_leaf) {
		c->leaf++;
		c->entries += n;
		return 0;
	}
	if (is_leaf) {
		c->leaf++;
		for (size_t i = 0; i < n; i++) {
			size_t off = u16(p + PAGE_HDR + 2 * i);
			if ((rc = check_leaf_data(v, pgno, p, v->psize, off, kind, dupsort,
						  dupfixed, c)))
				return rc;
		}
		return 0;
	}
	c->branch++;
	for (size_t i = 0; i < n; i++) {
		size_t off = u16(p + PAGE_HDR + 2 * i);
		uint64_t child = (uint64_t)u16(p + off) | (uint64_t)u16(p + off + 2) << 16 |
				 (uint64_t)u16(p + off + 4) << 32;
		if ((rc = claim(v, child, 1, pgno)) ||
		    (rc = walk_page(v, child, level + 1, d, kind, c)))
			return rc;
	}
	return 0;
}

static int walk_tree(struct verify *v, const struct db_record *d, enum tree_kind kind)
{
	struct counts c = {0};
	int rc;
	if (d->root == NO_PAGE)
		return d->entries || d->depth ? bad(v, 0, "an empty table counts records") : 0;
	if (d->depth == 0 || d->depth > MAX_DEPTH)
		return bad(v, d->root, "its depth is not a tree's");
	if ((rc = claim(v, d->root, 1, d->root)) || (rc = walk_page(v, d->root, 0, d, kind, &c)))
		return rc;
	if (c.branch != d->branch || c.leaf != d->leaf || c.overflow != d->overflow ||
	    c.entries != d->entries)
		return bad(v, d->root, "its pages or records are not as many as its record says");
	return 0;
}

int store_verify_pages(int fd, size_t psize, const void *meta_trees, uint64_t last_page,
		       char *why, size_t whylen)
{
	const unsigned char *trees = meta_trees;
	struct verify v = {.fd = fd, .psize = psize, .last = last_page};
	struct db_record free_db, main_db;
	int rc = UCCN_E_NOMEM;
	why[0] = '\0';
	if (!(v.seen = calloc(last_page / 8 + 1, 1)))
		goto out;
	db_read(trees, &free_db);
	db_read(trees + DB_RECORD, &main_db);
	v.table = "(free pages)";
	if ((rc = walk_tree(&v, &free_db, TREE_FREE)) == 0) {
		v.table = "(tables)";
		rc = walk_tree(&v, &main_db, TREE_MAIN);
	}
	snprintf(why, whylen, "%s", v.why);
out:
	free(v.seen);
	return rc;
}
