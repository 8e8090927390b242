/*
 * credit.c - how many requests each connection has outstanding (received,
 * not yet answered), so one connection cannot hold more than SPEC's credit
 * (UCCN_MAX_OUTSTANDING) and every request it sends is answered.
 */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"
#include "uccn_error.h"

/* Open addressing, linear probing. Only connections with something
 * outstanding have an entry, so the table is bounded by the requests the
 * server holds (watch slots and the write queue), not by its peers. */
#define CREDIT_SLOTS 16384
#define CREDIT_FULL (CREDIT_SLOTS / 4 * 3)

struct credit_slot {
	unsigned char *id;      /* the ROUTER's routing id, owned; NULL: free */
	size_t len;
	uint32_t outstanding;
};

static size_t hash(const unsigned char *id, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ id[i]) * 1099511628211ull;
	return (size_t)(h % CREDIT_SLOTS);
}

static struct credit_slot *find(struct credit_table *c, const unsigned char *id, size_t len)
{
	for (size_t i = hash(id, len);; i = (i + 1) % CREDIT_SLOTS) {
		struct credit_slot *e = &c->slots[i];
		if (!e->id || (e->len == len && memcmp(e->id, id, len) == 0))
			return e;
	}
}

int server_credit_take(struct server *s, const unsigned char *id, size_t len,
		       uint32_t *outstanding)
{
	struct credit_table *c = &s->credits;
	if (!c->slots && !(c->slots = calloc(CREDIT_SLOTS, sizeof *c->slots)))
		return UCCN_E_NOMEM;
	struct credit_slot *e = find(c, id, len);
	if (!e->id) {
		if (c->used >= CREDIT_FULL || !(e->id = malloc(len ? len : 1)))
			return UCCN_E_BUSY;
		memcpy(e->id, id, len);
		e->len = len;
		e->outstanding = 0;
		c->used++;
	}
	*outstanding = ++e->outstanding;
	return 0;
}

void server_credit_give(struct server *s, const unsigned char *id, size_t len)
{
	struct credit_table *c = &s->credits;
	if (!c->slots)
		return;
	struct credit_slot *e = find(c, id, len);
	if (!e->id || --e->outstanding > 0)
		return;
	/* Free the slot and shift later entries of its run back, so every
	 * lookup still stops at the first free slot (no tombstones). */
	free(e->id);
	e->id = NULL;
	c->used--;
	size_t hole = (size_t)(e - c->slots);
	for (size_t i = (hole + 1) % CREDIT_SLOTS; c->slots[i].id; i = (i + 1) % CREDIT_SLOTS) {
		size_t home = hash(c->slots[i].id, c->slots[i].len);
		/* Move it if its home is not cyclically in (hole, i]. */
		bool in_run = hole < i ? (home > hole && home <= i) : (home > hole || home <= i);
		if (!in_run) {
			c->slots[hole] = c->slots[i];
			c->slots[i].id = NULL;
			hole = i;
		}
	}
}

void server_credit_free(struct server *s)
{
	struct credit_table *c = &s->credits;
	for (size_t i = 0; c->slots && i < CREDIT_SLOTS; i++)
		free(c->slots[i].id);
	free(c->slots);
	memset(c, 0, sizeof *c);
}
