/*
 * writer.c - see writer.h. A post counts as acknowledged only when uccn
 * exits 0 and prints its seq: that is what a user would take as "stored".
 * Any other outcome (daemon killed, restarting, timed out) retries the same
 * key, which the daemon must answer with the first seq if it stored it.
 */
#include "writer.h"
#include "torture.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A killed daemon never answers what it had in hand: give up on a request
 * this soon and retry; the key makes the retry safe. */
#define POST_TIMEOUT_S "3"
#define RETRY_PAUSE_MS 50
/* A post refused this many times in a row for good (a store that lost
 * the writer's city refuses its key): the writer gives up, says 'F'. */
#define GIVE_UP_AFTER 10

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Between posts: obey the driver. -1 to quit. */
static int obey(int ctl, int rep)
{
	struct pollfd p = {ctl, POLLIN, 0};
	if (poll(&p, 1, 0) <= 0)
		return 0;
	char c;
	for (;;) {
		ssize_t r = read(ctl, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == 'q')
			return -1;
		if (c == 'r')
			return 0;
		if (c == 'p' && write(rep, "P", 1) != 1)
			return -1;
	}
}

/* uccn's stdout after a post: the seq alone on a line. */
static int seq_of(const char *out, uint64_t *seq)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(out, &end, 10);
	if (errno || end == out || strcmp(end, "\n") != 0)
		return -1;
	*seq = v;
	return 0;
}

static void writer_main(int index, const h_daemon_t *d, const struct writer *w)
{
	int ackfd = open(w->acks, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (ackfd < 0)
		_exit(1);
	h_run_t r = {0};
	int complaints = 0;
	for (long n = 0; obey(w->ctl, w->rep) == 0; n++) {
		char keyid[32];
		snprintf(keyid, sizeof keyid, "w%d-%ld", index, n);
		char *body = torture_body(index, n);
		uint64_t seq;
		for (int refused = 0;;) {
			h_uccn(&r, d, w->key, NULL, "--timeout", POST_TIMEOUT_S, "post",
			       "--key-id", keyid, body, NULL);
			if (r.status == 0 && seq_of(r.out, &seq) == 0)
				break;
			/* 5 is "unreachable or timed out": the daemon is down. */
			if (r.status != 5 && complaints++ < 3)
				h_run_print(&r);
			/* Usage, not found, denied: no retry will mend that. */
			refused = r.status >= 2 && r.status <= 4 ? refused + 1 : 0;
			if (refused == GIVE_UP_AFTER) {
				if (write(w->rep, "F", 1) != 1)
					_exit(1);
				_exit(3);
			}
			sleep_ms(RETRY_PAUSE_MS);
		}
		free(body);
		if (dprintf(ackfd, "%ld %" PRIu64 "\n", n, seq) < 0)
			_exit(1);
	}
	h_run_clear(&r);
	_exit(0);
}

int writer_start(struct writer *w, int index, const h_daemon_t *d)
{
	int ctl[2], rep[2];
	if (pipe2(ctl, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(rep, O_CLOEXEC) != 0) {
		close(ctl[0]);
		close(ctl[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ctl[1]);
		close(rep[0]);
		w->ctl = ctl[0];
		w->rep = rep[1];
		writer_main(index, d, w);
	}
	close(ctl[0]);
	close(rep[1]);
	w->pid = pid;
	w->ctl = ctl[1];
	w->rep = rep[0];
	if (pid < 0) {
		close(ctl[1]);
		close(rep[0]);
		return -1;
	}
	return 0;
}

int writers_pause(struct writer *ws, int n, h_daemon_t *d, int timeout_ms)
{
	for (int i = 0; i < n; i++)
		if (write(ws[i].ctl, "p", 1) != 1)
			return -1;
	int64_t deadline = h_now_ms() + timeout_ms;
	for (int i = 0; i < n; i++) {
		char c = 0;
		for (;;) {
			struct pollfd p = {ws[i].rep, POLLIN, 0};
			if (poll(&p, 1, 200) == 1) {
				if (read(ws[i].rep, &c, 1) != 1 || c != 'P') {
					fprintf(stderr, "torture: writer %d %s\n", i, c == 'F' ?
						"gave up: uccn refused its post for good (its "
						"city lost?)" : "is gone");
					return -1;
				}
				break;
			}
			if (!h_daemon_running(d)) {
				fprintf(stderr, "torture: uccnd exited (status %d) while writer %d "
					"retried its post\n", d->status, i);
				return -1;
			}
			if (h_now_ms() > deadline) {
				fprintf(stderr, "torture: writer %d did not get its post in flight "
					"acknowledged within %d ms\n", i, timeout_ms);
				return -1;
			}
		}
	}
	return 0;
}

void writers_resume(struct writer *ws, int n)
{
	for (int i = 0; i < n; i++)
		if (write(ws[i].ctl, "r", 1) != 1)
			fprintf(stderr, "torture: writer %d is gone\n", i);
}

void writers_stop(struct writer *ws, int n)
{
	for (int i = 0; i < n; i++) {
		if (ws[i].pid <= 0)
			continue;
		if (write(ws[i].ctl, "q", 1) != 1 || close(ws[i].ctl) != 0)
			kill(ws[i].pid, SIGKILL);
		int64_t deadline = h_now_ms() + 10000;
		int st;
		while (waitpid(ws[i].pid, &st, WNOHANG) == 0) {
			if (h_now_ms() > deadline) {
				kill(ws[i].pid, SIGKILL);
				waitpid(ws[i].pid, &st, 0);
				break;
			}
			sleep_ms(10);
		}
		close(ws[i].rep);
		ws[i].pid = 0;
	}
}
