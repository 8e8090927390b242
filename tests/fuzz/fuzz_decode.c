/*
 * fuzz_decode.c - libFuzzer harness for the wire decoders (make fuzz).
 *
 * Every input goes to uccn_request_decode and to uccn_reply_decode for each
 * op. Beyond "no crash, no leak, no undefined behaviour" it checks:
 *   - a failed decode leaves its output clear (the request keeps only rid)
 *     and gives a reason that an error reply can carry (valid UTF-8 text);
 *   - a request that decodes re-encodes, and the re-encoding decodes to the
 *     same request;
 *   - a reply that decodes re-encodes and decodes again with the same rid,
 *     status, payload sizes and records (projects and meetings with their
 *     lists, posts with their audiences, compared item by item), and the
 *     same counters (inbox unread, inbox.ack acked and unread, watch and
 *     list next, status info).
 * A broken check calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uccn_error.h"
#include "uccn_limits.h"
#include "uccn_invite.h"
#include "uccn_msg.h"
#include "uccn_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_decode: check failed: %s (line %d)\n", \
				#cond, __LINE__);                            \
			abort();                                             \
		}                                                            \
	} while (0)

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static int city_eq(const struct uccn_city *a, const struct uccn_city *b)
{
	return str_eq(a->id, b->id) && str_eq(a->name, b->name) &&
	       str_eq(a->country, b->country) && str_eq(a->field, b->field) &&
	       str_eq(a->role, b->role) && str_eq(a->tz, b->tz) &&
	       a->year == b->year && strcmp(a->key, b->key) == 0 &&
	       a->seq == b->seq && a->version == b->version &&
	       a->lat.set == b->lat.set && a->lon.set == b->lon.set &&
	       (!a->lat.set || a->lat.deg == b->lat.deg) &&
	       (!a->lon.set || a->lon.deg == b->lon.deg);
}

static int idlist_eq(const struct uccn_idlist *a, const struct uccn_idlist *b);

static int post_eq(const struct uccn_post *a, const struct uccn_post *b)
{
	return a->seq == b->seq && str_eq(a->city, b->city) &&
	       str_eq(a->kind, b->kind) && str_eq(a->project, b->project) &&
	       str_eq(a->meeting, b->meeting) && str_eq(a->title, b->title) &&
	       str_eq(a->body, b->body) && a->minutes == b->minutes &&
	       a->created_ms == b->created_ms && str_eq(a->idem_key, b->idem_key) &&
	       idlist_eq(&a->to, &b->to) && str_eq(a->priority, b->priority) &&
	       a->remote == b->remote && str_eq(a->pin, b->pin);
}

static int query_eq(const struct uccn_query *a, const struct uccn_query *b)
{
	return str_eq(a->kind, b->kind) && str_eq(a->city, b->city) &&
	       str_eq(a->project, b->project) && str_eq(a->meeting, b->meeting) &&
	       a->since == b->since && a->before == b->before &&
	       a->limit == b->limit;
}

/* Same items in the same order; a list is never longer than the limit. */
static int idlist_eq(const struct uccn_idlist *a, const struct uccn_idlist *b)
{
	CHECK(a->n <= UCCN_MAX_LIST && b->n <= UCCN_MAX_LIST);
	CHECK((a->v == NULL) == (a->n == 0) && (b->v == NULL) == (b->n == 0));
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!str_eq(a->v[i], b->v[i]))
			return 0;
	return 1;
}

static int project_eq(const struct uccn_project *a, const struct uccn_project *b)
{
	return str_eq(a->id, b->id) && str_eq(a->title, b->title) &&
	       str_eq(a->lead, b->lead) && idlist_eq(&a->partners, &b->partners) &&
	       idlist_eq(&a->fields, &b->fields) && str_eq(a->status, b->status) &&
	       str_eq(a->start, b->start) && str_eq(a->end, b->end) &&
	       str_eq(a->description, b->description) && a->seq == b->seq &&
	       a->version == b->version;
}

static int meeting_eq(const struct uccn_meeting *a, const struct uccn_meeting *b)
{
	return str_eq(a->id, b->id) && str_eq(a->kind, b->kind) &&
	       str_eq(a->field, b->field) && idlist_eq(&a->hosts, &b->hosts) &&
	       str_eq(a->place, b->place) && str_eq(a->start, b->start) &&
	       str_eq(a->end, b->end) && str_eq(a->tz, b->tz) &&
	       str_eq(a->day_start, b->day_start) && str_eq(a->day_end, b->day_end) &&
	       a->hybrid == b->hybrid && str_eq(a->status, b->status) &&
	       a->seq == b->seq && a->version == b->version;
}

static int request_eq(const struct uccn_request *a, const struct uccn_request *b)
{
	if (a->ncities != b->ncities)
		return 0;
	for (size_t i = 0; i < a->ncities; i++)
		if (!city_eq(&a->cities[i], &b->cities[i]))
			return 0;
	return a->op == b->op && a->rid == b->rid && a->seq == b->seq &&
	       city_eq(&a->city, &b->city) && post_eq(&a->post, &b->post) &&
	       query_eq(&a->query, &b->query) && str_eq(a->name, b->name) &&
	       str_eq(a->field, b->field) && str_eq(a->country, b->country) &&
	       str_eq(a->status, b->status) && str_eq(a->of_city, b->of_city) &&
	       project_eq(&a->project, &b->project) &&
	       meeting_eq(&a->meeting, &b->meeting) &&
	       a->if_version == b->if_version && a->wait_ms == b->wait_ms &&
	       str_eq(a->import_id, b->import_id) && a->discard == b->discard &&
	       a->overwrite == b->overwrite;
}

/* The reason of a failure: set, and fit for an error reply's message. */
static void check_reason(const char *err)
{
	size_t n = strnlen(err, 256);
	CHECK(n > 0 && n < 256);
	CHECK(uccn_text_valid(err, n, UCCN_MAX_MESSAGE, false));
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	struct uccn_request r, again, zero;
	char err[256];
	memset(&r, 0, sizeof r);
	memset(&zero, 0, sizeof zero);
	err[0] = '\0';
	int rc = uccn_request_decode(data, size, &r, err, sizeof err);
	if (rc) {
		CHECK(rc == UCCN_E_INVALID || rc == UCCN_E_TOOBIG ||
		      rc == UCCN_E_VERSION || rc == UCCN_E_UNKNOWN_OP ||
		      rc == UCCN_E_NOMEM);
		check_reason(err);
		/* Kept for the error reply: rid, the item at fault, and the
		 * staged import it is in (SPEC 4.12.1). */
		zero.rid = r.rid;
		zero.error_index = r.error_index;
		zero.import_id = r.import_id;
		CHECK(memcmp(&r, &zero, sizeof r) == 0);
		uccn_request_clear(&r);
		return;
	}
	CHECK(uccn_op_name(r.op) != NULL);
	/* The server's fields never come from the client. */
	CHECK(r.post.city == NULL && r.post.seq == 0 && r.post.created_ms == 0);
	CHECK(r.city.seq == 0 && r.city.version == 0);
	CHECK(r.project.seq == 0 && r.project.version == 0);
	CHECK(r.meeting.seq == 0 && r.meeting.version == 0);
	/* A record that decoded obeys its rules; a city filter is a project
	 * list's only. */
	if (r.op == UCCN_OP_PROJECT_ADD || r.op == UCCN_OP_PROJECT_UPDATE)
		CHECK(uccn_project_check(&r.project, NULL, 0) == 0);
	if (r.op == UCCN_OP_MEETING_ADD || r.op == UCCN_OP_MEETING_UPDATE)
		CHECK(uccn_meeting_check(&r.meeting, NULL, 0) == 0);
	CHECK(r.of_city == NULL || r.op == UCCN_OP_PROJECT_LIST);
	/* A post obeys its rules (an audience of at most UCCN_MAX_AUDIENCE
	 * valid specs; a message has one). Only a watch waits, and not long. */
	if (r.op == UCCN_OP_POST) {
		CHECK(uccn_post_check(&r.post, NULL, 0) == 0);
		CHECK(r.post.to.n <= UCCN_MAX_AUDIENCE);
		for (size_t i = 0; i < r.post.to.n; i++)
			CHECK(uccn_audience_valid(r.post.to.v[i]));
	} else {
		CHECK(r.post.to.n == 0);
	}
	CHECK(r.wait_ms <= UCCN_WATCH_MAX_WAIT_MS);
	CHECK(r.wait_ms == 0 || r.op == UCCN_OP_WATCH);
	/* An inbox takes a limit, nothing else of a query. */
	if (r.op == UCCN_OP_INBOX)
		CHECK(!r.query.kind && !r.query.city && !r.query.project &&
		      !r.query.meeting && r.query.since == 0 && r.query.before == 0);
	CHECK(r.query.limit <= UCCN_LIST_MAX);

	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	CHECK(uccn_request_encode(&r, &sb) == 0);
	memset(&again, 0, sizeof again);
	rc = uccn_request_decode(sb.data, sb.size, &again, err, sizeof err);
	if (rc)
		fprintf(stderr, "fuzz_decode: re-encoded request refused: %d %s\n", rc, err);
	CHECK(rc == 0);
	CHECK(request_eq(&r, &again));
	uccn_request_clear(&again);
	msgpack_sbuffer_destroy(&sb);
	uccn_request_clear(&r);
	CHECK(memcmp(&r, &zero, sizeof r) == 0);
}

static void fuzz_reply(const uint8_t *data, size_t size, enum uccn_op op)
{
	struct uccn_reply r, again;
	char err[256];
	memset(&r, 0, sizeof r);
	err[0] = '\0';
	int rc = uccn_reply_decode(data, size, op, &r, err, sizeof err);
	if (rc) {
		check_reason(err);
		CHECK(r.op == op && r.status == 0 && r.message == NULL &&
		      r.posts == NULL && r.nposts == 0 && r.cities == NULL &&
		      r.ncities == 0 && r.info.server == NULL &&
		      r.fields == NULL && r.nfields == 0 && r.error_index == 0 &&
		      r.projects == NULL && r.nprojects == 0 &&
		      r.meetings == NULL && r.nmeetings == 0 &&
		      r.next == 0 && r.unread == 0 && r.acked == 0 &&
		      r.info.unread == 0 && r.info.mailboxes == 0);
		uccn_reply_clear(&r);
		return;
	}
	CHECK(r.op == op);
	CHECK(r.status <= 0);
	CHECK(r.status == 0 || (r.nposts == 0 && r.ncities == 0 &&
				r.nprojects == 0 && r.nmeetings == 0));
	CHECK(op != UCCN_OP_SHOW || r.status != 0 || r.nposts == 1);
	CHECK(op != UCCN_OP_PROJECT_SHOW || r.status != 0 || r.nprojects == 1);
	CHECK(op != UCCN_OP_MEETING_SHOW || r.status != 0 || r.nmeetings == 1);
	CHECK((r.posts == NULL) == (r.nposts == 0));
	CHECK((r.cities == NULL) == (r.ncities == 0));
	CHECK((r.projects == NULL) == (r.nprojects == 0));
	CHECK((r.meetings == NULL) == (r.nmeetings == 0));
	CHECK(r.nprojects == 0 || op == UCCN_OP_PROJECT_SHOW || op == UCCN_OP_PROJECT_LIST);
	CHECK(r.nmeetings == 0 || op == UCCN_OP_MEETING_SHOW || op == UCCN_OP_MEETING_LIST);

	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	CHECK(uccn_reply_encode(&r, &sb) == 0);
	memset(&again, 0, sizeof again);
	rc = uccn_reply_decode(sb.data, sb.size, op, &again, err, sizeof err);
	if (rc)
		fprintf(stderr, "fuzz_decode: re-encoded reply refused: %d %s\n", rc, err);
	CHECK(rc == 0);
	CHECK(again.rid == r.rid && again.status == r.status);
	CHECK(again.nposts == r.nposts && again.ncities == r.ncities);
	for (size_t i = 0; i < r.nposts; i++)
		CHECK(post_eq(&r.posts[i], &again.posts[i]));
	for (size_t i = 0; i < r.ncities; i++)
		CHECK(city_eq(&r.cities[i], &again.cities[i]));
	CHECK(again.nprojects == r.nprojects && again.nmeetings == r.nmeetings);
	for (size_t i = 0; i < r.nprojects; i++)
		CHECK(project_eq(&r.projects[i], &again.projects[i]));
	for (size_t i = 0; i < r.nmeetings; i++)
		CHECK(meeting_eq(&r.meetings[i], &again.meetings[i]));
	/* Every op whose reply carries a seq keeps it. */
	if (r.status == 0 && uccn_op_writes(op) && op != UCCN_OP_CITY_IMPORT)
		CHECK(again.seq == r.seq);
	if (r.status == 0 && (op == UCCN_OP_LIST || op == UCCN_OP_WATCH))
		CHECK(again.next == r.next);
	if (r.status == 0 && (op == UCCN_OP_INBOX || op == UCCN_OP_INBOX_ACK))
		CHECK(again.unread == r.unread);
	if (r.status == 0 && op == UCCN_OP_INBOX_ACK)
		CHECK(again.acked == r.acked);
	/* An inbox.ack reply carries no posts; the others of these ops carry
	 * no acked count. */
	CHECK(op != UCCN_OP_INBOX_ACK || r.nposts == 0);
	CHECK(r.acked == 0 || op == UCCN_OP_INBOX_ACK);
	if (r.status == 0 && op == UCCN_OP_STATUS)
		CHECK(str_eq(again.info.server, r.info.server) &&
		      str_eq(again.info.city, r.info.city) &&
		      str_eq(again.info.role, r.info.role) &&
		      again.info.proto == r.info.proto &&
		      again.info.cities == r.info.cities &&
		      again.info.posts == r.info.posts &&
		      again.info.last_seq == r.info.last_seq &&
		      again.info.uptime_s == r.info.uptime_s &&
		      again.info.unread == r.info.unread &&
		      again.info.mailboxes == r.info.mailboxes);
	CHECK(again.nfields == r.nfields);
	for (size_t i = 0; i < r.nfields; i++)
		CHECK(str_eq(again.fields[i], r.fields[i]));
	if (r.status == 0 && op == UCCN_OP_CITY_IMPORT_STAGE)
		CHECK(str_eq(again.import_id, r.import_id) && again.staged == r.staged);
	CHECK(again.version == r.version && again.added == r.added &&
	      again.updated == r.updated && again.unchanged == r.unchanged);
	CHECK(r.status != 0 || r.error_index == 0 || op == UCCN_OP_NONE ||
	      again.error_index == 0);
	if (r.status != 0)
		CHECK(again.error_index == r.error_index);
	if (r.status != 0)
		CHECK(str_eq(again.message, r.message) || r.message == NULL);
	uccn_reply_clear(&again);
	msgpack_sbuffer_destroy(&sb);
	uccn_reply_clear(&r);
}

/* An invitation is text a person pastes: whatever it holds, parsing ends
 * in a clear refusal or in an invitation that formats and reads back the
 * same. Tried as given and behind the right prefix, so the fuzzer gets
 * past the prefix check. */
static void fuzz_invite(const uint8_t *data, size_t size)
{
	static const char prefix[] = UCCN_INVITE_PREFIX;
	char *text = malloc(sizeof prefix + size);
	char err[256], again[UCCN_INVITE_MAX_TEXT];
	CHECK(text != NULL);
	for (int with_prefix = 0; with_prefix < 2; with_prefix++) {
		size_t off = with_prefix ? sizeof prefix - 1 : 0;
		memcpy(text, prefix, off);
		memcpy(text + off, data, size);
		text[off + size] = '\0';
		struct uccn_invite inv, back;
		if (uccn_invite_parse(text, &inv, err, sizeof err) != 0)
			continue;
		int n = uccn_invite_format(&inv, again, sizeof again);
		CHECK(n > 0);
		CHECK(uccn_invite_parse(again, &back, err, sizeof err) == 0);
		CHECK(memcmp(&inv, &back, sizeof inv) == 0);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_invite(data, size);
	fuzz_request(data, size);
	for (int op = UCCN_OP_NONE; op <= UCCN_OP_LAST; op++)
		fuzz_reply(data, size, (enum uccn_op)op);
	return 0;
}
