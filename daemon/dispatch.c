/*
 * dispatch.c - the rule table, one row per operation, and the path of one
 * request through it: who is calling, may their role run the op, does the
 * op's finer check allow it, then a read answered now or a write queued.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "server_int.h"
#include "uccn_error.h"

/* Deny by default: an op missing here is refused to everyone. Writes have
 * no read function; they are applied in the batch. Mirrored in
 * proto/SPEC.md. */
static const struct rule rules[] = {
	{UCCN_OP_STATUS, ROLE_ANY, .read = server_read_status},
	{UCCN_OP_CITY_LIST, ROLE_ANY, .read = server_read_city_list},
	{UCCN_OP_LIST, ROLE_ANY, .read = server_read_list},
	{UCCN_OP_SHOW, ROLE_ANY, .read = server_read_show},
	{UCCN_OP_FIELD_LIST, ROLE_ANY, .read = server_read_field_list},
	{UCCN_OP_CITY_SHOW, ROLE_ANY, .read = server_read_city_show},
	{UCCN_OP_POST, ROLE_ANY, .check = server_check_post,
	 .apply = server_apply_post, .explain = server_explain_post},
	{UCCN_OP_CITY_ADD, ROLE_NETWORK, .check = server_check_city_write,
	 .apply = server_apply_city_add, .explain = server_explain_city_add},
	{UCCN_OP_CITY_UPDATE, ROLE_NETWORK, .check = server_check_city_write,
	 .apply = server_apply_city_update},
	{UCCN_OP_CITY_REKEY, ROLE_NETWORK, .apply = server_apply_city_rekey},
	{UCCN_OP_CITY_IMPORT, ROLE_NETWORK, .check = server_check_city_import,
	 .apply = server_apply_city_import},
	/* Held in memory, not stored: a read for the table (import_stage.c). */
	{UCCN_OP_CITY_IMPORT_STAGE, ROLE_NETWORK, .read = server_read_city_import_stage},
	{UCCN_OP_FIELD_ADD, ROLE_NETWORK, .apply = server_apply_field_add},
	{UCCN_OP_PROJECT_SHOW, ROLE_ANY, .read = server_read_project_show},
	{UCCN_OP_PROJECT_LIST, ROLE_ANY, .read = server_read_project_list},
	{UCCN_OP_PROJECT_ADD, ROLE_ANY, .check = server_check_project_add,
	 .apply = server_apply_project_add},
	{UCCN_OP_PROJECT_UPDATE, ROLE_ANY, .check = server_check_project_update,
	 .apply = server_apply_project_update},
	/* Join and leave: always as the caller itself. */
	{UCCN_OP_PROJECT_JOIN, ROLE_ANY, .apply = server_apply_project_join},
	{UCCN_OP_PROJECT_LEAVE, ROLE_ANY, .apply = server_apply_project_leave},
	{UCCN_OP_MEETING_SHOW, ROLE_ANY, .read = server_read_meeting_show},
	{UCCN_OP_MEETING_LIST, ROLE_ANY, .read = server_read_meeting_list},
	{UCCN_OP_MEETING_ADD, ROLE_NETWORK | ROLE_DEPUTY, .check = server_check_meeting_add,
	 .apply = server_apply_meeting_add},
	{UCCN_OP_MEETING_UPDATE, ROLE_NETWORK | ROLE_DEPUTY, .check = server_check_meeting_update,
	 .apply = server_apply_meeting_update},
	/* The inbox and its ack: always the caller's own mailbox. */
	{UCCN_OP_INBOX, ROLE_ANY, .read = server_read_inbox},
	{UCCN_OP_INBOX_ACK, ROLE_ANY, .apply = server_apply_inbox_ack},
	{UCCN_OP_WATCH, ROLE_ANY, .read = server_read_watch, .hold = server_hold_watch},
	{UCCN_OP_AGENDA_GET, ROLE_ANY, .read = server_read_agenda_get},
	{UCCN_OP_AGENDA_PUBLISH, ROLE_NETWORK | ROLE_DEPUTY, .check = server_check_agenda_publish,
	 .apply = server_apply_agenda_publish},
	{UCCN_OP_CITY_INVITE, ROLE_NETWORK, .apply = server_apply_city_invite},
	/* The one op of a key no city owns (ops_invite.c). */
	{UCCN_OP_CITY_ENROL, ROLE_GUEST, .apply = server_apply_city_enrol},
	/* The network's own settings: the coordinator alone (ops_admin.c). */
	{UCCN_OP_ADMIN_HANDOVER, ROLE_COORDINATOR, .check = server_check_admin_handover,
	 .apply = server_apply_admin_handover, .committed = server_committed_admin_handover},
	{UCCN_OP_ADMIN_LOG, ROLE_COORDINATOR, .read = server_read_admin_log},
	/* Made on a thread, served in chunks (ops_backup.c). */
	{UCCN_OP_ADMIN_BACKUP, ROLE_COORDINATOR, .read = server_read_admin_backup},
};

const struct rule *server_rule_for(enum uccn_op op)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (rules[i].op == op)
			return &rules[i];
	return NULL;
}

static unsigned role_bit(const char *role)
{
	if (!role)
		return 0;
	if (strcmp(role, "member") == 0)
		return ROLE_MEMBER;
	if (strcmp(role, "coordinator") == 0)
		return ROLE_COORDINATOR;
	if (strcmp(role, "secretariat") == 0)
		return ROLE_SECRETARIAT;
	if (strcmp(role, "deputy") == 0)
		return ROLE_DEPUTY;
	return 0;
}

/* Who is calling: the city registered for the connection's key now. */
static int identify(struct uccn_txn *t, const char *key, struct caller *c)
{
	int rc;
	if (!key || (rc = uccn_store_city_by_key(t, key, c->city)))
		return UCCN_E_DENIED;
	if ((rc = uccn_store_city_get(t, c->city, &c->record)))
		return rc == UCCN_E_NOTFOUND ? UCCN_E_DENIED : rc;
	c->role = role_bit(c->record.role);
	return 0;
}

/* The write's key still names the same city, in a role still allowed the
 * op, as the transaction that applies it sees them: a key replaced, or a
 * role taken away, since the request was checked stops it here. */
int server_still_allowed(struct uccn_txn *t, const struct pending *p, const struct rule *r)
{
	struct caller c = {0};
	char owner[UCCN_MAX_ID + 1];
	/* A guest's write stands only while its key is still no city's. */
	if (r && r->roles == ROLE_GUEST) {
		int rc = uccn_store_city_by_key(t, p->key, owner);
		return rc == UCCN_E_NOTFOUND ? 0 : rc ? rc : UCCN_E_DENIED;
	}
	int rc = identify(t, p->key, &c);
	if (!rc && (strcmp(c.city, p->city) != 0 || !r || !(r->roles & c.role)))
		rc = UCCN_E_DENIED;
	uccn_city_clear(&c.record);
	return rc == UCCN_E_NOTFOUND ? UCCN_E_DENIED : rc;
}

/* The peer's address for the log ("tcp 192.0.2.7" style as libzmq gives
 * it), or "an unknown address". */
static const char *peer_of(const struct pending *p)
{
	return p->peer[0] ? p->peer : "an unknown address";
}

bool server_handle(struct server *s, struct pending *p, int decode_rc,
		   const char *decode_err, const char *key)
{
	struct caller c = {0};
	struct uccn_txn *t = NULL;
	bool queued = false, held = false;
	p->rep.op = p->req.op;
	p->rep.rid = p->req.rid;
	if (decode_rc) {
		server_reply_error(&p->rep, decode_rc, "%s", decode_err);
		p->rep.error_index = p->req.error_index;
		server_import_place_error(s, key, p);
		log_limited(LOG_DEBUG, LOG_KIND_DECODE, "bad request from %s: %s", peer_of(p),
			    decode_err);
		goto reply;
	}
	int rc = uccn_store_read(s->store, &t);
	if (rc) {
		server_reply_error(&p->rep, rc, "cannot read the store: %s", uccn_strerror(rc));
		goto reply;
	}
	if ((rc = identify(t, key, &c))) {
		/* A key no city owns may ask one thing: to enrol. */
		if (rc != UCCN_E_DENIED || !key || p->req.op != UCCN_OP_CITY_ENROL) {
			server_reply_error(&p->rep, rc, "this key belongs to no registered city");
			log_limited(LOG_WARN, LOG_KIND_REQUEST, "refused %s from %s: a key no city "
				    "owns", uccn_op_name(p->req.op), peer_of(p));
			goto reply;
		}
		if (!server_guest_request(s, p, key))
			goto reply;
		c.role = ROLE_GUEST;
	}
	const struct rule *r = server_rule_for(p->req.op);
	if (!r || !(r->roles & c.role)) {
		server_reply_error(&p->rep, UCCN_E_DENIED, "city '%s' (role %s) may not %s",
				   c.city, c.record.role ? c.record.role : "none",
				   uccn_op_name(p->req.op));
		log_limited(LOG_WARN, LOG_KIND_REQUEST, "refused %s to city '%s' from %s: its role "
			    "%s may not", uccn_op_name(p->req.op), c.city, peer_of(p),
			    c.record.role ? c.record.role : "none");
		goto reply;
	}
	if (r->check && r->check(t, &c, &p->req, &p->rep))
		goto reply;
	if (r->read && server_replies_backed_up(p)) {
		server_reply_error(&p->rep, UCCN_E_BUSY, "replies to this connection are waiting "
				   "to be read; read them, then ask again");
		goto reply;
	}
	if (r->read) {
		r->read(s, t, &c, &p->req, &p->rep);
		held = r->hold && r->hold(s, p, &c);
		goto reply;
	}
	/* A write: its key and city are checked again as it commits. */
	memcpy(p->city, c.city, sizeof p->city);
	snprintf(p->key, sizeof p->key, "%s", key);
	queued = true;
reply:
	server_note_corrupt(t, &p->rep);
	uccn_store_txn_end(&t);
	uccn_city_clear(&c.record);
	if (!queued && !held) {
		server_send_reply(s, p);
		server_pending_clear(p);
	}
	return queued;
}
