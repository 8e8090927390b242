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

/*
 * Read a key file. O_NONBLOCK and fstat: a FIFO or a device in place of a
 * key must be refused, not waited on for ever. A link is followed, so keys
 * may live on another mount, but what it names must be a regular file.
 */
static int read_keys(const char *path, char *pub, char *sec, char *err,
		     size_t errlen)
{
	char buf[KEYFILE_MAX];
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? UCCN_E_NOTFOUND
				       : say(err, errlen, UCCN_E_IO, "cannot read", path);
	if (fstat(fd, &st) != 0) {
		int rc = say(err, errlen, UCCN_E_IO, "cannot read", path);
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s is not a regular file: restore the key file from a backup",
			 path);
		return UCCN_E_INVALID;
	}
	ssize_t n = read(fd, buf, sizeof buf);
	if (n < 0) {
		int rc = say(err, errlen, UCCN_E_IO, "cannot read", path);
		close(fd);
		return rc;
	}
	if (uccn_keyfile_parse(buf, (size_t)n, pub, sec)) {
		close(fd);
		snprintf(err, errlen, "%s: not a key file (no valid public-key line)", path);
		return UCCN_E_INVALID;
	}
	close(fd);
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

/* server.key's two halves must belong together: a secret whose public
 * half is not the one written beside it starts a server nobody can reach. */
static int check_server_pair(const char *dir, const char *pub, const char *sec,
			     char *err, size_t errlen)
{
	char derived[UCCN_KEY_Z85_LEN + 1], ppub[UCCN_KEY_Z85_LEN + 1],
		psec[UCCN_KEY_Z85_LEN + 1], path[4096];
	if (zmq_curve_public(derived, sec) != 0 || strcmp(derived, pub) != 0) {
		snprintf(err, errlen, "%s/server.key: its secret-key does not match its "
			 "public-key (the file is damaged); restore server.key and server.pub "
			 "from a backup", dir);
		return UCCN_E_INVALID;
	}
	snprintf(path, sizeof path, "%s/server.pub", dir);
	int rc = read_keys(path, ppub, psec, err, errlen);
	if (rc == UCCN_E_NOTFOUND)
		return 0; /* derived: server_keys writes it again */
	if (rc)
		return rc;
	if (strcmp(ppub, pub) != 0) {
		snprintf(err, errlen, "%s/server.pub does not match %s/server.key: cities "
			 "given server.pub could not connect; restore both from a backup, or "
			 "remove server.pub and uccnd writes it again from server.key", dir, dir);
		return UCCN_E_INVALID;
	}
	return 0;
}

int keys_check(const char *dir, bool data_present, char *err, size_t errlen)
{
	static const char *const names[] = {"server.key", "server.pub", "coordinator.key"};
	char path[4096], pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	const char *found = NULL;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (stat(path, &st) != 0)
			continue;
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s is not a regular file: restore the key file "
				 "from a backup", path);
			return UCCN_E_INVALID;
		}
		if (!found)
			found = names[i];
	}
	/* Keys without data are a network whose records are gone: starting
	 * afresh would register a new coordinator beside the old keys and
	 * refuse every city's key from then on. */
	if (found && !data_present) {
		snprintf(err, errlen, "%s/data.mdb is missing or empty but %s/%s is there: "
			 "the network's records are gone; restore data.mdb from a backup "
			 "(or, to start a new network, move the key files out of %s)",
			 dir, dir, found, dir);
		return UCCN_E_NOTFOUND;
	}
	snprintf(path, sizeof path, "%s/server.key", dir);
	int rc = read_keys(path, pub, sec, err, errlen);
	if (rc && rc != UCCN_E_NOTFOUND)
		return rc;
	if (!rc && !sec[0]) {
		snprintf(err, errlen, "%s holds no secret-key", path);
		return UCCN_E_INVALID;
	}
	if (!rc && (rc = check_server_pair(dir, pub, sec, err, errlen)))
		return rc;
	/* uccnd writes its secret keys 0600: a wider mode is a change made
	 * since, and the file is ours to put right. Only once nothing is
	 * refused, so a refused start leaves the directory as it found it. */
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (strcmp(names[i], "server.pub") == 0 || stat(path, &st) != 0 ||
		    !(st.st_mode & 077))
			continue;
		bool fixed = st.st_uid == geteuid() && chmod(path, 0600) == 0;
		log_msg(LOG_WARN, "%s holds a secret key and has mode %04o: %s", path,
			(unsigned)(st.st_mode & 07777),
			fixed ? "made it 0600" : "make it 0600 (chmod 600)");
	}
	return 0;
}

/* registered: the store holds the coordinator already, so it has served
 * cities, and a missing server.key is lost, not yet to be made. */
static int server_keys(const char *dir, bool registered, char *secret, char *err,
		       size_t errlen)
{
	char path[4096], pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	snprintf(path, sizeof path, "%s/server.key", dir);
	int rc = read_keys(path, pub, sec, err, errlen);
	if (rc == UCCN_E_NOTFOUND && registered) {
		snprintf(err, errlen, "%s is missing but %s/data.mdb holds a network: "
			 "a new server key would shut out every city; restore server.key "
			 "and server.pub from a backup", path, dir);
		return UCCN_E_NOTFOUND;
	}
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
	} else if ((rc = check_server_pair(dir, pub, sec, err, errlen))) {
		return rc;
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

/* Whether the store holds the coordinator city: 1, 0, or a negative code. */
static int coordinator_registered(struct uccn_store *store, char *err, size_t errlen)
{
	struct uccn_txn *t = NULL;
	struct uccn_city existing = {0};
	int rc = uccn_store_read(store, &t);
	if (rc)
		return rc;
	rc = uccn_store_city_get(t, KEYS_COORDINATOR_ID, &existing);
	uccn_store_txn_end(&t);
	uccn_city_clear(&existing);
	if (rc == 0)
		return 1;
	if (rc == UCCN_E_NOTFOUND)
		return 0;
	snprintf(err, errlen, "reading city %s: %s", KEYS_COORDINATOR_ID, uccn_strerror(rc));
	return rc;
}

static int coordinator(const char *dir, struct uccn_store *store, char *err,
		       size_t errlen)
{
	char path[4096], pub[UCCN_KEY_Z85_LEN + 1], sec[UCCN_KEY_Z85_LEN + 1];
	int rc;
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
	int registered = coordinator_registered(store, err, errlen);
	if (registered < 0)
		return registered;
	int rc = server_keys(dir, registered == 1, server_secret, err, errlen);
	if (rc || registered)
		return rc;
	return coordinator(dir, store, err, errlen);
}
