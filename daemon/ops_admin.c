/*
 * ops_admin.c - the coordinator's ops on the network itself (SPEC 4.20):
 * handing the coordinator's role to another city, in one transaction, and
 * setting the log level of the running server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "server_int.h"
#include "uccn_error.h"

/* ---- admin.handover ---- */

/*
 * Whether city id may take the role from caller, as t sees it: into *out
 * (clear; the caller's to clear) when it may, else an error code with the
 * reason in rep. The same rules on the snapshot the request is read in and
 * again in the transaction that applies it.
 */
static int handover_target(struct uccn_txn *t, const char *caller, const char *id,
			   struct uccn_city *out, struct uccn_reply *rep)
{
	const char *why = NULL;
	if (strcmp(id, caller) == 0) {
		server_reply_error(rep, UCCN_E_INVALID, "city '%s' is the coordinator handing "
				   "over: name the city that takes the role", id);
		return UCCN_E_INVALID;
	}
	int rc = uccn_store_city_get(t, id, out);
	if (rc == UCCN_E_NOTFOUND) {
		server_reply_error(rep, rc, "city '%s' does not exist", id);
		return rc;
	}
	if (rc) {
		server_reply_error(rep, rc, "cannot read city '%s': %s", id, uccn_strerror(rc));
		return rc;
	}
	if (!out->key[0])
		why = "has no key, so could not use the role: give it one first (uccn city "
		      "rekey, or an invitation)";
	else if (out->role && strcmp(out->role, "coordinator") == 0)
		why = "is a coordinator already";
	else if (out->role && strcmp(out->role, "deputy") == 0)
		why = "is its field's deputy: make it a member first (uccn city update "
		      "--role member), so that its field does not lose its deputy unnoticed";
	if (!why)
		return 0;
	server_reply_error(rep, UCCN_E_INVALID, "city '%s' %s", id, why);
	uccn_city_clear(out);
	return UCCN_E_INVALID;
}

int server_check_admin_handover(struct uccn_txn *t, const struct caller *c,
				struct uccn_request *req, struct uccn_reply *rep)
{
	struct uccn_city target = {0};
	int rc = handover_target(t, c->city, req->name, &target, rep);
	uccn_city_clear(&target);
	return rc;
}

/* City c's role becomes role: a versioned change of its record, logged. */
static int set_role(struct uccn_txn *t, struct uccn_city *c, const char *role, uint64_t *seq)
{
	uint64_t version;
	if (uccn_str_set(&c->role, role))
		return UCCN_E_NOMEM;
	return uccn_store_city_update(t, c, c->version, seq, &version);
}

/* Both changes or neither: a network with two coordinators, or none, must
 * never be committed. The caller's role was checked again at commit
 * (server_still_allowed): it is still the coordinator. */
int server_apply_admin_handover(struct uccn_txn *t, struct pending *p, int64_t now_ms)
{
	struct uccn_city from = {0}, to = {0};
	uint64_t from_seq;
	(void)now_ms;
	int rc = uccn_store_txn_group_begin(t);
	if (rc)
		return rc;
	rc = handover_target(t, p->city, p->req.name, &to, &p->rep);
	if (!rc)
		rc = uccn_store_city_get(t, p->city, &from);
	if (!rc)
		rc = set_role(t, &from, "member", &from_seq);
	if (!rc)
		rc = set_role(t, &to, "coordinator", &p->rep.seq);
	rc = uccn_store_txn_group_end(t, rc);
	uccn_city_clear(&from);
	uccn_city_clear(&to);
	return rc;
}

void server_committed_admin_handover(const struct pending *p)
{
	log_msg(LOG_INFO, "coordinator handed over from %s to %s", p->city, p->req.name);
}

/* ---- admin.log ---- */

/* The line saying so is written at the more verbose of the two levels, so
 * that it is seen whichever way the level goes. */
void server_read_admin_log(struct server *s, struct uccn_txn *t, const struct caller *c,
			   const struct uccn_request *req, struct uccn_reply *rep)
{
	enum log_level was = log_get_level(), level;
	(void)s; (void)t;
	/* proto checked the name; the daemon's list is the one that counts. */
	if (log_level_from_name(req->log_level, &level)) {
		server_reply_error(rep, UCCN_E_INVALID, "'%s' is not a log level", req->log_level);
		return;
	}
	if (uccn_str_set(&rep->log_was, log_level_name(was)) ||
	    uccn_str_set(&rep->log_level, log_level_name(level))) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	if (level > was)
		log_set_level(level);
	log_msg(LOG_WARN, "log level %s -> %s, set by city '%s' (admin.log) until the next "
		"start or reload", log_level_name(was), log_level_name(level), c->city);
	log_set_level(level);
}
