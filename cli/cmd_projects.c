/*
 * cmd_projects.c - uccn's commands for joint projects and meetings: add,
 * update (naming the version read), show, list, and joining or leaving a
 * project as one's own city.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "uccn_error.h"
#include "uccn_limits.h"

/* Replace *dst with a copy of src; "" clears it, so an update can drop an
 * optional field. */
static int set_str(char **dst, const char *src)
{
	return cli_str_set(dst, src[0] ? src : NULL);
}

/* Add each comma-separated item of arg to l, once. */
static int add_items(const struct command *cmd, struct uccn_idlist *l, const char *arg,
		     const char *what)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", arg);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		bool field = strcmp(what, "--field") == 0;
		if (field ? !uccn_field_name_valid(tok) : !uccn_id_valid(tok))
			return cli_usage(cmd, "%s '%s': not %s", what, tok,
					 field ? "a field name" : "a city id");
		int rc = uccn_idlist_add(l, tok);
		if (rc == UCCN_E_TOOBIG)
			return cli_usage(cmd, "%s: at most %d", what, UCCN_MAX_LIST);
		if (rc && rc != UCCN_E_EXISTS)
			return EXIT_REFUSED;
	}
	return 0;
}

static int one_id(const struct command *cmd, int argc, char **argv, const char **id)
{
	if (optind >= argc)
		return cli_usage(cmd, "give the ID");
	*id = argv[optind++];
	if (optind < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	if (!uccn_id_valid(*id))
		return cli_usage(cmd, "'%s' is not an id (a-z, 0-9, '-')", *id);
	return 0;
}

/* Send an add or update of a record whose rules check gave (0, or an error
 * with err). A record that breaks a rule is refused here exactly as the
 * server would refuse it: same message, same exit status. */
static int send_record(struct cli *g, struct uccn_request *req, const char *what,
		       const char *id, int check, const char *err)
{
	struct uccn_reply rep = {0};
	if (check) {
		fprintf(stderr, "uccn: %s: %s\n", uccn_strerror(check), err);
		return cli_exit_for(check);
	}
	int rc = cli_call(g, req, &rep);
	if (rc == EXIT_OK)
		g->out->record_changed(what, id, rep.seq, rep.version);
	uccn_reply_clear(&rep);
	return rc;
}

/* ---- projects ---- */

enum { P_TITLE = 1, P_LEAD, P_PARTNER, P_FIELD, P_STATUS, P_START, P_END, P_DESC, P_IFV };

static const struct option project_opts[] = {
	{"title", required_argument, NULL, P_TITLE},
	{"lead", required_argument, NULL, P_LEAD},
	{"partner", required_argument, NULL, P_PARTNER},
	{"field", required_argument, NULL, P_FIELD},
	{"status", required_argument, NULL, P_STATUS},
	{"start", required_argument, NULL, P_START},
	{"end", required_argument, NULL, P_END},
	{"description", required_argument, NULL, P_DESC},
	{"if-version", required_argument, NULL, P_IFV},
	CLI_GLOBAL_OPTIONS,
	{NULL, 0, NULL, 0},
};

/* Parse project options into p (owned strings); partner and field options
 * replace the lists they name. */
static int project_options(struct cli *g, const struct command *cmd, int argc, char **argv,
			   struct uccn_project *p, uint64_t *ifv)
{
	bool partners = false, fields = false;
	int c, rc;
	while ((c = getopt_long(argc, argv, ":h", project_opts, NULL)) != -1) {
		switch (c) {
		case P_TITLE: rc = set_str(&p->title, optarg); break;
		case P_LEAD: rc = set_str(&p->lead, optarg); break;
		case P_STATUS: rc = set_str(&p->status, optarg); break;
		case P_START: rc = set_str(&p->start, optarg); break;
		case P_END: rc = set_str(&p->end, optarg); break;
		case P_DESC: rc = set_str(&p->description, optarg); break;
		case P_PARTNER:
			if (!partners) {
				uccn_idlist_clear(&p->partners);
				partners = true;
			}
			rc = add_items(cmd, &p->partners, optarg, "--partner");
			break;
		case P_FIELD:
			if (!fields) {
				uccn_idlist_clear(&p->fields);
				fields = true;
			}
			rc = add_items(cmd, &p->fields, optarg, "--field");
			break;
		case P_IFV:
			rc = 0;
			if (!ifv)
				return cli_usage(cmd, "--if-version is for updates");
			if (cli_parse_u64(optarg, 1, UINT64_MAX, ifv))
				return cli_usage(cmd, "--if-version '%s': give the version you read", optarg);
			break;
		default: {
			bool done;
			rc = cli_common_option(g, cmd, c, argv, &done);
			if (done)
				return rc ? rc : -1; /* -1: help shown, stop with 0 */
		}
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int send_project(struct cli *g, struct uccn_request *req)
{
	char err[256];
	int check = uccn_project_check(&req->project, err, sizeof err);
	return send_record(g, req, "project", req->project.id, check, err);
}

int cmd_project_add(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	struct uccn_request req = {.op = UCCN_OP_PROJECT_ADD};
	const char *id;
	int rc = project_options(g, cmd, argc, argv, &req.project, NULL);
	if (rc == 0 && (rc = one_id(cmd, argc, argv, &id)) == 0) {
		if (!req.project.title || !req.project.lead)
			rc = cli_usage(cmd, "--title and --lead are required");
		else if (!(rc = cli_str_set(&req.project.id, id)))
			rc = send_project(g, &req);
	}
	uccn_request_clear(&req);
	return rc < 0 ? EXIT_OK : rc;
}

/* Read one record by id into rep. */
static int fetch(struct cli *g, enum uccn_op op, const char *id, struct uccn_reply *rep)
{
	struct uccn_request req = {.op = op};
	int rc = cli_str_set(&req.name, id);
	if (rc == EXIT_OK)
		rc = cli_call(g, &req, rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_project_update(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	struct uccn_request req = {.op = UCCN_OP_PROJECT_UPDATE};
	struct uccn_reply cur = {0};
	const char *id;
	/* Options first (to learn the id and --help), then start from the
	 * stored record and apply them again on top. */
	int rc = project_options(g, cmd, argc, argv, &req.project, &req.if_version);
	if (rc == 0 && (rc = one_id(cmd, argc, argv, &id)) == 0) {
		if (!req.if_version)
			rc = cli_usage(cmd, "--if-version N is required: the version you read (uccn project show %s)", id);
		else if ((rc = fetch(g, UCCN_OP_PROJECT_SHOW, id, &cur)) == 0) {
			uccn_project_clear(&req.project);
			if (uccn_project_copy(&req.project, &cur.projects[0]))
				rc = EXIT_REFUSED;
			optind = 0;
			if (!rc)
				rc = project_options(g, cmd, argc, argv, &req.project, &req.if_version);
			if (!rc)
				rc = send_project(g, &req);
		}
	}
	uccn_reply_clear(&cur);
	uccn_request_clear(&req);
	return rc < 0 ? EXIT_OK : rc;
}

static int show_or_list(struct cli *g, const struct command *cmd, int argc, char **argv,
			enum uccn_op op)
{
	enum { L_STATUS = 1, L_FIELD, L_CITY };
	static const struct option opts[] = {
		{"status", required_argument, NULL, L_STATUS},
		{"field", required_argument, NULL, L_FIELD},
		{"city", required_argument, NULL, L_CITY},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = op};
	struct uccn_reply rep = {0};
	bool list = op == UCCN_OP_PROJECT_LIST || op == UCCN_OP_MEETING_LIST;
	const char *id = NULL;
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", list ? opts : opts + 3, NULL)) != -1) {
		if (c == L_STATUS)
			rc = cli_str_set(&req.status, optarg);
		else if (c == L_FIELD)
			rc = cli_str_set(&req.field, optarg);
		else if (c == L_CITY && op == UCCN_OP_PROJECT_LIST)
			rc = cli_str_set(&req.of_city, optarg);
		else if (c == L_CITY)
			rc = cli_usage(cmd, "--city is a filter of project lists");
		else
			COMMON_OPTION(g, cmd, c, &rc, out);
		if (rc)
			goto out;
	}
	if (list && optind < argc) {
		rc = cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!list && ((rc = one_id(cmd, argc, argv, &id)) || (rc = cli_str_set(&req.name, id))))
		goto out;
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK) {
		if (op == UCCN_OP_PROJECT_LIST)
			g->out->projects(rep.projects, rep.nprojects);
		else if (op == UCCN_OP_MEETING_LIST)
			g->out->meetings(rep.meetings, rep.nmeetings);
		else if (op == UCCN_OP_PROJECT_SHOW && rep.nprojects == 1)
			g->out->project(&rep.projects[0]);
		else if (op == UCCN_OP_MEETING_SHOW && rep.nmeetings == 1)
			g->out->meeting(&rep.meetings[0]);
	}
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_project_show(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	return show_or_list(g, cmd, argc, argv, UCCN_OP_PROJECT_SHOW);
}

int cmd_project_list(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	return show_or_list(g, cmd, argc, argv, UCCN_OP_PROJECT_LIST);
}

int cmd_meeting_show(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	return show_or_list(g, cmd, argc, argv, UCCN_OP_MEETING_SHOW);
}

int cmd_meeting_list(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	return show_or_list(g, cmd, argc, argv, UCCN_OP_MEETING_LIST);
}

static int membership(struct cli *g, const struct command *cmd, int argc, char **argv,
		      enum uccn_op op)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0}};
	struct uccn_request req = {.op = op};
	struct uccn_reply rep = {0};
	const char *id;
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		COMMON_OPTION(g, cmd, c, &rc, out);
	if ((rc = one_id(cmd, argc, argv, &id)) || (rc = cli_str_set(&req.name, id)))
		goto out;
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK)
		g->out->record_changed("project", id, rep.seq, rep.version);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_project_join(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	return membership(g, cmd, argc, argv, UCCN_OP_PROJECT_JOIN);
}

int cmd_project_leave(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	return membership(g, cmd, argc, argv, UCCN_OP_PROJECT_LEAVE);
}

/* ---- meetings ---- */

enum { M_KIND = 1, M_FIELD, M_HOST, M_START, M_END, M_TZ, M_PLACE, M_DAYSTART, M_DAYEND,
       M_HYBRID, M_NOHYBRID, M_STATUS, M_IFV, M_MAXSESSION };

static const struct option meeting_opts[] = {
	{"kind", required_argument, NULL, M_KIND},
	{"field", required_argument, NULL, M_FIELD},
	{"host", required_argument, NULL, M_HOST},
	{"start", required_argument, NULL, M_START},
	{"end", required_argument, NULL, M_END},
	{"tz", required_argument, NULL, M_TZ},
	{"place", required_argument, NULL, M_PLACE},
	{"day-start", required_argument, NULL, M_DAYSTART},
	{"day-end", required_argument, NULL, M_DAYEND},
	{"hybrid", no_argument, NULL, M_HYBRID},
	{"no-hybrid", no_argument, NULL, M_NOHYBRID},
	{"max-session", required_argument, NULL, M_MAXSESSION},
	{"status", required_argument, NULL, M_STATUS},
	{"if-version", required_argument, NULL, M_IFV},
	CLI_GLOBAL_OPTIONS,
	{NULL, 0, NULL, 0},
};

static int meeting_options(struct cli *g, const struct command *cmd, int argc, char **argv,
			   struct uccn_meeting *m, uint64_t *ifv)
{
	bool hosts = false;
	int c, rc;
	while ((c = getopt_long(argc, argv, ":h", meeting_opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case M_KIND: rc = set_str(&m->kind, optarg); break;
		case M_FIELD: rc = set_str(&m->field, optarg); break;
		case M_START: rc = set_str(&m->start, optarg); break;
		case M_END: rc = set_str(&m->end, optarg); break;
		case M_TZ: rc = set_str(&m->tz, optarg); break;
		case M_PLACE: rc = set_str(&m->place, optarg); break;
		case M_DAYSTART: rc = set_str(&m->day_start, optarg); break;
		case M_DAYEND: rc = set_str(&m->day_end, optarg); break;
		case M_STATUS: rc = set_str(&m->status, optarg); break;
		case M_HYBRID: m->hybrid = true; break;
		case M_NOHYBRID: m->hybrid = false; break;
		case M_MAXSESSION: {
			/* The range and the grid are the record's check's to say. */
			uint64_t v;
			if (cli_parse_u64(optarg, 0, UINT32_MAX, &v))
				return cli_usage(cmd, "--max-session '%s': give minutes, 30 to 240", optarg);
			m->max_session = (uint32_t)v;
			break;
		}
		case M_HOST:
			if (!hosts) {
				uccn_idlist_clear(&m->hosts);
				hosts = true;
			}
			rc = add_items(cmd, &m->hosts, optarg, "--host");
			break;
		case M_IFV:
			if (!ifv)
				return cli_usage(cmd, "--if-version is for updates");
			if (cli_parse_u64(optarg, 1, UINT64_MAX, ifv))
				return cli_usage(cmd, "--if-version '%s': give the version you read", optarg);
			break;
		default: {
			bool done;
			rc = cli_common_option(g, cmd, c, argv, &done);
			if (done)
				return rc ? rc : -1;
		}
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int send_meeting(struct cli *g, struct uccn_request *req)
{
	char err[256];
	int check = uccn_meeting_check(&req->meeting, err, sizeof err);
	return send_record(g, req, "meeting", req->meeting.id, check, err);
}

int cmd_meeting_add(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	struct uccn_request req = {.op = UCCN_OP_MEETING_ADD};
	const char *id;
	int rc = meeting_options(g, cmd, argc, argv, &req.meeting, NULL);
	if (rc == 0 && (rc = one_id(cmd, argc, argv, &id)) == 0) {
		if (!req.meeting.kind || !req.meeting.hosts.n || !req.meeting.start ||
		    !req.meeting.end || !req.meeting.tz)
			rc = cli_usage(cmd, "--kind, --host, --start, --end and --tz are required");
		else if (!(rc = cli_str_set(&req.meeting.id, id)))
			rc = send_meeting(g, &req);
	}
	uccn_request_clear(&req);
	return rc < 0 ? EXIT_OK : rc;
}

int cmd_meeting_update(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	struct uccn_request req = {.op = UCCN_OP_MEETING_UPDATE};
	struct uccn_reply cur = {0};
	const char *id;
	int rc = meeting_options(g, cmd, argc, argv, &req.meeting, &req.if_version);
	if (rc == 0 && (rc = one_id(cmd, argc, argv, &id)) == 0) {
		if (!req.if_version)
			rc = cli_usage(cmd, "--if-version N is required: the version you read (uccn meeting show %s)", id);
		else if ((rc = fetch(g, UCCN_OP_MEETING_SHOW, id, &cur)) == 0) {
			uccn_meeting_clear(&req.meeting);
			if (uccn_meeting_copy(&req.meeting, &cur.meetings[0]))
				rc = EXIT_REFUSED;
			optind = 0;
			if (!rc)
				rc = meeting_options(g, cmd, argc, argv, &req.meeting, &req.if_version);
			if (!rc)
				rc = send_meeting(g, &req);
		}
	}
	uccn_reply_clear(&cur);
	uccn_request_clear(&req);
	return rc < 0 ? EXIT_OK : rc;
}
