/*
 * cmd_backup.c - uccn admin backup -o FILE (SPEC 4.20): fetch a backup of
 * the server in chunks into a temporary file beside FILE, check it against
 * the checksum the server sent, then sync and rename it into place, so
 * FILE is never a part of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "smallfile.h"
#include "cli.h"
#include "client.h"
#include "uccn_error.h"

/* How often to ask whether a backup being made is ready. */
#define POLL_MS 50

struct fetch {
	const char *file;
	char tmp[PATH_MAX + 32];
	int fd;
	crypto_generichash_state hash;
	struct uccn_backup_chunk first; /* the manifest, checksum, size */
	uint64_t got;
	bool progress;                  /* stderr is a terminal */
};

/* Set by SIGINT, SIGTERM or SIGHUP: stop, and leave no temporary file. */
static volatile sig_atomic_t stopped;

static void on_stop(int sig)
{
	(void)sig;
	stopped = 1;
}

static void nap(void)
{
	struct timespec ts = {0, POLL_MS * 1000000L};
	nanosleep(&ts, NULL);
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void show_progress(const struct fetch *f)
{
	if (f->progress)
		fprintf(stderr, "\rbackup: %.1f of %.1f MiB", f->got / 1048576.0,
			f->first.size / 1048576.0);
}

/* Keep chunk c: it must start where the last one ended. */
static int keep(struct fetch *f, const struct uccn_backup_chunk *c)
{
	if (!f->first.checksum) {
		if (!c->checksum || !c->manifest) {
			fprintf(stderr, "uccn: the server sent no checksum or manifest\n");
			return EXIT_REFUSED;
		}
		f->first = (struct uccn_backup_chunk){.size = c->size, .last_seq = c->last_seq,
			.cities = c->cities, .posts = c->posts, .problems = c->problems};
		if (!(f->first.checksum = strdup(c->checksum)) ||
		    !(f->first.manifest = strdup(c->manifest)) ||
		    (c->problem && !(f->first.problem = strdup(c->problem))))
			return EXIT_REFUSED;
	}
	if (c->offset != f->got || c->size != f->first.size || c->data.len > c->size - f->got) {
		fprintf(stderr, "uccn: the server sent a chunk out of place (offset %llu of %llu, "
			"expected %llu)\n", (unsigned long long)c->offset,
			(unsigned long long)c->size, (unsigned long long)f->got);
		return EXIT_REFUSED;
	}
	if (write_all(f->fd, c->data.data, c->data.len) != 0) {
		fprintf(stderr, "uccn: cannot write %s: %s\n", f->tmp, strerror(errno));
		return EXIT_REFUSED;
	}
	crypto_generichash_update(&f->hash, c->data.data, c->data.len);
	f->got += c->data.len;
	show_progress(f);
	return EXIT_OK;
}

/* The whole file, as the server checksummed it, synced. */
static int finish(struct fetch *f)
{
	unsigned char d[32];
	char hex[2 * sizeof d + 1];
	crypto_generichash_final(&f->hash, d, sizeof d);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	if (f->progress)
		fputc('\n', stderr);
	if (f->got != f->first.size || strcmp(hex, f->first.checksum) != 0) {
		fprintf(stderr, "uccn: the backup received (%llu bytes, BLAKE2b-256 %s) is not the "
			"one the server made (%llu bytes, %s); %s is left as it was\n",
			(unsigned long long)f->got, hex, (unsigned long long)f->first.size,
			f->first.checksum, f->file);
		return EXIT_REFUSED;
	}
	if (fsync(f->fd) != 0) {
		fprintf(stderr, "uccn: cannot sync %s: %s\n", f->tmp, strerror(errno));
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

static int into_place(struct fetch *f)
{
	if (rename_durably(f->tmp, f->file) != 0) {
		fprintf(stderr, "uccn: cannot rename %s to %s: %s\n", f->tmp, f->file,
			strerror(errno));
		unlink(f->tmp);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

/* Ask for the backup, wait until it is made, fetch every chunk. */
static int fetch_all(struct cli *g, struct fetch *f)
{
	struct uccn_request req = {.op = UCCN_OP_ADMIN_BACKUP};
	struct uccn_reply rep = {0};
	int rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK && !rep.backup.id) {
		fprintf(stderr, "uccn: the server named no backup\n");
		rc = EXIT_REFUSED;
	}
	if (rc == EXIT_OK)
		rc = cli_str_set(&req.backup_id, rep.backup.id);
	if (g->conn)
		client_set_stop(g->conn, &stopped);
	while (rc == EXIT_OK) {
		if (stopped) {
			fprintf(stderr, "%succn: interrupted; %s is left as it was\n",
				f->progress ? "\n" : "", f->file);
			rc = EXIT_REFUSED;
			break;
		}
		uccn_reply_clear(&rep);
		req.offset = f->got;
		if ((rc = cli_call(g, &req, &rep)))
			break;
		if (!rep.backup.ready) {
			nap();
			continue;
		}
		bool done = rep.backup.done;
		if ((rc = keep(f, &rep.backup)) || done)
			break;
		if (!rep.backup.data.len) {
			fprintf(stderr, "uccn: the server sent an empty chunk before the end\n");
			rc = EXIT_REFUSED;
		}
	}
	/* Given up: the server need not keep the backup for a minute. */
	if (rc != EXIT_OK && req.backup_id) {
		req.discard = true;
		req.offset = 0;
		uccn_reply_clear(&rep);
		cli_call_quiet(g, &req, &rep);
	}
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

int cmd_admin_backup(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct fetch f = {.fd = -1};
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		if (c == 'o')
			f.file = optarg;
		else
			COMMON_OPTION(g, cmd, c, &rc, out);
	}
	if (optind < argc) {
		rc = cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!f.file || !*f.file) {
		rc = cli_usage(cmd, "give the file to write: -o FILE");
		goto out;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "uccn: cannot start libsodium\n");
		rc = EXIT_REFUSED;
		goto out;
	}
	/* Beside FILE, so the rename stays on one file system. */
	snprintf(f.tmp, sizeof f.tmp, "%s.tmp-%ld", f.file, (long)getpid());
	if ((f.fd = open(f.tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "uccn: cannot create %s: %s\n", f.tmp, strerror(errno));
		rc = EXIT_REFUSED;
		goto out;
	}
	crypto_generichash_init(&f.hash, NULL, 0, 32);
	f.progress = isatty(STDERR_FILENO);
	/* No SA_RESTART: a wait for the server must end too. */
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if ((rc = fetch_all(g, &f)) || (rc = finish(&f)))
		goto out;
	close(f.fd);
	f.fd = -1;
	if ((rc = into_place(&f)) == EXIT_OK) {
		g->out->backed_up(f.file, &f.first);
		/* The backup is kept: it is the server's data as it is, and
		 * the best copy there is. */
		if (f.first.problems)
			fprintf(stderr, "uccn: warning: the server's data fails its check: %llu "
				"problem%s, the first: %s. The backup holds the data as the "
				"server does; uccnd --check on the server's data lists them "
				"all\n", (unsigned long long)f.first.problems,
				f.first.problems == 1 ? "" : "s",
				f.first.problem ? f.first.problem : "(not named)");
	}
out:
	if (f.fd >= 0) {
		close(f.fd);
		unlink(f.tmp);
	}
	free(f.first.id);
	free(f.first.checksum);
	free(f.first.manifest);
	free(f.first.problem);
	return rc;
}
