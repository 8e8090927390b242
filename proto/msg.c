/*
 * msg.c - the request/reply codec: a non-allocating scan of untrusted
 * msgpack, then msgpack-c to decode, then typed reads bounded by
 * uccn_limits.h. Wire layout: proto/SPEC.md.
 */
#include <stdlib.h>
#include <string.h>

#include "mp.h"
#include "uccn_error.h"
#include "uccn_msg.h"

/* ---- ops ---- */

struct op_entry {
	enum uccn_op op;
	const char *name;
	bool writes;
};

static const struct op_entry ops[] = {
	{UCCN_OP_STATUS, "status", false},
	{UCCN_OP_CITY_ADD, "city.add", true},
	{UCCN_OP_CITY_LIST, "city.list", false},
	{UCCN_OP_POST, "post", true},
	{UCCN_OP_LIST, "list", false},
	{UCCN_OP_SHOW, "show", false},
	{UCCN_OP_FIELD_ADD, "field.add", true},
	{UCCN_OP_FIELD_LIST, "field.list", false},
	{UCCN_OP_CITY_SHOW, "city.show", false},
	{UCCN_OP_CITY_UPDATE, "city.update", true},
	{UCCN_OP_CITY_REKEY, "city.rekey", true},
	{UCCN_OP_CITY_IMPORT, "city.import", true},
	{UCCN_OP_PROJECT_ADD, "project.add", true},
	{UCCN_OP_PROJECT_UPDATE, "project.update", true},
	{UCCN_OP_PROJECT_SHOW, "project.show", false},
	{UCCN_OP_PROJECT_LIST, "project.list", false},
	{UCCN_OP_PROJECT_JOIN, "project.join", true},
	{UCCN_OP_PROJECT_LEAVE, "project.leave", true},
	{UCCN_OP_MEETING_ADD, "meeting.add", true},
	{UCCN_OP_MEETING_UPDATE, "meeting.update", true},
	{UCCN_OP_MEETING_SHOW, "meeting.show", false},
	{UCCN_OP_MEETING_LIST, "meeting.list", false},
	{UCCN_OP_INBOX, "inbox", false},
	{UCCN_OP_INBOX_ACK, "inbox.ack", true},
	{UCCN_OP_WATCH, "watch", false},
	{UCCN_OP_AGENDA_PUBLISH, "agenda.publish", true},
	{UCCN_OP_AGENDA_GET, "agenda.get", false},
};

#define NOPS (sizeof ops / sizeof ops[0])

const char *uccn_op_name(enum uccn_op op)
{
	for (size_t i = 0; i < NOPS; i++)
		if (ops[i].op == op)
			return ops[i].name;
	return NULL;
}

enum uccn_op uccn_op_from_name(const char *name)
{
	for (size_t i = 0; i < NOPS; i++)
		if (strcmp(ops[i].name, name) == 0)
			return ops[i].op;
	return UCCN_OP_NONE;
}

bool uccn_op_writes(enum uccn_op op)
{
	for (size_t i = 0; i < NOPS; i++)
		if (ops[i].op == op)
			return ops[i].writes;
	return false;
}

/* ---- clearing ---- */

static void query_clear(struct uccn_query *q)
{
	free(q->kind);
	free(q->city);
	free(q->project);
	free(q->meeting);
	memset(q, 0, sizeof *q);
}

void uccn_request_clear(struct uccn_request *r)
{
	if (!r)
		return;
	uccn_city_clear(&r->city);
	uccn_post_clear(&r->post);
	query_clear(&r->query);
	free(r->name);
	free(r->field);
	free(r->country);
	free(r->status);
	free(r->of_city);
	uccn_project_clear(&r->project);
	uccn_meeting_clear(&r->meeting);
	uccn_agenda_pub_clear(&r->agenda);
	for (size_t i = 0; i < r->ncities; i++)
		uccn_city_clear(&r->cities[i]);
	free(r->cities);
	memset(r, 0, sizeof *r);
}

static void info_clear(struct uccn_status_info *i)
{
	free(i->server);
	free(i->city);
	free(i->role);
	memset(i, 0, sizeof *i);
}

void uccn_reply_clear(struct uccn_reply *r)
{
	if (!r)
		return;
	free(r->message);
	for (size_t i = 0; i < r->nposts; i++)
		uccn_post_clear(&r->posts[i]);
	free(r->posts);
	for (size_t i = 0; i < r->ncities; i++)
		uccn_city_clear(&r->cities[i]);
	free(r->cities);
	for (size_t i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	free(r->fields);
	uccn_agenda_pub_clear(&r->agenda);
	for (size_t i = 0; i < r->nprojects; i++)
		uccn_project_clear(&r->projects[i]);
	free(r->projects);
	for (size_t i = 0; i < r->nmeetings; i++)
		uccn_meeting_clear(&r->meetings[i]);
	free(r->meetings);
	info_clear(&r->info);
	memset(r, 0, sizeof *r);
}

/* ---- the scan ---- */

struct scan {
	const unsigned char *p;
	const unsigned char *end;
	size_t objects;
	size_t max_objects;
	unsigned max_depth;
	char *err;
	size_t errlen;
};

static uint64_t be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static size_t left(const struct scan *s) { return (size_t)(s->end - s->p); }

static int scan_skip(struct scan *s, size_t n)
{
	if (left(s) < n)
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID,
			       "msgpack: truncated at byte %zu", n);
	s->p += n;
	return 0;
}

/* Read an n-byte big-endian length or count after the type byte. */
static int scan_len(struct scan *s, size_t n, uint64_t *out)
{
	if (left(s) < n)
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID, "msgpack: truncated header");
	*out = be(s->p, n);
	s->p += n;
	return 0;
}

static int scan_one(struct scan *s, unsigned depth);

static int scan_container(struct scan *s, uint64_t count, bool is_map,
			  unsigned depth)
{
	uint64_t items = is_map ? count * 2 : count;
	if (depth + 1 > s->max_depth)
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID,
			       "msgpack: nested deeper than %u levels", s->max_depth);
	/* Every element takes at least one byte: a count beyond the bytes that
	 * remain is a lie, refused before anything is allocated for it. */
	if (count > left(s) || items > left(s))
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID,
			       "msgpack: %s of %llu items in %zu bytes",
			       is_map ? "map" : "array", (unsigned long long)count,
			       left(s));
	for (uint64_t i = 0; i < items; i++) {
		int rc = scan_one(s, depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

static int scan_one(struct scan *s, unsigned depth)
{
	uint64_t n = 0;
	int rc;
	if (left(s) < 1)
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID, "msgpack: truncated");
	if (++s->objects > s->max_objects)
		return mp_fail(s->err, s->errlen, UCCN_E_TOOBIG,
			       "msgpack: more than %zu objects", s->max_objects);
	unsigned b = *s->p++;
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return 0;
	if (b >= 0x80 && b <= 0x8f)
		return scan_container(s, b & 0x0f, true, depth);
	if (b >= 0x90 && b <= 0x9f)
		return scan_container(s, b & 0x0f, false, depth);
	if (b >= 0xa0 && b <= 0xbf)
		return scan_skip(s, b & 0x1f);
	switch (b) {
	case 0xc4: case 0xd9: rc = scan_len(s, 1, &n); break;
	case 0xc5: case 0xda: rc = scan_len(s, 2, &n); break;
	case 0xc6: case 0xdb: rc = scan_len(s, 4, &n); break;
	case 0xca: return scan_skip(s, 4);
	case 0xcb: return scan_skip(s, 8);
	case 0xcc: case 0xd0: return scan_skip(s, 1);
	case 0xcd: case 0xd1: return scan_skip(s, 2);
	case 0xce: case 0xd2: return scan_skip(s, 4);
	case 0xcf: case 0xd3: return scan_skip(s, 8);
	case 0xdc:
		if ((rc = scan_len(s, 2, &n)))
			return rc;
		return scan_container(s, n, false, depth);
	case 0xdd:
		if ((rc = scan_len(s, 4, &n)))
			return rc;
		return scan_container(s, n, false, depth);
	case 0xde:
		if ((rc = scan_len(s, 2, &n)))
			return rc;
		return scan_container(s, n, true, depth);
	case 0xdf:
		if ((rc = scan_len(s, 4, &n)))
			return rc;
		return scan_container(s, n, true, depth);
	default: /* 0xc1 (never used), ext and fixext */
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID,
			       "msgpack: type byte 0x%02x is not allowed", b);
	}
	if (rc)
		return rc;
	if (n > left(s))
		return mp_fail(s->err, s->errlen, UCCN_E_INVALID,
			       "msgpack: string of %llu bytes in %zu",
			       (unsigned long long)n, left(s));
	s->p += n;
	return 0;
}

int uccn_msgpack_scan(const void *buf, size_t len, unsigned max_depth,
		      size_t max_objects, char *err, size_t errlen)
{
	struct scan s = {
		.p = buf, .end = (const unsigned char *)buf + len,
		.max_objects = max_objects, .max_depth = max_depth,
		.err = err, .errlen = errlen,
	};
	if (len == 0)
		return mp_fail(err, errlen, UCCN_E_INVALID, "empty frame");
	int rc = scan_one(&s, 0);
	if (rc)
		return rc;
	if (s.p != s.end)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "msgpack: %zu bytes after the message", left(&s));
	return 0;
}

/* Scan, then unpack with msgpack-c into u, which the caller has
 * initialised and destroys. */
static int unpack_bounded(const void *buf, size_t len, size_t max_frame,
			  size_t max_objects, msgpack_unpacked *u, char *err,
			  size_t errlen)
{
	if (len > max_frame)
		return mp_fail(err, errlen, UCCN_E_TOOBIG,
			       "frame of %zu bytes is larger than %zu", len, max_frame);
	int rc = uccn_msgpack_scan(buf, len, UCCN_MAX_DEPTH, max_objects, err, errlen);
	if (rc)
		return rc;
	size_t off = 0;
	msgpack_unpack_return ur = msgpack_unpack_next(u, buf, len, &off);
	if (ur == MSGPACK_UNPACK_NOMEM_ERROR)
		return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
	if (ur != MSGPACK_UNPACK_SUCCESS || off != len)
		return mp_fail(err, errlen, UCCN_E_INVALID, "msgpack: malformed");
	if (u->data.type != MSGPACK_OBJECT_MAP)
		return mp_fail(err, errlen, UCCN_E_INVALID, "the message is not a map");
	return mp_check_map(&u->data, "message", err, errlen);
}

/* ---- requests ---- */

static int pack_header(msgpack_packer *pk, size_t nkeys, uint64_t rid)
{
	if (msgpack_pack_map(pk, nkeys) ||
	    mp_pack_kuint(pk, "v", UCCN_PROTO_VERSION) ||
	    mp_pack_kuint(pk, "rid", rid))
		return UCCN_E_NOMEM;
	return 0;
}

/* Count the non-NULL strings among n. */
static size_t count_set(const char *const *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += s[i] != NULL;
	return c;
}

int uccn_request_encode(const struct uccn_request *r, msgpack_sbuffer *out)
{
	msgpack_packer pk;
	const char *name = uccn_op_name(r->op);
	if (!name)
		return UCCN_E_INVALID;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	const struct uccn_query *q = &r->query;
	const char *qs[] = {q->kind, q->city, q->project, q->meeting};
	const char *qk[] = {"kind", "city", "project", "meeting"};
	size_t extra = 0;
	switch (r->op) {
	case UCCN_OP_CITY_ADD: case UCCN_OP_POST: case UCCN_OP_SHOW:
	case UCCN_OP_FIELD_ADD: case UCCN_OP_CITY_SHOW: case UCCN_OP_CITY_IMPORT:
	case UCCN_OP_PROJECT_ADD: case UCCN_OP_PROJECT_SHOW: case UCCN_OP_PROJECT_JOIN:
	case UCCN_OP_PROJECT_LEAVE: case UCCN_OP_MEETING_ADD: case UCCN_OP_MEETING_SHOW:
		extra = 1;
		break;
	case UCCN_OP_CITY_UPDATE: case UCCN_OP_CITY_REKEY:
	case UCCN_OP_PROJECT_UPDATE: case UCCN_OP_MEETING_UPDATE:
		extra = 2;
		break;
	case UCCN_OP_PROJECT_LIST:
		extra = (r->status != NULL) + (r->field != NULL) + (r->of_city != NULL);
		break;
	case UCCN_OP_MEETING_LIST:
		extra = (r->status != NULL) + (r->field != NULL);
		break;
	case UCCN_OP_CITY_LIST:
		extra = (r->field != NULL) + (r->country != NULL);
		break;
	case UCCN_OP_LIST:
	case UCCN_OP_WATCH:
		extra = count_set(qs, 4) + (q->since != 0) + (q->before != 0) + (q->limit != 0) +
			(r->op == UCCN_OP_WATCH && r->wait_ms != 0);
		break;
	case UCCN_OP_INBOX:
		extra = q->limit != 0;
		break;
	case UCCN_OP_INBOX_ACK:
	case UCCN_OP_AGENDA_PUBLISH:
		extra = 1;
		break;
	case UCCN_OP_AGENDA_GET:
		extra = 1 + (r->seq != 0);
		break;
	default:
		break;
	}
	if (pack_header(&pk, 3 + extra, r->rid) || mp_pack_kstr(&pk, "op", name))
		return UCCN_E_NOMEM;
	int rc = 0;
	switch (r->op) {
	case UCCN_OP_CITY_ADD:
		rc = mp_pack_str(&pk, "city") ? UCCN_E_NOMEM : uccn_city_pack(&pk, &r->city);
		break;
	case UCCN_OP_POST:
		rc = mp_pack_str(&pk, "post") ? UCCN_E_NOMEM : uccn_post_pack(&pk, &r->post);
		break;
	case UCCN_OP_SHOW:
		rc = mp_pack_kuint(&pk, "seq", r->seq);
		break;
	case UCCN_OP_FIELD_ADD:
		rc = mp_pack_kstr(&pk, "name", r->name);
		break;
	case UCCN_OP_CITY_SHOW: case UCCN_OP_PROJECT_SHOW: case UCCN_OP_PROJECT_JOIN:
	case UCCN_OP_PROJECT_LEAVE: case UCCN_OP_MEETING_SHOW:
		rc = mp_pack_kstr(&pk, "id", r->name);
		break;
	case UCCN_OP_PROJECT_ADD:
	case UCCN_OP_PROJECT_UPDATE:
		rc = mp_pack_str(&pk, "project") ? UCCN_E_NOMEM : uccn_project_pack(&pk, &r->project);
		if (!rc && r->op == UCCN_OP_PROJECT_UPDATE)
			rc = mp_pack_kuint(&pk, "if_version", r->if_version);
		break;
	case UCCN_OP_MEETING_ADD:
	case UCCN_OP_MEETING_UPDATE:
		rc = mp_pack_str(&pk, "meeting") ? UCCN_E_NOMEM : uccn_meeting_pack(&pk, &r->meeting);
		if (!rc && r->op == UCCN_OP_MEETING_UPDATE)
			rc = mp_pack_kuint(&pk, "if_version", r->if_version);
		break;
	case UCCN_OP_PROJECT_LIST:
	case UCCN_OP_MEETING_LIST:
		if (r->status)
			rc = mp_pack_kstr(&pk, "status", r->status);
		if (!rc && r->field)
			rc = mp_pack_kstr(&pk, "field", r->field);
		/* Only a project list has a city filter (counted above). */
		if (!rc && r->of_city && r->op == UCCN_OP_PROJECT_LIST)
			rc = mp_pack_kstr(&pk, "city", r->of_city);
		break;
	case UCCN_OP_CITY_UPDATE:
		rc = mp_pack_str(&pk, "city") ? UCCN_E_NOMEM : uccn_city_pack(&pk, &r->city);
		if (!rc)
			rc = mp_pack_kuint(&pk, "if_version", r->if_version);
		break;
	case UCCN_OP_CITY_REKEY:
		rc = mp_pack_kstr(&pk, "id", r->city.id);
		if (!rc)
			rc = mp_pack_kstr(&pk, "key", r->city.key);
		break;
	case UCCN_OP_CITY_LIST:
		if (r->field)
			rc = mp_pack_kstr(&pk, "field", r->field);
		if (!rc && r->country)
			rc = mp_pack_kstr(&pk, "country", r->country);
		break;
	case UCCN_OP_CITY_IMPORT:
		if (mp_pack_str(&pk, "cities") || msgpack_pack_array(&pk, r->ncities))
			return UCCN_E_NOMEM;
		for (size_t i = 0; i < r->ncities && !rc; i++)
			rc = uccn_city_pack(&pk, &r->cities[i]);
		break;
	case UCCN_OP_LIST:
	case UCCN_OP_WATCH:
		for (size_t i = 0; i < 4 && !rc; i++)
			if (qs[i])
				rc = mp_pack_kstr(&pk, qk[i], qs[i]);
		if (!rc && q->since)
			rc = mp_pack_kuint(&pk, "since", q->since);
		if (!rc && q->before)
			rc = mp_pack_kuint(&pk, "before", q->before);
		if (!rc && q->limit)
			rc = mp_pack_kuint(&pk, "limit", q->limit);
		if (!rc && r->op == UCCN_OP_WATCH && r->wait_ms)
			rc = mp_pack_kuint(&pk, "wait", r->wait_ms);
		break;
	case UCCN_OP_INBOX:
		if (q->limit)
			rc = mp_pack_kuint(&pk, "limit", q->limit);
		break;
	case UCCN_OP_INBOX_ACK:
		rc = mp_pack_kuint(&pk, "seq", r->seq);
		break;
	case UCCN_OP_AGENDA_PUBLISH:
		rc = mp_pack_str(&pk, "agenda") ? UCCN_E_NOMEM : uccn_agenda_pub_pack(&pk, &r->agenda);
		break;
	case UCCN_OP_AGENDA_GET:
		rc = mp_pack_kstr(&pk, "id", r->name);
		if (!rc && r->seq)
			rc = mp_pack_kuint(&pk, "version", r->seq);
		break;
	default:
		break;
	}
	return rc;
}

/* Find key in map m; NULL when absent. */
static const msgpack_object *map_get(const msgpack_object *m, const char *key)
{
	for (uint32_t i = 0; i < m->via.map.size; i++)
		if (mp_key_is(&m->via.map.ptr[i].key, key))
			return &m->via.map.ptr[i].val;
	return NULL;
}

static int read_header(const msgpack_object *m, uint64_t *rid, char *err,
		       size_t errlen)
{
	const msgpack_object *v = map_get(m, "v");
	const msgpack_object *r = map_get(m, "rid");
	uint64_t ver = 0;
	int rc;
	if (r && (rc = mp_read_uint(r, "rid", UINT64_MAX, rid, err, errlen)))
		return rc;
	if (!v)
		return mp_fail(err, errlen, UCCN_E_INVALID, "field 'v' (protocol version) is missing");
	if ((rc = mp_read_uint(v, "v", UINT32_MAX, &ver, err, errlen)))
		return rc;
	if (ver != UCCN_PROTO_VERSION)
		return mp_fail(err, errlen, UCCN_E_VERSION,
			       "protocol version %llu is not supported (this server speaks %d)",
			       (unsigned long long)ver, UCCN_PROTO_VERSION);
	return 0;
}

static int decode_query(const msgpack_object *m, struct uccn_query *q,
			char *err, size_t errlen)
{
	static const char *const names[] = {"kind", "city", "project", "meeting"};
	char **dst[] = {&q->kind, &q->city, &q->project, &q->meeting};
	const msgpack_object *v;
	uint64_t u = 0;
	int rc;
	for (size_t i = 0; i < 4; i++) {
		if ((v = map_get(m, names[i])) &&
		    (rc = mp_read_str(v, names[i], UCCN_MAX_ID, true, dst[i], err, errlen)))
			return rc;
	}
	if (q->kind && !uccn_post_kind_valid(q->kind))
		return mp_fail(err, errlen, UCCN_E_INVALID, "kind '%s' is not a post kind", q->kind);
	for (size_t i = 1; i < 4; i++)
		if (*dst[i] && !uccn_id_valid(*dst[i]))
			return mp_fail(err, errlen, UCCN_E_INVALID,
				       "%s '%s' is not a valid id", names[i], *dst[i]);
	if ((v = map_get(m, "since")) &&
	    (rc = mp_read_uint(v, "since", UINT64_MAX, &q->since, err, errlen)))
		return rc;
	if ((v = map_get(m, "before")) &&
	    (rc = mp_read_uint(v, "before", UINT64_MAX, &q->before, err, errlen)))
		return rc;
	if ((v = map_get(m, "limit"))) {
		if ((rc = mp_read_uint(v, "limit", UCCN_LIST_MAX, &u, err, errlen)))
			return rc;
		q->limit = (uint32_t)u;
	}
	return 0;
}

static int read_required_str(const msgpack_object *m, const char *key, size_t max,
			     char **out, char *err, size_t errlen)
{
	const msgpack_object *v = map_get(m, key);
	if (!v || v->type == MSGPACK_OBJECT_NIL)
		return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s' is missing", key);
	return mp_read_str(v, key, max, true, out, err, errlen);
}

/* The version an update names: required, at least 1. */
static int read_if_version(const msgpack_object *m, uint64_t *out, char *err,
			   size_t errlen)
{
	const msgpack_object *v = map_get(m, "if_version");
	int rc;
	if (!v)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "field 'if_version' is missing: say which version you read");
	if ((rc = mp_read_uint(v, "if_version", UINT64_MAX, out, err, errlen)))
		return rc;
	return *out ? 0 : mp_fail(err, errlen, UCCN_E_INVALID, "field 'if_version': must be at least 1");
}

/* A required id (the record a request names). */
static int read_id(const msgpack_object *m, char **out, char *err, size_t errlen)
{
	int rc = read_required_str(m, "id", UCCN_MAX_ID, out, err, errlen);
	if (rc)
		return rc;
	return uccn_id_valid(*out) ? 0 :
		mp_fail(err, errlen, UCCN_E_INVALID, "'%s' is not an id (a-z, 0-9, '-')", *out);
}

/* Optional list filters: status, field and, for projects, city. */
static int read_filters(const msgpack_object *m, struct uccn_request *r,
			char *err, size_t errlen)
{
	const msgpack_object *v;
	int rc;
	if ((v = map_get(m, "status")) &&
	    (rc = mp_read_str(v, "status", UCCN_MAX_STATUS, true, &r->status, err, errlen)))
		return rc;
	if ((v = map_get(m, "field")) &&
	    (rc = mp_read_str(v, "field", UCCN_MAX_FIELD, true, &r->field, err, errlen)))
		return rc;
	if (r->op == UCCN_OP_PROJECT_LIST && (v = map_get(m, "city")) &&
	    (rc = mp_read_str(v, "city", UCCN_MAX_ID, true, &r->of_city, err, errlen)))
		return rc;
	return 0;
}

static int decode_request_body(const msgpack_object *m, struct uccn_request *r,
			       char *err, size_t errlen)
{
	const msgpack_object *v;
	int rc;
	switch (r->op) {
	case UCCN_OP_CITY_ADD:
		if (!(v = map_get(m, "city")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'city' is missing");
		if ((rc = uccn_city_from_object(v, &r->city, err, errlen)))
			return rc;
		/* The store sets these; a client cannot. */
		r->city.seq = 0;
		r->city.version = 0;
		return uccn_city_check(&r->city, err, errlen);
	case UCCN_OP_POST:
		if (!(v = map_get(m, "post")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'post' is missing");
		if ((rc = uccn_post_from_object(v, &r->post, err, errlen)))
			return rc;
		/* The author is whoever connected; seq and time are the server's. */
		free(r->post.city);
		r->post.city = NULL;
		r->post.seq = 0;
		r->post.created_ms = 0;
		return uccn_post_check(&r->post, err, errlen);
	case UCCN_OP_LIST:
		return decode_query(m, &r->query, err, errlen);
	case UCCN_OP_INBOX: {
		/* A limit and nothing else: filters are not an inbox's (the
		 * encoder sends none, so they would not survive a round trip). */
		uint64_t limit = 0;
		if ((v = map_get(m, "limit")) &&
		    (rc = mp_read_uint(v, "limit", UCCN_LIST_MAX, &limit, err, errlen)))
			return rc;
		r->query.limit = (uint32_t)limit;
		return 0;
	}
	case UCCN_OP_WATCH: {
		uint64_t wait = 0;
		if ((rc = decode_query(m, &r->query, err, errlen)))
			return rc;
		if ((v = map_get(m, "wait")) &&
		    (rc = mp_read_uint(v, "wait", UCCN_WATCH_MAX_WAIT_MS, &wait, err, errlen)))
			return rc;
		r->wait_ms = (uint32_t)wait;
		return 0;
	}
	case UCCN_OP_INBOX_ACK:
		if (!(v = map_get(m, "seq")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'seq' is missing");
		return mp_read_uint(v, "seq", UINT64_MAX, &r->seq, err, errlen);
	case UCCN_OP_AGENDA_PUBLISH:
		if (!(v = map_get(m, "agenda")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'agenda' is missing");
		if ((rc = uccn_agenda_pub_from_object(v, &r->agenda, err, errlen)))
			return rc;
		/* The store numbers and stamps it; the server names who published. */
		r->agenda.version = 0;
		r->agenda.published_ms = 0;
		free(r->agenda.by);
		r->agenda.by = NULL;
		if (!uccn_id_valid(r->agenda.meeting))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'meeting': not a meeting id");
		return 0;
	case UCCN_OP_AGENDA_GET:
		if ((rc = read_id(m, &r->name, err, errlen)))
			return rc;
		if ((v = map_get(m, "version")))
			return mp_read_uint(v, "version", UINT64_MAX, &r->seq, err, errlen);
		return 0;
	case UCCN_OP_SHOW:
		if (!(v = map_get(m, "seq")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'seq' is missing");
		if ((rc = mp_read_uint(v, "seq", UINT64_MAX, &r->seq, err, errlen)))
			return rc;
		if (r->seq == 0)
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'seq': must be at least 1");
		return 0;
	case UCCN_OP_FIELD_ADD:
		if ((rc = read_required_str(m, "name", UCCN_MAX_FIELD, &r->name, err, errlen)))
			return rc;
		if (!uccn_field_name_valid(r->name))
			return mp_fail(err, errlen, UCCN_E_INVALID,
				       "field name '%s': use a-z, 0-9 and '_', starting with a letter", r->name);
		return 0;
	case UCCN_OP_CITY_SHOW: case UCCN_OP_PROJECT_SHOW: case UCCN_OP_PROJECT_JOIN:
	case UCCN_OP_PROJECT_LEAVE: case UCCN_OP_MEETING_SHOW:
		return read_id(m, &r->name, err, errlen);
	case UCCN_OP_PROJECT_LIST:
	case UCCN_OP_MEETING_LIST:
		return read_filters(m, r, err, errlen);
	case UCCN_OP_PROJECT_ADD:
	case UCCN_OP_PROJECT_UPDATE:
		if (!(v = map_get(m, "project")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'project' is missing");
		if ((rc = uccn_project_from_object(v, &r->project, err, errlen)))
			return rc;
		r->project.seq = r->project.version = 0;
		if (r->op == UCCN_OP_PROJECT_UPDATE &&
		    (rc = read_if_version(m, &r->if_version, err, errlen)))
			return rc;
		return uccn_project_check(&r->project, err, errlen);
	case UCCN_OP_MEETING_ADD:
	case UCCN_OP_MEETING_UPDATE:
		if (!(v = map_get(m, "meeting")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'meeting' is missing");
		if ((rc = uccn_meeting_from_object(v, &r->meeting, err, errlen)))
			return rc;
		r->meeting.seq = r->meeting.version = 0;
		if (r->op == UCCN_OP_MEETING_UPDATE &&
		    (rc = read_if_version(m, &r->if_version, err, errlen)))
			return rc;
		return uccn_meeting_check(&r->meeting, err, errlen);
	case UCCN_OP_CITY_UPDATE:
		if (!(v = map_get(m, "city")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'city' is missing");
		if ((rc = uccn_city_from_object(v, &r->city, err, errlen)))
			return rc;
		r->city.seq = 0;
		r->city.version = 0;
		if ((rc = read_if_version(m, &r->if_version, err, errlen)))
			return rc;
		return uccn_city_check(&r->city, err, errlen);
	case UCCN_OP_CITY_REKEY: {
		char *key = NULL;
		if ((rc = read_required_str(m, "id", UCCN_MAX_ID, &r->city.id, err, errlen)) ||
		    (rc = read_required_str(m, "key", UCCN_KEY_Z85_LEN, &key, err, errlen)))
			return rc;
		bool ok = uccn_key_z85_valid(key);
		if (ok)
			memcpy(r->city.key, key, sizeof r->city.key);
		free(key);
		if (!uccn_id_valid(r->city.id))
			return mp_fail(err, errlen, UCCN_E_INVALID, "'%s' is not a city id", r->city.id);
		return ok ? 0 : mp_fail(err, errlen, UCCN_E_INVALID,
					"field 'key': not a Z85 public key of 40 characters");
	}
	case UCCN_OP_CITY_LIST:
		if ((v = map_get(m, "field")) &&
		    (rc = mp_read_str(v, "field", UCCN_MAX_FIELD, true, &r->field, err, errlen)))
			return rc;
		if ((v = map_get(m, "country")) &&
		    (rc = mp_read_str(v, "country", UCCN_MAX_COUNTRY, true, &r->country, err, errlen)))
			return rc;
		return 0;
	case UCCN_OP_CITY_IMPORT:
		if (!(v = map_get(m, "cities")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'cities' is missing");
		if (v->type != MSGPACK_OBJECT_ARRAY)
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'cities': not an array");
		if (v->via.array.size > UCCN_MAX_IMPORT)
			return mp_fail(err, errlen, UCCN_E_TOOBIG,
				       "%u cities in one import; at most %d",
				       v->via.array.size, UCCN_MAX_IMPORT);
		if (v->via.array.size == 0)
			return 0;
		if (!(r->cities = calloc(v->via.array.size, sizeof *r->cities)))
			return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
		for (uint32_t i = 0; i < v->via.array.size; i++) {
			char why[256];
			rc = uccn_city_from_object(&v->via.array.ptr[i], &r->cities[i], why, sizeof why);
			if (!rc) {
				r->ncities++; /* owned from here on, freed by clear */
				rc = uccn_city_check(&r->cities[i], why, sizeof why);
			}
			if (rc)
				return mp_fail(err, errlen, rc, "city %u of the import: %s", i + 1, why);
			r->cities[i].seq = r->cities[i].version = 0;
		}
		return 0;
	default:
		return 0;
	}
}

int uccn_request_decode(const void *buf, size_t len, struct uccn_request *out,
			char *err, size_t errlen)
{
	msgpack_unpacked u;
	char *opname = NULL;
	uint64_t rid = 0;
	const msgpack_object *v;
	memset(out, 0, sizeof *out);
	msgpack_unpacked_init(&u);
	int rc = unpack_bounded(buf, len, UCCN_MAX_REQUEST_FRAME,
				UCCN_MAX_REQUEST_OBJECTS, &u, err, errlen);
	if (rc)
		goto done;
	rc = read_header(&u.data, &rid, err, errlen);
	if (rc)
		goto done;
	if (!(v = map_get(&u.data, "op"))) {
		rc = mp_fail(err, errlen, UCCN_E_INVALID, "field 'op' is missing");
		goto done;
	}
	if ((rc = mp_read_str(v, "op", UCCN_MAX_OP, true, &opname, err, errlen)))
		goto done;
	if (!opname || (out->op = uccn_op_from_name(opname)) == UCCN_OP_NONE) {
		rc = mp_fail(err, errlen, UCCN_E_UNKNOWN_OP, "unknown operation '%s'",
			     opname ? opname : "");
		goto done;
	}
	out->rid = rid;
	rc = decode_request_body(&u.data, out, err, errlen);
done:
	msgpack_unpacked_destroy(&u);
	free(opname);
	if (rc) {
		uccn_request_clear(out);
		out->rid = rid;
	}
	return rc;
}

/* ---- replies ---- */

static int encode_info(msgpack_packer *pk, const struct uccn_status_info *i)
{
	if (mp_pack_kstr(pk, "server", i->server) ||
	    mp_pack_kuint(pk, "proto", i->proto) ||
	    mp_pack_kstr(pk, "city", i->city) ||
	    mp_pack_kstr(pk, "role", i->role) ||
	    mp_pack_kuint(pk, "cities", i->cities) ||
	    mp_pack_kuint(pk, "posts", i->posts) ||
	    mp_pack_kuint(pk, "last_seq", i->last_seq) ||
	    mp_pack_kuint(pk, "uptime", i->uptime_s) ||
	    mp_pack_kuint(pk, "unread", i->unread) ||
	    mp_pack_kuint(pk, "mailboxes", i->mailboxes))
		return UCCN_E_NOMEM;
	return 0;
}

int uccn_reply_encode(const struct uccn_reply *r, msgpack_sbuffer *out)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	if (r->status != 0) {
		if (pack_header(&pk, 5 + (r->error_index != 0), r->rid) ||
		    mp_pack_kbool(&pk, "ok", false) ||
		    mp_pack_kstr(&pk, "error", uccn_error_name(r->status)) ||
		    mp_pack_kstr(&pk, "message",
				 r->message ? r->message : uccn_strerror(r->status)) ||
		    (r->error_index && mp_pack_kuint(&pk, "index", r->error_index)))
			return UCCN_E_NOMEM;
		return 0;
	}
	size_t extra;
	switch (r->op) {
	case UCCN_OP_STATUS: extra = 10; break;
	case UCCN_OP_WATCH: case UCCN_OP_INBOX: case UCCN_OP_INBOX_ACK: extra = 2; break;
	case UCCN_OP_AGENDA_PUBLISH: extra = 2; break;
	case UCCN_OP_AGENDA_GET: extra = 1; break;
	case UCCN_OP_CITY_ADD: extra = 1; break;
	case UCCN_OP_CITY_LIST: extra = 1; break;
	case UCCN_OP_POST: extra = 3; break;
	case UCCN_OP_LIST: extra = 2; break;
	case UCCN_OP_SHOW: extra = 1; break;
	case UCCN_OP_FIELD_ADD: extra = 1; break;
	case UCCN_OP_FIELD_LIST: extra = 1; break;
	case UCCN_OP_CITY_SHOW: extra = 1; break;
	case UCCN_OP_CITY_UPDATE: case UCCN_OP_CITY_REKEY: extra = 2; break;
	case UCCN_OP_CITY_IMPORT: extra = 3; break;
	case UCCN_OP_PROJECT_ADD: case UCCN_OP_PROJECT_UPDATE: case UCCN_OP_PROJECT_JOIN:
	case UCCN_OP_PROJECT_LEAVE: case UCCN_OP_MEETING_ADD: case UCCN_OP_MEETING_UPDATE:
		extra = 2;
		break;
	case UCCN_OP_PROJECT_SHOW: case UCCN_OP_PROJECT_LIST:
	case UCCN_OP_MEETING_SHOW: case UCCN_OP_MEETING_LIST:
		extra = 1;
		break;
	default: return UCCN_E_INVALID;
	}
	if (pack_header(&pk, 3 + extra, r->rid) || mp_pack_kbool(&pk, "ok", true))
		return UCCN_E_NOMEM;
	int rc = 0;
	switch (r->op) {
	case UCCN_OP_STATUS:
		rc = encode_info(&pk, &r->info);
		break;
	case UCCN_OP_CITY_ADD:
	case UCCN_OP_FIELD_ADD:
		rc = mp_pack_kuint(&pk, "seq", r->seq);
		break;
	case UCCN_OP_FIELD_LIST:
		if (mp_pack_str(&pk, "fields") || msgpack_pack_array(&pk, r->nfields))
			return UCCN_E_NOMEM;
		for (size_t i = 0; i < r->nfields && !rc; i++)
			rc = mp_pack_str(&pk, r->fields[i]);
		break;
	case UCCN_OP_CITY_SHOW:
		if (r->ncities != 1)
			return UCCN_E_INVALID;
		rc = mp_pack_str(&pk, "city") ? UCCN_E_NOMEM : uccn_city_pack(&pk, &r->cities[0]);
		break;
	case UCCN_OP_CITY_UPDATE: case UCCN_OP_CITY_REKEY:
	case UCCN_OP_PROJECT_ADD: case UCCN_OP_PROJECT_UPDATE: case UCCN_OP_PROJECT_JOIN:
	case UCCN_OP_PROJECT_LEAVE: case UCCN_OP_MEETING_ADD: case UCCN_OP_MEETING_UPDATE:
		rc = mp_pack_kuint(&pk, "seq", r->seq) || mp_pack_kuint(&pk, "version", r->version)
			? UCCN_E_NOMEM : 0;
		break;
	case UCCN_OP_PROJECT_SHOW:
		if (r->nprojects != 1)
			return UCCN_E_INVALID;
		rc = mp_pack_str(&pk, "project") ? UCCN_E_NOMEM : uccn_project_pack(&pk, &r->projects[0]);
		break;
	case UCCN_OP_MEETING_SHOW:
		if (r->nmeetings != 1)
			return UCCN_E_INVALID;
		rc = mp_pack_str(&pk, "meeting") ? UCCN_E_NOMEM : uccn_meeting_pack(&pk, &r->meetings[0]);
		break;
	case UCCN_OP_PROJECT_LIST:
		if (mp_pack_str(&pk, "projects") || msgpack_pack_array(&pk, r->nprojects))
			return UCCN_E_NOMEM;
		for (size_t i = 0; i < r->nprojects && !rc; i++)
			rc = uccn_project_pack(&pk, &r->projects[i]);
		break;
	case UCCN_OP_MEETING_LIST:
		if (mp_pack_str(&pk, "meetings") || msgpack_pack_array(&pk, r->nmeetings))
			return UCCN_E_NOMEM;
		for (size_t i = 0; i < r->nmeetings && !rc; i++)
			rc = uccn_meeting_pack(&pk, &r->meetings[i]);
		break;
	case UCCN_OP_CITY_IMPORT:
		rc = mp_pack_kuint(&pk, "added", r->added) ||
		     mp_pack_kuint(&pk, "updated", r->updated) ||
		     mp_pack_kuint(&pk, "unchanged", r->unchanged) ? UCCN_E_NOMEM : 0;
		break;
	case UCCN_OP_CITY_LIST:
		if (mp_pack_str(&pk, "cities") || msgpack_pack_array(&pk, r->ncities))
			return UCCN_E_NOMEM;
		for (size_t i = 0; i < r->ncities && !rc; i++)
			rc = uccn_city_pack(&pk, &r->cities[i]);
		break;
	case UCCN_OP_POST:
		if (mp_pack_kuint(&pk, "seq", r->seq) ||
		    mp_pack_kbool(&pk, "duplicate", r->duplicate) ||
		    mp_pack_kint(&pk, "created", r->created_ms))
			return UCCN_E_NOMEM;
		break;
	case UCCN_OP_LIST:
	case UCCN_OP_WATCH:
	case UCCN_OP_INBOX:
		if (mp_pack_str(&pk, "posts") || msgpack_pack_array(&pk, r->nposts))
			return UCCN_E_NOMEM;
		for (size_t i = 0; i < r->nposts && !rc; i++)
			rc = uccn_post_pack(&pk, &r->posts[i]);
		if (!rc)
			rc = r->op == UCCN_OP_INBOX ? mp_pack_kuint(&pk, "unread", r->unread)
						    : mp_pack_kuint(&pk, "next", r->next);
		break;
	case UCCN_OP_INBOX_ACK:
		rc = mp_pack_kuint(&pk, "acked", r->acked) || mp_pack_kuint(&pk, "unread", r->unread)
			? UCCN_E_NOMEM : 0;
		break;
	case UCCN_OP_AGENDA_PUBLISH:
		rc = mp_pack_kuint(&pk, "seq", r->seq) || mp_pack_kuint(&pk, "version", r->version)
			? UCCN_E_NOMEM : 0;
		break;
	case UCCN_OP_AGENDA_GET:
		if (!r->has_agenda)
			return UCCN_E_INVALID;
		rc = mp_pack_str(&pk, "agenda") ? UCCN_E_NOMEM : uccn_agenda_pub_pack(&pk, &r->agenda);
		break;
	case UCCN_OP_SHOW:
		if (r->nposts != 1)
			return UCCN_E_INVALID;
		rc = mp_pack_str(&pk, "post") ? UCCN_E_NOMEM : uccn_post_pack(&pk, &r->posts[0]);
		break;
	default:
		break;
	}
	return rc;
}

static int decode_info(const msgpack_object *m, struct uccn_status_info *i,
		       char *err, size_t errlen)
{
	struct { const char *name; uint64_t *dst; } nums[] = {
		{"cities", &i->cities}, {"posts", &i->posts},
		{"last_seq", &i->last_seq}, {"uptime", &i->uptime_s},
		{"unread", &i->unread}, {"mailboxes", &i->mailboxes},
	};
	struct { const char *name; char **dst; } strs[] = {
		{"server", &i->server}, {"city", &i->city}, {"role", &i->role},
	};
	const msgpack_object *v;
	uint64_t proto = 0;
	int rc;
	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
		if ((v = map_get(m, nums[k].name)) &&
		    (rc = mp_read_uint(v, nums[k].name, UINT64_MAX, nums[k].dst, err, errlen)))
			return rc;
	for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++)
		if ((v = map_get(m, strs[k].name)) &&
		    (rc = mp_read_str(v, strs[k].name, UCCN_MAX_SERVER, true, strs[k].dst, err, errlen)))
			return rc;
	if ((v = map_get(m, "proto")) &&
	    (rc = mp_read_uint(v, "proto", UINT32_MAX, &proto, err, errlen)))
		return rc;
	i->proto = (uint32_t)proto;
	return 0;
}

static int decode_array(const msgpack_object *v, const char *name, size_t elem,
			void **out, size_t *n, char *err, size_t errlen)
{
	if (v->type != MSGPACK_OBJECT_ARRAY)
		return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s': not an array", name);
	*n = 0;
	if (v->via.array.size == 0)
		return 0;
	*out = calloc(v->via.array.size, elem);
	return *out ? 0 : mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
}

typedef int (*record_from_fn)(const msgpack_object *o, void *out, char *err,
			      size_t errlen);

static int project_from(const msgpack_object *o, void *out, char *err, size_t errlen)
{
	return uccn_project_from_object(o, out, err, errlen);
}

static int meeting_from(const msgpack_object *o, void *out, char *err, size_t errlen)
{
	return uccn_meeting_from_object(o, out, err, errlen);
}

/* Reply key `name` holding one record: *out gets a one-element array. */
static int decode_one(const msgpack_object *m, const char *name, size_t elem,
		      void **out, size_t *n, record_from_fn from, char *err, size_t errlen)
{
	const msgpack_object *v = map_get(m, name);
	if (!v)
		return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s' is missing", name);
	if (!(*out = calloc(1, elem)))
		return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
	int rc = from(v, *out, err, errlen);
	if (!rc)
		*n = 1;
	return rc;
}

/* Reply key `name` holding an array of records. */
static int decode_many(const msgpack_object *m, const char *name, size_t elem,
		       void **out, size_t *n, record_from_fn from, char *err, size_t errlen)
{
	const msgpack_object *v = map_get(m, name);
	int rc;
	if (!v)
		return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s' is missing", name);
	if ((rc = decode_array(v, name, elem, out, n, err, errlen)))
		return rc;
	for (uint32_t i = 0; i < v->via.array.size; i++) {
		if ((rc = from(&v->via.array.ptr[i], (char *)*out + i * elem, err, errlen)))
			return rc;
		(*n)++;
	}
	return 0;
}

static int decode_reply_body(const msgpack_object *m, struct uccn_reply *r,
			     char *err, size_t errlen)
{
	const msgpack_object *v;
	int rc = 0;
	int64_t created = 0;
	switch (r->op) {
	case UCCN_OP_STATUS:
		return decode_info(m, &r->info, err, errlen);
	case UCCN_OP_FIELD_LIST:
		if (!(v = map_get(m, "fields")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'fields' is missing");
		if ((rc = decode_array(v, "fields", sizeof *r->fields,
				       (void **)&r->fields, &r->nfields, err, errlen)))
			return rc;
		for (uint32_t i = 0; i < v->via.array.size; i++) {
			if ((rc = mp_read_str(&v->via.array.ptr[i], "fields", UCCN_MAX_FIELD, true,
					      &r->fields[i], err, errlen)))
				return rc;
			r->nfields++;
			if (!r->fields[i])
				return mp_fail(err, errlen, UCCN_E_INVALID, "field 'fields': nil");
		}
		return 0;
	case UCCN_OP_CITY_SHOW:
		if (!(v = map_get(m, "city")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'city' is missing");
		if (!(r->cities = calloc(1, sizeof *r->cities)))
			return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
		if ((rc = uccn_city_from_object(v, &r->cities[0], err, errlen)))
			return rc;
		r->ncities = 1;
		return 0;
	case UCCN_OP_CITY_IMPORT: {
		struct { const char *name; uint64_t *dst; } nums[] = {
			{"added", &r->added}, {"updated", &r->updated}, {"unchanged", &r->unchanged},
		};
		for (size_t k = 0; k < 3; k++)
			if ((v = map_get(m, nums[k].name)) &&
			    (rc = mp_read_uint(v, nums[k].name, UINT64_MAX, nums[k].dst, err, errlen)))
				return rc;
		return 0;
	}
	case UCCN_OP_PROJECT_SHOW:
		return decode_one(m, "project", sizeof *r->projects, (void **)&r->projects,
				  &r->nprojects, project_from, err, errlen);
	case UCCN_OP_MEETING_SHOW:
		return decode_one(m, "meeting", sizeof *r->meetings, (void **)&r->meetings,
				  &r->nmeetings, meeting_from, err, errlen);
	case UCCN_OP_PROJECT_LIST:
		return decode_many(m, "projects", sizeof *r->projects, (void **)&r->projects,
				   &r->nprojects, project_from, err, errlen);
	case UCCN_OP_MEETING_LIST:
		return decode_many(m, "meetings", sizeof *r->meetings, (void **)&r->meetings,
				   &r->nmeetings, meeting_from, err, errlen);
	case UCCN_OP_CITY_UPDATE: case UCCN_OP_CITY_REKEY:
	case UCCN_OP_PROJECT_ADD: case UCCN_OP_PROJECT_UPDATE: case UCCN_OP_PROJECT_JOIN:
	case UCCN_OP_PROJECT_LEAVE: case UCCN_OP_MEETING_ADD: case UCCN_OP_MEETING_UPDATE:
		if ((v = map_get(m, "version")) &&
		    (rc = mp_read_uint(v, "version", UINT64_MAX, &r->version, err, errlen)))
			return rc;
		__attribute__((fallthrough)); /* then seq, as for a post */
	case UCCN_OP_FIELD_ADD:
	case UCCN_OP_CITY_ADD:
	case UCCN_OP_POST:
		if ((v = map_get(m, "seq")) &&
		    (rc = mp_read_uint(v, "seq", UINT64_MAX, &r->seq, err, errlen)))
			return rc;
		if ((v = map_get(m, "duplicate")) &&
		    (rc = mp_read_bool(v, "duplicate", &r->duplicate, err, errlen)))
			return rc;
		if ((v = map_get(m, "created")) &&
		    (rc = mp_read_int(v, "created", 0, INT64_MAX, &created, err, errlen)))
			return rc;
		r->created_ms = created;
		return 0;
	case UCCN_OP_CITY_LIST:
		if (!(v = map_get(m, "cities")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'cities' is missing");
		if ((rc = decode_array(v, "cities", sizeof *r->cities,
				       (void **)&r->cities, &r->ncities, err, errlen)))
			return rc;
		for (uint32_t i = 0; i < v->via.array.size; i++) {
			if ((rc = uccn_city_from_object(&v->via.array.ptr[i], &r->cities[i], err, errlen)))
				return rc;
			r->ncities++;
		}
		return 0;
	case UCCN_OP_AGENDA_PUBLISH:
		if ((v = map_get(m, "seq")) &&
		    (rc = mp_read_uint(v, "seq", UINT64_MAX, &r->seq, err, errlen)))
			return rc;
		if ((v = map_get(m, "version")) &&
		    (rc = mp_read_uint(v, "version", UINT64_MAX, &r->version, err, errlen)))
			return rc;
		return 0;
	case UCCN_OP_AGENDA_GET:
		if (!(v = map_get(m, "agenda")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'agenda' is missing");
		if ((rc = uccn_agenda_pub_from_object(v, &r->agenda, err, errlen)))
			return rc;
		r->has_agenda = true;
		return 0;
	case UCCN_OP_INBOX_ACK:
		if ((v = map_get(m, "acked")) &&
		    (rc = mp_read_uint(v, "acked", UINT64_MAX, &r->acked, err, errlen)))
			return rc;
		if ((v = map_get(m, "unread")) &&
		    (rc = mp_read_uint(v, "unread", UINT64_MAX, &r->unread, err, errlen)))
			return rc;
		return 0;
	case UCCN_OP_LIST:
	case UCCN_OP_WATCH:
	case UCCN_OP_INBOX:
		if ((v = map_get(m, "next")) &&
		    (rc = mp_read_uint(v, "next", UINT64_MAX, &r->next, err, errlen)))
			return rc;
		if ((v = map_get(m, "unread")) &&
		    (rc = mp_read_uint(v, "unread", UINT64_MAX, &r->unread, err, errlen)))
			return rc;
		if (!(v = map_get(m, "posts")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'posts' is missing");
		if ((rc = decode_array(v, "posts", sizeof *r->posts,
				       (void **)&r->posts, &r->nposts, err, errlen)))
			return rc;
		for (uint32_t i = 0; i < v->via.array.size; i++) {
			if ((rc = uccn_post_from_object(&v->via.array.ptr[i], &r->posts[i], err, errlen)))
				return rc;
			r->nposts++;
		}
		return 0;
	case UCCN_OP_SHOW:
		if (!(v = map_get(m, "post")))
			return mp_fail(err, errlen, UCCN_E_INVALID, "field 'post' is missing");
		if (!(r->posts = calloc(1, sizeof *r->posts)))
			return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
		if ((rc = uccn_post_from_object(v, &r->posts[0], err, errlen)))
			return rc;
		r->nposts = 1;
		return 0;
	default:
		return mp_fail(err, errlen, UCCN_E_INVALID, "unknown operation");
	}
}

int uccn_reply_decode(const void *buf, size_t len, enum uccn_op op,
		      struct uccn_reply *out, char *err, size_t errlen)
{
	msgpack_unpacked u;
	const msgpack_object *v;
	bool ok = false;
	memset(out, 0, sizeof *out);
	out->op = op;
	msgpack_unpacked_init(&u);
	int rc = unpack_bounded(buf, len, UCCN_MAX_REPLY_FRAME,
				UCCN_MAX_REPLY_OBJECTS, &u, err, errlen);
	if (rc)
		goto done;
	if ((rc = read_header(&u.data, &out->rid, err, errlen)))
		goto done;
	if (!(v = map_get(&u.data, "ok"))) {
		rc = mp_fail(err, errlen, UCCN_E_INVALID, "field 'ok' is missing");
		goto done;
	}
	if ((rc = mp_read_bool(v, "ok", &ok, err, errlen)))
		goto done;
	if (!ok) {
		char *name = NULL;
		if ((v = map_get(&u.data, "error")) &&
		    (rc = mp_read_str(v, "error", UCCN_MAX_OP, true, &name, err, errlen)))
			goto done;
		if ((v = map_get(&u.data, "message")) &&
		    (rc = mp_read_str(v, "message", UCCN_MAX_MESSAGE, false, &out->message, err, errlen))) {
			free(name);
			goto done;
		}
		if ((v = map_get(&u.data, "index")) &&
		    (rc = mp_read_uint(v, "index", UINT32_MAX, &out->error_index, err, errlen))) {
			free(name);
			goto done;
		}
		out->status = name ? uccn_error_from_name(name) : UCCN_E_INTERNAL;
		if (out->status == UCCN_OK)
			out->status = UCCN_E_INTERNAL;
		free(name);
		goto done;
	}
	rc = decode_reply_body(&u.data, out, err, errlen);
done:
	msgpack_unpacked_destroy(&u);
	if (rc) {
		uint64_t rid = out->rid;
		uccn_reply_clear(out);
		out->op = op;
		out->rid = rid;
	}
	return rc;
}
