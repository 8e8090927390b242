/*
 * keyfile.c - parse and format ZPL-style CURVE key files.
 */
#include <stdio.h>
#include <string.h>

#include "uccn_error.h"
#include "uccn_keyfile.h"
#include "uccn_records.h"

/* If line (n bytes) is `<name> = "<key>"`, copy the key to out. 1 when the
 * line names the key, 0 when it is another line, -1 when it is malformed. */
static int key_line(const char *line, size_t n, const char *name, char *out)
{
	size_t i = 0, nl = strlen(name);
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (n - i < nl || memcmp(line + i, name, nl) != 0)
		return 0;
	i += nl;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= n || line[i] != '=')
		return -1;
	i++;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (n - i < UCCN_KEY_Z85_LEN + 2 || line[i] != '"' ||
	    line[i + UCCN_KEY_Z85_LEN + 1] != '"')
		return -1;
	memcpy(out, line + i + 1, UCCN_KEY_Z85_LEN);
	out[UCCN_KEY_Z85_LEN] = '\0';
	return uccn_key_z85_valid(out) ? 1 : -1;
}

int uccn_keyfile_parse(const char *text, size_t len,
		       char pub[UCCN_KEY_Z85_LEN + 1],
		       char sec[UCCN_KEY_Z85_LEN + 1])
{
	pub[0] = sec[0] = '\0';
	size_t pos = 0;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl != NULL);
		if (n && line[n - 1] == '\r')
			n--;
		if (n && line[0] == '#')
			continue;
		int a = key_line(line, n, "public-key", pub);
		int b = a ? 0 : key_line(line, n, "secret-key", sec);
		if (a < 0 || b < 0)
			return UCCN_E_INVALID;
	}
	return pub[0] ? 0 : UCCN_E_INVALID;
}

int uccn_keyfile_format(char *buf, size_t len, const char *comment,
			const char *pub, const char *sec)
{
	if (!uccn_key_z85_valid(pub) || (sec && !uccn_key_z85_valid(sec)))
		return UCCN_E_INVALID;
	int n = snprintf(buf, len,
			 "#   %s\n"
			 "#   ZeroMQ CURVE certificate (ZPL); %s\n"
			 "metadata\n"
			 "curve\n"
			 "    public-key = \"%s\"\n"
			 "%s%s%s",
			 comment ? comment : "uccn key",
			 sec ? "keep this file secret" : "public key only",
			 pub, sec ? "    secret-key = \"" : "", sec ? sec : "",
			 sec ? "\"\n" : "");
	if (n < 0 || (size_t)n >= len)
		return UCCN_E_TOOBIG;
	return n;
}
