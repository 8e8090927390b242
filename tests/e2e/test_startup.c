/*
 * test_startup.c - end-to-end: uccnd refuses to start on a data directory
 * it cannot trust (issue 14, failures 2, 3, 5 and 16). Each test makes a
 * store with a real first start, stops it, damages it, starts uccnd again
 * and checks: a clean non-zero exit in seconds (no hang, no signal), a
 * message naming the file, and nothing created in the directory.
 */
#include "../harness/harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "uccn_keyfile.h"

/* A refused start must end well within this: a hang is a failure. */
#define REFUSE_TIMEOUT_MS 8000

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f || h_daemon_up(&f->dir, &f->d) != 0 || h_daemon_stop(f->d) != 0) {
		if (f)
			h_daemon_down(&f->dir, &f->d);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

static char *path_in(const struct fx *f, const char *name)
{
	static char buf[PATH_MAX];
	snprintf(buf, sizeof buf, "%s/%s", f->dir, name);
	return buf;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "name size" of every entry but the harness's own log, sorted, one a
 * line: a new file or a rewritten one shows as a difference. */
static char *listing(const struct fx *f)
{
	char *names[64], line[PATH_MAX + 32];
	size_t n = 0, cap = 1, used = 0;
	DIR *dp = opendir(f->dir);
	assert_non_null(dp);
	for (struct dirent *e; (e = readdir(dp)) && n < 64;) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "uccnd.log") == 0)
			continue;
		struct stat st;
		long long size = lstat(path_in(f, e->d_name), &st) == 0 ? (long long)st.st_size : -1;
		snprintf(line, sizeof line, "%s %lld\n", e->d_name, size);
		names[n++] = strdup(line);
	}
	closedir(dp);
	qsort(names, n, sizeof names[0], by_name);
	for (size_t i = 0; i < n; i++)
		cap += strlen(names[i]);
	char *out = calloc(1, cap);
	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		memcpy(out + used, names[i], strlen(names[i]));
		used += strlen(names[i]);
		free(names[i]);
	}
	return out;
}

/* Start uccnd on the damaged directory and check it refuses: exit 1 in
 * time, by itself, saying each of the words, creating nothing. */
static void assert_refused(struct fx *f, const char *word1, const char *word2)
{
	char *before = listing(f);
	char bin[PATH_MAX];
	snprintf(bin, sizeof bin, "%s/uccnd", h_bin_dir());
	char *argv[] = {bin, "--data", f->dir, "--listen", f->d->endpoint, NULL};
	h_run(&f->r, argv, NULL, REFUSE_TIMEOUT_MS);
	if (f->r.status != 1 || !strstr(f->r.err, word1) || (word2 && !strstr(f->r.err, word2)))
		h_run_print(&f->r);
	assert_false(f->r.timed_out);
	assert_int_equal(f->r.signal, 0);
	assert_int_equal(f->r.status, 1);
	assert_non_null(strstr(f->r.err, word1));
	if (word2)
		assert_non_null(strstr(f->r.err, word2));
	char *after = listing(f);
	if (strcmp(before, after) != 0)
		fprintf(stderr, "before:\n%safter:\n%s", before, after);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static long long file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (long long)st.st_size;
}

static void truncate_to(struct fx *f, long long size)
{
	assert_int_equal(truncate(path_in(f, "data.mdb"), size), 0);
}

static void write_text(const char *path, const char *text)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* ---- the store ---- */

static void test_truncated_to_half(void **state)
{
	struct fx *f = *state;
	h_daemon_skip_check(f->d); /* damaged on purpose */
	truncate_to(f, file_size(path_in(f, "data.mdb")) / 2);
	assert_refused(f, "data.mdb is truncated", "restore it from a backup");
}

static void test_truncated_to_one_page(void **state)
{
	struct fx *f = *state;
	h_daemon_skip_check(f->d); /* damaged on purpose */
	truncate_to(f, 4096);
	assert_refused(f, "data.mdb is truncated", NULL);
}

static void test_not_an_lmdb_store(void **state)
{
	struct fx *f = *state;
	h_daemon_skip_check(f->d); /* damaged on purpose */
	int fd = open(path_in(f, "data.mdb"), O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "garbage!", 8, 16), 8); /* over the magic */
	close(fd);
	assert_refused(f, "data.mdb is not an LMDB store", NULL);
}

static void test_data_deleted_keys_kept(void **state)
{
	struct fx *f = *state;
	assert_int_equal(unlink(path_in(f, "data.mdb")), 0);
	assert_refused(f, "data.mdb is missing or empty", "server.key");
}

static void test_data_emptied_keys_kept(void **state)
{
	struct fx *f = *state;
	truncate_to(f, 0);
	assert_refused(f, "data.mdb is missing or empty", "restore data.mdb");
}

/* ---- the keys ---- */

static void test_keys_deleted_data_kept(void **state)
{
	struct fx *f = *state;
	assert_int_equal(unlink(path_in(f, "server.key")), 0);
	assert_int_equal(unlink(path_in(f, "server.pub")), 0);
	assert_int_equal(unlink(path_in(f, "coordinator.key")), 0);
	assert_refused(f, "server.key is missing", "restore server.key");
}

/* server.key with its own public half and another pair's secret. */
static void test_server_key_halves_differ(void **state)
{
	struct fx *f = *state;
	char pub[41], sec[41], opub[41], osec[41], text[1024];
	char *old = h_read_file(path_in(f, "server.key"), NULL);
	assert_non_null(old);
	assert_int_equal(uccn_keyfile_parse(old, strlen(old), pub, sec), 0);
	free(old);
	assert_int_equal(zmq_curve_keypair(opub, osec), 0);
	assert_true(uccn_keyfile_format(text, sizeof text, NULL, pub, osec) > 0);
	write_text(path_in(f, "server.key"), text);
	assert_refused(f, "server.key: its secret-key does not match", NULL);
}

static void test_server_pub_disagrees(void **state)
{
	struct fx *f = *state;
	char opub[41], osec[41], text[1024];
	assert_int_equal(zmq_curve_keypair(opub, osec), 0);
	assert_true(uccn_keyfile_format(text, sizeof text, NULL, opub, NULL) > 0);
	write_text(path_in(f, "server.pub"), text);
	assert_refused(f, "server.pub does not match", "server.key");
}

static void test_fifo_for_server_key(void **state)
{
	struct fx *f = *state;
	assert_int_equal(unlink(path_in(f, "server.key")), 0);
	assert_int_equal(mkfifo(path_in(f, "server.key"), 0600), 0);
	assert_refused(f, "server.key is not a regular file", NULL);
}

/* ---- the lock and the modes ---- */

static void test_second_daemon_after_lock_deleted(void **state)
{
	struct fx *f = *state;
	assert_int_equal(h_daemon_start(f->d), 0);
	assert_int_equal(unlink(path_in(f, "uccnd.lock")), 0);
	h_daemon_t *second = h_daemon_new(f->dir); /* its own free port */
	assert_non_null(second);
	char *before = listing(f);
	char bin[PATH_MAX];
	snprintf(bin, sizeof bin, "%s/uccnd", h_bin_dir());
	char *argv[] = {bin, "--data", f->dir, "--listen", second->endpoint, NULL};
	h_run(&f->r, argv, NULL, REFUSE_TIMEOUT_MS);
	if (f->r.status != 1)
		h_run_print(&f->r);
	assert_false(f->r.timed_out);
	assert_int_equal(f->r.status, 1);
	assert_non_null(strstr(f->r.err, "another uccnd is using"));
	char *after = listing(f);
	assert_string_equal(before, after);
	/* The first still serves. */
	h_run_t r = {0};
	h_uccn(&r, f->d, f->d->coordinator_key, NULL, "status", NULL);
	h_assert_exit(&r, 0);
	h_run_clear(&r);
	h_daemon_destroy(&second);
	free(before);
	free(after);
}

static void test_unsafe_modes_warned_and_fixed(void **state)
{
	struct fx *f = *state;
	struct stat st;
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(chmod(path_in(f, "server.key"), 0644), 0);
	assert_int_equal(chmod(path_in(f, "coordinator.key"), 0644), 0);
	assert_int_equal(h_daemon_start(f->d), 0);
	char *log = h_read_file(f->d->log, NULL);
	assert_non_null(log);
	if (!strstr(log, "has mode 0777") || !strstr(log, "server.key holds a secret key"))
		h_daemon_print_log(f->d);
	assert_non_null(strstr(log, "has mode 0777"));
	assert_non_null(strstr(log, "server.key holds a secret key and has mode 0644"));
	assert_non_null(strstr(log, "coordinator.key holds a secret key"));
	free(log);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 022, 0);
	assert_int_equal(stat(path_in(f, "server.key"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(path_in(f, "coordinator.key"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(h_daemon_stop(f->d), 0);
}

/* The checks must not refuse what is whole: a stopped store restarts. */
static void test_whole_store_restarts(void **state)
{
	struct fx *f = *state;
	char *before = listing(f);
	assert_int_equal(h_daemon_start(f->d), 0);
	assert_int_equal(h_daemon_stop(f->d), 0);
	char *after = listing(f);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
	const struct CMUnitTest tests[] = {
		T(test_truncated_to_half),
		T(test_truncated_to_one_page),
		T(test_not_an_lmdb_store),
		T(test_data_deleted_keys_kept),
		T(test_data_emptied_keys_kept),
		T(test_keys_deleted_data_kept),
		T(test_server_key_halves_differ),
		T(test_server_pub_disagrees),
		T(test_fifo_for_server_key),
		T(test_second_daemon_after_lock_deleted),
		T(test_unsafe_modes_warned_and_fixed),
		T(test_whole_store_restarts),
	};
	return cmocka_run_group_tests_name("e2e_startup", tests, NULL, NULL);
}
