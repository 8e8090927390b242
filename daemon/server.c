/*
 * server.c - the broker. Reads are answered as they arrive; writes wait in
 * a batch that goes, in one transaction, to the commit thread; only when
 * that commit has returned (durable) are their replies sent. While one
 * batch syncs, the next one forms (pipelined group commit).
 *
 * Identity: the ZAP handler accepts a CURVE client only if its public key
 * belongs to a registered city, and hands the key to the ROUTER as the
 * connection's User-Id. Each request looks the key up again, so a city
 * whose key was replaced or removed loses access at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "committer.h"
#include "log.h"
#include "server.h"
#include "tzdb.h"
#include "uccn_error.h"
#include "uccn_msg.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_DOMAIN "uccn"
#define ROUTING_ID_MAX 255
/* Room kept in a list reply for everything that is not a post. */
#define REPLY_MARGIN 4096

enum role_bit {
	ROLE_MEMBER = 1,
	ROLE_COORDINATOR = 2,
	ROLE_SECRETARIAT = 4,
	ROLE_DEPUTY = 8,
	ROLE_ANY = 15,
	ROLE_NETWORK = ROLE_COORDINATOR | ROLE_SECRETARIAT, /* manage cities, fields */
};

struct pending {
	unsigned char routing_id[ROUTING_ID_MAX];
	size_t routing_id_len;
	bool delimiter;            /* the client is a REQ: echo the empty frame */
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

struct server {
	void *router;
	void *zap;
	struct uccn_store *store;
	struct pending *scratch;   /* the request being received */
	struct committer *committer; /* the batches of writes */
	uint64_t batches, writes;  /* committed, for the log at exit */
	size_t last_batch;         /* writes in the batch answered last */
	struct watcher *watchers;  /* SERVER_MAX_WATCHERS slots */
	size_t nwatchers;
	uint64_t watch_seen;       /* last_seq the held watches were checked at */
	time_t started;
};

struct caller {
	char city[UCCN_MAX_ID + 1];
	unsigned role;
	struct uccn_city record;
};

typedef void (*read_fn)(struct server *s, struct uccn_txn *t,
			const struct caller *c, const struct uccn_request *req,
			struct uccn_reply *rep);

static void op_status(struct server *, struct uccn_txn *, const struct caller *,
		      const struct uccn_request *, struct uccn_reply *);
static void op_city_list(struct server *, struct uccn_txn *, const struct caller *,
			 const struct uccn_request *, struct uccn_reply *);
static void op_list(struct server *, struct uccn_txn *, const struct caller *,
		    const struct uccn_request *, struct uccn_reply *);
static void op_show(struct server *, struct uccn_txn *, const struct caller *,
		    const struct uccn_request *, struct uccn_reply *);
static void op_inbox(struct server *, struct uccn_txn *, const struct caller *,
		     const struct uccn_request *, struct uccn_reply *);
static void op_watch(struct server *, struct uccn_txn *, const struct caller *,
		     const struct uccn_request *, struct uccn_reply *);
static void op_field_list(struct server *, struct uccn_txn *, const struct caller *,
			  const struct uccn_request *, struct uccn_reply *);
static void op_city_show(struct server *, struct uccn_txn *, const struct caller *,
			 const struct uccn_request *, struct uccn_reply *);

/* Who may do what. An op missing here is denied to everyone. Writes have
 * no read_fn: they go through the batch. Mirrored in proto/SPEC.md. */
static void op_project_show(struct server *, struct uccn_txn *, const struct caller *,
			    const struct uccn_request *, struct uccn_reply *);
static void op_project_list(struct server *, struct uccn_txn *, const struct caller *,
			    const struct uccn_request *, struct uccn_reply *);
static void op_meeting_show(struct server *, struct uccn_txn *, const struct caller *,
			    const struct uccn_request *, struct uccn_reply *);
static void op_meeting_list(struct server *, struct uccn_txn *, const struct caller *,
			    const struct uccn_request *, struct uccn_reply *);

/* A finer rule than the role: 0 to allow, or UCCN_E_DENIED with the reason
 * in rep. Runs on the snapshot the request was read in; a write it allows
 * names a version (if_version), so a record changed since is refused. */
typedef int (*allow_fn)(struct uccn_txn *t, const struct caller *c,
			const struct uccn_request *req, struct uccn_reply *rep);
static int allow_project_add(struct uccn_txn *, const struct caller *,
			     const struct uccn_request *, struct uccn_reply *);
static int allow_project_update(struct uccn_txn *, const struct caller *,
				const struct uccn_request *, struct uccn_reply *);
static int allow_meeting_write(struct uccn_txn *, const struct caller *,
			       const struct uccn_request *, struct uccn_reply *);
static int allow_agenda_publish(struct uccn_txn *, const struct caller *,
				const struct uccn_request *, struct uccn_reply *);
static void op_agenda_get(struct server *, struct uccn_txn *, const struct caller *,
			  const struct uccn_request *, struct uccn_reply *);

static const struct rule {
	enum uccn_op op;
	unsigned roles;
	read_fn run;
	allow_fn allow;
} rules[] = {
	{UCCN_OP_STATUS, ROLE_ANY, op_status, NULL},
	{UCCN_OP_CITY_LIST, ROLE_ANY, op_city_list, NULL},
	{UCCN_OP_LIST, ROLE_ANY, op_list, NULL},
	{UCCN_OP_SHOW, ROLE_ANY, op_show, NULL},
	{UCCN_OP_FIELD_LIST, ROLE_ANY, op_field_list, NULL},
	{UCCN_OP_CITY_SHOW, ROLE_ANY, op_city_show, NULL},
	{UCCN_OP_POST, ROLE_ANY, NULL, NULL},
	{UCCN_OP_CITY_ADD, ROLE_NETWORK, NULL, NULL},
	{UCCN_OP_CITY_UPDATE, ROLE_NETWORK, NULL, NULL},
	{UCCN_OP_CITY_REKEY, ROLE_NETWORK, NULL, NULL},
	{UCCN_OP_CITY_IMPORT, ROLE_NETWORK, NULL, NULL},
	{UCCN_OP_FIELD_ADD, ROLE_NETWORK, NULL, NULL},
	{UCCN_OP_PROJECT_SHOW, ROLE_ANY, op_project_show, NULL},
	{UCCN_OP_PROJECT_LIST, ROLE_ANY, op_project_list, NULL},
	{UCCN_OP_PROJECT_ADD, ROLE_ANY, NULL, allow_project_add},
	{UCCN_OP_PROJECT_UPDATE, ROLE_ANY, NULL, allow_project_update},
	{UCCN_OP_PROJECT_JOIN, ROLE_ANY, NULL, NULL},   /* always as itself */
	{UCCN_OP_PROJECT_LEAVE, ROLE_ANY, NULL, NULL},
	{UCCN_OP_MEETING_SHOW, ROLE_ANY, op_meeting_show, NULL},
	{UCCN_OP_MEETING_LIST, ROLE_ANY, op_meeting_list, NULL},
	{UCCN_OP_MEETING_ADD, ROLE_NETWORK | ROLE_DEPUTY, NULL, allow_meeting_write},
	{UCCN_OP_MEETING_UPDATE, ROLE_NETWORK | ROLE_DEPUTY, NULL, allow_meeting_write},
	{UCCN_OP_INBOX, ROLE_ANY, op_inbox, NULL},        /* its own mailbox */
	{UCCN_OP_INBOX_ACK, ROLE_ANY, NULL, NULL},
	{UCCN_OP_WATCH, ROLE_ANY, op_watch, NULL},
	{UCCN_OP_AGENDA_GET, ROLE_ANY, op_agenda_get, NULL},
	{UCCN_OP_AGENDA_PUBLISH, ROLE_NETWORK | ROLE_DEPUTY, NULL, allow_agenda_publish},
};

static const struct rule *rule_for(enum uccn_op op)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (rules[i].op == op)
			return &rules[i];
	return NULL;
}

static unsigned role_bit(const char *role)
{
	if (!role)
		return 0;
	if (strcmp(role, "member") == 0)
		return ROLE_MEMBER;
	if (strcmp(role, "coordinator") == 0)
		return ROLE_COORDINATOR;
	if (strcmp(role, "secretariat") == 0)
		return ROLE_SECRETARIAT;
	if (strcmp(role, "deputy") == 0)
		return ROLE_DEPUTY;
	return 0;
}

static void reply_error(struct uccn_reply *rep, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reply_error(struct uccn_reply *rep, int code, const char *fmt, ...)
{
	char buf[UCCN_MAX_MESSAGE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(rep->message);
	rep->status = code;
	rep->message = strdup(buf);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- sending ---- */

static void send_reply(struct server *s, const struct pending *p)
{
	msgpack_sbuffer b;
	msgpack_sbuffer_init(&b);
	int rc = uccn_reply_encode(&p->rep, &b);
	if (rc) {
		/* Fall back to a bare error reply; it cannot fail to encode
		 * for want of anything but memory. */
		struct uccn_reply e = {.rid = p->rep.rid, .status = UCCN_E_INTERNAL};
		msgpack_sbuffer_clear(&b);
		if (uccn_reply_encode(&e, &b)) {
			msgpack_sbuffer_destroy(&b);
			log_msg(LOG_ERROR, "cannot encode a reply: out of memory");
			return;
		}
		log_msg(LOG_ERROR, "cannot encode a reply to %s: %s",
			uccn_op_name(p->rep.op) ? uccn_op_name(p->rep.op) : "?",
			uccn_strerror(rc));
	}
	/* A peer that is gone or not reading makes the ROUTER drop the reply;
	 * never block the loop on one client. */
	if (zmq_send(s->router, p->routing_id, p->routing_id_len,
		     ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    (p->delimiter && zmq_send(s->router, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) ||
	    zmq_send(s->router, b.data, b.size, ZMQ_DONTWAIT) < 0)
		log_msg(LOG_DEBUG, "reply dropped: %s", zmq_strerror(errno));
	msgpack_sbuffer_destroy(&b);
}

static void pending_clear(struct pending *p)
{
	uccn_request_clear(&p->req);
	uccn_reply_clear(&p->rep);
}

/* ---- group commit ---- */

static int identify(struct uccn_txn *t, const char *key, struct caller *c);

/* The write's key still names the same city, in a role still allowed the
 * op, as the transaction that applies it sees them: a key replaced, or a
 * role taken away, since the request was checked stops it here. */
static int still_allowed(struct uccn_txn *t, const struct pending *p)
{
	struct caller c = {0};
	int rc = identify(t, p->key, &c);
	const struct rule *r = rule_for(p->req.op);
	if (!rc && (strcmp(c.city, p->city) != 0 || !r || !(r->roles & c.role)))
		rc = UCCN_E_DENIED;
	uccn_city_clear(&c.record);
	return rc == UCCN_E_NOTFOUND ? UCCN_E_DENIED : rc;
}

/* Runs on the commit thread: touches only its batch. */
static int apply_batch(struct uccn_txn *t, void *ctx)
{
	struct committer_batch *b = ctx;
	struct pending *items = b->items;
	int64_t now = now_ms();
	for (size_t i = 0; i < b->n; i++) {
		struct pending *p = &items[i];
		struct uccn_reply *rep = &p->rep;
		const struct uccn_request *req = &p->req;
		int rc;
		rep->status = 0;
		rep->duplicate = false;
		rep->error_index = 0;
		free(rep->message);
		rep->message = NULL;
		if ((rc = still_allowed(t, p))) {
			if (rc == UCCN_E_MAPFULL)
				return rc;
			rep->status = rc;
			if (rc == UCCN_E_DENIED)
				reply_error(rep, rc, "city '%s' lost its key or its right to %s before "
					    "the write was committed", p->city, uccn_op_name(req->op));
			continue;
		}
		switch (req->op) {
		case UCCN_OP_POST:
			rc = uccn_store_post_add(t, &p->req.post, now, &rep->seq,
						 &rep->duplicate);
			rep->created_ms = now;
			break;
		case UCCN_OP_CITY_ADD:
			rc = uccn_store_city_add(t, &req->city, &rep->seq);
			break;
		case UCCN_OP_CITY_UPDATE:
			rc = uccn_store_city_update(t, &req->city, req->if_version,
						    &rep->seq, &rep->version);
			break;
		case UCCN_OP_CITY_REKEY:
			rc = uccn_store_city_rekey(t, req->city.id, req->city.key,
						   &rep->seq, &rep->version);
			break;
		case UCCN_OP_CITY_IMPORT:
			rc = uccn_store_city_import(t, req->cities, req->ncities, &rep->added,
						    &rep->updated, &rep->unchanged);
			break;
		case UCCN_OP_FIELD_ADD:
			rc = uccn_store_field_add(t, req->name, &rep->seq);
			break;
		case UCCN_OP_PROJECT_ADD:
			rc = uccn_store_project_add(t, &req->project, &rep->seq);
			rep->version = 1;
			break;
		case UCCN_OP_PROJECT_UPDATE:
			rc = uccn_store_project_update(t, &req->project, req->if_version,
						       &rep->seq, &rep->version);
			break;
		case UCCN_OP_PROJECT_JOIN:
		case UCCN_OP_PROJECT_LEAVE:
			rc = uccn_store_project_member(t, req->name, p->city,
						       req->op == UCCN_OP_PROJECT_JOIN,
						       &rep->seq, &rep->version);
			break;
		case UCCN_OP_MEETING_ADD:
			rc = uccn_store_meeting_add(t, &req->meeting, &rep->seq);
			rep->version = 1;
			break;
		case UCCN_OP_MEETING_UPDATE:
			rc = uccn_store_meeting_update(t, &req->meeting, req->if_version,
						       &rep->seq, &rep->version);
			break;
		case UCCN_OP_INBOX_ACK:
			rc = uccn_store_mailbox_ack(t, p->city, req->seq, &rep->acked, &rep->unread);
			break;
		case UCCN_OP_AGENDA_PUBLISH:
			rc = uccn_store_agenda_publish(t, &req->agenda, p->city, now, &rep->version,
						       &rep->seq);
			break;
		default:
			rc = UCCN_E_INTERNAL;
			break;
		}
		if (rc == UCCN_E_MAPFULL)
			return rc;
		rep->status = rc;
		if (rc && uccn_store_txn_reason(t)[0]) {
			reply_error(rep, rc, "%s", uccn_store_txn_reason(t));
			rep->error_index = uccn_store_txn_reason_index(t);
		}
	}
	return 0;
}

static void explain_write_error(struct pending *p)
{
	struct uccn_reply *rep = &p->rep;
	int rc = rep->status;
	if (p->req.op == UCCN_OP_CITY_ADD && rc == UCCN_E_EXISTS)
		reply_error(rep, rc, "city '%s' exists already, or its key belongs to another city",
			    p->req.city.id);
	else if (p->req.op == UCCN_OP_POST && rc == UCCN_E_NOTFOUND)
		reply_error(rep, rc, "city '%s' is not registered", p->city);
	else
		reply_error(rep, rc, "%s", uccn_strerror(rc));
}

static void serve_watchers(struct server *s);

/* Reply to every request of a finished batch. */
static void answer_batch(struct server *s, struct committer_batch *b, int rc)
{
	struct pending *items = b->items;
	struct uccn_txn *t = NULL; /* opened for a retried post only */
	for (size_t i = 0; i < b->n; i++) {
		struct pending *p = &items[i];
		if (rc) {
			reply_error(&p->rep, rc, "nothing was written: %s (%s)",
				    uccn_strerror(rc), b->err);
		} else if (p->rep.status && !p->rep.message) {
			explain_write_error(p);
		} else if (p->rep.duplicate && (t || uccn_store_read(s->store, &t) == 0)) {
			/* A retry: answer with the first post's time too. */
			struct uccn_post first = {0};
			if (uccn_store_post_get(t, p->rep.seq, &first) == 0)
				p->rep.created_ms = first.created_ms;
			uccn_post_clear(&first);
		}
		send_reply(s, p);
		pending_clear(p);
	}
	uccn_store_txn_end(&t);
	if (rc) {
		log_msg(LOG_ERROR, "a batch of %zu writes failed: %s (%s)", b->n,
			uccn_strerror(rc), b->err);
	} else {
		log_msg(LOG_DEBUG, "committed a batch of %zu writes", b->n);
		s->batches++;
		s->writes += b->n;
		s->last_batch = b->n;
	}
}

/* Take the batches the commit thread has finished, in order: answer them
 * (a batch that filled the map is committed again once the map has grown,
 * here, between events, with no transaction of ours open), then wake the
 * watchers. */
static void take_finished(struct server *s)
{
	struct committer_batch *b;
	bool any = false;
	while ((b = committer_pop(s->committer))) {
		int rc = b->rc;
		if (rc == UCCN_E_MAPFULL) {
			if ((rc = uccn_store_grow(s->store)) == 0) {
				log_msg(LOG_INFO, "the database map grew; committing the batch again");
				committer_retry(s->committer, b);
				continue;
			}
			snprintf(b->err, sizeof b->err, "%s", uccn_store_last_error(s->store));
			committer_resume(s->committer);
		}
		answer_batch(s, b, rc);
		committer_release(s->committer, b);
		any = true;
	}
	if (any)
		serve_watchers(s);
}

/* A lone write is committed here and answered at once: a batch of one
 * gains nothing from the pipeline but two hand-offs between threads. Lone
 * means the last batch held one write, nothing else is arriving, and the
 * commit thread is idle. Returns false when the write must go through the
 * batch. */
static bool commit_alone(struct server *s, struct pending *p)
{
	int events = 0;
	size_t len = sizeof events;
	if (s->last_batch > 1 ||
	    zmq_getsockopt(s->router, ZMQ_EVENTS, &events, &len) != 0 || (events & ZMQ_POLLIN) ||
	    !committer_claim(s->committer))
		return false;
	struct committer_batch b = {.items = p, .n = 1};
	struct timespec t0, t1;
	int rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* No transaction of ours is open here: the map may grow. */
	while ((rc = uccn_store_write_once(s->store, apply_batch, &b)) == UCCN_E_MAPFULL &&
	       (rc = uccn_store_grow(s->store)) == 0)
		log_msg(LOG_INFO, "the database map grew; committing the write again");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc)
		snprintf(b.err, sizeof b.err, "%s", uccn_store_last_error(s->store));
	committer_unclaim(s->committer, (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL +
						   (t1.tv_nsec - t0.tv_nsec)));
	answer_batch(s, &b, rc);
	serve_watchers(s);
	return true;
}

/* The commit thread's signal: a batch is finished. */
static void on_committed(void *ctx)
{
	take_finished(ctx);
}

/* ---- reads ---- */

static void op_status(struct server *s, struct uccn_txn *t, const struct caller *c,
		      const struct uccn_request *req, struct uccn_reply *rep)
{
	struct uccn_store_stats st;
	(void)req;
	int rc = uccn_store_stats(t, &st);
	if (rc) {
		reply_error(rep, rc, "cannot read the store's figures");
		return;
	}
	rep->info.server = strdup("uccnd " UCCN_VERSION);
	rep->info.proto = UCCN_PROTO_VERSION;
	rep->info.city = strdup(c->city);
	rep->info.role = c->record.role ? strdup(c->record.role) : NULL;
	rep->info.cities = st.cities;
	rep->info.posts = st.posts;
	rep->info.last_seq = st.last_seq;
	rep->info.uptime_s = (uint64_t)(time(NULL) - s->started);
	uccn_store_mailbox_count(t, c->city, &rep->info.unread);
	uccn_store_mailbox_total(t, &rep->info.mailboxes);
	if (!rep->info.server || !rep->info.city)
		reply_error(rep, UCCN_E_NOMEM, "out of memory");
}

struct collect {
	struct uccn_reply *rep;
	const struct uccn_request *req; /* project/meeting list filters */
	const char *field;    /* city.list filters */
	const char *country;
	size_t cap;
	size_t bytes;
	int rc;
};

static int collect_city(const struct uccn_city *c, void *ctx)
{
	struct collect *k = ctx;
	struct uccn_reply *rep = k->rep;
	if ((k->field && (!c->field || strcmp(k->field, c->field) != 0)) ||
	    (k->country && (!c->country || strcasecmp(k->country, c->country) != 0)))
		return 0;
	if (rep->ncities == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		void *p = realloc(rep->cities, cap * sizeof *rep->cities);
		if (!p) {
			k->rc = UCCN_E_NOMEM;
			return 1;
		}
		rep->cities = p;
		k->cap = cap;
	}
	memset(&rep->cities[rep->ncities], 0, sizeof rep->cities[0]);
	if (uccn_city_copy(&rep->cities[rep->ncities], c)) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->ncities++;
	return 0;
}

static void op_city_list(struct server *s, struct uccn_txn *t, const struct caller *c,
			 const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep, .field = req->field, .country = req->country};
	(void)s; (void)c;
	int rc = uccn_store_city_each(t, collect_city, &k);
	if (rc || k.rc)
		reply_error(rep, rc ? rc : k.rc, "cannot list cities: %s",
			    uccn_strerror(rc ? rc : k.rc));
}

static size_t post_size(const struct uccn_post *p)
{
	const char *strs[] = {p->city, p->kind, p->project, p->meeting,
			      p->title, p->body, p->idem_key};
	size_t n = 128; /* keys, numbers and headers */
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		n += strs[i] ? strlen(strs[i]) : 0;
	return n;
}

static int collect_post(const struct uccn_post *p, void *ctx)
{
	struct collect *k = ctx;
	struct uccn_reply *rep = k->rep;
	size_t sz = post_size(p);
	/* Keep the reply within the frame a client accepts; the client pages
	 * on with `next`. */
	if (rep->nposts > 0 && k->bytes + sz > UCCN_MAX_REPLY_FRAME - REPLY_MARGIN)
		return 1;
	if (rep->nposts == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 32;
		void *np = realloc(rep->posts, cap * sizeof *rep->posts);
		if (!np) {
			k->rc = UCCN_E_NOMEM;
			return 1;
		}
		rep->posts = np;
		k->cap = cap;
	}
	memset(&rep->posts[rep->nposts], 0, sizeof rep->posts[0]);
	if (uccn_post_copy(&rep->posts[rep->nposts], p)) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->nposts++;
	k->bytes += sz;
	return 0;
}

static void op_list(struct server *s, struct uccn_txn *t, const struct caller *c,
		    const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep};
	(void)s;
	int rc = uccn_store_post_list_as(t, &req->query, c->city, collect_post, &k, &rep->next);
	if (rc || k.rc)
		reply_error(rep, rc ? rc : k.rc, "cannot list posts: %s",
			    uccn_strerror(rc ? rc : k.rc));
}

static void op_inbox(struct server *s, struct uccn_txn *t, const struct caller *c,
		     const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep};
	uint32_t limit = req->query.limit ? req->query.limit : UCCN_INBOX_DEFAULT;
	(void)s;
	int rc = uccn_store_mailbox_each(t, c->city, limit, collect_post, &k);
	if (!rc)
		rc = uccn_store_mailbox_count(t, c->city, &rep->unread);
	if (rc || k.rc)
		reply_error(rep, rc ? rc : k.rc, "cannot read the mailbox of '%s': %s",
			    c->city, uccn_strerror(rc ? rc : k.rc));
}

/* New posts after since that the caller may see, oldest first. When there
 * are none the request may be held (see park_watch). */
static void op_watch(struct server *s, struct uccn_txn *t, const struct caller *c,
		     const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep};
	(void)s;
	int rc = uccn_store_post_after(t, &req->query, c->city, collect_post, &k, &rep->next);
	if (rc || k.rc)
		reply_error(rep, rc ? rc : k.rc, "cannot read new posts: %s",
			    uccn_strerror(rc ? rc : k.rc));
}

static void op_show(struct server *s, struct uccn_txn *t, const struct caller *c,
		    const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)s;
	rep->posts = calloc(1, sizeof *rep->posts);
	if (!rep->posts) {
		reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	int rc = uccn_store_post_get(t, req->seq, &rep->posts[0]);
	/* A private message of others does not exist, as far as c can tell. */
	if (rc == 0 && !uccn_store_post_visible(t, &rep->posts[0], c->city)) {
		uccn_post_clear(&rep->posts[0]);
		rc = UCCN_E_NOTFOUND;
	}
	if (rc == UCCN_E_NOTFOUND)
		reply_error(rep, rc, "there is no post %llu", (unsigned long long)req->seq);
	else if (rc)
		reply_error(rep, rc, "cannot read post %llu: %s",
			    (unsigned long long)req->seq, uccn_strerror(rc));
	else
		rep->nposts = 1;
}

static int collect_field(const char *name, void *ctx)
{
	struct uccn_reply *rep = ctx;
	char **grown = realloc(rep->fields, (rep->nfields + 1) * sizeof *grown);
	if (!grown)
		return 1;
	rep->fields = grown;
	if (!(rep->fields[rep->nfields] = strdup(name)))
		return 1;
	rep->nfields++;
	return 0;
}

static void op_field_list(struct server *s, struct uccn_txn *t, const struct caller *c,
			  const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)s; (void)c; (void)req;
	int rc = uccn_store_field_each(t, collect_field, rep);
	if (rc)
		reply_error(rep, rc, "cannot list fields: %s", uccn_strerror(rc));
}

static void op_city_show(struct server *s, struct uccn_txn *t, const struct caller *c,
			 const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)s; (void)c;
	if (!(rep->cities = calloc(1, sizeof *rep->cities))) {
		reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	int rc = uccn_store_city_get(t, req->name, &rep->cities[0]);
	if (rc == UCCN_E_NOTFOUND)
		reply_error(rep, rc, "there is no city '%s'", req->name);
	else if (rc)
		reply_error(rep, rc, "cannot read city '%s': %s", req->name, uccn_strerror(rc));
	else
		rep->ncities = 1;
}

/* Zone names are checked against the system's database before a write is
 * queued: the store has no file system to look at. */
static int check_zones(const struct uccn_request *req, struct uccn_reply *rep)
{
	const struct uccn_city *list = req->op == UCCN_OP_CITY_IMPORT ? req->cities : &req->city;
	size_t n = req->op == UCCN_OP_CITY_IMPORT ? req->ncities : 1;
	if ((req->op == UCCN_OP_MEETING_ADD || req->op == UCCN_OP_MEETING_UPDATE) &&
	    !tzdb_known(req->meeting.tz)) {
		reply_error(rep, UCCN_E_INVALID, "meeting '%s': '%s' is not a time zone of the zone database",
			    req->meeting.id, req->meeting.tz);
		return UCCN_E_INVALID;
	}
	if (req->op != UCCN_OP_CITY_ADD && req->op != UCCN_OP_CITY_UPDATE &&
	    req->op != UCCN_OP_CITY_IMPORT)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (list[i].tz && !tzdb_known(list[i].tz)) {
			reply_error(rep, UCCN_E_INVALID, "city '%s': '%s' is not a time zone of the zone database",
				    list[i].id, list[i].tz);
			if (req->op == UCCN_OP_CITY_IMPORT)
				rep->error_index = i + 1;
			return UCCN_E_INVALID;
		}
	}
	return 0;
}

static int collect_project(const struct uccn_project *pr, void *ctx)
{
	struct collect *k = ctx;
	struct uccn_reply *rep = k->rep;
	const struct uccn_request *q = k->req;
	if ((q->status && strcmp(q->status, pr->status ? pr->status : "") != 0) ||
	    (q->field && !uccn_idlist_has(&pr->fields, q->field)) ||
	    (q->of_city && strcmp(q->of_city, pr->lead) != 0 &&
	     !uccn_idlist_has(&pr->partners, q->of_city)))
		return 0;
	void *grown = realloc(rep->projects, (rep->nprojects + 1) * sizeof *rep->projects);
	if (!grown) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->projects = grown;
	memset(&rep->projects[rep->nprojects], 0, sizeof *rep->projects);
	if (uccn_project_copy(&rep->projects[rep->nprojects], pr)) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->nprojects++;
	return 0;
}

static int collect_meeting(const struct uccn_meeting *m, void *ctx)
{
	struct collect *k = ctx;
	struct uccn_reply *rep = k->rep;
	const struct uccn_request *q = k->req;
	if ((q->status && strcmp(q->status, m->status ? m->status : "") != 0) ||
	    (q->field && (!m->field || strcmp(q->field, m->field) != 0)))
		return 0;
	void *grown = realloc(rep->meetings, (rep->nmeetings + 1) * sizeof *rep->meetings);
	if (!grown) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->meetings = grown;
	memset(&rep->meetings[rep->nmeetings], 0, sizeof *rep->meetings);
	if (uccn_meeting_copy(&rep->meetings[rep->nmeetings], m)) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->nmeetings++;
	return 0;
}

static void op_project_list(struct server *s, struct uccn_txn *t, const struct caller *c,
			    const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep, .req = req};
	(void)s; (void)c;
	int rc = uccn_store_project_each(t, collect_project, &k);
	if (rc || k.rc)
		reply_error(rep, rc ? rc : k.rc, "cannot list projects: %s",
			    uccn_strerror(rc ? rc : k.rc));
}

static void op_meeting_list(struct server *s, struct uccn_txn *t, const struct caller *c,
			    const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep, .req = req};
	(void)s; (void)c;
	int rc = uccn_store_meeting_each(t, collect_meeting, &k);
	if (rc || k.rc)
		reply_error(rep, rc ? rc : k.rc, "cannot list meetings: %s",
			    uccn_strerror(rc ? rc : k.rc));
}

static void op_project_show(struct server *s, struct uccn_txn *t, const struct caller *c,
			    const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)s; (void)c;
	if (!(rep->projects = calloc(1, sizeof *rep->projects))) {
		reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	int rc = uccn_store_project_get(t, req->name, &rep->projects[0]);
	if (rc == UCCN_E_NOTFOUND)
		reply_error(rep, rc, "there is no project '%s'", req->name);
	else if (rc)
		reply_error(rep, rc, "cannot read project '%s': %s", req->name, uccn_strerror(rc));
	else
		rep->nprojects = 1;
}

static void op_meeting_show(struct server *s, struct uccn_txn *t, const struct caller *c,
			    const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)s; (void)c;
	if (!(rep->meetings = calloc(1, sizeof *rep->meetings))) {
		reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	int rc = uccn_store_meeting_get(t, req->name, &rep->meetings[0]);
	if (rc == UCCN_E_NOTFOUND)
		reply_error(rep, rc, "there is no meeting '%s'", req->name);
	else if (rc)
		reply_error(rep, rc, "cannot read meeting '%s': %s", req->name, uccn_strerror(rc));
	else
		rep->nmeetings = 1;
}

/* ---- finer rules ---- */

static bool is_network_admin(const struct caller *c)
{
	return (c->role & ROLE_NETWORK) != 0;
}

static int deny(struct uccn_reply *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int deny(struct uccn_reply *rep, const char *fmt, ...)
{
	char buf[UCCN_MAX_MESSAGE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	reply_error(rep, UCCN_E_DENIED, "%s", buf);
	return UCCN_E_DENIED;
}

/* A member creates only projects it leads. */
static int allow_project_add(struct uccn_txn *t, const struct caller *c,
			     const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)t;
	if (is_network_admin(c) || strcmp(req->project.lead, c->city) == 0)
		return 0;
	return deny(rep, "city '%s' may only add projects it leads, not one led by '%s'",
		    c->city, req->project.lead);
}

/* Only the lead (or the network's coordinator or secretariat) updates a
 * project, and the lead may hand the lead over. */
static int allow_project_update(struct uccn_txn *t, const struct caller *c,
				const struct uccn_request *req, struct uccn_reply *rep)
{
	struct uccn_project cur = {0};
	if (is_network_admin(c))
		return 0;
	int rc = uccn_store_project_get(t, req->project.id, &cur);
	if (rc) /* the store will say it does not exist */
		return 0;
	bool lead = strcmp(cur.lead, c->city) == 0;
	uccn_project_clear(&cur);
	return lead ? 0 : deny(rep, "only the lead of project '%s' may update it", req->project.id);
}

/* A field's deputy manages the meetings of its own field. */
static int allow_meeting_write(struct uccn_txn *t, const struct caller *c,
			       const struct uccn_request *req, struct uccn_reply *rep)
{
	const char *field = c->record.field;
	if (is_network_admin(c))
		return 0;
	if (!req->meeting.field || !field || strcmp(req->meeting.field, field) != 0)
		return deny(rep, "city '%s' manages only meetings of its field '%s'",
			    c->city, field ? field : "");
	if (req->op == UCCN_OP_MEETING_UPDATE) {
		struct uccn_meeting cur = {0};
		if (uccn_store_meeting_get(t, req->meeting.id, &cur) == 0) {
			bool same = cur.field && strcmp(cur.field, field) == 0;
			uccn_meeting_clear(&cur);
			if (!same)
				return deny(rep, "meeting '%s' is not of field '%s'", req->meeting.id, field);
		}
	}
	return 0;
}

static void op_agenda_get(struct server *s, struct uccn_txn *t, const struct caller *c,
			  const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)s; (void)c;
	int rc = uccn_store_agenda_get(t, req->name, req->seq, &rep->agenda);
	if (rc == UCCN_E_NOTFOUND)
		reply_error(rep, rc, "meeting '%s' has no published agenda%s", req->name,
			    req->seq ? " of that version" : "");
	else if (rc)
		reply_error(rep, rc, "cannot read the agenda of '%s': %s", req->name, uccn_strerror(rc));
	else
		rep->has_agenda = true;
}

/* The coordinator and the secretariat publish any agenda; a field's
 * deputy those of its field's meetings. */
static int allow_agenda_publish(struct uccn_txn *t, const struct caller *c,
				const struct uccn_request *req, struct uccn_reply *rep)
{
	struct uccn_meeting m = {0};
	if (is_network_admin(c))
		return 0;
	if (uccn_store_meeting_get(t, req->agenda.meeting, &m) != 0)
		return 0; /* the store will say it does not exist */
	bool same = m.field && c->record.field && strcmp(m.field, c->record.field) == 0;
	uccn_meeting_clear(&m);
	return same ? 0 : deny(rep, "city '%s' may publish only agendas of its field's meetings", c->city);
}

/* ---- one request ---- */

/* Who is calling: the city registered for the connection's key now. */
static int identify(struct uccn_txn *t, const char *key, struct caller *c)
{
	int rc;
	if (!key || (rc = uccn_store_city_by_key(t, key, c->city)))
		return UCCN_E_DENIED;
	if ((rc = uccn_store_city_get(t, c->city, &c->record)))
		return rc == UCCN_E_NOTFOUND ? UCCN_E_DENIED : rc;
	c->role = role_bit(c->record.role);
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Hold watch request p (which found nothing new) until a post arrives or
 * its wait runs out. On success p is moved into a slot and emptied; with
 * every slot taken the caller is told to come back later. */
static bool park_watch(struct server *s, struct pending *p)
{
	if (s->nwatchers == SERVER_MAX_WATCHERS) {
		reply_error(&p->rep, UCCN_E_BUSY, "%d watchers are waiting already; try again shortly",
			    SERVER_MAX_WATCHERS);
		return false;
	}
	for (size_t i = 0; i < SERVER_MAX_WATCHERS; i++) {
		struct watcher *w = &s->watchers[i];
		if (w->used)
			continue;
		/* Resume the walk where it stopped: filtered-out posts are not read again. */
		p->req.query.since = p->rep.next;
		w->p = *p;
		w->deadline_ms = mono_ms() + p->req.wait_ms;
		w->used = true;
		s->nwatchers++;
		memset(p, 0, sizeof *p);
		return true;
	}
	return false;
}

/* Answer every held watch that has news or whose wait ran out. */
static void serve_watchers(struct server *s)
{
	struct uccn_txn *t = NULL;
	struct uccn_store_stats st;
	if (s->nwatchers == 0 || uccn_store_read(s->store, &t) != 0)
		return;
	bool news = uccn_store_stats(t, &st) == 0 && st.last_seq != s->watch_seen;
	if (news)
		s->watch_seen = st.last_seq;
	int64_t now = mono_ms();
	for (size_t i = 0; i < SERVER_MAX_WATCHERS; i++) {
		struct watcher *w = &s->watchers[i];
		if (!w->used)
			continue;
		if (news) {
			struct caller c = {0};
			memcpy(c.city, w->p.city, sizeof c.city);
			uccn_reply_clear(&w->p.rep);
			w->p.rep.op = UCCN_OP_WATCH;
			w->p.rep.rid = w->p.req.rid;
			op_watch(s, t, &c, &w->p.req, &w->p.rep);
			w->p.req.query.since = w->p.rep.next;
			if (w->p.rep.nposts == 0 && w->p.rep.status == 0 && now < w->deadline_ms)
				continue;
		} else if (now < w->deadline_ms) {
			continue;
		}
		/* News, or the wait is over: an empty reply says "ask again from next". */
		if (w->p.rep.nposts == 0 && w->p.rep.status == 0)
			w->p.rep.next = w->p.req.query.since;
		send_reply(s, &w->p);
		pending_clear(&w->p);
		w->used = false;
		s->nwatchers--;
	}
	uccn_store_txn_end(&t);
}

/* The loop's before-sleep hook: held watches whose wait ran out are
 * answered. (Writes need nothing here: the commit thread takes the forming
 * batch as soon as it is free.) */
static void before_sleep(void *ctx)
{
	serve_watchers(ctx);
}

/* Handle a decoded (or undecodable) request in p; returns true when it was
 * queued for the batch, false when its reply has been sent. */
static bool handle(struct server *s, struct pending *p, int decode_rc,
		   const char *decode_err, const char *key)
{
	struct caller c = {0};
	struct uccn_txn *t = NULL;
	bool queued = false;
	const bool watch = p->req.op == UCCN_OP_WATCH; /* p is emptied when parked */
	p->rep.op = p->req.op;
	p->rep.rid = p->req.rid;
	if (decode_rc) {
		reply_error(&p->rep, decode_rc, "%s", decode_err);
		log_msg(LOG_DEBUG, "bad request: %s", decode_err);
		goto reply;
	}
	int rc = uccn_store_read(s->store, &t);
	if (rc) {
		reply_error(&p->rep, rc, "cannot read the store: %s", uccn_strerror(rc));
		goto reply;
	}
	if ((rc = identify(t, key, &c))) {
		reply_error(&p->rep, rc, "this key belongs to no registered city");
		goto reply;
	}
	const struct rule *r = rule_for(p->req.op);
	if (!r || !(r->roles & c.role)) {
		reply_error(&p->rep, UCCN_E_DENIED, "city '%s' (role %s) may not %s",
			    c.city, c.record.role ? c.record.role : "none",
			    uccn_op_name(p->req.op));
		goto reply;
	}
	if (r->allow && r->allow(t, &c, &p->req, &p->rep))
		goto reply;
	if (r->run) {
		r->run(s, t, &c, &p->req, &p->rep);
		if (p->req.op == UCCN_OP_WATCH && p->rep.status == 0 && p->rep.nposts == 0 &&
		    p->req.wait_ms > 0) {
			memcpy(p->city, c.city, sizeof p->city);
			queued = park_watch(s, p);
		}
		goto reply;
	}
	if (check_zones(&p->req, &p->rep))
		goto reply;
	/* A write. The author is the caller, whatever the client sent. */
	if (p->req.op == UCCN_OP_POST) {
		free(p->req.post.city);
		if (!(p->req.post.city = strdup(c.city))) {
			reply_error(&p->rep, UCCN_E_NOMEM, "out of memory");
			goto reply;
		}
	}
	memcpy(p->city, c.city, sizeof p->city);
	snprintf(p->key, sizeof p->key, "%s", key);
	queued = true;
reply:
	uccn_store_txn_end(&t);
	uccn_city_clear(&c.record);
	if (!queued) {
		send_reply(s, p);
		pending_clear(p);
	}
	/* A parked watch is not a write: it must not enter the batch. */
	return queued && !watch;
}

/* Discard the rest of a multipart message. */
static void drain(void *router)
{
	int more = 1;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return;
		}
		more = zmq_msg_more(&m);
		zmq_msg_close(&m);
	}
}

/* Receive one message into p. Returns 1 when a message was read, 0 when
 * none is waiting. */
static int receive_one(struct server *s, struct pending *p)
{
	zmq_msg_t id, body;
	char err[UCCN_MAX_MESSAGE];
	int decode_rc;
	zmq_msg_init(&id);
	if (zmq_msg_recv(&id, s->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&id);
		return 0;
	}
	memset(p, 0, sizeof *p);
	p->routing_id_len = zmq_msg_size(&id) > ROUTING_ID_MAX ? ROUTING_ID_MAX : zmq_msg_size(&id);
	memcpy(p->routing_id, zmq_msg_data(&id), p->routing_id_len);
	bool more = zmq_msg_more(&id);
	zmq_msg_close(&id);
	if (!more)
		return 1;

	zmq_msg_init(&body);
	if (zmq_msg_recv(&body, s->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&body);
		return 1;
	}
	/* A REQ client puts an empty delimiter before the body. */
	if (zmq_msg_size(&body) == 0 && zmq_msg_more(&body)) {
		p->delimiter = true;
		zmq_msg_close(&body);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&body, s->router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&body);
			return 1;
		}
	}
	const char *key = zmq_msg_gets(&body, "User-Id");
	char keycopy[UCCN_KEY_Z85_LEN + 1] = "";
	if (key && strlen(key) == UCCN_KEY_Z85_LEN)
		memcpy(keycopy, key, sizeof keycopy);
	if (zmq_msg_more(&body)) {
		drain(s->router);
		decode_rc = UCCN_E_INVALID;
		snprintf(err, sizeof err, "a request is exactly one frame (after an optional empty delimiter)");
	} else {
		decode_rc = uccn_request_decode(zmq_msg_data(&body), zmq_msg_size(&body),
						&p->req, err, sizeof err);
	}
	zmq_msg_close(&body);
	if (handle(s, p, decode_rc, err, keycopy[0] ? keycopy : NULL)) {
		if (commit_alone(s, p))
			return 1;
		/* A write: into the forming batch. When it is full, wait for the
		 * commit thread to take it, answering what it finishes meanwhile. */
		while (committer_append(s->committer, p) != 0) {
			committer_wait(s->committer);
			take_finished(s);
		}
	}
	return 1;
}

static void on_router(void *ctx)
{
	struct server *s = ctx;
	/* Take what has arrived, a bounded number at a time so the other
	 * sockets get their turn. */
	for (int i = 0; i < 4 * SERVER_MAX_BATCH; i++)
		if (!receive_one(s, s->scratch))
			break;
}

/* ---- ZAP (RFC 27) ---- */

#define ZAP_FRAMES 7

static void on_zap(void *ctx)
{
	struct server *s = ctx;
	for (int round = 0; round < 64; round++) {
		zmq_msg_t f[ZAP_FRAMES + 1];
		int n = 0;
		bool more = true;
		while (more) {
			zmq_msg_t m;
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, s->zap, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&m);
				if (n == 0)
					return;
				break;
			}
			more = zmq_msg_more(&m);
			if (n < ZAP_FRAMES + 1)
				f[n++] = m;
			else
				zmq_msg_close(&m);
		}
		const char *status = "400", *text = "malformed request";
		char key[UCCN_KEY_Z85_LEN + 1] = "", city[UCCN_MAX_ID + 1] = "";
		if (n == ZAP_FRAMES && zmq_msg_size(&f[5]) == 5 &&
		    memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 &&
		    zmq_msg_size(&f[6]) == 32 &&
		    zmq_z85_encode(key, zmq_msg_data(&f[6]), 32)) {
			struct uccn_txn *t = NULL;
			text = "key not registered";
			if (uccn_store_read(s->store, &t) == 0 &&
			    uccn_store_city_by_key(t, key, city) == 0) {
				status = "200";
				text = "OK";
			}
			uccn_store_txn_end(&t);
			if (status[0] == '2')
				log_msg(LOG_DEBUG, "city '%s' connected", city);
			else
				log_msg(LOG_WARN, "refused an unregistered key %s", key);
		}
		/* Reply: version, request id, status code and text, user id, metadata. */
		const char *user = status[0] == '2' ? key : "";
		if (n >= 2) {
			zmq_send(s->zap, "1.0", 3, ZMQ_SNDMORE);
			zmq_send(s->zap, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), ZMQ_SNDMORE);
			zmq_send(s->zap, status, 3, ZMQ_SNDMORE);
			zmq_send(s->zap, text, strlen(text), ZMQ_SNDMORE);
			zmq_send(s->zap, user, strlen(user), ZMQ_SNDMORE);
			zmq_send(s->zap, "", 0, 0);
		}
		for (int i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
	}
}

/* ---- lifetime ---- */

static int set_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof v);
}

int server_new(struct server **out, void *zmq_ctx, struct loop *loop,
	       struct uccn_store *store, const struct server_options *opt,
	       char *err, size_t errlen)
{
	struct server *s = calloc(1, sizeof *s);
	/* CURVE wraps each frame in a MESSAGE command (flags, nonce, MAC): allow
	 * for it so a request of exactly UCCN_MAX_REQUEST_FRAME bytes gets in and
	 * one just past it gets a too_big reply rather than a dropped link. */
	int64_t maxmsg = UCCN_MAX_REQUEST_FRAME + 64;
	*out = NULL;
	if (!s || !(s->scratch = calloc(1, sizeof *s->scratch)) ||
	    !(s->watchers = calloc(SERVER_MAX_WATCHERS, sizeof *s->watchers))) {
		if (s)
			free(s->scratch);
		free(s);
		snprintf(err, errlen, "out of memory");
		return UCCN_E_NOMEM;
	}
	s->store = store;
	s->started = time(NULL);
	if (committer_new(&s->committer, store, apply_batch, sizeof(struct pending),
			  SERVER_MAX_BATCH, err, errlen))
		goto fail;
	/* The ZAP handler must be bound before the ROUTER accepts anyone:
	 * without one, libzmq lets every CURVE client in. */
	s->zap = zmq_socket(zmq_ctx, ZMQ_REP);
	if (!s->zap || set_int(s->zap, ZMQ_LINGER, 0) ||
	    zmq_bind(s->zap, ZAP_ENDPOINT) != 0) {
		snprintf(err, errlen, "ZAP handler: %s", zmq_strerror(errno));
		goto fail;
	}
	s->router = zmq_socket(zmq_ctx, ZMQ_ROUTER);
	if (!s->router ||
	    set_int(s->router, ZMQ_CURVE_SERVER, 1) ||
	    zmq_setsockopt(s->router, ZMQ_CURVE_SECRETKEY, opt->secret, UCCN_KEY_Z85_LEN) ||
	    zmq_setsockopt(s->router, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen(ZAP_DOMAIN)) ||
	    zmq_setsockopt(s->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) ||
	    set_int(s->router, ZMQ_LINGER, 0) ||
	    set_int(s->router, ZMQ_RCVHWM, 1000) ||
	    set_int(s->router, ZMQ_SNDHWM, 1000) ||
	    set_int(s->router, ZMQ_HANDSHAKE_IVL, 5000) ||
	    set_int(s->router, ZMQ_HEARTBEAT_IVL, 2000) ||
	    set_int(s->router, ZMQ_HEARTBEAT_TIMEOUT, 6000)) {
		snprintf(err, errlen, "ROUTER socket: %s", zmq_strerror(errno));
		goto fail;
	}
	if (zmq_bind(s->router, opt->endpoint) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", opt->endpoint,
			 zmq_strerror(errno));
		goto fail;
	}
	if (loop_add(loop, s->zap, 0, on_zap, s) ||
	    loop_add(loop, s->router, 0, on_router, s) ||
	    loop_add(loop, NULL, committer_fd(s->committer), on_committed, s)) {
		snprintf(err, errlen, "event loop full");
		goto fail;
	}
	loop_before_sleep(loop, before_sleep, s);
	/* Wake at least this often to end held watches whose wait ran out. */
	loop_set_timeout(loop, 250);
	*out = s;
	return 0;
fail:
	server_destroy(&s);
	return UCCN_E_IO;
}

void server_destroy(struct server **sp)
{
	if (!sp || !*sp)
		return;
	struct server *s = *sp;
	/* Every write received is committed and answered before the end. */
	while (s->committer && !committer_idle(s->committer)) {
		committer_wait_finished(s->committer);
		take_finished(s);
	}
	uint64_t commits = 0;
	double mean_us = 0, max_ms = 0;
	if (s->committer)
		committer_stats(s->committer, &commits, &mean_us, &max_ms);
	committer_destroy(&s->committer);
	if (s->batches)
		log_msg(LOG_INFO, "committed %llu writes in %llu durable transactions "
			"(%.1f writes and %.0f us each; the slowest took %.1f ms)",
			(unsigned long long)s->writes, (unsigned long long)s->batches,
			(double)s->writes / (double)s->batches, mean_us, max_ms);
	if (s->router)
		zmq_close(s->router);
	if (s->zap)
		zmq_close(s->zap);
	free(s->scratch);
	for (size_t i = 0; s->watchers && i < SERVER_MAX_WATCHERS; i++)
		if (s->watchers[i].used)
			pending_clear(&s->watchers[i].p);
	free(s->watchers);
	free(s);
	*sp = NULL;
}
