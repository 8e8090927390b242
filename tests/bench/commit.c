/*
 * commit.c - what one durable commit of the store costs on this
 * filesystem, by the number of posts in it and the cities they come from:
 * the ceiling group commit works under. Posts go through the store library
 * (uccn_store_write: the same transaction the daemon's commit thread runs,
 * indexes and all), with no daemon and no network.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "uccn_error.h"
#include "uccn_store.h"

struct commit_ctx {
	int n, ncities, base;
	const char *body;
};

static int add_posts(struct uccn_txn *t, void *arg)
{
	struct commit_ctx *c = arg;
	for (int i = 0; i < c->n; i++) {
		char city[16];
		snprintf(city, sizeof city, "m-%03d", (c->base + i) % c->ncities);
		struct uccn_post p = {.city = city, .kind = "update", .body = (char *)c->body};
		uint64_t seq;
		bool dup;
		int rc = uccn_store_post_add(t, &p, 0, 1, &seq, &dup);
		if (rc)
			return rc;
	}
	return 0;
}

static int add_cities(struct uccn_txn *t, void *arg)
{
	int n = *(int *)arg;
	for (int i = 0; i < n; i++) {
		char id[16];
		snprintf(id, sizeof id, "m-%03d", i);
		struct uccn_city c = {.id = id, .name = id, .field = "literature", .role = "member"};
		uint64_t seq;
		int rc = uccn_store_city_add(t, &c, &seq);
		if (rc)
			return rc;
	}
	return 0;
}

int b_store_commit_us(const char *dir, int cities, int prefill, const int *batch,
		      const bool *distinct, int nsizes, int rounds, double *us)
{
	char err[256], body[501];
	struct uccn_store *s = NULL;
	if (uccn_store_open(&s, dir, 0, err, sizeof err)) {
		fprintf(stderr, "uccn-bench: store %s: %s\n", dir, err);
		return -1;
	}
	memset(body, 'x', 500);
	body[500] = '\0';
	int rc = uccn_store_write(s, add_cities, &cities);
	/* Some history first, so the indexes have depth. */
	struct commit_ctx c = {.n = 2000, .ncities = cities, .body = body};
	for (int i = 0; !rc && i < prefill / 2000; i++) {
		c.base = i;
		rc = uccn_store_write(s, add_posts, &c);
	}
	for (int k = 0; !rc && k < nsizes; k++) {
		c.n = batch[k];
		c.ncities = distinct[k] ? cities : 1;
		int64_t t0 = b_now_ns();
		for (int r = 0; !rc && r < rounds; r++) {
			c.base = r * 7;
			rc = uccn_store_write(s, add_posts, &c);
		}
		us[k] = (double)(b_now_ns() - t0) / 1e3 / rounds;
	}
	if (rc)
		fprintf(stderr, "uccn-bench: store commits: %s\n", uccn_strerror(rc));
	uccn_store_close(&s);
	return rc ? -1 : 0;
}
