/*
 * output.c - the text and JSON views of uccn's results.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "output.h"

/* ---- text ---- */

/* Copy at most max display characters of the first line of s into buf,
 * never cutting a UTF-8 sequence; "…" marks a cut. */
static const char *first_line(const char *s, size_t max, char *buf, size_t len)
{
	size_t i = 0, chars = 0, o = 0;
	if (!s)
		return "";
	while (s[i] && s[i] != '\n' && s[i] != '\r') {
		size_t n = 1;
		unsigned char c = (unsigned char)s[i];
		if (c >= 0xf0) n = 4; else if (c >= 0xe0) n = 3; else if (c >= 0xc0) n = 2;
		if (chars == max || o + n + 4 >= len) {
			memcpy(buf + o, "\xe2\x80\xa6", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, s + i, n);
		o += n;
		i += n;
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
	fputs(s, stdout);
	for (int i = chars; i < width + 2; i++)
		fputc(' ', stdout);
}

static void text_posts(const struct uccn_post *p, size_t n, uint64_t next)
{
	char when[40], title[512];
	if (n == 0) {
		fprintf(stderr, "no posts\n");
		return;
	}
	printf("%6s  %-16s  %-16s  %-13s  %s\n", "SEQ", "CREATED (UTC)", "CITY", "KIND", "TITLE");
	for (size_t i = 0; i < n; i++) {
		uccn_time_format(p[i].created_ms, when, sizeof when);
		when[16] = '\0'; /* YYYY-MM-DDTHH:MM */
		when[10] = ' ';
		printf("%6llu  ", (unsigned long long)p[i].seq);
		cell(when, 16);
		cell(p[i].city, 16);
		cell(p[i].kind, 13);
		printf("%s\n", first_line(p[i].title ? p[i].title : p[i].body, 60, title, sizeof title));
	}
	if (next)
		fprintf(stderr, "more: uccn list --before %llu\n", (unsigned long long)next);
}

static void text_post(const struct uccn_post *p)
{
	char when[40];
	uccn_time_format(p->created_ms, when, sizeof when);
	printf("post %llu, %s by %s, %s\n", (unsigned long long)p->seq,
	       p->kind ? p->kind : "?", p->city ? p->city : "?", when);
	if (p->title)
		printf("title:   %s\n", p->title);
	if (p->project)
		printf("project: %s\n", p->project);
	if (p->meeting)
		printf("meeting: %s\n", p->meeting);
	if (p->minutes)
		printf("minutes: %u\n", p->minutes);
	printf("\n%s\n", p->body ? p->body : "");
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

static void text_status(const char *endpoint, const struct uccn_status_info *i)
{
	printf("endpoint:  %s (reachable)\n", endpoint);
	printf("server:    %s, protocol %u\n", i->server ? i->server : "?", i->proto);
	printf("you are:   %s (%s)\n", i->city ? i->city : "?", i->role ? i->role : "?");
	printf("cities:    %llu\n", (unsigned long long)i->cities);
	printf("posts:     %llu\n", (unsigned long long)i->posts);
	printf("last seq:  %llu\n", (unsigned long long)i->last_seq);
	printf("uptime:    %llus\n", (unsigned long long)i->uptime_s);
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

static void text_city_changed(const char *id, uint64_t seq, uint64_t version)
{
	printf("city %s is now at version %llu (seq %llu)\n", id,
	       (unsigned long long)version, (unsigned long long)seq);
}

static void text_imported(const char *path, uint64_t added, uint64_t updated,
			  uint64_t unchanged)
{
	if (added + updated == 0)
		printf("%s: nothing to change; all %llu cities are already as the file says\n",
		       path, (unsigned long long)unchanged);
	else
		printf("%s: %llu cities added, %llu updated, %llu unchanged\n", path,
		       (unsigned long long)added, (unsigned long long)updated,
		       (unsigned long long)unchanged);
}

const struct output output_text = {
	.posts = text_posts, .post = text_post, .cities = text_cities,
	.status = text_status, .posted = text_posted,
	.city_added = text_city_added, .keygen = text_keygen,
	.fields = text_fields, .field_added = text_field_added,
	.city_changed = text_city_changed, .imported = text_imported,
};

/* ---- json ---- */

static void json_created(struct json *j, int64_t ms)
{
	char when[40];
	uccn_time_format(ms, when, sizeof when);
	json_key(j, "created");
	json_str(j, when);
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

static void json_cities(const struct uccn_city *c, size_t n)
{
	struct json j;
	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		json_object_begin(&j);
		json_key(&j, "id"); json_str(&j, c[i].id);
		json_key(&j, "name"); json_str(&j, c[i].name);
		json_key(&j, "country"); json_str(&j, c[i].country);
		json_key(&j, "field"); json_str(&j, c[i].field);
		json_key(&j, "role"); json_str(&j, c[i].role);
		json_key(&j, "tz"); json_str(&j, c[i].tz);
		json_key(&j, "year");
		if (c[i].year) json_uint(&j, c[i].year); else json_null(&j);
		json_key(&j, "key"); json_str(&j, c[i].key[0] ? c[i].key : NULL);
		json_key(&j, "lat");
		if (c[i].lat.set) json_double(&j, c[i].lat.deg); else json_null(&j);
		json_key(&j, "lon");
		if (c[i].lon.set) json_double(&j, c[i].lon.deg); else json_null(&j);
		json_key(&j, "version"); json_uint(&j, c[i].version);
		json_key(&j, "seq"); json_uint(&j, c[i].seq);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_end(&j);
}

static void json_status(const char *endpoint, const struct uccn_status_info *i)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "endpoint"); json_str(&j, endpoint);
	json_key(&j, "server"); json_str(&j, i->server);
	json_key(&j, "proto"); json_uint(&j, i->proto);
	json_key(&j, "city"); json_str(&j, i->city);
	json_key(&j, "role"); json_str(&j, i->role);
	json_key(&j, "cities"); json_uint(&j, i->cities);
	json_key(&j, "posts"); json_uint(&j, i->posts);
	json_key(&j, "last_seq"); json_uint(&j, i->last_seq);
	json_key(&j, "uptime"); json_uint(&j, i->uptime_s);
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

static void json_city_changed(const char *id, uint64_t seq, uint64_t version)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "id"); json_str(&j, id);
	json_key(&j, "seq"); json_uint(&j, seq);
	json_key(&j, "version"); json_uint(&j, version);
	json_object_end(&j);
	json_end(&j);
}

static void json_imported(const char *path, uint64_t added, uint64_t updated,
			  uint64_t unchanged)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "file"); json_str(&j, path);
	json_key(&j, "added"); json_uint(&j, added);
	json_key(&j, "updated"); json_uint(&j, updated);
	json_key(&j, "unchanged"); json_uint(&j, unchanged);
	json_object_end(&j);
	json_end(&j);
}

const struct output output_json = {
	.posts = json_posts, .post = json_post, .cities = json_cities,
	.status = json_status, .posted = json_posted,
	.city_added = json_city_added, .keygen = json_keygen,
	.fields = json_fields, .field_added = json_field_added,
	.city_changed = json_city_changed, .imported = json_imported,
};
