/*
 * shim.c - an LD_PRELOAD library that lets the torture emulate a power cut
 * without a VM. In a process started with UCCN_TORTURE_JOURNAL=PATH it
 * watches every descriptor opened for writing on a file named data.mdb
 * (LMDB's data file) and, before each write to one, appends to PATH what
 * the range held and what is being written (journal.h). A successful
 * fsync/fdatasync of the file empties the journal: what it held is on
 * the disk. After a kill -9 the journal therefore lists exactly the writes
 * a power cut at that moment could lose; undo.c puts them back.
 *
 * What LMDB 0.9 does on Linux, and so what is caught here: data pages go
 * through the read-write descriptor (pwrite, or lseek + writev; pwritev
 * when built with MDB_USE_PWRITEV), meta pages through a second
 * descriptor opened O_DSYNC (durable when the call returns: TJ_DSYNC),
 * and a commit calls fdatasync (fsync with MDB_FSYNCONLY) on the first.
 * The file grows by writing past its end. MDB_WRITEMAP (stores through a
 * shared mapping, msync) is not emulated: uccnd does not use it.
 *
 * With UCCN_TORTURE_KILL_AT=N the shim kills its own process with SIGKILL
 * right after its N-th write to the file, counting while the file
 * UCCN_TORTURE_ARMED names exists: after a data page, a cut that is sure
 * to land between a commit's pages and its sync; after a meta page, a
 * commit on disk whose writers have had no answer.
 *
 * The journal is written with plain write(2): a kill -9 does not lose the
 * page cache, only a real power cut would, and this is not one. Writes to
 * the watched file are serialised with the journal by one mutex, so the
 * journal's order is the order the kernel saw.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "journal.h"

#define WATCH_FDS 4096
enum { NOT_WATCHED, WATCH_CACHED, WATCH_DSYNC };

static _Atomic unsigned char watched[WATCH_FDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int journal_fd = -1; /* under lock */
static int read_fd = -1;    /* the data file, read-only: pre-images */
static unsigned char chunk[64 * 1024];
static long kill_at = -1; /* TJ_ENV_KILL_AT, read at the first watch */
static const char *armed;  /* TJ_ENV_ARMED */
static long armed_writes;  /* counted while armed exists */

/* ---- the functions this file stands in front of ---- */

/* real_NAME() is the next definition of NAME, looked up on first use:
 * another library's constructor may write before this one has loaded. */
#define REAL(name) \
	static __typeof__(name) *real_##name(void) \
	{ \
		static __typeof__(name) *fn; \
		if (!fn) \
			fn = (__typeof__(name) *)dlsym(RTLD_NEXT, #name); \
		return fn; \
	}
REAL(open) REAL(open64) REAL(openat) REAL(openat64) REAL(close)
REAL(write) REAL(writev) REAL(pwrite) REAL(pwrite64) REAL(pwritev)
REAL(pwritev64) REAL(pwritev2) REAL(fsync) REAL(fdatasync)
REAL(ftruncate) REAL(ftruncate64) REAL(pread) REAL(lseek)
#define RESOLVE(name) (real_##name())

static int watch_of(int fd)
{
	return fd >= 0 && fd < WATCH_FDS ? watched[fd] : NOT_WATCHED;
}

/* ---- the journal ---- */

/* A journal that cannot be written makes the run meaningless: stop. */
static void jwrite(const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = RESOLVE(write)(journal_fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			abort();
		c += w;
		n -= (size_t)w;
	}
}

static uint64_t file_size(void)
{
	struct stat st;
	if (fstat(read_fd, &st) != 0)
		abort();
	return (uint64_t)st.st_size;
}

/* The header and the pre-image of [off, off + len) as the file holds it
 * now; the caller follows with post_len bytes and TJ_TAIL. */
static void journal_begin(enum tj_kind kind, uint64_t off, uint64_t len, uint64_t post_len)
{
	uint64_t size = file_size();
	struct tj_head h = {
		.magic = TJ_HEAD, .kind = kind, .off = off, .old_size = size,
		.pre_len = off < size ? (len < size - off ? len : size - off) : 0,
		.post_len = post_len,
	};
	jwrite(&h, sizeof h);
	for (uint64_t done = 0; done < h.pre_len;) {
		size_t want = h.pre_len - done < sizeof chunk ? (size_t)(h.pre_len - done) : sizeof chunk;
		ssize_t r = RESOLVE(pread)(read_fd, chunk, want, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			abort();
		jwrite(chunk, (size_t)r);
		done += (uint64_t)r;
	}
}

static void journal_end(void)
{
	uint32_t tail = TJ_TAIL;
	jwrite(&tail, sizeof tail);
}

static void journal_iov(int fd, int mode, const struct iovec *iov, int n, off_t off)
{
	uint64_t len = 0;
	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (off < 0)
		off = RESOLVE(lseek)(fd, 0, SEEK_CUR);
	journal_begin(mode == WATCH_DSYNC ? TJ_DSYNC : TJ_WRITE, (uint64_t)off, len, len);
	for (int i = 0; i < n; i++)
		jwrite(iov[i].iov_base, iov[i].iov_len);
	journal_end();
}

/* ---- opening and closing ---- */

static bool is_data_file(const char *path)
{
	const char *base = strrchr(path, '/');
	return strcmp(base ? base + 1 : path, TJ_DATA_NAME) == 0;
}

/* fd was just opened on path (relative to dirfd) with flags. */
static int after_open(int fd, int dirfd, const char *path, int flags)
{
	const char *journal = getenv(TJ_ENV_JOURNAL);
	if (fd < 0 || fd >= WATCH_FDS || !journal || !path || !is_data_file(path) ||
	    (flags & O_ACCMODE) == O_RDONLY)
		return fd;
	pthread_mutex_lock(&lock);
	if (journal_fd < 0) {
		/* What the file holds when first opened is taken as on disk. */
		journal_fd = RESOLVE(open)(journal, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
					   O_CLOEXEC, 0600);
		read_fd = RESOLVE(openat)(dirfd, path, O_RDONLY | O_CLOEXEC);
		if (journal_fd < 0 || read_fd < 0)
			abort();
		const char *k = getenv(TJ_ENV_KILL_AT);
		kill_at = k ? strtol(k, NULL, 10) : -1;
		armed = getenv(TJ_ENV_ARMED);
	}
	watched[fd] = (flags & O_DSYNC) ? WATCH_DSYNC : WATCH_CACHED;
	pthread_mutex_unlock(&lock);
	return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return after_open(RESOLVE(open)(path, flags, mode), AT_FDCWD, path, flags);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return after_open(RESOLVE(open64)(path, flags, mode), AT_FDCWD, path, flags);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return after_open(RESOLVE(openat)(dirfd, path, flags, mode), dirfd, path, flags);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return after_open(RESOLVE(openat64)(dirfd, path, flags, mode), dirfd, path, flags);
}

int close(int fd)
{
	if (watch_of(fd) != NOT_WATCHED)
		watched[fd] = NOT_WATCHED;
	return RESOLVE(close)(fd);
}

/* ---- writes ---- */

static ssize_t watched_write(int fd, int mode, const struct iovec *iov, int n, off_t off,
			     int rwf, bool positioned)
{
	pthread_mutex_lock(&lock);
	journal_iov(fd, mode, iov, n, positioned ? off : -1);
	ssize_t w;
	if (rwf >= 0)
		w = RESOLVE(pwritev2)(fd, iov, n, off, rwf);
	else if (positioned)
		w = n == 1 ? RESOLVE(pwrite)(fd, iov[0].iov_base, iov[0].iov_len, off) :
			     RESOLVE(pwritev)(fd, iov, n, off);
	else
		w = RESOLVE(writev)(fd, iov, n);
	int saved = errno;
	if (kill_at > 0 && armed && access(armed, F_OK) == 0 && ++armed_writes == kill_at)
		raise(SIGKILL);
	pthread_mutex_unlock(&lock);
	errno = saved;
	return w;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	int mode = watch_of(fd);
	if (mode == NOT_WATCHED)
		return RESOLVE(write)(fd, buf, len);
	struct iovec v = {(void *)buf, len};
	return watched_write(fd, mode, &v, 1, 0, -1, false);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	int mode = watch_of(fd);
	if (mode == NOT_WATCHED)
		return RESOLVE(writev)(fd, iov, n);
	return watched_write(fd, mode, iov, n, 0, -1, false);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	int mode = watch_of(fd);
	if (mode == NOT_WATCHED)
		return RESOLVE(pwrite)(fd, buf, len, off);
	struct iovec v = {(void *)buf, len};
	return watched_write(fd, mode, &v, 1, off, -1, true);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	int mode = watch_of(fd);
	if (mode == NOT_WATCHED)
		return RESOLVE(pwrite64)(fd, buf, len, off);
	struct iovec v = {(void *)buf, len};
	return watched_write(fd, mode, &v, 1, (off_t)off, -1, true);
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	int mode = watch_of(fd);
	if (mode == NOT_WATCHED)
		return RESOLVE(pwritev)(fd, iov, n, off);
	return watched_write(fd, mode, iov, n, off, -1, true);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int n, off64_t off)
{
	int mode = watch_of(fd);
	if (mode == NOT_WATCHED)
		return RESOLVE(pwritev64)(fd, iov, n, off);
	return watched_write(fd, mode, iov, n, (off_t)off, -1, true);
}

ssize_t pwritev2(int fd, const struct iovec *iov, int n, off_t off, int flags)
{
	int mode = watch_of(fd);
	if (mode == NOT_WATCHED)
		return RESOLVE(pwritev2)(fd, iov, n, off, flags);
	if (flags & (RWF_DSYNC | RWF_SYNC))
		mode = WATCH_DSYNC;
	return watched_write(fd, mode, iov, n, off, flags, off != -1);
}

/* ---- syncs and size ---- */

/* Everything journalled is on the disk once a sync of the file returns. */
static int watched_sync(int fd, int (*sync_fn)(int))
{
	pthread_mutex_lock(&lock);
	int rc = sync_fn(fd);
	int saved = errno;
	if (rc == 0 && RESOLVE(ftruncate)(journal_fd, 0) != 0)
		abort();
	pthread_mutex_unlock(&lock);
	errno = saved;
	return rc;
}

int fsync(int fd)
{
	if (watch_of(fd) == NOT_WATCHED)
		return RESOLVE(fsync)(fd);
	return watched_sync(fd, RESOLVE(fsync));
}

int fdatasync(int fd)
{
	if (watch_of(fd) == NOT_WATCHED)
		return RESOLVE(fdatasync)(fd);
	return watched_sync(fd, RESOLVE(fdatasync));
}

static int watched_truncate(int fd, off_t len, int (*trunc_fn)(int, off_t))
{
	pthread_mutex_lock(&lock);
	uint64_t size = file_size();
	journal_begin(TJ_TRUNC, (uint64_t)len, (uint64_t)len < size ? size - (uint64_t)len : 0, 0);
	journal_end();
	int rc = trunc_fn(fd, len);
	int saved = errno;
	pthread_mutex_unlock(&lock);
	errno = saved;
	return rc;
}

int ftruncate(int fd, off_t len)
{
	if (watch_of(fd) == NOT_WATCHED)
		return RESOLVE(ftruncate)(fd, len);
	return watched_truncate(fd, len, RESOLVE(ftruncate));
}

int ftruncate64(int fd, off64_t len)
{
	if (watch_of(fd) == NOT_WATCHED)
		return RESOLVE(ftruncate64)(fd, len);
	return watched_truncate(fd, (off_t)len, RESOLVE(ftruncate));
}
