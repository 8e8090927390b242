/*
 * mode_dump.h - uccnd --dump and --load: a store to JSON Lines and back
 * (docs/dump-format.md, uccnd(8) DUMP), then exit.
 */
#ifndef UCCND_MODE_DUMP_H
#define UCCND_MODE_DUMP_H

/* Dump the store in dir to path (NULL or "-": stdout). The exit status:
 * 0, or 1 with the reason on stderr (a file begun is removed). */
int mode_dump_run(const char *dir, const char *path);
/* Load the dump at path into dir, which must hold no store. 0, or 1 with
 * the reason on stderr, nothing written. */
int mode_load_run(const char *path, const char *dir);

#endif
