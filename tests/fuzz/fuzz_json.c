/*
 * fuzz_json.c - libFuzzer harness for the JSON reader of uccnd --load
 * (proto/json.c; make fuzz). A dump is a file anyone could hand the
 * coordinator, so every line of it is untrusted text.
 *
 * Every input is one line's text for uccn_json_parse. Beyond "no crash, no
 * leak, no undefined behaviour" it checks: a refusal gives a reason that
 * is set; a value parsed is packed as msgpack, written back as JSON, and
 * that JSON parses and packs to the very same msgpack bytes (the round
 * trip the dump relies on). A broken check calls abort(), which libFuzzer
 * reports as a crash.
 */
#include <msgpack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uccn_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_json: check failed: %s (line %d)\n", \
				#cond, __LINE__);                            \
			abort();                                             \
		}                                                            \
	} while (0)

/* Parse text and pack it into sb: 0, or -1 when it does not parse. */
static int parse_pack(const char *text, size_t n, msgpack_sbuffer *sb)
{
	struct uccn_jv *v = NULL;
	char why[256] = "";
	if (uccn_json_parse(text, n, &v, why, sizeof why) != 0) {
		CHECK(v == NULL);
		CHECK(why[0] != '\0');
		return -1;
	}
	msgpack_packer pk;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	CHECK(uccn_json_pack(v, &pk) == 0);
	uccn_json_free(&v);
	CHECK(v == NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msgpack_sbuffer first;
	msgpack_sbuffer_init(&first);
	if (parse_pack((const char *)data, size, &first) != 0) {
		msgpack_sbuffer_destroy(&first);
		return 0;
	}
	/* Write it back as JSON. */
	msgpack_zone zone;
	msgpack_zone_init(&zone, 2048);
	msgpack_object o;
	CHECK(msgpack_unpack(first.data, first.size, NULL, &zone, &o) == MSGPACK_UNPACK_SUCCESS);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CHECK(f != NULL);
	CHECK(uccn_json_write_msgpack(f, &o) == 0);
	CHECK(fclose(f) == 0);
	/* And read it again: the same msgpack. */
	msgpack_sbuffer second;
	msgpack_sbuffer_init(&second);
	CHECK(parse_pack(text, len, &second) == 0);
	CHECK(second.size == first.size && memcmp(second.data, first.data, first.size) == 0);
	msgpack_sbuffer_destroy(&second);
	free(text);
	msgpack_zone_destroy(&zone);
	msgpack_sbuffer_destroy(&first);
	return 0;
}
