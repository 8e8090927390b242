/*
 * env.c - the store's LMDB environment: opening it (tables, the data
 * format, the fields a new store starts with), closing it, its settings,
 * and the one mapping of LMDB's errors to ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "store_int.h"
#include "uccn_error.h"

/* The data formats (STORE_FORMAT, store_int.h): 1: the posts of a city,
 * kind, project or meeting were found through
 * four dupsort indexes; 2: through chains (see chains.c); 3: every value
 * is sealed with its checksum (seal.c). A store of format 1 or 2 is
 * rewritten to 3 when opened (rewrite.c). */

static const struct {
	const char *name;
	unsigned flags;
} db_defs[DB_COUNT] = {
	[DB_META] = {"meta", 0},
	[DB_CITIES] = {"cities", 0},
	[DB_CITY_KEYS] = {"city_keys", 0},
	[DB_POSTS] = {"posts", 0},
	[DB_LOG] = {"log", 0},
	[DB_IDEM] = {"idem", 0},
	[DB_HEADS] = {"heads", 0},
	[DB_MARKS] = {"marks", MDB_DUPSORT | MDB_DUPFIXED},
	[DB_FIELDS] = {"fields", 0},
	[DB_PROJECTS] = {"projects", 0},
	[DB_MEETINGS] = {"meetings", 0},
	[DB_MAILBOX] = {"mailbox", MDB_DUPSORT | MDB_DUPFIXED},
	[DB_ACCESS] = {"access", MDB_DUPSORT},
	[DB_AGENDAS] = {"agendas", 0},
	[DB_INVITES] = {"invites", 0},
	[DB_IMPORTED] = {"imported", 0},
	[DB_SENDERS] = {"mailbox_senders", 0},
};

const char *store_table_name(enum dbi_slot db)
{
	return db_defs[db].name;
}

unsigned store_table_flags(enum dbi_slot db)
{
	return db_defs[db].flags;
}

/* The last failure's text, per thread: the daemon's loop and its commit
 * thread each read their own. */
static _Thread_local char last_error[256];

int store_map_rc(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_NOTFOUND: return UCCN_E_NOTFOUND;
	case MDB_KEYEXIST: return UCCN_E_EXISTS;
	case MDB_MAP_FULL: return UCCN_E_MAPFULL;
	case MDB_TXN_FULL: return UCCN_E_FULL;
	case MDB_CORRUPTED: case MDB_PAGE_NOTFOUND: case MDB_INVALID:
		return UCCN_E_CORRUPT;
	case MDB_VERSION_MISMATCH: return UCCN_E_VERSION;
	case ENOMEM: return UCCN_E_NOMEM;
	case ENOSPC: case EDQUOT: return UCCN_E_FULL;
	case EBUSY: case EAGAIN: return UCCN_E_BUSY;
	default: return UCCN_E_IO;
	}
}

int store_fail(int rc, const char *what)
{
	snprintf(last_error, sizeof last_error, "%s: %s", what, mdb_strerror(rc));
	return store_map_rc(rc);
}

void store_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
}

/* A new store starts with the default creative fields, once: a field the
 * coordinator removes later must not come back at the next start. */
static int seed_fields(struct uccn_store *s, MDB_txn *txn)
{
	struct uccn_txn t = {.s = s, .root = txn, .cur = txn, .write = true};
	MDB_val k = str_val("fields_seeded"), v;
	unsigned char zero[8] = {0};
	int rc = mdb_get(txn, s->dbi[DB_META], &k, &v);
	if (rc != MDB_NOTFOUND)
		return store_map_rc(rc);
	for (const char *const *f = uccn_default_fields; *f; f++) {
		MDB_val fk = str_val(*f), fv = val_of(zero, 8);
		if ((rc = store_put(&t, DB_FIELDS, &fk, &fv, 0)))
			return rc;
	}
	v = val_of(zero, 8);
	return store_map_rc(mdb_put(txn, s->dbi[DB_META], &k, &v, 0));
}

/* Check the data format: a new store gets ours, format 1 or 2 is rewritten
 * (*rewrite says so), any other is refused. Our code, the reason in
 * last_error. */
static int check_format(struct uccn_store *s, MDB_txn *txn, bool *rewrite)
{
	MDB_val k = str_val("format"), v;
	unsigned char fmt[8];
	int rc = mdb_get(txn, s->dbi[DB_META], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return store_fail(rc, "read the data format");
	uint64_t found = rc == 0 ? seq_decode(&v) : 0;
	if (rc == 0 && found != STORE_FORMAT && found != 1 && found != 2) {
		store_error("data format %llu is not %d", (unsigned long long)found, STORE_FORMAT);
		return UCCN_E_VERSION;
	}
	if (found == 1 || found == 2) {
		*rewrite = true;
		s->rewrote_from = (int)found;
		rc = found == 1 ? store_migrate_from_1(s, txn) : store_migrate_from_2(s, txn);
		if (rc)
			return rc;
	}
	if (found == STORE_FORMAT)
		return 0;
	seq_encode(STORE_FORMAT, fmt);
	v = val_of(fmt, 8);
	if ((rc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0)))
		return store_fail(rc, "write the data format");
	return 0;
}

/* Open (creating) every table, check the format and seed a new store, in
 * one transaction. Our code, the reason in last_error. */
static int open_dbs(struct uccn_store *s, bool *rewrite)
{
	MDB_txn *txn = NULL;
	int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc)
		return store_fail(rc, "begin");
	for (int i = 0; i < DB_COUNT && !rc; i++)
		if ((rc = mdb_dbi_open(txn, db_defs[i].name, db_defs[i].flags | MDB_CREATE,
				       &s->dbi[i])))
			rc = store_fail(rc, db_defs[i].name);
	if (!rc)
		rc = check_format(s, txn, rewrite);
	if (!rc && (rc = store_mailbox_senders_rebuild(s, txn)))
		store_error("count the mailboxes' senders: %s", uccn_strerror(rc));
	if (!rc && (rc = seed_fields(s, txn)))
		store_error("initialise: %s", uccn_strerror(rc));
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	rc = mdb_txn_commit(txn); /* frees txn, even when it fails */
	return rc ? store_fail(rc, "initialise") : 0;
}

/*
 * LMDB maps data.mdb and trusts it: a page past the end of a truncated file
 * is a SIGBUS at whatever access first touches it. Its two meta pages say
 * how far the file must reach, so we read them with plain reads and check
 * before LMDB maps anything. The layout is LMDB's on-disk format (native
 * byte order and word size, as LMDB itself writes it): a page header
 * (page number, two 16-bit words, one 32-bit word), then the meta: magic,
 * version, the map's address and size, two tree descriptors (the first
 * one's 32-bit pad is the page size) and the last page in use.
 */
#define LMDB_FILE_MAGIC 0xBEEFC0DEu
#define LMDB_PAGE_META 0x08u

struct lmdb_page_head {
	size_t pgno;
	uint16_t pad, flags;
	uint32_t bounds;
};

struct lmdb_tree {
	uint32_t pad; /* in the free-page tree of a meta: the page size */
	uint16_t flags, depth;
	size_t branch_pages, leaf_pages, overflow_pages, entries, root;
};

struct lmdb_meta {
	uint32_t magic, version;
	void *address;
	size_t map_size;
	struct lmdb_tree trees[2];
	size_t last_page;
	size_t txnid;
};

struct lmdb_meta_page {
	struct lmdb_page_head head;
	struct lmdb_meta meta;
};

/* Open name in dir for reading without following a link to a FIFO or a
 * device into a hang: O_NONBLOCK, then fstat. -1 with errno ENOENT when it
 * is absent; -2 (with *st filled) when it is not a regular file. */
static int open_regular(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0) {
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return -2;
	}
	return fd;
}

static int read_meta(int fd, off_t off, struct lmdb_meta *m)
{
	struct lmdb_meta_page p;
	ssize_t n = pread(fd, &p, sizeof p, off);
	if (n != (ssize_t)sizeof p)
		return -1;
	*m = p.meta;
	if (m->magic != LMDB_FILE_MAGIC || !(p.head.flags & LMDB_PAGE_META))
		return -2;
	return 0;
}

int uccn_store_check_files(const char *dir, bool *present, char *err, size_t errlen)
{
	char path[4096];
	struct stat st;
	struct lmdb_meta m0, m1;
	int rc = 0, fd;
	*present = false;
	if (err && errlen)
		err[0] = '\0';
	/* LMDB opens lock.mdb read-write and maps it: a FIFO or a device
	 * there is refused as data.mdb would be. */
	snprintf(path, sizeof path, "%s/lock.mdb", dir);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		store_error("%s is not a regular file: move it away (uccnd makes a new one)", path);
		rc = UCCN_E_INVALID;
		goto out;
	}
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	if ((fd = open_regular(path, &st)) == -2) {
		store_error("%s is not a regular file", path);
		rc = UCCN_E_INVALID;
		goto out;
	}
	if (fd < 0) {
		if (errno == ENOENT)
			goto out;
		store_error("cannot read %s: %s", path, strerror(errno));
		rc = UCCN_E_IO;
		goto out;
	}
	if (st.st_size == 0) {
		close(fd);
		goto out;
	}
	*present = true;
	int r0 = read_meta(fd, 0, &m0);
	size_t psize = r0 == 0 ? m0.trees[0].pad : 0;
	/* Page sizes are powers of two from 512 to 64 KiB in every LMDB. */
	bool psize_ok = psize >= 512 && psize <= 65536 && (psize & (psize - 1)) == 0;
	int r1 = r0 == 0 && psize_ok ? read_meta(fd, (off_t)psize, &m1) : 0;
	if (r0 == -2 || r1 == -2 || (r0 == 0 && !psize_ok)) {
		close(fd);
		store_error("%s is not an LMDB store (its header is not LMDB's): "
			    "restore it from a backup", path);
		rc = UCCN_E_CORRUPT;
		goto out;
	}
	unsigned long long need = 2ull * (psize_ok ? psize : 4096);
	/* LMDB uses the meta of the newer transaction; so do we. */
	const struct lmdb_meta *m = m1.txnid > m0.txnid ? &m1 : &m0;
	if (r0 == 0 && r1 == 0 && m->last_page >= 2)
		need = ((unsigned long long)m->last_page + 1) * psize;
	if (r0 || r1 || (unsigned long long)st.st_size < need) {
		close(fd);
		store_error("%s is truncated: %lld bytes, the store needs at least %llu; "
			    "restore it from a backup", path, (long long)st.st_size, need);
		rc = UCCN_E_CORRUPT;
		goto out;
	}
	/* LMDB writes its two metas in turn, so their transactions differ by
	 * one (both are 0 before the first commit). A flipped bit in either
	 * breaks that: LMDB would open another snapshot than the last. */
	if (m->version != 1) {
		close(fd);
		store_error("%s is damaged: its meta page names data version %u, not LMDB's 1; "
			    "restore it from a backup", path, m->version);
		rc = UCCN_E_CORRUPT;
		goto out;
	}
	uint64_t t0 = m0.txnid, t1 = m1.txnid;
	if ((t0 || t1) && t0 + 1 != t1 && t1 + 1 != t0) {
		close(fd);
		store_error("%s is damaged: its two meta pages name transactions %llu and %llu; "
			    "restore it from a backup", path, (unsigned long long)t0,
			    (unsigned long long)t1);
		rc = UCCN_E_CORRUPT;
		goto out;
	}
	/* The pages LMDB will follow, before it follows them. */
	char why[200];
	rc = store_verify_pages(fd, psize, m->trees, m->last_page, why, sizeof why);
	close(fd);
	if (rc == UCCN_E_CORRUPT)
		store_error("%s is damaged: %s; restore it from a backup", path, why);
	else if (rc)
		store_error("cannot check %s: %s", path, uccn_strerror(rc));
out:
	if (rc && err && errlen)
		snprintf(err, errlen, "%s", last_error);
	return rc;
}

int uccn_store_open(struct uccn_store **out, const char *dir, size_t map_bytes,
		    char *err, size_t errlen)
{
	struct uccn_store *s = calloc(1, sizeof *s);
	int rc;
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!s)
		return UCCN_E_NOMEM;
	pthread_mutex_init(&s->remap, NULL);
	s->map_size = map_bytes ? map_bytes : UCCN_STORE_DEFAULT_MAP;
	s->mailbox_quota = UCCN_MAILBOX_QUOTA;
	bool present;
	if ((rc = uccn_store_check_files(dir, &present, NULL, 0)))
		goto fail;
	if ((rc = mdb_env_create(&s->env))) {
		rc = store_fail(rc, "mdb_env_create");
		goto fail;
	}
	mdb_env_set_maxdbs(s->env, DB_COUNT + 8);
	/* Default flags keep full durability: every commit flushes its data
	 * pages, then its meta page. The map size is set after opening: set
	 * before, LMDB would shrink an existing larger database to it. */
	if ((rc = mdb_env_open(s->env, dir, 0, 0600))) {
		rc = store_fail(rc, dir);
		goto fail;
	}
	int dead = 0;
	mdb_reader_check(s->env, &dead);
	MDB_envinfo info;
	mdb_env_info(s->env, &info);
	/* A new database (nothing past LMDB's two meta pages) takes our size;
	 * an existing one keeps its own when that is larger. */
	if (info.me_last_pgno < 2 || info.me_mapsize < s->map_size) {
		if ((rc = mdb_env_set_mapsize(s->env, s->map_size))) {
			rc = store_fail(rc, "set map size");
			goto fail;
		}
		mdb_env_info(s->env, &info);
	}
	s->map_size = info.me_mapsize;

	/* Rewriting a store of an older format may need room: the map
	 * doubles until it fits (an ordinary open never grows it). */
	bool rewrite = false;
	while ((rc = open_dbs(s, &rewrite)) == UCCN_E_MAPFULL && rewrite &&
	       s->map_size <= UCCN_STORE_MAX_MAP / 2 &&
	       mdb_env_set_mapsize(s->env, s->map_size * 2) == 0)
		s->map_size *= 2;
	if (rc)
		goto fail;
	last_error[0] = '\0'; /* a store just opened has failed at nothing */
	*out = s;
	return 0;
fail:
	/* Open does not grow the map: too small a one is "full", not the
	 * store-internal request to grow. */
	if (rc == UCCN_E_MAPFULL)
		rc = UCCN_E_FULL;
	if (s->env)
		mdb_env_close(s->env);
	if (err && errlen)
		snprintf(err, errlen, "%s", last_error);
	pthread_mutex_destroy(&s->remap);
	free(s);
	return rc;
}

void uccn_store_close(struct uccn_store **sp)
{
	if (!sp || !*sp)
		return;
	mdb_env_close((*sp)->env);
	pthread_mutex_destroy(&(*sp)->remap);
	free(*sp);
	*sp = NULL;
}

const char *uccn_store_last_error(const struct uccn_store *s)
{
	(void)s; /* the reason is the thread's, not the store's */
	return last_error;
}

void uccn_store_set_mailbox_quota(struct uccn_store *s, uint64_t quota)
{
	s->mailbox_quota = quota ? quota : UCCN_MAILBOX_QUOTA;
}

void uccn_store_set_mailbox_share(struct uccn_store *s, uint64_t share)
{
	s->mailbox_share = share;
}

size_t uccn_store_map_size(const struct uccn_store *s)
{
	return s->map_size;
}

int uccn_store_rewrote_from(const struct uccn_store *s)
{
	return s->rewrote_from;
}

/* A size for people: "0 bytes", "512 KiB", "64 MiB", "1.5 GiB". */
static void size_text(unsigned long long n, char *buf, size_t len)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	if (n < 1024) {
		snprintf(buf, len, "%llu bytes", n);
		return;
	}
	double v = (double)n / 1024;
	int u = 0;
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v == (double)(unsigned long long)v ? "%.0f %s" : "%.1f %s", v, units[u]);
}

/*
 * Close the environment and open its files again at s->map_size, with
 * every table's handle: after LMDB has lost its map (a failed mmap while
 * growing) or given up on the environment (MDB_PANIC after a failed
 * commit). No table is created and no format checked: the store was
 * opened once already. LMDB's code; on failure s->env is NULL and the
 * store refuses every transaction (uccn_store_usable).
 */
static int reopen_env(struct uccn_store *s)
{
	const char *path = NULL;
	char dir[4096];
	MDB_txn *txn = NULL;
	int rc = mdb_env_get_path(s->env, &path);
	if (!rc)
		snprintf(dir, sizeof dir, "%s", path);
	mdb_env_close(s->env);
	s->env = NULL;
	if (rc || (rc = mdb_env_create(&s->env))) {
		s->env = NULL;
		return rc;
	}
	mdb_env_set_maxdbs(s->env, DB_COUNT + 8);
	/* Set before opening: exactly the size the store had (LMDB still
	 * rounds it up to the data it holds). */
	if ((rc = mdb_env_set_mapsize(s->env, s->map_size)) ||
	    (rc = mdb_env_open(s->env, dir, 0, 0600)) ||
	    (rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)))
		goto fail;
	for (int i = 0; i < DB_COUNT && !rc; i++)
		rc = mdb_dbi_open(txn, db_defs[i].name, db_defs[i].flags, &s->dbi[i]);
	if (rc) {
		mdb_txn_abort(txn);
		goto fail;
	}
	/* Committed, a read transaction's handles stay open for all. */
	if ((rc = mdb_txn_commit(txn)))
		goto fail;
	MDB_envinfo info;
	mdb_env_info(s->env, &info);
	s->map_size = info.me_mapsize;
	return 0;
fail:
	mdb_env_close(s->env);
	s->env = NULL;
	return rc;
}

/* Growing is the environment's: it changes the map every transaction
 * sees, so it needs them all ended. */
static int grow(struct uccn_store *s)
{
	if (!s->env) {
		store_error("the database is closed: it could not be opened again");
		return UCCN_E_IO;
	}
	if (s->map_size >= UCCN_STORE_MAX_MAP) {
		store_error("database map at its limit of %zu bytes", s->map_size);
		return UCCN_E_FULL;
	}
	size_t want = s->map_size * 2;
	int mrc = mdb_env_set_mapsize(s->env, want);
	if (mrc == 0) {
		s->map_size = want;
		return 0;
	}
	char from[32], to[32];
	size_text(s->map_size, from, sizeof from);
	size_text(want, to, sizeof to);
	if (mrc == EINVAL) {
		/* A transaction is open: LMDB refused before touching the map. */
		store_error("the database map could not grow from %s to %s: %s", from, to,
			    mdb_strerror(mrc));
		return UCCN_E_INTERNAL;
	}
	/* LMDB unmapped the old map before it tried the new one: without a
	 * map the next transaction would fault. Map the old size again. */
	int rrc = reopen_env(s);
	if (rrc) {
		store_error("the database map could not grow from %s to %s: %s; opening it again "
			    "at %s failed too: %s", from, to, mdb_strerror(mrc), from, mdb_strerror(rrc));
		return UCCN_E_IO;
	}
	store_error("the database map could not grow from %s to %s: %s", from, to,
		    mdb_strerror(mrc));
	return UCCN_E_FULL;
}

/* A backup's copy reads the map on its own thread: wait for it. */
int uccn_store_grow(struct uccn_store *s)
{
	pthread_mutex_lock(&s->remap);
	int rc = grow(s);
	pthread_mutex_unlock(&s->remap);
	return rc;
}

bool uccn_store_usable(const struct uccn_store *s)
{
	return s->env != NULL;
}

/* Free bytes on the disk holding dir, as the daemon's user may use them
 * (root may use the blocks reserved for it); -1 when unknown. */
static long long disk_free(const char *dir)
{
	struct statvfs v;
	if (statvfs(dir, &v) != 0)
		return -1;
	unsigned long long blocks = geteuid() == 0 ? v.f_bfree : v.f_bavail;
	return (long long)(blocks * v.f_frsize);
}

int uccn_store_recover(struct uccn_store *s, int rc, char *reason, size_t len)
{
	const char *dir = NULL;
	MDB_txn *txn = NULL;
	if (!s->env)
		return rc;
	/* After a failed write of its meta page LMDB refuses every
	 * transaction of this environment (MDB_PANIC) until it is opened
	 * again. */
	int brc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (brc == 0) {
		mdb_txn_abort(txn);
	} else if (brc == MDB_PANIC) {
		pthread_mutex_lock(&s->remap);
		int rrc = reopen_env(s);
		pthread_mutex_unlock(&s->remap);
		if (rrc) {
			char was[256];
			snprintf(was, sizeof was, "%s", reason);
			snprintf(reason, len, "%s; the database could not be opened again: %s", was,
				 mdb_strerror(rrc));
			return UCCN_E_IO;
		}
	}
	if ((rc != UCCN_E_FULL && rc != UCCN_E_IO) || mdb_env_get_path(s->env, &dir))
		return rc;
	/* LMDB reports a write cut short by a full disk as EIO, and a full
	 * disk as ENOSPC: either way, one that has no room left is full. */
	long long avail = disk_free(dir);
	if (avail < 0 || avail >= UCCN_STORE_DISK_LOW)
		return rc;
	char free_text[32];
	size_text((unsigned long long)avail, free_text, sizeof free_text);
	snprintf(reason, len, "no space left on the disk holding %s (%s free)", dir, free_text);
	return UCCN_E_FULL;
}
