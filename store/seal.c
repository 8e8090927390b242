/*
 * seal.c - the checksum every stored value carries (see "Sealed values"
 * in store_int.h): CRC32C itself, sealing a value as it is written,
 * checking it as it is read, and the reason that names the damaged record.
 */
#include <stdio.h>
#include <string.h>

#include "store_int.h"
#include "uccn_error.h"

/* CRC32C: the Castagnoli polynomial, bit-reflected (0x1EDC6F41 becomes
 * 0x82F63B78), as iSCSI, ext4 and SSE4.2's crc32 instruction use it. */
#define CRC32C_POLY 0x82F63B78u

/* Eight tables: table[0] is the classic byte-at-a-time table; table[j]
 * advances a byte's remainder j more zero bytes, so eight bytes are folded
 * per step ("slicing by 8"). Filled once before main by the constructor:
 * every thread then only reads them. */
static uint32_t crc_table[8][256];

__attribute__((constructor)) static void crc_table_fill(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t r = i;
		for (int b = 0; b < 8; b++)
			r = (r >> 1) ^ (CRC32C_POLY & (0u - (r & 1u)));
		crc_table[0][i] = r;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int j = 1; j < 8; j++)
			crc_table[j][i] = (crc_table[j - 1][i] >> 8) ^
					  crc_table[0][crc_table[j - 1][i] & 0xff];
}

uint32_t store_crc32c_table(uint32_t crc, const void *data, size_t n)
{
	const unsigned char *p = data;
	uint32_t r = ~crc;
	while (n >= 8) {
		/* Little-endian assembly of the first four bytes, whatever the
		 * host's order. */
		uint32_t lo = r ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				   (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		r = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		    crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		    crc_table[3][p[4]] ^ crc_table[2][p[5]] ^
		    crc_table[1][p[6]] ^ crc_table[0][p[7]];
		p += 8;
		n -= 8;
	}
	while (n--)
		r = (r >> 8) ^ crc_table[0][(r ^ *p++) & 0xff];
	return ~r;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* SSE4.2's crc32 instruction computes the same CRC, eight bytes a cycle
 * or so; used when the CPU has it. */
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const void *data,
								size_t n)
{
	const unsigned char *p = data;
	uint64_t r = ~crc;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		r = __builtin_ia32_crc32di(r, w);
		p += 8;
		n -= 8;
	}
	uint32_t r32 = (uint32_t)r;
	while (n--)
		r32 = __builtin_ia32_crc32qi(r32, *p++);
	return ~r32;
}

static bool have_sse42;

__attribute__((constructor)) static void crc_pick(void)
{
	__builtin_cpu_init();
	have_sse42 = __builtin_cpu_supports("sse4.2");
}

uint32_t store_crc32c(uint32_t crc, const void *data, size_t n)
{
	return have_sse42 ? crc32c_sse42(crc, data, n) : store_crc32c_table(crc, data, n);
}
#else
uint32_t store_crc32c(uint32_t crc, const void *data, size_t n)
{
	return store_crc32c_table(crc, data, n);
}
#endif

/* ---- sealed values ---- */

static uint32_t seal_sum(const MDB_val *k, const void *body, size_t n)
{
	return store_crc32c(store_crc32c(0, k->mv_data, k->mv_size), body, n);
}

static void put_be32(unsigned char *p, uint32_t x)
{
	p[0] = (unsigned char)(x >> 24);
	p[1] = (unsigned char)(x >> 16);
	p[2] = (unsigned char)(x >> 8);
	p[3] = (unsigned char)x;
}

void store_seal_finish(const MDB_val *k, unsigned char *val, size_t body)
{
	put_be32(val + body, seal_sum(k, val, body));
}

MDB_val store_seal_into(const MDB_val *k, const void *body, size_t n, unsigned char *buf)
{
	memmove(buf, body, n);
	store_seal_finish(k, buf, n);
	return val_of(buf, n + SEAL_SIZE);
}

/* What a table's records are called, for the reason. */
static const char *const table_word[DB_COUNT] = {
	[DB_META] = "setting", [DB_CITIES] = "city", [DB_CITY_KEYS] = "the city of key",
	[DB_POSTS] = "post", [DB_LOG] = "change", [DB_IDEM] = "the idempotency key",
	[DB_HEADS] = "the head of chain", [DB_MARKS] = "a mark of chain",
	[DB_FIELDS] = "field", [DB_PROJECTS] = "project", [DB_MEETINGS] = "meeting",
	[DB_MAILBOX] = "the mailbox of city", [DB_ACCESS] = "the readers of post",
	[DB_AGENDAS] = "the agenda", [DB_INVITES] = "an invitation",
	[DB_IMPORTED] = "the imported row of city", [DB_SENDERS] = "a sender count of mailbox",
};

/* Key k of db as a reader would name it: a number for the tables keyed by
 * seq, else its printable bytes quoted (others as \xNN, at most 64). */
static void key_text(enum dbi_slot db, const MDB_val *k, char *out, size_t cap)
{
	const unsigned char *p = k->mv_data;
	if ((db == DB_POSTS || db == DB_LOG || db == DB_ACCESS) && k->mv_size == 8) {
		snprintf(out, cap, "%llu", (unsigned long long)be64(p));
		return;
	}
	if (db == DB_INVITES) {
		snprintf(out, cap, "(by its hash)");
		return;
	}
	if (cap < 8)
		return;
	out[0] = '\'';
	store_key_text(k, out + 1, cap - 2);
	size_t used = strlen(out);
	snprintf(out + used, cap - used, "'");
}

void store_key_text(const MDB_val *k, char *out, size_t cap)
{
	const unsigned char *p = k->mv_data;
	size_t used = 0;
	if (!cap)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < k->mv_size && i < 64 && used + 5 < cap; i++) {
		if (p[i] == 0)
			out[used++] = '/';
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			out[used++] = (char)p[i];
		else
			used += (size_t)snprintf(out + used, cap - used, "\\x%02x", p[i]);
		out[used] = '\0';
	}
	if (k->mv_size > 64 && used + 4 < cap)
		snprintf(out + used, cap - used, "...");
}

void store_record_name(enum dbi_slot db, const MDB_val *k, char *out, size_t cap)
{
	char key[300];
	key_text(db, k, key, sizeof key);
	snprintf(out, cap, "%s %s", table_word[db], key);
}

int store_corrupt(struct uccn_txn *t, enum dbi_slot db, const MDB_val *k)
{
	char name[360];
	store_record_name(db, k, name, sizeof name);
	store_error("%s fails its checksum; restore from a backup", name);
	if (t)
		store_reason(t, UCCN_E_CORRUPT, "%s", uccn_store_last_error(t->s));
	return UCCN_E_CORRUPT;
}

int store_unseal(struct uccn_txn *t, enum dbi_slot db, const MDB_val *k, MDB_val *v)
{
	const unsigned char *p = v->mv_data;
	if (v->mv_size < SEAL_SIZE)
		return store_corrupt(t, db, k);
	size_t n = v->mv_size - SEAL_SIZE;
	uint32_t want = (uint32_t)p[n] << 24 | (uint32_t)p[n + 1] << 16 |
			(uint32_t)p[n + 2] << 8 | p[n + 3];
	if (seal_sum(k, p, n) != want)
		return store_corrupt(t, db, k);
	v->mv_size = n;
	return 0;
}

int store_get(struct uccn_txn *t, enum dbi_slot db, MDB_val *k, MDB_val *v)
{
	int rc = mdb_get(t->cur, t->s->dbi[db], k, v);
	if (rc)
		return store_map_rc(rc);
	return store_unseal(t, db, k, v);
}

int store_cursor_get(struct uccn_txn *t, enum dbi_slot db, MDB_cursor *c, MDB_val *k,
		     MDB_val *v, MDB_cursor_op op)
{
	int rc = mdb_cursor_get(c, k, v, op);
	if (rc)
		return store_map_rc(rc);
	return store_unseal(t, db, k, v);
}

int store_put(struct uccn_txn *t, enum dbi_slot db, MDB_val *k, const MDB_val *body,
	      unsigned flags)
{
	unsigned char small[SEAL_SMALL];
	MDB_val v;
	int rc;
	if (body->mv_size <= SEAL_SMALL - SEAL_SIZE) {
		/* The dupsort tables take no MDB_RESERVE; their values are small. */
		v = store_seal_into(k, body->mv_data, body->mv_size, small);
		return store_map_rc(mdb_put(t->cur, t->s->dbi[db], k, &v, flags));
	}
	if (store_table_flags(db) & MDB_DUPSORT) {
		store_error("an entry of %zu bytes in table %s: its entries are at most %d",
			    body->mv_size, store_table_name(db), SEAL_SMALL - SEAL_SIZE);
		return UCCN_E_INVALID;
	}
	v = val_of(NULL, body->mv_size + SEAL_SIZE);
	if ((rc = mdb_put(t->cur, t->s->dbi[db], k, &v, flags | MDB_RESERVE)))
		return store_map_rc(rc);
	memcpy(v.mv_data, body->mv_data, body->mv_size);
	store_seal_finish(k, v.mv_data, body->mv_size);
	return 0;
}
