/*
 * watch.c - watch requests that found nothing new are held, one slot each,
 * and answered when a post they may see is committed or their wait runs
 * out.
 */
#include <string.h>
#include <time.h>

#include "clock.h"
#include "server_int.h"
#include "uccn_error.h"
#include "uccn_limits.h"

/* Hold watch request p (which found nothing new) until a post arrives or
 * its wait runs out. On success p is moved into a slot and emptied; with
 * every slot taken the caller is told to come back later. */
static bool park_watch(struct server *s, struct pending *p)
{
	if (s->nwatchers == SERVER_MAX_WATCHERS) {
		server_reply_error(&p->rep, UCCN_E_BUSY,
				   "%d watchers are waiting already; try again shortly",
				   SERVER_MAX_WATCHERS);
		return false;
	}
	/* A city's share of the slots, so that one member holding many cannot
	 * leave every other city's watch busy (issue 14). Counting is a walk of
	 * the slots; a watch is parked rarely compared to its wait. */
	size_t mine = 0, free_slot = SERVER_MAX_WATCHERS;
	for (size_t i = 0; i < SERVER_MAX_WATCHERS; i++) {
		const struct watcher *w = &s->watchers[i];
		if (!w->used) {
			if (free_slot == SERVER_MAX_WATCHERS)
				free_slot = i;
		} else if (strcmp(w->p.city, p->city) == 0) {
			mine++;
		}
	}
	if (mine >= UCCN_MAX_WATCHES_PER_CITY) {
		server_reply_error(&p->rep, UCCN_E_BUSY,
				   "%s holds %d watch requests already; ask again when one is answered",
				   p->city, UCCN_MAX_WATCHES_PER_CITY);
		return false;
	}
	for (size_t i = free_slot; i < SERVER_MAX_WATCHERS; i++) {
		struct watcher *w = &s->watchers[i];
		if (w->used)
			continue;
		/* Resume the walk where it stopped: filtered-out posts are not read again. */
		p->req.query.since = p->rep.next;
		w->p = *p;
		w->deadline_ms = clock_mono_ms() + p->req.wait_ms;
		w->used = true;
		s->nwatchers++;
		memset(p, 0, sizeof *p);
		return true;
	}
	return false;
}

bool server_hold_watch(struct server *s, struct pending *p, const struct caller *c)
{
	if (p->rep.status != 0 || p->rep.nposts != 0 || p->req.wait_ms == 0)
		return false;
	memcpy(p->city, c->city, sizeof p->city);
	return park_watch(s, p);
}

void server_serve_watchers(struct server *s)
{
	struct uccn_txn *t = NULL;
	struct uccn_store_stats st;
	if (s->nwatchers == 0 || uccn_store_read(s->store, &t) != 0)
		return;
	bool news = uccn_store_stats(t, &st) == 0 && st.last_seq != s->watch_seen;
	if (news)
		s->watch_seen = st.last_seq;
	int64_t now = clock_mono_ms();
	for (size_t i = 0; i < SERVER_MAX_WATCHERS; i++) {
		struct watcher *w = &s->watchers[i];
		if (!w->used)
			continue;
		if (news) {
			struct caller c = {0};
			memcpy(c.city, w->p.city, sizeof c.city);
			uccn_reply_clear(&w->p.rep);
			w->p.rep.op = UCCN_OP_WATCH;
			w->p.rep.rid = w->p.req.rid;
			server_read_watch(s, t, &c, &w->p.req, &w->p.rep);
			server_note_corrupt(t, &w->p.rep);
			w->p.req.query.since = w->p.rep.next;
			if (w->p.rep.nposts == 0 && w->p.rep.status == 0 && now < w->deadline_ms)
				continue;
		} else if (now < w->deadline_ms) {
			continue;
		}
		/* News, or the wait is over: an empty reply says "ask again from next". */
		if (w->p.rep.nposts == 0 && w->p.rep.status == 0)
			w->p.rep.next = w->p.req.query.since;
		server_send_reply(s, &w->p);
		server_pending_clear(&w->p);
		w->used = false;
		s->nwatchers--;
	}
	uccn_store_txn_end(&t);
}
