/*
 * main.c - uccnd: options, the data directory and its lock, signals, and
 * the loop that runs the server until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "clock.h"
#include "config.h"
#include "dirlock.h"
#include "mode_check.h"
#include "mode_dump.h"
#include "options.h"
#include "keys.h"
#include "log.h"
#include "notify.h"
#include "restore.h"
#include "loop.h"
#include "server.h"
#include "uccn_defaults.h"
#include "uccn_error.h"
#include "uccn_store.h"
#include "uccn_tz.h"

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* uccnd.lock: the pid, for whoever looks. Called once the checks pass, so
 * a refused start creates nothing. */
static int write_lock_file(const char *dir)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/uccnd.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_msg(LOG_ERROR, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		log_msg(LOG_ERROR, "another uccnd is using %s (it holds %s)", dir, path);
		close(fd);
		return -1;
	}
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || write(fd, pid, (size_t)n) != n)
		log_msg(LOG_WARN, "cannot write the pid to %s", path);
	return fd;
}

/*
 * A data directory others may write to lets them replace the keys or the
 * data. It is put right when it is ours and not a shared directory: a
 * sticky one (like /tmp) serves others too, and only gets the warning.
 */
static void check_dir_mode(int dfd, const char *dir)
{
	struct stat st;
	if (fstat(dfd, &st) != 0 || !(st.st_mode & 022))
		return;
	bool fixed = st.st_uid == geteuid() && !(st.st_mode & S_ISVTX) &&
		     fchmod(dfd, st.st_mode & 07755) == 0;
	log_msg(LOG_WARN, "data directory %s has mode %04o: others may write to it; %s", dir,
		(unsigned)(st.st_mode & 07777),
		fixed ? "removed their write permission" : "make it 0700 (chmod 700)");
}

/*
 * --daemon: fork; the child serves, the parent waits on a pipe for one byte
 * the child writes once it is bound, so whoever started it (a script, the
 * README's tour) may talk to it as soon as the parent returns. The child
 * dies or closes the pipe without writing when it cannot start; its log on
 * stderr has already said why. Returns the pipe's write end in the child,
 * or exits in the parent.
 */
static int go_background(void)
{
	int fds[2];
	if (pipe(fds) != 0) {
		fprintf(stderr, "uccnd: pipe: %s\n", strerror(errno));
		exit(1);
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "uccnd: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		char c;
		ssize_t n;
		close(fds[1]);
		while ((n = read(fds[0], &c, 1)) < 0 && errno == EINTR)
			;
		if (n == 1) {
			printf("%ld\n", (long)pid);
			exit(0);
		}
		waitpid(pid, NULL, 0);
		exit(1);
	}
	close(fds[0]);
	setsid();
	/* Whoever captures the parent's stdout ($(uccnd --daemon)) must see
	 * its end when the parent exits, not when the server stops. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	return fds[1];
}

static void report_ready(int *fd)
{
	if (*fd < 0)
		return;
	if (write(*fd, "R", 1) != 1)
		log_msg(LOG_WARN, "cannot tell the starting process that the server is ready");
	close(*fd);
	*fd = -1;
}

/* How long a daemon that lost its database waits before closing, so that
 * its last replies are read. */
#define STOP_GRACE_MS 1000

struct signals {
	int fd;
	struct loop *loop;
	struct uccn_store *store;   /* for the settings a reload changes at once */
	struct server *server;
	const struct options *opts; /* where the settings came from */
	struct config *in_force;
};

/* A setting that changed in the file: applied when it can be at run
 * time, else said to wait for the next start. */
struct reload {
	struct signals *sg;
	const struct config *next;
};

static void apply_change(const char *key, const char *was, const char *now, void *ctx)
{
	const struct reload *rl = ctx;
	const struct config *next = rl->next;
	if (strcmp(key, "log_level") == 0) {
		log_set_level(next->log_level);
		log_msg(LOG_WARN, "reload: log_level %s -> %s", was, now);
	} else if (strcmp(key, "listen") == 0) {
		char err[CONFIG_ENDPOINT_MAX * 2 + 128];
		if (server_rebind(rl->sg->server, next->listen, err, sizeof err) == 0) {
			snprintf(rl->sg->in_force->listen, sizeof rl->sg->in_force->listen, "%s",
				 next->listen);
			log_msg(LOG_WARN, "reload: listen %s -> %s (open connections stay)", was, now);
		} else {
			log_msg(LOG_ERROR, "reload: %s", err);
		}
	} else if (strcmp(key, "mailbox_quota") == 0) {
		/* The next write checks against the new quota; posts already in
		 * a mailbox past it stay until read. */
		uccn_store_set_mailbox_quota(rl->sg->store, next->mailbox_quota);
		rl->sg->in_force->mailbox_quota = next->mailbox_quota;
		log_msg(LOG_WARN, "reload: mailbox_quota %s -> %s", was, now);
	} else {
		log_msg(LOG_WARN, "reload: %s %s -> %s takes effect at the next start; "
			"%s stays in force", key, was, now, was);
	}
}

/* SIGHUP: read the same file and flags again. Settings that fail to
 * load leave the ones in force untouched. */
static void reload(struct signals *sg)
{
	struct config next;
	char err[CONFIG_LINE_MAX + PATH_MAX];
	if (options_load(sg->opts, &next, err, sizeof err)) {
		log_msg(LOG_ERROR, "reload refused, the settings in force stay: %s", err);
		return;
	}
	struct reload rl = {.sg = sg, .next = &next};
	config_each_change(sg->in_force, &next, apply_change, &rl);
	sg->in_force->log_level = next.log_level;
	/* A level set at run time (admin.log) lasts until here: the
	 * configured one is put back, the line written at the more verbose
	 * of the two. */
	enum log_level live = log_get_level();
	if (live != next.log_level) {
		if (next.log_level > live)
			log_set_level(next.log_level);
		log_msg(LOG_WARN, "reload: log_level %s -> %s, as configured (it was set at run time)",
			log_level_name(live), log_level_name(next.log_level));
		log_set_level(next.log_level);
	}
	log_msg(LOG_WARN, "reloaded the settings from %s",
		next.source[0] ? next.source : "the command line (no file)");
}

static void on_signal(void *ctx)
{
	struct signals *sg = ctx;
	struct signalfd_siginfo si;
	if (read(sg->fd, &si, sizeof si) != (ssize_t)sizeof si)
		return;
	if (si.ssi_signo == SIGHUP) {
		notify_send("RELOADING=1");
		reload(sg);
		notify_send("READY=1");
		return;
	}
	log_msg(LOG_INFO, "%s received, stopping", strsignal((int)si.ssi_signo));
	notify_send("STOPPING=1");
	loop_stop(sg->loop);
}

int main(int argc, char **argv)
{
	struct options opts;
	struct config o;
	struct uccn_store *store = NULL;
	struct loop *loop = NULL;
	struct server *server = NULL;
	void *ctx = NULL;
	char err[512], secret[UCCN_KEY_Z85_LEN + 1];
	int status = 1, dirfd = -1, lockfd = -1, sigfd = -1, readyfd = -1;
	sigset_t mask;

	int rc = options_parse(argc, argv, &opts);
	if (rc >= 0)
		return rc;
	if (opts.check_dir)
		return mode_check_run(opts.check_dir, opts.json);
	if ((rc = options_load(&opts, &o, err, sizeof err))) {
		fprintf(stderr, "uccnd: %s\n", err);
		return rc;
	}
	if (opts.check_only) {
		config_print(&o, stdout);
		return 0;
	}
	if (opts.dump)
		return mode_dump_run(o.data, opts.output);
	if (opts.load)
		return mode_load_run(opts.load, o.data);
	if (opts.restore)
		return restore_run(opts.restore, o.data);
	log_set_level(o.log_level);
	if (o.source[0])
		log_msg(LOG_INFO, "settings from %s", o.source);
	if (o.background)
		readyfd = go_background();

	/* Block the stop signals before ZeroMQ starts its threads, so they
	 * inherit the mask and the signals arrive only through signalfd. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sigfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		log_msg(LOG_ERROR, "signalfd: %s", strerror(errno));
		goto out;
	}

	if (make_dirs(o.data) != 0) {
		log_msg(LOG_ERROR, "cannot create data directory %s: %s", o.data, strerror(errno));
		goto out;
	}
	if ((dirfd = dirlock_take(o.data, err, sizeof err)) < 0) {
		log_msg(LOG_ERROR, "%s", err);
		goto out;
	}
	/* Refuse what cannot be trusted before anything is created or
	 * mapped: the store's files, then the keys against them. */
	bool data_present = false;
	if (uccn_store_check_files(o.data, &data_present, err, sizeof err) ||
	    keys_check(o.data, data_present, err, sizeof err)) {
		log_msg(LOG_ERROR, "refusing to start: %s", err);
		goto out;
	}
	check_dir_mode(dirfd, o.data);
	if ((lockfd = write_lock_file(o.data)) < 0)
		goto out;
	int64_t t0 = clock_mono_ns();
	if ((rc = uccn_store_open(&store, o.data, o.map_size, err, sizeof err))) {
		log_msg(LOG_ERROR, "cannot open the store in %s: %s", o.data, err);
		goto out;
	}
	if (uccn_store_rewrote_from(store))
		log_msg(LOG_INFO, "the store in %s was in data format %d: rewritten in %.1f s", o.data,
			uccn_store_rewrote_from(store),
			(double)(clock_mono_ns() - t0) / 1e9);
	uccn_store_set_mailbox_quota(store, o.mailbox_quota);
	if (!uccn_tz_database_present())
		log_msg(LOG_WARN, "no time zone database at %s: zone names are not checked (install tzdata)",
			uccn_tz_dir());
	if ((rc = keys_setup(o.data, store, secret, err, sizeof err))) {
		log_msg(LOG_ERROR, "refusing to start: %s", err);
		goto out;
	}
	if (!(ctx = zmq_ctx_new()) || loop_new(&loop) != 0) {
		log_msg(LOG_ERROR, "cannot start ZeroMQ: %s", zmq_strerror(errno));
		goto out;
	}
	struct server_options so = {.endpoint = o.listen, .secret = secret};
	if ((rc = server_new(&server, ctx, loop, store, &so, err, sizeof err))) {
		log_msg(LOG_ERROR, "%s", err);
		goto out;
	}
	struct signals sg = {.fd = sigfd, .loop = loop, .store = store, .server = server,
			     .opts = &opts, .in_force = &o};
	if (loop_add(loop, NULL, sigfd, on_signal, &sg) != 0) {
		log_msg(LOG_ERROR, "cannot watch for signals: the event loop is full");
		goto out;
	}
	memset(secret, 0, sizeof secret);

	log_msg(LOG_INFO, "uccnd %s ready on %s, data in %s", UCCN_VERSION, o.listen, o.data);
	report_ready(&readyfd);
	/* A service manager (systemd's Type=notify) learns the same. */
	char state[PATH_MAX + CONFIG_ENDPOINT_MAX + 100];
	snprintf(state, sizeof state, "READY=1\nMAINPID=%ld\nSTATUS=serving on %s, data in %s",
		 (long)getpid(), o.listen, o.data);
	if (notify_send(state) != 0)
		log_msg(LOG_WARN, "cannot tell the service manager that uccnd is ready (%s): %s",
			getenv("NOTIFY_SOCKET"), strerror(errno));
	if (loop_run(loop) == 0)
		status = 0;
	if (!uccn_store_usable(store)) {
		/* Every acknowledged write is on disk; the log said why. The
		 * refusals just sent must reach their writers: closing at once
		 * would reset connections whose input is unread, and a reset
		 * makes the peer's kernel drop a reply it has not yet read. */
		struct timespec grace = {.tv_sec = STOP_GRACE_MS / 1000,
					 .tv_nsec = (STOP_GRACE_MS % 1000) * 1000000L};
		nanosleep(&grace, NULL);
		log_msg(LOG_ERROR, "stopped: the database could not be opened again");
		status = 1;
	} else {
		log_msg(LOG_INFO, "stopped");
	}
out:
	server_destroy(&server);
	if (ctx)
		zmq_ctx_term(ctx);
	loop_destroy(&loop);
	uccn_store_close(&store);
	if (lockfd >= 0)
		close(lockfd);
	if (dirfd >= 0)
		close(dirfd);
	if (sigfd >= 0)
		close(sigfd);
	if (readyfd >= 0)
		close(readyfd);
	return status;
}
