/*
 * ops.c - the operations of the protocol, one row each (proto/SPEC.md, 4):
 * wire name, whether it writes, the fields of its request and of its reply,
 * and the rules its request obeys beyond the types and limits of its fields.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "mp.h"
#include "uccn_error.h"
#include "uccn_fingerprint.h"
#include "uccn_invite.h"
#include "uccn_msg.h"

#define REQ(member) offsetof(struct uccn_request, member)
#define REP(member) offsetof(struct uccn_reply, member)
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))
#define LIST(a) (a), NFIELDS(a)

/* fields.h reads a `has` offset of 0 as "always there". */
_Static_assert(REP(has_agenda) != 0, "has_agenda must not be the first member");

/* ---- request fields, in the order they are packed ---- */

/* The record a request names (city.show, project.join, ...). */
#define ID_FIELD \
	{.name = "id", .type = F_LINE, .offset = REQ(name), .max = UCCN_MAX_ID, \
	 .flags = FIELD_REQUIRED}

/* An update names the version it read, so a change made meanwhile is not
 * overwritten (the store answers conflict). */
#define IF_VERSION_FIELD \
	{.name = "if_version", .type = F_U64, .offset = REQ(if_version), .max = UINT64_MAX, \
	 .flags = FIELD_REQUIRED, .missing = "say which version you read"}

#define QUERY_STR(key, member) \
	{.name = (key), .type = F_LINE, .offset = REQ(query.member), .max = UCCN_MAX_ID, \
	 .flags = FIELD_OPTIONAL}
#define QUERY_FIELDS \
	QUERY_STR("kind", kind), QUERY_STR("city", city), \
	QUERY_STR("project", project), QUERY_STR("meeting", meeting), \
	{.name = "since", .type = F_U64, .offset = REQ(query.since), .max = UINT64_MAX, \
	 .flags = FIELD_OPTIONAL}, \
	{.name = "before", .type = F_U64, .offset = REQ(query.before), .max = UINT64_MAX, \
	 .flags = FIELD_OPTIONAL}, \
	{.name = "limit", .type = F_U32, .offset = REQ(query.limit), .max = UCCN_LIST_MAX, \
	 .flags = FIELD_OPTIONAL}

static const struct uccn_field city_add_request[] = {
	{.name = "city", .type = F_RECORD, .offset = REQ(city), .rec = &record_city,
	 .flags = FIELD_REQUIRED},
};

static const struct uccn_field city_update_request[] = {
	{.name = "city", .type = F_RECORD, .offset = REQ(city), .rec = &record_city,
	 .flags = FIELD_REQUIRED},
	IF_VERSION_FIELD,
};

static const struct uccn_field city_list_request[] = {
	{.name = "field", .type = F_LINE, .offset = REQ(field), .max = UCCN_MAX_FIELD,
	 .flags = FIELD_OPTIONAL},
	{.name = "country", .type = F_LINE, .offset = REQ(country), .max = UCCN_MAX_COUNTRY,
	 .flags = FIELD_OPTIONAL},
};

static const struct uccn_field city_rekey_request[] = {
	{.name = "id", .type = F_LINE, .offset = REQ(city.id), .max = UCCN_MAX_ID,
	 .flags = FIELD_REQUIRED},
	{.name = "key", .type = F_KEY, .offset = REQ(city.key), .max = UCCN_KEY_Z85_LEN,
	 .flags = FIELD_REQUIRED},
};

/* An import sets a city's data, never its standing (SPEC 4.12): whatever
 * role a row names is dropped, so a new city is a member and an existing
 * one keeps its role. A role in the file is no reason to refuse it: an
 * export of the cities read back must import. */
static int import_city_check(void *item, char *err, size_t errlen)
{
	struct uccn_city *city = item;
	char *member = strdup("member");
	if (!member)
		return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
	free(city->role);
	city->role = member;
	return uccn_city_check(city, err, errlen);
}

/* A staged import's id (SPEC 4.12.1), read before the cities so that an
 * error in one of them can be placed in the whole import. */
#define IMPORT_ID_FIELD \
	{.name = "import", .type = F_LINE, .offset = REQ(import_id), .max = UCCN_IMPORT_ID_HEX, \
	 .flags = FIELD_OPTIONAL}
#define IMPORT_CITIES_FIELD \
	{.name = "cities", .type = F_RECORDS, .offset = REQ(cities), .count = REQ(ncities), \
	 .max = UCCN_MAX_IMPORT, .rec = &record_city, .item_check = import_city_check, \
	 .whole = "import", .index_at = REQ(error_index), .flags = FIELD_REQUIRED}

static const struct uccn_field city_import_request[] = {
	IMPORT_ID_FIELD,
	IMPORT_CITIES_FIELD,
	/* Replace fields changed by hand since the last import too. */
	{.name = "overwrite", .type = F_BOOL, .offset = REQ(overwrite), .flags = FIELD_OPTIONAL},
};

/* A chunk of an import too large for one frame, held by the server. */
static const struct uccn_field city_import_stage_request[] = {
	IMPORT_ID_FIELD,
	IMPORT_CITIES_FIELD,
	/* End the import without importing it (a client that gives up). */
	{.name = "discard", .type = F_BOOL, .offset = REQ(discard), .flags = FIELD_OPTIONAL},
};

static const struct uccn_field post_request[] = {
	{.name = "post", .type = F_RECORD, .offset = REQ(post), .rec = &record_post,
	 .flags = FIELD_REQUIRED},
};

static const struct uccn_field list_request[] = {
	QUERY_FIELDS,
};

/* since is required and always sent, 0 included: a watcher says where it
 * is, and a forgotten since must not replay the whole history (SPEC 4.17). */
static const struct uccn_field watch_request[] = {
	QUERY_STR("kind", kind), QUERY_STR("city", city),
	QUERY_STR("project", project), QUERY_STR("meeting", meeting),
	{.name = "since", .type = F_U64, .offset = REQ(query.since), .max = UINT64_MAX,
	 .flags = FIELD_REQUIRED, .missing = "send 0 to start from the first post"},
	{.name = "before", .type = F_U64, .offset = REQ(query.before), .max = UINT64_MAX,
	 .flags = FIELD_OPTIONAL},
	{.name = "limit", .type = F_U32, .offset = REQ(query.limit), .max = UCCN_LIST_MAX,
	 .flags = FIELD_OPTIONAL},
	{.name = "wait", .type = F_U32, .offset = REQ(wait_ms), .max = UCCN_WATCH_MAX_WAIT_MS,
	 .flags = FIELD_OPTIONAL},
};

/* A limit and nothing else: filters are not an inbox's. */
static const struct uccn_field inbox_request[] = {
	{.name = "limit", .type = F_U32, .offset = REQ(query.limit), .max = UCCN_LIST_MAX,
	 .flags = FIELD_OPTIONAL},
};

/* show: the post; inbox.ack: everything up to it. */
static const struct uccn_field seq_request[] = {
	{.name = "seq", .type = F_U64, .offset = REQ(seq), .max = UINT64_MAX,
	 .flags = FIELD_REQUIRED},
};

static const struct uccn_field field_add_request[] = {
	{.name = "name", .type = F_LINE, .offset = REQ(name), .max = UCCN_MAX_FIELD,
	 .flags = FIELD_REQUIRED},
};

static const struct uccn_field id_request[] = {
	ID_FIELD,
};

static const struct uccn_field project_add_request[] = {
	{.name = "project", .type = F_RECORD, .offset = REQ(project), .rec = &record_project,
	 .flags = FIELD_REQUIRED},
};

static const struct uccn_field project_update_request[] = {
	{.name = "project", .type = F_RECORD, .offset = REQ(project), .rec = &record_project,
	 .flags = FIELD_REQUIRED},
	IF_VERSION_FIELD,
};

static const struct uccn_field project_list_request[] = {
	{.name = "status", .type = F_LINE, .offset = REQ(status), .max = UCCN_MAX_STATUS,
	 .flags = FIELD_OPTIONAL},
	{.name = "field", .type = F_LINE, .offset = REQ(field), .max = UCCN_MAX_FIELD,
	 .flags = FIELD_OPTIONAL},
	/* The lead or a partner. */
	{.name = "city", .type = F_LINE, .offset = REQ(of_city), .max = UCCN_MAX_ID,
	 .flags = FIELD_OPTIONAL},
};

static const struct uccn_field meeting_add_request[] = {
	{.name = "meeting", .type = F_RECORD, .offset = REQ(meeting), .rec = &record_meeting,
	 .flags = FIELD_REQUIRED},
};

static const struct uccn_field meeting_update_request[] = {
	{.name = "meeting", .type = F_RECORD, .offset = REQ(meeting), .rec = &record_meeting,
	 .flags = FIELD_REQUIRED},
	IF_VERSION_FIELD,
};

static const struct uccn_field meeting_list_request[] = {
	{.name = "status", .type = F_LINE, .offset = REQ(status), .max = UCCN_MAX_STATUS,
	 .flags = FIELD_OPTIONAL},
	{.name = "field", .type = F_LINE, .offset = REQ(field), .max = UCCN_MAX_FIELD,
	 .flags = FIELD_OPTIONAL},
};

static const struct uccn_field agenda_publish_request[] = {
	{.name = "agenda", .type = F_RECORD, .offset = REQ(agenda), .rec = &record_agenda,
	 .flags = FIELD_REQUIRED},
};

/* The meeting, and which version: the newest when absent. */
static const struct uccn_field agenda_get_request[] = {
	ID_FIELD,
	{.name = "version", .type = F_U64, .offset = REQ(seq), .max = UINT64_MAX,
	 .flags = FIELD_OPTIONAL},
};

/* The city to invite, and for how long (seconds; absent: a week). */
static const struct uccn_field city_invite_request[] = {
	ID_FIELD,
	{.name = "expires", .type = F_U32, .offset = REQ(expires_s), .max = UCCN_INVITE_MAX_S,
	 .flags = FIELD_OPTIONAL},
};

/* A new key enrols itself with an invitation's secret. */
static const struct uccn_field city_enrol_request[] = {
	{.name = "id", .type = F_LINE, .offset = REQ(city.id), .max = UCCN_MAX_ID,
	 .flags = FIELD_REQUIRED},
	{.name = "secret", .type = F_LINE, .offset = REQ(secret), .max = UCCN_INVITE_SECRET_HEX,
	 .flags = FIELD_REQUIRED},
	{.name = "key", .type = F_KEY, .offset = REQ(city.key), .max = UCCN_KEY_Z85_LEN,
	 .flags = FIELD_REQUIRED},
};

/* The city that becomes the network's coordinator. */
static const struct uccn_field admin_handover_request[] = {
	{.name = "city", .type = F_LINE, .offset = REQ(name), .max = UCCN_MAX_ID,
	 .flags = FIELD_REQUIRED},
};

/* How much the server logs from now on. */
static const struct uccn_field admin_log_request[] = {
	{.name = "level", .type = F_LINE, .offset = REQ(log_level), .max = UCCN_MAX_LOG_LEVEL,
	 .flags = FIELD_REQUIRED},
};

/* A backup: absent, start one; else the one started, from offset. */
static const struct uccn_field admin_backup_request[] = {
	{.name = "backup", .type = F_LINE, .offset = REQ(backup_id), .max = UCCN_BACKUP_ID_LEN,
	 .flags = FIELD_OPTIONAL},
	{.name = "offset", .type = F_U64, .offset = REQ(offset), .max = UINT64_MAX,
	 .flags = FIELD_OPTIONAL},
	{.name = "discard", .type = F_BOOL, .offset = REQ(discard), .flags = FIELD_OPTIONAL},
};

/* ---- reply fields, after the header ---- */

/* The operator's figures (SPEC 4.1, server_state). */
#define STATE(member) offsetof(struct uccn_server_state, member)
#define STATE_U64(key, member) \
	{.name = (key), .type = F_U64, .offset = STATE(member), .max = UINT64_MAX}
/* One key per error a server sends, named as on the wire (SPEC 7); only
 * the kinds that occurred are sent. */
#define REFUSAL(key, code) \
	{.name = (key), .type = F_U64, .offset = STATE(refusals.by_code[-(code)]) - \
	 STATE(refusals), .max = UINT64_MAX, .flags = FIELD_OPTIONAL}

static const struct uccn_field refusal_fields[] = {
	REFUSAL("invalid", UCCN_E_INVALID), REFUSAL("too_big", UCCN_E_TOOBIG),
	REFUSAL("not_found", UCCN_E_NOTFOUND), REFUSAL("exists", UCCN_E_EXISTS),
	REFUSAL("denied", UCCN_E_DENIED), REFUSAL("conflict", UCCN_E_CONFLICT),
	REFUSAL("no_memory", UCCN_E_NOMEM), REFUSAL("io", UCCN_E_IO),
	REFUSAL("full", UCCN_E_FULL), REFUSAL("corrupt", UCCN_E_CORRUPT),
	REFUSAL("version", UCCN_E_VERSION), REFUSAL("unknown_op", UCCN_E_UNKNOWN_OP),
	REFUSAL("internal", UCCN_E_INTERNAL), REFUSAL("busy", UCCN_E_BUSY),
};
_Static_assert(-UCCN_E_BUSY < UCCN_REFUSAL_SLOTS, "a refusal slot for every wire error");

static const struct uccn_record_type record_refusals = {
	"refusals", "refusals", refusal_fields, NFIELDS(refusal_fields),
	sizeof(struct uccn_refusals),
};

static const struct uccn_field server_state_fields[] = {
	{.name = "data_dir", .type = F_LINE, .offset = STATE(data_dir), .max = UCCN_MAX_PATH},
	STATE_U64("data_bytes", data_bytes),
	STATE_U64("map_bytes", map_bytes),
	STATE_U64("map_used_bytes", map_used_bytes),
	STATE_U64("peers", peers),
	STATE_U64("commit_p50_us", commit_p50_us),
	STATE_U64("commit_p99_us", commit_p99_us),
	STATE_U64("batches", batches),
	STATE_U64("writes", writes),
	STATE_U64("batch_avg_x100", batch_avg_x100),
	STATE_U64("mailbox_total", mailbox_total),
	STATE_U64("mailbox_max", mailbox_max),
	{.name = "mailbox_max_city", .type = F_LINE, .offset = STATE(mailbox_max_city),
	 .max = UCCN_MAX_ID, .flags = FIELD_OPTIONAL},
	STATE_U64("oldest_unread_s", oldest_unread_s),
	{.name = "refusals", .type = F_RECORD, .offset = STATE(refusals), .rec = &record_refusals},
	STATE_U64("drops", drops),
	{.name = "server_key_fingerprint", .type = F_LINE,
	 .offset = STATE(server_key_fingerprint), .max = UCCN_FINGERPRINT_LEN},
};

static const struct uccn_record_type record_server_state = {
	"server_state", "server states", server_state_fields, NFIELDS(server_state_fields),
	sizeof(struct uccn_server_state),
};

static const struct uccn_field status_reply[] = {
	{.name = "server", .type = F_LINE, .offset = REP(info.server), .max = UCCN_MAX_SERVER},
	{.name = "proto", .type = F_U32, .offset = REP(info.proto), .max = UINT32_MAX},
	{.name = "city", .type = F_LINE, .offset = REP(info.city), .max = UCCN_MAX_SERVER},
	{.name = "role", .type = F_LINE, .offset = REP(info.role), .max = UCCN_MAX_SERVER},
	{.name = "cities", .type = F_U64, .offset = REP(info.cities), .max = UINT64_MAX},
	{.name = "posts", .type = F_U64, .offset = REP(info.posts), .max = UINT64_MAX},
	{.name = "last_seq", .type = F_U64, .offset = REP(info.last_seq), .max = UINT64_MAX},
	{.name = "uptime", .type = F_U64, .offset = REP(info.uptime_s), .max = UINT64_MAX},
	{.name = "unread", .type = F_U64, .offset = REP(info.unread), .max = UINT64_MAX},
	{.name = "mailboxes", .type = F_U64, .offset = REP(info.mailboxes), .max = UINT64_MAX},
	{.name = "server_state", .type = F_RECORD, .offset = REP(info.state),
	 .rec = &record_server_state, .has = REP(info.has_state), .flags = FIELD_OPTIONAL},
};

#define SEQ_FIELD {.name = "seq", .type = F_U64, .offset = REP(seq), .max = UINT64_MAX}
#define VERSION_FIELD \
	{.name = "version", .type = F_U64, .offset = REP(version), .max = UINT64_MAX}
#define UNREAD_FIELD \
	{.name = "unread", .type = F_U64, .offset = REP(unread), .max = UINT64_MAX}
#define NEXT_FIELD {.name = "next", .type = F_U64, .offset = REP(next), .max = UINT64_MAX}
#define POSTS_FIELD \
	{.name = "posts", .type = F_RECORDS, .offset = REP(posts), .count = REP(nposts), \
	 .rec = &record_post, .flags = FIELD_REQUIRED}

static const struct uccn_field seq_reply[] = {
	SEQ_FIELD,
};

/* A write that changed one record: its change and its new version. */
static const struct uccn_field seq_version_reply[] = {
	SEQ_FIELD,
	VERSION_FIELD,
};

static const struct uccn_field post_reply[] = {
	SEQ_FIELD,
	{.name = "duplicate", .type = F_BOOL, .offset = REP(duplicate)},
	{.name = "created", .type = F_I64, .offset = REP(created_ms), .max = INT64_MAX},
};

/* list: next is the "before" of the next page; watch: the next "since". */
static const struct uccn_field posts_next_reply[] = {
	POSTS_FIELD,
	NEXT_FIELD,
};

static const struct uccn_field inbox_reply[] = {
	POSTS_FIELD,
	UNREAD_FIELD,
};

static const struct uccn_field inbox_ack_reply[] = {
	{.name = "acked", .type = F_U64, .offset = REP(acked), .max = UINT64_MAX},
	UNREAD_FIELD,
};

static const struct uccn_field show_reply[] = {
	{.name = "post", .type = F_ONE, .offset = REP(posts), .count = REP(nposts),
	 .rec = &record_post, .flags = FIELD_REQUIRED},
};

static const struct uccn_field field_list_reply[] = {
	{.name = "fields", .type = F_STRS, .offset = REP(fields), .count = REP(nfields),
	 .max = UCCN_MAX_FIELD, .flags = FIELD_REQUIRED},
};

static const struct uccn_field city_list_reply[] = {
	{.name = "cities", .type = F_RECORDS, .offset = REP(cities), .count = REP(ncities),
	 .rec = &record_city, .flags = FIELD_REQUIRED},
};

static const struct uccn_field city_show_reply[] = {
	{.name = "city", .type = F_ONE, .offset = REP(cities), .count = REP(ncities),
	 .rec = &record_city, .flags = FIELD_REQUIRED},
};

static const struct uccn_field city_import_reply[] = {
	{.name = "added", .type = F_U64, .offset = REP(added), .max = UINT64_MAX},
	{.name = "updated", .type = F_U64, .offset = REP(updated), .max = UINT64_MAX},
	{.name = "unchanged", .type = F_U64, .offset = REP(unchanged), .max = UINT64_MAX},
	/* Fields left as a person changed them, and the first of them by name;
	 * optional, so an older daemon's reply still reads. */
	{.name = "kept", .type = F_U64, .offset = REP(kept), .max = UINT64_MAX,
	 .flags = FIELD_OPTIONAL},
	{.name = "kept_fields", .type = F_STRS, .offset = REP(fields), .count = REP(nfields),
	 .max = UCCN_MAX_KEPT_NAME, .flags = FIELD_OPTIONAL},
};

static const struct uccn_field city_import_stage_reply[] = {
	{.name = "import", .type = F_LINE, .offset = REP(import_id), .max = UCCN_IMPORT_ID_HEX},
	{.name = "staged", .type = F_U64, .offset = REP(staged), .max = UINT64_MAX},
};

static const struct uccn_field project_show_reply[] = {
	{.name = "project", .type = F_ONE, .offset = REP(projects), .count = REP(nprojects),
	 .rec = &record_project, .flags = FIELD_REQUIRED},
};

static const struct uccn_field project_list_reply[] = {
	{.name = "projects", .type = F_RECORDS, .offset = REP(projects), .count = REP(nprojects),
	 .rec = &record_project, .flags = FIELD_REQUIRED},
};

static const struct uccn_field meeting_show_reply[] = {
	{.name = "meeting", .type = F_ONE, .offset = REP(meetings), .count = REP(nmeetings),
	 .rec = &record_meeting, .flags = FIELD_REQUIRED},
};

static const struct uccn_field meeting_list_reply[] = {
	{.name = "meetings", .type = F_RECORDS, .offset = REP(meetings), .count = REP(nmeetings),
	 .rec = &record_meeting, .flags = FIELD_REQUIRED},
};

static const struct uccn_field agenda_get_reply[] = {
	{.name = "agenda", .type = F_RECORD, .offset = REP(agenda), .rec = &record_agenda,
	 .has = REP(has_agenda), .flags = FIELD_REQUIRED},
};

static const struct uccn_field city_invite_reply[] = {
	{.name = "city", .type = F_LINE, .offset = REP(invite.city), .max = UCCN_MAX_ID},
	{.name = "secret", .type = F_LINE, .offset = REP(invite.secret),
	 .max = UCCN_INVITE_SECRET_HEX},
	{.name = "server_key", .type = F_LINE, .offset = REP(invite.server_key),
	 .max = UCCN_KEY_Z85_LEN},
	{.name = "endpoint", .type = F_LINE, .offset = REP(invite.endpoint),
	 .max = UCCN_MAX_ENDPOINT},
	{.name = "expires", .type = F_I64, .offset = REP(invite.expires), .max = INT64_MAX},
};

static const struct uccn_field admin_log_reply[] = {
	{.name = "was", .type = F_LINE, .offset = REP(log_was), .max = UCCN_MAX_LOG_LEVEL},
	{.name = "level", .type = F_LINE, .offset = REP(log_level), .max = UCCN_MAX_LOG_LEVEL},
};

#define BACKUP(member) REP(backup.member)
static const struct uccn_field admin_backup_reply[] = {
	{.name = "backup", .type = F_LINE, .offset = BACKUP(id), .max = UCCN_BACKUP_ID_LEN},
	{.name = "ready", .type = F_BOOL, .offset = BACKUP(ready)},
	{.name = "size", .type = F_U64, .offset = BACKUP(size), .max = UINT64_MAX},
	{.name = "offset", .type = F_U64, .offset = BACKUP(offset), .max = UINT64_MAX},
	{.name = "data", .type = F_BIN, .offset = BACKUP(data), .max = UCCN_BACKUP_CHUNK,
	 .flags = FIELD_OPTIONAL},
	{.name = "done", .type = F_BOOL, .offset = BACKUP(done)},
	{.name = "checksum", .type = F_LINE, .offset = BACKUP(checksum),
	 .max = UCCN_BACKUP_CHECKSUM_HEX, .flags = FIELD_OPTIONAL},
	{.name = "manifest", .type = F_STR, .offset = BACKUP(manifest),
	 .max = UCCN_BACKUP_MAX_MANIFEST, .flags = FIELD_OPTIONAL},
	{.name = "last_seq", .type = F_U64, .offset = BACKUP(last_seq), .max = UINT64_MAX,
	 .flags = FIELD_OPTIONAL},
	{.name = "cities", .type = F_U64, .offset = BACKUP(cities), .max = UINT64_MAX,
	 .flags = FIELD_OPTIONAL},
	{.name = "posts", .type = F_U64, .offset = BACKUP(posts), .max = UINT64_MAX,
	 .flags = FIELD_OPTIONAL},
	{.name = "problems", .type = F_U64, .offset = BACKUP(problems), .max = UINT64_MAX,
	 .flags = FIELD_OPTIONAL},
	{.name = "problem", .type = F_STR, .offset = BACKUP(problem),
	 .max = UCCN_BACKUP_MAX_PROBLEM, .flags = FIELD_OPTIONAL},
};

/* ---- the rules of requests, after their fields are read ---- */

static int check_if_version(const struct uccn_request *r, char *err, size_t errlen)
{
	return r->if_version ? 0 : mp_fail(err, errlen, UCCN_E_INVALID,
					   "field 'if_version': must be at least 1");
}

/* The record a request names (r->name): an id, not a path or a phrase. */
static int check_named_id(struct uccn_request *r, char *err, size_t errlen)
{
	return uccn_id_valid(r->name) ? 0 :
		mp_fail(err, errlen, UCCN_E_INVALID, "'%s' is not an id (a-z, 0-9, '-')", r->name);
}

static int check_city_add(struct uccn_request *r, char *err, size_t errlen)
{
	/* The store sets these; a client cannot. */
	r->city.seq = r->city.version = 0;
	return uccn_city_check(&r->city, err, errlen);
}

static int check_city_update(struct uccn_request *r, char *err, size_t errlen)
{
	r->city.seq = r->city.version = 0;
	int rc = check_if_version(r, err, errlen);
	return rc ? rc : uccn_city_check(&r->city, err, errlen);
}

static int check_city_rekey(struct uccn_request *r, char *err, size_t errlen)
{
	return uccn_id_valid(r->city.id) ? 0 :
		mp_fail(err, errlen, UCCN_E_INVALID, "'%s' is not a city id", r->city.id);
}

/* What the server draws for a staged import: so many lower-case hex
 * digits, nothing else. */
static bool import_id_valid(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n == UCCN_IMPORT_ID_HEX && s[n] == '\0';
}

static int check_city_import(struct uccn_request *r, char *err, size_t errlen)
{
	/* Each city obeyed the rules as it was read (the field's item_check). */
	for (size_t i = 0; i < r->ncities; i++)
		r->cities[i].seq = r->cities[i].version = 0;
	if (r->import_id && !import_id_valid(r->import_id))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "field 'import': give the %d lower-case hex digits of a staged import",
			       UCCN_IMPORT_ID_HEX);
	return 0;
}

static int check_city_import_stage(struct uccn_request *r, char *err, size_t errlen)
{
	int rc = check_city_import(r, err, errlen);
	if (!rc && r->discard && !r->import_id)
		rc = mp_fail(err, errlen, UCCN_E_INVALID, "field 'discard': name the 'import' to end");
	return rc;
}

static int check_post(struct uccn_request *r, char *err, size_t errlen)
{
	/* The author is whoever connected; seq and time are the server's. */
	free(r->post.city);
	r->post.city = NULL;
	r->post.seq = 0;
	r->post.created_ms = 0;
	return uccn_post_check(&r->post, err, errlen);
}

static int check_query(struct uccn_request *r, char *err, size_t errlen)
{
	const struct uccn_query *q = &r->query;
	const struct { const char *name, *value; } ids[] = {
		{"city", q->city}, {"project", q->project}, {"meeting", q->meeting},
	};
	if (q->kind && !uccn_post_kind_valid(q->kind))
		return mp_fail(err, errlen, UCCN_E_INVALID, "kind '%s' is not a post kind", q->kind);
	for (size_t i = 0; i < NFIELDS(ids); i++)
		if (ids[i].value && !uccn_id_valid(ids[i].value))
			return mp_fail(err, errlen, UCCN_E_INVALID, "%s '%s' is not a valid id",
				       ids[i].name, ids[i].value);
	return 0;
}

static int check_show(struct uccn_request *r, char *err, size_t errlen)
{
	return r->seq ? 0 : mp_fail(err, errlen, UCCN_E_INVALID, "field 'seq': must be at least 1");
}

static int check_field_add(struct uccn_request *r, char *err, size_t errlen)
{
	return uccn_field_name_valid(r->name) ? 0 :
		mp_fail(err, errlen, UCCN_E_INVALID,
			"field name '%s': use a-z, 0-9 and '_', starting with a letter", r->name);
}

static int check_project_add(struct uccn_request *r, char *err, size_t errlen)
{
	r->project.seq = r->project.version = 0;
	return uccn_project_check(&r->project, err, errlen);
}

static int check_project_update(struct uccn_request *r, char *err, size_t errlen)
{
	r->project.seq = r->project.version = 0;
	int rc = check_if_version(r, err, errlen);
	return rc ? rc : uccn_project_check(&r->project, err, errlen);
}

static int check_meeting_add(struct uccn_request *r, char *err, size_t errlen)
{
	r->meeting.seq = r->meeting.version = 0;
	return uccn_meeting_check(&r->meeting, err, errlen);
}

static int check_meeting_update(struct uccn_request *r, char *err, size_t errlen)
{
	r->meeting.seq = r->meeting.version = 0;
	int rc = check_if_version(r, err, errlen);
	return rc ? rc : uccn_meeting_check(&r->meeting, err, errlen);
}

static int check_agenda_publish(struct uccn_request *r, char *err, size_t errlen)
{
	/* The store numbers and stamps it; the server names who published. */
	r->agenda.version = 0;
	r->agenda.published_ms = 0;
	free(r->agenda.by);
	r->agenda.by = NULL;
	return uccn_id_valid(r->agenda.meeting) ? 0 :
		mp_fail(err, errlen, UCCN_E_INVALID, "field 'meeting': not a meeting id");
}

static int check_city_invite(struct uccn_request *r, char *err, size_t errlen)
{
	int rc = check_named_id(r, err, errlen);
	if (!rc && !r->expires_s)
		r->expires_s = UCCN_INVITE_DEFAULT_S;
	return rc;
}

static int check_city_enrol(struct uccn_request *r, char *err, size_t errlen)
{
	unsigned char secret[UCCN_INVITE_SECRET_LEN];
	if (!uccn_id_valid(r->city.id))
		return mp_fail(err, errlen, UCCN_E_INVALID, "'%s' is not a city id", r->city.id);
	if (uccn_hex_decode(r->secret, secret, sizeof secret))
		return mp_fail(err, errlen, UCCN_E_INVALID, "field 'secret': give %d hex digits",
			       UCCN_INVITE_SECRET_HEX);
	return 0;
}

static int check_admin_log(struct uccn_request *r, char *err, size_t errlen)
{
	static const char *const levels[] = {"error", "warn", "info", "debug"};
	for (size_t i = 0; i < NFIELDS(levels); i++)
		if (strcmp(r->log_level, levels[i]) == 0)
			return 0;
	return mp_fail(err, errlen, UCCN_E_INVALID,
		       "field 'level': '%s' is none of error, warn, info, debug", r->log_level);
}

/* A backup's id is what the server made: hex digits. */
static int check_admin_backup(struct uccn_request *r, char *err, size_t errlen)
{
	if (!r->backup_id)
		return r->offset || r->discard ? mp_fail(err, errlen, UCCN_E_INVALID,
			"fields 'offset' and 'discard': name the backup") : 0;
	for (const char *c = r->backup_id; *c; c++)
		if (!strchr("0123456789abcdef", *c))
			return mp_fail(err, errlen, UCCN_E_INVALID,
				       "field 'backup': '%s' is not a backup id", r->backup_id);
	return 0;
}

/* ---- the table ---- */

#define NONE NULL, 0

static const struct uccn_op_desc ops[] = {
	[UCCN_OP_STATUS] = {UCCN_OP_STATUS, "status", false,
		NONE, LIST(status_reply), NULL},
	[UCCN_OP_CITY_ADD] = {UCCN_OP_CITY_ADD, "city.add", true,
		LIST(city_add_request), LIST(seq_reply), check_city_add},
	[UCCN_OP_CITY_LIST] = {UCCN_OP_CITY_LIST, "city.list", false,
		LIST(city_list_request), LIST(city_list_reply), NULL},
	[UCCN_OP_POST] = {UCCN_OP_POST, "post", true,
		LIST(post_request), LIST(post_reply), check_post},
	[UCCN_OP_LIST] = {UCCN_OP_LIST, "list", false,
		LIST(list_request), LIST(posts_next_reply), check_query},
	[UCCN_OP_SHOW] = {UCCN_OP_SHOW, "show", false,
		LIST(seq_request), LIST(show_reply), check_show},
	[UCCN_OP_FIELD_ADD] = {UCCN_OP_FIELD_ADD, "field.add", true,
		LIST(field_add_request), LIST(seq_reply), check_field_add},
	[UCCN_OP_FIELD_LIST] = {UCCN_OP_FIELD_LIST, "field.list", false,
		NONE, LIST(field_list_reply), NULL},
	[UCCN_OP_CITY_SHOW] = {UCCN_OP_CITY_SHOW, "city.show", false,
		LIST(id_request), LIST(city_show_reply), check_named_id},
	[UCCN_OP_CITY_UPDATE] = {UCCN_OP_CITY_UPDATE, "city.update", true,
		LIST(city_update_request), LIST(seq_version_reply), check_city_update},
	[UCCN_OP_CITY_REKEY] = {UCCN_OP_CITY_REKEY, "city.rekey", true,
		LIST(city_rekey_request), LIST(seq_version_reply), check_city_rekey},
	[UCCN_OP_CITY_IMPORT] = {UCCN_OP_CITY_IMPORT, "city.import", true,
		LIST(city_import_request), LIST(city_import_reply), check_city_import},
	[UCCN_OP_PROJECT_ADD] = {UCCN_OP_PROJECT_ADD, "project.add", true,
		LIST(project_add_request), LIST(seq_version_reply), check_project_add},
	[UCCN_OP_PROJECT_UPDATE] = {UCCN_OP_PROJECT_UPDATE, "project.update", true,
		LIST(project_update_request), LIST(seq_version_reply), check_project_update},
	[UCCN_OP_PROJECT_SHOW] = {UCCN_OP_PROJECT_SHOW, "project.show", false,
		LIST(id_request), LIST(project_show_reply), check_named_id},
	[UCCN_OP_PROJECT_LIST] = {UCCN_OP_PROJECT_LIST, "project.list", false,
		LIST(project_list_request), LIST(project_list_reply), NULL},
	[UCCN_OP_PROJECT_JOIN] = {UCCN_OP_PROJECT_JOIN, "project.join", true,
		LIST(id_request), LIST(seq_version_reply), check_named_id},
	[UCCN_OP_PROJECT_LEAVE] = {UCCN_OP_PROJECT_LEAVE, "project.leave", true,
		LIST(id_request), LIST(seq_version_reply), check_named_id},
	[UCCN_OP_MEETING_ADD] = {UCCN_OP_MEETING_ADD, "meeting.add", true,
		LIST(meeting_add_request), LIST(seq_version_reply), check_meeting_add},
	[UCCN_OP_MEETING_UPDATE] = {UCCN_OP_MEETING_UPDATE, "meeting.update", true,
		LIST(meeting_update_request), LIST(seq_version_reply), check_meeting_update},
	[UCCN_OP_MEETING_SHOW] = {UCCN_OP_MEETING_SHOW, "meeting.show", false,
		LIST(id_request), LIST(meeting_show_reply), check_named_id},
	[UCCN_OP_MEETING_LIST] = {UCCN_OP_MEETING_LIST, "meeting.list", false,
		LIST(meeting_list_request), LIST(meeting_list_reply), NULL},
	[UCCN_OP_INBOX] = {UCCN_OP_INBOX, "inbox", false,
		LIST(inbox_request), LIST(inbox_reply), NULL},
	[UCCN_OP_INBOX_ACK] = {UCCN_OP_INBOX_ACK, "inbox.ack", true,
		LIST(seq_request), LIST(inbox_ack_reply), NULL},
	[UCCN_OP_WATCH] = {UCCN_OP_WATCH, "watch", false,
		LIST(watch_request), LIST(posts_next_reply), check_query},
	[UCCN_OP_AGENDA_PUBLISH] = {UCCN_OP_AGENDA_PUBLISH, "agenda.publish", true,
		LIST(agenda_publish_request), LIST(seq_version_reply), check_agenda_publish},
	[UCCN_OP_AGENDA_GET] = {UCCN_OP_AGENDA_GET, "agenda.get", false,
		LIST(agenda_get_request), LIST(agenda_get_reply), check_named_id},
	[UCCN_OP_CITY_INVITE] = {UCCN_OP_CITY_INVITE, "city.invite", true,
		LIST(city_invite_request), LIST(city_invite_reply), check_city_invite},
	[UCCN_OP_CITY_ENROL] = {UCCN_OP_CITY_ENROL, "city.enrol", true,
		LIST(city_enrol_request), LIST(seq_version_reply), check_city_enrol},
	[UCCN_OP_CITY_IMPORT_STAGE] = {UCCN_OP_CITY_IMPORT_STAGE, "city.import.stage", false,
		LIST(city_import_stage_request), LIST(city_import_stage_reply),
		check_city_import_stage},
	[UCCN_OP_ADMIN_HANDOVER] = {UCCN_OP_ADMIN_HANDOVER, "admin.handover", true,
		LIST(admin_handover_request), LIST(seq_reply), check_named_id},
	[UCCN_OP_ADMIN_LOG] = {UCCN_OP_ADMIN_LOG, "admin.log", false,
		LIST(admin_log_request), LIST(admin_log_reply), check_admin_log},
	[UCCN_OP_ADMIN_BACKUP] = {UCCN_OP_ADMIN_BACKUP, "admin.backup", false,
		LIST(admin_backup_request), LIST(admin_backup_reply), check_admin_backup},
};

_Static_assert(NFIELDS(ops) == UCCN_OP_LAST + 1, "a row for every op, and no more");

const struct uccn_op_desc *uccn_op_desc(enum uccn_op op)
{
	if (op <= UCCN_OP_NONE || op > UCCN_OP_LAST || !ops[op].name)
		return NULL;
	return &ops[op];
}

const char *uccn_op_name(enum uccn_op op)
{
	const struct uccn_op_desc *d = uccn_op_desc(op);
	return d ? d->name : NULL;
}

enum uccn_op uccn_op_from_name(const char *name)
{
	for (size_t i = 1; i < NFIELDS(ops); i++)
		if (ops[i].name && strcmp(ops[i].name, name) == 0)
			return ops[i].op;
	return UCCN_OP_NONE;
}

bool uccn_op_writes(enum uccn_op op)
{
	const struct uccn_op_desc *d = uccn_op_desc(op);
	return d && d->writes;
}
