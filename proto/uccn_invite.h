/*
 * uccn_invite.h - the invitation a coordinator hands a new city (one line,
 * safe to paste into a shell), with hex and Z85 encoding for its keys and
 * secret. Pure text
 * and bytes; proto/SPEC.md, section 12, is the normative description.
 */
#ifndef UCCN_INVITE_H
#define UCCN_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "uccn_limits.h"

/* The text starts with this; the digit is the format's version. */
#define UCCN_INVITE_PREFIX "uccn-invite-1:"
#define UCCN_INVITE_MAX_ENDPOINTS 4
#define UCCN_INVITE_MAX_ENDPOINT UCCN_MAX_ENDPOINT
#define UCCN_INVITE_SECRET_LEN 32      /* raw bytes of the one-time secret */
#define UCCN_INVITE_SECRET_HEX (2 * UCCN_INVITE_SECRET_LEN)
/* The longest text uccn_invite_format writes, with its NUL. */
#define UCCN_INVITE_MAX_TEXT 1400

struct uccn_invite {
	char endpoints[UCCN_INVITE_MAX_ENDPOINTS][UCCN_INVITE_MAX_ENDPOINT + 1];
	size_t nendpoints;                  /* 1..UCCN_INVITE_MAX_ENDPOINTS */
	char city[UCCN_MAX_ID + 1];
	unsigned char server_key[32];       /* the server's CURVE public key */
	unsigned char secret[UCCN_INVITE_SECRET_LEN];
	int64_t expires_s;                  /* seconds since the epoch, UTC */
};

/*
 * Write inv as one line into buf (len bytes): UCCN_INVITE_PREFIX, then the
 * base64url (no padding) of the layout SPEC.md gives, ending in a CRC-32.
 * Only [A-Za-z0-9_:-] appear. Returns the length, UCCN_E_INVALID (an
 * endpoint or city out of its limits, no endpoint) or UCCN_E_TOOBIG.
 */
int uccn_invite_format(const struct uccn_invite *inv, char *buf, size_t len);

/*
 * Read an invitation. Surrounding blanks are ignored. Returns 0 with *out,
 * or UCCN_E_VERSION (not this format, or a later version of it) or
 * UCCN_E_INVALID (damaged or truncated: the checksum or the layout fails),
 * with a reason in err.
 */
int uccn_invite_parse(const char *text, struct uccn_invite *out, char *err, size_t errlen);

/* A 32-byte key in Z85 (ZeroMQ RFC 32); decoding and fingerprints are in
 * uccn_fingerprint.h. */
void uccn_z85_encode_key(const unsigned char key[32], char out[UCCN_KEY_Z85_LEN + 1]);

/* Hex (lower case) of n bytes into out (2n + 1 bytes). */
void uccn_hex_encode(const unsigned char *in, size_t n, char *out);
/* Exactly 2n hex digits into n bytes: 0 or UCCN_E_INVALID. */
int uccn_hex_decode(const char *hex, unsigned char *out, size_t n);

#endif
