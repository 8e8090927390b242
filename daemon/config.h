/*
 * config.h - uccnd's settings: the file uccnd.conf(5) and the flags that
 * override it, one row per setting (config.c), each checked the same way
 * wherever it comes from.
 *
 * The file is lines of `key = value`; blank lines and lines whose first
 * non-blank character is '#' are ignored. A value is the rest of the line
 * after '=', without the blanks around it. Every key may appear once.
 */
#ifndef UCCND_CONFIG_H
#define UCCND_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"
#include "uccn_limits.h"

/* Where uccnd looks for its file when no -f is given: $UCCND_CONF, else
 * this one, which may be absent. */
#ifndef UCCND_CONF_DEFAULT
#define UCCND_CONF_DEFAULT "/etc/uccn/uccnd.conf"
#endif
/* The longest line, file and endpoint a setting may have. */
#define CONFIG_LINE_MAX 1024
#define CONFIG_FILE_MAX (1024 * 1024)
#define CONFIG_ENDPOINT_MAX (UCCN_MAX_ENDPOINT + 1)

struct config {
	char data[PATH_MAX];          /* data: the data directory ("" until set) */
	char listen[CONFIG_ENDPOINT_MAX];
	size_t map_size;              /* 0: the store's default */
	uint64_t mailbox_quota;       /* 0: the store's default */
	enum log_level log_level;
	bool background;              /* daemon = yes */
	char source[PATH_MAX];        /* the file read, "" when none */
};

/* The defaults: listen on UCCN_DEFAULT_ENDPOINT, log_level info, no data
 * directory yet (config_finish fills it). */
void config_defaults(struct config *c);

/* Set key to value as the file or a flag would, checked. 0, or -1 with the
 * reason (naming the key) in err. */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);
/* The same for a flag: the reason names the flag (--map-size), not the key. */
int config_set_flag(struct config *c, const char *key, const char *value, char *err,
		    size_t errlen);

/* Read the file at path into c; a key given twice is an error. 0; -1 with
 * "PATH:LINE: reason" (or "PATH: reason" when it cannot be read) in err. */
int config_read_file(struct config *c, const char *path, char *err, size_t errlen);

/* Which file to read: explicit (from -f) when given, else $UCCND_CONF,
 * else UCCND_CONF_DEFAULT if it exists. Copies it to out; returns false
 * when there is none to read. *named is set when the file was named (by
 * -f or the environment) and so must exist. */
bool config_locate(const char *explicit_path, char *out, size_t outlen, bool *named);

/* The data directory when none was set ($UCCN_DATA, $XDG_DATA_HOME/uccn,
 * ~/.local/share/uccn). 0, or -1 with the reason in err. */
int config_finish(struct config *c, char *err, size_t errlen);

/* Write c as a file would hold it, every key in order, normalised (sizes
 * in their largest exact unit, booleans yes/no): what `uccnd -n` prints. */
void config_print(const struct config *c, FILE *out);

/* Call fn for each key whose value differs between was and now, with
 * both values as config_print writes them, in the keys' order. */
void config_each_change(const struct config *was, const struct config *now,
			void (*fn)(const char *key, const char *was, const char *now, void *ctx),
			void *ctx);

/* Check an endpoint as --listen and `listen` take it: tcp://HOST:PORT
 * with PORT 1-65535 or '*', or ipc://PATH. 0, or -1 with the reason. */
int config_endpoint_check(const char *endpoint, char *err, size_t errlen);

#endif
