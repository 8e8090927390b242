/*
 * daemon.c - see daemon.h. Readiness is `uccn status` answering with the
 * coordinator key, polled every 50 ms; every wait has a deadline.
 */
#include "daemon.h"
#include "client.h"
#include "harness_int.h"
#include "tmpdir.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- scratch directories and ports ---- */

char *h_tmpdir_new(void)
{
	return tmpdir_new("e2e");
}

void h_tmpdir_destroy(char **path_p)
{
	if (!path_p || !*path_p)
		return;
	if (getenv("UCCN_E2E_KEEP")) {
		fprintf(stderr, "harness: kept %s\n", *path_p);
		free(*path_p);
		*path_p = NULL;
		return;
	}
	tmpdir_destroy(path_p);
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
	char *path = h_xasprintf("%s/uccnd", h_bin_dir());
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
		h_sleep_ms(50);
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
		h_set_status(ws, &self->status, &sig);
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
		h_sleep_ms(5);
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
	return h_daemon_status_kb(self, "VmRSS");
}

long h_daemon_status_kb(const h_daemon_t *self, const char *field)
{
	char path[64], key[32];
	snprintf(path, sizeof path, "/proc/%d/status", (int)self->pid);
	char *s = h_read_file(path, NULL);
	if (!s)
		return -1;
	long kb = -1;
	snprintf(key, sizeof key, "\n%s:", field);
	const char *p = strstr(s, key);
	if (p)
		kb = strtol(p + strlen(key), NULL, 10);
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

void h_daemon_skip_check(h_daemon_t *self)
{
	self->skip_check = true;
}

/* Every store a test leaves must pass uccnd --check. */
static int check_store(const h_daemon_t *self)
{
	/* An empty data.mdb is no store: uccnd would make a new one. */
	char *data = h_xasprintf("%s/data.mdb", self->dir);
	struct stat st;
	bool present = stat(data, &st) == 0 && st.st_size > 0;
	free(data);
	if (self->skip_check || !present)
		return 0;
	char *path = h_xasprintf("%s/uccnd", h_bin_dir());
	char *argv[] = {path, "--check", (char *)self->dir, NULL};
	h_run_t r = {0};
	h_run(&r, argv, NULL, 60000);
	const char *tally = getenv("UCCN_CHECK_TALLY");
	FILE *f = tally ? fopen(tally, "a") : NULL;
	if (f) {
		fprintf(f, "%s %d\n", self->dir, r.status);
		fclose(f);
	}
	if (r.status != 0) {
		fprintf(stderr, "harness: the store the test leaves fails uccnd --check:\n");
		h_run_print(&r);
	}
	int status = r.status;
	h_run_clear(&r);
	free(path);
	return status;
}

void h_daemon_destroy(h_daemon_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	h_daemon_kill(*self_p);
	h_daemon_t *self = *self_p;
	*self_p = NULL;
	int status = check_store(self);
	free(self);
	assert_int_equal(status, 0);
}
