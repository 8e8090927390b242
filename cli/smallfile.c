/*
 * smallfile.c - read a whole small file the user named, put a file in
 * place durably, and make the private directories uccn keeps its files in
 * (see smallfile.h).
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smallfile.h"
#include "uccn_error.h"

int rename_durably(const char *tmp, const char *path)
{
	char dir[PATH_MAX];
	if (rename(tmp, path) != 0)
		return -1;
	snprintf(dir, sizeof dir, "%s", path);
	int fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

int read_small_file(const char *path, size_t max, char **out, size_t *len,
		    char *err, size_t errlen)
{
	struct stat st;
	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	 * writer that may never come; a regular file ignores the flag. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return errno == ENOENT ? UCCN_E_NOTFOUND : UCCN_E_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		close(fd);
		return UCCN_E_IO;
	}
	if ((size_t)st.st_size > max) {
		snprintf(err, errlen, "%s is larger than %zu bytes", path, max);
		close(fd);
		return UCCN_E_TOOBIG;
	}
	char *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r = 0;
	while (buf && n <= max && (r = read(fd, buf + n, max + 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	if (!buf || r < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, buf ? strerror(errno) : "out of memory");
		free(buf);
		return UCCN_E_IO;
	}
	if (n > max) {
		snprintf(err, errlen, "%s is larger than %zu bytes", path, max);
		free(buf);
		return UCCN_E_TOOBIG;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int make_private_dirs(const char *dir, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;
			*p = '\0';
			if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
				snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
				return -1;
			}
			if (!c)
				return 0;
			*p = c;
		}
	}
}
