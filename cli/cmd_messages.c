/*
 * cmd_messages.c - uccn's mailbox and live feed: `inbox` shows and
 * acknowledges what was addressed to one's city; `watch` follows the
 * network as posts are committed, resumes after the last post it printed,
 * and keeps trying while the daemon is away.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smallfile.h"
#include "cli.h"
#include "client.h"
#include "uccn_error.h"
#include "uccn_limits.h"

int cmd_inbox(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_ACK = 1, O_LIMIT };
	static const struct option opts[] = {
		{"ack", required_argument, NULL, O_ACK},
		{"limit", required_argument, NULL, O_LIMIT},
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = UCCN_OP_INBOX};
	struct uccn_reply rep = {0};
	uint64_t v;
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == O_ACK) {
			if (cli_parse_u64(optarg, 1, UINT64_MAX, &req.seq)) {
				rc = cli_usage(cmd, "--ack '%s': give the sequence number read up to", optarg);
				goto out;
			}
			req.op = UCCN_OP_INBOX_ACK;
		} else if (c == O_LIMIT) {
			if (cli_parse_u64(optarg, 1, UCCN_LIST_MAX, &v)) {
				rc = cli_usage(cmd, "--limit '%s': give 1 to %d", optarg, UCCN_LIST_MAX);
				goto out;
			}
			req.query.limit = (uint32_t)v;
		} else {
			COMMON_OPTION(g, cmd, c, &rc, out);
		}
	}
	if (optind < argc) {
		rc = cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	rc = cli_call(g, &req, &rep);
	if (rc == EXIT_OK && req.op == UCCN_OP_INBOX)
		g->out->inbox(rep.posts, rep.nposts, rep.unread);
	else if (rc == EXIT_OK)
		g->out->acked(req.seq, rep.acked, rep.unread);
out:
	uccn_reply_clear(&rep);
	uccn_request_clear(&req);
	return rc;
}

/* ---- watch ---- */

#define WATCH_WAIT_MS 25000
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 8000

/* The position in a state file: one decimal number. 0 when absent. */
static int read_state(const char *path, uint64_t *since)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	*since = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return n == 0 ? 0 : -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return cli_parse_u64(buf, 0, UINT64_MAX, since);
}

/* Record the position durably: a temporary file, synced, renamed over. */
static int write_state(const char *path, uint64_t since)
{
	char tmp[4096], buf[32];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int n = snprintf(buf, sizeof buf, "%llu\n", (unsigned long long)since);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	bool ok = write(fd, buf, (size_t)n) == n && fsync(fd) == 0;
	if (close(fd) != 0 || !ok || rename_durably(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static volatile sig_atomic_t watch_stop;

/* Only sets the flag: the loop finishes the batch it printed, records the
 * position, and then ends, so a resumed watch neither repeats nor skips. */
static void on_stop_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (!watch_stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int cmd_watch(struct cli *g, const struct command *cmd, int argc, char **argv)
{
	enum { O_SINCE = 1, O_STATE };
	static const struct option opts[] = {
		{"since", required_argument, NULL, O_SINCE},
		{"state", required_argument, NULL, O_STATE},
		CLI_QUERY_OPTIONS,
		CLI_GLOBAL_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct uccn_request req = {.op = UCCN_OP_WATCH, .wait_ms = WATCH_WAIT_MS};
	struct uccn_query *q = &req.query;
	const char *state = NULL;
	bool since_given = false;
	struct client *client = NULL;
	char err[1024];
	int c, rc = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if ((rc = cli_query_option(cmd, c, optarg, q)) >= 0) {
			if (rc)
				goto out;
			continue;
		}
		switch (c) {
		case O_SINCE:
			if (cli_parse_u64(optarg, 0, UINT64_MAX, &q->since)) {
				rc = cli_usage(cmd, "--since '%s': give a sequence number", optarg);
				goto out;
			}
			since_given = true;
			break;
		case O_STATE: state = optarg; break;
		default:
			COMMON_OPTION(g, cmd, c, &rc, out);
		}
	}
	if (optind < argc) {
		rc = cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	/* Where to start: --since, else the state file, else from now. */
	bool from_now = !since_given;
	if (!since_given && state) {
		uint64_t saved;
		if (read_state(state, &saved) != 0) {
			rc = cli_usage(cmd, "--state %s: not a position written by uccn watch", state);
			goto out;
		}
		if (access(state, F_OK) == 0) {
			q->since = saved;
			from_now = false;
		}
	}
	/* ZeroMQ's threads start in cli_connect: with the stop signals blocked
	 * there, they arrive in this thread and interrupt its wait. */
	sigset_t stops, old_mask;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stops, &old_mask);
	rc = cli_connect(g, &client);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	if (rc)
		goto out;
	client_set_timeout(client, WATCH_WAIT_MS + g->timeout_ms);
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);  /* no SA_RESTART: the wait must end */
	sigaction(SIGTERM, &sa, NULL);
	client_set_stop(client, &watch_stop);
	int backoff = BACKOFF_MIN_MS;
	bool away = false;  /* said so on stderr, once per absence */
	while (!watch_stop) {
		struct uccn_reply rep = {0};
		/* "From now" is the last seq when the daemon first answers, so a
		 * watch started before the daemon waits for it like any other. */
		struct uccn_request sreq = {.op = UCCN_OP_STATUS};
		bool asking_position = from_now;
		client_set_timeout(client, from_now ? g->timeout_ms : WATCH_WAIT_MS + g->timeout_ms);
		rc = client_call(client, from_now ? &sreq : &req, &rep, err, sizeof err);
		if (rc == 0 && rep.status == 0 && away) {
			fprintf(stderr, "uccn: uccnd answers again at %s\n", g->endpoint);
			away = false;
		}
		if (rc == 0 && rep.status == 0 && asking_position) {
			q->since = rep.info.last_seq;
			from_now = false;
			backoff = BACKOFF_MIN_MS;
			uccn_reply_clear(&rep);
			continue;
		}
		if (rc == 0 && rep.status == 0) {
			for (size_t i = 0; i < rep.nposts; i++)
				g->out->watched(&rep.posts[i]);
			fflush(stdout);
			if (rep.next > q->since) {
				q->since = rep.next;
				if (state && write_state(state, q->since) != 0)
					fprintf(stderr, "uccn: cannot record the position in %s: %s\n",
						state, strerror(errno));
			}
			backoff = BACKOFF_MIN_MS;
			uccn_reply_clear(&rep);
			continue;
		}
		int code = rc ? rc : rep.status;
		const char *why = rc ? err : (rep.message ? rep.message : uccn_strerror(code));
		/* Refused, or damaged data (asking again reads the same
		 * damaged record): say so and stop. */
		if (code == UCCN_E_DENIED || code == UCCN_E_AUTH || code == UCCN_E_INVALID ||
		    code == UCCN_E_CORRUPT) {
			if (code == UCCN_E_CORRUPT)
				fprintf(stderr, "uccn: %s: %s\n", uccn_strerror(code), why);
			else
				fprintf(stderr, "uccn: %s\n", why);
			uccn_reply_clear(&rep);
			rc = cli_exit_for(code);
			goto out;
		}
		uccn_reply_clear(&rep);
		if (watch_stop)
			break;
		/* Away, busy or failing: keep trying, a little slower each time,
		 * and say so once, not on every try. The position is kept, so
		 * nothing is missed or repeated. */
		if (!away)
			fprintf(stderr, "uccn: uccnd is not answering at %s (%s); retrying\n",
				g->endpoint, why);
		away = true;
		sleep_ms(backoff);
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
	rc = EXIT_OK;
out:
	client_destroy(&client);
	uccn_request_clear(&req);
	return rc;
}
