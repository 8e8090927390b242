/*
 * fields.c - the walks over field tables (fields.h): one count, one pack,
 * one read per field type, shared by every record and every operation, so
 * what is counted is what is packed and every key is read the same way.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "mp.h"
#include "uccn_error.h"
#include "uccn_msg.h"
#include "uccn_records.h"

static void *at(const void *rec, size_t offset)
{
	return (char *)rec + offset;
}

static char **str_at(const void *rec, const struct uccn_field *f)
{
	return at(rec, f->offset);
}

static size_t *count_at(const void *rec, const struct uccn_field *f)
{
	return at(rec, f->count);
}

/* The array of an F_STRS, F_RECORDS or F_ONE field. */
static void **array_at(const void *rec, const struct uccn_field *f)
{
	return at(rec, f->offset);
}

static void *item_at(void *array, const struct uccn_field *f, size_t i)
{
	return (char *)array + i * f->rec->size;
}

/* ---- presence and counting ---- */

static bool field_set(const void *rec, const struct uccn_field *f)
{
	switch (f->type) {
	case F_STR:
	case F_LINE:
		return *str_at(rec, f) != NULL;
	case F_KEY:
		return *(const char *)at(rec, f->offset) != '\0';
	case F_U32:
		return *(const uint32_t *)at(rec, f->offset) != 0;
	case F_U64:
		return *(const uint64_t *)at(rec, f->offset) != 0;
	case F_I64:
		return *(const int64_t *)at(rec, f->offset) != 0;
	case F_BOOL:
		return *(const bool *)at(rec, f->offset);
	case F_COORD:
		return ((const struct uccn_coord *)at(rec, f->offset))->set;
	case F_IDS:
		return ((const struct uccn_idlist *)at(rec, f->offset))->n > 0;
	case F_STRS:
	case F_RECORDS:
		return *count_at(rec, f) > 0;
	case F_RECORD:
		/* A record with a `has` flag may be left out (FIELD_OPTIONAL). */
		return !f->has || *(const bool *)at(rec, f->has);
	case F_ONE:
		return true;
	case F_BIN:
		return ((const struct uccn_bytes *)at(rec, f->offset))->len > 0;
	}
	return false;
}

static bool field_sent(const void *rec, const struct uccn_field *f)
{
	return !(f->flags & FIELD_OPTIONAL) || field_set(rec, f);
}

int fields_count(const void *rec, const struct uccn_field *fs, size_t n,
		 size_t *count)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++) {
		const struct uccn_field *f = &fs[i];
		if (!field_sent(rec, f))
			continue;
		/* A reply that promises one record must hold one. */
		if (f->type == F_ONE && *count_at(rec, f) != 1)
			return UCCN_E_INVALID;
		if (f->type == F_RECORD && f->has && !*(const bool *)at(rec, f->has))
			return UCCN_E_INVALID;
		c++;
	}
	*count = c;
	return 0;
}

/* ---- packing ---- */

static int pack_value(msgpack_packer *pk, const void *rec, const struct uccn_field *f)
{
	const void *p = at(rec, f->offset);
	int rc = 0;
	switch (f->type) {
	case F_STR:
	case F_LINE:
		return mp_pack_str(pk, *str_at(rec, f));
	case F_KEY:
		return mp_pack_str(pk, p);
	case F_U32:
		return msgpack_pack_uint64(pk, *(const uint32_t *)p) ? UCCN_E_NOMEM : 0;
	case F_U64:
		return msgpack_pack_uint64(pk, *(const uint64_t *)p) ? UCCN_E_NOMEM : 0;
	case F_I64:
		return msgpack_pack_int64(pk, *(const int64_t *)p) ? UCCN_E_NOMEM : 0;
	case F_BOOL:
		return (*(const bool *)p ? msgpack_pack_true(pk) : msgpack_pack_false(pk))
			? UCCN_E_NOMEM : 0;
	case F_COORD:
		return msgpack_pack_double(pk, ((const struct uccn_coord *)p)->deg)
			? UCCN_E_NOMEM : 0;
	case F_IDS: {
		const struct uccn_idlist *l = p;
		if (msgpack_pack_array(pk, l->n))
			return UCCN_E_NOMEM;
		for (size_t k = 0; k < l->n && !rc; k++)
			rc = mp_pack_str(pk, l->v[k]);
		return rc;
	}
	case F_STRS: {
		char *const *v = *array_at(rec, f);
		size_t n = *count_at(rec, f);
		if (msgpack_pack_array(pk, n))
			return UCCN_E_NOMEM;
		for (size_t k = 0; k < n && !rc; k++)
			rc = mp_pack_str(pk, v[k]);
		return rc;
	}
	case F_RECORD:
		return fields_pack_record(pk, f->rec, p);
	case F_RECORDS: {
		void *v = *array_at(rec, f);
		size_t n = *count_at(rec, f);
		if (msgpack_pack_array(pk, n))
			return UCCN_E_NOMEM;
		for (size_t k = 0; k < n && !rc; k++)
			rc = fields_pack_record(pk, f->rec, item_at(v, f, k));
		return rc;
	}
	case F_ONE:
		return fields_pack_record(pk, f->rec, *array_at(rec, f));
	case F_BIN: {
		const struct uccn_bytes *b = p;
		return msgpack_pack_bin(pk, b->len) || (b->len && msgpack_pack_bin_body(pk, b->data,
											b->len))
			? UCCN_E_NOMEM : 0;
	}
	}
	return UCCN_E_INTERNAL;
}

int fields_pack(msgpack_packer *pk, const void *rec,
		const struct uccn_field *fs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!field_sent(rec, &fs[i]))
			continue;
		int rc = mp_pack_str(pk, fs[i].name);
		if (!rc)
			rc = pack_value(pk, rec, &fs[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int fields_pack_record(msgpack_packer *pk, const struct uccn_record_type *t,
		       const void *rec)
{
	size_t n;
	int rc = fields_count(rec, t->fields, t->nfields, &n);
	if (rc)
		return rc;
	if (msgpack_pack_map(pk, n))
		return UCCN_E_NOMEM;
	return fields_pack(pk, rec, t->fields, t->nfields);
}

/* ---- reading ---- */

/* The rule an F_IDS item obeys, told by the field's limit. */
static bool ids_item_valid(const struct uccn_field *f, const char *item)
{
	switch (f->max) {
	case UCCN_MAX_FIELD: return uccn_field_name_valid(item);
	case UCCN_MAX_AUDIENCE_SPEC: return uccn_audience_valid(item);
	default: return uccn_id_valid(item);
	}
}

static int read_ids(const msgpack_object *v, struct uccn_idlist *l,
		    const struct uccn_field *f, char *err, size_t errlen)
{
	if (v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (v->type != MSGPACK_OBJECT_ARRAY)
		return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s': not an array", f->name);
	if (v->via.array.size > UCCN_MAX_LIST)
		return mp_fail(err, errlen, UCCN_E_TOOBIG, "field '%s': more than %d items",
			       f->name, UCCN_MAX_LIST);
	for (uint32_t k = 0; k < v->via.array.size; k++) {
		char *item = NULL;
		int rc = mp_read_str(&v->via.array.ptr[k], f->name, f->max, true, &item, err, errlen);
		if (rc)
			return rc;
		if (!item)
			return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s': nil item", f->name);
		rc = ids_item_valid(f, item) ? uccn_idlist_add(l, item) : UCCN_E_INVALID;
		if (rc == UCCN_E_EXISTS || rc == UCCN_E_INVALID)
			rc = mp_fail(err, errlen, UCCN_E_INVALID, rc == UCCN_E_EXISTS ?
				     "field '%s': '%s' appears twice" :
				     "field '%s': '%s' is not a valid name", f->name, item);
		else if (rc)
			rc = mp_fail(err, errlen, rc, "out of memory");
		free(item);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_coord(const msgpack_object *v, struct uccn_coord *c,
		      const struct uccn_field *f, char *err, size_t errlen)
{
	double d;
	if (v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (v->type == MSGPACK_OBJECT_FLOAT64 || v->type == MSGPACK_OBJECT_FLOAT32)
		d = v->via.f64;
	else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		d = (double)v->via.u64;
	else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		d = (double)v->via.i64;
	else
		return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s': not a number", f->name);
	/* NaN fails both comparisons. */
	if (!(d >= -(double)f->max && d <= (double)f->max))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "field '%s': not between -%llu and %llu degrees", f->name,
			       (unsigned long long)f->max, (unsigned long long)f->max);
	c->set = true;
	c->deg = d;
	return 0;
}

static int read_key(const msgpack_object *v, char *key, const struct uccn_field *f,
		    char *err, size_t errlen)
{
	char *s = NULL;
	int rc = mp_read_str(v, f->name, f->max, true, &s, err, errlen);
	if (rc)
		return rc;
	if (s && !uccn_key_z85_valid(s)) {
		free(s);
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "field '%s': not a Z85 public key of 40 characters", f->name);
	}
	if (s)
		memcpy(key, s, UCCN_KEY_Z85_LEN + 1);
	free(s);
	return 0;
}

/* The array value of a list field: NULL with 0 for nil, which only an
 * optional list may be. */
static int list_value(const msgpack_object *v, const struct uccn_field *f,
		      const msgpack_object_array **out, char *err, size_t errlen)
{
	*out = NULL;
	if (v->type == MSGPACK_OBJECT_NIL && !(f->flags & FIELD_REQUIRED))
		return 0;
	if (v->type != MSGPACK_OBJECT_ARRAY)
		return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s': not an array", f->name);
	*out = &v->via.array;
	return 0;
}

static int read_strs(const msgpack_object *v, void *rec, const struct uccn_field *f,
		     char *err, size_t errlen)
{
	const msgpack_object_array *a;
	int rc = list_value(v, f, &a, err, errlen);
	if (rc || !a || a->size == 0)
		return rc;
	char **items = calloc(a->size, sizeof *items);
	if (!items)
		return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
	*array_at(rec, f) = items;
	size_t *n = count_at(rec, f);
	for (uint32_t i = 0; i < a->size; i++) {
		if ((rc = mp_read_str(&a->ptr[i], f->name, f->max, true, &items[i], err, errlen)))
			return rc;
		(*n)++;
		if (!items[i])
			return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s': nil", f->name);
	}
	return 0;
}

static int read_records(const msgpack_object *v, void *rec, const struct uccn_field *f,
			char *err, size_t errlen)
{
	const msgpack_object_array *a;
	int rc = list_value(v, f, &a, err, errlen);
	if (rc || !a)
		return rc;
	/* Before anything is allocated for them. */
	if (f->max && a->size > f->max) {
		if (f->whole)
			return mp_fail(err, errlen, UCCN_E_TOOBIG, "%u %s in one %s; at most %llu",
				       a->size, f->rec->plural, f->whole,
				       (unsigned long long)f->max);
		return mp_fail(err, errlen, UCCN_E_TOOBIG, "more than %llu %s",
			       (unsigned long long)f->max, f->rec->plural);
	}
	if (a->size == 0)
		return 0;
	void *items = calloc(a->size, f->rec->size);
	if (!items)
		return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
	*array_at(rec, f) = items;
	size_t *n = count_at(rec, f);
	for (uint32_t i = 0; i < a->size; i++) {
		char why[256];
		char *e = f->whole ? why : err;
		size_t elen = f->whole ? sizeof why : errlen;
		void *item = item_at(items, f, i);
		rc = fields_read_record(&a->ptr[i], f->rec, item, e, elen);
		if (!rc) {
			(*n)++; /* owned from here on, freed with the rest */
			if (f->item_check)
				rc = f->item_check(item, e, elen);
		}
		if (rc && f->whole && f->index_at)
			*(uint64_t *)at(rec, f->index_at) = i + 1;
		if (rc && f->whole)
			return mp_fail(err, errlen, rc, "%s %u of the %s: %s", f->rec->what,
				       i + 1, f->whole, why);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_bin(const msgpack_object *v, struct uccn_bytes *out,
		    const struct uccn_field *f, char *err, size_t errlen)
{
	if (v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (v->type != MSGPACK_OBJECT_BIN)
		return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s': not bytes (bin)",
			       f->name);
	if (v->via.bin.size > f->max)
		return mp_fail(err, errlen, UCCN_E_TOOBIG, "field '%s': longer than %llu bytes",
			       f->name, (unsigned long long)f->max);
	if (!v->via.bin.size)
		return 0;
	if (!(out->data = malloc(v->via.bin.size)))
		return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
	memcpy(out->data, v->via.bin.ptr, v->via.bin.size);
	out->len = v->via.bin.size;
	return 0;
}

static int read_value(const msgpack_object *v, void *rec, const struct uccn_field *f,
		      char *err, size_t errlen)
{
	void *p = at(rec, f->offset);
	uint64_t u = 0;
	int64_t i = 0;
	int rc;
	switch (f->type) {
	case F_STR:
	case F_LINE:
		return mp_read_str(v, f->name, f->max, f->type == F_LINE, p, err, errlen);
	case F_KEY:
		return read_key(v, p, f, err, errlen);
	case F_U32:
	case F_U64:
		if ((rc = mp_read_uint(v, f->name, f->max, &u, err, errlen)))
			return rc;
		if ((f->flags & FIELD_NONZERO) && u == 0 && v->type != MSGPACK_OBJECT_NIL)
			return mp_fail(err, errlen, UCCN_E_INVALID,
				       "field '%s': 1 to %llu when present; leave it out for none",
				       f->name, (unsigned long long)f->max);
		if (f->type == F_U32)
			*(uint32_t *)p = (uint32_t)u;
		else
			*(uint64_t *)p = u;
		return 0;
	case F_I64:
		if ((rc = mp_read_int(v, f->name, 0, (int64_t)f->max, &i, err, errlen)))
			return rc;
		*(int64_t *)p = i;
		return 0;
	case F_BOOL:
		return mp_read_bool(v, f->name, p, err, errlen);
	case F_COORD:
		return read_coord(v, p, f, err, errlen);
	case F_IDS:
		return read_ids(v, p, f, err, errlen);
	case F_STRS:
		return read_strs(v, rec, f, err, errlen);
	case F_RECORD:
		if ((rc = fields_read_record(v, f->rec, p, err, errlen)))
			return rc;
		if (f->has)
			*(bool *)at(rec, f->has) = true;
		return 0;
	case F_RECORDS:
		return read_records(v, rec, f, err, errlen);
	case F_ONE:
		if (!(*array_at(rec, f) = calloc(1, f->rec->size)))
			return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
		if ((rc = fields_read_record(v, f->rec, *array_at(rec, f), err, errlen)))
			return rc;
		*count_at(rec, f) = 1;
		return 0;
	case F_BIN:
		return read_bin(v, p, f, err, errlen);
	}
	return UCCN_E_INTERNAL;
}

static int missing(const struct uccn_field *f, char *err, size_t errlen)
{
	if (f->missing)
		return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s' is missing: %s",
			       f->name, f->missing);
	return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s' is missing", f->name);
}

int fields_read(const msgpack_object *m, void *rec, const struct uccn_field *fs,
		size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct uccn_field *f = &fs[i];
		const msgpack_object *v = mp_map_get(m, f->name);
		int rc;
		if (!v) {
			if (f->flags & FIELD_REQUIRED)
				return missing(f, err, errlen);
			continue;
		}
		if ((rc = read_value(v, rec, f, err, errlen)))
			return rc;
		if ((f->flags & FIELD_REQUIRED) && (f->type == F_STR || f->type == F_LINE ||
						    f->type == F_KEY) && !field_set(rec, f))
			return missing(f, err, errlen);
	}
	return 0;
}

int fields_read_record(const msgpack_object *o, const struct uccn_record_type *t,
		       void *rec, char *err, size_t errlen)
{
	int rc = mp_check_map(o, t->what, err, errlen);
	if (rc)
		return rc;
	/* In the order of the input: the first bad key sent is the one named. */
	for (uint32_t k = 0; k < o->via.map.size; k++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[k];
		for (size_t i = 0; i < t->nfields; i++) {
			if (!mp_key_is(&kv->key, t->fields[i].name))
				continue;
			rc = read_value(&kv->val, rec, &t->fields[i], err, errlen);
			if (rc) {
				fields_clear_record(t, rec);
				return rc;
			}
			break;
		}
	}
	return 0;
}

/* ---- clearing and copying ---- */

void fields_clear_record(const struct uccn_record_type *t, void *rec)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const struct uccn_field *f = &t->fields[i];
		switch (f->type) {
		case F_STR:
		case F_LINE:
			free(*str_at(rec, f));
			break;
		case F_IDS:
			uccn_idlist_clear(at(rec, f->offset));
			break;
		case F_STRS: {
			char **v = *array_at(rec, f);
			for (size_t k = 0; k < *count_at(rec, f); k++)
				free(v[k]);
			free(v);
			break;
		}
		case F_RECORD:
			fields_clear_record(f->rec, at(rec, f->offset));
			break;
		case F_BIN:
			free(((struct uccn_bytes *)at(rec, f->offset))->data);
			break;
		case F_RECORDS:
		case F_ONE: {
			void *v = *array_at(rec, f);
			for (size_t k = 0; k < *count_at(rec, f); k++)
				fields_clear_record(f->rec, item_at(v, f, k));
			free(v);
			break;
		}
		default:
			break;
		}
	}
	memset(rec, 0, t->size);
}

int fields_copy_record(const struct uccn_record_type *t, void *dst,
		       const void *src)
{
	memcpy(dst, src, t->size);
	/* dst owns nothing until each copy is made, so a failure half-way can
	 * clear it. */
	for (size_t i = 0; i < t->nfields; i++) {
		const struct uccn_field *f = &t->fields[i];
		assert(f->type != F_STRS && f->type != F_RECORD &&
		       f->type != F_RECORDS && f->type != F_ONE);
		if (f->type == F_IDS)
			*(struct uccn_idlist *)at(dst, f->offset) = (struct uccn_idlist){0};
		else if (f->type == F_STR || f->type == F_LINE)
			*str_at(dst, f) = NULL;
	}
	for (size_t i = 0; i < t->nfields; i++) {
		const struct uccn_field *f = &t->fields[i];
		if (f->type == F_IDS) {
			const struct uccn_idlist *from = at(src, f->offset);
			for (size_t k = 0; k < from->n; k++)
				if (uccn_idlist_add(at(dst, f->offset), from->v[k]) == UCCN_E_NOMEM)
					goto nomem;
		} else if (f->type == F_STR || f->type == F_LINE) {
			const char *s = *str_at(src, f);
			if (s && !(*str_at(dst, f) = strdup(s)))
				goto nomem;
		}
	}
	return 0;
nomem:
	fields_clear_record(t, dst);
	return UCCN_E_NOMEM;
}
