/*
 * server_int.h - what the rooms of the broker share, and nothing main.c
 * sees (its way in is server.h).
 *
 * A request comes in on the ROUTER (router.c), is checked against its
 * operation's row of the rule table (dispatch.c) and is either a read,
 * answered at once (ops_read.c; a watch may be held, watch.c), or a write.
 * Writes wait in a batch that goes, in one transaction, to the commit
 * thread (batch.c, committer.h) and are applied there by their row's
 * function (ops_write.c); only when that commit has returned (durable) are
 * their replies sent. While one batch syncs, the next one forms. Who may
 * read a post is readers.c's rule; what an agenda's notice says and whom
 * it reaches, notice.c's.
 */
#ifndef UCCND_SERVER_INT_H
#define UCCND_SERVER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "inflow.h"
#include "metrics.h"
#include "server.h"
#include "uccn_fingerprint.h"
#include "uccn_msg.h"
#include "uccn_records.h"
#include "uccn_store.h"

#define ROUTING_ID_MAX 255

enum role_bit {
	ROLE_MEMBER = 1,
	ROLE_COORDINATOR = 2,
	ROLE_SECRETARIAT = 4,
	ROLE_DEPUTY = 8,
	ROLE_ANY = 15,
	ROLE_NETWORK = ROLE_COORDINATOR | ROLE_SECRETARIAT, /* manage cities, fields */
	/* A key no city owns, let in while invitations are pending: it may
	 * only enrol (city.enrol). Not in ROLE_ANY. */
	ROLE_GUEST = 16,
};

/* What guests may cost (guests.c): per peer address a burst and a steady
 * rate, and the same for all guests together, in handshakes plus
 * requests. */
#define GUEST_SLOTS 1024
#define GUEST_PEER_BURST 30.0
#define GUEST_PEER_RATE 0.5     /* per second: one every two seconds */
#define GUEST_ALL_BURST 100.0
#define GUEST_ALL_RATE 20.0

struct guest_bucket {
	double tokens;
	int64_t at;               /* ms, CLOCK_MONOTONIC; 0: never used */
};

struct guest_limits {
	struct guest_bucket per_peer[GUEST_SLOTS];
	struct guest_bucket all;
};

/* The peer's address as libzmq gives it ("Peer-Address"), for the guests'
 * rate limit. */
#define PEER_ADDRESS_MAX 64

struct pending {
	unsigned char routing_id[ROUTING_ID_MAX];
	char peer[PEER_ADDRESS_MAX];
	size_t routing_id_len;
	bool delimiter;            /* the client is a REQ: echo the empty frame */
	bool counted;              /* holds one of its connection's credit (credit.c) */
	char city[UCCN_MAX_ID + 1];
	char key[UCCN_KEY_Z85_LEN + 1]; /* a write's: checked again at commit */
	struct uccn_request req;
	struct uccn_reply rep;
};

/* A watch request held until a post it may see is committed, or until its
 * wait runs out. There are at most SERVER_MAX_WATCHERS: each holds one
 * request and nothing more, so a slow or stalled watcher costs a slot, not
 * a growing queue (it gets a post only when it asks again). */
struct watcher {
	struct pending p;
	int64_t deadline_ms;       /* CLOCK_MONOTONIC */
	bool used;
};

/* Requests outstanding per connection (credit.c). */
struct credit_slot;
struct credit_table {
	struct credit_slot *slots;
	size_t used;
};

struct server {
	void *router;
	void *zap;
	struct uccn_store *store;
	struct loop *loop;         /* stopped when the store is lost (batch.c) */
	struct pending *scratch;   /* the request being received */
	struct committer *committer; /* the batches of writes */
	uint64_t batches, writes;  /* committed, for the log at exit */
	size_t last_batch;         /* writes in the batch answered last */
	struct watcher *watchers;  /* SERVER_MAX_WATCHERS slots */
	size_t nwatchers;
	uint64_t watch_seen;       /* last_seq the held watches were checked at */
	time_t started;
	struct guest_limits guests;
	struct credit_table credits;
	struct metrics metrics;    /* for status (SPEC 4.1, server_state) */
	void *monitor;             /* the ROUTER's connection events (peers.c) */
	struct inflow inflow;      /* bytes connections sent, not delivered */
	char endpoint[UCCN_MAX_ENDPOINT + 1]; /* where the ROUTER is bound */
	char fingerprint[UCCN_FINGERPRINT_LEN + 1]; /* of the server's public key */
};

/* Count one more request outstanding on the connection of routing id id:
 * 0 with *outstanding set (this one included), UCCN_E_BUSY when too many
 * connections have requests outstanding, UCCN_E_NOMEM. Each 0 is matched
 * by one server_credit_give when the request is answered. */
int server_credit_take(struct server *s, const unsigned char *id, size_t len,
		       uint32_t *outstanding);
void server_credit_give(struct server *s, const unsigned char *id, size_t len);
void server_credit_free(struct server *s);

/* Who is calling, as the snapshot the request is read in says. */
struct caller {
	char city[UCCN_MAX_ID + 1];
	unsigned role;
	struct uccn_city record;
};

/*
 * The functions of an operation's row. They are function types, not
 * pointer types, so that each room can declare its functions below with
 * the type alone.
 */

/* A finer rule than the role, on the snapshot the request was read in:
 * 0 to go on, or an error code with the reason in rep. A write it allows
 * names a version (if_version), so a record changed since is refused. It
 * may also settle what the client does not choose (a post's author). */
typedef int server_check_fn(struct uccn_txn *t, const struct caller *c,
			    struct uccn_request *req, struct uccn_reply *rep);
/* A read: fills rep (or sets its error) from snapshot t. */
typedef void server_read_fn(struct server *s, struct uccn_txn *t, const struct caller *c,
			    const struct uccn_request *req, struct uccn_reply *rep);
/* After a read: true when p is held to be answered later (p is then
 * emptied), false to answer it now. */
typedef bool server_hold_fn(struct server *s, struct pending *p, const struct caller *c);
/* A write, in the batch's transaction on the commit thread: 0 or the
 * store's code, with the results in p->rep; now_ms is the batch's time. */
typedef int server_apply_fn(struct uccn_txn *t, struct pending *p, int64_t now_ms);
/* A write failed without a reason from the store: true when p->rep now
 * says why, false to leave it to the code's generic text. */
typedef bool server_explain_fn(struct pending *p);
/* A write committed durably, before its reply goes: say so in the log
 * (a line written in apply could be undone by the batch failing). */
typedef void server_committed_fn(const struct pending *p);

/* One row per operation (the table is in dispatch.c): who may run it and
 * what running it means. An op with no row is denied to everyone. */
struct rule {
	enum uccn_op op;
	unsigned roles;              /* enum role_bit: who may */
	server_check_fn *check;      /* NULL: the role is enough */
	server_read_fn *read;        /* a read: answered at once */
	server_hold_fn *hold;        /* a read that may wait for news */
	server_apply_fn *apply;      /* a write: goes through the batch */
	server_explain_fn *explain; /* NULL: the code's generic text */
	server_committed_fn *committed; /* NULL: nothing to log */
};

/* dispatch.c */
const struct rule *server_rule_for(enum uccn_op op);
/* Handle a decoded (or undecodable, decode_rc != 0) request in p from the
 * connection whose key is key; true when it is a write to queue, false
 * when it was answered or held. */
bool server_handle(struct server *s, struct pending *p, int decode_rc,
		   const char *decode_err, const char *key);
/* At commit: is p's key still the city that sent it, in a role r allows?
 * 0, UCCN_E_DENIED, or the store's error. */
int server_still_allowed(struct uccn_txn *t, const struct pending *p, const struct rule *r);

/* ops_read.c */
server_read_fn server_read_status, server_read_city_list, server_read_city_show,
	server_read_field_list, server_read_list, server_read_show, server_read_inbox,
	server_read_watch, server_read_project_show, server_read_project_list,
	server_read_meeting_show, server_read_meeting_list, server_read_agenda_get;
/* A read answered UCCN_E_CORRUPT: name the damaged record (the store's
 * reason in t) in rep's message and log it once. */
void server_note_corrupt(struct uccn_txn *t, struct uccn_reply *rep);

/* ops_write.c */
server_check_fn server_check_post, server_check_city_write, server_check_city_import,
	server_check_project_add, server_check_project_update, server_check_meeting_add,
	server_check_meeting_update, server_check_agenda_publish;
server_apply_fn server_apply_post, server_apply_city_add, server_apply_city_update,
	server_apply_city_rekey, server_apply_city_import, server_apply_field_add,
	server_apply_project_add, server_apply_project_update, server_apply_project_join,
	server_apply_project_leave, server_apply_meeting_add, server_apply_meeting_update,
	server_apply_inbox_ack, server_apply_agenda_publish;
server_explain_fn server_explain_post, server_explain_city_add;

/* import_stage.c: imports larger than a frame (SPEC 4.12.1) */
/* city.import.stage: check a chunk and hold it under its import id. */
server_read_fn server_read_city_import_stage;
/*
 * city.import naming req->import_id: put the cities city staged under it
 * before the request's own, so they commit in its transaction, and end the
 * staged import. 0 with *staged the cities put in front, or an error code
 * with the reason in rep (UCCN_E_NOTFOUND: not staged, or another city's;
 * UCCN_E_TOOBIG; UCCN_E_NOMEM); the import ends either way.
 */
int server_import_take(const char *city, struct uccn_request *req, struct uccn_reply *rep,
		       size_t *staged);
/* A request naming an import failed to decode with p->rep.error_index
 * set: place the city at fault in the whole import of the key's city. */
void server_import_place_error(struct server *s, const char *key, struct pending *p);
/* Free every staged import, at exit. */
void server_import_stage_free(void);

/* readers.c */
/* Whether p is private: a "message" not to "all", which only its author
 * and the cities it was delivered to may read. Its apply records those
 * (UCCN_STORE_POST_READERS_ONLY). */
bool server_post_private(const struct uccn_post *p);
/* Who is reading: the ctx of server_may_read. */
struct server_reader {
	const char *city;
};
/* The keep of a struct uccn_post_filter, for reader (a struct
 * server_reader): whether it may read p, in t. */
bool server_may_read(struct uccn_txn *t, const struct uccn_post *p, void *reader);

/* watch.c */
server_hold_fn server_hold_watch;
/* Answer every held watch that has news or whose wait ran out. */
void server_serve_watchers(struct server *s);

/* batch.c */
int server_apply_batch(struct uccn_txn *t, void *ctx);
/* Commit write p: at once when it is alone, else through the batch. */
void server_queue_write(struct server *s, struct pending *p);
/* Answer the batches the commit thread has finished. */
void server_take_finished(struct server *s);
void server_on_committed(void *ctx);
void server_before_sleep(void *ctx);

/* router.c */
int server_router_open(struct server *s, void *zmq_ctx, const struct server_options *opt,
		       char *err, size_t errlen);
void server_on_router(void *ctx);
void server_send_reply(struct server *s, const struct pending *p);
/* Whether p's connection has had a reply replaced by busy and still has so
 * many replies queued that the largest reply would not fit its bound (SPEC
 * 2.1): a read is then answered busy without being run, so a peer that asks
 * and never reads costs the server next to nothing while others wait. */
bool server_replies_backed_up(const struct pending *p);

/* peers.c */
/* Watch the ROUTER's connections (before it binds) and count them in
 * s->metrics; the events are read by server_on_peers in the loop. */
int server_peers_open(struct server *s, void *zmq_ctx, char *err, size_t errlen);
void server_on_peers(void *ctx);
void server_peers_close(struct server *s);

/* server_state.c */
/* A coordinator's or the secretariat's status: the operator's figures
 * (SPEC 4.1), into rep->info.state. Returns 0 or an error code with the
 * reason in rep. */
int server_fill_state(struct server *s, struct uccn_txn *t, struct uccn_reply *rep);

/* zap.c */
int server_zap_open(struct server *s, void *zmq_ctx, char *err, size_t errlen);
void server_on_zap(void *ctx);

/* guests.c */
/* May a guest at peer address addr have one more handshake or request? */
bool server_guest_allow(struct server *s, const char *addr);

/* ops_invite.c */
/* What city.invite answers with besides the secret: set once, before the
 * commit thread starts. Returns 0, or UCCN_E_INTERNAL when the secret key
 * is no key or libsodium cannot start. */
int server_invite_setup(const char *endpoint, const char *server_secret);
/* The endpoint invitations name from now on (a reload moved it). */
void server_invite_advertise(const char *endpoint);
/* A guest's request (a key no city owns, c->role ROLE_GUEST): true to go
 * on, false when rep says why not (rate limit, a key other than its own). */
bool server_guest_request(struct server *s, struct pending *p, const char *key);
server_apply_fn server_apply_city_invite, server_apply_city_enrol;

/* ops_admin.c: the coordinator's own ops (SPEC 4.20) */
server_check_fn server_check_admin_handover;
server_apply_fn server_apply_admin_handover;
server_committed_fn server_committed_admin_handover;
server_read_fn server_read_admin_log;

/* ops_backup.c: admin.backup, made on a thread, served in chunks */
server_read_fn server_read_admin_backup;
/* Remove the backup under way, if any, waiting for its thread: at exit. */
void server_backup_free(void);
/* Remove a backup made and unused for BACKUP_IDLE_MS; before each sleep. */
void server_backup_sweep(void);

/* server.c */
/* Set rep's status to code and its message, replacing any earlier one. */
void server_reply_error(struct uccn_reply *rep, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void server_pending_clear(struct pending *p);

#endif
