/*
 * msg.c - the request/reply codec's entry points: the header every message
 * carries, then the op's row (ops.c) for the rest. Decoding scans the bytes
 * first (scan.c), then lets msgpack-c unpack them. Wire layout: SPEC.md.
 */
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "mp.h"
#include "uccn_error.h"
#include "uccn_msg.h"

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
	free(r->secret);
	free(r->import_id);
	free(r->log_level);
	free(r->backup_id);
	memset(r, 0, sizeof *r);
}

static void info_clear(struct uccn_status_info *i)
{
	free(i->server);
	free(i->city);
	free(i->role);
	free(i->state.data_dir);
	free(i->state.mailbox_max_city);
	free(i->state.server_key_fingerprint);
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
	free(r->invite.city);
	free(r->invite.secret);
	free(r->invite.server_key);
	free(r->invite.endpoint);
	free(r->import_id);
	free(r->log_was);
	free(r->log_level);
	free(r->backup.id);
	free(r->backup.data.data);
	free(r->backup.checksum);
	free(r->backup.manifest);
	free(r->backup.problem);
	memset(r, 0, sizeof *r);
}

/* ---- the header ---- */

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

static int pack_header(msgpack_packer *pk, size_t nkeys, uint64_t rid)
{
	if (msgpack_pack_map(pk, nkeys) ||
	    mp_pack_kuint(pk, "v", UCCN_PROTO_VERSION) ||
	    mp_pack_kuint(pk, "rid", rid))
		return UCCN_E_NOMEM;
	return 0;
}

static int read_header(const msgpack_object *m, uint64_t *rid, char *err,
		       size_t errlen)
{
	const msgpack_object *v = mp_map_get(m, "v");
	const msgpack_object *r = mp_map_get(m, "rid");
	uint64_t ver = 0;
	int rc;
	/* rid first: even a refused version gets an error reply it can match. */
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

/* ---- requests ---- */

int uccn_request_encode(const struct uccn_request *r, msgpack_sbuffer *out)
{
	const struct uccn_op_desc *d = uccn_op_desc(r->op);
	msgpack_packer pk;
	size_t n;
	if (!d)
		return UCCN_E_INVALID;
	int rc = fields_count(r, d->request, d->nrequest, &n);
	if (rc)
		return rc;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	if (pack_header(&pk, 3 + n, r->rid) || mp_pack_kstr(&pk, "op", d->name))
		return UCCN_E_NOMEM;
	return fields_pack(&pk, r, d->request, d->nrequest);
}

int uccn_request_decode(const void *buf, size_t len, struct uccn_request *out,
			char *err, size_t errlen)
{
	msgpack_unpacked u;
	char *opname = NULL;
	uint64_t rid = 0;
	const msgpack_object *v;
	const struct uccn_op_desc *d = NULL;
	memset(out, 0, sizeof *out);
	msgpack_unpacked_init(&u);
	int rc = unpack_bounded(buf, len, UCCN_MAX_REQUEST_FRAME,
				UCCN_MAX_REQUEST_OBJECTS, &u, err, errlen);
	if (rc)
		goto done;
	rc = read_header(&u.data, &rid, err, errlen);
	if (rc)
		goto done;
	if (!(v = mp_map_get(&u.data, "op"))) {
		rc = mp_fail(err, errlen, UCCN_E_INVALID, "field 'op' is missing");
		goto done;
	}
	if ((rc = mp_read_str(v, "op", UCCN_MAX_OP, true, &opname, err, errlen)))
		goto done;
	if (!opname || !(d = uccn_op_desc(uccn_op_from_name(opname)))) {
		rc = mp_fail(err, errlen, UCCN_E_UNKNOWN_OP, "unknown operation '%s'",
			     opname ? opname : "");
		goto done;
	}
	out->op = d->op;
	out->rid = rid;
	rc = fields_read(&u.data, out, d->request, d->nrequest, err, errlen);
	if (!rc && d->check)
		rc = d->check(out, err, errlen);
done:
	msgpack_unpacked_destroy(&u);
	free(opname);
	if (rc) {
		/* What the error reply needs: the item at fault and, for a
		 * staged import, which import it is in (its index counts
		 * across the whole import). */
		uint64_t index = out->error_index;
		char *import_id = out->import_id;
		out->import_id = NULL;
		uccn_request_clear(out);
		out->rid = rid;
		out->error_index = index;
		out->import_id = import_id;
	}
	return rc;
}

/* ---- replies ---- */

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
	const struct uccn_op_desc *d = uccn_op_desc(r->op);
	size_t n;
	if (!d)
		return UCCN_E_INVALID;
	int rc = fields_count(r, d->reply, d->nreply, &n);
	if (rc)
		return rc;
	if (pack_header(&pk, 3 + n, r->rid) || mp_pack_kbool(&pk, "ok", true))
		return UCCN_E_NOMEM;
	return fields_pack(&pk, r, d->reply, d->nreply);
}

/* An error reply: its name becomes the status (never success), with the
 * message and the index of the item at fault. */
static int read_error(const msgpack_object *m, struct uccn_reply *r, char *err,
		      size_t errlen)
{
	const msgpack_object *v;
	char *name = NULL;
	int rc = 0;
	if ((v = mp_map_get(m, "error")) &&
	    (rc = mp_read_str(v, "error", UCCN_MAX_OP, true, &name, err, errlen)))
		return rc;
	if ((v = mp_map_get(m, "message")))
		rc = mp_read_str(v, "message", UCCN_MAX_MESSAGE, false, &r->message, err, errlen);
	if (!rc && (v = mp_map_get(m, "index")))
		rc = mp_read_uint(v, "index", UINT32_MAX, &r->error_index, err, errlen);
	if (!rc) {
		r->status = name ? uccn_error_from_name(name) : UCCN_E_INTERNAL;
		if (r->status == UCCN_OK)
			r->status = UCCN_E_INTERNAL;
	}
	free(name);
	return rc;
}

int uccn_reply_decode(const void *buf, size_t len, enum uccn_op op,
		      struct uccn_reply *out, char *err, size_t errlen)
{
	msgpack_unpacked u;
	const msgpack_object *v;
	const struct uccn_op_desc *d;
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
	if (!(v = mp_map_get(&u.data, "ok"))) {
		rc = mp_fail(err, errlen, UCCN_E_INVALID, "field 'ok' is missing");
		goto done;
	}
	if ((rc = mp_read_bool(v, "ok", &ok, err, errlen)))
		goto done;
	if (!ok)
		rc = read_error(&u.data, out, err, errlen);
	else if (!(d = uccn_op_desc(op)))
		rc = mp_fail(err, errlen, UCCN_E_INVALID, "unknown operation");
	else
		rc = fields_read(&u.data, out, d->reply, d->nreply, err, errlen);
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
