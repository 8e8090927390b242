/*
 * profile.h - named connection settings a city keeps on its machine, so no
 * command needs a flag: $XDG_CONFIG_HOME/uccn/profiles/<name>.conf, one
 * `key = value` line per setting, and `current` naming the selected one.
 */
#ifndef UCCN_CLI_PROFILE_H
#define UCCN_CLI_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Profile names: letters, digits, '.', '_' and '-', not starting with '.',
 * at most this long, so a name is always one plain file name. */
#define PROFILE_NAME_MAX 64

/* Every string is owned (malloc'd) and freed by profile_clear. */
struct profile {
	char *name;
	char *endpoint;
	char *server_key;  /* Z85 */
	char *key_file;
	bool json;
	int timeout_ms;    /* 0: default */
};

/* Save p as $XDG_CONFIG_HOME/uccn/profiles/<name>.conf (key = value lines),
 * atomically (write a temp file, fsync, rename); with make_default also
 * select it ($XDG_CONFIG_HOME/uccn/current). Returns 0 or -1 with a reason
 * in err. */
int profile_save(const struct profile *p, bool make_default, char *err, size_t errlen);
/* Load profile name (NULL: the selected one). 0, 1 when there is none (no
 * file, nothing selected), -1 with a reason (a malformed line names
 * file:line). out is cleared first and holds nothing unless 0. */
int profile_load(const char *name, struct profile *out, char *err, size_t errlen);
void profile_clear(struct profile *p);

/* Parse a profile's text; path names it in messages. 0, or -1 with
 * "path:line: why" in err. */
int profile_parse(const char *text, const char *path, struct profile *out,
		  char *err, size_t errlen);
/* The file's text for p into a malloc'd string, NULL without memory. */
char *profile_format(const struct profile *p);

/* The directory: $XDG_CONFIG_HOME/uccn, else $HOME/.config/uccn. 0 or -1. */
int profile_dir(char *buf, size_t len);
/* Names of the saved profiles, sorted, malloc'd (free each and the array);
 * *n their count. 0 or -1 with a reason. */
int profile_names(char ***names, size_t *n, char *err, size_t errlen);
/* The selected profile's name into buf; 0, 1 when none, -1 on error. */
int profile_current(char *buf, size_t len, char *err, size_t errlen);
/* Select name (it must exist) or, with NULL, select none. 0 or -1. */
int profile_select(const char *name, char *err, size_t errlen);
/* Delete a profile; a selected one is unselected. 0, 1 when absent, -1. */
int profile_remove(const char *name, char *err, size_t errlen);
bool profile_name_valid(const char *name);
/* "10s", "1500ms", "2m" or plain seconds ("2.5") to milliseconds in
 * [1, 3600000]; 0 or -1. */
int profile_parse_duration(const char *s, int *ms);

/*
 * Settings from one source: NULL / -1 when that source does not set them.
 * Precedence (uccn(1)): flag > environment > profile > the local daemon's
 * files > defaults. server_key is a file name or a Z85 key.
 */
struct settings {
	const char *endpoint;
	const char *server_key;
	const char *key_file;
	int json;        /* -1 unset, 0 or 1 */
	int timeout_ms;  /* 0 unset */
};
/* Field by field, the first source that sets it; p may be NULL. */
void settings_merge(struct settings *out, const struct settings *flag,
		    const struct settings *env, const struct profile *p);

#endif
