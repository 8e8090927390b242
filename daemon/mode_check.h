/*
 * mode_check.h - uccnd --check DIR: check a store and print what is wrong
 * with it, then exit (see uccnd(8), CHECK).
 */
#ifndef UCCND_MODE_CHECK_H
#define UCCND_MODE_CHECK_H

#include <stdbool.h>

/* Check the store in dir, print each inconsistency and a summary on
 * stdout (as JSON Lines with json), progress on stderr when it is a
 * terminal. The exit status: 0 clean, 1 inconsistent or unreadable. */
int mode_check_run(const char *dir, bool json);

#endif
