/*
 * backup.c - the data of a backup: a compacted copy of the store taken
 * from one read snapshot while writes go on, synced, then opened and
 * checked as a store of its own, whose figures the manifest reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"
#include "uccn_error.h"

static int io_fail(char *err, size_t errlen, int code, const char *what, const char *path, int e)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
	return code;
}

static int copy_into(struct uccn_store *s, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return io_fail(err, errlen, UCCN_E_IO, "cannot create", path, errno);
	/* The map must stay where it is while LMDB reads it from here. */
	pthread_mutex_lock(&s->remap);
	int mrc = s->env ? mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT) : EIO;
	pthread_mutex_unlock(&s->remap);
	int rc = 0;
	if (mrc)
		rc = io_fail(err, errlen, mrc == ENOSPC ? UCCN_E_FULL : UCCN_E_IO, "cannot copy the "
			     "store to", path, mrc > 0 ? mrc : EIO);
	else if (fsync(fd) != 0)
		rc = io_fail(err, errlen, errno == ENOSPC ? UCCN_E_FULL : UCCN_E_IO, "cannot sync",
			     path, errno);
	if (close(fd) != 0 && !rc)
		rc = io_fail(err, errlen, UCCN_E_IO, "cannot close", path, errno);
	return rc;
}

int uccn_store_backup(struct uccn_store *s, const char *dir, struct uccn_store_stats *out,
		      char *err, size_t errlen)
{
	char path[4096];
	struct uccn_store *copy = NULL;
	struct uccn_txn *t = NULL;
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	int rc = copy_into(s, path, err, errlen);
	if (rc)
		return rc;
	/* The copy's own figures, and proof that it opens: the page check
	 * of every open runs over it. */
	if ((rc = uccn_store_open(&copy, dir, 0, err, errlen)))
		goto out;
	if ((rc = uccn_store_read(copy, &t))) {
		snprintf(err, errlen, "cannot read the copy: %s", uccn_store_last_error(copy));
		goto out;
	}
	if ((rc = uccn_store_stats(t, out)))
		snprintf(err, errlen, "the copy's figures: %s", uccn_store_txn_reason(t));
out:
	uccn_store_txn_end(&t);
	uccn_store_close(&copy);
	snprintf(path, sizeof path, "%s/lock.mdb", dir);
	unlink(path);
	return rc;
}

const char *uccn_store_dir(const struct uccn_store *s)
{
	const char *dir = NULL;
	return s->env && mdb_env_get_path(s->env, &dir) == 0 ? dir : NULL;
}
