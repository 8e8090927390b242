/*
 * test_json.c - proto/json.c: JSON to and from msgpack, as the dump uses
 * it: a record goes through JSON and comes back as the same msgpack
 * types; bad text is refused with its column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "uccn_json.h"

/* obj as JSON text, malloc'd. */
static char *to_json(const msgpack_object *obj)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	assert_non_null(f);
	assert_int_equal(uccn_json_write_msgpack(f, obj), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_round_trip_keeps_types(void **state)
{
	(void)state;
	msgpack_sbuffer b;
	msgpack_packer pk;
	msgpack_sbuffer_init(&b);
	msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 6);
	msgpack_pack_str_with_body(&pk, "lat", 3);
	msgpack_pack_double(&pk, 50.0);
	msgpack_pack_str_with_body(&pk, "seq", 3);
	msgpack_pack_uint64(&pk, 18446744073709551615ull);
	msgpack_pack_str_with_body(&pk, "neg", 3);
	msgpack_pack_int64(&pk, -5);
	msgpack_pack_str_with_body(&pk, "body", 4);
	msgpack_pack_str_with_body(&pk, "a \"q\"\n\ttab é \x01", 15);
	msgpack_pack_str_with_body(&pk, "to", 2);
	msgpack_pack_array(&pk, 2);
	msgpack_pack_nil(&pk);
	msgpack_pack_true(&pk);
	msgpack_pack_str_with_body(&pk, "lon", 3);
	msgpack_pack_double(&pk, -0.125);

	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, b.data, b.size, NULL), MSGPACK_UNPACK_SUCCESS);
	char *text = to_json(&u.data);
	assert_string_equal(text, "{\"lat\":50.0,\"seq\":18446744073709551615,\"neg\":-5,"
				  "\"body\":\"a \\\"q\\\"\\n\\u0009tab é \\u0001\",\"to\":[null,true],"
				  "\"lon\":-0.125}");

	struct uccn_jv *v = NULL;
	char why[100];
	assert_int_equal(uccn_json_parse(text, strlen(text), &v, why, sizeof why), 0);
	msgpack_sbuffer back;
	msgpack_sbuffer_init(&back);
	msgpack_packer_init(&pk, &back, msgpack_sbuffer_write);
	assert_int_equal(uccn_json_pack(v, &pk), 0);
	/* The same bytes: msgpack-c packs each value in its shortest form. */
	assert_int_equal(back.size, b.size);
	assert_memory_equal(back.data, b.data, b.size);
	uccn_json_free(&v);
	assert_null(v);
	msgpack_sbuffer_destroy(&back);
	msgpack_unpacked_destroy(&u);
	msgpack_sbuffer_destroy(&b);
	free(text);
}

static void test_bad_text_named(void **state)
{
	(void)state;
	static const struct {
		const char *text, *why;
	} cases[] = {
		{"{\"a\": oops}", "not a JSON value at column 7"},
		{"{\"a\": 1", "',' or '}' expected at column 8"},
		{"\"open", "a string is not closed at column 1"},
		{"[1] 2", "more text after the value at column 5"},
		{"", "the text ends where a value should be at column 1"},
		{"\"\\x\"", "an unknown escape \\x at column 4"},
		{"99999999999999999999999", "is not a number this reads"},
		/* Strings must come out UTF-8: a lone surrogate, a high one
		 * followed by something else, raw bytes that are not UTF-8. */
		{"\"\\ud800\"", "a string is not UTF-8"},
		{"\"\\udc00\"", "a string is not UTF-8"},
		{"\"\\ud800\\u0041\"", "is not followed by a low one"},
		{"\"\xff\xfe\"", "a string is not UTF-8"},
		{"\"\xc0\xaf\"", "a string is not UTF-8"},
		/* A key is a C string where it is used: U+0000 in one would
		 * make "last_seq\0x" pass for "last_seq". */
		{"{\"last_seq\\u0000x\": 1}", "an object's key holds \\u0000"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct uccn_jv *v = NULL;
		char why[100] = "";
		assert_int_equal(uccn_json_parse(cases[i].text, strlen(cases[i].text), &v, why,
						 sizeof why), -1);
		assert_null(v);
		if (!strstr(why, cases[i].why))
			fprintf(stderr, "'%s': %s\n", cases[i].text, why);
		assert_non_null(strstr(why, cases[i].why));
	}
}

static void test_depth_bounded(void **state)
{
	(void)state;
	char deep[2 * (UCCN_JSON_MAX_DEPTH + 2) + 1];
	size_t n = UCCN_JSON_MAX_DEPTH + 2;
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	struct uccn_jv *v = NULL;
	char why[100];
	assert_int_equal(uccn_json_parse(deep, 2 * n, &v, why, sizeof why), -1);
	assert_non_null(strstr(why, "nested deeper than"));
	/* At the limit it parses. */
	n = UCCN_JSON_MAX_DEPTH + 1;
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	assert_int_equal(uccn_json_parse(deep, 2 * n, &v, why, sizeof why), 0);
	uccn_json_free(&v);
}

static void test_surrogate_pair(void **state)
{
	(void)state;
	const char *text = "\"\\ud83c\\udfb5\\u00e9\"";
	struct uccn_jv *v = NULL;
	char why[100];
	assert_int_equal(uccn_json_parse(text, strlen(text), &v, why, sizeof why), 0);
	assert_int_equal(v->type, UCCN_JSTR);
	assert_string_equal(v->s, "\xf0\x9f\x8e\xb5\xc3\xa9");
	uccn_json_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_keeps_types),
		cmocka_unit_test(test_bad_text_named),
		cmocka_unit_test(test_depth_bounded),
		cmocka_unit_test(test_surrogate_pair),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
