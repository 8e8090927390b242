/*
 * ops_write.c - the writes: the finer rules they pass on the snapshot their
 * request was read in, what they do inside the batch's transaction (on the
 * commit thread), and the words for a failure the store left unexplained.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"
#include "tzdb.h"
#include "uccn_error.h"

/* ---- finer rules ---- */

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

/* A member creates only projects it leads. */
int server_allow_project_add(struct uccn_txn *t, const struct caller *c,
			     const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)t;
	if (is_network_admin(c) || strcmp(req->project.lead, c->city) == 0)
		return 0;
	return deny(rep, "city '%s' may only add projects it leads, not one led by '%s'",
		    c->city, req->project.lead);
}

/* Only the lead (or the network's coordinator or secretariat) updates a
 * project, and the lead may hand the lead over. */
int server_allow_project_update(struct uccn_txn *t, const struct caller *c,
				const struct uccn_request *req, struct uccn_reply *rep)
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
int server_allow_meeting_write(struct uccn_txn *t, const struct caller *c,
			       const struct uccn_request *req, struct uccn_reply *rep)
{
	const char *field = c->record.field;
	if (is_network_admin(c))
		return 0;
	if (!req->meeting.field || !field || strcmp(req->meeting.field, field) != 0)
		return deny(rep, "city '%s' manages only meetings of its field '%s'",
			    c->city, field ? field : "");
	if (req->op == UCCN_OP_MEETING_UPDATE) {
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

/* The coordinator and the secretariat publish any agenda; a field's
 * deputy those of its field's meetings. */
int server_allow_agenda_publish(struct uccn_txn *t, const struct caller *c,
				const struct uccn_request *req, struct uccn_reply *rep)
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

/* Zone names are checked against the system's database before a write is
 * queued: the store has no file system to look at. */
int server_check_zones(const struct uccn_request *req, struct uccn_reply *rep)
{
	const struct uccn_city *list = req->op == UCCN_OP_CITY_IMPORT ? req->cities : &req->city;
	size_t n = req->op == UCCN_OP_CITY_IMPORT ? req->ncities : 1;
	if ((req->op == UCCN_OP_MEETING_ADD || req->op == UCCN_OP_MEETING_UPDATE) &&
	    !tzdb_known(req->meeting.tz)) {
		server_reply_error(rep, UCCN_E_INVALID,
				   "meeting '%s': '%s' is not a time zone of the zone database",
				   req->meeting.id, req->meeting.tz);
		return UCCN_E_INVALID;
	}
	if (req->op != UCCN_OP_CITY_ADD && req->op != UCCN_OP_CITY_UPDATE &&
	    req->op != UCCN_OP_CITY_IMPORT)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (list[i].tz && !tzdb_known(list[i].tz)) {
			server_reply_error(rep, UCCN_E_INVALID,
					   "city '%s': '%s' is not a time zone of the zone database",
					   list[i].id, list[i].tz);
			if (req->op == UCCN_OP_CITY_IMPORT)
				rep->error_index = i + 1;
			return UCCN_E_INVALID;
		}
	}
	return 0;
}

/* ---- in the batch's transaction ---- */

int server_apply_write(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	struct uccn_reply *rep = &p->rep;
	const struct uccn_request *req = &p->req;
	int rc;
	switch (req->op) {
	case UCCN_OP_POST:
		rc = uccn_store_post_add(t, &p->req.post, now_ms, &rep->seq,
					 &rep->duplicate);
		rep->created_ms = now_ms;
		break;
	case UCCN_OP_CITY_ADD:
		rc = uccn_store_city_add(t, &req->city, &rep->seq);
		break;
	case UCCN_OP_CITY_UPDATE:
		rc = uccn_store_city_update(t, &req->city, req->if_version,
					    &rep->seq, &rep->version);
		break;
	case UCCN_OP_CITY_REKEY:
		rc = uccn_store_city_rekey(t, req->city.id, req->city.key,
					   &rep->seq, &rep->version);
		break;
	case UCCN_OP_CITY_IMPORT:
		rc = uccn_store_city_import(t, req->cities, req->ncities, &rep->added,
					    &rep->updated, &rep->unchanged);
		break;
	case UCCN_OP_FIELD_ADD:
		rc = uccn_store_field_add(t, req->name, &rep->seq);
		break;
	case UCCN_OP_PROJECT_ADD:
		rc = uccn_store_project_add(t, &req->project, &rep->seq);
		rep->version = 1;
		break;
	case UCCN_OP_PROJECT_UPDATE:
		rc = uccn_store_project_update(t, &req->project, req->if_version,
					       &rep->seq, &rep->version);
		break;
	case UCCN_OP_PROJECT_JOIN:
	case UCCN_OP_PROJECT_LEAVE:
		rc = uccn_store_project_member(t, req->name, p->city,
					       req->op == UCCN_OP_PROJECT_JOIN,
					       &rep->seq, &rep->version);
		break;
	case UCCN_OP_MEETING_ADD:
		rc = uccn_store_meeting_add(t, &req->meeting, &rep->seq);
		rep->version = 1;
		break;
	case UCCN_OP_MEETING_UPDATE:
		rc = uccn_store_meeting_update(t, &req->meeting, req->if_version,
					       &rep->seq, &rep->version);
		break;
	case UCCN_OP_INBOX_ACK:
		rc = uccn_store_mailbox_ack(t, p->city, req->seq, &rep->acked, &rep->unread);
		break;
	case UCCN_OP_AGENDA_PUBLISH:
		rc = uccn_store_agenda_publish(t, &req->agenda, p->city, now_ms, &rep->version,
					       &rep->seq);
		break;
	default:
		rc = UCCN_E_INTERNAL;
		break;
	}
	return rc;
}

/* ---- failures the store gave no reason for ---- */

void server_explain_write_error(struct pending *p)
{
	struct uccn_reply *rep = &p->rep;
	int rc = rep->status;
	if (p->req.op == UCCN_OP_CITY_ADD && rc == UCCN_E_EXISTS)
		server_reply_error(rep, rc, "city '%s' exists already, or its key belongs to another city",
				   p->req.city.id);
	else if (p->req.op == UCCN_OP_POST && rc == UCCN_E_NOTFOUND)
		server_reply_error(rep, rc, "city '%s' is not registered", p->city);
	else
		server_reply_error(rep, rc, "%s", uccn_strerror(rc));
}
