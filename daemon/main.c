/*
 * main.c - uccnd: options, the data directory and its lock, signals, and
 * the loop that runs the server until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

#include "config.h"
#include "keys.h"
#include "log.h"
#include "loop.h"
#include "server.h"
#include "uccn_defaults.h"
#include "uccn_error.h"
#include "uccn_store.h"
#include "uccn_tz.h"

static const char usage_text[] =
	"usage: uccnd [-f FILE] [--data DIR] [--listen ENDPOINT] [--map-size BYTES]\n"
	"             [--mailbox-quota N] [--log-level LEVEL] [--daemon] [-v] [-n]\n"
	"\n"
	"The uccn coordinator's daemon: keeps the network's records in DIR and\n"
	"serves city nodes over CURVE-encrypted ZeroMQ. Runs in the foreground\n"
	"unless --daemon; SIGINT or SIGTERM stops it cleanly.\n"
	"\n"
	"  -f, --config FILE      read settings from FILE (default $UCCND_CONF, else\n"
	"                         " UCCND_CONF_DEFAULT " if it exists); see uccnd.conf(5).\n"
	"                         Each flag below overrides its key in the file.\n"
	"  -n, --check-config     check the settings, print them normalised and exit:\n"
	"                         0 when they are good, 1 with the file's line if not\n"
	"  -d, --data DIR         data directory (default $UCCN_DATA, else\n"
	"                         $XDG_DATA_HOME/uccn, else ~/.local/share/uccn)\n"
	"  -l, --listen ENDPOINT  tcp://HOST:PORT (port 1-65535) or ipc://PATH to bind\n"
	"                         (default " UCCN_DEFAULT_ENDPOINT ")\n"
	"      --map-size BYTES   initial database map size, K/M/G suffixes allowed;\n"
	"                         it grows by itself when full (default 64M)\n"
	"      --mailbox-quota N  unread posts a city's mailbox holds before posts\n"
	"                         to it are refused (default 10000)\n"
	"      --log-level LEVEL  error, warn, info (default) or debug\n"
	"  -D, --daemon           serve in the background: return 0 (printing the\n"
	"                         server's pid) only once it serves, 1 if it fails\n"
	"                         to start (its log says why)\n"
	"  -v, --verbose          --log-level debug: log every request batch\n"
	"  -h, --help             show this help\n"
	"  -V, --version          show the version\n"
	"\n"
	"On first start in an empty DIR it creates DIR/server.key, DIR/server.pub\n"
	"and DIR/coordinator.key, and registers the city 'coordinator'.\n"
	"It refuses to start (exit 1, creating nothing) on a DIR it cannot trust:\n"
	"a truncated data.mdb, keys without data or data without keys, mismatched\n"
	"key files, files that are not regular files; see uccnd(8).\n"
	"Exit status: 0 after a clean stop, 1 on a start-up error or a bad\n"
	"setting, 2 on bad usage.\n";

/* A flag that sets a key, kept until the file has been read: flags win. */
struct flag_value {
	const char *key;
	const char *value;
};

/* Parse the command line and the file into c. Returns -1 to go on
 * serving, else the exit status (after --help, --version, -n or an
 * error). */
static int parse_options(int argc, char **argv, struct config *c)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'f'},
		{"check-config", no_argument, NULL, 'n'},
		{"data", required_argument, NULL, 'd'},
		{"listen", required_argument, NULL, 'l'},
		{"map-size", required_argument, NULL, 'm'},
		{"mailbox-quota", required_argument, NULL, 'q'},
		{"log-level", required_argument, NULL, 'L'},
		{"daemon", no_argument, NULL, 'D'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct flag_value flags[16];
	size_t nflags = 0;
	const char *file = NULL;
	bool check_only = false;
	char path[PATH_MAX], err[CONFIG_LINE_MAX + PATH_MAX];
	int ch;
	while ((ch = getopt_long(argc, argv, "f:nd:l:DvhV", longopts, NULL)) != -1) {
		const char *key = NULL, *value = optarg;
		switch (ch) {
		case 'f': file = optarg; continue;
		case 'n': check_only = true; continue;
		case 'd': key = "data"; break;
		case 'l': key = "listen"; break;
		case 'm': key = "map_size"; break;
		case 'q': key = "mailbox_quota"; break;
		case 'L': key = "log_level"; break;
		case 'D': key = "daemon"; value = "yes"; break;
		case 'v': key = "log_level"; value = "debug"; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("uccnd %s (protocol %d)\n", UCCN_VERSION, UCCN_PROTO_VERSION);
			return 0;
		default:
			fputs("Try 'uccnd --help'.\n", stderr);
			return 2;
		}
		if (nflags == sizeof flags / sizeof flags[0]) {
			fputs("uccnd: too many options\n", stderr);
			return 2;
		}
		flags[nflags++] = (struct flag_value){key, value};
	}
	if (optind < argc) {
		fprintf(stderr, "uccnd: unexpected argument '%s'\nTry 'uccnd --help'.\n", argv[optind]);
		return 2;
	}
	config_defaults(c);
	bool named;
	if (config_locate(file, path, sizeof path, &named) &&
	    config_read_file(c, path, err, sizeof err)) {
		fprintf(stderr, "uccnd: %s\n", err);
		return 1;
	}
	/* A bad flag is bad usage, as it always was. */
	for (size_t i = 0; i < nflags; i++)
		if (config_set_flag(c, flags[i].key, flags[i].value, err, sizeof err)) {
			fprintf(stderr, "uccnd: %s\nTry 'uccnd --help'.\n", err);
			return 2;
		}
	if (config_finish(c, err, sizeof err)) {
		fprintf(stderr, "uccnd: %s\n", err);
		return 2;
	}
	if (check_only) {
		config_print(c, stdout);
		return 0;
	}
	return -1;
}

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

/*
 * One daemon per data directory: a second one would be a second writer.
 * The lock is on the directory itself, which nobody deletes by mistake;
 * a lock on uccnd.lock alone was lost with the file, and the next daemon
 * locked a new one. uccnd.lock stays, locked too, to show the pid.
 * Returns the directory's fd, holding the lock, or -1.
 */
static int lock_data_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		log_msg(LOG_ERROR, "cannot open data directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (flock(dfd, LOCK_EX | LOCK_NB) != 0) {
		log_msg(LOG_ERROR, "another uccnd is using %s (it holds the lock on the directory)",
			dir);
		close(dfd);
		return -1;
	}
	return dfd;
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

struct stopper {
	int fd;
	struct loop *loop;
};

static void on_signal(void *ctx)
{
	struct stopper *st = ctx;
	struct signalfd_siginfo si;
	if (read(st->fd, &si, sizeof si) == (ssize_t)sizeof si)
		log_msg(LOG_INFO, "%s received, stopping", strsignal((int)si.ssi_signo));
	loop_stop(st->loop);
}

int main(int argc, char **argv)
{
	struct config o;
	struct uccn_store *store = NULL;
	struct loop *loop = NULL;
	struct server *server = NULL;
	void *ctx = NULL;
	char err[512], secret[UCCN_KEY_Z85_LEN + 1];
	int status = 1, dirfd = -1, lockfd = -1, sigfd = -1, readyfd = -1;
	sigset_t mask;

	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
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
	if ((dirfd = lock_data_dir(o.data)) < 0)
		goto out;
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
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = uccn_store_open(&store, o.data, o.map_size, err, sizeof err))) {
		log_msg(LOG_ERROR, "cannot open the store in %s: %s", o.data, err);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (uccn_store_rewrote_from(store))
		log_msg(LOG_INFO, "the store in %s was in data format %d: rewritten in %.1f s", o.data,
			uccn_store_rewrote_from(store),
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
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
	struct stopper st = {.fd = sigfd, .loop = loop};
	loop_add(loop, NULL, sigfd, on_signal, &st);
	memset(secret, 0, sizeof secret);

	log_msg(LOG_INFO, "uccnd %s ready on %s, data in %s", UCCN_VERSION, o.listen, o.data);
	report_ready(&readyfd);
	if (loop_run(loop) == 0)
		status = 0;
	log_msg(LOG_INFO, "stopped");
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
