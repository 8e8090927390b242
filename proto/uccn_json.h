/*
 * uccn_json.h - JSON text to and from msgpack values, for uccnd's dump
 * (docs/dump-format.md): a small parser into a tree, a writer of a
 * msgpack object as JSON. Pure computation; no I/O but the FILE written.
 *
 * A msgpack float is written with a '.' or an exponent and a JSON number
 * with either reads back as a float; any other number is an integer. So a
 * record goes through JSON and back to the same msgpack types.
 */
#ifndef UCCN_JSON_H
#define UCCN_JSON_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* How deep a parsed document may nest. */
#define UCCN_JSON_MAX_DEPTH 32

enum uccn_jtype {
	UCCN_JNULL, UCCN_JBOOL, UCCN_JUINT, UCCN_JINT, UCCN_JFLOAT, UCCN_JSTR,
	UCCN_JARRAY, UCCN_JOBJECT,
};

struct uccn_jv {
	enum uccn_jtype type;
	bool b;
	uint64_t u;       /* UCCN_JUINT */
	int64_t i;        /* UCCN_JINT: negative integers */
	double f;
	char *s;          /* UCCN_JSTR: NUL-terminated, len bytes (may hold NUL) */
	size_t len;       /* string bytes, or items */
	struct uccn_jv *items;
	char **keys;      /* UCCN_JOBJECT: one per item */
};

/* Parse one JSON value, the whole of text (n bytes; whitespace around it
 * allowed) into *out. 0, or -1 with the reason (and its column) in why. */
int uccn_json_parse(const char *text, size_t n, struct uccn_jv **out, char *why, size_t whylen);
/* Free a parsed value and set *v to NULL; NULL-tolerant. */
void uccn_json_free(struct uccn_jv **v);
/* The member key of object o, NULL when absent or o is no object. */
const struct uccn_jv *uccn_json_get(const struct uccn_jv *o, const char *key);

/* Pack v as msgpack: 0, or -1 when it cannot be (never for a parsed value). */
int uccn_json_pack(const struct uccn_jv *v, msgpack_packer *pk);
/* Write o as JSON to f: 0, or -1 for a value JSON cannot hold (bin, ext,
 * a map key that is not a string). */
int uccn_json_write_msgpack(FILE *f, const msgpack_object *o);
/* Write the n bytes at s as a JSON string. */
void uccn_json_write_str(FILE *f, const char *s, size_t n);

#endif
