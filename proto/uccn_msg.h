/*
 * uccn_msg.h - requests and replies of the uccn protocol and their bounded
 * msgpack codec. proto/SPEC.md is the normative text; this header is its C
 * binding. Nothing here does I/O.
 *
 * Decoding never trusts a count or length in the input: the bytes are first
 * walked without allocating (uccn_msgpack_scan), so msgpack-c only ever
 * allocates in proportion to the bytes actually received.
 */
#ifndef UCCN_MSG_H
#define UCCN_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "uccn_records.h"

enum uccn_op {
	UCCN_OP_NONE = 0,
	UCCN_OP_STATUS,
	UCCN_OP_CITY_ADD,
	UCCN_OP_CITY_LIST,
	UCCN_OP_POST,
	UCCN_OP_LIST,
	UCCN_OP_SHOW,
	UCCN_OP_FIELD_ADD,
	UCCN_OP_FIELD_LIST,
	UCCN_OP_CITY_SHOW,
	UCCN_OP_CITY_UPDATE,
	UCCN_OP_CITY_REKEY,
	UCCN_OP_CITY_IMPORT,
	UCCN_OP_PROJECT_ADD,
	UCCN_OP_PROJECT_UPDATE,
	UCCN_OP_PROJECT_SHOW,
	UCCN_OP_PROJECT_LIST,
	UCCN_OP_PROJECT_JOIN,
	UCCN_OP_PROJECT_LEAVE,
	UCCN_OP_MEETING_ADD,
	UCCN_OP_MEETING_UPDATE,
	UCCN_OP_MEETING_SHOW,
	UCCN_OP_MEETING_LIST,
	UCCN_OP_INBOX,
	UCCN_OP_INBOX_ACK,
	UCCN_OP_WATCH,
	UCCN_OP_AGENDA_PUBLISH,
	UCCN_OP_AGENDA_GET,
	UCCN_OP_CITY_INVITE,
	UCCN_OP_CITY_ENROL,
	UCCN_OP_CITY_IMPORT_STAGE,
	UCCN_OP_ADMIN_HANDOVER,
	UCCN_OP_ADMIN_LOG,
	UCCN_OP_ADMIN_BACKUP,
	UCCN_OP_LAST = UCCN_OP_ADMIN_BACKUP, /* for loops over every op */
};

/* The wire name of op ("city.add"), or NULL for an unknown op. */
const char *uccn_op_name(enum uccn_op op);
/* The op for a wire name, or UCCN_OP_NONE. */
enum uccn_op uccn_op_from_name(const char *name);
/* True for ops that change the store (they go through group commit). */
bool uccn_op_writes(enum uccn_op op);

/* Filters of a list request. Strings are owned; NULL means "any". */
struct uccn_query {
	char *kind;
	char *city;
	char *project;
	char *meeting;
	uint64_t since;  /* only posts with seq > since; 0 for all */
	uint64_t before; /* only posts with seq < before; 0 for no bound */
	uint32_t limit;  /* 1..UCCN_LIST_MAX; 0 means UCCN_LIST_DEFAULT */
};

struct uccn_request {
	enum uccn_op op;
	uint64_t rid;            /* client's request id, echoed in the reply */
	struct uccn_city city;   /* city.add, city.update; city.rekey: id, key */
	struct uccn_post post;   /* post: kind..minutes, idem_key */
	struct uccn_query query; /* list */
	uint64_t seq;            /* show; inbox.ack: everything up to it is read */
	uint32_t wait_ms;        /* watch: hold the request this long at most */
	char *name;              /* field.add: the field; city/project/meeting
				  * show, project join/leave: the id */
	char *field;             /* city/project/meeting.list filter */
	char *country;           /* city.list filter */
	char *status;            /* project/meeting.list filter */
	char *of_city;           /* project.list filter: lead or partner */
	uint64_t if_version;     /* *.update: the version the client read */
	struct uccn_project project; /* project.add, project.update */
	struct uccn_meeting meeting; /* meeting.add, meeting.update */
	struct uccn_agenda_pub agenda; /* agenda.publish (meeting, entries) */
	struct uccn_city *cities;/* city.import(.stage), at most UCCN_MAX_IMPORT */
	size_t ncities;
	char *import_id;         /* city.import.stage, city.import: a staged
				  * import (SPEC 4.12.1); kept when the
				  * request fails to decode, as error_index is */
	uint32_t expires_s;      /* city.invite: valid this long; 0: the default */
	char *secret;            /* city.enrol: the invitation's secret, hex */
	bool overwrite;          /* city.import: replace fields changed by hand */
	bool discard;            /* city.import.stage: end import_id unimported */
	uint64_t error_index;    /* a decoding error: the 1-based item at fault
				  * (city.import), else 0; sent as `index` */
	char *log_level;         /* admin.log: error, warn, info or debug */
	char *backup_id;         /* admin.backup: the backup asked for; NULL
				  * starts one */
	uint64_t offset;         /* admin.backup: where the chunk starts */
};

/* Replies sent with each error, indexed by the code negated (UCCN_E_DENIED
 * at 5); slot 0, ok, is unused. On the wire a map of error name -> count
 * holding the kinds that are not 0 (SPEC 4.1). */
#define UCCN_REFUSAL_SLOTS 15
struct uccn_refusals {
	uint64_t by_code[UCCN_REFUSAL_SLOTS];
};

/* status, for a coordinator or the secretariat: the operator's figures
 * (SPEC 4.1, server_state). Strings owned. */
struct uccn_server_state {
	char *data_dir;
	uint64_t data_bytes;
	uint64_t map_bytes;
	uint64_t map_used_bytes;
	uint64_t peers;          /* handshaken connections open now */
	uint64_t commit_p50_us;
	uint64_t commit_p99_us;
	uint64_t batches;
	uint64_t writes;
	uint64_t batch_avg_x100; /* writes per batch, times 100 */
	uint64_t mailbox_total;
	uint64_t mailbox_max;
	char *mailbox_max_city;  /* NULL when every mailbox is empty */
	uint64_t oldest_unread_s;
	struct uccn_refusals refusals;
	uint64_t drops;
	char *server_key_fingerprint;
};

struct uccn_status_info {
	char *server;        /* "uccnd 0.1.0" */
	uint32_t proto;      /* UCCN_PROTO_VERSION */
	char *city;          /* the caller, as the server knows it */
	char *role;
	uint64_t cities;
	uint64_t posts;
	uint64_t last_seq;
	uint64_t uptime_s;
	uint64_t unread;     /* the caller's mailbox */
	uint64_t mailboxes;  /* unread posts in all mailboxes */
	bool has_state;      /* state is there: the caller manages the network */
	struct uccn_server_state state;
};

/* city.invite's answer: what the CLI puts in the invitation's text
 * (uccn_invite.h). Strings owned. */
struct uccn_invitation {
	char *city;
	char *secret;        /* 64 hex digits; the server keeps only its hash */
	char *server_key;    /* Z85 */
	char *endpoint;      /* where the server listens */
	int64_t expires;     /* seconds since the epoch, UTC */
};

/* Bytes, not text (a msgpack bin). Owned. */
struct uccn_bytes {
	unsigned char *data;
	size_t len;
};

/* admin.backup's answer (SPEC 4.20): one chunk of a backup file, and on
 * the first chunk what the file holds. Strings and data owned. */
struct uccn_backup_chunk {
	char *id;
	bool ready;          /* false: still being made, ask again */
	uint64_t size;       /* of the whole file */
	uint64_t offset;     /* of data in the file */
	struct uccn_bytes data;
	bool done;           /* data ends the file */
	char *checksum;      /* BLAKE2b-256 of the whole file, hex */
	char *manifest;      /* the file's manifest, JSON text */
	uint64_t last_seq, cities, posts;
	uint64_t problems;   /* what the check of the copy found (0: clean) */
	char *problem;       /* the first of them, or NULL */
};

struct uccn_reply {
	enum uccn_op op;     /* not on the wire: the op of the request */
	uint64_t rid;
	int status;          /* 0 or a negative UCCN_E_* */
	char *message;       /* error reply: a precise reason */
	/* post, city.add */
	uint64_t seq;
	bool duplicate;
	int64_t created_ms;
	/* list, show */
	struct uccn_post *posts;
	size_t nposts;
	uint64_t next;       /* list: pass as "before" for the next page, 0 at
			      * the end; watch: pass as "since" next time */
	/* city.list, city.show (one) */
	struct uccn_city *cities;
	size_t ncities;
	/* agenda.get */
	struct uccn_agenda_pub agenda;
	bool has_agenda;
	/* field.list; city.import: the fields it kept, "city.field" */
	char **fields;
	size_t nfields;
	/* project.show (one), project.list */
	struct uccn_project *projects;
	size_t nprojects;
	/* meeting.show (one), meeting.list */
	struct uccn_meeting *meetings;
	size_t nmeetings;
	/* city/project/meeting update, city.rekey, project join/leave: the
	 * record's new version */
	uint64_t version;
	/* city.import; the first fields it kept are named in fields */
	uint64_t added, updated, unchanged, kept;
	/* city.import.stage: the import's id and the cities staged in it */
	char *import_id;
	uint64_t staged;
	/* inbox, inbox.ack: unread posts left; inbox.ack: how many it marked */
	uint64_t unread;
	uint64_t acked;
	/* error reply: the 1-based position in a request's list the error is
	 * about (city.import), 0 when none */
	uint64_t error_index;
	/* status */
	struct uccn_status_info info;
	/* city.invite */
	struct uccn_invitation invite;
	/* admin.log: the level before and the level now */
	char *log_was;
	char *log_level;
	/* admin.backup */
	struct uccn_backup_chunk backup;
};

struct uccn_field; /* proto-private: a key of a message (proto/fields.h) */

/*
 * An operation as one table row: everything proto knows of it. The daemon
 * and the CLI may read name and writes; the field lists are for proto's
 * codec (the count of keys and the keys packed come from the same list, so
 * they cannot disagree).
 */
struct uccn_op_desc {
	enum uccn_op op;
	const char *name;                 /* on the wire: "city.add" */
	bool writes;                      /* changes the store: group commit */
	const struct uccn_field *request; /* keys after the header, in order */
	size_t nrequest;
	const struct uccn_field *reply;   /* keys of a successful reply */
	size_t nreply;
	/*
	 * The request's rules beyond the types and limits of its fields, run
	 * by uccn_request_decode once they are read; NULL when there are none.
	 * May clear what only the server sets (a post's author, a record's
	 * version). Returns 0 or a UCCN_E_* code with a reason in err.
	 */
	int (*check)(struct uccn_request *r, char *err, size_t errlen);
};

/* The row of op, in static storage; NULL for UCCN_OP_NONE or a value that
 * is not an op. */
const struct uccn_op_desc *uccn_op_desc(enum uccn_op op);

void uccn_request_clear(struct uccn_request *r);
void uccn_reply_clear(struct uccn_reply *r);

/*
 * Walk one msgpack object in buf[0..len) without allocating. Succeeds only
 * when the object spans exactly len bytes, nests at most max_depth levels,
 * holds at most max_objects objects, uses no ext types and every count and
 * length fits in the bytes that remain. Returns 0, UCCN_E_INVALID or
 * UCCN_E_TOOBIG, with a reason in err.
 */
int uccn_msgpack_scan(const void *buf, size_t len, unsigned max_depth,
		      size_t max_objects, char *err, size_t errlen);

/*
 * Encode r into out (which the caller has initialised and later destroys).
 * Returns 0, UCCN_E_INVALID (op unknown) or UCCN_E_NOMEM.
 */
int uccn_request_encode(const struct uccn_request *r, msgpack_sbuffer *out);
int uccn_reply_encode(const struct uccn_reply *r, msgpack_sbuffer *out);

/*
 * Decode one frame. out must be zeroed; on success it owns its strings, on
 * failure it is left clear but out->rid holds the request id when one could
 * be read (so the error reply can echo it). Returns 0, UCCN_E_INVALID,
 * UCCN_E_TOOBIG, UCCN_E_VERSION, UCCN_E_UNKNOWN_OP or UCCN_E_NOMEM with a
 * precise reason in err.
 */
int uccn_request_decode(const void *buf, size_t len, struct uccn_request *out,
			char *err, size_t errlen);
/* op says which reply to expect (the wire does not repeat it). */
int uccn_reply_decode(const void *buf, size_t len, enum uccn_op op,
		      struct uccn_reply *out, char *err, size_t errlen);

#endif
