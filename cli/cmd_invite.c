/*
 * cmd_invite.c - bringing a city in from another machine: `city invite`
 * (the coordinator) prints a one-line invitation; `join` (the city) makes
 * its key pair locally, enrols the public half with the invitation's
 * secret, and saves a profile so no later command needs a flag.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "cli.h"
#include "client.h"
#include "profile.h"
#include "uccn_defaults.h"
#include "uccn_error.h"
#include "uccn_fingerprint.h"
#include "uccn_invite.h"
#include "uccn_keyfile.h"

/* "7d", "12h", "30m", "45s" or plain seconds, within the server's limit. */
static int parse_expiry(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned long long unit = 1;
	if (errno || end == s || *s == '-' || *s == '+')
		return -1;
	if (*end == 'd')
		unit = 86400;
	else if (*end == 'h')
		unit = 3600;
	else if (*end == 'm')
		unit = 60;
	else if (*end == 's' || *end == '\0')
		unit = 1;
	else
		return -1;
	if (*end && end[1])
		return -1;
	if (v == 0 || v > UCCN_INVITE_MAX_S / unit)
		return -1;
	*out = (uint32_t)(v * unit);
	return 0;
}

/* An endpoint another machine cannot reach as written. */
static bool local_only(const char *e)
{
	return strstr(e, "127.0.0.1") || strstr(e, "localhost") || strstr(e, "[::1]") ||
	       strstr(e, "://*") || strstr(e, "0.0.0.0");
}

int cmd_city_invite(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_EXPIRES = 1, O_ADVERTISE };
	static const struct option opts[] = {
		{"expires", required_argument, NULL, O_EXPIRES},
		{"endpoint", required_argument, NULL, O_ADVERTISE},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = UCCN_OP_CITY_INVITE};
	struct uccn_reply rep = {0};
	struct uccn_invite inv = {0};
	const char *adv[UCCN_INVITE_MAX_ENDPOINTS];
	size_t nadv = 0;
	char text[UCCN_INVITE_MAX_TEXT];
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == O_EXPIRES) {
			if (parse_expiry(optarg, &req.expires_s)) {
				rc = cli_usage(cmd, "--expires '%s': give a time like 7d, 12h, 30m or 45s, at most 90d", optarg);
				goto out;
			}
		} else if (c == O_ADVERTISE) {
			if (nadv == UCCN_INVITE_MAX_ENDPOINTS || strncmp(optarg, "tcp://", 6) != 0 ||
			    strlen(optarg) > UCCN_INVITE_MAX_ENDPOINT) {
				rc = cli_usage(cmd, "--endpoint '%s': give at most %d, each like tcp://HOST:PORT",
					       optarg, UCCN_INVITE_MAX_ENDPOINTS);
				goto out;
			}
			adv[nadv++] = optarg;
		} else {
			COMMON_OPTION(g, cmd, c, &rc, out);
		}
	}
	if (optind + 1 != argc) {
		rc = cli_usage(cmd, optind >= argc ? "give the city's ID" : "unexpected argument '%s'",
			       optind < argc ? argv[optind + 1] : "");
		goto out;
	}
	if (!uccn_id_valid(argv[optind])) {
		rc = cli_usage(cmd, "'%s' is not a city id", argv[optind]);
		goto out;
	}
	if ((rc = cli_str_set(&req.name, argv[optind])) || (rc = cli_call(g, &req, &rep)))
		goto out;
	const struct uccn_invitation *r = &rep.invite;
	if (!r->city || !r->secret || !r->server_key || !r->endpoint ||
	    uccn_z85_decode_key(r->server_key, inv.server_key) ||
	    uccn_hex_decode(r->secret, inv.secret, sizeof inv.secret)) {
		fprintf(stderr, "uccn: the server's answer lacks part of the invitation\n");
		rc = EXIT_REFUSED;
		goto out;
	}
	snprintf(inv.city, sizeof inv.city, "%s", r->city);
	inv.expires_s = r->expires;
	for (size_t i = 0; i < nadv; i++)
		snprintf(inv.endpoints[i], sizeof inv.endpoints[i], "%s", adv[i]);
	inv.nendpoints = nadv;
	if (!nadv) {
		snprintf(inv.endpoints[0], sizeof inv.endpoints[0], "%s", r->endpoint);
		inv.nendpoints = 1;
		if (local_only(r->endpoint))
			fprintf(stderr, "uccn: note: the invitation points at %s, which only this machine "
				"reaches; give --endpoint tcp://HOST:PORT for another machine\n", r->endpoint);
	}
	if (uccn_invite_format(&inv, text, sizeof text) < 0) {
		fprintf(stderr, "uccn: cannot write the invitation (is an endpoint malformed?)\n");
		rc = EXIT_REFUSED;
		goto out;
	}
	time_t exp = (time_t)inv.expires_s;
	char when[64];
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&exp));
	printf("%s\n", text);
	fprintf(stderr, "uccn: invitation for '%s', valid once until %s; on its machine: uccn join INVITATION\n",
		inv.city, when);
out:
	memset(&inv, 0, sizeof inv);
	memset(text, 0, sizeof text);
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

/* Write text to path, created with mode; with excl an existing file is an
 * error (EEXIST). 0 or -1 with errno. */
static int write_new(const char *path, const char *text, size_t len, mode_t mode, bool excl)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC), mode);
	if (fd < 0)
		return -1;
	bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
	if (close(fd) != 0)
		ok = false;
	return ok ? 0 : -1;
}

/* Send city.enrol to each endpoint in turn until one answers. */
static int enrol(struct cli *g, const struct uccn_invite *inv, const char *server_file,
		 const char *key_file, const char *pub, struct uccn_reply *rep, const char **used)
{
	char err[1024] = "", hex[UCCN_INVITE_SECRET_HEX + 1];
	int rc = UCCN_E_TIMEOUT;
	uccn_hex_encode(inv->secret, sizeof inv->secret, hex);
	for (size_t i = 0; i < inv->nendpoints && rc == UCCN_E_TIMEOUT; i++) {
		struct client *c = NULL;
		struct client_options o = {.endpoint = inv->endpoints[i], .server_key_file = server_file,
					   .key_file = key_file,
					   .timeout_ms = g->timeout_ms ? g->timeout_ms : CLI_DEFAULT_TIMEOUT_MS};
		struct uccn_request req = {.op = UCCN_OP_CITY_ENROL};
		*used = inv->endpoints[i];
		if (uccn_str_set(&req.city.id, inv->city) || uccn_str_set(&req.secret, hex))
			rc = UCCN_E_NOMEM;
		else if (!(rc = client_open(&c, &o, err, sizeof err)))
			rc = client_call(c, (memcpy(req.city.key, pub, UCCN_KEY_Z85_LEN + 1), &req),
					 rep, err, sizeof err);
		client_destroy(&c);
		uccn_request_clear(&req);
		/* With no invitation pending the server refuses a new key at
		 * the handshake: to the city that is one more invalid one. */
		if (rc == UCCN_E_AUTH)
			fprintf(stderr, "uccn: denied: invitation not valid (the server refused this new key)\n");
		else if (rc)
			fprintf(stderr, "uccn: %s\n", err);
	}
	memset(hex, 0, sizeof hex);
	return rc;
}

int cmd_join(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {CLI_GLOBAL_OPTIONS, {NULL, 0, NULL, 0}};
	struct uccn_invite inv;
	struct uccn_reply rep = {0};
	char data[PATH_MAX], key_file[PATH_MAX + 80], server_file[PATH_MAX + 80], err[512];
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1], spub[UCCN_KEY_Z85_LEN + 1];
	char text[1024], fp_server[UCCN_FINGERPRINT_LEN + 1], fp_city[UCCN_FINGERPRINT_LEN + 1];
	const char *used = NULL;
	bool wrote = false;
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		COMMON_OPTION(g, cmd, c, &rc, out);
	if (optind + 1 != argc) {
		rc = cli_usage(cmd, "give the invitation, one argument (uccn-invite-1:...)");
		goto out;
	}
	int prc = uccn_invite_parse(argv[optind], &inv, err, sizeof err);
	if (prc) {
		fprintf(stderr, "uccn: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	char why[PATH_MAX + 64];
	if (uccn_default_data_dir(data, sizeof data)) {
		fprintf(stderr, "uccn: no directory for the key: set HOME or XDG_DATA_HOME\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (make_private_dirs(data, why, sizeof why)) {
		fprintf(stderr, "uccn: no directory for the key: %s\n", why);
		rc = EXIT_USAGE;
		goto out;
	}
	snprintf(key_file, sizeof key_file, "%s/%s.key", data, inv.city);
	snprintf(server_file, sizeof server_file, "%s/%s-server.pub", data, inv.city);
	uccn_z85_encode_key(inv.server_key, spub);
	/* The secret key is made here and never leaves this machine. */
	if (zmq_curve_keypair(pub, sec) != 0) {
		fprintf(stderr, "uccn: cannot make a key pair: %s\n", zmq_strerror(errno));
		rc = EXIT_REFUSED;
		goto out;
	}
	int len = uccn_keyfile_format(text, sizeof text, "uccn key of this city, made by uccn join", pub, sec);
	memset(sec, 0, sizeof sec);
	if (len < 0 || write_new(key_file, text, (size_t)len, 0600, true) != 0) {
		fprintf(stderr, errno == EEXIST ?
			"uccn: %s exists: this machine has a key for '%s' already (remove it to join again)\n" :
			"uccn: cannot write %s for '%s'\n", key_file, inv.city);
		rc = errno == EEXIST ? EXIT_CONFLICT : EXIT_REFUSED;
		goto out;
	}
	wrote = true;
	len = uccn_keyfile_format(text, sizeof text, "uccnd server public key, from an invitation",
				  spub, NULL);
	if (len < 0 || write_new(server_file, text, (size_t)len, 0644, false) != 0) {
		fprintf(stderr, "uccn: cannot write %s: %s\n", server_file, strerror(errno));
		rc = EXIT_REFUSED;
		goto out;
	}
	if ((prc = enrol(g, &inv, server_file, key_file, pub, &rep, &used))) {
		rc = cli_exit_for(prc);
		goto out;
	}
	if (rep.status) {
		fprintf(stderr, "uccn: %s: %s\n", uccn_strerror(rep.status), rep.message ? rep.message : "");
		rc = cli_exit_for(rep.status);
		goto out;
	}
	wrote = false; /* enrolled: the key is the city's now */
	struct profile p = {.name = inv.city, .endpoint = (char *)used,
			    .server_key = spub, .key_file = key_file};
	if (profile_save(&p, true, err, sizeof err) != 0)
		fprintf(stderr, "uccn: enrolled, but the profile was not saved: %s\n", err);
	uccn_key_fingerprint(spub, fp_server, sizeof fp_server);
	uccn_key_fingerprint(pub, fp_city, sizeof fp_city);
	printf("joined as '%s' at %s\n", inv.city, used);
	printf("server key fingerprint  %s\n", fp_server);
	printf("your key fingerprint    %s  (%s)\n", fp_city, key_file);
	printf("profile '%s' saved and selected: uccn post and uccn list need no flags now\n", inv.city);
out:
	if (wrote) {
		unlink(key_file);
		unlink(server_file);
	}
	memset(&inv, 0, sizeof inv);
	uccn_reply_clear(&rep);
	return rc;
}
