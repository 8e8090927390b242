/*
 * records.c - rules, copies and the msgpack form of cities and posts.
 * Field tables drive both directions, so a field is named once.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mp.h"
#include "uccn_error.h"
#include "uccn_records.h"
#include "uccn_utf8.h"

const char *const uccn_post_kinds[] = {
	"update", "news", "proposal", "agenda-item", "good-practice",
	"report", "message", NULL,
};

const char *const uccn_city_roles[] = {
	"member", "coordinator", "deputy", "secretariat", NULL,
};

const char *const uccn_default_fields[] = {
	"literature", "film", "music", "media_arts", "design", "gastronomy",
	"crafts_folk_art", "architecture", NULL,
};

const char *const uccn_project_statuses[] = {
	"proposed", "active", "completed", "cancelled", NULL,
};

const char *const uccn_meeting_kinds[] = {
	"annual-meeting", "conference", "working-group", NULL,
};

const char *const uccn_meeting_statuses[] = {
	"planned", "agenda-draft", "agenda-published", "held", "closed", NULL,
};

bool uccn_in_list(const char *s, const char *const *list)
{
	if (!s)
		return false;
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

bool uccn_post_kind_valid(const char *s) { return uccn_in_list(s, uccn_post_kinds); }

bool uccn_pin_parse(const char *s, int *day, int *minute)
{
	int d = 0, h, m, n = 0;
	if (!s)
		return false;
	size_t len = strlen(s);
	if (len == 5 && sscanf(s, "%2d:%2d%n", &h, &m, &n) == 2 && n == 5)
		;
	else if ((len == 7 || len == 8) && sscanf(s, "%d:%2d:%2d%n", &d, &h, &m, &n) == 3 &&
		 (size_t)n == len && d >= 1 && d <= UCCN_MAX_AGENDA_DAY)
		;
	else
		return false;
	if (!uccn_hhmm_valid(s + len - 5))
		return false;
	*day = d;
	*minute = h * 60 + m;
	return true;
}

bool uccn_audience_valid(const char *s)
{
	if (!s)
		return false;
	if (strcmp(s, "all") == 0)
		return true;
	if (strncmp(s, "city:", 5) == 0)
		return uccn_id_valid(s + 5);
	if (strncmp(s, "project:", 8) == 0)
		return uccn_id_valid(s + 8);
	if (strncmp(s, "field:", 6) == 0)
		return uccn_field_name_valid(s + 6);
	return false;
}
bool uccn_city_role_valid(const char *s) { return uccn_in_list(s, uccn_city_roles); }

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool uccn_date_valid(const char *s)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2))
		return false;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap);
}

bool uccn_hhmm_valid(const char *s)
{
	return s && strlen(s) == 5 && s[2] == ':' && digits(s, 2) && digits(s + 3, 2) &&
	       atoi(s) < 24 && atoi(s + 3) < 60;
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool uccn_id_valid(const char *s)
{
	if (!s || !is_lower_alnum(s[0]))
		return false;
	size_t n = 0;
	for (; s[n]; n++)
		if (!is_lower_alnum(s[n]) && s[n] != '-')
			return false;
	return n <= UCCN_MAX_ID && s[n - 1] != '-';
}

bool uccn_field_name_valid(const char *s)
{
	if (!s || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	size_t n = 0;
	for (; s[n]; n++)
		if (!is_lower_alnum(s[n]) && s[n] != '_')
			return false;
	return n <= UCCN_MAX_FIELD;
}

bool uccn_tz_name_valid(const char *s)
{
	/* IANA names: letters, digits, '/', '_', '-', '+'; no "..", no leading '/'. */
	if (!s || !s[0] || s[0] == '/' || s[0] == '.' || strstr(s, ".."))
		return false;
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '/' || c == '_' ||
		      c == '-' || c == '+' || c == '.'))
			return false;
	}
	return n <= UCCN_MAX_TZ;
}

bool uccn_key_z85_valid(const char *s)
{
	static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n != UCCN_KEY_Z85_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr(z85, s[i]))
			return false;
	return true;
}

bool uccn_text_valid(const char *s, size_t len, size_t max, bool one_line)
{
	const unsigned char *p = (const unsigned char *)s;
	if (len > max)
		return false;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = uccn_utf8_next(p + i, len - i, &cp);
		if (n == 0 || cp == 0 || cp == 0x7f)
			return false;
		if (cp < 0x20 && (one_line || (cp != '\t' && cp != '\n' && cp != '\r')))
			return false;
		if (one_line && cp >= 0x80 && cp < 0xa0) /* C1 controls */
			return false;
		i += n;
	}
	return true;
}

/* ---- field tables ---- */

/* F_IDS: a struct uccn_idlist, each item one line of at most max bytes;
 * what an item must be follows from max (see ids_item_valid). */
enum ftype { F_STR, F_LINE, F_U32, F_U64, F_I64, F_KEY, F_COORD, F_BOOL, F_IDS };

struct field {
	const char *name;
	enum ftype type;
	size_t offset;
	uint64_t max;   /* bytes for strings, value for numbers */
};

static const struct field city_fields[] = {
	{"id", F_LINE, offsetof(struct uccn_city, id), UCCN_MAX_ID},
	{"name", F_LINE, offsetof(struct uccn_city, name), UCCN_MAX_NAME},
	{"country", F_LINE, offsetof(struct uccn_city, country), UCCN_MAX_COUNTRY},
	{"field", F_LINE, offsetof(struct uccn_city, field), UCCN_MAX_FIELD},
	{"role", F_LINE, offsetof(struct uccn_city, role), UCCN_MAX_ROLE},
	{"tz", F_LINE, offsetof(struct uccn_city, tz), UCCN_MAX_TZ},
	{"year", F_U32, offsetof(struct uccn_city, year), UCCN_MAX_YEAR},
	{"term_end", F_LINE, offsetof(struct uccn_city, term_end), UCCN_MAX_DATE},
	{"key", F_KEY, offsetof(struct uccn_city, key), UCCN_KEY_Z85_LEN},
	{"seq", F_U64, offsetof(struct uccn_city, seq), UINT64_MAX},
	{"version", F_U64, offsetof(struct uccn_city, version), UINT64_MAX},
	{"lat", F_COORD, offsetof(struct uccn_city, lat), UCCN_MAX_LAT},
	{"lon", F_COORD, offsetof(struct uccn_city, lon), UCCN_MAX_LON},
};

static const struct field project_fields[] = {
	{"id", F_LINE, offsetof(struct uccn_project, id), UCCN_MAX_ID},
	{"title", F_LINE, offsetof(struct uccn_project, title), UCCN_MAX_TITLE},
	{"lead", F_LINE, offsetof(struct uccn_project, lead), UCCN_MAX_ID},
	{"partners", F_IDS, offsetof(struct uccn_project, partners), UCCN_MAX_ID},
	{"fields", F_IDS, offsetof(struct uccn_project, fields), UCCN_MAX_FIELD},
	{"status", F_LINE, offsetof(struct uccn_project, status), UCCN_MAX_STATUS},
	{"start", F_LINE, offsetof(struct uccn_project, start), UCCN_MAX_DATE},
	{"end", F_LINE, offsetof(struct uccn_project, end), UCCN_MAX_DATE},
	{"description", F_STR, offsetof(struct uccn_project, description), UCCN_MAX_DESCRIPTION},
	{"seq", F_U64, offsetof(struct uccn_project, seq), UINT64_MAX},
	{"version", F_U64, offsetof(struct uccn_project, version), UINT64_MAX},
};

static const struct field meeting_fields[] = {
	{"id", F_LINE, offsetof(struct uccn_meeting, id), UCCN_MAX_ID},
	{"kind", F_LINE, offsetof(struct uccn_meeting, kind), UCCN_MAX_KIND},
	{"field", F_LINE, offsetof(struct uccn_meeting, field), UCCN_MAX_FIELD},
	{"hosts", F_IDS, offsetof(struct uccn_meeting, hosts), UCCN_MAX_ID},
	{"place", F_LINE, offsetof(struct uccn_meeting, place), UCCN_MAX_PLACE},
	{"start", F_LINE, offsetof(struct uccn_meeting, start), UCCN_MAX_DATE},
	{"end", F_LINE, offsetof(struct uccn_meeting, end), UCCN_MAX_DATE},
	{"tz", F_LINE, offsetof(struct uccn_meeting, tz), UCCN_MAX_TZ},
	{"day_start", F_LINE, offsetof(struct uccn_meeting, day_start), UCCN_MAX_HHMM},
	{"day_end", F_LINE, offsetof(struct uccn_meeting, day_end), UCCN_MAX_HHMM},
	{"hybrid", F_BOOL, offsetof(struct uccn_meeting, hybrid), 1},
	{"status", F_LINE, offsetof(struct uccn_meeting, status), UCCN_MAX_STATUS},
	{"seq", F_U64, offsetof(struct uccn_meeting, seq), UINT64_MAX},
	{"version", F_U64, offsetof(struct uccn_meeting, version), UINT64_MAX},
};

static const struct field entry_fields[] = {
	{"key", F_LINE, offsetof(struct uccn_agenda_entry, key), UCCN_MAX_ENTRY_KEY},
	{"title", F_LINE, offsetof(struct uccn_agenda_entry, title), UCCN_MAX_ENTRY_TITLE},
	{"day", F_U32, offsetof(struct uccn_agenda_entry, day), UCCN_MAX_AGENDA_DAY},
	{"start", F_U32, offsetof(struct uccn_agenda_entry, start), UCCN_MINUTES_PER_DAY},
	{"end", F_U32, offsetof(struct uccn_agenda_entry, end), UCCN_MINUTES_PER_DAY},
	{"deferred", F_BOOL, offsetof(struct uccn_agenda_entry, deferred), 1},
	{"reason", F_LINE, offsetof(struct uccn_agenda_entry, reason), UCCN_MAX_REASON},
};

static const struct field pub_fields[] = {
	{"meeting", F_LINE, offsetof(struct uccn_agenda_pub, meeting), UCCN_MAX_ID},
	{"version", F_U64, offsetof(struct uccn_agenda_pub, version), UINT64_MAX},
	{"published", F_I64, offsetof(struct uccn_agenda_pub, published_ms), INT64_MAX},
	{"by", F_LINE, offsetof(struct uccn_agenda_pub, by), UCCN_MAX_ID},
};

static const struct field post_fields[] = {
	{"seq", F_U64, offsetof(struct uccn_post, seq), UINT64_MAX},
	{"city", F_LINE, offsetof(struct uccn_post, city), UCCN_MAX_ID},
	{"kind", F_LINE, offsetof(struct uccn_post, kind), UCCN_MAX_KIND},
	{"project", F_LINE, offsetof(struct uccn_post, project), UCCN_MAX_ID},
	{"meeting", F_LINE, offsetof(struct uccn_post, meeting), UCCN_MAX_ID},
	{"title", F_LINE, offsetof(struct uccn_post, title), UCCN_MAX_TITLE},
	{"body", F_STR, offsetof(struct uccn_post, body), UCCN_MAX_BODY},
	{"minutes", F_U32, offsetof(struct uccn_post, minutes), UCCN_MAX_MINUTES},
	{"created", F_I64, offsetof(struct uccn_post, created_ms), INT64_MAX},
	{"key", F_LINE, offsetof(struct uccn_post, idem_key), UCCN_MAX_IDEM_KEY},
	{"to", F_IDS, offsetof(struct uccn_post, to), UCCN_MAX_AUDIENCE_SPEC},
	{"priority", F_LINE, offsetof(struct uccn_post, priority), UCCN_MAX_PRIORITY},
	{"remote", F_BOOL, offsetof(struct uccn_post, remote), 1},
	{"pin", F_LINE, offsetof(struct uccn_post, pin), UCCN_MAX_PIN},
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

static char **str_at(void *rec, const struct field *f)
{
	return (char **)((char *)rec + f->offset);
}

/* The rule an F_IDS item obeys, told by the field's limit. */
static bool ids_item_valid(const struct field *f, const char *item)
{
	switch (f->max) {
	case UCCN_MAX_FIELD: return uccn_field_name_valid(item);
	case UCCN_MAX_AUDIENCE_SPEC: return uccn_audience_valid(item);
	default: return uccn_id_valid(item);
	}
}

static struct uccn_idlist *ids_at(void *rec, const struct field *f)
{
	return (struct uccn_idlist *)((char *)rec + f->offset);
}

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

static bool owns_memory(enum ftype t)
{
	return t == F_STR || t == F_LINE || t == F_IDS;
}

static void clear_fields(void *rec, const struct field *fs, size_t n,
			 size_t size)
{
	for (size_t i = 0; i < n; i++) {
		if (fs[i].type == F_IDS)
			uccn_idlist_clear(ids_at(rec, &fs[i]));
		else if (owns_memory(fs[i].type))
			free(*str_at(rec, &fs[i]));
	}
	memset(rec, 0, size);
}

void uccn_project_clear(struct uccn_project *p)
{
	if (p)
		clear_fields(p, project_fields, NFIELDS(project_fields), sizeof *p);
}

void uccn_meeting_clear(struct uccn_meeting *m)
{
	if (m)
		clear_fields(m, meeting_fields, NFIELDS(meeting_fields), sizeof *m);
}

void uccn_city_clear(struct uccn_city *c)
{
	if (c)
		clear_fields(c, city_fields, NFIELDS(city_fields), sizeof *c);
}

void uccn_post_clear(struct uccn_post *p)
{
	if (p)
		clear_fields(p, post_fields, NFIELDS(post_fields), sizeof *p);
}

static int copy_fields(void *dst, const void *src, const struct field *fs,
		       size_t n, size_t size)
{
	memcpy(dst, src, size);
	for (size_t i = 0; i < n; i++) {
		if (fs[i].type == F_IDS)
			*ids_at(dst, &fs[i]) = (struct uccn_idlist){0};
		else if (owns_memory(fs[i].type))
			*str_at(dst, &fs[i]) = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (fs[i].type == F_IDS) {
			const struct uccn_idlist *from = ids_at((void *)src, &fs[i]);
			for (size_t k = 0; k < from->n; k++)
				if (uccn_idlist_add(ids_at(dst, &fs[i]), from->v[k]) == UCCN_E_NOMEM)
					goto nomem;
			continue;
		}
		if (!owns_memory(fs[i].type))
			continue;
		const char *s = *str_at((void *)src, &fs[i]);
		if (s && !(*str_at(dst, &fs[i]) = strdup(s)))
			goto nomem;
	}
	return 0;
nomem:
	clear_fields(dst, fs, n, size);
	return UCCN_E_NOMEM;
}

int uccn_project_copy(struct uccn_project *dst, const struct uccn_project *src)
{
	return copy_fields(dst, src, project_fields, NFIELDS(project_fields), sizeof *dst);
}

int uccn_meeting_copy(struct uccn_meeting *dst, const struct uccn_meeting *src)
{
	return copy_fields(dst, src, meeting_fields, NFIELDS(meeting_fields), sizeof *dst);
}

int uccn_city_copy(struct uccn_city *dst, const struct uccn_city *src)
{
	return copy_fields(dst, src, city_fields, NFIELDS(city_fields), sizeof *dst);
}

int uccn_post_copy(struct uccn_post *dst, const struct uccn_post *src)
{
	return copy_fields(dst, src, post_fields, NFIELDS(post_fields), sizeof *dst);
}

static bool field_present(const void *rec, const struct field *f)
{
	const char *base = rec;
	switch (f->type) {
	case F_STR:
	case F_LINE:
		return *(char *const *)(base + f->offset) != NULL;
	case F_KEY:
		return base[f->offset] != '\0';
	case F_U32:
		return *(const uint32_t *)(base + f->offset) != 0;
	case F_U64:
		return *(const uint64_t *)(base + f->offset) != 0;
	case F_I64:
		return *(const int64_t *)(base + f->offset) != 0;
	case F_COORD:
		return ((const struct uccn_coord *)(base + f->offset))->set;
	case F_BOOL:
		return *(const bool *)(base + f->offset);
	case F_IDS:
		return ((const struct uccn_idlist *)(base + f->offset))->n > 0;
	}
	return false;
}

static int pack_fields(msgpack_packer *pk, const void *rec,
		       const struct field *fs, size_t n)
{
	const char *base = rec;
	size_t present = 0;
	for (size_t i = 0; i < n; i++)
		present += field_present(rec, &fs[i]);
	if (msgpack_pack_map(pk, present))
		return UCCN_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &fs[i];
		int rc = 0;
		if (!field_present(rec, f))
			continue;
		switch (f->type) {
		case F_STR:
		case F_LINE:
			rc = mp_pack_kstr(pk, f->name, *(char *const *)(base + f->offset));
			break;
		case F_KEY:
			rc = mp_pack_kstr(pk, f->name, base + f->offset);
			break;
		case F_U32:
			rc = mp_pack_kuint(pk, f->name, *(const uint32_t *)(base + f->offset));
			break;
		case F_U64:
			rc = mp_pack_kuint(pk, f->name, *(const uint64_t *)(base + f->offset));
			break;
		case F_I64:
			rc = mp_pack_kint(pk, f->name, *(const int64_t *)(base + f->offset));
			break;
		case F_COORD:
			rc = mp_pack_str(pk, f->name) ||
			     msgpack_pack_double(pk, ((const struct uccn_coord *)(base + f->offset))->deg)
				     ? UCCN_E_NOMEM : 0;
			break;
		case F_BOOL:
			rc = mp_pack_kbool(pk, f->name, *(const bool *)(base + f->offset));
			break;
		case F_IDS: {
			const struct uccn_idlist *l = (const struct uccn_idlist *)(base + f->offset);
			rc = mp_pack_str(pk, f->name) || msgpack_pack_array(pk, l->n) ? UCCN_E_NOMEM : 0;
			for (size_t k = 0; k < l->n && !rc; k++)
				rc = mp_pack_str(pk, l->v[k]);
			break;
		}
		}
		if (rc)
			return rc;
	}
	return 0;
}

int uccn_project_pack(msgpack_packer *pk, const struct uccn_project *p)
{
	return pack_fields(pk, p, project_fields, NFIELDS(project_fields));
}

int uccn_meeting_pack(msgpack_packer *pk, const struct uccn_meeting *m)
{
	return pack_fields(pk, m, meeting_fields, NFIELDS(meeting_fields));
}

int uccn_city_pack(msgpack_packer *pk, const struct uccn_city *c)
{
	return pack_fields(pk, c, city_fields, NFIELDS(city_fields));
}

int uccn_post_pack(msgpack_packer *pk, const struct uccn_post *p)
{
	return pack_fields(pk, p, post_fields, NFIELDS(post_fields));
}

static int read_field(const msgpack_object *v, void *rec, const struct field *f,
		      char *err, size_t errlen)
{
	char *base = rec;
	uint64_t u = 0;
	int64_t i = 0;
	int rc;
	switch (f->type) {
	case F_STR:
	case F_LINE:
		return mp_read_str(v, f->name, f->max, f->type == F_LINE,
				   (char **)(base + f->offset), err, errlen);
	case F_KEY: {
		char *s = NULL;
		rc = mp_read_str(v, f->name, f->max, true, &s, err, errlen);
		if (rc)
			return rc;
		if (s && !uccn_key_z85_valid(s)) {
			free(s);
			return mp_fail(err, errlen, UCCN_E_INVALID,
				       "field '%s': not a Z85 public key of 40 characters",
				       f->name);
		}
		if (s)
			memcpy(base + f->offset, s, UCCN_KEY_Z85_LEN + 1);
		free(s);
		return 0;
	}
	case F_U32:
	case F_U64:
		rc = mp_read_uint(v, f->name, f->max, &u, err, errlen);
		if (rc)
			return rc;
		if (f->type == F_U32)
			*(uint32_t *)(base + f->offset) = (uint32_t)u;
		else
			*(uint64_t *)(base + f->offset) = u;
		return 0;
	case F_I64:
		rc = mp_read_int(v, f->name, 0, (int64_t)f->max, &i, err, errlen);
		if (rc)
			return rc;
		*(int64_t *)(base + f->offset) = i;
		return 0;
	case F_BOOL:
		return mp_read_bool(v, f->name, (bool *)(base + f->offset), err, errlen);
	case F_IDS: {
		struct uccn_idlist *l = (struct uccn_idlist *)(base + f->offset);
		if (v->type == MSGPACK_OBJECT_NIL)
			return 0;
		if (v->type != MSGPACK_OBJECT_ARRAY)
			return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s': not an array", f->name);
		if (v->via.array.size > UCCN_MAX_LIST)
			return mp_fail(err, errlen, UCCN_E_TOOBIG, "field '%s': more than %d items",
				       f->name, UCCN_MAX_LIST);
		for (uint32_t k = 0; k < v->via.array.size; k++) {
			char *item = NULL;
			rc = mp_read_str(&v->via.array.ptr[k], f->name, f->max, true, &item, err, errlen);
			if (rc)
				return rc;
			if (!item)
				return mp_fail(err, errlen, UCCN_E_INVALID, "field '%s': nil item", f->name);
			bool ok = ids_item_valid(f, item);
			rc = ok ? uccn_idlist_add(l, item) : UCCN_E_INVALID;
			if (rc == UCCN_E_EXISTS || rc == UCCN_E_INVALID)
				mp_fail(err, errlen, UCCN_E_INVALID, rc == UCCN_E_EXISTS ?
					"field '%s': '%s' appears twice" : "field '%s': '%s' is not a valid name",
					f->name, item);
			free(item);
			if (rc)
				return rc == UCCN_E_EXISTS ? UCCN_E_INVALID : rc;
		}
		return 0;
	}
	case F_COORD: {
		struct uccn_coord *c = (struct uccn_coord *)(base + f->offset);
		double d;
		if (v->type == MSGPACK_OBJECT_NIL)
			return 0;
		if (v->type == MSGPACK_OBJECT_FLOAT64 || v->type == MSGPACK_OBJECT_FLOAT32)
			d = v->via.f64;
		else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			d = (double)v->via.u64;
		else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
			d = (double)v->via.i64;
		else
			return mp_fail(err, errlen, UCCN_E_INVALID,
				       "field '%s': not a number", f->name);
		/* NaN fails both comparisons. */
		if (!(d >= -(double)f->max && d <= (double)f->max))
			return mp_fail(err, errlen, UCCN_E_INVALID,
				       "field '%s': not between -%llu and %llu degrees",
				       f->name, (unsigned long long)f->max,
				       (unsigned long long)f->max);
		c->set = true;
		c->deg = d;
		return 0;
	}
	}
	return UCCN_E_INTERNAL;
}

static int from_object(const msgpack_object *o, void *rec, const struct field *fs,
		       size_t n, size_t size, const char *what, char *err,
		       size_t errlen)
{
	int rc = mp_check_map(o, what, err, errlen);
	if (rc)
		return rc;
	for (uint32_t k = 0; k < o->via.map.size; k++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[k];
		for (size_t i = 0; i < n; i++) {
			if (!mp_key_is(&kv->key, fs[i].name))
				continue;
			rc = read_field(&kv->val, rec, &fs[i], err, errlen);
			if (rc) {
				clear_fields(rec, fs, n, size);
				return rc;
			}
			break;
		}
	}
	return 0;
}

int uccn_project_from_object(const msgpack_object *o, struct uccn_project *out,
			     char *err, size_t errlen)
{
	return from_object(o, out, project_fields, NFIELDS(project_fields), sizeof *out,
			   "project", err, errlen);
}

int uccn_meeting_from_object(const msgpack_object *o, struct uccn_meeting *out,
			     char *err, size_t errlen)
{
	return from_object(o, out, meeting_fields, NFIELDS(meeting_fields), sizeof *out,
			   "meeting", err, errlen);
}

int uccn_city_from_object(const msgpack_object *o, struct uccn_city *out,
			  char *err, size_t errlen)
{
	return from_object(o, out, city_fields, NFIELDS(city_fields), sizeof *out,
			   "city", err, errlen);
}

int uccn_post_from_object(const msgpack_object *o, struct uccn_post *out,
			  char *err, size_t errlen)
{
	return from_object(o, out, post_fields, NFIELDS(post_fields), sizeof *out,
			   "post", err, errlen);
}

/* ---- whole-record rules ---- */

int uccn_city_check(const struct uccn_city *c, char *err, size_t errlen)
{
	if (!uccn_id_valid(c->id))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "city id '%s': use 1 to %d of a-z, 0-9 and '-', starting with a letter or digit",
			       c->id ? c->id : "", UCCN_MAX_ID);
	if (!c->name || !c->name[0])
		return mp_fail(err, errlen, UCCN_E_INVALID, "city '%s': a name is required", c->id);
	if (strlen(c->name) > UCCN_MAX_NAME)
		return mp_fail(err, errlen, UCCN_E_TOOBIG,
			       "city '%s': the name is longer than %d bytes", c->id, UCCN_MAX_NAME);
	if (!uccn_text_valid(c->name, strlen(c->name), UCCN_MAX_NAME, true))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "city '%s': the name is not one line of valid UTF-8", c->id);
	if (c->country && (strlen(c->country) > UCCN_MAX_COUNTRY ||
			   !uccn_text_valid(c->country, strlen(c->country), UCCN_MAX_COUNTRY, true)))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "city '%s': the country is not one line of at most %d bytes of UTF-8",
			       c->id, UCCN_MAX_COUNTRY);
	if (!uccn_field_name_valid(c->field))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "city '%s': field '%s' is not a field name (a-z, 0-9, '_')",
			       c->id, c->field ? c->field : "");
	if (!uccn_city_role_valid(c->role))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "city '%s': role '%s' is not member, coordinator, deputy or secretariat",
			       c->id, c->role ? c->role : "");
	if (c->tz && !uccn_tz_name_valid(c->tz))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "city '%s': '%s' is not a time zone name", c->id, c->tz);
	if (c->year != 0 && (c->year < UCCN_MIN_YEAR || c->year > UCCN_MAX_YEAR))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "city '%s': year %u is not between %d and %d",
			       c->id, c->year, UCCN_MIN_YEAR, UCCN_MAX_YEAR);
	if (c->term_end && !uccn_date_valid(c->term_end))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "city '%s': term_end '%s' is not a date YYYY-MM-DD", c->id, c->term_end);
	if (c->key[0] && !uccn_key_z85_valid(c->key))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "city '%s': the key is not a Z85 public key", c->id);
	return 0;
}

int uccn_post_check(const struct uccn_post *p, char *err, size_t errlen)
{
	if (!uccn_post_kind_valid(p->kind))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "kind '%s' is not one of update, news, proposal, agenda-item, good-practice, report, message",
			       p->kind ? p->kind : "");
	if (p->project && !uccn_id_valid(p->project))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "project '%s' is not a valid id", p->project);
	if (p->meeting && !uccn_id_valid(p->meeting))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "meeting '%s' is not a valid id", p->meeting);
	if (!p->body || !p->body[0])
		return mp_fail(err, errlen, UCCN_E_INVALID, "the body is empty");
	if (strlen(p->body) > UCCN_MAX_BODY)
		return mp_fail(err, errlen, UCCN_E_TOOBIG,
			       "the body is longer than %d bytes", UCCN_MAX_BODY);
	if (!uccn_text_valid(p->body, strlen(p->body), UCCN_MAX_BODY, false))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "the body is not valid UTF-8 text");
	if (p->title && strlen(p->title) > UCCN_MAX_TITLE)
		return mp_fail(err, errlen, UCCN_E_TOOBIG,
			       "the title is longer than %d bytes", UCCN_MAX_TITLE);
	if (p->title && !uccn_text_valid(p->title, strlen(p->title), UCCN_MAX_TITLE, true))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "the title is not one line of valid UTF-8");
	if (p->idem_key && strlen(p->idem_key) > UCCN_MAX_IDEM_KEY)
		return mp_fail(err, errlen, UCCN_E_TOOBIG,
			       "the idempotency key is longer than %d bytes", UCCN_MAX_IDEM_KEY);
	if (p->minutes > UCCN_MAX_MINUTES)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "minutes must be at most %d", UCCN_MAX_MINUTES);
	if (p->minutes && strcmp(p->kind, "agenda-item") != 0 && strcmp(p->kind, "proposal") != 0)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "minutes are only for agenda items and proposals");
	if (p->priority && strcmp(p->priority, "high") && strcmp(p->priority, "normal") &&
	    strcmp(p->priority, "low"))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "priority '%s' is not high, normal or low", p->priority);
	int pin_day, pin_min;
	if (p->pin && !uccn_pin_parse(p->pin, &pin_day, &pin_min))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "pin '%s' is not HH:MM or DAY:HH:MM", p->pin);
	if ((p->priority || p->remote || p->pin) && strcmp(p->kind, "agenda-item") != 0 &&
	    strcmp(p->kind, "proposal") != 0)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "priority, remote and pin are for agenda items and proposals");
	if (p->to.n > UCCN_MAX_AUDIENCE)
		return mp_fail(err, errlen, UCCN_E_TOOBIG, "a post goes to at most %d audiences",
			       UCCN_MAX_AUDIENCE);
	for (size_t i = 0; i < p->to.n; i++)
		if (!uccn_audience_valid(p->to.v[i]))
			return mp_fail(err, errlen, UCCN_E_INVALID,
				       "audience '%s' is not city:ID, project:ID, field:NAME or all",
				       p->to.v[i]);
	if (strcmp(p->kind, "message") == 0 && p->to.n == 0)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "a message needs an audience: --to city:ID, project:ID, field:NAME or all");
	if (p->idem_key && !p->idem_key[0])
		return mp_fail(err, errlen, UCCN_E_INVALID, "the idempotency key is empty");
	return 0;
}

void uccn_agenda_pub_clear(struct uccn_agenda_pub *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nentries; i++)
		clear_fields(&a->entries[i], entry_fields, NFIELDS(entry_fields), sizeof a->entries[i]);
	free(a->entries);
	clear_fields(a, pub_fields, NFIELDS(pub_fields), sizeof *a);
}

int uccn_agenda_pub_pack(msgpack_packer *pk, const struct uccn_agenda_pub *a)
{
	/* The scalar fields, then "entries": packed by hand around the table. */
	size_t present = 1;
	for (size_t i = 0; i < NFIELDS(pub_fields); i++)
		present += field_present(a, &pub_fields[i]);
	if (msgpack_pack_map(pk, present))
		return UCCN_E_NOMEM;
	for (size_t i = 0; i < NFIELDS(pub_fields); i++) {
		const struct field *f = &pub_fields[i];
		const char *base = (const char *)a;
		int rc = 0;
		if (!field_present(a, f))
			continue;
		if (f->type == F_LINE)
			rc = mp_pack_kstr(pk, f->name, *(char *const *)(base + f->offset));
		else if (f->type == F_U64)
			rc = mp_pack_kuint(pk, f->name, *(const uint64_t *)(base + f->offset));
		else
			rc = mp_pack_kint(pk, f->name, *(const int64_t *)(base + f->offset));
		if (rc)
			return rc;
	}
	if (mp_pack_str(pk, "entries") || msgpack_pack_array(pk, a->nentries))
		return UCCN_E_NOMEM;
	for (size_t i = 0; i < a->nentries; i++) {
		int rc = pack_fields(pk, &a->entries[i], entry_fields, NFIELDS(entry_fields));
		if (rc)
			return rc;
	}
	return 0;
}

int uccn_agenda_pub_from_object(const msgpack_object *o, struct uccn_agenda_pub *out,
				char *err, size_t errlen)
{
	int rc = from_object(o, out, pub_fields, NFIELDS(pub_fields), sizeof *out, "agenda",
			     err, errlen);
	if (rc)
		return rc;
	const msgpack_object *v = NULL;
	for (uint32_t k = 0; k < o->via.map.size; k++)
		if (mp_key_is(&o->via.map.ptr[k].key, "entries"))
			v = &o->via.map.ptr[k].val;
	if (!v || v->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (v->type != MSGPACK_OBJECT_ARRAY) {
		uccn_agenda_pub_clear(out);
		return mp_fail(err, errlen, UCCN_E_INVALID, "field 'entries': not an array");
	}
	if (v->via.array.size > UCCN_MAX_AGENDA_ENTRIES) {
		uccn_agenda_pub_clear(out);
		return mp_fail(err, errlen, UCCN_E_TOOBIG, "more than %d agenda entries",
			       UCCN_MAX_AGENDA_ENTRIES);
	}
	if (v->via.array.size && !(out->entries = calloc(v->via.array.size, sizeof *out->entries))) {
		uccn_agenda_pub_clear(out);
		return mp_fail(err, errlen, UCCN_E_NOMEM, "out of memory");
	}
	for (uint32_t k = 0; k < v->via.array.size; k++) {
		struct uccn_agenda_entry *e = &out->entries[k];
		rc = from_object(&v->via.array.ptr[k], e, entry_fields, NFIELDS(entry_fields),
				 sizeof *e, "agenda entry", err, errlen);
		if (!rc)
			out->nentries++; /* owned from here on */
		if (!rc && (!e->key || !e->title))
			rc = mp_fail(err, errlen, UCCN_E_INVALID, "an agenda entry needs a key and a title");
		if (rc) {
			uccn_agenda_pub_clear(out);
			return rc;
		}
	}
	return 0;
}

/* Optional dates are real dates, and an end is not before its start. */
static int check_dates(const char *what, const char *id, const char *start,
		       const char *end, bool required, char *err, size_t errlen)
{
	if (required && (!start || !end))
		return mp_fail(err, errlen, UCCN_E_INVALID, "%s '%s': start and end dates are required",
			       what, id);
	if (start && !uccn_date_valid(start))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "%s '%s': start '%s' is not a date (YYYY-MM-DD)", what, id, start);
	if (end && !uccn_date_valid(end))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "%s '%s': end '%s' is not a date (YYYY-MM-DD)", what, id, end);
	if (start && end && strcmp(end, start) < 0)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "%s '%s': it ends (%s) before it starts (%s)", what, id, end, start);
	return 0;
}

/* A record's list obeys what its msgpack form does (see read_field): at
 * most UCCN_MAX_LIST items, each an id (or a field name), none twice. So
 * the store never writes a record it could not read back. */
static int check_list(const char *what, const char *id, const char *name,
		      const struct uccn_idlist *l, bool field_names, char *err,
		      size_t errlen)
{
	if (l->n > UCCN_MAX_LIST)
		return mp_fail(err, errlen, UCCN_E_TOOBIG, "%s '%s': more than %d %s",
			       what, id, UCCN_MAX_LIST, name);
	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->v[i];
		if (!(field_names ? uccn_field_name_valid(s) : uccn_id_valid(s)))
			return mp_fail(err, errlen, UCCN_E_INVALID, "%s '%s': %s: '%s' is not a valid name",
				       what, id, name, s ? s : "");
		for (size_t k = 0; k < i; k++)
			if (strcmp(l->v[k], s) == 0)
				return mp_fail(err, errlen, UCCN_E_INVALID, "%s '%s': %s: '%s' appears twice",
					       what, id, name, s);
	}
	return 0;
}

/* An optional one-line string of at most max bytes. */
static int check_line(const char *what, const char *id, const char *name,
		      const char *s, size_t max, char *err, size_t errlen)
{
	if (s && strlen(s) > max)
		return mp_fail(err, errlen, UCCN_E_TOOBIG, "%s '%s': the %s is longer than %zu bytes",
			       what, id, name, max);
	if (s && !uccn_text_valid(s, strlen(s), max, true))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "%s '%s': the %s is not one line of valid UTF-8", what, id, name);
	return 0;
}

int uccn_project_check(const struct uccn_project *p, char *err, size_t errlen)
{
	int rc;
	if (!uccn_id_valid(p->id))
		return mp_fail(err, errlen, UCCN_E_INVALID, "project id '%s': use a-z, 0-9 and '-'",
			       p->id ? p->id : "");
	if (!p->title || !p->title[0])
		return mp_fail(err, errlen, UCCN_E_INVALID, "project '%s': a title is required", p->id);
	if ((rc = check_line("project", p->id, "title", p->title, UCCN_MAX_TITLE, err, errlen)))
		return rc;
	if (!uccn_id_valid(p->lead))
		return mp_fail(err, errlen, UCCN_E_INVALID, "project '%s': a lead city is required", p->id);
	if ((rc = check_list("project", p->id, "partners", &p->partners, false, err, errlen)) ||
	    (rc = check_list("project", p->id, "fields", &p->fields, true, err, errlen)))
		return rc;
	if (uccn_idlist_has(&p->partners, p->lead))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "project '%s': the lead '%s' is not also a partner", p->id, p->lead);
	if (p->status && !uccn_in_list(p->status, uccn_project_statuses))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "project '%s': status '%s' is not proposed, active, completed or cancelled",
			       p->id, p->status ? p->status : "");
	if (p->description && !uccn_text_valid(p->description, strlen(p->description),
					       UCCN_MAX_DESCRIPTION, false))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "project '%s': the description is not text of at most %d bytes",
			       p->id, UCCN_MAX_DESCRIPTION);
	return check_dates("project", p->id, p->start, p->end, false, err, errlen);
}

int uccn_meeting_check(const struct uccn_meeting *m, char *err, size_t errlen)
{
	if (!uccn_id_valid(m->id))
		return mp_fail(err, errlen, UCCN_E_INVALID, "meeting id '%s': use a-z, 0-9 and '-'",
			       m->id ? m->id : "");
	if (!uccn_in_list(m->kind, uccn_meeting_kinds))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "meeting '%s': kind '%s' is not annual-meeting, conference or working-group",
			       m->id, m->kind ? m->kind : "");
	if (m->field && !uccn_field_name_valid(m->field))
		return mp_fail(err, errlen, UCCN_E_INVALID, "meeting '%s': '%s' is not a field name",
			       m->id, m->field);
	if (!m->field && strcmp(m->kind, "annual-meeting") == 0)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "meeting '%s': an annual meeting is of one field's subnetwork: give its field",
			       m->id);
	if (m->hosts.n == 0)
		return mp_fail(err, errlen, UCCN_E_INVALID, "meeting '%s': at least one host city", m->id);
	int rc = check_list("meeting", m->id, "hosts", &m->hosts, false, err, errlen);
	if (!rc)
		rc = check_line("meeting", m->id, "place", m->place, UCCN_MAX_PLACE, err, errlen);
	if (rc)
		return rc;
	if (!m->tz || !uccn_tz_name_valid(m->tz))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "meeting '%s': a time zone (IANA name) is required", m->id);
	if (m->day_start && !uccn_hhmm_valid(m->day_start))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "meeting '%s': day start '%s' is not a time from 00:00 to 23:59",
			       m->id, m->day_start);
	if (m->day_end && !uccn_hhmm_valid(m->day_end))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "meeting '%s': day end '%s' is not a time from 00:00 to 23:59",
			       m->id, m->day_end);
	const char *ds = m->day_start ? m->day_start : UCCN_DEFAULT_DAY_START;
	const char *de = m->day_end ? m->day_end : UCCN_DEFAULT_DAY_END;
	if (strcmp(de, ds) <= 0)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "meeting '%s': the day ends (%s) before it starts (%s)", m->id, de, ds);
	if (m->status && !uccn_in_list(m->status, uccn_meeting_statuses))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "meeting '%s': status '%s' is not planned, agenda-draft, agenda-published, held or closed",
			       m->id, m->status);
	return check_dates("meeting", m->id, m->start, m->end, true, err, errlen);
}

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
