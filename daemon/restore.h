/*
 * restore.h - uccnd --restore FILE: a backup file (docs/backup-format.md)
 * back into an empty data directory, checked before anything is kept.
 */
#ifndef UCCND_RESTORE_H
#define UCCND_RESTORE_H

/* Restore backup file into data directory dir: refused when dir holds
 * data.mdb, server.key or server.pub; the file's format, its data's
 * checksum against its manifest, the store's pages and the key pair are
 * checked in a directory of its own in dir before the three files are
 * renamed into place; on failure nothing is left. Prints what it restored
 * on stdout, the reason on stderr. Returns the exit status: 0 or 1. */
int restore_run(const char *file, const char *dir);

#endif
