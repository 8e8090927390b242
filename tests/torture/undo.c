/*
 * undo.c - the power cut, after the fact: given the journal the shim
 * (shim.c) kept for a process that was then killed with SIGKILL, put the
 * data file back the way a disk could hold it had the power gone at that
 * moment.
 *
 *   undo JOURNAL FILE [none|prefix|random] [SEED]
 *
 * First every journalled change is taken back, newest first, which gives
 * the file as of its last sync. Then the changes a disk may have kept are
 * written again in their order: every write through an O_DSYNC descriptor
 * (it was on the disk when it returned) and, of the others, counted in
 * aligned 4 KiB pages, none (the default), a random prefix (a disk that
 * writes in order and stopped part way, maybe within one write), or a
 * random subset (a disk that reorders).
 * A record the shim did not finish is ignored: its write had not begun.
 * The file is synced and the journal emptied. One summary line on stdout:
 *
 *   undo: R records since the last sync: U unsynced pages (K kept), D durable writes; S0 -> S1 bytes
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"

struct rec {
	struct tj_head h;
	const unsigned char *pre;
	const unsigned char *post;
};

/* The unit a disk writes whole: a record of a write is kept or lost by
 * the aligned pages it touches. */
#define PAGE 4096u

static size_t pages_of(const struct tj_head *h)
{
	if (h->kind == TJ_TRUNC || h->post_len == 0)
		return 1;
	return (size_t)((h->off + h->post_len - 1) / PAGE - h->off / PAGE + 1);
}

static void die(const char *what)
{
	fprintf(stderr, "undo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		die(path);
	unsigned char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		die("malloc");
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die(path);
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return buf;
}

/* The complete records of the journal; *n of them. */
static struct rec *parse(const unsigned char *j, size_t len, size_t *n)
{
	size_t cap = 64, count = 0, at = 0;
	struct rec *recs = malloc(cap * sizeof *recs);
	if (!recs)
		die("malloc");
	while (len - at >= sizeof(struct tj_head)) {
		struct rec r = {0};
		memcpy(&r.h, j + at, sizeof r.h);
		size_t body = sizeof r.h + r.h.pre_len + r.h.post_len;
		uint32_t tail;
		if (r.h.magic != TJ_HEAD || r.h.pre_len > len || r.h.post_len > len ||
		    len - at < body + sizeof tail)
			break;
		memcpy(&tail, j + at + body, sizeof tail);
		if (tail != TJ_TAIL)
			break;
		r.pre = j + at + sizeof r.h;
		r.post = r.pre + r.h.pre_len;
		if (count == cap && !(recs = realloc(recs, (cap *= 2) * sizeof *recs)))
			die("realloc");
		recs[count++] = r;
		at += body + sizeof tail;
	}
	if (at != len)
		fprintf(stderr, "undo: ignored %zu bytes of an unfinished record\n", len - at);
	*n = count;
	return recs;
}

static void put(int fd, const unsigned char *p, uint64_t len, uint64_t off)
{
	while (len) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("pwrite");
		p += w;
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
}

static uint64_t size_of(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		die("fstat");
	return (uint64_t)st.st_size;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: undo JOURNAL FILE [none|prefix|random] [SEED]\n");
		return 2;
	}
	const char *mode = argc > 3 ? argv[3] : "none";
	srand(argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 1u);
	size_t jlen, n;
	unsigned char *j = slurp(argv[1], &jlen);
	struct rec *recs = parse(j, jlen, &n);
	int fd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(argv[2]);
	uint64_t size0 = size_of(fd);

	/* Back to the last sync, newest first. */
	for (size_t i = n; i-- > 0;) {
		if (ftruncate(fd, (off_t)recs[i].h.old_size) != 0)
			die("ftruncate");
		put(fd, recs[i].pre, recs[i].h.pre_len, recs[i].h.off);
	}

	/* What the disk may have kept anyway, in order, page by page: a write
	 * of several pages may reach it in part. */
	size_t pages = 0, kept = 0, durable = 0;
	for (size_t i = 0; i < n; i++)
		pages += recs[i].h.kind == TJ_DSYNC ? 0 : pages_of(&recs[i].h);
	size_t prefix = pages ? (size_t)rand() % (pages + 1) : 0, seen = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rec *r = &recs[i];
		if (r->h.kind == TJ_DSYNC) {
			put(fd, r->post, r->h.post_len, r->h.off);
			durable++;
			continue;
		}
		for (size_t k = 0; k < pages_of(&r->h); k++, seen++) {
			bool keep = strcmp(mode, "prefix") == 0 ? seen < prefix :
				    strcmp(mode, "random") == 0 ? (rand() & 1) : false;
			if (!keep)
				continue;
			kept++;
			if (r->h.kind == TJ_TRUNC) {
				if (ftruncate(fd, (off_t)r->h.off) != 0)
					die("ftruncate");
				continue;
			}
			uint64_t end = r->h.off + r->h.post_len;
			uint64_t from = (r->h.off / PAGE + k) * PAGE;
			uint64_t to = from + PAGE;
			from = from < r->h.off ? r->h.off : from;
			to = to > end ? end : to;
			put(fd, r->post + (from - r->h.off), to - from, from);
		}
	}
	if (fsync(fd) != 0)
		die("fsync");
	uint64_t size1 = size_of(fd);
	close(fd);
	if (truncate(argv[1], 0) != 0)
		die(argv[1]);
	printf("undo: %zu records since the last sync: %zu unsynced pages (%zu kept), "
	       "%zu durable writes; %" PRIu64 " -> %" PRIu64 " bytes\n", n, pages, kept, durable,
	       size0, size1);
	free(recs);
	free(j);
	return 0;
}
