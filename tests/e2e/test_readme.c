/*
 * test_readme.c - end-to-end: the README's short tour, pasted as one
 * script, runs to the end with exit 0 in a fresh home, keeps the name a
 * person gave by hand across an import, and leaves no uccnd running.
 */
#include "../harness/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define README "README.md"
#define TOUR_HEADING "\n## A short tour\n"
#define TOUR_TIMEOUT_MS 60000
/* How long a stopped uccnd may take to let go of its data directory. */
#define STOP_WAIT_MS 10000

/* The tour's code block: the first ```sh fence after its heading, up to
 * the closing fence. malloc'd, or NULL when the README has none. */
static char *tour_script(void)
{
	char *text = h_read_file(README, NULL);
	char *script = NULL;
	if (!text)
		return NULL;
	const char *h = strstr(text, TOUR_HEADING);
	const char *open = h ? strstr(h, "\n```sh\n") : NULL;
	const char *body = open ? open + strlen("\n```sh\n") : NULL;
	const char *close = body ? strstr(body, "\n```\n") : NULL;
	if (close) {
		size_t n = (size_t)(close - body) + 1;
		if ((script = malloc(n + 1))) {
			memcpy(script, body, n);
			script[n] = '\0';
		}
	}
	free(text);
	return script;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0700) != 0)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

/* Wait until no process holds the lock on the data directory's lock file,
 * which uccnd keeps for as long as it runs. If one still does, kill it (so
 * the test leaves nothing behind) and return false. */
static bool daemon_gone(const char *data)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/uccnd.lock", data);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* it never started: the tour's failure says why */
	int64_t end = h_now_ms() + STOP_WAIT_MS;
	bool gone = false;
	while (!(gone = flock(fd, LOCK_EX | LOCK_NB) == 0) && h_now_ms() < end)
		usleep(20000);
	if (!gone) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
		if (n > 0 && atol(pid) > 1)
			kill((pid_t)atol(pid), SIGKILL);
	}
	close(fd);
	return gone;
}

static void test_readme_tour(void **state)
{
	(void)state;
	char *script = tour_script();
	if (!script)
		fail_msg("%s: no ```sh block after '## A short tour'", README);

	char bin[PATH_MAX], data_src[PATH_MAX], path[PATH_MAX * 2], old_cwd[PATH_MAX];
	assert_non_null(realpath(h_bin_dir(), bin));
	assert_non_null(realpath("examples/data", data_src));
	assert_non_null(getcwd(old_cwd, sizeof old_cwd));
	char *dir = h_tmpdir_new();
	assert_non_null(dir);

	/* A copy of the tree as the tour sees it: build/ and the data. */
	char work[PATH_MAX], home[PATH_MAX];
	snprintf(work, sizeof work, "%s/clone", dir);
	snprintf(home, sizeof home, "%s/home", dir);
	make_dir(work);
	make_dir(home);
	snprintf(path, sizeof path, "%s/build", work);
	assert_int_equal(symlink(bin, path), 0);
	snprintf(path, sizeof path, "%s/examples", work);
	make_dir(path);
	snprintf(path, sizeof path, "%s/examples/data", work);
	assert_int_equal(symlink(data_src, path), 0);
	snprintf(path, sizeof path, "%s/tour.sh", work);
	write_file(path, script);

	/* A person's fresh account: its own home, XDG directories in it,
	 * the build directory on PATH, no uccn variables. */
	char xdg[PATH_MAX + 32], newpath[PATH_MAX + 4096];
	const char *oldpath = getenv("PATH");
	snprintf(newpath, sizeof newpath, "%s:%s", bin, oldpath ? oldpath : "/usr/bin:/bin");
	setenv("PATH", newpath, 1);
	setenv("HOME", home, 1);
	static const char *const xdgs[][2] = {
		{"XDG_DATA_HOME", ".local/share"}, {"XDG_CONFIG_HOME", ".config"},
		{"XDG_CACHE_HOME", ".cache"}, {"XDG_STATE_HOME", ".local/state"},
	};
	for (size_t i = 0; i < sizeof xdgs / sizeof xdgs[0]; i++) {
		snprintf(xdg, sizeof xdg, "%s/%s", home, xdgs[i][1]);
		setenv(xdgs[i][0], xdg, 1);
	}
	unsetenv("UCCN_DATA");
	unsetenv("UCCN_PROFILE");
	assert_int_equal(chdir(work), 0);

	h_run_t r = {0};
	char *argv[] = {"/bin/sh", "-e", "tour.sh", NULL};
	h_run(&r, argv, NULL, TOUR_TIMEOUT_MS);
	assert_int_equal(chdir(old_cwd), 0);

	char data[PATH_MAX + 32];
	snprintf(data, sizeof data, "%s/.local/share/uccn", home);
	bool gone = daemon_gone(data);
	h_assert_exit(&r, 0);
	if (!gone)
		fail_msg("the tour left uccnd running on %s", data);
	/* The import after the change by hand kept it, and said so. */
	if (!strstr(r.out, "\"name\":\"Kraków (Cracovia)\"") || !strstr(r.out, "krakow.name")) {
		h_run_print(&r);
		fail_msg("the tour's second import did not keep krakow's name");
	}
	h_run_clear(&r);
	free(script);
	h_tmpdir_destroy(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme_tour),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
