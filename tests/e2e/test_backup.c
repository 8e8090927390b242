/*
 * test_backup.c - end-to-end: backups that restore (issue 15, item 4).
 * The restore drill: four cities post without pause through the real
 * uccn while the coordinator takes a backup with `uccn admin backup`; the
 * backup is restored with `uccnd --restore` into a fresh directory and a
 * daemon started there holds exactly the acknowledged posts up to the
 * manifest's last seq, and the cities get in with the keys they have.
 * Then what must be refused: a member's backup, a restore over data, a
 * backup with one byte changed, a truncated one.
 */
#include "../harness/harness.h"
#include "../harness/harness_int.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "uccn_error.h"
#include "uccn_msg.h"

#define WRITERS 4
/* Acknowledged posts each writer must have before the backup, and after. */
#define BEFORE 5
#define AFTER 5

struct fx {
	char *dir;
	h_daemon_t *d;
	h_run_t r;
	char keys[WRITERS][PATH_MAX];
	char file[PATH_MAX];  /* where the backup goes */
};

static const char *const cities[WRITERS] = {"krakow", "lyon", "dakar", "austin"};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	if (h_daemon_up(&f->dir, &f->d) != 0)
		goto fail;
	for (int i = 0; i < WRITERS; i++)
		if (h_city_register(f->d, cities[i], cities[i], f->keys[i]) != 0)
			goto fail;
	snprintf(f->file, sizeof f->file, "%s/net.backup", f->dir);
	*state = f;
	return 0;
fail:
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	h_run_clear(&f->r);
	h_daemon_down(&f->dir, &f->d);
	free(f);
	return 0;
}

/* uccnd with args (NULL-terminated), to completion. */
static int uccnd(h_run_t *r, const char *a, const char *b, const char *c, const char *d)
{
	char bin[PATH_MAX];
	snprintf(bin, sizeof bin, "%s/uccnd", h_bin_dir());
	char *const argv[] = {bin, (char *)a, (char *)b, (char *)c, (char *)d, NULL};
	return h_run(r, argv, NULL, 60000);
}

/* The seqs a file of numbers holds, one a line; their count in *n. */
static uint64_t *read_seqs(const char *path, size_t *n)
{
	size_t len = 0, cap = 16;
	uint64_t *v = malloc(cap * sizeof *v);
	char *text = h_read_file(path, &len);
	*n = 0;
	for (char *p = text; p && *p;) {
		char *end;
		uint64_t s = strtoull(p, &end, 10);
		if (end == p || *end != '\n')
			break;
		if (*n == cap)
			v = realloc(v, (cap *= 2) * sizeof *v);
		v[(*n)++] = s;
		p = end + 1;
	}
	free(text);
	return v;
}

/* A writer: posts as city i until stop exists, appending each
 * acknowledged seq to acks. */
static void writer(struct fx *f, int i, const char *acks, const char *stop)
{
	h_run_t r = {0};
	char body[64];
	for (int n = 0; access(stop, F_OK) != 0; n++) {
		snprintf(body, sizeof body, "%s post %d", cities[i], n);
		if (h_uccn(&r, f->d, f->keys[i], NULL, "post", "--kind", "news", body, NULL) != 0)
			_exit(1);
		FILE *out = fopen(acks, "a");
		if (!out)
			_exit(1);
		fprintf(out, "%llu\n", strtoull(r.out, NULL, 10));
		fclose(out);
	}
	h_run_clear(&r);
	_exit(0);
}

static void wait_for_acks(char acks[WRITERS][PATH_MAX], size_t at_least)
{
	for (int64_t t0 = h_now_ms();; h_sleep_ms(20)) {
		size_t least = SIZE_MAX;
		for (int i = 0; i < WRITERS; i++) {
			size_t n;
			free(read_seqs(acks[i], &n));
			least = n < least ? n : least;
		}
		if (least >= at_least)
			return;
		assert_true(h_now_ms() - t0 < 60000);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Every post of the daemon, as `uccn list --json` pages give them, in
 * ascending seq order; count in *n. */
static uint64_t *all_posts(h_daemon_t *d, const char *key, size_t *n)
{
	h_run_t r = {0};
	size_t cap = 64;
	uint64_t *v = malloc(cap * sizeof *v), before = 0;
	char b[32];
	*n = 0;
	for (;;) {
		snprintf(b, sizeof b, "%llu", (unsigned long long)before);
		if (before)
			h_uccn(&r, d, key, NULL, "--json", "list", "--limit", "500", "--before", b,
			       NULL);
		else
			h_uccn(&r, d, key, NULL, "--json", "list", "--limit", "500", NULL);
		h_assert_exit(&r, 0);
		h_json_t *j = h_json_parse(r.out);
		assert_non_null(j);
		size_t len = h_json_len(j);
		for (size_t i = 0; i < len; i++) {
			if (*n == cap)
				v = realloc(v, (cap *= 2) * sizeof *v);
			v[(*n)++] = before = h_json_u64(h_json_get(h_json_at(j, i), "seq"));
		}
		h_json_destroy(&j);
		if (len < 500)
			break;
	}
	h_run_clear(&r);
	qsort(v, *n, sizeof *v, cmp_u64);
	return v;
}

static void copy_file(const char *from, const char *to)
{
	size_t len = 0;
	char *text = h_read_file(from, &len);
	assert_non_null(text);
	FILE *out = fopen(to, "w");
	assert_non_null(out);
	assert_int_equal(fwrite(text, 1, len, out), len);
	fclose(out);
	chmod(to, 0600);
	free(text);
}

/* ---- the drill ---- */

static void test_restore_drill(void **state)
{
	struct fx *f = *state;
	char acks[WRITERS][PATH_MAX], stop[PATH_MAX], dir2[PATH_MAX], key2[PATH_MAX + 32];
	pid_t pids[WRITERS];
	snprintf(stop, sizeof stop, "%s/stop", f->dir);
	for (int i = 0; i < WRITERS; i++) {
		snprintf(acks[i], sizeof acks[i], "%s/acks-%d", f->dir, i);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			writer(f, i, acks[i], stop);
	}
	wait_for_acks(acks, BEFORE);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "--json", "admin", "backup", "-o",
	       f->file, NULL);
	h_assert_exit(&f->r, 0);
	h_json_t *j = h_json_parse(f->r.out);
	assert_non_null(j);
	uint64_t last = h_json_u64(h_json_get(j, "last_seq"));
	uint64_t posts = h_json_u64(h_json_get(j, "posts"));
	assert_non_null(strstr(h_json_str(h_json_get(j, "manifest")), "\"data_blake2b\":\""));
	h_json_destroy(&j);
	/* The writers went on during the backup and after it. */
	size_t most = 0;
	for (int i = 0; i < WRITERS; i++) {
		size_t n;
		free(read_seqs(acks[i], &n));
		most = n > most ? n : most;
	}
	wait_for_acks(acks, most + AFTER);
	FILE *s = fopen(stop, "w");
	assert_non_null(s);
	fclose(s);
	for (int i = 0; i < WRITERS; i++) {
		int st;
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}

	/* What the writers were told, up to the backup's last seq. */
	uint64_t want[4096];
	size_t nwant = 0, nafter = 0;
	for (int i = 0; i < WRITERS; i++) {
		size_t n;
		uint64_t *v = read_seqs(acks[i], &n);
		for (size_t k = 0; k < n; k++) {
			if (v[k] <= last && nwant < 4096)
				want[nwant++] = v[k];
			nafter += v[k] > last;
		}
		free(v);
	}
	qsort(want, nwant, sizeof want[0], cmp_u64);
	fprintf(stderr, "drill: backup at last seq %llu holds %zu acknowledged posts; %zu "
		"more were acknowledged after its snapshot\n", (unsigned long long)last, nwant,
		nafter);
	assert_true(nafter > 0); /* writes went on past the backup's snapshot */
	assert_int_equal(posts, nwant);

	/* Restore into a fresh directory. */
	snprintf(dir2, sizeof dir2, "%s/restored", f->dir);
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	h_assert_exit(&f->r, 0);
	char expect[64];
	snprintf(expect, sizeof expect, "last seq %llu", (unsigned long long)last);
	assert_non_null(strstr(f->r.out, expect));
	/* The coordinator keeps their own key: not in a server's backup. */
	snprintf(key2, sizeof key2, "%s/coordinator.key", dir2);
	assert_int_equal(access(key2, F_OK), -1);
	copy_file(f->d->coordinator_key, key2);
	/* Every record, chain, index and mailbox of the restored store. */
	uccnd(&f->r, "--check", dir2, NULL, NULL);
	h_assert_exit(&f->r, 0);
	h_daemon_t *d2 = h_daemon_new(dir2);
	assert_non_null(d2);
	assert_int_equal(h_daemon_start(d2), 0);

	/* Every acknowledged post up to last seq, and nothing after. */
	size_t ngot;
	uint64_t *got = all_posts(d2, f->keys[0], &ngot);
	assert_int_equal(ngot, nwant);
	for (size_t i = 0; i < ngot; i++)
		assert_int_equal(got[i], want[i]);
	free(got);
	/* Each city gets in with the key it has, and can post on. */
	for (int i = 0; i < WRITERS; i++) {
		h_uccn(&f->r, d2, f->keys[i], NULL, "post", "--kind", "news", "after the restore",
		       NULL);
		h_assert_exit(&f->r, 0);
		assert_true(strtoull(f->r.out, NULL, 10) > last);
	}
	assert_int_equal(h_daemon_stop(d2), 0);
	h_daemon_destroy(&d2);
}

/* ---- refusals ---- */

/* Names in dir, for "nothing changed". */
static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_member_denied(void **state)
{
	struct fx *f = *state;
	size_t was = entries(f->dir);
	h_uccn(&f->r, f->d, f->keys[0], NULL, "admin", "backup", "-o", f->file, NULL);
	h_assert_exit(&f->r, 4);
	assert_int_equal(access(f->file, F_OK), -1);
	assert_int_equal(entries(f->dir), was); /* no temporary file left either */
}

/* A good backup in f->file. */
static void take_backup(struct fx *f)
{
	h_uccn(&f->r, f->d, f->keys[0], NULL, "post", "--kind", "news", "before", NULL);
	h_assert_exit(&f->r, 0);
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "admin", "backup", "-o", f->file, NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "backup written to"));
}

static void test_restore_refuses_data(void **state)
{
	struct fx *f = *state;
	char dir2[PATH_MAX], pub[PATH_MAX + 16];
	take_backup(f);
	snprintf(dir2, sizeof dir2, "%s/other", f->dir);
	assert_int_equal(mkdir(dir2, 0700), 0);
	snprintf(pub, sizeof pub, "%s/server.pub", dir2);
	copy_file(f->d->server_pub, pub);
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "holds server.pub already"));
	assert_int_equal(entries(dir2), 1);
	/* Nor over the live daemon's own directory, which it holds. */
	uccnd(&f->r, "--restore", f->file, "--data", f->dir);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "another uccnd is using"));
}

/* An empty directory a uccnd holds (one starting up, or another restore)
 * is not restored into: the two would write the same files. The lock is
 * taken here as uccnd takes it, flock on the directory. */
static void test_restore_refuses_held_dir(void **state)
{
	struct fx *f = *state;
	char dir2[PATH_MAX];
	take_backup(f);
	snprintf(dir2, sizeof dir2, "%s/held", f->dir);
	assert_int_equal(mkdir(dir2, 0700), 0);
	int dfd = open(dir2, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(flock(dfd, LOCK_EX | LOCK_NB), 0);
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	close(dfd);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "another uccnd is using"));
	assert_int_equal(entries(dir2), 0);
	/* Let go, and the same restore goes through. */
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "restored"));
}

/* Rewrite f->file with its byte at offset xor'ed, or cut to len. */
static void damage(struct fx *f, long offset, long cut)
{
	size_t len = 0;
	char *text = h_read_file(f->file, &len);
	assert_non_null(text);
	if (offset >= 0)
		text[offset] ^= 0x01;
	FILE *out = fopen(f->file, "w");
	assert_non_null(out);
	fwrite(text, 1, cut >= 0 ? (size_t)cut : len, out);
	fclose(out);
	free(text);
}

static long data_start(struct fx *f)
{
	size_t len = 0;
	char *text = h_read_file(f->file, &len);
	char *p = strstr(text, "\ndata.mdb ");
	assert_non_null(p);
	long at = (long)(strchr(p + 1, '\n') + 1 - text);
	free(text);
	return at;
}

static void test_restore_refuses_flipped_byte(void **state)
{
	struct fx *f = *state;
	char dir2[PATH_MAX];
	take_backup(f);
	/* A byte in the middle of the data: a page LMDB would read. */
	damage(f, data_start(f) + 4096 + 100, -1);
	snprintf(dir2, sizeof dir2, "%s/restored", f->dir);
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "checksum"));
	assert_int_equal(access(dir2, F_OK), -1); /* nothing created */
}

/* Post text as city i; its number. */
static uint64_t post_as(struct fx *f, int i, const char *text)
{
	h_uccn(&f->r, f->d, f->keys[i], NULL, "post", "--kind", "news", text, NULL);
	h_assert_exit(&f->r, 0);
	return strtoull(f->r.out, NULL, 10);
}

/* Flip a bit in every copy of text in dir's data.mdb: a post's body is
 * stored inline in its leaf page, and older copies of that page (free
 * pages LMDB has not reused yet) may hold it too. */
static void flip_in_data(const char *dir, const char *text)
{
	char path[PATH_MAX + 16];
	size_t len = 0, n = 0;
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	char *data = h_read_file(path, &len);
	assert_non_null(data);
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	for (char *at = data; (at = memmem(at, len - (size_t)(at - data), text, strlen(text)));
	     at++, n++) {
		char b = (char)(at[4] ^ 0x01);
		assert_int_equal(pwrite(fd, &b, 1, at + 4 - data), 1);
	}
	assert_true(n > 0);
	assert_int_equal(fsync(fd), 0);
	close(fd);
	free(data);
}

/* A record damaged on the server (answered corrupt there) is in every
 * backup taken since, and its checksum passes: the data is what the server
 * held. The restore puts it back as it was, says what the check found, and
 * the restored server answers as the old one did: corrupt for that post,
 * the rest served. Refusing it would leave the network with no backup. */
static void test_restore_keeps_damaged_records(void **state)
{
	struct fx *f = *state;
	char dir2[PATH_MAX], key2[PATH_MAX + 32], seq[24];
	uint64_t good = post_as(f, 0, "a post that stays whole");
	uint64_t bad = post_as(f, 1, "a post whose bytes the disk damages");
	/* Not the newest: uccnd trusts the newest number only from a whole
	 * record, and will not start without it. */
	post_as(f, 2, "the newest post");
	assert_int_equal(h_daemon_stop(f->d), 0);
	flip_in_data(f->dir, "whose bytes the disk damages");
	assert_int_equal(h_daemon_start(f->d), 0);
	h_daemon_skip_check(f->d);
	/* The backup is taken, and says at once what its check found. */
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "admin", "backup", "-o", f->file, NULL);
	h_assert_exit(&f->r, 0);
	/* One damaged post, and what names it (its chain, index, mailbox). */
	assert_non_null(strstr(f->r.err, "warning: the server's data fails its check: "));
	snprintf(seq, sizeof seq, "posts %llu: ", (unsigned long long)bad);
	assert_non_null(strstr(f->r.err, seq));
	h_uccn(&f->r, f->d, f->d->coordinator_key, NULL, "--json", "admin", "backup", "-o",
	       f->file, NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "\"problems\":"));
	assert_null(strstr(f->r.out, "\"problems\":0"));

	snprintf(dir2, sizeof dir2, "%s/restored", f->dir);
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "restored"));
	assert_non_null(strstr(f->r.err, "warning: the restored data fails the check"));
	snprintf(seq, sizeof seq, "posts %llu: ", (unsigned long long)bad);
	assert_non_null(strstr(f->r.err, seq));
	snprintf(key2, sizeof key2, "%s/coordinator.key", dir2);
	copy_file(f->d->coordinator_key, key2);

	h_daemon_t *d2 = h_daemon_new(dir2);
	assert_non_null(d2);
	assert_int_equal(h_daemon_start(d2), 0);
	h_daemon_skip_check(d2);
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)good);
	h_uccn(&f->r, d2, f->keys[0], NULL, "show", seq, NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "a post that stays whole"));
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)bad);
	h_uccn(&f->r, d2, f->keys[0], NULL, "show", seq, NULL);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "corrupt"));
	assert_int_equal(h_daemon_stop(d2), 0);
	h_daemon_destroy(&d2);
}

/* Replace the first "from" in f->file's manifest (its second line) with
 * "to"; the data and its checksum stay as they were. */
static void edit_manifest(struct fx *f, const char *from, const char *to)
{
	size_t len = 0;
	char *text = h_read_file(f->file, &len);
	assert_non_null(text);
	char *line = strchr(text, '\n') + 1, *end = strchr(line, '\n');
	char *at = strstr(line, from);
	assert_true(at && at < end);
	FILE *out = fopen(f->file, "w");
	assert_non_null(out);
	fwrite(text, 1, (size_t)(at - text), out);
	fputs(to, out);
	fwrite(at + strlen(from), 1, len - (size_t)(at + strlen(from) - text), out);
	fclose(out);
	free(text);
}

/* The manifest is read as JSON and held to the data: a last seq the data
 * does not have, or a key given twice, is refused, and nothing is left. */
static void test_restore_holds_manifest_to_data(void **state)
{
	struct fx *f = *state;
	char dir2[PATH_MAX], seq[64], more[64];
	snprintf(dir2, sizeof dir2, "%s/restored", f->dir);
	take_backup(f);
	h_uccn(&f->r, f->d, f->keys[0], NULL, "status", "--json", NULL);
	h_assert_exit(&f->r, 0);
	char *v = strstr(f->r.out, "\"last_seq\":");
	assert_non_null(v);
	unsigned long long last = strtoull(v + strlen("\"last_seq\":"), NULL, 10);
	snprintf(seq, sizeof seq, "\"last_seq\":%llu,", last);
	snprintf(more, sizeof more, "\"last_seq\":%llu,", last + 1);
	edit_manifest(f, seq, more);
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "its manifest says last seq"));
	assert_int_equal(access(dir2, F_OK), -1);

	/* The counts it prints are held to the data too. */
	take_backup(f);
	edit_manifest(f, "\"cities\":", "\"cities\":9");
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "its manifest says"));
	assert_int_equal(access(dir2, F_OK), -1);

	take_backup(f);
	edit_manifest(f, "{", "{\"last_seq\":1,");
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "needs 'last_seq' once"));
	assert_int_equal(access(dir2, F_OK), -1);
}

/* The key pair is checked as a start checks it, and a file that is no
 * backup is named as such. */
static void test_restore_refuses_bad_keys_and_strangers(void **state)
{
	struct fx *f = *state;
	char dir2[PATH_MAX];
	take_backup(f);
	/* A letter of the public key's Z85 in the server.pub section (the
	 * file holds the data's NUL bytes: memmem, not strstr). */
	size_t len = 0;
	char *text = h_read_file(f->file, &len);
	assert_non_null(text);
	char *pub = memmem(text, len, "\nserver.pub ", 12);
	assert_non_null(pub);
	char *key = memmem(pub, len - (size_t)(pub - text), "public-key = \"", 14);
	assert_non_null(key);
	long key_at = (long)(key - text) + 16;
	free(text);
	damage(f, key_at, -1);
	snprintf(dir2, sizeof dir2, "%s/restored", f->dir);
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "server.pub"));
	assert_int_equal(access(dir2, F_OK), -1);

	uccnd(&f->r, "--restore", f->d->server_pub, "--data", dir2);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "not a uccn backup file"));
	assert_int_equal(access(dir2, F_OK), -1);
}

static void test_restore_refuses_truncated(void **state)
{
	struct fx *f = *state;
	char dir2[PATH_MAX];
	take_backup(f);
	damage(f, -1, data_start(f) + 5000);
	snprintf(dir2, sizeof dir2, "%s/restored", f->dir);
	uccnd(&f->r, "--restore", f->file, "--data", dir2);
	h_assert_exit(&f->r, 1);
	assert_non_null(strstr(f->r.err, "truncated"));
	assert_int_equal(access(dir2, F_OK), -1);
}

/* One admin.backup over sock: the reply's status, the reply in rep. */
static int ask(void *sock, const char *id, uint64_t offset, struct uccn_reply *rep)
{
	struct uccn_request req = {.op = UCCN_OP_ADMIN_BACKUP, .rid = 1, .backup_id = (char *)id,
				   .offset = offset};
	msgpack_sbuffer b;
	char err[256];
	msgpack_sbuffer_init(&b);
	assert_int_equal(uccn_request_encode(&req, &b), 0);
	assert_int_equal(zmq_send(sock, b.data, b.size, 0), (int)b.size);
	msgpack_sbuffer_destroy(&b);
	zmq_msg_t m;
	zmq_msg_init(&m);
	assert_true(zmq_msg_recv(&m, sock, 0) >= 0);
	uccn_reply_clear(rep);
	assert_int_equal(uccn_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m),
					   UCCN_OP_ADMIN_BACKUP, rep, err, sizeof err), 0);
	zmq_msg_close(&m);
	return rep->status;
}

/* The server's data dir holds no backup-*.tmp. */
static bool no_backup_left(const char *dir)
{
	DIR *d = opendir(dir);
	bool none = true;
	for (struct dirent *e; d && (e = readdir(d));)
		none = none && strncmp(e->d_name, "backup-", 7) != 0;
	if (d)
		closedir(d);
	return none;
}

/* SPEC 4.20: one backup at a time, made while the server answers, its
 * chunks in order, and gone once its last chunk is sent. */
static void test_one_backup_at_a_time(void **state)
{
	struct fx *f = *state;
	void *ctx = zmq_ctx_new();
	void *sock = h_dealer_new(ctx, f->d, f->d->coordinator_key);
	int timeout = 20000;
	struct uccn_reply rep = {0};
	char id[UCCN_BACKUP_ID_LEN + 1];
	assert_non_null(sock);
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
	/* What a server killed during a backup left: removed by the next. */
	char stale[PATH_MAX + 64];
	snprintf(stale, sizeof stale, "%s/backup-00000000deadbeef.tmp", f->dir);
	assert_int_equal(mkdir(stale, 0700), 0);
	strcat(stale, "/backup");
	copy_file(f->d->server_pub, stale);
	assert_int_equal(ask(sock, NULL, 0, &rep), 0);
	assert_int_equal(access(stale, F_OK), -1);
	assert_non_null(rep.backup.id);
	assert_false(rep.backup.ready);
	snprintf(id, sizeof id, "%s", rep.backup.id);
	assert_false(no_backup_left(f->dir)); /* it is being made in the data dir */
	assert_int_equal(ask(sock, NULL, 0, &rep), UCCN_E_BUSY);
	assert_non_null(strstr(rep.message, id));
	assert_int_equal(ask(sock, "0123456789abcdef", 0, &rep), UCCN_E_NOTFOUND);
	/* Ready in a moment; then an offset past the end is refused. */
	for (int64_t t0 = h_now_ms(); ask(sock, id, 0, &rep) == 0 && !rep.backup.ready;
	     h_sleep_ms(10))
		assert_true(h_now_ms() - t0 < 20000);
	assert_true(rep.backup.ready);
	uint64_t size = rep.backup.size;
	assert_int_equal(rep.backup.data.len, size); /* a small store: one chunk */
	assert_true(rep.backup.done);
	assert_non_null(rep.backup.checksum);
	assert_non_null(strstr(rep.backup.manifest, "\"format\":1"));
	assert_int_equal(memcmp(rep.backup.data.data, "uccn-backup 1\n", 14), 0);
	/* Sent whole: gone, and the next one may start. */
	assert_int_equal(ask(sock, id, size, &rep), UCCN_E_NOTFOUND);
	assert_true(no_backup_left(f->dir));
	assert_int_equal(ask(sock, NULL, 0, &rep), 0);
	snprintf(id, sizeof id, "%s", rep.backup.id);
	/* Once made, an offset past its end is refused, and it stays. */
	while (ask(sock, id, 1ULL << 40, &rep) == 0) {
		assert_false(rep.backup.ready);
		h_sleep_ms(10);
	}
	assert_int_equal(rep.status, UCCN_E_INVALID);
	assert_non_null(strstr(rep.message, "past the end"));
	assert_false(no_backup_left(f->dir));
	/* Discarded by its client: gone at once, not after a minute idle. */
	struct uccn_request dis = {.op = UCCN_OP_ADMIN_BACKUP, .backup_id = id, .discard = true};
	msgpack_sbuffer b;
	msgpack_sbuffer_init(&b);
	assert_int_equal(uccn_request_encode(&dis, &b), 0);
	zmq_send(sock, b.data, b.size, 0);
	msgpack_sbuffer_destroy(&b);
	zmq_msg_t m;
	zmq_msg_init(&m);
	assert_true(zmq_msg_recv(&m, sock, 0) >= 0);
	zmq_msg_close(&m);
	assert_true(no_backup_left(f->dir));
	assert_int_equal(ask(sock, id, 0, &rep), UCCN_E_NOTFOUND);
	/* And one under way when the server stops is removed with it. */
	assert_int_equal(ask(sock, NULL, 0, &rep), 0);
	uccn_reply_clear(&rep);
	zmq_close(sock);
	h_ctx_term(ctx);
	assert_int_equal(h_daemon_stop(f->d), 0);
	assert_true(no_backup_left(f->dir));
}

static void test_admin_help(void **state)
{
	struct fx *f = *state;
	h_uccn(&f->r, NULL, NULL, NULL, "admin", "--help", NULL);
	h_assert_exit(&f->r, 0);
	assert_non_null(strstr(f->r.out, "uccn admin backup -o FILE"));
}

int main(int argc, char **argv)
{
	if (argc > 1)
		h_set_bin_dir(argv[1]);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_restore_drill),
		T(test_member_denied),
		T(test_one_backup_at_a_time),
		T(test_restore_refuses_data),
		T(test_restore_refuses_held_dir),
		T(test_restore_holds_manifest_to_data),
		T(test_restore_keeps_damaged_records),
		T(test_restore_refuses_flipped_byte),
		T(test_restore_refuses_truncated),
		T(test_restore_refuses_bad_keys_and_strangers),
		T(test_admin_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
