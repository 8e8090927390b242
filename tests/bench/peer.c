/*
 * peer.c - the programs uccn-bench runs beside the daemon: redis-server
 * and redis-benchmark (the peer), and the uccn CLI (see bench.h).
 */
#include "bench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- Redis ---- */

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, prog);
		if (n && access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

bool b_redis_available(char *why, size_t whylen)
{
	bool server = on_path("redis-server"), bench = on_path("redis-benchmark");
	if (server && bench)
		return true;
	snprintf(why, whylen, "%s%s%s not found on PATH (Debian: apt-get install%s%s; "
		 "`sh tools/deps.sh bench` does it)",
		 server ? "" : "redis-server", !server && !bench ? " and " : "",
		 bench ? "" : "redis-benchmark", server ? "" : " redis-server",
		 bench ? "" : " redis-tools");
	return false;
}

/* argv (looked up on PATH) with stdout and stderr to fd out; the child
 * dies with us. */
static pid_t spawn_child(char *const argv[], int out)
{
	pid_t pid = h_spawn(argv, -1, out, out);
	if (pid > 0)
		b_child_add(pid);
	return pid;
}

/* Send cmd (inline form) to 127.0.0.1:port and read the answer into buf;
 * bytes read, or -1. */
static ssize_t redis_ask(int port, const char *cmd, char *buf, size_t len)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ssize_t got = -1;
	size_t n = strlen(cmd);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 && write(fd, cmd, n) == (ssize_t)n) {
		struct pollfd p = {fd, POLLIN, 0};
		size_t have = 0;
		/* Enough for PING and INFO server; stop at a pause of 200 ms. */
		while (have + 1 < len && poll(&p, 1, 200) > 0) {
			ssize_t r = read(fd, buf + have, len - have - 1);
			if (r <= 0)
				break;
			have += (size_t)r;
		}
		buf[have] = '\0';
		got = (ssize_t)have;
	}
	close(fd);
	return got;
}

int b_redis_start(struct b_redis *r, const char *dir)
{
	char port[16], log[4200];
	memset(r->version, 0, sizeof r->version);
	snprintf(r->dir, sizeof r->dir, "%s", dir);
	r->port = h_free_port();
	snprintf(port, sizeof port, "%d", r->port);
	snprintf(log, sizeof log, "%s/redis.log", dir);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !r->port) {
		fprintf(stderr, "uccn-bench: cannot prepare redis-server in %s\n", dir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char *argv[] = {"redis-server", "--bind", "127.0.0.1", "--port", port, "--dir", (char *)dir,
			"--appendonly", "yes", "--appendfsync", "always", "--save", "",
			"--daemonize", "no", NULL};
	r->pid = spawn_child(argv, fd);
	close(fd);
	if (r->pid < 0)
		return -1;
	int64_t deadline = b_now_ns() + 10 * (int64_t)1000000000;
	char buf[8192];
	while (b_now_ns() < deadline) {
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid) {
			b_child_remove(r->pid);
			r->pid = 0;
			break;
		}
		if (redis_ask(r->port, "PING\r\n", buf, sizeof buf) > 0 &&
		    strncmp(buf, "+PONG", 5) == 0) {
			if (redis_ask(r->port, "INFO server\r\n", buf, sizeof buf) > 0) {
				const char *v = strstr(buf, "redis_version:");
				if (v)
					sscanf(v + 14, "%31[0-9.]", r->version);
			}
			return 0;
		}
		b_sleep_ms(20);
	}
	fprintf(stderr, "uccn-bench: redis-server did not answer PING; its log:\n");
	char *text = h_read_file(log, NULL);
	fprintf(stderr, "%s\n", text ? text : "(unreadable)");
	free(text);
	b_redis_stop(r);
	return -1;
}

double b_redis_bench(const struct b_redis *r, int clients, long count, size_t size,
		     double *secs, double *cpu)
{
	char port[16], c[16], n[32], d[32];
	snprintf(port, sizeof port, "%d", r->port);
	snprintf(c, sizeof c, "%d", clients);
	snprintf(n, sizeof n, "%ld", count);
	snprintf(d, sizeof d, "%zu", size);
	char *argv[] = {"redis-benchmark", "-h", "127.0.0.1", "-p", port, "-t", "set", "-d", d,
			"-c", c, "-n", n, "-q", NULL};
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return NAN;
	int64_t t0 = b_now_ns();
	pid_t pid = spawn_child(argv, pfd[1]);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return NAN;
	}
	size_t cap = 65536, have = 0;
	char *out = malloc(cap);
	int64_t deadline = t0 + 120 * (int64_t)1000000000;
	struct pollfd p = {pfd[0], POLLIN, 0};
	bool timed_out = false;
	while (out) {
		if (b_now_ns() > deadline) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, 200) <= 0)
			continue;
		if (have + 4096 > cap) {
			/* Keep the end: the figure is on the last line. */
			memmove(out, out + cap / 2, have - cap / 2);
			have -= cap / 2;
		}
		ssize_t got = read(pfd[0], out + have, cap - have - 1);
		if (got <= 0)
			break;
		have += (size_t)got;
	}
	close(pfd[0]);
	int ws = 0;
	struct rusage ru = {0};
	wait4(pid, &ws, 0, &ru);
	b_child_remove(pid);
	*secs = (double)(b_now_ns() - t0) / 1e9;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	if (!out)
		return NAN;
	out[have] = '\0';
	/* With -q the result is "SET: 32123.45 requests per second, p50=...";
	 * progress lines before it ("SET: rps=...") are separated by CR. */
	double rate = NAN;
	const char *q = strstr(out, " requests per second");
	if (q) {
		const char *s = q;
		while (s > out && s[-1] != ' ')
			s--;
		if (s >= out + 5 && strncmp(s - 5, "SET: ", 5) == 0)
			rate = strtod(s, NULL);
	}
	if (timed_out || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || isnan(rate)) {
		for (char *x = out; *x; x++)
			if (*x == '\r')
				*x = '\n';
		fprintf(stderr, "uccn-bench: redis-benchmark -c %d -n %ld %s; its output:\n%s\n",
			clients, count, timed_out ? "ran over 120 s" : "failed",
			have > 2000 ? out + have - 2000 : out);
		rate = NAN;
	}
	free(out);
	return rate;
}

void b_redis_stop(struct b_redis *r)
{
	if (r->pid <= 0)
		return;
	kill(r->pid, SIGTERM);
	int64_t deadline = b_now_ns() + 10 * (int64_t)1000000000;
	while (waitpid(r->pid, NULL, WNOHANG) == 0) {
		if (b_now_ns() > deadline) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, NULL, 0);
			break;
		}
		b_sleep_ms(5);
	}
	b_child_remove(r->pid);
	r->pid = 0;
}

/* ---- the CLI ---- */

double b_cli_ms(char *const argv[], const char *log, int warm, int runs,
		double *min_ms, double *max_ms)
{
	double *ms = calloc((size_t)runs, sizeof *ms);
	double med = NAN;
	if (!ms)
		return NAN;
	*min_ms = INFINITY;
	*max_ms = 0;
	for (int i = 0; i < warm + runs; i++) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
		pid_t pid;
		int64_t t0 = b_now_ns();
		int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, b_clean_env());
		int ws = 0;
		if (rc == 0) {
			b_child_add(pid);
			while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
				;
			b_child_remove(pid);
		}
		double t = (double)(b_now_ns() - t0) / 1e6;
		posix_spawn_file_actions_destroy(&fa);
		if (rc != 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
			char *text = h_read_file(log, NULL);
			fprintf(stderr, "uccn-bench: %s ... %s failed (%s); its output:\n%s\n", argv[0],
				argv[1] ? argv[1] : "", rc ? strerror(rc) : "exit status not 0",
				text ? text : "");
			free(text);
			free(ms);
			return NAN;
		}
		if (i < warm)
			continue;
		ms[i - warm] = t;
		if (t < *min_ms)
			*min_ms = t;
		if (t > *max_ms)
			*max_ms = t;
	}
	med = b_median(ms, (size_t)runs);
	free(ms);
	return med;
}
