/*
 * rules.c - what a valid value and a valid record are: the names a field
 * may take, the syntax of ids, dates, times, keys and text, and the rules
 * of whole records. Pure functions, shared by the decoder, the store and
 * the CLI.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		uint32_t cp = p[i];
		size_t n = 1;
		/* Most text is printable ASCII: one compare a byte, and only the
		 * rest goes through the decoder, which would otherwise cost a
		 * call for every byte of every post read, written or listed. */
		if (cp >= 0x20 && cp < 0x7f) {
			i++;
			continue;
		}
		if (cp >= 0x80 && (n = uccn_utf8_next(p + i, len - i, &cp)) == 0)
			return false;
		if (cp == 0 || cp == 0x7f)
			return false;
		if (cp < 0x20 && (one_line || (cp != '\t' && cp != '\n' && cp != '\r')))
			return false;
		/* C1 controls, in text as in a line (SPEC section 3): a terminal
		 * reads U+009B as CSI, so a stored body could drive it. */
		if (cp >= 0x80 && cp < 0xa0)
			return false;
		i += n;
	}
	return true;
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
	/* One coordinate alone places nothing: SPEC 5.1, both or neither. */
	if (c->lat.set != c->lon.set)
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "city '%s': %s without %s; give both coordinates or neither",
			       c->id, c->lat.set ? "lat" : "lon", c->lat.set ? "lon" : "lat");
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
	if (m->max_session &&
	    (m->max_session < UCCN_MIN_SESSION || m->max_session > UCCN_MAX_SESSION ||
	     m->max_session % UCCN_SESSION_GRID != 0))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "meeting '%s': max_session %u is not %d to %d minutes in steps of %d",
			       m->id, m->max_session, UCCN_MIN_SESSION, UCCN_MAX_SESSION,
			       UCCN_SESSION_GRID);
	if (m->status && !uccn_in_list(m->status, uccn_meeting_statuses))
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "meeting '%s': status '%s' is not planned, agenda-draft, agenda-published, held or closed",
			       m->id, m->status);
	return check_dates("meeting", m->id, m->start, m->end, true, err, errlen);
}
