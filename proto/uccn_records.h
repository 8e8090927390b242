/*
 * uccn_records.h - the network's records (cities, posts) as C structs, the
 * rules a valid record obeys, and their msgpack form. The same form is used
 * on the wire (proto/SPEC.md, "Records") and in the store.
 *
 * Ownership, here and in uccn_msg.h's requests and replies: every `char *`
 * in a record is owned by that record (malloc'd, NUL-terminated; an absent
 * optional string is NULL), and uccn_*_clear() frees it and zeroes the
 * struct. So whoever fills a record sets each string through the copying
 * setter uccn_str_set() (a list's items through uccn_idlist_add()), never by
 * pointing at argv, a literal or another record's string, and clears the
 * record on every path. A `const char *` is borrowed.
 */
#ifndef UCCN_RECORDS_H
#define UCCN_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "uccn_limits.h"

/* A coordinate in degrees; set is false when unknown. */
struct uccn_coord {
	bool set;
	double deg;
};

struct uccn_city {
	char *id;       /* slug: [a-z0-9][a-z0-9-]*, at most UCCN_MAX_ID */
	char *name;     /* display name, UTF-8, one line */
	char *country;  /* optional */
	char *field;    /* creative field: [a-z][a-z0-9_]* */
	char *role;     /* "member", "coordinator", "deputy" or "secretariat";
			 * a coordinator or deputy serves its field */
	char *tz;       /* optional IANA zone name */
	uint32_t year;  /* year designated, 0 when unknown */
	char *term_end; /* optional YYYY-MM-DD: the end of a coordinator's or
			 * deputy's term (an agenda holds the election) */
	char key[UCCN_KEY_Z85_LEN + 1]; /* CURVE public key, Z85; "" if none */
	struct uccn_coord lat;  /* latitude, -90..90, for a map */
	struct uccn_coord lon;  /* longitude, -180..180 */
	uint64_t seq;   /* change-log sequence of the last change (set by the store) */
	uint64_t version; /* 1 on creation, +1 on every change (set by the store) */
};

/* A list of ids or field names; each string owned, no duplicates. */
struct uccn_idlist {
	char **v;
	size_t n;       /* at most UCCN_MAX_LIST */
};

struct uccn_project {
	char *id;
	char *title;                  /* one line, required */
	char *lead;                   /* the leading city's id */
	struct uccn_idlist partners;  /* partner cities, not the lead */
	struct uccn_idlist fields;    /* creative fields */
	char *status;                 /* see uccn_project_statuses */
	char *start;                  /* optional YYYY-MM-DD */
	char *end;                    /* optional YYYY-MM-DD, not before start */
	char *description;            /* optional text */
	uint64_t seq;
	uint64_t version;
};

struct uccn_meeting {
	char *id;
	char *kind;                   /* see uccn_meeting_kinds */
	char *field;                  /* required for an annual-meeting */
	struct uccn_idlist hosts;     /* host cities, at least one */
	char *place;                  /* optional, one line */
	char *start;                  /* YYYY-MM-DD */
	char *end;                    /* YYYY-MM-DD, not before start */
	char *tz;                     /* IANA zone of the meeting */
	char *day_start;              /* HH:MM, default 09:00 */
	char *day_end;                /* HH:MM, default 17:30, after day_start */
	bool hybrid;
	char *status;                 /* see uccn_meeting_statuses */
	uint64_t seq;
	uint64_t version;
	uint32_t max_session;         /* longest session between breaks, minutes:
				       * UCCN_MIN_SESSION..UCCN_MAX_SESSION on the
				       * UCCN_SESSION_GRID; 0 when absent, which
				       * means UCCN_DEFAULT_SESSION */
};

/* One line of a published agenda: a placed slot, or a deferred item. */
struct uccn_agenda_entry {
	char *key;        /* the item's stable key ("post:123", "opening") */
	char *title;
	uint32_t day;     /* from 1 */
	uint32_t start;   /* minutes, meeting-local */
	uint32_t end;
	bool deferred;    /* then day/start/end are 0 */
	char *reason;     /* why it was deferred */
	uint32_t deferrals; /* a deferred entry: how many published agendas
			     * deferred its item, this one included (the next
			     * meeting weighs it by that); 0 when unknown */
};

/* A published version of a meeting's agenda. */
struct uccn_agenda_pub {
	char *meeting;
	uint64_t version;      /* 1, 2, ... per meeting, set by the store */
	int64_t published_ms;  /* set by the store */
	char *by;              /* the publishing city, set by the server */
	struct uccn_agenda_entry *entries;
	size_t nentries;       /* at most UCCN_MAX_AGENDA_ENTRIES */
};

struct uccn_post {
	uint64_t seq;       /* global sequence number, set by the store */
	char *city;         /* author: always the city whose key connected */
	char *kind;         /* see uccn_post_kind_valid() */
	char *project;      /* optional reference */
	char *meeting;      /* optional reference */
	char *title;        /* optional, one line */
	char *body;         /* required, may be multi-line */
	uint32_t minutes;   /* requested minutes (agenda items), 0 when none */
	int64_t created_ms; /* commit time, milliseconds since 1970 UTC */
	char *idem_key;     /* optional client idempotency key */
	char *priority;     /* agenda items: "high", "normal" (NULL means it)
			     * or "low" */
	bool remote;        /* agenda items: the presenter joins on-line */
	char *pin;          /* agenda items: "HH:MM" or "DAY:HH:MM" (DAY from 1) */
	struct uccn_idlist to; /* audience: "city:ID", "project:ID",
				* "field:NAME" or "all"; at most
				* UCCN_MAX_AUDIENCE. A "message" is seen
				* only by its audience and its author. */
};

/* Post kinds, in the order help text lists them. NULL-terminated. */
extern const char *const uccn_post_kinds[];
/* The id of the account uccnd makes on its first start for the network's
 * coordinator (role "coordinator"): the system's, no member city. */
#define UCCN_SYSTEM_CITY_ID "coordinator"
/* City roles. NULL-terminated. */
extern const char *const uccn_city_roles[];
/* The creative fields a new store starts with (UNESCO added architecture
 * in 2025). Fields are data: the coordinator adds more. NULL-terminated. */
extern const char *const uccn_default_fields[];

extern const char *const uccn_project_statuses[]; /* proposed, active, ... */
extern const char *const uccn_meeting_kinds[];    /* annual-meeting, ... */
extern const char *const uccn_meeting_statuses[]; /* planned, ... */
#define UCCN_DEFAULT_DAY_START "09:00"
#define UCCN_DEFAULT_DAY_END "17:30"

/* Validity checks: true when s obeys the rule. NULL is never valid. */
bool uccn_date_valid(const char *s);      /* a real calendar date YYYY-MM-DD */
bool uccn_hhmm_valid(const char *s);      /* 00:00 .. 23:59 */
bool uccn_in_list(const char *s, const char *const *list);
bool uccn_id_valid(const char *s);        /* city, project or meeting id */
bool uccn_field_name_valid(const char *s);
bool uccn_post_kind_valid(const char *s);
bool uccn_city_role_valid(const char *s);
bool uccn_tz_name_valid(const char *s);   /* syntax only, not the zone db */
bool uccn_key_z85_valid(const char *s);   /* 40 chars of the Z85 alphabet */
bool uccn_audience_valid(const char *s);  /* all, city:ID, project:ID, field:NAME */
/* "HH:MM" or "DAY:HH:MM"; *day is 0 when no day was given, else 1..99. */
bool uccn_pin_parse(const char *s, int *day, int *minute);
/* Valid UTF-8 of at most max bytes without NUL; one_line also refuses
 * control characters, otherwise only TAB, LF and CR are allowed. */
bool uccn_text_valid(const char *s, size_t len, size_t max, bool one_line);

/*
 * Check a whole record. On failure writes a precise reason ("field 'title':
 * longer than 200 bytes") to err (errlen bytes, may be 0) and returns
 * UCCN_E_INVALID or UCCN_E_TOOBIG.
 */
int uccn_city_check(const struct uccn_city *c, char *err, size_t errlen);
/* Checks what a client sends; city and seq are the server's to set. */
int uccn_post_check(const struct uccn_post *p, char *err, size_t errlen);

int uccn_project_check(const struct uccn_project *p, char *err, size_t errlen);
int uccn_meeting_check(const struct uccn_meeting *m, char *err, size_t errlen);

/* Set the owned string *dst to a copy of src (NULL for none), freeing the
 * old one; src may point into *dst. Returns 0, or UCCN_E_NOMEM with *dst
 * unchanged. */
int uccn_str_set(char **dst, const char *src);
/* s without the blanks (spaces, tabs, a CR) at its ends: the end is cut in
 * place, the start skipped. */
char *uccn_str_trim(char *s);

/* True when l holds s. */
bool uccn_idlist_has(const struct uccn_idlist *l, const char *s);
/* Append a copy of s: 0, UCCN_E_EXISTS (already there), UCCN_E_TOOBIG
 * (UCCN_MAX_LIST reached) or UCCN_E_NOMEM. */
int uccn_idlist_add(struct uccn_idlist *l, const char *s);
/* Free every item and empty the list. */
void uccn_idlist_clear(struct uccn_idlist *l);
/* Remove s: 0 or UCCN_E_NOTFOUND. */
int uccn_idlist_remove(struct uccn_idlist *l, const char *s);

void uccn_project_clear(struct uccn_project *p);
void uccn_meeting_clear(struct uccn_meeting *m);
int uccn_project_copy(struct uccn_project *dst, const struct uccn_project *src);
int uccn_meeting_copy(struct uccn_meeting *dst, const struct uccn_meeting *src);
int uccn_project_pack(msgpack_packer *pk, const struct uccn_project *p);
int uccn_meeting_pack(msgpack_packer *pk, const struct uccn_meeting *m);
int uccn_project_from_object(const msgpack_object *o, struct uccn_project *out,
			     char *err, size_t errlen);
int uccn_meeting_from_object(const msgpack_object *o, struct uccn_meeting *out,
			     char *err, size_t errlen);

void uccn_agenda_pub_clear(struct uccn_agenda_pub *a);
int uccn_agenda_pub_pack(msgpack_packer *pk, const struct uccn_agenda_pub *a);
int uccn_agenda_pub_from_object(const msgpack_object *o, struct uccn_agenda_pub *out,
				char *err, size_t errlen);

void uccn_city_clear(struct uccn_city *c);
void uccn_post_clear(struct uccn_post *p);
/* Deep copies; dst must be clear. Return 0 or UCCN_E_NOMEM. */
int uccn_city_copy(struct uccn_city *dst, const struct uccn_city *src);
int uccn_post_copy(struct uccn_post *dst, const struct uccn_post *src);

/* msgpack form: a map with the keys of proto/SPEC.md. Return 0 or
 * UCCN_E_NOMEM. Absent optional fields are left out of the map. */
int uccn_city_pack(msgpack_packer *pk, const struct uccn_city *c);
int uccn_post_pack(msgpack_packer *pk, const struct uccn_post *p);

/*
 * From a decoded msgpack object to a record; out must be clear. Checks types
 * and the limits of every field but not the record's rules (call *_check).
 * Unknown keys are ignored. Returns 0, UCCN_E_INVALID, UCCN_E_TOOBIG or
 * UCCN_E_NOMEM with a reason in err. On failure out is left clear.
 */
int uccn_city_from_object(const msgpack_object *o, struct uccn_city *out,
			  char *err, size_t errlen);
int uccn_post_from_object(const msgpack_object *o, struct uccn_post *out,
			  char *err, size_t errlen);

/*
 * The id slug of a display name: ASCII lower case, Latin letters with
 * diacritics folded to their base letters (Kraków -> krakow, Łódź -> lodz,
 * Şanlıurfa -> sanliurfa), apostrophes dropped, every other run of
 * non-alphanumerics one '-', none at either end. Returns 0, UCCN_E_INVALID
 * when name is not valid UTF-8 or nothing is left (a name in a script it
 * cannot fold), or
 * UCCN_E_TOOBIG when the slug would exceed UCCN_MAX_ID or outlen - 1.
 */
int uccn_slug(const char *name, char *out, size_t outlen);

/* Format ms since the epoch as RFC 3339 UTC, "2025-11-25T11:06:06.123Z".
 * buf must hold at least 32 bytes. */
void uccn_time_format(int64_t ms, char *buf, size_t len);

#endif
