/*
 * backup_file.h - the backup file of docs/backup-format.md: its manifest
 * as JSON, writing one from a copy of the store and the server's keys,
 * and reading one back section by section.
 */
#ifndef UCCND_BACKUP_FILE_H
#define UCCND_BACKUP_FILE_H

#include <stdint.h>
#include <stdio.h>

#include "uccn_limits.h"
#include "uccn_store.h"

#define BACKUP_FORMAT 1
#define BACKUP_MAGIC "uccn-backup"
/* A key file's section holds at most this much. */
#define BACKUP_MAX_KEY_FILE 4096

struct backup_manifest {
	uint64_t format;                  /* BACKUP_FORMAT */
	uint64_t store_format;            /* UCCN_STORE_FORMAT of the data */
	uint64_t last_seq, cities, posts; /* what the data holds */
	char created[32];                 /* UTC, 2026-12-02T04:16:00Z */
	char uccnd[32];                   /* the version that made it */
	uint64_t data_size;               /* bytes of data.mdb */
	char data_blake2b[UCCN_BACKUP_CHECKSUM_HEX + 1]; /* of data.mdb */
};

/* m as one line of JSON into buf; 0, or UCCN_E_TOOBIG. */
int backup_manifest_json(const struct backup_manifest *m, char *buf, size_t len);
/* The manifest line json into *m: 0, or UCCN_E_INVALID with the reason. */
int backup_manifest_parse(const char *json, struct backup_manifest *m, char *err, size_t errlen);

/*
 * Write the backup file out_path (created, 0600) from the copied store
 * data_path and dir/server.key, dir/server.pub; fill m's data_size and
 * data_blake2b, and the whole file's BLAKE2b-256 into checksum, its size
 * into *size, its manifest line into json. Synced before it returns.
 * 0 or a negative code with the reason in err.
 */
int backup_file_write(const char *out_path, const char *data_path, const char *key_dir,
		      struct backup_manifest *m, char json[UCCN_BACKUP_MAX_MANIFEST + 1],
		      char checksum[UCCN_BACKUP_CHECKSUM_HEX + 1], uint64_t *size,
		      char *err, size_t errlen);

/* Read a section header ("NAME LEN\n") from f: 0 with name and *len, or
 * UCCN_E_INVALID (not a section of this format, the reason in err). */
int backup_section_read(FILE *f, char name[32], uint64_t *len, char *err, size_t errlen);

/* What a check of the store copied or restored into dir found: every
 * record as uccnd --check reads it (uccn_store_check). 0 with *tot filled
 * and, when tot->problems, the first one in first ("posts 12: fails its
 * checksum"); or the store's error code with the reason in err. */
int backup_check_data(const char *dir, struct uccn_check_totals *tot, char *first,
		      size_t firstlen, char *err, size_t errlen);
/* Remove a backup's or a restore's directory of its own, tmp, and the
 * files either puts there. */
void backup_tmp_remove(const char *tmp);
/* Remove what a backup or a restore cut short by a crash left in dir:
 * the directories PREFIX*.tmp and the files in them. */
void backup_remove_stale(const char *dir, const char *prefix);

#endif
