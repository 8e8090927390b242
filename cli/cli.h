/*
 * cli.h - what uccn's commands share: the global options, exit codes, the
 * output in use, and the one way to call the daemon.
 */
#ifndef UCCN_CLI_H
#define UCCN_CLI_H

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>

#include "output.h"
#include "profile.h"
#include "uccn_msg.h"

/* Exit codes, documented in uccn(1). */
enum {
	EXIT_OK = 0,
	EXIT_REFUSED = 1,     /* the server refused the request, or it failed */
	EXIT_USAGE = 2,       /* bad command line */
	EXIT_NOTFOUND = 3,
	EXIT_DENIED = 4,      /* role not allowed, or key not registered */
	EXIT_UNREACHABLE = 5, /* no answer in time */
	EXIT_CONFLICT = 6,    /* exists already, or stale version */
};

struct cli {
	const char *endpoint;     /* NULL until resolved */
	const char *server_key;
	const char *key;
	const char *profile;      /* --profile, else $UCCN_PROFILE */
	int timeout_ms;           /* 0 until resolved: no --timeout given */
	bool json;
	const struct output *out;
	char data_dir[PATH_MAX];
	char server_key_buf[PATH_MAX + 32];
	char key_buf[PATH_MAX + 32];
	struct client *conn;      /* cli_call's connection, opened on first use */
	bool resolved;            /* the settings below the flags are filled in */
	struct profile prof;      /* the profile in use, if any */
};
struct client;

/* Long options every command accepts after its name too. Command options
 * come first in each table, so a command may reuse a name (city add --key). */
enum {
	OPT_ENDPOINT = 1000,
	OPT_SERVER_KEY,
	OPT_KEY,
	OPT_TIMEOUT,
	OPT_JSON,
	OPT_PROFILE,
};
#define CLI_GLOBAL_OPTIONS \
	{"endpoint", required_argument, NULL, OPT_ENDPOINT}, \
	{"server-key", required_argument, NULL, OPT_SERVER_KEY}, \
	{"key", required_argument, NULL, OPT_KEY}, \
	{"timeout", required_argument, NULL, OPT_TIMEOUT}, \
	{"json", no_argument, NULL, OPT_JSON}, \
	{"profile", required_argument, NULL, OPT_PROFILE}, \
	{"help", no_argument, NULL, 'h'}

/* The post filters list and watch share. */
enum {
	OPT_Q_KIND = 900,
	OPT_Q_CITY,
	OPT_Q_PROJECT,
	OPT_Q_MEETING,
};
#define CLI_QUERY_OPTIONS \
	{"kind", required_argument, NULL, OPT_Q_KIND}, \
	{"city", required_argument, NULL, OPT_Q_CITY}, \
	{"project", required_argument, NULL, OPT_Q_PROJECT}, \
	{"meeting", required_argument, NULL, OPT_Q_MEETING}

struct command;

/* Apply a CLI_QUERY_OPTIONS option to q (a copy of arg, q's own): 0 when
 * taken, EXIT_USAGE on a bad value (after saying why), EXIT_REFUSED when
 * memory runs out, -1 when opt is none of them. */
int cli_query_option(const struct command *cmd, int opt, const char *arg,
		     struct uccn_query *q);

struct command {
	const char *group;   /* "city" for "city add", NULL for one word */
	const char *name;
	int (*run)(struct cli *g, const struct command *cmd, int argc, char **argv);
	const char *usage;   /* the synopsis after "uccn " */
	const char *help;    /* what it does and its options */
};

/* Apply a global option; 0 when taken, EXIT_USAGE on a bad value (with a
 * message), -1 when opt is not a global option. */
int cli_global_option(struct cli *g, int opt, const char *arg);

/* Print "uccn: <message>" and the command's usage hint; returns EXIT_USAGE. */
int cli_usage(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print the command's full help on stdout; returns EXIT_OK. */
int cli_help(const struct command *cmd);
/* The getopt loop's default case: globals, --help, or a usage error. Sets
 * *done when the command must return *exit_code now. */
int cli_common_option(struct cli *g, const struct command *cmd, int opt,
		      char **argv, bool *done);

/* A command's getopt loop, default case: globals, --help, or a usage
 * error. When the command must end now, *rc holds its exit code and the
 * command goes to its cleanup label, so what it filled so far is freed. */
#define COMMON_OPTION(g, cmd, c, rc, cleanup) \
	do { \
		bool done_; \
		*(rc) = cli_common_option((g), (cmd), (c), argv, &done_); \
		if (done_) \
			goto cleanup; \
	} while (0)

/* uccn_str_set for a command: EXIT_OK, or EXIT_REFUSED when memory runs
 * out. Every string of a request goes in through it (uccn_records.h). */
int cli_str_set(char **dst, const char *src);

/* Parse a whole decimal number in [min, max]; 0 or -1. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Send req, wait for the reply. On success (a reply with status 0) returns
 * EXIT_OK with rep filled; otherwise prints why and returns the exit code.
 * The calls of one command share one connection (one CURVE handshake). */
int cli_call(struct cli *g, struct uccn_request *req, struct uccn_reply *rep);
/* The same without printing anything: 0, the transport error, or the
 * reply's status. For "is there one?" questions. */
int cli_call_quiet(struct cli *g, struct uccn_request *req, struct uccn_reply *rep);
/* Close the shared connection (main does, after the command). */
void cli_disconnect(struct cli *g);

/* A connection of its own, for a client that manages it (watch). Returns
 * EXIT_OK or an exit code after saying why. */
int cli_connect(struct cli *g, struct client **c);

/* Map a uccn error code to an exit code. */
int cli_exit_for(int code);

int cmd_keygen(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_city_add(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_city_list(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_post(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_list(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_show(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_status(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_field_add(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_field_list(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_city_show(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_city_update(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_city_rekey(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_import_cities(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_project_add(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_project_update(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_project_show(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_project_list(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_project_join(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_project_leave(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_meeting_add(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_meeting_update(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_meeting_show(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_meeting_list(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_inbox(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_watch(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_agenda(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_profile_list(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_profile_show(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_profile_use(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_profile_add(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_profile_remove(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_key_show(struct cli *g, const struct command *cmd, int argc, char **argv);

/* Fill in the connection settings no flag gave: environment, profile, the
 * local daemon's files, defaults (uccn(1), PROFILES). EXIT_OK or an exit
 * code after saying why. */
int cli_resolve(struct cli *g);

/* How long a call waits for the daemon when neither a flag nor a profile
 * says. */
#define CLI_DEFAULT_TIMEOUT_MS 10000
int cmd_city_invite(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_join(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_admin_handover(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_admin_log(struct cli *g, const struct command *cmd, int argc, char **argv);
int cmd_admin_backup(struct cli *g, const struct command *cmd, int argc, char **argv);

#endif
