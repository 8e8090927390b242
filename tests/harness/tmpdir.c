/*
 * tmpdir.c - see tmpdir.h. One implementation of "make a scratch
 * directory" and "remove it recursively" for every test program.
 */
#include "tmpdir.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *tmpdir_new(const char *tag)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	size_t len = strlen(base) + strlen(tag) + sizeof "/uccn--XXXXXX";
	char *path = malloc(len);
	if (!path) {
		fprintf(stderr, "tmpdir: out of memory\n");
		return NULL;
	}
	snprintf(path, len, "%s/uccn-%s-XXXXXX", base, tag);
	if (!mkdtemp(path)) {
		fprintf(stderr, "tmpdir: mkdtemp %s: %s\n", path, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

/* nftw passes no user pointer: failures are counted here. One remove at a
 * time per process is all the tests need. */
static int remove_failures;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0 && errno != ENOENT) {
		fprintf(stderr, "tmpdir: remove %s: %s\n", path, strerror(errno));
		remove_failures++;
	}
	return 0;
}

int tmpdir_remove(const char *path)
{
	remove_failures = 0;
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT) {
		fprintf(stderr, "tmpdir: cannot walk %s: %s\n", path, strerror(errno));
		return -1;
	}
	return remove_failures ? -1 : 0;
}

void tmpdir_destroy(char **path_p)
{
	if (!path_p || !*path_p)
		return;
	tmpdir_remove(*path_p);
	free(*path_p);
	*path_p = NULL;
}

char *tmpdir_read_file(const char *path, size_t *len)
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
