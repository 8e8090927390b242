/*
 * ops_backup.c - admin.backup (SPEC 4.20): a backup is made on a thread of
 * its own (the copy of a big store takes a while; the event loop goes on
 * serving), into a directory under the data dir, then served in chunks
 * and removed when its last chunk is sent or it has been idle too long.
 * One backup at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "clock.h"
#include "backup_file.h"
#include "uccn_invite.h"
#include "log.h"
#include "server_int.h"
#include "uccn_error.h"

/* A backup nobody has asked a chunk of for this long is removed. */
#define BACKUP_IDLE_MS 60000

enum { JOB_MAKING, JOB_READY, JOB_FAILED };

static struct job {
	bool used;
	char id[UCCN_BACKUP_ID_LEN + 1];
	char dir[PATH_MAX];
	char file[PATH_MAX + 16];
	struct uccn_store *store;
	pthread_t thread;
	atomic_int state;
	/* Set by the thread before state leaves JOB_MAKING. */
	int rc;
	char err[512];
	struct backup_manifest m;
	char json[UCCN_BACKUP_MAX_MANIFEST + 1];
	char checksum[UCCN_BACKUP_CHECKSUM_HEX + 1];
	uint64_t size;
	uint64_t problems;                        /* what the check of the copy found */
	char problem[UCCN_BACKUP_MAX_PROBLEM];    /* the first of them */
	int64_t touched_ms;
	bool discarded;    /* its client gave up: removed once made */
} job;

/*
 * The copy read as uccnd --check reads it, so the coordinator hears of
 * records damaged here when the backup is taken, not first at a restore.
 * The backup holds them as the server does either way (it is the best
 * copy there is); a check that cannot run is logged and the backup goes on.
 */
static void check_copy(struct job *j)
{
	struct uccn_check_totals tot = {0};
	char why[UCCN_BACKUP_MAX_PROBLEM - 32];
	if (backup_check_data(j->dir, &tot, j->problem, sizeof j->problem, why, sizeof why)) {
		log_msg(LOG_WARN, "backup %s: its copy could not be checked: %s", j->id, why);
		/* Not "sound": the client is told the check did not run. */
		j->problems = 1;
		snprintf(j->problem, sizeof j->problem, "the check could not run: %s", why);
		return;
	}
	j->problems = tot.problems;
	if (tot.problems)
		log_msg(LOG_ERROR, "backup %s: the data fails the check: %" PRIu64 " problem%s, "
			"the first: %s; uccnd --check lists them all", j->id, tot.problems,
			tot.problems == 1 ? "" : "s", j->problem);
}

static void *make_backup(void *arg)
{
	struct job *j = arg;
	struct uccn_store_stats st = {0};
	char data[PATH_MAX + 16];
	time_t now = time(NULL);
	struct tm tm;
	int64_t t0 = clock_mono_ns();
	j->rc = uccn_store_backup(j->store, j->dir, &st, j->err, sizeof j->err);
	if (!j->rc) {
		j->m = (struct backup_manifest){.format = BACKUP_FORMAT,
			.store_format = UCCN_STORE_FORMAT, .last_seq = st.last_seq,
			.cities = st.cities, .posts = st.posts};
		strftime(j->m.created, sizeof j->m.created, "%Y-%m-%dT%H:%M:%SZ",
			 gmtime_r(&now, &tm));
		snprintf(j->m.uccnd, sizeof j->m.uccnd, "%s", UCCN_VERSION);
		check_copy(j);
		snprintf(data, sizeof data, "%s/data.mdb", j->dir);
		j->rc = backup_file_write(j->file, data, uccn_store_dir(j->store), &j->m, j->json,
					  j->checksum, &j->size, j->err, sizeof j->err);
		unlink(data);
	}
	double took = (double)(clock_mono_ns() - t0) / 1e9;
	if (j->rc)
		log_msg(LOG_ERROR, "backup %s failed: %s", j->id, j->err);
	else
		log_msg(LOG_INFO, "backup %s made in %.3f s: %" PRIu64 " bytes, last seq %" PRIu64,
			j->id, took, j->size, j->m.last_seq);
	atomic_store(&j->state, j->rc ? JOB_FAILED : JOB_READY);
	return NULL;
}

/* Remove the backup and its files; waits for its thread. */
static void job_end(void)
{
	if (!job.used)
		return;
	pthread_join(job.thread, NULL);
	backup_tmp_remove(job.dir);
	memset(&job, 0, sizeof job);
}

void server_backup_free(void)
{
	job_end();
}

static void start(struct server *s, const struct caller *c, struct uccn_reply *rep)
{
	unsigned char r[UCCN_BACKUP_ID_LEN / 2];
	const char *dir = uccn_store_dir(s->store);
	if (!dir) {
		server_reply_error(rep, UCCN_E_IO, "the database is closed");
		return;
	}
	/* One backup at a time: any other is a crash's leftover. */
	backup_remove_stale(dir, "backup-");
	randombytes_buf(r, sizeof r);
	uccn_hex_encode(r, sizeof r, job.id);
	snprintf(job.dir, sizeof job.dir, "%s/backup-%s.tmp", dir, job.id);
	snprintf(job.file, sizeof job.file, "%s/backup", job.dir);
	if (mkdir(job.dir, 0700) != 0) {
		server_reply_error(rep, UCCN_E_IO, "cannot create %s: %s", job.dir, strerror(errno));
		memset(&job, 0, sizeof job);
		return;
	}
	job.store = s->store;
	atomic_store(&job.state, JOB_MAKING);
	if (pthread_create(&job.thread, NULL, make_backup, &job) != 0) {
		rmdir(job.dir);
		memset(&job, 0, sizeof job);
		server_reply_error(rep, UCCN_E_NOMEM, "cannot start the backup's thread");
		return;
	}
	job.used = true;
	job.touched_ms = clock_mono_ms();
	log_msg(LOG_INFO, "backup %s started by city '%s'", job.id, c->city);
	if (uccn_str_set(&rep->backup.id, job.id))
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
}

/* The chunk at offset of the ready backup into rep. */
static int chunk(uint64_t offset, struct uccn_reply *rep)
{
	struct uccn_backup_chunk *b = &rep->backup;
	if (offset > job.size) {
		server_reply_error(rep, UCCN_E_INVALID, "offset %" PRIu64 " is past the end of "
				   "backup %s (%" PRIu64 " bytes)", offset, job.id, job.size);
		return -1;
	}
	size_t n = job.size - offset < UCCN_BACKUP_CHUNK ? (size_t)(job.size - offset)
							   : UCCN_BACKUP_CHUNK;
	int fd = open(job.file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n && !(b->data.data = malloc(n)))) {
		if (fd >= 0)
			close(fd);
		server_reply_error(rep, fd < 0 ? UCCN_E_IO : UCCN_E_NOMEM, "cannot read backup %s",
				   job.id);
		return -1;
	}
	ssize_t got = n ? pread(fd, b->data.data, n, (off_t)offset) : 0;
	close(fd);
	if (got != (ssize_t)n) {
		server_reply_error(rep, UCCN_E_IO, "cannot read backup %s", job.id);
		return -1;
	}
	b->data.len = n;
	b->ready = true;
	b->size = job.size;
	b->offset = offset;
	b->done = offset + n == job.size;
	if (offset == 0 && (uccn_str_set(&b->checksum, job.checksum) ||
			    uccn_str_set(&b->manifest, job.json))) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return -1;
	}
	if (offset == 0) {
		b->last_seq = job.m.last_seq;
		b->cities = job.m.cities;
		b->posts = job.m.posts;
		b->problems = job.problems;
		if (job.problems && uccn_str_set(&b->problem, job.problem)) {
			server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
			return -1;
		}
	}
	return 0;
}

void server_backup_sweep(void)
{
	if (!job.used || atomic_load(&job.state) == JOB_MAKING)
		return;
	if (job.discarded) {
		log_msg(LOG_INFO, "backup %s discarded by its client", job.id);
		job_end();
	} else if (clock_mono_ms() - job.touched_ms > BACKUP_IDLE_MS) {
		log_msg(LOG_INFO, "backup %s removed: idle for %d s", job.id, BACKUP_IDLE_MS / 1000);
		job_end();
	}
}

void server_read_admin_backup(struct server *s, struct uccn_txn *t, const struct caller *c,
			      const struct uccn_request *req, struct uccn_reply *rep)
{
	(void)t;
	int state;
	server_backup_sweep();
	if (!req->backup_id) {
		if (job.used) {
			server_reply_error(rep, UCCN_E_BUSY, "backup %s is under way; one at a time "
					   "(an abandoned one is removed after %d s idle)", job.id,
					   BACKUP_IDLE_MS / 1000);
			return;
		}
		start(s, c, rep);
		return;
	}
	if (!job.used || strcmp(req->backup_id, job.id) != 0) {
		server_reply_error(rep, UCCN_E_NOTFOUND, "no backup %s: finished, removed after "
				   "%d s idle, or never started", req->backup_id,
				   BACKUP_IDLE_MS / 1000);
		return;
	}
	job.touched_ms = clock_mono_ms();
	if (uccn_str_set(&rep->backup.id, job.id)) {
		server_reply_error(rep, UCCN_E_NOMEM, "out of memory");
		return;
	}
	/* Not at once: the copy may still run; the sweep ends it once made,
	 * and a new backup is busy until then. */
	if (req->discard) {
		job.discarded = true;
		server_backup_sweep();
		return;
	}
	state = atomic_load(&job.state);
	if (state == JOB_MAKING)
		return;
	if (state == JOB_FAILED) {
		server_reply_error(rep, job.rc, "backup %s failed: %s", job.id, job.err);
		job_end();
		return;
	}
	if (chunk(req->offset, rep) == 0 && rep->backup.done) {
		log_msg(LOG_INFO, "backup %s sent: %" PRIu64 " bytes", job.id, job.size);
		job_end();
	}
}
