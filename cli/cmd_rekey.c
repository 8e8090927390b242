/*
 * cmd_rekey.c - uccn city rekey: give a city a new public key (SPEC 4.11).
 * With --write FILE the pair is made here and reaches FILE only once the
 * server has taken its public key, so the key file that works is never
 * lost: before the reply the old key is the good one, after it the new.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "smallfile.h"
#include "cli.h"
#include "uccn_keyfile.h"
#include "uccn_limits.h"

/* A new key pair written beside the file it is meant for, not yet in its
 * place. */
struct staged_pair {
	char path[PATH_MAX];       /* FILE, or what it links to */
	char tmp[PATH_MAX + 8];    /* FILE.XXXXXX, "" when none */
	char pub[UCCN_KEY_Z85_LEN + 1];
};

/* Make a key pair and write it, synced, to a temporary file in the
 * directory of file: a directory that cannot take it fails here, before
 * the server is asked to change anything. EXIT_OK or EXIT_REFUSED after
 * saying why. */
static int stage_pair(const char *file, struct staged_pair *st)
{
	char sec[UCCN_KEY_Z85_LEN + 1], text[1024];
	/* A link is replaced in what it names, so the link (a profile's,
	 * say) keeps working. */
	char *real = realpath(file, NULL);
	snprintf(st->path, sizeof st->path, "%s", real ? real : file);
	free(real);
	snprintf(st->tmp, sizeof st->tmp, "%s.XXXXXX", st->path);
	if (zmq_curve_keypair(st->pub, sec) != 0) {
		fprintf(stderr, "uccn: cannot make a key pair: %s\n", zmq_strerror(errno));
		st->tmp[0] = '\0';
		return EXIT_REFUSED;
	}
	int len = uccn_keyfile_format(text, sizeof text, "uccn client key pair", st->pub, sec);
	memset(sec, 0, sizeof sec);
	int fd = len < 0 ? -1 : mkstemp(st->tmp);
	if (fd < 0) {
		fprintf(stderr, "uccn: cannot write a key file beside %s: %s\n", st->path,
			len < 0 ? "cannot format it" : strerror(errno));
		memset(text, 0, sizeof text);
		st->tmp[0] = '\0';
		return EXIT_REFUSED;
	}
	bool ok = fchmod(fd, 0600) == 0 && write(fd, text, (size_t)len) == len && fsync(fd) == 0;
	int saved = errno;
	memset(text, 0, sizeof text);
	if (close(fd) != 0 || !ok) {
		fprintf(stderr, "uccn: cannot write %s: %s\n", st->tmp, strerror(ok ? errno : saved));
		unlink(st->tmp);
		st->tmp[0] = '\0';
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

/* The server has the new key: put the pair in place, whole, and make the
 * rename itself durable. */
static int place_pair(struct staged_pair *st)
{
	if (rename_durably(st->tmp, st->path) != 0) {
		fprintf(stderr, "uccn: the server has the new key, but %s cannot replace %s: %s; "
			"the new pair is in %s: move it there yourself\n", st->tmp, st->path,
			strerror(errno), st->tmp);
		return EXIT_REFUSED;
	}
	st->tmp[0] = '\0';
	return EXIT_OK;
}

/* Whether a and b name one file. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* After the request: the pair goes in place when the server took its key,
 * is dropped when it refused it, and is kept when nobody knows. */
static int settle_pair(struct staged_pair *st, int rc)
{
	if (!st->tmp[0])
		return rc;
	if (rc == EXIT_OK)
		return place_pair(st);
	if (rc == EXIT_UNREACHABLE) {
		fprintf(stderr, "uccn: no answer: the server may have taken the new key; its pair "
			"is kept in %s: if 'uccn --key %s status' works, move it over %s\n",
			st->tmp, st->tmp, st->path);
		return rc;
	}
	unlink(st->tmp);
	return rc;
}

int cmd_city_rekey(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_CKEY = 1, O_WRITE };
	static const struct option opts[] = {
		{"key", required_argument, NULL, O_CKEY},
		{"write", required_argument, NULL, O_WRITE},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = UCCN_OP_CITY_REKEY}, who = {.op = UCCN_OP_STATUS};
	struct uccn_reply rep = {0}, me = {0};
	struct staged_pair st = {0};
	const char *id, *key = NULL, *file = NULL;
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == O_CKEY)
			key = optarg;
		else if (c == O_WRITE)
			file = optarg;
		else
			COMMON_OPTION(g, cmd, c, &rc, out);
	}
	if (optind >= argc) {
		rc = cli_usage(cmd, "give the city's ID");
		goto out;
	}
	id = argv[optind++];
	if (optind < argc) {
		rc = cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (key && file) {
		rc = cli_usage(cmd, "--key and --write exclude each other: --write makes the key");
		goto out;
	}
	if (!file && (!key || !uccn_key_z85_valid(key))) {
		rc = cli_usage(cmd, "give --key PUBLIC_KEY (40 Z85 characters, as 'uccn keygen' "
			       "prints) or --write FILE");
		goto out;
	}
	if ((rc = cli_str_set(&req.city.id, id)))
		goto out;
	/* Whose key this command uses: a rekey of that city makes it stale. */
	if ((rc = cli_call(g, &who, &me)))
		goto out;
	bool own = me.info.city && strcmp(me.info.city, id) == 0;
	if (file && !own && same_file(file, g->key)) {
		rc = cli_usage(cmd, "%s is the key file this command uses, city '%s''s: city "
			       "'%s''s new key there would shut you out; name another file",
			       file, me.info.city ? me.info.city : "?", id);
		goto out;
	}
	if (file && (rc = stage_pair(file, &st)))
		goto out;
	memcpy(req.city.key, file ? st.pub : key, UCCN_KEY_Z85_LEN + 1);
	rc = settle_pair(&st, cli_call(g, &req, &rep));
	if (rc)
		goto out;
	g->out->rekeyed(id, rep.seq, rep.version, file ? st.pub : NULL, file ? st.path : NULL);
	if (own && !file)
		fprintf(stderr, "uccn: warning: '%s' is your own city: its old key, in %s, is "
			"refused from now on. Put the new key's pair in its place, or let uccn "
			"make and write the pair: uccn city rekey %s --write %s\n",
			id, g->key, id, g->key);
out:
	uccn_reply_clear(&me);
	uccn_reply_clear(&rep);
	uccn_request_clear(&who);
	uccn_request_clear(&req);
	return rc;
}
