/*
 * dirlock.h - one uccnd at a time per data directory, whatever it is doing:
 * serving, --load or --restore. The lock is flock(2) on the directory
 * itself, which nobody deletes by mistake (a lock on a file inside was
 * lost with the file, and the next daemon locked a new one).
 */
#ifndef UCCN_DIRLOCK_H
#define UCCN_DIRLOCK_H

#include <stddef.h>

/* Open dir and take its lock without waiting. Returns the directory's fd,
 * which holds the lock until it is closed, or -1 with the reason in err
 * ("another uccnd is using DIR (it holds the lock on the directory)"). */
int dirlock_take(const char *dir, char *err, size_t errlen);

#endif
