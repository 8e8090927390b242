/*
 * output.c - the text and JSON views of uccn's results.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "output.h"
#include "output_admin.h"
#include "output_state.h"
#include "uccn_fingerprint.h"
#include "uccn_utf8.h"

/* ---- text ---- */

/* Write s to f with every control character but TAB and LF (C0, DEL, C1)
 * and every byte that is not UTF-8 shown as U+FFFD. Stores written before
 * the server refused C1 may hold them, and a terminal obeys them (U+009B is
 * CSI): what a city wrote must never drive another city's terminal. */
static void put_text(const char *s, FILE *f)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp = p[i];
		size_t n = cp < 0x80 ? 1 : uccn_utf8_next(p + i, len - i, &cp);
		bool control = cp < 0x20 ? cp != '\t' && cp != '\n' : cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
		if (n == 0 || control)
			fputs("\xef\xbf\xbd", f);
		else
			fwrite(p + i, 1, n, f);
		i += n ? n : 1;
	}
}

/* Copy at most max display characters of the first line of s into buf,
 * never cutting a UTF-8 sequence; "…" marks a cut, and U+FFFD stands for a
 * control character or a byte that is not UTF-8 (see put_text). */
static const char *first_line(const char *s, size_t max, char *buf, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, chars = 0, o = 0, slen;
	if (!s)
		return "";
	slen = strlen(s);
	while (s[i] && s[i] != '\n' && s[i] != '\r') {
		uint32_t cp = u[i];
		size_t n = cp < 0x80 ? 1 : uccn_utf8_next(u + i, slen - i, &cp);
		bool shown = n && !(cp < 0x20 && cp != '\t') && cp != 0x7f &&
			     !(cp >= 0x80 && cp < 0xa0);
		if (chars == max || o + 3 + 4 >= len) {
			memcpy(buf + o, "\xe2\x80\xa6", 3);
			o += 3;
			break;
		}
		if (shown)
			memcpy(buf + o, s + i, n);
		else
			memcpy(buf + o, "\xef\xbf\xbd", 3);
		o += shown ? n : 3;
		i += n ? n : 1;
		chars++;
	}
	buf[o] = '\0';
	return buf;
}

/* Print s left-aligned in width display columns (counting UTF-8 characters,
 * not bytes), then two spaces. */
static void cell(const char *s, int width)
{
	int chars = 0;
	if (!s)
		s = "-";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		chars += (*p & 0xc0) != 0x80;
	put_text(s, stdout);
	/* Two spaces at least, so a long value never runs into the next. */
	for (int i = chars < width ? chars : width; i < width + 2; i++)
		fputc(' ', stdout);
}

/* The columns of list, which inbox shares: one post a row. */
static void post_header(void)
{
	printf("%6s  %-16s  %-18s  %-13s  %s\n", "SEQ", "CREATED (UTC)", "CITY", "KIND", "TITLE");
}

static void post_row(const struct uccn_post *p)
{
	char when[40], title[512];
	uccn_time_format(p->created_ms, when, sizeof when);
	when[16] = '\0'; /* YYYY-MM-DDTHH:MM */
	when[10] = ' ';
	printf("%6llu  ", (unsigned long long)p->seq);
	cell(when, 16);
	cell(p->city, 18);
	cell(p->kind, 13);
	printf("%s\n", first_line(p->title ? p->title : p->body, 60, title, sizeof title));
}

static void text_posts(const struct uccn_post *p, size_t n, uint64_t next)
{
	if (n == 0) {
		fprintf(stderr, "no posts\n");
		return;
	}
	post_header();
	for (size_t i = 0; i < n; i++)
		post_row(&p[i]);
	if (next)
		fprintf(stderr, "more: uccn list --before %llu\n", (unsigned long long)next);
}

static void text_ids(const char *label, const struct uccn_idlist *l)
{
	printf("%s", label);
	for (size_t i = 0; i < l->n; i++)
		printf("%s%s", i ? ", " : "", l->v[i]);
	printf("%s\n", l->n ? "" : "-");
}

static void text_post(const struct uccn_post *p)
{
	char when[40];
	uccn_time_format(p->created_ms, when, sizeof when);
	printf("post %llu, %s by %s, %s\n", (unsigned long long)p->seq,
	       p->kind ? p->kind : "?", p->city ? p->city : "?", when);
	if (p->title) {
		fputs("title:   ", stdout);
		put_text(p->title, stdout);
		fputc('\n', stdout);
	}
	if (p->project)
		printf("project: %s\n", p->project);
	if (p->meeting)
		printf("meeting: %s\n", p->meeting);
	if (p->minutes)
		printf("minutes: %u%s%s%s%s\n", p->minutes, p->priority ? ", priority " : "",
		       p->priority ? p->priority : "", p->remote ? ", on-line" : "",
		       p->pin ? ", pinned" : "");
	if (p->to.n)
		text_ids("to:      ", &p->to);
	fputc('\n', stdout);
	put_text(p->body ? p->body : "", stdout);
	fputc('\n', stdout);
}

static void text_cities(const struct uccn_city *c, size_t n)
{
	printf("%-20s  %-24s  %-16s  %-11s  %-20s  %s\n", "ID", "NAME", "FIELD", "ROLE", "COUNTRY", "YEAR");
	for (size_t i = 0; i < n; i++) {
		char year[16] = "-";
		if (c[i].year)
			snprintf(year, sizeof year, "%u", c[i].year);
		cell(c[i].id, 20);
		cell(c[i].name, 24);
		cell(c[i].field, 16);
		cell(c[i].role, 11);
		cell(c[i].country, 20);
		printf("%s\n", year);
	}
}

/* A key's fingerprint, or "-" for a missing or bad key. */
static const char *fingerprint(const char *key, char fp[UCCN_FINGERPRINT_LEN + 1])
{
	if (!key || uccn_key_fingerprint(key, fp, UCCN_FINGERPRINT_LEN + 1) != 0)
		snprintf(fp, UCCN_FINGERPRINT_LEN + 1, "-");
	return fp;
}

static void text_city(const struct uccn_city *c)
{
	char fp[UCCN_FINGERPRINT_LEN + 1];
	text_cities(c, 1);
	/* What `city update --if-version` asks for. */
	printf("version: %llu\n", (unsigned long long)c->version);
	if (c->term_end)
		printf("term ends: %s\n", c->term_end);
	/* Quoted: Z85 holds shell metacharacters but never a single quote. */
	if (c->key[0])
		printf("key:       '%s'\nfingerprint: %s\n", c->key, fingerprint(c->key, fp));
}

static void text_status(const char *endpoint, const char *server_key, const char *own_key,
			const struct uccn_status_info *i)
{
	char fp[UCCN_FINGERPRINT_LEN + 1];
	printf("endpoint:   %s (reachable)\n", endpoint);
	printf("server key: %s\n", fingerprint(server_key, fp));
	printf("your key:   %s\n", fingerprint(own_key, fp));
	printf("server:     %s, protocol %u\n", i->server ? i->server : "?", i->proto);
	printf("you are:    %s (%s)\n", i->city ? i->city : "?", i->role ? i->role : "?");
	printf("cities:     %llu\n", (unsigned long long)i->cities);
	printf("posts:      %llu\n", (unsigned long long)i->posts);
	printf("last seq:   %llu\n", (unsigned long long)i->last_seq);
	printf("uptime:     %llus\n", (unsigned long long)i->uptime_s);
	printf("mailbox:    %llu unread (%llu in all mailboxes)\n", (unsigned long long)i->unread,
	       (unsigned long long)i->mailboxes);
	output_state_text(i);
}

static void text_posted(uint64_t seq, bool duplicate, int64_t created_ms)
{
	(void)created_ms;
	printf("%llu\n", (unsigned long long)seq);
	if (duplicate)
		fprintf(stderr, "uccn: already posted with this key as %llu; nothing new stored\n",
			(unsigned long long)seq);
}

static void text_city_added(const char *id, uint64_t seq)
{
	printf("added city %s (seq %llu)\n", id, (unsigned long long)seq);
}

static void text_keygen(const char *pub, const char *path)
{
	(void)path;
	printf("%s\n", pub);
}

static void text_fields(const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%s\n", names[i]);
}

static void text_field_added(const char *name, uint64_t seq)
{
	printf("added field %s (seq %llu)\n", name, (unsigned long long)seq);
}

static void text_record_changed(const char *what, const char *id, uint64_t seq,
				uint64_t version)
{
	printf("%s %s is now at version %llu (seq %llu)\n", what, id,
	       (unsigned long long)version, (unsigned long long)seq);
}

static void text_projects(const struct uccn_project *p, size_t n)
{
	char title[512];
	if (n == 0) {
		fprintf(stderr, "no projects\n");
		return;
	}
	printf("%-24s  %-10s  %-20s  %8s  %s\n", "ID", "STATUS", "LEAD", "PARTNERS", "TITLE");
	for (size_t i = 0; i < n; i++) {
		cell(p[i].id, 24);
		cell(p[i].status, 10);
		cell(p[i].lead, 20);
		printf("%8zu  %s\n", p[i].partners.n, first_line(p[i].title, 60, title, sizeof title));
	}
}

static void text_project(const struct uccn_project *p)
{
	printf("project %s, version %llu: %s\n", p->id, (unsigned long long)p->version,
	       p->title ? p->title : "");
	printf("status:   %s\n", p->status ? p->status : "-");
	printf("lead:     %s\n", p->lead ? p->lead : "-");
	text_ids("partners: ", &p->partners);
	text_ids("fields:   ", &p->fields);
	printf("dates:    %s to %s\n", p->start ? p->start : "?", p->end ? p->end : "?");
	if (p->description) {
		fputc('\n', stdout);
		put_text(p->description, stdout);
		fputc('\n', stdout);
	}
}

static void text_meetings(const struct uccn_meeting *m, size_t n)
{
	if (n == 0) {
		fprintf(stderr, "no meetings\n");
		return;
	}
	printf("%-24s  %-14s  %-16s  %-10s  %-10s  %s\n", "ID", "KIND", "FIELD", "START", "END", "STATUS");
	for (size_t i = 0; i < n; i++) {
		cell(m[i].id, 24);
		cell(m[i].kind, 14);
		cell(m[i].field, 16);
		cell(m[i].start, 10);
		cell(m[i].end, 10);
		printf("%s\n", m[i].status ? m[i].status : "-");
	}
}

static void text_meeting(const struct uccn_meeting *m)
{
	printf("meeting %s, version %llu: %s%s%s\n", m->id, (unsigned long long)m->version,
	       m->kind ? m->kind : "", m->field ? " of " : "", m->field ? m->field : "");
	text_ids("hosts:    ", &m->hosts);
	printf("place:    %s\n", m->place ? m->place : "-");
	printf("dates:    %s to %s, %s to %s each day, %s%s\n", m->start ? m->start : "?",
	       m->end ? m->end : "?", m->day_start ? m->day_start : UCCN_DEFAULT_DAY_START,
	       m->day_end ? m->day_end : UCCN_DEFAULT_DAY_END, m->tz ? m->tz : "?",
	       m->hybrid ? " (hybrid)" : "");
	printf("sessions: at most %u minutes between breaks\n",
	       m->max_session ? m->max_session : UCCN_DEFAULT_SESSION);
	printf("status:   %s\n", m->status ? m->status : "-");
}

/* The first kept fields the text names; the reply may name more. */
#define KEPT_SHOWN 8

static void text_imported(const char *path, const struct uccn_reply *rep)
{
	if (rep->added + rep->updated + rep->kept == 0)
		printf("%s: nothing to change; all %llu cities are already as the file says\n",
		       path, (unsigned long long)rep->unchanged);
	else
		printf("%s: %llu cities added, %llu updated, %llu unchanged\n", path,
		       (unsigned long long)rep->added, (unsigned long long)rep->updated,
		       (unsigned long long)rep->unchanged);
	if (!rep->kept)
		return;
	printf("kept %llu hand edit%s:", (unsigned long long)rep->kept, rep->kept == 1 ? "" : "s");
	size_t shown = rep->nfields < KEPT_SHOWN ? rep->nfields : KEPT_SHOWN;
	for (size_t i = 0; i < shown; i++)
		printf("%s %s", i ? "," : "", rep->fields[i]);
	if (rep->kept > shown)
		printf(" and %llu more", (unsigned long long)(rep->kept - shown));
	printf(" (--overwrite takes the file's values)\n");
}

static void text_watched(const struct uccn_post *p)
{
	char when[40], title[512];
	uccn_time_format(p->created_ms, when, sizeof when);
	printf("%llu  %s  %s  %s  %s\n", (unsigned long long)p->seq, when,
	       p->city ? p->city : "?", p->kind ? p->kind : "?",
	       first_line(p->title ? p->title : p->body, 80, title, sizeof title));
}

static void text_inbox(const struct uccn_post *p, size_t n, uint64_t unread)
{
	if (n == 0) {
		printf("nothing unread\n");
		return;
	}
	post_header();
	for (size_t i = 0; i < n; i++)
		post_row(&p[i]);
	printf("%llu unread%s; 'uccn inbox --ack %llu' marks these read\n",
	       (unsigned long long)unread, unread > n ? " (the oldest shown)" : "",
	       (unsigned long long)p[n - 1].seq);
}

static void text_acked(uint64_t upto, uint64_t acked, uint64_t unread)
{
	printf("marked %llu read, up to %llu; %llu unread\n", (unsigned long long)acked,
	       (unsigned long long)upto, (unsigned long long)unread);
}

const struct output output_text = {
	.posts = text_posts, .post = text_post, .cities = text_cities, .city = text_city,
	.status = text_status, .posted = text_posted,
	.city_added = text_city_added, .keygen = text_keygen,
	.fields = text_fields, .field_added = text_field_added,
	.record_changed = text_record_changed, .imported = text_imported,
	.projects = text_projects, .project = text_project,
	.meetings = text_meetings, .meeting = text_meeting,
	.inbox = text_inbox, .acked = text_acked, .watched = text_watched,
	.rekeyed = output_text_rekeyed, .handed_over = output_text_handed_over,
	.log_level = output_text_log_level, .backed_up = output_text_backed_up,
};

/* ---- json ---- */

static void json_created(struct json *j, int64_t ms)
{
	char when[40];
	uccn_time_format(ms, when, sizeof when);
	json_key(j, "created");
	json_str(j, when);
}

static void json_ids(struct json *j, const char *key, const struct uccn_idlist *l)
{
	json_key(j, key);
	json_array_begin(j);
	for (size_t i = 0; i < l->n; i++)
		json_str(j, l->v[i]);
	json_array_end(j);
}

static void json_post_object(struct json *j, const struct uccn_post *p)
{
	json_object_begin(j);
	json_key(j, "seq"); json_uint(j, p->seq);
	json_key(j, "city"); json_str(j, p->city);
	json_key(j, "kind"); json_str(j, p->kind);
	json_key(j, "title"); json_str(j, p->title);
	json_key(j, "body"); json_str(j, p->body);
	json_key(j, "project"); json_str(j, p->project);
	json_key(j, "meeting"); json_str(j, p->meeting);
	json_key(j, "minutes"); json_uint(j, p->minutes);
	json_created(j, p->created_ms);
	json_key(j, "key"); json_str(j, p->idem_key);
	json_ids(j, "to", &p->to);
	json_key(j, "priority"); json_str(j, p->priority ? p->priority : "normal");
	json_key(j, "remote"); json_bool(j, p->remote);
	json_key(j, "pin"); json_str(j, p->pin);
	json_object_end(j);
}

static void json_posts(const struct uccn_post *p, size_t n, uint64_t next)
{
	struct json j;
	(void)next;
	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++)
		json_post_object(&j, &p[i]);
	json_array_end(&j);
	json_end(&j);
}

static void json_post(const struct uccn_post *p)
{
	struct json j;
	json_init(&j, stdout);
	json_post_object(&j, p);
	json_end(&j);
}

static void json_city_object(struct json *j, const struct uccn_city *c)
{
	json_object_begin(j);
	json_key(j, "id"); json_str(j, c->id);
	json_key(j, "name"); json_str(j, c->name);
	json_key(j, "country"); json_str(j, c->country);
	json_key(j, "field"); json_str(j, c->field);
	json_key(j, "role"); json_str(j, c->role);
	json_key(j, "tz"); json_str(j, c->tz);
	json_key(j, "year");
	if (c->year) json_uint(j, c->year); else json_null(j);
	json_key(j, "term_end"); json_str(j, c->term_end);
	json_key(j, "key"); json_str(j, c->key[0] ? c->key : NULL);
	char fp[UCCN_FINGERPRINT_LEN + 1];
	json_key(j, "fingerprint"); json_str(j, c->key[0] ? fingerprint(c->key, fp) : NULL);
	json_key(j, "lat");
	if (c->lat.set) json_double(j, c->lat.deg); else json_null(j);
	json_key(j, "lon");
	if (c->lon.set) json_double(j, c->lon.deg); else json_null(j);
	json_key(j, "version"); json_uint(j, c->version);
	json_key(j, "seq"); json_uint(j, c->seq);
	json_object_end(j);
}

static void json_cities(const struct uccn_city *c, size_t n)
{
	struct json j;
	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++)
		json_city_object(&j, &c[i]);
	json_array_end(&j);
	json_end(&j);
}

static void json_city(const struct uccn_city *c)
{
	struct json j;
	json_init(&j, stdout);
	json_city_object(&j, c);
	json_end(&j);
}

static void json_status(const char *endpoint, const char *server_key, const char *own_key,
			const struct uccn_status_info *i)
{
	struct json j;
	char fp[UCCN_FINGERPRINT_LEN + 1];
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "endpoint"); json_str(&j, endpoint);
	json_key(&j, "server_key_fingerprint"); json_str(&j, fingerprint(server_key, fp));
	json_key(&j, "key_fingerprint"); json_str(&j, fingerprint(own_key, fp));
	json_key(&j, "server"); json_str(&j, i->server);
	json_key(&j, "proto"); json_uint(&j, i->proto);
	json_key(&j, "city"); json_str(&j, i->city);
	json_key(&j, "role"); json_str(&j, i->role);
	json_key(&j, "cities"); json_uint(&j, i->cities);
	json_key(&j, "posts"); json_uint(&j, i->posts);
	json_key(&j, "last_seq"); json_uint(&j, i->last_seq);
	json_key(&j, "uptime"); json_uint(&j, i->uptime_s);
	json_key(&j, "unread"); json_uint(&j, i->unread);
	json_key(&j, "mailboxes"); json_uint(&j, i->mailboxes);
	output_state_json(&j, i);
	json_object_end(&j);
	json_end(&j);
}

static void json_posted(uint64_t seq, bool duplicate, int64_t created_ms)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "seq"); json_uint(&j, seq);
	json_key(&j, "duplicate"); json_bool(&j, duplicate);
	json_created(&j, created_ms);
	json_object_end(&j);
	json_end(&j);
}

static void json_city_added(const char *id, uint64_t seq)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "seq"); json_uint(&j, seq);
	json_key(&j, "id"); json_str(&j, id);
	json_object_end(&j);
	json_end(&j);
}

static void json_keygen(const char *pub, const char *path)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "public_key"); json_str(&j, pub);
	json_key(&j, "file"); json_str(&j, path);
	json_object_end(&j);
	json_end(&j);
}

static void json_fields(const char *const *names, size_t n)
{
	struct json j;
	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++)
		json_str(&j, names[i]);
	json_array_end(&j);
	json_end(&j);
}

static void json_field_added(const char *name, uint64_t seq)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "seq"); json_uint(&j, seq);
	json_key(&j, "field"); json_str(&j, name);
	json_object_end(&j);
	json_end(&j);
}

static void json_record_changed(const char *what, const char *id, uint64_t seq,
				uint64_t version)
{
	struct json j;
	(void)what;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "id"); json_str(&j, id);
	json_key(&j, "seq"); json_uint(&j, seq);
	json_key(&j, "version"); json_uint(&j, version);
	json_object_end(&j);
	json_end(&j);
}

static void json_project_object(struct json *j, const struct uccn_project *p)
{
	json_object_begin(j);
	json_key(j, "id"); json_str(j, p->id);
	json_key(j, "title"); json_str(j, p->title);
	json_key(j, "lead"); json_str(j, p->lead);
	json_ids(j, "partners", &p->partners);
	json_ids(j, "fields", &p->fields);
	json_key(j, "status"); json_str(j, p->status);
	json_key(j, "start"); json_str(j, p->start);
	json_key(j, "end"); json_str(j, p->end);
	json_key(j, "description"); json_str(j, p->description);
	json_key(j, "version"); json_uint(j, p->version);
	json_key(j, "seq"); json_uint(j, p->seq);
	json_object_end(j);
}

static void json_meeting_object(struct json *j, const struct uccn_meeting *m)
{
	json_object_begin(j);
	json_key(j, "id"); json_str(j, m->id);
	json_key(j, "kind"); json_str(j, m->kind);
	json_key(j, "field"); json_str(j, m->field);
	json_ids(j, "hosts", &m->hosts);
	json_key(j, "place"); json_str(j, m->place);
	json_key(j, "start"); json_str(j, m->start);
	json_key(j, "end"); json_str(j, m->end);
	json_key(j, "tz"); json_str(j, m->tz);
	json_key(j, "day_start"); json_str(j, m->day_start);
	json_key(j, "day_end"); json_str(j, m->day_end);
	json_key(j, "hybrid"); json_bool(j, m->hybrid);
	json_key(j, "max_session");
	json_uint(j, m->max_session ? m->max_session : UCCN_DEFAULT_SESSION);
	json_key(j, "status"); json_str(j, m->status);
	json_key(j, "version"); json_uint(j, m->version);
	json_key(j, "seq"); json_uint(j, m->seq);
	json_object_end(j);
}

static void json_projects(const struct uccn_project *p, size_t n)
{
	struct json j;
	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++)
		json_project_object(&j, &p[i]);
	json_array_end(&j);
	json_end(&j);
}

static void json_project(const struct uccn_project *p)
{
	struct json j;
	json_init(&j, stdout);
	json_project_object(&j, p);
	json_end(&j);
}

static void json_meetings(const struct uccn_meeting *m, size_t n)
{
	struct json j;
	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++)
		json_meeting_object(&j, &m[i]);
	json_array_end(&j);
	json_end(&j);
}

static void json_meeting(const struct uccn_meeting *m)
{
	struct json j;
	json_init(&j, stdout);
	json_meeting_object(&j, m);
	json_end(&j);
}

static void json_imported(const char *path, const struct uccn_reply *rep)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "file"); json_str(&j, path);
	json_key(&j, "added"); json_uint(&j, rep->added);
	json_key(&j, "updated"); json_uint(&j, rep->updated);
	json_key(&j, "unchanged"); json_uint(&j, rep->unchanged);
	json_key(&j, "kept"); json_uint(&j, rep->kept);
	json_key(&j, "kept_fields");
	json_array_begin(&j);
	for (size_t i = 0; i < rep->nfields; i++)
		json_str(&j, rep->fields[i]);
	json_array_end(&j);
	json_object_end(&j);
	json_end(&j);
}

static void json_inbox(const struct uccn_post *p, size_t n, uint64_t unread)
{
	(void)unread;
	json_posts(p, n, 0);
}

static void json_acked(uint64_t upto, uint64_t acked, uint64_t unread)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "upto"); json_uint(&j, upto);
	json_key(&j, "acked"); json_uint(&j, acked);
	json_key(&j, "unread"); json_uint(&j, unread);
	json_object_end(&j);
	json_end(&j);
}

/* One JSON object per line (JSON lines), as a stream reader wants. */
static void json_watched(const struct uccn_post *p)
{
	json_post(p);
}

const struct output output_json = {
	.posts = json_posts, .post = json_post, .cities = json_cities, .city = json_city,
	.status = json_status, .posted = json_posted,
	.city_added = json_city_added, .keygen = json_keygen,
	.fields = json_fields, .field_added = json_field_added,
	.record_changed = json_record_changed, .imported = json_imported,
	.projects = json_projects, .project = json_project,
	.meetings = json_meetings, .meeting = json_meeting,
	.inbox = json_inbox, .acked = json_acked, .watched = json_watched,
	.rekeyed = output_json_rekeyed, .handed_over = output_json_handed_over,
	.log_level = output_json_log_level, .backed_up = output_json_backed_up,
};
