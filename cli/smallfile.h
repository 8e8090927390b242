/*
 * smallfile.h - read a whole small file the user named: a key, a profile,
 * an invitation, a CSV; put a file written beside another in its place;
 * and make the private directories uccn keeps such files in. Links
 * nothing but libc.
 */
#ifndef UCCN_CLI_SMALLFILE_H
#define UCCN_CLI_SMALLFILE_H

#include <stddef.h>

/* The whole file at path, NUL-terminated, in *out (malloc'd) and its length
 * in *len. Only a regular file is read: a FIFO, a device or a directory is
 * refused at once, never waited on. Returns 0, UCCN_E_NOTFOUND (no such
 * file), UCCN_E_TOOBIG (larger than max bytes) or UCCN_E_IO, with the
 * reason, naming path, in err. */
int read_small_file(const char *path, size_t max, char **out, size_t *len,
		    char *err, size_t errlen);

/* Rename tmp over path and sync the directory holding them, so the
 * rename itself survives a power cut. 0, or -1 with errno from rename
 * (the directory's sync is best effort: the file is in place either way). */
int rename_durably(const char *tmp, const char *path);

/* mkdir -p of dir, each directory it makes private (0700: they hold key
 * files and profiles naming them). 0, or -1 with the reason in err. */
int make_private_dirs(const char *dir, char *err, size_t errlen);

#endif
