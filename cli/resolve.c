/*
 * resolve.c - where uccn's connection settings come from, field by field:
 * flag > environment > profile > the local daemon's files > defaults. A
 * city's machine has a profile; the coordinator's has the daemon's files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "uccn_defaults.h"



static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* What to say when neither a flag, the environment nor a profile named a
 * key file and the local daemon has none either: the person is most likely
 * on a city's machine and needs a profile, not the coordinator's files. */
static int missing(const char *what, const char *flag, const char *var, const char *fallback)
{
	fprintf(stderr,
		"uccn: no %s given: use %s, set %s, or select a profile (uccn profile add NAME ... --use)%s%s%s\n",
		what, flag, var, fallback ? "; the local daemon's " : "",
		fallback ? fallback : "", fallback ? " does not exist either" : "");
	return EXIT_USAGE;
}

int cli_resolve(struct cli *g)
{
	char err[1024];
	if (g->resolved)
		return EXIT_OK;
	const char *name = g->profile ? g->profile : env("UCCN_PROFILE");
	int rc = profile_load(name, &g->prof, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "uccn: %s\n", err);
		return EXIT_USAGE;
	}
	if (rc == 1 && name) {
		fprintf(stderr, "uccn: no profile '%s' (uccn profile list)\n", name);
		return EXIT_USAGE;
	}
	const struct settings flag = {
		.endpoint = g->endpoint, .server_key = g->server_key, .key_file = g->key,
		.json = g->json ? 1 : -1, .timeout_ms = g->timeout_ms,
	};
	const struct settings envs = {
		.endpoint = env("UCCN_ENDPOINT"), .server_key = env("UCCN_SERVER_KEY"),
		.key_file = env("UCCN_KEY"), .json = -1,
	};
	struct settings s;
	settings_merge(&s, &flag, &envs, rc == 0 ? &g->prof : NULL);
	g->endpoint = s.endpoint ? s.endpoint : UCCN_DEFAULT_ENDPOINT;
	g->server_key = s.server_key;
	g->key = s.key_file;
	g->timeout_ms = s.timeout_ms ? s.timeout_ms : CLI_DEFAULT_TIMEOUT_MS;
	if (s.json == 1 && !g->json) {
		g->json = true;
		g->out = &output_json;
	}
	g->resolved = true;
	if (g->server_key && g->key)
		return EXIT_OK;
	/* The coordinator's own machine: the local daemon's files. Each is
	 * taken only when it exists, so a city's machine hears what it lacks
	 * rather than about the coordinator's files. */
	bool have_dir = uccn_default_data_dir(g->data_dir, sizeof g->data_dir) == 0;
	if (!g->server_key) {
		snprintf(g->server_key_buf, sizeof g->server_key_buf, "%s/server.pub", g->data_dir);
		if (!have_dir || access(g->server_key_buf, F_OK) != 0)
			return missing("server key", "--server-key FILE|KEY", "UCCN_SERVER_KEY",
				       have_dir ? g->server_key_buf : NULL);
		g->server_key = g->server_key_buf;
	}
	if (!g->key) {
		snprintf(g->key_buf, sizeof g->key_buf, "%s/coordinator.key", g->data_dir);
		if (!have_dir || access(g->key_buf, F_OK) != 0)
			return missing("key file", "--key FILE", "UCCN_KEY",
				       have_dir ? g->key_buf : NULL);
		g->key = g->key_buf;
	}
	return EXIT_OK;
}
