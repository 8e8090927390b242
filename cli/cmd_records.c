/*
 * cmd_records.c - uccn's commands over the network's records: creative
 * fields and a city's show and update (its rekey is cmd_rekey.c, the bulk
 * import of cities cmd_import.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "uccn_error.h"
#include "uccn_limits.h"


static int one_argument(const struct command *cmd, int argc, char **argv,
			const char *what, const char **out)
{
	if (optind >= argc)
		return cli_usage(cmd, "give the %s", what);
	*out = argv[optind++];
	if (optind < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

int cmd_field_add(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0}};
	struct uccn_request req = {.op = UCCN_OP_FIELD_ADD};
	struct uccn_reply rep = {0};
	const char *name;
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		COMMON_OPTION(g, cmd, c, &rc, out);
	if ((rc = one_argument(cmd, argc, argv, "field's NAME", &name)))
		goto out;
	if (!uccn_field_name_valid(name)) {
		rc = cli_usage(cmd, "'%s' is not a field name: a-z, 0-9 and '_', starting with a letter", name);
		goto out;
	}
	if ((rc = cli_str_set(&req.name, name)))
		goto out;
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK)
		g->out->field_added(name, rep.seq);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_field_list(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0}};
	struct uccn_request req = {.op = UCCN_OP_FIELD_LIST};
	struct uccn_reply rep = {0};
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		COMMON_OPTION(g, cmd, c, &rc, out);
	if (optind < argc) {
		rc = cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK)
		g->out->fields((const char *const *)rep.fields, rep.nfields);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

/* Fetch city id into rep (rep->cities[0]). */
static int fetch_city(struct cli *g, const char *id, struct uccn_reply *rep)
{
	struct uccn_request req = {.op = UCCN_OP_CITY_SHOW};
	int rc = cli_str_set(&req.name, id);
	if (rc == EXIT_OK)
		rc = cli_call(g, &req, rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_city_show(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0}};
	struct uccn_reply rep = {0};
	const char *id;
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		COMMON_OPTION(g, cmd, c, &rc, out);
	if ((rc = one_argument(cmd, argc, argv, "city's ID", &id)))
		goto out;
	if (!uccn_id_valid(id)) {
		rc = cli_usage(cmd, "'%s' is not a city id", id);
		goto out;
	}
	rc = fetch_city(g, id, &rep);
	if (rc == EXIT_OK && rep.ncities == 1)
		g->out->city(&rep.cities[0]);
out:
	uccn_reply_clear(&rep);
	return rc;
}

int cmd_city_update(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_NAME = 1, O_FIELD, O_COUNTRY, O_YEAR, O_TZ, O_ROLE, O_TERM, O_IFV };
	static const struct option opts[] = {
		{"term-end", required_argument, NULL, O_TERM},
		{"name", required_argument, NULL, O_NAME},
		{"field", required_argument, NULL, O_FIELD},
		{"country", required_argument, NULL, O_COUNTRY},
		{"year", required_argument, NULL, O_YEAR},
		{"tz", required_argument, NULL, O_TZ},
		{"role", required_argument, NULL, O_ROLE},
		{"if-version", required_argument, NULL, O_IFV},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	const char *set[O_IFV + 1] = {0};
	struct uccn_request req = {.op = UCCN_OP_CITY_UPDATE};
	struct uccn_reply cur = {0}, rep = {0};
	uint64_t year = 0;
	const char *id;
	char err[256];
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c >= O_NAME && c <= O_TERM) {
			set[c] = optarg;
			if (c == O_YEAR && strcmp(optarg, "0") != 0 &&
			    cli_parse_u64(optarg, UCCN_MIN_YEAR, UCCN_MAX_YEAR, &year)) {
				rc = cli_usage(cmd, "--year '%s': give a year from %d to %d, or 0 for unknown",
					       optarg, UCCN_MIN_YEAR, UCCN_MAX_YEAR);
				goto out;
			}
		} else if (c == O_IFV) {
			if (cli_parse_u64(optarg, 1, UINT64_MAX, &req.if_version)) {
				rc = cli_usage(cmd, "--if-version '%s': give the version you read", optarg);
				goto out;
			}
		} else {
			COMMON_OPTION(g, cmd, c, &rc, out);
		}
	}
	if ((rc = one_argument(cmd, argc, argv, "city's ID", &id)))
		goto out;
	if (!req.if_version) {
		rc = cli_usage(cmd, "--if-version N is required: the version you read (uccn city show %s)", id);
		goto out;
	}
	/* The wire carries the whole record: start from the stored one and
	 * change what was asked. The server refuses it if the version moved. */
	if ((rc = fetch_city(g, id, &cur)))
		goto out;
	if (uccn_city_copy(&req.city, &cur.cities[0])) {
		rc = EXIT_REFUSED;
		goto out;
	}
	char **dst[] = {NULL, &req.city.name, &req.city.field, &req.city.country, NULL,
			&req.city.tz, &req.city.role, &req.city.term_end};
	for (int o = O_NAME; o <= O_TERM; o++)
		if (set[o] && dst[o] && (rc = cli_str_set(dst[o], set[o][0] ? set[o] : NULL)))
			goto out;
	if (set[O_YEAR])
		req.city.year = (uint32_t)year;
	if (uccn_city_check(&req.city, err, sizeof err)) {
		rc = cli_usage(cmd, "%s", err);
		goto out;
	}
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK)
		g->out->record_changed("city", id, rep.seq, rep.version);
out:
	uccn_reply_clear(&rep);
	uccn_reply_clear(&cur);
	uccn_request_clear(&req);
	return rc;
}
