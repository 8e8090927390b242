/*
 * restore.c - uccnd --restore: read a backup file section by section into
 * a directory of its own under the data dir, check everything (format,
 * the data's BLAKE2b against the manifest, the store's pages, the keys),
 * then rename the files into place, data.mdb last, and sync the dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "backup_file.h"
#include "dirlock.h"
#include "uccn_invite.h"
#include "keys.h"
#include "restore.h"
#include "uccn_error.h"
#include "uccn_store.h"

/* What a backup holds, in its order, and the mode each is kept with. */
static const struct {
	const char *name;
	mode_t mode;
} parts[] = {
	{"data.mdb", 0600},
	{"server.key", 0600},
	{"server.pub", 0644},
};
#define NPARTS (sizeof parts / sizeof parts[0])

struct restore {
	FILE *in;
	const char *file;
	char tmp[PATH_MAX + 32];
	struct backup_manifest m;
	char err[3 * PATH_MAX];
	uint64_t problems;        /* what the check of the restored data found */
	char first_problem[UCCN_BACKUP_MAX_PROBLEM];
};

static int fail(struct restore *r, const char *fmt, const char *a, const char *b)
{
	snprintf(r->err, sizeof r->err, fmt, a, b);
	return -1;
}

/* Section i of the file into tmp/NAME, synced; the data is hashed and
 * checked against the manifest. */
static int take_section(struct restore *r, size_t i)
{
	char name[32], path[PATH_MAX + 64], why[256];
	unsigned char buf[65536], d[32];
	char hex[UCCN_BACKUP_CHECKSUM_HEX + 1];
	crypto_generichash_state h;
	uint64_t len;
	bool data = i == 0;
	if (backup_section_read(r->in, name, &len, why, sizeof why))
		return fail(r, "%s: %s", r->file, why);
	if (strcmp(name, parts[i].name) != 0)
		return fail(r, "%s: section '%s' where data.mdb, server.key, server.pub were due",
			    r->file, name);
	if (data ? len != r->m.data_size : len > BACKUP_MAX_KEY_FILE)
		return fail(r, "%s: section %s has a length its manifest does not allow", r->file,
			    name);
	snprintf(path, sizeof path, "%s/%s", r->tmp, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, parts[i].mode);
	if (fd < 0)
		return fail(r, "cannot create %s: %s", path, strerror(errno));
	crypto_generichash_init(&h, NULL, 0, sizeof d);
	int rc = 0;
	while (!rc && len) {
		size_t want = len < sizeof buf ? (size_t)len : sizeof buf;
		size_t n = fread(buf, 1, want, r->in);
		if (n != want) {
			rc = fail(r, "%s: it ends inside section %s: truncated", r->file, name);
			break;
		}
		crypto_generichash_update(&h, buf, n);
		if (write(fd, buf, n) != (ssize_t)n)
			rc = fail(r, "cannot write %s: %s", path, strerror(errno));
		len -= n;
	}
	if (!rc && fsync(fd) != 0)
		rc = fail(r, "cannot sync %s: %s", path, strerror(errno));
	close(fd);
	if (rc || !data)
		return rc;
	crypto_generichash_final(&h, d, sizeof d);
	uccn_hex_encode(d, sizeof d, hex);
	if (strcmp(hex, r->m.data_blake2b) != 0)
		return fail(r, "%s: the data fails its checksum: BLAKE2b %s, the manifest says "
			    "otherwise; the file is damaged", r->file, hex);
	return 0;
}

/* The header and the manifest. */
static int take_head(struct restore *r)
{
	char line[UCCN_BACKUP_MAX_MANIFEST + 2], why[256];
	unsigned format;
	char extra;
	if (!fgets(line, sizeof line, r->in) || sscanf(line, BACKUP_MAGIC " %u%c", &format,
						       &extra) != 2 || extra != '\n')
		return fail(r, "%s: not a uccn backup file%s", r->file, "");
	if (format != BACKUP_FORMAT)
		return fail(r, "%s: backup format %s, this uccnd reads format 1", r->file,
			    line + strlen(BACKUP_MAGIC " "));
	if (!fgets(line, sizeof line, r->in) || !strchr(line, '\n'))
		return fail(r, "%s: its manifest is missing or cut short%s", r->file, "");
	*strchr(line, '\n') = '\0';
	if (backup_manifest_parse(line, &r->m, why, sizeof why))
		return fail(r, "%s: %s", r->file, why);
	if (r->m.store_format != UCCN_STORE_FORMAT)
		return fail(r, "%s: its data is in a store format this uccnd does not write%s",
			    r->file, "");
	return 0;
}

static int take_tail(struct restore *r)
{
	char line[8];
	if (!fgets(line, sizeof line, r->in) || strcmp(line, "end\n") != 0)
		return fail(r, "%s: it does not end where its sections do: truncated or "
			    "damaged%s", r->file, "");
	if (fgetc(r->in) != EOF)
		return fail(r, "%s: bytes after its end%s", r->file, "");
	return 0;
}

/* Anything of a backup's in dir refuses the restore. */
static int refuse_nonempty(struct restore *r, const char *dir)
{
	for (size_t i = 0; i < NPARTS; i++) {
		char path[PATH_MAX + 64];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, parts[i].name);
		if (lstat(path, &st) == 0 || errno != ENOENT)
			return fail(r, "%s holds %s already: restore into an empty data directory",
				    dir, parts[i].name);
	}
	return 0;
}

/*
 * What start-up will check, checked now on the files as restored; then
 * every record as uccnd --check reads them. The data passed its checksum,
 * so it is what the server held: records damaged there (which the server
 * answered `corrupt`) are restored as they were, with a warning naming
 * them, since refusing would leave the network with no backup at all.
 * The data must have the manifest's figures (damaged values leave them
 * as they were), so a manifest edited apart from its data is refused.
 */
static int check_restored(struct restore *r)
{
	char why[512];
	bool present = false;
	struct uccn_check_totals tot = {0};
	if (uccn_store_check_files(r->tmp, &present, why, sizeof why) || !present ||
	    keys_check(r->tmp, true, why, sizeof why))
		return fail(r, "%s: %s", r->file, present ? why : "its data is empty");
	if (backup_check_data(r->tmp, &tot, r->first_problem, sizeof r->first_problem, why,
			      sizeof why))
		return fail(r, "%s: its data cannot be checked: %s", r->file, why);
	r->problems = tot.problems;
	/* The figures come from the keys and the tables' entry counts, which
	 * damaged values leave as they were: compared either way. */
	if (tot.last_seq != r->m.last_seq || tot.cities != r->m.cities ||
	    tot.posts != r->m.posts) {
		snprintf(why, sizeof why, "its manifest says last seq %" PRIu64 ", %" PRIu64
			 " cities, %" PRIu64 " posts; its data holds last seq %" PRIu64 ", %" PRIu64
			 " cities, %" PRIu64 " posts", r->m.last_seq, r->m.cities, r->m.posts,
			 tot.last_seq, tot.cities, tot.posts);
		return fail(r, "%s: %s", r->file, why);
	}
	return 0;
}

/* Into place, the keys first and data.mdb last: a restore cut short
 * leaves keys without data, which start-up refuses (keys.h). */
static int put_in_place(struct restore *r, const char *dir)
{
	for (size_t i = NPARTS; i-- > 0;) {
		char from[PATH_MAX + 64], to[PATH_MAX + 64];
		snprintf(from, sizeof from, "%s/%s", r->tmp, parts[i].name);
		snprintf(to, sizeof to, "%s/%s", dir, parts[i].name);
		if (rename(from, to) != 0)
			return fail(r, "cannot move %s into place: %s", to, strerror(errno));
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		if (fd >= 0)
			close(fd);
		return fail(r, "cannot sync %s: %s", dir, strerror(errno));
	}
	close(fd);
	return 0;
}

int restore_run(const char *file, const char *dir)
{
	struct restore r = {.file = file};
	bool made_dir = false, made_tmp = false;
	int rc = -1, dfd = -1;
	if (sodium_init() < 0) {
		fprintf(stderr, "uccnd: cannot start libsodium\n");
		return 1;
	}
	if (!(r.in = fopen(file, "rb"))) {
		fail(&r, "cannot open %s: %s", file, strerror(errno));
		goto out;
	}
	if (mkdir(dir, 0700) == 0)
		made_dir = true;
	else if (errno != EEXIST) {
		fail(&r, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	/* No uccnd may serve DIR, nor another restore fill it, meanwhile. */
	if ((dfd = dirlock_take(dir, r.err, sizeof r.err)) < 0 || refuse_nonempty(&r, dir) ||
	    take_head(&r))
		goto out;
	backup_remove_stale(dir, "restore-"); /* a restore that crashed */
	snprintf(r.tmp, sizeof r.tmp, "%s/restore-%ld.tmp", dir, (long)getpid());
	if (mkdir(r.tmp, 0700) != 0) {
		fail(&r, "cannot create %s: %s", r.tmp, strerror(errno));
		goto out;
	}
	made_tmp = true;
	for (size_t i = 0; i < NPARTS; i++)
		if (take_section(&r, i))
			goto out;
	if (take_tail(&r) || check_restored(&r) || put_in_place(&r, dir))
		goto out;
	rc = 0;
	printf("restored %s into %s: last seq %" PRIu64 ", %" PRIu64 " cities, %" PRIu64
	       " posts (made %s by uccnd %s)\n", file, dir, r.m.last_seq, r.m.cities, r.m.posts,
	       r.m.created, r.m.uccnd);
	if (r.problems)
		fprintf(stderr, "uccnd: warning: the restored data fails the check as the server "
			"held it: %" PRIu64 " problem%s, the first: %s. The damaged records "
			"answer corrupt; uccnd --check %s lists them all\n", r.problems,
			r.problems == 1 ? "" : "s", r.first_problem, dir);
out:
	if (r.in)
		fclose(r.in);
	if (made_tmp)
		backup_tmp_remove(r.tmp);
	if (rc) {
		fprintf(stderr, "uccnd: restore refused: %s\n", r.err);
		if (made_dir && dfd >= 0) /* never a dir another uccnd took */
			rmdir(dir);
	}
	if (dfd >= 0)
		close(dfd);
	return rc ? 1 : 0;
}
