/*
 * uccn_keyfile.h - the text form of CURVE key files, in the layout of
 * ZeroMQ certificates (ZPL), so other ZeroMQ tools can read them:
 *
 *     curve
 *         public-key = "<40 Z85 characters>"
 *         secret-key = "<40 Z85 characters>"   (absent in a .pub file)
 *
 * Pure text in and out; the caller reads and writes the file.
 */
#ifndef UCCN_KEYFILE_H
#define UCCN_KEYFILE_H

#include <stddef.h>

#include "uccn_limits.h"

/*
 * Find the keys in text[0..len). pub and sec receive NUL-terminated Z85
 * keys; sec is set to "" when the text holds no secret key. Lines starting
 * with '#' are comments. Returns 0, or UCCN_E_INVALID when there is no valid
 * public key or a key line is malformed.
 */
int uccn_keyfile_parse(const char *text, size_t len,
		       char pub[UCCN_KEY_Z85_LEN + 1],
		       char sec[UCCN_KEY_Z85_LEN + 1]);

/*
 * Write a key file's text into buf (len bytes). sec may be NULL for a public
 * key file; comment is one line, may be NULL. Returns the text's length, or
 * UCCN_E_TOOBIG when buf is too small, UCCN_E_INVALID for a bad key.
 */
int uccn_keyfile_format(char *buf, size_t len, const char *comment,
			const char *pub, const char *sec);

#endif
