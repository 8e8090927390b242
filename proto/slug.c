/*
 * slug.c - the id slug of a city's display name (uccn_slug, declared in
 * uccn_records.h). Ids are ASCII so they can be typed on any keyboard and
 * used in paths; display names keep their real spelling.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "uccn_error.h"
#include "uccn_limits.h"
#include "uccn_records.h"
#include "uccn_utf8.h"

/*
 * ASCII for U+00C0..U+017F (Latin-1 Supplement letters and Latin
 * Extended-A), 16 to a row. Diacritics are dropped, ligatures and letters
 * with no base letter spelled out the way English transliterates them
 * (ß ss, æ ae, œ oe, þ th, ð d, ĳ ij). NULL: not a letter (× ÷), a separator.
 * The fold is by letter, not by language (ä is "a", not German "ae"):
 * nothing here knows which language a name is in.
 */
#define FOLD_FIRST 0x00c0
#define FOLD_LAST 0x017f
static const char *const fold[FOLD_LAST - FOLD_FIRST + 1] = {
	/* U+00C0 À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï */
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00D0 Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß */
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
	/* U+00E0 à á â ã ä å æ ç è é ê ë ì í î ï */
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00F0 ð ñ ò ó ô õ ö ÷ ø ù ú û ü ý þ ÿ */
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
	/* U+0100 Ā ā Ă ă Ą ą Ć ć Ĉ ĉ Ċ ċ Č č Ď ď */
	"a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	/* U+0110 Đ đ Ē ē Ĕ ĕ Ė ė Ę ę Ě ě Ĝ ĝ Ğ ğ */
	"d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	/* U+0120 Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ Ĩ ĩ Ī ī Ĭ ĭ Į į */
	"g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	/* U+0130 İ ı Ĳ ĳ Ĵ ĵ Ķ ķ ĸ Ĺ ĺ Ļ ļ Ľ ľ Ŀ */
	"i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	/* U+0140 ŀ Ł ł Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ Ō ō Ŏ ŏ */
	"l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	/* U+0150 Ő ő Œ œ Ŕ ŕ Ŗ ŗ Ř ř Ś ś Ŝ ŝ Ş ş */
	"o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	/* U+0160 Š š Ţ ţ Ť ť Ŧ ŧ Ũ ũ Ū ū Ŭ ŭ Ů ů */
	"s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	/* U+0170 Ű ű Ų ų Ŵ ŵ Ŷ ŷ Ÿ Ź ź Ż ż Ž ž ſ */
	"u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/*
 * What one code point contributes to a slug: folded letters (above), plus
 * Romanian s and t with comma below (U+0218..U+021B, Latin Extended-B): the
 * correct spelling of Iași and Timișoara uses them, and the cedilla forms
 * the table has are only their legacy stand-ins, so the two spellings of a
 * name must give one id.
 */
static const char *fold_cp(uint32_t cp)
{
	if (cp >= FOLD_FIRST && cp <= FOLD_LAST)
		return fold[cp - FOLD_FIRST];
	if (cp == 0x0218 || cp == 0x0219)
		return "s";
	if (cp == 0x021a || cp == 0x021b)
		return "t";
	return NULL;
}

/* Apostrophes join the parts of a word (Huai'an, L'Aquila): dropped, so
 * they neither separate nor survive. U+2019 is the typographic apostrophe,
 * U+02BC the modifier letter some transliterations use. */
static int is_apostrophe(uint32_t cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x02bc;
}

/* Combining diacritics (U+0300..U+036F) follow their base letter when a name
 * arrives decomposed (NFD, as macOS file names do); dropped, so "Krako" +
 * U+0301 + "w" gives the same id as the precomposed "Kraków". */
static int is_combining_mark(uint32_t cp)
{
	return cp >= 0x0300 && cp <= 0x036f;
}

int uccn_slug(const char *name, char *out, size_t outlen)
{
	if (!name || !out)
		return UCCN_E_INVALID;
	if (outlen == 0)
		return UCCN_E_TOOBIG;
	out[0] = '\0';
	size_t limit = outlen - 1 < UCCN_MAX_ID ? outlen - 1 : UCCN_MAX_ID;
	size_t n = 0;          /* bytes the slug has (or would have) */
	int sep = 0;           /* a '-' is owed before the next letter */
	int toobig = 0;
	const unsigned char *s = (const unsigned char *)name;
	const unsigned char *end = s + strlen(name);
	while (s < end) {
		uint32_t cp;
		size_t step = uccn_utf8_next(s, (size_t)(end - s), &cp);
		if (!step) {
			out[0] = '\0';
			return UCCN_E_INVALID;
		}
		s += step;

		char one[2] = {0, 0};
		const char *add = NULL;
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			one[0] = (char)cp;
			add = one;
		} else if (cp >= 'A' && cp <= 'Z') {
			one[0] = (char)(cp - 'A' + 'a');
			add = one;
		} else if (is_apostrophe(cp) || is_combining_mark(cp)) {
			continue;
		} else {
			add = fold_cp(cp);
		}
		if (!add) {
			/* Only between letters: none leads, and a trailing one is
			 * never written because no letter comes to claim it. */
			sep = n > 0;
			continue;
		}
		size_t addlen = (size_t)sep + strlen(add);
		/* Keep scanning after the slug is too long: invalid UTF-8 later
		 * in the name is still the error to report. */
		if (!toobig && n + addlen <= limit) {
			if (sep)
				out[n] = '-';
			memcpy(out + n + sep, add, strlen(add));
		} else {
			toobig = 1;
		}
		n += addlen;
		sep = 0;
	}
	if (toobig) {
		out[0] = '\0';
		return UCCN_E_TOOBIG;
	}
	out[n] = '\0';
	return n ? 0 : UCCN_E_INVALID;
}
