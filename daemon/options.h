/*
 * options.h - uccnd's command line: the flags it was given and the file it
 * names, kept so that SIGHUP reads the same sources again, and the
 * settings they give together (flags win over the file, see config.h).
 */
#ifndef UCCND_OPTIONS_H
#define UCCND_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define OPTIONS_MAX_FLAGS 16

/* A flag that sets a key: applied after the file, so flags win. */
struct flag_value {
	const char *key;
	const char *value; /* points into argv, or a literal */
};

struct options {
	const char *file; /* -f FILE, or NULL: located as config_locate says */
	bool check_only;  /* -n */
	const char *check_dir; /* --check DIR: check the store, then exit */
	bool json;        /* --json: --check's findings as JSON Lines */
	bool dump;        /* --dump: the store as JSON Lines, then exit */
	const char *output; /* -o FILE: where --dump writes (NULL: stdout) */
	const char *load;   /* --load FILE: a dump into an empty DIR, then exit */
	const char *restore; /* --restore FILE: restore.h, then exit */
	struct flag_value flags[OPTIONS_MAX_FLAGS];
	size_t nflags;
};

/* Parse argv into o. -1 to go on; else the exit status, after --help or
 * --version (0) or bad usage (2, with the reason on stderr). */
int options_parse(int argc, char **argv, struct options *o);

/* The settings o's file and flags give, into c. 0; 1 when the file is bad
 * or unreadable, 2 when a flag is, with the reason in err. */
int options_load(const struct options *o, struct config *c, char *err, size_t errlen);

#endif
