/*
 * test_invite.c - the invitation's text (proto/uccn_invite.h): it reads
 * back as written, is shell-safe, and every cut or changed character is
 * refused as damaged; plus the Z85, hex and fingerprint helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "uccn_error.h"
#include "uccn_fingerprint.h"
#include "uccn_invite.h"

#define KEY_A "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"

static struct uccn_invite sample(void)
{
	struct uccn_invite inv = {.nendpoints = 2, .expires_s = 1764000000};
	snprintf(inv.endpoints[0], sizeof inv.endpoints[0], "tcp://coordinator.example.org:7246");
	snprintf(inv.endpoints[1], sizeof inv.endpoints[1], "tcp://[2001:db8::1]:7246");
	snprintf(inv.city, sizeof inv.city, "krakow");
	for (int i = 0; i < 32; i++) {
		inv.server_key[i] = (unsigned char)(i * 7 + 1);
		inv.secret[i] = (unsigned char)(255 - i * 3);
	}
	return inv;
}

static void test_round_trip(void **state)
{
	(void)state;
	struct uccn_invite in = sample(), out;
	char text[UCCN_INVITE_MAX_TEXT], err[256];
	int n = uccn_invite_format(&in, text, sizeof text);
	assert_true(n > 0);
	assert_int_equal(strlen(text), (size_t)n);
	assert_memory_equal(text, UCCN_INVITE_PREFIX, strlen(UCCN_INVITE_PREFIX));
	/* Safe to paste unquoted: no shell metacharacter, no blank. */
	for (int i = 0; i < n; i++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789._:/-", text[i]));
	assert_int_equal(uccn_invite_parse(text, &out, err, sizeof err), 0);
	assert_int_equal(out.nendpoints, 2);
	assert_string_equal(out.endpoints[0], in.endpoints[0]);
	assert_string_equal(out.endpoints[1], in.endpoints[1]);
	assert_string_equal(out.city, "krakow");
	assert_memory_equal(out.server_key, in.server_key, 32);
	assert_memory_equal(out.secret, in.secret, 32);
	assert_int_equal(out.expires_s, in.expires_s);
	/* A line pasted with its newline and some blanks reads the same. */
	char padded[UCCN_INVITE_MAX_TEXT + 8];
	snprintf(padded, sizeof padded, "  %s \n", text);
	assert_int_equal(uccn_invite_parse(padded, &out, err, sizeof err), 0);
}

/* Every cut, from the prefix to the last character, is refused. */
static void test_every_truncation_refused(void **state)
{
	(void)state;
	struct uccn_invite in = sample(), out;
	char text[UCCN_INVITE_MAX_TEXT], cut[UCCN_INVITE_MAX_TEXT], err[256];
	int n = uccn_invite_format(&in, text, sizeof text);
	for (int len = 0; len < n; len++) {
		memcpy(cut, text, (size_t)len);
		cut[len] = '\0';
		int rc = uccn_invite_parse(cut, &out, err, sizeof err);
		if (rc == 0)
			fail_msg("a cut at %d of %d characters was accepted", len, n);
		if (len > (int)strlen(UCCN_INVITE_PREFIX)) {
			assert_int_equal(rc, UCCN_E_INVALID);
			assert_non_null(strstr(err, "damaged"));
		}
	}
}

/* Every character of the payload changed to every other character is
 * refused: the checksum or the strict base64 catches it. */
static void test_every_flip_refused(void **state)
{
	(void)state;
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789-_";
	struct uccn_invite in = sample(), out;
	char text[UCCN_INVITE_MAX_TEXT], err[256];
	int n = uccn_invite_format(&in, text, sizeof text);
	for (int i = 0; i < n; i++) {
		char was = text[i];
		for (const char *a = alphabet; *a; a++) {
			if (*a == was)
				continue;
			text[i] = *a;
			if (uccn_invite_parse(text, &out, err, sizeof err) == 0)
				fail_msg("character %d changed from '%c' to '%c' was accepted", i, was, *a);
		}
		text[i] = was;
	}
	assert_int_equal(uccn_invite_parse(text, &out, err, sizeof err), 0);
}

/* Another version, or another text, is told apart from a damaged one. */
static void test_other_texts(void **state)
{
	(void)state;
	struct uccn_invite out;
	char err[256];
	assert_int_equal(uccn_invite_parse("uccn-invite-2:AAAA", &out, err, sizeof err), UCCN_E_VERSION);
	assert_non_null(strstr(err, "later"));
	assert_int_equal(uccn_invite_parse("hello", &out, err, sizeof err), UCCN_E_VERSION);
	assert_non_null(strstr(err, "not a uccn invitation"));
	assert_int_equal(uccn_invite_parse(UCCN_INVITE_PREFIX "$(rm -rf /)", &out, err, sizeof err),
			 UCCN_E_INVALID);
}

/* What format refuses: no endpoint, a bad city, a blank in an endpoint. */
static void test_format_limits(void **state)
{
	(void)state;
	char text[UCCN_INVITE_MAX_TEXT];
	struct uccn_invite inv = sample();
	inv.nendpoints = 0;
	assert_int_equal(uccn_invite_format(&inv, text, sizeof text), UCCN_E_INVALID);
	inv = sample();
	inv.city[0] = '\0';
	assert_int_equal(uccn_invite_format(&inv, text, sizeof text), UCCN_E_INVALID);
	inv = sample();
	snprintf(inv.endpoints[0], sizeof inv.endpoints[0], "tcp://a b:1");
	assert_int_equal(uccn_invite_format(&inv, text, sizeof text), UCCN_E_INVALID);
	inv = sample();
	assert_int_equal(uccn_invite_format(&inv, text, 20), UCCN_E_TOOBIG);
	/* The longest invitation fits UCCN_INVITE_MAX_TEXT. */
	inv.nendpoints = UCCN_INVITE_MAX_ENDPOINTS;
	for (int i = 0; i < UCCN_INVITE_MAX_ENDPOINTS; i++) {
		memset(inv.endpoints[i], 'e', UCCN_INVITE_MAX_ENDPOINT);
		inv.endpoints[i][UCCN_INVITE_MAX_ENDPOINT] = '\0';
	}
	memset(inv.city, 'c', UCCN_MAX_ID);
	inv.city[UCCN_MAX_ID] = '\0';
	assert_true(uccn_invite_format(&inv, text, sizeof text) > 0);
}

static void test_keys_and_fingerprints(void **state)
{
	(void)state;
	unsigned char raw[32];
	char z85[UCCN_KEY_Z85_LEN + 1], fp[UCCN_FINGERPRINT_LEN + 1], hex[65];
	assert_int_equal(uccn_z85_decode_key(KEY_A, raw), 0);
	uccn_z85_encode_key(raw, z85);
	assert_string_equal(z85, KEY_A);
	assert_int_equal(uccn_z85_decode_key("short", raw), UCCN_E_INVALID);
	assert_int_equal(uccn_key_fingerprint(KEY_A, fp, sizeof fp), 0);
	uccn_hex_encode(raw, 8, hex);
	char want[UCCN_FINGERPRINT_LEN + 1];
	snprintf(want, sizeof want, "%.4s:%.4s:%.4s:%.4s", hex, hex + 4, hex + 8, hex + 12);
	assert_string_equal(fp, want);
	/* The RFC 32 test vector: 8 bytes and their Z85 "HelloWorld". */
	static const unsigned char hello[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
	unsigned char key[32] = {0};
	memcpy(key, hello, 8);
	uccn_z85_encode_key(key, z85);
	assert_memory_equal(z85, "HelloWorld", 10);
	uccn_hex_encode(raw, 32, hex);
	unsigned char back[32];
	assert_int_equal(uccn_hex_decode(hex, back, 32), 0);
	assert_memory_equal(back, raw, 32);
	hex[5] = 'g';
	assert_int_equal(uccn_hex_decode(hex, back, 32), UCCN_E_INVALID);
	assert_int_equal(uccn_hex_decode("abc", back, 2), UCCN_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_truncation_refused),
		cmocka_unit_test(test_every_flip_refused),
		cmocka_unit_test(test_other_texts),
		cmocka_unit_test(test_format_limits),
		cmocka_unit_test(test_keys_and_fingerprints),
	};
	return cmocka_run_group_tests_name("invite", tests, NULL, NULL);
}
