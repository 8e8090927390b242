/*
 * cmd_agenda.c - uccn agenda MEETING: fetch the meeting's records from the
 * daemon, read the zones' offsets, let agenda/ decide the contents and place
 * them, then render, publish or compare. The rules live in agenda/gather.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "tzinfo.h"
#include "uccn_agenda.h"
#include "uccn_agenda_gather.h"
#include "uccn_agenda_render.h"
#include "uccn_error.h"
#include "uccn_limits.h"

/* Posts taken out of list replies, in the order they came. */
struct post_list {
	struct uccn_post *v;
	size_t n;
};

/* Everything fetched; the gathered agenda points into it. */
struct fetched {
	struct uccn_reply meeting, cities, projects, series, last, prev_agenda;
	bool has_last, has_prev_agenda;
	struct post_list posts, good_practice, left_open;
};

static void post_list_clear(struct post_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		uccn_post_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void fetched_clear(struct fetched *f)
{
	uccn_reply_clear(&f->meeting);
	uccn_reply_clear(&f->cities);
	uccn_reply_clear(&f->projects);
	uccn_reply_clear(&f->series);
	uccn_reply_clear(&f->last);
	uccn_reply_clear(&f->prev_agenda);
	post_list_clear(&f->posts);
	post_list_clear(&f->good_practice);
	post_list_clear(&f->left_open);
}

/* Move rep's posts to the end of l: the records agenda/ reads are one
 * array, however many pages they came in. */
static int take_posts(struct post_list *l, struct uccn_reply *rep)
{
	if (!rep->nposts)
		return EXIT_OK;
	struct uccn_post *grown = realloc(l->v, (l->n + rep->nposts) * sizeof *grown);
	if (!grown)
		return EXIT_REFUSED;
	memcpy(grown + l->n, rep->posts, rep->nposts * sizeof *grown);
	l->v = grown;
	l->n += rep->nposts;
	free(rep->posts);
	rep->posts = NULL;
	rep->nposts = 0;
	return EXIT_OK;
}

/*
 * Every post of kind (for meeting, when not NULL), newest first, page by
 * page onto l; stop after the page that reaches a post older than since_ms
 * (0: read them all).
 */
static int fetch_posts(struct cli *c, struct post_list *l, const char *meeting,
		       const char *kind, int64_t since_ms)
{
	uint64_t before = 0;
	bool more = true;
	int rc = EXIT_OK;
	while (more && rc == EXIT_OK) {
		struct uccn_request req = {.op = UCCN_OP_LIST};
		struct uccn_reply rep = {0};
		req.query.limit = UCCN_LIST_MAX;
		req.query.before = before;
		if (!(rc = cli_str_set(&req.query.meeting, meeting)) &&
		    !(rc = cli_str_set(&req.query.kind, kind)) && !(rc = cli_call(c, &req, &rep))) {
			more = rep.next &&
			       !(rep.nposts && rep.posts[rep.nposts - 1].created_ms < since_ms);
			before = rep.next;
			rc = take_posts(l, &rep);
		}
		uccn_reply_clear(&rep);
		uccn_request_clear(&req);
	}
	return rc;
}

/* One request naming a record (and a version, for agenda.get); quiet when
 * a missing record is an answer, not an error. */
static int call_named(struct cli *c, enum uccn_op op, const char *name, uint64_t seq,
		      bool quiet, struct uccn_reply *rep)
{
	struct uccn_request req = {.op = op, .seq = seq};
	int rc = cli_str_set(&req.name, name);
	if (rc == EXIT_OK)
		rc = quiet ? cli_call_quiet(c, &req, rep) : cli_call(c, &req, rep);
	uccn_request_clear(&req);
	return rc;
}

/* One list request, with its filters (NULL: none). */
static int call_list(struct cli *c, enum uccn_op op, const char *field, const char *status,
		     struct uccn_reply *rep)
{
	struct uccn_request req = {.op = op};
	int rc = cli_str_set(&req.field, field);
	if (rc == EXIT_OK && (rc = cli_str_set(&req.status, status)) == EXIT_OK)
		rc = cli_call(c, &req, rep);
	uccn_request_clear(&req);
	return rc;
}

/* The meeting and what is on the record about it now: its field's cities,
 * active projects and series, and the posts that name it. */
static int fetch_meeting(struct cli *c, const char *id, struct fetched *f)
{
	int rc;
	if ((rc = call_named(c, UCCN_OP_MEETING_SHOW, id, 0, false, &f->meeting)))
		return rc;
	const struct uccn_meeting *m = &f->meeting.meetings[0];
	if ((rc = call_list(c, UCCN_OP_CITY_LIST, NULL, NULL, &f->cities)) ||
	    (rc = call_list(c, UCCN_OP_PROJECT_LIST, m->field, "active", &f->projects)) ||
	    (rc = fetch_posts(c, &f->posts, id, "agenda-item", 0)) ||
	    (rc = fetch_posts(c, &f->posts, id, "proposal", 0)) ||
	    (rc = fetch_posts(c, &f->posts, id, "good-practice", 0)))
		return rc;
	/* The series: the meetings of the same kind and field, for the one
	 * before (what is new since, what it left open) and the one after
	 * (its host, the terms that end before it). */
	return call_list(c, UCCN_OP_MEETING_LIST, m->field, NULL, &f->series);
}

/* The meeting's days and its zone's offsets; says why when it has none. */
static int meeting_calendar(const struct uccn_meeting *m, struct uccn_agenda_calendar *cal)
{
	switch (uccn_agenda_calendar(m, tz_offset, cal)) {
	case 0:
		return EXIT_OK;
	case UCCN_E_TOOBIG:
		fprintf(stderr, "uccn: meeting '%s' lasts %ld days; an agenda covers 1 to %d\n",
			m->id, cal->ndays, UCCN_AGENDA_MAX_DAYS);
		break;
	case UCCN_E_NOTFOUND:
		fprintf(stderr, "uccn: the zone '%s' of meeting '%s' is not in this machine's zone database\n",
			m->tz, m->id);
		break;
	default:
		fprintf(stderr, "uccn: meeting '%s' has no dates\n", m->id);
	}
	return EXIT_REFUSED;
}

/* What came before: the meeting's last published version, good practice
 * since the previous meeting, and what that meeting's agenda left open. */
static int fetch_history(struct cli *c, const struct uccn_meeting *m,
			 const struct uccn_agenda_calendar *cal, struct fetched *f)
{
	const struct uccn_meeting *prev, *next;
	f->has_last = call_named(c, UCCN_OP_AGENDA_GET, m->id, 0, true, &f->last) == 0 &&
		      f->last.has_agenda;
	uccn_agenda_neighbours(m, f->series.meetings, f->series.nmeetings, &prev, &next);
	int rc = fetch_posts(c, &f->good_practice, NULL, "good-practice",
			     uccn_agenda_good_practice_since(prev, cal->first));
	if (rc || !prev)
		return rc;
	f->has_prev_agenda = call_named(c, UCCN_OP_AGENDA_GET, prev->id, 0, true,
					&f->prev_agenda) == 0 && f->prev_agenda.has_agenda;
	if (!f->has_prev_agenda)
		return EXIT_OK;
	const struct uccn_agenda_pub *a = &f->prev_agenda.agenda;
	for (size_t i = 0; i < a->nentries && rc == EXIT_OK; i++) {
		struct uccn_request req = {.op = UCCN_OP_SHOW};
		struct uccn_reply rep = {0};
		/* A post gone, or not ours to read, comes back as the agenda
		 * named it: not finding it is no error. */
		if (uccn_agenda_entry_left_open(&a->entries[i], &req.seq) &&
		    cli_call_quiet(c, &req, &rep) == 0 && rep.nposts == 1)
			rc = take_posts(&f->left_open, &rep);
		uccn_reply_clear(&rep);
	}
	return rc;
}

/* A published entry owns its strings: copies of the item's. */
static int entry_set(struct uccn_agenda_entry *e, const struct uccn_agenda_item *it,
		     const char *reason)
{
	if (uccn_str_set(&e->key, it->key) || uccn_str_set(&e->title, it->title) ||
	    uccn_str_set(&e->reason, reason))
		return EXIT_REFUSED;
	return EXIT_OK;
}

/* Store the built agenda as the meeting's next published version. */
static int agenda_publish(struct cli *c, const char *id, const struct uccn_agenda_input *in,
			  const struct uccn_agenda *a)
{
	struct uccn_request req = {.op = UCCN_OP_AGENDA_PUBLISH};
	struct uccn_reply rep = {0};
	struct uccn_agenda_pub *p = &req.agenda;
	int rc = cli_str_set(&p->meeting, id);
	if (rc)
		goto out;
	rc = EXIT_REFUSED;
	p->entries = calloc(a->nslots + a->ndeferred + 1, sizeof *p->entries);
	if (!p->entries)
		goto out;
	for (size_t i = 0; i < a->nslots; i++) {
		const struct uccn_agenda_slot *s = &a->slots[i];
		if (s->item == SIZE_MAX)
			continue;
		struct uccn_agenda_entry *e = &p->entries[p->nentries++];
		e->day = (uint32_t)s->day + 1;
		e->start = (uint32_t)s->start;
		e->end = (uint32_t)s->end;
		if (entry_set(e, &in->items[s->item], NULL))
			goto out;
	}
	for (size_t i = 0; i < a->ndeferred; i++) {
		struct uccn_agenda_entry *e = &p->entries[p->nentries++];
		const struct uccn_agenda_item *it = &in->items[a->deferred[i].item];
		e->deferred = true;
		/* This deferral too: the next meeting weighs the item by it. */
		e->deferrals = it->deferrals + 1 < UCCN_MAX_DEFERRALS ? (uint32_t)it->deferrals + 1
								      : UCCN_MAX_DEFERRALS;
		if (entry_set(e, it, a->deferred[i].reason))
			goto out;
	}
	rc = cli_call(c, &req, &rep);
	if (rc == EXIT_OK) {
		if (c->json)
			printf("{\"meeting\":\"%s\",\"version\":%llu}\n", id, (unsigned long long)rep.version);
		else
			printf("published version %llu of the agenda of %s; its cities are notified\n",
			       (unsigned long long)rep.version, id);
	}
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
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
	int rc = call_named(c, UCCN_OP_AGENDA_GET, id, 0, false, &now);
	if (rc)
		goto out;
	const struct uccn_agenda_pub *b = NULL, *n = &now.agenda;
	if (n->version > 1) {
		if ((rc = call_named(c, UCCN_OP_AGENDA_GET, id, n->version - 1, false, &before)))
			goto out;
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
	rc = EXIT_OK;
out:
	uccn_reply_clear(&now);
	uccn_reply_clear(&before);
	return rc;
}

/* Render the agenda as fmt and write it to output (NULL: standard output). */
static int agenda_write(const struct uccn_meeting *m, const struct uccn_agenda_calendar *cal,
			const struct uccn_agenda_gathered *got, const struct uccn_agenda *agenda,
			int fmt, const char *output)
{
	char *text = NULL, *vtz = NULL;
	size_t len = 0;
	int rc = EXIT_REFUSED;
	struct uccn_agenda_meeting am = {
		.id = m->id, .title = got->title, .place = m->place, .tz = m->tz,
		.year = cal->day[0].year, .month = cal->day[0].month, .mday = cal->day[0].mday,
		.version = got->version, .dtstamp = (int64_t)time(NULL),
	};
	memcpy(am.utc_offset, cal->utc_offset, sizeof am.utc_offset);
	if (fmt == UCCN_AGENDA_ICS)
		am.vtimezone = vtz = tz_vtimezone(m->tz, am.year);
	int brc = uccn_agenda_render(fmt, &am, &got->input, agenda, &text, &len);
	if (brc) {
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
	free(text);
	free(vtz);
	return rc;
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
	const char *format = NULL, *output = NULL, *id;
	struct fetched f = {0};
	struct uccn_agenda_calendar cal;
	struct uccn_agenda_gathered got = {0};
	struct uccn_agenda agenda = {0};
	int opt, fmt = 0, brc, rc = EXIT_OK;
	bool publish = false, diff = false;
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
	if (optind >= argc) {
		rc = cli_usage(cmd, "give the MEETING's id");
		goto out;
	}
	/* The global --json asks for what --format json gives. */
	if (!format)
		format = c->json ? "json" : "md";
	id = argv[optind++];
	if (optind < argc)
		rc = cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	else if (!uccn_id_valid(id))
		rc = cli_usage(cmd, "'%s' is not a meeting id", id);
	else if ((fmt = uccn_agenda_format_from_name(format)) < 0)
		rc = cli_usage(cmd, "--format '%s': md, html, ics or json", format);
	else if (publish && diff)
		rc = cli_usage(cmd, "--publish and --diff are separate steps");
	else if (diff)
		rc = agenda_diff(c, id);
	if (rc || diff)
		goto out;

	if ((rc = fetch_meeting(c, id, &f)))
		goto out;
	const struct uccn_meeting *m = &f.meeting.meetings[0];
	if ((rc = meeting_calendar(m, &cal)) || (rc = fetch_history(c, m, &cal, &f)))
		goto out;
	const struct uccn_agenda_records records = {
		.meeting = m, .calendar = &cal, .zone = tz_offset,
		.series = f.series.meetings, .nseries = f.series.nmeetings,
		.cities = f.cities.cities, .ncities = f.cities.ncities,
		.projects = f.projects.projects, .nprojects = f.projects.nprojects,
		.posts = f.posts.v, .nposts = f.posts.n,
		.good_practice = f.good_practice.v, .ngood_practice = f.good_practice.n,
		.last = f.has_last ? &f.last.agenda : NULL,
		.prev_agenda = f.has_prev_agenda ? &f.prev_agenda.agenda : NULL,
		.left_open = f.left_open.v, .nleft_open = f.left_open.n,
	};
	rc = EXIT_REFUSED;
	if (uccn_agenda_gather(&records, &got))
		goto out;
	if ((brc = uccn_agenda_build(&got.input, &agenda))) {
		fprintf(stderr, "uccn: cannot build the agenda: %s\n", uccn_strerror(brc));
		goto out;
	}
	if (publish)
		rc = agenda_publish(c, id, &got.input, &agenda);
	else
		rc = agenda_write(m, &cal, &got, &agenda, fmt, output);
out:
	uccn_agenda_clear(&agenda);
	uccn_agenda_gathered_clear(&got);
	fetched_clear(&f);
	return rc;
}
