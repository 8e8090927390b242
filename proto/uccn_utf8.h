/*
 * uccn_utf8.h - the one UTF-8 decoder of the project. Record validation,
 * the id slug and the CSV import all read text through it, so they agree
 * on what UTF-8 is: RFC 3629, nothing more.
 */
#ifndef UCCN_UTF8_H
#define UCCN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode the UTF-8 sequence that starts at s, reading at most len bytes.
 *
 * On success returns the sequence's length in bytes (1 to 4) and stores its
 * code point in *cp. U+0000 is a valid one-byte sequence: a caller that
 * refuses NUL checks *cp.
 *
 * Returns 0, leaving *cp alone, when len is 0 or the bytes at s are not
 * UTF-8: a continuation byte where a sequence should start, a lead byte
 * that no character starts with (0xc0, 0xc1, 0xf5..0xff), a sequence cut
 * short by len or by a byte that is not a continuation, an overlong form,
 * a surrogate (U+D800..U+DFFF) or a value past U+10FFFF.
 *
 * Reads nothing past s[len - 1]; for a NUL-terminated string, len may be
 * its strlen() from s, since the NUL is never a continuation byte.
 */
size_t uccn_utf8_next(const unsigned char *s, size_t len, uint32_t *cp);

#endif
