/*
 * utf8.c - the UTF-8 decoder of uccn_utf8.h. Strict (RFC 3629), because
 * what it accepts goes into ids, error replies and terminals.
 */
#include "uccn_utf8.h"

size_t uccn_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	if (len == 0)
		return 0;
	unsigned c = s[0];
	size_t need;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	/* 0xc0 and 0xc1 could only start overlong forms of ASCII; 0xf5 and up
	 * only values past U+10FFFF. */
	if (c >= 0xc2 && c <= 0xdf) { need = 1; v = c & 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) { need = 2; v = c & 0x0f; }
	else if (c >= 0xf0 && c <= 0xf4) { need = 3; v = c & 0x07; }
	else return 0;
	if (len <= need)
		return 0;
	for (size_t k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3f);
	}
	if ((need == 2 && v < 0x800) || (need == 3 && v < 0x10000) ||
	    (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
		return 0;
	*cp = v;
	return need + 1;
}
