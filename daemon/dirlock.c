/*
 * dirlock.c - see dirlock.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "dirlock.h"

int dirlock_take(const char *dir, char *err, size_t errlen)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errlen, "cannot open data directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (flock(dfd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		if (e == EWOULDBLOCK)
			snprintf(err, errlen,
				 "another uccnd is using %s (it holds the lock on the directory)",
				 dir);
		else
			snprintf(err, errlen, "cannot lock %s: %s", dir, strerror(e));
		close(dfd);
		return -1;
	}
	return dfd;
}
