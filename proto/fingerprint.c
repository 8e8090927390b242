/*
 * fingerprint.c - Z85 decoding of keys and the fingerprint people compare.
 * proto links no ZeroMQ, so the 85-letter decoding (RFC 32) lives here.
 */
#include <string.h>

#include "uccn_error.h"
#include "uccn_fingerprint.h"
#include "uccn_limits.h"

static const char z85_alphabet[] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	".-:+=^!/*?&<>()[]{}@%$#";

int uccn_z85_decode_key(const char *z85, uint8_t out[32])
{
	if (!z85 || strlen(z85) != UCCN_KEY_Z85_LEN)
		return UCCN_E_INVALID;
	for (size_t g = 0; g < UCCN_KEY_Z85_LEN / 5; g++) {
		uint64_t v = 0;
		for (size_t i = 0; i < 5; i++) {
			const char *p = strchr(z85_alphabet, z85[g * 5 + i]);
			if (!p || !*p)
				return UCCN_E_INVALID;
			v = v * 85 + (uint64_t)(p - z85_alphabet);
		}
		/* Five letters reach 85^5 - 1, more than 32 bits hold. */
		if (v > UINT32_MAX)
			return UCCN_E_INVALID;
		for (size_t i = 0; i < 4; i++)
			out[g * 4 + i] = (uint8_t)(v >> (24 - 8 * i));
	}
	return 0;
}

static void hex_bytes(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int uccn_key_fingerprint(const char *z85_public, char *out, size_t outlen)
{
	uint8_t key[32];
	char hex[17];
	if (uccn_z85_decode_key(z85_public, key))
		return UCCN_E_INVALID;
	if (outlen < UCCN_FINGERPRINT_LEN + 1)
		return UCCN_E_TOOBIG;
	hex_bytes(key, 8, hex);
	for (size_t g = 0, o = 0; g < 4; g++) {
		if (g)
			out[o++] = ':';
		memcpy(out + o, hex + 4 * g, 4);
		o += 4;
	}
	out[UCCN_FINGERPRINT_LEN] = '\0';
	return 0;
}

int uccn_key_hex(const char *z85_public, char *out, size_t outlen)
{
	uint8_t key[32];
	if (uccn_z85_decode_key(z85_public, key))
		return UCCN_E_INVALID;
	if (outlen < 65)
		return UCCN_E_TOOBIG;
	hex_bytes(key, 32, out);
	return 0;
}
