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
#include "client.h"
#include "tzinfo.h"
#include "uccn_agenda.h"
#include "uccn_agenda_render.h"
#include "uccn_error.h"
#include "uccn_limits.h"

/* Everything gathered, kept alive until the agenda is rendered. */
struct gathered {
	struct uccn_reply meeting, cities, projects;
	struct uccn_reply *pages;   /* post list replies */
	size_t npages;
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
	for (size_t i = 0; i < g->npages; i++)
		uccn_reply_clear(&g->pages[i]);
	free(g->pages);
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

/* Every post of kind for meeting id, all pages. */
static int fetch_posts(struct cli *c, struct gathered *g, const char *meeting, const char *kind)
{
	uint64_t before = 0;
	for (;;) {
		struct uccn_request req = {.op = UCCN_OP_LIST};
		req.query.meeting = (char *)meeting;
		req.query.kind = (char *)kind;
		req.query.limit = UCCN_LIST_MAX;
		req.query.before = before;
		struct uccn_reply *grown = realloc(g->pages, (g->npages + 1) * sizeof *grown);
		if (!grown)
			return EXIT_REFUSED;
		g->pages = grown;
		struct uccn_reply *rep = &g->pages[g->npages++];
		memset(rep, 0, sizeof *rep);
		int rc = cli_call(c, &req, rep);
		if (rc)
			return rc;
		if (!rep->next)
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

/* cli_call without the error message: for "is there one?" questions. */
static int fetch_quiet(struct cli *c, struct uccn_request *req, struct uccn_reply *rep)
{
	struct client *cl = NULL;
	char err[512];
	if (cli_connect(c, &cl))
		return -1;
	int rc = client_call(cl, req, rep, err, sizeof err);
	client_destroy(&cl);
	return rc ? rc : rep->status;
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
			COMMON_OPTION(c, cmd, opt, &rc);
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
	    (rc = fetch_posts(c, &g, id, "agenda-item")) ||
	    (rc = fetch_posts(c, &g, id, "proposal")) ||
	    (rc = fetch_posts(c, &g, id, "good-practice")))
		goto out;

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
	if (fetch_quiet(c, &req, &last) == 0 && last.has_agenda) {
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
	struct { const char *key, *title; enum uccn_agenda_kind kind; int minutes; const char *city; } frame[] = {
		{"opening", "Opening", UCCN_AGENDA_OPENING, 15, m->hosts.n ? m->hosts.v[0] : NULL},
		{"coordinator-report", "Coordinator's report", UCCN_AGENDA_REPORT, 30, chair ? chair->id : NULL},
		{"next-meeting", "Next meeting", UCCN_AGENDA_NEXT_MEETING, 10, NULL},
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
	/* Welcome: cities of the field designated this year or last. */
	char names[1024] = "";
	for (size_t i = 0; i < g.cities.ncities; i++) {
		const struct uccn_city *ci = &g.cities.cities[i];
		if (m->field && ci->field && !strcmp(ci->field, m->field) && ci->year &&
		    (int)ci->year >= y - 1 && strlen(names) + strlen(ci->name) + 3 < sizeof names) {
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
			struct uccn_agenda_item *it = new_item(&g);
			if (!it)
				goto out;
			it->key = keep(&g, "post:%llu", (unsigned long long)p->seq);
			it->title = p->title ? p->title : keep(&g, "%.60s", p->body);
			it->kind = !strcmp(p->kind, "proposal") ? UCCN_AGENDA_PROPOSAL :
				   !strcmp(p->kind, "good-practice") ? UCCN_AGENDA_GOOD_PRACTICE :
				   UCCN_AGENDA_ITEM;
			it->minutes = p->minutes ? (int)p->minutes : 15;
			it->city = p->city;
			it->seq = p->seq;
			it->priority = priority_of(p->priority);
			it->remote = p->remote;
			int pd, pm;
			if (p->pin && uccn_pin_parse(p->pin, &pd, &pm)) {
				it->pin_day = pd ? pd - 1 : 0;
				it->pin_start = pm;
			}
		}
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
