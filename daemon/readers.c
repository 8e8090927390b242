/*
 * readers.c - who may read a post. A private message is for its author
 * and the cities it was delivered to; the store records those (as the
 * post's readers) when asked, and this rule asks and consults it.
 */
#include <string.h>

#include "server_int.h"

bool server_post_private(const struct uccn_post *p)
{
	return p->kind && strcmp(p->kind, "message") == 0 &&
	       !uccn_idlist_has(&p->to, "all");
}

bool server_may_read(struct uccn_txn *t, const struct uccn_post *p, void *reader)
{
	const struct server_reader *r = reader;
	if (!server_post_private(p))
		return true;
	if (p->city && strcmp(p->city, r->city) == 0)
		return true;
	return uccn_store_post_has_reader(t, p->seq, r->city);
}
