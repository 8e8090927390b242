/*
 * uccn_agenda_render.h - an agenda as text: Markdown, HTML, iCalendar
 * (RFC 5545) or JSON. Pure: the caller supplies everything that needs the
 * zone database or the clock (offsets, the VTIMEZONE text, DTSTAMP), so the
 * same input renders to the same bytes.
 */
#ifndef UCCN_AGENDA_RENDER_H
#define UCCN_AGENDA_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "uccn_agenda.h"

enum uccn_agenda_format {
	UCCN_AGENDA_MD,
	UCCN_AGENDA_HTML,
	UCCN_AGENDA_ICS,
	UCCN_AGENDA_JSON,
};

/* The format for a name ("md", "html", "ics", "json"); -1 when unknown. */
int uccn_agenda_format_from_name(const char *name);

struct uccn_agenda_meeting {
	const char *id;            /* meeting id: the heart of every UID */
	const char *title;         /* e.g. "Cities of Literature annual meeting 2026" */
	const char *place;         /* may be NULL */
	const char *tz;            /* the meeting's IANA zone, e.g. "Europe/London" */
	int year, month, mday;     /* the first day, in the meeting's zone */
	/* The meeting's local time minus UTC, in minutes, on each day (the
	 * caller reads it from the zone database). */
	int utc_offset[UCCN_AGENDA_MAX_DAYS];
	uint64_t version;          /* the published version; 0 for a draft */
	int64_t dtstamp;           /* seconds since 1970 UTC: ICS DTSTAMP only */
	/* A whole VTIMEZONE component for tz, CRLF-terminated lines, from the
	 * caller; NULL: the ICS gives every time in UTC instead of TZID. */
	const char *vtimezone;
};

/*
 * Render agenda a (built from in) of meeting m as fmt into a malloc'd,
 * NUL-terminated *out of *len bytes. Slots show meeting-local times
 * labelled with the zone; a presenter's or participant's own time always
 * carries its date ("08:20 (+1 day)", "Tue 9 June 08:20 (+1 day)"). Names,
 * not ids: an item's presenter and a participant's name where given.
 *
 * Fairness at any size: each slot says how many cities it inconveniences
 * (never their names); a per-region summary counts the items in each
 * region's daytime (regions from the zone's area: Europe/, Africa/,
 * America/, Asia-Pacific = Asia/ Australia/ Pacific/, other); a section
 * gives each presenter their own local date and time.
 *
 * Markdown escapes what CommonMark would read as markup, never writes a
 * line over 200 bytes (long lines wrap, long fields are cut on a character
 * boundary with "..."), and shortens post bodies to 160 bytes. HTML is one
 * self-contained page (no external fetches), A4 portrait in print and one
 * column on a phone, with at most 6 local-time columns (neighbouring
 * offsets grouped). JSON carries the per-city detail the pages leave out:
 * {"meeting", "title", "place", "first_day", "last_day", "version",
 * "timezone", "hybrid", "days", "slots": [{"key", "day", "start", "end",
 * "title", "kind", "seq", "city", "presenter", "minutes", "priority",
 * "remote", "body", "parts", "presenter_start", "inconvenienced_count",
 * "inconvenienced"}], "deferred": [{"key", "title", "kind", "seq", "city",
 * ..., "reason", "hint"}], "warnings": [{"code", "item", "text"}], "cost",
 * "regions", "participants"}: docs/agenda-json.md, validated against
 * docs/agenda.schema.json.
 * Returns 0, UCCN_E_INVALID (unknown format) or UCCN_E_NOMEM.
 */
int uccn_agenda_render(enum uccn_agenda_format fmt, const struct uccn_agenda_meeting *m,
		       const struct uccn_agenda_input *in, const struct uccn_agenda *a,
		       char **out, size_t *len);

#endif
