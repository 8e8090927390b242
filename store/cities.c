/*
 * cities.c - the cities of the network and the creative fields they work
 * in: reading them, adding and changing them (each change versioned and
 * logged), the public key that says which city connects, and the import.
 */
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

int store_city_decode(const MDB_val *v, struct uccn_city *out)
{
	return store_decode(v, out, REC_CITY);
}

/* ---- fields ---- */

int uccn_store_field_get(struct uccn_txn *t, const char *name)
{
	MDB_val k = str_val(name), v;
	if (!name[0] || strlen(name) > UCCN_MAX_FIELD)
		return UCCN_E_NOTFOUND;
	return store_get(t, DB_FIELDS, &k, &v);
}

int uccn_store_field_each(struct uccn_txn *t, uccn_field_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	char name[UCCN_MAX_FIELD + 1];
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_FIELDS], &c);
	if (rc)
		return store_map_rc(rc);
	for (rc = store_cursor_get(t, DB_FIELDS, c, &k, &v, MDB_FIRST); rc == 0;
	     rc = store_cursor_get(t, DB_FIELDS, c, &k, &v, MDB_NEXT)) {
		if (k.mv_size > UCCN_MAX_FIELD || k.mv_size == 0) {
			rc = store_corrupt(t, DB_FIELDS, &k);
			break;
		}
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if (fn(name, ctx))
			break;
	}
	mdb_cursor_close(c);
	return rc == UCCN_E_NOTFOUND ? 0 : rc;
}

static int field_add_in(struct uccn_txn *t, const char *name, uint64_t *seq)
{
	unsigned char sb[8];
	int rc;
	if (!uccn_field_name_valid(name))
		return store_reason(t, UCCN_E_INVALID, "'%s' is not a field name", name ? name : "");
	if (uccn_store_field_get(t, name) == 0)
		return store_reason(t, UCCN_E_EXISTS, "field '%s' exists already", name);
	if ((rc = store_next_seq(t, seq)))
		return rc;
	seq_encode(*seq, sb);
	MDB_val k = str_val(name), v = val_of(sb, 8);
	if ((rc = store_put(t, DB_FIELDS, &k, &v, MDB_NOOVERWRITE)))
		return rc;
	return store_log_append(t, *seq, "field", name);
}

int uccn_store_field_add(struct uccn_txn *t, const char *name, uint64_t *seq)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, field_add_in(t, name, seq));
}

/* ---- reading cities ---- */

int uccn_store_city_get(struct uccn_txn *t, const char *id, struct uccn_city *out)
{
	MDB_val k = str_val(id), v;
	if (!id[0] || strlen(id) > UCCN_MAX_ID)
		return UCCN_E_NOTFOUND;
	int rc = store_get(t, DB_CITIES, &k, &v);
	return rc ? rc : store_city_decode(&v, out);
}

int uccn_store_city_by_key(struct uccn_txn *t, const char *key, char *id)
{
	MDB_val k = str_val(key), v;
	/* LMDB refuses an empty (or overlong) key as an error: none is ours */
	if (!key[0] || k.mv_size > UCCN_KEY_Z85_LEN)
		return UCCN_E_NOTFOUND;
	int rc = store_get(t, DB_CITY_KEYS, &k, &v);
	if (rc)
		return rc;
	if (v.mv_size == 0 || v.mv_size > UCCN_MAX_ID)
		return store_corrupt(t, DB_CITY_KEYS, &k);
	memcpy(id, v.mv_data, v.mv_size);
	id[v.mv_size] = '\0';
	return 0;
}

int uccn_store_city_each(struct uccn_txn *t, uccn_city_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	int err = 0;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_CITIES], &c);
	if (rc)
		return store_map_rc(rc);
	for (rc = store_cursor_get(t, DB_CITIES, c, &k, &v, MDB_FIRST); rc == 0;
	     rc = store_cursor_get(t, DB_CITIES, c, &k, &v, MDB_NEXT)) {
		struct uccn_city city = {0};
		if ((err = store_city_decode(&v, &city)))
			break;
		int stop = fn(&city, ctx);
		uccn_city_clear(&city);
		if (stop)
			break;
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == UCCN_E_NOTFOUND ? 0 : rc;
}

/* ---- writing cities ---- */

/* Write city rec (version and seq already set) and its change-log entry. */
static int put_city(struct uccn_txn *t, const struct uccn_city *rec)
{
	msgpack_sbuffer b;
	msgpack_packer pk;
	MDB_val k = str_val(rec->id);
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	int rc = uccn_city_pack(&pk, rec);
	if (!rc)
		rc = store_put_packed(t, DB_CITIES, &k, &b, 0);
	msgpack_sbuffer_destroy(&b);
	if (!rc)
		rc = store_log_append(t, rec->seq, "city", rec->id);
	return rc;
}

/* The checks every written city passes: its rules, and its field exists. */
static int city_valid(struct uccn_txn *t, const struct uccn_city *c)
{
	char why[200];
	if (uccn_city_check(c, why, sizeof why))
		return store_reason(t, UCCN_E_INVALID, "%s", why);
	if (uccn_store_field_get(t, c->field) != 0)
		return store_reason(t, UCCN_E_NOTFOUND, "city '%s': field '%s' does not exist",
				    c->id, c->field);
	return 0;
}

static int key_claim(struct uccn_txn *t, const char *key, const char *id)
{
	MDB_val kk = str_val(key), idv = str_val(id);
	int rc = store_put(t, DB_CITY_KEYS, &kk, &idv, MDB_NOOVERWRITE);
	if (rc == UCCN_E_EXISTS)
		return store_reason(t, rc, "that key belongs to another city");
	return rc;
}

static int city_add_in(struct uccn_txn *t, const struct uccn_city *c,
		       uint64_t *seq)
{
	struct uccn_city rec = *c;
	MDB_val k, v;
	int rc;
	if (!c->id)
		return store_reason(t, UCCN_E_INVALID, "a city needs an id");
	if ((rc = city_valid(t, c)))
		return rc;
	k = str_val(c->id);
	if (mdb_get(t->cur, t->s->dbi[DB_CITIES], &k, &v) == 0)
		return store_reason(t, UCCN_E_EXISTS, "city '%s' exists already", c->id);
	if (c->key[0] && (rc = key_claim(t, c->key, c->id)))
		return rc;
	if ((rc = store_next_seq(t, seq)))
		return rc;
	rec.seq = *seq;
	rec.version = 1;
	return put_city(t, &rec);
}

int uccn_store_city_add(struct uccn_txn *t, const struct uccn_city *c,
			uint64_t *seq)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, city_add_in(t, c, seq));
}

static int city_update_in(struct uccn_txn *t, const struct uccn_city *c,
			  uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	struct uccn_city old = {0};
	int rc;
	if (!c->id)
		return store_reason(t, UCCN_E_INVALID, "a city needs an id");
	if ((rc = city_valid(t, c)))
		return rc;
	if ((rc = uccn_store_city_get(t, c->id, &old)))
		return rc == UCCN_E_NOTFOUND ?
		       store_reason(t, rc, "city '%s' does not exist", c->id) : rc;
	if (old.version != if_version) {
		rc = store_reason(t, UCCN_E_CONFLICT,
				  "city '%s' is at version %llu, not %llu: read it again and redo your change",
				  c->id, (unsigned long long)old.version,
				  (unsigned long long)if_version);
		uccn_city_clear(&old);
		return rc;
	}
	struct uccn_city rec = *c;
	memcpy(rec.key, old.key, sizeof rec.key); /* rekey is its own operation */
	if ((rc = store_next_seq(t, seq)) == 0) {
		rec.seq = *seq;
		rec.version = *version = old.version + 1;
		rc = put_city(t, &rec);
	}
	uccn_city_clear(&old);
	return rc;
}

int uccn_store_city_update(struct uccn_txn *t, const struct uccn_city *c,
			   uint64_t if_version, uint64_t *seq, uint64_t *version)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, city_update_in(t, c, if_version, seq, version));
}

static int city_rekey_in(struct uccn_txn *t, const char *id, const char *key,
			 uint64_t *seq, uint64_t *version)
{
	struct uccn_city rec = {0};
	int rc;
	if (!uccn_key_z85_valid(key))
		return store_reason(t, UCCN_E_INVALID, "not a Z85 public key");
	if ((rc = uccn_store_city_get(t, id, &rec)))
		return rc == UCCN_E_NOTFOUND ?
		       store_reason(t, rc, "city '%s' does not exist", id) : rc;
	if (rec.key[0]) {
		MDB_val kk = str_val(rec.key);
		rc = store_map_rc(mdb_del(t->cur, t->s->dbi[DB_CITY_KEYS], &kk, NULL));
		if (rc == UCCN_E_NOTFOUND)
			rc = 0;
	}
	if (!rc)
		rc = key_claim(t, key, id);
	if (!rc)
		rc = store_next_seq(t, seq);
	if (!rc) {
		memcpy(rec.key, key, sizeof rec.key);
		rec.seq = *seq;
		rec.version = *version = rec.version + 1;
		rc = put_city(t, &rec);
	}
	uccn_city_clear(&rec);
	return rc;
}

int uccn_store_city_rekey(struct uccn_txn *t, const char *id, const char *key,
			  uint64_t *seq, uint64_t *version)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, city_rekey_in(t, id, key, seq, version));
}

/* ---- import ---- */

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_coord(struct uccn_coord a, struct uccn_coord b)
{
	return a.set == b.set && (!a.set || a.deg == b.deg);
}

/* The data an import carries, compared with what is stored. */
static bool same_import_data(const struct uccn_city *a, const struct uccn_city *b)
{
	return same_str(a->name, b->name) && same_str(a->country, b->country) &&
	       same_str(a->field, b->field) && same_str(a->tz, b->tz) &&
	       a->year == b->year && same_coord(a->lat, b->lat) &&
	       same_coord(a->lon, b->lon);
}

/*
 * What the last import set, per city, lives in DB_IMPORTED as a city
 * record holding the file's row. A field whose stored value differs from
 * it was changed by hand since, and a later import keeps it. A city with
 * no such record (added by hand, or imported before imports were
 * recorded) reads as one whose import set nothing: every value it holds
 * counts as a person's, and the file only fills what is empty.
 */
static int imported_get(struct uccn_txn *t, const char *id, struct uccn_city *out)
{
	MDB_val k = str_val(id), v;
	int rc = store_get(t, DB_IMPORTED, &k, &v);
	return rc ? rc : store_city_decode(&v, out);
}

static int imported_put(struct uccn_txn *t, const struct uccn_city *row)
{
	struct uccn_city rec = *row;
	msgpack_sbuffer b;
	msgpack_packer pk;
	MDB_val k = str_val(row->id);
	/* Only the file's data: the key, role and term are never the import's. */
	rec.key[0] = '\0';
	rec.role = NULL;
	rec.term_end = NULL;
	rec.seq = rec.version = 0;
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	int rc = uccn_city_pack(&pk, &rec);
	if (!rc)
		rc = store_put_packed(t, DB_IMPORTED, &k, &b, 0);
	msgpack_sbuffer_destroy(&b);
	return rc;
}

static bool blank(const char *s)
{
	return !s || !s[0];
}

static bool same_text(const char *a, const char *b)
{
	return blank(a) ? blank(b) : !blank(b) && strcmp(a, b) == 0;
}

/* Whether the file's value of one field replaces the stored one: yes when
 * the stored one is what the last import set (or when asked to
 * overwrite); no, and counted as kept, when a person changed it. */
struct merge {
	const char *id;
	bool overwrite;
	struct uccn_import_counts *n;
};

static bool take_file(struct merge *m, const char *field, bool same_as_file,
		      bool same_as_imported)
{
	if (same_as_file || same_as_imported || m->overwrite)
		return true;
	if (m->n->nnamed < UCCN_IMPORT_KEPT_LIST)
		snprintf(m->n->named[m->n->nnamed++], sizeof m->n->named[0], "%s.%s",
			 m->id, field);
	m->n->kept++;
	return false;
}

/* rec starts as the file's row; the fields a person set come back from now. */
static void merge_city(struct merge *m, struct uccn_city *rec,
		       const struct uccn_city *now, const struct uccn_city *last)
{
#define MERGE_TEXT(f) \
	if (!take_file(m, #f, same_text(now->f, rec->f), same_text(now->f, last->f))) \
		rec->f = now->f
	MERGE_TEXT(name);
	MERGE_TEXT(country);
	MERGE_TEXT(field);
	MERGE_TEXT(tz);
#undef MERGE_TEXT
	if (!take_file(m, "year", now->year == rec->year, now->year == last->year))
		rec->year = now->year;
	if (!take_file(m, "lat", same_coord(now->lat, rec->lat), same_coord(now->lat, last->lat)))
		rec->lat = now->lat;
	if (!take_file(m, "lon", same_coord(now->lon, rec->lon), same_coord(now->lon, last->lon)))
		rec->lon = now->lon;
}

static int import_one(struct uccn_txn *t, const struct uccn_city *c, bool overwrite,
		      struct uccn_import_counts *n)
{
	struct uccn_city old = {0}, last = {0};
	uint64_t seq;
	int rc;
	if (!c->id)
		return store_reason(t, UCCN_E_INVALID, "a city needs an id");
	if ((rc = city_valid(t, c)))
		return rc;
	rc = uccn_store_city_get(t, c->id, &old);
	if (rc == UCCN_E_NOTFOUND) {
		struct uccn_city rec = *c;
		rec.key[0] = '\0';
		rec.term_end = NULL;
		if ((rc = store_next_seq(t, &seq)))
			return rc;
		rec.seq = seq;
		rec.version = 1;
		n->added++;
		rc = put_city(t, &rec);
		return rc ? rc : imported_put(t, c);
	}
	if (rc)
		return rc;
	rc = imported_get(t, c->id, &last);
	if (rc && rc != UCCN_E_NOTFOUND)
		goto out;
	struct uccn_city rec = *c;
	struct merge m = {.id = c->id, .overwrite = overwrite, .n = n};
	merge_city(&m, &rec, &old, &last);
	/* The import speaks for the record's data, not its key, role or term. */
	rec.role = old.role;
	rec.term_end = old.term_end;
	memcpy(rec.key, old.key, sizeof rec.key);
	rc = 0;
	if (same_import_data(&rec, &old)) {
		n->unchanged++;
	} else if ((rc = city_valid(t, &rec)) == 0 && (rc = store_next_seq(t, &seq)) == 0) {
		rec.seq = seq;
		rec.version = old.version + 1;
		rc = put_city(t, &rec);
		n->updated++;
	}
	/* Rewritten only when the file changed: a re-run writes nothing. */
	if (!rc && (!last.id || !same_import_data(c, &last)))
		rc = imported_put(t, c);
out:
	uccn_city_clear(&last);
	uccn_city_clear(&old);
	return rc;
}

int uccn_store_city_import(struct uccn_txn *t, const struct uccn_city *c,
			   size_t n, bool overwrite, struct uccn_import_counts *counts)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	memset(counts, 0, sizeof *counts);
	for (size_t i = 0; i < n && !rc; i++) {
		/* An id twice in one import would silently keep the last row. */
		for (size_t j = 0; j < i && !rc; j++)
			if (strcmp(c[i].id, c[j].id) == 0)
				rc = store_reason(t, UCCN_E_EXISTS,
						  "city '%s' appears twice (also city %zu)",
						  c[i].id, j + 1);
		if (!rc)
			rc = import_one(t, &c[i], overwrite, counts);
		if (rc)
			t->reason_index = i + 1;
	}
	if (rc)
		memset(counts, 0, sizeof *counts);
	return store_op_end(t, rc);
}
