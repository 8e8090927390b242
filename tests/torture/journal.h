/*
 * journal.h - the record format the power-cut shim (shim.c) writes and the
 * undo tool (undo.c) reads: one record per write to the data file since
 * its last fsync/fdatasync, with the bytes it replaced and the bytes it
 * wrote, so the tool can put the file back as the disk last held it.
 *
 * A record is a struct tj_head, then pre_len bytes (what the range held
 * before, within the old size), then post_len bytes (what was written),
 * then the 4-byte TJ_TAIL. A record without its tail is one the shim was
 * killed while writing; the write it describes had not begun.
 */
#ifndef UCCN_TORTURE_JOURNAL_H
#define UCCN_TORTURE_JOURNAL_H

#include <stdint.h>

#define TJ_HEAD 0x31524a54u /* "TJR1" */
#define TJ_TAIL 0x31454a54u /* "TJE1" */

/* The environment variable that names the journal; without it the shim
 * passes everything through. */
#define TJ_ENV_JOURNAL "UCCN_TORTURE_JOURNAL"
/* Set to N, the shim kills its process with SIGKILL right after its N-th
 * write to the data file, counting only while the file named by
 * TJ_ENV_ARMED exists (the driver's round is on): a cut in the middle of
 * a commit, or just after one, before its answer. */
#define TJ_ENV_KILL_AT "UCCN_TORTURE_KILL_AT"
#define TJ_ENV_ARMED "UCCN_TORTURE_ARMED"
/* The base name of the file the shim watches: LMDB's data file. */
#define TJ_DATA_NAME "data.mdb"

enum tj_kind {
	TJ_WRITE = 1, /* a write the page cache holds until the next sync */
	TJ_DSYNC = 2, /* a write through an O_DSYNC/O_SYNC descriptor: on disk
		       * when it returned */
	TJ_TRUNC = 3, /* ftruncate: off is the new size; pre holds the bytes a
		       * shrink cut off */
};

struct tj_head {
	uint32_t magic;    /* TJ_HEAD */
	uint32_t kind;     /* enum tj_kind */
	uint64_t off;      /* where the write began (TJ_TRUNC: the new size) */
	uint64_t old_size; /* the file's size before it */
	uint64_t pre_len;  /* bytes of pre-image that follow */
	uint64_t post_len; /* bytes written that follow the pre-image */
};

#endif
