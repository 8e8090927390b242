/*
 * commands.c - uccn's commands: each parses its options, builds one
 * request, calls the daemon and prints through the output interface.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "cli.h"
#include "client.h"
#include "suggest.h"
#include "uccn_error.h"
#include "uccn_keyfile.h"
#include "uccn_limits.h"

static int no_arguments(const struct command *cmd, int argc, char **argv)
{
	if (optind < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* ---- keygen ---- */

int cmd_keygen(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'f'},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	bool force = false;
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1], text[1024];
	int c, rc;
	while ((c = getopt_long(argc, argv, ":o:fh", opts, NULL)) != -1) {
		if (c == 'o')
			path = optarg;
		else if (c == 'f')
			force = true;
		else {
			bool done; /* nothing is owned yet: return straight away */
			rc = cli_common_option(g, cmd, c, argv, &done);
			if (done)
				return rc;
		}
	}
	if ((rc = no_arguments(cmd, argc, argv)))
		return rc;
	if (!path)
		return cli_usage(cmd, "say where to write the key pair: -o FILE");
	if (zmq_curve_keypair(pub, sec) != 0) {
		fprintf(stderr, "uccn: cannot make a key pair: %s\n", zmq_strerror(errno));
		return EXIT_REFUSED;
	}
	int len = uccn_keyfile_format(text, sizeof text, "uccn client key pair", pub, sec);
	memset(sec, 0, sizeof sec);
	if (len < 0) {
		fprintf(stderr, "uccn: cannot format the key file\n");
		return EXIT_REFUSED;
	}
	if (force)
		unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "uccn: cannot create %s: %s%s\n", path, strerror(errno),
			errno == EEXIST ? " (keeping it; --force replaces it)" : "");
		return EXIT_REFUSED;
	}
	bool ok = write(fd, text, (size_t)len) == len && fsync(fd) == 0;
	memset(text, 0, sizeof text);
	if (close(fd) != 0 || !ok) {
		fprintf(stderr, "uccn: cannot write %s: %s\n", path, strerror(errno));
		unlink(path);
		return EXIT_REFUSED;
	}
	g->out->keygen(pub, path);
	return EXIT_OK;
}

/* ---- city ---- */

int cmd_city_add(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_NAME = 1, O_FIELD, O_CKEY, O_COUNTRY, O_YEAR, O_TZ, O_ROLE, O_TERM };
	static const struct option opts[] = {
		{"term-end", required_argument, NULL, O_TERM},
		{"name", required_argument, NULL, O_NAME},
		{"field", required_argument, NULL, O_FIELD},
		{"key", required_argument, NULL, O_CKEY},
		{"country", required_argument, NULL, O_COUNTRY},
		{"year", required_argument, NULL, O_YEAR},
		{"tz", required_argument, NULL, O_TZ},
		{"role", required_argument, NULL, O_ROLE},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = UCCN_OP_CITY_ADD};
	struct uccn_reply rep = {0};
	struct uccn_city *city = &req.city;
	const char *key = NULL;
	char err[256];
	uint64_t year = 0;
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		char **dst = NULL;
		switch (c) {
		case O_NAME: dst = &city->name; break;
		case O_FIELD: dst = &city->field; break;
		case O_CKEY: key = optarg; break;
		case O_COUNTRY: dst = &city->country; break;
		case O_TZ: dst = &city->tz; break;
		case O_ROLE: dst = &city->role; break;
		case O_TERM: dst = &city->term_end; break;
		case O_YEAR:
			if (cli_parse_u64(optarg, UCCN_MIN_YEAR, UCCN_MAX_YEAR, &year)) {
				rc = cli_usage(cmd, "--year '%s': give a year from %d to %d",
					       optarg, UCCN_MIN_YEAR, UCCN_MAX_YEAR);
				goto out;
			}
			city->year = (uint32_t)year;
			break;
		default:
			COMMON_OPTION(g, cmd, c, &rc, out);
		}
		if (dst && (rc = cli_str_set(dst, optarg)))
			goto out;
	}
	if (optind >= argc) {
		rc = cli_usage(cmd, "give the city's ID");
		goto out;
	}
	if ((rc = cli_str_set(&city->id, argv[optind++])) || (rc = no_arguments(cmd, argc, argv)))
		goto out;
	if (!city->name || !city->field || !key) {
		rc = cli_usage(cmd, "--name, --field and --key are required");
		goto out;
	}
	if (!uccn_key_z85_valid(key)) {
		rc = cli_usage(cmd, "--key '%s': not a public key (40 Z85 characters, as 'uccn keygen' prints)", key);
		goto out;
	}
	memcpy(city->key, key, UCCN_KEY_Z85_LEN + 1);
	if (!city->role && (rc = cli_str_set(&city->role, "member")))
		goto out;
	if (uccn_city_check(city, err, sizeof err)) {
		rc = cli_usage(cmd, "%s", err);
		goto out;
	}
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK)
		g->out->city_added(city->id, rep.seq);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_city_list(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_FIELD = 1, O_COUNTRY };
	static const struct option opts[] = {
		{"field", required_argument, NULL, O_FIELD},
		{"country", required_argument, NULL, O_COUNTRY},
		CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = UCCN_OP_CITY_LIST};
	struct uccn_reply rep = {0};
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == O_FIELD)
			rc = cli_str_set(&req.field, optarg);
		else if (c == O_COUNTRY)
			rc = cli_str_set(&req.country, optarg);
		else
			COMMON_OPTION(g, cmd, c, &rc, out);
		if (rc)
			goto out;
	}
	if ((rc = no_arguments(cmd, argc, argv)))
		goto out;
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK)
		g->out->cities(rep.cities, rep.ncities);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

/* ---- posts ---- */

/* Read all of standard input, at most UCCN_MAX_BODY bytes. */
static int read_body_stdin(char **out)
{
	size_t cap = UCCN_MAX_BODY + 1, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		return EXIT_REFUSED;
	while (n < cap) {
		ssize_t r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "uccn: cannot read standard input: %s\n", strerror(errno));
			free(buf);
			return EXIT_REFUSED;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > UCCN_MAX_BODY) {
		fprintf(stderr, "uccn: the body on standard input is longer than %d bytes\n", UCCN_MAX_BODY);
		free(buf);
		return EXIT_USAGE;
	}
	if (memchr(buf, '\0', n)) {
		fprintf(stderr, "uccn: the body on standard input holds a NUL byte: not text\n");
		free(buf);
		return EXIT_USAGE;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* A --kind that is none: name them all, and the nearest. */
static int bad_kind(const struct command *cmd, const char *kind)
{
	char all[256] = "";
	size_t n = 0, used = 0;
	for (; uccn_post_kinds[n]; n++)
		used += (size_t)snprintf(all + used, sizeof all - used, "%s%s", n ? ", " : "",
					 uccn_post_kinds[n]);
	const char *near = cli_suggest(kind, uccn_post_kinds, n);
	if (near)
		return cli_usage(cmd, "kind '%s' is not a post kind: %s; did you mean '%s'?",
				 kind, all, near);
	return cli_usage(cmd, "kind '%s' is not a post kind: %s", kind, all);
}

int cmd_post(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_KIND = 1, O_PROJECT, O_MEETING, O_TITLE, O_MINUTES, O_KEYID, O_TO,
	       O_PRIORITY, O_REMOTE, O_PIN };
	static const struct option opts[] = {
		{"kind", required_argument, NULL, O_KIND},
		{"project", required_argument, NULL, O_PROJECT},
		{"meeting", required_argument, NULL, O_MEETING},
		{"title", required_argument, NULL, O_TITLE},
		{"minutes", required_argument, NULL, O_MINUTES},
		{"key-id", required_argument, NULL, O_KEYID},
		{"to", required_argument, NULL, O_TO},
		{"priority", required_argument, NULL, O_PRIORITY},
		{"remote", no_argument, NULL, O_REMOTE},
		{"pin", required_argument, NULL, O_PIN},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = UCCN_OP_POST};
	struct uccn_reply rep = {0};
	struct uccn_post *p = &req.post;
	char *stdin_body = NULL;
	char err[256];
	uint64_t minutes = 0;
	int c, rc;
	if ((rc = cli_str_set(&p->kind, "update")))
		goto out;
	/* "- item one" is a body, not options: getopt would take it apart. */
	const char *dash_body = cli_take_dash_argument(&argc, argv, opts);
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		char **dst = NULL;
		switch (c) {
		case O_KIND:
			if (!uccn_post_kind_valid(optarg)) {
				rc = bad_kind(cmd, optarg);
				goto out;
			}
			dst = &p->kind;
			break;
		case O_PROJECT: dst = &p->project; break;
		case O_MEETING: dst = &p->meeting; break;
		case O_TITLE: dst = &p->title; break;
		case O_KEYID: dst = &p->idem_key; break;
		case O_PRIORITY: dst = &p->priority; break;
		case O_REMOTE: p->remote = true; break;
		case O_PIN: dst = &p->pin; break;
		case O_TO:
			if (!uccn_audience_valid(optarg)) {
				rc = cli_usage(cmd, "--to '%s': say city:ID, project:ID, field:NAME or all", optarg);
				goto out;
			}
			if (uccn_idlist_add(&p->to, optarg) == UCCN_E_NOMEM) {
				rc = EXIT_REFUSED;
				goto out;
			}
			break;
		case O_MINUTES:
			if (cli_parse_u64(optarg, 1, UCCN_MAX_MINUTES, &minutes)) {
				rc = cli_usage(cmd, "--minutes '%s': give 1 to %d", optarg, UCCN_MAX_MINUTES);
				goto out;
			}
			p->minutes = (uint32_t)minutes;
			break;
		default:
			COMMON_OPTION(g, cmd, c, &rc, out);
		}
		if (dst && (rc = cli_str_set(dst, optarg)))
			goto out;
	}
	if (optind >= argc && !dash_body) {
		rc = cli_usage(cmd, "give the post's BODY, or '-' to read it from standard input");
		goto out;
	}
	const char *body = dash_body ? dash_body : argv[optind++];
	if ((rc = no_arguments(cmd, argc, argv)))
		goto out;
	if (strcmp(body, "-") == 0) {
		if ((rc = read_body_stdin(&stdin_body)))
			goto out;
		body = stdin_body;
	}
	if ((rc = cli_str_set(&p->body, body)))
		goto out;
	if (uccn_post_check(p, err, sizeof err)) {
		rc = cli_usage(cmd, "%s", err);
		goto out;
	}
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK)
		g->out->posted(rep.seq, rep.duplicate, rep.created_ms);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	free(stdin_body);
	return rc;
}

int cli_query_option(const struct command *cmd, int opt, const char *arg,
		     struct uccn_query *q)
{
	switch (opt) {
	case OPT_Q_KIND:
		if (!uccn_post_kind_valid(arg))
			return bad_kind(cmd, arg);
		return cli_str_set(&q->kind, arg);
	case OPT_Q_CITY: case OPT_Q_PROJECT: case OPT_Q_MEETING:
		if (!uccn_id_valid(arg))
			return cli_usage(cmd, "'%s' is not an id (a-z, 0-9, '-')", arg);
		return cli_str_set(opt == OPT_Q_CITY ? &q->city :
				   opt == OPT_Q_PROJECT ? &q->project : &q->meeting, arg);
	default:
		return -1;
	}
}

/* A filter naming a city, project or meeting that is not there would
 * list nothing, as if it had no posts: say so instead, as `city show`
 * does. Asked on the list's own connection, so the wire stays as it is. */
static int filters_exist(struct cli *g, const struct uccn_query *q)
{
	const struct { enum uccn_op op; const char *what, *id; } f[] = {
		{UCCN_OP_CITY_SHOW, "city", q->city},
		{UCCN_OP_PROJECT_SHOW, "project", q->project},
		{UCCN_OP_MEETING_SHOW, "meeting", q->meeting},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		const char *id = f[i].id;
		if (!id)
			continue;
		struct uccn_request req = {.op = f[i].op};
		struct uccn_reply rep = {0};
		int rc = cli_str_set(&req.name, id);
		if (rc == EXIT_OK && cli_call_quiet(g, &req, &rep) == UCCN_E_NOTFOUND) {
			fprintf(stderr, "uccn: there is no %s '%s'\n", f[i].what, id);
			rc = EXIT_NOTFOUND;
		}
		/* Anything else (down, denied) the list itself will report. */
		uccn_reply_clear(&rep);
		uccn_request_clear(&req);
		if (rc)
			return rc;
	}
	return EXIT_OK;
}

int cmd_list(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_SINCE = 1, O_BEFORE, O_LIMIT };
	static const struct option opts[] = {
		CLI_QUERY_OPTIONS,
		{"since", required_argument, NULL, O_SINCE},
		{"before", required_argument, NULL, O_BEFORE},
		{"limit", required_argument, NULL, O_LIMIT},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = UCCN_OP_LIST};
	struct uccn_reply rep = {0};
	struct uccn_query *q = &req.query;
	uint64_t v;
	int c, rc;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if ((rc = cli_query_option(cmd, c, optarg, q)) >= 0) {
			if (rc)
				goto out;
			continue;
		}
		switch (c) {
		case O_SINCE: case O_BEFORE:
			if (cli_parse_u64(optarg, 0, UINT64_MAX, &v)) {
				rc = cli_usage(cmd, "--%s '%s': give a sequence number",
					       c == O_SINCE ? "since" : "before", optarg);
				goto out;
			}
			*(c == O_SINCE ? &q->since : &q->before) = v;
			break;
		case O_LIMIT:
			if (cli_parse_u64(optarg, 1, UCCN_LIST_MAX, &v)) {
				rc = cli_usage(cmd, "--limit '%s': give 1 to %d", optarg, UCCN_LIST_MAX);
				goto out;
			}
			q->limit = (uint32_t)v;
			break;
		default:
			COMMON_OPTION(g, cmd, c, &rc, out);
		}
	}
	if ((rc = no_arguments(cmd, argc, argv)) || (rc = filters_exist(g, q)))
		goto out;
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK)
		g->out->posts(rep.posts, rep.nposts, rep.next);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_show(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0}};
	struct uccn_request req = {.op = UCCN_OP_SHOW};
	struct uccn_reply rep = {0};
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		COMMON_OPTION(g, cmd, c, &rc, out);
	if (optind >= argc) {
		rc = cli_usage(cmd, "give the post's sequence number");
		goto out;
	}
	if (cli_parse_u64(argv[optind], 1, UINT64_MAX, &req.seq)) {
		rc = cli_usage(cmd, "'%s' is not a sequence number", argv[optind]);
		goto out;
	}
	optind++;
	if ((rc = no_arguments(cmd, argc, argv)))
		goto out;
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK && rep.nposts == 1)
		g->out->post(&rep.posts[0]);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_status(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0}};
	struct uccn_request req = {.op = UCCN_OP_STATUS};
	struct uccn_reply rep = {0};
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		COMMON_OPTION(g, cmd, c, &rc, out);
	if ((rc = no_arguments(cmd, argc, argv)))
		goto out;
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK)
		g->out->status(g->endpoint, client_server_key(g->conn), client_own_key(g->conn),
			       &rep.info);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}
