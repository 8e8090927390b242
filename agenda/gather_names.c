/*
 * gather_names.c - names a reader knows, not ids: a city's display name
 * (with its country where two cities share a name), a field's ("Cities of
 * Crafts and Folk Art"), a meeting's title, and a post's title from its body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gather_int.h"
#include "uccn_error.h"
#include "uccn_utf8.h"

void uccn_agenda_field_label(const char *field, char *buf, size_t len)
{
	/* The one name the general rule would get wrong. */
	static const struct { const char *field, *label; } special[] = {
		{"crafts_folk_art", "Cities of Crafts and Folk Art"},
	};
	if (!len)
		return;
	for (size_t i = 0; field && i < sizeof special / sizeof special[0]; i++)
		if (strcmp(field, special[i].field) == 0) {
			snprintf(buf, len, "%s", special[i].label);
			return;
		}
	/* "media_arts" -> "Cities of Media Arts": words capitalised. Field
	 * names are ASCII (uccn_field_name_valid). */
	int n = snprintf(buf, len, "Cities of ");
	size_t at = n < 0 ? 0 : (size_t)n;
	bool word = true;
	for (const char *s = field ? field : ""; *s && at + 1 < len; s++) {
		char c = *s == '_' ? ' ' : *s;
		buf[at++] = word && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
		word = c == ' ';
	}
	if (at < len)
		buf[at] = '\0';
}

static int by_name(const void *a, const void *b)
{
	const struct uccn_city *x = *(const struct uccn_city *const *)a;
	const struct uccn_city *y = *(const struct uccn_city *const *)b;
	int c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
	return c ? c : strcmp(x->id, y->id);
}

/* True when no other city of the run of equal names has the same
 * qualifier (its country, or its field). */
static bool qualifies(const struct uccn_city *const *run, size_t n, size_t me, bool country)
{
	const char *q = country ? run[me]->country : run[me]->field;
	if (!q || !q[0])
		return false;
	for (size_t k = 0; k < n; k++)
		if (k != me && gather_same_str(q, country ? run[k]->country : run[k]->field))
			return false;
	return true;
}

/* The display name of run[me], one of n cities of one name. */
static const char *display_name(struct gather *g, const struct uccn_city *const *run, size_t n,
				size_t me)
{
	const struct uccn_city *c = run[me];
	const char *name = c->name ? c->name : c->id;
	char field[64];
	if (n == 1)
		return name;
	if (qualifies(run, n, me, true))
		return gather_keep(g, "%s (%s)", name, c->country);
	if (qualifies(run, n, me, false)) {
		uccn_agenda_field_label(c->field, field, sizeof field);
		return gather_keep(g, "%s (%s)", name, field);
	}
	return gather_keep(g, "%s (%s)", name, c->id);
}

/* Display names: the city's name, and where names repeat its country
 * ("London (Canada)"), else its field, else its id. Sorted once, so a
 * conference of the whole network costs n log n, not n squared. */
int gather_names_init(struct gather *g)
{
	const struct uccn_city *cities = g->r->cities;
	size_t n = g->r->ncities;
	const struct uccn_city **order = malloc((n ? n : 1) * sizeof *order);
	g->names = calloc(n ? n : 1, sizeof *g->names);
	if (!order || !g->names) {
		free(order);
		return UCCN_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = &cities[i];
	qsort(order, n, sizeof *order, by_name);
	int rc = 0;
	for (size_t i = 0, j; i < n && !rc; i = j) {
		for (j = i + 1; j < n && gather_same_str(order[j]->name, order[i]->name); j++)
			;
		for (size_t k = i; k < j; k++) {
			const char *name = display_name(g, order + i, j - i, k - i);
			g->names[order[k] - cities] = name;
			if (!name)
				rc = UCCN_E_NOMEM;
		}
	}
	free(order);
	return rc;
}

const char *gather_meeting_title(struct gather *g)
{
	const struct uccn_meeting *m = g->m;
	char who[64] = "UCCN";
	const char *kind = m->kind ? m->kind : "";
	if (m->field)
		uccn_agenda_field_label(m->field, who, sizeof who);
	if (!strcmp(kind, "annual-meeting"))
		kind = "Annual Meeting";
	else if (!strcmp(kind, "conference"))
		kind = "Annual Conference";
	else if (!strcmp(kind, "working-group"))
		kind = "Working Group";
	const char *host = gather_name(g, m->hosts.n ? m->hosts.v[0] : NULL);
	if (!host)
		host = m->place;
	int year = 0;
	if (m->start)
		sscanf(m->start, "%d", &year);
	return gather_keep(g, "%s %s %d%s%s", who, kind, year, host ? ", " : "", host ? host : "");
}

const char *gather_post_title(struct gather *g, const struct uccn_post *p)
{
	if (p->title && p->title[0])
		return p->title;
	const unsigned char *s = (const unsigned char *)(p->body ? p->body : "");
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t line = strcspn((const char *)s, "\r\n"), at = 0;
	while (at < line) {
		uint32_t cp;
		size_t n = uccn_utf8_next(s + at, line - at, &cp);
		if (!n || at + n > UCCN_AGENDA_TITLE_CUT)
			break;
		at += n;
	}
	if (at == line)
		return gather_keep(g, "%.*s", (int)line, (const char *)s);
	while (at && s[at - 1] == ' ')
		at--;
	return gather_keep(g, "%.*s…", (int)at, (const char *)s);
}
