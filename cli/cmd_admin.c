/*
 * cmd_admin.c - uccn's commands for the coordinator's work on the network
 * itself (SPEC 4.20): admin handover, admin log.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "uccn_records.h"

/* The command's one argument, what, into *out; EXIT_OK or a usage error. */
static int one_argument(const struct command *cmd, int argc, char **argv, const char *what,
			const char **out)
{
	if (optind >= argc)
		return cli_usage(cmd, "give the %s", what);
	*out = argv[optind++];
	if (optind < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

/* The global options, the only ones these commands take: false to go
 * on, true when the command ends now with *rc (after --help, EXIT_OK). */
static bool only_global_options(struct cli *g, const struct command *cmd, int argc,
				char **argv, int *rc)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0}};
	bool done = false;
	int c;
	*rc = EXIT_OK;
	while (!done && (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		*rc = cli_common_option(g, cmd, c, argv, &done);
	return done;
}

int cmd_admin_handover(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	struct uccn_request req = {.op = UCCN_OP_ADMIN_HANDOVER}, who = {.op = UCCN_OP_STATUS};
	struct uccn_reply rep = {0}, me = {0};
	const char *city;
	int rc;
	if (only_global_options(g, cmd, argc, argv, &rc))
		return rc;
	if ((rc = one_argument(cmd, argc, argv, "CITY that becomes the coordinator", &city)))
		return rc;
	if (!uccn_id_valid(city))
		return cli_usage(cmd, "'%s' is not a city id (a-z, 0-9, '-')", city);
	/* Who hands over: the reply names only the change. */
	if ((rc = cli_call(g, &who, &me)) || (rc = cli_str_set(&req.name, city)))
		goto out;
	if ((rc = cli_call(g, &req, &rep)) == EXIT_OK)
		g->out->handed_over(city, me.info.city ? me.info.city : "your city", rep.seq);
out:
	uccn_reply_clear(&me);
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_admin_log(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	static const char *const levels[] = {"error", "warn", "info", "debug"};
	struct uccn_request req = {.op = UCCN_OP_ADMIN_LOG};
	struct uccn_reply rep = {0};
	const char *level;
	bool known = false;
	int rc;
	if (only_global_options(g, cmd, argc, argv, &rc))
		return rc;
	if ((rc = one_argument(cmd, argc, argv, "LEVEL: error, warn, info or debug", &level)))
		return rc;
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
		known = known || strcmp(level, levels[i]) == 0;
	if (!known)
		return cli_usage(cmd, "LEVEL '%s': give error, warn, info or debug", level);
	if ((rc = cli_str_set(&req.log_level, level)) == EXIT_OK &&
	    (rc = cli_call(g, &req, &rep)) == EXIT_OK)
		g->out->log_level(rep.log_was, rep.log_level);
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}
