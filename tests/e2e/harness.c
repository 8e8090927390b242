/*
 * harness.c - see harness.h.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "uccn_keyfile.h"

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

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* printf into a fresh string; aborts the test on failure. */
static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	return s;
}

/* ---- scratch directories and files ---- */

char *h_tmpdir_new(void)
{
	const char *base = getenv("TMPDIR");
	char *path = xasprintf("%s/uccn-e2e-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(path)) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", path, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		fprintf(stderr, "harness: remove %s: %s\n", path, strerror(errno));
	return 0;
}

void h_tmpdir_destroy(char **path_p)
{
	if (!path_p || !*path_p)
		return;
	if (getenv("UCCN_E2E_KEEP"))
		fprintf(stderr, "harness: kept %s\n", *path_p);
	else
		nftw(*path_p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(*path_p);
	*path_p = NULL;
}

char *h_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
		if (n + 1 == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int h_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof a;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	int port = 0;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
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
		    strncmp(environ[i], "UCCN_KEY=", 9) != 0)
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

static void set_status(int wstatus, int *status, int *sig)
{
	if (WIFEXITED(wstatus)) {
		*status = WEXITSTATUS(wstatus);
		*sig = 0;
	} else {
		*status = -1;
		*sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	}
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
			sleep_ms(5);
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
	set_status(wstatus, &r->status, &r->signal);
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

/* ---- the daemon ---- */

h_daemon_t *h_daemon_new(const char *dir)
{
	h_daemon_t *self = calloc(1, sizeof *self);
	if (!self)
		return NULL;
	self->dir = dir;
	self->port = h_free_port();
	self->status = -2;
	if (!self->port) {
		free(self);
		return NULL;
	}
	snprintf(self->endpoint, sizeof self->endpoint, "tcp://127.0.0.1:%d", self->port);
	snprintf(self->server_pub, sizeof self->server_pub, "%s/server.pub", dir);
	snprintf(self->coordinator_key, sizeof self->coordinator_key, "%s/coordinator.key", dir);
	snprintf(self->log, sizeof self->log, "%s/uccnd.log", dir);
	return self;
}

int h_daemon_start(h_daemon_t *self)
{
	return h_daemon_start_with(self, NULL, NULL);
}

int h_daemon_start_with(h_daemon_t *self, const char *opt, const char *val)
{
	assert_int_equal(self->pid, 0);
	char *path = xasprintf("%s/uccnd", h_bin_dir());
	char *argv[] = {path, "--data", (char *)self->dir, "--listen", self->endpoint,
			(char *)opt, (char *)val, NULL};
	int logfd = open(self->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	assert_true(logfd >= 0);
	pid_t pid = h_spawn(argv, -1, logfd, logfd);
	assert_true(pid >= 0);
	close(logfd);
	self->pid = pid;
	self->status = -2;

	/* Ready when `uccn status` answers with the coordinator key. */
	int64_t deadline = h_now_ms() + 10000;
	h_run_t r = {0};
	int rc = -1;
	while (h_now_ms() < deadline) {
		if (!h_daemon_running(self)) {
			fprintf(stderr, "harness: uccnd exited early (status %d)\n", self->status);
			break;
		}
		if (access(self->coordinator_key, R_OK) == 0 &&
		    access(self->server_pub, R_OK) == 0 &&
		    h_uccn(&r, self, self->coordinator_key, NULL, "--timeout", "1",
			   "status", NULL) == 0) {
			rc = 0;
			break;
		}
		sleep_ms(50);
	}
	if (rc != 0) {
		if (r.cmd)
			h_run_print(&r);
		fprintf(stderr, "harness: uccnd on %s did not become ready\n", self->endpoint);
		h_daemon_print_log(self);
	}
	h_run_clear(&r);
	free(path);
	return rc;
}

bool h_daemon_running(h_daemon_t *self)
{
	if (self->pid <= 0)
		return false;
	int ws;
	pid_t w = waitpid(self->pid, &ws, WNOHANG);
	if (w == 0)
		return true;
	int sig = 0;
	if (w == self->pid)
		set_status(ws, &self->status, &sig);
	else
		self->status = -1;
	self->pid = 0;
	return false;
}

/* Wait up to ms for the daemon to exit; true when it did. */
static bool wait_exit(h_daemon_t *self, int ms)
{
	int64_t deadline = h_now_ms() + ms;
	while (h_daemon_running(self)) {
		if (h_now_ms() >= deadline)
			return false;
		sleep_ms(5);
	}
	return true;
}

int h_daemon_stop(h_daemon_t *self)
{
	if (!h_daemon_running(self))
		return self->status;
	kill(self->pid, SIGTERM);
	if (!wait_exit(self, 10000)) {
		fprintf(stderr, "harness: uccnd ignored SIGTERM for 10 s; killing it\n");
		h_daemon_kill(self);
		return -1;
	}
	if (self->status != 0)
		h_daemon_print_log(self);
	return self->status;
}

void h_daemon_kill(h_daemon_t *self)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		int ws;
		waitpid(self->pid, &ws, 0);
		self->pid = 0;
		self->status = -1;
	}
}

int h_daemon_up(char **dir, h_daemon_t **d)
{
	*dir = h_tmpdir_new();
	*d = *dir ? h_daemon_new(*dir) : NULL;
	if (*d && h_daemon_start(*d) == 0)
		return 0;
	h_daemon_down(dir, d);
	return -1;
}

void h_daemon_down(char **dir, h_daemon_t **d)
{
	h_daemon_destroy(d);
	h_tmpdir_destroy(dir);
}

long h_daemon_rss_kb(const h_daemon_t *self)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", (int)self->pid);
	char *s = h_read_file(path, NULL);
	if (!s)
		return -1;
	long kb = -1;
	const char *p = strstr(s, "\nVmRSS:");
	if (p)
		kb = strtol(p + 7, NULL, 10);
	free(s);
	return kb;
}

bool h_daemon_asan(void)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/uccnd", h_bin_dir());
	size_t n = 0;
	char *bin = h_read_file(path, &n);
	bool asan = bin && memmem(bin, n, "__asan_init", 11) != NULL;
	free(bin);
	return asan;
}

void h_daemon_print_log(const h_daemon_t *self)
{
	size_t n = 0;
	char *s = h_read_file(self->log, &n);
	const size_t max = 8000;
	fprintf(stderr, "harness: --- %s (%zu bytes)%s ---\n%s\n--- end of log ---\n",
		self->log, n, n > max ? ", last 8000" : "",
		s ? s + (n > max ? n - max : 0) : "(unreadable)");
	free(s);
}

void h_daemon_destroy(h_daemon_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	h_daemon_kill(*self_p);
	free(*self_p);
	*self_p = NULL;
}

/* ---- the CLI ---- */

int h_uccnv(h_run_t *r, const h_daemon_t *d, const char *key,
	    const char *input, char *const args[])
{
	size_t n = 0;
	while (args[n])
		n++;
	char **argv = calloc(n + 8, sizeof *argv);
	assert_non_null(argv);
	char *path = xasprintf("%s/uccn", h_bin_dir());
	size_t k = 0;
	argv[k++] = path;
	if (d) {
		argv[k++] = "--endpoint";
		argv[k++] = (char *)d->endpoint;
		argv[k++] = "--server-key";
		argv[k++] = (char *)d->server_pub;
		if (key) {
			argv[k++] = "--key";
			argv[k++] = (char *)key;
		}
	}
	for (size_t i = 0; i < n; i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	int rc = h_run(r, argv, input, H_UCCN_TIMEOUT_MS);
	free(path);
	free(argv);
	return rc;
}

int h_uccn(h_run_t *r, const h_daemon_t *d, const char *key, const char *input, ...)
{
	char *args[64];
	size_t n = 0;
	va_list ap;
	va_start(ap, input);
	char *a;
	while ((a = va_arg(ap, char *)) != NULL) {
		assert_true(n + 1 < sizeof args / sizeof args[0]);
		args[n++] = a;
	}
	va_end(ap);
	args[n] = NULL;
	return h_uccnv(r, d, key, input, args);
}

int h_keygen(const char *path, char pub[UCCN_KEY_Z85_LEN + 1])
{
	h_run_t r = {0};
	int rc = -1;
	if (h_uccn(&r, NULL, NULL, NULL, "keygen", "-o", path, NULL) == 0 &&
	    r.out_len >= UCCN_KEY_Z85_LEN) {
		memcpy(pub, r.out, UCCN_KEY_Z85_LEN);
		pub[UCCN_KEY_Z85_LEN] = '\0';
		rc = 0;
	} else {
		h_run_print(&r);
	}
	h_run_clear(&r);
	return rc;
}

int h_city_register(const h_daemon_t *d, const char *id, const char *name,
		    char *keyfile)
{
	char pub[UCCN_KEY_Z85_LEN + 1];
	snprintf(keyfile, PATH_MAX, "%s/%s.key", d->dir, id);
	if (h_keygen(keyfile, pub) != 0)
		return -1;
	h_run_t r = {0};
	int rc = h_uccn(&r, d, d->coordinator_key, NULL, "city", "add", id,
			"--name", name, "--field", "literature", "--key", pub, NULL);
	if (rc != 0)
		h_run_print(&r);
	h_run_clear(&r);
	return rc == 0 ? 0 : -1;
}

/* ---- ZeroMQ ---- */

/* The public and secret key of a key file. */
static int read_keys(const char *path, char pub[UCCN_KEY_Z85_LEN + 1],
		     char sec[UCCN_KEY_Z85_LEN + 1])
{
	size_t n = 0;
	char *text = h_read_file(path, &n);
	if (!text)
		return -1;
	int rc = uccn_keyfile_parse(text, n, pub, sec);
	free(text);
	return rc;
}

void *h_dealer_new(void *ctx, const h_daemon_t *d, const char *keyfile)
{
	char spub[UCCN_KEY_Z85_LEN + 1], ssec[UCCN_KEY_Z85_LEN + 1];
	char pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	if (read_keys(d->server_pub, spub, ssec) != 0 ||
	    read_keys(keyfile, pub, sec) != 0 || !sec[0]) {
		fprintf(stderr, "harness: cannot read keys from %s or %s\n",
			d->server_pub, keyfile);
		return NULL;
	}
	return h_dealer_keys(ctx, d->endpoint, spub, pub, sec);
}

void *h_dealer_keys(void *ctx, const char *endpoint, const char *server_pub,
		    const char *pub, const char *sec)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	if (!s)
		return NULL;
	int linger = 0, sndtimeo = 5000;
	if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
	    zmq_setsockopt(s, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_pub, UCCN_KEY_Z85_LEN + 1) ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, UCCN_KEY_Z85_LEN + 1) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, UCCN_KEY_Z85_LEN + 1) ||
	    zmq_connect(s, endpoint)) {
		fprintf(stderr, "harness: dealer: %s\n", zmq_strerror(zmq_errno()));
		zmq_close(s);
		return NULL;
	}
	return s;
}

/* ---- JSON ---- */

struct h_json {
	h_json_type_t type;
	bool b;
	char *s;        /* string value, or a number's text */
	char *key;      /* member name inside an object */
	h_json_t **items;
	size_t n;
};

struct jp {
	const char *p;
	int depth;
};

static void jp_ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return true;
}

static size_t put_utf8(char *o, unsigned c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* A string at j->p (on the opening quote); malloc'd, NULL on error. */
static char *jp_string(struct jp *j)
{
	const char *p = j->p + 1;
	/* Unescaping never lengthens: size by the raw text. */
	const char *q = p;
	while (*q && *q != '"')
		q += (*q == '\\' && q[1]) ? 2 : 1;
	char *o = malloc((size_t)(q - p) + 1), *w = o;
	if (!o)
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			goto fail;
		if (*p != '\\') {
			*w++ = *p++;
			continue;
		}
		p++;
		unsigned c, lo;
		switch (*p) {
		case '"': case '\\': case '/': *w++ = *p; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u':
			if (!hex4(p + 1, &c))
				goto fail;
			p += 4;
			if (c >= 0xD800 && c < 0xDC00 && p[1] == '\\' && p[2] == 'u' &&
			    hex4(p + 3, &lo) && lo >= 0xDC00 && lo < 0xE000) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			w += put_utf8(w, c);
			break;
		default:
			goto fail;
		}
		p++;
	}
	if (*p != '"')
		goto fail;
	*w = '\0';
	j->p = p + 1;
	return o;
fail:
	free(o);
	return NULL;
}

static h_json_t *jp_value(struct jp *j);

static bool jp_push(h_json_t *v, h_json_t *item)
{
	h_json_t **ni = realloc(v->items, (v->n + 1) * sizeof *ni);
	if (!ni)
		return false;
	v->items = ni;
	v->items[v->n++] = item;
	return true;
}

/* An array or object; j->p on '[' or '{'. */
static h_json_t *jp_container(struct jp *j, h_json_t *v)
{
	bool obj = *j->p == '{';
	char close = obj ? '}' : ']';
	v->type = obj ? H_JSON_OBJECT : H_JSON_ARRAY;
	j->p++;
	jp_ws(j);
	if (*j->p == close) {
		j->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		jp_ws(j);
		if (obj) {
			if (*j->p != '"' || !(key = jp_string(j)))
				return NULL;
			jp_ws(j);
			if (*j->p != ':') {
				free(key);
				return NULL;
			}
			j->p++;
		}
		h_json_t *item = jp_value(j);
		if (!item) {
			free(key);
			return NULL;
		}
		item->key = key;
		if (!jp_push(v, item)) {
			h_json_destroy(&item);
			return NULL;
		}
		jp_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p != close)
			return NULL;
		j->p++;
		return v;
	}
}

static h_json_t *jp_value(struct jp *j)
{
	if (++j->depth > 64)
		return NULL;
	jp_ws(j);
	h_json_t *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	h_json_t *ok = v;
	const char *p = j->p;
	if (*p == '{' || *p == '[') {
		ok = jp_container(j, v);
	} else if (*p == '"') {
		v->type = H_JSON_STRING;
		ok = (v->s = jp_string(j)) ? v : NULL;
	} else if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
		v->type = H_JSON_BOOL;
		v->b = *p == 't';
		j->p += v->b ? 4 : 5;
	} else if (strncmp(p, "null", 4) == 0) {
		v->type = H_JSON_NULL;
		j->p += 4;
	} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
		const char *q = p + 1;
		while ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' ||
		       *q == 'E' || *q == '+' || *q == '-')
			q++;
		v->type = H_JSON_NUMBER;
		v->s = strndup(p, (size_t)(q - p));
		ok = v->s ? v : NULL;
		j->p = q;
	} else {
		ok = NULL;
	}
	j->depth--;
	if (!ok)
		h_json_destroy(&v);
	return ok;
}

h_json_t *h_json_parse(const char *text)
{
	if (!text)
		return NULL;
	struct jp j = {text, 0};
	h_json_t *v = jp_value(&j);
	if (v) {
		jp_ws(&j);
		if (*j.p != '\0')
			h_json_destroy(&v);
	}
	return v;
}

void h_json_destroy(h_json_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	h_json_t *v = *self_p;
	for (size_t i = 0; i < v->n; i++)
		h_json_destroy(&v->items[i]);
	free(v->items);
	free(v->s);
	free(v->key);
	free(v);
	*self_p = NULL;
}

h_json_type_t h_json_type(const h_json_t *self)
{
	return self ? self->type : H_JSON_NULL;
}

size_t h_json_len(const h_json_t *self)
{
	return self && (self->type == H_JSON_ARRAY || self->type == H_JSON_OBJECT)
	       ? self->n : 0;
}

const h_json_t *h_json_at(const h_json_t *self, size_t i)
{
	return self && self->type == H_JSON_ARRAY && i < self->n ? self->items[i] : NULL;
}

const h_json_t *h_json_get(const h_json_t *self, const char *key)
{
	if (!self || self->type != H_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < self->n; i++)
		if (strcmp(self->items[i]->key, key) == 0)
			return self->items[i];
	return NULL;
}

const char *h_json_str(const h_json_t *self)
{
	return self && self->type == H_JSON_STRING ? self->s : NULL;
}

uint64_t h_json_u64(const h_json_t *self)
{
	return self && self->type == H_JSON_NUMBER ? strtoull(self->s, NULL, 10) : 0;
}

bool h_json_bool(const h_json_t *self)
{
	return self && self->type == H_JSON_BOOL && self->b;
}

bool h_json_is_null(const h_json_t *self)
{
	return self && self->type == H_JSON_NULL;
}
