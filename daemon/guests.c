/*
 * guests.c - what a key no city owns may cost: a token bucket per peer
 * address and one for all of them, spent on each handshake ZAP lets in and
 * each request such a key sends. (What is logged about them is limited by
 * log.c, kind LOG_KIND_GUEST.) Only the loop's thread touches it.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "server_int.h"

/* Refill b at rate tokens per second up to cap, then take one if there. */
static bool spend(struct guest_bucket *b, double cap, double rate, int64_t now)
{
	if (!b->at)
		b->tokens = cap;
	else
		b->tokens += (double)(now - b->at) * rate / 1000.0;
	if (b->tokens > cap)
		b->tokens = cap;
	b->at = now;
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

/* FNV-1a: addresses that share a slot share a bucket, which only makes the
 * limit stricter for them. */
static size_t slot_of(const char *addr)
{
	uint32_t h = 2166136261u;
	for (; addr && *addr; addr++)
		h = (h ^ (unsigned char)*addr) * 16777619u;
	return h % GUEST_SLOTS;
}

bool server_guest_allow(struct server *s, const char *addr)
{
	int64_t now = clock_mono_ms();
	struct guest_bucket *one = &s->guests.per_peer[slot_of(addr)];
	/* Both must allow it; the global one is asked first so that a
	 * refused peer does not spend the others' budget. */
	if (!spend(&s->guests.all, GUEST_ALL_BURST, GUEST_ALL_RATE, now))
		return false;
	return spend(one, GUEST_PEER_BURST, GUEST_PEER_RATE, now);
}
