/*
 * output_admin.c - what uccn prints after a rekey, a handover of the
 * coordinator's role and a change of uccnd's log level, as text and as
 * JSON (output_admin.h).
 */
#include <stdio.h>

#include "json.h"
#include "output_admin.h"

void output_text_rekeyed(const char *id, uint64_t seq, uint64_t version, const char *pub,
			 const char *path)
{
	printf("city %s is now at version %llu (seq %llu)\n", id, (unsigned long long)version,
	       (unsigned long long)seq);
	if (path)
		printf("its new key pair is in %s; public key %s\n", path, pub);
}

void output_json_rekeyed(const char *id, uint64_t seq, uint64_t version, const char *pub,
			 const char *path)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "id"); json_str(&j, id);
	json_key(&j, "seq"); json_uint(&j, seq);
	json_key(&j, "version"); json_uint(&j, version);
	if (path) {
		json_key(&j, "public_key"); json_str(&j, pub);
		json_key(&j, "file"); json_str(&j, path);
	}
	json_object_end(&j);
	json_end(&j);
}

void output_text_handed_over(const char *to, const char *from, uint64_t seq)
{
	(void)seq;
	printf("%s is now the network's coordinator; %s is now a member\n", to, from);
}

void output_json_handed_over(const char *to, const char *from, uint64_t seq)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "coordinator"); json_str(&j, to);
	json_key(&j, "was"); json_str(&j, from);
	json_key(&j, "seq"); json_uint(&j, seq);
	json_object_end(&j);
	json_end(&j);
}

void output_text_log_level(const char *was, const char *level)
{
	printf("uccnd's log level: %s -> %s\n", was, level);
}

void output_json_log_level(const char *was, const char *level)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "was"); json_str(&j, was);
	json_key(&j, "level"); json_str(&j, level);
	json_object_end(&j);
	json_end(&j);
}

void output_text_backed_up(const char *file, const struct uccn_backup_chunk *b)
{
	printf("backup written to %s: %.1f MiB, last seq %llu, %llu cities, %llu posts\n", file,
	       b->size / 1048576.0, (unsigned long long)b->last_seq,
	       (unsigned long long)b->cities, (unsigned long long)b->posts);
	printf("BLAKE2b-256 of the file: %s\n", b->checksum);
}

/* The manifest is JSON already (the server wrote it): kept as it is. */
void output_json_backed_up(const char *file, const struct uccn_backup_chunk *b)
{
	struct json j;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "file"); json_str(&j, file);
	json_key(&j, "size"); json_uint(&j, b->size);
	json_key(&j, "checksum"); json_str(&j, b->checksum);
	json_key(&j, "last_seq"); json_uint(&j, b->last_seq);
	json_key(&j, "cities"); json_uint(&j, b->cities);
	json_key(&j, "posts"); json_uint(&j, b->posts);
	json_key(&j, "problems"); json_uint(&j, b->problems);
	if (b->problem) {
		json_key(&j, "problem"); json_str(&j, b->problem);
	}
	json_key(&j, "manifest"); json_str(&j, b->manifest);
	json_object_end(&j);
	json_end(&j);
}
