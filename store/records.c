/*
 * records.c - the network's projects and meetings: versioned records whose
 * every change checks what they refer to, takes the next number of the
 * sequence and goes into the change log.
 */
#include <stddef.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

static int record_get(struct uccn_txn *t, enum dbi_slot db, enum record_type type,
		      const char *id, void *out)
{
	MDB_val k = str_val(id), v;
	if (!id[0] || strlen(id) > UCCN_MAX_ID)
		return UCCN_E_NOTFOUND;
	int rc = mdb_get(t->cur, t->s->dbi[db], &k, &v);
	if (rc)
		return store_map_rc(rc);
	return store_decode(&v, out, type);
}

int uccn_store_project_get(struct uccn_txn *t, const char *id, struct uccn_project *out)
{
	return record_get(t, DB_PROJECTS, REC_PROJECT, id, out);
}

int uccn_store_meeting_get(struct uccn_txn *t, const char *id, struct uccn_meeting *out)
{
	return record_get(t, DB_MEETINGS, REC_MEETING, id, out);
}

/* Walk db in key order, decoding each value into a scratch record of
 * `size` bytes that clear() empties. */
static int record_each(struct uccn_txn *t, enum dbi_slot db, enum record_type type,
		       size_t size, void (*clear)(void *), int (*fn)(const void *, void *),
		       void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	int err = 0;
	/* Aligned for the record structs it holds (pointers, uint64_t). */
	_Alignas(max_align_t) char rec[512];
	if (size > sizeof rec)
		return UCCN_E_INTERNAL;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[db], &c);
	if (rc)
		return store_map_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		memset(rec, 0, size);
		if ((err = store_decode(&v, rec, type)))
			break;
		int stop = fn(rec, ctx);
		clear(rec);
		if (stop)
			break;
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_map_rc(rc);
}

struct each_adapter {
	union { uccn_project_fn project; uccn_meeting_fn meeting; } fn;
	void *ctx;
};

static int each_project(const void *rec, void *ctx)
{
	struct each_adapter *a = ctx;
	return a->fn.project(rec, a->ctx);
}

static int each_meeting(const void *rec, void *ctx)
{
	struct each_adapter *a = ctx;
	return a->fn.meeting(rec, a->ctx);
}

static void clear_project(void *p) { uccn_project_clear(p); }
static void clear_meeting(void *m) { uccn_meeting_clear(m); }

int uccn_store_project_each(struct uccn_txn *t, uccn_project_fn fn, void *ctx)
{
	struct each_adapter a = {.fn.project = fn, .ctx = ctx};
	return record_each(t, DB_PROJECTS, REC_PROJECT, sizeof(struct uccn_project),
			   clear_project, each_project, &a);
}

int uccn_store_meeting_each(struct uccn_txn *t, uccn_meeting_fn fn, void *ctx)
{
	struct each_adapter a = {.fn.meeting = fn, .ctx = ctx};
	return record_each(t, DB_MEETINGS, REC_MEETING, sizeof(struct uccn_meeting),
			   clear_meeting, each_meeting, &a);
}

/* Every city of a list must exist; the reason names the first that does not. */
static int cities_exist(struct uccn_txn *t, const char *what, const char *id,
			const char *role, const struct uccn_idlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		MDB_val k = str_val(l->v[i]), v;
		if (mdb_get(t->cur, t->s->dbi[DB_CITIES], &k, &v) != 0)
			return store_reason(t, UCCN_E_NOTFOUND, "%s '%s': %s city '%s' does not exist",
				      what, id, role, l->v[i]);
	}
	return 0;
}

static int city_exists(struct uccn_txn *t, const char *what, const char *id,
		       const char *role, const char *city)
{
	char *one[] = {(char *)city};
	struct uccn_idlist l = {.v = one, .n = 1};
	return cities_exist(t, what, id, role, &l);
}

static int field_exists(struct uccn_txn *t, const char *what, const char *id,
			const char *field)
{
	if (uccn_store_field_get(t, field) != 0)
		return store_reason(t, UCCN_E_NOTFOUND, "%s '%s': field '%s' does not exist", what, id, field);
	return 0;
}

static int project_valid(struct uccn_txn *t, const struct uccn_project *p)
{
	char why[200];
	int rc;
	if (!p->id)
		return store_reason(t, UCCN_E_INVALID, "a project needs an id");
	if (uccn_project_check(p, why, sizeof why))
		return store_reason(t, UCCN_E_INVALID, "%s", why);
	if ((rc = city_exists(t, "project", p->id, "lead", p->lead)) ||
	    (rc = cities_exist(t, "project", p->id, "partner", &p->partners)))
		return rc;
	for (size_t i = 0; i < p->fields.n; i++)
		if ((rc = field_exists(t, "project", p->id, p->fields.v[i])))
			return rc;
	return 0;
}

static int put_record(struct uccn_txn *t, enum dbi_slot db, const char *type,
		      const char *id, uint64_t seq, const void *rec)
{
	msgpack_sbuffer b;
	msgpack_packer pk;
	MDB_val k = str_val(id);
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	int rc = db == DB_PROJECTS ? uccn_project_pack(&pk, rec) : uccn_meeting_pack(&pk, rec);
	if (!rc)
		rc = store_put_packed(t, db, &k, &b, 0);
	msgpack_sbuffer_destroy(&b);
	if (!rc)
		rc = store_log_append(t, seq, type, id);
	return rc;
}

/* The version check every update makes. */
static int version_is(struct uccn_txn *t, const char *what, const char *id,
		      uint64_t have, uint64_t want)
{
	if (have == want)
		return 0;
	return store_reason(t, UCCN_E_CONFLICT,
		      "%s '%s' is at version %llu, not %llu: read it again and redo your change",
		      what, id, (unsigned long long)have, (unsigned long long)want);
}

static int project_write_in(struct uccn_txn *t, const struct uccn_project *p, bool add,
			    uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	struct uccn_project old = {0}, rec = *p;
	int rc = project_valid(t, p);
	if (rc)
		return rc;
	rc = uccn_store_project_get(t, p->id, &old);
	if (add && rc == 0)
		rc = store_reason(t, UCCN_E_EXISTS, "project '%s' exists already", p->id);
	else if (add && rc == UCCN_E_NOTFOUND)
		rc = 0;
	else if (!add && rc == UCCN_E_NOTFOUND)
		rc = store_reason(t, rc, "project '%s' does not exist", p->id);
	else if (!add && rc == 0)
		rc = version_is(t, "project", p->id, old.version, if_version);
	if (!rc && !rec.status)
		rec.status = add ? "proposed" : old.status;
	if (!rc)
		rc = store_next_seq(t, seq);
	if (!rc) {
		rec.seq = *seq;
		rec.version = *version = add ? 1 : old.version + 1;
		rc = put_record(t, DB_PROJECTS, "project", p->id, *seq, &rec);
	}
	uccn_project_clear(&old);
	return rc;
}

int uccn_store_project_add(struct uccn_txn *t, const struct uccn_project *p, uint64_t *seq)
{
	uint64_t version;
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, project_write_in(t, p, true, 0, seq, &version));
}

int uccn_store_project_update(struct uccn_txn *t, const struct uccn_project *p,
			      uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, project_write_in(t, p, false, if_version, seq, version));
}

static int project_member_in(struct uccn_txn *t, const char *id, const char *city,
			     bool join, uint64_t *seq, uint64_t *version)
{
	struct uccn_project p = {0};
	int rc = uccn_store_project_get(t, id, &p);
	if (rc)
		return rc == UCCN_E_NOTFOUND ? store_reason(t, rc, "project '%s' does not exist", id) : rc;
	if ((rc = city_exists(t, "project", id, "partner", city)))
		goto out;
	if (join && strcmp(p.lead, city) == 0)
		rc = store_reason(t, UCCN_E_EXISTS, "city '%s' leads project '%s'", city, id);
	else if (!join && strcmp(p.lead, city) == 0)
		rc = store_reason(t, UCCN_E_INVALID,
			    "city '%s' leads project '%s' and cannot leave it: hand the lead over first",
			    city, id);
	else if (join && (rc = uccn_idlist_add(&p.partners, city)) == UCCN_E_EXISTS)
		rc = store_reason(t, rc, "city '%s' is a partner of project '%s' already", city, id);
	else if (join && rc == UCCN_E_TOOBIG)
		rc = store_reason(t, rc, "project '%s' has %d partners, the most it can", id, UCCN_MAX_LIST);
	else if (!join && (rc = uccn_idlist_remove(&p.partners, city)))
		rc = store_reason(t, rc, "city '%s' is not a partner of project '%s'", city, id);
	if (!rc)
		rc = store_next_seq(t, seq);
	if (!rc) {
		p.seq = *seq;
		p.version = *version = p.version + 1;
		rc = put_record(t, DB_PROJECTS, "project", id, *seq, &p);
	}
out:
	uccn_project_clear(&p);
	return rc;
}

int uccn_store_project_member(struct uccn_txn *t, const char *id, const char *city,
			      bool join, uint64_t *seq, uint64_t *version)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, project_member_in(t, id, city, join, seq, version));
}

static int meeting_write_in(struct uccn_txn *t, const struct uccn_meeting *m, bool add,
			    uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	struct uccn_meeting old = {0}, rec = *m;
	char why[200];
	int rc;
	if (!m->id)
		return store_reason(t, UCCN_E_INVALID, "a meeting needs an id");
	if (uccn_meeting_check(m, why, sizeof why))
		return store_reason(t, UCCN_E_INVALID, "%s", why);
	if ((rc = cities_exist(t, "meeting", m->id, "host", &m->hosts)) ||
	    (m->field && (rc = field_exists(t, "meeting", m->id, m->field))))
		return rc;
	rc = uccn_store_meeting_get(t, m->id, &old);
	if (add && rc == 0)
		rc = store_reason(t, UCCN_E_EXISTS, "meeting '%s' exists already", m->id);
	else if (add && rc == UCCN_E_NOTFOUND)
		rc = 0;
	else if (!add && rc == UCCN_E_NOTFOUND)
		rc = store_reason(t, rc, "meeting '%s' does not exist", m->id);
	else if (!add && rc == 0)
		rc = version_is(t, "meeting", m->id, old.version, if_version);
	if (!rc) {
		if (!rec.status)
			rec.status = add ? "planned" : old.status;
		if (!rec.day_start)
			rec.day_start = UCCN_DEFAULT_DAY_START;
		if (!rec.day_end)
			rec.day_end = UCCN_DEFAULT_DAY_END;
		rc = store_next_seq(t, seq);
	}
	if (!rc) {
		rec.seq = *seq;
		rec.version = *version = add ? 1 : old.version + 1;
		rc = put_record(t, DB_MEETINGS, "meeting", m->id, *seq, &rec);
	}
	uccn_meeting_clear(&old);
	return rc;
}

int uccn_store_meeting_add(struct uccn_txn *t, const struct uccn_meeting *m, uint64_t *seq)
{
	uint64_t version;
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, meeting_write_in(t, m, true, 0, seq, &version));
}

int uccn_store_meeting_update(struct uccn_txn *t, const struct uccn_meeting *m,
			      uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, meeting_write_in(t, m, false, if_version, seq, version));
}

int store_meeting_put(struct uccn_txn *t, struct uccn_meeting *m)
{
	return put_record(t, DB_MEETINGS, "meeting", m->id, m->seq, m);
}
