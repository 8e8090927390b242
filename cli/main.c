/*
 * main.c - uccn: global options, the command table and dispatch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "suggest.h"
#include "profile.h"
#include "uccn_defaults.h"
#include "uccn_error.h"

static const struct command commands[] = {
	{NULL, "post", cmd_post,
	 "post [--kind K] [--to AUDIENCE]... [--project ID] [--meeting ID] [--title T] [--minutes N] [--priority P] [--remote] [--pin [DAY:]HH:MM] [--key-id KEY] BODY|-",
	 "Post as your city (the daemon knows it by your key). Prints the new\n"
	 "post's sequence number.\n"
	 "  --kind K        update (default), news, proposal, agenda-item,\n"
	 "                  good-practice, report or message\n"
	 "  --project ID    the joint project it is about\n"
	 "  --meeting ID    the meeting it is for\n"
	 "  --title T       one line\n"
	 "  --minutes N     minutes requested (agenda items)\n"
	 "  --priority P    high, normal (default) or low (agenda items, proposals)\n"
	 "  --remote        the presenter joins on-line (hybrid meetings)\n"
	 "  --pin [DAY:]HH:MM  ask for this time (day 1 unless DAY is given)\n"
	 "  --to AUDIENCE   city:ID, project:ID (its lead and partners), field:NAME\n"
	 "                  or all; repeatable. The post lands in their mailboxes\n"
	 "                  (uccn inbox). A message (--kind message) is seen only\n"
	 "                  by its audience and its author.\n"
	 "  --key-id KEY    idempotency key: a retry with the same key stores\n"
	 "                  nothing new and answers with the first post's seq\n"
	 "  BODY            the text; '-' reads it from standard input\n"},
	{NULL, "list", cmd_list,
	 "list [--kind K] [--city C] [--project P] [--meeting M] [--since SEQ] [--before SEQ] [--limit N]",
	 "List posts, newest first.\n"
	 "  --kind K        only this kind\n"
	 "  --city C        only posts by city C\n"
	 "  --project P     only posts about project P\n"
	 "  --meeting M     only posts for meeting M\n"
	 "  --since SEQ     only posts after SEQ\n"
	 "  --before SEQ    only posts before SEQ (the next page)\n"
	 "  --limit N       at most N posts (default 20, at most 500)\n"},
	{NULL, "show", cmd_show, "show SEQ", "Show one post in full.\n"},
	{NULL, "inbox", cmd_inbox, "inbox [--ack SEQ] [--limit N]",
	 "What was addressed to your city and is unread, oldest first. Mailboxes\n"
	 "are durable: a city that was offline finds everything here.\n"
	 "  --ack SEQ       mark everything up to SEQ read\n"
	 "  --limit N       show at most N (default 100)\n"},
	{NULL, "watch", cmd_watch,
	 "watch [--since SEQ] [--state FILE] [--kind K] [--city C] [--project P] [--meeting M]",
	 "Print every new post your city may see as it is committed, one line\n"
	 "each (JSON lines with --json), until interrupted. If the daemon goes\n"
	 "away it keeps trying and resumes after the last post it printed: no gaps,\n"
	 "no repeats.\n"
	 "  --since SEQ     start after SEQ (default: from now)\n"
	 "  --state FILE    keep the position in FILE, durably; a restarted watch\n"
	 "                  resumes from it\n"},
	{"city", "add", cmd_city_add,
	 "city add ID --name NAME --field FIELD --key PUBLIC_KEY [--country C] [--year Y] [--tz ZONE] [--role R] [--term-end DATE]",
	 "Register a city (coordinator or secretariat).\n"
	 "  ID              a-z, 0-9 and '-', e.g. krakow\n"
	 "  --name NAME     display name, e.g. Kraków\n"
	 "  --field FIELD   creative field, e.g. literature\n"
	 "  --key KEY       the city's CURVE public key (from 'uccn keygen')\n"
	 "  --country C     country\n"
	 "  --year Y        year designated\n"
	 "  --tz ZONE       IANA time zone, e.g. Europe/Warsaw\n"
	 "  --role R        member (default), coordinator, deputy or secretariat\n"
	 "  --term-end DATE YYYY-MM-DD: a coordinator's or deputy's term ends then;\n"
	 "                  the field's annual meeting before it holds the election\n"},
	{"city", "list", cmd_city_list, "city list [--field F] [--country C]",
	 "List the registered cities, in id order.\n"
	 "  --field F       only cities of creative field F\n"
	 "  --country C     only cities of country C (case ignored)\n"},
	{"city", "show", cmd_city_show, "city show ID", "Show one city, with its version.\n"},
	{"city", "update", cmd_city_update,
	 "city update ID --if-version N [--name NAME] [--field F] [--country C] [--year Y] [--tz ZONE] [--role R] [--term-end DATE]",
	 "Change a city (coordinator or secretariat). --if-version names the\n"
	 "version you read (uccn city show); if the city changed since, the update\n"
	 "is refused as a conflict (exit 6) and nothing is merged.\n"
	 "An empty value clears an optional field; --year 0 clears the year.\n"},
	{"city", "rekey", cmd_city_rekey, "city rekey ID --key PUBLIC_KEY | --write FILE",
	 "Give a city a new key (coordinator or secretariat): the old key stops\n"
	 "working at once, on connections already open too.\n"
	 "  --key KEY       the new public key (from 'uccn keygen' where the city is)\n"
	 "  --write FILE    make the new key pair here, and once the server has\n"
	 "                  taken its public key, write the pair to FILE (mode\n"
	 "                  0600, replacing it whole; FILE may be the key file this\n"
	 "                  command uses). Rekeying your own city without it leaves\n"
	 "                  your key file refused: uccn warns and says what to do.\n"},
	{"field", "add", cmd_field_add, "field add NAME",
	 "Add a creative field (coordinator or secretariat), e.g. architecture.\n"},
	{"field", "list", cmd_field_list, "field list", "List the creative fields.\n"},
	{"project", "add", cmd_project_add,
	 "project add ID --title T --lead CITY [--partner CITY]... [--field F]... [--status S] [--start DATE] [--end DATE] [--description TEXT]",
	 "Add a joint project. A member adds only projects it leads; the\n"
	 "coordinator and the secretariat add any. Lead, partners and fields must\n"
	 "exist. --partner and --field repeat, or take comma-separated lists.\n"
	 "  --status S      proposed (default), active, completed or cancelled\n"
	 "  --start, --end  dates as YYYY-MM-DD\n"},
	{"project", "update", cmd_project_update,
	 "project update ID --if-version N [project add's options]",
	 "Change a project (its lead, the coordinator or the secretariat). Given\n"
	 "--partner or --field options replace those lists; an empty value clears\n"
	 "an optional field. A stale --if-version is refused as a conflict (exit 6).\n"},
	{"project", "show", cmd_project_show, "project show ID", "Show one project, with its version.\n"},
	{"project", "list", cmd_project_list, "project list [--status S] [--field F] [--city C]",
	 "List projects in id order; --city matches the lead or a partner.\n"},
	{"project", "join", cmd_project_join, "project join ID", "Join a project as a partner (your own city).\n"},
	{"project", "leave", cmd_project_leave, "project leave ID",
	 "Leave a project you are a partner of; its lead cannot leave.\n"},
	{"meeting", "add", cmd_meeting_add,
	 "meeting add ID --kind K [--field F] --host CITY[,CITY] --start DATE --end DATE --tz ZONE [--place P] [--day-start HH:MM] [--day-end HH:MM] [--max-session N] [--hybrid]",
	 "Add a meeting (the coordinator or the secretariat; a field's deputy for\n"
	 "its own field's meetings).\n"
	 "  --kind K        annual-meeting (of one field: give --field), conference\n"
	 "                  (the whole network) or working-group\n"
	 "  --host CITIES   host cities, repeatable or comma-separated\n"
	 "  --tz ZONE       the meeting's IANA time zone\n"
	 "  --day-start, --day-end  daily hours, default 09:00 to 17:30\n"
	 "  --max-session N the longest session between breaks, 30 to 240 minutes\n"
	 "                  in steps of 5 (default 90; 0 on update: the default)\n"
	 "  --hybrid        some cities join on-line\n"},
	{"meeting", "update", cmd_meeting_update,
	 "meeting update ID --if-version N [meeting add's options] [--status S] [--no-hybrid]",
	 "Change a meeting. Status: planned, agenda-draft, agenda-published, held,\n"
	 "closed. A stale --if-version is refused as a conflict (exit 6).\n"},
	{"meeting", "show", cmd_meeting_show, "meeting show ID", "Show one meeting, with its version.\n"},
	{"meeting", "list", cmd_meeting_list, "meeting list [--field F] [--status S]",
	 "List meetings in id order.\n"},
	{NULL, "agenda", cmd_agenda, "agenda MEETING [--format md|html|ics|json] [-o FILE] [--publish | --diff]",
	 "Build the meeting's agenda from the records: opening and the\n"
	 "coordinator's report, welcome of cities designated since the previous\n"
	 "meeting of the series, elections for terms ending before the next one,\n"
	 "a report per active joint project of the field, proposals and agenda\n"
	 "items (by requested minutes, priority and submission), good practice\n"
	 "shared since the previous meeting, items it left deferred, the next\n"
	 "meeting's host, closing; with coffee and lunch breaks, within the\n"
	 "meeting's daily hours. In a hybrid meeting on-line presenters get slots\n"
	 "in their daytime (08:00-20:00) and each slot names whom it\n"
	 "inconveniences. Same records, same agenda.\n"
	 "  --format F      md (default), html (a printable page), ics (iCalendar)\n"
	 "                  or json (also --json)\n"
	 "  -o, --output FILE  write there instead of standard output\n"
	 "  --publish       store it as the meeting's next version and notify the\n"
	 "                  meeting's cities (coordinator, secretariat, the field's\n"
	 "                  deputy); the iCalendar SEQUENCE follows the version\n"
	 "  --diff          what the last published version added, moved or\n"
	 "                  dropped against the one before\n"},
	{"import", "cities", cmd_import_cities, "import cities FILE.csv [--overwrite] [--progress]",
	 "Register or update cities from a CSV file with the header\n"
	 "city,country,field,year,tz,lat,lon (city and field required, the others\n"
	 "optional, any order), UTF-8, RFC 4180 quoting, CRLF or LF. Ids are\n"
	 "slugs of the names (Kraków -> krakow; two rows of one name get -FIELD).\n"
	 "All or nothing, in one transaction: a bad row stops the import with its\n"
	 "line number and nothing is written. Re-running the same file changes\n"
	 "nothing. Cities keep their keys and roles, and every field changed by\n"
	 "hand since the last import (a city never imported keeps every value\n"
	 "it has; the file fills what is empty): the import says which.\n"
	 "A file too large for one request (some 500 long rows) is sent in\n"
	 "chunks that the server holds, then committed in the same one\n"
	 "transaction; up to 5000 rows.\n"
	 "  --overwrite     take the file's values for those fields too\n"
	 "  --progress      say how the import goes on standard error (the\n"
	 "                  default when it is a terminal): 'staged 474/800 cities'\n"},
	{"city", "invite", cmd_city_invite, "city invite ID [--expires 7d] [--endpoint E]...",
	 "Invite a registered city to join from its own machine (coordinator or\n"
	 "secretariat). Prints one line to paste into 'uccn join' there; it holds\n"
	 "the endpoint, the server's key, the city and a secret good for one use.\n"
	 "  --expires T     valid for T: 7d (default), 12h, 30m, 45s; at most 90d\n"
	 "  --endpoint E    where the city connects (repeatable, up to 4), e.g.\n"
	 "                  tcp://coordinator.example.org:7246; default: where\n"
	 "                  uccnd listens\n"},
	{NULL, "join", cmd_join, "join INVITATION",
	 "Join the network with an invitation from the coordinator: make this\n"
	 "city's key pair here (the secret key never leaves this machine), enrol\n"
	 "its public key, and save and select a profile, so later commands need\n"
	 "no flags. Prints the server's key fingerprint and yours.\n"},
	{NULL, "keygen", cmd_keygen, "keygen -o FILE [--force]",
	 "Write a new CURVE key pair to FILE (mode 0600) and print its public key,\n"
	 "which the coordinator registers with 'uccn city add ... --key'.\n"
	 "  -o, --output FILE  where to write; an existing file is kept unless --force\n"},
	{"profile", "list", cmd_profile_list, "profile list",
	 "List the saved profiles; '*' marks the selected one.\n"},
	{"profile", "show", cmd_profile_show, "profile show [NAME]",
	 "Show a profile (default: the selected one), with the server key's\n"
	 "fingerprint.\n"},
	{"profile", "use", cmd_profile_use, "profile use NAME",
	 "Select the profile every command uses from now on.\n"},
	{"profile", "add", cmd_profile_add,
	 "profile add NAME --endpoint E --server-key FILE|KEY --key FILE [--json] [--timeout T] [--use]",
	 "Save connection settings as profile NAME in $XDG_CONFIG_HOME/uccn.\n"
	 "  --server-key    the server's public key file, or the key itself\n"
	 "  --key FILE      your city's key pair (its absolute path is kept)\n"
	 "  --json, --timeout  defaults for commands run with this profile\n"
	 "  --use           select it too\n"},
	{"profile", "remove", cmd_profile_remove, "profile remove NAME", "Delete a profile.\n"},
	{"key", "show", cmd_key_show, "key show FILE",
	 "Print a key file's public key, quoted for a shell and in hex, and its\n"
	 "fingerprint, to compare with the other side's.\n"},
	{"admin", "handover", cmd_admin_handover, "admin handover CITY",
	 "Make CITY the network's coordinator, and your city a member, in one\n"
	 "step (coordinator only). CITY must be registered with a key, as a\n"
	 "member or the secretariat. From then on your key has a member's rights\n"
	 "and CITY's key the coordinator's; a restart of uccnd keeps it so.\n"},
	{"admin", "log", cmd_admin_log, "admin log LEVEL",
	 "Set how much uccnd logs, at once (coordinator only): error, warn, info\n"
	 "or debug. It holds until uccnd restarts or reloads its settings\n"
	 "(SIGHUP), which put back log_level from its configuration.\n"},
	{"admin", "backup", cmd_admin_backup, "admin backup -o FILE [--json]",
	 "Take a backup of the server while it serves (coordinator only): its data,\n"
	 "compacted, and its key pair, with a manifest (last seq, counts, checksum).\n"
	 "FILE appears only once the whole backup has arrived and matches the\n"
	 "server's checksum. Progress goes to stderr when it is a terminal.\n"
	 "Restore with: uccnd --restore FILE --data DIR (see uccnd(8)).\n"
	 "  -o, --output FILE  where to write the backup\n"},
	{NULL, "status", cmd_status, "status",
	 "Check that the daemon answers; show who you are and the record counts.\n"
	 "A coordinator or the secretariat also sees the server's state: data size,\n"
	 "peers, commit latency, mailbox depths, refusals, drops, its key.\n"},
	{NULL, "completion", cmd_completion, "completion bash|zsh|words",
	 "Print a completion script for bash or zsh, made from this command table\n"
	 "(make install installs both). 'words' prints each command and its\n"
	 "options, one command a line.\n"
	 "  bash: source <(uccn completion bash)\n"
	 "  zsh:  uccn completion zsh > ~/.zfunc/_uccn (a directory in $fpath)\n"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

const struct command *cli_commands(size_t *n)
{
	*n = NCOMMANDS;
	return commands;
}

static const char global_help[] =
	"Global options (before or after the command):\n"
	"  --endpoint E       daemon endpoint ($UCCN_ENDPOINT, default " UCCN_DEFAULT_ENDPOINT ")\n"
	"  --server-key FILE|KEY  server public key ($UCCN_SERVER_KEY, default DATA/server.pub)\n"
	"  --key FILE         your city's key pair ($UCCN_KEY, default DATA/coordinator.key)\n"
	"  --profile NAME     use this profile ($UCCN_PROFILE, default the selected one)\n"
	"  --timeout SECONDS  give up after this long (default 10)\n"
	"  --json             machine-readable output\n"
	"  -h, --help         help; 'uccn COMMAND --help' for a command\n"
	"  --version          show the version\n"
	"DATA is the local daemon's data directory: $UCCN_DATA, else\n"
	"$XDG_DATA_HOME/uccn, else ~/.local/share/uccn. Each setting comes from\n"
	"its flag, else its variable, else the profile, else DATA.\n"
	"Exit status: 0 ok, 1 refused or failed, 2 usage, 3 not found, 4 denied,\n"
	"5 unreachable or timed out, 6 conflict.\n";

static void print_usage(FILE *f)
{
	fprintf(f, "usage: uccn [options] COMMAND [arguments]\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  uccn %s\n", commands[i].usage);
	fprintf(f, "\n%s", global_help);
}

int cli_help(const struct command *cmd)
{
	if (!cmd) {
		print_usage(stdout);
		return EXIT_OK;
	}
	printf("usage: uccn %s\n\n%s\n%s", cmd->usage, cmd->help, global_help);
	return EXIT_OK;
}

int cli_usage(const struct command *cmd, const char *fmt, ...)
{
	if (fmt) {
		va_list ap;
		fputs("uccn: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	if (cmd)
		fprintf(stderr, "usage: uccn %s\nTry 'uccn %s%s%s --help'.\n", cmd->usage,
			cmd->group ? cmd->group : "", cmd->group ? " " : "", cmd->name);
	else
		fprintf(stderr, "Try 'uccn --help'.\n");
	return EXIT_USAGE;
}

int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_global_option(struct cli *g, int opt, const char *arg)
{
	switch (opt) {
	case OPT_ENDPOINT: g->endpoint = arg; return 0;
	case OPT_SERVER_KEY: g->server_key = arg; return 0;
	case OPT_KEY: g->key = arg; return 0;
	case OPT_PROFILE: g->profile = arg; return 0;
	case OPT_JSON: g->json = true; g->out = &output_json; return 0;
	case OPT_TIMEOUT: {
		char *end;
		errno = 0;
		double s = strtod(arg, &end);
		if (errno || end == arg || *end || !(s > 0) || s > 3600) {
			fprintf(stderr, "uccn: --timeout '%s': give seconds, more than 0 and at most 3600\n", arg);
			return EXIT_USAGE;
		}
		g->timeout_ms = (int)(s * 1000);
		if (g->timeout_ms < 1)
			g->timeout_ms = 1;
		return 0;
	}
	default:
		return -1;
	}
}

/* The word getopt stopped at. A long option has been passed over; a
 * short one inside a cluster ("-xyz") may not have been yet. */
static const char *failed_word(int opt, char **argv)
{
	const char *prev = optind > 1 ? argv[optind - 1] : NULL;
	if (opt == ':' || (prev && prev[0] == '-' && prev[1] == '-'))
		return prev ? prev : "?";
	if (prev && prev[0] == '-' && optopt > 0 && optopt < 256 && strchr(prev + 1, optopt))
		return prev;
	return argv[optind] ? argv[optind] : "?";
}

/* getopt is silent (opterr = 0): say what was wrong in our own words, and
 * name the option, never the command. */
static int bad_option(const struct command *cmd, int opt, char **argv)
{
	const char *word = failed_word(opt, argv);
	if (opt == ':')
		return cli_usage(cmd, "option '%s' needs a value", word);
	if (word[0] == '-' && word[1] != '-') {
		if (optopt > ' ' && optopt < 127 && word[2] == '\0')
			return cli_usage(cmd, "unknown option '-%c'", optopt);
		return cli_usage(cmd, "unknown option '-%c' in '%s' (an argument that starts with"
				 " '-' goes after '--')", optopt > ' ' && optopt < 127 ? optopt : '?',
				 word);
	}
	/* A long option: suggest the nearest this command (or any) takes. */
	struct cli_optname o[CLI_MAX_OPTNAMES + 8];
	const char *names[CLI_MAX_OPTNAMES + 8];
	size_t n = cmd ? cli_command_options(cmd, o, CLI_MAX_OPTNAMES) : 0;
	n += cli_global_options(o + n, 8);
	char given[64];
	snprintf(given, sizeof given, "%.*s", (int)strcspn(word, "="), word);
	for (size_t i = 0; i < n; i++) {
		names[i] = o[i].name;
		if (strcmp(given, o[i].name) == 0 && word[strlen(given)] == '=')
			return cli_usage(cmd, "option '%s' takes no value", given);
	}
	const char *near = cli_suggest(given, names, n);
	if (near)
		return cli_usage(cmd, "unknown option '%s'; did you mean '%s'?", given, near);
	return cli_usage(cmd, "unknown option '%s'", word);
}

int cli_common_option(struct cli *g, const struct command *cmd, int opt,
		      char **argv, bool *done)
{
	*done = true;
	if (opt == 'h')
		return cli_help(cmd);
	if (opt == '?' || opt == ':')
		return bad_option(cmd, opt, argv);
	int rc = cli_global_option(g, opt, optarg);
	if (rc == 0) {
		*done = false;
		return 0;
	}
	if (rc == EXIT_USAGE)
		return rc;
	return bad_option(cmd, opt, argv);
}

int cli_exit_for(int code)
{
	switch (code) {
	case UCCN_OK: return EXIT_OK;
	case UCCN_E_NOTFOUND: return EXIT_NOTFOUND;
	case UCCN_E_DENIED: case UCCN_E_AUTH: return EXIT_DENIED;
	case UCCN_E_TIMEOUT: return EXIT_UNREACHABLE;
	case UCCN_E_EXISTS: case UCCN_E_CONFLICT: return EXIT_CONFLICT;
	default: return EXIT_REFUSED;
	}
}

int cli_str_set(char **dst, const char *src)
{
	return uccn_str_set(dst, src) ? EXIT_REFUSED : EXIT_OK;
}

int cli_connect(struct cli *g, struct client **c)
{
	char err[1024];
	int rc = cli_resolve(g);
	if (rc)
		return rc;
	/* ZeroMQ would only say "Invalid argument"; the usual slip is a
	 * missing transport, so say so. */
	if (!strstr(g->endpoint, "://")) {
		fprintf(stderr, "uccn: endpoint '%s' needs a transport: did you mean 'tcp://%s'?\n",
			g->endpoint, g->endpoint);
		return EXIT_USAGE;
	}
	struct client_options o = {
		.endpoint = g->endpoint, .server_key_file = g->server_key,
		.key_file = g->key, .timeout_ms = g->timeout_ms,
	};
	if ((rc = client_open(c, &o, err, sizeof err))) {
		fprintf(stderr, "uccn: %s\n", err);
		return rc == UCCN_E_INVALID ? EXIT_USAGE : EXIT_REFUSED;
	}
	return EXIT_OK;
}

/* The shared connection, opened on first use. */
static int open_shared(struct cli *g)
{
	return g->conn ? EXIT_OK : cli_connect(g, &g->conn);
}

int cli_call(struct cli *g, struct uccn_request *req, struct uccn_reply *rep)
{
	char err[1024];
	int rc = open_shared(g);
	if (rc)
		return rc; /* cli_connect said why */
	if ((rc = client_call(g->conn, req, rep, err, sizeof err))) {
		cli_disconnect(g); /* a later call starts afresh */
		fprintf(stderr, "uccn: %s\n", err);
		return cli_exit_for(rc);
	}
	if (rep->status) {
		fprintf(stderr, "uccn: %s: %s\n", uccn_strerror(rep->status),
			rep->message ? rep->message : "");
		return cli_exit_for(rep->status);
	}
	return EXIT_OK;
}

int cli_call_quiet(struct cli *g, struct uccn_request *req, struct uccn_reply *rep)
{
	char err[1024];
	if (open_shared(g))
		return UCCN_E_IO;
	int rc = client_call(g->conn, req, rep, err, sizeof err);
	if (rc)
		cli_disconnect(g);
	return rc ? rc : rep->status;
}

void cli_disconnect(struct cli *g)
{
	client_destroy(&g->conn);
}

static const struct command *find_command(int argc, char **argv, int *used)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		if (!c->group && strcmp(argv[0], c->name) == 0) {
			*used = 1;
			return c;
		}
		if (c->group && strcmp(argv[0], c->group) == 0 && argc > 1 &&
		    strcmp(argv[1], c->name) == 0) {
			*used = 2;
			return c;
		}
	}
	return NULL;
}

/* No row matched: a group without its sub-command, or a typo. The words
 * come from the table, so a new row is suggested without more code. */
static int unknown_command(int argc, char **argv)
{
	const char *names[NCOMMANDS];
	size_t n = 0;
	bool group = false;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].group && strcmp(argv[0], commands[i].group) == 0) {
			names[n++] = commands[i].name;
			group = true;
		}
	if (group && argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		/* "uccn admin --help": every command of the group, in full. */
		for (size_t i = 0; i < NCOMMANDS; i++)
			if (commands[i].group && strcmp(argv[0], commands[i].group) == 0)
				printf("usage: uccn %s\n\n%s\n", commands[i].usage, commands[i].help);
		fputs(global_help, stdout);
		return EXIT_OK;
	}
	if (group) {
		if (argc > 1 && argv[1][0] != '-') {
			const char *near = cli_suggest(argv[1], names, n);
			fprintf(stderr, "uccn: unknown command '%s %s'", argv[0], argv[1]);
			if (near)
				fprintf(stderr, "; did you mean '%s %s'?", argv[0], near);
			fputc('\n', stderr);
		} else {
			fprintf(stderr, "uccn: '%s' needs a sub-command:", argv[0]);
			for (size_t i = 0; i < n; i++)
				fprintf(stderr, "%s %s", i ? (i + 1 == n ? " or" : ",") : "", names[i]);
			fputc('\n', stderr);
		}
		return cli_usage(NULL, NULL);
	}
	/* One word of each: "post", "city", ... */
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *w = commands[i].group ? commands[i].group : commands[i].name;
		bool seen = false;
		for (size_t j = 0; j < n && !seen; j++)
			seen = strcmp(names[j], w) == 0;
		if (!seen)
			names[n++] = w;
	}
	const char *near = cli_suggest(argv[0], names, n);
	if (near)
		fprintf(stderr, "uccn: unknown command '%s'; did you mean '%s'?\n", argv[0], near);
	else
		fprintf(stderr, "uccn: unknown command '%s'\n", argv[0]);
	return cli_usage(NULL, NULL);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_GLOBAL_OPTIONS,
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct cli g = {.out = &output_text};
	char name[64];
	int c, rc;

	opterr = 0;
	/* '+': stop at the command; its own options are its own. ':': report a
	 * missing value apart from an unknown option. */
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (c == 'V') {
			printf("uccn %s (protocol %d)\n", UCCN_VERSION, UCCN_PROTO_VERSION);
			return EXIT_OK;
		}
		bool done;
		rc = cli_common_option(&g, NULL, c, argv, &done);
		if (done)
			return rc;
	}
	if (optind >= argc) {
		fprintf(stderr, "uccn: no command given\n");
		print_usage(stderr);
		return EXIT_USAGE;
	}
	int used = 0;
	const struct command *cmd = find_command(argc - optind, argv + optind, &used);
	if (!cmd)
		return unknown_command(argc - optind, argv + optind);
	/* The command sees argv from its (last) name on, named "uccn NAME" so
	 * getopt's messages say which command complained. */
	snprintf(name, sizeof name, "uccn %s%s%s", cmd->group ? cmd->group : "",
		 cmd->group ? " " : "", cmd->name);
	int first = optind + used - 1;
	argv[first] = name;
	optind = 0; /* reinitialise getopt for the command's own parse */
	rc = cmd->run(&g, cmd, argc - first, argv + first);
	cli_disconnect(&g);
	profile_clear(&g.prof);
	return rc;
}
