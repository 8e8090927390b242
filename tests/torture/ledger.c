/*
 * ledger.c - see ledger.h. A post is found when the listing has, at the seq
 * its writer was given, the body, key and city the writer sent.
 */
#include "ledger.h"
#include "torture.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_PAGE "500"

struct acks {
	uint64_t *seq;            /* seq[n]: what post n was acknowledged as */
	long n, cap;
	unsigned char *ever_lost;
	int *dup_max;
	/* this check's tallies */
	int *copies;
	unsigned char *found;
};

struct ledger {
	int writers;
	struct acks *w;
};

char *torture_body(int w, long n)
{
	size_t pad = n % 10 == 9 ? 5000 : (size_t)(n * 37 % 400);
	char head[64];
	int hl = snprintf(head, sizeof head, "torture writer %d post %ld ", w, n);
	char *s = malloc((size_t)hl + pad + 1);
	assert_non_null(s);
	memcpy(s, head, (size_t)hl);
	for (size_t i = 0; i < pad; i++)
		s[(size_t)hl + i] = (char)('a' + (n + (long)i) % 26);
	s[(size_t)hl + pad] = '\0';
	return s;
}

struct ledger *ledger_new(int writers)
{
	struct ledger *self = calloc(1, sizeof *self);
	if (!self || !(self->w = calloc((size_t)writers, sizeof *self->w))) {
		free(self);
		return NULL;
	}
	self->writers = writers;
	return self;
}

void ledger_destroy(struct ledger **self_p)
{
	if (!self_p || !*self_p)
		return;
	struct ledger *self = *self_p;
	for (int i = 0; i < self->writers; i++) {
		struct acks *a = &self->w[i];
		free(a->seq);
		free(a->ever_lost);
		free(a->dup_max);
		free(a->copies);
		free(a->found);
	}
	free(self->w);
	free(self);
	*self_p = NULL;
}

static int grow(struct acks *a, long want)
{
	if (want <= a->cap)
		return 0;
	long cap = a->cap ? a->cap : 256;
	while (cap < want)
		cap *= 2;
	uint64_t *seq = realloc(a->seq, (size_t)cap * sizeof *seq);
	if (seq)
		a->seq = seq;
	unsigned char *lost = realloc(a->ever_lost, (size_t)cap);
	if (lost)
		a->ever_lost = lost;
	int *dup = realloc(a->dup_max, (size_t)cap * sizeof *dup);
	if (dup)
		a->dup_max = dup;
	int *copies = realloc(a->copies, (size_t)cap * sizeof *copies);
	if (copies)
		a->copies = copies;
	unsigned char *found = realloc(a->found, (size_t)cap);
	if (found)
		a->found = found;
	if (!seq || !lost || !dup || !copies || !found)
		return -1;
	memset(a->ever_lost + a->cap, 0, (size_t)(cap - a->cap));
	memset(a->dup_max + a->cap, 0, (size_t)(cap - a->cap) * sizeof *dup);
	a->cap = cap;
	return 0;
}

int ledger_read(struct ledger *self, const struct writer *ws)
{
	for (int i = 0; i < self->writers; i++) {
		struct acks *a = &self->w[i];
		char *text = h_read_file(ws[i].acks, NULL);
		if (!text)
			text = strdup(""); /* nothing acknowledged yet */
		if (!text)
			return -1;
		a->n = 0;
		long n;
		uint64_t seq;
		int used;
		for (const char *p = text; sscanf(p, "%ld %" SCNu64 "\n%n", &n, &seq, &used) == 2;
		     p += used) {
			if (n != a->n) {
				fprintf(stderr, "torture: writer %d acknowledged post %ld after %ld\n",
					i, n, a->n);
				free(text);
				return -1;
			}
			if (grow(a, n + 1) != 0) {
				free(text);
				return -1;
			}
			a->seq[a->n++] = seq;
		}
		free(text);
	}
	return 0;
}

/* Tally one listed post against the acknowledgements. */
static void tally(struct ledger *self, const h_json_t *post, struct ledger_check *now)
{
	const char *body = h_json_str(h_json_get(post, "body"));
	int w;
	long n;
	if (!body || sscanf(body, "torture writer %d post %ld ", &w, &n) != 2 ||
	    w < 0 || w >= self->writers || n < 0)
		return;
	struct acks *a = &self->w[w];
	if (n >= a->n) {
		now->unacked++;
		return;
	}
	a->copies[n]++;
	char key[32], city[16];
	snprintf(key, sizeof key, "w%d-%ld", w, n);
	snprintf(city, sizeof city, "tw%d", w);
	char *want = torture_body(w, n);
	const char *k = h_json_str(h_json_get(post, "key"));
	const char *c = h_json_str(h_json_get(post, "city"));
	if (h_json_u64(h_json_get(post, "seq")) == a->seq[n] && strcmp(body, want) == 0 &&
	    k && strcmp(k, key) == 0 && c && strcmp(c, city) == 0)
		a->found[n] = 1;
	free(want);
}

/* One page of the listing, newest first, before *before (0: the newest).
 * Sets *before to the oldest seq listed; *count to how many. */
static int list_page(struct ledger *self, const h_daemon_t *d, uint64_t *before,
		     size_t *count, struct ledger_check *now)
{
	char b[24];
	snprintf(b, sizeof b, "%" PRIu64, *before);
	h_run_t r = {0};
	if (*before)
		h_uccn(&r, d, d->coordinator_key, NULL, "--json", "--timeout", "30", "list",
		       "--limit", LIST_PAGE, "--before", b, NULL);
	else
		h_uccn(&r, d, d->coordinator_key, NULL, "--json", "--timeout", "30", "list",
		       "--limit", LIST_PAGE, NULL);
	h_json_t *j = r.status == 0 ? h_json_parse(r.out) : NULL;
	if (!j || h_json_type(j) != H_JSON_ARRAY) {
		h_run_print(&r);
		h_json_destroy(&j);
		h_run_clear(&r);
		return -1;
	}
	*count = h_json_len(j);
	for (size_t i = 0; i < *count; i++) {
		const h_json_t *post = h_json_at(j, i);
		uint64_t seq = h_json_u64(h_json_get(post, "seq"));
		if (!*before || seq < *before)
			*before = seq;
		tally(self, post, now);
	}
	now->posts += (long)*count;
	h_json_destroy(&j);
	h_run_clear(&r);
	return 0;
}

int ledger_check(struct ledger *self, const h_daemon_t *d, struct ledger_check *now)
{
	memset(now, 0, sizeof *now);
	for (int i = 0; i < self->writers; i++) {
		struct acks *a = &self->w[i];
		if (a->n) {
			memset(a->copies, 0, (size_t)a->n * sizeof *a->copies);
			memset(a->found, 0, (size_t)a->n);
		}
	}
	uint64_t before = 0;
	size_t count;
	do {
		if (list_page(self, d, &before, &count, now) != 0)
			return -1;
	} while (count > 0 && before > 1);
	for (int i = 0; i < self->writers; i++) {
		struct acks *a = &self->w[i];
		now->acked += a->n;
		for (long n = 0; n < a->n; n++) {
			if (!a->found[n]) {
				now->lost++;
				a->ever_lost[n] = 1;
			}
			if (a->copies[n] > 1) {
				now->duplicated += a->copies[n] - 1;
				if (a->copies[n] - 1 > a->dup_max[n])
					a->dup_max[n] = a->copies[n] - 1;
			}
		}
	}
	return 0;
}

long ledger_lost(const struct ledger *self)
{
	long lost = 0;
	for (int i = 0; i < self->writers; i++)
		for (long n = 0; n < self->w[i].n; n++)
			lost += self->w[i].ever_lost[n];
	return lost;
}

long ledger_duplicated(const struct ledger *self)
{
	long dup = 0;
	for (int i = 0; i < self->writers; i++)
		for (long n = 0; n < self->w[i].n; n++)
			dup += self->w[i].dup_max[n];
	return dup;
}
