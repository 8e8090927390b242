/*
 * options.c - uccnd's command line, and the settings it and the file give
 * together (see options.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "uccn_defaults.h"
#include "uccn_msg.h"

static const char usage_text[] =
	"usage: uccnd [-f FILE] [--data DIR] [--listen ENDPOINT] [--map-size BYTES]\n"
	"             [--mailbox-quota N] [--log-level LEVEL] [--daemon] [-v] [-n]\n"
	"       uccnd -n [-f FILE] [flags]\n"
	"       uccnd --check DIR [--json]\n"
	"       uccnd --dump [--data DIR] [-o FILE]\n"
	"       uccnd --load FILE [--data DIR]\n"
	"       uccnd --restore FILE [--data DIR]\n"
	"\n"
	"The uccn coordinator's daemon: keeps the network's records in DIR and\n"
	"serves city nodes over CURVE-encrypted ZeroMQ. Runs in the foreground\n"
	"unless --daemon; SIGINT or SIGTERM stops it cleanly; SIGHUP reads the\n"
	"settings again (log_level, mailbox_quota and listen change at once).\n"
	"\n"
	"  -f, --config FILE      read settings from FILE (default $UCCND_CONF, else\n"
	"                         " UCCND_CONF_DEFAULT " if it exists); see uccnd.conf(5).\n"
	"                         Each flag below overrides its key in the file.\n"
	"  -n, --check-config     check the settings, print them normalised and exit:\n"
	"                         0 when they are good, 1 with the file's line if not\n"
	"  -d, --data DIR         data directory (default $UCCN_DATA, else\n"
	"                         $XDG_DATA_HOME/uccn, else ~/.local/share/uccn)\n"
	"  -l, --listen ENDPOINT  tcp://HOST:PORT (port 1-65535) or ipc://PATH to bind\n"
	"                         (default " UCCN_DEFAULT_ENDPOINT ")\n"
	"      --map-size BYTES   initial database map size, K/M/G suffixes allowed;\n"
	"                         it grows by itself when full (default 64M)\n"
	"      --mailbox-quota N  unread posts a city's mailbox holds before posts\n"
	"                         to it are refused (default 10000)\n"
	"      --log-level LEVEL  error, warn, info (default) or debug\n"
	"  -D, --daemon           serve in the background: return 0 (printing the\n"
	"                         server's pid) only once it serves, 1 if it fails\n"
	"                         to start (its log says why)\n"
	"      --check DIR        check the store in DIR and exit, writing nothing\n"
	"                         (safe while a uccnd serves DIR): every record\n"
	"                         through its checksum, every chain, index, mailbox\n"
	"                         and the gapless sequence; one line per problem\n"
	"                         (table, key, what is wrong), then a summary.\n"
	"                         0 when clean, 1 when it found any; see uccnd(8)\n"
	"      --json             with --check: the findings as JSON Lines\n"
	"      --dump             write every record of the store in DIR as JSON\n"
	"                         Lines (docs/dump-format.md) to stdout or -o FILE\n"
	"                         and exit; safe while a uccnd serves DIR\n"
	"  -o, --output FILE      with --dump: write to FILE (never overwritten)\n"
	"      --load FILE        load a dump into DIR, which must hold no store,\n"
	"                         all or nothing, and exit; then copy server.key,\n"
	"                         server.pub and coordinator.key from the original\n"
	"                         DIR before starting uccnd on it\n"
	"  -v, --verbose          --log-level debug: log every request batch\n"
	"      --restore FILE     restore backup FILE (uccn admin backup) into the\n"
	"                         data directory, which must hold no data.mdb,\n"
	"                         server.key or server.pub, and exit: 0 when done,\n"
	"                         1 with the reason, leaving nothing, if not\n"
	"  -h, --help             show this help\n"
	"  -V, --version          show the version\n"
	"\n"
	"On first start in an empty DIR it creates DIR/server.key, DIR/server.pub\n"
	"and DIR/coordinator.key, and registers the city 'coordinator'.\n"
	"It refuses to start (exit 1, creating nothing) on a DIR it cannot trust:\n"
	"a truncated data.mdb, keys without data or data without keys, mismatched\n"
	"key files, files that are not regular files; see uccnd(8).\n"
	"Exit status: 0 after a clean stop, 1 on a start-up error or a bad\n"
	"setting, 2 on bad usage.\n";

int options_parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'f'},
		{"check-config", no_argument, NULL, 'n'},
		{"data", required_argument, NULL, 'd'},
		{"listen", required_argument, NULL, 'l'},
		{"map-size", required_argument, NULL, 'm'},
		{"mailbox-quota", required_argument, NULL, 'q'},
		{"log-level", required_argument, NULL, 'L'},
		{"daemon", no_argument, NULL, 'D'},
		{"verbose", no_argument, NULL, 'v'},
		{"check", required_argument, NULL, 'C'},
		{"json", no_argument, NULL, 'J'},
		{"dump", no_argument, NULL, 'U'},
		{"output", required_argument, NULL, 'o'},
		{"load", required_argument, NULL, 'O'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"restore", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	memset(o, 0, sizeof *o);
	while ((ch = getopt_long(argc, argv, "f:nd:l:DvhVo:", longopts, NULL)) != -1) {
		const char *key = NULL, *value = optarg;
		switch (ch) {
		case 'f': o->file = optarg; continue;
		case 'n': o->check_only = true; continue;
		case 'C': o->check_dir = optarg; continue;
		case 'J': o->json = true; continue;
		case 'U': o->dump = true; continue;
		case 'o': o->output = optarg; continue;
		case 'O': o->load = optarg; continue;
		case 'R': o->restore = optarg; continue;
		case 'd': key = "data"; break;
		case 'l': key = "listen"; break;
		case 'm': key = "map_size"; break;
		case 'q': key = "mailbox_quota"; break;
		case 'L': key = "log_level"; break;
		case 'D': key = "daemon"; value = "yes"; break;
		case 'v': key = "log_level"; value = "debug"; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("uccnd %s (protocol %d)\n", UCCN_VERSION, UCCN_PROTO_VERSION);
			return 0;
		default:
			fputs("Try 'uccnd --help'.\n", stderr);
			return 2;
		}
		if (o->nflags == OPTIONS_MAX_FLAGS) {
			fputs("uccnd: too many options\n", stderr);
			return 2;
		}
		o->flags[o->nflags++] = (struct flag_value){key, value};
	}
	if (optind < argc) {
		fprintf(stderr, "uccnd: unexpected argument '%s'\nTry 'uccnd --help'.\n", argv[optind]);
		return 2;
	}
	if ((o->output && !o->dump) || (o->dump + !!o->load + !!o->restore > 1) ||
	    ((o->dump || o->load || o->restore) && (o->check_dir || o->check_only))) {
		fputs("uccnd: --dump, --load, --restore and --check go alone (-o with --dump)\n"
		      "Try 'uccnd --help'.\n", stderr);
		return 2;
	}
	if (o->json && !o->check_dir) {
		fputs("uccnd: --json goes with --check\nTry 'uccnd --help'.\n", stderr);
		return 2;
	}
	if (o->check_dir && (o->check_only || o->nflags)) {
		fputs("uccnd: --check DIR takes no other option but --json\nTry 'uccnd --help'.\n",
		      stderr);
		return 2;
	}
	return -1;
}

int options_load(const struct options *o, struct config *c, char *err, size_t errlen)
{
	char path[PATH_MAX], why[CONFIG_LINE_MAX + PATH_MAX];
	bool named;
	config_defaults(c);
	if (config_locate(o->file, path, sizeof path, &named) &&
	    config_read_file(c, path, err, errlen))
		return 1;
	/* A bad flag is bad usage, as it always was. */
	for (size_t i = 0; i < o->nflags; i++)
		if (config_set_flag(c, o->flags[i].key, o->flags[i].value, why, sizeof why)) {
			snprintf(err, errlen, "%s\nTry 'uccnd --help'.", why);
			return 2;
		}
	if (config_finish(c, err, errlen))
		return 2;
	return 0;
}
