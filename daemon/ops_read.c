/*
 * ops_read.c - the reads, answered at once from the snapshot the request
 * was checked in: status, the lists and shows, the inbox, new posts for a
 * watch, a published agenda.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "server_int.h"
#include "uccn_error.h"

/* Room kept in a list reply for everything that is not a post. */
#define REPLY_MARGIN 4096

/*
 * Room for element n of a reply's array of elements of size bytes, *cap of
 * them allocated so far: the capacity doubles (from first), so a long list
 * costs a few reallocations, not one per element. Returns the array (moved
 * or not) with element n zeroed, or NULL when out of memory (the array
 * passed in is then untouched and still the reply's).
 */
static void *reply_grow(void *array, size_t n, size_t *cap, size_t first, size_t size)
{
	if (n == *cap) {
		size_t want = *cap ? *cap * 2 : first;
		if (want > SIZE_MAX / size)
			return NULL;
		void *grown = realloc(array, want * size);
		if (!grown)
			return NULL;
		array = grown;
		*cap = want;
	}
	memset((char *)array + n * size, 0, size);
	return array;
}

/* A walk of the store filling one of rep's arrays. */
struct collect {
	struct uccn_reply *rep;
	const struct uccn_request *req; /* project/meeting list filters */
	const char *field;    /* city.list filters */
	const char *country;
	size_t cap;           /* elements allocated in the array being filled */
	size_t bytes;
	int rc;
};

void server_read_status(struct server *s, struct uccn_txn *t, const struct caller *c,
			const struct uccn_request *req, struct uccn_reply *rep)
{
	struct uccn_store_stats st;
	(void)req;
	int rc = uccn_store_stats(t, &st);
	if (rc) {
		server_reply_error(rep, rc, "cannot read the store's figures");
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
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
	else if (c->role & ROLE_NETWORK)
		server_fill_state(s, t, rep);
}

static int collect_city(const struct uccn_city *c, void *ctx)
{
	struct collect *k = ctx;
	struct uccn_reply *rep = k->rep;
	if ((k->field && (!c->field || strcmp(k->field, c->field) != 0)) ||
	    (k->country && (!c->country || strcasecmp(k->country, c->country) != 0)))
		return 0;
	struct uccn_city *cities = reply_grow(rep->cities, rep->ncities, &k->cap, 64,
					      sizeof *cities);
	if (!cities) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->cities = cities;
	if (uccn_city_copy(&cities[rep->ncities], c)) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->ncities++;
	return 0;
}

void server_read_city_list(struct server *s, struct uccn_txn *t, const struct caller *c,
			   const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep, .field = req->field, .country = req->country};
	(void)s; (void)c;
	int rc = uccn_store_city_each(t, collect_city, &k);
	if (rc || k.rc)
		server_reply_error(rep, rc ? rc : k.rc, "cannot list cities: %s",
				   uccn_strerror(rc ? rc : k.rc));
}

void server_read_city_show(struct server *s, struct uccn_txn *t, const struct caller *c,
			   const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)s; (void)c;
	if (!(rep->cities = calloc(1, sizeof *rep->cities))) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	int rc = uccn_store_city_get(t, req->name, &rep->cities[0]);
	if (rc == UCCN_E_NOTFOUND)
		server_reply_error(rep, rc, "there is no city '%s'", req->name);
	else if (rc)
		server_reply_error(rep, rc, "cannot read city '%s': %s", req->name,
				   uccn_strerror(rc));
	else
		rep->ncities = 1;
}

static int collect_field(const char *name, void *ctx)
{
	struct collect *k = ctx;
	struct uccn_reply *rep = k->rep;
	char **fields = reply_grow(rep->fields, rep->nfields, &k->cap, 16, sizeof *fields);
	if (fields)
		rep->fields = fields;
	if (!fields || !(fields[rep->nfields] = strdup(name))) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->nfields++;
	return 0;
}

void server_read_field_list(struct server *s, struct uccn_txn *t, const struct caller *c,
			    const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep};
	(void)s; (void)c; (void)req;
	int rc = uccn_store_field_each(t, collect_field, &k);
	if (rc || k.rc)
		server_reply_error(rep, rc ? rc : k.rc, "cannot list fields: %s",
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
	struct uccn_post *posts = reply_grow(rep->posts, rep->nposts, &k->cap, 32,
					     sizeof *posts);
	if (!posts) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->posts = posts;
	if (uccn_post_copy(&posts[rep->nposts], p)) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->nposts++;
	k->bytes += sz;
	return 0;
}

void server_read_list(struct server *s, struct uccn_txn *t, const struct caller *c,
		      const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep};
	struct server_reader r = {c->city};
	struct uccn_post_filter readable = {server_may_read, &r};
	(void)s;
	int rc = uccn_store_post_list_as(t, &req->query, &readable, collect_post, &k, &rep->next);
	if (rc || k.rc)
		server_reply_error(rep, rc ? rc : k.rc, "cannot list posts: %s",
				   uccn_strerror(rc ? rc : k.rc));
}

void server_read_show(struct server *s, struct uccn_txn *t, const struct caller *c,
		      const struct uccn_request *req, struct uccn_reply *rep)
{
	struct server_reader r = {c->city};
	(void)s;
	rep->posts = calloc(1, sizeof *rep->posts);
	if (!rep->posts) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	int rc = uccn_store_post_get(t, req->seq, &rep->posts[0]);
	/* A private message of others does not exist, as far as c can tell. */
	if (rc == 0 && !server_may_read(t, &rep->posts[0], &r)) {
		uccn_post_clear(&rep->posts[0]);
		rc = UCCN_E_NOTFOUND;
	}
	if (rc == UCCN_E_NOTFOUND)
		server_reply_error(rep, rc, "there is no post %llu", (unsigned long long)req->seq);
	else if (rc)
		server_reply_error(rep, rc, "cannot read post %llu: %s",
				   (unsigned long long)req->seq, uccn_strerror(rc));
	else
		rep->nposts = 1;
}

void server_read_inbox(struct server *s, struct uccn_txn *t, const struct caller *c,
		       const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep};
	uint32_t limit = req->query.limit ? req->query.limit : UCCN_INBOX_DEFAULT;
	(void)s;
	int rc = uccn_store_mailbox_each(t, c->city, limit, collect_post, &k);
	if (!rc)
		rc = uccn_store_mailbox_count(t, c->city, &rep->unread);
	if (rc || k.rc)
		server_reply_error(rep, rc ? rc : k.rc, "cannot read the mailbox of '%s': %s",
				   c->city, uccn_strerror(rc ? rc : k.rc));
}

/* New posts after since that the caller may see, oldest first. When there
 * are none the request may be held (see watch.c). */
void server_read_watch(struct server *s, struct uccn_txn *t, const struct caller *c,
		       const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep};
	struct server_reader r = {c->city};
	struct uccn_post_filter readable = {server_may_read, &r};
	(void)s;
	int rc = uccn_store_post_after(t, &req->query, &readable, collect_post, &k, &rep->next);
	if (rc || k.rc)
		server_reply_error(rep, rc ? rc : k.rc, "cannot read new posts: %s",
				   uccn_strerror(rc ? rc : k.rc));
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
	struct uccn_project *projects = reply_grow(rep->projects, rep->nprojects, &k->cap, 16,
						   sizeof *projects);
	if (!projects) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->projects = projects;
	if (uccn_project_copy(&projects[rep->nprojects], pr)) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->nprojects++;
	return 0;
}

void server_read_project_list(struct server *s, struct uccn_txn *t, const struct caller *c,
			      const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep, .req = req};
	(void)s; (void)c;
	int rc = uccn_store_project_each(t, collect_project, &k);
	if (rc || k.rc)
		server_reply_error(rep, rc ? rc : k.rc, "cannot list projects: %s",
				   uccn_strerror(rc ? rc : k.rc));
}

void server_read_project_show(struct server *s, struct uccn_txn *t, const struct caller *c,
			      const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)s; (void)c;
	if (!(rep->projects = calloc(1, sizeof *rep->projects))) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	int rc = uccn_store_project_get(t, req->name, &rep->projects[0]);
	if (rc == UCCN_E_NOTFOUND)
		server_reply_error(rep, rc, "there is no project '%s'", req->name);
	else if (rc)
		server_reply_error(rep, rc, "cannot read project '%s': %s", req->name,
				   uccn_strerror(rc));
	else
		rep->nprojects = 1;
}

static int collect_meeting(const struct uccn_meeting *m, void *ctx)
{
	struct collect *k = ctx;
	struct uccn_reply *rep = k->rep;
	const struct uccn_request *q = k->req;
	if ((q->status && strcmp(q->status, m->status ? m->status : "") != 0) ||
	    (q->field && (!m->field || strcmp(q->field, m->field) != 0)))
		return 0;
	struct uccn_meeting *meetings = reply_grow(rep->meetings, rep->nmeetings, &k->cap, 16,
						   sizeof *meetings);
	if (!meetings) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->meetings = meetings;
	if (uccn_meeting_copy(&meetings[rep->nmeetings], m)) {
		k->rc = UCCN_E_NOMEM;
		return 1;
	}
	rep->nmeetings++;
	return 0;
}

void server_read_meeting_list(struct server *s, struct uccn_txn *t, const struct caller *c,
			      const struct uccn_request *req, struct uccn_reply *rep)
{
	struct collect k = {.rep = rep, .req = req};
	(void)s; (void)c;
	int rc = uccn_store_meeting_each(t, collect_meeting, &k);
	if (rc || k.rc)
		server_reply_error(rep, rc ? rc : k.rc, "cannot list meetings: %s",
				   uccn_strerror(rc ? rc : k.rc));
}

void server_read_meeting_show(struct server *s, struct uccn_txn *t, const struct caller *c,
			      const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)s; (void)c;
	if (!(rep->meetings = calloc(1, sizeof *rep->meetings))) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	int rc = uccn_store_meeting_get(t, req->name, &rep->meetings[0]);
	if (rc == UCCN_E_NOTFOUND)
		server_reply_error(rep, rc, "there is no meeting '%s'", req->name);
	else if (rc)
		server_reply_error(rep, rc, "cannot read meeting '%s': %s", req->name,
				   uccn_strerror(rc));
	else
		rep->nmeetings = 1;
}

void server_read_agenda_get(struct server *s, struct uccn_txn *t, const struct caller *c,
			    const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)s; (void)c;
	int rc = uccn_store_agenda_get(t, req->name, req->seq, &rep->agenda);
	if (rc == UCCN_E_NOTFOUND)
		server_reply_error(rep, rc, "meeting '%s' has no published agenda%s", req->name,
				   req->seq ? " of that version" : "");
	else if (rc)
		server_reply_error(rep, rc, "cannot read the agenda of '%s': %s", req->name,
				   uccn_strerror(rc));
	else
		rep->has_agenda = true;
}

/*
 * Damaged data, met by a read: the reply names the record ("post 12 fails
 * its checksum; restore from a backup") and the log says so once per
 * record, not once per request that meets it. The records reported are
 * remembered by a hash of the reason, the last CORRUPT_REMEMBERED of them;
 * past that an old one may be logged again, and log_limited bounds a flood
 * of many. Loop thread only.
 */
#define CORRUPT_REMEMBERED 64

static bool corrupt_seen(const char *why)
{
	static uint64_t seen[CORRUPT_REMEMBERED];
	static size_t next;
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)why; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	h |= 1; /* 0 marks an empty slot */
	for (size_t i = 0; i < CORRUPT_REMEMBERED; i++)
		if (seen[i] == h)
			return true;
	seen[next] = h;
	next = (next + 1) % CORRUPT_REMEMBERED;
	return false;
}

void server_note_corrupt(struct uccn_txn *t, struct uccn_reply *rep)
{
	const char *why = t ? uccn_store_txn_reason(t) : "";
	if (rep->status != UCCN_E_CORRUPT || !why[0])
		return;
	server_reply_error(rep, UCCN_E_CORRUPT, "%s", why);
	if (!corrupt_seen(why))
		log_limited(LOG_ERROR, LOG_KIND_STORE, "damaged data: %s", why);
}
