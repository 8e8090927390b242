/*
 * agendas.c - the published versions of each meeting's agenda: publishing
 * one (the version and the meeting's new status, in one operation) and
 * reading one back. Who hears of it, and in what words, is the daemon's.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

static size_t agenda_key(const char *meeting, uint64_t version, unsigned char *buf)
{
	size_t n = strlen(meeting);
	memcpy(buf, meeting, n);
	buf[n] = '\0';
	seq_encode(version, buf + n + 1);
	return n + 9;
}

/* The newest version of meeting's agenda, 0 when none was published. */
static int agenda_latest(struct uccn_txn *t, const char *meeting, uint64_t *version)
{
	unsigned char kb[UCCN_MAX_ID + 9];
	MDB_cursor *c;
	MDB_val k = val_of(kb, agenda_key(meeting, UINT64_MAX, kb)), v;
	size_t n = strlen(meeting);
	*version = 0;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_AGENDAS], &c);
	if (rc)
		return store_map_rc(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	rc = rc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == n + 9 && memcmp(k.mv_data, meeting, n) == 0 &&
	    ((unsigned char *)k.mv_data)[n] == '\0') {
		MDB_val vv = val_of((unsigned char *)k.mv_data + n + 1, 8);
		*version = seq_decode(&vv);
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_map_rc(rc);
}

int uccn_store_agenda_get(struct uccn_txn *t, const char *meeting, uint64_t version,
			  struct uccn_agenda_pub *out)
{
	unsigned char kb[UCCN_MAX_ID + 9];
	msgpack_unpacked u;
	size_t off = 0;
	int rc;
	if (!meeting[0] || strlen(meeting) > UCCN_MAX_ID)
		return UCCN_E_NOTFOUND;
	if (version == 0 && ((rc = agenda_latest(t, meeting, &version)) || version == 0))
		return rc ? rc : UCCN_E_NOTFOUND;
	MDB_val k = val_of(kb, agenda_key(meeting, version, kb)), v;
	if ((rc = store_get(t, DB_AGENDAS, &k, &v)))
		return rc;
	if (uccn_msgpack_scan(v.mv_data, v.mv_size, UCCN_MAX_DEPTH, UCCN_MAX_REPLY_OBJECTS, NULL, 0))
		return UCCN_E_CORRUPT;
	msgpack_unpacked_init(&u);
	rc = UCCN_E_CORRUPT;
	if (msgpack_unpack_next(&u, v.mv_data, v.mv_size, &off) == MSGPACK_UNPACK_SUCCESS &&
	    off == v.mv_size && uccn_agenda_pub_from_object(&u.data, out, NULL, 0) == 0)
		rc = 0;
	msgpack_unpacked_destroy(&u);
	return rc;
}

/* Pack agenda rec and refuse it unless it reads back: never store what
 * cannot be read. */
static int agenda_pack(struct uccn_txn *t, const struct uccn_agenda_pub *rec,
		       msgpack_sbuffer *b)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, b, msgpack_sbuffer_write);
	int rc = uccn_agenda_pub_pack(&pk, rec);
	if (!rc) {
		char why[256];
		msgpack_unpacked u;
		size_t off = 0;
		struct uccn_agenda_pub back = {0};
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, b->data, b->size, &off) != MSGPACK_UNPACK_SUCCESS)
			rc = store_reason(t, UCCN_E_INVALID, "the agenda cannot be encoded");
		else if (uccn_agenda_pub_from_object(&u.data, &back, why, sizeof why))
			rc = store_reason(t, UCCN_E_INVALID, "the agenda is not valid: %s", why);
		uccn_agenda_pub_clear(&back);
		msgpack_unpacked_destroy(&u);
	}
	return rc;
}

static int agenda_publish_in(struct uccn_txn *t, const struct uccn_agenda_pub *a,
			     const char *by, int64_t now_ms, uint64_t *version, uint64_t *seq)
{
	struct uccn_meeting m = {0};
	/* rec lends a's strings to the packer and is never cleared; by gets
	 * a copy of its own, as a record's strings are not const. */
	struct uccn_agenda_pub rec = *a;
	unsigned char kb[UCCN_MAX_ID + 9];
	msgpack_sbuffer b;
	int rc = uccn_store_meeting_get(t, a->meeting, &m);
	if (rc)
		return rc == UCCN_E_NOTFOUND ?
		       store_reason(t, rc, "meeting '%s' does not exist", a->meeting) : rc;
	/* The agenda names its publisher: a city, as a post names its author. */
	MDB_val bk, bv;
	rc = UCCN_E_NOTFOUND;
	if (uccn_id_valid(by)) {
		bk = str_val(by);
		rc = store_map_rc(mdb_get(t->cur, t->s->dbi[DB_CITIES], &bk, &bv));
	}
	if (rc) {
		if (rc == UCCN_E_NOTFOUND)
			store_reason(t, rc, "city '%.80s' is not registered", by);
		goto out;
	}
	if ((rc = agenda_latest(t, a->meeting, version)))
		goto out;
	(*version)++;
	rec.version = *version;
	rec.published_ms = now_ms;
	if (!(rec.by = strdup(by))) {
		rc = UCCN_E_NOMEM;
		goto out;
	}
	msgpack_sbuffer_init(&b);
	rc = agenda_pack(t, &rec, &b);
	MDB_val k = val_of(kb, agenda_key(a->meeting, *version, kb));
	if (!rc)
		rc = store_put_packed(t, DB_AGENDAS, &k, &b, MDB_NOOVERWRITE);
	msgpack_sbuffer_destroy(&b);
	free(rec.by);
	/* The meeting's status, as a versioned change. */
	if (!rc && (rc = store_next_seq(t, seq)) == 0) {
		free(m.status);
		m.status = strdup("agenda-published");
		m.seq = *seq;
		m.version++;
		rc = m.status ? store_meeting_put(t, &m) : UCCN_E_NOMEM;
	}
out:
	uccn_meeting_clear(&m);
	return rc;
}

int uccn_store_agenda_publish(struct uccn_txn *t, const struct uccn_agenda_pub *a,
			      const char *by, int64_t now_ms, uint64_t *version, uint64_t *seq)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, agenda_publish_in(t, a, by, now_ms, version, seq));
}
