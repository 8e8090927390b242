/*
 * records.c - the network's projects and meetings: versioned records whose
 * every change checks what they refer to, takes the next number of the
 * sequence and goes into the change log. One add-or-update serves both,
 * told what differs by a small descriptor of each type.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

/* Room for a record of either type: the generic code reads into it
 * without allocating or knowing which. */
union any_record {
	struct uccn_project project;
	struct uccn_meeting meeting;
};

/* Where a record keeps what every versioned record has. */
struct record_head {
	const char *id;
	uint64_t *seq, *version;
};

/* What the versioned write needs to know of one record type. */
struct versioned {
	const char *name;       /* "project": in reasons and the change log */
	enum dbi_slot db;
	enum record_type type;
	/* The record's rules and that what it refers to exists; the reason
	 * names the record. */
	int (*check)(struct uccn_txn *t, const void *rec);
	/* Give an owned copy its defaults: a new one's (old NULL), or what
	 * an update that leaves them out keeps of old. */
	int (*fill)(void *rec, const void *old);
	int (*copy)(void *dst, const void *src);
	int (*pack)(msgpack_packer *pk, const void *rec);
	void (*clear)(void *rec);
	struct record_head (*head)(void *rec);
};

/* ---- what both types check ---- */

static int city_exists(struct uccn_txn *t, const char *what, const char *id,
		       const char *role, const char *city)
{
	MDB_val k = str_val(city), v;
	if (mdb_get(t->cur, t->s->dbi[DB_CITIES], &k, &v) != 0)
		return store_reason(t, UCCN_E_NOTFOUND, "%s '%s': %s city '%s' does not exist",
				    what, id, role, city);
	return 0;
}

/* Every city of a list must exist; the reason names the first that does not. */
static int cities_exist(struct uccn_txn *t, const char *what, const char *id,
			const char *role, const struct uccn_idlist *l)
{
	int rc = 0;
	for (size_t i = 0; i < l->n && !rc; i++)
		rc = city_exists(t, what, id, role, l->v[i]);
	return rc;
}

static int field_exists(struct uccn_txn *t, const char *what, const char *id,
			const char *field)
{
	if (uccn_store_field_get(t, field) != 0)
		return store_reason(t, UCCN_E_NOTFOUND, "%s '%s': field '%s' does not exist",
				    what, id, field);
	return 0;
}

/* Give *s a copy of v, unless *s has a value already or v is none. */
static int default_to(char **s, const char *v)
{
	if (*s || !v)
		return 0;
	return (*s = strdup(v)) ? 0 : UCCN_E_NOMEM;
}

/* ---- projects ---- */

static int project_check(struct uccn_txn *t, const void *rec)
{
	const struct uccn_project *p = rec;
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

static int project_fill(void *rec, const void *old)
{
	struct uccn_project *p = rec;
	const struct uccn_project *was = old;
	return default_to(&p->status, was ? was->status : "proposed");
}

static int project_copy(void *dst, const void *src) { return uccn_project_copy(dst, src); }
static int project_pack(msgpack_packer *pk, const void *rec) { return uccn_project_pack(pk, rec); }
static void project_clear(void *rec) { uccn_project_clear(rec); }

static struct record_head project_head(void *rec)
{
	struct uccn_project *p = rec;
	return (struct record_head){p->id, &p->seq, &p->version};
}

static const struct versioned projects = {
	"project", DB_PROJECTS, REC_PROJECT, project_check, project_fill,
	project_copy, project_pack, project_clear, project_head,
};

/* ---- meetings ---- */

static int meeting_check(struct uccn_txn *t, const void *rec)
{
	const struct uccn_meeting *m = rec;
	char why[200];
	int rc;
	if (!m->id)
		return store_reason(t, UCCN_E_INVALID, "a meeting needs an id");
	if (uccn_meeting_check(m, why, sizeof why))
		return store_reason(t, UCCN_E_INVALID, "%s", why);
	if ((rc = cities_exist(t, "meeting", m->id, "host", &m->hosts)) ||
	    (m->field && (rc = field_exists(t, "meeting", m->id, m->field))))
		return rc;
	return 0;
}

static int meeting_fill(void *rec, const void *old)
{
	struct uccn_meeting *m = rec;
	const struct uccn_meeting *was = old;
	int rc = default_to(&m->status, was ? was->status : "planned");
	if (!rc)
		rc = default_to(&m->day_start, UCCN_DEFAULT_DAY_START);
	if (!rc)
		rc = default_to(&m->day_end, UCCN_DEFAULT_DAY_END);
	return rc;
}

static int meeting_copy(void *dst, const void *src) { return uccn_meeting_copy(dst, src); }
static int meeting_pack(msgpack_packer *pk, const void *rec) { return uccn_meeting_pack(pk, rec); }
static void meeting_clear(void *rec) { uccn_meeting_clear(rec); }

static struct record_head meeting_head(void *rec)
{
	struct uccn_meeting *m = rec;
	return (struct record_head){m->id, &m->seq, &m->version};
}

static const struct versioned meetings = {
	"meeting", DB_MEETINGS, REC_MEETING, meeting_check, meeting_fill,
	meeting_copy, meeting_pack, meeting_clear, meeting_head,
};

/* ---- either type ---- */

static int record_get(struct uccn_txn *t, const struct versioned *type, const char *id,
		      void *out)
{
	MDB_val k = str_val(id), v;
	if (!id[0] || strlen(id) > UCCN_MAX_ID)
		return UCCN_E_NOTFOUND;
	int rc = store_get(t, type->db, &k, &v);
	return rc ? rc : store_decode(&v, out, type->type);
}

/* Walk the records of a type in id order, each borrowed by fn for the call. */
static int record_each(struct uccn_txn *t, const struct versioned *type,
		       int (*fn)(const void *rec, void *ctx), void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	union any_record rec;
	int err = 0;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[type->db], &c);
	if (rc)
		return store_map_rc(rc);
	for (rc = store_cursor_get(t, type->db, c, &k, &v, MDB_FIRST); rc == 0;
	     rc = store_cursor_get(t, type->db, c, &k, &v, MDB_NEXT)) {
		memset(&rec, 0, sizeof rec);
		if ((err = store_decode(&v, &rec, type->type)))
			break;
		int stop = fn(&rec, ctx);
		type->clear(&rec);
		if (stop)
			break;
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == 0 || rc == UCCN_E_NOTFOUND ? 0 : rc;
}

/* Write rec (its seq and version already set) and its change-log entry. */
static int record_put(struct uccn_txn *t, const struct versioned *type, void *rec)
{
	struct record_head h = type->head(rec);
	msgpack_sbuffer b;
	msgpack_packer pk;
	MDB_val k = str_val(h.id);
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	int rc = type->pack(&pk, rec);
	if (!rc)
		rc = store_put_packed(t, type->db, &k, &b, 0);
	msgpack_sbuffer_destroy(&b);
	if (!rc)
		rc = store_log_append(t, *h.seq, type->name, h.id);
	return rc;
}

/*
 * Add record in (add) or replace the stored one of its id if that is still
 * at if_version. What is written is an owned copy of in with its defaults,
 * the next seq and its new version.
 */
static int versioned_write(struct uccn_txn *t, const struct versioned *type, const void *in,
			   bool add, uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	union any_record old, rec;
	memset(&old, 0, sizeof old);
	memset(&rec, 0, sizeof rec);
	int rc = type->check(t, in);
	if (rc || (rc = type->copy(&rec, in)))
		return rc;
	struct record_head h = type->head(&rec), was = type->head(&old);
	rc = record_get(t, type, h.id, &old);
	if (add && rc == 0)
		rc = store_reason(t, UCCN_E_EXISTS, "%s '%s' exists already", type->name, h.id);
	else if (add && rc == UCCN_E_NOTFOUND)
		rc = 0;
	else if (!add && rc == UCCN_E_NOTFOUND)
		rc = store_reason(t, rc, "%s '%s' does not exist", type->name, h.id);
	else if (!add && rc == 0 && *was.version != if_version)
		rc = store_reason(t, UCCN_E_CONFLICT,
				  "%s '%s' is at version %llu, not %llu: read it again and redo your change",
				  type->name, h.id, (unsigned long long)*was.version,
				  (unsigned long long)if_version);
	if (!rc)
		rc = type->fill(&rec, add ? NULL : &old);
	if (!rc)
		rc = store_next_seq(t, seq);
	if (!rc) {
		*h.seq = *seq;
		*h.version = *version = add ? 1 : *was.version + 1;
		rc = record_put(t, type, &rec);
	}
	type->clear(&old);
	type->clear(&rec);
	return rc;
}

static int versioned_op(struct uccn_txn *t, const struct versioned *type, const void *in,
			bool add, uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, versioned_write(t, type, in, add, if_version, seq, version));
}

/* ---- the typed functions ---- */

int uccn_store_project_get(struct uccn_txn *t, const char *id, struct uccn_project *out)
{
	return record_get(t, &projects, id, out);
}

int uccn_store_meeting_get(struct uccn_txn *t, const char *id, struct uccn_meeting *out)
{
	return record_get(t, &meetings, id, out);
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

int uccn_store_project_each(struct uccn_txn *t, uccn_project_fn fn, void *ctx)
{
	struct each_adapter a = {.fn.project = fn, .ctx = ctx};
	return record_each(t, &projects, each_project, &a);
}

int uccn_store_meeting_each(struct uccn_txn *t, uccn_meeting_fn fn, void *ctx)
{
	struct each_adapter a = {.fn.meeting = fn, .ctx = ctx};
	return record_each(t, &meetings, each_meeting, &a);
}

int uccn_store_project_add(struct uccn_txn *t, const struct uccn_project *p, uint64_t *seq)
{
	uint64_t version;
	return versioned_op(t, &projects, p, true, 0, seq, &version);
}

int uccn_store_project_update(struct uccn_txn *t, const struct uccn_project *p,
			      uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	return versioned_op(t, &projects, p, false, if_version, seq, version);
}

int uccn_store_meeting_add(struct uccn_txn *t, const struct uccn_meeting *m, uint64_t *seq)
{
	uint64_t version;
	return versioned_op(t, &meetings, m, true, 0, seq, &version);
}

int uccn_store_meeting_update(struct uccn_txn *t, const struct uccn_meeting *m,
			      uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	return versioned_op(t, &meetings, m, false, if_version, seq, version);
}

int store_meeting_put(struct uccn_txn *t, struct uccn_meeting *m)
{
	return record_put(t, &meetings, m);
}

/* ---- project membership ---- */

static int project_member_in(struct uccn_txn *t, const char *id, const char *city,
			     bool join, uint64_t *seq, uint64_t *version)
{
	struct uccn_project p = {0};
	int rc = uccn_store_project_get(t, id, &p);
	if (rc)
		return rc == UCCN_E_NOTFOUND ?
		       store_reason(t, rc, "project '%s' does not exist", id) : rc;
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
		rc = store_reason(t, rc, "project '%s' has %d partners, the most it can", id,
				  UCCN_MAX_LIST);
	else if (!join && (rc = uccn_idlist_remove(&p.partners, city)))
		rc = store_reason(t, rc, "city '%s' is not a partner of project '%s'", city, id);
	if (!rc)
		rc = store_next_seq(t, seq);
	if (!rc) {
		p.seq = *seq;
		p.version = *version = p.version + 1;
		rc = record_put(t, &projects, &p);
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
