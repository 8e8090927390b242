/*
 * records.c - the records (cities, posts, projects, meetings, published
 * agendas) as field tables, and their msgpack form, copies and clearing
 * through those tables: a field is named once, for both directions.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "mp.h"
#include "uccn_error.h"
#include "uccn_records.h"

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

/* Every field of a record is optional on the wire (proto/SPEC.md, 5):
 * left out when unset. What a record must hold is its check's business. */
#define REC_FIELD(st, key, ty, member, limit) \
	{.name = (key), .type = (ty), .offset = offsetof(st, member), .max = (limit), \
	 .flags = FIELD_OPTIONAL}

static const struct uccn_field city_fields[] = {
	REC_FIELD(struct uccn_city, "id", F_LINE, id, UCCN_MAX_ID),
	REC_FIELD(struct uccn_city, "name", F_LINE, name, UCCN_MAX_NAME),
	REC_FIELD(struct uccn_city, "country", F_LINE, country, UCCN_MAX_COUNTRY),
	REC_FIELD(struct uccn_city, "field", F_LINE, field, UCCN_MAX_FIELD),
	REC_FIELD(struct uccn_city, "role", F_LINE, role, UCCN_MAX_ROLE),
	REC_FIELD(struct uccn_city, "tz", F_LINE, tz, UCCN_MAX_TZ),
	REC_FIELD(struct uccn_city, "year", F_U32, year, UCCN_MAX_YEAR),
	REC_FIELD(struct uccn_city, "term_end", F_LINE, term_end, UCCN_MAX_DATE),
	REC_FIELD(struct uccn_city, "key", F_KEY, key, UCCN_KEY_Z85_LEN),
	REC_FIELD(struct uccn_city, "seq", F_U64, seq, UINT64_MAX),
	REC_FIELD(struct uccn_city, "version", F_U64, version, UINT64_MAX),
	REC_FIELD(struct uccn_city, "lat", F_COORD, lat, UCCN_MAX_LAT),
	REC_FIELD(struct uccn_city, "lon", F_COORD, lon, UCCN_MAX_LON),
};

static const struct uccn_field project_fields[] = {
	REC_FIELD(struct uccn_project, "id", F_LINE, id, UCCN_MAX_ID),
	REC_FIELD(struct uccn_project, "title", F_LINE, title, UCCN_MAX_TITLE),
	REC_FIELD(struct uccn_project, "lead", F_LINE, lead, UCCN_MAX_ID),
	REC_FIELD(struct uccn_project, "partners", F_IDS, partners, UCCN_MAX_ID),
	REC_FIELD(struct uccn_project, "fields", F_IDS, fields, UCCN_MAX_FIELD),
	REC_FIELD(struct uccn_project, "status", F_LINE, status, UCCN_MAX_STATUS),
	REC_FIELD(struct uccn_project, "start", F_LINE, start, UCCN_MAX_DATE),
	REC_FIELD(struct uccn_project, "end", F_LINE, end, UCCN_MAX_DATE),
	REC_FIELD(struct uccn_project, "description", F_STR, description, UCCN_MAX_DESCRIPTION),
	REC_FIELD(struct uccn_project, "seq", F_U64, seq, UINT64_MAX),
	REC_FIELD(struct uccn_project, "version", F_U64, version, UINT64_MAX),
};

static const struct uccn_field meeting_fields[] = {
	REC_FIELD(struct uccn_meeting, "id", F_LINE, id, UCCN_MAX_ID),
	REC_FIELD(struct uccn_meeting, "kind", F_LINE, kind, UCCN_MAX_KIND),
	REC_FIELD(struct uccn_meeting, "field", F_LINE, field, UCCN_MAX_FIELD),
	REC_FIELD(struct uccn_meeting, "hosts", F_IDS, hosts, UCCN_MAX_ID),
	REC_FIELD(struct uccn_meeting, "place", F_LINE, place, UCCN_MAX_PLACE),
	REC_FIELD(struct uccn_meeting, "start", F_LINE, start, UCCN_MAX_DATE),
	REC_FIELD(struct uccn_meeting, "end", F_LINE, end, UCCN_MAX_DATE),
	REC_FIELD(struct uccn_meeting, "tz", F_LINE, tz, UCCN_MAX_TZ),
	REC_FIELD(struct uccn_meeting, "day_start", F_LINE, day_start, UCCN_MAX_HHMM),
	REC_FIELD(struct uccn_meeting, "day_end", F_LINE, day_end, UCCN_MAX_HHMM),
	REC_FIELD(struct uccn_meeting, "hybrid", F_BOOL, hybrid, 0),
	REC_FIELD(struct uccn_meeting, "status", F_LINE, status, UCCN_MAX_STATUS),
	REC_FIELD(struct uccn_meeting, "seq", F_U64, seq, UINT64_MAX),
	REC_FIELD(struct uccn_meeting, "version", F_U64, version, UINT64_MAX),
	REC_FIELD(struct uccn_meeting, "max_session", F_U32, max_session, UCCN_MAX_SESSION),
};

static const struct uccn_field post_fields[] = {
	REC_FIELD(struct uccn_post, "seq", F_U64, seq, UINT64_MAX),
	REC_FIELD(struct uccn_post, "city", F_LINE, city, UCCN_MAX_ID),
	REC_FIELD(struct uccn_post, "kind", F_LINE, kind, UCCN_MAX_KIND),
	REC_FIELD(struct uccn_post, "project", F_LINE, project, UCCN_MAX_ID),
	REC_FIELD(struct uccn_post, "meeting", F_LINE, meeting, UCCN_MAX_ID),
	REC_FIELD(struct uccn_post, "title", F_LINE, title, UCCN_MAX_TITLE),
	REC_FIELD(struct uccn_post, "body", F_STR, body, UCCN_MAX_BODY),
	{.name = "minutes", .type = F_U32, .offset = offsetof(struct uccn_post, minutes),
	 .max = UCCN_MAX_MINUTES, .flags = FIELD_OPTIONAL | FIELD_NONZERO},
	REC_FIELD(struct uccn_post, "created", F_I64, created_ms, INT64_MAX),
	REC_FIELD(struct uccn_post, "key", F_LINE, idem_key, UCCN_MAX_IDEM_KEY),
	REC_FIELD(struct uccn_post, "to", F_IDS, to, UCCN_MAX_AUDIENCE_SPEC),
	REC_FIELD(struct uccn_post, "priority", F_LINE, priority, UCCN_MAX_PRIORITY),
	REC_FIELD(struct uccn_post, "remote", F_BOOL, remote, 0),
	REC_FIELD(struct uccn_post, "pin", F_LINE, pin, UCCN_MAX_PIN),
};

static const struct uccn_field entry_fields[] = {
	REC_FIELD(struct uccn_agenda_entry, "key", F_LINE, key, UCCN_MAX_ENTRY_KEY),
	REC_FIELD(struct uccn_agenda_entry, "title", F_LINE, title, UCCN_MAX_ENTRY_TITLE),
	REC_FIELD(struct uccn_agenda_entry, "day", F_U32, day, UCCN_MAX_AGENDA_DAY),
	REC_FIELD(struct uccn_agenda_entry, "start", F_U32, start, UCCN_MINUTES_PER_DAY),
	REC_FIELD(struct uccn_agenda_entry, "end", F_U32, end, UCCN_MINUTES_PER_DAY),
	REC_FIELD(struct uccn_agenda_entry, "deferred", F_BOOL, deferred, 0),
	REC_FIELD(struct uccn_agenda_entry, "reason", F_LINE, reason, UCCN_MAX_REASON),
	REC_FIELD(struct uccn_agenda_entry, "deferrals", F_U32, deferrals, UCCN_MAX_DEFERRALS),
};

static const struct uccn_record_type record_entry = {
	"agenda entry", "agenda entries", entry_fields, NFIELDS(entry_fields),
	sizeof(struct uccn_agenda_entry),
};

/* A line the agenda cannot show without: its key and its title. */
static int entry_complete(void *item, char *err, size_t errlen)
{
	const struct uccn_agenda_entry *e = item;
	if (!e->key || !e->title)
		return mp_fail(err, errlen, UCCN_E_INVALID, "an agenda entry needs a key and a title");
	return 0;
}

static const struct uccn_field agenda_fields[] = {
	REC_FIELD(struct uccn_agenda_pub, "meeting", F_LINE, meeting, UCCN_MAX_ID),
	REC_FIELD(struct uccn_agenda_pub, "version", F_U64, version, UINT64_MAX),
	REC_FIELD(struct uccn_agenda_pub, "published", F_I64, published_ms, INT64_MAX),
	REC_FIELD(struct uccn_agenda_pub, "by", F_LINE, by, UCCN_MAX_ID),
	/* Sent even when empty: an agenda with no lines is still an agenda. */
	{.name = "entries", .type = F_RECORDS, .offset = offsetof(struct uccn_agenda_pub, entries),
	 .count = offsetof(struct uccn_agenda_pub, nentries), .max = UCCN_MAX_AGENDA_ENTRIES,
	 .rec = &record_entry, .item_check = entry_complete},
};

const struct uccn_record_type record_city = {
	"city", "cities", city_fields, NFIELDS(city_fields), sizeof(struct uccn_city),
};
const struct uccn_record_type record_post = {
	"post", "posts", post_fields, NFIELDS(post_fields), sizeof(struct uccn_post),
};
const struct uccn_record_type record_project = {
	"project", "projects", project_fields, NFIELDS(project_fields),
	sizeof(struct uccn_project),
};
const struct uccn_record_type record_meeting = {
	"meeting", "meetings", meeting_fields, NFIELDS(meeting_fields),
	sizeof(struct uccn_meeting),
};
const struct uccn_record_type record_agenda = {
	"agenda", "agendas", agenda_fields, NFIELDS(agenda_fields),
	sizeof(struct uccn_agenda_pub),
};

/* ---- the public face of the tables ---- */

int uccn_city_pack(msgpack_packer *pk, const struct uccn_city *c)
{
	return fields_pack_record(pk, &record_city, c);
}

int uccn_post_pack(msgpack_packer *pk, const struct uccn_post *p)
{
	return fields_pack_record(pk, &record_post, p);
}

int uccn_project_pack(msgpack_packer *pk, const struct uccn_project *p)
{
	return fields_pack_record(pk, &record_project, p);
}

int uccn_meeting_pack(msgpack_packer *pk, const struct uccn_meeting *m)
{
	return fields_pack_record(pk, &record_meeting, m);
}

int uccn_agenda_pub_pack(msgpack_packer *pk, const struct uccn_agenda_pub *a)
{
	return fields_pack_record(pk, &record_agenda, a);
}

int uccn_city_from_object(const msgpack_object *o, struct uccn_city *out,
			  char *err, size_t errlen)
{
	return fields_read_record(o, &record_city, out, err, errlen);
}

int uccn_post_from_object(const msgpack_object *o, struct uccn_post *out,
			  char *err, size_t errlen)
{
	return fields_read_record(o, &record_post, out, err, errlen);
}

int uccn_project_from_object(const msgpack_object *o, struct uccn_project *out,
			     char *err, size_t errlen)
{
	return fields_read_record(o, &record_project, out, err, errlen);
}

int uccn_meeting_from_object(const msgpack_object *o, struct uccn_meeting *out,
			     char *err, size_t errlen)
{
	return fields_read_record(o, &record_meeting, out, err, errlen);
}

int uccn_agenda_pub_from_object(const msgpack_object *o, struct uccn_agenda_pub *out,
				char *err, size_t errlen)
{
	return fields_read_record(o, &record_agenda, out, err, errlen);
}

void uccn_city_clear(struct uccn_city *c)
{
	if (c)
		fields_clear_record(&record_city, c);
}

void uccn_post_clear(struct uccn_post *p)
{
	if (p)
		fields_clear_record(&record_post, p);
}

void uccn_project_clear(struct uccn_project *p)
{
	if (p)
		fields_clear_record(&record_project, p);
}

void uccn_meeting_clear(struct uccn_meeting *m)
{
	if (m)
		fields_clear_record(&record_meeting, m);
}

void uccn_agenda_pub_clear(struct uccn_agenda_pub *a)
{
	if (a)
		fields_clear_record(&record_agenda, a);
}

int uccn_city_copy(struct uccn_city *dst, const struct uccn_city *src)
{
	return fields_copy_record(&record_city, dst, src);
}

int uccn_post_copy(struct uccn_post *dst, const struct uccn_post *src)
{
	return fields_copy_record(&record_post, dst, src);
}

int uccn_project_copy(struct uccn_project *dst, const struct uccn_project *src)
{
	return fields_copy_record(&record_project, dst, src);
}

int uccn_meeting_copy(struct uccn_meeting *dst, const struct uccn_meeting *src)
{
	return fields_copy_record(&record_meeting, dst, src);
}

/* ---- id lists ---- */

void uccn_idlist_clear(struct uccn_idlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

bool uccn_idlist_has(const struct uccn_idlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

int uccn_idlist_add(struct uccn_idlist *l, const char *s)
{
	if (uccn_idlist_has(l, s))
		return UCCN_E_EXISTS;
	if (l->n >= UCCN_MAX_LIST)
		return UCCN_E_TOOBIG;
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);
	if (!v)
		return UCCN_E_NOMEM;
	l->v = v;
	if (!(v[l->n] = strdup(s)))
		return UCCN_E_NOMEM;
	l->n++;
	return 0;
}

int uccn_idlist_remove(struct uccn_idlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i], s) != 0)
			continue;
		free(l->v[i]);
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
		l->n--;
		return 0;
	}
	return UCCN_E_NOTFOUND;
}

/* ---- time ---- */

void uccn_time_format(int64_t ms, char *buf, size_t len)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}
