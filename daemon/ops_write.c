/*
 * ops_write.c - the writes: the finer check each runs on the snapshot its
 * request was read in, what it does inside the batch's transaction (on the
 * commit thread), and the words for a failure the store left unexplained.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notice.h"
#include "server_int.h"
#include "uccn_tz.h"
#include "uccn_error.h"

/* ---- checks ---- */

static bool is_network_admin(const struct caller *c)
{
	return (c->role & ROLE_NETWORK) != 0;
}

static int deny(struct uccn_reply *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int deny(struct uccn_reply *rep, const char *fmt, ...)
{
	char buf[UCCN_MAX_MESSAGE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	server_reply_error(rep, UCCN_E_DENIED, "%s", buf);
	return UCCN_E_DENIED;
}

/* The author of a post is the caller, whatever the client sent. */
int server_check_post(struct uccn_txn *t, const struct caller *c,
		      struct uccn_request *req, struct uccn_reply *rep)
{
	(void)t;
	free(req->post.city);
	if (!(req->post.city = strdup(c->city))) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return UCCN_E_NOMEM;
	}
	return 0;
}

/* Zone names are checked against the system's database before a write is
 * queued: the store has no file system to look at. first_index: the reply
 * says which city of the list is wrong, counting the first of list as
 * first_index (0: not numbered). */
static int city_zones_known(const struct uccn_city *list, size_t n, size_t first_index,
			    struct uccn_reply *rep)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i].tz && !uccn_tz_known(list[i].tz)) {
			server_reply_error(rep, UCCN_E_INVALID,
					   "city '%s': '%s' is not a time zone of the zone database",
					   list[i].id, list[i].tz);
			if (first_index)
				rep->error_index = first_index + i;
			return UCCN_E_INVALID;
		}
	}
	return 0;
}

int server_check_city_write(struct uccn_txn *t, const struct caller *c,
			    struct uccn_request *req, struct uccn_reply *rep)
{
	(void)t; (void)c;
	return city_zones_known(&req->city, 1, 0, rep);
}

/* With an import id, the cities staged under it come first (checked when
 * they were staged); the request's own follow them. */
int server_check_city_import(struct uccn_txn *t, const struct caller *c,
			     struct uccn_request *req, struct uccn_reply *rep)
{
	size_t staged = 0;
	int rc;
	(void)t;
	if (req->import_id && (rc = server_import_take(c->city, req, rep, &staged)))
		return rc;
	if (req->ncities == staged) /* none of its own (cities may be NULL) */
		return 0;
	return city_zones_known(req->cities + staged, req->ncities - staged, staged + 1, rep);
}

/* A member creates only projects it leads. */
int server_check_project_add(struct uccn_txn *t, const struct caller *c,
			     struct uccn_request *req, struct uccn_reply *rep)
{
	(void)t;
	if (is_network_admin(c) || strcmp(req->project.lead, c->city) == 0)
		return 0;
	return deny(rep, "city '%s' may only add projects it leads, not one led by '%s'",
		    c->city, req->project.lead);
}

/* Only the lead (or the network's coordinator or secretariat) updates a
 * project, and the lead may hand the lead over. */
int server_check_project_update(struct uccn_txn *t, const struct caller *c,
				struct uccn_request *req, struct uccn_reply *rep)
{
	struct uccn_project cur = {0};
	if (is_network_admin(c))
		return 0;
	int rc = uccn_store_project_get(t, req->project.id, &cur);
	if (rc) /* the store will say it does not exist */
		return 0;
	bool lead = strcmp(cur.lead, c->city) == 0;
	uccn_project_clear(&cur);
	return lead ? 0 : deny(rep, "only the lead of project '%s' may update it", req->project.id);
}

/* A field's deputy manages the meetings of its own field. */
static int meeting_write_allowed(struct uccn_txn *t, const struct caller *c,
				 const struct uccn_request *req, struct uccn_reply *rep,
				 bool update)
{
	const char *field = c->record.field;
	if (is_network_admin(c))
		return 0;
	if (!req->meeting.field || !field || strcmp(req->meeting.field, field) != 0)
		return deny(rep, "city '%s' manages only meetings of its field '%s'",
			    c->city, field ? field : "");
	if (update) {
		struct uccn_meeting cur = {0};
		if (uccn_store_meeting_get(t, req->meeting.id, &cur) == 0) {
			bool same = cur.field && strcmp(cur.field, field) == 0;
			uccn_meeting_clear(&cur);
			if (!same)
				return deny(rep, "meeting '%s' is not of field '%s'", req->meeting.id, field);
		}
	}
	return 0;
}

/* Who may, first; then the zone, which the store cannot check (see
 * city_zones_known). */
static int meeting_check(struct uccn_txn *t, const struct caller *c,
			 const struct uccn_request *req, struct uccn_reply *rep, bool update)
{
	int rc = meeting_write_allowed(t, c, req, rep, update);
	if (rc)
		return rc;
	if (!uccn_tz_known(req->meeting.tz)) {
		server_reply_error(rep, UCCN_E_INVALID,
				   "meeting '%s': '%s' is not a time zone of the zone database",
				   req->meeting.id, req->meeting.tz);
		return UCCN_E_INVALID;
	}
	return 0;
}

int server_check_meeting_add(struct uccn_txn *t, const struct caller *c,
			     struct uccn_request *req, struct uccn_reply *rep)
{
	return meeting_check(t, c, req, rep, false);
}

int server_check_meeting_update(struct uccn_txn *t, const struct caller *c,
				struct uccn_request *req, struct uccn_reply *rep)
{
	return meeting_check(t, c, req, rep, true);
}

/* The coordinator and the secretariat publish any agenda; a field's
 * deputy those of its field's meetings. */
int server_check_agenda_publish(struct uccn_txn *t, const struct caller *c,
				struct uccn_request *req, struct uccn_reply *rep)
{
	struct uccn_meeting m = {0};
	if (is_network_admin(c))
		return 0;
	if (uccn_store_meeting_get(t, req->agenda.meeting, &m) != 0)
		return 0; /* the store will say it does not exist */
	bool same = m.field && c->record.field && strcmp(m.field, c->record.field) == 0;
	uccn_meeting_clear(&m);
	return same ? 0 : deny(rep, "city '%s' may publish only agendas of its field's meetings", c->city);
}

/* ---- in the batch's transaction ---- */

int server_apply_post(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	/* The store records who a private message reached: its readers. */
	unsigned flags = server_post_private(&p->req.post) ? UCCN_STORE_POST_READERS_ONLY : 0;
	int rc = uccn_store_post_add(t, &p->req.post, flags, now_ms, &p->rep.seq,
				     &p->rep.duplicate);
	p->rep.created_ms = now_ms;
	return rc;
}

int server_apply_city_add(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	return uccn_store_city_add(t, &p->req.city, &p->rep.seq);
}

int server_apply_city_update(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	return uccn_store_city_update(t, &p->req.city, p->req.if_version,
				      &p->rep.seq, &p->rep.version);
}

int server_apply_city_rekey(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	return uccn_store_city_rekey(t, p->req.city.id, p->req.city.key,
				     &p->rep.seq, &p->rep.version);
}

int server_apply_city_import(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	struct uccn_import_counts *n = malloc(sizeof *n);
	(void)now_ms;
	if (!n)
		return UCCN_E_NOMEM;
	int rc = uccn_store_city_import(t, p->req.cities, p->req.ncities, p->req.overwrite, n);
	p->rep.added = n->added;
	p->rep.updated = n->updated;
	p->rep.unchanged = n->unchanged;
	p->rep.kept = n->kept;
	if (!rc && n->nnamed && !(p->rep.fields = calloc(n->nnamed, sizeof *p->rep.fields)))
		rc = UCCN_E_NOMEM;
	for (size_t i = 0; !rc && i < n->nnamed; i++) {
		if (!(p->rep.fields[i] = strdup(n->named[i])))
			rc = UCCN_E_NOMEM;
		else
			p->rep.nfields = i + 1;
	}
	free(n);
	return rc;
}

int server_apply_field_add(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	return uccn_store_field_add(t, p->req.name, &p->rep.seq);
}

int server_apply_project_add(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	int rc = uccn_store_project_add(t, &p->req.project, &p->rep.seq);
	p->rep.version = 1;
	return rc;
}

int server_apply_project_update(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	return uccn_store_project_update(t, &p->req.project, p->req.if_version,
					 &p->rep.seq, &p->rep.version);
}

/* Join and leave name no city: the caller joins or leaves. */
int server_apply_project_join(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	return uccn_store_project_member(t, p->req.name, p->city, true,
					 &p->rep.seq, &p->rep.version);
}

int server_apply_project_leave(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	return uccn_store_project_member(t, p->req.name, p->city, false,
					 &p->rep.seq, &p->rep.version);
}

int server_apply_meeting_add(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	int rc = uccn_store_meeting_add(t, &p->req.meeting, &p->rep.seq);
	p->rep.version = 1;
	return rc;
}

int server_apply_meeting_update(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	return uccn_store_meeting_update(t, &p->req.meeting, p->req.if_version,
					 &p->rep.seq, &p->rep.version);
}

int server_apply_inbox_ack(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	(void)now_ms;
	return uccn_store_mailbox_ack(t, p->city, p->req.seq, &p->rep.acked, &p->rep.unread);
}

/* Tell the meeting's cities that the agenda p published is out: the notice
 * notice.c makes of the records, posted by the publisher and delivered to
 * the hosts its audience leaves out. */
static int notify_publish(struct uccn_txn *t, const struct pending *p, int64_t now_ms)
{
	struct uccn_meeting m = {0};
	struct uccn_city *hosts = NULL;
	struct server_notice n = {0};
	uint64_t seq = 0;
	bool dup;
	int rc = uccn_store_meeting_get(t, p->req.agenda.meeting, &m);
	if (rc)
		goto out;
	if (!(hosts = calloc(m.hosts.n ? m.hosts.n : 1, sizeof *hosts))) {
		rc = UCCN_E_NOMEM;
		goto out;
	}
	/* A host that cannot be read cannot be told; the publish stands
	 * without it. */
	for (size_t i = 0; i < m.hosts.n; i++)
		if (uccn_store_city_get(t, m.hosts.v[i], &hosts[i]))
			uccn_city_clear(&hosts[i]);
	if ((rc = server_notice_build(&m, hosts, p->city, p->rep.version,
				      p->req.agenda.nentries, &n)))
		goto out;
	rc = uccn_store_post_add(t, &n.post, 0, now_ms, &seq, &dup);
	for (size_t i = 0; !rc && i < n.direct.n; i++)
		rc = uccn_store_mailbox_deliver(t, n.direct.v[i], seq);
out:
	server_notice_clear(&n);
	for (size_t i = 0; hosts && i < m.hosts.n; i++)
		uccn_city_clear(&hosts[i]);
	free(hosts);
	uccn_meeting_clear(&m);
	return rc;
}

/* The publish and its notice stand or fall together: a recipient's full
 * mailbox refuses the publish too. */
int server_apply_agenda_publish(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	int rc = uccn_store_txn_group_begin(t);
	if (rc)
		return rc;
	rc = uccn_store_agenda_publish(t, &p->req.agenda, p->city, now_ms, &p->rep.version,
				       &p->rep.seq);
	if (!rc)
		rc = notify_publish(t, p, now_ms);
	return uccn_store_txn_group_end(t, rc);
}

/* ---- failures the store gave no reason for ---- */

bool server_explain_post(struct pending *p)
{
	if (p->rep.status != UCCN_E_NOTFOUND)
		return false;
	server_reply_error(&p->rep, p->rep.status, "city '%s' is not registered", p->city);
	return true;
}

bool server_explain_city_add(struct pending *p)
{
	if (p->rep.status != UCCN_E_EXISTS)
		return false;
	server_reply_error(&p->rep, p->rep.status,
			   "city '%s' exists already, or its key belongs to another city",
			   p->req.city.id);
	return true;
}
