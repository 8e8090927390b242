/*
 * json.h - enough JSON to read the CLI's --json output in tests: parse a
 * document into a tree and walk it with NULL-tolerant accessors.
 */
#ifndef UCCN_HARNESS_JSON_H
#define UCCN_HARNESS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	H_JSON_NULL, H_JSON_BOOL, H_JSON_NUMBER, H_JSON_STRING,
	H_JSON_ARRAY, H_JSON_OBJECT,
} h_json_type_t;

typedef struct h_json h_json_t;

/* Parse one JSON value (surrounding whitespace allowed). NULL on a syntax
 * error. */
h_json_t *h_json_parse(const char *text);
void h_json_destroy(h_json_t **self_p);
/* Accessors accept NULL and return NULL/0/false for a missing value, so
 * they chain: h_json_str(h_json_get(h_json_at(a, 0), "city")). */
h_json_type_t h_json_type(const h_json_t *self); /* H_JSON_NULL for NULL */
size_t h_json_len(const h_json_t *self);         /* items of array/object */
const h_json_t *h_json_at(const h_json_t *self, size_t i);
const h_json_t *h_json_get(const h_json_t *self, const char *key);
const char *h_json_str(const h_json_t *self);    /* a string's value */
uint64_t h_json_u64(const h_json_t *self);       /* 0 unless a number */
bool h_json_bool(const h_json_t *self);
bool h_json_is_null(const h_json_t *self);       /* a JSON null (not NULL) */

#endif
