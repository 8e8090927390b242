/*
 * mode_dump.c - uccnd --dump and --load: the command-line side of
 * store/dump.c and store/load.c: files, the data directory, messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlock.h"
#include "mode_dump.h"
#include "uccn_store.h"

int mode_dump_run(const char *dir, const char *path)
{
	char err[512];
	bool to_stdout = !path || strcmp(path, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(path, "wx");
	if (!f) {
		fprintf(stderr, "uccnd: cannot write %s: %s%s\n", path, strerror(errno),
			errno == EEXIST ? " (the dump does not overwrite a file)" : "");
		return 1;
	}
	int rc = uccn_store_dump(dir, f, err, sizeof err);
	if (!to_stdout && fclose(f) != 0 && !rc) {
		snprintf(err, sizeof err, "cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc) {
		if (!to_stdout)
			unlink(path);
		fprintf(stderr, "uccnd: cannot dump %s: %s\n", dir, err);
		return 1;
	}
	return 0;
}

int mode_load_run(const char *path, const char *dir)
{
	char err[512];
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "uccnd: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "uccnd: cannot create %s: %s\n", dir, strerror(errno));
		fclose(f);
		return 1;
	}
	/* No uccnd may start on DIR meanwhile: the daemon's lock. */
	int dfd = dirlock_take(dir, err, sizeof err);
	if (dfd < 0) {
		fprintf(stderr, "uccnd: cannot load into %s: %s\n", dir, err);
		fclose(f);
		return 1;
	}
	int rc = uccn_store_load(dir, f, path, err, sizeof err);
	fclose(f);
	close(dfd);
	if (rc) {
		fprintf(stderr, "uccnd: cannot load %s: %s\n", path, err);
		return 1;
	}
	fprintf(stderr, "uccnd: loaded %s into %s; copy server.key, server.pub and "
		"coordinator.key from the original data directory before starting uccnd\n",
		path, dir);
	return 0;
}
