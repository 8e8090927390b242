/*
 * notice.h - what the notice of a published agenda says and whom it
 * reaches: pure computation over the meeting's records (no store, no I/O),
 * so it is tested on its own (tests/unit/test_notice.c).
 */
#ifndef UCCND_NOTICE_H
#define UCCND_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "uccn_records.h"

/* The notice of one publish: the news post, and the hosts its audience
 * leaves out, who get it in their mailbox directly. Both own their strings. */
struct server_notice {
	struct uccn_post post;
	struct uccn_idlist direct;
};

/*
 * The notice that version `version` (of nentries entries) of meeting m's
 * agenda was published by city `by`: a news post by `by` about m, to m's
 * field, or for a meeting of no field to its hosts as city:ID, at most
 * UCCN_MAX_AUDIENCE of them, the rest in direct, in the order of m's hosts.
 * A host of m's field hears of it through the field; another host with a
 * key is addressed or in direct; the publisher, a host without a key (it
 * cannot read a mailbox) and a host with no record are neither.
 *
 * hosts[i] is the record of m->hosts.v[i], or a clear one (id NULL) when
 * there is none. out must be clear and is the caller's (free it with
 * server_notice_clear); on failure it is left clear. Returns 0 or
 * UCCN_E_NOMEM.
 */
int server_notice_build(const struct uccn_meeting *m, const struct uccn_city *hosts,
			const char *by, uint64_t version, size_t nentries,
			struct server_notice *out);
/* Free what n owns and clear it; NULL is a no-op. */
void server_notice_clear(struct server_notice *n);

#endif
