/*
 * json.c - see json.h. A small recursive-descent parser (depth-bounded)
 * that keeps numbers as their text and objects as ordered members.
 */
#include "json.h"

#include <stdlib.h>
#include <string.h>

struct h_json {
	h_json_type_t type;
	bool b;
	char *s;        /* string value, or a number's text */
	char *key;      /* member name inside an object */
	h_json_t **items;
	size_t n;
};

struct jp {
	const char *p;
	int depth;
};

static void jp_ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return true;
}

static size_t put_utf8(char *o, unsigned c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* A string at j->p (on the opening quote); malloc'd, NULL on error. */
static char *jp_string(struct jp *j)
{
	const char *p = j->p + 1;
	/* Unescaping never lengthens: size by the raw text. */
	const char *q = p;
	while (*q && *q != '"')
		q += (*q == '\\' && q[1]) ? 2 : 1;
	char *o = malloc((size_t)(q - p) + 1), *w = o;
	if (!o)
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			goto fail;
		if (*p != '\\') {
			*w++ = *p++;
			continue;
		}
		p++;
		unsigned c, lo;
		switch (*p) {
		case '"': case '\\': case '/': *w++ = *p; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u':
			if (!hex4(p + 1, &c))
				goto fail;
			p += 4;
			if (c >= 0xD800 && c < 0xDC00 && p[1] == '\\' && p[2] == 'u' &&
			    hex4(p + 3, &lo) && lo >= 0xDC00 && lo < 0xE000) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			w += put_utf8(w, c);
			break;
		default:
			goto fail;
		}
		p++;
	}
	if (*p != '"')
		goto fail;
	*w = '\0';
	j->p = p + 1;
	return o;
fail:
	free(o);
	return NULL;
}

static h_json_t *jp_value(struct jp *j);

static bool jp_push(h_json_t *v, h_json_t *item)
{
	h_json_t **ni = realloc(v->items, (v->n + 1) * sizeof *ni);
	if (!ni)
		return false;
	v->items = ni;
	v->items[v->n++] = item;
	return true;
}

/* An array or object; j->p on '[' or '{'. */
static h_json_t *jp_container(struct jp *j, h_json_t *v)
{
	bool obj = *j->p == '{';
	char close = obj ? '}' : ']';
	v->type = obj ? H_JSON_OBJECT : H_JSON_ARRAY;
	j->p++;
	jp_ws(j);
	if (*j->p == close) {
		j->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		jp_ws(j);
		if (obj) {
			if (*j->p != '"' || !(key = jp_string(j)))
				return NULL;
			jp_ws(j);
			if (*j->p != ':') {
				free(key);
				return NULL;
			}
			j->p++;
		}
		h_json_t *item = jp_value(j);
		if (!item) {
			free(key);
			return NULL;
		}
		item->key = key;
		if (!jp_push(v, item)) {
			h_json_destroy(&item);
			return NULL;
		}
		jp_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p != close)
			return NULL;
		j->p++;
		return v;
	}
}

static h_json_t *jp_value(struct jp *j)
{
	if (++j->depth > 64)
		return NULL;
	jp_ws(j);
	h_json_t *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	h_json_t *ok = v;
	const char *p = j->p;
	if (*p == '{' || *p == '[') {
		ok = jp_container(j, v);
	} else if (*p == '"') {
		v->type = H_JSON_STRING;
		ok = (v->s = jp_string(j)) ? v : NULL;
	} else if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
		v->type = H_JSON_BOOL;
		v->b = *p == 't';
		j->p += v->b ? 4 : 5;
	} else if (strncmp(p, "null", 4) == 0) {
		v->type = H_JSON_NULL;
		j->p += 4;
	} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
		const char *q = p + 1;
		while ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' ||
		       *q == 'E' || *q == '+' || *q == '-')
			q++;
		v->type = H_JSON_NUMBER;
		v->s = strndup(p, (size_t)(q - p));
		ok = v->s ? v : NULL;
		j->p = q;
	} else {
		ok = NULL;
	}
	j->depth--;
	if (!ok)
		h_json_destroy(&v);
	return ok;
}

h_json_t *h_json_parse(const char *text)
{
	if (!text)
		return NULL;
	struct jp j = {text, 0};
	h_json_t *v = jp_value(&j);
	if (v) {
		jp_ws(&j);
		if (*j.p != '\0')
			h_json_destroy(&v);
	}
	return v;
}

void h_json_destroy(h_json_t **self_p)
{
	if (!self_p || !*self_p)
		return;
	h_json_t *v = *self_p;
	for (size_t i = 0; i < v->n; i++)
		h_json_destroy(&v->items[i]);
	free(v->items);
	free(v->s);
	free(v->key);
	free(v);
	*self_p = NULL;
}

h_json_type_t h_json_type(const h_json_t *self)
{
	return self ? self->type : H_JSON_NULL;
}

size_t h_json_len(const h_json_t *self)
{
	return self && (self->type == H_JSON_ARRAY || self->type == H_JSON_OBJECT)
	       ? self->n : 0;
}

const h_json_t *h_json_at(const h_json_t *self, size_t i)
{
	return self && self->type == H_JSON_ARRAY && i < self->n ? self->items[i] : NULL;
}

const h_json_t *h_json_get(const h_json_t *self, const char *key)
{
	if (!self || self->type != H_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < self->n; i++)
		if (strcmp(self->items[i]->key, key) == 0)
			return self->items[i];
	return NULL;
}

const char *h_json_str(const h_json_t *self)
{
	return self && self->type == H_JSON_STRING ? self->s : NULL;
}

uint64_t h_json_u64(const h_json_t *self)
{
	return self && self->type == H_JSON_NUMBER ? strtoull(self->s, NULL, 10) : 0;
}

bool h_json_bool(const h_json_t *self)
{
	return self && self->type == H_JSON_BOOL && self->b;
}

bool h_json_is_null(const h_json_t *self)
{
	return self && self->type == H_JSON_NULL;
}
