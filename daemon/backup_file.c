/*
 * backup_file.c - the backup file (docs/backup-format.md): a header line,
 * the manifest as one line of JSON, then the sections data.mdb, server.key
 * and server.pub, each "NAME LEN\n" and LEN bytes, then "end\n".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "backup_file.h"
#include "uccn_invite.h"
#include "uccn_error.h"
#include "uccn_json.h"

struct first {
	char *out;
	size_t len;
};

static void note_first(const char *table, const char *key, const char *problem, void *ctx)
{
	struct first *f = ctx;
	if (f->len && !f->out[0])
		snprintf(f->out, f->len, "%s %s: %s", table, key, problem);
}

int backup_check_data(const char *dir, struct uccn_check_totals *tot, char *first,
		      size_t firstlen, char *err, size_t errlen)
{
	struct first f = {first, firstlen};
	if (firstlen)
		first[0] = '\0';
	return uccn_store_check(dir, note_first, NULL, &f, tot, err, errlen);
}

void backup_tmp_remove(const char *tmp)
{
	static const char *const inside[] = {"backup", "data.mdb", "lock.mdb", "server.key",
					     "server.pub"};
	char path[4096 + 300];
	for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
		int n = snprintf(path, sizeof path, "%s/%s", tmp, inside[i]);
		if (n > 0 && (size_t)n < sizeof path)
			unlink(path);
	}
	rmdir(tmp);
}

void backup_remove_stale(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	size_t plen = strlen(prefix);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		char path[4096 + 300];
		if (strncmp(e->d_name, prefix, plen) != 0 || n < plen + 4 ||
		    strcmp(e->d_name + n - 4, ".tmp") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		backup_tmp_remove(path);
	}
	closedir(d);
}

int backup_manifest_json(const struct backup_manifest *m, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "{\"format\":%" PRIu64 ",\"store_format\":%" PRIu64 ",\"last_seq\":%" PRIu64
			 ",\"cities\":%" PRIu64 ",\"posts\":%" PRIu64 ",\"created\":\"%s\","
			 "\"uccnd\":\"%s\",\"data_size\":%" PRIu64 ",\"data_blake2b\":\"%s\"}",
			 m->format, m->store_format, m->last_seq, m->cities, m->posts, m->created,
			 m->uccnd, m->data_size, m->data_blake2b);
	return n < 0 || (size_t)n >= len ? UCCN_E_TOOBIG : 0;
}

/* The manifest read with the project's JSON parser: a value that merely
 * looks like a key inside a string ("uccnd":"x\"last_seq\":9") is a
 * string, and a key given twice or of the wrong type is refused. */
static const struct uccn_jv *member(const struct uccn_jv *o, const char *key,
				    enum uccn_jtype type)
{
	const struct uccn_jv *v = NULL;
	size_t seen = 0;
	for (size_t i = 0; i < o->len; i++)
		if (strcmp(o->keys[i], key) == 0) {
			v = &o->items[i];
			seen++;
		}
	return seen == 1 && v->type == type ? v : NULL;
}

int backup_manifest_parse(const char *json, struct backup_manifest *m, char *err, size_t errlen)
{
	static const char *const nums[] = {"format", "store_format", "last_seq", "cities",
					   "posts", "data_size"};
	uint64_t *const at[] = {&m->format, &m->store_format, &m->last_seq, &m->cities,
				&m->posts, &m->data_size};
	static const char *const strs[] = {"created", "uccnd", "data_blake2b"};
	char *const into[] = {m->created, m->uccnd, m->data_blake2b};
	const size_t room[] = {sizeof m->created, sizeof m->uccnd, sizeof m->data_blake2b};
	struct uccn_jv *doc = NULL;
	char why[128];
	int rc = UCCN_E_INVALID;
	memset(m, 0, sizeof *m);
	if (uccn_json_parse(json, strlen(json), &doc, why, sizeof why) != 0) {
		snprintf(err, errlen, "the manifest is not JSON: %s", why);
		return UCCN_E_INVALID;
	}
	if (doc->type != UCCN_JOBJECT) {
		snprintf(err, errlen, "the manifest is not a JSON object");
		goto out;
	}
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		const struct uccn_jv *v = member(doc, nums[i], UCCN_JUINT);
		if (!v) {
			snprintf(err, errlen, "the manifest needs '%s' once, as a whole number",
				 nums[i]);
			goto out;
		}
		*at[i] = v->u;
	}
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		const struct uccn_jv *v = member(doc, strs[i], UCCN_JSTR);
		if (!v || v->len >= room[i] || strlen(v->s) != v->len) {
			snprintf(err, errlen,
				 "the manifest needs '%s' once, as a string of at most %zu bytes",
				 strs[i], room[i] - 1);
			goto out;
		}
		memcpy(into[i], v->s, v->len + 1);
	}
	if (strlen(m->data_blake2b) != UCCN_BACKUP_CHECKSUM_HEX ||
	    strspn(m->data_blake2b, "0123456789abcdef") != UCCN_BACKUP_CHECKSUM_HEX) {
		snprintf(err, errlen, "the manifest's data_blake2b is not %d hex digits",
			 UCCN_BACKUP_CHECKSUM_HEX);
		goto out;
	}
	rc = 0;
out:
	uccn_json_free(&doc);
	return rc;
}

int backup_section_read(FILE *f, char name[32], uint64_t *len, char *err, size_t errlen)
{
	char line[80];
	if (!fgets(line, sizeof line, f) || !strchr(line, '\n')) {
		snprintf(err, errlen, "it ends before its next section: truncated");
		return UCCN_E_INVALID;
	}
	unsigned long long n;
	char extra;
	if (sscanf(line, "%31s %llu%c", name, &n, &extra) != 3 || extra != '\n') {
		snprintf(err, errlen, "'%.*s' is not a section header", (int)strcspn(line, "\n"),
			 line);
		return UCCN_E_INVALID;
	}
	*len = n;
	return 0;
}

/* ---- writing ---- */

struct out {
	int fd;
	crypto_generichash_state whole;
	uint64_t size;
};

static int put(struct out *o, const void *buf, size_t n, char *err, size_t errlen)
{
	const char *p = buf;
	crypto_generichash_update(&o->whole, buf, n);
	o->size += n;
	while (n) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			snprintf(err, errlen, "cannot write the backup: %s", strerror(errno));
			return errno == ENOSPC ? UCCN_E_FULL : UCCN_E_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Hash the file at path (data.mdb) into hex, its size into *size. */
static int hash_file(const char *path, char *hex, uint64_t *size, char *err, size_t errlen)
{
	unsigned char buf[65536], d[32];
	crypto_generichash_state h;
	FILE *f = fopen(path, "rb");
	size_t n;
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return UCCN_E_IO;
	}
	crypto_generichash_init(&h, NULL, 0, sizeof d);
	*size = 0;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		crypto_generichash_update(&h, buf, n);
		*size += n;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "cannot read %s", path);
		return UCCN_E_IO;
	}
	crypto_generichash_final(&h, d, sizeof d);
	uccn_hex_encode(d, sizeof d, hex);
	return 0;
}

/* Section name: the file at path, whole. */
static int put_section(struct out *o, const char *name, const char *path, uint64_t max,
		       char *err, size_t errlen)
{
	unsigned char buf[65536];
	struct stat st;
	char head[80];
	size_t n;
	int rc = 0;
	FILE *f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) != 0 || (uint64_t)st.st_size > max) {
		snprintf(err, errlen, "cannot take %s into the backup: %s", path,
			 f ? "too big" : strerror(errno));
		if (f)
			fclose(f);
		return UCCN_E_IO;
	}
	int hn = snprintf(head, sizeof head, "%s %llu\n", name, (unsigned long long)st.st_size);
	rc = put(o, head, (size_t)hn, err, errlen);
	uint64_t left = (uint64_t)st.st_size;
	while (!rc && left && (n = fread(buf, 1, left < sizeof buf ? left : sizeof buf, f)) > 0) {
		rc = put(o, buf, n, err, errlen);
		left -= n;
	}
	fclose(f);
	if (!rc && left) {
		snprintf(err, errlen, "%s changed while it was read", path);
		rc = UCCN_E_IO;
	}
	return rc;
}

int backup_file_write(const char *out_path, const char *data_path, const char *key_dir,
		      struct backup_manifest *m, char json[UCCN_BACKUP_MAX_MANIFEST + 1],
		      char checksum[UCCN_BACKUP_CHECKSUM_HEX + 1], uint64_t *size,
		      char *err, size_t errlen)
{
	char path[4096], head[32];
	unsigned char d[32];
	struct out o = {.fd = -1};
	int rc = hash_file(data_path, m->data_blake2b, &m->data_size, err, errlen);
	if (rc || (rc = backup_manifest_json(m, json, UCCN_BACKUP_MAX_MANIFEST + 1)))
		return rc;
	if ((o.fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", out_path, strerror(errno));
		return UCCN_E_IO;
	}
	crypto_generichash_init(&o.whole, NULL, 0, sizeof d);
	int hn = snprintf(head, sizeof head, "%s %d\n", BACKUP_MAGIC, BACKUP_FORMAT);
	rc = put(&o, head, (size_t)hn, err, errlen);
	if (!rc && !(rc = put(&o, json, strlen(json), err, errlen)))
		rc = put(&o, "\n", 1, err, errlen);
	if (!rc)
		rc = put_section(&o, "data.mdb", data_path, m->data_size, err, errlen);
	snprintf(path, sizeof path, "%s/server.key", key_dir);
	if (!rc)
		rc = put_section(&o, "server.key", path, BACKUP_MAX_KEY_FILE, err, errlen);
	snprintf(path, sizeof path, "%s/server.pub", key_dir);
	if (!rc)
		rc = put_section(&o, "server.pub", path, BACKUP_MAX_KEY_FILE, err, errlen);
	if (!rc)
		rc = put(&o, "end\n", 4, err, errlen);
	if (!rc && fsync(o.fd) != 0) {
		snprintf(err, errlen, "cannot sync %s: %s", out_path, strerror(errno));
		rc = UCCN_E_IO;
	}
	close(o.fd);
	crypto_generichash_final(&o.whole, d, sizeof d);
	uccn_hex_encode(d, sizeof d, checksum);
	*size = o.size;
	return rc;
}
