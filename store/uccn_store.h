/*
 * uccn_store.h - the uccn data layer on LMDB: cities, posts, the change log,
 * secondary indexes and idempotency keys, in one environment of one
 * directory. Knows nothing of ZeroMQ; nothing LMDB-specific leaks out.
 *
 * One process writes (uccnd); every write is a transaction that is durable
 * on disk when uccn_store_write() returns 0. Every change takes the next
 * number of one gapless global sequence: a post's number is its key among
 * the posts, any other change's is its key in the change log.
 *
 * Threads: one thread writes at a time (uccnd's commit thread); another
 * may read meanwhile in read transactions of its own. Growing the map
 * (uccn_store_grow) needs every transaction of the process ended.
 *
 * Damaged data: every stored value carries a CRC32C of its key and bytes
 * (store_int.h says why that one), checked on every read. A value that
 * fails is never decoded: the call returns UCCN_E_CORRUPT and
 * uccn_store_txn_reason names the record ("post 1234 fails its checksum;
 * restore from a backup"). The records around it read as before. The
 * page structure of data.mdb, which the checksums cannot guard, is
 * checked when the store is opened (uccn_store_check_files).
 */
#ifndef UCCN_STORE_H
#define UCCN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uccn_msg.h"
#include "uccn_records.h"

struct uccn_store;
struct uccn_txn;

/* The data format this build writes (SPEC 7.1); a backup's manifest
 * names it. */
#define UCCN_STORE_FORMAT 3

/* The map starts at this size unless told otherwise, and doubles when full. */
#define UCCN_STORE_DEFAULT_MAP (64u * 1024 * 1024)
/* It never grows past this; a write that needs more fails with UCCN_E_FULL. */
#define UCCN_STORE_MAX_MAP ((size_t)1 << 40)

/*
 * Open (creating if needed) the store in directory dir, which must exist.
 * map_bytes is the initial map size, 0 for UCCN_STORE_DEFAULT_MAP; a larger
 * existing database keeps its size. A store of an older format (1 or 2)
 * is rewritten to the current one (3) here, in one transaction (a stop
 * midway, or a damaged record found on the way, leaves it as it was), the
 * map growing as that needs. The files are
 * checked first as uccn_store_check_files does. Returns 0 with *out, or
 * UCCN_E_IO, UCCN_E_INVALID (a data file that is not a regular file),
 * UCCN_E_CORRUPT (not an LMDB store, or truncated), UCCN_E_VERSION (a
 * data format this build does not know), UCCN_E_FULL (the map cannot hold the data) or
 * UCCN_E_NOMEM, with *out NULL and the reason in err (errlen bytes; err
 * may be NULL).
 */
int uccn_store_open(struct uccn_store **out, const char *dir, size_t map_bytes,
		    char *err, size_t errlen);

/*
 * Check the files of the store in dir before anything maps them, creating
 * nothing. LMDB trusts data.mdb: a truncated one would be a SIGBUS at the
 * first access to a missing page, so the last page its header says is in
 * use must lie inside the file; and LMDB follows its pages blindly, so
 * every page reachable from the meta it will use is read once and checked
 * (page numbers, types, bounds, node offsets and sizes, key order, each
 * table's page and record counts). Returns 0 with *present true when dir holds
 * a data file that passes, 0 with *present false when there is none
 * (absent, or 0 bytes: uccn_store_open would make a new, empty store);
 * UCCN_E_INVALID when data.mdb or lock.mdb is not a regular file (a FIFO,
 * a device, a directory), UCCN_E_CORRUPT when data.mdb is not an LMDB
 * store, is truncated or has a damaged page (the reason names the page
 * and table), UCCN_E_IO when it cannot be read. The reason, with
 * the file's path, goes to err (errlen bytes; may be NULL).
 * uccn_store_open makes the same check first and fails the same way.
 */
int uccn_store_check_files(const char *dir, bool *present, char *err, size_t errlen);

/* Close the store and set *s to NULL; NULL and *s == NULL are no-ops.
 * Every transaction on it must have ended. */
void uccn_store_close(struct uccn_store **s);

/* A human reason for the last failure of a store call on this thread
 * (valid until its next call); "" when there is none. */
const char *uccn_store_last_error(const struct uccn_store *s);

/* How many unread posts a mailbox holds before posts to it are refused;
 * 0 restores UCCN_MAILBOX_QUOTA. */
void uccn_store_set_mailbox_quota(struct uccn_store *s, uint64_t quota);
/* How many of those one sender may hold in one mailbox, its share; 0
 * (the default) derives it from the quota: an eighth, at least 16, at
 * most the quota. A direct message past it is refused; a broadcast skips
 * that mailbox (uccn_store_post_add). */
void uccn_store_set_mailbox_share(struct uccn_store *s, uint64_t share);

/* The map's current size in bytes (for tests and status). */
size_t uccn_store_map_size(const struct uccn_store *s);

/* The data format the open found and rewrote (1 or 2), or 0 when it
 * found the current one or made a new store. */
int uccn_store_rewrote_from(const struct uccn_store *s);

/* ---- reading ---- */

/* Begin a read transaction: a consistent snapshot until
 * uccn_store_txn_end. Returns 0 with *out, UCCN_E_NOMEM or UCCN_E_IO (the
 * reason in uccn_store_last_error). */
int uccn_store_read(struct uccn_store *s, struct uccn_txn **out);
/* End a read transaction and set *t to NULL; NULL and *t == NULL are
 * no-ops. Records already fetched stay valid (they are the caller's);
 * uccn_store_txn_reason's text does not. A write transaction is the
 * store's to end: a uccn_write_fn must not end the one it is given. */
void uccn_store_txn_end(struct uccn_txn **t);

/* Fetch a city by id; out must be clear and is owned by the caller.
 * Returns 0, UCCN_E_NOTFOUND or UCCN_E_CORRUPT. */
int uccn_store_city_get(struct uccn_txn *t, const char *id,
			struct uccn_city *out);
/* The id of the city whose public key (Z85) is key, copied into id (at
 * least UCCN_MAX_ID + 1 bytes). Returns 0 or UCCN_E_NOTFOUND. */
int uccn_store_city_by_key(struct uccn_txn *t, const char *key, char *id);

/* Called once per record; the record is borrowed for the call only.
 * Return non-zero to stop early (the walk then returns 0). */
typedef int (*uccn_city_fn)(const struct uccn_city *c, void *ctx);
typedef int (*uccn_post_fn)(const struct uccn_post *p, void *ctx);

/* Whether field name exists: 0 or UCCN_E_NOTFOUND. */
int uccn_store_field_get(struct uccn_txn *t, const char *name);
/* Every field name in order; the name is borrowed for the call. */
typedef int (*uccn_field_fn)(const char *name, void *ctx);
int uccn_store_field_each(struct uccn_txn *t, uccn_field_fn fn, void *ctx);

/* Every city in id order. */
int uccn_store_city_each(struct uccn_txn *t, uccn_city_fn fn, void *ctx);

/* A post by sequence number. Returns 0, UCCN_E_NOTFOUND or UCCN_E_CORRUPT. */
int uccn_store_post_get(struct uccn_txn *t, uint64_t seq,
			struct uccn_post *out);

/*
 * Posts matching q, newest first, at most q->limit (UCCN_LIST_DEFAULT when
 * 0). Answered from a chain: that of the first filter q names, in the
 * order project, meeting, city, kind (the others only filter), or all
 * posts when it names none, walked backwards from q->before and stopping
 * at q->since. *next is set to the seq to pass as `before` for the next
 * page, or 0 when there is none; when fn stops the walk, the next page
 * begins again with the post it stopped at. Returns 0, UCCN_E_CORRUPT or
 * UCCN_E_IO.
 */
int uccn_store_post_list(struct uccn_txn *t, const struct uccn_query *q,
			 uccn_post_fn fn, void *ctx, uint64_t *next);

/*
 * Which posts a list or a walk hands over: keep(t, p, ctx) is asked of
 * every post that matches the query, in the transaction t of the walk
 * (it may read through t; it must not write), with p borrowed for the
 * call; false leaves the post out. Who may read what is the caller's rule:
 * the store only walks. A NULL filter keeps every post.
 */
struct uccn_post_filter {
	bool (*keep)(struct uccn_txn *t, const struct uccn_post *p, void *ctx);
	void *ctx;
};

/* As uccn_store_post_list, but only the posts that filter keeps (NULL:
 * every post). A post left out is as one that does not match q: it does
 * not count toward q->limit, and *next pages past it the same. */
int uccn_store_post_list_as(struct uccn_txn *t, const struct uccn_query *q,
			    const struct uccn_post_filter *filter, uccn_post_fn fn, void *ctx,
			    uint64_t *next);
/*
 * Posts after q->since, oldest first, that match q's filters and that
 * filter keeps (NULL: every one), at most q->limit (UCCN_WATCH_DEFAULT when
 * 0). *next is the seq to pass as since next time: the last post examined,
 * matching or not, kept or not (q->since when there was none), so posts
 * left out are not read twice. Returns 0, or UCCN_E_CORRUPT at the first
 * post that fails its checksum (the posts before it were handed over).
 */
int uccn_store_post_after(struct uccn_txn *t, const struct uccn_query *q,
			  const struct uccn_post_filter *filter, uccn_post_fn fn, void *ctx,
			  uint64_t *next);

/* Whether city was recorded as a reader of post seq: it was delivered to
 * city's mailbox by uccn_store_post_add with UCCN_STORE_POST_READERS_ONLY.
 * False too when the record cannot be read or fails its checksum: a reader
 * is never assumed. */
bool uccn_store_post_has_reader(struct uccn_txn *t, uint64_t seq, const char *city);

/* A city's mailbox: the unread posts addressed to it, oldest first, at
 * most limit of them. Returns 0, UCCN_E_CORRUPT (an entry, or the post it
 * names, fails its checksum, or it names no post) or UCCN_E_IO. */
int uccn_store_mailbox_each(struct uccn_txn *t, const char *city, uint32_t limit,
			    uccn_post_fn fn, void *ctx);
/* How many unread posts city's mailbox holds (0 for an unknown city). */
int uccn_store_mailbox_count(struct uccn_txn *t, const char *city, uint64_t *n);
/* Unread posts in all mailboxes. */
int uccn_store_mailbox_total(struct uccn_txn *t, uint64_t *n);
/* Mark everything up to upto read (it leaves the mailbox). Returns 0 with
 * how many were marked and how many stay unread, or UCCN_E_MAPFULL. */
int uccn_store_mailbox_ack(struct uccn_txn *t, const char *city, uint64_t upto,
			   uint64_t *acked, uint64_t *unread);

/*
 * Publish agenda a of a->meeting as its next version, by city `by`, at
 * now_ms: the version is stored and the meeting's status becomes
 * "agenda-published" (a versioned change, *seq), in one operation. No one
 * is told: a notice is a post of the caller's (see
 * uccn_store_txn_group_begin to make the two one unit). Returns 0 with
 * *version, UCCN_E_NOTFOUND (no such meeting, or no city `by`),
 * UCCN_E_INVALID (the agenda would not read back) or UCCN_E_MAPFULL; the
 * reason via uccn_store_txn_reason.
 */
int uccn_store_agenda_publish(struct uccn_txn *t, const struct uccn_agenda_pub *a,
			      const char *by, int64_t now_ms, uint64_t *version, uint64_t *seq);
/* A published version of meeting's agenda (0: the newest); out must be
 * clear. Returns 0, UCCN_E_NOTFOUND or UCCN_E_CORRUPT. */
int uccn_store_agenda_get(struct uccn_txn *t, const char *meeting, uint64_t version,
			  struct uccn_agenda_pub *out);

struct uccn_store_stats {
	uint64_t cities;
	uint64_t posts;
	uint64_t last_seq;  /* 0 for an empty log */
	uint64_t map_bytes;
	uint64_t used_bytes;
};
/* The store's figures as t sees them; returns 0, or UCCN_E_CORRUPT when
 * the newest post or change fails its checksum (last_seq is then 0). */
int uccn_store_stats(struct uccn_txn *t, struct uccn_store_stats *out);

/*
 * A backup's data: copy the store, compacted (free pages left out), into
 * dir/data.mdb, where dir exists and holds no store, while writes go on
 * (LMDB copies one read snapshot). The copy is synced, then opened as a
 * store and checked, and its own figures go to *out: what the copy holds,
 * not the live store, which has moved on. It takes as long as the copy
 * does: call it off the event loop; growing the map waits for it. Returns
 * 0, or UCCN_E_IO, UCCN_E_FULL (no room on the disk), UCCN_E_CORRUPT (the
 * copy fails its check) or UCCN_E_NOMEM with the reason in err. On
 * failure dir may hold a partial copy: the caller removes it.
 */
int uccn_store_backup(struct uccn_store *s, const char *dir, struct uccn_store_stats *out,
		      char *err, size_t errlen);
/* The directory the store was opened in (borrowed, as long as the store
 * is open), or NULL when it has lost its environment. */
const char *uccn_store_dir(const struct uccn_store *s);

/* ---- writing ---- */

/*
 * Run fn(t, ctx) in one write transaction and commit it durably. fn applies
 * any number of the operations below; each is atomic by itself (a failed
 * operation leaves nothing behind and the others stand; a group makes
 * several one unit: uccn_store_txn_group_begin). If the map fills,
 * the store aborts, grows the map and runs fn again from the start, so fn
 * must compute its results afresh on every call. Returns 0 once committed,
 * or UCCN_E_FULL, UCCN_E_IO: then nothing of the batch was written.
 *
 * fn returns 0 to commit; any error from an operation that fn passes back
 * aborts the whole batch (UCCN_E_MAPFULL is how growth is requested).
 * Once one operation has met the full map, every later one in the batch
 * returns UCCN_E_MAPFULL at once; on a read transaction the operations
 * return UCCN_E_INVALID.
 */
typedef int (*uccn_write_fn)(struct uccn_txn *t, void *ctx);
int uccn_store_write(struct uccn_store *s, uccn_write_fn fn, void *ctx);

/*
 * The two halves of uccn_store_write, for a writer on its own thread:
 * uccn_store_write_once runs fn and commits durably as above, but returns
 * UCCN_E_MAPFULL (nothing written) instead of growing; uccn_store_grow
 * doubles the map. Growing needs every transaction of the process ended,
 * readers' too: the caller sees to it. One thread writes at a time.
 *
 * uccn_store_grow returns 0; UCCN_E_FULL at the limit, or when the larger
 * map cannot be had (the reason then says "the database map could not
 * grow from 64 MiB to 128 MiB: Cannot allocate memory"): the store is
 * opened again at the size it had and serves on; UCCN_E_IO when even that
 * fails: the store is then unusable (uccn_store_usable), refuses every
 * transaction, and may only be closed.
 */
int uccn_store_write_once(struct uccn_store *s, uccn_write_fn fn, void *ctx);
int uccn_store_grow(struct uccn_store *s);

/* A disk with less room than this left is full: a write that failed on it
 * is UCCN_E_FULL (uccn_store_recover). */
#define UCCN_STORE_DISK_LOW (1024 * 1024)

/*
 * After a write failed with rc (from uccn_store_write_once: nothing of it
 * was written), with reason (len bytes) saying why: make the store fit for
 * the next transaction and say what the failure means. When LMDB has given
 * up on the environment (a failed commit can leave every later transaction
 * failing), it is opened again. A failed write (UCCN_E_FULL, UCCN_E_IO)
 * with less than UCCN_STORE_DISK_LOW free on the disk holding the store is
 * UCCN_E_FULL with the reason "no space left on the disk holding DIR (0
 * bytes free)". Returns the code to report: rc, UCCN_E_FULL as said, or
 * UCCN_E_IO when the store could not be opened again (it is then
 * unusable). Needs every transaction ended, as growing does.
 */
int uccn_store_recover(struct uccn_store *s, int rc, char *reason, size_t len);

/* False once uccn_store_grow or uccn_store_recover could not open the
 * store again: every transaction then fails with UCCN_E_IO. */
bool uccn_store_usable(const struct uccn_store *s);

/*
 * Make the operations between these two one unit inside the batch: each
 * stays atomic by itself, and group_end(t, rc) keeps them all when rc is 0
 * or drops every one of them otherwise (an operation that passed
 * included), while the batch's operations outside the group stand. Pass
 * the first error of the group as rc. Returns the final code: rc, or the
 * group's commit failure (UCCN_E_MAPFULL, which sticks to t as an
 * operation's does). The reason of the operation that failed is kept.
 *
 * begin returns 0, UCCN_E_INVALID (a read transaction, or a group is open
 * already: one level only), UCCN_E_MAPFULL or the store's error; when it
 * fails there is no group to end. A group must be ended before the
 * uccn_write_fn returns; a batch left with one open is not committed
 * (UCCN_E_INTERNAL).
 */
int uccn_store_txn_group_begin(struct uccn_txn *t);
int uccn_store_txn_group_end(struct uccn_txn *t, int rc);

/*
 * Add a city (c->seq and c->version are set by the store). Returns 0,
 * UCCN_E_EXISTS (the id, or another city's key), UCCN_E_NOTFOUND (its field
 * does not exist), UCCN_E_INVALID, or UCCN_E_MAPFULL (pass it back from
 * fn); uccn_store_txn_reason() says which. *seq receives the change's number.
 */
int uccn_store_city_add(struct uccn_txn *t, const struct uccn_city *c,
			uint64_t *seq);

/*
 * Why the last failed operation of t failed, naming the record ("field
 * 'sculpture' does not exist"); "" when it gave no detail. Valid until the
 * next operation on t, or its end.
 */
const char *uccn_store_txn_reason(const struct uccn_txn *t);
/* For city.import: the 1-based position of the city the last failure is
 * about, 0 when none. */
size_t uccn_store_txn_reason_index(const struct uccn_txn *t);

/* Add a creative field. Returns 0, UCCN_E_EXISTS, UCCN_E_INVALID or
 * UCCN_E_MAPFULL; *seq receives the change's number. */
int uccn_store_field_add(struct uccn_txn *t, const char *name, uint64_t *seq);

/*
 * Replace city c->id's name, country, field, role, tz, year and
 * coordinates (never its key: see rekey) if its version is still
 * if_version. Returns 0 with the new *version, UCCN_E_NOTFOUND,
 * UCCN_E_CONFLICT (the reason names the current version), UCCN_E_INVALID
 * or UCCN_E_MAPFULL.
 */
int uccn_store_city_update(struct uccn_txn *t, const struct uccn_city *c,
			   uint64_t if_version, uint64_t *seq, uint64_t *version);

/* Give city id a new public key; the old one maps to no city from the
 * commit on. Returns 0, UCCN_E_NOTFOUND, UCCN_E_EXISTS (another city's key)
 * or UCCN_E_MAPFULL. */
int uccn_store_city_rekey(struct uccn_txn *t, const char *id, const char *key,
			  uint64_t *seq, uint64_t *version);

/* What an import did. */
struct uccn_import_counts {
	uint64_t added, updated, unchanged; /* cities */
	uint64_t kept;  /* fields left as a person changed them */
	size_t nnamed;  /* the first kept fields, "city.field", at most
			 * UCCN_IMPORT_KEPT_LIST */
	char named[UCCN_IMPORT_KEPT_LIST][UCCN_MAX_KEPT_NAME + 1];
};

/*
 * Import n cities all or nothing: a new id is added (as a member without a
 * key), an existing one whose name, country, field, year, tz or coordinates
 * differ is updated (keeping its key and role), an identical one is left
 * alone. Every field must exist.
 *
 * The store remembers what each import set. Unless overwrite, a field
 * whose value differs from what the last import set was changed by hand
 * and is kept, counted in counts->kept and named in counts->named. A city
 * the store holds no import of (added by hand, or imported by a version
 * that did not record it) keeps every value it has that differs from the
 * file: only empty fields are filled. Either way the file's row becomes
 * what the last import set.
 *
 * Returns 0 with *counts, or the first error (its reason and index via
 * uccn_store_txn_reason*) with nothing written and *counts zero.
 */
int uccn_store_city_import(struct uccn_txn *t, const struct uccn_city *c,
			   size_t n, bool overwrite, struct uccn_import_counts *counts);

/* Fetch a project or meeting by id; out must be clear. 0, UCCN_E_NOTFOUND
 * or UCCN_E_CORRUPT. */
int uccn_store_project_get(struct uccn_txn *t, const char *id,
			   struct uccn_project *out);
int uccn_store_meeting_get(struct uccn_txn *t, const char *id,
			   struct uccn_meeting *out);
/* Every project or meeting in id order; records borrowed for the call. */
typedef int (*uccn_project_fn)(const struct uccn_project *p, void *ctx);
typedef int (*uccn_meeting_fn)(const struct uccn_meeting *m, void *ctx);
int uccn_store_project_each(struct uccn_txn *t, uccn_project_fn fn, void *ctx);
int uccn_store_meeting_each(struct uccn_txn *t, uccn_meeting_fn fn, void *ctx);

/*
 * Add a project. Its lead, partners and fields must exist; status defaults
 * to "proposed". Returns 0 (version 1), UCCN_E_EXISTS, UCCN_E_NOTFOUND (a
 * reference; the reason names it), UCCN_E_INVALID or UCCN_E_MAPFULL.
 */
int uccn_store_project_add(struct uccn_txn *t, const struct uccn_project *p,
			   uint64_t *seq);
/* Replace project p->id if it is still at if_version: as for city update. */
int uccn_store_project_update(struct uccn_txn *t, const struct uccn_project *p,
			      uint64_t if_version, uint64_t *seq, uint64_t *version);
/*
 * City joins (join true) or leaves the partners of project id. Returns 0
 * with the new version, UCCN_E_NOTFOUND (no such project or city; or, on
 * leave, not a partner), UCCN_E_EXISTS (already a partner or the lead),
 * UCCN_E_INVALID (the lead cannot leave) or UCCN_E_MAPFULL.
 */
int uccn_store_project_member(struct uccn_txn *t, const char *id,
			      const char *city, bool join, uint64_t *seq,
			      uint64_t *version);
/*
 * Add or update a meeting: hosts and field must exist; day hours default
 * to UCCN_DEFAULT_DAY_START/END and status to "planned". Errors as for
 * projects.
 */
int uccn_store_meeting_add(struct uccn_txn *t, const struct uccn_meeting *m,
			   uint64_t *seq);
int uccn_store_meeting_update(struct uccn_txn *t, const struct uccn_meeting *m,
			      uint64_t if_version, uint64_t *seq, uint64_t *version);

/* uccn_store_post_add: each city the post is delivered to is recorded as
 * one of its readers (uccn_store_post_has_reader). Without it none is. */
#define UCCN_STORE_POST_READERS_ONLY 1u

/*
 * Append a post by p->city (who must exist), at time now_ms. When
 * p->idem_key was seen before from the same city, nothing is written,
 * *duplicate is set and *seq names the first post. Returns 0,
 * UCCN_E_NOTFOUND (no such author, or the project, meeting or audience it
 * names does not exist: the reason says which), UCCN_E_FULL (a city named
 * by city:ID has a full mailbox, or holds the author's share of unread
 * posts from it; the reason names the city and which),
 * UCCN_E_INVALID (the post, or a flag this store does not know) or
 * UCCN_E_MAPFULL. The post is delivered to the mailbox of every city of
 * its audience (p->to) but its author, in the same operation. "all" and
 * "field:NAME" reach only cities that have a key (a city without one
 * cannot read its mailbox); city:ID and a project's lead and partners are
 * reached with or without. A mailbox reached only by "all", a field or a
 * project that is full, or holds the author's share, is skipped: the post
 * is stored and reaches the others. flags: 0 or
 * UCCN_STORE_POST_READERS_ONLY.
 */
int uccn_store_post_add(struct uccn_txn *t, const struct uccn_post *p, unsigned flags,
			int64_t now_ms, uint64_t *seq, bool *duplicate);

/*
 * Put post seq in city's mailbox as well, within its quota, as a post's
 * audience would: for a city the post reaches outside its audience. The
 * city is not recorded as a reader. Delivering it again to the same city
 * changes nothing. Returns 0, UCCN_E_NOTFOUND (no such post or city),
 * UCCN_E_FULL (city's mailbox is full; the reason names it) or
 * UCCN_E_MAPFULL.
 */
int uccn_store_mailbox_deliver(struct uccn_txn *t, const char *city, uint64_t seq);

/* ---- invitations ---- */

/*
 * An invitation is known by the hash of its one-time secret (the caller
 * hashes; the store never sees a secret). It names one city and an expiry,
 * and is used at most once: a used one stays, marked, until it expires, so
 * a second use can be told from a forgery in the log.
 */
#define UCCN_STORE_INVITE_HASH 32

/* What uccn_store_invite_take found. */
enum uccn_invite_verdict {
	UCCN_INVITE_OK,          /* valid: now used */
	UCCN_INVITE_UNKNOWN,     /* no invitation has that secret */
	UCCN_INVITE_USED,        /* it was used already */
	UCCN_INVITE_EXPIRED,     /* its time ran out */
	UCCN_INVITE_OTHER_CITY,  /* it invites another city */
};

/* A word for a verdict, for the log: "unknown", "used", ... */
const char *uccn_store_invite_verdict_name(enum uccn_invite_verdict v);

/*
 * Record an invitation of city (which must exist) by the hash of its
 * secret, valid until expires_ms (ms since the epoch). Returns 0,
 * UCCN_E_NOTFOUND (no such city), UCCN_E_EXISTS (that hash is known
 * already), UCCN_E_INVALID or UCCN_E_MAPFULL.
 */
int uccn_store_invite_put(struct uccn_txn *t, const unsigned char hash[UCCN_STORE_INVITE_HASH],
			  const char *city, int64_t expires_ms);
/*
 * Use the invitation of city whose secret hashes to hash, at now_ms: when
 * it is there, for that city, unused and not expired, mark it used and
 * return 0; otherwise return UCCN_E_DENIED and write nothing. *verdict says
 * which (never tell the client: all refusals look alike to it). Also
 * UCCN_E_CORRUPT or UCCN_E_MAPFULL.
 */
int uccn_store_invite_take(struct uccn_txn *t, const unsigned char hash[UCCN_STORE_INVITE_HASH],
			   const char *city, int64_t now_ms, enum uccn_invite_verdict *verdict);
/* Remove every invitation, used or not, whose expiry is before now_ms;
 * *removed (may be NULL) says how many. Returns 0 or UCCN_E_MAPFULL. */
int uccn_store_invite_expire(struct uccn_txn *t, int64_t now_ms, uint64_t *removed);
/* How many invitations are unused and unexpired at now_ms, in *n. */
int uccn_store_invite_pending(struct uccn_txn *t, int64_t now_ms, uint64_t *n);

/* ---- stats.c: the operator's figures (status, SPEC 4.1) ----
 * Each costs O(1) or one step per mailbox that holds unread posts, so a
 * polled status stays cheap. */

struct uccn_store_mailbox_stats {
	uint64_t total;          /* unread posts in all mailboxes */
	uint64_t deepest;        /* unread posts in the deepest mailbox */
	char deepest_city[UCCN_MAX_ID + 1]; /* its city, the first in id order
					      * on a tie; "" when all are empty */
	uint64_t oldest_seq;     /* the oldest unread post in any mailbox, 0: none */
	int64_t oldest_created_ms; /* and when it was posted */
};
/* The mailboxes' figures as t sees them. Returns 0, or UCCN_E_CORRUPT
 * when the oldest unread post cannot be read. */
int uccn_store_mailbox_stats(struct uccn_txn *t, struct uccn_store_mailbox_stats *out);

/* The directory the store was opened in (borrowed: valid until s is
 * closed or opened again by uccn_store_recover; copy it at once),
 * and the size of its database file in bytes. Returns 0, or UCCN_E_IO
 * when the file cannot be examined. */
int uccn_store_file_stats(struct uccn_store *s, const char **dir, uint64_t *file_bytes);

/* ---- checking a whole store (check.c; uccnd --check) ---- */

/* One inconsistency: the table ("mailbox", "chain", "log", ...), the key
 * as text ("krakow", "city:krakow", "1234") and what is wrong ("entry
 * 1234 names no post"); borrowed for the call only. */
typedef void (*uccn_check_fn)(const char *table, const char *key, const char *problem,
			      void *ctx);
/* Called every few thousand records with the count so far. */
typedef void (*uccn_check_progress_fn)(uint64_t records, void *ctx);

struct uccn_check_totals {
	uint64_t records;   /* values read and checked */
	uint64_t problems;  /* inconsistencies reported */
	uint64_t last_seq;  /* the newest number of the sequence */
	uint64_t cities;    /* cities and posts stored, as uccn_store_stats */
	uint64_t posts;     /* counts them */
	bool pages_checked; /* the page walk ran: no uccnd held the directory */
	bool pages_damaged; /* it found a damaged page: nothing else was read */
};

/*
 * Check the store in dir without writing anything: LMDB opened with
 * MDB_RDONLY, everything read in one read transaction (a consistent
 * snapshot, safe beside a uccnd serving dir). When no uccnd holds dir's
 * lock, the pages are walked first as uccn_store_check_files does (under
 * a shared lock, held for the walk only). Every value is read through its
 * seal and decoded; every chain is walked from its head (its posts, its
 * length, its marks); the indexes, mailboxes, sender counts, readers and
 * the gapless sequence are checked against the posts and the change log.
 * Each inconsistency goes to found (may be NULL). Returns 0 when the check
 * ran (tot->problems says what it found); UCCN_E_NOTFOUND when dir holds
 * no store, UCCN_E_VERSION for a store of an older format, UCCN_E_IO or
 * UCCN_E_NOMEM, with the reason in err.
 */
int uccn_store_check(const char *dir, uccn_check_fn found, uccn_check_progress_fn progress,
		     void *ctx, struct uccn_check_totals *tot, char *err, size_t errlen);

/* ---- dump and load (dump.c, load.c; docs/dump-format.md) ---- */

/*
 * Write every record of the store in dir to out as JSON Lines: a header
 * line, then one line per record, table by table, numbered records in
 * their order. Read in one read-only snapshot as uccn_store_check reads,
 * so safe beside a serving uccnd. 0, or UCCN_E_NOTFOUND, UCCN_E_VERSION,
 * UCCN_E_CORRUPT (a record fails its checksum: the dump stops there),
 * UCCN_E_IO, with the reason in err.
 */
int uccn_store_dump(const char *dir, FILE *out, char *err, size_t errlen);

/*
 * Load a dump read from in (a seekable file; name for the reasons) into
 * dir, which must hold no store (no data.mdb, or an empty one). Every line
 * is read and checked first: a line that is not JSON or not a record, or a
 * dump shorter than its header counts, is refused naming the line, and
 * nothing is created. Then all records go in one transaction. 0, or
 * UCCN_E_EXISTS (dir holds a store), UCCN_E_INVALID (the dump), UCCN_E_IO,
 * UCCN_E_FULL, with the reason in err.
 */
int uccn_store_load(const char *dir, FILE *in, const char *name, char *err, size_t errlen);

#endif
