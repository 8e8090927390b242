/*
 * cmd_records.c - uccn's commands over the network's records: creative
 * fields, a city's show/update/rekey, and the bulk import of cities.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "import.h"
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

int cmd_city_rekey(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_CKEY = 1 };
	static const struct option opts[] = {
		{"key", required_argument, NULL, O_CKEY},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = UCCN_OP_CITY_REKEY};
	struct uccn_reply rep = {0};
	const char *id, *key = NULL;
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == O_CKEY)
			key = optarg;
		else
			COMMON_OPTION(g, cmd, c, &rc, out);
	}
	if ((rc = one_argument(cmd, argc, argv, "city's ID", &id)))
		goto out;
	if (!key || !uccn_key_z85_valid(key)) {
		rc = cli_usage(cmd, "--key PUBLIC_KEY is required: 40 Z85 characters, as 'uccn keygen' prints");
		goto out;
	}
	if ((rc = cli_str_set(&req.city.id, id)))
		goto out;
	memcpy(req.city.key, key, UCCN_KEY_Z85_LEN + 1);
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK)
		g->out->record_changed("city", id, rep.seq, rep.version);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_import_cities(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_OVERWRITE = 1 };
	static const struct option opts[] = {
		{"overwrite", no_argument, NULL, O_OVERWRITE},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = UCCN_OP_CITY_IMPORT};
	struct uccn_reply rep = {0};
	struct import_row *rows = NULL;
	size_t n = 0, len = 0;
	char *text = NULL, err[512];
	const char *path;
	int c, rc = EXIT_OK;
	bool tty = isatty(STDERR_FILENO);
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == O_OVERWRITE)
			req.overwrite = true;
		else
			COMMON_OPTION(g, cmd, c, &rc, out);
	}
	if ((rc = one_argument(cmd, argc, argv, "CSV FILE", &path)))
		goto out;
	if ((rc = read_small_file(path, 16u << 20, &text, &len, err, sizeof err))) {
		fprintf(stderr, "uccn: %s\n", err);
		rc = rc == UCCN_E_NOTFOUND ? EXIT_NOTFOUND : EXIT_USAGE;
		goto out;
	}
	if (tty)
		fprintf(stderr, "reading %s (%zu bytes)...\n", path, len);
	rc = import_cities_csv(text, len, &rows, &n, err, sizeof err);
	if (rc) {
		fprintf(stderr, "uccn: %s: %s; nothing was imported\n", path, err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (n > UCCN_MAX_IMPORT) {
		fprintf(stderr, "uccn: %s has %zu cities; one import takes at most %d (split the file, by field for instance)\n",
			path, n, UCCN_MAX_IMPORT);
		rc = EXIT_USAGE;
		goto out;
	}
	req.cities = calloc(n ? n : 1, sizeof *req.cities);
	if (!req.cities) {
		rc = EXIT_REFUSED;
		goto out;
	}
	/* Moved, not shared: the request owns each city from here on, and the
	 * rows keep only their line numbers, for the server's error. */
	for (size_t i = 0; i < n; i++) {
		req.cities[i] = rows[i].city;
		memset(&rows[i].city, 0, sizeof rows[i].city);
	}
	req.ncities = n;
	if (tty)
		fprintf(stderr, "sending %zu cities in one transaction...\n", n);
	rc = cli_call(g, &req, &rep);
	if (rc != EXIT_OK && rep.error_index >= 1 && rep.error_index <= n)
		fprintf(stderr, "uccn: %s line %zu: %s; nothing was imported\n", path,
			rows[rep.error_index - 1].line, rep.message ? rep.message : "refused");
	else if (rc == EXIT_OK)
		g->out->imported(path, &rep);
out:
	free(text);
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	import_rows_free(&rows, n);
	return rc;
}
