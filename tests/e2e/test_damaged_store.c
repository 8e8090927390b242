/*
 * test_damaged_store.c - end-to-end: uccnd on damaged copies of a store
 * (issue 14, item 3). One store is built with the real uccnd and uccn;
 * each line of tests/damage/recipes.txt damages a copy of it (truncated,
 * zeroed pages, flipped bits in the meta pages and in post bodies, a
 * store of format 2). For each, uccnd either refuses to start (exit 1 in
 * seconds, saying why, creating nothing) or starts, and then every read
 * answers what the whole store answered or `corrupt`: never other data,
 * never a crash, never a hang.
 */
#include "../harness/harness.h"
#include "../harness/tmpdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RECIPES "tests/damage/recipes.txt"
#define FORMAT2 "tests/damage/format2"
#define NPOSTS 60
#define PAGE 4096
/* A refused start ends well within this; a started one answers within it. */
#define START_MS 8000
/* How long a healthy `uccn watch --since 0` runs before it is stopped: it
 * prints every post at once, then waits for more. */
#define WATCH_MS 2500
#define CORRUPT_WORDS "stored data is corrupt"

/* The whole store, built once, and what it answers. */
static struct {
	char *dir;             /* stopped; copied for each recipe */
	uint64_t seq[NPOSTS + 1]; /* seq of "damage post NN" */
	char *list, *cities, *watch;
} base;

struct recipe {
	char name[64], action[32], arg[128], expect[32];
};

static char *path_in(const char *dir, const char *name)
{
	static char buf[PATH_MAX];
	snprintf(buf, sizeof buf, "%s/%s", dir, name);
	return buf;
}

static char *text_of(const char *s)
{
	char *copy = strdup(s);
	assert_non_null(copy);
	return copy;
}

/* The body of post NN. */
static void body_of(int nn, char *out, size_t cap)
{
	snprintf(out, cap, "damage post %02d: the network's record of post %02d, kept "
		 "whole or not at all; a flipped bit must never be served as a post", nn, nn);
}

/* `uccn watch --since 0` as the coordinator, stopped after WATCH_MS. */
static void watch_all(h_run_t *r, const h_daemon_t *d)
{
	char bin[PATH_MAX];
	snprintf(bin, sizeof bin, "%s/uccn", h_bin_dir());
	char *argv[] = {bin, "--endpoint", (char *)d->endpoint, "--server-key",
			(char *)d->server_pub, "--key", (char *)d->coordinator_key, "watch",
			"--since", "0", NULL};
	h_run(r, argv, NULL, WATCH_MS);
}

static int group_setup(void **state)
{
	h_daemon_t *d = NULL;
	h_run_t r = {0};
	char key[PATH_MAX], body[200];
	(void)state;
	if (h_daemon_up(&base.dir, &d) != 0)
		return -1;
	if (h_city_register(d, "lyon", "Lyon", key) != 0)
		return -1;
	for (int nn = 1; nn <= NPOSTS; nn++) {
		body_of(nn, body, sizeof body);
		if (h_uccn(&r, d, d->coordinator_key, NULL, "post", body, NULL) != 0)
			return h_run_print(&r), -1;
		base.seq[nn] = strtoull(r.out, NULL, 10);
	}
	h_uccn(&r, d, d->coordinator_key, NULL, "post", "--to", "city:lyon",
	       "a message for lyon", NULL);
	h_uccn(&r, d, d->coordinator_key, NULL, "list", "--limit", "100", NULL);
	base.list = text_of(r.out);
	h_uccn(&r, d, d->coordinator_key, NULL, "city", "list", NULL);
	base.cities = text_of(r.out);
	watch_all(&r, d);
	base.watch = text_of(r.out);
	h_run_clear(&r);
	int rc = h_daemon_stop(d);
	h_daemon_destroy(&d);
	return rc == 0 && strstr(base.watch, "damage post 60") ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	h_tmpdir_destroy(&base.dir);
	free(base.list);
	free(base.cities);
	free(base.watch);
	return 0;
}

/* ---- copies and damage ---- */

static void copy_file(const char *from, const char *to)
{
	size_t n;
	char *data = h_read_file(from, &n);
	assert_non_null(data);
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	free(data);
}

/* Every regular file of the base store but the harness's log into dir. */
static void copy_base(const char *dir)
{
	DIR *dp = opendir(base.dir);
	assert_non_null(dp);
	for (struct dirent *e; (e = readdir(dp));) {
		char from[PATH_MAX];
		struct stat st;
		snprintf(from, sizeof from, "%s/%s", base.dir, e->d_name);
		if (e->d_name[0] == '.' || strcmp(e->d_name, "uccnd.log") == 0 ||
		    stat(from, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		copy_file(from, path_in(dir, e->d_name));
	}
	closedir(dp);
}

struct file {
	unsigned char *p;
	size_t n;
};

static struct file load(const char *dir)
{
	struct file f;
	f.p = (unsigned char *)h_read_file(path_in(dir, "data.mdb"), &f.n);
	assert_non_null(f.p);
	return f;
}

static void save(const char *dir, struct file *f)
{
	int fd = open(path_in(dir, "data.mdb"), O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, f->p, f->n), (ssize_t)f->n);
	close(fd);
	free(f->p);
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t x = 0;
	for (int i = 7; i >= 0; i--)
		x = x << 8 | p[i];
	return x;
}

/* Zero page pg, or every page that holds text (text != NULL), or every
 * branch page (branch). Returns how many pages were zeroed. */
static int zero_pages(struct file *f, long pg, const char *text, bool branch)
{
	int n = 0;
	for (size_t at = 0; at + PAGE <= f->n; at += PAGE) {
		unsigned char *p = f->p + at;
		bool hit = (long)(at / PAGE) == pg;
		if (text)
			hit = memmem(p, PAGE, text, strlen(text)) != NULL;
		if (branch)
			hit = at >= 2 * PAGE && le64(p) == at / PAGE && (p[10] | p[11] << 8) == 0x01;
		if (hit) {
			memset(p, 0, PAGE);
			n++;
		}
	}
	return n;
}

static void apply(const struct recipe *rc, const char *dir)
{
	char text[64];
	struct file f = load(dir);
	if (strcmp(rc->action, "truncate") == 0) {
		long long size = strcmp(rc->arg, "half") == 0 ? (long long)f.n / 2
				 : rc->arg[0] == '-' ? (long long)f.n + atoll(rc->arg)
				 : atoll(rc->arg);
		free(f.p);
		assert_int_equal(truncate(path_in(dir, "data.mdb"), size), 0);
		return;
	}
	if (strcmp(rc->action, "zero-page") == 0) {
		int n = 0;
		if (strncmp(rc->arg, "text:", 5) == 0)
			n = zero_pages(&f, -1, rc->arg + 5, false);
		else if (strcmp(rc->arg, "branch") == 0)
			n = zero_pages(&f, -1, NULL, true);
		else
			for (const char *s = rc->arg; *s; s += strcspn(s, ","), s += *s == ',')
				n += zero_pages(&f, atol(s), NULL, false);
		assert_true(n > 0);
	} else if (strcmp(rc->action, "flip-meta") == 0) {
		char which[16];
		unsigned byte, bit;
		assert_int_equal(sscanf(rc->arg, "%15[a-z]:%u:%u", which, &byte, &bit), 3);
		/* LMDB uses the meta of the newer transaction. */
		size_t cur = le64(f.p + PAGE + 144) > le64(f.p + 144) ? PAGE : 0;
		size_t page = strcmp(which, "current") == 0 ? cur : PAGE - cur;
		f.p[page + byte] ^= (unsigned char)(1u << bit);
	} else if (strcmp(rc->action, "flip-post") == 0) {
		unsigned nn, off, bit;
		int n = 0;
		assert_int_equal(sscanf(rc->arg, "%u:%u:%u", &nn, &off, &bit), 3);
		snprintf(text, sizeof text, "damage post %02u: ", nn);
		for (unsigned char *p = f.p; (p = memmem(p, f.n - (size_t)(p - f.p), text,
							  strlen(text))); p++, n++)
			p[off] ^= (unsigned char)(1u << bit);
		assert_true(n > 0);
	} else if (strcmp(rc->action, "format2") == 0) {
		static const char *const keys[] = {"server.key", "server.pub", "coordinator.key"};
		char cmd[PATH_MAX + 64];
		free(f.p);
		for (size_t i = 0; i < 3; i++) {
			char from[PATH_MAX];
			snprintf(from, sizeof from, "%s/%s", FORMAT2, keys[i]);
			copy_file(from, path_in(dir, keys[i]));
		}
		unlink(path_in(dir, "lock.mdb"));
		snprintf(cmd, sizeof cmd, "gzip -dc %s/data.mdb.gz > '%s'", FORMAT2,
			 path_in(dir, "data.mdb"));
		assert_int_equal(system(cmd), 0);
		return;
	} else {
		fail_msg("%s: unknown action '%s'", rc->name, rc->action);
	}
	save(dir, &f);
}

/* ---- the daemon on a damaged copy ---- */

static char *listing(const char *dir)
{
	char *out = calloc(1, 4096);
	DIR *dp = opendir(dir);
	assert_non_null(out);
	assert_non_null(dp);
	for (struct dirent *e; (e = readdir(dp));) {
		struct stat st;
		if (e->d_name[0] == '.' || strcmp(e->d_name, "uccnd.log") == 0 ||
		    stat(path_in(dir, e->d_name), &st) != 0)
			continue;
		/* names only, sorted by a set: creating a file shows */
		size_t used = strlen(out);
		snprintf(out + used, 4096 - used, "%s %lld\n", e->d_name, (long long)st.st_size);
	}
	closedir(dp);
	return out;
}

static bool listing_same(const char *a, const char *b)
{
	/* the same lines in any order */
	if (strlen(a) != strlen(b))
		return false;
	for (const char *l = a; *l; l = strchr(l, '\n') + 1) {
		char line[512];
		size_t n = (size_t)(strchr(l, '\n') - l) + 1;
		snprintf(line, sizeof line, "%.*s", (int)n, l);
		if (!strstr(b, line))
			return false;
	}
	return true;
}

/* Whether a run answered corrupt: exit 1, the error's words. */
static bool said_corrupt(const h_run_t *r)
{
	return r->status == 1 && strstr(r->err, CORRUPT_WORDS) != NULL;
}

/* A read that must answer as the whole store did, or corrupt. */
static void same_or_corrupt(const struct recipe *rc, const h_run_t *r, const char *want,
			    const char *what, int *corrupt)
{
	if (said_corrupt(r)) {
		(*corrupt)++;
		return;
	}
	if (r->status != 0 || strcmp(r->out, want) != 0) {
		fprintf(stderr, "%s: `%s` answered neither as before nor corrupt\n", rc->name, what);
		h_run_print(r);
		fail();
	}
}

/* Start uccnd on dir: true when it serves (status answers, or answers
 * corrupt), false when it exited; *pid the running daemon. */
static bool start(h_daemon_t *d, pid_t *pid, int *status)
{
	char bin[PATH_MAX];
	snprintf(bin, sizeof bin, "%s/uccnd", h_bin_dir());
	char *argv[] = {bin, "--data", (char *)d->dir, "--listen", d->endpoint, NULL};
	int logfd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	assert_true(logfd >= 0);
	*pid = h_spawn(argv, -1, logfd, logfd);
	close(logfd);
	assert_true(*pid > 0);
	h_run_t r = {0};
	int64_t deadline = h_now_ms() + START_MS;
	while (h_now_ms() < deadline) {
		int ws;
		if (waitpid(*pid, &ws, WNOHANG) == *pid) {
			*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -WTERMSIG(ws);
			*pid = 0;
			h_run_clear(&r);
			return false;
		}
		h_uccn(&r, d, d->coordinator_key, NULL, "--timeout", "1", "status", NULL);
		if (r.status == 0 || said_corrupt(&r)) {
			h_run_clear(&r);
			return true;
		}
		usleep(50 * 1000);
	}
	h_run_clear(&r);
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	fail_msg("uccnd neither served nor exited within %d ms (a hang)", START_MS);
	return false;
}

/* SIGTERM: a daemon that met damaged data still stops cleanly. */
static void stop(const struct recipe *rc, h_daemon_t *d, pid_t pid)
{
	int ws = 0;
	if (waitpid(pid, &ws, WNOHANG) == pid) {
		fprintf(stderr, "%s: uccnd died while serving (%s %d)\n", rc->name,
			WIFSIGNALED(ws) ? "signal" : "exit",
			WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
		h_daemon_print_log(d);
		fail();
	}
	kill(pid, SIGTERM);
	int64_t deadline = h_now_ms() + 10000;
	while (waitpid(pid, &ws, WNOHANG) == 0 && h_now_ms() < deadline)
		usleep(20 * 1000);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
}

/* The reads of a store that started: expect corrupt:NN or any. */
static void read_back(const struct recipe *rc, h_daemon_t *d)
{
	h_run_t r = {0};
	char seqs[24], body[200];
	int corrupt = 0, bad_nn = 0;
	if (strncmp(rc->expect, "corrupt:", 8) == 0)
		bad_nn = atoi(rc->expect + 8);
	for (int nn = 1; nn <= NPOSTS; nn++) {
		/* every post in the corrupt cases; a few in the others */
		if (!bad_nn && nn % 15 != 1)
			continue;
		snprintf(seqs, sizeof seqs, "%llu", (unsigned long long)base.seq[nn]);
		h_uccn(&r, d, d->coordinator_key, NULL, "show", seqs, NULL);
		body_of(nn, body, sizeof body);
		if (nn == bad_nn) {
			if (!said_corrupt(&r) || !strstr(r.err, "fails its checksum"))
				h_run_print(&r);
			assert_true(said_corrupt(&r));
			assert_non_null(strstr(r.err, "fails its checksum; restore from a backup"));
			corrupt++;
		} else if (said_corrupt(&r)) {
			assert_int_equal(bad_nn, 0);
			corrupt++;
		} else {
			/* never another post: this one, whole */
			if (r.status != 0 || !strstr(r.out, body))
				h_run_print(&r);
			h_assert_exit(&r, 0);
			assert_non_null(strstr(r.out, body));
		}
	}
	h_uccn(&r, d, d->coordinator_key, NULL, "list", "--limit", "100", NULL);
	same_or_corrupt(rc, &r, base.list, "uccn list", &corrupt);
	if (bad_nn)
		assert_true(said_corrupt(&r));
	watch_all(&r, d);
	/* A healthy watch runs on until stopped, with every post printed. */
	if (!said_corrupt(&r) && !(r.timed_out && strcmp(r.out, base.watch) == 0)) {
		fprintf(stderr, "%s: `uccn watch --since 0` answered neither as before nor corrupt\n",
			rc->name);
		h_run_print(&r);
		fail();
	}
	if (bad_nn)
		assert_true(said_corrupt(&r));
	h_uccn(&r, d, d->coordinator_key, NULL, "city", "list", NULL);
	same_or_corrupt(rc, &r, base.cities, "uccn city list", &corrupt);
	h_uccn(&r, d, d->coordinator_key, NULL, "status", NULL);
	if (!said_corrupt(&r))
		h_assert_exit(&r, 0);
	h_run_clear(&r);
}

/* The format 2 store of tests/damage/format2/: rewritten, then served. */
static void read_format2(h_daemon_t *d)
{
	h_run_t r = {0};
	char lyon[PATH_MAX];
	h_uccn(&r, d, d->coordinator_key, NULL, "show", "4", NULL);
	h_assert_exit(&r, 0);
	assert_non_null(strstr(r.out, "format two post 1"));
	h_uccn(&r, d, d->coordinator_key, NULL, "list", "--limit", "100", NULL);
	h_assert_exit(&r, 0);
	assert_non_null(strstr(r.out, "lyon project note"));
	assert_non_null(strstr(r.out, "format two post 66"));
	snprintf(lyon, sizeof lyon, "%s/lyon.key", FORMAT2);
	h_uccn(&r, d, lyon, NULL, "inbox", NULL);
	h_assert_exit(&r, 0);
	assert_non_null(strstr(r.out, "direct message to lyon"));
	h_run_clear(&r);
	char *log = h_read_file(d->log, NULL);
	assert_non_null(log);
	assert_non_null(strstr(log, "was in data format 2: rewritten"));
	free(log);
}

static void run_recipe(const struct recipe *rc)
{
	char *dir = tmpdir_new("damage");
	assert_non_null(dir);
	copy_base(dir);
	apply(rc, dir);
	h_daemon_t *d = h_daemon_new(dir);
	assert_non_null(d);
	h_daemon_skip_check(d); /* damaged on purpose */
	char *before = listing(dir);
	pid_t pid;
	int status = 0;
	bool serves = start(d, &pid, &status);
	if (!serves) {
		char *log = h_read_file(d->log, NULL);
		bool clear = log && (strstr(log, "restore it from a backup") ||
				     strstr(log, "restore from a backup") || strstr(log, "data format"));
		char *after = listing(dir);
		bool expected = strcmp(rc->expect, "refuse") == 0 || strcmp(rc->expect, "any") == 0;
		if (status != 1 || !clear || !expected || !listing_same(before, after)) {
			fprintf(stderr, "%s: uccnd exited %d (expect %s)\n%s\nfiles before:\n%safter:\n%s",
				rc->name, status, rc->expect, log ? log : "", before, after);
			fail();
		}
		free(log);
		free(after);
	} else {
		if (strcmp(rc->expect, "refuse") == 0) {
			fprintf(stderr, "%s: uccnd started on a store it must refuse\n", rc->name);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			h_daemon_print_log(d);
			fail();
		}
		if (strcmp(rc->expect, "format2") == 0)
			read_format2(d);
		else
			read_back(rc, d);
		stop(rc, d, pid);
		/* reported once per damaged record, not once per read */
		if (strncmp(rc->expect, "corrupt:", 8) == 0) {
			char *log = h_read_file(d->log, NULL), needle[64];
			snprintf(needle, sizeof needle, "damaged data: post %llu ",
				 (unsigned long long)base.seq[atoi(rc->expect + 8)]);
			assert_non_null(log);
			char *first = strstr(log, needle);
			if (!first || strstr(first + 1, needle))
				fprintf(stderr, "%s: the log should name the post once:\n%s", rc->name, log);
			assert_non_null(first);
			assert_null(strstr(first + 1, needle));
			free(log);
		}
	}
	free(before);
	h_daemon_destroy(&d);
	tmpdir_destroy(&dir);
}

static void test_recipes(void **state)
{
	(void)state;
	FILE *fp = fopen(RECIPES, "r");
	char line[512];
	int n = 0, flips = 0;
	if (!fp)
		fail_msg("cannot read %s: %s (run from the source tree)", RECIPES, strerror(errno));
	while (fgets(line, sizeof line, fp)) {
		struct recipe rc = {0};
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		/* the argument may hold spaces: it runs to the expect column */
		char *e = line + strlen(line);
		while (e > line && strchr(" \t\n", e[-1]))
			*--e = '\0';
		char *expect = strrchr(line, ' ');
		int at = 0;
		if (!expect || sscanf(line, "%63s %31s%n", rc.name, rc.action, &at) != 2)
			continue;
		snprintf(rc.expect, sizeof rc.expect, "%s", expect + 1);
		*expect = '\0';
		char *arg = line + at;
		arg += strspn(arg, " \t");
		e = arg + strlen(arg);
		while (e > arg && strchr(" \t", e[-1]))
			*--e = '\0';
		snprintf(rc.arg, sizeof rc.arg, "%s", arg);
		fprintf(stderr, "recipe %s: %s %s, expect %s\n", rc.name, rc.action, rc.arg, rc.expect);
		run_recipe(&rc);
		n++;
		flips += strcmp(rc.action, "flip-post") == 0;
	}
	fclose(fp);
	assert_true(n >= 50);
	assert_true(flips >= 40);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	/* The stores live beside the binaries, not in /tmp: the run lasts a
	 * minute, and a tidier of /tmp must not take a store from under it. */
	char tmp[PATH_MAX], real[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s/damage-tmp", h_bin_dir());
	if ((mkdir(tmp, 0700) != 0 && errno != EEXIST) || !realpath(tmp, real)) {
		fprintf(stderr, "cannot make %s: %s\n", tmp, strerror(errno));
		return 1;
	}
	setenv("TMPDIR", real, 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recipes),
	};
	return cmocka_run_group_tests_name("e2e_damaged_store", tests, group_setup,
					   group_teardown);
}
