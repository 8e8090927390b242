/*
 * profile.c - uccn's profiles on disk: parse and format the `key = value`
 * files, save them atomically, select one, and merge their settings under
 * the flags and the environment.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "smallfile.h"
#include "uccn_error.h"
#include "uccn_records.h"

/* A profile is a few short lines; anything larger is not one of ours. */
#define PROFILE_FILE_MAX 16384

void profile_clear(struct profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->endpoint);
	free(p->server_key);
	free(p->key_file);
	memset(p, 0, sizeof *p);
}

bool profile_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > PROFILE_NAME_MAX || name[0] == '.')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._-") == n;
}

int profile_parse_duration(const char *s, int *ms)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	double scale = 1000;
	if (errno || end == s)
		return -1;
	if (strcmp(end, "ms") == 0)
		scale = 1;
	else if (strcmp(end, "m") == 0)
		scale = 60000;
	else if (*end && strcmp(end, "s") != 0)
		return -1;
	double r = v * scale;
	if (!(r > 0) || r > 3600000)
		return -1;
	*ms = r < 1 ? 1 : (int)r;
	return 0;
}

static int set_dup(char **dst, const char *src)
{
	char *s = strdup(src);
	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

/* One `key = value` line into out; NULL or why it is wrong. */
static const char *parse_setting(const char *key, const char *value, struct profile *out)
{
	if (strcmp(key, "endpoint") == 0) {
		if (strncmp(value, "tcp://", 6) != 0 && strncmp(value, "ipc://", 6) != 0)
			return "endpoint must start with tcp:// (or ipc://)";
		return set_dup(&out->endpoint, value) ? "out of memory" : NULL;
	}
	if (strcmp(key, "server_key") == 0) {
		if (!uccn_key_z85_valid(value))
			return "server_key must be a 40-character Z85 public key";
		return set_dup(&out->server_key, value) ? "out of memory" : NULL;
	}
	if (strcmp(key, "key_file") == 0)
		return set_dup(&out->key_file, value) ? "out of memory" : NULL;
	if (strcmp(key, "json") == 0) {
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
			return "json must be true or false";
		out->json = value[0] == 't';
		return NULL;
	}
	if (strcmp(key, "timeout") == 0)
		return profile_parse_duration(value, &out->timeout_ms)
			? "timeout must be a duration such as 10s, 1500ms or 2m" : NULL;
	return "unknown setting (endpoint, server_key, key_file, json, timeout)";
}

int profile_parse(const char *text, const char *path, struct profile *out,
		  char *err, size_t errlen)
{
	char *copy = strdup(text);
	int line = 0;
	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	/* strsep, not strtok: empty lines count, so line numbers are right. */
	char *rest = copy, *l;
	while ((l = strsep(&rest, "\n")) != NULL) {
		line++;
		char *s = uccn_str_trim(l);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, line);
			goto fail;
		}
		*eq = '\0';
		char *key = uccn_str_trim(s), *value = uccn_str_trim(eq + 1);
		const char *why = *value ? parse_setting(key, value, out) : "no value";
		if (why) {
			snprintf(err, errlen, "%s:%d: %s: %s", path, line, key, why);
			goto fail;
		}
	}
	free(copy);
	return 0;
fail:
	free(copy);
	return -1;
}

char *profile_format(const struct profile *p)
{
	char timeout[32] = "";
	if (p->timeout_ms % 1000 == 0)
		snprintf(timeout, sizeof timeout, "%ds", p->timeout_ms / 1000);
	else
		snprintf(timeout, sizeof timeout, "%dms", p->timeout_ms);
	char *buf = NULL;
	int n = asprintf(&buf,
			 "# uccn profile%s%s: see uccn(1), PROFILES\n"
			 "%s%s%s" "%s%s%s" "%s%s%s"
			 "json = %s\n" "%s%s%s",
			 p->name ? " " : "", p->name ? p->name : "",
			 p->endpoint ? "endpoint = " : "", p->endpoint ? p->endpoint : "",
			 p->endpoint ? "\n" : "",
			 p->server_key ? "server_key = " : "", p->server_key ? p->server_key : "",
			 p->server_key ? "\n" : "",
			 p->key_file ? "key_file = " : "", p->key_file ? p->key_file : "",
			 p->key_file ? "\n" : "",
			 p->json ? "true" : "false",
			 p->timeout_ms ? "timeout = " : "", p->timeout_ms ? timeout : "",
			 p->timeout_ms ? "\n" : "");
	return n < 0 ? NULL : buf;
}

int profile_dir(char *buf, size_t len)
{
	const char *v;
	int n;
	if ((v = getenv("XDG_CONFIG_HOME")) && v[0] == '/')
		n = snprintf(buf, len, "%s/uccn", v);
	else if ((v = getenv("HOME")) && v[0])
		n = snprintf(buf, len, "%s/.config/uccn", v);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Write text to path atomically: a temporary file beside it, synced, then
 * renamed over, so a reader sees the old file or the new, never half. */
static int write_atomic(const char *path, const char *text, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 16];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	size_t len = strlen(text), off = 0;
	bool ok = true;
	while (ok && off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		off += w > 0 ? (size_t)w : 0;
	}
	ok = ok && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) != 0 || !ok || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(ok ? errno : saved));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int profile_path(const char *name, char *buf, size_t len, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	if (!profile_name_valid(name)) {
		snprintf(err, errlen, "'%s' is not a profile name (letters, digits, '.', '_' and '-', up to %d)",
			 name ? name : "", PROFILE_NAME_MAX);
		return -1;
	}
	if (profile_dir(dir, sizeof dir) != 0) {
		snprintf(err, errlen, "no configuration directory: set XDG_CONFIG_HOME or HOME");
		return -1;
	}
	int n = snprintf(buf, len, "%s/profiles/%s.conf", dir, name);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "the configuration directory's path is too long");
		return -1;
	}
	return 0;
}

int profile_save(const struct profile *p, bool make_default, char *err, size_t errlen)
{
	char path[PATH_MAX], dir[PATH_MAX];
	if (profile_path(p->name, path, sizeof path, err, errlen) != 0)
		return -1;
	if (p->server_key && !uccn_key_z85_valid(p->server_key)) {
		snprintf(err, errlen, "the server key is not a 40-character Z85 public key");
		return -1;
	}
	if (p->timeout_ms < 0 || p->timeout_ms > 3600000) {
		snprintf(err, errlen, "the timeout must be at most an hour");
		return -1;
	}
	/* Values are single lines; a newline would smuggle in another setting. */
	const char *vals[] = {p->endpoint, p->key_file};
	for (size_t i = 0; i < 2; i++)
		if (vals[i] && strpbrk(vals[i], "\r\n")) {
			snprintf(err, errlen, "a profile value may not hold a line break");
			return -1;
		}
	profile_dir(dir, sizeof dir);
	strcat(dir, "/profiles");
	if (make_private_dirs(dir, err, errlen) != 0)
		return -1;
	char *text = profile_format(p);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = write_atomic(path, text, err, errlen);
	free(text);
	if (rc == 0 && make_default)
		rc = profile_select(p->name, err, errlen);
	return rc;
}

int profile_current(char *buf, size_t len, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], reason[512];
	char *text = NULL;
	size_t n = 0;
	if (profile_dir(dir, sizeof dir) != 0)
		return 1;
	snprintf(path, sizeof path, "%s/current", dir);
	int rc = read_small_file(path, 256, &text, &n, reason, sizeof reason);
	if (rc)
		return rc == UCCN_E_NOTFOUND ? 1 : (snprintf(err, errlen, "%s", reason), -1);
	text[strcspn(text, "\n")] = '\0';
	char *name = uccn_str_trim(text);
	if (!*name) {
		free(text);
		return 1;
	}
	if (!profile_name_valid(name) || strlen(name) >= len) {
		snprintf(err, errlen, "%s:1: '%s' is not a profile name", path, name);
		free(text);
		return -1;
	}
	snprintf(buf, len, "%s", name);
	free(text);
	return 0;
}

int profile_load(const char *name, struct profile *out, char *err, size_t errlen)
{
	char cur[PROFILE_NAME_MAX + 1], path[PATH_MAX], reason[512];
	char *text = NULL;
	size_t n = 0;
	memset(out, 0, sizeof *out);
	if (!name) {
		int rc = profile_current(cur, sizeof cur, err, errlen);
		if (rc)
			return rc;
		name = cur;
	}
	if (profile_path(name, path, sizeof path, err, errlen) != 0)
		return -1;
	int rc = read_small_file(path, PROFILE_FILE_MAX, &text, &n, reason, sizeof reason);
	if (rc == UCCN_E_NOTFOUND)
		return 1;
	if (rc) {
		snprintf(err, errlen, "%s", reason);
		return -1;
	}
	if (memchr(text, '\0', n)) {
		snprintf(err, errlen, "%s: not a text file", path);
		free(text);
		return -1;
	}
	rc = profile_parse(text, path, out, err, errlen);
	free(text);
	if (rc == 0 && set_dup(&out->name, name) != 0) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	if (rc)
		profile_clear(out);
	return rc;
}

int profile_select(const char *name, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], pp[PATH_MAX];
	if (profile_dir(dir, sizeof dir) != 0) {
		snprintf(err, errlen, "no configuration directory: set XDG_CONFIG_HOME or HOME");
		return -1;
	}
	snprintf(path, sizeof path, "%s/current", dir);
	if (!name) {
		if (unlink(path) != 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (profile_path(name, pp, sizeof pp, err, errlen) != 0)
		return -1;
	if (access(pp, F_OK) != 0) {
		snprintf(err, errlen, "no profile '%s' (uccn profile list)", name);
		return -1;
	}
	char line[PROFILE_NAME_MAX + 2];
	snprintf(line, sizeof line, "%s\n", name);
	return write_atomic(path, line, err, errlen);
}

int profile_remove(const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX], cur[PROFILE_NAME_MAX + 1];
	if (profile_path(name, path, sizeof path, err, errlen) != 0)
		return -1;
	if (unlink(path) != 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	if (profile_current(cur, sizeof cur, err, errlen) == 0 && strcmp(cur, name) == 0)
		return profile_select(NULL, err, errlen);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int profile_names(char ***names, size_t *n, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	*names = NULL;
	*n = 0;
	if (profile_dir(dir, sizeof dir) != 0)
		return 0;
	strcat(dir, "/profiles");
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *e;
	size_t cap = 0;
	int rc = 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		char *name = strndup(e->d_name, len - 5);
		if (name && !profile_name_valid(name)) {
			free(name);
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			char **grown = name ? realloc(*names, cap * sizeof *grown) : NULL;
			if (!grown) {
				free(name);
				rc = -1;
				break;
			}
			*names = grown;
		}
		if (!name) {
			rc = -1;
			break;
		}
		(*names)[(*n)++] = name;
	}
	closedir(d);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (*n)
		qsort(*names, *n, sizeof **names, cmp_names);
	return 0;
}

void settings_merge(struct settings *out, const struct settings *flag,
		    const struct settings *env, const struct profile *p)
{
	const struct settings none = {.json = -1};
	const struct settings *src[2] = {flag ? flag : &none, env ? env : &none};
	memset(out, 0, sizeof *out);
	out->json = -1;
	for (int i = 1; i >= 0; i--) {
		/* The later (higher) source overwrites what a lower one set. */
		if (src[i]->endpoint)
			out->endpoint = src[i]->endpoint;
		if (src[i]->server_key)
			out->server_key = src[i]->server_key;
		if (src[i]->key_file)
			out->key_file = src[i]->key_file;
		if (src[i]->json >= 0)
			out->json = src[i]->json;
		if (src[i]->timeout_ms > 0)
			out->timeout_ms = src[i]->timeout_ms;
	}
	if (!p)
		return;
	if (!out->endpoint)
		out->endpoint = p->endpoint;
	if (!out->server_key)
		out->server_key = p->server_key;
	if (!out->key_file)
		out->key_file = p->key_file;
	if (out->json < 0 && p->json)
		out->json = 1;
	if (!out->timeout_ms)
		out->timeout_ms = p->timeout_ms;
}
