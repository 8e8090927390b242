/*
 * cmd_profile.c - `uccn profile list|show|use|add|remove`, which keep a
 * city's connection settings so commands need no flags, and `uccn key
 * show`, which prints a key in forms a person can check and paste.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "json.h"
#include "profile.h"
#include "uccn_error.h"
#include "uccn_fingerprint.h"
#include "uccn_keyfile.h"
#include "uccn_records.h"

/* Parse a command with no options but the global ones; the positional
 * arguments are then argv[optind..argc). */
static int parse_plain(struct cli *g, const struct command *cmd, int argc, char **argv,
		       int min_args, int max_args)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0}};
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		COMMON_OPTION(g, cmd, c, &rc, out);
	if (argc - optind < min_args)
		return cli_usage(cmd, "missing argument");
	if (argc - optind > max_args)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind + max_args]);
	return EXIT_OK;
out:
	return rc == EXIT_OK ? -1 : rc;  /* -1: --help was printed */
}

static void print_key_lines(const char *label, const char *pub)
{
	char fp[UCCN_FINGERPRINT_LEN + 1] = "?";
	uccn_key_fingerprint(pub, fp, sizeof fp);
	printf("%-12s %s\n", label, pub);
	/* Z85 holds $ < > & # !: the quoted form pastes safely into a shell. */
	printf("%-12s '%s'\n", "quoted:", pub);
	printf("%-12s %s\n", "fingerprint:", fp);
}

static void json_profile(struct json *j, const struct profile *p, bool selected)
{
	char fp[UCCN_FINGERPRINT_LEN + 1];
	json_object_begin(j);
	json_key(j, "name"); json_str(j, p->name);
	json_key(j, "selected"); json_bool(j, selected);
	json_key(j, "endpoint"); json_str(j, p->endpoint);
	json_key(j, "server_key"); json_str(j, p->server_key);
	json_key(j, "server_key_fingerprint");
	json_str(j, p->server_key && !uccn_key_fingerprint(p->server_key, fp, sizeof fp) ? fp : NULL);
	json_key(j, "key_file"); json_str(j, p->key_file);
	json_key(j, "json"); json_bool(j, p->json);
	json_key(j, "timeout_ms"); json_uint(j, (uint64_t)p->timeout_ms);
	json_object_end(j);
}

int cmd_profile_list(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	char **names = NULL, cur[PROFILE_NAME_MAX + 1] = "", err[1024];
	size_t n = 0;
	int rc = parse_plain(g, cmd, argc, argv, 0, 0);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (profile_names(&names, &n, err, sizeof err) != 0 ||
	    profile_current(cur, sizeof cur, err, sizeof err) < 0) {
		fprintf(stderr, "uccn: %s\n", err);
		rc = EXIT_REFUSED;
		goto out;
	}
	struct json j;
	if (g->json) {
		json_init(&j, stdout);
		json_array_begin(&j);
	}
	for (size_t i = 0; i < n; i++) {
		struct profile p;
		bool sel = strcmp(names[i], cur) == 0;
		int lrc = profile_load(names[i], &p, err, sizeof err);
		if (lrc != 0) {
			fprintf(stderr, "uccn: %s\n", lrc < 0 ? err : "a profile vanished");
			rc = EXIT_USAGE;
			continue;
		}
		if (g->json)
			json_profile(&j, &p, sel);
		else
			printf("%c %-16s %s\n", sel ? '*' : ' ', p.name,
			       p.endpoint ? p.endpoint : "(default endpoint)");
		profile_clear(&p);
	}
	if (g->json) {
		json_array_end(&j);
		json_end(&j);
	} else if (n == 0) {
		printf("no profiles: add one with 'uccn profile add NAME ...' or 'uccn join'\n");
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int cmd_profile_show(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	char err[1024], cur[PROFILE_NAME_MAX + 1] = "";
	struct profile p;
	int rc = parse_plain(g, cmd, argc, argv, 0, 1);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	const char *name = optind < argc ? argv[optind] : g->profile;
	if (profile_current(cur, sizeof cur, err, sizeof err) < 0)
		cur[0] = '\0';
	rc = profile_load(name, &p, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "uccn: %s\n", err);
		return EXIT_USAGE;
	}
	if (rc == 1) {
		if (name)
			fprintf(stderr, "uccn: no profile '%s' (uccn profile list)\n", name);
		else
			fprintf(stderr, "uccn: no profile selected (uccn profile use NAME)\n");
		return EXIT_NOTFOUND;
	}
	bool sel = strcmp(p.name, cur) == 0;
	if (g->json) {
		struct json j;
		json_init(&j, stdout);
		json_profile(&j, &p, sel);
		json_end(&j);
	} else {
		printf("%-12s %s%s\n", "profile:", p.name, sel ? " (selected)" : "");
		printf("%-12s %s\n", "endpoint:", p.endpoint ? p.endpoint : "-");
		if (p.server_key)
			print_key_lines("server key:", p.server_key);
		else
			printf("%-12s -\n", "server key:");
		printf("%-12s %s\n", "key file:", p.key_file ? p.key_file : "-");
		printf("%-12s %s\n", "json:", p.json ? "true" : "false");
		if (p.timeout_ms)
			printf("%-12s %d ms\n", "timeout:", p.timeout_ms);
	}
	profile_clear(&p);
	return EXIT_OK;
}

int cmd_profile_use(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	char err[1024];
	int rc = parse_plain(g, cmd, argc, argv, 1, 1);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (profile_select(argv[optind], err, sizeof err) != 0) {
		fprintf(stderr, "uccn: %s\n", err);
		return strncmp(err, "no profile", 10) == 0 ? EXIT_NOTFOUND : EXIT_REFUSED;
	}
	return EXIT_OK;
}

int cmd_profile_remove(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	char err[1024];
	int rc = parse_plain(g, cmd, argc, argv, 1, 1);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	rc = profile_remove(argv[optind], err, sizeof err);
	if (rc == 1) {
		fprintf(stderr, "uccn: no profile '%s'\n", argv[optind]);
		return EXIT_NOTFOUND;
	}
	if (rc) {
		fprintf(stderr, "uccn: %s\n", err);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

/* A server key given as a file or as the key itself, in Z85. */
static int server_key_value(const char *arg, char out[UCCN_KEY_Z85_LEN + 1],
			    char *err, size_t errlen)
{
	char sec[UCCN_KEY_Z85_LEN + 1], *text = NULL;
	size_t len = 0;
	if (uccn_key_z85_valid(arg) && access(arg, F_OK) != 0) {
		snprintf(out, UCCN_KEY_Z85_LEN + 1, "%s", arg);
		return 0;
	}
	if (read_small_file(arg, 4096, &text, &len, err, errlen) != 0)
		return -1;
	int rc = uccn_keyfile_parse(text, len, out, sec);
	memset(sec, 0, sizeof sec);
	free(text);
	if (rc)
		snprintf(err, errlen, "%s: no valid public-key line (is it a uccn key file?)", arg);
	return rc ? -1 : 0;
}

int cmd_profile_add(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_USE = 1 };
	/* The profile's own --endpoint, --server-key, --key, --json and
	 * --timeout are the global ones, read back from g after parsing. */
	static const struct option opts[] = {
		{"use", no_argument, NULL, O_USE},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct profile p = {0};
	char err[1024], spub[UCCN_KEY_Z85_LEN + 1], keypath[PATH_MAX];
	bool use = false;
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == O_USE)
			use = true;
		else
			COMMON_OPTION(g, cmd, c, &rc, out);
	}
	if (optind != argc - 1) {
		rc = cli_usage(cmd, optind >= argc ? "missing the profile's NAME" : "unexpected argument '%s'",
			       argv[optind + 1]);
		goto out;
	}
	if (!g->endpoint || !g->server_key || !g->key) {
		rc = cli_usage(cmd, "a profile needs --endpoint, --server-key and --key");
		goto out;
	}
	if (strncmp(g->endpoint, "tcp://", 6) != 0 && strncmp(g->endpoint, "ipc://", 6) != 0) {
		rc = cli_usage(cmd, "--endpoint '%s': give tcp://HOST:PORT", g->endpoint);
		goto out;
	}
	if (server_key_value(g->server_key, spub, err, sizeof err) != 0) {
		rc = cli_usage(cmd, "--server-key: %s", err);
		goto out;
	}
	/* The file is read from anywhere later: keep its absolute path. */
	if (!realpath(g->key, keypath)) {
		rc = cli_usage(cmd, "--key %s: %s", g->key, strerror(errno));
		goto out;
	}
	p.name = argv[optind];
	p.endpoint = (char *)g->endpoint;
	p.server_key = spub;
	p.key_file = keypath;
	p.json = g->json;
	p.timeout_ms = g->timeout_ms;
	if (profile_save(&p, use, err, sizeof err) != 0) {
		fprintf(stderr, "uccn: %s\n", err);
		rc = strstr(err, "not a profile name") ? EXIT_USAGE : EXIT_REFUSED;
		goto out;
	}
	if (!g->json)
		printf("saved profile %s%s\n", argv[optind], use ? " (selected)" : "");
out:
	return rc;
}

int cmd_key_show(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	char err[1024], pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	char hex[65], fp[UCCN_FINGERPRINT_LEN + 1];
	char *text = NULL;
	size_t len = 0;
	int rc = parse_plain(g, cmd, argc, argv, 1, 1);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	const char *path = argv[optind];
	if ((rc = read_small_file(path, 4096, &text, &len, err, sizeof err)) != 0) {
		fprintf(stderr, "uccn: %s\n", err);
		return rc == UCCN_E_NOTFOUND ? EXIT_NOTFOUND : EXIT_USAGE;
	}
	rc = uccn_keyfile_parse(text, len, pub, sec);
	free(text);
	bool secret = sec[0] != '\0';
	memset(sec, 0, sizeof sec);
	if (rc || uccn_key_fingerprint(pub, fp, sizeof fp) || uccn_key_hex(pub, hex, sizeof hex)) {
		fprintf(stderr, "uccn: %s: no valid public-key line (is it a uccn key file?)\n", path);
		return EXIT_USAGE;
	}
	if (g->json) {
		struct json j;
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "file"); json_str(&j, path);
		json_key(&j, "public_key"); json_str(&j, pub);
		json_key(&j, "hex"); json_str(&j, hex);
		json_key(&j, "fingerprint"); json_str(&j, fp);
		json_key(&j, "has_secret"); json_bool(&j, secret);
		json_object_end(&j);
		json_end(&j);
		return EXIT_OK;
	}
	print_key_lines("public key:", pub);
	printf("%-12s %s\n", "hex:", hex);
	printf("%-12s %s\n", "file:", secret ? "key pair: keep it secret, share only the public key"
					     : "public key only");
	return EXIT_OK;
}
