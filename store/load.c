/*
 * load.c - uccnd --load: a dump (docs/dump-format.md) into a data directory
 * that holds no store, all or nothing. The whole file is read and every
 * line checked first, so a bad line is named before anything is created;
 * then every record goes in, sealed, in one transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"
#include "uccn_error.h"
#include "uccn_json.h"

#define KEY_MAX 511 /* LMDB's default largest key */

struct loader {
	FILE *in;
	const char *name;   /* the file, for the reasons */
	char *line;
	size_t cap;
	unsigned long lineno;
	long body_at;       /* where the records begin */
	uint64_t want[DUMP_TABLES], got[DUMP_TABLES];
	uint64_t last_seq;  /* the header's: no sequence key may pass it */
	unsigned char key[KEY_MAX + 1];
	size_t key_len;
	msgpack_sbuffer val;
};

static int bad(struct loader *l, const char *what)
{
	store_error("%s: line %lu: %s; nothing was loaded", l->name, l->lineno, what);
	return UCCN_E_INVALID;
}

static const struct uccn_jv *member(const struct uccn_jv *o, const char *key, enum uccn_jtype t)
{
	const struct uccn_jv *v = uccn_json_get(o, key);
	return v && v->type == t ? v : NULL;
}

static bool put_key(struct loader *l, const void *p, size_t n)
{
	if (l->key_len + n > KEY_MAX)
		return false;
	memcpy(l->key + l->key_len, p, n);
	l->key_len += n;
	return true;
}

static bool put_seq(struct loader *l, uint64_t seq)
{
	unsigned char b[8];
	seq_encode(seq, b);
	return put_key(l, b, 8);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool encode_key(struct loader *l, enum dump_key how, const struct uccn_jv *k)
{
	const struct uccn_jv *a = k->type == UCCN_JARRAY && k->len == 2 ? &k->items[0] : NULL;
	const struct uccn_jv *b = a ? &k->items[1] : NULL;
	l->key_len = 0;
	switch (how) {
	case DK_SEQ:
		return k->type == UCCN_JUINT && k->u && k->u <= l->last_seq && put_seq(l, k->u);
	case DK_STR:
		return k->type == UCCN_JSTR && k->len && put_key(l, k->s, k->len);
	case DK_PAIR:
		return a && a->type == UCCN_JSTR && b->type == UCCN_JSTR &&
		       put_key(l, a->s, a->len) && put_key(l, "", 1) && put_key(l, b->s, b->len);
	case DK_STR_NUM:
		return a && a->type == UCCN_JSTR && b->type == UCCN_JUINT &&
		       put_key(l, a->s, a->len) && put_key(l, "", 1) && put_seq(l, b->u);
	case DK_HEX:
		if (k->type != UCCN_JSTR || k->len == 0 || k->len % 2)
			return false;
		for (size_t i = 0; i < k->len; i += 2) {
			int hi = hexval(k->s[i]), lo = hexval(k->s[i + 1]);
			unsigned char byte = (unsigned char)(hi << 4 | lo);
			if (hi < 0 || lo < 0 || !put_key(l, &byte, 1))
				return false;
		}
		return true;
	case DK_CHAIN: {
		const char *colon = k->type == UCCN_JSTR ? memchr(k->s, ':', k->len) : NULL;
		for (int ch = 0; colon && ch < CH_COUNT; ch++)
			if ((size_t)(colon - k->s) == strlen(store_chain_words[ch]) &&
			    memcmp(k->s, store_chain_words[ch], (size_t)(colon - k->s)) == 0) {
				size_t idl = k->len - (size_t)(colon - k->s) - 1;
				return idl > 0 && put_key(l, &"ckpm"[ch], 1) &&
				       put_key(l, colon + 1, idl);
			}
		return false;
	}
	}
	return false;
}

static bool val_bytes(struct loader *l, const void *p, size_t n)
{
	return n == 0 || msgpack_sbuffer_write(&l->val, p, n) == 0;
}

static bool val_seq(struct loader *l, const struct uccn_jv *v)
{
	unsigned char b[8];
	if (!v || v->type != UCCN_JUINT)
		return false;
	seq_encode(v->u, b);
	return val_bytes(l, b, 8);
}

/* A record as msgpack, which must decode as the table's record does. */
static bool val_record(struct loader *l, enum dbi_slot db, const struct uccn_jv *v)
{
	msgpack_packer pk;
	size_t at = l->val.size;
	msgpack_packer_init(&pk, &l->val, msgpack_sbuffer_write);
	if (!v || (v->type != UCCN_JOBJECT && v->type != UCCN_JARRAY) || uccn_json_pack(v, &pk))
		return false;
	MDB_val rec = val_of(l->val.data + at, l->val.size - at);
	union {
		struct uccn_city c;
		struct uccn_post p;
		struct uccn_project pr;
		struct uccn_meeting m;
	} r;
	memset(&r, 0, sizeof r);
	int rc = 0;
	switch (db) {
	case DB_CITIES: case DB_IMPORTED:
		rc = store_decode(&rec, &r.c, REC_CITY);
		uccn_city_clear(&r.c);
		break;
	case DB_POSTS:
		rc = store_decode(&rec, &r.p, REC_POST);
		uccn_post_clear(&r.p);
		break;
	case DB_PROJECTS:
		rc = store_decode(&rec, &r.pr, REC_PROJECT);
		uccn_project_clear(&r.pr);
		break;
	case DB_MEETINGS:
		rc = store_decode(&rec, &r.m, REC_MEETING);
		uccn_meeting_clear(&r.m);
		break;
	default:
		break;
	}
	return rc == 0;
}

static bool encode_value(struct loader *l, const struct dump_table *dt, const struct uccn_jv *v)
{
	const struct uccn_jv *x, *y;
	unsigned char b[8];
	l->val.size = 0;
	switch (dt->val) {
	case DV_RECORD:
		return val_record(l, dt->db, v);
	case DV_POST:
		x = member(v, "links", UCCN_JARRAY);
		if (!x || x->len != CH_COUNT)
			return false;
		for (size_t i = 0; i < CH_COUNT; i++)
			if (!val_seq(l, &x->items[i]))
				return false;
		return val_record(l, DB_POSTS, uccn_json_get(v, "record"));
	case DV_SEQ:
		return val_seq(l, v);
	case DV_STR:
		return v->type == UCCN_JSTR && v->len && val_bytes(l, v->s, v->len);
	case DV_HEAD:
		return val_seq(l, member(v, "newest", UCCN_JUINT)) &&
		       val_seq(l, member(v, "length", UCCN_JUINT));
	case DV_INVITE:
		x = member(v, "used", UCCN_JUINT);
		y = member(v, "city", UCCN_JSTR);
		if (!x || x->u > 255 || !y || !val_seq(l, member(v, "expires_ms", UCCN_JUINT)))
			return false;
		b[0] = (unsigned char)x->u;
		return val_bytes(l, b, 1) && val_bytes(l, y->s, y->len);
	}
	return false;
}

/* The next line into l->line (its newline gone): 1, 0 at the end, or our
 * code for a line cut short (no newline: the file ends mid-record). */
static int next_line(struct loader *l, size_t *len)
{
	errno = 0;
	ssize_t n = getline(&l->line, &l->cap, l->in);
	if (n < 0) {
		if (errno == ENOMEM)
			return UCCN_E_NOMEM;
		if (ferror(l->in)) {
			store_error("%s: cannot read: %s", l->name, strerror(errno));
			return UCCN_E_IO;
		}
		return 0;
	}
	l->lineno++;
	if (n == 0 || l->line[n - 1] != '\n')
		return bad(l, "the line does not end: the dump is cut short");
	l->line[--n] = '\0';
	*len = (size_t)n;
	return 1;
}

static int read_header(struct loader *l)
{
	char why[200];
	size_t n;
	struct uccn_jv *h = NULL;
	int rc = next_line(l, &n);
	if (rc <= 0)
		return rc ? rc : bad(l, "the file is empty, not a dump");
	if (uccn_json_parse(l->line, n, &h, why, sizeof why))
		return bad(l, "not JSON, so not a dump's header");
	const struct uccn_jv *ver = member(h, "uccn_dump", UCCN_JUINT);
	const struct uccn_jv *fmt = member(h, "format", UCCN_JUINT);
	const struct uccn_jv *counts = member(h, "counts", UCCN_JOBJECT);
	const struct uccn_jv *last = member(h, "last_seq", UCCN_JUINT);
	rc = 0;
	if (!ver || !counts || !fmt || !last)
		rc = bad(l, "not a dump's header {\"uccn_dump\": 1, \"format\": ..., "
			 "\"last_seq\": ..., \"counts\": ...}");
	else if (ver->u != UCCN_DUMP_VERSION || fmt->u != STORE_FORMAT)
		rc = bad(l, "a dump of another version or data format than this uccnd reads");
	else
		l->last_seq = last->u;
	for (int i = 0; !rc && i < DUMP_TABLES; i++) {
		const struct uccn_jv *c =
			member(counts, store_table_name(store_dump_tables[i].db), UCCN_JUINT);
		if (!c)
			rc = bad(l, "the header's counts miss a table");
		else
			l->want[i] = c->u;
	}
	uccn_json_free(&h);
	return rc;
}

/* Read every record line; with t, write each. */
static int read_records(struct loader *l, struct uccn_txn *t)
{
	char why[200], what[300];
	size_t n;
	int rc;
	memset(l->got, 0, sizeof l->got);
	while ((rc = next_line(l, &n)) == 1) {
		struct uccn_jv *r = NULL;
		if (uccn_json_parse(l->line, n, &r, why, sizeof why)) {
			snprintf(what, sizeof what, "not JSON (%s)", why);
			return bad(l, what);
		}
		const struct uccn_jv *tn = member(r, "table", UCCN_JSTR), *k = uccn_json_get(r, "key"),
				     *v = uccn_json_get(r, "value");
		int i = 0, err = 0;
		while (tn && i < DUMP_TABLES && strcmp(tn->s, store_table_name(store_dump_tables[i].db)))
			i++;
		if (!tn || i == DUMP_TABLES)
			err = bad(l, "not a record of a table the dump holds");
		else if (!k || !encode_key(l, store_dump_tables[i].key, k))
			err = bad(l, "its key is not one of its table's keys");
		else if (!v || !encode_value(l, &store_dump_tables[i], v))
			err = bad(l, "its value is not one of its table's values");
		uccn_json_free(&r);
		if (err)
			return err;
		l->got[i]++;
		if (t) {
			MDB_val mk = val_of(l->key, l->key_len), mv = val_of(l->val.data, l->val.size);
			if ((err = store_put(t, store_dump_tables[i].db, &mk, &mv, 0)))
				return err;
		}
	}
	if (rc)
		return rc;
	for (int i = 0; i < DUMP_TABLES; i++)
		if (l->got[i] != l->want[i]) {
			l->lineno++;
			snprintf(what, sizeof what,
				 "the dump ends with %llu records of table %s, its header counts %llu: "
				 "it is cut short", (unsigned long long)l->got[i],
				 store_table_name(store_dump_tables[i].db),
				 (unsigned long long)l->want[i]);
			return bad(l, what);
		}
	return 0;
}

static int load_all(struct uccn_txn *t, void *ctx)
{
	struct loader *l = ctx;
	/* Run again after the map grew: from the first record. */
	if (fseek(l->in, l->body_at, SEEK_SET))
		return UCCN_E_IO;
	l->lineno = 1;
	/* A new store starts with the default fields: the dump says which. */
	int rc = mdb_drop(t->cur, t->s->dbi[DB_FIELDS], 0);
	if (rc)
		return store_map_rc(rc);
	return read_records(l, t);
}

int uccn_store_load(const char *dir, FILE *in, const char *name, char *err, size_t errlen)
{
	struct loader l = {.in = in, .name = name};
	struct uccn_store *s = NULL;
	char path[4096];
	struct stat st;
	int rc;
	msgpack_sbuffer_init(&l.val);
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	if (stat(path, &st) == 0 && st.st_size > 0) {
		store_error("%s already holds a store: --load fills an empty data directory only",
			    dir);
		rc = UCCN_E_EXISTS;
		goto out;
	}
	if ((rc = read_header(&l)))
		goto out;
	l.body_at = ftell(in);
	if (l.body_at < 0) {
		store_error("%s: the dump must be a file, not a pipe", name);
		rc = UCCN_E_INVALID;
		goto out;
	}
	/* Every line checked before anything is made. */
	if ((rc = read_records(&l, NULL)))
		goto out;
	snprintf(path, sizeof path, "%s/lock.mdb", dir);
	bool had_lock = access(path, F_OK) == 0;
	if ((rc = uccn_store_open(&s, dir, 0, NULL, 0)) == 0)
		rc = uccn_store_write(s, load_all, &l);
	uccn_store_close(&s);
	if (rc) {
		char why[300];
		snprintf(why, sizeof why, "%s", uccn_store_last_error(NULL));
		/* Nothing of a failed load stays. */
		snprintf(path, sizeof path, "%s/data.mdb", dir);
		unlink(path);
		snprintf(path, sizeof path, "%s/lock.mdb", dir);
		if (!had_lock)
			unlink(path);
		store_error("%s", why);
	}
out:
	free(l.line);
	msgpack_sbuffer_destroy(&l.val);
	if (rc && err && errlen)
		snprintf(err, errlen, "%s", uccn_store_last_error(NULL));
	return rc;
}
