/*
 * config.c - uccnd's settings, one row per key (see config.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "uccn_defaults.h"
#include "uccn_records.h"
#include "uccn_limits.h"
#include "uccn_store.h"

/* ---- checking one value ---- */

static int parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || !isdigit((unsigned char)s[0]))
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end || v > (UCCN_STORE_MAX_MAP >> shift))
		return -1;
	v <<= shift;
	if (v < 65536)
		return -1;
	*out = (size_t)v;
	return 0;
}

int config_endpoint_check(const char *ep, char *err, size_t errlen)
{
	if (strlen(ep) >= CONFIG_ENDPOINT_MAX) {
		snprintf(err, errlen, "endpoint is longer than %d bytes", CONFIG_ENDPOINT_MAX - 1);
		return -1;
	}
	if (strncmp(ep, "ipc://", 6) == 0) {
		/* A Unix socket's path is at most 107 bytes (sun_path). */
		if (!ep[6] || strlen(ep + 6) > 107) {
			snprintf(err, errlen, "'%s': an ipc endpoint needs a path of 1 to 107 bytes", ep);
			return -1;
		}
		return 0;
	}
	if (strncmp(ep, "tcp://", 6) != 0) {
		snprintf(err, errlen, "'%s': give tcp://HOST:PORT or ipc://PATH", ep);
		return -1;
	}
	const char *host = ep + 6, *colon = strrchr(host, ':');
	if (!colon || colon == host) {
		snprintf(err, errlen, "'%s': give tcp://HOST:PORT, e.g. tcp://0.0.0.0:7246", ep);
		return -1;
	}
	const char *port = colon + 1;
	if (strcmp(port, "*") == 0)
		return 0;
	char *end;
	errno = 0;
	long p = strtol(port, &end, 10);
	if (!isdigit((unsigned char)port[0]) || *end || errno || p < 1 || p > 65535) {
		snprintf(err, errlen, "'%s': port '%s' is not a number from 1 to 65535", ep, port);
		return -1;
	}
	return 0;
}

static int set_data(struct config *c, const char *v, char *err, size_t errlen)
{
	if (!v[0] || snprintf(c->data, sizeof c->data, "%s", v) >= (int)sizeof c->data) {
		snprintf(err, errlen, "give a directory of 1 to %d bytes", PATH_MAX - 1);
		return -1;
	}
	return 0;
}

static int set_listen(struct config *c, const char *v, char *err, size_t errlen)
{
	if (config_endpoint_check(v, err, errlen))
		return -1;
	snprintf(c->listen, sizeof c->listen, "%s", v);
	return 0;
}

static int set_map_size(struct config *c, const char *v, char *err, size_t errlen)
{
	if (parse_size(v, &c->map_size)) {
		snprintf(err, errlen, "'%s': give bytes from 64K to 1024G, e.g. 256M", v);
		return -1;
	}
	return 0;
}

static int set_mailbox_quota(struct config *c, const char *v, char *err, size_t errlen)
{
	char *end;
	errno = 0;
	unsigned long long q = strtoull(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || errno || *end || q < 1 || q > 100000000ULL) {
		snprintf(err, errlen, "'%s': give 1 to 100000000", v);
		return -1;
	}
	c->mailbox_quota = q;
	return 0;
}

static int set_log_level(struct config *c, const char *v, char *err, size_t errlen)
{
	if (log_level_from_name(v, &c->log_level) == 0)
		return 0;
	snprintf(err, errlen, "'%s': give error, warn, info or debug", v);
	return -1;
}

static int set_daemon(struct config *c, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
		c->background = v[0] == 'y';
		return 0;
	}
	snprintf(err, errlen, "'%s': give yes or no", v);
	return -1;
}

/* ---- printing one value ---- */

static void print_size(FILE *out, size_t v)
{
	static const char units[] = "GMK";
	for (int i = 0; i < 3; i++) {
		size_t unit = (size_t)1 << (10 * (3 - i));
		if (v % unit == 0) {
			fprintf(out, "%zu%c", v / unit, units[i]);
			return;
		}
	}
	fprintf(out, "%zu", v);
}

static void print_data(const struct config *c, FILE *out) { fputs(c->data, out); }
static void print_listen(const struct config *c, FILE *out) { fputs(c->listen, out); }
static void print_map_size(const struct config *c, FILE *out)
{
	print_size(out, c->map_size ? c->map_size : UCCN_STORE_DEFAULT_MAP);
}
static void print_mailbox_quota(const struct config *c, FILE *out)
{
	fprintf(out, "%llu", (unsigned long long)(c->mailbox_quota ? c->mailbox_quota
							   : UCCN_MAILBOX_QUOTA));
}
static void print_log_level(const struct config *c, FILE *out)
{
	fputs(log_level_name(c->log_level), out);
}
static void print_daemon(const struct config *c, FILE *out)
{
	fputs(c->background ? "yes" : "no", out);
}

/* One row per setting: its key, its flag, and how it is set and shown. */
static const struct key_row {
	const char *key;
	const char *flag;
	int (*set)(struct config *, const char *, char *, size_t);
	void (*print)(const struct config *, FILE *);
} keys[] = {
	{"data", "--data", set_data, print_data},
	{"listen", "--listen", set_listen, print_listen},
	{"map_size", "--map-size", set_map_size, print_map_size},
	{"mailbox_quota", "--mailbox-quota", set_mailbox_quota, print_mailbox_quota},
	{"log_level", "--log-level", set_log_level, print_log_level},
	{"daemon", "--daemon", set_daemon, print_daemon},
};
#define NKEYS (sizeof keys / sizeof keys[0])

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->listen, sizeof c->listen, "%s", UCCN_DEFAULT_ENDPOINT);
	c->log_level = LOG_INFO;
}

static const struct key_row *find_key(const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

static int set_named(struct config *c, const char *key, const char *value, bool flag,
		     char *err, size_t errlen);

int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen)
{
	return set_named(c, key, value, false, err, errlen);
}

int config_set_flag(struct config *c, const char *key, const char *value, char *err,
		    size_t errlen)
{
	return set_named(c, key, value, true, err, errlen);
}

static int set_named(struct config *c, const char *key, const char *value, bool flag,
		     char *err, size_t errlen)
{
	const struct key_row *k = find_key(key);
	char why[CONFIG_LINE_MAX];
	if (!k) {
		size_t n = (size_t)snprintf(err, errlen, "unknown key '%s'; the keys are", key);
		for (size_t i = 0; i < NKEYS && n < errlen; i++)
			n += (size_t)snprintf(err + n, errlen - n, "%s %s", i ? "," : "", keys[i].key);
		return -1;
	}
	if (k->set(c, value, why, sizeof why)) {
		snprintf(err, errlen, "%s: %s", flag ? k->flag : key, why);
		return -1;
	}
	return 0;
}

/* One line of the file: 0, or -1 with the reason (no position) in err. */
static int read_line(struct config *c, char *line, bool seen[NKEYS], char *err, size_t errlen)
{
	char *s = uccn_str_trim(line);
	if (!*s || *s == '#')
		return 0;
	char *eq = strchr(s, '=');
	if (!eq) {
		snprintf(err, errlen, "expected 'key = value', found '%.60s'", s);
		return -1;
	}
	*eq = '\0';
	char *key = uccn_str_trim(s), *value = uccn_str_trim(eq + 1);
	const struct key_row *k = find_key(key);
	if (k && seen[k - keys]) {
		snprintf(err, errlen, "'%s' is given twice", key);
		return -1;
	}
	if (config_set(c, key, value, err, errlen))
		return -1;
	seen[k - keys] = true;
	return 0;
}

int config_read_file(struct config *c, const char *path, char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO must be refused, not waited on. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes; is it the right file?", path,
			 CONFIG_FILE_MAX);
		close(fd);
		return -1;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	char *line = NULL, why[CONFIG_LINE_MAX];
	size_t cap = 0;
	ssize_t n;
	bool seen[NKEYS] = {false};
	int rc = 0;
	for (unsigned no = 1; (n = getline(&line, &cap, f)) >= 0; no++) {
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > CONFIG_LINE_MAX)
			snprintf(why, sizeof why, "line longer than %d bytes", CONFIG_LINE_MAX);
		else if (memchr(line, '\0', (size_t)n))
			snprintf(why, sizeof why, "a NUL byte in the line");
		else if (!read_line(c, line, seen, why, sizeof why))
			continue;
		snprintf(err, errlen, "%s:%u: %s", path, no, why);
		rc = -1;
		break;
	}
	free(line);
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	if (!rc)
		snprintf(c->source, sizeof c->source, "%s", path);
	return rc;
}

bool config_locate(const char *explicit_path, char *out, size_t outlen, bool *named)
{
	const char *env = getenv("UCCND_CONF");
	*named = true;
	if (explicit_path)
		snprintf(out, outlen, "%s", explicit_path);
	else if (env && *env)
		snprintf(out, outlen, "%s", env);
	else {
		*named = false;
		if (access(UCCND_CONF_DEFAULT, F_OK) != 0)
			return false;
		snprintf(out, outlen, "%s", UCCND_CONF_DEFAULT);
	}
	return true;
}

int config_finish(struct config *c, char *err, size_t errlen)
{
	if (!c->data[0] && uccn_default_data_dir(c->data, sizeof c->data) != 0) {
		snprintf(err, errlen, "no data directory: give --data DIR, data = DIR, or set HOME");
		return -1;
	}
	return 0;
}

/* The value of row k in c as the file would hold it, into buf. */
static void value_text(const struct key_row *k, const struct config *c, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");
	buf[0] = '\0';
	if (!f)
		return;
	k->print(c, f);
	fclose(f);
}

void config_each_change(const struct config *was, const struct config *now,
			void (*fn)(const char *key, const char *was, const char *now, void *ctx),
			void *ctx)
{
	char a[PATH_MAX], b[PATH_MAX];
	for (size_t i = 0; i < NKEYS; i++) {
		value_text(&keys[i], was, a, sizeof a);
		value_text(&keys[i], now, b, sizeof b);
		if (strcmp(a, b) != 0)
			fn(keys[i].key, a, b, ctx);
	}
}

void config_print(const struct config *c, FILE *out)
{
	if (c->source[0])
		fprintf(out, "# uccnd settings from %s, the command line and the defaults\n",
			c->source);
	else
		fputs("# uccnd settings from the command line and the defaults (no file)\n", out);
	for (size_t i = 0; i < NKEYS; i++) {
		fprintf(out, "%s = ", keys[i].key);
		keys[i].print(c, out);
		fputc('\n', out);
	}
}
