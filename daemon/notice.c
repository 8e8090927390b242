/*
 * notice.c - the words of a published agenda's notice and whom it goes to.
 * The store only posts and delivers what this decides (see ops_write.c).
 */
#include <stdio.h>
#include <string.h>

#include "notice.h"
#include "uccn_error.h"

/* The texts the cities read, in their inbox and in `uccn list`. */
static void notice_texts(const char *meeting, uint64_t version, size_t nentries,
			 char *title, size_t title_len, char *body, size_t body_len)
{
	snprintf(title, title_len, "Agenda of %s: version %llu published", meeting,
		 (unsigned long long)version);
	snprintf(body, body_len,
		 "Version %llu of the agenda of meeting %s is published (%zu entries). "
		 "See it with: uccn agenda %s",
		 (unsigned long long)version, meeting, nentries, meeting);
}

/* Whether host h (of id) is told at all: not the publisher, who knows; not
 * a host with no record or no key, whose mailbox nobody reads and would
 * only fill up. */
static bool host_told(const char *id, const struct uccn_city *h, const char *by)
{
	return strcmp(id, by) != 0 && h->id && h->key[0] != '\0';
}

int server_notice_build(const struct uccn_meeting *m, const struct uccn_city *hosts,
			const char *by, uint64_t version, size_t nentries,
			struct server_notice *out)
{
	char title[UCCN_MAX_TITLE + 1], body[512], to[UCCN_MAX_AUDIENCE_SPEC + 1];
	struct uccn_post *note = &out->post;
	int rc;
	notice_texts(m->id, version, nentries, title, sizeof title, body, sizeof body);
	if ((rc = uccn_str_set(&note->city, by)) || (rc = uccn_str_set(&note->kind, "news")) ||
	    (rc = uccn_str_set(&note->meeting, m->id)) ||
	    (rc = uccn_str_set(&note->title, title)) || (rc = uccn_str_set(&note->body, body)))
		goto fail;
	if (m->field) {
		snprintf(to, sizeof to, "field:%s", m->field);
		if ((rc = uccn_idlist_add(&note->to, to)))
			goto fail;
	}
	for (size_t i = 0; i < m->hosts.n; i++) {
		const char *id = m->hosts.v[i];
		const struct uccn_city *h = &hosts[i];
		if (!host_told(id, h, by))
			continue;
		/* The field reaches its own cities that have a key. */
		if (m->field && h->field && strcmp(h->field, m->field) == 0)
			continue;
		if (!m->field && note->to.n < UCCN_MAX_AUDIENCE) {
			snprintf(to, sizeof to, "city:%s", id);
			rc = uccn_idlist_add(&note->to, to);
		} else {
			rc = uccn_idlist_add(&out->direct, id);
		}
		if (rc)
			goto fail;
	}
	return 0;
fail:
	server_notice_clear(out);
	return rc;
}

void server_notice_clear(struct server_notice *n)
{
	if (!n)
		return;
	uccn_post_clear(&n->post);
	uccn_idlist_clear(&n->direct);
}
