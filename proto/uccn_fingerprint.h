/*
 * uccn_fingerprint.h - the short form of a CURVE public key that people
 * compare by eye or read over the phone, as ssh shows a host key's
 * fingerprint. One definition, used wherever a key is shown.
 */
#ifndef UCCN_FINGERPRINT_H
#define UCCN_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

/* "ab12:cd34:ef56:7890" and its NUL. */
#define UCCN_FINGERPRINT_LEN 19

/*
 * Decode a 40-character Z85 key into its 32 bytes (ZeroMQ RFC 32). Returns
 * 0, or UCCN_E_INVALID when z85 is not 40 characters of the Z85 alphabet
 * or a group overflows 32 bits.
 */
int uccn_z85_decode_key(const char *z85, uint8_t out[32]);

/*
 * The fingerprint of a Z85 public key: its first 8 bytes as 16 lower-case
 * hex digits in four groups of four, "ab12:cd34:ef56:7890". Writes at most
 * outlen bytes (UCCN_FINGERPRINT_LEN + 1 suffice). Returns 0,
 * UCCN_E_INVALID for a bad key, UCCN_E_TOOBIG when out is too small.
 */
int uccn_key_fingerprint(const char *z85_public, char *out, size_t outlen);

/*
 * The key's 32 bytes as 64 lower-case hex digits: a form with no shell
 * metacharacters. Needs outlen >= 65. Returns 0 or as above.
 */
int uccn_key_hex(const char *z85_public, char *out, size_t outlen);

#endif
