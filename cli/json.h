/*
 * json.h - a small streaming JSON writer for --json output: commas and
 * nesting are tracked, strings escaped (UTF-8 passes through as is).
 */
#ifndef UCCN_CLI_JSON_H
#define UCCN_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);  /* NULL writes null */
void json_uint(struct json *j, uint64_t v);
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
/* A finite number, shortest form that reads back the same (null if not finite). */
void json_double(struct json *j, double v);
void json_null(struct json *j);
/* Ends the document with a newline. */
void json_end(struct json *j);

#endif
