/*
 * failmeta.c - an LD_PRELOAD shim for the e2e tests: while the file named
 * by $UCCN_FAILMETA_TRIGGER exists, a pwrite into the first two pages of
 * a data.mdb (LMDB's meta pages) fails with EIO, as a failing disk would.
 * LMDB then refuses every transaction of the environment (MDB_PANIC) until
 * it is opened again. Everything else passes through.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* LMDB's meta pages are pages 0 and 1 of the OS page size (4 KiB). */
#define META_END 8192

static int is_data_file(int fd)
{
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	if (n < 9)
		return 0;
	path[n] = '\0';
	return strcmp(path + n - 9, "/data.mdb") == 0;
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "pwrite");
	const char *trigger = getenv("UCCN_FAILMETA_TRIGGER");
	if (offset < META_END && trigger && access(trigger, F_OK) == 0 && is_data_file(fd)) {
		errno = EIO;
		return -1;
	}
	return real(fd, buf, count, offset);
}
