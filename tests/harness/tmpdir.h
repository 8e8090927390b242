/*
 * tmpdir.h - scratch directories for tests: a fresh one under $TMPDIR, the
 * removal of a whole tree, and a whole file read back. Plain libc and nothing else, so the unit
 * tests, the end-to-end harness and the benches all share it.
 */
#ifndef UCCN_TESTS_TMPDIR_H
#define UCCN_TESTS_TMPDIR_H

#include <stddef.h>

/* A fresh empty directory $TMPDIR/uccn-<tag>-XXXXXX (/tmp when TMPDIR is
 * unset or empty). The path is malloc'd and the caller's; NULL (why on
 * stderr) when it cannot be made. */
char *tmpdir_new(const char *tag);
/* Remove path and everything under it, not following symbolic links.
 * Returns 0, or -1 when something was left (each failure on stderr; a
 * path that does not exist is not a failure). */
int tmpdir_remove(const char *path);
/* tmpdir_remove(*path_p), free the path and set *path_p to NULL; does
 * nothing for NULL or *path_p NULL. */
void tmpdir_destroy(char **path_p);
/* The whole file at path, NUL-terminated and malloc'd, its size in *len
 * (len may be NULL); NULL when it cannot be read. */
char *tmpdir_read_file(const char *path, size_t *len);

#endif
