/*
 * util.c - clocks, progress lines, samples, child processes and the
 * clean-up of uccn-bench (see bench.h).
 */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


int64_t b_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void b_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

double b_cpu_self(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double b_cpu_pid(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return NAN;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After "pid (comm) ": state is field 3, utime 14, stime 15. */
	const char *p = strrchr(buf, ')');
	unsigned long long ut, st;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return NAN;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int64_t start_ns;

void b_progress(const char *fmt, ...)
{
	if (!start_ns)
		start_ns = b_now_ns();
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "uccn-bench [%6.1f s] %s\n", (double)(b_now_ns() - start_ns) / 1e9, line);
	fflush(stderr);
}

/* ---- children and clean-up ---- */

#define MAX_CHILDREN 64

static volatile pid_t children[MAX_CHILDREN];
static char root_dir[4096];
static bool keep_root;
static volatile sig_atomic_t cleaning;

void b_child_add(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == 0) {
			children[i] = pid;
			return;
		}
}

void b_child_remove(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

static void kill_children(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		pid_t p = children[i];
		if (p > 0) {
			kill(p, SIGKILL);
			waitpid(p, NULL, 0);
			children[i] = 0;
		}
	}
}

static void cleanup(void)
{
	if (cleaning)
		return;
	cleaning = 1;
	kill_children();
	if (root_dir[0]) {
		if (keep_root)
			fprintf(stderr, "uccn-bench: kept %s\n", root_dir);
		else
			tmpdir_remove(root_dir);
	}
}

static void on_signal(int sig)
{
	/* Not strictly async-signal-safe (nftw), but we are leaving anyway. */
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

int b_cleanup_init(char *root_template, bool keep)
{
	if (!mkdtemp(root_template)) {
		fprintf(stderr, "uccn-bench: mkdtemp %s: %s\n", root_template, strerror(errno));
		return -1;
	}
	snprintf(root_dir, sizeof root_dir, "%s", root_template);
	keep_root = keep;
	atexit(cleanup);
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int b_subdir(const char *dir, const char *name, char *out)
{
	snprintf(out, PATH_MAX, "%s/%s", dir, name);
	if (mkdir(out, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "uccn-bench: mkdir %s: %s\n", out, strerror(errno));
		return -1;
	}
	return 0;
}

char **b_clean_env(void)
{
	static char **env;
	if (!env)
		env = h_clean_environ();
	return env;
}

/* ---- samples ---- */

void b_samples_add(struct b_samples *s, int64_t ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 65536;
		uint32_t *v = realloc(s->v, cap * sizeof *v);
		if (!v)
			abort();
		s->v = v;
		s->cap = cap;
	}
	int64_t us = (ns + 500) / 1000;
	s->v[s->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)(us < 0 ? 0 : us);
}

void b_samples_append(struct b_samples *dst, const struct b_samples *src)
{
	for (size_t i = 0; i < src->n; i++)
		b_samples_add(dst, (int64_t)src->v[i] * 1000);
}

void b_samples_free(struct b_samples *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

double b_samples_pct(struct b_samples *s, double p)
{
	if (!s->n)
		return -1;
	qsort(s->v, s->n, sizeof s->v[0], cmp_u32);
	/* Nearest rank. */
	size_t rank = (size_t)ceil(p / 100.0 * (double)s->n);
	if (rank < 1)
		rank = 1;
	if (rank > s->n)
		rank = s->n;
	return s->v[rank - 1];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double b_median(double *v, size_t n)
{
	/* Failed rounds (NAN) do not count. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[k++] = v[i];
	n = k;
	if (!n)
		return NAN;
	qsort(v, n, sizeof v[0], cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
