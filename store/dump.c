/*
 * dump.c - uccnd --dump: every record of a store as JSON Lines, read in one
 * read-only snapshot (docs/dump-format.md), and the table codecs the dump
 * and its load (load.c) share: how each table's keys and values are
 * written as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"
#include "uccn_json.h"

/* The order of the dump: what others refer to first. */
const struct dump_table store_dump_tables[DUMP_TABLES] = {
	{DB_FIELDS, DK_STR, DV_SEQ},        {DB_CITIES, DK_STR, DV_RECORD},
	{DB_CITY_KEYS, DK_STR, DV_STR},     {DB_IMPORTED, DK_STR, DV_RECORD},
	{DB_PROJECTS, DK_STR, DV_RECORD},   {DB_MEETINGS, DK_STR, DV_RECORD},
	{DB_AGENDAS, DK_STR_NUM, DV_RECORD}, {DB_INVITES, DK_HEX, DV_INVITE},
	{DB_LOG, DK_SEQ, DV_RECORD},        {DB_POSTS, DK_SEQ, DV_POST},
	{DB_IDEM, DK_PAIR, DV_SEQ},         {DB_HEADS, DK_CHAIN, DV_HEAD},
	{DB_MARKS, DK_CHAIN, DV_SEQ},       {DB_MAILBOX, DK_STR, DV_SEQ},
	{DB_ACCESS, DK_SEQ, DV_STR},        {DB_SENDERS, DK_PAIR, DV_SEQ},
};

const char *const store_chain_words[CH_COUNT] = {"city", "kind", "project", "meeting"};

static int write_key(FILE *f, enum dump_key how, const MDB_val *k)
{
	const char *p = k->mv_data, *nul = memchr(p, 0, k->mv_size);
	size_t n = k->mv_size;
	switch (how) {
	case DK_SEQ:
		if (n != 8)
			return -1;
		fprintf(f, "%llu", (unsigned long long)be64(k->mv_data));
		return 0;
	case DK_STR:
		uccn_json_write_str(f, p, n);
		return 0;
	case DK_PAIR:
		if (!nul)
			return -1;
		putc('[', f);
		uccn_json_write_str(f, p, (size_t)(nul - p));
		putc(',', f);
		uccn_json_write_str(f, nul + 1, n - (size_t)(nul - p) - 1);
		putc(']', f);
		return 0;
	case DK_STR_NUM:
		if (!nul || n - (size_t)(nul - p) - 1 != 8)
			return -1;
		putc('[', f);
		uccn_json_write_str(f, p, (size_t)(nul - p));
		fprintf(f, ",%llu]", (unsigned long long)be64((const unsigned char *)nul + 1));
		return 0;
	case DK_HEX:
		putc('"', f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%02x", (unsigned char)p[i]);
		putc('"', f);
		return 0;
	case DK_CHAIN: {
		const char *tag = n > 1 && n <= CHAIN_KEY_MAX ? memchr("ckpm", p[0], 4) : NULL;
		char text[16 + CHAIN_KEY_MAX];
		if (!tag)
			return -1;
		int wl = snprintf(text, sizeof text, "%s:", store_chain_words[tag - "ckpm"]);
		memcpy(text + wl, p + 1, n - 1);
		uccn_json_write_str(f, text, (size_t)wl + n - 1);
		return 0;
	}
	}
	return -1;
}

static int write_record(FILE *f, const void *data, size_t n)
{
	msgpack_unpacked u;
	size_t off = 0;
	int rc = -1;
	if (uccn_msgpack_scan(data, n, UCCN_MAX_DEPTH, UCCN_MAX_REQUEST_OBJECTS, NULL, 0))
		return -1;
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, data, n, &off) == MSGPACK_UNPACK_SUCCESS && off == n)
		rc = uccn_json_write_msgpack(f, &u.data);
	msgpack_unpacked_destroy(&u);
	return rc;
}

static int write_value(FILE *f, enum dump_val how, const MDB_val *v)
{
	const unsigned char *p = v->mv_data;
	size_t n = v->mv_size;
	switch (how) {
	case DV_RECORD:
		return write_record(f, p, n);
	case DV_POST:
		if (n <= LINKS_SIZE)
			return -1;
		fputs("{\"links\":[", f);
		for (int ch = 0; ch < CH_COUNT; ch++)
			fprintf(f, "%s%llu", ch ? "," : "", (unsigned long long)be64(p + 8 * ch));
		fputs("],\"record\":", f);
		if (write_record(f, p + LINKS_SIZE, n - LINKS_SIZE))
			return -1;
		putc('}', f);
		return 0;
	case DV_SEQ:
		if (n != 8)
			return -1;
		fprintf(f, "%llu", (unsigned long long)be64(p));
		return 0;
	case DV_STR:
		uccn_json_write_str(f, (const char *)p, n);
		return 0;
	case DV_HEAD:
		if (n != 16)
			return -1;
		fprintf(f, "{\"newest\":%llu,\"length\":%llu}", (unsigned long long)be64(p),
			(unsigned long long)be64(p + 8));
		return 0;
	case DV_INVITE:
		if (n < 9)
			return -1;
		fprintf(f, "{\"expires_ms\":%llu,\"used\":%u,\"city\":", (unsigned long long)be64(p),
			p[8]);
		uccn_json_write_str(f, (const char *)p + 9, n - 9);
		putc('}', f);
		return 0;
	}
	return -1;
}

static int dump_table(struct uccn_txn *t, const struct dump_table *dt, FILE *f)
{
	MDB_cursor *c;
	MDB_val k, v;
	const char *name = store_table_name(dt->db);
	int rc = mdb_cursor_open(t->cur, t->s->dbi[dt->db], &c);
	if (rc)
		return store_fail(rc, name);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char key[300];
		if (store_unseal(NULL, dt->db, &k, &v)) {
			snprintf(key, sizeof key, "%s", uccn_store_last_error(NULL));
			mdb_cursor_close(c);
			store_error("%s: the dump stops here (uccnd --check names every damaged "
				    "record)", key);
			return UCCN_E_CORRUPT;
		}
		fprintf(f, "{\"table\":\"%s\",\"key\":", name);
		if (write_key(f, dt->key, &k) || (fputs(",\"value\":", f), write_value(f, dt->val, &v))) {
			mdb_cursor_close(c);
			store_error("table %s: a record that cannot be written as JSON", name);
			return UCCN_E_CORRUPT;
		}
		fputs("}\n", f);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : store_fail(rc, name);
}

int uccn_store_dump(const char *dir, FILE *out, char *err, size_t errlen)
{
	struct uccn_store s = {0};
	struct uccn_txn t = {0};
	uint64_t last = 0;
	int rc = store_snapshot_open(&s, &t, dir);
	if (!rc)
		rc = store_last_seq(&t, &last);
	if (rc)
		goto out;
	fprintf(out, "{\"uccn_dump\":%d,\"format\":%d,\"last_seq\":%llu,\"counts\":{",
		UCCN_DUMP_VERSION, STORE_FORMAT, (unsigned long long)last);
	for (int i = 0; i < DUMP_TABLES; i++) {
		MDB_stat st;
		if ((rc = mdb_stat(t.cur, s.dbi[store_dump_tables[i].db], &st))) {
			rc = store_fail(rc, "count the records");
			goto out;
		}
		fprintf(out, "%s\"%s\":%llu", i ? "," : "", store_table_name(store_dump_tables[i].db),
			(unsigned long long)st.ms_entries);
	}
	fputs("}}\n", out);
	for (int i = 0; i < DUMP_TABLES && !rc; i++)
		rc = dump_table(&t, &store_dump_tables[i], out);
	if (!rc && (fflush(out) != 0 || ferror(out))) {
		store_error("cannot write the dump");
		rc = UCCN_E_IO;
	}
out:
	store_snapshot_close(&s, &t);
	if (rc && err && errlen)
		snprintf(err, errlen, "%s", uccn_store_last_error(NULL));
	return rc;
}
