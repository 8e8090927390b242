/*
 * cmd_agenda.c - uccn agenda MEETING: gather the meeting's records from the
 * daemon (the meeting, its field's cities, active projects, agenda items,
 * proposals and good-practice posts), read the zones' offsets, build the
 * agenda with the pure builder and render it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "tzinfo.h"
#include "uccn_agenda.h"
#include "uccn_agenda_render.h"
#include "uccn_error.h"
#include "uccn_limits.h"

/* Everything gathered, kept alive until the agenda is rendered. */
struct gathered {
	struct uccn_reply meeting, cities, projects, series, prev_agenda;
	struct uccn_reply *pages;   /* post list replies: the meeting's posts */
	size_t npages;
	struct uccn_reply *gp;      /* good-practice list replies */
	size_t ngp;
	struct uccn_reply *open;    /* posts left open by the last meeting */
	size_t nopen;
	const struct uccn_meeting *prev, *next; /* of the same series */
	struct uccn_agenda_item *items;
	size_t nitems;
	struct uccn_agenda_participant *parts;
	size_t nparts;
	char **strings;             /* keys and titles made here */
	size_t nstrings;
};

static void gathered_clear(struct gathered *g)
{
	uccn_reply_clear(&g->meeting);
	uccn_reply_clear(&g->cities);
	uccn_reply_clear(&g->projects);
	uccn_reply_clear(&g->series);
	uccn_reply_clear(&g->prev_agenda);
	for (size_t i = 0; i < g->npages; i++)
		uccn_reply_clear(&g->pages[i]);
	free(g->pages);
	for (size_t i = 0; i < g->ngp; i++)
		uccn_reply_clear(&g->gp[i]);
	free(g->gp);
	for (size_t i = 0; i < g->nopen; i++)
		uccn_reply_clear(&g->open[i]);
	free(g->open);
	free(g->items);
	free(g->parts);
	for (size_t i = 0; i < g->nstrings; i++)
		free(g->strings[i]);
	free(g->strings);
}

/* A string that lives as long as g. */
static const char *keep(struct gathered *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *keep(struct gathered *g, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	char **grown = n < 0 ? NULL : realloc(g->strings, (g->nstrings + 1) * sizeof *grown);
	if (!grown) {
		free(s);
		return NULL;
	}
	g->strings = grown;
	g->strings[g->nstrings++] = s;
	return s;
}

static struct uccn_agenda_item *new_item(struct gathered *g)
{
	if (g->nitems == UCCN_AGENDA_MAX_ITEMS)
		return NULL;
	struct uccn_agenda_item *grown = realloc(g->items, (g->nitems + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	g->items = grown;
	struct uccn_agenda_item *it = &g->items[g->nitems++];
	memset(it, 0, sizeof *it);
	it->priority = UCCN_AGENDA_NORMAL;
	it->pin_day = it->pin_start = -1;
	return it;
}

/* A new, empty reply at the end of *v. */
static struct uccn_reply *new_reply(struct uccn_reply **v, size_t *n)
{
	struct uccn_reply *grown = realloc(*v, (*n + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	*v = grown;
	memset(&grown[*n], 0, sizeof grown[*n]);
	return &grown[(*n)++];
}

/*
 * Every post of kind (for meeting, when not NULL), newest first, page by
 * page into *v; stop after the page that reaches a post older than
 * since_ms (0: read them all).
 */
static int fetch_posts(struct cli *c, struct uccn_reply **v, size_t *n, const char *meeting,
		       const char *kind, int64_t since_ms)
{
	uint64_t before = 0;
	for (;;) {
		struct uccn_request req = {.op = UCCN_OP_LIST};
		req.query.meeting = (char *)meeting;
		req.query.kind = (char *)kind;
		req.query.limit = UCCN_LIST_MAX;
		req.query.before = before;
		struct uccn_reply *rep = new_reply(v, n);
		if (!rep)
			return EXIT_REFUSED;
		int rc = cli_call(c, &req, rep);
		if (rc)
			return rc;
		if (!rep->next || (rep->nposts && rep->posts[rep->nposts - 1].created_ms < since_ms))
			return 0;
		before = rep->next;
	}
}

static const struct uccn_city *city_of(const struct gathered *g, const char *id)
{
	for (size_t i = 0; id && i < g->cities.ncities; i++)
		if (strcmp(g->cities.cities[i].id, id) == 0)
			return &g->cities.cities[i];
	return NULL;
}

/* Days from 1970-01-01 of a proleptic Gregorian date. */
static long day_number(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void date_of(long days, int *y, int *m, int *d)
{
	days += 719468;
	long era = (days >= 0 ? days : days - 146096) / 146097;
	long doe = days - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A city's offset from the meeting's time, per day; false when its zone
 * is unknown. */
static bool offsets(const char *tz, const int *meeting_utc, long first, int days, int *out)
{
	for (int d = 0; d < days; d++) {
		int y, m, dd, o;
		date_of(first + d, &y, &m, &dd);
		if (!tz || tz_offset(tz, y, m, dd, &o) != 0)
			return false;
		out[d] = o - meeting_utc[d];
	}
	return true;
}

static enum uccn_agenda_priority priority_of(const char *p)
{
	if (p && strcmp(p, "high") == 0)
		return UCCN_AGENDA_HIGH;
	if (p && strcmp(p, "low") == 0)
		return UCCN_AGENDA_LOW;
	return UCCN_AGENDA_NORMAL;
}

static bool same_str(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* The meetings of m's series (same kind, same field) just before and just
 * after it, by start date. */
static void series_neighbours(struct gathered *g, const struct uccn_meeting *m)
{
	for (size_t i = 0; i < g->series.nmeetings; i++) {
		const struct uccn_meeting *o = &g->series.meetings[i];
		if (!strcmp(o->id, m->id) || !same_str(o->kind, m->kind) ||
		    !same_str(o->field, m->field) || !o->start || !m->start)
			continue;
		int cmp = strcmp(o->start, m->start);
		if (cmp < 0 && (!g->prev || strcmp(o->start, g->prev->start) > 0))
			g->prev = o;
		if (cmp > 0 && (!g->next || strcmp(o->start, g->next->start) < 0))
			g->next = o;
	}
}

/* Days from 1970-01-01 of a YYYY-MM-DD date, or fallback. */
static long date_days(const char *s, long fallback)
{
	int y, m, d;
	if (!s || sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
		return fallback;
	return day_number(y, m, d);
}

static bool key_taken(const struct gathered *g, const char *key)
{
	for (size_t i = 0; i < g->nitems; i++)
		if (g->items[i].key && strcmp(g->items[i].key, key) == 0)
			return true;
	return false;
}

static bool in_field(const struct uccn_city *ci, const struct uccn_meeting *m)
{
	return ci && (!m->field || same_str(ci->field, m->field));
}

/* An item presented by the post's author. */
static struct uccn_agenda_item *post_item(struct gathered *g, const struct uccn_post *p,
					  enum uccn_agenda_kind kind)
{
	struct uccn_agenda_item *it = new_item(g);
	if (!it)
		return NULL;
	it->key = keep(g, "post:%llu", (unsigned long long)p->seq);
	it->title = p->title ? p->title : keep(g, "%.60s", p->body);
	it->kind = kind;
	it->minutes = p->minutes ? (int)p->minutes : 15;
	it->city = p->city;
	it->seq = p->seq;
	it->priority = priority_of(p->priority);
	it->remote = p->remote;
	return it;
}

/* Good-practice posts of the field's cities since the last meeting (those
 * that name this meeting are in already). */
static int add_good_practice(struct gathered *g, const struct uccn_meeting *m, int64_t since_ms)
{
	for (size_t pg = 0; pg < g->ngp; pg++)
		for (size_t i = 0; i < g->gp[pg].nposts; i++) {
			const struct uccn_post *p = &g->gp[pg].posts[i];
			if (p->created_ms < since_ms || same_str(p->meeting, m->id) ||
			    !in_field(city_of(g, p->city), m))
				continue;
			if (!post_item(g, p, UCCN_AGENDA_GOOD_PRACTICE))
				return -1;
		}
	return 0;
}

/* What the last published agenda of the series deferred: its posts come
 * back as open items; the generated items (project reports, elections)
 * are made afresh anyway. */
static int add_left_open(struct cli *c, struct gathered *g)
{
	struct uccn_request req = {.op = UCCN_OP_AGENDA_GET, .name = g->prev->id};
	if (cli_call_quiet(c, &req, &g->prev_agenda) != 0 || !g->prev_agenda.has_agenda)
		return 0;
	const struct uccn_agenda_pub *a = &g->prev_agenda.agenda;
	for (size_t i = 0; i < a->nentries; i++) {
		const struct uccn_agenda_entry *e = &a->entries[i];
		unsigned long long seq;
		int used = 0;
		if (!e->deferred || sscanf(e->key, "post:%llu%n", &seq, &used) != 1 ||
		    e->key[used] || key_taken(g, e->key))
			continue;
		struct uccn_reply *rep = new_reply(&g->open, &g->nopen);
		if (!rep)
			return -1;
		struct uccn_request show = {.op = UCCN_OP_SHOW, .seq = seq};
		struct uccn_agenda_item *it;
		if (cli_call_quiet(c, &show, rep) == 0 && rep->nposts == 1) {
			it = post_item(g, &rep->posts[0], UCCN_AGENDA_OPEN);
		} else { /* gone or not ours to read: what the agenda said */
			it = new_item(g);
			if (it) {
				it->key = e->key;
				it->minutes = 15;
				it->seq = seq;
			}
		}
		if (!it)
			return -1;
		it->title = keep(g, "Left open at %s: %s", g->prev->id,
				 rep->nposts == 1 && rep->posts[0].title ? rep->posts[0].title : e->title);
	}
	return 0;
}

/* An election for every coordinator or deputy of the field whose term ends
 * before the next meeting of the series (or within a year, when none is
 * planned). */
static int add_elections(struct gathered *g, const struct uccn_meeting *m, long first)
{
	long bound = g->next ? date_days(g->next->start, first + 365) : first + 365;
	for (size_t i = 0; i < g->cities.ncities; i++) {
		const struct uccn_city *ci = &g->cities.cities[i];
		if (!ci->term_end || !ci->role || !in_field(ci, m) ||
		    (strcmp(ci->role, "coordinator") != 0 && strcmp(ci->role, "deputy") != 0) ||
		    date_days(ci->term_end, bound) >= bound)
			continue;
		struct uccn_agenda_item *it = new_item(g);
		if (!it)
			return -1;
		it->key = keep(g, "election:%s", ci->id);
		it->title = keep(g, "Election of the %s%s%s (the term of %s ends %s)", ci->role,
				 m->field ? " of " : "", m->field ? m->field : "", ci->name,
				 ci->term_end);
		it->kind = UCCN_AGENDA_DECISION;
		it->minutes = 20;
	}
	return 0;
}

/* Store the built agenda as the meeting's next published version. */
static int agenda_publish(struct cli *c, const char *id, const struct uccn_agenda_input *in,
			  const struct uccn_agenda *a)
{
	struct uccn_request req = {.op = UCCN_OP_AGENDA_PUBLISH};
	struct uccn_reply rep = {0};
	struct uccn_agenda_pub *p = &req.agenda;
	p->meeting = (char *)id;
	p->entries = calloc(a->nslots + a->ndeferred + 1, sizeof *p->entries);
	if (!p->entries)
		return EXIT_REFUSED;
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		if (s->item == SIZE_MAX)
			continue;
		p->entries[p->nentries++] = (struct uccn_agenda_entry){
			.key = (char *)in->items[s->item].key, .title = (char *)in->items[s->item].title,
			.day = (uint32_t)s->day + 1, .start = (uint32_t)s->start, .end = (uint32_t)s->end,
		};
	}
	for (size_t i = 0; i < a->ndeferred; i++)
		p->entries[p->nentries++] = (struct uccn_agenda_entry){
			.key = (char *)in->items[a->deferred[i].item].key,
			.title = (char *)in->items[a->deferred[i].item].title,
			.deferred = true, .reason = (char *)a->deferred[i].reason,
		};
	int rc = cli_call(c, &req, &rep);
	if (rc == EXIT_OK) {
		if (c->json)
			printf("{\"meeting\":\"%s\",\"version\":%llu}\n", id, (unsigned long long)rep.version);
		else
			printf("published version %llu of the agenda of %s; its cities are notified\n",
			       (unsigned long long)rep.version, id);
	}
	free(p->entries); /* the strings are borrowed */
	uccn_reply_clear(&rep);
	return rc;
}

static const struct uccn_agenda_entry *entry_of(const struct uccn_agenda_pub *a, const char *key)
{
	for (size_t i = 0; i < a->nentries; i++)
		if (strcmp(a->entries[i].key, key) == 0)
			return &a->entries[i];
	return NULL;
}

static void entry_where(const struct uccn_agenda_entry *e, char *buf, size_t len)
{
	if (!e || e->deferred)
		snprintf(buf, len, "deferred");
	else
		snprintf(buf, len, "day %u %02u:%02u", e->day, e->start / 60, e->start % 60);
}

/* What the newest published version added, moved or dropped against the
 * one before it. */
static int agenda_diff(struct cli *c, const char *id)
{
	struct uccn_reply now = {0}, before = {0};
	struct uccn_request req = {.op = UCCN_OP_AGENDA_GET, .name = (char *)id};
	int rc = cli_call(c, &req, &now);
	if (rc) {
		uccn_reply_clear(&now);
		return rc;
	}
	const struct uccn_agenda_pub *b = NULL, *n = &now.agenda;
	if (n->version > 1) {
		req.seq = n->version - 1;
		if ((rc = cli_call(c, &req, &before))) {
			uccn_reply_clear(&now);
			return rc;
		}
		b = &before.agenda;
	}
	struct uccn_agenda_pub empty = {0};
	if (!b)
		b = &empty;
	char from[32], to[32];
	bool first = true;
	if (c->json)
		printf("[");
	for (int pass = 0; pass < 2; pass++) {
		const struct uccn_agenda_pub *x = pass ? b : n, *y = pass ? n : b;
		for (size_t i = 0; i < x->nentries; i++) {
			const struct uccn_agenda_entry *e = &x->entries[i], *o = entry_of(y, e->key);
			const char *change = NULL;
			if (!o)
				change = pass ? "dropped" : "added";
			else if (!pass && (o->deferred != e->deferred || o->day != e->day || o->start != e->start))
				change = "moved";
			if (!change)
				continue;
			entry_where(pass ? e : o, from, sizeof from);
			entry_where(pass ? NULL : e, to, sizeof to);
			if (c->json)
				printf("%s{\"change\":\"%s\",\"key\":\"%s\",\"from\":\"%s\",\"to\":\"%s\"}",
				       first ? "" : ",", change, e->key, o || pass ? from : "", pass ? "" : to);
			else if (!strcmp(change, "added"))
				printf("added    %s  %s  (%s)\n", e->key, e->title, to);
			else if (!strcmp(change, "dropped"))
				printf("dropped  %s  %s  (was %s)\n", e->key, e->title, from);
			else
				printf("moved    %s  %s  (%s -> %s)\n", e->key, e->title, from, to);
			first = false;
		}
	}
	if (c->json)
		printf("]\n");
	else if (first)
		printf("version %llu changes nothing against version %llu\n",
		       (unsigned long long)n->version, (unsigned long long)(n->version - 1));
	uccn_reply_clear(&now);
	uccn_reply_clear(&before);
	return EXIT_OK;
}

int cmd_agenda(struct cli *c, const struct command *cmd, int argc, char **argv)
{
	enum { O_FORMAT = 1, O_OUTPUT, O_PUBLISH, O_DIFF };
	static const struct option opts[] = {
		{"format", required_argument, NULL, O_FORMAT},
		{"output", required_argument, NULL, O_OUTPUT},
		{"publish", no_argument, NULL, O_PUBLISH},
		{"diff", no_argument, NULL, O_DIFF},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	const char *format = "md", *output = NULL, *id;
	struct gathered g = {0};
	struct uccn_agenda agenda = {0};
	char *text = NULL, *vtz = NULL;
	size_t len = 0;
	int opt, rc;
	bool publish = false, diff = false;
	struct uccn_reply last = {0};
	struct uccn_agenda_previous *prev = NULL;
	size_t nprev = 0;
	while ((opt = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		if (opt == O_PUBLISH)
			publish = true;
		else if (opt == O_DIFF)
			diff = true;
		else if (opt == O_FORMAT)
			format = optarg;
		else if (opt == O_OUTPUT || opt == 'o')
			output = optarg;
		else
			COMMON_OPTION(c, cmd, opt, &rc, out);
	}
	if (optind >= argc)
		return cli_usage(cmd, "give the MEETING's id");
	id = argv[optind++];
	if (optind < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	if (!uccn_id_valid(id))
		return cli_usage(cmd, "'%s' is not a meeting id", id);
	int fmt = uccn_agenda_format_from_name(format);
	if (fmt < 0)
		return cli_usage(cmd, "--format '%s': md, html, ics or json", format);
	if (publish && diff)
		return cli_usage(cmd, "--publish and --diff are separate steps");
	if (diff)
		return agenda_diff(c, id);

	struct uccn_request req = {.op = UCCN_OP_MEETING_SHOW, .name = (char *)id};
	if ((rc = cli_call(c, &req, &g.meeting)))
		goto out;
	const struct uccn_meeting *m = &g.meeting.meetings[0];
	req = (struct uccn_request){.op = UCCN_OP_CITY_LIST};
	if ((rc = cli_call(c, &req, &g.cities)))
		goto out;
	req = (struct uccn_request){.op = UCCN_OP_PROJECT_LIST, .status = "active",
				    .field = m->field};
	if ((rc = cli_call(c, &req, &g.projects)) ||
	    (rc = fetch_posts(c, &g.pages, &g.npages, id, "agenda-item", 0)) ||
	    (rc = fetch_posts(c, &g.pages, &g.npages, id, "proposal", 0)) ||
	    (rc = fetch_posts(c, &g.pages, &g.npages, id, "good-practice", 0)))
		goto out;
	/* The series: the meetings of the same kind and field, for the one
	 * before (what is new since, what it left open) and the one after
	 * (its host, the terms that end before it). */
	req = (struct uccn_request){.op = UCCN_OP_MEETING_LIST, .field = m->field};
	if ((rc = cli_call(c, &req, &g.series)))
		goto out;
	series_neighbours(&g, m);

	/* The days and the zone. */
	int y, mo, d, y2, mo2, d2;
	rc = EXIT_REFUSED;
	if (!m->start || !m->end || sscanf(m->start, "%d-%d-%d", &y, &mo, &d) != 3 ||
	    sscanf(m->end, "%d-%d-%d", &y2, &mo2, &d2) != 3) {
		fprintf(stderr, "uccn: meeting '%s' has no dates\n", id);
		goto out;
	}
	long first = day_number(y, mo, d);
	long days = day_number(y2, mo2, d2) - first + 1;
	if (days < 1 || days > UCCN_AGENDA_MAX_DAYS) {
		fprintf(stderr, "uccn: meeting '%s' lasts %ld days; an agenda covers 1 to %d\n",
			id, days, UCCN_AGENDA_MAX_DAYS);
		goto out;
	}
	struct uccn_agenda_meeting am = {
		.id = m->id, .place = m->place, .tz = m->tz, .year = y, .month = mo, .mday = d,
		.version = 0, .dtstamp = (int64_t)time(NULL),
	};
	am.title = keep(&g, "%s%s%s %s", m->field ? m->field : "", m->field ? " " : "",
			m->kind, m->start);
	for (int i = 0; i < days; i++) {
		int yy, mm, dd;
		date_of(first + i, &yy, &mm, &dd);
		if (tz_offset(m->tz, yy, mm, dd, &am.utc_offset[i]) != 0) {
			fprintf(stderr, "uccn: the zone '%s' of meeting '%s' is not in this machine's zone database\n",
				m->tz, id);
			goto out;
		}
	}
	if (fmt == UCCN_AGENDA_ICS)
		am.vtimezone = vtz = tz_vtimezone(m->tz, y);

	/* Participants: the meeting field's cities (every city for a
	 * network-wide meeting). */
	g.parts = calloc(g.cities.ncities ? g.cities.ncities : 1, sizeof *g.parts);
	if (!g.parts)
		goto out;
	for (size_t i = 0; i < g.cities.ncities && g.nparts < UCCN_AGENDA_MAX_PARTICIPANTS; i++) {
		const struct uccn_city *ci = &g.cities.cities[i];
		if (m->field && (!ci->field || strcmp(ci->field, m->field) != 0))
			continue;
		struct uccn_agenda_participant *p = &g.parts[g.nparts++];
		p->city = ci->id;
		p->tz = ci->tz ? ci->tz : "";
		p->has_offset = offsets(ci->tz, am.utc_offset, first, (int)days, p->offset);
	}

	/* The last published version: its number (SEQUENCE) and its placements
	 * (so a re-run moves as little as possible). */
	req = (struct uccn_request){.op = UCCN_OP_AGENDA_GET, .name = (char *)id};
	if (cli_call_quiet(c, &req, &last) == 0 && last.has_agenda) {
		am.version = last.agenda.version;
		prev = calloc(last.agenda.nentries ? last.agenda.nentries : 1, sizeof *prev);
		if (!prev)
			goto out;
		for (size_t i = 0; i < last.agenda.nentries; i++) {
			const struct uccn_agenda_entry *e = &last.agenda.entries[i];
			if (!e->deferred && e->day >= 1)
				prev[nprev++] = (struct uccn_agenda_previous){e->key, (int)e->day - 1,
									      (int)e->start};
		}
	}

	/* The items. */
	const struct uccn_city *chair = NULL;
	for (size_t i = 0; i < g.cities.ncities && !chair; i++) {
		const struct uccn_city *ci = &g.cities.cities[i];
		if (ci->role && (!strcmp(ci->role, "coordinator") || !strcmp(ci->role, "deputy")) &&
		    (!m->field || (ci->field && !strcmp(ci->field, m->field))) &&
		    strcmp(ci->id, "coordinator") != 0)
			chair = ci;
	}
	const char *next_title = "Next meeting: call for a host city", *next_host = NULL;
	if (g.next) {
		const struct uccn_city *h = g.next->hosts.n ? city_of(&g, g.next->hosts.v[0]) : NULL;
		next_host = g.next->hosts.n ? g.next->hosts.v[0] : NULL;
		next_title = keep(&g, "Next meeting: %s%s%s, from %s (%s)", h ? h->name : next_host ? next_host : "",
				  g.next->place ? ", " : "", g.next->place ? g.next->place : "",
				  g.next->start, g.next->id);
	}
	struct { const char *key, *title; enum uccn_agenda_kind kind; int minutes; const char *city; } frame[] = {
		{"opening", "Opening", UCCN_AGENDA_OPENING, 15, m->hosts.n ? m->hosts.v[0] : NULL},
		{"coordinator-report", "Coordinator's report", UCCN_AGENDA_REPORT, 30, chair ? chair->id : NULL},
		{"next-meeting", next_title, UCCN_AGENDA_NEXT_MEETING, 10, next_host},
		{"closing", "Closing", UCCN_AGENDA_CLOSING, 10, m->hosts.n ? m->hosts.v[0] : NULL},
	};
	for (size_t i = 0; i < sizeof frame / sizeof frame[0]; i++) {
		struct uccn_agenda_item *it = new_item(&g);
		if (!it)
			goto out;
		it->key = frame[i].key;
		it->title = frame[i].title;
		it->kind = frame[i].kind;
		it->minutes = frame[i].minutes;
		it->city = frame[i].city;
	}
	/* Welcome: the field's cities designated since the previous meeting of
	 * the series (within the last year when there is none). A record holds
	 * the year only; UNESCO announces designations on 31 October. */
	long since = g.prev ? date_days(g.prev->start, first - 365) : first - 365;
	char names[1024] = "";
	for (size_t i = 0; i < g.cities.ncities; i++) {
		const struct uccn_city *ci = &g.cities.cities[i];
		long designated = ci->year ? day_number((int)ci->year, 10, 31) : 0;
		if (m->field && in_field(ci, m) && ci->year && designated >= since &&
		    designated < first && strlen(names) + strlen(ci->name) + 3 < sizeof names) {
			if (names[0])
				strcat(names, ", ");
			strcat(names, ci->name);
		}
	}
	if (names[0]) {
		struct uccn_agenda_item *it = new_item(&g);
		if (!it)
			goto out;
		it->key = "welcome";
		it->title = keep(&g, "Welcome to new members: %s", names);
		it->kind = UCCN_AGENDA_WELCOME;
		it->minutes = 20;
	}
	for (size_t i = 0; i < g.projects.nprojects; i++) {
		const struct uccn_project *p = &g.projects.projects[i];
		struct uccn_agenda_item *it = new_item(&g);
		if (!it)
			goto out;
		it->key = keep(&g, "project:%s", p->id);
		it->title = keep(&g, "Project report: %s", p->title);
		it->kind = UCCN_AGENDA_PROJECT;
		it->minutes = 15;
		it->city = p->lead;
	}
	for (size_t pg = 0; pg < g.npages; pg++)
		for (size_t i = 0; i < g.pages[pg].nposts; i++) {
			const struct uccn_post *p = &g.pages[pg].posts[i];
			struct uccn_agenda_item *it = post_item(&g, p,
				!strcmp(p->kind, "proposal") ? UCCN_AGENDA_PROPOSAL :
				!strcmp(p->kind, "good-practice") ? UCCN_AGENDA_GOOD_PRACTICE :
				UCCN_AGENDA_ITEM);
			if (!it)
				goto out;
			int pd, pm;
			if (p->pin && uccn_pin_parse(p->pin, &pd, &pm)) {
				it->pin_day = pd ? pd - 1 : 0;
				it->pin_start = pm;
			}
		}
	/* Good practice shared since the previous meeting ended. */
	int64_t gp_since = (int64_t)(g.prev ? date_days(g.prev->end, first - 366) + 1 : first - 365) *
			   86400000;
	if ((rc = fetch_posts(c, &g.gp, &g.ngp, NULL, "good-practice", gp_since)))
		goto out;
	rc = EXIT_REFUSED;
	if (add_good_practice(&g, m, gp_since) || (g.prev && add_left_open(c, &g)) ||
	    add_elections(&g, m, first))
		goto out;
	for (size_t i = 0; i < g.nitems; i++) {
		struct uccn_agenda_item *it = &g.items[i];
		if (!it->key || !it->title)
			goto out;
		const struct uccn_city *ci = city_of(&g, it->city);
		it->has_offset = ci && offsets(ci->tz, am.utc_offset, first, (int)days, it->offset);
	}

	int day_start, day_end, dsd, dsm;
	if (!uccn_pin_parse(m->day_start ? m->day_start : UCCN_DEFAULT_DAY_START, &dsd, &day_start) ||
	    !uccn_pin_parse(m->day_end ? m->day_end : UCCN_DEFAULT_DAY_END, &dsm, &day_end))
		goto out;
	struct uccn_agenda_input in = {
		.days = (int)days, .day_start = day_start, .day_end = day_end, .hybrid = m->hybrid,
		.items = g.items, .nitems = g.nitems, .participants = g.parts, .nparticipants = g.nparts,
		.previous = prev, .nprevious = nprev,
	};
	int brc = uccn_agenda_build(&in, &agenda);
	if (brc) {
		fprintf(stderr, "uccn: cannot build the agenda: %s\n", uccn_strerror(brc));
		goto out;
	}
	if (publish) {
		rc = agenda_publish(c, id, &in, &agenda);
		goto out;
	}
	if ((brc = uccn_agenda_render(fmt, &am, &in, &agenda, &text, &len))) {
		fprintf(stderr, "uccn: cannot render the agenda: %s\n", uccn_strerror(brc));
		goto out;
	}
	FILE *f = output ? fopen(output, "w") : stdout;
	if (!f || fwrite(text, 1, len, f) != len || (output && fclose(f) != 0)) {
		fprintf(stderr, "uccn: cannot write %s: %s\n", output ? output : "standard output",
			strerror(errno));
		goto out;
	}
	rc = EXIT_OK;
out:
	free(prev);
	uccn_reply_clear(&last);
	free(text);
	free(vtz);
	uccn_agenda_clear(&agenda);
	gathered_clear(&g);
	return rc;
}
