/*
 * invite.c - the invitation's text (base64url of a small fixed layout with
 * a CRC-32, so a damaged or cut line is told apart from a wrong one), Z85
 * for keys, and hex.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "uccn_error.h"
#include "uccn_invite.h"
#include "uccn_records.h"
#include "mp.h"

static const char z85_chars[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* ---- Z85, hex ---- */

void uccn_z85_encode_key(const unsigned char key[32], char out[UCCN_KEY_Z85_LEN + 1])
{
	for (size_t i = 0; i < 32; i += 4) {
		uint32_t v = (uint32_t)key[i] << 24 | (uint32_t)key[i + 1] << 16 |
			     (uint32_t)key[i + 2] << 8 | key[i + 3];
		for (int j = 4; j >= 0; j--) {
			out[i / 4 * 5 + (size_t)j] = z85_chars[v % 85];
			v /= 85;
		}
	}
	out[UCCN_KEY_Z85_LEN] = '\0';
}

void uccn_hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int uccn_hex_decode(const char *hex, unsigned char *out, size_t n)
{
	if (!hex || strlen(hex) != 2 * n)
		return UCCN_E_INVALID;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return UCCN_E_INVALID;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* ---- CRC-32 (IEEE 802.3, reflected), bitwise: invitations are short ---- */

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

/* Over the prefix too, so a payload moved under another version fails. */
static uint32_t invite_crc(const unsigned char *payload, size_t n)
{
	const char *pre = UCCN_INVITE_PREFIX;
	uint32_t crc = crc32_update(0, (const unsigned char *)pre, strlen(pre));
	return crc32_update(crc, payload, n);
}

/* ---- base64url without padding ---- */

static size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		size_t chars = n - i >= 3 ? 4 : n - i + 1;
		for (size_t j = 0; j < chars; j++)
			out[o++] = b64_chars[(v >> (18 - 6 * j)) & 63];
	}
	out[o] = '\0';
	return o;
}

/* Strict: only the alphabet, no length of 1 mod 4, and the unused low bits
 * of the last character zero, so each text has one reading and any
 * changed character changes the bytes. -1 when the text is not such. */
static long b64_decode(const char *in, size_t n, unsigned char *out, size_t max)
{
	if (n % 4 == 1 || n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0) > max)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		size_t chars = n - i >= 4 ? 4 : n - i;
		uint32_t v = 0;
		for (size_t j = 0; j < 4; j++) {
			uint32_t d = 0;
			if (j < chars) {
				const char *p = strchr(b64_chars, in[i + j]);
				if (!p || !*p)
					return -1;
				d = (uint32_t)(p - b64_chars);
			}
			v = v << 6 | d;
		}
		size_t bytes = chars - 1;
		if (bytes < 3 && (v & ((1u << (8 * (3 - bytes))) - 1)))
			return -1;
		for (size_t j = 0; j < bytes; j++)
			out[o++] = (unsigned char)(v >> (16 - 8 * j));
	}
	return (long)o;
}

/* ---- the layout ---- */

/* u8 count, then per endpoint u8 length and its bytes; u8 length and the
 * city id; 32 bytes server key; 32 bytes secret; 8 bytes expiry (seconds,
 * big-endian); 4 bytes CRC-32 (big-endian) of the prefix and all before. */
#define LAYOUT_MAX (1 + UCCN_INVITE_MAX_ENDPOINTS * (1 + UCCN_INVITE_MAX_ENDPOINT) + \
		    1 + UCCN_MAX_ID + 32 + UCCN_INVITE_SECRET_LEN + 8 + 4)
_Static_assert((LAYOUT_MAX + 2) / 3 * 4 + sizeof UCCN_INVITE_PREFIX <= UCCN_INVITE_MAX_TEXT,
	       "UCCN_INVITE_MAX_TEXT holds the longest invitation");

static bool shell_safe(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._:/-[]", *s))
			return false;
	return true;
}

int uccn_invite_format(const struct uccn_invite *inv, char *buf, size_t len)
{
	unsigned char b[LAYOUT_MAX];
	size_t n = 0, cl = strlen(inv->city);
	if (inv->nendpoints < 1 || inv->nendpoints > UCCN_INVITE_MAX_ENDPOINTS ||
	    cl < 1 || cl > UCCN_MAX_ID)
		return UCCN_E_INVALID;
	b[n++] = (unsigned char)inv->nendpoints;
	for (size_t i = 0; i < inv->nendpoints; i++) {
		size_t el = strnlen(inv->endpoints[i], UCCN_INVITE_MAX_ENDPOINT + 1);
		if (el < 1 || el > UCCN_INVITE_MAX_ENDPOINT || !shell_safe(inv->endpoints[i]))
			return UCCN_E_INVALID;
		b[n++] = (unsigned char)el;
		memcpy(b + n, inv->endpoints[i], el);
		n += el;
	}
	b[n++] = (unsigned char)cl;
	memcpy(b + n, inv->city, cl);
	n += cl;
	memcpy(b + n, inv->server_key, 32);
	n += 32;
	memcpy(b + n, inv->secret, UCCN_INVITE_SECRET_LEN);
	n += UCCN_INVITE_SECRET_LEN;
	for (int i = 7; i >= 0; i--)
		b[n++] = (unsigned char)((uint64_t)inv->expires_s >> (8 * i));
	uint32_t crc = invite_crc(b, n);
	for (int i = 3; i >= 0; i--)
		b[n++] = (unsigned char)(crc >> (8 * i));
	size_t pl = strlen(UCCN_INVITE_PREFIX);
	if (len < pl + (n + 2) / 3 * 4 + 1)
		return UCCN_E_TOOBIG;
	memcpy(buf, UCCN_INVITE_PREFIX, pl);
	return (int)(pl + b64_encode(b, n, buf + pl));
}

/* Take n bytes at *at of the len decoded; false past the end. */
static bool take(const unsigned char *b, size_t len, size_t *at, void *dst, size_t n)
{
	if (len - *at < n)
		return false;
	memcpy(dst, b + *at, n);
	*at += n;
	return true;
}

static bool read_string(const unsigned char *b, size_t len, size_t *at, char *dst, size_t max)
{
	unsigned char l;
	if (!take(b, len, at, &l, 1) || l < 1 || l > max || !take(b, len, at, dst, l))
		return false;
	dst[l] = '\0';
	return strlen(dst) == l;
}

int uccn_invite_parse(const char *text, struct uccn_invite *out, char *err, size_t errlen)
{
	static const char damaged[] =
		"this invitation is damaged or cut short (its checksum does not match): "
		"copy the whole line again";
	unsigned char b[LAYOUT_MAX];
	size_t pl = strlen(UCCN_INVITE_PREFIX);
	memset(out, 0, sizeof *out);
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	size_t n = strlen(text);
	while (n && strchr(" \t\r\n", text[n - 1]))
		n--;
	if (n < pl || memcmp(text, UCCN_INVITE_PREFIX, pl) != 0) {
		if (strncmp(text, "uccn-invite-", 12) == 0)
			return mp_fail(err, errlen, UCCN_E_VERSION,
				       "this invitation is of a later format than this uccn reads: update uccn");
		return mp_fail(err, errlen, UCCN_E_VERSION,
			       "not a uccn invitation (it should start with '%s')", UCCN_INVITE_PREFIX);
	}
	long len = b64_decode(text + pl, n - pl, b, sizeof b);
	if (len < 4)
		return mp_fail(err, errlen, UCCN_E_INVALID, "%s", damaged);
	size_t body = (size_t)len - 4;
	uint32_t crc = (uint32_t)b[body] << 24 | (uint32_t)b[body + 1] << 16 |
		       (uint32_t)b[body + 2] << 8 | b[body + 3];
	if (crc != invite_crc(b, body))
		return mp_fail(err, errlen, UCCN_E_INVALID, "%s", damaged);
	size_t at = 0;
	unsigned char count, exp[8];
	bool ok = take(b, body, &at, &count, 1) && count >= 1 &&
		  count <= UCCN_INVITE_MAX_ENDPOINTS;
	for (size_t i = 0; ok && i < count; i++)
		ok = read_string(b, body, &at, out->endpoints[i], UCCN_INVITE_MAX_ENDPOINT) &&
		     shell_safe(out->endpoints[i]);
	out->nendpoints = ok ? count : 0;
	ok = ok && read_string(b, body, &at, out->city, UCCN_MAX_ID) &&
	     uccn_id_valid(out->city) && take(b, body, &at, out->server_key, 32) &&
	     take(b, body, &at, out->secret, UCCN_INVITE_SECRET_LEN) &&
	     take(b, body, &at, exp, 8) && at == body;
	if (!ok) {
		memset(out, 0, sizeof *out);
		return mp_fail(err, errlen, UCCN_E_INVALID,
			       "this invitation's checksum matches but its contents do not read: "
			       "it was not made by uccn");
	}
	uint64_t e = 0;
	for (int i = 0; i < 8; i++)
		e = e << 8 | exp[i];
	out->expires_s = (int64_t)e;
	return 0;
}
