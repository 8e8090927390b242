/*
 * output_admin.h - the text and JSON views of the coordinator's commands
 * (admin handover, admin log) and of a rekey: members of struct output
 * (output.h), kept in a file of their own.
 */
#ifndef UCCN_CLI_OUTPUT_ADMIN_H
#define UCCN_CLI_OUTPUT_ADMIN_H

#include <stdint.h>

#include "uccn_msg.h"

void output_text_rekeyed(const char *id, uint64_t seq, uint64_t version, const char *pub,
			 const char *path);
void output_json_rekeyed(const char *id, uint64_t seq, uint64_t version, const char *pub,
			 const char *path);
void output_text_handed_over(const char *to, const char *from, uint64_t seq);
void output_json_handed_over(const char *to, const char *from, uint64_t seq);
void output_text_log_level(const char *was, const char *level);
void output_json_log_level(const char *was, const char *level);
void output_text_backed_up(const char *file, const struct uccn_backup_chunk *b);
void output_json_backed_up(const char *file, const struct uccn_backup_chunk *b);

#endif
