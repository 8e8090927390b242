/*
 * proc.c - see proc.h: the binaries' directory, the clock, files, and
 * running children (spawned with PR_SET_PDEATHSIG, waited for under a
 * deadline, killed when late).
 */
#include "tmpdir.h"
#include "proc.h"
#include "harness_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define H_MAX_OUTPUT (64u * 1024 * 1024)

static const char *bin_dir;

/* ---- setup ---- */

void h_set_bin_dir(const char *dir)
{
	bin_dir = dir;
}

const char *h_bin_dir(void)
{
	if (!bin_dir) {
		const char *e = getenv("UCCN_BIN");
		bin_dir = e && *e ? e : "build";
	}
	return bin_dir;
}

int64_t h_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void h_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* printf into a fresh string; aborts the test on failure. */
char *h_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	return s;
}

void h_set_status(int wstatus, int *status, int *sig)
{
	if (WIFEXITED(wstatus)) {
		*status = WEXITSTATUS(wstatus);
		*sig = 0;
	} else {
		*status = -1;
		*sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	}
}

/* ---- files ---- */

char *h_read_file(const char *path, size_t *len)
{
	return tmpdir_read_file(path, len);
}

/* ---- running a program ---- */

/* The environment without the CLI's fallback variables. */
char **h_clean_environ(void)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 1, sizeof *env);
	if (!env)
		abort();
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "UCCN_ENDPOINT=", 14) != 0 &&
		    strncmp(environ[i], "UCCN_SERVER_KEY=", 16) != 0 &&
		    strncmp(environ[i], "UCCN_KEY=", 9) != 0 &&
		    strncmp(environ[i], "UCCND_CONF=", 11) != 0)
			env[k++] = environ[i];
	return env;
}

pid_t h_spawn(char *const argv[], int in, int out, int err)
{
	/* Everything the child needs is made before fork: the parent may
	 * have threads, and only async-signal-safe calls follow fork. */
	char **env = h_clean_environ();
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(in >= 0 ? in : nul, 0);
		dup2(out >= 0 ? out : nul, 1);
		dup2(err >= 0 ? err : nul, 2);
		if (strchr(argv[0], '/'))
			execve(argv[0], argv, env);
		else
			execvpe(argv[0], argv, env);
		_exit(127);
	}
	if (nul >= 0)
		close(nul);
	free(env);
	return pid;
}

/* The command line for messages; long arguments are cut at 80 bytes. */
static char *join_argv(char *const argv[])
{
	size_t cap = 1, n = 0;
	for (size_t i = 0; argv[i]; i++)
		cap += (strlen(argv[i]) > 80 ? 80 : strlen(argv[i])) + 8;
	char *s = malloc(cap);
	assert_non_null(s);
	s[0] = '\0';
	for (size_t i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]);
		bool q = l == 0 || strpbrk(argv[i], " \n\t") != NULL;
		int w = snprintf(s + n, cap - n, "%s%s%.*s%s%s", i ? " " : "",
				 q ? "'" : "", (int)(l > 80 ? 80 : l), argv[i],
				 l > 80 ? "..." : "", q ? "'" : "");
		n += w > 0 ? (size_t)w : 0;
	}
	return s;
}

struct buf {
	char *p;
	size_t n, cap;
};

/* Read what fd has into b; false at EOF or error. */
static bool drain(int fd, struct buf *b)
{
	char tmp[65536];
	ssize_t got = read(fd, tmp, sizeof tmp);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (got <= 0)
		return false;
	if (b->n + (size_t)got + 1 > b->cap && b->n + (size_t)got < H_MAX_OUTPUT) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + (size_t)got + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		assert_non_null(np);
		b->p = np;
		b->cap = cap;
	}
	if (b->n + (size_t)got + 1 <= b->cap) {
		memcpy(b->p + b->n, tmp, (size_t)got);
		b->n += (size_t)got;
	}
	return true;
}

int h_run(h_run_t *r, char *const argv[], const char *input, int timeout_ms)
{
	h_run_clear(r);
	signal(SIGPIPE, SIG_IGN);
	r->cmd = join_argv(argv);
	int in[2] = {-1, -1}, out[2], err[2];
	if (input)
		assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	int64_t start = h_now_ms();
	pid_t pid = h_spawn(argv, input ? in[0] : -1, out[1], err[1]);
	assert_true(pid >= 0);
	close(out[1]);
	close(err[1]);
	size_t in_len = 0, in_off = 0;
	if (input) {
		close(in[0]);
		fcntl(in[1], F_SETFL, O_NONBLOCK);
		in_len = strlen(input);
		if (in_len == 0) {
			close(in[1]);
			in[1] = -1;
		}
	}
	struct buf bo = {0}, be = {0};
	bool open_out = true, open_err = true, exited = false;
	int wstatus = 0;
	for (;;) {
		int64_t left = start + timeout_ms - h_now_ms();
		if (left <= 0)
			break;
		if (!open_out && !open_err) {
			/* Output closed: wait for the exit, still bounded. */
			pid_t w = waitpid(pid, &wstatus, WNOHANG);
			if (w == pid) {
				exited = true;
				break;
			}
			h_sleep_ms(5);
			continue;
		}
		struct pollfd p[3];
		int np = 0, io = -1, ie = -1, ii = -1;
		if (open_out) {
			io = np;
			p[np++] = (struct pollfd){out[0], POLLIN, 0};
		}
		if (open_err) {
			ie = np;
			p[np++] = (struct pollfd){err[0], POLLIN, 0};
		}
		if (in[1] >= 0) {
			ii = np;
			p[np++] = (struct pollfd){in[1], POLLOUT, 0};
		}
		int pr = poll(p, (nfds_t)np, (int)(left > 100 ? 100 : left));
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		if (io >= 0 && p[io].revents && !drain(out[0], &bo))
			open_out = false;
		if (ie >= 0 && p[ie].revents && !drain(err[0], &be))
			open_err = false;
		if (ii >= 0 && p[ii].revents) {
			ssize_t w = (p[ii].revents & POLLOUT)
				    ? write(in[1], input + in_off, in_len - in_off) : -1;
			if (w > 0)
				in_off += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off == in_len) {
				close(in[1]);
				in[1] = -1;
			}
		}
	}
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &wstatus, 0);
		r->timed_out = true;
	}
	if (in[1] >= 0)
		close(in[1]);
	close(out[0]);
	close(err[0]);
	r->elapsed_ms = h_now_ms() - start;
	h_set_status(wstatus, &r->status, &r->signal);
	if (r->timed_out)
		r->status = -1;
	r->out = bo.p ? bo.p : calloc(1, 1);
	r->err = be.p ? be.p : calloc(1, 1);
	assert_true(r->out && r->err);
	r->out[bo.n] = '\0';
	r->err[be.n] = '\0';
	r->out_len = bo.n;
	r->err_len = be.n;
	return r->status;
}

void h_run_clear(h_run_t *r)
{
	free(r->cmd);
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}

static void print_trimmed(const char *label, const char *s, size_t n)
{
	const size_t max = 2000;
	fprintf(stderr, "  %s (%zu bytes):\n%.*s%s\n", label, n,
		(int)(n > max ? max : n), s ? s : "", n > max ? "\n  [...]" : "");
}

void h_run_print(const h_run_t *r)
{
	fprintf(stderr, "harness: `%s`\n  ", r->cmd ? r->cmd : "?");
	if (r->timed_out)
		fprintf(stderr, "timed out, killed");
	else if (r->signal)
		fprintf(stderr, "killed by signal %d", r->signal);
	else
		fprintf(stderr, "exit %d", r->status);
	fprintf(stderr, " after %lld ms\n", (long long)r->elapsed_ms);
	print_trimmed("stdout", r->out, r->out_len);
	print_trimmed("stderr", r->err, r->err_len);
}
