/*
 * keys.c - create and read uccnd's key files; register the coordinator on
 * first start. Files are written to a temporary name, synced and renamed,
 * so a crash never leaves half a key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "keys.h"
#include "log.h"
#include "uccn_error.h"
#include "uccn_keyfile.h"

#define KEYFILE_MAX 4096

static int say(char *err, size_t errlen, int code, const char *what,
	       const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return code;
}

static int read_keys(const char *path, char *pub, char *sec, char *err,
		     size_t errlen)
{
	char buf[KEYFILE_MAX];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? UCCN_E_NOTFOUND
				       : say(err, errlen, UCCN_E_IO, "cannot read", path);
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return say(err, errlen, UCCN_E_IO, "cannot read", path);
	if (uccn_keyfile_parse(buf, (size_t)n, pub, sec)) {
		snprintf(err, errlen, "%s: not a key file (no valid public-key line)", path);
		return UCCN_E_INVALID;
	}
	return 0;
}

static int write_keys(const char *dir, const char *name, const char *comment,
		      const char *pub, const char *sec, mode_t mode, char *err,
		      size_t errlen)
{
	char path[4096], tmp[4100], text[KEYFILE_MAX];
	int len = uccn_keyfile_format(text, sizeof text, comment, pub, sec);
	if (len < 0) {
		snprintf(err, errlen, "cannot format key file %s", name);
		return len;
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return say(err, errlen, UCCN_E_IO, "cannot create", tmp);
	bool ok = write(fd, text, (size_t)len) == len && fsync(fd) == 0;
	if (close(fd) != 0)
		ok = false;
	/* link() refuses to replace: an existing key file is never lost. */
	if (!ok || link(tmp, path) != 0) {
		int rc = say(err, errlen, UCCN_E_IO, "cannot write", path);
		unlink(tmp);
		return rc;
	}
	unlink(tmp);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int server_keys(const char *dir, char *secret, char *err, size_t errlen)
{
	char path[4096], pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	snprintf(path, sizeof path, "%s/server.key", dir);
	int rc = read_keys(path, pub, sec, err, errlen);
	if (rc == UCCN_E_NOTFOUND) {
		if (zmq_curve_keypair(pub, sec) != 0) {
			snprintf(err, errlen, "zmq_curve_keypair: %s", zmq_strerror(errno));
			return UCCN_E_INTERNAL;
		}
		if ((rc = write_keys(dir, "server.key", "uccnd server key pair",
				     pub, sec, 0600, err, errlen)))
			return rc;
		log_msg(LOG_INFO, "created the server key pair in %s", path);
	} else if (rc) {
		return rc;
	} else if (!sec[0]) {
		snprintf(err, errlen, "%s holds no secret-key", path);
		return UCCN_E_INVALID;
	}
	/* server.pub is derived; recreate it when it is missing. */
	snprintf(path, sizeof path, "%s/server.pub", dir);
	if (access(path, F_OK) != 0 &&
	    (rc = write_keys(dir, "server.pub", "uccnd server public key (give this to clients)",
			     pub, NULL, 0644, err, errlen)))
		return rc;
	memcpy(secret, sec, UCCN_KEY_Z85_LEN + 1);
	return 0;
}

struct add_ctx {
	struct uccn_city city;
	int rc;
};

static int add_city(struct uccn_txn *t, void *ctx)
{
	struct add_ctx *a = ctx;
	uint64_t seq;
	a->rc = uccn_store_city_add(t, &a->city, &seq);
	return a->rc == UCCN_E_MAPFULL ? a->rc : 0;
}

static int coordinator(const char *dir, struct uccn_store *store, char *err,
		       size_t errlen)
{
	struct uccn_txn *t = NULL;
	struct uccn_city existing = {0};
	char path[4096], pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	int rc = uccn_store_read(store, &t);
	if (rc)
		return rc;
	rc = uccn_store_city_get(t, KEYS_COORDINATOR_ID, &existing);
	uccn_store_txn_end(&t);
	uccn_city_clear(&existing);
	if (rc == 0)
		return 0;
	if (rc != UCCN_E_NOTFOUND) {
		snprintf(err, errlen, "reading city %s: %s", KEYS_COORDINATOR_ID, uccn_strerror(rc));
		return rc;
	}
	/* No coordinator yet: reuse a key file left by an interrupted first
	 * start, or make one. */
	snprintf(path, sizeof path, "%s/coordinator.key", dir);
	rc = read_keys(path, pub, sec, err, errlen);
	if (rc == UCCN_E_NOTFOUND) {
		if (zmq_curve_keypair(pub, sec) != 0) {
			snprintf(err, errlen, "zmq_curve_keypair: %s", zmq_strerror(errno));
			return UCCN_E_INTERNAL;
		}
		if ((rc = write_keys(dir, "coordinator.key", "uccn client key of city 'coordinator'",
				     pub, sec, 0600, err, errlen)))
			return rc;
	} else if (rc) {
		return rc;
	}
	struct add_ctx a = {.city = {
		.id = KEYS_COORDINATOR_ID, .name = "Network coordinator",
		.field = KEYS_COORDINATOR_FIELD, .role = "coordinator",
	}};
	memcpy(a.city.key, pub, sizeof a.city.key);
	rc = uccn_store_write(store, add_city, &a);
	if (!rc)
		rc = a.rc;
	if (rc) {
		snprintf(err, errlen, "registering city %s: %s", KEYS_COORDINATOR_ID,
			 uccn_strerror(rc));
		return rc;
	}
	log_msg(LOG_INFO, "registered city '%s' (role coordinator); its key is %s",
		KEYS_COORDINATOR_ID, path);
	return 0;
}

int keys_setup(const char *dir, struct uccn_store *store,
	       char server_secret[UCCN_KEY_Z85_LEN + 1], char *err, size_t errlen)
{
	int rc = server_keys(dir, server_secret, err, errlen);
	if (rc)
		return rc;
	return coordinator(dir, store, err, errlen);
}
