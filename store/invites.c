/*
 * invites.c - invitations: the hash of a one-time secret, the city it lets
 * enrol a key for, its expiry, and whether it was used. One use at most:
 * taking one marks it inside the caller's transaction, so the use and what
 * it allowed (the city's new key) commit or vanish together.
 */
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

#define VAL_HEAD 9 /* expiry (8 bytes, ms, big-endian), used (1 byte) */

struct invite_val {
	int64_t expires_ms;
	bool used;
	char city[UCCN_MAX_ID + 1];
};

const char *uccn_store_invite_verdict_name(enum uccn_invite_verdict v)
{
	switch (v) {
	case UCCN_INVITE_OK: return "valid";
	case UCCN_INVITE_UNKNOWN: return "unknown";
	case UCCN_INVITE_USED: return "used already";
	case UCCN_INVITE_EXPIRED: return "expired";
	case UCCN_INVITE_OTHER_CITY: return "for another city";
	}
	return "?";
}

static int val_read(const MDB_val *v, struct invite_val *out)
{
	const unsigned char *p = v->mv_data;
	if (v->mv_size <= VAL_HEAD || v->mv_size > VAL_HEAD + UCCN_MAX_ID || p[8] > 1)
		return UCCN_E_CORRUPT;
	out->expires_ms = (int64_t)be64(p);
	out->used = p[8] == 1;
	memcpy(out->city, p + VAL_HEAD, v->mv_size - VAL_HEAD);
	out->city[v->mv_size - VAL_HEAD] = '\0';
	return 0;
}

static int val_put(struct uccn_txn *t, const unsigned char *hash, const struct invite_val *iv,
		   unsigned flags)
{
	unsigned char buf[VAL_HEAD + UCCN_MAX_ID];
	size_t cl = strlen(iv->city);
	seq_encode((uint64_t)iv->expires_ms, buf);
	buf[8] = iv->used ? 1 : 0;
	memcpy(buf + VAL_HEAD, iv->city, cl);
	MDB_val k = val_of(hash, UCCN_STORE_INVITE_HASH), v = val_of(buf, VAL_HEAD + cl);
	return store_put(t, DB_INVITES, &k, &v, flags);
}

static int put_in(struct uccn_txn *t, const unsigned char *hash, const char *city,
		  int64_t expires_ms)
{
	struct invite_val iv = {.expires_ms = expires_ms};
	MDB_val k, v;
	if (!uccn_id_valid(city) || expires_ms <= 0)
		return store_reason(t, UCCN_E_INVALID, "an invitation needs a city id and an expiry");
	k = str_val(city);
	if (mdb_get(t->cur, t->s->dbi[DB_CITIES], &k, &v) != 0)
		return store_reason(t, UCCN_E_NOTFOUND, "city '%s' does not exist", city);
	memcpy(iv.city, city, strlen(city) + 1);
	int rc = val_put(t, hash, &iv, MDB_NOOVERWRITE);
	return rc == UCCN_E_EXISTS ? store_reason(t, rc, "that invitation exists already") : rc;
}

int uccn_store_invite_put(struct uccn_txn *t, const unsigned char hash[UCCN_STORE_INVITE_HASH],
			  const char *city, int64_t expires_ms)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, put_in(t, hash, city, expires_ms));
}

static int take_in(struct uccn_txn *t, const unsigned char *hash, const char *city,
		   int64_t now_ms, enum uccn_invite_verdict *verdict)
{
	struct invite_val iv;
	MDB_val k = val_of(hash, UCCN_STORE_INVITE_HASH), v;
	int rc = store_get(t, DB_INVITES, &k, &v);
	*verdict = UCCN_INVITE_UNKNOWN;
	if (rc == UCCN_E_NOTFOUND)
		return UCCN_E_DENIED;
	if (rc)
		return rc;
	if ((rc = val_read(&v, &iv)))
		return rc;
	if (strcmp(iv.city, city) != 0)
		*verdict = UCCN_INVITE_OTHER_CITY;
	else if (iv.used)
		*verdict = UCCN_INVITE_USED;
	else if (iv.expires_ms <= now_ms)
		*verdict = UCCN_INVITE_EXPIRED;
	else
		*verdict = UCCN_INVITE_OK;
	if (*verdict != UCCN_INVITE_OK)
		return UCCN_E_DENIED;
	iv.used = true;
	return val_put(t, hash, &iv, 0);
}

int uccn_store_invite_take(struct uccn_txn *t, const unsigned char hash[UCCN_STORE_INVITE_HASH],
			   const char *city, int64_t now_ms, enum uccn_invite_verdict *verdict)
{
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	return store_op_end(t, take_in(t, hash, city, now_ms, verdict));
}

/* Walk the table: with del, remove what expired before now_ms; count into
 * *n what is expired (del) or still pending (!del). */
static int walk(struct uccn_txn *t, int64_t now_ms, bool del, uint64_t *n)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(t->cur, t->s->dbi[DB_INVITES], &c);
	*n = 0;
	if (rc)
		return store_map_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct invite_val iv;
		/* A damaged one counts as expired: it can never be taken. */
		bool expired = store_unseal(NULL, DB_INVITES, &k, &v) != 0 ||
			       val_read(&v, &iv) != 0 || iv.expires_ms <= now_ms;
		if (del && expired) {
			if ((rc = mdb_cursor_del(c, 0)))
				break;
			(*n)++;
		} else if (!del && !expired && !iv.used) {
			(*n)++;
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : store_map_rc(rc);
}

int uccn_store_invite_expire(struct uccn_txn *t, int64_t now_ms, uint64_t *removed)
{
	uint64_t n = 0;
	int rc = store_op_begin(t);
	if (rc)
		return rc;
	rc = store_op_end(t, walk(t, now_ms, true, &n));
	if (removed)
		*removed = rc ? 0 : n;
	return rc;
}

int uccn_store_invite_pending(struct uccn_txn *t, int64_t now_ms, uint64_t *n)
{
	return walk(t, now_ms, false, n);
}
