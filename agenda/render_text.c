/*
 * render_text.c - the growable output buffer every format writes into, and
 * text escaped for each format (Markdown, HTML, iCalendar, JSON).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "uccn_error.h"
#include "uccn_utf8.h"

/* ---- a growable buffer whose first error sticks ---- */

static bool buf_reserve(struct buf *b, size_t more)
{
	if (b->err)
		return false;
	if (more >= SIZE_MAX / 2 - b->len) {
		b->err = UCCN_E_NOMEM;
		return false;
	}
	size_t need = b->len + more + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < need)
		cap *= 2;
	char *q = realloc(b->p, cap);
	if (!q) {
		b->err = UCCN_E_NOMEM;
		return false;
	}
	b->p = q;
	b->cap = cap;
	return true;
}

void buf_put_n(struct buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_put(struct buf *b, const char *s)
{
	buf_put_n(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_put_n(b, &c, 1);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (!b->err)
			b->err = UCCN_E_INTERNAL;
		return;
	}
	if (!buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}


/* ---- text, escaped for each format ---- */

/* s, escaped for e. Invalid UTF-8 becomes U+FFFD; control characters a
 * space, except that ICS and JSON keep line breaks their own way. */
void buf_put_esc(struct buf *b, const char *s, enum esc e)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		/* A sequence never holds a NUL, so 4 bytes at most are read. */
		size_t n = uccn_utf8_next(p, strnlen((const char *)p, 4), &cp);
		if (n == 0) {
			buf_put(b, "\xEF\xBF\xBD");
			p++;
			continue;
		}
		if (n > 1) {
			buf_put_n(b, (const char *)p, n);
			p += n;
			continue;
		}
		unsigned char c = *p++;
		switch (e) {
		case ESC_TEXT:
			buf_putc(b, c < 0x20 || c == 0x7F ? ' ' : (char)c);
			break;
		case ESC_HTML:
			if (c == '&')
				buf_put(b, "&amp;");
			else if (c == '<')
				buf_put(b, "&lt;");
			else if (c == '>')
				buf_put(b, "&gt;");
			else if (c == '"')
				buf_put(b, "&quot;");
			else if (c == '\'')
				buf_put(b, "&#39;");
			else
				buf_putc(b, c < 0x20 || c == 0x7F ? ' ' : (char)c);
			break;
		case ESC_ICS:
			if (c == '\\' || c == ';' || c == ',') {
				buf_putc(b, '\\');
				buf_putc(b, (char)c);
			} else if (c == '\r' && *p == '\n') {
				/* CRLF is one line break */
			} else if (c == '\n' || c == '\r') {
				buf_put(b, "\\n");
			} else {
				buf_putc(b, c < 0x20 || c == 0x7F ? ' ' : (char)c);
			}
			break;
		case ESC_JSON:
			if (c == '"' || c == '\\') {
				buf_putc(b, '\\');
				buf_putc(b, (char)c);
			} else if (c < 0x20) {
				buf_printf(b, "\\u%04x", c);
			} else {
				buf_putc(b, (char)c);
			}
			break;
		}
	}
}

void buf_put_json(struct buf *b, const char *s)
{
	if (!s) {
		buf_put(b, "null");
		return;
	}
	buf_putc(b, '"');
	buf_put_esc(b, s, ESC_JSON);
	buf_putc(b, '"');
}
